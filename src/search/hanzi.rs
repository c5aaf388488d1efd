//! Simplified ⇄ Traditional folding: the index and every query are folded
//! to one script (Simplified), so that a query in either script finds text
//! in either.
//!
//! The map is OpenCC's character table (`TSCharacters`, through the
//! `zhconv` crate's `opencc-hans` tables): each Traditional or variant
//! character with one Simplified form, e.g. 劉→刘, 裡→里, 臺→台. Characters
//! OpenCC converts only in context (著, 乾…) are left alone, on both sides,
//! so they still match themselves. Only pairs whose two characters have the
//! same UTF-16 length are used: folding never moves a position in a text
//! (the client highlights matches in the original text by position).
//!
//! The browser receives the pairs whose Simplified side occurs in the
//! site's index (`meta.json`, `fold`): a character folding to anything else
//! cannot match anyway.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The dense part of the table: U+3400 (CJK extension A) to U+9FFF (end of
/// the unified ideographs), where almost all pairs lie.
const LO: u32 = 0x3400;
const HI: u32 = 0xA000;

struct Table {
    /// `dense[c - LO]`: the folded form of `c`, or 0 for itself.
    dense: Vec<u32>,
    /// Pairs outside the dense range.
    sparse: HashMap<char, char>,
    /// Every pair (from, to), sorted by `from`.
    pairs: Vec<(char, char)>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut dense = vec![0u32; (HI - LO) as usize];
    let mut sparse = HashMap::new();
    let mut pairs = Vec::new();
    for (from, to) in zhconv::tables::expand_table(zhconv::tables::ZH_HANS_TABLE) {
        let (mut f, mut t) = (from.chars(), to.chars());
        let (Some(a), None, Some(b), None) = (f.next(), f.next(), t.next(), t.next()) else {
            continue; // phrases
        };
        if a == b || a.len_utf16() != b.len_utf16() {
            continue;
        }
        pairs.push((a, b));
        if (LO..HI).contains(&(a as u32)) {
            dense[(a as u32 - LO) as usize] = b as u32;
        } else {
            sparse.insert(a, b);
        }
    }
    pairs.sort_unstable();
    pairs.dedup_by_key(|p| p.0);
    Table {
        dense,
        sparse,
        pairs,
    }
});

/// The folded (Simplified) form of `c`; `c` itself when it has none.
#[inline]
pub fn fold(c: char) -> char {
    let u = c as u32;
    if u < LO {
        return c;
    }
    let t = &*TABLE;
    if u < HI {
        match t.dense[(u - LO) as usize] {
            0 => c,
            v => char::from_u32(v).unwrap_or(c),
        }
    } else {
        t.sparse.get(&c).copied().unwrap_or(c)
    }
}

/// Every pair (Traditional or variant, Simplified), sorted.
pub fn pairs() -> &'static [(char, char)] {
    &TABLE.pairs
}

/// The pairs whose folded side satisfies `keep`, as the string the client
/// reads: from, to, from, to…
pub fn map_for(keep: impl Fn(char) -> bool) -> String {
    let mut s = String::new();
    for &(a, b) in pairs() {
        if keep(b) {
            s.push(a);
            s.push(b);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_and_variants_fold_to_simplified() {
        let f = |s: &str| s.chars().map(fold).collect::<String>();
        assert_eq!(f("劉彥槿"), "刘彦槿");
        assert_eq!(f("拆遷補償會議"), "拆迁补偿会议");
        assert_eq!(f("村裡臺灣"), "村里台湾");
        // Simplified text, Latin and punctuation are unchanged.
        assert_eq!(f("刘彦槿，道路 abc"), "刘彦槿，道路 abc");
        // Context-dependent characters are left alone.
        assert_eq!(fold('著'), '著');
    }

    #[test]
    fn pairs_keep_positions_and_the_client_map_is_filtered() {
        assert!(pairs().len() > 2500, "{}", pairs().len());
        for &(a, b) in pairs() {
            assert_eq!(a.len_utf16(), b.len_utf16(), "{a}{b}");
            assert_eq!(fold(a), b);
            assert_ne!(a, b);
        }
        let m = map_for(|c| c == '刘' || c == '迁');
        assert!(m.contains("劉刘") && m.contains("遷迁"), "{m}");
        assert_eq!(m.chars().count() % 2, 0);
        assert!(m.chars().skip(1).step_by(2).all(|c| c == '刘' || c == '迁'));
    }
}
