//! `dialscript check`: parse scripts and report what is wrong with them.

use std::io::{IsTerminal, Write};

use dialscript_syntax::{Severity, SourceFile};

use crate::args::{CheckArgs, Color, Format};
use crate::{exit, files, render};

/// Width used for human output when the terminal's is unknown.
const DEFAULT_WIDTH: usize = 100;

/// Runs `check`; returns the exit code.
pub fn run(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    let (paths, mut input_errors) = files::collect(&args.paths);
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut json = Vec::new();
    let (mut errors, mut warnings, mut checked) = (0usize, 0usize, 0usize);
    for path in &paths {
        let bytes = match files::read_script(path) {
            Ok(b) => b,
            Err(message) => {
                input_errors.push(files::InputError {
                    path: path.clone(),
                    message,
                });
                continue;
            }
        };
        checked += 1;
        let parse = dialscript_syntax::parse(&bytes);
        let file = SourceFile::new(path.display().to_string(), bytes);
        for d in &parse.diagnostics {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                Severity::Advice => {}
            }
        }
        match args.format {
            Format::Human => out.write_all(render::human(&file, &parse.diagnostics, color, DEFAULT_WIDTH).as_bytes())?,
            Format::Concise => out.write_all(render::concise(&file, &parse.diagnostics).as_bytes())?,
            Format::Json => json.extend(render::json_diagnostics(&file, &parse.diagnostics)),
        }
    }
    if args.format == Format::Json {
        let doc = render::JsonReport {
            version: 1,
            diagnostics: json,
        };
        serde_json::to_writer(&mut *out, &doc).map_err(std::io::Error::other)?;
        writeln!(out)?;
    }
    for e in &input_errors {
        writeln!(err, "error: {}: {}", e.path.display(), e.message)?;
    }
    if args.format == Format::Human {
        writeln!(err, "{}", summary(checked, errors, warnings))?;
    }
    Ok(if !input_errors.is_empty() {
        exit::USAGE
    } else if errors + warnings > 0 && !args.exit_zero {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

fn summary(files: usize, errors: usize, warnings: usize) -> String {
    if errors + warnings == 0 {
        format!("{} checked, no problems found", plural(files, "file"))
    } else {
        format!(
            "{} checked: {} and {}",
            plural(files, "file"),
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    }
}
