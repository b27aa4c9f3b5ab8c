//! DS203 `credential-without-raw`.

use dialscript_syntax::ast::{ExprKind, StmtKind, SysVar};
use dialscript_syntax::diagnostic::{Applicability, Code, Diagnostic, Edit, Fix, Severity};
use dialscript_syntax::span::Span;

use crate::rule::{Context, Rule};
use crate::semantic::{any_expr, mentions};

/// DS203
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS203",
        name: "credential-without-raw",
    },
    severity: Severity::Warning,
    summary: "`$USERID` or `$PASSWORD` is transmitted without `, raw`.",
    docs: "## What it does\nReports `transmit` statements whose value contains `$USERID` or `$PASSWORD` and that \
lack `, raw`.\n\n## Why is this bad?\nWithout `raw`, `transmit` translates `^` and `<cr>` sequences and \
backslash escapes. A password such as `ab^Mcd` or `x\\\\y` is then sent as other bytes than the user typed, and the \
login fails for no visible reason. `raw` exists for exactly this case.\n\n## Example\n```\ntransmit $PASSWORD\n\
transmit \"^M\"\n```\n\n## Use instead\n```\ntransmit $PASSWORD, raw\ntransmit \"^M\"\n```\n\n## Fix safety\n\
`--fix` adds `, raw` when nothing else in the value has escapes (then only the credential's bytes change). When \
the value also holds a literal like `\"^M\"`, adding `raw` would send `^M` as two characters, so there is no fix: \
send the credential and the line end in two `transmit`s.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for s in cx.sema.procs.iter().flat_map(|p| &p.stmts) {
        let StmtKind::Transmit { value, raw: false } = &s.kind else {
            continue;
        };
        // The texts are spelled out for both variables so that no finding formats them.
        let (message, split) = if mentions(value, SysVar::Password) {
            (
                "`$PASSWORD` is transmitted without `, raw`",
                "send it on its own with `transmit $PASSWORD, raw` and the rest in a second `transmit`",
            )
        } else if mentions(value, SysVar::UserId) {
            (
                "`$USERID` is transmitted without `, raw`",
                "send it on its own with `transmit $USERID, raw` and the rest in a second `transmit`",
            )
        } else {
            continue;
        };
        // Adding `raw` is safe only when every literal in the value means the same raw.
        let literals_plain = !any_expr(
            value,
            &|e| matches!(&e.kind, ExprKind::Str(raw) if dialscript_syntax::translate(raw) != raw.as_slice()),
        );
        let d = cx
            .diag(&RULE, value.span, message)
            .with_label("escape sequences in it would be translated");
        out.push(if literals_plain {
            d.with_help("add `, raw` so the credential is sent exactly as typed")
                .with_fix(Fix {
                    message: "add `, raw`".into(),
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        span: Span::empty(value.span.end),
                        replacement: b", raw".to_vec(),
                    }],
                })
        } else {
            d.with_help(split)
        });
    }
}
