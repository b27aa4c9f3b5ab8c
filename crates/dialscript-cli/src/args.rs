//! Command-line arguments (clap derive), one struct per subcommand.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A toolchain for the Dial-Up Scripting Command Language of Windows 95 and NT 4.0 (.scp).
#[derive(Debug, Parser)]
#[command(name = "dialscript", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check scripts for errors (files, or folders searched for *.scp).
    Check(CheckArgs),
    /// Print the documentation of a diagnostic code.
    Explain(ExplainArgs),
    /// Run a script: against the built-in simulated ISP (the default).
    Run(RunArgs),
    /// Run scripts against every fault of the simulated ISP, in virtual time.
    Test(TestArgs),
    /// Be the simulated modem and ISP for real dialers: on a pseudo-terminal or over TCP.
    Serve(ServeArgs),
}

/// `dialscript serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The ISP.
    #[command(flatten)]
    pub isp: IspArgs,
    /// A fault (repeatable).
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<String>,
    /// Publish a pseudo-terminal's slave path at this symlink; dialers open it as a port.
    #[arg(
        long,
        value_name = "LINK",
        required_unless_present = "listen",
        conflicts_with = "listen"
    )]
    pub pty: Option<PathBuf>,
    /// Listen on this TCP address (such as 127.0.0.1:6400); each connection is a call.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Serve one call, then exit: 0 when the login succeeded, 1 otherwise.
    #[arg(long)]
    pub once: bool,
    /// Send bytes as fast as possible instead of at the profile's baud rate.
    #[arg(long)]
    pub no_pacing: bool,
    /// Divide every delay of the modem and ISP (dialling, think time, timeouts) by this.
    #[arg(long, value_name = "FACTOR", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub speedup: u32,
    /// The user name the ISP accepts (unless the profile fixes its accounts).
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// The password the ISP accepts.
    #[command(flatten)]
    pub password: PasswordArgs,
    /// Write a JSON line per call and per chunk of traffic here (the password masked).
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
}

/// Output format of `run` and `test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    /// A readable transcript and a result line.
    Human,
    /// JSON lines: one object per event, then the result.
    Json,
}

/// Where the password comes from. Never from the command line, where `ps` would show it.
#[derive(Debug, Args, Clone, Default)]
#[group(multiple = false)]
pub struct PasswordArgs {
    /// Read the password from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// Read the password from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

/// The simulated ISP to run against.
#[derive(Debug, Args, Clone)]
pub struct IspArgs {
    /// A built-in profile (`ozemail`, `unix-login`, `compuserve`, `slip-menu`) or a profile file.
    #[arg(long, value_name = "NAME|FILE", default_value = "ozemail")]
    pub isp: String,
    /// Seed for the simulated line (noise).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// `dialscript run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The script.
    #[arg(value_name = "SCRIPT")]
    pub script: PathBuf,
    /// The ISP.
    #[command(flatten)]
    pub isp: IspArgs,
    /// A fault of the simulated ISP (repeatable): silent-after-connect, wrong-prompt, slow,
    /// wrong-password, line-drop, noise, echo, busy, no-carrier.
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<String>,
    /// The user name (`$USERID`).
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// The password (`$PASSWORD`).
    #[command(flatten)]
    pub password: PasswordArgs,
    /// End the run after this many seconds (0: never). Default 600.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub timeout: u64,
    /// Also write the transcript to this file, as JSON lines.
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunFormat::Human)]
    pub format: RunFormat,
    /// A real line instead of the simulator.
    #[command(flatten)]
    pub line: LineArgs,
}

/// Parity on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParityArg {
    /// No parity.
    None,
    /// Even.
    Even,
    /// Odd.
    Odd,
}

/// Flow control on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlowArg {
    /// None.
    None,
    /// RTS/CTS.
    Hardware,
    /// XON/XOFF.
    Software,
}

/// A real line: a serial port (or pty), or standard input and output under pppd.
#[derive(Debug, Args, Clone)]
pub struct LineArgs {
    /// Run on this serial port (or any tty) instead of the simulated ISP.
    #[arg(long, value_name = "DEV", conflicts_with = "stdio")]
    pub port: Option<PathBuf>,
    /// The line is standard input and output, as pppd's `connect` option gives it; messages go
    /// to standard error.
    #[arg(long)]
    pub stdio: bool,
    /// Line speed.
    #[arg(long, default_value_t = 57600, requires = "port")]
    pub baud: u32,
    /// Data bits.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u8).range(5..=8), requires = "port")]
    pub databits: u8,
    /// Parity.
    #[arg(long, value_enum, default_value_t = ParityArg::None, requires = "port")]
    pub parity: ParityArg,
    /// Stop bits.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2), requires = "port")]
    pub stopbits: u8,
    /// Flow control.
    #[arg(long, value_enum, default_value_t = FlowArg::Hardware, requires = "port")]
    pub flow: FlowArg,
    /// Dial this number with the modem before the script runs.
    #[arg(long, value_name = "NUMBER", requires = "port")]
    pub dial: Option<String>,
    /// The modem's initialisation command.
    #[arg(long, value_name = "STR", default_value = "ATZ", requires = "dial")]
    pub init: String,
    /// How long to wait for the modem's answer to the dial command.
    #[arg(long, value_name = "SECS", default_value_t = 60, requires = "dial")]
    pub dial_timeout: u64,
    /// Where UUCP lock files live.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "/var/lock",
        requires = "port"
    )]
    pub lock_dir: PathBuf,
    /// Guard time of the `+++` modem escape, in milliseconds (when DTR is not available).
    #[arg(long, value_name = "MS", default_value_t = 1000, hide = true)]
    pub guard_ms: u64,
}

/// `dialscript test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Scripts.
    #[arg(required = true, value_name = "SCRIPT")]
    pub scripts: Vec<PathBuf>,
    /// The ISP.
    #[command(flatten)]
    pub isp: IspArgs,
    /// The run deadline for each run, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub timeout: u64,
    /// A script that reaches `endproc` although the ISP refused the login fails the test.
    #[arg(long)]
    pub strict: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunFormat::Human)]
    pub format: RunFormat,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Source snippets with labels and help, for people.
    Human,
    /// One line per finding: `file:line:col: CODE message`.
    Concise,
    /// A versioned JSON document.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// When writing to a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// `dialscript check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Script files, or folders to search for *.scp files (any case); `-` reads one script
    /// from standard input.
    #[arg(required_unless_present = "stdin_filename", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Colour in human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    pub exit_zero: bool,
    /// Use this configuration file instead of the nearest `dialscript.toml`.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore every `dialscript.toml`.
    #[arg(long)]
    pub isolated: bool,
    /// Run only these rules (codes, names, prefixes such as `DS2`, or `ALL`); replaces the
    /// configuration's `select`.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,
    /// Do not run these rules; added to the configuration's `ignore`.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Report scripts whose worst-case running time is above this many seconds (DS208).
    #[arg(long, value_name = "SECS")]
    pub max_duration: Option<u64>,
    /// Apply safe fixes to the files.
    #[arg(long)]
    pub fix: bool,
    /// With `--fix` or `--diff`, also apply unsafe fixes (such as adding `until` to a `waitfor`).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them; exit 1 if there are any.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,
    /// The `until` value the unsafe fix for DS201 adds.
    #[arg(long, value_name = "SECS")]
    pub fix_until: Option<u32>,
    /// Also check the scripts in folders that `.gitignore` files and the repository's
    /// `info/exclude` leave out (folders of version-control records are still skipped).
    #[arg(long)]
    pub no_respect_gitignore: bool,
    /// Leave out the files named on the command line that a configuration's `exclude` matches
    /// (a pre-commit hook names every changed file).
    #[arg(long)]
    pub force_exclude: bool,
    /// List the scripts that would be checked, one per line, and check nothing.
    #[arg(long, conflicts_with_all = ["fix", "diff", "add_suppressions"])]
    pub show_files: bool,
    /// Add a suppression comment for every finding (`; dialscript: allow(CODE)`), so that
    /// checking can start on scripts with findings today; with `--diff`, show them instead.
    #[arg(long, conflicts_with_all = ["fix", "unsafe_fixes"])]
    pub add_suppressions: bool,
    /// The name of the script read from standard input: shown in the report, and where its
    /// `dialscript.toml` is looked for (the file need not exist). Implies `-`.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
}

impl CheckArgs {
    /// Whether the run writes scripts: fixes, or suppressions.
    pub fn writes(&self) -> bool {
        self.fix || self.add_suppressions
    }
}

/// `dialscript explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A code (`DS005`) or name (`unexpected-token`).
    #[arg(value_name = "CODE|NAME", required_unless_present = "list")]
    pub code: Option<String>,
    /// List every code with its name and summary.
    #[arg(long, conflicts_with = "code")]
    pub list: bool,
}
