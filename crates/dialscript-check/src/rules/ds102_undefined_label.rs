//! DS102 `undefined-label`.

use dialscript_syntax::codes::semantic as codes;
use dialscript_syntax::diagnostic::{Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS102
pub static RULE: Rule = Rule {
    code: codes::UNDEFINED_LABEL,
    severity: Severity::Error,
    summary: "A `goto` or `then` names a label that does not exist.",
    docs: "## What it does\nReports `goto NAME` and `waitfor ... then NAME` where no `NAME:` label exists in the \
procedure, and suggests the closest label.\n\n## Why is this bad?\nThe jump has nowhere to go. Windows stopped such \
a script with an error at dial time.\n\n## Example\n```\nwaitfor \"ogin:\" then DoLogn until 30\n...\nDoLogin:\n```\n\n\
## Use instead\n```\nwaitfor \"ogin:\" then DoLogin until 30\n```",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // The facts and their wording are shared with the VM's compiler (`dialscript_syntax::sema`).
    out.extend(
        cx.semantic_errors
            .iter()
            .filter(|d| d.code == RULE.code)
            .cloned(),
    );
}
