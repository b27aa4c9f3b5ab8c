//! DS104 `undeclared-variable`.

use dialscript_syntax::codes::semantic as codes;
use dialscript_syntax::diagnostic::{Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS104
pub static RULE: Rule = Rule {
    code: codes::UNDECLARED_VARIABLE,
    severity: Severity::Error,
    summary: "A variable is used where it is not declared (or before its declaration).",
    docs: "## What it does\nReports a name used as a variable that no declaration before it in the procedure \
introduces.\n\n## Why is this bad?\nEvery variable must be declared with its type (`integer`, `string`, `boolean`) \
before use; the script does not compile otherwise.\n\n## Example\n```\nproc main\n   nTries = 3\nendproc\n```\n\n\
## Use instead\n```\nproc main\n   integer nTries = 3\nendproc\n```",
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
