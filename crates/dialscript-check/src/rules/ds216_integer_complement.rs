//! DS216 `integer-complement`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS216
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS216",
        name: "integer-complement",
    },
    severity: Severity::Warning,
    summary: "`!` applied to an integer (a bitwise complement).",
    docs: "## What it does\nReports `!` on an integer operand.\n\n## Why is this bad?\nThe documentation calls `!` \
the \"one's complement\": on an integer it flips every bit (`!0` is -1), which is almost never what a script \
means; people write it expecting a logical NOT of a count.\n\n## Example\n```\nif !nTries == 0 then\n```\n\n\
## Use instead\n`if nTries != 0 then`.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &cx.sema.procs {
        for span in &p.integer_complement {
            out.push(
                cx.diag(&RULE, *span, "`!` on an integer flips every bit")
                    .with_label("one's complement, not a logical NOT")
                    .with_help("compare instead, for example `n == 0`"),
            );
        }
    }
}
