//! Turning criteria into scores.
//!
//! Scoring happens in two steps. [`evaluate_rule`] scans one column once and
//! records which leads the rule matches (or, for a per-unit rule, how many
//! units each lead has). [`score_leads`] then adds points over those stored
//! matches. A change of points or threshold re-runs only the cheap second
//! step; only a changed rule needs its column scanned again.

use std::fmt;

use fixedbitset::FixedBitSet;

use super::criteria::{score_of_sum, Criterion, Rule, RuleTest};
use super::dataset::{ColumnKind, ColumnValues, Dataset};

const SECONDS_PER_DAY: i64 = 86_400;

pub use super::ingest::values::parse_bool;

/// What a rule found in the data.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleEffect {
    /// The leads the rule matches.
    Matches(FixedBitSet),
    /// Per lead, `floor(value)` for values of zero or more, else 0.
    Units(Vec<u32>),
}

impl RuleEffect {
    /// What the rule found for the lead in `row`: 1 or 0 for a match,
    /// the whole units of a per-unit rule; what
    /// [`Criterion::contribution`] turns into points.
    #[inline]
    pub fn units(&self, row: usize) -> u32 {
        match self {
            RuleEffect::Matches(set) => u32::from(set.contains(row)),
            RuleEffect::Units(units) => units[row],
        }
    }

    /// How many leads the rule fires for.
    pub fn firing_count(&self) -> usize {
        match self {
            RuleEffect::Matches(set) => set.count_ones(..),
            RuleEffect::Units(units) => units.iter().filter(|&&u| u > 0).count(),
        }
    }

    /// Whether the rule fires for the lead in `row`: it matches, or the
    /// lead has at least one unit.
    pub fn fires(&self, row: usize) -> bool {
        match self {
            RuleEffect::Matches(set) => set.contains(row),
            RuleEffect::Units(units) => units[row] > 0,
        }
    }
}

/// Why a rule cannot be applied to the loaded data; the criterion is then
/// shown as inactive and adds nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleProblem {
    MissingColumn {
        column: String,
    },
    WrongKind {
        column: String,
        op: &'static str,
        found: ColumnKind,
    },
    /// Aggregated data (a pattern table) has no column for the rule: it was
    /// added or edited after the pattern query ran.
    NotInPatternTable {
        column: String,
    },
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleProblem::MissingColumn { column } => {
                write!(f, "the data has no column '{column}'")
            }
            RuleProblem::WrongKind { column, op, found } => write!(
                f,
                "'{op}' cannot be applied to '{column}', which holds {} values",
                found.label()
            ),
            RuleProblem::NotInPatternTable { column } => write!(
                f,
                "the pattern table was computed without this rule on '{column}': \
                 re-run the updated pattern query (SQL for the warehouse) and load its result"
            ),
        }
    }
}

impl std::error::Error for RuleProblem {}

/// The rows in `0..rows` that `keep` selects, built a machine word at a
/// time.
#[inline]
fn matches_where(rows: usize, keep: impl Fn(usize) -> bool) -> RuleEffect {
    let bits = usize::BITS as usize;
    let blocks = (0..rows.div_ceil(bits)).map(|block| {
        let start = block * bits;
        (start..rows.min(start + bits)).fold(0usize, |word, row| {
            word | usize::from(keep(row)) << (row - start)
        })
    });
    RuleEffect::Matches(FixedBitSet::with_capacity_and_blocks(rows, blocks))
}

/// Scans the rule's column once and records what the rule finds.
pub fn evaluate_rule(data: &Dataset, rule: &Rule) -> Result<RuleEffect, RuleProblem> {
    let column = data
        .column(&rule.column)
        .ok_or_else(|| RuleProblem::MissingColumn {
            column: rule.column.clone(),
        })?;
    let rows = column.len();
    let wrong_kind = || RuleProblem::WrongKind {
        column: rule.column.clone(),
        op: rule.test.op_name(),
        found: column.kind(),
    };

    let effect = match (&rule.test, &column.values) {
        // A time of day is told apart only by being there or not (derive a
        // duration in the mapping step to compare times).
        (
            RuleTest::AnyOf { .. } | RuleTest::NoneOf { .. } | RuleTest::IsTrue | RuleTest::IsFalse,
            ColumnValues::Time(_),
        ) => return Err(wrong_kind()),
        (RuleTest::AnyOf { values } | RuleTest::NoneOf { values }, column_values) => {
            let wanted: Vec<&str> = values.iter().map(|v| v.trim()).collect();
            let is_listed = |label: &str| wanted.contains(&label.trim());
            let any_of = matches!(rule.test, RuleTest::AnyOf { .. });
            match column_values {
                ColumnValues::Category(categories) => {
                    let listed = categories.codes_where(is_listed);
                    let codes = categories.codes();
                    matches_where(rows, |row| match listed.get(codes[row] as usize) {
                        Some(&hit) => hit == any_of,
                        None => !any_of, // missing: "none of" matches
                    })
                }
                _ => matches_where(rows, |row| match column.text(row) {
                    Some(text) => is_listed(&text) == any_of,
                    None => !any_of,
                }),
            }
        }
        (RuleTest::Gte { value }, ColumnValues::Number(xs)) => {
            matches_where(rows, |r| xs[r] >= *value)
        }
        (RuleTest::Lte { value }, ColumnValues::Number(xs)) => {
            matches_where(rows, |r| xs[r] <= *value)
        }
        (RuleTest::Between { min, max }, ColumnValues::Number(xs)) => {
            matches_where(rows, |r| xs[r] >= *min && xs[r] <= *max)
        }
        (RuleTest::Gte { .. } | RuleTest::Lte { .. } | RuleTest::Between { .. }, _) => {
            return Err(wrong_kind())
        }
        (RuleTest::IsTrue | RuleTest::IsFalse, values) => {
            let want = matches!(rule.test, RuleTest::IsTrue);
            match values {
                ColumnValues::Boolean(bs) => matches_where(rows, |r| bs[r] == Some(want)),
                ColumnValues::Date(_) => return Err(wrong_kind()),
                _ => matches_where(rows, |r| {
                    column.text(r).and_then(|t| parse_bool(&t)) == Some(want)
                }),
            }
        }
        (RuleTest::Contains { value }, ColumnValues::Category(_) | ColumnValues::Text(_)) => {
            let needle = value.to_lowercase();
            match &column.values {
                ColumnValues::Category(categories) => {
                    let hit = categories.codes_where(|l| l.to_lowercase().contains(&needle));
                    let codes = categories.codes();
                    matches_where(rows, |r| {
                        hit.get(codes[r] as usize).copied().unwrap_or(false)
                    })
                }
                _ => matches_where(rows, |r| {
                    column
                        .text(r)
                        .is_some_and(|t| t.to_lowercase().contains(&needle))
                }),
            }
        }
        (RuleTest::Contains { .. }, _) => return Err(wrong_kind()),
        (RuleTest::Empty, _) => matches_where(rows, |r| column.is_missing(r)),
        (RuleTest::NotEmpty, _) => matches_where(rows, |r| !column.is_missing(r)),
        (RuleTest::WithinDays { days }, ColumnValues::Date(dates)) => {
            match dates.iter().flatten().max() {
                None => RuleEffect::Matches(FixedBitSet::with_capacity(rows)),
                Some(&latest) => {
                    let earliest = latest - i64::from(*days) * SECONDS_PER_DAY;
                    matches_where(rows, |r| dates[r].is_some_and(|t| t >= earliest))
                }
            }
        }
        (RuleTest::WithinDays { .. }, _) => return Err(wrong_kind()),
        (RuleTest::PerUnit { .. }, ColumnValues::Number(xs)) => RuleEffect::Units(
            xs.iter()
                .map(|&x| {
                    if x >= 0.0 {
                        x.floor().min(u32::MAX as f64) as u32
                    } else {
                        0
                    }
                })
                .collect(),
        ),
        (RuleTest::PerUnit { .. }, _) => return Err(wrong_kind()),
    };
    Ok(effect)
}

/// A criterion's rule applied to the data: what it found, or why it could
/// not be applied.
pub type Evaluation = Result<RuleEffect, RuleProblem>;

/// Evaluates every criterion's rule, in order.
pub fn evaluate_criteria(data: &Dataset, criteria: &[Criterion]) -> Vec<Evaluation> {
    criteria
        .iter()
        .map(|c| evaluate_rule(data, &c.rule))
        .collect()
}

/// Each lead's score: the sum of the points of the enabled criteria whose
/// rule matches, added as [`crate::core::criteria::total_score`] adds
/// them. `evaluations[i]` must
/// belong to `criteria[i]`.
pub fn score_leads(rows: usize, criteria: &[Criterion], evaluations: &[Evaluation]) -> Vec<i32> {
    let mut sums = vec![0i64; rows];
    for (criterion, evaluation) in criteria.iter().zip(evaluations) {
        let Ok(effect) = evaluation else { continue };
        if !criterion.enabled {
            continue;
        }
        match effect {
            RuleEffect::Matches(set) => {
                let points = i64::from(criterion.contribution(1));
                for row in set.ones() {
                    sums[row] += points;
                }
            }
            RuleEffect::Units(units) => {
                for (sum, &u) in sums.iter_mut().zip(units) {
                    *sum += i64::from(criterion.contribution(u));
                }
            }
        }
    }
    sums.into_iter().map(score_of_sum).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::dataset::{Categories, Column, DataOrigin, Texts};

    fn data() -> Dataset {
        Dataset::new(
            "fixture",
            DataOrigin::File,
            vec![
                Column::new(
                    "Industry",
                    ColumnValues::Category(Categories::from_values([
                        Some("Software"),
                        Some("Retail"),
                        None,
                        Some(" Finance "),
                    ])),
                ),
                Column::new(
                    "Views",
                    ColumnValues::Number(vec![0.0, 3.7, f64::NAN, 25.0]),
                ),
                Column::new(
                    "Demo",
                    ColumnValues::Boolean(vec![Some(true), Some(false), None, Some(true)]),
                ),
                Column::new(
                    "Created",
                    ColumnValues::Date(vec![
                        Some(100 * SECONDS_PER_DAY),
                        Some(95 * SECONDS_PER_DAY),
                        None,
                        Some(80 * SECONDS_PER_DAY),
                    ]),
                ),
                Column::new(
                    "Notes",
                    ColumnValues::Text(Texts::from_values([
                        Some("Wants a DEMO soon"),
                        None,
                        Some("no"),
                        Some("yes"),
                    ])),
                ),
            ],
        )
        .unwrap()
    }

    fn matched(column: &str, test: RuleTest) -> Vec<usize> {
        let rule = Rule {
            column: column.into(),
            test,
        };
        match evaluate_rule(&data(), &rule).unwrap() {
            RuleEffect::Matches(set) => set.ones().collect(),
            RuleEffect::Units(_) => panic!("expected matches"),
        }
    }

    #[test]
    fn any_of_trims_and_never_matches_missing() {
        let values = vec!["Software".into(), "Finance".into()];
        assert_eq!(matched("Industry", RuleTest::AnyOf { values }), [0, 3]);
    }

    #[test]
    fn none_of_matches_missing_values() {
        let values = vec!["Software".into()];
        assert_eq!(matched("Industry", RuleTest::NoneOf { values }), [1, 2, 3]);
    }

    #[test]
    fn number_comparisons_skip_missing_values() {
        assert_eq!(matched("Views", RuleTest::Gte { value: 3.7 }), [1, 3]);
        assert_eq!(matched("Views", RuleTest::Lte { value: 3.7 }), [0, 1]);
        assert_eq!(
            matched(
                "Views",
                RuleTest::Between {
                    min: 1.0,
                    max: 25.0
                }
            ),
            [1, 3]
        );
    }

    #[test]
    fn booleans_read_from_boolean_and_text_columns() {
        assert_eq!(matched("Demo", RuleTest::IsTrue), [0, 3]);
        assert_eq!(matched("Demo", RuleTest::IsFalse), [1]);
        assert_eq!(matched("Notes", RuleTest::IsTrue), [3]);
        assert_eq!(matched("Notes", RuleTest::IsFalse), [2]);
    }

    #[test]
    fn contains_ignores_case() {
        let value = "demo".to_owned();
        assert_eq!(matched("Notes", RuleTest::Contains { value }), [0]);
    }

    #[test]
    fn empty_and_not_empty_cover_every_kind() {
        assert_eq!(matched("Industry", RuleTest::Empty), [2]);
        assert_eq!(matched("Views", RuleTest::NotEmpty), [0, 1, 3]);
        assert_eq!(matched("Notes", RuleTest::Empty), [1]);
    }

    #[test]
    fn within_days_counts_back_from_the_latest_date() {
        assert_eq!(matched("Created", RuleTest::WithinDays { days: 5 }), [0, 1]);
        assert_eq!(
            matched("Created", RuleTest::WithinDays { days: 20 }),
            [0, 1, 3]
        );
    }

    #[test]
    fn rules_on_the_wrong_kind_or_a_missing_column_say_why() {
        let rule = Rule {
            column: "Industry".into(),
            test: RuleTest::Gte { value: 1.0 },
        };
        let problem = evaluate_rule(&data(), &rule).unwrap_err();
        assert_eq!(
            problem.to_string(),
            "'gte' cannot be applied to 'Industry', which holds category values"
        );
        let rule = Rule {
            column: "Budget".into(),
            test: RuleTest::NotEmpty,
        };
        assert_eq!(
            evaluate_rule(&data(), &rule).unwrap_err().to_string(),
            "the data has no column 'Budget'"
        );
    }

    fn criterion(points: i32, column: &str, test: RuleTest) -> Criterion {
        Criterion::new(column, points, column, test)
    }

    #[test]
    fn scores_add_points_of_enabled_matching_criteria() {
        let data = data();
        let mut criteria = vec![
            criterion(30, "Demo", RuleTest::IsTrue),
            criterion(
                -10,
                "Industry",
                RuleTest::AnyOf {
                    values: vec!["Retail".into()],
                },
            ),
            criterion(
                999,
                "Views",
                RuleTest::PerUnit {
                    points_per_unit: 2,
                    max_points: 20,
                },
            ),
            criterion(50, "Missing column", RuleTest::NotEmpty),
        ];
        let evaluations = evaluate_criteria(&data, &criteria);
        assert!(evaluations[3].is_err());
        // per unit: 0 → 0, 3.7 → 3 units → 6, NaN → 0, 25 → capped at 20.
        assert_eq!(
            score_leads(4, &criteria, &evaluations),
            [30, -10 + 6, 0, 30 + 20]
        );
        criteria[0].enabled = false;
        assert_eq!(score_leads(4, &criteria, &evaluations), [0, -4, 0, 20]);
    }
}
