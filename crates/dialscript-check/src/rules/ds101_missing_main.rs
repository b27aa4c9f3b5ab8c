//! DS101 `missing-main`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};
use dialscript_syntax::span::Span;

use crate::rule::{Context, Rule};

/// DS101
pub static RULE: Rule = Rule {
    code: Code { code: "DS101", name: "missing-main" },
    severity: Severity::Error,
    summary: "The script has no `proc main`.",
    docs: "## What it does\nReports a script without a procedure named `main`.\n\n\
## Why is this bad?\nExecution starts at the first statement of `main`; without it Dial-Up Networking has \
nothing to run and the connection fails.\n\n## Example\n```\nproc login\n   transmit \"^M\"\nendproc\n```\n\n\
## Use instead\n```\nproc main\n   transmit \"^M\"\nendproc\n```",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if cx.sema.main.is_some() {
        return;
    }
    let mut d = match cx.script.procs.first() {
        Some(p) => cx
            .diag(&RULE, p.name.span, "the script has no `proc main`")
            .with_label("execution starts in `main`, not here"),
        None => cx.diag(&RULE, Span::empty(0), "the script has no `proc main`").with_label("no procedure at all"),
    };
    d = d.with_help(match cx.script.procs.first() {
        Some(p) if !p.name.name.is_empty() => format!("rename `proc {}` to `proc main`, or add `proc main ... endproc`", p.name.name),
        _ => "add `proc main ... endproc`".to_string(),
    });
    out.push(d);
}
