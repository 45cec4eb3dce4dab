//! Why a file could not be loaded.

use std::fmt;

/// Why a file could not be loaded. Every variant leaves the data the user
/// had loaded before untouched.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LoadError {
    /// No bytes, or nothing but blank lines.
    Empty,
    /// A header row and no data rows (`skipped` rows did not fit it).
    HeaderOnly { columns: usize, skipped: usize },
    /// Data rows whose every column is empty: nothing is left to load.
    AllColumnsEmpty { columns: usize, rows: usize },
    /// Not a text file; `what` says what it looks like instead.
    NotText { what: String },
    /// Larger than the browser can hold.
    TooLarge { bytes: u64, limit: u64 },
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
            LoadError::AllColumnsEmpty { columns, rows } => write!(
                f,
                "Every one of the file's {columns} columns is empty in all {rows} data rows: there \
                 is nothing to load. Check the header line and the delimiter."
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
            LoadError::ReadFailed(reason) => {
                write!(f, "The browser could not read the file: {reason}")
            }
            LoadError::Cancelled => f.write_str("Loading was cancelled; nothing changed."),
        }
    }
}

impl std::error::Error for LoadError {}
