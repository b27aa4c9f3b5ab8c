//! Analyses over the control-flow graph: strongly connected components, loops that a counter
//! bounds, the worst-case duration of a run, and a forward data-flow solver.

use dialscript_syntax::ast::{BinOp, Expr, ExprKind, Ident, StmtKind, Target};

use crate::cfg::{Cfg, EdgeKind, Op, const_int_in};
use crate::rules::success_test;
use crate::semantic::{ProcInfo, strip};

/// Strongly connected components of a subgraph, each a sorted slice of node numbers, in
/// reverse topological order. They are kept in one vector: most components are single
/// nodes, and a vector per component was the checker's largest cost.
#[derive(Debug, Default)]
pub struct Components {
    members: Vec<usize>,
    /// Where each component ends in `members`.
    ends: Vec<usize>,
}

impl Components {
    /// The components in reverse topological order.
    pub fn iter(&self) -> impl Iterator<Item = &[usize]> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let comp = &self.members[start..end];
            start = end;
            comp
        })
    }

    /// How many components there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// Strongly connected components of the subgraph of nodes for which `keep` holds, in reverse
/// topological order (Tarjan's algorithm, iterative so that no graph overflows the stack).
pub fn sccs(cfg: &Cfg<'_>, keep: &impl Fn(usize) -> bool) -> Components {
    // Nodes are numbered in source order, so in a graph whose edges all go forward each kept
    // node is a component of its own, and descending order is a reverse topological one.
    // Scripts without a retry loop are all like this.
    let n = cfg.nodes.len();
    if !cfg.backward {
        let members: Vec<usize> = (0..n).rev().filter(|&v| keep(v)).collect();
        let ends = (1..=members.len()).collect();
        return Components { members, ends };
    }
    // A cycle climbs by forward edges and comes down by backward ones, so each of its nodes
    // lies between the two ends of one of its backward edges (`w..=u` for `u -> w`). Nodes
    // outside every such span are on no cycle, and every edge in or out of them goes forward;
    // the spans join into runs of consecutive nodes that no edge leaves backward. So nodes
    // and runs in descending order are in reverse topological order, and only the runs need
    // a search: the nodes of a script's retry loop, not the whole script.
    // Counts of spans open at each node; 64 bits, so no number of edges can overflow them.
    let mut cover = vec![0i64; n + 1];
    for (u, node) in cfg.nodes.iter().enumerate() {
        for e in &node.succ {
            if e.to <= u {
                cover[e.to] += 1;
                cover[u + 1] -= 1;
            }
        }
    }
    let mut depth = 0;
    for c in &mut cover {
        depth += *c;
        *c = depth;
    }
    let in_span = |v: usize| cover[v] > 0;
    let mut out = Components {
        members: Vec::with_capacity(n),
        ends: Vec::with_capacity(n),
    };
    let mut v = n;
    while v > 0 {
        v -= 1;
        if !in_span(v) {
            if keep(v) {
                out.members.push(v);
                out.ends.push(out.members.len());
            }
            continue;
        }
        let mut lo = v;
        while lo > 0 && in_span(lo - 1) {
            lo -= 1;
        }
        sccs_into(cfg, lo..v + 1, lo..v + 1, keep, &mut out);
        v = lo;
    }
    out
}

/// [`sccs`] of the part of the subgraph that `roots` reach. Every root must satisfy `keep`
/// for its component to be found.
#[cfg(test)]
fn sccs_from(
    cfg: &Cfg<'_>,
    roots: impl IntoIterator<Item = usize>,
    keep: &impl Fn(usize) -> bool,
) -> Components {
    let mut out = Components::default();
    sccs_into(cfg, 0..cfg.nodes.len(), roots, keep, &mut out);
    out
}

/// Appends to `out` the components of the subgraph of the nodes in `span` for which `keep`
/// holds that `roots` reach, in reverse topological order. Edges that leave `span` are not
/// followed.
fn sccs_into(
    cfg: &Cfg<'_>,
    span: std::ops::Range<usize>,
    roots: impl IntoIterator<Item = usize>,
    keep: &impl Fn(usize) -> bool,
    out: &mut Components,
) {
    /// Per node: Tarjan's index and low link, and where the node stands. One vector of them
    /// rather than one per field: a search allocates once for all the nodes' state.
    #[derive(Clone, Copy)]
    struct Slot {
        index: u32,
        low: u32,
        state: State,
    }
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        /// Not in the subgraph.
        Out,
        /// In it, not reached yet.
        Unseen,
        /// On the search's stack.
        OnStack,
        /// In a component already.
        Done,
    }
    // Slots are indexed from the span's first node.
    let base = span.start;
    let n = span.len();
    // `keep` is asked once per node rather than once per edge: the rules' predicates look
    // at statements and are not free.
    let mut slots: Vec<Slot> = span
        .clone()
        .map(|v| Slot {
            index: 0,
            low: 0,
            state: if keep(v) { State::Unseen } else { State::Out },
        })
        .collect();
    // DS207 keeps only nodes on a loop, which most graphs do not have: nothing more to do.
    if slots.iter().all(|s| s.state == State::Out) {
        return;
    }
    // No node is on the stacks or in the result twice: room for all of them up front.
    // Node numbers fit in u32 (a node per statement, and a script is under 4 GiB).
    let mut stack: Vec<u32> = Vec::with_capacity(n);
    // Each frame: (node, position in its successor list).
    let mut frames: Vec<(u32, u32)> = Vec::with_capacity(n);
    out.members.reserve(n);
    out.ends.reserve(n);
    let mut next = 0u32;
    // A node reached for the first time gets the next index, goes on the stack and is
    // searched from (a root, or the far end of an edge). Stacks hold node numbers.
    let mut discover = |w: usize, slots: &mut [Slot], stack: &mut Vec<u32>, frames: &mut Vec<_>| {
        slots[w - base] = Slot {
            index: next,
            low: next,
            state: State::OnStack,
        };
        next += 1;
        stack.push(w as u32);
        frames.push((w as u32, 0u32));
    };
    // The state of node `v`, `Out` for a node outside the span.
    let state = |slots: &[Slot], v: usize| {
        slots
            .get(v.wrapping_sub(base))
            .map_or(State::Out, |s| s.state)
    };
    for root in roots {
        if state(&slots, root) != State::Unseen {
            continue;
        }
        discover(root, &mut slots, &mut stack, &mut frames);
        while let Some(&mut (v, ref mut pos)) = frames.last_mut() {
            let v = v as usize;
            let succ = &cfg.nodes[v].succ;
            if let Some(e) = succ.get(*pos as usize) {
                let w = e.to;
                *pos += 1;
                match state(&slots, w) {
                    State::Unseen => discover(w, &mut slots, &mut stack, &mut frames),
                    State::OnStack => {
                        slots[v - base].low = slots[v - base].low.min(slots[w - base].index)
                    }
                    State::Out | State::Done => {}
                }
            } else {
                frames.pop();
                let low = slots[v - base].low;
                if let Some(&(parent, _)) = frames.last() {
                    let p = &mut slots[parent as usize - base].low;
                    *p = (*p).min(low);
                }
                if low == slots[v - base].index {
                    let start = out.members.len();
                    while let Some(w) = stack.pop() {
                        let w = w as usize;
                        slots[w - base].state = State::Done;
                        out.members.push(w);
                        if w == v {
                            break;
                        }
                    }
                    if out.members.len() - start > 1 {
                        out.members[start..].sort_unstable();
                    }
                    out.ends.push(out.members.len());
                }
            }
        }
    }
}

/// Whether a component has a cycle (more than one node, or a node with an edge to itself).
pub fn is_cyclic(cfg: &Cfg<'_>, comp: &[usize]) -> bool {
    comp.len() > 1 || cfg.nodes[comp[0]].succ.iter().any(|e| e.to == comp[0])
}

/// Whether the subgraph of the nodes for which `keep` holds has a cycle (see [`peel`]), with
/// nothing allocated when no node is kept.
pub fn has_cycle(cfg: &Cfg<'_>, keep: &impl Fn(usize) -> bool) -> bool {
    let n = cfg.nodes.len();
    let Some(first) = (0..n).find(|&v| keep(v)) else {
        return false;
    };
    let mut incoming = vec![OUTSIDE; n];
    let members: Vec<usize> = (first..n).filter(|&v| keep(v)).collect();
    for &v in &members {
        incoming[v] = 0;
    }
    peel(cfg, &members, incoming)
}

/// Marks a node that is not (or no longer) in the subgraph being peeled.
const OUTSIDE: u32 = u32::MAX;

/// Kahn's peeling of the subgraph of `members`: `incoming` holds 0 for each member and
/// [`OUTSIDE`] for every other node of the graph. Nodes with no edge in from the remaining
/// subgraph are removed until none is left (no cycle: `false`) or none can go (`true`).
fn peel(cfg: &Cfg<'_>, members: &[usize], mut incoming: Vec<u32>) -> bool {
    for &v in members {
        for e in &cfg.nodes[v].succ {
            if let Some(c) = incoming.get_mut(e.to)
                && *c != OUTSIDE
            {
                *c += 1;
            }
        }
    }
    let mut ready: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&v| incoming[v] == 0)
        .collect();
    let mut left = members.len();
    while let Some(v) = ready.pop() {
        incoming[v] = OUTSIDE;
        left -= 1;
        for e in &cfg.nodes[v].succ {
            if let Some(c) = incoming.get_mut(e.to)
                && *c != OUTSIDE
            {
                *c -= 1;
                if *c == 0 {
                    ready.push(e.to);
                }
            }
        }
    }
    left > 0
}

/// Whether the nodes of `comp`, minus those for which `removed` holds, still contain a cycle
/// (see [`peel`]): no component search, whose arrays and stack cost more than peeling.
fn has_cycle_without(cfg: &Cfg<'_>, comp: &[usize], removed: &impl Fn(usize) -> bool) -> bool {
    let mut incoming = vec![OUTSIDE; cfg.nodes.len()];
    let members: Vec<usize> = comp.iter().copied().filter(|&v| !removed(v)).collect();
    for &v in &members {
        incoming[v] = 0;
    }
    peel(cfg, &members, incoming)
}

/// A loop that a counter bounds.
#[derive(Debug, Clone)]
pub struct CountedLoop {
    /// The counter.
    pub counter: String,
    /// At most this many passes through the test.
    pub iterations: u64,
}

/// Which way a counter must move to reach its bound.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Up,
    Down,
}

/// Finds a counter that bounds every cycle of `comp`: a test `v < c` (or `<=`, `>`, `>=`, either
/// way round) whose failure leaves the component, through which every cycle passes; updates
/// `v = v + k` (or `- k`, toward the bound) through which every cycle passes as well; no other
/// assignment to `v` in the component; and constant values of `v` on entry.
pub fn counted_loop(cfg: &Cfg<'_>, info: &ProcInfo<'_>, comp: &[usize]) -> Option<CountedLoop> {
    // Membership is asked for every edge near the loop: a table answers in one load where a
    // binary search of the component took several steps.
    let mut member = vec![false; cfg.nodes.len()];
    for &v in comp {
        member[v] = true;
    }
    let in_comp = |v: usize| member.get(v).copied().unwrap_or(false);
    // Real loops have one or two tests; trying only the first few keeps hostile inputs (one
    // loop around a million `if`s) from costing quadratic time.
    let mut tried = 0;
    for &t in comp {
        let cond = match cfg.nodes[t].op {
            Op::Branch(_, c) | Op::LoopHead(_, c) => c,
            _ => continue,
        };
        let Some((var, dir, bound)) = counter_test(info, cond) else {
            continue;
        };
        tried += 1;
        if tried > 8 {
            break;
        }
        // The test must keep control in the loop when true and be able to leave when false.
        let succ = &cfg.nodes[t].succ;
        let stays = succ
            .iter()
            .any(|e| e.kind == EdgeKind::True && in_comp(e.to));
        let leaves_false = succ
            .iter()
            .all(|e| e.kind != EdgeKind::False || !in_comp(e.to));
        if !stays || !leaves_false || has_cycle_without(cfg, comp, &|v| v == t) {
            continue;
        }
        let mut updates = Vec::new();
        let mut step = i64::MAX;
        let mut other_write = false;
        for &n in comp {
            let Op::Stmt(s) = cfg.nodes[n].op else {
                continue;
            };
            match &s.kind {
                StmtKind::Assign {
                    target: Target::Var(name),
                    value,
                } if name.same(var) => match update_step(info, name, value, dir) {
                    Some(k) => {
                        updates.push(n);
                        step = step.min(k);
                    }
                    None => other_write = true,
                },
                StmtKind::Decl { name, .. } if name.same(var) => other_write = true,
                _ => {}
            }
        }
        if other_write
            || updates.is_empty()
            || has_cycle_without(cfg, comp, &|v| updates.contains(&v))
        {
            continue;
        }
        let start = entry_values(cfg, info, comp, var)?;
        // Passes through the test that keep control in the loop: the counter must cover the
        // distance to its bound in steps; `<=` and `>=` take one pass more than `<` and `>`.
        let inclusive = matches!(cond_op(cond), Some(BinOp::Le | BinOp::Ge));
        let distance = match dir {
            Dir::Down => i64::from(start.1) - i64::from(bound),
            Dir::Up => i64::from(bound) - i64::from(start.0),
        } + i64::from(inclusive);
        let passes = (distance.max(0) + step - 1) / step;
        // Entering the loop elsewhere than at its test (a `goto` into the body) adds at most
        // one more partial pass.
        // Only an edge landing between the component's first and last node can enter it,
        // which rules out most edges before any search.
        let (lo, hi) = (comp[0], comp[comp.len() - 1]);
        let entered_elsewhere = cfg.nodes.iter().enumerate().any(|(v, n)| {
            cfg.reachable[v]
                && n.succ
                    .iter()
                    .any(|e| (lo..=hi).contains(&e.to) && e.to != t && in_comp(e.to) && !in_comp(v))
        });
        let iterations = (passes + i64::from(entered_elsewhere)).max(1) as u64;
        return Some(CountedLoop {
            counter: var.name.to_string(),
            iterations,
        });
    }
    None
}

/// The comparison at the top of a condition, seen from the counter's side: `0 < n` is read as
/// `n > 0`, so `<=`/`>=` tell whether the bound itself is included.
fn cond_op(cond: &Expr) -> Option<BinOp> {
    match &strip(cond).kind {
        ExprKind::Binary(op, _) => Some(*op),
        _ => None,
    }
}

/// Recognises `v < c`, `c > v`, `0 < v` and the like, with `c` constant. Returns the counter, the
/// way it must move to make the test fail, and the bound.
fn counter_test<'a>(info: &ProcInfo<'_>, cond: &'a Expr) -> Option<(&'a Ident, Dir, i32)> {
    let ExprKind::Binary(op, operands) = &strip(cond).kind else {
        return None;
    };
    let (l, r) = &**operands;
    let (l, r) = (strip(l), strip(r));
    let as_var = |e: &'a Expr| match &e.kind {
        ExprKind::Var(v) if info.var(v).is_some_and(|x| x.writes > 0) => Some(v),
        _ => None,
    };
    // Normalise to `v OP c`.
    let (v, op, c) = match (as_var(l), as_var(r)) {
        (Some(v), _) => (v, *op, r),
        (None, Some(v)) => {
            let flipped = match op {
                BinOp::Lt => BinOp::Gt,
                BinOp::Gt => BinOp::Lt,
                BinOp::Le => BinOp::Ge,
                BinOp::Ge => BinOp::Le,
                _ => return None,
            };
            (v, flipped, l)
        }
        _ => return None,
    };
    let c = const_int_in(info, c)?;
    match op {
        BinOp::Lt | BinOp::Le => Some((v, Dir::Up, c)),
        BinOp::Gt | BinOp::Ge => Some((v, Dir::Down, c)),
        _ => None,
    }
}

/// The step of `v = v + k` (up) or `v = v - k` (down), with `k` a positive constant.
fn update_step(info: &ProcInfo<'_>, name: &Ident, value: &Expr, dir: Dir) -> Option<i64> {
    let ExprKind::Binary(op, operands) = &strip(value).kind else {
        return None;
    };
    let (l, r) = &**operands;
    let is_v = |e: &Expr| matches!(&strip(e).kind, ExprKind::Var(x) if x.same(name));
    let k = match (op, dir) {
        (BinOp::Add, Dir::Up) if is_v(l) => const_int_in(info, r)?,
        (BinOp::Add, Dir::Up) if is_v(r) => const_int_in(info, l)?,
        (BinOp::Sub, Dir::Down) if is_v(l) => const_int_in(info, r)?,
        _ => return None,
    };
    (k > 0).then_some(i64::from(k))
}

/// The least and greatest value the counter can have when control enters the component: every
/// assignment to it outside the component (and its declaration) must be constant.
fn entry_values(
    cfg: &Cfg<'_>,
    info: &ProcInfo<'_>,
    comp: &[usize],
    var: &Ident,
) -> Option<(i32, i32)> {
    let mut lo = i32::MAX;
    let mut hi = i32::MIN;
    let mut note = |v: i32| {
        lo = lo.min(v);
        hi = hi.max(v);
    };
    let decl = info.var(var)?;
    note(match decl.init {
        Some(e) => const_int_in(info, e)?,
        None => 0,
    });
    // Every statement of the procedure has a node, and an assignment is always a plain
    // `Op::Stmt` node, so the graph lists all of them along with whether they are inside.
    for (v, node) in cfg.nodes.iter().enumerate() {
        if let Op::Stmt(s) = node.op
            && let StmtKind::Assign {
                target: Target::Var(name),
                value,
            } = &s.kind
            && name.same(var)
            && comp.binary_search(&v).is_err()
        {
            note(const_int_in(info, value)?);
        }
    }
    Some((lo, hi))
}

/// Facts about the graph of `main` that the duration bound and several rules share,
/// computed once per script.
#[derive(Debug)]
pub struct MainFlow {
    /// [`getip_guards`] of every node, or empty when no node calls `getip`: only `getip`
    /// needs a guard, and most scripts have none, so the data flow is not run for them.
    guards: Vec<u8>,
    /// The components of the reachable nodes, in reverse topological order. Empty when the
    /// graph has no backward edge ([`Cfg::backward`]): then each reachable node is a
    /// component of its own and none is a loop, which is all the rules need to know.
    pub components: Components,
    /// For each component: the counter that bounds it, when it is a loop that one bounds.
    pub counted: Vec<Option<CountedLoop>>,
    /// Whether each node lies on a cycle of reachable nodes (in a loop); empty when the graph
    /// has no backward edge (see [`MainFlow::in_loop`]).
    in_loop: Vec<bool>,
}

impl MainFlow {
    /// Analyses the graph of a procedure.
    pub fn new(cfg: &Cfg<'_>, info: &ProcInfo<'_>) -> MainFlow {
        if cfg.backward {
            MainFlow::with_components(cfg, info)
        } else {
            // Most scripts have no loop: no component tables to build.
            MainFlow {
                guards: MainFlow::guards_of(cfg),
                components: Components::default(),
                counted: Vec::new(),
                in_loop: Vec::new(),
            }
        }
    }

    fn guards_of(cfg: &Cfg<'_>) -> Vec<u8> {
        if cfg.nodes.iter().any(|n| n.calls_getip()) {
            getip_guards(cfg)
        } else {
            Vec::new()
        }
    }

    /// [`MainFlow::new`] with the component tables built whatever the graph.
    fn with_components(cfg: &Cfg<'_>, info: &ProcInfo<'_>) -> MainFlow {
        let guards = MainFlow::guards_of(cfg);
        let reach = &cfg.reachable;
        let components = sccs(cfg, &|v| reach[v]);
        let mut in_loop = vec![false; cfg.nodes.len()];
        let counted = components
            .iter()
            .map(|comp| {
                if is_cyclic(cfg, comp) {
                    for &v in comp {
                        in_loop[v] = true;
                    }
                    counted_loop(cfg, info, comp)
                } else {
                    None
                }
            })
            .collect();
        MainFlow {
            guards,
            components,
            counted,
            in_loop,
        }
    }

    /// Whether node `v` lies on a cycle of reachable nodes (in a loop).
    pub fn in_loop(&self, v: usize) -> bool {
        self.in_loop.get(v).copied().unwrap_or(false)
    }

    /// The [`getip_guards`] state of node `v`.
    pub fn guard(&self, v: usize) -> u8 {
        self.guards.get(v).copied().unwrap_or(GUARD_NONE)
    }

    /// Whether a `getip` at node `v` is guarded (its state is [`GUARD_SAFE`]).
    pub fn getip_guarded(&self, v: usize) -> bool {
        self.guard(v) == GUARD_SAFE
    }
}

/// The worst-case duration of a run of the procedure, in seconds: the longest path from the
/// entry, counting `until` and `delay` seconds, with each counted loop taken as many times as
/// its counter allows. `None` when no bound exists (a wait without timeout, `getip`, a loop no
/// counter bounds).
pub fn max_duration(cfg: &Cfg<'_>, flow: &MainFlow) -> Option<u64> {
    if !cfg.backward {
        // No cycle, and every edge goes forward: the longest path from each node, worked out
        // from the last node up, without the component tables.
        let mut longest = vec![0u64; cfg.nodes.len()];
        for (v, node) in cfg.nodes.iter().enumerate().rev() {
            if !cfg.reachable[v] {
                continue;
            }
            let own = node.wait_bound(flow.getip_guarded(v))?;
            let after = node.succ.iter().map(|e| longest[e.to]).max().unwrap_or(0);
            longest[v] = own.saturating_add(after);
        }
        return longest.first().copied();
    }
    duration_by_components(cfg, flow)
}

/// [`max_duration`] for any graph: the longest path over the components, each counted loop
/// taken as many times as its counter allows.
fn duration_by_components(cfg: &Cfg<'_>, flow: &MainFlow) -> Option<u64> {
    let comps = &flow.components;
    let mut comp_of = vec![usize::MAX; cfg.nodes.len()];
    for (i, c) in comps.iter().enumerate() {
        for &v in c {
            comp_of[v] = i;
        }
    }
    // Tarjan yields components in reverse topological order, so every successor component
    // of component `i` has a smaller index and is done before `i`.
    let mut longest: Vec<Option<u64>> = vec![Some(0); comps.len()];
    for (i, comp) in comps.iter().enumerate() {
        let own = component_weight(cfg, flow, comp, flow.counted[i].as_ref())?;
        let mut after = Some(0u64);
        for &v in comp {
            for e in &cfg.nodes[v].succ {
                let j = comp_of[e.to];
                if j != i && j != usize::MAX {
                    after = max_opt(after, longest[j]);
                }
            }
        }
        longest[i] = add_opt(Some(own), after);
        longest[i]?;
    }
    if comps.is_empty() {
        return Some(0);
    }
    longest[comp_of[0]]
}

/// The time one component can take: a node's own wait, or for a counted loop the longest
/// single pass times the passes it allows (plus the way in and out). `None` when unbounded.
fn component_weight(
    cfg: &Cfg<'_>,
    flow: &MainFlow,
    comp: &[usize],
    counted: Option<&CountedLoop>,
) -> Option<u64> {
    if !is_cyclic(cfg, comp) {
        return cfg.nodes[comp[0]].wait_bound(flow.getip_guarded(comp[0]));
    }
    let counted = counted?;
    // Longest path inside the component that does not go round: cut every edge into the
    // loop's nodes that closes a cycle by processing nodes in an order where those edges are
    // back edges. A simple bound that is always safe: the sum of all waits in the component.
    let mut pass = 0u64;
    for &v in comp {
        pass = pass.saturating_add(cfg.nodes[v].wait_bound(flow.getip_guarded(v))?);
    }
    Some(pass.saturating_mul(counted.iterations))
}

fn add_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    Some(a?.saturating_add(b?))
}

fn max_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    Some(a?.max(b?))
}

/// A forward data-flow problem whose facts form a chain ordered by `Ord`: the meet of two facts
/// is the smaller (a "must" analysis). `transfer` gives the fact on one edge leaving a node,
/// and must be monotone. Returns the fact on entry to every node; unreachable nodes keep `top`.
pub fn forward<S: Copy + Ord>(
    cfg: &Cfg<'_>,
    entry: S,
    top: S,
    transfer: &impl Fn(usize, S, EdgeKind) -> S,
) -> Vec<S> {
    propagate(cfg, entry, top, transfer, !cfg.backward)
}

/// [`forward`], by one of two methods. `in_order`, for a graph whose edges all go forward:
/// in node order all of a node's predecessors are done before it, so one pass settles every
/// fact. Otherwise a work list, on which a node is at most once, so it never grows past the
/// number of nodes (it visits some nodes again, which is why the pass is preferred).
fn propagate<S: Copy + Ord>(
    cfg: &Cfg<'_>,
    entry: S,
    top: S,
    transfer: &impl Fn(usize, S, EdgeKind) -> S,
    in_order: bool,
) -> Vec<S> {
    let n = cfg.nodes.len();
    let mut state = vec![top; n];
    if n == 0 {
        return state;
    }
    state[0] = entry;
    // A node must be processed the first time a path reaches it, even when the fact that
    // arrives equals `top`: its transfer may still lower the fact on its way out (a `waitfor`
    // reached in the safest state leaves an untested one behind it). Both marks of a node
    // share one byte.
    const VISITED: u8 = 1;
    const QUEUED: u8 = 2;
    let mut marks = vec![0u8; n];
    marks[0] = VISITED | QUEUED;
    if in_order {
        for v in 0..n {
            if marks[v] & VISITED == 0 {
                continue;
            }
            let here = state[v];
            for e in &cfg.nodes[v].succ {
                let out = transfer(v, here, e.kind);
                state[e.to] = state[e.to].min(out);
                marks[e.to] |= VISITED;
            }
        }
        return state;
    }
    let mut work: Vec<usize> = Vec::with_capacity(n);
    work.push(0);
    while let Some(v) = work.pop() {
        marks[v] &= !QUEUED;
        let here = state[v];
        for e in &cfg.nodes[v].succ {
            let out = transfer(v, here, e.kind);
            let merged = state[e.to].min(out);
            if merged != state[e.to] || marks[e.to] & VISITED == 0 {
                state[e.to] = merged;
                if marks[e.to] & QUEUED == 0 {
                    work.push(e.to);
                }
                marks[e.to] |= VISITED | QUEUED;
            }
        }
    }
    state
}

/// Nothing guards a `getip` here.
pub const GUARD_NONE: u8 = 0;
/// A `waitfor ... until` came, but its result was not tested yet.
pub const GUARD_UNTESTED: u8 = 1;
/// A `waitfor ... until` came and succeeded.
pub const GUARD_SAFE: u8 = 2;

/// For every node, whether a `getip` there is guarded: every path to it passes a `waitfor`
/// with `until` and then a test that it succeeded (a `then` label, `if $SUCCESS then`, the
/// far side of `if $FAILURE then ... endif`). Returns one of the `GUARD_*` values per node.
pub fn getip_guards(cfg: &Cfg<'_>) -> Vec<u8> {
    let transfer = |v: usize, state: u8, edge: EdgeKind| match cfg.nodes[v].op {
        Op::Wait(s) => match &s.kind {
            StmtKind::Waitfor {
                until: Some(_),
                cases,
            } => match edge {
                EdgeKind::Then(_) => GUARD_SAFE,
                // With a label on every string, falling through means the timeout.
                _ if cases.iter().all(|c| c.target.is_some()) => GUARD_NONE,
                _ => GUARD_UNTESTED,
            },
            _ => GUARD_NONE,
        },
        Op::Branch(_, cond) | Op::LoopHead(_, cond) => match (success_test(cond), edge) {
            (Some(true), EdgeKind::True) | (Some(false), EdgeKind::False)
                if state >= GUARD_UNTESTED =>
            {
                GUARD_SAFE
            }
            (Some(_), _) => GUARD_NONE,
            _ => state,
        },
        _ => state,
    };
    forward(cfg, GUARD_NONE, GUARD_SAFE, &transfer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One line of a generated `main`: labels, jumps, tests and waits, enough to make any
    /// shape of graph, loops into and out of blocks included.
    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            (0..6u8).prop_map(|l| format!("L{l}:")),
            (0..6u8).prop_map(|l| format!("goto L{l}")),
            (0..6u8).prop_map(|l| format!("if b then\ngoto L{l}\nendif")),
            (0..6u8).prop_map(|l| format!("waitfor \"x\" then L{l} until 1")),
            Just("while b do".to_string()),
            Just("endwhile".to_string()),
            Just("delay 1".to_string()),
            Just("halt".to_string()),
            Just("b = FALSE".to_string()),
        ]
    }

    /// Nodes reachable from `from` through nodes for which `keep` holds.
    fn reach(cfg: &Cfg<'_>, from: usize, keep: &dyn Fn(usize) -> bool) -> Vec<bool> {
        let mut seen = vec![false; cfg.nodes.len()];
        let mut stack = vec![from];
        while let Some(v) = stack.pop() {
            if seen[v] || !keep(v) {
                continue;
            }
            seen[v] = true;
            stack.extend(cfg.nodes[v].succ.iter().map(|e| e.to));
        }
        seen
    }

    /// Checks `comps` against the definition: every kept node in exactly one component, two
    /// nodes together exactly when each reaches the other, components sorted, and every
    /// edge between components going to one listed earlier.
    fn check_components(cfg: &Cfg<'_>, comps: &Components, keep: &dyn Fn(usize) -> bool) {
        let n = cfg.nodes.len();
        let mut comp_of = vec![usize::MAX; n];
        for (i, c) in comps.iter().enumerate() {
            assert!(
                c.windows(2).all(|w| w[0] < w[1]),
                "component not sorted: {c:?}"
            );
            for &v in c {
                assert!(keep(v), "node {v} is not kept");
                assert_eq!(comp_of[v], usize::MAX, "node {v} in two components");
                comp_of[v] = i;
            }
        }
        let reaches: Vec<Vec<bool>> = (0..n).map(|v| reach(cfg, v, keep)).collect();
        for u in 0..n {
            assert_eq!(
                keep(u),
                comp_of[u] != usize::MAX,
                "node {u} kept but in no component"
            );
            if !keep(u) {
                continue;
            }
            for v in 0..n {
                if keep(v) {
                    let together = reaches[u][v] && reaches[v][u];
                    assert_eq!(together, comp_of[u] == comp_of[v], "nodes {u} and {v}");
                }
            }
            for e in &cfg.nodes[u].succ {
                if keep(e.to) && comp_of[e.to] != comp_of[u] {
                    assert!(
                        comp_of[e.to] < comp_of[u],
                        "edge {u} -> {} goes forward",
                        e.to
                    );
                }
            }
        }
    }

    /// A line of a `main` whose graph has no backward edge (no `goto`, no `while`): nested
    /// tests that branch and join again.
    fn forward_line() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "if b then",
            "if $SUCCESS then",
            "endif",
            "delay 1",
            "halt",
            "b = FALSE",
            "waitfor \"x\" until 1",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// On a graph without backward edges, one pass in node order gives the facts the work
        /// list gives, for a monotone transfer that raises, lowers and keeps facts.
        #[test]
        fn one_pass_in_order_agrees_with_the_work_list(
            lines in prop::collection::vec(forward_line(), 0..40),
        ) {
            let src = format!("proc main\nboolean b = TRUE\n{}\nendproc\n", lines.join("\n"));
            let parse = dialscript_syntax::parse(src.as_bytes());
            let sema = crate::semantic::analyze(&parse.script);
            let Some(main) = sema.main else { return Ok(()) };
            let cfg = Cfg::build(&sema.procs[main]);
            prop_assert!(!cfg.backward);
            let transfer = |v: usize, s: u8, k: EdgeKind| match (v % 3, k) {
                (0, EdgeKind::True) => 2,
                (1, _) => s.min(1),
                (2, _) if s >= 1 => 2,
                _ => s,
            };
            prop_assert_eq!(
                propagate(&cfg, 0u8, 3u8, &transfer, true),
                propagate(&cfg, 0u8, 3u8, &transfer, false)
            );
        }
    }

    proptest! {
        #[test]
        fn components_are_the_strongly_connected_components(
            lines in prop::collection::vec(line(), 0..40),
            removed in prop::collection::vec(0..80usize, 0..6),
        ) {
            let src = format!("proc main\nboolean b = TRUE\n{}\nendproc\n", lines.join("\n"));
            let parse = dialscript_syntax::parse(src.as_bytes());
            let sema = crate::semantic::analyze(&parse.script);
            let Some(main) = sema.main else { return Ok(()) };
            let cfg = Cfg::build(&sema.procs[main]);
            let reachable = |v: usize| cfg.reachable[v];
            check_components(&cfg, &sccs(&cfg, &reachable), &reachable);
            // A subgraph with some nodes taken out, as the counter search and DS207 use.
            let some = |v: usize| cfg.reachable[v] && !removed.contains(&v);
            check_components(&cfg, &sccs(&cfg, &some), &some);
            // Starting from a subset of roots finds exactly the components they reach.
            let roots: Vec<usize> = (0..cfg.nodes.len()).filter(|v| v % 3 == 0).collect();
            let from_roots = sccs_from(&cfg, roots.iter().copied(), &some);
            let reached: Vec<bool> = (0..cfg.nodes.len())
                .map(|v| roots.iter().any(|&r| reach(&cfg, r, &some)[v]))
                .collect();
            check_components(&cfg, &from_roots, &|v| reached[v]);
            // The counter search's cycle test agrees with the components of what is left.
            for comp in sccs(&cfg, &reachable).iter() {
                let left = |v: usize| comp.binary_search(&v).is_ok() && !removed.contains(&v);
                let expected = sccs(&cfg, &left).iter().any(|c| is_cyclic(&cfg, c));
                prop_assert_eq!(has_cycle_without(&cfg, comp, &|v| removed.contains(&v)), expected);
            }
            // So does the whole-graph one.
            let expected = sccs(&cfg, &some).iter().any(|c| is_cyclic(&cfg, c));
            prop_assert_eq!(has_cycle(&cfg, &some), expected);
            // The duration of a graph without backward edges, path by path, is the one the
            // component tables give.
            let flow = MainFlow::with_components(&cfg, &sema.procs[main]);
            if !cfg.backward {
                prop_assert_eq!(max_duration(&cfg, &flow), duration_by_components(&cfg, &flow));
            }
        }
    }
}
