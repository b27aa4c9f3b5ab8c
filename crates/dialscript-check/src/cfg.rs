//! The control-flow graph of `proc main`.
//!
//! The body is flattened the way the VM runs it (spec §9.20): an `if` becomes a branch that
//! jumps past its `endif` when false, a `while` a loop head that jumps past its `endwhile`,
//! and `endwhile` a jump back to the head. Labels are nodes, so `goto` (and `waitfor ...
//! then`) can enter or leave any block. Conditions that are constant (`while TRUE`) have only
//! the edge they can take. Node order is source order.

use dialscript_syntax::ast::{BinOp, Expr, ExprKind, Ident, Stmt, StmtKind, UnOp};

use crate::semantic::{ProcInfo, strip};

/// What a node does.
#[derive(Debug, Clone, Copy)]
pub enum Op<'a> {
    /// A statement that continues with the next one: declaration, assignment, `delay`, `set`,
    /// `transmit`, `getip`.
    Stmt(&'a Stmt),
    /// `name:`.
    Label(&'a Stmt),
    /// `goto name`.
    Goto(&'a Stmt),
    /// `halt`.
    Halt(&'a Stmt),
    /// `waitfor`.
    Wait(&'a Stmt),
    /// The test of an `if`.
    Branch(&'a Stmt, &'a Expr),
    /// The test of a `while`.
    LoopHead(&'a Stmt, &'a Expr),
    /// `endif` (does nothing).
    EndIf(&'a Stmt),
    /// `endwhile` (jumps back to the test).
    EndWhile(&'a Stmt),
    /// `endproc` of main: the script succeeded.
    Exit,
}

impl<'a> Op<'a> {
    /// The statement this node comes from (`None` for the exit).
    pub fn stmt(&self) -> Option<&'a Stmt> {
        match *self {
            Op::Stmt(s)
            | Op::Label(s)
            | Op::Goto(s)
            | Op::Halt(s)
            | Op::Wait(s)
            | Op::Branch(s, _)
            | Op::LoopHead(s, _)
            | Op::EndIf(s)
            | Op::EndWhile(s) => Some(s),
            Op::Exit => None,
        }
    }

    /// Whether this node is a statement a person wrote (not a block's end or the exit).
    pub fn is_statement(&self) -> bool {
        !matches!(self, Op::EndIf(_) | Op::EndWhile(_) | Op::Exit)
    }
}

/// How control leaves a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// To the next statement.
    Next,
    /// A test held.
    True,
    /// A test failed.
    False,
    /// `goto`, or `endwhile` back to its test.
    Jump,
    /// A `waitfor` string arrived and its `then` label is taken (index of the string).
    Then(usize),
    /// A `waitfor` fell through: its `until` ran out, or a string without `then` arrived.
    Fallthrough,
}

/// An edge.
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    /// Target node.
    pub to: usize,
    /// Why control goes there.
    pub kind: EdgeKind,
}

/// The edges out of a node. Held inline up to two (a test has two, most nodes one): a
/// vector per node was most of the checker's allocations.
pub type Successors = smallvec::SmallVec<[Edge; 2]>;

/// A node.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    /// What it does.
    pub op: Op<'a>,
    /// Where control goes next.
    pub succ: Successors,
    /// [`Node::wait_bound`] with any `getip` in it guarded, worked out once: the
    /// duration bound, DS207 and DS208 all ask for it, some of them several times per node.
    wait: Option<u64>,
    /// Whether the node calls `getip`.
    getip: bool,
}

impl Node<'_> {
    /// Seconds a node can wait, at most: `Some(0)` for nodes that do not wait, `None` when the
    /// wait has no bound (a `waitfor` without `until`, an unguarded `getip`, a non-constant
    /// `delay`). A `getip` after a tested `waitfor` for the address announcement
    /// (`getip_guarded`, see [`crate::flow::getip_guards`]) counts as immediate: the text it reads
    /// has arrived.
    pub fn wait_bound(&self, getip_guarded: bool) -> Option<u64> {
        if self.getip && !getip_guarded {
            return None;
        }
        self.wait
    }

    /// Whether a node really waits for time to pass or for input (used by the spin-loop rule):
    /// a `waitfor` with a positive or unknown timeout, a `delay` that is not known to be zero or
    /// less, `getip`. (`waitfor ... until 0` only looks at what is already buffered.)
    pub fn waits(&self) -> bool {
        self.wait_bound(false) != Some(0)
    }

    /// Whether the node calls `getip`: a `getip` statement, or one whose own expressions call
    /// it (an `if`'s or `while`'s test for its test node; never the `endif`, `endwhile` and
    /// exit nodes).
    pub fn calls_getip(&self) -> bool {
        self.getip
    }
}

/// The graph of one procedure.
#[derive(Debug)]
pub struct Cfg<'a> {
    /// Nodes in source order; node 0 is the entry.
    pub nodes: Vec<Node<'a>>,
    /// Whether a path from the entry reaches each node.
    pub reachable: Vec<bool>,
    /// Whether some edge goes back to its own node or an earlier one (an `endwhile`, a
    /// `goto` or `then` upwards). Nodes are in source order, so without one there is no
    /// cycle.
    pub backward: bool,
}

impl<'a> Cfg<'a> {
    /// Builds the graph of a procedure.
    pub fn build(info: &ProcInfo<'a>) -> Cfg<'a> {
        // A node per statement, one more for each block's end, and the exit: sizing the
        // vector up front saves regrowing (and copying) it several times per script.
        let blocks = info
            .stmts
            .iter()
            .filter(|s| matches!(s.kind, StmtKind::If { .. } | StmtKind::While { .. }))
            .count();
        let count = info.stmts.len() + blocks + 1;
        let mut b = Builder {
            info,
            nodes: Vec::with_capacity(count),
            label_node: vec![usize::MAX; info.labels.len()],
            next_label: 0,
            next_getip: 0,
            pending: Vec::new(),
            backward: false,
        };
        b.block(&info.proc_.body);
        // The analysis and the builder go through the statements in the same order, so each
        // label and each statement that calls `getip` was met where the lists expected it.
        debug_assert_eq!(b.next_label, info.labels.len());
        debug_assert_eq!(b.next_getip, info.getip_stmts.len());
        b.push(Op::Exit);
        // Resolve jumps now that every label has a node.
        for (node, name, kind) in std::mem::take(&mut b.pending) {
            if let Some(label) = info.label_index.get(&name.name)
                && let Some(&to) = b.label_node.get(label)
                && to != usize::MAX
            {
                b.backward |= to <= node;
                b.nodes[node].succ.push(Edge { to, kind });
            }
        }
        let mut cfg = Cfg {
            nodes: b.nodes,
            reachable: Vec::new(),
            backward: b.backward,
        };
        cfg.reachable = cfg.reach_from(0);
        cfg
    }

    /// Nodes reachable from `start` (itself included).
    pub fn reach_from(&self, start: usize) -> Vec<bool> {
        let mut seen = vec![false; self.nodes.len()];
        // A node is pushed once, when first seen, so the stack never holds more than all of
        // them: no regrowing.
        let mut stack = Vec::with_capacity(self.nodes.len());
        if start < seen.len() {
            seen[start] = true;
            stack.push(start);
        }
        while let Some(n) = stack.pop() {
            for e in &self.nodes[n].succ {
                if let Some(s) = seen.get_mut(e.to)
                    && !*s
                {
                    *s = true;
                    stack.push(e.to);
                }
            }
        }
        seen
    }

    /// Index of the exit node (`endproc`).
    pub fn exit(&self) -> usize {
        self.nodes.len() - 1
    }
}

struct Builder<'a, 'i> {
    info: &'i ProcInfo<'a>,
    nodes: Vec<Node<'a>>,
    /// The node of each label of the analysis (`info.labels`), `usize::MAX` until reached.
    label_node: Vec<usize>,
    /// The analysis lists labels in the order this builder meets them (depth first, source
    /// order, first definition only): the next one to expect.
    next_label: usize,
    /// The next of the analysis's statements that call `getip` (`info.getip_stmts`).
    next_getip: usize,
    /// Whether an edge goes back (every other edge the builder makes goes forward: to the
    /// next node, or past a block's end).
    backward: bool,
    /// Jumps to resolve once all labels are known: (from node, label, edge kind).
    pending: Vec<(usize, &'a Ident, EdgeKind)>,
}

impl<'a> Builder<'a, '_> {
    fn push(&mut self, op: Op<'a>) -> usize {
        // The analysis lists the statements that call `getip` in the order this builder
        // meets them; a block's end is not its test.
        let getip = match op.stmt() {
            Some(s) if !matches!(op, Op::EndIf(_) | Op::EndWhile(_)) => self
                .info
                .getip_stmts
                .get(self.next_getip)
                .is_some_and(|&g| std::ptr::eq(g, s)),
            _ => false,
        };
        self.next_getip += usize::from(getip);
        self.nodes.push(Node {
            op,
            succ: Successors::new(),
            wait: bound_if_guarded(self.info, &op),
            getip,
        });
        self.nodes.len() - 1
    }

    fn next_edge(&mut self, n: usize, kind: EdgeKind) {
        let to = n + 1;
        self.nodes[n].succ.push(Edge { to, kind });
    }

    /// The edges of a block's test at `head`: into the body when true, past the block's end
    /// (`end`) when false, only the one a constant condition can take.
    fn test_edges(&mut self, head: usize, end: usize, cond: &Expr) {
        let truth = const_bool(cond);
        if truth != Some(false) {
            self.nodes[head].succ.push(Edge {
                to: head + 1,
                kind: EdgeKind::True,
            });
        }
        if truth != Some(true) {
            self.nodes[head].succ.push(Edge {
                to: end + 1,
                kind: EdgeKind::False,
            });
        }
    }

    fn block(&mut self, body: &'a [Stmt]) {
        for s in body {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &'a Stmt) {
        match &s.kind {
            StmtKind::Label(_) => {
                let n = self.push(Op::Label(s));
                // A second definition of a name is not in the list; jumps go to the first.
                if let Some(l) = self.info.labels.get(self.next_label)
                    && std::ptr::eq(l.stmt, s)
                {
                    self.label_node[self.next_label] = n;
                    self.next_label += 1;
                }
                self.next_edge(n, EdgeKind::Next);
            }
            StmtKind::Goto(name) => {
                let n = self.push(Op::Goto(s));
                self.pending.push((n, name, EdgeKind::Jump));
            }
            StmtKind::Halt => {
                self.push(Op::Halt(s));
            }
            StmtKind::Waitfor { cases, until } => {
                let n = self.push(Op::Wait(s));
                for (k, c) in cases.iter().enumerate() {
                    if let Some(t) = &c.target {
                        self.pending.push((n, t, EdgeKind::Then(k)));
                    }
                }
                // Without `until` and with a label on every string, the only way on is a jump.
                let falls_through = until.is_some() || cases.iter().any(|c| c.target.is_none());
                if falls_through {
                    self.next_edge(n, EdgeKind::Fallthrough);
                }
            }
            StmtKind::If { cond, body, .. } => {
                let head = self.push(Op::Branch(s, cond));
                self.block(body);
                let end = self.push(Op::EndIf(s));
                self.next_edge(end, EdgeKind::Next);
                self.test_edges(head, end, cond);
            }
            StmtKind::While { cond, body, .. } => {
                let head = self.push(Op::LoopHead(s, cond));
                self.block(body);
                let end = self.push(Op::EndWhile(s));
                self.nodes[end].succ.push(Edge {
                    to: head,
                    kind: EdgeKind::Jump,
                });
                self.backward = true;
                self.test_edges(head, end, cond);
            }
            _ => {
                let n = self.push(Op::Stmt(s));
                self.next_edge(n, EdgeKind::Next);
            }
        }
    }
}

/// The value of a condition that does not depend on anything at run time.
pub fn const_bool(e: &Expr) -> Option<bool> {
    match &strip(e).kind {
        ExprKind::Bool(b) => Some(*b),
        ExprKind::Unary(UnOp::Not, x) => const_bool(x).map(|b| !b),
        ExprKind::Binary(BinOp::And, lr) => match (const_bool(&lr.0), const_bool(&lr.1)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        ExprKind::Binary(BinOp::Or, lr) => match (const_bool(&lr.0), const_bool(&lr.1)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        ExprKind::Binary(op, operands) => {
            let (l, r) = &**operands;
            let (a, b) = (const_int(l, &|_| None)?, const_int(r, &|_| None)?);
            Some(match op {
                BinOp::Lt => a < b,
                BinOp::Gt => a > b,
                BinOp::Le => a <= b,
                BinOp::Ge => a >= b,
                BinOp::Eq => a == b,
                BinOp::Ne => a != b,
                _ => return None,
            })
        }
        _ => None,
    }
}

/// The value of an integer expression that is constant, with `var` giving the value of
/// variables known to be constant. Arithmetic wraps at 32 bits as the VM's does.
pub fn const_int(e: &Expr, var: &impl Fn(&Ident) -> Option<i32>) -> Option<i32> {
    match &e.kind {
        ExprKind::Int(n) => Some(*n as i32),
        ExprKind::Paren(x) => const_int(x, var),
        ExprKind::Var(name) => var(name),
        ExprKind::Unary(UnOp::Neg, x) => const_int(x, var).map(i32::wrapping_neg),
        ExprKind::Unary(UnOp::Not, x) => const_int(x, var).map(|v| !v),
        ExprKind::Binary(op, lr) => op.eval_int(const_int(&lr.0, var)?, const_int(&lr.1, var)?),
        _ => None,
    }
}

/// The value of `e` when it is constant in procedure `info`: literals, arithmetic on them, and
/// variables whose initialiser is constant and that are never assigned.
pub fn const_int_in(info: &ProcInfo<'_>, e: &Expr) -> Option<i32> {
    const_int_depth(info, e, 0)
}

fn const_int_depth(info: &ProcInfo<'_>, e: &Expr, depth: u32) -> Option<i32> {
    // A chain of constant variables initialised from each other is short in real scripts;
    // the bound keeps `integer a = b` / `integer b = a` mistakes from recursing forever.
    if depth > 16 {
        return None;
    }
    const_int(e, &|name| {
        let v = info.constant_var(name)?;
        match v.init {
            Some(init) => const_int_depth(info, init, depth + 1),
            None => Some(0),
        }
    })
}

/// [`Node::wait_bound`] with any `getip` guarded.
fn bound_if_guarded(info: &ProcInfo<'_>, op: &Op<'_>) -> Option<u64> {
    match op {
        Op::Wait(s) => match &s.kind {
            StmtKind::Waitfor { until: Some(u), .. } => {
                const_int_in(info, u).map(|t| t.max(0) as u64)
            }
            _ => None,
        },
        Op::Stmt(s) => match &s.kind {
            StmtKind::Delay(e) => const_int_in(info, e).map(|t| t.max(0) as u64),
            _ => Some(0),
        },
        _ => Some(0),
    }
}
