//! The blocking driver: runs a [`Vm`] on a [`Line`] in real time.
//!
//! It reads with the VM's deadlines, applies `set port` while the script runs, notices a lost
//! carrier where the line reports one, and checks for signals at least every
//! [`SIGNAL_CHECK`]. The time from the last byte of a prompt to the first byte of the answer
//! is one read, one `feed`, one `poll` and one write; the transcript of that exchange is
//! shown after the answer has gone (see [`TELL_AFTER`]).

use std::time::{Duration, Instant};

use dialscript_vm::{Action, Event, EventKind, Outcome, Vm};

use crate::line::{Line, Read};
use crate::signals::Signals;

/// The longest a read waits before the driver looks at signals and the carrier again.
pub const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// How long a write may block before the line counts as failed.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a write at `now` may take: [`WRITE_TIMEOUT`], or less when the run's deadline
/// comes first. No write outlasts the run: a line that stops taking bytes ends the run by its
/// deadline, like a script that waits too long.
pub(crate) fn write_limit(vm: &Vm, now: Duration) -> Duration {
    vm.run_deadline()
        .map_or(WRITE_TIMEOUT, |d| d.saturating_sub(now).min(WRITE_TIMEOUT))
}

/// How a drive ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    /// The VM's outcome.
    pub outcome: Outcome,
    /// The signal that cancelled it, if one did.
    pub signal: Option<i32>,
}

/// How long the line must stay quiet after an answer before the events that led to it are
/// shown. Showing them is work on this CPU (formatting, allocation, writes to the terminal or
/// a log), and a tty hands written bytes to the other side in a kernel worker that may have to
/// wait for this CPU: in interleaved A/B runs on a pty, showing the transcript after a quiet
/// moment instead of right after the answer lowered the median reaction by about a seventh.
/// A millisecond is still live for a person reading along.
pub const TELL_AFTER: Duration = Duration::from_millis(1);

/// Events held back at most, so that a script that transmits without ever waiting shows its
/// transcript as it goes and does not pile it up.
const MAX_UNTOLD: usize = 64;

/// Runs `vm` on `line` until it is done. `on_event` sees every event (masked) in order, soon
/// after it happens (see [`TELL_AFTER`]); `clock` is when the session started.
pub fn drive(
    vm: &mut Vm,
    line: &mut dyn Line,
    signals: &Signals,
    clock: Instant,
    on_event: &mut dyn FnMut(&Event),
) -> Ended {
    let mut buf = vec![0u8; 16 * 1024];
    let mut signal = None;
    // Events taken from the VM and not shown yet.
    let mut untold: Vec<Event> = Vec::new();
    let tell = |untold: &mut Vec<Event>, on_event: &mut dyn FnMut(&Event)| {
        for e in untold.drain(..) {
            on_event(&e);
        }
    };
    let outcome = loop {
        if signal.is_none()
            && let Some(s) = signals.received()
        {
            signal = Some(s);
            vm.cancel();
        }
        let now = clock.elapsed();
        let action = vm.poll(now);
        if let Action::Transmit(bytes) = &action {
            let written = line.write_all(bytes, write_limit(vm, now));
            // A tty hands written bytes to the other side in a kernel worker that may be
            // queued on this CPU, where it runs only when this thread stops. Giving up the CPU
            // here, before running the script on to its next wait, lets the answer go at once:
            // in interleaved A/B runs on a pty the median reaction was a third lower with it.
            std::thread::yield_now();
            if let Err(e) = written {
                vm.line_failure(
                    clock.elapsed(),
                    format!("cannot write to {}: {e}", line.name()),
                );
            }
        }
        untold.append(&mut vm.take_events());
        // Only transmitting and waiting are timed against the line; before anything else,
        // and whenever too many have piled up, the events are shown at once.
        if untold.len() >= MAX_UNTOLD
            || !matches!(action, Action::Transmit(_) | Action::Wait { .. })
        {
            tell(&mut untold, on_event);
        }
        match action {
            Action::Transmit(_) | Action::SetIpAddr(_) | Action::SetKeyboard(_) | Action::Yield => {
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
            Action::Wait { until } => {
                if line.carrier() == Some(false) {
                    vm.line_failure(clock.elapsed(), "carrier lost");
                    continue;
                }
                let now = clock.elapsed();
                let mut wait = until
                    .map_or(SIGNAL_CHECK, |u| u.saturating_sub(now))
                    .min(SIGNAL_CHECK);
                // With events to show, wait only until the line has been quiet for a moment;
                // a prompt that arrives sooner is answered first.
                let telling = !untold.is_empty() && wait > TELL_AFTER;
                if telling {
                    wait = TELL_AFTER;
                }
                let got = line.read(&mut buf, wait);
                let quiet = matches!(got, Ok(Read::TimedOut));
                match got {
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
                // Bytes that came within the moment are for the VM first (they may be the
                // next prompt); the events wait for the next quiet moment.
                if !telling || quiet {
                    tell(&mut untold, on_event);
                }
            }
            Action::Done(outcome) => break outcome,
        }
    };
    untold.append(&mut vm.take_events());
    tell(&mut untold, on_event);
    Ended { outcome, signal }
}
