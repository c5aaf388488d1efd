//! Would a build-time word segmenter (jieba) improve search ranking?
//! (issue 12). Runs the query set `tests/fixtures/search-queries.tsv` on a
//! built site's search index and scores four rankings of it, exactly as
//! `tests/it/search_queries.rs` scores the reader (hit@5, P@5):
//!
//! * **A**, the search as shipped: every result of `yishi::search::reader`
//!   (`start`, then `more` until done), in its order.
//! * **B**, segmenter-assisted ranking: jieba segments every record's
//!   title and text at build time; the query's *words* are its substrings
//!   of 2–6 characters that are words of some record (the dictionary would
//!   ship in the index; the browser needs no segmenter). Within each match
//!   group, results are re-ranked by query words that are whole tokens of
//!   the title, then of the text, then A's order.
//! * **C′**, as B, but the query is split by jieba itself (the browser would
//!   ship jieba's dictionary).
//! * **C**, a word search: only records whose title and text tokens hold
//!   every jieba word of the query, by words in the title, then in the
//!   text, then newest (doc order).
//! * **best**, A's results with the relevant ones first: the ceiling of any
//!   re-ranking of A's results (B and C′ are such re-rankings).
//!
//! It also times jieba on every record of the site, and of a second built
//! site (`--corpus`): what segmenting would add to the build.
//!
//! usage: yishi-segmenter-bench SITE_OUTPUT [--corpus OUTPUT] [--queries TSV]

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use jieba_rs::Jieba;
use yishi::search::reader::{Match, Query, Reader};
use yishi::search::tokenize::normalize_str;
use yishi::search::{fragment_path, FRAG};

const TOP: usize = 5;
const KINDS: [&str; 6] = [
    "unspaced",
    "reordered",
    "traditional",
    "place",
    "single",
    "phrase",
];

struct Case {
    line: usize,
    kind: String,
    query: String,
    expected: String,
    also: Vec<String>,
}

impl Case {
    fn hit(&self, top: &[String]) -> bool {
        top.iter().take(TOP).any(|u| *u == self.expected)
    }
    fn precision(&self, top: &[String]) -> f64 {
        let shown = &top[..top.len().min(TOP)];
        if shown.is_empty() {
            return 0.0;
        }
        let relevant = shown.iter().filter(|u| self.is_relevant(u)).count();
        relevant as f64 / shown.len() as f64
    }
    fn is_relevant(&self, url: &str) -> bool {
        url == self.expected || self.also.iter().any(|u| u == url)
    }
    /// 1 / rank of the expected record (or of the first relevant one), 0
    /// when absent.
    fn reciprocal_rank(&self, top: &[String], expected_only: bool) -> f64 {
        top.iter()
            .position(|u| {
                if expected_only {
                    *u == self.expected
                } else {
                    self.is_relevant(u)
                }
            })
            .map_or(0.0, |r| 1.0 / (r + 1) as f64)
    }
}

/// The query set, parsed as `tests/it/search_queries.rs` parses it.
fn read_cases(path: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut cases = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = raw.split('\t').collect();
        assert!(
            (3..=5).contains(&f.len()),
            "{}:{}: bad line",
            path.display(),
            i + 1
        );
        let field = |n: usize| f.get(n).map_or("", |s| s.trim());
        cases.push(Case {
            line: i + 1,
            kind: field(0).to_string(),
            query: field(1).to_string(),
            expected: field(2).to_string(),
            also: field(3).split_whitespace().map(str::to_string).collect(),
        });
    }
    cases
}

/// A record of the index, segmented.
struct Rec {
    url: String,
    title: HashSet<String>,
    text: HashSet<String>,
}

/// Every record of the index (`search/d/`) in doc order: URL, title, text.
fn read_records(search: &Path, docs: usize) -> (Vec<(String, String, String)>, usize) {
    let mut out = Vec::with_capacity(docs);
    let mut cut = 0;
    for n in 0..docs.div_ceil(FRAG) {
        let path = search.join(fragment_path(n));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let frag: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        for d in frag.as_array().unwrap() {
            let s = |k: &str| d[k].as_str().unwrap_or("").to_string();
            out.push((s("u"), s("t"), s("x")));
            cut += usize::from(d["c"].as_u64() == Some(1));
        }
    }
    assert_eq!(
        out.len(),
        docs,
        "{}: fragments and meta.json disagree",
        search.display()
    );
    (out, cut)
}

fn open(search: &Path) -> Reader<impl Fn(&str) -> Option<Vec<u8>> + '_> {
    Reader::open(move |p: &str| std::fs::read(search.join(p)).ok())
        .unwrap_or_else(|| panic!("{}: not a search index of this yishi", search.display()))
}

/// jieba's tokens of `s` (HMM on), normalized text in, words out.
fn tokens(jieba: &Jieba, s: &str) -> HashSet<String> {
    jieba
        .cut(s, true)
        .into_iter()
        .map(|t| t.word.to_string())
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect()
}

/// Segment every record; returns the records and the seconds jieba took.
fn segment(jieba: &Jieba, recs: Vec<(String, String, String)>) -> (Vec<Rec>, f64) {
    let normalized: Vec<(String, String, String)> = recs
        .into_iter()
        .map(|(u, t, x)| (u, normalize_str(&t), normalize_str(&x)))
        .collect();
    let start = Instant::now();
    let out = normalized
        .into_iter()
        .map(|(url, t, x)| Rec {
            url,
            title: tokens(jieba, &t),
            text: tokens(jieba, &x),
        })
        .collect();
    (out, start.elapsed().as_secs_f64())
}

/// The site's words of 2–6 characters: the dictionary B would ship.
fn dictionary(recs: &[Rec]) -> HashSet<&str> {
    let mut dict = HashSet::new();
    for r in recs {
        for w in r.title.iter().chain(&r.text) {
            if (2..=6).contains(&w.chars().count()) {
                dict.insert(w.as_str());
            }
        }
    }
    dict
}

/// Words and bytes of a dictionary (UTF-8, one word a line).
fn dict_size(dict: &HashSet<&str>) -> (usize, usize) {
    (dict.len(), dict.iter().map(|w| w.len() + 1).sum())
}

/// Query words for B: substrings of 2–6 characters that are words of the site.
fn dictionary_words(q: &str, dict: &HashSet<&str>) -> Vec<String> {
    let cs: Vec<char> = q.chars().collect();
    let mut words = Vec::new();
    for i in 0..cs.len() {
        for len in 2..=6 {
            let Some(sub) = cs.get(i..i + len) else { break };
            if sub.iter().any(|c| c.is_whitespace()) {
                break;
            }
            let w: String = sub.iter().collect();
            if dict.contains(w.as_str()) && !words.contains(&w) {
                words.push(w);
            }
        }
    }
    words
}

/// Query words for C and C′: jieba's split of the query.
fn jieba_words(jieba: &Jieba, q: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for w in jieba.cut(q, true) {
        let w = w.word.to_string();
        if w.chars().any(char::is_alphanumeric) && !words.contains(&w) {
            words.push(w);
        }
    }
    words
}

/// 1-based rank of `url` in `top`, 0 when absent.
fn rank(top: &[String], url: &str) -> usize {
    top.iter().position(|u| u == url).map_or(0, |r| r + 1)
}

/// Words of `words` that are tokens of the title, and of the text.
fn counts(r: &Rec, words: &[String]) -> (usize, usize) {
    let t = words.iter().filter(|w| r.title.contains(*w)).count();
    let x = words.iter().filter(|w| r.text.contains(*w)).count();
    (t, x)
}

/// A's results re-ranked within each match group by `words` (stable: A's
/// order breaks ties).
fn rerank(results: &[(u32, Match)], recs: &[Rec], words: &[String]) -> Vec<String> {
    let mut v = results.to_vec();
    v.sort_by_key(|&(d, m)| {
        let (t, x) = counts(&recs[d as usize], words);
        (m, Reverse(t), Reverse(x))
    });
    v.into_iter()
        .map(|(d, _)| recs[d as usize].url.clone())
        .collect()
}

/// Word search: records holding every word, by words in title, in text, newest.
fn word_search(recs: &[Rec], words: &[String]) -> Vec<String> {
    if words.is_empty() {
        return Vec::new();
    }
    let mut v: Vec<(usize, usize, usize)> = recs
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            words
                .iter()
                .all(|w| r.title.contains(w) || r.text.contains(w))
        })
        .map(|(d, r)| {
            let (t, x) = counts(r, words);
            (d, t, x)
        })
        .collect();
    v.sort_by_key(|&(d, t, x)| (Reverse(t), Reverse(x), d));
    v.into_iter().map(|(d, _, _)| recs[d].url.clone()).collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut site: Option<PathBuf> = None;
    let mut corpus: Option<PathBuf> = None;
    let mut queries =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/search-queries.tsv");
    while let Some(a) = args.next() {
        match a.as_str() {
            "--corpus" => corpus = args.next().map(PathBuf::from),
            "--queries" => queries = PathBuf::from(args.next().expect("--queries TSV")),
            _ if site.is_none() => site = Some(PathBuf::from(a)),
            _ => {
                panic!("usage: yishi-segmenter-bench SITE_OUTPUT [--corpus OUTPUT] [--queries TSV]")
            }
        }
    }
    let search = site
        .expect("usage: yishi-segmenter-bench SITE_OUTPUT [--corpus OUTPUT] [--queries TSV]")
        .join("search");
    let cases = read_cases(&queries);

    let t0 = Instant::now();
    let jieba = Jieba::new();
    let load = t0.elapsed().as_secs_f64();

    let reader = open(&search);
    let (raw, cut) = read_records(&search, reader.docs);
    let chars: usize = raw
        .iter()
        .map(|(_, t, x)| t.chars().count() + x.chars().count())
        .sum();
    let (recs, secs) = segment(&jieba, raw);
    let dict = dictionary(&recs);

    // variant → per query: result URLs, best first.
    // "best": A's results with its relevant ones first, the most any
    // re-ranking of A's results (B, C′) could reach.
    let names = ["A", "B", "C′", "C", "best"];
    let mut runs: Vec<Vec<Vec<String>>> = vec![Vec::new(); names.len()];
    let mut notes = Vec::new();
    for c in &cases {
        let mut s = reader
            .start(&Query {
                q: c.query.clone(),
                ..Query::default()
            })
            .expect("the index reads");
        let mut results: Vec<(u32, Match)> = Vec::new();
        while s.more() {
            let hits = reader.more(&mut s, 10).expect("the index reads");
            results.extend(hits.iter().map(|h| (h.doc, h.matched)));
        }
        let q = normalize_str(&c.query);
        let bw = dictionary_words(&q, &dict);
        let cw = jieba_words(&jieba, &q);
        let a: Vec<String> = results
            .iter()
            .map(|&(d, _)| recs[d as usize].url.clone())
            .collect();
        let b = rerank(&results, &recs, &bw);
        let c1 = rerank(&results, &recs, &cw);
        let c2 = word_search(&recs, &cw);
        if a[..a.len().min(TOP)] != b[..b.len().min(TOP)] {
            notes.push(format!(
                "  line {:>3} {:<12} {:<10} B words {:?}: expected at {} → {}, P@5 {:.2} → {:.2}{}",
                c.line,
                c.kind,
                c.query,
                bw,
                rank(&a, &c.expected),
                rank(&b, &c.expected),
                c.precision(&a),
                c.precision(&b),
                if c.hit(&b) {
                    ""
                } else {
                    "  (expected record lost)"
                }
            ));
        }
        if c.hit(&a) != c.hit(&c2) || (c.precision(&a) - c.precision(&c2)).abs() > 0.3 {
            notes.push(format!(
                "  line {:>3} {:<12} {:<10} C words {:?}: {} results, hit {} → {}, P@5 {:.2} → {:.2}",
                c.line,
                c.kind,
                c.query,
                cw,
                c2.len(),
                c.hit(&a),
                c.hit(&c2),
                c.precision(&a),
                c.precision(&c2)
            ));
        }
        let mut best = a.clone();
        best.sort_by_key(|u| Reverse(c.is_relevant(u)));
        if c.precision(&best) > c.precision(&a) {
            notes.push(format!(
                "  line {:>3} {:<12} {:<10} best: P@5 {:.2} → {:.2}; A's first five: {:?}",
                c.line,
                c.kind,
                c.query,
                c.precision(&a),
                c.precision(&best),
                &a[..a.len().min(TOP)]
            ));
        }
        for (run, top) in runs.iter_mut().zip([a, b, c1, c2, best]) {
            run.push(top);
        }
    }

    println!("query set: {} ({} queries)", queries.display(), cases.len());
    println!("index: {} ({} records)\n", search.display(), recs.len());
    print!("{:<16}", "");
    for n in names {
        print!(" | {n:<12}");
    }
    print!("\n{:<12} {:>3}", "kind", "n");
    for _ in names {
        print!(" | hit@5    P@5");
    }
    println!();
    let mut kinds: Vec<&str> = KINDS.to_vec();
    kinds.push("all");
    for kind in kinds {
        let idx: Vec<usize> = (0..cases.len())
            .filter(|&i| kind == "all" || cases[i].kind == kind)
            .collect();
        print!("{kind:<12} {:>3}", idx.len());
        for run in &runs {
            let hits = idx.iter().filter(|&&i| cases[i].hit(&run[i])).count();
            let p: f64 = idx.iter().map(|&i| cases[i].precision(&run[i])).sum();
            print!(
                " | {:>5.1}% {:>5.3}",
                100.0 * hits as f64 / idx.len().max(1) as f64,
                p / idx.len().max(1) as f64
            );
        }
        println!();
    }
    for (what, expected_only) in [
        ("the expected record", true),
        ("the first relevant record", false),
    ] {
        print!("mean reciprocal rank of {what}:");
        for (n, run) in names.iter().zip(&runs) {
            let rr: f64 = cases
                .iter()
                .zip(run)
                .map(|(c, top)| c.reciprocal_rank(top, expected_only))
                .sum();
            print!(" {n} {:.3}", rr / cases.len() as f64);
        }
        println!();
    }
    println!("\nqueries whose first five change in B, whose hit or P@5 moves by more than 0.3 in C, or that best improves:");
    for n in &notes {
        println!("{n}");
    }

    println!(
        "\njieba (HMM on, one thread): dictionary loaded in {:.3} s",
        load
    );
    let mut timing = BTreeMap::new();
    timing.insert(
        search.display().to_string(),
        (recs.len(), cut, chars, secs, dict_size(&dict)),
    );
    if let Some(dir) = corpus {
        let search = dir.join("search");
        let docs = open(&search).docs;
        let (raw, cut) = read_records(&search, docs);
        let chars: usize = raw
            .iter()
            .map(|(_, t, x)| t.chars().count() + x.chars().count())
            .sum();
        let (recs, secs) = segment(&jieba, raw);
        let size = dict_size(&dictionary(&recs));
        timing.insert(search.display().to_string(), (docs, cut, chars, secs, size));
    }
    for (dir, (docs, cut, chars, secs, (words, bytes))) in timing {
        println!(
            "  {dir}: {docs} records ({cut} with text cut at {} characters), {:.2} M characters, {secs:.3} s, {:.2} M characters/s; dictionary for B: {words} words, {} KB",
            yishi::search::TEXT_CAP,
            chars as f64 / 1e6,
            chars as f64 / 1e6 / secs,
            bytes / 1024
        );
    }
}
