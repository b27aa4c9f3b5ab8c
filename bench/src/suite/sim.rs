//! Simulation: the ISP of KB Q175410, which answers the call and then says nothing, against
//! a script with three 90-second `waitfor`s.
//!
//! `dialscript run SCRIPT --fault silent-after-connect` is timed as a whole process (start,
//! reading and compiling the script, dialling, the three timeouts in virtual time, printing the
//! transcript), next to the start and end of a process that does nothing (`true`), the floor
//! for anything run as a command. `dialscript_sim::simulate` is timed in this process as well,
//! which gives the simulator's own speed in virtual seconds per wall second.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dialscript_sim::{Fault, Profile, SimOptions, simulate};

use crate::process::{TempDir, find_program, output, run_timed};
use crate::report::Table;
use crate::stats::{duration, median, significant, speedup};
use crate::suite::{Block, CHILD_TIMEOUT, Ctx, Target, timed_runs};

/// The target for the whole process.
const TARGET: Duration = Duration::from_millis(10);

/// Three guarded waits of 90 seconds, each checked, as a careful script has them.
const SCRIPT: &str = "proc main\r\n\
   waitfor \"ervice?\" until 90\r\n   if $SUCCESS then\r\n      transmit \"p^M\"\r\n   endif\r\n\
   waitfor \"sername:\" until 90\r\n   if $SUCCESS then\r\n      transmit $USERID, raw\r\n      transmit \"^M\"\r\n   endif\r\n\
   waitfor \"assword:\" until 90\r\n   if $SUCCESS then\r\n      transmit $PASSWORD, raw\r\n      transmit \"^M\"\r\n   endif\r\n\
endproc\r\n";

/// Reads the virtual duration from `result: ... after 285.034 s of virtual time; ...`.
fn virtual_seconds(stdout: &str) -> Option<f64> {
    let line = stdout.lines().rev().find(|l| l.starts_with("result:"))?;
    let before = line.split(" s of virtual time").next()?;
    before.rsplit(' ').next()?.parse().ok()
}

/// Runs the benchmark.
pub fn run(ctx: &Ctx) -> Result<Block, String> {
    let tmp = TempDir::new("sim")?;
    let script = tmp.write("silent.scp", SCRIPT)?;
    let command = || {
        let mut cmd = Command::new(&ctx.dialscript);
        cmd.arg("run")
            .arg(&script)
            .args(["--fault", "silent-after-connect"])
            .stdin(Stdio::null());
        cmd
    };

    // One run with its output read: it must end the way the issue describes.
    let out = output(command(), CHILD_TIMEOUT)?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.code() != Some(0) {
        return Err(format!(
            "`dialscript run` ended with {}: {stdout}",
            out.status
        ));
    }
    let virt = virtual_seconds(&stdout)
        .ok_or_else(|| format!("no virtual duration in the output: {stdout}"))?;
    let timeouts = stdout.matches("timed out").count();
    if timeouts != 3 {
        return Err(format!("expected three timeouts, saw {timeouts}: {stdout}"));
    }

    let runs = ctx.reps(20, 5);
    let process = timed_runs(3, runs, || {
        let mut cmd = command();
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        let t = run_timed(cmd, CHILD_TIMEOUT)?;
        Ok(t.wall)
    })?;
    let process = median(&process);

    let nothing = match find_program("true") {
        Some(p) => Some(median(&timed_runs(3, runs, || {
            let mut cmd = Command::new(&p);
            cmd.stdin(Stdio::null());
            Ok(run_timed(cmd, CHILD_TIMEOUT)?.wall)
        })?)),
        None => None,
    };

    let program = Arc::new(
        dialscript_vm::compile_source(SCRIPT.as_bytes())
            .map_err(|d| format!("the script does not compile: {d:?}"))?,
    );
    let mut options = SimOptions::new(Profile::built_in("ozemail").ok_or("no ozemail profile")?);
    options.faults = vec![Fault::parse("silent-after-connect")?];
    let mut simulated = Duration::ZERO;
    let in_process = timed_runs(10, ctx.reps(200, 20), || {
        let started = Instant::now();
        let r = simulate(Arc::clone(&program), &options);
        let wall = started.elapsed();
        simulated = r.end;
        Ok(wall)
    })?;
    let in_process = median(&in_process);

    let per_wall = |v: f64, d: Duration| significant(v / d.as_secs_f64().max(1e-9));
    let mut t = Table::new(&[
        "measurement",
        "virtual time",
        "wall time",
        "virtual seconds per wall second",
        "vs target",
    ]);
    t.row(vec![
        format!("`dialscript run` process (median of {runs})"),
        format!("{virt:.3} s"),
        duration(process),
        per_wall(virt, process),
        speedup(process, TARGET),
    ]);
    t.row(vec![
        "`simulate` in this process".to_string(),
        format!("{:.3} s", simulated.as_secs_f64()),
        duration(in_process),
        per_wall(simulated.as_secs_f64(), in_process),
        String::new(),
    ]);
    if let Some(n) = nothing {
        t.row(vec![
            "anchor: start and end of `true`".to_string(),
            String::new(),
            duration(n),
            String::new(),
            String::new(),
        ]);
    }
    let mut markdown = t.render();
    markdown.push_str(
        "\n\"vs target\" is the 10 ms target divided by the measured time: above 1 is under \
         the target.\n",
    );
    Ok(Block {
        markdown,
        targets: vec![Target::new(
            "silent ISP, three 90 s waits, whole process",
            "under 10 ms wall",
            duration(process),
            process < TARGET,
        )],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_compiles_and_the_result_line_is_read() {
        assert!(dialscript_vm::compile_source(SCRIPT.as_bytes()).is_ok());
        let out = "  1.0 x\nresult: completed (reached endproc of main) after 285.034 s of virtual time; the ISP did not accept a login; exit 0\n";
        assert_eq!(virtual_seconds(out), Some(285.034));
        assert_eq!(virtual_seconds("result: no outcome"), None);
    }
}
