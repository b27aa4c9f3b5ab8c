//! DS110 `integer-overflow`.

use dialscript_syntax::codes::semantic as codes;
use dialscript_syntax::diagnostic::{Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS110
pub static RULE: Rule = Rule {
    code: codes::INTEGER_OVERFLOW,
    severity: Severity::Error,
    summary: "The literal `2147483648` without a minus sign.",
    docs: "## What it does\nReports `2147483648` unless a minus sign comes directly before it. Integers are 32-bit, from -2147483648 to \
2147483647, so this literal is only valid as `-2147483648`. (Larger literals are the syntax error DS004.)\n\n\
## Why is this bad?\nThe value does not fit in an integer, so the script does not compile. Written as \
`-(2147483648)` or `0 - 2147483648` it is still the positive literal, negated or subtracted afterwards.\n\n\
## Example\n```\ninteger n = 2147483648\n```\n\n## Use instead\n`integer n = 2147483647`.",
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
