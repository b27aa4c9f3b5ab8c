//! DS219 `long-string`.

use dialscript_syntax::ast::{ExprKind, StmtKind};
use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// The longest string literal the 1995 tools are known to handle comfortably.
const MAX_LEN: usize = 255;

/// DS219
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS219",
        name: "long-string",
    },
    severity: Severity::Warning,
    summary: "A string literal longer than 255 bytes.",
    docs: "## What it does\nReports string literals longer than 255 bytes.\n\n## Why is this bad?\nThe \
documentation sets no limit, but the scripting tools of the time used fixed buffers, and a prompt or command that \
long is almost always a mistake such as a missing closing quote on an earlier line.\n\n## Example\nA \
`transmit` of a 300-character literal.\n\n## Use instead\nSplit it into several `transmit`s.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (stmt, lit) in cx.sema.procs.iter().flat_map(|p| &p.strings) {
        let ExprKind::Str(raw) = &lit.kind else {
            continue;
        };
        let len = raw.len();
        if len <= MAX_LEN {
            continue;
        }
        // The way to shorten a literal depends on what it is for.
        let help = match stmt.kind {
            StmtKind::Transmit { .. } => "split it into several `transmit`s",
            StmtKind::Waitfor { .. } => "wait for the last few characters of the prompt instead",
            _ => "shorten it, or build it with `+` from shorter literals",
        };
        out.push(
            cx.diag(&RULE, lit.span, format!("string literal of {len} bytes"))
                .with_label(format!("longer than {MAX_LEN} bytes"))
                .with_help(help),
        );
    }
}
