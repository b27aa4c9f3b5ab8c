//! The `dialscript` command line: argument parsing (clap), file discovery, and rendering of
//! diagnostics (miette for people, JSON for machines). It only wires the library crates
//! together; the language lives in `dialscript-syntax`.

pub mod args;
pub mod commands;
pub mod files;
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

/// Runs the command line given by `args` (program name first) and returns the exit code.
pub fn main_with_args<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match args::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with exit 0, usage errors to stderr with 2.
            let _ = e.print();
            return e.exit_code();
        }
    };
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let result = match cli.command {
        args::Command::Check(a) => commands::check::run(&a, &mut out, &mut err),
        args::Command::Explain(a) => commands::explain::run(&a, &mut out, &mut err),
    };
    match result {
        Ok(code) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::CLEAN,
        Err(e) => {
            use std::io::Write;
            let _ = writeln!(err, "error: {e}");
            exit::USAGE
        }
    }
}
