//! The lead definition both teams edit: criteria, their rules and points,
//! grouped into scenarios with a sales-ready threshold.
//!
//! The serde shape of these types is the criteria file of the specification
//! (`"op"`-tagged rules, snake-case names), so import, export and the share
//! link all speak one format.

use serde::{Deserialize, Serialize};

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
    /// of zero or more; the criterion's own `points` are not used.
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
        }
    }

    /// The least and most this criterion can add to a score.
    pub fn point_range(&self) -> (i32, i32) {
        let most = match self.rule.test {
            RuleTest::PerUnit { max_points, .. } => max_points,
            _ => self.points,
        };
        (most.min(0), most.max(0))
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
        };
        assert_eq!(scenario.score_range(), (-15, 50));
    }
}
