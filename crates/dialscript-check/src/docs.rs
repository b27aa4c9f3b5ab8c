//! The reference page of every diagnostic code, `docs/rules.md`, generated from the rule table
//! and the syntax codes so that it cannot drift from what `dialscript explain` prints.
//!
//! A test in the workspace's test package compares the committed page with
//! [`rules_markdown`] and rewrites it when `UPDATE_DOCS=1` is set.

use std::fmt::Write as _;

use dialscript_syntax::codes::SYNTAX_CODES;
use dialscript_syntax::diagnostic::{Code, Severity};

use crate::registry::RULES;

/// One code as the page shows it, whether it comes from the parser or from a rule.
struct Entry {
    code: Code,
    severity: Severity,
    summary: &'static str,
    page: &'static str,
}

/// The groups of the page, in code order: (heading, code prefix, what the group is).
const GROUPS: &[(&str, &str, &str)] = &[
    (
        "Syntax errors",
        "DS0",
        "The parser reports these. They are always on: a script with a syntax error does not run.",
    ),
    (
        "Semantic errors",
        "DS1",
        "Mistakes that stop a script from compiling: names, labels and types. The VM refuses a \
         script that has any of them.",
    ),
    (
        "Lints",
        "DS2",
        "Patterns that run, but probably not as intended, or that can leave the modem port in \
         use.",
    ),
];

/// The whole page, Markdown, ending in one newline.
pub fn rules_markdown() -> String {
    let entries: Vec<Entry> = SYNTAX_CODES
        .iter()
        .map(|d| Entry {
            code: d.code,
            severity: d.severity,
            summary: d.summary,
            page: d.explanation,
        })
        .chain(RULES.iter().map(|r| Entry {
            code: r.code,
            severity: r.severity,
            summary: r.summary,
            page: r.docs,
        }))
        .collect();

    let mut out = String::new();
    out.push_str("# Diagnostic codes\n\n");
    out.push_str(
        "<!-- Generated from the rule table and the syntax codes by \
         `dialscript_check::docs::rules_markdown`. Do not edit by hand: run \
         `UPDATE_DOCS=1 cargo test -p dialscript-tests --test check_rules`. -->\n\n",
    );
    out.push_str(
        "Every diagnostic has a stable code and a kebab-case name; `dialscript explain CODE` \
         (or `NAME`) prints the same page as below. Codes are never renumbered or reused.\n\n\
         Rules (DS1xx and DS2xx) can be selected, ignored or given another severity in \
         `dialscript.toml`, and silenced where they fire with a comment: \
         `; dialscript: allow(NAME)` at the end of the line, the same comment alone on a line \
         for the next line that holds code, or `; dialscript: allow-file(NAME)` for the whole \
         file. Codes work in place of names. A suppression \
         that silences nothing is itself reported (DS215). `dialscript check \
         --add-suppressions` writes one for every finding, to start checking scripts that \
         have findings today.\n\n",
    );

    out.push_str("| Code | Name | Default severity | Summary |\n|---|---|---|---|\n");
    for e in &entries {
        let _ = writeln!(
            out,
            "| [{}](#{}) | `{}` | {} | {} |",
            e.code.code,
            anchor(e.code),
            e.code.name,
            e.severity.as_str(),
            e.summary.replace('|', "\\|"),
        );
    }

    for (heading, prefix, about) in GROUPS {
        let _ = write!(out, "\n## {heading}\n\n{about}\n");
        for e in entries.iter().filter(|e| e.code.code.starts_with(prefix)) {
            let _ = write!(
                out,
                "\n### {} `{}`\n\nDefault severity: {}. {}\n\n{}\n",
                e.code.code,
                e.code.name,
                e.severity.as_str(),
                e.summary,
                demote(e.page.trim_end()),
            );
        }
    }
    out
}

/// The anchor a Markdown renderer such as GitHub's gives the heading `### DS201
/// `waitfor-without-until``: lowercase, backticks dropped, the space a hyphen.
fn anchor(code: Code) -> String {
    format!("{}-{}", code.code.to_ascii_lowercase(), code.name)
}

/// Moves the `## ` headings of a code's page two levels down, so that they sit below the
/// code's own `### ` heading. Lines inside code blocks are left alone.
fn demote(page: &str) -> String {
    let mut out = String::with_capacity(page.len() + 32);
    let mut in_code = false;
    for line in page.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.starts_with('#') {
            out.push_str("##");
        }
        out.push_str(line);
        out.push('\n');
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_move_down_outside_code_only() {
        assert_eq!(
            demote("## What it does\nx\n```\n## not a heading\n```\n## Example"),
            "#### What it does\nx\n```\n## not a heading\n```\n#### Example"
        );
    }

    #[test]
    fn every_code_has_a_section_and_a_table_row() {
        let page = rules_markdown();
        for r in RULES {
            let anchor = anchor(r.code);
            assert!(page.contains(&format!("](#{anchor})")), "{anchor}");
            assert!(
                page.contains(&format!("\n### {} `{}`\n", r.code.code, r.code.name)),
                "{anchor}"
            );
        }
        for d in SYNTAX_CODES {
            assert!(page.contains(&format!("\n### {} `{}`\n", d.code.code, d.code.name)));
        }
        assert!(page.ends_with('\n') && !page.ends_with("\n\n"));
    }
}
