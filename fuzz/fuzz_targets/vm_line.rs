//! A fixed login script against a line that sends arbitrary bytes at arbitrary times: the VM
//! never panics, always ends by its deadline, and never shows the password in an event.
#![no_main]

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use dialscript_vm::{Action, Credentials, EventKind, Limits, Program, Vm};
use libfuzzer_sys::fuzz_target;

const SCRIPT: &[u8] = b"proc main
   integer n = 3
   string s
   while n > 0 do
      waitfor \"ogin:\" then Login, \"BUSY\" then Fail, \"\xE9t\xE9\", matchcase then Fail until 5
      transmit \"^M\"
      n = n - 1
   endwhile
   goto Fail
Login:
   transmit $USERID, raw
   transmit \"^M\"
   waitfor \"assword:\" until 5
   if $FAILURE then
      goto Fail
   endif
   transmit $PASSWORD, raw
   waitfor \"address is\" until 5
   if $SUCCESS then
      s = getip 2
      set ipaddr s
   endif
   halt
Fail:
   halt
endproc
";

const PASSWORD: &[u8] = b"pw^<\\";

fn program() -> Arc<Program> {
    static P: OnceLock<Arc<Program>> = OnceLock::new();
    Arc::clone(P.get_or_init(|| Arc::new(dialscript_vm::compile_source(SCRIPT).expect("the fuzz script compiles"))))
}

fuzz_target!(|data: &[u8]| {
    let creds = Credentials { user: b"user".to_vec(), password: PASSWORD.to_vec(), mask_user: false };
    let limits = Limits { run_deadline: Some(Duration::from_secs(60)), ..Limits::default() };
    let mut vm = Vm::new(program(), creds, limits);
    // The input is a list of (gap in ms, length, bytes) chunks the line delivers.
    let mut now = Duration::ZERO;
    let mut rest = data;
    let mut steps = 0;
    loop {
        steps += 1;
        assert!(steps < 100_000, "the VM did not end");
        match vm.poll(now) {
            Action::Done(_) => break,
            Action::Wait { until } => {
                if rest.len() >= 2 {
                    let gap = u64::from(rest[0]) * 40;
                    let len = (rest[1] as usize).min(rest.len() - 2);
                    now += Duration::from_millis(gap);
                    vm.feed(now, &rest[2..2 + len]);
                    rest = &rest[2 + len..];
                } else {
                    // The line is silent: time runs to the next deadline.
                    now = until.unwrap_or(now + Duration::from_secs(1)).max(now + Duration::from_millis(1));
                }
            }
            _ => {}
        }
    }
    for e in vm.take_events() {
        let text = format!("{:?}", e.kind);
        if let EventKind::Sent(b) | EventKind::Received(b) = &e.kind {
            assert!(!b.windows(PASSWORD.len()).any(|w| w == PASSWORD), "password shown: {text}");
        }
    }
});
