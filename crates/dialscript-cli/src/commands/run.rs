//! `dialscript run`: a script against the built-in simulated ISP, in virtual time.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use dialscript_sim::{Dial, Fault, Profile, SimOptions, SimRun};
use dialscript_syntax::SourceFile;
use dialscript_vm::{Credentials, Limits, Outcome};

use crate::args::{IspArgs, PasswordArgs, RunArgs, RunFormat};
use crate::{files, render, transcript};

/// Exit codes of `run` (architecture.md's contract).
pub mod exit {
    /// Reached `endproc` of main.
    pub const COMPLETED: i32 = 0;
    /// `halt`.
    pub const HALTED: i32 = 1;
    /// Usage error, or the script does not compile.
    pub const USAGE: i32 = 2;
    /// The run deadline passed.
    pub const TIMED_OUT: i32 = 3;
    /// The line failed: busy, no carrier, carrier lost, I/O error.
    pub const LINE: i32 = 4;
    /// A runtime error.
    pub const RUNTIME: i32 = 5;
    /// Interrupted.
    pub const CANCELLED: i32 = 130;
}

/// The exit code for a run's result.
pub fn exit_code(run: &SimRun) -> i32 {
    match &run.outcome {
        None => exit::LINE,
        Some(Outcome::Completed) => exit::COMPLETED,
        Some(Outcome::Halted) => exit::HALTED,
        Some(Outcome::TimedOut) => exit::TIMED_OUT,
        Some(Outcome::LineFailure(_)) => exit::LINE,
        Some(Outcome::RuntimeError { .. }) => exit::RUNTIME,
        Some(Outcome::Cancelled) => exit::CANCELLED,
    }
}

/// Loads a built-in profile by name, or a profile file.
pub fn load_profile(isp: &IspArgs) -> Result<Profile, String> {
    if let Some(p) = Profile::built_in(&isp.isp) {
        return Ok(p);
    }
    let path = Path::new(&isp.isp);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: {}", path.display(), files::io_message(&e)))?;
        return Profile::parse(&text).map_err(|e| format!("{}: {e}", path.display()));
    }
    let names: Vec<&str> = dialscript_sim::profile::BUILT_IN
        .iter()
        .map(|(n, _)| *n)
        .collect();
    Err(format!(
        "unknown ISP `{}`: not a built-in profile ({}) nor a profile file",
        isp.isp,
        names.join(", ")
    ))
}

/// What `run` and `serve` both take from their options: the simulated ISP's profile, its
/// faults, and the password when one was given.
pub type IspOptions = (Profile, Vec<Fault>, Option<Vec<u8>>);

/// The simulated ISP, its faults and the password, as `run` and `serve` both take them.
pub fn isp_options(
    isp: &IspArgs,
    faults: &[String],
    password: &PasswordArgs,
) -> Result<IspOptions, String> {
    Ok((
        load_profile(isp)?,
        parse_faults(faults)?,
        read_password(password)?,
    ))
}

/// Parses `--fault` names.
pub fn parse_faults(names: &[String]) -> Result<Vec<Fault>, String> {
    names.iter().map(|f| Fault::parse(f)).collect()
}

/// Reads the password from where the options say. Never from argv.
pub fn read_password(p: &PasswordArgs) -> Result<Option<Vec<u8>>, String> {
    fn first_line(mut bytes: Vec<u8>) -> Vec<u8> {
        if let Some(end) = bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
            bytes.truncate(end);
        }
        bytes
    }
    if let Some(var) = &p.password_env {
        return match std::env::var_os(var) {
            Some(v) => Ok(Some(v.into_encoded_bytes())),
            None => Err(format!(
                "--password-env: the environment variable `{var}` is not set"
            )),
        };
    }
    if let Some(path) = &p.password_file {
        let bytes = std::fs::read(path).map_err(|e| {
            format!(
                "--password-file {}: {}",
                path.display(),
                files::io_message(&e)
            )
        })?;
        return Ok(Some(first_line(bytes)));
    }
    if p.password_stdin {
        let mut line = Vec::new();
        std::io::stdin()
            .lock()
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("--password-stdin: {}", files::io_message(&e)))?;
        return Ok(Some(first_line(line)));
    }
    Ok(None)
}

/// Compiles a script file; on failure writes the diagnostics and returns the exit code.
pub fn load_program(
    path: &Path,
    err: &mut dyn Write,
) -> Result<(SourceFile, dialscript_vm::Program), i32> {
    let bytes = match files::read_script(path) {
        Ok(b) => b,
        Err(message) => {
            let _ = writeln!(err, "error: {}: {message}", path.display());
            return Err(exit::USAGE);
        }
    };
    let file = SourceFile::new(path.display().to_string(), bytes);
    match dialscript_vm::compile_source(file.bytes()) {
        Ok(p) => Ok((file, p)),
        Err(diags) => {
            let _ = err.write_all(render::human(&file, &diags, false, 100).as_bytes());
            let _ = writeln!(
                err,
                "error: {} does not compile; `dialscript check` says more",
                path.display()
            );
            Err(exit::USAGE)
        }
    }
}

/// Runs `run`; returns the exit code.
pub fn run(args: &RunArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    let (profile, faults, password) = match isp_options(&args.isp, &args.faults, &args.password) {
        Ok(x) => x,
        Err(e) => return usage(err, &e),
    };
    let (file, program) = match load_program(&args.script, err) {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    if args.line.port.is_some() || args.line.stdio {
        let password = match password {
            Some(p) => Some(p),
            None if !args.line.stdio && args.user.is_some() => match prompt_password(err) {
                Ok(p) => p,
                Err(e) => return usage(err, &e),
            },
            None => None,
        };
        let creds = Credentials {
            user: args.user.clone().unwrap_or_default().into_bytes(),
            password: password.unwrap_or_default(),
            mask_user: false,
        };
        return crate::commands::line::run(&args.line, &file, program, creds, args.timeout, err);
    }
    let mut options = SimOptions::new(profile);
    options.faults = faults;
    options.seed = args.isp.seed;
    options.credentials = Credentials {
        user: args.user.clone().unwrap_or_default().into_bytes(),
        password: password.unwrap_or_default(),
        mask_user: false,
    };
    options.limits = Limits {
        run_deadline: (args.timeout > 0).then(|| Duration::from_secs(args.timeout)),
        ..Limits::default()
    };
    let run = dialscript_sim::simulate(Arc::new(program), &options);

    if let Some(path) = &args.transcript {
        let mut text = String::new();
        for e in &run.entries {
            text.push_str(&transcript::json_line(&file, e).to_string());
            text.push('\n');
        }
        if let Err(e) = std::fs::write(path, text) {
            writeln!(
                err,
                "error: --transcript {}: {}",
                path.display(),
                files::io_message(&e)
            )?;
        }
    }
    match args.format {
        RunFormat::Human => {
            writeln!(
                out,
                "dialling the simulated ISP `{}` ({}), faults: {}",
                options.profile.name,
                options.profile.description,
                fault_list(&options.faults)
            )?;
            for e in &run.entries {
                writeln!(out, "{}", transcript::human_line(&file, e))?;
            }
            writeln!(out, "{}", summary(&run))?;
        }
        RunFormat::Json => {
            for e in &run.entries {
                writeln!(out, "{}", transcript::json_line(&file, e))?;
            }
            writeln!(out, "{}", result_json(&run))?;
        }
    }
    Ok(exit_code(&run))
}

/// Asks for the password on the terminal without echo, when standard input is a terminal.
fn prompt_password(err: &mut dyn Write) -> Result<Option<Vec<u8>>, String> {
    use nix::sys::termios::{LocalFlags, SetArg, tcgetattr, tcsetattr};
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Ok(None);
    }
    let saved = tcgetattr(&stdin).map_err(|e| format!("cannot read the terminal settings: {e}"))?;
    let mut quiet = saved.clone();
    quiet.local_flags.remove(LocalFlags::ECHO);
    let _ = write!(err, "Password: ");
    let _ = err.flush();
    tcsetattr(&stdin, SetArg::TCSANOW, &quiet).map_err(|e| format!("cannot turn off echo: {e}"))?;
    let mut line = Vec::new();
    let read = stdin.lock().read_until(b'\n', &mut line);
    // Echo comes back whatever happened.
    let _ = tcsetattr(&stdin, SetArg::TCSANOW, &saved);
    let _ = writeln!(err);
    read.map_err(|e| format!("cannot read the password: {e}"))?;
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    Ok(Some(line))
}

fn fault_list(faults: &[Fault]) -> String {
    if faults.is_empty() {
        "none".to_string()
    } else {
        faults
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The closing line of a human transcript.
pub fn summary(run: &SimRun) -> String {
    let t = run.end.as_secs_f64();
    match (&run.dial, &run.outcome) {
        (Dial::Failed(why), _) => format!("result: the call failed ({why}) after {t:.3} s; exit 4"),
        (_, Some(o)) => {
            let login = if run.logged_in {
                "the ISP accepted the login"
            } else {
                "the ISP did not accept a login"
            };
            format!(
                "result: {} after {t:.3} s of virtual time; {login}; exit {}",
                transcript::outcome_text(o),
                exit_code(run)
            )
        }
        (_, None) => format!("result: no outcome after {t:.3} s"),
    }
}

/// The closing JSON object of a JSON transcript.
pub fn result_json(run: &SimRun) -> serde_json::Value {
    serde_json::json!({
        "kind": "result",
        "dial": match &run.dial { Dial::Connected(s) | Dial::Failed(s) => s },
        "outcome": run.outcome.as_ref().map(|o| o.as_str()),
        "code": run.outcome.as_ref().and_then(|o| o.code()).map(|c| c.code),
        "logged_in": run.logged_in,
        "virtual_seconds": run.end.as_secs_f64(),
        "exit": exit_code(run),
    })
}

fn usage(err: &mut dyn Write, message: &str) -> std::io::Result<i32> {
    writeln!(err, "error: {message}")?;
    Ok(exit::USAGE)
}
