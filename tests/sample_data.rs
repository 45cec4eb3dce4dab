//! The built-in sample behaves like real leads: checks on the relationships
//! the generator promises, measured on the generated data itself.

use leadlens::core::dataset::{ColumnValues, Dataset};
use leadlens::core::metrics::Rate;
use leadlens::core::sample::{
    generate, sample_dataset, sample_mapping, sample_scenario, SAMPLE_LEADS,
};
use leadlens::core::scoring::{evaluate_criteria, score_leads};

fn booleans(data: &Dataset, name: &str) -> Vec<bool> {
    match &data.column(name).expect("column exists").values {
        ColumnValues::Boolean(v) => v.iter().map(|b| b.unwrap_or(false)).collect(),
        other => panic!("{name} is not boolean: {other:?}"),
    }
}

fn numbers<'a>(data: &'a Dataset, name: &str) -> &'a [f64] {
    match &data.column(name).expect("column exists").values {
        ColumnValues::Number(v) => v,
        other => panic!("{name} is not a number column: {other:?}"),
    }
}

fn rate_where(outcomes: &[bool], keep: impl Fn(usize) -> bool) -> Rate {
    let mut rate = Rate::default();
    for (row, &converted) in outcomes.iter().enumerate() {
        if keep(row) {
            rate.leads += 1;
            rate.converted += usize::from(converted);
        }
    }
    rate
}

fn value(rate: Rate) -> f64 {
    rate.value().expect("non-empty group")
}

#[test]
fn sample_is_deterministic_and_sized() {
    let a = sample_dataset();
    assert_eq!(a.row_count(), SAMPLE_LEADS);
    // Compared through Debug: missing numbers are NaN, which is never == NaN.
    let fingerprint = |d: &Dataset| format!("{d:?}");
    assert_eq!(fingerprint(&a), fingerprint(&sample_dataset()));
    assert_ne!(
        fingerprint(&generate(200, 1)),
        fingerprint(&generate(200, 2))
    );
}

#[test]
fn overall_conversion_is_believable() {
    let data = sample_dataset();
    let converted = sample_mapping().outcomes(&data).unwrap();
    let rate = value(rate_where(&converted, |_| true));
    assert!((0.06..0.20).contains(&rate), "overall conversion {rate}");
}

#[test]
fn demo_requests_and_page_views_raise_conversion() {
    let data = sample_dataset();
    let converted = sample_mapping().outcomes(&data).unwrap();
    let demo = booleans(&data, "Demo requested");
    let with_demo = value(rate_where(&converted, |r| demo[r]));
    let without = value(rate_where(&converted, |r| !demo[r]));
    assert!(with_demo > 2.0 * without, "{with_demo} vs {without}");

    let views = numbers(&data, "Page views");
    let busy = value(rate_where(&converted, |r| views[r] >= 8.0));
    let idle = value(rate_where(&converted, |r| views[r] <= 1.0));
    assert!(busy > 1.5 * idle, "{busy} vs {idle}");
}

#[test]
fn follow_up_is_partial_and_cherry_picks_obvious_leads() {
    let data = sample_dataset();
    let followed = booleans(&data, "Followed up");
    let demo = booleans(&data, "Demo requested");
    let share = followed.iter().filter(|&&f| f).count() as f64 / followed.len() as f64;
    assert!((0.30..=0.45).contains(&share), "follow-up share {share}");
    let rate_followed = value(rate_where(&followed, |r| demo[r]));
    let rate_not = value(rate_where(&followed, |r| !demo[r]));
    assert!(
        rate_followed > rate_not + 0.2,
        "{rate_followed} vs {rate_not}"
    );
}

#[test]
fn conversion_falls_as_response_slows() {
    let data = sample_dataset();
    let converted = sample_mapping().outcomes(&data).unwrap();
    let hours = numbers(&data, "Response hours");
    let fast = value(rate_where(&converted, |r| hours[r] <= 2.0));
    let slow = value(rate_where(&converted, |r| hours[r] > 48.0));
    assert!(fast > 1.5 * slow, "fast {fast} vs slow {slow}");
    // Response hours exist exactly for followed-up leads.
    let followed = booleans(&data, "Followed up");
    assert!(hours.iter().zip(&followed).all(|(h, &f)| h.is_nan() != f));
}

#[test]
fn deal_values_exist_only_for_conversions() {
    let data = sample_dataset();
    let converted = sample_mapping().outcomes(&data).unwrap();
    let deals = numbers(&data, "Deal value");
    assert!(deals.iter().zip(&converted).all(|(d, &c)| d.is_nan() != c));
    assert!(deals.iter().filter(|d| !d.is_nan()).all(|&d| d > 0.0));
}

#[test]
fn default_scenario_applies_cleanly_and_separates_leads() {
    let data = sample_dataset();
    let scenario = sample_scenario();
    let evaluations = evaluate_criteria(&data, &scenario.criteria);
    for (criterion, evaluation) in scenario.criteria.iter().zip(&evaluations) {
        assert!(evaluation.is_ok(), "{}: {:?}", criterion.label, evaluation);
    }
    let scores = score_leads(data.row_count(), &scenario.criteria, &evaluations);
    let outcomes = sample_mapping().outcomes(&data).unwrap();
    let replay = leadlens::core::metrics::key_figures(&scores, &outcomes, scenario.threshold);
    let share = replay.sales_ready_share().unwrap();
    assert!((0.05..0.5).contains(&share), "sales-ready share {share}");
    assert!(replay.lift().unwrap() > 1.5, "lift {:?}", replay.lift());
    assert!(replay.auc.unwrap() > 0.65, "auc {:?}", replay.auc);
    eprintln!(
        "sample: {} leads, {:.1}% converted, {} sales-ready, lift {:.2}, AUC {:.3}",
        replay.leads,
        100.0 * replay.overall().value().unwrap(),
        replay.sales_ready.leads,
        replay.lift().unwrap(),
        replay.auc.unwrap()
    );
}
