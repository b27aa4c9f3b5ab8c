//! Runs the benchmarks that compare dialscript with its peers and writes BENCHMARKS.md.
//!
//! ```sh
//! bench/run.sh                          # everything, the way BENCHMARKS.md is made
//! bench-suite exec --out FILE -- CMD... # runs CMD, records its output and the machine's load
//! bench-suite report --dialscript PATH --parse FILE... --out BENCHMARKS.md
//! bench-suite report --dialscript PATH --only reaction --quick   # one section, to stdout
//! bench-suite compare-reaction [--sessions N] [--prompts M] BIN...  # A/B of answer paths
//! ```
//!
//! Each section runs twice by default and the run during which other processes were least
//! busy is kept (see `dialscript_bench::probe`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use dialscript_bench::probe::{Load, Probe};
use dialscript_bench::process::{find_program, version_line};
use dialscript_bench::report::{Table, fill};
use dialscript_bench::suite::{self, Block, Chosen, Ctx, Target};

const TEMPLATE: &str = include_str!("../../BENCHMARKS.in.md");

const USAGE: &str = "usage:\n  bench-suite exec --out FILE -- COMMAND [ARG...]\n  bench-suite report --dialscript PATH [--parse FILE]... [--out FILE] [--attempts N] [--only SECTION]... [--quick]\n  bench-suite answer PORT ROUNDS   (the reaction benchmark's floor)\n  bench-suite compare-reaction [--sessions N] [--prompts M] DIALSCRIPT...\n\
sections: lint, interp, sim, reaction, login";

const SECTIONS: [&str; 5] = ["lint", "interp", "sim", "reaction", "login"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("exec") => exec(&args[1..]),
        Some("report") => report(&args[1..]),
        Some("answer") => match &args[1..] {
            [port, rounds] => rounds
                .parse()
                .map_err(|_| format!("`{rounds}` is not a number"))
                .and_then(|n| suite::reaction::answer(std::path::Path::new(port), n)),
            _ => Err(USAGE.to_string()),
        },
        Some("compare-reaction") => compare_reaction(&args[1..]),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown command\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `compare-reaction [--sessions N] [--prompts M] DIALSCRIPT...`: prints the reaction
/// quartiles of each binary and of the floor, measured in turns (20 sessions of 50 prompts
/// by default).
fn compare_reaction(args: &[String]) -> Result<(), String> {
    let (mut sessions, mut prompts) = (20, 50);
    let mut bins = Vec::new();
    let mut rest = args.iter();
    while let Some(a) = rest.next() {
        let mut number = |what: &str| -> Result<usize, String> {
            let v = rest
                .next()
                .ok_or_else(|| format!("{what} needs a number"))?;
            v.parse().map_err(|_| format!("`{v}` is not a number"))
        };
        match a.as_str() {
            "--sessions" => sessions = number("--sessions")?,
            "--prompts" => prompts = number("--prompts")?,
            _ => bins.push(PathBuf::from(a)),
        }
    }
    if bins.is_empty() || sessions == 0 || prompts == 0 {
        return Err(USAGE.to_string());
    }
    print!("{}", suite::reaction::compare(&bins, sessions, prompts)?);
    Ok(())
}

/// `exec --out FILE -- COMMAND...`: runs the command with standard error passed through,
/// prints its standard output, and writes both the output and the load it ran under to FILE.
fn exec(args: &[String]) -> Result<(), String> {
    let (out, command) = match args {
        [flag, out, dashes, command @ ..] if flag == "--out" && dashes == "--" => (out, command),
        _ => return Err(USAGE.to_string()),
    };
    let (program, rest) = command.split_first().ok_or(USAGE)?;
    let probe = Probe::start();
    let output = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let load = probe.finish();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    print!("{stdout}");
    let record = serde_json::json!({
        "status": output.status.code(),
        "other_cores": load.other_cores,
        "load_average": load.load_average,
        "stdout": stdout,
    });
    std::fs::write(out, record.to_string()).map_err(|e| format!("{out}: {e}"))?;
    if !output.status.success() {
        return Err(format!("{program} ended with {}", output.status));
    }
    Ok(())
}

struct ReportArgs {
    dialscript: PathBuf,
    parse: Vec<PathBuf>,
    out: Option<PathBuf>,
    attempts: usize,
    only: Vec<String>,
    quick: bool,
}

fn report_args(args: &[String]) -> Result<ReportArgs, String> {
    let mut r = ReportArgs {
        dialscript: PathBuf::new(),
        parse: Vec::new(),
        out: None,
        attempts: 2,
        only: Vec::new(),
        quick: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("`{a}` needs a value"));
        match a.as_str() {
            "--dialscript" => r.dialscript = PathBuf::from(value()?),
            "--parse" => r.parse.push(PathBuf::from(value()?)),
            "--out" => r.out = Some(PathBuf::from(value()?)),
            "--attempts" => {
                r.attempts = value()?
                    .parse()
                    .map_err(|_| "`--attempts` needs a number".to_string())?;
            }
            "--only" => {
                let s = value()?;
                if !SECTIONS.contains(&s.as_str()) {
                    return Err(format!("no section `{s}`\n{USAGE}"));
                }
                r.only.push(s);
            }
            "--quick" => r.quick = true,
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    if r.dialscript.as_os_str().is_empty() {
        return Err(format!("`--dialscript PATH` is required\n{USAGE}"));
    }
    Ok(r)
}

/// A parser benchmark run recorded by `exec`.
struct ParseRun {
    stdout: String,
    load: Load,
}

fn read_parse_run(path: &PathBuf) -> Result<ParseRun, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if v["status"].as_i64() != Some(0) {
        return Err(format!("{}: the parser benchmark failed", path.display()));
    }
    Ok(ParseRun {
        stdout: v["stdout"].as_str().unwrap_or_default().to_string(),
        load: Load {
            other_cores: v["other_cores"].as_f64(),
            load_average: v["load_average"].as_f64(),
        },
    })
}

/// The parser benchmark's output as a block: its table and corpus line, with its target line
/// turned into a target.
fn parse_block(stdout: &str) -> Block {
    let mut markdown = String::new();
    let mut targets = Vec::new();
    for line in stdout.lines() {
        if line.starts_with("machine:") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("target, ") {
            // `target, parse at 150 MB/s or more on one core: not met (86 MB/s)`
            let (_, verdict) = rest.split_once(": ").unwrap_or((rest, ""));
            let measured = verdict
                .split_once('(')
                .map_or("", |(_, m)| m.trim_end_matches(')'));
            targets.push(Target::new(
                "parser, one core",
                "at least 150 MB/s",
                measured.to_string(),
                verdict.starts_with("met"),
            ));
            continue;
        }
        markdown.push_str(line);
        markdown.push('\n');
    }
    Block {
        markdown: markdown.trim().to_string() + "\n",
        targets,
    }
}

fn machine(started: &str, elapsed: std::time::Duration, ctx: &Ctx) -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = suite::cpu_model().unwrap_or_else(|| "unknown".to_string());
    let rustc = find_program("rustc")
        .and_then(|r| version_line(&r, &["--version"]))
        .unwrap_or_else(|| "rustc (version unknown)".to_string());
    let ours = version_line(&ctx.dialscript, &["--version"])
        .unwrap_or_else(|| "dialscript (version unknown)".to_string());
    let tool = |name: &str, args: &[&str]| -> String {
        find_program(name)
            .and_then(|p| version_line(&p, args))
            .unwrap_or_else(|| format!("{name} not installed"))
    };
    let tclsh = find_program("tclsh")
        .and_then(|p| {
            let dir = dialscript_bench::process::TempDir::new("version").ok()?;
            let script = dir
                .write("v.tcl", "puts \"tclsh [info patchlevel]\"\n")
                .ok()?;
            version_line(&p, &[&script.to_string_lossy()])
        })
        .unwrap_or_else(|| "tclsh not installed".to_string());
    let mut s = String::new();
    s.push_str(&format!(
        "- {cpus} logical CPUs (`nproc`), `model name: {model}` (`/proc/cpuinfo`)\n"
    ));
    s.push_str(&format!(
        "- {rustc}, release profile (`opt-level = 3`, fat LTO, one codegen unit); {ours}\n"
    ));
    s.push_str(&format!(
        "- peers: {}; {}; {tclsh}; {} (its `chat`); {}\n",
        tool("ruff", &["--version"]),
        tool("python3", &["--version"]),
        tool("pppd", &["--version"]),
        tool("expect", &["-v"]),
    ));
    s.push_str(&format!(
        "- run at {started}; the sections after the parser table took {:.0} s{}\n",
        elapsed.as_secs_f64(),
        if ctx.quick {
            " (quick mode: fewer repetitions, rough numbers)"
        } else {
            ""
        }
    ));
    s
}

fn summary(targets: &[Target]) -> String {
    let mut t = Table::text(&["target", "goal", "this run", "verdict"]);
    for x in targets {
        t.row(vec![
            x.what.clone(),
            x.goal.clone(),
            x.measured.clone(),
            x.verdict().to_string(),
        ]);
    }
    t.render()
}

fn with_load(c: &Chosen) -> String {
    format!("{}\n\n{}", c.block.markdown.trim_end(), c.load_line())
}

fn report(args: &[String]) -> Result<(), String> {
    let a = report_args(args)?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let ctx = Ctx {
        dialscript: a.dialscript.clone(),
        gen_corpus: exe.with_file_name("gen-corpus"),
        quick: a.quick,
    };
    let started = suite::utc_now();
    let clock = Instant::now();
    let chosen_sections: Vec<&str> = if a.only.is_empty() {
        SECTIONS.to_vec()
    } else {
        a.only.iter().map(String::as_str).collect()
    };

    let mut values: BTreeMap<String, String> = BTreeMap::new();
    let mut targets: Vec<Target> = Vec::new();

    // The parser benchmark ran before, through `exec`; keep its quietest run.
    if a.only.is_empty() {
        let runs: Vec<ParseRun> = a
            .parse
            .iter()
            .map(read_parse_run)
            .collect::<Result<_, _>>()?;
        let best = runs
            .iter()
            .enumerate()
            .min_by(|x, y| x.1.load.noise().total_cmp(&y.1.load.noise()))
            .ok_or("no parser benchmark run (`--parse FILE`)")?;
        let chosen = Chosen {
            block: parse_block(&best.1.stdout),
            load: best.1.load,
            loads: runs.iter().map(|r| r.load).collect(),
            kept: best.0,
        };
        targets.extend(chosen.block.targets.clone());
        values.insert("parse".to_string(), with_load(&chosen));
    }

    for name in &chosen_sections {
        eprintln!("running: {name}");
        let run: fn(&Ctx) -> Result<Block, String> = match *name {
            "lint" => suite::lint::run,
            "interp" => suite::interp::run,
            "sim" => suite::sim::run,
            "reaction" => suite::reaction::run,
            _ => suite::login::run,
        };
        let text = match suite::quietest(a.attempts, || run(&ctx)) {
            Ok(c) => {
                targets.extend(c.block.targets.clone());
                with_load(&c)
            }
            Err(e) => {
                targets.push(Target::unmeasured(name, "see the section", &e));
                format!("Not measured: {e}")
            }
        };
        if !a.only.is_empty() {
            println!("## {name}\n\n{text}");
        }
        values.insert(name.to_string(), text);
    }

    let sum = summary(&targets);
    if !a.only.is_empty() {
        println!("{sum}");
        return Ok(());
    }
    values.insert("summary".to_string(), sum);
    values.insert(
        "machine".to_string(),
        machine(&started, clock.elapsed(), &ctx),
    );
    // Blocks end without a line end; the template's blank lines separate them.
    let values = values
        .into_iter()
        .map(|(k, v)| (k, v.trim_end().to_string()))
        .collect();
    let text = fill(TEMPLATE, &values)?;
    match &a.out {
        Some(p) => std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display()))?,
        None => print!("{text}"),
    }
    Ok(())
}
