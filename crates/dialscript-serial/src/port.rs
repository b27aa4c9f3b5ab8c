//! A serial port (or any tty, a pty included) through the `serialport` crate.
//!
//! The port is opened exclusively (serialport takes `TIOCEXCL` and a `flock`), in raw mode,
//! ignoring the carrier for the open itself (`CLOCAL`), as a dialler must: the carrier only
//! appears after the modem connects.
//!
//! serialport configures the line (framing, flow control, DTR, carrier, draining); the
//! script's bytes go through a second descriptor of the same device, an [`FdLine`]. serialport
//! polls before every read and every write; in interleaved A/B runs on a pty, reading and
//! writing through our own descriptor instead lowered the median reaction by about a third.
//! [`FdLine`] writes first and waits only when the line is full.

use std::io::{self, Write as _};
use std::os::unix::fs::OpenOptionsExt;
use std::time::Duration;

use dialscript_syntax::ast::{Parity, PortSetting};
use serialport::{DataBits, FlowControl, SerialPort, StopBits, TTYPort};

use crate::fdline::FdLine;
use crate::line::{Flow, Line, Read, Settings};
use crate::signals::Signals;

/// A serial line.
pub struct SerialLine {
    port: TTYPort,
    /// The device's second descriptor, non-blocking, for the script's bytes.
    io: FdLine,
    name: String,
    /// Set once the port has said it has no modem lines (a pty), so that the carrier is not
    /// asked for again before every wait.
    no_modem_lines: bool,
}

impl std::fmt::Debug for SerialLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialLine")
            .field("name", &self.name)
            .finish()
    }
}

fn data_bits(n: u8) -> DataBits {
    match n {
        5 => DataBits::Five,
        6 => DataBits::Six,
        7 => DataBits::Seven,
        _ => DataBits::Eight,
    }
}

fn parity(p: u8) -> serialport::Parity {
    match p {
        b'E' => serialport::Parity::Even,
        b'O' => serialport::Parity::Odd,
        _ => serialport::Parity::None,
    }
}

/// Turns serialport's errors into I/O errors with the kind that says what happened.
fn io_err(e: serialport::Error) -> io::Error {
    let kind = match e.kind() {
        serialport::ErrorKind::NoDevice => io::ErrorKind::NotFound,
        serialport::ErrorKind::InvalidInput => io::ErrorKind::InvalidInput,
        serialport::ErrorKind::Io(k) => k,
        serialport::ErrorKind::Unknown => io::ErrorKind::Other,
    };
    io::Error::new(kind, e.description)
}

impl SerialLine {
    /// Opens `path` with `settings`, exclusively.
    pub fn open(path: &str, settings: Settings) -> io::Result<SerialLine> {
        // The descriptor for the bytes is opened first: once serialport has taken the device
        // exclusively, no other open succeeds. `O_NONBLOCK` keeps this open from waiting for
        // a carrier and lets writes time out; `O_NOCTTY` keeps the device from becoming our
        // controlling terminal. Both descriptors share the device's settings.
        let io = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(nix::libc::O_NOCTTY | nix::libc::O_NONBLOCK)
            .open(path)?;
        let port = serialport::new(path, settings.baud)
            .data_bits(data_bits(settings.data_bits))
            .parity(parity(settings.parity))
            .stop_bits(if settings.stop_bits == 2 {
                StopBits::Two
            } else {
                StopBits::One
            })
            .flow_control(match settings.flow {
                Flow::None => FlowControl::None,
                Flow::Hardware => FlowControl::Hardware,
                Flow::Software => FlowControl::Software,
            })
            .timeout(Duration::from_millis(100))
            .open_native()
            .map_err(io_err)?;
        Ok(SerialLine {
            port,
            io: FdLine::new(io.into(), path),
            name: path.to_string(),
            no_modem_lines: false,
        })
    }

    /// Makes a write that waits for a full line give up soon after one of `signals` arrives,
    /// instead of waiting out its whole timeout.
    pub fn with_signals(mut self, signals: Signals) -> SerialLine {
        self.io = self.io.with_signals(signals);
        self
    }
}

impl Line for SerialLine {
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<Read> {
        self.io.read(buf, timeout)
    }

    fn write_all(&mut self, bytes: &[u8], timeout: Duration) -> io::Result<()> {
        self.io.write_all(bytes, timeout)
    }

    fn drain(&mut self) -> io::Result<()> {
        // serialport's flush is tcdrain().
        self.port.flush()
    }

    fn set_port(&mut self, setting: PortSetting) -> io::Result<()> {
        // New framing applies at once, so bytes still queued would go out garbled.
        self.drain()?;
        match setting {
            PortSetting::DataBits(n) => self.port.set_data_bits(data_bits(n)),
            PortSetting::StopBits(n) => {
                self.port
                    .set_stop_bits(if n == 2 { StopBits::Two } else { StopBits::One })
            }
            PortSetting::Parity(p) => self.port.set_parity(match p {
                Parity::Even => serialport::Parity::Even,
                Parity::Odd => serialport::Parity::Odd,
                Parity::None => serialport::Parity::None,
                // Linux ttys cannot send mark or space parity without CMSPAR, which serialport
                // does not offer; say so rather than pretend.
                Parity::Mark | Parity::Space => {
                    return Err(io::Error::new(
                        io::ErrorKind::Unsupported,
                        "mark and space parity are not supported on this line",
                    ));
                }
            }),
        }
        .map_err(io_err)
    }

    fn pulse_dtr(&mut self, hold: Duration) -> io::Result<()> {
        self.drain()?;
        self.port.write_data_terminal_ready(false).map_err(io_err)?;
        std::thread::sleep(hold);
        self.port.write_data_terminal_ready(true).map_err(io_err)
    }

    fn carrier(&mut self) -> Option<bool> {
        // A pty has no modem lines (ENOTTY): then the carrier is unknown, not lost, and stays
        // unknown.
        if self.no_modem_lines {
            return None;
        }
        match self.port.read_carrier_detect() {
            Ok(cd) => Some(cd),
            Err(e) => {
                // serialport keeps only the errno's text; ENOTTY is the one answer that
                // will not change. Any other failure is asked about again next time.
                self.no_modem_lines = e.description == nix::errno::Errno::ENOTTY.desc();
                None
            }
        }
    }

    fn name(&self) -> &str {
        &self.name
    }
}
