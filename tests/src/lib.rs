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

/// [`run_cli`] with `input` as standard input.
pub fn run_cli_with_input(args: &[&str], input: &[u8]) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = dialscript_cli::run_with_input(
        std::iter::once("dialscript").chain(args.iter().copied()),
        &mut &input[..],
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
/// Compiles `src`, panicking with the diagnostics (and the script) when it does not compile.
pub fn program(src: &str) -> std::sync::Arc<dialscript_vm::Program> {
    match dialscript_vm::compile_source(src.as_bytes()) {
        Ok(p) => std::sync::Arc::new(p),
        Err(diags) => panic!("does not compile: {diags:?}\n{src}"),
    }
}

/// Polls at `now` until the VM waits or ends, carrying out sends and settings on the way.
/// Returns everything sent (in order, concatenated) and the action it stopped at.
pub fn drive(
    vm: &mut dialscript_vm::Vm,
    now: std::time::Duration,
) -> (Vec<u8>, dialscript_vm::Action) {
    use dialscript_vm::Action;
    let mut sent = Vec::new();
    loop {
        match vm.poll(now) {
            Action::Transmit(bytes) => sent.extend_from_slice(&bytes),
            Action::SetPort(_) | Action::SetIpAddr(_) | Action::SetKeyboard(_) | Action::Yield => {}
            a @ (Action::Wait { .. } | Action::Done(_)) => return (sent, a),
        }
    }
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// A realistic script of at least `bytes` bytes: procedures in the shapes of §7 and §8 of the
/// language reference (guarded waits with nested `if`s, a retry loop with labels, CompuServe's
/// port settings, T-Online's delays, SLIP's `getip`), CRLF line ends, comments with
/// Windows-1252 bytes, each procedure with its own name and numbers.
pub fn realistic(bytes: usize) -> Vec<u8> {
    let shapes: [&str; 4] = [
        "; OzEmail-style login {n}\r\n\
         proc login{n}\r\n\
         \x20  waitfor \"ervice?\" until {t}\r\n\
         \x20  if $SUCCESS then\r\n\
         \x20     transmit \"p^M\"\r\n\
         \x20     waitfor \"sername:\" until 60\r\n\
         \x20     if $SUCCESS then\r\n\
         \x20        transmit $USERID, raw\r\n\
         \x20        transmit \"^M\"\r\n\
         \x20        waitfor \"assword:\" until 60\r\n\
         \x20        if $SUCCESS then\r\n\
         \x20           transmit $PASSWORD, raw\r\n\
         \x20           transmit \"^M\"\r\n\
         \x20        endif\r\n\
         \x20     endif\r\n\
         \x20  endif\r\n\
         endproc\r\n",
        "proc retry{n}\r\n\
         \x20  integer nTries = {t}\r\n\
         \x20  string szLogin = \"ogin:\"\r\n\
         \x20  boolean bSlip = TRUE\r\n\
         \x20  while 0 < nTries do\r\n\
         \x20     waitfor szLogin then DoLogin{n}\r\n\
         \x20        until 10\r\n\
         TryAgain{n}:\r\n\
         \x20     transmit \"^M\"\r\n\
         \x20     nTries = nTries - 1\r\n\
         \x20  endwhile\r\n\
         \x20  goto BailOut{n}\r\n\
         DoLogin{n}:\r\n\
         \x20  transmit $USERID + \"^M\", raw\r\n\
         \x20  waitfor \"assword:\" until 10\r\n\
         \x20  if FALSE == $SUCCESS then\r\n\
         \x20     goto TryAgain{n}\r\n\
         \x20  endif\r\n\
         \x20  transmit $PASSWORD, raw\r\n\
         \x20  if bSlip then\r\n\
         \x20     set ipaddr getip 2\r\n\
         \x20  endif\r\n\
         \x20  goto Done{n}\r\n\
         BailOut{n}:\r\n\
         \x20  set screen keyboard on\r\n\
         \x20  halt\r\n\
         Done{n}:\r\n\
         endproc\r\n",
        "proc cis{n}\r\n\
         \x20  ; CompuServe wants 7 data bits and even parity {dash} see KB Q142490\r\n\
         \x20  set port databits 7\r\n\
         \x20  set port parity even\r\n\
         \x20  transmit \"^M\"\r\n\
         \x20  waitfor \"Host Name:\"\r\n\
         \x20  transmit \"CIS^M\"\r\n\
         \x20  waitfor \"User ID:\"\r\n\
         \x20  transmit $USERID + \"/go:pppconnect^M\"\r\n\
         \x20  waitfor \"Password:\"\r\n\
         \x20  transmit $PASSWORD + \"^M\"\r\n\
         \x20  set port databits 8\r\n\
         \x20  set port parity none\r\n\
         endproc\r\n",
        "proc tonline{n}\r\n\
         \x20  ; Einwahl f{ue}r T-Online, Kennung {n}\r\n\
         \x20  delay 2\r\n\
         \x20  transmit \"*707#\"\r\n\
         \x20  delay {t} * 2\r\n\
         \x20  transmit $USERID\r\n\
         \x20  delay 1\r\n\
         \x20  transmit \"{n}#\"\r\n\
         \x20  waitfor \"YOURIP\"\r\n\
         \x20  set ipaddr getip\r\n\
         endproc\r\n",
    ];
    // Each shape as literal byte runs between its `{n}` and `{t}` holes, worked out once, so
    // that building 100 MB is mostly copying. The comments are in Windows-1252, as Notepad
    // saved them: 0xFC is `ü`, 0x96 a dash.
    let split: Vec<Vec<(Vec<u8>, Option<char>)>> = shapes
        .iter()
        .map(|shape| {
            let bytes = shape
                .replace("{ue}", "\u{1}")
                .replace("{dash}", "\u{2}")
                .into_bytes();
            let bytes: Vec<u8> = bytes
                .into_iter()
                .map(|b| match b {
                    1 => 0xFC,
                    2 => 0x96,
                    b => b,
                })
                .collect();
            let mut segments = Vec::new();
            let mut lit = Vec::new();
            let mut k = 0;
            while k < bytes.len() {
                match bytes.get(k..k + 3) {
                    Some(b"{n}") | Some(b"{t}") => {
                        segments.push((std::mem::take(&mut lit), Some(bytes[k + 1] as char)));
                        k += 3;
                    }
                    _ => {
                        lit.push(bytes[k]);
                        k += 1;
                    }
                }
            }
            segments.push((lit, None));
            segments
        })
        .collect();
    let mut out = Vec::with_capacity(bytes + 4096);
    let mut n = 0usize;
    while out.len() < bytes {
        let (number, timeout) = (n.to_string(), (n % 97 + 3).to_string());
        for (lit, hole) in &split[n % split.len()] {
            out.extend_from_slice(lit);
            match hole {
                Some('n') => out.extend_from_slice(number.as_bytes()),
                Some(_) => out.extend_from_slice(timeout.as_bytes()),
                None => {}
            }
        }
        n += 1;
    }
    out
}
