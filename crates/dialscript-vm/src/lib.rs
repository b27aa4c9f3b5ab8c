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
//!
//! # Driving a run by hand
//!
//! A driver is a loop: poll, carry out the action, feed what arrives. Here the "line" is a
//! tiny ISP written inline, and time moves only when the VM waits, so the run takes no real
//! time. Drivers for real lines (`dialscript-serial`) and for a simulated modem and ISP
//! (`dialscript-sim`, whose crate documentation runs a script against it) have the same
//! shape.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use dialscript_vm::{Action, Credentials, Limits, Outcome, Vm, compile_source};
//!
//! // One compiled program can serve any number of runs, on any threads.
//! let program = Arc::new(
//!     compile_source(b"proc main\n waitfor \"ogin:\" until 10\n if $SUCCESS then\n  transmit $USERID + \"^M\"\n  waitfor \"assword:\" until 10\n  transmit $PASSWORD + \"^M\"\n endif\nendproc\n")
//!         .expect("the script compiles"),
//! );
//! let creds = Credentials { user: b"alice".to_vec(), password: b"s3cret".to_vec(), mask_user: false };
//! let mut vm = Vm::new(program, creds, Limits::default());
//!
//! let mut now = Duration::ZERO;
//! let mut sent = Vec::new();
//! // What the far end says, and when: a login prompt at 1 s, a password prompt at 2 s.
//! let mut script = vec![(Duration::from_secs(1), &b"login: "[..]), (Duration::from_secs(2), b"Password: ")];
//! script.reverse();
//! let outcome = loop {
//!     match vm.poll(now) {
//!         Action::Transmit(bytes) => sent.extend_from_slice(&bytes),
//!         Action::Wait { until } => {
//!             // Deliver the next piece of input if it comes before the deadline; otherwise
//!             // jump to the deadline and poll again (the `waitfor` then times out).
//!             match script.pop() {
//!                 Some((at, bytes)) if until.is_none_or(|u| at <= u) => {
//!                     now = at;
//!                     vm.feed(now, bytes);
//!                 }
//!                 other => {
//!                     script.extend(other);
//!                     now = until.expect("every waitfor here has an until");
//!                 }
//!             }
//!         }
//!         Action::Done(outcome) => break outcome,
//!         // Port settings, `set ipaddr` and the keyboard mean nothing to this line.
//!         _ => {}
//!     }
//! };
//! assert_eq!(outcome, Outcome::Completed);
//! assert_eq!(sent, b"alice\rs3cret\r");
//! // Every event of the run is recorded with its time, the password masked.
//! assert!(vm.take_events().iter().all(|e| !format!("{e:?}").contains("s3cret")));
//! ```

#![deny(missing_docs)]

mod buffer;
mod compile;
pub mod program;
pub mod redact;
mod vm;

pub use compile::{compile, compile_source};
pub use program::Program;
pub use vm::{Action, Credentials, Event, EventKind, Limits, Outcome, Vm, codes};

// A daemon shares one Program between thousands of sessions on a multi-thread runtime, and
// moves each Vm between worker threads: both guarantees are part of the API, so losing one
// (say, an `Rc` in the program) must fail the build rather than a user's.
const _: () = {
    const fn shared_across_threads<T: Send + Sync>() {}
    const fn moved_across_threads<T: Send>() {}
    shared_across_threads::<Program>();
    moved_across_threads::<Vm>();
};
