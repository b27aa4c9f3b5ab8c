//! The wire between the caller and the peer: bytes take the time their baud rate gives them,
//! one direction at a time, and a byte sent in one framing is read in the receiver's.

use std::collections::VecDeque;
use std::time::Duration;

use crate::profile::Framing;

/// Bits on the wire for one byte: start, data, parity, one stop bit.
pub fn frame_bits(f: Framing) -> u32 {
    1 + u32::from(f.data_bits) + u32::from(f.parity != b'N') + 1
}

/// What a receiver using `rx` reads when a sender using `tx` sends `byte`. The bits after the
/// start bit are the data bits (least significant first), the parity bit, then stop bits
/// (ones); the receiver takes as many as its own data bits. With equal settings the byte
/// arrives unchanged (masked to the data bits).
pub fn reframe(byte: u8, tx: Framing, rx: Framing) -> u8 {
    let n = u32::from(tx.data_bits);
    let data = u32::from(byte) & ((1 << n) - 1);
    let ones = data.count_ones();
    let (bits, len) = match tx.parity {
        b'E' => (data | ((ones % 2) << n), n + 1),
        b'O' => (data | ((1 - ones % 2) << n), n + 1),
        b'M' => (data | (1 << n), n + 1),
        b'S' => (data, n + 1),
        _ => (data, n),
    };
    // Stop bits are ones.
    let seq = bits | (0xFFFF << len);
    (seq & ((1 << rx.data_bits) - 1)) as u8
}

/// One direction of the line.
#[derive(Debug, Default, Clone)]
pub struct Wire {
    /// Bytes on their way, with their arrival times.
    queue: VecDeque<(Duration, u8)>,
    /// When the sender's last byte is fully on the wire.
    free_at: Duration,
}

impl Wire {
    /// Sends `bytes` starting at `now` at `baud` in framing `tx`; the receiver reads them in
    /// framing `rx`.
    pub fn send(&mut self, now: Duration, bytes: &[u8], baud: u32, tx: Framing, rx: Framing) {
        let per_byte = Duration::from_nanos(
            u64::from(frame_bits(tx)) * 1_000_000_000 / u64::from(baud.max(1)),
        );
        let mut t = self.free_at.max(now);
        for &b in bytes {
            t += per_byte;
            self.queue.push_back((t, reframe(b, tx, rx)));
        }
        self.free_at = t;
    }

    /// When the next byte arrives.
    pub fn next_arrival(&self) -> Option<Duration> {
        self.queue.front().map(|(t, _)| *t)
    }

    /// When at most `capacity` bytes will still be on their way (`None`: already so).
    pub fn room_at(&self, capacity: usize) -> Option<Duration> {
        let len = self.queue.len();
        (len > capacity).then(|| self.queue[len - capacity - 1].0)
    }

    /// Takes every byte that has arrived by `now`.
    pub fn arrived(&mut self, now: Duration) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(&(t, b)) = self.queue.front() {
            if t > now {
                break;
            }
            out.push(b);
            self.queue.pop_front();
        }
        out
    }

    /// Takes every byte that has arrived by `now`, with its arrival time.
    pub fn arrived_timed(&mut self, now: Duration) -> Vec<(Duration, u8)> {
        let mut out = Vec::new();
        while let Some(&(t, b)) = self.queue.front() {
            if t > now {
                break;
            }
            out.push((t, b));
            self.queue.pop_front();
        }
        out
    }

    /// Drops everything in flight (the carrier is gone).
    pub fn clear(&mut self) {
        self.queue.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const N8: Framing = Framing {
        data_bits: 8,
        parity: b'N',
    };
    const E7: Framing = Framing {
        data_bits: 7,
        parity: b'E',
    };

    #[test]
    fn same_framing_is_transparent() {
        for b in 0..=255u8 {
            assert_eq!(reframe(b, N8, N8), b);
            assert_eq!(reframe(b, E7, E7), b & 0x7F);
        }
    }

    #[test]
    fn seven_even_read_as_eight_none_sets_the_parity_bit() {
        // 'H' = 0x48 has two ones: even parity bit 0. 'C' = 0x43 has three: parity bit 1.
        assert_eq!(reframe(b'H', E7, N8), b'H');
        assert_eq!(reframe(b'C', E7, N8), b'C' | 0x80);
        // The other way round the eighth bit is lost.
        assert_eq!(reframe(0xC3, N8, E7), 0x43);
    }

    #[test]
    fn pacing() {
        let mut w = Wire::default();
        w.send(Duration::ZERO, b"ab", 300, N8, N8);
        // 10 bits at 300 baud is 33.3 ms per byte.
        assert_eq!(w.next_arrival(), Some(Duration::from_nanos(33_333_333)));
        assert_eq!(w.arrived(Duration::from_millis(50)), b"a".to_vec());
        assert_eq!(w.arrived(Duration::from_millis(70)), b"b".to_vec());
    }
}
