//! A minimal SMTP client for one job: ETRN (RFC 1985), asking the ISP's mail host to send the
//! mail it queued for our domains while the line was down. Every reply has a timeout, so a
//! mail host that stops talking cannot hold the line.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::config::Etrn;

/// The longest reply line read; a longer one is cut (the code is at its start).
const MAX_LINE: u64 = 1024;
/// The most lines one reply may have.
const MAX_LINES: usize = 100;

/// The replies RFC 1985 gives ETRN: 250 (queuing started), 251 (no messages waiting),
/// 252 and 253 (queuing started, with a count), 458 (unable to queue now), 459 (node not
/// allowed). Each is an answer about the domain; anything else is a failed exchange.
const ETRN_REPLIES: [u16; 6] = [250, 251, 252, 253, 458, 459];

/// What the host answered for each domain, in order.
pub type EtrnReplies = Vec<(String, u16)>;

/// Connects to the host, says hello, sends `ETRN` for each domain and quits.
pub async fn etrn(cfg: &Etrn) -> Result<EtrnReplies, String> {
    let stream = timeout(cfg.timeout, TcpStream::connect(&cfg.host))
        .await
        .map_err(|_| format!("{}: no connection in time", cfg.host))?
        .map_err(|e| format!("{}: {e}", cfg.host))?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let wait = cfg.timeout;

    expect(&mut read, wait, "greeting", &[220]).await?;
    send(&mut write, &format!("EHLO {}", cfg.helo)).await?;
    let (code, _) = reply(&mut read, wait, "EHLO").await?;
    if code != 250 {
        // An old host that knows no EHLO: HELO is enough for ETRN.
        send(&mut write, &format!("HELO {}", cfg.helo)).await?;
        expect(&mut read, wait, "HELO", &[250]).await?;
    }
    let mut replies = Vec::new();
    for domain in &cfg.domains {
        send(&mut write, &format!("ETRN {domain}")).await?;
        let (code, _) = expect(&mut read, wait, "ETRN", &ETRN_REPLIES).await?;
        replies.push((domain.clone(), code));
    }
    send(&mut write, "QUIT").await?;
    // The answer to QUIT changes nothing: the domains are already asked for.
    let _ = reply(&mut read, wait, "QUIT").await;
    Ok(replies)
}

async fn send(w: &mut tokio::net::tcp::OwnedWriteHalf, line: &str) -> Result<(), String> {
    w.write_all(format!("{line}\r\n").as_bytes())
        .await
        .map_err(|e| format!("cannot send {line}: {e}"))
}

/// Reads a reply and checks its code.
async fn expect<R: AsyncRead + Unpin>(
    r: &mut BufReader<R>,
    wait: Duration,
    what: &str,
    codes: &[u16],
) -> Result<(u16, String), String> {
    let (code, text) = reply(r, wait, what).await?;
    if codes.contains(&code) {
        Ok((code, text))
    } else {
        Err(format!("{what}: the host answered {code} {text}"))
    }
}

/// Reads one reply, all its lines (`250-...` continues, `250 ...` ends), within `wait`.
async fn reply<R: AsyncRead + Unpin>(
    r: &mut BufReader<R>,
    wait: Duration,
    what: &str,
) -> Result<(u16, String), String> {
    let read = async {
        let mut text = String::new();
        for _ in 0..MAX_LINES {
            let mut line = Vec::new();
            let n = (&mut *r)
                .take(MAX_LINE)
                .read_until(b'\n', &mut line)
                .await
                .map_err(|e| format!("{what}: {e}"))?;
            if n == 0 {
                return Err(format!("{what}: the host closed the connection"));
            }
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end();
            let code = line
                .get(..3)
                .and_then(|c| c.parse::<u16>().ok())
                .ok_or_else(|| format!("{what}: not an SMTP reply: {line:?}"))?;
            text.push_str(line.get(4..).unwrap_or(""));
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok((code, text));
            }
            text.push(' ');
        }
        Err(format!("{what}: a reply of more than {MAX_LINES} lines"))
    };
    timeout(wait, read)
        .await
        .map_err(|_| format!("{what}: no reply in time"))?
}
