//! Masking secrets in everything the VM reports.
//!
//! A password must never appear in a transcript, a log or JSON: not in what the script sends,
//! and not in what the remote sends back (its echo of the password). Sent bytes are masked
//! whole. Received bytes arrive in arbitrary pieces, so the masker holds back the last few
//! bytes of each piece that could be the start of a secret, and releases them once the next
//! piece shows they are not.

/// What a secret is replaced with. Fixed, so that its length tells nothing.
pub const MASK: &[u8] = b"********";

/// Replaces every occurrence of any secret in `bytes` with [`MASK`].
pub fn mask(bytes: &[u8], secrets: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    'outer: while i < bytes.len() {
        for s in secrets {
            if !s.is_empty() && bytes[i..].starts_with(s) {
                out.extend_from_slice(MASK);
                i += s.len();
                continue 'outer;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// A streaming masker for received bytes.
#[derive(Debug, Clone, Default)]
pub struct StreamMask {
    secrets: Vec<Vec<u8>>,
    held: Vec<u8>,
}

impl StreamMask {
    /// A masker for `secrets` (empty ones are ignored).
    pub fn new(secrets: Vec<Vec<u8>>) -> Self {
        StreamMask {
            secrets: secrets.into_iter().filter(|s| !s.is_empty()).collect(),
            held: Vec::new(),
        }
    }

    /// Takes the next received piece; returns what can be shown now.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<u8> {
        if self.secrets.is_empty() {
            return bytes.to_vec();
        }
        self.held.extend_from_slice(bytes);
        let masked = mask(&self.held, &self.secrets);
        // Hold back the longest tail that is a proper prefix of some secret.
        let hold = self
            .secrets
            .iter()
            .map(|s| {
                (1..s.len())
                    .rev()
                    .find(|&k| masked.len() >= k && masked.ends_with(&s[..k]))
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0);
        let cut = masked.len() - hold;
        self.held = masked[cut..].to_vec();
        masked[..cut].to_vec()
    }

    /// Releases what is held back (at the end of a run).
    pub fn flush(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_and_split() {
        let secrets = vec![b"s3cret".to_vec()];
        assert_eq!(mask(b"pw s3cret!", &secrets), b"pw ********!".to_vec());
        let mut m = StreamMask::new(secrets);
        let mut shown = m.push(b"echo s3");
        shown.extend(m.push(b"cr"));
        shown.extend(m.push(b"et done s"));
        shown.extend(m.flush());
        assert_eq!(shown, b"echo ******** done s".to_vec());
    }

    #[test]
    fn nothing_to_mask() {
        let mut m = StreamMask::new(vec![Vec::new()]);
        assert_eq!(m.push(b"abc"), b"abc".to_vec());
        assert_eq!(m.flush(), Vec::<u8>::new());
    }
}
