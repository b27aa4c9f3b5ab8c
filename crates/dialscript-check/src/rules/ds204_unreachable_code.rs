//! DS204 `unreachable-code`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS204
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS204",
        name: "unreachable-code",
    },
    severity: Severity::Warning,
    summary: "Statements of `main` that no path reaches.",
    docs: "## What it does\nReports statements of `main` that cannot run: after a `goto` or `halt` with no label \
leading back, after a `while TRUE` loop nothing leaves, inside `if FALSE`. One report per run of such \
statements.\n\n## Why is this bad?\nDead code is usually a misplaced label or a forgotten `goto`, and the login \
step it holds never happens.\n\n## Example\n```\ngoto Done\ntransmit \"ppp^M\"\nDone:\n```\n\n## Use instead\n\
Remove the dead statements, or add the label that should lead to them.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((_, cfg)) = cx.main_proc() else {
        return;
    };
    let mut run: Option<(usize, usize)> = None;
    let mut flush = |run: &mut Option<(usize, usize)>| {
        if let Some((first, last)) = run.take() {
            let (Some(a), Some(b)) = (cfg.nodes[first].op.stmt(), cfg.nodes[last].op.stmt()) else {
                return;
            };
            let span = a.span.to(b.span);
            let more = if first == last {
                "this statement never runs"
            } else {
                "these statements never run"
            };
            out.push(
                cx.diag(&RULE, a.span, "unreachable code")
                    .with_label(more)
                    .with_related(span, "unreachable from here to here")
                    .with_help("remove it, or add a label so that a `goto` can reach it"),
            );
        }
    };
    for (i, node) in cfg.nodes.iter().enumerate() {
        if cfg.reachable[i] {
            flush(&mut run);
            continue;
        }
        // A statement inside an unreachable block belongs to that block's report; block ends
        // and the exit are not statements a person would remove.
        if !node.op.is_statement() {
            if let Some((first, _)) = run
                && node.op.stmt().is_some()
            {
                run = Some((first, i));
            }
            continue;
        }
        run = Some(match run {
            Some((first, _)) => (first, i),
            None => (i, i),
        });
    }
    flush(&mut run);
}
