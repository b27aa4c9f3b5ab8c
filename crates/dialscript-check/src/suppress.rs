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
