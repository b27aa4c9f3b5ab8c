//! The `dialscript` command. All the work is in the library; this maps its result to an exit
//! code.

// Syntax trees are many small allocations; mimalloc makes `check` about a fifth faster than
// glibc's allocator (see BENCHMARKS.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let code = dialscript_cli::main_with_args(std::env::args_os());
    std::process::exit(code);
}
