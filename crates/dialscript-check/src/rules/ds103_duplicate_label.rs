//! DS103 `duplicate-label`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS103
pub static RULE: Rule = Rule {
    code: Code { code: "DS103", name: "duplicate-label" },
    severity: Severity::Error,
    summary: "Two labels of one procedure have the same name.",
    docs: "## What it does\nReports a label defined twice in one procedure (names compare without regard to case).\n\n\
## Why is this bad?\nLabels must be unique; a jump to the name would be ambiguous.\n\n## Example\n```\nRetry:\n   ...\n\
retry:\n```\n\n## Use instead\nRename one of them and the jumps that mean it.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &cx.sema.procs {
        for (dup, first) in &p.duplicate_labels {
            let first = p.labels[*first].ident;
            out.push(
                cx.diag(&RULE, dup.span, format!("label `{}` is defined twice", dup.name))
                    .with_label("second definition")
                    .with_related(first.span, "first defined here")
                    .with_help("rename one of them"),
            );
        }
    }
}
