//! Parser throughput on one core, over a generated corpus of realistic scripts.
//!
//! Run with `cargo bench -p dialscript-bench`. It prints a Markdown table: parse throughput
//! over a ~20 MB corpus next to two anchors measured over the same bytes in the same run
//! (lexing alone, and a plain newline count, which is about as fast as a loop over the bytes
//! can go), then single files of 1, 10 and 50 MB to show that time grows linearly with size,
//! and the time for 100,000 nested `if`s, which the parser must refuse without recursing that
//! deep. Every number is a median of several timed runs after warm-up runs. MB means 10^6
//! bytes.

use std::hint::black_box;
use std::time::{Duration, Instant};

use dialscript_syntax::{lexer, parse};

/// The median time of `runs` calls of `f`, after `warmup` untimed calls.
fn measure(warmup: usize, runs: usize, mut f: impl FnMut()) -> Duration {
    for _ in 0..warmup {
        f();
    }
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// Counts line feeds with a plain loop (no `memchr`): the anchor for how fast one pass over
/// the bytes can be on this machine.
fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

fn parse_all(corpus: &[Vec<u8>]) {
    for s in corpus {
        black_box(parse(black_box(s)));
    }
}

fn lex_all(corpus: &[Vec<u8>]) {
    for s in corpus {
        black_box(lexer::lex(black_box(s)));
    }
}

fn newlines_all(corpus: &[Vec<u8>]) {
    let mut n = 0;
    for s in corpus {
        n += count_newlines(black_box(s));
    }
    black_box(n);
}

// The `dialscript` binary uses mimalloc too: the tree is many small allocations, which
// glibc's allocator spends a third of the parse on.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // `cargo bench` passes `--bench`; a filter or other flags mean nothing to this benchmark.
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string());
    println!("machine: {cpus} logical CPUs, {model}; the benchmark runs on one thread\n");

    let corpus = dialscript_bench::corpus(1, 20_000_000);
    let bytes: usize = corpus.iter().map(Vec::len).sum();
    let lines: usize = corpus.iter().map(|s| count_newlines(s)).sum();
    // The corpus must be what it claims: realistic scripts that parse without a diagnostic.
    let dirty = corpus
        .iter()
        .filter(|s| !parse(s).diagnostics.is_empty())
        .count();
    assert_eq!(dirty, 0, "generated scripts with diagnostics");

    let parse_t = measure(2, 9, || parse_all(&corpus));
    let lex_t = measure(2, 9, || lex_all(&corpus));
    let nl_t = measure(2, 9, || newlines_all(&corpus));

    let n = |x: usize| dialscript_bench::stats::thousands(x as u64);
    println!(
        "corpus: {} scripts, {} bytes, {} lines (seed 1)\n",
        n(corpus.len()),
        n(bytes),
        n(lines)
    );
    println!("| measurement | input | median time | throughput |");
    println!("|---|---|---:|---:|");
    println!(
        "| parse (lex + parse + drop) | corpus, one file at a time | {} | {:.0} MB/s |",
        ms(parse_t),
        mb_per_s(bytes, parse_t)
    );
    println!(
        "| anchor: lex only | same bytes | {} | {:.0} MB/s |",
        ms(lex_t),
        mb_per_s(bytes, lex_t)
    );
    println!(
        "| anchor: newline count | same bytes | {} | {:.0} MB/s |",
        ms(nl_t),
        mb_per_s(bytes, nl_t)
    );
    drop(corpus);
    let parse_rate = mb_per_s(bytes, parse_t);

    for (size, runs) in [(1_000_000, 15), (10_000_000, 7), (50_000_000, 5)] {
        let file = dialscript_bench::concatenated(2, size);
        let t = measure(1, runs, || {
            black_box(parse(black_box(&file)));
        });
        let nl = measure(1, runs, || {
            black_box(count_newlines(black_box(&file)));
        });
        println!(
            "| parse one file | {:.1} MB | {} | {:.0} MB/s (newline count {:.0} MB/s) |",
            file.len() as f64 / 1e6,
            ms(t),
            mb_per_s(file.len(), t),
            mb_per_s(file.len(), nl)
        );
    }

    let deep = dialscript_bench::nested_ifs(100_000);
    let t = measure(1, 9, || {
        black_box(parse(black_box(&deep)));
    });
    println!(
        "| parse 100,000 nested `if`s (refused: DS016) | {:.1} MB | {} | {:.0} MB/s |",
        deep.len() as f64 / 1e6,
        ms(t),
        mb_per_s(deep.len(), t)
    );
    let verdict = if parse_rate >= 150.0 {
        "met"
    } else {
        "not met"
    };
    println!("\ntarget, parse at 150 MB/s or more on one core: {verdict} ({parse_rate:.0} MB/s)");
}
