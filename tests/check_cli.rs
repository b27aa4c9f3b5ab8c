//! `dialscript check` with the checker behind it, run in-process: the output formats and the
//! promises each one makes to the tools that read it, configuration files, suppression comments,
//! fixes, `--max-duration`, exit codes, the order of output when folders are checked in
//! parallel, and `explain`.
//!
//! Fixtures live in `tests/fixtures/check_cli/`:
//! - `formats/login.scp` has six known findings (one with a safe fix, one with an unsafe fix);
//!   `formats/bounded.scp` is clean with a worst case of 75 s.
//! - `config/` holds a `dialscript.toml` two folders above `nested/deeper/script.scp`, and
//!   `only-credentials.toml` for `--config`; `config-bad/` holds broken configurations.
//! - `suppress/allowed.scp` suppresses every finding it has, each in a different way;
//!   `suppress/unused.scp` has two suppressions that suppress nothing.
//! - `fix/login.scp` has a safe fix, an unsafe one, and a DS203 that must not be fixed.
//! - `duration/` holds `bounded.scp` under a `dialscript.toml` whose `max-duration` is too low.
//! - `exit/` holds a clean script, an advice-only one and one with a syntax error.
//!
//! Tests that write (fixes, generated folders) copy into a fresh folder under the system's
//! temporary folder, removed when the test ends, even when it fails.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use dialscript_check::{Checker, RULES};
use dialscript_cli::commands::check::{FileReport, check_bytes};
use dialscript_cli::render;
use dialscript_syntax::codes::SYNTAX_CODES;
use dialscript_syntax::{Code, Diagnostic, Severity, SourceFile, Span};
use dialscript_tests::{fixture, run_cli, run_cli_with_input};
use serde_json::Value;

/// An absolute path to a fixture of this suite.
fn fx(rel: &str) -> String {
    path_str(&fixture("check_cli").join(rel))
}

fn path_str(path: &Path) -> String {
    path.to_str()
        .expect("test paths are valid UTF-8")
        .to_string()
}

/// Runs `check --format concise` on `paths` with extra `flags` and returns (code, stdout,
/// stderr).
fn concise(flags: &[&str], paths: &[&str]) -> (i32, String, String) {
    let mut args = vec!["check", "--format", "concise"];
    args.extend_from_slice(flags);
    args.extend_from_slice(paths);
    run_cli(&args)
}

/// The codes of concise output, in order.
fn codes_of(concise_out: &str) -> Vec<String> {
    concise_out
        .lines()
        .map(|l| {
            // Messages may contain `: ` themselves; the code is the first word after the
            // position.
            position_and_rest(l)
                .1
                .split(' ')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

/// Splits a concise line after its `file:line:col: ` prefix. File names in this suite contain
/// no `: `, so the first `: ` ends the position.
fn position_and_rest(line: &str) -> (&str, &str) {
    line.split_once(": ").unwrap_or((line, ""))
}

/// Runs `check --format json` and parses the document.
fn json(flags: &[&str], paths: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(flags);
    args.extend_from_slice(paths);
    let (code, out, err) = run_cli(&args);
    let doc = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}\nstderr: {err}"));
    (code, doc)
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn num(v: &Value) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| panic!("not a whole number: {v}"))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// The files a JSON report lists as checked, in its order.
fn files_of(doc: &Value) -> Vec<&str> {
    doc["files"]
        .as_array()
        .unwrap_or_else(|| panic!("no list of files: {doc}"))
        .iter()
        .map(|f| text(&f["file"]))
        .collect()
}

/// A folder under the system's temporary folder with a name no other test (or test run) uses;
/// it is removed with everything in it when dropped, so also when an assertion fails.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "dialscript-check-cli-{label}-{}-{n}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).expect("a temporary folder can be created");
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    /// Copies a fixture of this suite into the folder and returns the copy's path.
    fn copy(&self, rel: &str) -> String {
        let name = Path::new(rel).file_name().expect("a file name");
        let to = self.0.join(name);
        std::fs::copy(fixture("check_cli").join(rel), &to).expect("the fixture can be copied");
        path_str(&to)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).expect("the file can be read")
}

// ---------------------------------------------------------------------------------------------
// Formats.

/// The findings of `formats/login.scp`, as concise output after the path.
const LOGIN_FINDINGS: &[&str] = &[
    ":2:6: DS208 the script's running time has no bound",
    ":3:12: DS206 variable `tries` is never used",
    ":4:4: DS201 `waitfor` without `until` can wait forever",
    ":5:13: DS203 `$USERID` is transmitted without `, raw`",
    ":7:4: DS202 the result of this `waitfor` is not checked",
    ":8:13: DS203 `$PASSWORD` is transmitted without `, raw`",
];

#[test]
fn concise_lines_are_exact() {
    let path = fx("formats/login.scp");
    let (code, out, err) = concise(&[], &[&path]);
    assert_eq!(code, 1, "{err}");
    let expected: String = LOGIN_FINDINGS
        .iter()
        .map(|l| format!("{path}{l}\n"))
        .collect();
    assert_eq!(out, expected);
    assert_eq!(
        err,
        "1 file checked: 0 errors and 6 warnings; 1 fixable with `--fix`\n"
    );
}

#[test]
fn concise_output_of_a_clean_script_is_empty_and_exits_0() {
    let (code, out, err) = concise(&[], &[&fx("formats/bounded.scp")]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(err, "1 file checked, no problems found\n");
}

#[test]
fn json_has_exactly_the_documented_keys_and_1_based_positions() {
    let login = fx("formats/login.scp");
    let bounded = fx("formats/bounded.scp");
    let (code, doc) = json(&[], &[&login, &bounded]);
    assert_eq!(code, 1);
    assert_eq!(
        keys(&doc),
        BTreeSet::from(["version", "diagnostics", "files"])
    );
    assert_eq!(doc["version"], 1);

    let diags = doc["diagnostics"].as_array().expect("an array");
    assert_eq!(diags.len(), LOGIN_FINDINGS.len());
    let source: Vec<String> = read(&login).lines().map(str::to_string).collect();
    let documented = BTreeSet::from([
        "code",
        "name",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "help",
        "fix",
    ]);
    for (d, expected) in diags.iter().zip(LOGIN_FINDINGS) {
        assert_eq!(keys(d), documented, "{d}");
        assert_eq!(text(&d["file"]), login);
        // The concise line and the JSON object say the same thing.
        let concise_line = format!(
            ":{}:{}: {} {}",
            num(&d["line"]),
            num(&d["column"]),
            text(&d["code"]),
            text(&d["message"])
        );
        assert_eq!(&concise_line, expected);
        let rule = dialscript_check::find_rule(text(&d["code"])).expect("a rule code");
        assert_eq!(text(&d["name"]), rule.code.name);
        assert_eq!(text(&d["severity"]), "warning");
        assert!(d["help"].is_string(), "every finding here has help: {d}");
        // Positions are 1-based, the end exclusive: on one line the span is the characters
        // from `column` up to, not including, `end_column`.
        let (line, col) = (num(&d["line"]), num(&d["column"]));
        let (end_line, end_col) = (num(&d["end_line"]), num(&d["end_column"]));
        assert!(line >= 1 && col >= 1, "{d}");
        assert_eq!(line, end_line, "{d}");
        assert!(end_col > col, "{d}");
        let chars: Vec<char> = source[line as usize - 1].chars().collect();
        assert!(end_col as usize - 1 <= chars.len(), "{d}");
    }
    // Two spans checked character by character.
    let span_text = |d: &Value| -> String {
        let chars: Vec<char> = source[num(&d["line"]) as usize - 1].chars().collect();
        chars[num(&d["column"]) as usize - 1..num(&d["end_column"]) as usize - 1]
            .iter()
            .collect()
    };
    assert_eq!(span_text(&diags[2]), "waitfor \"ogin:\"");
    assert_eq!(span_text(&diags[3]), "$USERID");

    // A safe fix, an unsafe one, and none.
    assert_eq!(
        diags[3]["fix"],
        serde_json::json!({
            "message": "add `, raw`",
            "applicability": "safe",
            "edits": [{
                "line": 5, "column": 20, "end_line": 5, "end_column": 20, "content": ", raw"
            }]
        })
    );
    assert_eq!(diags[2]["fix"]["applicability"], "unsafe");
    assert_eq!(diags[2]["fix"]["edits"][0]["content"], " until 30");
    assert!(diags[5]["fix"].is_null());

    // Per file: a number for the bounded script, null for the unbounded one.
    assert_eq!(
        doc["files"],
        serde_json::json!([
            {"file": login, "max_duration_s": null},
            {"file": bounded, "max_duration_s": 75},
        ])
    );
}

#[test]
fn json_of_a_clean_script_has_no_diagnostics() {
    let path = fx("formats/bounded.scp");
    let (code, doc) = json(&[], &[&path]);
    assert_eq!(code, 0);
    assert_eq!(
        doc,
        serde_json::json!({
            "version": 1,
            "diagnostics": [],
            "files": [{"file": path, "max_duration_s": 75}]
        })
    );
}

/// One GitHub workflow command, split and unescaped.
#[derive(Debug)]
struct Annotation {
    level: String,
    properties: Vec<(String, String)>,
    message: String,
}

impl Annotation {
    fn get(&self, key: &str) -> &str {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(|| panic!("no `{key}` in {self:?}"), |(_, v)| v.as_str())
    }
}

/// Undoes the Actions toolkit's escaping, checking that nothing was left unescaped: in a
/// property value no raw `,`, `:`, CR or LF may appear, in a message no raw CR or LF, and
/// every `%` must start one of the escapes.
fn unescape(s: &str, property: bool) -> String {
    assert!(!s.contains(['\r', '\n']), "unescaped line break in {s:?}");
    if property {
        assert!(!s.contains([',', ':']), "unescaped `,` or `:` in {s:?}");
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i + 1..i + 3).unwrap_or("");
        let c = match (code, property) {
            ("25", _) => '%',
            ("0D", _) => '\r',
            ("0A", _) => '\n',
            ("3A", true) => ':',
            ("2C", true) => ',',
            _ => panic!("`%` not starting an escape in {s:?}"),
        };
        out.push(c);
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    out
}

/// Parses `::LEVEL key=value,key=value::MESSAGE`.
fn parse_annotation(line: &str) -> Annotation {
    let body = line
        .strip_prefix("::")
        .unwrap_or_else(|| panic!("not a workflow command: {line:?}"));
    let (command, message) = body
        .split_once("::")
        .unwrap_or_else(|| panic!("no message in {line:?}"));
    let (level, props) = command
        .split_once(' ')
        .unwrap_or_else(|| panic!("no properties in {line:?}"));
    let properties = props
        .split(',')
        .map(|p| {
            let (k, v) = p
                .split_once('=')
                .unwrap_or_else(|| panic!("`{p}` is not key=value in {line:?}"));
            (k.to_string(), unescape(v, true))
        })
        .collect();
    Annotation {
        level: level.to_string(),
        properties,
        message: unescape(message, false),
    }
}

#[test]
fn github_annotations_are_well_formed_and_match_the_json() {
    let path = fx("formats/login.scp");
    let (code, out, err) = run_cli(&["check", "--format", "github", &path]);
    assert_eq!(code, 1, "{err}");
    let (_, doc) = json(&[], &[&path]);
    let diags = doc["diagnostics"].as_array().expect("an array");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), diags.len(), "{out}");
    for (line, d) in lines.iter().zip(diags) {
        let a = parse_annotation(line);
        assert_eq!(a.level, "warning");
        let names: Vec<&str> = a.properties.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            ["file", "line", "endLine", "col", "endColumn", "title"]
        );
        assert_eq!(a.get("file"), path);
        assert_eq!(a.get("line"), d["line"].to_string());
        assert_eq!(a.get("col"), d["column"].to_string());
        assert_eq!(a.get("endLine"), d["end_line"].to_string());
        assert_eq!(a.get("endColumn"), d["end_column"].to_string());
        assert_eq!(
            a.get("title"),
            format!("dialscript {} ({})", text(&d["code"]), text(&d["name"]))
        );
        assert_eq!(
            a.message,
            format!("{}\nhelp: {}", text(&d["message"]), text(&d["help"]))
        );
    }
    // The DS203 message holds a comma, and the help is on a second line: both survive.
    assert!(lines[3].contains("::`$USERID` is transmitted without `, raw`%0Ahelp: "));
}

#[test]
fn github_escapes_percent_comma_colon_and_line_breaks() {
    // A file name, a rule name and a message with every character the format treats
    // specially. The rule is made up so that its name can hold them too.
    let name = "odd, dir/100%: a\nb\r.scp";
    let file = SourceFile::new(name, b"proc main\nendproc\n".to_vec());
    let code = Code {
        code: "DS999",
        name: "odd,name:50%",
    };
    let d = Diagnostic::new(
        code,
        Severity::Warning,
        Span::new(5, 9),
        "50% done, step: one\nand two\r",
    )
    .with_help("a, b: 1%");
    let advice = Diagnostic::new(code, Severity::Advice, Span::new(10, 17), "plain");
    let error = Diagnostic::new(code, Severity::Error, Span::empty(0), "plain");
    let out = render::github(&file, &[d, advice, error]);
    assert_eq!(
        out,
        "::warning file=odd%2C dir/100%25%3A a%0Ab%0D.scp,line=1,endLine=1,col=6,endColumn=10,\
         title=dialscript DS999 (odd%2Cname%3A50%25)\
         ::50%25 done, step: one%0Aand two%0D%0Ahelp: a, b: 1%25\n\
         ::notice file=odd%2C dir/100%25%3A a%0Ab%0D.scp,line=2,endLine=2,col=1,endColumn=8,\
         title=dialscript DS999 (odd%2Cname%3A50%25)::plain\n\
         ::error file=odd%2C dir/100%25%3A a%0Ab%0D.scp,line=1,endLine=1,col=1,endColumn=1,\
         title=dialscript DS999 (odd%2Cname%3A50%25)::plain\n"
    );
    for line in out.lines() {
        let a = parse_annotation(line);
        assert_eq!(a.get("file"), name);
        assert_eq!(a.get("title"), "dialscript DS999 (odd,name:50%)");
    }
}

#[cfg(unix)]
#[test]
fn github_escapes_a_file_name_with_special_characters_end_to_end() {
    // Unix file names may hold `,`, `:`, `%` and even a line break; Windows ones may not.
    let dir = TempDir::new("github-name");
    let path = dir.path().join("a, b: 100%\nc.scp");
    std::fs::write(&path, read(&fx("formats/login.scp"))).expect("the copy can be written");
    let path = path_str(&path);
    let (code, out, err) = run_cli(&["check", "--isolated", "--format", "github", &path]);
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), LOGIN_FINDINGS.len(), "{out}");
    for line in lines {
        assert_eq!(parse_annotation(line).get("file"), path);
    }
}

#[test]
fn advice_is_a_github_notice() {
    let (code, out, _) = run_cli(&["check", "--format", "github", &fx("exit/advice.scp")]);
    assert_eq!(code, 0);
    let a = parse_annotation(out.trim_end());
    assert_eq!(a.level, "notice");
    assert_eq!(a.get("title"), "dialscript DS217 (inconsistent-name-case)");
}

/// Checks every property GitHub code scanning requires of a SARIF log (on the log, the run,
/// each rule, each result and its location; the empty string does not count as a value) and
/// returns the results.
fn assert_sarif_for_github(doc: &Value) -> Vec<Value> {
    assert_eq!(
        text(&doc["$schema"]),
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(text(&doc["version"]), "2.1.0");
    let runs = doc["runs"].as_array().expect("runs is an array");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(text(&driver["name"]), "dialscript");
    assert!(!text(&driver["version"]).is_empty());
    // A placeholder address is worse than none: viewers turn it into a dead link.
    if let Some(uri) = driver.get("informationUri") {
        let uri = text(uri);
        assert!(
            uri.starts_with("https://") && !uri.contains(".invalid") && !uri.contains("example"),
            "{uri}"
        );
    }
    let rules = driver["rules"].as_array().expect("rules is an array");
    let mut ids = BTreeSet::new();
    for rule in rules {
        let id = text(&rule["id"]);
        assert!(ids.insert(id), "rule {id} is listed twice");
        for field in ["shortDescription", "fullDescription", "help"] {
            assert!(
                !text(&rule[field]["text"]).trim().is_empty(),
                "{id} lacks {field}.text"
            );
        }
        let level = text(&rule["defaultConfiguration"]["level"]);
        assert!(
            ["note", "warning", "error"].contains(&level),
            "{id}: {level}"
        );
    }
    // Every code the toolchain can report has a rule, so every result can point at one.
    let every_code: BTreeSet<&str> = SYNTAX_CODES
        .iter()
        .map(|d| d.code.code)
        .chain(RULES.iter().map(|r| r.code.code))
        .collect();
    assert_eq!(ids, every_code);

    let results = run["results"].as_array().expect("results is an array");
    for r in results {
        let id = text(&r["ruleId"]);
        let index = num(&r["ruleIndex"]) as usize;
        assert_eq!(text(&rules[index]["id"]), id, "ruleIndex of {r}");
        assert!(["note", "warning", "error"].contains(&text(&r["level"])));
        assert!(!text(&r["message"]["text"]).is_empty());
        let locations = r["locations"].as_array().expect("locations is an array");
        assert_eq!(locations.len(), 1, "{r}");
        let physical = &locations[0]["physicalLocation"];
        assert!(!text(&physical["artifactLocation"]["uri"]).is_empty());
        let region = &physical["region"];
        let start = (num(&region["startLine"]), num(&region["startColumn"]));
        let end = (num(&region["endLine"]), num(&region["endColumn"]));
        assert!(start.0 >= 1 && start.1 >= 1 && end.1 >= 1, "{r}");
        assert!(end >= start, "the region ends before it starts: {r}");
    }
    results.clone()
}

#[test]
fn sarif_has_everything_github_code_scanning_requires() {
    let login = fx("formats/login.scp");
    let bounded = fx("formats/bounded.scp");
    let (code, out, err) = run_cli(&["check", "--format", "sarif", &login, &bounded]);
    assert_eq!(code, 1, "{err}");
    let doc: Value = serde_json::from_str(&out).expect("SARIF is JSON");
    let results = assert_sarif_for_github(&doc);
    assert_eq!(
        doc["runs"][0]["columnKind"], "unicodeCodePoints",
        "the column unit is stated"
    );

    // The results are the JSON diagnostics, position for position.
    let (_, json_doc) = json(&[], &[&login, &bounded]);
    let diags = json_doc["diagnostics"].as_array().expect("an array");
    assert_eq!(results.len(), diags.len());
    for (r, d) in results.iter().zip(diags) {
        assert_eq!(r["ruleId"], d["code"]);
        assert_eq!(r["level"], "warning");
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], d["line"]);
        assert_eq!(region["startColumn"], d["column"]);
        assert_eq!(region["endLine"], d["end_line"]);
        assert_eq!(region["endColumn"], d["end_column"]);
        assert!(text(&r["message"]["text"]).starts_with(text(&d["message"])));
        // An absolute path is an absolute `file:` URI, not a path GitHub would take as
        // relative to the repository.
        let uri = text(&r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]);
        assert!(uri.starts_with("file:///"), "{uri}");
        assert!(uri.ends_with("/check_cli/formats/login.scp"), "{uri}");
    }
}

#[test]
fn sarif_uris_are_relative_references_or_file_uris() {
    assert_eq!(render::sarif_uri("scripts/isp.scp"), "scripts/isp.scp");
    assert_eq!(render::sarif_uri("./scripts/isp.scp"), "scripts/isp.scp");
    assert_eq!(
        render::sarif_uri("my scripts/100% #1.scp"),
        "my%20scripts/100%25%20%231.scp"
    );
    // A colon in a relative reference's first segment would read as a scheme.
    assert_eq!(render::sarif_uri("a:b.scp"), "a%3Ab.scp");
    assert_eq!(render::sarif_uri("é.scp"), "%C3%A9.scp");
    if cfg!(unix) {
        assert_eq!(
            render::sarif_uri("/srv/isp 1.scp"),
            "file:///srv/isp%201.scp"
        );
    }
    if cfg!(windows) {
        assert_eq!(render::sarif_uri("C:/isp 1.scp"), "file:///C:/isp%201.scp");
    }
}

#[test]
fn sarif_region_of_a_span_over_two_lines_keeps_its_end_column() {
    // The `waitfor` starts in column 16 and ends in column 11 of the next line.
    let src =
        b"proc main\n               waitfor \"a\" then one,\n\"b\" then two\none:\ntwo:\nendproc\n";
    let report = check_bytes("two-lines.scp", src.to_vec(), &Checker::default(), None);
    let doc = sarif_value(&[report]);
    let results = assert_sarif_for_github(&doc);
    let ds201 = results
        .iter()
        .find(|r| r["ruleId"] == "DS201")
        .expect("a DS201 for the bare waitfor");
    assert_eq!(
        ds201["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 2, "startColumn": 16, "endLine": 3, "endColumn": 13})
    );
    assert_eq!(
        ds201["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "two-lines.scp"
    );
}

/// The SARIF log of `reports`, as `check` writes it, parsed.
fn sarif_value(reports: &[FileReport]) -> Value {
    let log = render::sarif(reports).expect("renders");
    serde_json::from_slice(&log).expect("the SARIF log is JSON")
}

#[test]
fn the_sarif_log_written_piece_by_piece_is_what_serde_json_prints_for_it() {
    // Files with results, without, with escapes in names and messages, and a run of several:
    // the streamed log must be byte for byte what serde_json's pretty printer makes of the
    // same document (keys in its order, its indentation, its escapes).
    let sources: [(&str, &[u8]); 5] = [
        (
            "login.scp",
            b"proc main\r\n  waitfor \"ogin:\"\r\n  transmit $USERID\r\nendproc\r\n",
        ),
        ("clean.scp", b"proc main\nendproc\n"),
        (
            "my dir/a b%#\"\u{e9}.scp",
            b"proc main\n transmit \"a\\qb^!\"\n x = 1\nendproc\n",
        ),
        (
            "syntax.scp",
            b"proc main\n waitfro \"x\"\n\tif then\nendproc\n",
        ),
        (
            "C:/abs\\path.scp",
            b"; caf\xE9\r\nproc main\r\n   transmit $PASSWORD\r\nendproc\r\n",
        ),
    ];
    let all: Vec<FileReport> = sources
        .iter()
        .map(|(name, src)| check_bytes(*name, src.to_vec(), &Checker::default(), None))
        .collect();
    for reports in [&all[..], &all[1..2], &all[..0], &all[2..3]] {
        let log = render::sarif(reports).expect("renders");
        let value: Value = serde_json::from_slice(&log).expect("the SARIF log is JSON");
        let pretty = serde_json::to_vec_pretty(&value).expect("serializes");
        assert_eq!(
            String::from_utf8_lossy(&log),
            String::from_utf8_lossy(&pretty)
        );
        let results = value["runs"][0]["results"].as_array().expect("results");
        let expected: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
        assert_eq!(results.len(), expected);
    }
}

#[test]
fn sarif_of_a_small_file() {
    let bytes = std::fs::read(fixture("check_cli/formats/login.scp")).expect("the fixture");
    let report = check_bytes("formats/login.scp", bytes, &Checker::default(), None);
    let mut doc = sarif_value(&[report]);
    assert_sarif_for_github(&doc);
    // The snapshot is about the shape of the log and its results. The version changes with
    // every release; every rule is listed and checked above, so only the rules the results
    // use are kept, and their pages (long, and tested through `explain`) are left out.
    let used: BTreeSet<String> = doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| text(&r["ruleId"]).to_string())
        .collect();
    let driver = &mut doc["runs"][0]["tool"]["driver"];
    for field in ["version", "semanticVersion"] {
        if driver.get(field).is_some() {
            driver[field] = Value::from("[version]");
        }
    }
    let rules = driver["rules"].as_array_mut().expect("rules");
    rules.retain(|r| used.contains(text(&r["id"])));
    for rule in rules.iter_mut() {
        let id = text(&rule["id"]).to_string();
        for field in ["text", "markdown"] {
            if rule["help"].get(field).is_some() {
                rule["help"][field] = Value::from(format!("[documentation of {id}]"));
            }
        }
    }
    let pretty = serde_json::to_string_pretty(&doc).expect("serialisable");
    insta::with_settings!({
        description => "The SARIF log of formats/login.scp. Only the rules the results use are \
            shown (ruleIndex counts in the full list), without their documentation.",
        omit_expression => true,
    }, {
        insta::assert_snapshot!(pretty);
    });
}

// ---------------------------------------------------------------------------------------------
// Configuration.

#[test]
fn the_nearest_config_is_found_from_a_nested_folder() {
    let path = fx("config/nested/deeper/script.scp");
    // config/dialscript.toml ignores DS206 and makes DS201 an error.
    let (code, doc) = json(&[], &[&path]);
    assert_eq!(code, 1);
    let found: Vec<(&str, &str)> = doc["diagnostics"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|d| (text(&d["code"]), text(&d["severity"])))
        .collect();
    assert_eq!(
        found,
        [
            ("DS208", "warning"),
            ("DS201", "error"),
            ("DS203", "warning")
        ]
    );
    let (_, _, err) = concise(&[], &[&path]);
    assert!(err.contains("1 error and 2 warnings"), "{err}");

    // --isolated ignores it: DS206 is back and DS201 is a warning again.
    let (code, doc) = json(&["--isolated"], &[&path]);
    assert_eq!(code, 1);
    let found: Vec<(&str, &str)> = doc["diagnostics"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|d| (text(&d["code"]), text(&d["severity"])))
        .collect();
    assert_eq!(
        found,
        [
            ("DS208", "warning"),
            ("DS206", "warning"),
            ("DS201", "warning"),
            ("DS203", "warning")
        ]
    );
}

#[test]
fn config_flag_replaces_discovery_and_can_make_findings_advice() {
    let path = fx("config/nested/deeper/script.scp");
    let config = fx("config/only-credentials.toml");
    let (code, out, err) = concise(&["--config", &config], &[&path]);
    // Only DS203 runs, as advice, and advice alone does not fail the run.
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!("{path}:5:13: DS203 `$USERID` is transmitted without `, raw`\n")
    );
    let (_, doc) = json(&["--config", &config], &[&path]);
    assert_eq!(doc["diagnostics"][0]["severity"], "advice");
}

#[test]
fn config_and_isolated_cannot_be_combined() {
    let (code, out, err) = run_cli(&[
        "check",
        "--isolated",
        "--config",
        &fx("config/only-credentials.toml"),
        &fx("formats/login.scp"),
    ]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn select_and_ignore_take_codes_names_prefixes_and_all() {
    let path = fx("formats/login.scp");
    let run = |flags: &[&str]| {
        let mut all = vec!["--isolated"];
        all.extend_from_slice(flags);
        let (code, out, err) = concise(&all, &[&path]);
        (code, codes_of(&out), err)
    };
    assert_eq!(run(&["--select", "DS203"]).1, ["DS203", "DS203"], "by code");
    assert_eq!(
        run(&["--select", "waitfor-without-until"]).1,
        ["DS201"],
        "by name"
    );
    assert_eq!(
        run(&["--select", "DS201,unused-variable"]).1,
        ["DS206", "DS201"],
        "a comma-separated list"
    );
    assert_eq!(
        run(&["--select", "DS20", "--ignore", "DS203,DS208"]).1,
        ["DS206", "DS201", "DS202"],
        "a prefix, less what is ignored"
    );
    assert_eq!(run(&["--select", "ALL"]).1.len(), LOGIN_FINDINGS.len());
    assert_eq!(run(&["--select", "all"]).1.len(), LOGIN_FINDINGS.len());
    assert_eq!(
        run(&["--ignore", "DS2"]),
        (0, vec![], "1 file checked, no problems found\n".to_string()),
        "ignoring every lint leaves a clean run"
    );
    assert_eq!(
        run(&["--select", "ds201", "--ignore", "waitfor-without-until"]).0,
        0,
        "ignore wins over select, in any case"
    );
}

#[test]
fn command_line_selection_combines_with_the_config() {
    let path = fx("config/nested/deeper/script.scp");
    // --select replaces the configuration's selection, but its severities still apply.
    let (_, doc) = json(&["--select", "DS201"], &[&path]);
    assert_eq!(doc["diagnostics"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["diagnostics"][0]["severity"], "error");
    // --ignore adds to the configuration's ignore list (which already holds DS206).
    let (_, out, _) = concise(&["--ignore", "DS201"], &[&path]);
    assert_eq!(codes_of(&out), ["DS208", "DS203"]);
}

#[test]
fn unknown_rules_on_the_command_line_exit_2() {
    let path = fx("formats/login.scp");
    let (code, out, err) = concise(&["--select", "waitfor-without-untl"], &[&path]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        "error: --select: unknown rule `waitfor-without-untl`; \
         did you mean `waitfor-without-until`?\n"
    );
    let (code, _, err) = concise(&["--ignore", "DS999"], &[&path]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: --ignore: unknown rule `DS999`"),
        "{err}"
    );
    // A word that is not ASCII is just as unknown (and must not crash the prefix test).
    let (code, _, err) = concise(&["--select", "dé"], &[&path]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown rule `dé`"), "{err}");
}

#[test]
fn a_discovered_config_with_an_unknown_key_exits_2_naming_it() {
    let toml = fx("config-bad/unknown-key/dialscript.toml");
    let (code, out, err) = concise(&[], &[&fx("config-bad/unknown-key/script.scp")]);
    assert_eq!((code, out.as_str()), (2, ""));
    // The path may be shown canonicalised; it ends the same way.
    let first = err.lines().next().unwrap_or("");
    assert!(first.starts_with("error: "), "{err}");
    assert!(
        first.contains("unknown-key") && first.contains("dialscript.toml: "),
        "the message names the file: {err} (expected {toml})"
    );
    assert!(first.contains("unknown field `ignroe`"), "{err}");
    assert!(
        first.contains("`ignore`"),
        "the valid keys are listed: {err}"
    );
}

#[test]
fn a_config_with_an_unknown_rule_exits_2_with_a_suggestion() {
    let (code, out, err) = concise(&[], &[&fx("config-bad/unknown-rule/script.scp")]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains(
            "dialscript.toml: in `ignore`: unknown rule `credential-without-raws`; \
             did you mean `credential-without-raw`?"
        ),
        "{err}"
    );
    // The same configuration given with --config fails the same way.
    let toml = fx("config-bad/unknown-rule/dialscript.toml");
    let (code, _, err) = concise(&["--config", &toml], &[&fx("formats/login.scp")]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!("error: {toml}: in `ignore`: unknown rule")),
        "{err}"
    );
}

#[test]
fn a_config_with_an_unknown_severity_or_that_is_missing_exits_2() {
    let toml = fx("config-bad/bad-severity.toml");
    let (code, _, err) = concise(&["--config", &toml], &[&fx("formats/login.scp")]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        format!("error: {toml}: in `severity`: `fatal` is not `error`, `warning` or `advice`\n")
    );
    let missing = fx("config/no-such.toml");
    let (code, _, err) = concise(&["--config", &missing], &[&fx("formats/login.scp")]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!("error: {missing}: cannot read")),
        "{err}"
    );
}

#[test]
fn a_broken_config_is_reported_even_with_exit_zero() {
    let (code, _, _) = concise(
        &["--exit-zero"],
        &[&fx("config-bad/unknown-key/script.scp")],
    );
    assert_eq!(code, 2);
}

// ---------------------------------------------------------------------------------------------
// Suppressions.

#[test]
fn suppressions_trailing_own_line_and_file_wide_by_code_and_by_name() {
    let path = fx("suppress/allowed.scp");
    let (code, out, err) = concise(&[], &[&path]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");

    // Without the comments' marker the same script has a finding for each suppression.
    let src = read(&path).replace("dialscript:", "not-a-directive:");
    let report = check_bytes("allowed.scp", src.into_bytes(), &Checker::default(), None);
    let found: Vec<(usize, &str)> = report
        .diagnostics
        .iter()
        .map(|d| (report.file.line_col(d.span.start).0, d.code.code))
        .collect();
    assert_eq!(
        found,
        [
            (4, "DS206"),  // allow-file by code
            (5, "DS202"),  // trailing, by code
            (8, "DS203"),  // own line by name, with a comment line in between
            (9, "DS205"),  // allow-file by name
            (10, "DS203"), // trailing, by code
        ]
    );
}

#[test]
fn an_unused_suppression_is_ds215() {
    let path = fx("suppress/unused.scp");
    let (code, out, err) = concise(&[], &[&path]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out,
        format!(
            "{path}:3:49: DS215 suppression of `DS201` suppresses nothing\n\
             {path}:5:49: DS215 suppression names no rule: `no-such-rule`\n"
        )
    );
    // DS215 is a rule like the others: it can be ignored.
    let (code, out, _) = concise(&["--ignore", "unused-suppression"], &[&path]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn a_suppression_only_covers_its_own_line() {
    // The trailing allow(DS201) is on the second waitfor; the first one is still reported.
    let src =
        b"proc main\n   waitfor \"a\"\n   waitfor \"b\" ; dialscript: allow(DS201)\nendproc\n";
    let report = check_bytes("x.scp", src.to_vec(), &Checker::default(), None);
    let found: Vec<(usize, &str)> = report
        .diagnostics
        .iter()
        .map(|d| (report.file.line_col(d.span.start).0, d.code.code))
        .collect();
    assert_eq!(found, [(1, "DS208"), (2, "DS201")]);
}

// ---------------------------------------------------------------------------------------------
// Fixes.

/// `fix/login.scp` after the safe fix.
fn safely_fixed() -> String {
    read(&fx("fix/login.scp")).replace("transmit $USERID\n", "transmit $USERID, raw\n")
}

#[test]
fn fix_applies_safe_fixes_rewrites_the_file_and_reports_what_remains() {
    let dir = TempDir::new("fix");
    let path = dir.copy("fix/login.scp");
    let (code, out, err) = concise(&["--isolated", "--fix"], &[&path]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(read(&path), safely_fixed());
    assert_eq!(
        out,
        format!(
            "{path}:3:6: DS208 the script's running time has no bound\n\
             {path}:4:4: DS201 `waitfor` without `until` can wait forever\n\
             {path}:11:16: DS203 `$PASSWORD` is transmitted without `, raw`\n"
        )
    );
    assert_eq!(
        err,
        "1 file checked: 0 errors and 3 warnings; 1 fix applied\n"
    );

    // A second run finds nothing more to fix and leaves the file alone.
    let (code, again, err) = concise(&["--isolated", "--fix"], &[&path]);
    assert_eq!(code, 1);
    assert_eq!(again, out);
    assert!(err.ends_with("; 0 fixes applied\n"), "{err}");
    assert_eq!(read(&path), safely_fixed());
}

/// A script whose name is not UTF-8, found in a folder: its report shows the name with a
/// replacement character, and the fix goes to the file itself, not to a file of that name.
#[cfg(unix)]
#[test]
fn fix_writes_to_a_script_whose_name_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let dir = TempDir::new("fix-name");
    let name = std::ffi::OsStr::from_bytes(b"login-\xff.scp");
    std::fs::copy(
        fixture("check_cli").join("fix/login.scp"),
        dir.path().join(name),
    )
    .expect("the fixture can be copied");
    let folder = path_str(dir.path());
    let (code, out, err) = concise(&["--isolated", "--fix"], &[&folder]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("login-\u{FFFD}.scp:"), "{out}");
    assert!(err.ends_with("; 1 fix applied\n"), "{err}");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("the folder is listed")
        .map(|e| e.expect("an entry").file_name())
        .collect();
    assert_eq!(names, [name]);
    let fixed = std::fs::read(dir.path().join(name)).expect("the script is read");
    assert_eq!(String::from_utf8_lossy(&fixed), safely_fixed());
}

/// The names in a folder, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the folder is listed")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Fixes replace the script whole (a new file takes its name), so a full disk or a kill
/// midway cannot leave it cut short; the new file keeps the script's permissions, and nothing
/// else is left in the folder.
#[cfg(unix)]
#[test]
fn fix_replaces_the_script_whole_and_keeps_its_permissions() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = TempDir::new("fix-mode");
    let path = dir.copy("fix/login.scp");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640))
        .expect("the mode can be set");
    let before = std::fs::metadata(&path).expect("the script exists");
    let (code, _, err) = concise(&["--isolated", "--fix"], &[&path]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(read(&path), safely_fixed());
    let after = std::fs::metadata(&path).expect("the script exists");
    assert_eq!(after.permissions().mode() & 0o7777, 0o640);
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    // A new file: the old one was not written over.
    assert_ne!(after.ino(), before.ino());
    assert_eq!(names_in(dir.path()), ["login.scp"]);
}

/// When the new file cannot be made, the script is left as it was and the error is reported;
/// whatever stood in the way is not touched. (The check runs in this process, so the
/// temporary name carries this process's id.)
#[cfg(unix)]
#[test]
fn a_fix_that_cannot_be_written_leaves_the_script_as_it_was() {
    let dir = TempDir::new("fix-blocked");
    let path = dir.copy("fix/login.scp");
    let blocker = dir
        .path()
        .join(format!(".login.scp.dialscript-{}.tmp", std::process::id()));
    std::fs::write(&blocker, "someone else's").expect("a file is written");
    let (code, _, err) = concise(&["--isolated", "--fix"], &[&path]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot write the fixes"), "{err}");
    assert_eq!(read(&path), read(&fx("fix/login.scp")));
    assert_eq!(read(&path_str(&blocker)), "someone else's");
}

/// A script reached through a symbolic link: the link stays, the file it points to is fixed.
/// A script with a second hard link is written in place, so that both names see the fix.
#[cfg(unix)]
#[test]
fn fix_follows_symbolic_links_and_keeps_hard_links_together() {
    let dir = TempDir::new("fix-links");
    std::fs::create_dir(dir.path().join("real")).expect("a folder");
    let real = dir.path().join("real").join("login.scp");
    std::fs::copy(fixture("check_cli").join("fix/login.scp"), &real).expect("a copy");
    let link = dir.path().join("link.scp");
    std::os::unix::fs::symlink(&real, &link).expect("a symbolic link");
    let (code, _, err) = concise(&["--isolated", "--fix"], &[&path_str(&link)]);
    assert_eq!(code, 1, "{err}");
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("the link exists")
            .file_type()
            .is_symlink()
    );
    assert_eq!(read(&path_str(&real)), safely_fixed());
    assert_eq!(names_in(&dir.path().join("real")), ["login.scp"]);

    let twin = dir.path().join("twin.scp");
    std::fs::write(&real, read(&fx("fix/login.scp"))).expect("the script is restored");
    std::fs::hard_link(&real, &twin).expect("a hard link");
    let (code, _, err) = concise(&["--isolated", "--fix"], &[&path_str(&twin)]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(read(&path_str(&twin)), safely_fixed());
    assert_eq!(read(&path_str(&real)), safely_fixed());
}

#[test]
fn unsafe_fixes_bound_a_bare_waitfor() {
    let dir = TempDir::new("unsafe");
    let path = dir.copy("fix/login.scp");
    let (code, out, err) = concise(&["--isolated", "--fix", "--unsafe-fixes"], &[&path]);
    assert_eq!(code, 1, "{err}");
    let fixed = safely_fixed().replace("waitfor \"ogin:\"\n", "waitfor \"ogin:\" until 30\n");
    assert_eq!(read(&path), fixed);
    // The script is now bounded, so DS208 is gone too; the DS203 next to "^M" stays.
    assert_eq!(
        out,
        format!("{path}:11:16: DS203 `$PASSWORD` is transmitted without `, raw`\n")
    );
    assert!(err.ends_with("; 2 fixes applied\n"), "{err}");
    let (_, _, err) = concise(&["--isolated", "--fix", "--unsafe-fixes"], &[&path]);
    assert!(err.ends_with("; 0 fixes applied\n"), "{err}");
    assert_eq!(read(&path), fixed);
}

#[test]
fn fix_until_sets_the_timeout_the_unsafe_fix_adds() {
    let dir = TempDir::new("until");
    let path = dir.copy("fix/login.scp");
    let (code, _, err) = concise(
        &["--isolated", "--fix", "--unsafe-fixes", "--fix-until", "45"],
        &[&path],
    );
    assert_eq!(code, 1, "{err}");
    assert!(read(&path).contains("   waitfor \"ogin:\" until 45\n"));

    // The configuration's `unsafe-fix-until` is used when the flag is not given, and the flag
    // wins over it.
    std::fs::write(
        dir.path().join("dialscript.toml"),
        "[lint]\nunsafe-fix-until = 20\n",
    )
    .expect("the configuration can be written");
    let path = dir.copy("fix/login.scp");
    concise(&["--fix", "--unsafe-fixes"], &[&path]);
    assert!(read(&path).contains("   waitfor \"ogin:\" until 20\n"));
    let path = dir.copy("fix/login.scp");
    concise(&["--fix", "--unsafe-fixes", "--fix-until", "90"], &[&path]);
    assert!(read(&path).contains("   waitfor \"ogin:\" until 90\n"));
}

#[test]
fn a_credential_next_to_a_caret_escape_gets_no_fix() {
    let (_, doc) = json(&[], &[&fx("fix/login.scp")]);
    let ds203: Vec<&Value> = doc["diagnostics"]
        .as_array()
        .expect("an array")
        .iter()
        .filter(|d| d["code"] == "DS203")
        .collect();
    assert_eq!(ds203.len(), 2);
    assert_eq!(ds203[0]["line"], 6);
    assert_eq!(ds203[0]["fix"]["applicability"], "safe");
    // `transmit $PASSWORD + "^M"`: with `raw`, "^M" would be sent as two characters.
    assert_eq!(ds203[1]["line"], 11);
    assert!(ds203[1]["fix"].is_null(), "{}", ds203[1]);
    assert!(
        text(&ds203[1]["help"]).contains("`transmit $PASSWORD, raw`"),
        "{}",
        ds203[1]
    );
}

#[test]
fn diff_prints_a_unified_diff_and_does_not_write() {
    let dir = TempDir::new("diff");
    let path = dir.copy("fix/login.scp");
    let before = read(&path);
    let (code, out, err) = run_cli(&["check", "--isolated", "--diff", &path]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(read(&path), before, "--diff must not write");
    // The header names the file as `git apply` expects: no doubled slash for absolute paths.
    let rel = path.trim_start_matches('/');
    assert_eq!(
        out,
        format!(
            "--- a/{rel}\n+++ b/{rel}\n@@ -4,5 +4,5 @@\n\
             \x20   waitfor \"ogin:\"\n\
             \x20   if $SUCCESS then\n\
             -      transmit $USERID\n\
             +      transmit $USERID, raw\n\
             \x20      transmit \"^M\"\n\
             \x20   endif\n"
        )
    );
    assert_eq!(err, "1 fix in 1 file (not written: --diff)\n");

    // With unsafe fixes the diff holds the `until` too.
    let (code, out, err) = run_cli(&["check", "--isolated", "--diff", "--unsafe-fixes", &path]);
    assert_eq!(code, 1);
    assert!(
        out.contains("\n-   waitfor \"ogin:\"\n+   waitfor \"ogin:\" until 30\n"),
        "{out}"
    );
    assert_eq!(err, "2 fixes in 1 file (not written: --diff)\n");
    assert_eq!(read(&path), before);

    // --exit-zero applies to --diff as well.
    let (code, _, _) = run_cli(&["check", "--isolated", "--diff", "--exit-zero", &path]);
    assert_eq!(code, 0);
}

#[test]
fn diff_of_a_script_with_nothing_to_fix_is_empty_and_exits_0() {
    let (code, out, err) = run_cli(&["check", "--diff", &fx("formats/bounded.scp")]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert_eq!(err, "0 fixes in 0 files (not written: --diff)\n");
}

#[test]
fn diff_and_fix_cannot_be_combined() {
    let (code, _, err) = run_cli(&["check", "--diff", "--fix", &fx("fix/login.scp")]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn fixing_is_idempotent_on_every_fixture() {
    // Fixing a fixed script changes nothing, with or without unsafe fixes.
    let mut scripts = Vec::new();
    collect_scripts(&fixture("check_cli"), &mut scripts);
    assert!(scripts.len() >= 8, "{scripts:?}");
    for path in scripts {
        let bytes = std::fs::read(&path).expect("a fixture");
        let name = path_str(&path);
        for unsafe_fixes in [false, true] {
            let once = check_bytes(
                &name,
                bytes.clone(),
                &Checker::default(),
                Some(unsafe_fixes),
            );
            let once_bytes = once.file.bytes().to_vec();
            let twice = check_bytes(
                &name,
                once_bytes.clone(),
                &Checker::default(),
                Some(unsafe_fixes),
            );
            assert_eq!(
                twice.fixes, 0,
                "{name}: a second pass still fixed something"
            );
            assert!(twice.fixed.is_none(), "{name}");
            assert_eq!(twice.file.bytes(), once_bytes.as_slice(), "{name}");
            // What remains after fixing has no fix that would have been applied.
            for d in &once.diagnostics {
                if let Some(f) = &d.fix {
                    assert!(
                        !unsafe_fixes
                            && f.applicability == dialscript_syntax::Applicability::Unsafe,
                        "{name}: {} still has an applicable fix",
                        d.code.code
                    );
                }
            }
        }
    }
}

fn collect_scripts(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("a fixture folder")
        .map(|e| e.expect("a folder entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_scripts(&p, out);
        } else if p.extension().is_some_and(|e| e == "scp") {
            out.push(p);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// --max-duration.

#[test]
fn max_duration_below_the_bound_is_ds208_and_above_is_clean() {
    let path = fx("formats/bounded.scp");
    let (code, out, _) = concise(&["--max-duration", "74"], &[&path]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        format!("{path}:2:6: DS208 the script can run for 75 s, more than the limit of 74 s\n")
    );
    for limit in ["75", "76", "3600"] {
        let (code, out, _) = concise(&["--max-duration", limit], &[&path]);
        assert_eq!((code, out.as_str()), (0, ""), "--max-duration {limit}");
    }
}

#[test]
fn max_duration_from_the_config_and_the_flag_that_overrides_it() {
    let path = fx("duration/bounded.scp");
    let (code, out, _) = concise(&[], &[&path]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        format!("{path}:2:6: DS208 the script can run for 75 s, more than the limit of 60 s\n")
    );
    let (code, out, _) = concise(&["--max-duration", "100"], &[&path]);
    assert_eq!((code, out.as_str()), (0, ""));
}

// ---------------------------------------------------------------------------------------------
// Exit codes.

#[test]
fn exit_codes() {
    let clean = fx("exit/clean.scp");
    let advice = fx("exit/advice.scp");
    let syntax = fx("exit/syntax.scp");
    let findings = fx("formats/login.scp");

    assert_eq!(concise(&[], &[&clean]).0, 0, "clean");
    assert_eq!(concise(&[], &[&findings]).0, 1, "findings");
    let (code, out, _) = concise(&[], &[&syntax]);
    assert_eq!(code, 1, "a syntax error is a finding");
    assert_eq!(
        out,
        format!("{syntax}:3:4: DS009 unknown command `waitfro`; did you mean `waitfor`?\n")
    );
    assert_eq!(
        concise(&[], &[&clean, &findings]).0,
        1,
        "one bad file is enough"
    );

    // Advice is shown but does not fail the run.
    let (code, out, err) = concise(&[], &[&advice]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!("{advice}:4:10: DS217 `tries` is spelt `Tries` where it is declared\n")
    );
    let (code, doc) = json(&[], &[&advice]);
    assert_eq!(code, 0);
    assert_eq!(doc["diagnostics"][0]["severity"], "advice");

    // --exit-zero: findings are still printed.
    let (code, out, _) = concise(&["--exit-zero"], &[&findings]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), LOGIN_FINDINGS.len());
    for format in ["json", "sarif", "github", "human"] {
        let (code, out, _) = run_cli(&["check", "--exit-zero", "--format", format, &findings]);
        assert_eq!(code, 0, "{format}");
        assert!(out.contains("DS201"), "{format}: {out}");
    }

    // Usage errors and unreadable input are 2, with or without --exit-zero.
    let missing = fx("exit/no-such.scp");
    assert_eq!(concise(&[], &[&missing]).0, 2);
    assert_eq!(concise(&["--exit-zero"], &[&missing, &clean]).0, 2);
    assert_eq!(run_cli(&["check", "--format", "xml", &clean]).0, 2);
    assert_eq!(run_cli(&["check", "--max-duration", "soon", &clean]).0, 2);
    assert_eq!(run_cli(&["check"]).0, 2);
}

// ---------------------------------------------------------------------------------------------
// Parallel checking.

/// A small script whose findings depend on `i`, and whose size varies so that the threads
/// finish their files in an order unrelated to the input order.
fn generated_script(i: usize) -> String {
    let mut s = format!("; generated script {i}\nproc main\n");
    if i.is_multiple_of(3) {
        s.push_str("   integer unused\n");
    }
    for k in 0..(i * 37 % 23) * 10 {
        s.push_str(&format!("   waitfor \"prompt{k}\" until 1\n"));
        s.push_str("   if $SUCCESS then\n      transmit \"x^M\"\n   endif\n");
    }
    if i.is_multiple_of(2) {
        s.push_str("   waitfor \"ogin:\"\n");
    }
    if i.is_multiple_of(5) {
        s.push_str("   transmit $USERID\n");
    }
    s.push_str("endproc\n");
    s
}

#[test]
fn folders_are_checked_in_parallel_with_byte_identical_sorted_output() {
    let dir = TempDir::new("parallel");
    // Names chosen so that creation order, numeric order and sorted order all differ, in
    // nested folders.
    let mut paths = Vec::new();
    for i in 0..40 {
        let sub = ["b", "a", "a/z", "c"][i % 4];
        let folder = dir.path().join(sub);
        std::fs::create_dir_all(&folder).expect("a folder can be created");
        let name = format!("s{}.scp", (i * 17) % 40);
        let path = folder.join(name);
        std::fs::write(&path, generated_script(i)).expect("a script can be written");
        paths.push(path);
    }
    paths.sort();
    let expected_order: Vec<String> = paths.iter().map(|p| path_str(p)).collect();
    let root = path_str(dir.path());

    let first = run_cli(&["check", "--isolated", "--format", "json", &root]);
    let second = run_cli(&["check", "--isolated", "--format", "json", &root]);
    assert_eq!(first, second, "two runs differ");
    let (code, out, _) = first;
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&out).expect("JSON");
    let files = files_of(&doc);
    assert_eq!(files, expected_order);
    // Diagnostics come file by file, in the same order.
    let rank = |f: &str| files.iter().position(|x| *x == f).expect("a listed file");
    let ranks: Vec<usize> = doc["diagnostics"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|d| rank(text(&d["file"])))
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    assert!(!ranks.is_empty());

    for format in ["concise", "sarif", "github", "human"] {
        let a = run_cli(&[
            "check",
            "--isolated",
            "--color",
            "never",
            "--format",
            format,
            &root,
        ]);
        let b = run_cli(&[
            "check",
            "--isolated",
            "--color",
            "never",
            "--format",
            format,
            &root,
        ]);
        assert_eq!(a, b, "{format}: two runs differ");
    }
    // The concise output is the files' own outputs, concatenated in sorted order.
    let (_, all, _) = concise(&["--isolated"], &[&root]);
    let one_by_one: String = expected_order
        .iter()
        .map(|p| concise(&["--isolated"], &[p]).1)
        .collect();
    assert_eq!(all, one_by_one);
}

// ---------------------------------------------------------------------------------------------
// explain.

#[test]
fn explain_list_has_every_syntax_code_and_rule() {
    let (code, out, err) = run_cli(&["explain", "--list"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), SYNTAX_CODES.len() + RULES.len());
    let listed: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| {
            let mut words = l.split_whitespace();
            (words.next().unwrap_or(""), words.next().unwrap_or(""))
        })
        .collect();
    let expected: Vec<(&str, &str)> = SYNTAX_CODES
        .iter()
        .map(|d| (d.code.code, d.code.name))
        .chain(RULES.iter().map(|r| (r.code.code, r.code.name)))
        .collect();
    assert_eq!(listed, expected);
    for (line, rule) in lines[SYNTAX_CODES.len()..].iter().zip(RULES) {
        assert!(line.ends_with(rule.summary), "{line}");
        assert!(line.contains(rule.severity.as_str()), "{line}");
    }
}

#[test]
fn explain_prints_a_rules_documentation_by_name_or_code() {
    let rule = dialscript_check::find_rule("DS201").expect("DS201");
    let (code, out, err) = run_cli(&["explain", "waitfor-without-until"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!(
            "# DS201 waitfor-without-until (warning)\n\n{}\n\n{}\n",
            rule.summary, rule.docs
        )
    );
    assert!(out.contains("## What it does"));
    assert!(out.contains("## Fix safety"));
    for spelling in ["DS201", "ds201", "Waitfor-Without-Until"] {
        assert_eq!(run_cli(&["explain", spelling]).1, out, "{spelling}");
    }
    let (code, out, err) = run_cli(&["explain", "waitfor-without-untl"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("unknown code or name `waitfor-without-untl`"),
        "{err}"
    );
}

// Folder walks and git's ignore rules.

/// Runs git in `dir` with no system or user configuration (so that no global excludes file
/// changes what it ignores) and returns its standard output.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git runs (CI installs it)");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("git prints UTF-8 names here")
}

/// Writes a small script (or any file) at `rel` below `root`, making its folders.
fn put(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders are made");
    std::fs::write(path, text).expect("a file is written");
}

/// The scripts `check` took below `root` (given as `root` joined with `sub`), as paths
/// relative to `root`, from the JSON report's list of files.
fn checked(root: &Path, sub: &str, flags: &[&str]) -> BTreeSet<String> {
    let given = path_str(&root.join(sub));
    let (code, doc) = json(flags, &[&given]);
    assert!(code == 0 || code == 1, "exit {code}: {doc}");
    let prefix = format!("{}/", path_str(root));
    files_of(&doc)
        .into_iter()
        .map(|file| {
            file.strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("{file} is below {prefix}"))
                .to_string()
        })
        .collect()
}

/// The scripts git lists as untracked and not ignored in `dir` (a fresh repository tracks
/// nothing, so that is every file it does not ignore), as paths relative to `root`. A nested
/// repository shows as its folder; its own files are asked of it.
fn git_scripts(root: &Path, dir: &str) -> BTreeSet<String> {
    let at = root.join(dir);
    let mut found = BTreeSet::new();
    // `-z`: names as they are, not quoted as git quotes unusual ones.
    let listed = git(&at, &["ls-files", "-z", "--others", "--exclude-standard"]);
    for line in listed.split('\0').filter(|l| !l.is_empty()) {
        let rel = if dir.is_empty() {
            line.to_string()
        } else {
            format!("{dir}/{line}")
        };
        if let Some(nested) = rel.strip_suffix('/') {
            found.extend(git_scripts(root, nested));
        } else if rel.to_ascii_lowercase().ends_with(".scp") {
            found.insert(rel);
        }
    }
    found
}

/// A repository with every kind of rule: patterns by name, by glob, anchored, for folders
/// only, `**`, a `!` taking a file back, a nested `.gitignore` (which may take back what a
/// farther one ignores), the repository's `info/exclude`, and a nested repository whose files
/// the outer rules do not reach.
fn ignoring_repository(label: &str) -> TempDir {
    let dir = TempDir::new(label);
    let root = dir.path();
    git(root, &["init", "--quiet", "."]);
    let script = "proc main\nendproc\n";
    for rel in [
        "a.scp",
        "B.SCP",
        "old/b.old.scp",
        "keep.old.scp",
        "vendor/v.scp",
        "lib/vendor/w.scp",
        "top.scp",
        "sub/top.scp",
        "sub/local.scp",
        "sub/deep/d.scp",
        "sub/deep/again.old.scp",
        "gen/x/g.scp",
        "src/gen/y/h.scp",
        "build/out.scp",
        "build.scp",
        "excluded.scp",
        "inner/i.scp",
        "inner/t.tmp.scp",
        "inner/own.scp",
        "notes.txt",
    ] {
        put(root, rel, script);
    }
    put(
        root,
        ".gitignore",
        "# comments and blank lines are not patterns\n\n*.old.scp\n!keep.old.scp\nvendor/\n/top.scp\n**/gen/**\n*.tmp.scp\nbuild/\n",
    );
    put(root, "sub/.gitignore", "local.scp\n!again.old.scp\n");
    put(root, ".git/info/exclude", "excluded.scp\n");
    // Records of version control are never scripts to check, whatever their names.
    put(root, ".git/hooks.scp", script);
    git(&root.join("inner"), &["init", "--quiet", "."]);
    put(root, "inner/.gitignore", "own.scp\n");
    dir
}

#[test]
fn a_walk_leaves_out_what_git_ignores_and_nothing_else() {
    let dir = ignoring_repository("gitignore");
    let root = dir.path();
    let ours = checked(root, "", &[]);
    assert_eq!(ours, git_scripts(root, ""));
    // The cases that matter, spelled out so that a change in git cannot hide a regression.
    for taken in [
        "a.scp",
        "B.SCP",
        "keep.old.scp",
        "sub/top.scp",
        "sub/deep/d.scp",
        "sub/deep/again.old.scp",
        "build.scp",
        "inner/i.scp",
        "inner/t.tmp.scp",
    ] {
        assert!(ours.contains(taken), "{taken} is checked: {ours:?}");
    }
    assert_eq!(ours.len(), 9, "{ours:?}");
    // A folder inside the repository: the rules of the folders above it still apply.
    assert_eq!(checked(root, "sub", &[]), git_scripts(root, "sub"));
    assert_eq!(
        checked(root, "sub/deep", &[]),
        BTreeSet::from([
            "sub/deep/again.old.scp".to_string(),
            "sub/deep/d.scp".to_string()
        ])
    );
}

#[test]
fn no_respect_gitignore_checks_every_script_but_never_version_control_records() {
    let dir = ignoring_repository("no-gitignore");
    let root = dir.path();
    let all = checked(root, "", &["--no-respect-gitignore"]);
    assert_eq!(all.len(), 19, "{all:?}");
    assert!(all.contains("vendor/v.scp") && all.contains("inner/own.scp"));
    assert!(!all.iter().any(|f| f.starts_with(".git/")), "{all:?}");
}

#[test]
fn paths_given_are_checked_even_when_ignored() {
    let dir = ignoring_repository("given");
    let root = dir.path();
    // A file named on the command line is checked, as `git add --force` takes it.
    let file = path_str(&root.join("old/b.old.scp"));
    let (code, doc) = json(&[], &[&file]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["files"][0]["file"], file.as_str());
    // So is a folder that a rule for folders leaves out; rules for its files still apply.
    assert_eq!(
        checked(root, "vendor", &[]),
        BTreeSet::from(["vendor/v.scp".to_string()])
    );
    // A folder whose every script is ignored is an error that says so, not a silent pass.
    let old = path_str(&root.join("old"));
    let (code, out, err) = concise(&[], &[&old]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains(
            "folder contains no `.scp` scripts that are not ignored by git or excluded by a \
             `dialscript.toml`"
        ),
        "{err}"
    );
    assert_eq!(checked(root, "old", &["--no-respect-gitignore"]).len(), 1);
}

#[test]
fn a_gitignore_outside_a_repository_means_nothing() {
    let dir = TempDir::new("no-repository");
    let root = dir.path();
    let status = std::process::Command::new("git")
        .args(["rev-parse", "--git-dir"])
        .current_dir(root)
        .env("GIT_CEILING_DIRECTORIES", "/nonexistent")
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("git runs");
    assert!(
        !status.success(),
        "the system's temporary folder must not be inside a git repository for this test"
    );
    put(root, "a.scp", "proc main\nendproc\n");
    put(root, "vendor/v.scp", "proc main\nendproc\n");
    put(root, ".gitignore", "vendor/\n*.scp\n");
    assert_eq!(checked(root, "", &[]).len(), 2);
}

#[test]
fn a_linked_work_tree_uses_its_repositorys_exclude_file() {
    // A linked work tree (or a submodule) has a `.git` file naming where its records are;
    // the exclude file is in the records it shares with the main work tree.
    let dir = TempDir::new("worktree");
    let main = dir.path().join("main");
    std::fs::create_dir_all(&main).expect("a folder is made");
    git(&main, &["init", "--quiet", "."]);
    git(
        &main,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "commit",
            "--quiet",
            "--allow-empty",
            "-m",
            "start",
        ],
    );
    git(&main, &["worktree", "add", "--quiet", "../linked"]);
    put(&main, ".git/info/exclude", "private.scp\n");
    let linked = dir.path().join("linked");
    assert!(
        linked.join(".git").is_file(),
        "a linked work tree has a .git file"
    );
    for name in ["private.scp", "shared.scp"] {
        put(&linked, name, "proc main\nendproc\n");
    }
    assert_eq!(
        git_scripts(&linked, ""),
        BTreeSet::from(["shared.scp".to_string()])
    );
    assert_eq!(checked(&linked, "", &[]), git_scripts(&linked, ""));
}

/// Random trees and random ignore rules, the walk against git: both must take the same
/// scripts. Patterns are drawn from git's syntax (globs, anchors, folder-only patterns, `**`,
/// `!`, character classes, escapes, comments, trailing blanks, escaped and not), in a
/// `.gitignore` at the top, one in a subfolder and the repository's `info/exclude`; names
/// include spaces, brackets, a leading `#` and a leading `!`.
mod the_walk_agrees_with_git {
    use super::*;
    use proptest::prelude::*;

    const FOLDERS: [&str; 6] = ["", "d/", "e/", "d/e/", "e/d/", "x/d/"];
    const NAMES: [&str; 10] = [
        "a.scp",
        "b.SCP",
        "keep.scp",
        "x.scp",
        "ab.scp",
        "!bang.scp",
        "#hash.scp",
        "[ab].scp",
        "sp ace.scp",
        "end .scp",
    ];
    const PATTERNS: [&str; 32] = [
        "*.scp",
        "a*.scp",
        "/x.scp",
        "d/",
        "/d/",
        "d",
        "**/e/*.scp",
        "d/**",
        "!keep.scp",
        "!d/keep.scp",
        "*",
        "!*/",
        "?.scp",
        "[ab].scp",
        "d/*.scp",
        "x.scp/",
        "\\!bang.scp",
        "# a comment",
        "e/**/a.scp",
        "!a.scp",
        "*.SCP",
        "!e/",
        "x/d/",
        "**/d",
        "#hash.scp",
        "\\#hash.scp",
        "\\[ab\\].scp",
        "sp ace.scp",
        "a.scp   ",
        "end\\ .scp",
        "end .scp ",
        "*\\ .scp",
    ];

    fn rules() -> impl Strategy<Value = Vec<&'static str>> {
        proptest::collection::vec(proptest::sample::select(&PATTERNS[..]), 0..5)
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 24,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn on_random_trees_and_rules(
            files in proptest::collection::btree_set(
                (proptest::sample::select(&FOLDERS[..]), proptest::sample::select(&NAMES[..])),
                1..14,
            ),
            top in rules(),
            nested in rules(),
            exclude in rules(),
        ) {
            let dir = TempDir::new("random-rules");
            let root = dir.path();
            git(root, &["init", "--quiet", "."]);
            for (folder, name) in &files {
                put(root, &format!("{folder}{name}"), "proc main\nendproc\n");
            }
            put(root, ".gitignore", &(top.join("\n") + "\n"));
            put(root, "d/.gitignore", &(nested.join("\n") + "\n"));
            put(root, ".git/info/exclude", &(exclude.join("\n") + "\n"));
            let expected = git_scripts(root, "");
            let given = path_str(root);
            let (code, doc) = json(&[], &[&given]);
            let ours: BTreeSet<String> = files_of(&doc)
                .into_iter()
                .map(|f| f[given.len() + 1..].to_string())
                .collect();
            prop_assert_eq!(&ours, &expected, "top {:?} d/ {:?} exclude {:?}", top, nested, exclude);
            // Everything ignored is an error that says so; otherwise scripts were checked.
            prop_assert_eq!(code == 2, expected.is_empty(), "exit {}", code);
        }
    }
}

// A script from standard input, as an editor or a pre-commit hook passes one.

/// A login script with one safe fix (DS203) and one finding without a fix (DS202).
const FROM_EDITOR: &str = "proc main\nwaitfor \"x\" until 5\ntransmit $USERID\nendproc\n";

#[test]
fn a_script_from_standard_input_is_checked_under_the_name_it_is_given() {
    let input = FROM_EDITOR.as_bytes();
    let (code, out, err) = run_cli_with_input(&["check", "--format", "concise", "-"], input);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out,
        "-:2:1: DS202 the result of this `waitfor` is not checked\n\
         -:3:10: DS203 `$USERID` is transmitted without `, raw`\n"
    );
    // `--stdin-filename` names it (and implies `-`); the file need not exist.
    let (code, out, _) = run_cli_with_input(
        &[
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "isp/login.scp",
        ],
        input,
    );
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc["files"][0]["file"], "isp/login.scp");
    assert_eq!(doc["diagnostics"][1]["file"], "isp/login.scp");
    assert_eq!(doc["diagnostics"].as_array().map(Vec::len), Some(2));
    // A clean script exits 0.
    let clean = b"proc main\nendproc\n";
    let (code, out, _) = run_cli_with_input(&["check", "--format", "concise", "-"], clean);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn stdin_filename_finds_the_configuration_above_it() {
    // config/dialscript.toml makes DS201 an error; the named file does not exist.
    let name = fx("config/nested/deeper/unsaved.scp");
    let input = b"proc main\nwaitfor \"x\"\nendproc\n";
    let (code, out, _) = run_cli_with_input(
        &[
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            &name,
            "-",
        ],
        input,
    );
    assert_eq!(code, 1);
    assert!(out.contains(": DS201 "), "{out}");
    let (_, json_out, _) = run_cli_with_input(
        &["check", "--format", "json", "--stdin-filename", &name],
        input,
    );
    let v: Value = serde_json::from_str(&json_out).expect("JSON");
    let ds201 = v["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["code"] == "DS201"))
        .expect("DS201");
    assert_eq!(
        ds201["severity"], "error",
        "the configuration above the name applies"
    );
    // Without a name, the configuration is looked for from the current folder (the
    // workspace, which has none), so DS201 keeps its own severity.
    let (_, json_out, _) = run_cli_with_input(&["check", "--format", "json", "-"], input);
    let v: Value = serde_json::from_str(&json_out).expect("JSON");
    assert!(json_out.contains("\"DS201\""), "{json_out}");
    assert!(v["diagnostics"].as_array().is_some_and(|d| {
        d.iter()
            .all(|d| d["code"] != "DS201" || d["severity"] == "warning")
    }));
}

#[test]
fn fixing_standard_input_writes_the_script_to_standard_output_and_no_file() {
    let dir = TempDir::new("stdin-fix");
    // A file by the given name exists, with other bytes: it must stay as it is.
    let named = dir.path().join("login.scp");
    std::fs::write(&named, "saved earlier\n").expect("a file is written");
    let name = path_str(&named);
    let (code, out, err) = run_cli_with_input(
        &[
            "check",
            "--fix",
            "--format",
            "concise",
            "--stdin-filename",
            &name,
            "-",
        ],
        FROM_EDITOR.as_bytes(),
    );
    assert_eq!(code, 1, "DS202 remains: {err}");
    assert_eq!(out, FROM_EDITOR.replace("$USERID", "$USERID, raw"));
    assert!(
        err.starts_with(&format!("{name}:2:1: DS202 ")),
        "the report goes to standard error, before the summary: {err}"
    );
    assert!(
        err.ends_with("1 file checked: 0 errors and 1 warning; 1 fix applied\n"),
        "{err}"
    );
    assert_eq!(read(&name), "saved earlier\n");
    // With nothing to fix, the script comes back unchanged.
    let clean = "proc main\nendproc\n";
    let (code, out, _) = run_cli_with_input(&["check", "--fix", "-"], clean.as_bytes());
    assert_eq!((code, out.as_str()), (0, clean));
    // `--diff` shows the fix under the given name and writes nothing.
    let (code, out, _) = run_cli_with_input(
        &["check", "--diff", "--stdin-filename", "login.scp"],
        FROM_EDITOR.as_bytes(),
    );
    assert_eq!(code, 1);
    assert!(
        out.starts_with("--- a/login.scp\n+++ b/login.scp\n"),
        "{out}"
    );
    assert!(out.contains("\n+transmit $USERID, raw\n"), "{out}");
}

#[test]
fn standard_input_is_refused_with_other_paths_and_when_binary() {
    let input = FROM_EDITOR.as_bytes();
    let script = fx("formats/login.scp");
    for args in [
        vec!["check", "-", &script],
        vec!["check", "-", "-"],
        vec!["check", "--stdin-filename", "x.scp", &script],
    ] {
        let (code, out, err) = run_cli_with_input(&args, input);
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}");
        assert!(err.starts_with("error: "), "{err}");
    }
    let (code, _, err) = run_cli_with_input(&["check", "-"], b"proc main\0endproc\n");
    assert_eq!(code, 2);
    assert!(err.contains("-: looks like a binary file"), "{err}");
    let (code, out, _) = run_cli_with_input(&["check", "--fix", "-"], b"\0");
    assert_eq!(
        (code, out.as_str()),
        (2, ""),
        "nothing is echoed that was not checked"
    );
}

// A configuration's `exclude`.

/// A project whose `dialscript.toml` excludes a vendored folder, a kind of file and one
/// subfolder, with a second configuration (no `exclude`) in `own/`, which replaces the first
/// there as it does for the rules.
fn excluding_project(label: &str) -> TempDir {
    let dir = TempDir::new(label);
    let root = dir.path();
    for rel in [
        "a.scp",
        "vendor/v.scp",
        "sub/s.scp",
        "sub/old/o.scp",
        "sub/x.legacy.scp",
        "own/o.scp",
        "own/vendor/w.scp",
        "own/y.legacy.scp",
    ] {
        put(root, rel, "proc main\nendproc\n");
    }
    put(
        root,
        "dialscript.toml",
        "exclude = [\"vendor/\", \"*.legacy.scp\", \"/sub/old/\"]\n",
    );
    put(
        root,
        "own/dialscript.toml",
        "[lint]\nignore = [\"DS206\"]\n",
    );
    dir
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

#[test]
fn exclude_leaves_out_scripts_where_its_configuration_applies() {
    let dir = excluding_project("exclude");
    let root = dir.path();
    assert_eq!(
        checked(root, "", &[]),
        set(&[
            "a.scp",
            "own/o.scp",
            "own/vendor/w.scp",
            "own/y.legacy.scp",
            "sub/s.scp"
        ])
    );
    // From a folder below the configuration, its patterns still apply.
    assert_eq!(checked(root, "sub", &[]), set(&["sub/s.scp"]));
    // A folder named on the command line is checked, as with git's rules.
    assert_eq!(checked(root, "vendor", &[]), set(&["vendor/v.scp"]));
    // `--isolated` reads no configuration, so nothing is excluded.
    assert_eq!(checked(root, "", &["--isolated"]).len(), 8);
    // `--config` applies its file's patterns, below its folder, to every folder.
    let own = path_str(&root.join("own/dialscript.toml"));
    assert_eq!(checked(root, "", &["--config", &own]).len(), 8);
    let top = path_str(&root.join("dialscript.toml"));
    assert_eq!(
        checked(root, "own", &["--config", &top]),
        set(&["own/o.scp"]),
        "`vendor/` and `*.legacy.scp` match at any depth"
    );
}

#[test]
fn force_exclude_leaves_out_named_files_that_exclude_matches() {
    let dir = excluding_project("force-exclude");
    let root = dir.path();
    let paths: Vec<String> = ["a.scp", "vendor/v.scp", "sub/old/o.scp", "own/y.legacy.scp"]
        .iter()
        .map(|p| path_str(&root.join(p)))
        .collect();
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let (code, doc) = json(&[], &args);
    assert_eq!((code, doc["files"].as_array().map(Vec::len)), (0, Some(4)));
    let (code, doc) = json(&["--force-exclude"], &args);
    let files = files_of(&doc);
    assert_eq!(code, 0);
    // `own/dialscript.toml` is the nearest configuration of `own/y.legacy.scp`.
    assert_eq!(files, [paths[0].as_str(), paths[3].as_str()]);
    // Everything named is excluded: nothing to check is not an error.
    let (code, doc) = json(&["--force-exclude"], &args[1..3]);
    assert_eq!((code, doc["files"].as_array().map(Vec::len)), (0, Some(0)));
}

#[test]
fn a_bad_exclude_is_an_error_that_names_its_file() {
    let dir = excluding_project("bad-exclude");
    let root = dir.path();
    put(root, "sub/dialscript.toml", "exclude = [\"a{b\"]\n");
    let (code, _, err) = concise(&[], &[&path_str(root)]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "error: {}: in `exclude`: `a{{b` is not a pattern",
            root.join("sub/dialscript.toml").display()
        )),
        "{err}"
    );
    put(root, "sub/dialscript.toml", "exclude = \"vendor/\"\n");
    let (code, _, err) = concise(&[], &[&path_str(root)]);
    assert_eq!(code, 2);
    assert!(
        err.contains("sub/dialscript.toml") && err.contains("expected a sequence"),
        "{err}"
    );
}

#[test]
fn show_files_lists_what_check_would_check_and_checks_nothing() {
    let dir = ignoring_repository("show-files");
    let root = path_str(dir.path());
    let (code, doc) = json(&[], &[&root]);
    assert_eq!(code, 0);
    let (code, out, err) = run_cli(&["check", "--show-files", &root]);
    assert_eq!(
        (code, err.as_str()),
        (0, ""),
        "no summary: nothing was checked"
    );
    assert_eq!(out.lines().collect::<Vec<_>>(), files_of(&doc));
    // A path that cannot be used is reported as `check` reports it, and exits 2.
    let missing = format!("{root}/missing.scp");
    let (code, out, err) = run_cli(&["check", "--show-files", &root, &missing]);
    assert_eq!(code, 2);
    assert_eq!(out.lines().count(), files_of(&doc).len());
    assert_eq!(
        err,
        format!("error: {missing}: cannot read: no such file or folder\n")
    );
    // Standard input shows as the name it is given.
    let (code, out, _) = run_cli_with_input(
        &["check", "--show-files", "--stdin-filename", "isp.scp"],
        b"",
    );
    assert_eq!((code, out.as_str()), (0, "isp.scp\n"));
}

// `--add-suppressions`.

/// The rule findings of a report (syntax errors are never suppressed).
fn rule_findings(report: &FileReport) -> Vec<&'static str> {
    report
        .diagnostics
        .iter()
        .filter(|d| !d.code.is_syntax())
        .map(|d| d.code.code)
        .collect()
}

#[test]
fn added_suppressions_silence_every_finding_and_only_once() {
    // Every fixture and example: the rules' own fixtures hold a triggering line of each rule.
    let mut scripts = Vec::new();
    collect_scripts(&fixture(""), &mut scripts);
    collect_scripts(&dialscript_tests::root().join("examples"), &mut scripts);
    let mut added_somewhere = 0;
    for path in scripts {
        let bytes = std::fs::read(&path).expect("a script");
        let name = path_str(&path);
        let before = check_bytes(&name, bytes.clone(), &Checker::default(), None);
        let syntax_error = before
            .diagnostics
            .iter()
            .any(|d| d.code.is_syntax() && d.severity == Severity::Error);
        let comments = dialscript_syntax::lexer::lex(&bytes).comments;
        let (new, added) = dialscript_check::suppress::add(&bytes, &comments, &before.diagnostics);
        if syntax_error {
            assert_eq!((added, &new), (0, &bytes), "{name}: left as it is");
            continue;
        }
        let wanted = rule_findings(&before)
            .iter()
            .filter(|c| **c != "DS215")
            .count();
        assert_eq!(added == 0, wanted == 0, "{name}");
        added_somewhere += usize::from(added > 0);
        let after = check_bytes(&name, new.clone(), &Checker::default(), None);
        let left: Vec<&str> = rule_findings(&after);
        // DS215 findings the script had stay (they are removed by hand, not suppressed); no
        // suppression added is itself unused.
        let unused_before = rule_findings(&before)
            .iter()
            .filter(|c| **c == "DS215")
            .count();
        assert_eq!(
            left,
            vec!["DS215"; unused_before],
            "{name}: findings left after adding suppressions:\n{}",
            String::from_utf8_lossy(&new)
        );
        // The code itself is untouched: the scripts print the same without comments.
        let (p1, p2) = (
            dialscript_syntax::parse(&bytes),
            dialscript_syntax::parse(&new),
        );
        assert_eq!(
            dialscript_syntax::print(&p1.script),
            dialscript_syntax::print(&p2.script),
            "{name}"
        );
        // A second pass adds nothing.
        let comments = dialscript_syntax::lexer::lex(&new).comments;
        let (again, more) = dialscript_check::suppress::add(&new, &comments, &after.diagnostics);
        assert_eq!((more, &again), (0, &new), "{name}");
    }
    assert!(added_somewhere >= 30, "{added_somewhere}");
}

#[test]
fn add_suppressions_writes_scripts_and_can_show_them_first() {
    let dir = TempDir::new("add-suppressions");
    let path = dir.copy("formats/login.scp");
    let original = read(&path);
    // `--diff` shows the suppressions, not the fixes, and writes nothing.
    let (code, out, err) = concise(&["--add-suppressions", "--diff"], &[&path]);
    assert_eq!(code, 1);
    assert!(
        out.contains("+   waitfor \"ogin:\" ; dialscript: allow(DS201)\n"),
        "{out}"
    );
    assert!(!out.contains(", raw"), "no fix is applied: {out}");
    assert_eq!(err, "6 suppressions in 1 file (not written: --diff)\n");
    assert_eq!(read(&path), original);
    let (code, out, err) = concise(&["--add-suppressions"], &[&path]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(
        err,
        "1 file checked, no problems found; 6 suppressions added\n"
    );
    assert_ne!(read(&path), original);
    let (code, out, _) = concise(&[], &[&path]);
    assert_eq!((code, out.as_str()), (0, ""));
    // Standard input: the script comes back on standard output.
    let (code, out, _) =
        run_cli_with_input(&["check", "--add-suppressions", "-"], original.as_bytes());
    assert_eq!(code, 0);
    assert_eq!(out, read(&path));
    // Fixing and suppressing at once is refused.
    let (code, _, err) = concise(&["--add-suppressions", "--fix"], &[&path]);
    assert_eq!(code, 2);
    assert!(err.contains("--fix"), "{err}");
}

#[test]
fn force_exclude_applies_to_the_name_standard_input_is_given() {
    let dir = excluding_project("stdin-exclude");
    let vendored = path_str(&dir.path().join("vendor/new.scp"));
    let script = b"proc main\nwaitfor \"x\"\nendproc\n";
    let args = [
        "check",
        "--format",
        "concise",
        "--stdin-filename",
        &vendored,
    ];
    let (code, out, _) = run_cli_with_input(&args, script);
    assert_eq!(code, 1, "checked without --force-exclude: {out}");
    let mut forced = args.to_vec();
    forced.push("--force-exclude");
    let (code, out, err) = run_cli_with_input(&forced, script);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    // With `--fix`, it passes through as it came.
    forced.push("--fix");
    let (code, out, _) = run_cli_with_input(&forced, script);
    assert_eq!((code, out.as_bytes()), (0, &script[..]));
}
