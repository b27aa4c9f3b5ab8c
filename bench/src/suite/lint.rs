//! Lint: `dialscript check` over a generated corpus of realistic scripts, against ruff over a
//! generated Python corpus of the same shape.
//!
//! `gen-corpus` writes the scripts into a temporary folder; the Python generator writes one
//! module per script, each at least as big as its script, so both linters see the same
//! number of files and about the same bytes. Both run as a user runs them in CI, as whole
//! processes on all cores with JSON output to a file: `dialscript check DIR --format json` and
//! `ruff check --no-cache --exit-zero --output-format json DIR`. Wall time is from start to
//! exit; CPU time is the child's user and system time from `getrusage`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::process::{TempDir, Timed, find_program, output, run_timed, version_line};
use crate::report::Table;
use crate::stats::{
    duration, mb_per_s, median, percent_of, rate_ratio, significant, speedup, thousands,
};
use crate::suite::{Block, CHILD_TIMEOUT, Ctx, Target, timed_runs};

/// Targets.
const TARGET_WALL_MB_S: f64 = 100.0;
const TARGET_CPU_RATIO: f64 = 2.0;
const TARGET_SMALL: Duration = Duration::from_millis(5);

/// The files of `dir`, sorted by name, with their sizes.
fn files(dir: &Path) -> Result<Vec<(PathBuf, u64)>, String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let e = e.map_err(|e| format!("{}: {e}", dir.display()))?;
        let len = e.metadata().map_err(|e| e.to_string())?.len();
        out.push((e.path(), len));
    }
    out.sort();
    Ok(out)
}

/// Checks a linter's run and its output; returns how many findings it reported.
type Check<'a> = &'a dyn Fn(&Timed, &[u8]) -> Result<usize, String>;

/// Timings of one linter over one corpus.
struct Runs {
    wall: Duration,
    cpu: Duration,
    count: usize,
    /// Findings reported, and the bytes of JSON that reported them.
    findings: usize,
    output: u64,
}

/// Runs `make()` once to check its output with `check` (which counts the findings), then
/// times `runs` more.
fn measure(
    runs: usize,
    out_file: &Path,
    make: &dyn Fn() -> Command,
    check: Check<'_>,
) -> Result<Runs, String> {
    let once = || -> Result<Timed, String> {
        let mut cmd = make();
        let f = File::create(out_file).map_err(|e| format!("{}: {e}", out_file.display()))?;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(f))
            .stderr(Stdio::null());
        run_timed(cmd, CHILD_TIMEOUT)
    };
    let first = once()?;
    let written = std::fs::read(out_file).map_err(|e| e.to_string())?;
    let findings = check(&first, &written)?;
    let timed = timed_runs(0, runs, once)?;
    let walls: Vec<Duration> = timed.iter().map(|t| t.wall).collect();
    let cpus: Vec<Duration> = timed.iter().map(|t| t.cpu).collect();
    Ok(Runs {
        wall: median(&walls),
        cpu: median(&cpus),
        count: timed.len(),
        findings,
        output: written.len() as u64,
    })
}

/// The median wall time of `runs` runs of a command, after three warm-up runs.
fn small(runs: usize, make: &dyn Fn() -> Command) -> Result<Duration, String> {
    let times = timed_runs(3, runs, || {
        let mut cmd = make();
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        Ok(run_timed(cmd, CHILD_TIMEOUT)?.wall)
    })?;
    Ok(median(&times))
}

/// Whether a run of `dialscript check` did its job: findings exit 1, a clean corpus 0, and
/// anything else (2 for unreadable input or bad usage) means it did not check everything.
fn checked_all(t: &Timed) -> Result<(), String> {
    if matches!(t.status.code(), Some(0 | 1)) {
        Ok(())
    } else {
        Err(format!("`dialscript check` ended with {}", t.status))
    }
}

/// The cores this process may run on (1 when the system does not say): as many threads as
/// `check` starts, and what turns the wall-time target into a CPU budget.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// What the floors do with each script.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Floor {
    /// List the folder and read every script, as `check` does.
    Read,
    /// The same, and parse each script.
    ReadParse,
}

/// Wall and CPU time of the part of `check` that no rule or renderer can shorten, run in this
/// process: the folder listed and every script read through the CLI's own code
/// (`dialscript_cli::files`), on as many threads as `check` starts, each taking the next script
/// when it is done with one; with [`Floor::ReadParse`], each script is also parsed. Nothing is
/// analysed, rendered or written. CPU time is this process's, which does nothing else meanwhile.
fn floor(dir: &Path, what: Floor) -> Result<(Duration, Duration), String> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let cpu = || crate::process::cpu_time(nix::sys::resource::UsageWho::RUSAGE_SELF);
    let (cpu0, start) = (cpu(), std::time::Instant::now());
    let (inputs, errors) = dialscript_cli::files::collect(
        &[dir.to_path_buf()],
        &dialscript_cli::leave_out::LeaveOut::default(),
    );
    if let Some(e) = errors.first() {
        return Err(format!("{}: {}", e.path.display(), e.message));
    }
    let threads = cores();
    let next = AtomicUsize::new(0);
    let failed: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                // Something of each result outlives it, so that no read or parse can be left
                // out as unused; the tree itself is freed before the next script, as `check`
                // frees it.
                let mut keep = 0usize;
                while let Some(input) = inputs.scripts.get(next.fetch_add(1, Ordering::Relaxed)) {
                    match inputs.read(input) {
                        Ok(bytes) if what == Floor::ReadParse => {
                            let parse = dialscript_syntax::parse(&bytes);
                            keep = keep.wrapping_add(parse.script.procs.len());
                        }
                        Ok(bytes) => keep = keep.wrapping_add(bytes.len()),
                        Err(e) => {
                            if let Ok(mut f) = failed.lock() {
                                f.get_or_insert(e);
                            }
                        }
                    }
                }
                std::hint::black_box(keep);
            });
        }
    });
    let wall = start.elapsed();
    if let Some(e) = failed.lock().ok().and_then(|mut f| f.take()) {
        return Err(e);
    }
    Ok((wall, cpu().saturating_sub(cpu0)))
}

/// The median wall and CPU time of `runs` runs of [`floor`], after one warm-up run.
fn floor_runs(runs: usize, dir: &Path, what: Floor) -> Result<(Duration, Duration), String> {
    let times = timed_runs(1, runs, || floor(dir, what))?;
    let walls: Vec<Duration> = times.iter().map(|t| t.0).collect();
    let cpus: Vec<Duration> = times.iter().map(|t| t.1).collect();
    Ok((median(&walls), median(&cpus)))
}

/// Runs the benchmark.
pub fn run(ctx: &Ctx) -> Result<Block, String> {
    let tmp = TempDir::new("lint")?;
    let scp_dir = tmp.path().join("scripts");
    let py_dir = tmp.path().join("python");
    let bytes = if ctx.quick { 2_000_000 } else { 20_000_000 };
    let mut gen_cmd = Command::new(&ctx.gen_corpus);
    gen_cmd
        .args(["--bytes", &bytes.to_string(), "--out"])
        .arg(&scp_dir);
    let g = output(gen_cmd, CHILD_TIMEOUT)?;
    if !g.status.success() {
        return Err(format!(
            "gen-corpus failed: {}",
            String::from_utf8_lossy(&g.stderr)
        ));
    }
    let scripts = files(&scp_dir)?;
    let scp_bytes: u64 = scripts.iter().map(|(_, n)| n).sum();
    let sizes: Vec<usize> = scripts.iter().map(|(_, n)| *n as usize).collect();
    std::fs::create_dir_all(&py_dir).map_err(|e| e.to_string())?;
    let mut py_bytes = 0u64;
    for (i, m) in crate::pycorpus::corpus_like(1, &sizes).iter().enumerate() {
        std::fs::write(py_dir.join(format!("module_{i:06}.py")), m).map_err(|e| e.to_string())?;
        py_bytes += m.len() as u64;
    }
    let out_file = tmp.path().join("out.json");
    let runs = ctx.reps(5, 2);

    let check_ours = |t: &Timed, out: &[u8]| -> Result<usize, String> {
        checked_all(t)?;
        let v: serde_json::Value =
            serde_json::from_slice(out).map_err(|e| format!("its JSON does not parse: {e}"))?;
        let n = v["files"].as_array().map_or(0, Vec::len);
        if n != scripts.len() {
            return Err(format!(
                "`dialscript check` reported {n} files of {}",
                scripts.len()
            ));
        }
        Ok(v["diagnostics"].as_array().map_or(0, Vec::len))
    };
    let ours_cmd = |extra: &'static [&'static str]| {
        let mut c = Command::new(&ctx.dialscript);
        c.arg("check")
            .arg(&scp_dir)
            .args(["--format", "json"])
            .args(extra);
        c
    };
    let ours = measure(runs, &out_file, &|| ours_cmd(&[]), &check_ours)?;
    // The same without any rule: reading, parsing and the analysis the rules share, with
    // next to nothing to render.
    let bare = measure(
        runs,
        &out_file,
        &|| ours_cmd(&["--ignore", "ALL"]),
        &check_ours,
    )?;

    // The same with a configuration as a CI job keeps one (a rule ignored, two raised to
    // errors), so that what a selection costs per script shows.
    // Not named `dialscript.toml`: the folder it is in holds the small file below, whose
    // check would find it.
    let config = tmp.write(
        "configured.toml",
        "[lint]\nignore = [\"unused-variable\"]\n\n[lint.severity]\n\
         waitfor-without-until = \"error\"\nDS203 = \"error\"\n",
    )?;
    let configured = measure(
        runs,
        &out_file,
        &|| {
            let mut c = ours_cmd(&["--config"]);
            c.arg(&config);
            c
        },
        &check_ours,
    )?;
    // SARIF, which GitHub code scanning reads: the same findings in a bigger document.
    let check_sarif = |t: &Timed, out: &[u8]| -> Result<usize, String> {
        checked_all(t)?;
        let v: serde_json::Value =
            serde_json::from_slice(out).map_err(|e| format!("its SARIF does not parse: {e}"))?;
        v["runs"][0]["results"]
            .as_array()
            .map(Vec::len)
            .ok_or_else(|| "its SARIF has no results".to_string())
    };
    let sarif = measure(
        runs,
        &out_file,
        &|| {
            let mut c = Command::new(&ctx.dialscript);
            c.arg("check").arg(&scp_dir).args(["--format", "sarif"]);
            c
        },
        &check_sarif,
    )?;
    // The floors, with the same runs as the rows above and just after them.
    let read_floor = floor_runs(runs, &scp_dir, Floor::Read)?;
    let parse_floor = floor_runs(runs, &scp_dir, Floor::ReadParse)?;

    let ruff = find_ruff();
    let ruff_label = ruff
        .as_ref()
        .and_then(|r| version_line(r, &["--version"]))
        .unwrap_or_else(|| "ruff".to_string());
    let ruff_cmd = |dir: &Path| {
        let mut c = Command::new(ruff.as_deref().unwrap_or(Path::new("ruff")));
        c.args([
            "check",
            "--no-cache",
            "--exit-zero",
            "--output-format",
            "json",
        ])
        .arg(dir);
        c
    };
    let check_ruff = |t: &Timed, out: &[u8]| -> Result<usize, String> {
        if !t.status.success() {
            return Err(format!("ruff ended with {}", t.status));
        }
        let v: serde_json::Value =
            serde_json::from_slice(out).map_err(|e| format!("ruff's JSON does not parse: {e}"))?;
        v.as_array()
            .map(Vec::len)
            .ok_or_else(|| "ruff's JSON is not a list of findings".to_string())
    };
    let theirs = match &ruff {
        Some(_) => measure(runs, &out_file, &|| ruff_cmd(&py_dir), &check_ruff),
        None => Err("ruff is not installed (`pip install ruff`)".to_string()),
    };

    // One small file: a typical generated script and a Python module of its size.
    let small_scp = tmp.write("small.scp", crate::script(7))?;
    let small_py = tmp.write(
        "small.py",
        crate::pycorpus::module(7, crate::script(7).len()),
    )?;
    let small_runs = ctx.reps(50, 10);
    let small_ours = small(small_runs, &|| {
        let mut c = Command::new(&ctx.dialscript);
        c.arg("check").arg(&small_scp).args(["--format", "json"]);
        c
    })?;
    let small_ruff = match &ruff {
        Some(_) => small(small_runs, &|| ruff_cmd(&small_py)).ok(),
        None => None,
    };
    let small_true =
        find_program("true").and_then(|t| small(small_runs, &|| Command::new(&t)).ok());

    let rate = |b: u64, d: Duration| mb_per_s(b, d);
    let our_wall = rate(scp_bytes, ours.wall);
    let our_cpu = rate(scp_bytes, ours.cpu);
    let mut t = Table::new(&[
        "linter",
        "input",
        "findings (JSON bytes)",
        "wall time",
        "wall MB/s",
        "CPU time (user + sys)",
        "MB per CPU-second",
    ]);
    let output = |r: &Runs| format!("{} ({})", thousands(r.findings as u64), thousands(r.output));
    let scp_input = format!(
        "{} scripts, {} bytes",
        thousands(scripts.len() as u64),
        thousands(scp_bytes)
    );
    t.row(vec![
        format!("dialscript check (median of {})", ours.count),
        scp_input.clone(),
        output(&ours),
        duration(ours.wall),
        significant(our_wall),
        duration(ours.cpu),
        significant(our_cpu),
    ]);
    let mut targets = vec![Target::new(
        "lint, whole process, wall",
        "at least 100 MB/s",
        format!("{} MB/s", significant(our_wall)),
        our_wall >= TARGET_WALL_MB_S,
    )];
    match &theirs {
        Ok(r) => {
            let (w, c) = (rate(py_bytes, r.wall), rate(py_bytes, r.cpu));
            t.row(vec![
                format!("{ruff_label} (median of {})", r.count),
                format!(
                    "{} modules, {} bytes",
                    thousands(sizes.len() as u64),
                    thousands(py_bytes)
                ),
                output(r),
                duration(r.wall),
                significant(w),
                duration(r.cpu),
                significant(c),
            ]);
            t.row(vec![
                "ratio, dialscript ÷ ruff".to_string(),
                String::new(),
                String::new(),
                String::new(),
                rate_ratio(our_wall, w),
                String::new(),
                rate_ratio(our_cpu, c),
            ]);
            targets.push(Target::new(
                "lint, bytes per CPU-second against ruff",
                "at least 2×",
                rate_ratio(our_cpu, c),
                our_cpu >= TARGET_CPU_RATIO * c,
            ));
        }
        Err(e) => {
            t.row(vec![ruff_label.clone(), format!("failed: {e}")]);
            targets.push(Target::unmeasured(
                "lint, bytes per CPU-second against ruff",
                "at least 2×",
                e,
            ));
        }
    }
    for (label, r) in [
        (
            "dialscript check --config, a rule ignored and two raised",
            &configured,
        ),
        ("dialscript check --format sarif", &sarif),
        ("anchor: dialscript check --ignore ALL", &bare),
    ] {
        t.row(vec![
            format!("{label} (median of {})", r.count),
            scp_input.clone(),
            output(r),
            duration(r.wall),
            significant(rate(scp_bytes, r.wall)),
            duration(r.cpu),
            significant(rate(scp_bytes, r.cpu)),
        ]);
    }
    for (label, (wall, cpu)) in [
        ("floor: list and read every script", read_floor),
        ("floor: list, read and parse every script", parse_floor),
    ] {
        t.row(vec![
            format!("{label}, in-process (median of {runs})"),
            scp_input.clone(),
            "none (no output)".to_string(),
            duration(wall),
            significant(rate(scp_bytes, wall)),
            duration(cpu),
            significant(rate(scp_bytes, cpu)),
        ]);
    }
    let mut markdown = t.render();
    markdown.push_str(&format!(
        "\nThe ratio row divides dialscript's rates by ruff's: above 1, dialscript lints more \
         bytes per second. dialscript ran {}; ruff ran its default selection, {} in this \
         version.\n",
        our_rules(&ctx.dialscript).map_or("all its rules".to_string(), |n| format!(
            "all {n} of its rules"
        )),
        ruff.as_deref()
            .and_then(|r| ruff_rules(r, &small_py))
            .map_or("of unknown size".to_string(), |n| format!("{n} rules"))
    ));
    // The wall-time target as a CPU budget: no process can finish sooner than its CPU time
    // divided by the cores it runs on, so this is the most CPU the whole check may use.
    let budget_wall = Duration::from_secs_f64(scp_bytes as f64 / (TARGET_WALL_MB_S * 1e6));
    let cores = cores();
    let budget_cpu = budget_wall * cores as u32;
    markdown.push_str(&format!(
        "\nThe floors run inside the benchmark's process, without a process to start or output \
         to write: the folder listed and every script read through the CLI's own code, on as \
         many threads as `check` uses, and the same with each script parsed. They are what this \
         machine spends before any analysis, rule or rendering; 100 MB/s leaves the whole \
         process {} for this corpus, so at most {} of CPU time on the {} cores here. In this \
         run the anchor row, with no rule and next to no output, used {} of CPU ({} of the \
         budget), and the floor with parsing {} ({}).\n",
        duration(budget_wall),
        duration(budget_cpu),
        cores,
        duration(bare.cpu),
        percent_of(bare.cpu, budget_cpu),
        duration(parse_floor.1),
        percent_of(parse_floor.1, budget_cpu),
    ));

    let mut s = Table::new(&[
        "one small file, whole process",
        "size",
        "median wall time",
        "vs dialscript",
    ]);
    s.row(vec![
        format!("dialscript check --format json (median of {small_runs})"),
        format!("{} bytes", thousands(crate::script(7).len() as u64)),
        duration(small_ours),
        String::new(),
    ]);
    if let Some(r) = small_ruff {
        s.row(vec![
            format!("{ruff_label} (median of {small_runs})"),
            format!(
                "{} bytes",
                thousands(std::fs::metadata(&small_py).map_or(0, |m| m.len()))
            ),
            duration(r),
            speedup(small_ours, r),
        ]);
    }
    if let Some(n) = small_true {
        s.row(vec![
            "anchor: start and end of `true`".to_string(),
            String::new(),
            duration(n),
            speedup(small_ours, n),
        ]);
    }
    markdown.push('\n');
    markdown.push_str(&s.render());
    markdown.push_str("\n\"vs dialscript\" is the row's time divided by dialscript's.\n");
    targets.push(Target::new(
        "lint, one small file, whole process",
        "under 5 ms wall",
        duration(small_ours),
        small_ours < TARGET_SMALL,
    ));
    Ok(Block { markdown, targets })
}

/// How many lint rules `dialscript explain --list` lists (codes DS1xx and DS2xx; DS0xx are
/// syntax errors).
fn our_rules(dialscript: &Path) -> Option<usize> {
    let mut cmd = Command::new(dialscript);
    cmd.args(["explain", "--list"]).stdin(Stdio::null());
    let out = output(cmd, CHILD_TIMEOUT).ok()?;
    let n = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("DS1") || l.starts_with("DS2"))
        .count();
    (n > 0).then_some(n)
}

/// How many rules ruff enables for `file` by default, from `ruff check --show-settings`.
fn ruff_rules(ruff: &Path, file: &Path) -> Option<usize> {
    let mut cmd = Command::new(ruff);
    cmd.args(["check", "--no-cache", "--show-settings"])
        .arg(file)
        .stdin(Stdio::null());
    let out = output(cmd, CHILD_TIMEOUT).ok()?;
    count_enabled(&String::from_utf8_lossy(&out.stdout))
}

/// Counts the entries of the `linter.rules.enabled = [ ... ]` list in ruff's settings dump.
fn count_enabled(settings: &str) -> Option<usize> {
    let mut lines = settings
        .lines()
        .skip_while(|l| !l.starts_with("linter.rules.enabled"));
    lines.next()?;
    Some(
        lines
            .take_while(|l| !l.starts_with(']'))
            .filter(|l| !l.trim().is_empty())
            .count(),
    )
}

/// ruff's binary. The `ruff` on `PATH` can be a wrapper script (pyenv's shims are) whose own
/// start-up would count against ruff; then the binary that the pip package installed is used,
/// as its Python module reports it.
fn find_ruff() -> Option<PathBuf> {
    use std::io::Read;
    let found = find_program("ruff")?;
    let mut head = [0u8; 2];
    let script = File::open(&found)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == b"#!");
    if !script {
        return Some(found);
    }
    let python = find_program("python3")?;
    let mut cmd = Command::new(python);
    cmd.args([
        "-c",
        "from ruff.__main__ import find_ruff_bin; print(find_ruff_bin())",
    ])
    .stdin(Stdio::null());
    let inner = output(cmd, CHILD_TIMEOUT)
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|p| p.is_file());
    Some(inner.unwrap_or(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruffs_enabled_rules_are_counted() {
        let dump = "linter.rules.enabled = [\n\tunused-import (F401),\n\tunused-variable (F841),\n]\nlinter.rules.should_fix = [\n\tx (Y1),\n]\n";
        assert_eq!(count_enabled(dump), Some(2));
        assert_eq!(count_enabled("nothing"), None);
    }
}
