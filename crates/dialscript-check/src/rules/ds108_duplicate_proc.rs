//! DS108 `duplicate-proc`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS108
pub static RULE: Rule = Rule {
    code: Code { code: "DS108", name: "duplicate-proc" },
    severity: Severity::Error,
    summary: "Two procedures have the same name.",
    docs: "## What it does\nReports a procedure whose name an earlier procedure already has.\n\n## Why is this \
bad?\nWith two `proc main` it is unclear which one runs (dialscript runs the first).\n\n## Example\n```\nproc main\n\
endproc\nproc main\nendproc\n```\n\n## Use instead\nOne `proc main`.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (dup, first) in &cx.sema.duplicate_procs {
        out.push(
            cx.diag(&RULE, dup.span, format!("procedure `{}` is defined twice", dup.name))
                .with_label("second definition")
                .with_related(first.span, "first defined here")
                .with_help("remove or rename one of them"),
        );
    }
}
