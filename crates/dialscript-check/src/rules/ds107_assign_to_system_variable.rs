//! DS107 `assign-to-system-variable`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS107
pub static RULE: Rule = Rule {
    code: Code { code: "DS107", name: "assign-to-system-variable" },
    severity: Severity::Error,
    summary: "An assignment to `$USERID`, `$PASSWORD`, `$SUCCESS` or `$FAILURE`.",
    docs: "## What it does\nReports assignments to the four system variables.\n\n## Why is this bad?\nThey are \
read-only: `$USERID` and `$PASSWORD` come from the dial-up dialog, `$SUCCESS` and `$FAILURE` from the last \
`waitfor`.\n\n## Example\n```\n$SUCCESS = TRUE\n```\n\n## Use instead\nKeep your own state in a declared variable: \
`boolean bLoggedIn = TRUE`.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &cx.sema.procs {
        for (v, span) in &p.sys_assigns {
            out.push(
                cx.diag(&RULE, *span, format!("cannot assign to `{}`", v.name()))
                    .with_label("system variables are read-only")
                    .with_help("keep your own state in a declared variable"),
            );
        }
    }
}
