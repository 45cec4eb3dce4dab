//! The supervisor: runs each target in a child process, restarts a child
//! that had to stop (a hang, an oversized allocation, a crash), prints
//! progress and the final counts.
//!
//! A child speaks in lines on its stdout:
//! `@stats INPUTS PANICS HANGS MISMATCHES` (running totals of that child),
//! `@finding new|known STEM\tSTAGE\tKEY` (the first time it meets a key),
//! `@fatal hang|alloc BASE` (it is about to exit; BASE names the corpus
//! entry the input came from) and `@done` (it ran all it was asked to).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::cli::Args;
use crate::runner::{finding_stem, write_finding, FindingText};
use crate::targets::Target;

/// How often progress is printed.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);
/// A target gives up after this many children that did not finish.
const MAX_RESTARTS: usize = 50;
/// Stages without which a target does nothing: an allocation ending a
/// worker there drops the input's corpus entry instead of the stage.
const VITAL_STAGES: &[&str] = &[
    "load_bytes",
    "decode_link",
    "CriteriaFile::parse",
    "SavedWorkspace::parse",
    "LeadFacts::new",
    "GroupingCache::grouping",
    "Replay::run",
    "build the case",
];

#[derive(Debug, Clone, Default)]
struct Counts {
    inputs: u64,
    panics: u64,
    hangs: u64,
    mismatches: u64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.inputs += other.inputs;
        self.panics += other.panics;
        self.hangs += other.hangs;
        self.mismatches += other.mismatches;
    }

    fn clean(&self) -> bool {
        self.panics == 0 && self.hangs == 0 && self.mismatches == 0
    }
}

/// A distinct failure met in this run.
#[derive(Debug, Clone)]
struct Met {
    stem: String,
    stage: String,
    new: bool,
}

struct TargetResult {
    target: Target,
    counts: Counts,
    seconds: f64,
    findings: BTreeMap<String, Met>,
    gave_up: bool,
}

enum Line {
    Text(String),
    Closed,
}

pub fn run(args: &Args) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("fuzz: cannot find my own executable: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::create_dir_all(&args.findings) {
        eprintln!("fuzz: cannot create {}: {e}", args.findings.display());
        return ExitCode::from(2);
    }
    println!(
        "fuzz: seed {} ({}), {} job(s), hang limit {} s, allocation limit {} MB, findings in {}",
        args.seed,
        if args.seed_given {
            "given"
        } else {
            "from the clock; --seed to repeat"
        },
        args.jobs,
        args.hang_secs,
        args.max_alloc_mb,
        args.findings.display()
    );
    let mut results = Vec::new();
    for (index, &target) in args.targets.iter().enumerate() {
        let seed = args.seed ^ (index as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        results.push(run_target(args, &exe, target, seed));
    }
    println!();
    println!("fuzz: summary (seed {})", args.seed);
    let mut clean = true;
    for r in &results {
        let rate = if r.seconds > 0.0 {
            r.counts.inputs as f64 / r.seconds
        } else {
            0.0
        };
        println!(
            "  {:<9} {:>10} inputs, {:>6} panics, {:>3} hangs, {:>7} mismatches, {:>9.0} inputs/s{}",
            r.target.name(),
            r.counts.inputs,
            r.counts.panics,
            r.counts.hangs,
            r.counts.mismatches,
            rate,
            if r.gave_up { " (stopped early: too many restarts)" } else { "" }
        );
        clean &= r.counts.clean() && !r.gave_up;
    }
    let total: usize = results.iter().map(|r| r.findings.len()).sum();
    if total > 0 {
        println!();
        println!(
            "fuzz: {total} distinct finding(s) (* new this run) in {}:",
            args.findings.display()
        );
        for r in &results {
            for (key, met) in &r.findings {
                println!(
                    "  {} {}  [{}]  {}",
                    if met.new { "*" } else { " " },
                    met.stem,
                    met.stage,
                    key
                );
            }
        }
    }
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn run_target(args: &Args, exe: &std::path::Path, target: Target, seed: u64) -> TargetResult {
    let wanted = args.inputs_for(target);
    let started = Instant::now();
    let deadline = args
        .time_limit_secs
        .map(|s| started + Duration::from_secs(s));
    let mut result = TargetResult {
        target,
        counts: Counts::default(),
        seconds: 0.0,
        findings: BTreeMap::new(),
        gave_up: false,
    };
    let mut drop_seeds: Vec<String> = Vec::new();
    let mut skip_stages: Vec<String> = Vec::new();
    let mut restarts = 0;
    let mut last_progress = Instant::now();
    println!("fuzz: {} — {} inputs", target.name(), wanted);
    while result.counts.inputs < wanted {
        let remaining_time = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if remaining_time == Some(Duration::ZERO) {
            break;
        }
        let child_seed = seed.wrapping_add((restarts as u64).wrapping_mul(0xd1b5_4a32_d192_ed03));
        let mut command = Command::new(exe);
        command
            .arg("--child")
            .args(["--target", target.name()])
            .args(["--inputs", &(wanted - result.counts.inputs).to_string()])
            .args(["--seed", &child_seed.to_string()])
            .args(["--jobs", &args.jobs.to_string()])
            .args(["--hang-secs", &args.hang_secs.to_string()])
            .args(["--max-alloc-mb", &args.max_alloc_mb.to_string()])
            .arg("--findings")
            .arg(&args.findings)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(left) = remaining_time {
            command.args(["--time-limit-secs", &left.as_secs().max(1).to_string()]);
        }
        for name in &drop_seeds {
            command.args(["--drop-seed", name]);
        }
        for stage in &skip_stages {
            command.args(["--skip-stage", stage]);
        }
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                eprintln!("fuzz: cannot start a worker process: {e}");
                result.gave_up = true;
                break;
            }
        };
        let stdout = child.stdout.take().expect("piped stdout");
        let (send, receive) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(line) => {
                        if send.send(Line::Text(line)).is_err() {
                            return;
                        }
                    }
                    Err(_) => break,
                }
            }
            let _ = send.send(Line::Closed);
        });
        let mut child_counts = Counts::default();
        let mut done = false;
        let mut fatal: Option<(String, String, String)> = None;
        let mut last_heard = Instant::now();
        // A child that says nothing for this long is stuck beyond its own
        // watchdog (which reports a hang long before).
        let silence_limit = Duration::from_secs(args.hang_secs * 3 + 30);
        let mut killed = false;
        loop {
            match receive.recv_timeout(Duration::from_millis(500)) {
                Ok(Line::Text(line)) => {
                    last_heard = Instant::now();
                    handle_line(&line, &mut child_counts, &mut result, &mut done, &mut fatal);
                }
                Ok(Line::Closed) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if last_heard.elapsed() > silence_limit && !killed {
                        eprintln!(
                            "fuzz: {}: the worker process went silent; stopping it",
                            target.name()
                        );
                        let _ = child.kill();
                        killed = true;
                    }
                }
            }
            if last_progress.elapsed() >= PROGRESS_EVERY {
                last_progress = Instant::now();
                let mut shown = result.counts.clone();
                shown.add(&child_counts);
                let seconds = started.elapsed().as_secs_f64();
                println!(
                    "fuzz: {}: {} inputs ({:.0}/s), {} panics, {} hangs, {} mismatches, {} distinct findings",
                    target.name(),
                    shown.inputs,
                    shown.inputs as f64 / seconds.max(1e-9),
                    shown.panics,
                    shown.hangs,
                    shown.mismatches,
                    result.findings.len()
                );
                let _ = std::io::stdout().flush();
            }
        }
        let _ = reader.join();
        let status = child.wait();
        result.counts.add(&child_counts);
        if done {
            break;
        }
        restarts += 1;
        match fatal {
            Some((kind, stage, base)) => {
                let skip = kind == "alloc" && !VITAL_STAGES.contains(&stage.as_str());
                println!(
                    "fuzz: {}: worker stopped after {} in stage '{stage}' (input from '{base}'); \
                     starting a fresh one{}",
                    target.name(),
                    if kind == "alloc" {
                        "an oversized allocation"
                    } else {
                        "a hang"
                    },
                    if skip {
                        format!(" that skips stage '{stage}'")
                    } else {
                        format!(" without corpus entry '{base}'")
                    }
                );
                if skip {
                    if !skip_stages.contains(&stage) {
                        skip_stages.push(stage);
                    }
                } else if !base.is_empty() && !drop_seeds.contains(&base) {
                    drop_seeds.push(base);
                }
            }
            None => {
                // Died without a word: a crash the panic hook could not see
                // (an abort, a stack overflow, a signal).
                let status = status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|e| e.to_string());
                let key = format!("CRASH worker process ended: {status}");
                result.counts.panics += 1;
                let stem = finding_stem(target, &key);
                let text = FindingText {
                    key: key.clone(),
                    target,
                    stage: "unknown".into(),
                    message: format!(
                        "the worker process for '{}' ended ({status}) without reporting; \
                         rerun with --seed {} --jobs 1 to narrow it down",
                        target.name(),
                        child_seed
                    ),
                    ..FindingText::default()
                };
                let new = write_finding(&args.findings, &stem, None, &text);
                result.findings.entry(key).or_insert(Met {
                    stem,
                    stage: "unknown".into(),
                    new,
                });
                println!(
                    "fuzz: {}: worker process ended ({status}); starting a fresh one",
                    target.name()
                );
            }
        }
        if restarts >= MAX_RESTARTS {
            result.gave_up = true;
            break;
        }
    }
    result.seconds = started.elapsed().as_secs_f64();
    println!(
        "fuzz: {}: finished, {} inputs in {:.1} s",
        target.name(),
        result.counts.inputs,
        result.seconds
    );
    result
}

fn handle_line(
    line: &str,
    counts: &mut Counts,
    result: &mut TargetResult,
    done: &mut bool,
    fatal: &mut Option<(String, String, String)>,
) {
    let mut words = line.splitn(2, ' ');
    match (words.next(), words.next()) {
        (Some("@stats"), Some(rest)) => {
            let n: Vec<u64> = rest
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            if let [inputs, panics, hangs, mismatches] = n[..] {
                *counts = Counts {
                    inputs,
                    panics,
                    hangs,
                    mismatches,
                };
            }
        }
        (Some("@finding"), Some(rest)) => {
            let (new, rest) = rest.split_once(' ').unwrap_or(("known", rest));
            let mut parts = rest.splitn(3, '\t');
            if let (Some(stem), Some(stage), Some(key)) = (parts.next(), parts.next(), parts.next())
            {
                let met = result.findings.entry(key.to_owned()).or_insert(Met {
                    stem: stem.to_owned(),
                    stage: stage.to_owned(),
                    new: false,
                });
                met.new |= new == "new";
                if new == "new" {
                    println!(
                        "fuzz: {}: new finding {stem} [{stage}] {key}",
                        result.target.name()
                    );
                }
            }
        }
        (Some("@fatal"), Some(rest)) => {
            let (kind, rest) = rest.split_once(' ').unwrap_or((rest, ""));
            let (stage, base) = rest.split_once('\t').unwrap_or((rest, ""));
            *fatal = Some((kind.to_owned(), stage.to_owned(), base.to_owned()));
        }
        (Some("@done"), _) => *done = true,
        _ => println!("{line}"),
    }
}
