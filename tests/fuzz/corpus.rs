//! Seed inputs: the committed corpus under `tests/fixtures/fuzz/<target>/`
//! and the project's own fixtures.

use std::path::Path;

/// One starting input, named for the reports.
#[derive(Debug, Clone)]
pub struct Seed {
    pub name: String,
    pub data: Vec<u8>,
}

/// `tests/fixtures/<relative>`, from the source tree.
pub fn fixtures(relative: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// Every file directly in `tests/fixtures/<relative>` whose name ends with
/// one of `extensions` (any file when empty), in name order.
pub fn files(relative: &str, extensions: &[&str]) -> Vec<Seed> {
    let dir = fixtures(relative);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut seeds: Vec<Seed> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_owned();
            if !extensions.is_empty() && !extensions.iter().any(|x| name.ends_with(x)) {
                return None;
            }
            let data = std::fs::read(e.path()).ok()?;
            Some(Seed {
                name: if relative.is_empty() {
                    name
                } else {
                    format!("{relative}/{name}")
                },
                data,
            })
        })
        .collect();
    seeds.sort_by(|a, b| a.name.cmp(&b.name));
    seeds
}

/// Runs `f`, which calls into the core while seeds are made, with a panic
/// counting as no result: the fuzzing proper reports such panics.
pub fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

/// Bytes as text: printable ASCII as is, `\n`, `\r`, `\t`, `\\` and
/// `\xNN` for the rest.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}
