//! Escape and caret translation of string values (spec §1.1).
//!
//! The language applies it when a string is transmitted without `, raw` and when it is used
//! as a `waitfor` pattern, to the runtime value, not in the lexer: that is why `transmit
//! $PASSWORD, raw` exists. It is one left-to-right pass:
//!
//! | text | bytes |
//! |---|---|
//! | `^c`, c in `@`..`_` | c - 0x40 (`^M` is CR, `^[` is ESC) |
//! | `^c`, c in `a`..`z` | c - 0x60 (`^m` is CR too) |
//! | `<cr>`, `<lf>` (any case) | CR, LF |
//! | `\"`, `\^`, `\<`, `\\` | `"`, `^`, `<`, `\` |
//! | `\c`, any other c | c (the checker warns) |
//!
//! A `^` before any other character, and a `<` that starts neither `<cr>` nor `<lf>`, are
//! literal; the character after such a `^` is then read as usual. A trailing lone `^` or `\`
//! is literal.

/// Something in a string that translation accepts but that is probably a mistake. The
/// checker reports these; translation itself never fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Oddity {
    /// `\c` for a c other than `"`, `^`, `<`, `\`: it just means c.
    UnknownEscape,
    /// `<CR>`, `<Lf>` and the like: accepted, but the documentation writes lowercase.
    UppercaseMacro,
    /// `^` before a character it does not translate (a digit, space, `{`...): sent as is.
    LiteralCaret,
    /// A `^` or `\` at the very end of the string.
    TrailingEscape,
}

/// Translates a raw string value into the bytes it stands for.
///
/// ```
/// use dialscript_syntax::translate;
/// assert_eq!(translate(b"ATZ^M"), b"ATZ\r");
/// assert_eq!(translate(b"<cr><lf>"), b"\r\n");
/// assert_eq!(translate(br#"\^M is \"caret M\""#), br#"^M is "caret M""#);
/// ```
pub fn translate(raw: &[u8]) -> Vec<u8> {
    translate_reporting(raw, |_, _| {})
}

/// Translates like [`translate`] and calls `odd(kind, offset)` for each [`Oddity`], with the
/// byte offset of the `^`, `\` or `<` inside `raw`.
pub fn translate_reporting(raw: &[u8], odd: impl FnMut(Oddity, usize)) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    walk(raw, |b| out.push(b), odd);
    out
}

/// Calls `odd` as [`translate_reporting`] does, without building the translated bytes (the
/// checker only wants the oddities).
pub fn oddities(raw: &[u8], odd: impl FnMut(Oddity, usize)) {
    walk(raw, |_| {}, odd);
}

/// The translation pass: `emit` gets each translated byte in order, `odd` each oddity.
fn walk(raw: &[u8], mut emit: impl FnMut(u8), mut odd: impl FnMut(Oddity, usize)) {
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        match b {
            b'^' => match raw.get(i + 1) {
                Some(&c @ 0x40..=0x5F) => {
                    emit(c - 0x40);
                    i += 2;
                }
                Some(&c @ b'a'..=b'z') => {
                    emit(c - 0x60);
                    i += 2;
                }
                Some(_) => {
                    odd(Oddity::LiteralCaret, i);
                    emit(b'^');
                    i += 1;
                }
                None => {
                    odd(Oddity::TrailingEscape, i);
                    emit(b'^');
                    i += 1;
                }
            },
            b'\\' => match raw.get(i + 1) {
                Some(&c) => {
                    if !matches!(c, b'"' | b'^' | b'<' | b'\\') {
                        odd(Oddity::UnknownEscape, i);
                    }
                    emit(c);
                    i += 2;
                }
                None => {
                    odd(Oddity::TrailingEscape, i);
                    emit(b'\\');
                    i += 1;
                }
            },
            b'<' if raw.len() >= i + 4 && raw[i + 3] == b'>' => {
                let word = &raw[i + 1..i + 3];
                let byte = if word.eq_ignore_ascii_case(b"cr") {
                    Some(b'\r')
                } else if word.eq_ignore_ascii_case(b"lf") {
                    Some(b'\n')
                } else {
                    None
                };
                match byte {
                    Some(byte) => {
                        if word != b"cr" && word != b"lf" {
                            odd(Oddity::UppercaseMacro, i);
                        }
                        emit(byte);
                        i += 4;
                    }
                    None => {
                        emit(b'<');
                        i += 1;
                    }
                }
            }
            _ => {
                emit(b);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn odd(raw: &[u8]) -> Vec<(Oddity, usize)> {
        let mut v = Vec::new();
        translate_reporting(raw, |k, at| v.push((k, at)));
        // The pass without output reports the same.
        let mut w = Vec::new();
        oddities(raw, |k, at| w.push((k, at)));
        assert_eq!(v, w);
        v
    }

    #[test]
    fn carets() {
        assert_eq!(translate(b"^M^J^[^^^@"), vec![13, 10, 27, 0x1E, 0]);
        assert_eq!(translate(b"^m^z"), vec![13, 26]);
        assert_eq!(translate(b"^1^ ^{"), b"^1^ ^{".to_vec());
        assert_eq!(translate(b"^\\"), vec![0x1C]);
        assert_eq!(translate(b"a^"), b"a^".to_vec());
        assert_eq!(translate(b"^<cr>"), b"^\r".to_vec());
    }

    #[test]
    fn macros_and_escapes() {
        assert_eq!(translate(b"<cr><lf><CR><Lf>"), b"\r\n\r\n".to_vec());
        assert_eq!(translate(b"<tab><c"), b"<tab><c".to_vec());
        assert_eq!(translate(br#"\"\^M\<cr>\\"#), br#""^M<cr>\"#.to_vec());
        assert_eq!(translate(br"\q"), b"q".to_vec());
        assert_eq!(translate(br"a\"), br"a\".to_vec());
    }

    #[test]
    fn oddities_are_reported_where_they_are() {
        assert_eq!(odd(br"a\qb"), vec![(Oddity::UnknownEscape, 1)]);
        assert_eq!(odd(b"<CR>"), vec![(Oddity::UppercaseMacro, 0)]);
        assert_eq!(odd(b"x^1"), vec![(Oddity::LiteralCaret, 1)]);
        assert_eq!(odd(b"x^"), vec![(Oddity::TrailingEscape, 1)]);
        assert!(odd(b"ATZ^M<cr>\\\\").is_empty());
    }
}
