use dialscript_sim::*;
use dialscript_vm::*;
use std::sync::Arc;
use std::time::Duration;

fn go(src: &str) {
    let p = Arc::new(compile_source(src.as_bytes()).unwrap());
    let mut o = SimOptions::new(Profile::built_in("ozemail").unwrap());
    o.limits.run_deadline = Some(Duration::from_secs(60));
    let t = std::time::Instant::now();
    let r = simulate(p, &o);
    println!(
        "{:?} {:?} entries={} wall={:?}",
        r.outcome,
        r.end,
        r.entries.len(),
        t.elapsed()
    );
}

#[test]
fn probe() {
    go("proc main\nwhile TRUE do\ndelay 0\nendwhile\nendproc\n");
    go("proc main\nwhile TRUE do\nwaitfor \"x\" until 0\nendwhile\nendproc\n");
    go("proc main\nwhile TRUE do\nset screen keyboard on\nendwhile\nendproc\n");
}
