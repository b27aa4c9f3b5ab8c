//! DS214 `credential-sent-blind`.

use dialscript_syntax::ast::{StmtKind, SysVar};
use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::cfg::Op;
use crate::flow::forward;
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
    // The fact is "a waitfor came on every path so far"; false is the smaller, so the meet of
    // two paths is false as soon as one has not waited.
    let states = forward(cfg, false, true, &|v, state, _| {
        state || matches!(cfg.nodes[v].op, Op::Wait(_))
    });
    for (v, node) in cfg.nodes.iter().enumerate() {
        let Op::Stmt(s) = node.op else { continue };
        let StmtKind::Transmit { value, .. } = &s.kind else {
            continue;
        };
        if cfg.reachable[v] && !states[v] && mentions(value, SysVar::Password) {
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
