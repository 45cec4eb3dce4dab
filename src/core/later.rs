//! The closed loop: a later export of the same columns as the check set.
//!
//! A definition agreed on last quarter's leads is checked on this
//! quarter's: the later file is read with the first one's settings, each of
//! its columns typed as the first file's column of the same name, and its
//! leads appended after the first file's. The first file's leads are then
//! the tuning set ("then") and the later ones the check set ("now").

use std::collections::HashMap;
use std::fmt;

use super::dataset::{Categories, Column, ColumnValues, Dataset, Texts, MISSING_CODE};
use super::engine::{weeks_spanned, Evidence, Grouping, LeadFacts, Replay};
use super::ingest::{LoadOptions, LoadReport};
use super::metrics::{population_stability, Rate};

/// The later export in use as the check set.
#[derive(Debug, Clone, PartialEq)]
pub struct LaterExport {
    pub name: String,
    /// The first row of the combined data that comes from the later file:
    /// the first file's lead count.
    pub first_row: usize,
    pub rows: usize,
    /// Columns of the later file the first one lacks, left out.
    pub ignored: Vec<String>,
    /// Columns whose values the two files type differently, kept as text
    /// in both.
    pub as_text: Vec<String>,
}

/// Why a later file cannot be the check set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaterExportError {
    /// The later file lacks columns of the first one.
    MissingColumns(Vec<String>),
    /// The later file holds no leads.
    NoLeads,
}

impl fmt::Display for LaterExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LaterExportError::MissingColumns(columns) => {
                let listed: Vec<String> = columns.iter().map(|c| format!("“{c}”")).collect();
                write!(
                    f,
                    "the later file lacks {} of the first file's columns: {}. A later export \
                     needs the same columns",
                    listed.len(),
                    listed.join(", ")
                )
            }
            LaterExportError::NoLeads => f.write_str("the later file holds no leads"),
        }
    }
}

impl std::error::Error for LaterExportError {}

/// The settings to read a later file with: the first file's (`first`,
/// read into `data` as `report` tells), with each of its columns typed as
/// in `data` and dates in the same day order.
pub fn later_options(
    first: &LoadOptions,
    data: &Dataset,
    report: Option<&LoadReport>,
) -> LoadOptions {
    let mut options = first.clone();
    // The encoding, delimiter and header line are the later file's own.
    options.encoding = super::ingest::reader::EncodingChoice::Auto;
    options.delimiter = None;
    options.header_record = None;
    for column in data.columns() {
        options
            .typing
            .kinds
            .insert(column.name.clone(), column.kind());
    }
    for typing in report.map_or(&[][..], |r| &r.columns) {
        if let Some((order, _)) = typing.day_order {
            options.typing.day_orders.insert(typing.name.clone(), order);
        }
    }
    options
}

/// `then`'s leads followed by `later`'s, column by column (every column of
/// `then`, matched by name): the data with a later export.
pub fn append_later(
    then: &Dataset,
    later: &Dataset,
) -> Result<(Dataset, LaterExport), LaterExportError> {
    if later.row_count() == 0 {
        return Err(LaterExportError::NoLeads);
    }
    let missing: Vec<String> = then
        .columns()
        .iter()
        .filter(|c| later.column(&c.name).is_none())
        .map(|c| c.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(LaterExportError::MissingColumns(missing));
    }
    let mut as_text = Vec::new();
    let columns: Vec<Column> = then
        .columns()
        .iter()
        .map(|first| {
            let second = later.column(&first.name).expect("checked above");
            let values = appended(&first.values, &second.values).unwrap_or_else(|| {
                as_text.push(first.name.clone());
                ColumnValues::Text(Texts::from_values(
                    (0..first.len())
                        .map(|r| first.text(r))
                        .chain((0..second.len()).map(|r| second.text(r)))
                        .collect::<Vec<_>>()
                        .iter()
                        .map(|t| t.as_deref()),
                ))
            });
            Column::new(first.name.clone(), values)
        })
        .collect();
    let ignored = later
        .columns()
        .iter()
        .filter(|c| then.column(&c.name).is_none())
        .map(|c| c.name.clone())
        .collect();
    let data = Dataset::new(then.name(), then.origin().clone(), columns)
        .expect("the first file's columns, each longer by the same rows");
    Ok((
        data,
        LaterExport {
            name: later.name().to_owned(),
            first_row: then.row_count(),
            rows: later.row_count(),
            ignored,
            as_text,
        },
    ))
}

/// `a`'s values followed by `b`'s, where both are of one kind.
fn appended(a: &ColumnValues, b: &ColumnValues) -> Option<ColumnValues> {
    fn joined<T: Clone>(a: &[T], b: &[T]) -> Vec<T> {
        let mut values = Vec::with_capacity(a.len() + b.len());
        values.extend_from_slice(a);
        values.extend_from_slice(b);
        values
    }
    Some(match (a, b) {
        (ColumnValues::Number(a), ColumnValues::Number(b)) => ColumnValues::Number(joined(a, b)),
        (ColumnValues::Boolean(a), ColumnValues::Boolean(b)) => ColumnValues::Boolean(joined(a, b)),
        (ColumnValues::Date(a), ColumnValues::Date(b)) => ColumnValues::Date(joined(a, b)),
        (ColumnValues::Time(a), ColumnValues::Time(b)) => ColumnValues::Time(joined(a, b)),
        (ColumnValues::Text(a), ColumnValues::Text(b)) => {
            let mut texts = a.clone();
            texts.reserve(b.text_len(), b.len());
            for value in b.iter() {
                texts.push(value);
            }
            ColumnValues::Text(texts)
        }
        (ColumnValues::Category(a), ColumnValues::Category(b)) => {
            // The later file's labels join the first file's dictionary.
            let mut labels = a.labels().to_vec();
            let mut index: HashMap<&str, u32> = a
                .labels()
                .iter()
                .enumerate()
                .map(|(i, l)| (l.as_str(), i as u32))
                .collect();
            let remap: Vec<u32> = b
                .labels()
                .iter()
                .map(|label| {
                    *index.entry(label.as_str()).or_insert_with(|| {
                        labels.push(label.clone());
                        (labels.len() - 1) as u32
                    })
                })
                .collect();
            let mut codes = Vec::with_capacity(a.codes().len() + b.codes().len());
            codes.extend_from_slice(a.codes());
            codes.extend(b.codes().iter().map(|&c| {
                if c == MISSING_CODE {
                    MISSING_CODE
                } else {
                    remap[c as usize]
                }
            }));
            ColumnValues::Category(Categories::from_parts(labels, codes))
        }
        _ => return None,
    })
}

/// What a definition does on one set of leads, for the then-and-now
/// comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct SetFigures {
    pub leads: usize,
    pub sales_ready: Rate,
    pub lift: Option<f64>,
    pub auc: Option<f64>,
    /// Converted leads that are sales-ready, of all converted leads.
    pub captured: Rate,
    /// Sales-ready leads per week over the set's own span of created
    /// dates, where a created date is mapped.
    pub per_week: Option<f64>,
    /// Sales-ready leads followed up, of those whose follow-up is known,
    /// where a followed-up column is mapped.
    pub followed_up: Option<Rate>,
}

/// The same definition on the first file's leads (then) and on a later
/// export's (now).
#[derive(Debug, Clone, PartialEq)]
pub struct ThenNow {
    pub then: SetFigures,
    pub now: SetFigures,
    /// The population stability index of the scores now against then.
    pub stability: Option<f64>,
    /// Each criterion's evidence then and now, in scenario order.
    pub evidence: Vec<(Evidence, Evidence)>,
}

/// What the comparison needs of each lead that no edit changes: each
/// file's span of created dates, and per pattern its leads whose follow-up
/// is known and those followed up, then and now. Counted once per
/// grouping, so that an edit sums patterns, not leads.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadsThenNow {
    weeks: [Option<f64>; 2],
    /// Per pattern, `[then, now]` of (known, followed up); `None` without
    /// a followed-up column.
    followed: Option<Vec<[(usize, usize); 2]>>,
}

impl LeadsThenNow {
    /// `created` and `followed_up` are the mapped columns' values per lead.
    pub fn new(
        grouping: &Grouping,
        facts: &LeadFacts,
        created: Option<&[Option<i64>]>,
        followed_up: Option<&[Option<bool>]>,
    ) -> LeadsThenNow {
        let set = |row: usize| usize::from(facts.in_check(row));
        let weeks = [0, 1].map(|wanted| {
            created.and_then(|dates| {
                weeks_spanned(
                    dates
                        .iter()
                        .enumerate()
                        .filter(|&(row, _)| set(row) == wanted)
                        .filter_map(|(_, &d)| d),
                )
            })
        });
        let followed = followed_up.map(|followed| {
            let mut per_pattern = vec![[(0, 0); 2]; grouping.patterns.len()];
            for (row, &pattern) in grouping.lead_pattern().iter().enumerate() {
                if let Some(yes) = followed[row] {
                    let tally = &mut per_pattern[pattern as usize][set(row)];
                    tally.0 += 1;
                    tally.1 += usize::from(yes);
                }
            }
            per_pattern
        });
        LeadsThenNow { weeks, followed }
    }
}

/// Compares `tuning` (the replay on the first file's leads) with `check`
/// (the same scenario's on the later export's) over the grouping `leads`
/// was counted on.
pub fn then_and_now(tuning: &Replay, check: &Replay, leads: &LeadsThenNow) -> ThenNow {
    let figures = |replay: &Replay, set: usize| {
        let followed_up = leads.followed.as_ref().map(|per_pattern| {
            let mut rate = Rate::default();
            for (tally, &ready) in per_pattern.iter().zip(&replay.pattern_ready) {
                if ready {
                    rate.leads += tally[set].0;
                    rate.converted += tally[set].1;
                }
            }
            rate
        });
        SetFigures {
            leads: replay.figures.leads,
            sales_ready: replay.figures.sales_ready,
            lift: replay.figures.lift(),
            auc: replay.figures.auc,
            captured: replay.figures.captured_rate(),
            per_week: leads.weeks[set].map(|weeks| replay.figures.sales_ready.leads as f64 / weeks),
            followed_up,
        }
    };
    let spread = |replay: &Replay| -> Vec<(i32, usize)> {
        replay.by_score.iter().map(|t| (t.score, t.leads)).collect()
    };
    ThenNow {
        then: figures(tuning, 0),
        now: figures(check, 1),
        stability: population_stability(&spread(tuning), &spread(check)),
        evidence: tuning
            .evidence
            .iter()
            .cloned()
            .zip(check.evidence.iter().cloned())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::dataset::DataOrigin;
    use crate::core::scoring::RuleEffect;

    fn data(name: &str, columns: Vec<Column>) -> Dataset {
        Dataset::new(name, DataOrigin::File, columns).unwrap()
    }

    #[test]
    fn the_later_leads_follow_the_first_files_column_by_column() {
        let then = data(
            "q1.csv",
            vec![
                Column::new("Score", ColumnValues::Number(vec![1.0, f64::NAN])),
                Column::new(
                    "Source",
                    ColumnValues::Category(Categories::from_values([Some("Web"), None])),
                ),
                Column::new("Won", ColumnValues::Boolean(vec![Some(true), Some(false)])),
                Column::new(
                    "Note",
                    ColumnValues::Text(Texts::from_values([Some("a"), None])),
                ),
                Column::new("Kind", ColumnValues::Number(vec![3.0, 4.0])),
            ],
        );
        let later = data(
            "q2.csv",
            vec![
                Column::new(
                    "Source",
                    ColumnValues::Category(Categories::from_values([
                        Some("Referral"),
                        Some("Web"),
                        None,
                    ])),
                ),
                Column::new("Score", ColumnValues::Number(vec![5.0, 6.0, 7.0])),
                Column::new(
                    "Won",
                    ColumnValues::Boolean(vec![None, Some(true), Some(false)]),
                ),
                Column::new(
                    "Note",
                    ColumnValues::Text(Texts::from_values([None, Some("b"), Some("c")])),
                ),
                Column::new(
                    "Kind",
                    ColumnValues::Text(Texts::from_values([Some("x"), Some("5"), None])),
                ),
                Column::new("Extra", ColumnValues::Number(vec![0.0; 3])),
            ],
        );
        let (both, export) = append_later(&then, &later).unwrap();
        assert_eq!(both.row_count(), 5);
        assert_eq!(both.name(), "q1.csv");
        assert_eq!(
            export,
            LaterExport {
                name: "q2.csv".into(),
                first_row: 2,
                rows: 3,
                ignored: vec!["Extra".into()],
                as_text: vec!["Kind".into()],
            }
        );
        let texts = |name: &str| -> Vec<Option<String>> {
            let column = both.column(name).unwrap();
            (0..5)
                .map(|r| column.text(r).map(|t| t.into_owned()))
                .collect()
        };
        let some = |v: &[Option<&str>]| -> Vec<Option<String>> {
            v.iter().map(|s| s.map(str::to_owned)).collect()
        };
        assert_eq!(
            texts("Source"),
            some(&[Some("Web"), None, Some("Referral"), Some("Web"), None])
        );
        assert_eq!(
            texts("Score"),
            some(&[Some("1"), None, Some("5"), Some("6"), Some("7")])
        );
        assert_eq!(
            texts("Won"),
            some(&[
                Some("true"),
                Some("false"),
                None,
                Some("true"),
                Some("false")
            ])
        );
        assert_eq!(
            texts("Note"),
            some(&[Some("a"), None, None, Some("b"), Some("c")])
        );
        assert_eq!(
            texts("Kind"),
            some(&[Some("3"), Some("4"), Some("x"), Some("5"), None]),
            "typed differently: text in both"
        );
        let Some(ColumnValues::Category(source)) = both.column("Source").map(|c| &c.values) else {
            panic!("a category stays a category");
        };
        assert_eq!(source.labels(), ["Web", "Referral"], "one dictionary");
    }

    /// Through the loader: the later file, its columns in another order and
    /// one value that would have made its column text, is typed as the
    /// first file was.
    #[test]
    fn a_later_file_is_read_with_the_first_files_typing() {
        use crate::core::dataset::ColumnKind;
        use crate::core::ingest::{load_bytes, LoadOptions};
        let first = load_bytes(
            "q1.csv",
            b"Lead,Employees,Source,Won\n1,10,Web,yes\n2,250,Referral,no\n",
            &LoadOptions::default(),
        )
        .unwrap();
        let options = later_options(&LoadOptions::default(), &first.dataset, Some(&first.report));
        let second = load_bytes(
            "q2.csv",
            b"Won;Source;Employees;Lead\nno;Web;unknown;3\nyes;Events;40;4\n",
            &options,
        )
        .unwrap();
        assert_eq!(
            second.dataset.column("Employees").unwrap().kind(),
            ColumnKind::Number,
            "forced to the first file's type, the odd value unreadable"
        );
        let (both, export) = append_later(&first.dataset, &second.dataset).unwrap();
        assert!(export.as_text.is_empty(), "{:?}", export.as_text);
        assert_eq!(export.first_row, 2);
        let employees = both.column("Employees").unwrap();
        let values: Vec<Option<String>> = (0..4)
            .map(|r| employees.text(r).map(|t| t.into_owned()))
            .collect();
        assert_eq!(
            values,
            [
                Some("10".into()),
                Some("250".into()),
                None,
                Some("40".into())
            ]
        );
        assert_eq!(both.column("Won").unwrap().kind(), ColumnKind::Boolean);
    }

    #[test]
    fn a_later_file_needs_every_column_and_some_leads() {
        let then = data(
            "q1.csv",
            vec![
                Column::new("A", ColumnValues::Number(vec![1.0])),
                Column::new("B", ColumnValues::Number(vec![1.0])),
            ],
        );
        let later = data(
            "q2.csv",
            vec![Column::new("A", ColumnValues::Number(vec![2.0]))],
        );
        let error = append_later(&then, &later).unwrap_err();
        assert_eq!(error, LaterExportError::MissingColumns(vec!["B".into()]));
        assert!(error.to_string().contains("“B”"), "{error}");
        let empty = data(
            "q2.csv",
            vec![Column::new("A", ColumnValues::Number(vec![]))],
        );
        assert_eq!(append_later(&then, &empty), Err(LaterExportError::NoLeads));
    }

    /// Then and now against a naive recomputation over each file's leads.
    #[test]
    fn then_and_now_are_each_files_own_figures() {
        use crate::core::engine::ReplaySettings;
        use crate::core::followup::FollowUpFacts;
        use crate::core::metrics::key_figures;
        use crate::core::sample::{sample_dataset, sample_mapping, sample_scenario};
        use crate::core::scoring::{evaluate_criteria, score_leads};
        let data = sample_dataset();
        let mapping = sample_mapping();
        let first_row = 3_000;
        let facts = LeadFacts::new(&data, &mapping)
            .unwrap()
            .with_later(first_row);
        assert_eq!(facts.tuning_leads(), first_row);
        let scenario = sample_scenario();
        let evaluations = evaluate_criteria(&data, &scenario.criteria);
        let grouping = Grouping::new(&scenario, &evaluations, &facts);
        let settings = ReplaySettings::default();
        let tuning = Replay::run(&scenario, &grouping, &facts, &settings);
        let check = tuning
            .check_of(&scenario, &grouping, &facts, &settings)
            .unwrap();
        let Some(ColumnValues::Date(created)) = data.column("Created").map(|c| &c.values) else {
            panic!("the sample has created dates");
        };
        let follow = FollowUpFacts::new(&data, &mapping);
        let followed = follow.followed_up.as_deref().unwrap();
        let leads = LeadsThenNow::new(&grouping, &facts, Some(created), Some(followed));
        let compared = then_and_now(&tuning, &check, &leads);
        let scores = score_leads(data.row_count(), &scenario.criteria, &evaluations);
        let rows = data.row_count();
        for (set, figures, range) in [
            ("then", &compared.then, 0..first_row),
            ("now", &compared.now, first_row..rows),
        ] {
            let naive = key_figures(
                &scores[range.clone()],
                &facts.outcomes[range.clone()],
                scenario.threshold,
            );
            assert_eq!(figures.leads, range.len(), "{set}");
            assert_eq!(figures.sales_ready, naive.sales_ready, "{set}");
            assert_eq!(figures.captured, naive.captured_rate(), "{set}");
            assert_eq!(figures.lift, naive.lift(), "{set}");
            let ready: Vec<usize> = range
                .clone()
                .filter(|&r| scores[r] >= scenario.threshold)
                .collect();
            let known: Vec<bool> = ready.iter().filter_map(|&r| followed[r]).collect();
            assert_eq!(
                figures.followed_up,
                Some(Rate {
                    converted: known.iter().filter(|&&k| k).count(),
                    leads: known.len()
                }),
                "{set}"
            );
            let dates: Vec<i64> = range.clone().filter_map(|r| created[r]).collect();
            let span =
                (dates.iter().max().unwrap() - dates.iter().min().unwrap()) as f64 / 604_800.0;
            let per_week = figures.per_week.unwrap();
            assert!(
                (per_week - ready.len() as f64 / span).abs() < 1e-9 * per_week,
                "{set}"
            );
        }
        // Stability of the scores, tallied naively.
        let tally = |range: std::ops::Range<usize>| {
            let mut by: std::collections::BTreeMap<i32, usize> = Default::default();
            for r in range {
                *by.entry(scores[r]).or_default() += 1;
            }
            by.into_iter().collect::<Vec<_>>()
        };
        assert_eq!(
            compared.stability,
            population_stability(&tally(0..first_row), &tally(first_row..rows))
        );
        assert_eq!(compared.evidence.len(), scenario.criteria.len());
        let demo = |range: std::ops::Range<usize>| {
            let RuleEffect::Matches(set) = evaluations[0].as_ref().unwrap() else {
                panic!("the first rule matches leads")
            };
            range.filter(|&r| set.contains(r)).count()
        };
        assert_eq!(
            compared.evidence[0].0.matched.unwrap().leads,
            demo(0..first_row)
        );
        assert_eq!(
            compared.evidence[0].1.matched.unwrap().leads,
            demo(first_row..rows)
        );
    }
}
