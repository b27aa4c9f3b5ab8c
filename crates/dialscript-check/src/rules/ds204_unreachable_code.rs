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
    // Most scripts reach every statement (the exit, after a final `halt`, is no statement).
    if !cfg.reachable[..cfg.exit()].contains(&false) {
        return;
    }
    let mut run: Option<(usize, usize)> = None;
    let mut flush = |run: &mut Option<(usize, usize)>| {
        if let Some((first, last)) = run.take() {
            let (Some(a), Some(b)) = (cfg.nodes[first].op.stmt(), cfg.nodes[last].op.stmt()) else {
                return;
            };
            // The primary span is the run itself: the text a person would delete.
            let label = if first == last {
                "this statement never runs"
            } else {
                "these statements never run"
            };
            out.push(
                cx.diag(&RULE, a.span.to(b.span), "unreachable code")
                    .with_label(label)
                    .with_help("remove it, or add a label so that a `goto` can reach it"),
            );
        }
    };
    for (i, node) in cfg.nodes.iter().enumerate() {
        if cfg.reachable[i] {
            flush(&mut run);
            continue;
        }
        // A block's end belongs to a run only when the whole block is in it; the end of a
        // block whose test runs (`halt` before `endif`, the body of `if FALSE`) is not code a
        // person would remove, and must not stretch the run over the test. The exit is not a
        // statement either.
        if !node.op.is_statement() {
            if let Some((first, _)) = run
                && let (Some(block), Some(start)) = (node.op.stmt(), cfg.nodes[first].op.stmt())
                && block.span.start >= start.span.start
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
