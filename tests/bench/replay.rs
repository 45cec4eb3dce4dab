//! Native replay benchmark: 1,000,000 synthetic leads, 20 criteria of every
//! common kind. Times the first evaluation, a points change (re-score the
//! patterns and recompute every figure) and a rule change (re-evaluate one
//! rule, regroup, recompute).
//!
//!     cargo bench --bench replay
//!     LEADLENS_BENCH_ROWS=100000 cargo bench --bench replay

use std::time::Instant;

use leadlens::core::criteria::{Criterion, RuleTest, Scenario};
use leadlens::core::engine::{Grouping, LeadFacts, Replay, ReplaySettings, MAX_SCORE_BANDS};
use leadlens::core::fit::suggest_points;
use leadlens::core::sample::{generate, sample_mapping};
use leadlens::core::scoring::{evaluate_criteria, evaluate_rule};
use leadlens::core::split::CheckSplit;

fn criterion(label: &str, column: &str, points: i32, test: RuleTest) -> Criterion {
    Criterion::new(label, points, column, test)
}

fn values(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn twenty_criteria() -> Scenario {
    use RuleTest::*;
    let criteria = vec![
        criterion("Demo", "Demo requested", 30, IsTrue),
        criterion(
            "Software",
            "Industry",
            15,
            AnyOf {
                values: values(&["Software"]),
            },
        ),
        criterion(
            "Finance",
            "Industry",
            10,
            AnyOf {
                values: values(&["Financial services"]),
            },
        ),
        criterion(
            "Retail",
            "Industry",
            -5,
            AnyOf {
                values: values(&["Retail"]),
            },
        ),
        criterion(
            "Directors+",
            "Seniority",
            15,
            AnyOf {
                values: values(&["Director", "VP", "C-level"]),
            },
        ),
        criterion(
            "IC",
            "Seniority",
            -10,
            AnyOf {
                values: values(&["Individual contributor"]),
            },
        ),
        criterion(
            "Big",
            "Company size",
            10,
            AnyOf {
                values: values(&["201-1000", "1000+"]),
            },
        ),
        criterion(
            "Tiny",
            "Company size",
            -10,
            AnyOf {
                values: values(&["1-10"]),
            },
        ),
        criterion(
            "Views",
            "Page views",
            0,
            PerUnit {
                points_per_unit: 2,
                max_points: 20,
            },
        ),
        criterion("Clicks", "Email clicks", 10, Gte { value: 3.0 }),
        criterion("Few clicks", "Email clicks", -5, Lte { value: 0.0 }),
        criterion("Mid views", "Page views", 5, Between { min: 3.0, max: 8.0 }),
        criterion(
            "Purchased",
            "Lead source",
            -15,
            AnyOf {
                values: values(&["Purchased list"]),
            },
        ),
        criterion(
            "Referral",
            "Lead source",
            15,
            AnyOf {
                values: values(&["Referral"]),
            },
        ),
        criterion(
            "Webinar",
            "Lead source",
            10,
            AnyOf {
                values: values(&["Webinar"]),
            },
        ),
        criterion(
            "US",
            "Country",
            5,
            AnyOf {
                values: values(&["United States"]),
            },
        ),
        criterion(
            "Not emerging",
            "Country",
            3,
            NoneOf {
                values: values(&["Brazil", "India"]),
            },
        ),
        criterion("Chief", "Job title", 10, Contains { value: "C".into() }),
        criterion("Recent", "Created", 5, WithinDays { days: 60 }),
        criterion("Has title", "Job title", 2, NotEmpty),
    ];
    Scenario {
        name: "bench".into(),
        threshold: 40,
        criteria,
        grid: Default::default(),
        agreement: Default::default(),
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let rows: usize = std::env::var("LEADLENS_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let t = Instant::now();
    let data = generate(rows, 7);
    println!(
        "replay benchmark: {rows} leads generated in {:.0} ms, 20 criteria",
        ms(t)
    );
    let mapping = sample_mapping();
    let t = Instant::now();
    let facts = LeadFacts::new(&data, &mapping)
        .expect("the sample has an outcome")
        .with_check(&data, &mapping, &CheckSplit::default());
    println!(
        "  lead facts:     {:.0} ms with the newest 20% kept as the check set ({} tuning leads)",
        ms(t),
        facts.tuning_leads()
    );
    let settings = ReplaySettings::default();
    let mut scenario = twenty_criteria();

    let t = Instant::now();
    let mut evaluations = evaluate_criteria(&data, &scenario.criteria);
    let evaluate = ms(t);
    let t = Instant::now();
    let grouping = Grouping::new(&scenario, &evaluations, &facts);
    let group = ms(t);
    println!(
        "  first load:     evaluate 20 rules {evaluate:.0} ms, group {group:.0} ms ({} patterns)",
        grouping.patterns.len()
    );

    // A points change: re-score patterns, recompute every figure and curve
    // of the tuning set and of the check set.
    let runs = 200;
    let t = Instant::now();
    let mut checksum = 0usize;
    for i in 0..runs {
        scenario.criteria[i % 20].points += 1;
        let replay = Replay::run(&scenario, &grouping, &facts, &settings);
        let check = replay
            .check_of(&scenario, &grouping, &facts, &settings)
            .expect("the check set is kept");
        for replay in [&replay, &check] {
            checksum += replay.figures.sales_ready.leads
                + replay.gains().len()
                + replay.roc().len()
                + replay.sweep(&facts, &settings).len()
                + replay.conversion_by_band(MAX_SCORE_BANDS).len()
                + replay.grid(&grouping)[0].leads;
        }
    }
    println!(
        "  points change:  {:.3} ms per change, every figure, curve, the sweep and the grid, tuning and check (mean of {runs})",
        ms(t) / runs as f64
    );

    // Suggested points: a regularised logistic fit on the tuning set.
    let replay = Replay::run(&scenario, &grouping, &facts, &settings);
    let runs = 5;
    let t = Instant::now();
    for _ in 0..runs {
        let suggested = suggest_points(&scenario, &grouping, &replay).expect("the fit converges");
        checksum += suggested.suggestions.len();
    }
    println!(
        "  suggest points: {:.1} ms per fit of {} criteria over {} patterns (mean of {runs})",
        ms(t) / runs as f64,
        scenario.criteria.len(),
        grouping.patterns.len()
    );

    // A rule change: re-evaluate that rule only, regroup by (old pattern,
    // new value), recompute; each lead's new pattern is worked out after
    // the figures (in the app, once they are painted), timed on its own.
    let runs = 10;
    let (mut evaluate, mut regroup, mut replay_ms, mut leads_ms) = (0.0, 0.0, 0.0, 0.0);
    let mut grouping = std::rc::Rc::new(grouping);
    for i in 0..runs {
        scenario.criteria[9].rule.test = RuleTest::Gte {
            value: 1.0 + i as f64,
        };
        let t = Instant::now();
        evaluations[9] = evaluate_rule(&data, &scenario.criteria[9].rule);
        evaluate += ms(t);
        let t = Instant::now();
        let next = grouping.with_rule_changed(&scenario, 9, &evaluations[9], &facts);
        regroup += ms(t);
        let t = Instant::now();
        let replay = Replay::run(&scenario, &next, &facts, &settings);
        replay_ms += ms(t);
        checksum += replay.figures.sales_ready.leads;
        let t = Instant::now();
        checksum += next.lead_pattern()[rows / 2] as usize;
        leads_ms += ms(t);
        grouping = std::rc::Rc::new(next);
    }
    let per = |total: f64| total / runs as f64;
    println!(
        "  rule change:    {:.1} ms per change to the figures (evaluate {:.1}, regroup {:.1}, replay {:.1}), then {:.1} ms for each lead's pattern (mean of {runs})",
        per(evaluate + regroup + replay_ms),
        per(evaluate),
        per(regroup),
        per(replay_ms),
        per(leads_ms)
    );
    println!("  (checksum {checksum})");
}
