//! Tokens and the reserved words.

use crate::ast::SysVar;
use crate::span::Span;

/// One token. `line_start` says whether a line end separates it from the previous token: the
/// language ignores line ends except to decide whether `getip` has an operand, and the parser
/// uses them to recover after an error and to place its messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What kind of token.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
    /// First token on its line.
    pub line_start: bool,
}

/// Token kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A name that is not a reserved word.
    Ident,
    /// A decimal integer literal.
    Int,
    /// A closed string literal.
    Str,
    /// A string literal that its line ended before it was closed (already reported).
    UnclosedStr,
    /// One of the four system variables.
    Sys(SysVar),
    /// A reserved word.
    Kw(Kw),
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `!`
    Bang,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `==`
    EqEq,
    /// `!=`
    Ne,
    /// `=`
    Assign,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `:`
    Colon,
    /// Something the lexer already reported (an unknown `$` name); it stands in for an
    /// operand so that the parser does not report it twice.
    Error,
    /// End of input; always the last token.
    Eof,
}

macro_rules! keywords {
    ($( $variant:ident = $text:literal / $lower:literal, )*) => {
        /// The 39 reserved words of the language.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Kw { $( #[doc = concat!("`", $text, "`")] $variant, )* }

        impl Kw {
            /// Every reserved word, in the spec's order.
            pub const ALL: &'static [Kw] = &[ $( Kw::$variant, )* ];

            /// The word as the spec writes it (`TRUE` and `FALSE` upper-case).
            pub fn as_str(self) -> &'static str {
                match self { $( Kw::$variant => $text, )* }
            }

            /// The reserved word spelled `word` in any case, if it is one.
            pub fn from_word(word: &[u8]) -> Option<Kw> {
                // Reserved words are 2 to 9 letters. The lexer asks this of every name, so
                // the word is packed into one integer that ignores case and looked up in a
                // perfect hash table: one multiplication and one comparison, where a chain
                // of string comparisons would mispredict branches on every name.
                if word.len() < 2 || word.len() > 9 {
                    return None;
                }
                Self::from_packed(pack_short_word(word))
            }

            fn from_packed(packed: u128) -> Option<Kw> {
                match KW_KINDS[kw_slot(packed, KW_MUL)] {
                    (key, TokenKind::Kw(kw)) if key == packed => Some(kw),
                    _ => None,
                }
            }
        }

        /// The kind of token a word of `len` bytes makes, `len` at most 8, the word given as
        /// the integer its bytes make in little-endian order (zero above the word; the lexer
        /// has it in a register already): a reserved word or a name. The answer is selected
        /// without a branch: whether a word is reserved changes from one word to the next,
        /// and a branch on it mispredicted once every few words.
        pub(crate) fn word_kind(prefix: u64, len: usize) -> TokenKind {
            let packed = u128::from(prefix) | (len as u128) << 120 | CASE_BITS;
            let (key, kind) = KW_KINDS[kw_slot(packed, KW_MUL)];
            [TokenKind::Ident, kind][usize::from(key == packed)]
        }

        /// The reserved words by [`kw_slot`]: the packed word and its token kind, or
        /// `(0, Ident)` (no word packs to 0) in the slots no word hashes to.
        const KW_KINDS: [(u128, TokenKind); KW_SLOTS] = {
            let mut table = [(0, TokenKind::Ident); KW_SLOTS];
            $( table[kw_slot(pack_word($lower), KW_MUL)] = (pack_word($lower), TokenKind::Kw(Kw::$variant)); )*
            table
        };

        /// Every reserved word, packed by [`pack_word`].
        const KW_PACKED: &[u128] = &[ $( pack_word($lower), )* ];
    };
}

/// Slots of the reserved-word hash table; a power of two, [`kw_slot`] takes the top 7 bits.
const KW_SLOTS: usize = 128;

/// The slot of a packed word: multiply-shift hashing of its two halves folded together.
const fn kw_slot(packed: u128, mul: u64) -> usize {
    let fold = (packed as u64) ^ ((packed >> 64) as u64);
    (fold.wrapping_mul(mul) >> 57) as usize
}

/// A multiplier that gives every reserved word its own slot, found while compiling: the
/// first of a fixed sequence of odd numbers that does (a few hundred tries are expected for
/// 39 words in 128 slots). Compilation fails, rather than the lookup going wrong, if none of
/// the first 100,000 does.
const KW_MUL: u64 = {
    let mut mul: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut tries = 0;
    loop {
        let mut used = 0u128;
        let mut k = 0;
        while k < KW_PACKED.len() {
            let bit = 1u128 << kw_slot(KW_PACKED[k], mul);
            if used & bit != 0 {
                break;
            }
            used |= bit;
            k += 1;
        }
        if k == KW_PACKED.len() {
            break mul;
        }
        tries += 1;
        assert!(
            tries < 100_000,
            "no multiplier gives every reserved word its own slot"
        );
        mul = mul.wrapping_add(0xD1B5_4A32_D192_ED03) | 1;
    }
};

/// Packs a word of at most 15 bytes into an integer that ignores ASCII case: the bytes,
/// the length in the last byte, and bit 0x20 set in every byte. Setting that bit turns an
/// upper-case letter into its lower-case form and leaves a lower-case one alone, and it maps
/// no other byte onto a letter, so a word packs like a (lower-case) reserved word exactly when
/// it is that word in some mix of cases. This form builds the keyword constants at compile
/// time; [`pack_short_word`] computes the same value fast at run time.
const fn pack_word(word: &[u8]) -> u128 {
    let mut buf = [0u8; 16];
    let mut k = 0;
    while k < word.len() && k < 15 {
        buf[k] = word[k];
        k += 1;
    }
    buf[15] = k as u8;
    u128::from_le_bytes(buf) | CASE_BITS
}

const CASE_BITS: u128 = u128::from_le_bytes([0x20; 16]);

/// [`pack_word`] for a word of 2 to 9 bytes, with a few overlapping loads instead of a byte
/// loop: a buffer filled byte by byte and then read as one integer stalls the processor,
/// and this runs for every name in a script.
fn pack_short_word(word: &[u8]) -> u128 {
    let n = word.len();
    let load = |at: usize, len: usize| {
        let mut b = [0u8; 8];
        b[..len].copy_from_slice(&word[at..at + len]);
        u64::from_le_bytes(b)
    };
    // Two loads that together cover the first min(n, 8) bytes; where they overlap they hold
    // the same bytes, so OR-ing them is exact.
    let lo = match n {
        8.. => load(0, 8),
        4..=7 => load(0, 4) | load(n - 4, 4) << ((n - 4) * 8),
        2..=3 => load(0, 2) | load(n - 2, 2) << ((n - 2) * 8),
        _ => load(0, n),
    };
    let hi = if n > 8 { load(8, (n - 8).min(7)) } else { 0 };
    (u128::from(hi) << 64 | u128::from(lo) | (n as u128) << 120) | CASE_BITS
}

keywords! {
    And = "and" / b"and",
    Boolean = "boolean" / b"boolean",
    Databits = "databits" / b"databits",
    Delay = "delay" / b"delay",
    Do = "do" / b"do",
    Endif = "endif" / b"endif",
    Endproc = "endproc" / b"endproc",
    Endwhile = "endwhile" / b"endwhile",
    Even = "even" / b"even",
    False = "FALSE" / b"false",
    Getip = "getip" / b"getip",
    Goto = "goto" / b"goto",
    Halt = "halt" / b"halt",
    If = "if" / b"if",
    Integer = "integer" / b"integer",
    Ipaddr = "ipaddr" / b"ipaddr",
    Keyboard = "keyboard" / b"keyboard",
    Mark = "mark" / b"mark",
    Matchcase = "matchcase" / b"matchcase",
    None = "none" / b"none",
    Odd = "odd" / b"odd",
    Off = "off" / b"off",
    On = "on" / b"on",
    Or = "or" / b"or",
    Parity = "parity" / b"parity",
    Port = "port" / b"port",
    Proc = "proc" / b"proc",
    Raw = "raw" / b"raw",
    Screen = "screen" / b"screen",
    Set = "set" / b"set",
    Space = "space" / b"space",
    Stopbits = "stopbits" / b"stopbits",
    String = "string" / b"string",
    Then = "then" / b"then",
    Transmit = "transmit" / b"transmit",
    True = "TRUE" / b"true",
    Until = "until" / b"until",
    Waitfor = "waitfor" / b"waitfor",
    While = "while" / b"while",
}

impl TokenKind {
    /// How a message names this kind of token when no text is at hand.
    pub fn describe(self) -> &'static str {
        match self {
            TokenKind::Ident => "a name",
            TokenKind::Int => "an integer",
            TokenKind::Str | TokenKind::UnclosedStr => "a string",
            TokenKind::Sys(_) => "a system variable",
            TokenKind::Kw(_) => "a keyword",
            TokenKind::Plus => "`+`",
            TokenKind::Minus => "`-`",
            TokenKind::Star => "`*`",
            TokenKind::Slash => "`/`",
            TokenKind::Bang => "`!`",
            TokenKind::Lt => "`<`",
            TokenKind::Gt => "`>`",
            TokenKind::Le => "`<=`",
            TokenKind::Ge => "`>=`",
            TokenKind::EqEq => "`==`",
            TokenKind::Ne => "`!=`",
            TokenKind::Assign => "`=`",
            TokenKind::LParen => "`(`",
            TokenKind::RParen => "`)`",
            TokenKind::Comma => "`,`",
            TokenKind::Colon => "`:`",
            TokenKind::Error => "an invalid token",
            TokenKind::Eof => "end of file",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_nine_reserved_words_in_any_case() {
        assert_eq!(Kw::ALL.len(), 39);
        for kw in Kw::ALL {
            assert_eq!(Kw::from_word(kw.as_str().as_bytes()), Some(*kw));
            assert_eq!(
                Kw::from_word(kw.as_str().to_ascii_uppercase().as_bytes()),
                Some(*kw)
            );
        }
        assert_eq!(Kw::from_word(b"else"), None);
        assert_eq!(Kw::from_word(b"main"), None);
    }

    #[test]
    fn a_keyword_with_any_one_byte_changed_matches_only_in_another_case() {
        for kw in Kw::ALL {
            let word = kw.as_str().to_ascii_lowercase().into_bytes();
            assert_eq!(Kw::from_word(&[&word[..], b"\0"].concat()), None);
            assert_eq!(Kw::from_word(&[&word[..], b" "].concat()), None);
            assert_eq!(
                Kw::from_word(&word[..word.len() - 1]).filter(|k| k == kw),
                None
            );
            for at in 0..word.len() {
                for b in 0..=255u8 {
                    let mut w = word.clone();
                    w[at] = b;
                    let same = b.to_ascii_lowercase() == word[at];
                    assert_eq!(
                        Kw::from_word(&w) == Some(*kw),
                        same,
                        "{kw:?} with byte {b:#04x} at {at}"
                    );
                    // The lexer's lookup agrees with `from_word` on every word it is given.
                    if w.len() <= 8 {
                        let mut prefix = [0u8; 8];
                        prefix[..w.len()].copy_from_slice(&w);
                        assert_eq!(
                            word_kind(u64::from_le_bytes(prefix), w.len()),
                            Kw::from_word(&w).map_or(TokenKind::Ident, TokenKind::Kw),
                            "{kw:?} with byte {b:#04x} at {at}"
                        );
                    }
                }
            }
        }
    }
}
