//! The receive buffer and the searches `waitfor` and `getip` make in it (spec §4).
//!
//! Everything received since the script started and not yet consumed is kept, so a prompt
//! that arrived while the previous `transmit` went out still counts. A match consumes the
//! buffer through its end. The buffer is bounded: past its limit the oldest bytes are
//! dropped, keeping at least as many as the longest pattern in play could still need.

/// Unconsumed received bytes.
#[derive(Debug, Clone, Default)]
pub struct RxBuffer {
    data: Vec<u8>,
    /// Bytes at the front of `data` that are consumed; compacted lazily.
    start: usize,
    limit: usize,
}

impl RxBuffer {
    /// An empty buffer holding at most `limit` unconsumed bytes.
    pub fn new(limit: usize) -> Self {
        RxBuffer {
            data: Vec::new(),
            start: 0,
            limit: limit.max(1),
        }
    }

    /// The unconsumed bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.data[self.start..]
    }

    /// Appends received bytes; returns how many old bytes were dropped to stay in the limit
    /// (never more than leaves `keep` of the newest bytes before the new ones).
    pub fn push(&mut self, bytes: &[u8], keep: usize) -> usize {
        self.data.extend_from_slice(bytes);
        let len = self.data.len() - self.start;
        let mut dropped = 0;
        if len > self.limit {
            let excess = len - self.limit;
            // Never drop what a pattern being matched could still need.
            let keepable = len.saturating_sub(keep.min(len));
            dropped = excess.min(keepable);
            self.start += dropped;
        }
        if self.start > 4096 && self.start * 2 > self.data.len() {
            self.data.drain(..self.start);
            self.start = 0;
            // A flood once fed in one piece must not keep its memory for the rest of the run.
            if self.data.capacity() > 4 * self.limit {
                self.data.shrink_to(2 * self.limit);
            }
        }
        dropped
    }

    /// Consumes the first `n` unconsumed bytes.
    pub fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.data.len());
    }
}

/// A pattern being waited for.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// Translated bytes.
    pub bytes: Vec<u8>,
    /// Case-sensitive.
    pub matchcase: bool,
}

fn eq_at(hay: &[u8], at: usize, p: &Pattern) -> bool {
    let w = &hay[at..at + p.bytes.len()];
    if p.matchcase {
        w == p.bytes.as_slice()
    } else {
        w.eq_ignore_ascii_case(&p.bytes)
    }
}

/// The match that ends earliest, ties going to the earlier pattern, among matches that end
/// after `scanned` (earlier ends were looked at before). Returns (pattern index, end).
pub fn earliest_match(hay: &[u8], patterns: &[Pattern], scanned: usize) -> Option<(usize, usize)> {
    // An empty string is there at once, before any other can end.
    if let Some(k) = patterns.iter().position(|p| p.bytes.is_empty()) {
        return Some((k, 0));
    }
    let mut best: Option<(usize, usize)> = None;
    for (k, p) in patterns.iter().enumerate() {
        let len = p.bytes.len();
        if len > hay.len() {
            continue;
        }
        let first_end = (scanned + 1).max(len);
        let last_end = best.map_or(hay.len(), |(_, e)| (e - 1).min(hay.len()));
        let first = p.bytes[0];
        let mut end = first_end;
        while end <= last_end {
            let at = end - len;
            let c = hay[at];
            let hit = if p.matchcase {
                c == first
            } else {
                c.eq_ignore_ascii_case(&first)
            };
            if hit && eq_at(hay, at, p) {
                best = Some((k, end));
                break;
            }
            end += 1;
        }
    }
    best
}

/// The `n`-th complete dotted quad (`d{1,3}.d{1,3}.d{1,3}.d{1,3}` followed by a byte that is
/// not a digit, and if it is a dot, by a byte after it that is not a digit either) in `hay`,
/// 1-based. Returns the address and the offset just past
/// it.
pub fn nth_address(hay: &[u8], n: u32) -> Option<(Vec<u8>, usize)> {
    let mut count = 0;
    let mut i = 0;
    while i < hay.len() {
        let boundary = i == 0 || !(hay[i - 1].is_ascii_digit() || hay[i - 1] == b'.');
        if boundary
            && hay[i].is_ascii_digit()
            && let Some(end) = quad_at(hay, i)
        {
            count += 1;
            if count == n {
                return Some((hay[i..end].to_vec(), end));
            }
            i = end;
            continue;
        }
        i += 1;
    }
    None
}

/// The end of a complete dotted quad starting at `i`, if one does.
fn quad_at(hay: &[u8], i: usize) -> Option<usize> {
    let mut at = i;
    for part in 0..4 {
        let digits = hay[at..]
            .iter()
            .take(4)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || digits > 3 {
            return None;
        }
        at += digits;
        if part < 3 {
            if hay.get(at) != Some(&b'.') {
                return None;
            }
            at += 1;
        }
    }
    // Complete only when something that cannot continue it follows. A dot followed by a
    // non-digit is the end of a sentence ("Your address is 10.0.0.2."), not a fifth part.
    match hay.get(at) {
        Some(b'.') => match hay.get(at + 1) {
            Some(b) if !b.is_ascii_digit() => Some(at),
            _ => None,
        },
        Some(b) if !b.is_ascii_digit() => Some(at),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pats(list: &[(&str, bool)]) -> Vec<Pattern> {
        list.iter()
            .map(|(s, m)| Pattern {
                bytes: s.as_bytes().to_vec(),
                matchcase: *m,
            })
            .collect()
    }

    #[test]
    fn earliest_end_wins_then_order() {
        let p = pats(&[("word:", false), ("ogin:", false)]);
        assert_eq!(earliest_match(b"login: password:", &p, 0), Some((1, 6)));
        // Both end at the same byte: the first listed wins.
        let p = pats(&[("in:", false), ("login:", false)]);
        assert_eq!(earliest_match(b"xlogin:", &p, 0), Some((0, 7)));
        // Case.
        let p = pats(&[("LOGIN", true)]);
        assert_eq!(earliest_match(b"login LOGIN", &p, 0), Some((0, 11)));
        let p = pats(&[("LOGIN", false)]);
        assert_eq!(earliest_match(b"login LOGIN", &p, 0), Some((0, 5)));
        // Already scanned bytes are not searched again, but a match may straddle them.
        let p = pats(&[("abc", false)]);
        assert_eq!(earliest_match(b"xxabc", &p, 4), Some((0, 5)));
        assert_eq!(earliest_match(b"abcxx", &p, 4), None);
    }

    #[test]
    fn addresses() {
        assert_eq!(
            nth_address(b"Your address is 10.0.0.2.\r\n", 1).map(|a| a.0),
            Some(b"10.0.0.2".to_vec())
        );
        assert_eq!(nth_address(b"Your address is 10.0.0.2.", 1), None);
        assert_eq!(
            nth_address(b"Your address is 10.0.0.2 \r\n", 1),
            Some((b"10.0.0.2".to_vec(), 24))
        );
        let text = b"server 192.168.1.1, you 192.168.1.77\r\n";
        assert_eq!(
            nth_address(text, 2).map(|a| a.0),
            Some(b"192.168.1.77".to_vec())
        );
        assert_eq!(nth_address(text, 3), None);
        // Incomplete until a terminator arrives.
        assert_eq!(nth_address(b"10.0.0.2", 1), None);
        assert_eq!(nth_address(b"1.2.3.4.5 ", 1), None);
        assert_eq!(nth_address(b"1234.1.1.1 ", 1), None);
    }

    #[test]
    fn bounded() {
        let mut b = RxBuffer::new(8);
        assert_eq!(b.push(b"0123456789", 0), 2);
        assert_eq!(b.bytes(), b"23456789");
        // A long pattern in play keeps more.
        let mut b = RxBuffer::new(4);
        assert_eq!(b.push(b"0123456789", 8), 2);
        assert_eq!(b.bytes(), b"23456789");
        b.consume(3);
        assert_eq!(b.bytes(), b"56789");
    }
}
