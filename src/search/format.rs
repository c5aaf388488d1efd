//! Byte-level pieces of the index files: LEB128 varints and doc lists.
//!
//! A *doc list* (an ascending set of doc numbers) is stored as one byte
//! giving its encoding, then the data:
//!
//! * [`DELTAS`]: varints `doc - previous - 1` (the previous doc of the first
//!   one is -1);
//! * [`BITMAP`]: one bit per doc of the index, doc `d` is bit `d % 8` of
//!   byte `d / 8`; trailing zero bytes are dropped.

pub const DELTAS: u8 = 0;
pub const BITMAP: u8 = 1;

#[inline]
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A varint at `*pos`, advancing it; `None` past the end.
pub fn get_varint(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v: u64 = 0;
    let mut shift = 0;
    loop {
        let b = *data.get(*pos)?;
        *pos += 1;
        if shift < 64 {
            v |= ((b & 0x7F) as u64) << shift;
        }
        if b & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
    }
}

/// A doc list being built by appending docs in ascending order; it turns
/// into a bitmap as soon as that is no larger than its deltas.
#[derive(Default)]
pub struct ListBuilder {
    /// 1 + the last doc appended (0: none yet).
    next: u32,
    pub df: u32,
    bitmap: bool,
    data: Vec<u8>,
}

impl ListBuilder {
    /// Append `doc` (ascending; a repeat of the last doc is ignored).
    /// `bitmap_bytes` is the byte size of a full bitmap of the index.
    #[inline]
    pub fn push(&mut self, doc: u32, bitmap_bytes: usize) {
        if doc < self.next {
            return;
        }
        self.df += 1;
        if self.bitmap {
            self.data[(doc >> 3) as usize] |= 1 << (doc & 7);
        } else {
            put_varint(&mut self.data, (doc - self.next) as u64);
            if self.data.len() >= bitmap_bytes {
                self.make_bitmap(bitmap_bytes);
            }
        }
        self.next = doc + 1;
    }

    fn make_bitmap(&mut self, bitmap_bytes: usize) {
        let mut bits = vec![0u8; bitmap_bytes];
        let mut pos = 0;
        let mut prev: i64 = -1;
        while let Some(v) = get_varint(&self.data, &mut pos) {
            let d = (prev + 1 + v as i64) as usize;
            bits[d >> 3] |= 1 << (d & 7);
            prev = d as i64;
        }
        self.data = bits;
        self.bitmap = true;
    }

    /// The encoded list (encoding byte, then data).
    pub fn encode(&self, out: &mut Vec<u8>) {
        if self.bitmap {
            out.push(BITMAP);
            let end = self.data.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
            out.extend_from_slice(&self.data[..end]);
        } else {
            out.push(DELTAS);
            out.extend_from_slice(&self.data);
        }
    }

    /// The size of `encode`'s output, at most.
    pub fn encoded_len(&self) -> usize {
        1 + self.data.len()
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.data.capacity()
    }
}

/// Encode an ascending list of docs, choosing the smaller encoding.
pub fn encode_docs(docs: &[u32], n_docs: usize, out: &mut Vec<u8>) {
    let bytes = n_docs.div_ceil(8).max(1);
    let mut b = ListBuilder::default();
    for &d in docs {
        b.push(d, bytes);
    }
    b.encode(out);
}

/// Decode a doc list (the inverse of `encode`); `None` if malformed.
pub fn decode_docs(data: &[u8]) -> Option<Vec<u32>> {
    let (&enc, rest) = data.split_first()?;
    let mut docs = Vec::new();
    match enc {
        DELTAS => {
            let mut pos = 0;
            let mut prev: i64 = -1;
            while pos < rest.len() {
                let v = get_varint(rest, &mut pos)?;
                prev = prev + 1 + v as i64;
                docs.push(u32::try_from(prev).ok()?);
            }
        }
        BITMAP => {
            for (i, &b) in rest.iter().enumerate() {
                for bit in 0..8 {
                    if b & (1 << bit) != 0 {
                        docs.push((i * 8 + bit) as u32);
                    }
                }
            }
        }
        _ => return None,
    }
    Some(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        let mut b = Vec::new();
        for v in [0u64, 1, 127, 128, 300, 1 << 40] {
            put_varint(&mut b, v);
        }
        let mut pos = 0;
        for v in [0u64, 1, 127, 128, 300, 1 << 40] {
            assert_eq!(get_varint(&b, &mut pos), Some(v));
        }
        assert_eq!(get_varint(&b, &mut pos), None);
    }

    #[test]
    fn lists_switch_to_bitmaps_when_dense() {
        let sparse = [3u32, 500, 900];
        let mut out = Vec::new();
        encode_docs(&sparse, 1000, &mut out);
        assert_eq!(out[0], DELTAS);
        assert_eq!(decode_docs(&out).unwrap(), sparse);

        let dense: Vec<u32> = (0..1000).filter(|d| d % 3 == 0).collect();
        out.clear();
        encode_docs(&dense, 1000, &mut out);
        assert_eq!(out[0], BITMAP);
        assert!(out.len() <= 1 + 125);
        assert_eq!(decode_docs(&out).unwrap(), dense);
    }
}
