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

#[test]
fn a_folder_that_cannot_be_read_is_reported_and_the_rest_is_checked() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("dialscript-locked-{}", std::process::id()));
    let locked = dir.join("locked");
    std::fs::create_dir_all(&locked).expect("folders are made");
    let script = "proc other\nendproc\n";
    std::fs::write(dir.join("ok.scp"), script).expect("a script is written");
    std::fs::write(locked.join("hidden.scp"), script).expect("a script is written");
    let mode = |path: &Path, bits: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(bits))
            .expect("permissions are set")
    };
    mode(&locked, 0o000);
    // Root reads any folder, so as root the executable runs as `nobody` (from a copy that
    // `nobody` may run); otherwise the locked folder already stops this user.
    let bin = dir.join("dialscript");
    std::fs::copy(env!("CARGO_BIN_EXE_dialscript"), &bin).expect("the executable is copied");
    mode(&bin, 0o755);
    let args = ["check", "--format", "concise", dir.to_str().expect("UTF-8")];
    let output = if nix::unistd::geteuid().is_root() {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin)
            .args(args)
            .output()
    } else {
        Command::new(&bin).args(args).output()
    }
    .expect("the check runs");
    mode(&locked, 0o755);
    let _ = std::fs::remove_dir_all(&dir);
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_eq!(output.status.code(), Some(2), "{out}{err}");
    assert!(
        out.contains("ok.scp:1:6: DS101 "),
        "the readable script is checked: {out}"
    );
    assert!(!out.contains("hidden.scp"), "{out}");
    assert!(
        err.contains(&format!(
            "error: {}: cannot read folder: permission denied\n",
            locked.display()
        )),
        "{err}"
    );
    assert!(
        err.ends_with("1 file checked: 1 error and 1 warning; 1 file could not be read\n"),
        "{err}"
    );
}
