//! UUCP lock files, as pppd, minicom, cu and Kermit use them.
//!
//! `LCK..ttyS0` in the lock folder holds the owner's PID in HDB format: ten ASCII columns,
//! right-aligned, and a newline. It is created atomically (written under a temporary name,
//! then hard-linked into place). A lock whose process is gone, or is a zombie, is stale and
//! is taken over; a live one is an error that names its PID. The lock is named after the
//! canonical device, so two symlinks to one port share it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::signal::kill;
use nix::unistd::Pid;

/// The usual lock folder.
pub const DEFAULT_LOCK_DIR: &str = "/var/lock";

/// Why a lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another live process holds the port.
    InUse {
        /// The lock file.
        path: PathBuf,
        /// Its owner.
        pid: i32,
    },
    /// The lock folder or file could not be used.
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::InUse { path, pid } => {
                write!(f, "in use by PID {pid} (lock file {})", path.display())
            }
            LockError::Io(path, e) => write!(f, "cannot lock {}: {e}", path.display()),
        }
    }
}

impl std::error::Error for LockError {}

/// A held lock; dropping it removes the file (if it is still ours).
#[derive(Debug)]
pub struct UucpLock {
    path: PathBuf,
    pid: i32,
}

/// The lock file's name for a device: `LCK..` and the base name of its canonical path.
pub fn lock_name(device: &Path) -> String {
    let canonical = fs::canonicalize(device).unwrap_or_else(|_| device.to_path_buf());
    let base = canonical
        .file_name()
        .map_or_else(|| "tty".to_string(), |n| n.to_string_lossy().into_owned());
    format!("LCK..{base}")
}

/// Whether a process exists and is not a zombie.
pub fn alive(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    match kill(Pid::from_raw(pid), None) {
        Ok(()) | Err(Errno::EPERM) => {}
        Err(_) => return false,
    }
    // A zombie still answers kill(pid, 0); its state in /proc says it is dead.
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                != Some("Z")
        }
        Err(_) => true,
    }
}

/// Reads the PID of a lock file: HDB ASCII, or the old four-byte binary form.
fn read_pid(path: &Path) -> io::Result<Option<i32>> {
    let bytes = fs::read(path)?;
    if let Ok(text) = std::str::from_utf8(&bytes)
        && let Ok(pid) = text.trim().parse::<i32>()
    {
        return Ok(Some(pid));
    }
    if bytes.len() == 4 {
        return Ok(Some(i32::from_ne_bytes([
            bytes[0], bytes[1], bytes[2], bytes[3],
        ])));
    }
    Ok(None)
}

impl UucpLock {
    /// Locks `device` in `lock_dir` for this process.
    pub fn acquire(device: &Path, lock_dir: &Path) -> Result<UucpLock, LockError> {
        let pid = std::process::id() as i32;
        let name = lock_name(device);
        let path = lock_dir.join(&name);
        let tmp = lock_dir.join(format!(".{name}.{pid}.tmp"));
        fs::write(&tmp, format!("{pid:>10}\n")).map_err(|e| LockError::Io(tmp.clone(), e))?;
        let result = Self::link(&tmp, &path, pid);
        let _ = fs::remove_file(&tmp);
        result
    }

    fn link(tmp: &Path, path: &Path, pid: i32) -> Result<UucpLock, LockError> {
        // Two rounds: the second after removing a stale lock. Losing a race to another
        // process taking the stale lock at the same moment ends as "in use", which is right.
        for _ in 0..2 {
            match fs::hard_link(tmp, path) {
                Ok(()) => {
                    return Ok(UucpLock {
                        path: path.to_path_buf(),
                        pid,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(LockError::Io(path.to_path_buf(), e)),
            }
            match read_pid(path) {
                // Another part of this same process holds it (two connections configured on one
                // port): refuse, or the first to let go would remove the other's lock.
                Ok(Some(owner)) if owner == pid => {
                    return Err(LockError::InUse {
                        path: path.to_path_buf(),
                        pid: owner,
                    });
                }
                Ok(Some(owner)) if alive(owner) => {
                    return Err(LockError::InUse {
                        path: path.to_path_buf(),
                        pid: owner,
                    });
                }
                // Dead owner, zombie, or a file nobody could have written: stale.
                Ok(_) => {
                    let _ = fs::remove_file(path);
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(LockError::Io(path.to_path_buf(), e)),
            }
        }
        match read_pid(path) {
            Ok(Some(owner)) => Err(LockError::InUse {
                path: path.to_path_buf(),
                pid: owner,
            }),
            _ => Err(LockError::Io(
                path.to_path_buf(),
                io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "the lock file keeps coming back",
                ),
            )),
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for UucpLock {
    fn drop(&mut self) {
        // Remove it only while it is still ours: never delete a lock another process took.
        if read_pid(&self.path).ok().flatten() == Some(self.pid) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("dialscript-lock-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).expect("temp dir");
        d
    }

    #[test]
    fn hdb_format_and_release() {
        let dir = temp_dir("hdb");
        let dev = dir.join("ttyX");
        fs::write(&dev, b"").expect("device stand-in");
        let lock = UucpLock::acquire(&dev, &dir).expect("lock");
        let text = fs::read_to_string(lock.path()).expect("lock file");
        assert_eq!(text.len(), 11);
        assert_eq!(text.trim().parse::<u32>().ok(), Some(std::process::id()));
        let path = lock.path().to_path_buf();
        drop(lock);
        assert!(!path.exists());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_second_holder_in_the_same_process_is_refused() {
        let dir = temp_dir("twice");
        let dev = dir.join("ttyZ");
        fs::write(&dev, b"").expect("device stand-in");
        let first = UucpLock::acquire(&dev, &dir).expect("lock");
        assert!(matches!(
            UucpLock::acquire(&dev, &dir),
            Err(LockError::InUse { .. })
        ));
        // The refused attempt must not have taken the first holder's lock away.
        assert!(first.path().exists());
        drop(first);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn stale_is_reclaimed_live_is_refused() {
        let dir = temp_dir("stale");
        let dev = dir.join("ttyY");
        fs::write(&dev, b"").expect("device stand-in");
        let path = dir.join(lock_name(&dev));
        // A PID far above pid_max belongs to no process.
        fs::write(&path, format!("{:>10}\n", 99_999_999)).expect("stale lock");
        let lock = UucpLock::acquire(&dev, &dir).expect("stale lock reclaimed");
        drop(lock);
        // PID 1 is always alive.
        fs::write(&path, format!("{:>10}\n", 1)).expect("live lock");
        match UucpLock::acquire(&dev, &dir) {
            Err(LockError::InUse { pid, .. }) => assert_eq!(pid, 1),
            other => panic!("expected in use, got {other:?}"),
        }
        assert!(path.exists(), "a live lock must never be removed");
        let _ = fs::remove_dir_all(&dir);
    }
}
