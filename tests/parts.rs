//! Typing a file in parts, as the browser's workers do: the first part
//! fixes the types, the others are typed from its plan, each starting on
//! the record after a line break, and the parts are joined. The result
//! must be the whole file's, whatever the split points, the chunk sizes
//! and the quoting.

use std::cell::RefCell;
use std::rc::Rc;

use leadlens::core::ingest::transfer::Buffer;
use leadlens::core::ingest::values::DecimalStyle;
use leadlens::core::ingest::{
    load_bytes, nominal_starts, part_start, Finish, LaterBuffer, LoadError, LoadOptions, Loaded,
    Loader, Part, PartLoader,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// How a load in parts went.
#[derive(Debug, PartialEq)]
enum Path {
    /// The parts were joined.
    Joined,
    /// The first part ended inside a record: it read on by itself.
    ReadOn,
    /// The parts could not stand for the file; it was read as a whole.
    Whole,
    /// No plan (the file's first part was too short, or it cannot be
    /// split): read as a whole.
    Unsplit,
}

/// Loads `bytes` in parts starting near `starts` (the first is 0), each
/// pushed in chunks of `chunk` bytes, the types fixed after `plan_rows`
/// rows; the parts travel through their flat form, as between threads.
fn load_in_parts(
    name: &str,
    bytes: &[u8],
    starts: &[u64],
    chunk: usize,
    plan_rows: usize,
) -> (Loaded, Path) {
    let options = LoadOptions::default();
    let size = bytes.len() as u64;
    let mut real: Vec<u64> = starts
        .iter()
        .map(|&at| {
            let from = at.saturating_sub(1) as usize;
            part_start(at, &bytes[from.min(bytes.len())..]).unwrap_or(size)
        })
        .collect();
    real.push(size);
    let mut loader = Loader::new(name, size, &options)
        .unwrap()
        .with_plan_rows(plan_rows);
    let first = &bytes[..real[1] as usize];
    for piece in first.chunks(chunk) {
        loader.push(piece).unwrap();
    }
    let path;
    let finished = match loader.plan() {
        Some(_) if real.len() > 2 && loader.mid_record() => {
            path = Path::ReadOn;
            for piece in bytes[real[1] as usize..].chunks(chunk) {
                loader.push(piece).unwrap();
            }
            loader.finish().unwrap()
        }
        Some(plan) if real.len() > 2 => {
            let mut parts: Vec<Part> = Vec::new();
            for window in real[1..].windows(2) {
                let (from, to) = (window[0] as usize, window[1].max(window[0]) as usize);
                let mut part = PartLoader::new(&plan);
                // Sized from its first chunk, as the load worker does.
                part.expect_bytes((to - from) as u64);
                for piece in bytes[from..to].chunks(chunk) {
                    part.push(piece);
                }
                let (head, buffers) = part.finish().into_buffers();
                parts.push(Part::from_buffers(&head, buffers).unwrap());
            }
            match loader.finish_with(parts).unwrap() {
                Finish::Done(loaded) => {
                    path = Path::Joined;
                    Finish::Done(loaded)
                }
                again => {
                    path = Path::Whole;
                    again
                }
            }
        }
        _ => {
            path = Path::Unsplit;
            for piece in bytes[real[1] as usize..].chunks(chunk) {
                loader.push(piece).unwrap();
            }
            loader.finish().unwrap()
        }
    };
    let mut finished = finished;
    loop {
        if let Finish::Done(loaded) = finished {
            return (loaded, path);
        }
        for piece in bytes.chunks(chunk) {
            loader.push(piece).unwrap();
        }
        finished = loader.finish().unwrap();
    }
}

fn assert_same(parts: &Loaded, whole: &Loaded, what: &str) {
    // Compared as printed: a missing number is NaN, unequal to itself.
    assert_eq!(
        format!("{:?}", parts.dataset),
        format!("{:?}", whole.dataset),
        "{what}"
    );
    assert_eq!(parts.report, whole.report, "{what}");
    assert_eq!(parts.suggested, whole.suggested, "{what}");
}

/// A generated export with every column kind, quoted fields holding
/// delimiters, quotes and line breaks, missing values, a ragged row and
/// a blank line here and there.
fn generated(rows: usize, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut text = String::from("id,source,score,won,created,call_at,note,owner\n");
    for i in 0..rows {
        let source = ["Web", "Ads", "Event", "Referral", ""][rng.usize(..5)];
        let score = if rng.u8(..10) == 0 {
            String::new()
        } else {
            format!("{:.2}", rng.f64() * 100.0)
        };
        let won = ["yes", "no", "no", ""][rng.usize(..4)];
        let created = format!("2024-{:02}-{:02}", rng.u8(1..=12), rng.u8(1..=28));
        let call = format!("{:02}:{:02}", rng.u8(..24), rng.u8(..60));
        let note = match rng.u8(..6) {
            0 => format!("\"line one\nline two, with a comma {i}\""),
            1 => format!("\"she said \"\"call me\"\" on {i}\""),
            2 => String::new(),
            _ => format!("note {i} ünïcode"),
        };
        let owner = format!("rep{}", rng.u8(..30));
        text.push_str(&format!(
            "{i},{source},{score},{won},{created},{call},{note},{owner}\n"
        ));
        if rng.u16(..500) == 0 {
            text.push_str("ragged,row\n");
        }
        if rng.u16(..700) == 0 {
            text.push('\n');
        }
    }
    text.into_bytes()
}

#[test]
fn parts_joined_equal_the_whole_file_whatever_the_split() {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut joined = 0;
    for seed in 0..12 {
        // Past the 64 KiB the loader sniffs before it reads.
        let bytes = generated(5_000 + seed as usize * 371, seed);
        let whole = load_bytes("parts.csv", &bytes, &LoadOptions::default()).unwrap();
        let size = bytes.len() as u64;
        for parts in 2..=4 {
            // Even splits, as the browser makes them, and random ones.
            let even = nominal_starts(size, parts);
            let mut random: Vec<u64> = (1..parts).map(|_| rng.u64(1..size)).collect();
            random.push(0);
            random.sort_unstable();
            for starts in [even, random] {
                let chunk = [7, 64, 4096][rng.usize(..3)];
                let (loaded, path) = load_in_parts("parts.csv", &bytes, &starts, chunk, 20);
                assert_same(
                    &loaded,
                    &whole,
                    &format!("seed {seed}, starts {starts:?}, chunk {chunk}"),
                );
                joined += usize::from(path == Path::Joined);
            }
        }
    }
    // Most splits land outside quotes and are joined; the others were
    // caught and read as a whole, with the same result.
    assert!(joined > 40, "only {joined} of 72 loads were joined");
}

#[test]
fn a_split_inside_a_quoted_line_break_is_caught_and_read_as_a_whole() {
    // One long quoted note full of line breaks in the middle of the file:
    // a split inside it finds a "record start" that is not one.
    let mut text = String::from("id,note,won\n");
    for i in 0..10_000 {
        text.push_str(&format!("{i},plain,yes\n"));
    }
    text.push_str("10000,\"");
    for i in 0..40 {
        text.push_str(&format!("{i},looks,like a row\n"));
    }
    text.push_str("\",no\n");
    for i in 10_001..14_000 {
        text.push_str(&format!("{i},plain,no\n"));
    }
    let bytes = text.into_bytes();
    let whole = load_bytes("parts.csv", &bytes, &LoadOptions::default()).unwrap();
    let inside = text_offset(&bytes, "20,looks") as u64;
    let (loaded, path) = load_in_parts("parts.csv", &bytes, &[0, inside], 64, 10);
    assert_eq!(
        path,
        Path::ReadOn,
        "the first part knows it ended inside quotes"
    );
    assert_same(&loaded, &whole, "split inside quotes, read on");
    // With a part before it, a part begun inside the quotes is caught
    // when the parts are joined.
    let before = text_offset(&bytes, "7000,plain") as u64;
    let (loaded, path) = load_in_parts("parts.csv", &bytes, &[0, before, inside], 64, 10);
    assert_eq!(path, Path::Whole);
    assert_same(&loaded, &whole, "split inside quotes");
    // Split after the note, the parts are joined.
    let after = text_offset(&bytes, "12000,plain") as u64;
    let (loaded, path) = load_in_parts("parts.csv", &bytes, &[0, after], 64, 10);
    assert_eq!(path, Path::Joined);
    assert_same(&loaded, &whole, "split after the quotes");
}

fn text_offset(bytes: &[u8], needle: &str) -> usize {
    bytes
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .expect("the needle is in the file")
}

#[test]
fn a_later_part_that_misleads_a_type_gets_the_whole_file_typing() {
    // The flag is yes/no in the first part and a number in the last one:
    // typed as a whole, it is not a yes/no column.
    let mut text = String::from("id,flag,won\n");
    for i in 0..20_000 {
        let flag = if i < 17_000 {
            ["yes", "no"][i % 2].to_owned()
        } else {
            format!("{i}")
        };
        text.push_str(&format!("{i},{flag},{}\n", ["yes", "no"][i % 3 % 2]));
    }
    let bytes = text.into_bytes();
    let whole = load_bytes("parts.csv", &bytes, &LoadOptions::default()).unwrap();
    let starts = nominal_starts(bytes.len() as u64, 3);
    let (loaded, path) = load_in_parts("parts.csv", &bytes, &starts, 100, 20);
    assert_eq!(path, Path::Whole);
    assert_same(&loaded, &whole, "misled in a later part");
}

/// A semicolon export whose `employees` are whole numbers, with the
/// value "a, b" where `unreadable` says. Whole numbers read in either
/// decimal style: typed from its first rows the column takes the point
/// style; typed as a whole, where it holds values that read in neither, it
/// takes the comma style the semicolons suggest. So the two typings differ,
/// and which one a load used shows.
fn employees_file(rows: usize, unreadable: impl Fn(usize) -> bool) -> Vec<u8> {
    let mut text = String::from("id;employees;note;won\n");
    for i in 0..rows {
        let employees = if unreadable(i) {
            "a, b".to_owned()
        } else {
            format!("{}", 10 + i * 7 % 5_000)
        };
        let note = "padding ".repeat(12);
        let won = ["yes", "no"][i % 3 % 2];
        text.push_str(&format!("{i};{employees};{note};{won}\n"));
    }
    text.into_bytes()
}

fn employees_decimal(loaded: &Loaded) -> Option<DecimalStyle> {
    let column = loaded.report.columns.iter().find(|c| c.name == "employees");
    column.and_then(|c| c.decimal)
}

#[test]
fn failures_too_many_only_counted_from_the_start_are_caught_at_the_join() {
    // One value in twenty unreadable: read from the start, the failures
    // pass one in twenty right after the thousandth value, and the column
    // is read again as a whole. No part alone holds a thousand values.
    let bytes = employees_file(2_500, |i| i % 20 == 10);
    let (one_pass, _) = load_in_parts("parts.csv", &bytes, &[0], 256, 10);
    assert_eq!(employees_decimal(&one_pass), Some(DecimalStyle::Comma));
    let starts = [
        0,
        text_offset(&bytes, "\n800;") as u64 + 1,
        text_offset(&bytes, "\n1600;") as u64 + 1,
    ];
    let (loaded, path) = load_in_parts("parts.csv", &bytes, &starts, 256, 10);
    assert_eq!(path, Path::Whole);
    assert_same(&loaded, &one_pass, "failures judged from the start");
}

#[test]
fn failures_many_in_a_part_but_not_from_the_start_are_joined() {
    // One value in sixteen unreadable, from the 4,000th row only: within
    // the last part they pass one in twenty, but counted from the start
    // they never do, and the column keeps its first rows' typing.
    let bytes = employees_file(6_000, |i| i >= 4_000 && i % 16 == 0);
    let (one_pass, _) = load_in_parts("parts.csv", &bytes, &[0], 256, 20);
    assert_eq!(employees_decimal(&one_pass), Some(DecimalStyle::Point));
    let starts = [0, text_offset(&bytes, "\n4000;") as u64 + 1];
    let (loaded, path) = load_in_parts("parts.csv", &bytes, &starts, 256, 20);
    assert_eq!(path, Path::Joined);
    assert_same(&loaded, &one_pass, "failures many in one part");
}

#[test]
fn categories_past_the_limit_across_parts_become_text_as_in_one_pass() {
    // 700 labels in each half: 1,400 in all, past the category limit only
    // when the parts are joined.
    let mut text = String::from("id,company,won\n");
    for i in 0..16_000 {
        let label = if i < 8_000 { i % 700 } else { 700 + i % 700 };
        text.push_str(&format!(
            "{i},Company {label},{}\n",
            ["yes", "no"][i % 3 % 2]
        ));
    }
    let bytes = text.into_bytes();
    let whole = load_bytes("parts.csv", &bytes, &LoadOptions::default()).unwrap();
    let (loaded, path) = load_in_parts(
        "parts.csv",
        &bytes,
        &nominal_starts(bytes.len() as u64, 2),
        4096,
        20,
    );
    assert_eq!(path, Path::Joined);
    assert_same(&loaded, &whole, "categories across parts");
    let company = loaded.dataset.column("company").expect("company");
    assert_eq!(company.kind(), leadlens::core::dataset::ColumnKind::Text);
}

/// A fixture with its data rows repeated to about 300 KB, so that it is
/// read in parts (the loader sniffs 64 KiB before it reads).
fn enlarged(name: &str) -> Vec<u8> {
    let bytes = fixture(name);
    // Lines before the data: the header, and a title line where there is one.
    let skip = if name == "title_line_padded.csv" {
        2
    } else {
        1
    };
    let ending: &[u8] = if bytes.contains(&b'\n') { b"\n" } else { b"\r" };
    let mut cut = 0;
    for _ in 0..skip {
        cut += bytes[cut..]
            .iter()
            .position(|&b| b == ending[0])
            .expect("a header line")
            + 1;
    }
    let (head, rows) = bytes.split_at(cut);
    let mut rows = rows.to_vec();
    if !rows.ends_with(ending) {
        rows.extend_from_slice(ending);
    }
    let mut out = head.to_vec();
    while out.len() < 300_000 {
        out.extend_from_slice(&rows);
    }
    out
}

#[test]
fn every_fixture_loads_the_same_in_parts() {
    let (mut joined, mut tried) = (0, 0);
    for name in [
        "hubspot_export.csv",
        "european_1252.csv",
        "tab_quoted_newlines.tsv",
        "us_dates.csv",
        "salesforce_leads.csv",
        "ragged.csv",
        "pipe_cr_only.csv",
        "title_line_padded.csv",
        "bank_telemarketing.csv",
        "car_insurance_calls.csv",
        "duplicate_headers.csv",
    ] {
        let bytes = enlarged(name);
        tried += 4;
        let whole = load_bytes(name, &bytes, &LoadOptions::default()).unwrap();
        for parts in 2..=3 {
            let starts = nominal_starts(bytes.len() as u64, parts);
            for chunk in [5, 333] {
                let (loaded, path) = load_in_parts(name, &bytes, &starts, chunk, 2);
                assert_same(
                    &loaded,
                    &whole,
                    &format!("{name} in {parts} parts, chunk {chunk}"),
                );
                if name == "pipe_cr_only.csv" {
                    assert_eq!(path, Path::Unsplit, "bare carriage returns are never split");
                } else {
                    joined += usize::from(path == Path::Joined);
                }
            }
        }
    }
    // The carriage-return file is never split; of the rest, most splits
    // are joined.
    assert!(
        joined * 2 > tried - 4,
        "{joined} of {tried} fixture loads were joined"
    );
}

/// The first worker's loader with the first `start` bytes of `bytes`
/// pushed, its types fixed from 20 rows.
fn first_part(bytes: &[u8], start: usize) -> Loader {
    let mut loader = Loader::new("parts.csv", bytes.len() as u64, &LoadOptions::default())
        .unwrap()
        .with_plan_rows(20);
    loader.push(&bytes[..start]).unwrap();
    loader
}

/// A generated file typed in two halves, as two workers type it: the
/// bytes, where the second half starts, the first worker's loader and the
/// second half as a part's head and buffers.
fn two_halves() -> (Vec<u8>, usize, Loader, String, Vec<Buffer>) {
    // Its first 20 rows fix types the rest keeps to, so that its halves
    // join.
    let bytes = generated(3_000, 2);
    let half = bytes.len() / 2;
    let start = part_start(half as u64, &bytes[half - 1..]).unwrap() as usize;
    let loader = first_part(&bytes, start);
    let mut part = PartLoader::new(&loader.plan().expect("planned"));
    part.push(&bytes[start..]);
    let (head, buffers) = part.finish().into_buffers();
    (bytes, start, loader, head, buffers)
}

#[test]
fn a_damaged_part_is_refused() {
    let (bytes, start, _, head, mut buffers) = two_halves();
    let whole = buffers.clone();
    buffers.pop();
    assert!(Part::from_buffers(&head, buffers).is_err());
    assert!(Part::from_buffers("{", Vec::new()).is_err());

    // A column of the wrong length, or one that cannot be taken, is
    // found when the join reaches it.
    let join = |buffers: Vec<LaterBuffer>| {
        let mut loader = first_part(&bytes, start);
        let part = Part::from_later_buffers(&head, buffers).expect("the head and the count fit");
        loader.finish_with(vec![part])
    };
    let later = |buffers: &[Buffer]| -> Vec<LaterBuffer> {
        buffers
            .iter()
            .cloned()
            .map(|b| Box::new(move || Some(b)) as LaterBuffer)
            .collect()
    };
    assert!(matches!(join(later(&whole)), Ok(Finish::Done(_))));
    let mut short = whole.clone();
    let last = short.len() - 1;
    short[last] = match &short[last] {
        Buffer::Bytes(v) => Buffer::Bytes(v[1..].to_vec()),
        Buffer::U32(v) => Buffer::U32(v[1..].to_vec()),
        Buffer::I64(v) => Buffer::I64(v[1..].to_vec()),
        Buffer::F64(v) => Buffer::F64(v[1..].to_vec()),
    };
    assert!(matches!(join(later(&short)), Err(LoadError::ReadFailed(_))));
    let mut lost = later(&whole);
    lost[last] = Box::new(|| None);
    assert!(matches!(join(lost), Err(LoadError::ReadFailed(_))));
    // A part sent on before its join gives its buffers as they came.
    let forwarded = Part::from_later_buffers(&head, later(&whole)).unwrap();
    let (again, buffers) = forwarded.into_buffers();
    assert_eq!(again, head);
    // Compared as written, where a missing number (NaN) equals itself.
    assert_eq!(format!("{buffers:?}"), format!("{whole:?}"));
    let mut lost = later(&whole);
    lost[last] = Box::new(|| None);
    let (again, fewer) = Part::from_later_buffers(&head, lost)
        .unwrap()
        .into_buffers();
    assert!(Part::from_buffers(&again, fewer).is_err());
}

#[test]
fn a_later_part_is_taken_in_a_column_at_a_time_when_the_join_reaches_it() {
    let (bytes, _, mut loader, head, buffers) = two_halves();
    let count = buffers.len();
    let taken = Rc::new(RefCell::new(Vec::new()));
    let later = buffers
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let taken = Rc::clone(&taken);
            Box::new(move || {
                taken.borrow_mut().push(i);
                Some(b)
            }) as LaterBuffer
        })
        .collect();
    let part = Part::from_later_buffers(&head, later).unwrap();
    assert_eq!(
        *taken.borrow(),
        [0],
        "only the line numbers are taken at once"
    );
    let Finish::Done(loaded) = loader.finish_with(vec![part]).unwrap() else {
        panic!("the parts join");
    };
    assert_eq!(
        *taken.borrow(),
        (0..count).collect::<Vec<_>>(),
        "each once, in order"
    );
    let whole = load_bytes("parts.csv", &bytes, &LoadOptions::default()).unwrap();
    assert_same(&loaded, &whole, "taken a column at a time");
}

#[test]
fn a_part_that_starts_with_a_byte_order_mark_keeps_it_as_the_whole_file_does() {
    // Exports pasted together can carry a second file's mark mid-file: a
    // part starting there must not drop it as the start of a file.
    let mut text = String::from("\u{feff}email,won\n");
    for i in 0..9_000 {
        text.push_str(&format!("p{i}@example.com,{}\n", ["yes", "no"][i % 2]));
    }
    let marked = text.len();
    for i in 0..9_000 {
        let mark = if i == 0 { "\u{feff}" } else { "" };
        text.push_str(&format!(
            "{mark}q{i}@example.com,{}\n",
            ["no", "yes"][i % 2]
        ));
    }
    let bytes = text.into_bytes();
    let whole = load_bytes("parts.csv", &bytes, &LoadOptions::default()).unwrap();
    let (loaded, path) = load_in_parts("parts.csv", &bytes, &[0, marked as u64], 4096, 20);
    assert_eq!(path, Path::Joined);
    assert_same(&loaded, &whole, "a part begun on a marked row");
    let email = loaded.dataset.column("email").expect("email");
    assert_eq!(email.text(9_000).as_deref(), Some("\u{feff}q0@example.com"));
}
