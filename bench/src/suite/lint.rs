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
use crate::stats::{duration, mb_per_s, median, rate_ratio, significant, speedup, thousands};
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

/// Timings of one linter over one corpus.
struct Runs {
    wall: Duration,
    cpu: Duration,
    count: usize,
}

/// Runs `make()` once to check its output with `check`, then times `runs` more.
fn measure(
    runs: usize,
    out_file: &Path,
    make: &dyn Fn() -> Command,
    check: &dyn Fn(&Timed, &[u8]) -> Result<(), String>,
) -> Result<Runs, String> {
    let once = |validate: bool| -> Result<Timed, String> {
        let mut cmd = make();
        let f = File::create(out_file).map_err(|e| format!("{}: {e}", out_file.display()))?;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(f))
            .stderr(Stdio::null());
        let t = run_timed(cmd, CHILD_TIMEOUT)?;
        if validate {
            let written = std::fs::read(out_file).map_err(|e| e.to_string())?;
            check(&t, &written)?;
        }
        Ok(t)
    };
    once(true)?;
    let timed = timed_runs(0, runs, || once(false))?;
    let walls: Vec<Duration> = timed.iter().map(|t| t.wall).collect();
    let cpus: Vec<Duration> = timed.iter().map(|t| t.cpu).collect();
    Ok(Runs {
        wall: median(&walls),
        cpu: median(&cpus),
        count: timed.len(),
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

    let check_ours = |t: &Timed, out: &[u8]| -> Result<(), String> {
        // Findings exit 1; anything else means the run did not do its job.
        if !matches!(t.status.code(), Some(0 | 1)) {
            return Err(format!("`dialscript check` ended with {}", t.status));
        }
        let v: serde_json::Value =
            serde_json::from_slice(out).map_err(|e| format!("its JSON does not parse: {e}"))?;
        let n = v["files"].as_array().map_or(0, Vec::len);
        if n != scripts.len() {
            return Err(format!(
                "`dialscript check` reported {n} files of {}",
                scripts.len()
            ));
        }
        Ok(())
    };
    let ours = measure(
        runs,
        &out_file,
        &|| {
            let mut c = Command::new(&ctx.dialscript);
            c.arg("check").arg(&scp_dir).args(["--format", "json"]);
            c
        },
        &check_ours,
    )?;

    let ruff = find_program("ruff");
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
    let check_ruff = |t: &Timed, out: &[u8]| -> Result<(), String> {
        if !t.status.success() {
            return Err(format!("ruff ended with {}", t.status));
        }
        let v: serde_json::Value =
            serde_json::from_slice(out).map_err(|e| format!("ruff's JSON does not parse: {e}"))?;
        if !v.is_array() {
            return Err("ruff's JSON is not a list of findings".to_string());
        }
        Ok(())
    };
    let theirs = match &ruff {
        Some(_) => measure(runs, &out_file, &|| ruff_cmd(&py_dir), &check_ruff),
        None => Err("ruff is not installed (`pip install ruff`)".to_string()),
    };

    // One small file: a typical generated script and a Python module of its size.
    let small_scp = tmp.write("small.scp", crate::script(7))?;
    let small_py = tmp.write("small.py", crate::pycorpus::module(7, crate::script(7).len()))?;
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
    let small_true = find_program("true").and_then(|t| small(small_runs, &|| Command::new(&t)).ok());

    let rate = |b: u64, d: Duration| mb_per_s(b, d);
    let our_wall = rate(scp_bytes, ours.wall);
    let our_cpu = rate(scp_bytes, ours.cpu);
    let mut t = Table::new(&[
        "linter",
        "input",
        "wall time",
        "wall MB/s",
        "CPU time (user + sys)",
        "MB per CPU-second",
    ]);
    t.row(vec![
        format!("dialscript check (median of {})", ours.count),
        format!(
            "{} scripts, {} bytes",
            thousands(scripts.len() as u64),
            thousands(scp_bytes)
        ),
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
                duration(r.wall),
                significant(w),
                duration(r.cpu),
                significant(c),
            ]);
            t.row(vec![
                "ratio, dialscript ÷ ruff".to_string(),
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
    let mut markdown = t.render();

    let mut s = Table::new(&["one small file, whole process", "size", "median wall time", "vs dialscript"]);
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
    targets.push(Target::new(
        "lint, one small file, whole process",
        "under 5 ms wall",
        duration(small_ours),
        small_ours < TARGET_SMALL,
    ));
    Ok(Block { markdown, targets })
}
