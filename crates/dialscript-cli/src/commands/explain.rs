//! `dialscript explain CODE|NAME` and `explain --list`.

use std::io::Write;

use dialscript_syntax::codes;

use crate::args::ExplainArgs;
use crate::exit;

/// Runs `explain`; returns the exit code.
pub fn run(args: &ExplainArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    if args.list {
        for d in codes::SYNTAX_CODES {
            writeln!(out, "{}  {:<30} {}", d.code.code, d.code.name, d.summary)?;
        }
        return Ok(exit::CLEAN);
    }
    let wanted = args.code.as_deref().unwrap_or_default();
    match codes::find(wanted) {
        Some(d) => {
            writeln!(out, "# {} {}\n\n{}\n\n{}", d.code.code, d.code.name, d.summary, d.explanation)?;
            Ok(exit::CLEAN)
        }
        None => {
            writeln!(err, "error: unknown code or name `{wanted}`; `dialscript explain --list` lists them")?;
            Ok(exit::USAGE)
        }
    }
}
