//! Lead data held column by column.
//!
//! A [`Dataset`] is a table whose rows are leads. Each column is stored as one
//! typed vector (numbers in a plain `f64` array, categories dictionary-encoded
//! as `u32` codes), which keeps a million-row export compact and lets a rule
//! scan one column without touching the others.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use fixedbitset::FixedBitSet;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Column names are at most this many characters (a longer header is
/// shortened on loading and the change reported), so that every name fits
/// in a criteria file, a link and a saved workspace.
pub const MAX_COLUMN_NAME: usize = 200;

/// Seconds since midnight as `HH:MM:SS`.
///
/// ```
/// assert_eq!(leadlens::core::dataset::time_of_day_text(9 * 3600 + 5 * 60 + 7), "09:05:07");
/// ```
pub fn time_of_day_text(seconds: u32) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// Code that marks a missing value in a [`Categories`] column.
pub const MISSING_CODE: u32 = u32::MAX;

/// The type of a column, as shown to the user and as rules require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    Category,
    Number,
    Boolean,
    Date,
    /// A time of day (HH:MM or HH:MM:SS), without a date.
    Time,
    Text,
}

impl ColumnKind {
    /// The plain-language name shown in the interface and in messages.
    /// Every kind, in the order menus list them.
    pub const ALL: [ColumnKind; 6] = [
        ColumnKind::Category,
        ColumnKind::Number,
        ColumnKind::Boolean,
        ColumnKind::Date,
        ColumnKind::Time,
        ColumnKind::Text,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ColumnKind::Category => "category",
            ColumnKind::Number => "number",
            ColumnKind::Boolean => "yes/no",
            ColumnKind::Date => "date",
            ColumnKind::Time => "time of day",
            ColumnKind::Text => "text",
        }
    }
}

impl fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A dictionary-encoded column of short labels.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Categories {
    labels: Vec<String>,
    codes: Vec<u32>,
}

impl Categories {
    /// Encodes values in order; `None` is a missing value.
    pub fn from_values<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        Self::from_values_capped(values, usize::MAX).expect("an uncapped encoding always finishes")
    }

    /// Like [`Categories::from_values`], but gives up (returning `None`) once
    /// there are more than `cap` distinct labels.
    pub fn from_values_capped<'a>(
        values: impl IntoIterator<Item = Option<&'a str>>,
        cap: usize,
    ) -> Option<Self> {
        let values = values.into_iter();
        let mut column = Categories {
            labels: Vec::new(),
            codes: Vec::with_capacity(values.size_hint().0),
        };
        let mut index = FxHashMap::<&'a str, u32>::default();
        for value in values {
            let code = match value {
                None => MISSING_CODE,
                Some(label) => match index.get(label) {
                    Some(&code) => code,
                    None => {
                        if column.labels.len() >= cap {
                            return None;
                        }
                        let code = column.labels.len() as u32;
                        index.insert(label, code);
                        column.labels.push(label.to_owned());
                        code
                    }
                },
            };
            column.codes.push(code);
        }
        Some(column)
    }

    /// A column from its labels and one code per row ([`MISSING_CODE`] for
    /// a missing value); codes must index `labels`.
    pub fn from_parts(labels: Vec<String>, codes: Vec<u32>) -> Self {
        debug_assert!(codes
            .iter()
            .all(|&c| c == MISSING_CODE || (c as usize) < labels.len()));
        Categories { labels, codes }
    }

    /// The labels and the codes, given up.
    pub fn into_parts(self) -> (Vec<String>, Vec<u32>) {
        (self.labels, self.codes)
    }

    /// The distinct labels, indexed by code.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// One code per row; [`MISSING_CODE`] where the value is missing.
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }

    /// The label of one row, or `None` where it is missing.
    pub fn get(&self, row: usize) -> Option<&str> {
        match self.codes[row] {
            MISSING_CODE => None,
            code => Some(self.labels[code as usize].as_str()),
        }
    }

    /// The codes whose label satisfies `keep`, as a lookup table by code.
    pub fn codes_where(&self, mut keep: impl FnMut(&str) -> bool) -> Vec<bool> {
        self.labels.iter().map(|label| keep(label)).collect()
    }
}

/// A column of free text, stored end to end in one string with a missing
/// flag per row: far smaller than a `String` per cell at a million rows.
#[derive(Clone, PartialEq, Default)]
pub struct Texts {
    text: String,
    ends: Vec<u32>,
    missing: FixedBitSet,
}

/// The values, as a list: the bit set's storage address means nothing.
impl fmt::Debug for Texts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Texts {
    /// Stores values in order; `None` is a missing value.
    pub fn from_values<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        let mut texts = Texts::default();
        for value in values {
            texts.push(value);
        }
        texts
    }

    /// Appends one value.
    pub fn push(&mut self, value: Option<&str>) {
        let row = self.ends.len();
        match value {
            Some(v) => self.text.push_str(v),
            None => {
                self.missing.grow(row + 1);
                self.missing.insert(row);
            }
        }
        self.ends.push(self.text.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes of text held.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Makes room for `bytes` more text in `rows` more values.
    pub fn reserve(&mut self, bytes: usize, rows: usize) {
        self.text.reserve_exact(bytes);
        self.ends.reserve_exact(rows);
    }

    /// The value in `row`, or `None` where it is missing.
    pub fn get(&self, row: usize) -> Option<&str> {
        if self.missing.contains(row) {
            return None;
        }
        let start = if row == 0 {
            0
        } else {
            self.ends[row - 1] as usize
        };
        Some(&self.text[start..self.ends[row] as usize])
    }

    pub fn iter(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        (0..self.len()).map(move |row| self.get(row))
    }

    /// The text of every value end to end, and where each value ends in
    /// it (missing values end where the one before does).
    pub fn parts(&self) -> (&str, &[u32]) {
        (&self.text, &self.ends)
    }

    /// Appends every value of `more`.
    pub fn append(&mut self, more: &Texts) {
        let (rows, shift) = (self.ends.len(), self.text.len());
        self.text.push_str(&more.text);
        self.ends
            .extend(more.ends.iter().map(|&end| end + shift as u32));
        if let Some(last) = more.missing.ones().next_back() {
            self.missing.grow(rows + last + 1);
            for row in more.missing.ones() {
                self.missing.insert(rows + row);
            }
        }
    }

    /// [`Texts::parts`], given up.
    pub fn into_parts(self) -> (String, Vec<u32>) {
        (self.text, self.ends)
    }

    /// A column from [`Texts::parts`] and which rows are missing; `None`
    /// unless the ends rise, stay within `text` and fall on character
    /// boundaries, and missing rows hold no text.
    pub fn from_parts(text: String, ends: Vec<u32>, missing: &[bool]) -> Option<Self> {
        if missing.len() != ends.len() {
            return None;
        }
        let mut start = 0usize;
        // Grown as `push` grows it, so that equal columns compare equal.
        let mut flags = FixedBitSet::default();
        for (row, (&end, &gone)) in ends.iter().zip(missing).enumerate() {
            let end = end as usize;
            if end < start
                || end > text.len()
                || !text.is_char_boundary(end)
                || gone && end != start
            {
                return None;
            }
            if gone {
                flags.grow(row + 1);
                flags.insert(row);
            }
            start = end;
        }
        (start == text.len()).then_some(Texts {
            text,
            ends,
            missing: flags,
        })
    }
}

/// The values of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    /// `NaN` marks a missing value.
    Number(Vec<f64>),
    Boolean(Vec<Option<bool>>),
    Category(Categories),
    /// Seconds since 1970-01-01 00:00 UTC.
    Date(Vec<Option<i64>>),
    /// Seconds since midnight, below 86,400.
    Time(Vec<Option<u32>>),
    Text(Texts),
}

/// A named, typed column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub values: ColumnValues,
}

impl Column {
    pub fn new(name: impl Into<String>, values: ColumnValues) -> Self {
        Column {
            name: name.into(),
            values,
        }
    }

    pub fn kind(&self) -> ColumnKind {
        match self.values {
            ColumnValues::Number(_) => ColumnKind::Number,
            ColumnValues::Boolean(_) => ColumnKind::Boolean,
            ColumnValues::Category(_) => ColumnKind::Category,
            ColumnValues::Date(_) => ColumnKind::Date,
            ColumnValues::Time(_) => ColumnKind::Time,
            ColumnValues::Text(_) => ColumnKind::Text,
        }
    }

    pub fn len(&self) -> usize {
        match &self.values {
            ColumnValues::Number(v) => v.len(),
            ColumnValues::Boolean(v) => v.len(),
            ColumnValues::Category(c) => c.codes.len(),
            ColumnValues::Date(v) => v.len(),
            ColumnValues::Time(v) => v.len(),
            ColumnValues::Text(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the value in `row` is missing.
    /// How many rows have no value.
    pub fn missing_count(&self) -> usize {
        match &self.values {
            ColumnValues::Number(v) => v.iter().filter(|x| x.is_nan()).count(),
            ColumnValues::Boolean(v) => v.iter().filter(|b| b.is_none()).count(),
            ColumnValues::Category(c) => c.codes.iter().filter(|&&c| c == MISSING_CODE).count(),
            ColumnValues::Date(v) => v.iter().filter(|d| d.is_none()).count(),
            ColumnValues::Time(v) => v.iter().filter(|t| t.is_none()).count(),
            ColumnValues::Text(t) => t.missing.count_ones(..),
        }
    }

    pub fn is_missing(&self, row: usize) -> bool {
        match &self.values {
            ColumnValues::Number(v) => v[row].is_nan(),
            ColumnValues::Boolean(v) => v[row].is_none(),
            ColumnValues::Category(c) => c.codes[row] == MISSING_CODE,
            ColumnValues::Date(v) => v[row].is_none(),
            ColumnValues::Time(v) => v[row].is_none(),
            ColumnValues::Text(t) => t.get(row).is_none(),
        }
    }

    /// The value in `row` as text, the way a rule comparing labels sees it;
    /// `None` where it is missing.
    pub fn text(&self, row: usize) -> Option<Cow<'_, str>> {
        match &self.values {
            ColumnValues::Number(v) => {
                let x = v[row];
                (!x.is_nan()).then(|| Cow::Owned(format_plain_number(x)))
            }
            ColumnValues::Boolean(v) => {
                v[row].map(|b| Cow::Borrowed(if b { "true" } else { "false" }))
            }
            ColumnValues::Category(c) => c.get(row).map(Cow::Borrowed),
            ColumnValues::Date(v) => v[row].map(|secs| Cow::Owned(secs.to_string())),
            ColumnValues::Time(v) => v[row].map(|secs| Cow::Owned(time_of_day_text(secs))),
            ColumnValues::Text(t) => t.get(row).map(Cow::Borrowed),
        }
    }
}

/// Prints a number without a trailing `.0` for whole values, so that the
/// value 3 compares equal to the label "3".
fn format_plain_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Where a data set came from, so the interface can say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataOrigin {
    /// Generated by [`crate::core::sample`]; synthetic, not real leads.
    Sample,
    /// Loaded from a file the user chose.
    File,
}

/// Why a set of columns does not form a data set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatasetError {
    /// A column's length differs from the first column's.
    RaggedColumn {
        column: String,
        expected: usize,
        found: usize,
    },
    /// Two columns share a name.
    DuplicateName(String),
}

impl fmt::Display for DatasetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatasetError::RaggedColumn {
                column,
                expected,
                found,
            } => write!(
                f,
                "column '{column}' has {found} values where the others have {expected}"
            ),
            DatasetError::DuplicateName(name) => {
                write!(f, "two columns are both called '{name}'")
            }
        }
    }
}

impl std::error::Error for DatasetError {}

/// A table of leads, one typed vector per column.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    name: String,
    origin: DataOrigin,
    rows: usize,
    columns: Vec<Column>,
}

impl Dataset {
    /// Assembles a data set, checking that every column has the same length
    /// and a distinct name.
    pub fn new(
        name: impl Into<String>,
        origin: DataOrigin,
        columns: Vec<Column>,
    ) -> Result<Self, DatasetError> {
        let rows = columns.first().map_or(0, Column::len);
        let mut names = HashSet::new();
        for column in &columns {
            if column.len() != rows {
                return Err(DatasetError::RaggedColumn {
                    column: column.name.clone(),
                    expected: rows,
                    found: column.len(),
                });
            }
            if !names.insert(column.name.as_str()) {
                return Err(DatasetError::DuplicateName(column.name.clone()));
            }
        }
        Ok(Dataset {
            name: name.into(),
            origin,
            rows,
            columns,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The columns, given up.
    pub fn into_columns(self) -> Vec<Column> {
        self.columns
    }

    pub fn origin(&self) -> &DataOrigin {
        &self.origin
    }

    pub fn row_count(&self) -> usize {
        self.rows
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column with this exact name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_share_codes_and_keep_missing_values() {
        let c = Categories::from_values([Some("a"), None, Some("b"), Some("a")]);
        assert_eq!(c.labels(), ["a", "b"]);
        assert_eq!(c.codes(), [0, MISSING_CODE, 1, 0]);
        assert_eq!(c.get(1), None);
        assert_eq!(c.get(3), Some("a"));
    }

    #[test]
    fn texts_keep_values_and_missing_rows() {
        let t = Texts::from_values([Some("a"), None, Some(""), Some("long value")]);
        assert_eq!(t.len(), 4);
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            [Some("a"), None, Some(""), Some("long value")]
        );
    }

    #[test]
    fn columns_of_different_length_are_rejected() {
        let err = Dataset::new(
            "t",
            DataOrigin::File,
            vec![
                Column::new("a", ColumnValues::Number(vec![1.0, 2.0])),
                Column::new("b", ColumnValues::Boolean(vec![Some(true)])),
            ],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "column 'b' has 1 values where the others have 2"
        );
    }

    #[test]
    fn duplicate_column_names_are_rejected() {
        let err = Dataset::new(
            "t",
            DataOrigin::File,
            vec![
                Column::new("a", ColumnValues::Number(vec![1.0])),
                Column::new("a", ColumnValues::Number(vec![2.0])),
            ],
        )
        .unwrap_err();
        assert_eq!(err, DatasetError::DuplicateName("a".into()));
    }

    #[test]
    fn whole_numbers_read_as_integer_labels() {
        let c = Column::new("n", ColumnValues::Number(vec![3.0, 2.5, f64::NAN]));
        assert_eq!(c.text(0).as_deref(), Some("3"));
        assert_eq!(c.text(1).as_deref(), Some("2.5"));
        assert_eq!(c.text(2), None);
        assert!(c.is_missing(2));
    }
}
