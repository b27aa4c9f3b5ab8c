//! Suppression comments.
//!
//! - `; dialscript: allow(DS201)` at the end of a line suppresses those codes on that line.
//! - The same comment alone on a line suppresses them on the next line that has code.
//! - `; dialscript: allow-file(DS203, unused-label)` suppresses them in the whole file.
//!
//! Codes and names both work. A suppression that suppresses nothing, or names no rule, is
//! reported as DS215 `unused-suppression`.

use dialscript_syntax::diagnostic::{Diagnostic, Severity};
use dialscript_syntax::span::Span;

use crate::config::RuleSelection;
use crate::registry::UNUSED_SUPPRESSION;

const MARKER: &str = "dialscript:";

/// The UTF-8 byte-order mark a script may start with.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One code named in a suppression comment.
#[derive(Debug)]
struct Entry {
    /// The code or name, lowercase, for matching.
    word: String,
    /// As written, for messages.
    shown: String,
    /// Where it is written.
    span: Span,
    /// Line it applies to (`None`: the whole file).
    line: Option<usize>,
    /// How many diagnostics it suppressed.
    used: u32,
}

/// All suppressions of a file.
#[derive(Debug, Default)]
pub struct Suppressions {
    entries: Vec<Entry>,
    line_starts: Vec<u32>,
}

impl Suppressions {
    /// Finds the suppression comments among `comments` (spans of `;` comments).
    pub fn parse(src: &[u8], comments: &[Span]) -> Suppressions {
        // Most files have no suppression at all: the line table is built only for one that has.
        let mut line_starts = Vec::new();
        let mut entries = Vec::new();
        for c in comments {
            let text = &src[c.range()];
            let Some(pos) = find(text, MARKER.as_bytes()) else {
                continue;
            };
            if line_starts.is_empty() {
                line_starts = dialscript_syntax::source::line_starts(src);
            }
            let line_of = |o: u32| match line_starts.binary_search(&o) {
                Ok(i) => i,
                Err(i) => i - 1,
            };
            let rest = &text[pos + MARKER.len()..];
            let body_start = c.start as usize + pos + MARKER.len();
            let trimmed = rest
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(rest.len());
            let rest = &rest[trimmed..];
            let (file_wide, open) = if rest.starts_with(b"allow-file(") {
                (true, "allow-file(".len())
            } else if rest.starts_with(b"allow(") {
                (false, "allow(".len())
            } else {
                continue;
            };
            let Some(close) = rest.iter().position(|&b| b == b')') else {
                continue;
            };
            let list_start = body_start + trimmed + open;
            let line = line_of(c.start);
            // A comment with only blank space before it on its line applies to the next line
            // that holds code.
            let own_line = src[line_starts[line] as usize..c.start as usize]
                .iter()
                .all(|b| b.is_ascii_whitespace());
            let target = if file_wide {
                None
            } else if own_line {
                Some(next_code_line(src, &line_starts, comments, line))
            } else {
                Some(line)
            };
            let mut offset = list_start;
            for word in rest[open..close].split(|&b| b == b',') {
                let lead = word
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .unwrap_or(word.len());
                let shown = String::from_utf8_lossy(word).trim().to_string();
                if !shown.is_empty() {
                    let start = (offset + lead) as u32;
                    entries.push(Entry {
                        span: Span::new(start, start + shown.len() as u32),
                        word: shown.to_ascii_lowercase(),
                        shown,
                        line: target,
                        used: 0,
                    });
                }
                offset += word.len() + 1;
            }
        }
        Suppressions {
            entries,
            line_starts,
        }
    }

    fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Removes suppressed diagnostics and adds DS215 for suppressions that did nothing.
    pub fn apply(
        mut self,
        diagnostics: Vec<Diagnostic>,
        selection: &RuleSelection,
    ) -> Vec<Diagnostic> {
        if self.entries.is_empty() {
            return diagnostics;
        }
        let mut kept = Vec::with_capacity(diagnostics.len());
        for d in diagnostics {
            let line = self.line_of(d.span.start);
            let mut suppressed = false;
            for e in &mut self.entries {
                let names_it = e.word == d.code.code.to_ascii_lowercase() || e.word == d.code.name;
                if names_it && e.line.is_none_or(|l| l == line) {
                    e.used += 1;
                    suppressed = true;
                }
            }
            if !suppressed {
                kept.push(d);
            }
        }
        if let Some(severity) = selection.severity_of(UNUSED_SUPPRESSION.code, Severity::Warning) {
            for e in &self.entries {
                if e.used > 0 {
                    continue;
                }
                let known = crate::explain(&e.word).is_some();
                let message = if known {
                    format!("suppression of `{}` suppresses nothing", e.shown)
                } else {
                    format!("suppression names no rule: `{}`", e.shown)
                };
                let help = if known {
                    "remove it: the problem it was for is gone".to_string()
                } else {
                    "`dialscript explain --list` lists the codes and names".to_string()
                };
                kept.push(
                    Diagnostic::new(UNUSED_SUPPRESSION.code, severity, e.span, message)
                        .with_label("unused")
                        .with_help(help),
                );
            }
        }
        kept
    }
}

/// Adds suppression comments to `src` for the rule findings among `diagnostics`, so that a
/// project can start checking scripts that have findings today and fix them over time
/// (`check --add-suppressions`; ruff's `--add-noqa`). `comments` are the script's `;`
/// comments, as the lexer gives them.
///
/// A line with findings gets `; dialscript: allow(CODE, ...)` at its end, or, when its
/// comment already holds a suppression list, the codes added to that list; when its comment
/// names the marker some other way (which would hide a second marker), the suppression goes
/// on a line of its own before it. A finding on a line without code (DS101 in an empty
/// script) gets a file-wide suppression on a first line of its own. Syntax errors are not
/// suppressed, nor is DS215 (an unused suppression is removed, not suppressed); a script with
/// a syntax error is left as it is, since a comment added after an unclosed string would
/// become part of it. Returns the new bytes and how many codes were added.
pub fn add(src: &[u8], comments: &[Span], diagnostics: &[Diagnostic]) -> (Vec<u8>, usize) {
    let syntax = |d: &Diagnostic| d.code.is_syntax();
    if diagnostics
        .iter()
        .any(|d| syntax(d) && d.severity == Severity::Error)
    {
        return (src.to_vec(), 0);
    }
    let line_starts = dialscript_syntax::source::line_starts(src);
    let line_of = |o: u32| line_starts.partition_point(|&s| s <= o).saturating_sub(1);
    let mut by_line: std::collections::BTreeMap<usize, Vec<&str>> = Default::default();
    for d in diagnostics {
        if syntax(d) || d.code.code == UNUSED_SUPPRESSION.code.code {
            continue;
        }
        let codes = by_line.entry(line_of(d.span.start)).or_default();
        if !codes.contains(&d.code.code) {
            codes.push(d.code.code);
        }
    }
    let newline: &[u8] = if memchr::memmem::find(src, b"\r\n").is_some() {
        b"\r\n"
    } else {
        b"\n"
    };
    // Insertions (offset, text), made in order of their offsets.
    let mut inserts: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut file_wide: Vec<&str> = Vec::new();
    let mut added = 0;
    for (line, mut codes) in by_line {
        codes.sort_unstable();
        let list = codes.join(", ");
        let start = line_starts[line] as usize;
        let end = line_starts.get(line + 1).map_or(src.len(), |&e| e as usize);
        let content_end = start
            + src[start..end]
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
                .unwrap_or(end - start);
        let comment = comments
            .iter()
            .find(|c| (start..content_end.max(start + 1)).contains(&(c.start as usize)));
        // A byte-order mark is not code (the lexer skips it).
        let from = if start == 0 && src.starts_with(BOM) {
            3
        } else {
            start
        };
        let code_at = src[from..content_end.max(from)]
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map(|p| from + p);
        match (code_at, comment) {
            (None, _) => {
                file_wide.extend(codes);
                continue;
            }
            (Some(at), Some(c)) if c.start as usize == at => {
                file_wide.extend(codes);
                continue;
            }
            (Some(_), Some(c)) => {
                let text = &src[c.range()];
                match find(text, MARKER.as_bytes()) {
                    None => inserts.push((
                        content_end,
                        format!(" ; {MARKER} allow({list})").into_bytes(),
                    )),
                    Some(pos) => {
                        let rest = &text[pos + MARKER.len()..];
                        let blank = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
                        let close = rest.iter().position(|&b| b == b')');
                        match (rest[blank..].starts_with(b"allow("), close) {
                            (true, Some(close)) => {
                                let inside = &rest[blank + "allow(".len()..close];
                                let sep = if inside.iter().all(u8::is_ascii_whitespace) {
                                    ""
                                } else {
                                    ", "
                                };
                                let at = c.start as usize + pos + MARKER.len() + close;
                                inserts.push((at, format!("{sep}{list}").into_bytes()));
                            }
                            _ => {
                                // After a byte-order mark, which must stay first.
                                let indent = &src[from..code_at.unwrap_or(from)];
                                let mut own = indent.to_vec();
                                own.extend_from_slice(
                                    format!("; {MARKER} allow({list})").as_bytes(),
                                );
                                own.extend_from_slice(newline);
                                inserts.push((from, own));
                            }
                        }
                    }
                }
            }
            (Some(_), None) => {
                let blank_before =
                    content_end > start && src[content_end - 1].is_ascii_whitespace();
                let sep = if blank_before { "" } else { " " };
                inserts.push((
                    content_end,
                    format!("{sep}; {MARKER} allow({list})").into_bytes(),
                ));
            }
        }
        added += codes.len();
    }
    if !file_wide.is_empty() {
        file_wide.sort_unstable();
        file_wide.dedup();
        added += file_wide.len();
        let mut top = format!("; {MARKER} allow-file({})", file_wide.join(", ")).into_bytes();
        top.extend_from_slice(newline);
        // After a byte-order mark, which must stay first.
        let at = if src.starts_with(BOM) { 3 } else { 0 };
        inserts.push((at, top));
    }
    inserts.sort_by_key(|(at, _)| *at);
    let mut out =
        Vec::with_capacity(src.len() + inserts.iter().map(|(_, t)| t.len()).sum::<usize>());
    let mut from = 0;
    for (at, text) in inserts {
        out.extend_from_slice(&src[from..at]);
        out.extend_from_slice(&text);
        from = at;
    }
    out.extend_from_slice(&src[from..]);
    (out, added)
}

/// The first place `needle` occurs in `hay`. Every comment of every file is searched, so the
/// scan looks for the needle's first byte and compares the rest only there, rather than
/// comparing a whole window at every position.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    // Searched by the needle's last byte (the marker's `:`), which comments hold far more
    // rarely than its first (`d`): a comment without a colon is passed over in one scan.
    let (&last, head) = needle.split_last()?;
    let mut at = head.len();
    // memchr looks at a word or a vector of bytes per step; comments are a third of a
    // typical script's bytes and every one of them is searched.
    while let Some(p) = memchr::memchr(last, hay.get(at..)?) {
        let end = at + p;
        if hay[..end].ends_with(head) {
            return Some(end - head.len());
        }
        at = end + 1;
    }
    None
}

/// The first line after `line` that has something other than blanks and comments.
fn next_code_line(src: &[u8], line_starts: &[u32], comments: &[Span], line: usize) -> usize {
    let mut l = line + 1;
    while l < line_starts.len() {
        let start = line_starts[l] as usize;
        let end = line_starts.get(l + 1).map_or(src.len(), |&e| e as usize);
        let text = &src[start..end];
        let first = text.iter().position(|b| !b.is_ascii_whitespace());
        match first {
            None => l += 1,
            Some(p) if comments.iter().any(|c| c.start as usize == start + p) => l += 1,
            Some(_) => return l,
        }
    }
    line + 1
}

#[cfg(test)]
mod tests {
    use super::find;

    /// `src` with the suppressions `add` puts in for its findings.
    fn suppressed(src: &str) -> String {
        let parse = dialscript_syntax::parse(src.as_bytes());
        let checked = crate::check(&parse, src.as_bytes(), &crate::Options::default());
        let (out, _) = super::add(src.as_bytes(), &parse.comments, &checked.diagnostics);
        String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
    }

    #[test]
    fn suppressions_go_where_each_line_can_take_them() {
        // At the end of the line; into a suppression list the line has (an empty one too);
        // after a comment without the marker; on a line of its own, indented as the line, when
        // the comment names the marker in passing; codes of one line sorted, once each.
        assert_eq!(
            suppressed(
                "proc main\r\n  waitfor \"a\"\r\n  waitfor \"b\" ; note\r\n  transmit $USERID ; dialscript: allow(DS201)\r\n  transmit $PASSWORD ; dialscript: allow()\r\n  transmit $USERID ; see dialscript: docs\r\nendproc"
            ),
            "proc main ; dialscript: allow(DS208)\r\n  waitfor \"a\" ; dialscript: allow(DS201)\r\n  waitfor \"b\" ; note ; dialscript: allow(DS201)\r\n  transmit $USERID ; dialscript: allow(DS201, DS203)\r\n  transmit $PASSWORD ; dialscript: allow(DS203)\r\n  ; dialscript: allow(DS203)\r\n  transmit $USERID ; see dialscript: docs\r\nendproc"
        );
    }

    #[test]
    fn a_finding_on_a_line_without_code_is_suppressed_for_the_file() {
        // After the byte-order mark, with the script's line end.
        assert_eq!(
            suppressed("\u{feff}"),
            "\u{feff}; dialscript: allow-file(DS101)\n"
        );
        // A line of its own before the first line stays after the mark too.
        assert_eq!(
            suppressed("\u{feff}proc main ; dialscript: see below\nwaitfor \"a\"\nendproc\n"),
            "\u{feff}; dialscript: allow(DS208)\nproc main ; dialscript: see below\nwaitfor \"a\" ; dialscript: allow(DS201)\nendproc\n"
        );
        assert_eq!(
            suppressed("; old login\r\n"),
            "; dialscript: allow-file(DS101)\r\n; old login\r\n"
        );
    }

    #[test]
    fn a_script_with_a_syntax_error_is_left_as_it_is() {
        let src = "proc main\n  waitfor \"a\n  transmit $USERID\nendproc\n";
        assert_eq!(suppressed(src), src);
    }

    #[test]
    fn find_agrees_with_a_plain_search() {
        let naive = |hay: &[u8], needle: &[u8]| {
            if needle.is_empty() {
                return None;
            }
            hay.windows(needle.len()).position(|w| w == needle)
        };
        let hays: [&[u8]; 9] = [
            b"",
            b"dialscript:",
            b"; dialscript: allow(DS201)",
            b"dialscript",
            b"::dialscript::dialscript:",
            b"ialscript: dialscript",
            b"x dialscript : dialscript:",
            b"dialscriptdialscript:",
            b"; note: a comment; dialscript: allow-file(DS203)",
        ];
        for hay in hays {
            for needle in [&b"dialscript:"[..], b":", b"a:", b""] {
                assert_eq!(find(hay, needle), naive(hay, needle), "{hay:?} {needle:?}");
            }
        }
    }
}
