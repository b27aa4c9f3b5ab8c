//! Keeps `grammar/dialscript.ebnf` equal to the parser, in both directions.
//!
//! - Grammar to parser: sentences generated from `script` must parse without diagnostics.
//! - Parser to grammar: every script under `tests/fixtures/syntax` and `examples` that parses
//!   without diagnostics must be derivable from `script`, and one that is derivable may have
//!   only the diagnostics of the grammar's lexical and side conditions.
//! - Both at once: small mutations of generated sentences must parse cleanly exactly when
//!   the grammar derives them.
//! - Every production has a fixture `tests/fixtures/syntax/ok/grammar/<production>.scp` that
//!   shows it, and the grammar's quoted terminals are exactly the lexer's reserved words and
//!   symbols.

#[path = "grammar/ebnf.rs"]
mod ebnf;
#[path = "grammar/generate.rs"]
mod generate;
#[path = "grammar/machine.rs"]
mod machine;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use dialscript_syntax::lexer::lex;
use dialscript_syntax::token::{Kw, TokenKind};
use dialscript_syntax::{Diagnostic, parse};
use dialscript_tests::{fixture, root};

use ebnf::{Expr, Grammar};
use generate::{Generator, Rng};
use machine::{Machine, Node, Recognizer, Term};

/// How many sentences the generator writes, and how many mutants are compared.
const SENTENCES: u64 = 3000;
const MUTANTS: u64 = 3000;

/// How deep (in nested productions) a derivation may go. A level of parentheses costs nine
/// (`primary` back down to `primary`), a nested block two (`stmt`, `if_stmt`).
const MAX_DEPTH: u32 = 36;

/// About how many tokens a generated sentence has before the generator heads for the end.
const BUDGET: u32 = 150;

/// Diagnostics for conditions the grammar states in comments rather than productions: bytes
/// that are no token (DS001), integer range (DS004), switch.inf names (DS011) and nesting
/// depth (DS016). A script with only these may still be derivable.
const SIDE_CONDITION_CODES: &[&str] = &["DS001", "DS004", "DS011", "DS016"];

fn load() -> &'static (Grammar, Machine) {
    static GRAMMAR: OnceLock<(Grammar, Machine)> = OnceLock::new();
    GRAMMAR.get_or_init(|| {
        let path = root().join("grammar").join("dialscript.ebnf");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let g = ebnf::read(&text).unwrap_or_else(|e| panic!("grammar/dialscript.ebnf: {e}"));
        let m = Machine::compile(&g).unwrap_or_else(|e| panic!("grammar/dialscript.ebnf: {e}"));
        (g, m)
    })
}

fn script_prod(m: &Machine) -> usize {
    m.prod("script").expect("the grammar defines `script`")
}

/// Runs `f` on a thread with a large stack: the recognizer recurses once per grammar level,
/// and a fixture may nest as deep as the parser allows.
fn with_big_stack(f: impl FnOnce() + Send + 'static) {
    let worker = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .expect("spawn a thread");
    if let Err(panic) = worker.join() {
        std::panic::resume_unwind(panic);
    }
}

/// What the recognizer says about a whole file.
enum Verdict {
    Derivable,
    /// Not derivable; the grammar matched tokens up to this byte offset at the furthest.
    NotDerivable(usize),
    /// Nested too deep for the recognizer to decide.
    TooDeep,
}

fn recognize(m: &Machine, src: &[u8]) -> Verdict {
    let tokens = lex(src).tokens;
    let mut r = Recognizer::new(m, &tokens, src);
    if r.derives_all(script_prod(m)) {
        Verdict::Derivable
    } else if r.too_deep {
        Verdict::TooDeep
    } else {
        let at = tokens
            .get(r.furthest() as usize)
            .map_or(src.len(), |t| t.span.start as usize);
        Verdict::NotDerivable(at)
    }
}

fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code.code).collect()
}

/// 1-based line and column (in bytes) of a byte offset, for messages. Line ends are LF, CR LF
/// and a lone CR, as for the lexer.
fn line_col(src: &[u8], at: usize) -> (usize, usize) {
    let before = &src[..at.min(src.len())];
    let is_end = |i: usize| match before[i] {
        b'\n' => true,
        b'\r' => src.get(i + 1) != Some(&b'\n'),
        _ => false,
    };
    let line = (0..before.len()).filter(|&i| is_end(i)).count() + 1;
    let col = (0..before.len()).rev().take_while(|&i| !is_end(i)).count() + 1;
    (line, col)
}

/// A script for a failure message: line ends and tabs as they are, other control bytes and
/// bytes outside ASCII escaped, so that a vertical tab or a Ctrl-Z is visible.
fn show(src: &[u8]) -> String {
    src.iter()
        .map(|&b| match b {
            b'\n' | b'\t' | 0x20..=0x7E => char::from(b).to_string(),
            _ => format!("\\x{b:02X}"),
        })
        .collect()
}

#[test]
fn grammar_is_well_formed() {
    let (g, m) = load();
    assert_eq!(
        g.productions.first().map(|p| p.name.as_str()),
        Some("script"),
        "the first production is the start symbol, `script`"
    );
    let left = m.left_recursive();
    assert!(left.is_empty(), "left-recursive productions: {left:?}");
    let generator = Generator::new(m, MAX_DEPTH, BUDGET);
    let infinite = generator.infinite_productions();
    assert!(
        infinite.is_empty(),
        "productions that derive no finite sentence: {infinite:?}"
    );

    // Every production is reachable from `script`: an unreachable one documents nothing.
    let mut reached = BTreeSet::from(["script".to_string()]);
    let mut work = vec!["script".to_string()];
    while let Some(name) = work.pop() {
        let body = &g.get(&name).expect("defined").body;
        body.walk(&mut |e| {
            if let Expr::Ref(r) = e
                && reached.insert(r.clone())
            {
                work.push(r.clone());
            }
        });
    }
    let unreached: Vec<&str> = g
        .productions
        .iter()
        .map(|p| p.name.as_str())
        .filter(|n| !reached.contains(*n))
        .collect();
    assert!(
        unreached.is_empty(),
        "productions not reachable from `script`: {unreached:?}"
    );
}

/// The operator and punctuation symbols of the lexer, found by lexing every string of one to
/// three ASCII punctuation characters: a symbol is a string that lexes as exactly one token
/// that is neither a word, a literal nor an error. Deriving the set from the lexer, rather
/// than listing it here, makes a symbol added to the lexer alone fail the test.
fn lexer_symbols() -> BTreeSet<String> {
    let punct: Vec<u8> = (0x21u8..0x7F)
        .filter(|c| !c.is_ascii_alphanumeric() && *c != b'_')
        .collect();
    let mut candidates: Vec<Vec<u8>> = Vec::new();
    let mut layer: Vec<Vec<u8>> = vec![Vec::new()];
    for _ in 0..3 {
        layer = layer
            .iter()
            .flat_map(|s| {
                punct.iter().map(move |&c| {
                    let mut longer = s.clone();
                    longer.push(c);
                    longer
                })
            })
            .collect();
        candidates.extend(layer.iter().cloned());
    }
    candidates
        .into_iter()
        .filter(|s| {
            let l = lex(s);
            l.diagnostics.is_empty()
                && l.tokens.len() == 2
                && l.tokens[0].span.start == 0
                && l.tokens[0].span.end as usize == s.len()
                && machine::is_symbol(l.tokens[0].kind)
        })
        .map(|s| show(&s))
        .collect()
}

#[test]
fn quoted_terminals_are_the_reserved_words_and_the_lexer_symbols() {
    let (g, _) = load();
    let mut words = BTreeSet::new();
    let mut symbols = BTreeSet::new();
    let mut integers = BTreeSet::new();
    for p in &g.productions {
        p.body.walk(&mut |e| {
            if let Expr::Term(text) = e {
                match Term::resolve(text) {
                    // The lexer folds case, so this compares case-insensitively.
                    Ok(Term::Kw(kw)) => {
                        words.insert(kw.as_str().to_ascii_lowercase());
                    }
                    Ok(Term::Sym(..)) => {
                        symbols.insert(text.clone());
                    }
                    Ok(Term::Int(_)) => {
                        integers.insert(text.clone());
                    }
                    Err(e) => panic!("production `{}`: {e}", p.name),
                }
            }
        });
    }

    assert_eq!(Kw::ALL.len(), 39, "the spec reserves 39 words");
    let reserved: BTreeSet<String> = Kw::ALL
        .iter()
        .map(|k| k.as_str().to_ascii_lowercase())
        .collect();
    // Every word in `words` lexed as a reserved word, so only missing ones are possible.
    let missing: Vec<&String> = reserved.difference(&words).collect();
    assert!(
        missing.is_empty(),
        "reserved words the grammar never uses: {missing:?}"
    );

    let lexer = lexer_symbols();
    let missing: Vec<&String> = lexer.difference(&symbols).collect();
    let extra: Vec<&String> = symbols.difference(&lexer).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "symbols the lexer has but the grammar lacks: {missing:?}; in the grammar but not the lexer: {extra:?}"
    );
    // The only other terminals are the literal values of `set port`.
    let port: BTreeSet<String> = ["1", "2", "5", "6", "7", "8"].map(String::from).into();
    assert_eq!(
        integers, port,
        "integer terminals other than the `set port` values"
    );
}

#[test]
fn generated_sentences_parse_without_diagnostics() {
    let (_, m) = load();
    let script = script_prod(m);
    let mut generator = Generator::new(m, MAX_DEPTH, BUDGET);
    let mut tokens = 0;
    for seed in 0..SENTENCES {
        let items = generator.sentence(script, seed);
        let mut rng = Rng::new(seed ^ 0xD1A1);
        let src = generate::render(&items, &mut rng);
        let parsed = parse(&src);
        assert!(
            parsed.diagnostics.is_empty(),
            "seed {seed}: a sentence of the grammar does not parse cleanly: {:?}\n{}",
            parsed
                .diagnostics
                .iter()
                .map(|d| format!("{} {}", d.code.code, d.message))
                .collect::<Vec<_>>(),
            show(&src)
        );
        // The recognizer must agree, or its verdicts on fixtures mean nothing.
        assert!(
            matches!(recognize(m, &src), Verdict::Derivable),
            "seed {seed}: the recognizer rejects a generated sentence\n{}",
            show(&src)
        );
        tokens += generate::tokens(&items).len();
    }
    assert!(
        tokens as u64 > 20 * SENTENCES,
        "sentences are too small to test much: {tokens} tokens"
    );

    // Every alternative, option and repetition of the grammar was exercised.
    let mut untaken = Vec::new();
    for (id, node) in m.nodes.iter().enumerate() {
        let choices = match node {
            Node::Alt(items) => items.len(),
            Node::Opt(_) | Node::SameLine(_) => 2,
            Node::Rep(_) => 3,
            Node::Ref(_) => 1,
            _ => 0,
        };
        for c in 0..choices {
            if generator.coverage[id].get(c).is_none_or(|&n| n == 0) {
                untaken.push(format!(
                    "{} (node {id}, choice {c}) in `{}`",
                    describe(node),
                    owner(m, id)
                ));
            }
        }
    }
    assert!(untaken.is_empty(), "the generator never took: {untaken:#?}");
}

fn describe(node: &Node) -> &'static str {
    match node {
        Node::Alt(_) => "an alternative",
        Node::Opt(_) | Node::SameLine(_) => "an option",
        Node::Rep(_) => "a repetition",
        Node::Ref(_) => "a reference",
        _ => "a token",
    }
}

/// The production a node belongs to.
fn owner(m: &Machine, id: usize) -> &str {
    fn contains(m: &Machine, at: usize, id: usize) -> bool {
        at == id
            || match &m.nodes[at] {
                Node::Seq(items) | Node::Alt(items) => items.iter().any(|&i| contains(m, i, id)),
                Node::Opt(i) | Node::Rep(i) | Node::SameLine(i) => contains(m, *i, id),
                _ => false,
            }
    }
    m.prods
        .iter()
        .find(|p| contains(m, p.body, id))
        .map_or("?", |p| p.name.as_str())
}

#[test]
fn mutated_sentences_parse_cleanly_exactly_when_derivable() {
    let (_, m) = load();
    let script = script_prod(m);
    let mut generator = Generator::new(m, MAX_DEPTH, BUDGET);
    let pool = generate::spellings(m);
    let (mut both_accept, mut both_reject) = (0u64, 0u64);
    for seed in 0..MUTANTS {
        let items = generator.sentence(script, seed.wrapping_mul(7919) + 1);
        let mut toks = generate::tokens(&items);
        let mut rng = Rng::new(seed ^ 0xBAD5);
        for _ in 0..1 + rng.below(2) {
            generate::mutate(&mut toks, &pool, &mut rng);
        }
        let src = generate::render_tokens(&toks, &mut rng);
        let parsed = parse(&src);
        let clean = parsed.diagnostics.is_empty();
        match (clean, recognize(m, &src)) {
            (true, Verdict::Derivable) => both_accept += 1,
            (false, Verdict::NotDerivable(_)) => both_reject += 1,
            (true, Verdict::NotDerivable(at)) => {
                let (line, col) = line_col(&src, at);
                panic!(
                    "mutant {seed}: the parser accepts it but the grammar does not (stuck at {line}:{col})\n{}",
                    show(&src)
                )
            }
            (false, Verdict::Derivable) => panic!(
                "mutant {seed}: the grammar derives it but the parser reports {:?}\n{}",
                codes(&parsed.diagnostics),
                show(&src)
            ),
            (_, Verdict::TooDeep) => panic!("mutant {seed}: too deep for the recognizer"),
        }
    }
    // Both outcomes must be common, or the comparison says little.
    assert!(
        both_accept * 20 > MUTANTS,
        "only {both_accept} mutants parse"
    );
    assert!(both_reject * 5 > MUTANTS, "only {both_reject} mutants fail");
}

/// Every `*.scp` (any case) below `dir`, sorted.
fn scripts_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut work = vec![dir.to_path_buf()];
    while let Some(d) = work.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                work.push(p);
            } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("scp")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn clean_fixtures_and_examples_are_derivable() {
    with_big_stack(|| {
        let (_, m) = load();
        let mut files = scripts_under(&fixture("syntax"));
        files.extend(scripts_under(&root().join("examples")));
        let mut clean = 0;
        let mut problems = Vec::new();
        for path in &files {
            let src = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let diags = parse(&src).diagnostics;
            let name = path
                .strip_prefix(root())
                .unwrap_or(path)
                .display()
                .to_string();
            match recognize(m, &src) {
                Verdict::Derivable if diags.is_empty() => clean += 1,
                Verdict::Derivable => {
                    let other: Vec<&str> = codes(&diags)
                        .into_iter()
                        .filter(|c| !SIDE_CONDITION_CODES.contains(c))
                        .collect();
                    if !other.is_empty() {
                        problems.push(format!(
                            "{name}: derivable, but the parser reports {other:?}"
                        ));
                    }
                }
                Verdict::NotDerivable(at) if diags.is_empty() => {
                    let (line, col) = line_col(&src, at);
                    problems.push(format!("{name}: parses cleanly, but the grammar cannot derive it (stuck at {line}:{col})"));
                }
                Verdict::NotDerivable(_) => {}
                // Only a script nested past the parser's limit can be this deep.
                Verdict::TooDeep => {
                    if !codes(&diags).contains(&"DS016") {
                        problems.push(format!("{name}: too deep for the recognizer, yet no DS016"));
                    }
                }
            }
        }
        assert!(
            problems.is_empty(),
            "grammar and parser disagree:\n{}",
            problems.join("\n")
        );
        let productions = load().0.productions.len();
        assert!(
            clean >= productions,
            "only {clean} clean scripts found; the grammar fixtures alone are {productions}"
        );
    });
}

#[test]
fn every_production_has_a_fixture_that_shows_it() {
    with_big_stack(|| {
        let (g, m) = load();
        let dir = fixture("syntax/ok/grammar");
        let mut problems = Vec::new();
        for (i, p) in g.productions.iter().enumerate() {
            let path = dir.join(format!("{}.scp", p.name));
            let Ok(src) = std::fs::read(&path) else {
                problems.push(format!("{}: missing", path.display()));
                continue;
            };
            if !src.starts_with(b";") {
                problems.push(format!(
                    "{}.scp: the first line must be a comment saying what it shows",
                    p.name
                ));
            }
            let diags = parse(&src).diagnostics;
            if !diags.is_empty() {
                problems.push(format!(
                    "{}.scp: does not parse cleanly: {:?}",
                    p.name,
                    codes(&diags)
                ));
            }
            let tokens = lex(&src).tokens;
            let mut r = Recognizer::new(m, &tokens, &src);
            if r.some_match(i).is_none() {
                problems.push(format!(
                    "{}.scp: `{}` matches none of its tokens",
                    p.name, p.name
                ));
            }
        }
        // A fixture named after no production is left over from a renamed or removed one.
        for path in scripts_under(&dir) {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if g.get(&stem).is_none() {
                problems.push(format!("{}: no production `{stem}`", path.display()));
            }
        }
        assert!(
            problems.is_empty(),
            "grammar fixtures:\n{}",
            problems.join("\n")
        );
    });
}

#[test]
fn the_getip_side_condition_is_the_parsers() {
    // The same tokens, with the operand on `getip`'s line or on the next: on the same line
    // it is the operand, on the next line it must be a statement of its own.
    let (_, m) = load();
    let cases: &[(&[u8], bool)] = &[
        (b"proc main\nx = getip 2\nendproc\n", true),
        (b"proc main\nx = getip\n2\nendproc\n", false),
        (b"proc main\nx = getip\ny = 1\nendproc\n", true),
        (b"proc main\nx = getip y = 1\nendproc\n", false),
        (b"proc main\nx = getip - 1\nendproc\n", true),
        (b"proc main\ngetip\n$SUCCESS = TRUE\nendproc\n", true),
        (b"proc main\ngetip $SUCCESS = TRUE\nendproc\n", false),
    ];
    for &(src, ok) in cases {
        let clean = parse(src).diagnostics.is_empty();
        assert_eq!(clean, ok, "parser on {:?}", show(src));
        assert_eq!(
            matches!(recognize(m, src), Verdict::Derivable),
            ok,
            "grammar on {:?}",
            show(src)
        );
    }
    // The recognizer never sees a token kind the grammar cannot name in a clean script.
    assert!(!machine::is_symbol(TokenKind::Error));
}

/// The binary-operator levels of the grammar, loosest first. From `expr`, each production of
/// the shape `operand { op operand }` is one level, and its operand is the next; the chain
/// ends at the first production of another shape (`unary`). Returns the levels' operators
/// and the production that ends the chain.
fn operator_levels(g: &Grammar) -> (Vec<Vec<String>>, String) {
    fn terminals(e: &Expr) -> Option<Vec<String>> {
        match e {
            Expr::Term(t) => Some(vec![t.clone()]),
            Expr::Alt(alts) => alts
                .iter()
                .map(|a| match a {
                    Expr::Term(t) => Some(t.clone()),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    }
    let mut levels = Vec::new();
    let mut at = "expr".to_string();
    while let Some(p) = g.get(&at) {
        let next = match &p.body {
            Expr::Ref(next) => next.clone(),
            Expr::Seq(items) => match items.as_slice() {
                [Expr::Ref(operand), Expr::Rep(rest)] => match &**rest {
                    Expr::Seq(pair) if pair.len() == 2 && pair[1] == Expr::Ref(operand.clone()) => {
                        match terminals(&pair[0]) {
                            Some(ops) => {
                                levels.push(ops);
                                operand.clone()
                            }
                            None => break,
                        }
                    }
                    _ => break,
                },
                _ => break,
            },
            _ => break,
        };
        at = next;
    }
    (levels, at)
}

/// The expression assigned by the first statement of `main`.
fn assigned(src: &str) -> dialscript_syntax::ast::Expr {
    use dialscript_syntax::ast::StmtKind;
    let parsed = parse(src.as_bytes());
    assert!(
        parsed.diagnostics.is_empty(),
        "{src:?}: {:?}",
        codes(&parsed.diagnostics)
    );
    match &parsed.script.procs[0].body[0].kind {
        StmtKind::Assign { value, .. } => value.clone(),
        other => panic!("{src:?}: not an assignment: {other:?}"),
    }
}

#[test]
fn operator_levels_are_the_parsers() {
    // Recognizing token streams cannot see precedence: swapping two levels of the grammar
    // leaves the language unchanged. So compare the levels with the trees the parser builds.
    use dialscript_syntax::ast::ExprKind;
    let (g, _) = load();
    let (levels, tightest) = operator_levels(g);
    assert_eq!(
        levels.len(),
        6,
        "binary operator levels of the grammar: {levels:?}"
    );
    assert_eq!(tightest, "unary", "the production below the binary levels");
    let level = |op: &str| levels.iter().position(|l| l.iter().any(|o| o == op));
    let ops: Vec<&String> = levels.iter().flatten().collect();
    for o1 in &ops {
        for o2 in &ops {
            let src = format!("proc main\nx = a {o1} b {o2} c\nendproc\n");
            let e = assigned(&src);
            let ExprKind::Binary(top, operands) = &e.kind else {
                panic!("{src:?}: not a binary expression")
            };
            let (lhs, rhs) = &**operands;
            // With `o1` at the same level as `o2` or tighter, `a o1 b` is grouped first
            // (left associativity); otherwise `b o2 c` is.
            let (outer, inner, inner_op) = if level(o1) >= level(o2) {
                (o2, lhs, o1)
            } else {
                (o1, rhs, o2)
            };
            assert_eq!(top.symbol(), outer.as_str(), "{src:?}");
            assert!(
                matches!(&inner.kind, ExprKind::Binary(op, ..) if op.symbol() == inner_op.as_str()),
                "{src:?}: grouped as {e:?}"
            );
        }
        // Unary operators and `getip` with its operand bind tighter than any binary operator.
        for left in ["-a", "!a", "getip 1"] {
            let src = format!("proc main\nx = {left} {o1} b\nendproc\n");
            let e = assigned(&src);
            let ExprKind::Binary(top, operands) = &e.kind else {
                panic!("{src:?}: not a binary expression")
            };
            let lhs = &operands.0;
            assert_eq!(top.symbol(), o1.as_str(), "{src:?}");
            assert!(
                matches!(lhs.kind, ExprKind::Unary(..) | ExprKind::Getip(Some(_))),
                "{src:?}: grouped as {e:?}"
            );
        }
    }
}
