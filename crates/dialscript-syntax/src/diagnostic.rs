//! The one diagnostic type shared by the parser, the checker and the VM.
//!
//! A diagnostic is plain data: a stable [`Code`], a severity, a message that says what is
//! wrong, the span it is about, an optional label and further labelled spans, and an optional
//! help line that says how to fix it. Rendering (miette, JSON, SARIF) happens elsewhere.

use std::borrow::Cow;

use crate::span::Span;

/// Text of a diagnostic: most messages, labels and help lines are fixed sentences, which are
/// kept as they are instead of being copied into a new `String` for every finding.
pub type Text = Cow<'static, str>;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Something a user may want to know; never fails a run.
    Advice,
    /// Probably a mistake; the script still runs.
    Warning,
    /// The script is wrong; it does not compile or does not do what it says.
    Error,
}

impl Severity {
    /// The lowercase word used in JSON and concise output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Advice => "advice",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A stable diagnostic code (`DS001`) with its kebab-case name (`unexpected-character`).
///
/// Codes are never renumbered or reused. DS001–DS099 are syntax errors, DS1xx semantic
/// errors, DS2xx lints, DS3xx runtime errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Code {
    /// `DS` and three digits.
    pub code: &'static str,
    /// A kebab-case name that reads well as "allow NAME".
    pub name: &'static str,
}

impl Code {
    /// Whether the parser reports it (DS001-DS099): syntax codes are always on and are never
    /// suppressed; the checker's rules are DS1xx and DS2xx.
    pub fn is_syntax(&self) -> bool {
        // One byte, not a string comparison: this is asked for every rule of every file.
        self.code.as_bytes().get(2).is_none_or(|&d| d < b'1')
    }
}

/// A span with an optional text, shown as an underline in rendered output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// What the label points at.
    pub span: Span,
    /// What it says there.
    pub text: Option<Text>,
}

/// One finding about a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code and name.
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong: lowercase, no final period, names in backticks.
    pub message: Text,
    /// The primary location.
    pub span: Span,
    /// Text under the primary location, if any.
    pub label: Option<Text>,
    /// Further locations, such as "the `if` opened here".
    pub related: Vec<Label>,
    /// How to fix it.
    pub help: Option<Text>,
    /// An edit that fixes it, when one can be made mechanically.
    pub fix: Option<Fix>,
}

/// Whether a fix can be applied without a person looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Applicability {
    /// The fixed script does what the author meant in every case.
    Safe,
    /// The fix changes behaviour (for example adds a timeout); applied only on request.
    Unsafe,
}

/// A text edit: replace the bytes of `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// What to replace (empty to insert).
    pub span: Span,
    /// The new bytes.
    pub replacement: Vec<u8>,
}

/// A mechanical fix for a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, as a short imperative phrase ("add `, raw`").
    pub message: Text,
    /// Safe or unsafe.
    pub applicability: Applicability,
    /// The edits, which never overlap.
    pub edits: Vec<Edit>,
}

impl Diagnostic {
    /// An error with `code` at `span`.
    pub fn error(code: Code, span: Span, message: impl Into<Text>) -> Self {
        Self::new(code, Severity::Error, span, message)
    }

    /// A warning with `code` at `span`.
    pub fn warning(code: Code, span: Span, message: impl Into<Text>) -> Self {
        Self::new(code, Severity::Warning, span, message)
    }

    /// A diagnostic of any severity.
    pub fn new(code: Code, severity: Severity, span: Span, message: impl Into<Text>) -> Self {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            span,
            label: None,
            related: Vec::new(),
            help: None,
            fix: None,
        }
    }

    /// Sets the primary label.
    pub fn with_label(mut self, text: impl Into<Text>) -> Self {
        self.label = Some(text.into());
        self
    }

    /// Adds a labelled secondary location.
    pub fn with_related(mut self, span: Span, text: impl Into<Text>) -> Self {
        self.related.push(Label {
            span,
            text: Some(text.into()),
        });
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<Text>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches a fix.
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}
