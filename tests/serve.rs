//! `dialscript serve` with real clients: pppd's `chat` and Expect dialling its pty, every
//! example script through `dialscript run --port`, socat bridging a pty to its TCP listener,
//! several TCP callers at once, hostile input, `--once` and the JSON log. Needs socat, ppp
//! (chat) and expect.

mod live;

use std::fs;
use std::net::TcpStream;
use std::os::fd::OwnedFd;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dialscript_serial::{FdLine, Line};
use live::{
    PASSWORD, Peer, Proc, Scratch, compare_all, dialscript_cmd, example, free_port, memory_kib,
    path_str, serve_pty, tool, wait_for,
};
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::sys::signal::Signal;

/// How long one step of a conversation, or the end of a process, may take before a test fails.
const LIMIT: Duration = Duration::from_secs(10);

/// `serve` options for the OzEmail ISP with user `alice` and the password in `pw`, fast.
fn ozemail_args(pw: &std::path::Path) -> Vec<String> {
    [
        "--isp",
        "ozemail",
        "--no-pacing",
        "--speedup",
        "50",
        "--user",
        "alice",
        "--password-file",
        path_str(pw),
    ]
    .map(str::to_string)
    .to_vec()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Opens the pty `serve` published, read and write, as a dialer opens a serial port.
fn open_line(link: &std::path::Path) -> fs::File {
    fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(link)
        .expect("open the published pty")
}

/// pppd's `chat` dials `serve --pty` and logs in (`fault`: with it). chat appends CR to each
/// send; `ABORT failed` makes it exit 4 on the ISP's "Authentication failed".
fn chat_dials(fault: Option<&str>) -> (i32, i32, String) {
    let dir = Scratch::new("chat-dialer");
    let password = "Chat2Isp";
    let pw = dir.write("password", password);
    let link = dir.join("modem");
    let mut args = ozemail_args(&pw);
    args.push("--once".into());
    if let Some(f) = fault {
        args.extend(["--fault".into(), f.into()]);
    }
    let serve = serve_pty(&link, &strs(&args));
    let line = open_line(&link);
    let mut chat = Command::new(tool("chat", "ppp"));
    chat.args(["-s", "-v", "-t", "5", "ABORT", "failed", "ABORT", "BUSY"])
        .args(["", "ATZ", "OK", "ATDT5551234", "CONNECT", ""])
        .args(["ervice?", "p", "sername:", "alice", "assword:", password])
        .args(["PPP mode", ""])
        .stdin(Stdio::from(line.try_clone().expect("dup")))
        .stdout(Stdio::from(line));
    let chat = Proc::spawn_with("chat", chat, false, true).finish(Duration::from_secs(20));
    let serve = serve.finish(LIMIT);
    (
        chat.code(),
        serve.code(),
        format!("--- chat:\n{}--- serve:\n{}", chat.stderr, serve.stderr),
    )
}

#[test]
fn pppd_chat_dials_serve_and_logs_in() {
    let (chat, serve, log) = chat_dials(None);
    assert_eq!((chat, serve), (0, 0), "{log}");
    assert!(log.contains("logged in"), "{log}");
}

#[test]
fn pppd_chat_is_refused_with_a_wrong_password() {
    let (chat, serve, log) = chat_dials(Some("wrong-password"));
    // 4: chat met its first ABORT string.
    assert_eq!((chat, serve), (4, 1), "{log}");
    assert!(log.contains("no login"), "{log}");
}

/// An Expect dialer: opens the pty as a serial port, dials, logs in; exits 0 when PPP starts,
/// 1 when the login is refused, 2 on a timeout or a hang-up.
const EXPECT_DIALER: &str = r#"
set timeout 5
set port [open $env(LINK) r+]
fconfigure $port -mode 57600,n,8,1 -translation binary -buffering none -blocking 0
spawn -open $port
send "ATZ\r"
expect "OK"
send "ATDT5551234\r"
expect {
    "CONNECT" {}
    timeout { exit 2 }
}
expect "ervice?"
send "p\r"
expect "sername:"
send "alice\r"
expect "assword:"
send "$env(PW)\r"
expect {
    "PPP mode" { exit 0 }
    "failed" { exit 1 }
    timeout { exit 2 }
    eof { exit 2 }
}
"#;

fn expect_dials(fault: Option<&str>) -> (i32, i32, String) {
    let dir = Scratch::new("expect-dialer");
    let pw = dir.write("password", PASSWORD);
    let link = dir.join("modem");
    let mut args = ozemail_args(&pw);
    args.push("--once".into());
    if let Some(f) = fault {
        args.extend(["--fault".into(), f.into()]);
    }
    let serve = serve_pty(&link, &strs(&args));
    let mut expect = Command::new(tool("expect", "expect"));
    expect
        .args(["-c", EXPECT_DIALER])
        .env("LINK", &link)
        .env("PW", PASSWORD)
        .stdin(Stdio::null());
    let expect = Proc::spawn("expect", expect).finish(Duration::from_secs(20));
    let serve = serve.finish(LIMIT);
    (
        expect.code(),
        serve.code(),
        format!("--- expect:\n{}--- serve:\n{}", expect.stdout, serve.stderr),
    )
}

#[test]
fn expect_dials_serve_and_logs_in() {
    let (expect, serve, log) = expect_dials(None);
    assert_eq!((expect, serve), (0, 0), "{log}");
}

#[test]
fn expect_is_refused_with_a_wrong_password() {
    let (expect, serve, log) = expect_dials(Some("wrong-password"));
    assert_eq!((expect, serve), (1, 1), "{log}");
}

#[test]
fn every_example_against_every_profile_matches_the_simulation() {
    let mut cases = Vec::new();
    let mut scripts: Vec<_> = fs::read_dir(dialscript_tests::root().join("examples"))
        .expect("examples")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "scp"))
        .collect();
    scripts.sort();
    assert!(scripts.len() >= 6, "the examples are missing");
    for script in &scripts {
        for profile in ["ozemail", "unix-login", "compuserve", "slip-menu"] {
            cases.push((script.clone(), profile, None));
        }
    }
    compare_all(cases);
}

/// Starts `serve --listen` on a free loopback port with `args`; returns it and the port once
/// it is listening.
fn serve_tcp(args: &[&str]) -> (Proc, u16) {
    // Another program may take the free port between the look-up and the bind: try again.
    for _ in 0..5 {
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let mut cmd = dialscript_cmd(&["serve", "--listen", &addr]);
        cmd.args(args);
        let mut serve = Proc::spawn("dialscript serve --listen", cmd);
        let deadline = Instant::now() + LIMIT;
        loop {
            if serve.stderr_now().contains("serving") {
                return (serve, port);
            }
            if !serve.running() || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    panic!("serve --listen did not start");
}

/// A caller over TCP, as a peer that expects and sends.
fn tcp_caller(port: u16) -> Peer {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to serve");
    stream.set_nodelay(true).expect("nodelay");
    Peer::new(FdLine::new(OwnedFd::from(stream), "tcp caller"))
}

/// Dials and answers the OzEmail prompts up to the user name.
fn dial_and_name(c: &mut Peer) {
    c.send(b"ATZ\r");
    c.expect(b"OK", LIMIT);
    c.send(b"ATDT5551234\r");
    c.expect(b"CONNECT", LIMIT);
    c.expect(b"ervice?", LIMIT);
    c.send(b"p\r");
    c.expect(b"sername:", LIMIT);
    c.send(b"alice\r");
    c.expect(b"assword:", LIMIT);
}

#[test]
fn a_script_dials_serve_over_tcp_through_socat() {
    let dir = Scratch::new("tcp-socat");
    let pw = dir.write("password", PASSWORD);
    let mut args = ozemail_args(&pw);
    args.push("--once".into());
    let (serve, port) = serve_tcp(&strs(&args));
    let link = dir.join("com1");
    let mut socat = Command::new(tool("socat", "socat"));
    socat
        .arg(format!("pty,raw,echo=0,link={}", link.display()))
        .arg(format!("tcp:127.0.0.1:{port}"))
        .stdin(Stdio::null());
    let socat = Proc::spawn("socat", socat);
    wait_for("socat's pty", LIMIT, || link.exists());
    let run = Proc::spawn(
        "dialscript run",
        dialscript_cmd(&[
            "run",
            path_str(&example("ozemail.scp")),
            "--port",
            path_str(&link),
            "--dial",
            "5551234",
            "--guard-ms",
            "10",
            "--flow",
            "none",
            "--lock-dir",
            path_str(dir.path()),
            "--user",
            "alice",
            "--password-file",
            path_str(&pw),
        ]),
    )
    .finish(Duration::from_secs(20));
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(run.stderr.contains("CONNECT 28800"), "{}", run.stderr);
    // A successful run hands the line over without hanging up, and socat keeps its pty when
    // the dialer closes it: ending socat is the hang-up, which ends the call.
    socat.signal(Signal::SIGTERM);
    socat.finish(LIMIT);
    let serve = serve.finish(LIMIT);
    assert_eq!(serve.code(), 0, "{}", serve.stderr);
    assert!(serve.stderr.contains(": logged in,"), "{}", serve.stderr);
}

#[test]
fn tcp_callers_each_get_their_own_session() {
    let dir = Scratch::new("tcp-many");
    let pw = dir.write("password", PASSWORD);
    let log = dir.join("calls.jsonl");
    let mut args = ozemail_args(&pw);
    args.extend(["--log".into(), path_str(&log).into()]);
    let (mut serve, port) = serve_tcp(&strs(&args));
    // Three calls at once: all three connected and half-way through their logins together.
    let mut callers: Vec<Peer> = (0..3).map(|_| tcp_caller(port)).collect();
    for c in &mut callers {
        dial_and_name(c);
    }
    // The third caller vanishes in the middle of its login.
    drop(callers.pop());
    for c in &mut callers {
        c.send(format!("{PASSWORD}\r").as_bytes());
    }
    for c in &mut callers {
        c.expect(b"PPP mode", LIMIT);
    }
    assert!(serve.running(), "serve ended: {}", serve.stderr_now());
    // A later caller is still served.
    let mut late = tcp_caller(port);
    dial_and_name(&mut late);
    late.send(format!("{PASSWORD}\r").as_bytes());
    late.expect(b"PPP mode", LIMIT);
    drop(callers);
    drop(late);
    wait_for("four calls on stderr", LIMIT, || {
        serve.stderr_now().matches("call ").count() >= 4
    });
    serve.signal(Signal::SIGTERM);
    let serve = serve.finish(LIMIT);
    assert_eq!(serve.code(), 143, "{}", serve.stderr);
    assert_eq!(
        serve.stderr.matches(": logged in,").count(),
        3,
        "{}",
        serve.stderr
    );
    assert_eq!(
        serve.stderr.matches(": no login,").count(),
        1,
        "{}",
        serve.stderr
    );
    let mut ends = Vec::new();
    for line in fs::read_to_string(&log).expect("the log").lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        if v["event"] == "end" {
            ends.push((
                v["call"].as_u64().expect("call"),
                v["logged_in"].as_bool().expect("logged_in"),
            ));
        }
    }
    ends.sort();
    assert_eq!(ends, [(1, true), (2, true), (3, false), (4, true)]);
}

/// A terminal server that waits an hour at a prompt and allows any number of attempts, so that
/// only the input decides what happens.
const PATIENT_ISP: &str = r#"
name = "patient"
description = "login: / Password:, waits an hour, never gives up"
greeting = "\r\nPatient terminal server\r\n"
prompt_delay_ms = 50
retries = 1000000
idle_timeout_s = 3600

[[steps]]
kind = "user"
prompt = "\r\nlogin: "

[[steps]]
kind = "password"
prompt = "Password: "

[on_success]
text = "\r\nWelcome\r\n"
ppp = true

[on_failure]
text = "\r\nLogin incorrect\r\n"
"#;

/// Bytes that look random and are the same on every run.
fn garbage(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn bad_input_neither_crashes_serve_nor_grows_its_memory() {
    let dir = Scratch::new("bad-input");
    let pw = dir.write("password", PASSWORD);
    let profile = dir.write("patient.toml", PATIENT_ISP);
    let (serve, port) = serve_tcp(&[
        "--isp",
        path_str(&profile),
        "--once",
        "--no-pacing",
        "--speedup",
        "50",
        "--user",
        "alice",
        "--password-file",
        path_str(&pw),
    ]);
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    // A reader drains everything the server answers (the echo above all), as a terminal
    // would, keeping only the last few kilobytes to look at.
    let mut reader = stream.try_clone().expect("clone");
    let tail = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let t = std::sync::Arc::clone(&tail);
    let drain = std::thread::spawn(move || {
        use std::io::Read as _;
        let mut buf = [0u8; 65536];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut t) = t.lock() {
                t.extend_from_slice(&buf[..n]);
                let excess = t.len().saturating_sub(8192);
                t.drain(..excess);
            }
        }
    });
    let seen = |what: &str| {
        tail.lock()
            .is_ok_and(|t| String::from_utf8_lossy(&t).contains(what))
    };
    let mut line = stream.try_clone().expect("clone");
    let mut send = |bytes: &[u8]| {
        use std::io::Write as _;
        line.write_all(bytes).expect("serve takes the bytes");
    };
    // Binary garbage at the modem, then a dial.
    send(&garbage(64 * 1024, 1));
    send(b"\rATZ\r");
    wait_for("OK after the garbage", LIMIT, || seen("OK"));
    send(b"ATDT5551234\r");
    wait_for("the login prompt", LIMIT, || seen("login: "));
    let (rss, peak) = (
        memory_kib(serve.pid(), "VmRSS"),
        memory_kib(serve.pid(), "VmHWM"),
    );
    // A line of one megabyte, then a flood of four megabytes of garbage, as fast as the
    // server takes them.
    send(&vec![b'A'; 1 << 20]);
    send(b"\r");
    for i in 0..4 {
        send(&garbage(1 << 20, 2 + i));
    }
    // Then a login. The server reads in order, so whatever the garbage left half typed, two
    // carriage returns end it and leave the server at the login prompt (a garbage password
    // is refused, an empty user name is asked again), and the login that follows succeeds
    // once everything before it has been dealt with.
    send(b"\r\ralice\r");
    send(format!("{PASSWORD}\r").as_bytes());
    wait_for(
        "the welcome after the flood",
        Duration::from_secs(30),
        || seen("Welcome"),
    );
    let peak_after = memory_kib(serve.pid(), "VmHWM");
    // If serve kept what it was sent (or its echo), it would grow by megabytes.
    assert!(
        peak_after < peak.max(rss) + 3 * 1024,
        "serve's peak memory grew from {peak} KiB to {peak_after} KiB on 5 MB of input"
    );
    stream.shutdown(std::net::Shutdown::Both).expect("hang up");
    let serve = serve.finish(LIMIT);
    let _ = drain.join();
    assert_eq!(
        serve.code(),
        0,
        "logged in after the flood: {}",
        serve.stderr
    );
}

#[test]
fn once_exits_1_when_the_caller_hangs_up_before_logging_in() {
    let dir = Scratch::new("once");
    let pw = dir.write("password", PASSWORD);
    let mut args = ozemail_args(&pw);
    args.push("--once".into());
    let (serve, port) = serve_tcp(&strs(&args));
    let mut caller = tcp_caller(port);
    dial_and_name(&mut caller);
    drop(caller);
    let serve = serve.finish(LIMIT);
    assert_eq!(serve.code(), 1, "{}", serve.stderr);
    assert!(
        serve.stderr.contains("no login, the caller hung up"),
        "{}",
        serve.stderr
    );
}

#[test]
fn the_log_is_json_lines_and_never_holds_the_password() {
    let dir = Scratch::new("log");
    let password = "Zq7Wm2Kp";
    let pw = dir.write("password", password);
    let log = dir.join("calls.jsonl");
    let mut args = ozemail_args(&pw);
    // The echo fault makes the ISP echo the password too.
    args.extend(["--once", "--fault", "echo", "--log", path_str(&log)].map(String::from));
    let (serve, port) = serve_tcp(&strs(&args));
    let mut caller = tcp_caller(port);
    dial_and_name(&mut caller);
    // Typed by hand: one byte at a time, each arriving on its own.
    for b in password.bytes() {
        caller.send(&[b]);
        std::thread::sleep(Duration::from_millis(15));
    }
    caller.send(b"\r");
    caller.expect(b"PPP mode", LIMIT);
    drop(caller);
    let serve = serve.finish(LIMIT);
    assert_eq!(serve.code(), 0, "{}", serve.stderr);
    let text = fs::read_to_string(&log).expect("the log");
    let (mut from_caller, mut from_isp) = (String::new(), String::new());
    let mut events = Vec::new();
    for line in text.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert_eq!(v["call"], 1, "{line}");
        if let Some(e) = v["event"].as_str() {
            events.push(e.to_string());
        }
        let data = v["data"].as_str().unwrap_or_default();
        match v["dir"].as_str() {
            Some("caller") => from_caller.push_str(data),
            Some("isp") => from_isp.push_str(data),
            _ => {}
        }
    }
    assert_eq!(events, ["start", "end"]);
    assert!(!text.contains(password), "{text}");
    assert!(
        !from_caller.contains(password),
        "the caller's bytes: {from_caller}"
    );
    assert!(!from_isp.contains(password), "the ISP's bytes: {from_isp}");
    assert!(from_caller.contains("********"), "{from_caller}");
    assert!(!serve.stderr.contains(password));
}

/// Runs `f` on a thread of its own and returns its result, or panics naming `what` if that
/// takes longer than `limit`: a write that blocks for ever would otherwise hang the suite.
fn bounded<T: Send + 'static>(
    what: &str,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("{what} did not return within {limit:?}"))
}

/// Writes far more than any kernel buffer holds to `line`, whose other end never reads, and
/// returns the error the write ended with, which must come soon after its short timeout.
fn write_to_a_peer_that_never_reads(line: FdLine) -> std::io::Error {
    bounded("a write nobody reads", Duration::from_secs(5), move || {
        let mut line = line;
        let bytes = vec![b'x'; 64 << 20];
        line.write_all(&bytes, Duration::from_millis(200))
            .expect_err("64 MiB fit in the buffers of a peer that never reads")
    })
}

#[test]
fn a_write_to_a_blocking_pty_nobody_reads_times_out() {
    use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};
    // A master as `serve --pty` opens it: blocking, with a raw slave held open and never read.
    let pty = nix::pty::openpty(None, None).expect("openpty");
    let mut t = tcgetattr(&pty.slave).expect("tcgetattr");
    cfmakeraw(&mut t);
    tcsetattr(&pty.slave, SetArg::TCSANOW, &t).expect("tcsetattr");
    let _slave = pty.slave;
    let e = write_to_a_peer_that_never_reads(FdLine::new(pty.master, "pty master"));
    assert_eq!(e.kind(), std::io::ErrorKind::TimedOut, "{e}");
}

#[test]
fn a_write_to_a_blocking_socket_nobody_reads_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let stream = TcpStream::connect(listener.local_addr().expect("address")).expect("connect");
    // The far end is accepted and kept open, and never read.
    let (_far, _) = listener.accept().expect("accept");
    stream.set_nonblocking(false).expect("blocking");
    let e = write_to_a_peer_that_never_reads(FdLine::new(OwnedFd::from(stream), "tcp"));
    assert_eq!(e.kind(), std::io::ErrorKind::TimedOut, "{e}");
}

/// Types garbage at `serve`'s modem, which echoes every byte, without ever reading the echo,
/// until `serve` stops taking what is typed: it is then stuck writing the echo to a caller
/// that does not read.
fn flood_without_reading(caller: &mut FdLine) {
    let chunk = garbage(64 * 1024, 7);
    for _ in 0..1024 {
        match caller.write_all(&chunk, Duration::from_millis(200)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return,
            Err(e) => panic!("the caller's write failed: {e}"),
        }
    }
    panic!("serve took 64 MiB from a caller that never read its echo");
}

/// SIGTERM ends `serve` soon, with 143, while a call is stuck writing to a caller that
/// stopped reading; the call ends as stopped.
fn sigterm_ends_serve_stuck_on_a_caller(serve: Proc, caller: &mut FdLine) {
    flood_without_reading(caller);
    serve.signal(Signal::SIGTERM);
    let serve = serve.finish(Duration::from_secs(2));
    assert_eq!(serve.code(), 143, "{}", serve.stderr);
    assert!(
        serve.stderr.contains("call 1 from") && serve.stderr.contains(", stopped,"),
        "{}",
        serve.stderr
    );
}

/// [`sigterm_ends_serve_stuck_on_a_caller`] for `serve --listen` started with `args`.
fn sigterm_ends_serve_on_tcp(args: &[&str]) {
    let (serve, port) = serve_tcp(args);
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to serve");
    // Non-blocking here too, so that the caller's own writes stay bounded whatever the line
    // does with the descriptor's mode.
    stream.set_nonblocking(true).expect("non-blocking");
    let mut caller = FdLine::new(OwnedFd::from(stream), "tcp caller");
    sigterm_ends_serve_stuck_on_a_caller(serve, &mut caller);
}

#[test]
fn sigterm_ends_serve_on_tcp_whose_caller_stopped_reading() {
    sigterm_ends_serve_on_tcp(&["--no-pacing"]);
}

#[test]
fn sigterm_ends_serve_once_on_tcp_with_143() {
    // With `--once` the call runs on the main thread; the signal still decides the status.
    sigterm_ends_serve_on_tcp(&["--no-pacing", "--once"]);
}

#[test]
fn sigterm_ends_serve_on_a_pty_whose_caller_stopped_reading() {
    let dir = Scratch::new("pty-not-reading");
    let link = dir.join("modem");
    let serve = serve_pty(&link, &["--no-pacing"]);
    let line = OwnedFd::from(open_line(&link));
    // Non-blocking here too, so that the caller's own writes stay bounded whatever the line
    // does with the descriptor's mode.
    fcntl(&line, FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).expect("non-blocking");
    let mut caller = FdLine::new(line, "pty caller");
    sigterm_ends_serve_stuck_on_a_caller(serve, &mut caller);
}
