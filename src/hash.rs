//! The one content hash of the crate, for fingerprints that are saved
//! between processes (the page cache beside the output) and compared by
//! later builds.
//!
//! The algorithm is named, not "whatever std uses": SipHash-1-3 with fixed
//! keys (0, 0), from the `siphasher` crate, whose output is specified by the
//! algorithm and does not change with the Rust version. What is fed to it
//! comes from the `Hash` impls of the values hashed; those of std types
//! (`str`, tuples, slices) are not promised to be stable across Rust
//! versions, so a saved fingerprint is only trusted by the same build of
//! yishi: the page cache is keyed on [`IDENTITY`] (see `build.rs`). A leaf
//! module: it imports nothing else from the crate.

use std::hash::{Hash, Hasher};

use siphasher::sip::SipHasher13;

/// The hasher behind [`hash_of`], for fingerprints fed piece by piece.
pub fn hasher() -> SipHasher13 {
    SipHasher13::new_with_keys(0, 0)
}

/// The stable hash of `value` (see the module documentation).
pub fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = hasher();
    value.hash(&mut h);
    h.finish()
}

/// What a saved fingerprint is only valid with: this version of yishi and
/// the hashes its `Hash` impls give for a probe of the shapes fingerprints
/// are made of (strings, integers, tuples, slices, options). A different
/// compiler that hashes any of them differently changes the identity.
pub fn identity() -> String {
    let probe = hash_of(&(
        "议事",
        42u64,
        7usize,
        true,
        Some(-1i64),
        [1u8, 2, 3].as_slice(),
        vec![("a", 1u32)],
    ));
    format!("{} {probe:016x}", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_algorithm_is_siphash_1_3_with_zero_keys() {
        // Reference value of SipHash-1-3, keys (0, 0), over the bytes "abc":
        // computed with std's DefaultHasher::new(), which documents the same
        // algorithm today; fed as bytes, so no `Hash` impl is involved.
        let mut h = hasher();
        h.write(b"abc");
        let mut std_h = std::hash::DefaultHasher::new();
        std_h.write(b"abc");
        assert_eq!(h.finish(), std_h.finish());
    }

    #[test]
    fn equal_values_hash_equal_and_different_ones_do_not() {
        assert_eq!(hash_of("正文"), hash_of(&String::from("正文")));
        assert_ne!(hash_of("正文"), hash_of("正文 "));
        assert_ne!(hash_of(&(1u8, 2u8)), hash_of(&(2u8, 1u8)));
    }

    #[test]
    fn identity_names_the_version() {
        assert!(identity().starts_with(env!("CARGO_PKG_VERSION")));
    }
}
