//! Finding and reading the scripts a command was given.

use std::path::{Path, PathBuf};

/// A problem with an input path: it is reported and the command exits 2, after checking the
/// inputs that were fine.
#[derive(Debug)]
pub struct InputError {
    /// The path as given.
    pub path: PathBuf,
    /// What is wrong, as a sentence fragment.
    pub message: String,
}

/// Whether a file name ends in `.scp`, in any case.
pub fn is_script_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("scp"))
}

/// Expands the given paths: a file stands for itself (whatever its name), a folder for every
/// `*.scp` file below it, in sorted order so that output is stable.
pub fn collect(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                let before = files.len();
                if let Err(e) = walk(path, &mut files) {
                    errors.push(InputError {
                        path: path.clone(),
                        message: format!("cannot read folder: {}", io_message(&e)),
                    });
                } else if files.len() == before {
                    errors.push(InputError {
                        path: path.clone(),
                        message: "folder contains no `.scp` scripts".to_string(),
                    });
                }
            }
            Ok(_) => files.push(path.clone()),
            Err(e) => errors.push(InputError {
                path: path.clone(),
                message: format!("cannot read: {}", io_message(&e)),
            }),
        }
    }
    (files, errors)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    // Each name is fetched once: sorting by `DirEntry::file_name` made a copy of both names
    // at every comparison, tens of thousands of allocations for a big folder, all before
    // the first script could be checked.
    let mut entries = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| (e.file_name(), e)))
        .collect::<Result<Vec<_>, _>>()?;
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (_, entry) in entries {
        let path = entry.path();
        let ty = entry.file_type()?;
        if ty.is_dir() {
            // A folder that cannot be read deep inside the tree should not hide the rest.
            let _ = walk(&path, out);
        } else if is_script_name(&path) && (ty.is_file() || path.is_file()) {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads a script, refusing what is clearly not one.
///
/// The file is opened once and asked what it is through its descriptor: asking the path
/// first and then reading (as `std::fs::read` does, which asks again) cost two lookups of
/// the path per script, a tenth of the time of checking a folder of small scripts.
/// `O_NONBLOCK` keeps the open of a FIFO from waiting for a writer; it changes nothing for a
/// regular file.
pub fn read_script(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let cannot = |e: std::io::Error| format!("cannot read: {}", io_message(&e));
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK)
        .open(path)
        .map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    // Read into a buffer one byte larger than the size: a file that has not grown meanwhile
    // fills it short of the end, and the read that returns 0 proves the end. `read_to_end`
    // on a `File` asks for the size and the position again first (two more system calls).
    let mut bytes = vec![0u8; usize::try_from(meta.len()).unwrap_or(0).saturating_add(1)];
    let mut len = 0;
    loop {
        match file.read(&mut bytes[len..]) {
            Ok(0) => break,
            Ok(n) => {
                len += n;
                if len == bytes.len() {
                    // It grew since it was asked its size: read the rest the general way.
                    file.read_to_end(&mut bytes).map_err(cannot)?;
                    len = bytes.len();
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(cannot(e)),
        }
    }
    bytes.truncate(len);
    if looks_binary(&bytes) {
        return Err("looks like a binary file (it contains NUL bytes), not a script".to_string());
    }
    Ok(bytes)
}

/// A script is text: a NUL byte in its first 8 KiB means it is something else.
fn looks_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
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
