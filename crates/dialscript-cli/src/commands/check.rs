//! `dialscript check`: parse and check scripts, report what is wrong, optionally fix it.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use dialscript_check::config::{self, Config, Selector};
use dialscript_check::{Checker, Options, RuleSelection};
use dialscript_syntax::{Diagnostic, Severity, SourceFile};

use crate::args::{CheckArgs, Color, Format};
use crate::leave_out::{Excludes, LeaveOut};
use crate::{exit, files, render};

/// Width used for human output.
const DEFAULT_WIDTH: usize = 100;

/// How often `--fix` re-checks and fixes again: a fix can make another one possible.
const FIX_ROUNDS: usize = 4;

/// What checking one file produced.
pub struct FileReport {
    /// The file as shown in output.
    pub file: SourceFile,
    /// Remaining diagnostics (after fixes, when fixing).
    pub diagnostics: Vec<Diagnostic>,
    /// Worst-case running time of `main`, seconds; `None` when unbounded or without `main`.
    pub max_duration: Option<u64>,
    /// The fixed bytes, when fixes changed anything.
    pub fixed: Option<Vec<u8>>,
    /// The bytes as they were read, when fixes changed them (what `--diff` compares with).
    pub original: Option<Vec<u8>>,
    /// How many fixes were applied.
    pub fixes: usize,
}

/// Checks one script's bytes with `checker`; with `fix`, applies fixes (and re-checks) first.
pub fn check_bytes(
    name: impl Into<String>,
    bytes: Vec<u8>,
    checker: &Checker,
    fix: Option<bool>,
) -> FileReport {
    let mut checked = run_checker(&bytes, checker);
    let mut fixes = 0;
    let mut fixed = None;
    if let Some(unsafe_fixes) = fix {
        // Only fixing needs the original bytes next to the current ones; a plain check keeps
        // one copy of each file.
        let mut current = bytes.clone();
        for _ in 0..FIX_ROUNDS {
            let (next, n) =
                dialscript_check::fix::apply(&current, &checked.diagnostics, unsafe_fixes);
            if n == 0 || next == current {
                break;
            }
            fixes += n;
            current = next;
            checked = run_checker(&current, checker);
        }
        if current != bytes {
            fixed = Some(current);
        }
    }
    let (current, original) = match &fixed {
        Some(new) => (new.clone(), Some(bytes)),
        None => (bytes, None),
    };
    FileReport {
        file: SourceFile::new(name, current),
        diagnostics: checked.diagnostics,
        max_duration: checked.max_duration,
        fixed,
        original,
        fixes,
    }
}

fn run_checker(bytes: &[u8], checker: &Checker) -> dialscript_check::Checked {
    let parse = dialscript_syntax::parse(bytes);
    checker.check(&parse, bytes)
}

/// Runs `check`; returns the exit code. A script to check from standard input (`-`) is
/// read from the process's standard input.
pub fn run(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    run_from(args, &mut std::io::stdin().lock(), out, err)
}

/// [`run`], with `stdin` standing for standard input.
///
/// With `--fix` or `--add-suppressions`, a script from standard input is written back to
/// standard output, changed or not (an editor replaces its text with it), and the report goes
/// to standard error.
pub fn run_from(
    args: &CheckArgs,
    stdin: &mut dyn std::io::Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<i32> {
    let dash = args.paths.iter().any(|p| p.as_os_str() == "-");
    if dash && args.paths.len() > 1 {
        return usage(
            err,
            "`-` (standard input) cannot be combined with other paths",
        );
    }
    if args.stdin_filename.is_some() && !args.paths.is_empty() && !dash {
        return usage(
            err,
            "--stdin-filename names the script read from standard input; give `-` as the path",
        );
    }
    // One configuration for every script with `--config` (or none with `--isolated`);
    // otherwise each script's nearest, found below.
    let fixed_config = match (&args.config, args.isolated) {
        (_, true) => Some(Config::default()),
        (Some(p), false) => match Config::load(p) {
            Ok(c) => Some(c),
            Err(e) => return usage(err, &e),
        },
        (None, false) => None,
    };
    let fixed = fixed_config.as_ref();
    let how = LeaveOut {
        git_ignored: !args.no_respect_gitignore,
        excludes: fixed.map_or(Excludes::Nearest, |c| Excludes::Of(c.clone())),
        force_exclude: args.force_exclude,
    };
    if !dash && !args.paths.is_empty() {
        let (inputs, input_errors) = files::collect(&args.paths, &how);
        if args.show_files {
            return show_files(&inputs, &input_errors, out, err);
        }
        return check_inputs(args, fixed, &inputs, input_errors, out, err, &mut None);
    }
    let inputs = files::Inputs::standard_input(args.stdin_filename.as_deref(), stdin);
    // With `--force-exclude`, a script whose name `exclude` matches is not checked, as a file
    // by that name would not be: nothing is reported, and with `--fix` (or
    // `--add-suppressions`) it passes through unchanged.
    if let Some(name) = args
        .stdin_filename
        .as_deref()
        .filter(|_| args.force_exclude)
    {
        match crate::leave_out::excludes_file(&files::absolute(name), &how.excludes) {
            Ok(false) => {}
            Ok(true) => {
                if args.writes()
                    && !args.show_files
                    && let Ok(bytes) = inputs.read(&inputs.scripts[0])
                {
                    out.write_all(&bytes)?;
                }
                return Ok(exit::CLEAN);
            }
            Err(e) => return usage(err, &e),
        }
    }
    if args.show_files {
        return show_files(&inputs, &[], out, err);
    }
    if !args.writes() {
        return check_inputs(args, fixed, &inputs, Vec::new(), out, err, &mut None);
    }
    // The report and the messages after it are kept apart and passed on in that order, so
    // that standard output holds the script alone.
    let (mut report, mut messages, mut script) = (Vec::new(), Vec::new(), None);
    let code = check_inputs(
        args,
        fixed,
        &inputs,
        Vec::new(),
        &mut report,
        &mut messages,
        &mut script,
    )?;
    err.write_all(&report)?;
    err.write_all(&messages)?;
    if let Some(script) = script {
        out.write_all(&script)?;
    }
    Ok(code)
}

/// Checks `inputs` (with `fixed_config` for all of them when given, else each one's nearest
/// configuration) and writes the report to `out`, then any input errors and the summary to
/// `err`; returns the exit code. When the run writes scripts and the script is from standard
/// input, `stdin_script` receives its bytes, changed or not, instead of a file being written.
fn check_inputs(
    args: &CheckArgs,
    fixed_config: Option<&Config>,
    inputs: &files::Inputs,
    mut input_errors: Vec<files::InputError>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    stdin_script: &mut Option<Vec<u8>>,
) -> std::io::Result<i32> {
    let cli_select = match parse_selectors(&args.select) {
        Ok(s) => s,
        Err(e) => return usage(err, &format!("--select: {e}")),
    };
    let cli_ignore = match parse_selectors(&args.ignore) {
        Ok(s) => s,
        Err(e) => return usage(err, &format!("--ignore: {e}")),
    };

    // One configuration per folder: the nearest dialscript.toml, unless --config or
    // --isolated says otherwise. Each distinct configuration becomes one `Checker`, which
    // every script of its folders shares.
    let mut checkers: Vec<Checker> = Vec::new();
    let mut by_dir: HashMap<PathBuf, usize> = HashMap::new();
    let mut by_folder: Vec<Option<usize>> = vec![None; inputs.folders.len()];
    if let Some(c) = fixed_config {
        checkers.push(Checker::new(options_for(c, args, &cli_select, &cli_ignore)));
    }
    let mut jobs: Vec<(usize, usize)> = Vec::with_capacity(inputs.scripts.len());
    for (i, input) in inputs.scripts.iter().enumerate() {
        if fixed_config.is_some() {
            jobs.push((i, 0));
            continue;
        }
        let folder = input.folder_index();
        if let Some(o) = folder.and_then(|f| by_folder[f]) {
            jobs.push((i, o));
            continue;
        }
        let dir = match inputs.folder_of(input) {
            Some(f) => f.path.clone(),
            None => inputs
                .path(input)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        };
        let o = match by_dir.get(&dir) {
            Some(&o) => o,
            None => {
                let found = if dir.as_os_str().is_empty() {
                    config::discover(Path::new("."))
                } else {
                    config::discover(&dir)
                };
                let config = match found {
                    Some(p) => match Config::load(&p) {
                        Ok(c) => c,
                        Err(e) => return usage(err, &e),
                    },
                    None => Config::default(),
                };
                checkers.push(Checker::new(options_for(
                    &config,
                    args,
                    &cli_select,
                    &cli_ignore,
                )));
                by_dir.insert(dir, checkers.len() - 1);
                checkers.len() - 1
            }
        };
        if let Some(f) = folder {
            by_folder[f] = Some(o);
        }
        jobs.push((i, o));
    }

    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    // `--diff` shows fixes, or with `--add-suppressions` the suppressions alone.
    let fix = (args.fix || args.diff && !args.add_suppressions).then_some(args.unsafe_fixes);
    // Every output is a concatenation of per-file pieces (JSON and SARIF between a start and
    // an end; with `--diff`, each changed file's diff): the thread that checked a file also
    // renders its piece and drops the file, keeping only what the summary needs, and the
    // pieces are written out in input order as soon as they are ready. Output starts at once
    // and memory stays flat however many files there are.
    //
    // Files go to the threads in runs of consecutive scripts, and a thread renders a whole
    // run into one buffer. The writing thread then passes each buffer to the output as it
    // is (the writer's own buffer is smaller than a run's), where it used to copy and free a
    // piece per file while the checking threads waited for the cores it took.
    let mut out = std::io::BufWriter::with_capacity(1 << 14, out);
    // What each file contributes: its diff, or its findings in the chosen format.
    let format = (!args.diff).then_some(args.format);
    match format {
        Some(Format::Json) => render::write_json_start(&mut out)?,
        Some(Format::Sarif) => render::write_sarif_start(&mut out)?,
        _ => {}
    }
    let run_len = (jobs.len() / 64).clamp(1, 32);
    let runs: Vec<std::ops::Range<usize>> = (0..jobs.len())
        .step_by(run_len)
        .map(|start| start..(start + run_len).min(jobs.len()))
        .collect();
    let mut tally = Tally::default();
    let mut json_files: Vec<u8> = Vec::new();
    let mut first_piece = true;
    let mut write_error: Option<std::io::Error> = None;
    parallel_ordered(
        &runs,
        |run| {
            let mut files_text = Vec::new();
            // Room for the whole run at once: grown by doubling, the buffer of a run of
            // JSON was copied eight times over, a twentieth of all the work.
            let mut text = Vec::with_capacity(if args.diff {
                0
            } else {
                run.len() * RUN_BYTES_PER_FILE
            });
            let results: Vec<Result<(Tally, FileReport), String>> = jobs[run.clone()]
                .iter()
                .map(|&(script, o)| {
                    let input = &inputs.scripts[script];
                    let bytes = inputs.read(input)?;
                    let mut report =
                        check_bytes(inputs.shown_path(input), bytes, &checkers[o], fix);
                    if args.add_suppressions {
                        report = add_suppressions(report, &checkers[o]);
                    }
                    let counts = Tally::of(&report);
                    match format {
                        // The diff compares the fixed bytes with the ones that were checked,
                        // not with the file read again later.
                        None => {
                            if let (Some(old), Some(new)) = (&report.original, &report.fixed) {
                                text.extend_from_slice(
                                    render::unified_diff(report.file.name(), old, new).as_bytes(),
                                );
                            }
                            // Nothing is written with `--diff`.
                            report.fixed = None;
                        }
                        Some(Format::Human) => text.extend_from_slice(
                            render::human(&report.file, &report.diagnostics, color, DEFAULT_WIDTH)
                                .as_bytes(),
                        ),
                        Some(Format::Concise) => text.extend_from_slice(
                            render::concise(&report.file, &report.diagnostics).as_bytes(),
                        ),
                        Some(Format::Github) => text.extend_from_slice(
                            render::github(&report.file, &report.diagnostics).as_bytes(),
                        ),
                        // The run's pieces are joined with commas here; the writing thread
                        // puts one between runs.
                        Some(f @ (Format::Json | Format::Sarif))
                            if !report.diagnostics.is_empty() =>
                        {
                            if !text.is_empty() {
                                text.push(b',');
                            }
                            let piece = if f == Format::Json {
                                render::json_fragment_into
                            } else {
                                render::sarif_results_into
                            };
                            piece(&mut text, &report.file, &report.diagnostics);
                        }
                        Some(Format::Json | Format::Sarif) => {}
                    }
                    if format == Some(Format::Json) {
                        render::json_file_into(
                            &mut files_text,
                            report.file.name(),
                            report.max_duration,
                        );
                    }
                    // Only the counts, the name and any fixed bytes are needed from here on.
                    report.file.release_bytes();
                    report.diagnostics = Vec::new();
                    report.original = None;
                    Ok((counts, report))
                })
                .collect();
            (results, text, files_text)
        },
        |r, (results, text, files_text)| {
            for (job, result) in jobs[runs[r].clone()].iter().zip(results) {
                // Written to the path the script was read from: the name shown in the report
                // is a lossy text form of it.
                let path = || inputs.path(&inputs.scripts[job.0]);
                match result {
                    Ok((counts, report)) => {
                        tally.add(&counts);
                        if args.writes() && inputs.is_standard_input() {
                            // Never written to the file it is named after: that file may
                            // hold other bytes than the editor's.
                            *stdin_script = report
                                .fixed
                                .or_else(|| inputs.read(&inputs.scripts[job.0]).ok());
                        } else if args.writes()
                            && let Some(new) = &report.fixed
                            && let Err(e) = files::write_fixed(&path(), new)
                        {
                            input_errors.push(files::InputError {
                                path: path(),
                                message: format!(
                                    "cannot write the fixes: {}",
                                    files::io_message(&e)
                                ),
                            });
                        }
                    }
                    Err(message) => input_errors.push(files::InputError {
                        path: path(),
                        message,
                    }),
                }
            }
            if !files_text.is_empty() {
                if !json_files.is_empty() {
                    json_files.push(b',');
                }
                json_files.extend_from_slice(&files_text);
            }
            let written = if matches!(format, Some(Format::Json | Format::Sarif)) {
                render::write_json_fragment(&mut out, &text, &mut first_piece)
            } else {
                out.write_all(&text)
            };
            if let Err(e) = written {
                write_error.get_or_insert(e);
            }
        },
    );
    if let Some(e) = write_error {
        return Err(e);
    }
    let Tally {
        files: checked,
        errors,
        warnings,
        advice,
        fixable,
        fixed_files,
        fixes,
    } = tally;

    if args.diff {
        let changed = fixed_files > 0;
        out.flush()?;
        write_input_errors(err, &input_errors)?;
        let changes = if args.add_suppressions {
            plural(fixes, "suppression")
        } else {
            plural(fixes, "fix").replace("fixs", "fixes")
        };
        writeln!(
            err,
            "{changes} in {} (not written: --diff)",
            plural(fixed_files, "file")
        )?;
        return Ok(if !input_errors.is_empty() {
            exit::USAGE
        } else if changed && !args.exit_zero {
            exit::FINDINGS
        } else {
            exit::CLEAN
        });
    }

    // Standard output is line-buffered, and a JSON or SARIF report is one line of megabytes,
    // which it would pass on a kilobyte at a time, scanning each piece for a line end; `out`
    // writes in large pieces instead, and is flushed before anything goes to standard error.
    match args.format {
        Format::Human | Format::Concise | Format::Github => {}
        Format::Json => {
            render::write_json_end(&mut out, &json_files)?;
            writeln!(out)?;
        }
        Format::Sarif => {
            render::write_sarif_end(&mut out, !first_piece)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    write_input_errors(err, &input_errors)?;
    // GitHub shows only the first few annotations of a step, so the count goes to the log too.
    if matches!(
        args.format,
        Format::Human | Format::Concise | Format::Github
    ) {
        writeln!(
            err,
            "{}",
            summary(
                checked,
                input_errors.len(),
                [errors, warnings, advice],
                fixable,
                fixes,
                match (args.fix, args.add_suppressions) {
                    (true, _) => Some(Applied::Fixes),
                    (_, true) => Some(Applied::Suppressions),
                    _ => None,
                }
            )
        )?;
    }
    Ok(if !input_errors.is_empty() {
        exit::USAGE
    } else if errors + warnings > 0 && !args.exit_zero {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

/// `--add-suppressions`: the script with a suppression comment for each finding it has
/// (`suppress::add`), checked again, so that the report shows what is left (syntax errors) and
/// the writer writes the new bytes as it writes fixes.
fn add_suppressions(report: FileReport, checker: &Checker) -> FileReport {
    let src = report.file.bytes();
    let comments = dialscript_syntax::lexer::lex(src).comments;
    let (new, added) = dialscript_check::suppress::add(src, &comments, &report.diagnostics);
    if added == 0 {
        return report;
    }
    let mut again = check_bytes(report.file.name(), new.clone(), checker, None);
    again.original = Some(src.to_vec());
    again.fixed = Some(new);
    again.fixes = added;
    again
}

/// One `error:` line for each path that could not be used, after the report.
fn write_input_errors(err: &mut dyn Write, errors: &[files::InputError]) -> std::io::Result<()> {
    for e in errors {
        writeln!(err, "error: {}: {}", e.path.display(), e.message)?;
    }
    Ok(())
}

/// `--show-files`: the scripts `check` would check, as its reports name them, one per line
/// in the order it checks them; the paths that could not be used go to `err` as usual.
fn show_files(
    inputs: &files::Inputs,
    input_errors: &[files::InputError],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<i32> {
    let mut out = std::io::BufWriter::new(out);
    for input in &inputs.scripts {
        writeln!(out, "{}", inputs.shown_path(input))?;
    }
    out.flush()?;
    write_input_errors(err, input_errors)?;
    Ok(if input_errors.is_empty() {
        exit::CLEAN
    } else {
        exit::USAGE
    })
}

/// Room reserved per script in a run's output buffer: a typical script's JSON is about 1.5 KiB,
/// and a buffer that is too small grows as usual.
const RUN_BYTES_PER_FILE: usize = 4096;

fn usage(err: &mut dyn Write, message: &str) -> std::io::Result<i32> {
    writeln!(err, "error: {message}")?;
    Ok(exit::USAGE)
}

fn parse_selectors(words: &[String]) -> Result<Vec<Selector>, String> {
    words
        .iter()
        .filter(|w| !w.trim().is_empty())
        .map(|w| Selector::parse(w))
        .collect()
}

fn options_for(c: &Config, args: &CheckArgs, select: &[Selector], ignore: &[Selector]) -> Options {
    let mut selection: RuleSelection = c.selection.clone();
    if !select.is_empty() {
        selection.select = Some(select.to_vec());
    }
    selection.ignore.extend(ignore.iter().cloned());
    Options {
        selection,
        max_duration: args.max_duration.or(c.max_duration),
        unsafe_fix_until: args
            .fix_until
            .or(c.unsafe_fix_until)
            .unwrap_or(dialscript_check::DEFAULT_FIX_UNTIL),
    }
}

/// What the summary line and the exit code need from the files checked.
#[derive(Default)]
struct Tally {
    files: usize,
    errors: usize,
    warnings: usize,
    advice: usize,
    fixable: usize,
    fixed_files: usize,
    fixes: usize,
}

impl Tally {
    /// The counts of one file.
    fn of(r: &FileReport) -> Tally {
        let mut t = Tally {
            files: 1,
            fixes: r.fixes,
            fixed_files: usize::from(r.fixed.is_some()),
            ..Tally::default()
        };
        for d in &r.diagnostics {
            match d.severity {
                Severity::Error => t.errors += 1,
                Severity::Warning => t.warnings += 1,
                Severity::Advice => t.advice += 1,
            }
            if d.fix
                .as_ref()
                .is_some_and(|f| f.applicability == dialscript_syntax::Applicability::Safe)
            {
                t.fixable += 1;
            }
        }
        t
    }

    fn add(&mut self, o: &Tally) {
        self.files += o.files;
        self.errors += o.errors;
        self.warnings += o.warnings;
        self.advice += o.advice;
        self.fixable += o.fixable;
        self.fixed_files += o.fixed_files;
        self.fixes += o.fixes;
    }
}

/// Runs `f` over `items` on all cores and hands each result to `sink` on this thread, in
/// input order, as soon as it and every result before it have arrived. Threads take the next
/// item when they finish one, so a few large files do not leave a core idle; results that
/// come early wait in a small reorder buffer.
fn parallel_ordered<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(usize, R),
) {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    if threads <= 1 {
        for (i, x) in items.iter().enumerate() {
            sink(i, f(x));
        }
        return;
    }
    // Results travel in batches: a message per file woke the receiving thread once per file,
    // and those wake-ups cost more CPU than writing the output.
    const BATCH: usize = 32;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<Vec<(usize, R)>>();
    let (f, next) = (&f, &next);
    std::thread::scope(|s| {
        for _ in 0..threads {
            let tx = tx.clone();
            s.spawn(move || {
                let mut batch = Vec::with_capacity(BATCH);
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(x) = items.get(i) else { break };
                    batch.push((i, f(x)));
                    if batch.len() == BATCH
                        && tx
                            .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                            .is_err()
                    {
                        return;
                    }
                }
                let _ = tx.send(batch);
            });
        }
        drop(tx);
        // Results that came early wait in a ring indexed by their distance from the next
        // one due; it holds about as many as the threads have batches in flight.
        let mut waiting: std::collections::VecDeque<Option<R>> = std::collections::VecDeque::new();
        let mut due = 0;
        for batch in rx {
            for (i, r) in batch {
                let at = i - due;
                if waiting.len() <= at {
                    waiting.resize_with(at + 1, || None);
                }
                waiting[at] = Some(r);
            }
            while let Some(r) = waiting.front_mut().and_then(Option::take) {
                waiting.pop_front();
                sink(due, r);
                due += 1;
            }
        }
    });
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// What a run wrote into the scripts, for the summary line.
#[derive(Clone, Copy)]
enum Applied {
    /// `--fix`.
    Fixes,
    /// `--add-suppressions`.
    Suppressions,
}

fn summary(
    files: usize,
    unreadable: usize,
    [errors, warnings, advice]: [usize; 3],
    fixable: usize,
    fixed: usize,
    applied: Option<Applied>,
) -> String {
    // "No problems found" would read as a clean bill for the files that could not be read.
    let mut s = if errors + warnings + advice == 0 && unreadable > 0 {
        format!("{} checked", plural(files, "file"))
    } else if errors + warnings + advice == 0 {
        format!("{} checked, no problems found", plural(files, "file"))
    } else {
        format!(
            "{} checked: {} and {}",
            plural(files, "file"),
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    };
    if advice > 0 {
        s.push_str(&format!(" (and {advice} advice)"));
    }
    match applied {
        Some(Applied::Fixes) => s.push_str(&format!(
            "; {} applied",
            plural(fixed, "fix").replace("fixs", "fixes")
        )),
        Some(Applied::Suppressions) => {
            s.push_str(&format!("; {} added", plural(fixed, "suppression")));
        }
        None if fixable > 0 => s.push_str(&format!("; {fixable} fixable with `--fix`")),
        None => {}
    }
    if unreadable > 0 {
        s.push_str(&format!(
            "; {} could not be read",
            plural(unreadable, "file")
        ));
    }
    s
}
