//! The one way a file is loaded, push-style, as `csv_core` is shaped: a
//! [`Loader`] takes the file's bytes in chunks of any size with
//! [`Loader::push`] and, at the end, [`Loader::finish`] gives the loaded
//! data set, or asks for the file once more from its start
//! ([`Finish::ReadAgain`]) when a column's first rows misled about its
//! type. Native loading, the browser, the benchmarks and the tests all
//! drive it; none repeats the protocol.
//!
//! Underneath, the [`RecordSplitter`] splits records and knows nothing of
//! types; the rows it hands on are kept as text for the first
//! [`PLAN_ROWS`], which fix each column's type, and are then typed as they
//! arrive by one [`ColumnBuilder`] per column.

use std::collections::BTreeSet;

use super::builder::{ColumnBuilder, PLAN_ROWS};
use super::error::LoadError;
use super::infer::{self, type_column, BadCell, ColumnTyping, TypedColumn, TypingOptions};
use super::reader::{sniff, EncodingChoice, Fields, RecordSplitter, RowSink, SNIFF_BYTES};
use super::roles;
use super::table::{RawColumn, RawTable, RenamedHeader, SkippedRow};
use super::values::MissingMarkers;
use crate::core::dataset::{DataOrigin, Dataset};
use crate::core::mapping::ColumnMapping;

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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LoadReport {
    pub bytes: u64,
    /// The encoding's name, as `encoding_rs` gives it.
    #[serde(deserialize_with = "encoding_name")]
    pub encoding: EncodingName,
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

/// An encoding's name; named, so that serde does not take the field for
/// text borrowed from its input.
pub type EncodingName = &'static str;

/// Reads an encoding's name back as the one `encoding_rs` keeps.
fn encoding_name<'de, D: serde::Deserializer<'de>>(from: D) -> Result<&'static str, D::Error> {
    let label = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(from)?;
    encoding_rs::Encoding::for_label(label.as_bytes())
        .map(encoding_rs::Encoding::name)
        .ok_or_else(|| serde::de::Error::custom(format!("no encoding is called {label}")))
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

/// Rows typed as they arrive, once the first rows have fixed the types.
struct TypedRows {
    typing: TypingOptions,
    markers: MissingMarkers,
    /// Columns kept as text to the end (their first rows misled before).
    keep_raw: BTreeSet<String>,
    plan_rows: usize,
    /// The first rows, as text, until types are fixed.
    columns: Vec<RawColumn>,
    builders: Option<Vec<ColumnBuilder>>,
    /// Columns whose later values did not fit their type; reading stops.
    misled: Vec<String>,
}

impl TypedRows {
    /// Fixes each column's type from the rows read so far and switches to
    /// typed builders.
    fn plan(&mut self, table: &RawTable) {
        let columns = std::mem::take(&mut self.columns);
        let builders = table
            .headers
            .iter()
            .zip(columns)
            .map(|(name, raw)| {
                if self.keep_raw.contains(name) {
                    return ColumnBuilder::raw(name, raw);
                }
                let typed = type_column(name, &raw, &table.lines, table.delimiter, &self.typing);
                ColumnBuilder::from_first_rows(
                    &raw,
                    typed,
                    &self.markers,
                    &table.lines,
                    table.delimiter,
                )
            })
            .collect();
        self.builders = Some(builders);
    }

    /// The typed columns of `table`, or the columns to keep as text when
    /// read again.
    fn finish(self, table: &RawTable) -> Result<Vec<TypedColumn>, Vec<String>> {
        if !self.misled.is_empty() {
            return Err(self.misled);
        }
        match self.builders {
            // Every row is still text: type each column as a whole.
            None => Ok(self
                .columns
                .iter()
                .zip(&table.headers)
                .map(|(raw, name)| {
                    type_column(name, raw, &table.lines, table.delimiter, &self.typing)
                })
                .collect()),
            Some(builders) => {
                let mut typed = Vec::with_capacity(builders.len());
                let mut misled = Vec::new();
                for (builder, name) in builders.into_iter().zip(&table.headers) {
                    match builder.finish(&table.lines, table.delimiter, &self.typing) {
                        Ok(column) => typed.push(column),
                        Err(_) => misled.push(name.clone()),
                    }
                }
                if misled.is_empty() {
                    Ok(typed)
                } else {
                    Err(misled)
                }
            }
        }
    }

    /// Room for `rows` more rows, `scale` times the text read so far.
    fn reserve(&mut self, rows: usize, scale: f64) {
        let more = |len: usize| (len as f64 * scale) as usize - len;
        match &mut self.builders {
            Some(builders) => {
                for builder in builders {
                    let bytes = more(builder.text_len());
                    builder.reserve(rows, bytes);
                }
            }
            None => {
                for column in &mut self.columns {
                    let bytes = more(column.text_len());
                    column.reserve(bytes, rows);
                }
            }
        }
    }
}

impl RowSink for TypedRows {
    fn header(&mut self, columns: usize) {
        self.columns = vec![RawColumn::default(); columns];
    }

    fn row(&mut self, fields: &Fields<'_>, line: u64, table: &RawTable) {
        if self.builders.is_none() && table.row_count() >= self.plan_rows {
            self.plan(table);
        }
        match &mut self.builders {
            None => {
                for (i, column) in self.columns.iter_mut().enumerate() {
                    column.push(Some(fields.get(i)));
                }
            }
            Some(builders) => {
                for (i, builder) in builders.iter_mut().enumerate() {
                    if builder.push(fields.get(i), line, &self.markers).is_err() {
                        self.misled.push(table.headers[i].clone());
                    }
                }
            }
        }
    }

    fn stopped(&self) -> bool {
        !self.misled.is_empty()
    }
}

/// How a load ended.
// One is made per load: the size of the loaded variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Finish {
    /// The file, loaded.
    Done(Loaded),
    /// Push the file again from its start: a column's first rows misled
    /// about its type, and it is now kept as text (at most once for each
    /// column, so this ends).
    ReadAgain,
}

/// Loads one file pushed in chunks; see the module documentation.
pub struct Loader {
    name: String,
    size: u64,
    options: LoadOptions,
    plan_rows: usize,
    keep_raw: BTreeSet<String>,
    /// The start of the file until it is long enough to sniff.
    head: Vec<u8>,
    reading: Option<(RecordSplitter, TypedRows)>,
    pushed: u64,
}

impl Loader {
    /// A loader for the file `name` of `size` bytes, read as `options` say;
    /// a file too large for the browser is refused here.
    pub fn new(name: &str, size: u64, options: &LoadOptions) -> Result<Loader, LoadError> {
        if size > MAX_FILE_BYTES {
            return Err(LoadError::TooLarge {
                bytes: size,
                limit: MAX_FILE_BYTES,
            });
        }
        Ok(Loader {
            name: name.to_owned(),
            size,
            options: options.clone(),
            plan_rows: PLAN_ROWS,
            keep_raw: BTreeSet::new(),
            head: Vec::new(),
            reading: None,
            pushed: 0,
        })
    }

    /// The same loader fixing types after `rows` rows (tests use a few).
    pub fn with_plan_rows(mut self, rows: usize) -> Loader {
        self.plan_rows = rows.max(1);
        self
    }

    /// Bytes pushed since the file was last started.
    pub fn bytes_read(&self) -> u64 {
        self.pushed
    }

    /// Data rows read so far.
    pub fn rows_read(&self) -> usize {
        self.reading.as_ref().map_or(0, |(s, _)| s.rows_read())
    }

    /// False once the rest of the file need not be pushed: it will be read
    /// again ([`Loader::finish`] says so).
    pub fn wants_more(&self) -> bool {
        self.reading
            .as_ref()
            .is_none_or(|(_, rows)| !rows.stopped())
    }

    /// Takes the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), LoadError> {
        self.pushed += chunk.len() as u64;
        match &mut self.reading {
            Some((splitter, rows)) => splitter.push(chunk, rows),
            None => {
                self.head.extend_from_slice(chunk);
                if self.head.len() >= SNIFF_BYTES {
                    self.start()?;
                }
            }
        }
        Ok(())
    }

    /// Sniffs the start of the file and reads it.
    fn start(&mut self) -> Result<(), LoadError> {
        let head = std::mem::take(&mut self.head);
        let sniffed = sniff(
            &head[..head.len().min(SNIFF_BYTES)],
            self.options.encoding,
            self.options.delimiter,
        )?
        .with_header(self.options.header_record);
        let mut splitter = RecordSplitter::new(sniffed);
        let mut rows = TypedRows {
            markers: MissingMarkers::new(&self.options.typing.missing_markers),
            typing: self.options.typing.clone(),
            keep_raw: self.keep_raw.clone(),
            plan_rows: self.plan_rows,
            columns: Vec::new(),
            builders: None,
            misled: Vec::new(),
        };
        splitter.push(&head, &mut rows);
        // Sized for the whole file, judging from its start, so that the
        // columns need not grow (and be copied) as they fill.
        let (read, rows_so_far) = (head.len() as u64, splitter.rows_read());
        if rows_so_far > 0 && self.size > read {
            let scale = self.size as f64 / read as f64 * 1.1;
            let more_rows = (rows_so_far as f64 * scale) as usize - rows_so_far;
            rows.reserve(more_rows, scale);
            splitter.reserve_rows(more_rows);
        }
        self.reading = Some((splitter, rows));
        Ok(())
    }

    /// Ends the file: the loaded data set, or a request to push the file
    /// again from its start.
    pub fn finish(&mut self) -> Result<Finish, LoadError> {
        if self.reading.is_none() {
            self.start()?;
        }
        let (splitter, mut rows) = self.reading.take().expect("started above");
        self.pushed = 0;
        let mut table = splitter.end(&mut rows)?;
        if rows.stopped() {
            self.keep_raw.extend(rows.misled);
            return Ok(Finish::ReadAgain);
        }
        if table.row_count() == 0 {
            return Err(LoadError::HeaderOnly {
                columns: table.headers.len(),
                skipped: table.skipped_count,
            });
        }
        match rows.finish(&table) {
            Ok(typed) => {
                table.columns.clear();
                assemble(&self.name, self.size, table, typed).map(Finish::Done)
            }
            Err(misled) => {
                self.keep_raw.extend(misled);
                Ok(Finish::ReadAgain)
            }
        }
    }
}

/// Loads a whole file held in memory.
pub fn load_bytes(name: &str, bytes: &[u8], options: &LoadOptions) -> Result<Loaded, LoadError> {
    let mut loader = Loader::new(name, bytes.len() as u64, options)?;
    loop {
        loader.push(bytes)?;
        if let Finish::Done(loaded) = loader.finish()? {
            return Ok(loaded);
        }
    }
}
