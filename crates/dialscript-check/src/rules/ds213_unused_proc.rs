//! DS213 `unused-proc`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS213
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS213",
        name: "unused-proc",
    },
    severity: Severity::Warning,
    summary: "A procedure other than `main`: nothing can call it.",
    docs: "## What it does\nReports every procedure that is not `main`.\n\n## Why is this bad?\nThe language has \
`proc` but no statement that calls one, so only `main` ever runs; the code in any other procedure is dead.\n\n\
## Example\n```\nproc login\n   transmit $USERID, raw\nendproc\n```\n\n## Use instead\nMove the statements into \
`main`.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (i, p) in cx.sema.procs.iter().enumerate() {
        if Some(i) == cx.sema.main || p.proc_.name.is("main") || p.proc_.name.name.is_empty() {
            continue;
        }
        out.push(
            cx.diag(
                &RULE,
                p.proc_.name.span,
                format!("procedure `{}` never runs", p.proc_.name.name),
            )
            .with_label("only `main` runs; nothing can call a procedure")
            .with_help("move its statements into `main`, or remove it"),
        );
    }
}
