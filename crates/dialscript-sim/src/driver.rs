//! Co-simulation: the VM and the simulated modem and ISP on one virtual clock.
//!
//! Nothing sleeps. When both sides wait, the clock jumps to the next event: the next byte to
//! arrive, the peer's next action, or the VM's deadline. A 90-second timeout costs
//! microseconds, and the same inputs and seed give the same transcript, byte for byte.

use std::sync::Arc;
use std::time::Duration;

use dialscript_syntax::ast::{Parity, PortSetting};
use dialscript_syntax::span::Span;
use dialscript_vm::{Action, Credentials, EventKind, Limits, Outcome, Program, Vm};

use crate::fault::Fault;
use crate::line::Wire;
use crate::peer::{DEMO_ACCOUNT, Peer};
use crate::profile::{Framing, Profile};

/// Virtual time charged for each [`Action::Yield`]: the simulator models a machine that runs
/// `SIM_INSTRUCTIONS_PER_SECOND` script instructions a second, so a loop that never waits still
/// reaches the run deadline.
const YIELD_COST: Duration = Duration::from_secs(1);
/// Instructions per virtual second (and per poll) in the simulator.
pub const SIM_INSTRUCTIONS_PER_SECOND: u32 = 100_000;
/// Commands that need the driver but do not wait (a send, a port setting) that the simulated
/// machine carries out in one virtual second, so that a loop of them still reaches the run
/// deadline instead of running for ever at one instant.
const SIM_ACTIONS_PER_SECOND: u32 = 1_000;
/// Bytes the caller's serial port holds before a send blocks until the line has carried
/// them, as a write to a real port does; it bounds what a loop of `transmit`s can queue.
const TX_BUFFER: usize = 4096;
/// Entries a transcript keeps. Past it only the end of the run is recorded, so that a loop
/// that records an event on every pass without waiting (`delay 0`, `waitfor ... until 0`)
/// cannot fill memory before it reaches the run deadline.
pub const MAX_ENTRIES: usize = 100_000;
/// How long the line is watched after the script completes, for the ISP's answer.
const SETTLE: Duration = Duration::from_secs(10);
/// How long the dialler waits for `OK` after `ATZ`.
const INIT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the dialler waits for the modem's result after `ATDT`.
const DIAL_TIMEOUT: Duration = Duration::from_secs(90);

/// Settings of one simulated call.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// The ISP.
    pub profile: Profile,
    /// Faults on top of it.
    pub faults: Vec<Fault>,
    /// Seed for everything random (line noise).
    pub seed: u64,
    /// What `$USERID` and `$PASSWORD` hold; empty both: the demo account.
    pub credentials: Credentials,
    /// The number dialled.
    pub phone: String,
    /// The VM's limits (the run deadline above all).
    pub limits: Limits,
    /// The caller's serial framing at the start.
    pub framing: Framing,
}

impl SimOptions {
    /// Options for `profile` with no faults, the demo account and default limits.
    pub fn new(profile: Profile) -> Self {
        SimOptions {
            profile,
            faults: Vec::new(),
            seed: 1,
            credentials: Credentials::default(),
            phone: "5551234".to_string(),
            limits: Limits::default(),
            framing: Framing {
                data_bits: 8,
                parity: b'N',
            },
        }
    }
}

/// Where a transcript entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The dialler (before the script runs).
    Dial,
    /// The script.
    Script,
}

/// One line of the transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Time since the call started.
    pub time: Duration,
    /// Who.
    pub source: Source,
    /// What (bytes already masked).
    pub event: EventKind,
    /// The statement, for script events.
    pub span: Option<Span>,
}

/// How dialling went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dial {
    /// `CONNECT` with the modem's words.
    Connected(String),
    /// A result code that is not a connection (`BUSY`, `NO CARRIER`, `NO DIALTONE`, `ERROR`),
    /// or `no answer from the modem`.
    Failed(String),
}

/// The result of a simulated call.
#[derive(Debug, Clone)]
pub struct SimRun {
    /// Everything that happened, in time order.
    pub entries: Vec<Entry>,
    /// How dialling went.
    pub dial: Dial,
    /// How the script ended (`None` when dialling failed and it never ran).
    pub outcome: Option<Outcome>,
    /// Whether the ISP accepted the login.
    pub logged_in: bool,
    /// When the script started and when the call ended.
    pub script_start: Option<Duration>,
    /// When the call ended.
    pub end: Duration,
}

struct World {
    now: Duration,
    peer: Peer,
    to_client: Wire,
    to_peer: Wire,
    framing: Framing,
    carrier_lost_at: Option<Duration>,
    entries: Vec<Entry>,
    /// Entries left out since the transcript reached `MAX_ENTRIES`.
    dropped: u64,
}

impl World {
    /// Processes everything due by `now`; returns the bytes that reached the caller.
    fn step(&mut self) -> Vec<u8> {
        let now = self.now;
        for (t, b) in self.to_peer.arrived_timed(now) {
            self.peer.receive(t, b);
        }
        let out = self.peer.poll(now);
        let baud = self.peer.baud();
        for (bytes, tx) in &out.pieces {
            self.to_client.send(now, bytes, baud, *tx, self.framing);
        }
        if out.hangup {
            self.carrier_lost_at = Some(
                self.to_client
                    .next_arrival()
                    .map_or(now, |_| now.max(self.last_arrival())),
            );
        }
        self.to_client.arrived(now)
    }

    fn last_arrival(&self) -> Duration {
        // The wire keeps its bytes in order; the carrier drops after the last one.
        let mut w = self.to_client.clone();
        let mut last = self.now;
        while let Some(t) = w.next_arrival() {
            last = t;
            w.arrived(t);
        }
        last
    }

    fn next_time(&self) -> Option<Duration> {
        [
            self.to_peer.next_arrival(),
            self.to_client.next_arrival(),
            self.peer.next_wake(),
            self.carrier_lost_at,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn send(&mut self, bytes: &[u8]) {
        let (baud, rx) = (self.peer.baud(), self.peer.framing());
        self.to_peer.send(self.now, bytes, baud, self.framing, rx);
    }

    fn note(&mut self, source: Source, event: EventKind) {
        let time = self.now;
        self.push(Entry {
            time,
            source,
            event,
            span: None,
        });
    }

    /// Adds an entry. Received bytes arrive a few at a time; consecutive pieces are joined into
    /// one entry per line, so the transcript reads like a terminal.
    fn push(&mut self, e: Entry) {
        if self.entries.len() >= MAX_ENTRIES && !matches!(e.event, EventKind::Finished(_)) {
            self.dropped += 1;
            return;
        }
        if let EventKind::Received(more) = &e.event
            && let Some(Entry {
                event: EventKind::Received(prev),
                source,
                ..
            }) = self.entries.last_mut()
            && *source == e.source
            && !prev.ends_with(b"\n")
        {
            prev.extend_from_slice(more);
            return;
        }
        self.entries.push(e);
    }

    /// Dialler step: sends `command`, then reads until a line holds one of `results` or
    /// `timeout` passes. Returns the result line.
    fn command(&mut self, command: &str, results: &[&str], timeout: Duration) -> Option<String> {
        self.note(Source::Dial, EventKind::Sent(command.as_bytes().to_vec()));
        self.send(command.as_bytes());
        let deadline = self.now + timeout;
        let mut seen: Vec<u8> = Vec::new();
        loop {
            let got = self.step();
            if !got.is_empty() {
                self.note(Source::Dial, EventKind::Received(got.clone()));
                seen.extend_from_slice(&got);
                let text = String::from_utf8_lossy(&seen).into_owned();
                for line in text.split("\r\n").filter(|l| !l.is_empty()) {
                    // Only complete lines count: CONNECT is followed by its speed.
                    let complete = text.contains(&format!("{line}\r\n"));
                    if complete && results.iter().any(|r| line.trim().starts_with(r)) {
                        return Some(line.trim().to_string());
                    }
                }
            }
            match self.next_time() {
                Some(t) if t <= deadline => self.now = t.max(self.now + Duration::from_nanos(1)),
                _ => {
                    self.now = deadline;
                    return None;
                }
            }
        }
    }
}

/// Runs `program` through a simulated call.
pub fn simulate(program: Arc<Program>, options: &SimOptions) -> SimRun {
    let mut credentials = options.credentials.clone();
    if credentials.user.is_empty() && credentials.password.is_empty() {
        credentials.user = DEMO_ACCOUNT.0.as_bytes().to_vec();
        credentials.password = DEMO_ACCOUNT.1.as_bytes().to_vec();
    }
    let peer = Peer::new(
        options.profile.clone(),
        &options.faults,
        options.seed,
        Some((credentials.user.clone(), credentials.password.clone())),
    );
    let mut w = World {
        now: Duration::ZERO,
        peer,
        to_client: Wire::default(),
        to_peer: Wire::default(),
        framing: Framing {
            data_bits: 8,
            parity: b'N',
        },
        carrier_lost_at: None,
        entries: Vec::new(),
        dropped: 0,
    };

    // Dial the way Dial-Up Networking does before it starts the script.
    let init = w.command("ATZ\r", &["OK", "ERROR"], INIT_TIMEOUT);
    let dial = match init.as_deref() {
        Some("OK") => {
            let cmd = format!("ATDT{}\r", options.phone);
            match w.command(
                &cmd,
                &[
                    "CONNECT",
                    "BUSY",
                    "NO CARRIER",
                    "NO DIALTONE",
                    "NO ANSWER",
                    "ERROR",
                ],
                DIAL_TIMEOUT,
            ) {
                Some(r) if r.starts_with("CONNECT") => Dial::Connected(r),
                Some(r) => Dial::Failed(r),
                None => Dial::Failed("no answer from the modem".to_string()),
            }
        }
        Some(r) => Dial::Failed(r.to_string()),
        None => Dial::Failed("no answer from the modem".to_string()),
    };
    if let Dial::Failed(why) = &dial {
        w.note(
            Source::Dial,
            EventKind::Note(format!("dialling failed: {why}")),
        );
        return SimRun {
            end: w.now,
            entries: w.entries,
            dial,
            outcome: None,
            logged_in: false,
            script_start: None,
        };
    }

    // The script takes over the line, in the caller's framing.
    w.framing = options.framing;
    let start = w.now;
    let mut limits = options.limits;
    limits.instructions_per_poll = limits
        .instructions_per_poll
        .min(SIM_INSTRUCTIONS_PER_SECOND);
    let mut vm = Vm::new(program, credentials, limits);
    // Actions since the clock last moved.
    let mut busy = 0u32;
    let outcome = loop {
        let before = w.now;
        let got = w.step();
        let rel = w.now - start;
        if !got.is_empty() {
            vm.feed(rel, &got);
        }
        if w.carrier_lost_at.is_some_and(|t| w.now >= t) {
            vm.line_failure(rel, "carrier lost (NO CARRIER)");
        }
        let action = vm.poll(rel);
        for e in vm.take_events() {
            w.push(Entry {
                time: start + e.time,
                source: Source::Script,
                event: e.kind,
                span: e.span,
            });
        }
        match action {
            Action::Transmit(bytes) => {
                w.send(&bytes);
                if let Some(mut t) = w.to_peer.room_at(TX_BUFFER) {
                    // A write still blocked at the run deadline ends there, as a wait does.
                    if let Some(d) = limits.run_deadline {
                        t = t.min(start + d);
                    }
                    w.now = w.now.max(t);
                }
            }
            Action::SetPort(p) => w.framing = apply(w.framing, p),
            Action::SetIpAddr(_) | Action::SetKeyboard(_) => {}
            Action::Yield => w.now += YIELD_COST,
            Action::Wait { until } => {
                let next = [until.map(|u| start + u), w.next_time()]
                    .into_iter()
                    .flatten()
                    .min();
                match next {
                    Some(t) => w.now = t.max(w.now + Duration::from_nanos(1)),
                    None => {
                        // Nothing can ever happen again and no deadline is set: the script
                        // would wait for ever. End it as a host would, by cancelling.
                        w.note(
                            Source::Script,
                            EventKind::Note(
                                "nothing more will arrive and the script has no deadline"
                                    .to_string(),
                            ),
                        );
                        vm.cancel();
                    }
                }
            }
            Action::Done(o) => break o,
        }
        if w.now == before {
            busy += 1;
            if busy >= SIM_ACTIONS_PER_SECOND {
                w.now += YIELD_COST;
            }
        }
        if w.now != before {
            busy = 0;
        }
    };
    if w.dropped > 0 {
        // Say, just before the end of the run, that the transcript was cut and by how much.
        let at = w.entries.len().saturating_sub(1);
        let time = w.entries.get(at).map_or(w.now, |e| e.time);
        let text = format!(
            "the transcript keeps {MAX_ENTRIES} entries; {} later ones are left out",
            w.dropped
        );
        w.entries.insert(
            at,
            Entry {
                time,
                source: Source::Script,
                event: EventKind::Note(text),
                span: None,
            },
        );
    }
    // Dial-Up Networking starts PPP once the script ends; let the line settle so that the ISP
    // can answer the last thing the script sent, and see whether it accepted the login.
    if outcome == Outcome::Completed {
        let settle = w.now + SETTLE;
        while let Some(t) = w.next_time().filter(|&t| t <= settle) {
            w.now = t.max(w.now + Duration::from_nanos(1));
            w.step();
            if w.peer.logged_in() || w.carrier_lost_at.is_some() {
                break;
            }
        }
    }
    SimRun {
        end: w.now,
        logged_in: w.peer.logged_in(),
        entries: w.entries,
        dial,
        outcome: Some(outcome),
        script_start: Some(start),
    }
}

/// The caller's framing after a `set port`.
fn apply(f: Framing, p: PortSetting) -> Framing {
    match p {
        PortSetting::DataBits(n) => Framing { data_bits: n, ..f },
        PortSetting::Parity(p) => Framing {
            parity: match p {
                Parity::None => b'N',
                Parity::Odd => b'O',
                Parity::Even => b'E',
                Parity::Mark => b'M',
                Parity::Space => b'S',
            },
            ..f
        },
        PortSetting::StopBits(_) => f,
    }
}
