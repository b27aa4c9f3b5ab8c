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

/// A result code, and the bytes that arrived after its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The result line, trimmed (`OK`, `CONNECT 28800`, `BUSY`).
    pub result: String,
    /// What came after the result line in the same reads. After `CONNECT` this is the start
    /// of the remote's dialogue (a greeting, often the first prompt), which belongs to the
    /// script: a fast line delivers it together with the result code.
    pub rest: Vec<u8>,
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.result)
    }
}

/// Whether a trimmed line is a final result code.
fn is_result(line: &str) -> bool {
    line == "OK" || line.starts_with("CONNECT") || FAILURES.iter().any(|f| line.starts_with(f))
}

/// Finds the first whole line of `seen`, from `from` on, that is a result code. Returns the
/// code and where its line ends; `from` moves past the whole lines looked at.
fn find_result(seen: &[u8], from: &mut usize) -> Option<(String, usize)> {
    while let Some(nl) = seen[*from..].iter().position(|&b| b == b'\n') {
        let end = *from + nl + 1;
        let line = String::from_utf8_lossy(&seen[*from..end])
            .trim()
            .to_string();
        *from = end;
        if is_result(&line) {
            return Some((line, end));
        }
    }
    None
}

/// Sends `command` and reads lines until one starts with a result code, or `timeout`
/// passes. `stop` is asked between reads whether to give up (a signal arrived). `log` sees
/// what was sent and what was read up to the end of the result line; the rest is returned.
pub fn command(
    line: &mut dyn Line,
    command: &str,
    timeout: Duration,
    log: &mut dyn FnMut(bool, &[u8]),
    stop: &dyn Fn() -> bool,
) -> Result<Answer, DialError> {
    let bytes = format!("{command}\r");
    log(true, bytes.as_bytes());
    line.write_all(bytes.as_bytes(), COMMAND_TIMEOUT)
        .map_err(DialError::Io)?;
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    let mut checked = 0;
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
                let before = seen.len();
                seen.extend_from_slice(&buf[..n]);
                // Only whole lines count: CONNECT is followed by its speed.
                if let Some((result, end)) = find_result(&seen, &mut checked) {
                    log(false, &seen[before..end]);
                    return Ok(Answer {
                        result,
                        rest: seen[end..].to_vec(),
                    });
                }
                log(false, &buf[..n]);
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

/// Initialises the modem with `init` and dials `number`. Returns the `CONNECT` line and
/// whatever followed it.
pub fn dial(
    line: &mut dyn Line,
    init: &str,
    number: &str,
    timeout: Duration,
    log: &mut dyn FnMut(bool, &[u8]),
    stop: &dyn Fn() -> bool,
) -> Result<Answer, DialError> {
    let r = command(line, init, COMMAND_TIMEOUT, log, stop)?;
    if r.result != "OK" {
        return Err(DialError::Result(r.result));
    }
    let r = command(line, &format!("ATDT{number}"), timeout, log, stop)?;
    if r.result.starts_with("CONNECT") {
        Ok(r)
    } else {
        Err(DialError::Result(r.result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_are_found_whole_and_the_rest_is_kept() {
        let seen = b"ATDT1\r\r\nCONNECT 28800\r\n\r\nWelcome\r\nService? ";
        let mut from = 0;
        let (result, end) = find_result(seen, &mut from).expect("a result");
        assert_eq!(result, "CONNECT 28800");
        assert_eq!(&seen[end..], b"\r\nWelcome\r\nService? ");
    }

    #[test]
    fn a_partial_result_line_is_not_a_result() {
        let mut from = 0;
        assert_eq!(find_result(b"\r\nCONNECT 288", &mut from), None);
        assert_eq!(from, 2);
        let mut from = 0;
        assert_eq!(
            find_result(b"ATZ\r\r\nOK\r\n", &mut from).map(|r| r.0),
            Some("OK".into())
        );
    }
}
