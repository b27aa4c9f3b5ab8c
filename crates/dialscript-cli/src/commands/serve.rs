//! `dialscript serve`: the simulated modem and ISP, in real time, for real dialers.
//!
//! On a pseudo-terminal (`--pty LINK`, the slave's path published as a symlink) a dialer
//! opens LINK as if it were a serial port with a modem on it. On TCP (`--listen ADDR`) each
//! connection is a call, for emulators that wire a virtual COM port to a socket; callers are
//! served side by side, and one that vanishes ends only its own call.

use std::io::Write;
use std::net::TcpListener;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use dialscript_serial::serve::{CallEnd, serve};
use dialscript_serial::{FdLine, Signals};
use dialscript_sim::{Fault, Peer, Profile};
use dialscript_vm::redact::StreamMask;
use nix::pty::openpty;
use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};

use crate::args::ServeArgs;
use crate::commands::run::isp_options;
use crate::transcript::escape;

/// What every call needs.
struct Setup {
    profile: Profile,
    faults: Vec<Fault>,
    seed: u64,
    credentials: Option<(Vec<u8>, Vec<u8>)>,
    pacing: bool,
    speedup: u32,
    log: Option<Arc<Mutex<std::fs::File>>>,
}

impl Setup {
    fn peer(&self, call: u64) -> Peer {
        let mut peer = Peer::new(
            self.profile.clone(),
            &self.faults,
            self.seed.wrapping_add(call),
            self.credentials.clone(),
        );
        peer.set_speedup(self.speedup);
        peer
    }

    fn secrets(&self) -> Vec<Vec<u8>> {
        self.credentials
            .iter()
            .map(|(_, p)| p.clone())
            .filter(|p| !p.is_empty())
            .collect()
    }

    fn log(&self, value: serde_json::Value) {
        if let Some(log) = &self.log
            && let Ok(mut f) = log.lock()
        {
            let _ = writeln!(f, "{value}");
        }
    }
}

/// Runs `serve`; returns the exit code.
pub fn run(args: &ServeArgs, _out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    let (profile, faults, password) = match isp_options(&args.isp, &args.faults, &args.password) {
        Ok(x) => x,
        Err(e) => return usage(err, &e),
    };
    let credentials = match (&args.user, password) {
        (None, None) => None,
        (u, p) => Some((
            u.clone().unwrap_or_default().into_bytes(),
            p.unwrap_or_default(),
        )),
    };
    let log = match &args.log {
        Some(path) => match std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            Ok(f) => Some(Arc::new(Mutex::new(f))),
            Err(e) => return usage(err, &format!("--log {}: {e}", path.display())),
        },
        None => None,
    };
    let setup = Arc::new(Setup {
        profile,
        faults,
        seed: args.isp.seed,
        credentials,
        pacing: !args.no_pacing,
        speedup: args.speedup,
        log,
    });
    let signals = match Signals::install() {
        Ok(s) => s,
        Err(e) => return usage(err, &format!("cannot catch signals: {e}")),
    };
    if let Some(link) = &args.pty {
        serve_pty(&setup, link, args.once, &signals, err)
    } else if let Some(addr) = &args.listen {
        serve_tcp(&setup, addr, args.once, &signals, err)
    } else {
        usage(err, "give --pty LINK or --listen ADDR")
    }
}

fn usage(err: &mut dyn Write, message: &str) -> std::io::Result<i32> {
    writeln!(err, "error: {message}")?;
    Ok(2)
}

/// Serves one call on `line`, logging it; returns whether the login succeeded.
fn call(
    setup: &Setup,
    number: u64,
    from: &str,
    line: &mut FdLine,
    signals: &Signals,
    first_input: &mut dyn FnMut(),
    err: &Mutex<Vec<u8>>,
) -> (CallEnd, bool) {
    let started = Instant::now();
    let mut peer = setup.peer(number);
    let mut got_input = false;
    setup.log(serde_json::json!({"call": number, "from": from, "event": "start", "isp": setup.profile.name}));
    // The bytes of each direction arrive in arbitrary pieces (a password typed by hand comes a
    // byte at a time, and so does its echo), so each direction is masked as a stream: a
    // piece-by-piece mask would log every character of it.
    let mut from_caller = StreamMask::new(setup.secrets());
    let mut from_isp = StreamMask::new(setup.secrets());
    let log_piece = |sent: bool, bytes: &[u8]| {
        if !bytes.is_empty() {
            setup.log(serde_json::json!({
                "call": number,
                "t": started.elapsed().as_secs_f64(),
                "dir": if sent { "isp" } else { "caller" },
                "data": escape(bytes),
            }));
        }
    };
    let mut on_bytes = |sent: bool, bytes: &[u8]| {
        if !sent && !got_input {
            got_input = true;
            first_input();
        }
        // Without a log there is nothing to mask or format (and a flood costs far less).
        if setup.log.is_some() {
            let shown = if sent {
                from_isp.push(bytes)
            } else {
                from_caller.push(bytes)
            };
            log_piece(sent, &shown);
        }
    };
    let stop = || signals.received().is_some();
    let report = serve(&mut peer, line, setup.pacing, &stop, &mut on_bytes);
    log_piece(false, &from_caller.flush());
    log_piece(true, &from_isp.flush());
    let how = match report.end {
        CallEnd::PeerHungUp => "the ISP hung up",
        CallEnd::CallerGone => "the caller hung up",
        CallEnd::Stopped => "stopped",
    };
    let result = if report.logged_in {
        "logged in"
    } else {
        "no login"
    };
    setup.log(serde_json::json!({"call": number, "event": "end", "logged_in": report.logged_in, "how": how, "seconds": started.elapsed().as_secs_f64()}));
    if let Ok(mut e) = err.lock() {
        let _ = writeln!(
            e,
            "call {number} from {from}: {result}, {how}, {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    (report.end, report.logged_in)
}

fn flush(buffer: &Mutex<Vec<u8>>, err: &mut dyn Write) {
    if let Ok(mut b) = buffer.lock() {
        let _ = err.write_all(&b);
        let _ = err.flush();
        b.clear();
    }
}

fn serve_pty(
    setup: &Setup,
    link: &Path,
    once: bool,
    signals: &Signals,
    err: &mut dyn Write,
) -> std::io::Result<i32> {
    let messages = Mutex::new(Vec::new());
    let mut number = 0u64;
    loop {
        number += 1;
        let pty = match openpty(None, None) {
            Ok(p) => p,
            Err(e) => return usage(err, &format!("cannot open a pseudo-terminal: {e}")),
        };
        // Raw mode on the slave: no echo, no line editing, no CR/LF translation, as a serial
        // port in raw mode behaves.
        if let Ok(mut t) = tcgetattr(&pty.slave) {
            cfmakeraw(&mut t);
            let _ = tcsetattr(&pty.slave, SetArg::TCSANOW, &t);
        }
        let slave_path = match nix::unistd::ttyname(pty.slave.as_fd()) {
            Ok(p) => p,
            Err(e) => return usage(err, &format!("cannot name the pseudo-terminal: {e}")),
        };
        let _ = std::fs::remove_file(link);
        if let Err(e) = std::os::unix::fs::symlink(&slave_path, link) {
            return usage(err, &format!("cannot create {}: {e}", link.display()));
        }
        writeln!(
            err,
            "serving `{}` on {} -> {}",
            setup.profile.name,
            link.display(),
            slave_path.display()
        )?;
        // Hold the slave open until the caller speaks: a pty master reads EIO while no process
        // has the slave open, which would look like a caller hanging up before it dialled.
        let mut held: Option<OwnedFd> = Some(pty.slave);
        // Watching the signals lets a write to a caller that stopped reading give up as soon
        // as serve is asked to stop, instead of holding the exit for the write's timeout.
        let mut line =
            FdLine::new(pty.master, link.display().to_string()).with_signals(signals.clone());
        let (end, logged_in) = call(
            setup,
            number,
            &link.display().to_string(),
            &mut line,
            signals,
            &mut || drop(held.take()),
            &messages,
        );
        flush(&messages, err);
        let _ = std::fs::remove_file(link);
        if once || end == CallEnd::Stopped {
            return Ok(match signals.received() {
                Some(s) => 128 + s,
                None if logged_in => 0,
                None => 1,
            });
        }
    }
}

fn serve_tcp(
    setup: &Arc<Setup>,
    addr: &str,
    once: bool,
    signals: &Signals,
    err: &mut dyn Write,
) -> std::io::Result<i32> {
    let listener = match TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) => return usage(err, &format!("cannot listen on {addr}: {e}")),
    };
    listener.set_nonblocking(true)?;
    writeln!(
        err,
        "serving `{}` on tcp {}",
        setup.profile.name,
        listener.local_addr()?
    )?;
    let messages = Arc::new(Mutex::new(Vec::new()));
    let mut number = 0u64;
    let mut workers = Vec::new();
    loop {
        flush(&messages, err);
        if let Some(s) = signals.received() {
            for w in workers {
                let _ = std::thread::JoinHandle::join(w);
            }
            flush(&messages, err);
            return Ok(128 + s);
        }
        match listener.accept() {
            Ok((stream, from)) => {
                number += 1;
                let _ = stream.set_nodelay(true);
                // Whether the stream inherits the listener's non-blocking mode differs between
                // systems; it does not matter, because the line makes it non-blocking either
                // way so that its write timeout holds against a caller that stops reading.
                // The signals end such a write early, so that SIGTERM never waits for it.
                let mut line = FdLine::new(OwnedFd::from(stream), from.to_string())
                    .with_signals(signals.clone());
                if once {
                    let (_, logged_in) = call(
                        setup,
                        number,
                        &from.to_string(),
                        &mut line,
                        signals,
                        &mut || {},
                        &messages,
                    );
                    flush(&messages, err);
                    // A signal that ended the call decides the status, as it does for a pty.
                    return Ok(match signals.received() {
                        Some(s) => 128 + s,
                        None if logged_in => 0,
                        None => 1,
                    });
                }
                let (setup, signals, messages) =
                    (Arc::clone(setup), signals.clone(), Arc::clone(&messages));
                workers.push(std::thread::spawn(move || {
                    call(
                        &setup,
                        number,
                        &from.to_string(),
                        &mut line,
                        &signals,
                        &mut || {},
                        &messages,
                    );
                }));
                workers.retain(|w| !w.is_finished());
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(std::time::Duration::from_millis(50))
            }
            Err(e) => {
                writeln!(err, "error: accept: {e}")?;
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
        }
    }
}
