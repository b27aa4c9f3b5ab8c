//! DS105 `duplicate-declaration`.

use dialscript_syntax::codes::semantic as codes;
use dialscript_syntax::diagnostic::{Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS105
pub static RULE: Rule = Rule {
    code: codes::DUPLICATE_DECLARATION,
    severity: Severity::Error,
    summary: "A variable is declared twice in one procedure.",
    docs: "## What it does\nReports a second declaration of a name in the same procedure (names compare without \
regard to case).\n\n## Why is this bad?\nA name has one type and one variable; the second declaration is either a \
mistake or hides the first.\n\n## Example\n```\ninteger nTries = 3\nstring ntries = \"3\"\n```\n\n## Use instead\n\
Give the second variable its own name.",
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
