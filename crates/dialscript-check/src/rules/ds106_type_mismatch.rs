//! DS106 `type-mismatch`.

use dialscript_syntax::codes::semantic as codes;
use dialscript_syntax::diagnostic::{Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS106
pub static RULE: Rule = Rule {
    code: codes::TYPE_MISMATCH,
    severity: Severity::Error,
    summary: "An operand, assignment, initialiser, condition or command operand has the wrong type.",
    docs: "## What it does\nChecks every expression against the language's three types and its operator table: \
`+` adds integers or joins strings, `- * /` and `< > <= >=` take integers, `== !=` take two operands of one type, \
`and`/`or`/`!` take booleans. Conditions of `if` and `while` must be boolean; `delay`, `until` and `getip` take \
integers; `transmit`, `waitfor` strings and `set ipaddr` take strings.\n\n## Why is this bad?\n\"A variable of a \
certain type may only contain values of that same type\": there are no conversions, so the script does not \
compile.\n\n## Example\n```\ninteger n = 3\nif n then\n   transmit 5\nendif\n```\n\n## Use instead\n```\n\
if n > 0 then\n   transmit \"5\"\nendif\n```",
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
