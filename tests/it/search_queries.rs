//! The search query set of the demo site (issue 12):
//! `tests/fixtures/search-queries.tsv`, natural queries a resident would
//! type, each with the record they expect in the first five results.
//!
//! This module reads and checks the set, scores a run of it (hit rate at 5
//! and precision at 5, per kind of query) and runs it through the Rust
//! mirror of the search client (`yishi::search::reader`). The same set runs
//! in headless Chromium in `search.rs` and is scored by the same code here.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use yishi::search::reader::{Query, Reader};

use crate::common::*;

/// The kinds of query in the set, each with the least number of queries it
/// must have.
pub const KINDS: [(&str, usize); 6] = [
    ("unspaced", 8),
    ("reordered", 5),
    ("traditional", 6),
    ("place", 6),
    ("single", 8),
    ("phrase", 4),
];

/// How many results count: the first five.
pub const TOP: usize = 5;

/// One query of the set.
#[derive(Clone, Debug)]
pub struct QueryCase {
    /// Line in the TSV file (1-based), for messages.
    pub line: usize,
    pub kind: String,
    pub query: String,
    /// The record a resident expects in the first five results.
    pub expected: String,
    /// Other records that are equally right answers.
    pub also_relevant: Vec<String>,
    pub why: String,
}

impl QueryCase {
    fn is_relevant(&self, url: &str) -> bool {
        url == self.expected || self.also_relevant.iter().any(|u| u == url)
    }

    /// Whether the expected record is among the first five of `top`.
    pub fn hit(&self, top: &[String]) -> bool {
        top.iter().take(TOP).any(|u| *u == self.expected)
    }

    /// Relevant records among the first min(5, results), divided by that
    /// number; 0 for a query with no results.
    pub fn precision(&self, top: &[String]) -> f64 {
        let shown = &top[..top.len().min(TOP)];
        if shown.is_empty() {
            return 0.0;
        }
        let relevant = shown.iter().filter(|u| self.is_relevant(u)).count();
        relevant as f64 / shown.len() as f64
    }
}

pub fn query_set_path() -> PathBuf {
    fixture("search-queries.tsv")
}

/// The query set, in file order. A malformed line panics with its line
/// number.
pub fn query_set() -> Vec<QueryCase> {
    let path = query_set_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut cases = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = raw.split('\t').collect();
        assert!(
            (3..=5).contains(&fields.len()),
            "search-queries.tsv:{line}: expected kind, query, expected[, also_relevant[, why]] \
             separated by tabs, found {} fields",
            fields.len()
        );
        let field = |n: usize| fields.get(n).map_or("", |f| f.trim());
        cases.push(QueryCase {
            line,
            kind: field(0).to_string(),
            query: field(1).to_string(),
            expected: field(2).to_string(),
            also_relevant: field(3).split_whitespace().map(str::to_string).collect(),
            why: field(4).to_string(),
        });
    }
    cases
}

/// The scores of one run of the set.
pub struct Scores {
    /// The report: per kind and overall, hit rate at 5 and mean precision
    /// at 5.
    pub report: String,
    /// Every query whose expected record is not in the first five, with
    /// the first five it got.
    pub failures: Vec<String>,
}

/// Score a run: `tops[i]` is the result URLs of `cases[i]`, best first.
pub fn score(label: &str, cases: &[QueryCase], tops: &[Vec<String>]) -> Scores {
    assert_eq!(cases.len(), tops.len());
    // kind → (queries, hits, sum of precisions)
    let mut by_kind: BTreeMap<&str, (usize, usize, f64)> = BTreeMap::new();
    let mut failures = Vec::new();
    for (case, top) in cases.iter().zip(tops) {
        let hit = case.hit(top);
        let entry = by_kind.entry(case.kind.as_str()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(hit);
        entry.2 += case.precision(top);
        if !hit {
            failures.push(format!(
                "  line {} [{}] {:?} expected {} ({})\n    top {TOP}: {:?}",
                case.line,
                case.kind,
                case.query,
                case.expected,
                case.why,
                &top[..top.len().min(TOP)]
            ));
        }
    }
    let mut report = format!("search query set, {label}:\n");
    let mut all = (0, 0, 0.0);
    let row = |report: &mut String, name: &str, (n, hits, p): (usize, usize, f64)| {
        let _ = writeln!(
            report,
            "  {name:<12} {n:>3} queries  hit@5 {:>5.1}% ({hits}/{n})  P@5 {:.3}",
            100.0 * hits as f64 / n.max(1) as f64,
            p / n.max(1) as f64
        );
    };
    for (kind, _) in KINDS {
        if let Some(&k) = by_kind.get(kind) {
            row(&mut report, kind, k);
            all = (all.0 + k.0, all.1 + k.1, all.2 + k.2);
        }
    }
    row(&mut report, "all", all);
    Scores { report, failures }
}

/// Print the report; fail listing every query whose expected record is not
/// in the first five.
pub fn assert_scores(label: &str, cases: &[QueryCase], tops: &[Vec<String>]) {
    let scores = score(label, cases, tops);
    println!("{}", scores.report);
    assert!(
        scores.failures.is_empty(),
        "{}\n{} of {} queries miss their expected record in the first {TOP}:\n{}",
        scores.report,
        scores.failures.len(),
        cases.len(),
        scores.failures.join("\n")
    );
}

/// The demo site, built into a temporary folder.
pub fn built_demo() -> TempSite {
    let site = demo_site();
    site.build(&[]).assert_success();
    site
}

/// Every record URL the built site's search index links.
fn indexed_urls(search: &Path) -> BTreeSet<String> {
    let mut urls = BTreeSet::new();
    for entry in walkdir::WalkDir::new(search.join("d")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "json") {
            let docs: serde_json::Value =
                serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap();
            for d in docs.as_array().unwrap() {
                urls.insert(d["u"].as_str().unwrap().to_string());
            }
        }
    }
    urls
}

/// The first page of results of `q`, as the URLs the results link, best
/// first. The one place that calls the reader's query API.
fn top_urls<F: Fn(&str) -> Option<Vec<u8>>>(reader: &Reader<F>, q: &str) -> Vec<String> {
    let query = Query {
        q: q.to_string(),
        ..Query::default()
    };
    // search.js shows 10 results a page.
    let results = reader
        .search(&query, 10)
        .unwrap_or_else(|| panic!("{q:?}: the index could not be read"));
    results.hits.into_iter().map(|h| h.url).collect()
}

/// The set itself: enough queries of each kind, short as typed, no repeats,
/// and every URL it names is a record the demo's search index links (a
/// renamed record must not silently turn a query into a miss).
#[test]
fn query_set_is_well_formed() {
    let cases = query_set();
    assert!(cases.len() >= 45, "{} queries", cases.len());
    for (kind, least) in KINDS {
        let n = cases.iter().filter(|c| c.kind == kind).count();
        assert!(n >= least, "{n} queries of kind {kind}, at least {least}");
    }
    let site = built_demo();
    let urls = indexed_urls(&site.path("public/search"));
    assert!(urls.len() >= 150, "{} records in the index", urls.len());
    let mut seen = BTreeSet::new();
    for c in &cases {
        let at = format!("search-queries.tsv:{}", c.line);
        assert!(
            KINDS.iter().any(|(k, _)| *k == c.kind),
            "{at}: unknown kind {:?}",
            c.kind
        );
        let typed = c.query.chars().filter(|ch| !ch.is_whitespace()).count();
        assert!((2..=8).contains(&typed), "{at}: {:?} is not typed", c.query);
        assert!(seen.insert(c.query.as_str()), "{at}: {:?} twice", c.query);
        assert!(
            !c.also_relevant.contains(&c.expected),
            "{at}: the expected record is also in also_relevant"
        );
        for u in std::iter::once(&c.expected).chain(&c.also_relevant) {
            assert!(urls.contains(u), "{at}: {u} is not a record of the demo");
        }
    }
    // The Traditional record is sought in Simplified characters, at least twice.
    let traditional_record = "/songling/nanpu/sessions/2026-elderly-canteen-talk/";
    let simplified_queries = cases
        .iter()
        .filter(|c| c.kind == "traditional" && c.expected == traditional_record)
        .count();
    assert!(simplified_queries >= 2, "{simplified_queries}");
}

/// The scoring itself, on a made-up run.
#[test]
fn scores_count_hits_and_precision_at_five() {
    let case = |kind: &str, expected: &str, also: &[&str]| QueryCase {
        line: 1,
        kind: kind.into(),
        query: "q".into(),
        expected: expected.into(),
        also_relevant: also.iter().map(|s| s.to_string()).collect(),
        why: String::new(),
    };
    let urls = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let cases = [
        case("single", "/a/", &["/b/"]),
        case("single", "/f/", &[]),
        case("phrase", "/a/", &[]),
    ];
    let tops = [
        urls(&["/x/", "/a/", "/b/", "/y/"]),
        urls(&["/a/", "/b/", "/c/", "/d/", "/e/", "/f/"]),
        urls(&[]),
    ];
    assert!(cases[0].hit(&tops[0]));
    assert_eq!(cases[0].precision(&tops[0]), 0.5);
    // Sixth place is not in the first five.
    assert!(!cases[1].hit(&tops[1]));
    assert_eq!(cases[1].precision(&tops[1]), 0.0);
    assert_eq!(cases[2].precision(&tops[2]), 0.0);
    let scores = score("test", &cases, &tops);
    assert!(
        scores
            .report
            .contains("single         2 queries  hit@5  50.0% (1/2)  P@5 0.250"),
        "{}",
        scores.report
    );
    assert!(
        scores
            .report
            .contains("all            3 queries  hit@5  33.3% (1/3)  P@5 0.167"),
        "{}",
        scores.report
    );
    assert_eq!(scores.failures.len(), 2, "{:?}", scores.failures);
    assert!(
        scores.failures[0].contains("expected /f/"),
        "{:?}",
        scores.failures
    );
    assert!(
        scores.failures[1].contains("top 5: []"),
        "{:?}",
        scores.failures
    );
}

/// Every query of the set through the Rust reader, on the built demo.
#[test]
fn query_set_finds_the_expected_records() {
    let site = built_demo();
    let root = site.path("public/search");
    let reader = Reader::open(|p: &str| std::fs::read(root.join(p)).ok())
        .expect("the demo's search index opens");
    let cases = query_set();
    let tops: Vec<Vec<String>> = cases.iter().map(|c| top_urls(&reader, &c.query)).collect();
    assert_scores("Rust reader", &cases, &tops);
}
