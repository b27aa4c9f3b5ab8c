//! DS206 `unused-variable`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS206
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS206",
        name: "unused-variable",
    },
    severity: Severity::Warning,
    summary: "A variable that is never read.",
    docs: "## What it does\nReports variables whose value no expression reads (assigning to it does not count as a \
use).\n\n## Why is this bad?\nIt is dead weight, or the code meant to use it uses another name.\n\n## Example\n\
```\ninteger nTimeout = 30\nwaitfor \"ogin:\" until 30\n```\n\n## Use instead\n```\ninteger nTimeout = 30\n\
waitfor \"ogin:\" until nTimeout\n```",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &cx.sema.procs {
        for v in p.vars.iter().filter(|v| v.reads == 0) {
            let what = if v.writes > 0 {
                "is assigned but never read"
            } else {
                "is never used"
            };
            out.push(
                cx.diag(
                    &RULE,
                    v.ident.span,
                    format!("variable `{}` {what}", v.ident.name),
                )
                .with_label("unused")
                .with_help("remove it, or use it"),
            );
        }
    }
}
