//! Rendering diagnostics: miette snippets for people, one line each for editors, JSON for
//! machines. Snapshot tests call the same functions with colour off and a fixed width.

use std::fmt;

use dialscript_syntax::{Diagnostic, Severity, SourceFile};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

/// One diagnostic together with the file it is about, as miette wants it.
struct Report<'a> {
    diag: &'a Diagnostic,
    file: &'a SourceFile,
    source: &'a Snippets<'a>,
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
        Some(Box::new(format!(
            "{}({})",
            self.diag.code.code, self.diag.code.name
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Advice => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(
            self.diag.label.as_ref().map(|t| t.to_string()),
            self.file.text_span(self.diag.span),
        );
        let related = self.diag.related.iter().map(|l| {
            LabeledSpan::new_with_span(
                l.text.as_ref().map(|t| t.to_string()),
                self.file.text_span(l.span),
            )
        });
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// A file's text as miette reads snippets from it, in time proportional to the snippet.
///
/// miette's own `SourceCode` for a string counts lines from the start of the text for every
/// snippet, so a file with many diagnostics took time proportional to their number times the
/// file's size: hours for a 100 MB script with half a million findings. This one finds the
/// lines around a span with a binary search in a table of line starts made once per file, lets
/// miette read just those lines, and shifts its answer back to whole-file positions; the
/// output is the same, byte for byte.
struct Snippets<'a> {
    name: &'a str,
    text: &'a str,
    /// Text offsets at which lines start (line 0 starts at 0): where miette counts them, since
    /// the text shows each line end of the file (CRLF, LF or a lone CR) as one `\n` or `\r\n`.
    line_starts: Vec<usize>,
}

impl<'a> Snippets<'a> {
    fn new(file: &'a SourceFile) -> Self {
        let line_starts = dialscript_syntax::source::line_starts(file.bytes())
            .into_iter()
            .map(|b| file.text_offset(b))
            .collect();
        Snippets {
            name: file.name(),
            text: file.text(),
            line_starts,
        }
    }

    /// The 0-based line that text offset `at` is on.
    fn line_of(&self, at: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= at)
            .saturating_sub(1)
    }
}

impl fmt::Debug for Snippets<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snippets")
            .field("name", &self.name)
            .finish()
    }
}

impl SourceCode for Snippets<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let end = span.offset().saturating_add(span.len());
        // A window of whole lines with more context on each side than miette asks for: miette
        // keeps the last `context_lines_before` lines before the span and stops a line or two
        // after `context_lines_after`, so what lies outside the window cannot change its
        // answer. A span past the end gets the whole text, and miette's own verdict on it.
        let (first, start, stop) = if end > self.text.len() {
            (0, 0, self.text.len())
        } else {
            let first = self
                .line_of(span.offset())
                .saturating_sub(context_lines_before + 1);
            let stop = self
                .line_starts
                .get(self.line_of(end) + context_lines_after + 3)
                .copied()
                .unwrap_or(self.text.len());
            (first, self.line_starts[first], stop)
        };
        let window = &self.text[start..stop];
        let local = SourceSpan::new((span.offset() - start).into(), span.len());
        let inner = window.read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + start).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

/// Renders diagnostics of one file for a person: code, message, the source with labels, help.
pub fn human(file: &SourceFile, diags: &[Diagnostic], color: bool, width: usize) -> String {
    if diags.is_empty() {
        // Nothing to show, so no table of lines to build for the snippets.
        return String::new();
    }
    let (wrapping, plain) = report_handlers(color, width);
    let source = Snippets::new(file);
    let mut out = String::new();
    for d in diags {
        let report = Report {
            diag: d,
            file,
            source: &source,
        };
        let handler = if fits_unwrapped(d, width) {
            &plain
        } else {
            &wrapping
        };
        if handler.render_report(&mut out, &report).is_err() {
            // Rendering into a String only fails on a formatting bug; fall back to one line.
            out.push_str(&concise(file, std::slice::from_ref(d)));
        }
        out.push('\n');
    }
    out
}

/// The miette handlers of human output: one that wraps long lines, and the same one without
/// wrapping. miette wraps the message and the help with textwrap's Unicode line breaking,
/// which was more than a third of all the work of human output; a text that fits on its line
/// (see [`fits_unwrapped`]) comes out the same without it.
fn report_handlers(color: bool, width: usize) -> (GraphicalReportHandler, GraphicalReportHandler) {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let wrapping = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let plain = wrapping.clone().with_wrap_lines(false);
    (wrapping, plain)
}

/// Whether miette would leave the message and the help of `d` as they are when it wraps them
/// for a report `width` columns wide: each is one line of printable ASCII without spaces at
/// either end, short enough for its line after the indent miette puts before it (`  × ` for
/// the message, `  help: ` for the help) within the `width - 2` columns it wraps to. One
/// column is kept spare, so that a text exactly as long as its line is wrapped as before.
fn fits_unwrapped(d: &Diagnostic, width: usize) -> bool {
    let fits = |text: &str, indent: usize| {
        text.len() + indent < width.saturating_sub(2)
            && text.bytes().all(|b| (b' '..=b'~').contains(&b))
            && !text.starts_with(' ')
            && !text.ends_with(' ')
    };
    fits(&d.message, 4) && d.help.as_deref().is_none_or(|h| fits(h, 8))
}

/// One line per diagnostic: `file:line:col: CODE message`.
pub fn concise(file: &SourceFile, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    let mut loc = file.locator();
    for d in diags {
        let (line, col) = loc.line_col(d.span.start);
        out.push_str(&format!(
            "{}:{line}:{col}: {} {}\n",
            file.name(),
            d.code.code,
            d.message
        ));
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
    /// A mechanical fix, if there is one.
    pub fix: Option<JsonFix>,
}

/// A fix in the JSON output.
#[derive(Debug, Serialize)]
pub struct JsonFix {
    /// What it does.
    pub message: String,
    /// `safe` (applied by `--fix`) or `unsafe` (needs `--unsafe-fixes`).
    pub applicability: &'static str,
    /// The edits, each replacing a range with `content`.
    pub edits: Vec<JsonEdit>,
}

/// One edit of a fix; positions as in the diagnostic.
#[derive(Debug, Serialize)]
pub struct JsonEdit {
    /// Start line.
    pub line: usize,
    /// Start column.
    pub column: usize,
    /// End line.
    pub end_line: usize,
    /// End column, exclusive.
    pub end_column: usize,
    /// The new text.
    pub content: String,
}

/// Converts a file's diagnostics for the JSON output.
pub fn json_diagnostics(file: &SourceFile, diags: &[Diagnostic]) -> Vec<JsonDiagnostic> {
    let mut loc = file.locator();
    diags
        .iter()
        .map(|d| {
            let (line, column) = loc.line_col(d.span.start);
            let (end_line, end_column) = loc.line_col(d.span.end);
            JsonDiagnostic {
                code: d.code.code,
                name: d.code.name,
                severity: d.severity.as_str(),
                message: d.message.to_string(),
                file: file.name().to_string(),
                line,
                column,
                end_line,
                end_column,
                help: d.help.as_ref().map(|h| h.to_string()),
                fix: d.fix.as_ref().map(|f| JsonFix {
                    message: f.message.to_string(),
                    applicability: match f.applicability {
                        dialscript_syntax::Applicability::Safe => "safe",
                        dialscript_syntax::Applicability::Unsafe => "unsafe",
                    },
                    edits: f
                        .edits
                        .iter()
                        .map(|e| {
                            let (line, column) = loc.line_col(e.span.start);
                            let (end_line, end_column) = loc.line_col(e.span.end);
                            JsonEdit {
                                line,
                                column,
                                end_line,
                                end_column,
                                content: String::from_utf8_lossy(&e.replacement).into_owned(),
                            }
                        })
                        .collect(),
                }),
            }
        })
        .collect()
}

/// The whole JSON document of `check --format json`: the schema as types, for embedders
/// that build the document in memory. `check` itself streams the same bytes per file
/// ([`json_fragment`]); a test holds the two equal.
#[derive(Debug, Serialize)]
pub struct JsonReport {
    /// Schema version; bumped only for incompatible changes.
    pub version: u32,
    /// Every finding, file by file in input order.
    pub diagnostics: Vec<JsonDiagnostic>,
    /// One entry per file checked.
    pub files: Vec<JsonFile>,
}

/// Per-file facts in the JSON output.
#[derive(Debug, Serialize)]
pub struct JsonFile {
    /// The file, as in the diagnostics.
    pub file: String,
    /// Worst-case running time of `main` in seconds; `null` when unbounded or without `main`.
    pub max_duration_s: Option<u64>,
}

/// Builds the JSON document for checked files.
pub fn json_report(reports: &[crate::commands::check::FileReport]) -> JsonReport {
    JsonReport {
        version: 1,
        diagnostics: reports
            .iter()
            .flat_map(|r| json_diagnostics(&r.file, &r.diagnostics))
            .collect(),
        files: reports
            .iter()
            .map(|r| JsonFile {
                file: r.file.name().to_string(),
                max_duration_s: r.max_duration,
            })
            .collect(),
    }
}

/// One file's diagnostics for the JSON output, serialized and separated by commas: the piece
/// of the `diagnostics` array that [`write_json_report`] puts together. It is made by the
/// thread that checked the file, so that the file's text can be dropped right away.
///
/// It writes the bytes serde_json writes for [`json_diagnostics`] (a test compares the two),
/// without the intermediate values: going through serde_json copied every message and the
/// file name once per finding and escaped strings a byte at a time, which made the output
/// a fifth of the work of `check --format json` over a folder of typical scripts.
pub fn json_fragment(file: &SourceFile, diags: &[Diagnostic]) -> std::io::Result<Vec<u8>> {
    // About 400 bytes per finding in practice; one allocation for most files.
    let mut buf = Vec::with_capacity(diags.len() * 400);
    json_fragment_into(&mut buf, file, diags);
    Ok(buf)
}

/// [`json_fragment`], appended to `buf`: `check` renders a run of files into one buffer.
pub fn json_fragment_into(buf: &mut Vec<u8>, file: &SourceFile, diags: &[Diagnostic]) {
    let mut name = Repeated::new(file.name());
    comma_list(
        buf,
        file,
        diags,
        |buf, d, (line, column), (end_line, end_column), loc| {
            buf.extend_from_slice(b"{\"code\":");
            json_word(buf, d.code.code);
            buf.extend_from_slice(b",\"name\":");
            json_word(buf, d.code.name);
            buf.extend_from_slice(b",\"severity\":");
            json_word(buf, d.severity.as_str());
            buf.extend_from_slice(b",\"message\":");
            json_str(buf, &d.message);
            buf.extend_from_slice(b",\"file\":");
            name.write(buf);
            buf.push(b',');
            json_positions(buf, line, column, end_line, end_column);
            buf.extend_from_slice(b",\"help\":");
            match &d.help {
                Some(h) => json_str(buf, h),
                None => buf.extend_from_slice(b"null"),
            }
            buf.extend_from_slice(b",\"fix\":");
            match &d.fix {
                None => buf.extend_from_slice(b"null"),
                Some(f) => {
                    buf.extend_from_slice(b"{\"message\":");
                    json_str(buf, &f.message);
                    buf.extend_from_slice(b",\"applicability\":");
                    json_str(
                        buf,
                        match f.applicability {
                            dialscript_syntax::Applicability::Safe => "safe",
                            dialscript_syntax::Applicability::Unsafe => "unsafe",
                        },
                    );
                    buf.extend_from_slice(b",\"edits\":[");
                    for (j, e) in f.edits.iter().enumerate() {
                        if j > 0 {
                            buf.push(b',');
                        }
                        let (line, column) = loc.line_col(e.span.start);
                        let (end_line, end_column) = loc.line_col(e.span.end);
                        buf.push(b'{');
                        json_positions(buf, line, column, end_line, end_column);
                        buf.extend_from_slice(b",\"content\":");
                        json_str(buf, &String::from_utf8_lossy(&e.replacement));
                        buf.push(b'}');
                    }
                    buf.extend_from_slice(b"]}");
                }
            }
            buf.push(b'}');
        },
    );
}

/// Writes one item per diagnostic into `buf`, separated by commas. `item` gets the diagnostic,
/// its start and end as 1-based (line, column), and the file's locator for any other span (a
/// fix's edits); the locator is asked in about increasing order, as it is fastest.
fn comma_list<'f>(
    buf: &mut Vec<u8>,
    file: &'f SourceFile,
    diags: &[Diagnostic],
    mut item: impl FnMut(
        &mut Vec<u8>,
        &Diagnostic,
        (usize, usize),
        (usize, usize),
        &mut dialscript_syntax::source::Locator<'f>,
    ),
) {
    let mut loc = file.locator();
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        let start = loc.line_col(d.span.start);
        let end = loc.line_col(d.span.end);
        item(buf, d, start, end, &mut loc);
    }
}

/// A JSON string that each item of a file repeats (its name, its URI): escaped where it first
/// appears in the output and copied from there after.
struct Repeated<'s> {
    text: &'s str,
    written: Option<std::ops::Range<usize>>,
}

impl<'s> Repeated<'s> {
    fn new(text: &'s str) -> Self {
        Repeated {
            text,
            written: None,
        }
    }

    /// Writes the string, quoted and escaped, at the end of `buf`, which must be the buffer
    /// it was first written to.
    fn write(&mut self, buf: &mut Vec<u8>) {
        match &self.written {
            Some(range) => buf.extend_from_within(range.clone()),
            None => {
                let start = buf.len();
                json_str(buf, self.text);
                self.written = Some(start..buf.len());
            }
        }
    }
}

/// `"line":L,"column":C,"end_line":EL,"end_column":EC`. Written for every finding; left to
/// itself the compiler made it a call, which cost a third of its own work.
#[inline]
fn json_positions(
    buf: &mut Vec<u8>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
) {
    // Assembled on the stack and appended once: eight appends (four keys, four numbers) each
    // checked the vector's room. The longest text is 43 bytes of keys and four 20-digit
    // numbers.
    let mut text = [0u8; 128];
    let mut len = 0;
    for (key, n) in [
        (&b"\"line\":"[..], line),
        (b",\"column\":", column),
        (b",\"end_line\":", end_line),
        (b",\"end_column\":", end_column),
    ] {
        text[len..len + key.len()].copy_from_slice(key);
        len += key.len();
        // Lossless: usize is at most 64 bits on every target Rust supports.
        len += put_uint(&mut text[len..], n as u64);
    }
    buf.extend_from_slice(&text[..len]);
}

/// A non-negative integer in decimal, as serde_json writes it.
fn json_uint(buf: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let len = put_uint(&mut digits, n);
    buf.extend_from_slice(&digits[..len]);
}

/// Writes `n` in decimal at the start of `out` (room for 20 digits) and returns its length.
fn put_uint(out: &mut [u8], mut n: u64) -> usize {
    // Lines and columns are nearly always below 100: one or two digits without the loop.
    if n < 10 {
        out[0] = b'0' + n as u8;
        return 1;
    }
    if n < 100 {
        out[0] = b'0' + (n / 10) as u8;
        out[1] = b'0' + (n % 10) as u8;
        return 2;
    }
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let len = digits.len() - at;
    out[..len].copy_from_slice(&digits[at..]);
    len
}

/// Whether any of the eight bytes of `w` is below 0x20, `"` or `\\`. It may answer yes for a
/// word that has none (a borrow can mark the byte above a match), never no for one that has:
/// the caller then looks at the bytes one by one.
fn needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    below_space | zero_byte(w ^ (ONES * u64::from(b'"'))) | zero_byte(w ^ (ONES * u64::from(b'\\')))
        != 0
}

/// A string of the rule tables (a code, a name or a severity): letters, digits and `-`, which
/// need no escaping (a test checks every one), written without looking.
fn json_word(buf: &mut Vec<u8>, s: &str) {
    debug_assert!(is_plain(s.as_bytes()));
    buf.push(b'"');
    buf.extend_from_slice(s.as_bytes());
    buf.push(b'"');
}

/// Whether no byte of `bytes` needs escaping in a JSON string. The checks have no early exit,
/// so that the compiler tests sixteen bytes per step with vector instructions; nearly every
/// string of a report (messages, help, names, file names) is plain.
fn is_plain(bytes: &[u8]) -> bool {
    #[inline(always)]
    fn flags(block: &[u8; 16]) -> u8 {
        let mut bad = 0u8;
        for &b in block {
            bad |= u8::from(b < 0x20) | u8::from(b == b'"') | u8::from(b == b'\\');
        }
        bad
    }
    let (blocks, rest) = bytes.as_chunks::<16>();
    let mut bad = 0u8;
    for block in blocks {
        bad |= flags(block);
    }
    let mut last = [b' '; 16];
    last[..rest.len()].copy_from_slice(rest);
    bad | flags(&last) == 0
}

/// A JSON string with serde_json's escaping: `"` and `\\`, and control characters as `\n`,
/// `\r`, `\t`, `\b`, `\f` or `\u00XX`; everything else, non-ASCII included, as it is. Runs of
/// bytes that need nothing are copied whole.
fn json_str(buf: &mut Vec<u8>, s: &str) {
    buf.reserve(s.len() + 2);
    buf.push(b'"');
    json_str_body(buf, s);
    buf.push(b'"');
}

/// [`json_str`] without the quotes, for a JSON string made of several pieces.
fn json_str_body(buf: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    if is_plain(bytes) {
        buf.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time while none of them needs escaping: most strings need none.
        if let Some(chunk) = bytes.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            if !needs_escape(u64::from_le_bytes(word)) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        i += 1;
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        buf.extend_from_slice(&bytes[start..i - 1]);
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            0x08 => buf.extend_from_slice(b"\\b"),
            0x0C => buf.extend_from_slice(b"\\f"),
            _ => buf.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xF)],
            ]),
        }
        start = i;
    }
    buf.extend_from_slice(&bytes[start..]);
}

/// Writes the document [`json_report`] describes from per-file pieces made by
/// [`json_fragment`], byte for byte as serializing the whole [`JsonReport`] would.
pub fn write_json_report(
    out: &mut dyn std::io::Write,
    fragments: &[&[u8]],
    files: &[JsonFile],
) -> std::io::Result<()> {
    write_json_start(out)?;
    let mut first = true;
    for f in fragments {
        write_json_fragment(out, f, &mut first)?;
    }
    let mut entries = Vec::new();
    for f in files {
        json_file_into(&mut entries, &f.file, f.max_duration_s);
    }
    write_json_end(out, &entries)
}

/// The start of the document [`write_json_report`] writes, for writing it piece by piece.
pub fn write_json_start(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(b"{\"version\":1,\"diagnostics\":[")
}

/// One file's piece of the document; `first` says whether any piece came before.
pub fn write_json_fragment(
    out: &mut dyn std::io::Write,
    fragment: &[u8],
    first: &mut bool,
) -> std::io::Result<()> {
    if fragment.is_empty() {
        return Ok(());
    }
    if !*first {
        out.write_all(b",")?;
    }
    *first = false;
    out.write_all(fragment)
}

/// Appends one entry of the document's list of files, after a comma when `buf` holds entries
/// already. The checking threads build these lists run by run, so that the end of the
/// document is a copy and not, after every file has been checked, work for one core alone.
pub fn json_file_into(buf: &mut Vec<u8>, file: &str, max_duration_s: Option<u64>) {
    if !buf.is_empty() {
        buf.push(b',');
    }
    buf.extend_from_slice(b"{\"file\":");
    json_str(buf, file);
    buf.extend_from_slice(b",\"max_duration_s\":");
    match max_duration_s {
        Some(s) => json_uint(buf, s),
        None => buf.extend_from_slice(b"null"),
    }
    buf.push(b'}');
}

/// The end of the document: the list of files, whose entries [`json_file_into`] made.
pub fn write_json_end(out: &mut dyn std::io::Write, entries: &[u8]) -> std::io::Result<()> {
    // The bytes serde_json writes for `files` (the report test holds them equal).
    out.write_all(b"],\"files\":[")?;
    out.write_all(entries)?;
    out.write_all(b"]}")
}

/// GitHub Actions workflow commands, one per diagnostic. Properties escape `%`, CR, LF, `:`
/// and `,`; messages escape `%`, CR and LF, as the Actions toolkit does.
pub fn github(file: &SourceFile, diags: &[Diagnostic]) -> String {
    fn data(s: &str) -> String {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    fn property(s: &str) -> String {
        data(s).replace(':', "%3A").replace(',', "%2C")
    }
    let mut out = String::new();
    let mut loc = file.locator();
    for d in diags {
        let (line, col) = loc.line_col(d.span.start);
        let (end_line, end_col) = loc.line_col(d.span.end);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Advice => "notice",
        };
        let mut message = d.message.to_string();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        out.push_str(&format!(
            "::{level} file={},line={line},endLine={end_line},col={col},endColumn={end_col},title={}::{}\n",
            property(file.name()),
            property(&format!("dialscript {} ({})", d.code.code, d.code.name)),
            data(&message)
        ));
    }
    out
}

/// A SARIF 2.1.0 log of checked files, with every code in `tool.driver.rules`, pretty-printed
/// (without the final line end). `check` writes the same bytes piece by piece: see
/// [`write_sarif_start`].
pub fn sarif(reports: &[crate::commands::check::FileReport]) -> std::io::Result<Vec<u8>> {
    let mut log = Vec::new();
    write_sarif_start(&mut log)?;
    let mut first = true;
    let mut piece = Vec::new();
    for r in reports {
        piece.clear();
        sarif_results_into(&mut piece, &r.file, &r.diagnostics);
        write_json_fragment(&mut log, &piece, &mut first)?;
    }
    write_sarif_end(&mut log, !first)?;
    Ok(log)
}

/// The start of a SARIF log, up to the opening of its `results` array.
///
/// Then come the pieces of [`sarif_results_into`], joined by commas as
/// [`write_json_fragment`] joins them, and [`write_sarif_end`]. The bytes are those that
/// serde_json's pretty printer writes for the whole log (a test compares them), but nothing
/// holds the whole log: the checking threads render each file's results, as they do for the
/// JSON report, where building the log as one value took about 40 KiB of memory per script
/// (900 MB for 25,000 scripts) and several times the time of the check.
pub fn write_sarif_start(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(
        b"{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"runs\": [\n    {\n      \"columnKind\": \"unicodeCodePoints\",\n      \"results\": [",
    )
}

/// One file's SARIF results, each starting on a line of its own at the depth of the `results`
/// array, separated by commas; nothing for a file without diagnostics. Keys are in the order
/// serde_json keeps them (sorted), and the message is the diagnostic's message with its help
/// on a second line.
pub fn sarif_results_into(buf: &mut Vec<u8>, file: &SourceFile, diags: &[Diagnostic]) {
    if diags.is_empty() {
        return;
    }
    let uri = sarif_uri(file.name());
    let mut uri = Repeated::new(&uri);
    // The end is exclusive, as SARIF's `endColumn` is, and is never clamped to the start
    // column: a span over several lines may well end left of where it started.
    comma_list(
        buf,
        file,
        diags,
        |buf, d, (line, column), (end_line, end_column), _| {
            buf.extend_from_slice(b"\n        {\n          \"level\": ");
            json_word(buf, sarif_level(d.severity));
            buf.extend_from_slice(SARIF_BEFORE_URI);
            uri.write(buf);
            for (key, n) in [
                (SARIF_BEFORE_END_COLUMN, end_column),
                (b",\n                  \"endLine\": ", end_line),
                (b",\n                  \"startColumn\": ", column),
                (b",\n                  \"startLine\": ", line),
            ] {
                buf.extend_from_slice(key);
                json_uint(buf, n as u64);
            }
            buf.extend_from_slice(SARIF_BEFORE_TEXT);
            json_str_body(buf, &d.message);
            if let Some(help) = &d.help {
                buf.extend_from_slice(b"\\nhelp: ");
                json_str_body(buf, help);
            }
            buf.extend_from_slice(b"\"\n          },\n          \"ruleId\": ");
            json_word(buf, d.code.code);
            buf.extend_from_slice(b",\n          \"ruleIndex\": ");
            json_uint(buf, sarif_rule_index(d.code.code) as u64);
            buf.extend_from_slice(b"\n        }");
        },
    );
}

/// The pieces of a SARIF result between its values, at the result's depth in the log.
const SARIF_BEFORE_URI: &[u8] = b",\n          \"locations\": [\n            {\n              \"physicalLocation\": {\n                \"artifactLocation\": {\n                  \"uri\": ";
const SARIF_BEFORE_END_COLUMN: &[u8] =
    b"\n                },\n                \"region\": {\n                  \"endColumn\": ";
const SARIF_BEFORE_TEXT: &[u8] = b"\n                }\n              }\n            }\n          ],\n          \"message\": {\n            \"text\": \"";

/// The end of a SARIF log: closes `results` (`any`: whether a result was written) and adds the
/// tool, with every code the toolchain emits as a rule.
pub fn write_sarif_end(out: &mut dyn std::io::Write, any: bool) -> std::io::Result<()> {
    out.write_all(if any { b"\n      ]" } else { b"]" })?;
    out.write_all(b",\n      \"tool\": ")?;
    let tool = serde_json::to_vec_pretty(&sarif_tool()).map_err(std::io::Error::other)?;
    // The tool sits six spaces deep. Pretty JSON breaks lines only between tokens (a string
    // escapes its line ends), so indenting after every line end indents the whole value.
    for (i, line) in tool.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.write_all(b"\n      ")?;
        }
        out.write_all(line)?;
    }
    out.write_all(b"\n    }\n  ],\n  \"version\": \"2.1.0\"\n}")
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "note",
    }
}

/// Every code the toolchain emits, syntax codes first, in the order of the log's rule table.
fn sarif_codes() -> impl Iterator<
    Item = (
        dialscript_syntax::diagnostic::Code,
        Severity,
        &'static str,
        &'static str,
    ),
> {
    let syntax = dialscript_syntax::codes::SYNTAX_CODES
        .iter()
        .map(|d| (d.code, d.severity, d.summary, d.explanation));
    let lints = dialscript_check::RULES
        .iter()
        .map(|r| (r.code, r.severity, r.summary, r.docs));
    syntax.chain(lints)
}

/// The index of `code` in the log's rule table (0 for a code that is not in it, which no
/// diagnostic has).
fn sarif_rule_index(code: &str) -> usize {
    static INDEX: std::sync::OnceLock<std::collections::HashMap<&'static str, usize>> =
        std::sync::OnceLock::new();
    INDEX
        .get_or_init(|| {
            sarif_codes()
                .enumerate()
                .map(|(i, (code, ..))| (code.code, i))
                .collect()
        })
        .get(code)
        .copied()
        .unwrap_or(0)
}

/// The log's `tool`: the driver and its rule table.
fn sarif_tool() -> serde_json::Value {
    use serde_json::json;
    let rules: Vec<serde_json::Value> = sarif_codes()
        .map(|(code, severity, summary, docs)| {
            json!({
                "id": code.code,
                "name": code.name,
                "shortDescription": { "text": summary },
                "fullDescription": { "text": summary },
                "help": { "text": docs, "markdown": docs },
                "defaultConfiguration": { "level": sarif_level(severity) },
                "properties": { "tags": [ if code.code < "DS100" { "syntax" } else if code.code < "DS200" { "correctness" } else { "lint" } ] }
            })
        })
        .collect();
    json!({
        "driver": {
            "name": "dialscript",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": rules
        }
    })
}

/// The SARIF `artifactLocation.uri` of a file shown as `name`. SARIF wants a URI reference and
/// GitHub resolves relative ones against the repository root, so a relative path stays relative
/// (without a leading `./`), an absolute path becomes a `file:` URI, and every byte outside the
/// unreserved set and `/` is percent-encoded: a `%`, space or `#` in a file name must not be
/// read as URI syntax, and a `:` in the first segment must not be read as a scheme.
pub fn sarif_uri(name: &str) -> String {
    let mut rest = name;
    while let Some(r) = rest.strip_prefix("./") {
        rest = r.trim_start_matches('/');
    }
    let mut uri = String::with_capacity(rest.len() + 8);
    let absolute = std::path::Path::new(name).is_absolute();
    if absolute {
        // `/home/a.scp` becomes `file:///home/a.scp`, `C:/a.scp` becomes `file:///C:/a.scp`.
        uri.push_str(if rest.starts_with('/') {
            "file://"
        } else {
            "file:///"
        });
    }
    for b in rest.bytes() {
        // After `file:///` a `:` is plain path text, which a Windows drive letter needs.
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || (absolute && b == b':')
        {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

/// A unified diff between a file's old and new bytes, for `--diff`.
pub fn unified_diff(name: &str, old: &[u8], new: &[u8]) -> String {
    let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
    similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("a/{}", name.trim_start_matches('/')),
            &format!("b/{}", name.trim_start_matches('/')),
        )
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::check::check_bytes;

    #[test]
    fn the_json_report_from_pieces_is_the_serialized_document() {
        let scripts: [&[u8]; 3] = [
            b"proc main\r\n   waitfor \"ogin:\"\r\n   transmit $USERID\r\nendproc\r\n",
            b"proc main\r\nendproc\r\n",
            b"; caf\xE9\r\nproc main\r\n   waitfro \"x\"\r\n   transmit $PASSWORD\r\nendproc\r\n",
        ];
        let reports: Vec<_> = scripts
            .iter()
            .enumerate()
            .map(|(i, s)| check_bytes(format!("s{i}.scp"), s.to_vec(), &Default::default(), None))
            .collect();
        let whole = serde_json::to_vec(&json_report(&reports)).expect("serializes");
        let pieces: Vec<Vec<u8>> = reports
            .iter()
            .map(|r| json_fragment(&r.file, &r.diagnostics).expect("renders"))
            .collect();
        let fragments: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
        let files: Vec<JsonFile> = reports
            .iter()
            .map(|r| JsonFile {
                file: r.file.name().to_string(),
                max_duration_s: r.max_duration,
            })
            .collect();
        let mut joined = Vec::new();
        write_json_report(&mut joined, &fragments, &files).expect("writes");
        assert_eq!(
            String::from_utf8_lossy(&joined),
            String::from_utf8_lossy(&whole)
        );
        assert!(pieces[1].is_empty() && !pieces[0].is_empty() && !pieces[2].is_empty());
    }

    #[test]
    fn codes_names_and_severities_need_no_escaping() {
        let words = dialscript_check::RULES
            .iter()
            .flat_map(|r| [r.code.code, r.code.name])
            .chain(
                dialscript_syntax::codes::SYNTAX_CODES
                    .iter()
                    .flat_map(|d| [d.code.code, d.code.name]),
            )
            .chain(
                [Severity::Error, Severity::Warning, Severity::Advice]
                    .iter()
                    .map(|s| s.as_str()),
            );
        let mut n = 0;
        for w in words {
            n += 1;
            assert!(
                !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
                "{w:?}"
            );
            let mut ours = Vec::new();
            json_word(&mut ours, w);
            assert_eq!(ours, serde_json::to_vec(w).expect("serializes"));
        }
        assert!(n > 60, "{n} words");
    }

    #[test]
    fn json_strings_are_escaped_as_serde_json_escapes_them() {
        let mut every_char: String = (0u8..=0x7F).map(char::from).collect();
        every_char.push_str("caf\u{e9} \u{2013} \u{1F4DE} \\\" end");
        for s in [
            "",
            "plain",
            "a\"b\\c",
            "\r\n\t\u{8}\u{c}\u{0}\u{1f}\u{7f}",
            &every_char,
        ] {
            let mut ours = Vec::new();
            json_str(&mut ours, s);
            let theirs = serde_json::to_vec(s).expect("serializes");
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
        }
        // One byte to escape at every place of strings around the 16-byte blocks that the
        // fast path tests at once.
        for len in 0..50 {
            for at in 0..len {
                for c in ['"', '\\', '\n', '\u{1f}', '\0', '\u{7f}', '\u{e9}'] {
                    let s: String = (0..len).map(|i| if i == at { c } else { 'x' }).collect();
                    let mut ours = Vec::new();
                    json_str(&mut ours, &s);
                    assert_eq!(ours, serde_json::to_vec(&s).expect("serializes"), "{s:?}");
                }
            }
        }
        for n in (0..1000).chain([12_345, u64::MAX]) {
            let mut ours = Vec::new();
            json_uint(&mut ours, n);
            assert_eq!(ours, n.to_string().into_bytes());
        }
    }

    #[test]
    fn a_text_that_fits_comes_out_the_same_without_wrapping() {
        // Messages and helps around the length where wrapping starts, of words and of runs of
        // spaces and punctuation: whenever `fits_unwrapped` lets a report skip wrapping, the
        // report must be what wrapping would have made of it.
        let file = SourceFile::new("w.scp", b"proc main\n   waitfor \"x\"\nendproc\n".to_vec());
        let span = dialscript_syntax::Span::new(13, 24);
        let width = 100;
        let (wrapping, plain) = report_handlers(false, width);
        let source = Snippets::new(&file);
        let render = |h: &GraphicalReportHandler, d: &Diagnostic| {
            let mut out = String::new();
            let report = Report {
                diag: d,
                file: &file,
                source: &source,
            };
            h.render_report(&mut out, &report).expect("renders");
            out
        };
        let pieces = [
            "word",
            "`waitfor`",
            "a-b-c",
            "x",
            "$PASSWORD,",
            "(1)",
            "  ",
            "ab/cd",
        ];
        let mut fast = 0;
        for len in 70..100 {
            for shift in 0..pieces.len() {
                let mut text = String::new();
                let mut i = shift;
                while text.len() < len {
                    text.push_str(pieces[i % pieces.len()]);
                    text.push(' ');
                    i += 1;
                }
                let text = text.trim();
                for text in [text.to_string(), format!("{text} "), format!(" {text}")] {
                    for help in [None, Some(text.clone()), Some("add `until 30`".to_string())] {
                        let mut d = Diagnostic::warning(
                            dialscript_check::RULES[0].code,
                            span,
                            text.clone(),
                        );
                        d.help = help.map(Into::into);
                        if fits_unwrapped(&d, width) {
                            fast += 1;
                            assert_eq!(render(&plain, &d), render(&wrapping, &d), "{text:?}");
                        }
                    }
                }
            }
        }
        assert!(fast > 100, "only {fast} reports took the fast path");
    }

    #[test]
    fn snippets_read_exactly_what_miette_reads_from_the_whole_text() {
        let files: [&[u8]; 9] = [
            b"",
            b"a",
            b"\n",
            b"\n\n\n",
            b"proc main\nendproc",
            b"proc main\r\n   waitfor \"x\"\r\n\r\nendproc\r\n",
            b"one\rtwo\rthree\r",
            b"; caf\xE9\r\nproc main\r\n   transmit \"\x96\"\r\nendproc",
            b"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
        ];
        for bytes in files {
            let file = SourceFile::new("f.scp", bytes.to_vec());
            let ours = Snippets::new(&file);
            let whole = file.text();
            let n = whole.len();
            // Spans within the text: those are what `SourceFile::text_span` gives (miette
            // itself panics on some spans past the end).
            for offset in 0..=n {
                for len in 0..=n - offset {
                    for (before, after) in [(0, 0), (1, 1), (2, 2), (0, 2), (3, 0)] {
                        let span = SourceSpan::new(offset.into(), len);
                        let got = ours.read_span(&span, before, after);
                        let want = whole.read_span(&span, before, after);
                        let (got, want) = match (got, want) {
                            (Ok(g), Ok(w)) => (g, w),
                            (Err(_), Err(_)) => continue,
                            (g, w) => panic!(
                                "{bytes:?} at {offset}+{len}: ours {:?}, miette's {:?}",
                                g.is_ok(),
                                w.is_ok()
                            ),
                        };
                        let what = format!("{bytes:?} at {offset}+{len}, context {before}/{after}");
                        assert_eq!(got.data(), want.data(), "{what}");
                        assert_eq!(got.span(), want.span(), "{what}");
                        assert_eq!(got.line(), want.line(), "{what}");
                        assert_eq!(got.column(), want.column(), "{what}");
                        assert_eq!(got.line_count(), want.line_count(), "{what}");
                        assert_eq!(got.name(), Some("f.scp"));
                    }
                }
            }
        }
    }
}
