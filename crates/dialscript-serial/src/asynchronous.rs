//! The async driver (cargo feature `tokio`): the same loop as [`crate::drive`], for any
//! `AsyncRead + AsyncWrite` stream, so thousands of sessions share a few threads. The VM
//! stays sans-IO; only this module knows tokio.
//!
//! Cancelling is dropping: a session's future owns its port and its lock, and dropping the
//! future (a timeout, `JoinHandle::abort`, a shutdown) closes the port and removes the lock.
//!
//! ```
//! use std::sync::Arc;
//! use dialscript_serial::asynchronous::{drive_async, serve_async};
//! use dialscript_sim::{Peer, Profile};
//! use dialscript_vm::{Credentials, Limits, Outcome, Vm, compile_source};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
//! let program = Arc::new(compile_source(b"proc main\n waitfor \"ogin:\" until 30\n if $SUCCESS then\n  transmit $USERID, raw\n  transmit \"^M\"\n  waitfor \"assword:\" until 30\n  if $SUCCESS then\n   transmit $PASSWORD, raw\n   transmit \"^M\"\n  endif\n endif\nendproc\n").unwrap());
//! let (mut ours, mut theirs) = tokio::io::duplex(1024);
//! let mut peer = Peer::new(Profile::built_in("unix-login").unwrap(), &[], 1, None);
//! peer.dial_now();
//! let isp = tokio::spawn(async move { serve_async(&mut peer, &mut theirs).await });
//! let creds = Credentials { user: b"demo".to_vec(), password: b"demo".to_vec(), mask_user: false };
//! let mut vm = Vm::new(program, creds, Limits::default());
//! let outcome = drive_async(&mut vm, &mut ours, tokio::time::Instant::now(), &mut |_| {}).await;
//! assert_eq!(outcome, Outcome::Completed);
//! # drop(ours); let _ = isp.await; });
//! ```

use std::time::Duration;

use dialscript_sim::Peer;
use dialscript_vm::{Action, Event, Outcome, Vm};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{Instant, sleep_until, timeout};

use crate::driver::write_limit;
use crate::serve::{CallEnd, CallReport};

/// The most bytes one read of [`drive_async`] takes. A modem line brings a few bytes per
/// millisecond, and a larger burst is simply read in several pieces; the buffer lives as long
/// as the session, so with thousands of sessions in one process its size is most of what a
/// session costs.
pub const READ_CHUNK: usize = 1024;

/// Runs `vm` on `io` until it is done. `start` is when the session started (tokio's clock, so
/// that paused time works in tests).
pub async fn drive_async<IO>(
    vm: &mut Vm,
    io: &mut IO,
    start: Instant,
    on_event: &mut (dyn FnMut(&Event) + Send),
) -> Outcome
where
    IO: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        let action = vm.poll(start.elapsed());
        for e in vm.take_events() {
            on_event(&e);
        }
        match action {
            Action::Transmit(bytes) => {
                let limit = write_limit(vm, start.elapsed());
                let sent = timeout(limit, async {
                    io.write_all(&bytes).await?;
                    io.flush().await
                })
                .await;
                match sent {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => vm.line_failure(start.elapsed(), format!("cannot write: {e}")),
                    Err(_) => {
                        vm.line_failure(start.elapsed(), "the line did not take the bytes in time")
                    }
                }
            }
            Action::SetPort(_) | Action::SetIpAddr(_) | Action::SetKeyboard(_) => {}
            Action::Yield => tokio::task::yield_now().await,
            Action::Wait { until } => {
                let read = async { io.read(&mut buf).await };
                let got = match until {
                    Some(u) => {
                        tokio::select! {
                            r = read => Some(r),
                            () = sleep_until(start + u) => None,
                        }
                    }
                    None => Some(read.await),
                };
                match got {
                    None => {}
                    Some(Ok(0)) => vm.line_failure(start.elapsed(), "the line hung up"),
                    Some(Ok(n)) => vm.feed(start.elapsed(), &buf[..n]),
                    Some(Err(e)) => vm.line_failure(start.elapsed(), format!("cannot read: {e}")),
                }
            }
            Action::Done(outcome) => {
                for e in vm.take_events() {
                    on_event(&e);
                }
                return outcome;
            }
        }
    }
}

/// Serves one call of the simulated modem and ISP on `io`, in tokio's time: the async
/// counterpart of [`crate::serve::serve`], for in-process peers.
pub async fn serve_async<IO>(peer: &mut Peer, io: &mut IO) -> CallReport
where
    IO: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    let start = Instant::now();
    let mut buf = vec![0u8; 1024];
    let end = loop {
        let out = peer.poll(start.elapsed());
        for (bytes, _) in &out.pieces {
            if io.write_all(bytes).await.is_err() {
                return CallReport {
                    end: CallEnd::CallerGone,
                    logged_in: peer.logged_in(),
                };
            }
        }
        if out.hangup {
            break CallEnd::PeerHungUp;
        }
        let wake = peer.next_wake();
        let read = async { io.read(&mut buf).await };
        let got = match wake {
            Some(t) => {
                tokio::select! {
                    r = read => Some(r),
                    () = sleep_until(start + t) => None,
                }
            }
            None => Some(read.await),
        };
        match got {
            None => {}
            Some(Ok(0)) | Some(Err(_)) => break CallEnd::CallerGone,
            Some(Ok(n)) => {
                let t = start.elapsed();
                for &b in &buf[..n] {
                    peer.receive(t, b);
                }
            }
        }
    };
    let _ = io.shutdown().await;
    CallReport {
        end,
        logged_in: peer.logged_in(),
    }
}

/// Opens a serial port for the async driver.
pub fn open_port(path: &str, baud: u32) -> std::io::Result<tokio_serial::SerialStream> {
    use tokio_serial::SerialPortBuilderExt;
    tokio_serial::new(path, baud)
        .timeout(Duration::from_millis(100))
        .open_native_async()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use dialscript_vm::{Credentials, Limits, compile_source};

    use super::*;

    /// A line that stops taking bytes ends the run at its deadline, in tokio's paused time,
    /// not after the longer write limit.
    #[tokio::test(start_paused = true)]
    async fn a_write_the_line_does_not_take_ends_at_the_run_deadline() {
        let program = compile_source(
            b"proc main\n   while TRUE do\n      transmit \"0123456789abcdef\"\n      delay 0\n   endwhile\nendproc\n",
        )
        .expect("the script compiles");
        let limits = Limits {
            run_deadline: Some(Duration::from_secs(2)),
            ..Limits::default()
        };
        let mut vm = Vm::new(Arc::new(program), Credentials::default(), limits);
        // A pipe of 64 bytes whose other end is kept but never read.
        let (mut ours, _theirs) = tokio::io::duplex(64);
        let start = Instant::now();
        let outcome = drive_async(&mut vm, &mut ours, start, &mut |_| {}).await;
        assert_eq!(
            outcome,
            Outcome::LineFailure("the line did not take the bytes in time".to_string())
        );
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }
}
