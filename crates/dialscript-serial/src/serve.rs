//! The simulated modem and ISP of `dialscript-sim`, in real time, on a real line: what
//! `dialscript serve` runs for each caller, and what the tests use as the far end of a pty.

use std::time::{Duration, Instant};

use dialscript_sim::Peer;

use crate::line::{Line, Read};

/// How a served call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallEnd {
    /// The ISP hung up (a refused login, an idle timeout, a fault).
    PeerHungUp,
    /// The caller went away.
    CallerGone,
    /// `stop` said to end.
    Stopped,
}

/// What a served call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallReport {
    /// How it ended.
    pub end: CallEnd,
    /// Whether the ISP accepted a login.
    pub logged_in: bool,
}

/// Serves one call: feeds what the caller sends to `peer` and sends what it says, with its
/// timing. With `pacing`, bytes go out no faster than the profile's baud rate.
pub fn serve(
    peer: &mut Peer,
    line: &mut dyn Line,
    pacing: bool,
    stop: &dyn Fn() -> bool,
    on_bytes: &mut dyn FnMut(bool, &[u8]),
) -> CallReport {
    let clock = Instant::now();
    let mut buf = vec![0u8; 4096];
    let byte_time = Duration::from_nanos(10_000_000_000 / u64::from(peer.baud().max(1)));
    let end = loop {
        if stop() {
            break CallEnd::Stopped;
        }
        let out = peer.poll(clock.elapsed());
        for (bytes, _) in &out.pieces {
            on_bytes(true, bytes);
            let sent = if pacing {
                // One small write per byte at the line's rate, as a modem would deliver them.
                bytes.iter().all(|b| {
                    std::thread::sleep(byte_time);
                    line.write_all(&[*b], Duration::from_secs(5)).is_ok()
                })
            } else {
                line.write_all(bytes, Duration::from_secs(5)).is_ok()
            };
            if !sent {
                // A write fails when the caller is gone or stopped reading for the whole
                // timeout, and also when a line that watches for signals gives up waiting on
                // such a caller because `stop` is now true: that end is a stop.
                let end = if stop() {
                    CallEnd::Stopped
                } else {
                    CallEnd::CallerGone
                };
                return CallReport {
                    end,
                    logged_in: peer.logged_in(),
                };
            }
        }
        if out.hangup {
            break CallEnd::PeerHungUp;
        }
        let now = clock.elapsed();
        let wait = peer
            .next_wake()
            .map_or(Duration::from_millis(100), |t| t.saturating_sub(now))
            .min(Duration::from_millis(100));
        match line.read(&mut buf, wait) {
            Ok(Read::Data(n)) => {
                on_bytes(false, &buf[..n]);
                let t = clock.elapsed();
                for &b in &buf[..n] {
                    peer.receive(t, b);
                }
            }
            Ok(Read::TimedOut) => {}
            Ok(Read::Hangup) | Err(_) => break CallEnd::CallerGone,
        }
    };
    CallReport {
        end,
        logged_in: peer.logged_in(),
    }
}
