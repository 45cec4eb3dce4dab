//! Reading one cell's text as a number, a yes/no or a date, the way CRM and
//! spreadsheet exports write them.
//!
//! Numbers come with thousands separators, a decimal point or a decimal
//! comma, currency signs, percent signs and accounting parentheses. Dates
//! come as ISO (`2024-03-15T14:22:01Z`), month-first (`3/15/2024 2:22 PM`) or
//! day-first (`15.03.2024`). Which convention a column uses is decided per
//! column (see [`super::infer`]); the functions here read one value under one
//! convention.

use chrono::NaiveDate;

/// A cell without surrounding white space. Most cells have none, and most
/// that do have only ASCII spaces, so those cases skip the Unicode-aware
/// `str::trim`.
///
/// ```
/// use leadlens::core::ingest::values::trim_cell;
/// assert_eq!(trim_cell("  a b "), "a b");
/// assert_eq!(trim_cell("\u{a0}x\u{a0}"), "x");
/// ```
#[inline]
pub fn trim_cell(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(&a), Some(&b)) if a > b' ' && a < 0x80 && b > b' ' && b < 0x80 => cell,
        (None, _) | (_, None) => cell,
        _ => cell.trim(),
    }
}

/// How a column writes the decimal separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DecimalStyle {
    /// `1,234.5`
    Point,
    /// `1.234,5` or `1 234,5`
    Comma,
}

/// Reads a number written in `style`, or `None`.
///
/// ```
/// use leadlens::core::ingest::values::{parse_number, DecimalStyle::*};
/// assert_eq!(parse_number("$1,234.50", Point), Some(1234.5));
/// assert_eq!(parse_number("1.234,5 €", Comma), Some(1234.5));
/// assert_eq!(parse_number("(300)", Point), Some(-300.0));
/// assert_eq!(parse_number("12.5%", Point), Some(12.5));
/// assert_eq!(parse_number("1,5", Point), None);
/// ```
pub fn parse_number(text: &str, style: DecimalStyle) -> Option<f64> {
    let mut s = trim_cell(text);
    if style == DecimalStyle::Point {
        if let Some(x) = short_decimal(s.as_bytes()) {
            return Some(x);
        }
    }
    // Fast path: plain digits with at most a sign and a decimal point.
    if style == DecimalStyle::Point
        && !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && s.bytes().any(|b| b.is_ascii_digit())
    {
        return s.parse().ok();
    }
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    s = s.strip_suffix('%').unwrap_or(s).trim_end();
    s = strip_currency(s);
    if let Some(rest) = s.strip_prefix('-') {
        negative = !negative;
        s = strip_currency(rest.trim_start());
    } else if let Some(rest) = s.strip_prefix('+') {
        s = strip_currency(rest.trim_start());
    }
    if s.is_empty() {
        return None;
    }
    let (group, decimal) = match style {
        DecimalStyle::Point => (&[','][..], '.'),
        DecimalStyle::Comma => (&['.', ' ', '\u{a0}', '\u{202f}', '\''][..], ','),
    };
    let mut plain = String::with_capacity(s.len());
    let (integer, fraction) = match s.find(decimal) {
        Some(at) => (&s[..at], Some(&s[at + decimal.len_utf8()..])),
        None => (s, None),
    };
    // The integer part: digits, optionally grouped by threes.
    let mut groups = integer.split(|c| group.contains(&c));
    let first = groups.next()?;
    if first.is_empty() && !integer.is_empty() {
        return None; // ",234"
    }
    if !first.bytes().all(|b| b.is_ascii_digit()) {
        // Allow scientific notation without grouping, e.g. 1e6.
        return parse_scientific(s, decimal).map(|x| if negative { -x } else { x });
    }
    plain.push_str(first);
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) || first.len() > 3 {
            return None;
        }
        plain.push_str(g);
    }
    if let Some(fraction) = fraction {
        if fraction.is_empty() && plain.is_empty() {
            return None;
        }
        if !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return parse_scientific(s, decimal).map(|x| if negative { -x } else { x });
        }
        plain.push('.');
        plain.push_str(fraction);
    }
    if plain.is_empty() || plain == "." {
        return None;
    }
    let value: f64 = plain.parse().ok()?;
    Some(if negative { -value } else { value })
}

/// `-123.45`: an optional minus, digits and at most one decimal point,
/// fifteen digits at most. The digits form an integer that `f64` holds
/// exactly, and dividing it by an exact power of ten rounds once, so the
/// result is the correctly rounded value `str::parse` gives.
fn short_decimal(b: &[u8]) -> Option<f64> {
    const POWERS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let mut mantissa = 0u64;
    let mut count = 0usize;
    let mut point = None;
    for (i, &c) in digits.iter().enumerate() {
        match c {
            // More than fifteen digits go to the general parser.
            b'0'..=b'9' if count < 15 => {
                mantissa = mantissa * 10 + u64::from(c - b'0');
                count += 1;
            }
            b'.' if point.is_none() => point = Some(i),
            _ => return None,
        }
    }
    if count == 0 {
        return None;
    }
    let decimals = point.map_or(0, |at| digits.len() - at - 1);
    let value = mantissa as f64 / POWERS[decimals];
    Some(if negative { -value } else { value })
}

/// `1.5e6` or `1,5E-3`, with no grouping.
fn parse_scientific(s: &str, decimal: char) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    let (mantissa, exponent) = lower.split_once('e')?;
    let mantissa = mantissa.replace(decimal, ".");
    if mantissa.is_empty() || !mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let exponent: i32 = exponent.parse().ok()?;
    let m: f64 = mantissa.parse().ok()?;
    let value = m * 10f64.powi(exponent);
    value.is_finite().then_some(value)
}

const CURRENCY_SIGNS: &[&str] = &[
    "$", "€", "£", "¥", "₹", "R$", "US$", "CHF", "USD", "EUR", "GBP",
];

fn strip_currency(s: &str) -> &str {
    let mut s = s.trim();
    for sign in CURRENCY_SIGNS {
        if let Some(rest) = s.strip_prefix(sign) {
            s = rest.trim_start();
            break;
        }
    }
    for sign in CURRENCY_SIGNS {
        if let Some(rest) = s.strip_suffix(sign) {
            s = rest.trim_end();
            break;
        }
    }
    s
}

/// Which of two leading numbers in `3/4/2024` is the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayOrder {
    /// `3/15/2024`: month, day, year.
    MonthFirst,
    /// `15/3/2024`: day, month, year.
    DayFirst,
}

/// A date split into its parts, before the day order is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateParts {
    /// For ISO dates the month and day are known; otherwise `a` and `b` are
    /// the two leading numbers, read by a [`DayOrder`].
    pub iso: bool,
    pub year: i32,
    pub a: u32,
    pub b: u32,
    /// Seconds after midnight, already shifted to UTC when the text gave
    /// an offset.
    pub seconds: i64,
}

impl DateParts {
    /// Seconds since 1970-01-01 UTC, or `None` for an impossible date.
    pub fn timestamp(&self, order: DayOrder) -> Option<i64> {
        let (month, day) = if self.iso || order == DayOrder::MonthFirst {
            (self.a, self.b)
        } else {
            (self.b, self.a)
        };
        let date = NaiveDate::from_ymd_opt(self.year, month, day)?;
        let midnight = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
        Some(midnight + self.seconds)
    }
}

fn take_digits(s: &str) -> (&str, &str) {
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    s.split_at(end)
}

fn full_year(digits: &str) -> Option<i32> {
    let y: i32 = digits.parse().ok()?;
    match digits.len() {
        4 => Some(y),
        // Two-digit years: 00–69 are 2000s, 70–99 are 1900s.
        2 => Some(if y < 70 { 2000 + y } else { 1900 + y }),
        _ => None,
    }
}

/// Reads the time after a date: `14:22`, `14:22:01.5`, `2:22 PM`, with an
/// optional `Z` or `±hh:mm` offset. Returns seconds after midnight in UTC.
fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return Some(0);
    }
    let (hours, rest) = take_digits(s);
    let hours: i64 = hours.parse().ok()?;
    let rest = rest.strip_prefix(':')?;
    let (minutes, mut rest) = take_digits(rest);
    if minutes.len() != 2 {
        return None;
    }
    let minutes: i64 = minutes.parse().ok()?;
    let mut seconds = 0i64;
    if let Some(r) = rest.strip_prefix(':') {
        let (secs, r) = take_digits(r);
        if secs.len() != 2 {
            return None;
        }
        seconds = secs.parse().ok()?;
        rest = r;
        if let Some(r) = rest.strip_prefix('.') {
            let (_fraction, r) = take_digits(r);
            rest = r;
        }
    }
    let rest = rest.trim();
    let meridiem = |tag: &str| rest.get(..2).is_some_and(|p| p.eq_ignore_ascii_case(tag));
    let (hours, rest) = if meridiem("AM") || meridiem("PM") {
        if !(1..=12).contains(&hours) {
            return None;
        }
        let afternoon = meridiem("PM");
        (hours % 12 + if afternoon { 12 } else { 0 }, &rest[2..])
    } else {
        (hours, rest)
    };
    if hours > 23 || minutes > 59 || seconds > 60 {
        return None;
    }
    let offset = parse_offset(rest.trim())?;
    Some(hours * 3600 + minutes * 60 + seconds.min(59) - offset)
}

/// `Z`, `UTC`, `+02:00`, `-0500`, or nothing; in seconds east of UTC.
fn parse_offset(s: &str) -> Option<i64> {
    if s.is_empty()
        || ["Z", "UTC", "GMT"]
            .iter()
            .any(|z| s.eq_ignore_ascii_case(z))
    {
        return Some(0);
    }
    let sign = match s.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = digits[2..].parse().ok()?;
    Some(sign * (hours * 3600 + minutes * 60))
}

/// Splits a date (and optional time) into parts, or `None` if the text is
/// not a date in a recognised shape.
///
/// ```
/// use leadlens::core::ingest::values::{parse_date_parts, DayOrder};
/// let iso = parse_date_parts("2024-03-15T14:22:01Z").unwrap();
/// assert_eq!(iso.timestamp(DayOrder::DayFirst), Some(1_710_512_521));
/// let us = parse_date_parts("3/15/2024 2:22 PM").unwrap();
/// assert_eq!(us.timestamp(DayOrder::MonthFirst), Some(1_710_512_520));
/// assert_eq!(us.timestamp(DayOrder::DayFirst), None); // no month 15
/// ```
/// A time of day without a date, as seconds since midnight: `9:30`,
/// `09:30:15`, `09:30:15.250` (fractions dropped), `9:30 PM`.
///
/// ```
/// use leadlens::core::ingest::values::parse_time_of_day;
/// assert_eq!(parse_time_of_day("09:30"), Some(9 * 3600 + 30 * 60));
/// assert_eq!(parse_time_of_day(" 17:05:09 "), Some(17 * 3600 + 5 * 60 + 9));
/// assert_eq!(parse_time_of_day("9:30 pm"), Some(21 * 3600 + 30 * 60));
/// assert_eq!(parse_time_of_day("12:00 AM"), Some(0));
/// assert_eq!(parse_time_of_day("24:00"), None);
/// assert_eq!(parse_time_of_day("9:7"), None);
/// assert_eq!(parse_time_of_day("930"), None);
/// ```
pub fn parse_time_of_day(text: &str) -> Option<u32> {
    let s = trim_cell(text);
    let (clock, meridiem) = match s.len().checked_sub(2).and_then(|at| s.get(at..)) {
        Some(end) if end.eq_ignore_ascii_case("am") || end.eq_ignore_ascii_case("pm") => (
            s[..s.len() - 2].trim_end(),
            Some(end.eq_ignore_ascii_case("pm")),
        ),
        _ => (s, None),
    };
    let mut parts = clock.split(':');
    let number = |part: Option<&str>, digits: std::ops::RangeInclusive<usize>| {
        let part = part?;
        (digits.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    let hours = number(parts.next(), 1..=2)?;
    let minutes = number(parts.next(), 2..=2)?;
    let seconds = match parts.next() {
        None => 0,
        Some(part) => {
            let whole = part.split_once('.').map_or(part, |(whole, fraction)| {
                if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                    ""
                } else {
                    whole
                }
            });
            number(Some(whole), 2..=2)?
        }
    };
    if parts.next().is_some() || minutes > 59 || seconds > 59 {
        return None;
    }
    let hours = match meridiem {
        None if hours < 24 => hours,
        Some(pm) if (1..=12).contains(&hours) => hours % 12 + if pm { 12 } else { 0 },
        _ => return None,
    };
    Some(hours * 3600 + minutes * 60 + seconds)
}

pub fn parse_date_parts(text: &str) -> Option<DateParts> {
    let s = trim_cell(text);
    iso_date_time(s.as_bytes()).or_else(|| date_parts_any_shape(s))
}

/// The shape most exports write, read without splitting:
/// `2024-03-15`, `2024-03-15 14:22` or `2024-03-15T14:22:01`. Anything
/// else (or anything out of range) is left to [`date_parts_any_shape`],
/// which agrees on every text read here.
fn iso_date_time(b: &[u8]) -> Option<DateParts> {
    let two = |at: usize| -> Option<u32> {
        let (tens, ones) = (b[at].wrapping_sub(b'0'), b[at + 1].wrapping_sub(b'0'));
        (tens < 10 && ones < 10).then(|| u32::from(tens * 10 + ones))
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = two(0)? * 100 + two(2)?;
    let (month, day) = (two(5)?, two(8)?);
    let seconds = match b.len() {
        10 => 0,
        16 | 19 if matches!(b[10], b' ' | b'T') && b[13] == b':' => {
            let (hours, minutes) = (two(11)?, two(14)?);
            let seconds = if b.len() == 19 {
                if b[16] != b':' {
                    return None;
                }
                two(17)?
            } else {
                0
            };
            if hours > 23 || minutes > 59 || seconds > 60 {
                return None;
            }
            hours * 3600 + minutes * 60 + seconds.min(59)
        }
        _ => return None,
    };
    Some(DateParts {
        iso: true,
        year: year as i32,
        a: month,
        b: day,
        seconds: i64::from(seconds),
    })
}

/// Every date shape [`parse_date_parts`] reads, `s` already trimmed.
fn date_parts_any_shape(s: &str) -> Option<DateParts> {
    let (first, rest) = take_digits(s);
    if first.is_empty() {
        return None;
    }
    let sep = rest.chars().next()?;
    if !matches!(sep, '-' | '/' | '.') {
        return None;
    }
    let rest = &rest[1..];
    let (second, rest) = take_digits(rest);
    let rest = rest.strip_prefix(sep)?;
    let (third, rest) = take_digits(rest);
    if second.is_empty() || third.is_empty() || second.len() > 2 {
        return None;
    }
    // What follows the date: nothing, or a time after a space or `T`.
    let time = match rest.chars().next() {
        None => "",
        Some(' ') | Some('T') => &rest[1..],
        Some(_) => return None,
    };
    let seconds = parse_time(time)?;
    if first.len() == 4 {
        // ISO-like: year first, then month, then day.
        if third.len() > 2 {
            return None;
        }
        return Some(DateParts {
            iso: true,
            year: first.parse().ok()?,
            a: second.parse().ok()?,
            b: third.parse().ok()?,
            seconds,
        });
    }
    if first.len() > 2 {
        return None;
    }
    Some(DateParts {
        iso: false,
        year: full_year(third)?,
        a: first.parse().ok()?,
        b: second.parse().ok()?,
        seconds,
    })
}

/// Reads a yes/no value: yes/no, true/false, y/n and 1/0, in any case.
///
/// ```
/// use leadlens::core::ingest::values::parse_bool;
/// assert_eq!(parse_bool(" Yes "), Some(true));
/// assert_eq!(parse_bool("0"), Some(false));
/// assert_eq!(parse_bool("maybe"), None);
/// ```
pub fn parse_bool(text: &str) -> Option<bool> {
    let t = trim_cell(text).as_bytes();
    if t.len() > 5 {
        return None;
    }
    let mut lower = [0u8; 5];
    for (to, from) in lower.iter_mut().zip(t) {
        *to = from.to_ascii_lowercase();
    }
    match &lower[..t.len()] {
        b"yes" | b"true" | b"y" | b"1" => Some(true),
        b"no" | b"false" | b"n" | b"0" => Some(false),
        _ => None,
    }
}

/// Recognises missing-value markers quickly: most cells start with a byte
/// no marker starts with.
#[derive(Debug, Clone)]
pub struct MissingMarkers {
    /// Markers grouped by length in bytes, so a cell is compared only with
    /// markers as long as it is.
    by_length: Vec<Vec<String>>,
    first_bytes: [bool; 256],
    empty: bool,
}

impl MissingMarkers {
    pub fn new(markers: &[String]) -> Self {
        let markers: Vec<String> = markers.iter().map(|m| m.trim().to_owned()).collect();
        let mut first_bytes = [false; 256];
        for m in &markers {
            if let Some(&b) = m.as_bytes().first() {
                first_bytes[usize::from(b.to_ascii_lowercase())] = true;
                first_bytes[usize::from(b.to_ascii_uppercase())] = true;
            }
        }
        let longest = markers.iter().map(String::len).max().unwrap_or(0);
        let mut by_length = vec![Vec::new(); longest + 1];
        for m in &markers {
            by_length[m.len()].push(m.clone());
        }
        MissingMarkers {
            by_length,
            empty: markers.iter().any(String::is_empty),
            first_bytes,
        }
    }

    /// Whether a trimmed cell is a missing-value marker.
    #[inline]
    pub fn matches(&self, cell: &str) -> bool {
        match cell.as_bytes().first() {
            None => self.empty,
            Some(&b) => {
                self.first_bytes[usize::from(b)]
                    && self
                        .by_length
                        .get(cell.len())
                        .is_some_and(|ms| ms.iter().any(|m| m.eq_ignore_ascii_case(cell)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DecimalStyle::{Comma, Point};
    use super::*;

    #[test]
    fn numbers_with_a_decimal_point() {
        assert_eq!(parse_number("42", Point), Some(42.0));
        assert_eq!(parse_number(" -3.25 ", Point), Some(-3.25));
        assert_eq!(parse_number("1,234,567.8", Point), Some(1_234_567.8));
        assert_eq!(parse_number("€ 99", Point), Some(99.0));
        assert_eq!(parse_number("-$5", Point), Some(-5.0));
        assert_eq!(parse_number("USD 1,000", Point), Some(1000.0));
        assert_eq!(parse_number(".5", Point), Some(0.5));
        assert_eq!(parse_number("1e3", Point), Some(1000.0));
        assert_eq!(parse_number("50 %", Point), Some(50.0));
    }

    #[test]
    fn numbers_with_a_decimal_comma() {
        assert_eq!(parse_number("3,25", Comma), Some(3.25));
        assert_eq!(parse_number("1.234.567,8", Comma), Some(1_234_567.8));
        assert_eq!(parse_number("1 234,5", Comma), Some(1234.5));
        assert_eq!(parse_number("12,5 %", Comma), Some(12.5));
    }

    #[test]
    fn text_and_broken_grouping_are_not_numbers() {
        for text in [
            "", "abc", "12abc", "1,23", "1,2345", "1.2.3", "--5", "$", "12-05", "1/2",
        ] {
            assert_eq!(parse_number(text, Point), None, "{text}");
        }
        assert_eq!(parse_number("1.5", Comma), None);
    }

    #[test]
    fn the_short_decimal_shortcut_agrees_with_str_parse() {
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "7",
            "0.1",
            "0.3",
            "-12.5",
            "123456789012345",
            ".5",
            "5.",
            "-.25",
            "999999999999999",
            "0.000000000000001",
            "9007199254740993",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        let mut rng = fastrand::Rng::with_seed(11);
        for _ in 0..50_000 {
            let digits = rng.usize(1..=15);
            let mut text: String = (0..digits).map(|_| rng.digit(10)).collect();
            if rng.bool() {
                text.insert(rng.usize(..=text.len()), '.');
            }
            if rng.bool() {
                text.insert(0, '-');
            }
            texts.push(text);
        }
        for text in &texts {
            if let Some(x) = short_decimal(text.as_bytes()) {
                assert_eq!(
                    Some(x.to_bits()),
                    text.parse::<f64>().ok().map(f64::to_bits),
                    "{text}"
                );
            }
        }
        for text in [
            "",
            "-",
            ".",
            "1.2.3",
            "1e5",
            "+3",
            "1,5",
            "1234567890123456",
        ] {
            assert_eq!(short_decimal(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn the_iso_shortcut_agrees_with_the_general_reading() {
        let mut texts = vec![
            "2024-03-15".to_owned(),
            "2024-03-15 14:22".to_owned(),
            "2024-03-15T14:22:01".to_owned(),
            "2024-13-45 24:61:61".to_owned(),
            "0000-00-00".to_owned(),
            "2024-03-15 9:22".to_owned(),
            "2024-03-15T14:22:01Z".to_owned(),
            "2024-3-15".to_owned(),
            "2024/03/15 14:22".to_owned(),
            "2024-03-15x14:22".to_owned(),
            "2024-03-15 14-22".to_owned(),
            "2024-03-15 14:22;01".to_owned(),
        ];
        let mut rng = fastrand::Rng::with_seed(7);
        let alphabet = b"0123456789-: T/";
        for _ in 0..20_000 {
            let mut text = b"2024-03-15 14:22:01".to_vec();
            text.truncate(*[10, 16, 19].get(rng.usize(..3)).unwrap());
            for _ in 0..rng.usize(0..3) {
                let at = rng.usize(..text.len());
                text[at] = alphabet[rng.usize(..alphabet.len())];
            }
            texts.push(String::from_utf8(text).unwrap());
        }
        for text in &texts {
            if let Some(fast) = iso_date_time(text.as_bytes()) {
                assert_eq!(Some(fast), date_parts_any_shape(text), "{text}");
            }
        }
        assert!(iso_date_time(b"2024-03-15 14:22").is_some());
        assert!(iso_date_time(b"2024-03-15 9:22").is_none());
    }

    #[test]
    fn dates_in_common_shapes() {
        let day = |text: &str, order| parse_date_parts(text).and_then(|p| p.timestamp(order));
        let ts = |y, m, d| {
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp()
        };
        use DayOrder::*;
        assert_eq!(day("2024-03-15", MonthFirst), Some(ts(2024, 3, 15)));
        assert_eq!(day("2024/03/15", DayFirst), Some(ts(2024, 3, 15)));
        assert_eq!(day("15.03.2024", DayFirst), Some(ts(2024, 3, 15)));
        assert_eq!(day("03/15/2024", MonthFirst), Some(ts(2024, 3, 15)));
        assert_eq!(day("3/4/24", DayFirst), Some(ts(2024, 4, 3)));
        assert_eq!(
            day("2024-03-15 00:30:00+01:00", MonthFirst),
            Some(ts(2024, 3, 14) + 23 * 3600 + 1800)
        );
        assert_eq!(
            day("12/31/1999 12:00 AM", MonthFirst),
            Some(ts(1999, 12, 31))
        );
        assert_eq!(day("2024-02-30", MonthFirst), None);
    }

    #[test]
    fn non_dates_are_rejected() {
        for text in [
            "",
            "2024",
            "12.5",
            "1,234",
            "abc",
            "2024-03-15X",
            "3/15",
            "2024-03-15 25:00",
            "13:45",
        ] {
            assert_eq!(
                parse_date_parts(text).and_then(|p| p.timestamp(DayOrder::MonthFirst)),
                None,
                "{text}"
            );
        }
    }
}
