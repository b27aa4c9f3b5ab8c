//! The interpreter: ten million turns of `i = i + 1`, in dialscript's VM, python3 and tclsh.
//!
//! dialscript compiles the script and runs it with `compile_source` and a `Vm` polled until it
//! is done, in this process, with no simulator and no run deadline; the time covers compiling
//! and running. python3 and tclsh run the same loop inside a function (a `proc` in Tcl), which
//! is how real code runs and where both compile their locals; each times the call with its
//! own monotonic clock, so that the interpreter's start-up is not counted against it.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dialscript_vm::{Action, Credentials, Limits, Outcome, Vm, compile_source};

use crate::process::{TempDir, find_program, output, version_line};
use crate::report::Table;
use crate::stats::{duration, median, significant, speedup};
use crate::suite::{Block, CHILD_TIMEOUT, Ctx, Target, timed_runs};

/// Turns of the loop.
const TURNS: u32 = 10_000_000;

/// The target for dialscript.
const TARGET: Duration = Duration::from_millis(100);

/// The loop in the Dial-Up Scripting Command Language. The test after the loop makes a wrong
/// count end the script with `halt` instead of `endproc`.
fn script() -> String {
    format!(
        "proc main\n   integer i = 0\n   while i < {TURNS} do\n      i = i + 1\n   endwhile\n   if i != {TURNS} then\n      halt\n   endif\nendproc\n"
    )
}

const PYTHON: &str = "import time\n\
def main():\n    i = 0\n    while i < TURNS:\n        i = i + 1\n    return i\n\
t = time.perf_counter()\nn = main()\nprint(time.perf_counter() - t, n)\n";

const TCL: &str = "proc main {} {\n    set i 0\n    while {$i < TURNS} {\n        set i [expr {$i + 1}]\n    }\n    return $i\n}\n\
set t [clock microseconds]\nset n [main]\nputs \"[expr {([clock microseconds] - $t) / 1e6}] $n\"\n";

/// One run of the loop in the VM: compile, then poll until done.
fn ours(src: &[u8]) -> Result<Duration, String> {
    let started = Instant::now();
    let program = compile_source(src).map_err(|d| format!("does not compile: {d:?}"))?;
    let limits = Limits {
        run_deadline: None,
        ..Limits::default()
    };
    let mut vm = Vm::new(Arc::new(program), Credentials::default(), limits);
    let outcome = loop {
        match vm.poll(Duration::ZERO) {
            Action::Done(o) => break o,
            Action::Yield => {}
            other => return Err(format!("unexpected action {other:?}")),
        }
    };
    let elapsed = started.elapsed();
    if outcome != Outcome::Completed {
        return Err(format!("the loop ended {outcome:?}"));
    }
    Ok(elapsed)
}

/// Reads `seconds count` from a peer's output and checks the count.
fn peer_time(out: &[u8]) -> Result<Duration, String> {
    let text = String::from_utf8_lossy(out);
    let mut words = text.split_whitespace();
    let secs: f64 = words
        .next()
        .and_then(|w| w.parse().ok())
        .ok_or_else(|| format!("unexpected output {text:?}"))?;
    let count: u64 = words
        .next()
        .and_then(|w| w.parse().ok())
        .ok_or_else(|| format!("unexpected output {text:?}"))?;
    if count != u64::from(TURNS) {
        return Err(format!("the loop counted to {count}"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn run_peer(mut cmd: Command) -> Result<Duration, String> {
    cmd.stdin(Stdio::null());
    let out = output(cmd, CHILD_TIMEOUT)?;
    if !out.status.success() {
        return Err(format!(
            "ended with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    peer_time(&out.stdout)
}

/// Runs the benchmark.
pub fn run(ctx: &Ctx) -> Result<Block, String> {
    let src = script();
    let our_times = timed_runs(1, ctx.reps(7, 3), || ours(src.as_bytes()))?;
    let our_median = median(&our_times);
    let tmp = TempDir::new("interp")?;
    let turns = TURNS.to_string();
    let reps = ctx.reps(3, 1);

    let mut peers: Vec<(String, Result<Duration, String>)> = Vec::new();
    match find_program("python3") {
        Some(py) => {
            let label = version_line(&py, &["--version"]).unwrap_or_else(|| "python3".into());
            let code = PYTHON.replace("TURNS", &turns);
            let r = timed_runs(0, reps, || {
                let mut cmd = Command::new(&py);
                cmd.arg("-c").arg(&code);
                run_peer(cmd)
            })
            .map(|t| median(&t));
            peers.push((label, r));
        }
        None => peers.push(("python3".into(), Err("not installed".into()))),
    }
    match find_program("tclsh") {
        Some(tcl) => {
            let file = tmp.write("loop.tcl", TCL.replace("TURNS", &turns))?;
            let label = tmp
                .write("version.tcl", "puts \"tclsh [info patchlevel]\"\n")
                .ok()
                .and_then(|v| version_line(&tcl, &[&v.to_string_lossy()]))
                .unwrap_or_else(|| "tclsh".into());
            let r = timed_runs(0, reps, || {
                let mut cmd = Command::new(&tcl);
                cmd.arg(&file);
                run_peer(cmd)
            })
            .map(|t| median(&t));
            peers.push((label, r));
        }
        None => peers.push(("tclsh".into(), Err("not installed".into()))),
    }

    let ns = |d: Duration| significant(d.as_secs_f64() * 1e9 / f64::from(TURNS));
    let mut t = Table::new(&[
        "implementation",
        "time for 10,000,000 turns",
        "per turn",
        "vs dialscript",
    ]);
    t.row(vec![
        format!(
            "dialscript VM (compile + run, median of {})",
            our_times.len()
        ),
        duration(our_median),
        format!("{} ns", ns(our_median)),
        String::new(),
    ]);
    for (name, r) in &peers {
        match r {
            Ok(d) => t.row(vec![
                format!("{name} (median of {reps})"),
                duration(*d),
                format!("{} ns", ns(*d)),
                speedup(our_median, *d),
            ]),
            Err(e) => t.row(vec![name.clone(), format!("failed: {e}")]),
        }
    }
    let mut markdown = t.render();
    markdown.push_str(
        "\nA ratio is the peer's time divided by dialscript's: how many times longer the peer \
         took.\n",
    );
    Ok(Block {
        markdown,
        targets: vec![Target::new(
            "interpreter, 10,000,000 turns of `i = i + 1`",
            "under 0.1 s",
            duration(our_median),
            our_median < TARGET,
        )],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_compiles_and_peer_output_is_read() {
        assert!(compile_source(script().as_bytes()).is_ok());
        assert_eq!(peer_time(b"0.5 10000000\n"), Ok(Duration::from_millis(500)));
        assert!(peer_time(b"0.5 9\n").is_err());
        assert!(peer_time(b"oops").is_err());
    }
}
