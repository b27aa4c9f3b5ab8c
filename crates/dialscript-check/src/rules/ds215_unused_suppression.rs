//! DS215 `unused-suppression`. Reported by the suppression pass (`crate::suppress`), which is
//! the only place that knows which suppressions were used.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};

/// DS215
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS215",
        name: "unused-suppression",
    },
    severity: Severity::Warning,
    summary: "A `; dialscript: allow(...)` comment that suppresses nothing, or names no rule.",
    docs: "## What it does\nReports each code or name in an `allow(...)` or `allow-file(...)` comment that \
suppressed no diagnostic, or that is not a code or name at all.\n\n## Why is this bad?\nA stale suppression hides \
the next real problem on that line; a misspelt one suppresses nothing while looking as if it did.\n\n## Example\n\
```\nwaitfor \"ogin:\" until 30 ; dialscript: allow(DS201)\n```\n\n## Use instead\nRemove the comment. \
The suppressions `check --add-suppressions` writes, to start checking scripts with findings, are meant to go \
this way one by one, as the problems they cover are fixed.",
    check,
};

fn check(_: &Context<'_>, _: &mut Vec<Diagnostic>) {}
