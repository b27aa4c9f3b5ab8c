//! `dialscript test`: every fault of the simulated ISP against each script, in virtual time.
//!
//! A run fails when it hangs until the run deadline (on a real line the port would stay
//! locked, as in KB Q175410) or when the password shows anywhere in its output. A script that
//! reaches `endproc` although the ISP did not accept the login is a warning (a failure with
//! `--strict`): Dial-Up Networking would start PPP on a line that is not logged in.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use dialscript_sim::{Dial, Fault, SimOptions, SimRun};
use dialscript_vm::{Credentials, Limits, Outcome};

use crate::args::{RunFormat, TestArgs};
use crate::commands::run::{load_profile, load_program};
use crate::transcript;

/// The password `test` logs in with: it has the characters escapes would change, so a script
/// that sends it without `, raw` fails the login, and it is easy to find in any output.
const TEST_PASSWORD: &[u8] = b"pw^M<cr>\\x";
const TEST_USER: &[u8] = b"tester";

/// The verdict on one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// As it should be.
    Pass,
    /// Suspicious (fails with `--strict`).
    Warn,
    /// Wrong.
    Fail,
}

/// Judges one run; returns the verdict and why.
pub fn judge(fault: Option<Fault>, run: &SimRun, password_leaked: bool) -> (Verdict, String) {
    if password_leaked {
        return (
            Verdict::Fail,
            "the password appears in the output".to_string(),
        );
    }
    match (&run.dial, &run.outcome) {
        (Dial::Failed(why), _) => (
            Verdict::Pass,
            format!("the call failed ({why}); nothing ran"),
        ),
        (_, Some(Outcome::TimedOut)) => (
            Verdict::Fail,
            "hangs until the run deadline: the port would stay locked".to_string(),
        ),
        (_, Some(Outcome::Cancelled)) => (Verdict::Fail, "waits for ever".to_string()),
        (_, Some(Outcome::RuntimeError { code, message, .. })) => (
            Verdict::Fail,
            format!("runtime error {}: {message}", code.code),
        ),
        (_, Some(Outcome::Completed)) if !run.logged_in => (
            Verdict::Warn,
            "reaches endproc although the ISP did not accept the login".to_string(),
        ),
        (_, Some(Outcome::Completed)) => (Verdict::Pass, "logged in".to_string()),
        (_, Some(Outcome::Halted)) if fault.is_none() => (
            Verdict::Warn,
            "halts although nothing went wrong".to_string(),
        ),
        (_, Some(Outcome::Halted)) => (Verdict::Pass, "gives up and halts".to_string()),
        (_, Some(Outcome::LineFailure(why))) => {
            (Verdict::Pass, format!("ends on the line failure ({why})"))
        }
        (_, None) => (Verdict::Fail, "no outcome".to_string()),
    }
}

/// Runs `test`; returns the exit code (0 all pass, 1 a failure, 2 usage).
pub fn run(args: &TestArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    let profile = match load_profile(&args.isp) {
        Ok(p) => p,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    };
    let mut failed = false;
    let mut usage = false;
    for script in &args.scripts {
        let (file, program) = match load_program(script, err) {
            Ok(x) => x,
            Err(_) => {
                usage = true;
                continue;
            }
        };
        let program = Arc::new(program);
        if args.format == RunFormat::Human {
            writeln!(out, "{} against `{}`:", file.name(), profile.name)?;
            writeln!(
                out,
                "  {:<22} {:<16} {:>10}  verdict",
                "fault", "outcome", "time"
            )?;
        }
        let cases = std::iter::once(None).chain(Fault::ALL.into_iter().map(Some));
        for fault in cases {
            let mut options = SimOptions::new(profile.clone());
            options.faults = fault.into_iter().collect();
            options.seed = args.isp.seed;
            options.credentials = Credentials {
                user: TEST_USER.to_vec(),
                password: TEST_PASSWORD.to_vec(),
                mask_user: false,
            };
            options.limits = Limits {
                run_deadline: Some(Duration::from_secs(args.timeout.max(1))),
                ..Limits::default()
            };
            let run = dialscript_sim::simulate(Arc::clone(&program), &options);
            let leaked = run.entries.iter().any(|e| {
                let text =
                    transcript::json_line(&file, e).to_string() + &transcript::human_line(&file, e);
                text.as_bytes()
                    .windows(TEST_PASSWORD.len())
                    .any(|w| w == TEST_PASSWORD)
                    || text.contains(&transcript::escape(TEST_PASSWORD))
            });
            let (verdict, why) = judge(fault, &run, leaked);
            let failing = verdict == Verdict::Fail || (verdict == Verdict::Warn && args.strict);
            failed |= failing;
            let name = fault.map_or("none", Fault::name);
            let outcome = match (&run.dial, &run.outcome) {
                (Dial::Failed(_), _) => "dial failed",
                (_, Some(o)) => o.as_str(),
                (_, None) => "-",
            };
            let word = match verdict {
                Verdict::Pass => "pass",
                Verdict::Warn if args.strict => "FAIL",
                Verdict::Warn => "warn",
                Verdict::Fail => "FAIL",
            };
            match args.format {
                RunFormat::Human => writeln!(
                    out,
                    "  {name:<22} {outcome:<16} {:>9.1}s  {word}: {why}",
                    run.end.as_secs_f64()
                )?,
                RunFormat::Json => writeln!(
                    out,
                    "{}",
                    serde_json::json!({
                        "script": file.name(), "isp": profile.name, "fault": name, "outcome": outcome,
                        "virtual_seconds": run.end.as_secs_f64(), "verdict": word.to_ascii_lowercase(), "why": why,
                    })
                )?,
            }
        }
    }
    Ok(if usage {
        2
    } else if failed {
        1
    } else {
        0
    })
}
