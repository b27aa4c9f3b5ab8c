//! DS212 `suspicious-escape`.

use dialscript_syntax::ast::{ExprKind, StmtKind};
use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};
use dialscript_syntax::span::Span;
use dialscript_syntax::translate::{Oddity, oddities};

use crate::rule::{Context, Rule};

/// DS212
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS212",
        name: "suspicious-escape",
    },
    severity: Severity::Warning,
    summary: "An escape or caret sequence in a string that probably does not mean what it seems.",
    docs: "## What it does\nLooks at string literals the way `transmit` and `waitfor` translate them and reports: \
`\\x` for an x other than `\"`, `^`, `<` and `\\` (it just means x); `<CR>` or `<Lf>` in other than lower case \
(accepted, but not as documented); `^` before a character it does not translate, such as a digit or a space (sent \
as a caret); a lone `^` or `\\` at the end; and `^\\\"` inside a string, where `\\\"` is an escaped quote and not \
`^\\` followed by the end of the string. Strings sent with `, raw` are not translated and not checked.\n\n## Why \
is this bad?\nThe bytes sent are not the bytes meant, and the ISP's prompt never comes.\n\n## Example\n```\n\
transmit \"ATZ\\r\"\ntransmit \"^1\"\n```\n\n## Use instead\n```\ntransmit \"ATZ^M\"\ntransmit \"1\"\n```",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (stmt, lit) in cx.sema.procs.iter().flat_map(|p| &p.strings) {
        if let ExprKind::Str(raw) = &lit.kind
            && !matches!(stmt.kind, StmtKind::Transmit { raw: true, .. })
        {
            check_literal(cx, raw, lit.span, out);
        }
    }
}

fn check_literal(cx: &Context<'_>, raw: &[u8], lit: Span, out: &mut Vec<Diagnostic>) {
    // Everything this rule reports starts with `\`, `^` or `<`, and most literals (`"ogin:"`)
    // have none of them: those need no translation.
    if !raw.iter().any(|&b| matches!(b, b'\\' | b'^' | b'<')) {
        return;
    }
    // The raw bytes start one byte after the literal's opening quote.
    let at = |offset: usize, len: usize| {
        let start = lit.start + 1 + offset as u32;
        Span::new(start, (start + len as u32).min(lit.end))
    };
    let mut found: Vec<(Oddity, usize)> = Vec::new();
    oddities(raw, |kind, offset| found.push((kind, offset)));
    for (kind, offset) in found {
        let shown = |len: usize| {
            String::from_utf8_lossy(&raw[offset..(offset + len).min(raw.len())]).into_owned()
        };
        let d = match kind {
            Oddity::UnknownEscape => {
                let text = shown(2);
                let c = text.chars().nth(1).unwrap_or('?');
                let help = match c {
                    'r' => "write `^M` or `<cr>` for a carriage return".to_string(),
                    'n' => "write `^J` or `<lf>` for a line feed".to_string(),
                    't' => "write `^I` for a tab".to_string(),
                    _ => format!(
                        "write `{c}` alone; only `\\\"`, `\\^`, `\\<` and `\\\\` are escapes"
                    ),
                };
                cx.diag(
                    &RULE,
                    at(offset, 2),
                    format!("`{text}` is not an escape; it sends `{c}`"),
                )
                .with_label("unknown escape")
                .with_help(help)
            }
            Oddity::UppercaseMacro => {
                let text = shown(4);
                cx.diag(
                    &RULE,
                    at(offset, 4),
                    format!("`{text}` is written in lower case in the documentation"),
                )
                .with_label("accepted, but not as documented")
                .with_help(format!("write `{}`", text.to_ascii_lowercase()))
            }
            Oddity::LiteralCaret => {
                let text = shown(2);
                cx.diag(
                    &RULE,
                    at(offset, 2),
                    format!("`{text}` is not a control character; it sends a caret"),
                )
                .with_label("`^` translates only `@`, letters, `[`, `\\`, `]`, `^` and `_`")
                .with_help("write `\\^` to send a caret on purpose")
            }
            Oddity::TrailingEscape => cx
                .diag(
                    &RULE,
                    at(offset, 1),
                    format!(
                        "a lone `{}` at the end of the string is sent as is",
                        shown(1)
                    ),
                )
                .with_label("nothing follows it")
                .with_help("remove it, or escape it with `\\`"),
        };
        out.push(d);
    }
    if let Some(pos) = raw.windows(3).position(|w| w == b"^\\\"") {
        out.push(
            cx.diag(
                &RULE,
                at(pos, 3),
                "the quote after `^\\` does not end the string",
            )
            .with_label("`\\\"` is an escaped quote: the string goes on after it")
            .with_help(
                "`^\\` (Ctrl-\\) cannot be the last thing in a string literal; close the string \
                 where it was meant to end",
            ),
        );
    }
}
