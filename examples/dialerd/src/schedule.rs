//! When to dial, and how long to wait before dialling again after a failure.

use std::time::Duration;

use jiff::ZonedDateTime;
use jiff::civil::Time;

/// When a connection dials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// At start-up, then every so often (measured from the start of the previous run; a run
    /// that takes longer than the period is followed at once by the next).
    Every(Duration),
    /// At these local times of day, sorted.
    At(Vec<Time>),
}

impl Schedule {
    /// A schedule of times of day written `HH:MM` or `HH:MM:SS`.
    pub fn at(times: &[String]) -> Result<Schedule, String> {
        if times.is_empty() {
            return Err("schedule: `at` lists no times".into());
        }
        let mut parsed = times
            .iter()
            .map(|t| {
                t.parse::<Time>()
                    .map_err(|e| format!("schedule: `{t}` is not a time of day (HH:MM): {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        parsed.sort();
        parsed.dedup();
        Ok(Schedule::At(parsed))
    }

    /// For a schedule of times of day: how long from `now` until the next one. A time that
    /// does not exist on a day (skipped by a daylight-saving change) moves forward by the gap,
    /// as a wall clock would show it.
    pub fn until_next(times: &[Time], now: &ZonedDateTime) -> Duration {
        let today = now.date();
        let next = [today, today.tomorrow().unwrap_or(today)]
            .into_iter()
            .flat_map(|day| times.iter().map(move |t| day.to_datetime(*t)))
            .filter_map(|dt| dt.to_zoned_datetime(now.time_zone().clone()).ok())
            .find(|z| z.timestamp() > now.timestamp());
        next.and_then(|z| {
            let d = z.timestamp().duration_since(now.timestamp());
            Duration::try_from(d).ok()
        })
        // Only the end of the representable calendar has no next time; wait a day there.
        .unwrap_or(Duration::from_secs(24 * 3600))
    }
}

/// Retrying a dial that failed: `attempts` dials in all, waiting `backoff` after the first
/// failure and `factor` times longer after each further one, never longer than `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Dials per scheduled run, the first included.
    pub attempts: u32,
    /// The wait after the first failure.
    pub backoff: Duration,
    /// How much longer each further wait is.
    pub factor: u32,
    /// The longest wait.
    pub max: Duration,
}

impl Retry {
    /// The wait after the `failed`-th failed dial (1-based).
    pub fn backoff(&self, failed: u32) -> Duration {
        let growth = self.factor.saturating_pow(failed.saturating_sub(1));
        self.backoff.saturating_mul(growth).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let r = Retry {
            attempts: 6,
            backoff: Duration::from_secs(30),
            factor: 2,
            max: Duration::from_secs(100),
        };
        let waits: Vec<u64> = (1..=5).map(|n| r.backoff(n).as_secs()).collect();
        assert_eq!(waits, [30, 60, 100, 100, 100]);
        // A huge exponent saturates instead of overflowing.
        assert_eq!(r.backoff(u32::MAX), Duration::from_secs(100));
    }

    #[test]
    fn next_time_of_day() {
        let Schedule::At(times) =
            Schedule::at(&["18:30".into(), "06:00".into()]).expect("schedule")
        else {
            panic!("not a time-of-day schedule");
        };
        let now: ZonedDateTime = "2024-03-01T07:00:00[UTC]".parse().expect("time");
        assert_eq!(
            Schedule::until_next(&times, &now),
            Duration::from_secs(11 * 3600 + 30 * 60)
        );
        // After the last time of the day comes the first of the next day.
        let late: ZonedDateTime = "2024-03-01T19:00:00[UTC]".parse().expect("time");
        assert_eq!(
            Schedule::until_next(&times, &late),
            Duration::from_secs(11 * 3600)
        );
        // Exactly at a time, the next run is the following one, not this instant again.
        let exact: ZonedDateTime = "2024-03-01T06:00:00[UTC]".parse().expect("time");
        assert_eq!(
            Schedule::until_next(&times, &exact),
            Duration::from_secs(12 * 3600 + 30 * 60)
        );
        assert!(Schedule::at(&["25:00".into()]).is_err());
        assert!(Schedule::at(&[]).is_err());
    }
}
