//! Tokenization shared by the index builder and the query side.
//!
//! `search.js` implements exactly the same rules; keep them in step.
//!
//! * Normalization, per character: full-width ASCII (U+FF01–U+FF5E) becomes
//!   ASCII, the ideographic space becomes a space, ASCII letters are
//!   lowercased, Traditional and variant Han characters become Simplified
//!   (`hanzi.rs`; the client reads the map from `meta.json`). Every change
//!   keeps the UTF-16 length, so positions in normalized text are positions
//!   in the original text.
//! * A run of ASCII letters and digits is a *word*; only its first
//!   [`WORD_MAX`] characters are indexed.
//! * A run of Han characters gives its overlapping *bigrams*; a run of one
//!   character gives nothing (titles also index every single character).
//! * Everything else separates tokens.

/// Indexed length of an ASCII word (longer words are cut; the client
/// verifies the whole phrase on the record text).
pub const WORD_MAX: usize = 8;

/// Token kinds (bits 56..59 of a key).
pub const BODY_BIGRAM: u64 = 0;
pub const BODY_WORD: u64 = 1;
pub const TITLE_BIGRAM: u64 = 2;
pub const TITLE_WORD: u64 = 3;
pub const TITLE_CHAR: u64 = 4;

const KIND_SHIFT: u32 = 56;
const PAYLOAD: u64 = (1 << KIND_SHIFT) - 1;

/// The normalized form of one character (see the module comment).
#[inline]
pub fn normalize(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => {
            char::from_u32(c as u32 - 0xFEE0).map_or(c, |a| a.to_ascii_lowercase())
        }
        '\u{3000}' => ' ',
        _ if c.is_ascii() => c.to_ascii_lowercase(),
        _ => super::hanzi::fold(c),
    }
}

/// Normalize a whole string (query phrases, record text for matching).
pub fn normalize_str(s: &str) -> String {
    s.chars().map(normalize).collect()
}

/// Whether `c` is a Han character (CJK unified ideographs, extensions and
/// compatibility ideographs).
#[inline]
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x30000..=0x3134F)
}

#[inline]
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// The kind of a key.
#[inline]
pub fn kind(key: u64) -> u64 {
    key >> KIND_SHIFT
}

/// Whether a key is a title term (namespace 1 in the files).
#[inline]
pub fn is_title(key: u64) -> bool {
    kind(key) >= TITLE_BIGRAM
}

#[inline]
fn bigram(kind: u64, a: char, b: char) -> u64 {
    (kind << KIND_SHIFT) | ((a as u64) << 21) | b as u64
}

#[inline]
fn word_key(kind: u64, word: &[u8]) -> u64 {
    let mut k = kind << KIND_SHIFT;
    for (i, &b) in word.iter().take(WORD_MAX).enumerate() {
        k |= (b as u64) << (7 * i);
    }
    k
}

/// The characters of a key's term text.
pub fn key_text(key: u64, out: &mut Vec<char>) {
    out.clear();
    let p = key & PAYLOAD;
    match kind(key) {
        BODY_BIGRAM | TITLE_BIGRAM => {
            out.push(char::from_u32((p >> 21) as u32).unwrap_or('\u{FFFD}'));
            out.push(char::from_u32((p & 0x1F_FFFF) as u32).unwrap_or('\u{FFFD}'));
        }
        TITLE_CHAR => out.push(char::from_u32(p as u32).unwrap_or('\u{FFFD}')),
        _ => {
            for i in 0..WORD_MAX {
                let b = (p >> (7 * i)) & 0x7F;
                if b == 0 {
                    break;
                }
                out.push(b as u8 as char);
            }
        }
    }
}

/// The shard hash of a term's text (FNV-1a over code points, then a
/// finalizer so that the low bits are mixed). Identical in `search.js`.
pub fn term_hash(chars: &[char]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &c in chars {
        h = (h ^ c as u32).wrapping_mul(0x0100_0193);
    }
    finish(h)
}

#[inline]
fn finish(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h
}

/// The shard hash of a key (same value as `term_hash(key_text(key))`,
/// without building the text).
#[inline]
pub fn key_hash(key: u64) -> u32 {
    let p = key & PAYLOAD;
    let mut h: u32 = 0x811c_9dc5;
    match kind(key) {
        BODY_BIGRAM | TITLE_BIGRAM => {
            h = (h ^ (p >> 21) as u32).wrapping_mul(0x0100_0193);
            h = (h ^ (p & 0x1F_FFFF) as u32).wrapping_mul(0x0100_0193);
        }
        TITLE_CHAR => h = (h ^ p as u32).wrapping_mul(0x0100_0193),
        _ => {
            for i in 0..WORD_MAX {
                let b = ((p >> (7 * i)) & 0x7F) as u32;
                if b == 0 {
                    break;
                }
                h = (h ^ b).wrapping_mul(0x0100_0193);
            }
        }
    }
    finish(h)
}

/// Call `emit` with the key of every token occurrence of `text`.
/// `title` selects the title kinds (which add single characters).
pub fn tokens(text: &str, title: bool, emit: &mut impl FnMut(u64)) {
    let (kb, kw) = if title {
        (TITLE_BIGRAM, TITLE_WORD)
    } else {
        (BODY_BIGRAM, BODY_WORD)
    };
    let mut word = [0u8; WORD_MAX];
    let mut wlen = 0usize; // characters of the current word (may exceed WORD_MAX)
    let mut prev: Option<char> = None; // previous Han character of the run
    for raw in text.chars() {
        let c = normalize(raw);
        if is_word(c) {
            if wlen < WORD_MAX {
                word[wlen] = c as u8;
            }
            wlen += 1;
            prev = None;
            continue;
        }
        if wlen > 0 {
            emit(word_key(kw, &word[..wlen.min(WORD_MAX)]));
            wlen = 0;
        }
        if is_han(c) {
            if let Some(p) = prev {
                emit(bigram(kb, p, c));
            }
            if title {
                emit((TITLE_CHAR << KIND_SHIFT) | c as u64);
            }
            prev = Some(c);
        } else {
            prev = None;
        }
    }
    if wlen > 0 {
        emit(word_key(kw, &word[..wlen.min(WORD_MAX)]));
    }
}

/// A term of a query: namespace (0 body, 1 title) and text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Term {
    pub title: bool,
    pub text: String,
}

/// The distinct terms of `text` as (key, term) pairs, in first-seen order.
pub fn terms(text: &str, title: bool) -> Vec<(u64, Term)> {
    let mut keys: Vec<u64> = Vec::new();
    tokens(text, title, &mut |k| {
        if !keys.contains(&k) {
            keys.push(k)
        }
    });
    let mut buf = Vec::new();
    keys.into_iter()
        .map(|k| {
            key_text(k, &mut buf);
            (
                k,
                Term {
                    title: is_title(k),
                    text: buf.iter().collect(),
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str, title: bool) -> Vec<String> {
        terms(s, title).into_iter().map(|(_, t)| t.text).collect()
    }

    #[test]
    fn han_bigrams_and_ascii_words() {
        assert_eq!(texts("道路硬化", false), ["道路", "路硬", "硬化"]);
        assert_eq!(
            texts("2024年村道WiFi改造", false),
            ["2024", "年村", "村道", "wifi", "改造"]
        );
        // Punctuation separates; one Han character alone gives nothing.
        assert_eq!(texts("拆迁，补偿。路", false), ["拆迁", "补偿"]);
        assert!(texts("路", false).is_empty());
    }

    #[test]
    fn full_width_and_case_are_normalized() {
        assert_eq!(texts("２０２４ＡＢｃ", false), ["2024abc"]);
        assert_eq!(texts("ＰＰＰ　项目", false), ["ppp", "项目"]);
        assert_eq!(normalize_str("Ａ１　b"), "a1 b");
    }

    #[test]
    fn traditional_characters_give_the_simplified_terms() {
        assert_eq!(texts("拆遷補償", false), texts("拆迁补偿", false));
        assert_eq!(normalize_str("劉彥槿ＡＢ"), "刘彦槿ab");
    }

    #[test]
    fn long_words_are_cut_and_titles_add_characters() {
        assert_eq!(texts("abcdefghijkl", false), ["abcdefgh"]);
        assert_eq!(texts("村道A", true), ["村", "村道", "道", "a"]);
    }

    #[test]
    fn key_hash_matches_term_hash() {
        for (k, t) in terms("道路硬化 2024 wifi abcdefghij 𠀀𠀁", false)
            .into_iter()
            .chain(terms("村道", true))
        {
            let chars: Vec<char> = t.text.chars().collect();
            assert_eq!(key_hash(k), term_hash(&chars), "{t:?}");
        }
        // The values search.js computes (node, termHash()).
        let h = |s: &str| term_hash(&s.chars().collect::<Vec<_>>());
        assert_eq!(h("拆迁"), 297707068);
        assert_eq!(h("wifi"), 4117553786);
        assert_eq!(h("𠀀𠀁"), 2538761406);
        assert_eq!(h("路"), 69320029);
        assert_ne!(term_hash(&['拆', '迁']), term_hash(&['迁', '拆']));
    }
}
