//! `csv`: bytes through `load_bytes` with varied options, then everything
//! the app computes from a loaded file: the summary, the roles, the
//! starting scenario, random criteria on the loaded columns replayed and
//! checked (see [`crate::replay_checks`]), both exports and the charts.
//! The same bytes also go through the reader in small chunks the way the
//! page feeds it, and in parts split at random points the way its workers
//! type them, each of which must give the same result as `load_bytes`; and
//! they are
//! read again as a later export of themselves: appended, every value is
//! there twice, and "now" must score exactly as "then".
//!
//! Every choice made for an input (options, chunk sizes, criteria) comes
//! from a hash of its bytes, so a finding's `.bin` alone replays it.

use fastrand::Rng;

use leadlens::core::criteria::Scenario;
use leadlens::core::dataset::{Column, ColumnKind, ColumnValues, Dataset};
use leadlens::core::engine::{Grouping, LeadFacts, Replay, ReplaySettings};
use leadlens::core::grid::Cell;
use leadlens::core::ingest::infer::{TypingOptions, DEFAULT_MISSING_MARKERS};
use leadlens::core::ingest::reader::{read_all, EncodingChoice, DELIMITERS};
use leadlens::core::ingest::roles::{default_converted_values, outcome_candidates, outcome_values};
use leadlens::core::ingest::values::DayOrder;
use leadlens::core::ingest::{
    load_bytes, part_start, Finish, LaterBuffer, LoadError, LoadOptions, Loaded, Loader, Part,
    PartLoader,
};
use leadlens::core::later::{
    append_later, later_options, then_and_now, LaterExportError, LeadsThenNow,
};
use leadlens::core::mapping::ColumnMapping;
use leadlens::core::patterns::{is_pattern_table, PatternData};
use leadlens::core::scored_csv::{ExportError, ScoredCsv, ADDED_COLUMNS};
use leadlens::core::scoring::evaluate_criteria;
use leadlens::core::split::CheckSet;
use leadlens::core::sql::{export_pattern_query, export_scenario};
use leadlens::core::starting::{fits, starting_scenario};
use leadlens::core::summary::summarise;

use crate::corpus::{files, Seed};
use crate::naive::{applicable, NaiveReplay};
use crate::replay_checks::{check_replays, check_round_trips, describe_scenarios, variant};
use crate::runner::{fnv64, Ctx};
use crate::targets::engine::random_scenario;

/// The largest input, but for the occasional wide record.
const MAX_CSV_BYTES: usize = 64 * 1024;
/// Cells in the header of a generated wide record.
const WIDE_CELLS: usize = 4_000;

pub fn seeds() -> Vec<Seed> {
    let mut seeds = files("fuzz/csv", &[]);
    seeds.extend(files("", &[".csv", ".tsv", ".xlsx"]));
    seeds
}

pub fn next_input(
    rng: &mut Rng,
    base: &[u8],
    other: &[u8],
    out: &mut Vec<u8>,
) -> Option<&'static str> {
    out.clear();
    if rng.u32(..1_500) == 0 {
        wide_record(rng, out);
        return Some("generated wide record");
    }
    out.extend_from_slice(base);
    crate::mutate::csv(rng, out, other, MAX_CSV_BYTES);
    None
}

/// A header of thousands of short cells (repeats included) and a couple of
/// rows as wide: work that grows faster than the input shows here.
fn wide_record(rng: &mut Rng, out: &mut Vec<u8>) {
    let cells = [
        "a",
        "Email",
        "email",
        "x",
        "",
        "Converted",
        "id",
        "n1",
        "B",
        "c d",
    ];
    let delimiter = [b',', b';', b'\t'][rng.usize(..3)];
    let distinct = rng.bool();
    for i in 0..WIDE_CELLS {
        if i > 0 {
            out.push(delimiter);
        }
        if distinct {
            out.extend_from_slice(format!("h{i}").as_bytes());
        } else {
            out.extend_from_slice(cells[rng.usize(..cells.len())].as_bytes());
        }
    }
    out.extend_from_slice(b",Converted\n");
    for _ in 0..rng.usize(1..=3) {
        for i in 0..=WIDE_CELLS {
            if i > 0 {
                out.push(delimiter);
            }
            out.push(b'0' + rng.u8(..2));
        }
        out.push(b'\n');
    }
}

/// Names that look like the header's, to aim typing options at.
fn header_names(input: &[u8]) -> Vec<String> {
    let end = input
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(input.len())
        .min(4_096);
    String::from_utf8_lossy(&input[..end])
        .split([',', ';', '\t', '|'])
        .map(|s| s.trim().trim_matches('"').to_owned())
        .filter(|s| !s.is_empty())
        .take(64)
        .collect()
}

fn random_options(rng: &mut Rng, input: &[u8]) -> LoadOptions {
    let encoding = match rng.u8(..10) {
        0 => EncodingChoice::Utf8,
        1 => EncodingChoice::Windows1252,
        _ => EncodingChoice::Auto,
    };
    let delimiter = if rng.u8(..10) < 3 {
        Some(DELIMITERS[rng.usize(..DELIMITERS.len())])
    } else {
        None
    };
    let mut typing = TypingOptions::default();
    if rng.u8(..4) == 0 {
        let extras = ["-", "0", "?", "n/a ", "NULL", "none", "", " "];
        let mut markers: Vec<String> = DEFAULT_MISSING_MARKERS
            .iter()
            .filter(|_| rng.u8(..3) != 0)
            .map(|m| m.to_string())
            .collect();
        for _ in 0..rng.usize(0..=2) {
            markers.push(extras[rng.usize(..extras.len())].to_owned());
        }
        typing.missing_markers = markers;
        let names = header_names(input);
        for _ in 0..rng.usize(0..=2) {
            if names.is_empty() {
                break;
            }
            let name = names[rng.usize(..names.len())].clone();
            if rng.bool() {
                typing
                    .kinds
                    .insert(name, ColumnKind::ALL[rng.usize(..ColumnKind::ALL.len())]);
            } else {
                let order = if rng.bool() {
                    DayOrder::DayFirst
                } else {
                    DayOrder::MonthFirst
                };
                typing.day_orders.insert(name, order);
            }
        }
    }
    // The header is mostly detected; sometimes the user puts it lower.
    let header_record = (rng.u8(..10) == 0).then(|| rng.usize(..4));
    LoadOptions {
        encoding,
        delimiter,
        header_record,
        typing,
    }
}

/// Loads `bytes` the way the page does, through the one [`Loader`], in
/// slices of `next_size` bytes, stopping a pass early when the loader
/// wants the file again.
fn load_chunked(
    name: &str,
    bytes: &[u8],
    options: &LoadOptions,
    mut next_size: impl FnMut() -> usize,
) -> Result<Loaded, LoadError> {
    let mut loader = Loader::new(name, bytes.len() as u64, options)?;
    load_alone(&mut loader, bytes, &mut next_size)
}

/// Pushes `bytes` to `loader` in slices of `next_size` bytes while it
/// wants them.
fn push_while_wanted(
    loader: &mut Loader,
    bytes: &[u8],
    next_size: &mut impl FnMut() -> usize,
) -> Result<(), LoadError> {
    let mut offset = 0;
    while offset < bytes.len() && loader.wants_more() {
        let n = next_size().clamp(1, bytes.len() - offset);
        loader.push(&bytes[offset..offset + n])?;
        offset += n;
    }
    Ok(())
}

/// Reads the whole file with `loader` alone, again while a type misled.
fn load_alone(
    loader: &mut Loader,
    bytes: &[u8],
    next_size: &mut impl FnMut() -> usize,
) -> Result<Loaded, LoadError> {
    loop {
        push_while_wanted(loader, bytes, next_size)?;
        if let Finish::Done(loaded) = loader.finish()? {
            return Ok(loaded);
        }
    }
}

/// Loads `bytes` the way the page's workers do where there are several:
/// the first part with the plan its first `plan_rows` rows make, the
/// others split at random points and typed from that plan, each
/// handed over as flat buffers and taken in a column at a time; where the
/// parts cannot stand for the file (no plan, a first part ending inside a
/// record, a type misled), it is read again as a whole, as the first
/// worker does.
fn load_split(
    name: &str,
    bytes: &[u8],
    options: &LoadOptions,
    plan_rows: usize,
    rng: &mut Rng,
) -> Result<Loaded, LoadError> {
    let size = bytes.len();
    let mut starts: Vec<usize> = (1..rng.usize(2..=4))
        .map(|_| rng.usize(1..size.max(2)))
        .collect();
    starts.sort_unstable();
    let mut real = vec![0];
    real.extend(starts.iter().map(|&at| {
        part_start(at as u64, &bytes[(at - 1).min(size)..]).map_or(size, |s| s as usize)
    }));
    real.push(size);
    let chunk = rng.usize(1..=4_096);
    let mut sized = || chunk;
    let mut loader = Loader::new(name, size as u64, options)?.with_plan_rows(plan_rows);
    push_while_wanted(&mut loader, &bytes[..real[1]], &mut sized)?;
    match loader.plan() {
        Some(plan) if loader.wants_more() && !loader.mid_record() => {
            let mut parts = Vec::new();
            for window in real[1..].windows(2) {
                let (from, to) = (window[0], window[1].max(window[0]));
                let mut part = PartLoader::new(&plan);
                part.expect_bytes((to - from) as u64);
                for piece in bytes[from..to].chunks(chunk) {
                    if !part.wants_more() {
                        break;
                    }
                    part.push(piece);
                }
                let (head, buffers) = part.finish().into_buffers();
                let later = buffers
                    .into_iter()
                    .map(|b| Box::new(move || Some(b)) as LaterBuffer)
                    .collect();
                parts.push(Part::from_later_buffers(&head, later)?);
            }
            match loader.finish_with(parts)? {
                Finish::Done(loaded) => Ok(loaded),
                Finish::ReadAgain => load_alone(&mut loader, bytes, &mut sized),
            }
        }
        _ => {
            push_while_wanted(&mut loader, &bytes[real[1]..], &mut sized)?;
            match loader.finish()? {
                Finish::Done(loaded) => Ok(loaded),
                Finish::ReadAgain => load_alone(&mut loader, bytes, &mut sized),
            }
        }
    }
}

/// The loader reads 64 KiB before it starts typing, and an input is at
/// most that long: its rows after the first line are repeated until the
/// file is past it, so that it can be split.
fn enlarged(input: &[u8]) -> Option<Vec<u8>> {
    let first = input.iter().position(|&b| b == b'\n')? + 1;
    let rows = &input[first..];
    if rows.is_empty() {
        return None;
    }
    let mut out = input.to_vec();
    while out.len() < 160 * 1024 {
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.extend_from_slice(rows);
    }
    Some(out)
}

/// Types the input, enlarged, in parts at random points, and checks it
/// gives what one pass gives. The page fixes types from 10,000 rows; here
/// they are fixed from a few, on both paths, so that a plan is made before
/// the first part ends (a type fixed that early may differ from what
/// `load_bytes` decides, which is why the reference is a pass of its own).
fn check_split(ctx: &mut Ctx, name: &str, input: &[u8], options: &LoadOptions) {
    let Some(bytes) = enlarged(input) else {
        return;
    };
    let mut rng = Rng::with_seed(fnv64(input).rotate_left(17));
    let plan_rows = rng.usize(1..=40);
    let one_pass = ctx.call("load in one pass, types from the first rows", || {
        let mut loader = Loader::new(name, bytes.len() as u64, options)?.with_plan_rows(plan_rows);
        load_alone(&mut loader, &bytes, &mut || 64 * 1024)
    });
    let split = ctx.call("load in parts (the workers' path)", || {
        load_split(name, &bytes, options, plan_rows, &mut rng)
    });
    if let (Some(one_pass), Some(split)) = (one_pass, split) {
        compare_loads(
            ctx,
            (
                "load in parts (workers)",
                "one pass with as many first rows",
            ),
            &one_pass,
            &split,
        );
    }
}

/// Chunk sizes for one input: single bytes, small or larger random slices,
/// or one size throughout.
fn chunk_sizes(rng: &mut Rng, len: usize) -> impl FnMut() -> usize {
    let mode = rng.u8(..5);
    let fixed = 1usize << rng.u32(0..12);
    let mut rng = rng.fork();
    move || match mode {
        0 if len <= 4_096 => 1,
        0 => rng.usize(1..=8),
        1 => rng.usize(1..=16),
        2 => rng.usize(1..=1_024),
        3 => fixed,
        _ => rng.usize(1..=len.max(1)),
    }
}

fn same_column(a: &Column, b: &Column) -> bool {
    if a.name != b.name || a.kind() != b.kind() || a.len() != b.len() {
        return false;
    }
    match (&a.values, &b.values) {
        (ColumnValues::Number(x), ColumnValues::Number(y)) => x
            .iter()
            .zip(y)
            .all(|(p, q)| p == q || (p.is_nan() && q.is_nan())),
        (ColumnValues::Boolean(x), ColumnValues::Boolean(y)) => x == y,
        (ColumnValues::Date(x), ColumnValues::Date(y)) => x == y,
        _ => (0..a.len()).all(|r| a.text(r) == b.text(r)),
    }
}

fn same_dataset(a: &Dataset, b: &Dataset) -> bool {
    a.name() == b.name()
        && a.row_count() == b.row_count()
        && a.columns().len() == b.columns().len()
        && a.columns()
            .iter()
            .zip(b.columns())
            .all(|(x, y)| same_column(x, y))
}

/// Where two printed values first differ, with some text around it on
/// both sides (a report printed whole can be too long to read).
fn first_difference(a: &str, b: &str) -> String {
    let at = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    let window = |s: &str| {
        let from = s.floor_char_boundary(at.saturating_sub(200));
        let to = s.ceil_char_boundary((at + 200).min(s.len()));
        format!("…{}…", &s[from..to])
    };
    format!(
        "first difference at character {at}:\n  {}\n  {}",
        window(a),
        window(b)
    )
}

/// Checks that `chunked`, the load of the same bytes another way (`how`),
/// gives what `whole` (the load by way of `against`) gave.
fn compare_loads(
    ctx: &mut Ctx,
    (how, against): (&str, &str),
    whole: &Result<Loaded, LoadError>,
    chunked: &Result<Loaded, LoadError>,
) {
    ctx.stage("load comparison");
    match (whole, chunked) {
        (Err(a), Err(b)) if a == b => {}
        (Ok(a), Ok(b)) => {
            if a.report != b.report {
                ctx.mismatch(
                    &format!("{how} gives another report than {against}"),
                    || {
                        let (a, b) = (format!("{:?}", a.report), format!("{:?}", b.report));
                        format!("{}\n{against} {a}\n{how} {b}", first_difference(&a, &b))
                    },
                );
            } else if !same_dataset(&a.dataset, &b.dataset) {
                ctx.mismatch(
                    &format!("{how} gives another data set than {against}"),
                    || format!("{against} {:?}\n{how} {:?}", a.dataset, b.dataset),
                );
            } else if a.suggested != b.suggested {
                ctx.mismatch(
                    &format!("{how} suggests another mapping than {against}"),
                    || format!("{against} {:?}\n{how} {:?}", a.suggested, b.suggested),
                );
            }
        }
        _ => ctx.mismatch(
            &format!("{how} and {against} disagree on accepting the file"),
            || {
                format!(
                    "{against} {:?}\n{how} {:?}",
                    whole.as_ref().map(|l| &l.report),
                    chunked.as_ref().map(|l| &l.report)
                )
            },
        ),
    }
}

/// A mapping for replaying: the suggested one, or now and then one with
/// roles moved about (the mapping step lets the user choose any column).
fn mapping_for(
    rng: &mut Rng,
    data: &Dataset,
    suggested: &ColumnMapping,
    candidates: &[String],
) -> ColumnMapping {
    let mut mapping = suggested.clone();
    let names: Vec<String> = data.columns().iter().map(|c| c.name.clone()).collect();
    let any = |rng: &mut Rng| -> Option<String> {
        (rng.u8(..3) != 0 && !names.is_empty()).then(|| names[rng.usize(..names.len())].clone())
    };
    if rng.u8(..3) == 0 {
        mapping.followed_up = any(rng);
        mapping.response_hours = any(rng);
        mapping.first_touch = any(rng);
        mapping.created = any(rng);
        mapping.deal_value = any(rng);
        mapping.owner = any(rng);
    }
    if mapping.outcome.is_none() || (rng.u8(..4) == 0 && !candidates.is_empty()) {
        mapping.outcome = candidates
            .get(rng.usize(..candidates.len().max(1)))
            .cloned();
        mapping.converted_values.clear();
    }
    if rng.u8(..4) == 0 {
        if let Some(outcome) = &mapping.outcome {
            let values = outcome_values(data, outcome);
            mapping.converted_values = values.into_iter().filter(|_| rng.bool()).collect();
        }
    }
    mapping
}

pub fn run(input: &[u8], ctx: &mut Ctx) -> bool {
    let mut rng = Rng::with_seed(fnv64(input));
    let options = random_options(&mut rng, input);
    let name = "leads.csv";
    let Some(whole) = ctx.call("load_bytes", || load_bytes(name, input, &options)) else {
        return false;
    };
    let sizes = chunk_sizes(&mut rng, input.len());
    if let Some(chunked) = ctx.call("load in chunks (UI path)", || {
        load_chunked(name, input, &options, sizes)
    }) {
        compare_loads(ctx, ("chunked (UI) load", "load_bytes"), &whole, &chunked);
    }
    // One input in four is also typed in parts, as the page's workers
    // type a large file.
    if fnv64(input) % 4 == 0 {
        check_split(ctx, name, input, &options);
    }
    let Ok(loaded) = whole else {
        return false;
    };
    let data = &loaded.dataset;
    if let Some(summaries) = ctx.call("summarise", || summarise(data)) {
        ctx.stage("summary checks");
        let fine = summaries.len() == data.columns().len()
            && summaries.iter().zip(data.columns()).all(|(s, c)| {
                s.name == c.name && s.kind == c.kind() && s.missing == c.missing_count()
            });
        if !fine {
            ctx.mismatch("column summary vs the columns", || format!("{summaries:?}"));
        }
    }
    let Some(candidates) = ctx.call("outcome_candidates", || outcome_candidates(data)) else {
        return true;
    };
    ctx.stage("roles checks");
    if let Some(outcome) = &loaded.suggested.outcome {
        if !candidates.contains(outcome) {
            ctx.mismatch("the suggested outcome is not an outcome candidate", || {
                format!("suggested {outcome:?}, candidates {candidates:?}")
            });
        }
    }
    for candidate in candidates.iter().take(3) {
        ctx.call("outcome_values", || outcome_values(data, candidate));
        ctx.call("default_converted_values", || {
            default_converted_values(data, candidate)
        });
    }
    let Some(mapping) = ctx.call("choose a mapping (outcome_values)", || {
        mapping_for(&mut rng, data, &loaded.suggested, &candidates)
    }) else {
        return true;
    };
    let outcomes = ctx
        .call("ColumnMapping::outcomes", || mapping.outcomes(data))
        .and_then(Result::ok);
    let mut scenarios: Vec<Scenario> = Vec::new();
    if let Some(outcomes) = &outcomes {
        if let Some(start) = ctx.call("starting_scenario", || {
            starting_scenario(data, &mapping, outcomes, "Starting point")
        }) {
            if !start.criteria.is_empty() && ctx.call("fits", || fits(&start, data)) == Some(false)
            {
                ctx.mismatch(
                    "the starting scenario does not fit the data it was made from",
                    || format!("{start:?}"),
                );
            }
            check_round_trips(ctx, "starting scenario", &mapping, &start);
            scenarios.push(start);
        }
    }
    let extremes = rng.u8(..5) == 0;
    for label in ["Marketing view", "Sales view"]
        .iter()
        .take(rng.usize(1..=2))
    {
        let scenario = random_scenario(&mut rng, data, label, extremes);
        check_round_trips(ctx, "random scenario", &mapping, &scenario);
        scenarios.insert(0, scenario);
    }
    let settings = ReplaySettings {
        reps: rng.u32(1..=12),
    };
    let draw = rng.u8(..3) == 0;
    check_replays(ctx, &mut rng, data, &mapping, &scenarios, &settings, draw);
    let scenario = &scenarios[rng.usize(..scenarios.len())];
    check_scored_export(ctx, &mut rng, input, &loaded, scenario);
    check_later_export(ctx, input, &options, &loaded, &mapping, scenario);
    check_sql_export(ctx, data, &options.typing.missing_markers, scenario);
    check_pattern_query(
        ctx,
        data,
        &mapping,
        &scenarios,
        &options.typing.missing_markers,
    );
    if is_pattern_table(data) {
        check_pattern_table(ctx, &mut rng, data, &settings);
    }
    ctx.annotate(|| {
        let mut text = format!("options {options:?}\nmapping {mapping:?}\n");
        text.push_str(&describe_scenarios(&scenarios));
        text
    });
    true
}

/// The same bytes as a later export of themselves: read with the first
/// load's typing (and its encoding, delimiter and header, which a later
/// file otherwise sniffs for itself), appended, then replayed with the
/// copy as the check set. Every value must be there twice, no column
/// turned to text, and the copy's figures must equal the original's, with
/// a population stability index of exactly 0.
fn check_later_export(
    ctx: &mut Ctx,
    input: &[u8],
    options: &LoadOptions,
    loaded: &Loaded,
    mapping: &ColumnMapping,
    scenario: &Scenario,
) {
    let data = &loaded.dataset;
    let later_options = LoadOptions {
        encoding: options.encoding,
        delimiter: options.delimiter,
        header_record: options.header_record,
        ..later_options(options, data, Some(&loaded.report))
    };
    let Some(Ok(again)) = ctx.call("load_bytes (a later export)", || {
        load_bytes("later.csv", input, &later_options)
    }) else {
        ctx.mismatch("the same bytes do not load as a later export", || {
            format!("{later_options:?}")
        });
        return;
    };
    let Some(appended) = ctx.call("append_later", || append_later(data, &again.dataset)) else {
        return;
    };
    let (both, export) = match appended {
        Ok(appended) => appended,
        Err(LaterExportError::NoLeads) if data.row_count() == 0 => return,
        Err(error) => {
            ctx.mismatch("a file is refused as a later export of itself", || {
                error.to_string()
            });
            return;
        }
    };
    ctx.stage("later export checks");
    let rows = data.row_count();
    let doubled = both.row_count() == 2 * rows
        && export.first_row == rows
        && export.as_text.is_empty()
        && export.ignored.is_empty()
        && data.columns().iter().all(|column| {
            let twice = both.column(&column.name).expect("every column is kept");
            twice.kind() == column.kind()
                && (0..rows).all(|r| {
                    twice.text(r) == column.text(r) && twice.text(rows + r) == column.text(r)
                })
        });
    if !doubled {
        ctx.mismatch(
            "appended to itself, a file's values are not there twice",
            || format!("{export:?}"),
        );
        return;
    }
    let Some(Ok(facts)) = ctx.call("LeadFacts::new (with a later export)", || {
        LeadFacts::new(&both, mapping)
    }) else {
        return;
    };
    let judged = facts.clone().with_later(rows);
    if let Some(check) = judged.check.rows() {
        if check.count_ones(..) != rows || check.ones().any(|r| r < rows) {
            ctx.mismatch("the later export's leads are not the check set", || {
                format!("{} of {rows}", check.count_ones(..))
            });
            return;
        }
    }
    // However few the leads, the copy is the check set here.
    let mut copy = fixedbitset::FixedBitSet::with_capacity(2 * rows);
    copy.insert_range(rows..2 * rows);
    let facts = LeadFacts {
        check: CheckSet::Kept(copy),
        ..facts
    };
    let evaluations = evaluate_criteria(&both, &scenario.criteria);
    let grouping = Grouping::new(scenario, &evaluations, &facts);
    let settings = ReplaySettings::default();
    let Some(tuning) = ctx.call("Replay::run (then)", || {
        Replay::run(scenario, &grouping, &facts, &settings)
    }) else {
        return;
    };
    let Some(Some(now)) = ctx.call("Replay::check_of (now)", || {
        tuning.check_of(scenario, &grouping, &facts, &settings)
    }) else {
        return;
    };
    let leads = LeadsThenNow::new(&grouping, &facts, None, None);
    let Some(compared) = ctx.call("then_and_now", || then_and_now(&tuning, &now, &leads)) else {
        return;
    };
    let same_auc = match (tuning.figures.auc, now.figures.auc) {
        (Some(a), Some(b)) => a == b,
        (a, b) => a.is_none() && b.is_none(),
    };
    if tuning.figures.sales_ready != now.figures.sales_ready
        || tuning.figures.rest != now.figures.rest
        || !same_auc
        || tuning.by_score != now.by_score
        || compared.stability != Some(0.0)
        || compared.evidence.iter().any(|(then, now)| then != now)
    {
        ctx.mismatch(
            "a copy of the leads as the later export scores otherwise",
            || {
                format!(
                    "then {:?}\nnow {:?}\nstability {:?}",
                    tuning.figures, now.figures, compared.stability
                )
            },
        );
    }
}

/// The scored-leads export of the same bytes, in slices and whole: it must
/// accept the file it was loaded from, write one row per lead, and score
/// them as the naive scorer does.
fn check_scored_export(
    ctx: &mut Ctx,
    rng: &mut Rng,
    input: &[u8],
    loaded: &Loaded,
    scenario: &Scenario,
) {
    let data = &loaded.dataset;
    let report = &loaded.report;
    let Some(evaluations) = ctx.call("evaluate_criteria", || {
        evaluate_criteria(data, &scenario.criteria)
    }) else {
        return;
    };
    let export = |ctx: &mut Ctx, sizes: &mut dyn FnMut() -> usize| {
        ctx.call("scored CSV export", || -> Result<_, ExportError> {
            let mut export = ScoredCsv::new(report, scenario, &evaluations)?;
            let mut out = Vec::new();
            let mut offset = 0;
            while offset < input.len() {
                let n = sizes().clamp(1, input.len() - offset);
                export.push(&input[offset..offset + n], &mut out)?;
                offset += n;
            }
            let summary = export.finish(&mut out)?;
            Ok((summary, out))
        })
    };
    let mut sliced = chunk_sizes(rng, input.len());
    let Some(first) = export(ctx, &mut sliced) else {
        return;
    };
    let (summary, out) = match first {
        Ok(done) => done,
        Err(e) => {
            ctx.mismatch(
                &format!(
                    "scored CSV export refuses the file it was loaded from ({})",
                    variant(&e)
                ),
                || format!("{e:?}\nreport {report:?}"),
            );
            return;
        }
    };
    let len = input.len();
    let Some(Ok((_, whole))) = export(ctx, &mut || len) else {
        return;
    };
    ctx.stage("scored CSV checks");
    if whole != out {
        ctx.mismatch(
            "scored CSV export depends on how the file is sliced",
            String::new,
        );
    }
    if summary.rows != report.rows
        || summary.skipped_rows != report.skipped_count
        || summary.blank_lines != report.blank_lines
        || summary.trailing_empty_fields != report.trailing_empty_fields
    {
        ctx.mismatch("scored CSV export summary vs the load report", || {
            format!("summary {summary:?}\nreport {report:?}")
        });
    }
    let Some(table) = ctx.call("read the scored CSV back", || {
        read_all(&out, EncodingChoice::Auto, Some(report.delimiter))
    }) else {
        return;
    };
    ctx.stage("scored CSV checks");
    let Ok(table) = table else {
        ctx.mismatch("the scored CSV does not read back", || {
            String::from_utf8_lossy(&out[..out.len().min(2_000)]).into_owned()
        });
        return;
    };
    let columns = table.columns.len();
    if table.row_count() != data.row_count() || columns < ADDED_COLUMNS.len() {
        ctx.mismatch(
            "the scored CSV does not read back with one row per lead",
            || {
                format!(
                    "{} rows read back for {} leads; {columns} columns",
                    table.row_count(),
                    data.row_count()
                )
            },
        );
        return;
    }
    let naive = NaiveReplay::new(data, scenario);
    // The added columns come last, in their order.
    let added = columns - ADDED_COLUMNS.len();
    let (scores, ready, grades) = (
        &table.columns[added],
        &table.columns[added + 1],
        &table.columns[added + 2],
    );
    for row in 0..data.row_count() {
        let written = scores.get(row).and_then(|s| s.trim().parse::<i64>().ok());
        if written != Some(i64::from(naive.scores[row])) {
            ctx.mismatch("scored CSV score column vs naive scorer", || {
                format!(
                    "row {row}: written {:?}, naive {}",
                    scores.get(row),
                    naive.scores[row]
                )
            });
            break;
        }
        if grades.get(row).and_then(Cell::parse).is_none() {
            ctx.mismatch("scored CSV grade column is not a grid cell", || {
                format!("row {row}: grade {:?}", grades.get(row))
            });
            break;
        }
        let says = ready.get(row).map(str::trim);
        let expected = written.map(|s| {
            if s >= i64::from(scenario.threshold) {
                "yes"
            } else {
                "no"
            }
        });
        if says != expected {
            ctx.mismatch("scored CSV sales_ready column vs its score column", || {
                format!(
                    "row {row}: sales_ready {says:?}, score {written:?}, threshold {}",
                    scenario.threshold
                )
            });
            break;
        }
    }
}

/// The SQL export: it leaves out exactly the enabled criteria whose rule
/// cannot apply to the data.
fn check_sql_export(ctx: &mut Ctx, data: &Dataset, markers: &[String], scenario: &Scenario) {
    let Some(sql) = ctx.call("sql::export_scenario", || {
        export_scenario(scenario, data, markers, "leads")
    }) else {
        return;
    };
    ctx.stage("SQL checks");
    if !sql.statement.ends_with(";\n") || sql.expression.is_empty() {
        ctx.mismatch("the SQL export is not a whole statement", || {
            sql.statement.clone()
        });
    }
    let expected: Vec<String> = scenario
        .criteria
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.enabled
                && !data
                    .column(&c.rule.column)
                    .is_some_and(|col| applicable(&c.rule.test, col.kind()))
        })
        .map(|(i, c)| {
            if c.label.trim().is_empty() {
                format!("criterion {}", i + 1)
            } else {
                c.label.clone()
            }
        })
        .collect();
    let skipped: Vec<String> = sql.skipped.iter().map(|s| s.label.clone()).collect();
    if skipped != expected {
        ctx.mismatch(
            "the SQL export leaves out other criteria than those that cannot apply",
            || format!("skipped {skipped:?}\nexpected {expected:?}"),
        );
    }
}

/// The pattern query for the scenarios on this data: a whole statement
/// with one column per distinct rule that applies, and its comment closed.
fn check_pattern_query(
    ctx: &mut Ctx,
    data: &Dataset,
    mapping: &ColumnMapping,
    scenarios: &[Scenario],
    markers: &[String],
) {
    let split = leadlens::core::split::CheckSplit::default();
    let Some(query) = ctx.call("sql::export_pattern_query", || {
        export_pattern_query(scenarios, data, mapping, &split, markers, "leads")
    }) else {
        return;
    };
    ctx.stage("pattern query checks");
    let Ok(query) = query else { return };
    let statement = &query.statement;
    let whole = statement.starts_with("/*\n")
        && statement.matches("*/").count() >= 1
        && statement.ends_with(";\n")
        && statement.contains("COUNT(*) AS \"ll_leads\"");
    if !whole
        || statement.matches("\"ll_rule_").count() + statement.matches("\"ll_units_").count()
            < query.rules
    {
        ctx.mismatch("the pattern query is not a whole statement", || {
            statement.clone()
        });
    }
}

/// A file that reads as a pattern table: read into weighted rows without
/// a panic, its leads adding up, and replayed with random criteria.
fn check_pattern_table(ctx: &mut Ctx, rng: &mut Rng, data: &Dataset, settings: &ReplaySettings) {
    let Some(Ok(patterns)) = ctx.call("PatternData::read", || PatternData::read(data)) else {
        return;
    };
    ctx.stage("pattern table checks");
    let facts = patterns.facts(&leadlens::core::split::CheckSplit::default());
    if facts.leads() != patterns.leads || facts.converted() != patterns.converted {
        ctx.mismatch("a pattern table's facts count other leads", || {
            format!(
                "{} / {} against {} / {}",
                facts.leads(),
                facts.converted(),
                patterns.leads,
                patterns.converted
            )
        });
    }
    let scenario = random_scenario(rng, data, "On patterns", false);
    ctx.call("replay a pattern table", || {
        let grouping = leadlens::core::engine::GroupingCache::default().grouping_with(
            &|rule| patterns.evaluate(rule),
            &facts,
            &scenario,
        );
        let replay = Replay::run(&scenario, &grouping, &facts, settings);
        let scores: Vec<i32> = grouping
            .lead_pattern()
            .iter()
            .map(|&p| replay.pattern_scores[p as usize])
            .collect();
        leadlens::core::followup::FollowUpAnalysis::compute(
            &patterns.follow_up_facts(),
            &facts.outcomes,
            &scores,
            scenario.threshold,
            30,
            facts.deal_values.as_deref(),
        );
        replay.figures.leads
    });
}
