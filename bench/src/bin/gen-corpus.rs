//! Writes a generated corpus of realistic scripts as `.scp` files, for end-to-end benchmarks
//! of the command line; with `--python`, the Python modules the lint benchmark gives ruff
//! instead (one per script, each at least as big as its script).
//!
//! ```sh
//! cargo run --release -p dialscript-bench --bin gen-corpus -- --bytes 20000000 --out corpus/
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: gen-corpus --bytes N --out DIR [--seed S] [--python]\n\
    Writes generated scripts totalling at least N bytes (suffixes k, M and G multiply by 1000)\n\
    into DIR as script-NNNNNN.scp. The same seed (default 1) always gives the same files.\n\
    With --python, writes module_NNNNNN.py instead: Python modules sized like those scripts.";

struct Args {
    bytes: usize,
    out: PathBuf,
    seed: u64,
    python: bool,
}

/// Reads a byte count such as `20000000`, `500k` or `20M`.
fn parse_bytes(text: &str) -> Option<usize> {
    let (digits, scale) = match text.as_bytes().last()? {
        b'k' | b'K' => (&text[..text.len() - 1], 1_000),
        b'M' => (&text[..text.len() - 1], 1_000_000),
        b'G' => (&text[..text.len() - 1], 1_000_000_000),
        _ => (text, 1),
    };
    digits.parse::<usize>().ok()?.checked_mul(scale)
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut bytes, mut out, mut seed, mut python) = (None, None, 1, false);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("`{name}` needs a value"));
        match arg.as_str() {
            "--bytes" => {
                let v = value("--bytes")?;
                bytes = Some(parse_bytes(&v).ok_or_else(|| format!("`{v}` is not a byte count"))?);
            }
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--seed" => {
                let v = value("--seed")?;
                seed = v
                    .parse()
                    .map_err(|_| format!("`{v}` is not a seed (a whole number)"))?;
            }
            "--python" => python = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Args {
        bytes: bytes.ok_or("`--bytes` is required")?,
        out: out.ok_or("`--out` is required")?,
        seed,
        python,
    })
}

fn run(args: &Args) -> std::io::Result<(usize, usize)> {
    std::fs::create_dir_all(&args.out)?;
    let mut scripts = dialscript_bench::corpus(args.seed, args.bytes);
    if args.python {
        let sizes: Vec<usize> = scripts.iter().map(Vec::len).collect();
        scripts = dialscript_bench::pycorpus::corpus_like(args.seed, &sizes);
    }
    let mut total = 0;
    for (n, file) in scripts.iter().enumerate() {
        let name = if args.python {
            format!("module_{n:06}.py")
        } else {
            format!("script-{n:06}.scp")
        };
        std::fs::write(args.out.join(name), file)?;
        total += file.len();
    }
    Ok((scripts.len(), total))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok((files, bytes)) => {
            println!(
                "wrote {files} {}, {bytes} bytes, to {}",
                if args.python { "modules" } else { "scripts" },
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: writing to {}: {e}", args.out.display());
            ExitCode::FAILURE
        }
    }
}
