//! DS102 `undefined-label`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS102
pub static RULE: Rule = Rule {
    code: Code { code: "DS102", name: "undefined-label" },
    severity: Severity::Error,
    summary: "A `goto` or `then` names a label that does not exist.",
    docs: "## What it does\nReports `goto NAME` and `waitfor ... then NAME` where no `NAME:` label exists in the \
procedure, and suggests the closest label.\n\n## Why is this bad?\nThe jump has nowhere to go. Windows stopped such \
a script with an error at dial time.\n\n## Example\n```\nwaitfor \"ogin:\" then DoLogn until 30\n...\nDoLogin:\n```\n\n\
## Use instead\n```\nwaitfor \"ogin:\" then DoLogin until 30\n```",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &cx.sema.procs {
        for (r, suggestion) in &p.undefined_labels {
            let d = cx.diag(&RULE, r.span, format!("label `{}` is not defined", r.name)).with_label("no such label");
            out.push(match suggestion {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help(format!("add `{}:` where the jump should go", r.name)),
            });
        }
    }
}
