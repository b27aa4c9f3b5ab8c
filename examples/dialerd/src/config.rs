//! The configuration file (TOML), read once at start-up and checked whole: every mistake is
//! reported before the first dial, not at three in the morning when the schedule fires.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use dialscript_sim::{Fault, Profile};
use dialscript_vm::{Credentials, Program};
use serde::Deserialize;

use crate::schedule::{Retry, Schedule};

/// The whole daemon's configuration, checked.
#[derive(Debug)]
pub struct Config {
    /// Where UUCP lock files go (`/var/lock` unless set).
    pub lock_dir: PathBuf,
    /// When each connection dials.
    pub schedule: Schedule,
    /// What happens when a dial fails.
    pub retry: Retry,
    /// The longest one attempt (dial and login) may take.
    pub run_deadline: Duration,
    /// The connections, in file order.
    pub connections: Vec<Arc<Connection>>,
}

/// One connection: a line, a script, credentials, and what to do once logged in.
#[derive(Debug)]
pub struct Connection {
    /// Its name in the log.
    pub name: String,
    /// A serial port or the simulated ISP.
    pub line: LineKind,
    /// The modem initialisation command.
    pub init: String,
    /// The number to dial (`None`: a direct line, no modem phase).
    pub number: Option<String>,
    /// How long the modem may take to connect.
    pub dial_timeout: Duration,
    /// The compiled script, shared by every attempt.
    pub program: Arc<Program>,
    /// `$USERID` and `$PASSWORD`.
    pub credentials: Credentials,
    /// Ask an SMTP host to send the queued mail, after the login.
    pub etrn: Option<Etrn>,
    /// A command to run on the line after the login (pppd).
    pub command: Option<Command>,
}

/// The line a connection dials on.
#[derive(Debug)]
pub enum LineKind {
    /// A serial port with a modem.
    Serial {
        /// The device.
        port: PathBuf,
        /// Bits per second.
        baud: u32,
    },
    /// The simulated modem and ISP of `dialscript-sim`, in this process.
    Simulated {
        /// The ISP's dialogue (boxed: it is large, and a serial line has none).
        profile: Box<Profile>,
        /// Faults on every attempt.
        faults: Vec<Fault>,
        /// More faults for the first, second, ... dial since the daemon started.
        faults_per_attempt: Vec<Vec<Fault>>,
        /// The seed of the first dial (each dial adds one).
        seed: u64,
        /// The ISP runs this many times faster than a real one.
        speedup: u32,
    },
}

/// ETRN after the login.
#[derive(Debug, Clone)]
pub struct Etrn {
    /// `host:port`.
    pub host: String,
    /// The domains whose queued mail is wanted.
    pub domains: Vec<String>,
    /// The name this host gives in `EHLO`.
    pub helo: String,
    /// The longest wait for the connection and for each reply.
    pub timeout: Duration,
    /// Wait this long after the login (or after starting the command) before connecting.
    pub delay: Duration,
}

/// A command run after the login, with the line on its standard input and output.
#[derive(Debug, Clone)]
pub struct Command {
    /// The program.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
}

/// The file as written; [`Config::parse`] turns it into a [`Config`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    lock_dir: Option<PathBuf>,
    schedule: FileSchedule,
    #[serde(default)]
    retry: FileRetry,
    #[serde(default = "default_run_deadline")]
    run_deadline_s: u64,
    #[serde(rename = "connection", default)]
    connections: Vec<FileConnection>,
}

fn default_run_deadline() -> u64 {
    300
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSchedule {
    every_minutes: Option<u64>,
    at: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRetry {
    attempts: u32,
    backoff_s: u64,
    backoff_factor: u32,
    backoff_max_s: u64,
}

impl Default for FileRetry {
    fn default() -> Self {
        FileRetry {
            attempts: 3,
            backoff_s: 30,
            backoff_factor: 2,
            backoff_max_s: 600,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConnection {
    name: String,
    script: PathBuf,
    port: Option<PathBuf>,
    baud: Option<u32>,
    isp: Option<String>,
    #[serde(default)]
    faults: Vec<String>,
    #[serde(default)]
    faults_per_attempt: Vec<Vec<String>>,
    seed: Option<u64>,
    speedup: Option<u32>,
    init: Option<String>,
    number: Option<String>,
    dial_timeout_s: Option<u64>,
    user: Option<String>,
    password_env: Option<String>,
    password_file: Option<PathBuf>,
    /// Only here to give a clear message: a password never goes in this file.
    password: Option<toml::Value>,
    etrn: Option<FileEtrn>,
    command: Option<FileCommand>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEtrn {
    host: String,
    domains: Vec<String>,
    helo: Option<String>,
    timeout_s: Option<u64>,
    delay_s: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCommand {
    program: String,
    #[serde(default)]
    args: Vec<String>,
}

impl Config {
    /// Reads and checks the file at `path`. Relative paths in it (scripts, password files)
    /// are relative to the file's folder, so the daemon can start from any directory.
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Config::parse(&text, base).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Checks configuration text; relative paths are taken from `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Config, String> {
        let file: FileConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        let schedule = match (file.schedule.every_minutes, &file.schedule.at) {
            (Some(0), None) => return Err("schedule: every_minutes must be at least 1".into()),
            (Some(m), None) => Schedule::Every(Duration::from_secs(m.saturating_mul(60))),
            (None, Some(times)) => Schedule::at(times)?,
            _ => return Err("schedule: give either every_minutes or at".into()),
        };
        let r = &file.retry;
        if r.attempts == 0 {
            return Err("retry: attempts must be at least 1".into());
        }
        let retry = Retry {
            attempts: r.attempts,
            backoff: Duration::from_secs(r.backoff_s),
            factor: r.backoff_factor.max(1),
            max: Duration::from_secs(r.backoff_max_s),
        };
        if file.run_deadline_s == 0 {
            return Err("run_deadline_s must be at least 1".into());
        }
        if file.connections.is_empty() {
            return Err("no [[connection]]".into());
        }
        let mut connections: Vec<Arc<Connection>> = Vec::new();
        for c in file.connections {
            let name = c.name.clone();
            if connections.iter().any(|x| x.name == name) {
                return Err(format!("connection `{name}` is defined twice"));
            }
            let conn = connection(c, base).map_err(|e| format!("connection `{name}`: {e}"))?;
            // Connections dial at the same moments, and a lock taken twice by one process
            // does not keep the second out (for root, neither does the exclusive open): one
            // port, one connection.
            if let LineKind::Serial { port, .. } = &conn.line
                && let Some(other) = connections
                    .iter()
                    .find(|x| matches!(&x.line, LineKind::Serial { port: p, .. } if p == port))
            {
                return Err(format!(
                    "connections `{}` and `{name}` both use {}; give each port one connection",
                    other.name,
                    port.display()
                ));
            }
            connections.push(Arc::new(conn));
        }
        Ok(Config {
            lock_dir: file
                .lock_dir
                .unwrap_or_else(|| PathBuf::from(dialscript_serial::lock::DEFAULT_LOCK_DIR)),
            schedule,
            retry,
            run_deadline: Duration::from_secs(file.run_deadline_s),
            connections,
        })
    }
}

fn connection(c: FileConnection, base: &Path) -> Result<Connection, String> {
    if c.password.is_some() {
        return Err("a password never goes in the configuration: \
                    use password_env (an environment variable) or password_file"
            .into());
    }
    let sim_only = !c.faults.is_empty()
        || !c.faults_per_attempt.is_empty()
        || c.seed.is_some()
        || c.speedup.is_some();
    let line = match (c.port, c.isp) {
        (Some(port), None) => {
            if sim_only {
                return Err("faults, faults_per_attempt, seed and speedup need `isp`".into());
            }
            LineKind::Serial {
                port,
                baud: c.baud.unwrap_or(57600),
            }
        }
        (None, Some(isp)) => {
            if c.baud.is_some() {
                return Err("baud needs `port` (the simulated ISP has its own)".into());
            }
            LineKind::Simulated {
                profile: Box::new(profile(&isp, base)?),
                faults: faults(&c.faults)?,
                faults_per_attempt: c
                    .faults_per_attempt
                    .iter()
                    .map(|f| faults(f))
                    .collect::<Result<_, _>>()?,
                seed: c.seed.unwrap_or(1),
                speedup: c.speedup.unwrap_or(1).max(1),
            }
        }
        _ => return Err("give either `port` (a serial port) or `isp` (a simulated ISP)".into()),
    };
    let script = base.join(&c.script);
    let bytes = std::fs::read(&script).map_err(|e| format!("{}: {e}", script.display()))?;
    let program = dialscript_vm::compile_source(&bytes).map_err(|diags| {
        let first = diags
            .first()
            .map_or_else(String::new, |d| format!(": {} {}", d.code.code, d.message));
        format!(
            "{} does not compile{first} (`dialscript check` says more)",
            script.display()
        )
    })?;
    let password = match (&c.password_env, &c.password_file) {
        (Some(var), None) => std::env::var_os(var)
            .ok_or_else(|| format!("the environment variable `{var}` (password_env) is not set"))?
            .into_encoded_bytes(),
        (None, Some(file)) => {
            let path = base.join(file);
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            first_line(bytes)
        }
        (None, None) => Vec::new(),
        (Some(_), Some(_)) => return Err("give password_env or password_file, not both".into()),
    };
    let etrn = c.etrn.map(etrn).transpose()?;
    Ok(Connection {
        name: c.name,
        line,
        init: c.init.unwrap_or_else(|| "ATZ".into()),
        number: c.number,
        dial_timeout: Duration::from_secs(c.dial_timeout_s.unwrap_or(60)),
        program: Arc::new(program),
        credentials: Credentials {
            user: c.user.unwrap_or_default().into_bytes(),
            password,
            mask_user: false,
        },
        etrn,
        command: c.command.map(|x| Command {
            program: x.program,
            args: x.args,
        }),
    })
}

/// A password file holds the password on its first line; the line end is not part of it.
fn first_line(mut bytes: Vec<u8>) -> Vec<u8> {
    if let Some(end) = bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
        bytes.truncate(end);
    }
    bytes
}

fn profile(isp: &str, base: &Path) -> Result<Profile, String> {
    if let Some(p) = Profile::built_in(isp) {
        return Ok(p);
    }
    let path = base.join(isp);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "isp `{isp}` is neither a built-in ISP nor a readable profile file ({}: {e})",
            path.display()
        )
    })?;
    Profile::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn faults(names: &[String]) -> Result<Vec<Fault>, String> {
    names.iter().map(|n| Fault::parse(n)).collect()
}

/// SMTP arguments must be one token each: a CR, LF or space in a domain would let the file
/// smuggle another command into the session.
fn smtp_word(what: &str, s: &str) -> Result<(), String> {
    if s.is_empty() || s.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(format!(
            "etrn: {what} `{s}` must be one word without spaces or control characters"
        ));
    }
    Ok(())
}

fn etrn(e: FileEtrn) -> Result<Etrn, String> {
    if e.domains.is_empty() {
        return Err("etrn: no domains".into());
    }
    for d in &e.domains {
        smtp_word("domain", d)?;
    }
    let helo = e.helo.unwrap_or_else(|| "dialerd.invalid".into());
    smtp_word("helo", &helo)?;
    Ok(Etrn {
        host: e.host,
        domains: e.domains,
        helo,
        timeout: Duration::from_secs(e.timeout_s.unwrap_or(30).max(1)),
        delay: Duration::from_secs(e.delay_s.unwrap_or(0)),
    })
}
