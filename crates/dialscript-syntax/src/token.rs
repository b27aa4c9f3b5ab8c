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
                // Reserved words are 2 to 9 letters; fold into a small buffer to compare.
                if word.len() < 2 || word.len() > 9 {
                    return None;
                }
                let mut buf = [0u8; 9];
                for (d, s) in buf.iter_mut().zip(word) {
                    *d = s.to_ascii_lowercase();
                }
                match &buf[..word.len()] {
                    $( $lower => Some(Kw::$variant), )*
                    _ => None,
                }
            }
        }
    };
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
            assert_eq!(Kw::from_word(kw.as_str().to_ascii_uppercase().as_bytes()), Some(*kw));
        }
        assert_eq!(Kw::from_word(b"else"), None);
        assert_eq!(Kw::from_word(b"main"), None);
    }
}
