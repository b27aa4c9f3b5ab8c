//! A line over any file descriptor that polls: a pty master, a socket, a pipe pair.

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use dialscript_syntax::ast::PortSetting;
use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use crate::driver::SIGNAL_CHECK;
use crate::line::{Line, Read};
use crate::signals::Signals;

/// A line over a descriptor (read and write on the same one).
///
/// The descriptor is made non-blocking when the line is created, whatever mode it came in:
/// only then can a write that the other end does not take fail after its timeout instead of
/// waiting until the other end reads again, which may be never. The mode belongs to the open
/// file, so duplicates of the descriptor made elsewhere become non-blocking too.
#[derive(Debug)]
pub struct FdLine {
    fd: OwnedFd,
    name: String,
    signals: Signals,
}

impl FdLine {
    /// Wraps `fd`, calling it `name` in messages, and makes it non-blocking.
    pub fn new(fd: OwnedFd, name: impl Into<String>) -> FdLine {
        // F_GETFL and F_SETFL fail only on a descriptor that is not open, and an `OwnedFd` is
        // open for as long as it lives, so there is no error to report here.
        let _ = set_nonblocking(&fd);
        FdLine {
            fd,
            name: name.into(),
            signals: Signals::none(),
        }
    }

    /// Makes a write that is waiting for the other end give up with `Interrupted` soon after
    /// one of `signals` arrives, instead of waiting out its whole timeout: a server that was
    /// asked to stop must not wait for a caller that stopped reading.
    pub fn with_signals(mut self, signals: Signals) -> FdLine {
        self.signals = signals;
        self
    }

    /// The descriptor.
    pub fn fd(&self) -> &OwnedFd {
        &self.fd
    }
}

fn set_nonblocking(fd: &OwnedFd) -> nix::Result<()> {
    let flags = OFlag::from_bits_retain(fcntl(fd, FcntlArg::F_GETFL)?);
    if !flags.contains(OFlag::O_NONBLOCK) {
        fcntl(fd, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK))?;
    }
    Ok(())
}

/// Polls `fd` for `flags` for at most `timeout`; `None` when the time ran out or a signal
/// interrupted the wait.
fn wait(fd: &OwnedFd, flags: PollFlags, timeout: Duration) -> io::Result<Option<PollFlags>> {
    // Rounded up: a wait of less than a millisecond must not become a poll that returns at
    // once, which would make the callers spin until their deadline.
    let ms = timeout.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32;
    let mut fds = [PollFd::new(fd.as_fd(), flags)];
    match poll(
        &mut fds,
        PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX),
    ) {
        Ok(0) | Err(Errno::EINTR) => Ok(None),
        Ok(_) => Ok(Some(fds[0].revents().unwrap_or(PollFlags::empty()))),
        Err(e) => Err(io::Error::from(e)),
    }
}

impl Line for FdLine {
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<Read> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(revents) = wait(&self.fd, PollFlags::POLLIN, left)? else {
                return Ok(Read::TimedOut);
            };
            if !revents.contains(PollFlags::POLLIN)
                && revents.intersects(PollFlags::POLLHUP | PollFlags::POLLERR)
            {
                return Ok(Read::Hangup);
            }
            match nix::unistd::read(self.fd.as_fd(), buf) {
                Ok(0) => return Ok(Read::Hangup),
                Ok(n) => return Ok(Read::Data(n)),
                // A signal: the caller looks at its flag before it reads again.
                Err(Errno::EINTR) => return Ok(Read::TimedOut),
                // The poll woke without data for us (a spurious wake-up, or another reader of
                // the same file took the bytes): nothing has arrived yet, so wait out the rest
                // of the timeout.
                Err(Errno::EAGAIN) if !left.is_zero() => {}
                Err(Errno::EAGAIN) => return Ok(Read::TimedOut),
                // A pty master whose slave is closed reads EIO.
                Err(Errno::EIO) => return Ok(Read::Hangup),
                Err(e) => return Err(io::Error::from(e)),
            }
        }
    }

    fn write_all(&mut self, mut bytes: &[u8], timeout: Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        while !bytes.is_empty() {
            match nix::unistd::write(self.fd.as_fd(), bytes) {
                Ok(n) => bytes = &bytes[n..],
                Err(Errno::EINTR) => {}
                // The other end's buffer is full: wait until it takes more, the time is up or
                // a signal asks us to stop.
                Err(Errno::EAGAIN) => {
                    if self.signals.received().is_some() {
                        return Err(io::Error::new(
                            io::ErrorKind::Interrupted,
                            "stopped by a signal while the line did not take the bytes",
                        ));
                    }
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the line did not take the bytes in time",
                        ));
                    }
                    // In slices no longer than the driver's own signal check, so that a signal
                    // is seen as soon as the driver would see it.
                    wait(&self.fd, PollFlags::POLLOUT, left.min(SIGNAL_CHECK))?;
                }
                Err(Errno::EIO) => {
                    return Err(io::Error::new(
                        io::ErrorKind::BrokenPipe,
                        "the other end is closed",
                    ));
                }
                Err(e) => return Err(io::Error::from(e)),
            }
        }
        Ok(())
    }

    fn set_port(&mut self, setting: PortSetting) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("`set port` ({setting:?}) needs a serial port"),
        ))
    }

    fn pulse_dtr(&mut self, _hold: Duration) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "no DTR on this line",
        ))
    }

    fn carrier(&mut self) -> Option<bool> {
        None
    }

    fn name(&self) -> &str {
        &self.name
    }
}
