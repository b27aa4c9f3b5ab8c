//! DS211 `invalid-ip-address`.

use dialscript_syntax::ast::{ExprKind, StmtKind};
use dialscript_syntax::diagnostic::{Code, Diagnostic, Severity};

use crate::rule::{Context, Rule};
use crate::semantic::strip;

/// DS211
pub static RULE: Rule = Rule {
    code: Code {
        code: "DS211",
        name: "invalid-ip-address",
    },
    severity: Severity::Warning,
    summary: "`set ipaddr` with a literal that is not a dotted-quad IPv4 address.",
    docs: "## What it does\nReports `set ipaddr \"...\"` when the literal is not four decimal numbers from 0 to 255 \
separated by dots.\n\n## Why is this bad?\nThe address \"must be in the form of an IP address\"; a bad one makes \
SLIP fail after the script ends. (The 1995 documentation's own example, `11.543.23.13`, has an octet above \
255.)\n\n## Example\n```\nset ipaddr \"11.543.23.13\"\n```\n\n## Use instead\n`set ipaddr \"11.54.23.13\"`, or \
read the address with `getip`.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // The operand is a literal (in parentheses or not) that the analysis lists with its
    // statement, so only the script's literals are looked at.
    for (s, lit) in cx.sema.procs.iter().flat_map(|p| &p.strings) {
        let StmtKind::SetIpAddr(e) = &s.kind else {
            continue;
        };
        if !std::ptr::eq(strip(e), *lit) {
            continue;
        }
        let ExprKind::Str(raw) = &lit.kind else {
            continue;
        };
        if let Err(why) = check_address(raw) {
            out.push(
                cx.diag(
                    &RULE,
                    e.span,
                    format!("`{}` is not an IP address", String::from_utf8_lossy(raw)),
                )
                .with_label(why)
                .with_help(
                    "write four numbers from 0 to 255 separated by dots, such as `10.0.0.2`",
                ),
            );
        }
    }
}

/// Checks a dotted quad; the error says what is wrong.
pub fn check_address(raw: &[u8]) -> Result<(), String> {
    let parts: Vec<&[u8]> = raw.split(|&b| b == b'.').collect();
    if parts.len() != 4 {
        return Err(format!("{} parts instead of 4", parts.len()));
    }
    for part in parts {
        if part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
            return Err(format!(
                "`{}` is not a number from 0 to 255",
                String::from_utf8_lossy(part)
            ));
        }
        let n: u32 = part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'));
        if n > 255 {
            return Err(format!("`{n}` is above 255"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_address;

    #[test]
    fn addresses() {
        assert!(check_address(b"10.0.0.2").is_ok());
        assert!(check_address(b"255.255.255.255").is_ok());
        assert!(check_address(b"11.543.23.13").is_err());
        assert!(check_address(b"1.2.3").is_err());
        assert!(check_address(b"1.2.3.x").is_err());
        assert!(check_address(b"").is_err());
    }
}
