//! The modem phase: initialise, dial, and turn the result code into an outcome, as Dial-Up
//! Networking does before it starts the script.

use std::io;
use std::time::{Duration, Instant};

use crate::line::{Line, Read};

/// How long a modem has to answer an `AT` command.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);

/// Why dialling failed.
#[derive(Debug)]
pub enum DialError {
    /// The modem answered with this result code (`BUSY`, `NO CARRIER`, `NO DIALTONE`,
    /// `NO ANSWER`, `ERROR`).
    Result(String),
    /// The modem said nothing in time.
    Timeout(&'static str),
    /// The line failed.
    Io(io::Error),
    /// The run was interrupted.
    Interrupted,
}

impl std::fmt::Display for DialError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DialError::Result(r) => write!(f, "the modem says {r}"),
            DialError::Timeout(what) => write!(f, "no answer from the modem {what}"),
            DialError::Io(e) => write!(f, "{e}"),
            DialError::Interrupted => write!(f, "interrupted"),
        }
    }
}

const FAILURES: [&str; 6] = [
    "BUSY",
    "NO CARRIER",
    "NO DIALTONE",
    "NO DIAL TONE",
    "NO ANSWER",
    "ERROR",
];

/// Sends `command` and reads lines until one starts with a result code, or `timeout`
/// passes. `stop` is asked between reads whether to give up (a signal arrived).
pub fn command(
    line: &mut dyn Line,
    command: &str,
    timeout: Duration,
    log: &mut dyn FnMut(bool, &[u8]),
    stop: &dyn Fn() -> bool,
) -> Result<String, DialError> {
    let bytes = format!("{command}\r");
    log(true, bytes.as_bytes());
    line.write_all(bytes.as_bytes(), COMMAND_TIMEOUT)
        .map_err(DialError::Io)?;
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        if stop() {
            return Err(DialError::Interrupted);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(DialError::Timeout(if command.starts_with("ATD") {
                "after dialling"
            } else {
                "to the initialisation"
            }));
        }
        match line
            .read(&mut buf, left.min(Duration::from_millis(200)))
            .map_err(DialError::Io)?
        {
            Read::Data(n) => {
                log(false, &buf[..n]);
                seen.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&seen).into_owned();
                // Only whole lines count: CONNECT is followed by its speed.
                for l in text.split_inclusive('\n').filter(|l| l.ends_with('\n')) {
                    let l = l.trim();
                    if l == "OK"
                        || l.starts_with("CONNECT")
                        || FAILURES.iter().any(|f| l.starts_with(f))
                    {
                        return Ok(l.to_string());
                    }
                }
            }
            Read::TimedOut => {}
            Read::Hangup => {
                return Err(DialError::Io(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "the line hung up",
                )));
            }
        }
    }
}

/// Initialises the modem with `init` and dials `number`. Returns the `CONNECT` line.
pub fn dial(
    line: &mut dyn Line,
    init: &str,
    number: &str,
    timeout: Duration,
    log: &mut dyn FnMut(bool, &[u8]),
    stop: &dyn Fn() -> bool,
) -> Result<String, DialError> {
    let r = command(line, init, COMMAND_TIMEOUT, log, stop)?;
    if r != "OK" {
        return Err(DialError::Result(r));
    }
    let r = command(line, &format!("ATDT{number}"), timeout, log, stop)?;
    if r.starts_with("CONNECT") {
        Ok(r)
    } else {
        Err(DialError::Result(r))
    }
}
