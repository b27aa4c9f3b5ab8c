//! A sans-IO virtual machine for Dial-Up Scripting Command Language scripts.
//!
//! [`compile`] turns a parsed script into an immutable [`Program`]; a [`Vm`] runs it. The VM
//! does no I/O and reads no clock: a driver calls [`Vm::poll`] with the current virtual time
//! and carries out the [`Action`] it returns (send bytes, wait until a time or for input,
//! change port settings), and calls [`Vm::feed`] with what arrives. Drivers for a simulated
//! ISP, serial ports and async runtimes live in other crates.
//!
//! Semantics follow the language reference: `waitfor` searches everything received and not
//! yet consumed (so a prompt that arrived early counts), the match that ends first wins and
//! ties go to the string listed first, matching ignores ASCII case unless `matchcase`;
//! `until` gives up after whole seconds and sets `$SUCCESS` to `FALSE`; `getip n` reads the
//! n-th dotted quad; integers are 32-bit and wrap; division by zero is a runtime error
//! (DS301) with the statement's location.

#![deny(missing_docs)]

mod buffer;
mod compile;
pub mod program;
pub mod redact;
mod vm;

pub use compile::{compile, compile_source};
pub use program::Program;
pub use vm::{Action, Credentials, Event, EventKind, Limits, Outcome, Vm, codes};
