//! The simulator: every example script against every built-in ISP as a snapshot of its
//! transcript, determinism, the logins each example is written for, the faults, the serial
//! framing of the CompuServe profile, a property over random programs (every run ends near
//! its deadline, nothing panics, the password never shows), and the profiles in
//! `docs/isp-profiles.md`, which must parse.
//!
//! Each property runs a bounded number of cases so that the file takes a few seconds; set
//! `PROPTEST_CASES` to run more (or fewer).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use dialscript_cli::commands::run::summary;
use dialscript_cli::transcript::{escape, human_line};
use dialscript_sim::{Dial, Entry, Fault, Profile, SimOptions, SimRun, Source, simulate};
use dialscript_syntax::SourceFile;
use dialscript_tests::root;
use dialscript_vm::{Credentials, EventKind, Limits, Outcome, Program};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// The user name of these runs.
const USER: &[u8] = b"alice";
/// An obviously fake password with the characters escape translation would change, so that
/// a script that sends it without `, raw` fails the login.
const PASSWORD: &[u8] = b"fake^M<pw>\\x";

/// The example scripts, sorted by name.
fn examples() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("the examples folder is there")
        .map(|e| e.expect("a readable folder entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "scp"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 6, "{paths:?}");
    paths
}

/// An example by file name, as its source file and compiled program.
fn example(name: &str) -> (SourceFile, Arc<Program>) {
    let path = root().join("examples").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    compiled(&format!("examples/{name}"), bytes)
}

fn compiled(name: &str, bytes: Vec<u8>) -> (SourceFile, Arc<Program>) {
    let program = match dialscript_vm::compile_source(&bytes) {
        Ok(p) => Arc::new(p),
        Err(diags) => panic!("{name} does not compile: {diags:?}"),
    };
    (SourceFile::new(name, bytes), program)
}

fn profile(name: &str) -> Profile {
    Profile::built_in(name).unwrap_or_else(|| panic!("no built-in profile `{name}`"))
}

/// Options for `isp` with the test credentials and `faults`.
fn options(isp: &str, faults: &[Fault]) -> SimOptions {
    let mut o = SimOptions::new(profile(isp));
    o.faults = faults.to_vec();
    o.credentials = Credentials {
        user: USER.to_vec(),
        password: PASSWORD.to_vec(),
        mask_user: false,
    };
    o
}

/// The transcript as `dialscript run` shows it, with a first line naming the run.
fn render(file: &SourceFile, isp: &str, run: &SimRun) -> String {
    let mut text = format!("{} against `{isp}`\n", file.name());
    for e in &run.entries {
        text.push_str(&human_line(file, e));
        text.push('\n');
    }
    text.push_str(&summary(run));
    text.push('\n');
    text
}

/// Every byte string an entry carries.
fn payloads(e: &Entry) -> Vec<Vec<u8>> {
    dialscript_tests::payloads(&e.event)
}

use dialscript_tests::contains;

/// Whether any entry shows the password: as typed, as translated for sending, or escaped the
/// way the transcript writes bytes.
fn shows_password(file: &SourceFile, run: &SimRun) -> Option<String> {
    let forms = [
        PASSWORD.to_vec(),
        dialscript_syntax::translate(PASSWORD),
        escape(PASSWORD).into_bytes(),
        escape(&dialscript_syntax::translate(PASSWORD)).into_bytes(),
    ];
    run.entries.iter().find_map(|e| {
        let line = human_line(file, e).into_bytes();
        let leak = payloads(e)
            .into_iter()
            .chain(std::iter::once(line))
            .any(|p| forms.iter().any(|f| contains(&p, f)));
        leak.then(|| human_line(file, e))
    })
}

fn matched(run: &SimRun) -> Vec<Vec<u8>> {
    run.entries
        .iter()
        .filter_map(|e| match &e.event {
            EventKind::Matched { pattern, .. } => Some(pattern.clone()),
            _ => None,
        })
        .collect()
}

fn received(run: &SimRun) -> Vec<u8> {
    run.entries
        .iter()
        .filter(|e| e.source == Source::Script)
        .filter_map(|e| match &e.event {
            EventKind::Received(b) => Some(b.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Snapshots

#[test]
fn every_example_against_every_built_in_profile() {
    for path in examples() {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 file name");
        let stem = name.trim_end_matches(".scp");
        let (file, program) = example(name);
        for (isp, _) in dialscript_sim::profile::BUILT_IN {
            let run = simulate(Arc::clone(&program), &options(isp, &[]));
            assert_eq!(shows_password(&file, &run), None, "{name} against {isp}");
            insta::assert_snapshot!(format!("{stem}@{isp}"), render(&file, isp, &run));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Determinism

#[test]
fn the_same_seed_gives_the_same_transcript() {
    let (_, program) = example("ozemail.scp");
    for faults in [&[][..], &[Fault::Noise], &[Fault::Noise, Fault::Slow]] {
        let mut o = options("ozemail", faults);
        o.seed = 1234;
        let a = simulate(Arc::clone(&program), &o);
        let b = simulate(Arc::clone(&program), &o);
        assert_eq!(a.entries, b.entries, "{faults:?}");
        assert_eq!((a.end, &a.outcome), (b.end, &b.outcome));
    }
}

#[test]
fn with_noise_different_seeds_give_different_transcripts() {
    let (_, program) = example("ozemail.scp");
    let runs: Vec<Vec<Entry>> = (1..=6)
        .map(|seed| {
            let mut o = options("ozemail", &[Fault::Noise]);
            o.seed = seed;
            simulate(Arc::clone(&program), &o).entries
        })
        .collect();
    assert!(
        runs.iter().any(|r| *r != runs[0]),
        "six seeds gave the same noise"
    );
    // Without noise the seed changes nothing.
    let quiet: Vec<Vec<Entry>> = (1..=3)
        .map(|seed| {
            let mut o = options("ozemail", &[]);
            o.seed = seed;
            simulate(Arc::clone(&program), &o).entries
        })
        .collect();
    assert!(quiet.iter().all(|r| *r == quiet[0]));
}

// ---------------------------------------------------------------------------------------------
// The logins the examples are written for

#[test]
fn each_example_logs_into_its_isp() {
    for (script, isp) in [
        ("ozemail.scp", "ozemail"),
        ("ozemail-no-timeouts.scp", "ozemail"),
        ("unix-login.scp", "unix-login"),
        ("compuserve-7e1.scp", "compuserve"),
        ("slip-getip.scp", "slip-menu"),
        ("retry-loop.scp", "slip-menu"),
    ] {
        let (file, program) = example(script);
        let run = simulate(program, &options(isp, &[]));
        assert!(
            matches!(run.dial, Dial::Connected(_)),
            "{script}: {:?}",
            run.dial
        );
        assert_eq!(
            run.outcome,
            Some(Outcome::Completed),
            "{script} against {isp}:\n{}",
            render(&file, isp, &run)
        );
        assert!(run.logged_in, "{script} against {isp}");
        assert_eq!(shows_password(&file, &run), None);
    }
}

#[test]
fn the_slip_scripts_pass_on_the_announced_address() {
    for script in ["slip-getip.scp", "retry-loop.scp"] {
        let (_, program) = example(script);
        let run = simulate(program, &options("slip-menu", &[]));
        let set: Vec<&EventKind> = run
            .entries
            .iter()
            .map(|e| &e.event)
            .filter(|k| matches!(k, EventKind::SetIpAddr(_)))
            .collect();
        assert_eq!(
            set,
            [&EventKind::SetIpAddr(b"10.1.0.77".to_vec())],
            "{script}"
        );
    }
}

#[test]
fn without_timeouts_a_silent_isp_holds_the_line_until_the_deadline() {
    let deadline = Duration::from_secs(600);
    let (_, program) = example("ozemail-no-timeouts.scp");
    let run = simulate(program, &options("ozemail", &[Fault::SilentAfterConnect]));
    assert_eq!(run.outcome, Some(Outcome::TimedOut));
    let start = run.script_start.expect("the script ran");
    assert_eq!(run.end, start + deadline);
    assert!(!run.logged_in);

    // The fixed script gives up after its own 90 seconds and releases the line.
    let (_, program) = example("ozemail.scp");
    let run = simulate(program, &options("ozemail", &[Fault::SilentAfterConnect]));
    assert_eq!(run.outcome, Some(Outcome::Completed));
    let start = run.script_start.expect("the script ran");
    assert!(run.end < start + Duration::from_secs(120), "{:?}", run.end);
    assert!(!run.logged_in);

    // A shorter deadline is honoured to the instant.
    let (_, program) = example("ozemail-no-timeouts.scp");
    let mut o = options("ozemail", &[Fault::SilentAfterConnect]);
    o.limits.run_deadline = Some(Duration::from_secs(42));
    let run = simulate(program, &o);
    assert_eq!(run.outcome, Some(Outcome::TimedOut));
    assert_eq!(
        run.end,
        run.script_start.expect("ran") + Duration::from_secs(42)
    );
}

#[test]
fn compuserve_read_without_set_port_is_garbled() {
    let body = "\
   transmit \"^M\"
   waitfor \"Host Name:\" until 30
   if $FAILURE then
      goto Failed
   endif
   transmit \"CIS^M\"
   goto Done
Failed:
   halt
Done:
endproc
";
    // At the connection's 8N1 the 7E1 host's parity bits come through as the eighth bit.
    let (file, program) = compiled("no-set-port.scp", format!("proc main\n{body}").into_bytes());
    let run = simulate(program, &options("compuserve", &[]));
    assert_eq!(
        run.outcome,
        Some(Outcome::Halted),
        "{}",
        render(&file, "compuserve", &run)
    );
    assert!(matched(&run).is_empty());
    let got = received(&run);
    assert!(got.iter().any(|&b| b >= 0x80), "{}", escape(&got));
    assert!(!contains(&got, b"Host Name:"));

    // The same script with the port set to 7E1 first sees the prompt.
    let src = format!("proc main\n   set port databits 7\n   set port parity even\n{body}");
    let (_, program) = compiled("set-port.scp", src.into_bytes());
    let run = simulate(program, &options("compuserve", &[]));
    assert_eq!(run.outcome, Some(Outcome::Completed));
    assert_eq!(matched(&run), [b"Host Name:".to_vec()]);
}

// ---------------------------------------------------------------------------------------------
// Faults

#[test]
fn busy_and_no_carrier_fail_the_dial() {
    let (_, program) = example("ozemail.scp");
    for (fault, result) in [(Fault::Busy, "BUSY"), (Fault::NoCarrier, "NO CARRIER")] {
        let run = simulate(Arc::clone(&program), &options("ozemail", &[fault]));
        assert_eq!(run.dial, Dial::Failed(result.to_string()));
        assert_eq!(run.outcome, None, "the script never runs");
        assert_eq!(run.script_start, None);
        assert!(!run.logged_in);
        assert!(run.entries.iter().all(|e| e.source == Source::Dial));
    }
}

#[test]
fn line_drop_is_a_line_failure() {
    for (script, isp) in [
        ("ozemail.scp", "ozemail"),
        ("unix-login.scp", "unix-login"),
        ("ozemail-no-timeouts.scp", "ozemail"),
    ] {
        let (_, program) = example(script);
        let run = simulate(program, &options(isp, &[Fault::LineDrop]));
        assert!(
            matches!(run.outcome, Some(Outcome::LineFailure(_))),
            "{script}: {:?}",
            run.outcome
        );
        assert!(!run.logged_in);
    }
}

#[test]
fn the_echo_fault_never_shows_the_password() {
    for path in examples() {
        let name = path.file_name().and_then(|n| n.to_str()).expect("UTF-8");
        let (file, program) = example(name);
        for (isp, _) in dialscript_sim::profile::BUILT_IN {
            let run = simulate(Arc::clone(&program), &options(isp, &[Fault::Echo]));
            assert_eq!(shows_password(&file, &run), None, "{name} against {isp}");
        }
    }
}

#[test]
fn wrong_password_is_refused_and_the_fixed_script_ends() {
    let (_, program) = example("unix-login.scp");
    let run = simulate(program, &options("unix-login", &[Fault::WrongPassword]));
    assert_eq!(run.outcome, Some(Outcome::Halted));
    assert!(!run.logged_in);
}

// ---------------------------------------------------------------------------------------------
// Scripts that never wait still end

#[test]
fn loops_that_never_wait_reach_the_deadline() {
    // Short, because every virtual second of a loop that records events costs real time.
    let deadline = Duration::from_secs(8);
    for body in [
        "while TRUE do\n set screen keyboard on\nendwhile",
        "while TRUE do\n transmit \"\"\nendwhile",
        "while TRUE do\n set port databits 8\nendwhile",
        "while TRUE do\n delay 0\nendwhile",
        "while TRUE do\n waitfor \"x\" until 0\nendwhile",
        "Spin:\ngoto Spin",
    ] {
        let (_, program) = compiled(
            "spin.scp",
            format!("proc main\n{body}\nendproc\n").into_bytes(),
        );
        let mut o = options("ozemail", &[Fault::SilentAfterConnect]);
        o.limits.run_deadline = Some(deadline);
        let run = simulate(program, &o);
        assert_eq!(run.outcome, Some(Outcome::TimedOut), "{body}");
        let start = run.script_start.expect("ran");
        assert!(
            run.end <= start + deadline + Duration::from_secs(1),
            "{body}"
        );
        // The transcript is bounded as well (800,000 instructions of `delay 0` would record
        // a quarter of a million events).
        assert!(
            run.entries.len() <= dialscript_sim::MAX_ENTRIES + 2,
            "{body}: {} entries",
            run.entries.len()
        );
        if body.contains("delay 0") {
            let cut = run.entries.iter().any(
                |e| matches!(&e.event, EventKind::Note(n) if n.contains("later ones are left out")),
            );
            assert!(cut, "the transcript says where it was cut");
            assert!(matches!(
                run.entries.last().map(|e| &e.event),
                Some(EventKind::Finished(Outcome::TimedOut))
            ));
        }
    }
    // A loop of long sends is paced by the line and stops at the deadline too.
    let src = "proc main\nstring s = \"0123456789abcdef\"\ns = s + s + s + s\ns = s + s + s + s\nwhile TRUE do\n transmit s\nendwhile\nendproc\n";
    let (_, program) = compiled("flood.scp", src.as_bytes().to_vec());
    let mut o = options("ozemail", &[Fault::SilentAfterConnect, Fault::Slow]);
    o.limits.run_deadline = Some(deadline);
    let run = simulate(program, &o);
    assert_eq!(run.outcome, Some(Outcome::TimedOut));
    assert!(run.end <= run.script_start.expect("ran") + deadline + Duration::from_secs(1));
}

// ---------------------------------------------------------------------------------------------
// Random programs

/// `default_cases` cases, unless `PROPTEST_CASES` says otherwise. Failures are not written
/// to regression files: the failing input is in the test's output.
fn config(default_cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// A statement of a generated program. Expressions are already text; labels and jump
/// targets get their names when the program is written out.
#[derive(Debug, Clone)]
enum Stmt {
    /// A statement without blocks or labels.
    Plain(String),
    /// `waitfor` with its cases (string, matchcase, jump target) and `until`.
    Wait {
        cases: Vec<(String, bool, Option<u8>)>,
        until: Option<String>,
    },
    /// `goto` one of the labels.
    Goto(u8),
    /// A label with a fresh name.
    Label,
    /// `if ... then ... endif`.
    If(String, Vec<Stmt>),
    /// `while ... do ... endwhile`.
    While(String, Vec<Stmt>),
}

/// Labels every program has, one before each of its four parts.
const FIXED_LABELS: usize = 4;

/// Integer expressions over `i0` and `i1`. Divisors are variables or non-zero literals, so
/// that the checker's static division-by-zero error (which would stop the compile) cannot
/// occur, while a variable that holds 0 still tests the runtime error.
fn int_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (0i32..40).prop_map(|n| n.to_string()),
        Just("2147483647".to_string()),
        Just("-2147483648".to_string()),
        Just("i0".to_string()),
        Just("i1".to_string()),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(&["+", "-", "*"][..]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (
                inner.clone(),
                prop_oneof![
                    6 => (1i32..9).prop_map(|n| n.to_string()),
                    1 => Just("i0".to_string()),
                    1 => Just("i1".to_string()),
                ]
            )
                .prop_map(|(a, d)| format!("({a} / {d})")),
            inner.clone().prop_map(|a| format!("-({a})")),
            inner.prop_map(|a| format!("!({a})")),
        ]
    })
}

/// Strings the ISPs send, and odd ones.
fn prompt() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("ogin:"),
        Just("sername:"),
        Just("assword:"),
        Just("ervice?"),
        Just("Host Name:"),
        Just("User ID:"),
        Just("annex:"),
        Just("$ "),
        Just("incorrect"),
        Just("<cr><lf>"),
        Just("^M"),
        Just("x"),
        Just(""),
    ]
    .prop_map(|s| format!("\"{s}\""))
}

/// String expressions over `s0`, `s1`, the credentials and `getip`.
fn str_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => prompt(),
        1 => Just("\"p^M\"".to_string()),
        1 => Just("\"slip^M\"".to_string()),
        2 => Just("s0".to_string()),
        1 => Just("s1".to_string()),
        1 => Just("$USERID".to_string()),
        1 => Just("$PASSWORD".to_string()),
        1 => Just("(getip)".to_string()),
        1 => (1i32..3).prop_map(|n| format!("(getip {n})")),
    ];
    leaf.prop_recursive(2, 6, 2, |inner| {
        (inner.clone(), inner).prop_map(|(a, b)| format!("({a} + {b})"))
    })
}

/// Boolean expressions over `b0`, `b1`, `$SUCCESS`, `$FAILURE` and comparisons.
fn bool_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("TRUE".to_string()),
        Just("FALSE".to_string()),
        Just("b0".to_string()),
        Just("b1".to_string()),
        Just("$SUCCESS".to_string()),
        Just("$FAILURE".to_string()),
        (
            int_expr(),
            prop::sample::select(&["<", ">", "<=", ">=", "==", "!="][..]),
            int_expr()
        )
            .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
        (
            str_expr(),
            prop::sample::select(&["==", "!="][..]),
            str_expr()
        )
            .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
    ];
    leaf.prop_recursive(2, 8, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|a| format!("!({a})")),
            (
                inner.clone(),
                prop::sample::select(&["and", "or", "==", "!="][..]),
                inner
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
        ]
    })
}

/// Small `until` and `delay` values, now and then a variable (which may hold anything).
fn seconds() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0i32..40).prop_map(|n| n.to_string()),
        1 => Just("-3".to_string()),
        1 => Just("i0".to_string()),
        1 => int_expr(),
    ]
}

fn simple_stmt() -> impl Strategy<Value = Stmt> {
    let wait = (
        prop::collection::vec((str_expr(), any::<bool>(), any::<u8>()), 1..4),
        any::<bool>(),
        prop::option::weighted(0.8, seconds()),
    )
        .prop_map(|(cases, single_then, until)| {
            // Several strings need a `then` each; a single one may go without.
            let several = cases.len() > 1;
            let cases = cases
                .into_iter()
                .map(|(s, m, t)| (s, m, (several || single_then).then_some(t)))
                .collect();
            Stmt::Wait { cases, until }
        });
    prop_oneof![
        2 => int_expr().prop_map(|e| Stmt::Plain(format!("i0 = {e}"))),
        1 => int_expr().prop_map(|e| Stmt::Plain(format!("i1 = {e}"))),
        2 => str_expr().prop_map(|e| Stmt::Plain(format!("s0 = {e}"))),
        1 => str_expr().prop_map(|e| Stmt::Plain(format!("s1 = {e}"))),
        1 => bool_expr().prop_map(|e| Stmt::Plain(format!("b0 = {e}"))),
        1 => bool_expr().prop_map(|e| Stmt::Plain(format!("b1 = {e}"))),
        4 => (str_expr(), any::<bool>()).prop_map(|(e, raw)| {
            Stmt::Plain(format!("transmit {e}{}", if raw { ", raw" } else { "" }))
        }),
        5 => wait,
        1 => seconds().prop_map(|e| Stmt::Plain(format!("delay {e}"))),
        2 => any::<u8>().prop_map(Stmt::Goto),
        1 => Just(Stmt::Label),
        1 => Just(Stmt::Plain("halt".to_string())),
        1 => prop_oneof![
            Just("set port databits 7"),
            Just("set port databits 8"),
            Just("set port parity even"),
            Just("set port parity none"),
            Just("set port stopbits 1"),
            Just("set screen keyboard on"),
            Just("set screen keyboard off"),
        ]
        .prop_map(|s| Stmt::Plain(s.to_string())),
        1 => str_expr().prop_map(|e| Stmt::Plain(format!("set ipaddr {e}"))),
        1 => (1i32..3).prop_map(|n| Stmt::Plain(format!("getip {n}"))),
    ]
}

fn stmt() -> impl Strategy<Value = Stmt> {
    simple_stmt().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (bool_expr(), prop::collection::vec(inner.clone(), 0..4))
                .prop_map(|(c, body)| Stmt::If(c, body)),
            (bool_expr(), prop::collection::vec(inner, 0..4))
                .prop_map(|(c, body)| Stmt::While(c, body)),
        ]
    })
}

fn count_labels(body: &[Stmt]) -> usize {
    body.iter()
        .map(|s| match s {
            Stmt::Label => 1,
            Stmt::If(_, b) | Stmt::While(_, b) => count_labels(b),
            _ => 0,
        })
        .sum()
}

/// Writes statements out, naming labels in order (`K0`, `K1`, ...) and resolving each jump
/// to one of `names`.
fn write_block(body: &[Stmt], names: &[String], next: &mut usize, depth: usize, out: &mut String) {
    let pad = "   ".repeat(depth);
    let target = |t: u8| &names[t as usize % names.len()];
    for s in body {
        match s {
            Stmt::Plain(text) => out.push_str(&format!("{pad}{text}\n")),
            Stmt::Wait { cases, until } => {
                let list: Vec<String> = cases
                    .iter()
                    .map(|(s, m, t)| {
                        let mut c = s.clone();
                        if *m {
                            c.push_str(", matchcase");
                        }
                        if let Some(t) = t {
                            c.push_str(&format!(" then {}", target(*t)));
                        }
                        c
                    })
                    .collect();
                out.push_str(&format!("{pad}waitfor {}", list.join(", ")));
                if let Some(u) = until {
                    out.push_str(&format!(" until {u}"));
                }
                out.push('\n');
            }
            Stmt::Goto(t) => out.push_str(&format!("{pad}goto {}\n", target(*t))),
            Stmt::Label => {
                out.push_str(&format!("K{}:\n", *next));
                *next += 1;
            }
            Stmt::If(c, b) => {
                out.push_str(&format!("{pad}if {c} then\n"));
                write_block(b, names, next, depth + 1, out);
                out.push_str(&format!("{pad}endif\n"));
            }
            Stmt::While(c, b) => {
                out.push_str(&format!("{pad}while {c} do\n"));
                write_block(b, names, next, depth + 1, out);
                out.push_str(&format!("{pad}endwhile\n"));
            }
        }
    }
}

/// A whole program: declarations, then four parts each after a fixed label.
fn program_text(parts: &[Vec<Stmt>]) -> String {
    let extra: usize = parts.iter().map(|p| count_labels(p)).sum();
    let names: Vec<String> = (0..FIXED_LABELS)
        .map(|i| format!("L{i}"))
        .chain((0..extra).map(|i| format!("K{i}")))
        .collect();
    let mut out = String::from(
        "proc main\n   integer i0 = 3\n   integer i1\n   string s0 = \"ogin:\"\n   string s1\n   boolean b0 = TRUE\n   boolean b1\n",
    );
    let mut next = 0;
    for (i, part) in parts.iter().enumerate() {
        out.push_str(&format!("L{i}:\n"));
        write_block(part, &names, &mut next, 1, &mut out);
    }
    out.push_str("endproc\n");
    out
}

fn program_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::collection::vec(stmt(), 0..5), FIXED_LABELS)
        .prop_map(|parts| program_text(&parts))
}

fn isp_strategy() -> impl Strategy<Value = &'static str> {
    prop::sample::select(
        dialscript_sim::profile::BUILT_IN
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>(),
    )
}

proptest! {
    #![proptest_config(config(64))]

    /// Any well-typed program, against any ISP, faults and seed: the simulation returns, by
    /// the run deadline plus the settling time after `endproc`, and never shows the
    /// password.
    #[test]
    fn random_programs_end_by_the_deadline_and_never_show_the_password(
        src in program_strategy(),
        isp in isp_strategy(),
        faults in prop::sample::subsequence(Fault::ALL.to_vec(), 0..3),
        seed in any::<u64>(),
        deadline in 5u64..150,
    ) {
        let (file, program) = match dialscript_vm::compile_source(src.as_bytes()) {
            Ok(p) => (SourceFile::new("random.scp", src.clone().into_bytes()), Arc::new(p)),
            Err(diags) => panic!("the generator wrote a program that does not compile: {diags:?}\n{src}"),
        };
        let deadline = Duration::from_secs(deadline);
        let mut o = options(isp, &faults);
        o.seed = seed;
        // A small budget per poll keeps loops that never wait cheap: each yield costs a
        // virtual second all the same.
        o.limits = Limits {
            run_deadline: Some(deadline),
            instructions_per_poll: 500,
            ..Limits::default()
        };
        let run = simulate(program, &o);
        match (&run.dial, run.script_start) {
            (Dial::Connected(_), Some(start)) => {
                let outcome = run.outcome.as_ref().expect("a script that ran has an outcome");
                prop_assert_ne!(outcome, &Outcome::Cancelled);
                // Ten seconds of settling after `endproc`, a second for a last yield.
                let limit = start + deadline + Duration::from_secs(12);
                prop_assert!(run.end <= limit, "ended at {:?}, after {:?}\n{}", run.end, limit, src);
                if *outcome == Outcome::TimedOut {
                    prop_assert!(run.end >= start + deadline);
                }
            }
            (Dial::Failed(_), None) => {
                prop_assert_eq!(&run.outcome, &None);
                prop_assert!(run.end <= Duration::from_secs(100));
            }
            other => prop_assert!(false, "dial and start disagree: {:?}", other),
        }
        prop_assert_eq!(shows_password(&file, &run), None, "{}", src);
    }
}

// ---------------------------------------------------------------------------------------------
// The profile documentation

/// Every ```toml block of `docs/isp-profiles.md` is a profile that parses (the documentation
/// says so of each), so the examples there cannot drift from the format.
#[test]
fn every_profile_in_the_docs_parses() {
    let path = root().join("docs").join("isp-profiles.md");
    let text = std::fs::read_to_string(&path).expect("docs/isp-profiles.md is readable");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim_start().starts_with("```toml") => current = Some(String::new()),
            Some(block) if line.trim_start().starts_with("```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    assert!(current.is_none(), "an unclosed ```toml block");
    assert!(blocks.len() >= 2, "found {} toml blocks", blocks.len());
    for block in &blocks {
        if let Err(e) = Profile::parse(block) {
            panic!("a profile in docs/isp-profiles.md does not parse: {e}\n{block}");
        }
    }
}

/// The built-in profiles the documentation lists are the ones there are, and it names every
/// fault.
#[test]
fn the_docs_name_every_built_in_profile_and_fault() {
    let text = std::fs::read_to_string(root().join("docs").join("isp-profiles.md"))
        .expect("docs/isp-profiles.md is readable");
    for (name, _) in dialscript_sim::profile::BUILT_IN {
        assert!(text.contains(&format!("`{name}`")), "{name}");
    }
    for f in Fault::ALL {
        assert!(text.contains(&format!("`{}`", f.name())), "{}", f.name());
    }
}

/// The fenced blocks of `docs/isp-profiles.md` whose info string starts with `lang`.
fn doc_blocks(lang: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("docs").join("isp-profiles.md"))
        .expect("docs/isp-profiles.md is readable");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line.starts_with(&format!("```{lang}")) => current = Some(String::new()),
            Some(block) if line.starts_with("```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// The worked example does what the documentation shows: its profile and script, run the
/// way it says, print the transcript it prints.
#[test]
fn the_worked_example_in_the_docs_runs_as_shown() {
    let profile = doc_blocks("toml")
        .into_iter()
        .find(|b| b.contains("name = \"my-isp\""))
        .expect("the worked example's profile");
    let script = doc_blocks("scp")
        .into_iter()
        .next()
        .expect("the worked example's script");
    let console = doc_blocks("console")
        .into_iter()
        .find(|b| b.contains("dialscript run my-isp.scp"))
        .expect("the worked example's run");
    let shown: Vec<&str> = console.lines().skip(1).collect();

    let dir = std::env::temp_dir().join(format!("dialscript-sim-docs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let (toml, scp, pw) = (
        dir.join("my-isp.toml"),
        dir.join("my-isp.scp"),
        dir.join("password"),
    );
    std::fs::write(&toml, &profile).expect("write the profile");
    std::fs::write(&scp, &script).expect("write the script");
    std::fs::write(&pw, "not-a-real-password\n").expect("write the password");
    let arg = |p: &PathBuf| p.to_str().expect("a UTF-8 temporary path").to_string();
    let (code, out, err) = dialscript_tests::run_cli(&[
        "run",
        &arg(&scp),
        "--isp",
        &arg(&toml),
        "--user",
        "alice",
        "--password-file",
        &arg(&pw),
    ]);
    std::fs::remove_dir_all(&dir).expect("remove the temporary folder");
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(out.lines().collect::<Vec<_>>(), shown);
}
