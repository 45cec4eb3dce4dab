//! A first lead definition for newly loaded data, built from its own
//! columns: the yes/no answers, category values and number ranges whose
//! leads converted clearly more (or less) often than average get points in
//! proportion to that lift. It is a starting point for the workshop to argue
//! over, labelled as such, not a fitted model.
//!
//! Columns that play a role (outcome, follow-up, owner, deal value, …) are
//! left out, and so are the columns marked as known only after the lead
//! was worked ([`crate::core::hindsight`]): they describe what happened
//! after the lead arrived. A value
//! that converts almost always is suspicious for the same reason (say, a tag
//! sales adds after a call), so it is included switched off, with a note.

use super::criteria::{
    Criterion, CriterionKey, Group, Proposer, Rule, RuleTest, Scenario, MAX_POINTS,
};
use super::dataset::{ColumnValues, Dataset};
use super::format;
use super::mapping::ColumnMapping;
use super::metrics::Rate;
use super::scoring::{evaluate_criteria, score_leads};
use fixedbitset::FixedBitSet;

/// A value needs at least this many leads, and this share of all leads,
/// to earn a criterion.
const MIN_LEADS: usize = 30;
const MIN_SHARE: f64 = 0.01;
/// Lifts nearer 1 than this say too little to score.
const MIN_LIFT: f64 = 1.3;
/// Converting this often when matched suggests the column is filled in
/// after contact.
const LEAKAGE_RATE: f64 = 0.9;
/// At most this many criteria are switched on.
const MAX_CRITERIA: usize = 8;
/// The threshold is set so that about this share of leads is sales-ready.
const TARGET_SHARE: f64 = 0.2;

/// Words in a column name that describe what the lead did, not who it is.
const ENGAGEMENT_WORDS: &[&str] = &[
    "visit", "view", "click", "open", "time", "activity", "download", "webinar", "demo", "form",
    "email", "page", "session", "event", "trial", "request",
];

struct Candidate {
    criterion: Criterion,
    /// |points| weighted by how many leads it concerns, to rank candidates.
    weight: f64,
}

fn group_for(column: &str) -> Group {
    let lower = column.to_lowercase();
    if ENGAGEMENT_WORDS.iter().any(|w| lower.contains(w)) {
        Group::Engagement
    } else {
        Group::Fit
    }
}

/// Points for a lift: 10 per doubling of the odds of converting, at most 30.
fn points_for(lift: f64) -> i32 {
    ((10.0 * lift.log2()).round() as i32).clamp(-30, 30)
}

/// Conversion among the leads `keep` selects, leaving out the rows of
/// `left_out` (a check set).
fn rate_where(
    outcomes: &[bool],
    left_out: Option<&FixedBitSet>,
    keep: impl Fn(usize) -> bool,
) -> Rate {
    let mut rate = Rate::default();
    for (row, &converted) in outcomes.iter().enumerate() {
        if keep(row) && !left_out.is_some_and(|l| l.contains(row)) {
            rate.leads += 1;
            rate.converted += usize::from(converted);
        }
    }
    rate
}

/// A column name as the start of a label: its first letter in capitals.
fn capitalised(column: &str) -> String {
    let mut chars = column.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A criterion's label in words, from its column and test: "Housing: yes",
/// "No loan", "Job: student, retired", "Balance at least 1,300".
fn label_for(column: &str, test: &RuleTest) -> String {
    let name = capitalised(column.trim());
    let one_word = !column.trim().contains(char::is_whitespace);
    match test {
        RuleTest::IsTrue if one_word => format!("{name}: yes"),
        RuleTest::IsTrue => name,
        RuleTest::IsFalse if one_word => format!("No {}", column.trim().to_lowercase()),
        RuleTest::IsFalse => format!("{name}: no"),
        RuleTest::AnyOf { values } => format!("{name}: {}", values.join(", ")),
        RuleTest::Gte { value } => format!("{name} at least {}", format::number(*value)),
        other => format!("{name} {}", other.describe()),
    }
}

/// Where a candidate's evidence came from, for its rationale.
struct Source<'a> {
    /// The data set's name.
    name: &'a str,
    overall: f64,
    total: usize,
}

fn candidate(column: &str, test: RuleTest, rate: Rate, source: &Source) -> Option<Candidate> {
    let (overall, total) = (source.overall, source.total);
    let value = rate.value()?;
    let lift = value / overall;
    if rate.leads < MIN_LEADS || (rate.leads as f64) < MIN_SHARE * total as f64 {
        return None;
    }
    if (1.0 / MIN_LIFT..MIN_LIFT).contains(&lift) || lift <= 0.0 {
        return None;
    }
    let points = points_for(lift);
    let leaks = value >= LEAKAGE_RATE && lift >= 1.5;
    // Why it was suggested, from which data: the live evidence beside it
    // speaks for the data in use.
    let mut rationale = format!(
        "Suggested by leadlens from {}, where these {} leads converted {} as often as the average lead.",
        source.name,
        format::count(rate.leads),
        format::multiple(Some(lift))
    );
    if leaks {
        rationale.push_str(
            " Almost every such lead converted: this may be recorded after sales contact. \
             Switch it on only if it is known when the lead arrives.",
        );
    }
    Some(Candidate {
        weight: f64::from(points.abs()) * (rate.leads as f64).sqrt(),
        criterion: Criterion {
            label: label_for(column, &test),
            group: group_for(column),
            proposed_by: Proposer::Both,
            points,
            enabled: !leaks,
            rationale,
            key: CriterionKey::default(),
            rule: Rule {
                column: column.to_owned(),
                test,
            },
            sign_off: Default::default(),
        },
    })
}

/// Builds a starting scenario one column at a time, so a caller can keep
/// the page responsive between columns.
pub struct StartingPoint {
    candidates: Vec<Candidate>,
    overall: f64,
    total: usize,
    skip: Vec<String>,
    /// Rows whose outcomes are not looked at (a check set).
    left_out: Option<FixedBitSet>,
}

impl StartingPoint {
    pub fn new(mapping: &ColumnMapping, outcomes: &[bool]) -> Self {
        Self::leaving_out(mapping, outcomes, None)
    }

    /// Looks only at the leads outside `left_out` (the tuning set, when
    /// `left_out` is the check set).
    pub fn leaving_out(
        mapping: &ColumnMapping,
        outcomes: &[bool],
        left_out: Option<FixedBitSet>,
    ) -> Self {
        let all = rate_where(outcomes, left_out.as_ref(), |_| true);
        StartingPoint {
            left_out,
            candidates: Vec::new(),
            overall: all.value().unwrap_or(0.0),
            total: all.leads,
            // Roles, and columns known only once the lead was worked.
            skip: mapping
                .role_columns()
                .into_iter()
                .map(str::to_owned)
                .chain(mapping.known_after.iter().cloned())
                .collect(),
        }
    }

    /// Looks for criteria in the column at `index`.
    pub fn consider(&mut self, data: &Dataset, index: usize, outcomes: &[bool]) {
        let (overall, total) = (self.overall, self.total);
        let Some(column) = data.columns().get(index) else {
            return;
        };
        if overall <= 0.0 || overall >= 1.0 || self.skip.contains(&column.name) {
            return;
        }
        let name = column.name.as_str();
        let source = Source {
            name: data.name(),
            overall,
            total,
        };
        let left_out = self.left_out.as_ref();
        let rate_of = |keep: &dyn Fn(usize) -> bool| rate_where(outcomes, left_out, keep);
        let found = &mut self.candidates;
        match &column.values {
            ColumnValues::Boolean(v) => {
                // The answer whose leads convert better earns the points.
                let yes = rate_of(&|r| v[r] == Some(true));
                let no = rate_of(&|r| v[r] == Some(false));
                let (test, rate) = if yes.value().unwrap_or(0.0) >= no.value().unwrap_or(0.0) {
                    (RuleTest::IsTrue, yes)
                } else {
                    (RuleTest::IsFalse, no)
                };
                found.extend(candidate(name, test, rate, &source));
            }
            ColumnValues::Category(c) if c.labels().len() <= 50 => {
                let mut rates = vec![Rate::default(); c.labels().len()];
                for (row, (&code, &converted)) in c.codes().iter().zip(outcomes).enumerate() {
                    if left_out.is_some_and(|l| l.contains(row)) {
                        continue;
                    }
                    if let Some(rate) = rates.get_mut(code as usize) {
                        rate.leads += 1;
                        rate.converted += usize::from(converted);
                    }
                }
                // The best values together, and the worst together.
                for good in [true, false] {
                    let mut picked: Vec<(f64, usize)> = rates
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.leads >= MIN_LEADS)
                        .filter_map(|(i, r)| r.value().map(|v| (v / overall, i)))
                        .filter(|&(lift, _)| {
                            if good {
                                lift >= MIN_LIFT
                            } else {
                                lift <= 1.0 / MIN_LIFT
                            }
                        })
                        .collect();
                    picked.sort_by(|a, b| {
                        if good {
                            b.0.total_cmp(&a.0)
                        } else {
                            a.0.total_cmp(&b.0)
                        }
                    });
                    picked.truncate(5);
                    if picked.is_empty() {
                        continue;
                    }
                    let values: Vec<String> =
                        picked.iter().map(|&(_, i)| c.labels()[i].clone()).collect();
                    let rate = picked.iter().fold(Rate::default(), |acc, &(_, i)| Rate {
                        leads: acc.leads + rates[i].leads,
                        converted: acc.converted + rates[i].converted,
                    });
                    found.extend(candidate(name, RuleTest::AnyOf { values }, rate, &source));
                }
            }
            ColumnValues::Number(v) => {
                let mut present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                if present.len() < MIN_LEADS {
                    return;
                }
                let lowest = present.iter().copied().fold(f64::INFINITY, f64::min);
                let mut cuts = Vec::new();
                for q in [0.5, 0.75, 0.9] {
                    let at = ((present.len() - 1) as f64 * q) as usize;
                    let (_, cut, _) = present.select_nth_unstable_by(at, f64::total_cmp);
                    if *cut > lowest {
                        cuts.push(*cut);
                    }
                }
                let best = cuts
                    .into_iter()
                    .filter_map(|cut| {
                        let rate = rate_of(&|r| v[r] >= cut);
                        let lift = rate.value()? / overall;
                        (rate.leads >= MIN_LEADS).then_some((cut, rate, lift))
                    })
                    .max_by(|a, b| a.2.total_cmp(&b.2));
                if let Some((cut, rate, _)) = best {
                    found.extend(candidate(name, RuleTest::Gte { value: cut }, rate, &source));
                }
            }
            _ => {}
        }
    }

    /// The strongest criteria found that `scenario` does not have yet: at
    /// most `count`, on columns none of its criteria use, strongest first,
    /// none that looks recorded after contact.
    pub fn missing_from(mut self, scenario: &Scenario, count: usize) -> Vec<Criterion> {
        self.candidates
            .sort_by(|a, b| b.weight.total_cmp(&a.weight));
        let used: Vec<&str> = scenario
            .criteria
            .iter()
            .map(|c| c.rule.column.as_str())
            .collect();
        let mut picked: Vec<Criterion> = Vec::new();
        for c in self.candidates {
            let column = c.criterion.rule.column.as_str();
            if c.criterion.enabled && !used.contains(&column) && picked.len() < count {
                picked.push(c.criterion);
            }
        }
        picked
    }

    /// The scenario named `name` from the best criteria found.
    pub fn finish(mut self, data: &Dataset, name: &str) -> Scenario {
        self.candidates
            .sort_by(|a, b| b.weight.total_cmp(&a.weight));
        let mut on = 0;
        let mut criteria: Vec<Criterion> = Vec::new();
        for c in self.candidates {
            if c.criterion.enabled {
                if on == MAX_CRITERIA {
                    continue;
                }
                on += 1;
            }
            criteria.push(c.criterion);
        }
        let threshold = threshold_for_share(data, &criteria, TARGET_SHARE);
        Scenario {
            name: name.to_owned(),
            threshold,
            criteria,
            grid: Default::default(),
            agreement: Default::default(),
        }
    }
}

/// Builds the starting scenario named `name` in one go.
pub fn starting_scenario(
    data: &Dataset,
    mapping: &ColumnMapping,
    outcomes: &[bool],
    name: &str,
) -> Scenario {
    let mut start = StartingPoint::new(mapping, outcomes);
    for index in 0..data.columns().len() {
        start.consider(data, index, outcomes);
    }
    start.finish(data, name)
}

/// Whether any of the scenario's rules names a column of `data`.
pub fn fits(scenario: &Scenario, data: &Dataset) -> bool {
    scenario
        .criteria
        .iter()
        .any(|c| data.column(&c.rule.column).is_some())
}

/// The lowest threshold at which at most `share` of leads are sales-ready.
fn threshold_for_share(data: &Dataset, criteria: &[Criterion], share: f64) -> i32 {
    let evaluations = evaluate_criteria(data, criteria);
    let mut scores = score_leads(data.row_count(), criteria, &evaluations);
    if scores.is_empty() {
        return 1;
    }
    let allowed = ((scores.len() as f64 * share) as usize).max(1);
    if allowed >= scores.len() {
        return 1;
    }
    // The score of the lead just past the allowed count (highest first),
    // plus one, keeps ties out; at least 1 so an empty definition picks no one.
    let (_, &mut cutoff, _) = scores.select_nth_unstable_by(allowed, |a, b| b.cmp(a));
    let top = scores.iter().copied().max().unwrap_or(0);
    let lowest = scores.iter().copied().min().unwrap_or(0);
    if cutoff == top && lowest < top {
        // More leads than the share tie at the top score: they are the
        // best the criteria can tell apart (with only penalties, the
        // leads without one), so they are sales-ready rather than no one.
        return top.clamp(-MAX_POINTS, MAX_POINTS);
    }
    cutoff.saturating_add(1).clamp(1, MAX_POINTS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::dataset::{Categories, Column, DataOrigin};
    use crate::core::metrics::key_figures;
    use crate::core::sample::{sample_dataset, sample_mapping};

    /// A data set of `column` and a yes/no outcome called `outcome`, with
    /// the mapping that names it.
    fn one_column_and(
        column: Column,
        outcome: &str,
        outcomes: &[bool],
    ) -> (Dataset, ColumnMapping) {
        let data = Dataset::new(
            "leads.csv",
            DataOrigin::File,
            vec![
                column,
                Column::new(
                    outcome,
                    ColumnValues::Boolean(outcomes.iter().map(|&o| Some(o)).collect()),
                ),
            ],
        )
        .unwrap();
        let mapping = ColumnMapping {
            outcome: Some(outcome.into()),
            ..ColumnMapping::default()
        };
        (data, mapping)
    }

    #[test]
    fn the_sample_gets_a_sensible_starting_point() {
        let data = sample_dataset();
        let mapping = sample_mapping();
        let outcomes = mapping.outcomes(&data).unwrap();
        let scenario = starting_scenario(&data, &mapping, &outcomes, "Starting point");
        let columns: Vec<&str> = scenario
            .criteria
            .iter()
            .map(|c| c.rule.column.as_str())
            .collect();
        assert!(columns.contains(&"Demo requested"), "{columns:?}");
        for role in [
            "Converted",
            "Followed up",
            "Owner",
            "Deal value",
            "Response hours",
        ] {
            assert!(
                !columns.contains(&role),
                "{role} is a role, not a criterion"
            );
        }
        let demo = scenario
            .criteria
            .iter()
            .find(|c| c.rule.column == "Demo requested")
            .unwrap();
        assert!(demo.points >= 10 && demo.enabled && demo.group == Group::Engagement);
        assert_eq!(demo.label, "Demo requested");
        // The rationale says where the suggestion came from, not what the
        // evidence line beside it says about the data in use.
        assert!(
            demo.rationale.starts_with("Suggested by leadlens from ")
                && demo.rationale.contains(data.name())
                && !demo.rationale.contains("when it fires"),
            "{}",
            demo.rationale
        );
        let small = scenario
            .criteria
            .iter()
            .find(|c| matches!(&c.rule.test, RuleTest::AnyOf { values } if values.iter().any(|v| v == "1-10")));
        assert!(
            small.is_some_and(|c| c.points < 0),
            "the smallest companies lose points"
        );
        assert!(scenario.criteria.iter().filter(|c| c.enabled).count() <= MAX_CRITERIA);

        let evaluations = evaluate_criteria(&data, &scenario.criteria);
        let scores = score_leads(data.row_count(), &scenario.criteria, &evaluations);
        let figures = key_figures(&scores, &outcomes, scenario.threshold);
        let share = figures.sales_ready_share().unwrap();
        assert!((0.05..=0.25).contains(&share), "sales-ready share {share}");
        assert!(figures.lift().unwrap() > 1.5 && figures.auc.unwrap() > 0.7);
    }

    #[test]
    fn near_certain_values_are_flagged_and_switched_off() {
        // A "Tag" that sales sets after talking to the lead.
        let n = 400;
        let outcomes: Vec<bool> = (0..n).map(|i| i % 4 == 0).collect();
        let tags: Vec<Option<&str>> = (0..n)
            .map(|i| {
                Some(if i % 4 == 0 && i % 8 != 0 {
                    "Will buy"
                } else {
                    "Other"
                })
            })
            .collect();
        let (data, mapping) = one_column_and(
            Column::new("Tag", ColumnValues::Category(Categories::from_values(tags))),
            "Won",
            &outcomes,
        );
        let scenario = starting_scenario(&data, &mapping, &outcomes, "s");
        let tag = scenario
            .criteria
            .iter()
            .find(|c| c.label.contains("Will buy"))
            .unwrap();
        assert!(!tag.enabled);
        assert!(tag.rationale.contains("recorded after sales contact"));
    }

    #[test]
    fn labels_read_as_words() {
        let yes_no = |column: &str, test| label_for(column, &test);
        assert_eq!(yes_no("housing", RuleTest::IsFalse), "No housing");
        assert_eq!(yes_no("housing", RuleTest::IsTrue), "Housing: yes");
        assert_eq!(
            yes_no("Demo requested", RuleTest::IsFalse),
            "Demo requested: no"
        );
        assert_eq!(
            label_for(
                "job",
                &RuleTest::AnyOf {
                    values: vec!["student".into(), "retired".into()]
                }
            ),
            "Job: student, retired"
        );
        assert_eq!(
            label_for("balance", &RuleTest::Gte { value: 1300.0 }),
            "Balance at least 1,300"
        );
    }

    #[test]
    fn a_yes_no_column_scores_the_answer_that_converts_better() {
        // Leads without a mortgage convert three times as often.
        let n = 600;
        let outcomes: Vec<bool> = (0..n)
            .map(|i| if i % 2 == 0 { i % 8 == 0 } else { i % 24 == 1 })
            .collect();
        let housing: Vec<Option<bool>> = (0..n).map(|i| Some(i % 2 == 1)).collect();
        let (data, mapping) = one_column_and(
            Column::new("housing", ColumnValues::Boolean(housing)),
            "y",
            &outcomes,
        );
        let scenario = starting_scenario(&data, &mapping, &outcomes, "s");
        let housing = &scenario.criteria[0];
        assert_eq!(
            (housing.label.as_str(), &housing.rule.test),
            ("No housing", &RuleTest::IsFalse)
        );
        assert!(housing.points > 0);
    }

    #[test]
    fn a_start_of_penalties_only_still_picks_the_leads_without_one() {
        // Only the poor channel stands out: leads outside it are the best
        // the start can tell apart, more than the target share of them.
        let channel: Vec<Option<&str>> = (0..400)
            .map(|i| Some(if i % 4 == 0 { "cold list" } else { "web" }))
            .collect();
        let outcomes: Vec<bool> = (0..400)
            .map(|i| if i % 4 == 0 { i % 40 == 0 } else { i % 7 == 1 })
            .collect();
        let (data, mapping) = one_column_and(
            Column::new(
                "channel",
                ColumnValues::Category(Categories::from_values(channel)),
            ),
            "y",
            &outcomes,
        );
        let scenario = starting_scenario(&data, &mapping, &outcomes, "s");
        assert!(
            scenario.criteria.iter().all(|c| c.points < 0),
            "{:?}",
            scenario.criteria
        );
        assert!(!scenario.criteria.is_empty());
        let evaluations = evaluate_criteria(&data, &scenario.criteria);
        let scores = score_leads(data.row_count(), &scenario.criteria, &evaluations);
        let ready = key_figures(&scores, &outcomes, scenario.threshold).sales_ready;
        assert_eq!(ready.leads, 300, "threshold {}", scenario.threshold);
    }

    #[test]
    fn data_without_conversions_gets_an_empty_start() {
        let data = sample_dataset();
        let outcomes = vec![false; data.row_count()];
        let scenario = starting_scenario(&data, &sample_mapping(), &outcomes, "s");
        assert!(scenario.criteria.is_empty());
        assert_eq!(scenario.threshold, 1);
    }

    #[test]
    fn criteria_a_scenario_lacks_come_from_the_tuning_set_only() {
        let data = sample_dataset();
        let mapping = sample_mapping();
        let outcomes = mapping.outcomes(&data).unwrap();
        let mut scenario = starting_scenario(&data, &mapping, &outcomes, "Start");
        let demo = scenario
            .criteria
            .iter()
            .position(|c| c.rule.column == "Demo requested")
            .unwrap();
        let removed = scenario.criteria.remove(demo);
        let look = |left_out: Option<FixedBitSet>| {
            let mut start = StartingPoint::leaving_out(&mapping, &outcomes, left_out);
            for index in 0..data.columns().len() {
                start.consider(&data, index, &outcomes);
            }
            start.missing_from(&scenario, 3)
        };
        let found = look(None);
        assert!(!found.is_empty() && found.len() <= 3);
        assert_eq!(
            found[0].rule.column, removed.rule.column,
            "the strongest one missing"
        );
        let used: Vec<&str> = scenario
            .criteria
            .iter()
            .map(|c| c.rule.column.as_str())
            .collect();
        assert!(found
            .iter()
            .all(|c| !used.contains(&c.rule.column.as_str()) && c.enabled));
        // Leaving out every converted lead leaves nothing to find: the
        // outcomes of left-out leads are not looked at.
        let mut converted = FixedBitSet::with_capacity(outcomes.len());
        for row in (0..outcomes.len()).filter(|&r| outcomes[r]) {
            converted.insert(row);
        }
        assert!(look(Some(converted)).is_empty());
    }
}
