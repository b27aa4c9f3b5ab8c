//! DS205 `unused-label`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS205
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS205",
        name: "unused-label",
    },
    severity: Severity::Warning,
    summary: "A label that no `goto` or `then` names.",
    docs: "## What it does\nReports labels nothing jumps to.\n\n## Why is this bad?\nIt is harmless by itself, \
but often the jump meant for it names another label, or was deleted.\n\n## Example\n```\nRetry:\n   transmit \
\"^M\"\n```\n\n## Use instead\nRemove the label, or add the `goto` that should use it.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &cx.sema.procs {
        for l in p.labels.iter().filter(|l| l.refs == 0) {
            out.push(
                cx.diag(
                    &RULE,
                    l.ident.span,
                    format!("label `{}` is never used", l.ident.name),
                )
                .with_label("no `goto` or `then` names it")
                .with_help("remove it, or jump to it"),
            );
        }
    }
}
