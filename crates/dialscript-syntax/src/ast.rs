//! The owned syntax tree. Every node carries the [`Span`] of the text it came from.
//!
//! Names keep the spelling of the file; the language compares them without regard to ASCII
//! case, and [`Ident::key`] gives the form to compare with. String literals keep their raw
//! bytes, escapes untranslated: [`crate::translate()`] applies the escapes when a string is
//! transmitted or waited for, which is when the language applies them.

use crate::span::Span;

/// The text of a name. Names are short, so it is held inline (up to 22 bytes) rather than in
/// a heap allocation of its own: a typical script has dozens of names, and allocating and
/// freeing each was a tenth of the parse.
pub use crate::name::Name;

/// A whole script: its procedures, in file order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Script {
    /// The procedures.
    pub procs: Vec<Proc>,
    /// The whole file.
    pub span: Span,
}

impl Script {
    /// The procedure named `main`, if there is one (the first, if several).
    pub fn main(&self) -> Option<&Proc> {
        self.procs.iter().find(|p| p.name.is("main"))
    }
}

/// `proc NAME ... endproc`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proc {
    /// The procedure's name.
    pub name: Ident,
    /// Declarations and statements in order.
    pub body: Vec<Stmt>,
    /// Span of the `endproc` keyword; `None` when it is missing.
    pub end: Option<Span>,
    /// From `proc` through `endproc` (or the last statement when `endproc` is missing).
    pub span: Span,
}

/// A name: variable, label or procedure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The name as written.
    pub name: Name,
    /// Where it is written.
    pub span: Span,
}

impl Ident {
    /// The name folded to lowercase, the form in which names compare.
    pub fn key(&self) -> Name {
        self.name.to_ascii_lowercase()
    }

    /// Whether this name is `other`, ignoring ASCII case.
    pub fn is(&self, other: &str) -> bool {
        self.name.eq_ignore_ascii_case(other)
    }

    /// Whether two names are the same, ignoring ASCII case (compared as bytes: no folded
    /// copies, no UTF-8 check).
    pub fn same(&self, other: &Ident) -> bool {
        self.name
            .as_bytes()
            .eq_ignore_ascii_case(other.name.as_bytes())
    }
}

/// A statement together with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stmt {
    /// What the statement is.
    pub kind: StmtKind,
    /// Its whole text.
    pub span: Span,
}

/// The three types of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// 32-bit signed integer.
    Integer,
    /// Byte string.
    String,
    /// `TRUE` or `FALSE`.
    Boolean,
}

impl Type {
    /// The keyword that names the type.
    pub fn keyword(self) -> &'static str {
        match self {
            Type::Integer => "integer",
            Type::String => "string",
            Type::Boolean => "boolean",
        }
    }
}

/// Statements, declarations included (the language asks for declarations first; the parser
/// accepts them anywhere and the checker reports the ones that come late).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StmtKind {
    /// `integer|string|boolean NAME [= EXPR]`.
    Decl {
        /// Declared type.
        ty: Type,
        /// Declared name.
        name: Ident,
        /// Initial value.
        init: Option<Expr>,
    },
    /// `NAME = EXPR`.
    Assign {
        /// Assigned variable (a system variable here is a checker error).
        target: Target,
        /// New value.
        value: Expr,
    },
    /// `NAME:`.
    Label(Ident),
    /// `delay EXPR` (seconds).
    Delay(Expr),
    /// `goto NAME`.
    Goto(Ident),
    /// `halt`.
    Halt,
    /// `if EXPR then ... endif`.
    If {
        /// Condition.
        cond: Expr,
        /// Statements run when it holds.
        body: Vec<Stmt>,
        /// Span of `endif`; `None` when missing.
        end: Option<Span>,
    },
    /// `while EXPR do ... endwhile`.
    While {
        /// Condition, tested before each pass.
        cond: Expr,
        /// Loop body.
        body: Vec<Stmt>,
        /// Span of `endwhile`; `None` when missing.
        end: Option<Span>,
    },
    /// `set port databits|parity|stopbits VALUE`.
    SetPort(PortSetting),
    /// `set screen keyboard on|off`.
    SetScreenKeyboard(bool),
    /// `set ipaddr EXPR`.
    SetIpAddr(Expr),
    /// `transmit EXPR [, raw]`.
    Transmit {
        /// What to send.
        value: Expr,
        /// `, raw`: send the bytes without escape translation.
        raw: bool,
    },
    /// `waitfor EXPR [, matchcase] [then LABEL {, EXPR [, matchcase] then LABEL}] [until EXPR]`.
    Waitfor {
        /// The strings waited for, in order.
        cases: Vec<WaitCase>,
        /// `until EXPR`: the timeout in seconds.
        until: Option<Expr>,
    },
    /// `getip [EXPR]` on its own, its value discarded.
    Getip(Option<Box<Expr>>),
}

/// The left side of an assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A declared variable.
    Var(Ident),
    /// A system variable (read-only; the checker reports it).
    Sys(SysVar, Span),
}

/// One string of a `waitfor`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitCase {
    /// The string.
    pub pattern: Expr,
    /// `, matchcase`: compare case-sensitively.
    pub matchcase: bool,
    /// `then LABEL`: where to jump when this string arrives.
    pub target: Option<Ident>,
}

/// A `set port` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortSetting {
    /// `databits 5|6|7|8`.
    DataBits(u8),
    /// `parity none|odd|even|mark|space`.
    Parity(Parity),
    /// `stopbits 1|2`.
    StopBits(u8),
}

/// Serial parity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parity {
    /// No parity bit.
    None,
    /// Odd parity.
    Odd,
    /// Even parity.
    Even,
    /// Parity bit always 1.
    Mark,
    /// Parity bit always 0.
    Space,
}

impl Parity {
    /// The keyword for this parity.
    pub fn keyword(self) -> &'static str {
        match self {
            Parity::None => "none",
            Parity::Odd => "odd",
            Parity::Even => "even",
            Parity::Mark => "mark",
            Parity::Space => "space",
        }
    }
}

/// The four system variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SysVar {
    /// `$USERID`: the user name from the dial-up dialog (string).
    UserId,
    /// `$PASSWORD`: the password from the dial-up dialog (string).
    Password,
    /// `$SUCCESS`: whether the last `waitfor`/`getip` succeeded (boolean).
    Success,
    /// `$FAILURE`: always `!$SUCCESS` (boolean).
    Failure,
}

impl SysVar {
    /// The name as the documentation spells it, with its `$`.
    pub fn name(self) -> &'static str {
        match self {
            SysVar::UserId => "$USERID",
            SysVar::Password => "$PASSWORD",
            SysVar::Success => "$SUCCESS",
            SysVar::Failure => "$FAILURE",
        }
    }

    /// The variable's type.
    pub fn ty(self) -> Type {
        match self {
            SysVar::UserId | SysVar::Password => Type::String,
            SysVar::Success | SysVar::Failure => Type::Boolean,
        }
    }
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Its text.
    pub span: Span,
}

/// Expressions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    /// An integer literal; always in `0..=2147483648` (the largest only under unary minus is
    /// meaningful, which the checker tests).
    Int(i64),
    /// A string literal: the raw bytes between the quotes, escapes untranslated.
    Str(StrBytes),
    /// `TRUE` or `FALSE`.
    Bool(bool),
    /// A variable.
    Var(Ident),
    /// A system variable.
    Sys(SysVar),
    /// `-x` or `!x`.
    Unary(UnOp, Box<Expr>),
    /// `a OP b`.
    /// Both operands are in one allocation: a tree has many binary expressions, and two
    /// boxes each cost a tenth of the time to parse and drop them.
    Binary(BinOp, Box<(Expr, Expr)>),
    /// `( x )`, kept so that the printer reproduces the grouping and spans cover it.
    Paren(Box<Expr>),
    /// `getip [n]`.
    Getip(Option<Box<Expr>>),
    /// Stands in for an expression that failed to parse (a diagnostic says why).
    Error,
}

/// The bytes of a string literal. Most literals (`"ogin:"`, `"^M"`) are a few bytes, held
/// inline up to 16 bytes, so that the tree does not make one heap allocation per literal.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct StrBytes(smallvec::SmallVec<[u8; 16]>);

impl StrBytes {
    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// The `len` bytes at `start` in `src` (empty when the range is not in `src`). A short
    /// literal with 16 bytes of text after its start is copied as one fixed block, without
    /// the branches of a copy of its exact length, which mispredict on most literals.
    pub(crate) fn from_src(src: &[u8], start: usize, len: usize) -> StrBytes {
        const INLINE: usize = 16;
        if len <= INLINE
            && let Some(window) = src.get(start..start.saturating_add(INLINE))
        {
            let mut buf = [0u8; INLINE];
            buf.copy_from_slice(window);
            return StrBytes(smallvec::SmallVec::from_buf_and_len(buf, len));
        }
        src.get(start..start.saturating_add(len))
            .map_or_else(StrBytes::default, StrBytes::from)
    }
}

impl std::ops::Deref for StrBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for StrBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<&[u8]> for StrBytes {
    fn from(bytes: &[u8]) -> Self {
        StrBytes(smallvec::SmallVec::from_slice(bytes))
    }
}

impl From<Vec<u8>> for StrBytes {
    fn from(bytes: Vec<u8>) -> Self {
        StrBytes(smallvec::SmallVec::from_vec(bytes))
    }
}

impl PartialEq<[u8]> for StrBytes {
    fn eq(&self, other: &[u8]) -> bool {
        *self.0 == *other
    }
}

/// Prints as the byte list a `Vec<u8>` prints as.
impl std::fmt::Debug for StrBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.as_slice().fmt(f)
    }
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-`: negation.
    Neg,
    /// `!`: logical not on booleans, one's complement on integers.
    Not,
}

/// Binary operators, with the spec's precedence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `+` (integers, or string concatenation)
    Add,
    /// `-`
    Sub,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `and`
    And,
    /// `or`
    Or,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }

    /// Applies an arithmetic operator to two integers the way the language computes: 32-bit,
    /// wrapping, division truncating toward zero. `None` for a non-arithmetic operator and for
    /// division by zero (a runtime error, not a value). The checker's constant folding and the
    /// VM's share this, so they can never disagree.
    pub fn eval_int(self, a: i32, b: i32) -> Option<i32> {
        match self {
            BinOp::Add => Some(a.wrapping_add(b)),
            BinOp::Sub => Some(a.wrapping_sub(b)),
            BinOp::Mul => Some(a.wrapping_mul(b)),
            BinOp::Div if b != 0 => Some(a.wrapping_div(b)),
            _ => None,
        }
    }

    /// Binding strength: higher binds tighter (`*` is 6, `or` is 1). All binary operators are
    /// left-associative.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Mul | BinOp::Div => 6,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => 4,
            BinOp::Eq | BinOp::Ne => 3,
            BinOp::And => 2,
            BinOp::Or => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StrBytes;

    #[test]
    fn literals_from_the_source_are_the_bytes_of_their_range() {
        let src = b"transmit \"ogin:\" ; a literal longer than sixteen bytes, \xE9\r\n";
        for start in 0..=src.len() + 2 {
            for len in 0..=src.len() + 2 {
                let made = StrBytes::from_src(src, start, len);
                let expected = src.get(start..start + len).unwrap_or(&[]);
                assert_eq!(made.as_slice(), expected, "{start} {len}");
            }
        }
    }
}
