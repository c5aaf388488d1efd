//! Text utilities every stage shares, with no knowledge of any stage:
//! decoding a file's bytes, positions in text, the front-matter fences,
//! display paths and characters that may not be published. A leaf module:
//! it imports nothing else from the crate.

use std::path::Path;

/// A position in a source file: 1-based line and 1-based column counted in
/// characters (not bytes), with the length of the marked text in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
    pub len: usize,
}

impl Pos {
    pub fn new(line: usize, col: usize, len: usize) -> Pos {
        Pos { line, col, len }
    }

    /// The first character of a file.
    pub fn start() -> Pos {
        Pos::new(1, 1, 0)
    }

    /// The position of byte offset `at` in `text`, marking `len` characters.
    pub fn of_offset(text: &str, at: usize, len: usize) -> Pos {
        let at = at.min(text.len());
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = text[line_start..at].chars().count() + 1;
        Pos::new(line, col, len)
    }
}

/// Why a file's bytes are not usable text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// 0-based byte offset of the first bad sequence.
    pub offset: usize,
    pub pos: Pos,
    pub utf16: bool,
}

/// Bytes of a text file as a string: UTF-8 with or without BOM, line endings
/// normalised to `\n`.
pub fn decode_text(bytes: &[u8]) -> Result<String, DecodeError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(DecodeError {
            offset: 0,
            pos: Pos::start(),
            utf16: true,
        });
    }
    if looks_like_utf16(bytes) {
        return Err(DecodeError {
            offset: 0,
            pos: Pos::start(),
            utf16: true,
        });
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let bom = bytes.len() - body.len();
    match std::str::from_utf8(body) {
        Ok(text) => Ok(if text.contains('\r') {
            text.replace("\r\n", "\n").replace('\r', "\n")
        } else {
            text.to_string()
        }),
        Err(e) => {
            let good = e.valid_up_to();
            let prefix = std::str::from_utf8(&body[..good]).unwrap_or("");
            Err(DecodeError {
                offset: good + bom,
                pos: Pos::of_offset(prefix, prefix.len(), 1),
                utf16: false,
            })
        }
    }
}

/// Whether `bytes` look like UTF-16 written without a byte-order mark:
/// ASCII text in UTF-16 has a NUL in every other byte. (As UTF-8 it would
/// decode, its NULs blanked, into a file of spaced-out letters.) Judged on
/// the first 512 bytes: a quarter of the even or of the odd ones NUL.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    if head.len() < 8 {
        return false;
    }
    let nul_at = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let half = head.len() / 2;
    nul_at(0) * 4 >= half || nul_at(1) * 4 >= half
}

/// Relative display path of `p` under `root`, `/`-separated.
pub fn display_path(root: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A problem with the `---` fences.
#[derive(Debug, PartialEq, Eq)]
pub enum FrontMatterError {
    Missing,
    Unclosed,
}

/// Split a record into (front matter, line of the opening `---`, body,
/// line of the body's first line).
pub fn split_front_matter(text: &str) -> Result<(String, usize, String, usize), FrontMatterError> {
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        Some(first) if first.trim_end() == "---" => {}
        _ => return Err(FrontMatterError::Missing),
    }
    let mut offset = text.find('\n').map_or(text.len(), |i| i + 1);
    let start = offset;
    for (line, l) in (2..).zip(lines) {
        if l.trim_end() == "---" {
            let front = text[start..offset].to_string();
            let body = text[offset + l.len()..].to_string();
            return Ok((front, 1, body, line + 1));
        }
        offset += l.len();
    }
    Err(FrontMatterError::Unclosed)
}

/// Whether `c` may not be published: C0 controls other than tab and line
/// feed (a vertical tab pasted from Word, NUL, ESC), DEL, C1 controls and
/// the noncharacters U+FFFE and U+FFFF. XML (Atom feeds) forbids most of
/// them, iCalendar all, and terminals obey them.
pub fn is_forbidden_char(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// `text` with every forbidden character (see [`is_forbidden_char`]) as a
/// space.
pub fn blanked(text: &str) -> String {
    text.chars()
        .map(|c| if is_forbidden_char(c) { ' ' } else { c })
        .collect()
}

/// Whether UTF-8 `bytes` hold a forbidden character: one pass over the
/// bytes, as every record file is checked on every build.
fn has_forbidden_char(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'\t' | b'\n' => false,
        0..=0x1F | 0x7F => true,
        // C1 controls: U+0080 to U+009F.
        0xC2 => matches!(bytes.get(i + 1), Some(0x80..=0x9F)),
        // U+FFFE, U+FFFF.
        0xEF => bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)),
        _ => false,
    })
}

/// Replace every forbidden character (see [`is_forbidden_char`]) of `text`
/// by a space, which keeps every other character's line and column.
/// Returns the position of the first one on each line, and that character.
pub fn blank_control_chars(text: &mut String) -> Vec<(Pos, char)> {
    if !has_forbidden_char(text.as_bytes()) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut out = String::with_capacity(text.len());
    let (mut line, mut col) = (1, 1);
    let mut last_line = 0;
    for c in text.chars() {
        if is_forbidden_char(c) {
            if line != last_line {
                found.push((Pos::new(line, col, 1), c));
                last_line = line;
            }
            out.push(' ');
        } else {
            out.push(c);
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    *text = out;
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_crlf_are_accepted() {
        let t = decode_text(b"\xEF\xBB\xBF---\r\ntitle: x\r\n---\r\nbody\r\n").unwrap();
        assert_eq!(t, "---\ntitle: x\n---\nbody\n");
    }

    #[test]
    fn gbk_is_reported_with_offset() {
        // "ab\n" then GBK for 议 (0xD2 0xE9).
        let e = decode_text(b"ab\n\xD2\xE9").unwrap_err();
        assert_eq!(e.offset, 3);
        assert_eq!((e.pos.line, e.pos.col), (2, 1));
        let with_bom = decode_text(b"\xEF\xBB\xBFab\xD2\xE9").unwrap_err();
        assert_eq!(with_bom.offset, 5);
    }

    #[test]
    fn utf16_is_named() {
        assert!(decode_text(b"\xFF\xFEa\x00").unwrap_err().utf16);
        assert!(decode_text(b"\xFE\xFF\x00a").unwrap_err().utf16);
        // Without a byte-order mark, by its NULs.
        let le: Vec<u8> = "---\ntitle: 甲\n---\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(decode_text(&le).unwrap_err().utf16);
        let be: Vec<u8> = "---\ntitle: x\n---\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert!(decode_text(&be).unwrap_err().utf16);
        // A stray NUL in UTF-8 text is not UTF-16 (it is blanked later).
        let text = "---\ntitle: 甲\0乙\n---\n正文\n".as_bytes();
        assert!(decode_text(text).is_ok());
    }

    #[test]
    fn front_matter_split_tracks_lines() {
        let (front, _, body, body_line) =
            split_front_matter("---\ntitle: a\ntype: b\n---\n正文\n").unwrap();
        assert_eq!(front, "title: a\ntype: b\n");
        assert_eq!(body, "正文\n");
        assert_eq!(body_line, 5);
        assert_eq!(
            split_front_matter("title: a\n"),
            Err(FrontMatterError::Missing)
        );
        assert_eq!(
            split_front_matter("---\ntitle: a\n"),
            Err(FrontMatterError::Unclosed)
        );
    }
}
