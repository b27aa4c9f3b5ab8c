//! A line over any file descriptor that polls: a pty master, a socket, a pipe pair.

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use dialscript_syntax::ast::PortSetting;
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use crate::line::{Line, Read};

/// A line over a descriptor (read and write on the same one).
#[derive(Debug)]
pub struct FdLine {
    fd: OwnedFd,
    name: String,
}

impl FdLine {
    /// Wraps `fd`, calling it `name` in messages.
    pub fn new(fd: OwnedFd, name: impl Into<String>) -> FdLine {
        FdLine {
            fd,
            name: name.into(),
        }
    }

    /// The descriptor.
    pub fn fd(&self) -> &OwnedFd {
        &self.fd
    }
}

fn wait(fd: &OwnedFd, flags: PollFlags, timeout: Duration) -> io::Result<Option<PollFlags>> {
    let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
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
        let Some(revents) = wait(&self.fd, PollFlags::POLLIN, timeout)? else {
            return Ok(Read::TimedOut);
        };
        if !revents.contains(PollFlags::POLLIN)
            && revents.intersects(PollFlags::POLLHUP | PollFlags::POLLERR)
        {
            return Ok(Read::Hangup);
        }
        match nix::unistd::read(self.fd.as_fd(), buf) {
            Ok(0) => Ok(Read::Hangup),
            Ok(n) => Ok(Read::Data(n)),
            Err(Errno::EINTR | Errno::EAGAIN) => Ok(Read::TimedOut),
            // A pty master whose slave is closed reads EIO.
            Err(Errno::EIO) => Ok(Read::Hangup),
            Err(e) => Err(io::Error::from(e)),
        }
    }

    fn write_all(&mut self, mut bytes: &[u8], timeout: Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        while !bytes.is_empty() {
            match nix::unistd::write(self.fd.as_fd(), bytes) {
                Ok(n) => bytes = &bytes[n..],
                Err(Errno::EINTR) => {}
                Err(Errno::EAGAIN) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the line did not take the bytes in time",
                        ));
                    }
                    wait(&self.fd, PollFlags::POLLOUT, left)?;
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
