//! What differs between two scenarios, criterion by criterion: added,
//! removed, points changed, rule changed, switched on or off, regrouped,
//! and the threshold. Criteria are matched by label (ignoring case and
//! surrounding space), then those left over by rule, so a renamed
//! criterion is a rename, not a removal and an addition.

use super::criteria::{Criterion, Group, Rule, RuleTest, Scenario};
use super::format;

/// One difference, in the order the second scenario lists its criteria
/// (removed ones last).
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Threshold {
        from: i32,
        to: i32,
    },
    Added(Criterion),
    Removed(Criterion),
    Renamed {
        from: String,
        to: String,
    },
    Points {
        label: String,
        from: String,
        to: String,
    },
    Rule {
        label: String,
        from: String,
        to: String,
    },
    Enabled {
        label: String,
        enabled: bool,
    },
    Group {
        label: String,
        from: Group,
        to: Group,
    },
    /// The fit × engagement grid's cuts or marked cells.
    Grid,
}

impl Change {
    /// A short name of the kind of change, for scripts.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Threshold { .. } => "threshold",
            Change::Added(_) => "added",
            Change::Removed(_) => "removed",
            Change::Renamed { .. } => "renamed",
            Change::Points { .. } => "points",
            Change::Rule { .. } => "rule",
            Change::Enabled { .. } => "enabled",
            Change::Group { .. } => "group",
            Change::Grid => "grid",
        }
    }

    /// The change in words, e.g. "Demo requested: +30 → +40".
    pub fn describe(&self) -> String {
        match self {
            Change::Threshold { from, to } => format!("Threshold: {from}+ → {to}+ points"),
            Change::Added(c) => format!(
                "Added “{}”: {} when {}",
                c.label,
                points_text(c),
                rule_text(&c.rule)
            ),
            Change::Removed(c) => format!(
                "Removed “{}” ({} when {})",
                c.label,
                points_text(c),
                rule_text(&c.rule)
            ),
            Change::Renamed { from, to } => format!("“{from}” is now called “{to}”"),
            Change::Points { label, from, to } => format!("{label}: {from} → {to}"),
            Change::Rule { label, from, to } => format!("{label}: the rule {from} → {to}"),
            Change::Enabled { label, enabled } => {
                format!("{label}: switched {}", if *enabled { "on" } else { "off" })
            }
            Change::Group { label, from, to } => {
                format!("{label}: {} → {}", from.label(), to.label())
            }
            Change::Grid => "The fit × engagement grid's cuts or marked cells".to_owned(),
        }
    }
}

/// What a criterion adds: "+30", "−5", or "+2 per unit, at most 20".
fn points_text(c: &Criterion) -> String {
    let signed = |n: i32| {
        if n > 0 {
            format!("+{}", format::points(n))
        } else {
            format::points(n)
        }
    };
    match c.rule.test {
        RuleTest::PerUnit {
            points_per_unit,
            max_points,
        } => format!(
            "{} per unit, at most {}",
            signed(points_per_unit),
            format::points(max_points)
        ),
        _ => signed(c.points),
    }
}

fn rule_text(rule: &Rule) -> String {
    format!("{} {}", rule.column, rule.test.describe())
}

/// The rule apart from how many points it gives (a per-unit rule's points
/// are its points per unit and cap).
fn same_rule(a: &Rule, b: &Rule) -> bool {
    let plain = |r: &Rule| match r.test {
        RuleTest::PerUnit { .. } => (r.column.clone(), "per unit".to_owned()),
        _ => (r.column.clone(), r.test.describe()),
    };
    plain(a) == plain(b)
}

fn key(label: &str) -> String {
    label.trim().to_lowercase()
}

/// How `to` differs from `from`.
pub fn diff_scenarios(from: &Scenario, to: &Scenario) -> Vec<Change> {
    let mut changes = Vec::new();
    if from.threshold != to.threshold {
        changes.push(Change::Threshold {
            from: from.threshold,
            to: to.threshold,
        });
    }
    // Each of `to`'s criteria with the one of `from` it matches.
    let mut used = vec![false; from.criteria.len()];
    let mut matched: Vec<Option<usize>> = to
        .criteria
        .iter()
        .map(|c| {
            let found = (0..from.criteria.len())
                .find(|&i| !used[i] && key(&from.criteria[i].label) == key(&c.label));
            if let Some(i) = found {
                used[i] = true;
            }
            found
        })
        .collect();
    for (j, c) in to.criteria.iter().enumerate() {
        if matched[j].is_none() {
            let found = (0..from.criteria.len())
                .find(|&i| !used[i] && same_rule(&from.criteria[i].rule, &c.rule));
            if let Some(i) = found {
                used[i] = true;
                matched[j] = Some(i);
            }
        }
    }
    for (c, found) in to.criteria.iter().zip(&matched) {
        let Some(i) = *found else {
            changes.push(Change::Added(c.clone()));
            continue;
        };
        let was = &from.criteria[i];
        let label = c.label.clone();
        if key(&was.label) != key(&c.label) {
            changes.push(Change::Renamed {
                from: was.label.clone(),
                to: c.label.clone(),
            });
        }
        if was.enabled != c.enabled {
            changes.push(Change::Enabled {
                label: label.clone(),
                enabled: c.enabled,
            });
        }
        if rule_text(&was.rule) != rule_text(&c.rule) && !same_rule(&was.rule, &c.rule) {
            changes.push(Change::Rule {
                label: label.clone(),
                from: rule_text(&was.rule),
                to: rule_text(&c.rule),
            });
        }
        if points_text(was) != points_text(c) {
            changes.push(Change::Points {
                label: label.clone(),
                from: points_text(was),
                to: points_text(c),
            });
        }
        if was.group != c.group {
            changes.push(Change::Group {
                label,
                from: was.group,
                to: c.group,
            });
        }
    }
    for (was, used) in from.criteria.iter().zip(&used) {
        if !used {
            changes.push(Change::Removed(was.clone()));
        }
    }
    if from.grid != to.grid {
        changes.push(Change::Grid);
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sample::sample_scenario;

    #[test]
    fn the_same_scenario_differs_in_nothing() {
        let s = sample_scenario();
        assert_eq!(diff_scenarios(&s, &s.clone()), []);
    }

    #[test]
    fn every_kind_of_change_in_words() {
        let from = sample_scenario();
        let mut to = from.clone();
        to.threshold = from.threshold + 5;
        to.criteria[0].points += 10;
        to.criteria[1].enabled = !from.criteria[1].enabled;
        to.criteria[2].label = format!("  {}  ", from.criteria[2].label.to_uppercase());
        to.criteria[3].rule.column = "Somewhere else".into();
        to.criteria[4].label = "A new name".into();
        to.criteria[4].group = match from.criteria[4].group {
            Group::Fit => Group::Engagement,
            Group::Engagement => Group::Fit,
        };
        let removed = to.criteria.remove(5);
        let added = Criterion::new("Webinar", 10, "Webinar attended", RuleTest::IsTrue);
        to.criteria.push(added.clone());
        let changes = diff_scenarios(&from, &to);
        let kinds: Vec<&str> = changes.iter().map(Change::kind).collect();
        assert_eq!(
            kinds,
            [
                "threshold",
                "points",
                "enabled",
                "rule",
                "renamed",
                "group",
                "added",
                "removed"
            ],
            "{changes:#?}"
        );
        assert_eq!(
            changes[0].describe(),
            format!("Threshold: {}+ → {}+ points", from.threshold, to.threshold)
        );
        let label = &from.criteria[0].label;
        let p = from.criteria[0].points;
        assert_eq!(
            changes[1].describe(),
            format!("{label}: +{p} → +{}", p + 10),
            "points in words"
        );
        assert_eq!(changes[6], Change::Added(added));
        assert_eq!(changes[7], Change::Removed(removed));
        assert!(changes[6]
            .describe()
            .starts_with("Added “Webinar”: +10 when Webinar attended"));
    }

    #[test]
    fn per_unit_points_are_a_points_change_not_a_rule_change() {
        let mut from = sample_scenario();
        from.criteria[0].rule.test = RuleTest::PerUnit {
            points_per_unit: 2,
            max_points: 20,
        };
        let mut to = from.clone();
        to.criteria[0].rule.test = RuleTest::PerUnit {
            points_per_unit: 3,
            max_points: 30,
        };
        let changes = diff_scenarios(&from, &to);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(
            changes[0].describe(),
            format!(
                "{}: +2 per unit, at most 20 → +3 per unit, at most 30",
                from.criteria[0].label
            )
        );
    }
}
