//! A simulated Hayes modem and ISP on a virtual clock, for running dial-up scripts without a
//! phone line.
//!
//! [`simulate`] dials the way Dial-Up Networking does (`ATZ`, `ATDT`, wait for `CONNECT`),
//! then runs a compiled script against an ISP dialogue described by a [`Profile`], with any
//! [`Fault`]s on top. The VM and the peer share one virtual clock: bytes take the time their
//! baud rate gives them, and when both sides wait the clock jumps to the next event.
//!
//! ```
//! use std::sync::Arc;
//! use dialscript_sim::{Profile, SimOptions, simulate};
//!
//! let src = b"proc main\n waitfor \"ervice?\" until 90\n if $SUCCESS then\n  transmit \"p^M\"\n  waitfor \"sername:\" until 60\n  if $SUCCESS then\n   transmit $USERID, raw\n   transmit \"^M\"\n   waitfor \"assword:\" until 60\n   if $SUCCESS then\n    transmit $PASSWORD, raw\n    transmit \"^M\"\n   endif\n  endif\n endif\nendproc\n";
//! let program = Arc::new(dialscript_vm::compile_source(src).unwrap());
//! let run = simulate(program, &SimOptions::new(Profile::built_in("ozemail").unwrap()));
//! assert_eq!(run.outcome, Some(dialscript_vm::Outcome::Completed));
//! assert!(run.logged_in);
//! ```
//!
//! The same in its three steps, for a host that wants the diagnostics and a transcript:
//! parse (which never fails, and reports every mistake), compile (which refuses a script with
//! errors), and run, here against an ISP that answers and then says nothing (the fault of KB
//! Q175410). The script gives up after its timeout instead of holding the line.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use dialscript_sim::{Fault, Profile, SimOptions, Source, simulate};
//! use dialscript_vm::{EventKind, Outcome};
//!
//! let src = b"proc main\n waitfor \"ervice?\" until 90\n if $SUCCESS then\n  transmit \"p^M\"\n endif\nendproc\n";
//! let parse = dialscript_syntax::parse(src);
//! assert!(parse.diagnostics.is_empty());
//! let program = dialscript_vm::compile(&parse.script).expect("no errors");
//!
//! let mut options = SimOptions::new(Profile::built_in("ozemail").expect("built in"));
//! options.faults = vec![Fault::SilentAfterConnect];
//! let run = simulate(Arc::new(program), &options);
//! // `endproc` is reached, but without a login: the ISP never asked.
//! assert_eq!(run.outcome, Some(Outcome::Completed));
//! assert!(!run.logged_in);
//! // The transcript has virtual times: the wait took its full 90 seconds, in microseconds.
//! let timed_out = run
//!     .entries
//!     .iter()
//!     .find(|e| e.source == Source::Script && e.event == EventKind::WaitTimedOut)
//!     .expect("the waitfor timed out");
//! assert!(timed_out.time - run.script_start.expect("the script ran") >= Duration::from_secs(90));
//! ```

#![deny(missing_docs)]

mod driver;
mod fault;
pub mod line;
mod peer;
pub mod profile;
mod rng;

pub use driver::{
    Dial, Entry, MAX_ENTRIES, SIM_INSTRUCTIONS_PER_SECOND, SimOptions, SimRun, Source, simulate,
};
pub use fault::Fault;
pub use peer::{DEMO_ACCOUNT, Peer, PeerOutput};
pub use profile::{Framing, Profile};
