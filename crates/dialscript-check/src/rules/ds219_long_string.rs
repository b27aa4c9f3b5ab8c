//! DS219 `long-string`.

use dialscript_syntax::ast::StmtKind;
use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};
use crate::rules::string_literals;
use crate::semantic::{stmt_exprs, walk_stmts};

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
    for p in &cx.script.procs {
        walk_stmts(&p.body, &mut |s| {
            stmt_exprs(s, &mut |e| {
                let mut spans = Vec::new();
                string_literals(e, &mut |raw, span| {
                    if raw.len() > MAX_LEN {
                        spans.push((span, raw.len()));
                    }
                });
                if spans.is_empty() {
                    return;
                }
                // The way to shorten a literal depends on what it is for.
                let help = match s.kind {
                    StmtKind::Transmit { .. } => "split it into several `transmit`s",
                    StmtKind::Waitfor { .. } => {
                        "wait for the last few characters of the prompt instead"
                    }
                    _ => "shorten it, or build it with `+` from shorter literals",
                };
                for (span, len) in spans {
                    out.push(
                        cx.diag(&RULE, span, format!("string literal of {len} bytes"))
                            .with_label(format!("longer than {MAX_LEN} bytes"))
                            .with_help(help),
                    );
                }
            });
        });
    }
}
