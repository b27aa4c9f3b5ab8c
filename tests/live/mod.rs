//! Helpers for the suites that run the built `dialscript` binary against real ptys and real
//! programs (`real_lines` and `serve`): finding the binary and the tools, scratch folders,
//! child processes that are always bounded and killed, pty pairs and peers written in Rust.

// Each suite uses a different part of these helpers; the rest would be reported as unused.
#![allow(dead_code)]

use std::fs;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use dialscript_serial::{FdLine, Line, Read};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// The password every test account uses unless a test needs another: characters that a
/// careless escape would mangle (`^`, `<`, `\`).
pub const PASSWORD: &str = "s3cr^t<x\\";

/// The `dialscript` binary of this build: the test executable lives in `target/<profile>/deps`,
/// the binary one folder up.
pub fn dialscript() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable is in target/<profile>/deps");
    let bin = profile_dir.join(format!("dialscript{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "{} is missing: build it first with `cargo build -p dialscript-cli` \
         (`cargo test --workspace` builds it too)",
        bin.display()
    );
    bin
}

/// A program from PATH (and the sbin folders, which a non-root PATH often lacks), or a panic
/// that says which package brings it.
pub fn tool(name: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from));
    dirs.into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` is not installed: `apt-get install {package}` (see .ci/run)")
        })
}

/// A folder under the system's temporary folder, removed with everything in it on drop.
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// A new, empty, unique folder; `tag` says which test it belongs to.
    pub fn new(tag: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let path =
            std::env::temp_dir().join(format!("dialscript-{tag}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("scratch folder");
        Scratch { path }
    }

    /// A path inside the folder.
    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes a file in the folder and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.join(name);
        fs::write(&p, contents).expect("scratch file");
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// Output a child has written so far, collected by a thread so that a full pipe never
/// blocks it.
type Captured = Arc<Mutex<Vec<u8>>>;

fn capture(mut from: impl std::io::Read + Send + 'static) -> (Captured, JoinHandle<()>) {
    let buf: Captured = Arc::default();
    let b = Arc::clone(&buf);
    let handle = std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        while let Ok(n) = from.read(&mut chunk) {
            if n == 0 {
                break;
            }
            if let Ok(mut b) = b.lock() {
                b.extend_from_slice(&chunk[..n]);
            }
        }
    });
    (buf, handle)
}

fn text(c: &Captured) -> String {
    c.lock()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// A child process that is killed (and reaped) when dropped, so that no test leaves one
/// behind, whatever it asserts.
pub struct Proc {
    name: String,
    child: Child,
    stdout: Option<(Captured, JoinHandle<()>)>,
    stderr: Option<(Captured, JoinHandle<()>)>,
}

/// How a child ended.
#[derive(Debug)]
pub struct Done {
    /// Its exit status.
    pub status: ExitStatus,
    /// What it wrote to standard output (when that was captured).
    pub stdout: String,
    /// What it wrote to standard error (when that was captured).
    pub stderr: String,
}

impl Done {
    /// The exit code; a panic if a signal killed it.
    pub fn code(&self) -> i32 {
        self.status
            .code()
            .unwrap_or_else(|| panic!("killed by a signal: {:?}\n{}", self.status, self.stderr))
    }
}

impl Proc {
    /// Spawns `cmd` with its standard output and error captured.
    pub fn spawn(name: &str, cmd: Command) -> Proc {
        Self::spawn_with(name, cmd, true, true)
    }

    /// Spawns `cmd`, capturing standard output only when `out` and standard error only when
    /// `err` (the command sets whatever is not captured). The command is consumed: it owns
    /// the descriptors given to the child, and keeping them open here would hide the child's
    /// closing of a line from the far end.
    pub fn spawn_with(name: &str, mut cmd: Command, out: bool, err: bool) -> Proc {
        if out {
            cmd.stdout(Stdio::piped());
        }
        if err {
            cmd.stderr(Stdio::piped());
        }
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let stdout = child.stdout.take().map(capture);
        let stderr = child.stderr.take().map(capture);
        Proc {
            name: name.to_string(),
            child,
            stdout,
            stderr,
        }
    }

    /// The process ID.
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Sends `signal`.
    pub fn signal(&self, signal: Signal) {
        kill(Pid::from_raw(self.pid()), signal)
            .unwrap_or_else(|e| panic!("cannot signal {}: {e}", self.name));
    }

    /// Standard error so far.
    pub fn stderr_now(&self) -> String {
        self.stderr
            .as_ref()
            .map(|(c, _)| text(c))
            .unwrap_or_default()
    }

    /// Whether it is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits for the end, at most `limit`; a panic (after killing it) if it takes longer.
    pub fn finish(mut self, limit: Duration) -> Done {
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("wait for a child") {
                break s;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "{} did not end within {limit:?}\nstderr:\n{}",
                    self.name,
                    self.stderr_now()
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let collect = |c: Option<(Captured, JoinHandle<()>)>| {
            c.map(|(buf, h)| {
                let _ = h.join();
                text(&buf)
            })
            .unwrap_or_default()
        };
        let stdout = collect(self.stdout.take());
        let stderr = collect(self.stderr.take());
        Done {
            status,
            stdout,
            stderr,
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Polls `ready` every few milliseconds until it holds; a panic naming `what` after `limit`.
pub fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A path as text, for command lines.
pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// A `dialscript` command with standard input from /dev/null.
pub fn dialscript_cmd(args: &[&str]) -> Command {
    let mut c = Command::new(dialscript());
    c.args(args).stdin(Stdio::null());
    c
}

/// `dialscript serve --pty LINK` with `args`, started and waited for until LINK exists.
pub fn serve_pty(link: &Path, args: &[&str]) -> Proc {
    let link_s = link.to_str().expect("UTF-8 path");
    let mut cmd = dialscript_cmd(&["serve", "--pty", link_s]);
    cmd.args(args);
    let mut p = Proc::spawn("dialscript serve", cmd);
    wait_for("serve to publish its pty", Duration::from_secs(10), || {
        assert!(p.running(), "serve ended early:\n{}", p.stderr_now());
        link.exists()
    });
    p
}

/// A null-modem cable of two ptys made by socat, published at `a` and `b`.
pub fn socat_pair(a: &Path, b: &Path) -> Proc {
    let socat = tool("socat", "socat");
    let mut cmd = Command::new(socat);
    cmd.arg("-d")
        .arg("-d")
        .arg(format!("pty,raw,echo=0,link={}", a.display()))
        .arg(format!("pty,raw,echo=0,link={}", b.display()))
        .stdin(Stdio::null());
    let mut p = Proc::spawn("socat", cmd);
    wait_for("socat's ptys", Duration::from_secs(10), || {
        assert!(p.running(), "socat ended early:\n{}", p.stderr_now());
        a.exists() && b.exists()
    });
    p
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A memory figure of a process from /proc, in KiB: `VmRSS` (resident now) or `VmHWM` (the
/// peak so far).
pub fn memory_kib(pid: i32, field: &str) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// The UUCP lock file `dialscript run --port DEV --lock-dir DIR` takes.
pub fn lock_file(dir: &Path, dev: &Path) -> PathBuf {
    dir.join(dialscript_serial::lock::lock_name(dev))
}

/// A pty pair made here: the master for a peer written in the test, the slave's path for
/// `dialscript run --port`. The slave stays open in `slave` (raw, like a serial port), so the
/// master never reads EIO before the program under test has opened it.
pub struct Pty {
    /// The peer's end.
    pub master: Peer,
    /// The slave, held open.
    pub slave: OwnedFd,
    /// The slave's path.
    pub path: PathBuf,
}

impl Pty {
    /// A new raw pty pair.
    pub fn open() -> Pty {
        use nix::fcntl::{FcntlArg, FdFlag, fcntl};
        use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};
        let pty = nix::pty::openpty(None, None).expect("openpty");
        // openpty's descriptors are inherited by children; a program under test holding the
        // master would keep the line up after the test closed its end.
        for fd in [&pty.master, &pty.slave] {
            fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).expect("FD_CLOEXEC");
        }
        let mut t = tcgetattr(&pty.slave).expect("tcgetattr");
        cfmakeraw(&mut t);
        tcsetattr(&pty.slave, SetArg::TCSANOW, &t).expect("tcsetattr");
        let path = nix::unistd::ttyname(pty.slave.as_fd()).expect("ttyname");
        Pty {
            master: Peer::new(FdLine::new(pty.master, "pty master")),
            slave: pty.slave,
            path,
        }
    }

    /// The slave's path as text.
    pub fn path_str(&self) -> &str {
        self.path.to_str().expect("UTF-8 path")
    }
}

/// A peer written in the test: waits for what it expects and sends its answers, like a tiny
/// chat, remembering everything it received.
pub struct Peer {
    line: FdLine,
    seen: Vec<u8>,
    pos: usize,
}

impl Peer {
    /// A peer on `line`.
    pub fn new(line: FdLine) -> Peer {
        Peer {
            line,
            seen: Vec::new(),
            pos: 0,
        }
    }

    /// Reads until `needle` arrives after what earlier calls consumed; a panic after `limit`.
    pub fn expect(&mut self, needle: &[u8], limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut buf = [0u8; 4096];
        loop {
            if let Some(i) = self.seen[self.pos..]
                .windows(needle.len())
                .position(|w| w == needle)
            {
                self.pos += i + needle.len();
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "the peer did not receive {:?}; it got {:?}",
                String::from_utf8_lossy(needle),
                String::from_utf8_lossy(&self.seen)
            );
            match self
                .line
                .read(&mut buf, left.min(Duration::from_millis(50)))
            {
                Ok(Read::Data(n)) => self.seen.extend_from_slice(&buf[..n]),
                Ok(Read::TimedOut) => {}
                Ok(Read::Hangup) | Err(_) => {
                    // The other end closed; keep looking until the deadline in what came.
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        }
    }

    /// Sends `bytes`.
    pub fn send(&mut self, bytes: &[u8]) {
        self.line
            .write_all(bytes, Duration::from_secs(5))
            .expect("the peer's write");
    }

    /// Everything received so far.
    pub fn seen(&self) -> &[u8] {
        &self.seen
    }
}

/// The result a `dialscript run` transcript ends with, as the simulator names outcomes
/// (`completed`, `halted`, `timed-out`, `line-failure`, `runtime-error`, `cancelled`).
pub fn outcome_of(stderr: &str) -> Option<&'static str> {
    let result = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("result: "))?;
    [
        ("completed", "completed"),
        ("halted", "halted"),
        ("timed out", "timed-out"),
        ("line failure", "line-failure"),
        ("runtime error", "runtime-error"),
        ("cancelled", "cancelled"),
    ]
    .into_iter()
    .find(|(prefix, _)| result.starts_with(prefix))
    .map(|(_, name)| name)
}

/// What the in-process simulation says about a script: `dialscript run --format json`'s
/// closing object.
#[derive(Debug)]
pub struct Simulated {
    /// The exit code.
    pub exit: i32,
    /// The outcome's name, `None` when dialling failed.
    pub outcome: Option<String>,
    /// The modem's result (`CONNECT 28800`, `BUSY`, ...).
    pub dial: String,
    /// Whether the ISP accepted the login.
    pub logged_in: bool,
}

/// Runs `script` through the in-process simulation with `args` added.
pub fn simulate(script: &Path, args: &[&str]) -> Simulated {
    let script = script.to_str().expect("UTF-8 path");
    let mut all = vec!["run", script, "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = dialscript_tests::run_cli(&all);
    let last = out
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no output from the simulation: {err}"));
    let v: serde_json::Value = serde_json::from_str(last).expect("the result is JSON");
    let sim = Simulated {
        exit: v["exit"].as_i64().expect("exit") as i32,
        outcome: v["outcome"].as_str().map(str::to_string),
        dial: v["dial"].as_str().unwrap_or_default().to_string(),
        logged_in: v["logged_in"].as_bool().expect("logged_in"),
    };
    assert_eq!(sim.exit, code, "the result's exit is the exit code");
    sim
}

/// The run deadline of the comparisons with the simulation, in seconds. Long enough for every
/// login the simulator completes (its ISPs think for up to half a second per prompt, and
/// `unix-login.scp` waits two seconds at the end), short enough that a script waiting for a
/// prompt that never comes ends quickly in both worlds.
pub const COMPARE_TIMEOUT: &str = "4";

/// How much faster `serve` runs the modem and the ISP in the comparisons: dialling takes
/// 0.75 s instead of 15, and the ISP's idle hang-up (120 s) comes after 6 s, later than the run
/// deadline, as in the simulation.
pub const COMPARE_SPEEDUP: &str = "20";

/// Runs `script` with `dialscript run --port` against `serve --pty` with `profile` and
/// `fault`, and the same in the in-process simulation; describes every difference in exit
/// code, dial result, outcome and whether the ISP accepted the login.
pub fn compare_with_simulation(
    script: &Path,
    profile: &str,
    fault: Option<&str>,
) -> Result<(), String> {
    let name = format!(
        "{} against {profile} with {}",
        script.file_name().unwrap_or_default().to_string_lossy(),
        fault.unwrap_or("no fault")
    );
    let dir = Scratch::new("compare");
    let pw = dir.write("password", PASSWORD);
    let pw = pw.to_str().expect("UTF-8 path");
    let fault_args: Vec<&str> = fault.map(|f| vec!["--fault", f]).unwrap_or_default();

    let mut sim_args = vec!["--isp", profile, "--user", "alice", "--password-file", pw];
    sim_args.extend(["--timeout", COMPARE_TIMEOUT]);
    sim_args.extend(&fault_args);
    let sim = simulate(script, &sim_args);

    let link = dir.join("isp");
    let mut serve_args = vec!["--isp", profile, "--once", "--no-pacing"];
    serve_args.extend(["--speedup", COMPARE_SPEEDUP, "--user", "alice"]);
    serve_args.extend(["--password-file", pw]);
    serve_args.extend(&fault_args);
    let serve = serve_pty(&link, &serve_args);
    let cmd = dialscript_cmd(&[
        "run",
        script.to_str().expect("UTF-8 path"),
        "--port",
        link.to_str().expect("UTF-8 path"),
        "--dial",
        "5551234",
        "--guard-ms",
        "10",
        "--lock-dir",
        dir.path().to_str().expect("UTF-8 path"),
        "--flow",
        "none",
        "--user",
        "alice",
        "--password-file",
        pw,
        "--timeout",
        COMPARE_TIMEOUT,
    ]);
    let run = Proc::spawn("dialscript run", cmd).finish(Duration::from_secs(30));
    let serve = serve.finish(Duration::from_secs(10));

    let mut diffs = Vec::new();
    if run.code() != sim.exit {
        diffs.push(format!(
            "exit {} on the pty, {} simulated",
            run.code(),
            sim.exit
        ));
    }
    match &sim.outcome {
        None => {
            let words = format!("the modem says {}", sim.dial);
            if !run.stderr.contains(&words) {
                diffs.push(format!(
                    "the simulated dial failed with `{words}`, the real one not"
                ));
            }
        }
        Some(outcome) => {
            if !run.stderr.contains(&sim.dial) {
                diffs.push(format!("no `{}` on the pty", sim.dial));
            }
            let real = outcome_of(&run.stderr);
            if real != Some(outcome.as_str()) {
                diffs.push(format!("outcome {real:?} on the pty, {outcome} simulated"));
            }
        }
    }
    let logged_in = serve.code() == 0;
    if logged_in != sim.logged_in {
        diffs.push(format!(
            "logged in: {logged_in} on the pty, {} simulated",
            sim.logged_in
        ));
    }
    if run.stderr.contains(PASSWORD) || serve.stderr.contains(PASSWORD) {
        diffs.push("the password shows in a transcript".to_string());
    }
    if dir.path().read_dir().map_or(0, |d| {
        d.filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("LCK.."))
            .count()
    }) != 0
    {
        diffs.push("the lock file is left behind".to_string());
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{name}: {}\n--- run:\n{}--- serve:\n{}",
            diffs.join("; "),
            run.stderr,
            serve.stderr
        ))
    }
}

/// Runs every case on its own thread (they mostly wait on ptys) and fails with all the
/// differences at once.
pub fn compare_all(cases: Vec<(PathBuf, &'static str, Option<&'static str>)>) {
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .iter()
            .map(|(script, profile, fault)| {
                s.spawn(move || compare_with_simulation(script, profile, *fault))
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| match h.join() {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e),
                Err(_) => Some("a case panicked (see above)".to_string()),
            })
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from the simulation:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// An example script.
pub fn example(name: &str) -> PathBuf {
    dialscript_tests::root().join("examples").join(name)
}
