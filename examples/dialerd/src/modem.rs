//! The modem phase, asynchronously: initialise, dial, and read the result code, as Dial-Up
//! Networking does before it starts the script.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::timeout;

use crate::session::AttemptOutcome;

/// How long a modem has to answer a command other than a dial.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest line kept while looking for a result code; a line that never ends (noise, or
/// a device that is not a modem) must not grow without bound.
const MAX_LINE: usize = 256;

/// Result codes that end a command with a failure.
const FAILURES: [&str; 6] = [
    "BUSY",
    "NO CARRIER",
    "NO DIALTONE",
    "NO DIAL TONE",
    "NO ANSWER",
    "ERROR",
];

/// A connected call: the `CONNECT` line, and the bytes that arrived after it in the same read
/// (the ISP's first words, which belong to the script).
#[derive(Debug)]
pub struct Connected {
    /// For example `CONNECT 28800`.
    pub result: String,
    /// What followed the result line.
    pub rest: Vec<u8>,
}

/// Sends `init`, then `ATDT number`, and waits up to `dial_timeout` for the call.
pub async fn dial<IO>(
    io: &mut IO,
    init: &str,
    number: &str,
    dial_timeout: Duration,
) -> Result<Connected, AttemptOutcome>
where
    IO: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    let init = command(io, init, COMMAND_TIMEOUT).await?;
    if init.result != "OK" {
        return Err(AttemptOutcome::DialFailed(init.result));
    }
    let call = command(io, &format!("ATDT{number}"), dial_timeout).await?;
    if call.result.starts_with("CONNECT") {
        Ok(call)
    } else {
        Err(AttemptOutcome::DialFailed(call.result))
    }
}

/// Sends one command and reads whole lines until one is a result code.
async fn command<IO>(io: &mut IO, cmd: &str, wait: Duration) -> Result<Connected, AttemptOutcome>
where
    IO: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    let line_failure = |e: std::io::Error| AttemptOutcome::LineFailure(format!("{cmd}: {e}"));
    let sent = async {
        io.write_all(format!("{cmd}\r").as_bytes()).await?;
        io.flush().await
    };
    match timeout(COMMAND_TIMEOUT, sent).await {
        Ok(r) => r.map_err(line_failure)?,
        Err(_) => {
            return Err(AttemptOutcome::LineFailure(format!(
                "{cmd}: the line did not take the command in time"
            )));
        }
    }
    let read = async {
        let mut pending: Vec<u8> = Vec::new();
        let mut buf = [0u8; 512];
        loop {
            let n = io.read(&mut buf).await.map_err(line_failure)?;
            if n == 0 {
                return Err(AttemptOutcome::LineFailure(format!(
                    "{cmd}: the line hung up"
                )));
            }
            pending.extend_from_slice(&buf[..n]);
            // Look at each whole line; the command's echo and blank lines are skipped.
            while let Some(end) = pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = pending.drain(..=end).collect();
                let text = String::from_utf8_lossy(&line).trim().to_string();
                if text == "OK"
                    || text.starts_with("CONNECT")
                    || FAILURES.iter().any(|f| text.starts_with(f))
                {
                    return Ok(Connected {
                        result: text,
                        rest: pending,
                    });
                }
            }
            if pending.len() > MAX_LINE {
                pending.clear();
            }
        }
    };
    match timeout(wait, read).await {
        Ok(r) => r,
        Err(_) => Err(AttemptOutcome::DialFailed(format!(
            "no answer from the modem to {cmd}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn busy_connect_and_leftover_bytes() {
        let (mut ours, mut theirs) = tokio::io::duplex(1024);
        let modem = tokio::spawn(async move {
            let mut buf = [0u8; 64];
            let _ = theirs.read(&mut buf).await;
            theirs.write_all(b"ATZ\r\r\nOK\r\n").await.expect("write");
            let _ = theirs.read(&mut buf).await;
            theirs
                .write_all(b"ATDT1\r\r\nBUSY\r\n")
                .await
                .expect("write");
            let _ = theirs.read(&mut buf).await;
            theirs.write_all(b"ATZ\r\r\nOK\r\n").await.expect("write");
            let _ = theirs.read(&mut buf).await;
            theirs
                .write_all(b"\r\nCONNECT 28800\r\nlogin: ")
                .await
                .expect("write");
            theirs
        });
        let busy = dial(&mut ours, "ATZ", "1", Duration::from_secs(60)).await;
        assert!(matches!(busy, Err(AttemptOutcome::DialFailed(r)) if r == "BUSY"));
        let call = dial(&mut ours, "ATZ", "1", Duration::from_secs(60))
            .await
            .expect("connected");
        assert_eq!(call.result, "CONNECT 28800");
        assert_eq!(call.rest, b"login: ");
        drop(modem.await);
    }

    #[tokio::test(start_paused = true)]
    async fn silent_modem_times_out() {
        let (mut ours, _theirs) = tokio::io::duplex(1024);
        let r = dial(&mut ours, "ATZ", "1", Duration::from_secs(60)).await;
        assert!(matches!(r, Err(AttemptOutcome::DialFailed(m)) if m.contains("no answer")));
    }
}
