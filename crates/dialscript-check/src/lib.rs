//! The static checker: semantic errors (DS1xx) and lints (DS2xx) for Dial-Up Scripting
//! Command Language scripts.
//!
//! ```
//! let src = b"proc main\n  waitfor \"ogin:\"\n  transmit $USERID\nendproc\n";
//! let parse = dialscript_syntax::parse(src);
//! let checked = dialscript_check::check(&parse, src, &dialscript_check::Options::default());
//! let codes: Vec<_> = checked.diagnostics.iter().map(|d| d.code.code).collect();
//! assert!(codes.contains(&"DS201")); // waitfor-without-until
//! assert!(codes.contains(&"DS203")); // credential-without-raw
//! assert_eq!(checked.max_duration, None); // it can wait forever
//! ```
//!
//! The analysis runs once: [`semantic`] builds symbol tables and types every expression,
//! [`cfg`] builds the control-flow graph of `main`, [`flow`] computes loops, durations and
//! data flow. Each rule, one file under `rules/`, turns those facts into diagnostics. The
//! checker never sees a device or a clock, and it does not depend on the VM.

#![deny(missing_docs)]

pub mod cfg;
pub mod config;
pub mod docs;
pub mod fix;
pub mod flow;
pub mod registry;
pub mod rule;
pub mod rules;
pub mod suppress;

use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};
use dialscript_syntax::parser::Parse;

pub use config::{Config, RuleSelection};
/// Symbol tables and types, shared with the VM (see `dialscript_syntax::sema`).
pub use dialscript_syntax::sema as semantic;
pub use registry::{RULES, find_rule};
pub use rule::{Context, Rule};

/// The `until` the unsafe fix for DS201 adds unless configured otherwise.
pub const DEFAULT_FIX_UNTIL: u32 = 30;

/// Settings for one run of the checker.
#[derive(Debug, Clone)]
pub struct Options {
    /// Which rules run, and at what severity.
    pub selection: RuleSelection,
    /// `--max-duration`: DS208 also fires when the worst case is above this many seconds.
    pub max_duration: Option<u64>,
    /// The `until` value the unsafe fix for DS201 adds.
    pub unsafe_fix_until: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            selection: RuleSelection::default(),
            max_duration: None,
            unsafe_fix_until: DEFAULT_FIX_UNTIL,
        }
    }
}

/// What the checker found in one script.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Syntax diagnostics from the parse, then the rules', sorted by position; suppressed ones
    /// removed.
    pub diagnostics: Vec<Diagnostic>,
    /// The worst-case duration of a run in seconds; `None` when unbounded or when the script
    /// has no `main`.
    pub max_duration: Option<u64>,
}

/// Checks a parsed script. `src` must be the bytes `parse` was made from.
///
/// This works out `options` for the one script; to check many, make a [`Checker`] once.
pub fn check(parse: &Parse, src: &[u8], options: &Options) -> Checked {
    Checker::new(options.clone()).check(parse, src)
}

/// The checker with its [`Options`] worked out once: which rules run, and at what severity.
/// A selection from a configuration file (codes and names, prefixes, `ALL`, severity
/// overrides) was resolved for every rule of every script, which cost a checker with a
/// `dialscript.toml` a thirtieth of its time; a `Checker` resolves it when it is made and is
/// then shared by every script and every thread.
///
/// ```
/// use dialscript_check::{Checker, Options, RuleSelection, config::Selector};
/// let options = Options {
///     selection: RuleSelection {
///         ignore: vec![Selector::parse("DS203").expect("a code")],
///         ..RuleSelection::default()
///     },
///     ..Options::default()
/// };
/// let checker = Checker::new(options);
/// let src = b"proc main\n  waitfor \"ogin:\"\n  transmit $USERID\nendproc\n";
/// let checked = checker.check(&dialscript_syntax::parse(src), src);
/// let codes: Vec<_> = checked.diagnostics.iter().map(|d| d.code.code).collect();
/// assert!(codes.contains(&"DS201") && !codes.contains(&"DS203"));
/// ```
#[derive(Debug, Clone)]
pub struct Checker {
    options: Options,
    /// The rules that run, in the order of [`RULES`], each with the severity it reports at.
    rules: Vec<(&'static Rule, Severity)>,
}

impl Default for Checker {
    fn default() -> Self {
        Checker::new(Options::default())
    }
}

impl Checker {
    /// A checker for `options`.
    pub fn new(options: Options) -> Checker {
        let rules = RULES
            .iter()
            .filter_map(|&rule| options.selection.severity(rule).map(|s| (rule, s)))
            .collect();
        Checker { options, rules }
    }

    /// The options it was made with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Checks a parsed script. `src` must be the bytes `parse` was made from.
    pub fn check(&self, parse: &Parse, src: &[u8]) -> Checked {
        let options = &self.options;
        let sema = semantic::analyze(&parse.script);
        let main_cfg = sema.main.map(|i| (i, cfg::Cfg::build(&sema.procs[i])));
        let main_flow = main_cfg
            .as_ref()
            .map(|(i, cfg)| flow::MainFlow::new(cfg, &sema.procs[*i]));
        let max_duration = main_cfg
            .as_ref()
            .zip(main_flow.as_ref())
            .and_then(|((_, cfg), f)| flow::max_duration(cfg, f));
        let semantic_errors = semantic::errors(&sema, &parse.script);
        let cx = Context {
            semantic_errors: &semantic_errors,
            script: &parse.script,
            src,
            sema: &sema,
            main: main_cfg.as_ref().map(|(i, c)| (*i, c)),
            main_flow: main_flow.as_ref(),
            max_duration,
            options,
        };
        // A typical script has a few findings; room for them up front saves regrowing a vector of
        // large elements.
        let mut found = Vec::with_capacity(8);
        // Semantic rules are only meaningful on a tree without syntax errors in the parts they
        // look at; they still run, so that a file with one typo shows everything else too.
        for &(rule, severity) in &self.rules {
            let start = found.len();
            (rule.check)(&cx, &mut found);
            for d in &mut found[start..] {
                d.severity = severity;
            }
        }
        // Without syntax diagnostics (the usual case) the findings are the whole list as they are.
        let diagnostics = if parse.diagnostics.is_empty() {
            found
        } else {
            let mut all = parse.diagnostics.clone();
            all.extend(found);
            all
        };
        let suppressions = suppress::Suppressions::parse(src, &parse.comments);
        let mut diagnostics = suppressions.apply(diagnostics, &options.selection);
        diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.code.code));
        Checked {
            diagnostics,
            max_duration: max_duration.filter(|_| sema.main.is_some()),
        }
    }
}

/// Documentation of any code the toolchain emits, syntax or rule, by code or name.
pub fn explain(code_or_name: &str) -> Option<(Code, Severity, &'static str, &'static str)> {
    if let Some(d) = dialscript_syntax::codes::find(code_or_name) {
        return Some((d.code, d.severity, d.summary, d.explanation));
    }
    find_rule(code_or_name).map(|r| (r.code, r.severity, r.summary, r.docs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Selector;

    /// A script with findings of several rules and both severities: DS104 (an error),
    /// DS201, DS203 and DS208 (warnings).
    const SRC: &[u8] = b"proc main\n  waitfor \"ogin:\"\n  transmit $USERID\n  x = 1\nendproc\n";

    fn codes(checked: &Checked) -> Vec<(&'static str, Severity)> {
        let mut v: Vec<_> = checked
            .diagnostics
            .iter()
            .map(|d| (d.code.code, d.severity))
            .collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn a_checker_runs_what_its_selection_resolves_to_and_agrees_with_check() {
        let parse = dialscript_syntax::parse(SRC);
        let sel = |s: &str| Selector::parse(s).expect("a selector");
        let mut severity = std::collections::HashMap::new();
        severity.insert("DS201", Severity::Error);
        let selections = [
            RuleSelection::default(),
            RuleSelection {
                select: Some(vec![sel("DS2")]),
                ignore: vec![sel("credential-without-raw")],
                severity,
            },
            RuleSelection {
                ignore: vec![sel("ALL")],
                ..RuleSelection::default()
            },
        ];
        let mut seen = Vec::new();
        for selection in selections {
            let options = Options {
                selection,
                ..Options::default()
            };
            let checker = Checker::new(options.clone());
            let by_checker = codes(&checker.check(&parse, SRC));
            assert_eq!(by_checker, codes(&check(&parse, SRC, &options)));
            // The same checker gives the same answer for the next script too.
            assert_eq!(by_checker, codes(&checker.check(&parse, SRC)));
            seen.push(by_checker);
        }
        let has = |v: &[(&str, Severity)], code: &str, s: Severity| v.contains(&(code, s));
        assert!(has(&seen[0], "DS104", Severity::Error));
        assert!(has(&seen[0], "DS201", Severity::Warning));
        assert!(has(&seen[0], "DS203", Severity::Warning));
        // Only DS2xx, without DS203, with DS201 raised to an error.
        assert!(has(&seen[1], "DS201", Severity::Error));
        assert!(has(&seen[1], "DS208", Severity::Warning));
        assert!(
            seen[1]
                .iter()
                .all(|(c, _)| c.starts_with("DS2") && *c != "DS203")
        );
        assert!(seen[2].is_empty(), "{:?}", seen[2]);
    }
}
