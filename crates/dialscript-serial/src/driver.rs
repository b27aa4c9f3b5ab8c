//! The blocking driver: runs a [`Vm`] on a [`Line`] in real time.
//!
//! It reads with the VM's deadlines, applies `set port` while the script runs, notices a lost
//! carrier where the line reports one, and checks for signals at least every
//! [`SIGNAL_CHECK`]. The time from the last byte of a prompt to the first byte of the answer
//! is one read, one `feed`, one `poll` and one write.

use std::time::{Duration, Instant};

use dialscript_vm::{Action, Event, EventKind, Outcome, Vm};

use crate::line::{Line, Read};
use crate::signals::Signals;

/// The longest a read waits before the driver looks at signals and the carrier again.
pub const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// How long a write may block before the line counts as failed.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// How a drive ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    /// The VM's outcome.
    pub outcome: Outcome,
    /// The signal that cancelled it, if one did.
    pub signal: Option<i32>,
}

/// Runs `vm` on `line` until it is done. `on_event` sees every event (masked) as it happens;
/// `clock` is when the session started.
pub fn drive(
    vm: &mut Vm,
    line: &mut dyn Line,
    signals: &Signals,
    clock: Instant,
    on_event: &mut dyn FnMut(&Event),
) -> Ended {
    let mut buf = vec![0u8; 16 * 1024];
    let mut signal = None;
    let outcome = loop {
        if signal.is_none()
            && let Some(s) = signals.received()
        {
            signal = Some(s);
            vm.cancel();
        }
        let now = clock.elapsed();
        let action = vm.poll(now);
        // An answer goes out before the events that led to it are shown: showing them (on a
        // terminal, into a log) takes system calls that must not delay the answer.
        let written = match &action {
            Action::Transmit(bytes) => {
                // No write outlasts the run: a line that stops taking bytes ends the run by its
                // deadline like a script that waits too long.
                let limit = vm
                    .run_deadline()
                    .map_or(WRITE_TIMEOUT, |d| d.saturating_sub(now).min(WRITE_TIMEOUT));
                let w = line.write_all(bytes, limit);
                // A tty hands written bytes to the other side in a kernel worker queued on
                // this CPU, which runs only when this thread stops. Giving up the CPU here,
                // before the transcript work below, lets the answer reach the peer at once
                // (it lowered the median reaction on a pty in every A/B run we made).
                std::thread::yield_now();
                Some(w)
            }
            _ => None,
        };
        for e in vm.take_events() {
            on_event(&e);
        }
        match action {
            Action::Transmit(_) => {
                if let Some(Err(e)) = written {
                    vm.line_failure(
                        clock.elapsed(),
                        format!("cannot write to {}: {e}", line.name()),
                    );
                }
            }
            Action::SetPort(setting) => {
                if let Err(e) = line.set_port(setting) {
                    on_event(&Event {
                        time: clock.elapsed(),
                        span: Some(vm.current_span()),
                        kind: EventKind::Note(format!("set port not applied: {e}")),
                    });
                }
            }
            Action::SetIpAddr(_) | Action::SetKeyboard(_) | Action::Yield => {}
            Action::Wait { until } => {
                if line.carrier() == Some(false) {
                    vm.line_failure(clock.elapsed(), "carrier lost");
                    continue;
                }
                let now = clock.elapsed();
                let wait = until
                    .map_or(SIGNAL_CHECK, |u| u.saturating_sub(now))
                    .min(SIGNAL_CHECK);
                match line.read(&mut buf, wait) {
                    Ok(Read::Data(n)) => vm.feed(clock.elapsed(), &buf[..n]),
                    Ok(Read::TimedOut) => {}
                    Ok(Read::Hangup) => {
                        vm.line_failure(clock.elapsed(), format!("{} hung up", line.name()))
                    }
                    Err(e) => vm.line_failure(
                        clock.elapsed(),
                        format!("cannot read from {}: {e}", line.name()),
                    ),
                }
            }
            Action::Done(outcome) => break outcome,
        }
    };
    for e in vm.take_events() {
        on_event(&e);
    }
    Ended { outcome, signal }
}
