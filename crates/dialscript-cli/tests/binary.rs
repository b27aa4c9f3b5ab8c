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
