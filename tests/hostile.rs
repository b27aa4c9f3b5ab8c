//! Hostile inputs: a 100 MB script, a line that floods 100 MB while the script waits, a peer
//! that trickles bytes for ever, a script that cannot be read even by root, thousands of
//! errors in a large script, and every byte value inside strings and comments. Each must end
//! with a clear error or result, at a bounded cost in time and memory.
//!
//! Time is virtual wherever the code under test allows it: the VM and the simulator run on
//! their own clocks, so a run deadline of ten minutes costs microseconds. The one real-time
//! test is the flood over a pty, which takes as long as 100 MB takes to cross one.
//! Inputs at the parser's limits (deep nesting, a 10 MB line, a 50 MB script) are in `limits`;
//! folders, FIFOs, binaries and missing paths are in `cli` and `run_cli`.

mod live;

use std::fs;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use dialscript_serial::{FdLine, Line, Read};
use dialscript_sim::{Fault, Profile, SimOptions, Source};
use dialscript_syntax::{SourceFile, parse, print};
use dialscript_tests::{drive, program, realistic, run_cli};
use dialscript_vm::{Action, Credentials, EventKind, Limits, Outcome, Program, Vm};
use live::{Proc, Scratch, dialscript, dialscript_cmd, memory_kib, path_str, tool};

/// Tests that allocate hundreds of megabytes, or measure this process's memory, take turns.
/// The harness runs tests on parallel threads of one process, and one test's 100 MB script
/// would otherwise show up in another's resident-memory figures.
static HEAVY: Mutex<()> = Mutex::new(());

fn heavy() -> MutexGuard<'static, ()> {
    HEAVY.lock().unwrap_or_else(PoisonError::into_inner)
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn creds() -> Credentials {
    Credentials {
        user: b"alice".to_vec(),
        password: b"fake-pw".to_vec(),
        mask_user: false,
    }
}

/// This process's resident memory now, in KiB.
fn rss_kib() -> u64 {
    memory_kib(std::process::id() as i32, "VmRSS")
}

// ---------------------------------------------------------------------------------------------
// A 100 MB script

/// The size of the huge script.
const HUGE: usize = 100 * 1000 * 1000;

#[test]
fn a_hundred_megabyte_script_parses_clean() {
    let _turn = heavy();
    let src = realistic(HUGE);
    assert!(src.len() >= HUGE);
    assert!(
        std::str::from_utf8(&src).is_err(),
        "the script should hold Windows-1252 bytes"
    );
    let p = parse(&src);
    assert!(
        p.diagnostics.is_empty(),
        "{:?}",
        &p.diagnostics[..p.diagnostics.len().min(5)]
    );
    assert!(p.script.procs.len() > 200_000);
}

#[test]
fn checking_a_hundred_megabyte_script_has_a_bounded_peak() {
    // The script gets a `main`, and only the DS1xx errors are selected: the whole analysis
    // still runs over every procedure, but the answer is one line instead of 50 MB of
    // warnings (every other procedure never runs, and many wait without `until`). The check
    // takes about seven seconds in a debug build.
    let dir = Scratch::new("hostile-huge");
    let path = {
        let _turn = heavy();
        let mut src = b"proc main\r\nendproc\r\n".to_vec();
        src.extend(realistic(HUGE));
        dir.write("huge.scp", &src)
    };
    let done = Proc::spawn(
        "dialscript check",
        dialscript_cmd(&["check", "--isolated", "--select", "DS1", path_str(&path)]),
    )
    .finish(Duration::from_secs(120));
    assert_eq!(done.code(), 0, "{}\n{}", done.stdout, done.stderr);
    assert_eq!(done.stdout, "");
    assert_eq!(done.stderr, "1 file checked, no problems found\n");
    // The largest peak of any child this process has reaped: the check's, unless another
    // test's child was larger, which could only make the bound harder to meet. Measured in a
    // debug build: 860 MB, most of it the parsed tree and the file's text kept for showing
    // snippets (with a table mapping each Windows-1252 byte to its offset in that text).
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .expect("getrusage");
    let peak_kib = u64::try_from(usage.max_rss()).expect("a size");
    assert!(
        peak_kib < 2 * 1024 * 1024,
        "checking 100 MB peaked at {peak_kib} KiB"
    );
}

// ---------------------------------------------------------------------------------------------
// A line that floods 100 MB

/// Waits for `CONNECTED` for up to 1000 seconds, halts if it does not come, and otherwise
/// answers `ok` and completes.
const WAIT_FOR_CONNECTED: &str = "proc main\n   waitfor \"CONNECTED\" until 1000\n   if $FAILURE then\n      halt\n   endif\n   transmit \"ok^M\"\nendproc\n";

/// The flood: 100 MB.
const FLOOD: usize = 100 * 1000 * 1000;

#[test]
fn a_hundred_megabyte_flood_at_the_vm_keeps_its_buffer_at_the_limit() {
    let _turn = heavy();
    let limits = Limits::default();
    let mut vm = Vm::new(program(WAIT_FOR_CONNECTED), creds(), limits);
    assert!(matches!(vm.poll(Duration::ZERO), Action::Wait { .. }));
    let before = rss_kib();
    // Pieces of 16 KiB, what the serial driver reads at a time, one a millisecond of virtual
    // time. Events stay on and are taken after every piece, as a host showing a transcript
    // does, so that the test measures the VM and not a pile of events nobody collects.
    let piece = vec![b'x'; 16 * 1024];
    let mut most = 0;
    let mut now = Duration::ZERO;
    for i in 0..FLOOD.div_ceil(piece.len()) {
        now = Duration::from_millis(i as u64);
        vm.feed(now, &piece);
        most = most.max(vm.buffered());
        assert!(matches!(vm.poll(now), Action::Wait { .. }));
        drop(vm.take_events());
    }
    // The buffer filled to its limit and stayed there, and the process barely grew: 0.3 MB
    // measured, against 100 MB received.
    assert_eq!(most, limits.receive_buffer);
    let grown = rss_kib().saturating_sub(before);
    assert!(grown < 4 * 1024, "resident memory grew by {grown} KiB");
    // The prompt after the flood is still found, in pieces.
    vm.feed(now, b"CONNEC");
    vm.feed(now, b"TED\r\n");
    let (sent, action) = drive(&mut vm, now);
    assert_eq!(sent, b"ok\r");
    assert_eq!(action, Action::Done(Outcome::Completed));

    // The same flood during a `delay`, when no pattern says what to keep, and in one piece.
    let src =
        "proc main\n   delay 5\n   waitfor \"CONNECTED\" until 1\n   transmit \"ok^M\"\nendproc\n";
    let mut vm = Vm::new(program(src), creds(), limits);
    vm.record_events(false);
    assert!(matches!(vm.poll(Duration::ZERO), Action::Wait { .. }));
    let big = vec![b'y'; FLOOD];
    vm.feed(secs(1), &big);
    drop(big);
    assert_eq!(vm.buffered(), limits.receive_buffer);
    vm.feed(secs(2), b"CONNECTED");
    assert_eq!(drive(&mut vm, secs(5)).0, b"ok\r");
}

/// A raw pty pair whose master does not block, so that a write the far end stops reading
/// fails after the line's timeout instead of hanging the test. Returns the master as a line,
/// the slave (held open, so that the master never reads EIO before the program under test has
/// opened the slave) and the slave's path.
fn nonblocking_pty() -> (FdLine, OwnedFd, PathBuf) {
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};
    let pty = nix::pty::openpty(None, None).expect("openpty");
    let mut t = tcgetattr(&pty.slave).expect("tcgetattr");
    cfmakeraw(&mut t);
    tcsetattr(&pty.slave, SetArg::TCSANOW, &t).expect("tcsetattr");
    fcntl(&pty.master, FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).expect("O_NONBLOCK");
    let path = nix::unistd::ttyname(pty.slave.as_fd()).expect("ttyname");
    (FdLine::new(pty.master, "pty master"), pty.slave, path)
}

#[test]
fn a_hundred_megabyte_flood_over_a_pty_leaves_the_run_small() {
    let dir = Scratch::new("hostile-flood");
    let script = dir.write("flood.scp", WAIT_FOR_CONNECTED);
    let (mut master, _slave, port) = nonblocking_pty();
    let mut cmd = dialscript_cmd(&[
        "run",
        path_str(&script),
        "--port",
        path_str(&port),
        "--lock-dir",
        path_str(dir.path()),
        "--flow",
        "none",
        "--guard-ms",
        "10",
        "--timeout",
        "300",
    ]);
    // The transcript shows every received byte; 100 MB of it would only measure the pipe.
    cmd.stderr(Stdio::null());
    let run = Proc::spawn_with("dialscript run", cmd, true, false);
    let chunk = vec![b'x'; 64 * 1024];
    let mut early = 0;
    for i in 0..FLOOD.div_ceil(chunk.len()) {
        master
            .write_all(&chunk, secs(10))
            .expect("`dialscript run` stopped reading the flood");
        if i == 16 {
            // A megabyte in: the run has started, opened the port and is reading the flood.
            early = memory_kib(run.pid(), "VmHWM");
        }
    }
    // Measured in a debug build: a peak of 17.5 MB a megabyte in, and the same after 100 MB
    // (which took about four seconds).
    let peak = memory_kib(run.pid(), "VmHWM");
    assert!(
        peak.saturating_sub(early) < 8 * 1024,
        "the run grew from {early} KiB to {peak} KiB during the flood"
    );
    assert!(peak < 48 * 1024, "the run peaked at {peak} KiB");
    master
        .write_all(b"CONNECTED\r\n", secs(10))
        .expect("the prompt");
    let mut got = Vec::new();
    let deadline = Instant::now() + secs(30);
    while !got.ends_with(b"ok\r") {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no answer to the prompt; got {got:?}");
        let mut buf = [0u8; 256];
        match master.read(&mut buf, left).expect("read the answer") {
            Read::Data(n) => got.extend_from_slice(&buf[..n]),
            Read::TimedOut => {}
            Read::Hangup => panic!("the run hung up; got {got:?}"),
        }
    }
    let done = run.finish(secs(30));
    assert_eq!(done.code(), 0, "{}", done.stdout);
}

// ---------------------------------------------------------------------------------------------
// A peer that trickles bytes for ever

/// Waits for a prompt that never comes, without `until`: only the run deadline can end it.
const UNGUARDED: &str = "proc main\n   waitfor \"sername:\"\n   transmit $USERID, raw\nendproc\n";

/// Waits for the prompt five seconds at a time, for ever.
const RETRYING: &str = "proc main\nAgain:\n   waitfor \"sername:\" until 5\n   if $FAILURE then\n      goto Again\n   endif\n   transmit $USERID, raw\nendproc\n";

#[test]
fn a_byte_a_second_for_ever_ends_at_the_run_deadline_in_the_vm() {
    for src in [UNGUARDED, RETRYING] {
        let limits = Limits::default();
        let deadline = limits.run_deadline.expect("a default deadline");
        let mut vm = Vm::new(program(src), creds(), limits);
        // The peer sends one `x` at every whole second, for ever; the clock jumps to whichever
        // comes first, the next byte or the time the VM asked to be polled at.
        let (mut now, mut next_byte, mut fed) = (Duration::ZERO, secs(1), 0u64);
        let mut finished_at = None;
        let outcome = loop {
            let action = vm.poll(now);
            for e in vm.take_events() {
                if let EventKind::Finished(_) = e.kind {
                    finished_at = Some(e.time);
                }
            }
            match action {
                Action::Wait { until } => {
                    if until.is_none_or(|u| next_byte < u) {
                        now = next_byte;
                        vm.feed(now, b"x");
                        fed += 1;
                        next_byte += secs(1);
                    } else if let Some(u) = until {
                        now = u;
                    }
                }
                Action::Done(o) => break o,
                other => panic!("nothing to send yet: {other:?}\n{src}"),
            }
        };
        assert_eq!(outcome, Outcome::TimedOut, "{src}");
        assert_eq!(now, deadline, "{src}");
        assert_eq!(finished_at, Some(deadline), "{src}");
        // A byte arrived at every second before the deadline; none of them helped.
        assert_eq!(fed, deadline.as_secs() - 1, "{src}");
        assert_eq!(vm.outcome(), Some(&Outcome::TimedOut));
    }
}

/// The simulated ISP answers the call, never prompts, and line noise (one to four random bytes
/// every 0.7 to 3.3 seconds) keeps arriving: the nearest the simulator has to a peer that
/// trickles bytes for ever.
fn trickling_isp() -> SimOptions {
    let mut options = SimOptions::new(Profile::built_in("ozemail").expect("a built-in ISP"));
    options.faults = vec![Fault::SilentAfterConnect, Fault::Noise];
    options.limits.run_deadline = Some(secs(120));
    options
}

#[test]
fn a_trickling_isp_is_ended_by_the_run_deadline_in_the_simulator() {
    let options = trickling_isp();
    for src in [UNGUARDED, RETRYING] {
        let run = dialscript_sim::simulate(program(src), &options);
        let start = run.script_start.expect("the call connected");
        assert_eq!(run.outcome, Some(Outcome::TimedOut), "{src}");
        assert_eq!(run.end, start + secs(120), "{src}");
        let last = run.entries.last().expect("a transcript");
        assert_eq!(last.event, EventKind::Finished(Outcome::TimedOut));
        assert_eq!(last.time, start + secs(120));
        // The noise really kept coming until the end: at least one piece every 3.3 seconds.
        let noise: usize = run
            .entries
            .iter()
            .filter(|e| e.source == Source::Script)
            .map(|e| match &e.event {
                EventKind::Received(b) => b.len(),
                _ => 0,
            })
            .sum();
        assert!(noise >= 120 * 10 / 33, "{noise} bytes of noise\n{src}");
    }

    // The command line says the same, with the exit code of a timed-out run.
    let dir = Scratch::new("hostile-trickle");
    let script = dir.write("unguarded.scp", UNGUARDED);
    let args = [
        "run",
        path_str(&script),
        "--fault",
        "silent-after-connect",
        "--fault",
        "noise",
        "--timeout",
        "120",
    ];
    let (code, out, err) = run_cli(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(code, 3, "{out}\n{err}");
    let last: serde_json::Value =
        serde_json::from_str(out.lines().last().expect("a result line")).expect("JSON");
    assert_eq!(last["outcome"], "timed-out");
    assert_eq!(last["exit"], 3);
    let run = dialscript_sim::simulate(program(UNGUARDED), &options);
    assert_eq!(last["virtual_seconds"], run.end.as_secs_f64());
    let (code, out, _) = run_cli(&args);
    assert_eq!(code, 3);
    let result = out.lines().last().expect("a result line");
    assert!(
        result.starts_with("result: timed out (run deadline, DS304) after "),
        "{result}"
    );
}

// ---------------------------------------------------------------------------------------------
// A script that cannot be read

/// `dialscript` with `args` as a user that file permissions apply to. Root reads any file
/// whatever its mode, and CI runs the tests as root, so there the binary runs as `nobody`
/// through util-linux's `setpriv`; a missing `setpriv` fails the test rather than skipping it.
fn as_unprivileged(bin: &Path, args: &[&str]) -> Command {
    let mut cmd = if nix::unistd::geteuid().is_root() {
        let mut c = Command::new(tool("setpriv", "util-linux"));
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args).stdin(Stdio::null());
    cmd
}

#[test]
fn a_script_without_read_permission_is_refused_by_check_and_run() {
    let dir = Scratch::new("hostile-unreadable");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod 755");
    // The binary is linked (or copied) into the folder: the build folder may sit below one
    // that `nobody` cannot enter.
    let bin = dir.join("dialscript");
    if fs::hard_link(dialscript(), &bin).is_err() {
        fs::copy(dialscript(), &bin).expect("copy the binary");
    }
    let script = dir.write("secret.scp", "proc main\nendproc\n");
    let script_s = path_str(&script);
    let dir_s = path_str(dir.path());
    fs::set_permissions(&script, fs::Permissions::from_mode(0o000)).expect("chmod 000");
    let expected = format!("error: {script_s}: cannot read: permission denied");
    for args in [
        vec!["check", script_s],
        vec!["check", dir_s],
        vec!["run", script_s],
    ] {
        let done = Proc::spawn("dialscript", as_unprivileged(&bin, &args)).finish(secs(30));
        assert_eq!(done.code(), 2, "{args:?}\n{}\n{}", done.stdout, done.stderr);
        assert!(
            done.stderr.lines().any(|l| l == expected),
            "{args:?}\n{}",
            done.stderr
        );
    }
    // The same file with read permission passes both, so the refusals above were about the
    // permission and nothing else in the set-up.
    fs::set_permissions(&script, fs::Permissions::from_mode(0o644)).expect("chmod 644");
    for sub in ["check", "run"] {
        let done =
            Proc::spawn("dialscript", as_unprivileged(&bin, &[sub, script_s])).finish(secs(30));
        assert_eq!(done.code(), 0, "{sub}\n{}\n{}", done.stdout, done.stderr);
    }
}

#[test]
fn a_script_whose_read_fails_with_an_io_error_is_refused() {
    // Reading this process's own memory at offset 0 fails with EIO, for root too: a file
    // that exists, is a regular file, and cannot be read.
    let path = "/proc/self/mem";
    for sub in ["check", "run"] {
        let (code, out, err) = run_cli(&[sub, path]);
        assert_eq!(code, 2, "{sub}\n{out}\n{err}");
        assert!(
            err.lines()
                .any(|l| l == "error: /proc/self/mem: cannot read: input/output error"),
            "{sub}\n{err}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Thousands of errors in a large script

#[test]
fn thousands_of_errors_in_a_large_script_are_reported_in_bounded_time() {
    // 2,000 type errors, each followed by fifty comment lines: 20 MB. Showing an error's
    // snippet used to take time proportional to its offset in the file: a tenth of this
    // script (200 errors in 2 MB) took 25 s in a debug build, and the cost grows with errors
    // times size, so this one would have taken most of an hour. Each snippet now costs the
    // few lines it shows, and the whole test about a second. The binary runs with a hang
    // guard, so that such a regression fails instead of stalling the suite.
    let n = 2000;
    let dir = Scratch::new("hostile-errors");
    let path = {
        let _turn = heavy();
        let filler = format!("; {}\n", "-".repeat(197)).repeat(50);
        let mut src = String::from("proc main\n");
        for _ in 0..n {
            src.push_str("   transmit 5\n");
            src.push_str(&filler);
        }
        src.push_str("endproc\n");
        dir.write("errors.scp", src)
    };
    let p = path_str(&path);
    let run = Proc::spawn("dialscript run", dialscript_cmd(&["run", p])).finish(secs(120));
    assert_eq!(
        run.code(),
        2,
        "{}",
        &run.stderr[..run.stderr.len().min(2000)]
    );
    assert_eq!(run.stderr.matches("DS106(").count(), n);
    assert!(run.stderr.ends_with(&format!(
        "error: {p} does not compile; `dialscript check` says more\n"
    )));
    let check = Proc::spawn(
        "dialscript check",
        dialscript_cmd(&["check", "--isolated", "--select", "DS1", p]),
    )
    .finish(secs(120));
    assert_eq!(check.code(), 1);
    assert_eq!(check.stdout.matches("DS106(").count(), n);
    // The last error is shown at its line, with the comment lines around it.
    let last = 2 + (n - 1) * 51;
    assert!(
        check.stdout.contains(&format!("[{p}:{last}:13]")),
        "{}",
        &check.stdout[check.stdout.len().saturating_sub(1500)..]
    );
}

// ---------------------------------------------------------------------------------------------
// Every byte value in strings and comments

/// `proc main` sending `a<byte>z` raw and translated.
fn string_script(b: u8) -> Vec<u8> {
    [
        &b"proc main\n   transmit \"a"[..],
        &[b],
        b"z\", raw\n   transmit \"a",
        &[b],
        b"z\"\nendproc\n",
    ]
    .concat()
}

/// `proc main` with the comment `; a<byte>z`, then `halt`.
fn comment_script(b: u8) -> Vec<u8> {
    [&b"proc main\n   ; a"[..], &[b], b"z\n   halt\nendproc\n"].concat()
}

fn codes(diags: &[dialscript_syntax::Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code.code).collect()
}

#[test]
fn every_byte_in_strings_and_comments_is_handled() {
    let options = dialscript_check::Options::default();
    let dir = Scratch::new("hostile-bytes");
    for b in 0..=255u8 {
        // In a string, a line end ends the string unclosed (DS002) and leaves `z"...` as an
        // unknown command (DS009); a quote closes it early; a backslash escapes the `z`, which
        // the checker calls a suspicious escape where the string is translated (DS212). Any
        // other byte, NUL, Ctrl-Z and Windows-1252 included, is just a byte of the string.
        let src = string_script(b);
        let p = parse(&src);
        let checked = dialscript_check::check(&p, &src, &options);
        let want: &[&str] = match b {
            b'\n' | b'\r' => &["DS002", "DS009", "DS002", "DS002", "DS009", "DS002"],
            b'"' => &["DS009", "DS002", "DS009", "DS002"],
            b'\\' => &["DS212"],
            _ => &[],
        };
        assert_eq!(
            codes(&checked.diagnostics),
            want,
            "byte {b:#04x} in a string"
        );
        let file = SourceFile::new(format!("byte-{b:02x}.scp"), src.clone());
        let _ = dialscript_cli::render::human(&file, &checked.diagnostics, false, 100);
        let _ = dialscript_cli::render::concise(&file, &checked.diagnostics);
        let printed = print(&p.script);
        if !p.diagnostics.is_empty() {
            continue;
        }
        // The printer writes the string back byte for byte, and the VM sends it: as it is with
        // `, raw`, translated without.
        let literal = [&b"a"[..], &[b], b"z"].concat();
        let again = parse(&printed);
        assert!(again.diagnostics.is_empty(), "byte {b:#04x}");
        assert_eq!(
            strings(&again.script),
            [literal.clone(), literal.clone()],
            "byte {b:#04x}"
        );
        let mut vm = Vm::new(
            match dialscript_vm::compile(&p.script) {
                Ok(prog) => Arc::new(prog),
                Err(d) => panic!("byte {b:#04x}: {d:?}"),
            },
            creds(),
            Limits::default(),
        );
        let (sent, end) = drive(&mut vm, Duration::ZERO);
        assert_eq!(end, Action::Done(Outcome::Completed), "byte {b:#04x}");
        let translated = dialscript_syntax::translate(&literal);
        assert_eq!(sent, [literal, translated].concat(), "byte {b:#04x}");
        if b != 0 {
            dir.write(&format!("string-{b:02x}.scp"), &src);
        }

        // A comment runs to the end of its line whatever it holds; only a line end ends it,
        // and then `z` is a statement of its own (DS009).
        let src = comment_script(b);
        let p = parse(&src);
        let checked = dialscript_check::check(&p, &src, &options);
        let want: &[&str] = if matches!(b, b'\n' | b'\r') {
            &["DS009"]
        } else {
            &[]
        };
        assert_eq!(
            codes(&checked.diagnostics),
            want,
            "byte {b:#04x} in a comment"
        );
        let _ = print(&p.script);
        if want.is_empty() {
            assert_eq!(p.comments.len(), 1, "byte {b:#04x}");
            // The line after the comment is still read: Ctrl-Z ends a file only outside
            // comments and strings.
            assert_eq!(p.script.procs[0].body.len(), 1, "byte {b:#04x}");
            let mut vm = Vm::new(program_of(&p.script), creds(), Limits::default());
            assert_eq!(
                drive(&mut vm, Duration::ZERO).1,
                Action::Done(Outcome::Halted)
            );
        }
        if b != 0 {
            dir.write(&format!("comment-{b:02x}.scp"), &src);
        }
    }
    // The command line shows them all in every format without trouble: findings, so exit 1.
    for format in ["human", "concise", "json", "sarif", "github"] {
        let (code, out, err) = run_cli(&[
            "check",
            "--isolated",
            "--format",
            format,
            path_str(dir.path()),
        ]);
        assert_eq!(code, 1, "{format}\n{err}");
        assert!(!out.is_empty(), "{format}");
    }
    // A NUL byte makes a file look binary to the command line, which refuses it by name.
    let nul = dir.write("nul.scp", string_script(0));
    let (code, _, err) = run_cli(&["check", path_str(&nul)]);
    assert_eq!(code, 2);
    assert!(err.contains("nul.scp: looks like a binary file"), "{err}");
}

/// The string literals that `main`'s statements send, in order.
fn strings(script: &dialscript_syntax::ast::Script) -> Vec<Vec<u8>> {
    use dialscript_syntax::ast::{ExprKind, StmtKind};
    script.procs[0]
        .body
        .iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Transmit { value, .. } => match &value.kind {
                ExprKind::Str(bytes) => Some(bytes.to_vec()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn program_of(script: &dialscript_syntax::ast::Script) -> Arc<Program> {
    match dialscript_vm::compile(script) {
        Ok(p) => Arc::new(p),
        Err(d) => panic!("does not compile: {d:?}"),
    }
}
