//! `dialscript run` on real lines: ptys with the simulated ISP of `dialscript serve`, peers
//! written here, pppd's `chat` as the ISP, `agetty` and `login` for a real account, pppd's
//! connect contract, signals and UUCP locks. Every program is the real one; nothing is
//! skipped. Needs socat, ppp (chat) and, for `agetty`/`login`, util-linux and login.

mod live;

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dialscript_serial::{Flow, SerialLine, Settings, UucpLock};
use live::{
    PASSWORD, Proc, Pty, Scratch, compare_all, dialscript_cmd, example, lock_file, path_str,
    serve_pty, socat_pair, tool, wait_for,
};
use nix::sys::signal::Signal;

/// Each example with the built-in ISP it was written for.
const EXAMPLES: [(&str, &str); 5] = [
    ("ozemail.scp", "ozemail"),
    ("unix-login.scp", "unix-login"),
    ("compuserve-7e1.scp", "compuserve"),
    ("slip-getip.scp", "slip-menu"),
    ("retry-loop.scp", "slip-menu"),
];

/// `dialscript run` options for a port made in a test, with its lock folder.
fn port_args<'a>(port: &'a str, lock_dir: &'a str) -> Vec<&'a str> {
    vec![
        "--port",
        port,
        "--lock-dir",
        lock_dir,
        "--flow",
        "none",
        "--guard-ms",
        "10",
    ]
}

/// A scratch folder holding `script`, a fresh pty, and `dialscript run` of the script on the
/// pty's port with `extra` arguments; with the path of the port's lock file.
fn run_on_a_pty(tag: &str, script: &str, extra: &[&str]) -> (Scratch, Pty, PathBuf, Command) {
    let dir = Scratch::new(tag);
    let script = dir.write("script.scp", script);
    let pty = Pty::open();
    let lock = lock_file(dir.path(), &pty.path);
    let mut args = vec!["run", path_str(&script)];
    args.extend(port_args(pty.path_str(), path_str(dir.path())));
    args.extend(extra);
    let cmd = dialscript_cmd(&args);
    (dir, pty, lock, cmd)
}

#[test]
fn every_example_logs_in_over_a_pty_as_in_the_simulation() {
    let mut cases = Vec::new();
    for (script, profile) in EXAMPLES {
        for fault in [
            None,
            Some("wrong-password"),
            Some("busy"),
            Some("no-carrier"),
            Some("silent-after-connect"),
        ] {
            cases.push((example(script), profile, fault));
        }
    }
    // A script whose own one-second timeout ends it (through its failure path) before any
    // run deadline: the real clock and the virtual one must agree on that too.
    let dir = Scratch::new("short-until");
    let short = dir.write(
        "short-until.scp",
        "proc main\n   waitfor \"ervice?\" until 1\n   if $FAILURE then\n      halt\n   endif\n   \
         transmit \"p^M\"\nendproc\n",
    );
    cases.push((short.clone(), "ozemail", None));
    cases.push((short, "ozemail", Some("silent-after-connect")));
    compare_all(cases);
}

#[test]
fn the_run_deadline_ends_an_unguarded_script_and_removes_the_lock() {
    let (_dir, mut pty, lock, cmd) = run_on_a_pty(
        "deadline",
        "proc main\n   waitfor \"sername:\"\n   transmit $USERID, raw\nendproc\n",
        &["--timeout", "1", "--user", "alice"],
    );
    let started = Instant::now();
    let run = Proc::spawn("dialscript run", cmd);
    wait_for("the lock file", Duration::from_secs(5), || lock.exists());
    // A greeting, but never the prompt the script waits for.
    pty.master.send(b"\r\nWelcome to the silent ISP\r\n");
    let done = run.finish(Duration::from_secs(10));
    assert_eq!(done.code(), 3, "{}", done.stderr);
    assert!(
        done.stderr.contains("timed out (run deadline, DS304)"),
        "{}",
        done.stderr
    );
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(!lock.exists(), "the lock file must be gone");
}

#[test]
fn the_peer_closing_the_line_ends_the_run_with_exit_4() {
    let (_dir, pty, lock, cmd) = run_on_a_pty(
        "peer-closes",
        "proc main\n   waitfor \"sername:\" until 30\n   transmit $USERID, raw\nendproc\n",
        &["--user", "alice"],
    );
    let started = Instant::now();
    let run = Proc::spawn("dialscript run", cmd);
    wait_for("the wait", Duration::from_secs(5), || {
        run.stderr_now().contains("waitfor")
    });
    // The device goes away under the waiting script: with the test's own descriptors of both
    // ends closed, the port reads a hang-up.
    let Pty { master, slave, .. } = pty;
    drop(slave);
    drop(master);
    let done = run.finish(Duration::from_secs(10));
    assert_eq!(done.code(), 4, "{}", done.stderr);
    assert!(done.stderr.contains("hung up"), "{}", done.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "noticed at once, not at the script's timeout"
    );
    assert!(!lock.exists(), "the lock file must be gone");
}

#[test]
fn a_line_that_stops_taking_bytes_ends_the_run_with_exit_4_at_the_deadline() {
    // Far more than a pty holds; the peer never reads any of it.
    let (_dir, pty, lock, cmd) = run_on_a_pty(
        "full-line",
        "proc main\n   integer n = 0\n   while n < 100000 do\n      \
         transmit \"0123456789012345678901234567890123456789012345678901234567890123\"\n      \
         n = n + 1\n   endwhile\nendproc\n",
        &["--timeout", "1"],
    );
    let started = Instant::now();
    let done = Proc::spawn("dialscript run", cmd).finish(Duration::from_secs(10));
    assert_eq!(done.code(), 4, "{}", done.stderr);
    assert!(
        done.stderr.contains("did not take the bytes in time"),
        "{}",
        done.stderr
    );
    // The write gave up at the run deadline, not after the ten seconds a write may take.
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(5),
        "{took:?}"
    );
    assert!(!lock.exists(), "the lock file must be gone");
    drop(pty);
}

/// A login script for a host that asks `login:` and `Password:` and then says `Welcome`.
const LOGIN_SCRIPT: &str = r#"proc main
   waitfor "login:" until 5
   if !$SUCCESS then
      halt
   endif
   transmit $USERID, raw
   transmit "^M"
   waitfor "assword:" until 5
   if !$SUCCESS then
      halt
   endif
   transmit $PASSWORD, raw
   transmit "^M"
   waitfor "Welcome" until 2
   if !$SUCCESS then
      halt
   endif
endproc
"#;

/// pppd's `chat` as the ISP on one end of a socat cable, the script on the other; `chat`
/// exits 0 only when it saw the user name and the password it expects, each ended by CR.
fn chat_as_the_isp(password_sent: &str) -> (i32, i32, String) {
    let dir = Scratch::new("chat-isp");
    let (a, b) = (dir.join("A"), dir.join("B"));
    let _cable = socat_pair(&a, &b);
    let script = dir.write("login.scp", LOGIN_SCRIPT);
    let pw = dir.write("password", password_sent);
    let line = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&b)
        .expect("the ISP's end of the cable");
    // chat appends CR to what it sends unless the string ends in \c, and takes `-` in an
    // expect string for a sub-expect, so the password is letters and digits only.
    let mut chat = Command::new(tool("chat", "ppp"));
    chat.args(["-s", "-v", "-t", "2"])
        .args(["", "login: \\c", "alice\\r", "Password: \\c", "Ch4tPw9\\r"])
        .arg("\\r\\nWelcome\\c")
        .stdin(Stdio::from(line.try_clone().expect("dup")))
        .stdout(Stdio::from(line));
    let chat = Proc::spawn_with("chat", chat, false, true);
    let mut args = vec!["run", path_str(&script)];
    args.extend(port_args(path_str(&a), path_str(dir.path())));
    args.extend(["--user", "alice", "--password-file", path_str(&pw)]);
    let run = Proc::spawn("dialscript run", dialscript_cmd(&args)).finish(Duration::from_secs(15));
    let chat = chat.finish(Duration::from_secs(10));
    (
        run.code(),
        chat.code(),
        format!("--- run:\n{}--- chat:\n{}", run.stderr, chat.stderr),
    )
}

#[test]
fn pppd_chat_as_the_isp_accepts_our_answers() {
    let (run, chat, log) = chat_as_the_isp("Ch4tPw9");
    assert_eq!((run, chat), (0, 0), "{log}");
    assert!(log.contains("alice^M\n -- got it"), "{log}");
    assert!(log.contains("Ch4tPw9^M\n -- got it"), "{log}");
}

#[test]
fn pppd_chat_as_the_isp_refuses_a_wrong_password() {
    let (run, chat, log) = chat_as_the_isp("Wr0ngPw");
    // chat's exit 3 is a timeout: it never saw the password it wanted.
    assert_eq!(chat, 3, "{log}");
    assert_ne!(run, 0, "{log}");
}

/// A throwaway account, removed with its home folder when dropped, whatever happened.
struct Account {
    name: String,
}

impl Account {
    fn create(name: &str, password: &str) -> Account {
        let account = Account {
            name: name.to_string(),
        };
        // Left over from an earlier run that was killed: remove it first.
        let _ = Command::new(tool("userdel", "passwd"))
            .args(["-f", "-r", name])
            .stderr(Stdio::null())
            .status();
        let status = Command::new(tool("useradd", "passwd"))
            .args(["-m", "-s", "/bin/sh", name])
            .status()
            .expect("useradd");
        assert!(
            status.success(),
            "useradd {name} failed (the test needs root)"
        );
        let mut chpasswd = Command::new(tool("chpasswd", "passwd"))
            .stdin(Stdio::piped())
            .spawn()
            .expect("chpasswd");
        {
            use std::io::Write as _;
            let mut stdin = chpasswd.stdin.take().expect("chpasswd's stdin");
            writeln!(stdin, "{name}:{password}").expect("write to chpasswd");
        }
        assert!(chpasswd.wait().expect("chpasswd").success());
        account
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        let _ = Command::new(tool("userdel", "passwd"))
            .args(["-f", "-r", &self.name])
            .stderr(Stdio::null())
            .status();
    }
}

#[test]
fn agetty_and_login_accept_a_real_account() {
    let password = "Ag3tty!pw";
    let name = format!("dsl{}", std::process::id());
    // Declared first, so it is dropped last: after agetty and the cable are gone.
    let _account = Account::create(&name, password);
    let dir = Scratch::new("agetty");
    let (a, b) = (dir.join("A"), dir.join("B"));
    let _cable = socat_pair(&a, &b);
    let tty = fs::read_link(&b).expect("socat's link to the pty");
    let tty = tty
        .strip_prefix("/dev")
        .expect("a pty under /dev")
        .to_str()
        .expect("UTF-8 path")
        .to_string();
    let mut agetty = Command::new(tool("agetty", "util-linux"));
    agetty
        .args(["-L", "-8", "--noclear", "115200", &tty, "vt100"])
        .stdin(Stdio::null());
    let agetty = Proc::spawn("agetty", agetty);
    let script = dir.write(
        "shell.scp",
        r#"proc main
   ; agetty prints its prompt once; a carriage return makes it print another, in case
   ; the first one went out before the port was open.
   transmit "^M"
   waitfor "login:" until 10
   if !$SUCCESS then
      halt
   endif
   transmit $USERID, raw
   transmit "^M"
   waitfor "assword:" until 10
   if !$SUCCESS then
      halt
   endif
   transmit $PASSWORD, raw
   transmit "^M"
   waitfor "incorrect" then Failed, "$ " then Shell until 10
Failed:
   halt
Shell:
   ; The shell works out 6*7, so the answer cannot be the echo of the command.
   transmit "echo ok-$((6*7))^M"
   waitfor "ok-42" until 5
   if !$SUCCESS then
      halt
   endif
   transmit "exit^M"
endproc
"#,
    );
    let pw = dir.write("password", password);
    let mut args = vec!["run", path_str(&script)];
    args.extend(port_args(path_str(&a), path_str(dir.path())));
    args.extend(["--user", &name, "--password-file", path_str(&pw)]);
    let run = Proc::spawn("dialscript run", dialscript_cmd(&args)).finish(Duration::from_secs(30));
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(!run.stderr.contains(password));
    // agetty became login, which ends with the shell's status once `exit` arrives.
    let agetty = agetty.finish(Duration::from_secs(10));
    assert_eq!(agetty.code(), 0, "{}", agetty.stderr);
}

/// A script that dials for itself, as a connect script under pppd does, and logs in to the
/// simulated OzEmail; it halts unless the ISP starts PPP.
const CONNECT_SCRIPT: &str = r#"proc main
   transmit "ATZ^M"
   waitfor "OK" until 5
   if !$SUCCESS then
      halt
   endif
   transmit "ATDT5551234^M"
   waitfor "CONNECT" until 5
   if !$SUCCESS then
      halt
   endif
   waitfor "ervice?" until 5
   if !$SUCCESS then
      halt
   endif
   transmit "p^M"
   waitfor "sername:" until 5
   if !$SUCCESS then
      halt
   endif
   transmit $USERID, raw
   transmit "^M"
   waitfor "assword:" until 5
   if !$SUCCESS then
      halt
   endif
   transmit $PASSWORD, raw
   transmit "^M"
   waitfor "PPP mode" until 5
   if !$SUCCESS then
      halt
   endif
endproc
"#;

/// Starts `dialscript run --stdio` the way pppd starts its connect program: standard input
/// and output are both the serial line (one open descriptor of the device), standard error
/// goes to the log. Returns the run and what the ISP saw from the caller.
fn as_pppd_connect(fault: Option<&str>) -> (live::Done, live::Done, String) {
    let dir = Scratch::new("stdio");
    let link = dir.join("ttyS0");
    let log = dir.join("serve.log");
    let pw = dir.write("isp.pw", format!("{PASSWORD}\n"));
    let mut serve_args = vec![
        "--once",
        "--no-pacing",
        "--speedup",
        "20",
        "--user",
        "alice",
    ];
    serve_args.extend(["--password-file", path_str(&pw), "--log", path_str(&log)]);
    if let Some(f) = fault {
        serve_args.extend(["--fault", f]);
    }
    let serve = serve_pty(&link, &serve_args);
    let script = dir.write("isp.scp", CONNECT_SCRIPT);
    let device = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&link)
        .expect("open the device as pppd does");
    let mut cmd = dialscript_cmd(&[
        "run",
        path_str(&script),
        "--stdio",
        "--user",
        "alice",
        "--password-file",
        path_str(&pw),
        "--timeout",
        "20",
    ]);
    cmd.stdin(Stdio::from(device.try_clone().expect("dup")))
        .stdout(Stdio::from(device));
    let run = Proc::spawn_with("dialscript run --stdio", cmd, false, true);
    let run = run.finish(Duration::from_secs(30));
    let serve = serve.finish(Duration::from_secs(10));
    let mut from_caller = String::new();
    for line in fs::read_to_string(&log).expect("serve's log").lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        if v["dir"] == "caller" {
            from_caller.push_str(v["data"].as_str().expect("data"));
        }
    }
    (run, serve, from_caller)
}

#[test]
fn run_stdio_keeps_pppds_connect_contract() {
    let (run, serve, from_caller) = as_pppd_connect(None);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert_eq!(
        serve.code(),
        0,
        "the ISP accepted the login: {}",
        serve.stderr
    );
    // Standard output is the line: exactly what the script sent went out on it, no message.
    assert_eq!(from_caller, r"ATZ\rATDT5551234\rp\ralice\r********\r");
    // The messages and the transcript went to standard error, the password masked.
    assert!(run.stderr.contains("result: completed"), "{}", run.stderr);
    assert!(run.stderr.contains("\"********\""), "{}", run.stderr);
    assert!(!run.stderr.contains(PASSWORD));
}

#[test]
fn run_stdio_tells_pppd_a_refused_login() {
    let (run, serve, _) = as_pppd_connect(Some("wrong-password"));
    assert_ne!(run.code(), 0, "{}", run.stderr);
    assert!(run.stderr.contains("result: halted"), "{}", run.stderr);
    assert_eq!(serve.code(), 1, "{}", serve.stderr);
}

/// A script that tells the peer it is about to wait, then waits for ever.
const WAITS_FOR_EVER: &str = "proc main\n   transmit \"hello^M\"\n   waitfor \"never\"\nendproc\n";

/// Starts a run that dials the peer of a pty made here and sits in an unguarded `waitfor`.
/// Returns the run, the pty and the scratch folder (the lock folder).
fn run_waiting(tag: &str) -> (Proc, Pty, Scratch) {
    let dir = Scratch::new(tag);
    let script = dir.write("wait.scp", WAITS_FOR_EVER);
    let mut pty = Pty::open();
    let mut args = vec!["run", path_str(&script)];
    args.extend(port_args(pty.path_str(), path_str(dir.path())));
    args.extend(["--dial", "5551234", "--timeout", "30", "--user", "alice"]);
    let run = Proc::spawn("dialscript run", dialscript_cmd(&args));
    let limit = Duration::from_secs(10);
    pty.master.expect(b"ATZ\r", limit);
    pty.master.send(b"\r\nOK\r\n");
    pty.master.expect(b"ATDT5551234\r", limit);
    pty.master.send(b"\r\nCONNECT 33600\r\n");
    pty.master.expect(b"hello\r", limit);
    (run, pty, dir)
}

fn a_signal_hangs_up_and_frees_the_port(signal: Signal, tag: &str) {
    let (run, mut pty, dir) = run_waiting(tag);
    let lock = lock_file(dir.path(), &pty.path);
    let owner = fs::read_to_string(&lock).expect("the run holds the lock");
    assert_eq!(owner.trim().parse::<i32>().ok(), Some(run.pid()));
    run.signal(signal);
    // A pty has no DTR, so the hang-up is the modem escape: guard time, +++, guard, ATH0.
    pty.master.expect(b"+++", Duration::from_secs(5));
    pty.master.expect(b"ATH0\r", Duration::from_secs(5));
    let done = run.finish(Duration::from_secs(10));
    assert_eq!(done.code(), 128 + signal as i32, "{}", done.stderr);
    assert!(
        done.stderr.contains("hung up the line (+++ and ATH0)"),
        "{}",
        done.stderr
    );
    assert!(!lock.exists(), "the lock file must be gone");
    // The port opens again at once, exclusively, and its lock can be taken.
    let settings = Settings {
        flow: Flow::None,
        ..Settings::default()
    };
    SerialLine::open(pty.path_str(), settings).expect("the port opens again");
    UucpLock::acquire(&pty.path, dir.path()).expect("the port can be locked again");
}

#[test]
fn sigterm_during_a_waitfor_hangs_up_and_exits_143() {
    a_signal_hangs_up_and_frees_the_port(Signal::SIGTERM, "sigterm");
}

#[test]
fn sigint_exits_130() {
    a_signal_hangs_up_and_frees_the_port(Signal::SIGINT, "sigint");
}

#[test]
fn sighup_exits_129() {
    a_signal_hangs_up_and_frees_the_port(Signal::SIGHUP, "sighup");
}

#[test]
fn a_stale_lock_is_reclaimed() {
    let dir = Scratch::new("stale");
    let link = dir.join("isp");
    let pw = dir.write("password", PASSWORD);
    let serve = serve_pty(
        &link,
        &[
            "--once",
            "--no-pacing",
            "--speedup",
            "50",
            "--user",
            "alice",
            "--password-file",
            path_str(&pw),
        ],
    );
    // The PID of a process that has ended and been reaped.
    let mut gone = Command::new(tool("true", "coreutils"))
        .spawn()
        .expect("a short-lived process");
    let dead = gone.id();
    gone.wait().expect("reap it");
    let lock = lock_file(dir.path(), &link);
    fs::write(&lock, format!("{dead:>10}\n")).expect("a stale lock");
    let script = example("ozemail.scp");
    let mut args = vec!["run", path_str(&script)];
    args.extend(port_args(path_str(&link), path_str(dir.path())));
    args.extend([
        "--dial",
        "5551234",
        "--user",
        "alice",
        "--password-file",
        path_str(&pw),
    ]);
    let run = Proc::spawn("dialscript run", dialscript_cmd(&args)).finish(Duration::from_secs(20));
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(!run.stderr.contains("in use"), "{}", run.stderr);
    assert!(!lock.exists(), "the reclaimed lock is released at the end");
    assert_eq!(serve.finish(Duration::from_secs(10)).code(), 0);
}

#[test]
fn a_live_lock_fails_fast_with_exit_4() {
    let dir = Scratch::new("live-lock");
    let pty = Pty::open();
    let lock = lock_file(dir.path(), &pty.path);
    let me = std::process::id();
    fs::write(&lock, format!("{me:>10}\n")).expect("a live lock");
    let script = dir.write("wait.scp", WAITS_FOR_EVER);
    let mut args = vec!["run", path_str(&script)];
    args.extend(port_args(pty.path_str(), path_str(dir.path())));
    args.extend(["--dial", "5551234", "--timeout", "30"]);
    let started = Instant::now();
    let run = Proc::spawn("dialscript run", dialscript_cmd(&args)).finish(Duration::from_secs(10));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "not fast: {:?}",
        started.elapsed()
    );
    assert_eq!(run.code(), 4, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("in use by PID {me}")),
        "{}",
        run.stderr
    );
    assert_eq!(
        fs::read_to_string(&lock).expect("the lock stays"),
        format!("{me:>10}\n"),
        "a live lock is never removed"
    );
}

#[test]
fn a_second_run_on_a_port_in_use_fails_fast_with_exit_4() {
    let (first, pty, dir) = run_waiting("second");
    let port = pty.path_str().to_string();
    let script = dir.join("wait.scp");
    // Same lock folder: the UUCP lock stops it, naming the first run.
    let mut args = vec!["run", path_str(&script)];
    args.extend(port_args(&port, path_str(dir.path())));
    args.extend(["--dial", "5551234", "--timeout", "30"]);
    let started = Instant::now();
    let second = Proc::spawn("second run", dialscript_cmd(&args)).finish(Duration::from_secs(10));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "not fast: {:?}",
        started.elapsed()
    );
    assert_eq!(second.code(), 4, "{}", second.stderr);
    assert!(
        second
            .stderr
            .contains(&format!("in use by PID {}", first.pid())),
        "{}",
        second.stderr
    );
    // Another lock folder (a program that ignores ours): the exclusive open stops it.
    let other = Scratch::new("second-other");
    let mut args = vec!["run", path_str(&script)];
    args.extend(port_args(&port, path_str(other.path())));
    args.extend(["--dial", "5551234", "--timeout", "30"]);
    let third = Proc::spawn("third run", dialscript_cmd(&args)).finish(Duration::from_secs(10));
    assert_eq!(third.code(), 4, "{}", third.stderr);
    assert!(third.stderr.contains("cannot open"), "{}", third.stderr);
    first.signal(Signal::SIGTERM);
    assert_eq!(first.finish(Duration::from_secs(10)).code(), 143);
}
