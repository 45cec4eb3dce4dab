//! The mutation engine: byte-level mutations shared by every target, plus
//! JSON-aware ones (swap whole values, keys, array items) and CSV-aware ones
//! (cells, lines, line ends, delimiters, encodings).

use fastrand::Rng;

use crate::json_tokens::{spans, Kind, Span};

const INTERESTING_BYTES: &[u8] = &[
    0x00, 0x01, 0x07, 0x09, 0x0a, 0x0c, 0x0d, 0x1f, 0x20, 0x22, 0x2c, 0x3b, 0x5c, 0x7f, 0x80, 0x81,
    0xa0, 0xbf, 0xc0, 0xc3, 0xe2, 0xef, 0xfe, 0xff,
];

const INTERESTING_INTS: &[u32] = &[
    0,
    1,
    0x7f,
    0x80,
    0xff,
    0x100,
    0x7fff,
    0x8000,
    0xffff,
    0x1_0000,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_fffe,
    0xffff_ffff,
];

/// Numbers as text, for any target.
pub const NUMBER_TEXTS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "2",
    "0.5",
    "0.999999",
    "1.0",
    "7",
    "12",
    "30",
    "99",
    "100",
    "1000",
    "100000",
    "100001",
    "-100000",
    "-100001",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "4294967295",
    "4294967296",
    "9007199254740992",
    "9007199254740993",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999",
    "1e308",
    "-1e308",
    "1e309",
    "1e400",
    "-1e400",
    "1e-400",
    "5e-324",
    "2.2250738585072014e-308",
    "1.7976931348623157e308",
    "91.41006403393325",
    "0.1",
    "0.30000000000000004",
    "-0.0",
    "1e15",
    "1e16",
    "123456789.123456789",
    "3.4028235e38",
];

/// Applies one to a few random byte-level mutations to `data`, using
/// `other` for splices and `dictionary` for token insertions, and keeps it
/// within `max_len` bytes.
pub fn bytes(
    rng: &mut Rng,
    data: &mut Vec<u8>,
    other: &[u8],
    dictionary: &[&[u8]],
    max_len: usize,
) {
    let rounds = if rng.u8(..) < 16 {
        rng.usize(4..=16)
    } else {
        rng.usize(1..=3)
    };
    for _ in 0..rounds {
        byte_mutation(rng, data, other, dictionary);
    }
    data.truncate(max_len);
}

fn byte_mutation(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8], dictionary: &[&[u8]]) {
    let len = data.len();
    if len == 0 {
        // Nothing to change: start from a token or a piece of another input.
        match (rng.bool(), dictionary.is_empty(), other.is_empty()) {
            (_, false, true) | (true, false, _) => {
                data.extend_from_slice(dictionary[rng.usize(..dictionary.len())])
            }
            (_, _, false) => {
                let (a, b) = range(rng, other.len(), other.len());
                data.extend_from_slice(&other[a..b]);
            }
            _ => data.push(rng.u8(..)),
        }
        return;
    }
    match rng.u8(..14) {
        0 => {
            let at = rng.usize(..len);
            data[at] ^= 1 << rng.u8(..8);
        }
        1 => {
            let at = rng.usize(..len);
            data[at] = rng.u8(..);
        }
        2 => {
            let at = rng.usize(..len);
            data[at] = INTERESTING_BYTES[rng.usize(..INTERESTING_BYTES.len())];
        }
        3 => {
            let value = INTERESTING_INTS[rng.usize(..INTERESTING_INTS.len())];
            let width = if rng.bool() { 2 } else { 4 };
            let raw = if rng.bool() {
                value.to_le_bytes()
            } else {
                value.to_be_bytes()
            };
            let at = rng.usize(..len);
            for (i, &b) in raw[..width].iter().enumerate() {
                if let Some(slot) = data.get_mut(at + i) {
                    *slot = b;
                }
            }
        }
        4 => {
            let at = rng.usize(..=len);
            let n = rng.usize(1..=8);
            let fresh: Vec<u8> = (0..n).map(|_| rng.u8(..)).collect();
            data.splice(at..at, fresh);
        }
        5 | 6 if !dictionary.is_empty() => {
            let token = dictionary[rng.usize(..dictionary.len())];
            let at = rng.usize(..=len);
            if rng.bool() {
                data.splice(at..at, token.iter().copied());
            } else {
                let end = (at + token.len()).min(len);
                data.splice(at..end, token.iter().copied());
            }
        }
        7 => {
            let (a, b) = range(rng, len, 32.max(len / 4));
            data.drain(a..b);
        }
        8 => {
            let (a, b) = range(rng, len, 64);
            let piece = data[a..b].to_vec();
            let at = rng.usize(..=len);
            let times = if rng.u8(..) < 16 {
                rng.usize(2..=32)
            } else {
                1
            };
            for _ in 0..times {
                data.splice(at..at, piece.iter().copied());
            }
        }
        9 if !other.is_empty() => {
            let (a, b) = range(rng, other.len(), 256);
            let at = rng.usize(..=len);
            data.splice(at..at, other[a..b].iter().copied());
        }
        10 if !other.is_empty() => {
            let cut = rng.usize(..=len);
            let from = rng.usize(..other.len());
            data.truncate(cut);
            data.extend_from_slice(&other[from..]);
        }
        11 => {
            // A run of digits becomes an interesting number.
            let start = rng.usize(..len);
            if let Some(at) = data[start..].iter().position(u8::is_ascii_digit) {
                let a = start + at;
                let b = a + data[a..].iter().take_while(|b| b.is_ascii_digit()).count();
                let number = NUMBER_TEXTS[rng.usize(..NUMBER_TEXTS.len())];
                data.splice(a..b, number.bytes());
            }
        }
        12 => {
            let cut = rng.usize(..len);
            data.truncate(cut);
        }
        _ => {
            let (a, b) = (rng.usize(..len), rng.usize(..len));
            data.swap(a, b);
        }
    }
}

/// A non-empty range of at most `most` bytes in `0..len` (`len > 0`).
fn range(rng: &mut Rng, len: usize, most: usize) -> (usize, usize) {
    let a = rng.usize(..len);
    let n = rng.usize(1..=most.clamp(1, len - a));
    (a, a + n)
}

// ---------------------------------------------------------------- JSON

/// Replacement values for JSON mutations.
pub struct JsonDictionary {
    /// Whole values: numbers, literals, strings, small containers.
    pub values: &'static [&'static str],
    /// Object keys, quoted.
    pub keys: &'static [&'static str],
    /// Raw tokens for byte-level insertion.
    pub tokens: &'static [&'static [u8]],
}

/// Mutates JSON text: usually whole values, keys or array items, sometimes
/// bytes as well.
pub fn json(
    rng: &mut Rng,
    data: &mut Vec<u8>,
    other: &[u8],
    dict: &JsonDictionary,
    max_len: usize,
) {
    let structural = rng.usize(0..=3);
    for _ in 0..structural {
        json_mutation(rng, data, other, dict);
    }
    if structural == 0 || rng.u8(..) < 40 {
        bytes(rng, data, other, dict.tokens, max_len);
    }
    data.truncate(max_len);
}

fn pick_span(rng: &mut Rng, spans: &[Span], keep: impl Fn(&Span) -> bool) -> Option<Span> {
    let candidates: Vec<&Span> = spans.iter().filter(|s| keep(s)).collect();
    (!candidates.is_empty()).then(|| *candidates[rng.usize(..candidates.len())])
}

fn json_mutation(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8], dict: &JsonDictionary) {
    let found = spans(data);
    if found.is_empty() {
        return;
    }
    match rng.u8(..9) {
        // A value becomes an interesting one.
        0..=2 => {
            if let Some(s) = pick_span(rng, &found, |s| !s.key && s.kind != Kind::Object) {
                let value = match s.kind {
                    Kind::Number if rng.u8(..4) != 0 => {
                        NUMBER_TEXTS[rng.usize(..NUMBER_TEXTS.len())].to_owned()
                    }
                    _ => dict.values[rng.usize(..dict.values.len())].to_owned(),
                };
                data.splice(s.start..s.end, value.into_bytes());
            }
        }
        // A key becomes another key.
        3 => {
            if let Some(s) = pick_span(rng, &found, |s| s.key) {
                let key = dict.keys[rng.usize(..dict.keys.len())];
                data.splice(s.start..s.end, key.bytes());
            }
        }
        // A value is copied over another (from this text or another input).
        4 => {
            let source_spans = if !other.is_empty() && rng.bool() {
                Some(spans(other))
            } else {
                None
            };
            let (source, from): (&[u8], &[Span]) = match &source_spans {
                Some(s) => (other, s),
                None => (data.as_slice(), &found),
            };
            let Some(src) = pick_span(rng, from, |s| !s.key) else {
                return;
            };
            let piece = source[src.start..src.end].to_vec();
            if let Some(dst) = pick_span(rng, &found, |s| !s.key) {
                data.splice(dst.start..dst.end, piece);
            }
        }
        // An array item or object is repeated after itself.
        5 | 6 => {
            let after_open_or_comma = |s: &Span| {
                !s.key
                    && data[..s.start]
                        .iter()
                        .rev()
                        .find(|b| !b.is_ascii_whitespace())
                        .is_some_and(|&b| b == b'[' || b == b',')
            };
            if let Some(s) = pick_span(rng, &found, after_open_or_comma) {
                let piece = data[s.start..s.end].to_vec();
                let times = if rng.u8(..) < 24 {
                    rng.usize(2..=120)
                } else {
                    1
                };
                let mut insert = Vec::with_capacity((piece.len() + 1) * times);
                for _ in 0..times {
                    insert.push(b',');
                    insert.extend_from_slice(&piece);
                }
                data.splice(s.end..s.end, insert);
            }
        }
        // A value (with the comma before it) goes.
        7 => {
            if let Some(s) = pick_span(rng, &found, |s| !s.key) {
                let mut start = s.start;
                while start > 0 && data[start - 1].is_ascii_whitespace() {
                    start -= 1;
                }
                if start > 0 && data[start - 1] == b',' {
                    start -= 1;
                }
                data.drain(start..s.end);
            }
        }
        // A key-value pair is added to an object.
        _ => {
            if let Some(s) = pick_span(rng, &found, |s| s.kind == Kind::Object) {
                let key = dict.keys[rng.usize(..dict.keys.len())];
                let value = dict.values[rng.usize(..dict.values.len())];
                let pair = format!("{key}: {value},");
                data.splice(s.start + 1..s.start + 1, pair.into_bytes());
            }
        }
    }
}

// ---------------------------------------------------------------- CSV

/// Tokens inserted into CSV inputs.
pub const CSV_TOKENS: &[&[u8]] = &[
    b",",
    b";",
    b"\t",
    b"|",
    b"\"",
    b"\"\"",
    b"\r",
    b"\n",
    b"\r\n",
    b"\n\n",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"NA",
    b"N/A",
    b"#N/A",
    b"null",
    b"none",
    b"Select",
    b"unknown",
    b"",
    b" ",
    b"\xc2\xa0",
    b"99999999999999999999",
    b"-2147483648",
    b"2147483647",
    b"4294967296",
    b"1e308",
    b"-1e308",
    b"1e400",
    b"0",
    b"1",
    b"-1",
    b"0.5",
    b"2.7",
    b"2024-01-31",
    b"31/01/2024",
    b"01/31/2024",
    b"2024-02-30",
    b"0000-01-01",
    b"9999-12-31",
    b"2024-01-31T12:30:45Z",
    b"2024-01-31 12:30:45+14:00",
    b"12:30:45",
    b"24:00:00",
    b"1.234,56",
    b"1,234.56",
    b"(1,000)",
    b"%",
    b"12%",
    b"$",
    b"\xe2\x82\xac",
    b"\x80",
    b"\xe9",
    b"\xc3",
    b"\xc3\xa9",
    b"\xed\xa0\x80",
    b"yes",
    b"no",
    b"TRUE",
    b"false",
    b"Y",
    b"n",
    b"won",
    b"Closed Won",
    b"lost",
    b"converted",
    b"customer",
    b"Converted",
    b"Email",
    b"Lead Status",
    b"Create Date",
    b"Deal Value",
    b"Owner",
    b"Followed up",
    b"Response time (hours)",
    b"First touch",
    b"Lead ID",
    b"score",
    b"sales_ready",
    b"rules_fired",
    b"=1+1",
    b"\x00",
    b"a\"b",
    b"\"a,b\"",
    b"\"x\ny\"",
];

/// Mutates CSV bytes: usually a cell, a line, the line ends, the delimiter
/// or the encoding, sometimes bytes as well.
pub fn csv(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8], max_len: usize) {
    let structural = rng.usize(0..=2);
    for _ in 0..structural {
        csv_mutation(rng, data, other);
    }
    if structural == 0 || rng.u8(..) < 64 {
        bytes(rng, data, other, CSV_TOKENS, max_len);
    }
    data.truncate(max_len);
}

fn is_separator(b: u8) -> bool {
    matches!(b, b',' | b';' | b'\t' | b'|' | b'\n' | b'\r')
}

/// Byte ranges of lines (without their line end).
fn lines(data: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in data.iter().enumerate() {
        if b == b'\n' || b == b'\r' {
            out.push((start, i));
            start = i + 1;
        }
    }
    if start < data.len() {
        out.push((start, data.len()));
    }
    out
}

fn csv_mutation(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8]) {
    let len = data.len();
    match rng.u8(..12) {
        // A cell becomes a token.
        0..=2 if len > 0 => {
            let at = rng.usize(..len);
            let start = data[..at]
                .iter()
                .rposition(|&b| is_separator(b))
                .map_or(0, |p| p + 1);
            let end = data[at..]
                .iter()
                .position(|&b| is_separator(b))
                .map_or(len, |p| at + p);
            let token = CSV_TOKENS[rng.usize(..CSV_TOKENS.len())];
            data.splice(start..end, token.iter().copied());
        }
        // A line is repeated (a few or many times), or goes.
        3 | 4 => {
            let all = lines(data);
            if all.is_empty() {
                return;
            }
            let (a, b) = all[rng.usize(..all.len())];
            let end = (b + 1).min(len);
            if rng.u8(..4) == 0 {
                data.drain(a..end);
            } else {
                let mut piece = data[a..end].to_vec();
                if !piece.ends_with(b"\n") && !piece.ends_with(b"\r") {
                    piece.push(b'\n');
                }
                let times = if rng.u8(..) < 32 {
                    rng.usize(2..=200)
                } else {
                    1
                };
                for _ in 0..times {
                    data.splice(end..end, piece.iter().copied());
                }
            }
        }
        // Every line end becomes another.
        5 => {
            let ending: &[u8] = match rng.u8(..3) {
                0 => b"\r\n",
                1 => b"\r",
                _ => b"\n",
            };
            let all = lines(data);
            let mut out = Vec::with_capacity(len + all.len());
            for (a, b) in all {
                out.extend_from_slice(&data[a..b]);
                out.extend_from_slice(ending);
            }
            *data = out;
        }
        // One delimiter becomes another everywhere.
        6 => {
            let delimiters = [b',', b';', b'\t', b'|'];
            let from = delimiters[rng.usize(..4)];
            let to = delimiters[rng.usize(..4)];
            for b in data.iter_mut() {
                if *b == from {
                    *b = to;
                }
            }
        }
        // Another encoding, or another byte-order mark.
        7 => re_encode(rng, data),
        // A title line above the header, or a blank line somewhere.
        8 => {
            let line: &[u8] = match rng.u8(..4) {
                0 => b"Leads export 2024-03-01\n",
                1 => b"\n",
                2 => b"   \r\n",
                _ => b",,,\n",
            };
            let at = if rng.bool() {
                0
            } else {
                lines(data).get(1).map_or(0, |l| l.0)
            };
            data.splice(at..at, line.iter().copied());
        }
        // A cell grows quotes around a line break or a delimiter.
        9 if len > 0 => {
            let at = rng.usize(..len);
            let inner: &[u8] = match rng.u8(..4) {
                0 => b"\"two\nlines\"",
                1 => b"\"a, b; c\"",
                2 => b"\"say \"\"hi\"\"\"",
                _ => b"\"unclosed",
            };
            data.splice(at..at, inner.iter().copied());
        }
        // Lines of another input appended.
        10 if !other.is_empty() => {
            let all = lines(other);
            if let Some(&(a, _)) = all.get(rng.usize(..all.len().max(1))) {
                data.push(b'\n');
                data.extend_from_slice(&other[a..]);
            }
        }
        _ => {
            if len > 0 {
                let at = rng.usize(..len);
                let separators = [b',', b';', b'\t', b'|', b'"', b'\n', b'\r'];
                data.insert(at, separators[rng.usize(..separators.len())]);
            }
        }
    }
}

fn re_encode(rng: &mut Rng, data: &mut Vec<u8>) {
    let text = match std::str::from_utf8(data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data)) {
        Ok(text) => text.to_owned(),
        Err(_) => {
            // Not UTF-8: swap or drop the byte-order mark instead.
            let (cut, mark): (usize, &[u8]) = match rng.u8(..3) {
                0 => (0, b"\xef\xbb\xbf"),
                1 => (0, b"\xff\xfe"),
                _ => (data.len().min(2), b""),
            };
            data.splice(0..cut, mark.iter().copied());
            return;
        }
    };
    *data = match rng.u8(..5) {
        0 => {
            let mut out = vec![0xff, 0xfe];
            out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            out
        }
        1 => {
            let mut out = vec![0xfe, 0xff];
            out.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
            out
        }
        2 => {
            let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
            bytes.into_owned()
        }
        3 => {
            let mut out = b"\xef\xbb\xbf".to_vec();
            out.extend_from_slice(text.as_bytes());
            out
        }
        _ => text.into_bytes(),
    };
}
