//! DS101 `missing-main`.

use dialscript_syntax::codes::semantic as codes;
use dialscript_syntax::diagnostic::{Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS101
pub static RULE: Rule = Rule {
    code: codes::MISSING_MAIN,
    severity: Severity::Error,
    summary: "The script has no `proc main`.",
    docs: "## What it does\nReports a script without a procedure named `main`.\n\n\
## Why is this bad?\nExecution starts at the first statement of `main`; without it Dial-Up Networking has \
nothing to run and the connection fails.\n\n## Example\n```\nproc login\n   transmit \"^M\"\nendproc\n```\n\n\
## Use instead\n```\nproc main\n   transmit \"^M\"\nendproc\n```",
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
