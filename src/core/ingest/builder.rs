//! Typing values as they stream in.
//!
//! Holding every cell of a large file as text before typing it would need
//! the file's size again in memory and a second pass. Instead the first
//! rows of a file are typed as a whole ([`super::infer`]), which fixes each
//! column's type, and every later value goes straight into a typed builder.
//! Where a later value shows the first rows misled (a yes/no column that
//! turns out to hold a 2), the builder asks for the file to be read again
//! with that column kept as text and typed at the end, so the result is the
//! same as typing the whole column at once.

use rustc_hash::FxHashMap;

use super::infer::{
    decide_day_order, type_column, BadCell, ColumnTyping, DayOrderEvidence, TypedColumn,
    TypingOptions, ALWAYS_CATEGORY, LISTED_BAD_CELLS, MAX_CATEGORIES, TYPED_SHARE,
};
use super::table::RawColumn;
use super::values::{
    parse_bool, parse_date_parts, parse_number, parse_time_of_day, trim_cell, DateParts,
    DecimalStyle, MissingMarkers,
};
use crate::core::dataset::{Categories, Column, ColumnKind, ColumnValues, Texts, MISSING_CODE};

/// Rows typed together before the types are fixed.
pub const PLAN_ROWS: usize = 10_000;

/// A date's parts in eight bytes; `year == i16::MIN` marks no date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CompactDate {
    year: i16,
    /// Bit 7: the date was year-first (ISO); bits 0–6: the first number.
    a: u8,
    b: u8,
    seconds: i32,
}

impl CompactDate {
    const NONE: CompactDate = CompactDate {
        year: i16::MIN,
        a: 0,
        b: 0,
        seconds: 0,
    };

    fn pack(p: &DateParts) -> Option<CompactDate> {
        Some(CompactDate {
            year: i16::try_from(p.year).ok().filter(|&y| y != i16::MIN)?,
            a: u8::try_from(p.a).ok().filter(|&a| a < 0x80)? | if p.iso { 0x80 } else { 0 },
            b: u8::try_from(p.b).ok()?,
            seconds: i32::try_from(p.seconds).ok()?,
        })
    }

    fn unpack(self) -> Option<DateParts> {
        (self.year != i16::MIN).then_some(DateParts {
            iso: self.a & 0x80 != 0,
            year: i32::from(self.year),
            a: u32::from(self.a & 0x7f),
            b: u32::from(self.b),
            seconds: i64::from(self.seconds),
        })
    }
}

enum Values {
    /// Kept as read and typed once the whole column is known.
    Raw(RawColumn),
    Boolean(Vec<Option<bool>>),
    Number(DecimalStyle, Vec<f64>),
    Date(Vec<CompactDate>),
    Time(Vec<Option<u32>>),
    Category {
        labels: Vec<String>,
        index: FxHashMap<String, u32>,
        codes: Vec<u32>,
    },
    Text(Texts),
}

/// The first rows misled about a column's type: read the file again with
/// this column kept as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misled;

/// One column being filled as the file streams in.
pub struct ColumnBuilder {
    name: String,
    values: Values,
    /// The user chose the type: misfits are reported, never a reason to
    /// read again.
    forced: bool,
    /// Comma decimals and day-first dates are likely (a semicolon-delimited
    /// file).
    comma_hint: bool,
    /// Some date was written with dots (`15.03.2024`): day-first is likely.
    dotted: bool,
    present: usize,
    missing: usize,
    failures: usize,
    bad_cells: Vec<BadCell>,
}

impl ColumnBuilder {
    /// A column that stays text until the end, starting with `raw`.
    pub fn raw(name: &str, raw: RawColumn) -> Self {
        ColumnBuilder {
            name: name.to_owned(),
            values: Values::Raw(raw),
            forced: false,
            comma_hint: false,
            dotted: false,
            present: 0,
            missing: 0,
            failures: 0,
            bad_cells: Vec::new(),
        }
    }

    /// A builder continuing the typing of a column's first rows.
    pub fn from_first_rows(
        raw: &RawColumn,
        typed: TypedColumn,
        markers: &MissingMarkers,
        lines: &[u64],
        delimiter: u8,
    ) -> Self {
        let TypedColumn {
            column,
            typing,
            bad_cells,
        } = typed;
        let mut builder = ColumnBuilder {
            name: typing.name.clone(),
            values: Values::Raw(RawColumn::default()),
            forced: typing.overridden,
            comma_hint: delimiter == b';',
            dotted: false,
            present: raw.len() - typing.missing,
            missing: typing.missing,
            failures: typing.unreadable,
            bad_cells,
        };
        builder.values = match column.values {
            ColumnValues::Boolean(v) => Values::Boolean(v),
            ColumnValues::Number(v) => {
                Values::Number(typing.decimal.unwrap_or(DecimalStyle::Point), v)
            }
            ColumnValues::Date(_) => {
                // Dates are kept as parts until the day order is settled on
                // the whole column: read the first rows again as parts.
                builder.failures = 0;
                builder.bad_cells.clear();
                let mut dates = Vec::with_capacity(raw.len());
                for (row, cell) in raw.iter().enumerate() {
                    let text = trim_cell(cell.unwrap_or(""));
                    if markers.matches(text) {
                        dates.push(CompactDate::NONE);
                    } else {
                        builder.dotted |= text.contains('.');
                        match parse_date_parts(text).and_then(|p| CompactDate::pack(&p)) {
                            Some(d) => dates.push(d),
                            None => {
                                dates.push(CompactDate::NONE);
                                let line = lines.get(row).copied().unwrap_or(0);
                                builder.fail(line, text, ColumnKind::Date);
                            }
                        }
                    }
                }
                Values::Date(dates)
            }
            ColumnValues::Time(v) => Values::Time(v),
            ColumnValues::Category(c) => {
                let labels = c.labels().to_vec();
                let index = labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| (l.clone(), i as u32))
                    .collect();
                Values::Category {
                    labels,
                    index,
                    codes: c.codes().to_vec(),
                }
            }
            ColumnValues::Text(t) => Values::Text(t),
        };
        builder
    }

    fn fail(&mut self, line: u64, value: &str, expected: ColumnKind) {
        self.failures += 1;
        if self.bad_cells.len() < LISTED_BAD_CELLS {
            self.bad_cells.push(BadCell {
                line,
                column: self.name.clone(),
                value: value.to_owned(),
                expected,
            });
        }
    }

    /// Bytes of text held (for text columns; 0 for others).
    pub fn text_len(&self) -> usize {
        match &self.values {
            Values::Raw(t) | Values::Text(t) => t.text_len(),
            _ => 0,
        }
    }

    /// Makes room for `rows` more values.
    pub fn reserve(&mut self, rows: usize, text_bytes: usize) {
        match &mut self.values {
            Values::Raw(t) | Values::Text(t) => t.reserve(text_bytes, rows),
            Values::Boolean(v) => v.reserve_exact(rows),
            Values::Number(_, v) => v.reserve_exact(rows),
            Values::Date(v) => v.reserve_exact(rows),
            Values::Time(v) => v.reserve_exact(rows),
            Values::Category { codes, .. } => codes.reserve_exact(rows),
        }
    }

    /// Adds the next row's cell, as read (untrimmed), from `line`.
    pub fn push(&mut self, cell: &str, line: u64, markers: &MissingMarkers) -> Result<(), Misled> {
        if let Values::Raw(raw) = &mut self.values {
            raw.push(Some(cell));
            return Ok(());
        }
        let text = trim_cell(cell);
        let missing = markers.matches(text);
        if missing {
            self.missing += 1;
        } else {
            self.present += 1;
        }
        let forced = self.forced;
        let mut failed = None;
        let mut too_many_categories = false;
        match &mut self.values {
            Values::Raw(_) => unreachable!("handled above"),
            Values::Boolean(v) => match (missing, parse_bool(text)) {
                (true, _) => v.push(None),
                (false, Some(b)) => v.push(Some(b)),
                (false, None) => {
                    // The whole column would not have been yes/no at all.
                    if !forced {
                        return Err(Misled);
                    }
                    v.push(None);
                    failed = Some(ColumnKind::Boolean);
                }
            },
            Values::Number(style, v) => {
                if missing {
                    v.push(f64::NAN);
                } else {
                    let parsed = parse_number(text, *style);
                    let other = match style {
                        DecimalStyle::Point => DecimalStyle::Comma,
                        DecimalStyle::Comma => DecimalStyle::Point,
                    };
                    // Typing the whole column would weigh the other decimal
                    // style for a value that reads only in it, or for
                    // "1,234" in a semicolon file: let it.
                    let style_in_doubt = match parsed {
                        Some(_) => {
                            *style == DecimalStyle::Point && self.comma_hint && text.contains(',')
                        }
                        None => parse_number(text, other).is_some(),
                    };
                    if style_in_doubt && !forced {
                        return Err(Misled);
                    }
                    match parsed {
                        Some(x) => v.push(x),
                        None => {
                            v.push(f64::NAN);
                            failed = Some(ColumnKind::Number);
                        }
                    }
                }
            }
            Values::Date(v) => {
                if missing {
                    v.push(CompactDate::NONE);
                } else {
                    self.dotted |= text.contains('.');
                    match parse_date_parts(text).and_then(|p| CompactDate::pack(&p)) {
                        Some(d) => v.push(d),
                        None => {
                            v.push(CompactDate::NONE);
                            failed = Some(ColumnKind::Date);
                        }
                    }
                }
            }
            Values::Time(v) => {
                if missing {
                    v.push(None);
                } else {
                    let time = parse_time_of_day(text);
                    if time.is_none() {
                        failed = Some(ColumnKind::Time);
                    }
                    v.push(time);
                }
            }
            Values::Category {
                labels,
                index,
                codes,
            } => {
                if missing {
                    codes.push(MISSING_CODE);
                } else if let Some(&code) = index.get(text) {
                    codes.push(code);
                } else if labels.len() < MAX_CATEGORIES {
                    let code = labels.len() as u32;
                    labels.push(text.to_owned());
                    index.insert(text.to_owned(), code);
                    codes.push(code);
                } else {
                    too_many_categories = true;
                }
            }
            Values::Text(t) => t.push((!missing).then_some(text)),
        }
        if too_many_categories {
            // Too many distinct values: free text from here on.
            if let Values::Category { labels, codes, .. } = &self.values {
                let mut texts = Texts::default();
                texts.reserve(0, codes.capacity());
                for &code in codes {
                    texts.push(labels.get(code as usize).map(String::as_str));
                }
                texts.push(Some(text));
                self.values = Values::Text(texts);
            }
        }
        if let Some(kind) = failed {
            self.fail(line, text, kind);
            if !self.forced && self.present >= 1_000 && self.failures * 20 > self.present {
                return Err(Misled);
            }
        }
        Ok(())
    }

    /// The finished column, or [`Misled`] if the whole column does not
    /// support the type its first rows suggested.
    pub fn finish(
        self,
        lines: &[u64],
        delimiter: u8,
        options: &TypingOptions,
    ) -> Result<TypedColumn, Misled> {
        let ColumnBuilder {
            name,
            values,
            forced,
            comma_hint,
            dotted,
            present,
            missing,
            mut failures,
            mut bad_cells,
            ..
        } = self;
        let within_budget =
            |failures: usize| forced || failures as f64 <= (1.0 - TYPED_SHARE) * present as f64;
        let mut decimal = None;
        let mut day_order = None;
        let (kind, values) = match values {
            Values::Raw(raw) => return Ok(type_column(&name, &raw, lines, delimiter, options)),
            Values::Boolean(v) => (ColumnKind::Boolean, ColumnValues::Boolean(v)),
            Values::Time(v) => (ColumnKind::Time, ColumnValues::Time(v)),
            Values::Number(style, v) => {
                decimal = Some(style);
                (ColumnKind::Number, ColumnValues::Number(v))
            }
            Values::Date(dates) => {
                // Unpacked on the fly: a column of unpacked parts would
                // triple the memory the dates take while loading.
                let parts = || dates.iter().map(|d| d.unpack());
                let (order, evidence) = match options.day_orders.get(&name) {
                    Some(&order) => (order, DayOrderEvidence::Chosen),
                    None => decide_day_order(parts().flatten(), comma_hint || dotted),
                };
                day_order = Some((order, evidence));
                let mut days: FxHashMap<(i32, u32, u32), Option<i64>> = FxHashMap::default();
                let mut out = Vec::with_capacity(dates.len());
                for (row, p) in parts().enumerate() {
                    out.push(p.and_then(|p| {
                        let midnight = *days
                            .entry((p.year, p.a, p.b))
                            .or_insert_with(|| DateParts { seconds: 0, ..p }.timestamp(order));
                        let t = midnight.map(|m| m + p.seconds);
                        if t.is_none() {
                            failures += 1;
                            if bad_cells.len() < LISTED_BAD_CELLS {
                                bad_cells.push(BadCell {
                                    line: lines.get(row).copied().unwrap_or(0),
                                    column: name.clone(),
                                    value: date_text(&p),
                                    expected: ColumnKind::Date,
                                });
                            }
                        }
                        t
                    }));
                }
                bad_cells.sort_by_key(|c| c.line);
                (ColumnKind::Date, ColumnValues::Date(out))
            }
            Values::Category { labels, codes, .. } => {
                let distinct = labels.len();
                if forced || distinct <= ALWAYS_CATEGORY || distinct * 5 <= present {
                    let categories = Categories::from_parts(labels, codes);
                    (ColumnKind::Category, ColumnValues::Category(categories))
                } else {
                    let texts = Texts::from_values(
                        codes
                            .iter()
                            .map(|&code| labels.get(code as usize).map(String::as_str)),
                    );
                    (ColumnKind::Text, ColumnValues::Text(texts))
                }
            }
            Values::Text(t) => (ColumnKind::Text, ColumnValues::Text(t)),
        };
        if !within_budget(failures) {
            return Err(Misled);
        }
        Ok(TypedColumn {
            column: Column::new(name.clone(), values),
            typing: ColumnTyping {
                name,
                kind,
                overridden: forced,
                decimal,
                day_order,
                missing,
                unreadable: failures,
            },
            bad_cells,
        })
    }
}

/// A date's parts written back (the original text is not kept), for a
/// message about a date that does not exist, such as a 13th month.
fn date_text(p: &DateParts) -> String {
    if p.iso {
        format!("{}-{:02}-{:02}", p.year, p.a, p.b)
    } else {
        format!("{}/{}/{}", p.a, p.b, p.year)
    }
}
