//! [`Name`]: the text of a variable, label or procedure name.
//!
//! The lexer makes names of `[A-Za-z_][A-Za-z0-9_]*` only, so the parser has ASCII bytes in
//! hand for every name. A `str`-based string type would check those bytes for UTF-8 once
//! more, which cost about 90 instructions per name, more than the rest of making the name;
//! this type takes ASCII bytes as they are. Short names (all real ones) are held inline.

use std::fmt;
use std::hash::{Hash, Hasher};

/// The longest name held inline; longer ones get a heap allocation of their own.
const INLINE: usize = 22;

/// For a name of each length up to [`INLINE`], the masks of the three words that hold it:
/// all ones over its bytes, zero after them.
const KEEP: [[u64; 3]; INLINE + 1] = {
    let mut table = [[0u64; 3]; INLINE + 1];
    let mut len = 0;
    while len <= INLINE {
        let mut k = 0;
        while k < 3 {
            let n = len.saturating_sub(8 * k);
            table[len][k] = if n >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * n)) - 1
            };
            k += 1;
        }
        len += 1;
    }
    table
};

/// The text of a name, held inline up to 22 bytes. It compares, hashes and orders as the
/// `str` it holds; [`Name::as_str`] gives that `str`.
#[derive(Clone, PartialEq, Eq)]
pub struct Name(Repr);

/// Which variant holds a name depends only on its length, so that the derived equality,
/// which compares variants, is equality of the text.
#[derive(Clone, PartialEq, Eq)]
enum Repr {
    /// At most [`INLINE`] bytes of valid UTF-8; the bytes after `len` are zero.
    Inline { len: u8, bytes: [u8; INLINE] },
    /// More than [`INLINE`] bytes.
    Heap(Box<str>),
}

impl Name {
    /// A name with the text `s`.
    pub fn new(s: &str) -> Name {
        Name::from_valid(s.as_bytes()).unwrap_or_else(|| Name(Repr::Heap(s.into())))
    }

    /// A name from ASCII bytes, without a UTF-8 check (ASCII is UTF-8); `None` when a byte
    /// is not ASCII.
    pub fn from_ascii(bytes: &[u8]) -> Option<Name> {
        if !bytes.is_ascii() {
            return None;
        }
        Some(match Name::from_valid(bytes) {
            Some(inline) => inline,
            None => Name(Repr::Heap(
                String::from_utf8_lossy(bytes).into_owned().into_boxed_str(),
            )),
        })
    }

    /// The name of `len` ASCII bytes at `start` in `src`, or `None` when one is not ASCII (or
    /// the range is not in `src`). The parser's way: with the bytes that follow the name at
    /// hand, a short name is copied as a fixed block and its end masked, with no branch that
    /// depends on its length (a copy of the exact length mispredicted about twice per name).
    pub(crate) fn from_ascii_at(src: &[u8], start: usize, len: usize) -> Option<Name> {
        match src.get(start..start.checked_add(INLINE)?) {
            Some(window) if len <= INLINE => {
                // Three words of eight bytes (the last one six), each masked to the bytes
                // that belong to the name.
                let word = |at: usize| {
                    let mut w = [0u8; 8];
                    let part = &window[at..(at + 8).min(INLINE)];
                    w[..part.len()].copy_from_slice(part);
                    u64::from_le_bytes(w)
                };
                let [m0, m1, m2] = KEEP[len];
                let (w0, w1, w2) = (word(0) & m0, word(8) & m1, word(16) & m2);
                let mut bytes = [0u8; INLINE];
                bytes[..8].copy_from_slice(&w0.to_le_bytes());
                bytes[8..16].copy_from_slice(&w1.to_le_bytes());
                bytes[16..].copy_from_slice(&w2.to_le_bytes()[..INLINE - 16]);
                ((w0 | w1 | w2) & 0x8080_8080_8080_8080 == 0).then_some(Name(Repr::Inline {
                    len: len as u8,
                    bytes,
                }))
            }
            _ => Name::from_ascii(src.get(start..start.checked_add(len)?)?),
        }
    }

    /// The inline form of bytes already known to be UTF-8, when they are short enough.
    fn from_valid(bytes: &[u8]) -> Option<Name> {
        if bytes.len() > INLINE {
            return None;
        }
        let mut inline = [0u8; INLINE];
        inline[..bytes.len()].copy_from_slice(bytes);
        Some(Name(Repr::Inline {
            len: bytes.len() as u8,
            bytes: inline,
        }))
    }

    /// The bytes of the name.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Repr::Heap(s) => s.as_bytes(),
        }
    }

    /// The name as a `str`. For an inline name this checks the bytes again (they are always
    /// valid), so loops that only compare or hash names should use the other methods.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Repr::Heap(s) => s,
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Whether the name is empty (the parser's stand-in for a name that is missing).
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }

    /// The name with ASCII letters in lowercase, the form in which names compare.
    pub fn to_ascii_lowercase(&self) -> Name {
        match &self.0 {
            Repr::Inline { len, bytes } => Name(Repr::Inline {
                len: *len,
                bytes: bytes.map(|b| b.to_ascii_lowercase()),
            }),
            Repr::Heap(s) => Name(Repr::Heap(s.to_ascii_lowercase().into_boxed_str())),
        }
    }

    /// Whether the name is `other`, ignoring ASCII case.
    pub fn eq_ignore_ascii_case(&self, other: &str) -> bool {
        self.as_bytes().eq_ignore_ascii_case(other.as_bytes())
    }
}

impl Default for Name {
    fn default() -> Name {
        Name(Repr::Inline {
            len: 0,
            bytes: [0; INLINE],
        })
    }
}

impl std::ops::Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // What `str`'s `Hash` writes (its bytes, then 0xFF), from the bytes directly.
        state.write(self.as_bytes());
        state.write_u8(0xFF);
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Name {
        Name::new(s)
    }
}

impl From<String> for Name {
    fn from(s: String) -> Name {
        Name::new(&s)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn hash_of<T: Hash + ?Sized>(x: &T) -> u64 {
        let mut h = DefaultHasher::new();
        x.hash(&mut h);
        h.finish()
    }

    #[test]
    fn names_behave_as_the_str_they_hold() {
        let long = "a_name_longer_than_twenty_two_bytes";
        for s in [
            "",
            "x",
            "Login",
            "exactly_22_bytes_long_",
            "exactly_23_bytes_long__",
            long,
        ] {
            let n = Name::new(s);
            assert_eq!(n.as_str(), s);
            assert_eq!(n.as_bytes(), s.as_bytes());
            assert_eq!(n.len(), s.len());
            assert_eq!(n.is_empty(), s.is_empty());
            assert_eq!(n, s);
            assert_eq!(n.to_string(), s);
            assert_eq!(format!("{n:?}"), format!("{s:?}"));
            assert_eq!(hash_of(&n), hash_of(s));
            assert_eq!(n.to_ascii_lowercase(), Name::new(&s.to_ascii_lowercase()));
            assert!(n.eq_ignore_ascii_case(&s.to_ascii_uppercase()));
            assert_eq!(Name::from_ascii(s.as_bytes()), Some(n.clone()));
        }
        assert_eq!(Name::from_ascii(b"caf\xE9"), None);
        // Names inside a longer text, near its end and past it, as the parser makes them.
        let text = b"  proc Main_Loop_2\r\n  integer a_name_longer_than_twenty_two_bytes = 1\r\n";
        for start in 0..text.len() {
            for len in 0..=text.len() - start {
                let expected = Name::from_ascii(&text[start..start + len]);
                assert_eq!(
                    Name::from_ascii_at(text, start, len),
                    expected,
                    "{start} {len}"
                );
            }
        }
        assert_eq!(Name::from_ascii_at(b"abc", 2, 5), None);
        let high = b"ab\xE9cdefghijklmnopqrstuvwxyz";
        assert_eq!(Name::from_ascii_at(high, 0, 2), Name::from_ascii(b"ab"));
        assert_eq!(Name::from_ascii_at(high, 0, 3), None);
        let mut sorted = [
            Name::new(long),
            Name::new("b"),
            Name::new("a"),
            Name::new(""),
        ];
        sorted.sort();
        let strs: Vec<&str> = sorted.iter().map(Name::as_str).collect();
        assert_eq!(strs, ["", "a", long, "b"]);
    }
}
