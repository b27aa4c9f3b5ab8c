//! Reaction on a pty: the time from the last byte of a prompt to the first byte of the
//! answer, for dialscript, pppd's chat and Expect answering the same prompts.
//!
//! This process holds the master side of a raw pty and plays the ISP. Each tool runs on the
//! slave side with a script that answers `login:` with `x` and a carriage return, over and
//! over. For every prompt the measurer takes the monotonic clock just before it writes
//! `login:` (so the write call counts against the tool) and again when `poll` says the first
//! byte of the answer has arrived, then reads the rest of the answer and pauses briefly, as an
//! ISP's next prompt would come a little later, before the next prompt. The prompts are played
//! in [`SESSIONS`] sessions per tool, the tools taking turns; the first prompts of a session
//! are a warm-up and are not counted.

use std::os::fd::AsFd;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::{Running, TempDir, find_program};
use crate::report::Table;
use crate::stats::{Summary, duration, percentile_sorted, speedup, summarize, thousands};
use crate::suite::pty::{Got, Pty, drain, read, readable, write_all};
use crate::suite::{Block, Ctx, Target};

/// The prompt the measurer sends.
const PROMPT: &[u8] = b"login:";
/// Prompts answered before measuring starts.
const WARMUP: usize = 20;
/// The pause between an answer and the next prompt.
const GAP: Duration = Duration::from_millis(2);
/// The sessions each tool's prompts are split into. The tools take turns, one session each,
/// so that a slow spell of the machine (a virtual machine shares its host) falls on every row
/// alike instead of on whichever tool happened to be running; one tool's rows in a row moved
/// the medians by tens of microseconds between runs.
const SESSIONS: usize = 10;
/// How long a tool has to answer one prompt (its own timeout is 5 s).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(6);

/// The row of dialscript on the port opened by name, the way it runs on a serial port.
const PORT: &str = "dialscript run --port";
/// The row of dialscript on standard input and output, the way pppd runs it.
const STDIO: &str = "dialscript run --stdio";

/// The name of the floor's row.
const FLOOR: &str = "anchor: a plain read/write loop";

/// The target median.
const TARGET: Duration = Duration::from_micros(50);

/// How one tool did.
struct Outcome {
    name: &'static str,
    result: Result<Summary, String>,
}

/// Reads the rest of an answer, through its carriage return.
fn finish_answer(fd: std::os::fd::BorrowedFd<'_>) -> Result<usize, String> {
    let mut buf = [0u8; 256];
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut answers = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match read(fd, &mut buf, left)? {
            Got::Data(n) => {
                answers += buf[..n].iter().filter(|&&b| b == b'\r').count();
                if buf[..n].last() == Some(&b'\r') {
                    return Ok(answers);
                }
            }
            Got::Nothing if left.is_zero() => {
                return Err("an answer without its carriage return".to_string());
            }
            Got::Nothing => {}
            Got::Closed => return Err("the tool closed the line mid-answer".to_string()),
        }
    }
}

/// Plays `rounds` prompts to a tool already started on `pty`; returns the timed samples after
/// the warm-up.
fn session(pty: &mut Pty, tool: Running, rounds: usize) -> Result<Vec<Duration>, String> {
    let m = pty.master.as_fd();
    // The first prompt is repeated until the tool answers: a tool that opens the port by name
    // may flush what arrived before it was ready.
    let started = Instant::now();
    let mut answered = loop {
        if started.elapsed() > Duration::from_secs(10) {
            return Err("no answer to the first prompt within 10 s".to_string());
        }
        write_all(m, PROMPT)?;
        if readable(m, Duration::from_millis(100))? {
            break finish_answer(m)?;
        }
    };
    // Repeated prompts that were not flushed get answers too; count them, since the tool's
    // script answers a fixed number of prompts.
    std::thread::sleep(Duration::from_millis(50));
    let mut buf = [0u8; 256];
    while let Got::Data(n) = read(m, &mut buf, Duration::from_millis(30))? {
        answered += buf[..n].iter().filter(|&&b| b == b'\r').count();
    }
    // From now on the tool holds the only other descriptor of the slave, so its end shows.
    drop(pty.slave.take());

    let mut samples = Vec::with_capacity(rounds);
    for k in answered..rounds {
        std::thread::sleep(GAP);
        if drain(m)? > 0 {
            return Err(format!("unasked bytes before prompt {k}"));
        }
        let t0 = Instant::now();
        write_all(m, PROMPT)?;
        if !readable(m, ANSWER_TIMEOUT)? {
            return Err(format!("no answer to prompt {k} within {ANSWER_TIMEOUT:?}"));
        }
        let t1 = Instant::now();
        finish_answer(m)?;
        samples.push(t1 - t0);
    }
    let status = tool.finish(Duration::from_secs(10))?;
    if !status.success() {
        return Err(format!("the tool ended with {status}"));
    }
    Ok(samples.split_off(WARMUP.min(samples.len())))
}

/// The script: answer `rounds` prompts.
fn answer_script(tmp: &TempDir, rounds: usize) -> Result<std::path::PathBuf, String> {
    tmp.write(
        "answer.scp",
        format!(
            "proc main\r\n   integer n = 0\r\n   while n < {rounds} do\r\n      waitfor \"ogin:\" until 5\r\n      if $SUCCESS then\r\n         transmit \"x^M\"\r\n      endif\r\n      n = n + 1\r\n   endwhile\r\nendproc\r\n"
        ),
    )
}

/// dialscript on the port, opened by name as a serial port.
fn dialscript(ctx: &Ctx, tmp: &TempDir, pty: &Pty, rounds: usize) -> Result<Running, String> {
    let script = answer_script(tmp, rounds)?;
    let mut cmd = Command::new(&ctx.dialscript);
    cmd.arg("run")
        .arg(&script)
        .arg("--port")
        .arg(pty.path())
        .args(["--flow", "none", "--timeout", "600", "--lock-dir"])
        .arg(tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    Running::spawn(cmd)
}

/// dialscript as pppd's `connect` program: the line is standard input and output.
fn dialscript_stdio(ctx: &Ctx, tmp: &TempDir, pty: &Pty, rounds: usize) -> Result<Running, String> {
    let script = answer_script(tmp, rounds)?;
    let slave = pty.slave.as_ref().ok_or("the pty's slave is gone")?;
    let dup = |fd: &std::os::fd::OwnedFd| fd.try_clone().map_err(|e| format!("dup: {e}"));
    let mut cmd = Command::new(&ctx.dialscript);
    cmd.arg("run")
        .arg(&script)
        .args(["--stdio", "--timeout", "600"])
        .stdin(Stdio::from(dup(slave)?))
        .stdout(Stdio::from(dup(slave)?))
        .stderr(Stdio::null());
    Running::spawn(cmd)
}

fn chat(tmp: &TempDir, pty: &Pty, rounds: usize) -> Result<Running, String> {
    let program = find_program("chat").ok_or("pppd's chat is not installed")?;
    let file = tmp.write("answer.chat", "ogin: x\n".repeat(rounds))?;
    let slave = pty.slave.as_ref().ok_or("the pty's slave is gone")?;
    let dup = |fd: &std::os::fd::OwnedFd| fd.try_clone().map_err(|e| format!("dup: {e}"));
    let mut cmd = Command::new(program);
    cmd.args(["-t", "5", "-f"])
        .arg(&file)
        .stdin(Stdio::from(dup(slave)?))
        .stdout(Stdio::from(dup(slave)?))
        .stderr(Stdio::null());
    Running::spawn(cmd)
}

fn expect(tmp: &TempDir, pty: &Pty, rounds: usize) -> Result<Running, String> {
    let program = find_program("expect").ok_or("Expect is not installed")?;
    let script = tmp.write(
        "answer.exp",
        format!(
            "set timeout 5\nlog_user 0\nset port [open [lindex $argv 0] r+]\nfconfigure $port -translation binary -buffering none\nspawn -noecho -open $port\nfor {{set n 0}} {{$n < {rounds}}} {{incr n}} {{\n    expect \"ogin:\"\n    send \"x\\r\"\n}}\n"
        ),
    )?;
    let mut cmd = Command::new(program);
    cmd.arg(&script)
        .arg(pty.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    Running::spawn(cmd)
}

/// The floor: this package's own answerer, a plain loop of `poll`, `read` and `write` on the
/// port, started as a process like the tools.
fn floor(_: &TempDir, pty: &Pty, rounds: usize) -> Result<Running, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let mut cmd = Command::new(exe);
    cmd.arg("answer")
        .arg(pty.path())
        .arg(rounds.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    Running::spawn(cmd)
}

/// `bench-suite answer PORT ROUNDS`: opens the port, makes it raw, and answers `ogin:` with
/// `x` and a carriage return, `rounds` times, as directly as a program can.
pub fn answer(port: &std::path::Path, rounds: usize) -> Result<(), String> {
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(port)
        .map_err(|e| format!("{}: {e}", port.display()))?;
    crate::suite::pty::make_raw(f.as_fd())?;
    let mut seen: Vec<u8> = Vec::new();
    let mut buf = [0u8; 4096];
    for _ in 0..rounds {
        loop {
            if let Some(at) = seen.windows(5).position(|w| w == b"ogin:") {
                seen.drain(..at + 5);
                break;
            }
            match read(f.as_fd(), &mut buf, Duration::from_secs(5))? {
                Got::Data(n) => seen.extend_from_slice(&buf[..n]),
                Got::Nothing => return Ok(()),
                Got::Closed => return Err("the line closed".to_string()),
            }
        }
        write_all(f.as_fd(), b"x\r")?;
    }
    Ok(())
}

type Starter = fn(&Ctx, &TempDir, &Pty, usize) -> Result<Running, String>;

/// One session: a fresh pty, the tool started on it, `rounds` prompts; the timed samples.
fn one_session(ctx: &Ctx, start: Starter, rounds: usize) -> Result<Vec<Duration>, String> {
    let tmp = TempDir::new("reaction")?;
    let mut pty = Pty::open()?;
    let tool = start(ctx, &tmp, &pty, rounds)?;
    session(&mut pty, tool, rounds)
}

/// Plays `rounds` prompts to each of `players` in `sessions` sessions, the players taking
/// turns, and gathers each one's samples; a player that fails once is out, with its error.
fn take_turns(
    players: &[(&Ctx, Starter)],
    sessions: usize,
    rounds: usize,
) -> Vec<Result<Vec<Duration>, String>> {
    let mut samples: Vec<Result<Vec<Duration>, String>> = vec![Ok(Vec::new()); players.len()];
    for _ in 0..sessions {
        for ((ctx, start), got) in players.iter().zip(samples.iter_mut()) {
            if let Ok(all) = got {
                match one_session(ctx, *start, rounds) {
                    Ok(s) => all.extend(s),
                    Err(e) => *got = Err(e),
                }
            }
        }
    }
    samples
}

/// `bench-suite compare-reaction`: `run --port` of several `dialscript` binaries and the
/// floor, taking turns in `sessions` short sessions of `per_session` timed prompts each, with
/// the quartiles of every row. A single run's medians move by tens of microseconds with the
/// host's load on a virtual machine; many short turns put every binary through the same
/// spells, which is how a change to the answer path can be judged.
pub fn compare(bins: &[PathBuf], sessions: usize, per_session: usize) -> Result<String, String> {
    let rounds = 1 + WARMUP + per_session + 1;
    let ctx_of = |bin: &PathBuf| Ctx {
        dialscript: bin.clone(),
        gen_corpus: PathBuf::new(),
        quick: false,
    };
    let mut ctxs: Vec<Ctx> = bins.iter().map(ctx_of).collect();
    ctxs.push(ctx_of(&PathBuf::new()));
    let mut players: Vec<(&Ctx, Starter)> = ctxs[..bins.len()]
        .iter()
        .map(|c| (c, dialscript as Starter))
        .collect();
    players.push((&ctxs[bins.len()], |_, t, p, r| floor(t, p, r)));
    let names = bins
        .iter()
        .map(|b| b.display().to_string())
        .chain([FLOOR.to_string()]);
    let mut rows = Vec::new();
    for (name, got) in names.zip(take_turns(&players, sessions, rounds)) {
        rows.push((name.clone(), got.map_err(|e| format!("{name}: {e}"))?));
    }
    let mut t = Table::new(&[
        "answering program",
        "prompts timed",
        "p10",
        "p25",
        "median",
        "p75",
        "p90",
    ]);
    for (name, mut all) in rows {
        all.sort();
        let mut row = vec![name, thousands(all.len() as u64)];
        row.extend([10.0, 25.0, 50.0, 75.0, 90.0].map(|p| duration(percentile_sorted(&all, p))));
        t.row(row);
    }
    Ok(t.render())
}

/// Runs the benchmark.
pub fn run(ctx: &Ctx) -> Result<Block, String> {
    let measured = ctx.reps(1000, 100);
    let sessions = ctx.reps(SESSIONS, 2);
    let per_session = measured.div_ceil(sessions);
    // The handshake takes one or two prompts; one more keeps at least `per_session` samples.
    let rounds = 1 + WARMUP + per_session + 1;
    let tools: [(&'static str, Starter); 5] = [
        (PORT, dialscript),
        (STDIO, dialscript_stdio),
        ("pppd's chat", |_, t, p, r| chat(t, p, r)),
        ("Expect", |_, t, p, r| expect(t, p, r)),
        (FLOOR, |_, t, p, r| floor(t, p, r)),
    ];
    let players: Vec<(&Ctx, Starter)> = tools.iter().map(|(_, start)| (ctx, *start)).collect();
    let samples = take_turns(&players, sessions, rounds);
    let outcomes: Vec<Outcome> = tools
        .iter()
        .zip(samples)
        .map(|((name, _), got)| Outcome {
            name,
            result: got.and_then(|s| summarize(&s).ok_or_else(|| "no samples".to_string())),
        })
        .collect();
    let ours = outcomes[0].result.clone();

    let mut t = Table::new(&[
        "answering tool",
        "prompts timed",
        "median",
        "p99",
        "slowest",
        "median vs `--port`",
        "p99 vs `--port`",
    ]);
    for o in &outcomes {
        match &o.result {
            Ok(s) => {
                let (rm, rp) = match &ours {
                    Ok(us) if o.name != PORT => {
                        (speedup(us.median, s.median), speedup(us.p99, s.p99))
                    }
                    _ => (String::new(), String::new()),
                };
                t.row(vec![
                    o.name.to_string(),
                    thousands(s.count as u64),
                    duration(s.median),
                    duration(s.p99),
                    duration(s.max),
                    rm,
                    rp,
                ]);
            }
            Err(e) => t.row(vec![o.name.to_string(), format!("failed: {e}")]),
        }
    }
    let mut markdown = t.render();
    markdown.push_str(
        "\nA ratio is the row's time divided by that of `dialscript run --port`: how many times \
         longer it took.\n",
    );
    // The floor moves with the host's load and every row with it; the distance between a
    // row and the floor is the part of its time that is the tool's own.
    let floor_median = outcomes
        .iter()
        .find(|o| o.name == FLOOR)
        .and_then(|o| o.result.as_ref().ok())
        .map(|s| s.median);
    if let (Ok(us), Some(floor)) = (&ours, floor_median) {
        let over = us.median.saturating_sub(floor);
        markdown.push_str(&format!(
            "\n`dialscript run --port` took {} more than the floor at the median: its own share \
             of the time on this machine in this run.\n",
            duration(over)
        ));
    }

    let mut targets = Vec::new();
    match &ours {
        Ok(us) => {
            targets.push(Target::new(
                "reaction on a pty, `dialscript run --port`, median",
                "under 50 µs",
                duration(us.median),
                us.median < TARGET,
            ));
            let peers: Vec<(&str, Duration)> = outcomes[2..4]
                .iter()
                .filter_map(|o| o.result.as_ref().ok().map(|s| (o.name, s.median)))
                .collect();
            let fastest_peer = peers.iter().min_by_key(|(_, d)| *d);
            let measured = match fastest_peer {
                Some((name, d)) => format!(
                    "dialscript run --port {}, fastest peer {name} {}",
                    duration(us.median),
                    duration(*d)
                ),
                None => "no peer could be measured".to_string(),
            };
            let met = fastest_peer.is_some_and(|(_, d)| us.median < *d);
            targets.push(if peers.len() == 2 {
                Target::new(
                    "reaction, against chat and Expect",
                    "the fastest median of the three",
                    measured,
                    met,
                )
            } else {
                Target::unmeasured(
                    "reaction, against chat and Expect",
                    "the fastest median of the three",
                    "a peer failed (see the table)",
                )
            });
        }
        Err(e) => return Err(format!("dialscript: {e}")),
    }
    Ok(Block { markdown, targets })
}
