//! A whole login on a pty: dial, answer the OzEmail dialogue (`Service?`, `Username:`,
//! `Password:`), hand over, for dialscript, pppd's chat and Expect.
//!
//! The far end is `dialscript serve --pty LINK --no-pacing --speedup 1000`: the simulated
//! Hayes modem and OzEmail ISP, its delays (dialling, think time) divided by a thousand and
//! its bytes sent as fast as the pty takes them. One server answers every call; after each
//! call it opens a fresh pty, links it at LINK and says so on standard error, which is when
//! the next dialler starts. Each dialler is timed from its start to its exit, and the call
//! counts only if the server reports that the login was accepted. The diallers take turns,
//! so that a busy moment of the machine hurts all of them alike.
//!
//! As a floor, this process also dials and logs in itself with plain reads and writes: the
//! time the server's own delays and the pty take.

use std::io::{BufRead, BufReader};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{ChildStderr, Command, Stdio};

use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::process::{Running, TempDir, find_program, run_timed};
use crate::report::Table;
use crate::stats::{Summary, duration, speedup, summarize};
use crate::suite::pty::{Dialogue, make_raw};
use crate::suite::{Block, Ctx, Target};

/// The account the server accepts.
const USER: &str = "demo";
const PASSWORD: &str = "demo";
/// The environment variable that hands dialscript the password.
const PASSWORD_VAR: &str = "DIALSCRIPT_BENCH_PASSWORD";
/// The server's speed-up.
const SPEEDUP: &str = "1000";

/// pppd's chat: the same dialogue as examples/ozemail.scp, after the same modem commands
/// that `dialscript run --dial` sends. `\c` sends nothing after CONNECT.
const CHAT: &str =
    "TIMEOUT 5\n'' ATZ\nOK ATDT5551234\nCONNECT '\\c'\nervice? p\nsername: demo\nssword: demo\n";

/// Expect, on the port opened as a file, as Expect drives serial lines.
const EXPECT: &str = "set timeout 5\nlog_user 0\nset port [open [lindex $argv 0] r+]\n\
fconfigure $port -translation binary -buffering none\nspawn -noecho -open $port\n\
send \"ATZ\\r\"\nexpect \"OK\"\nsend \"ATDT5551234\\r\"\nexpect \"CONNECT\"\n\
expect \"ervice?\"\nsend \"p\\r\"\nexpect \"sername:\"\nsend \"demo\\r\"\n\
expect \"ssword:\"\nsend \"demo\\r\"\n";

/// The server, and the lines it writes to standard error.
struct Server {
    _process: Running,
    lines: mpsc::Receiver<String>,
    link: PathBuf,
}

impl Server {
    fn start(ctx: &Ctx, dir: &Path) -> Result<Server, String> {
        let link = dir.join("modem");
        let mut cmd = Command::new(&ctx.dialscript);
        cmd.arg("serve")
            .arg("--pty")
            .arg(&link)
            .args(["--no-pacing", "--speedup", SPEEDUP, "--user", USER])
            .args(["--password-env", PASSWORD_VAR])
            .env(PASSWORD_VAR, PASSWORD)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut process = Running::spawn(cmd)?;
        let stderr: ChildStderr = process
            .child()
            .and_then(|c| c.stderr.take())
            .ok_or("no standard error from the server")?;
        let (tx, rx) = mpsc::channel();
        // The reader ends when the server does (end of file), which the process guard ensures.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Server {
            _process: process,
            lines: rx,
            link,
        })
    }

    /// Waits for the next line that starts with `prefix`.
    fn wait_for(&self, prefix: &str, timeout: Duration) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) if l.starts_with(prefix) => return Ok(l),
                Ok(_) => {}
                Err(_) => return Err(format!("the server did not say `{prefix}` in time")),
            }
        }
    }

    /// Waits until a fresh pty is linked and ready for a call.
    fn ready(&self) -> Result<(), String> {
        self.wait_for("serving", Duration::from_secs(10))
            .map(|_| ())
    }

    /// Waits for the report of the call that just ended; true when the login was accepted.
    fn call_ended(&self) -> Result<bool, String> {
        let l = self.wait_for("call ", Duration::from_secs(10))?;
        Ok(l.contains(": logged in"))
    }
}

/// Makes the command for one call on the port at the given path.
type Start = Box<dyn Fn(&Path) -> Result<Command, String>>;

/// A dialler: how to start it for one call.
struct Dialler {
    name: &'static str,
    start: Start,
    times: Vec<Duration>,
    error: Option<String>,
}

/// One call by this process itself, with plain reads and writes.
fn floor_call(link: &Path) -> Result<Duration, String> {
    let started = Instant::now();
    let port = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(link)
        .map_err(|e| format!("{}: {e}", link.display()))?;
    make_raw(port.as_fd())?;
    let mut d = Dialogue::new(port.as_fd());
    let t = Duration::from_secs(5);
    d.send(b"ATZ\r")?;
    d.expect(b"OK", t)?;
    d.send(b"ATDT5551234\r")?;
    d.expect(b"CONNECT", t)?;
    d.expect(b"ervice?", t)?;
    d.send(b"p\r")?;
    d.expect(b"sername:", t)?;
    d.send(format!("{USER}\r").as_bytes())?;
    d.expect(b"ssword:", t)?;
    d.send(format!("{PASSWORD}\r").as_bytes())?;
    drop(port);
    Ok(started.elapsed())
}

/// Runs the benchmark.
pub fn run(ctx: &Ctx) -> Result<Block, String> {
    let tmp = TempDir::new("login")?;
    let script = find_example().ok_or("examples/ozemail.scp not found")?;
    let chat_file = tmp.write("ozemail.chat", CHAT)?;
    let expect_file = tmp.write("ozemail.exp", EXPECT)?;
    let lock_dir = tmp.path().to_path_buf();

    let dialscript = ctx.dialscript.clone();
    let mut diallers = vec![Dialler {
        name: "dialscript",
        start: Box::new(move |link| {
            let mut c = Command::new(&dialscript);
            c.arg("run")
                .arg(&script)
                .arg("--port")
                .arg(link)
                .args(["--flow", "none", "--dial", "5551234", "--user", USER])
                .args([
                    "--password-env",
                    PASSWORD_VAR,
                    "--timeout",
                    "30",
                    "--lock-dir",
                ])
                .arg(&lock_dir)
                .env(PASSWORD_VAR, PASSWORD)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            Ok(c)
        }),
        times: Vec::new(),
        error: None,
    }];
    let chat = find_program("chat");
    diallers.push(Dialler {
        name: "pppd's chat",
        error: chat
            .is_none()
            .then(|| "pppd's chat is not installed".to_string()),
        start: Box::new(move |link| {
            let chat = chat.as_ref().ok_or("pppd's chat is not installed")?;
            // pppd opens the device and hands it to chat as standard input and output, raw;
            // here this process does that part, outside the timed run.
            let port = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(link)
                .map_err(|e| format!("{}: {e}", link.display()))?;
            make_raw(port.as_fd())?;
            let dup = port.try_clone().map_err(|e| e.to_string())?;
            let mut c = Command::new(chat);
            c.arg("-f")
                .arg(&chat_file)
                .stdin(Stdio::from(port))
                .stdout(Stdio::from(dup))
                .stderr(Stdio::null());
            Ok(c)
        }),
        times: Vec::new(),
    });
    let expect = find_program("expect");
    diallers.push(Dialler {
        name: "Expect",
        error: expect
            .is_none()
            .then(|| "Expect is not installed".to_string()),
        start: Box::new(move |link| {
            let expect = expect.as_ref().ok_or("Expect is not installed")?;
            let mut c = Command::new(expect);
            c.arg(&expect_file)
                .arg(link)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            Ok(c)
        }),
        times: Vec::new(),
    });

    let server = Server::start(ctx, tmp.path())?;
    let runs = ctx.reps(20, 5);
    let warmup = 2;
    let mut floor = Vec::new();
    let mut floor_error = None;
    // The server prints `serving` once at the start and once after every call.
    let mut ready = false;
    for round in 0..warmup + runs {
        for d in diallers.iter_mut().filter(|d| d.error.is_none()) {
            if !ready {
                server.ready()?;
                ready = true;
            }
            let cmd = match (d.start)(&server.link) {
                Ok(c) => c,
                Err(e) => {
                    d.error = Some(e);
                    continue;
                }
            };
            let result = run_timed(cmd, Duration::from_secs(30));
            // A dialler that ran has made a call (or the server would wait for ever, and then
            // nothing after it can be measured either).
            let accepted = server.call_ended()?;
            ready = false;
            match result {
                Ok(t) if t.status.success() && accepted => {
                    if round >= warmup {
                        d.times.push(t.wall);
                    }
                }
                Ok(t) => {
                    d.error = Some(format!(
                        "ended with {}, the ISP {} the login",
                        t.status,
                        if accepted {
                            "accepted"
                        } else {
                            "did not accept"
                        }
                    ));
                }
                Err(e) => d.error = Some(e),
            }
        }
        if floor_error.is_none() {
            if !ready {
                server.ready()?;
            }
            let r = floor_call(&server.link);
            let accepted = server.call_ended()?;
            ready = false;
            match r {
                Ok(t) if accepted => {
                    if round >= warmup {
                        floor.push(t);
                    }
                }
                Ok(_) => floor_error = Some("the ISP did not accept the login".to_string()),
                Err(e) => floor_error = Some(e),
            }
        }
    }

    let ours: Option<Summary> = summarize(&diallers[0].times);
    let mut t = Table::new(&["dialler", "median", "fastest", "slowest", "vs dialscript"]);
    for d in &diallers {
        match (&d.error, summarize(&d.times)) {
            (None, Some(s)) => t.row(vec![
                format!("{} (median of {})", d.name, s.count),
                duration(s.median),
                duration(s.min),
                duration(s.max),
                match &ours {
                    Some(o) if d.name != "dialscript" => speedup(o.median, s.median),
                    _ => String::new(),
                },
            ]),
            (Some(e), _) => t.row(vec![d.name.to_string(), format!("failed: {e}")]),
            (None, None) => t.row(vec![d.name.to_string(), "no runs".to_string()]),
        }
    }
    match (&floor_error, summarize(&floor)) {
        (None, Some(s)) => t.row(vec![
            format!(
                "anchor: this process, plain reads and writes (median of {})",
                s.count
            ),
            duration(s.median),
            duration(s.min),
            duration(s.max),
            match &ours {
                Some(o) => speedup(o.median, s.median),
                None => String::new(),
            },
        ]),
        (Some(e), _) => t.row(vec!["anchor".to_string(), format!("failed: {e}")]),
        (None, None) => {}
    }
    let mut markdown = t.render();
    markdown.push_str(
        "\nA ratio is the other dialler's time divided by dialscript's: how many times longer \
         it took.\n",
    );
    let targets = match (&diallers[0].error, ours) {
        (None, Some(o)) => {
            let peers: Vec<Duration> = diallers[1..]
                .iter()
                .filter(|d| d.error.is_none())
                .filter_map(|d| summarize(&d.times).map(|s| s.median))
                .collect();
            let fastest = peers.iter().min().copied();
            vec![Target::new(
                "whole OzEmail login on a pty, against chat and Expect",
                "the fastest median of the three",
                format!(
                    "dialscript {}, fastest peer {}",
                    duration(o.median),
                    fastest.map_or("none".to_string(), duration)
                ),
                peers.len() == 2 && fastest.is_some_and(|f| o.median <= f),
            )]
        }
        (e, _) => return Err(format!("dialscript: {}", e.clone().unwrap_or_default())),
    };
    Ok(Block { markdown, targets })
}

/// `examples/ozemail.scp` of this repository, found from the current folder upwards.
fn find_example() -> Option<PathBuf> {
    let here = std::env::current_dir().ok()?;
    here.ancestors()
        .map(|d| d.join("examples").join("ozemail.scp"))
        .find(|p| p.is_file())
}
