//! The VM driven by hand, without the simulator, in virtual time: each test feeds bytes and
//! polls at chosen instants and checks the language reference's semantics exactly (§3, §4, §9
//! of the spec): the `waitfor` buffer model, `getip`, `delay`, control flow, every operator,
//! runtime errors, limits, and that no event ever shows the password.

use std::time::Duration;

use dialscript_vm::{Action, Credentials, Event, EventKind, Limits, Outcome, Vm};

/// The user name the tests log in with.
const USER: &[u8] = b"alice";
/// An obviously fake password with every character that escape translation would change.
const PASSWORD: &[u8] = b"fake^Mpw<cr>\\q";

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn creds() -> Credentials {
    Credentials {
        user: USER.to_vec(),
        password: PASSWORD.to_vec(),
        mask_user: false,
    }
}

fn vm_with(src: &str, limits: Limits) -> Vm {
    Vm::new(program(src), creds(), limits)
}

fn vm(src: &str) -> Vm {
    vm_with(src, Limits::default())
}

/// A script from statements: `proc main`, the lines, `endproc`.
fn script(lines: &[&str]) -> String {
    let mut s = String::from("proc main\n");
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    s.push_str("endproc\n");
    s
}

/// Drives from time zero to the end of the run, jumping to each wait's deadline when nothing
/// more arrives; returns everything sent.
fn finish(vm: &mut Vm) -> Vec<u8> {
    let mut sent = Vec::new();
    let mut now = Duration::ZERO;
    loop {
        let (more, action) = drive(vm, now);
        sent.extend(more);
        match action {
            Action::Wait { until: Some(t) } => now = t,
            Action::Done(_) => return sent,
            other => panic!("waits for ever: {other:?}"),
        }
    }
}

/// Runs a script that needs no input to its end at time zero; returns what it sent.
fn run_to_end(src: &str) -> String {
    let mut vm = vm(src);
    let (sent, action) = drive(&mut vm, Duration::ZERO);
    assert_eq!(action, Action::Done(Outcome::Completed), "{src}");
    String::from_utf8(sent).expect("the test scripts send ASCII")
}

/// Every byte string an entry carries.
fn payloads(e: &Event) -> Vec<Vec<u8>> {
    dialscript_tests::payloads(&e.kind)
}

use dialscript_tests::{contains, drive, program};

/// Asserts that no event shows the password, as typed or as translated for sending.
fn assert_no_password(events: &[Event]) {
    let translated = dialscript_syntax::translate(PASSWORD);
    for e in events {
        for p in payloads(e) {
            assert!(
                !contains(&p, PASSWORD) && !contains(&p, &translated),
                "an event shows the password: {e:?}"
            );
        }
    }
}

/// Everything the events say was received, joined.
fn received(events: &[Event]) -> Vec<u8> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Received(b) => Some(b.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The statement at `span` in `src`.
fn text_at(src: &str, span: dialscript_syntax::Span) -> &str {
    &src[span.start as usize..span.end as usize]
}

/// A `waitfor` followed by a report of `$SUCCESS` and `$FAILURE`: it sends `S` on success
/// and `F` on failure.
const REPORT: &str =
    "if $SUCCESS then\n transmit \"S\"\nendif\nif $FAILURE then\n transmit \"F\"\nendif";

// ---------------------------------------------------------------------------------------------
// waitfor

#[test]
fn data_received_before_the_waitfor_counts() {
    let src = script(&["transmit \"^M\"", "waitfor \"ogin:\" until 10", REPORT]);
    let mut vm = vm(&src);
    // The prompt arrives while the CR goes out, before the `waitfor` starts.
    assert_eq!(vm.poll(Duration::ZERO), Action::Transmit(b"\r".to_vec()));
    vm.feed(millis(5), b"\r\nlogin: ");
    let (sent, action) = drive(&mut vm, secs(1));
    assert_eq!(sent, b"S");
    assert_eq!(action, Action::Done(Outcome::Completed));

    // Input that arrived before the first poll counts as well.
    let mut vm = self::vm(&src);
    vm.feed(Duration::ZERO, b"login:");
    assert_eq!(drive(&mut vm, Duration::ZERO).0, b"\rS");
}

#[test]
fn the_match_that_ends_earliest_wins() {
    let src = script(&[
        "waitfor \"word:\" then A, \"ogin:\" then B, \"abcdef\" then C, \"cd\" then D until 10",
        "transmit \"none\"",
        "goto End",
        "A:",
        "transmit \"A\"",
        "goto End",
        "B:",
        "transmit \"B\"",
        "goto End",
        "C:",
        "transmit \"C\"",
        "goto End",
        "D:",
        "transmit \"D\"",
        "End:",
    ]);
    let case = |input: &[u8]| {
        let mut vm = vm(&src);
        vm.feed(Duration::ZERO, input);
        String::from_utf8(drive(&mut vm, Duration::ZERO).0).expect("ASCII")
    };
    // The second string ends first although the first is listed first.
    assert_eq!(case(b"login: password:"), "B");
    assert_eq!(case(b"password: login:"), "A");
    // "abcdef" starts first, but "cd" ends first.
    assert_eq!(case(b"abcdef"), "D");
    // Nothing yet: the VM waits, and the string that completes first then wins.
    let mut vm = vm(&src);
    assert_eq!(
        drive(&mut vm, Duration::ZERO).1,
        Action::Wait {
            until: Some(secs(10))
        }
    );
    vm.feed(secs(1), b"pass");
    assert!(matches!(drive(&mut vm, secs(1)).1, Action::Wait { .. }));
    vm.feed(secs(2), b"word: login:");
    assert_eq!(drive(&mut vm, secs(2)).0, b"A");
}

#[test]
fn ties_go_to_the_first_listed_string() {
    let body = [
        "transmit \"none\"",
        "goto End",
        "A:",
        "transmit \"A\"",
        "goto End",
        "B:",
        "transmit \"B\"",
        "End:",
    ];
    let run = |wait: &str| {
        let mut lines = vec![wait];
        lines.extend(body);
        let mut vm = vm(&script(&lines));
        vm.feed(Duration::ZERO, b"xlogin:");
        String::from_utf8(drive(&mut vm, Duration::ZERO).0).expect("ASCII")
    };
    // Both end at the same byte.
    assert_eq!(
        run("waitfor \"in:\" then A, \"login:\" then B until 5"),
        "A"
    );
    assert_eq!(
        run("waitfor \"login:\" then B, \"in:\" then A until 5"),
        "B"
    );
    // The same string twice: the first wins.
    assert_eq!(
        run("waitfor \"login:\" then A, \"login:\" then B until 5"),
        "A"
    );
}

#[test]
fn matching_ignores_case_unless_matchcase() {
    let run = |wait: &str, input: &[u8]| {
        let mut vm = vm(&script(&[wait, REPORT]));
        vm.feed(Duration::ZERO, input);
        String::from_utf8(finish(&mut vm)).expect("ASCII")
    };
    assert_eq!(run("waitfor \"LOGIN:\" until 5", b"login:"), "S");
    assert_eq!(run("waitfor \"login:\" until 5", b"LoGiN:"), "S");
    assert_eq!(
        run("waitfor \"Login:\", matchcase until 5", b"LOGIN: login:"),
        "F"
    );
    assert_eq!(
        run("waitfor \"Login:\", matchcase until 5", b"LOGIN: Login:"),
        "S"
    );
    // The flag belongs to its own string only.
    let src = script(&[
        "waitfor \"ABC\", matchcase then A, \"xyz\" then B until 5",
        "transmit \"none\"",
        "goto End",
        "A:",
        "transmit \"A\"",
        "goto End",
        "B:",
        "transmit \"B\"",
        "End:",
    ]);
    let mut vm = vm(&src);
    vm.feed(Duration::ZERO, b"abc XYZ ABC");
    assert_eq!(drive(&mut vm, Duration::ZERO).0, b"B");
    // Folding is ASCII only: a Latin-1 capital is not the same as its small letter.
    assert_eq!(run("waitfor \"\u{c9}\" until 5", "\u{e9}".as_bytes()), "F");
}

#[test]
fn then_jumps_and_a_string_without_then_falls_through() {
    let src = script(&[
        "waitfor \"go\" then Far until 5",
        "transmit \"next\"",
        "Far:",
        "transmit \"far\"",
    ]);
    let mut vm = vm(&src);
    vm.feed(Duration::ZERO, b"go");
    assert_eq!(drive(&mut vm, Duration::ZERO).0, b"far");
    // On a timeout the `then` is not taken.
    let mut vm = self::vm(&src);
    assert_eq!(finish(&mut vm), b"nextfar");
    // Backward jumps work too: count the occurrences of "ping".
    let src = script(&[
        "integer n = 0",
        "Again:",
        "waitfor \"ping\" then Got until 1",
        "goto End",
        "Got:",
        "n = n + 1",
        "goto Again",
        "End:",
        "if n == 3 then",
        " transmit \"three\"",
        "endif",
    ]);
    let mut vm = self::vm(&src);
    vm.feed(Duration::ZERO, b"ping ping ping");
    assert!(matches!(
        drive(&mut vm, Duration::ZERO).1,
        Action::Wait { .. }
    ));
    assert_eq!(drive(&mut vm, secs(1)).0, b"three");
}

#[test]
fn until_timeout_sets_success_false_and_failure_true() {
    let src = script(&[
        "if $FAILURE and !$SUCCESS then",
        " transmit \"initially-false \"",
        "endif",
        "waitfor \"x\" until 1",
        "waitfor \"ogin:\" until 10",
        REPORT,
    ]);
    let mut vm = vm(&src);
    vm.feed(Duration::ZERO, b"x");
    let (sent, action) = drive(&mut vm, Duration::ZERO);
    assert_eq!(sent, b"initially-false ");
    // `$SUCCESS` is TRUE after the first wait; the second waits until exactly 10 s later.
    assert_eq!(
        action,
        Action::Wait {
            until: Some(secs(10))
        }
    );
    assert_eq!(
        vm.poll(secs(10) - Duration::from_nanos(1)),
        Action::Wait {
            until: Some(secs(10))
        }
    );
    let (sent, action) = drive(&mut vm, secs(10));
    assert_eq!(sent, b"F");
    assert_eq!(action, Action::Done(Outcome::Completed));
    let events = vm.take_events();
    assert!(events.iter().any(|e| e.kind == EventKind::WaitTimedOut));
    assert!(events.iter().any(|e| e.kind
        == EventKind::Waiting {
            patterns: vec![b"ogin:".to_vec()],
            until: Some(10)
        }));
}

#[test]
fn the_until_value_is_evaluated_once_when_the_wait_starts() {
    let src = script(&["integer t = 3", "waitfor \"x\" until t * 2", REPORT]);
    let mut vm = vm(&src);
    assert_eq!(
        drive(&mut vm, secs(4)).1,
        Action::Wait {
            until: Some(secs(10))
        }
    );
    assert_eq!(drive(&mut vm, secs(10)).0, b"F");
}

#[test]
fn a_timeout_keeps_the_buffer() {
    let src = script(&[
        "waitfor \"never\" until 2",
        "waitfor \"abc\" until 0",
        REPORT,
    ]);
    let mut vm = vm(&src);
    assert!(matches!(
        drive(&mut vm, Duration::ZERO).1,
        Action::Wait { .. }
    ));
    vm.feed(secs(1), b"xxabcxx");
    assert_eq!(drive(&mut vm, secs(2)).0, b"S");
}

#[test]
fn until_0_checks_the_buffer_then_times_out() {
    let src = script(&[
        "waitfor \"ready\" until 0",
        REPORT,
        "waitfor \"more\" until 0",
        REPORT,
        "waitfor \"neg\" until -5",
        REPORT,
    ]);
    let mut vm = vm(&src);
    vm.feed(Duration::ZERO, b"ready");
    // No wait at all: the whole script runs at time zero.
    let (sent, action) = drive(&mut vm, Duration::ZERO);
    assert_eq!(sent, b"SFF");
    assert_eq!(action, Action::Done(Outcome::Completed));
}

#[test]
fn a_match_consumes_the_buffer_through_its_end() {
    // One "ok": the second wait for it needs a second occurrence.
    let src = script(&[
        "waitfor \"ok\" until 5",
        REPORT,
        "waitfor \"ok\" until 5",
        REPORT,
    ]);
    let mut vm = vm(&src);
    vm.feed(Duration::ZERO, b"ok");
    assert_eq!(drive(&mut vm, Duration::ZERO).0, b"S");
    assert_eq!(drive(&mut vm, secs(5)).0, b"F");
    // Two occurrences: both waits succeed at once.
    let mut vm = self::vm(&src);
    vm.feed(Duration::ZERO, b"ok ok");
    assert_eq!(drive(&mut vm, Duration::ZERO).0, b"SS");
    // A second occurrence that arrives later ends the second wait.
    let mut vm = self::vm(&src);
    vm.feed(Duration::ZERO, b"ok");
    drive(&mut vm, Duration::ZERO);
    vm.feed(secs(3), b" ok");
    assert_eq!(drive(&mut vm, secs(3)).0, b"S");

    // Only through the end of the match: what follows stays, what precedes is gone.
    let src = script(&[
        "waitfor \"bc\" until 0",
        REPORT,
        "waitfor \"de\" until 0",
        REPORT,
        "waitfor \"ab\" until 0",
        REPORT,
    ]);
    let mut vm = self::vm(&src);
    vm.feed(Duration::ZERO, b"abcdef");
    assert_eq!(drive(&mut vm, Duration::ZERO).0, b"SSF");
}

#[test]
fn a_pattern_split_across_pieces_matches() {
    let src = script(&["waitfor \"Password:\" until 30", REPORT]);
    let mut vm = vm(&src);
    for (i, piece) in [&b"Pas"[..], b"sw", b"o", b"rd", b":"].iter().enumerate() {
        assert!(matches!(
            drive(&mut vm, secs(i as u64)).1,
            Action::Wait { .. }
        ));
        vm.feed(secs(i as u64), piece);
    }
    assert_eq!(drive(&mut vm, secs(5)).0, b"S");
}

#[test]
fn waitfor_patterns_are_translated() {
    let src = script(&["waitfor \"<cr><lf>ok^M\" until 0", REPORT]);
    let mut vm = vm(&src);
    vm.feed(Duration::ZERO, b"\r\nok\r");
    assert_eq!(drive(&mut vm, Duration::ZERO).0, b"S");
    let mut vm = self::vm(&src);
    vm.feed(Duration::ZERO, b"<cr><lf>ok^M");
    assert_eq!(drive(&mut vm, Duration::ZERO).0, b"F");
}

#[test]
fn an_empty_string_is_there_at_once() {
    let src = script(&["waitfor \"\" until 10", REPORT]);
    assert_eq!(run_to_end(&src), "S");
}

// ---------------------------------------------------------------------------------------------
// getip

#[test]
fn getip_reads_the_first_address_and_sets_success() {
    let src = script(&[
        "string a",
        "a = getip",
        "if $SUCCESS then",
        " transmit a + \"|\"",
        "endif",
    ]);
    let mut vm = vm(&src);
    vm.feed(Duration::ZERO, b"Your address is 10.0.0.2.\r\n");
    assert_eq!(drive(&mut vm, Duration::ZERO).0, b"10.0.0.2|");
}

#[test]
fn getip_2_reads_the_second_address() {
    let src = script(&["transmit (getip 2) + \"|\"", "transmit getip"]);
    let mut vm = vm(&src);
    vm.feed(
        Duration::ZERO,
        b"Annex 192.168.1.1, you 192.168.1.77; gateway 10.9.8.7\r\n",
    );
    // `getip 2` consumes through the second address, so a plain `getip` then reads the third.
    assert_eq!(drive(&mut vm, Duration::ZERO).0, b"192.168.1.77|10.9.8.7");
}

#[test]
fn getip_waits_for_an_address_to_complete() {
    let limits = Limits {
        run_deadline: Some(secs(100)),
        ..Limits::default()
    };
    let mut vm = vm_with(&script(&["set ipaddr getip"]), limits);
    // Nothing yet: `getip` has no timeout of its own, only the run deadline ends it.
    assert_eq!(
        vm.poll(Duration::ZERO),
        Action::Wait {
            until: Some(secs(100))
        }
    );
    for (t, piece) in [(1, &b"address 10.0."[..]), (2, b"0."), (3, b"2"), (4, b".")] {
        vm.feed(secs(t), piece);
        assert!(
            matches!(vm.poll(secs(t)), Action::Wait { .. }),
            "complete too early after {piece:?}"
        );
    }
    // A dot followed by a non-digit ends a sentence, not the address.
    vm.feed(secs(5), b" ");
    assert_eq!(vm.poll(secs(5)), Action::SetIpAddr(b"10.0.0.2".to_vec()));
    assert_eq!(vm.poll(secs(5)), Action::Done(Outcome::Completed));
    let events = vm.take_events();
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::GotAddress(b"10.0.0.2".to_vec()))
    );

    // More digits make it something else: a fifth part or a long octet is no address.
    let mut vm = vm_with(&script(&["set ipaddr getip"]), limits);
    vm.feed(Duration::ZERO, b"1.2.3.4.5 1234.1.1.1 ");
    assert!(matches!(vm.poll(Duration::ZERO), Action::Wait { .. }));
    assert_eq!(vm.poll(secs(100)), Action::Done(Outcome::TimedOut));
}

#[test]
fn getip_with_an_index_below_1_is_a_runtime_error() {
    let src = script(&["integer n = 0", "transmit getip n"]);
    let mut vm = vm(&src);
    match drive(&mut vm, Duration::ZERO).1 {
        Action::Done(Outcome::RuntimeError { code, span, .. }) => {
            assert_eq!(code.code, "DS302");
            assert_eq!(text_at(&src, span), "transmit getip n");
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// delay and control flow

#[test]
fn delay_waits_whole_seconds() {
    let src = script(&[
        "integer x = 2",
        "transmit \"a\"",
        "delay x * 3",
        "transmit \"b\"",
        "delay 0",
        "delay -4",
        "transmit \"c\"",
    ]);
    let mut vm = vm(&src);
    assert_eq!(vm.poll(secs(1)), Action::Transmit(b"a".to_vec()));
    assert_eq!(
        vm.poll(secs(1)),
        Action::Wait {
            until: Some(secs(7))
        }
    );
    // Input does not shorten a delay.
    vm.feed(secs(2), b"hello");
    assert_eq!(
        vm.poll(secs(2)),
        Action::Wait {
            until: Some(secs(7))
        }
    );
    assert_eq!(
        vm.poll(secs(7) - Duration::from_nanos(1)),
        Action::Wait {
            until: Some(secs(7))
        }
    );
    // Zero and negative delays do not wait.
    let (sent, action) = drive(&mut vm, secs(7));
    assert_eq!(sent, b"bc");
    assert_eq!(action, Action::Done(Outcome::Completed));
    let delays: Vec<i32> = vm
        .take_events()
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Delay(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(delays, [6, 0, -4]);
}

#[test]
fn goto_into_a_while_body() {
    let src = script(&[
        "integer n = 0",
        "goto Inside",
        "while n < 3 do",
        " transmit \"a\"",
        "Inside:",
        " transmit \"b\"",
        " n = n + 1",
        "endwhile",
        "transmit \"e\"",
    ]);
    // The jump skips the first test and the first `a`; `endwhile` still goes to the test.
    assert_eq!(run_to_end(&src), "bababe");
}

#[test]
fn goto_out_of_a_while_body_and_into_an_if_body() {
    let src = script(&[
        "integer n = 0",
        "while TRUE do",
        " n = n + 1",
        " if n == 4 then",
        "  goto Out",
        " endif",
        " transmit \"l\"",
        "endwhile",
        "Out:",
        "goto Deep",
        "if FALSE then",
        " transmit \"never\"",
        "Deep:",
        " transmit \"deep\"",
        "endif",
    ]);
    assert_eq!(run_to_end(&src), "llldeep");
}

#[test]
fn nested_ifs_and_whiles() {
    let src = script(&[
        "integer i = 0",
        "integer j",
        "while i < 3 do",
        " j = 0",
        " while j < i do",
        "  if j == 1 then",
        "   transmit \"x\"",
        "  endif",
        "  if j != 1 then",
        "   if i == 2 then",
        "    transmit \"Y\"",
        "   endif",
        "   if i != 2 then",
        "    transmit \"y\"",
        "   endif",
        "  endif",
        "  j = j + 1",
        " endwhile",
        " transmit \"|\"",
        " i = i + 1",
        "endwhile",
        "while FALSE do",
        " transmit \"never\"",
        "endwhile",
    ]);
    assert_eq!(run_to_end(&src), "|y|Yx|");
}

#[test]
fn halt_stops_the_script() {
    let src = script(&[
        "transmit \"a\"",
        "while TRUE do",
        " halt",
        "endwhile",
        "transmit \"b\"",
    ]);
    let mut vm = vm(&src);
    let (sent, action) = drive(&mut vm, Duration::ZERO);
    assert_eq!(sent, b"a");
    assert_eq!(action, Action::Done(Outcome::Halted));
    // It stays over.
    assert_eq!(vm.poll(secs(1)), Action::Done(Outcome::Halted));
    assert_eq!(vm.outcome(), Some(&Outcome::Halted));
}

#[test]
fn declarations_initialise_where_they_run() {
    let src = script(&[
        "integer a",
        "string s",
        "boolean b",
        "integer c = a + 5",
        "if a == 0 and s == \"\" and !b and c == 5 then",
        " transmit \"defaults\"",
        "endif",
    ]);
    assert_eq!(run_to_end(&src), "defaults");
}

// ---------------------------------------------------------------------------------------------
// Operators

/// Checks that each boolean expression is TRUE, given some declarations. The expressions are
/// evaluated at run time where they use variables, and folded where they use constants only,
/// so both paths are covered.
fn assert_all_true(decls: &[&str], exprs: &[&str]) {
    let mut lines: Vec<String> = decls.iter().map(|d| d.to_string()).collect();
    lines.push("boolean b".to_string());
    for e in exprs {
        lines.push(format!("b = {e}"));
        lines.push("if b then\n transmit \"1\"\nendif\nif !b then\n transmit \"0\"\nendif".into());
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let sent = run_to_end(&script(&refs));
    for (e, bit) in exprs.iter().zip(sent.chars()) {
        assert_eq!(bit, '1', "`{e}` is FALSE");
    }
    assert_eq!(sent.len(), exprs.len());
}

#[test]
fn integer_arithmetic_wraps_at_32_bits() {
    assert_all_true(
        &[
            "integer max = 2147483647",
            "integer min = -2147483648",
            "integer one = 1",
            "integer big = 65536",
            "integer m1 = -1",
        ],
        &[
            "max + one == min",
            "min - one == max",
            "big * big == 0",
            "max * 2 == -2",
            "-min == min",
            "min / m1 == min",
            "max + 1 == -2147483648",
            "2147483647 + 1 == -2147483648",
            "-2147483648 - 1 == 2147483647",
            "65536 * 65536 == 0",
        ],
    );
}

#[test]
fn integer_operators() {
    assert_all_true(
        &["integer x = 7", "integer y = -2", "integer z = 0"],
        &[
            "x + y == 5",
            "x - y == 9",
            "x * y == -14",
            // Division truncates toward zero.
            "x / 2 == 3",
            "x / y == -3",
            "-x / 2 == -3",
            "z / x == 0",
            "-x == -7",
            "- -x == 7",
            "-(x + y) == -5",
            // Precedence and left associativity.
            "1 + 2 * 3 == 7",
            "(1 + 2) * 3 == 9",
            "10 - 4 - 3 == 3",
            "100 / 10 / 5 == 2",
            "x - y * 2 + 1 == 12",
            "2 * -3 == -6",
            // Relations.
            "x > y",
            "y < x",
            "x >= 7",
            "x <= 7",
            "!(x < 7)",
            "!(x > 7)",
            "x != y",
            "!(x == y)",
            "x + 1 > x",
        ],
    );
}

#[test]
fn complement_on_integers_is_bitwise() {
    assert_all_true(
        &[
            "integer z = 0",
            "integer x = 5",
            "integer min = -2147483648",
        ],
        &[
            "!z == -1",
            "!x == -6",
            "!!x == x",
            "!min == 2147483647",
            "!-1 == 0",
            "!0 == -1",
        ],
    );
}

#[test]
fn boolean_operators() {
    assert_all_true(
        &["boolean t = TRUE", "boolean f = FALSE"],
        &[
            "t",
            "!f",
            "t and t",
            "!(t and f)",
            "!(f and t)",
            "t or f",
            "f or t",
            "!(f or f)",
            "t == t",
            "f == f",
            "t != f",
            "!(t == f)",
            "!!t",
            // `and` binds tighter than `or`.
            "t or f and f",
            "!(f and f or f)",
            "(t or f) and t",
            "TRUE == t",
            "FALSE != t",
            "1 < 2 and 3 > 2 == TRUE",
        ],
    );
}

#[test]
fn string_operators() {
    assert_all_true(
        &[
            "string a = \"ab\"",
            "string c = \"cd\"",
            "string e",
            "string cr = \"^M\"",
        ],
        &[
            "a + c == \"abcd\"",
            "a + c != \"ab cd\"",
            "a + a + a == \"ababab\"",
            "e + a == a",
            "a + e == a",
            "e == \"\"",
            // Comparison is byte for byte: case matters, and the text is not translated.
            "\"ABC\" != \"abc\"",
            "cr == \"^M\"",
            "cr != \"<cr>\"",
            "\"^M\" != \"^m\"",
            "$USERID == \"alice\"",
            "$USERID + \"!\" == \"alice!\"",
        ],
    );
}

#[test]
fn and_or_short_circuit() {
    // `getip` on the right would wait for ever; the left side decides first.
    let src = script(&[
        "boolean b",
        "b = FALSE and getip == \"1.2.3.4\"",
        "b = TRUE or getip == \"1.2.3.4\"",
        "if b then",
        " transmit \"done\"",
        "endif",
    ]);
    assert_eq!(run_to_end(&src), "done");
}

#[test]
fn division_by_zero_is_a_runtime_error_at_its_statement() {
    let src = script(&[
        "integer z = 0",
        "integer x = 10",
        "transmit \"before\"",
        "x = x / (z * 3)",
        "transmit \"after\"",
    ]);
    let mut vm = vm(&src);
    let (sent, action) = drive(&mut vm, secs(3));
    assert_eq!(sent, b"before");
    match action {
        Action::Done(Outcome::RuntimeError {
            code,
            message,
            span,
        }) => {
            assert_eq!(code.code, "DS301");
            assert_eq!(code.name, "runtime-division-by-zero");
            assert!(message.contains("division by zero"), "{message}");
            assert_eq!(text_at(&src, span), "x = x / (z * 3)");
        }
        other => panic!("{other:?}"),
    }
    // Division by zero inside a condition is reported at the `if`.
    let src = script(&[
        "integer z = 0",
        "if 1 / z == 0 then",
        " transmit \"never\"",
        "endif",
    ]);
    let mut vm = self::vm(&src);
    match drive(&mut vm, Duration::ZERO).1 {
        Action::Done(Outcome::RuntimeError { code, span, .. }) => {
            assert_eq!(code.code, "DS301");
            assert!(text_at(&src, span).starts_with("if 1 / z == 0 then"));
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Limits

#[test]
fn the_run_deadline_ends_a_wait_for_ever() {
    let limits = Limits {
        run_deadline: Some(secs(30)),
        ..Limits::default()
    };
    let mut vm = vm_with(&script(&["waitfor \"never\"", "transmit \"x\""]), limits);
    assert_eq!(
        vm.poll(Duration::ZERO),
        Action::Wait {
            until: Some(secs(30))
        }
    );
    vm.feed(secs(10), b"something else");
    assert!(matches!(vm.poll(secs(10)), Action::Wait { .. }));
    assert_eq!(vm.poll(secs(30)), Action::Done(Outcome::TimedOut));
    // A wait's own timeout later than the deadline is cut to the deadline, and so is a delay.
    let mut vm = vm_with(&script(&["waitfor \"x\" until 100", "delay 100"]), limits);
    assert_eq!(
        vm.poll(Duration::ZERO),
        Action::Wait {
            until: Some(secs(30))
        }
    );
    let mut vm = vm_with(&script(&["delay 100"]), limits);
    assert_eq!(
        vm.poll(secs(1)),
        Action::Wait {
            until: Some(secs(30))
        }
    );
    assert_eq!(vm.poll(secs(31)), Action::Done(Outcome::TimedOut));
    // Without a deadline a wait for ever says so.
    let limits = Limits {
        run_deadline: None,
        ..Limits::default()
    };
    let mut vm = vm_with(&script(&["waitfor \"never\""]), limits);
    assert_eq!(vm.poll(Duration::ZERO), Action::Wait { until: None });
}

#[test]
fn a_spin_loop_yields_and_can_be_cancelled() {
    let limits = Limits {
        instructions_per_poll: 1000,
        run_deadline: None,
        ..Limits::default()
    };
    for body in [
        &["while TRUE do", "endwhile"][..],
        &["Spin:", "goto Spin"],
        &[
            "integer n",
            "while n >= 0 or n < 0 do",
            " n = n + 1",
            "endwhile",
        ],
        // Waits that end at once, and delays of nothing, must not stop the budget.
        &["while TRUE do", " waitfor \"x\" until 0", "endwhile"],
        &["while TRUE do", " waitfor \"\"", "endwhile"],
        &["while TRUE do", " delay 0", "endwhile"],
    ] {
        let mut vm = vm_with(&script(body), limits);
        for _ in 0..3 {
            assert_eq!(vm.poll(Duration::ZERO), Action::Yield, "{body:?}");
            vm.take_events();
        }
        vm.cancel();
        assert_eq!(vm.poll(Duration::ZERO), Action::Done(Outcome::Cancelled));
        assert_eq!(vm.outcome(), Some(&Outcome::Cancelled));
    }
    // With a deadline, a spin loop ends at it as soon as the host polls past it.
    let limits = Limits {
        instructions_per_poll: 1000,
        run_deadline: Some(secs(5)),
        ..Limits::default()
    };
    let mut vm = vm_with(&script(&["while TRUE do", "endwhile"]), limits);
    assert_eq!(vm.poll(secs(4)), Action::Yield);
    assert_eq!(vm.poll(secs(5)), Action::Done(Outcome::TimedOut));
}

#[test]
fn line_failure_ends_the_run() {
    let mut vm = vm(&script(&["waitfor \"x\" until 10"]));
    assert!(matches!(vm.poll(Duration::ZERO), Action::Wait { .. }));
    vm.line_failure(secs(2), "carrier lost");
    assert_eq!(
        vm.poll(secs(2)),
        Action::Done(Outcome::LineFailure("carrier lost".to_string()))
    );
}

#[test]
fn the_receive_buffer_stays_bounded_under_a_flood() {
    // 10 MB of noise that never matches, in 4 KiB pieces, while the script waits; then the
    // prompt. The VM must still see it, and must not have kept the flood.
    let src = script(&["waitfor \"CONNECTED\" until 1000", REPORT]);
    let mut vm = vm(&src);
    vm.record_events(false);
    assert!(matches!(vm.poll(Duration::ZERO), Action::Wait { .. }));
    let piece = vec![b'x'; 4096];
    let mut total = 0;
    let mut t = Duration::ZERO;
    while total < 10 << 20 {
        t += millis(1);
        vm.feed(t, &piece);
        total += piece.len();
        // Poll only now and then, as a busy host would; the VM must cope with both.
        if total % (256 << 10) == 0 {
            assert!(matches!(vm.poll(t), Action::Wait { .. }));
        }
    }
    vm.feed(t, b"CONNEC");
    vm.feed(t, b"TED\r\n");
    assert_eq!(drive(&mut vm, t).0, b"S");

    // The same flood while the script is not waiting (during a delay) is cut as well, and
    // the prompt after it is found by the next `waitfor`.
    let src = script(&["delay 5", "waitfor \"CONNECTED\" until 0", REPORT]);
    let mut vm = self::vm(&src);
    vm.record_events(false);
    assert!(matches!(vm.poll(Duration::ZERO), Action::Wait { .. }));
    let big = vec![b'y'; 10 << 20];
    vm.feed(secs(1), &big);
    drop(big);
    vm.feed(secs(2), b"CONNECTED");
    assert_eq!(drive(&mut vm, secs(5)).0, b"S");
}

#[test]
fn building_a_string_past_the_limit_is_a_runtime_error() {
    let src = script(&[
        "string s = \"x\"",
        "while TRUE do",
        " s = s + s",
        "endwhile",
    ]);
    let mut vm = vm(&src);
    match drive(&mut vm, Duration::ZERO).1 {
        Action::Done(Outcome::RuntimeError {
            code,
            message,
            span,
        }) => {
            assert_eq!(code.code, "DS303");
            assert!(message.contains("65536"), "{message}");
            assert_eq!(text_at(&src, span), "s = s + s");
        }
        other => panic!("{other:?}"),
    }
    // A smaller limit, reached inside an expression.
    let limits = Limits {
        max_string: 8,
        ..Limits::default()
    };
    let src = script(&["string s = \"12345\"", "transmit \"<\" + s + s + \">\""]);
    let mut vm = vm_with(&src, limits);
    match drive(&mut vm, Duration::ZERO).1 {
        Action::Done(Outcome::RuntimeError { code, span, .. }) => {
            assert_eq!(code.code, "DS303");
            assert_eq!(text_at(&src, span), "transmit \"<\" + s + s + \">\"");
        }
        other => panic!("{other:?}"),
    }
    // Exactly at the limit is fine.
    let mut vm = vm_with(&script(&["string s = \"1234\"", "transmit s + s"]), limits);
    assert_eq!(drive(&mut vm, Duration::ZERO).0, b"12341234");
}

// ---------------------------------------------------------------------------------------------
// Credentials and translation

#[test]
fn the_password_goes_out_byte_exact_with_raw_and_never_shows() {
    let src = script(&[
        "waitfor \"assword:\" until 30",
        "transmit $PASSWORD, raw",
        "transmit \"^M\"",
        "waitfor \"$ \" until 30",
        REPORT,
    ]);
    let mut vm = vm(&src);
    let mut events = Vec::new();
    assert!(matches!(vm.poll(Duration::ZERO), Action::Wait { .. }));
    vm.feed(secs(1), b"Password: ");
    assert_eq!(vm.poll(secs(1)), Action::Transmit(PASSWORD.to_vec()));
    assert_eq!(vm.poll(secs(1)), Action::Transmit(b"\r".to_vec()));
    // The peer echoes the password back, split at awkward places.
    let mut echo = PASSWORD.to_vec();
    echo.extend_from_slice(b"\r\n$ ");
    for (i, piece) in echo.chunks(3).enumerate() {
        vm.feed(secs(2) + millis(i as u64), piece);
        events.extend(vm.take_events());
    }
    let (sent, action) = drive(&mut vm, secs(3));
    assert_eq!(sent, b"S");
    assert_eq!(action, Action::Done(Outcome::Completed));
    events.extend(vm.take_events());
    assert_no_password(&events);
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::Sent(b"********".to_vec()))
    );
    assert_eq!(received(&events), b"Password: ********\r\n$ ");
}

#[test]
fn the_password_is_masked_one_byte_at_a_time_and_when_the_run_ends_mid_echo() {
    let src = script(&["waitfor \"end\" until 30"]);
    let mut vm = vm(&src);
    let mut events = Vec::new();
    assert!(matches!(vm.poll(Duration::ZERO), Action::Wait { .. }));
    let mut input = b"pw: ".to_vec();
    input.extend_from_slice(PASSWORD);
    input.extend_from_slice(b" again ");
    // Only a prefix of the password at the end: it is not the password, so it shows.
    input.extend_from_slice(&PASSWORD[..4]);
    for (i, b) in input.iter().enumerate() {
        vm.feed(millis(i as u64), &[*b]);
        events.extend(vm.take_events());
    }
    assert_eq!(drive(&mut vm, secs(30)).1, Action::Done(Outcome::Completed));
    events.extend(vm.take_events());
    assert_no_password(&events);
    let mut expected = b"pw: ******** again ".to_vec();
    expected.extend_from_slice(&PASSWORD[..4]);
    assert_eq!(received(&events), expected);
}

#[test]
fn the_password_never_shows_in_any_event() {
    // Every way a script can put the password into an event: sent raw and translated, inside
    // a longer string, as a `waitfor` string, and echoed back translated.
    let src = script(&[
        "string s",
        "s = \"pw=\" + $PASSWORD + \";\"",
        "transmit $PASSWORD",
        "transmit s, raw",
        "transmit s",
        "waitfor $PASSWORD then Got, \"x\" + $PASSWORD then Got until 5",
        "Got:",
        "waitfor s until 0",
        "halt",
    ]);
    let mut vm = vm(&src);
    let translated = dialscript_syntax::translate(PASSWORD);
    // Not raw: the translation is what goes out.
    assert_eq!(
        vm.poll(Duration::ZERO),
        Action::Transmit(translated.clone())
    );
    let (sent, _) = drive(&mut vm, Duration::ZERO);
    let mut raw = b"pw=".to_vec();
    raw.extend_from_slice(PASSWORD);
    raw.push(b';');
    assert!(contains(&sent, &raw), "raw sends the variable as it is");
    vm.feed(secs(1), &translated);
    vm.feed(secs(1), b"\r\n");
    assert_eq!(drive(&mut vm, secs(5)).1, Action::Done(Outcome::Halted));
    assert_no_password(&vm.take_events());
}

#[test]
fn an_address_that_is_the_password_is_masked_in_events_only() {
    let secret = b"10.9.8.7";
    let c = Credentials {
        user: USER.to_vec(),
        password: secret.to_vec(),
        mask_user: false,
    };
    let mut vm = Vm::new(
        program(&script(&["set ipaddr getip"])),
        c,
        Limits::default(),
    );
    vm.feed(Duration::ZERO, b"your address is 10.9.8.7\r\n");
    // The host gets the address itself; the transcript does not.
    assert_eq!(vm.poll(Duration::ZERO), Action::SetIpAddr(secret.to_vec()));
    assert_eq!(vm.poll(Duration::ZERO), Action::Done(Outcome::Completed));
    for e in vm.take_events() {
        for p in payloads(&e) {
            assert!(!contains(&p, secret), "{e:?}");
        }
    }
}

#[test]
fn the_user_name_is_masked_when_asked() {
    let mut c = creds();
    c.mask_user = true;
    let mut vm = Vm::new(
        program(&script(&["transmit $USERID, raw", "waitfor \"x\" until 1"])),
        c,
        Limits::default(),
    );
    assert_eq!(vm.poll(Duration::ZERO), Action::Transmit(USER.to_vec()));
    vm.feed(Duration::ZERO, b"hello alice");
    drive(&mut vm, secs(1));
    for e in vm.take_events() {
        for p in payloads(&e) {
            assert!(!contains(&p, USER), "{e:?}");
        }
    }
}

#[test]
fn transmit_translates_unless_raw() {
    let src = script(&[
        "string v = \"v^M\"",
        "transmit \"a^Mb<cr><lf>^[x\\\"q\\^M\\<cr>\\\\\"",
        "transmit \"|\"",
        "transmit \"^m^j^@^1^ <tab><CR>\"",
        "transmit \"|\"",
        "transmit \"^M<cr>\", raw",
        "transmit \"|\"",
        "transmit v",
        "transmit v, raw",
        "transmit \"|\"",
        "transmit $USERID + \"^M\"",
    ]);
    let sent = {
        let mut vm = vm(&src);
        drive(&mut vm, Duration::ZERO).0
    };
    let parts: Vec<&[u8]> = sent.split(|&b| b == b'|').collect();
    assert_eq!(parts[0], b"a\rb\r\n\x1bx\"q^M<cr>\\");
    // `^` with a digit or a space stays; an unknown `<...>` stays; `<CR>` is accepted.
    assert_eq!(parts[1], b"\r\n\x00^1^ <tab>\r");
    assert_eq!(parts[2], b"^M<cr>");
    assert_eq!(parts[3], b"v\rv^M");
    assert_eq!(parts[4], b"alice\r");
}
