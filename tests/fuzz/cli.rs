//! The command line of the harness.

use std::path::PathBuf;

use crate::targets::Target;

pub const USAGE: &str = "\
usage: cargo test --locked --profile fuzz --test fuzz -- [OPTIONS]

  --target T           csv, link, criteria, workspace, engine or all (default all);
                       may be given more than once
  --inputs N           inputs per target (default: 10,000,000 for link, criteria and
                       workspace; 1,000,000 for csv and engine)
  --seed S             seed of the run (default: from the clock; printed at start)
  --jobs N             worker threads (default: available parallelism)
  --hang-secs S        an input running longer than this is a hang (default 10)
  --time-limit-secs S  stop each target after this many seconds
  --max-alloc-mb M     a single allocation above this is a finding (default 256)
  --replay PATH        run one input (a finding's .bin, or an engine case's .txt)
                       or every file of a directory, and print what they find;
                       the target is read from the file name unless given
  --findings DIR       where findings go (default target/fuzz-findings)

Exit code: 0 when no target found a panic, hang or mismatch; 1 otherwise;
2 for a bad command line.";

#[derive(Debug, Clone)]
pub struct Args {
    pub targets: Vec<Target>,
    pub inputs: Option<u64>,
    pub seed: u64,
    pub seed_given: bool,
    pub jobs: usize,
    pub hang_secs: u64,
    pub time_limit_secs: Option<u64>,
    pub max_alloc_mb: u64,
    pub replay: Option<PathBuf>,
    pub findings: PathBuf,
    pub help: bool,
    /// Internal: this process is a worker started by the supervisor.
    pub child: bool,
    /// Internal: corpus entries a previous child hung or died on.
    pub drop_seeds: Vec<String>,
    /// Internal: stages a previous child ended in, not to be run again.
    pub skip_stages: Vec<String>,
}

fn number<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<T, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a value"))?;
    let cleaned: String = value.chars().filter(|&c| c != '_' && c != ',').collect();
    cleaned
        .parse()
        .map_err(|_| format!("{flag}: '{value}' is not a number"))
}

impl Args {
    pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
        let clock_seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x5eed);
        let mut parsed = Args {
            targets: Vec::new(),
            inputs: None,
            seed: clock_seed,
            seed_given: false,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            hang_secs: 10,
            time_limit_secs: None,
            max_alloc_mb: 256,
            replay: None,
            findings: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/fuzz-findings")),
            help: false,
            child: false,
            drop_seeds: Vec::new(),
            skip_stages: Vec::new(),
        };
        while let Some(arg) = args.next() {
            // `--flag=value` reads like `--flag value`.
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
                _ => (arg.clone(), None),
            };
            let mut value = || inline.clone().or_else(|| args.next());
            match flag.as_str() {
                "--target" => {
                    let name = value().ok_or("--target needs a value")?;
                    if name == "all" {
                        parsed.targets.extend(Target::ALL);
                    } else {
                        parsed.targets.push(
                            Target::from_name(&name)
                                .ok_or_else(|| format!("unknown target '{name}'"))?,
                        );
                    }
                }
                "--inputs" => parsed.inputs = Some(number(&flag, value())?),
                "--seed" => {
                    parsed.seed = number(&flag, value())?;
                    parsed.seed_given = true;
                }
                "--jobs" => parsed.jobs = number::<usize>(&flag, value())?.max(1),
                "--hang-secs" => parsed.hang_secs = number::<u64>(&flag, value())?.max(1),
                "--time-limit-secs" => parsed.time_limit_secs = Some(number(&flag, value())?),
                "--max-alloc-mb" => parsed.max_alloc_mb = number::<u64>(&flag, value())?.max(1),
                "--replay" => {
                    parsed.replay = Some(PathBuf::from(
                        value().ok_or("--replay needs a file or a directory")?,
                    ))
                }
                "--findings" => {
                    parsed.findings = PathBuf::from(value().ok_or("--findings needs a directory")?)
                }
                "--child" => parsed.child = true,
                "--drop-seed" => parsed
                    .drop_seeds
                    .push(value().ok_or("--drop-seed needs a name")?),
                "--skip-stage" => parsed
                    .skip_stages
                    .push(value().ok_or("--skip-stage needs a name")?),
                "--help" | "-h" => parsed.help = true,
                // What cargo's own test harness would be given; harmless here.
                "--nocapture" | "--quiet" | "-q" => {}
                other => return Err(format!("unknown argument '{other}'")),
            }
        }
        if parsed.targets.is_empty() {
            if let Some(file) = &parsed.replay {
                let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let name = name.strip_prefix("hang-").unwrap_or(name);
                let target = Target::ALL
                    .into_iter()
                    .find(|t| name == t.name() || name.starts_with(&format!("{}-", t.name())))
                    .ok_or("--replay: give --target, the file name does not say")?;
                parsed.targets.push(target);
            } else {
                parsed.targets.extend(Target::ALL);
            }
        }
        let mut seen = Vec::new();
        parsed.targets.retain(|t| {
            let fresh = !seen.contains(t);
            seen.push(*t);
            fresh
        });
        Ok(parsed)
    }

    /// How many inputs `target` runs.
    pub fn inputs_for(&self, target: Target) -> u64 {
        self.inputs.unwrap_or_else(|| target.default_inputs())
    }
}
