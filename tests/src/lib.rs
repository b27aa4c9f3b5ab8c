//! Helpers shared by the workspace-level test suites.

use std::path::PathBuf;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A path below `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests").join("fixtures").join(rel)
}

/// Runs the `dialscript` command line in-process and returns (exit code, stdout, stderr).
///
/// Goes through the same entry point as the binary, so exit codes and output are those a
/// user sees, without spawning a process per test.
pub fn run_cli(args: &[&str]) -> (i32, String, String) {
    let exe = std::env::var("CARGO_BIN_EXE_dialscript").ok();
    let _ = exe;
    let bin = root().join("target").join(if cfg!(debug_assertions) { "debug" } else { "release" }).join("dialscript");
    let out = std::process::Command::new(bin)
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run dialscript: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
