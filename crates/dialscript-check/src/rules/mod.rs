//! One file per rule. Each file holds the rule's `RULE` (code, name, severity, summary, docs)
//! and its `check` function; `crate::registry` lists them.

pub mod ds101_missing_main;
pub mod ds102_undefined_label;
pub mod ds103_duplicate_label;
pub mod ds104_undeclared_variable;
pub mod ds105_duplicate_declaration;
pub mod ds106_type_mismatch;
pub mod ds107_assign_to_system_variable;
pub mod ds108_duplicate_proc;
pub mod ds109_division_by_zero;
pub mod ds110_integer_overflow;
pub mod ds201_waitfor_without_until;
pub mod ds202_unchecked_waitfor;
pub mod ds203_credential_without_raw;
pub mod ds204_unreachable_code;
pub mod ds205_unused_label;
pub mod ds206_unused_variable;
pub mod ds207_spin_loop;
pub mod ds208_unbounded_duration;
pub mod ds209_getip_without_bound;
pub mod ds210_declaration_after_command;
pub mod ds211_invalid_ip_address;
pub mod ds212_suspicious_escape;
pub mod ds213_unused_proc;
pub mod ds214_credential_sent_blind;
pub mod ds215_unused_suppression;
pub mod ds216_integer_complement;
pub mod ds217_inconsistent_name_case;
pub mod ds218_getip_result_unused;
pub mod ds219_long_string;
pub mod ds220_label_shadows_variable;

use dialscript_syntax::ast::{BinOp, Expr, ExprKind, SysVar, UnOp};
use dialscript_syntax::span::Span;

use crate::cfg::Op;
use crate::semantic::strip;

/// The span a diagnostic about a node should point at: for the test of an `if` or a `while`,
/// the keyword and the condition (`while nTries > 0`), not the whole block with its body;
/// for other nodes, their statement. `None` for the exit.
pub fn head_span(op: &Op<'_>) -> Option<Span> {
    match *op {
        Op::Branch(s, cond) | Op::LoopHead(s, cond) => Some(Span::new(s.span.start, cond.span.end)),
        _ => op.stmt().map(|s| s.span),
    }
}

/// What a condition tells about the last `waitfor`: `Some(true)` when it holds exactly when the
/// `waitfor` succeeded (`$SUCCESS`, `!$FAILURE`, `$SUCCESS == TRUE`, ...), `Some(false)` when it
/// holds exactly when it failed (`$FAILURE`, `FALSE == $SUCCESS`, ...), `None` otherwise.
pub fn success_test(cond: &Expr) -> Option<bool> {
    match &strip(cond).kind {
        ExprKind::Sys(SysVar::Success) => Some(true),
        ExprKind::Sys(SysVar::Failure) => Some(false),
        ExprKind::Unary(UnOp::Not, x) => success_test(x).map(|b| !b),
        ExprKind::Binary(op @ (BinOp::Eq | BinOp::Ne), operands) => {
            let (l, r) = &**operands;
            let (test, value) = match (&strip(l).kind, &strip(r).kind) {
                (_, ExprKind::Bool(b)) => (success_test(l)?, *b),
                (ExprKind::Bool(b), _) => (success_test(r)?, *b),
                _ => return None,
            };
            let same = test == value;
            Some(if *op == BinOp::Eq { same } else { !same })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::success_test;
    use dialscript_syntax::ast::{Expr, ExprKind};

    fn cond(text: &str) -> Option<bool> {
        let src = format!("proc main\nif {text} then\nendif\nendproc\n");
        let parse = dialscript_syntax::parse(src.as_bytes());
        let dialscript_syntax::ast::StmtKind::If { cond, .. } = &parse.script.procs[0].body[0].kind
        else {
            panic!("not an if");
        };
        success_test(cond)
    }

    /// Every string literal inside `e`, as a walk of the tree finds them.
    fn literals_in<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
        match &e.kind {
            ExprKind::Str(_) => out.push(e),
            ExprKind::Unary(_, x) | ExprKind::Paren(x) | ExprKind::Getip(Some(x)) => {
                literals_in(x, out)
            }
            ExprKind::Binary(_, operands) => {
                literals_in(&operands.0, out);
                literals_in(&operands.1, out);
            }
            _ => {}
        }
    }

    #[test]
    fn the_analysis_lists_every_string_literal_with_its_statement() {
        let src = "proc other\ntransmit \"a\" + \"b\"\nendproc\n\
                   proc main\nstring s = (\"c\")\ns = \"d\" + (\"e\" + s)\n\
                   if s == \"f\" then\nwhile !(\"g\" != s) do\nwaitfor \"h\", \"i\" then L until 1\n\
                   endwhile\nendif\nL:\nset ipaddr \"1.2.3.4\"\ntransmit $USERID + \"j\", raw\n\
                   delay 1\ngetip \"k\"\n$SUCCESS = \"l\" == s\nendproc\n";
        let parse = dialscript_syntax::parse(src.as_bytes());
        let sema = crate::semantic::analyze(&parse.script);
        let mut expected = Vec::new();
        for p in &parse.script.procs {
            crate::semantic::walk_stmts(&p.body, &mut |s| {
                crate::semantic::stmt_exprs(s, &mut |e| {
                    let mut found = Vec::new();
                    literals_in(e, &mut found);
                    expected.extend(found.into_iter().map(|l| (s.span, l.span)));
                });
            });
        }
        let listed: Vec<_> = sema
            .procs
            .iter()
            .flat_map(|p| &p.strings)
            .map(|(s, l)| (s.span, l.span))
            .collect();
        assert_eq!(expected.len(), 13);
        assert_eq!(listed, expected);
        // The statement list is the walk's order, and the getip list its getip statements.
        for (p, info) in parse.script.procs.iter().zip(&sema.procs) {
            let mut walked = Vec::new();
            crate::semantic::walk_stmts(&p.body, &mut |s| walked.push(s.span));
            let listed: Vec<_> = info.stmts.iter().map(|s| s.span).collect();
            assert_eq!(listed, walked);
        }
        let getips: Vec<_> = sema.procs[1].getip_stmts.iter().map(|s| s.span).collect();
        assert_eq!(getips.len(), 1);
        assert_eq!(&src[getips[0].range()], "getip \"k\"");
    }

    #[test]
    fn polarity() {
        assert_eq!(cond("$SUCCESS"), Some(true));
        assert_eq!(cond("!$SUCCESS"), Some(false));
        assert_eq!(cond("$FAILURE"), Some(false));
        assert_eq!(cond("FALSE == $SUCCESS"), Some(false));
        assert_eq!(cond("$SUCCESS == TRUE"), Some(true));
        assert_eq!(cond("$FAILURE != TRUE"), Some(true));
        assert_eq!(cond("(($SUCCESS))"), Some(true));
        assert_eq!(cond("x > 1"), None);
    }
}
