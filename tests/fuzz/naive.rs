//! A naive scorer written from the specification, sharing no code with the
//! engine or `scoring.rs`: each lead's score is worked out criterion by
//! criterion, straight from the column values, and summed exactly.
//!
//! The scoring rule itself is [`contribution`] and [`score`]; everything
//! else here only decides whether a rule matches a lead.

use std::collections::BTreeMap;

use leadlens::core::criteria::{Criterion, Rule, RuleTest, Scenario};
use leadlens::core::dataset::{Column, ColumnKind, ColumnValues, Dataset};

// ---------------------------------------------------------------- the rule

/// What one criterion may add to or take from a score, at most.
pub const MAX_POINTS: i128 = 100_000;

/// What a criterion's rule sees of one lead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Seen {
    /// The rule cannot be applied to its column (missing, or of a kind the
    /// operator does not read): the criterion adds nothing.
    NotApplicable,
    /// A plain rule matches the lead, or not.
    Match(bool),
    /// A per-unit rule's value (NaN where missing).
    Value(f64),
}

/// THE SCORING RULE the engine is held to: what `criterion` adds to the
/// score of a lead its rule sees as `seen`.
///
/// - Disabled or not applicable: nothing.
/// - A plain rule: its `points` on a match, clamped to ±[`MAX_POINTS`].
/// - `per_unit`: nothing for a missing or negative value, or one below a
///   whole unit; otherwise `min(max_points, points_per_unit × floor(value))`
///   clamped to ±[`MAX_POINTS`] (its `points` field is not used).
pub fn contribution(criterion: &Criterion, seen: Seen) -> i128 {
    if !criterion.enabled {
        return 0;
    }
    match (&criterion.rule.test, seen) {
        (_, Seen::NotApplicable) => 0,
        (
            RuleTest::PerUnit {
                points_per_unit,
                max_points,
            },
            Seen::Value(value),
        ) => {
            let units = whole_units(value);
            if units < 1 {
                return 0;
            }
            (i128::from(*points_per_unit) * units)
                .min(i128::from(*max_points))
                .clamp(-MAX_POINTS, MAX_POINTS)
        }
        (_, Seen::Match(true)) => i128::from(criterion.points).clamp(-MAX_POINTS, MAX_POINTS),
        _ => 0,
    }
}

/// A lead's score from its criteria's contributions: the exact sum,
/// clamped to the `i32` range. A lead is sales-ready when its score is at
/// least the threshold.
pub fn score(contributions: impl IntoIterator<Item = i128>) -> i32 {
    let sum: i128 = contributions.into_iter().sum();
    sum.clamp(i128::from(i32::MIN), i128::from(i32::MAX)) as i32
}

/// Whether a per-unit rule fires (counts as matched in the evidence): the
/// value holds at least one whole unit.
pub fn per_unit_fires(value: f64) -> bool {
    whole_units(value) >= 1
}

/// `floor(value)` for a present value of one or more, else 0. Capped at
/// 2^40: beyond that every result is clamped the same way.
pub fn whole_units(value: f64) -> i128 {
    if value >= 1.0 {
        value.floor().min(1_099_511_627_776.0) as i128
    } else {
        0
    }
}

// ---------------------------------------------------------------- matching

/// Whether an operator can be applied to a column of `kind` at all.
pub fn applicable(test: &RuleTest, kind: ColumnKind) -> bool {
    match test {
        RuleTest::Empty | RuleTest::NotEmpty => true,
        // A time of day is only there or not.
        RuleTest::AnyOf { .. } | RuleTest::NoneOf { .. } => kind != ColumnKind::Time,
        RuleTest::Gte { .. }
        | RuleTest::Lte { .. }
        | RuleTest::Between { .. }
        | RuleTest::PerUnit { .. } => kind == ColumnKind::Number,
        RuleTest::IsTrue | RuleTest::IsFalse => {
            !matches!(kind, ColumnKind::Date | ColumnKind::Time)
        }
        RuleTest::Contains { .. } => matches!(kind, ColumnKind::Category | ColumnKind::Text),
        RuleTest::WithinDays { .. } => kind == ColumnKind::Date,
    }
}

/// yes/no, true/false, y/n and 1/0 in any case, around spaces.
pub fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "y" | "1" => Some(true),
        "no" | "false" | "n" | "0" => Some(false),
        _ => None,
    }
}

/// One rule, ready to be asked about each lead.
pub struct NaiveRule<'a> {
    column: Option<&'a Column>,
    test: &'a RuleTest,
    /// The latest date in the column, for `within_days`.
    latest: Option<i64>,
}

impl<'a> NaiveRule<'a> {
    pub fn new(data: &'a Dataset, rule: &'a Rule) -> Self {
        let column = data
            .column(&rule.column)
            .filter(|c| applicable(&rule.test, c.kind()));
        let latest = match column.map(|c| &c.values) {
            Some(ColumnValues::Date(dates)) => dates.iter().flatten().copied().max(),
            _ => None,
        };
        NaiveRule {
            column,
            test: &rule.test,
            latest,
        }
    }

    pub fn applicable(&self) -> bool {
        self.column.is_some()
    }

    pub fn seen(&self, row: usize) -> Seen {
        let Some(column) = self.column else {
            return Seen::NotApplicable;
        };
        let number = || match &column.values {
            ColumnValues::Number(xs) => xs[row],
            _ => f64::NAN,
        };
        let matched = match self.test {
            RuleTest::PerUnit { .. } => return Seen::Value(number()),
            RuleTest::AnyOf { values } | RuleTest::NoneOf { values } => {
                let listed = column
                    .text(row)
                    .map(|text| values.iter().any(|v| v.trim() == text.trim()));
                match (self.test, listed) {
                    (RuleTest::AnyOf { .. }, listed) => listed == Some(true),
                    (_, listed) => listed != Some(true),
                }
            }
            RuleTest::Gte { value } => number() >= *value,
            RuleTest::Lte { value } => number() <= *value,
            RuleTest::Between { min, max } => {
                let x = number();
                x >= *min && x <= *max
            }
            RuleTest::IsTrue | RuleTest::IsFalse => {
                let want = matches!(self.test, RuleTest::IsTrue);
                let value = match &column.values {
                    ColumnValues::Boolean(bs) => bs[row],
                    _ => column.text(row).and_then(|t| yes_no(&t)),
                };
                value == Some(want)
            }
            RuleTest::Contains { value } => {
                let needle = value.to_lowercase();
                column
                    .text(row)
                    .is_some_and(|t| t.to_lowercase().contains(&needle))
            }
            RuleTest::Empty => column.is_missing(row),
            RuleTest::NotEmpty => !column.is_missing(row),
            RuleTest::WithinDays { days } => {
                let date = match &column.values {
                    ColumnValues::Date(dates) => dates[row],
                    _ => None,
                };
                match (date, self.latest) {
                    (Some(t), Some(latest)) => {
                        i128::from(t) >= i128::from(latest) - i128::from(*days) * 86_400
                    }
                    _ => false,
                }
            }
        };
        Seen::Match(matched)
    }
}

/// Whether a criterion's rule fires for a lead it sees as `seen`.
pub fn fires(seen: Seen) -> bool {
    match seen {
        Seen::NotApplicable => false,
        Seen::Match(m) => m,
        Seen::Value(v) => per_unit_fires(v),
    }
}

// ---------------------------------------------------------------- replay

/// A scenario scored the naive way.
pub struct NaiveReplay {
    pub scores: Vec<i32>,
    /// Per criterion, per lead: what it adds.
    pub contributions: Vec<Vec<i128>>,
    /// Per criterion, per lead: whether its rule fires.
    pub fires: Vec<Vec<bool>>,
    /// Per criterion: the per-unit value (or NaN), for explaining findings.
    pub values: Vec<Vec<f64>>,
    pub applicable: Vec<bool>,
}

impl NaiveReplay {
    pub fn new(data: &Dataset, scenario: &Scenario) -> NaiveReplay {
        let rows = data.row_count();
        let mut contributions = Vec::new();
        let mut fired = Vec::new();
        let mut values = Vec::new();
        let mut applicable = Vec::new();
        for criterion in &scenario.criteria {
            let rule = NaiveRule::new(data, &criterion.rule);
            applicable.push(rule.applicable());
            let seen: Vec<Seen> = (0..rows).map(|row| rule.seen(row)).collect();
            contributions.push(seen.iter().map(|&s| contribution(criterion, s)).collect());
            fired.push(seen.iter().map(|&s| fires(s)).collect());
            values.push(
                seen.iter()
                    .map(|s| match s {
                        Seen::Value(v) => *v,
                        _ => f64::NAN,
                    })
                    .collect(),
            );
        }
        let scores = (0..rows)
            .map(|row| score(contributions.iter().map(|c: &Vec<i128>| c[row])))
            .collect();
        NaiveReplay {
            scores,
            contributions,
            fires: fired,
            values,
            applicable,
        }
    }

    /// Sales-ready leads and conversions among them, and the rest.
    pub fn split(&self, outcomes: &[bool], threshold: i32) -> ((usize, usize), (usize, usize)) {
        let (mut ready, mut rest) = ((0, 0), (0, 0));
        for (&s, &converted) in self.scores.iter().zip(outcomes) {
            let bucket = if s >= threshold {
                &mut ready
            } else {
                &mut rest
            };
            bucket.0 += 1;
            bucket.1 += usize::from(converted);
        }
        (ready, rest)
    }
}

/// The area under the ROC curve of `scores`, ties counted as half; `None`
/// without both outcomes.
pub fn auc(scores: &[i32], outcomes: &[bool]) -> Option<f64> {
    let mut by_score: BTreeMap<i32, (u64, u64)> = BTreeMap::new();
    for (&s, &y) in scores.iter().zip(outcomes) {
        let cell = by_score.entry(s).or_default();
        if y {
            cell.0 += 1;
        } else {
            cell.1 += 1;
        }
    }
    let positives: u64 = by_score.values().map(|c| c.0).sum();
    let negatives: u64 = by_score.values().map(|c| c.1).sum();
    if positives == 0 || negatives == 0 {
        return None;
    }
    let (mut below, mut wins) = (0u64, 0f64);
    for &(pos, neg) in by_score.values() {
        wins += pos as f64 * (below as f64 + neg as f64 / 2.0);
        below += neg;
    }
    Some(wins / (positives as f64 * negatives as f64))
}
