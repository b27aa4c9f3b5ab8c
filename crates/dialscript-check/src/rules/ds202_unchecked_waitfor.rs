//! DS202 `unchecked-waitfor`.

use dialscript_syntax::ast::StmtKind;
use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::cfg::{EdgeKind, Op};
use crate::rule::{Context, Rule};
use crate::semantic::{reads_success, stmt_exprs};

/// DS202
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS202",
        name: "unchecked-waitfor",
    },
    severity: Severity::Warning,
    summary: "After a `waitfor ... until`, the script goes on without testing `$SUCCESS`.",
    docs: "## What it does\nFollows every path from a `waitfor` with `until` and reports it when, before the script \
tests `$SUCCESS` or `$FAILURE`, a path transmits, waits again or reaches `endproc` (success). A `waitfor` whose \
every string has `then LABEL` counts as checked: its fall-through is the timeout.\n\n## Why is this bad?\nA \
`waitfor` that times out sets `$SUCCESS` to `FALSE` and goes on with the next command. Sending the password to a \
prompt that never came, or ending `main` as if logged in, hides the failure until PPP fails in an obscure way. \
Microsoft's fix for KB Q175410 was both halves: an `until` on every `waitfor`, and a test of `$SUCCESS` after \
it.\n\n## Example\n```\nwaitfor \"assword:\" until 60\ntransmit $PASSWORD, raw\n```\n\n## Use instead\n```\n\
waitfor \"assword:\" until 60\nif $SUCCESS then\n   transmit $PASSWORD, raw\nendif\n```",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((_, cfg)) = cx.main_proc() else {
        return;
    };
    // One search per `waitfor`, sharing the marks: a node counts as seen in this search when
    // its mark is the search's number, so nothing needs clearing between searches.
    let mut seen = vec![0u32; cfg.nodes.len()];
    let mut search = 0u32;
    let mut queue = std::collections::VecDeque::with_capacity(cfg.nodes.len());
    for (w, node) in cfg.nodes.iter().enumerate() {
        let Op::Wait(stmt) = node.op else { continue };
        let StmtKind::Waitfor {
            cases,
            until: Some(_),
        } = &stmt.kind
        else {
            continue;
        };
        if !cfg.reachable[w] || cases.iter().all(|c| c.target.is_some()) {
            continue;
        }
        // Breadth first, so the reported statement is the nearest one.
        search += 1;
        queue.clear();
        for e in &node.succ {
            if e.kind == EdgeKind::Fallthrough {
                queue.push_back(e.to);
            }
        }
        let mut offender = None;
        while let Some(v) = queue.pop_front() {
            if seen[v] == search {
                continue;
            }
            seen[v] = search;
            let op = cfg.nodes[v].op;
            let mut tests = false;
            if let Some(s) = op.stmt()
                && !matches!(op, Op::EndIf(_) | Op::EndWhile(_))
            {
                stmt_exprs(s, &mut |e| tests |= reads_success(e));
            }
            let getip = cfg.nodes[v].calls_getip();
            if tests {
                continue;
            }
            let bad = match op {
                Op::Exit | Op::Wait(_) => true,
                Op::Stmt(s) => getip || matches!(s.kind, StmtKind::Transmit { .. }),
                Op::Halt(_) => false,
                _ => false,
            };
            if bad {
                offender = Some(v);
                break;
            }
            queue.extend(cfg.nodes[v].succ.iter().map(|e| e.to));
        }
        let Some(v) = offender else { continue };
        let d = cx
            .diag(
                &RULE,
                stmt.span,
                "the result of this `waitfor` is not checked",
            )
            .with_label("if this times out...")
            .with_help(
                "test `if $SUCCESS then ... endif` (or `$FAILURE`) right after the `waitfor`",
            );
        let d = match cfg.nodes[v].op {
            Op::Exit => {
                let end = cx.script.main().and_then(|p| p.end).unwrap_or(stmt.span);
                d.with_related(end, "...the script still ends here as if logged in")
            }
            Op::Wait(s) => d.with_related(s.span, "...it waits for the next prompt anyway"),
            op => match op.stmt() {
                Some(s) => d.with_related(s.span, "...it still sends this"),
                None => d,
            },
        };
        out.push(d);
    }
}
