//! DS107 `assign-to-system-variable`.

use dialscript_syntax::codes::semantic as codes;
use dialscript_syntax::diagnostic::{Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS107
pub static RULE: Rule = Rule {
    code: codes::ASSIGN_TO_SYSTEM_VARIABLE,
    severity: Severity::Error,
    summary: "An assignment to `$USERID`, `$PASSWORD`, `$SUCCESS` or `$FAILURE`.",
    docs: "## What it does\nReports assignments to the four system variables.\n\n## Why is this bad?\nThey are \
read-only: `$USERID` and `$PASSWORD` come from the dial-up dialog, `$SUCCESS` and `$FAILURE` from the last \
`waitfor`.\n\n## Example\n```\n$SUCCESS = TRUE\n```\n\n## Use instead\nKeep your own state in a declared variable: \
`boolean bLoggedIn = TRUE`.",
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
