//! Turning a CSV export into a [`Dataset`](super::dataset::Dataset).
//!
//! Loading runs in three steps, each its own module:
//! [`reader`] decodes the bytes and splits records into raw text columns
//! (streaming, so a large file is read in chunks); [`infer`] decides each
//! column's type and builds the typed, column-wise data set; [`roles`]
//! suggests which columns are the outcome, the owner, the created date, and
//! so on. [`values`] reads single cells as numbers, yes/no values or dates.

use std::fmt;

pub mod builder;
pub mod infer;
pub mod reader;
pub mod roles;
pub mod values;

/// Why a file could not be loaded. Every variant leaves the data the user
/// had loaded before untouched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// No bytes, or nothing but blank lines.
    Empty,
    /// A header row and no data rows (`skipped` rows did not fit it).
    HeaderOnly { columns: usize, skipped: usize },
    /// Not a text file; `what` says what it looks like instead.
    NotText { what: &'static str },
    /// Larger than the browser can hold.
    TooLarge { bytes: u64, limit: u64 },
    /// No column could say whether a lead converted.
    NoOutcomeCandidate,
    /// The browser could not read the file.
    ReadFailed(String),
    /// The user stopped the load.
    Cancelled,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Empty => f.write_str("The file is empty: it has no header row and no data."),
            LoadError::HeaderOnly {
                columns,
                skipped: 0,
            } => write!(
                f,
                "The file has a header row ({columns} columns) but no data rows."
            ),
            LoadError::HeaderOnly { columns, skipped } => write!(
                f,
                "The file has a header row ({columns} columns) but none of its {skipped} data rows \
                 has that many fields; check the delimiter."
            ),
            LoadError::NotText { what } => write!(
                f,
                "This file is not CSV text: it looks like {what}. Export or save it as CSV first."
            ),
            LoadError::TooLarge { bytes, limit } => write!(
                f,
                "The file is {} MB; leadlens can load files of up to {} MB in the browser.",
                bytes / 1_000_000,
                limit / 1_000_000
            ),
            LoadError::NoOutcomeCandidate => f.write_str(
                "No column can say whether a lead converted: an outcome column needs a few \
                 distinct values such as yes/no, 1/0 or won/lost.",
            ),
            LoadError::ReadFailed(reason) => {
                write!(f, "The browser could not read the file: {reason}")
            }
            LoadError::Cancelled => f.write_str("Loading was cancelled; nothing changed."),
        }
    }
}

impl std::error::Error for LoadError {}

use std::collections::BTreeSet;

use infer::{BadCell, ColumnTyping, TypedColumn, TypingOptions};
use reader::{
    sniff, CsvReader, EncodingChoice, Finished, RawTable, RenamedHeader, SkippedRow, SNIFF_BYTES,
};

use super::dataset::{DataOrigin, Dataset};
use super::mapping::ColumnMapping;

/// The largest file leadlens loads: the browser must hold the typed
/// columns, about as large again as the file.
pub const MAX_FILE_BYTES: u64 = 1_000_000_000;

/// Everything the user can choose about reading a file.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LoadOptions {
    pub encoding: EncodingChoice,
    /// `None`: sniffed from the start of the file.
    pub delimiter: Option<u8>,
    /// Records before the header (0: the header is the first line);
    /// `None`: detected from the start of the file.
    pub header_record: Option<usize>,
    pub typing: TypingOptions,
}

/// What happened while loading, for the data summary: nothing is dropped
/// or changed without appearing here.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadReport {
    pub bytes: u64,
    pub encoding: &'static str,
    pub delimiter: u8,
    pub rows: usize,
    pub renamed: Vec<RenamedHeader>,
    pub skipped: Vec<SkippedRow>,
    pub skipped_count: usize,
    pub blank_lines: usize,
    pub trailing_empty_fields: usize,
    pub replaced_bytes_from_line: Option<u64>,
    pub columns: Vec<ColumnTyping>,
    /// The first unreadable cells, one by one.
    pub bad_cells: Vec<BadCell>,
    pub bad_cell_count: usize,
    /// Records passed over before the header (title or note lines), with
    /// their text, and the line the header is on.
    pub header_record: usize,
    pub header_line: u64,
    pub before_header: Vec<String>,
    /// The header's cells as the file has them, every column included.
    pub header_cells: Vec<String>,
    /// Columns left out because they are empty in every row (the padding
    /// of a spreadsheet export), by their names as loaded.
    pub dropped_empty: Vec<String>,
}

/// A loaded file: the data, the report, and a first guess at the roles.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub dataset: Dataset,
    pub report: LoadReport,
    pub suggested: ColumnMapping,
}

/// Builds the data set from typed columns and checks it can be replayed.
pub fn assemble(
    name: &str,
    bytes: u64,
    mut table: RawTable,
    typed: Vec<TypedColumn>,
) -> Result<Loaded, LoadError> {
    let mut columns = Vec::with_capacity(typed.len());
    let mut typings = Vec::with_capacity(typed.len());
    let mut bad_cells = Vec::new();
    let mut bad_cell_count = 0;
    let mut dropped_empty = Vec::new();
    let rows = table.row_count();
    // The file's header as written: loaded names, with renamed cells back
    // as they were.
    let mut header_cells = table.headers.clone();
    for renamed in &table.renamed {
        if let Some(cell) = header_cells.get_mut(renamed.position.wrapping_sub(1)) {
            cell.clone_from(&renamed.original);
        }
    }
    for t in typed {
        // Empty in every row: nothing to replay, only to list.
        if rows > 0 && t.typing.missing >= rows && t.typing.unreadable == 0 {
            dropped_empty.push(t.typing.name);
            continue;
        }
        bad_cell_count += t.typing.unreadable;
        let room = infer::LISTED_BAD_CELLS.saturating_sub(bad_cells.len());
        bad_cells.extend(t.bad_cells.into_iter().take(room));
        typings.push(t.typing);
        columns.push(t.column);
    }
    let dataset = Dataset::new(name, DataOrigin::File, columns)
        .expect("the reader gives every column one value per row and unique names");
    if roles::outcome_candidates(&dataset).is_empty() {
        return Err(LoadError::NoOutcomeCandidate);
    }
    // A dropped column's name was made up for its empty header cell: it is
    // reported as dropped, not as renamed.
    let mut renamed = std::mem::take(&mut table.renamed);
    renamed.retain(|r| !dropped_empty.contains(&r.name));
    let suggested = roles::suggest_mapping(&dataset);
    let report = LoadReport {
        bytes,
        encoding: table.encoding,
        delimiter: table.delimiter,
        rows: table.row_count(),
        renamed,
        skipped: table.skipped,
        skipped_count: table.skipped_count,
        blank_lines: table.blank_lines,
        trailing_empty_fields: table.trailing_empty_fields,
        replaced_bytes_from_line: table.replaced_bytes_from_line,
        columns: typings,
        bad_cells,
        bad_cell_count,
        header_record: table.header_record,
        header_line: table.header_line,
        before_header: table.before_header,
        header_cells,
        dropped_empty,
    };
    Ok(Loaded {
        dataset,
        report,
        suggested,
    })
}

/// Loads a whole file held in memory.
pub fn load_bytes(name: &str, bytes: &[u8], options: &LoadOptions) -> Result<Loaded, LoadError> {
    let size = bytes.len() as u64;
    if size > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            bytes: size,
            limit: MAX_FILE_BYTES,
        });
    }
    let mut keep_raw = BTreeSet::new();
    loop {
        let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
        let sniffed =
            sniff(head, options.encoding, options.delimiter)?.with_header(options.header_record);
        let mut reader = CsvReader::new(sniffed, &options.typing, keep_raw.clone());
        reader.push(bytes);
        match reader.finish()? {
            Finished::Typed(table, typed) => return assemble(name, size, table, typed),
            // Columns only ever move to `keep_raw`, which never misleads,
            // so this ends.
            Finished::Retry(columns) => keep_raw.extend(columns),
        }
    }
}
