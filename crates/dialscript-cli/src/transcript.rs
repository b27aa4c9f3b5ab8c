//! Showing a run: one line per event for people, JSON lines for machines. Secrets are masked
//! before events get here (the VM does it); nothing here ever sees a password.

use std::fmt::Write as _;
use std::time::Duration;

use dialscript_sim::{Entry, Source};
use dialscript_syntax::SourceFile;
use dialscript_vm::{EventKind, Outcome};
use serde_json::json;

/// Bytes as a readable string: printable ASCII as is, `\r`, `\n`, `\t`, `\\`, `\"`, other
/// bytes as `\xNN`.
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    for &b in bytes {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            0x20..=0x7E => s.push(b as char),
            _ => {
                let _ = write!(s, "\\x{b:02X}");
            }
        }
    }
    s
}

fn secs(d: Duration) -> String {
    format!("{:>9.3}", d.as_secs_f64())
}

/// What an event says, without its time.
pub fn describe(kind: &EventKind) -> (&'static str, String) {
    match kind {
        EventKind::Sent(b) => ("sent", format!("> \"{}\"", escape(b))),
        EventKind::Received(b) => ("received", format!("< \"{}\"", escape(b))),
        EventKind::Waiting { patterns, until } => {
            let list: Vec<String> = patterns
                .iter()
                .map(|p| format!("\"{}\"", escape(p)))
                .collect();
            let until = until.map_or(" (no timeout)".to_string(), |u| format!(" until {u} s"));
            ("waitfor", format!("waitfor {}{until}", list.join(", ")))
        }
        EventKind::Matched { case, pattern } => (
            "matched",
            format!("matched \"{}\" (string {})", escape(pattern), case + 1),
        ),
        EventKind::WaitTimedOut => ("timeout", "timed out: $SUCCESS = FALSE".to_string()),
        EventKind::Delay(s) => ("delay", format!("delay {s} s")),
        EventKind::GotAddress(a) => ("getip", format!("getip: {}", escape(a))),
        EventKind::SetPort(p) => ("set-port", format!("set port {p:?}")),
        EventKind::SetIpAddr(a) => ("set-ipaddr", format!("set ipaddr {}", escape(a))),
        EventKind::Keyboard(on) => (
            "keyboard",
            format!("set screen keyboard {}", if *on { "on" } else { "off" }),
        ),
        EventKind::Finished(o) => ("finished", format!("finished: {}", outcome_text(o))),
        EventKind::Note(n) => ("note", n.clone()),
    }
}

/// A one-line description of an outcome.
pub fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::Completed => "completed (reached endproc of main)".to_string(),
        Outcome::Halted => "halted".to_string(),
        Outcome::TimedOut => format!(
            "timed out (run deadline, {})",
            dialscript_vm::codes::RUN_DEADLINE.code
        ),
        Outcome::RuntimeError { code, message, .. } => {
            format!("runtime error {} {message}", code.code)
        }
        Outcome::LineFailure(why) => format!("line failure: {why}"),
        Outcome::Cancelled => "cancelled".to_string(),
    }
}

/// One line of the human transcript.
pub fn human_line(file: &SourceFile, e: &Entry) -> String {
    let who = match (e.source, e.span) {
        (Source::Dial, _) => "dial  ".to_string(),
        (Source::Script, Some(span)) => format!("L{:<5}", file.line_col(span.start).0),
        (Source::Script, None) => "line  ".to_string(),
    };
    format!("{} {who} {}", secs(e.time), describe(&e.event).1)
}

/// One JSON line of the transcript.
pub fn json_line(file: &SourceFile, e: &Entry) -> serde_json::Value {
    let (kind, _) = describe(&e.event);
    let mut v = json!({
        "t": e.time.as_secs_f64(),
        "source": match e.source { Source::Dial => "dial", Source::Script => "script" },
        "kind": kind,
    });
    if let Some(span) = e.span {
        let (line, column) = file.line_col(span.start);
        v["line"] = json!(line);
        v["column"] = json!(column);
    }
    match &e.event {
        EventKind::Sent(b)
        | EventKind::Received(b)
        | EventKind::GotAddress(b)
        | EventKind::SetIpAddr(b) => {
            v["data"] = json!(escape(b));
        }
        EventKind::Waiting { patterns, until } => {
            v["patterns"] = json!(patterns.iter().map(|p| escape(p)).collect::<Vec<_>>());
            v["until"] = json!(until);
        }
        EventKind::Matched { case, pattern } => {
            v["case"] = json!(case);
            v["data"] = json!(escape(pattern));
        }
        EventKind::Delay(s) => v["seconds"] = json!(s),
        EventKind::SetPort(p) => v["setting"] = json!(format!("{p:?}")),
        EventKind::Keyboard(on) => v["on"] = json!(on),
        EventKind::Finished(o) => v["outcome"] = json!(o.as_str()),
        EventKind::Note(n) => v["text"] = json!(n),
        EventKind::WaitTimedOut => {}
    }
    v
}
