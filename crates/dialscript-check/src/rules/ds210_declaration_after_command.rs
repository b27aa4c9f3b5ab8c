//! DS210 `declaration-after-command`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS210
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS210",
        name: "declaration-after-command",
    },
    severity: Severity::Warning,
    summary: "A declaration after the first command of its procedure, or inside a block.",
    docs: "## What it does\nReports declarations that are not at the top of their procedure.\n\n## Why is this \
bad?\nThe documentation says \"you must declare variables before you add commands\"; the original scripter \
rejected scripts that did not. dialscript runs the initialiser where the declaration stands, which is rarely \
what was meant inside a loop.\n\n## Example\n```\nproc main\n   transmit \"^M\"\n   integer nTries = 3\nendproc\n\
```\n\n## Use instead\n```\nproc main\n   integer nTries = 3\n   transmit \"^M\"\nendproc\n```",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &cx.sema.procs {
        for (s, in_block) in &p.late_decls {
            let (message, label) = if *in_block {
                (
                    "declaration inside a block",
                    "it runs again each time the block does",
                )
            } else {
                (
                    "declaration after the first command",
                    "declarations must come first",
                )
            };
            out.push(
                cx.diag(&RULE, s.span, message)
                    .with_label(label)
                    .with_help("move it to the top of the procedure"),
            );
        }
    }
}
