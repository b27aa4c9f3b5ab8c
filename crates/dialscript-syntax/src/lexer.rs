//! The lexer: bytes to tokens, written with nom's byte-slice parsers.
//!
//! It never fails. Bytes that start no token, unclosed strings and unknown `$` names become
//! diagnostics, and lexing goes on. A UTF-8 byte-order mark at the start is skipped, and a
//! Ctrl-Z (0x1A) outside a string ends the file as it did for MS-DOS and Windows editors.

use nom::bytes::complete::{take_till, take_while, take_while1};
use nom::{IResult, Parser};

use crate::ast::SysVar;
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::token::{Kw, Token, TokenKind};

/// What the lexer produced: tokens (ending with [`TokenKind::Eof`]), the spans of comments,
/// and diagnostics.
#[derive(Debug, Default)]
pub struct Lexed {
    /// The tokens; the last is always `Eof`.
    pub tokens: Vec<Token>,
    /// Every `;` comment, from the `;` to the end of its line (line end excluded).
    pub comments: Vec<Span>,
    /// Lexical errors.
    pub diagnostics: Vec<Diagnostic>,
}

type R<'a, T> = IResult<&'a [u8], T>;

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_line_end(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// A name: `[A-Za-z_][A-Za-z0-9_]*`.
fn word(i: &[u8]) -> R<'_, &[u8]> {
    let (rest, _) = take_while1(is_ident_start).parse(i)?;
    let (rest, _) = take_while(is_ident_continue).parse(rest)?;
    let len = i.len() - rest.len();
    Ok((rest, &i[..len]))
}

/// The body of a string literal after its opening quote: bytes up to the closing quote or the
/// line end, with `\` taking the next byte along (so `\"` does not close the string).
/// Returns the body and whether the closing quote was found.
fn string_body(i: &[u8]) -> R<'_, (&[u8], bool)> {
    let mut at = 0;
    loop {
        // take_till finds the next byte that matters without a per-byte branch on the rest.
        let (_, run) = take_till(|b| b == b'"' || b == b'\\' || is_line_end(b)).parse(&i[at..])?;
        at += run.len();
        match i.get(at) {
            Some(b'"') => return Ok((&i[at + 1..], (&i[..at], true))),
            Some(b'\\') if i.get(at + 1).is_some_and(|&b| !is_line_end(b)) => at += 2,
            Some(b'\\') => at += 1,
            _ => return Ok((&i[at..], (&i[..at], false))),
        }
    }
}

/// Splits `bytes` into tokens.
pub fn lex(bytes: &[u8]) -> Lexed {
    let mut out = Lexed {
        tokens: Vec::with_capacity(bytes.len() / 5 + 1),
        ..Lexed::default()
    };
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let mut i = &bytes[start..];
    let mut line_start = true;
    let pos = |rest: &[u8]| (bytes.len() - rest.len()) as u32;

    loop {
        let Some(&b) = i.first() else { break };
        let at = pos(i);
        let push = |out: &mut Lexed, kind, end: u32, ls: &mut bool| {
            out.tokens.push(Token {
                kind,
                span: Span::new(at, end),
                line_start: *ls,
            });
            *ls = false;
        };
        match b {
            b' ' | b'\t' | 0x0B | 0x0C => i = &i[1..],
            b'\n' | b'\r' => {
                line_start = true;
                i = &i[1..];
            }
            b';' => {
                let (rest, _) = take_till::<_, _, nom::error::Error<&[u8]>>(is_line_end)
                    .parse(i)
                    .unwrap_or((&[][..], i));
                out.comments.push(Span::new(at, pos(rest)));
                i = rest;
            }
            0x1A => break,
            b'"' => {
                let (rest, (_, closed)) = string_body(&i[1..]).unwrap_or((&[][..], (&[][..], false)));
                let end = pos(rest);
                let kind = if closed {
                    TokenKind::Str
                } else {
                    out.diagnostics.push(unterminated_string(bytes, at, end));
                    TokenKind::UnclosedStr
                };
                push(&mut out, kind, end, &mut line_start);
                i = rest;
            }
            b'0'..=b'9' => {
                let (rest, _) = take_while::<_, _, nom::error::Error<&[u8]>>(|c: u8| c.is_ascii_digit())
                    .parse(i)
                    .unwrap_or((&[][..], i));
                push(&mut out, TokenKind::Int, pos(rest), &mut line_start);
                i = rest;
            }
            b'$' => {
                match word(&i[1..]) {
                    Ok((rest, name)) => {
                        let end = pos(rest);
                        let kind = match sys_var(name) {
                            Some(v) => TokenKind::Sys(v),
                            None => {
                                out.diagnostics.push(unknown_sys_var(name, Span::new(at, end)));
                                TokenKind::Error
                            }
                        };
                        push(&mut out, kind, end, &mut line_start);
                        i = rest;
                    }
                    Err(_) => {
                        out.diagnostics.push(
                            Diagnostic::error(codes::UNEXPECTED_CHARACTER, Span::new(at, at + 1), "unexpected character `$`")
                                .with_label("`$` must be followed by a system variable name")
                                .with_help("the system variables are `$USERID`, `$PASSWORD`, `$SUCCESS` and `$FAILURE`"),
                        );
                        i = &i[1..];
                    }
                }
            }
            c if is_ident_start(c) => {
                let (rest, w) = word(i).unwrap_or((&i[1..], &i[..1]));
                let kind = match Kw::from_word(w) {
                    Some(kw) => TokenKind::Kw(kw),
                    None => TokenKind::Ident,
                };
                push(&mut out, kind, pos(rest), &mut line_start);
                i = rest;
            }
            _ => {
                let two = i.get(1).copied();
                let (kind, len) = match (b, two) {
                    (b'<', Some(b'=')) => (Some(TokenKind::Le), 2),
                    (b'>', Some(b'=')) => (Some(TokenKind::Ge), 2),
                    (b'=', Some(b'=')) => (Some(TokenKind::EqEq), 2),
                    (b'!', Some(b'=')) => (Some(TokenKind::Ne), 2),
                    (b'+', _) => (Some(TokenKind::Plus), 1),
                    (b'-', _) => (Some(TokenKind::Minus), 1),
                    (b'*', _) => (Some(TokenKind::Star), 1),
                    (b'/', _) => (Some(TokenKind::Slash), 1),
                    (b'!', _) => (Some(TokenKind::Bang), 1),
                    (b'<', _) => (Some(TokenKind::Lt), 1),
                    (b'>', _) => (Some(TokenKind::Gt), 1),
                    (b'=', _) => (Some(TokenKind::Assign), 1),
                    (b'(', _) => (Some(TokenKind::LParen), 1),
                    (b')', _) => (Some(TokenKind::RParen), 1),
                    (b',', _) => (Some(TokenKind::Comma), 1),
                    (b':', _) => (Some(TokenKind::Colon), 1),
                    _ => (None, 1),
                };
                match kind {
                    Some(kind) => {
                        push(&mut out, kind, at + len, &mut line_start);
                        i = &i[len as usize..];
                    }
                    None => {
                        let len = bad_char_len(i);
                        out.diagnostics.push(unexpected_character(bytes, at, len, line_start));
                        i = &i[len..];
                    }
                }
            }
        }
    }
    let end = bytes.len() as u32;
    out.tokens.push(Token {
        kind: TokenKind::Eof,
        span: Span::empty(end),
        line_start: true,
    });
    out
}

fn sys_var(name: &[u8]) -> Option<SysVar> {
    const VARS: [(&[u8], SysVar); 4] = [
        (b"USERID", SysVar::UserId),
        (b"PASSWORD", SysVar::Password),
        (b"SUCCESS", SysVar::Success),
        (b"FAILURE", SysVar::Failure),
    ];
    VARS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
}

/// Length of the unexpected character at the start of `i`: a whole UTF-8 sequence when one
/// is there (so spans stay on character boundaries), otherwise one byte.
fn bad_char_len(i: &[u8]) -> usize {
    let want = match i[0] {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 1,
    };
    if want > 1 && i.len() >= want && std::str::from_utf8(&i[..want]).is_ok() {
        want
    } else {
        1
    }
}

fn unterminated_string(bytes: &[u8], at: u32, end: u32) -> Diagnostic {
    let body = &bytes[at as usize..end as usize];
    let d = Diagnostic::error(codes::UNTERMINATED_STRING, Span::new(at, end), "unterminated string literal")
        .with_label("this string is not closed on its line");
    if body.ends_with(b"^\\") || body.windows(3).any(|w| w == b"^\\\"") {
        d.with_help("`\\\"` is an escaped quote, so a string cannot end with `^\\`; `\"^\\\"` never closes")
    } else {
        d.with_help("add the closing `\"`; a string cannot continue on the next line")
    }
}

fn unknown_sys_var(name: &[u8], span: Span) -> Diagnostic {
    let name = String::from_utf8_lossy(name);
    let guess = ["USERID", "PASSWORD", "SUCCESS", "FAILURE"]
        .into_iter()
        .min_by_key(|c| crate::suggest::distance(&name.to_ascii_uppercase(), c))
        .unwrap_or("USERID");
    let help = if crate::suggest::distance(&name.to_ascii_uppercase(), guess) <= 3 {
        format!("did you mean `${guess}`?")
    } else {
        "the system variables are `$USERID`, `$PASSWORD`, `$SUCCESS` and `$FAILURE`; declare your own variables without `$`".to_string()
    };
    Diagnostic::error(codes::UNKNOWN_SYSTEM_VARIABLE, span, format!("unknown system variable `${name}`"))
        .with_label("not a system variable")
        .with_help(help)
}

fn unexpected_character(bytes: &[u8], at: u32, len: usize, line_start: bool) -> Diagnostic {
    let s = at as usize;
    let ch = &bytes[s..s + len];
    let next = bytes.get(s + len).copied();
    let shown = match std::str::from_utf8(ch) {
        Ok(t) if !t.chars().any(char::is_control) => format!("`{t}`"),
        _ => format!("byte 0x{:02X}", ch[0]),
    };
    let span = Span::new(at, at + len as u32);
    let mut code = codes::UNEXPECTED_CHARACTER;
    let help = match (ch, next) {
        (b"&", Some(b'&')) => Some("use `and` for a logical AND".to_string()),
        (b"|", Some(b'|')) => Some("use `or` for a logical OR".to_string()),
        (b"&", _) | (b"|", _) => Some("use the word operators `and` and `or`".to_string()),
        (b"#", _) => Some("comments start with `;`".to_string()),
        (b"'", _) => {
            code = codes::CHAT_SYNTAX;
            Some("strings are written in double quotes; `''` and single quotes are pppd `chat` syntax".to_string())
        }
        (b"[", _) if line_start => {
            code = codes::SWITCH_INF_SYNTAX;
            Some("`[section]` headers belong to NT's switch.inf scripts; a `.scp` script starts with `proc main`".to_string())
        }
        (b"{", _) | (b"}", _) => Some("blocks are written `if ... then ... endif` and `while ... do ... endwhile`".to_string()),
        _ if ch[0] >= 0x80 => Some("characters outside ASCII may appear only in strings and comments".to_string()),
        _ => None,
    };
    let d = Diagnostic::error(code, span, format!("unexpected character {shown}")).with_label("not part of any token");
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &[u8]) -> Vec<TokenKind> {
        lex(src).tokens.iter().map(|t| t.kind).collect()
    }

    #[test]
    fn bom_crlf_and_ctrl_z() {
        let l = lex(b"\xEF\xBB\xBFproc main\r\nendproc\r\n\x1Agarbage");
        assert!(l.diagnostics.is_empty());
        assert_eq!(
            kinds(b"\xEF\xBB\xBFproc main\r\nendproc\r\n\x1Agarbage"),
            vec![TokenKind::Kw(Kw::Proc), TokenKind::Ident, TokenKind::Kw(Kw::Endproc), TokenKind::Eof]
        );
        assert!(l.tokens[2].line_start);
        assert!(!l.tokens[1].line_start);
    }

    #[test]
    fn escaped_quote_does_not_close() {
        let l = lex(br#"transmit "a\"b" x"#);
        assert!(l.diagnostics.is_empty());
        assert_eq!(l.tokens[1].span, Span::new(9, 15));
        let l = lex(b"transmit \"^\\\"\nx");
        assert_eq!(l.diagnostics.len(), 1);
        assert_eq!(l.diagnostics[0].code, codes::UNTERMINATED_STRING);
    }

    #[test]
    fn operators() {
        assert_eq!(
            kinds(b"<= >= == != < > = ! ( ) , : + - * /"),
            vec![
                TokenKind::Le,
                TokenKind::Ge,
                TokenKind::EqEq,
                TokenKind::Ne,
                TokenKind::Lt,
                TokenKind::Gt,
                TokenKind::Assign,
                TokenKind::Bang,
                TokenKind::LParen,
                TokenKind::RParen,
                TokenKind::Comma,
                TokenKind::Colon,
                TokenKind::Plus,
                TokenKind::Minus,
                TokenKind::Star,
                TokenKind::Slash,
                TokenKind::Eof
            ]
        );
    }

    #[test]
    fn windows_1252_in_strings_and_comments() {
        let l = lex(b"transmit \"caf\xE9\" ; d\xE9j\xE0 vu\n");
        assert!(l.diagnostics.is_empty());
        assert_eq!(l.comments.len(), 1);
    }

    #[test]
    fn utf8_bad_char_keeps_char_boundary() {
        let l = lex("x = é".as_bytes());
        assert_eq!(l.diagnostics[0].span, Span::new(4, 6));
    }
}
