//! A loaded file handed from the thread that read it to the one that uses
//! it: a small JSON head (names, types, the load report, the suggested
//! roles, the column summaries) and one flat buffer per column part, so
//! that a browser can move the columns between threads without copying or
//! encoding them value by value.
//!
//! Column parts, in order, by type:
//! - number: the values (`f64`, NaN where missing);
//! - yes/no: one byte per row, 0 no, 1 yes, 2 missing;
//! - category: the codes (`u32`, [`MISSING_CODE`] where missing); the
//!   labels travel in the head;
//! - date: seconds (`i64`), then one byte per row, 1 where present;
//! - time of day: seconds (`u32`), then the presence bytes;
//! - text: the UTF-8 text end to end, the ends (`u32`), the presence bytes.
//!
//! [`unpack`] checks everything it is given, so a damaged message is an
//! error, never a panic or a wrong column.

use serde::{Deserialize, Serialize};

pub use super::buffer::{Buffer, BufferKind};
use super::error::LoadError;
use super::loader::{LoadReport, Loaded};
use crate::core::dataset::{
    Categories, Column, ColumnKind, ColumnValues, DataOrigin, Dataset, Texts, MISSING_CODE,
};
use crate::core::mapping::ColumnMapping;
use crate::core::summary::ColumnSummary;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ColumnHead {
    name: String,
    kind: ColumnKind,
    /// A category column's labels, by code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    labels: Vec<String>,
}

/// The head of a packed load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Head {
    name: String,
    rows: usize,
    columns: Vec<ColumnHead>,
    /// Each buffer's kind and length (in elements), in order.
    buffers: Vec<(BufferKind, usize)>,
    report: LoadReport,
    suggested: ColumnMapping,
    summaries: Vec<ColumnSummary>,
}

impl Head {
    /// Each buffer's kind and length in elements, in the order sent.
    pub fn buffers(&self) -> &[(BufferKind, usize)] {
        &self.buffers
    }
}

/// A loaded file, packed: the head as JSON and the buffers.
#[derive(Debug, Clone, PartialEq)]
pub struct Packed {
    pub head: String,
    pub buffers: Vec<Buffer>,
}

fn presence<T>(values: &[Option<T>]) -> Vec<u8> {
    values.iter().map(|v| u8::from(v.is_some())).collect()
}

/// Packs `loaded` with the summaries of its columns, giving up the data.
pub fn pack(loaded: Loaded, summaries: Vec<ColumnSummary>) -> Packed {
    let Loaded {
        dataset,
        report,
        suggested,
    } = loaded;
    let name = dataset.name().to_owned();
    let rows = dataset.row_count();
    let mut heads = Vec::with_capacity(dataset.columns().len());
    let mut buffers = Vec::new();
    for column in dataset.into_columns() {
        let mut labels = Vec::new();
        let kind = column.kind();
        match column.values {
            ColumnValues::Number(v) => buffers.push(Buffer::F64(v)),
            ColumnValues::Boolean(v) => buffers.push(Buffer::yes_no(&v)),
            ColumnValues::Category(c) => {
                let (l, codes) = c.into_parts();
                labels = l;
                buffers.push(Buffer::U32(codes));
            }
            ColumnValues::Date(v) => {
                let present = presence(&v);
                buffers.push(Buffer::I64(v.into_iter().map(|d| d.unwrap_or(0)).collect()));
                buffers.push(Buffer::Bytes(present));
            }
            ColumnValues::Time(v) => {
                let present = presence(&v);
                buffers.push(Buffer::U32(v.into_iter().map(|t| t.unwrap_or(0)).collect()));
                buffers.push(Buffer::Bytes(present));
            }
            ColumnValues::Text(t) => {
                let present = t.iter().map(|v| u8::from(v.is_some())).collect();
                let (text, ends) = t.into_parts();
                buffers.push(Buffer::Bytes(text.into_bytes()));
                buffers.push(Buffer::U32(ends));
                buffers.push(Buffer::Bytes(present));
            }
        }
        heads.push(ColumnHead {
            name: column.name,
            kind,
            labels,
        });
    }
    let head = Head {
        name,
        rows,
        columns: heads,
        buffers: buffers
            .iter()
            .map(|b| match b {
                Buffer::Bytes(v) => (BufferKind::Bytes, v.len()),
                Buffer::U32(v) => (BufferKind::U32, v.len()),
                Buffer::I64(v) => (BufferKind::I64, v.len()),
                Buffer::F64(v) => (BufferKind::F64, v.len()),
            })
            .collect(),
        report,
        suggested,
        summaries,
    };
    Packed {
        head: serde_json::to_string(&head).expect("a head is plain data"),
        buffers,
    }
}

/// Reads a packed head, to learn which buffers to make.
pub fn read_head(head: &str) -> Result<Head, LoadError> {
    serde_json::from_str(head).map_err(|e| damaged(&format!("its description is unreadable ({e})")))
}

fn damaged(why: &str) -> LoadError {
    LoadError::ReadFailed(format!(
        "the file was read, but handing it over failed: {why}"
    ))
}

/// Takes the buffers of one column, in order, checking their kinds and
/// lengths.
struct Parts<I> {
    buffers: I,
    rows: usize,
}

impl<I: Iterator<Item = Buffer>> Parts<I> {
    fn next(&mut self, column: &str) -> Result<Buffer, LoadError> {
        self.buffers
            .next()
            .ok_or_else(|| damaged(&format!("column {column} is incomplete")))
    }

    fn rows_long(&self, column: &str, len: usize) -> Result<(), LoadError> {
        if len == self.rows {
            Ok(())
        } else {
            Err(damaged(&format!(
                "column {column} has {len} values where the file has {} rows",
                self.rows
            )))
        }
    }

    fn bytes(&mut self, column: &str, rows_long: bool) -> Result<Vec<u8>, LoadError> {
        match self.next(column)? {
            Buffer::Bytes(v) => {
                if rows_long {
                    self.rows_long(column, v.len())?;
                }
                Ok(v)
            }
            _ => Err(damaged(&format!(
                "column {column} has a part of the wrong kind"
            ))),
        }
    }

    fn u32s(&mut self, column: &str) -> Result<Vec<u32>, LoadError> {
        match self.next(column)? {
            Buffer::U32(v) => self.rows_long(column, v.len()).map(|()| v),
            _ => Err(damaged(&format!(
                "column {column} has a part of the wrong kind"
            ))),
        }
    }

    fn present(&mut self, column: &str) -> Result<Vec<bool>, LoadError> {
        self.bytes(column, true)?
            .into_iter()
            .map(|b| match b {
                0 => Ok(false),
                1 => Ok(true),
                _ => Err(damaged(&format!("column {column} has a bad presence flag"))),
            })
            .collect()
    }
}

fn with_presence<T>(values: Vec<T>, present: Vec<bool>) -> Vec<Option<T>> {
    values
        .into_iter()
        .zip(present)
        .map(|(v, p)| p.then_some(v))
        .collect()
}

fn column(
    head: ColumnHead,
    parts: &mut Parts<impl Iterator<Item = Buffer>>,
) -> Result<Column, LoadError> {
    let name = head.name.as_str();
    let wrong = || damaged(&format!("column {name} has a part of the wrong kind"));
    let values = match head.kind {
        ColumnKind::Number => match parts.next(name)? {
            Buffer::F64(v) => {
                parts.rows_long(name, v.len())?;
                ColumnValues::Number(v)
            }
            _ => return Err(wrong()),
        },
        ColumnKind::Boolean => ColumnValues::Boolean(
            parts
                .bytes(name, true)?
                .into_iter()
                .map(|b| match b {
                    0 => Ok(Some(false)),
                    1 => Ok(Some(true)),
                    2 => Ok(None),
                    _ => Err(damaged(&format!("column {name} has a bad yes/no value"))),
                })
                .collect::<Result<_, _>>()?,
        ),
        ColumnKind::Category => {
            let codes = parts.u32s(name)?;
            let labels = head.labels.len();
            if codes
                .iter()
                .any(|&c| c != MISSING_CODE && c as usize >= labels)
            {
                return Err(damaged(&format!(
                    "column {name} has a code without a label"
                )));
            }
            ColumnValues::Category(Categories::from_parts(head.labels, codes))
        }
        ColumnKind::Date => {
            let seconds = match parts.next(name)? {
                Buffer::I64(v) => {
                    parts.rows_long(name, v.len())?;
                    v
                }
                _ => return Err(wrong()),
            };
            ColumnValues::Date(with_presence(seconds, parts.present(name)?))
        }
        ColumnKind::Time => {
            let seconds = parts.u32s(name)?;
            if seconds.iter().any(|&s| s >= 86_400) {
                return Err(damaged(&format!("column {name} has a time past midnight")));
            }
            ColumnValues::Time(with_presence(seconds, parts.present(name)?))
        }
        ColumnKind::Text => {
            let text = String::from_utf8(parts.bytes(name, false)?)
                .map_err(|_| damaged(&format!("column {name} is not valid text")))?;
            let ends = parts.u32s(name)?;
            let missing: Vec<bool> = parts.present(name)?.into_iter().map(|p| !p).collect();
            ColumnValues::Text(
                Texts::from_parts(text, ends, &missing)
                    .ok_or_else(|| damaged(&format!("column {name} has values out of place")))?,
            )
        }
    };
    Ok(Column::new(head.name, values))
}

/// How many buffers a column of `kind` takes.
fn parts_of(kind: ColumnKind) -> usize {
    match kind {
        ColumnKind::Number | ColumnKind::Boolean | ColumnKind::Category => 1,
        ColumnKind::Date | ColumnKind::Time => 2,
        ColumnKind::Text => 3,
    }
}

/// Unpacks a load a column at a time, so that a receiver can give other
/// work a turn in between.
pub struct Unpacker {
    name: String,
    rows: usize,
    heads: Vec<ColumnHead>,
    buffers: Vec<(BufferKind, usize)>,
    /// Columns (and buffers) taken so far.
    taken: usize,
    taken_buffers: usize,
    report: LoadReport,
    suggested: ColumnMapping,
    summaries: Vec<ColumnSummary>,
    columns: Vec<Column>,
}

impl Unpacker {
    pub fn new(head: Head) -> Unpacker {
        Unpacker {
            name: head.name,
            rows: head.rows,
            columns: Vec::with_capacity(head.columns.len()),
            heads: head.columns,
            buffers: head.buffers,
            taken: 0,
            taken_buffers: 0,
            report: head.report,
            suggested: head.suggested,
            summaries: head.summaries,
        }
    }

    /// The kinds and lengths (in elements) of the buffers the next column
    /// takes, or `None` once every column is in. A head listing too few
    /// buffers gives the ones it has, and the column is then refused.
    pub fn next_parts(&self) -> Option<&[(BufferKind, usize)]> {
        let head = self.heads.get(self.taken)?;
        let start = self.taken_buffers.min(self.buffers.len());
        let end = (start + parts_of(head.kind)).min(self.buffers.len());
        Some(&self.buffers[start..end])
    }

    /// Takes the next column's buffers.
    pub fn push_column(&mut self, buffers: Vec<Buffer>) -> Result<(), LoadError> {
        let Some(head) = self.heads.get_mut(self.taken) else {
            return Err(damaged("there are more parts than columns"));
        };
        let head = std::mem::replace(
            head,
            ColumnHead {
                name: String::new(),
                kind: ColumnKind::Text,
                labels: Vec::new(),
            },
        );
        let wanted = parts_of(head.kind);
        let given = buffers.len();
        let mut parts = Parts {
            buffers: buffers.into_iter(),
            rows: self.rows,
        };
        let column = column(head, &mut parts)?;
        if given > wanted {
            return Err(damaged("there are more parts than columns"));
        }
        self.taken += 1;
        self.taken_buffers += wanted;
        self.columns.push(column);
        Ok(())
    }

    /// The loaded file and its column summaries, once every column is in.
    pub fn finish(self) -> Result<(Loaded, Vec<ColumnSummary>), LoadError> {
        if self.taken < self.heads.len() {
            return Err(damaged("some columns did not arrive"));
        }
        let columns = self.columns;
        if self.summaries.len() != columns.len() {
            return Err(damaged("the summaries do not match the columns"));
        }
        if columns.is_empty() && self.rows != 0 {
            return Err(damaged("rows arrived without columns"));
        }
        let dataset = Dataset::new(self.name, DataOrigin::File, columns)
            .map_err(|e| damaged(&e.to_string()))?;
        Ok((
            Loaded {
                dataset,
                report: self.report,
                suggested: self.suggested,
            },
            self.summaries,
        ))
    }
}

/// The loaded file and its column summaries from `head` and its buffers,
/// all at once.
pub fn unpack(
    head: Head,
    buffers: impl IntoIterator<Item = Buffer>,
) -> Result<(Loaded, Vec<ColumnSummary>), LoadError> {
    let mut unpacker = Unpacker::new(head);
    let mut buffers = buffers.into_iter();
    while let Some(parts) = unpacker.next_parts() {
        let wanted = unpacker
            .heads
            .get(unpacker.taken)
            .map_or(parts.len(), |h| parts_of(h.kind));
        unpacker.push_column(buffers.by_ref().take(wanted).collect())?;
    }
    if buffers.next().is_some() {
        return Err(damaged("there are more parts than columns"));
    }
    unpacker.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ingest::{load_bytes, LoadOptions};
    use crate::core::summary::summarise;

    fn loaded(csv: &str) -> Loaded {
        load_bytes("leads.csv", csv.as_bytes(), &LoadOptions::default()).expect("loads")
    }

    fn round_trip(loaded: Loaded) -> (Loaded, Vec<ColumnSummary>) {
        let summaries = summarise(&loaded.dataset);
        let packed = pack(loaded, summaries);
        let head = read_head(&packed.head).expect("head reads");
        assert_eq!(
            head.buffers().len(),
            packed.buffers.len(),
            "the head lists every buffer"
        );
        unpack(head, packed.buffers).expect("unpacks")
    }

    /// A file with a column of every kind; the notes are all different,
    /// so that they stay free text.
    fn every_kind() -> String {
        let mut csv = String::from(
            "id,source,score,won,created,call_at,note\n\
             1,Web,3.5,yes,2024-03-01,09:30,\"first, with a comma\"\n\
             2,,,no,,,\n\
             3,Ads,-2,,2024-03-02 10:00,17:45,é ünïcödé 🎯\n",
        );
        for i in 4..40 {
            csv.push_str(&format!("{i},Web,{i},yes,2024-03-03,00:00,note {i}\n"));
        }
        csv
    }

    #[test]
    fn every_column_kind_arrives_as_it_left() {
        let original = loaded(&every_kind());
        let kinds: Vec<_> = original
            .dataset
            .columns()
            .iter()
            .map(Column::kind)
            .collect();
        for kind in [
            ColumnKind::Number,
            ColumnKind::Category,
            ColumnKind::Boolean,
            ColumnKind::Date,
            ColumnKind::Time,
            ColumnKind::Text,
        ] {
            assert!(
                kinds.contains(&kind),
                "the fixture has a {kind:?} column: {kinds:?}"
            );
        }
        let summaries = summarise(&original.dataset);
        let (back, back_summaries) = round_trip(original.clone());
        // Compared as printed: a missing number is NaN, unequal to itself.
        assert_eq!(
            format!("{:?}", back.dataset),
            format!("{:?}", original.dataset)
        );
        assert_eq!(back.report, original.report);
        assert_eq!(back.suggested, original.suggested);
        assert_eq!(back_summaries, summaries);
    }

    #[test]
    fn a_windows_1252_report_keeps_its_encoding() {
        let bytes = b"name,won\ncaf\xe9,yes\nbar,no\n";
        let original = load_bytes("x.csv", bytes, &LoadOptions::default()).expect("loads");
        assert_eq!(original.report.encoding, "windows-1252");
        let (back, _) = round_trip(original);
        assert_eq!(back.report.encoding, "windows-1252");
        assert_eq!(
            back.dataset
                .column("name")
                .and_then(|c| c.text(0))
                .as_deref(),
            Some("café")
        );
    }

    #[test]
    fn a_missing_date_stays_missing_and_a_zero_date_stays_zero() {
        let original = loaded("won,at\nyes,1970-01-01\nno,\nyes,1970-01-01\n");
        let (back, _) = round_trip(original);
        let ColumnValues::Date(dates) = &back.dataset.column("at").expect("date").values else {
            panic!("a date column");
        };
        assert_eq!(dates, &vec![Some(0), None, Some(0)]);
    }

    fn packed() -> (Head, Vec<Buffer>) {
        let original = loaded(&every_kind());
        let summaries = summarise(&original.dataset);
        let packed = pack(original, summaries);
        (read_head(&packed.head).expect("head"), packed.buffers)
    }

    fn fails(head: Head, buffers: Vec<Buffer>) -> String {
        match unpack(head, buffers) {
            Err(LoadError::ReadFailed(why)) => why,
            other => panic!("a damaged message is refused, not {other:?}"),
        }
    }

    #[test]
    fn damaged_messages_are_refused_with_a_reason() {
        // A part missing.
        let (head, mut buffers) = packed();
        buffers.pop();
        assert!(fails(head, buffers).contains("incomplete"));
        // A part too many.
        let (head, mut buffers) = packed();
        buffers.push(Buffer::Bytes(vec![1]));
        assert!(fails(head, buffers).contains("more parts"));
        // A part of the wrong kind.
        let (head, mut buffers) = packed();
        buffers[0] = Buffer::Bytes(vec![0; 4]);
        assert!(fails(head, buffers).contains("wrong kind"));
        // A column one value short.
        let (head, mut buffers) = packed();
        if let Buffer::F64(v) = &mut buffers[0] {
            v.pop();
        }
        assert!(fails(head, buffers).contains("values where the file has"));
        // A category code without a label.
        let (head, mut buffers) = packed();
        if let Buffer::U32(codes) = &mut buffers[1] {
            codes[0] = 99;
        }
        assert!(fails(head, buffers).contains("without a label"));
        // Text ends pointing inside a character.
        let (head, mut buffers) = packed();
        let last = buffers.len() - 2;
        if let Buffer::U32(ends) = &mut buffers[last] {
            ends[2] -= 1;
        }
        assert!(fails(head, buffers).contains("out of place"));
        // A yes/no value that is neither.
        let (head, mut buffers) = packed();
        if let Buffer::Bytes(flags) = &mut buffers[3] {
            flags[0] = 7;
        }
        assert!(fails(head, buffers).contains("yes/no"));
        // An unreadable head.
        assert!(matches!(read_head("{"), Err(LoadError::ReadFailed(_))));
    }
}
