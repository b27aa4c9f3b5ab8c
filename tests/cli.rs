//! The `dialscript` command line, run in-process: exit codes, input handling and the three
//! output formats of `check`, and `explain`.
//!
//! Exit codes: 0 when nothing is found, 1 when there are findings, 2 for a usage error or
//! input that cannot be read. Fixture folders live in `tests/fixtures/cli/`:
//! `clean/` (two valid scripts, one in a subfolder with an upper-case `.SCP` name, and a
//! `.txt` file that must be ignored), `broken/` (`typo.scp` with one known mistake, and
//! `old/LEGACY.SCP` with another),
//! `no-scripts/` (no `.scp` file at all) and `binary.scp` (an executable header with NUL
//! bytes).

use std::path::PathBuf;

use dialscript_syntax::codes::SYNTAX_CODES;
use dialscript_tests::{fixture, run_cli};

/// An absolute path to a CLI fixture, as a string for the argument list.
fn cli_fixture(rel: &str) -> String {
    path_arg(fixture("cli").join(rel))
}

fn path_arg(path: PathBuf) -> String {
    path.to_str()
        .expect("fixture paths are valid UTF-8")
        .to_string()
}

/// The broken script and where its one mistake is.
const BROKEN: &str = "broken/typo.scp";
const BROKEN_LINE: u64 = 4;
const BROKEN_COLUMN: u64 = 4;

#[test]
fn a_clean_script_exits_0_and_says_so() {
    let (code, out, err) = run_cli(&["check", &cli_fixture("clean/login.scp")]);
    assert_eq!(code, 0, "stdout: {out}\nstderr: {err}");
    assert_eq!(out, "");
    assert!(err.contains("1 file checked, no problems found"), "{err}");
}

#[test]
fn a_script_with_a_mistake_exits_1_and_shows_it() {
    let path = cli_fixture(BROKEN);
    let (code, out, err) = run_cli(&["check", "--color", "never", &path]);
    assert_eq!(code, 1, "stdout: {out}\nstderr: {err}");
    assert!(out.contains("DS009(unknown-command)"), "{out}");
    assert!(
        out.contains("unknown command `waitfro`; did you mean `waitfor`?"),
        "{out}"
    );
    assert!(
        out.contains(&format!("{path}:{BROKEN_LINE}:{BROKEN_COLUMN}")),
        "the snippet header should give the file, line and column:\n{out}"
    );
    assert!(
        !out.contains('\u{1b}'),
        "`--color never` must not write escape codes"
    );
    assert!(
        err.contains("1 file checked: 1 error and 0 warnings"),
        "{err}"
    );
}

#[test]
fn color_always_writes_escape_codes() {
    let (code, out, _) = run_cli(&["check", "--color", "always", &cli_fixture(BROKEN)]);
    assert_eq!(code, 1);
    assert!(out.contains('\u{1b}'), "{out}");
}

#[test]
fn exit_zero_reports_but_exits_0() {
    let (code, out, _) = run_cli(&[
        "check",
        "--exit-zero",
        "--format",
        "concise",
        &cli_fixture(BROKEN),
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("DS009"), "{out}");
}

#[test]
fn exit_zero_does_not_hide_unreadable_input() {
    let (code, _, err) = run_cli(&["check", "--exit-zero", &cli_fixture("binary.scp")]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_missing_file_exits_2_with_a_message() {
    let missing = cli_fixture("no-such-script.scp");
    let (code, out, err) = run_cli(&["check", &missing]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(
        err.contains(&format!(
            "error: {missing}: cannot read: no such file or folder"
        )),
        "{err}"
    );
}

#[test]
fn a_missing_file_does_not_stop_the_others_from_being_checked() {
    let (code, out, err) = run_cli(&[
        "check",
        "--format",
        "concise",
        &cli_fixture(BROKEN),
        &cli_fixture("no-such-script.scp"),
    ]);
    // Unreadable input wins over findings: the run as a whole is a usage error.
    assert_eq!(code, 2);
    assert!(out.contains("DS009"), "{out}");
    assert!(err.contains("no such file or folder"), "{err}");
    // The summary counts the file that was not read, rather than look like a clean run.
    assert!(err.contains("1 file checked: "), "{err}");
    assert!(err.ends_with("; 1 file could not be read\n"), "{err}");
    let (code, _, err) = run_cli(&["check", &cli_fixture("no-such-script.scp")]);
    assert_eq!(code, 2);
    assert!(
        err.ends_with("\n0 files checked; 1 file could not be read\n"),
        "{err}"
    );
}

#[test]
fn a_folder_without_scripts_exits_2() {
    let folder = cli_fixture("no-scripts");
    let (code, _, err) = run_cli(&["check", &folder]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "error: {folder}: folder contains no `.scp` scripts"
        )),
        "{err}"
    );
}

#[test]
fn a_binary_file_exits_2_and_is_not_parsed() {
    let path = cli_fixture("binary.scp");
    let bytes = std::fs::read(&path).expect("the binary fixture exists");
    assert!(
        bytes.contains(&0),
        "the fixture must really contain NUL bytes"
    );
    let (code, out, err) = run_cli(&["check", "--format", "concise", &path]);
    assert_eq!(code, 2);
    assert_eq!(out, "", "a binary file must not produce diagnostics");
    assert!(err.contains("binary file"), "{err}");
}

#[test]
fn a_folder_is_searched_recursively_for_scripts_of_any_case() {
    let (code, out, err) = run_cli(&["check", &cli_fixture("clean")]);
    assert_eq!(code, 0, "stdout: {out}\nstderr: {err}");
    // login.scp and nested/DIALUP.SCP; nested/notes.txt is not a script.
    assert!(err.contains("2 files checked, no problems found"), "{err}");
}

#[test]
fn a_folder_search_finds_upper_case_names_in_subfolders() {
    // `broken/old/LEGACY.SCP` is one folder down and upper-case; `broken/typo.scp` is at the
    // top. Files are checked in sorted order within each folder, so the output is stable.
    let (code, out, _) = run_cli(&["check", "--format", "concise", &cli_fixture("broken")]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].contains("LEGACY.SCP:4:4: DS010"), "{out}");
    assert!(lines[1].contains("typo.scp:4:4: DS009"), "{out}");
}

#[test]
fn a_directory_given_where_a_file_is_expected_is_searched_as_a_folder() {
    // The folder's findings are exactly those of naming its scripts one by one.
    let (code, by_folder, _) = run_cli(&["check", "--format", "concise", &cli_fixture("broken")]);
    assert_eq!(code, 1);
    let (code, by_files, _) = run_cli(&[
        "check",
        "--format",
        "concise",
        &cli_fixture("broken/old/LEGACY.SCP"),
        &cli_fixture("broken/typo.scp"),
    ]);
    assert_eq!(code, 1);
    // The folder search joins paths with the platform's separator; compare file names only.
    let names = |out: &str| -> Vec<String> {
        out.lines()
            .map(|l| l.rsplit(['/', '\\']).next().unwrap_or(l).to_string())
            .collect()
    };
    assert_eq!(names(&by_folder), names(&by_files));
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_blocking() {
    // A named pipe would block a reader forever; the CLI must see it is not a regular file.
    let dir = std::env::temp_dir().join(format!("dialscript-cli-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary folder can be created");
    let fifo = dir.join("pipe.scp");
    let _ = std::fs::remove_file(&fifo);
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo failed");
    let (code, _, err) = run_cli(&["check", &path_arg(fifo.clone())]);
    let _ = std::fs::remove_file(&fifo);
    let _ = std::fs::remove_dir(&dir);
    assert_eq!(code, 2);
    assert!(err.contains("not a regular file"), "{err}");
}

#[test]
fn concise_output_is_one_line_per_finding() {
    let path = cli_fixture(BROKEN);
    let (code, out, err) = run_cli(&["check", "--format", "concise", &path]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        format!(
            "{path}:{BROKEN_LINE}:{BROKEN_COLUMN}: DS009 unknown command `waitfro`; did you mean `waitfor`?\n"
        )
    );
    assert!(!err.contains("DS009"), "findings go to stdout only: {err}");
}

#[test]
fn concise_output_of_a_clean_script_is_empty() {
    let (code, out, _) = run_cli(&["check", "--format", "concise", &cli_fixture("clean")]);
    assert_eq!(code, 0);
    assert_eq!(out, "");
}

/// The fields of the JSON document, sorted. Adding one is a compatible change but must be
/// deliberate: update this list, the README, and bump nothing; removing or renaming one
/// needs a new `version`.
const JSON_TOP_FIELDS: &[&str] = &["diagnostics", "files", "version"];
const JSON_DIAGNOSTIC_FIELDS: &[&str] = &[
    "code",
    "column",
    "end_column",
    "end_line",
    "file",
    "fix",
    "help",
    "line",
    "message",
    "name",
    "severity",
];

fn sorted_keys(v: &serde_json::Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v
        .as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[test]
fn json_output_has_exactly_the_schema_fields() {
    let path = cli_fixture(BROKEN);
    let (code, out, _) = run_cli(&["check", "--format", "json", &path]);
    assert_eq!(code, 1);
    let doc: serde_json::Value =
        serde_json::from_str(&out).expect("the output is one JSON document");
    assert_eq!(sorted_keys(&doc), JSON_TOP_FIELDS);
    assert_eq!(doc["version"], 1);
    let diags = doc["diagnostics"].as_array().expect("an array");
    assert_eq!(diags.len(), 1, "{out}");
    let d = &diags[0];
    assert_eq!(sorted_keys(d), JSON_DIAGNOSTIC_FIELDS);
    assert_eq!(d["code"], "DS009");
    assert_eq!(d["name"], "unknown-command");
    assert_eq!(d["severity"], "error");
    assert_eq!(
        d["message"],
        "unknown command `waitfro`; did you mean `waitfor`?"
    );
    assert_eq!(d["file"], path.as_str());
    assert_eq!(d["help"], "did you mean `waitfor`?");
    // Lines and columns are 1-based; the end is exclusive: `waitfro` is columns 4 to 10.
    assert_eq!(d["line"], BROKEN_LINE);
    assert_eq!(d["column"], BROKEN_COLUMN);
    assert_eq!(d["end_line"], BROKEN_LINE);
    assert_eq!(d["end_column"], BROKEN_COLUMN + "waitfro".len() as u64);
}

#[test]
fn json_positions_are_1_based_at_the_start_of_a_file() {
    // Columns count from 1: a mistake that starts a line is in column 1.
    let (_, out, _) = run_cli(&[
        "check",
        "--format",
        "json",
        &path_arg(fixture("syntax/err/DS013-statement-outside-proc.scp")),
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let first = &doc["diagnostics"][0];
    assert_eq!(first["code"], "DS013", "{out}");
    // Line 1 is a comment; the stray declaration starts line 2 in column 1.
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(2), Some(1))
    );
}

#[test]
fn json_output_of_a_clean_folder_has_no_diagnostics() {
    let (code, out, _) = run_cli(&["check", "--format", "json", &cli_fixture("clean")]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["diagnostics"], serde_json::json!([]));
    assert!(out.ends_with("}\n"), "one document, one line end");
}

#[test]
fn json_help_is_null_when_there_is_none() {
    // A diagnostic without help still has the field, so that consumers can rely on it.
    let (_, out, _) = run_cli(&[
        "check",
        "--format",
        "json",
        &path_arg(fixture("syntax/err/DS005-unexpected-token.scp")),
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let diags = doc["diagnostics"].as_array().expect("an array");
    assert!(diags.iter().all(|d| d.get("help").is_some()));
    assert!(diags.iter().any(|d| d["help"].is_null()), "{out}");
}

#[test]
fn check_without_paths_is_a_usage_error() {
    let (code, out, err) = run_cli(&["check"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("PATH"), "{err}");
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let (code, _, err) = run_cli(&["check", "--format", "xml", &cli_fixture(BROKEN)]);
    assert_eq!(code, 2);
    assert!(err.contains("xml"), "{err}");
}

#[test]
fn explain_by_code() {
    let (code, out, err) = run_cli(&["explain", "DS005"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("# DS005 unexpected-token"), "{out}");
    assert!(out.contains("## Fix"), "{out}");
}

#[test]
fn explain_by_name_gives_the_same_page() {
    let (code, by_name, _) = run_cli(&["explain", "unexpected-token"]);
    assert_eq!(code, 0);
    let (_, by_code, _) = run_cli(&["explain", "DS005"]);
    assert_eq!(by_name, by_code);
    // Codes and names are matched in any case.
    let (code, lower, _) = run_cli(&["explain", "ds005"]);
    assert_eq!(code, 0);
    assert_eq!(lower, by_code);
}

#[test]
fn explain_list_names_every_syntax_code() {
    let (code, out, _) = run_cli(&["explain", "--list"]);
    assert_eq!(code, 0);
    for doc in SYNTAX_CODES {
        let line = out
            .lines()
            .find(|l| l.starts_with(doc.code.code))
            .unwrap_or_else(|| panic!("{} is not listed:\n{out}", doc.code.code));
        assert!(line.contains(doc.code.name), "{line}");
        assert!(line.contains(doc.summary), "{line}");
    }
}

#[test]
fn explain_of_every_code_prints_its_page() {
    for doc in SYNTAX_CODES {
        let (code, out, _) = run_cli(&["explain", doc.code.code]);
        assert_eq!(code, 0);
        assert!(out.contains(doc.explanation), "{}", doc.code.code);
    }
}

#[test]
fn explain_of_an_unknown_code_exits_2() {
    let (code, out, err) = run_cli(&["explain", "nosuch"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("unknown code or name `nosuch`"), "{err}");
    assert!(err.contains("explain --list"), "{err}");
}

#[test]
fn explain_without_a_code_is_a_usage_error() {
    let (code, _, _) = run_cli(&["explain"]);
    assert_eq!(code, 2);
}
