//! The line as pppd's `connect` option gives it: standard input and output are the serial
//! device. Messages then go to standard error, and the exit status tells pppd the result.

use std::io;
use std::os::fd::AsFd;
use std::time::Duration;

use dialscript_syntax::ast::PortSetting;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use crate::line::{Line, Read};

/// Standard input and output as a line.
#[derive(Debug, Default)]
pub struct StdioLine;

impl Line for StdioLine {
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<Read> {
        let stdin = io::stdin();
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        let mut fds = [PollFd::new(stdin.as_fd(), PollFlags::POLLIN)];
        match poll(
            &mut fds,
            PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX),
        ) {
            Ok(0) => return Ok(Read::TimedOut),
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => return Ok(Read::TimedOut),
            Err(e) => return Err(io::Error::from(e)),
        }
        let revents = fds[0].revents().unwrap_or(PollFlags::empty());
        if !revents.contains(PollFlags::POLLIN)
            && revents.intersects(PollFlags::POLLHUP | PollFlags::POLLERR)
        {
            return Ok(Read::Hangup);
        }
        // Read the descriptor itself: std's buffered stdin could keep bytes that poll would
        // then never report.
        match nix::unistd::read(stdin.as_fd(), buf) {
            Ok(0) => Ok(Read::Hangup),
            Ok(n) => Ok(Read::Data(n)),
            Err(nix::errno::Errno::EINTR | nix::errno::Errno::EAGAIN) => Ok(Read::TimedOut),
            Err(nix::errno::Errno::EIO) => Ok(Read::Hangup),
            Err(e) => Err(io::Error::from(e)),
        }
    }

    fn write_all(&mut self, mut bytes: &[u8], _timeout: Duration) -> io::Result<()> {
        // Unbuffered, for the same reason as `read`: what the script sends must be on the line
        // before it waits for the answer.
        let stdout = io::stdout();
        while !bytes.is_empty() {
            match nix::unistd::write(stdout.as_fd(), bytes) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "the line took no bytes",
                    ));
                }
                Ok(n) => bytes = &bytes[n..],
                Err(nix::errno::Errno::EINTR) => {}
                Err(e) => return Err(io::Error::from(e)),
            }
        }
        Ok(())
    }

    fn set_port(&mut self, setting: PortSetting) -> io::Result<()> {
        // pppd owns the device's settings; changing them under it would confuse it. The script
        // asked, so say what was not done.
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("`set port` ({setting:?}) is not applied to a line given by pppd"),
        ))
    }

    fn pulse_dtr(&mut self, _hold: Duration) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "pppd controls DTR",
        ))
    }

    fn carrier(&mut self) -> Option<bool> {
        None
    }

    fn name(&self) -> &str {
        "stdin/stdout"
    }
}
