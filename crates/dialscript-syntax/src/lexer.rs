//! The lexer: bytes to tokens, in one hand-written pass (as in rustc, rust-analyzer and ruff;
//! the parser above it is written with nom). A table gives each byte's class, names, numbers
//! and blank runs are measured eight bytes per step, and comments and strings are searched
//! for their end eight bytes per step too: a byte-at-a-time loop mispredicts its exit once per
//! token, and that was most of the lexer's time.
//!
//! It never fails. Bytes that start no token, unclosed strings and unknown `$` names become
//! diagnostics, and lexing goes on. A UTF-8 byte-order mark at the start is skipped, and a
//! Ctrl-Z (0x1A) outside a string ends the file as it did for MS-DOS and Windows editors.

use crate::ast::SysVar;
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::token::{Kw, Token, TokenKind, word_kind};

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

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_line_end(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Blank bytes (space, tab, vertical tab, form feed) and line ends, as bit flags of a table:
/// one load answers the one-byte questions of the main loop.
const BLANK: u8 = 1;
const LINE_END: u8 = 2;

const CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b' ' | b'\t' | 0x0B | 0x0C => BLANK,
            b'\n' | b'\r' => LINE_END,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// What the main loop does with a token's first byte; `match` on this compiles to one
/// indirect jump where a `match` on the byte with guards is a chain of range tests.
#[derive(Clone, Copy)]
enum Start {
    Blank,
    Comment,
    Quote,
    Digit,
    Dollar,
    Word,
    CtrlZ,
    Other,
}

const START: [Start; 256] = {
    let mut table = [Start::Other; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b' ' | b'\t' | 0x0B | 0x0C | b'\n' | b'\r' => Start::Blank,
            b';' => Start::Comment,
            b'"' => Start::Quote,
            b'0'..=b'9' => Start::Digit,
            b'$' => Start::Dollar,
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => Start::Word,
            0x1A => Start::CtrlZ,
            _ => Start::Other,
        };
        b += 1;
    }
    table
};

/// The eight bytes of `i` from `at` as a little-endian integer, zero past its end (zero is
/// in no class, so a scan stops there).
#[inline(always)]
fn eight(i: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    match i.get(at..at + 8) {
        Some(chunk) => w.copy_from_slice(chunk),
        None => {
            let rest = i.get(at..).unwrap_or(&[]);
            w[..rest.len()].copy_from_slice(rest);
        }
    }
    u64::from_le_bytes(w)
}

// Byte classes of eight bytes at once, each as a mask with the high bit of every byte of the
// class set. All are exact per byte: the arithmetic works on the low seven bits, which cannot
// carry into the next byte, and a byte with its high bit set is in none of the classes.
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;

/// Bytes strictly between `lo` and `hi` (both at most 127).
#[inline(always)]
fn between(w: u64, lo: u64, hi: u64) -> u64 {
    let low = w & LOW7;
    (ONES * (127 + hi)).wrapping_sub(low) & !w & (low + ONES * (127 - lo)) & HIGH
}

/// Bytes equal to `b`.
#[inline(always)]
fn equal(w: u64, b: u8) -> u64 {
    let x = w ^ (ONES * u64::from(b));
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// `[A-Za-z0-9_]`.
#[inline(always)]
fn ident_bytes(w: u64) -> u64 {
    between(w, 0x2F, 0x3A) | between(w | (ONES * 0x20), 0x60, 0x7B) | equal(w, b'_')
}

/// Space, tab, vertical tab, form feed, CR and LF.
#[inline(always)]
fn blank_bytes(w: u64) -> u64 {
    between(w, 0x08, 0x0E) | equal(w, b' ')
}

/// CR and LF.
#[inline(always)]
fn line_end_bytes(w: u64) -> u64 {
    equal(w, b'\n') | equal(w, b'\r')
}

/// How many bytes from the first one a class mask covers without a gap (0 to 8).
#[inline(always)]
fn leading(mask: u64) -> usize {
    ((!mask & HIGH).trailing_zeros() / 8) as usize
}

/// How many bytes of `i` from `at` are in the class `class` picks out. Eight bytes per step,
/// each step free of data-dependent branches: a byte-at-a-time loop mispredicts its exit once
/// per token, and names, numbers and blank runs are most of a script's tokens.
#[inline(always)]
fn run_of(i: &[u8], at: usize, class: impl Fn(u64) -> u64) -> usize {
    let mut n = 0;
    loop {
        let run = leading(class(eight(i, at + n)));
        n += run;
        if run < 8 {
            return n;
        }
    }
}

/// The offset in `bytes` of the first byte that is one of `targets`, or the length of
/// `bytes`. Comments are a quarter of a typical script's bytes and strings most of the rest,
/// so this looks at eight bytes per step: XOR with a repeated target byte turns matching
/// bytes into zero bytes, and `(x - 0x01..) & !x & 0x80..` sets the high bit of the first zero
/// byte (bytes after it may be marked falsely, which the lowest set bit ignores).
#[inline(always)]
fn first_of<const N: usize>(bytes: &[u8], targets: [u8; N]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        let mut hits = 0;
        for t in targets {
            hits |= zero_bytes(v ^ (ONES * u64::from(t)));
        }
        if hits != 0 {
            return at + (hits.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .position(|b| targets.contains(b))
        .unwrap_or(bytes.len() - at)
}

/// The length of the line that starts `bytes`: the offset of its first CR or LF, or the
/// length of `bytes`.
fn line_len(bytes: &[u8]) -> usize {
    first_of(bytes, [b'\n', b'\r'])
}

/// The length of the name that starts `i` (`[A-Za-z_][A-Za-z0-9_]*`), or 0 when none does.
fn word_len(i: &[u8]) -> usize {
    match i.first() {
        Some(&b) if is_ident_start(b) => run_of(i, 0, ident_bytes),
        _ => 0,
    }
}

/// The body of a string literal after its opening quote: bytes up to the closing quote or the
/// line end, with `\` taking the next byte along (so `\"` does not close the string).
/// Returns the body's length and whether the closing quote was found.
fn string_body(i: &[u8]) -> (usize, bool) {
    let mut at = 0;
    loop {
        at += first_of(&i[at..], [b'"', b'\\', b'\n', b'\r']);
        match i.get(at) {
            Some(b'"') => return (at, true),
            Some(b'\\') if i.get(at + 1).is_some_and(|&b| !is_line_end(b)) => at += 2,
            Some(b'\\') => at += 1,
            _ => return (at, false),
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
    // About one token per eight bytes in real scripts (comments and strings are long).
    tokens.reserve(bytes.len() / 6 + 1);
    let mut out = Lexed {
        tokens,
        // Comments gather in the thread's spare vector and move to one of their exact number
        // at the end: growing a fresh vector cost two or three allocations per script.
        comments: SPARE_COMMENTS.take(),
        ..Lexed::default()
    };
    out.comments.clear();
    let mut at = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut line_start = true;
    // Offsets are u32: `parse` refuses inputs of 4 GiB or more before lexing.
    let push = |out: &mut Lexed, kind, start: usize, end: usize, ls: &mut bool| {
        out.tokens.push(Token {
            kind,
            span: Span::new(start as u32, end as u32),
            line_start: *ls,
        });
        *ls = false;
    };

    while let Some(&first) = bytes.get(at) {
        // One space between two tokens is the commonest blank run by far; stepping over it
        // here saves a trip through the dispatch below.
        let mut b = first;
        if b == b' '
            && let Some(&next) = bytes.get(at + 1)
            && CLASS[next as usize] == 0
        {
            at += 1;
            b = next;
        }
        match START[b as usize] {
            Start::Blank => {
                // Most runs are one space between two tokens, which one table load settles;
                // longer runs (a line end and the next line's indentation) go eight bytes
                // per step.
                line_start |= CLASS[b as usize] & LINE_END != 0;
                let mut n = 1;
                while bytes
                    .get(at + n)
                    .is_some_and(|&c| CLASS[c as usize] & (BLANK | LINE_END) != 0)
                {
                    let w = eight(bytes, at + n);
                    let blanks = blank_bytes(w);
                    let run = leading(blanks);
                    // Line ends before the first byte that is not blank: every bit below the
                    // lowest "not blank" bit (all bits when all eight are blank).
                    let stop = !blanks & HIGH;
                    let within = (stop & stop.wrapping_neg()).wrapping_sub(1);
                    line_start |= line_end_bytes(w) & within != 0;
                    n += run;
                    if run < 8 {
                        break;
                    }
                }
                at += n;
            }
            Start::Comment => {
                let len = line_len(&bytes[at..]);
                out.comments.push(Span::new(at as u32, (at + len) as u32));
                at += len;
            }
            Start::CtrlZ => break,
            Start::Quote => {
                let (len, closed) = string_body(&bytes[at + 1..]);
                let end = at + 1 + len + usize::from(closed);
                let kind = if closed {
                    TokenKind::Str
                } else {
                    out.diagnostics
                        .push(unterminated_string(bytes, at as u32, end as u32));
                    TokenKind::UnclosedStr
                };
                push(&mut out, kind, at, end, &mut line_start);
                at = end;
            }
            Start::Digit => {
                let end = at + run_of(bytes, at, |w| between(w, 0x2F, 0x3A));
                push(&mut out, TokenKind::Int, at, end, &mut line_start);
                at = end;
            }
            Start::Dollar => match word_len(&bytes[at + 1..]) {
                0 => {
                    out.diagnostics.push(
                        Diagnostic::error(codes::UNEXPECTED_CHARACTER, Span::new(at as u32, at as u32 + 1), "unexpected character `$`")
                            .with_label("`$` must be followed by a system variable name")
                            .with_help("the system variables are `$USERID`, `$PASSWORD`, `$SUCCESS` and `$FAILURE`"),
                    );
                    at += 1;
                }
                len => {
                    let end = at + 1 + len;
                    let kind = match sys_var(&bytes[at + 1..end]) {
                        Some(v) => TokenKind::Sys(v),
                        None => {
                            out.diagnostics.push(unknown_sys_var(
                                &bytes[at + 1..end],
                                Span::new(at as u32, end as u32),
                            ));
                            TokenKind::Error
                        }
                    };
                    push(&mut out, kind, at, end, &mut line_start);
                    at = end;
                }
            },
            Start::Word => {
                // The first eight bytes are loaded once: they give the name's length when it
                // is short (most are) and the reserved-word lookup its key.
                let w = eight(bytes, at);
                let first = leading(ident_bytes(w));
                let len = if first < 8 {
                    first
                } else {
                    8 + run_of(bytes, at + 8, ident_bytes)
                };
                // Words of up to eight bytes (nearly all) are looked up from the register;
                // a one-letter word matches no reserved word there. Nine letters is the
                // longest reserved word.
                let kind = if len <= 8 {
                    let keep = u64::MAX.checked_shr(64 - 8 * len as u32).unwrap_or(0);
                    word_kind(w & keep, len)
                } else if len == 9 {
                    Kw::from_word(&bytes[at..at + 9]).map_or(TokenKind::Ident, TokenKind::Kw)
                } else {
                    TokenKind::Ident
                };
                push(&mut out, kind, at, at + len, &mut line_start);
                at += len;
            }
            Start::Other => {
                let two = bytes.get(at + 1).copied();
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
                        push(&mut out, kind, at, at + len, &mut line_start);
                        at += len;
                    }
                    None => {
                        // Characters borrowed from other languages are reported once, and
                        // what the author evidently meant stands in for them, so that the rest
                        // of the line does not produce follow-on errors.
                        let (d, len, stand_in) = match borrowed_syntax(bytes, at as u32, line_start)
                        {
                            Some(found) => found,
                            None => {
                                let len = bad_char_len(&bytes[at..]);
                                (unexpected_character(bytes, at as u32, len), len, None)
                            }
                        };
                        out.diagnostics.push(d);
                        if let Some(kind) = stand_in {
                            push(&mut out, kind, at, at + len, &mut line_start);
                        }
                        at += len;
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
    let spare = std::mem::take(&mut out.comments);
    out.comments = spare.to_vec();
    if spare.capacity() <= SPARE_COMMENTS_MAX {
        SPARE_COMMENTS.set(spare);
    }
    out
}

thread_local! {
    /// The comment vector of the thread's last lexing, kept for the next one.
    static SPARE_COMMENTS: std::cell::Cell<Vec<Span>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The largest comment vector kept for reuse (16,384 comments, 128 KiB).
const SPARE_COMMENTS_MAX: usize = 1 << 14;

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

    /// The eight-byte class masks agree with the byte-at-a-time definitions for every byte
    /// value in every position, next to every other byte value (a carry or borrow from a
    /// neighbour would show up as a wrong bit).
    #[test]
    fn class_masks_are_exact_for_every_byte() {
        type Mask = fn(u64) -> u64;
        type Scalar = fn(u8) -> bool;
        let classes: [(Mask, Scalar); 4] = [
            (ident_bytes, |b| b.is_ascii_alphanumeric() || b == b'_'),
            (blank_bytes, |b| {
                matches!(b, b' ' | b'\t' | 0x0B | 0x0C | b'\n' | b'\r')
            }),
            (line_end_bytes, is_line_end),
            (|w| between(w, 0x2F, 0x3A), |b| b.is_ascii_digit()),
        ];
        for (mask, is) in classes {
            for b in 0..=255u8 {
                for other in 0..=255u8 {
                    for pos in 0..8 {
                        let mut w = [other; 8];
                        w[pos] = b;
                        let m = mask(u64::from_le_bytes(w));
                        for (k, &byte) in w.iter().enumerate() {
                            assert_eq!(m >> (8 * k + 7) & 1 == 1, is(byte), "{w:?} at {k}");
                        }
                        assert_eq!(m & !HIGH, 0);
                    }
                }
            }
        }
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
