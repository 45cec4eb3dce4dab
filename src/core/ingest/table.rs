//! The file as text, before typing: its column names (and those renamed),
//! each column's cells, the line each row starts on, and what was passed
//! over on the way (skipped rows, blank lines, records before the header).
//! The record splitter ([`super::reader`]) fills it; typing
//! ([`super::infer`], [`super::builder`]) reads it.

use crate::core::dataset::Texts;

/// A column's cells as text, as read; none is missing yet.
pub type RawColumn = Texts;

/// A header cell that had to be renamed to make names usable and unique.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RenamedHeader {
    /// Position, counting from 1 as spreadsheets do.
    pub position: usize,
    pub original: String,
    pub name: String,
}

/// A row that was not loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SkippedRow {
    pub line: u64,
    pub reason: String,
}

/// A record passed over before the header is shown in at most this many
/// characters.
pub const BEFORE_HEADER_CHARS: usize = 120;

/// At most this many skipped rows are listed one by one; all are counted.
pub const LISTED_SKIPS: usize = 1_000;

/// The file as text columns, before typing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawTable {
    pub headers: Vec<String>,
    pub renamed: Vec<RenamedHeader>,
    pub columns: Vec<RawColumn>,
    /// The line each row starts on.
    pub lines: Vec<u64>,
    pub skipped: Vec<SkippedRow>,
    pub skipped_count: usize,
    /// Lines holding nothing but spaces, ignored.
    pub blank_lines: usize,
    /// Rows whose surplus fields were all empty (a trailing delimiter), kept.
    pub trailing_empty_fields: usize,
    pub encoding: &'static str,
    pub delimiter: u8,
    /// Where undecodable bytes were replaced with U+FFFD, the first line.
    pub replaced_bytes_from_line: Option<u64>,
    /// Records before the header, and the line the header starts on.
    pub header_record: usize,
    pub header_line: u64,
    /// The records before the header as text (shortened), to show what
    /// was passed over.
    pub before_header: Vec<String>,
    /// The input ended inside a record: a last line without a line break,
    /// or a quoted field still open.
    pub ends_mid_record: bool,
}

impl RawTable {
    pub fn row_count(&self) -> usize {
        self.lines.len()
    }
}
