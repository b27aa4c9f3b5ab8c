//! DS103 `duplicate-label`.

use dialscript_syntax::codes::semantic as codes;
use dialscript_syntax::diagnostic::{Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS103
pub static RULE: Rule = Rule {
    code: codes::DUPLICATE_LABEL,
    severity: Severity::Error,
    summary: "Two labels of one procedure have the same name.",
    docs: "## What it does\nReports a label defined twice in one procedure (names compare without regard to case).\n\n\
## Why is this bad?\nLabels must be unique; a jump to the name would be ambiguous.\n\n## Example\n```\nRetry:\n   ...\n\
retry:\n```\n\n## Use instead\nRename one of them and the jumps that mean it.",
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
