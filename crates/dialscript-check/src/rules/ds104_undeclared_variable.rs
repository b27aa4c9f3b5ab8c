//! DS104 `undeclared-variable`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS104
pub static RULE: Rule = Rule {
    code: Code { code: "DS104", name: "undeclared-variable" },
    severity: Severity::Error,
    summary: "A variable is used where it is not declared (or before its declaration).",
    docs: "## What it does\nReports a name used as a variable that no declaration before it in the procedure \
introduces.\n\n## Why is this bad?\nEvery variable must be declared with its type (`integer`, `string`, `boolean`) \
before use; the script does not compile otherwise.\n\n## Example\n```\nproc main\n   nTries = 3\nendproc\n```\n\n\
## Use instead\n```\nproc main\n   integer nTries = 3\nendproc\n```",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for p in &cx.sema.procs {
        for u in &p.undeclared {
            let d = match u.declared_later {
                Some(decl) => cx
                    .diag(&RULE, u.ident.span, format!("`{}` is used before its declaration", u.ident.name))
                    .with_label("used here")
                    .with_related(decl, "declared later here")
                    .with_help("move the declaration to the top of the procedure"),
                None => {
                    let d = cx.diag(&RULE, u.ident.span, format!("`{}` is not declared", u.ident.name)).with_label("undeclared");
                    match &u.suggestion {
                        Some(s) => d.with_help(format!("did you mean `{s}`?")),
                        None => d.with_help(format!("declare it first, for example `string {} = \"\"`", u.ident.name)),
                    }
                }
            };
            out.push(d);
        }
    }
}
