//! The parser: tokens to [`Script`], never failing.
//!
//! `parse` lexes the bytes, then walks the tokens with nom parsers (`input::Toks` implements
//! nom's `Input`). Every error becomes a [`Diagnostic`]; after one, the parser skips to the next
//! statement and goes on, so each independent mistake is reported once, at its place.
//!
//! Naming: `parse_*` functions return a construct or a `PErr`; `block` and `script` never
//! fail and report what they find. Block nesting and expression nesting are limited to
//! [`MAX_DEPTH`] levels so that no input can overflow the stack, here or in the recursive
//! walks of later stages.

mod expr;
pub(crate) mod input;
mod stmt;

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashSet;

use crate::ast::{Ident, Name, Proc, Script};
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::lexer;
use crate::span::Span;
use crate::token::{Kw, Token, TokenKind};
use input::{PErr, Toks};

/// The deepest nesting of blocks, and of parentheses and unary operators, that the parser
/// accepts; binary-operator chains may be twice as deep.
pub const MAX_DEPTH: u32 = 100;

/// The largest script the parser accepts, in bytes (spans are 32-bit).
pub const MAX_FILE_SIZE: usize = u32::MAX as usize - 1;

/// The result of parsing: the syntax tree, every diagnostic, and the comments.
#[derive(Debug, Clone)]
pub struct Parse {
    /// The tree; parts that did not parse are left out or stand as [`crate::ast::ExprKind::Error`].
    pub script: Script,
    /// Syntax diagnostics in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// The spans of all `;` comments (the checker reads suppressions from them).
    pub comments: Vec<Span>,
}

impl Parse {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::diagnostic::Severity::Error)
    }
}

/// Parses a script. Never fails and never panics: what cannot be parsed is reported.
///
/// ```
/// let parse = dialscript_syntax::parse(b"proc main\n  waitfor \"ogin:\" until 30\nendproc\n");
/// assert!(parse.diagnostics.is_empty());
/// assert_eq!(parse.script.procs[0].body.len(), 1);
/// ```
pub fn parse(bytes: &[u8]) -> Parse {
    if bytes.len() > MAX_FILE_SIZE {
        return Parse {
            script: Script::default(),
            diagnostics: vec![
                Diagnostic::error(
                    codes::FILE_TOO_LARGE,
                    Span::empty(0),
                    format!(
                        "the script is {} bytes, more than the 4 GiB a script may have",
                        bytes.len()
                    ),
                )
                .with_help("check that this file is really a script"),
            ],
            comments: Vec::new(),
        };
    }
    let lexed = lexer::lex_reusing(bytes, SPARE_TOKENS.take());
    let cx = Cx {
        src: bytes,
        all: &lexed.tokens,
        diags: RefCell::new(lexed.diagnostics),
        blocks: RefCell::new(smallvec::SmallVec::new()),
        pending: RefCell::new(pending_stack()),
        nest: Cell::new(0),
        declared: RefCell::new(HashSet::new()),
        lines: OnceCell::new(),
    };
    let script = script(
        &cx,
        Toks {
            toks: &lexed.tokens,
        },
    );
    let pending = cx.pending.into_inner();
    if pending.capacity() <= SPARE_STMTS_MAX {
        SPARE_STMTS.set(pending);
    }
    let mut diagnostics = cx.diags.into_inner();
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    if lexed.tokens.capacity() <= SPARE_TOKENS_MAX {
        SPARE_TOKENS.set(lexed.tokens);
    }
    Parse {
        script,
        diagnostics,
        comments: lexed.comments,
    }
}

thread_local! {
    /// The token buffer of the thread's last parse, kept for the next one. A fresh buffer per
    /// script was the one large allocation of each parse, and with glibc's allocator a large
    /// request first merges all the small blocks the previous tree freed: reusing the buffer
    /// made parsing a corpus of typical scripts about a tenth faster.
    static SPARE_TOKENS: Cell<Vec<Token>> = const { Cell::new(Vec::new()) };

    /// The statement stack of the thread's last parse (see [`Cx::pending`]), kept empty for
    /// the next one.
    static SPARE_STMTS: Cell<Vec<crate::ast::Stmt>> = const { Cell::new(Vec::new()) };
}

/// The thread's spare statement stack, holding just its bottom marker.
fn pending_stack() -> Vec<crate::ast::Stmt> {
    let mut stack = SPARE_STMTS.take();
    stack.truncate(1);
    if stack.is_empty() {
        stack.push(crate::ast::Stmt {
            kind: crate::ast::StmtKind::Halt,
            span: Span::default(),
        });
    }
    stack
}

/// The largest statement stack kept for reuse (1,024 statements, 88 KiB).
const SPARE_STMTS_MAX: usize = 1 << 10;

/// The largest token buffer kept for reuse (16,384 tokens, 192 KiB; a typical script has a
/// few hundred tokens), so that one huge script does not pin its memory to the thread.
const SPARE_TOKENS_MAX: usize = 1 << 14;

/// The kinds of block, for matching closing keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BlockKind {
    Proc,
    If,
    While,
}

impl BlockKind {
    fn opener(self) -> &'static str {
        match self {
            BlockKind::Proc => "proc",
            BlockKind::If => "if",
            BlockKind::While => "while",
        }
    }

    fn closer(self) -> &'static str {
        match self {
            BlockKind::Proc => "endproc",
            BlockKind::If => "endif",
            BlockKind::While => "endwhile",
        }
    }

    fn closed_by(kw: Kw) -> Option<BlockKind> {
        match kw {
            Kw::Endproc => Some(BlockKind::Proc),
            Kw::Endif => Some(BlockKind::If),
            Kw::Endwhile => Some(BlockKind::While),
            _ => None,
        }
    }
}

/// Parser state shared by all parsers of one run. Interior mutability lets nom-style
/// functions (which take `&Cx`) report diagnostics as they go.
pub(crate) struct Cx<'a> {
    pub(crate) src: &'a [u8],
    all: &'a [Token],
    diags: RefCell<Vec<Diagnostic>>,
    /// Open blocks, innermost last, with the span of their opening keyword. Real scripts
    /// nest a few levels; room for eight spares each parse an allocation.
    blocks: RefCell<smallvec::SmallVec<[(BlockKind, Span); 8]>>,
    /// The statements of the open blocks, innermost block's last. A block's statements are
    /// moved from here into a vector of their exact number when it closes: growing each
    /// block's vector as its statements arrive cost three reallocations and copies for a
    /// typical `main`. The bottom element is a marker that belongs to no block.
    pending: RefCell<Vec<crate::ast::Stmt>>,
    /// Current depth of parentheses and unary operators.
    pub(crate) nest: Cell<u32>,
    /// Names declared so far that are also switch.inf keys, to tell a `COMMAND=` line of
    /// switch.inf from an assignment to a variable of that name.
    pub(crate) declared: RefCell<HashSet<Name>>,
    lines: OnceCell<Vec<u32>>,
}

impl<'a> Cx<'a> {
    pub(crate) fn text(&self, span: Span) -> &'a [u8] {
        &self.src[span.range()]
    }

    pub(crate) fn ident(&self, t: Token) -> Ident {
        let text = self.text(t.span);
        // The lexer makes names of ASCII letters, digits and `_` only; the lossy conversion
        // is there so that no input can make this fail.
        let name = Name::from_ascii_at(self.src, t.span.start as usize, text.len())
            .unwrap_or_else(|| Name::new(&String::from_utf8_lossy(text)));
        Ident { name, span: t.span }
    }

    pub(crate) fn report(&self, d: Diagnostic) {
        self.diags.borrow_mut().push(d);
    }

    pub(crate) fn report_err(&self, e: nom::Err<PErr>) {
        match e {
            nom::Err::Error(PErr(Some(d))) | nom::Err::Failure(PErr(Some(d))) => self.report(*d),
            _ => {}
        }
    }

    /// 1-based line of a byte offset.
    pub(crate) fn line_of(&self, offset: u32) -> usize {
        let lines = self
            .lines
            .get_or_init(|| crate::source::line_starts(self.src));
        match lines.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// How a message shows a token: its text in backticks, or a description.
    pub(crate) fn found(&self, t: Token) -> String {
        match t.kind {
            TokenKind::Eof => "end of file".to_string(),
            TokenKind::Str | TokenKind::UnclosedStr => "a string".to_string(),
            _ => {
                let text = String::from_utf8_lossy(self.text(t.span));
                if text.len() > 24 {
                    // `str::floor_char_boundary` is newer than the minimum Rust version.
                    let mut end = 24;
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    format!("`{}...`", &text[..end])
                } else {
                    format!("`{text}`")
                }
            }
        }
    }

    /// End offset of the token before `i`.
    pub(crate) fn prev_end(&self, i: Toks<'a>) -> u32 {
        let idx = self.all.len() - i.toks.len();
        if idx == 0 {
            0
        } else {
            self.all[idx - 1].span.end
        }
    }

    /// "expected WHAT, found X". When X starts a new line (or is the end of the file) the
    /// error points just after the previous token, where the missing piece belongs.
    pub(crate) fn expected(&self, i: Toks<'a>, what: &str) -> Diagnostic {
        let t = i.peek();
        let message = format!("expected {what}, found {}", self.found(t));
        if t.line_start {
            let at = self.prev_end(i);
            Diagnostic::error(codes::UNEXPECTED_TOKEN, Span::empty(at), message)
                .with_label(format!("expected {what} here"))
        } else {
            Diagnostic::error(codes::UNEXPECTED_TOKEN, t.span, message)
                .with_label(format!("expected {what}"))
        }
    }

    pub(crate) fn fail<T>(&self, d: Diagnostic) -> Result<T, nom::Err<PErr>> {
        Err(nom::Err::Error(PErr::from(d)))
    }

    fn unclosed(&self, kind: BlockKind, open: Span, found: Token, found_at: Toks<'a>) {
        let line = self.line_of(open.start);
        let message = format!(
            "expected `{}` to close the `{}` on line {line}, found {}",
            kind.closer(),
            kind.opener(),
            self.found(found)
        );
        let at = if found.kind == TokenKind::Eof || found.line_start {
            Span::empty(self.prev_end(found_at))
        } else {
            found.span
        };
        self.report(
            Diagnostic::error(codes::UNCLOSED_BLOCK, at, message)
                .with_label(format!("`{}` missing here", kind.closer()))
                .with_related(open, format!("this `{}` is not closed", kind.opener()))
                .with_help(format!(
                    "add `{}` where the `{}` block ends",
                    kind.closer(),
                    kind.opener()
                )),
        );
    }

    fn unmatched(&self, t: Token, kind: BlockKind) {
        let open = self.blocks.borrow().last().copied();
        let mut d = Diagnostic::error(
            codes::UNMATCHED_BLOCK_END,
            t.span,
            format!("`{}` without a matching `{}`", kind.closer(), kind.opener()),
        )
        .with_label(format!("no `{}` is open here", kind.opener()));
        // Pointing at the enclosing `proc` helps nobody: only an open `if` or `while` (closed
        // with the wrong keyword) is worth showing.
        if let Some((open_kind, open_span)) = open.filter(|(k, _)| *k != BlockKind::Proc) {
            d = d
                .with_related(
                    open_span,
                    format!("the innermost open block is this `{}`", open_kind.opener()),
                )
                .with_help(format!(
                    "remove it, or close the `{}` with `{}`",
                    open_kind.opener(),
                    open_kind.closer()
                ));
        } else {
            d = d.with_help(format!(
                "remove it, or add the `{}` it should close",
                kind.opener()
            ));
        }
        self.report(d);
    }

    /// Whether a block of `kind` encloses the innermost one.
    fn encloses(&self, kind: BlockKind) -> bool {
        let blocks = self.blocks.borrow();
        let n = blocks.len();
        n > 1 && blocks[..n - 1].iter().any(|(k, _)| *k == kind)
    }

    /// How many `if` and `while` blocks are open. The enclosing `proc` does not count: the
    /// limit is on the nesting a user writes inside a procedure.
    pub(crate) fn block_depth(&self) -> u32 {
        let blocks = self.blocks.borrow();
        let in_proc = blocks.first().is_some_and(|(k, _)| *k == BlockKind::Proc);
        (blocks.len() - usize::from(in_proc)) as u32
    }
}

/// Whether a token can begin a statement, for recovery. Keywords that only begin statements
/// count anywhere; names, system variables and strings only at the start of a line, since
/// they also appear inside statements.
fn resumes_here(t: Token) -> bool {
    match t.kind {
        TokenKind::Kw(
            Kw::Proc
            | Kw::Endproc
            | Kw::Endif
            | Kw::Endwhile
            | Kw::If
            | Kw::While
            | Kw::Delay
            | Kw::Goto
            | Kw::Halt
            | Kw::Set
            | Kw::Transmit
            | Kw::Waitfor
            | Kw::Integer
            | Kw::String
            | Kw::Boolean,
        ) => true,
        TokenKind::Ident
        | TokenKind::Sys(_)
        | TokenKind::Str
        | TokenKind::UnclosedStr
        | TokenKind::Kw(Kw::Getip) => t.line_start,
        TokenKind::Eof => true,
        _ => false,
    }
}

/// Skips from the start of a statement that failed to the next place a statement can begin.
/// Always moves at least one token, so parsing always ends.
pub(crate) fn recover<'a>(start: Toks<'a>) -> Toks<'a> {
    let mut i = start.bump();
    while !resumes_here(i.peek()) {
        i = i.bump();
    }
    i
}

/// `script = { proc }`, reporting anything outside a proc.
fn script<'a>(cx: &Cx<'a>, mut i: Toks<'a>) -> Script {
    let mut procs = Vec::new();
    let mut outside: Option<Span> = None;
    let flush = |outside: &mut Option<Span>| {
        if let Some(span) = outside.take() {
            cx.report(
                Diagnostic::error(
                    codes::STATEMENT_OUTSIDE_PROC,
                    span,
                    "statements outside any `proc`",
                )
                .with_label("not inside `proc ... endproc`")
                .with_help("move them into `proc main`; execution starts at its first statement"),
            );
        }
    };
    loop {
        let t = i.peek();
        match t.kind {
            TokenKind::Eof => break,
            TokenKind::Kw(Kw::Proc) => {
                flush(&mut outside);
                let (rest, p) = parse_proc(cx, i);
                procs.push(p);
                i = rest;
            }
            TokenKind::Kw(kw @ (Kw::Endproc | Kw::Endif | Kw::Endwhile)) => {
                flush(&mut outside);
                if let Some(kind) = BlockKind::closed_by(kw) {
                    cx.unmatched(t, kind);
                }
                i = i.bump();
            }
            _ => match stmt::parse_stmt(cx, i) {
                Ok((rest, s)) => {
                    outside = Some(outside.map_or(s.span, |o| o.to(s.span)));
                    i = rest;
                }
                Err(e) => {
                    cx.report_err(e);
                    i = recover(i);
                }
            },
        }
    }
    flush(&mut outside);
    let span = Span::new(0, cx.src.len() as u32);
    Script { procs, span }
}

/// `proc = "proc" IDENT { stmt } "endproc"`.
fn parse_proc<'a>(cx: &Cx<'a>, i: Toks<'a>) -> (Toks<'a>, Proc) {
    let kw = i.peek();
    let mut i = i.bump();
    let name = match stmt::parse_name(cx, i, "a procedure name") {
        Ok((rest, name)) => {
            i = rest;
            name
        }
        Err(e) => {
            cx.report_err(e);
            Ident {
                name: Name::default(),
                span: Span::empty(kw.span.end),
            }
        }
    };
    let (i, body, end) = block(cx, i, BlockKind::Proc, kw.span);
    let last = end
        .or_else(|| body.last().map(|s| s.span))
        .unwrap_or(name.span);
    (
        i,
        Proc {
            name,
            body,
            end,
            span: kw.span.to(last),
        },
    )
}

/// `end if`, `end while` or `end proc` at the start of a statement, as the closing keyword
/// it stands for (spanning both words). At a statement's start a name followed by a keyword is
/// never valid, so this reading cannot reject a correct script.
fn two_word_end(cx: &Cx<'_>, i: Toks<'_>) -> Option<Token> {
    let (first, second) = (i.peek(), i.peek2());
    if first.kind != TokenKind::Ident
        || second.line_start
        || !cx.text(first.span).eq_ignore_ascii_case(b"end")
    {
        return None;
    }
    let kw = match second.kind {
        TokenKind::Kw(Kw::If) => Kw::Endif,
        TokenKind::Kw(Kw::While) => Kw::Endwhile,
        TokenKind::Kw(Kw::Proc) => Kw::Endproc,
        _ => return None,
    };
    Some(Token {
        kind: TokenKind::Kw(kw),
        span: first.span.to(second.span),
        line_start: first.line_start,
    })
}

fn two_word_end_error(cx: &Cx<'_>, t: Token, kw: Kw) -> Diagnostic {
    let written = String::from_utf8_lossy(cx.text(t.span));
    Diagnostic::error(
        codes::UNKNOWN_COMMAND,
        t.span,
        format!("`{written}` is written `{}`, as one word", kw.as_str()),
    )
    .with_label(format!("read as `{}`", kw.as_str()))
    .with_help(format!("write `{}`", kw.as_str()))
}

/// The statements of a block up to its closing keyword. Returns the closing keyword's span, or
/// `None` (reported) when another block's end, a `proc` or the end of the file came first.
pub(crate) fn block<'a>(
    cx: &Cx<'a>,
    mut i: Toks<'a>,
    kind: BlockKind,
    open: Span,
) -> (Toks<'a>, Vec<crate::ast::Stmt>, Option<Span>) {
    cx.blocks.borrow_mut().push((kind, open));
    let base = cx.pending.borrow().len();
    let end = loop {
        // `end if`, `end while` and `end proc` (Visual Basic's spelling) stand for the closing
        // keyword, so that the blocks still pair up. The spelling is reported where the two
        // words are consumed, so once.
        let (t, width) = match two_word_end(cx, i) {
            Some(t) => (t, 2),
            None => (i.peek(), 1),
        };
        match t.kind {
            TokenKind::Eof | TokenKind::Kw(Kw::Proc) => {
                cx.unclosed(kind, open, t, i);
                break None;
            }
            TokenKind::Kw(kw @ (Kw::Endproc | Kw::Endif | Kw::Endwhile)) => {
                let Some(closes) = BlockKind::closed_by(kw) else {
                    break None;
                };
                if closes != kind && cx.encloses(closes) {
                    cx.unclosed(kind, open, t, i);
                    break None;
                }
                if width == 2 {
                    cx.report(two_word_end_error(cx, t, kw));
                    i = i.bump();
                }
                i = i.bump();
                if closes == kind {
                    break Some(t.span);
                }
                cx.unmatched(t, closes);
            }
            _ => match stmt::parse_stmt(cx, i) {
                Ok((rest, s)) => {
                    cx.pending.borrow_mut().push(s);
                    i = rest;
                }
                Err(e) => {
                    cx.report_err(e);
                    i = recover(i);
                }
            },
        }
    };
    cx.blocks.borrow_mut().pop();
    // `split_off` copies the statements into a vector of their exact size with one `memcpy`
    // (`base` is never 0, so it never hands over the whole stack instead).
    let body = cx.pending.borrow_mut().split_off(base);
    (i, body, end)
}
