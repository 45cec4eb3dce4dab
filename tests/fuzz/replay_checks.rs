//! Everything computed from a data set and its scenarios, run and checked:
//! the engine against the naive scorer, the engine's figures against its
//! own per-lead scores, follow-up effects, lead lists, comparisons, charts,
//! and the scenarios' round trips through the criteria file, the share
//! link and the saved workspace. The `csv` and `engine` targets share it.

use std::rc::Rc;

use fastrand::Rng;
use serde_json::Value;

use leadlens::charts::curves::{gains_curve, gains_finding, roc_curve, roc_finding};
use leadlens::charts::palette::{scenario_colour, MUTED};
use leadlens::charts::rates::{
    band_label, conversion_by_band_chart, conversion_by_band_finding, RateBar, RateSeries,
    RatesChart,
};
use leadlens::charts::score_distribution::{score_axis, score_distribution_finding};
use leadlens::charts::spec::{ChartSpec, EXPORT_SIZE};
use leadlens::charts::sweep::{sweep_axis, sweep_finding, SweepCurve};
use leadlens::core::criteria::{RuleTest, Scenario};
use leadlens::core::criteria_file::CriteriaFile;
use leadlens::core::dataset::Dataset;
use leadlens::core::engine::{
    fired, ready_changes, GainsPoint, Grouping, GroupingCache, LeadFacts, Replay, ReplaySettings,
    MAX_SCORE_BANDS,
};
use leadlens::core::followup::{FollowUpAnalysis, FollowUpFacts, PooledRate};
use leadlens::core::mapping::ColumnMapping;
use leadlens::core::metrics::Rate;
use leadlens::core::ranking::{KeptLeads, RankedLeads};
use leadlens::core::scoring::{evaluate_criteria, score_leads};
use leadlens::core::share::{decode_link, encode_link};
use leadlens::core::workspace::SavedWorkspace;

use crate::naive::{self, NaiveReplay};
use crate::runner::Ctx;

/// One replay of one scenario, kept for the comparisons across scenarios.
struct Done {
    grouping: Rc<Grouping>,
    replay: Replay,
    own: Vec<i32>,
}

/// Runs and checks every replay figure of `scenarios` on `data`.
pub fn check_replays(
    ctx: &mut Ctx,
    rng: &mut Rng,
    data: &Dataset,
    mapping: &ColumnMapping,
    scenarios: &[Scenario],
    settings: &ReplaySettings,
    draw: bool,
) {
    let Some(facts) = ctx.call("LeadFacts::new", || LeadFacts::new(data, mapping)) else {
        return;
    };
    let Ok(facts) = facts else { return };
    let rows = data.row_count();
    if facts.outcomes.len() != rows {
        ctx.mismatch(
            "LeadFacts has another number of outcomes than leads",
            || format!("{} outcomes for {rows} leads", facts.outcomes.len()),
        );
        return;
    }
    let follow = ctx.call("FollowUpFacts::new", || FollowUpFacts::new(data, mapping));
    let mut cache = GroupingCache::default();
    let mut done: Vec<Done> = Vec::new();
    for (index, scenario) in scenarios.iter().enumerate() {
        let Some(grouping) = ctx.call("GroupingCache::grouping", || {
            cache.grouping(data, &facts, scenario)
        }) else {
            continue;
        };
        let Some(replay) = ctx.call("Replay::run", || {
            Replay::run(scenario, &grouping, &facts, settings)
        }) else {
            continue;
        };
        let Some(own) = ctx.call("Replay::score", || {
            (0..rows)
                .map(|row| replay.score(&grouping, row))
                .collect::<Vec<i32>>()
        }) else {
            continue;
        };
        let naive = NaiveReplay::new(data, scenario);
        let agree = check_scores(ctx, data, &facts, scenario, &replay, &own, &naive);
        check_score_leads(ctx, data, scenario, &naive);
        check_figures(
            ctx, &facts, scenario, settings, &replay, &own, &naive, agree,
        );
        check_evidence(ctx, scenario, &grouping, &replay, &facts, &naive);
        if agree {
            check_fired(ctx, rng, scenario, &grouping, &naive);
        }
        check_curves(ctx, rng, &facts, settings, &replay, &own);
        check_ranking(ctx, rng, &replay, &grouping, &own);
        let analysis = follow
            .as_ref()
            .and_then(|follow| check_follow_up(ctx, rng, follow, &facts, &replay, &own));
        if draw {
            draw_scenario(ctx, rng, index, scenario, &replay, analysis.as_ref());
        }
        done.push(Done {
            grouping,
            replay,
            own,
        });
    }
    if let Some(scenario) = scenarios.first() {
        check_regrouping(ctx, rng, data, &facts, settings, scenario, &mut cache);
    }
    for pair in done.windows(2) {
        check_ready_changes(ctx, &pair[0], &pair[1], &facts);
    }
    if draw && !done.is_empty() {
        draw_comparisons(ctx, rng, scenarios, &done, &facts, settings);
    }
}

/// Compares each lead's engine score with the naive one; true when all
/// agree. A disagreement is put down to the first criterion that, alone,
/// already disagrees, so that distinct causes get distinct findings.
fn check_scores(
    ctx: &mut Ctx,
    data: &Dataset,
    facts: &LeadFacts,
    scenario: &Scenario,
    replay: &Replay,
    own: &[i32],
    naive: &NaiveReplay,
) -> bool {
    let Some(row) = (0..own.len()).find(|&r| own[r] != naive.scores[r]) else {
        return true;
    };
    let (cause, culprit) = blame(ctx, scenario, naive, row, |ctx, alone| {
        ctx.call("blame: one criterion alone", || {
            let evaluations = evaluate_criteria(data, &alone.criteria);
            let grouping = Grouping::new(alone, &evaluations, facts);
            let replay = Replay::run(alone, &grouping, facts, &ReplaySettings::default());
            replay.score(&grouping, row)
        })
    });
    let differing = (0..own.len())
        .filter(|&r| own[r] != naive.scores[r])
        .count();
    ctx.stage("naive comparison");
    ctx.mismatch(&format!("per-lead score vs naive scorer: {cause}"), || {
        let mut text = format!(
            "{differing} of {} leads score differently; the first is row {row}: engine {}, naive {}\n\
             threshold {}\n",
            own.len(),
            own[row],
            naive.scores[row],
            replay.figures.threshold
        );
        for (i, c) in scenario.criteria.iter().enumerate() {
            text.push_str(&format!(
                "  #{i}{} enabled={} points={} column={:?} test={:?}: naive adds {} (value {:?})\n",
                if Some(i) == culprit { " <-" } else { "" },
                c.enabled,
                c.points,
                c.rule.column,
                c.rule.test,
                naive.contributions[i][row],
                naive.values[i][row]
            ));
        }
        text
    });
    false
}

/// Why a lead's score differs: the criterion that alone gives another
/// score (as `score_alone` works it out for a one-criterion scenario),
/// described by its kind and the case it is in.
fn blame(
    ctx: &mut Ctx,
    scenario: &Scenario,
    naive: &NaiveReplay,
    row: usize,
    mut score_alone: impl FnMut(&mut Ctx, &Scenario) -> Option<i32>,
) -> (String, Option<usize>) {
    for (i, criterion) in scenario.criteria.iter().enumerate() {
        let alone = Scenario {
            name: String::new(),
            threshold: 0,
            criteria: vec![criterion.clone()],
            grid: Default::default(),
            agreement: Default::default(),
        };
        let Some(engine) = score_alone(ctx, &alone) else {
            continue;
        };
        if i128::from(engine) == naive.contributions[i][row] {
            continue;
        }
        let case = match criterion.rule.test {
            RuleTest::PerUnit {
                points_per_unit,
                max_points,
            } => {
                let v = naive.values[i][row];
                let raw = i128::from(points_per_unit) * naive::whole_units(v);
                if v.is_nan() {
                    "per_unit, value missing".to_owned()
                } else if v < 0.0 {
                    "per_unit, negative value".to_owned()
                } else if v < 1.0 {
                    "per_unit, value below one unit".to_owned()
                } else if max_points <= 0 {
                    "per_unit, max_points <= 0".to_owned()
                } else if raw.min(i128::from(max_points)).abs() > naive::MAX_POINTS {
                    "per_unit, beyond the points cap".to_owned()
                } else {
                    "per_unit".to_owned()
                }
            }
            _ if i128::from(criterion.points).abs() > naive::MAX_POINTS => {
                "plain rule, points beyond the cap".to_owned()
            }
            ref test => format!("{} rule", test.op_name()),
        };
        return (case, Some(i));
    }
    ("the sum of several criteria".to_owned(), None)
}

/// `scoring::score_leads` (what the starting point and the scored export
/// add up) against the naive scorer.
fn check_score_leads(ctx: &mut Ctx, data: &Dataset, scenario: &Scenario, naive: &NaiveReplay) {
    let rows = data.row_count();
    let Some(scores) = ctx.call("score_leads", || {
        score_leads(
            rows,
            &scenario.criteria,
            &evaluate_criteria(data, &scenario.criteria),
        )
    }) else {
        return;
    };
    let Some(row) = (0..rows).find(|&r| scores[r] != naive.scores[r]) else {
        return;
    };
    let (cause, culprit) = blame(ctx, scenario, naive, row, |ctx, alone| {
        ctx.call("blame: one criterion alone", || {
            score_leads(
                rows,
                &alone.criteria,
                &evaluate_criteria(data, &alone.criteria),
            )[row]
        })
    });
    ctx.stage("naive comparison");
    ctx.mismatch(
        &format!("score_leads (scoring.rs) vs naive scorer: {cause}"),
        || {
            format!(
                "row {row}: score_leads {}, naive {}; criterion {culprit:?}: {:?}",
                scores[row],
                naive.scores[row],
                culprit.map(|c| &scenario.criteria[c])
            )
        },
    );
}

fn rate_of(scores: &[i32], outcomes: &[bool], keep: impl Fn(i32) -> bool) -> Rate {
    let mut rate = Rate::default();
    for (&s, &y) in scores.iter().zip(outcomes) {
        if keep(s) {
            rate.leads += 1;
            rate.converted += usize::from(y);
        }
    }
    rate
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * (1.0 + a.abs().max(b.abs()))
}

#[allow(clippy::too_many_arguments)]
fn check_figures(
    ctx: &mut Ctx,
    facts: &LeadFacts,
    scenario: &Scenario,
    settings: &ReplaySettings,
    replay: &Replay,
    own: &[i32],
    naive: &NaiveReplay,
    agree: bool,
) {
    ctx.stage("key figures");
    let f = &replay.figures;
    let t = scenario.threshold;
    if f.threshold != t {
        ctx.mismatch(
            "key figures carry another threshold than the scenario",
            || format!("figures {} scenario {t}", f.threshold),
        );
    }
    let ready = rate_of(own, &facts.outcomes, |s| s >= t);
    let rest = rate_of(own, &facts.outcomes, |s| s < t);
    if f.sales_ready != ready || f.rest != rest || f.leads != own.len() {
        ctx.mismatch("key figures vs the replay's own per-lead scores", || {
            format!(
                "figures: {} leads, ready {:?}, rest {:?}\nown scores: ready {ready:?}, rest {rest:?}",
                f.leads, f.sales_ready, f.rest
            )
        });
    }
    if agree {
        let ((rl, rc), (ol, oc)) = naive.split(&facts.outcomes, t);
        let naive_ready = Rate {
            leads: rl,
            converted: rc,
        };
        let naive_rest = Rate {
            leads: ol,
            converted: oc,
        };
        if f.sales_ready != naive_ready || f.rest != naive_rest {
            ctx.mismatch("key figures (sales-ready) vs naive", || {
                format!(
                    "engine ready {:?} rest {:?}; naive ready {naive_ready:?} rest {naive_rest:?}",
                    f.sales_ready, f.rest
                )
            });
        }
    }
    match f.auc {
        Some(auc) if !(0.0..=1.0).contains(&auc) => {
            ctx.mismatch("AUC outside [0, 1]", || format!("auc {auc}"))
        }
        _ => {}
    }
    let expected_auc = naive::auc(own, &facts.outcomes);
    let auc_agrees = match (f.auc, expected_auc) {
        (Some(a), Some(b)) => close(a, b, 1e-9),
        (None, None) => true,
        _ => false,
    };
    if !auc_agrees {
        ctx.mismatch("AUC vs the replay's own per-lead scores", || {
            format!("engine {:?}, from the scores {expected_auc:?}", f.auc)
        });
    }
    if let Some(deals) = &facts.deal_values {
        let (mut in_ready, mut all) = (0.0, 0.0);
        let mut wild = false;
        for row in 0..own.len() {
            let v = deals[row];
            if facts.outcomes[row] && v.is_finite() {
                wild |= v.abs() > 1e12;
                all += v;
                if own[row] >= t {
                    in_ready += v;
                }
            }
        }
        let expected = (all > 0.0).then(|| in_ready / all);
        let fine = match (replay.revenue_captured, expected) {
            (Some(a), Some(b)) => close(a, b, 1e-9) || !a.is_finite() || !b.is_finite(),
            (None, None) => true,
            _ => wild || all.abs() < 1e-9,
        };
        if !fine && !wild {
            ctx.mismatch(
                "revenue captured vs the replay's own per-lead scores",
                || {
                    format!(
                        "engine {:?}, expected {expected:?}",
                        replay.revenue_captured
                    )
                },
            );
        }
    }
    if let (Some(weeks), Some(workload)) = (facts.weeks, replay.workload) {
        let per_week = ready.leads as f64 / weeks;
        let per_rep = per_week / f64::from(settings.reps.max(1));
        if !close(workload.per_week, per_week, 1e-9) || !close(workload.per_rep_week, per_rep, 1e-9)
        {
            ctx.mismatch("workload vs sales-ready leads over the weeks", || {
                format!("{workload:?}; expected {per_week} a week, {per_rep} per rep")
            });
        }
    }
}

fn check_evidence(
    ctx: &mut Ctx,
    scenario: &Scenario,
    grouping: &Grouping,
    replay: &Replay,
    facts: &LeadFacts,
    naive: &NaiveReplay,
) {
    ctx.stage("criterion evidence");
    if replay.evidence.len() != scenario.criteria.len() {
        ctx.mismatch("evidence for another number of criteria", || {
            format!("{} for {}", replay.evidence.len(), scenario.criteria.len())
        });
        return;
    }
    if replay.evidence != grouping.evidence {
        ctx.mismatch("replay evidence differs from its grouping's", String::new);
    }
    for (i, criterion) in scenario.criteria.iter().enumerate() {
        let evidence = &replay.evidence[i];
        if !naive.applicable[i] {
            if evidence.matched.is_some() || evidence.unmatched.is_some() {
                ctx.mismatch(
                    &format!(
                        "criterion evidence for a rule that cannot apply ({})",
                        criterion.rule.test.op_name()
                    ),
                    || format!("criterion {i}: {criterion:?}\nevidence {evidence:?}"),
                );
            }
            continue;
        }
        let (mut matched, mut unmatched) = (Rate::default(), Rate::default());
        for (row, &fires) in naive.fires[i].iter().enumerate() {
            let bucket = if fires { &mut matched } else { &mut unmatched };
            bucket.leads += 1;
            bucket.converted += usize::from(facts.outcomes[row]);
        }
        let fine = (evidence.matched == Some(matched) && evidence.unmatched == Some(unmatched))
            || (!criterion.enabled && evidence.matched.is_none() && evidence.unmatched.is_none());
        if !fine {
            ctx.mismatch(
                &format!(
                    "criterion evidence (matched leads) vs naive ({})",
                    criterion.rule.test.op_name()
                ),
                || {
                    format!(
                        "criterion {i}: {criterion:?}\nengine matched {:?} unmatched {:?}\n\
                         naive matched {matched:?} unmatched {unmatched:?}",
                        evidence.matched, evidence.unmatched
                    )
                },
            );
        }
    }
}

fn check_fired(
    ctx: &mut Ctx,
    rng: &mut Rng,
    scenario: &Scenario,
    grouping: &Grouping,
    naive: &NaiveReplay,
) {
    let rows = grouping.lead_pattern().len();
    for _ in 0..rows.min(4) {
        let row = rng.usize(..rows);
        let pattern = grouping.lead_pattern()[row];
        let Some(list) = ctx.call("fired", || fired(scenario, grouping, pattern)) else {
            return;
        };
        let expected: Vec<(usize, i32)> = (0..scenario.criteria.len())
            .filter(|&i| naive.fires[i][row] && naive.contributions[i][row] != 0)
            .map(|i| (i, naive.contributions[i][row] as i32))
            .collect();
        if list != expected {
            ctx.mismatch("fired() vs naive contributions", || {
                format!("row {row}: fired {list:?}, naive {expected:?}")
            });
            return;
        }
    }
    if rng.u8(..8) == 0 {
        let beyond = grouping.patterns.len() as u32 + rng.u32(..3);
        if let Some(list) = ctx.call("fired", || fired(scenario, grouping, beyond)) {
            if !list.is_empty() {
                ctx.mismatch("fired() explains a pattern that does not exist", || {
                    format!("pattern {beyond}: {list:?}")
                });
            }
        }
    }
}

fn check_curves(
    ctx: &mut Ctx,
    rng: &mut Rng,
    facts: &LeadFacts,
    settings: &ReplaySettings,
    replay: &Replay,
    own: &[i32],
) {
    let outcomes = &facts.outcomes;
    let leads = own.len();
    let converted = outcomes.iter().filter(|&&y| y).count();
    // The distribution, for a few band counts.
    for max_bands in [
        MAX_SCORE_BANDS,
        [1, 2, 3, 7, 10, 12, 31, 100][rng.usize(..8)],
    ] {
        let Some(dist) = ctx.call("distribution", || replay.distribution(max_bands)) else {
            return;
        };
        let bands = &dist.bands;
        if leads > 0 && bands.is_empty() {
            ctx.mismatch("score distribution without bands for leads", String::new);
            continue;
        }
        if let Some(b) = bands.iter().find(|b| b.low > b.high) {
            ctx.mismatch("score band with low > high", || {
                format!("band {b:?} with {max_bands} bands at most")
            });
            continue;
        }
        if let Some(w) = bands
            .windows(2)
            .find(|w| i64::from(w[1].low) != i64::from(w[0].high) + 1)
        {
            ctx.mismatch("score bands not contiguous and increasing", || {
                format!("{:?} then {:?}", w[0], w[1])
            });
            continue;
        }
        if bands.len() > max_bands {
            ctx.mismatch("more score bands than asked for", || {
                format!(
                    "{} bands for at most {max_bands}: first {:?}, last {:?}",
                    bands.len(),
                    bands.first(),
                    bands.last()
                )
            });
        }
        let counted: Vec<(usize, usize)> = bands
            .iter()
            .map(|b| {
                let mut c = (0, 0);
                for (&s, &y) in own.iter().zip(outcomes) {
                    if s >= b.low && s <= b.high {
                        if y {
                            c.0 += 1;
                        } else {
                            c.1 += 1;
                        }
                    }
                }
                c
            })
            .collect();
        let banded: Vec<(usize, usize)> = bands
            .iter()
            .map(|b| (b.converted, b.not_converted))
            .collect();
        let total: usize = banded.iter().map(|c| c.0 + c.1).sum();
        if counted != banded || total != leads {
            ctx.mismatch(
                "score distribution counts vs the replay's own scores",
                || format!("bands {bands:?}\ncounted from the scores {counted:?}"),
            );
        }
        if let Some(rates) = ctx.call("conversion_by_band", || {
            replay.conversion_by_band(max_bands)
        }) {
            let same = rates.len() == bands.len()
                && rates.iter().zip(bands).all(|(r, b)| {
                    r.low == b.low
                        && r.high == b.high
                        && r.rate.converted == b.converted
                        && r.rate.leads == b.converted + b.not_converted
                });
            if !same {
                ctx.mismatch("conversion by band vs the distribution", String::new);
            }
        }
    }
    // Gains and ROC: from (0, 0), non-decreasing, within [0, 1], to (1, 1).
    let Some(gains) = ctx.call("gains", || replay.gains()) else {
        return;
    };
    let points: Vec<(f64, f64)> = gains.iter().map(|p| (p.leads_share, p.captured)).collect();
    check_curve(ctx, "gains curve", &points, leads > 0 && converted > 0);
    let Some(roc) = ctx.call("roc", || replay.roc()) else {
        return;
    };
    let points: Vec<(f64, f64)> = roc
        .iter()
        .map(|p| (p.false_positive_rate, p.true_positive_rate))
        .collect();
    let both = converted > 0 && converted < leads;
    check_curve(ctx, "ROC curve", &points, both);
    if let (Some(auc), true) = (replay.figures.auc, both) {
        let area: f64 = points
            .windows(2)
            .map(|w| (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0)
            .sum();
        if !close(area, auc, 1e-9) {
            ctx.mismatch("area under the ROC curve vs the AUC", || {
                format!("area {area}, AUC {auc}")
            });
        }
    }
    // The sweep: every distinct score, highest first, with what sales gets.
    let Some(sweep) = ctx.call("sweep", || replay.sweep(facts, settings)) else {
        return;
    };
    let mut distinct: Vec<i32> = own.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.reverse();
    let thresholds: Vec<i32> = sweep.iter().map(|p| p.threshold).collect();
    if thresholds != distinct {
        ctx.mismatch("sweep thresholds vs the distinct scores", || {
            format!("sweep {thresholds:?}\nscores {distinct:?}")
        });
        return;
    }
    for p in &sweep {
        let ready = rate_of(own, outcomes, |s| s >= p.threshold);
        let captured = if converted > 0 {
            ready.converted as f64 / converted as f64
        } else {
            0.0
        };
        let rate = ready.converted as f64 / ready.leads as f64;
        let workload_fine = match (facts.weeks, p.per_rep_week) {
            (Some(w), Some(x)) => close(
                x,
                ready.leads as f64 / w / f64::from(settings.reps.max(1)),
                1e-9,
            ),
            (None, None) => true,
            _ => false,
        };
        if p.sales_ready != ready.leads
            || !close(p.captured, captured, 1e-12)
            || !close(p.rate, rate, 1e-12)
            || !workload_fine
        {
            ctx.mismatch("sweep point vs the replay's own scores", || {
                format!("{p:?}; from the scores: {ready:?}, captured {captured}")
            });
            return;
        }
    }
}

fn check_curve(ctx: &mut Ctx, name: &str, points: &[(f64, f64)], ends_at_one: bool) {
    let eps = 1e-12;
    let first_fine = points.first() == Some(&(0.0, 0.0));
    let monotone = points
        .windows(2)
        .all(|w| w[1].0 >= w[0].0 - eps && w[1].1 >= w[0].1 - eps);
    let within = points
        .iter()
        .all(|&(x, y)| (-eps..=1.0 + eps).contains(&x) && (-eps..=1.0 + eps).contains(&y));
    let last_fine = !ends_at_one
        || points
            .last()
            .is_some_and(|&(x, y)| close(x, 1.0, 1e-9) && close(y, 1.0, 1e-9));
    if !(first_fine && monotone && within && last_fine) {
        ctx.mismatch(
            &format!("{name} not from (0,0) to (1,1) within [0,1], non-decreasing"),
            || format!("{points:?}"),
        );
    }
}

fn check_ranking(ctx: &mut Ctx, rng: &mut Rng, replay: &Replay, grouping: &Grouping, own: &[i32]) {
    let rows = own.len();
    let keep: Vec<bool> = match rng.u8(..3) {
        0 => vec![true; rows],
        1 => (0..rows).map(|_| rng.bool()).collect(),
        _ => (0..rows).map(|r| own[r] % 2 == 0).collect(),
    };
    // Half the lists also leave out the patterns that are not sales-ready,
    // as the list of sales-ready leads does.
    let ready_only = rng.bool();
    let keep_pattern = |p: usize| !ready_only || replay.pattern_ready[p];
    for ascending in [false, true] {
        let window = rng.u8(..3);
        let Some((ranked, expected)) = ctx.call("RankedLeads", || {
            let kept = KeptLeads::new(grouping, |row| keep.get(row) == Some(&true));
            let ranked = RankedLeads::new(replay, &kept, ascending, keep_pattern);
            let len = ranked.len();
            let range = match window {
                0 => 0..usize::MAX,
                1 => 0..30,
                _ => len / 2..len / 2 + 30,
            };
            let rows = ranked.window(grouping, &kept, range.clone());
            (rows, (len, range))
        }) else {
            return;
        };
        let (len, range) = expected;
        let mut expected: Vec<u32> = (0..rows as u32)
            .filter(|&r| {
                keep[r as usize] && keep_pattern(grouping.lead_pattern()[r as usize] as usize)
            })
            .collect();
        expected.sort_by_key(|&r| {
            let s = i64::from(own[r as usize]);
            (if ascending { s } else { -s }, r)
        });
        let clipped = range.start.min(expected.len())..range.end.min(expected.len());
        if len != expected.len() || ranked != expected[clipped] {
            ctx.mismatch("ranked leads (score, then file order)", || {
                format!(
                    "ascending {ascending}, window {range:?} of {len}: ranked {:?}\nexpected {:?}",
                    &ranked[..ranked.len().min(40)],
                    &expected[..expected.len().min(40)]
                )
            });
            return;
        }
    }
}

fn check_follow_up(
    ctx: &mut Ctx,
    rng: &mut Rng,
    follow: &FollowUpFacts,
    facts: &LeadFacts,
    replay: &Replay,
    own: &[i32],
) -> Option<FollowUpAnalysis> {
    // The panel computes only where follow-up or response times are known.
    if follow.followed_up.is_none() && follow.response_hours.is_none() {
        return None;
    }
    let max_bands = [10, 10, 1, 3, 12, 30][rng.usize(..6)];
    let threshold = replay.figures.threshold;
    let analysis = ctx.call("FollowUpAnalysis::compute", || {
        FollowUpAnalysis::compute(
            follow,
            &facts.outcomes,
            own,
            threshold,
            max_bands,
            facts.deal_values.as_deref(),
        )
    })?;
    ctx.stage("follow-up checks");
    if analysis.sales_ready != replay.figures.sales_ready {
        ctx.mismatch("follow-up sales-ready vs key figures", || {
            format!(
                "follow-up {:?}, key figures {:?}",
                analysis.sales_ready, replay.figures.sales_ready
            )
        });
    }
    let leads: usize = analysis.bands.iter().map(|b| b.leads).sum();
    if leads != own.len() {
        ctx.mismatch("follow-up bands do not hold every lead", || {
            format!("{leads} in bands of {} leads", own.len())
        });
    }
    if let Some(dist) = ctx.call("distribution", || replay.distribution(max_bands)) {
        let edges: Vec<(i32, i32)> = dist.bands.iter().map(|b| (b.low, b.high)).collect();
        let follow_edges: Vec<(i32, i32)> =
            analysis.bands.iter().map(|b| (b.low, b.high)).collect();
        if edges != follow_edges {
            ctx.mismatch("follow-up bands vs score distribution bands", || {
                format!("follow-up {follow_edges:?}\ndistribution {edges:?}")
            });
        }
    }
    if let Some(share) = analysis.observed_share() {
        if !(0.0..=1.0).contains(&share) {
            ctx.mismatch("observed follow-up share outside [0, 1]", || {
                format!("{share}")
            });
        }
    }
    let shares = [f64::NAN, -0.5, 0.0, 0.15, 0.5, 1.0, 3.0];
    let slas = [
        None,
        Some(f64::NAN),
        Some(-2.0),
        Some(0.0),
        Some(0.05),
        Some(1.0),
        Some(24.0),
        Some(200.0),
        Some(1e12),
        Some(f64::INFINITY),
    ];
    for _ in 0..2 {
        let share = shares[rng.usize(..shares.len())];
        let sla = slas[rng.usize(..slas.len())];
        let Some(what) = ctx.call("what_if", || analysis.what_if(share, sla)) else {
            break;
        };
        ctx.stage("what-if checks");
        // Held to the analysis it comes from (which is held to the key
        // figures above), so one cause makes one finding.
        let ready = analysis.sales_ready;
        if what.sales_ready_leads != ready.leads || what.historical_conversions != ready.converted {
            ctx.mismatch(
                "what-if sales-ready leads vs its follow-up analysis",
                || format!("{what:?}\nanalysis {ready:?}"),
            );
        }
        if !(0.0..=1.0).contains(&what.follow_share) {
            ctx.mismatch("what-if share outside [0, 1]", || format!("{what:?}"));
        }
        if let Some(e) = what.expected {
            let top = ready.leads as f64 * (1.0 + 1e-9) + 1e-9;
            let ordered = e.low <= e.value + 1e-9 && e.value <= e.high + 1e-9;
            let within = e.low >= -1e-9 && e.high <= top;
            if !(e.low.is_finite()
                && e.value.is_finite()
                && e.high.is_finite()
                && ordered
                && within)
            {
                ctx.mismatch("what-if expected conversions out of order or range", || {
                    format!("share {share}, sla {sla:?}: {what:?}")
                });
            }
        }
    }
    Some(analysis)
}

fn check_regrouping(
    ctx: &mut Ctx,
    rng: &mut Rng,
    data: &Dataset,
    facts: &LeadFacts,
    settings: &ReplaySettings,
    scenario: &Scenario,
    cache: &mut GroupingCache,
) {
    if scenario.criteria.is_empty() {
        return;
    }
    // Through the cache: this scenario, then the same with one rule changed
    // (the one-rule regrouping path); against a grouping made afresh.
    let mut edited = scenario.clone();
    let index = rng.usize(..edited.criteria.len());
    let columns: Vec<&str> = data.columns().iter().map(|c| c.name.as_str()).collect();
    crate::targets::engine::edit_rule(rng, &mut edited.criteria[index].rule, &columns);
    let rows = data.row_count();
    let scores = |ctx: &mut Ctx, grouping: &Grouping, replay: &Replay| {
        ctx.call("Replay::score", || {
            (0..rows)
                .map(|r| replay.score(grouping, r))
                .collect::<Vec<i32>>()
        })
    };
    let Some(_) = ctx.call("GroupingCache::grouping", || {
        cache.grouping(data, facts, scenario)
    }) else {
        return;
    };
    let Some(cached) = ctx.call("GroupingCache::grouping (one rule changed)", || {
        cache.grouping(data, facts, &edited)
    }) else {
        return;
    };
    let Some(fresh) = ctx.call("Grouping::new", || {
        Grouping::new(&edited, &evaluate_criteria(data, &edited.criteria), facts)
    }) else {
        return;
    };
    let Some(a) = ctx.call("Replay::run", || {
        Replay::run(&edited, &cached, facts, settings)
    }) else {
        return;
    };
    let Some(b) = ctx.call("Replay::run", || {
        Replay::run(&edited, &fresh, facts, settings)
    }) else {
        return;
    };
    let (Some(sa), Some(sb)) = (scores(ctx, &cached, &a), scores(ctx, &fresh, &b)) else {
        return;
    };
    ctx.stage("regrouping checks");
    if sa != sb || a.figures != b.figures {
        ctx.mismatch(
            "regrouping after a one-rule edit vs grouping afresh (scores)",
            || format!("criterion {index} became {:?}", edited.criteria[index].rule),
        );
    } else if a.evidence != b.evidence {
        ctx.mismatch(
            "regrouping after a one-rule edit vs grouping afresh (evidence)",
            || {
                format!(
                    "criterion {index} became {:?}\ncached {:?}\nfresh {:?}",
                    edited.criteria[index].rule, a.evidence, b.evidence
                )
            },
        );
    } else if !same_grouping(&cached, &fresh) {
        // Patterns are numbered in signature order, so the two agree
        // pattern by pattern and lead by lead.
        ctx.mismatch(
            "regrouping after a one-rule edit vs grouping afresh (patterns)",
            || format!("criterion {index} became {:?}", edited.criteria[index].rule),
        );
    }
}

/// Two groupings with the same patterns, tallies (deal values to the bit)
/// and leads' patterns.
fn same_grouping(a: &Grouping, b: &Grouping) -> bool {
    use leadlens::core::engine::{LeadSet, Pattern};
    let same_tallies = |x: &[Pattern], y: &[Pattern]| {
        x.len() == y.len()
            && x.iter().zip(y).all(|(p, q)| {
                p.leads == q.leads
                    && p.converted == q.converted
                    && p.revenue.to_bits() == q.revenue.to_bits()
            })
    };
    a.lead_pattern() == b.lead_pattern()
        && (0..a.patterns.len()).all(|p| a.signature(p) == b.signature(p))
        && same_tallies(a.tallies(LeadSet::Tuning), b.tallies(LeadSet::Tuning))
        && same_tallies(a.tallies(LeadSet::Check), b.tallies(LeadSet::Check))
}

fn check_ready_changes(ctx: &mut Ctx, from: &Done, to: &Done, facts: &LeadFacts) {
    let Some(changes) = ctx.call("ready_changes", || {
        ready_changes(
            (&from.grouping, &from.replay),
            (&to.grouping, &to.replay),
            facts,
        )
    }) else {
        return;
    };
    let (tf, tt) = (from.replay.figures.threshold, to.replay.figures.threshold);
    let mut entering = Vec::new();
    let mut leaving = Vec::new();
    for row in 0..from.own.len() {
        match (from.own[row] >= tf, to.own[row] >= tt) {
            (false, true) => entering.push(row as u32),
            (true, false) => leaving.push(row as u32),
            _ => {}
        }
    }
    let converted = |rows: &[u32]| rows.iter().filter(|&&r| facts.outcomes[r as usize]).count();
    if changes.entering != entering
        || changes.leaving != leaving
        || changes.entering_converted != converted(&entering)
        || changes.leaving_converted != converted(&leaving)
    {
        ctx.mismatch("ready_changes vs the replays' own scores", || {
            format!("engine {changes:?}\nexpected entering {entering:?} leaving {leaving:?}")
        });
    }
}

// ---------------------------------------------------------------- charts

fn chart_size(rng: &mut Rng) -> (u32, u32) {
    if rng.u8(..4) == 0 {
        (rng.u32(120..2000), rng.u32(90..1200))
    } else {
        EXPORT_SIZE
    }
}

fn check_svg(ctx: &mut Ctx, stage: &'static str, spec: &ChartSpec, size: (u32, u32)) {
    let Some(svg) = ctx.call(stage, || spec.svg(size)) else {
        return;
    };
    if !svg.starts_with("<svg") || !svg.trim_end().ends_with("</svg>") {
        ctx.mismatch(&format!("{stage}: not a whole SVG document"), || {
            svg.chars().take(400).collect()
        });
    }
}

fn follow_bar(low: i32, high: i32, rate: &PooledRate) -> RateBar {
    RateBar {
        label: band_label(low, high),
        rate: rate.pooled,
        thin: rate.thin || rate.is_pooled(),
    }
}

fn draw_scenario(
    ctx: &mut Ctx,
    rng: &mut Rng,
    index: usize,
    scenario: &Scenario,
    replay: &Replay,
    analysis: Option<&FollowUpAnalysis>,
) {
    let figures = &replay.figures;
    let colour = scenario_colour(index);
    let Some(distribution) = ctx.call("distribution", || replay.distribution(MAX_SCORE_BANDS))
    else {
        return;
    };
    let Some(axis) = ctx.call("score_axis", || {
        score_axis(&distribution, figures.threshold, scenario.score_range())
    }) else {
        return;
    };
    if let Some(title) = ctx.call("score_distribution_finding", || {
        score_distribution_finding(figures)
    }) {
        let spec = ChartSpec::ScoreDistribution {
            distribution,
            threshold: figures.threshold,
            axis,
            title,
            accent: colour,
        };
        let size = chart_size(rng);
        check_svg(ctx, "svg: score distribution", &spec, size);
    }
    let Some(bands) = ctx.call("conversion_by_band", || replay.conversion_by_band(10)) else {
        return;
    };
    if let Some(spec) = ctx.call("conversion_by_band_chart", || {
        ChartSpec::rates(
            conversion_by_band_chart(&bands, figures.overall().value(), colour),
            &conversion_by_band_finding(&bands, figures.threshold),
        )
    }) {
        let size = chart_size(rng);
        check_svg(ctx, "svg: conversion by band", &spec, size);
    }
    if let Some(analysis) = analysis {
        let categories: Vec<String> = analysis
            .bands
            .iter()
            .map(|b| band_label(b.low, b.high))
            .collect();
        let spec = ChartSpec::rates(
            RatesChart {
                title: "",
                x_desc: "Score band (points)",
                y_desc: "Conversion (%)",
                categories,
                series: vec![
                    RateSeries {
                        name: "Followed up".into(),
                        colour,
                        bars: analysis
                            .bands
                            .iter()
                            .map(|b| follow_bar(b.low, b.high, &b.when_followed))
                            .collect(),
                    },
                    RateSeries {
                        name: "Not followed up".into(),
                        colour: MUTED,
                        bars: analysis
                            .bands
                            .iter()
                            .map(|b| follow_bar(b.low, b.high, &b.when_not_followed))
                            .collect(),
                    },
                ],
                reference: analysis
                    .sales_ready_follow_up
                    .value()
                    .map(|r| (format!("Sales-ready {r:.2}"), r)),
            },
            "Follow-up",
        );
        let size = chart_size(rng);
        check_svg(ctx, "svg: follow-up by band", &spec, size);
    }
}

fn draw_comparisons(
    ctx: &mut Ctx,
    rng: &mut Rng,
    scenarios: &[Scenario],
    done: &[Done],
    facts: &LeadFacts,
    settings: &ReplaySettings,
) {
    let current = &done[0].replay;
    let threshold = current.figures.threshold;
    let marker = |r: &Replay| GainsPoint {
        leads_share: r.figures.sales_ready_share().unwrap_or(0.0),
        captured: r.figures.captured().unwrap_or(0.0),
    };
    let name = |i: usize| scenarios.get(i).map_or("", |s| s.name.as_str()).to_owned();
    if let Some(spec) = ctx.call("gains charts", || {
        let gains: Vec<Vec<GainsPoint>> = done.iter().map(|d| d.replay.gains()).collect();
        ChartSpec::Gains {
            curves: done
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    gains_curve(
                        &name(i),
                        scenario_colour(i),
                        &gains[i],
                        Some(marker(&d.replay)),
                    )
                })
                .collect(),
            title: gains_finding(&gains[0], Some(marker(current))),
        }
    }) {
        let size = chart_size(rng);
        check_svg(ctx, "svg: gains", &spec, size);
    }
    if let Some(spec) = ctx.call("roc charts", || ChartSpec::Roc {
        curves: done
            .iter()
            .enumerate()
            .map(|(i, d)| {
                roc_curve(
                    &name(i),
                    scenario_colour(i),
                    &d.replay.roc(),
                    d.replay.figures.auc,
                )
            })
            .collect(),
        title: roc_finding(current.figures.auc),
    }) {
        let size = chart_size(rng);
        check_svg(ctx, "svg: roc", &spec, size);
    }
    let Some(curves) = ctx.call("sweep", || {
        done.iter()
            .enumerate()
            .map(|(i, d)| SweepCurve {
                name: name(i),
                colour: scenario_colour(i),
                points: d.replay.sweep(facts, settings),
            })
            .collect::<Vec<_>>()
    }) else {
        return;
    };
    let Some(axis) = ctx.call("sweep_axis", || sweep_axis(&curves, threshold)) else {
        return;
    };
    if axis.0 >= axis.1 {
        ctx.mismatch("sweep axis is not at least one point wide", || {
            format!("{axis:?}")
        });
    }
    let Some(title) = ctx.call("sweep_finding", || {
        sweep_finding(&curves[0].points, threshold)
    }) else {
        return;
    };
    let spec = ChartSpec::Sweep {
        curves,
        threshold,
        title,
    };
    let size = chart_size(rng);
    check_svg(ctx, "svg: sweep", &spec, size);
}

// ---------------------------------------------------------------- round trips

/// Whether two JSON values are equal but for the last digits of numbers.
fn close_values(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || close(x, y, 1e-14),
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| close_values(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| close_values(v, w)))
        }
        _ => a == b,
    }
}

/// "changes it", or "changes a number in its last digits" where that is
/// all that changed.
pub fn how_changed<T: serde::Serialize>(before: &T, after: &T) -> &'static str {
    let (Ok(a), Ok(b)) = (serde_json::to_value(before), serde_json::to_value(after)) else {
        return "changes it";
    };
    if close_values(&a, &b) {
        "changes a number in its last digits"
    } else {
        "changes it"
    }
}

/// Scenarios as a finding's text shows them: name, threshold, and each
/// criterion's switch, points, column and test.
pub fn describe_scenarios(scenarios: &[Scenario]) -> String {
    let mut text = String::new();
    for s in scenarios {
        text.push_str(&format!(
            "scenario {:?}, threshold {}\n",
            s.name, s.threshold
        ));
        for (i, c) in s.criteria.iter().enumerate() {
            text.push_str(&format!(
                "  #{i} enabled={} points={} column={:?} test={:?}\n",
                c.enabled, c.points, c.rule.column, c.rule.test
            ));
        }
    }
    text
}

/// The variant name of an error, for keys that tell error kinds apart.
pub fn variant<E: std::fmt::Debug>(error: &E) -> String {
    let text = format!("{error:?}");
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or("")
        .to_owned()
}

/// `scenario` through the criteria file, the share link and the saved
/// workspace: the three must accept the same scenarios and give each back
/// unchanged. `what` names it in the findings ("starting scenario", …).
pub fn check_round_trips(ctx: &mut Ctx, what: &str, mapping: &ColumnMapping, scenario: &Scenario) {
    let file = CriteriaFile::new(mapping.clone(), vec![scenario.clone()], 0);
    let Some(json) = ctx.call("CriteriaFile::to_json", || file.to_json()) else {
        return;
    };
    let Some(parsed) = ctx.call("CriteriaFile::parse", || CriteriaFile::parse(&json)) else {
        return;
    };
    // The workspace keeps no mapping: it is held to the file without one.
    let unmapped = CriteriaFile::new(ColumnMapping::default(), vec![scenario.clone()], 0);
    let Some(unmapped_json) = ctx.call("CriteriaFile::to_json", || unmapped.to_json()) else {
        return;
    };
    let Some(unmapped) = ctx.call("CriteriaFile::parse", || {
        CriteriaFile::parse(&unmapped_json)
    }) else {
        return;
    };
    let Some(link) = ctx.call("encode_link", || encode_link(&file)) else {
        return;
    };
    // A model too large for a link is refused when the link is made, with
    // a message: the link then never disagrees later.
    let decoded = match &link {
        Ok(link) => match ctx.call("decode_link", || decode_link(link)) {
            Some(decoded) => Some(decoded),
            None => return,
        },
        Err(_) => None,
    };
    let workspace = SavedWorkspace {
        scenarios: vec![scenario.clone()],
        active: 0,
        settings: ReplaySettings::default(),
        made_on: None,
        check: Default::default(),
        attendees: Default::default(),
        log: Default::default(),
    };
    let Some(saved) = ctx.call("SavedWorkspace::to_json", || workspace.to_json()) else {
        return;
    };
    let Some(restored) = ctx.call("SavedWorkspace::parse", || SavedWorkspace::parse(&saved)) else {
        return;
    };
    ctx.stage("round trips");
    if let Some(decoded) = decoded.as_ref().filter(|d| parsed.is_ok() != d.is_ok()) {
        ctx.mismatch(
            &format!("{what}: link and criteria file disagree on accepting it"),
            || {
                format!(
                    "criteria file: {:?}\nlink: {:?}",
                    parsed.as_ref().err(),
                    decoded.as_ref().err()
                )
            },
        );
    }
    if unmapped.is_ok() != restored.is_ok() {
        ctx.mismatch(
            &format!("{what}: workspace and criteria file disagree on accepting it"),
            || {
                format!(
                    "criteria file (without a mapping): {:?}\nworkspace: {:?}",
                    unmapped.as_ref().err(),
                    restored.as_ref().err()
                )
            },
        );
    }
    if let Ok(back) = &parsed {
        if back.scenarios.first() != Some(scenario) || back.mapping != *mapping {
            let how = how_changed(&file, back);
            ctx.mismatch(&format!("{what}: criteria file round trip {how}"), || {
                format!("before {file:?}\nafter {back:?}")
            });
        }
    }
    if let Some(Ok(back)) = &decoded {
        if back.scenarios.first() != Some(scenario) || back.mapping != *mapping {
            let how = how_changed(&file, back);
            ctx.mismatch(&format!("{what}: share link round trip {how}"), || {
                format!("before {file:?}\nafter {back:?}")
            });
        }
    }
    if let Ok(back) = &restored {
        if back.scenarios.first() != Some(scenario) {
            let how = how_changed(&workspace.scenarios, &back.scenarios);
            ctx.mismatch(&format!("{what}: workspace round trip {how}"), || {
                format!(
                    "before {:?}\nafter {:?}",
                    workspace.scenarios, back.scenarios
                )
            });
        }
    }
}
