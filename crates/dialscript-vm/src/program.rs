//! The compiled form of a script: flat instructions over typed registers.
//!
//! Every variable and every temporary has a slot in one of three register files (integers,
//! strings, booleans), chosen at compile time from the static types, so the interpreter never
//! checks a type tag. Control flow is jumps to instruction indices, as the spec's flat model
//! says (§9.20): blocks are conditional jumps, labels are indices, and a `goto` into a loop
//! body is an ordinary jump.

use dialscript_syntax::ast::{PortSetting, SysVar};
use dialscript_syntax::span::Span;

/// An integer operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntOp {
    /// Integer register.
    Reg(u32),
    /// Constant.
    Imm(i32),
}

/// A string operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrOp {
    /// String register.
    Reg(u32),
    /// Entry of [`Program::strings`].
    Const(u32),
    /// `$USERID` or `$PASSWORD`.
    Sys(SysVar),
}

/// A boolean operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoolOp {
    /// Boolean register.
    Reg(u32),
    /// Constant.
    Imm(bool),
    /// `$SUCCESS`.
    Success,
    /// `$FAILURE`.
    Failure,
}

/// Integer arithmetic (32-bit, wrapping).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (truncating; by zero is a runtime error)
    Div,
}

/// Integer comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
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
}

impl Cmp {
    /// Applies the comparison.
    #[inline]
    pub fn eval(self, a: i32, b: i32) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Gt => a > b,
            Cmp::Le => a <= b,
            Cmp::Ge => a >= b,
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
        }
    }
}

/// One instruction.
///
/// Fields are named the same way throughout: `dst` is the register written (in the file of the
/// instruction's type), `a` and `b` are operands, `to` is a jump target (an instruction
/// index), `when` is the truth value that makes a branch jump.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Insn {
    /// `dst = a`
    SetInt { dst: u32, a: IntOp },
    /// `dst = a OP b`
    Arith {
        op: Arith,
        dst: u32,
        a: IntOp,
        b: IntOp,
    },
    /// `dst = -a`
    Neg { dst: u32, a: IntOp },
    /// `dst = !a` (one's complement)
    Complement { dst: u32, a: IntOp },
    /// `dst = a CMP b` (a boolean register)
    CmpInt {
        op: Cmp,
        dst: u32,
        a: IntOp,
        b: IntOp,
    },
    /// `dst = (a == b) == eq`, strings compared byte for byte
    CmpStr {
        eq: bool,
        dst: u32,
        a: StrOp,
        b: StrOp,
    },
    /// `dst = (a == b) == eq`
    CmpBool {
        eq: bool,
        dst: u32,
        a: BoolOp,
        b: BoolOp,
    },
    /// `dst = a`
    SetBool { dst: u32, a: BoolOp },
    /// `dst = !a`
    Not { dst: u32, a: BoolOp },
    /// `dst = a`
    SetStr { dst: u32, a: StrOp },
    /// `dst = a + b`
    Concat { dst: u32, a: StrOp, b: StrOp },
    /// Go to an instruction.
    Jump { to: u32 },
    /// Go to `to` when `cond` is `when`.
    Branch { cond: BoolOp, when: bool, to: u32 },
    /// Go to `to` when `a CMP b` is `when` (a fused test for loops and ifs).
    BranchCmp {
        op: Cmp,
        a: IntOp,
        b: IntOp,
        when: bool,
        to: u32,
    },
    /// `delay secs`
    Delay { secs: IntOp },
    /// `transmit s [, raw]`
    Transmit { s: StrOp, raw: bool },
    /// `waitfor ...`: the cases are `waits[index]`.
    Waitfor { index: u32 },
    /// `dst = getip n`
    Getip { dst: u32, n: IntOp },
    /// `set port ...`
    SetPort(PortSetting),
    /// `set screen keyboard on|off`
    SetKeyboard(bool),
    /// `set ipaddr s`
    SetIpAddr { s: StrOp },
    /// `halt`
    Halt,
    /// `endproc` of main
    End,
}

/// The strings of one `waitfor`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wait {
    /// The cases, in order.
    pub cases: Vec<WaitCase>,
    /// `until` seconds, if given.
    pub until: Option<IntOp>,
}

/// One string of a `waitfor`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitCase {
    /// The pattern (translated when the `waitfor` starts).
    pub pattern: StrOp,
    /// Compare case-sensitively.
    pub matchcase: bool,
    /// Jump here when it matches (`None`: go on with the next instruction).
    pub target: Option<u32>,
}

/// A compiled script. Immutable: share it between any number of [`crate::Vm`]s with an `Arc`.
///
/// Only [`crate::compile`] makes one, so every register index, jump target and table index in
/// it is valid; the interpreter relies on that.
#[derive(Clone, Debug)]
pub struct Program {
    pub(crate) code: Vec<Insn>,
    pub(crate) spans: Vec<Span>,
    pub(crate) strings: Vec<Vec<u8>>,
    /// `strings`, translated (`^M` to CR and so on), for `transmit` and `waitfor`.
    pub(crate) translated: Vec<Vec<u8>>,
    pub(crate) waits: Vec<Wait>,
    pub(crate) registers: (u32, u32, u32),
}

impl Program {
    /// The instructions of `main`.
    pub fn code(&self) -> &[Insn] {
        &self.code
    }

    /// The span of the statement instruction `pc` comes from.
    pub fn span(&self, pc: usize) -> Span {
        self.spans.get(pc).copied().unwrap_or_default()
    }

    /// The `waitfor` tables.
    pub fn waits(&self) -> &[Wait] {
        &self.waits
    }

    /// String constants, raw as written.
    pub fn strings(&self) -> &[Vec<u8>] {
        &self.strings
    }

    /// Register counts: integers, strings, booleans.
    pub fn registers(&self) -> (u32, u32, u32) {
        self.registers
    }
}
