//! Aggregated data: a pattern table, as a warehouse computes it.
//!
//! Every figure leadlens shows depends on the leads only through the
//! tallies of each *pattern* of rule matches (see [`crate::core::engine`]).
//! The pattern query ([`crate::core::sql::export_pattern_query`]) has a
//! warehouse evaluate every criterion's rule on every lead and count the
//! leads per pattern, split further by what the follow-up figures and the
//! check set need: whether the lead was followed up, its response-time
//! bucket and SLA bin, and whether it is in the check set. Its result,
//! exported as CSV, is read back here ([`PatternData::read`]) into weighted
//! rows (one per table row and outcome, standing for that many leads) that
//! the engine tallies exactly as it tallies leads.
//!
//! Columns are found by name: the tallies under fixed names ([`LEADS`],
//! [`CONVERTED`], …) and each rule under a name derived from the rule
//! itself ([`rule_column`]), so that a criterion finds its column whatever
//! its label or points, and a rule that was edited since the query ran
//! finds none and says so.

use std::fmt;

use fixedbitset::FixedBitSet;

use super::criteria::{Criterion, Rule, RuleTest};
use super::dataset::{Column, ColumnValues, Dataset};
use super::engine::{weeks_spanned, LeadFacts};
use super::followup::{hours_standing_for, FollowUpFacts, FollowUpRole, ResponseTime};
use super::scoring::{Evaluation, RuleEffect, RuleProblem};
use super::split::{judged, CheckSet, CheckSplit};

/// Leads in the pattern (a whole number).
pub const LEADS: &str = "ll_leads";
/// Converted leads in the pattern.
pub const CONVERTED: &str = "ll_converted";
/// Sum of the deal values of the pattern's converted leads.
pub const DEAL_VALUE: &str = "ll_deal_value";
/// How many of the pattern's converted leads have a deal value.
pub const DEAL_VALUES: &str = "ll_deal_values";
/// Followed up: 1 yes, 0 no, -1 unknown.
pub const FOLLOWED_UP: &str = "ll_followed_up";
/// Response-time bucket, as [`ResponseTime::ALL`] indexes them; 6 where the
/// time is unknown.
pub const RESPONSE_TIME: &str = "ll_response_time";
/// SLA bin of an answered lead's response time; empty otherwise.
pub const RESPONSE_BIN: &str = "ll_response_bin";
/// The earliest and the latest created date in the pattern.
pub const FIRST_CREATED: &str = "ll_first_created";
pub const LAST_CREATED: &str = "ll_last_created";
/// 1 for the check set's leads, 0 for the tuning set's.
pub const CHECK: &str = "ll_check";

const RULE_PREFIX: &str = "ll_rule_";
const UNITS_PREFIX: &str = "ll_units_";

/// Whether `data` is a pattern table: it has the lead and conversion
/// counts under their names.
pub fn is_pattern_table(data: &Dataset) -> bool {
    find(data, LEADS).is_some() && find(data, CONVERTED).is_some()
}

fn find<'d>(data: &'d Dataset, name: &str) -> Option<&'d Column> {
    data.columns()
        .iter()
        .find(|c| c.name.trim().eq_ignore_ascii_case(name))
}

/// A rule's identity: 16 hex digits of an FNV-1a hash of the rule as JSON
/// (its column and test; for a per-unit rule without its points, which
/// change only the cap), the same in every build.
fn rule_key(rule: &Rule) -> String {
    let mut rule = rule.clone();
    if let RuleTest::PerUnit { .. } = rule.test {
        rule.test = RuleTest::PerUnit {
            points_per_unit: 0,
            max_points: 0,
        };
    }
    let mut text = serde_json::to_string(&rule).unwrap_or_default();
    // JSON writes every non-finite number as null: the bits tell them apart.
    let numbers: &[f64] = match &rule.test {
        RuleTest::Gte { value } | RuleTest::Lte { value } => &[*value],
        RuleTest::Between { min, max } => &[*min, *max],
        _ => &[],
    };
    for x in numbers.iter().filter(|x| !x.is_finite()) {
        text.push_str(&format!("|{:016x}", x.to_bits()));
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The units a per-unit rule counts up to before more add nothing.
fn unit_cap(rule: &Rule) -> u32 {
    Criterion::new("", 0, &rule.column, rule.test.clone()).unit_cap()
}

/// The pattern table's column for `rule`: `ll_rule_<key>` holding 1 where
/// the rule matches and 0 elsewhere, or for a per-unit rule
/// `ll_units_<key>_<cap>` holding the units counted, at most the cap.
/// Short and plain enough for every warehouse's column names.
pub fn rule_column(rule: &Rule) -> String {
    match rule.test {
        RuleTest::PerUnit { .. } => format!("{UNITS_PREFIX}{}_{}", rule_key(rule), unit_cap(rule)),
        _ => format!("{RULE_PREFIX}{}", rule_key(rule)),
    }
}

/// Why a pattern table cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternTableError {
    /// A column the table must have.
    MissingColumn(&'static str),
    /// A column of the wrong kind (dates where numbers belong, say).
    WrongKind {
        column: String,
        expected: &'static str,
    },
    /// A count or code that is not a whole number in range.
    BadValue {
        column: String,
        row: usize,
        value: String,
        expected: &'static str,
    },
    /// More conversions (or deal values) than leads in a row.
    MoreThanLeads { column: &'static str, row: usize },
    /// More leads than this device can count.
    TooManyLeads,
    /// No row holds a lead.
    NoLeads,
}

impl fmt::Display for PatternTableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternTableError::MissingColumn(name) => write!(
                f,
                "the pattern table has no column '{name}': export the result of the \
                 pattern query with all its columns"
            ),
            PatternTableError::WrongKind { column, expected } => write!(
                f,
                "the pattern table's column '{column}' should hold {expected}; \
                 check its type in the column list"
            ),
            PatternTableError::BadValue {
                column,
                row,
                value,
                expected,
            } => write!(
                f,
                "row {row} of the pattern table has '{value}' in '{column}', \
                 which should hold {expected}"
            ),
            PatternTableError::MoreThanLeads { column, row } => write!(
                f,
                "row {row} of the pattern table counts more in '{column}' than it has leads"
            ),
            PatternTableError::TooManyLeads => {
                f.write_str("the pattern table counts more leads than this device can add up")
            }
            PatternTableError::NoLeads => f.write_str("the pattern table counts no leads"),
        }
    }
}

impl std::error::Error for PatternTableError {}

/// One rule's column of a pattern table, per weighted row.
#[derive(Debug, Clone, PartialEq)]
struct RuleColumn {
    key: String,
    /// Units for a per-unit rule (the most it holds), else `None`.
    cap: Option<u32>,
    values: Vec<u32>,
}

/// A pattern table read into weighted rows: each table row becomes one
/// row for its converted leads and one for the others (where it has any).
#[derive(Debug, Clone, PartialEq)]
pub struct PatternData {
    /// Rows of the table as read.
    pub table_rows: usize,
    /// Every lead counted, and the converted ones.
    pub leads: usize,
    pub converted: usize,
    outcomes: Vec<bool>,
    weights: Vec<usize>,
    /// Per row, the sum of the deal values of its converted leads (NaN
    /// where none has one), and how many have one; `None` without the
    /// columns.
    deals: Option<(Vec<f64>, Vec<usize>)>,
    followed_up: Option<Vec<Option<bool>>>,
    /// A time standing for the row's response-time bucket and SLA bin.
    response_hours: Option<Vec<f64>>,
    check: Option<FixedBitSet>,
    weeks: Option<f64>,
    rules: Vec<RuleColumn>,
}

/// A column's cells as numbers, for counts and codes: a yes/no column
/// reads 1 and 0; empty cells are `None`.
fn numbers(column: &Column, expected: &'static str) -> Result<Vec<Option<f64>>, PatternTableError> {
    match &column.values {
        ColumnValues::Number(values) => {
            Ok(values.iter().map(|&x| (!x.is_nan()).then_some(x)).collect())
        }
        ColumnValues::Boolean(values) => Ok(values
            .iter()
            .map(|v| v.map(|b| f64::from(u8::from(b))))
            .collect()),
        _ => Err(PatternTableError::WrongKind {
            column: column.name.clone(),
            expected,
        }),
    }
}

/// Whole numbers from `low` to `high`, empty cells allowed where `empty`
/// is.
fn whole(
    column: &Column,
    low: f64,
    high: f64,
    empty: bool,
    expected: &'static str,
) -> Result<Vec<Option<u64>>, PatternTableError> {
    let values = numbers(column, expected)?;
    values
        .iter()
        .enumerate()
        .map(|(row, &x)| match x {
            Some(x) if x.fract() == 0.0 && (low..=high).contains(&x) => Ok(Some(x as i64 as u64)),
            None if empty => Ok(None),
            _ => Err(PatternTableError::BadValue {
                column: column.name.clone(),
                row: row + 1,
                value: column.text(row).map(|t| t.into_owned()).unwrap_or_default(),
                expected,
            }),
        })
        .collect()
}

fn dates(column: &Column) -> Result<&[Option<i64>], PatternTableError> {
    match &column.values {
        ColumnValues::Date(dates) => Ok(dates),
        _ => Err(PatternTableError::WrongKind {
            column: column.name.clone(),
            expected: "dates",
        }),
    }
}

/// The most leads a count may hold: well within what a `usize` adds up on
/// 32-bit WebAssembly.
const MAX_COUNT: f64 = 4_000_000_000.0;

impl PatternData {
    /// Reads a pattern table loaded as data (see [`is_pattern_table`]).
    pub fn read(data: &Dataset) -> Result<PatternData, PatternTableError> {
        let column = |name: &'static str| find(data, name);
        let required =
            |name: &'static str| column(name).ok_or(PatternTableError::MissingColumn(name));
        const COUNT: &str = "whole numbers of leads";
        let leads = whole(required(LEADS)?, 0.0, MAX_COUNT, false, COUNT)?;
        let converted = whole(required(CONVERTED)?, 0.0, MAX_COUNT, false, COUNT)?;
        let deals = match (column(DEAL_VALUE), column(DEAL_VALUES)) {
            (_, None) => None,
            (sum, Some(count)) => {
                let counts = whole(count, 0.0, MAX_COUNT, false, COUNT)?;
                let sums = match sum {
                    Some(sum) => numbers(sum, "sums of deal values")?,
                    None => vec![None; data.row_count()],
                };
                Some((sums, counts))
            }
        };
        let followed = column(FOLLOWED_UP)
            .map(|c| whole(c, -1.0, 1.0, true, "1, 0 or -1 (followed up, not, unknown)"))
            .transpose()?;
        let times = column(RESPONSE_TIME)
            .map(|c| {
                whole(
                    c,
                    0.0,
                    ResponseTime::ALL.len() as f64,
                    false,
                    "response-time buckets from 0 to 6",
                )
            })
            .transpose()?;
        let bins = column(RESPONSE_BIN)
            .map(|c| whole(c, 0.0, 271.0, true, "response-time bins from 0 to 271"))
            .transpose()?;
        let check = column(CHECK)
            .map(|c| whole(c, 0.0, 1.0, false, "1 or 0"))
            .transpose()?;
        let created: Vec<&[Option<i64>]> = [FIRST_CREATED, LAST_CREATED]
            .into_iter()
            .filter_map(column)
            .map(dates)
            .collect::<Result<_, _>>()?;
        let mut rule_columns: Vec<(RuleColumn, Vec<Option<u64>>)> = Vec::new();
        for c in data.columns() {
            let name = c.name.trim().to_ascii_lowercase();
            if let Some(key) = name.strip_prefix(RULE_PREFIX) {
                let values = whole(c, 0.0, 1.0, false, "1 or 0 (the rule matches or not)")?;
                rule_columns.push((
                    RuleColumn {
                        key: key.to_owned(),
                        cap: None,
                        values: Vec::new(),
                    },
                    values,
                ));
            } else if let Some((key, cap)) = name
                .strip_prefix(UNITS_PREFIX)
                .and_then(|rest| rest.split_once('_'))
            {
                let Ok(cap) = cap.parse::<u32>() else {
                    continue;
                };
                let values = whole(c, 0.0, f64::from(cap), false, "whole numbers of units")?;
                rule_columns.push((
                    RuleColumn {
                        key: key.to_owned(),
                        cap: Some(cap),
                        values: Vec::new(),
                    },
                    values,
                ));
            }
        }

        let mut out = PatternData {
            table_rows: data.row_count(),
            leads: 0,
            converted: 0,
            outcomes: Vec::new(),
            weights: Vec::new(),
            deals: deals.as_ref().map(|_| (Vec::new(), Vec::new())),
            followed_up: followed.as_ref().map(|_| Vec::new()),
            response_hours: times.as_ref().map(|_| Vec::new()),
            check: None,
            weeks: weeks_spanned(created.iter().flat_map(|d| d.iter().flatten().copied())),
            rules: Vec::new(),
        };
        let mut check_rows: Vec<bool> = Vec::new();
        let mut rule_values: Vec<Vec<u32>> = vec![Vec::new(); rule_columns.len()];
        for row in 0..data.row_count() {
            let (all, won) = (leads[row].unwrap_or(0), converted[row].unwrap_or(0));
            if won > all {
                return Err(PatternTableError::MoreThanLeads {
                    column: CONVERTED,
                    row: row + 1,
                });
            }
            let (sum, valued) = match &deals {
                Some((sums, counts)) => (
                    sums[row].unwrap_or(f64::NAN),
                    counts[row].unwrap_or(0) as usize,
                ),
                None => (f64::NAN, 0),
            };
            if valued as u64 > won {
                return Err(PatternTableError::MoreThanLeads {
                    column: DEAL_VALUES,
                    row: row + 1,
                });
            }
            let hours = match (&times, &bins) {
                (Some(times), bins) => {
                    let bucket = times[row].unwrap_or(6) as usize;
                    let bin = bins.as_ref().and_then(|b| b[row]).map(|b| b as usize);
                    let hours = hours_standing_for(bucket, bin).ok_or_else(|| {
                        PatternTableError::BadValue {
                            column: RESPONSE_BIN.to_owned(),
                            row: row + 1,
                            value: bin.map_or_else(String::new, |b| b.to_string()),
                            expected: "the bin of a time in the row's response-time bucket",
                        }
                    })?;
                    Some(hours)
                }
                (None, _) => None,
            };
            let followed = followed.as_ref().map(|f| match f[row] {
                Some(1) => Some(true),
                Some(0) => Some(false),
                _ => None,
            });
            for (weight, outcome) in [(all - won, false), (won, true)] {
                if weight == 0 {
                    continue;
                }
                let weight =
                    usize::try_from(weight).map_err(|_| PatternTableError::TooManyLeads)?;
                out.leads = out
                    .leads
                    .checked_add(weight)
                    .ok_or(PatternTableError::TooManyLeads)?;
                if outcome {
                    out.converted += weight;
                }
                out.outcomes.push(outcome);
                out.weights.push(weight);
                if let Some((sums, counts)) = &mut out.deals {
                    sums.push(if outcome { sum } else { f64::NAN });
                    counts.push(if outcome { valued } else { 0 });
                }
                if let (Some(list), Some(f)) = (&mut out.followed_up, followed) {
                    list.push(f);
                }
                if let (Some(list), Some(h)) = (&mut out.response_hours, hours) {
                    list.push(h);
                }
                if let Some(check) = &check {
                    check_rows.push(check[row] == Some(1));
                }
                for (values, (_, column)) in rule_values.iter_mut().zip(&rule_columns) {
                    values.push(column[row].unwrap_or(0) as u32);
                }
            }
        }
        if out.leads == 0 {
            return Err(PatternTableError::NoLeads);
        }
        if check.is_some() {
            let mut rows = FixedBitSet::with_capacity(check_rows.len());
            for (row, &checked) in check_rows.iter().enumerate() {
                rows.set(row, checked);
            }
            out.check = Some(rows);
        }
        out.rules = rule_columns
            .into_iter()
            .zip(rule_values)
            .map(|((column, _), values)| RuleColumn { values, ..column })
            .collect();
        Ok(out)
    }

    /// The leads a rule matches (or the units it counts), read from its
    /// column; a rule whose column is not in the table (one edited since
    /// the query ran) cannot be applied, and says so.
    pub fn evaluate(&self, rule: &Rule) -> Evaluation {
        let column = self
            .column_of(rule)
            .ok_or_else(|| RuleProblem::NotInPatternTable {
                column: rule.column.clone(),
            })?;
        Ok(match column.cap {
            Some(_) => RuleEffect::Units(column.values.clone()),
            None => {
                let mut set = FixedBitSet::with_capacity(column.values.len());
                for (row, &v) in column.values.iter().enumerate() {
                    set.set(row, v > 0);
                }
                RuleEffect::Matches(set)
            }
        })
    }

    /// The column holding `rule`'s matches, or for a per-unit rule units
    /// counted up to at least its cap (a higher cap counts the same up to
    /// this one).
    fn column_of(&self, rule: &Rule) -> Option<&RuleColumn> {
        let key = rule_key(rule);
        let cap = matches!(rule.test, RuleTest::PerUnit { .. }).then(|| unit_cap(rule));
        self.rules.iter().find(|c| {
            c.key == key
                && match (cap, c.cap) {
                    (Some(cap), Some(have)) => have >= cap,
                    (None, None) => true,
                    _ => false,
                }
        })
    }

    /// Whether the table has a column for `criterion`'s rule.
    pub fn covers(&self, criterion: &Criterion) -> bool {
        self.column_of(&criterion.rule).is_some()
    }

    /// The lead facts of the weighted rows; the check set is the table's
    /// when it has one and `split` keeps one.
    pub fn facts(&self, split: &CheckSplit) -> LeadFacts {
        let check = match (&self.check, split.enabled) {
            (Some(rows), true) => judged(rows.clone(), &self.outcomes, Some(&self.weights)),
            _ => CheckSet::Off,
        };
        LeadFacts {
            outcomes: self.outcomes.clone(),
            deal_values: self.deals.as_ref().map(|(sums, _)| sums.clone()),
            weeks: self.weeks,
            check,
            weights: Some(self.weights.clone()),
        }
    }

    /// Whether the table holds a check set.
    pub fn has_check(&self) -> bool {
        self.check.is_some()
    }

    /// The follow-up facts of the weighted rows.
    pub fn follow_up_facts(&self) -> FollowUpFacts {
        let mut usable = [false; 5];
        usable[FollowUpRole::FollowedUp as usize] = self.followed_up.is_some();
        usable[FollowUpRole::ResponseHours as usize] = self.response_hours.is_some();
        usable[FollowUpRole::Created as usize] = self.weeks.is_some();
        usable[FollowUpRole::DealValue as usize] = self.deals.is_some();
        let deal_counts = match &self.deals {
            Some((_, counts)) => counts.clone(),
            None => vec![0; self.weights.len()],
        };
        FollowUpFacts::weighted(
            self.followed_up.clone(),
            self.response_hours.clone(),
            usable,
            self.weights.clone(),
            deal_counts,
        )
    }

    /// Rule columns in the table.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ingest::{load_bytes, LoadOptions};

    fn table(csv: &str) -> Dataset {
        load_bytes("patterns.csv", csv.as_bytes(), &LoadOptions::default())
            .unwrap()
            .dataset
    }

    const TABLE: &str = "ll_rule_0123456789abcdef,ll_units_fedcba9876543210_5,ll_followed_up,\
ll_response_time,ll_response_bin,ll_check,ll_leads,ll_converted,ll_deal_value,ll_deal_values,\
ll_first_created,ll_last_created
1,5,1,0,3,0,120,30,45000.5,28,2024-01-02 08:00:00,2024-06-30 17:45:00
0,2,0,5,,0,800,40,12000,35,2024-01-01,2024-06-29 09:00:00
1,0,-1,6,,1,60,9,,0,2024-05-01 00:00:00 UTC,2024-07-01T12:00:00Z
0,0,1,4,271,1,55,0,,0,2024-05-02,2024-07-01
";

    #[test]
    fn a_pattern_table_reads_into_weighted_rows() {
        let data = table(TABLE);
        assert!(is_pattern_table(&data));
        let patterns = PatternData::read(&data).unwrap();
        assert_eq!(
            (patterns.table_rows, patterns.leads, patterns.converted),
            (4, 1_035, 79)
        );
        // A row per outcome that has leads: 4 + 3 with conversions.
        assert_eq!(patterns.weights, [90, 30, 760, 40, 51, 9, 55]);
        assert_eq!(
            patterns.outcomes,
            [false, true, false, true, false, true, false]
        );
        let facts = patterns.facts(&CheckSplit::default());
        assert_eq!((facts.leads(), facts.converted()), (1_035, 79));
        // 2024-01-01 to 2024-07-01 12:00 whatever the dates' forms.
        assert!((facts.weeks.unwrap() - (182.5 * 86_400.0) / (7.0 * 86_400.0)).abs() < 1e-9);
        // 115 leads kept aside, 9 of them converted: too few to judge.
        assert_eq!(
            facts.check,
            CheckSet::TooFew {
                leads: 115,
                converted: 9
            }
        );
        let off = patterns.facts(&CheckSplit {
            enabled: false,
            ..CheckSplit::default()
        });
        assert_eq!(off.check, CheckSet::Off);
        let deals = facts.deal_values.unwrap();
        assert_eq!(deals[1], 45000.5);
        assert!(
            deals[0].is_nan() && deals[5].is_nan(),
            "only converted rows carry deal values"
        );
        let follow = patterns.follow_up_facts();
        assert_eq!(
            follow.followed_up.as_deref().unwrap(),
            [
                Some(true),
                Some(true),
                Some(false),
                Some(false),
                None,
                None,
                Some(true)
            ]
        );
        let hours = follow.response_hours.unwrap();
        // Bin 3 under an hour (15 to 20 minutes) and the open bin beyond 30 days.
        assert!(hours[0] > 0.25 && hours[0] <= 1.0 / 3.0, "{}", hours[0]);
        assert!(hours[6] > 720.0);
        assert!(hours[2].is_nan() && hours[4].is_nan());
        assert_eq!(follow.weights.unwrap().1, [0, 28, 0, 35, 0, 0, 0]);
    }

    #[test]
    fn rules_find_their_columns_by_what_they_test() {
        let rule = Rule {
            column: "Industry".into(),
            test: RuleTest::AnyOf {
                values: vec!["Software".into()],
            },
        };
        let per_unit = |points_per_unit, max_points| Rule {
            column: "Page views".into(),
            test: RuleTest::PerUnit {
                points_per_unit,
                max_points,
            },
        };
        let name = rule_column(&rule);
        assert!(name.starts_with("ll_rule_") && name.len() == "ll_rule_".len() + 16);
        assert_eq!(
            rule_column(&per_unit(2, 10)),
            format!("{}_5", rule_column(&per_unit(1, 5)).trim_end_matches("_5"))
        );
        let csv = format!(
            "{name},{},ll_leads,ll_converted\n1,5,10,4\n0,2,20,1\n",
            rule_column(&per_unit(2, 10))
        );
        let patterns = PatternData::read(&table(&csv)).unwrap();
        let Ok(RuleEffect::Matches(set)) = patterns.evaluate(&rule) else {
            panic!("the rule's column")
        };
        assert_eq!(set.ones().collect::<Vec<_>>(), [0, 1]);
        // Units counted up to 5 serve any cap up to 5, not a higher one.
        assert!(matches!(
            patterns.evaluate(&per_unit(5, 25)),
            Ok(RuleEffect::Units(_))
        ));
        assert!(matches!(
            patterns.evaluate(&per_unit(1, 6)),
            Err(RuleProblem::NotInPatternTable { .. })
        ));
        let edited = Rule {
            test: RuleTest::AnyOf {
                values: vec!["Retail".into()],
            },
            ..rule
        };
        assert_eq!(
            patterns.evaluate(&edited).unwrap_err().to_string(),
            "the pattern table was computed without this rule on 'Industry': re-run the \
             updated pattern query (SQL for the warehouse) and load its result"
        );
        // Non-finite thresholds are told apart, though JSON writes them all as null.
        let gte = |value| Rule {
            column: "Employees".into(),
            test: RuleTest::Gte { value },
        };
        assert_ne!(
            rule_column(&gte(f64::NAN)),
            rule_column(&gte(f64::INFINITY))
        );
        assert_ne!(
            rule_column(&gte(f64::INFINITY)),
            rule_column(&gte(f64::NEG_INFINITY))
        );
    }

    #[test]
    fn a_table_that_does_not_add_up_is_refused_in_words() {
        let refused = |csv: &str| PatternData::read(&table(csv)).unwrap_err().to_string();
        assert_eq!(
            refused("ll_leads,ll_converted\n10,11\n"),
            "row 1 of the pattern table counts more in 'll_converted' than it has leads"
        );
        assert_eq!(
            refused("ll_leads,ll_converted\n10,1\n2.5,1\n"),
            "row 2 of the pattern table has '2.5' in 'll_leads', which should hold whole numbers of leads"
        );
        assert_eq!(
            refused("ll_leads,ll_converted\n0,0\n"),
            "the pattern table counts no leads"
        );
        assert_eq!(
            refused("ll_leads,ll_converted,ll_deal_value,ll_deal_values\n10,1,50,2\n"),
            "row 1 of the pattern table counts more in 'll_deal_values' than it has leads"
        );
        assert!(
            refused("ll_leads,ll_converted,ll_response_time,ll_response_bin\n5,1,0,200\n")
                .contains("the bin of a time in the row's response-time bucket")
        );
        assert!(
            refused("ll_leads,ll_converted,ll_first_created\n5,1,soon\n")
                .contains("should hold dates")
        );
        assert!(
            refused("ll_leads,ll_converted,ll_rule_0123456789abcdef\n5,1,2\n")
                .contains("1 or 0 (the rule matches or not)")
        );
        assert!(!is_pattern_table(&table("leads,converted\n1,0\n")));
    }
}
