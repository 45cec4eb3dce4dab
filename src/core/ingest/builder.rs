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
use serde::{Deserialize, Serialize};

use super::buffer::Buffer;
use super::infer::{
    decide_day_order, type_column, BadCell, ColumnTyping, DayOrderEvidence, TypedColumn,
    TypingOptions, ALWAYS_CATEGORY, LISTED_BAD_CELLS, MAX_CATEGORIES, TYPED_SHARE,
    UNREADABLE_ONE_IN,
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

/// Values present before too many failures mislead about a column's type.
const MISLEAD_AFTER_PRESENT: usize = 1_000;

/// Whether `failures` of `present` values show a column's first rows
/// misled about its type, judged after each failure as the file is read.
fn too_many_failures(present: usize, failures: usize) -> bool {
    present >= MISLEAD_AFTER_PRESENT && failures * UNREADABLE_ONE_IN > present
}

/// How a later part's failures went, for judging them as the whole file's
/// reading would once the counts before the part are known: the part
/// cannot judge them itself, as the rule reads counts from the file's
/// start. After each failure, `g = 20·failures − present` in the part's
/// own counts: the whole file's counts `present₀ + present`,
/// `failures₀ + failures` mislead when `g > present₀ − 20·failures₀`
/// (and enough values are present).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FailureTrace {
    /// `(present, g)` after each failure while fewer than
    /// [`MISLEAD_AFTER_PRESENT`] values are present in the part (at most
    /// that many).
    early: Vec<(u32, i64)>,
    /// The greatest `g` after a failure from then on.
    late: Option<i64>,
}

impl FailureTrace {
    fn note(&mut self, present: usize, failures: usize) {
        let g = (failures * UNREADABLE_ONE_IN) as i64 - present as i64;
        if present < MISLEAD_AFTER_PRESENT {
            self.early.push((present as u32, g));
        } else {
            self.late = Some(self.late.map_or(g, |late| late.max(g)));
        }
    }

    /// Whether reading the part after `present` values and `failures`
    /// failures would have found too many failures at some point.
    fn misleads_after(&self, present: usize, failures: usize) -> bool {
        let bar = present as i64 - (failures * UNREADABLE_ONE_IN) as i64;
        self.late.is_some_and(|g| g > bar)
            || self
                .early
                .iter()
                .any(|&(p, g)| present + p as usize >= MISLEAD_AFTER_PRESENT && g > bar)
    }
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
    /// A later part's failures, kept to be judged when it is joined
    /// (`None` where the file is read from its start).
    trace: Option<FailureTrace>,
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
            trace: None,
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
            trace: None,
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

    /// The column's name.
    pub fn name(&self) -> &str {
        &self.name
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
            if !self.forced {
                match &mut self.trace {
                    None if too_many_failures(self.present, self.failures) => return Err(Misled),
                    None => {}
                    Some(trace) => trace.note(self.present, self.failures),
                }
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

/// What a column's builder is once its type is fixed, without its values:
/// enough to type the same column in another part of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnPlan {
    name: String,
    kind: PlannedKind,
    forced: bool,
    comma_hint: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PlannedKind {
    Raw,
    Boolean,
    Number(DecimalStyle),
    Date,
    Time,
    Category,
    Text,
}

/// A builder's counts and listed cells, sent with its values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuilderHead {
    plan: ColumnPlan,
    dotted: bool,
    present: usize,
    missing: usize,
    failures: usize,
    bad_cells: Vec<BadCell>,
    /// A category column's labels, by code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    labels: Vec<String>,
    /// A later part's failures, to be judged at the join.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    trace: Option<FailureTrace>,
}

impl BuilderHead {
    /// How many buffers [`ColumnBuilder::into_buffers`] gave for it.
    pub fn buffer_count(&self) -> usize {
        match self.plan.kind {
            PlannedKind::Raw | PlannedKind::Text => 3,
            PlannedKind::Time => 2,
            PlannedKind::Boolean
            | PlannedKind::Number(_)
            | PlannedKind::Date
            | PlannedKind::Category => 1,
        }
    }
}

impl CompactDate {
    fn to_bits(self) -> i64 {
        (i64::from(self.year as u16) << 48)
            | (i64::from(self.a) << 40)
            | (i64::from(self.b) << 32)
            | i64::from(self.seconds as u32)
    }

    fn from_bits(bits: i64) -> CompactDate {
        CompactDate {
            year: (bits >> 48) as u16 as i16,
            a: (bits >> 40) as u8,
            b: (bits >> 32) as u8,
            seconds: bits as u32 as i32,
        }
    }
}

fn texts_to_buffers(t: Texts, into: &mut Vec<Buffer>) {
    let present = t.iter().map(|v| u8::from(v.is_some())).collect();
    let (text, ends) = t.into_parts();
    into.push(Buffer::Bytes(text.into_bytes()));
    into.push(Buffer::U32(ends));
    into.push(Buffer::Bytes(present));
}

/// The next buffer, of the kind `pick` takes.
fn take<T>(
    buffers: &mut impl Iterator<Item = Buffer>,
    pick: impl FnOnce(Buffer) -> Option<T>,
) -> Option<T> {
    buffers.next().and_then(pick)
}

fn texts_from_buffers(buffers: &mut impl Iterator<Item = Buffer>) -> Option<Texts> {
    let text = take(buffers, |b| match b {
        Buffer::Bytes(v) => String::from_utf8(v).ok(),
        _ => None,
    })?;
    let ends = take(buffers, |b| match b {
        Buffer::U32(v) => Some(v),
        _ => None,
    })?;
    let missing: Vec<bool> = take(buffers, |b| match b {
        Buffer::Bytes(v) => Some(v.into_iter().map(|p| p == 0).collect()),
        _ => None,
    })?;
    Texts::from_parts(text, ends, &missing)
}

/// Appends every value of `more` to `texts`.
fn append_texts(texts: &mut Texts, more: impl IntoIterator<Item = Option<String>>) {
    for value in more {
        texts.push(value.as_deref());
    }
}

impl Values {
    /// The values as text, in order (for a column turning into free text).
    fn into_texts(self) -> Result<Texts, Values> {
        match self {
            Values::Raw(t) | Values::Text(t) => Ok(t),
            Values::Category { labels, codes, .. } => {
                let mut texts = Texts::default();
                texts.reserve(0, codes.len());
                for &code in &codes {
                    texts.push(labels.get(code as usize).map(String::as_str));
                }
                Ok(texts)
            }
            other => Err(other),
        }
    }
}

impl ColumnBuilder {
    /// What this builder is, for typing the same column elsewhere.
    pub fn plan(&self) -> ColumnPlan {
        let kind = match &self.values {
            Values::Raw(_) => PlannedKind::Raw,
            Values::Boolean(_) => PlannedKind::Boolean,
            Values::Number(style, _) => PlannedKind::Number(*style),
            Values::Date(_) => PlannedKind::Date,
            Values::Time(_) => PlannedKind::Time,
            Values::Category { .. } => PlannedKind::Category,
            Values::Text(_) => PlannedKind::Text,
        };
        ColumnPlan {
            name: self.name.clone(),
            kind,
            forced: self.forced,
            comma_hint: self.comma_hint,
        }
    }

    /// An empty builder typing as `plan` says.
    pub fn from_plan(plan: &ColumnPlan) -> ColumnBuilder {
        let values = match plan.kind {
            PlannedKind::Raw => Values::Raw(RawColumn::default()),
            PlannedKind::Boolean => Values::Boolean(Vec::new()),
            PlannedKind::Number(style) => Values::Number(style, Vec::new()),
            PlannedKind::Date => Values::Date(Vec::new()),
            PlannedKind::Time => Values::Time(Vec::new()),
            PlannedKind::Category => Values::Category {
                labels: Vec::new(),
                index: FxHashMap::default(),
                codes: Vec::new(),
            },
            PlannedKind::Text => Values::Text(Texts::default()),
        };
        ColumnBuilder {
            name: plan.name.clone(),
            values,
            forced: plan.forced,
            comma_hint: plan.comma_hint,
            dotted: false,
            present: 0,
            missing: 0,
            failures: 0,
            bad_cells: Vec::new(),
            trace: Some(FailureTrace::default()),
        }
    }

    /// Appends the rows `later` typed (the next part of the file, built
    /// from this builder's plan), its lines counted from `line_offset`:
    /// the result is as if this builder had read them itself, or
    /// [`Misled`] where reading them on from this builder would have found
    /// too many failures.
    pub fn append(&mut self, later: ColumnBuilder, line_offset: u64) -> Result<(), Misled> {
        debug_assert!(
            self.trace.is_none(),
            "parts are joined onto the builders of the file's start"
        );
        let misleads = later
            .trace
            .as_ref()
            .is_some_and(|t| t.misleads_after(self.present, self.failures));
        if misleads && !self.forced {
            return Err(Misled);
        }
        self.present += later.present;
        self.missing += later.missing;
        self.failures += later.failures;
        self.dotted |= later.dotted;
        let room = LISTED_BAD_CELLS.saturating_sub(self.bad_cells.len());
        self.bad_cells
            .extend(later.bad_cells.into_iter().take(room).map(|c| BadCell {
                line: c.line + line_offset,
                ..c
            }));
        let values = std::mem::replace(&mut self.values, Values::Raw(RawColumn::default()));
        self.values = match (values, later.values) {
            (Values::Boolean(mut a), Values::Boolean(b)) => {
                a.extend(b);
                Values::Boolean(a)
            }
            (Values::Number(style, mut a), Values::Number(_, b)) => {
                a.extend(b);
                Values::Number(style, a)
            }
            (Values::Date(mut a), Values::Date(b)) => {
                a.extend(b);
                Values::Date(a)
            }
            (Values::Time(mut a), Values::Time(b)) => {
                a.extend(b);
                Values::Time(a)
            }
            (
                Values::Category {
                    mut labels,
                    mut index,
                    mut codes,
                },
                Values::Category {
                    labels: more_labels,
                    codes: more_codes,
                    ..
                },
            ) => {
                // Codes in order of first appearance, as one builder gives
                // them; too many labels make the column free text.
                let mut map = Vec::with_capacity(more_labels.len());
                for label in &more_labels {
                    match index.get(label) {
                        Some(&code) => map.push(code),
                        None if labels.len() < MAX_CATEGORIES => {
                            let code = labels.len() as u32;
                            labels.push(label.clone());
                            index.insert(label.clone(), code);
                            map.push(code);
                        }
                        None => break,
                    }
                }
                if map.len() == more_labels.len() {
                    codes.extend(more_codes.iter().map(|&c| match c {
                        MISSING_CODE => MISSING_CODE,
                        c => map[c as usize],
                    }));
                    Values::Category {
                        labels,
                        index,
                        codes,
                    }
                } else {
                    let first = Values::Category {
                        labels,
                        index,
                        codes,
                    };
                    let mut texts = first.into_texts().unwrap_or_default();
                    append_texts(
                        &mut texts,
                        more_codes
                            .iter()
                            .map(|&c| more_labels.get(c as usize).cloned()),
                    );
                    Values::Text(texts)
                }
            }
            (first, second) => {
                // Free text on either side (or kept as read): text both.
                let raw = matches!(first, Values::Raw(_));
                match (first.into_texts(), second.into_texts()) {
                    (Ok(mut a), Ok(b)) => {
                        a.append(&b);
                        if raw {
                            Values::Raw(a)
                        } else {
                            Values::Text(a)
                        }
                    }
                    // Parts built from one plan have one kind.
                    (Ok(a), Err(_)) => Values::Text(a),
                    (Err(a), _) => a,
                }
            }
        };
        Ok(())
    }

    /// The builder as a head and flat buffers, to send to another thread.
    pub fn into_buffers(self, into: &mut Vec<Buffer>) -> BuilderHead {
        let plan = self.plan();
        let mut labels = Vec::new();
        match self.values {
            Values::Raw(t) | Values::Text(t) => texts_to_buffers(t, into),
            Values::Boolean(v) => into.push(Buffer::yes_no(&v)),
            Values::Number(_, v) => into.push(Buffer::F64(v)),
            Values::Date(v) => into.push(Buffer::I64(
                v.into_iter().map(CompactDate::to_bits).collect(),
            )),
            Values::Time(v) => {
                into.push(Buffer::Bytes(
                    v.iter().map(|t| u8::from(t.is_some())).collect(),
                ));
                into.push(Buffer::U32(v.into_iter().map(|t| t.unwrap_or(0)).collect()));
            }
            Values::Category {
                labels: l, codes, ..
            } => {
                labels = l;
                into.push(Buffer::U32(codes));
            }
        }
        BuilderHead {
            plan,
            dotted: self.dotted,
            present: self.present,
            missing: self.missing,
            failures: self.failures,
            bad_cells: self.bad_cells,
            labels,
            trace: self.trace,
        }
    }

    /// A builder from [`ColumnBuilder::into_buffers`]; `None` when the
    /// buffers do not fit the head.
    pub fn from_buffers(
        head: BuilderHead,
        buffers: &mut impl Iterator<Item = Buffer>,
    ) -> Option<ColumnBuilder> {
        let mut builder = ColumnBuilder::from_plan(&head.plan);
        builder.values = match head.plan.kind {
            PlannedKind::Raw => Values::Raw(texts_from_buffers(buffers)?),
            PlannedKind::Text => Values::Text(texts_from_buffers(buffers)?),
            PlannedKind::Boolean => Values::Boolean(take(buffers, |b| match b {
                Buffer::Bytes(v) => v
                    .into_iter()
                    .map(|b| match b {
                        0 => Some(Some(false)),
                        1 => Some(Some(true)),
                        2 => Some(None),
                        _ => None,
                    })
                    .collect(),
                _ => None,
            })?),
            PlannedKind::Number(style) => Values::Number(
                style,
                take(buffers, |b| match b {
                    Buffer::F64(v) => Some(v),
                    _ => None,
                })?,
            ),
            PlannedKind::Date => Values::Date(take(buffers, |b| match b {
                Buffer::I64(v) => Some(v.into_iter().map(CompactDate::from_bits).collect()),
                _ => None,
            })?),
            PlannedKind::Time => {
                let present = take(buffers, |b| match b {
                    Buffer::Bytes(v) => Some(v),
                    _ => None,
                })?;
                let seconds = take(buffers, |b| match b {
                    Buffer::U32(v) => Some(v),
                    _ => None,
                })?;
                if present.len() != seconds.len() || seconds.iter().any(|&s| s >= 86_400) {
                    return None;
                }
                Values::Time(
                    seconds
                        .into_iter()
                        .zip(present)
                        .map(|(s, p)| (p != 0).then_some(s))
                        .collect(),
                )
            }
            PlannedKind::Category => {
                let codes: Vec<u32> = take(buffers, |b| match b {
                    Buffer::U32(v) => Some(v),
                    _ => None,
                })?;
                let labels = head.labels;
                if codes
                    .iter()
                    .any(|&c| c != MISSING_CODE && c as usize >= labels.len())
                {
                    return None;
                }
                let index = labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| (l.clone(), i as u32))
                    .collect();
                Values::Category {
                    labels,
                    index,
                    codes,
                }
            }
        };
        builder.dotted = head.dotted;
        builder.present = head.present;
        builder.missing = head.missing;
        builder.failures = head.failures;
        builder.bad_cells = head.bad_cells;
        builder.trace = head.trace;
        Some(builder)
    }

    /// Values held.
    pub fn rows_held(&self) -> usize {
        match &self.values {
            Values::Raw(t) | Values::Text(t) => t.len(),
            Values::Boolean(v) => v.len(),
            Values::Number(_, v) => v.len(),
            Values::Date(v) => v.len(),
            Values::Time(v) => v.len(),
            Values::Category { codes, .. } => codes.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a column's failures (`true`) and good values from the start
    /// of the file: whether too many failures are found at some point.
    fn read_from_start(values: &[bool]) -> bool {
        let (mut present, mut failures) = (0, 0);
        values.iter().any(|&failed| {
            present += 1;
            failures += usize::from(failed);
            failed && too_many_failures(present, failures)
        })
    }

    #[test]
    fn a_later_parts_failures_are_judged_as_reading_from_the_start_would() {
        let mut rng = fastrand::Rng::with_seed(14);
        let mut misled = [0, 0];
        for _ in 0..3_000 {
            let len = rng.usize(0..2_500);
            // Runs of failures at a rate that changes along the column.
            let mut values = Vec::with_capacity(len);
            while values.len() < len {
                let one_in = [3, 12, 19, 20, 21, 40, 1_000][rng.usize(..7)];
                for _ in 0..rng.usize(1..400) {
                    values.push(rng.usize(..one_in) == 0);
                }
            }
            values.truncate(len);
            let at = rng.usize(..=len);
            let (before, part) = values.split_at(at);
            if read_from_start(before) {
                continue; // the start alone misleads: no part is joined
            }
            let (present, failures) = (before.len(), before.iter().filter(|&&f| f).count());
            let mut trace = FailureTrace::default();
            let (mut p, mut f) = (0, 0);
            for &failed in part {
                p += 1;
                f += usize::from(failed);
                if failed {
                    trace.note(p, f);
                }
            }
            assert!(trace.early.len() <= MISLEAD_AFTER_PRESENT);
            let expected = read_from_start(&values);
            assert_eq!(
                trace.misleads_after(present, failures),
                expected,
                "split after {at} of {len} values"
            );
            misled[usize::from(expected)] += 1;
        }
        // Both answers came up often.
        assert!(misled[0] > 300 && misled[1] > 300, "{misled:?}");
    }
}
