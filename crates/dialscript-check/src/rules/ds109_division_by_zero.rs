//! DS109 `division-by-zero`.

use dialscript_syntax::codes::semantic as codes;
use dialscript_syntax::diagnostic::{Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS109
pub static RULE: Rule = Rule {
    code: codes::DIVISION_BY_ZERO,
    severity: Severity::Error,
    summary: "A division by the literal `0`.",
    docs: "## What it does\nReports `x / 0`.\n\n## Why is this bad?\nDivision by zero stops the script with a \
runtime error when it is reached.\n\n## Example\n```\nnDelay = nTotal / 0\n```\n\n## Use instead\nDivide by a \
value that cannot be zero.",
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
