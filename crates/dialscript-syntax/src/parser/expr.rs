//! Expression parsers: precedence climbing over the spec's operator table.
//!
//! `expr = or_expr`, down through `and`, equality, relational, additive and multiplicative
//! levels to `unary` and `primary`. Binary operators are left-associative; unary `-` and `!`
//! bind tightest. Recursion happens only for parentheses, unary operators and `getip`'s
//! operand, and [`Cx::nest`] bounds it; the depth of binary chains is bounded as well.

use super::input::{PResult, Toks};
use super::{Cx, MAX_DEPTH};
use crate::ast::{BinOp, Expr, ExprKind, StrBytes, UnOp};
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::token::{Kw, Token, TokenKind};

/// The largest magnitude an integer literal may have (2147483648 is allowed so that
/// `-2147483648` can be written; the checker rejects it without the minus).
const MAX_LITERAL: i64 = 1 << 31;

/// Parses a whole expression.
#[inline(always)]
pub(crate) fn parse_expr<'a>(cx: &Cx<'a>, i: Toks<'a>) -> PResult<'a, Expr> {
    // Most expressions are one literal or name (`transmit "^M"`, `until 30`): those are
    // built here, without the trip down through every precedence level.
    let t = i.peek();
    if binop(i.peek2().kind).is_none()
        && let Some(kind) = leaf(cx, t)
    {
        return Ok((i.bump(), Expr { kind, span: t.span }));
    }
    let (i, (e, _)) = binary(cx, i, 1)?;
    Ok((i, e))
}

/// The expression a one-token operand stands for, or `None` when `t` does not make one.
#[inline(always)]
fn leaf(cx: &Cx<'_>, t: Token) -> Option<ExprKind> {
    Some(match t.kind {
        TokenKind::Int => {
            let digits = cx.text(t.span);
            let mut value: i64 = 0;
            for &d in digits {
                value = (value * 10 + i64::from(d - b'0')).min(MAX_LITERAL + 1);
            }
            if value > MAX_LITERAL {
                cx.report(
                    Diagnostic::error(
                        codes::INTEGER_OUT_OF_RANGE,
                        t.span,
                        "integer literal out of range",
                    )
                    .with_label("larger than 2147483647")
                    .with_help("integers are 32-bit: from -2147483648 to 2147483647"),
                );
                value = MAX_LITERAL;
            }
            ExprKind::Int(value)
        }
        // The body without the quotes (an unclosed string has only the opening one).
        TokenKind::Str => ExprKind::Str(StrBytes::from_src(
            cx.src,
            t.span.start as usize + 1,
            t.span.len().saturating_sub(2) as usize,
        )),
        TokenKind::UnclosedStr => ExprKind::Str(StrBytes::from_src(
            cx.src,
            t.span.start as usize + 1,
            t.span.len().saturating_sub(1) as usize,
        )),
        TokenKind::Kw(Kw::True) => ExprKind::Bool(true),
        TokenKind::Kw(Kw::False) => ExprKind::Bool(false),
        TokenKind::Ident => ExprKind::Var(cx.ident(t)),
        TokenKind::Sys(v) => ExprKind::Sys(v),
        TokenKind::Error => ExprKind::Error,
        _ => return None,
    })
}

fn binop(kind: TokenKind) -> Option<BinOp> {
    Some(match kind {
        TokenKind::Star => BinOp::Mul,
        TokenKind::Slash => BinOp::Div,
        TokenKind::Plus => BinOp::Add,
        TokenKind::Minus => BinOp::Sub,
        TokenKind::Lt => BinOp::Lt,
        TokenKind::Gt => BinOp::Gt,
        TokenKind::Le => BinOp::Le,
        TokenKind::Ge => BinOp::Ge,
        TokenKind::EqEq => BinOp::Eq,
        TokenKind::Ne => BinOp::Ne,
        TokenKind::Kw(Kw::And) => BinOp::And,
        TokenKind::Kw(Kw::Or) => BinOp::Or,
        _ => return None,
    })
}

/// Operators of precedence `min_prec` and above, with the resulting tree's depth.
fn binary<'a>(cx: &Cx<'a>, i: Toks<'a>, min_prec: u8) -> PResult<'a, (Expr, u32)> {
    let (mut i, (mut lhs, mut depth)) = unary(cx, i)?;
    while let Some(op) = binop(i.peek().kind) {
        let prec = op.precedence();
        if prec < min_prec {
            break;
        }
        let op_tok = i.peek();
        let (rest, (rhs, rdepth)) = binary(cx, i.bump(), prec + 1)?;
        depth = depth.max(rdepth) + 1;
        if depth > 2 * MAX_DEPTH {
            return Err(nom::Err::Failure(too_deep(op_tok.span).into()));
        }
        lhs = Expr {
            span: lhs.span.to(rhs.span),
            kind: ExprKind::Binary(op, Box::new((lhs, rhs))),
        };
        i = rest;
    }
    Ok((i, (lhs, depth)))
}

fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::NESTING_TOO_DEEP,
        span,
        format!("expression nested more than {MAX_DEPTH} levels deep"),
    )
    .with_label("too deep")
    .with_help("split the expression over several assignments")
}

/// Runs `f` one nesting level deeper, failing when that is past [`MAX_DEPTH`].
fn nested<'a, T>(cx: &Cx<'a>, at: Span, f: impl FnOnce() -> PResult<'a, T>) -> PResult<'a, T> {
    let level = cx.nest.get();
    if level >= MAX_DEPTH {
        return Err(nom::Err::Failure(too_deep(at).into()));
    }
    cx.nest.set(level + 1);
    let r = f();
    cx.nest.set(level);
    r
}

/// `unary = ( "-" | "!" ) unary | primary`
fn unary<'a>(cx: &Cx<'a>, i: Toks<'a>) -> PResult<'a, (Expr, u32)> {
    let t = i.peek();
    let op = match t.kind {
        TokenKind::Minus => UnOp::Neg,
        TokenKind::Bang => UnOp::Not,
        _ => return primary(cx, i),
    };
    nested(cx, t.span, || {
        let (i, (e, depth)) = unary(cx, i.bump())?;
        Ok((
            i,
            (
                Expr {
                    span: t.span.to(e.span),
                    kind: ExprKind::Unary(op, Box::new(e)),
                },
                depth + 1,
            ),
        ))
    })
}

/// `primary = INTEGER | STRING | "TRUE" | "FALSE" | IDENT | SYSVAR | "(" expr ")" | getip_expr`
fn primary<'a>(cx: &Cx<'a>, i: Toks<'a>) -> PResult<'a, (Expr, u32)> {
    let t = i.peek();
    if let Some(kind) = leaf(cx, t) {
        return Ok((i.bump(), (Expr { kind, span: t.span }, 1)));
    }
    match t.kind {
        TokenKind::LParen => nested(cx, t.span, || {
            let (i, (inner, depth)) = binary(cx, i.bump(), 1)?;
            let close = i.peek();
            if close.kind != TokenKind::RParen {
                let d = cx
                    .expected(i, "`)`")
                    .with_related(t.span, "to close this `(`");
                return cx.fail(d);
            }
            Ok((
                i.bump(),
                (
                    Expr {
                        span: t.span.to(close.span),
                        kind: ExprKind::Paren(Box::new(inner)),
                    },
                    depth + 1,
                ),
            ))
        }),
        TokenKind::Kw(Kw::Getip) => {
            let (i, e) = parse_getip(cx, i)?;
            Ok((i, (e, 2)))
        }
        _ => cx.fail(cx.expected(i, "an expression")),
    }
}

/// `getip_expr = "getip" [ unary ]`, the operand only when it starts on the same line (spec
/// §9.6): `x = getip` followed by a statement on the next line has no operand.
pub(crate) fn parse_getip<'a>(cx: &Cx<'a>, i: Toks<'a>) -> PResult<'a, Expr> {
    let kw = i.peek();
    let i = i.bump();
    let next = i.peek();
    let starts_operand = !next.line_start
        && matches!(
            next.kind,
            TokenKind::Int
                | TokenKind::Str
                | TokenKind::UnclosedStr
                | TokenKind::Ident
                | TokenKind::Sys(_)
                | TokenKind::LParen
                | TokenKind::Minus
                | TokenKind::Bang
                | TokenKind::Error
                | TokenKind::Kw(Kw::True | Kw::False | Kw::Getip)
        );
    if !starts_operand {
        return Ok((
            i,
            Expr {
                kind: ExprKind::Getip(None),
                span: kw.span,
            },
        ));
    }
    nested(cx, kw.span, || {
        let (i, (arg, _)) = unary(cx, i)?;
        Ok((
            i,
            Expr {
                span: kw.span.to(arg.span),
                kind: ExprKind::Getip(Some(Box::new(arg))),
            },
        ))
    })
}
