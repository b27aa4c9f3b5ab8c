//! Seeded random derivations from the compiled grammar, and their rendering as script text.
//!
//! Derivations are bounded: the deeper the generator is in the grammar, the likelier it picks
//! the alternative that ends soonest and the less it repeats, and past the depth limit it
//! only picks such alternatives. Token spellings come from small pools of valid, unreserved
//! spellings, and keywords come in mixed case, since the language ignores case.

use dialscript_syntax::token::Kw;

use crate::ebnf::Class;
use crate::machine::{Machine, Node, Term};

/// A small deterministic generator (SplitMix64), so that a failure names a seed that
/// reproduces it on any machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; `n` must not be zero.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64) / ((1u64 << 53) as f64) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Names that the lexer reads as IDENT. None is reserved, and none is one of the switch.inf
/// keys (`command`, `ok`, `connect`, `error`, `noresponse`, `loop`) that the parser refuses
/// as the target of an undeclared assignment. `else`, `end` and `main` are here because the
/// spec says they are ordinary names.
pub const IDENTS: &[&str] = &[
    "main",
    "Login",
    "tries",
    "_tmp",
    "x1",
    "else",
    "END",
    "Exit",
    "ipaddr2",
    "TRUEish",
    "a_b_c",
    "RetryCount",
];

/// Integer spellings, up to 2147483648, the largest literal the parser takes.
pub const INTEGERS: &[&str] = &[
    "0",
    "1",
    "7",
    "30",
    "0042",
    "65535",
    "2147483647",
    "2147483648",
];

/// String literals, closed on their line: escapes, a Windows-1252 byte, and text that would
/// mean something outside a string.
pub const STRINGS: &[&[u8]] = &[
    b"\"\"",
    b"\"ogin:\"",
    b"\"a\\\"b\"",
    b"\"^M<cr><lf>\"",
    b"\"\\\\\"",
    b"\"caf\xE9 ; not a comment\"",
    b"\"192.168.1.2\"",
    b"\"$USERID endproc\"",
];

/// The four system variables, in several cases.
pub const SYSVARS: &[&str] = &["$USERID", "$password", "$Success", "$FAILURE"];

/// Line ends between statements, some with comments.
const LINE_ENDS: &[&[u8]] = &[
    b"\n",
    b"\r\n",
    b"\r",
    b" ; a comment\n",
    b"\t; \"quoted\" endproc $NOPE\r\n",
    b"\n\n  ",
    b"\n\t",
];

/// Spaces between tokens of a statement.
const SPACES: &[&[u8]] = &[b" ", b" ", b" ", b"\t", b"  ", b"\x0B", b"\x0C"];

/// One piece of a generated sentence.
#[derive(Clone, Debug)]
pub enum Item {
    /// A token's spelling.
    Tok(Vec<u8>),
    /// A statement ended here: the next token goes on a new line.
    StmtEnd,
    /// The next token must stay on this line (it begins `getip`'s operand).
    Glue,
}

/// Where the generator has been: for each node, how often each choice was taken
/// (alternations: by index; options: 0 absent, 1 present; repetitions: 0, 1, or 2 and more;
/// productions: 0 when used).
pub type Coverage = Vec<Vec<u32>>;

/// The generator.
pub struct Generator<'m> {
    m: &'m Machine,
    pub rng: Rng,
    max_depth: u32,
    /// About how many items a sentence should have.
    budget: u32,
    /// The least number of nested productions a node needs to derive a sentence.
    cost: Vec<u32>,
    stmt: Option<usize>,
    pub coverage: Coverage,
    out: Vec<Item>,
}

impl<'m> Generator<'m> {
    pub fn new(m: &'m Machine, max_depth: u32, budget: u32) -> Self {
        Generator {
            m,
            rng: Rng::new(0),
            max_depth,
            budget,
            cost: costs(m),
            stmt: m.prod("stmt"),
            coverage: vec![Vec::new(); m.nodes.len()],
            out: Vec::new(),
        }
    }

    /// The productions that cannot derive any finite sentence (none, in a usable grammar).
    pub fn infinite_productions(&self) -> Vec<String> {
        self.m
            .prods
            .iter()
            .filter(|p| self.cost[p.body] == INFINITE)
            .map(|p| p.name.clone())
            .collect()
    }

    /// One derivation of production `prod`, from a fresh generator state seeded by `seed`.
    pub fn sentence(&mut self, prod: usize, seed: u64) -> Vec<Item> {
        self.rng = Rng::new(seed);
        self.out.clear();
        self.derive(self.m.prods[prod].body, 0);
        std::mem::take(&mut self.out)
    }

    /// How strongly to steer towards short derivations, from 0 to 1: the deeper, and the more
    /// tokens already written, the stronger. Without the token budget the six levels of
    /// binary operators, each repeating, make expressions grow geometrically.
    fn pressure(&self, depth: u32) -> f64 {
        let by_depth = f64::from(depth.min(self.max_depth)) / f64::from(self.max_depth);
        let by_size = (self.out.len() as f64 / f64::from(self.budget)).min(1.0);
        by_depth.max(by_size)
    }

    /// Whether to take an option or one more repetition at this depth.
    fn grow(&mut self, depth: u32) -> bool {
        let slack = 1.0 - self.pressure(depth);
        depth < self.max_depth && self.rng.chance(0.9 * slack * slack)
    }

    fn hit(&mut self, node: usize, choice: usize) {
        let counts = &mut self.coverage[node];
        if counts.len() <= choice {
            counts.resize(choice + 1, 0);
        }
        counts[choice] += 1;
    }

    fn derive(&mut self, node: usize, depth: u32) {
        let m = self.m;
        match &m.nodes[node] {
            Node::Term(t) => {
                let spelling = self.spell(t);
                self.out.push(Item::Tok(spelling));
            }
            Node::Class(c) => {
                let spelling = match c {
                    Class::Ident => self.rng.pick(IDENTS).as_bytes().to_vec(),
                    Class::Integer => self.rng.pick(INTEGERS).as_bytes().to_vec(),
                    Class::Str => self.rng.pick(STRINGS).to_vec(),
                    Class::SysVar => self.rng.pick(SYSVARS).as_bytes().to_vec(),
                };
                self.out.push(Item::Tok(spelling));
            }
            Node::Ref(p) => {
                self.hit(node, 0);
                self.derive(m.prods[*p].body, depth + 1);
                if Some(*p) == self.stmt {
                    self.out.push(Item::StmtEnd);
                }
            }
            Node::Seq(items) => {
                for &item in items {
                    self.derive(item, depth);
                }
            }
            Node::Alt(items) => {
                let k = if depth >= self.max_depth || self.rng.chance(self.pressure(depth)) {
                    let best = items.iter().map(|&i| self.cost[i]).min().unwrap_or(0);
                    let cheapest: Vec<usize> = (0..items.len())
                        .filter(|&k| self.cost[items[k]] == best)
                        .collect();
                    *self.rng.pick(&cheapest)
                } else {
                    self.rng.below(items.len())
                };
                self.hit(node, k);
                self.derive(items[k], depth);
            }
            Node::Opt(inner) | Node::SameLine(inner) => {
                let take = self.grow(depth);
                self.hit(node, usize::from(take));
                if take {
                    if matches!(m.nodes[node], Node::SameLine(_)) {
                        self.out.push(Item::Glue);
                    }
                    self.derive(*inner, depth);
                }
            }
            Node::Rep(inner) => {
                let mut n = 0;
                while n < 5 && self.grow(depth) {
                    self.derive(*inner, depth);
                    n += 1;
                }
                self.hit(node, n.min(2));
            }
        }
    }

    /// A terminal's spelling; reserved words in one of several cases.
    fn spell(&mut self, t: &Term) -> Vec<u8> {
        match t {
            Term::Kw(kw) => spell_kw(*kw, self.rng.below(4)).into_bytes(),
            Term::Sym(_, text) | Term::Int(text) => text.as_bytes().to_vec(),
        }
    }
}

/// A reserved word as the spec writes it, in lower case, in upper case or capitalised.
pub fn spell_kw(kw: Kw, variant: usize) -> String {
    let s = kw.as_str();
    match variant {
        0 => s.to_string(),
        1 => s.to_ascii_lowercase(),
        2 => s.to_ascii_uppercase(),
        _ => {
            let lower = s.to_ascii_lowercase();
            let mut c = lower.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        }
    }
}

const INFINITE: u32 = u32::MAX / 2;

/// For each node, the least depth of nested productions it needs to derive a sentence,
/// computed as a fixed point from "infinite".
fn costs(m: &Machine) -> Vec<u32> {
    let mut cost = vec![INFINITE; m.nodes.len()];
    loop {
        let mut changed = false;
        for id in 0..m.nodes.len() {
            let c = match &m.nodes[id] {
                Node::Term(_)
                | Node::Class(_)
                | Node::Opt(_)
                | Node::Rep(_)
                | Node::SameLine(_) => 0,
                Node::Ref(p) => cost[m.prods[*p].body].saturating_add(1).min(INFINITE),
                Node::Seq(items) => items.iter().map(|&i| cost[i]).max().unwrap_or(0),
                Node::Alt(items) => items.iter().map(|&i| cost[i]).min().unwrap_or(INFINITE),
            };
            if c < cost[id] {
                cost[id] = c;
                changed = true;
            }
        }
        if !changed {
            return cost;
        }
    }
}

/// Whether two tokens may be written with nothing between them and still lex as the same
/// two tokens: not two words or numbers, and not two symbols that form a longer one.
fn can_touch(left: &[u8], right: &[u8]) -> bool {
    let (Some(&a), Some(&b)) = (left.last(), right.first()) else {
        return false;
    };
    let wordy = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let one_word = wordy(a) && wordy(b);
    let longer_symbol = matches!([a, b], [b'<' | b'>' | b'=' | b'!', b'=']);
    !(one_word || longer_symbol)
}

/// How the gap between two tokens may be written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gap {
    /// A line end is required.
    Break,
    /// A line end is not allowed.
    Same,
    /// Either.
    Free,
}

fn separator(rng: &mut Rng, gap: Gap, left: &[u8], right: &[u8], breaks: f64) -> &'static [u8] {
    let line_end = match gap {
        Gap::Break => true,
        Gap::Same => false,
        Gap::Free => rng.chance(breaks),
    };
    if line_end {
        rng.pick::<&[u8]>(LINE_ENDS)
    } else if can_touch(left, right) && rng.chance(0.2) {
        b""
    } else {
        rng.pick::<&[u8]>(SPACES)
    }
}

/// Writes a whole file around the tokens: sometimes a byte-order mark and leading comments,
/// always a final line end, sometimes a Ctrl-Z with rubbish after it.
fn frame(rng: &mut Rng, body: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    if rng.chance(0.05) {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    if rng.chance(0.3) {
        out.extend_from_slice(b"; generated; proc main \"not a string\r\n\r\n");
    }
    out.extend(body);
    out.extend_from_slice(rng.pick::<&[u8]>(LINE_ENDS));
    if rng.chance(0.05) {
        out.extend_from_slice(b"\x1Aendif \"unclosed\n$NOPE");
    }
    out
}

/// Writes a generated sentence as a script: a line end after every statement, never a line
/// end before `getip`'s operand, and elsewhere mostly spaces with the odd line end.
pub fn render(items: &[Item], rng: &mut Rng) -> Vec<u8> {
    let mut body = Vec::new();
    let mut gap = None;
    let mut prev: &[u8] = b"";
    for item in items {
        match item {
            Item::StmtEnd => gap = Some(Gap::Break),
            Item::Glue => gap = Some(Gap::Same),
            Item::Tok(t) => {
                if !body.is_empty() {
                    body.extend_from_slice(separator(rng, gap.unwrap_or(Gap::Free), prev, t, 0.1));
                }
                body.extend_from_slice(t);
                prev = t;
                gap = None;
            }
        }
    }
    frame(rng, body)
}

/// Writes bare tokens, with line ends anywhere.
pub fn render_tokens(toks: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let mut body = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if i > 0 {
            body.extend_from_slice(separator(rng, Gap::Free, &toks[i - 1], t, 0.25));
        }
        body.extend_from_slice(t);
    }
    frame(rng, body)
}

/// The token spellings of a sentence.
pub fn tokens(items: &[Item]) -> Vec<Vec<u8>> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Tok(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

/// Every spelling the generator uses: the grammar's terminals and the class pools.
pub fn spellings(m: &Machine) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for n in &m.nodes {
        if let Node::Term(t) = n {
            let s = match t {
                Term::Kw(kw) => kw.as_str().as_bytes().to_vec(),
                Term::Sym(_, text) | Term::Int(text) => text.as_bytes().to_vec(),
            };
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out.extend(IDENTS.iter().map(|s| s.as_bytes().to_vec()));
    out.extend(INTEGERS.iter().map(|s| s.as_bytes().to_vec()));
    out.extend(STRINGS.iter().map(|s| s.to_vec()));
    out.extend(SYSVARS.iter().map(|s| s.as_bytes().to_vec()));
    out
}

/// Changes a token list in one of five ways: delete, duplicate, swap with the next, insert
/// a spelling, or replace with one.
pub fn mutate(toks: &mut Vec<Vec<u8>>, pool: &[Vec<u8>], rng: &mut Rng) {
    let n = toks.len();
    match (rng.below(5), n) {
        (3, _) | (_, 0) => toks.insert(rng.below(n + 1), rng.pick(pool).clone()),
        (0, _) => {
            toks.remove(rng.below(n));
        }
        (1, _) => {
            let i = rng.below(n);
            toks.insert(i, toks[i].clone());
        }
        (2, _) if n > 1 => {
            let i = rng.below(n - 1);
            toks.swap(i, i + 1);
        }
        _ => {
            let i = rng.below(n);
            toks[i] = rng.pick(pool).clone();
        }
    }
}
