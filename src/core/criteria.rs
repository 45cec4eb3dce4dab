//! The lead definition both teams edit: criteria, their rules and points,
//! grouped into scenarios with a sales-ready threshold.
//!
//! The serde shape of these types is the criteria file of the specification
//! (`"op"`-tagged rules, snake-case names), so import, export and the share
//! link all speak one format.

use super::agreement::{Agreement, SignOff};
use super::grid::Grid;
use serde::{Deserialize, Serialize};

/// Points, per-unit points, caps and thresholds lie within ±this. Files,
/// links, saved workspaces and the editor refuse anything beyond, and
/// [`Criterion::contribution`] never adds more than this either, so a score
/// (at most [`crate::core::criteria_file::MAX_CRITERIA`] criteria) is far
/// from the limits of an `i32`.
pub const MAX_POINTS: i32 = 100_000;

/// Brings any point value within ±[`MAX_POINTS`].
#[inline]
fn bounded(points: i64) -> i32 {
    points.clamp(-i64::from(MAX_POINTS), i64::from(MAX_POINTS)) as i32
}

/// `points` brought within ±[`MAX_POINTS`]: what the editor makes of a
/// points value or threshold typed beyond it.
pub fn bound_points(points: i32) -> i32 {
    points.clamp(-MAX_POINTS, MAX_POINTS)
}

/// A lead's score from what each criterion adds: the exact sum, held
/// within the range of an `i32`. The one way points are added, in the
/// engine, the scored-leads export and the starting point alike.
///
/// ```
/// use leadlens::core::criteria::total_score;
/// assert_eq!(total_score([30, -15, 0]), 15);
/// assert_eq!(total_score([i32::MAX, 1, -1]), i32::MAX);
/// assert_eq!(total_score([i32::MIN, i32::MIN]), i32::MIN);
/// ```
pub fn total_score(contributions: impl IntoIterator<Item = i32>) -> i32 {
    score_of_sum(contributions.into_iter().map(i64::from).sum())
}

/// A score from the exact sum of its contributions, as [`total_score`]
/// gives it.
#[inline]
pub fn score_of_sum(sum: i64) -> i32 {
    sum.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// Whether a criterion describes who the lead is or what the lead did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Fit,
    Engagement,
}

impl Group {
    pub fn label(self) -> &'static str {
        match self {
            Group::Fit => "Fit",
            Group::Engagement => "Engagement",
        }
    }
}

/// Which team asked for a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proposer {
    Marketing,
    Sales,
    Both,
}

impl Proposer {
    pub fn label(self) -> &'static str {
        match self {
            Proposer::Marketing => "Marketing",
            Proposer::Sales => "Sales",
            Proposer::Both => "Both",
        }
    }
}

/// The test a rule applies to its column's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum RuleTest {
    /// The value, trimmed, equals one of `values`.
    AnyOf {
        values: Vec<String>,
    },
    /// The value, trimmed, equals none of `values`; a missing value matches.
    NoneOf {
        values: Vec<String>,
    },
    /// A number at least `value`.
    Gte {
        value: f64,
    },
    /// A number at most `value`.
    Lte {
        value: f64,
    },
    /// A number in `min..=max`.
    Between {
        min: f64,
        max: f64,
    },
    IsTrue,
    IsFalse,
    /// Text containing `value`, ignoring case.
    Contains {
        value: String,
    },
    /// The value is missing.
    Empty,
    /// The value is present.
    NotEmpty,
    /// A date no more than `days` days before the latest date in the column.
    WithinDays {
        days: u32,
    },
    /// Adds `min(max_points, points_per_unit × floor(value))` for a value
    /// with at least one whole unit (nothing for a missing value or one
    /// below 1), never beyond ±[`MAX_POINTS`]; the criterion's own
    /// `points` are not used.
    PerUnit {
        points_per_unit: i32,
        max_points: i32,
    },
}

impl RuleTest {
    /// The operator's name in the criteria file.
    pub fn op_name(&self) -> &'static str {
        match self {
            RuleTest::AnyOf { .. } => "any_of",
            RuleTest::NoneOf { .. } => "none_of",
            RuleTest::Gte { .. } => "gte",
            RuleTest::Lte { .. } => "lte",
            RuleTest::Between { .. } => "between",
            RuleTest::IsTrue => "is_true",
            RuleTest::IsFalse => "is_false",
            RuleTest::Contains { .. } => "contains",
            RuleTest::Empty => "empty",
            RuleTest::NotEmpty => "not_empty",
            RuleTest::WithinDays { .. } => "within_days",
            RuleTest::PerUnit { .. } => "per_unit",
        }
    }

    /// A short phrase for the interface, e.g. `is any of Software, Finance`.
    pub fn describe(&self) -> String {
        match self {
            RuleTest::AnyOf { values } => format!("is any of {}", values.join(", ")),
            RuleTest::NoneOf { values } => format!("is none of {}", values.join(", ")),
            RuleTest::Gte { value } => format!("≥ {value}"),
            RuleTest::Lte { value } => format!("≤ {value}"),
            RuleTest::Between { min, max } => format!("between {min} and {max}"),
            RuleTest::IsTrue => "is yes".to_owned(),
            RuleTest::IsFalse => "is no".to_owned(),
            RuleTest::Contains { value } => format!("contains “{value}”"),
            RuleTest::Empty => "is empty".to_owned(),
            RuleTest::NotEmpty => "is not empty".to_owned(),
            RuleTest::WithinDays { days } => format!("within the last {days} days"),
            RuleTest::PerUnit {
                points_per_unit,
                max_points,
            } => format!("{points_per_unit:+} per unit, at most {max_points:+}"),
        }
    }
}

/// A test on one named column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub column: String,
    #[serde(flatten)]
    pub test: RuleTest,
}

fn enabled_by_default() -> bool {
    true
}

/// One line of the lead definition: a rule, the points it is worth, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub label: String,
    pub group: Group,
    pub proposed_by: Proposer,
    #[serde(default)]
    pub points: i32,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rationale: String,
    pub rule: Rule,
    /// Where sales and marketing stand on it (criteria format 2).
    #[serde(default, skip_serializing_if = "SignOff::is_blank")]
    pub sign_off: SignOff,
    /// Which criterion this is on screen; not part of the definition.
    #[serde(skip)]
    pub key: CriterionKey,
}

/// Tells criteria apart on screen while they are moved, copied or undone,
/// so an open editor stays with its criterion. It is not part of the
/// definition: never saved, and any two keys compare equal, so criteria
/// that agree in everything else are equal. A new key is unique for the
/// life of the page.
#[derive(Debug, Clone, Copy)]
pub struct CriterionKey(u64);

impl CriterionKey {
    pub fn fresh() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        CriterionKey(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }

    pub fn value(self) -> u64 {
        self.0
    }
}

impl Default for CriterionKey {
    fn default() -> Self {
        CriterionKey::fresh()
    }
}

impl PartialEq for CriterionKey {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

/// A named lead definition: criteria plus the score at which a lead is
/// sales-ready.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    pub threshold: i32,
    pub criteria: Vec<Criterion>,
    /// The fit × engagement grid's cuts and the cells marked sales-ready;
    /// files without one read as the default grid, which changes nothing.
    #[serde(default, skip_serializing_if = "Grid::is_default")]
    pub grid: Grid,
    /// Whether (and when) this is the agreed definition, and its service
    /// terms (criteria format 2).
    #[serde(flatten)]
    pub agreement: Agreement,
}

impl Criterion {
    /// A criterion worth `points` when `test` holds for `column`: enabled,
    /// a fit criterion both teams proposed, with no rationale yet.
    pub fn new(label: &str, points: i32, column: &str, test: RuleTest) -> Criterion {
        Criterion {
            label: label.to_owned(),
            group: Group::Fit,
            proposed_by: Proposer::Both,
            points,
            enabled: true,
            rationale: String::new(),
            key: CriterionKey::default(),
            rule: Rule {
                column: column.to_owned(),
                test,
            },
            sign_off: Default::default(),
        }
    }

    /// What this criterion adds to a lead whose rule gave `units`: for a
    /// plain rule 1 on a match and 0 otherwise, for a per-unit rule the
    /// whole units of the value (0 when it is missing, negative or below
    /// 1). Whether the criterion is enabled is the caller's concern.
    ///
    /// ```
    /// use leadlens::core::criteria::{Criterion, RuleTest};
    /// let views = Criterion::new("Views", 0, "Page views", RuleTest::PerUnit {
    ///     points_per_unit: 2,
    ///     max_points: 20,
    /// });
    /// assert_eq!(views.contribution(0), 0);
    /// assert_eq!(views.contribution(3), 6);
    /// assert_eq!(views.contribution(400), 20);
    /// ```
    #[inline]
    pub fn contribution(&self, units: u32) -> i32 {
        if units == 0 {
            return 0;
        }
        match self.rule.test {
            RuleTest::PerUnit {
                points_per_unit,
                max_points,
            } => {
                bounded((i64::from(points_per_unit) * i64::from(units)).min(i64::from(max_points)))
            }
            _ => bounded(i64::from(self.points)),
        }
    }

    /// The units beyond which [`Criterion::contribution`] stays the same:
    /// 1 for a plain rule, and for a per-unit rule where the cap or the
    /// bound of ±[`MAX_POINTS`] takes over (at least 1, so that a lead
    /// with a unit is told apart from one without).
    pub fn unit_cap(&self) -> u32 {
        let RuleTest::PerUnit {
            points_per_unit,
            max_points,
        } = self.rule.test
        else {
            return 1;
        };
        let step = u64::from(points_per_unit.unsigned_abs());
        // The value the contribution runs towards as units grow.
        let limit = match points_per_unit.signum() {
            1 => max_points.clamp(0, MAX_POINTS),
            -1 => MAX_POINTS,
            _ => return 1,
        };
        (u64::from(limit.unsigned_abs()).div_ceil(step).max(1)) as u32
    }

    /// The criterion with its points, points per unit and cap brought
    /// within ±[`MAX_POINTS`], as the editor keeps every edit (files and
    /// links beyond it are refused instead).
    pub fn within_bounds(mut self) -> Criterion {
        self.points = bound_points(self.points);
        if let RuleTest::PerUnit {
            points_per_unit,
            max_points,
        } = &mut self.rule.test
        {
            *points_per_unit = bound_points(*points_per_unit);
            *max_points = bound_points(*max_points);
        }
        self
    }

    /// The least and most this criterion can add to a score.
    pub fn point_range(&self) -> (i32, i32) {
        let (first, last) = (self.contribution(1), self.contribution(self.unit_cap()));
        (first.min(last).min(0), first.max(last).max(0))
    }
}

impl Scenario {
    /// The lowest and highest score any lead could reach under the enabled
    /// criteria.
    pub fn score_range(&self) -> (i32, i32) {
        self.criteria
            .iter()
            .filter(|c| c.enabled)
            .map(Criterion::point_range)
            .fold((0, 0), |(lo, hi), (a, b)| {
                (lo.saturating_add(a), hi.saturating_add(b))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_tests_describe_themselves_in_plain_words() {
        let per_unit = RuleTest::PerUnit {
            points_per_unit: 2,
            max_points: 20,
        };
        assert_eq!(per_unit.describe(), "+2 per unit, at most +20");
        assert_eq!(per_unit.op_name(), "per_unit");
        let any = RuleTest::AnyOf {
            values: vec!["Software".into(), "Finance".into()],
        };
        assert_eq!(any.describe(), "is any of Software, Finance");
    }

    #[test]
    fn keys_tell_criteria_apart_without_being_part_of_them() {
        let a = Criterion {
            label: "Demo".into(),
            group: Group::Engagement,
            proposed_by: Proposer::Sales,
            points: 10,
            enabled: true,
            rationale: String::new(),
            key: CriterionKey::fresh(),
            rule: Rule {
                column: "Demo".into(),
                test: RuleTest::IsTrue,
            },
            sign_off: Default::default(),
        };
        let mut b = a.clone();
        assert_eq!(
            a.key.value(),
            b.key.value(),
            "a clone is the same criterion"
        );
        b.key = CriterionKey::fresh();
        assert_ne!(a.key.value(), b.key.value());
        assert_eq!(a, b, "the key is not part of the definition");
        let json = serde_json::to_string(&a).unwrap();
        assert!(!json.contains("key"), "{json}");
        let read: Criterion = serde_json::from_str(&json).unwrap();
        assert_ne!(
            read.key.value(),
            a.key.value(),
            "a criterion read in is new"
        );
    }

    #[test]
    fn score_range_spans_enabled_criteria() {
        let criterion = |points, test, enabled| Criterion {
            label: String::new(),
            group: Group::Fit,
            proposed_by: Proposer::Both,
            points,
            enabled,
            rationale: String::new(),
            key: CriterionKey::default(),
            rule: Rule {
                column: "c".into(),
                test,
            },
            sign_off: Default::default(),
        };
        let scenario = Scenario {
            name: "s".into(),
            threshold: 0,
            criteria: vec![
                criterion(30, RuleTest::IsTrue, true),
                criterion(-15, RuleTest::IsFalse, true),
                criterion(
                    0,
                    RuleTest::PerUnit {
                        points_per_unit: 2,
                        max_points: 20,
                    },
                    true,
                ),
                criterion(99, RuleTest::Empty, false),
            ],
            grid: Default::default(),
            agreement: Default::default(),
        };
        assert_eq!(scenario.score_range(), (-15, 50));
    }
}
