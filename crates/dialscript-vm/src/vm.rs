//! The interpreter: a state machine that a driver feeds with bytes and time.
//!
//! The VM never reads a clock, sleeps or touches a device. `poll(now)` runs the script as far
//! as it can at virtual time `now` (a `Duration` since the session started) and returns the
//! next [`Action`] the driver must carry out; `feed(now, bytes)` hands it what arrived on the
//! line. The same loop drives a simulated ISP in microseconds of wall time, a serial port, or
//! an async task.

use std::sync::Arc;
use std::time::Duration;

use dialscript_syntax::ast::{PortSetting, SysVar};
use dialscript_syntax::diagnostic::Code;
use dialscript_syntax::span::Span;

use crate::buffer::{Pattern, RxBuffer, earliest_match, nth_address};
use crate::program::{Arith, BoolOp, Insn, IntOp, Program, StrOp};
use crate::redact::{StreamMask, mask};

/// Runtime error codes (DS3xx).
pub mod codes {
    use dialscript_syntax::diagnostic::Code;

    /// Division by zero.
    pub const DIVISION_BY_ZERO: Code = Code {
        code: "DS301",
        name: "runtime-division-by-zero",
    };
    /// `getip` with an index below 1.
    pub const GETIP_INDEX: Code = Code {
        code: "DS302",
        name: "getip-index-out-of-range",
    };
    /// A string grew past `Limits::max_string`.
    pub const STRING_TOO_LONG: Code = Code {
        code: "DS303",
        name: "string-too-long",
    };
    /// The run deadline passed.
    pub const RUN_DEADLINE: Code = Code {
        code: "DS304",
        name: "run-deadline-exceeded",
    };
}

/// Safety limits. A script can never hang its host: even a faithful forever-`waitfor` is cut
/// by the run deadline unless the host turns it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The whole run ends with [`Outcome::TimedOut`] at this time (`None`: no deadline).
    pub run_deadline: Option<Duration>,
    /// Instructions one `poll` runs before it returns [`Action::Yield`], so that a loop that
    /// never waits still gives control back and can be cancelled.
    pub instructions_per_poll: u32,
    /// Unconsumed received bytes kept; older ones are dropped.
    pub receive_buffer: usize,
    /// The longest string a script may build.
    pub max_string: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            run_deadline: Some(Duration::from_secs(600)),
            instructions_per_poll: 1 << 20,
            receive_buffer: 64 * 1024,
            max_string: 64 * 1024,
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `endproc` of `main`: the line is handed over to PPP or SLIP.
    Completed,
    /// `halt`: the terminal stays with the user.
    Halted,
    /// The run deadline passed.
    TimedOut,
    /// A runtime error, with its code and the statement.
    RuntimeError {
        /// DS3xx.
        code: Code,
        /// What went wrong.
        message: String,
        /// The statement.
        span: Span,
    },
    /// The driver reported that the line failed (carrier lost, I/O error).
    LineFailure(String),
    /// The host cancelled the run.
    Cancelled,
}

impl Outcome {
    /// The DS3xx code of an outcome that is an error of the run itself: a runtime error, or
    /// the run deadline (DS304).
    pub fn code(&self) -> Option<Code> {
        match self {
            Outcome::RuntimeError { code, .. } => Some(*code),
            Outcome::TimedOut => Some(codes::RUN_DEADLINE),
            _ => None,
        }
    }

    /// A short lowercase word for the outcome.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Halted => "halted",
            Outcome::TimedOut => "timed-out",
            Outcome::RuntimeError { .. } => "runtime-error",
            Outcome::LineFailure(_) => "line-failure",
            Outcome::Cancelled => "cancelled",
        }
    }
}

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send these bytes, then poll again.
    Transmit(Vec<u8>),
    /// Nothing to do until bytes arrive (feed them) or until `until`, then poll again.
    /// `None`: only input can move the script on.
    Wait {
        /// When to poll again even if nothing arrives.
        until: Option<Duration>,
    },
    /// Change the line's settings, then poll again.
    SetPort(PortSetting),
    /// The script set the session's IP address (SLIP); poll again.
    SetIpAddr(Vec<u8>),
    /// Enable or disable keyboard input into the terminal window; poll again.
    SetKeyboard(bool),
    /// The instruction budget of this poll is spent; poll again (after checking for
    /// cancellation).
    Yield,
    /// The run is over.
    Done(Outcome),
}

/// Something that happened, for a transcript. Secrets are already masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When, since the session started.
    pub time: Duration,
    /// The statement, when one caused it.
    pub span: Option<Span>,
    /// What.
    pub kind: EventKind,
}

/// Kinds of [`Event`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// Bytes sent (after translation).
    Sent(Vec<u8>),
    /// Bytes received.
    Received(Vec<u8>),
    /// A `waitfor` started waiting for these (translated) strings, with its timeout.
    Waiting {
        /// The strings.
        patterns: Vec<Vec<u8>>,
        /// Seconds, if `until` was given.
        until: Option<i32>,
    },
    /// A `waitfor` string arrived.
    Matched {
        /// Index of the string.
        case: usize,
        /// The string.
        pattern: Vec<u8>,
    },
    /// A `waitfor` timed out.
    WaitTimedOut,
    /// `delay` started.
    Delay(i32),
    /// `getip` read an address.
    GotAddress(Vec<u8>),
    /// `set port`.
    SetPort(PortSetting),
    /// `set ipaddr`.
    SetIpAddr(Vec<u8>),
    /// `set screen keyboard`.
    Keyboard(bool),
    /// The run ended.
    Finished(Outcome),
    /// A remark of the driver: dialling, a modem result, carrier lost.
    Note(String),
}

/// The credentials a run uses: what the dial-up dialog would have given `$USERID` and
/// `$PASSWORD`. Debug output never shows the password.
#[derive(Clone, Default)]
pub struct Credentials {
    /// `$USERID`.
    pub user: Vec<u8>,
    /// `$PASSWORD`.
    pub password: Vec<u8>,
    /// Mask the user name in events as well.
    pub mask_user: bool,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &String::from_utf8_lossy(&self.user))
            .field("password", &"********")
            .field("mask_user", &self.mask_user)
            .finish()
    }
}

/// What the VM is doing between polls.
#[derive(Debug, Clone)]
enum State {
    Running,
    Waiting {
        patterns: Vec<Pattern>,
        deadline: Option<Duration>,
        scanned: usize,
    },
    Sleeping {
        until: Duration,
    },
    Getip {
        dst: u32,
        n: u32,
    },
    Done(Outcome),
}

/// One run of a [`Program`].
///
/// ```
/// use std::time::Duration;
/// use dialscript_vm::{Action, Credentials, Limits, Outcome, Vm, compile_source};
///
/// let program = compile_source(b"proc main\n waitfor \"ogin:\" until 30\n if $SUCCESS then\n  transmit $USERID, raw\n endif\nendproc\n").unwrap();
/// let creds = Credentials { user: b"alice".to_vec(), ..Credentials::default() };
/// let mut vm = Vm::new(std::sync::Arc::new(program), creds, Limits::default());
/// assert_eq!(vm.poll(Duration::ZERO), Action::Wait { until: Some(Duration::from_secs(30)) });
/// vm.feed(Duration::from_secs(2), b"login: ");
/// assert_eq!(vm.poll(Duration::from_secs(2)), Action::Transmit(b"alice".to_vec()));
/// assert_eq!(vm.poll(Duration::from_secs(2)), Action::Done(Outcome::Completed));
/// ```
#[derive(Debug)]
pub struct Vm {
    program: Arc<Program>,
    pc: usize,
    ints: Vec<i32>,
    strs: Vec<Vec<u8>>,
    bools: Vec<bool>,
    success: bool,
    creds: Credentials,
    secrets: Vec<Vec<u8>>,
    rx: RxBuffer,
    rx_mask: StreamMask,
    state: State,
    limits: Limits,
    events: Vec<Event>,
    record: bool,
    cancelled: bool,
}

impl Vm {
    /// A new run of `program` with `creds`, starting at virtual time zero.
    pub fn new(program: Arc<Program>, creds: Credentials, limits: Limits) -> Self {
        let (ni, ns, nb) = program.registers;
        let mut secrets = vec![creds.password.clone()];
        if creds.mask_user {
            secrets.push(creds.user.clone());
        }
        // A secret sent without `, raw` goes out translated (`^M` as a CR), and the remote
        // echoes that form: mask it too.
        let translated: Vec<Vec<u8>> = secrets
            .iter()
            .map(|s| dialscript_syntax::translate(s))
            .filter(|t| !secrets.contains(t))
            .collect();
        secrets.extend(translated);
        secrets.retain(|s| !s.is_empty());
        // Longer secrets first, so that one containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Vm {
            pc: 0,
            ints: vec![0; ni as usize],
            strs: vec![Vec::new(); ns as usize],
            bools: vec![false; nb as usize],
            success: false,
            rx: RxBuffer::new(limits.receive_buffer),
            rx_mask: StreamMask::new(secrets.clone()),
            secrets,
            creds,
            state: State::Running,
            limits,
            events: Vec::new(),
            record: true,
            cancelled: false,
            program,
        }
    }

    /// Turns event recording off (or on). Off saves memory for hosts that keep no transcript.
    pub fn record_events(&mut self, on: bool) {
        self.record = on;
    }

    /// Sets `$SUCCESS` before the run starts (the spec's default is `FALSE`).
    pub fn set_initial_success(&mut self, value: bool) {
        self.success = value;
    }

    /// Takes the events recorded since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// The outcome, once the run is over.
    pub fn outcome(&self) -> Option<&Outcome> {
        match &self.state {
            State::Done(o) => Some(o),
            _ => None,
        }
    }

    /// The span of the statement being run (or waited in).
    pub fn current_span(&self) -> Span {
        self.program.span(self.pc)
    }

    /// How many received bytes the VM holds and has not consumed yet. Whatever the line sends,
    /// it is at most [`Limits::receive_buffer`], or the longest pattern being waited for less
    /// one byte if that is longer, so that hosts (and tests) can see that a flood costs no
    /// memory.
    pub fn buffered(&self) -> usize {
        self.rx.bytes().len()
    }

    /// Hands the VM bytes that arrived on the line at `now`.
    pub fn feed(&mut self, now: Duration, bytes: &[u8]) {
        if bytes.is_empty() || matches!(self.state, State::Done(_)) {
            return;
        }
        if self.record {
            let shown = self.rx_mask.push(bytes);
            if !shown.is_empty() {
                self.event(now, None, EventKind::Received(shown));
            }
        }
        let keep = match &self.state {
            State::Waiting { patterns, .. } => patterns
                .iter()
                .map(|p| p.bytes.len())
                .max()
                .unwrap_or(0)
                .saturating_sub(1),
            _ => 0,
        };
        let dropped = self.rx.push(bytes, keep);
        if let State::Waiting { scanned, .. } = &mut self.state {
            *scanned = scanned.saturating_sub(dropped);
        }
    }

    /// Cancels the run: the next poll returns `Done(Cancelled)`.
    pub fn cancel(&mut self) {
        self.cancelled = true;
    }

    /// Reports that the line failed (carrier lost, the peer hung up, an I/O error): the run
    /// ends with [`Outcome::LineFailure`].
    pub fn line_failure(&mut self, now: Duration, reason: impl Into<String>) {
        if !matches!(self.state, State::Done(_)) {
            self.finish(now, Outcome::LineFailure(reason.into()));
        }
    }

    fn event(&mut self, time: Duration, span: Option<Span>, kind: EventKind) {
        if self.record {
            self.events.push(Event { time, span, kind });
        }
    }

    fn finish(&mut self, now: Duration, outcome: Outcome) -> Action {
        if self.record {
            let rest = self.rx_mask.flush();
            if !rest.is_empty() {
                self.event(now, None, EventKind::Received(rest));
            }
        }
        let span = Some(self.program.span(self.pc));
        self.event(now, span, EventKind::Finished(outcome.clone()));
        self.state = State::Done(outcome.clone());
        Action::Done(outcome)
    }

    fn runtime_error(&mut self, now: Duration, code: Code, message: String) -> Action {
        let span = self.program.span(self.pc);
        self.finish(
            now,
            Outcome::RuntimeError {
                code,
                message,
                span,
            },
        )
    }

    /// When the whole run ends at the latest (the limits' run deadline), on the clock `poll`
    /// and `feed` are given. A driver bounds its own blocking calls by it, so that a line that
    /// stops taking bytes cannot hold the run past its deadline.
    pub fn run_deadline(&self) -> Option<Duration> {
        self.limits.run_deadline
    }

    /// The earlier of a wait's own deadline and the run deadline.
    fn until(&self, own: Option<Duration>) -> Option<Duration> {
        match (own, self.limits.run_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Runs the script as far as it can go at `now`, and says what the driver must do next.
    pub fn poll(&mut self, now: Duration) -> Action {
        if let State::Done(o) = &self.state {
            return Action::Done(o.clone());
        }
        if self.cancelled {
            return self.finish(now, Outcome::Cancelled);
        }
        if self.limits.run_deadline.is_some_and(|d| now >= d) {
            return self.finish(now, Outcome::TimedOut);
        }
        if let Some(action) = self.resume(now) {
            return action;
        }
        self.run(now)
    }

    /// Carries on with what the VM was doing (a wait, a delay, a `getip`) at `now`. Returns the
    /// action when the driver is needed again, `None` when the script runs on from `pc`.
    fn resume(&mut self, now: Duration) -> Option<Action> {
        match std::mem::replace(&mut self.state, State::Running) {
            State::Running => {}
            State::Waiting {
                patterns,
                deadline,
                scanned,
            } => {
                if let Some((case, end)) = earliest_match(self.rx.bytes(), &patterns, scanned) {
                    self.rx.consume(end);
                    self.success = true;
                    let span = Some(self.program.span(self.pc));
                    let shown = mask(&patterns[case].bytes, &self.secrets);
                    self.event(
                        now,
                        span,
                        EventKind::Matched {
                            case,
                            pattern: shown,
                        },
                    );
                    self.pc = self.wait_target(case);
                } else if deadline.is_some_and(|d| now >= d) {
                    self.success = false;
                    let span = Some(self.program.span(self.pc));
                    self.event(now, span, EventKind::WaitTimedOut);
                    self.pc += 1;
                } else {
                    let scanned = self.rx.bytes().len();
                    self.state = State::Waiting {
                        patterns,
                        deadline,
                        scanned,
                    };
                    return Some(Action::Wait {
                        until: self.until(deadline),
                    });
                }
            }
            State::Sleeping { until } => {
                if now < until {
                    self.state = State::Sleeping { until };
                    return Some(Action::Wait {
                        until: self.until(Some(until)),
                    });
                }
                self.pc += 1;
            }
            State::Getip { dst, n } => match nth_address(self.rx.bytes(), n) {
                Some((addr, end)) => {
                    self.rx.consume(end);
                    self.success = true;
                    let span = Some(self.program.span(self.pc));
                    let shown = mask(&addr, &self.secrets);
                    self.event(now, span, EventKind::GotAddress(shown));
                    self.strs[dst as usize] = addr;
                    self.pc += 1;
                }
                None => {
                    self.state = State::Getip { dst, n };
                    return Some(Action::Wait {
                        until: self.until(None),
                    });
                }
            },
            State::Done(o) => {
                self.state = State::Done(o.clone());
                return Some(Action::Done(o));
            }
        }
        None
    }

    fn wait_target(&self, case: usize) -> usize {
        let Some(Insn::Waitfor { index }) = self.program.code.get(self.pc) else {
            return self.pc + 1;
        };
        match self.program.waits[*index as usize]
            .cases
            .get(case)
            .and_then(|c| c.target)
        {
            Some(t) => t as usize,
            None => self.pc + 1,
        }
    }

    #[inline]
    fn int(&self, op: IntOp) -> i32 {
        match op {
            IntOp::Reg(r) => self.ints[r as usize],
            IntOp::Imm(v) => v,
        }
    }

    fn str(&self, op: StrOp) -> &[u8] {
        match op {
            StrOp::Reg(r) => &self.strs[r as usize],
            StrOp::Const(c) => &self.program.strings[c as usize],
            StrOp::Sys(SysVar::UserId) => &self.creds.user,
            StrOp::Sys(_) => &self.creds.password,
        }
    }

    /// A string operand as it is sent or waited for: translated, unless raw.
    fn translated(&self, op: StrOp) -> Vec<u8> {
        match op {
            StrOp::Const(c) => self.program.translated[c as usize].clone(),
            _ => dialscript_syntax::translate(self.str(op)),
        }
    }

    /// Runs the instructions that only read and write integer and boolean registers (and
    /// jump), with the program counter and the register files in locals, until the budget is
    /// spent or another instruction comes; returns the budget left. These are a script's
    /// arithmetic and control flow, where a loop spends its time. Division, which can fail,
    /// is left to [`Vm::run`] with every instruction that has an effect outside the
    /// registers.
    #[inline]
    fn run_registers(&mut self, code: &[Insn], mut budget: u32) -> u32 {
        fn int(ints: &[i32], op: IntOp) -> i32 {
            match op {
                IntOp::Reg(r) => ints[r as usize],
                IntOp::Imm(v) => v,
            }
        }
        fn boolean(bools: &[bool], success: bool, op: BoolOp) -> bool {
            match op {
                BoolOp::Reg(r) => bools[r as usize],
                BoolOp::Imm(b) => b,
                BoolOp::Success => success,
                BoolOp::Failure => !success,
            }
        }
        let ints = &mut self.ints[..];
        let bools = &mut self.bools[..];
        let success = self.success;
        let mut pc = self.pc;
        while budget > 0 {
            let Some(insn) = code.get(pc) else { break };
            let mut next = pc + 1;
            match *insn {
                Insn::SetInt { dst, a } => ints[dst as usize] = int(ints, a),
                Insn::Arith { op, dst, a, b } if op != Arith::Div => {
                    let (x, y) = (int(ints, a), int(ints, b));
                    ints[dst as usize] = match op {
                        Arith::Add => x.wrapping_add(y),
                        Arith::Sub => x.wrapping_sub(y),
                        _ => x.wrapping_mul(y),
                    };
                }
                Insn::Neg { dst, a } => ints[dst as usize] = int(ints, a).wrapping_neg(),
                Insn::Complement { dst, a } => ints[dst as usize] = !int(ints, a),
                Insn::CmpInt { op, dst, a, b } => {
                    bools[dst as usize] = op.eval(int(ints, a), int(ints, b))
                }
                Insn::CmpBool { eq, dst, a, b } => {
                    let (x, y) = (boolean(bools, success, a), boolean(bools, success, b));
                    bools[dst as usize] = (x == y) == eq
                }
                Insn::SetBool { dst, a } => bools[dst as usize] = boolean(bools, success, a),
                Insn::Not { dst, a } => bools[dst as usize] = !boolean(bools, success, a),
                Insn::Jump { to } => next = to as usize,
                Insn::Branch { cond, when, to } => {
                    if boolean(bools, success, cond) == when {
                        next = to as usize;
                    }
                }
                Insn::BranchCmp { op, a, b, when, to } => {
                    if op.eval(int(ints, a), int(ints, b)) == when {
                        next = to as usize;
                    }
                }
                _ => break,
            }
            pc = next;
            budget -= 1;
        }
        self.pc = pc;
        budget
    }

    /// Runs instructions until one needs the driver.
    fn run(&mut self, now: Duration) -> Action {
        let program = Arc::clone(&self.program);
        let code: &[Insn] = &program.code;
        let mut budget = self.limits.instructions_per_poll;
        loop {
            budget = self.run_registers(code, budget);
            if budget == 0 {
                return Action::Yield;
            }
            budget -= 1;
            let Some(insn) = code.get(self.pc) else {
                return self.finish(now, Outcome::Completed);
            };
            match insn {
                Insn::Arith { op, dst, a, b } => {
                    if *op != Arith::Div {
                        // `run_registers` runs these; only division comes here.
                        continue;
                    }
                    let (x, y) = (self.int(*a), self.int(*b));
                    if y == 0 {
                        return self.runtime_error(
                            now,
                            codes::DIVISION_BY_ZERO,
                            format!("division by zero ({x} / 0)"),
                        );
                    }
                    self.ints[*dst as usize] = x.wrapping_div(y);
                }
                // `run_registers` has run every instruction of these kinds that came before
                // the budget ran out, and then `run` returned; they never get here.
                Insn::SetInt { .. }
                | Insn::Neg { .. }
                | Insn::Complement { .. }
                | Insn::CmpInt { .. }
                | Insn::CmpBool { .. }
                | Insn::SetBool { .. }
                | Insn::Not { .. }
                | Insn::Jump { .. }
                | Insn::Branch { .. }
                | Insn::BranchCmp { .. } => continue,
                Insn::CmpStr { eq, dst, a, b } => {
                    self.bools[*dst as usize] = (self.str(*a) == self.str(*b)) == *eq
                }
                Insn::SetStr { dst, a } => {
                    let v = self.str(*a).to_vec();
                    self.strs[*dst as usize] = v;
                }
                Insn::Concat { dst, a, b } => {
                    let (x, y) = (self.str(*a), self.str(*b));
                    if x.len() + y.len() > self.limits.max_string {
                        let n = x.len() + y.len();
                        return self.runtime_error(
                            now,
                            codes::STRING_TOO_LONG,
                            format!(
                                "string of {n} bytes is longer than the limit of {}",
                                self.limits.max_string
                            ),
                        );
                    }
                    let mut v = Vec::with_capacity(x.len() + y.len());
                    v.extend_from_slice(x);
                    v.extend_from_slice(y);
                    self.strs[*dst as usize] = v;
                }
                Insn::Delay { secs } => {
                    let secs = self.int(*secs);
                    let span = Some(self.program.span(self.pc));
                    self.event(now, span, EventKind::Delay(secs));
                    if secs > 0 {
                        let until = now + Duration::from_secs(secs as u64);
                        self.state = State::Sleeping { until };
                        return Action::Wait {
                            until: self.until(Some(until)),
                        };
                    }
                }
                Insn::Transmit { s, raw } => {
                    let bytes = if *raw {
                        self.str(*s).to_vec()
                    } else {
                        self.translated(*s)
                    };
                    let span = Some(self.program.span(self.pc));
                    let shown = mask(&bytes, &self.secrets);
                    self.event(now, span, EventKind::Sent(shown));
                    self.pc += 1;
                    return Action::Transmit(bytes);
                }
                Insn::Waitfor { index } => {
                    let wait = &program.waits[*index as usize];
                    let patterns: Vec<Pattern> = wait
                        .cases
                        .iter()
                        .map(|c| Pattern {
                            bytes: self.translated(c.pattern),
                            matchcase: c.matchcase,
                        })
                        .collect();
                    let until = wait.until.map(|u| self.int(u));
                    // `until` is whole seconds, evaluated once; 0 or less checks what is
                    // already buffered and then times out.
                    let deadline = until.map(|t| now + Duration::from_secs(t.max(0) as u64));
                    let span = Some(self.program.span(self.pc));
                    let shown = patterns
                        .iter()
                        .map(|p| mask(&p.bytes, &self.secrets))
                        .collect();
                    self.event(
                        now,
                        span,
                        EventKind::Waiting {
                            patterns: shown,
                            until,
                        },
                    );
                    self.state = State::Waiting {
                        patterns,
                        deadline,
                        scanned: 0,
                    };
                    // Resume here rather than through `poll`, so that the instruction budget
                    // carries on: a loop of waits that end at once (`until 0`, a string that
                    // is already there) must yield, not recurse until the stack overflows.
                    if let Some(action) = self.resume(now) {
                        return action;
                    }
                    continue;
                }
                Insn::Getip { dst, n } => {
                    let n = self.int(*n);
                    if n < 1 {
                        return self.runtime_error(
                            now,
                            codes::GETIP_INDEX,
                            format!("`getip {n}`: the address index starts at 1"),
                        );
                    }
                    self.state = State::Getip {
                        dst: *dst,
                        n: n as u32,
                    };
                    // As for `waitfor`: keep the budget of this poll.
                    if let Some(action) = self.resume(now) {
                        return action;
                    }
                    continue;
                }
                Insn::SetPort(p) => {
                    let span = Some(self.program.span(self.pc));
                    self.event(now, span, EventKind::SetPort(*p));
                    self.pc += 1;
                    return Action::SetPort(*p);
                }
                Insn::SetKeyboard(on) => {
                    let span = Some(self.program.span(self.pc));
                    self.event(now, span, EventKind::Keyboard(*on));
                    self.pc += 1;
                    return Action::SetKeyboard(*on);
                }
                Insn::SetIpAddr { s } => {
                    let addr = self.str(*s).to_vec();
                    let span = Some(self.program.span(self.pc));
                    let shown = mask(&addr, &self.secrets);
                    self.event(now, span, EventKind::SetIpAddr(shown));
                    self.pc += 1;
                    return Action::SetIpAddr(addr);
                }
                Insn::Halt => return self.finish(now, Outcome::Halted),
                Insn::End => return self.finish(now, Outcome::Completed),
            }
            self.pc += 1;
        }
    }
}
