//! The static semantics of the language: symbol tables and type checking, per procedure.
//!
//! One pass over each procedure, in source order, collects declarations, labels and every use
//! of them, and types every expression with the spec's operator table. It records *facts*
//! (an undeclared name here, a type mismatch there). The checker's rule files turn facts into
//! diagnostics, one rule per file; the VM's compiler refuses a script whose facts include an
//! error. Both read the same facts, so they cannot disagree about what a script means.

// foldhash rather than the standard SipHash: symbol tables are looked up many times per
// statement, and foldhash is several times faster while still seeded per process, so a
// hostile script cannot plan collisions.
use foldhash::{HashMap, HashMapExt};

use crate::ast::{
    BinOp, Expr, ExprKind, Ident, Name, Proc, Script, Stmt, StmtKind, SysVar, Target, Type, UnOp,
};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// The largest integer literal; only valid right after a unary minus.
const MIN_I32_MAGNITUDE: i64 = 1 << 31;

/// Facts about a whole script.
#[derive(Debug)]
pub struct Semantic<'a> {
    /// One entry per procedure, in file order.
    pub procs: Vec<ProcInfo<'a>>,
    /// Index into `procs` of the first `proc main`.
    pub main: Option<usize>,
    /// Procedures whose name an earlier procedure already has: (this one, the first one).
    pub duplicate_procs: Vec<(&'a Ident, &'a Ident)>,
}

/// A declared variable.
#[derive(Debug)]
pub struct VarInfo<'a> {
    /// The name as declared.
    pub ident: &'a Ident,
    /// Its type.
    pub ty: Type,
    /// The declaration.
    pub decl: &'a Stmt,
    /// Its initialiser.
    pub init: Option<&'a Expr>,
    /// How often it is read.
    pub reads: u32,
    /// How often it is assigned (the initialiser not counted).
    pub writes: u32,
}

/// A label.
#[derive(Debug)]
pub struct LabelInfo<'a> {
    /// The name as defined.
    pub ident: &'a Ident,
    /// The `name:` statement.
    pub stmt: &'a Stmt,
    /// How many `goto`s and `then`s name it.
    pub refs: u32,
}

/// A type error, ready to be reported by DS106.
#[derive(Debug, Clone)]
pub struct TypeError {
    /// Where.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// Under the span.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// A name used where it is not declared (DS104).
#[derive(Debug)]
pub struct Undeclared<'a> {
    /// The use.
    pub ident: &'a Ident,
    /// A declaration of the name that comes later in the procedure.
    pub declared_later: Option<Span>,
    /// A declared name it may be a typo of.
    pub suggestion: Option<String>,
}

/// Names to indices, names compared without ASCII case (as the language compares them).
///
/// A procedure has a handful of labels and variables: up to [`NameIndex::SMALL`] names are
/// searched in a vector of folded names, which needs no hash and no table. Past that a hash
/// table takes over, so that a script with thousands of names still costs a lookup per use,
/// not a search.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    /// Folded names, while there are few.
    small: Vec<(Name, usize)>,
    /// Folded names, once there are many (`small` is then empty).
    table: HashMap<Name, usize>,
}

impl NameIndex {
    /// How many names are searched one by one before a hash table is built.
    pub const SMALL: usize = 16;

    /// The index of `name`, in any case.
    pub fn get(&self, name: &Name) -> Option<usize> {
        self.get_folded(&name.to_ascii_lowercase())
    }

    fn get_folded(&self, key: &Name) -> Option<usize> {
        if self.table.is_empty() {
            self.small.iter().find(|(n, _)| n == key).map(|&(_, i)| i)
        } else {
            self.table.get(key).copied()
        }
    }

    /// Adds `name` with `index` unless the name (in any case) is there already, in which case
    /// it returns the index it has and changes nothing.
    pub fn insert_new(&mut self, name: &Name, index: usize) -> Option<usize> {
        let key = name.to_ascii_lowercase();
        if let Some(first) = self.get_folded(&key) {
            return Some(first);
        }
        if self.table.is_empty() && self.small.len() < Self::SMALL {
            self.small.push((key, index));
        } else {
            if self.table.is_empty() {
                self.table.reserve(2 * Self::SMALL);
                self.table.extend(self.small.drain(..));
            }
            self.table.insert(key, index);
        }
        None
    }

    /// How many names there are.
    pub fn len(&self) -> usize {
        self.small.len() + self.table.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Facts about one procedure.
#[derive(Debug)]
pub struct ProcInfo<'a> {
    /// The procedure.
    pub proc_: &'a Proc,
    /// Variables in declaration order (first declaration of each name).
    pub vars: Vec<VarInfo<'a>>,
    /// Name (in any case) to index in `vars`.
    pub var_index: NameIndex,
    /// Labels in order (first definition of each name).
    pub labels: Vec<LabelInfo<'a>>,
    /// Name (in any case) to index in `labels`.
    pub label_index: NameIndex,
    /// Second declarations: (the duplicate, index of the first).
    pub duplicate_vars: Vec<(&'a Ident, usize)>,
    /// Second label definitions: (the duplicate, index of the first).
    pub duplicate_labels: Vec<(&'a Ident, usize)>,
    /// Uses of undeclared names.
    pub undeclared: Vec<Undeclared<'a>>,
    /// `goto`/`then` names with no label: (the reference, closest label).
    pub undefined_labels: Vec<(&'a Ident, Option<String>)>,
    /// Type errors.
    pub type_errors: Vec<TypeError>,
    /// Declarations after the first other statement, or inside a block (`true`).
    pub late_decls: Vec<(&'a Stmt, bool)>,
    /// Assignments to system variables.
    pub sys_assigns: Vec<(SysVar, Span)>,
    /// Integer literals out of range (2147483648 without a minus).
    pub literal_overflow: Vec<Span>,
    /// Division by a literal zero.
    pub division_by_zero: Vec<Span>,
    /// `!` applied to an integer.
    pub integer_complement: Vec<Span>,
    /// Uses spelled differently from their declaration or definition: (use, declaration).
    pub case_mismatches: Vec<(&'a Ident, &'a Ident)>,
    /// Labels that have a variable's name: (label, variable).
    pub label_shadows: Vec<(&'a Ident, &'a Ident)>,
    /// Every string literal in source order, with the statement it is part of (literals in
    /// parentheses, in operands and in `getip` arguments included). The checker's string
    /// rules read this list rather than each walking the tree again.
    pub strings: Vec<(&'a Stmt, &'a Expr)>,
    /// The statements that call `getip`, as a statement of its own or inside an expression,
    /// in source order, each once.
    pub getip_stmts: Vec<&'a Stmt>,
    /// Every statement, depth first in source order (the order of [`walk_stmts`]): rules
    /// that look at each statement go through this list instead of walking the tree.
    pub stmts: Vec<&'a Stmt>,
}

impl<'a> ProcInfo<'a> {
    /// The variable `name` refers to, if declared.
    pub fn var(&self, name: &Ident) -> Option<&VarInfo<'a>> {
        self.var_index.get(&name.name).map(|i| &self.vars[i])
    }

    /// The label `name` refers to, if defined.
    pub fn label(&self, name: &Ident) -> Option<&LabelInfo<'a>> {
        self.label_index.get(&name.name).map(|i| &self.labels[i])
    }

    /// Whether `name` is a variable that is never assigned after its initialiser, so that its
    /// value is the initialiser's everywhere.
    pub fn constant_var(&self, name: &Ident) -> Option<&VarInfo<'a>> {
        self.var(name).filter(|v| v.writes == 0)
    }
}

/// Analyses every procedure of a script.
pub fn analyze(script: &Script) -> Semantic<'_> {
    let mut procs = Vec::with_capacity(script.procs.len());
    let mut main = None;
    let single = script.procs.len() == 1;
    let mut seen: HashMap<Name, &Ident> = HashMap::new();
    let mut duplicate_procs = Vec::new();
    for p in &script.procs {
        // With one procedure (the usual script) there is no duplicate to find, and no table
        // is built.
        let first = if single {
            None
        } else {
            let key = p.name.key();
            let first = seen.get(&key).copied();
            if first.is_none() {
                seen.insert(key, &p.name);
            }
            first
        };
        match first {
            Some(first) => duplicate_procs.push((&p.name, first)),
            None if p.name.is("main") => main = Some(procs.len()),
            None => {}
        }
        procs.push(analyze_proc(p));
    }
    Semantic {
        procs,
        main,
        duplicate_procs,
    }
}

fn analyze_proc(p: &Proc) -> ProcInfo<'_> {
    // Counted first so that the tables are made at their size: growing a hash table moves
    // every entry, and most procedures have a handful of labels and variables.
    let (mut stmts, mut labels, mut decls) = (0, 0, 0);
    walk_stmts(&p.body, &mut |s| {
        stmts += 1;
        match s.kind {
            StmtKind::Label(_) => labels += 1,
            StmtKind::Decl { .. } => decls += 1,
            _ => {}
        }
    });
    let mut a = ProcInfo {
        proc_: p,
        vars: Vec::with_capacity(decls),
        var_index: NameIndex::default(),
        labels: Vec::with_capacity(labels),
        label_index: NameIndex::default(),
        duplicate_vars: Vec::new(),
        duplicate_labels: Vec::new(),
        undeclared: Vec::new(),
        undefined_labels: Vec::new(),
        type_errors: Vec::new(),
        late_decls: Vec::new(),
        sys_assigns: Vec::new(),
        literal_overflow: Vec::new(),
        division_by_zero: Vec::new(),
        integer_complement: Vec::new(),
        case_mismatches: Vec::new(),
        label_shadows: Vec::new(),
        // About one literal per statement (`transmit "..."`, `waitfor "..."`).
        strings: Vec::with_capacity(stmts),
        getip_stmts: Vec::new(),
        stmts: Vec::with_capacity(stmts),
    };
    // Labels are collected by the walk; references to them (which may come before them) are
    // resolved after it.
    let mut walker = Walker {
        info: &mut a,
        seen_command: false,
        label_refs: Vec::new(),
        stmt: None,
    };
    walker.block(&p.body, 0);
    let refs = std::mem::take(&mut walker.label_refs);
    for r in refs {
        match a.label_index.get(&r.name) {
            Some(i) => {
                a.labels[i].refs += 1;
                if a.labels[i].ident.name != r.name {
                    a.case_mismatches.push((r, a.labels[i].ident));
                }
            }
            None => {
                let suggestion = crate::suggest::closest(
                    &r.name,
                    a.labels.iter().map(|l| l.ident.name.as_str()),
                )
                .map(str::to_string);
                a.undefined_labels.push((r, suggestion));
            }
        }
    }
    // A use before the declaration was recorded as undeclared; say where the declaration is.
    for u in &mut a.undeclared {
        if let Some(i) = a.var_index.get(&u.ident.name) {
            u.declared_later = Some(a.vars[i].ident.span);
        } else {
            u.suggestion = crate::suggest::closest(
                &u.ident.name,
                a.vars.iter().map(|v| v.ident.name.as_str()),
            )
            .map(str::to_string);
        }
    }
    // Folding a label's name for the lookup is wasted when there are no variables.
    if !a.var_index.is_empty() {
        for l in &a.labels {
            if let Some(v) = a.var_index.get(&l.ident.name) {
                a.label_shadows.push((l.ident, a.vars[v].ident));
            }
        }
    }
    a
}

struct Walker<'w, 'a> {
    info: &'w mut ProcInfo<'a>,
    seen_command: bool,
    label_refs: Vec<&'a Ident>,
    /// The statement whose expressions are being typed.
    stmt: Option<&'a Stmt>,
}

fn type_name(t: Type) -> &'static str {
    t.keyword()
}

impl<'a> Walker<'_, 'a> {
    fn block(&mut self, body: &'a [Stmt], depth: usize) {
        for s in body {
            self.stmt(s, depth);
        }
    }

    fn error(&mut self, span: Span, message: String, label: String, help: Option<String>) {
        self.info.type_errors.push(TypeError {
            span,
            message,
            label,
            help,
        });
    }

    /// Reports `e` when its type is not `want`. `what` names the place ("the `delay` operand").
    /// `what` is formatted only when there is an error to report: a `String` made for every
    /// declaration and assignment was a tenth of the analysis of a typical script.
    fn expect(&mut self, e: &'a Expr, want: Type, what: std::fmt::Arguments<'_>) {
        let Some(got) = self.expr(e) else { return };
        if got == want {
            return;
        }
        let help = match (want, got) {
            (Type::Boolean, Type::Integer) => Some("compare explicitly, for example `n > 0`".to_string()),
            (Type::Boolean, Type::String) => Some("compare explicitly, for example `s != \"\"`".to_string()),
            (Type::String, Type::Integer) => Some("the language has no conversion from integer to string; write the number as a string literal".to_string()),
            (Type::Integer, Type::String) => Some("the language has no conversion from string to integer".to_string()),
            _ => None,
        };
        self.error(
            e.span,
            format!(
                "{what} must be `{}`, found `{}`",
                type_name(want),
                type_name(got)
            ),
            format!("this is `{}`", type_name(got)),
            help,
        );
    }

    fn stmt(&mut self, s: &'a Stmt, depth: usize) {
        // An `if` or `while` types its condition before its body, so this is right for every
        // expression typed below.
        self.stmt = Some(s);
        self.info.stmts.push(s);
        let is_decl = matches!(s.kind, StmtKind::Decl { .. });
        if is_decl && (self.seen_command || depth > 0) {
            self.info.late_decls.push((s, depth > 0));
        }
        if !is_decl {
            self.seen_command = true;
        }
        match &s.kind {
            StmtKind::Decl { ty, name, init } => {
                // The initialiser runs before the name exists: `integer n = n` reads an
                // undeclared `n`.
                if let Some(e) = init {
                    self.expect(e, *ty, format_args!("the initial value of `{}`", name.name));
                }
                if let Some(first) = self
                    .info
                    .var_index
                    .insert_new(&name.name, self.info.vars.len())
                {
                    self.info.duplicate_vars.push((name, first));
                } else {
                    self.info.vars.push(VarInfo {
                        ident: name,
                        ty: *ty,
                        decl: s,
                        init: init.as_ref(),
                        reads: 0,
                        writes: 0,
                    });
                }
            }
            StmtKind::Assign { target, value } => match target {
                Target::Sys(v, span) => {
                    self.info.sys_assigns.push((*v, *span));
                    self.expr(value);
                }
                Target::Var(name) => {
                    let ty = self.use_var(name, false);
                    match ty {
                        Some(ty) => self.expect(
                            value,
                            ty,
                            format_args!("the value assigned to `{}`", name.name),
                        ),
                        None => {
                            self.expr(value);
                        }
                    }
                }
            },
            StmtKind::Label(name) => {
                if let Some(first) = self
                    .info
                    .label_index
                    .insert_new(&name.name, self.info.labels.len())
                {
                    self.info.duplicate_labels.push((name, first));
                } else {
                    self.info.labels.push(LabelInfo {
                        ident: name,
                        stmt: s,
                        refs: 0,
                    });
                }
            }
            StmtKind::Halt => {}
            StmtKind::Delay(e) => {
                self.expect(e, Type::Integer, format_args!("the `delay` operand"))
            }
            StmtKind::Goto(name) => self.label_refs.push(name),
            StmtKind::If { cond, body, .. } => {
                self.expect(cond, Type::Boolean, format_args!("the condition of `if`"));
                self.block(body, depth + 1);
            }
            StmtKind::While { cond, body, .. } => {
                self.expect(
                    cond,
                    Type::Boolean,
                    format_args!("the condition of `while`"),
                );
                self.block(body, depth + 1);
            }
            StmtKind::SetPort(_) | StmtKind::SetScreenKeyboard(_) => {}
            StmtKind::SetIpAddr(e) => {
                self.expect(e, Type::String, format_args!("the `set ipaddr` operand"))
            }
            StmtKind::Transmit { value, .. } => {
                self.expect(value, Type::String, format_args!("the `transmit` operand"))
            }
            StmtKind::Waitfor { cases, until } => {
                for c in cases {
                    self.expect(&c.pattern, Type::String, format_args!("a `waitfor` string"));
                    if let Some(t) = &c.target {
                        self.label_refs.push(t);
                    }
                }
                if let Some(u) = until {
                    self.expect(u, Type::Integer, format_args!("the `until` timeout"));
                }
            }
            StmtKind::Getip(arg) => {
                self.info.getip_stmts.push(s);
                if let Some(a) = arg {
                    self.expect(a, Type::Integer, format_args!("the `getip` operand"));
                }
            }
        }
    }

    /// Records a use of a variable; returns its type when it is declared (before this point).
    fn use_var(&mut self, name: &'a Ident, read: bool) -> Option<Type> {
        match self.info.var_index.get(&name.name) {
            Some(i) => {
                let v = &mut self.info.vars[i];
                if read {
                    v.reads += 1;
                } else {
                    v.writes += 1;
                }
                let decl = v.ident;
                let ty = v.ty;
                if decl.name != name.name {
                    self.info.case_mismatches.push((name, decl));
                }
                Some(ty)
            }
            None => {
                self.info.undeclared.push(Undeclared {
                    ident: name,
                    declared_later: None,
                    suggestion: None,
                });
                None
            }
        }
    }

    /// Types an expression; `None` when it has an error already reported (or a syntax error),
    /// so that one mistake does not cascade.
    fn expr(&mut self, e: &'a Expr) -> Option<Type> {
        self.expr_inner(e, false)
    }

    fn expr_inner(&mut self, e: &'a Expr, negated: bool) -> Option<Type> {
        match &e.kind {
            ExprKind::Int(n) => {
                if *n >= MIN_I32_MAGNITUDE && !negated {
                    self.info.literal_overflow.push(e.span);
                }
                Some(Type::Integer)
            }
            ExprKind::Str(_) => {
                if let Some(s) = self.stmt {
                    self.info.strings.push((s, e));
                }
                Some(Type::String)
            }
            ExprKind::Bool(_) => Some(Type::Boolean),
            ExprKind::Var(name) => self.use_var(name, true),
            ExprKind::Sys(v) => Some(v.ty()),
            ExprKind::Paren(inner) => self.expr_inner(inner, false),
            ExprKind::Error => None,
            ExprKind::Getip(arg) => {
                if let Some(s) = self.stmt
                    && !self
                        .info
                        .getip_stmts
                        .last()
                        .is_some_and(|&last| std::ptr::eq(last, s))
                {
                    self.info.getip_stmts.push(s);
                }
                if let Some(a) = arg {
                    self.expect(a, Type::Integer, format_args!("the `getip` operand"));
                }
                Some(Type::String)
            }
            ExprKind::Unary(op, inner) => {
                let t = self.expr_inner(inner, *op == UnOp::Neg)?;
                match (op, t) {
                    (UnOp::Neg, Type::Integer) => Some(Type::Integer),
                    (UnOp::Not, Type::Boolean) => Some(Type::Boolean),
                    (UnOp::Not, Type::Integer) => {
                        self.info.integer_complement.push(e.span);
                        Some(Type::Integer)
                    }
                    (UnOp::Neg, t) => {
                        self.error(
                            e.span,
                            format!("cannot negate a `{}`", type_name(t)),
                            format!("`-` needs an `integer`, this is `{}`", type_name(t)),
                            None,
                        );
                        None
                    }
                    (UnOp::Not, t) => {
                        self.error(
                            e.span,
                            format!("cannot apply `!` to a `{}`", type_name(t)),
                            "`!` needs a `boolean` (or an `integer`)".to_string(),
                            Some("compare explicitly, for example `s == \"\"`".to_string()),
                        );
                        None
                    }
                }
            }
            ExprKind::Binary(op, operands) => {
                let (l, r) = &**operands;
                let lt = self.expr(l);
                let rt = self.expr(r);
                if *op == BinOp::Div && is_literal_zero(r) {
                    self.info.division_by_zero.push(e.span);
                }
                let (lt, rt) = (lt?, rt?);
                self.binary(e, *op, l, lt, rt)
            }
        }
    }

    fn binary(&mut self, e: &Expr, op: BinOp, l: &Expr, lt: Type, rt: Type) -> Option<Type> {
        use Type::*;
        let sym = op.symbol();
        let mismatch = |w: &mut Self, help: Option<std::string::String>| {
            w.error(
                e.span,
                format!(
                    "cannot apply `{sym}` to `{}` and `{}`",
                    type_name(lt),
                    type_name(rt)
                ),
                format!("`{}` {sym} `{}`", type_name(lt), type_name(rt)),
                help,
            );
            None
        };
        match op {
            BinOp::Mul | BinOp::Div | BinOp::Sub => match (lt, rt) {
                (Integer, Integer) => Some(Integer),
                _ => mismatch(self, Some(format!("`{sym}` works on integers only"))),
            },
            BinOp::Add => match (lt, rt) {
                (Integer, Integer) => Some(Integer),
                (String, String) => Some(String),
                (String, Integer) | (Integer, String) => mismatch(self, Some("`+` adds two integers or joins two strings; there is no conversion between them".into())),
                _ => mismatch(self, Some("`+` adds two integers or joins two strings".to_string())),
            },
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => match (lt, rt) {
                (Integer, Integer) => Some(Boolean),
                (Boolean, Integer) if is_comparison(l) => mismatch(self, Some("comparisons do not chain: write `a < b and b < c`".to_string())),
                (String, String) => mismatch(self, Some("strings compare only with `==` and `!=`".to_string())),
                _ => mismatch(self, Some(format!("`{sym}` compares integers"))),
            },
            BinOp::Eq | BinOp::Ne => {
                if lt == rt {
                    Some(Boolean)
                } else {
                    mismatch(self, Some("both sides of a comparison must have the same type".to_string()))
                }
            }
            BinOp::And | BinOp::Or => match (lt, rt) {
                (Boolean, Boolean) => Some(Boolean),
                _ => mismatch(self, Some(format!("`{sym}` combines booleans; compare integers explicitly, for example `n > 0`"))),
            },
        }
    }
}

/// `0`, `-0`, `(0)` and the like.
fn is_literal_zero(e: &Expr) -> bool {
    match &strip(e).kind {
        ExprKind::Int(0) => true,
        ExprKind::Unary(UnOp::Neg, x) => is_literal_zero(x),
        _ => false,
    }
}

fn is_comparison(e: &Expr) -> bool {
    matches!(
        strip(e).kind,
        ExprKind::Binary(
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge | BinOp::Eq | BinOp::Ne,
            ..
        )
    )
}

/// The expression inside any parentheses.
pub fn strip(e: &Expr) -> &Expr {
    let mut e = e;
    while let ExprKind::Paren(inner) = &e.kind {
        e = inner;
    }
    e
}

/// Whether an expression reads `$SUCCESS` or `$FAILURE`.
pub fn reads_success(e: &Expr) -> bool {
    any_expr(e, &|x| {
        matches!(x.kind, ExprKind::Sys(SysVar::Success | SysVar::Failure))
    })
}

/// Whether an expression mentions the system variable `v`.
pub fn mentions(e: &Expr, v: SysVar) -> bool {
    any_expr(e, &|x| matches!(x.kind, ExprKind::Sys(s) if s == v))
}

/// Whether an expression contains `getip`.
pub fn has_getip(e: &Expr) -> bool {
    any_expr(e, &|x| matches!(x.kind, ExprKind::Getip(_)))
}

/// Whether `pred` holds for `e` or any expression inside it.
pub fn any_expr(e: &Expr, pred: &impl Fn(&Expr) -> bool) -> bool {
    if pred(e) {
        return true;
    }
    match &e.kind {
        ExprKind::Unary(_, x) | ExprKind::Paren(x) => any_expr(x, pred),
        ExprKind::Getip(Some(x)) => any_expr(x, pred),
        ExprKind::Binary(_, lr) => any_expr(&lr.0, pred) || any_expr(&lr.1, pred),
        _ => false,
    }
}

/// Calls `f` on every expression directly owned by a statement (not those of nested blocks).
pub fn stmt_exprs<'a>(s: &'a Stmt, f: &mut impl FnMut(&'a Expr)) {
    match &s.kind {
        StmtKind::Decl { init: Some(e), .. } => f(e),
        StmtKind::Assign { value, .. } => f(value),
        StmtKind::Delay(e) | StmtKind::SetIpAddr(e) => f(e),
        StmtKind::If { cond, .. } | StmtKind::While { cond, .. } => f(cond),
        StmtKind::Transmit { value, .. } => f(value),
        StmtKind::Waitfor { cases, until } => {
            for c in cases {
                f(&c.pattern);
            }
            if let Some(u) = until {
                f(u);
            }
        }
        StmtKind::Getip(Some(a)) => f(a),
        _ => {}
    }
}

/// Calls `f` on every statement of a body, depth first, in source order.
pub fn walk_stmts<'a>(body: &'a [Stmt], f: &mut impl FnMut(&'a Stmt)) {
    for s in body {
        f(s);
        if let StmtKind::If { body, .. } | StmtKind::While { body, .. } = &s.kind {
            walk_stmts(body, f);
        }
    }
}

/// The semantic errors of a script (DS101–DS110), as diagnostics. The checker reports them
/// through its rules; the VM's compiler refuses a script that has any.
pub fn errors(sema: &Semantic<'_>, script: &Script) -> Vec<Diagnostic> {
    use crate::codes::semantic::*;
    let err = |code, span, message: String| Diagnostic::error(code, span, message);
    let mut out = Vec::new();
    let out = &mut out;
    // MISSING_MAIN
    {
        if sema.main.is_none() {
            let mut d = match script.procs.first() {
                Some(p) => err(
                    MISSING_MAIN,
                    p.name.span,
                    "the script has no `proc main`".to_string(),
                )
                .with_label("execution starts in `main`, not here"),
                None => err(
                    MISSING_MAIN,
                    Span::empty(0),
                    "the script has no `proc main`".to_string(),
                )
                .with_label("no procedure at all"),
            };
            d = d.with_help(match script.procs.first() {
                Some(p) if !p.name.name.is_empty() => format!(
                    "rename `proc {}` to `proc main`, or add `proc main ... endproc`",
                    p.name.name
                ),
                _ => "add `proc main ... endproc`".to_string(),
            });
            out.push(d);
        }
    }
    // UNDEFINED_LABEL
    {
        for p in &sema.procs {
            for (r, suggestion) in &p.undefined_labels {
                let d = err(
                    UNDEFINED_LABEL,
                    r.span,
                    format!("label `{}` is not defined", r.name),
                )
                .with_label("no such label");
                out.push(match suggestion {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help(format!("add `{}:` where the jump should go", r.name)),
                });
            }
        }
    }
    // DUPLICATE_LABEL
    {
        for p in &sema.procs {
            for (dup, first) in &p.duplicate_labels {
                let first = p.labels[*first].ident;
                out.push(
                    err(
                        DUPLICATE_LABEL,
                        dup.span,
                        format!("label `{}` is defined twice", dup.name),
                    )
                    .with_label("second definition")
                    .with_related(first.span, "first defined here")
                    .with_help("rename one of them"),
                );
            }
        }
    }
    // UNDECLARED_VARIABLE
    {
        for p in &sema.procs {
            for u in &p.undeclared {
                let d = match u.declared_later {
                    // The name comes before the use: the use is in the declaration's own
                    // initialiser, which runs before the variable exists.
                    Some(decl) if decl.start < u.ident.span.start => err(
                        UNDECLARED_VARIABLE,
                        u.ident.span,
                        format!("`{}` is used in its own initial value", u.ident.name),
                    )
                    .with_label("the variable does not exist yet here")
                    .with_related(decl, "declared here")
                    .with_help("initialise it from a constant or another variable, then update it in an assignment"),
                    Some(decl) => err(
                        UNDECLARED_VARIABLE,
                        u.ident.span,
                        format!("`{}` is used before its declaration", u.ident.name),
                    )
                    .with_label("used here")
                    .with_related(decl, "declared later here")
                    .with_help("move the declaration to the top of the procedure"),
                    None => {
                        let d = err(
                            UNDECLARED_VARIABLE,
                            u.ident.span,
                            format!("`{}` is not declared", u.ident.name),
                        )
                        .with_label("undeclared");
                        match &u.suggestion {
                            Some(s) => d.with_help(format!("did you mean `{s}`?")),
                            None => d.with_help(format!(
                                "declare it first with its type, for example `integer {}` (or `string`, `boolean`)",
                                u.ident.name
                            )),
                        }
                    }
                };
                out.push(d);
            }
        }
    }
    // DUPLICATE_DECLARATION
    {
        for p in &sema.procs {
            for (dup, first) in &p.duplicate_vars {
                let first = p.vars[*first].ident;
                out.push(
                    err(
                        DUPLICATE_DECLARATION,
                        dup.span,
                        format!("`{}` is declared twice", dup.name),
                    )
                    .with_label("second declaration")
                    .with_related(first.span, "first declared here")
                    .with_help("remove one declaration or rename the variable"),
                );
            }
        }
    }
    // TYPE_MISMATCH
    {
        for p in &sema.procs {
            for e in &p.type_errors {
                let d = err(TYPE_MISMATCH, e.span, e.message.clone()).with_label(e.label.clone());
                out.push(match &e.help {
                    Some(h) => d.with_help(h.clone()),
                    None => d,
                });
            }
        }
    }
    // ASSIGN_TO_SYSTEM_VARIABLE
    {
        for p in &sema.procs {
            for (v, span) in &p.sys_assigns {
                out.push(
                    err(
                        ASSIGN_TO_SYSTEM_VARIABLE,
                        *span,
                        format!("cannot assign to `{}`", v.name()),
                    )
                    .with_label("system variables are read-only")
                    .with_help("keep your own state in a declared variable"),
                );
            }
        }
    }
    // DUPLICATE_PROC
    {
        for (dup, first) in &sema.duplicate_procs {
            out.push(
                err(
                    DUPLICATE_PROC,
                    dup.span,
                    format!("procedure `{}` is defined twice", dup.name),
                )
                .with_label("second definition")
                .with_related(first.span, "first defined here")
                .with_help("remove or rename one of them"),
            );
        }
    }
    // DIVISION_BY_ZERO
    {
        for p in &sema.procs {
            for span in &p.division_by_zero {
                out.push(
                    err(DIVISION_BY_ZERO, *span, "division by zero".to_string())
                        .with_label("this stops the script with a runtime error")
                        .with_help("divide by a value that cannot be zero"),
                );
            }
        }
    }
    // INTEGER_OVERFLOW
    {
        for p in &sema.procs {
            for span in &p.literal_overflow {
                out.push(
                    err(
                        INTEGER_OVERFLOW,
                        *span,
                        "integer literal out of range".to_string(),
                    )
                    .with_label("larger than 2147483647")
                    .with_help("only `-2147483648` may use this magnitude"),
                );
            }
        }
    }
    std::mem::take(out)
}

#[cfg(test)]
mod tests {
    use super::NameIndex;
    use crate::name::Name;

    #[test]
    fn a_name_index_finds_names_in_any_case_before_and_after_it_grows() {
        let mut index = NameIndex::default();
        let names: Vec<Name> = (0..3 * NameIndex::SMALL)
            .map(|i| Name::new(&format!("Label{i}")))
            .collect();
        for (i, n) in names.iter().enumerate() {
            assert_eq!(index.insert_new(n, i), None, "{n}");
            assert_eq!(index.len(), i + 1);
            // Every name so far, in other cases; a second definition keeps the first index.
            for (j, m) in names[..=i].iter().enumerate() {
                assert_eq!(index.get(&Name::new(&m.to_ascii_uppercase())), Some(j));
                assert_eq!(index.get(&Name::new(&m.to_ascii_lowercase())), Some(j));
                assert_eq!(
                    index.insert_new(&Name::new(&m.to_ascii_uppercase()), 99),
                    Some(j)
                );
            }
            assert_eq!(index.get(&Name::new("Label999")), None);
        }
        assert!(!index.is_empty());
        assert!(NameIndex::default().is_empty());
        // Names longer than fit inline compare the same way.
        let long = Name::new("a_label_name_longer_than_twenty_two_bytes");
        assert_eq!(index.insert_new(&long, 500), None);
        assert_eq!(
            index.get(&Name::new("A_LABEL_NAME_LONGER_THAN_TWENTY_TWO_BYTES")),
            Some(500)
        );
    }
}
