//! dialerd: a small daemon that embeds the dialscript VM.
//!
//! It dials each configured connection on a schedule, as Exchange's mail connector did: the
//! modem phase, then the connection's `.scp` script in a [`dialscript_vm::Vm`] driven by
//! [`dialscript_serial::asynchronous::drive_async`], retrying a failed dial with exponential
//! backoff; after a login it asks the ISP's mail host for the queued mail with ETRN and/or
//! starts a command (pppd) on the line. A session is a future that owns its port and lock:
//! dropping it (the run deadline, a shutdown) closes the port and removes the lock.
//!
//! The modules, in the order a reader may want them: [`config`] (the TOML file),
//! [`daemon`] (the schedule and retry loop), [`session`] (one attempt), [`modem`] (the modem
//! phase), [`smtp`] (ETRN), [`schedule`] (times and backoff).

#![deny(missing_docs)]

pub mod config;
pub mod daemon;
pub mod modem;
pub mod schedule;
pub mod session;
pub mod smtp;

pub use config::Config;
pub use daemon::{Finished, Log, Mode, Record, run};
