//! A Rust mirror of the query algorithm of `search.js`, for tests and
//! benchmarks: it reads the index through a `fetch` function and counts
//! every byte it fetches, exactly as the browser would.
//!
//! 1. **Words** ([`analyze`]): the query is normalized and folded
//!    (`tokenize::normalize`) and split at spaces into phrases. Every Han
//!    character of a run of two or more and every Latin word is a *unit*;
//!    the *terms* are the runs' bigrams (each covers two units) and the
//!    words (one unit each). A query of single Han characters only searches
//!    titles, where characters are indexed, with one term per character.
//!    At most [`MAX_UNITS`] units count.
//! 2. **Lists**: `meta.json`, the shards of the terms, then the terms' doc
//!    lists, rarest first, the rarest always and the others while their
//!    external lists fit in [`LIST_BUDGET`] bytes; title lists (titles and
//!    tags) within [`TITLE_BUDGET`], for ranking; filter lists.
//! 3. **Matches**: a record's *coverage* is the number of units covered by
//!    the terms it contains. With every term, it is a phrase candidate;
//!    covering every unit, it contains all the words (拓宽道路 in a record
//!    with 拓宽 and 道路 but not 宽道); covering more than half, some of
//!    them; anything less is not a result. Each group is ranked by title
//!    coverage, then coverage, then doc order (newest first).
//! 4. **Pages**: phrase candidates are shown first, each checked on its
//!    text: a record whose title or text holds every phrase is an exact
//!    match (完全匹配); the others join the all-words group (包含全部词语)
//!    at their rank, and so do all the unchecked ones once a page has
//!    spent [`MAX_ROUNDS`] rounds of fetches on checking (a query whose
//!    phrase the index cannot see, such as `2024预算`, still fills its
//!    pages). A term in no record rules the phrase out at once. Then
//!    all-words records, then some-words ones (部分匹配), with no check:
//!    the index already proves what they say.
//!
//! The count is the number of records in the three groups: it is exact
//! when every term's list was read (or the term is in no record), and a
//! lower bound otherwise; moving a record between groups never changes
//! it, so it never shrinks as pages are loaded.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};

use super::format::{decode_docs, get_varint, BITMAP};
use super::tokenize::{self, Term};

/// Bytes of external body lists fetched beyond the rarest one.
pub const LIST_BUDGET: usize = 256 * 1024;
/// Bytes of external title lists fetched for ranking.
pub const TITLE_BUDGET: usize = 64 * 1024;
/// Rounds of fragment fetches spent checking phrase candidates per page;
/// after them, the unchecked candidates join the all-words group.
pub const MAX_ROUNDS: usize = 3;
/// Units of a query that count (characters and words; the rest of a very
/// long query is only checked as part of the phrase).
pub const MAX_UNITS: u32 = 30;

/// A query: text and filters (indexes into the facet lists).
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub q: String,
    pub place: Option<u32>,
    pub topic_type: Option<u32>,
    pub year: Option<u32>,
    pub status: Option<u32>,
}

/// What kind of match a result is, as the results say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    /// 完全匹配: the title or text holds every phrase as typed.
    Exact,
    /// 包含全部词语: every character and word of the query is covered.
    AllWords,
    /// 部分匹配: more than half of it is.
    Partial,
    /// No words were typed: a record of the filters.
    Filter,
}

/// One shown record.
#[derive(Clone, Debug)]
pub struct Hit {
    pub doc: u32,
    pub url: String,
    pub title: String,
    pub matched: Match,
    /// Its title and tags cover the whole query.
    pub in_title: bool,
}

/// The outcome of a query's first page.
#[derive(Clone, Debug, Default)]
pub struct Results {
    /// Results in all groups (a lower bound unless `exact`).
    pub total: usize,
    pub exact: bool,
    pub hits: Vec<Hit>,
    /// Everything fetched: files and bytes.
    pub files: usize,
    pub bytes: u64,
    pub fetched: Vec<String>,
}

/// A term of a query and the units it covers (bit `u` for unit `u`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryTerm {
    /// The indexed text: a bigram, a word's first `WORD_MAX` characters or
    /// (title-only queries) a character.
    pub text: String,
    pub covers: u32,
}

/// The words of a query (`search.js`: `analyze`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Normalized phrases, sorted, distinct.
    pub phrases: Vec<String>,
    /// Terms in first-seen order, distinct.
    pub terms: Vec<QueryTerm>,
    /// Number of units.
    pub units: u32,
    /// Only single Han characters: a title search.
    pub title_only: bool,
    /// Every phrase is one run (of Han characters or a word), so the index
    /// sees the whole phrase through its bigrams and a record with every
    /// term almost always holds it. A phrase like `2024预算` is two runs:
    /// its candidates get one round of checks, not [`MAX_ROUNDS`].
    pub chained: bool,
}

/// Split a query into phrases, units and terms (see the module comment).
pub fn analyze(q: &str) -> Analysis {
    let norm = tokenize::normalize_str(q);
    let phrases: Vec<String> = norm
        .split_whitespace()
        .map(str::to_string)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut a = Analysis {
        phrases,
        ..Analysis::default()
    };
    let mut singles: Vec<char> = Vec::new();
    fn add(terms: &mut Vec<QueryTerm>, text: String, covers: u32) {
        match terms.iter_mut().find(|t| t.text == text) {
            Some(t) => t.covers |= covers,
            None => terms.push(QueryTerm { text, covers }),
        }
    }
    a.chained = true;
    'phrases: for p in &a.phrases {
        let cs: Vec<char> = p.chars().collect();
        let mut runs = 0;
        let mut i = 0;
        while i < cs.len() {
            let word = cs[i].is_ascii_alphanumeric();
            let han = tokenize::is_han(cs[i]);
            if !word && !han {
                i += 1;
                continue;
            }
            runs += 1;
            if runs > 1 {
                a.chained = false;
            }
            let mut j = i + 1;
            while j < cs.len()
                && (if word {
                    cs[j].is_ascii_alphanumeric()
                } else {
                    tokenize::is_han(cs[j])
                })
            {
                j += 1;
            }
            if word {
                if a.units >= MAX_UNITS {
                    break 'phrases;
                }
                let text: String = cs[i..j].iter().take(tokenize::WORD_MAX).collect();
                add(&mut a.terms, text, 1 << a.units);
                a.units += 1;
            } else if j - i == 1 {
                singles.push(cs[i]);
            } else {
                for k in i..j - 1 {
                    if a.units + 2 > MAX_UNITS {
                        a.units += (k > i) as u32;
                        break 'phrases;
                    }
                    add(&mut a.terms, cs[k..k + 2].iter().collect(), 3 << a.units);
                    a.units += 1;
                }
                a.units += 1;
            }
            i = j;
        }
    }
    if a.terms.is_empty() && !singles.is_empty() {
        a.title_only = true;
        for c in singles {
            if a.units < MAX_UNITS && !a.terms.iter().any(|t| t.text == c.to_string()) {
                a.terms.push(QueryTerm {
                    text: c.to_string(),
                    covers: 1 << a.units,
                });
                a.units += 1;
            }
        }
    }
    a
}

/// The units covered by the terms of `mask`.
fn coverage(terms: &[QueryTerm], mask: u32) -> u32 {
    let mut covered = 0u32;
    for (j, t) in terms.iter().enumerate() {
        if mask & (1 << j) != 0 {
            covered |= t.covers;
        }
    }
    covered.count_ones()
}

/// A result waiting to be shown.
#[derive(Clone, Copy, Debug)]
struct Cand {
    doc: u32,
    /// Units covered by title terms, and by all terms.
    tcov: u32,
    cov: u32,
}

impl Cand {
    fn key(&self) -> (std::cmp::Reverse<u32>, std::cmp::Reverse<u32>, u32) {
        (
            std::cmp::Reverse(self.tcov),
            std::cmp::Reverse(self.cov),
            self.doc,
        )
    }
}

/// A query in progress: its groups and how far each has been shown.
#[derive(Debug, Default)]
pub struct Session {
    a: Analysis,
    /// Phrase candidates, all words, some words (or, with no words, the
    /// records of the filters in the first group).
    groups: [Vec<Cand>; 3],
    next: [usize; 3],
    filter_only: bool,
    /// See [`Results`].
    pub total: usize,
    pub exact: bool,
    frags: HashMap<usize, serde_json::Value>,
}

impl Session {
    /// Whether results remain to be shown.
    pub fn more(&self) -> bool {
        (0..3).any(|g| self.next[g] < self.groups[g].len())
    }
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
    /// always when `first_free`): the chosen (term, list) pairs and whether
    /// all were chosen.
    fn choose(
        &self,
        entries: &[(usize, &Entry)],
        budget: usize,
        first_free: bool,
    ) -> Option<(Vec<(usize, List)>, bool)> {
        let mut order: Vec<(usize, &Entry)> = entries.to_vec();
        order.sort_by_key(|(_, e)| (e.df, e.shard, e.index));
        let mut spent = 0;
        let mut lists = Vec::new();
        let mut all = true;
        for (i, (j, e)) in order.iter().enumerate() {
            let cost = if e.inline.is_some() { 0 } else { e.len };
            if (i == 0 && first_free) || spent + cost <= budget {
                spent += cost;
                lists.push((*j, self.list(e)?));
            } else {
                all = false;
            }
        }
        Some((lists, all))
    }

    /// Run `q`: read its lists and group its results (nothing shown yet).
    pub fn start(&self, q: &Query) -> Option<Session> {
        self.log.borrow_mut().clear();
        self.bytes.set(0);
        let a = analyze(&q.q);
        let mut s = Session {
            exact: true,
            ..Session::default()
        };
        let filters: Vec<(char, u32)> = [
            ('p', q.place),
            ('t', q.topic_type),
            ('y', q.year),
            ('s', q.status),
        ]
        .into_iter()
        .filter_map(|(c, v)| Some((c, v?)))
        .collect();
        let nothing = (!a.phrases.is_empty() && a.terms.is_empty())
            || (a.phrases.is_empty() && filters.is_empty())
            || filters
                .iter()
                .any(|&(c, i)| self.counts[&c].get(i as usize).copied().unwrap_or(0) == 0);
        if nothing {
            s.a = a;
            return Some(s);
        }

        // Shards and dictionary entries of every term.
        let mut shard_ids: Vec<usize> = a
            .terms
            .iter()
            .map(|t| {
                let cs: Vec<char> = t.text.chars().collect();
                tokenize::term_hash(&cs) as usize % self.shards
            })
            .collect();
        shard_ids.sort_unstable();
        shard_ids.dedup();
        let mut dict: HashMap<Term, Entry> = HashMap::new();
        for sh in shard_ids {
            dict.extend(self.shard(sh)?);
        }
        let entry = |j: usize, title: bool| {
            dict.get(&Term {
                title,
                text: a.terms[j].text.clone(),
            })
            .map(|e| (j, e))
        };
        let body: Vec<(usize, &Entry)> = (0..a.terms.len())
            .filter_map(|j| entry(j, a.title_only))
            .collect();
        let title: Vec<(usize, &Entry)> = if a.title_only {
            Vec::new()
        } else {
            (0..a.terms.len()).filter_map(|j| entry(j, true)).collect()
        };

        let mut body_lists = Vec::new();
        if !body.is_empty() {
            let (l, all) = self.choose(&body, LIST_BUDGET, true)?;
            body_lists = l;
            s.exact = all;
        }
        let mut filter_lists = Vec::new();
        for &(c, i) in &filters {
            filter_lists.push(List::from_bytes(&self.get(&format!("f/{c}{i}.bin"))?)?);
        }

        if a.terms.is_empty() {
            // Filters only: their records, in doc order.
            s.filter_only = true;
            s.groups[0] = intersect(filter_lists)
                .into_iter()
                .map(|doc| Cand {
                    doc,
                    tcov: 0,
                    cov: 0,
                })
                .collect();
            s.total = s.groups[0].len();
            s.a = a;
            return Some(s);
        }
        if body_lists.is_empty() {
            s.a = a;
            return Some(s);
        }
        let (title_lists, _) = if title.is_empty() {
            (Vec::new(), true)
        } else {
            self.choose(&title, TITLE_BUDGET, false)?
        };

        // Which terms each record has.
        let mut mask = vec![0u32; self.docs];
        let mut touched: Vec<u32> = Vec::new();
        let mut fetched = 0u32;
        // A term in no record rules the phrase out for every record.
        let phrase_possible = body.len() == a.terms.len();
        for (j, l) in &body_lists {
            fetched |= 1 << j;
            for d in l.ids() {
                if let Some(m) = mask.get_mut(d as usize) {
                    if *m == 0 {
                        touched.push(d);
                    }
                    *m |= 1 << j;
                }
            }
        }
        touched.sort_unstable();
        for d in touched {
            if !filter_lists.iter().all(|l| l.has(d)) {
                continue;
            }
            let m = mask[d as usize];
            let cov = coverage(&a.terms, m);
            let group = if phrase_possible && m == fetched && cov == a.units {
                0
            } else if cov == a.units {
                1
            } else if 2 * cov > a.units {
                2
            } else {
                continue;
            };
            let tm = title_lists
                .iter()
                .filter(|(_, l)| l.has(d))
                .fold(0u32, |m, (j, _)| m | 1 << j);
            let tcov = if a.title_only {
                cov
            } else {
                coverage(&a.terms, tm)
            };
            s.groups[group].push(Cand { doc: d, tcov, cov });
        }
        for g in &mut s.groups {
            g.sort_by_key(Cand::key);
        }
        s.total = s.groups.iter().map(Vec::len).sum();
        s.a = a;
        Some(s)
    }

    /// The display data of `doc` (fetching its fragment once).
    fn record<'s>(&self, s: &'s mut Session, doc: u32) -> Option<&'s serde_json::Value> {
        let f = doc as usize / self.frag;
        if let std::collections::hash_map::Entry::Vacant(v) = s.frags.entry(f) {
            let b = self.get(&super::fragment_path(f))?;
            v.insert(serde_json::from_slice(&b).ok()?);
        }
        s.frags[&f].get(doc as usize % self.frag)
    }

    /// Show up to `n` more results of `s`.
    pub fn more(&self, s: &mut Session, n: usize) -> Option<Vec<Hit>> {
        let mut hits = Vec::new();
        let mut rounds = 0;
        while hits.len() < n {
            let g = match (0..3).find(|&g| s.next[g] < s.groups[g].len()) {
                Some(g) => g,
                None => break,
            };
            if g == 0 && !s.filter_only {
                if rounds == if s.a.chained { MAX_ROUNDS } else { 1 } {
                    // Enough checking: the rest have all the words (as the
                    // index proves) and are shown as such, at their rank.
                    let rest = s.groups[0].split_off(s.next[0]);
                    let g1 = &mut s.groups[1];
                    g1.extend(rest);
                    g1[s.next[1]..].sort_by_key(Cand::key);
                    continue;
                }
                rounds += 1;
            }
            let end = (s.next[g] + n - hits.len()).min(s.groups[g].len());
            let batch: Vec<Cand> = s.groups[g][s.next[g]..end].to_vec();
            s.next[g] = end;
            for c in batch {
                let e = self.record(s, c.doc)?;
                let (url, t, x) = (json_str(e, "u"), json_str(e, "t"), json_str(e, "x"));
                let matched = match g {
                    _ if s.filter_only => Match::Filter,
                    0 => {
                        let nt = tokenize::normalize_str(&t);
                        let nx = tokenize::normalize_str(&x);
                        let found = s.a.phrases.iter().all(|p| {
                            nt.contains(p.as_str()) || (!s.a.title_only && nx.contains(p.as_str()))
                        });
                        if !found {
                            // All its words, not the phrase: it waits its turn.
                            let at = s.groups[1].partition_point(|o| o.key() < c.key());
                            let at = at.max(s.next[1]);
                            s.groups[1].insert(at, c);
                            continue;
                        }
                        Match::Exact
                    }
                    1 => Match::AllWords,
                    _ => Match::Partial,
                };
                hits.push(Hit {
                    doc: c.doc,
                    url,
                    title: t,
                    matched,
                    in_title: s.a.units > 0 && c.tcov == s.a.units,
                });
            }
        }
        Some(hits)
    }

    /// Run `q` and fill its first page of `page` results.
    pub fn search(&self, q: &Query, page: usize) -> Option<Results> {
        let mut s = self.start(q)?;
        let hits = self.more(&mut s, page)?;
        let fetched = self.log.borrow().clone();
        Some(Results {
            total: s.total,
            exact: s.exact,
            hits,
            files: fetched.len(),
            bytes: self.bytes.get(),
            fetched,
        })
    }
}
