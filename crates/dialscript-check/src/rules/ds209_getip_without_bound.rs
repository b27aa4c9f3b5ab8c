//! DS209 `getip-without-bound`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::cfg::Op;
use crate::flow::{GUARD_SAFE, GUARD_UNTESTED};
use crate::rule::{Context, Rule};
use crate::semantic::{has_getip, stmt_exprs};

/// DS209
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS209",
        name: "getip-without-bound",
    },
    severity: Severity::Warning,
    summary: "`getip` is not preceded on every path by a `waitfor ... until` whose success was tested.",
    docs: "## What it does\nReports `getip` unless every path to it passes a `waitfor` with `until` (for the \
address announcement) and then a test that it succeeded: `if $SUCCESS then`, `if $FAILURE then ... endif` with \
the `getip` after it, or a `then` label of the `waitfor`.\n\n## Why is this bad?\n`getip` has no timeout of its \
own: it waits until an IP address arrives. If the ISP never announces one, the script hangs with the port in use. \
Waiting for the announcement with a timeout first makes sure the address is on its way (or already in the \
buffer).\n\n## Example\n```\nset ipaddr getip\n```\n\n## Use instead\n```\nwaitfor \"Your address is\" until 30\n\
if $SUCCESS then\n   set ipaddr getip\nendif\n```",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((_, cfg, flow)) = cx.main_flow() else {
        return;
    };
    for (v, node) in cfg.nodes.iter().enumerate() {
        if !node.calls_getip()
            || !cfg.reachable[v]
            || flow.guard(v) == GUARD_SAFE
            || matches!(node.op, Op::EndIf(_) | Op::EndWhile(_))
        {
            continue;
        }
        let Some(s) = node.op.stmt() else { continue };
        let mut getip = None;
        stmt_exprs(s, &mut |e| {
            if getip.is_none() && has_getip(e) {
                getip = Some(find_getip(e));
            }
        });
        // A `getip` statement of its own has no expression that holds the call.
        let span = getip.unwrap_or(s.span);
        let why = if flow.guard(v) == GUARD_UNTESTED {
            "the `waitfor` before it may have timed out: test `$SUCCESS` first"
        } else {
            "wait for the address announcement with `waitfor \"...\" until SECONDS` and test `$SUCCESS` first"
        };
        out.push(
            cx.diag(&RULE, span, "`getip` can wait for ever")
                .with_label("no timeout of its own")
                .with_help(why),
        );
    }
}

fn find_getip(e: &dialscript_syntax::ast::Expr) -> dialscript_syntax::Span {
    use dialscript_syntax::ast::ExprKind;
    match &e.kind {
        ExprKind::Getip(_) => e.span,
        ExprKind::Unary(_, x) | ExprKind::Paren(x) => find_getip(x),
        ExprKind::Binary(_, operands) => {
            let (l, r) = &**operands;
            if has_getip(l) {
                find_getip(l)
            } else {
                find_getip(r)
            }
        }
        _ => e.span,
    }
}
