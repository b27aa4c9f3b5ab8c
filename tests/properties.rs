//! Property tests of the parser, the printer, source mapping and the human renderer.
//!
//! Three generators: arbitrary bytes (nothing may panic), a "token soup" of the language's
//! own pieces and the bytes real files hold (spans stay inside the input and on character
//! boundaries, diagnostics come sorted, error-free trees print and parse back), and
//! syntactically valid trees shaped as the parser builds them (printing and parsing gives the
//! same tree back, spans aside).
//!
//! Each property runs a bounded number of cases so that the file takes a few seconds; set
//! `PROPTEST_CASES` to run more (or fewer).

use dialscript_syntax::ast::{
    BinOp, Expr, ExprKind, Ident, Parity, PortSetting, Proc, Script, Stmt, StmtKind, SysVar,
    Target, Type, UnOp, WaitCase,
};
use dialscript_syntax::token::Kw;
use dialscript_syntax::{Diagnostic, SourceFile, Span, parse, print};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// `default_cases` cases, unless `PROPTEST_CASES` says otherwise. Failures are not written
/// to regression files: the failing input is in the test's output.
fn config(default_cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Walking every span of a tree.

/// Calls `f` on every span in the tree: the script's, every procedure's, name's, statement's,
/// closing keyword's and expression's. The matches are exhaustive so that a new kind of node
/// cannot be skipped silently.
fn walk_spans(script: &mut Script, f: &mut impl FnMut(&mut Span)) {
    f(&mut script.span);
    for p in &mut script.procs {
        f(&mut p.span);
        f(&mut p.name.span);
        if let Some(end) = &mut p.end {
            f(end);
        }
        for s in &mut p.body {
            walk_stmt(s, f);
        }
    }
}

fn walk_stmt(s: &mut Stmt, f: &mut impl FnMut(&mut Span)) {
    f(&mut s.span);
    match &mut s.kind {
        StmtKind::Decl { name, init, ty: _ } => {
            f(&mut name.span);
            if let Some(e) = init {
                walk_expr(e, f);
            }
        }
        StmtKind::Assign { target, value } => {
            match target {
                Target::Var(name) => f(&mut name.span),
                Target::Sys(_, span) => f(span),
            }
            walk_expr(value, f);
        }
        StmtKind::Label(name) | StmtKind::Goto(name) => f(&mut name.span),
        StmtKind::Delay(e) | StmtKind::SetIpAddr(e) => walk_expr(e, f),
        StmtKind::Transmit { value, raw: _ } => walk_expr(value, f),
        StmtKind::Halt | StmtKind::SetPort(_) | StmtKind::SetScreenKeyboard(_) => {}
        StmtKind::If { cond, body, end } | StmtKind::While { cond, body, end } => {
            walk_expr(cond, f);
            for s in body {
                walk_stmt(s, f);
            }
            if let Some(end) = end {
                f(end);
            }
        }
        StmtKind::Waitfor { cases, until } => {
            for c in cases {
                walk_expr(&mut c.pattern, f);
                if let Some(t) = &mut c.target {
                    f(&mut t.span);
                }
            }
            if let Some(u) = until {
                walk_expr(u, f);
            }
        }
        StmtKind::Getip(arg) => {
            if let Some(a) = arg {
                walk_expr(a, f);
            }
        }
    }
}

fn walk_expr(e: &mut Expr, f: &mut impl FnMut(&mut Span)) {
    f(&mut e.span);
    match &mut e.kind {
        ExprKind::Int(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Sys(_)
        | ExprKind::Error => {}
        ExprKind::Var(name) => f(&mut name.span),
        ExprKind::Unary(_, inner) | ExprKind::Paren(inner) => walk_expr(inner, f),
        ExprKind::Getip(arg) => {
            if let Some(a) = arg {
                walk_expr(a, f);
            }
        }
        ExprKind::Binary(_, operands) => {
            let (l, r) = &mut **operands;
            walk_expr(l, f);
            walk_expr(r, f);
        }
    }
}

/// Every span of the tree.
fn all_spans(script: &Script) -> Vec<Span> {
    let mut copy = script.clone();
    let mut spans = Vec::new();
    walk_spans(&mut copy, &mut |s| spans.push(*s));
    spans
}

/// The tree with every span set to zero, for comparing trees by shape.
fn without_spans(script: &Script) -> Script {
    let mut copy = script.clone();
    walk_spans(&mut copy, &mut |s| *s = Span::default());
    copy
}

/// The primary and related spans of every diagnostic.
fn diagnostic_spans(diags: &[Diagnostic]) -> Vec<Span> {
    diags
        .iter()
        .flat_map(|d| std::iter::once(d.span).chain(d.related.iter().map(|l| l.span)))
        .collect()
}

/// Checks that a span lies inside `src`, and on character boundaries when `src` is UTF-8.
fn check_span(src: &[u8], span: Span, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(span.start <= span.end, "{what} span {span:?} is reversed");
    prop_assert!(
        span.end as usize <= src.len(),
        "{what} span {span:?} ends past the input ({} bytes)",
        src.len()
    );
    if let Ok(text) = std::str::from_utf8(src) {
        prop_assert!(
            text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize),
            "{what} span {span:?} splits a character"
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Arbitrary bytes.

proptest! {
    #![proptest_config(config(160))]

    /// Nothing between the bytes and the rendered report may panic, whatever the bytes.
    #[test]
    fn arbitrary_bytes_never_panic(src in proptest::collection::vec(any::<u8>(), 0..300)) {
        let p = parse(&src);
        let _ = print(&p.script);
        let file = SourceFile::new("fuzz.scp", src.clone());
        for span in all_spans(&p.script).into_iter().chain(diagnostic_spans(&p.diagnostics)).chain(p.comments.iter().copied()) {
            let _ = file.line_col(span.start);
            let _ = file.line_col(span.end);
            let _ = file.text_span(span);
        }
        let _ = dialscript_cli::render::human(&file, &p.diagnostics, false, 80);
    }
}

// ---------------------------------------------------------------------------------------------
// Token soup.

/// Pieces of scripts, right and wrong: every reserved word (and case variants), names,
/// numbers at and past the limits, strings with escapes and unclosed ones, operators, `$`
/// names, comments, block openers and closers, line ends of all kinds, and the odd bytes of
/// real files (BOM, Ctrl-Z, Windows-1252 letters, UTF-8, characters of other languages).
fn soup_pieces() -> Vec<Vec<u8>> {
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    for kw in Kw::ALL {
        pieces.push(kw.as_str().as_bytes().to_vec());
        pieces.push(kw.as_str().to_ascii_uppercase().into_bytes());
    }
    let fixed: &[&[u8]] = &[
        b"main",
        b"x",
        b"nTries",
        b"_tmp9",
        b"Done",
        b"else",
        b"end",
        b"pause",
        b"command",
        b"a1234567890",
        b"0",
        b"7",
        b"2147483647",
        b"2147483648",
        b"99999999999999999999",
        b"00012",
        b"\"ogin:\"",
        b"\"^M\"",
        b"\"\"",
        b"\"a\\\"b\"",
        b"\"<cr><lf>\"",
        b"\"caf\xE9\"",
        b"\"\\\\\"",
        b"\"abc",
        b"\"^\\\"",
        b"\"tab\there\"",
        b"\"",
        b"\"\xEF\xBB\xBF\"",
        b"+",
        b"-",
        b"*",
        b"/",
        b"!",
        b"<",
        b">",
        b"<=",
        b">=",
        b"==",
        b"!=",
        b"=",
        b"(",
        b")",
        b",",
        b":",
        b"$USERID",
        b"$password",
        b"$Success",
        b"$FAILURE",
        b"$FOO",
        b"$",
        b"$1",
        b"; comment",
        b";",
        b"; caf\xE9 \x80",
        b"; \"not a string",
        b"proc main\n",
        b"endproc\n",
        b"if $SUCCESS then\n",
        b"endif\n",
        b"while x < 3 do\n",
        b"endwhile\n",
        b"end if",
        b"waitfor \"a\" then L, \"b\" then M until 5\n",
        b"waitfor \"x\" 30",
        b"set port databits 7",
        b"set port parity even",
        b"set port stopbits 3",
        b"set screen keyboard on",
        b"set ipaddr getip 2",
        b"set baud 9600",
        b"transmit $USERID, raw\n",
        b"x = getip\n",
        b"getip",
        b"L:",
        b"\n",
        b"\r\n",
        b"\r",
        b"\t",
        b" ",
        b"  ",
        b"\xEF\xBB\xBF",
        b"\x1A",
        b"\x0B",
        b"\x80",
        b"\xE9",
        b"\xFF",
        b"\xA0",
        "é".as_bytes(),
        "€".as_bytes(),
        "\u{1F600}".as_bytes(),
        b"&",
        b"&&",
        b"|",
        b"||",
        b"#",
        b"[section]",
        b"{",
        b"}",
        b"'",
        b"''",
        b"@",
        b"`",
        b"~",
        b"\\",
        b"\x00",
    ];
    pieces.extend(fixed.iter().map(|p| p.to_vec()));
    pieces
}

/// Whole lines, mostly correct statements and block ends, so that some soups parse cleanly
/// and the printer round trip is exercised on them, and so that blocks nest deeply.
fn line_pieces() -> Vec<Vec<u8>> {
    let lines: &[&[u8]] = &[
        b"proc main",
        b"proc other",
        b"endproc",
        b"if $SUCCESS then",
        b"if n > 0 and !done then",
        b"endif",
        b"while 0 < nTries do",
        b"while (x) do",
        b"endwhile",
        b"integer nTries = 3",
        b"string s = \"ogin:\"",
        b"boolean done",
        b"nTries = nTries - 1",
        b"s = s + \"^M\"",
        b"$USERID = \"x\"",
        b"Retry:",
        b"goto Retry",
        b"halt",
        b"delay 2 * (n + 1)",
        b"transmit \"^M\"",
        b"transmit $PASSWORD, raw",
        b"transmit \"caf\xE9\"",
        b"waitfor \"assword:\" until 30",
        b"waitfor \"a\", matchcase then A, \"b\" then B until -1",
        b"waitfor \"x\"",
        b"set port databits 7",
        b"set port parity none",
        b"set port stopbits 2",
        b"set screen keyboard off",
        b"set ipaddr getip 2",
        b"ip = getip",
        b"- 1",
        b"getip",
        b"getip (1)",
        b"x = -2147483648",
        b"x = ((((((((1))))))))",
        b"x = !!!!!!!!TRUE",
        b"; a comment \xE9",
        b"else",
        b"end if",
        b"waitfor \"a\", \"b\"",
        b"transmit",
        b"if x then then",
        b"x = = 1",
        b"\"",
        b"",
    ];
    lines.iter().map(|l| l.to_vec()).collect()
}

/// Pieces that keep a soup valid UTF-8, so that the character-boundary check applies.
fn utf8_pieces() -> Vec<Vec<u8>> {
    soup_pieces()
        .into_iter()
        .filter(|p| std::str::from_utf8(p).is_ok())
        .collect()
}

/// A soup of up to `max` pieces, each followed by a separator.
fn soup_of(
    pieces: Vec<Vec<u8>>,
    max: usize,
    sep: impl Strategy<Value = &'static [u8]>,
) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec((proptest::sample::select(pieces), sep), 0..max).prop_map(|parts| {
        let mut out = Vec::new();
        for (p, s) in parts {
            out.extend_from_slice(&p);
            out.extend_from_slice(s);
        }
        out
    })
}

/// A procedure of correct lines with `if` and `while` blocks nested up to eight deep, in
/// varied layout (indentation, comments, line ends of the three kinds), so that soups parse
/// cleanly often enough for the round trip to be checked on them.
fn well_formed() -> impl Strategy<Value = Vec<u8>> {
    let good: Vec<Vec<u8>> = line_pieces()
        .into_iter()
        .filter(|l| {
            let p = parse(&[&b"proc main\n"[..], l, b"\nendproc\n"].concat());
            !l.is_empty()
                && p.diagnostics.is_empty()
                && !l.starts_with(b"proc")
                && !l.starts_with(b"end")
                && !l.starts_with(b"if")
                && !l.starts_with(b"while")
        })
        .collect();
    let eol = || prop_oneof![4 => Just(&b"\n"[..]), 2 => Just(&b"\r\n"[..]), 1 => Just(&b"\r"[..]), 1 => Just(&b" ; note\n"[..])];
    let line = (
        prop_oneof![Just(&b""[..]), Just(&b"   "[..]), Just(&b"\t"[..])],
        proptest::sample::select(good),
        eol(),
    )
        .prop_map(|(indent, l, e)| [indent, &l[..], e].concat());
    let block = line.prop_recursive(8, 64, 6, move |inner| {
        let body = proptest::collection::vec(inner, 0..6).prop_map(|ls| ls.concat());
        prop_oneof![
            (body.clone(), eol(), eol()).prop_map(|(b, e1, e2)| [
                &b"if a < 2 or $FAILURE then"[..],
                e1,
                &b[..],
                b"endif",
                e2
            ]
            .concat()),
            (body.clone(), eol(), eol()).prop_map(|(b, e1, e2)| [
                &b"while !(x == \"y\") do"[..],
                e1,
                &b[..],
                b"ENDWHILE",
                e2
            ]
            .concat()),
            body,
        ]
    });
    proptest::collection::vec(block, 0..4)
        .prop_map(|blocks| [&b"proc main\n"[..], &blocks.concat(), b"endproc\n"].concat())
}

/// Token soups of four kinds: any pieces and pieces that keep the input UTF-8, joined by a
/// space, nothing or a line end; lines, joined by line ends of the three kinds; and
/// well-formed procedures.
fn soup() -> impl Strategy<Value = Vec<u8>> {
    let token_sep = || prop_oneof![4 => Just(&b" "[..]), 2 => Just(&b""[..]), 2 => Just(&b"\n"[..]), 1 => Just(&b"\r\n"[..])];
    let line_sep =
        prop_oneof![4 => Just(&b"\n"[..]), 2 => Just(&b"\r\n"[..]), 1 => Just(&b"\r"[..])];
    prop_oneof![
        soup_of(soup_pieces(), 300, token_sep()),
        soup_of(utf8_pieces(), 300, token_sep()),
        soup_of(line_pieces(), 80, line_sep),
        well_formed(),
    ]
}

proptest! {
    #![proptest_config(config(384))]

    /// Spans stay inside the input, the right way round and on character boundaries;
    /// diagnostics come in source order; an error-free tree prints as a script that parses
    /// without diagnostics to the same tree.
    #[test]
    fn token_soup(src in soup()) {
        let p = parse(&src);
        for span in diagnostic_spans(&p.diagnostics) {
            check_span(&src, span, "diagnostic")?;
        }
        for span in all_spans(&p.script) {
            check_span(&src, span, "tree")?;
        }
        for span in &p.comments {
            check_span(&src, *span, "comment")?;
        }
        let positions: Vec<(u32, u32)> = p.diagnostics.iter().map(|d| (d.span.start, d.span.end)).collect();
        prop_assert!(positions.windows(2).all(|w| w[0] <= w[1]), "diagnostics out of order: {positions:?}");
        if p.diagnostics.is_empty() {
            let printed = print(&p.script);
            let again = parse(&printed);
            prop_assert!(
                again.diagnostics.is_empty(),
                "the printed tree does not parse cleanly: {:?}\n{}",
                again.diagnostics,
                String::from_utf8_lossy(&printed)
            );
            prop_assert_eq!(without_spans(&again.script), without_spans(&p.script));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Valid trees.

/// A name that the parser takes as a plain name: not a reserved word, and not one of the
/// switch.inf keys (`COMMAND=`), which an assignment to an undeclared variable reports.
fn name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,10}".prop_filter("a reserved word or a switch.inf key", |n| {
        Kw::from_word(n.as_bytes()).is_none()
            && !["command", "ok", "connect", "error", "noresponse", "loop"]
                .iter()
                .any(|k| n.eq_ignore_ascii_case(k))
    })
}

fn ident() -> impl Strategy<Value = Ident> {
    name().prop_map(|name| Ident {
        name: name.into(),
        span: Span::default(),
    })
}

fn expr_of(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}

fn paren(e: Expr) -> Expr {
    expr_of(ExprKind::Paren(Box::new(e)))
}

/// `e` as the operand of a unary operator or of `getip`: a binary expression needs
/// parentheses there.
fn unary_operand(e: Expr) -> Expr {
    match e.kind {
        ExprKind::Binary(..) => paren(e),
        _ => e,
    }
}

/// `e` as an operand of a binary operator of precedence `prec`, on the left or the right:
/// the parser groups to the left, so the right operand needs parentheses already at equal
/// precedence.
fn binary_operand(e: Expr, prec: u8, right: bool) -> Expr {
    match &e.kind {
        ExprKind::Binary(op, ..)
            if op.precedence() < prec || (right && op.precedence() == prec) =>
        {
            paren(e)
        }
        _ => e,
    }
}

fn sys_var() -> impl Strategy<Value = SysVar> {
    prop_oneof![
        Just(SysVar::UserId),
        Just(SysVar::Password),
        Just(SysVar::Success),
        Just(SysVar::Failure)
    ]
}

/// String bytes: anything but the quote, the line ends and the backslash (which would escape
/// the byte after it).
fn string_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        any::<u8>().prop_filter("a quote, line end or backslash", |b| {
            !matches!(b, b'"' | b'\r' | b'\n' | b'\\')
        }),
        0..12,
    )
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        3 => (0..=2_147_483_647i64).prop_map(|n| expr_of(ExprKind::Int(n))),
        3 => string_bytes().prop_map(|s| expr_of(ExprKind::Str(s.into()))),
        1 => any::<bool>().prop_map(|b| expr_of(ExprKind::Bool(b))),
        3 => ident().prop_map(|i| expr_of(ExprKind::Var(i))),
        2 => sys_var().prop_map(|v| expr_of(ExprKind::Sys(v))),
        1 => Just(expr_of(ExprKind::Getip(None))),
    ]
}

fn bin_op() -> impl Strategy<Value = BinOp> {
    proptest::sample::select(vec![
        BinOp::Mul,
        BinOp::Div,
        BinOp::Add,
        BinOp::Sub,
        BinOp::Lt,
        BinOp::Gt,
        BinOp::Le,
        BinOp::Ge,
        BinOp::Eq,
        BinOp::Ne,
        BinOp::And,
        BinOp::Or,
    ])
}

/// Expressions of every kind, grouped as the parser groups them.
fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(5, 48, 2, |inner| {
        prop_oneof![
            2 => (prop_oneof![Just(UnOp::Neg), Just(UnOp::Not)], inner.clone())
                .prop_map(|(op, e)| expr_of(ExprKind::Unary(op, Box::new(unary_operand(e))))),
            4 => (bin_op(), inner.clone(), inner.clone()).prop_map(|(op, l, r)| {
                let p = op.precedence();
                expr_of(ExprKind::Binary(op, Box::new((binary_operand(l, p, false), binary_operand(r, p, true)))))
            }),
            1 => inner.clone().prop_map(paren),
            1 => inner.prop_map(|e| expr_of(ExprKind::Getip(Some(Box::new(unary_operand(e)))))),
        ]
    })
}

fn stmt_of(kind: StmtKind) -> Stmt {
    Stmt {
        kind,
        span: Span::default(),
    }
}

fn ty() -> impl Strategy<Value = Type> {
    prop_oneof![Just(Type::Integer), Just(Type::String), Just(Type::Boolean)]
}

fn port_setting() -> impl Strategy<Value = PortSetting> {
    prop_oneof![
        (5u8..=8).prop_map(PortSetting::DataBits),
        (1u8..=2).prop_map(PortSetting::StopBits),
        prop_oneof![
            Just(Parity::None),
            Just(Parity::Odd),
            Just(Parity::Even),
            Just(Parity::Mark),
            Just(Parity::Space)
        ]
        .prop_map(PortSetting::Parity),
    ]
}

/// A `waitfor`: one string with an optional `then`, or several, each with its `then`.
fn waitfor() -> impl Strategy<Value = StmtKind> {
    let case = |need_target: bool| {
        (expr(), any::<bool>(), proptest::option::of(ident())).prop_map(
            move |(pattern, matchcase, target)| WaitCase {
                pattern,
                matchcase,
                target: if need_target {
                    Some(target.unwrap_or(Ident {
                        name: "Next".into(),
                        span: Span::default(),
                    }))
                } else {
                    target
                },
            },
        )
    };
    prop_oneof![
        case(false).prop_map(|c| vec![c]),
        proptest::collection::vec(case(true), 2..4),
    ]
    .prop_flat_map(|cases| (Just(cases), proptest::option::of(expr())))
    .prop_map(|(cases, until)| StmtKind::Waitfor { cases, until })
}

fn simple_stmt() -> impl Strategy<Value = Stmt> {
    prop_oneof![
        (ty(), ident(), proptest::option::of(expr())).prop_map(|(ty, name, init)| StmtKind::Decl {
            ty,
            name,
            init
        }),
        (
            prop_oneof![
                ident().prop_map(Target::Var),
                sys_var().prop_map(|v| Target::Sys(v, Span::default()))
            ],
            expr()
        )
            .prop_map(|(target, value)| StmtKind::Assign { target, value }),
        ident().prop_map(StmtKind::Label),
        expr().prop_map(StmtKind::Delay),
        ident().prop_map(StmtKind::Goto),
        Just(StmtKind::Halt),
        port_setting().prop_map(StmtKind::SetPort),
        any::<bool>().prop_map(StmtKind::SetScreenKeyboard),
        expr().prop_map(StmtKind::SetIpAddr),
        (expr(), any::<bool>()).prop_map(|(value, raw)| StmtKind::Transmit { value, raw }),
        waitfor(),
        proptest::option::of(expr().prop_map(|e| Box::new(unary_operand(e))))
            .prop_map(StmtKind::Getip),
    ]
    .prop_map(stmt_of)
}

/// Statements, with `if` and `while` blocks nested a few levels deep.
fn stmt() -> impl Strategy<Value = Stmt> {
    simple_stmt().prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            (expr(), proptest::collection::vec(inner.clone(), 0..5)).prop_map(|(cond, body)| {
                stmt_of(StmtKind::If {
                    cond,
                    body,
                    end: Some(Span::default()),
                })
            }),
            (expr(), proptest::collection::vec(inner, 0..5)).prop_map(|(cond, body)| stmt_of(
                StmtKind::While {
                    cond,
                    body,
                    end: Some(Span::default()),
                }
            )),
        ]
    })
}

fn script() -> impl Strategy<Value = Script> {
    let proc = (ident(), proptest::collection::vec(stmt(), 0..8)).prop_map(|(name, body)| Proc {
        name,
        body,
        end: Some(Span::default()),
        span: Span::default(),
    });
    proptest::collection::vec(proc, 1..4).prop_map(|procs| Script {
        procs,
        span: Span::default(),
    })
}

proptest! {
    #![proptest_config(config(160))]

    /// The printer's contract: a tree shaped as the parser builds them prints as a script
    /// that parses, without diagnostics, to the same tree; and printing is a fixed point.
    #[test]
    fn valid_trees_print_and_parse_back(tree in script()) {
        let printed = print(&tree);
        let p = parse(&printed);
        prop_assert!(p.diagnostics.is_empty(), "{:?}\n{}", p.diagnostics, String::from_utf8_lossy(&printed));
        prop_assert_eq!(without_spans(&p.script), tree);
        prop_assert_eq!(print(&p.script), printed);
    }
}

/// The walker reaches every kind of span: a tree from a real script has all of them set, and
/// clearing them leaves none.
#[test]
fn the_span_walker_sees_every_span() {
    let src = b"proc main\n integer n = -(1 + 2)\n $USERID = \"a\"\n L: if n > 0 then\n  waitfor \"x\" then L until getip 1\n endif\n while !TRUE do\n  set ipaddr getip\n  getip (2)\n  transmit $PASSWORD, raw\n  goto L\n endwhile\nendproc\n";
    let p = parse(src);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let spans = all_spans(&p.script);
    assert!(spans.len() >= 40, "{}", spans.len());
    assert!(
        spans.iter().filter(|s| s.is_empty()).count() == 0,
        "{spans:?}"
    );
    assert!(
        all_spans(&without_spans(&p.script))
            .iter()
            .all(|s| *s == Span::default())
    );
}
