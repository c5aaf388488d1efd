//! A Rust mirror of the query algorithm of `search.js`, for tests and
//! benchmarks: it reads the index through a `fetch` function and counts
//! every byte it fetches, exactly as the browser would.
//!
//! 1. `meta.json`; the query is normalized and split at spaces into
//!    phrases; their body terms (bigrams, words) must all be present. A
//!    query of single Han characters only searches titles (their
//!    characters are indexed there).
//! 2. The shards of all terms are fetched. The rarest term's list is always
//!    fetched; the others are added rarest first while their external lists
//!    fit in [`LIST_BUDGET`] bytes (inline lists cost nothing more).
//!    Filter lists are fetched for the filters set.
//! 3. The lists are intersected. Ranking: records whose *title* has all the
//!    title terms (title lists, within [`TITLE_BUDGET`]) first, then the
//!    others; each part in doc order (newest first).
//! 4. A page is filled by fetching the fragments of the next candidates and
//!    keeping those whose title or text contains every phrase (a record
//!    whose text was cut is kept when its kept text cannot tell).
//!
//! The count is exact when every phrase is a single indexed term and every
//! term list was used; otherwise it is an upper bound until all candidates
//! have been checked.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};

use super::format::{decode_docs, get_varint, BITMAP};
use super::tokenize::{self, Term};

/// Bytes of external body lists fetched beyond the rarest one.
pub const LIST_BUDGET: usize = 160 * 1024;
/// Bytes of title lists fetched for ranking.
pub const TITLE_BUDGET: usize = 48 * 1024;
/// Rounds of fragment fetches to fill one page.
pub const MAX_ROUNDS: usize = 4;

/// A query: text and filters (indexes into the facet lists).
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub q: String,
    pub place: Option<u32>,
    pub topic_type: Option<u32>,
    pub year: Option<u32>,
    pub status: Option<u32>,
}

/// One shown record.
#[derive(Clone, Debug)]
pub struct Hit {
    pub doc: u32,
    pub url: String,
    pub title: String,
    /// The title contains every phrase.
    pub in_title: bool,
    /// The phrases were found (false only for cut texts).
    pub verified: bool,
}

/// The outcome of a query's first page.
#[derive(Clone, Debug, Default)]
pub struct Results {
    /// Candidates (exact when `exact`).
    pub total: usize,
    pub exact: bool,
    pub hits: Vec<Hit>,
    /// Everything fetched: files and bytes.
    pub files: usize,
    pub bytes: u64,
    pub fetched: Vec<String>,
}

#[derive(Clone, Debug)]
struct Entry {
    df: u32,
    inline: Option<Vec<u8>>,
    len: usize,
    shard: usize,
    index: usize,
}

/// An index read through `fetch(path relative to search/)`.
pub struct Reader<F: Fn(&str) -> Option<Vec<u8>>> {
    fetch: F,
    /// Docs in the index.
    pub docs: usize,
    shards: usize,
    frag: usize,
    counts: HashMap<char, Vec<usize>>,
    log: RefCell<Vec<String>>,
    bytes: Cell<u64>,
}

/// A doc list, decoded or as a bitmap.
enum List {
    Ids(Vec<u32>),
    Bits(Vec<u8>),
}

impl List {
    fn from_bytes(b: &[u8]) -> Option<List> {
        if b.first() == Some(&BITMAP) {
            Some(List::Bits(b[1..].to_vec()))
        } else {
            decode_docs(b).map(List::Ids)
        }
    }
    fn has(&self, d: u32) -> bool {
        match self {
            List::Ids(v) => v.binary_search(&d).is_ok(),
            List::Bits(b) => b
                .get((d >> 3) as usize)
                .is_some_and(|x| x & (1 << (d & 7)) != 0),
        }
    }
    fn len_hint(&self) -> usize {
        match self {
            List::Ids(v) => v.len(),
            List::Bits(b) => b.len() * 8,
        }
    }
    fn ids(&self) -> Vec<u32> {
        match self {
            List::Ids(v) => v.clone(),
            List::Bits(b) => {
                let mut v = vec![BITMAP];
                v.extend_from_slice(b);
                decode_docs(&v).unwrap_or_default()
            }
        }
    }
}

fn intersect(mut lists: Vec<List>) -> Vec<u32> {
    lists.sort_by_key(|l| (matches!(l, List::Bits(_)), l.len_hint()));
    let Some(first) = lists.first() else {
        return Vec::new();
    };
    first
        .ids()
        .into_iter()
        .filter(|&d| lists[1..].iter().all(|l| l.has(d)))
        .collect()
}

fn json_str(v: &serde_json::Value, k: &str) -> String {
    v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string()
}

impl<F: Fn(&str) -> Option<Vec<u8>>> Reader<F> {
    /// Open the index (fetches `meta.json`).
    pub fn open(fetch: F) -> Option<Reader<F>> {
        let r = Reader {
            fetch,
            docs: 0,
            shards: 1,
            frag: 1,
            counts: HashMap::new(),
            log: RefCell::new(Vec::new()),
            bytes: Cell::new(0),
        };
        let meta: serde_json::Value = serde_json::from_slice(&r.get("meta.json")?).ok()?;
        if meta["version"].as_u64()? != super::VERSION as u64 {
            return None;
        }
        let mut counts = HashMap::new();
        for (c, k) in [
            ('p', "places"),
            ('t', "topic_types"),
            ('y', "years"),
            ('s', "statuses"),
        ] {
            let v = meta["counts"][k]
                .as_array()?
                .iter()
                .map(|x| x.as_u64().unwrap_or(0) as usize)
                .collect();
            counts.insert(c, v);
        }
        Some(Reader {
            docs: meta["docs"].as_u64()? as usize,
            shards: meta["shards"].as_u64()? as usize,
            frag: meta["frag"].as_u64()? as usize,
            counts,
            ..r
        })
    }

    fn get(&self, path: &str) -> Option<Vec<u8>> {
        let b = (self.fetch)(path)?;
        self.log.borrow_mut().push(path.to_string());
        self.bytes.set(self.bytes.get() + b.len() as u64);
        Some(b)
    }

    fn shard(&self, s: usize) -> Option<HashMap<Term, Entry>> {
        let b = self.get(&format!("s/{s}.bin"))?;
        let mut pos = 0;
        let n = get_varint(&b, &mut pos)?;
        let mut map = HashMap::new();
        for index in 0..n as usize {
            let ns = get_varint(&b, &mut pos)?;
            let nc = get_varint(&b, &mut pos)?;
            let mut text = String::new();
            for _ in 0..nc {
                text.push(char::from_u32(get_varint(&b, &mut pos)? as u32)?);
            }
            let df = get_varint(&b, &mut pos)? as u32;
            let loc = get_varint(&b, &mut pos)?;
            let len = get_varint(&b, &mut pos)? as usize;
            let inline = if loc == 0 {
                let l = b.get(pos..pos + len)?.to_vec();
                pos += len;
                Some(l)
            } else {
                None
            };
            let term = Term {
                title: ns == 1,
                text,
            };
            map.insert(
                term,
                Entry {
                    df,
                    inline,
                    len,
                    shard: s,
                    index,
                },
            );
        }
        Some(map)
    }

    fn list(&self, e: &Entry) -> Option<List> {
        match &e.inline {
            Some(b) => List::from_bytes(b),
            None => List::from_bytes(&self.get(&format!("p/{}/{}.bin", e.shard, e.index))?),
        }
    }

    /// Choose lists rarest first within `budget` external bytes (the rarest
    /// always when `first_free`); returns the lists and whether all were used.
    fn choose(
        &self,
        entries: &[&Entry],
        budget: usize,
        first_free: bool,
    ) -> Option<(Vec<List>, bool)> {
        let mut order: Vec<&Entry> = entries.to_vec();
        order.sort_by_key(|e| (e.df, e.shard, e.index));
        let mut spent = 0;
        let mut lists = Vec::new();
        let mut all = true;
        for (i, e) in order.iter().enumerate() {
            let cost = if e.inline.is_some() { 0 } else { e.len };
            if (i == 0 && first_free) || spent + cost <= budget {
                spent += cost;
                lists.push(self.list(e)?);
            } else {
                all = false;
            }
        }
        Some((lists, all))
    }

    /// Run `q` and fill its first page of `page` results.
    pub fn search(&self, q: &Query, page: usize) -> Option<Results> {
        self.log.borrow_mut().clear();
        self.bytes.set(0);
        let norm = tokenize::normalize_str(&q.q);
        let phrases: Vec<String> = norm
            .split_whitespace()
            .map(str::to_string)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut body: Vec<Term> = Vec::new();
        let mut title: Vec<Term> = Vec::new();
        let mut chars: Vec<Term> = Vec::new();
        let mut single = true; // every phrase is exactly one term
        for p in &phrases {
            let b = tokenize::terms(p, false);
            single &= b.len() == 1 && b[0].1.text == *p;
            body.extend(b.into_iter().map(|(_, t)| t));
            for (k, t) in tokenize::terms(p, true) {
                if tokenize::kind(k) == tokenize::TITLE_CHAR {
                    chars.push(t);
                } else {
                    title.push(t);
                }
            }
        }
        let title_only = !phrases.is_empty() && body.is_empty();
        if title_only {
            single = phrases.iter().all(|p| p.chars().count() == 1);
            body = chars;
            title.clear();
        }
        if !phrases.is_empty() && body.is_empty() {
            return Some(self.done(Vec::new(), 0, true));
        }
        body.sort();
        body.dedup();
        title.sort();
        title.dedup();

        // Shards of every term.
        let mut shard_ids: Vec<usize> = body
            .iter()
            .chain(&title)
            .map(|t| {
                let cs: Vec<char> = t.text.chars().collect();
                tokenize::term_hash(&cs) as usize % self.shards
            })
            .collect();
        shard_ids.sort_unstable();
        shard_ids.dedup();
        let mut dict: HashMap<Term, Entry> = HashMap::new();
        for s in shard_ids {
            dict.extend(self.shard(s)?);
        }
        let mut entries = Vec::new();
        for t in &body {
            match dict.get(t) {
                Some(e) => entries.push(e),
                None => return Some(self.done(Vec::new(), 0, true)),
            }
        }
        let filters: Vec<(char, u32)> = [
            ('p', q.place),
            ('t', q.topic_type),
            ('y', q.year),
            ('s', q.status),
        ]
        .into_iter()
        .filter_map(|(c, v)| Some((c, v?)))
        .collect();
        for &(c, i) in &filters {
            if self.counts[&c].get(i as usize).copied().unwrap_or(0) == 0 {
                return Some(self.done(Vec::new(), 0, true));
            }
        }
        let mut lists = Vec::new();
        let mut all_used = true;
        if !entries.is_empty() {
            let (l, all) = self.choose(&entries, LIST_BUDGET, true)?;
            lists.extend(l);
            all_used = all;
        }
        for &(c, i) in &filters {
            lists.push(List::from_bytes(&self.get(&format!("f/{c}{i}.bin"))?)?);
        }
        // No lists: no query and no filter.
        let candidates = intersect(lists);

        // Ranking: title hits first.
        let mut in_title: Vec<u32> = Vec::new();
        if title_only {
            in_title = candidates.clone();
        } else if !title.is_empty() && !candidates.is_empty() {
            let entries: Option<Vec<&Entry>> = title.iter().map(|t| dict.get(t)).collect();
            if let Some(entries) = entries {
                let (mut tl, _) = self.choose(&entries, TITLE_BUDGET, false)?;
                if !tl.is_empty() {
                    tl.push(List::Ids(candidates.clone()));
                    in_title = intersect(tl);
                }
            }
        }
        let mut order = in_title.clone();
        order.extend(
            candidates
                .iter()
                .filter(|d| in_title.binary_search(d).is_err()),
        );

        // First page: fetch, verify.
        let exact = phrases.is_empty() || (single && all_used);
        let mut hits = Vec::new();
        let mut frags: HashMap<usize, serde_json::Value> = HashMap::new();
        let mut next = 0;
        let mut dropped = 0;
        for _ in 0..MAX_ROUNDS {
            if hits.len() >= page || next >= order.len() {
                break;
            }
            let want = page - hits.len();
            let batch = &order[next..(next + want).min(order.len())];
            next += batch.len();
            for &d in batch {
                let f = d as usize / self.frag;
                if let std::collections::hash_map::Entry::Vacant(v) = frags.entry(f) {
                    let b = self.get(&super::fragment_path(f))?;
                    v.insert(serde_json::from_slice(&b).ok()?);
                }
                let e = &frags[&f][d as usize % self.frag];
                let t = json_str(e, "t");
                let x = json_str(e, "x");
                let nt = tokenize::normalize_str(&t);
                let nx = tokenize::normalize_str(&x);
                let in_t = phrases.iter().all(|p| nt.contains(p.as_str()));
                let found = title_only && in_t
                    || !title_only && phrases.iter().all(|p| nt.contains(p) || nx.contains(p));
                let cut = e.get("c").and_then(|c| c.as_u64()) == Some(1);
                if found || (cut && !title_only) {
                    hits.push(Hit {
                        doc: d,
                        url: json_str(e, "u"),
                        title: t,
                        in_title: in_t,
                        verified: found,
                    });
                } else {
                    dropped += 1;
                }
            }
        }
        let total = order.len() - dropped;
        let exact = exact || (next >= order.len());
        Some(self.done(hits, total, exact))
    }

    fn done(&self, hits: Vec<Hit>, total: usize, exact: bool) -> Results {
        let fetched = self.log.borrow().clone();
        Results {
            total,
            exact,
            hits,
            files: fetched.len(),
            bytes: self.bytes.get(),
            fetched,
        }
    }
}
