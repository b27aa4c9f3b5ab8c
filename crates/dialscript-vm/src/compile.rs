//! AST to [`Program`].
//!
//! The compiler refuses a script with syntax or semantic errors (the same facts the checker
//! reports, from `dialscript_syntax::sema`), so what it compiles is well typed: each expression
//! goes to the register file of its type without checks. Temporaries live above the variables
//! and are reused statement by statement.

use std::collections::HashMap;

use dialscript_syntax::ast::{
    BinOp, Expr, ExprKind, Name, Script, Stmt, StmtKind, SysVar, Target, Type, UnOp,
};
use dialscript_syntax::diagnostic::Diagnostic;
use dialscript_syntax::sema::{self, ProcInfo};
use dialscript_syntax::span::Span;

use crate::program::{Arith, BoolOp, Cmp, Insn, IntOp, Program, StrOp, Wait, WaitCase};

/// Parses and compiles a script's bytes. Errors are the syntax and semantic diagnostics that
/// stop it from running (warnings are the checker's business and do not stop it).
///
/// ```
/// let program = dialscript_vm::compile_source(b"proc main\n  transmit \"ATZ^M\"\nendproc\n").unwrap();
/// assert!(!program.code().is_empty());
/// let errors = dialscript_vm::compile_source(b"proc main\n  transmit 5\nendproc\n").unwrap_err();
/// assert_eq!(errors[0].code.code, "DS106");
/// ```
pub fn compile_source(bytes: &[u8]) -> Result<Program, Vec<Diagnostic>> {
    let parse = dialscript_syntax::parse(bytes);
    if parse.has_errors() {
        return Err(parse
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == dialscript_syntax::Severity::Error)
            .collect());
    }
    compile(&parse.script)
}

/// Compiles a parsed script. The tree must come from a parse without errors.
pub fn compile(script: &Script) -> Result<Program, Vec<Diagnostic>> {
    let facts = sema::analyze(script);
    let errors = sema::errors(&facts, script);
    if !errors.is_empty() {
        return Err(errors);
    }
    let Some(main) = facts.main.map(|i| &facts.procs[i]) else {
        return Err(errors);
    };
    let mut c = Compiler::new(main);
    c.block(&main.proc_.body);
    c.emit(Insn::End, main.proc_.end.unwrap_or(main.proc_.span));
    Ok(c.finish())
}

/// A jump target not yet placed: an index into `Compiler::labels`.
type Label = u32;

struct Compiler {
    code: Vec<Insn>,
    spans: Vec<Span>,
    strings: Vec<Vec<u8>>,
    interned: HashMap<Vec<u8>, u32>,
    waits: Vec<Wait>,
    /// Where each label is, once placed.
    labels: Vec<Option<u32>>,
    /// The label of each user label name.
    named: HashMap<Name, Label>,
    /// Registers of variables, by lowercase name.
    vars: HashMap<Name, (Type, u32)>,
    /// First free temporary and the high-water mark, per register file.
    temp: [u32; 3],
    base: [u32; 3],
    max: [u32; 3],
    span: Span,
}

const INT: usize = 0;
const STR: usize = 1;
const BOOL: usize = 2;

fn file_of(t: Type) -> usize {
    match t {
        Type::Integer => INT,
        Type::String => STR,
        Type::Boolean => BOOL,
    }
}

impl Compiler {
    fn new(info: &ProcInfo<'_>) -> Self {
        let mut vars = HashMap::new();
        let mut count = [0u32; 3];
        for v in &info.vars {
            let f = file_of(v.ty);
            vars.insert(v.ident.key(), (v.ty, count[f]));
            count[f] += 1;
        }
        let mut c = Compiler {
            code: Vec::new(),
            spans: Vec::new(),
            strings: Vec::new(),
            interned: HashMap::new(),
            waits: Vec::new(),
            labels: Vec::new(),
            named: HashMap::new(),
            vars,
            temp: count,
            base: count,
            max: count,
            span: info.proc_.span,
        };
        for l in &info.labels {
            let id = c.new_label();
            c.named.insert(l.ident.key(), id);
        }
        c
    }

    fn finish(self) -> Program {
        let labels = self.labels;
        let resolve = |l: u32| labels.get(l as usize).copied().flatten().unwrap_or(0);
        let mut code = self.code;
        for insn in &mut code {
            match insn {
                Insn::Jump { to } | Insn::Branch { to, .. } | Insn::BranchCmp { to, .. } => {
                    *to = resolve(*to)
                }
                _ => {}
            }
        }
        let mut waits = self.waits;
        for w in &mut waits {
            for case in &mut w.cases {
                case.target = case.target.map(resolve);
            }
        }
        let translated = self
            .strings
            .iter()
            .map(|s| dialscript_syntax::translate(s))
            .collect();
        Program {
            code,
            spans: self.spans,
            strings: self.strings,
            translated,
            waits,
            registers: (self.max[INT], self.max[STR], self.max[BOOL]),
        }
    }

    fn emit(&mut self, insn: Insn, span: Span) {
        self.code.push(insn);
        self.spans.push(span);
    }

    fn op(&mut self, insn: Insn) {
        let span = self.span;
        self.emit(insn, span);
    }

    fn new_label(&mut self) -> Label {
        self.labels.push(None);
        (self.labels.len() - 1) as Label
    }

    fn place(&mut self, l: Label) {
        self.labels[l as usize] = Some(self.code.len() as u32);
    }

    fn temp(&mut self, file: usize) -> u32 {
        let r = self.temp[file];
        self.temp[file] += 1;
        self.max[file] = self.max[file].max(self.temp[file]);
        r
    }

    fn intern(&mut self, s: &[u8]) -> u32 {
        if let Some(&i) = self.interned.get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        self.strings.push(s.to_vec());
        self.interned.insert(s.to_vec(), i);
        i
    }

    fn var(&self, name: &dialscript_syntax::ast::Ident) -> (Type, u32) {
        // Semantic analysis proved every name declared; the fallback is never taken.
        self.vars
            .get(&name.key())
            .copied()
            .unwrap_or((Type::Integer, 0))
    }

    fn ty(&self, e: &Expr) -> Type {
        match &e.kind {
            ExprKind::Int(_) => Type::Integer,
            ExprKind::Str(_) | ExprKind::Getip(_) => Type::String,
            ExprKind::Bool(_) | ExprKind::Error => Type::Boolean,
            ExprKind::Var(name) => self.var(name).0,
            ExprKind::Sys(v) => v.ty(),
            ExprKind::Paren(x) => self.ty(x),
            ExprKind::Unary(UnOp::Neg, _) => Type::Integer,
            ExprKind::Unary(UnOp::Not, x) => self.ty(x),
            ExprKind::Binary(BinOp::Add, lr) => self.ty(&lr.0),
            ExprKind::Binary(BinOp::Sub | BinOp::Mul | BinOp::Div, ..) => Type::Integer,
            ExprKind::Binary(..) => Type::Boolean,
        }
    }

    fn block(&mut self, body: &[Stmt]) {
        for s in body {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        self.temp = self.base;
        self.span = s.span;
        match &s.kind {
            StmtKind::Decl { ty, name, init } => {
                let (_, reg) = self.var(name);
                match init {
                    Some(e) => self.assign(*ty, reg, e),
                    None => match ty {
                        Type::Integer => self.op(Insn::SetInt {
                            dst: reg,
                            a: IntOp::Imm(0),
                        }),
                        Type::String => {
                            let empty = self.intern(b"");
                            self.op(Insn::SetStr {
                                dst: reg,
                                a: StrOp::Const(empty),
                            });
                        }
                        Type::Boolean => self.op(Insn::SetBool {
                            dst: reg,
                            a: BoolOp::Imm(false),
                        }),
                    },
                }
            }
            StmtKind::Assign {
                target: Target::Var(name),
                value,
            } => {
                let (ty, reg) = self.var(name);
                self.assign(ty, reg, value);
            }
            // Refused by semantic analysis (DS107).
            StmtKind::Assign {
                target: Target::Sys(..),
                ..
            } => {}
            StmtKind::Label(name) => {
                if let Some(&l) = self.named.get(&name.key()) {
                    self.place(l);
                }
            }
            StmtKind::Delay(e) => {
                let secs = self.int(e);
                self.op(Insn::Delay { secs });
            }
            StmtKind::Goto(name) => {
                let to = self.named.get(&name.key()).copied().unwrap_or(0);
                self.op(Insn::Jump { to });
            }
            StmtKind::Halt => self.op(Insn::Halt),
            StmtKind::If { cond, body, .. } => {
                let end = self.new_label();
                self.cond_jump(cond, false, end);
                self.block(body);
                self.place(end);
            }
            StmtKind::While { cond, body, .. } => {
                // Test at the bottom: one jump per pass instead of two. `endwhile` still goes
                // to the test, as the spec says, and a `goto` into the body needs nothing
                // special.
                let (body_label, test) = (self.new_label(), self.new_label());
                self.op(Insn::Jump { to: test });
                self.place(body_label);
                self.block(body);
                self.span = s.span;
                self.temp = self.base;
                self.place(test);
                self.cond_jump(cond, true, body_label);
            }
            StmtKind::SetPort(p) => self.op(Insn::SetPort(*p)),
            StmtKind::SetScreenKeyboard(on) => self.op(Insn::SetKeyboard(*on)),
            StmtKind::SetIpAddr(e) => {
                let s = self.str(e);
                self.op(Insn::SetIpAddr { s });
            }
            StmtKind::Transmit { value, raw } => {
                let s = self.str(value);
                self.op(Insn::Transmit { s, raw: *raw });
            }
            StmtKind::Waitfor { cases, until } => {
                let mut table = Vec::with_capacity(cases.len());
                for c in cases {
                    let pattern = self.str(&c.pattern);
                    let target = c
                        .target
                        .as_ref()
                        .and_then(|t| self.named.get(&t.key()).copied());
                    table.push(WaitCase {
                        pattern,
                        matchcase: c.matchcase,
                        target,
                    });
                }
                let until = until.as_ref().map(|u| self.int(u));
                let index = self.waits.len() as u32;
                self.waits.push(Wait {
                    cases: table,
                    until,
                });
                self.op(Insn::Waitfor { index });
            }
            StmtKind::Getip(arg) => {
                let n = arg.as_ref().map_or(IntOp::Imm(1), |a| self.int(a));
                let dst = self.temp(STR);
                self.op(Insn::Getip { dst, n });
            }
        }
    }

    /// `reg = e` for a variable of type `ty`, computing straight into the variable where that
    /// saves a copy (`i = i + 1` is one instruction).
    fn assign(&mut self, ty: Type, reg: u32, e: &Expr) {
        match ty {
            Type::Integer => match &strip(e).kind {
                ExprKind::Binary(op @ (BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div), lr)
                    if self.ty(e) == Type::Integer =>
                {
                    let (a, b) = (self.int(&lr.0), self.int(&lr.1));
                    match fold(*op, a, b) {
                        Some(v) => self.op(Insn::SetInt {
                            dst: reg,
                            a: IntOp::Imm(v),
                        }),
                        None => self.op(Insn::Arith {
                            op: arith(*op),
                            dst: reg,
                            a,
                            b,
                        }),
                    }
                }
                _ => {
                    let a = self.int(e);
                    self.op(Insn::SetInt { dst: reg, a });
                }
            },
            Type::String => match &strip(e).kind {
                ExprKind::Binary(BinOp::Add, operands) => {
                    let (l, r) = &**operands;
                    let (a, b) = (self.str(l), self.str(r));
                    self.op(Insn::Concat { dst: reg, a, b });
                }
                _ => {
                    let a = self.str(e);
                    self.op(Insn::SetStr { dst: reg, a });
                }
            },
            Type::Boolean => {
                let a = self.boolean(e);
                self.op(Insn::SetBool { dst: reg, a });
            }
        }
    }

    fn int(&mut self, e: &Expr) -> IntOp {
        match &e.kind {
            ExprKind::Int(n) => IntOp::Imm(*n as i32),
            ExprKind::Var(name) => IntOp::Reg(self.var(name).1),
            ExprKind::Paren(x) => self.int(x),
            ExprKind::Unary(UnOp::Neg, x) => match &strip(x).kind {
                // `-2147483648` is the one literal that only fits negated.
                ExprKind::Int(n) => IntOp::Imm((-*n) as i32),
                _ => {
                    let a = self.int(x);
                    if let IntOp::Imm(v) = a {
                        return IntOp::Imm(v.wrapping_neg());
                    }
                    let dst = self.temp(INT);
                    self.op(Insn::Neg { dst, a });
                    IntOp::Reg(dst)
                }
            },
            ExprKind::Unary(UnOp::Not, x) => {
                let a = self.int(x);
                let dst = self.temp(INT);
                self.op(Insn::Complement { dst, a });
                IntOp::Reg(dst)
            }
            ExprKind::Binary(op, operands) => {
                let (l, r) = &**operands;
                let (a, b) = (self.int(l), self.int(r));
                if let Some(v) = fold(*op, a, b) {
                    return IntOp::Imm(v);
                }
                let dst = self.temp(INT);
                self.op(Insn::Arith {
                    op: arith(*op),
                    dst,
                    a,
                    b,
                });
                IntOp::Reg(dst)
            }
            _ => IntOp::Imm(0),
        }
    }

    fn str(&mut self, e: &Expr) -> StrOp {
        match &e.kind {
            ExprKind::Str(raw) => StrOp::Const(self.intern(raw)),
            ExprKind::Var(name) => StrOp::Reg(self.var(name).1),
            ExprKind::Sys(v @ (SysVar::UserId | SysVar::Password)) => StrOp::Sys(*v),
            ExprKind::Paren(x) => self.str(x),
            ExprKind::Binary(BinOp::Add, operands) => {
                let (l, r) = &**operands;
                let (a, b) = (self.str(l), self.str(r));
                let dst = self.temp(STR);
                self.op(Insn::Concat { dst, a, b });
                StrOp::Reg(dst)
            }
            ExprKind::Getip(arg) => {
                let n = arg.as_ref().map_or(IntOp::Imm(1), |a| self.int(a));
                let dst = self.temp(STR);
                self.op(Insn::Getip { dst, n });
                StrOp::Reg(dst)
            }
            _ => StrOp::Const(self.intern(b"")),
        }
    }

    fn boolean(&mut self, e: &Expr) -> BoolOp {
        match &e.kind {
            ExprKind::Bool(b) => BoolOp::Imm(*b),
            ExprKind::Var(name) => BoolOp::Reg(self.var(name).1),
            ExprKind::Sys(SysVar::Success) => BoolOp::Success,
            ExprKind::Sys(SysVar::Failure) => BoolOp::Failure,
            ExprKind::Paren(x) => self.boolean(x),
            ExprKind::Unary(UnOp::Not, x) => {
                let a = self.boolean(x);
                let dst = self.temp(BOOL);
                self.op(Insn::Not { dst, a });
                BoolOp::Reg(dst)
            }
            ExprKind::Binary(op @ (BinOp::And | BinOp::Or), operands) => {
                let (l, r) = &**operands;
                // Short circuit: the right side (which may hold `getip`) runs only if needed.
                let dst = self.temp(BOOL);
                let end = self.new_label();
                let a = self.boolean(l);
                self.op(Insn::SetBool { dst, a });
                self.op(Insn::Branch {
                    cond: BoolOp::Reg(dst),
                    when: *op == BinOp::Or,
                    to: end,
                });
                let b = self.boolean(r);
                self.op(Insn::SetBool { dst, a: b });
                self.place(end);
                BoolOp::Reg(dst)
            }
            ExprKind::Binary(op, operands) => {
                let (l, r) = &**operands;
                let dst = self.temp(BOOL);
                match self.ty(l) {
                    Type::Integer => {
                        let (a, b) = (self.int(l), self.int(r));
                        self.op(Insn::CmpInt {
                            op: cmp(*op),
                            dst,
                            a,
                            b,
                        });
                    }
                    Type::String => {
                        let (a, b) = (self.str(l), self.str(r));
                        self.op(Insn::CmpStr {
                            eq: *op == BinOp::Eq,
                            dst,
                            a,
                            b,
                        });
                    }
                    Type::Boolean => {
                        let (a, b) = (self.boolean(l), self.boolean(r));
                        self.op(Insn::CmpBool {
                            eq: *op == BinOp::Eq,
                            dst,
                            a,
                            b,
                        });
                    }
                }
                BoolOp::Reg(dst)
            }
            _ => BoolOp::Imm(false),
        }
    }

    /// Jumps to `to` when `e` evaluates to `when`; falls through otherwise.
    fn cond_jump(&mut self, e: &Expr, when: bool, to: Label) {
        match &e.kind {
            ExprKind::Paren(x) => self.cond_jump(x, when, to),
            ExprKind::Unary(UnOp::Not, x) if self.ty(x) == Type::Boolean => {
                self.cond_jump(x, !when, to)
            }
            ExprKind::Bool(b) => {
                if *b == when {
                    self.op(Insn::Jump { to });
                }
            }
            ExprKind::Binary(op @ (BinOp::And | BinOp::Or), operands) => {
                let (l, r) = &**operands;
                // `a and b` is true when both are; `a or b` when either is.
                let all = *op == BinOp::And;
                if all == when {
                    let skip = self.new_label();
                    self.cond_jump(l, !when, skip);
                    self.cond_jump(r, when, to);
                    self.place(skip);
                } else {
                    self.cond_jump(l, when, to);
                    self.cond_jump(r, when, to);
                }
            }
            ExprKind::Binary(
                op @ (BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge | BinOp::Eq | BinOp::Ne),
                lr,
            ) if self.ty(&lr.0) == Type::Integer => {
                let (a, b) = (self.int(&lr.0), self.int(&lr.1));
                self.op(Insn::BranchCmp {
                    op: cmp(*op),
                    a,
                    b,
                    when,
                    to,
                });
            }
            _ => {
                let cond = self.boolean(e);
                self.op(Insn::Branch { cond, when, to });
            }
        }
    }
}

fn strip(e: &Expr) -> &Expr {
    sema::strip(e)
}

fn arith(op: BinOp) -> Arith {
    match op {
        BinOp::Add => Arith::Add,
        BinOp::Sub => Arith::Sub,
        BinOp::Mul => Arith::Mul,
        _ => Arith::Div,
    }
}

fn cmp(op: BinOp) -> Cmp {
    match op {
        BinOp::Lt => Cmp::Lt,
        BinOp::Gt => Cmp::Gt,
        BinOp::Le => Cmp::Le,
        BinOp::Ge => Cmp::Ge,
        BinOp::Eq => Cmp::Eq,
        _ => Cmp::Ne,
    }
}

/// Folds arithmetic on two constants, as the VM would compute it; division by zero is left
/// for run time, where it is an error with a location.
fn fold(op: BinOp, a: IntOp, b: IntOp) -> Option<i32> {
    let (IntOp::Imm(a), IntOp::Imm(b)) = (a, b) else {
        return None;
    };
    op.eval_int(a, b)
}
