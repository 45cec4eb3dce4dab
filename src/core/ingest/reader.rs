//! Splitting a CSV byte stream into records, knowing nothing of types.
//!
//! The stream arrives in chunks (a large file is read a few megabytes at a
//! time). Each chunk is decoded to UTF-8 with `encoding_rs` and split into
//! records by `csv_core`, the push parser underneath the `csv` crate, which
//! keeps its state between chunks. Records before the header are passed
//! over, the header names the columns, and every later record is a row
//! (handed to a [`RowSink`]), a blank line or a skipped row. Every row
//! keeps the line number it started on, so later messages can name it.

use encoding_rs::{Decoder, DecoderResult, Encoding, UTF_8, WINDOWS_1252};

use rustc_hash::{FxHashMap, FxHashSet};

use super::error::LoadError;
use super::table::{
    RawColumn, RawTable, RenamedHeader, SkippedRow, BEFORE_HEADER_CHARS, LISTED_SKIPS,
};
use super::values::trim_cell;
use crate::core::dataset::MAX_COLUMN_NAME;

/// How the bytes of the file are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncodingChoice {
    /// UTF-8 when the start of the file is valid UTF-8, else Windows-1252;
    /// a byte-order mark always wins.
    #[default]
    Auto,
    Utf8,
    /// Windows-1252, a superset of Latin-1 as browsers read it.
    Windows1252,
}

/// Delimiters tried when none is given, in order of preference on a tie.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How much of the file the sniffer looks at.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// A name for a delimiter in messages and menus.
pub fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b',' => "comma".to_owned(),
        b';' => "semicolon".to_owned(),
        b'\t' => "tab".to_owned(),
        b'|' => "vertical bar".to_owned(),
        other => format!("'{}'", other as char),
    }
}

/// What the start of the file says about how to read the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub encoding: &'static Encoding,
    pub delimiter: u8,
    /// Some line ends are a bare carriage return (old Mac files), which
    /// the parser's own line count misses: lines are then counted here.
    pub bare_cr: bool,
    /// Records before the header (a title or note line, as Excel and BI
    /// exports write them): detected, or chosen with [`Sniffed::with_header`].
    pub header_record: usize,
}

impl Sniffed {
    /// The same, with the header at record `chosen` (counting from 0)
    /// where the user chose one.
    pub fn with_header(self, chosen: Option<usize>) -> Sniffed {
        Sniffed {
            header_record: chosen.unwrap_or(self.header_record),
            ..self
        }
    }
}

fn looks_binary(head: &[u8]) -> Option<LoadError> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "an Excel workbook or another zip archive"),
        (b"\xD0\xCF\x11\xE0", "an old Excel (.xls) workbook"),
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"\x1F\x8B", "a gzip archive"),
    ];
    for (signature, what) in SIGNATURES {
        if head.starts_with(signature) {
            return Some(LoadError::NotText {
                what: (*what).to_owned(),
            });
        }
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    if head.contains(&0) || control * 100 > head.len() {
        return Some(LoadError::NotText {
            what: "binary data, not text".to_owned(),
        });
    }
    None
}

/// Decides the encoding and delimiter from the first bytes of the file.
pub fn sniff(
    head: &[u8],
    encoding: EncodingChoice,
    delimiter: Option<u8>,
) -> Result<Sniffed, LoadError> {
    if head.is_empty() {
        return Err(LoadError::Empty);
    }
    let encoding = match Encoding::for_bom(head) {
        Some((bom_encoding, _)) => bom_encoding,
        None => {
            if let Some(error) = looks_binary(head) {
                return Err(error);
            }
            match encoding {
                EncodingChoice::Utf8 => UTF_8,
                EncodingChoice::Windows1252 => WINDOWS_1252,
                EncodingChoice::Auto => match std::str::from_utf8(head) {
                    Ok(_) => UTF_8,
                    // A character cut off at the end of the sample is fine.
                    Err(e) if e.error_len().is_none() => UTF_8,
                    Err(_) => WINDOWS_1252,
                },
            }
        }
    };
    let (text, _, _) = encoding.decode(head);
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(&text));
    let header_record = header_record(whole_lines(&text), delimiter);
    // Judged on the text, not the bytes: in UTF-16 every `\r` is followed
    // by a zero byte.
    let (text, _) = encoding.decode_without_bom_handling(head);
    let bare_cr = text
        .as_bytes()
        .windows(2)
        .any(|pair| pair[0] == b'\r' && pair[1] != b'\n');
    Ok(Sniffed {
        encoding,
        delimiter,
        bare_cr,
        header_record,
    })
}

/// The sample up to its last line break: it may end mid-record.
fn whole_lines(sample: &str) -> &str {
    match sample.rfind('\n') {
        Some(end) if end + 1 < sample.len() => &sample[..=end],
        _ => sample,
    }
}

/// The delimiter under which the sample's records most consistently have
/// the same number of fields (more than one). The most common count is
/// taken, not the first record's, since a title line may come first.
fn sniff_delimiter(sample: &str) -> u8 {
    let whole = whole_lines(sample);
    let mut best = (0usize, b',');
    for &delimiter in &DELIMITERS {
        let shapes = record_shapes(whole.as_bytes(), delimiter, 50);
        let mut tally: Vec<(usize, usize)> = Vec::new();
        for shape in &shapes {
            match tally.iter_mut().find(|(fields, _)| *fields == shape.fields) {
                Some((_, n)) => *n += 1,
                None => tally.push((shape.fields, 1)),
            }
        }
        // The most frequent field count, the wider one on a tie.
        let Some(&(fields, consistent)) = tally.iter().max_by_key(|&&(fields, n)| (n, fields))
        else {
            continue;
        };
        if fields < 2 {
            continue;
        }
        // Prefer more consistent rows, then more fields per row.
        let score = consistent * 1000 + fields.min(999);
        if score > best.0 {
            best = (score, delimiter);
        }
    }
    best.1
}

/// How many records of the sample come before the header: a record of
/// one or two filled cells, no more than half as many as the widest among
/// the first records (a title such as "Leads export, 1 May 2024", a note,
/// a blank line), is not the header. A header with empty names of its own
/// still has three or more. With nothing to go by, the first record is.
fn header_record(sample: &str, delimiter: u8) -> usize {
    let shapes = record_shapes(sample.as_bytes(), delimiter, HEADER_SEARCH);
    let widest = shapes.iter().map(|s| s.filled).max().unwrap_or(0);
    let a_title = |s: &RecordShape| s.filled <= 2 && s.filled * 2 <= widest;
    if widest < 2 {
        return 0;
    }
    shapes.iter().position(|s| !a_title(s)).unwrap_or(0)
}

/// The header is looked for among this many first records.
const HEADER_SEARCH: usize = 30;

/// A record's field count, and how many of its fields hold more than
/// white space.
struct RecordShape {
    fields: usize,
    filled: usize,
}

/// The shapes of the first `limit` records of `input`.
fn record_shapes(input: &[u8], delimiter: u8, limit: usize) -> Vec<RecordShape> {
    let mut reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut output = vec![0u8; input.len() + 1];
    let mut ends = vec![0usize; 4096];
    let mut shapes = Vec::new();
    let mut input = input;
    let shape = |output: &[u8], ends: &[usize]| {
        let mut start = 0;
        let mut filled = 0;
        for &end in ends {
            let cell = std::str::from_utf8(&output[start..end]).unwrap_or("x");
            filled += usize::from(!trim_cell(cell).is_empty());
            start = end;
        }
        RecordShape {
            fields: ends.len(),
            filled,
        }
    };
    while shapes.len() < limit {
        let (result, nin, _, nend) = reader.read_record(input, &mut output, &mut ends);
        input = &input[nin..];
        match result {
            csv_core::ReadRecordResult::Record => shapes.push(shape(&output, &ends[..nend])),
            csv_core::ReadRecordResult::InputEmpty if !input.is_empty() => continue,
            csv_core::ReadRecordResult::InputEmpty => {
                // Flush a final record without a terminator.
                let (result, _, _, nend) = reader.read_record(&[], &mut output, &mut ends);
                if result == csv_core::ReadRecordResult::Record {
                    shapes.push(shape(&output, &ends[..nend]));
                }
                break;
            }
            _ => break,
        }
    }
    shapes
}

/// Counts line breaks (`\n`, `\r\n` or a lone `\r`) in `bytes`, carrying
/// over whether the previous chunk ended with `\r`.
fn count_line_breaks(bytes: &[u8], prev_cr: &mut bool) -> u64 {
    let lf = memchr::memchr_iter(b'\n', bytes).count() as u64;
    let mut crlf = 0u64;
    let mut cr = 0u64;
    if *prev_cr && bytes.first() == Some(&b'\n') {
        crlf += 1;
    }
    for at in memchr::memchr_iter(b'\r', bytes) {
        cr += 1;
        if bytes.get(at + 1) == Some(&b'\n') {
            crlf += 1;
        }
    }
    if let Some(&last) = bytes.last() {
        *prev_cr = last == b'\r';
    }
    lf + cr - crlf
}

/// What the loader makes of one record. The scored-leads export
/// ([`crate::core::scored_csv`]) files records by the same rule, so that
/// its n-th data row is the n-th row of the data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordKind {
    /// The first record: the column names.
    Header,
    /// Nothing but white space: ignored, and counted.
    Blank,
    /// A data row. With `empty_surplus`, it has more fields than the
    /// header, all of them empty (a trailing delimiter); they are dropped.
    Row { empty_surplus: bool },
    /// A row whose field count does not fit the header: skipped, and
    /// reported.
    Ragged,
}

/// Files a record of `count` fields, `field(i)` being the i-th, against a
/// header of `header_fields` fields (`None` until the header is read).
///
/// A record of one blank field is a blank line even under a one-column
/// header; a longer all-blank record is one only under a wider header (in a
/// one-column file, `" ,"` is a row: a blank value and a trailing
/// delimiter).
pub(crate) fn classify_record<'a>(
    header_fields: Option<usize>,
    count: usize,
    field: impl Fn(usize) -> &'a str,
) -> RecordKind {
    let Some(expected) = header_fields else {
        return RecordKind::Header;
    };
    let blank_from = |from: usize| (from..count).all(|i| trim_cell(field(i)).is_empty());
    if blank_from(0) && (count <= 1 || expected > 1) {
        RecordKind::Blank
    } else if count == expected || (count > expected && blank_from(expected)) {
        RecordKind::Row {
            empty_surplus: count > expected,
        }
    } else {
        RecordKind::Ragged
    }
}

/// Makes header names non-empty and unique, recording each change.
fn name_headers(fields: Vec<String>) -> (Vec<String>, Vec<RenamedHeader>) {
    let mut names: Vec<String> = Vec::with_capacity(fields.len());
    let mut renamed = Vec::new();
    // Names taken so far, and per name the next number to try after it,
    // both compared without ASCII case: linear in the header's length
    // however often a name repeats.
    let mut taken: FxHashSet<String> = FxHashSet::default();
    let mut next_number: FxHashMap<String, usize> = FxHashMap::default();
    for (i, original) in fields.into_iter().enumerate() {
        let trimmed = original.trim();
        let base = if trimmed.is_empty() {
            format!("Column {}", i + 1)
        } else if trimmed.chars().count() > MAX_COLUMN_NAME {
            let cut: String = trimmed.chars().take(MAX_COLUMN_NAME - 1).collect();
            format!("{cut}…")
        } else {
            trimmed.to_owned()
        };
        let mut name = base.clone();
        let mut key = name.to_ascii_lowercase();
        if taken.contains(&key) {
            let n = next_number.entry(key.clone()).or_insert(2);
            loop {
                name = format!("{base} ({n})");
                key = name.to_ascii_lowercase();
                *n += 1;
                if !taken.contains(&key) {
                    break;
                }
            }
        }
        taken.insert(key);
        if name != original {
            renamed.push(RenamedHeader {
                position: i + 1,
                original,
                name: name.clone(),
            });
        }
        names.push(name);
    }
    (names, renamed)
}

/// A data row's fields, as the splitter hands them on.
pub struct Fields<'a> {
    data: &'a str,
    bounds: &'a [(usize, usize)],
}

impl<'a> Fields<'a> {
    /// The `i`-th field, quotes removed; empty past the last one.
    #[inline]
    pub fn get(&self, i: usize) -> &'a str {
        match self.bounds.get(i) {
            Some(&(a, b)) => self.data.get(a..b).unwrap_or(""),
            None => "",
        }
    }

    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }
}

/// What the splitter hands the file's data rows to: the splitter knows
/// records, lines and the header; what a row's cells mean is the sink's.
pub trait RowSink {
    /// The header is read: every row will have `columns` fields.
    fn header(&mut self, columns: usize);
    /// A data row starting on `line`; `table` is what was read before it
    /// (its `lines` do not hold this row yet).
    fn row(&mut self, fields: &Fields<'_>, line: u64, table: &RawTable);
    /// True once the rest of the file need not be read.
    fn stopped(&self) -> bool {
        false
    }
}

/// A sink keeping every row as text.
#[derive(Debug, Clone, Default)]
pub struct TextRows {
    pub columns: Vec<RawColumn>,
}

impl RowSink for TextRows {
    fn header(&mut self, columns: usize) {
        self.columns = vec![RawColumn::default(); columns];
    }

    fn row(&mut self, fields: &Fields<'_>, _line: u64, _table: &RawTable) {
        for (i, column) in self.columns.iter_mut().enumerate() {
            column.push(Some(fields.get(i)));
        }
    }
}

/// Splits CSV bytes pushed in chunks into records: decodes them, passes
/// over the records before the header, names the columns, and files every
/// later record as a row (handed to a [`RowSink`]), a blank line or a
/// skipped row, with the line it starts on.
pub struct RecordSplitter {
    /// UTF-8 input is parsed in place, without a decoding copy, until an
    /// invalid byte appears; from then on (and for other encodings) the
    /// decoder runs.
    passthrough: bool,
    /// The start of a UTF-8 character cut off at the end of the last chunk.
    utf8_tail: Vec<u8>,
    decoder: Decoder,
    parser: csv_core::Reader,
    decoded: String,
    record: RecordBuffer,
    /// Field bounds of the current record, reused between records.
    fields: Vec<(usize, usize)>,
    breaks: u64,
    prev_cr: bool,
    bare_cr: bool,
    table: RawTable,
    /// The bytes parsed so far end inside a record.
    open: bool,
    have_header: bool,
    /// Records still to pass over before the header.
    before_header: usize,
    bytes_read: u64,
    /// The parser has not read yet and must not drop a byte-order mark
    /// (it drops one at the start of what it reads first): a part that
    /// starts mid-file keeps a U+FEFF its first value begins with, as the
    /// file read whole does.
    keep_mark: bool,
}

impl RecordSplitter {
    pub fn new(sniffed: Sniffed) -> Self {
        RecordSplitter {
            passthrough: sniffed.encoding == UTF_8,
            utf8_tail: Vec::new(),
            decoder: sniffed.encoding.new_decoder_with_bom_removal(),
            parser: csv_core::ReaderBuilder::new()
                .delimiter(sniffed.delimiter)
                .build(),
            decoded: String::new(),
            record: RecordBuffer::new(),
            fields: Vec::new(),
            breaks: 0,
            prev_cr: false,
            bare_cr: sniffed.bare_cr,
            table: RawTable {
                encoding: sniffed.encoding.name(),
                delimiter: sniffed.delimiter,
                header_record: sniffed.header_record,
                ..RawTable::default()
            },
            open: false,
            have_header: false,
            before_header: sniffed.header_record,
            bytes_read: 0,
            keep_mark: false,
        }
    }

    /// A splitter for a part of the file that starts on a record's first
    /// byte after the header: no byte-order mark, no records to pass over,
    /// the columns already named `headers`. Its line numbers count from
    /// the part's start.
    pub fn continuing(sniffed: Sniffed, headers: Vec<String>) -> Self {
        let mut splitter = RecordSplitter::new(Sniffed {
            header_record: 0,
            ..sniffed
        });
        splitter.decoder = sniffed.encoding.new_decoder_without_bom_handling();
        splitter.table.headers = headers;
        splitter.have_header = true;
        splitter.keep_mark = true;
        splitter
    }

    /// What has been read so far (its `columns` are the sink's).
    pub fn table(&self) -> &RawTable {
        &self.table
    }

    /// Bytes pushed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Whether the bytes pushed so far end inside a record (a quoted
    /// field still open, or a line not yet ended).
    pub fn mid_record(&self) -> bool {
        self.open || !self.utf8_tail.is_empty()
    }

    /// Data rows loaded so far.
    pub fn rows_read(&self) -> usize {
        self.table.row_count()
    }

    /// Decodes and splits the next chunk of the file, handing its rows to
    /// `sink` (nothing more once the sink has stopped).
    pub fn push<S: RowSink>(&mut self, chunk: &[u8], sink: &mut S) {
        self.bytes_read += chunk.len() as u64;
        if sink.stopped() {
            return;
        }
        if !self.passthrough {
            self.decode_and_parse(chunk, false, sink);
            return;
        }
        let mut rest = chunk;
        if !self.utf8_tail.is_empty() {
            // Complete the character the previous chunk cut off.
            while !rest.is_empty()
                && self.utf8_tail.len() < 4
                && matches!(std::str::from_utf8(&self.utf8_tail), Err(e) if e.error_len().is_none())
            {
                self.utf8_tail.push(rest[0]);
                rest = &rest[1..];
            }
            let tail = std::mem::take(&mut self.utf8_tail);
            if std::str::from_utf8(&tail).is_ok() {
                self.parse(&tail, false, sink);
            } else if rest.is_empty() && tail.len() < 4 {
                self.utf8_tail = tail; // still incomplete: wait for more
                return;
            } else {
                self.passthrough = false;
                self.decode_and_parse(&tail, false, sink);
                self.decode_and_parse(rest, false, sink);
                return;
            }
        }
        match std::str::from_utf8(rest) {
            Ok(_) => self.parse(rest, false, sink),
            Err(e) if e.error_len().is_none() => {
                let (valid, tail) = rest.split_at(e.valid_up_to());
                self.parse(valid, false, sink);
                self.utf8_tail = tail.to_vec();
            }
            Err(e) => {
                // Invalid UTF-8: hand over to the decoder, which replaces
                // bad bytes with U+FFFD (and the report says where).
                let (valid, invalid) = rest.split_at(e.valid_up_to());
                self.parse(valid, false, sink);
                self.passthrough = false;
                self.decode_and_parse(invalid, false, sink);
            }
        }
    }

    /// Ends the input: flushes what is left, and returns the table read
    /// (its `columns` are the sink's), or why the file holds no header.
    pub fn end<S: RowSink>(mut self, sink: &mut S) -> Result<RawTable, LoadError> {
        if self.passthrough && !self.utf8_tail.is_empty() {
            let tail = std::mem::take(&mut self.utf8_tail);
            self.passthrough = false;
            self.decode_and_parse(&tail, false, sink);
        }
        if self.passthrough {
            self.parse(&[], true, sink);
        } else {
            self.decode_and_parse(&[], true, sink);
        }
        if self.have_header {
            Ok(self.table)
        } else {
            Err(LoadError::Empty)
        }
    }

    /// Room for `rows` more rows' lines, so they need not grow as they fill.
    pub fn reserve_rows(&mut self, rows: usize) {
        self.table.lines.reserve(rows);
    }

    fn decode_and_parse<S: RowSink>(&mut self, chunk: &[u8], last: bool, sink: &mut S) {
        self.decoded.clear();
        let needed = self
            .decoder
            .max_utf8_buffer_length(chunk.len())
            .unwrap_or(chunk.len() * 3 + 16);
        self.decoded.reserve(needed);
        if self.table.replaced_bytes_from_line.is_some() {
            let _ = self
                .decoder
                .decode_to_string(chunk, &mut self.decoded, last);
        } else {
            self.decode_finding_first_bad_byte(chunk, last);
        }
        let decoded = std::mem::take(&mut self.decoded);
        self.parse(decoded.as_bytes(), last, sink);
        self.decoded = decoded;
    }

    /// Decodes `chunk` as `decode_to_string` would (one U+FFFD for each
    /// malformed sequence), noting the line of the first malformed one.
    fn decode_finding_first_bad_byte(&mut self, mut chunk: &[u8], last: bool) {
        loop {
            let (result, read) =
                self.decoder
                    .decode_to_string_without_replacement(chunk, &mut self.decoded, last);
            chunk = &chunk[read..];
            match result {
                DecoderResult::InputEmpty => return,
                DecoderResult::OutputFull => {
                    let more = self
                        .decoder
                        .max_utf8_buffer_length(chunk.len())
                        .unwrap_or(chunk.len() * 3 + 16);
                    self.decoded.reserve(more);
                }
                DecoderResult::Malformed(..) => {
                    if self.table.replaced_bytes_from_line.is_none() {
                        // Line breaks before it: those parsed so far, and
                        // those decoded in this chunk up to it.
                        let before = self.decoded.as_bytes();
                        let line = if self.bare_cr {
                            self.breaks + count_line_breaks(before, &mut self.prev_cr.clone()) + 1
                        } else {
                            // Counted as the parser counts: by `\n` alone
                            // (a `\r` at the end of the last chunk is not one).
                            self.parser.line() + memchr::memchr_iter(b'\n', before).count() as u64
                        };
                        self.table.replaced_bytes_from_line = Some(line);
                    }
                    self.decoded.push('\u{FFFD}');
                }
            }
        }
    }

    fn parse<S: RowSink>(&mut self, mut input: &[u8], last: bool, sink: &mut S) {
        loop {
            // csv_core reads an empty input as the end of the file, so it
            // only gets one once the file has really ended.
            let at_end = input.is_empty();
            if at_end && !last {
                break;
            }
            // A first read of one byte cannot hold a whole mark.
            let first = if self.keep_mark && !at_end {
                self.keep_mark = false;
                1
            } else {
                input.len()
            };
            let (result, nin) = self.record.read(&mut self.parser, &input[..first]);
            if self.bare_cr {
                self.breaks += count_line_breaks(&input[..nin], &mut self.prev_cr);
            } else {
                // The parser counts `\n`; a record ended by the `\r` of a
                // `\r\n` is returned before its `\n` is read.
                let ends_in_cr = nin > 0 && input[nin - 1] == b'\r';
                self.breaks = self.parser.line() - 1 + u64::from(ends_in_cr);
            }
            // A record ended, or bytes of the next one were read (line
            // breaks alone, such as the `\n` of a `\r\n`, begin none).
            if matches!(result, csv_core::ReadRecordResult::Record) {
                self.open = false;
            } else if input[..nin].iter().any(|&b| b != b'\n' && b != b'\r') {
                self.open = true;
            }
            input = &input[nin..];
            match result {
                csv_core::ReadRecordResult::Record => self.take_record(!at_end, sink),
                csv_core::ReadRecordResult::End => break,
                _ => {}
            }
        }
    }

    /// Files the record now in the output buffer as the header or a row.
    fn take_record<S: RowSink>(&mut self, terminated: bool, sink: &mut S) {
        self.table.ends_mid_record = !terminated;
        if sink.stopped() {
            self.record.clear();
            return;
        }
        // Split borrows: the record's bytes are read while the table grows.
        let RecordSplitter {
            record,
            fields,
            breaks,
            bare_cr,
            table,
            have_header,
            before_header,
            ..
        } = self;
        let (data, ends) = record.record();
        debug_assert!(std::str::from_utf8(data).is_ok());
        // SAFETY: the parser's input is valid UTF-8 (checked in `push`, or
        // produced by the decoder), and the parser only removes ASCII quotes
        // and delimiters, so a record's bytes are valid UTF-8 too.
        let data = unsafe { std::str::from_utf8_unchecked(data) };
        // Line breaks inside quoted fields, counted as `breaks` counts them.
        let breaks_inside = if memchr::memchr2(b'\n', b'\r', data.as_bytes()).is_none() {
            0
        } else if *bare_cr {
            count_line_breaks(data.as_bytes(), &mut false)
        } else {
            memchr::memchr_iter(b'\n', data.as_bytes()).count() as u64
        };
        let line = (*breaks + u64::from(!terminated)).saturating_sub(breaks_inside);
        fields.clear();
        let mut start = 0;
        for &end in ends {
            fields.push((start, end));
            start = end;
        }
        let field = |i: usize| -> &str {
            let (a, b) = fields[i];
            data.get(a..b).unwrap_or("")
        };
        let count = fields.len();
        if *before_header > 0 {
            *before_header -= 1;
            let text: Vec<&str> = (0..count)
                .map(field)
                .map(trim_cell)
                .filter(|f| !f.is_empty())
                .collect();
            // Cells joined as the line reads: "Leads export, 1 May 2024".
            let joint = match table.delimiter {
                b'\t' => " ".to_owned(),
                d => format!("{} ", d as char),
            };
            let mut text = text.join(&joint);
            if text.chars().count() > BEFORE_HEADER_CHARS {
                text = text
                    .chars()
                    .take(BEFORE_HEADER_CHARS - 1)
                    .chain(['…'])
                    .collect();
            }
            table.before_header.push(text);
            record.clear();
            return;
        }
        let header_fields = have_header.then_some(table.headers.len());
        match classify_record(header_fields, count, field) {
            RecordKind::Header => {
                table.header_line = line;
                let (headers, renamed) =
                    name_headers((0..count).map(|i| field(i).to_owned()).collect());
                sink.header(headers.len());
                table.headers = headers;
                table.renamed = renamed;
                *have_header = true;
            }
            RecordKind::Blank => table.blank_lines += 1,
            RecordKind::Row { empty_surplus } => {
                if empty_surplus {
                    table.trailing_empty_fields += 1;
                }
                let row = Fields {
                    data,
                    bounds: &fields[..],
                };
                sink.row(&row, line, table);
                table.lines.push(line);
            }
            RecordKind::Ragged => {
                let expected = table.headers.len();
                table.skipped_count += 1;
                if table.skipped.len() < LISTED_SKIPS {
                    let reason = if count < expected {
                        format!(
                            "has {count} field{} where the header has {expected}",
                            if count == 1 { "" } else { "s" }
                        )
                    } else {
                        format!(
                            "has {count} fields where the header has {expected}; a value may contain an unquoted {}",
                            delimiter_name(table.delimiter)
                        )
                    };
                    table.skipped.push(SkippedRow { line, reason });
                }
            }
        }
        record.clear();
    }
}

/// Where csv_core writes the record being parsed: its bytes, quotes
/// removed, and where each field ends; grown whenever a record needs more
/// room.
#[derive(Debug)]
pub(crate) struct RecordBuffer {
    output: Vec<u8>,
    output_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
}

impl RecordBuffer {
    pub(crate) fn new() -> Self {
        RecordBuffer {
            output: vec![0; 64 * 1024],
            output_len: 0,
            ends: vec![0; 256],
            ends_len: 0,
        }
    }

    /// Parses `input` on into the record; returns what the parser found
    /// and how many bytes it read. A full buffer is grown here, so
    /// `OutputFull` and `OutputEndsFull` only mean "read on".
    #[inline]
    pub(crate) fn read(
        &mut self,
        parser: &mut csv_core::Reader,
        input: &[u8],
    ) -> (csv_core::ReadRecordResult, usize) {
        let (result, nin, nout, nend) = parser.read_record(
            input,
            &mut self.output[self.output_len..],
            &mut self.ends[self.ends_len..],
        );
        self.output_len += nout;
        self.ends_len += nend;
        match result {
            csv_core::ReadRecordResult::OutputFull => {
                let size = self.output.len() * 2;
                self.output.resize(size, 0);
            }
            csv_core::ReadRecordResult::OutputEndsFull => {
                let size = self.ends.len() * 2;
                self.ends.resize(size, 0);
            }
            _ => {}
        }
        (result, nin)
    }

    /// The finished record: its bytes and the end of each field in them.
    pub(crate) fn record(&self) -> (&[u8], &[usize]) {
        (&self.output[..self.output_len], &self.ends[..self.ends_len])
    }

    /// Empties the buffer for the next record.
    pub(crate) fn clear(&mut self) {
        self.output_len = 0;
        self.ends_len = 0;
    }
}

/// Reads a whole in-memory file as text columns, untyped (for tests and
/// tools that type columns themselves).
pub fn read_all(
    bytes: &[u8],
    encoding: EncodingChoice,
    delimiter: Option<u8>,
) -> Result<RawTable, LoadError> {
    let sniffed = sniff(&bytes[..bytes.len().min(SNIFF_BYTES)], encoding, delimiter)?;
    let mut splitter = RecordSplitter::new(sniffed);
    let mut rows = TextRows::default();
    splitter.push(bytes, &mut rows);
    let mut table = splitter.end(&mut rows)?;
    if table.row_count() == 0 {
        return Err(LoadError::HeaderOnly {
            columns: table.headers.len(),
            skipped: table.skipped_count,
        });
    }
    table.columns = rows.columns;
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8]) -> RawTable {
        read_all(text, EncodingChoice::Auto, None).unwrap()
    }

    fn read_in_chunks(sniffed: Sniffed, text: &[u8], size: usize) -> RawTable {
        let mut splitter = RecordSplitter::new(sniffed);
        let mut rows = TextRows::default();
        for chunk in text.chunks(size) {
            splitter.push(chunk, &mut rows);
        }
        let mut table = splitter.end(&mut rows).unwrap();
        table.columns = rows.columns;
        table
    }

    fn column(table: &RawTable, i: usize) -> Vec<&str> {
        table.columns[i].iter().flatten().collect()
    }

    #[test]
    fn reads_quoted_fields_with_delimiters_quotes_and_newlines() {
        let t = read(b"name,note\n\"Smith, J\",\"said \"\"hi\"\"\"\nLee,\"two\nlines\"\nKim,x\n");
        assert_eq!(t.headers, ["name", "note"]);
        assert_eq!(column(&t, 0), ["Smith, J", "Lee", "Kim"]);
        assert_eq!(column(&t, 1), ["said \"hi\"", "two\nlines", "x"]);
        assert_eq!(t.lines, [2, 3, 5]);
    }

    #[test]
    fn line_endings_crlf_lf_and_cr_only_agree() {
        for text in [
            &b"a,b\r\n1,2\r\n3,4\r\n"[..],
            b"a,b\n1,2\n3,4",
            b"a,b\r1,2\r3,4\r",
        ] {
            let t = read(text);
            assert_eq!(column(&t, 1), ["2", "4"], "{text:?}");
            assert_eq!(t.lines, [2, 3], "{text:?}");
        }
    }

    #[test]
    fn blank_lines_are_ignored_but_counted_in_line_numbers() {
        let t = read(b"a,b\n\n1,2\n  \n3,4\n");
        assert_eq!(column(&t, 0), ["1", "3"]);
        assert_eq!(t.lines, [3, 5]);
        assert_eq!(t.blank_lines, 1);
    }

    #[test]
    fn ragged_rows_are_skipped_with_their_line() {
        let t = read(b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12,\n");
        assert_eq!(column(&t, 0), ["1", "10"]);
        assert_eq!(t.skipped_count, 2);
        assert_eq!(
            t.skipped[0],
            SkippedRow {
                line: 3,
                reason: "has 2 fields where the header has 3".into()
            }
        );
        assert_eq!(t.skipped[1].line, 4);
        assert!(t.skipped[1].reason.contains("unquoted comma"));
        assert_eq!(t.trailing_empty_fields, 1);
    }

    #[test]
    fn records_are_filed_as_header_blank_row_or_ragged() {
        let file = |header: Option<usize>, record: &[&str]| {
            classify_record(header, record.len(), |i| record[i])
        };
        assert_eq!(file(None, &["", ""]), RecordKind::Header);
        assert_eq!(file(Some(2), &[" ", "\u{A0}"]), RecordKind::Blank);
        assert_eq!(file(Some(1), &[" "]), RecordKind::Blank);
        assert_eq!(
            file(Some(1), &[" ", ""]),
            RecordKind::Row {
                empty_surplus: true
            }
        );
        assert_eq!(
            file(Some(2), &["a", ""]),
            RecordKind::Row {
                empty_surplus: false
            }
        );
        assert_eq!(
            file(Some(2), &["a", "b", " "]),
            RecordKind::Row {
                empty_surplus: true
            }
        );
        assert_eq!(file(Some(2), &["a", "b", "c"]), RecordKind::Ragged);
        assert_eq!(file(Some(3), &["a", "b"]), RecordKind::Ragged);
    }

    #[test]
    fn delimiters_are_sniffed() {
        assert_eq!(read(b"a;b;c\n1,5;2;3\n4;5;6\n").delimiter, b';');
        assert_eq!(read(b"a\tb\n1\t2\n").delimiter, b'\t');
        assert_eq!(read(b"a|b\n1|2\n").delimiter, b'|');
        assert_eq!(read(b"a,b\n\"x;y\",2\n").delimiter, b',');
        let t = read_all(b"a;b\n1;2\n", EncodingChoice::Auto, Some(b',')).unwrap();
        assert_eq!(t.headers, ["a;b"]);
    }

    #[test]
    fn encodings_utf8_bom_windows_1252_and_utf16() {
        let t = read(b"\xEF\xBB\xBFname,city\nJos\xC3\xA9,K\xC3\xB6ln\n");
        assert_eq!(t.headers[0], "name");
        assert_eq!(column(&t, 0), ["José"]);
        assert_eq!(t.encoding, "UTF-8");

        let t = read(b"name,city\nJos\xE9,K\xF6ln \x80\n");
        assert_eq!(t.encoding, "windows-1252");
        assert_eq!(column(&t, 1), ["Köln €"]);

        let t = read_all(b"name\nJos\xE9\n", EncodingChoice::Utf8, None).unwrap();
        assert_eq!(column(&t, 0), ["Jos\u{FFFD}"]);
        assert_eq!(t.replaced_bytes_from_line, Some(2));

        let utf16: Vec<u8> = "\u{FEFF}a\tb\n1\t2\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let t = read(&utf16);
        assert_eq!(t.headers, ["a", "b"]);
        assert_eq!(column(&t, 1), ["2"]);
    }

    #[test]
    fn chunk_boundaries_do_not_matter() {
        let text = "name,note\n\"Smith, J\",\"two\r\nlines\"\r\nKöln,x\r\n".as_bytes();
        let whole = read(text);
        for size in [1, 2, 3, 5, 7] {
            let sniffed = sniff(text, EncodingChoice::Auto, None).unwrap();
            assert_eq!(
                read_in_chunks(sniffed, text, size),
                whole,
                "chunks of {size}"
            );
        }
    }

    #[test]
    fn invalid_utf8_in_a_later_chunk_is_replaced_not_lost() {
        let text = b"a,b\n1,K\xC3\xB6ln\n2,\xFF!\n3,x\n";
        for size in [1, 2, 3, 4, 64] {
            let sniffed = sniff(&text[..8], EncodingChoice::Auto, None).unwrap();
            assert_eq!(sniffed.encoding, UTF_8);
            let t = read_in_chunks(sniffed, text, size);
            assert_eq!(
                column(&t, 1),
                ["Köln", "\u{FFFD}!", "x"],
                "chunks of {size}"
            );
            assert_eq!(t.replaced_bytes_from_line, Some(3), "chunks of {size}");
        }
    }

    #[test]
    fn reserving_for_the_whole_file_changes_nothing_read() {
        let text = "id,name\n".to_owned()
            + &(0..500)
                .map(|i| format!("{i},name {i}\n"))
                .collect::<String>();
        let whole = read(text.as_bytes());
        let sniffed = sniff(text.as_bytes(), EncodingChoice::Auto, None).unwrap();
        let mut splitter = RecordSplitter::new(sniffed);
        let mut rows = TextRows::default();
        let (first, rest) = text.as_bytes().split_at(100);
        splitter.push(first, &mut rows);
        splitter.reserve_rows(10_000);
        splitter.push(rest, &mut rows);
        let mut t = splitter.end(&mut rows).unwrap();
        t.columns = rows.columns;
        assert_eq!(t, whole);
    }

    #[test]
    fn headers_are_made_unique_and_non_empty() {
        let t = read(b"Email, ,email,Email\n1,2,3,4\n");
        assert_eq!(t.headers, ["Email", "Column 2", "email (2)", "Email (3)"]);
        assert_eq!(t.renamed.len(), 3);
        assert_eq!(t.renamed[0].original, " ");
    }

    #[test]
    fn empty_header_only_and_binary_files_are_refused() {
        assert_eq!(
            read_all(b"", EncodingChoice::Auto, None),
            Err(LoadError::Empty)
        );
        assert_eq!(
            read_all(b"\n\n", EncodingChoice::Auto, None),
            Err(LoadError::Empty)
        );
        assert_eq!(
            read_all(b"a,b,c\n", EncodingChoice::Auto, None),
            Err(LoadError::HeaderOnly {
                columns: 3,
                skipped: 0
            })
        );
        assert!(matches!(
            read_all(b"PK\x03\x04\x14\x00", EncodingChoice::Auto, None),
            Err(LoadError::NotText { .. })
        ));
        assert!(matches!(
            read_all(b"ab\x00\x01\x02cd", EncodingChoice::Auto, None),
            Err(LoadError::NotText { .. })
        ));
    }
}
