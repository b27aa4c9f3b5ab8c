//! Child processes for the benchmarks: found on `PATH`, timed with their CPU use, bounded by a
//! timeout, and killed when their owner is dropped, so that no benchmark leaves a process
//! behind or waits for ever on one that hangs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// The first executable file called `name` in a folder of `PATH`.
pub fn find_program(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// A program's `--version` (or whatever `args` ask), first line, for the report.
pub fn version_line(program: &Path, args: &[&str]) -> Option<String> {
    let mut cmd = Command::new(program);
    cmd.args(args).stdin(Stdio::null());
    let out = output(cmd, Duration::from_secs(10)).ok()?;
    let text = if out.stdout.trim_ascii().is_empty() {
        out.stderr
    } else {
        out.stdout
    };
    let line = String::from_utf8_lossy(&text)
        .lines()
        .next()?
        .trim()
        .to_string();
    (!line.is_empty()).then_some(line)
}

/// A finished, timed run.
#[derive(Debug, Clone)]
pub struct Timed {
    /// From just before the process was started to just after it was reaped.
    pub wall: Duration,
    /// User and system CPU time of the process and the children it waited for.
    pub cpu: Duration,
    /// How it ended.
    pub status: ExitStatus,
}

/// Kills a process (by its ID) unless told within `timeout` that it ended. The thread is
/// started before the process, so that starting it is not part of a timed run.
struct Watchdog {
    pid: mpsc::Sender<Option<i32>>,
    done: mpsc::Sender<()>,
    thread: std::thread::JoinHandle<bool>,
}

impl Watchdog {
    fn new(timeout: Duration) -> Watchdog {
        let (pid_tx, pid_rx) = mpsc::channel::<Option<i32>>();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let Ok(Some(pid)) = pid_rx.recv() else {
                return false;
            };
            match done_rx.recv_timeout(timeout) {
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                    true
                }
                _ => false,
            }
        });
        Watchdog {
            pid: pid_tx,
            done: done_tx,
            thread,
        }
    }

    fn watch(&self, pid: Option<i32>) {
        let _ = self.pid.send(pid);
    }

    /// Stops watching; returns whether the process had to be killed.
    fn stop(self) -> bool {
        let _ = self.done.send(());
        drop(self.pid);
        self.thread.join().unwrap_or(false)
    }
}

/// User plus system CPU time of `who` (this process, or the children it has reaped); zero
/// when it cannot be read.
pub fn cpu_time(who: UsageWho) -> Duration {
    let tv = |t: nix::sys::time::TimeVal| {
        Duration::new(t.tv_sec().max(0) as u64, (t.tv_usec().max(0) as u32) * 1000)
    };
    getrusage(who).map_or(Duration::ZERO, |u| tv(u.user_time()) + tv(u.system_time()))
}

fn children_cpu() -> Duration {
    cpu_time(UsageWho::RUSAGE_CHILDREN)
}

/// Runs `cmd` to its end and times it. Standard streams are whatever `cmd` says (set them to
/// null or files: a pipe nobody reads could block the child). Fails when it cannot start or
/// runs past `timeout`, in which case it is killed. The CPU time is that of all children
/// reaped meanwhile, so run one timed child at a time.
pub fn run_timed(mut cmd: Command, timeout: Duration) -> Result<Timed, String> {
    let name = program_name(&cmd);
    let watchdog = Watchdog::new(timeout);
    let cpu_before = children_cpu();
    let started = Instant::now();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            watchdog.watch(None);
            watchdog.stop();
            return Err(format!("cannot start {name}: {e}"));
        }
    };
    watchdog.watch(Some(child.id() as i32));
    let status = child.wait();
    let wall = started.elapsed();
    let cpu = children_cpu().saturating_sub(cpu_before);
    let killed = watchdog.stop();
    let status = status.map_err(|e| format!("waiting for {name}: {e}"))?;
    if killed {
        return Err(format!(
            "{name} ran longer than {} s and was killed",
            timeout.as_secs()
        ));
    }
    Ok(Timed { wall, cpu, status })
}

/// What a finished process wrote.
#[derive(Debug, Clone)]
pub struct Output {
    /// Its exit status.
    pub status: ExitStatus,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
}

/// Runs `cmd` to its end and collects its output, killing it after `timeout`.
pub fn output(mut cmd: Command, timeout: Duration) -> Result<Output, String> {
    let name = program_name(&cmd);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let watchdog = Watchdog::new(timeout);
    let child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            watchdog.watch(None);
            watchdog.stop();
            return Err(format!("cannot start {name}: {e}"));
        }
    };
    watchdog.watch(Some(child.id() as i32));
    let out = child.wait_with_output();
    let killed = watchdog.stop();
    let out = out.map_err(|e| format!("waiting for {name}: {e}"))?;
    if killed {
        return Err(format!(
            "{name} ran longer than {} s and was killed",
            timeout.as_secs()
        ));
    }
    Ok(Output {
        status: out.status,
        stdout: out.stdout,
        stderr: out.stderr,
    })
}

fn program_name(cmd: &Command) -> String {
    Path::new(cmd.get_program()).file_name().map_or_else(
        || "a program".to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A running child that is killed and reaped when dropped, unless it was waited for.
#[derive(Debug)]
pub struct Running {
    child: Option<Child>,
    name: String,
}

impl Running {
    /// Starts `cmd`.
    pub fn spawn(mut cmd: Command) -> Result<Running, String> {
        let name = program_name(&cmd);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        Ok(Running {
            child: Some(child),
            name,
        })
    }

    /// The child, for its ID and pipes.
    pub fn child(&mut self) -> Option<&mut Child> {
        self.child.as_mut()
    }

    /// Waits up to `timeout` for the child to end; kills it if it does not. Returns its status
    /// when it ended by itself.
    pub fn finish(mut self, timeout: Duration) -> Result<ExitStatus, String> {
        let Some(mut child) = self.child.take() else {
            return Err(format!("{} was already reaped", self.name));
        };
        let deadline = Instant::now() + timeout;
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if Instant::now() < deadline => {
                    // Not a timed path: a few milliseconds of polling are fine here.
                    std::thread::sleep(Duration::from_millis(2));
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "{} did not end within {} s and was killed",
                        self.name,
                        timeout.as_secs()
                    ));
                }
                Err(e) => return Err(format!("waiting for {}: {e}", self.name)),
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A fresh temporary folder, removed with everything in it when dropped.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates a folder named after `tag` in the system's temporary folder.
    pub fn new(tag: &str) -> Result<TempDir, String> {
        let base = std::env::temp_dir();
        for n in 0..1000u32 {
            let path = base.join(format!("dialscript-bench-{tag}-{}-{n}", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(TempDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
            }
        }
        Err("cannot find a free temporary folder name".to_string())
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `bytes` to `name` in the folder; returns the file's path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> Result<PathBuf, String> {
        let p = self.path.join(name);
        std::fs::write(&p, bytes).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
        Ok(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timed_run_reports_its_status_and_a_hanging_one_is_killed() {
        let Some(sh) = find_program("sh") else {
            return;
        };
        let mut ok = Command::new(&sh);
        ok.args(["-c", "exit 3"]);
        let t = run_timed(ok, Duration::from_secs(10)).expect("sh runs");
        assert_eq!(t.status.code(), Some(3));
        let mut hang = Command::new(&sh);
        hang.args(["-c", "exec sleep 30"]);
        let started = Instant::now();
        let e = run_timed(hang, Duration::from_millis(100)).expect_err("killed");
        assert!(e.contains("killed"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn temp_dirs_are_removed() {
        let d = TempDir::new("test").expect("temp dir");
        let f = d.write("a.txt", "x").expect("write");
        assert!(f.exists());
        let p = d.path().to_path_buf();
        drop(d);
        assert!(!p.exists());
    }
}
