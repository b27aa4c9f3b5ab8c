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
    /// Script files, or folders to search for *.scp files (any case).
    #[arg(required = true, value_name = "PATH")]
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
