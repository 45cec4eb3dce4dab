//! Where the values of a JSON text are, found by a forgiving scan (the text
//! may already be broken by earlier mutations), so that mutations can swap
//! whole values instead of only bytes and keep more inputs parseable.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Number,
    /// `true`, `false` or `null`.
    Literal,
    Object,
    Array,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// A string followed by `:`: an object key rather than a value.
    pub key: bool,
}

/// The value spans of `text`, containers included.
pub fn spans(text: &[u8]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut open: Vec<(usize, u8)> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        match b {
            b'"' => {
                let start = i;
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    if text[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let end = (i + 1).min(text.len());
                let mut after = end;
                while after < text.len() && text[after].is_ascii_whitespace() {
                    after += 1;
                }
                spans.push(Span {
                    start,
                    end,
                    kind: Kind::String,
                    key: text.get(after) == Some(&b':'),
                });
                i = end;
                continue;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < text.len()
                    && matches!(text[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                spans.push(Span {
                    start,
                    end: i,
                    kind: Kind::Number,
                    key: false,
                });
                continue;
            }
            b't' | b'f' | b'n' => {
                for word in [&b"true"[..], b"false", b"null"] {
                    if text[i..].starts_with(word) {
                        spans.push(Span {
                            start: i,
                            end: i + word.len(),
                            kind: Kind::Literal,
                            key: false,
                        });
                        i += word.len() - 1;
                        break;
                    }
                }
            }
            b'{' | b'[' => open.push((i, b)),
            b'}' | b']' => {
                let wanted = if b == b'}' { b'{' } else { b'[' };
                if let Some(at) = open.iter().rposition(|&(_, o)| o == wanted) {
                    let (start, _) = open[at];
                    open.truncate(at);
                    spans.push(Span {
                        start,
                        end: i + 1,
                        kind: if b == b'}' { Kind::Object } else { Kind::Array },
                        key: false,
                    });
                }
            }
            _ => {}
        }
        i += 1;
    }
    spans
}
