//! `dialscript explain CODE|NAME` and `explain --list`.

use std::io::Write;

use dialscript_syntax::codes;

use crate::args::ExplainArgs;
use crate::exit;

/// Runs `explain`; returns the exit code.
pub fn run(args: &ExplainArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    if args.list {
        for d in codes::SYNTAX_CODES {
            writeln!(
                out,
                "{}  {:<30} {:<8} {}",
                d.code.code,
                d.code.name,
                d.severity.as_str(),
                d.summary
            )?;
        }
        for r in dialscript_check::RULES {
            writeln!(
                out,
                "{}  {:<30} {:<8} {}",
                r.code.code,
                r.code.name,
                r.severity.as_str(),
                r.summary
            )?;
        }
        return Ok(exit::CLEAN);
    }
    let wanted = args.code.as_deref().unwrap_or_default();
    match dialscript_check::explain(wanted) {
        Some((code, severity, summary, docs)) => {
            writeln!(
                out,
                "# {} {} ({})\n\n{}\n\n{}",
                code.code,
                code.name,
                severity.as_str(),
                summary,
                docs
            )?;
            Ok(exit::CLEAN)
        }
        None => {
            writeln!(
                err,
                "error: unknown code or name `{wanted}`; `dialscript explain --list` lists them"
            )?;
            Ok(exit::USAGE)
        }
    }
}
