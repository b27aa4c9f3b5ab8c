//! The built `dialscript` executable itself: its exit codes reach the shell. Being an
//! integration test of this package, it also makes `cargo test --workspace` build the
//! executable that the workspace's real-line suites (`tests/real_lines.rs`, `tests/serve.rs`)
//! start as a child process.

use std::path::Path;
use std::process::Command;

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn exit_codes_reach_the_shell() {
    let bin = env!("CARGO_BIN_EXE_dialscript");
    let status = |args: &[&str]| {
        Command::new(bin)
            .args(args)
            .output()
            .expect("run the executable")
            .status
            .code()
    };
    assert_eq!(status(&["run", &example("ozemail.scp")]), Some(0));
    assert_eq!(
        status(&["run", &example("ozemail.scp"), "--fault", "busy"]),
        Some(4)
    );
    assert_eq!(status(&["run", "--no-such-option"]), Some(2));
}

#[test]
fn check_fix_on_standard_input_answers_on_standard_output() {
    // What an editor does: pipe the buffer in, take the fixed text back.
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dialscript"))
        .args([
            "check",
            "--fix",
            "--format",
            "concise",
            "--stdin-filename",
            "login.scp",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the executable");
    let script = "proc main\r\n   transmit $PASSWORD\r\nendproc\r\n";
    child
        .stdin
        .take()
        .expect("a pipe")
        .write_all(script.as_bytes())
        .expect("the script is written");
    let output = child.wait_with_output().expect("it ends");
    assert_eq!(output.status.code(), Some(1), "DS214 remains");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        script.replace("$PASSWORD", "$PASSWORD, raw")
    );
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.starts_with("login.scp:2:4: DS214 "), "{err}");
}
