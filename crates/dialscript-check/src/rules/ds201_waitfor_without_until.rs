//! DS201 `waitfor-without-until`.

use dialscript_syntax::ast::StmtKind;
use dialscript_syntax::diagnostic::{Applicability, Code, Diagnostic, Edit, Fix, Severity, Text};
use dialscript_syntax::span::Span;

use crate::DEFAULT_FIX_UNTIL;
use crate::rule::{Context, Rule};

// The fixed texts below spell the default out.
const _: () = assert!(DEFAULT_FIX_UNTIL == 30);

/// DS201
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS201",
        name: "waitfor-without-until",
    },
    severity: Severity::Warning,
    summary: "A `waitfor` without `until` can wait forever.",
    docs: "## What it does\nReports every `waitfor` that has no `until` timeout.\n\n## Why is this bad?\nWithout \
`until` the script waits until the text arrives, however long that is. When the ISP stops answering, the script \
never ends and the modem port stays in use: Microsoft KB Q175410 describes Exchange's Internet Mail Service left \
unable to dial until the server was rebooted (RAS error 633, \"the port is already in use\").\n\n## Example\n```\n\
waitfor \"sername:\"\ntransmit $USERID, raw\n```\n\n## Use instead\n```\nwaitfor \"sername:\" until 60\n\
if $SUCCESS then\n   transmit $USERID, raw\nendif\n```\n\n## Fix safety\n`--unsafe-fixes` adds `until 30` (the \
value is the `unsafe-fix-until` setting). It changes what the script does when the text never comes, and the \
script should then test `$SUCCESS`, so it is not applied by `--fix` alone.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for s in cx.sema.procs.iter().flat_map(|p| &p.stmts) {
        let StmtKind::Waitfor { until: None, .. } = &s.kind else {
            continue;
        };
        let seconds = cx.options.unsafe_fix_until;
        // Nearly every script that has this finding has it with the default timeout: its
        // texts are fixed, and only another value is formatted.
        let (message, replacement) = if seconds == DEFAULT_FIX_UNTIL {
            (Text::Borrowed("add `until 30`"), b" until 30".to_vec())
        } else {
            (
                Text::Owned(format!("add `until {seconds}`")),
                format!(" until {seconds}").into_bytes(),
            )
        };
        out.push(
            cx.diag(&RULE, s.span, "`waitfor` without `until` can wait forever")
                .with_label("no timeout")
                .with_help("add `until SECONDS` and test `$SUCCESS` afterwards")
                .with_fix(Fix {
                    message,
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        span: Span::empty(s.span.end),
                        replacement,
                    }],
                }),
        );
    }
}
