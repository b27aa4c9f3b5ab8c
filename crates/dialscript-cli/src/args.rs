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
