//! The worker process: threads that make and run inputs for one target, a
//! watchdog for hangs, the quiet panic hook, and the findings they write.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::cli::Args;
use crate::corpus::{escape_bytes, Seed};
use crate::targets::Target;

/// Inputs a worker keeps (those the target accepted) to mutate further.
const POOL_SIZE: usize = 512;
/// Std-located panics whose caller is looked up from a backtrace, per
/// location; beyond this they are only counted.
const BACKTRACES_PER_LOCATION: u32 = 200;
/// The most text of a mismatch's details kept in its `.txt`.
const MAX_DETAILS: usize = 24_000;

// ---------------------------------------------------------------- workers

/// What the watchdog and the reports can see of one worker.
pub struct Slot {
    worker: usize,
    /// Milliseconds since the start (plus one) at which the current input
    /// started; 0 while idle.
    started_ms: AtomicU64,
    stage: Mutex<&'static str>,
    input: Mutex<Vec<u8>>,
    base: Mutex<String>,
    number: AtomicU64,
    worker_seed: u64,
}

#[derive(Default)]
pub struct Stats {
    inputs: AtomicU64,
    panics: AtomicU64,
    hangs: AtomicU64,
    mismatches: AtomicU64,
}

/// State shared by the worker threads of the process.
pub struct Shared {
    target: Target,
    dir: PathBuf,
    /// Print findings instead of writing them (`--replay`).
    replay: bool,
    seed: u64,
    stats: Stats,
    slots: Vec<Arc<Slot>>,
    seen: Mutex<HashSet<String>>,
    backtraces: Mutex<HashMap<String, u32>>,
    /// Stages an earlier worker of this run ended in (an oversized
    /// allocation): not run again, so the rest can be fuzzed.
    skip_stages: Vec<String>,
    /// Corpus entries and generators an earlier worker hung or died on.
    dropped: Vec<String>,
    out: Mutex<()>,
    exiting: AtomicBool,
    start: Instant,
}

static SHARED: OnceLock<Arc<Shared>> = OnceLock::new();

thread_local! {
    /// Index of this thread's slot, or `usize::MAX` off the workers.
    static WORKER: Cell<usize> = const { Cell::new(usize::MAX) };
    static LAST_PANIC: RefCell<Option<PanicRecord>> = const { RefCell::new(None) };
}

impl Shared {
    fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64 + 1
    }

    fn say(&self, line: &str) {
        if self.replay {
            return;
        }
        let _lock = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    fn stats_line(&self) -> String {
        let s = &self.stats;
        format!(
            "@stats {} {} {} {}",
            s.inputs.load(Ordering::Relaxed),
            s.panics.load(Ordering::Relaxed),
            s.hangs.load(Ordering::Relaxed),
            s.mismatches.load(Ordering::Relaxed)
        )
    }

    /// Records a finding under `key` unless this process met it before;
    /// returns the `.txt` written, if any.
    fn record(&self, slot: &Slot, text: FindingText, input: &[u8]) -> Option<PathBuf> {
        {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            if !seen.insert(text.key.clone()) {
                return None;
            }
        }
        let stem = if text.key.starts_with("HANG") {
            format!("hang-{}", finding_stem(self.target, &text.key))
        } else {
            finding_stem(self.target, &text.key)
        };
        let stem = free_stem(&self.dir, stem, input);
        let mut text = text;
        text.origin = format!(
            "run seed {}, worker {} (stream {}), input #{} from corpus entry '{}'",
            self.seed,
            slot.worker,
            slot.worker_seed,
            slot.number.load(Ordering::Relaxed),
            slot.base.lock().unwrap_or_else(|e| e.into_inner())
        );
        text.replay = format!(
            "cargo test --locked --profile fuzz --test fuzz -- --target {} --replay target/fuzz-findings/{stem}.bin",
            self.target.name()
        );
        if self.replay {
            let _lock = self.out.lock().unwrap_or_else(|e| e.into_inner());
            println!("{}\n", text.render(input));
            return None;
        }
        let new = write_finding(&self.dir, &stem, Some(input), &text);
        self.say(&format!(
            "@finding {} {stem}\t{}\t{}",
            if new { "new" } else { "known" },
            text.stage,
            text.key
        ));
        new.then(|| self.dir.join(format!("{stem}.txt")))
    }

    /// Writes the finding of a worker that cannot go on, then ends the
    /// process; the supervisor starts a fresh one.
    fn fatal(&self, slot: &Slot, kind: &str, key: String, message: String) -> ! {
        if self.exiting.swap(true, Ordering::SeqCst) {
            // Another thread is already ending the process.
            loop {
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        let input = slot.input.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let stage = *slot.stage.lock().unwrap_or_else(|e| e.into_inner());
        let base = slot.base.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match kind {
            "hang" => self.stats.hangs.fetch_add(1, Ordering::Relaxed),
            _ => self.stats.panics.fetch_add(1, Ordering::Relaxed),
        };
        let text = FindingText {
            key,
            target: self.target,
            stage: stage.to_owned(),
            message,
            ..FindingText::default()
        };
        self.record(slot, text, &input);
        self.say(&self.stats_line());
        self.say(&format!("@fatal {kind} {stage}\t{base}"));
        if self.replay {
            let _lock = self.out.lock().unwrap_or_else(|e| e.into_inner());
            println!("replay: the input ended the process ({kind})");
        }
        let _ = std::io::stdout().flush();
        std::process::exit(3);
    }
}

/// The file name (without extension) of the finding `key` of `target`.
pub fn finding_stem(target: Target, key: &str) -> String {
    format!("{}-{:016x}", target.name(), fnv64(key.as_bytes()))
}

/// FNV-1a, 64 bits.
pub fn fnv64(bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

// ---------------------------------------------------------------- findings

/// What a finding's `.txt` says.
#[derive(Debug, Clone, Default)]
pub struct FindingText {
    pub key: String,
    pub target: Target,
    pub stage: String,
    pub message: String,
    pub frames: Vec<String>,
    pub details: String,
    pub origin: String,
    pub replay: String,
}

impl FindingText {
    fn render(&self, input: &[u8]) -> String {
        let mut t = String::new();
        t.push_str(&format!("key: {}\n\n", self.key));
        t.push_str(&format!(
            "target: {}\nstage: {}\n",
            self.target.name(),
            self.stage
        ));
        if !self.message.is_empty() {
            t.push_str(&format!("what: {}\n", self.message));
        }
        if !self.frames.is_empty() {
            t.push_str("crate frames (innermost first):\n");
            for f in &self.frames {
                t.push_str(&format!("  {f}\n"));
            }
        }
        if !self.origin.is_empty() {
            t.push_str(&format!("\nfound by: {}\n", self.origin));
        }
        if !self.replay.is_empty() {
            t.push_str(&format!("replay: {}\n", self.replay));
        }
        if !self.details.is_empty() {
            t.push_str("\ndetails:\n");
            t.push_str(truncate(&self.details, MAX_DETAILS));
            t.push('\n');
        }
        t.push_str(&format!(
            "\ninput ({} bytes, escaped): {}\n",
            input.len(),
            truncate(&escape_bytes(input), 2_000)
        ));
        t
    }
}

fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `stem`, or where a finding of another input holds it already (one of
/// an earlier run), `stem` and the input's hash: a second input of one
/// kind is kept, not lost.
fn free_stem(dir: &Path, stem: String, input: &[u8]) -> String {
    match std::fs::read(dir.join(format!("{stem}.bin"))) {
        Ok(held) if held != input => format!("{stem}-{:016x}", fnv64(input)),
        _ => stem,
    }
}

/// Writes `<stem>.bin` (when given an input) and `<stem>.txt` unless the
/// `.txt` is already there; returns whether it wrote them.
pub fn write_finding(dir: &Path, stem: &str, input: Option<&[u8]>, text: &FindingText) -> bool {
    let txt = dir.join(format!("{stem}.txt"));
    if txt.exists() {
        return false;
    }
    let _ = std::fs::create_dir_all(dir);
    if let Some(input) = input {
        let _ = std::fs::write(dir.join(format!("{stem}.bin")), input);
    }
    std::fs::write(&txt, text.render(input.unwrap_or_default())).is_ok()
}

// ---------------------------------------------------------------- panics

#[derive(Debug, Clone)]
struct PanicRecord {
    message: String,
    location: String,
    /// The first crate function on the stack, for panics inside std.
    caller: Option<String>,
    frames: Vec<String>,
}

impl PanicRecord {
    fn key(&self) -> String {
        match &self.caller {
            Some(caller) => format!("PANIC {} in {caller}", self.location),
            None => format!("PANIC {}", self.location),
        }
    }
}

/// `file:line:col`, with std's paths shortened to `std:<crate>/...`.
fn short_location(file: &str, line: u32, column: u32) -> String {
    let file = match file.find("library/") {
        Some(at) => format!("std:{}", &file[at + "library/".len()..]),
        None => file.to_owned(),
    };
    format!("{file}:{line}:{column}")
}

/// The crate's frames of a backtrace, innermost first, each as
/// `function (src/file.rs:line:col)`: the frames whose source is under the
/// crate's `src/` (the line tables name inlined functions too).
fn crate_frames(backtrace: &str) -> Vec<String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
    let mut frames = Vec::new();
    let mut lines = backtrace.lines().peekable();
    while let Some(line) = lines.next() {
        let line = line.trim();
        let Some((number, name)) = line.split_once(": ") else {
            continue;
        };
        if number.parse::<usize>().is_err() {
            continue;
        }
        let Some(place) = lines
            .peek()
            .and_then(|next| next.trim().strip_prefix("at "))
        else {
            continue;
        };
        let place = place.trim_start_matches("./");
        let place = place.strip_prefix(root).unwrap_or(place);
        if place.starts_with("src/") {
            frames.push(format!("{name} ({place})"));
            if frames.len() == 12 {
                break;
            }
        }
    }
    frames
}

/// The innermost crate frame's place (`src/...:line:col`), or its name.
fn caller_of(frames: &[String]) -> Option<String> {
    let first = frames.first()?;
    Some(match first.rsplit_once(" (") {
        Some((_, place)) => place.trim_end_matches(')').to_owned(),
        None => first.clone(),
    })
}

fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_owned()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "a panic with a non-text payload".to_owned()
        };
        let location = info
            .location()
            .map(|l| short_location(l.file(), l.line(), l.column()))
            .unwrap_or_else(|| "unknown location".to_owned());
        let in_std = location.starts_with("std:");
        let shared = SHARED.get();
        let want_backtrace = match shared {
            None => true,
            Some(shared) if in_std => match shared.backtraces.try_lock() {
                Ok(mut counts) => {
                    let n = counts.entry(location.clone()).or_insert(0);
                    *n += 1;
                    *n <= BACKTRACES_PER_LOCATION
                }
                Err(_) => false,
            },
            Some(shared) => match shared.seen.try_lock() {
                Ok(seen) => !seen.contains(&format!("PANIC {location}")),
                Err(_) => false,
            },
        };
        let frames = if want_backtrace {
            crate_frames(&std::backtrace::Backtrace::force_capture().to_string())
        } else {
            Vec::new()
        };
        let caller = if in_std {
            Some(caller_of(&frames).unwrap_or_else(|| "(caller not looked up)".to_owned()))
        } else {
            None
        };
        let record = PanicRecord {
            message,
            location,
            caller,
            frames,
        };
        let _ = LAST_PANIC.try_with(|last| *last.borrow_mut() = Some(record));
    }));
}

// ---------------------------------------------------------------- context

/// What a target's run uses to call into the core and to report.
pub struct Ctx<'a> {
    shared: &'a Shared,
    slot: &'a Slot,
    input: &'a [u8],
    /// Kinds reported for this input, each counted once.
    reported: HashSet<String>,
    written: Vec<PathBuf>,
}

impl<'a> Ctx<'a> {
    pub fn stage(&mut self, stage: &'static str) {
        *self.slot.stage.lock().unwrap_or_else(|e| e.into_inner()) = stage;
    }

    /// Runs `f` as `stage`, catching a panic: `None` when it panicked,
    /// which is then reported.
    pub fn call<T>(&mut self, stage: &'static str, f: impl FnOnce() -> T) -> Option<T> {
        if self.shared.skip_stages.iter().any(|s| s == stage) {
            return None;
        }
        self.stage(stage);
        match catch_unwind(AssertUnwindSafe(f)) {
            Ok(value) => Some(value),
            Err(payload) => {
                let record = LAST_PANIC
                    .with(|last| last.borrow_mut().take())
                    .unwrap_or_else(|| PanicRecord {
                        message: payload
                            .downcast_ref::<&str>()
                            .map(|s| (*s).to_owned())
                            .unwrap_or_default(),
                        location: "unknown location".into(),
                        caller: None,
                        frames: Vec::new(),
                    });
                self.panicked(stage, record);
                None
            }
        }
    }

    fn panicked(&mut self, stage: &'static str, record: PanicRecord) {
        let key = record.key();
        if !self.reported.insert(key.clone()) {
            return;
        }
        self.shared.stats.panics.fetch_add(1, Ordering::Relaxed);
        if record.caller.as_deref() == Some("(caller not looked up)") {
            return; // counted; its key is only ever met under the cap
        }
        let text = FindingText {
            key,
            target: self.shared.target,
            stage: stage.to_owned(),
            message: format!("panicked at {}: {}", record.location, record.message),
            frames: record.frames,
            ..FindingText::default()
        };
        if let Some(path) = self.shared.record(self.slot, text, self.input) {
            self.written.push(path);
        }
    }

    /// Reports a property that does not hold; `details` is only worked
    /// out the first time the kind is met.
    pub fn mismatch(&mut self, kind: &str, details: impl FnOnce() -> String) {
        let key = format!("MISMATCH {kind}");
        if !self.reported.insert(key.clone()) {
            return;
        }
        self.shared.stats.mismatches.fetch_add(1, Ordering::Relaxed);
        let known = self
            .shared
            .seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&key);
        if known {
            return;
        }
        let stage = *self.slot.stage.lock().unwrap_or_else(|e| e.into_inner());
        let text = FindingText {
            key,
            target: self.shared.target,
            stage: stage.to_owned(),
            details: details(),
            ..FindingText::default()
        };
        if let Some(path) = self.shared.record(self.slot, text, self.input) {
            self.written.push(path);
        }
    }

    /// Adds a description of the case to the findings this input wrote.
    pub fn annotate(&mut self, context: impl FnOnce() -> String) {
        if self.written.is_empty() {
            return;
        }
        let context = context();
        for path in self.written.drain(..) {
            if let Ok(mut file) = std::fs::OpenOptions::new().append(true).open(&path) {
                let _ = writeln!(file, "\ncase:\n{}", truncate(&context, MAX_DETAILS));
            }
        }
    }
}

/// Called by the allocation guard on a worker thread asking for more than
/// the limit in one allocation; does not return on a worker.
pub fn oversized_allocation(size: usize) {
    let worker = WORKER.try_with(|w| w.get()).unwrap_or(usize::MAX);
    let Some(shared) = SHARED.get() else { return };
    let Some(slot) = shared.slots.get(worker) else {
        return;
    };
    let frames = crate_frames(&std::backtrace::Backtrace::force_capture().to_string());
    let stage = *slot.stage.lock().unwrap_or_else(|e| e.into_inner());
    let limit_mb = crate::guard::limit() / (1 << 20);
    let key = match caller_of(&frames) {
        Some(frame) => format!("ALLOC over {limit_mb} MB in {frame}"),
        None => format!("ALLOC over {limit_mb} MB in stage {stage}"),
    };
    let message = format!(
        "a single allocation of {size} bytes ({} MB) was asked for in stage {stage}; \
         crate frames: {}",
        size >> 20,
        if frames.is_empty() {
            "(none visible: inlined)".to_owned()
        } else {
            frames.join(" <- ")
        }
    );
    shared.fatal(slot, "alloc", key, message);
}

// ---------------------------------------------------------------- the run

/// The inputs `--replay` names: one file, or every file of a directory in
/// name order.
fn read_replayed(path: &std::path::Path) -> std::io::Result<Vec<Seed>> {
    if !path.is_dir() {
        let data = std::fs::read(path)?;
        return Ok(vec![Seed {
            name: path.display().to_string(),
            data,
        }]);
    }
    let mut paths: Vec<_> = std::fs::read_dir(path)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.retain(|p| p.is_file());
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            Ok(Seed {
                name: p.display().to_string(),
                data: std::fs::read(&p)?,
            })
        })
        .collect()
}

pub fn run_child(args: &Args) -> ExitCode {
    let target = args.targets[0];
    let replay = args.replay.is_some();
    install_panic_hook();
    let seeds: Vec<Seed> = match &args.replay {
        Some(path) => match read_replayed(path) {
            Ok(seeds) if !seeds.is_empty() => seeds,
            Ok(_) => {
                eprintln!("fuzz: {} holds no inputs", path.display());
                return ExitCode::from(2);
            }
            Err(e) => {
                eprintln!("fuzz: cannot read {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => {
            let mut seeds = target.seeds();
            seeds.retain(|s| !args.drop_seeds.contains(&s.name));
            seeds
        }
    };
    let (total, jobs) = if replay {
        (seeds.len() as u64, 1)
    } else {
        (args.inputs_for(target), args.jobs)
    };
    let slots: Vec<Arc<Slot>> = (0..jobs)
        .map(|worker| {
            Arc::new(Slot {
                worker,
                started_ms: AtomicU64::new(0),
                stage: Mutex::new("start"),
                input: Mutex::new(Vec::new()),
                base: Mutex::new(String::new()),
                number: AtomicU64::new(0),
                worker_seed: args
                    .seed
                    .wrapping_add((worker as u64 + 1).wrapping_mul(0xa076_1d64_78bd_642f)),
            })
        })
        .collect();
    let shared = Arc::new(Shared {
        target,
        dir: args.findings.clone(),
        replay,
        seed: args.seed,
        stats: Stats::default(),
        slots,
        seen: Mutex::new(HashSet::new()),
        backtraces: Mutex::new(HashMap::new()),
        skip_stages: args.skip_stages.clone(),
        dropped: args.drop_seeds.clone(),
        out: Mutex::new(()),
        exiting: AtomicBool::new(false),
        start: Instant::now(),
    });
    if SHARED.set(Arc::clone(&shared)).is_err() {
        return ExitCode::from(2);
    }
    crate::guard::set_limit((args.max_alloc_mb as usize).saturating_mul(1 << 20));

    let seeds = Arc::new(seeds);
    let next_seed = Arc::new(AtomicUsize::new(0));
    let claimed = Arc::new(AtomicU64::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let deadline = args
        .time_limit_secs
        .map(|s| Instant::now() + Duration::from_secs(s));
    let mut handles = Vec::new();
    for worker in 0..jobs {
        let shared = Arc::clone(&shared);
        let seeds = Arc::clone(&seeds);
        let next_seed = Arc::clone(&next_seed);
        let claimed = Arc::clone(&claimed);
        let finished = Arc::clone(&finished);
        let handle = std::thread::Builder::new()
            .name(format!("fuzz-{worker}"))
            .stack_size(64 << 20)
            .spawn(move || {
                work(
                    &shared, worker, &seeds, &next_seed, &claimed, total, deadline, replay,
                );
                finished.fetch_add(1, Ordering::SeqCst);
            })
            .expect("a worker thread starts");
        handles.push(handle);
    }
    // The watchdog: hangs, and the running totals for the supervisor.
    let hang_ms = args.hang_secs * 1000;
    let mut last_stats = Instant::now();
    while finished.load(Ordering::SeqCst) < jobs {
        std::thread::sleep(Duration::from_millis(100));
        let now = shared.now_ms();
        for slot in &shared.slots {
            let started = slot.started_ms.load(Ordering::SeqCst);
            if started != 0 && now.saturating_sub(started) > hang_ms {
                let stage = *slot.stage.lock().unwrap_or_else(|e| e.into_inner());
                let key = format!("HANG in {stage}");
                let message = format!(
                    "no answer within {} s (stage {stage}); the input is the whole file",
                    args.hang_secs
                );
                shared.fatal(slot, "hang", key, message);
            }
        }
        if last_stats.elapsed() >= Duration::from_secs(1) {
            last_stats = Instant::now();
            shared.say(&shared.stats_line());
        }
    }
    for handle in handles {
        let _ = handle.join();
    }
    shared.say(&shared.stats_line());
    shared.say("@done");
    if replay {
        let s = &shared.stats;
        let (panics, mismatches) = (
            s.panics.load(Ordering::Relaxed),
            s.mismatches.load(Ordering::Relaxed),
        );
        println!("replay: {panics} panic(s), {mismatches} mismatch(es)");
        if panics + mismatches > 0 {
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}

#[allow(clippy::too_many_arguments)]
fn work(
    shared: &Shared,
    worker: usize,
    seeds: &[Seed],
    next_seed: &AtomicUsize,
    claimed: &AtomicU64,
    total: u64,
    deadline: Option<Instant>,
    replay: bool,
) {
    WORKER.with(|w| w.set(worker));
    let slot = &shared.slots[worker];
    let mut rng = fastrand::Rng::with_seed(slot.worker_seed);
    let mut pool: Vec<(String, Vec<u8>)> = Vec::new();
    let mut input = Vec::new();
    let target = shared.target;
    loop {
        let number = claimed.fetch_add(1, Ordering::SeqCst);
        if number >= total || deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let seed_index = next_seed.fetch_add(1, Ordering::SeqCst);
        let base = if seed_index < seeds.len() || replay {
            let seed = &seeds[seed_index.min(seeds.len() - 1)];
            input.clear();
            input.extend_from_slice(&seed.data);
            seed.name.clone()
        } else {
            let from_pool = !pool.is_empty() && (seeds.is_empty() || rng.u8(..) < 90);
            let (name, data) = if from_pool {
                let (name, data) = &pool[rng.usize(..pool.len())];
                (name.as_str(), data.as_slice())
            } else if seeds.is_empty() {
                ("generated", &[][..])
            } else {
                let seed = &seeds[rng.usize(..seeds.len())];
                (seed.name.as_str(), seed.data.as_slice())
            };
            let other: &[u8] = if !pool.is_empty() && rng.bool() {
                &pool[rng.usize(..pool.len())].1
            } else if !seeds.is_empty() {
                &seeds[rng.usize(..seeds.len())].data
            } else {
                &[]
            };
            let mut made = target.next_input(&mut rng, data, other, &mut input);
            if made.is_some_and(|name| shared.dropped.iter().any(|d| d == name)) {
                // A generator an earlier worker hung or died on: mutate instead.
                input.clear();
                input.extend_from_slice(data);
                crate::mutate::bytes(&mut rng, &mut input, other, &[], 1 << 16);
                made = None;
            }
            made.map(str::to_owned).unwrap_or_else(|| name.to_owned())
        };
        {
            let mut shown = slot.input.lock().unwrap_or_else(|e| e.into_inner());
            shown.clear();
            shown.extend_from_slice(&input);
        }
        *slot.base.lock().unwrap_or_else(|e| e.into_inner()) = base.clone();
        slot.number.store(number, Ordering::Relaxed);
        slot.started_ms.store(shared.now_ms(), Ordering::SeqCst);
        let mut ctx = Ctx {
            shared,
            slot,
            input: &input,
            reported: HashSet::new(),
            written: Vec::new(),
        };
        // A panic outside `Ctx::call` (a core call the target makes
        // directly, or the harness itself) is caught here.
        let accepted = match catch_unwind(AssertUnwindSafe(|| target.run(&input, &mut ctx))) {
            Ok(accepted) => accepted,
            Err(_) => {
                let stage = *slot.stage.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(record) = LAST_PANIC.with(|last| last.borrow_mut().take()) {
                    ctx.panicked(stage, record);
                }
                false
            }
        };
        slot.started_ms.store(0, Ordering::SeqCst);
        *slot.stage.lock().unwrap_or_else(|e| e.into_inner()) = "between inputs";
        shared.stats.inputs.fetch_add(1, Ordering::Relaxed);
        if accepted && !replay {
            if pool.len() < POOL_SIZE {
                pool.push((base, input.clone()));
            } else if rng.u8(..) < 64 {
                let at = rng.usize(..pool.len());
                pool[at] = (base, input.clone());
            }
        }
    }
}
