//! `dialscript run --port DEV` and `--stdio`: a script on a real line.
//!
//! Every end but success hangs up and releases the line: DTR dropped (or the modem escape),
//! the port closed, the UUCP lock removed. A signal, a line failure and a panic take the same
//! path, because the port and the lock are owned by values whose `Drop` releases them.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dialscript_serial::{
    Flow, HangupMethod, Line, SerialLine, Settings, Signals, StdioLine, UucpLock, drive, hangup,
    modem,
};
use dialscript_syntax::SourceFile;
use dialscript_vm::{Credentials, Event, EventKind, Limits, Outcome, Program, Vm};

use crate::args::{FlowArg, LineArgs, ParityArg};
use crate::commands::run::exit;
use crate::transcript;

/// How long DTR stays low for a hang-up.
const DTR_HOLD: Duration = Duration::from_secs(1);

/// The open line and what must happen when the run ends.
struct Session {
    line: Box<dyn Line>,
    modem: bool,
    guard: Duration,
    hang_up: bool,
    /// Dropped after the line, so that the lock outlives the open port.
    _lock: Option<UucpLock>,
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.hang_up {
            let _ = hangup(self.line.as_mut(), self.modem, DTR_HOLD, self.guard);
        }
    }
}

fn settings(a: &LineArgs) -> Settings {
    Settings {
        baud: a.baud,
        data_bits: a.databits,
        parity: match a.parity {
            ParityArg::None => b'N',
            ParityArg::Even => b'E',
            ParityArg::Odd => b'O',
        },
        stop_bits: a.stopbits,
        flow: match a.flow {
            FlowArg::None => Flow::None,
            FlowArg::Hardware => Flow::Hardware,
            FlowArg::Software => Flow::Software,
        },
    }
}

/// Runs `program` on the line the arguments name. Messages and the live transcript go to `err`
/// (standard output may be the line itself). Returns the exit code.
pub fn run(
    args: &LineArgs,
    file: &SourceFile,
    program: Program,
    creds: Credentials,
    timeout: u64,
    err: &mut dyn Write,
) -> std::io::Result<i32> {
    let signals = match Signals::install() {
        Ok(s) => s,
        Err(e) => {
            writeln!(err, "error: cannot catch signals: {e}")?;
            return Ok(exit::USAGE);
        }
    };
    let mut session = if args.stdio {
        Session {
            line: Box::new(StdioLine),
            modem: false,
            guard: Duration::ZERO,
            hang_up: false,
            _lock: None,
        }
    } else {
        let Some(port) = &args.port else {
            writeln!(err, "error: no line: give --port DEV or --stdio")?;
            return Ok(exit::USAGE);
        };
        let lock = match UucpLock::acquire(port, &args.lock_dir) {
            Ok(l) => l,
            Err(dialscript_serial::LockError::InUse { pid, .. }) => {
                writeln!(
                    err,
                    "error: port {} is in use by PID {pid} (RAS error 633: the port is already in use)",
                    port.display()
                )?;
                return Ok(exit::LINE);
            }
            Err(e) => {
                writeln!(err, "error: port {}: {e}", port.display())?;
                return Ok(exit::LINE);
            }
        };
        let line = match SerialLine::open(&port.display().to_string(), settings(args)) {
            Ok(l) => l.with_signals(signals.clone()),
            Err(e) => {
                writeln!(err, "error: cannot open {}: {e}", port.display())?;
                return Ok(exit::LINE);
            }
        };
        Session {
            line: Box::new(line),
            modem: args.dial.is_some(),
            guard: Duration::from_millis(args.guard_ms),
            hang_up: true,
            _lock: Some(lock),
        }
    };
    let clock = Instant::now();
    let show_as = |e: &Event, source: dialscript_sim::Source, err: &mut dyn Write| {
        let entry = dialscript_sim::Entry {
            time: e.time,
            source,
            event: e.kind.clone(),
            span: e.span,
        };
        // One write per line: standard error is unbuffered, and `writeln!` would make the
        // line and its end two system calls while the script waits.
        let mut text = transcript::human_line(file, &entry);
        text.push('\n');
        let _ = err.write_all(text.as_bytes());
    };
    let show = |e: &Event, err: &mut dyn Write| show_as(e, dialscript_sim::Source::Script, err);

    // What the remote said right after `CONNECT`, in the same reads: the script's to see.
    let mut after_connect = Vec::new();
    if let Some(number) = &args.dial {
        let mut log = |sent: bool, bytes: &[u8]| {
            let kind = if sent {
                EventKind::Sent(bytes.to_vec())
            } else {
                EventKind::Received(bytes.to_vec())
            };
            let e = Event {
                time: clock.elapsed(),
                span: None,
                kind,
            };
            show_as(&e, dialscript_sim::Source::Dial, err);
        };
        let stop = || signals.received().is_some();
        match modem::dial(
            session.line.as_mut(),
            &args.init,
            number,
            Duration::from_secs(args.dial_timeout),
            &mut log,
            &stop,
        ) {
            Ok(connect) => {
                let _ = writeln!(
                    err,
                    "{:>9.3} dial   {connect}",
                    clock.elapsed().as_secs_f64()
                );
                after_connect = connect.rest;
            }
            Err(modem::DialError::Interrupted) => {
                drop(session);
                return Ok(signal_exit(signals.received()));
            }
            Err(e) => {
                writeln!(err, "error: dialling {number} failed: {e}")?;
                return Ok(exit::LINE);
            }
        }
    }

    let limits = Limits {
        run_deadline: (timeout > 0).then(|| Duration::from_secs(timeout)),
        ..Limits::default()
    };
    let mut vm = Vm::new(Arc::new(program), creds, limits);
    vm.feed(clock.elapsed(), &after_connect);
    let ended = drive(&mut vm, session.line.as_mut(), &signals, clock, &mut |e| {
        show(e, err)
    });
    // Success hands the line over (to PPP) as it is; every other end hangs up.
    session.hang_up = ended.outcome != Outcome::Completed && !args.stdio;
    let method = if session.hang_up {
        describe_hangup(&mut session)
    } else {
        None
    };
    drop(session);
    if let Some(m) = method {
        writeln!(err, "hung up the line ({m})")?;
    }
    writeln!(err, "result: {}", transcript::outcome_text(&ended.outcome))?;
    if ended.signal.is_some() {
        return Ok(signal_exit(ended.signal));
    }
    Ok(match ended.outcome {
        Outcome::Completed => exit::COMPLETED,
        Outcome::Halted => exit::HALTED,
        Outcome::TimedOut => exit::TIMED_OUT,
        Outcome::LineFailure(_) => exit::LINE,
        Outcome::RuntimeError { .. } => exit::RUNTIME,
        Outcome::Cancelled => exit::CANCELLED,
    })
}

/// Hangs up now (so the message can say how) and keeps the session from doing it again.
fn describe_hangup(s: &mut Session) -> Option<&'static str> {
    s.hang_up = false;
    Some(match hangup(s.line.as_mut(), s.modem, DTR_HOLD, s.guard) {
        HangupMethod::Dtr => "DTR dropped",
        HangupMethod::Escape => "+++ and ATH0",
        HangupMethod::Close => "closed",
    })
}

/// 128 plus the signal number, as shells report a process killed by it.
fn signal_exit(signal: Option<i32>) -> i32 {
    signal.map_or(exit::CANCELLED, |s| 128 + s)
}
