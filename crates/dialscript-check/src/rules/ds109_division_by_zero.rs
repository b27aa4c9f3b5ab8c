//! DS109 `division-by-zero`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS109
pub static RULE: Rule = Rule {
    code: Code { code: "DS109", name: "division-by-zero" },
    severity: Severity::Error,
    summary: "A division by the literal `0`.",
    docs: "## What it does\nReports `x / 0`.\n\n## Why is this bad?\nDivision by zero stops the script with a \
runtime error when it is reached.\n\n## Example\n```\nnDelay = nTotal / 0\n```\n\n## Use instead\nDivide by a \
value that cannot be zero.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &cx.sema.procs {
        for span in &p.division_by_zero {
            out.push(
                cx.diag(&RULE, *span, "division by zero")
                    .with_label("this stops the script with a runtime error")
                    .with_help("divide by a value that cannot be zero"),
            );
        }
    }
}
