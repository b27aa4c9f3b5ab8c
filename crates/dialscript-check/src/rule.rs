//! What a rule is, and what it sees.

use dialscript_syntax::ast::Script;
use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::cfg::Cfg;
use crate::semantic::Semantic;

/// A rule: its code and name, default severity, one-line summary, its documentation page, and
/// the function that finds it.
pub struct Rule {
    /// Code (`DS201`) and name (`waitfor-without-until`).
    pub code: Code,
    /// Severity unless configuration says otherwise.
    pub severity: Severity,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// The page `dialscript explain` prints: `## What it does`, `## Why is this bad?`,
    /// `## Example`, `## Use instead` (Markdown).
    pub docs: &'static str,
    /// Finds the rule's problems and pushes them.
    pub check: fn(&Context<'_>, &mut Vec<Diagnostic>),
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rule({} {})", self.code.code, self.code.name)
    }
}

/// Everything a rule may look at.
pub struct Context<'a> {
    /// The tree.
    pub script: &'a Script,
    /// The file's bytes.
    pub src: &'a [u8],
    /// Symbols and types of every procedure.
    pub sema: &'a Semantic<'a>,
    /// The control-flow graph of `main`, with the index of `main` in `sema.procs`.
    pub main: Option<(usize, &'a Cfg<'a>)>,
    /// Loops, counters and `getip` guards of `main`'s graph, when there is a `main`.
    pub main_flow: Option<&'a crate::flow::MainFlow>,
    /// The worst-case duration of a run, in seconds (`None`: unbounded).
    pub max_duration: Option<u64>,
    /// Settings that change what rules report.
    pub options: &'a crate::Options,
    /// The semantic errors (DS101–DS110), worded once in `dialscript_syntax::sema::errors`.
    pub semantic_errors: &'a [Diagnostic],
}

impl<'a> Context<'a> {
    /// Starts a diagnostic of `rule` at `span`.
    pub fn diag(
        &self,
        rule: &Rule,
        span: dialscript_syntax::Span,
        message: impl Into<dialscript_syntax::diagnostic::Text>,
    ) -> Diagnostic {
        Diagnostic::new(rule.code, rule.severity, span, message)
    }

    /// The facts, graph and flow facts of `main`, when there is a `main`.
    pub fn main_flow(
        &self,
    ) -> Option<(
        &'a crate::semantic::ProcInfo<'a>,
        &'a Cfg<'a>,
        &'a crate::flow::MainFlow,
    )> {
        let (info, cfg) = self.main_proc()?;
        Some((info, cfg, self.main_flow?))
    }

    /// The facts and graph of `main`, when there is a `main`.
    pub fn main_proc(&self) -> Option<(&'a crate::semantic::ProcInfo<'a>, &'a Cfg<'a>)> {
        self.main.map(|(i, cfg)| (&self.sema.procs[i], cfg))
    }
}
