//! A fully static full-text search index for the site, and the layout of its
//! files (read by `themes/default/static/js/search.js`; `reader.rs` is a
//! Rust mirror of that client for tests and benchmarks).
//!
//! Chinese has no spaces, and a segmenter would need a dictionary, so the
//! index holds character *bigrams* (see `tokenize.rs`), folded to one
//! script (`hanzi.rs`). A query typed without spaces is scored by how much
//! of it a record covers with the query's bigrams: records with every
//! bigram whose text holds the exact phrase come first (完全匹配), then
//! records covering every character of the query (包含全部词语: 拓宽道路
//! finds 村口道路拓宽), then those covering more than half (部分匹配); see
//! `reader.rs` for the whole algorithm.
//!
//! # Files (under `search/`, all paths relative to it)
//!
//! * `meta.json`: format version, doc count, shard count, fragment size,
//!   the doc count of every facet value and `fold`, the folding map for the
//!   characters of the site (pairs of characters, from and to: `hanzi.rs`).
//!   `facets.json`: the facet values.
//! * `s/{shard}.bin`: the terms whose hash (`tokenize::term_hash`) modulo
//!   the shard count is `shard`: varint term count, then per term: varint
//!   namespace (0 body: everything; 1 title: the title and the tags),
//!   varint character count, the characters
//!   (varint code points), varint doc frequency, varint location (0 inline,
//!   1 external), varint byte length, and for inline terms the doc list
//!   (`format.rs`).
//! * `p/{shard}/{k}.bin`: the doc list of the `k`-th term of a shard when it
//!   is longer than [`INLINE_MAX`] bytes.
//! * `f/{p|t|y|s}{i}.bin`: the doc list of place, topic type, year or status
//!   number `i` (indexes into the lists of [`Facets`]); absent when empty.
//! * `d/{n >> 10}/{n & 1023}.json`: fragment `n`, the display data of docs
//!   `n * FRAG .. n * FRAG + FRAG`: a JSON array of
//!   `{"u","t","k","p","d","s","x","c"}` (url, title, kind, place, date,
//!   status or null, text cut to [`TEXT_CAP`] characters, 1 when cut).
//!
//! Doc lists hold doc *numbers* (`0..n`, the order of `build`'s `doc`):
//! results that rank equally are shown in that order, so callers should
//! number docs newest first.
//!
//! # Building
//!
//! Docs are processed in chunks of [`CHUNK`]: the docs of a chunk are
//! tokenized in parallel into per-group key buckets (a group is a fixed
//! slice of the term hash space), then every group appends the chunk's
//! postings to its own term lists in parallel, in doc order, while the
//! chunk's fragment files are written. Only one chunk of texts is alive at a
//! time; a term list is a delta-varint buffer that turns into a bitmap when
//! that is smaller, so memory is bounded by the postings, at most one bit
//! per doc and term. Shards and lists are written at the end. The output
//! depends on the docs only, never on the number of threads.

pub mod format;
pub mod hanzi;
pub mod reader;
pub mod tokenize;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use format::{put_varint, ListBuilder};

/// The index's main file (under `search/`), written on every build.
pub const MAIN_FILE: &str = "meta.json";

/// Format version (in `meta.json`; the client refuses other versions).
pub const VERSION: u32 = 2;
/// The theme strings the client writes (the page gives them in the form's
/// `data-strings`, without the `search_` prefix).
pub const SCRIPT_STRINGS: &[&str] = &[
    "search_busy",
    "search_empty",
    "search_none",
    "search_no_match",
    "search_failed",
    "search_found",
    "search_found_min",
    "search_shown",
    "search_title_only",
    "search_date_pattern",
    "search_months",
    "match_exact",
    "match_all",
    "match_partial",
];

/// Docs per fragment file.
pub const FRAG: usize = 4;
/// Characters of text kept per doc in the fragments.
pub const TEXT_CAP: usize = 1500;
/// Doc lists up to this many encoded bytes stay inside their shard.
pub const INLINE_MAX: usize = 256;
/// Docs processed per chunk (a multiple of `FRAG`).
pub const CHUNK: usize = 4096;
/// Tokenizing work unit within a chunk.
const BATCH: usize = 32;
/// Groups of the term space, built in parallel.
const GROUP_BITS: u32 = 6;
const GROUPS: usize = 1 << GROUP_BITS;
/// The shard count is the smallest power of two giving shards of about
/// this many bytes.
/// (Tiny in tests, so that small test indexes have many shards.)
const SHARD_TARGET: usize = if cfg!(test) { 256 } else { 12 * 1024 };
/// Marks a doc number in a key bucket (keys never have bit 63 set).
const MARK: u64 = 1 << 63;

/// One searchable record, produced on demand by the caller.
pub struct Doc {
    /// Root-relative link, e.g. "/xieshang/shezhu/nanshan/topics/road/".
    pub url: String,
    pub title: String,
    /// The record's tags, space-separated: indexed with the title, so that
    /// they rank as high.
    pub tags: String,
    /// "议题" | "协商会议" | "协商成果" (label, for display).
    pub kind: String,
    /// "社渚镇 · 南山村".
    pub place: String,
    /// "2024-05-01".
    pub date: String,
    /// Status label, e.g. "实施中"; topics only.
    pub status: Option<String>,
    /// Plain text to search: summary, body, tags, place names, topic type.
    pub text: String,
    pub facets: DocFacets,
}

/// The facet values of one doc.
#[derive(Clone, Debug, Default)]
pub struct DocFacets {
    /// Ids (indexes into `Facets::places`) of the record's place and all
    /// its ancestors and the villages it concerns.
    pub places: Vec<u32>,
    /// Index into `Facets::topic_types`.
    pub topic_type: Option<u32>,
    /// A year of `Facets::years`.
    pub year: i32,
    /// Index into `Facets::statuses`.
    pub status: Option<u32>,
}

/// A place offered by the place filter.
#[derive(Clone, Debug, Serialize)]
pub struct FacetPlace {
    /// Full name, e.g. "社渚镇 · 南山村".
    pub name: String,
    pub depth: u8,
}

/// The values the filters offer (shown as `<select>`s).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Facets {
    pub places: Vec<FacetPlace>,
    pub topic_types: Vec<String>,
    pub years: Vec<i32>,
    pub statuses: Vec<String>,
}

/// What `build` wrote.
#[derive(Clone, Debug, Default)]
pub struct IndexStats {
    pub docs: usize,
    /// Files handed to `put`.
    pub files: usize,
    /// Their total size.
    pub bytes: u64,
    pub largest_file: u64,
    /// Distinct terms (both namespaces).
    pub terms: usize,
    pub shards: usize,
    /// Term lists stored in their own file.
    pub external_lists: usize,
    /// Whether docs came newest first (dates never increasing), the order
    /// results that rank equally are shown in.
    pub newest_first: bool,
}

/// A fast hasher for term keys (a folded 128-bit multiply).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64 ^ self.0.rotate_left(8));
        }
    }
    #[inline]
    fn write_u64(&mut self, k: u64) {
        let m = (k as u128).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
        self.0 = (m >> 64) as u64 ^ m as u64;
    }
}

/// The terms of one group and their doc lists.
type Group = HashMap<u64, ListBuilder, BuildHasherDefault<KeyHasher>>;

/// The group of a key (any fixed function of it will do).
#[inline]
fn group_of(k: u64) -> usize {
    (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - GROUP_BITS)) as usize
}

/// The tokenized output of one batch of docs.
struct Batch {
    /// Per group: doc marks (`MARK | doc`) each followed by that doc's keys.
    buckets: Vec<Vec<u64>>,
    /// Per doc: its fragment entry (JSON object).
    entries: Vec<Vec<u8>>,
    facets: Vec<DocFacets>,
    dates: Vec<String>,
}

#[derive(Serialize)]
struct Entry<'a> {
    u: &'a str,
    t: &'a str,
    k: &'a str,
    p: &'a str,
    d: &'a str,
    s: Option<&'a str>,
    x: &'a str,
    c: u8,
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// The path of fragment `n` (relative to `search/`).
pub fn fragment_path(n: usize) -> String {
    format!("d/{}/{}.json", n >> 10, n & 1023)
}

fn tokenize_batch(first: usize, end: usize, doc: &(dyn Fn(usize) -> Doc + Sync)) -> Batch {
    let mut buckets: Vec<Vec<u64>> = vec![Vec::new(); GROUPS];
    let mut marked = [u32::MAX; GROUPS];
    let mut entries = Vec::with_capacity(end - first);
    let mut facets = Vec::with_capacity(end - first);
    let mut dates = Vec::with_capacity(end - first);
    for i in first..end {
        let d = doc(i);
        let id = i as u32;
        let mut emit = |k: u64| {
            let g = group_of(k);
            if marked[g] != id {
                marked[g] = id;
                buckets[g].push(MARK | id as u64);
            }
            buckets[g].push(k);
        };
        tokenize::tokens(&d.title, true, &mut emit);
        tokenize::tokens(&d.tags, true, &mut emit);
        tokenize::tokens(&d.title, false, &mut emit);
        tokenize::tokens(&d.text, false, &mut emit);
        let cut = d.text.char_indices().nth(TEXT_CAP).map(|(p, _)| p);
        let entry = Entry {
            u: &d.url,
            t: &d.title,
            k: &d.kind,
            p: &d.place,
            d: &d.date,
            s: d.status.as_deref(),
            x: &d.text[..cut.unwrap_or(d.text.len())],
            c: cut.is_some() as u8,
        };
        entries.push(serde_json::to_vec(&entry).unwrap_or_default());
        facets.push(d.facets);
        dates.push(d.date);
    }
    Batch {
        buckets,
        entries,
        facets,
        dates,
    }
}

/// Doc lists of the facet values, filled in doc order.
struct FacetLists {
    places: Vec<Vec<u32>>,
    types: Vec<Vec<u32>>,
    years: Vec<Vec<u32>>,
    statuses: Vec<Vec<u32>>,
    year_index: HashMap<i32, usize>,
}

impl FacetLists {
    fn new(f: &Facets) -> FacetLists {
        FacetLists {
            places: vec![Vec::new(); f.places.len()],
            types: vec![Vec::new(); f.topic_types.len()],
            years: vec![Vec::new(); f.years.len()],
            statuses: vec![Vec::new(); f.statuses.len()],
            year_index: f.years.iter().enumerate().map(|(i, &y)| (y, i)).collect(),
        }
    }

    fn add(&mut self, doc: u32, f: &DocFacets) -> io::Result<()> {
        fn push(lists: &mut [Vec<u32>], i: u32, doc: u32, what: &str) -> io::Result<()> {
            let list = lists
                .get_mut(i as usize)
                .ok_or_else(|| invalid(format!("search: doc {doc}: no {what} {i}")))?;
            if list.last() != Some(&doc) {
                list.push(doc);
            }
            Ok(())
        }
        for &p in &f.places {
            push(&mut self.places, p, doc, "place")?;
        }
        if let Some(t) = f.topic_type {
            push(&mut self.types, t, doc, "topic type")?;
        }
        if let Some(s) = f.status {
            push(&mut self.statuses, s, doc, "status")?;
        }
        let y = *self
            .year_index
            .get(&f.year)
            .ok_or_else(|| invalid(format!("search: doc {doc}: year {} not in facets", f.year)))?;
        push(&mut self.years, y as u32, doc, "year")
    }
}

/// Build the index of docs `0..n`. `doc(i)` is called once per doc, in
/// parallel; files are handed to `put(path_relative_to_output_root, bytes)`
/// (paths under "search/"), from any thread.
pub fn build(
    n: usize,
    doc: &(dyn Fn(usize) -> Doc + Sync),
    facets: &Facets,
    put: &(dyn Fn(&str, Vec<u8>) -> io::Result<()> + Sync),
) -> io::Result<IndexStats> {
    if n > u32::MAX as usize / 2 {
        return Err(invalid(format!("search: too many docs ({n})")));
    }
    let files = AtomicUsize::new(0);
    let bytes = AtomicU64::new(0);
    let largest = AtomicU64::new(0);
    let emit = |path: &str, data: Vec<u8>| -> io::Result<()> {
        files.fetch_add(1, Ordering::Relaxed);
        bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
        largest.fetch_max(data.len() as u64, Ordering::Relaxed);
        put(&crate::route::search_file(path), data)
    };

    let bitmap_bytes = n.div_ceil(8).max(1);
    let mut groups: Vec<Group> = (0..GROUPS).map(|_| Group::default()).collect();
    let mut facet_lists = FacetLists::new(facets);
    let mut newest_first = true;
    let mut last_date: Option<String> = None;

    for start in (0..n).step_by(CHUNK) {
        let end = (start + CHUNK).min(n);
        let batches: Vec<Batch> = (start..end)
            .into_par_iter()
            .step_by(BATCH)
            .map(|b| tokenize_batch(b, (b + BATCH).min(end), doc))
            .collect();
        let (appended, written) = rayon::join(
            || {
                groups.par_iter_mut().enumerate().for_each(|(g, group)| {
                    let mut cur = 0u32;
                    for batch in &batches {
                        for &k in &batch.buckets[g] {
                            if k & MARK != 0 {
                                cur = k as u32;
                                continue;
                            }
                            group.entry(k).or_default().push(cur, bitmap_bytes);
                        }
                    }
                });
            },
            || -> io::Result<()> {
                let entries: Vec<&Vec<u8>> = batches.iter().flat_map(|b| &b.entries).collect();
                entries
                    .par_chunks(FRAG)
                    .enumerate()
                    .try_for_each(|(j, docs)| {
                        let size: usize = docs.iter().map(|e| e.len() + 1).sum();
                        let mut out = Vec::with_capacity(size + 2);
                        out.push(b'[');
                        for (i, e) in docs.iter().enumerate() {
                            if i > 0 {
                                out.push(b',');
                            }
                            out.extend_from_slice(e);
                        }
                        out.push(b']');
                        emit(&fragment_path(start / FRAG + j), out)
                    })
            },
        );
        let _: () = appended;
        written?;
        let mut id = start as u32;
        for batch in batches {
            for (f, date) in batch.facets.iter().zip(batch.dates) {
                facet_lists.add(id, f)?;
                if let Some(prev) = &last_date {
                    if date > *prev {
                        newest_first = false;
                    }
                }
                last_date = Some(date);
                id += 1;
            }
        }
    }

    // Shards: the smallest power of two giving about SHARD_TARGET bytes each.
    let mut estimate = 0usize;
    let mut terms: Vec<(u32, u64, &ListBuilder)> = Vec::new(); // (hash, key, list)
    for group in &groups {
        for (&k, list) in group {
            estimate += 10
                + if list.encoded_len() <= INLINE_MAX {
                    list.encoded_len()
                } else {
                    3
                };
            terms.push((tokenize::key_hash(k), k, list));
        }
    }
    let shards = estimate
        .div_ceil(SHARD_TARGET)
        .next_power_of_two()
        .clamp(1, 1 << 16);
    terms.par_sort_unstable_by_key(|&(h, k, _)| (h as usize % shards, k));
    let mut bounds = vec![0usize; shards + 1];
    for &(h, ..) in &terms {
        bounds[h as usize % shards + 1] += 1;
    }
    for s in 0..shards {
        bounds[s + 1] += bounds[s];
    }
    let external = AtomicUsize::new(0);
    (0..shards)
        .into_par_iter()
        .try_for_each(|s| -> io::Result<()> {
            let mine = &terms[bounds[s]..bounds[s + 1]];
            let mut out = Vec::with_capacity(64 + mine.len() * 16);
            put_varint(&mut out, mine.len() as u64);
            let mut chars = Vec::new();
            let mut list = Vec::new();
            for (k, &(_, key, l)) in mine.iter().enumerate() {
                tokenize::key_text(key, &mut chars);
                put_varint(&mut out, tokenize::is_title(key) as u64);
                put_varint(&mut out, chars.len() as u64);
                for &c in &chars {
                    put_varint(&mut out, c as u64);
                }
                put_varint(&mut out, l.df as u64);
                list.clear();
                l.encode(&mut list);
                if list.len() <= INLINE_MAX {
                    put_varint(&mut out, 0);
                    put_varint(&mut out, list.len() as u64);
                    out.extend_from_slice(&list);
                } else {
                    put_varint(&mut out, 1);
                    put_varint(&mut out, list.len() as u64);
                    external.fetch_add(1, Ordering::Relaxed);
                    emit(&format!("p/{s}/{k}.bin"), std::mem::take(&mut list))?;
                }
            }
            emit(&format!("s/{s}.bin"), out)
        })?;

    // Facet lists.
    let mut facet_files: Vec<(String, &Vec<u32>)> = Vec::new();
    for (c, lists) in [
        ('p', &facet_lists.places),
        ('t', &facet_lists.types),
        ('y', &facet_lists.years),
        ('s', &facet_lists.statuses),
    ] {
        for (i, l) in lists.iter().enumerate() {
            if !l.is_empty() {
                facet_files.push((format!("f/{c}{i}.bin"), l));
            }
        }
    }
    facet_files.par_iter().try_for_each(|(path, docs)| {
        let mut out = Vec::new();
        format::encode_docs(docs, n, &mut out);
        emit(path, out)
    })?;

    // The folding map the client needs: pairs whose folded character occurs
    // in a term (a Han character alone in a body is not searchable there).
    let mut seen = vec![0u64; (char::MAX as usize + 1).div_ceil(64)];
    let mut chars = Vec::new();
    for &(_, key, _) in &terms {
        if tokenize::kind(key) != tokenize::BODY_WORD && tokenize::kind(key) != tokenize::TITLE_WORD
        {
            tokenize::key_text(key, &mut chars);
            for &c in &chars {
                seen[c as usize >> 6] |= 1 << (c as u32 & 63);
            }
        }
    }
    let fold = hanzi::map_for(|c| seen[c as usize >> 6] & (1 << (c as u32 & 63)) != 0);

    let counts = |lists: &[Vec<u32>]| lists.iter().map(|l| l.len()).collect::<Vec<_>>();
    let meta = serde_json::json!({
        "version": VERSION,
        "docs": n,
        "shards": shards,
        "frag": FRAG,
        "text_cap": TEXT_CAP,
        "counts": {
            "places": counts(&facet_lists.places),
            "topic_types": counts(&facet_lists.types),
            "years": counts(&facet_lists.years),
            "statuses": counts(&facet_lists.statuses),
        },
        "fold": fold,
    });
    emit(
        "meta.json",
        serde_json::to_vec(&meta).map_err(io::Error::other)?,
    )?;
    emit(
        "facets.json",
        serde_json::to_vec(facets).map_err(io::Error::other)?,
    )?;

    Ok(IndexStats {
        docs: n,
        files: files.load(Ordering::Relaxed),
        bytes: bytes.load(Ordering::Relaxed),
        largest_file: largest.load(Ordering::Relaxed),
        terms: terms.len(),
        shards,
        external_lists: external.load(Ordering::Relaxed),
        newest_first,
    })
}
