//! DS105 `duplicate-declaration`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS105
pub static RULE: Rule = Rule {
    code: Code { code: "DS105", name: "duplicate-declaration" },
    severity: Severity::Error,
    summary: "A variable is declared twice in one procedure.",
    docs: "## What it does\nReports a second declaration of a name in the same procedure (names compare without \
regard to case).\n\n## Why is this bad?\nA name has one type and one variable; the second declaration is either a \
mistake or hides the first.\n\n## Example\n```\ninteger nTries = 3\nstring ntries = \"3\"\n```\n\n## Use instead\n\
Give the second variable its own name.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &cx.sema.procs {
        for (dup, first) in &p.duplicate_vars {
            let first = p.vars[*first].ident;
            out.push(
                cx.diag(&RULE, dup.span, format!("`{}` is declared twice", dup.name))
                    .with_label("second declaration")
                    .with_related(first.span, "first declared here")
                    .with_help("remove one declaration or rename the variable"),
            );
        }
    }
}
