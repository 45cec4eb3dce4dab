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

use super::buffer::Buffer;
use super::builder::{BuilderHead, ColumnBuilder, ColumnPlan, PLAN_ROWS};
use super::error::LoadError;
use super::infer::{self, type_column, BadCell, ColumnTyping, TypedColumn, TypingOptions};
use super::reader::{sniff, EncodingChoice, Fields, RecordSplitter, RowSink, Sniffed, SNIFF_BYTES};
use super::roles;
use super::table::{RawColumn, RawTable, RenamedHeader, SkippedRow, LISTED_SKIPS};
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
    // A data set's rows are its columns' rows: with every column dropped
    // as empty, the rows would be lost without a word.
    if columns.is_empty() && rows > 0 {
        return Err(LoadError::AllColumnsEmpty {
            columns: dropped_empty.len(),
            rows,
        });
    }
    let dataset = Dataset::new(name, DataOrigin::File, columns)
        .expect("the reader gives every column one value per row and unique names");
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
    /// The rows the whole file is expected to hold, judging from its
    /// start, for the builders to be sized once the types are fixed.
    expected_rows: Option<usize>,
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
        // Sized for the rest of the file now, so that the columns need not
        // grow (and be copied) as they fill.
        let read = table.row_count();
        if let Some(expected) = self.expected_rows.filter(|_| read > 0) {
            let more = expected.saturating_sub(read);
            self.reserve(more, (read + more) as f64 / read as f64);
        }
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
    sniffed: Option<Sniffed>,
    pushed: u64,
    /// `\n` bytes pushed since the file was last started.
    newlines: u64,
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
            sniffed: None,
            pushed: 0,
            newlines: 0,
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
        self.newlines += memchr::memchr_iter(b'\n', chunk).count() as u64;
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
        self.sniffed = Some(sniffed);
        let mut splitter = RecordSplitter::new(sniffed);
        let mut rows = TypedRows {
            markers: MissingMarkers::new(&self.options.typing.missing_markers),
            typing: self.options.typing.clone(),
            keep_raw: self.keep_raw.clone(),
            plan_rows: self.plan_rows,
            columns: Vec::new(),
            builders: None,
            misled: Vec::new(),
            expected_rows: None,
        };
        splitter.push(&head, &mut rows);
        // Sized for the whole file, judging from its start, so that the
        // columns need not grow (and be copied) as they fill: the typed
        // builders if the types are fixed already, else the text columns
        // for the rows until they are, and the builders then.
        let (read, rows_so_far) = (head.len() as u64, splitter.rows_read());
        if rows_so_far > 0 && self.size > read {
            let scale = self.size as f64 / read as f64 * 1.1;
            let more_rows = (rows_so_far as f64 * scale) as usize - rows_so_far;
            if rows.builders.is_some() {
                rows.reserve(more_rows, scale);
            } else {
                rows.expected_rows = Some(rows_so_far + more_rows);
                let until_plan = self.plan_rows.min(rows_so_far + more_rows);
                let more = until_plan.saturating_sub(rows_so_far);
                rows.reserve(more, (rows_so_far + more) as f64 / rows_so_far as f64);
            }
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
        self.newlines = 0;
        let table = splitter.end(&mut rows)?;
        self.finish_table(table, rows)
    }

    fn finish_table(&mut self, mut table: RawTable, rows: TypedRows) -> Result<Finish, LoadError> {
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

/// What typing the rest of a file in parts needs from its start: how to
/// read it and each column's fixed type.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Plan {
    #[serde(deserialize_with = "encoding_name")]
    encoding: EncodingName,
    delimiter: u8,
    headers: Vec<String>,
    columns: Vec<ColumnPlan>,
    options: LoadOptions,
}

/// Where the part of a file that starts at byte `at` begins: one past the
/// first line break at `at - 1` or later. `before` holds the file's bytes
/// from `at - 1` on; `None` when it holds no line break (the part is
/// empty: the previous one reads on to its end).
pub fn part_start(at: u64, before: &[u8]) -> Option<u64> {
    if at == 0 {
        return Some(0);
    }
    memchr::memchr(b'\n', before).map(|i| at + i as u64)
}

/// Nominal starts of `parts` parts of a file of `size` bytes: the real
/// starts are the record starts [`part_start`] finds from these.
pub fn nominal_starts(size: u64, parts: usize) -> Vec<u64> {
    let parts = parts.max(1) as u64;
    (0..parts).map(|k| size / parts * k).collect()
}

/// One part of a file, after the first, typed as the [`Plan`] says.
pub struct PartLoader {
    splitter: RecordSplitter,
    rows: TypedRows,
    newlines: u64,
    /// The part's expected length, until its first chunk sizes the
    /// columns for it.
    expected_bytes: Option<u64>,
}

impl PartLoader {
    pub fn new(plan: &Plan) -> PartLoader {
        let encoding = encoding_rs::Encoding::for_label(plan.encoding.as_bytes())
            .expect("a plan names an encoding encoding_rs knows");
        let sniffed = Sniffed {
            encoding,
            delimiter: plan.delimiter,
            bare_cr: false,
            header_record: 0,
        };
        PartLoader {
            splitter: RecordSplitter::continuing(sniffed, plan.headers.clone()),
            rows: TypedRows {
                typing: plan.options.typing.clone(),
                markers: MissingMarkers::new(&plan.options.typing.missing_markers),
                keep_raw: BTreeSet::new(),
                plan_rows: 0,
                columns: Vec::new(),
                builders: Some(plan.columns.iter().map(ColumnBuilder::from_plan).collect()),
                misled: Vec::new(),
                expected_rows: None,
            },
            newlines: 0,
            expected_bytes: None,
        }
    }

    /// Says the part is about `bytes` long: once its first chunk is in,
    /// the columns are sized for the whole part, so that they need not
    /// grow (and be copied) as they fill.
    pub fn expect_bytes(&mut self, bytes: u64) {
        self.expected_bytes = Some(bytes);
    }

    /// Takes the next chunk of the part.
    pub fn push(&mut self, chunk: &[u8]) {
        self.newlines += memchr::memchr_iter(b'\n', chunk).count() as u64;
        self.splitter.push(chunk, &mut self.rows);
        if let Some(bytes) = self.expected_bytes.take() {
            let rows = self.splitter.rows_read();
            if rows > 0 && bytes > chunk.len() as u64 {
                let scale = bytes as f64 / chunk.len() as f64 * 1.1;
                let more_rows = (rows as f64 * scale) as usize - rows;
                self.rows.reserve(more_rows, scale);
                self.splitter.reserve_rows(more_rows);
            }
        }
    }

    /// False once a column's type proved wrong: the file will be read
    /// again as a whole.
    pub fn wants_more(&self) -> bool {
        !self.rows.stopped()
    }

    pub fn rows_read(&self) -> usize {
        self.splitter.rows_read()
    }

    /// Ends the part.
    pub fn finish(mut self) -> Part {
        // A continuing splitter always has its header.
        let table = self.splitter.end(&mut self.rows).unwrap_or_default();
        Part {
            table,
            columns: PartColumns::Built(self.rows.builders.unwrap_or_default()),
            misled: self.rows.misled,
            newlines: self.newlines,
        }
    }
}

/// A typed part of a file, to be joined to the parts before it.
pub struct Part {
    table: RawTable,
    columns: PartColumns,
    misled: Vec<String>,
    newlines: u64,
}

/// One flat buffer of a part, taken only when the join reaches its
/// column: `None` if it arrived damaged. A part from another thread is
/// then copied in a column at a time, so that no more than one of its
/// columns sits beside the joined columns it is appended to.
pub type LaterBuffer = Box<dyn FnOnce() -> Option<Buffer>>;

enum PartColumns {
    Built(Vec<ColumnBuilder>),
    /// Each column's head and its buffers, still where they arrived.
    Flat(Vec<(BuilderHead, Vec<LaterBuffer>)>),
}

impl PartColumns {
    /// The columns as builders, one at a time, in order; an error once a
    /// column's buffers are missing, damaged or of another length than
    /// the part's `rows` (where no column misled).
    fn into_builders(
        self,
        rows: usize,
        misled: bool,
    ) -> Box<dyn Iterator<Item = Result<ColumnBuilder, LoadError>>> {
        match self {
            PartColumns::Built(builders) => Box::new(builders.into_iter().map(Ok)),
            PartColumns::Flat(columns) => {
                Box::new(columns.into_iter().map(move |(head, later)| {
                    let buffers: Option<Vec<Buffer>> =
                        later.into_iter().map(|take| take()).collect();
                    let mut buffers = buffers.ok_or_else(damaged_part)?.into_iter();
                    let builder =
                        ColumnBuilder::from_buffers(head, &mut buffers).ok_or_else(damaged_part)?;
                    if buffers.next().is_some() || (builder.rows_held() != rows && !misled) {
                        return Err(damaged_part());
                    }
                    Ok(builder)
                }))
            }
        }
    }
}

fn damaged_part() -> LoadError {
    LoadError::ReadFailed("a part of the file arrived damaged".to_owned())
}

#[derive(serde::Serialize, serde::Deserialize)]
struct PartHead {
    lines: usize,
    skipped: Vec<SkippedRow>,
    skipped_count: usize,
    blank_lines: usize,
    trailing_empty_fields: usize,
    replaced_bytes_from_line: Option<u64>,
    ends_mid_record: bool,
    builders: Vec<BuilderHead>,
    misled: Vec<String>,
    newlines: u64,
}

impl Part {
    /// The part as a JSON head and flat buffers, for another thread.
    pub fn into_buffers(self) -> (String, Vec<Buffer>) {
        let mut buffers = vec![Buffer::I64(
            self.table.lines.iter().map(|&l| l as i64).collect(),
        )];
        let builders = match self.columns {
            PartColumns::Built(builders) => builders
                .into_iter()
                .map(|b| b.into_buffers(&mut buffers))
                .collect(),
            // Sent on as it came: a buffer that cannot be taken is left
            // out, and the receiver refuses the part as damaged.
            PartColumns::Flat(columns) => columns
                .into_iter()
                .map(|(head, later)| {
                    buffers.extend(later.into_iter().filter_map(|take| take()));
                    head
                })
                .collect(),
        };
        let head = PartHead {
            lines: self.table.lines.len(),
            skipped: self.table.skipped,
            skipped_count: self.table.skipped_count,
            blank_lines: self.table.blank_lines,
            trailing_empty_fields: self.table.trailing_empty_fields,
            replaced_bytes_from_line: self.table.replaced_bytes_from_line,
            ends_mid_record: self.table.ends_mid_record,
            builders,
            misled: self.misled,
            newlines: self.newlines,
        };
        (
            serde_json::to_string(&head).expect("a part's head is plain data"),
            buffers,
        )
    }

    /// A part from [`Part::into_buffers`].
    pub fn from_buffers(head: &str, buffers: Vec<Buffer>) -> Result<Part, LoadError> {
        let later = buffers
            .into_iter()
            .map(|buffer| Box::new(move || Some(buffer)) as LaterBuffer)
            .collect();
        Part::from_later_buffers(head, later)
    }

    /// A part from the head and the buffers of [`Part::into_buffers`],
    /// each buffer taken only when the join reaches its column. The head,
    /// the line numbers and the number of buffers are checked here; each
    /// column as it is taken.
    pub fn from_later_buffers(head: &str, buffers: Vec<LaterBuffer>) -> Result<Part, LoadError> {
        let head: PartHead = serde_json::from_str(head).map_err(|_| damaged_part())?;
        let mut buffers = buffers.into_iter();
        let lines: Vec<u64> = match buffers.next().and_then(|take| take()) {
            Some(Buffer::I64(v)) if v.len() == head.lines => {
                v.into_iter().map(|l| l as u64).collect()
            }
            _ => return Err(damaged_part()),
        };
        let mut columns = Vec::with_capacity(head.builders.len());
        for b in head.builders {
            let count = b.buffer_count();
            let later: Vec<LaterBuffer> = buffers.by_ref().take(count).collect();
            if later.len() != count {
                return Err(damaged_part());
            }
            columns.push((b, later));
        }
        if buffers.next().is_some() {
            return Err(damaged_part());
        }
        Ok(Part {
            table: RawTable {
                lines,
                skipped: head.skipped,
                skipped_count: head.skipped_count,
                blank_lines: head.blank_lines,
                trailing_empty_fields: head.trailing_empty_fields,
                replaced_bytes_from_line: head.replaced_bytes_from_line,
                ends_mid_record: head.ends_mid_record,
                ..RawTable::default()
            },
            columns: PartColumns::Flat(columns),
            misled: head.misled,
            newlines: head.newlines,
        })
    }
}

impl Loader {
    /// What the other parts of the file need, once the first rows have
    /// fixed the types; `None` before, and for a file whose records cannot
    /// be found from any line break (an encoding other than UTF-8 or a
    /// single-byte one, or lines ended by a bare carriage return).
    pub fn plan(&self) -> Option<Plan> {
        let sniffed = self.sniffed?;
        let (splitter, rows) = self.reading.as_ref()?;
        let builders = rows.builders.as_ref()?;
        let findable = sniffed.encoding == encoding_rs::UTF_8 || sniffed.encoding.is_single_byte();
        if !findable || sniffed.bare_cr || rows.stopped() {
            return None;
        }
        Some(Plan {
            encoding: sniffed.encoding.name(),
            delimiter: sniffed.delimiter,
            headers: splitter.table().headers.clone(),
            columns: builders.iter().map(ColumnBuilder::plan).collect(),
            options: self.options.clone(),
        })
    }

    /// Whether the bytes pushed so far end inside a record: then a part
    /// begun where they end would begin mid-record, and this loader should
    /// read on by itself.
    pub fn mid_record(&self) -> bool {
        match &self.reading {
            Some((splitter, _)) => splitter.mid_record(),
            None => !self.head.is_empty() && !self.head.ends_with(b"\n"),
        }
    }

    /// Ends the file when this loader was pushed only its first part and
    /// `parts` hold the rest, in order: the same result as pushing the
    /// whole file, or [`Finish::ReadAgain`] where the parts cannot stand
    /// for it (a part began inside a quoted field, or a column's first
    /// rows misled): push the whole file again, to this loader alone.
    pub fn finish_with(&mut self, parts: Vec<Part>) -> Result<Finish, LoadError> {
        if parts.is_empty() {
            return self.finish();
        }
        let Some((splitter, mut rows)) = self.reading.take() else {
            // The first part was too short to fix the types.
            return Ok(Finish::ReadAgain);
        };
        let mut offset = self.newlines;
        self.pushed = 0;
        self.newlines = 0;
        let mut table = splitter.end(&mut rows)?;
        // Every part but the last must end on a record's end: then each
        // began on a record's start.
        let mut open = table.ends_mid_record;
        for part in &parts[..parts.len() - 1] {
            open |= part.table.ends_mid_record;
        }
        let misled: Vec<String> = rows
            .misled
            .iter()
            .chain(parts.iter().flat_map(|p| p.misled.iter()))
            .cloned()
            .collect();
        if !misled.is_empty() {
            self.keep_raw.extend(misled);
            return Ok(Finish::ReadAgain);
        }
        if open || rows.builders.is_none() {
            return Ok(Finish::ReadAgain);
        }
        let builders = rows.builders.as_mut().expect("checked above");
        for part in parts {
            let Part {
                table: more,
                columns: more_columns,
                newlines,
                misled,
            } = part;
            let rows = more.lines.len();
            table.lines.extend(more.lines.iter().map(|l| l + offset));
            let room = LISTED_SKIPS.saturating_sub(table.skipped.len());
            table
                .skipped
                .extend(more.skipped.into_iter().take(room).map(|s| SkippedRow {
                    line: s.line + offset,
                    ..s
                }));
            table.skipped_count += more.skipped_count;
            table.blank_lines += more.blank_lines;
            table.trailing_empty_fields += more.trailing_empty_fields;
            if table.replaced_bytes_from_line.is_none() {
                table.replaced_bytes_from_line = more.replaced_bytes_from_line.map(|l| l + offset);
            }
            // A column at a time: each is taken in, appended and dropped
            // before the next.
            for (builder, more) in builders
                .iter_mut()
                .zip(more_columns.into_builders(rows, !misled.is_empty()))
            {
                if builder.append(more?, offset).is_err() {
                    // Read on from the start, the part's failures would
                    // have been too many: the column is kept as text.
                    self.keep_raw.insert(builder.name().to_owned());
                    return Ok(Finish::ReadAgain);
                }
            }
            offset += newlines;
        }
        table.ends_mid_record = false;
        self.finish_table(table, rows)
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
