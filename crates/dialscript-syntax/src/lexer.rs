//! The lexer: bytes to tokens, written with nom's byte-slice parsers, except for the hottest
//! loops (names, numbers and blank runs), which are plain slice scans: nom's generic
//! `take_while` does not inline through its `Input` trait and cost a third of lexing time.
//!
//! It never fails. Bytes that start no token, unclosed strings and unknown `$` names become
//! diagnostics, and lexing goes on. A UTF-8 byte-order mark at the start is skipped, and a
//! Ctrl-Z (0x1A) outside a string ends the file as it did for MS-DOS and Windows editors.

use nom::bytes::complete::take_till;
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

/// Which bytes continue a name. A table lookup is one load where the range tests of
/// `is_ascii_alphanumeric` are several branches, and every byte of every name passes here.
const IDENT_CONTINUE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    table
};

fn is_ident_continue(b: u8) -> bool {
    IDENT_CONTINUE[b as usize]
}

fn is_line_end(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// The length of the line that starts `bytes`: the offset of its first CR or LF, or the
/// length of `bytes`. Comments are a quarter of a typical script's bytes, so this looks at
/// eight bytes per step: XOR with a repeated line-end byte turns matching bytes into zero
/// bytes, and `(x - 0x01..) & !x & 0x80..` sets the high bit of the first zero byte (bytes
/// after it may be marked falsely, which the lowest set bit ignores).
fn line_len(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        let hits =
            zero_bytes(v ^ (ONES * u64::from(b'\n'))) | zero_bytes(v ^ (ONES * u64::from(b'\r')));
        if hits != 0 {
            return at + (hits.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .position(|&b| is_line_end(b))
        .unwrap_or(bytes.len() - at)
}

/// A name: `[A-Za-z_][A-Za-z0-9_]*`.
fn word(i: &[u8]) -> R<'_, &[u8]> {
    match i.first() {
        Some(&b) if is_ident_start(b) => {
            let len = 1 + i[1..]
                .iter()
                .position(|&b| !is_ident_continue(b))
                .unwrap_or(i.len() - 1);
            Ok((&i[len..], &i[..len]))
        }
        _ => Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::TakeWhile1,
        ))),
    }
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
    lex_reusing(bytes, Vec::new())
}

/// [`lex`], putting the tokens in `tokens` (cleared first): the parser reuses one buffer
/// for the many small scripts a checker or a benchmark goes through.
pub(crate) fn lex_reusing(bytes: &[u8], mut tokens: Vec<Token>) -> Lexed {
    tokens.clear();
    tokens.reserve(bytes.len() / 5 + 1);
    let mut out = Lexed {
        tokens,
        ..Lexed::default()
    };
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut i = &bytes[start..];
    let mut line_start = true;
    let pos = |rest: &[u8]| (bytes.len() - rest.len()) as u32;

    while let Some(&b) = i.first() {
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
            b' ' | b'\t' | 0x0B | 0x0C | b'\n' | b'\r' => {
                // A whole run of blanks and line ends (a line end and the next line's
                // indentation) in one tight loop, rather than one dispatch per byte.
                let mut n = 0;
                while let Some(&c) = i.get(n) {
                    match c {
                        b' ' | b'\t' | 0x0B | 0x0C => {}
                        b'\n' | b'\r' => line_start = true,
                        _ => break,
                    }
                    n += 1;
                }
                i = &i[n..];
            }
            b';' => {
                let len = line_len(i);
                out.comments.push(Span::new(at, at + len as u32));
                i = &i[len..];
            }
            0x1A => break,
            b'"' => {
                let (rest, (_, closed)) =
                    string_body(&i[1..]).unwrap_or((&[][..], (&[][..], false)));
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
                let len = i
                    .iter()
                    .position(|c| !c.is_ascii_digit())
                    .unwrap_or(i.len());
                push(&mut out, TokenKind::Int, at + len as u32, &mut line_start);
                i = &i[len..];
            }
            b'$' => match word(&i[1..]) {
                Ok((rest, name)) => {
                    let end = pos(rest);
                    let kind = match sys_var(name) {
                        Some(v) => TokenKind::Sys(v),
                        None => {
                            out.diagnostics
                                .push(unknown_sys_var(name, Span::new(at, end)));
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
            },
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
                        // Characters borrowed from other languages are reported once, and
                        // what the author evidently meant stands in for them, so that the rest
                        // of the line does not produce follow-on errors.
                        let (d, len, stand_in) = match borrowed_syntax(bytes, at, line_start) {
                            Some(found) => found,
                            None => {
                                let len = bad_char_len(i);
                                (unexpected_character(bytes, at, len), len, None)
                            }
                        };
                        out.diagnostics.push(d);
                        if let Some(kind) = stand_in {
                            push(&mut out, kind, at + len as u32, &mut line_start);
                        }
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
    VARS.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
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
    let d = Diagnostic::error(
        codes::UNTERMINATED_STRING,
        Span::new(at, end),
        "unterminated string literal",
    )
    .with_label("this string is not closed on its line");
    if body.ends_with(b"^\\") || body.windows(3).any(|w| w == b"^\\\"") {
        d.with_help(
            "`\\\"` is an escaped quote, so a string cannot end with `^\\`; `\"^\\\"` never closes",
        )
    } else {
        d.with_help("add the closing `\"`; a string cannot continue on the next line")
    }
}

fn unknown_sys_var(name: &[u8], span: Span) -> Diagnostic {
    let name = String::from_utf8_lossy(name);
    let upper = name.to_ascii_uppercase();
    let names = ["USERID", "PASSWORD", "SUCCESS", "FAILURE"];
    // An abbreviation (`$PASS`, `$USER`) is a stronger hint than a small edit distance.
    let prefix_of = names
        .into_iter()
        .find(|c| upper.len() >= 3 && c.starts_with(upper.as_str()));
    let guess = prefix_of
        .or_else(|| {
            names
                .into_iter()
                .min_by_key(|c| crate::suggest::distance(&upper, c))
        })
        .unwrap_or("USERID");
    let help = if prefix_of.is_some() || crate::suggest::distance(&upper, guess) <= 3 {
        format!("did you mean `${guess}`?")
    } else {
        "the system variables are `$USERID`, `$PASSWORD`, `$SUCCESS` and `$FAILURE`; declare your own variables without `$`".to_string()
    };
    Diagnostic::error(
        codes::UNKNOWN_SYSTEM_VARIABLE,
        span,
        format!("unknown system variable `${name}`"),
    )
    .with_label("not a system variable")
    .with_help(help)
}

/// Recognises syntax of neighbouring languages at `at` that has an obvious reading: `&&`,
/// `||`, `&` and `|` (read as `and` / `or`), a `#` comment, a switch.inf `[section]` header at
/// the start of a line, and a single-quoted `chat` string. Returns the diagnostic, how many
/// bytes it covers, and the token that stands in for them, if any.
fn borrowed_syntax(
    bytes: &[u8],
    at: u32,
    line_start: bool,
) -> Option<(Diagnostic, usize, Option<TokenKind>)> {
    let s = at as usize;
    let rest = &bytes[s..];
    let line_len = rest
        .iter()
        .position(|&b| is_line_end(b))
        .unwrap_or(rest.len());
    let operator = |len: usize, word: &str, kw: Kw| {
        let text = String::from_utf8_lossy(&rest[..len]);
        let d = Diagnostic::error(
            codes::UNEXPECTED_CHARACTER,
            Span::new(at, at + len as u32),
            format!("`{text}` is not an operator of this language"),
        )
        .with_label(format!("read as `{word}`"))
        .with_help(format!(
            "write `{word}`; the logical operators are the words `and` and `or`"
        ));
        Some((d, len, Some(TokenKind::Kw(kw))))
    };
    match rest {
        [b'&', b'&', ..] => operator(2, "and", Kw::And),
        [b'|', b'|', ..] => operator(2, "or", Kw::Or),
        [b'&', ..] => operator(1, "and", Kw::And),
        [b'|', ..] => operator(1, "or", Kw::Or),
        [b'#', ..] => {
            let d = Diagnostic::error(
                codes::UNEXPECTED_CHARACTER,
                Span::new(at, at + 1),
                "unexpected character `#`",
            )
            .with_label("`#` does not start a comment")
            .with_help("comments start with `;`");
            Some((d, line_len, None))
        }
        [b'[', ..] if line_start => {
            let header = rest[..line_len]
                .iter()
                .position(|&b| b == b']')
                .map_or(line_len, |p| p + 1);
            let text = std::str::from_utf8(&rest[..header])
                .ok()
                .filter(|t| t.len() <= 32 && !t.chars().any(char::is_control));
            let message = match text {
                Some(t) => format!(
                    "`{}` is a Windows NT switch.inf section header",
                    t.trim_end()
                ),
                None => "a `[section]` header is Windows NT switch.inf syntax".to_string(),
            };
            let d = Diagnostic::error(codes::SWITCH_INF_SYNTAX, Span::new(at, at + header as u32), message)
                .with_label("switch.inf section header")
                .with_help("`[section]` headers belong to NT's switch.inf scripts; a `.scp` script starts with `proc main`");
            Some((d, line_len, None))
        }
        [b'\'', ..] => {
            let len = rest[1..line_len]
                .iter()
                .position(|&b| b == b'\'')
                .map_or(line_len, |p| p + 2);
            let d = Diagnostic::error(
                codes::CHAT_SYNTAX,
                Span::new(at, at + len as u32),
                "strings are written in double quotes, not single quotes",
            )
            .with_label("single-quoted string")
            .with_help(
                "write the string in double quotes; single quotes and `''` are pppd `chat` syntax",
            );
            Some((d, len, Some(TokenKind::Error)))
        }
        _ => None,
    }
}

/// A character that starts no token; [`borrowed_syntax`] has already handled the ones with an
/// obvious reading.
fn unexpected_character(bytes: &[u8], at: u32, len: usize) -> Diagnostic {
    let s = at as usize;
    let ch = &bytes[s..s + len];
    let shown = match std::str::from_utf8(ch) {
        Ok(t) if !t.chars().any(char::is_control) => format!("`{t}`"),
        _ => format!("byte 0x{:02X}", ch[0]),
    };
    let span = Span::new(at, at + len as u32);
    let help = match ch {
        b"{" | b"}" => {
            Some("blocks are written `if ... then ... endif` and `while ... do ... endwhile`")
        }
        _ if ch[0] >= 0x80 => {
            Some("characters outside ASCII may appear only in strings and comments")
        }
        _ => None,
    };
    let d = Diagnostic::error(
        codes::UNEXPECTED_CHARACTER,
        span,
        format!("unexpected character {shown}"),
    )
    .with_label("not part of any token");
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
            vec![
                TokenKind::Kw(Kw::Proc),
                TokenKind::Ident,
                TokenKind::Kw(Kw::Endproc),
                TokenKind::Eof
            ]
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
    fn borrowed_syntax_is_reported_once_and_read_as_meant() {
        // `&&` and `||` stand for `and` and `or`, so the condition still parses.
        let l = lex(b"if a && b || c then");
        assert_eq!(l.diagnostics.len(), 2);
        assert_eq!(l.diagnostics[0].span, Span::new(5, 7));
        assert!(kinds(b"a && b || c").contains(&TokenKind::Kw(Kw::And)));
        assert!(kinds(b"a && b || c").contains(&TokenKind::Kw(Kw::Or)));
        // A `#` comment and a switch.inf header are skipped to the end of their line.
        let l = lex(b"# note\n[Login]\nhalt");
        assert_eq!(l.diagnostics.len(), 2);
        assert_eq!(l.diagnostics[1].code, codes::SWITCH_INF_SYNTAX);
        assert_eq!(l.diagnostics[1].span, Span::new(7, 14));
        assert_eq!(
            kinds(b"# note\n[Login]\nhalt"),
            vec![TokenKind::Kw(Kw::Halt), TokenKind::Eof]
        );
        // A single-quoted string is one error standing in for one operand.
        let l = lex(b"transmit 'a b' x");
        assert_eq!(l.diagnostics.len(), 1);
        assert_eq!(l.diagnostics[0].code, codes::CHAT_SYNTAX);
        assert_eq!(l.tokens[1].kind, TokenKind::Error);
        assert_eq!(l.tokens[2].kind, TokenKind::Ident);
    }

    #[test]
    fn line_len_finds_the_first_line_end_at_any_offset() {
        for len in 0..40 {
            for end in [b'\n', b'\r'] {
                let mut line = vec![b'x'; len];
                line.push(end);
                line.extend_from_slice(b"\n\rabc");
                assert_eq!(line_len(&line), len);
                assert_eq!(line_len(&line[..len]), len);
            }
            // High bytes and bytes one away from a line end do not count as one.
            let mut line: Vec<u8> = (0..len)
                .map(|k| [0x0B, 0x0C, 0x09, 0x8A, 0x8D, 0xFF, 0x00][k % 7])
                .collect();
            line.push(b'\r');
            assert_eq!(line_len(&line), len);
        }
    }

    #[test]
    fn utf8_bad_char_keeps_char_boundary() {
        let l = lex("x = é".as_bytes());
        assert_eq!(l.diagnostics[0].span, Span::new(4, 6));
    }
}
