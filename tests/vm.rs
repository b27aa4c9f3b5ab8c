use dialscript_vm::*;
use std::sync::Arc;
use std::time::Duration;

#[test]
fn probe() {
    let p = compile_source(b"proc main\nwhile TRUE do\nwaitfor \"x\" until 0\nendwhile\nendproc\n")
        .unwrap();
    let mut vm = Vm::new(Arc::new(p), Credentials::default(), Limits::default());
    println!("{:?}", vm.poll(Duration::ZERO));
}
