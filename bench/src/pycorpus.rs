//! A seeded generator of realistic Python modules: the input for ruff, the linter the lint
//! benchmark measures `dialscript check` against.
//!
//! The modules look like ordinary application code: a docstring, standard-library imports,
//! a logger and constants, functions with type hints, docstrings, comments, `if`/`for`/`try`
//! blocks, f-strings and comprehensions, classes (plain, with a property and methods, or
//! dataclasses), and now and then a `__main__` guard. Names are used only where they are bound, so ruff's
//! default rules find little, as in a maintained code base; now and then an import is left
//! unused, as happens in real code. Each module is grown to a requested size, so a Python
//! corpus can match a script corpus file for file.

use crate::Rng;

/// Standard-library modules and how generated code uses them.
const MODULES: &[(&str, &[&str])] = &[
    (
        "os",
        &[
            "os.path.join(ROOT, \"data\")",
            "os.environ.get(\"APP_MODE\", \"prod\")",
            "os.getcwd()",
        ],
    ),
    ("sys", &["sys.argv[1:]", "sys.platform", "len(sys.path)"]),
    (
        "re",
        &["re.compile(r\"^[a-z_][a-z0-9_]*$\")", "re.escape(\"a.b\")"],
    ),
    (
        "json",
        &[
            "json.dumps({\"ok\": True}, indent=2)",
            "json.loads(\"[1, 2, 3]\")",
        ],
    ),
    ("time", &["time.monotonic()", "time.time()"]),
    (
        "itertools",
        &[
            "list(itertools.islice(range(100), 10))",
            "itertools.count(1)",
        ],
    ),
    ("functools", &["functools.partial(max, 0)"]),
    ("hashlib", &["hashlib.sha256(b\"seed\").hexdigest()"]),
    ("shutil", &["shutil.which(\"git\")"]),
];

const NOUNS: &[&str] = &[
    "user", "account", "record", "item", "entry", "order", "invoice", "session", "token", "node",
    "path", "config", "message", "event", "report", "batch", "job", "task", "result", "value",
    "name", "count", "limit", "offset", "payload", "header", "row", "column", "key", "label",
];

const VERBS: &[&str] = &[
    "load",
    "save",
    "parse",
    "build",
    "render",
    "fetch",
    "update",
    "validate",
    "normalize",
    "collect",
    "merge",
    "split",
    "find",
    "check",
    "apply",
    "format",
    "resolve",
    "compute",
    "filter",
    "group",
];

const COMMENTS: &[&str] = &[
    "# Keep the order stable so that the output can be diffed.",
    "# The upstream API returns None instead of an empty list.",
    "# TODO: cache this once the configuration is immutable.",
    "# Older files use tabs; normalise them before comparing.",
    "# This is hot: avoid building intermediate lists.",
    "# Retry once, the service drops the first request after a deploy.",
    "# See the release notes for why this default changed.",
    "# Guard against a missing key in hand-written files.",
];

const TYPES: &[&str] = &["int", "str", "bool", "float", "list[str]", "dict[str, int]"];

/// One module being written.
struct Module {
    rng: Rng,
    out: String,
    level: usize,
    used: Vec<bool>,
    functions: Vec<String>,
    /// Every function, method and class name so far: none is defined twice.
    names: Vec<String>,
    dataclass: bool,
}

impl Module {
    fn line(&mut self, text: &str) {
        for _ in 0..self.level {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn blank(&mut self) {
        self.out.push('\n');
    }

    fn noun(&mut self) -> &'static str {
        NOUNS[self.rng.below(NOUNS.len() as u64) as usize]
    }

    fn ident(&mut self) -> String {
        let a = self.noun();
        if self.rng.chance(50) {
            format!("{a}_{}", self.noun())
        } else {
            a.to_string()
        }
    }

    /// A use of some imported module; marks it used.
    fn library_call(&mut self) -> String {
        let i = self.rng.below(MODULES.len() as u64) as usize;
        self.used[i] = true;
        self.rng.pick(MODULES[i].1).to_string()
    }

    /// A name from `locals` (never empty), most often the newest, as code mostly goes on
    /// with what it just computed; that also keeps most assignments used.
    fn local(&mut self, locals: &[String]) -> String {
        if self.rng.chance(60) {
            locals[locals.len() - 1].clone()
        } else {
            self.rng.pick(locals).clone()
        }
    }

    /// Two different nouns.
    fn two_nouns(&mut self) -> (&'static str, &'static str) {
        let a = self.noun();
        let mut b = self.noun();
        while b == a {
            b = self.noun();
        }
        (a, b)
    }

    /// An expression over the names in `locals` (never empty).
    fn expr(&mut self, locals: &[String]) -> String {
        let a = self.local(locals);
        let b = self.rng.pick(locals).clone();
        match self.rng.below(12) {
            0 => format!("len({a}) + {}", self.rng.range(1, 9)),
            1 => format!("f\"{{{a}}}: {{{b}!r}}\""),
            2 => format!("[x for x in {a} if x]"),
            3 => {
                let (k1, k2) = self.two_nouns();
                format!("{{\"{k1}\": {a}, \"{k2}\": {b}}}")
            }
            4 => format!("str({a}).strip().lower()"),
            5 => format!("{a} if {b} else None"),
            6 => format!("sorted({a}, key=str)"),
            7 => self.library_call(),
            8 => format!("LOG.isEnabledFor(logging.DEBUG) and {a}"),
            9 => format!("max({a}, {b}, key=len)"),
            10 => format!("{a} * {} - {b}", self.rng.range(2, 64)),
            _ => format!("\", \".join(str(x) for x in {a})"),
        }
    }

    /// A block of statements with `locals` in scope; new names are added to it.
    fn block(&mut self, locals: &mut Vec<String>, depth: u32) {
        // Short bodies inside blocks keep one function from growing to pages.
        let n = if depth == 0 {
            self.rng.range(2, 4)
        } else {
            self.rng.range(1, 2)
        };
        for _ in 0..n {
            self.statement(locals, depth);
        }
    }

    fn statement(&mut self, locals: &mut Vec<String>, depth: u32) {
        let kind = if depth >= 1 { 0 } else { self.rng.below(10) };
        match kind {
            0..=3 => {
                if self.rng.chance(15) {
                    let c = *self.rng.pick(COMMENTS);
                    self.line(c);
                }
                let name = self.ident();
                let e = self.expr(locals);
                self.line(&format!("{name} = {e}"));
                locals.push(name);
            }
            4 | 5 => {
                let a = self.local(locals);
                let cond = match self.rng.below(4) {
                    0 => format!("not {a}"),
                    1 => format!("isinstance({a}, (list, tuple))"),
                    2 => format!("{a} is None"),
                    _ => format!("len({a}) > {}", self.rng.range(0, 100)),
                };
                self.line(&format!("if {cond}:"));
                self.nested(locals, depth);
                if self.rng.chance(40) {
                    let b = self.rng.pick(locals).clone();
                    self.line(&format!("elif {b}:"));
                    self.nested(locals, depth);
                }
                if self.rng.chance(40) {
                    self.line("else:");
                    self.nested(locals, depth);
                }
            }
            6 | 7 => {
                let a = self.local(locals);
                let var = format!("{}_item", self.noun());
                self.line(&format!("for {var} in {a}:"));
                locals.push(var);
                self.nested(locals, depth);
            }
            8 => {
                self.line("try:");
                self.nested(locals, depth);
                self.line("except (KeyError, ValueError) as exc:");
                self.level += 1;
                self.line("LOG.warning(\"skipping %s: %s\", __name__, exc)");
                if self.rng.chance(50) {
                    self.line("raise");
                }
                self.level -= 1;
            }
            _ => {
                let a = self.local(locals);
                let noun = self.noun();
                self.line(&format!("LOG.debug(\"{noun} %r\", {a})"));
            }
        }
    }

    /// A nested block. Python has no block scope: what it assigns stays visible after it.
    fn nested(&mut self, locals: &mut Vec<String>, depth: u32) {
        self.level += 1;
        self.block(locals, depth + 1);
        self.level -= 1;
    }

    fn function(&mut self, method: bool) {
        let mut name = format!("{}_{}", self.rng.pick(VERBS), self.noun());
        while self.names.contains(&name) {
            name = format!("{}_{}", self.rng.pick(VERBS), self.noun());
        }
        self.names.push(name.clone());
        let nargs = self.rng.range(1, 3);
        let mut params: Vec<String> = Vec::new();
        let mut locals: Vec<String> = Vec::new();
        if method {
            params.push("self".to_string());
        }
        for i in 0..nargs {
            let mut p = self.noun().to_string();
            while locals.contains(&p) || (method && p == "self") {
                p = self.noun().to_string();
            }
            let ty = *self.rng.pick(TYPES);
            if i + 1 == nargs && self.rng.chance(30) {
                params.push(format!("{p}: {ty} | None = None"));
            } else {
                params.push(format!("{p}: {ty}"));
            }
            locals.push(p);
        }
        let ret = *self.rng.pick(TYPES);
        self.line(&format!("def {name}({}) -> {ret}:", params.join(", ")));
        self.level += 1;
        if self.rng.chance(70) {
            let doc = format!(
                "\"\"\"{} the {} and return the {}.\"\"\"",
                capitalise(VERBS[self.rng.below(VERBS.len() as u64) as usize]),
                self.noun(),
                self.noun()
            );
            self.line(&doc);
        }
        self.block(&mut locals, 0);
        let e = self.expr(&locals);
        self.line(&format!("return {e}"));
        self.level -= 1;
        if !method {
            self.functions.push(name);
        }
    }

    fn class(&mut self) {
        let kinds = ["Store", "Client", "Parser", "Builder", "Cache", "Service"];
        let mut name = String::new();
        while name.is_empty() || self.names.contains(&name) {
            name = format!("{}{}", capitalise(self.noun()), self.rng.pick(&kinds));
        }
        self.names.push(name.clone());
        if self.rng.chance(35) {
            self.dataclass = true;
            self.line("@dataclass");
            self.line(&format!("class {name}:"));
            self.level += 1;
            let noun = self.noun();
            self.line(&format!("\"\"\"A {noun} as the API returns it.\"\"\""));
            self.blank();
            let mut fields: Vec<String> = Vec::new();
            for _ in 0..self.rng.range(2, 5) {
                let mut f = self.ident();
                while fields.contains(&f) || f == "tags" {
                    f = self.ident();
                }
                fields.push(f.clone());
                let ty = *self.rng.pick(TYPES);
                self.line(&format!("{f}: {ty}"));
            }
            self.line("tags: list[str] = field(default_factory=list)");
        } else {
            self.line(&format!("class {name}:"));
            self.level += 1;
            let noun = self.noun();
            self.line(&format!("\"\"\"Keeps {noun}s and hands them out.\"\"\""));
            self.blank();
            let mut attr = self.noun();
            while attr == "limit" {
                attr = self.noun();
            }
            self.line(&format!(
                "def __init__(self, {attr}: str, limit: int = 100) -> None:"
            ));
            self.level += 1;
            self.line(&format!("self._{attr} = {attr}"));
            self.line("self._limit = limit");
            self.line("self._seen: dict[str, int] = {}");
            self.level -= 1;
            self.blank();
            self.line("@property");
            self.line(&format!("def {attr}(self) -> str:"));
            self.level += 1;
            self.line(&format!("return self._{attr}"));
            self.level -= 1;
            for _ in 0..self.rng.range(1, 3) {
                self.blank();
                self.function(true);
            }
        }
        self.level -= 1;
    }
}

fn capitalise(word: &str) -> String {
    let mut c = word.chars();
    c.next().map_or(String::new(), |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// One Python module for `seed`, grown by whole functions and classes to the size nearest
/// `bytes` (at least one of them, so a tiny goal still gives a real module).
pub fn module(seed: u64, bytes: usize) -> Vec<u8> {
    let mut m = Module {
        rng: Rng::new(seed ^ 0x5059_5448_4f4e),
        out: String::new(),
        level: 0,
        used: vec![false; MODULES.len()],
        functions: Vec::new(),
        names: Vec::new(),
        dataclass: false,
    };
    // The head depends on what the body uses, so its random parts are drawn first and the
    // whole module is put together after every top-level item, until it is big enough.
    let doc = format!(
        "\"\"\"{} for the {} service.\"\"\"\n\n",
        capitalise(VERBS[m.rng.below(VERBS.len() as u64) as usize]),
        m.rng.pick(NOUNS)
    );
    let head = Head {
        doc,
        // An unused import now and then, as in real code: ruff's F401.
        stray: MODULES.iter().map(|_| m.rng.chance(3)).collect(),
        future: m.rng.chance(30),
        main: m.rng.chance(20),
    };
    let mut best: Option<String> = None;
    loop {
        if !m.out.is_empty() {
            m.blank();
            m.blank();
        }
        if m.rng.chance(15) {
            let c = *m.rng.pick(COMMENTS);
            m.line(c);
        }
        if m.rng.chance(30) {
            m.class();
        } else {
            m.function(false);
        }
        let whole = assemble(&m, &head);
        if whole.len() >= bytes {
            // Stop at whichever size is nearer the goal, so that a corpus of such modules has
            // about the bytes of the corpus it is sized after.
            return match best {
                Some(shorter) if bytes - shorter.len() < whole.len() - bytes => {
                    shorter.into_bytes()
                }
                _ => whole.into_bytes(),
            };
        }
        best = Some(whole);
    }
}

/// What a module has besides its functions and classes, drawn before they are written.
struct Head {
    doc: String,
    /// Modules imported although nothing uses them.
    stray: Vec<bool>,
    /// `from __future__ import annotations`.
    future: bool,
    /// A `__main__` guard at the end.
    main: bool,
}

/// The module so far: docstring, imports, logger and constants, the body, maybe a `__main__`
/// guard.
fn assemble(m: &Module, head: &Head) -> String {
    let mut out = String::with_capacity(m.out.len() + 512);
    out.push_str(&head.doc);
    if head.future {
        out.push_str("from __future__ import annotations\n\n");
    }
    let mut imports: Vec<&str> = vec!["logging"];
    for (i, (name, _)) in MODULES.iter().enumerate() {
        if m.used[i] || head.stray[i] {
            imports.push(name);
        }
    }
    imports.sort_unstable();
    for i in imports {
        out.push_str(&format!("import {i}\n"));
    }
    if m.dataclass {
        out.push_str("from dataclasses import dataclass, field\n");
    }
    out.push_str("\nLOG = logging.getLogger(__name__)\n");
    out.push_str("ROOT = \"/srv/app\"\n\n\n");
    out.push_str(&m.out);
    if let Some(f) = m.functions.first().filter(|_| head.main) {
        out.push_str("\n\nif __name__ == \"__main__\":\n");
        out.push_str(&format!("    print({f}.__doc__)\n"));
    }
    out
}

/// Python modules sized like `sizes` (one module per size, at least that many bytes each),
/// from seeds `seed`, `seed + 1`, ...
pub fn corpus_like(seed: u64, sizes: &[usize]) -> Vec<Vec<u8>> {
    sizes
        .iter()
        .enumerate()
        .map(|(i, &n)| module(seed.wrapping_add(i as u64), n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_are_deterministic_and_sized() {
        assert_eq!(module(3, 2000), module(3, 2000));
        assert_ne!(module(3, 2000), module(4, 2000));
        for (seed, size) in [(2, 800), (3, 5000), (4, 20_000)] {
            let m = module(seed, size);
            assert!(
                m.len().abs_diff(size) < 1500,
                "{} is far from {size}",
                m.len()
            );
        }
        // Over many modules the sizes even out.
        let sizes = vec![800; 200];
        let total: usize = corpus_like(9, &sizes).iter().map(Vec::len).sum();
        assert!(total.abs_diff(160_000) < 16_000, "{total}");
    }

    #[test]
    fn modules_look_like_python() {
        let text = String::from_utf8(module(5, 6000)).expect("UTF-8");
        assert!(text.starts_with("\"\"\""));
        assert!(text.contains("import logging\n"));
        assert!(text.contains("\ndef ") || text.contains("\nclass "));
        // Indentation is in steps of four spaces and tabs never appear.
        assert!(!text.contains('\t'));
        for line in text.lines() {
            let indent = line.len() - line.trim_start().len();
            assert_eq!(indent % 4, 0, "{line:?}");
        }
    }
}
