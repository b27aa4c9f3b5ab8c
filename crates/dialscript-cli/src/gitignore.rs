//! What git ignores, so that a folder walk leaves out the scripts a repository keeps out of
//! version control on purpose (a vendored copy, a build's output, a local experiment), as git
//! itself, ruff and ripgrep do. `dialscript check .` in CI then lints what the repository
//! holds, and nothing else.
//!
//! The rules are git's: inside a git repository, the repository's `info/exclude` and every
//! `.gitignore` from the top of the repository down to the file, a nearer file taking
//! precedence over a farther one and a later line over an earlier one. A folder holding a
//! `.git` of its own is a nested repository, where only its own rules apply. Outside any
//! repository a `.gitignore` means nothing, to git or here. The user's global excludes file
//! (`core.excludesFile`) is not read, so that `check` finds the same scripts on a developer's
//! machine as in CI. Patterns are matched by the `ignore` crate, ripgrep's implementation of
//! gitignore patterns.

use std::path::{Path, PathBuf};

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// Folders that hold a version-control system's own records, never a user's scripts: a walk
/// does not enter them, whatever the ignore rules say.
pub const VCS_FOLDERS: [&str; 6] = [".git", ".hg", ".svn", ".bzr", "_darcs", ".jj"];

/// The ignore rules in force in the folder a walk is in.
#[derive(Debug)]
pub struct Rules {
    /// Whether ignore rules apply at all (`check --no-respect-gitignore` turns them off).
    enabled: bool,
    /// Whether the folder is inside a git repository.
    in_repo: bool,
    /// The matchers, farthest first: the repository's exclude file, then each `.gitignore`
    /// from the top of the repository down to the folder. Empty matchers are left out, so
    /// an empty stack means nothing is ignored and no path needs matching.
    stack: Vec<Gitignore>,
}

/// What [`Rules::enter`] changed, for [`Rules::leave`] to undo.
#[derive(Debug)]
pub enum Mark {
    /// The stack had this many matchers before.
    Depth(usize),
    /// A nested repository replaced the stack; these were the rules outside it.
    Outer {
        stack: Vec<Gitignore>,
        in_repo: bool,
    },
}

impl Rules {
    /// No rules: every script is taken.
    pub fn off() -> Rules {
        Rules {
            enabled: false,
            in_repo: false,
            stack: Vec::new(),
        }
    }

    /// The rules in force at `root`, an absolute folder a walk starts from, from the folders
    /// above it: when one of them holds a `.git`, its exclude file and the `.gitignore` files
    /// from it down to `root`'s parent. (`root`'s own `.git` and `.gitignore` are seen by
    /// [`Rules::enter`] when the walk lists it.)
    pub fn above(root: &Path) -> Rules {
        let mut rules = Rules {
            enabled: true,
            in_repo: false,
            stack: Vec::new(),
        };
        let Some(top) = root
            .ancestors()
            .skip(1)
            .find(|a| a.join(".git").symlink_metadata().is_ok())
        else {
            return rules;
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
        rules
    }

    /// Enters the folder `abs` (an absolute path), whose listing shows whether it holds a
    /// `.git` (it is the top of a repository) and a `.gitignore`. Returns what
    /// [`Rules::leave`] needs to restore the rules when the walk leaves the folder.
    pub fn enter(&mut self, abs: &Path, has_git: bool, has_gitignore: bool) -> Mark {
        let depth = Mark::Depth(self.stack.len());
        if !self.enabled {
            return depth;
        }
        let mark = if has_git {
            let outer = Mark::Outer {
                stack: std::mem::take(&mut self.stack),
                in_repo: self.in_repo,
            };
            self.in_repo = true;
            self.push(exclude_file(abs));
            outer
        } else {
            depth
        };
        if self.in_repo && has_gitignore {
            self.push(Gitignore::new(abs.join(".gitignore")).0);
        }
        mark
    }

    /// Restores the rules of the folder above, when the walk leaves a folder.
    pub fn leave(&mut self, mark: Mark) {
        match mark {
            Mark::Depth(depth) => self.stack.truncate(depth),
            Mark::Outer { stack, in_repo } => {
                self.stack = stack;
                self.in_repo = in_repo;
            }
        }
    }

    /// Whether any rule is in force, that is, whether paths need matching at all.
    pub fn any(&self) -> bool {
        !self.stack.is_empty()
    }

    /// Whether git ignores `path` (absolute), a folder when `is_dir`. The nearest matcher
    /// with a pattern for it decides, as in git; its last matching line, which may be a `!`
    /// line that takes the path back.
    pub fn ignores(&self, path: &Path, is_dir: bool) -> bool {
        for matcher in self.stack.iter().rev() {
            match matcher.matched(path, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        false
    }

    fn push(&mut self, matcher: Gitignore) {
        if !matcher.is_empty() {
            self.stack.push(matcher);
        }
    }
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
