//! DS218 `getip-result-unused`.

use dialscript_syntax::ast::StmtKind;
use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS218
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS218",
        name: "getip-result-unused",
    },
    severity: Severity::Warning,
    summary: "`getip` used as a statement: the address it reads is thrown away.",
    docs: "## What it does\nReports `getip` standing alone.\n\n## Why is this bad?\n`getip` reads an address and \
returns it; on its own line it only consumes the address from the input.\n\n## Example\n```\ngetip 2\n```\n\n\
## Use instead\n`set ipaddr getip 2`, or `szAddress = getip 2`.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for s in cx.sema.procs.iter().flat_map(|p| &p.getip_stmts) {
        if let StmtKind::Getip(_) = s.kind {
            out.push(
                cx.diag(&RULE, s.span, "the address `getip` reads is thrown away")
                    .with_label("result unused")
                    .with_help("use it: `set ipaddr getip`, or assign it to a string variable"),
            );
        }
    }
}
