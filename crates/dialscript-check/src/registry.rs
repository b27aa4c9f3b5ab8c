//! The rule table, in code order. `dialscript explain --list`, `docs/rules.md` and SARIF's
//! `tool.driver.rules` are generated from it.

use crate::rule::Rule;
use crate::rules::*;

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &ds101_missing_main::RULE,
    &ds102_undefined_label::RULE,
    &ds103_duplicate_label::RULE,
    &ds104_undeclared_variable::RULE,
    &ds105_duplicate_declaration::RULE,
    &ds106_type_mismatch::RULE,
    &ds107_assign_to_system_variable::RULE,
    &ds108_duplicate_proc::RULE,
    &ds109_division_by_zero::RULE,
    &ds110_integer_overflow::RULE,
    &ds201_waitfor_without_until::RULE,
    &ds202_unchecked_waitfor::RULE,
    &ds203_credential_without_raw::RULE,
    &ds204_unreachable_code::RULE,
    &ds205_unused_label::RULE,
    &ds206_unused_variable::RULE,
    &ds207_spin_loop::RULE,
    &ds208_unbounded_duration::RULE,
    &ds209_getip_without_bound::RULE,
    &ds210_declaration_after_command::RULE,
    &ds211_invalid_ip_address::RULE,
    &ds212_suspicious_escape::RULE,
    &ds213_unused_proc::RULE,
    &ds214_credential_sent_blind::RULE,
    &ds215_unused_suppression::RULE,
    &ds216_integer_complement::RULE,
    &ds217_inconsistent_name_case::RULE,
    &ds218_getip_result_unused::RULE,
    &ds219_long_string::RULE,
    &ds220_label_shadows_variable::RULE,
];

/// DS215, which the suppression pass reports itself.
pub static UNUSED_SUPPRESSION: &Rule = &ds215_unused_suppression::RULE;

/// A rule by code (`DS201`) or name (`waitfor-without-until`), in any case.
pub fn find_rule(code_or_name: &str) -> Option<&'static Rule> {
    let t = code_or_name.trim();
    RULES
        .iter()
        .copied()
        .find(|r| r.code.code.eq_ignore_ascii_case(t) || r.code.name.eq_ignore_ascii_case(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_documented() {
        for w in RULES.windows(2) {
            assert!(
                w[0].code.code < w[1].code.code,
                "{} before {}",
                w[0].code.code,
                w[1].code.code
            );
        }
        for r in RULES {
            assert!(
                r.code.code.len() == 5 && r.code.code.starts_with("DS"),
                "{}",
                r.code.code
            );
            assert!(
                r.code
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                r.code.name
            );
            for heading in ["## What it does", "## Why is this bad?", "## Example"] {
                assert!(
                    r.docs.contains(heading)
                        || r.code.code < "DS200" && heading == "## Why is this bad?",
                    "{} lacks {heading}",
                    r.code.code
                );
            }
        }
    }
}
