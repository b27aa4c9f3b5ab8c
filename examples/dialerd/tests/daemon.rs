//! The daemon against the simulated ISP (in tokio's paused time where no real I/O is
//! involved), an SMTP stub on loopback, a pty for the serial path, and the binary itself.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dialerd::session::AttemptOutcome;
use dialerd::{Config, Finished, Log, Mode, Record};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A configuration whose relative paths (the example script, the demo password) resolve
/// from this crate's folder.
fn config(text: &str) -> Arc<Config> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    Arc::new(Config::parse(text, base).expect("configuration"))
}

/// A log that keeps the records.
fn collector() -> (Log, Arc<Mutex<Vec<Record>>>) {
    let records = Arc::new(Mutex::new(Vec::new()));
    let sink = records.clone();
    let log: Log = Arc::new(move |r: &Record| sink.lock().expect("log").push(r.clone()));
    (log, records)
}

/// The attempt records: (attempt, outcome word, started, duration, retry_in).
fn attempts(
    records: &Mutex<Vec<Record>>,
) -> Vec<(u32, String, Duration, Duration, Option<Duration>)> {
    records
        .lock()
        .expect("log")
        .iter()
        .filter_map(|r| match r {
            Record::Attempt {
                attempt,
                outcome,
                started,
                duration,
                retry_in,
                ..
            } => Some((
                *attempt,
                outcome.word().to_string(),
                *started,
                *duration,
                *retry_in,
            )),
            Record::Action { .. } => None,
        })
        .collect()
}

const OZEMAIL: &str = r#"
name = "oz"
isp = "ozemail"
script = "../ozemail.scp"
user = "demo"
password_file = "demo.password"
"#;

#[tokio::test(start_paused = true)]
async fn the_schedule_fires_every_period() {
    let cfg = config(&format!(
        "[schedule]\nevery_minutes = 10\n[[connection]]\n{OZEMAIL}"
    ));
    let (log, records) = collector();
    let shutdown = tokio::time::sleep(Duration::from_secs(25 * 60));
    let finished = dialerd::run(cfg, Mode::Daemon, log, shutdown).await;
    assert_eq!(finished, Finished::Stopped);
    let runs = attempts(&records);
    let starts: Vec<u64> = runs.iter().map(|r| r.2.as_secs()).collect();
    assert_eq!(starts, [0, 600, 1200], "{runs:?}");
    assert!(runs.iter().all(|r| r.1 == "completed"), "{runs:?}");
    // The modem takes 15 s to connect, the ISP 0.4 s per prompt: a login takes seconds.
    assert!(runs[0].3 > Duration::from_secs(15) && runs[0].3 < Duration::from_secs(30));
}

#[tokio::test(start_paused = true)]
async fn busy_dials_are_retried_with_backoff() {
    let cfg = config(&format!(
        "[schedule]\nevery_minutes = 60\n\
         [retry]\nattempts = 4\nbackoff_s = 30\nbackoff_factor = 2\nbackoff_max_s = 45\n\
         [[connection]]\n{OZEMAIL}\nfaults_per_attempt = [[\"busy\"], [\"busy\"], []]\n"
    ));
    let (log, records) = collector();
    let finished = dialerd::run(cfg, Mode::Once, log, std::future::pending()).await;
    assert_eq!(finished, Finished::Ran(true));
    let runs = attempts(&records);
    let words: Vec<&str> = runs.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(words, ["busy", "busy", "completed"]);
    // 30 s after the first failure; 60 s after the second, capped at 45 s.
    assert_eq!(runs[0].4, Some(Duration::from_secs(30)));
    assert_eq!(runs[1].4, Some(Duration::from_secs(45)));
    assert_eq!(runs[2].4, None);
    for (before, after) in runs.iter().zip(&runs[1..]) {
        let waited = after.2 - (before.2 + before.3);
        assert_eq!(Some(waited), before.4, "{runs:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn the_last_failure_is_not_retried() {
    let cfg = config(&format!(
        "[schedule]\nevery_minutes = 60\n[retry]\nattempts = 2\nbackoff_s = 5\nbackoff_factor = 2\nbackoff_max_s = 60\n\
         [[connection]]\n{OZEMAIL}\nfaults = [\"no-carrier\"]\n"
    ));
    let (log, records) = collector();
    let finished = dialerd::run(cfg, Mode::Once, log, std::future::pending()).await;
    assert_eq!(finished, Finished::Ran(false));
    let runs = attempts(&records);
    let words: Vec<&str> = runs.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(words, ["no-carrier", "no-carrier"]);
    assert_eq!(runs[1].4, None);
}

#[tokio::test(start_paused = true)]
async fn the_password_stays_out_of_the_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let secret = dir.path().join("password");
    std::fs::write(&secret, "hunter2-not-shown\n").expect("password file");
    // The ISP echoes everything, the password included.
    let text = format!(
        "[schedule]\nevery_minutes = 60\n\
         [[connection]]\nname = \"oz\"\nisp = \"ozemail\"\nscript = \"../ozemail.scp\"\n\
         user = \"demo\"\npassword_file = {:?}\nfaults = [\"echo\"]\n",
        secret.display().to_string()
    );
    let (log, records) = collector();
    let finished = dialerd::run(config(&text), Mode::Once, log, std::future::pending()).await;
    assert_eq!(finished, Finished::Ran(true));
    for r in records.lock().expect("log").iter() {
        assert!(!r.line().contains("hunter2"), "{}", r.line());
        assert!(!format!("{r:?}").contains("hunter2"));
    }
}

#[tokio::test(start_paused = true)]
async fn a_script_that_halts_is_not_retried() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("halts.scp");
    std::fs::write(
        &script,
        "proc main\n  waitfor \"ervice?\" until 20\n  if !$SUCCESS then\n    halt\n  endif\nendproc\n",
    )
    .expect("script");
    // The ISP answers and then says nothing (the ISP of KB Q175410).
    let text = format!(
        "[schedule]\nevery_minutes = 60\n\
         [[connection]]\nname = \"oz\"\nisp = \"ozemail\"\nscript = {:?}\n\
         faults = [\"silent-after-connect\"]\n",
        script.display().to_string()
    );
    let (log, records) = collector();
    let finished = dialerd::run(config(&text), Mode::Once, log, std::future::pending()).await;
    assert_eq!(finished, Finished::Ran(false));
    let runs = attempts(&records);
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].1, "halted");
    assert_eq!(runs[0].4, None);
}

/// An SMTP stub: answers like a mail host that supports ETRN and records the commands.
async fn smtp_stub(listener: TcpListener, commands: Arc<Mutex<Vec<String>>>) {
    let Ok((stream, _)) = listener.accept().await else {
        return;
    };
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 stub.test ESMTP\r\n").await;
    while let Ok(Some(line)) = lines.next_line().await {
        commands.lock().expect("commands").push(line.clone());
        let reply: &[u8] = match line.split(' ').next().unwrap_or("") {
            "EHLO" => b"250-stub.test\r\n250-ETRN\r\n250 8BITMIME\r\n",
            "ETRN" if line.ends_with("example.com") => {
                b"250 Queuing for node example.com started\r\n"
            }
            "ETRN" => b"458 Unable to queue messages for node\r\n",
            "QUIT" => b"221 bye\r\n",
            _ => b"500 what?\r\n",
        };
        let _ = write.write_all(reply).await;
    }
}

#[tokio::test]
async fn etrn_reaches_the_mail_host_with_the_domains() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let commands = Arc::new(Mutex::new(Vec::new()));
    let stub = tokio::spawn(smtp_stub(listener, commands.clone()));
    // Real time (the mail host is a real socket), with the ISP a thousand times faster.
    let cfg = config(&format!(
        "[schedule]\nevery_minutes = 60\n[[connection]]\n{OZEMAIL}\nspeedup = 1000\n\
         [connection.etrn]\nhost = \"{addr}\"\ndomains = [\"example.com\", \"@example.org\"]\n\
         helo = \"gateway.test\"\ntimeout_s = 10\n"
    ));
    let (log, records) = collector();
    let finished = dialerd::run(cfg, Mode::Once, log, std::future::pending()).await;
    stub.await.expect("stub");
    assert_eq!(
        *commands.lock().expect("commands"),
        [
            "EHLO gateway.test",
            "ETRN example.com",
            "ETRN @example.org",
            "QUIT"
        ]
    );
    let actions: Vec<String> = records
        .lock()
        .expect("log")
        .iter()
        .filter(|r| matches!(r, Record::Action { .. }))
        .map(Record::line)
        .collect();
    assert_eq!(actions.len(), 1);
    assert!(
        actions[0].contains("action=etrn outcome=ok")
            && actions[0].contains("detail=\"example.com=250 @example.org=458\""),
        "{}",
        actions[0]
    );
    assert_eq!(finished, Finished::Ran(true));
}

#[tokio::test]
async fn a_mail_host_that_refuses_etrn_is_a_failed_action() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let stub = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.expect("accept");
        let _ = s.write_all(b"554 no service here\r\n").await;
    });
    let cfg = config(&format!(
        "[schedule]\nevery_minutes = 60\n[[connection]]\n{OZEMAIL}\nspeedup = 1000\n\
         [connection.etrn]\nhost = \"{addr}\"\ndomains = [\"example.com\"]\ntimeout_s = 10\n"
    ));
    let (log, records) = collector();
    let finished = dialerd::run(cfg, Mode::Once, log, std::future::pending()).await;
    stub.await.expect("stub");
    assert_eq!(finished, Finished::Ran(false));
    let last = records.lock().expect("log").last().map(Record::line);
    assert!(
        last.as_deref()
            .is_some_and(|l| l.contains("action=etrn outcome=failed") && l.contains("554")),
        "{last:?}"
    );
}

#[tokio::test]
async fn the_command_runs_on_the_line_after_the_login() {
    // `head -c 1` reads the first byte the ISP sends after the login (a PPP frame) and exits.
    let cfg = config(&format!(
        "[schedule]\nevery_minutes = 60\n[[connection]]\n{OZEMAIL}\nspeedup = 1000\n\
         [connection.command]\nprogram = \"sh\"\nargs = [\"-c\", \"head -c 1 >/dev/null\"]\n"
    ));
    let (log, records) = collector();
    let finished = dialerd::run(cfg, Mode::Once, log, std::future::pending()).await;
    assert_eq!(finished, Finished::Ran(true));
    let last = records.lock().expect("log").last().map(Record::line);
    assert!(
        last.as_deref()
            .is_some_and(|l| l.contains("action=command outcome=ok")),
        "{last:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_mid_dial_closes_the_port_and_removes_the_lock() {
    let pty = nix::pty::openpty(None, None).expect("pty");
    let port = nix::unistd::ttyname(&pty.slave).expect("pty name");
    let locks = tempfile::tempdir().expect("lock dir");
    let cfg = config(&format!(
        "lock_dir = {:?}\n[schedule]\nevery_minutes = 60\n[retry]\nattempts = 1\nbackoff_s = 1\nbackoff_factor = 1\nbackoff_max_s = 1\n\
         [[connection]]\nname = \"modem\"\nport = {:?}\nnumber = \"5550100\"\nscript = \"../ozemail.scp\"\n\
         user = \"demo\"\npassword_file = \"demo.password\"\n",
        locks.path().display().to_string(),
        port.display().to_string()
    ));
    // The modem: `OK` to the initialisation, then silence after the dial command, as while
    // the number rings. It reports what it saw, and when the line was closed under it.
    let (tx, rx) = std::sync::mpsc::channel::<&'static str>();
    let mut master = std::fs::File::from(pty.master);
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        loop {
            match master.read(&mut buf) {
                Ok(0) | Err(_) => {
                    let _ = tx.send("closed");
                    return;
                }
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
            let text = String::from_utf8_lossy(&seen).into_owned();
            if text.contains("ATZ\r") && !text.contains("ATD") {
                seen.clear();
                let _ = master.write_all(b"ATZ\r\r\nOK\r\n");
            } else if text.contains("ATDT5550100\r") {
                seen.clear();
                let _ = tx.send("dialling");
            }
        }
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (log, records) = collector();
    let daemon = tokio::spawn(dialerd::run(cfg, Mode::Daemon, log, async {
        let _ = stopped.await;
    }));
    let wait = |what: &'static str| {
        let got = rx.recv_timeout(Duration::from_secs(10));
        assert_eq!(got, Ok(what));
    };
    tokio::task::block_in_place(|| wait("dialling"));
    // Only dialerd holds the port now: when it closes it, the modem side sees the hang-up.
    drop(pty.slave);
    let lock_files = || {
        std::fs::read_dir(locks.path())
            .expect("lock dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("LCK.."))
            .collect::<Vec<_>>()
    };
    assert_eq!(lock_files().len(), 1, "the port is locked while dialling");
    let _ = stop.send(());
    let finished = daemon.await.expect("daemon task");
    assert_eq!(finished, Finished::Stopped);
    assert!(lock_files().is_empty(), "{:?}", lock_files());
    tokio::task::block_in_place(|| wait("closed"));
    // The dial never ended, so there is nothing to log.
    assert!(records.lock().expect("log").is_empty());
}

#[test]
fn the_binary_runs_once_and_exits_zero() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = format!(
        "[schedule]\nat = [\"06:00\"]\n[retry]\nattempts = 2\nbackoff_s = 0\nbackoff_factor = 1\nbackoff_max_s = 0\n\
         [[connection]]\nname = \"oz\"\nisp = \"ozemail\"\nscript = {:?}\nuser = \"demo\"\npassword_file = {:?}\n\
         speedup = 1000\nfaults_per_attempt = [[\"busy\"]]\n",
        base.join("../ozemail.scp").display().to_string(),
        base.join("demo.password").display().to_string()
    );
    let path = dir.path().join("dialerd.toml");
    std::fs::write(&path, text).expect("config");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dialerd"))
        .arg(&path)
        .arg("--once")
        .output()
        .expect("dialerd runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].contains(" connection=oz attempt=1 outcome=busy duration="));
    assert!(lines[1].contains(" connection=oz attempt=2 outcome=completed duration="));
}

#[test]
fn the_binary_stops_on_sigterm_and_refuses_a_bad_config() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The shipped configuration: the first dial takes most of a second, so the signal arrives
    // mid-dial.
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_dialerd"))
        .arg(base.join("dialerd.toml"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("dialerd runs");
    // Signal only once the daemon catches SIGTERM (bit 15 of SigCgt), which it does before
    // the first dial; earlier, the default action would kill it.
    let caught = || {
        std::fs::read_to_string(format!("/proc/{}/status", child.id()))
            .ok()
            .and_then(|s| {
                let mask = s.lines().find_map(|l| l.strip_prefix("SigCgt:"))?;
                u64::from_str_radix(mask.trim(), 16).ok()
            })
            .is_some_and(|mask| mask & (1 << (15 - 1)) != 0)
    };
    for _ in 0..1000 {
        if caught() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(caught(), "dialerd never installed its SIGTERM handler");
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("signal");
    let out = child.wait_with_output().expect("dialerd exits");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SIGTERM"));

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[schedule]\nevery_minutes = 5\n[[connection]]\nname = \"x\"\nisp = \"ozemail\"\nscript = \"x.scp\"\npassword = \"inline\"\n",
    )
    .expect("config");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dialerd"))
        .arg(&path)
        .output()
        .expect("dialerd runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("never goes in the configuration"),
        "{stderr}"
    );
    assert!(!stderr.contains("inline"), "{stderr}");
}

#[test]
fn configuration_mistakes_are_reported() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = std::fs::read_to_string(base.join("dialerd.toml")).expect("shipped config");
    Config::parse(&shipped, base).expect("the shipped configuration is valid");
    let conn = "name = \"x\"\nscript = \"../ozemail.scp\"\n";
    for (text, message) in [
        (
            format!("[schedule]\n[[connection]]\n{conn}isp = \"ozemail\"\n"),
            "either every_minutes or at",
        ),
        (
            format!("[schedule]\nevery_minutes = 5\n[[connection]]\n{conn}"),
            "either `port`",
        ),
        (
            format!(
                "[schedule]\nevery_minutes = 5\n[[connection]]\n{conn}isp = \"ozemail\"\nport = \"/dev/ttyS0\"\n"
            ),
            "either `port`",
        ),
        (
            format!("[schedule]\nevery_minutes = 5\n[[connection]]\n{conn}isp = \"nowhere\"\n"),
            "neither a built-in ISP",
        ),
        (
            format!(
                "[schedule]\nevery_minutes = 5\n[[connection]]\n{conn}isp = \"ozemail\"\nfaults = [\"gremlins\"]\n"
            ),
            "unknown fault",
        ),
        (
            format!(
                "[schedule]\nevery_minutes = 5\n[[connection]]\n{conn}port = \"/dev/ttyS0\"\nspeedup = 2\n"
            ),
            "need `isp`",
        ),
        (
            format!("[schedule]\nat = [\"7 o'clock\"]\n[[connection]]\n{conn}isp = \"ozemail\"\n"),
            "not a time of day",
        ),
        (
            format!(
                "[schedule]\nevery_minutes = 5\n[[connection]]\n{conn}isp = \"ozemail\"\npassword_env = \"DIALERD_TEST_UNSET_VARIABLE\"\n"
            ),
            "is not set",
        ),
        (
            format!(
                "[schedule]\nevery_minutes = 5\n[[connection]]\n{conn}isp = \"ozemail\"\n[connection.etrn]\nhost = \"h:25\"\ndomains = [\"a.com\\r\\nDATA\"]\n"
            ),
            "one word",
        ),
        (
            format!(
                "[schedule]\nevery_minutes = 5\n[[connection]]\n{conn}isp = \"ozemail\"\n[[connection]]\n{conn}isp = \"ozemail\"\n"
            ),
            "defined twice",
        ),
        (
            format!(
                "[schedule]\nevery_minutes = 5\n[[connection]]\n{conn}port = \"/dev/ttyS0\"\n[[connection]]\nname = \"y\"\nscript = \"../ozemail.scp\"\nport = \"/dev/ttyS0\"\n"
            ),
            "both use /dev/ttyS0",
        ),
        (
            "[schedule]\nevery_minutes = 5\n[[connection]]\nname = \"x\"\nscript = \"../../README.md\"\nisp = \"ozemail\"\n".to_string(),
            "does not compile",
        ),
    ] {
        let err = Config::parse(&text, base).expect_err(&text);
        assert!(err.contains(message), "{text}\n=> {err}");
    }
}

#[test]
fn outcomes_say_whether_a_retry_can_help() {
    assert!(AttemptOutcome::DialFailed("BUSY".into()).retryable());
    assert!(AttemptOutcome::LineFailure("carrier lost".into()).retryable());
    assert!(!AttemptOutcome::TimedOut.retryable());
    assert!(!AttemptOutcome::Completed.retryable());
    assert_eq!(
        AttemptOutcome::DialFailed("NO DIALTONE".into()).word(),
        "dial-failed"
    );
}
