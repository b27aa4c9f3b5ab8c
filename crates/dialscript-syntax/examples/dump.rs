//! Prints the tree and diagnostics of a script: `cargo run -p dialscript-syntax --example dump FILE`.
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump FILE");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let parse = dialscript_syntax::parse(&bytes);
    println!("{:#?}", parse.script);
    let file = dialscript_syntax::SourceFile::new(path, bytes);
    for d in &parse.diagnostics {
        let (l, c) = file.line_col(d.span.start);
        println!("{}:{l}:{c}: {} {}", file.name(), d.code.code, d.message);
    }
    println!(
        "---\n{}",
        String::from_utf8_lossy(&dialscript_syntax::print(&parse.script))
    );
}
