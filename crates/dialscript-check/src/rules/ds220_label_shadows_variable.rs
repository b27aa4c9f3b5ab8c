//! DS220 `label-shadows-variable`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS220
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS220",
        name: "label-shadows-variable",
    },
    severity: Severity::Warning,
    summary: "A label with the same name as a variable.",
    docs: "## What it does\nReports labels named like a variable of the same procedure.\n\n## Why is this bad?\n\
Labels and variables live apart, so it works, but `goto nTries` reads like a mistake and the original tools were \
not known to accept it.\n\n## Example\n```\ninteger Retry = 3\nRetry:\n```\n\n## Use instead\nName the label \
`RetryLogin` or the variable `nRetries`.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &cx.sema.procs {
        for (label, var) in &p.label_shadows {
            out.push(
                cx.diag(
                    &RULE,
                    label.span,
                    format!("label `{}` has the name of a variable", label.name),
                )
                .with_label("label")
                .with_related(var.span, "variable declared here")
                .with_help("rename the label or the variable"),
            );
        }
    }
}
