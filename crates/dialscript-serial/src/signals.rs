//! SIGINT, SIGTERM and SIGHUP, turned into a flag the driver checks between reads. The driver
//! then cancels the VM and takes the same clean-up path as any other end: hang up, close the
//! port, remove the lock.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// Which signal arrived, if any.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    seen: Arc<AtomicUsize>,
}

impl Signals {
    /// Catches SIGINT, SIGTERM and SIGHUP for the rest of the process's life.
    pub fn install() -> io::Result<Signals> {
        let s = Signals::default();
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal_hook::flag::register_usize(sig, Arc::clone(&s.seen), sig as usize)?;
        }
        Ok(s)
    }

    /// A flag nothing sets (for embedding, where the host handles signals).
    pub fn none() -> Signals {
        Signals::default()
    }

    /// The signal that arrived, if one did.
    pub fn received(&self) -> Option<i32> {
        match self.seen.load(Ordering::SeqCst) {
            0 => None,
            n => Some(n as i32),
        }
    }

    /// Marks a signal as received (tests, and hosts that forward their own).
    pub fn raise(&self, signal: i32) {
        self.seen.store(signal as usize, Ordering::SeqCst);
    }
}
