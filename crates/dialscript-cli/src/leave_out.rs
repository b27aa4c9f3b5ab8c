//! What a folder walk leaves out: what git ignores, and what the nearest `dialscript.toml`
//! excludes. `dialscript check .` in CI then lints the scripts the repository holds and the
//! project wants linted, and nothing else (a vendored copy, a build's output, a local
//! experiment), as git itself, ruff and ripgrep do.
//!
//! Git's rules are git's: inside a git repository, the repository's `info/exclude` and every
//! `.gitignore` from the top of the repository down to the file, a nearer file taking
//! precedence over a farther one and a later line over an earlier one. A folder holding a
//! `.git` of its own is a nested repository, where only its own rules apply. Outside any
//! repository a `.gitignore` means nothing, to git or here. The user's global excludes file
//! (`core.excludesFile`) is not read, so that `check` finds the same scripts on a developer's
//! machine as in CI.
//!
//! A configuration's `exclude` patterns have the same syntax, relative to its folder, and
//! apply where the configuration does: below its folder, down to the next `dialscript.toml`
//! (or below its folder, for the one given with `--config`). Patterns are matched by the
//! `ignore` crate, ripgrep's implementation of gitignore patterns.

use std::path::{Path, PathBuf};

use dialscript_check::config::{self, Config};
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// Folders that hold a version-control system's own records, never a user's scripts: a walk
/// does not enter them, whatever the rules say.
pub const VCS_FOLDERS: [&str; 6] = [".git", ".hg", ".svn", ".bzr", "_darcs", ".jj"];

/// Where the `exclude` patterns of a walk come from.
#[derive(Debug, Clone, Default)]
pub enum Excludes {
    /// The nearest `dialscript.toml` of each folder, as for the rules themselves.
    #[default]
    Nearest,
    /// One configuration for every folder (`--config`; `--isolated` is the empty one).
    Of(Config),
}

/// What a walk leaves out, as the command line chose.
#[derive(Debug, Clone)]
pub struct LeaveOut {
    /// Leave out what git ignores (not with `--no-respect-gitignore`).
    pub git_ignored: bool,
    /// Where `exclude` patterns come from.
    pub excludes: Excludes,
    /// Whether `exclude` patterns also apply to files named on the command line
    /// (`--force-exclude`, for a pre-commit hook that passes every changed file).
    pub force_exclude: bool,
}

impl Default for LeaveOut {
    fn default() -> LeaveOut {
        LeaveOut {
            git_ignored: true,
            excludes: Excludes::Nearest,
            force_exclude: false,
        }
    }
}

/// The rules in force in the folder a walk is in.
#[derive(Debug)]
pub struct Rules {
    /// Whether git's rules apply.
    git: bool,
    /// Whether each folder's `dialscript.toml` is looked at for `exclude`.
    nearest: bool,
    /// Whether the folder is inside a git repository.
    in_repo: bool,
    /// Git's matchers, farthest first: the repository's exclude file, then each `.gitignore`
    /// from the top of the repository down to the folder. Empty matchers are left out.
    stack: Vec<Gitignore>,
    /// The `exclude` patterns of the configuration in force, when it has any.
    exclude: Option<Gitignore>,
    /// The folder the walk is in, relative to the folder of each matcher in `stack` and then
    /// of `exclude` (`None` where it is not below it: the matcher does not apply there). An
    /// entry is matched by its name joined to this, so that neither the entry's absolute path
    /// nor its stripping down to the matcher's folder is made for every entry; for the
    /// matcher of the folder itself the name alone is the path.
    here: Vec<Option<PathBuf>>,
}

/// What [`Rules::enter`] changed, for [`Rules::leave`] to undo.
#[derive(Debug)]
pub struct Mark {
    git: GitMark,
    /// The `exclude` matcher of the folder above, when this folder's configuration replaced it.
    exclude: Option<Option<Gitignore>>,
    /// [`Rules::here`] in the folder above.
    here: Vec<Option<PathBuf>>,
}

#[derive(Debug)]
enum GitMark {
    /// The stack had this many matchers before.
    Depth(usize),
    /// A nested repository replaced the stack; these were the rules outside it.
    Outer {
        stack: Vec<Gitignore>,
        in_repo: bool,
    },
}

/// What the listing of a folder shows of the files that carry rules.
#[derive(Debug, Clone, Copy, Default)]
pub struct Holds {
    /// A `.git` folder or file: the folder is the top of a repository.
    pub git: bool,
    /// A `.gitignore` (a regular file: git does not follow a link there).
    pub gitignore: bool,
    /// A `dialscript.toml`.
    pub config: bool,
}

impl Rules {
    /// The rules in force at `root`, an absolute folder a walk starts from, from the folders
    /// above it: when one of them holds a `.git`, its exclude file and the `.gitignore` files
    /// from it down to `root`'s parent; and the `exclude` of the nearest `dialscript.toml`
    /// above `root` (or of the one configuration). What `root` itself holds is seen by
    /// [`Rules::enter`] when the walk lists it. A configuration that cannot be read or has a
    /// bad pattern is an error, named by its path.
    pub fn above(root: &Path, how: &LeaveOut) -> Result<Rules, String> {
        let mut rules = Rules {
            git: how.git_ignored,
            nearest: matches!(how.excludes, Excludes::Nearest),
            in_repo: false,
            stack: Vec::new(),
            exclude: None,
            here: Vec::new(),
        };
        rules.exclude = match root.parent() {
            Some(parent) => exclude_matcher(&how.excludes, parent)?,
            None => None,
        };
        if !rules.git {
            return Ok(rules);
        }
        let Some(top) = root
            .ancestors()
            .skip(1)
            .find(|a| a.join(".git").symlink_metadata().is_ok())
        else {
            return Ok(rules);
        };
        rules.in_repo = true;
        rules.push(exclude_file(top));
        // The folders from the top of the repository down to `root`'s parent, in that order.
        let mut between: Vec<&Path> = root
            .ancestors()
            .skip(1)
            .take_while(|a| a.starts_with(top))
            .collect();
        between.reverse();
        for folder in between {
            let file = folder.join(".gitignore");
            // As in the walk, a `.gitignore` that is a symbolic link does not count.
            if file.symlink_metadata().is_ok_and(|m| m.is_file()) {
                rules.push(Gitignore::new(&file).0);
            }
        }
        Ok(rules)
    }

    /// Enters the folder `abs` (an absolute path), which holds what `holds` says. Returns
    /// what [`Rules::leave`] needs to restore the rules when the walk leaves the folder, and
    /// the error of a `dialscript.toml` there that cannot be used (its patterns are then not
    /// applied; the rules of the folder above stay in force).
    pub fn enter(&mut self, abs: &Path, holds: Holds) -> (Mark, Option<String>) {
        let mut error = None;
        let exclude = if self.nearest && holds.config {
            let found = Config::load(&abs.join(config::FILE_NAME)).and_then(|c| exclude_of(&c));
            match found {
                Ok(matcher) => Some(std::mem::replace(&mut self.exclude, matcher)),
                Err(e) => {
                    error = Some(e);
                    None
                }
            }
        } else {
            None
        };
        let mut git = GitMark::Depth(self.stack.len());
        if self.git {
            if holds.git {
                git = GitMark::Outer {
                    stack: std::mem::take(&mut self.stack),
                    in_repo: self.in_repo,
                };
                self.in_repo = true;
                self.push(exclude_file(abs));
            }
            if self.in_repo && holds.gitignore {
                self.push(Gitignore::new(abs.join(".gitignore")).0);
            }
        }
        let here = self
            .stack
            .iter()
            .chain(&self.exclude)
            .map(|m| abs.strip_prefix(m.path()).ok().map(Path::to_path_buf))
            .collect();
        let here = std::mem::replace(&mut self.here, here);
        (Mark { git, exclude, here }, error)
    }

    /// Restores the rules of the folder above, when the walk leaves a folder.
    pub fn leave(&mut self, mark: Mark) {
        match mark.git {
            GitMark::Depth(depth) => self.stack.truncate(depth),
            GitMark::Outer { stack, in_repo } => {
                self.stack = stack;
                self.in_repo = in_repo;
            }
        }
        if let Some(outer) = mark.exclude {
            self.exclude = outer;
        }
        self.here = mark.here;
    }

    /// Whether any rule is in force, that is, whether paths need matching at all.
    pub fn any(&self) -> bool {
        !self.stack.is_empty() || self.exclude.is_some()
    }

    /// Whether the walk leaves out the entry `name` of the folder it is in (the one last
    /// entered), a folder when `is_dir`: the configuration excludes it, or git ignores it. Of
    /// git's matchers, the nearest with a pattern for the entry decides, as in git; its last
    /// matching line, which may be a `!` line that takes the entry back.
    pub fn leaves_out(&self, name: &std::ffi::OsStr, is_dir: bool) -> bool {
        // Some(true): a pattern ignores the entry; Some(false): a `!` pattern takes it back.
        let verdict = |matcher: &Gitignore, here: Option<&PathBuf>| {
            let found = match here {
                None => return None,
                Some(here) if here.as_os_str().is_empty() => matcher.matched(name, is_dir),
                Some(here) => matcher.matched(here.join(name), is_dir),
            };
            match found {
                Match::Ignore(_) => Some(true),
                Match::Whitelist(_) => Some(false),
                Match::None => None,
            }
        };
        if let Some(exclude) = &self.exclude
            && verdict(exclude, self.here.last().and_then(Option::as_ref)) == Some(true)
        {
            return true;
        }
        self.stack
            .iter()
            .zip(&self.here)
            .rev()
            .find_map(|(matcher, here)| verdict(matcher, here.as_ref()))
            .unwrap_or(false)
    }

    fn push(&mut self, matcher: Gitignore) {
        if !matcher.is_empty() {
            self.stack.push(matcher);
        }
    }
}

/// Whether the configuration that applies to the file `abs` (an absolute path) excludes it:
/// `--force-exclude` asks this of the files named on the command line.
pub fn excludes_file(abs: &Path, how: &Excludes) -> Result<bool, String> {
    let matcher = exclude_matcher(how, abs)?;
    // Patterns apply below the configuration's folder only (`--config` may name one
    // elsewhere); the matcher also asks about each folder on the way down to the file.
    Ok(matcher.is_some_and(|m| {
        abs.starts_with(m.path()) && m.matched_path_or_any_parents(abs, false).is_ignore()
    }))
}

/// The `exclude` matcher of the configuration in force at `place` (a file, or a folder and
/// what is below it): the nearest one found from there, or the one given.
fn exclude_matcher(how: &Excludes, place: &Path) -> Result<Option<Gitignore>, String> {
    match how {
        Excludes::Nearest => match config::discover(place) {
            Some(file) => exclude_of(&Config::load(&file)?),
            None => Ok(None),
        },
        Excludes::Of(config) => exclude_of(config),
    }
}

/// The matcher of a configuration's `exclude` patterns, rooted at its folder; `None` when it
/// has none. A pattern that is not valid is an error naming the file.
fn exclude_of(config: &Config) -> Result<Option<Gitignore>, String> {
    if config.exclude.is_empty() {
        return Ok(None);
    }
    let file = config.path.clone().unwrap_or_default();
    let folder = file.parent().map_or_else(PathBuf::new, |p| {
        std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
    });
    let mut builder = GitignoreBuilder::new(&folder);
    for pattern in &config.exclude {
        builder.add_line(Some(file.clone()), pattern).map_err(|e| {
            format!(
                "{}: in `exclude`: `{pattern}` is not a pattern: {e}",
                file.display()
            )
        })?;
    }
    let matcher = builder
        .build()
        .map_err(|e| format!("{}: in `exclude`: {e}", file.display()))?;
    Ok(Some(matcher))
}

/// The patterns of the repository whose work tree is `top`, from its `info/exclude`. Lines
/// that are not valid patterns are skipped (git skips them too); a missing file has none.
fn exclude_file(top: &Path) -> Gitignore {
    let Some(dir) = git_dir(top) else {
        return Gitignore::empty();
    };
    let mut builder = GitignoreBuilder::new(top);
    // A partial error means some lines were not patterns; the others still count.
    let _ = builder.add(dir.join("info").join("exclude"));
    builder.build().unwrap_or_else(|_| Gitignore::empty())
}

/// The folder holding the repository's records for the work tree `top`: `top/.git` when it is
/// a folder, or where a `.git` file points (`gitdir: ...`, as in a submodule or a linked
/// work tree, whose shared records are named by its `commondir` file).
fn git_dir(top: &Path) -> Option<PathBuf> {
    let dot_git = top.join(".git");
    if dot_git.is_dir() {
        return Some(dot_git);
    }
    let text = std::fs::read_to_string(&dot_git).ok()?;
    let named = text.strip_prefix("gitdir:")?.trim();
    let dir = top.join(named);
    match std::fs::read_to_string(dir.join("commondir")) {
        Ok(common) => Some(dir.join(common.trim())),
        Err(_) => Some(dir),
    }
}
