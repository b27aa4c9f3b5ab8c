//! Placeholder; see the suite's owner.
