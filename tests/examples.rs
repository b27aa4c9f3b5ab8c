//! The scripts in `examples/` are what users copy from, so each must parse without a single
//! diagnostic, survive a trip through the canonical printer, and (except the one that shows
//! the hang on purpose) follow the habits the project recommends: every `waitfor` has an
//! `until`, and the outcome of every wait is acted on.

use std::path::PathBuf;

use dialscript_syntax::ast::{ExprKind, Stmt, StmtKind, SysVar};
use dialscript_syntax::{SourceFile, parse, print};
use dialscript_tests::root;

/// The example that reproduces the KB Q175410 hang: it leaves its waits unguarded on purpose.
const DELIBERATELY_UNGUARDED: &str = "ozemail-no-timeouts.scp";

/// Every `*.scp` file in `examples/`, sorted by name.
fn examples() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/ is readable")
        .map(|e| e.expect("directory entry is readable").path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("scp")))
        .collect();
    paths.sort();
    paths
}

fn name(path: &std::path::Path) -> String {
    path.file_name()
        .expect("an example has a file name")
        .to_string_lossy()
        .into_owned()
}

fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn the_documented_examples_are_present() {
    let names: Vec<String> = examples().iter().map(|p| name(p)).collect();
    for wanted in [
        "ozemail.scp",
        "ozemail-no-timeouts.scp",
        "unix-login.scp",
        "compuserve-7e1.scp",
        "slip-getip.scp",
        "retry-loop.scp",
    ] {
        assert!(
            names.iter().any(|n| n == wanted),
            "examples/{wanted} is missing"
        );
    }
}

#[test]
fn every_example_parses_without_diagnostics() {
    for path in examples() {
        let bytes = read(&path);
        let parse = parse(&bytes);
        if !parse.diagnostics.is_empty() {
            // Show the findings the way a user would see them, to make the failure readable.
            let file = SourceFile::new(format!("examples/{}", name(&path)), bytes);
            panic!(
                "{}",
                dialscript_cli::render::concise(&file, &parse.diagnostics)
            );
        }
        assert!(
            parse.script.main().is_some(),
            "{} has no proc main",
            name(&path)
        );
    }
}

#[test]
fn every_example_starts_with_a_comment_saying_what_it_shows() {
    for path in examples() {
        let bytes = read(&path);
        assert!(
            bytes.starts_with(b";"),
            "{} should open with a comment",
            name(&path)
        );
        let text = String::from_utf8_lossy(&bytes);
        let header: String = text
            .lines()
            .take_while(|l| l.starts_with(';'))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            header.contains("What it shows"),
            "the opening comment of {} should say what the script shows",
            name(&path)
        );
    }
}

#[test]
fn printing_then_parsing_gives_the_same_printed_form() {
    for path in examples() {
        let first = parse(&read(&path));
        let printed = print(&first.script);
        let again = parse(&printed);
        assert!(
            again.diagnostics.is_empty(),
            "the printed form of {} does not parse: {:?}",
            name(&path),
            again.diagnostics
        );
        assert_eq!(
            String::from_utf8_lossy(&print(&again.script)),
            String::from_utf8_lossy(&printed),
            "printing {} is not stable",
            name(&path)
        );
    }
}

/// Calls `f` on every statement of `body`, depth first, with the statement that follows it
/// in the same block (if any).
fn walk<'a>(body: &'a [Stmt], f: &mut dyn FnMut(&'a Stmt, Option<&'a Stmt>)) {
    for (n, s) in body.iter().enumerate() {
        f(s, body.get(n + 1));
        if let StmtKind::If { body, .. } | StmtKind::While { body, .. } = &s.kind {
            walk(body, f);
        }
    }
}

/// Whether an `if` condition reads `$SUCCESS` or `$FAILURE` (alone, negated or compared).
fn tests_success(s: &Stmt) -> bool {
    fn mentions(e: &dialscript_syntax::ast::Expr) -> bool {
        match &e.kind {
            ExprKind::Sys(SysVar::Success | SysVar::Failure) => true,
            ExprKind::Unary(_, inner) | ExprKind::Paren(inner) => mentions(inner),
            ExprKind::Binary(_, lr) => mentions(&lr.0) || mentions(&lr.1),
            _ => false,
        }
    }
    matches!(&s.kind, StmtKind::If { cond, .. } if mentions(cond))
}

#[test]
fn examples_guard_every_wait_and_act_on_its_outcome() {
    for path in examples() {
        let example = name(&path);
        let bytes = read(&path);
        let parse = parse(&bytes);
        let file = SourceFile::new(example.clone(), bytes);
        let mut unguarded = Vec::new();
        let mut unchecked = Vec::new();
        for p in &parse.script.procs {
            walk(&p.body, &mut |s, next| {
                let StmtKind::Waitfor { cases, until } = &s.kind else {
                    return;
                };
                let line = file.line_col(s.span.start).0;
                if until.is_none() {
                    unguarded.push(line);
                }
                // A wait whose strings all jump somewhere acts on its outcome by itself (a
                // timeout falls through); a plain wait must be followed by a test.
                let jumps = cases.iter().all(|c| c.target.is_some());
                if !jumps && !next.is_some_and(tests_success) {
                    unchecked.push(line);
                }
            });
        }
        if example == DELIBERATELY_UNGUARDED {
            // This one exists to show the hang, so it must really have it.
            assert!(
                !unguarded.is_empty(),
                "{example} should keep its waits without `until`"
            );
        } else {
            assert!(
                unguarded.is_empty(),
                "{example}: `waitfor` without `until` on lines {unguarded:?}"
            );
            assert!(
                unchecked.is_empty(),
                "{example}: `$SUCCESS` is not tested after the `waitfor` on lines {unchecked:?}"
            );
        }
    }
}
