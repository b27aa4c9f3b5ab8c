//! Pseudo-terminals for the line benchmarks: a raw pty pair whose master the measuring
//! process holds, and blocking reads with timeouts on it.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::pty::openpty;
use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};

/// A pty pair in raw mode.
#[derive(Debug)]
pub struct Pty {
    /// The measuring side.
    pub master: OwnedFd,
    /// The tool's side, until it is handed over or dropped. While some process holds it open,
    /// the master reads no EIO.
    pub slave: Option<OwnedFd>,
    /// The slave's path, for tools that open a port by name.
    pub path: PathBuf,
}

/// Makes a terminal raw: no echo, no line editing, no CR/LF translation, as a serial port in
/// raw mode behaves. Without this the slave would echo every prompt back to the master.
pub fn make_raw(fd: BorrowedFd<'_>) -> Result<(), String> {
    let mut t = tcgetattr(fd).map_err(|e| format!("cannot read the terminal settings: {e}"))?;
    cfmakeraw(&mut t);
    tcsetattr(fd, SetArg::TCSANOW, &t).map_err(|e| format!("cannot make the terminal raw: {e}"))
}

impl Pty {
    /// Opens a pair and makes the slave raw.
    pub fn open() -> Result<Pty, String> {
        let p = openpty(None, None).map_err(|e| format!("cannot open a pty: {e}"))?;
        make_raw(p.slave.as_fd())?;
        let path = nix::unistd::ttyname(p.slave.as_fd())
            .map_err(|e| format!("cannot name the pty: {e}"))?;
        Ok(Pty {
            master: p.master,
            slave: Some(p.slave),
            path,
        })
    }

    /// The slave's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// What a read found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Got {
    /// This many bytes.
    Data(usize),
    /// Nothing before the timeout.
    Nothing,
    /// The other side is closed (EIO on a pty master, end of file elsewhere).
    Closed,
}

/// Waits up to `timeout` for `fd` to be readable (or closed). Returns false on timeout.
pub fn readable(fd: BorrowedFd<'_>, timeout: Duration) -> Result<bool, String> {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        // Round up, so that a wait of less than a millisecond is not a busy poll of zero.
        let ms = left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32;
        let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
        match poll(
            &mut fds,
            PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX),
        ) {
            Ok(0) if left.is_zero() => return Ok(false),
            Ok(0) | Err(Errno::EINTR) => {}
            Ok(_) => return Ok(true),
            Err(e) => return Err(format!("poll: {e}")),
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
    }
}

/// Reads what is there, waiting up to `timeout` for something.
pub fn read(fd: BorrowedFd<'_>, buf: &mut [u8], timeout: Duration) -> Result<Got, String> {
    if !readable(fd, timeout)? {
        return Ok(Got::Nothing);
    }
    read_now(fd, buf)
}

/// Reads after `poll` said the descriptor is readable.
pub fn read_now(fd: BorrowedFd<'_>, buf: &mut [u8]) -> Result<Got, String> {
    match nix::unistd::read(fd, buf) {
        Ok(0) | Err(Errno::EIO) => Ok(Got::Closed),
        Ok(n) => Ok(Got::Data(n)),
        Err(Errno::EINTR | Errno::EAGAIN) => Ok(Got::Nothing),
        Err(e) => Err(format!("read: {e}")),
    }
}

/// Writes all of `bytes`.
pub fn write_all(fd: BorrowedFd<'_>, mut bytes: &[u8]) -> Result<(), String> {
    while !bytes.is_empty() {
        match nix::unistd::write(fd, bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(Errno::EINTR) => {}
            Err(e) => return Err(format!("write: {e}")),
        }
    }
    Ok(())
}

/// Reads and throws away whatever is waiting; returns how many bytes that was.
pub fn drain(fd: BorrowedFd<'_>) -> Result<usize, String> {
    let mut buf = [0u8; 4096];
    let mut total = 0;
    while let Got::Data(n) = read(fd, &mut buf, Duration::ZERO)? {
        total += n;
    }
    Ok(total)
}

/// One end of a dialogue: waits for strings in what arrives and sends answers.
#[derive(Debug)]
pub struct Dialogue<'a> {
    fd: BorrowedFd<'a>,
    seen: Vec<u8>,
}

impl<'a> Dialogue<'a> {
    /// A dialogue on `fd`.
    pub fn new(fd: BorrowedFd<'a>) -> Dialogue<'a> {
        Dialogue {
            fd,
            seen: Vec::new(),
        }
    }

    /// Waits until `needle` has arrived and consumes everything through it.
    pub fn expect(&mut self, needle: &[u8], timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 4096];
        loop {
            if let Some(at) = self.seen.windows(needle.len()).position(|w| w == needle) {
                self.seen.drain(..at + needle.len());
                return Ok(());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "no {:?} within {} s (got {:?})",
                    String::from_utf8_lossy(needle),
                    timeout.as_secs(),
                    String::from_utf8_lossy(&self.seen)
                ));
            }
            match read(self.fd, &mut buf, left)? {
                Got::Data(n) => self.seen.extend_from_slice(&buf[..n]),
                Got::Nothing => {}
                Got::Closed => {
                    return Err(format!(
                        "the line closed while waiting for {:?}",
                        String::from_utf8_lossy(needle)
                    ));
                }
            }
        }
    }

    /// Sends `bytes`.
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        write_all(self.fd, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_cross_a_raw_pty_unchanged() {
        let mut pty = Pty::open().expect("a pty");
        let slave = pty.slave.take().expect("slave");
        write_all(pty.master.as_fd(), b"login:\r").expect("write");
        let mut d = Dialogue::new(slave.as_fd());
        d.expect(b"login:\r", Duration::from_secs(5))
            .expect("arrives raw");
        write_all(slave.as_fd(), b"x\r").expect("answer");
        let mut m = Dialogue::new(pty.master.as_fd());
        m.expect(b"x\r", Duration::from_secs(5))
            .expect("no echo, no translation");
        assert_eq!(drain(pty.master.as_fd()), Ok(0));
        drop(slave);
        let mut buf = [0u8; 16];
        assert_eq!(
            read(pty.master.as_fd(), &mut buf, Duration::from_secs(5)),
            Ok(Got::Closed)
        );
    }
}
