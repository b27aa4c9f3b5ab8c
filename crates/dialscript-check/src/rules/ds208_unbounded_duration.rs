//! DS208 `unbounded-duration`.

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::cfg::Op;
use crate::flow::{MainFlow, is_cyclic};
use crate::rule::{Context, Rule};
use crate::rules::head_span;

/// DS208
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS208",
        name: "unbounded-duration",
    },
    severity: Severity::Warning,
    summary: "The script's worst-case running time is unbounded, or above `--max-duration`.",
    docs: "## What it does\nComputes the longest time a run of `main` can take: the sum of `until` timeouts and \
`delay`s along the worst path, with each loop counted as many times as its counter allows. It reports the script \
when no bound exists (a `waitfor` without `until`, `getip`, a loop no counter bounds) or when the bound is above \
`--max-duration` (or `max-duration` in `dialscript.toml`). `check --format json` gives the bound of every file as \
`max_duration_s`.\n\n## Why is this bad?\nA dial-up script holds the modem port while it runs. A script that can \
run for ever can keep the port locked for ever (KB Q175410); one that takes an hour blocks the next scheduled \
call.\n\n## Example\n```\nwhile TRUE do\n   waitfor \"RING\" until 60\nendwhile\n```\n\n## Use instead\nBound \
every wait with `until` and every retry loop with a counter.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some((info, cfg, flow)) = cx.main_flow() else {
        return;
    };
    let main = info.proc_;
    match cx.max_duration {
        Some(bound) => {
            if let Some(limit) = cx.options.max_duration
                && bound > limit
            {
                out.push(
                    cx.diag(
                        &RULE,
                        main.name.span,
                        format!(
                            "the script can run for {bound} s, more than the limit of {limit} s"
                        ),
                    )
                    .with_label(format!("worst case {bound} s"))
                    .with_help("shorten the `until` timeouts or the number of retries"),
                );
            }
        }
        None => {
            let d = cx
                .diag(
                    &RULE,
                    main.name.span,
                    "the script's running time has no bound",
                )
                .with_label("it can run for ever");
            out.push(match cause(cfg, flow) {
                Some((span, why)) => d
                    .with_related(span, why)
                    .with_help("bound every wait with `until` and every retry loop with a counter"),
                None => {
                    d.with_help("bound every wait with `until` and every retry loop with a counter")
                }
            });
        }
    }
}

/// The first reason in source order that no bound exists.
fn cause(
    cfg: &crate::cfg::Cfg<'_>,
    flow: &MainFlow,
) -> Option<(dialscript_syntax::Span, &'static str)> {
    // The earliest node wins; among the waits that is the first one found in node order, so
    // the scan stops there, and a loop counts only when its head comes before it.
    let mut first: Option<(usize, dialscript_syntax::Span, &'static str)> = None;
    for (v, node) in cfg.nodes.iter().enumerate() {
        if cfg.reachable[v] && node.wait_bound(flow.getip_guarded(v)).is_none() {
            let why = match node.op {
                Op::Wait(_) => "this `waitfor` has no usable `until`",
                Op::Stmt(s) if matches!(s.kind, dialscript_syntax::ast::StmtKind::Delay(_)) => {
                    "this `delay` is not a constant"
                }
                _ => "`getip` waits for an address without a timeout",
            };
            if let Some(s) = node.op.stmt() {
                first = Some((v, s.span, why));
                break;
            }
        }
    }
    for (comp, counted) in flow.components.iter().zip(&flow.counted) {
        if is_cyclic(cfg, comp) && counted.is_none() {
            let head = comp
                .iter()
                .copied()
                .find(|&v| cfg.nodes[v].op.is_statement())
                .unwrap_or(comp[0]);
            if first.is_none_or(|(v, _, _)| head < v)
                && let Some(span) = head_span(&cfg.nodes[head].op)
            {
                first = Some((head, span, "this loop has no counter that bounds it"));
            }
        }
    }
    first.map(|(_, span, why)| (span, why))
}
