//! The far side of the line: the caller's Hayes modem, and behind it, once connected, the
//! ISP's terminal server following a [`Profile`]. Like the VM it is sans-IO: it is told what
//! arrives and when, and says what it sends and when it next needs to act.

use std::collections::VecDeque;
use std::time::Duration;

use crate::fault::Fault;
use crate::profile::{Framing, Profile, StepKind};
use crate::rng::Rng;

/// The user name and password the ISP accepts when its profile has no fixed accounts and the
/// run was given none.
pub const DEMO_ACCOUNT: (&str, &str) = ("demo", "demo");

/// How long the modem takes from `ATD` to its result (dialling, ringing, training).
const DIAL_TIME: Duration = Duration::from_secs(15);
/// How long a busy signal takes to be recognised.
const BUSY_TIME: Duration = Duration::from_secs(8);
/// How long the modem waits for a carrier before giving up.
const NO_ANSWER_TIME: Duration = Duration::from_secs(45);
/// Interval of PPP configure-requests once the link is up.
const PPP_INTERVAL: Duration = Duration::from_secs(3);
/// Longest input line the terminal server keeps; the rest of an overlong line is dropped, as
/// a real server with a fixed buffer would.
const MAX_LINE: usize = 256;

/// A PPP LCP configure-request frame, byte-stuffed as on an async line: what a caller sees
/// when the ISP has switched to PPP.
const LCP_FRAME: &[u8] =
    b"~\xff}#\xc0!}!}!} }4}\"}&} } } } }%}&\x1f\x3a\x7b\x11}'}\"}(}\"\x6d\x2b~";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The modem takes AT commands.
    Command,
    /// `ATD` was given; the result comes at `at`.
    Dialing { at: Duration },
    /// Connected: bytes go to the ISP.
    Online,
    /// The carrier is gone.
    Dead,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Isp {
    /// Waiting for the line of step `n`.
    Step(usize),
    /// At the shell prompt after a login.
    Shell,
    /// The link is up (PPP frames, or SLIP silence).
    Linked,
    /// Gone quiet (the silent fault), or hung up.
    Quiet,
}

/// What the peer sends at some time.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PeerOutput {
    /// Pieces to put on the line now, in order, each with the framing it is sent in: the
    /// modem's own messages (`OK`, `CONNECT`) in the caller's 8N1, the ISP's in its framing.
    pub pieces: Vec<(Vec<u8>, Framing)>,
    /// The carrier dropped (after these bytes).
    pub hangup: bool,
}

impl PeerOutput {
    /// All bytes, ignoring framing.
    pub fn bytes(&self) -> Vec<u8> {
        self.pieces
            .iter()
            .flat_map(|(b, _)| b.iter().copied())
            .collect()
    }
}

const MODEM_FRAMING: Framing = Framing {
    data_bits: 8,
    parity: b'N',
};

/// The modem and ISP.
#[derive(Debug, Clone)]
pub struct Peer {
    profile: Profile,
    faults: Vec<Fault>,
    rng: Rng,
    accounts: Vec<(Vec<u8>, Vec<u8>)>,
    mode: Mode,
    isp: Isp,
    input: Vec<u8>,
    /// Scheduled output, in time order, each piece marked with whether the ISP (rather than
    /// the caller's own modem) sends it.
    out: VecDeque<(Duration, Vec<u8>, bool)>,
    hangup_at: Option<Duration>,
    user: Vec<u8>,
    attempts: u32,
    idle_deadline: Option<Duration>,
    next_ppp: Option<Duration>,
    next_noise: Option<Duration>,
    logged_in: bool,
    connected_at: Option<Duration>,
    /// Every delay of the peer is divided by this (1: real timing).
    speedup: u32,
}

impl Peer {
    /// Makes every delay of the peer (dialling, think time, idle timeout, PPP interval)
    /// `factor` times shorter: real dialers can then be tested against `dialscript serve`
    /// in real time without waiting for a modem's 15 seconds. Call it before
    /// [`Peer::dial_now`]: delays already scheduled keep their length.
    pub fn set_speedup(&mut self, factor: u32) {
        self.speedup = factor.max(1);
    }

    fn scaled(&self, d: Duration) -> Duration {
        d / self.speedup
    }

    /// A peer for `profile` with `faults`. `credentials` is what the ISP accepts when the
    /// profile fixes no accounts (`None`: the demo account).
    pub fn new(
        profile: Profile,
        faults: &[Fault],
        seed: u64,
        credentials: Option<(Vec<u8>, Vec<u8>)>,
    ) -> Self {
        let accounts = if profile.accounts.is_empty() {
            let (u, p) = credentials.unwrap_or((
                DEMO_ACCOUNT.0.as_bytes().to_vec(),
                DEMO_ACCOUNT.1.as_bytes().to_vec(),
            ));
            vec![(u, p)]
        } else {
            profile
                .accounts
                .iter()
                .map(|a| (a.user.as_bytes().to_vec(), a.password.as_bytes().to_vec()))
                .collect()
        };
        Peer {
            profile,
            faults: faults.to_vec(),
            rng: Rng::new(seed),
            accounts,
            mode: Mode::Command,
            isp: Isp::Quiet,
            input: Vec::new(),
            out: VecDeque::new(),
            hangup_at: None,
            user: Vec::new(),
            attempts: 0,
            idle_deadline: None,
            next_ppp: None,
            next_noise: None,
            logged_in: false,
            connected_at: None,
            speedup: 1,
        }
    }

    fn has(&self, f: Fault) -> bool {
        self.faults.contains(&f)
    }

    /// Skips the modem's command phase: the call is connected now, as when a dialer has
    /// already dialled (in-process peers for embedded VMs start here).
    pub fn dial_now(&mut self) {
        if self.mode == Mode::Command {
            self.dial_result(Duration::ZERO);
        }
    }

    /// Line speed in bits per second.
    pub fn baud(&self) -> u32 {
        if self.has(Fault::Slow) {
            300
        } else {
            self.profile.baud
        }
    }

    /// The framing the far end reads the caller's bytes in: the ISP's once connected, the
    /// modem's 8N1 before.
    pub fn framing(&self) -> Framing {
        match self.mode {
            Mode::Online => self.profile.framing(),
            _ => MODEM_FRAMING,
        }
    }

    /// Whether the ISP accepted a login.
    pub fn logged_in(&self) -> bool {
        self.logged_in
    }

    /// Whether the modem is connected.
    pub fn online(&self) -> bool {
        self.mode == Mode::Online
    }

    /// When the connection was made.
    pub fn connected_at(&self) -> Option<Duration> {
        self.connected_at
    }

    /// The ISP sends `bytes` at `at`.
    fn say(&mut self, at: Duration, bytes: impl Into<Vec<u8>>) {
        self.queue(at, bytes.into(), true);
    }

    /// The caller's modem itself sends `bytes` at `at` (echo, result codes).
    fn modem_says(&mut self, at: Duration, bytes: impl Into<Vec<u8>>) {
        self.queue(at, bytes.into(), false);
    }

    fn queue(&mut self, at: Duration, bytes: Vec<u8>, isp: bool) {
        if bytes.is_empty() {
            return;
        }
        // Keep the queue in time order; equal times keep the order they were said in. What is
        // said now belongs at or near the end, so search from the back; and join the piece to
        // the one before it when the time and the sender are the same. The echo of a flood of
        // typed bytes then stays one piece instead of one per byte, each found by a search of
        // the whole queue, which made every 4 KiB read cost millions of steps.
        let pos = self
            .out
            .iter()
            .rposition(|(t, _, _)| *t <= at)
            .map_or(0, |i| i + 1);
        if let Some(i) = pos.checked_sub(1)
            && let Some((t, prev, from_isp)) = self.out.get_mut(i)
            && *t == at
            && *from_isp == isp
        {
            prev.extend_from_slice(&bytes);
            return;
        }
        self.out.insert(pos, (at, bytes, isp));
    }

    /// The earliest time the peer needs to act without new input.
    pub fn next_wake(&self) -> Option<Duration> {
        let mut t: Option<Duration> = None;
        let mut take = |x: Option<Duration>| {
            if let Some(x) = x {
                t = Some(t.map_or(x, |t: Duration| t.min(x)));
            }
        };
        take(self.out.front().map(|(t, _, _)| *t));
        take(self.hangup_at);
        if let Mode::Dialing { at } = self.mode {
            take(Some(at));
        }
        if self.mode == Mode::Online {
            take(self.idle_deadline);
            take(self.next_ppp);
            take(self.next_noise);
        }
        t
    }

    /// Everything due at `now`.
    pub fn poll(&mut self, now: Duration) -> PeerOutput {
        if let Mode::Dialing { at } = self.mode
            && now >= at
        {
            self.dial_result(at);
        }
        if self.mode == Mode::Online {
            if self.idle_deadline.is_some_and(|d| now >= d) {
                self.idle_deadline = None;
                self.say(now, "\r\nTimeout waiting for input, goodbye.\r\n");
                self.hangup_at = Some(now);
            }
            while let Some(t) = self.next_ppp.filter(|&t| now >= t) {
                self.say(t, LCP_FRAME);
                self.next_ppp = Some(t + self.scaled(PPP_INTERVAL));
            }
            while let Some(t) = self.next_noise.filter(|&t| now >= t) {
                let n = 1 + self.rng.below(4) as usize;
                let noise: Vec<u8> = (0..n).map(|_| self.rng.next_u64() as u8).collect();
                self.say(t, noise);
                self.next_noise = Some(t + Duration::from_millis(700 + self.rng.below(2600)));
            }
        }
        let mut out = PeerOutput::default();
        let isp_framing = self.profile.framing();
        while self.out.front().is_some_and(|(t, _, _)| *t <= now) {
            if let Some((_, bytes, isp)) = self.out.pop_front() {
                let framing = if isp { isp_framing } else { MODEM_FRAMING };
                match out.pieces.last_mut() {
                    Some((prev, f)) if *f == framing => prev.extend_from_slice(&bytes),
                    _ => out.pieces.push((bytes, framing)),
                }
            }
        }
        if self.hangup_at.is_some_and(|t| now >= t) && self.mode != Mode::Dead {
            self.hangup_at = None;
            self.mode = Mode::Dead;
            self.isp = Isp::Quiet;
            self.out.clear();
            out.pieces
                .push((b"\r\nNO CARRIER\r\n".to_vec(), MODEM_FRAMING));
            out.hangup = true;
        }
        out
    }

    /// A byte from the caller arrives at `now`.
    pub fn receive(&mut self, now: Duration, byte: u8) {
        match self.mode {
            Mode::Command => self.modem_byte(now, byte),
            Mode::Online => self.isp_byte(now, byte),
            Mode::Dialing { .. } => {
                // Any key aborts a dial on a real modem; the simulated one ignores it, which
                // is what the scripts under test expect.
            }
            Mode::Dead => {}
        }
    }

    fn modem_byte(&mut self, now: Duration, byte: u8) {
        // Command mode echoes (E1).
        self.modem_says(now, [byte]);
        if byte != b'\r' {
            if self.input.len() < MAX_LINE {
                self.input.push(byte);
            }
            return;
        }
        let line = String::from_utf8_lossy(&std::mem::take(&mut self.input))
            .trim()
            .to_ascii_uppercase();
        let reply_at = now + Duration::from_millis(20);
        if line.is_empty() {
            return;
        }
        if !line.starts_with("AT") {
            self.modem_says(reply_at, "\r\nERROR\r\n");
        } else if line[2..].starts_with('D') {
            let wait = if self.has(Fault::Busy) {
                BUSY_TIME
            } else if self.has(Fault::NoCarrier) {
                NO_ANSWER_TIME
            } else {
                DIAL_TIME
            };
            self.mode = Mode::Dialing {
                at: now + self.scaled(wait),
            };
        } else {
            self.modem_says(reply_at, "\r\nOK\r\n");
        }
    }

    fn dial_result(&mut self, at: Duration) {
        if self.has(Fault::Busy) {
            self.mode = Mode::Command;
            self.modem_says(at, "\r\nBUSY\r\n");
            return;
        }
        if self.has(Fault::NoCarrier) {
            self.mode = Mode::Command;
            self.modem_says(at, "\r\nNO CARRIER\r\n");
            return;
        }
        let baud = self.baud();
        self.modem_says(at, format!("\r\nCONNECT {baud}\r\n"));
        self.mode = Mode::Online;
        self.connected_at = Some(at);
        if self.has(Fault::Noise) {
            self.next_noise = Some(at + Duration::from_millis(500 + self.rng.below(1500)));
        }
        if self.has(Fault::SilentAfterConnect) {
            self.isp = Isp::Quiet;
            return;
        }
        let delay = self.scaled(Duration::from_millis(self.profile.prompt_delay_ms));
        let greeting = self.profile.greeting.clone();
        self.say(at + delay, greeting);
        self.prompt(at + delay, 0);
    }

    /// Sends the prompt of step `n` at `at` (or finishes the login past the last step).
    fn prompt(&mut self, at: Duration, n: usize) {
        let Some(step) = self.profile.steps.get(n) else {
            self.login_done(at);
            return;
        };
        let text = if self.has(Fault::WrongPrompt) {
            match step.kind {
                StepKind::Choice => "\r\nSelect> ".to_string(),
                StepKind::User => "\r\nPlease identify yourself> ".to_string(),
                StepKind::Password => "\r\nSecret> ".to_string(),
            }
        } else {
            step.prompt.clone()
        };
        self.say(at, text);
        self.isp = Isp::Step(n);
        self.idle_deadline =
            Some(at + self.scaled(Duration::from_secs(self.profile.idle_timeout_s)));
    }

    fn login_done(&mut self, at: Duration) {
        self.logged_in = true;
        let s = self.profile.on_success.clone();
        let text = s
            .text
            .replace("{server_ip}", &self.profile.server_ip)
            .replace("{client_ip}", &self.profile.client_ip);
        self.say(at, text);
        if !s.shell_prompt.is_empty() {
            self.say(at, s.shell_prompt);
            self.isp = Isp::Shell;
            self.idle_deadline =
                Some(at + self.scaled(Duration::from_secs(self.profile.idle_timeout_s)));
        } else {
            self.start_link(at);
        }
    }

    fn start_link(&mut self, at: Duration) {
        self.isp = Isp::Linked;
        self.idle_deadline = None;
        if self.profile.on_success.ppp {
            self.next_ppp = Some(at + Duration::from_millis(200));
        }
    }

    fn isp_byte(&mut self, now: Duration, byte: u8) {
        if self.isp == Isp::Quiet || self.isp == Isp::Linked {
            return;
        }
        let reading_password = matches!(self.isp, Isp::Step(n) if self.profile.steps.get(n).is_some_and(|s| s.kind == StepKind::Password));
        let echo = self.has(Fault::Echo) || (self.profile.echo && !reading_password);
        match byte {
            b'\r' | b'\n' => {
                if echo {
                    self.say(now, "\r\n");
                }
                let line = std::mem::take(&mut self.input);
                self.line(now, line);
            }
            0x08 | 0x7F => {
                if self.input.pop().is_some() && echo {
                    self.say(now, "\x08 \x08");
                }
            }
            _ => {
                if echo {
                    self.say(now, [byte]);
                }
                if self.input.len() < MAX_LINE {
                    self.input.push(byte);
                }
            }
        }
    }

    fn line(&mut self, now: Duration, line: Vec<u8>) {
        let delay = self.scaled(Duration::from_millis(self.profile.prompt_delay_ms));
        let next_at = now + delay;
        match self.isp {
            Isp::Step(n) => {
                let Some(step) = self.profile.steps.get(n).cloned() else {
                    return;
                };
                let text = String::from_utf8_lossy(&line).trim().to_string();
                match step.kind {
                    StepKind::Choice | StepKind::User if text.is_empty() => self.prompt(next_at, n),
                    StepKind::Choice => {
                        if step.accept.iter().any(|a| a.eq_ignore_ascii_case(&text)) {
                            self.prompt(next_at, n + 1);
                        } else {
                            self.say(next_at, step.reject.clone());
                            self.fail_attempt(next_at, n);
                        }
                    }
                    StepKind::User => {
                        let mut user = line.clone();
                        while user.last().is_some_and(|b| b.is_ascii_whitespace()) {
                            user.pop();
                        }
                        if !step.suffix.is_empty() && user.ends_with(step.suffix.as_bytes()) {
                            user.truncate(user.len() - step.suffix.len());
                        }
                        self.user = user;
                        if self.has(Fault::LineDrop) {
                            self.hangup_at = Some(now + Duration::from_secs(1));
                            self.isp = Isp::Quiet;
                            return;
                        }
                        self.prompt(next_at, n + 1);
                    }
                    StepKind::Password => {
                        let ok = !self.has(Fault::WrongPassword)
                            && self
                                .accounts
                                .iter()
                                .any(|(u, p)| *u == self.user && *p == line);
                        if ok {
                            self.prompt(next_at, n + 1);
                        } else {
                            let failure = self.profile.on_failure.text.clone();
                            self.say(next_at, failure);
                            let first_user = self
                                .profile
                                .steps
                                .iter()
                                .position(|s| s.kind == StepKind::User)
                                .unwrap_or(0);
                            self.fail_attempt(next_at, first_user);
                        }
                    }
                }
            }
            Isp::Shell => {
                let cmd = String::from_utf8_lossy(&line).trim().to_string();
                let commands = self.profile.on_success.shell_commands.clone();
                if commands.iter().any(|c| c.eq_ignore_ascii_case(&cmd)) {
                    self.say(next_at, "\r\nPPP starting\r\n");
                    self.start_link(next_at);
                } else {
                    if !cmd.is_empty() {
                        self.say(next_at, format!("sh: {cmd}: not found\r\n"));
                    }
                    let prompt = self.profile.on_success.shell_prompt.clone();
                    self.say(next_at, prompt);
                }
            }
            Isp::Linked | Isp::Quiet => {}
        }
    }

    fn fail_attempt(&mut self, at: Duration, restart: usize) {
        self.attempts += 1;
        if self.attempts >= self.profile.retries.max(1) {
            self.isp = Isp::Quiet;
            self.idle_deadline = None;
            self.hangup_at = Some(at + Duration::from_millis(500));
        } else {
            self.prompt(at, restart);
        }
    }
}
