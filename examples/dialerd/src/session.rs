//! One attempt: take the line, dial, run the script, and (after a login) the post-connect
//! actions.
//!
//! Everything an attempt holds (the port, its UUCP lock, the in-process ISP) is owned by a
//! [`Line`] value, so every way out of an attempt releases it the same way: returning, an
//! error, the run deadline, or a shutdown that drops the whole future mid-dial.

use std::process::Stdio;
use std::time::Duration;

use dialscript_serial::UucpLock;
use dialscript_serial::asynchronous::{drive_async, open_port, serve_async};
use dialscript_sim::{Peer, Profile};
use dialscript_vm::{Limits, Outcome, Vm};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::config::{Command, Config, Connection, LineKind};
use crate::modem;
use crate::smtp;

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The script reached `endproc`: logged in.
    Completed,
    /// The modem did not connect: its result code (`BUSY`, `NO CARRIER`, ...) or silence.
    DialFailed(String),
    /// The line could not be taken or failed: in use, cannot open, I/O error, carrier lost.
    LineFailure(String),
    /// The script ended without logging in: `halt`, a runtime error.
    ScriptFailed(Outcome),
    /// The run deadline passed.
    TimedOut,
}

impl AttemptOutcome {
    /// One word for the log.
    pub fn word(&self) -> &'static str {
        match self {
            AttemptOutcome::Completed => "completed",
            AttemptOutcome::DialFailed(r) if r == "BUSY" => "busy",
            AttemptOutcome::DialFailed(r) if r == "NO CARRIER" => "no-carrier",
            AttemptOutcome::DialFailed(_) => "dial-failed",
            AttemptOutcome::LineFailure(_) => "line-failure",
            AttemptOutcome::ScriptFailed(o) => o.as_str(),
            AttemptOutcome::TimedOut => "timed-out",
        }
    }

    /// What went wrong, when there is more to say than the word.
    pub fn detail(&self) -> Option<String> {
        match self {
            AttemptOutcome::DialFailed(r) if self.word() == "dial-failed" => Some(r.clone()),
            AttemptOutcome::LineFailure(m) => Some(m.clone()),
            AttemptOutcome::ScriptFailed(Outcome::RuntimeError { code, message, .. }) => {
                Some(format!("{}: {message}", code.code))
            }
            _ => None,
        }
    }

    /// Whether dialling again soon may help. A busy number, a missing carrier or a failed
    /// line often do; a script that halts or cannot log in will do the same again.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            AttemptOutcome::DialFailed(_) | AttemptOutcome::LineFailure(_)
        )
    }
}

/// Anything a script can run on.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Aborts a spawned task when dropped, so that the in-process ISP never outlives its call.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A line held by an attempt. Fields drop in order: the port closes (which drops DTR on a
/// real modem line, hanging up), then the ISP task ends, then the lock goes.
pub struct Line {
    /// The byte stream.
    pub io: Box<dyn Io>,
    _isp: Option<AbortOnDrop>,
    _lock: Option<UucpLock>,
}

/// Takes the line of `conn` for its `dial`-th dial since start-up (1-based).
pub fn open(config: &Config, conn: &Connection, dial: u32) -> Result<Line, AttemptOutcome> {
    match &conn.line {
        LineKind::Serial { port, baud } => {
            // The lock first: a port that another dialer holds must not even be opened.
            let lock = UucpLock::acquire(port, &config.lock_dir)
                .map_err(|e| AttemptOutcome::LineFailure(format!("{}: {e}", port.display())))?;
            let io = open_port(&port.to_string_lossy(), *baud).map_err(|e| {
                AttemptOutcome::LineFailure(format!("cannot open {}: {e}", port.display()))
            })?;
            Ok(Line {
                io: Box::new(io),
                _isp: None,
                _lock: Some(lock),
            })
        }
        LineKind::Simulated {
            profile,
            faults,
            faults_per_attempt,
            seed,
            speedup,
        } => {
            let mut all = faults.clone();
            if let Some(extra) = faults_per_attempt.get(dial as usize - 1) {
                all.extend_from_slice(extra);
            }
            let creds = &conn.credentials;
            let mut peer = Peer::new(
                Profile::clone(profile),
                &all,
                seed.wrapping_add(u64::from(dial)),
                Some((creds.user.clone(), creds.password.clone())),
            );
            peer.set_speedup(*speedup);
            let (ours, mut theirs) = tokio::io::duplex(4096);
            let isp = tokio::spawn(async move {
                serve_async(&mut peer, &mut theirs).await;
            });
            Ok(Line {
                io: Box::new(ours),
                _isp: Some(AbortOnDrop(isp)),
                _lock: None,
            })
        }
    }
}

/// One attempt: takes the line, dials and logs in. On success the line is returned still
/// held (the link is up); on failure it is already closed and unlocked.
pub async fn attempt(
    config: &Config,
    conn: &Connection,
    dial: u32,
) -> Result<Line, AttemptOutcome> {
    let mut line = open(config, conn, dial)?;
    match login(conn, &mut line, config.run_deadline).await {
        AttemptOutcome::Completed => Ok(line),
        failed => Err(failed),
    }
}

/// Dials (when the connection has a number, and always on the simulated ISP, whose modem
/// answers any number) and runs the script, all within `deadline`.
pub async fn login(conn: &Connection, line: &mut Line, deadline: Duration) -> AttemptOutcome {
    let start = Instant::now();
    let work = async {
        let number = match (&conn.line, &conn.number) {
            (_, Some(n)) => Some(n.as_str()),
            (LineKind::Simulated { .. }, None) => Some("0"),
            (LineKind::Serial { .. }, None) => None,
        };
        let mut early = Vec::new();
        if let Some(number) = number {
            match modem::dial(&mut *line.io, &conn.init, number, conn.dial_timeout).await {
                Ok(call) => early = call.rest,
                Err(failed) => return failed,
            }
        }
        // The script gets what is left of the deadline; the VM ends the run itself then,
        // and the timeout around this block only guards the modem phase.
        let limits = Limits {
            run_deadline: Some(deadline.saturating_sub(start.elapsed())),
            ..Limits::default()
        };
        let mut vm = Vm::new(conn.program.clone(), conn.credentials.clone(), limits);
        vm.record_events(false);
        let script_start = Instant::now();
        vm.feed(std::time::Duration::ZERO, &early);
        match drive_async(&mut vm, &mut *line.io, script_start, &mut |_| {}).await {
            Outcome::Completed => AttemptOutcome::Completed,
            Outcome::TimedOut => AttemptOutcome::TimedOut,
            Outcome::LineFailure(m) => AttemptOutcome::LineFailure(m),
            other => AttemptOutcome::ScriptFailed(other),
        }
    };
    tokio::time::timeout(deadline, work)
        .await
        .unwrap_or(AttemptOutcome::TimedOut)
}

/// What a post-connect action did, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionReport {
    /// `etrn` or `command`.
    pub action: &'static str,
    /// Whether it did its job.
    pub ok: bool,
    /// Replies, an exit status, or what went wrong.
    pub detail: String,
    /// How long it took.
    pub duration: Duration,
}

/// Runs the post-connect actions on a logged-in line: the command (with the line on its
/// standard input and output) and ETRN (after its delay) at the same time, because ETRN
/// usually needs the link that the command (pppd) brings up. Returns when both are done.
pub async fn after_login(conn: &Connection, line: &mut Line) -> Vec<ActionReport> {
    let command = async {
        let cmd = conn.command.as_ref()?;
        let start = Instant::now();
        let (ok, detail) = run_command(&conn.name, cmd, &mut *line.io).await;
        Some(ActionReport {
            action: "command",
            ok,
            detail,
            duration: start.elapsed(),
        })
    };
    let etrn = async {
        let cfg = conn.etrn.as_ref()?;
        tokio::time::sleep(cfg.delay).await;
        let start = Instant::now();
        let (ok, detail) = match smtp::etrn(cfg).await {
            Ok(replies) => {
                let words: Vec<String> = replies.iter().map(|(d, c)| format!("{d}={c}")).collect();
                (true, words.join(" "))
            }
            Err(e) => (false, e),
        };
        Some(ActionReport {
            action: "etrn",
            ok,
            detail,
            duration: start.elapsed(),
        })
    };
    let (a, b) = tokio::join!(command, etrn);
    a.into_iter().chain(b).collect()
}

/// Starts the command and relays bytes between it and the line until it exits. A command
/// that needs a terminal of its own is told otherwise (pppd: `notty`), since its standard
/// input and output are pipes. Dropping this future (a shutdown) kills the command.
async fn run_command(name: &str, cmd: &Command, line: &mut dyn Io) -> (bool, String) {
    let child = tokio::process::Command::new(&cmd.program)
        .args(&cmd.args)
        .env("DIALERD_CONNECTION", name)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return (false, format!("cannot start {}: {e}", cmd.program)),
    };
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return (false, "the command has no pipes".into());
    };
    let mut pipes = tokio::io::join(stdout, stdin);
    let exited = tokio::select! {
        status = child.wait() => Some(status),
        _ = tokio::io::copy_bidirectional(line, &mut pipes) => None,
    };
    let status = match exited {
        Some(status) => status,
        // The line hung up (or a pipe broke): close the command's input and let it finish.
        None => {
            drop(pipes);
            child.wait().await
        }
    };
    match status {
        Ok(s) => (s.success(), format!("{} {s}", cmd.program)),
        Err(e) => (false, format!("{}: {e}", cmd.program)),
    }
}
