//! DS207 `spin-loop`.

use dialscript_syntax::ast::StmtKind;
use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::cfg::Op;
use crate::flow::{counted_loop, has_cycle, is_cyclic, sccs};
use crate::rule::{Context, Rule};
use crate::rules::head_span;

/// DS207
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS207",
        name: "spin-loop",
    },
    severity: Severity::Warning,
    summary: "A loop that can go round forever without waiting.",
    docs: "## What it does\nReports a loop of `main` (a `while`, or labels and `goto`s) with a path around it that \
never waits (no `waitfor`, `delay` or `getip` on it) and that no counter bounds.\n\n## Why is this bad?\nSuch a \
loop burns the CPU as fast as it can, for ever, and keeps the port in use; on a 1995 machine it froze the whole \
dial-up session. A loop that counts (`while n > 0 do ... n = n - 1 endwhile`) ends and is not reported.\n\n## \
Example\n```\nAgain:\n   transmit \"^M\"\n   goto Again\n```\n\n## Use instead\n```\nAgain:\n   transmit \"^M\"\n\
   waitfor \"ogin:\" then Login until 5\n   goto Again\n```",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((info, cfg, flow)) = cx.main_flow() else {
        return;
    };
    // A cycle that never waits lies inside a loop of the whole graph: only those nodes are
    // looked at (most scripts have no loop at all).
    // Without a backward edge there is no loop at all.
    if !cfg.backward {
        return;
    }
    let keep = |v: usize| flow.in_loop(v) && !cfg.nodes[v].waits();
    // Most loops wait on every way round: peeling the nodes that do not wait shows that
    // without a component search.
    if !has_cycle(cfg, &keep) {
        return;
    }
    for comp in sccs(cfg, &keep).iter() {
        if !is_cyclic(cfg, comp) || counted_loop(cfg, info, comp).is_some() {
            continue;
        }
        // Name the loop by its `while` when it has one, else by its first statement.
        let head = comp
            .iter()
            .find(|&&v| matches!(cfg.nodes[v].op, Op::LoopHead(..)))
            .or_else(|| comp.iter().find(|&&v| cfg.nodes[v].op.is_statement()))
            .or(comp.first());
        let Some(span) = head.and_then(|&v| head_span(&cfg.nodes[v].op)) else {
            continue;
        };
        let mut d = cx
            .diag(
                &RULE,
                span,
                "this loop can go round forever without waiting",
            )
            .with_label("a path around the loop has no `waitfor`, `delay` or `getip`")
            .with_help(
                "wait inside the loop (`waitfor ... until`, `delay`), or bound it with a counter",
            );
        // Point at the jump that closes the loop: the `goto`, or the `endwhile` keyword.
        let back = comp.iter().find_map(|&v| match cfg.nodes[v].op {
            Op::Goto(s) => Some(s.span),
            Op::EndWhile(w) => match &w.kind {
                StmtKind::While { end: Some(end), .. } => Some(*end),
                _ => None,
            },
            _ => None,
        });
        if let Some(back) = back
            && back != span
        {
            d = d.with_related(back, "the loop goes round here");
        }
        out.push(d);
    }
}
