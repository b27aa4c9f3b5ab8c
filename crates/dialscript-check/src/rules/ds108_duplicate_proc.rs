//! DS108 `duplicate-proc`.

use dialscript_syntax::codes::semantic as codes;
use dialscript_syntax::diagnostic::{Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS108
pub static RULE: Rule = Rule {
    code: codes::DUPLICATE_PROC,
    severity: Severity::Error,
    summary: "Two procedures have the same name.",
    docs: "## What it does\nReports a procedure whose name an earlier procedure already has.\n\n## Why is this \
bad?\nWith two `proc main` it is unclear which one runs (dialscript runs the first).\n\n## Example\n```\nproc main\n\
endproc\nproc main\nendproc\n```\n\n## Use instead\nOne `proc main`.",
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
