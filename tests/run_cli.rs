//! `dialscript run` and `dialscript test`, in-process: exit codes, the JSON formats, the
//! transcript file, where the password comes from, and that it never shows.
//!
//! Exit codes of `run`: 0 reached `endproc`, 1 `halt`, 2 usage or a script that does not
//! compile, 3 timed out, 4 the line failed (busy, no carrier, carrier lost), 5 runtime error.
//! `--password-stdin` is not tested here: in-process, standard input is the test runner's.

use std::path::{Path, PathBuf};

use dialscript_cli::transcript::escape;
use dialscript_tests::{root, run_cli};
use serde_json::Value;

/// An obviously fake password with the characters escape translation would change: a script
/// that sends it without `, raw` fails the login, and each way it could leak is easy to find.
const PASSWORD: &str = "fake^M<pw>\\x";

/// A folder under the system's temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    /// A fresh folder; `tag` keeps tests that run at the same time apart.
    fn new(tag: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("dialscript-run-cli-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        TempDir(dir)
    }

    /// Writes `contents` to `name` in the folder; returns its path as an argument.
    fn write(&self, name: &str, contents: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write a temporary file");
        arg(&path)
    }

    fn path(&self, name: &str) -> String {
        arg(&self.0.join(name))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn arg(path: &Path) -> String {
    path.to_str().expect("paths are valid UTF-8").to_string()
}

fn example(name: &str) -> String {
    arg(&root().join("examples").join(name))
}

/// Whether `text` shows the password in any form: as typed, translated for sending, or
/// escaped the way transcripts write bytes.
fn shows_password(text: &str) -> bool {
    let translated = dialscript_syntax::translate(PASSWORD.as_bytes());
    let forms = [
        PASSWORD.to_string(),
        escape(PASSWORD.as_bytes()),
        String::from_utf8_lossy(&translated).into_owned(),
        escape(&translated),
    ];
    forms.iter().any(|f| text.contains(f.as_str()))
}

/// The last line of the output (the result line of a human transcript).
fn last_line(out: &str) -> &str {
    out.lines().last().unwrap_or("")
}

// ---------------------------------------------------------------------------------------------
// Exit codes

#[test]
fn a_completed_run_exits_0() {
    let (code, out, err) = run_cli(&["run", &example("ozemail.scp")]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.starts_with("dialling the simulated ISP `ozemail`"),
        "{out}"
    );
    assert!(
        last_line(&out).contains("completed (reached endproc of main)"),
        "{out}"
    );
    assert!(last_line(&out).contains("the ISP accepted the login"));
    assert!(last_line(&out).ends_with("exit 0"));
    assert_eq!(err, "");
}

#[test]
fn a_halted_run_exits_1() {
    // The Unix login script against the OzEmail ISP never sees `login:` and halts.
    let (code, out, _) = run_cli(&["run", &example("unix-login.scp"), "--isp", "ozemail"]);
    assert_eq!(code, 1, "{out}");
    assert!(last_line(&out).contains("result: halted"), "{out}");
    let dir = TempDir::new("halt");
    let script = dir.write("halt.scp", "proc main\n   halt\nendproc\n");
    assert_eq!(run_cli(&["run", &script]).0, 1);
}

#[test]
fn a_script_that_does_not_compile_exits_2() {
    let dir = TempDir::new("compile");
    let script = dir.write("bad.scp", "proc main\n   transmit 5\nendproc\n");
    let (code, out, err) = run_cli(&["run", &script]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("DS106"), "{err}");
    assert!(err.contains("does not compile"), "{err}");
    assert_eq!(out, "");
    // A syntax error too.
    let script = dir.write("syntax.scp", "proc main\n   waitfro \"x\"\nendproc\n");
    let (code, _, err) = run_cli(&["run", &script]);
    assert_eq!(code, 2);
    assert!(err.contains("DS009"), "{err}");
}

#[test]
fn an_unreadable_script_exits_2() {
    let dir = TempDir::new("unreadable");
    let (code, out, err) = run_cli(&["run", &dir.path("missing.scp")]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("missing.scp"), "{err}");
    // A folder is not a script.
    let (code, _, _) = run_cli(&["run", &dir.path("")]);
    assert_eq!(code, 2);
}

#[test]
fn a_bad_isp_exits_2() {
    let (code, out, err) = run_cli(&["run", &example("ozemail.scp"), "--isp", "aol"]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("unknown ISP `aol`"), "{err}");
    // The message lists the built-in profiles.
    for (name, _) in dialscript_sim::profile::BUILT_IN {
        assert!(err.contains(name), "{err}");
    }
    // A profile file that does not parse, with a misspelt key.
    let dir = TempDir::new("isp");
    let profile = dir.write(
        "bad.toml",
        "name = \"bad\"\nbuad = 9600\n[[steps]]\nkind = \"user\"\nprompt = \"login: \"\n",
    );
    let (code, _, err) = run_cli(&["run", &example("ozemail.scp"), "--isp", &profile]);
    assert_eq!(code, 2);
    assert!(err.contains("buad"), "{err}");
    // `test` refuses it the same way.
    let (code, _, _) = run_cli(&["test", &example("ozemail.scp"), "--isp", &profile]);
    assert_eq!(code, 2);
}

#[test]
fn a_profile_file_is_used() {
    let dir = TempDir::new("profile");
    let profile = dir.write(
        "mine.toml",
        "name = \"mine\"\ndescription = \"a test ISP\"\n\n[[steps]]\nkind = \"user\"\nprompt = \"\\r\\nlogin: \"\n\n[[steps]]\nkind = \"password\"\nprompt = \"Password: \"\n",
    );
    let (code, out, err) = run_cli(&["run", &example("unix-login.scp"), "--isp", &profile]);
    assert!(
        out.starts_with("dialling the simulated ISP `mine` (a test ISP)"),
        "{out}"
    );
    // The profile has no shell prompt, so the script's wait for `$ ` times out and it halts,
    // after the ISP accepted the login.
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        last_line(&out).contains("the ISP accepted the login"),
        "{out}"
    );
}

#[test]
fn a_bad_fault_exits_2() {
    let (code, _, err) = run_cli(&["run", &example("ozemail.scp"), "--fault", "meteor"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown fault `meteor`"), "{err}");
    assert!(err.contains("silent-after-connect"), "{err}");
}

#[test]
fn a_timed_out_run_exits_3() {
    let (code, out, _) = run_cli(&[
        "run",
        &example("ozemail-no-timeouts.scp"),
        "--fault",
        "silent-after-connect",
        "--timeout",
        "30",
    ]);
    assert_eq!(code, 3, "{out}");
    assert!(
        last_line(&out).contains("timed out (run deadline, DS304)"),
        "{out}"
    );
    // The deadline counts from the start of the script, which starts after the 15-second dial.
    assert!(last_line(&out).contains("after 45.0"), "{out}");
    // The fixed script gives up by itself.
    let (code, _, _) = run_cli(&[
        "run",
        &example("ozemail.scp"),
        "--fault",
        "silent-after-connect",
        "--timeout",
        "30",
    ]);
    assert_eq!(
        code, 3,
        "its own 90-second wait is longer than the 30-second deadline"
    );
    let (code, _, _) = run_cli(&[
        "run",
        &example("ozemail.scp"),
        "--fault",
        "silent-after-connect",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn without_a_deadline_a_wait_for_ever_is_cancelled() {
    let (code, out, _) = run_cli(&[
        "run",
        &example("ozemail-no-timeouts.scp"),
        "--fault",
        "silent-after-connect",
        "--timeout",
        "0",
    ]);
    assert_eq!(code, 130, "{out}");
    assert!(out.contains("no deadline"), "{out}");
    assert!(last_line(&out).contains("cancelled"), "{out}");
}

#[test]
fn line_failures_exit_4() {
    for (fault, says) in [
        ("busy", "the call failed (BUSY)"),
        ("no-carrier", "the call failed (NO CARRIER)"),
        ("line-drop", "line failure: carrier lost"),
    ] {
        let (code, out, _) = run_cli(&["run", &example("ozemail.scp"), "--fault", fault]);
        assert_eq!(code, 4, "{fault}: {out}");
        assert!(last_line(&out).contains(says), "{fault}: {out}");
        assert!(last_line(&out).ends_with("exit 4"), "{fault}: {out}");
    }
}

#[test]
fn a_runtime_error_exits_5() {
    let dir = TempDir::new("runtime");
    let script = dir.write(
        "div.scp",
        "proc main\n   integer z = 0\n   integer x = 10\n   x = x / z\nendproc\n",
    );
    let (code, out, err) = run_cli(&["run", &script]);
    assert_eq!(code, 5, "{out}\n{err}");
    assert!(last_line(&out).contains("runtime error DS301"), "{out}");
    // The transcript places it at its line.
    assert!(
        out.contains("L4     finished: runtime error DS301"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------------------------
// Formats and the transcript file

/// Parses every line of JSON-lines output.
fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn format_json_writes_one_object_per_line_and_a_result() {
    for (args, exit) in [
        (vec!["run", "--format", "json"], 0),
        (vec!["run", "--format", "json", "--fault", "busy"], 4),
        (
            vec![
                "run",
                "--format",
                "json",
                "--fault",
                "silent-after-connect",
                "--timeout",
                "5",
            ],
            3,
        ),
        (
            vec!["run", "--format", "json", "--fault", "noise", "--seed", "9"],
            0,
        ),
    ] {
        let mut args: Vec<String> = args.into_iter().map(String::from).collect();
        args.insert(1, example("ozemail.scp"));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, _) = run_cli(&refs);
        assert_eq!(code, exit, "{out}");
        let lines = json_lines(&out);
        assert!(lines.len() > 3, "{out}");
        for v in &lines {
            assert!(v.is_object(), "{v}");
            assert!(v["kind"].is_string(), "{v}");
        }
        for v in &lines[..lines.len() - 1] {
            assert!(v["t"].is_number(), "{v}");
            assert!(v["source"] == "dial" || v["source"] == "script", "{v}");
        }
        let result = &lines[lines.len() - 1];
        assert_eq!(result["kind"], "result");
        assert_eq!(result["exit"], exit);
        assert!(result["virtual_seconds"].is_number());
        assert!(result["logged_in"].is_boolean());
        // A run that hit its deadline names DS304; other ends carry no code.
        let code = if result["outcome"] == "timed-out" {
            serde_json::json!("DS304")
        } else {
            serde_json::Value::Null
        };
        assert_eq!(result["code"], code, "{result}");
    }
    let (_, out, _) = run_cli(&["run", &example("ozemail.scp"), "--format", "json"]);
    let lines = json_lines(&out);
    let result = &lines[lines.len() - 1];
    assert_eq!(result["outcome"], "completed");
    assert_eq!(result["logged_in"], true);
    assert!(
        lines
            .iter()
            .any(|v| v["kind"] == "matched" && v["data"] == "ervice?")
    );
    // Script events carry their line.
    assert!(
        lines
            .iter()
            .any(|v| v["kind"] == "waitfor" && v["line"] == 11 && v["until"] == 90)
    );
}

#[test]
fn transcript_file_has_one_json_object_per_line() {
    let dir = TempDir::new("transcript");
    let transcript = dir.path("run.jsonl");
    let (code, out, _) = run_cli(&[
        "run",
        &example("ozemail.scp"),
        "--format",
        "json",
        "--transcript",
        &transcript,
    ]);
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(&transcript).expect("the transcript was written");
    assert!(text.ends_with('\n'));
    let lines = json_lines(&text);
    assert!(lines.iter().all(Value::is_object));
    // The same events as the JSON output, without its result line.
    let printed = json_lines(&out);
    assert_eq!(lines, printed[..printed.len() - 1]);
    assert_eq!(
        lines.last().map(|v| v["kind"].clone()),
        Some("finished".into())
    );

    // An unwritable transcript is reported, and the run still happens.
    let (code, _, err) = run_cli(&[
        "run",
        &example("ozemail.scp"),
        "--transcript",
        &dir.path("no-such-folder/run.jsonl"),
    ]);
    assert_eq!(code, 0);
    assert!(err.contains("--transcript"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// The password

#[test]
fn password_file_logs_in_and_the_password_never_shows() {
    let dir = TempDir::new("password-file");
    let pw = dir.write("pw", &format!("{PASSWORD}\nsecond line is ignored\n"));
    for (script, isp) in [
        ("ozemail.scp", "ozemail"),
        ("unix-login.scp", "unix-login"),
        ("compuserve-7e1.scp", "compuserve"),
        ("slip-getip.scp", "slip-menu"),
    ] {
        // Without faults, and with an ISP that echoes the password.
        for faults in [&[][..], &["--fault", "echo"]] {
            for format in ["human", "json"] {
                let transcript = dir.path("t.jsonl");
                let script_path = example(script);
                let mut args = vec![
                    "run",
                    &script_path,
                    "--isp",
                    isp,
                    "--user",
                    "alice",
                    "--password-file",
                    &pw,
                    "--format",
                    format,
                    "--transcript",
                    &transcript,
                ];
                args.extend_from_slice(faults);
                let (code, out, err) = run_cli(&args);
                let what = format!("{script} {isp} {faults:?} {format}");
                // The ISP accepts the credentials the run is given; the scripts send them
                // with `, raw`, so the special characters arrive as they are.
                assert_eq!(code, 0, "{what}\n{out}\n{err}");
                let saved = std::fs::read_to_string(&transcript).expect("transcript");
                assert!(!shows_password(&out), "{what}: stdout shows it\n{out}");
                assert!(!shows_password(&err), "{what}: stderr shows it\n{err}");
                assert!(!shows_password(&saved), "{what}: the transcript shows it");
                assert!(out.contains("********"), "{what}");
                if format == "human" {
                    assert!(
                        last_line(&out).contains("the ISP accepted the login"),
                        "{what}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_script_that_sends_the_password_without_raw_fails_the_login_and_hides_it() {
    let dir = TempDir::new("not-raw");
    let pw = dir.write("pw", PASSWORD);
    let src =
        std::fs::read_to_string(root().join("examples").join("ozemail.scp")).expect("the example");
    let script = dir.write(
        "not-raw.scp",
        &src.replace("transmit $PASSWORD, raw", "transmit $PASSWORD"),
    );
    let (code, out, err) = run_cli(&[
        "run",
        &script,
        "--user",
        "alice",
        "--password-file",
        &pw,
        "--fault",
        "echo",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        last_line(&out).contains("the ISP did not accept a login"),
        "{out}"
    );
    assert!(!shows_password(&out), "{out}");
}

#[test]
fn password_env_reads_the_variable() {
    // Setting a variable needs `unsafe` in this edition, so use one that Cargo sets for
    // every test it runs: the package name stands in for a password.
    let name = "CARGO_PKG_NAME";
    let value = std::env::var(name).expect("cargo sets CARGO_PKG_NAME when it runs tests");
    let (code, out, err) = run_cli(&[
        "run",
        &example("unix-login.scp"),
        "--isp",
        "unix-login",
        "--user",
        "alice",
        "--password-env",
        name,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!out.contains(&value), "{out}");
    let lines = json_lines(&out);
    assert_eq!(lines[lines.len() - 1]["logged_in"], true);

    // A variable that is not set is a usage error that names it.
    let (code, _, err) = run_cli(&[
        "run",
        &example("ozemail.scp"),
        "--password-env",
        "DIALSCRIPT_TEST_VARIABLE_THAT_IS_NOT_SET",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("DIALSCRIPT_TEST_VARIABLE_THAT_IS_NOT_SET"),
        "{err}"
    );
}

#[test]
fn password_sources_are_exclusive_and_checked() {
    let dir = TempDir::new("password-sources");
    let pw = dir.write("pw", PASSWORD);
    let (code, _, err) = run_cli(&[
        "run",
        &example("ozemail.scp"),
        "--password-file",
        &pw,
        "--password-env",
        "HOME",
    ]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run_cli(&[
        "run",
        &example("ozemail.scp"),
        "--password-file",
        &dir.path("missing"),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--password-file"), "{err}");
    // There is no option that takes the password itself.
    let (code, _, _) = run_cli(&["run", &example("ozemail.scp"), "--password", PASSWORD]);
    assert_eq!(code, 2);
}

// ---------------------------------------------------------------------------------------------
// `dialscript test`

#[test]
fn test_names_the_hang_of_a_script_without_timeouts() {
    let (code, out, err) = run_cli(&["test", &example("ozemail-no-timeouts.scp")]);
    assert_eq!(code, 1, "{out}\n{err}");
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("silent-after-connect"))
        .unwrap_or_else(|| panic!("no silent-after-connect line:\n{out}"));
    assert!(line.contains("timed-out"), "{line}");
    assert!(line.contains("FAIL"), "{line}");
    assert!(line.contains("hangs until the run deadline"), "{line}");
    // Every fault has its line.
    for f in dialscript_sim::Fault::ALL {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(f.name())),
            "{}: {out}",
            f.name()
        );
    }
}

#[test]
fn test_passes_the_fixed_script_unless_strict() {
    let (code, out, err) = run_cli(&["test", &example("ozemail.scp")]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!out.contains("FAIL"), "{out}");
    assert!(out.contains("warn: reaches endproc although the ISP did not accept the login"));
    // With --strict, reaching endproc after the ISP refused the login is a failure.
    let (code, out, _) = run_cli(&["test", "--strict", &example("ozemail.scp")]);
    assert_eq!(code, 1, "{out}");
    let failing: Vec<&str> = out.lines().filter(|l| l.contains("FAIL")).collect();
    assert!(
        failing
            .iter()
            .any(|l| l.trim_start().starts_with("wrong-password")),
        "{out}"
    );
    assert!(
        failing
            .iter()
            .all(|l| l.contains("reaches endproc although the ISP did not accept the login")),
        "{out}"
    );
}

#[test]
fn test_format_json_writes_one_verdict_per_line() {
    let (code, out, _) = run_cli(&[
        "test",
        "--format",
        "json",
        &example("ozemail-no-timeouts.scp"),
        &example("ozemail.scp"),
    ]);
    assert_eq!(code, 1);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2 * (1 + dialscript_sim::Fault::ALL.len()));
    let hang = lines
        .iter()
        .find(|v| {
            v["fault"] == "silent-after-connect"
                && v["script"]
                    .as_str()
                    .is_some_and(|s| s.ends_with("ozemail-no-timeouts.scp"))
        })
        .expect("the hang's line");
    assert_eq!(hang["verdict"], "fail");
    assert_eq!(hang["outcome"], "timed-out");
    for v in &lines {
        assert!(
            ["pass", "warn", "fail"].contains(&v["verdict"].as_str().unwrap_or("")),
            "{v}"
        );
    }
}

#[test]
fn test_of_a_script_that_does_not_compile_exits_2() {
    let dir = TempDir::new("test-compile");
    let script = dir.write("bad.scp", "proc main\n   transmit 5\nendproc\n");
    let (code, _, err) = run_cli(&["test", &script, &example("ozemail.scp")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("DS106"), "{err}");
}
