//! The `dialscript` command line: argument parsing (clap), file discovery, and rendering of
//! diagnostics (miette for people, JSON for machines). It only wires the library crates
//! together; the language lives in `dialscript-syntax`.

pub mod args;
pub mod commands;
pub mod files;
pub mod leave_out;
pub mod render;

use clap::Parser;

/// Exit codes shared by the subcommands that check scripts.
pub mod exit {
    /// Nothing to report.
    pub const CLEAN: i32 = 0;
    /// Findings.
    pub const FINDINGS: i32 = 1;
    /// Usage error, or input that could not be read.
    pub const USAGE: i32 = 2;
}

/// Runs the command line given by `args` (program name first) on the process's stdout and
/// stderr, and returns the exit code.
pub fn main_with_args<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    // `check` writes its report in large pieces through a buffer of its own; stdout's line
    // buffering would scan every piece for a line end (a byte-by-byte search through tens of
    // megabytes of JSON), so `check` writes to a duplicate of the descriptor instead.
    let mut raw = {
        use std::os::fd::AsFd;
        std::io::stdout()
            .as_fd()
            .try_clone_to_owned()
            .ok()
            .map(std::fs::File::from)
    };
    dispatch(
        args,
        None,
        &mut out,
        &mut err,
        raw.as_mut().map(|f| f as &mut dyn std::io::Write),
    )
}

/// Runs the command line given by `args` (program name first), writing to `out` and `err`,
/// and returns the exit code. Tests call this in-process.
pub fn run<I, T>(args: I, out: &mut dyn std::io::Write, err: &mut dyn std::io::Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    dispatch(args, None, out, err, None)
}

/// [`run`], with `input` as standard input (what `check -` reads).
pub fn run_with_input<I, T>(
    args: I,
    input: &mut dyn std::io::Read,
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    dispatch(args, Some(input), out, err, None)
}

/// [`run`], with `check`'s report written to `report` when given (see [`main_with_args`]),
/// and `input` standing for standard input when given.
fn dispatch<'a, I, T>(
    args: I,
    input: Option<&mut dyn std::io::Read>,
    out: &'a mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
    report: Option<&'a mut dyn std::io::Write>,
) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match args::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with exit 0, usage errors to stderr with exit 2.
            let text = e.render().to_string();
            let _ = if e.use_stderr() {
                err.write_all(text.as_bytes())
            } else {
                out.write_all(text.as_bytes())
            };
            return e.exit_code();
        }
    };
    let result = match cli.command {
        args::Command::Check(a) => match input {
            Some(input) => commands::check::run_from(&a, input, report.unwrap_or(out), err),
            None => commands::check::run(&a, report.unwrap_or(out), err),
        },
        args::Command::Explain(a) => commands::explain::run(&a, out, err),
        args::Command::Run(a) => commands::run::run(&a, out, err),
        args::Command::Test(a) => commands::test::run(&a, out, err),
        args::Command::Serve(a) => commands::serve::run(&a, out, err),
    };
    match result {
        Ok(code) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::CLEAN,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            exit::USAGE
        }
    }
}
pub mod transcript;
