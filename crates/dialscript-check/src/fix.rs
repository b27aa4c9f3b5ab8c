//! Applying fixes to a script's bytes.

use dialscript_syntax::diagnostic::{Applicability, Diagnostic, Edit};

/// Applies the fixes of `diagnostics` to `src`: the safe ones, and the unsafe ones too when
/// `unsafe_fixes` is set. A fix whose edits overlap an edit already taken is skipped (the next
/// run applies it). Returns the new bytes and how many fixes were applied.
pub fn apply(src: &[u8], diagnostics: &[Diagnostic], unsafe_fixes: bool) -> (Vec<u8>, usize) {
    let mut chosen: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    for d in diagnostics {
        let Some(fix) = &d.fix else { continue };
        if fix.applicability == Applicability::Unsafe && !unsafe_fixes {
            continue;
        }
        let overlaps = fix.edits.iter().any(|e| {
            chosen.iter().any(|c| {
                e.span.start < c.span.end.max(c.span.start + 1)
                    && c.span.start < e.span.end.max(e.span.start + 1)
            })
        });
        if overlaps {
            continue;
        }
        chosen.extend(fix.edits.iter());
        applied += 1;
    }
    chosen.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = Vec::with_capacity(src.len() + 64);
    let mut at = 0usize;
    for e in chosen {
        let (s, t) = (e.span.start as usize, e.span.end as usize);
        if s < at || t > src.len() {
            continue;
        }
        out.extend_from_slice(&src[at..s]);
        out.extend_from_slice(&e.replacement);
        at = t;
    }
    out.extend_from_slice(&src[at..]);
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dialscript_syntax::diagnostic::{Code, Fix, Severity};
    use dialscript_syntax::span::Span;

    fn fixing(at: u32, text: &str, applicability: Applicability) -> Diagnostic {
        Diagnostic::new(
            Code {
                code: "DS999",
                name: "test",
            },
            Severity::Warning,
            Span::empty(at),
            "m",
        )
        .with_fix(Fix {
            message: "m".into(),
            applicability,
            edits: vec![Edit {
                span: Span::empty(at),
                replacement: text.as_bytes().to_vec(),
            }],
        })
    }

    #[test]
    fn safe_and_unsafe() {
        let d = [
            fixing(1, "X", Applicability::Safe),
            fixing(3, "Y", Applicability::Unsafe),
        ];
        assert_eq!(apply(b"abcd", &d, false), (b"aXbcd".to_vec(), 1));
        assert_eq!(apply(b"abcd", &d, true), (b"aXbcYd".to_vec(), 2));
    }

    #[test]
    fn overlapping_edits_are_skipped() {
        let d = [
            fixing(1, "X", Applicability::Safe),
            fixing(1, "Y", Applicability::Safe),
        ];
        assert_eq!(apply(b"ab", &d, false), (b"aXb".to_vec(), 1));
    }
}
