//! Inputs at and far past the limits: deep nesting, long chains, huge lines and files.
//!
//! Each must give a clear diagnostic or a result, never a stack overflow. The tests run on
//! the test harness's own threads (2 MiB of stack) on purpose: nothing here asks for a bigger
//! stack, so passing shows that parsing, printing, checking and dropping these inputs do not
//! recurse without bound. The parser is optimised even in test builds, so the large inputs
//! take well under a second each to parse.

use dialscript_syntax::ast::{ExprKind, StmtKind};
use dialscript_syntax::codes::{NESTING_TOO_DEEP, UNCLOSED_BLOCK, UNTERMINATED_STRING};
use dialscript_syntax::{Code, Parse, SourceFile, parse, print};

/// `body` as the body of `proc main`.
fn in_main(body: &[u8]) -> Vec<u8> {
    [&b"proc main\n"[..], body, b"\nendproc\n"].concat()
}

/// `unit` repeated `n` times.
fn repeat(unit: &[u8], n: usize) -> Vec<u8> {
    unit.repeat(n)
}

fn count(p: &Parse, code: Code) -> usize {
    p.diagnostics.iter().filter(|d| d.code == code).count()
}

/// Everything after parsing that walks the tree: printing, source mapping of every
/// diagnostic, and the checker. Then the tree is dropped, which must not recurse deeply
/// either.
fn later_stages(src: &[u8], p: Parse) {
    let _ = print(&p.script);
    let file = SourceFile::new("limits.scp", src.to_vec());
    for d in &p.diagnostics {
        let _ = file.line_col(d.span.start);
        let _ = file.text_span(d.span);
    }
    let checked = dialscript_check::check(&p, src, &dialscript_check::Options::default());
    assert!(!checked.diagnostics.is_empty());
    drop(p);
}

#[test]
fn a_hundred_thousand_nested_ifs() {
    let n = 100_000;
    let src = in_main(
        &[
            repeat(b"if $SUCCESS then\n", n),
            b"halt\n".to_vec(),
            repeat(b"endif\n", n),
        ]
        .concat(),
    );
    let p = parse(&src);
    // One report for the whole block that is too deep; it is skipped as a unit, so its
    // closing keywords do not cause follow-on errors and `main` still closes.
    assert_eq!(count(&p, NESTING_TOO_DEEP), 1, "{:?}", p.diagnostics);
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    assert_eq!(p.script.procs.len(), 1);
    assert!(p.script.procs[0].end.is_some());
    later_stages(&src, p);
}

#[test]
fn a_hundred_thousand_nested_whiles_never_closed() {
    let src = in_main(&repeat(b"while TRUE do\n", 100_000));
    let p = parse(&src);
    assert_eq!(
        count(&p, NESTING_TOO_DEEP),
        1,
        "{:?}",
        p.diagnostics[..3.min(p.diagnostics.len())].to_vec()
    );
    assert!(count(&p, UNCLOSED_BLOCK) >= 1);
    later_stages(&src, p);
}

#[test]
fn a_hundred_thousand_nested_parentheses() {
    let n = 100_000;
    let src = in_main(
        &[
            b"integer x = ".to_vec(),
            repeat(b"(", n),
            b"1".to_vec(),
            repeat(b")", n),
        ]
        .concat(),
    );
    let p = parse(&src);
    assert_eq!(count(&p, NESTING_TOO_DEEP), 1, "{:?}", p.diagnostics);
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    assert!(p.script.procs[0].end.is_some());
    later_stages(&src, p);
}

#[test]
fn a_hundred_thousand_unary_minuses() {
    let src = in_main(
        &[
            b"integer x = ".to_vec(),
            repeat(b"-", 100_000),
            b"1".to_vec(),
        ]
        .concat(),
    );
    let p = parse(&src);
    assert_eq!(count(&p, NESTING_TOO_DEEP), 1, "{:?}", p.diagnostics);
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    later_stages(&src, p);
}

#[test]
fn a_million_term_sum() {
    let src = in_main(
        &[
            b"integer a\ninteger x = a".to_vec(),
            repeat(b" + a", 999_999),
        ]
        .concat(),
    );
    let p = parse(&src);
    // A left-leaning tree a million deep would overflow the recursive walks of later
    // stages; the parser refuses chains deeper than twice the nesting limit.
    assert_eq!(count(&p, NESTING_TOO_DEEP), 1, "{:?}", p.diagnostics);
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    assert!(p.script.procs[0].end.is_some());
    later_stages(&src, p);
}

#[test]
fn a_sum_just_inside_the_limit_parses() {
    let terms = 2 * dialscript_syntax::parser::MAX_DEPTH as usize;
    let src = in_main(
        &[
            b"integer a\ninteger x = a".to_vec(),
            repeat(b" + a", terms - 1),
        ]
        .concat(),
    );
    let p = parse(&src);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let printed = print(&p.script);
    assert!(parse(&printed).diagnostics.is_empty());
    let checked = dialscript_check::check(&p, &src, &dialscript_check::Options::default());
    drop(checked);
}

#[test]
fn a_ten_megabyte_string_on_one_line() {
    let len = 10 * 1024 * 1024;
    let src = in_main(
        &[
            b"transmit \"".to_vec(),
            repeat(b"x", len),
            b"\", raw".to_vec(),
        ]
        .concat(),
    );
    let p = parse(&src);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let StmtKind::Transmit { value, raw: true } = &p.script.procs[0].body[0].kind else {
        panic!("not a transmit: {:?}", p.script.procs[0].body[0].kind);
    };
    let ExprKind::Str(bytes) = &value.kind else {
        panic!("not a string")
    };
    assert_eq!(bytes.len(), len);
    let file = SourceFile::new("long.scp", src.clone());
    assert_eq!(
        file.line_col(p.script.procs[0].body[0].span.end),
        (2, len + 17)
    );
}

#[test]
fn a_ten_megabyte_comment_line() {
    let src = in_main(
        &[
            b"; ".to_vec(),
            repeat(b"\xE9", 10 * 1024 * 1024),
            b"\nhalt".to_vec(),
        ]
        .concat(),
    );
    let p = parse(&src);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.comments.len(), 1);
    assert_eq!(p.script.procs[0].body.len(), 1);
}

#[test]
fn an_unterminated_string_of_a_megabyte() {
    let src = in_main(&[b"transmit \"".to_vec(), repeat(b"a", 1024 * 1024)].concat());
    let p = parse(&src);
    assert_eq!(count(&p, UNTERMINATED_STRING), 1, "{:?}", p.diagnostics);
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    // The string ends at its line end, so the next line still closes `main`.
    assert!(p.script.procs[0].end.is_some());
    later_stages(&src, p);
}
