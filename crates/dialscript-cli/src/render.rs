//! Rendering diagnostics: miette snippets for people, one line each for editors, JSON for
//! machines. Snapshot tests call the same functions with colour off and a fixed width.

use std::fmt;

use dialscript_syntax::{Diagnostic, Severity, SourceFile};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};
use serde::Serialize;

/// One diagnostic together with the file it is about, as miette wants it.
struct Report<'a> {
    diag: &'a Diagnostic,
    file: &'a SourceFile,
    source: &'a NamedSource<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diag, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("{}({})", self.diag.code.code, self.diag.code.name)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Advice => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(self.diag.label.clone(), self.file.text_span(self.diag.span));
        let related = self
            .diag
            .related
            .iter()
            .map(|l| LabeledSpan::new_with_span(l.text.clone(), self.file.text_span(l.span)));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// Renders diagnostics of one file for a person: code, message, the source with labels, help.
pub fn human(file: &SourceFile, diags: &[Diagnostic], color: bool, width: usize) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width).with_links(false);
    let source = NamedSource::new(file.name(), file.text().to_string());
    let mut out = String::new();
    for d in diags {
        let report = Report {
            diag: d,
            file,
            source: &source,
        };
        if handler.render_report(&mut out, &report).is_err() {
            // Rendering into a String only fails on a formatting bug; fall back to one line.
            out.push_str(&concise(file, std::slice::from_ref(d)));
        }
        out.push('\n');
    }
    out
}

/// One line per diagnostic: `file:line:col: CODE message`.
pub fn concise(file: &SourceFile, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let (line, col) = file.line_col(d.span.start);
        out.push_str(&format!("{}:{line}:{col}: {} {}\n", file.name(), d.code.code, d.message));
    }
    out
}

/// One diagnostic in the JSON output. Lines and columns are 1-based; the end is exclusive
/// (the column after the last character), as in SARIF.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    /// `DS005`.
    pub code: &'static str,
    /// `unexpected-token`.
    pub name: &'static str,
    /// `error`, `warning` or `advice`.
    pub severity: &'static str,
    /// What is wrong.
    pub message: String,
    /// The file, as given on the command line.
    pub file: String,
    /// Start line.
    pub line: usize,
    /// Start column, in characters.
    pub column: usize,
    /// End line.
    pub end_line: usize,
    /// End column, in characters, exclusive.
    pub end_column: usize,
    /// How to fix it, if known.
    pub help: Option<String>,
}

/// Converts a file's diagnostics for the JSON output.
pub fn json_diagnostics(file: &SourceFile, diags: &[Diagnostic]) -> Vec<JsonDiagnostic> {
    diags
        .iter()
        .map(|d| {
            let (line, column) = file.line_col(d.span.start);
            let (end_line, end_column) = file.line_col(d.span.end);
            JsonDiagnostic {
                code: d.code.code,
                name: d.code.name,
                severity: d.severity.as_str(),
                message: d.message.clone(),
                file: file.name().to_string(),
                line,
                column,
                end_line,
                end_column,
                help: d.help.clone(),
            }
        })
        .collect()
}

/// The whole JSON document of `check --format json`.
#[derive(Debug, Serialize)]
pub struct JsonReport {
    /// Schema version; bumped only for incompatible changes.
    pub version: u32,
    /// Every finding, file by file in input order.
    pub diagnostics: Vec<JsonDiagnostic>,
}
