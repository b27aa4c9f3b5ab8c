//! The checker's analyses on small scripts: the worst-case duration, which paths count as
//! checked, counted loops, reachability. Each case is a script and what the checker must say.

use dialscript_check::{Options, check};

/// Codes of the diagnostics for `body` wrapped in `proc main`, and the duration bound.
fn run(body: &str) -> (Vec<&'static str>, Option<u64>) {
    let src = format!("proc main\n{body}\nendproc\n");
    let parse = dialscript_syntax::parse(src.as_bytes());
    assert!(
        parse.diagnostics.is_empty(),
        "syntax errors in test script: {:?}",
        parse.diagnostics
    );
    let checked = check(&parse, src.as_bytes(), &Options::default());
    (
        checked.diagnostics.iter().map(|d| d.code.code).collect(),
        checked.max_duration,
    )
}

fn duration(body: &str) -> Option<u64> {
    run(body).1
}

fn codes(body: &str) -> Vec<&'static str> {
    run(body).0
}

#[test]
fn durations_add_up_along_the_worst_path() {
    assert_eq!(
        duration("waitfor \"a\" until 90\nif $SUCCESS then\ndelay 5\nendif"),
        Some(95)
    );
    // The longer branch counts.
    assert_eq!(
        duration(
            "waitfor \"a\" until 10\nif $SUCCESS then\ndelay 5\nendif\nif $FAILURE then\ndelay 50\nendif"
        ),
        Some(65)
    );
    // Constant variables count as their value; negative delays wait nothing.
    assert_eq!(
        duration("integer t = 30\nwaitfor \"a\" until t\ndelay -5\nif $FAILURE then\nhalt\nendif"),
        Some(30)
    );
    assert_eq!(duration("delay 2 * 3 + 1"), Some(7));
}

#[test]
fn a_wait_without_bound_makes_the_script_unbounded() {
    assert_eq!(duration("waitfor \"a\""), None);
    assert!(codes("waitfor \"a\"").contains(&"DS208"));
    // A variable that changes is not a known timeout.
    assert_eq!(
        duration("integer t = 3\nt = t * 2\nwaitfor \"a\" until t\nif $FAILURE then\nhalt\nendif"),
        None
    );
    // Paths that cannot run do not count.
    assert_eq!(
        duration("if FALSE then\nwaitfor \"a\"\nendif\ndelay 1"),
        Some(1)
    );
}

#[test]
fn counted_loops_are_bounded() {
    let body = "integer n = 3\nwhile n > 0 do\nwaitfor \"a\" until 10\nif $SUCCESS then\ngoto Out\nendif\nn = n - 1\nendwhile\nOut:";
    let d = duration(body).expect("bounded");
    // Three passes of 10 s at least; the bound allows for the way in and out as well.
    assert!((30..=60).contains(&d), "{d}");
    let up = "integer i = 0\nwhile i < 5 do\ndelay 2\ni = i + 1\nendwhile";
    let d = duration(up).expect("bounded");
    assert!((10..=20).contains(&d), "{d}");
    assert!(!codes(up).contains(&"DS207"));
    assert!(!codes(up).contains(&"DS208"));
    // Five passes of 2 s; a `goto` into the body (not to the test) allows one pass more.
    assert_eq!(duration(up), Some(10));
    let entered = "integer i = 0\ngoto In\nwhile i < 5 do\nIn:\ndelay 2\ni = i + 1\nendwhile";
    assert_eq!(duration(entered), Some(12));
    // A `goto` that leaves the loop does not enter it.
    let left = "integer i = 0\nwhile i < 5 do\ndelay 2\ni = i + 1\nif i > 9 then\ngoto Out\nendif\nendwhile\nOut:";
    assert_eq!(duration(left), Some(10));
}

#[test]
fn loops_without_counter_are_unbounded() {
    assert_eq!(
        duration("while TRUE do\nwaitfor \"RING\" until 60\nendwhile"),
        None
    );
    // A counter that the loop also resets does not bound it.
    assert_eq!(
        duration("integer n = 3\nwhile n > 0 do\ndelay 1\nn = n - 1\nn = 3\nendwhile"),
        None
    );
    // A counter moving away from its bound does not bound it.
    assert_eq!(
        duration("integer n = 3\nwhile n > 0 do\ndelay 1\nn = n + 1\nendwhile"),
        None
    );
}

#[test]
fn spin_loops() {
    assert!(codes("Again:\ntransmit \"^M\"\ngoto Again").contains(&"DS207"));
    assert!(codes("while TRUE do\ntransmit \"x\"\nendwhile").contains(&"DS207"));
    // Waiting inside the loop makes it no spin loop (it is still unbounded).
    let c =
        codes("Again:\ntransmit \"^M\"\nwaitfor \"ogin:\" then Login until 5\ngoto Again\nLogin:");
    assert!(!c.contains(&"DS207"), "{c:?}");
    assert!(c.contains(&"DS208"), "{c:?}");
    // `delay 0` does not wait.
    assert!(codes("while TRUE do\ndelay 0\nendwhile").contains(&"DS207"));
}

#[test]
fn unchecked_waitfor() {
    assert!(codes("waitfor \"a\" until 5\ntransmit \"x\"").contains(&"DS202"));
    assert!(codes("waitfor \"a\" until 5").contains(&"DS202"));
    assert!(
        codes("waitfor \"a\" until 5\nwaitfor \"b\" until 5\nif $SUCCESS then\nendif")
            .contains(&"DS202")
    );
    assert!(
        !codes("waitfor \"a\" until 5\nif $SUCCESS then\ntransmit \"x\"\nendif").contains(&"DS202")
    );
    assert!(
        !codes("waitfor \"a\" until 5\nif $FAILURE then\nhalt\nendif\ntransmit \"x\"")
            .contains(&"DS202")
    );
    // Every string has a label: falling through is the timeout, so it counts as checked.
    assert!(!codes("waitfor \"a\" then A until 5\nhalt\nA:\ntransmit \"x\"").contains(&"DS202"));
    // Saving the result for later counts as testing it.
    assert!(
        !codes("boolean ok\nwaitfor \"a\" until 5\nok = $SUCCESS\nif ok then\nendif")
            .contains(&"DS202")
    );
    // Halting is a fine reaction to anything.
    assert!(!codes("waitfor \"a\" until 5\nhalt").contains(&"DS202"));
}

#[test]
fn getip_guards() {
    assert!(codes("set ipaddr getip").contains(&"DS209"));
    let guarded = "waitfor \"address is\" until 30\nif $SUCCESS then\nset ipaddr getip\nendif";
    assert!(!codes(guarded).contains(&"DS209"));
    assert_eq!(duration(guarded), Some(30));
    // Tested, but on the wrong branch.
    assert!(
        codes("waitfor \"address is\" until 30\nif $FAILURE then\nset ipaddr getip\nendif")
            .contains(&"DS209")
    );
    // Reached on one path without the guard.
    let c = codes("waitfor \"x\" then Go until 30\nGo:\nset ipaddr getip\n");
    assert!(c.contains(&"DS209"), "{c:?}");
    // A `getip` statement of its own waits as long as one in an expression.
    assert_eq!(duration("getip"), None);
    assert!(codes("getip 2").contains(&"DS209"));
    assert_eq!(
        duration("waitfor \"address is\" until 30\nif $SUCCESS then\ngetip\nendif"),
        Some(30)
    );
    // And it is what an unchecked `waitfor` goes on to.
    assert!(codes("waitfor \"address is\" until 30\ngetip").contains(&"DS202"));
}

#[test]
fn credentials() {
    assert!(
        codes("waitfor \"a\" until 5\nif $SUCCESS then\ntransmit $PASSWORD\nendif")
            .contains(&"DS203")
    );
    assert!(codes("transmit $PASSWORD, raw").contains(&"DS214"));
    let c = codes("waitfor \"assword:\" until 5\nif $SUCCESS then\ntransmit $PASSWORD, raw\nendif");
    assert!(!c.contains(&"DS214") && !c.contains(&"DS203"), "{c:?}");
    // Sent blind on one of two paths.
    let c = codes(
        "boolean b\nif b then\nwaitfor \"a\" until 5\nif $FAILURE then\nhalt\nendif\nendif\ntransmit $PASSWORD, raw",
    );
    assert!(c.contains(&"DS214"), "{c:?}");
}

#[test]
fn unreachable_code_is_reported_once_per_run() {
    let c = codes("goto Done\ntransmit \"a\"\ntransmit \"b\"\nDone:");
    assert_eq!(c.iter().filter(|&&x| x == "DS204").count(), 1, "{c:?}");
    assert!(codes("halt\ndelay 1").contains(&"DS204"));
    assert!(codes("while TRUE do\nwaitfor \"a\" until 5\nendwhile\ndelay 1").contains(&"DS204"));
    // Jumping into a loop body reaches it.
    let c =
        codes("integer n = 2\ngoto Inside\nwhile n > 0 do\nInside:\ndelay 1\nn = n - 1\nendwhile");
    assert!(!c.contains(&"DS204"), "{c:?}");
}

#[test]
fn jumps_go_to_the_first_definition_of_a_label_in_any_case() {
    // To the second `L:` the worst case would be 100 s; to the first it is 1 s.
    let (c, d) = run("goto l\ndelay 7\nL:\ndelay 1\nhalt\nL:\ndelay 100");
    assert_eq!(d, Some(1), "{c:?}");
    assert!(c.contains(&"DS103"), "{c:?}");
    // A label inside a block is found as well, and a jump to no label goes nowhere.
    assert_eq!(
        duration("goto In\nif $SUCCESS then\ndelay 50\nIn:\ndelay 2\nendif"),
        Some(2)
    );
    assert!(codes("goto Nowhere\ndelay 1").contains(&"DS102"));
}

#[test]
fn types() {
    for bad in [
        "integer n = \"3\"",
        "transmit 5",
        "delay \"x\"",
        "waitfor \"a\" until TRUE",
        "if 1 then\nendif",
        "string s = \"a\" + 1",
        "boolean b = 1 < 2 < 3",
        "boolean b = \"a\" < \"b\"",
        "integer n = -TRUE",
        "set ipaddr 10",
        "string s = getip \"x\"",
    ] {
        assert!(codes(bad).contains(&"DS106"), "no type error for {bad:?}");
    }
    for good in [
        "integer n = 3 * (4 - 1) / 2\ndelay n",
        "string s = \"a\" + \"b\"\ntransmit s",
        "boolean b = \"a\" == \"b\" and 1 != 2 or !$SUCCESS\nif b then\nendif",
        "integer n = -2147483648\ndelay n",
    ] {
        assert!(
            !codes(good).contains(&"DS106"),
            "type error for {good:?}: {:?}",
            codes(good)
        );
    }
    assert!(codes("integer n = 2147483648\ndelay n").contains(&"DS110"));
    assert!(codes("integer n = 4 / 0\ndelay n").contains(&"DS109"));
}

#[test]
fn names() {
    assert!(codes("goto Nowhere").contains(&"DS102"));
    assert!(codes("A:\na:\ngoto A").contains(&"DS103"));
    assert!(codes("n = 1").contains(&"DS104"));
    assert!(codes("n = 1\ninteger n").contains(&"DS104"));
    assert!(codes("integer n\nstring N\ndelay n").contains(&"DS105"));
    assert!(codes("$SUCCESS = TRUE").contains(&"DS107"));
    assert!(codes("integer nTries = 1\ndelay ntries").contains(&"DS217"));
}
