//! Every checker rule on its own fixture, rendered as a user sees it, and the rule table's
//! documentation.
//!
//! `tests/fixtures/check/<CODE>-<name>.scp` holds, for each rule, a small script with lines
//! that trigger the rule and near-miss lines, marked `; near miss`, that look alike but must
//! not. The whole checker runs on each fixture with default options; the diagnostics of the
//! fixture's own rule are rendered with `render::human` (no colour, 80 columns) and
//! snapshotted.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test -p dialscript-tests --test
//! check_rules`, then read every changed `.snap` file before committing it. `docs/rules.md`
//! is generated from the rule table; `UPDATE_DOCS=1` with the same command rewrites it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dialscript_check::{Options, RULES, Rule, check};
use dialscript_cli::render;
use dialscript_syntax::{Diagnostic, SourceFile, parse};
use dialscript_tests::{fixture, root};

/// The command that regenerates `docs/rules.md`, quoted in the failure message.
const UPDATE_DOCS: &str = "UPDATE_DOCS=1 cargo test -p dialscript-tests --test check_rules";

/// The path of `path` relative to the repository root, with `/` separators, so that the
/// name shown in snapshots is the same on every machine and system.
fn repo_name(path: &Path) -> String {
    let root = root().canonicalize().expect("the repository root exists");
    let path = path.canonicalize().expect("the fixture exists");
    let rel = path
        .strip_prefix(&root)
        .expect("fixtures live inside the repository");
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every rule fixture, in name order.
fn fixtures() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixture("check"))
        .expect("the rule fixtures folder exists")
        .map(|e| e.expect("directory entry is readable").path())
        .filter(|p| p.extension().is_some_and(|x| x == "scp"))
        .collect();
    paths.sort();
    paths
}

/// The rule a fixture is about, from its name: `DS201-waitfor-without-until.scp` is DS201,
/// and the name after the code must be the rule's name.
fn rule_of(path: &Path) -> &'static Rule {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_else(|| panic!("{} has no usable name", path.display()));
    let (code, name) = stem
        .split_once('-')
        .unwrap_or_else(|| panic!("{stem}.scp is not named `<CODE>-<name>.scp`"));
    let rule = RULES
        .iter()
        .copied()
        .find(|r| r.code.code == code)
        .unwrap_or_else(|| panic!("{stem}.scp names {code}, which is not a rule"));
    assert_eq!(
        rule.code.name, name,
        "{stem}.scp should be named after its rule's name"
    );
    rule
}

/// Checks a fixture with default options. Returns it as a `SourceFile` named by its
/// repository path, with all its diagnostics, syntax ones included.
fn load(path: &Path) -> (SourceFile, Vec<Diagnostic>) {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let parse = parse(&bytes);
    let checked = check(&parse, &bytes, &Options::default());
    (SourceFile::new(repo_name(path), bytes), checked.diagnostics)
}

/// Whether a diagnostic comes from the parser (DS001–DS099).
fn is_syntax(d: &Diagnostic) -> bool {
    d.code.is_syntax()
}

#[test]
fn rules() {
    insta::glob!("fixtures/check/*.scp", |path| {
        let rule = rule_of(path);
        let (file, diags) = load(path);
        let syntax: Vec<Diagnostic> = diags.iter().filter(|d| is_syntax(d)).cloned().collect();
        assert!(
            syntax.is_empty(),
            "{} has syntax errors:\n{}",
            file.name(),
            render::concise(&file, &syntax)
        );
        let own: Vec<Diagnostic> = diags.into_iter().filter(|d| d.code == rule.code).collect();
        assert!(
            !own.is_empty(),
            "{} does not trigger {} {}",
            file.name(),
            rule.code.code,
            rule.code.name
        );
        insta::assert_snapshot!(render::human(&file, &own, false, 80));
    });
}

#[test]
fn every_rule_has_a_fixture() {
    let covered: BTreeSet<&str> = fixtures().iter().map(|p| rule_of(p).code.code).collect();
    for r in RULES {
        assert!(
            covered.contains(r.code.code),
            "{} ({}) has no fixture tests/fixtures/check/{}-{}.scp",
            r.code.code,
            r.code.name,
            r.code.code,
            r.code.name
        );
    }
}

#[test]
fn fixtures_have_no_syntax_errors() {
    for path in fixtures() {
        let (file, diags) = load(&path);
        let syntax: Vec<Diagnostic> = diags.into_iter().filter(is_syntax).collect();
        assert!(
            syntax.is_empty(),
            "{} has syntax errors:\n{}",
            file.name(),
            render::concise(&file, &syntax)
        );
    }
}

#[test]
fn near_misses_do_not_trigger_their_rule() {
    // A line whose comment says `; near miss` looks like a trigger but is fine; a diagnostic
    // of the fixture's rule starting on it means the rule misfires.
    for path in fixtures() {
        let rule = rule_of(&path);
        let (file, diags) = load(&path);
        let text = String::from_utf8_lossy(file.bytes()).into_owned();
        let near_miss_lines: BTreeSet<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("; near miss"))
            .map(|(n, _)| n + 1)
            .collect();
        assert!(
            !near_miss_lines.is_empty(),
            "{} has no line marked `; near miss`",
            file.name()
        );
        for d in diags.iter().filter(|d| d.code == rule.code) {
            let (line, _) = file.line_col(d.span.start);
            assert!(
                !near_miss_lines.contains(&line),
                "{}:{line}: a near-miss line gives {} {}",
                file.name(),
                d.code.code,
                d.message
            );
        }
    }
}

/// Whether a summary is one sentence: it starts with a capital letter or a code span, ends
/// with a period, and has no other sentence end or line break outside code spans.
fn is_one_sentence(summary: &str) -> bool {
    let prose: String = summary
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, part)| part)
        .collect::<Vec<_>>()
        .join("x");
    let starts_well = summary
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '`');
    let body = prose.strip_suffix('.').unwrap_or(&prose);
    starts_well
        && prose.ends_with('.')
        && !prose.ends_with("..")
        && !body.contains('\n')
        && [". ", "? ", "! ", "; "]
            .iter()
            .all(|end| !body.contains(end))
}

#[test]
fn summaries_are_one_sentence() {
    assert!(is_one_sentence(
        "A `waitfor` without `until` can wait forever."
    ));
    assert!(is_one_sentence(
        "`getip` used as a statement: the address is lost."
    ));
    assert!(!is_one_sentence("Reports waits. They can hang."));
    assert!(!is_one_sentence("no capital letter."));
    assert!(!is_one_sentence("No period"));
    for r in RULES {
        assert!(
            is_one_sentence(r.summary),
            "{} {}: the summary should be one sentence: {:?}",
            r.code.code,
            r.code.name,
            r.summary
        );
    }
}

#[test]
fn docs_have_the_four_sections_in_order() {
    let headings = [
        "## What it does\n",
        "## Why is this bad?\n",
        "## Example\n",
        "## Use instead\n",
    ];
    for r in RULES {
        let mut from = 0;
        for h in headings {
            let at = r.docs[from..].find(h).unwrap_or_else(|| {
                panic!(
                    "{} {}: the docs lack `{}` (after the earlier headings)",
                    r.code.code,
                    r.code.name,
                    h.trim_end()
                )
            });
            assert!(
                r.docs[..from + at].ends_with('\n') || from + at == 0,
                "{} {}: `{}` is not at the start of a line",
                r.code.code,
                r.code.name,
                h.trim_end()
            );
            from += at + h.len();
        }
        assert!(
            r.docs.starts_with("## What it does\n"),
            "{} {}: the docs should open with `## What it does`",
            r.code.code,
            r.code.name
        );
    }
}

/// Words that make a name describe the good practice, or the rule itself, rather than the
/// bad pattern: `allow no-timeout` or `allow require-until` would read backwards.
const NOT_A_PATTERN: &[&str] = &[
    "always", "avoid", "ban", "check", "disallow", "dont", "enforce", "forbid", "must", "never",
    "no", "not", "prefer", "require", "should", "use",
];

#[test]
fn names_are_kebab_case_and_name_the_bad_pattern() {
    for r in RULES {
        let name = r.code.name;
        let words: Vec<&str> = name.split('-').collect();
        assert!(
            words.len() >= 2
                && words.iter().all(|w| {
                    !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                        && w.as_bytes()[0].is_ascii_lowercase()
                }),
            "{}: `{name}` should be kebab-case words, at least two of them",
            r.code.code
        );
        assert!(
            !words.iter().any(|w| NOT_A_PATTERN.contains(w)),
            "{}: `allow {name}` should name the pattern it allows, not the practice or the \
             check",
            r.code.code
        );
        // The name must work where users write it: in a suppression comment and in
        // `dialscript.toml`.
        assert!(
            dialscript_check::find_rule(name).is_some_and(|f| f.code == r.code),
            "{name}"
        );
        assert!(
            dialscript_check::config::Selector::parse(name).is_ok(),
            "{name}"
        );
    }
}

#[test]
fn docs_rules_md_is_generated_from_the_rule_table() {
    let path = root().join("docs").join("rules.md");
    let generated = dialscript_check::docs::rules_markdown();
    let update = std::env::var("UPDATE_DOCS").is_ok_and(|v| !v.is_empty() && v != "0");
    if update {
        std::fs::write(&path, &generated)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    // A checkout may turn line ends into CR LF; the text is what must match.
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .replace("\r\n", "\n");
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()))
            + 1;
        panic!(
            "docs/rules.md is not what the rule table generates (first difference at line \
             {line}); regenerate it with `{UPDATE_DOCS}` and commit the result"
        );
    }
}
