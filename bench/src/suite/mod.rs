//! The benchmarks that compare dialscript with the tools its users would pick instead, each
//! measured in the same run as its peers, and the pieces of BENCHMARKS.md they produce.
//!
//! Every section runs its own measurements and its anchors (the peers, and a floor where one
//! makes sense) back to back, and returns a Markdown block and its targets. Benchmarks print
//! numbers and never fail on a slow machine: a missed target is reported, not asserted, and a
//! peer that is not installed or misbehaves becomes a row that says so.

pub mod interp;
pub mod lint;
pub mod login;
pub mod pty;
pub mod reaction;
pub mod sim;

use std::path::PathBuf;
use std::time::Duration;

use crate::probe::{Load, Probe};

/// What every section needs.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The `dialscript` binary under test (a release build).
    pub dialscript: PathBuf,
    /// The `gen-corpus` binary of this package.
    pub gen_corpus: PathBuf,
    /// Fewer repetitions and smaller inputs, to try the suite out; the numbers are then rough.
    pub quick: bool,
}

impl Ctx {
    /// `full` normally, `quick` in quick mode.
    pub fn reps(&self, full: usize, quick: usize) -> usize {
        if self.quick { quick } else { full }
    }
}

/// A target of the issues and whether this run met it.
#[derive(Debug, Clone)]
pub struct Target {
    /// What is measured.
    pub what: String,
    /// The goal, in words.
    pub goal: String,
    /// What this run measured.
    pub measured: String,
    /// Met or not; `None` when it could not be measured.
    pub met: Option<bool>,
}

impl Target {
    /// A target with its measured value.
    pub fn new(what: &str, goal: &str, measured: String, met: bool) -> Target {
        Target {
            what: what.to_string(),
            goal: goal.to_string(),
            measured,
            met: Some(met),
        }
    }

    /// A target this run could not measure.
    pub fn unmeasured(what: &str, goal: &str, why: &str) -> Target {
        Target {
            what: what.to_string(),
            goal: goal.to_string(),
            measured: format!("not measured: {why}"),
            met: None,
        }
    }

    /// `met`, `**not met**` or `not measured`.
    pub fn verdict(&self) -> &'static str {
        match self.met {
            Some(true) => "met",
            Some(false) => "**not met**",
            None => "not measured",
        }
    }
}

/// What a section produced.
#[derive(Debug, Clone)]
pub struct Block {
    /// Markdown: tables and the lines that go with them.
    pub markdown: String,
    /// The targets it measured.
    pub targets: Vec<Target>,
}

/// A section's block from the quietest of `attempts` runs, with the load it ran under.
#[derive(Debug, Clone)]
pub struct Chosen {
    /// The block.
    pub block: Block,
    /// The load during the run that was kept.
    pub load: Load,
    /// The loads of all runs, in order, and which one was kept.
    pub loads: Vec<Load>,
    /// Index of the kept run in `loads`.
    pub kept: usize,
}

/// Runs `section` `attempts` times and keeps the run during which other processes were least
/// busy. Failed attempts are skipped; if all fail, the last error is returned.
pub fn quietest(
    attempts: usize,
    mut section: impl FnMut() -> Result<Block, String>,
) -> Result<Chosen, String> {
    let mut best: Option<(Block, Load, usize)> = None;
    let mut loads = Vec::new();
    let mut last_error = String::from("not run");
    for i in 0..attempts.max(1) {
        let probe = Probe::start();
        let result = section();
        let load = probe.finish();
        loads.push(load);
        match result {
            Ok(block) => {
                if best
                    .as_ref()
                    .is_none_or(|(_, l, _)| load.noise() < l.noise())
                {
                    best = Some((block, load, i));
                }
            }
            Err(e) => last_error = e,
        }
    }
    let (block, load, kept) = best.ok_or(last_error)?;
    Ok(Chosen {
        block,
        load,
        loads,
        kept,
    })
}

impl Chosen {
    /// One line about the load of the kept run and of the others.
    pub fn load_line(&self) -> String {
        let others: Vec<String> = self
            .loads
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != self.kept)
            .map(|(_, l)| {
                l.other_cores
                    .map_or("unknown".to_string(), |c| format!("{c:.2}"))
            })
            .collect();
        let mut s = format!(
            "Kept run {} of {}: {}.",
            self.kept + 1,
            self.loads.len(),
            self.load.describe()
        );
        if !others.is_empty() {
            s.push_str(&format!(
                " Other processes in the other run{}: {} cores.",
                if others.len() == 1 { "" } else { "s" },
                others.join(", ")
            ));
        }
        s
    }
}

/// The repetitions of a measurement that are timed after the warm-up ones.
pub fn timed_runs<T>(
    warmup: usize,
    runs: usize,
    mut f: impl FnMut() -> Result<T, String>,
) -> Result<Vec<T>, String> {
    for _ in 0..warmup {
        f()?;
    }
    (0..runs).map(|_| f()).collect()
}

/// A command-line timeout long enough for anything the suite starts.
pub const CHILD_TIMEOUT: Duration = Duration::from_secs(120);

/// The `model name` of the first CPU in `/proc/cpuinfo`.
pub fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|m| m.trim().to_string())
}

/// Today's date and the time, UTC, as `2026-11-27 05:50 UTC`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// The proleptic Gregorian date of a day number counted from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(59), (1970, 3, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_419), (2025, 11, 27));
        assert!(utc_now().ends_with(" UTC"));
    }

    #[test]
    fn the_quietest_successful_run_is_kept() {
        let mut n = 0;
        let chosen = quietest(3, || {
            n += 1;
            if n == 2 {
                Err("failed".to_string())
            } else {
                Ok(Block {
                    markdown: format!("run {n}"),
                    targets: Vec::new(),
                })
            }
        })
        .expect("two runs succeeded");
        assert_eq!(chosen.loads.len(), 3);
        assert_ne!(chosen.kept, 1);
        assert!(chosen.load_line().starts_with("Kept run"));
        let failed = quietest(2, || Err::<Block, _>("no".to_string()));
        assert_eq!(failed.expect_err("all failed"), "no");
    }

    #[test]
    fn targets_say_their_verdict() {
        assert_eq!(Target::new("a", "b", "c".into(), true).verdict(), "met");
        assert_eq!(
            Target::new("a", "b", "c".into(), false).verdict(),
            "**not met**"
        );
        assert_eq!(Target::unmeasured("a", "b", "c").verdict(), "not measured");
    }
}
