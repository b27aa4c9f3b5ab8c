//! The parser's input: a slice of tokens that nom's combinators can walk, and the error type
//! its parsers return.

use std::iter::{Copied, Enumerate};
use std::slice::Iter;

use nom::error::{ErrorKind, ParseError};
use nom::{IResult, Input, Needed};

use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::token::{Token, TokenKind};

/// Tokens still to parse. The lexer ends every stream with an `Eof` token that no parser
/// consumes, so a `Toks` handed to a parser is never empty.
#[derive(Clone, Copy, Debug)]
pub struct Toks<'a> {
    pub(crate) toks: &'a [Token],
}

impl<'a> Toks<'a> {
    /// The next token (the `Eof` token at the end).
    pub fn peek(&self) -> Token {
        match self.toks.first() {
            Some(t) => *t,
            None => Token {
                kind: TokenKind::Eof,
                span: Span::default(),
                line_start: true,
            },
        }
    }

    /// The token after the next one.
    pub fn peek2(&self) -> Token {
        match self.toks.get(1) {
            Some(t) => *t,
            None => self.last(),
        }
    }

    fn last(&self) -> Token {
        self.toks.last().copied().unwrap_or(Token {
            kind: TokenKind::Eof,
            span: Span::default(),
            line_start: true,
        })
    }

    /// Everything after the next token; never steps past `Eof`.
    pub fn bump(self) -> Self {
        if self.toks.len() > 1 {
            Toks {
                toks: &self.toks[1..],
            }
        } else {
            self
        }
    }
}

impl<'a> Input for Toks<'a> {
    type Item = Token;
    type Iter = Copied<Iter<'a, Token>>;
    type IterIndices = Enumerate<Self::Iter>;

    fn input_len(&self) -> usize {
        self.toks.len()
    }

    fn take(&self, index: usize) -> Self {
        Toks {
            toks: &self.toks[..index],
        }
    }

    fn take_from(&self, index: usize) -> Self {
        Toks {
            toks: &self.toks[index..],
        }
    }

    fn take_split(&self, index: usize) -> (Self, Self) {
        let (prefix, suffix) = self.toks.split_at(index);
        (Toks { toks: suffix }, Toks { toks: prefix })
    }

    fn position<P>(&self, predicate: P) -> Option<usize>
    where
        P: Fn(Self::Item) -> bool,
    {
        self.toks.iter().position(|t| predicate(*t))
    }

    fn iter_elements(&self) -> Self::Iter {
        self.toks.iter().copied()
    }

    fn iter_indices(&self) -> Self::IterIndices {
        self.iter_elements().enumerate()
    }

    fn slice_index(&self, count: usize) -> Result<usize, Needed> {
        if self.toks.len() >= count {
            Ok(count)
        } else {
            Err(Needed::new(count - self.toks.len()))
        }
    }
}

/// A parse error: the diagnostic to report, or `None` when the problem was reported already
/// (by the lexer). Statement-level recovery reports it and skips ahead; nothing is lost.
#[derive(Debug)]
pub struct PErr(pub Option<Box<Diagnostic>>);

impl<'a> ParseError<Toks<'a>> for PErr {
    fn from_error_kind(input: Toks<'a>, kind: ErrorKind) -> Self {
        // Only reached if a nom combinator fails on its own; our parsers build their errors.
        let t = input.peek();
        PErr(Some(Box::new(Diagnostic::error(
            crate::codes::UNEXPECTED_TOKEN,
            t.span,
            format!("unexpected {} ({kind:?})", t.kind.describe()),
        ))))
    }

    fn append(_: Toks<'a>, _: ErrorKind, other: Self) -> Self {
        other
    }
}

impl From<Diagnostic> for PErr {
    fn from(d: Diagnostic) -> Self {
        PErr(Some(Box::new(d)))
    }
}

/// What every parser returns.
pub type PResult<'a, T> = IResult<Toks<'a>, T, PErr>;
