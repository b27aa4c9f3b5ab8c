//! A script file as bytes plus the text used to show it.
//!
//! Scripts are byte files: Windows-1252 text written by Notepad, with CRLF, LF or lone CR line
//! ends, sometimes a UTF-8 byte-order mark or a trailing Ctrl-Z. The parser works on the bytes
//! and its spans are byte offsets into them. To show a snippet (miette wants `&str`) the bytes
//! are decoded: as UTF-8 when they are valid UTF-8, otherwise as Windows-1252.
//!
//! Most uses never need the text. Editors and machines want only line and column numbers, and
//! both follow from the bytes alone: a Windows-1252 byte is one character, and in valid UTF-8
//! every byte that is not a continuation byte starts one. So the text, the table of line
//! starts and the map from byte offsets to text offsets are each made on first use, and a file
//! without findings costs no more than its bytes.
//!
//! Because a Windows-1252 byte above 0x7F becomes two or three UTF-8 bytes, text offsets drift
//! from byte offsets after each such byte. The map keeps only where those bytes are, so its
//! size follows their number rather than the file's size; a binary search gives the drift at
//! any offset.

use std::sync::OnceLock;

use crate::span::Span;

/// One script: its name, its bytes, and what is derived from them for display.
#[derive(Clone, Debug)]
pub struct SourceFile {
    name: String,
    bytes: Vec<u8>,
    /// Byte offsets at which each line starts (line 1 starts at 0).
    line_starts: OnceLock<Vec<u32>>,
    /// Whether the bytes are valid UTF-8, which decides how they are decoded.
    utf8: OnceLock<bool>,
    /// Where the bytes above 0x7F are, for files decoded as Windows-1252.
    high: OnceLock<HighBytes>,
    /// The decoded text, with lone CRs shown as LF.
    text: OnceLock<String>,
}

/// The positions of a Windows-1252 file's bytes above 0x7F, which is all it takes to map byte
/// offsets to offsets in the decoded text.
#[derive(Clone, Debug, Default)]
struct HighBytes {
    /// Every byte at 0x80 or above: each becomes at least two UTF-8 bytes, one more than it
    /// takes in the file.
    all: Vec<u32>,
    /// The subset whose character needs three UTF-8 bytes (`€`, `‘`, `™` and the like), each
    /// adding a second byte of drift.
    wide: Vec<u32>,
}

impl HighBytes {
    fn new(bytes: &[u8]) -> Self {
        let mut high = HighBytes::default();
        for_each_match(bytes, high_bytes, |at| {
            high.all.push(at as u32);
            if cp1252_char(bytes[at]).len_utf8() == 3 {
                high.wide.push(at as u32);
            }
        });
        high
    }

    /// How many more bytes the text holds than the file before byte offset `byte`.
    fn drift(&self, byte: u32) -> usize {
        self.all.partition_point(|&p| p < byte) + self.wide.partition_point(|&p| p < byte)
    }
}

impl SourceFile {
    /// Wraps a script's bytes. `name` is what diagnostics call the file.
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        SourceFile {
            name: name.into(),
            bytes,
            line_starts: OnceLock::new(),
            utf8: OnceLock::new(),
            high: OnceLock::new(),
            text: OnceLock::new(),
        }
    }

    /// The file's name as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Drops the bytes and everything worked out from them, keeping the name: for a report
    /// that is kept after its text has been rendered.
    pub fn release_bytes(&mut self) {
        *self = SourceFile::new(std::mem::take(&mut self.name), Vec::new());
    }

    /// The original bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The decoded text (UTF-8 as is, otherwise Windows-1252), with lone CRs shown as LF.
    ///
    /// The text is made on the first call, so only output that shows source pays for it.
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| {
            let mut text = if self.is_utf8() {
                self.bytes.clone()
            } else {
                decode_windows_1252(&self.bytes, &self.high().all)
            };
            // Renderers know CRLF and LF but not a lone CR (old Mac files): show it as LF.
            // Both are one byte, so offsets do not move.
            let mut from = 0;
            while let Some(k) = text[from..].iter().position(|&b| b == b'\r') {
                let k = from + k;
                if text.get(k + 1) != Some(&b'\n') {
                    text[k] = b'\n';
                }
                from = k + 1;
            }
            // Both branches produce valid UTF-8 (the first was checked, the second is built
            // from whole characters), so the lossy fallback is never taken; it only keeps a
            // broken invariant from becoming a panic.
            String::from_utf8(text)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        })
    }

    /// Maps a byte offset of the original file to an offset into [`SourceFile::text`].
    ///
    /// This does not need the text itself: offsets past the end are clamped to it, a UTF-8
    /// offset inside a character moves back to the character's start, and a Windows-1252
    /// offset moves forward by the extra bytes its earlier high bytes take once decoded.
    pub fn text_offset(&self, byte: u32) -> usize {
        let at = (byte as usize).min(self.bytes.len());
        if self.is_utf8() {
            utf8_floor(&self.bytes, at)
        } else {
            at + self.high().drift(at as u32)
        }
    }

    /// Maps a byte span to a `(offset, length)` pair in [`SourceFile::text`].
    pub fn text_span(&self, span: Span) -> (usize, usize) {
        let start = self.text_offset(span.start);
        let end = self.text_offset(span.end).max(start);
        (start, end - start)
    }

    /// 1-based line and column of a byte offset. Columns count characters of the decoded text,
    /// so a tab or a Windows-1252 `é` is one column, as an editor shows it.
    ///
    /// Offsets past the end count as the end. The text is not needed: in Windows-1252 every
    /// byte is a character, and in UTF-8 every byte but a continuation byte starts one.
    pub fn line_col(&self, byte: u32) -> (usize, usize) {
        let starts = self.line_starts();
        // Line 1 starts at 0, so at least one start is at or before any offset.
        let line_idx = starts.partition_point(|&s| s <= byte).saturating_sub(1);
        let line_start = starts.get(line_idx).map_or(0, |&s| s as usize);
        let at = (byte as usize).min(self.bytes.len());
        let chars = if self.is_utf8() {
            let end = utf8_floor(&self.bytes, at);
            self.bytes.get(line_start..end).map_or(0, |line| {
                line.iter().filter(|&&b| !is_continuation(b)).count()
            })
        } else {
            at.saturating_sub(line_start)
        };
        (line_idx + 1, chars + 1)
    }

    /// A [`Locator`] for this file: cheaper than [`SourceFile::line_col`] for a few offsets
    /// asked in order.
    pub fn locator(&self) -> Locator<'_> {
        Locator::new(self)
    }

    /// Number of lines (a file with no line end has one).
    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| line_starts(&self.bytes))
    }

    fn is_utf8(&self) -> bool {
        *self
            .utf8
            .get_or_init(|| std::str::from_utf8(&self.bytes).is_ok())
    }

    fn high(&self) -> &HighBytes {
        self.high.get_or_init(|| HighBytes::new(&self.bytes))
    }
}

/// Line and column numbers of offsets asked in about increasing order, as a renderer asks
/// them: each is found by scanning from the one before, so a file's table of line starts is
/// never built for the few findings of a small file. A jump of more than [`Locator::NEAR`]
/// bytes uses the table instead, which keeps any order of questions at most that much work
/// each. The answers are those of [`SourceFile::line_col`].
#[derive(Debug)]
pub struct Locator<'a> {
    file: &'a SourceFile,
    utf8: bool,
    /// The offset last asked; `line` and `line_start` are its line.
    pos: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Locator<'a> {
    /// How far, in bytes, a question may be from the one before and still be found by
    /// scanning.
    pub const NEAR: usize = 4096;

    /// A locator at the start of `file`.
    pub fn new(file: &'a SourceFile) -> Self {
        Locator {
            file,
            utf8: file.is_utf8(),
            pos: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// 1-based line and column of a byte offset, as [`SourceFile::line_col`] gives them.
    pub fn line_col(&mut self, byte: u32) -> (usize, usize) {
        let bytes = &self.file.bytes[..];
        let at = (byte as usize).min(bytes.len());
        if at.abs_diff(self.pos) > Self::NEAR {
            let starts = self.file.line_starts();
            let idx = starts
                .partition_point(|&s| s as usize <= at)
                .saturating_sub(1);
            self.line = idx + 1;
            self.line_start = starts.get(idx).map_or(0, |&s| s as usize);
        } else if at >= self.pos {
            // Every line end in [pos, at) starts a line at or before `at`.
            let (line, line_start) = (&mut self.line, &mut self.line_start);
            let from = self.pos;
            for_each_match(&bytes[from..at], line_end_candidates, |i| {
                if ends_line(bytes, from + i) {
                    *line += 1;
                    *line_start = from + i + 1;
                }
            });
        } else {
            let mut crossed = 0;
            let from = at;
            for_each_match(&bytes[from..self.pos], line_end_candidates, |i| {
                crossed += usize::from(ends_line(bytes, from + i))
            });
            if crossed > 0 {
                self.line -= crossed;
                self.line_start = bytes[..at]
                    .iter()
                    .enumerate()
                    .rev()
                    .find(|&(i, _)| ends_line(bytes, i))
                    .map_or(0, |(i, _)| i + 1);
            }
        }
        self.pos = at;
        let chars = if self.utf8 {
            let end = utf8_floor(bytes, at).max(self.line_start);
            bytes[self.line_start..end]
                .iter()
                .filter(|&&b| !is_continuation(b))
                .count()
        } else {
            at - self.line_start
        };
        (self.line, chars + 1)
    }
}

/// Whether the byte at `i` ends a line: an LF, or a CR that is not the first half of a CRLF.
fn ends_line(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i) {
        Some(b'\n') => true,
        Some(b'\r') => bytes.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

/// Whether `b` continues a UTF-8 character rather than starting one.
fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// `at`, moved back to the start of the UTF-8 character it falls inside, if any.
fn utf8_floor(bytes: &[u8], mut at: usize) -> usize {
    while at > 0 && bytes.get(at).is_some_and(|&b| is_continuation(b)) {
        at -= 1;
    }
    at
}

/// Byte offsets at which lines start. CRLF, LF and a lone CR each end a line.
pub fn line_starts(bytes: &[u8]) -> Vec<u32> {
    let mut starts = vec![0u32];
    for_each_match(
        bytes,
        |w| eq_bytes(w, b'\n') | eq_bytes(w, b'\r'),
        |i| {
            // A CR directly before an LF is the first half of a CRLF: the LF ends that line.
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                starts.push(i as u32 + 1);
            }
        },
    );
    starts
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of every `\n` and `\r` byte of `word`, and perhaps of a byte just above one
/// of them (the borrow trick's false positives): for callers that test each candidate with
/// [`ends_line`], which is exact. Four operations per target where [`eq_bytes`] takes six.
#[inline(always)]
fn line_end_candidates(word: u64) -> u64 {
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    zero(word ^ (ONES * u64::from(b'\n'))) | zero(word ^ (ONES * u64::from(b'\r')))
}

/// The high bit of each byte of `word` that equals `target`, and no other bit.
///
/// XOR turns matching bytes into zero bytes. Adding 0x7F to the low seven bits of a byte sets
/// its high bit unless they are all zero, and OR-ing in the byte itself catches a set high bit;
/// no carry crosses into the next byte, so unlike the quicker borrow trick this marks exactly
/// the matching bytes, which is needed to see every match in a word, not just the first.
#[inline(always)]
fn eq_bytes(word: u64, target: u8) -> u64 {
    let x = word ^ (ONES * u64::from(target));
    !(((x & !HIGH) + !HIGH) | x) & HIGH
}

/// The high bit of each byte of `word` at 0x80 or above.
#[inline(always)]
fn high_bytes(word: u64) -> u64 {
    word & HIGH
}

/// Calls `f` with the offset of every byte of `bytes` that `marks` flags, in order.
///
/// `marks` sees eight bytes at a time as a little-endian word and returns the high bit of each
/// byte it wants. Line ends and high bytes are rare, so most words are passed over in one step;
/// this is what keeps scanning a large file cheap.
#[inline(always)]
fn for_each_match(bytes: &[u8], marks: impl Fn(u64) -> u64, mut f: impl FnMut(usize)) {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let mut hits = marks(u64::from_le_bytes(word));
        while hits != 0 {
            f(at + (hits.trailing_zeros() / 8) as usize);
            hits &= hits - 1;
        }
        at += 8;
    }
    // The last few bytes, padded to a word; matches in the padding are not reported.
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        let mut hits = marks(u64::from_le_bytes(word));
        while hits != 0 {
            let k = (hits.trailing_zeros() / 8) as usize;
            if k < rest.len() {
                f(at + k);
            }
            hits &= hits - 1;
        }
    }
}

/// The characters Windows-1252 puts at 0x80..=0x9F; the five undefined bytes map to the C1
/// control of the same value, as Windows' own conversion does.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{8D}', '\u{017D}', '\u{8F}',
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{9D}', '\u{017E}', '\u{0178}',
];

/// Decodes one Windows-1252 byte.
pub fn cp1252_char(b: u8) -> char {
    match b {
        0x80..=0x9F => CP1252_HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

/// Decodes Windows-1252 bytes to UTF-8, given the positions of the bytes above 0x7F: the runs
/// between them are ASCII and are copied as they are.
fn decode_windows_1252(bytes: &[u8], high: &[u32]) -> Vec<u8> {
    let mut text = Vec::with_capacity(bytes.len() + 2 * high.len());
    let mut from = 0;
    for &p in high {
        let p = p as usize;
        text.extend_from_slice(&bytes[from..p]);
        let mut buf = [0u8; 4];
        text.extend_from_slice(cp1252_char(bytes[p]).encode_utf8(&mut buf).as_bytes());
        from = p + 1;
    }
    text.extend_from_slice(&bytes[from..]);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn line_ends_of_all_three_kinds() {
        let f = SourceFile::new("t", b"a\r\nb\nc\rd".to_vec());
        assert_eq!(f.line_count(), 4);
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(5), (3, 1));
        assert_eq!(f.line_col(7), (4, 1));
    }

    #[test]
    fn windows_1252_columns_and_offsets() {
        // "é" is 0xE9 in Windows-1252, two bytes in UTF-8; "€" is 0x80, three bytes.
        let f = SourceFile::new("t", b"\xE9\x80x".to_vec());
        assert_eq!(f.text(), "é€x");
        assert_eq!(f.text_offset(2), 5);
        assert_eq!(f.line_col(2), (1, 3));
    }

    #[test]
    fn line_numbers_do_not_decode_the_text() {
        let f = SourceFile::new("t", b"a \xE9\r\nb\n".to_vec());
        assert_eq!(f.line_col(5), (2, 1));
        assert_eq!(f.line_count(), 3);
        assert!(f.text.get().is_none());
        assert!(f.high.get().is_none());
    }

    /// What `SourceFile` computed before it became lazy: the whole text and a table with the
    /// text offset of every byte, made up front. The current one must agree with it exactly.
    struct Reference {
        bytes: Vec<u8>,
        text: String,
        text_offsets: Vec<u32>,
        line_starts: Vec<u32>,
    }

    impl Reference {
        fn new(bytes: &[u8]) -> Self {
            let (mut text, text_offsets) = match std::str::from_utf8(bytes) {
                Ok(s) => (s.to_owned(), Vec::new()),
                Err(_) => {
                    let mut text = String::new();
                    let mut offsets = Vec::new();
                    for &b in bytes {
                        offsets.push(text.len() as u32);
                        text.push(cp1252_char(b));
                    }
                    (text, offsets)
                }
            };
            let mut b = std::mem::take(&mut text).into_bytes();
            for k in 0..b.len() {
                if b[k] == b'\r' && b.get(k + 1) != Some(&b'\n') {
                    b[k] = b'\n';
                }
            }
            text = String::from_utf8(b).unwrap();
            let mut line_starts = vec![0u32];
            let mut i = 0;
            while i < bytes.len() {
                match bytes[i] {
                    b'\n' => line_starts.push(i as u32 + 1),
                    b'\r' => {
                        if bytes.get(i + 1) == Some(&b'\n') {
                            i += 1;
                        }
                        line_starts.push(i as u32 + 1);
                    }
                    _ => {}
                }
                i += 1;
            }
            Reference {
                bytes: bytes.to_vec(),
                text,
                text_offsets,
                line_starts,
            }
        }

        fn text_offset(&self, byte: u32) -> usize {
            let byte = (byte as usize).min(self.bytes.len());
            if self.text_offsets.is_empty() {
                let mut b = byte;
                while b > 0 && !self.text.is_char_boundary(b) {
                    b -= 1;
                }
                b
            } else if byte == self.bytes.len() {
                self.text.len()
            } else {
                self.text_offsets[byte] as usize
            }
        }

        fn line_col(&self, byte: u32) -> (usize, usize) {
            let line_idx = match self.line_starts.binary_search(&byte) {
                Ok(i) => i,
                Err(i) => i - 1,
            };
            let line_start = self.text_offset(self.line_starts[line_idx]);
            let at = self.text_offset(byte);
            (line_idx + 1, self.text[line_start..at].chars().count() + 1)
        }
    }

    /// Checks every query on every offset (and a few past the end), asking for line numbers
    /// first so that they are also checked before the text exists.
    fn agrees(bytes: &[u8]) {
        let r = Reference::new(bytes);
        let f = SourceFile::new("t", bytes.to_vec());
        let offsets = 0..bytes.len() as u32 + 3;
        for b in offsets.clone() {
            assert_eq!(f.line_col(b), r.line_col(b), "line_col({b}) of {bytes:?}");
        }
        assert_eq!(f.line_count(), r.line_starts.len(), "{bytes:?}");
        assert_eq!(line_starts(bytes), r.line_starts, "{bytes:?}");
        for b in offsets.clone() {
            assert_eq!(
                f.text_offset(b),
                r.text_offset(b),
                "text_offset({b}) of {bytes:?}"
            );
        }
        assert_eq!(f.text(), r.text, "{bytes:?}");
        for b in offsets {
            assert_eq!(f.text_span(Span::new(b, b + 2)).0, r.text_offset(b));
        }
        let g = SourceFile::new("t", bytes.to_vec());
        assert_eq!(g.text(), r.text, "text first, of {bytes:?}");
        assert_eq!(
            g.line_col(bytes.len() as u32),
            r.line_col(bytes.len() as u32)
        );
    }

    #[test]
    fn agrees_with_reference_on_small_inputs() {
        agrees(b"");
        agrees(b"\xEF\xBB\xBF");
        agrees(b"\xEF\xBB\xBFa\r\nb");
        agrees(b"\xEF\xBB\xBFa\r\n\xE9");
        for a in 0..=255u8 {
            agrees(&[a]);
            for b in [b'\r', b'\n', b'a', 0x80, 0xC3, 0xA9, 0xE9, 0xFF] {
                agrees(&[a, b]);
                agrees(&[b, a]);
                agrees(&[a, b, b'\r', a, b'\r', b'\n', b'x', b'\n', b'\r', a]);
            }
        }
    }

    /// Bytes that are mostly text with line ends of every kind, and sometimes high bytes that
    /// make the file Windows-1252.
    fn script_bytes() -> impl Strategy<Value = Vec<u8>> {
        let byte = prop_oneof![
            4 => b'a'..=b'z',
            2 => Just(b'\r'),
            2 => Just(b'\n'),
            1 => Just(b'\t'),
            1 => 0x80u8..=0xFF,
            1 => any::<u8>(),
        ];
        proptest::collection::vec(byte, 0..120)
    }

    /// Valid UTF-8 with characters of every width and line ends of every kind, sometimes
    /// behind a byte-order mark.
    fn utf8_bytes() -> impl Strategy<Value = Vec<u8>> {
        let ch = prop_oneof![
            4 => proptest::char::range('a', 'z'),
            2 => Just('\r'),
            2 => Just('\n'),
            1 => proptest::char::range('\u{80}', '\u{7FF}'),
            1 => proptest::char::range('\u{800}', '\u{FFFF}'),
            1 => proptest::char::range('\u{10000}', '\u{10FFFF}'),
        ];
        (any::<bool>(), proptest::collection::vec(ch, 0..80)).prop_map(|(bom, chars)| {
            let mut s = String::new();
            if bom {
                s.push('\u{FEFF}');
            }
            s.extend(chars);
            s.into_bytes()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn agrees_with_reference_on_windows_1252(bytes in script_bytes()) {
            agrees(&bytes);
        }

        #[test]
        fn agrees_with_reference_on_utf8(bytes in utf8_bytes()) {
            agrees(&bytes);
        }

        /// The locator answers as the table does, for offsets in any order: in order, back,
        /// within a line, across lines and further than it scans (the text is repeated to
        /// make files of up to 24 KB).
        #[test]
        fn locator_agrees_with_line_col(
            bytes in prop_oneof![script_bytes(), utf8_bytes()],
            times in 1usize..200,
            offsets in proptest::collection::vec(any::<proptest::sample::Index>(), 0..40),
            sorted in any::<bool>(),
        ) {
            let f = SourceFile::new("t", bytes.repeat(times));
            let len = f.bytes().len();
            let mut at: Vec<u32> = offsets.iter().map(|i| i.index(len + 3) as u32).collect();
            if sorted {
                at.sort_unstable();
            }
            let mut locator = f.locator();
            for o in at {
                prop_assert_eq!(locator.line_col(o), f.line_col(o), "offset {}", o);
            }
        }

        #[test]
        fn agrees_with_reference_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            agrees(&bytes);
        }
    }
}
