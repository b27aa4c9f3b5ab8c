//! Many concurrent embedded sessions in one process: memory per session, time to answer a
//! prompt, and CPU time.
//!
//! Run with `cargo bench -p dialerd` (`DIALERD_BENCH_SESSIONS=N` for another count than
//! 10,000). Each session is a `Vm` (events off) driven by `drive_async` over a
//! `tokio::io::duplex` pipe to an in-process ISP (`serve_async` on a simulated `Peer` for
//! OzEmail, already connected, a thousand times faster than a real one), on a multi-thread
//! tokio runtime. All sessions share one compiled `Program`.
//!
//! Memory comes from the resident set size (`VmRSS` in /proc/self/status) at three moments:
//! before any session exists; with every ISP created and waiting at a gate (their peers, pipes
//! and tasks: what the simulated far end costs, not the VM); and with every VM session added
//! and waiting for its first prompt. The difference of the last two, divided by the number of
//! sessions, is what one embedded session costs beyond the shared program: the `Vm`, the
//! driver's future and its read buffer, and the task. Then the gate opens, every session logs
//! in at once, and the ISP side stamps the time from writing a prompt's last byte to reading
//! the first byte of the answer. The ISP's echo is off, so that every write of the ISP is a
//! prompt (or a greeting before one), and its idle timeout is long (see below). CPU time is
//! utime + stime from /proc/self/stat.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use dialscript_serial::asynchronous::{drive_async, serve_async};
use dialscript_sim::{Peer, Profile};
use dialscript_vm::{Credentials, Limits, Outcome, Vm, compile_source};
use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};

/// The ISP's end of a pipe, stamping when it wrote last and how long the first answer after
/// that took to arrive.
struct Stamped {
    inner: DuplexStream,
    wrote: Option<Instant>,
    answers: Vec<Duration>,
}

impl AsyncRead for Stamped {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if r.is_ready()
            && buf.filled().len() > before
            && let Some(t) = self.wrote.take()
        {
            self.answers.push(t.elapsed());
        }
        r
    }
}

impl AsyncWrite for Stamped {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.wrote = Some(Instant::now());
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The resident set size in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmRSS");
    kb * 1024
}

/// CPU time of the process so far: utime + stime.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // The command name may hold spaces; the fields after it are plain numbers. utime and
    // stime are fields 14 and 15, the 12th and 13th after the name.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<u64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .map(|f| f.parse().expect("a number"))
        .collect();
    let ticks = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100) as u64;
    Duration::from_nanos((fields[0] + fields[1]) * 1_000_000_000 / ticks)
}

fn kib(bytes: f64) -> String {
    format!("{:.2} KiB", bytes / 1024.0)
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let n: usize = std::env::var("DIALERD_BENCH_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(bench(n));
}

async fn bench(n: usize) {
    let script = include_bytes!("../../ozemail.scp");
    let program = Arc::new(compile_source(script).expect("the example compiles"));
    let mut profile = Profile::built_in("ozemail").expect("built-in ISP");
    profile.echo = false;
    // At a thousandfold speed-up the ISP's 120-second idle timeout becomes 120 ms, measured
    // from when each prompt was due, not from when a runtime busy with every session starting
    // at the same instant got round to sending it; that race is the simulator's, not the
    // VM's, so the ISP waits longer here.
    profile.idle_timeout_s = 3600;
    let creds = Credentials {
        user: b"demo".to_vec(),
        password: b"demo".to_vec(),
        mask_user: false,
    };

    // A few sessions first, so that the runtime, its timers and the allocator's arenas are
    // set up before the baseline.
    let mut warm = Vec::new();
    for i in 0..64 {
        let (mut ours, theirs) = tokio::io::duplex(1024);
        let mut peer = Peer::new(profile.clone(), &[], i, None);
        peer.set_speedup(1000);
        peer.dial_now();
        warm.push(tokio::spawn(async move {
            let mut theirs = theirs;
            serve_async(&mut peer, &mut theirs).await;
        }));
        let mut vm = Vm::new(program.clone(), creds.clone(), Limits::default());
        vm.record_events(false);
        warm.push(tokio::spawn(async move {
            drive_async(&mut vm, &mut ours, tokio::time::Instant::now(), &mut |_| {}).await;
        }));
    }
    for t in warm {
        t.await.expect("warm-up session");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let base = rss();

    // The far ends alone, each waiting at the gate.
    let (gate, gate_rx) = tokio::sync::watch::channel(false);
    let mut isps = Vec::with_capacity(n);
    let mut lines = Vec::with_capacity(n);
    for i in 0..n {
        let (ours, theirs) = tokio::io::duplex(1024);
        lines.push(ours);
        let mut peer = Peer::new(profile.clone(), &[], i as u64, None);
        peer.set_speedup(1000);
        peer.dial_now();
        let mut open = gate_rx.clone();
        isps.push(tokio::spawn(async move {
            let _ = open.wait_for(|o| *o).await;
            let mut io = Stamped {
                inner: theirs,
                wrote: None,
                answers: Vec::new(),
            };
            let report = serve_async(&mut peer, &mut io).await;
            (report, io.answers)
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let with_peers = rss();

    // The VM sessions, each waiting for its first prompt.
    let waiting = Arc::new(AtomicUsize::new(0));
    let mut sessions = Vec::with_capacity(n);
    for mut line in lines {
        let mut vm = Vm::new(program.clone(), creds.clone(), Limits::default());
        vm.record_events(false);
        let waiting = waiting.clone();
        sessions.push(tokio::spawn(async move {
            waiting.fetch_add(1, Ordering::Relaxed);
            drive_async(&mut vm, &mut line, tokio::time::Instant::now(), &mut |_| {}).await
        }));
    }
    while waiting.load(Ordering::Relaxed) < n {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let with_sessions = rss();

    // Everyone logs in at once.
    let cpu_before = cpu();
    let started = Instant::now();
    let _ = gate.send(true);
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for s in sessions {
        let o = s.await.expect("session");
        let word = match &o {
            Outcome::LineFailure(m) => format!("line-failure ({m})"),
            other => other.as_str().to_string(),
        };
        *outcomes.entry(word).or_default() += 1;
    }
    let mut answers = Vec::new();
    let mut logged_in = 0;
    for isp in isps {
        let (report, stamps) = isp.await.expect("ISP");
        logged_in += usize::from(report.logged_in);
        answers.extend(stamps);
    }
    let wall = started.elapsed();
    let cpu_run = cpu().saturating_sub(cpu_before);
    answers.sort();
    let at = |q: f64| answers[((answers.len() - 1) as f64 * q).round() as usize];

    let per_peer = with_peers.saturating_sub(base) as f64 / n as f64;
    let per_session = with_sessions.saturating_sub(with_peers) as f64 / n as f64;
    println!("| measurement | value |");
    println!("|---|---:|");
    println!("| concurrent sessions | {n} |");
    println!(
        "| worker threads | {} |",
        std::thread::available_parallelism().map_or(1, |p| p.get())
    );
    println!("| RSS before the sessions | {} |", kib(base as f64));
    println!(
        "| per far end (peer, pipe, ISP task), subtracted | {} |",
        kib(per_peer)
    );
    println!(
        "| **per VM session** (Vm, driver future and buffer, task) | **{}** |",
        kib(per_session)
    );
    println!("| size_of::<Vm>() | {} bytes |", std::mem::size_of::<Vm>());
    for (word, count) in &outcomes {
        println!("| sessions ending {word} | {count} |");
    }
    println!("| logins the ISPs accepted | {logged_in} of {n} |");
    println!("| prompts answered | {} |", answers.len());
    println!("| time to answer a prompt, median | {} |", ms(at(0.5)));
    println!("| time to answer a prompt, p99 | {} |", ms(at(0.99)));
    println!("| time to answer a prompt, max | {} |", ms(at(1.0)));
    println!("| wall time, all logins | {} |", ms(wall));
    println!("| CPU time (utime + stime), all logins | {} |", ms(cpu_run));
    println!(
        "| CPU time per session | {:.1} µs |",
        cpu_run.as_secs_f64() * 1e6 / n as f64
    );
    println!("| CPU time of the whole process | {} |", ms(cpu()));
}
