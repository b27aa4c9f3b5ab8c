//! How busy the machine was with other work while a benchmark ran.
//!
//! The load average lags by a minute and counts the benchmark itself, so it cannot tell two
//! runs of the same benchmark apart. A [`Probe`] instead takes the CPU time the whole machine
//! spent (from `/proc/stat`, steal time included: on a virtual machine that is time another
//! guest had), subtracts what this process and its waited-for children spent (`getrusage`),
//! and divides by the wall time: the number of cores that other work kept busy. The quieter of
//! two runs is the one with the smaller figure.

use std::time::{Duration, Instant};

use nix::sys::resource::UsageWho;
use nix::unistd::{SysconfVar, sysconf};

use crate::process::cpu_time;

/// A starting point for measuring other work.
#[derive(Debug, Clone)]
pub struct Probe {
    started: Instant,
    machine: Option<Duration>,
    own: Duration,
    load_average: Option<f64>,
}

/// What other work did while a benchmark ran.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    /// Cores kept busy by other processes, on average (`None` without `/proc/stat`).
    pub other_cores: Option<f64>,
    /// The one-minute load average when the benchmark started.
    pub load_average: Option<f64>,
}

impl Load {
    /// A number to compare runs by: smaller is quieter; unknown counts as busy.
    pub fn noise(&self) -> f64 {
        self.other_cores.unwrap_or(f64::MAX)
    }

    /// `load average 0.42, other processes 0.05 cores`.
    pub fn describe(&self) -> String {
        let la = self
            .load_average
            .map_or("unknown".to_string(), |l| format!("{l:.2}"));
        let other = self
            .other_cores
            .map_or("unknown".to_string(), |c| format!("{c:.2}"));
        format!("load average {la} at the start, other processes busy on {other} cores on average")
    }
}

impl Probe {
    /// Starts measuring now.
    pub fn start() -> Probe {
        Probe {
            machine: machine_cpu(),
            own: own_cpu(),
            load_average: load_average(),
            started: Instant::now(),
        }
    }

    /// What other work did since [`Probe::start`].
    pub fn finish(&self) -> Load {
        let wall = self.started.elapsed();
        let other_cores = match (self.machine, machine_cpu()) {
            (Some(before), Some(after)) if !wall.is_zero() => {
                let machine = after.saturating_sub(before).as_secs_f64();
                let own = own_cpu().saturating_sub(self.own).as_secs_f64();
                Some(((machine - own) / wall.as_secs_f64()).max(0.0))
            }
            _ => None,
        };
        Load {
            other_cores,
            load_average: self.load_average,
        }
    }
}

/// CPU time this process and its reaped children have used.
fn own_cpu() -> Duration {
    cpu_time(UsageWho::RUSAGE_SELF) + cpu_time(UsageWho::RUSAGE_CHILDREN)
}

/// CPU time the whole machine has spent busy since boot.
fn machine_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks = busy_ticks(stat.lines().next()?)?;
    let hz = sysconf(SysconfVar::CLK_TCK).ok()??;
    (hz > 0).then(|| Duration::from_secs_f64(ticks as f64 / hz as f64))
}

/// The busy ticks of the `cpu` line of `/proc/stat`: user, nice, system, irq, softirq and
/// steal (guest time is already inside user; idle and iowait are not busy).
fn busy_ticks(line: &str) -> Option<u64> {
    let mut fields = line.split_whitespace();
    if fields.next()? != "cpu" {
        return None;
    }
    let v: Vec<u64> = fields.map(|f| f.parse().ok()).collect::<Option<_>>()?;
    let at = |i: usize| v.get(i).copied().unwrap_or(0);
    (v.len() >= 4).then(|| at(0) + at(1) + at(2) + at(5) + at(6) + at(7))
}

/// The one-minute load average.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_ticks_leave_out_idle_and_iowait() {
        let line = "cpu  100 5 50 9000 40 3 2 7 0 0";
        assert_eq!(busy_ticks(line), Some(100 + 5 + 50 + 3 + 2 + 7));
        assert_eq!(busy_ticks("cpu0 1 2 3 4"), None);
        assert_eq!(busy_ticks("cpu 1 x 3 4"), None);
        // Old kernels have fewer columns.
        assert_eq!(busy_ticks("cpu 1 2 3 4"), Some(6));
    }

    #[test]
    fn a_probe_reports_a_load() {
        let load = Probe::start().finish();
        assert!(load.noise() >= 0.0);
        assert!(load.describe().contains("load average"));
    }
}
