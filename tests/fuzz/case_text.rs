//! Engine cases written out as text: the minimised case of a finding
//! (`tests/fixtures/fuzz/engine/*.txt`), read back into the data set,
//! mapping, scenario and settings it describes.
//!
//! The text is the one a finding's account holds below `minimised case:`:
//!
//! ```text
//! rows 2
//! columns: [ ("Converted", Bool([Some(true), None])), ("Hours", Num([1.5, NaN])) ]
//! mapping: ColumnMapping { outcome: Some("Converted"), converted_values: [], … }
//! scenario: {"name":"fuzz","threshold":15,"criteria":[…]}
//! reps 4 aux_seed 123
//! ```
//!
//! Columns and mapping are Rust `Debug` output (spread over many lines);
//! the scenario is the criteria-file JSON of one scenario.

use leadlens::core::criteria::Scenario;
use leadlens::core::dataset::{Categories, Column, ColumnValues, DataOrigin, Dataset, Texts};
use leadlens::core::mapping::ColumnMapping;

/// One written case.
pub struct WrittenCase {
    pub data: Dataset,
    pub mapping: ColumnMapping,
    pub scenario: Scenario,
    pub reps: u32,
    pub aux_seed: u64,
}

/// True when `input` is a written case rather than an 8-byte seed.
pub fn is_written(input: &[u8]) -> bool {
    input.len() > 8 && input.windows(14).any(|w| w == b"minimised case")
}

/// A value of `Debug` output.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Str(String),
    Num(f64),
    /// `None`, `true`, a bare name.
    Word(String),
    /// `Some(x)`, `Bool([..])`: a name and what its parentheses hold.
    Call(String, Vec<Value>),
    /// `Name { field: value, .. }`.
    Struct(String, Vec<(String, Value)>),
    List(Vec<Value>),
    /// `(a, b)`.
    Tuple(Vec<Value>),
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.at < self.text.len() && self.text[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.text.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        match self.peek() {
            Some(b) if b == byte => {
                self.at += 1;
                Ok(())
            }
            other => Err(format!(
                "expected '{}' at byte {}, found {:?}",
                byte as char,
                self.at,
                other.map(char::from)
            )),
        }
    }

    /// Values up to `close`, separated by commas (a trailing one allowed).
    fn items(&mut self, close: u8) -> Result<Vec<Value>, String> {
        let mut items = Vec::new();
        loop {
            if self.peek() == Some(close) {
                self.at += 1;
                return Ok(items);
            }
            items.push(self.value()?);
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b) if b == close => {}
                other => return Err(format!("expected ',' at byte {}, found {other:?}", self.at)),
            }
        }
    }

    fn word(&mut self) -> String {
        let start = self.at;
        while self.at < self.text.len()
            && (self.text[self.at].is_ascii_alphanumeric() || self.text[self.at] == b'_')
        {
            self.at += 1;
        }
        String::from_utf8_lossy(&self.text[start..self.at]).into_owned()
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            let Some(&b) = self.text.get(self.at) else {
                return Err("a string runs to the end".into());
            };
            self.at += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let escaped = *self.text.get(self.at).ok_or("an escape at the end")?;
                    self.at += 1;
                    let c = match escaped {
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'0' => '\0',
                        b'\\' => '\\',
                        b'"' => '"',
                        b'\'' => '\'',
                        b'u' => {
                            self.expect(b'{')?;
                            let start = self.at;
                            while self.text.get(self.at).is_some_and(u8::is_ascii_hexdigit) {
                                self.at += 1;
                            }
                            let hex = std::str::from_utf8(&self.text[start..self.at]).unwrap();
                            self.expect(b'}')?;
                            u32::from_str_radix(hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| format!("bad escape \\u{{{hex}}}"))?
                        }
                        other => return Err(format!("unknown escape \\{}", other as char)),
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                other => out.push(other),
            }
        }
        String::from_utf8(out).map_err(|e| e.to_string())
    }

    fn value(&mut self) -> Result<Value, String> {
        match self.peek().ok_or("a value was expected at the end")? {
            b'"' => Ok(Value::Str(self.string()?)),
            b'[' => {
                self.at += 1;
                Ok(Value::List(self.items(b']')?))
            }
            b'(' => {
                self.at += 1;
                Ok(Value::Tuple(self.items(b')')?))
            }
            b'-' | b'0'..=b'9' => {
                let start = self.at;
                self.at += 1;
                while self
                    .text
                    .get(self.at)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+'))
                {
                    self.at += 1;
                }
                let text = std::str::from_utf8(&self.text[start..self.at]).unwrap();
                text.parse()
                    .map(Value::Num)
                    .map_err(|_| format!("'{text}' is not a number"))
            }
            _ => {
                let name = self.word();
                if name.is_empty() {
                    return Err(format!("unexpected byte at {}", self.at));
                }
                match (name.as_str(), self.peek()) {
                    ("NaN", _) => Ok(Value::Num(f64::NAN)),
                    ("inf", _) => Ok(Value::Num(f64::INFINITY)),
                    (_, Some(b'(')) => {
                        self.at += 1;
                        Ok(Value::Call(name, self.items(b')')?))
                    }
                    (_, Some(b'{')) => {
                        self.at += 1;
                        let mut fields = Vec::new();
                        loop {
                            if self.peek() == Some(b'}') {
                                self.at += 1;
                                break;
                            }
                            self.skip_space();
                            let field = self.word();
                            self.expect(b':')?;
                            fields.push((field, self.value()?));
                            if self.peek() == Some(b',') {
                                self.at += 1;
                            }
                        }
                        Ok(Value::Struct(name, fields))
                    }
                    _ => Ok(Value::Word(name)),
                }
            }
        }
    }
}

fn parse_value(text: &str) -> Result<Value, String> {
    let mut parser = Parser {
        text: text.as_bytes(),
        at: 0,
    };
    let value = parser.value()?;
    match parser.peek() {
        None => Ok(value),
        Some(_) => Err(format!("text after the value at byte {}", parser.at)),
    }
}

fn option<T>(
    value: &Value,
    inner: impl Fn(&Value) -> Result<T, String>,
) -> Result<Option<T>, String> {
    match value {
        Value::Word(w) if w == "None" => Ok(None),
        Value::Call(name, items) if name == "Some" && items.len() == 1 => {
            inner(&items[0]).map(Some)
        }
        other => Err(format!("expected an Option, found {other:?}")),
    }
}

fn string(value: &Value) -> Result<String, String> {
    match value {
        Value::Str(s) => Ok(s.clone()),
        other => Err(format!("expected a string, found {other:?}")),
    }
}

fn number(value: &Value) -> Result<f64, String> {
    match value {
        Value::Num(x) => Ok(*x),
        other => Err(format!("expected a number, found {other:?}")),
    }
}

fn list(value: &Value) -> Result<&[Value], String> {
    match value {
        Value::List(items) => Ok(items),
        other => Err(format!("expected a list, found {other:?}")),
    }
}

fn whole<T: TryFrom<i64>>(value: &Value) -> Result<T, String> {
    let x = number(value)?;
    if x.fract() != 0.0 || !x.is_finite() {
        return Err(format!("{x} is not a whole number"));
    }
    T::try_from(x as i64).map_err(|_| format!("{x} is out of range"))
}

fn column(value: &Value) -> Result<Column, String> {
    let Value::Tuple(parts) = value else {
        return Err(format!("expected (name, values), found {value:?}"));
    };
    let [name, Value::Call(kind, inner)] = parts.as_slice() else {
        return Err(format!("expected (name, Kind([..])), found {parts:?}"));
    };
    let name = string(name)?;
    let items = list(inner.first().ok_or("a column without values")?)?;
    let texts = || -> Result<Vec<Option<String>>, String> {
        items.iter().map(|v| option(v, string)).collect()
    };
    let values = match kind.as_str() {
        "Num" => ColumnValues::Number(items.iter().map(number).collect::<Result<_, _>>()?),
        "Bool" => ColumnValues::Boolean(
            items
                .iter()
                .map(|v| {
                    option(v, |b| match b {
                        Value::Word(w) if w == "true" => Ok(true),
                        Value::Word(w) if w == "false" => Ok(false),
                        other => Err(format!("expected a boolean, found {other:?}")),
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        "Date" => ColumnValues::Date(
            items
                .iter()
                .map(|v| option(v, whole::<i64>))
                .collect::<Result<_, _>>()?,
        ),
        "Time" => ColumnValues::Time(
            items
                .iter()
                .map(|v| option(v, whole::<u32>))
                .collect::<Result<_, _>>()?,
        ),
        "Cat" => {
            let texts = texts()?;
            ColumnValues::Category(Categories::from_values(texts.iter().map(|t| t.as_deref())))
        }
        "Text" => {
            let texts = texts()?;
            ColumnValues::Text(Texts::from_values(texts.iter().map(|t| t.as_deref())))
        }
        other => return Err(format!("unknown column kind {other}")),
    };
    Ok(Column::new(name, values))
}

fn mapping(value: &Value) -> Result<ColumnMapping, String> {
    let Value::Struct(name, fields) = value else {
        return Err(format!("expected ColumnMapping {{ .. }}, found {value:?}"));
    };
    if name != "ColumnMapping" {
        return Err(format!("expected ColumnMapping, found {name}"));
    }
    let mut mapping = ColumnMapping::default();
    for (field, value) in fields {
        let name = || option(value, string);
        match field.as_str() {
            "outcome" => mapping.outcome = name()?,
            "followed_up" => mapping.followed_up = name()?,
            "response_hours" => mapping.response_hours = name()?,
            "first_touch" => mapping.first_touch = name()?,
            "created" => mapping.created = name()?,
            "deal_value" => mapping.deal_value = name()?,
            "owner" => mapping.owner = name()?,
            "lead_id" => mapping.lead_id = name()?,
            "converted_values" => {
                mapping.converted_values =
                    list(value)?.iter().map(string).collect::<Result<_, _>>()?
            }
            "known_after" => {
                mapping.known_after = list(value)?.iter().map(string).collect::<Result<_, _>>()?
            }
            // Derived durations are not written out by the harness.
            "derived" => {}
            other => return Err(format!("unknown mapping field {other}")),
        }
    }
    Ok(mapping)
}

/// Reads the case below `minimised case:` (or the whole text when it has no
/// such line).
pub fn parse(input: &[u8]) -> Result<WrittenCase, String> {
    let text = String::from_utf8_lossy(input);
    let case = match text.find("minimised case:") {
        Some(at) => &text[at + "minimised case:".len()..],
        None => &text[..],
    };
    // The case ends where the account goes on (`minimised detail:`).
    let case = case.split("\nminimised detail:").next().unwrap_or(case);
    let section = |start: &str, end: &str| -> Result<String, String> {
        let from = case
            .find(start)
            .ok_or_else(|| format!("the case has no '{start}'"))?
            + start.len();
        let to = case[from..].find(end).map_or(case.len(), |i| from + i);
        Ok(case[from..to].trim().to_owned())
    };
    let rows: usize = section("rows ", "\n")?
        .parse()
        .map_err(|e| format!("rows: {e}"))?;
    let columns: Vec<Column> = list(&parse_value(&section("columns:", "\nmapping:")?)?)?
        .iter()
        .map(column)
        .collect::<Result<_, _>>()?;
    for c in &columns {
        if c.len() != rows {
            return Err(format!(
                "column {:?} holds {} of {rows} rows",
                c.name,
                c.len()
            ));
        }
    }
    let mapping = mapping(&parse_value(&section("mapping:", "\nscenario:")?)?)?;
    let scenario: Scenario =
        serde_json::from_str(&section("scenario:", "\n")?).map_err(|e| format!("scenario: {e}"))?;
    let settings = section("reps ", "\n")?;
    let mut words = settings.split_whitespace();
    let reps = words
        .next()
        .and_then(|r| r.parse().ok())
        .ok_or("reps: not a number")?;
    let aux_seed = match (words.next(), words.next()) {
        (Some("aux_seed"), Some(seed)) => seed.parse().map_err(|_| "aux_seed: not a number")?,
        _ => 0,
    };
    let data =
        Dataset::new("written case", DataOrigin::File, columns).map_err(|e| e.to_string())?;
    Ok(WrittenCase {
        data,
        mapping,
        scenario,
        reps,
        aux_seed,
    })
}
