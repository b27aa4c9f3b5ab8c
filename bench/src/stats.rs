//! Order statistics over timed samples, and the number formats the report uses.

use std::time::Duration;

/// Summary of a set of timings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// How many samples.
    pub count: usize,
    /// The fastest.
    pub min: Duration,
    /// The median (the mean of the two middle samples for an even count).
    pub median: Duration,
    /// The 99th percentile by nearest rank: the smallest sample that at least 99 % of the
    /// samples do not exceed.
    pub p99: Duration,
    /// The slowest.
    pub max: Duration,
}

/// Summarises `samples`; `None` when there are none.
pub fn summarize(samples: &[Duration]) -> Option<Summary> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    Some(Summary {
        count: sorted.len(),
        min: sorted[0],
        median: median_sorted(&sorted),
        p99: percentile_sorted(&sorted, 99.0),
        max: sorted[sorted.len() - 1],
    })
}

/// The median of `samples` (zero when there are none).
pub fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    median_sorted(&sorted)
}

fn median_sorted(sorted: &[Duration]) -> Duration {
    match sorted.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

/// The `p`-th percentile of sorted samples by nearest rank.
pub fn percentile_sorted(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A duration with a unit that keeps three significant digits or so: `38.2 µs`, `4.51 ms`,
/// `1.27 s`.
pub fn duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    let (value, unit) = if s < 1e-3 {
        (s * 1e6, "µs")
    } else if s < 1.0 {
        (s * 1e3, "ms")
    } else {
        (s, "s")
    };
    format!("{} {unit}", significant(value))
}

/// A number with about three significant digits, without exponent: `123`, `12.3`, `1.23`;
/// large ones whole, with separators: `108,572`.
pub fn significant(x: f64) -> String {
    let a = x.abs();
    if a >= 1000.0 && x.is_finite() {
        let sign = if x < 0.0 { "-" } else { "" };
        format!("{sign}{}", thousands(a.round() as u64))
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// How many times `ours` is better than `theirs` when smaller is better (times): `theirs /
/// ours`, written `12.3×`; `n/a` when `ours` is zero.
pub fn speedup(ours: Duration, theirs: Duration) -> String {
    if ours.is_zero() {
        return "n/a".to_string();
    }
    format!(
        "{}×",
        significant(theirs.as_secs_f64() / ours.as_secs_f64())
    )
}

/// How many times `ours` is better than `theirs` when larger is better (rates): `ours /
/// theirs`, written `2.41×`; `n/a` when `theirs` is not positive.
pub fn rate_ratio(ours: f64, theirs: f64) -> String {
    if theirs <= 0.0 {
        return "n/a".to_string();
    }
    format!("{}×", significant(ours / theirs))
}

/// `part` as a whole percentage of `whole`: `105 %`; `n/a` when `whole` is zero.
pub fn percent_of(part: Duration, whole: Duration) -> String {
    if whole.is_zero() {
        return "n/a".to_string();
    }
    format!("{:.0} %", 100.0 * part.as_secs_f64() / whole.as_secs_f64())
}

/// Bytes per second as MB/s (10^6 bytes).
pub fn mb_per_s(bytes: u64, d: Duration) -> f64 {
    if d.is_zero() {
        return 0.0;
    }
    bytes as f64 / 1e6 / d.as_secs_f64()
}

/// A whole number with thousands separated by commas: `24,586`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(n: u64) -> Duration {
        Duration::from_micros(n)
    }

    #[test]
    fn median_and_percentiles_by_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).rev().map(us).collect();
        let s = summarize(&samples).expect("samples");
        assert_eq!(s.count, 100);
        assert_eq!(s.min, us(1));
        assert_eq!(s.max, us(100));
        assert_eq!(s.median, (us(50) + us(51)) / 2);
        assert_eq!(s.p99, us(99));
        let odd = [us(5), us(1), us(3)];
        assert_eq!(median(&odd), us(3));
        assert_eq!(summarize(&[]), None);
        assert_eq!(median(&[]), Duration::ZERO);
        // With fewer than a hundred samples the 99th percentile is the slowest one.
        assert_eq!(summarize(&[us(1), us(9)]).expect("two").p99, us(9));
    }

    #[test]
    fn formats() {
        assert_eq!(duration(us(38)), "38.0 µs");
        assert_eq!(duration(Duration::from_micros(4_512)), "4.51 ms");
        assert_eq!(duration(Duration::from_millis(1_270)), "1.27 s");
        assert_eq!(duration(Duration::from_millis(250)), "250 ms");
        assert_eq!(speedup(us(10), us(25)), "2.50×");
        assert_eq!(percent_of(us(420), us(400)), "105 %");
        assert_eq!(percent_of(us(1), Duration::ZERO), "n/a");
        assert_eq!(speedup(Duration::ZERO, us(25)), "n/a");
        assert_eq!(rate_ratio(300.0, 100.0), "3.00×");
        assert_eq!(thousands(24_586), "24,586");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(significant(108_572.4), "108,572");
        assert_eq!(significant(-1234.0), "-1,234");
        assert_eq!(significant(123.4), "123");
        assert!((mb_per_s(2_000_000, Duration::from_secs(1)) - 2.0).abs() < 1e-9);
    }
}
