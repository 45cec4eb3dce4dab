//! Columns known only after sales has worked a lead: a call's duration,
//! the tags and status sales sets, the last activity, notes, anything
//! named like the outcome. Scored as criteria, they make a definition look
//! far better on past leads than it can be on new ones (a long call "predicts"
//! the sale because the sale made the call long), so the mapping step asks
//! about each column, proposing an answer from its name and its data, and
//! such columns never get starting points.

use super::dataset::{ColumnValues, Dataset};
use super::mapping::{normalise_header, ColumnMapping};

/// Words of a header that say the column is filled in once the lead has
/// been worked (compared word by word, ignoring case: "Tags" but not
/// "Percentage").
const AFTER_WORDS: &[&str] = &[
    "duration",
    "tag",
    "tags",
    "quality",
    "status",
    "stage",
    "note",
    "notes",
    "comment",
    "comments",
    "disposition",
    "reason",
    "lost",
    "won",
    "closed",
    "converted",
    "conversion",
    "outcome",
    "result",
    "results",
    "subscribed",
    "purchased",
    "opportunity",
];
/// Word pairs that say the same.
const AFTER_PAIRS: &[[&str; 2]] = &[
    ["last", "activity"],
    ["notable", "activity"],
    ["last", "contact"],
    ["last", "touch"],
    ["close", "date"],
    ["call", "result"],
];

/// The words of a header: runs of letters and digits, in lower case, with
/// camel case split ("LastActivity" → "last", "activity").
fn words(header: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in header.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Whether `header` reads like a column recorded after the lead was
/// worked, or like the outcome `outcome`.
///
/// ```
/// use leadlens::core::hindsight::named_like_hindsight;
/// assert!(named_like_hindsight("Call duration (s)", Some("y")));
/// assert!(named_like_hindsight("Last Notable Activity", None));
/// assert!(named_like_hindsight("Tags", None));
/// assert!(named_like_hindsight("Converted (final)", Some("Converted")));
/// assert!(!named_like_hindsight("Lead Source", Some("Converted")));
/// assert!(!named_like_hindsight("Total Visits", None));
/// assert!(!named_like_hindsight("Percentage of budget", None));
/// ```
pub fn named_like_hindsight(header: &str, outcome: Option<&str>) -> bool {
    let words = words(header);
    if let Some(outcome) = outcome.map(normalise_header) {
        if outcome.len() >= 3 && normalise_header(header).contains(&outcome) {
            return true;
        }
    }
    words.iter().any(|w| AFTER_WORDS.contains(&w.as_str()))
        || words.windows(2).any(|pair| {
            AFTER_PAIRS
                .iter()
                .any(|[a, b]| pair[0] == *a && pair[1] == *b)
        })
}

/// Rows looked at to judge a column by its data: a spread-out sample keeps
/// the check quick on a million leads.
const SAMPLE_ROWS: usize = 20_000;
/// A value (or pooled remainder) needs this many leads to count.
const MIN_LEADS: usize = 30;
/// A column whose values separate converted from other leads this well
/// (area under the ROC curve of the column taken as a score) is taken to
/// have been recorded afterwards.
const SEPARATION: f64 = 0.95;

/// How well the column's values alone tell converted leads from the rest,
/// as an area under the ROC curve from 0.5 (not at all) to 1 (perfectly),
/// on a sample of rows; `None` for a column that cannot be judged (text,
/// dates, too few leads, one class only).
pub fn separation(data: &Dataset, column: &str, outcomes: &[bool]) -> Option<f64> {
    let column = data.column(column)?;
    let rows = outcomes.len().min(column.len());
    let step = rows.div_ceil(SAMPLE_ROWS).max(1);
    let sampled = (0..rows).step_by(step);
    // Each sampled lead as (score, converted): a number's value, or a
    // category's conversion rate among the sampled leads.
    let scored: Vec<(f64, bool)> = match &column.values {
        ColumnValues::Number(v) => sampled
            .filter(|&r| !v[r].is_nan())
            .map(|r| (v[r], outcomes[r]))
            .collect(),
        ColumnValues::Boolean(v) => sampled
            .filter_map(|r| v[r].map(|b| (f64::from(u8::from(b)), outcomes[r])))
            .collect(),
        ColumnValues::Category(c) if c.labels().len() <= 50 => {
            let codes = c.codes();
            let mut tally = vec![(0usize, 0usize); c.labels().len() + 1];
            let slot = |code: u32| (code as usize).min(c.labels().len());
            for r in sampled.clone() {
                let t = &mut tally[slot(codes[r])];
                t.0 += 1;
                t.1 += usize::from(outcomes[r]);
            }
            // Values too rare to judge are pooled with the missing ones.
            let (rare, rare_converted) = tally
                .iter()
                .filter(|t| t.0 < MIN_LEADS)
                .fold((0, 0), |(n, k), t| (n + t.0, k + t.1));
            let rate = |t: (usize, usize)| {
                if t.0 >= MIN_LEADS {
                    t.1 as f64 / t.0 as f64
                } else if rare > 0 {
                    rare_converted as f64 / rare as f64
                } else {
                    0.0
                }
            };
            sampled
                .map(|r| (rate(tally[slot(codes[r])]), outcomes[r]))
                .collect()
        }
        _ => return None,
    };
    if scored.len() < MIN_LEADS {
        return None;
    }
    let auc = auc(scored)?;
    Some(auc.max(1.0 - auc))
}

/// Area under the ROC curve of `scored`, ties counted as half.
fn auc(mut scored: Vec<(f64, bool)>) -> Option<f64> {
    scored.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let positives = scored.iter().filter(|s| s.1).count() as f64;
    let negatives = scored.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return None;
    }
    let (mut below, mut wins) = (0.0, 0.0);
    let mut i = 0;
    while i < scored.len() {
        let mut j = i;
        let (mut pos, mut neg) = (0.0, 0.0);
        while j < scored.len() && scored[j].0 == scored[i].0 {
            if scored[j].1 {
                pos += 1.0;
            } else {
                neg += 1.0;
            }
            j += 1;
        }
        wins += pos * (below + neg / 2.0);
        below += neg;
        i = j;
    }
    Some(wins / (positives * negatives))
}

/// Why a column is proposed as known only afterwards.
#[derive(Debug, Clone, PartialEq)]
pub enum AfterReason {
    /// Its name reads like it (duration, status, tags, notes, …).
    Name,
    /// Its values alone separate the outcome almost perfectly (the area
    /// under the ROC curve).
    Separates(f64),
}

/// The columns proposed as known only after the lead was worked, with
/// why, in data order. The outcome and the other roles are not listed:
/// they are never offered as criteria anyway.
pub fn propose_known_after(
    data: &Dataset,
    mapping: &ColumnMapping,
    outcomes: Option<&[bool]>,
) -> Vec<(String, AfterReason)> {
    let roles = mapping.role_columns();
    data.columns()
        .iter()
        .filter(|c| !roles.contains(&c.name.as_str()))
        .filter_map(|c| {
            if named_like_hindsight(&c.name, mapping.outcome.as_deref()) {
                return Some((c.name.clone(), AfterReason::Name));
            }
            let auc = separation(data, &c.name, outcomes?)?;
            (auc >= SEPARATION).then(|| (c.name.clone(), AfterReason::Separates(auc)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::dataset::{Categories, Column, DataOrigin};

    fn telemarketing() -> (Dataset, Vec<bool>) {
        let n = 600;
        let outcomes: Vec<bool> = (0..n).map(|i| i % 5 == 0).collect();
        let duration: Vec<f64> = (0..n)
            .map(|i| {
                if i % 5 == 0 {
                    400.0 + (i % 37) as f64
                } else {
                    (i % 300) as f64
                }
            })
            .collect();
        let jobs = ["admin.", "student", "retired", "services"];
        let job: Vec<Option<&str>> = (0..n).map(|i| Some(jobs[i * 7 % 4])).collect();
        let age: Vec<f64> = (0..n).map(|i| 20.0 + (i * 13 % 60) as f64).collect();
        let data = Dataset::new(
            "bank.csv",
            DataOrigin::File,
            vec![
                Column::new("age", ColumnValues::Number(age)),
                Column::new("job", ColumnValues::Category(Categories::from_values(job))),
                Column::new("talk", ColumnValues::Number(duration)),
                Column::new("duration", ColumnValues::Number(vec![1.0; n])),
                Column::new(
                    "y",
                    ColumnValues::Boolean(outcomes.iter().map(|&o| Some(o)).collect()),
                ),
            ],
        )
        .unwrap();
        (data, outcomes)
    }

    #[test]
    fn columns_are_proposed_by_name_and_by_near_perfect_separation() {
        let (data, outcomes) = telemarketing();
        let mapping = ColumnMapping {
            outcome: Some("y".into()),
            ..ColumnMapping::default()
        };
        let proposed = propose_known_after(&data, &mapping, Some(&outcomes));
        let names: Vec<&str> = proposed.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["talk", "duration"], "{proposed:?}");
        assert!(matches!(proposed[0].1, AfterReason::Separates(auc) if auc > 0.99));
        assert_eq!(proposed[1].1, AfterReason::Name);
        // Without outcomes, only names speak.
        let by_name = propose_known_after(&data, &mapping, None);
        assert_eq!(by_name, vec![("duration".to_owned(), AfterReason::Name)]);
    }

    #[test]
    fn separation_reads_categories_by_their_conversion() {
        let (data, outcomes) = telemarketing();
        let job = separation(&data, "job", &outcomes).unwrap();
        assert!((0.5..0.8).contains(&job), "{job}");
        let age = separation(&data, "age", &outcomes).unwrap();
        assert!(age < 0.8, "{age}");
        assert_eq!(separation(&data, "y", &[true; 600]), None, "one class only");
    }

    #[test]
    fn auc_counts_ties_as_half() {
        let scored = vec![(1.0, true), (1.0, false), (0.0, false), (2.0, true)];
        // The 2.0-positive beats both negatives; the 1.0-positive ties one
        // and beats one: (2 + 1.5) / 4.
        assert_eq!(auc(scored), Some(3.5 / 4.0));
    }
}
