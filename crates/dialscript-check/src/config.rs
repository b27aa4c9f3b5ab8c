//! Which rules run, and how `dialscript.toml` says so.
//!
//! ```toml
//! exclude = ["vendor/", "old/*.scp"]  # scripts a folder walk leaves out (gitignore patterns,
//!                                   # relative to this file's folder)
//!
//! [lint]
//! select = ["ALL"]                 # codes, names, or code prefixes such as "DS2"
//! ignore = ["unused-variable"]
//! max-duration = 600               # seconds; DS208 fires above it
//! unsafe-fix-until = 30            # the `until` the unsafe DS201 fix adds
//!
//! [lint.severity]
//! DS201 = "error"                  # or "warning", "advice"
//! ```
//!
//! Syntax errors (DS0xx) are always reported; every DS1xx and DS2xx rule can be selected,
//! ignored or given another severity.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use dialscript_syntax::diagnostic::{Code, Severity};
use serde::Deserialize;

use crate::registry::RULES;
use crate::rule::Rule;

/// The name of the configuration file, looked for in the script's folder and its parents.
pub const FILE_NAME: &str = "dialscript.toml";

/// A way to name rules: `ALL`, a code (`DS201`), a name (`waitfor-without-until`) or a code
/// prefix (`DS2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector(String);

impl Selector {
    /// Parses a selector; errors name what is wrong.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let t = text.trim();
        let ok = t.eq_ignore_ascii_case("all")
            || RULES.iter().any(|r| {
                r.code.code.eq_ignore_ascii_case(t) || r.code.name.eq_ignore_ascii_case(t)
            })
            || (t.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("DS"))
                && RULES
                    .iter()
                    .any(|r| r.code.code.starts_with(&t.to_ascii_uppercase())))
            || dialscript_syntax::codes::find(t).is_some();
        if ok {
            Ok(Selector(t.to_ascii_lowercase()))
        } else {
            let hint = dialscript_syntax::suggest::closest(t, RULES.iter().map(|r| r.code.name))
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            Err(format!("unknown rule `{t}`{hint}"))
        }
    }

    fn matches(&self, code: Code) -> bool {
        let s = self.0.as_str();
        // Codes are ASCII, so comparing bytes without case needs no lowercase copy.
        s == "all"
            || code.name == s
            || code
                .code
                .get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
    }
}

/// Which rules run and at what severity.
#[derive(Debug, Clone, Default)]
pub struct RuleSelection {
    /// Only these run (all when `None`).
    pub select: Option<Vec<Selector>>,
    /// These never run.
    pub ignore: Vec<Selector>,
    /// Severity overrides by code.
    pub severity: HashMap<&'static str, Severity>,
}

impl RuleSelection {
    /// Whether every rule runs at its own severity (nothing selected, ignored or changed).
    pub fn is_default(&self) -> bool {
        self.select.is_none() && self.ignore.is_empty() && self.severity.is_empty()
    }

    /// The severity `rule` reports with, or `None` when it is off.
    pub fn severity(&self, rule: &Rule) -> Option<Severity> {
        self.severity_of(rule.code, rule.severity)
    }

    /// The severity for any code with default `default`, or `None` when it is off. Syntax
    /// codes are always on.
    pub fn severity_of(&self, code: Code, default: Severity) -> Option<Severity> {
        if code.is_syntax() {
            return Some(default);
        }
        if let Some(sel) = &self.select
            && !sel.iter().any(|s| s.matches(code))
        {
            return None;
        }
        if self.ignore.iter().any(|s| s.matches(code)) {
            return None;
        }
        // Asked for every rule of every file: skip hashing when nothing is overridden.
        if self.severity.is_empty() {
            return Some(default);
        }
        Some(self.severity.get(code.code).copied().unwrap_or(default))
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    lint: Lint,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Lint {
    select: Option<Vec<String>>,
    #[serde(default)]
    ignore: Vec<String>,
    max_duration: Option<u64>,
    unsafe_fix_until: Option<u32>,
    #[serde(default)]
    severity: HashMap<String, String>,
}

/// A loaded configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from (`None`: defaults).
    pub path: Option<PathBuf>,
    /// Rule selection.
    pub selection: RuleSelection,
    /// `max-duration`.
    pub max_duration: Option<u64>,
    /// `unsafe-fix-until`.
    pub unsafe_fix_until: Option<u32>,
    /// `exclude`: patterns in gitignore syntax, relative to the file's folder, for scripts and
    /// folders that a folder walk leaves out (the command line applies them).
    pub exclude: Vec<String>,
}

impl Config {
    /// Parses the text of a configuration file. `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, String> {
        let file: File =
            toml::from_str(text).map_err(|e| format!("{}: {}", path.display(), e.message()))?;
        let sel = |v: &[String]| {
            v.iter()
                .map(|s| Selector::parse(s))
                .collect::<Result<Vec<_>, _>>()
        };
        let select = file
            .lint
            .select
            .as_deref()
            .map(sel)
            .transpose()
            .map_err(|e| format!("{}: in `select`: {e}", path.display()))?;
        let ignore =
            sel(&file.lint.ignore).map_err(|e| format!("{}: in `ignore`: {e}", path.display()))?;
        let mut severity = HashMap::new();
        for (k, v) in &file.lint.severity {
            let rule = crate::find_rule(k)
                .ok_or_else(|| format!("{}: in `severity`: unknown rule `{k}`", path.display()))?;
            let s = match v.to_ascii_lowercase().as_str() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                "advice" | "info" => Severity::Advice,
                other => {
                    return Err(format!(
                        "{}: in `severity`: `{other}` is not `error`, `warning` or `advice`",
                        path.display()
                    ));
                }
            };
            severity.insert(rule.code.code, s);
        }
        Ok(Config {
            path: Some(path.to_path_buf()),
            selection: RuleSelection {
                select,
                ignore,
                severity,
            },
            max_duration: file.lint.max_duration,
            unsafe_fix_until: file.lint.unsafe_fix_until,
            exclude: file.exclude,
        })
    }

    /// Reads and parses a configuration file.
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        Config::parse(&text, path)
    }
}

/// The nearest `dialscript.toml` in the folder of `script` or above it.
pub fn discover(script: &Path) -> Option<PathBuf> {
    let start = if script.is_dir() {
        script
    } else {
        script.parent()?
    };
    let start = if start.as_os_str().is_empty() {
        Path::new(".")
    } else {
        start
    };
    let abs = std::fs::canonicalize(start).ok()?;
    abs.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_and_severity() {
        let c = Config::parse(
            "[lint]\nselect = [\"DS2\", \"undefined-label\"]\nignore = [\"DS206\"]\n[lint.severity]\nwaitfor-without-until = \"error\"\n",
            Path::new("x.toml"),
        )
        .expect("valid config");
        let r201 = crate::find_rule("DS201").expect("rule");
        let r206 = crate::find_rule("DS206").expect("rule");
        let r102 = crate::find_rule("DS102").expect("rule");
        let r101 = crate::find_rule("DS101").expect("rule");
        assert_eq!(c.selection.severity(r201), Some(Severity::Error));
        assert_eq!(c.selection.severity(r206), None);
        assert_eq!(c.selection.severity(r102), Some(Severity::Error));
        assert_eq!(c.selection.severity(r101), None);
        assert!(!c.selection.is_default());
        // The default selection runs every rule at its own severity.
        let default = RuleSelection::default();
        assert!(default.is_default());
        for r in RULES {
            assert_eq!(default.severity(r), Some(r.severity), "{}", r.code.code);
        }
    }

    #[test]
    fn errors_name_the_problem() {
        let e = Config::parse(
            "[lint]\nselect = [\"waitfor-without-untl\"]\n",
            Path::new("x.toml"),
        )
        .expect_err("bad rule");
        assert!(e.contains("did you mean `waitfor-without-until`"), "{e}");
        let e = Config::parse("[lint]\nbogus = 1\n", Path::new("x.toml")).expect_err("bad key");
        assert!(e.contains("bogus"), "{e}");
        // `exclude` is a list of patterns at the top level, not under `[lint]`.
        let c = Config::parse(
            "exclude = [\"vendor/\", \"*.orig.scp\"]\n",
            Path::new("x.toml"),
        )
        .expect("valid config");
        assert_eq!(c.exclude, ["vendor/", "*.orig.scp"]);
        let e = Config::parse("[lint]\nexclude = [\"vendor/\"]\n", Path::new("x.toml"))
            .expect_err("not a rule setting");
        assert!(e.contains("exclude"), "{e}");
    }
}
