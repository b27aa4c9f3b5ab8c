//! DS214 `credential-sent-blind`.

use dialscript_syntax::ast::{StmtKind, SysVar};
use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::cfg::Op;
use crate::rule::{Context, Rule};
use crate::semantic::mentions;

/// DS214
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS214",
        name: "credential-sent-blind",
    },
    severity: Severity::Warning,
    summary: "`$PASSWORD` is transmitted on a path where no `waitfor` came before.",
    docs: "## What it does\nReports `transmit` of `$PASSWORD` when some path from the start of `main` reaches it \
without any `waitfor`.\n\n## Why is this bad?\nThe password goes out before the remote side asked for it: into a \
modem still dialling, a login banner, or a user-name field where the next host echoes it in clear.\n\n## Example\n\
```\ntransmit $USERID, raw\ntransmit \"^M\"\ntransmit $PASSWORD, raw\n```\n\n## Use instead\n```\ntransmit \
$USERID, raw\ntransmit \"^M\"\nwaitfor \"assword:\" until 30\nif $SUCCESS then\n   transmit $PASSWORD, raw\nendif\n```",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((_, cfg)) = cx.main_proc() else {
        return;
    };
    // A node is reached blind when some path from the entry gets there without passing a
    // `waitfor`: the nodes a search from the entry finds when it does not go on past
    // `waitfor` nodes. (This is the "a waitfor came on every path" must-analysis, solved as
    // plain reachability.)
    let mut blind = vec![false; cfg.nodes.len()];
    let mut stack = vec![0];
    while let Some(v) = stack.pop() {
        if v >= blind.len() || blind[v] {
            continue;
        }
        blind[v] = true;
        if !matches!(cfg.nodes[v].op, Op::Wait(_)) {
            stack.extend(cfg.nodes[v].succ.iter().map(|e| e.to));
        }
    }
    for (v, node) in cfg.nodes.iter().enumerate() {
        let Op::Stmt(s) = node.op else { continue };
        let StmtKind::Transmit { value, .. } = &s.kind else {
            continue;
        };
        if blind[v] && mentions(value, SysVar::Password) {
            out.push(
                cx.diag(
                    &RULE,
                    s.span,
                    "`$PASSWORD` is sent before anything was received",
                )
                .with_label("no `waitfor` before this on some path")
                .with_help("wait for the password prompt first: `waitfor \"assword:\" until 30`"),
            );
        }
    }
}
