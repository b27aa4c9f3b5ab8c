//! DS217 `inconsistent-name-case`.

use std::collections::HashSet;

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS217
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS217",
        name: "inconsistent-name-case",
    },
    severity: Severity::Advice,
    summary: "A variable or label spelt with other capitals than where it is declared or defined.",
    docs: "## What it does\nReports a use of a variable or label whose capitals differ from its declaration or \
definition (once per spelling).\n\n## Why is this bad?\nNames are case-insensitive, so the script works, but `nTries` and `ntries` read \
as two variables.\n\n## Example\n```\ninteger nTries = 3\nntries = ntries - 1\n```\n\n## Use instead\nSpell it as \
declared.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &cx.sema.procs {
        let mut seen = HashSet::new();
        for (used, decl) in &p.case_mismatches {
            if seen.insert(used.name.clone()) {
                // Variables are declared, labels defined; say which, so that the message
                // reads right for `goto done` as well as for `ntries = 0`.
                let is_label = p.label(decl).is_some_and(|l| std::ptr::eq(l.ident, *decl));
                let (verb, where_) = if is_label {
                    ("defined", "defined here")
                } else {
                    ("declared", "declared here")
                };
                out.push(
                    cx.diag(
                        &RULE,
                        used.span,
                        format!(
                            "`{}` is spelt `{}` where it is {verb}",
                            used.name, decl.name
                        ),
                    )
                    .with_label("other capitals")
                    .with_related(decl.span, where_)
                    .with_help(format!("write `{}`", decl.name)),
                );
            }
        }
    }
}
