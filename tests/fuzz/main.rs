//! A mutation fuzzer for the core's untrusted-input entry points, on stable
//! Rust and without coverage feedback.
//!
//! Each target drives one way hostile input reaches the core: a share-link
//! fragment (`link`), a criteria file (`criteria`), a saved workspace
//! (`workspace`), a CSV file and everything computed from it (`csv`), and
//! random criteria on random data checked against a naive scorer written
//! from the specification (`engine`). Every call into the core runs under
//! `catch_unwind`; besides panics, each target checks properties that must
//! hold (round trips, two readers agreeing, figures matching the naive
//! scorer) and reports a broken one as a mismatch.
//!
//! The process started by `cargo test` is a supervisor: it runs each target
//! in a child process (the same binary with `--child`) and starts a fresh
//! child when one has to stop, because a hung input cannot be interrupted
//! and an allocation sized by a score range cannot be refused without
//! ending the process. Findings go to `target/fuzz-findings/`, one pair of
//! files (`.bin` input, `.txt` account) per distinct failure.
//!
//! Run it as `cargo test --locked --profile fuzz --test fuzz -- [ARGS]`
//! (`make fuzz`); `--help` lists the arguments.

mod case_text;
mod cli;
mod corpus;
mod guard;
mod json_tokens;
mod mutate;
mod naive;
mod replay_checks;
mod runner;
mod supervisor;
mod targets;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match cli::Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("fuzz: {message}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    if args.help {
        println!("{}", cli::USAGE);
        return ExitCode::SUCCESS;
    }
    if args.child || args.replay.is_some() {
        return runner::run_child(&args);
    }
    supervisor::run(&args)
}
