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

/// Runs the `dialscript` command line in-process (the binary's own entry point) from the
/// workspace root and returns (exit code, stdout, stderr).
pub fn run_cli(args: &[&str]) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = dialscript_cli::run(
        std::iter::once("dialscript").chain(args.iter().copied()),
        &mut out,
        &mut err,
    );
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// Every byte string an event carries, for checks that a secret never shows.
pub fn payloads(kind: &dialscript_vm::EventKind) -> Vec<Vec<u8>> {
    use dialscript_vm::EventKind;
    match kind {
        EventKind::Sent(b)
        | EventKind::Received(b)
        | EventKind::GotAddress(b)
        | EventKind::SetIpAddr(b) => vec![b.clone()],
        EventKind::Waiting { patterns, .. } => patterns.clone(),
        EventKind::Matched { pattern, .. } => vec![pattern.clone()],
        EventKind::Note(n) => vec![n.as_bytes().to_vec()],
        EventKind::Finished(o) => vec![format!("{o:?}").into_bytes()],
        EventKind::WaitTimedOut
        | EventKind::Delay(_)
        | EventKind::SetPort(_)
        | EventKind::Keyboard(_) => Vec::new(),
    }
}

/// Whether `needle` (non-empty) occurs in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}
