//! The `dialscript` command. All the work is in the library; this maps its result to an exit
//! code.

fn main() {
    let code = dialscript_cli::main_with_args(std::env::args_os());
    std::process::exit(code);
}
