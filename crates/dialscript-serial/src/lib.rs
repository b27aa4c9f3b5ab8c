//! Real lines for Dial-Up Scripting Command Language scripts: serial ports (and ptys), modems,
//! and pppd's `connect` (the line on standard input and output).
//!
//! [`drive`] runs a `dialscript_vm::Vm` on any [`Line`] in real time. [`SerialLine`] opens a
//! port exclusively; [`UucpLock`] takes the UUCP lock file that pppd, minicom and cu honour;
//! [`modem::dial`] does the modem phase; [`hangup`] drops the line on every end but success:
//! DTR where the line has it, otherwise the `+++` escape and `ATH0`. [`Signals`] turns SIGINT,
//! SIGTERM and SIGHUP into a cancellation that goes down the same clean-up path.
//!
//! This is the only crate that depends on `serialport`, with its default features off
//! (libudev is not needed to open a port by name).

#![deny(missing_docs)]

#[cfg(feature = "tokio")]
pub mod asynchronous;
mod driver;
mod fdline;
pub mod line;
pub mod lock;
pub mod modem;
mod port;
pub mod serve;
mod signals;
mod stdio;

use std::time::Duration;

pub use driver::{Ended, SIGNAL_CHECK, TELL_AFTER, WRITE_TIMEOUT, drive};
pub use fdline::FdLine;
pub use line::{Flow, HangupMethod, Line, Read, Settings};
pub use lock::{LockError, UucpLock};
pub use port::SerialLine;
pub use signals::Signals;
pub use stdio::StdioLine;

/// Hangs up: DTR dropped for `dtr_hold` where the line supports it; otherwise, when a modem
/// was dialled, the Hayes escape (`guard` of silence, `+++`, `guard`) and `ATH0`; otherwise
/// nothing (closing the line is the hang-up).
pub fn hangup(
    line: &mut dyn Line,
    modem: bool,
    dtr_hold: Duration,
    guard: Duration,
) -> HangupMethod {
    if line.pulse_dtr(dtr_hold).is_ok() {
        return HangupMethod::Dtr;
    }
    if !modem {
        return HangupMethod::Close;
    }
    // The guard times are silence on the wire, so each starts when the bytes before it have
    // gone out.
    let _ = line.drain();
    std::thread::sleep(guard);
    let _ = line.write_all(b"+++", WRITE_TIMEOUT);
    let _ = line.drain();
    std::thread::sleep(guard);
    let _ = line.write_all(b"ATH0\r", WRITE_TIMEOUT);
    let _ = line.drain();
    HangupMethod::Escape
}
