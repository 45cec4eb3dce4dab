//! Deciding each column's type and building the typed data set.
//!
//! A column is yes/no when every present value reads as one; a number when
//! at least 95% of present values read as numbers in one decimal style; a
//! date likewise; otherwise a category when it has few distinct values, and
//! free text when it has many. Values that do not fit the chosen type are
//! stored as missing and reported with their line, never dropped silently.
//! The user can override any column's type, and the missing-value markers.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::table::{RawColumn, RawTable};
use super::values::{
    parse_bool, parse_date_parts, parse_number, parse_time_of_day, trim_cell, DateParts, DayOrder,
    DecimalStyle, MissingMarkers,
};
use crate::core::dataset::{Categories, Column, ColumnKind, ColumnValues, Texts};

/// Cell texts that mean "no value", compared ignoring case and surrounding
/// space. `Select` is what many web forms store for an unanswered question.
pub const DEFAULT_MISSING_MARKERS: &[&str] =
    &["", "NA", "N/A", "#N/A", "null", "none", "Select", "unknown"];

/// A column with at most this many distinct values is always a category.
pub(crate) const ALWAYS_CATEGORY: usize = 20;
/// Beyond this many distinct values a column is free text.
pub(crate) const MAX_CATEGORIES: usize = 1_000;
/// Share of present values that must read as numbers (or dates).
pub(crate) const TYPED_SHARE: f64 = 0.95;
/// Of the values checked or read so far, more than one in this many
/// unreadable rules a type out (the share [`TYPED_SHARE`] leaves).
pub(crate) const UNREADABLE_ONE_IN: usize = 20;
/// Values checked before a whole column is read as one type.
const SAMPLE: usize = 1_000;
/// At most this many unreadable cells are listed one by one.
pub const LISTED_BAD_CELLS: usize = 1_000;

/// The user's choices about typing.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TypingOptions {
    pub missing_markers: Vec<String>,
    /// Forced types, by column name.
    pub kinds: BTreeMap<String, ColumnKind>,
    /// Forced day order for dates, by column name.
    pub day_orders: BTreeMap<String, DayOrder>,
}

impl Default for TypingOptions {
    fn default() -> Self {
        TypingOptions {
            missing_markers: DEFAULT_MISSING_MARKERS
                .iter()
                .map(|m| m.to_string())
                .collect(),
            kinds: BTreeMap::new(),
            day_orders: BTreeMap::new(),
        }
    }
}

/// How a column's day order was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DayOrderEvidence {
    /// Only year-first (ISO) dates: no question arises.
    Iso,
    /// A value with a first number above 12 (or a second) settled it.
    Certain,
    /// Every value fits both orders; the stated order is an assumption.
    Ambiguous,
    /// The user chose it.
    Chosen,
}

/// What typing decided for one column, for the data summary.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ColumnTyping {
    pub name: String,
    pub kind: ColumnKind,
    /// Whether the user forced the type.
    pub overridden: bool,
    pub decimal: Option<DecimalStyle>,
    pub day_order: Option<(DayOrder, DayOrderEvidence)>,
    pub missing: usize,
    /// Present values that did not fit the type and are stored as missing.
    pub unreadable: usize,
}

/// A cell that did not fit its column's type.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BadCell {
    pub line: u64,
    pub column: String,
    pub value: String,
    pub expected: ColumnKind,
}

impl std::fmt::Display for BadCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.expected {
            ColumnKind::Number => "a number",
            ColumnKind::Date => "a date",
            ColumnKind::Time => "a time of day",
            ColumnKind::Boolean => "a yes/no value",
            ColumnKind::Category | ColumnKind::Text => "text",
        };
        write!(
            f,
            "line {}, column '{}': '{}' is not {what}; it is treated as missing",
            self.line, self.column, self.value
        )
    }
}

/// A typed column with what was decided about it.
pub struct TypedColumn {
    pub column: Column,
    pub typing: ColumnTyping,
    pub bad_cells: Vec<BadCell>,
}

struct Cells<'a> {
    raw: &'a RawColumn,
    /// Per row, whether the cell is a missing-value marker.
    missing: Vec<bool>,
    present: usize,
}

impl<'a> Cells<'a> {
    fn new(raw: &'a RawColumn, markers: &MissingMarkers) -> Self {
        let missing: Vec<bool> = raw
            .iter()
            .map(|cell| markers.matches(trim_cell(cell.unwrap_or(""))))
            .collect();
        let present = missing.iter().filter(|&&m| !m).count();
        Cells {
            raw,
            missing,
            present,
        }
    }

    /// Present values with their row, trimmed.
    fn present(&self) -> impl Iterator<Item = (usize, &'a str)> + '_ {
        let raw = self.raw;
        self.missing
            .iter()
            .enumerate()
            .filter(|(_, &m)| !m)
            .map(move |(row, _)| (row, trim_cell(raw.get(row).unwrap_or(""))))
    }

    /// How many present values may fail for the column still to count as
    /// typed.
    fn failure_budget(&self) -> usize {
        ((1.0 - TYPED_SHARE) * self.present as f64).floor() as usize
    }

    /// Reads every present value with `read`, into a vector holding `empty`
    /// where a value is missing or unreadable. With `strict`, gives up
    /// (returning `None`) as soon as too many values fail: first judged on
    /// a sample of the first thousand values, before anything is allocated.
    fn read<T: Clone>(
        &self,
        empty: T,
        strict: bool,
        mut read: impl FnMut(&str) -> Option<T>,
    ) -> Option<Read<T>> {
        if strict {
            if self.present == 0 {
                return None;
            }
            let sample: Vec<bool> = self
                .present()
                .take(SAMPLE)
                .map(|(_, text)| read(text).is_none())
                .collect();
            let failures = sample.iter().filter(|&&f| f).count();
            if failures > self.failure_budget() || failures * UNREADABLE_ONE_IN > sample.len() {
                return None;
            }
        }
        let budget = self.failure_budget();
        let mut values = vec![empty; self.missing.len()];
        let mut failed = Vec::new();
        let mut failures = 0usize;
        for (row, text) in self.present() {
            match read(text) {
                Some(v) => values[row] = v,
                None => {
                    failures += 1;
                    if strict && failures > budget {
                        return None;
                    }
                    if failed.len() < LISTED_BAD_CELLS {
                        failed.push(row);
                    }
                }
            }
        }
        Some(Read {
            values,
            failed,
            failures,
        })
    }
}

/// Values read from a column, and the rows that could not be read.
struct Read<T> {
    values: Vec<T>,
    /// The first unreadable rows.
    failed: Vec<usize>,
    failures: usize,
}

/// Reads a column as numbers: in the point style unless it fails or a
/// semicolon-delimited file suggests the comma style for values like
/// "1,234" that read either way.
fn read_numbers(
    cells: &Cells<'_>,
    strict: bool,
    comma_hint: bool,
) -> Option<(DecimalStyle, Read<f64>)> {
    let point = cells.read(f64::NAN, strict, |v| parse_number(v, DecimalStyle::Point));
    let uses_comma = || cells.present().any(|(_, v)| v.contains(','));
    match point {
        Some(read) if read.failures == 0 && !(comma_hint && uses_comma()) => {
            Some((DecimalStyle::Point, read))
        }
        point => {
            let comma = cells.read(f64::NAN, strict, |v| parse_number(v, DecimalStyle::Comma));
            match (point, comma) {
                (Some(p), Some(c))
                    if c.failures < p.failures || (c.failures == p.failures && comma_hint) =>
                {
                    Some((DecimalStyle::Comma, c))
                }
                (Some(p), _) => Some((DecimalStyle::Point, p)),
                (None, Some(c)) => Some((DecimalStyle::Comma, c)),
                (None, None) => None,
            }
        }
    }
}

pub(crate) fn decide_day_order(
    parts: impl IntoIterator<Item = DateParts>,
    day_first_hint: bool,
) -> (DayOrder, DayOrderEvidence) {
    let non_iso = parts.into_iter().filter(|p| !p.iso);
    let (mut any, mut day_first, mut month_first) = (false, 0usize, 0usize);
    for p in non_iso {
        any = true;
        day_first += usize::from(p.a > 12);
        month_first += usize::from(p.b > 12);
    }
    match (any, day_first, month_first) {
        (false, _, _) => (DayOrder::MonthFirst, DayOrderEvidence::Iso),
        (true, 0, 0) => (
            if day_first_hint {
                DayOrder::DayFirst
            } else {
                DayOrder::MonthFirst
            },
            DayOrderEvidence::Ambiguous,
        ),
        (true, d, m) if d >= m => (DayOrder::DayFirst, DayOrderEvidence::Certain),
        _ => (DayOrder::MonthFirst, DayOrderEvidence::Certain),
    }
}

/// Dictionary-encodes the column when it has few distinct values (then it
/// is a category), or returns `None` (then it is free text).
fn as_categories(cells: &Cells<'_>) -> Option<Categories> {
    let raw = cells.raw;
    let values = (0..raw.len())
        .map(|row| (!cells.missing[row]).then(|| trim_cell(raw.get(row).unwrap_or(""))));
    let categories = Categories::from_values_capped(values, MAX_CATEGORIES)?;
    let distinct = categories.labels().len();
    (distinct <= ALWAYS_CATEGORY || distinct * 5 <= cells.present).then_some(categories)
}

/// A column's values once its type is known.
enum Decided {
    Boolean(Read<Option<bool>>),
    Number(DecimalStyle, Read<f64>),
    Date(Read<Option<DateParts>>),
    Time(Read<Option<u32>>),
    Category(Categories),
    Text,
}

fn detect(cells: &Cells<'_>, european: bool) -> Decided {
    if cells.present > 0 {
        if let Some(read) = cells.read(None, true, |v| parse_bool(v).map(Some)) {
            if read.failures == 0 {
                return Decided::Boolean(read);
            }
        }
        if let Some((style, read)) = read_numbers(cells, true, european) {
            return Decided::Number(style, read);
        }
        if let Some(read) = cells.read(None, true, |v| parse_date_parts(v).map(Some)) {
            return Decided::Date(read);
        }
        if let Some(read) = cells.read(None, true, |v| parse_time_of_day(v).map(Some)) {
            return Decided::Time(read);
        }
    }
    match as_categories(cells) {
        Some(categories) => Decided::Category(categories),
        None => Decided::Text,
    }
}

fn force(cells: &Cells<'_>, kind: ColumnKind, european: bool) -> Decided {
    match kind {
        ColumnKind::Boolean => Decided::Boolean(
            cells
                .read(None, false, |v| parse_bool(v).map(Some))
                .expect("lenient reads always finish"),
        ),
        ColumnKind::Number => {
            let (style, read) =
                read_numbers(cells, false, european).expect("lenient reads always finish");
            Decided::Number(style, read)
        }
        ColumnKind::Date => Decided::Date(
            cells
                .read(None, false, |v| parse_date_parts(v).map(Some))
                .expect("lenient reads always finish"),
        ),
        ColumnKind::Time => Decided::Time(
            cells
                .read(None, false, |v| parse_time_of_day(v).map(Some))
                .expect("lenient reads always finish"),
        ),
        ColumnKind::Category => {
            let raw = cells.raw;
            Decided::Category(Categories::from_values((0..raw.len()).map(|row| {
                (!cells.missing[row]).then(|| trim_cell(raw.get(row).unwrap_or("")))
            })))
        }
        ColumnKind::Text => Decided::Text,
    }
}

/// Types one raw column. `lines` gives each row's line for messages;
/// `delimiter` hints at the locale (a semicolon suggests decimal commas and
/// day-first dates).
pub fn type_column(
    name: &str,
    raw: &RawColumn,
    lines: &[u64],
    delimiter: u8,
    options: &TypingOptions,
) -> TypedColumn {
    let cells = Cells::new(raw, &MissingMarkers::new(&options.missing_markers));
    let european = delimiter == b';';
    let forced = options.kinds.get(name).copied();
    let decided = match forced {
        Some(kind) => force(&cells, kind, european),
        None => detect(&cells, european),
    };

    let rows = raw.len();
    let mut bad_cells = Vec::new();
    let mut unreadable = 0usize;
    let mut report = |failed: &[usize], failures: usize, expected: ColumnKind| {
        unreadable += failures;
        for &row in failed
            .iter()
            .take(LISTED_BAD_CELLS - bad_cells.len().min(LISTED_BAD_CELLS))
        {
            bad_cells.push(BadCell {
                line: lines.get(row).copied().unwrap_or(0),
                column: name.to_owned(),
                value: trim_cell(raw.get(row).unwrap_or("")).to_owned(),
                expected,
            });
        }
    };
    let trimmed = |row: usize| (!cells.missing[row]).then(|| trim_cell(raw.get(row).unwrap_or("")));

    let mut decimal = None;
    let mut day_order = None;
    let (kind, values) = match decided {
        Decided::Boolean(read) => {
            report(&read.failed, read.failures, ColumnKind::Boolean);
            (ColumnKind::Boolean, ColumnValues::Boolean(read.values))
        }
        Decided::Number(style, read) => {
            decimal = Some(style);
            report(&read.failed, read.failures, ColumnKind::Number);
            (ColumnKind::Number, ColumnValues::Number(read.values))
        }
        Decided::Date(read) => {
            let (order, evidence) = match options.day_orders.get(name) {
                Some(&order) => (order, DayOrderEvidence::Chosen),
                None => {
                    let dotted = cells.present().any(|(_, v)| v.contains('.'));
                    decide_day_order(read.values.iter().flatten().copied(), european || dotted)
                }
            };
            day_order = Some((order, evidence));
            // Parts that make no date in this order (a 13th month) are
            // unreadable too.
            let mut failed = read.failed;
            let mut failures = read.failures;
            let mut out = vec![None; rows];
            // Exports repeat the same days over and over: convert each
            // distinct date once.
            let mut days: FxHashMap<(i32, u32, u32), Option<i64>> = FxHashMap::default();
            for (row, parts) in read.values.iter().enumerate() {
                if let Some(p) = parts {
                    let midnight = *days
                        .entry((p.year, p.a, p.b))
                        .or_insert_with(|| DateParts { seconds: 0, ..*p }.timestamp(order));
                    match midnight.map(|m| m + p.seconds) {
                        Some(t) => out[row] = Some(t),
                        None => {
                            failures += 1;
                            if failed.len() < LISTED_BAD_CELLS {
                                failed.push(row);
                            }
                        }
                    }
                }
            }
            failed.sort_unstable();
            report(&failed, failures, ColumnKind::Date);
            (ColumnKind::Date, ColumnValues::Date(out))
        }
        Decided::Time(read) => {
            report(&read.failed, read.failures, ColumnKind::Time);
            (ColumnKind::Time, ColumnValues::Time(read.values))
        }
        Decided::Category(categories) => (ColumnKind::Category, ColumnValues::Category(categories)),
        Decided::Text => (
            ColumnKind::Text,
            ColumnValues::Text(Texts::from_values((0..rows).map(trimmed))),
        ),
    };
    TypedColumn {
        column: Column::new(name, values),
        typing: ColumnTyping {
            name: name.to_owned(),
            kind,
            overridden: forced.is_some(),
            decimal,
            day_order,
            missing: rows - cells.present,
            unreadable,
        },
        bad_cells,
    }
}

/// Types every column of a raw table, in order.
pub fn type_table(table: &RawTable, options: &TypingOptions) -> Vec<TypedColumn> {
    table
        .headers
        .iter()
        .zip(&table.columns)
        .map(|(name, raw)| type_column(name, raw, &table.lines, table.delimiter, options))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(values: &[&str]) -> TypedColumn {
        typed_with(values, b',', &TypingOptions::default())
    }

    fn typed_with(values: &[&str], delimiter: u8, options: &TypingOptions) -> TypedColumn {
        let raw = Texts::from_values(values.iter().map(|v| Some(*v)));
        let lines: Vec<u64> = (2..2 + values.len() as u64).collect();
        type_column("c", &raw, &lines, delimiter, options)
    }

    #[test]
    fn yes_no_columns_are_boolean() {
        let t = typed(&["Yes", "no", "", "Y", "N/A"]);
        assert_eq!(t.typing.kind, ColumnKind::Boolean);
        assert_eq!(t.typing.missing, 2);
        assert_eq!(
            t.column.values,
            ColumnValues::Boolean(vec![Some(true), Some(false), None, Some(true), None])
        );
        assert_eq!(typed(&["1", "0", "1"]).typing.kind, ColumnKind::Boolean);
    }

    #[test]
    fn numbers_pick_their_decimal_style() {
        let t = typed(&["1,234.5", "7", "$12"]);
        assert_eq!(t.typing.kind, ColumnKind::Number);
        assert_eq!(t.typing.decimal, Some(DecimalStyle::Point));
        assert_eq!(
            t.column.values,
            ColumnValues::Number(vec![1234.5, 7.0, 12.0])
        );

        let t = typed(&["3,5", "10", "0,25"]);
        assert_eq!(t.typing.decimal, Some(DecimalStyle::Comma));
        assert_eq!(t.column.values, ColumnValues::Number(vec![3.5, 10.0, 0.25]));

        // "1,234" reads either way: a semicolon file means a decimal comma.
        let t = typed_with(&["1,234", "2"], b';', &TypingOptions::default());
        assert_eq!(t.column.values, ColumnValues::Number(vec![1.234, 2.0]));
        let t = typed(&["1,234", "2"]);
        assert_eq!(t.column.values, ColumnValues::Number(vec![1234.0, 2.0]));
    }

    #[test]
    fn a_few_bad_numbers_are_reported_with_their_line() {
        let mut values = vec!["10"; 39];
        values.push("call me");
        let t = typed(&values);
        assert_eq!(t.typing.kind, ColumnKind::Number);
        assert_eq!(t.typing.unreadable, 1);
        assert_eq!(
            t.bad_cells[0].to_string(),
            "line 41, column 'c': 'call me' is not a number; it is treated as missing"
        );
    }

    #[test]
    fn dates_settle_their_day_order_per_column() {
        let t = typed(&["03/15/2024", "04/01/2024"]);
        assert_eq!(t.typing.kind, ColumnKind::Date);
        assert_eq!(
            t.typing.day_order,
            Some((DayOrder::MonthFirst, DayOrderEvidence::Certain))
        );

        let t = typed(&["15/03/2024", "04/01/2024"]);
        assert_eq!(
            t.typing.day_order,
            Some((DayOrder::DayFirst, DayOrderEvidence::Certain))
        );
        let ColumnValues::Date(dates) = &t.column.values else {
            panic!()
        };
        assert_eq!(dates[1], Some(1_704_326_400)); // 4 January 2024

        let t = typed(&["01/02/2024"]);
        assert_eq!(
            t.typing.day_order,
            Some((DayOrder::MonthFirst, DayOrderEvidence::Ambiguous))
        );
        let t = typed(&["01.02.2024"]);
        assert_eq!(
            t.typing.day_order,
            Some((DayOrder::DayFirst, DayOrderEvidence::Ambiguous))
        );
        let t = typed(&["2024-02-01 10:00"]);
        assert_eq!(
            t.typing.day_order,
            Some((DayOrder::MonthFirst, DayOrderEvidence::Iso))
        );

        let mut options = TypingOptions::default();
        options.day_orders.insert("c".into(), DayOrder::DayFirst);
        let t = typed_with(&["01/02/2024"], b',', &options);
        assert_eq!(
            t.typing.day_order,
            Some((DayOrder::DayFirst, DayOrderEvidence::Chosen))
        );
    }

    #[test]
    fn few_distinct_values_are_a_category_many_are_text() {
        let t = typed(&["Software", "Retail", "Software", "Select", " Retail "]);
        assert_eq!(t.typing.kind, ColumnKind::Category);
        let ColumnValues::Category(c) = &t.column.values else {
            panic!()
        };
        assert_eq!(c.labels(), ["Software", "Retail"]);
        assert_eq!(c.get(3), None);

        let emails: Vec<String> = (0..100).map(|i| format!("person{i}@example.com")).collect();
        let refs: Vec<&str> = emails.iter().map(String::as_str).collect();
        assert_eq!(typed(&refs).typing.kind, ColumnKind::Text);
    }

    #[test]
    fn overrides_force_a_type_and_report_misfits() {
        let mut options = TypingOptions::default();
        options.kinds.insert("c".into(), ColumnKind::Number);
        let t = typed_with(&["5", "five", ""], b',', &options);
        assert!(t.typing.overridden);
        assert_eq!(t.typing.unreadable, 1);
        assert_eq!(t.bad_cells[0].line, 3);

        options.kinds.insert("c".into(), ColumnKind::Text);
        let t = typed_with(&["5", "6"], b',', &options);
        assert_eq!(t.column.kind(), ColumnKind::Text);
    }

    #[test]
    fn missing_markers_are_editable() {
        let options = TypingOptions {
            missing_markers: vec!["".into(), "-".into()],
            ..TypingOptions::default()
        };
        let t = typed_with(&["-", "unknown", "x"], b',', &options);
        assert_eq!(t.typing.missing, 1);
        assert_eq!(t.typing.kind, ColumnKind::Category);
    }

    #[test]
    fn an_all_missing_column_is_a_category_of_nothing() {
        let t = typed(&["", "NA"]);
        assert_eq!(t.typing.kind, ColumnKind::Category);
        assert_eq!(t.typing.missing, 2);
    }
}
