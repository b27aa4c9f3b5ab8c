//! A script file as bytes plus the text used to show it.
//!
//! Scripts are byte files: Windows-1252 text written by Notepad, with CRLF, LF or lone CR line
//! ends, sometimes a UTF-8 byte-order mark or a trailing Ctrl-Z. The parser works on the bytes
//! and its spans are byte offsets into them. To show a snippet (miette wants `&str`) the bytes
//! are decoded once: as UTF-8 when they are valid UTF-8, otherwise as Windows-1252. Because a
//! Windows-1252 byte above 0x7F becomes two or three UTF-8 bytes, a table maps byte offsets to
//! text offsets in that case.

use crate::span::Span;

/// One script: its name, its bytes, and the decoded text used for display.
#[derive(Clone, Debug)]
pub struct SourceFile {
    name: String,
    bytes: Vec<u8>,
    text: String,
    /// `text_offsets[i]` is the text offset of byte `i`; empty when the bytes are valid UTF-8
    /// and offsets are the same in both.
    text_offsets: Vec<u32>,
    /// Byte offsets at which each line starts (line 1 starts at 0).
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// Wraps a script's bytes. `name` is what diagnostics call the file.
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        let (mut text, text_offsets) = match std::str::from_utf8(&bytes) {
            Ok(s) => (s.to_owned(), Vec::new()),
            Err(_) => decode_windows_1252(&bytes),
        };
        // Renderers know CRLF and LF but not a lone CR (old Mac files): show it as LF. Both
        // are one byte, so offsets do not move.
        if text.contains('\r') {
            let mut b = std::mem::take(&mut text).into_bytes();
            for k in 0..b.len() {
                if b[k] == b'\r' && b.get(k + 1) != Some(&b'\n') {
                    b[k] = b'\n';
                }
            }
            text = String::from_utf8(b).unwrap_or_default();
        }
        let line_starts = line_starts(&bytes);
        SourceFile {
            name: name.into(),
            bytes,
            text,
            text_offsets,
            line_starts,
        }
    }

    /// The file's name as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The original bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The decoded text (UTF-8 as is, otherwise Windows-1252), with lone CRs shown as LF.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Maps a byte offset of the original file to an offset into [`SourceFile::text`].
    pub fn text_offset(&self, byte: u32) -> usize {
        let byte = (byte as usize).min(self.bytes.len());
        if self.text_offsets.is_empty() {
            // Valid UTF-8: the same offsets, but never inside a character.
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

    /// Maps a byte span to a `(offset, length)` pair in [`SourceFile::text`].
    pub fn text_span(&self, span: Span) -> (usize, usize) {
        let start = self.text_offset(span.start);
        let end = self.text_offset(span.end).max(start);
        (start, end - start)
    }

    /// 1-based line and column of a byte offset. Columns count characters of the decoded text,
    /// so a tab or a Windows-1252 `é` is one column, as an editor shows it.
    pub fn line_col(&self, byte: u32) -> (usize, usize) {
        let line_idx = match self.line_starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = self.text_offset(self.line_starts[line_idx]);
        let at = self.text_offset(byte);
        let col = self.text[line_start..at].chars().count() + 1;
        (line_idx + 1, col)
    }

    /// Number of lines (a file with no line end has one).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// Byte offsets at which lines start. CRLF, LF and a lone CR each end a line.
pub fn line_starts(bytes: &[u8]) -> Vec<u32> {
    let mut starts = vec![0u32];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => starts.push(i as u32 + 1),
            b'\r' => {
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                starts.push(i as u32 + 1);
            }
            _ => {}
        }
        i += 1;
    }
    starts
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

fn decode_windows_1252(bytes: &[u8]) -> (String, Vec<u32>) {
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut offsets = Vec::with_capacity(bytes.len());
    for &b in bytes {
        offsets.push(text.len() as u32);
        text.push(cp1252_char(b));
    }
    (text, offsets)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
