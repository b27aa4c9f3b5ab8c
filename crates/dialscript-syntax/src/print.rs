//! The canonical printer: one statement per line, four spaces per block level, single spaces
//! between tokens, keywords lower-case and `TRUE`/`FALSE` upper-case. String bytes are written
//! back unchanged, so `parse(print(tree))` gives the same tree (spans aside).
//!
//! Comments are not part of the tree and are not printed.

use crate::ast::{BinOp, Expr, ExprKind, PortSetting, Proc, Script, Stmt, StmtKind, Target, UnOp};

/// Prints a script in canonical form.
pub fn print(script: &Script) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, p) in script.procs.iter().enumerate() {
        if n > 0 {
            out.push(b'\n');
        }
        print_proc(&mut out, p);
    }
    out
}

fn print_proc(out: &mut Vec<u8>, p: &Proc) {
    out.extend_from_slice(b"proc ");
    out.extend_from_slice(p.name.name.as_bytes());
    out.push(b'\n');
    for s in &p.body {
        print_stmt(out, s, 1);
    }
    out.extend_from_slice(b"endproc\n");
}

fn indent(out: &mut Vec<u8>, level: usize) {
    out.resize(out.len() + 4 * level, b' ');
}

/// Prints one statement at `level`, followed by a line end.
pub fn print_stmt(out: &mut Vec<u8>, s: &Stmt, level: usize) {
    indent(out, level);
    match &s.kind {
        StmtKind::Decl { ty, name, init } => {
            out.extend_from_slice(ty.keyword().as_bytes());
            out.push(b' ');
            out.extend_from_slice(name.name.as_bytes());
            if let Some(e) = init {
                out.extend_from_slice(b" = ");
                print_expr(out, e);
            }
        }
        StmtKind::Assign { target, value } => {
            match target {
                Target::Var(name) => out.extend_from_slice(name.name.as_bytes()),
                Target::Sys(v, _) => out.extend_from_slice(v.name().as_bytes()),
            }
            out.extend_from_slice(b" = ");
            print_expr(out, value);
        }
        StmtKind::Label(name) => {
            out.extend_from_slice(name.name.as_bytes());
            out.push(b':');
        }
        StmtKind::Delay(e) => {
            out.extend_from_slice(b"delay ");
            print_expr(out, e);
        }
        StmtKind::Goto(name) => {
            out.extend_from_slice(b"goto ");
            out.extend_from_slice(name.name.as_bytes());
        }
        StmtKind::Halt => out.extend_from_slice(b"halt"),
        StmtKind::If { cond, body, .. } | StmtKind::While { cond, body, .. } => {
            let is_if = matches!(s.kind, StmtKind::If { .. });
            out.extend_from_slice(if is_if { b"if " } else { b"while " });
            print_expr(out, cond);
            out.extend_from_slice(if is_if { b" then\n" } else { b" do\n" });
            for s in body {
                print_stmt(out, s, level + 1);
            }
            indent(out, level);
            out.extend_from_slice(if is_if { b"endif" } else { b"endwhile" });
        }
        StmtKind::SetPort(setting) => {
            out.extend_from_slice(b"set port ");
            let text = match setting {
                PortSetting::DataBits(n) => format!("databits {n}"),
                PortSetting::Parity(p) => format!("parity {}", p.keyword()),
                PortSetting::StopBits(n) => format!("stopbits {n}"),
            };
            out.extend_from_slice(text.as_bytes());
        }
        StmtKind::SetScreenKeyboard(on) => {
            out.extend_from_slice(if *on {
                b"set screen keyboard on"
            } else {
                b"set screen keyboard off"
            });
        }
        StmtKind::SetIpAddr(e) => {
            out.extend_from_slice(b"set ipaddr ");
            print_expr(out, e);
        }
        StmtKind::Transmit { value, raw } => {
            out.extend_from_slice(b"transmit ");
            print_expr(out, value);
            if *raw {
                out.extend_from_slice(b", raw");
            }
        }
        StmtKind::Waitfor { cases, until } => {
            out.extend_from_slice(b"waitfor ");
            for (n, c) in cases.iter().enumerate() {
                if n > 0 {
                    out.extend_from_slice(b", ");
                }
                print_expr(out, &c.pattern);
                if c.matchcase {
                    out.extend_from_slice(b", matchcase");
                }
                if let Some(t) = &c.target {
                    out.extend_from_slice(b" then ");
                    out.extend_from_slice(t.name.as_bytes());
                }
            }
            if let Some(u) = until {
                out.extend_from_slice(b" until ");
                print_expr(out, u);
            }
        }
        StmtKind::Getip(arg) => print_getip(out, arg.as_deref()),
    }
    out.push(b'\n');
}

fn print_getip(out: &mut Vec<u8>, arg: Option<&Expr>) {
    out.extend_from_slice(b"getip");
    if let Some(a) = arg {
        out.push(b' ');
        print_operand(out, a, u8::MAX);
    }
}

/// Prints an expression. Trees built by the parser print exactly as they were grouped; a
/// hand-built tree that needs parentheses to keep its shape gets them.
pub fn print_expr(out: &mut Vec<u8>, e: &Expr) {
    match &e.kind {
        ExprKind::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
        ExprKind::Str(raw) => {
            out.push(b'"');
            out.extend_from_slice(raw);
            out.push(b'"');
        }
        ExprKind::Bool(true) => out.extend_from_slice(b"TRUE"),
        ExprKind::Bool(false) => out.extend_from_slice(b"FALSE"),
        ExprKind::Var(name) => out.extend_from_slice(name.name.as_bytes()),
        ExprKind::Sys(v) => out.extend_from_slice(v.name().as_bytes()),
        ExprKind::Unary(op, inner) => {
            out.push(match op {
                UnOp::Neg => b'-',
                UnOp::Not => b'!',
            });
            print_operand(out, inner, u8::MAX);
        }
        ExprKind::Binary(op, operands) => {
            let (l, r) = &**operands;
            let p = op.precedence();
            print_operand(out, l, p);
            // `getip` at the end of a line takes no operand, so `x = getip` then `- 1` on the
            // next line subtracts. On one line `getip - 1` would read as `getip (-1)`: keep the
            // line break.
            out.push(if *op == BinOp::Sub && ends_with_bare_getip(l) {
                b'\n'
            } else {
                b' '
            });
            out.extend_from_slice(op.symbol().as_bytes());
            out.push(b' ');
            print_operand(out, r, p + 1);
        }
        ExprKind::Paren(inner) => {
            out.push(b'(');
            print_expr(out, inner);
            out.push(b')');
        }
        ExprKind::Getip(arg) => print_getip(out, arg.as_deref()),
        // Only a tree with syntax errors has these; print something that reads as an error.
        ExprKind::Error => out.extend_from_slice(b"(?)"),
    }
}

/// Prints `e` where an operand binding at least `min_prec` is needed, adding parentheses when
/// its own operator binds less tightly. `u8::MAX` asks for a unary operand.
fn print_operand(out: &mut Vec<u8>, e: &Expr, min_prec: u8) {
    let needs = match &e.kind {
        ExprKind::Binary(op, ..) => op.precedence() < min_prec,
        _ => false,
    };
    if needs {
        out.push(b'(');
        print_expr(out, e);
        out.push(b')');
    } else {
        print_expr(out, e);
    }
}

/// Whether the last token `e` prints is a `getip` without an operand.
fn ends_with_bare_getip(e: &Expr) -> bool {
    let mut e = e;
    loop {
        match &e.kind {
            ExprKind::Getip(None) => return true,
            ExprKind::Getip(Some(inner)) | ExprKind::Unary(_, inner) => e = inner,
            ExprKind::Binary(_, lr) => e = &lr.1,
            _ => return false,
        }
    }
}
