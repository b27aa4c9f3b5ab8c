//! What the driver needs from a line: read with a timeout, write, change settings, hang up,
//! and (where the hardware tells) the carrier.

use std::io;
use std::time::Duration;

use dialscript_syntax::ast::PortSetting;

/// The result of a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// This many bytes arrived.
    Data(usize),
    /// Nothing arrived in time.
    TimedOut,
    /// The other end is gone: end of file, EIO or POLLHUP.
    Hangup,
}

/// How a line was hung up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HangupMethod {
    /// DTR was dropped (and raised again).
    Dtr,
    /// The modem escape (`+++` between guard times) and `ATH0`, where DTR is not available.
    Escape,
    /// Nothing to do: no modem was dialled and the line has no DTR (a pty, stdin/stdout).
    Close,
}

/// A line a script runs on.
pub trait Line {
    /// Reads what is there, waiting at most `timeout`.
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<Read>;
    /// Writes all of `bytes`, failing with `TimedOut` if that takes longer than `timeout`.
    /// Returns once the system has the bytes, which may be before they are on the wire.
    fn write_all(&mut self, bytes: &[u8], timeout: Duration) -> io::Result<()>;
    /// Waits until everything written is on the wire. Only what depends on the line's timing
    /// needs it (a guard time of silence, dropping DTR, changing the framing): waiting after
    /// every write would hold up the answer to the next prompt.
    fn drain(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// Applies a `set port` setting.
    fn set_port(&mut self, setting: PortSetting) -> io::Result<()>;
    /// Drops DTR for `hold` and raises it again. `Unsupported` where the line has no DTR.
    fn pulse_dtr(&mut self, hold: Duration) -> io::Result<()>;
    /// The carrier, where the line reports it.
    fn carrier(&mut self) -> Option<bool>;
    /// A name for messages.
    fn name(&self) -> &str;
}

/// Settings of a serial line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Bits per second.
    pub baud: u32,
    /// 5 to 8.
    pub data_bits: u8,
    /// `N`, `E`, `O` (mark and space are not settable on Linux ttys).
    pub parity: u8,
    /// 1 or 2.
    pub stop_bits: u8,
    /// Flow control.
    pub flow: Flow,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            baud: 57600,
            data_bits: 8,
            parity: b'N',
            stop_bits: 1,
            flow: Flow::Hardware,
        }
    }
}

/// Flow control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// None.
    None,
    /// RTS/CTS.
    Hardware,
    /// XON/XOFF.
    Software,
}
