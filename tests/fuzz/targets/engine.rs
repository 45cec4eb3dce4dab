//! `engine`: random small data sets built directly, with random criteria of
//! every rule kind (extreme points, per-unit rules with negative or zero
//! caps, huge and non-finite numbers), replayed and checked against the
//! naive scorer and the engine's own figures, and now and then counted
//! into the pattern table a warehouse would return, whose figures must be
//! those of the rows.
//!
//! An input is the 8-byte seed of one case; the same seed builds the same
//! case, so a finding's `.bin` is enough to replay it. The builders of
//! random criteria here are also used on loaded files by `csv`.

use fastrand::Rng;

use leadlens::core::criteria::{
    Criterion, CriterionKey, Group, Proposer, Rule, RuleTest, Scenario,
};
use leadlens::core::dataset::{
    Categories, Column, ColumnKind, ColumnValues, DataOrigin, Dataset, Texts,
};
use leadlens::core::engine::ReplaySettings;
use leadlens::core::join::{join, join_summary, JoinError, JoinOutcome, JoinSpec};
use leadlens::core::mapping::ColumnMapping;
use leadlens::core::starting::starting_scenario;

use crate::replay_checks::{check_replays, check_round_trips, describe_scenarios};
use crate::runner::Ctx;

const LABELS: &[&str] = &[
    "Software",
    " Software",
    "software",
    "SOFTWARE ",
    "Finance",
    "Retail",
    "Health",
    "",
    " ",
    "yes",
    "No",
    "TRUE",
    "n",
    "1",
    "0",
    "Closed Won",
    "won",
    "lost",
    "customer",
    "NA",
    "null",
    "ß",
    "İstanbul",
    "Ǆ",
    "é",
    "a,b",
    "\"q\"",
    "%_!",
    "x\u{a0}",
];

const NUMBERS: &[f64] = &[
    0.0,
    -0.0,
    0.5,
    0.999,
    1.0,
    1.5,
    2.0,
    3.0,
    7.0,
    10.0,
    20.0,
    99.0,
    -1.0,
    -2.5,
    1e-300,
    1e15,
    4_294_967_295.0,
    4_294_967_296.0,
    9_007_199_254_740_992.0,
    1e308,
    -1e308,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    f64::NAN,
];

const EXTREME_POINTS: &[i32] = &[
    i32::MIN,
    i32::MAX,
    i32::MIN + 1,
    -100_001,
    -100_000,
    100_000,
    100_001,
    1 << 20,
    -(1 << 20),
    1_073_741_824,
    0,
    1,
    -1,
];

/// Points: usually small, sometimes extreme when `extremes`.
fn points(rng: &mut Rng, extremes: bool) -> i32 {
    if extremes && rng.u8(..4) == 0 {
        EXTREME_POINTS[rng.usize(..EXTREME_POINTS.len())]
    } else {
        rng.i32(-40..=60)
    }
}

fn number(rng: &mut Rng) -> f64 {
    match rng.u8(..4) {
        0 => NUMBERS[rng.usize(..NUMBERS.len())],
        1 => (rng.f64() * 100.0 - 20.0).round() / 4.0,
        _ => f64::from(rng.i32(-3..=30)),
    }
}

/// Values of `column` as the rules see them, to aim rules at real values.
fn present_texts(column: &Column) -> Vec<String> {
    (0..column.len().min(200))
        .filter_map(|r| column.text(r).map(|t| t.into_owned()))
        .collect()
}

fn present_numbers(column: &Column) -> Vec<f64> {
    match &column.values {
        ColumnValues::Number(xs) => xs
            .iter()
            .copied()
            .filter(|x| !x.is_nan())
            .take(200)
            .collect(),
        _ => Vec::new(),
    }
}

/// A number for a comparison on `column`: one of its values, nudged, or an
/// interesting one.
fn threshold_value(rng: &mut Rng, column: Option<&Column>) -> f64 {
    let values = column.map(present_numbers).unwrap_or_default();
    if !values.is_empty() && rng.u8(..4) != 0 {
        let v = values[rng.usize(..values.len())];
        return match rng.u8(..4) {
            0 => v + 0.5,
            1 => v - 1.0,
            _ => v,
        };
    }
    number(rng)
}

/// A random rule test, aimed at `column` when there is one.
pub fn random_test(rng: &mut Rng, column: Option<&Column>, extremes: bool) -> RuleTest {
    let kind = column.map(Column::kind);
    let labels = column.map(present_texts).unwrap_or_default();
    let label = |rng: &mut Rng| -> String {
        if !labels.is_empty() && rng.u8(..4) != 0 {
            let l = labels[rng.usize(..labels.len())].clone();
            match rng.u8(..6) {
                0 => format!(" {l} "),
                1 => l.to_uppercase(),
                _ => l,
            }
        } else {
            LABELS[rng.usize(..LABELS.len())].to_owned()
        }
    };
    // Mostly an operator that fits the column; sometimes any.
    let op = if rng.u8(..5) == 0 || kind.is_none() {
        rng.u8(..12)
    } else {
        let fitting: &[u8] = match kind {
            Some(ColumnKind::Number) => &[2, 3, 4, 11, 11, 0, 8, 9],
            Some(ColumnKind::Boolean) => &[5, 6, 0, 1, 8],
            Some(ColumnKind::Category) => &[0, 1, 7, 8, 9, 5],
            Some(ColumnKind::Date) => &[10, 10, 8, 9, 0],
            _ => &[7, 8, 9, 0, 1],
        };
        fitting[rng.usize(..fitting.len())]
    };
    let unit_points = |rng: &mut Rng| -> i32 {
        if extremes && rng.u8(..3) == 0 {
            EXTREME_POINTS[rng.usize(..EXTREME_POINTS.len())]
        } else {
            rng.i32(-6..=12)
        }
    };
    match op {
        0 | 1 => {
            let values = (0..rng.usize(0..=3)).map(|_| label(rng)).collect();
            if op == 0 {
                RuleTest::AnyOf { values }
            } else {
                RuleTest::NoneOf { values }
            }
        }
        2 => RuleTest::Gte {
            value: threshold_value(rng, column),
        },
        3 => RuleTest::Lte {
            value: threshold_value(rng, column),
        },
        4 => {
            let (a, b) = (threshold_value(rng, column), threshold_value(rng, column));
            let (min, max) = if rng.u8(..6) == 0 || a.partial_cmp(&b).is_none() {
                (a, b)
            } else {
                (a.min(b), a.max(b))
            };
            RuleTest::Between { min, max }
        }
        5 => RuleTest::IsTrue,
        6 => RuleTest::IsFalse,
        7 => {
            let l = label(rng);
            let value = match rng.u8(..4) {
                0 => l.chars().skip(1).take(3).collect(),
                1 => l.to_lowercase(),
                _ => l,
            };
            RuleTest::Contains { value }
        }
        8 => RuleTest::Empty,
        9 => RuleTest::NotEmpty,
        10 => RuleTest::WithinDays {
            days: [0, 1, 7, 30, 90, 365, 10_000, u32::MAX, rng.u32(..)][rng.usize(..9)],
        },
        _ => RuleTest::PerUnit {
            points_per_unit: unit_points(rng),
            max_points: unit_points(rng),
        },
    }
}

/// A random criterion on one of `data`'s columns (now and then a column
/// the data lacks).
pub fn random_criterion(rng: &mut Rng, data: &Dataset, extremes: bool) -> Criterion {
    let columns = data.columns();
    let column = if columns.is_empty() || rng.u8(..16) == 0 {
        None
    } else {
        Some(&columns[rng.usize(..columns.len())])
    };
    let name = column.map_or_else(|| "No such column".to_owned(), |c| c.name.clone());
    let test = random_test(rng, column, extremes);
    Criterion {
        label: format!("{} {}", test.op_name(), name),
        group: if rng.bool() {
            Group::Fit
        } else {
            Group::Engagement
        },
        proposed_by: [Proposer::Marketing, Proposer::Sales, Proposer::Both][rng.usize(..3)],
        points: points(rng, extremes),
        enabled: rng.u8(..8) != 0,
        rationale: if rng.u8(..4) == 0 {
            "because".into()
        } else {
            String::new()
        },
        key: CriterionKey::default(),
        rule: Rule { column: name, test },
        sign_off: Default::default(),
    }
}

/// A random scenario on `data`'s columns.
pub fn random_scenario(rng: &mut Rng, data: &Dataset, name: &str, extremes: bool) -> Scenario {
    let count = match rng.u8(..16) {
        0 => 0,
        1 => rng.usize(9..=30),
        _ => rng.usize(1..=8),
    };
    let threshold = if extremes && rng.u8(..6) == 0 {
        EXTREME_POINTS[rng.usize(..EXTREME_POINTS.len())]
    } else {
        rng.i32(-30..=80)
    };
    Scenario {
        name: name.to_owned(),
        threshold,
        criteria: (0..count)
            .map(|_| random_criterion(rng, data, extremes))
            .collect(),
        grid: Default::default(),
        agreement: Default::default(),
    }
}

/// Changes `rule` a little: its operator's arguments, its operator, or its
/// column.
pub fn edit_rule(rng: &mut Rng, rule: &mut Rule, columns: &[&str]) {
    match rng.u8(..4) {
        0 if !columns.is_empty() => rule.column = columns[rng.usize(..columns.len())].to_owned(),
        1 => rule.test = random_test(rng, None, true),
        _ => match &mut rule.test {
            RuleTest::Gte { value } | RuleTest::Lte { value } => *value += 1.0,
            RuleTest::Between { min, .. } => *min -= 2.0,
            RuleTest::PerUnit {
                points_per_unit,
                max_points,
            } => {
                *points_per_unit = points_per_unit.wrapping_add(1);
                *max_points = max_points.wrapping_sub(3);
            }
            RuleTest::WithinDays { days } => *days = days.wrapping_add(5),
            RuleTest::AnyOf { values } | RuleTest::NoneOf { values } => {
                values.push("Retail".into())
            }
            RuleTest::Contains { value } => value.push('e'),
            RuleTest::IsTrue => rule.test = RuleTest::IsFalse,
            RuleTest::IsFalse => rule.test = RuleTest::Empty,
            RuleTest::Empty => rule.test = RuleTest::NotEmpty,
            RuleTest::NotEmpty => rule.test = RuleTest::IsTrue,
        },
    }
}

// ---------------------------------------------------------------- cases

fn random_column(rng: &mut Rng, name: String, kind: ColumnKind, rows: usize) -> Column {
    let missing = |rng: &mut Rng| rng.u8(..8) == 0;
    let values = match kind {
        ColumnKind::Number => ColumnValues::Number(
            (0..rows)
                .map(|_| if missing(rng) { f64::NAN } else { number(rng) })
                .collect(),
        ),
        ColumnKind::Boolean => ColumnValues::Boolean(
            (0..rows)
                .map(|_| (!missing(rng)).then(|| rng.bool()))
                .collect(),
        ),
        ColumnKind::Category => {
            let pool: Vec<&str> = (0..rng.usize(1..=5))
                .map(|_| LABELS[rng.usize(..LABELS.len())])
                .collect();
            let picks: Vec<Option<&str>> = (0..rows)
                .map(|_| (!missing(rng)).then(|| pool[rng.usize(..pool.len())]))
                .collect();
            ColumnValues::Category(Categories::from_values(picks))
        }
        ColumnKind::Time => ColumnValues::Time(
            (0..rows)
                .map(|_| (!missing(rng)).then(|| rng.u32(..86_400)))
                .collect(),
        ),
        ColumnKind::Date => {
            let base = 1_700_000_000i64;
            let wide = rng.u8(..8) == 0;
            ColumnValues::Date(
                (0..rows)
                    .map(|_| {
                        (!missing(rng)).then(|| {
                            if wide && rng.bool() {
                                rng.i64(-62_135_596_800..=253_402_300_799)
                            } else {
                                base + rng.i64(-400..=400) * 86_400 + rng.i64(0..86_400)
                            }
                        })
                    })
                    .collect(),
            )
        }
        ColumnKind::Text => {
            let texts: Vec<Option<String>> = (0..rows)
                .map(|r| {
                    (!missing(rng)).then(|| {
                        format!(
                            "{} note {r} {}",
                            LABELS[rng.usize(..LABELS.len())],
                            LABELS[rng.usize(..LABELS.len())]
                        )
                    })
                })
                .collect();
            ColumnValues::Text(Texts::from_values(texts.iter().map(|t| t.as_deref())))
        }
    };
    Column::new(name, values)
}

/// A random data set with an outcome column, and a mapping for it.
fn random_case(rng: &mut Rng) -> (Dataset, ColumnMapping) {
    let rows = match rng.u8(..16) {
        0 => 0,
        1 => 1,
        2..=3 => rng.usize(40..=300),
        _ => rng.usize(2..=40),
    };
    let mut columns = Vec::new();
    // The outcome.
    let outcome_kind = [
        ColumnKind::Boolean,
        ColumnKind::Category,
        ColumnKind::Number,
    ][rng.usize(..3)];
    let outcome = match outcome_kind {
        ColumnKind::Boolean => random_column(rng, "Converted".into(), ColumnKind::Boolean, rows),
        ColumnKind::Category => {
            let statuses = ["Closed Won", "Closed Lost", "Open", "won", ""];
            let picks: Vec<Option<&str>> = (0..rows)
                .map(|_| (rng.u8(..10) != 0).then(|| statuses[rng.usize(..statuses.len())]))
                .collect();
            Column::new(
                "Converted",
                ColumnValues::Category(Categories::from_values(picks)),
            )
        }
        _ => Column::new(
            "Converted",
            ColumnValues::Number((0..rows).map(|_| f64::from(rng.u8(..2))).collect()),
        ),
    };
    columns.push(outcome);
    let names = [
        "Industry",
        "Page views",
        "Deal value",
        "Created",
        "First touch",
        "Followed up",
        "Response hours",
        "Owner",
        "Notes",
        "Score",
        "Demo requested",
        "Email",
        "Seniority",
    ];
    let kinds = ColumnKind::ALL;
    for i in 0..rng.usize(1..=7) {
        let name = format!("{} {i}", names[rng.usize(..names.len())]);
        let kind = kinds[rng.usize(..kinds.len())];
        columns.push(random_column(rng, name, kind, rows));
    }
    let of_kind = |rng: &mut Rng, columns: &[Column], kind: Option<ColumnKind>| -> Option<String> {
        let fitting: Vec<&Column> = columns
            .iter()
            .filter(|c| kind.is_none_or(|k| c.kind() == k))
            .collect();
        match rng.u8(..10) {
            0 => Some("missing column".to_owned()),
            1..=3 => None,
            _ if fitting.is_empty() => None,
            _ => Some(fitting[rng.usize(..fitting.len())].name.clone()),
        }
    };
    let converted_values = match rng.u8(..4) {
        0 => vec!["won".into(), "Closed Won".into()],
        1 => vec!["1".into()],
        2 => vec![LABELS[rng.usize(..LABELS.len())].to_owned()],
        _ => Vec::new(),
    };
    let mapping = ColumnMapping {
        outcome: Some(if rng.u8(..32) == 0 {
            "missing column".into()
        } else {
            "Converted".into()
        }),
        converted_values,
        followed_up: of_kind(rng, &columns, None),
        response_hours: of_kind(rng, &columns, Some(ColumnKind::Number)),
        first_touch: of_kind(rng, &columns, Some(ColumnKind::Date)),
        created: of_kind(rng, &columns, Some(ColumnKind::Date)),
        deal_value: of_kind(rng, &columns, Some(ColumnKind::Number)),
        owner: of_kind(rng, &columns, None),
        lead_id: of_kind(rng, &columns, None),
        known_after: of_kind(rng, &columns, None).into_iter().collect(),
        derived: Vec::new(),
        join: None,
    };
    let data = Dataset::new("engine case", DataOrigin::File, columns)
        .expect("the column names are distinct");
    (data, mapping)
}

/// The case, written out for a finding.
fn describe(data: &Dataset, mapping: &ColumnMapping, scenarios: &[Scenario]) -> String {
    let mut text = format!("rows {}\ncolumns:\n", data.row_count());
    for column in data.columns() {
        let values: Vec<String> = (0..column.len().min(60))
            .map(|r| match &column.values {
                ColumnValues::Number(xs) => format!("{:?}", xs[r]),
                ColumnValues::Boolean(bs) => format!("{:?}", bs[r]),
                ColumnValues::Date(ds) => format!("{:?}", ds[r]),
                _ => format!("{:?}", column.text(r)),
            })
            .collect();
        text.push_str(&format!(
            "  {:?} ({}): [{}]{}\n",
            column.name,
            column.kind(),
            values.join(", "),
            if column.len() > 60 { " …" } else { "" }
        ));
    }
    text.push_str(&format!("mapping: {mapping:?}\n"));
    text.push_str(&describe_scenarios(scenarios));
    text
}

/// The written cases of earlier findings, run first in every run.
/// A key as a reader of the join's rules would compare it, worked out
/// here on its own: trimmed, lower-cased, nothing when empty.
fn naive_key(column: &Column, row: usize) -> Option<String> {
    let text = column.text(row)?;
    let key = text.trim().to_lowercase();
    (!key.is_empty()).then_some(key)
}

/// Joins `rows` to the leads on random columns and checks the counts and
/// the added outcome against a pairwise comparison of every key.
fn check_join(ctx: &mut Ctx, rng: &mut Rng, leads: &Dataset, rows: &Dataset) {
    let pick = |rng: &mut Rng, data: &Dataset| {
        let columns = data.columns();
        columns[rng.usize(..columns.len())].name.clone()
    };
    let lead_key = pick(rng, leads);
    let row_key = pick(rng, rows);
    let other = pick(rng, rows);
    let outcome = match rng.u8(..3) {
        0 => JoinOutcome::Matched,
        1 => JoinOutcome::Present { column: other },
        _ => {
            let column = rows.column(&other).expect("picked");
            let values = (0..column.len().min(3))
                .filter_map(|r| column.text(r).map(|t| t.into_owned()))
                .collect();
            JoinOutcome::OneOf {
                column: other,
                values,
            }
        }
    };
    let spec = JoinSpec {
        file: "second.csv".into(),
        lead_key,
        row_key,
        outcome,
        deal_value: None,
        close_date: None,
        owner: None,
    };
    let Some(result) = ctx.call("join", || join(leads, rows, &spec)) else {
        return;
    };
    let joined = match result {
        Ok(joined) => joined,
        Err(JoinError::NoRows) if rows.row_count() == 0 => return,
        Err(why) => {
            ctx.mismatch("a join of existing columns was refused", || {
                format!("{spec:?}: {why}")
            });
            return;
        }
    };
    let lead_col = leads.column(&spec.lead_key).expect("picked");
    let row_col = rows.column(&spec.row_key).expect("picked");
    let lead_keys: Vec<Option<String>> = (0..leads.row_count())
        .map(|r| naive_key(lead_col, r))
        .collect();
    let row_keys: Vec<Option<String>> = (0..rows.row_count())
        .map(|r| naive_key(row_col, r))
        .collect();
    let meets = |row: usize| match &spec.outcome {
        JoinOutcome::Matched => true,
        JoinOutcome::Present { column } => !rows.column(column).expect("picked").is_missing(row),
        JoinOutcome::OneOf { column, values } => {
            let wanted: Vec<String> = values
                .iter()
                .map(|v| v.trim().to_lowercase())
                .filter(|v| !v.is_empty())
                .collect();
            naive_key(rows.column(column).expect("picked"), row)
                .is_some_and(|k| wanted.contains(&k))
        }
    };
    let mut matched = 0;
    let mut several = 0;
    let mut converted = Vec::with_capacity(leads.row_count());
    for key in &lead_keys {
        let hits: Vec<usize> = (0..row_keys.len())
            .filter(|&r| key.is_some() && row_keys[r] == *key)
            .collect();
        matched += usize::from(!hits.is_empty());
        several += usize::from(hits.len() > 1);
        converted.push(Some(hits.iter().any(|&r| meets(r))));
    }
    let unmatched = (0..row_keys.len())
        .filter(|&r| row_keys[r].is_some() && !lead_keys.contains(&row_keys[r]))
        .count();
    let s = joined.columns.summary;
    let counted = (s.leads_matched, s.leads_with_several_rows, s.rows_unmatched);
    if counted != (matched, several, unmatched) {
        ctx.mismatch(
            "the join's counts differ from a pairwise comparison",
            || {
                format!(
                    "{spec:?}: counted {counted:?}, pairwise {:?}",
                    (matched, several, unmatched)
                )
            },
        );
    }
    let added = joined
        .data
        .column(&joined.columns.outcome)
        .map(|c| c.values.clone());
    if added != Some(ColumnValues::Boolean(converted.clone())) {
        ctx.mismatch(
            "the joined outcome differs from a pairwise comparison",
            || format!("{spec:?}: joined {added:?}, pairwise {converted:?}"),
        );
    }
    if joined.data.row_count() != leads.row_count() {
        ctx.mismatch("a join changed the number of leads", || format!("{spec:?}"));
    }
    if let Some(Ok(summary)) = ctx.call("join_summary", || join_summary(leads, rows, &spec)) {
        if summary != s {
            ctx.mismatch("the join's summary alone differs from the join's", || {
                format!("{spec:?}: {summary:?} against {s:?}")
            });
        }
    }
}

pub fn seeds() -> Vec<crate::corpus::Seed> {
    crate::corpus::files("fuzz/engine", &[".txt"])
}

/// A finding's minimised case, written out as text
/// (`tests/fixtures/fuzz/engine/`): its one scenario and the starting
/// point, through every check, charts drawn.
fn run_written(input: &[u8], ctx: &mut Ctx) -> bool {
    let case = match crate::case_text::parse(input) {
        Ok(case) => case,
        Err(why) => {
            ctx.mismatch("a written engine case cannot be read", || why);
            return false;
        }
    };
    let mut rng = Rng::with_seed(case.aux_seed);
    let mut scenarios = vec![case.scenario];
    if let Some(Ok(outcomes)) = ctx.call("ColumnMapping::outcomes", || {
        case.mapping.outcomes(&case.data)
    }) {
        if let Some(start) = ctx.call("starting_scenario", || {
            starting_scenario(&case.data, &case.mapping, &outcomes, "Starting point")
        }) {
            scenarios.push(start);
        }
    }
    for s in &scenarios {
        check_round_trips(ctx, "written scenario", &case.mapping, s);
    }
    let settings = ReplaySettings { reps: case.reps };
    check_replays(
        ctx,
        &mut rng,
        &case.data,
        &case.mapping,
        &scenarios,
        &settings,
        true,
    );
    ctx.annotate(|| describe(&case.data, &case.mapping, &scenarios));
    true
}

pub fn run(input: &[u8], ctx: &mut Ctx) -> bool {
    if crate::case_text::is_written(input) {
        return run_written(input, ctx);
    }
    let mut seed = [0u8; 8];
    for (i, &b) in input.iter().take(8).enumerate() {
        seed[i] = b;
    }
    let mut rng = Rng::with_seed(u64::from_le_bytes(seed));
    let Some((data, mapping)) = ctx.call("build the case", || random_case(&mut rng)) else {
        return false;
    };
    let mut scenarios: Vec<Scenario> = (0..rng.usize(1..=3))
        .map(|i| random_scenario(&mut rng, &data, &format!("Scenario {}", i + 1), true))
        .collect();
    let settings = ReplaySettings {
        reps: if rng.u8(..8) == 0 {
            100_000
        } else {
            rng.u32(1..=20)
        },
    };
    if let Some(Ok(outcomes)) = ctx.call("ColumnMapping::outcomes", || mapping.outcomes(&data)) {
        if let Some(start) = ctx.call("starting_scenario", || {
            starting_scenario(&data, &mapping, &outcomes, "Starting point")
        }) {
            check_round_trips(ctx, "starting scenario", &mapping, &start);
            scenarios.push(start);
        }
    }
    for s in &scenarios {
        check_round_trips(ctx, "random scenario", &mapping, s);
    }
    let draw = rng.u8(..4) == 0;
    check_replays(ctx, &mut rng, &data, &mapping, &scenarios, &settings, draw);
    if rng.u8(..3) == 0 {
        crate::targets::patterns_check::check_patterns(ctx, &data, &mapping, &scenarios, &settings);
    }
    if rng.u8(..4) == 0 {
        if let Some((rows, _)) = ctx.call("build the second file", || random_case(&mut rng)) {
            check_join(ctx, &mut rng, &data, &rows);
        }
    }
    ctx.annotate(|| describe(&data, &mapping, &scenarios));
    true
}
