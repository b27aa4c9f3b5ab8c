//! The grammar file compiled against the real lexer, and a recognizer over token streams.
//!
//! Quoted terminals are resolved by lexing their text with `dialscript_syntax::lexer::lex`,
//! so the grammar and the lexer cannot disagree silently about what a terminal is: a quoted
//! word that the lexer does not reserve, or a symbol it does not know, is an error here.
//!
//! The recognizer computes, for a node and a start position, the set of positions where a
//! match can end, memoised per production and per repetition. The grammar has no left
//! recursion (every recursive reference is behind a token), which the recognizer checks as
//! it goes; so this simple scheme is complete, and the ambiguity of the grammar (where a
//! statement ends is decided only by what follows) costs no more than a set of positions.

use std::collections::{HashMap, HashSet};

use dialscript_syntax::lexer::lex;
use dialscript_syntax::token::{Kw, Token, TokenKind};

use crate::ebnf::{Class, Expr, Grammar};

/// A quoted terminal, as the lexer reads its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    /// A reserved word.
    Kw(Kw),
    /// An operator or punctuation token, with its text.
    Sym(TokenKind, String),
    /// An integer token with exactly this spelling (the values of `set port`).
    Int(String),
}

impl Term {
    /// Reads a quoted terminal's text with the real lexer: it must be exactly one token.
    pub fn resolve(text: &str) -> Result<Term, String> {
        let lexed = lex(text.as_bytes());
        let whole = lexed.tokens.len() == 2
            && lexed.diagnostics.is_empty()
            && lexed.tokens[0].span.start == 0
            && lexed.tokens[0].span.end as usize == text.len();
        if !whole {
            return Err(format!("the terminal {text:?} is not exactly one token"));
        }
        match lexed.tokens[0].kind {
            TokenKind::Kw(kw) => Ok(Term::Kw(kw)),
            TokenKind::Int => Ok(Term::Int(text.to_string())),
            kind if is_symbol(kind) => Ok(Term::Sym(kind, text.to_string())),
            TokenKind::Ident => Err(format!("the terminal {text:?} is not a reserved word")),
            other => Err(format!(
                "the terminal {text:?} lexes as {}",
                other.describe()
            )),
        }
    }
}

/// Whether a token kind is an operator or punctuation symbol (and not a word, a literal or a
/// marker the lexer adds).
pub fn is_symbol(kind: TokenKind) -> bool {
    !matches!(
        kind,
        TokenKind::Ident
            | TokenKind::Int
            | TokenKind::Str
            | TokenKind::UnclosedStr
            | TokenKind::Sys(_)
            | TokenKind::Kw(_)
            | TokenKind::Error
            | TokenKind::Eof
    )
}

/// A node of the compiled grammar; children are indices into [`Machine::nodes`].
#[derive(Clone, Debug)]
pub enum Node {
    Term(Term),
    Class(Class),
    /// A production, by index into [`Machine::prods`].
    Ref(usize),
    Seq(Vec<usize>),
    Alt(Vec<usize>),
    Opt(usize),
    Rep(usize),
    /// `getip`'s optional operand: present exactly when the next token is on the same line
    /// and can begin the operand. This is the grammar's side condition, read as the parser
    /// applies it.
    SameLine(usize),
}

/// A compiled production.
#[derive(Clone, Debug)]
pub struct Prod {
    pub name: String,
    pub body: usize,
}

/// The grammar, compiled.
#[derive(Debug)]
pub struct Machine {
    pub nodes: Vec<Node>,
    pub prods: Vec<Prod>,
    /// Whether a node can match the empty token sequence.
    pub nullable: Vec<bool>,
    /// For each node, the leaf nodes (terminals and classes) that can begin a match.
    pub first: Vec<Vec<usize>>,
    /// For each node, the [`token_id`]s of the tokens that can begin a match: a quick test
    /// before the exact one, which saves trying productions where they cannot start.
    pub first_mask: Vec<u128>,
}

/// A small number for each kind of token, for [`Machine::first_mask`]. Kinds without their
/// own number share the last one, which keeps the mask a safe over-approximation.
pub fn token_id(kind: TokenKind) -> u32 {
    const SYMBOLS: [TokenKind; 16] = [
        TokenKind::Plus,
        TokenKind::Minus,
        TokenKind::Star,
        TokenKind::Slash,
        TokenKind::Bang,
        TokenKind::Lt,
        TokenKind::Gt,
        TokenKind::Le,
        TokenKind::Ge,
        TokenKind::EqEq,
        TokenKind::Ne,
        TokenKind::Assign,
        TokenKind::LParen,
        TokenKind::RParen,
        TokenKind::Comma,
        TokenKind::Colon,
    ];
    let base = Kw::ALL.len() as u32;
    match kind {
        TokenKind::Kw(kw) => Kw::ALL
            .iter()
            .position(|k| *k == kw)
            .map_or(127, |i| i as u32),
        TokenKind::Ident => base,
        TokenKind::Int => base + 1,
        TokenKind::Str => base + 2,
        TokenKind::Sys(_) => base + 3,
        other => SYMBOLS
            .iter()
            .position(|k| *k == other)
            .map_or(127, |i| base + 4 + i as u32),
    }
}

/// The production whose optional operand carries the same-line side condition.
pub const GETIP_EXPR: &str = "getip_expr";

impl Machine {
    /// Compiles a grammar: resolves references and terminals and marks `getip`'s operand.
    pub fn compile(g: &Grammar) -> Result<Machine, String> {
        let mut m = Machine {
            nodes: Vec::new(),
            prods: Vec::new(),
            nullable: Vec::new(),
            first: Vec::new(),
            first_mask: Vec::new(),
        };
        let index: HashMap<&str, usize> = g
            .productions
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.as_str(), i))
            .collect();
        for p in &g.productions {
            let body = m
                .add(&p.body, &index)
                .map_err(|e| format!("line {}: {e}", p.line))?;
            m.prods.push(Prod {
                name: p.name.clone(),
                body,
            });
        }
        m.mark_getip_operand()?;
        m.analyse();
        Ok(m)
    }

    fn push(&mut self, n: Node) -> usize {
        self.nodes.push(n);
        self.nodes.len() - 1
    }

    fn add(&mut self, e: &Expr, index: &HashMap<&str, usize>) -> Result<usize, String> {
        let node = match e {
            Expr::Term(t) => Node::Term(Term::resolve(t)?),
            Expr::Class(c) => Node::Class(*c),
            Expr::Ref(name) => match index.get(name.as_str()) {
                Some(&i) => Node::Ref(i),
                None => return Err(format!("`{name}` is not defined")),
            },
            Expr::Seq(items) => {
                let ids = items
                    .iter()
                    .map(|i| self.add(i, index))
                    .collect::<Result<_, _>>()?;
                Node::Seq(ids)
            }
            Expr::Alt(items) => {
                let ids = items
                    .iter()
                    .map(|i| self.add(i, index))
                    .collect::<Result<_, _>>()?;
                Node::Alt(ids)
            }
            Expr::Opt(inner) => Node::Opt(self.add(inner, index)?),
            Expr::Rep(inner) => Node::Rep(self.add(inner, index)?),
        };
        Ok(self.push(node))
    }

    /// The side condition of `getip_expr` is written as a comment in the grammar, so the test
    /// attaches it by name. It insists on the shape `"getip" [ operand ]`, so that a change to
    /// the production cannot leave the condition attached to the wrong thing.
    fn mark_getip_operand(&mut self) -> Result<(), String> {
        let p = self
            .prod(GETIP_EXPR)
            .ok_or_else(|| format!("the grammar has no `{GETIP_EXPR}`"))?;
        let body = self.prods[p].body;
        let shape = match &self.nodes[body] {
            Node::Seq(items) if items.len() == 2 => {
                match (&self.nodes[items[0]], &self.nodes[items[1]]) {
                    (Node::Term(Term::Kw(Kw::Getip)), Node::Opt(operand)) => {
                        Some((items[1], *operand))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        let (opt, operand) =
            shape.ok_or_else(|| format!("`{GETIP_EXPR}` is not `\"getip\" [ operand ]`"))?;
        self.nodes[opt] = Node::SameLine(operand);
        Ok(())
    }

    /// The index of the production `name`.
    pub fn prod(&self, name: &str) -> Option<usize> {
        self.prods.iter().position(|p| p.name == name)
    }

    /// Computes `nullable` and `first` by iterating to a fixed point.
    fn analyse(&mut self) {
        let n = self.nodes.len();
        self.nullable = vec![false; n];
        self.first = vec![Vec::new(); n];
        loop {
            let mut changed = false;
            for id in 0..n {
                let (nullable, first) = self.step(id);
                if nullable != self.nullable[id] {
                    self.nullable[id] = nullable;
                    changed = true;
                }
                for f in first {
                    if !self.first[id].contains(&f) {
                        self.first[id].push(f);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let leaf_mask = |leaf: usize| -> u128 {
            match &self.nodes[leaf] {
                Node::Term(Term::Kw(kw)) => 1 << token_id(TokenKind::Kw(*kw)),
                Node::Term(Term::Sym(kind, _)) => 1 << token_id(*kind),
                Node::Term(Term::Int(_)) | Node::Class(Class::Integer) => {
                    1 << token_id(TokenKind::Int)
                }
                Node::Class(Class::Ident) => 1 << token_id(TokenKind::Ident),
                Node::Class(Class::Str) => 1 << token_id(TokenKind::Str),
                Node::Class(Class::SysVar) => {
                    1 << token_id(TokenKind::Sys(dialscript_syntax::ast::SysVar::UserId))
                }
                _ => 0,
            }
        };
        self.first_mask = self
            .first
            .iter()
            .map(|leaves| leaves.iter().fold(0, |m, &l| m | leaf_mask(l)))
            .collect();
    }

    fn step(&self, id: usize) -> (bool, Vec<usize>) {
        match &self.nodes[id] {
            Node::Term(_) | Node::Class(_) => (false, vec![id]),
            Node::Ref(p) => {
                let b = self.prods[*p].body;
                (self.nullable[b], self.first[b].clone())
            }
            Node::Seq(items) => {
                let mut first = Vec::new();
                for &i in items {
                    first.extend_from_slice(&self.first[i]);
                    if !self.nullable[i] {
                        return (false, first);
                    }
                }
                (true, first)
            }
            Node::Alt(items) => (
                items.iter().any(|&i| self.nullable[i]),
                items
                    .iter()
                    .flat_map(|&i| self.first[i].iter().copied())
                    .collect(),
            ),
            Node::Opt(i) | Node::Rep(i) | Node::SameLine(i) => (true, self.first[*i].clone()),
        }
    }

    /// Whether the leaf node `leaf` matches token `t` of a file with bytes `src`.
    pub fn leaf_matches(&self, leaf: usize, t: &Token, src: &[u8]) -> bool {
        match &self.nodes[leaf] {
            Node::Term(Term::Kw(kw)) => t.kind == TokenKind::Kw(*kw),
            Node::Term(Term::Sym(kind, _)) => t.kind == *kind,
            Node::Term(Term::Int(text)) => {
                t.kind == TokenKind::Int && src.get(t.span.range()) == Some(text.as_bytes())
            }
            Node::Class(Class::Ident) => t.kind == TokenKind::Ident,
            Node::Class(Class::Integer) => t.kind == TokenKind::Int,
            Node::Class(Class::Str) => t.kind == TokenKind::Str,
            Node::Class(Class::SysVar) => matches!(t.kind, TokenKind::Sys(_)),
            _ => false,
        }
    }

    /// The productions that refer to themselves with no token before the reference, directly
    /// or through others. The recognizer would not terminate on them.
    pub fn left_recursive(&self) -> Vec<String> {
        // Edges: production -> productions that can be the first thing it matches.
        let starts: Vec<Vec<usize>> = self
            .prods
            .iter()
            .map(|p| {
                let mut out = Vec::new();
                self.leading_refs(p.body, &mut out);
                out
            })
            .collect();
        (0..self.prods.len())
            .filter(|&p| {
                let mut seen = HashSet::new();
                let mut stack = starts[p].clone();
                while let Some(q) = stack.pop() {
                    if q == p {
                        return true;
                    }
                    if seen.insert(q) {
                        stack.extend_from_slice(&starts[q]);
                    }
                }
                false
            })
            .map(|p| self.prods[p].name.clone())
            .collect()
    }

    fn leading_refs(&self, id: usize, out: &mut Vec<usize>) {
        match &self.nodes[id] {
            Node::Term(_) | Node::Class(_) => {}
            Node::Ref(p) => out.push(*p),
            Node::Seq(items) => {
                for &i in items {
                    self.leading_refs(i, out);
                    if !self.nullable[i] {
                        break;
                    }
                }
            }
            Node::Alt(items) => items.iter().for_each(|&i| self.leading_refs(i, out)),
            Node::Opt(i) | Node::Rep(i) | Node::SameLine(i) => self.leading_refs(*i, out),
        }
    }
}

/// How deep the recognizer may recurse before it gives up on a file. Scripts the parser
/// accepts nest at most 100 blocks and 100 parentheses deep, which needs a few thousand
/// levels; deeper input is a limits test's business, not this one's.
pub const MAX_RECURSION: usize = 20_000;

/// Matches the grammar against one token stream.
pub struct Recognizer<'m, 'a> {
    m: &'m Machine,
    toks: &'a [Token],
    /// [`token_id`] of each token, as a one-bit mask.
    bits: Vec<u128>,
    src: &'a [u8],
    /// For each node, its row in `memo` if it is memoised (productions and repetitions).
    slot: Vec<Option<usize>>,
    /// Row `slot`, column `p`: 0 when not yet asked, 1 while being computed (asked again
    /// then means left recursion), and `k + 2` when done, with the ends in `sets[k]`.
    memo: Vec<u32>,
    /// The computed sets of ends, as ranges of `pool`.
    sets: Vec<(usize, usize)>,
    pool: Vec<u32>,
    depth: usize,
    furthest: u32,
    /// Set when [`MAX_RECURSION`] was reached: the answers are then incomplete.
    pub too_deep: bool,
}

impl<'m, 'a> Recognizer<'m, 'a> {
    /// A recognizer for `toks` (the lexer's tokens, with or without the final `Eof`) of the
    /// file `src`.
    pub fn new(m: &'m Machine, toks: &'a [Token], src: &'a [u8]) -> Self {
        let toks = match toks.last() {
            Some(t) if t.kind == TokenKind::Eof => &toks[..toks.len() - 1],
            _ => toks,
        };
        let mut rows = 0;
        let slot = m
            .nodes
            .iter()
            .map(|n| {
                matches!(n, Node::Ref(_) | Node::Rep(_)).then(|| {
                    rows += 1;
                    rows - 1
                })
            })
            .collect();
        Recognizer {
            m,
            toks,
            bits: toks.iter().map(|t| 1u128 << token_id(t.kind)).collect(),
            src,
            slot,
            memo: vec![0; rows * (toks.len() + 1)],
            sets: Vec::new(),
            pool: Vec::new(),
            depth: 0,
            furthest: 0,
            too_deep: false,
        }
    }

    /// The number of tokens, not counting `Eof`.
    pub fn len(&self) -> u32 {
        self.toks.len() as u32
    }

    /// The index just past the furthest token that any attempted match took: where the
    /// grammar got stuck, for messages.
    pub fn furthest(&self) -> u32 {
        self.furthest
    }

    /// Whether production `prod` derives the whole token stream.
    pub fn derives_all(&mut self, prod: usize) -> bool {
        let n = self.len();
        self.ends(self.m.prods[prod].body, 0).contains(&n)
    }

    /// A non-empty span of tokens `[start, end)` that production `prod` derives, if any.
    pub fn some_match(&mut self, prod: usize) -> Option<(u32, u32)> {
        let body = self.m.prods[prod].body;
        (0..self.len()).find_map(|p| {
            let ends = self.ends(body, p);
            ends.iter().rev().find(|&&e| e > p).map(|&e| (p, e))
        })
    }

    /// Every position where a match of `node` starting at `p` can end, sorted.
    pub fn ends(&mut self, node: usize, p: u32) -> Vec<u32> {
        let mut out = Vec::new();
        self.push_ends(node, p, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Appends to `out` every position where a match of `node` starting at `p` can end, in
    /// no particular order and possibly repeated.
    fn push_ends(&mut self, node: usize, p: u32, out: &mut Vec<u32>) {
        let next = self.bits.get(p as usize).copied().unwrap_or(0);
        if next & self.m.first_mask[node] == 0 {
            // No match can begin with the next token; only an empty one is possible.
            if self.m.nullable[node] {
                out.push(p);
            }
            return;
        }
        let Some(row) = self.slot[node] else {
            self.compute(node, p, out);
            return;
        };
        let at = row * (self.toks.len() + 1) + p as usize;
        match self.memo[at] {
            0 => {}
            1 => {
                let name = match self.m.nodes[node] {
                    Node::Ref(i) => self.m.prods[i].name.as_str(),
                    _ => "a repetition",
                };
                panic!(
                    "left recursion through `{name}`: the recognizer needs a grammar without it"
                );
            }
            done => {
                let (start, end) = self.sets[done as usize - 2];
                out.extend_from_slice(&self.pool[start..end]);
                return;
            }
        }
        self.memo[at] = 1;
        self.depth += 1;
        let mut ends = Vec::new();
        if self.depth > MAX_RECURSION {
            self.too_deep = true;
        } else {
            self.compute(node, p, &mut ends);
        }
        self.depth -= 1;
        ends.sort_unstable();
        ends.dedup();
        out.extend_from_slice(&ends);
        let start = self.pool.len();
        self.pool.extend_from_slice(&ends);
        self.sets.push((start, self.pool.len()));
        self.memo[at] = self.sets.len() as u32 + 1;
    }

    fn compute(&mut self, node: usize, p: u32, out: &mut Vec<u32>) {
        let m = self.m;
        match &m.nodes[node] {
            Node::Term(_) | Node::Class(_) => {
                if let Some(t) = self.toks.get(p as usize)
                    && m.leaf_matches(node, t, self.src)
                {
                    self.furthest = self.furthest.max(p + 1);
                    out.push(p + 1);
                }
            }
            Node::Ref(i) => self.push_ends(m.prods[*i].body, p, out),
            Node::Seq(items) => {
                let mut at = vec![p];
                let mut next = Vec::new();
                for (k, &item) in items.iter().enumerate() {
                    next.clear();
                    for &q in &at {
                        self.push_ends(item, q, &mut next);
                    }
                    if k + 1 == items.len() {
                        out.extend_from_slice(&next);
                        return;
                    }
                    next.sort_unstable();
                    next.dedup();
                    if next.is_empty() {
                        return;
                    }
                    std::mem::swap(&mut at, &mut next);
                }
            }
            Node::Alt(items) => {
                for &item in items {
                    self.push_ends(item, p, out);
                }
            }
            Node::Opt(inner) => {
                out.push(p);
                self.push_ends(*inner, p, out);
            }
            Node::Rep(inner) => {
                let mut seen = HashSet::from([p]);
                let mut work = vec![p];
                let mut step = Vec::new();
                while let Some(q) = work.pop() {
                    step.clear();
                    self.push_ends(*inner, q, &mut step);
                    for &e in &step {
                        if e != q && seen.insert(e) {
                            work.push(e);
                        }
                    }
                }
                out.extend(seen);
            }
            Node::SameLine(inner) => {
                let takes = match self.toks.get(p as usize) {
                    Some(t) => {
                        !t.line_start
                            && m.first[*inner]
                                .iter()
                                .any(|&leaf| m.leaf_matches(leaf, t, self.src))
                    }
                    None => false,
                };
                if takes {
                    self.push_ends(*inner, p, out);
                } else {
                    out.push(p);
                }
            }
        }
    }
}
