//! Outcomes from a second file: the leads in one export, what became of
//! them in another (closed deals, opportunities, a list of won accounts),
//! matched on a key column of each.
//!
//! Keys match ignoring case and surrounding space. A lead converts when a
//! row of the second file matches it (or a matching row holds a chosen
//! value, or has a chosen column filled in). The second file's deal value,
//! close date and owner may come over even when a lead matches several
//! rows (summed, the earliest, the first); its other columns come over
//! only when no lead matches more than one row. Every column that comes
//! over is what happened after the lead was worked, so the mapping marks
//! it known only afterwards.

use std::borrow::Cow;
use std::fmt;
use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use super::dataset::{Categories, Column, ColumnKind, ColumnValues, Dataset, Texts};
use super::format;
use super::mapping::{normalise_header, ColumnMapping, DEFAULT_CONVERTED_VALUES};

/// The name of the yes/no column the join adds: whether the lead converted
/// by the second file.
pub const JOINED_OUTCOME: &str = "joined outcome";

/// When a lead counts as converted by the second file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "when", rename_all = "snake_case")]
pub enum JoinOutcome {
    /// A row of the second file matches the lead.
    Matched,
    /// A matching row's `column` holds one of `values` (ignoring case and
    /// surrounding space), e.g. a stage of "Closed Won".
    OneOf { column: String, values: Vec<String> },
    /// A matching row has `column` filled in, e.g. a won date.
    Present { column: String },
}

impl JoinOutcome {
    /// The second file's column the rule reads, if any.
    pub fn column(&self) -> Option<&str> {
        match self {
            JoinOutcome::Matched => None,
            JoinOutcome::OneOf { column, .. } | JoinOutcome::Present { column } => Some(column),
        }
    }

    /// The rule in words, for the join's summary.
    pub fn describe(&self) -> String {
        match self {
            JoinOutcome::Matched => "a lead converted when a row matches it".to_owned(),
            JoinOutcome::OneOf { column, values } => {
                let listed: Vec<String> = values.iter().map(|v| format!("“{v}”")).collect();
                format!(
                    "a lead converted when a matching row's {column} is {}",
                    listed.join(" or ")
                )
            }
            JoinOutcome::Present { column } => {
                format!("a lead converted when a matching row has a {column}")
            }
        }
    }
}

/// How the leads are joined to a second file, by column names only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinSpec {
    /// The second file's name when it was joined, to ask for it again.
    pub file: String,
    /// The key column in the leads.
    pub lead_key: String,
    /// The key column in the second file.
    pub row_key: String,
    pub outcome: JoinOutcome,
    /// Columns of the second file that come over however many rows match
    /// a lead: the deal value (summed), the close date (the earliest) and
    /// the owner (the first row's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl JoinSpec {
    /// The second file's columns this join names.
    fn row_columns(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("key", Some(self.row_key.as_str())),
            ("outcome", self.outcome.column()),
            ("deal value", self.deal_value.as_deref()),
            ("close date", self.close_date.as_deref()),
            ("owner", self.owner.as_deref()),
        ]
        .into_iter()
        .filter_map(|(role, name)| name.map(|n| (role, n)))
    }
}

/// Why two files cannot be joined as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinError {
    /// The leads lack the key column.
    NoLeadKey(String),
    /// The second file lacks a column the join names, in this role.
    NoRowColumn { role: &'static str, name: String },
    /// A column the join takes over is not of the kind its role needs.
    WrongKind {
        role: &'static str,
        name: String,
        needs: ColumnKind,
    },
    /// The second file holds no rows.
    NoRows,
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::NoLeadKey(name) => write!(f, "the leads have no column “{name}”"),
            JoinError::NoRowColumn { role, name } => {
                write!(f, "the second file has no column “{name}” (its {role})")
            }
            JoinError::WrongKind { role, name, needs } => write!(
                f,
                "“{name}” cannot be the {role}: it is not a {} column",
                needs.label()
            ),
            JoinError::NoRows => f.write_str("the second file holds no rows"),
        }
    }
}

impl std::error::Error for JoinError {}

/// What a join matched, to show before it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JoinSummary {
    pub leads: usize,
    /// Leads with at least one matching row.
    pub leads_matched: usize,
    /// Leads that convert by the join's outcome rule.
    pub leads_converted: usize,
    /// Leads whose key is missing (they match nothing).
    pub leads_without_key: usize,
    /// Distinct keys held by more than one lead, and the leads holding them.
    pub lead_keys_shared: usize,
    pub leads_sharing_a_key: usize,
    /// Leads matching more than one row, and the most rows one lead matches.
    pub leads_with_several_rows: usize,
    pub most_rows_per_lead: usize,
    pub rows: usize,
    /// Rows whose key no lead has.
    pub rows_unmatched: usize,
    /// Rows whose key is missing.
    pub rows_without_key: usize,
    /// Distinct keys held by more than one row.
    pub row_keys_repeated: usize,
}

impl JoinSummary {
    /// Whether some lead matches several rows, so that the second file's
    /// columns other than the deal value, close date and owner stay out.
    pub fn one_to_many(&self) -> bool {
        self.leads_with_several_rows > 0
    }

    /// The summary in sentences, for the join step.
    pub fn describe(&self, spec: &JoinSpec) -> Vec<String> {
        let file = &spec.file;
        let mut lines = vec![format!(
            "{} of {} leads match a row of “{file}” ({} = {}); {} count as converted: {}.",
            format::count(self.leads_matched),
            format::count(self.leads),
            spec.lead_key,
            spec.row_key,
            format::count(self.leads_converted),
            spec.outcome.describe(),
        )];
        let mut rows = format!(
            "{} of its {} rows match no lead",
            format::count(self.rows_unmatched),
            format::count(self.rows)
        );
        if self.rows_without_key > 0 {
            rows.push_str(&format!(
                "; {} have no {}",
                format::count(self.rows_without_key),
                spec.row_key
            ));
        }
        if self.row_keys_repeated > 0 {
            rows.push_str(&format!(
                "; {} keys appear on more than one row",
                format::count(self.row_keys_repeated)
            ));
        }
        lines.push(rows + ".");
        if self.leads_without_key > 0 {
            lines.push(format!(
                "{} leads have no {}: they match nothing and count as not converted.",
                format::count(self.leads_without_key),
                spec.lead_key
            ));
        }
        if self.lead_keys_shared > 0 {
            lines.push(format!(
                "{} leads share {} keys with another lead: each of them takes the rows of its key.",
                format::count(self.leads_sharing_a_key),
                format::count(self.lead_keys_shared)
            ));
        }
        if self.one_to_many() {
            lines.push(format!(
                "{} leads match more than one row (up to {}): such a lead converts when any of \
                 its rows does; its deal value is the sum of those rows, its close date the \
                 earliest and its owner the first row's. The file's other columns are not added, \
                 since a lead column needs one row per lead.",
                format::count(self.leads_with_several_rows),
                format::count(self.most_rows_per_lead)
            ));
        }
        lines
    }
}

/// The leads with the columns a join adds.
#[derive(Debug, Clone, PartialEq)]
pub struct Joined {
    pub data: Dataset,
    pub columns: JoinedColumns,
}

/// What a join matched and the columns it added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinedColumns {
    pub summary: JoinSummary,
    /// The added yes/no outcome column's name.
    pub outcome: String,
    /// Every added column's name, the outcome first.
    pub added: Vec<String>,
    /// The added columns that hold the deal value and the owner.
    pub deal_value: Option<String>,
    pub owner: Option<String>,
}

impl JoinedColumns {
    /// `mapping` with the join's outcome, deal value and owner, and the
    /// added columns marked as known only after the lead was worked.
    pub fn apply_to(&self, mapping: &ColumnMapping, spec: &JoinSpec) -> ColumnMapping {
        let mut next = mapping.clone();
        next.join = Some(spec.clone());
        next.outcome = Some(self.outcome.clone());
        next.converted_values = Vec::new();
        if self.deal_value.is_some() {
            next.deal_value = self.deal_value.clone();
        }
        if self.owner.is_some() {
            next.owner = self.owner.clone();
        }
        for name in &self.added {
            if !next.known_after.contains(name) {
                next.known_after.push(name.clone());
            }
        }
        next
    }
}

/// A key as compared: trimmed and lower-cased; `None` when empty.
fn key_of(text: &str) -> Option<Cow<'_, str>> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        None
    } else if trimmed.is_ascii() && !trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
        Some(Cow::Borrowed(trimmed))
    } else {
        // Title-case letters lower too, though they are not upper case.
        Some(Cow::Owned(trimmed.to_lowercase()))
    }
}

fn column_key(column: &Column, row: usize) -> Option<String> {
    let text = column.text(row)?;
    key_of(&text).map(Cow::into_owned)
}

/// Per lead, the rows of the second file that match it, in file order.
struct Matches {
    /// `starts[lead]..starts[lead + 1]` indexes `rows`.
    starts: Vec<u32>,
    rows: Vec<u32>,
    summary: JoinSummary,
}

impl Matches {
    fn of(&self, lead: usize) -> &[u32] {
        &self.rows[self.starts[lead] as usize..self.starts[lead + 1] as usize]
    }
}

fn match_rows(lead_key: &Column, row_key: &Column) -> Matches {
    let mut by_key: FxHashMap<String, Vec<u32>> = FxHashMap::default();
    let mut summary = JoinSummary {
        leads: lead_key.len(),
        rows: row_key.len(),
        ..JoinSummary::default()
    };
    for row in 0..row_key.len() {
        match column_key(row_key, row) {
            Some(key) => by_key.entry(key).or_default().push(row as u32),
            None => summary.rows_without_key += 1,
        }
    }
    summary.row_keys_repeated = by_key.values().filter(|rows| rows.len() > 1).count();
    let mut starts = Vec::with_capacity(lead_key.len() + 1);
    let mut rows = Vec::new();
    let mut leads_per_key: FxHashMap<String, u32> = FxHashMap::default();
    starts.push(0);
    for lead in 0..lead_key.len() {
        match column_key(lead_key, lead) {
            Some(key) => {
                if let Some(matched) = by_key.get(&key) {
                    rows.extend_from_slice(matched);
                    summary.leads_matched += 1;
                    if matched.len() > 1 {
                        summary.leads_with_several_rows += 1;
                        summary.most_rows_per_lead = summary.most_rows_per_lead.max(matched.len());
                    }
                }
                *leads_per_key.entry(key).or_default() += 1;
            }
            None => summary.leads_without_key += 1,
        }
        starts.push(rows.len() as u32);
    }
    summary.most_rows_per_lead = summary
        .most_rows_per_lead
        .max(usize::from(summary.leads_matched > 0));
    for &leads in leads_per_key.values().filter(|&&leads| leads > 1) {
        summary.lead_keys_shared += 1;
        summary.leads_sharing_a_key += leads as usize;
    }
    summary.rows_unmatched = by_key
        .iter()
        .filter(|(key, _)| !leads_per_key.contains_key(*key))
        .map(|(_, rows)| rows.len())
        .sum();
    Matches {
        starts,
        rows,
        summary,
    }
}

/// Per row of the second file, whether it meets the outcome rule.
fn rows_meeting(outcome: &JoinOutcome, rows: &Dataset) -> Result<Vec<bool>, JoinError> {
    let find = |name: &str| {
        rows.column(name).ok_or_else(|| JoinError::NoRowColumn {
            role: "outcome",
            name: name.to_owned(),
        })
    };
    Ok(match outcome {
        JoinOutcome::Matched => vec![true; rows.row_count()],
        JoinOutcome::OneOf { column, values } => {
            let column = find(column)?;
            let wanted: Vec<String> = values
                .iter()
                .filter_map(|v| key_of(v).map(Cow::into_owned))
                .collect();
            (0..column.len())
                .map(|row| {
                    column
                        .text(row)
                        .and_then(|t| key_of(&t).map(|k| wanted.iter().any(|w| *w == k)))
                        .unwrap_or(false)
                })
                .collect()
        }
        JoinOutcome::Present { column } => {
            let column = find(column)?;
            (0..column.len())
                .map(|row| !column.is_missing(row))
                .collect()
        }
    })
}

/// A name for an added column that no lead column (nor one added before)
/// has: `wanted`, else `wanted (joined)`, else `wanted (joined 2)`, ….
fn free_name(taken: &FxHashSet<String>, wanted: &str) -> String {
    if !taken.contains(wanted) {
        return wanted.to_owned();
    }
    let joined = format!("{wanted} (joined)");
    if !taken.contains(&joined) {
        return joined;
    }
    (2..)
        .map(|n| format!("{wanted} (joined {n})"))
        .find(|name| !taken.contains(name))
        .expect("some numbered name is free")
}

/// `column`'s value at the row each lead takes (`None`: missing).
fn gather(column: &Column, take: &[Option<u32>]) -> ColumnValues {
    let at = |lead: usize| take[lead].map(|r| r as usize);
    match &column.values {
        ColumnValues::Number(v) => ColumnValues::Number(
            (0..take.len())
                .map(|l| at(l).map_or(f64::NAN, |r| v[r]))
                .collect(),
        ),
        ColumnValues::Boolean(v) => {
            ColumnValues::Boolean((0..take.len()).map(|l| at(l).and_then(|r| v[r])).collect())
        }
        ColumnValues::Date(v) => {
            ColumnValues::Date((0..take.len()).map(|l| at(l).and_then(|r| v[r])).collect())
        }
        ColumnValues::Time(v) => {
            ColumnValues::Time((0..take.len()).map(|l| at(l).and_then(|r| v[r])).collect())
        }
        ColumnValues::Category(c) => ColumnValues::Category(Categories::from_values(
            (0..take.len()).map(|l| at(l).and_then(|r| c.get(r))),
        )),
        ColumnValues::Text(t) => ColumnValues::Text(Texts::from_values(
            (0..take.len()).map(|l| at(l).and_then(|r| t.get(r))),
        )),
    }
}

/// The second file's column `name` in `role`, of kind `needs` if given.
fn row_column<'a>(
    rows: &'a Dataset,
    role: &'static str,
    name: &str,
    needs: Option<ColumnKind>,
) -> Result<&'a Column, JoinError> {
    let column = rows.column(name).ok_or_else(|| JoinError::NoRowColumn {
        role,
        name: name.to_owned(),
    })?;
    match needs {
        Some(kind) if column.kind() != kind => Err(JoinError::WrongKind {
            role,
            name: name.to_owned(),
            needs: kind,
        }),
        _ => Ok(column),
    }
}

/// The matching rows' summary only, without building the joined columns.
pub fn join_summary(
    leads: &Dataset,
    rows: &Dataset,
    spec: &JoinSpec,
) -> Result<JoinSummary, JoinError> {
    matched(leads, rows, spec).map(|m| m.summary)
}

/// What both [`join`] and [`join_summary`] work out: each lead's matching
/// rows, which rows meet the outcome rule, each lead's outcome, and the
/// counts.
struct Matched {
    matches: Matches,
    meets: Vec<bool>,
    converted: Vec<Option<bool>>,
    summary: JoinSummary,
}

fn matched(leads: &Dataset, rows: &Dataset, spec: &JoinSpec) -> Result<Matched, JoinError> {
    check(leads, rows, spec)?;
    let lead_key = leads.column(&spec.lead_key).expect("checked");
    let row_key = rows.column(&spec.row_key).expect("checked");
    let matches = match_rows(lead_key, row_key);
    let meets = rows_meeting(&spec.outcome, rows)?;
    let converted: Vec<Option<bool>> = (0..leads.row_count())
        .map(|lead| Some(matches.of(lead).iter().any(|&r| meets[r as usize])))
        .collect();
    let mut summary = matches.summary;
    summary.leads_converted = converted.iter().filter(|c| **c == Some(true)).count();
    Ok(Matched {
        matches,
        meets,
        converted,
        summary,
    })
}

fn check(leads: &Dataset, rows: &Dataset, spec: &JoinSpec) -> Result<(), JoinError> {
    if leads.column(&spec.lead_key).is_none() {
        return Err(JoinError::NoLeadKey(spec.lead_key.clone()));
    }
    if rows.row_count() == 0 {
        return Err(JoinError::NoRows);
    }
    for (role, name) in spec.row_columns() {
        row_column(rows, role, name, None)?;
    }
    if let Some(name) = &spec.deal_value {
        row_column(rows, "deal value", name, Some(ColumnKind::Number))?;
    }
    if let Some(name) = &spec.close_date {
        row_column(rows, "close date", name, Some(ColumnKind::Date))?;
    }
    Ok(())
}

/// The leads with the columns `spec` brings over from `rows`.
pub fn join(leads: &Dataset, rows: &Dataset, spec: &JoinSpec) -> Result<Joined, JoinError> {
    let Matched {
        matches,
        meets,
        converted,
        summary,
    } = matched(leads, rows, spec)?;
    let n = leads.row_count();
    // The rows a lead's deal value, close date and owner come from: those
    // meeting the outcome rule, else all it matches.
    let counted: Vec<Vec<u32>> = (0..n)
        .map(|lead| {
            let matched = matches.of(lead);
            let meeting: Vec<u32> = matched
                .iter()
                .copied()
                .filter(|&r| meets[r as usize])
                .collect();
            if meeting.is_empty() {
                matched.to_vec()
            } else {
                meeting
            }
        })
        .collect();

    let mut taken: FxHashSet<String> = leads.columns().iter().map(|c| c.name.clone()).collect();
    let mut columns = leads.columns().to_vec();
    let mut added = Vec::new();
    let mut push =
        |columns: &mut Vec<Column>, taken: &mut FxHashSet<String>, wanted: &str, values| {
            let name = free_name(taken, wanted);
            taken.insert(name.clone());
            columns.push(Column::new(name.clone(), values));
            added.push(name.clone());
            name
        };
    let outcome = push(
        &mut columns,
        &mut taken,
        JOINED_OUTCOME,
        ColumnValues::Boolean(converted),
    );
    let first: Vec<Option<u32>> = counted.iter().map(|rows| rows.first().copied()).collect();
    let mut deal_value = None;
    let mut owner = None;
    if summary.one_to_many() {
        if let Some(name) = &spec.deal_value {
            let ColumnValues::Number(values) = &rows.column(name).expect("checked").values else {
                unreachable!("checked to be a number column")
            };
            let sums = counted
                .iter()
                .map(|rows| {
                    let present: Vec<f64> = rows
                        .iter()
                        .map(|&r| values[r as usize])
                        .filter(|x| !x.is_nan())
                        .collect();
                    if present.is_empty() {
                        f64::NAN
                    } else {
                        present.iter().sum()
                    }
                })
                .collect();
            deal_value = Some(push(
                &mut columns,
                &mut taken,
                name,
                ColumnValues::Number(sums),
            ));
        }
        if let Some(name) = &spec.close_date {
            let ColumnValues::Date(values) = &rows.column(name).expect("checked").values else {
                unreachable!("checked to be a date column")
            };
            let earliest = counted
                .iter()
                .map(|rows| rows.iter().filter_map(|&r| values[r as usize]).min())
                .collect();
            push(&mut columns, &mut taken, name, ColumnValues::Date(earliest));
        }
        if let Some(name) = &spec.owner {
            let column = rows.column(name).expect("checked");
            owner = Some(push(&mut columns, &mut taken, name, gather(column, &first)));
        }
    } else {
        // One row at most per lead: every column of the second file but
        // its key comes over as it is.
        for column in rows.columns().iter().filter(|c| c.name != spec.row_key) {
            let name = push(
                &mut columns,
                &mut taken,
                &column.name,
                gather(column, &first),
            );
            if spec.deal_value.as_deref() == Some(column.name.as_str()) {
                deal_value = Some(name.clone());
            }
            if spec.owner.as_deref() == Some(column.name.as_str()) {
                owner = Some(name);
            }
        }
    }
    let data = Dataset::new(leads.name(), leads.origin().clone(), columns)
        .expect("added columns have the leads' length and free names");
    Ok(Joined {
        data,
        columns: JoinedColumns {
            summary,
            outcome,
            added,
            deal_value,
            owner,
        },
    })
}

/// Column kinds that can hold a key.
fn can_be_key(column: &Column) -> bool {
    matches!(
        column.kind(),
        ColumnKind::Category | ColumnKind::Text | ColumnKind::Number
    )
}

/// At most this many rows of the second file are looked at to propose keys.
const PROPOSAL_ROWS: usize = 5_000;

fn hashed(key: &str) -> u64 {
    FxBuildHasher.hash_one(key)
}

/// The distinct keys of a column's first `limit` rows, hashed, and how
/// many rows had a key.
fn key_hashes(column: &Column, limit: usize) -> (FxHashSet<u64>, usize) {
    let mut set = FxHashSet::default();
    let mut present = 0;
    match &column.values {
        ColumnValues::Category(c) if c.codes().len() <= limit => {
            for label in c.labels() {
                if let Some(key) = key_of(label) {
                    set.insert(hashed(&key));
                }
            }
            present = c
                .codes()
                .iter()
                .filter(|&&code| code != super::dataset::MISSING_CODE)
                .count();
        }
        _ => {
            for row in 0..column.len().min(limit) {
                if let Some(text) = column.text(row) {
                    if let Some(key) = key_of(&text) {
                        set.insert(hashed(&key));
                        present += 1;
                    }
                }
            }
        }
    }
    (set, present)
}

/// Whether a column's keys are varied enough to identify leads or rows:
/// at least a tenth as many distinct keys as rows with a key, and more
/// than two (a yes/no-like column overlaps anything by chance).
fn varied(distinct: usize, present: usize) -> bool {
    distinct > 2 && distinct * 10 >= present
}

/// The key columns to join on: the pair whose keys overlap most (the share
/// of the second file's keys the leads have), names alike breaking ties.
/// `None` when no pair shares a key.
pub fn propose_keys(leads: &Dataset, rows: &Dataset) -> Option<(String, String)> {
    let row_sets: Vec<(&Column, FxHashSet<u64>)> = rows
        .columns()
        .iter()
        .filter(|c| can_be_key(c))
        .map(|c| (c, key_hashes(c, PROPOSAL_ROWS)))
        .filter(|(_, (set, present))| varied(set.len(), *present))
        .map(|(c, (set, _))| (c, set))
        .collect();
    if row_sets.is_empty() {
        return None;
    }
    let mut best: Option<(f64, u8, String, String)> = None;
    for lead_column in leads.columns().iter().filter(|c| can_be_key(c)) {
        let (lead_set, present) = key_hashes(lead_column, usize::MAX);
        if !varied(lead_set.len(), present) {
            continue;
        }
        let lead_name = normalise_header(&lead_column.name);
        for (row_column, row_set) in &row_sets {
            let shared = row_set.iter().filter(|k| lead_set.contains(k)).count();
            if shared == 0 {
                continue;
            }
            let overlap = shared as f64 / row_set.len() as f64;
            let row_name = normalise_header(&row_column.name);
            let alike = if lead_name == row_name {
                2
            } else if !lead_name.is_empty()
                && !row_name.is_empty()
                && (lead_name.contains(&row_name) || row_name.contains(&lead_name))
            {
                1
            } else {
                0
            };
            let better = best.as_ref().is_none_or(|(o, a, _, _)| {
                overlap > *o + 1e-9 || ((overlap - *o).abs() <= 1e-9 && alike > *a)
            });
            if better {
                best = Some((
                    overlap,
                    alike,
                    lead_column.name.clone(),
                    row_column.name.clone(),
                ));
            }
        }
    }
    best.map(|(_, _, lead, row)| (lead, row))
}

/// Headers (normalised) that suggest a close date.
fn names_a_close_date(header: &str) -> bool {
    let name = normalise_header(header);
    ["won", "close", "closed", "signed"]
        .iter()
        .any(|word| name.contains(word))
}

/// A join of `leads` to `rows` (a file called `file`, whose own headers
/// suggested `suggested`): the keys that overlap most, an outcome rule
/// (a stage column's won values where there is one, else a match), and the
/// deal value, close date and owner its headers suggest. `None` when no
/// pair of columns shares a key.
pub fn propose(
    leads: &Dataset,
    rows: &Dataset,
    file: &str,
    suggested: &ColumnMapping,
) -> Option<JoinSpec> {
    let (lead_key, row_key) = propose_keys(leads, rows)?;
    Some(propose_with_keys(rows, file, suggested, lead_key, row_key))
}

/// [`propose`] with the keys chosen.
pub fn propose_with_keys(
    rows: &Dataset,
    file: &str,
    suggested: &ColumnMapping,
    lead_key: String,
    row_key: String,
) -> JoinSpec {
    let other = |name: &Option<String>| name.clone().filter(|n| *n != row_key);
    let outcome = other(&suggested.outcome)
        .and_then(|column| {
            let col = rows.column(&column)?;
            let mut values: Vec<String> = Vec::new();
            let mut some_not = false;
            for row in 0..col.len() {
                if let Some(text) = col.text(row) {
                    let converts = DEFAULT_CONVERTED_VALUES
                        .iter()
                        .any(|v| v.eq_ignore_ascii_case(text.trim()));
                    if converts {
                        if !values.iter().any(|v| v.eq_ignore_ascii_case(text.trim())) {
                            values.push(text.trim().to_owned());
                        }
                    } else {
                        some_not = true;
                    }
                }
            }
            // A column every row of which converts says no more than a match.
            (!values.is_empty() && some_not).then_some(JoinOutcome::OneOf { column, values })
        })
        .unwrap_or(JoinOutcome::Matched);
    let close_date = rows
        .columns()
        .iter()
        .find(|c| c.kind() == ColumnKind::Date && names_a_close_date(&c.name))
        .map(|c| c.name.clone());
    let kind_of = |name: &Option<String>, kinds: &[ColumnKind]| {
        other(name).filter(|n| rows.column(n).is_some_and(|c| kinds.contains(&c.kind())))
    };
    let deal_value = kind_of(&suggested.deal_value, &[ColumnKind::Number]);
    let owner = kind_of(&suggested.owner, &[ColumnKind::Category, ColumnKind::Text]);
    JoinSpec {
        file: file.to_owned(),
        lead_key,
        row_key,
        outcome,
        deal_value,
        close_date,
        owner,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::dataset::DataOrigin;
    use crate::core::ingest::{load_bytes, LoadOptions};

    fn read(name: &str, text: &str) -> (Dataset, ColumnMapping) {
        let loaded = load_bytes(name, text.as_bytes(), &LoadOptions::default()).expect("reads");
        (loaded.dataset, loaded.suggested)
    }

    fn leads() -> Dataset {
        read(
            "leads.csv",
            "lead_id,source,employees\n\
             L-1,web,10\n\
             L-2,event,200\n\
             L-3,web,35\n\
             L-4,partner,5\n\
             L-5,web,80\n\
             l-6,event,12\n\
             ,web,3\n",
        )
        .0
    }

    fn spec(outcome: JoinOutcome) -> JoinSpec {
        JoinSpec {
            file: "deals.csv".into(),
            lead_key: "lead_id".into(),
            row_key: "Lead".into(),
            outcome,
            deal_value: Some("Amount".into()),
            close_date: Some("Close Date".into()),
            owner: Some("Owner".into()),
        }
    }

    fn bools(data: &Dataset, name: &str) -> Vec<Option<bool>> {
        match &data.column(name).expect("column").values {
            ColumnValues::Boolean(v) => v.clone(),
            other => panic!("{name} is {other:?}"),
        }
    }

    fn numbers(data: &Dataset, name: &str) -> Vec<f64> {
        match &data.column(name).expect("column").values {
            ColumnValues::Number(v) => v.clone(),
            other => panic!("{name} is {other:?}"),
        }
    }

    fn texts(data: &Dataset, name: &str) -> Vec<Option<String>> {
        let column = data.column(name).expect("column");
        (0..column.len())
            .map(|r| column.text(r).map(Cow::into_owned))
            .collect()
    }

    #[test]
    fn one_row_per_lead_brings_every_column_over() {
        // Keys differ in case and surrounding space; one deal matches no lead.
        let (deals, _) = read(
            "deals.csv",
            "Lead,Amount,Close Date,Owner,Segment\n\
             l-2 ,1200,2024-03-01,Ana,retail\n\
             L-5,300,2024-02-10,Bo,pets\n\
             L-6,50,2024-01-05,Ana,pets\n\
             X-9,999,2024-01-01,Cy,cars\n",
        );
        let spec = spec(JoinOutcome::Matched);
        let joined = join(&leads(), &deals, &spec).unwrap();
        assert_eq!(
            bools(&joined.data, JOINED_OUTCOME),
            [false, true, false, false, true, true, false].map(Some)
        );
        let amount = numbers(&joined.data, "Amount");
        assert_eq!(amount[1], 1200.0);
        assert_eq!(amount[5], 50.0);
        assert!(amount[0].is_nan());
        assert_eq!(
            texts(&joined.data, "Segment"),
            [
                None,
                Some("retail"),
                None,
                None,
                Some("pets"),
                Some("pets"),
                None
            ]
            .map(|s| s.map(String::from))
        );
        assert!(
            joined.data.column("Lead").is_none(),
            "the second file's key is not added"
        );
        assert_eq!(
            joined.columns.added,
            [JOINED_OUTCOME, "Amount", "Close Date", "Owner", "Segment"]
        );
        assert_eq!(joined.columns.deal_value.as_deref(), Some("Amount"));
        assert_eq!(joined.columns.owner.as_deref(), Some("Owner"));
        let s = joined.columns.summary;
        assert_eq!((s.leads, s.leads_matched, s.leads_converted), (7, 3, 3));
        assert_eq!((s.rows, s.rows_unmatched, s.rows_without_key), (4, 1, 0));
        assert_eq!(s.leads_without_key, 1);
        assert!(!s.one_to_many());
        assert_eq!(join_summary(&leads(), &deals, &spec).unwrap(), s);
    }

    #[test]
    fn several_leads_may_share_one_row() {
        // Many leads to one row: both leads of account A take its deal.
        let (leads, _) = read(
            "leads.csv",
            "account,source\nA,web\nA,event\nB,web\nC,web\nD,web\n",
        );
        let (won, _) = read("won.csv", "Account,Amount\na,100\nc,40\n");
        let spec = JoinSpec {
            file: "won.csv".into(),
            lead_key: "account".into(),
            row_key: "Account".into(),
            outcome: JoinOutcome::Matched,
            deal_value: Some("Amount".into()),
            close_date: None,
            owner: None,
        };
        let joined = join(&leads, &won, &spec).unwrap();
        assert_eq!(
            bools(&joined.data, JOINED_OUTCOME),
            [true, true, false, true, false].map(Some)
        );
        assert_eq!(numbers(&joined.data, "Amount")[..2], [100.0, 100.0]);
        let s = joined.columns.summary;
        assert_eq!((s.lead_keys_shared, s.leads_sharing_a_key), (1, 2));
        assert!(!s.one_to_many());
        let said = s.describe(&spec).join(" ");
        assert!(
            said.contains("3 of 5 leads match a row of “won.csv”"),
            "{said}"
        );
        assert!(said.contains("2 leads share 1 keys"), "{said}");
    }

    #[test]
    fn a_lead_with_several_rows_is_explained_and_aggregated() {
        let (deals, _) = read(
            "deals.csv",
            "Lead,Stage,Amount,Close Date,Owner,Segment\n\
             L-2,Closed Lost,500,2024-01-01,Ana,retail\n\
             L-2,Closed Won,1200,2024-03-01,Bo,retail\n\
             L-2,Closed Won,300,2024-02-01,Cy,retail\n\
             L-3,Closed Lost,80,2024-02-01,Dee,pets\n\
             L-5,closed won ,70,2024-04-01,Ana,pets\n",
        );
        let spec = spec(JoinOutcome::OneOf {
            column: "Stage".into(),
            values: vec!["Closed Won".into()],
        });
        let joined = join(&leads(), &deals, &spec).unwrap();
        assert_eq!(
            bools(&joined.data, JOINED_OUTCOME),
            [false, true, false, false, true, false, false].map(Some)
        );
        // The won rows' sum, earliest close and first owner; a lead with
        // only lost rows takes those.
        let amount = numbers(&joined.data, "Amount");
        assert_eq!((amount[1], amount[2], amount[4]), (1500.0, 80.0, 70.0));
        let close = match &joined.data.column("Close Date").unwrap().values {
            ColumnValues::Date(v) => v.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(close[1], Some(1_706_745_600)); // 2024-02-01
        assert_eq!(texts(&joined.data, "Owner")[1].as_deref(), Some("Bo"));
        assert!(
            joined.data.column("Segment").is_none(),
            "other columns need one row per lead"
        );
        assert!(joined.data.column("Stage").is_none());
        let s = joined.columns.summary;
        assert_eq!(
            (
                s.leads_with_several_rows,
                s.most_rows_per_lead,
                s.row_keys_repeated
            ),
            (1, 3, 1)
        );
        assert_eq!(s.leads_converted, 2);
        let said = s.describe(&spec).join(" ");
        assert!(
            said.contains("1 leads match more than one row (up to 3)"),
            "{said}"
        );
        assert!(
            said.contains("The file's other columns are not added"),
            "{said}"
        );
    }

    #[test]
    fn missing_keys_match_nothing_on_either_side() {
        let (deals, _) = read("deals.csv", "Lead,Amount\n,10\n  ,20\nL-1,30\n");
        let spec = JoinSpec {
            deal_value: None,
            close_date: None,
            owner: None,
            ..spec(JoinOutcome::Matched)
        };
        let s = join(&leads(), &deals, &spec).unwrap().columns.summary;
        assert_eq!((s.leads_matched, s.leads_without_key), (1, 1));
        assert_eq!((s.rows_without_key, s.rows_unmatched), (2, 0));
        let said = s.describe(&spec).join(" ");
        assert!(said.contains("2 have no Lead"), "{said}");
        assert!(said.contains("1 leads have no lead_id"), "{said}");
    }

    #[test]
    fn a_present_column_can_be_the_outcome() {
        let (deals, _) = read(
            "deals.csv",
            "Lead,won_date\nL-1,2024-01-03\nL-2,\nL-3,2024-02-03\n",
        );
        let spec = JoinSpec {
            deal_value: None,
            close_date: None,
            owner: None,
            ..spec(JoinOutcome::Present {
                column: "won_date".into(),
            })
        };
        let joined = join(&leads(), &deals, &spec).unwrap();
        assert_eq!(
            bools(&joined.data, JOINED_OUTCOME)[..4],
            [Some(true), Some(false), Some(true), Some(false)]
        );
    }

    #[test]
    fn clashing_names_are_told_apart() {
        let (deals, _) = read("deals.csv", "Lead,source,joined outcome\nL-1,phone,x\n");
        let spec = JoinSpec {
            deal_value: None,
            close_date: None,
            owner: None,
            ..spec(JoinOutcome::Matched)
        };
        let joined = join(&leads(), &deals, &spec).unwrap();
        assert_eq!(
            joined.columns.added,
            [JOINED_OUTCOME, "source (joined)", "joined outcome (joined)"]
        );
        assert_eq!(texts(&joined.data, "source")[0].as_deref(), Some("web"));
        assert_eq!(
            texts(&joined.data, "source (joined)")[0].as_deref(),
            Some("phone")
        );
    }

    #[test]
    fn what_cannot_be_joined_is_said_plainly() {
        let (deals, _) = read("deals.csv", "Lead,Amount,Owner\nL-1,ten,Ana\n");
        let mut asked = spec(JoinOutcome::Matched);
        asked.close_date = None;
        assert_eq!(
            join(&leads(), &deals, &asked).unwrap_err().to_string(),
            "“Amount” cannot be the deal value: it is not a number column"
        );
        asked.deal_value = None;
        asked.lead_key = "id".into();
        assert_eq!(
            join(&leads(), &deals, &asked).unwrap_err().to_string(),
            "the leads have no column “id”"
        );
        asked.lead_key = "lead_id".into();
        asked.outcome = JoinOutcome::Present {
            column: "Won".into(),
        };
        assert_eq!(
            join(&leads(), &deals, &asked).unwrap_err().to_string(),
            "the second file has no column “Won” (its outcome)"
        );
        let empty = Dataset::new(
            "e.csv",
            DataOrigin::File,
            vec![Column::new(
                "Lead",
                ColumnValues::Text(Texts::from_values([])),
            )],
        )
        .unwrap();
        asked.outcome = JoinOutcome::Matched;
        assert_eq!(
            join(&leads(), &empty, &asked).unwrap_err(),
            JoinError::NoRows
        );
    }

    #[test]
    fn keys_and_outcome_are_proposed_from_the_files() {
        let (deals, suggested) = read(
            "opportunities.csv",
            "Opportunity,Lead ID,Stage,Amount,Close Date,Owner\n\
             o1,L-2,Closed Won,100,2024-01-02,Ana\n\
             o2,L-3,Closed Lost,50,2024-01-03,Bo\n\
             o3,L-5,Negotiation,70,2024-01-04,Ana\n\
             o4,L-4,Closed Won,20,2024-01-05,Cy\n",
        );
        let proposed = propose(&leads(), &deals, "opportunities.csv", &suggested).expect("a key");
        assert_eq!(
            (proposed.lead_key.as_str(), proposed.row_key.as_str()),
            ("lead_id", "Lead ID")
        );
        assert_eq!(
            proposed.outcome,
            JoinOutcome::OneOf {
                column: "Stage".into(),
                values: vec!["Closed Won".into()]
            }
        );
        assert_eq!(proposed.deal_value.as_deref(), Some("Amount"));
        assert_eq!(proposed.close_date.as_deref(), Some("Close Date"));
        assert_eq!(proposed.owner.as_deref(), Some("Owner"));

        // A list of won ids alone: joined on the overlap, converting by match.
        let (won, suggested) = read("won.csv", "customer\nl-6\nL-1\nL-4\n");
        let proposed = propose(&leads(), &won, "won.csv", &suggested).expect("a key");
        assert_eq!(
            (proposed.lead_key.as_str(), proposed.row_key.as_str()),
            ("lead_id", "customer")
        );
        assert_eq!(proposed.outcome, JoinOutcome::Matched);

        // Nothing in common: no proposal.
        let (other, suggested) = read("other.csv", "code\nq1\nq2\nq3\n");
        assert_eq!(propose(&leads(), &other, "other.csv", &suggested), None);
    }

    #[test]
    fn the_mapping_takes_the_join() {
        let (deals, _) = read(
            "deals.csv",
            "Lead,Amount,Close Date,Owner\nL-2,1200,2024-03-01,Ana\nL-5,300,2024-02-10,Bo\n",
        );
        let spec = spec(JoinOutcome::Matched);
        let joined = join(&leads(), &deals, &spec).unwrap();
        let mapping = joined.columns.apply_to(&ColumnMapping::default(), &spec);
        assert_eq!(mapping.outcome.as_deref(), Some(JOINED_OUTCOME));
        assert_eq!(mapping.deal_value.as_deref(), Some("Amount"));
        assert_eq!(mapping.owner.as_deref(), Some("Owner"));
        assert_eq!(mapping.join.as_ref(), Some(&spec));
        for name in &joined.columns.added {
            assert!(mapping.known_only_after(name), "{name} is known only after");
        }
        let outcomes = mapping.outcomes(&joined.data).unwrap();
        assert_eq!(outcomes.iter().filter(|&&c| c).count(), 2);
    }

    #[test]
    fn a_join_spec_round_trips_as_json() {
        let spec = spec(JoinOutcome::OneOf {
            column: "Stage".into(),
            values: vec!["Won".into()],
        });
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(serde_json::from_str::<JoinSpec>(&json).unwrap(), spec);
        let plain = JoinSpec {
            deal_value: None,
            close_date: None,
            owner: None,
            ..spec.clone()
        };
        let json = serde_json::to_string(&plain).unwrap();
        assert!(!json.contains("deal_value"), "{json}");
        assert_eq!(serde_json::from_str::<JoinSpec>(&json).unwrap(), plain);
    }
}
