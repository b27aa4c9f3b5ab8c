//! Finding and reading the scripts a command was given.

use std::path::{Path, PathBuf};

use crate::leave_out::{Holds, LeaveOut, Rules, VCS_FOLDERS};

/// A problem with an input path: it is reported and the command exits 2, after checking the
/// inputs that were fine.
#[derive(Debug)]
pub struct InputError {
    /// The path as given.
    pub path: PathBuf,
    /// What is wrong, as a sentence fragment.
    pub message: String,
}

/// A path as output shows it: as given, with `/` separators so output reads the same
/// everywhere.
pub fn shown_path(p: &Path) -> String {
    let s = p.display().to_string();
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s
    }
}

/// `path` as an absolute path without symbolic links in its folders, as the ignore rules and
/// `exclude` patterns are matched; the file itself need not exist (a name given with
/// `--stdin-filename`).
pub fn absolute(path: &Path) -> PathBuf {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(folder), path.file_name()) {
        (Ok(folder), Some(name)) => folder.join(name),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// Whether a file name ends in `.scp`, in any case.
pub fn is_script_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("scp"))
}

/// A folder a walk went through: scripts in it are opened by name through its handle, so the
/// kernel looks up one name per script instead of walking the whole path again.
#[derive(Debug)]
pub struct Folder {
    /// The folder as reached from a given path.
    pub path: PathBuf,
    /// [`shown_path`] of `path`, made once for all the scripts in it.
    shown: String,
    /// An open handle to it, when it could be opened (else scripts are opened by full path).
    handle: Option<std::fs::File>,
}

/// One script to read: a name in a folder of the walk, or a path given as it is.
#[derive(Debug)]
pub struct Input {
    /// Index into [`Inputs::folders`]; `None` for a file given directly.
    folder: Option<u32>,
    /// The name inside the folder, or the path as given.
    name: PathBuf,
    /// The folder listing said it is a regular file (no symbolic link), so it need not be asked.
    regular: bool,
}

/// The scripts a command was given, in order, and the folders they were found in.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Every folder a walk listed.
    pub folders: Vec<Folder>,
    /// Every script, in output order.
    pub scripts: Vec<Input>,
    /// How many scripts, and folders that may hold some, were left out because git ignores
    /// them or a configuration excludes them.
    pub ignored: usize,
    /// The script read from standard input, when it is the one script (see
    /// [`Inputs::standard_input`]): its bytes, or why they could not be read.
    stdin: Option<Result<Vec<u8>, String>>,
}

impl Input {
    /// Index into [`Inputs::folders`]; `None` for a file given directly.
    pub fn folder_index(&self) -> Option<usize> {
        self.folder.map(|i| i as usize)
    }
}

impl Inputs {
    /// One script read from `reader` (standard input, as an editor or a pre-commit hook
    /// passes a script that may not be saved), going by `name` in reports and for finding its
    /// configuration; `-` when it has no name. It is read whole here, once.
    pub fn standard_input(name: Option<&Path>, reader: &mut dyn std::io::Read) -> Inputs {
        let mut bytes = Vec::new();
        let read = match reader.read_to_end(&mut bytes) {
            Ok(_) if looks_binary(&bytes) => Err(BINARY.to_string()),
            Ok(_) => Ok(bytes),
            Err(e) => Err(cannot_read(e)),
        };
        Inputs {
            scripts: vec![Input {
                folder: None,
                name: name.map_or_else(|| PathBuf::from("-"), Path::to_path_buf),
                regular: false,
            }],
            stdin: Some(read),
            ..Inputs::default()
        }
    }

    /// Whether the scripts are the one read from standard input.
    pub fn is_standard_input(&self) -> bool {
        self.stdin.is_some()
    }

    /// The script's path, as given or as found below a given folder.
    pub fn path(&self, input: &Input) -> PathBuf {
        match self.folder_of(input) {
            Some(f) => f.path.join(&input.name),
            None => input.name.clone(),
        }
    }

    /// [`shown_path`] of [`Inputs::path`], without building the path: the folder's part is
    /// made once per folder, and only the name is converted per script.
    pub fn shown_path(&self, input: &Input) -> String {
        match self.folder_of(input) {
            // A name in a folder is one component, so joining adds one separator unless the
            // folder ends with one, and converting the parts apart gives the same text as
            // converting the joined path: they meet at an ASCII `/`.
            Some(f) if !f.shown.is_empty() => {
                let name = input.name.to_string_lossy();
                let mut shown = String::with_capacity(f.shown.len() + 1 + name.len());
                shown.push_str(&f.shown);
                if !shown.ends_with('/') {
                    shown.push('/');
                }
                shown.push_str(&name);
                shown
            }
            _ => shown_path(&self.path(input)),
        }
    }

    /// The folder the walk found `input` in, or `None` when it was given directly.
    pub fn folder_of(&self, input: &Input) -> Option<&Folder> {
        input.folder.and_then(|i| self.folders.get(i as usize))
    }

    /// Reads a script (see [`read_script`]), through its folder's handle when it has one.
    pub fn read(&self, input: &Input) -> Result<Vec<u8>, String> {
        if let Some(read) = &self.stdin {
            return read.clone();
        }
        let handle = self.folder_of(input).and_then(|f| f.handle.as_ref());
        let file = match handle {
            Some(dir) => nix::fcntl::openat(
                dir,
                input.name.as_path(),
                nix::fcntl::OFlag::O_RDONLY
                    | nix::fcntl::OFlag::O_NONBLOCK
                    | nix::fcntl::OFlag::O_CLOEXEC,
                nix::sys::stat::Mode::empty(),
            )
            .map(std::fs::File::from)
            .map_err(|e| cannot_read(std::io::Error::from(e)))?,
            None => open_nonblocking(&self.path(input)).map_err(cannot_read)?,
        };
        read_open(file, input.regular)
    }
}

/// Expands the given paths: a file stands for itself (whatever its name), a folder for every
/// `*.scp` file below it, in sorted order so that output is stable. A folder's walk leaves out
/// what `how` says ([`crate::leave_out`]: what git ignores, what the nearest configuration
/// excludes); a path given is taken whatever git's rules say of it, as git takes a path named
/// to `git add --force`, and whatever the configuration says unless `how.force_exclude`.
/// Folders of version-control records (`.git` and the like) are never entered.
pub fn collect(paths: &[PathBuf], how: &LeaveOut) -> (Inputs, Vec<InputError>) {
    let mut inputs = Inputs::default();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                let before = (inputs.scripts.len(), inputs.ignored, errors.len());
                // Rules match absolute paths, without symbolic links, as git sees them.
                let found = std::fs::canonicalize(path)
                    .map_err(|e| format!("cannot read folder: {}", io_message(&e)))
                    .and_then(|abs| Ok((Rules::above(&abs, how)?, abs)));
                let (mut rules, abs) = match found {
                    Ok(found) => found,
                    Err(message) => {
                        errors.push(InputError {
                            path: path.clone(),
                            message,
                        });
                        continue;
                    }
                };
                let mut walk = Walk {
                    inputs: &mut inputs,
                    rules: &mut rules,
                    errors: &mut errors,
                };
                if let Err(e) = walk.folder(path.clone(), abs) {
                    errors.push(InputError {
                        path: path.clone(),
                        message: format!("cannot read folder: {}", io_message(&e)),
                    });
                } else if (inputs.scripts.len(), errors.len()) == (before.0, before.2) {
                    let message = if inputs.ignored == before.1 {
                        "folder contains no `.scp` scripts"
                    } else {
                        "folder contains no `.scp` scripts that are not ignored by git or \
                         excluded by a `dialscript.toml` (`--no-respect-gitignore` and \
                         `--isolated` check those too)"
                    };
                    errors.push(InputError {
                        path: path.clone(),
                        message: message.to_string(),
                    });
                }
            }
            Ok(m) => {
                // A file named is taken, unless `--force-exclude` asks its configuration.
                let excluded = if how.force_exclude {
                    crate::leave_out::excludes_file(&absolute(path), &how.excludes)
                } else {
                    Ok(false)
                };
                match excluded {
                    Ok(true) => inputs.ignored += 1,
                    // The `stat` just made says whether it is a regular file, so reading it
                    // need not ask again: one system call less for each of the thousands of
                    // files that `git ls-files | xargs dialscript check` passes.
                    Ok(false) => inputs.scripts.push(Input {
                        folder: None,
                        name: path.clone(),
                        regular: m.is_file(),
                    }),
                    Err(message) => errors.push(InputError {
                        path: path.clone(),
                        message,
                    }),
                }
            }
            Err(e) => errors.push(InputError {
                path: path.clone(),
                message: cannot_read(e),
            }),
        }
    }
    (inputs, errors)
}

/// A walk through a given folder: where scripts go, the ignore rules in force, and where a
/// folder below it that cannot be read is reported (with the others still walked, and the
/// command exiting 2: a check that passes must not have skipped scripts unsaid).
struct Walk<'a> {
    inputs: &'a mut Inputs,
    rules: &'a mut Rules,
    errors: &'a mut Vec<InputError>,
}

impl Walk<'_> {
    /// Lists `dir` (whose absolute path, which the rules match, is `abs`) and everything
    /// below it, in sorted order.
    fn folder(&mut self, dir: PathBuf, abs: PathBuf) -> std::io::Result<()> {
        // Each entry keeps its name and type (which the listing gives without asking the file
        // system again), with the name's first sixteen bytes as a number to sort by: names in
        // a folder of scripts share long prefixes, and comparing two numbers settles nearly
        // every comparison without looking at the strings. The whole list is sorted before the
        // first script can be checked, so this is time no other core can share.
        let mut entries = std::fs::read_dir(&dir)?
            .map(|e| {
                let e = e?;
                let name = e.file_name();
                Ok((sort_key(&name), name, e.file_type()?))
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        // The listing says whether this folder is the top of a repository and has rules of
        // its own; git does not follow a `.gitignore` that is a symbolic link, and a
        // configuration is found as `config::discover` finds it, links followed.
        let mut holds = Holds::default();
        for (_, name, ty) in &entries {
            match name.as_encoded_bytes() {
                b".git" => holds.git |= ty.is_dir() || ty.is_file(),
                b".gitignore" => holds.gitignore |= ty.is_file(),
                b"dialscript.toml" => holds.config |= dir.join(name).is_file(),
                _ => {}
            }
        }
        let (mark, error) = self.rules.enter(&abs, holds);
        if let Some(message) = error {
            let path = dir.join(dialscript_check::config::FILE_NAME);
            // The message names the file already.
            let prefix = format!(
                "{}: ",
                abs.join(dialscript_check::config::FILE_NAME).display()
            );
            let message = message
                .strip_prefix(&prefix)
                .map(str::to_string)
                .unwrap_or(message);
            self.errors.push(InputError { path, message });
        }
        let handle = std::fs::File::open(&dir).ok();
        let index = u32::try_from(self.inputs.folders.len()).map_err(std::io::Error::other)?;
        self.inputs.folders.push(Folder {
            shown: shown_path(&dir),
            path: dir.clone(),
            handle,
        });
        for (_, name, ty) in entries {
            if ty.is_dir() {
                let vcs = name.to_str().is_some_and(|n| VCS_FOLDERS.contains(&n));
                if !vcs && !self.ignored(&name, true) {
                    let below = dir.join(&name);
                    if let Err(e) = self.folder(below.clone(), abs.join(&name)) {
                        self.errors.push(InputError {
                            path: below,
                            message: format!("cannot read folder: {}", io_message(&e)),
                        });
                    }
                }
                continue;
            }
            let name = PathBuf::from(name);
            if is_script_name(&name)
                && (ty.is_file() || dir.join(&name).is_file())
                && !self.ignored(name.as_os_str(), false)
            {
                self.inputs.scripts.push(Input {
                    folder: Some(index),
                    name,
                    regular: ty.is_file(),
                });
            }
        }
        self.rules.leave(mark);
        Ok(())
    }

    /// Whether the rules leave out the entry `name` of the folder being listed, counting it
    /// if so.
    /// Only folders and scripts are asked about: whether other files are left out does not
    /// matter.
    fn ignored(&mut self, name: &std::ffi::OsStr, is_dir: bool) -> bool {
        let ignored = self.rules.any() && self.rules.leaves_out(name, is_dir);
        self.inputs.ignored += usize::from(ignored);
        ignored
    }
}

/// The first sixteen bytes of a name as a big-endian number, zero-padded: two names compare
/// as their keys do whenever the keys differ (a name holds no NUL byte, so a shorter name's
/// padding sorts it before the longer names it begins).
fn sort_key(name: &std::ffi::OsStr) -> u128 {
    let bytes = name.as_encoded_bytes();
    let mut key = [0u8; 16];
    let n = bytes.len().min(16);
    key[..n].copy_from_slice(&bytes[..n]);
    u128::from_be_bytes(key)
}

/// Reads a script, refusing what is clearly not one.
///
/// `O_NONBLOCK` keeps the open of a FIFO from waiting for a writer; it changes nothing for a
/// regular file.
pub fn read_script(path: &Path) -> Result<Vec<u8>, String> {
    let file = open_nonblocking(path).map_err(cannot_read)?;
    read_open(file, false)
}

/// The message for a script that could not be opened or read.
fn cannot_read(e: std::io::Error) -> String {
    format!("cannot read: {}", io_message(&e))
}

fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK)
        .open(path)
}

/// Scripts up to this size are read into a buffer each thread keeps; larger ones into a vector
/// of their own size.
const READ_BUFFER_LEN: usize = 1 << 16;

thread_local! {
    /// Where each thread reads files before copying them out at their exact size: a buffer
    /// sized per file (from a `stat` of it) cost a system call and a fresh allocation per
    /// script.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads an open file to its end. `regular`: the caller knows it is a regular file; otherwise
/// it is asked through its descriptor, so that a FIFO or a device is refused, not read.
fn read_open(mut file: std::fs::File, regular: bool) -> Result<Vec<u8>, String> {
    use std::io::Read;
    if !regular && !file.metadata().map_err(cannot_read)?.is_file() {
        return Err("not a regular file".to_string());
    }
    let bytes = READ_BUFFER.with_borrow_mut(|buf| -> Result<Vec<u8>, String> {
        if buf.is_empty() {
            buf.resize(READ_BUFFER_LEN, 0);
        }
        let mut len = 0;
        loop {
            if len == buf.len() {
                // A big file: the rest goes into a vector of its size, read the general way.
                let size = file.metadata().map_or(0, |m| m.len());
                let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).max(len));
                bytes.extend_from_slice(&buf[..len]);
                file.read_to_end(&mut bytes).map_err(cannot_read)?;
                return Ok(bytes);
            }
            // `read_to_end` on a `File` would ask for the size and the position first (two
            // more system calls per script); the read that returns 0 proves the end.
            match file.read(&mut buf[len..]) {
                Ok(0) => return Ok(buf[..len].to_vec()),
                Ok(n) => len += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(cannot_read(e)),
            }
        }
    })?;
    if looks_binary(&bytes) {
        return Err(BINARY.to_string());
    }
    Ok(bytes)
}

/// Why a file that [`looks_binary`] is not checked.
const BINARY: &str = "looks like a binary file (it contains NUL bytes), not a script";

/// A script is text: a NUL byte in its first 8 KiB means it is something else.
fn looks_binary(bytes: &[u8]) -> bool {
    // memchr's vector search: the slice `contains` went a byte at a time, about a byte's
    // worth of work per byte of every script read.
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

/// Replaces a script with its fixed bytes so that it is never seen half written: the bytes go
/// to a new file next to it, which then takes its name (`rename` replaces a name in one step).
/// Writing over the script in place would truncate it first, and a full disk, a kill or a
/// crash in between would leave the user's script empty or cut short.
///
/// The new file gets the script's permission bits and, where allowed, its owner and group. A
/// symbolic link stays a link: the file it points to is the one replaced. A script with more
/// than one hard link is written in place instead, since a new file would take only this
/// name and leave the others with the old bytes. The new file is not synced to the disk: a
/// power cut can lose the fixes, as it can lose any recent write, but the rename never
/// exposes a file with part of them.
pub fn write_fixed(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    // Only a link needs resolving; for anything else the path itself names the file.
    let mut meta = std::fs::symlink_metadata(path)?;
    let target = if meta.file_type().is_symlink() {
        let target = std::fs::canonicalize(path)?;
        meta = std::fs::metadata(&target)?;
        target
    } else {
        path.to_path_buf()
    };
    if meta.nlink() > 1 {
        return std::fs::write(&target, bytes);
    }
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return std::fs::write(&target, bytes);
    };
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".dialscript-{}.tmp", std::process::id()));
    let temp = dir.join(temp_name);
    // `create_new`: a file already there under the temporary name is someone else's, and is
    // neither written nor removed.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(meta.permissions().mode() & 0o7777)
        .open(&temp)?;
    let written = (|| -> std::io::Result<()> {
        // The owner first, since a change of owner clears the set-user-ID and set-group-ID
        // bits; taking it back needs privileges, so failing to is not an error. Then the
        // mode, which `open` narrowed by the umask.
        let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
        file.set_permissions(meta.permissions())?;
        file.write_all(bytes)?;
        std::fs::rename(&temp, &target)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// An I/O error as a short lowercase phrase without the "(os error N)" suffix.
pub fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let s = e.to_string();
            let s = s.split(" (os error").next().unwrap_or(&s).to_string();
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    /// A folder of its own under the system's temporary folder, removed when dropped.
    struct Scratch(PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn script_of(len: usize) -> Vec<u8> {
        let line = b"; a comment line of a script\r\n";
        line.iter().copied().cycle().take(len).collect()
    }

    #[test]
    fn sort_keys_order_names_as_the_names_do() {
        let names = [
            "",
            "a",
            "a.scp",
            "ab",
            "abc",
            "script-000009.scp",
            "script-000010.scp",
            "script-0000100.scp",
            "exactly-16-bytes",
            "exactly-16-bytes.",
            "exactly-16-bytez",
            "Z",
            "z",
            "\u{e9}t\u{e9}.scp",
            "\u{7f}",
        ];
        for a in names {
            for b in names {
                let (a, b) = (std::ffi::OsStr::new(a), std::ffi::OsStr::new(b));
                let (ka, kb) = (sort_key(a), sort_key(b));
                if ka != kb {
                    assert_eq!(ka.cmp(&kb), a.cmp(b), "{a:?} {b:?}");
                } else {
                    assert_eq!(a.len().min(16), b.len().min(16));
                }
            }
        }
    }

    #[test]
    fn a_folder_walk_reads_every_script_whole_in_sorted_order() {
        let dir = Scratch(
            std::env::temp_dir().join(format!("dialscript-files-walk-{}", std::process::id())),
        );
        let _ = std::fs::remove_dir_all(&dir.0);
        std::fs::create_dir_all(dir.0.join("sub")).expect("a temporary folder");
        // Sizes around the thread's read buffer: empty, small, exactly its size, one more,
        // and several times its size.
        let sizes = [
            ("a-empty.scp", 0),
            ("b-small.scp", 700),
            ("c-exact.scp", READ_BUFFER_LEN),
            ("d-over.scp", READ_BUFFER_LEN + 1),
            ("e-big.scp", 5 * READ_BUFFER_LEN + 17),
        ];
        for (name, len) in sizes {
            std::fs::write(dir.0.join(name), script_of(len)).expect("a script is written");
        }
        std::fs::write(dir.0.join("sub").join("Z.SCP"), b"proc main\nendproc\n")
            .expect("a script is written");
        std::fs::write(dir.0.join("notes.txt"), b"not a script").expect("a file is written");
        std::os::unix::fs::symlink(dir.0.join("b-small.scp"), dir.0.join("f-link.scp"))
            .expect("a symbolic link is made");
        let fifo = nix::unistd::mkfifo(
            &dir.0.join("g-pipe.scp"),
            nix::sys::stat::Mode::from_bits_truncate(0o600),
        );
        assert!(fifo.is_ok(), "a FIFO is made: {fifo:?}");

        let (inputs, errors) = collect(std::slice::from_ref(&dir.0), &LeaveOut::default());
        assert!(errors.is_empty(), "{errors:?}");
        let paths: Vec<PathBuf> = inputs.scripts.iter().map(|i| inputs.path(i)).collect();
        let mut expected: Vec<PathBuf> = sizes.iter().map(|(n, _)| dir.0.join(n)).collect();
        expected.push(dir.0.join("f-link.scp"));
        expected.push(dir.0.join("sub").join("Z.SCP"));
        assert_eq!(
            paths, expected,
            "the FIFO and the text file are not scripts"
        );
        for (input, path) in inputs.scripts.iter().zip(&paths) {
            assert_eq!(inputs.shown_path(input), shown_path(path));
        }
        for (input, path) in inputs.scripts.iter().zip(&paths) {
            let read = inputs.read(input).expect("a script is read");
            let direct = std::fs::read(path).expect("std reads it");
            assert_eq!(read.len(), direct.len(), "{}", path.display());
            assert!(read == direct, "{} differs", path.display());
            assert_eq!(read_script(path).as_deref(), Ok(&direct[..]));
        }
        // Given directly, a FIFO is opened without blocking and refused.
        let pipe = read_script(&dir.0.join("g-pipe.scp"));
        assert_eq!(pipe, Err("not a regular file".to_string()));
        // A folder given with a trailing separator, and a name that is not UTF-8: shown as the
        // joined path is.
        let odd = std::ffi::OsStr::from_bytes(b"h-\xff\xfe.scp");
        std::fs::write(dir.0.join("sub").join(odd), b"").expect("a script is written");
        let mut slash = dir.0.join("sub").into_os_string();
        slash.push("/");
        let (inputs, _) = collect(&[PathBuf::from(slash)], &LeaveOut::default());
        assert_eq!(inputs.scripts.len(), 2);
        for input in &inputs.scripts {
            assert_eq!(inputs.shown_path(input), shown_path(&inputs.path(input)));
        }
    }
}
