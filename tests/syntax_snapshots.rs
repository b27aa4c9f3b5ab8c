//! Snapshots of what the parser says about the fixture scripts, rendered as a user sees it.
//!
//! `tests/fixtures/syntax/ok/*.scp` are valid scripts: they must parse without a diagnostic,
//! and their canonical printed form is snapshotted. `tests/fixtures/syntax/err/*.scp` hold
//! mistakes: one file per syntax code, named `DS0NN-<name>.scp`, with lines that trigger the
//! code and near-miss lines that must not, plus `three-mistakes.scp`. Their diagnostics are
//! rendered with `render::human` (no colour, 80 columns) and snapshotted.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test -p dialscript-tests --test
//! syntax_snapshots`, then read every changed `.snap` file before committing it.

use std::collections::BTreeSet;
use std::path::Path;

use dialscript_cli::render;
use dialscript_syntax::ast::{Expr, ExprKind, StmtKind};
use dialscript_syntax::codes::SYNTAX_CODES;
use dialscript_syntax::{Diagnostic, SourceFile, parse, print};
use dialscript_tests::{fixture, root};

/// Syntax codes that cannot have a fixture file, and why.
const EXEMPT: &[(&str, &str)] = &[(
    "DS019",
    "file-too-large needs a script of 4 GiB or more: such a fixture cannot be committed, \
     and building one in memory would need more than a test may take",
)];

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

/// Parses a fixture and returns it as a `SourceFile` named by its repository path, with its
/// diagnostics.
fn load(path: &Path) -> (SourceFile, Vec<Diagnostic>, Vec<u8>) {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let parse = parse(&bytes);
    let printed = print(&parse.script);
    (
        SourceFile::new(repo_name(path), bytes),
        parse.diagnostics,
        printed,
    )
}

/// Shows bytes as text for a snapshot: printable ASCII and line ends as they are, every other
/// byte as `\xNN`, so that a Windows-1252 byte in a string is visible as the byte it is.
fn show_bytes(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        match b {
            b'\n' | b' '..=b'~' => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02X}")),
        }
    }
    out
}

#[test]
fn ok() {
    insta::glob!("fixtures/syntax/ok/*.scp", |path| {
        let (file, diags, printed) = load(path);
        assert!(
            diags.is_empty(),
            "{} should parse without diagnostics:\n{}",
            file.name(),
            render::human(&file, &diags, false, 80)
        );
        // The printed form is canonical: parsing and printing it again changes nothing.
        let again = parse(&printed);
        assert!(
            again.diagnostics.is_empty(),
            "the printed form of {} does not parse",
            file.name()
        );
        assert_eq!(
            show_bytes(&print(&again.script)),
            show_bytes(&printed),
            "printing {} is not stable",
            file.name()
        );
        insta::assert_snapshot!(show_bytes(&printed));
    });
}

#[test]
fn err() {
    insta::glob!("fixtures/syntax/err/*.scp", |path| {
        let (file, diags, _) = load(path);
        assert!(
            !diags.is_empty(),
            "{} should produce diagnostics",
            file.name()
        );
        insta::assert_snapshot!(render::human(&file, &diags, false, 80));
    });
}

/// The code and name a fixture file is about, from its name: `DS005-unexpected-token.scp`
/// gives `("DS005", "unexpected-token")`.
fn fixture_code(path: &Path) -> Option<(String, String)> {
    let stem = path.file_stem()?.to_str()?;
    let (code, name) = stem.split_once('-')?;
    code.starts_with("DS")
        .then(|| (code.to_string(), name.to_string()))
}

#[test]
fn every_syntax_code_has_a_fixture_that_triggers_it() {
    let dir = fixture("syntax/err");
    let mut covered = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("the err fixtures folder exists") {
        let path = entry.expect("directory entry is readable").path();
        let Some((code, name)) = fixture_code(&path) else {
            continue;
        };
        let doc = SYNTAX_CODES
            .iter()
            .find(|d| d.code.code == code)
            .unwrap_or_else(|| panic!("{} names an unknown code", path.display()));
        assert_eq!(
            doc.code.name,
            name,
            "{} should be named after its code's name",
            path.display()
        );
        let (file, diags, _) = load(&path);
        assert!(
            diags.iter().any(|d| d.code.code == code),
            "{} does not trigger {code}; it gives:\n{}",
            file.name(),
            render::concise(&file, &diags)
        );
        covered.insert(code);
    }
    for doc in SYNTAX_CODES {
        let code = doc.code.code;
        let exempt = EXEMPT.iter().any(|(c, _)| *c == code);
        assert!(
            covered.contains(code) || exempt,
            "{code} ({}) has no fixture tests/fixtures/syntax/err/{code}-{}.scp",
            doc.code.name,
            doc.code.name
        );
        assert!(
            !(covered.contains(code) && exempt),
            "{code} has a fixture now; remove it from EXEMPT"
        );
    }
}

#[test]
fn near_misses_in_code_fixtures_do_not_trigger_their_code() {
    // Each near-miss line carries a `; near miss` comment. A diagnostic on such a line means
    // the parser rejects something valid.
    for entry in std::fs::read_dir(fixture("syntax/err")).expect("the err fixtures folder exists") {
        let path = entry.expect("directory entry is readable").path();
        if fixture_code(&path).is_none() {
            continue;
        }
        let (file, diags, _) = load(&path);
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
        for d in &diags {
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

#[test]
fn three_mistakes_give_three_diagnostics_at_their_places() {
    let (file, diags, _) = load(&fixture("syntax/err/three-mistakes.scp"));
    let found: Vec<(&str, usize, usize)> = diags
        .iter()
        .map(|d| {
            let (line, col) = file.line_col(d.span.start);
            (d.code.code, line, col)
        })
        .collect();
    assert_eq!(
        found,
        vec![
            // `waitfro` misspelt, at its first letter.
            ("DS009", 5, 4),
            // `if $SUCCESS` without `then`: just after the condition, where `then` belongs.
            ("DS005", 9, 15),
            // `set port databits 9`, at the `9`.
            ("DS014", 13, 22),
        ],
        "{}",
        render::concise(&file, &diags)
    );
}

/// Writes an expression with every binary and unary operation in parentheses, so that a test
/// can see how the parser grouped it.
fn grouped(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Binary(op, lr) => {
            format!("({} {} {})", grouped(&lr.0), op.symbol(), grouped(&lr.1))
        }
        ExprKind::Unary(op, inner) => {
            let sign = match op {
                dialscript_syntax::ast::UnOp::Neg => "-",
                dialscript_syntax::ast::UnOp::Not => "!",
            };
            format!("({sign}{})", grouped(inner))
        }
        ExprKind::Paren(inner) => grouped(inner),
        _ => {
            let mut out = Vec::new();
            dialscript_syntax::print::print_expr(&mut out, e);
            String::from_utf8_lossy(&out).into_owned()
        }
    }
}

#[test]
fn operators_group_by_the_documented_precedence() {
    let (_, diags, _) = load(&fixture("syntax/ok/operators.scp"));
    assert!(diags.is_empty());
    let bytes = std::fs::read(fixture("syntax/ok/operators.scp")).expect("fixture is readable");
    let parse = parse(&bytes);
    let main = parse.script.main().expect("the fixture has proc main");
    let assigned: Vec<String> = main
        .body
        .iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Assign { value, .. } => Some(grouped(value)),
            _ => None,
        })
        .collect();
    let expected = [
        "(1 + (2 * 3))",
        "((10 - 4) - 3)",
        "((24 / 6) / 2)",
        "((1 + 2) * 3)",
        "(24 / (7 - 1))",
        "(-(-a))",
        "(-(a * b))",
        "(!a)",
        "((s + \"cd\") + \"^M\")",
        "((a + 1) < (b * 2))",
        "(a > b)",
        "(a <= (b - 1))",
        "(a >= b)",
        "(a == b)",
        "(a != b)",
        "(s == \"abcd^M\")",
        "(p != FALSE)",
        "(p or (q and (!p)))",
        "((p or q) and (!(a < b)))",
        "((!p) == q)",
        "((a < b) == (b < a))",
        "((p and q) or ($SUCCESS and (!$FAILURE)))",
    ];
    assert_eq!(assigned, expected);
}

#[test]
fn getip_takes_an_operand_only_on_its_own_line() {
    let bytes = std::fs::read(fixture("syntax/ok/getip-operand.scp")).expect("fixture is readable");
    let parse = parse(&bytes);
    assert!(parse.diagnostics.is_empty());
    let file = SourceFile::new("getip-operand.scp", bytes);
    let main = parse.script.main().expect("the fixture has proc main");
    // (line, whether its `getip` has an operand)
    let mut seen = Vec::new();
    for s in &main.body {
        let value = match &s.kind {
            StmtKind::Assign { value, .. } | StmtKind::SetIpAddr(value) => value,
            _ => continue,
        };
        let value = match &value.kind {
            ExprKind::Paren(inner) => inner,
            _ => value,
        };
        if let ExprKind::Getip(arg) = &value.kind {
            seen.push((file.line_col(s.span.start).0, arg.is_some()));
        }
    }
    assert_eq!(
        seen,
        vec![
            (9, false),
            (12, true),
            (13, true),
            (14, true),
            (15, true),
            (16, true),
            (18, false),
            (19, true),
            (23, false),
        ]
    );
}

#[test]
fn line_ends_bom_and_ctrl_z_do_not_change_the_script() {
    // The same login written with every kind of line end, with a byte-order mark, and with a
    // Ctrl-Z end-of-file mark must give the same tree, and lines must be counted the way an
    // editor shows them. (line of the `if`, fixture)
    let variants = [
        (4, "line-ends-lf.scp"),
        (4, "line-ends-crlf.scp"),
        (4, "line-ends-cr.scp"),
        (4, "line-ends-mixed.scp"),
        (4, "utf8-bom.scp"),
        (5, "ctrl-z-eof.scp"),
    ];
    let (_, _, reference) = load(&fixture("syntax/ok/line-ends-lf.scp"));
    for (if_line, name) in variants {
        let path = fixture(&format!("syntax/ok/{name}"));
        let (file, diags, printed) = load(&path);
        assert!(diags.is_empty(), "{name}");
        assert_eq!(show_bytes(&printed), show_bytes(&reference), "{name}");
        let bytes = std::fs::read(&path).expect("fixture is readable");
        let parse = parse(&bytes);
        let main = parse.script.main().expect("the fixture has proc main");
        let if_stmt = main
            .body
            .iter()
            .find(|s| matches!(s.kind, StmtKind::If { .. }))
            .expect("the fixture has an `if`");
        assert_eq!(file.line_col(if_stmt.span.start), (if_line, 4), "{name}");
    }
}
