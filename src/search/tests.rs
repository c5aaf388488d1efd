//! Index build + query round trips on a handful of Chinese records.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::reader::{analyze, Match, Query, Reader, Results};
use super::*;

struct Rec {
    title: &'static str,
    text: &'static str,
    places: &'static [u32],
    topic_type: Option<u32>,
    year: i32,
    status: Option<u32>,
}

const RECS: &[Rec] = &[
    Rec {
        title: "南山村村道硬化工程",
        text: "南山村主干道长约八百米，群众要求实施道路硬化，预算约三十万元。",
        places: &[0, 1],
        topic_type: Some(0),
        year: 2024,
        status: Some(0),
    },
    Rec {
        title: "宅基地拆迁补偿标准",
        text: "因道路拓宽需要拆迁，补偿标准参照镇现行规定。拆迁涉及十二户。",
        places: &[0, 2],
        topic_type: Some(1),
        year: 2024,
        status: Some(1),
    },
    Rec {
        title: "年度财务预算",
        // 道路 and 硬化 both occur, but never as 道路硬化.
        text: "本年度预算重点保障道路养护；另有渠道硬化工程。村民代表会议审议。",
        places: &[0, 1],
        topic_type: Some(2),
        year: 2023,
        status: None,
    },
    Rec {
        title: "WiFi覆盖与５Ｇ基站",
        text: "村委会计划在2024年完成ＷｉＦｉ全覆盖，5G基站选址听取村民意见。",
        places: &[3],
        topic_type: None,
        year: 2023,
        status: None,
    },
    Rec {
        title: "村民议事会：路灯安装",
        text: "<script>alert(1)</script> 村民提出安装太阳能路灯。",
        places: &[3],
        topic_type: Some(0),
        year: 2022,
        status: Some(0),
    },
];

fn facets() -> Facets {
    Facets {
        places: vec![
            FacetPlace {
                name: "社渚镇".into(),
                depth: 0,
            },
            FacetPlace {
                name: "社渚镇 · 南山村".into(),
                depth: 1,
            },
            FacetPlace {
                name: "社渚镇 · 北岗村".into(),
                depth: 1,
            },
            FacetPlace {
                name: "河塘街道".into(),
                depth: 0,
            },
        ],
        topic_types: vec!["项目建设".into(), "拆迁补偿".into(), "年度预决算".into()],
        years: vec![2024, 2023, 2022],
        statuses: vec!["实施中".into(), "已办结".into()],
    }
}

fn make(i: usize, recs: &[Rec], long: bool) -> Doc {
    let r = &recs[i % recs.len()];
    let mut text = r.text.to_string();
    if long {
        // Padding after which a phrase lies beyond the kept text.
        text = format!("{}{}", "，".repeat(TEXT_CAP), text);
    }
    Doc {
        url: format!("/r/{i}/"),
        title: r.title.into(),
        tags: String::new(),
        kind: "议题".into(),
        place: "社渚镇 · 南山村".into(),
        date: format!("{}-01-01", r.year),
        status: r
            .status
            .map(|s| ["实施中", "已办结"][s as usize].to_string()),
        text,
        facets: DocFacets {
            places: r.places.to_vec(),
            topic_type: r.topic_type,
            year: r.year,
            status: r.status,
        },
    }
}

fn build_files(n: usize, long: bool) -> BTreeMap<String, Vec<u8>> {
    let files = Mutex::new(BTreeMap::new());
    let stats = build(n, &|i| make(i, RECS, long), &facets(), &|p, b| {
        assert!(p.starts_with("search/"), "{p}");
        files.lock().unwrap().insert(p.to_string(), b);
        Ok(())
    })
    .unwrap();
    let files = files.into_inner().unwrap();
    assert_eq!(stats.files, files.len());
    assert_eq!(
        stats.bytes,
        files.values().map(|b| b.len() as u64).sum::<u64>()
    );
    files
}

fn search(files: &BTreeMap<String, Vec<u8>>, q: Query) -> Results {
    let r = Reader::open(|p: &str| files.get(&format!("search/{p}")).cloned()).unwrap();
    r.search(&q, 10).unwrap()
}

fn q(s: &str) -> Query {
    Query {
        q: s.into(),
        ..Query::default()
    }
}

fn docs(r: &Results) -> Vec<u32> {
    r.hits.iter().map(|h| h.doc).collect()
}

#[test]
fn two_character_query() {
    let files = build_files(5, false);
    let r = search(&files, q("拆迁"));
    assert_eq!(docs(&r), [1]);
    assert!(r.exact);
    assert_eq!(r.total, 1);
    assert_eq!(r.hits[0].url, "/r/1/");
    assert!(r.hits[0].in_title);
    // 预算 is in the title of 2 and the text of 0: title first.
    let r = search(&files, q("预算"));
    assert_eq!(docs(&r), [2, 0]);
    assert!(r.exact && r.total == 2);
}

fn matches(r: &Results) -> Vec<Match> {
    r.hits.iter().map(|h| h.matched).collect()
}

#[test]
fn scattered_words_follow_the_phrase() {
    let files = build_files(5, false);
    // Doc 2 has 道路 and 硬化 apart (no 路硬): all the words, after the
    // phrase.
    let r = search(&files, q("道路硬化"));
    assert_eq!(docs(&r), [0, 2]);
    assert_eq!(matches(&r), [Match::Exact, Match::AllWords]);
    assert!(r.exact && r.total == 2);
    // 村民 alone is half of 村民代表: not enough.
    let r = search(&files, q("村民代表"));
    assert_eq!(docs(&r), [2]);
}

#[test]
fn query_words_are_units_covered_by_bigrams() {
    let a = analyze("拓宽道路");
    assert_eq!(a.units, 4);
    let t: Vec<(&str, u32)> = a
        .terms
        .iter()
        .map(|t| (t.text.as_str(), t.covers))
        .collect();
    assert_eq!(t, [("拓宽", 0b11), ("宽道", 0b110), ("道路", 0b1100)]);
    let a = analyze("ＷｉＦｉ 路灯 wifi");
    assert_eq!(a.phrases, ["wifi", "路灯"]);
    assert_eq!(a.units, 3);
    // A single character among words counts for nothing; alone, it is a
    // title search.
    assert_eq!(analyze("路 拓宽").units, 2);
    let a = analyze("路 灯");
    assert!(a.title_only && a.units == 2);
    // One run per phrase: the bigrams see the whole phrase.
    assert!(analyze("拓宽道路 wifi").chained);
    assert!(!analyze("2024预算").chained && !analyze("道路，拓宽").chained);
    // Repeated bigrams are one term covering both places.
    let a = analyze("道路道路");
    assert_eq!(a.terms[0].covers, 0b1111);
    // Long queries are cut at MAX_UNITS units.
    let a = analyze(&"村民代表大会".repeat(10));
    assert_eq!(a.units, super::reader::MAX_UNITS);
}

/// A small index of the given (title, text) records, all in place 0.
fn build_recs(recs: &[(&'static str, &'static str)]) -> BTreeMap<String, Vec<u8>> {
    let recs: Vec<Rec> = recs
        .iter()
        .map(|&(title, text)| Rec {
            title,
            text,
            places: &[0],
            topic_type: None,
            year: 2024,
            status: None,
        })
        .collect();
    let files = Mutex::new(BTreeMap::new());
    build(
        recs.len(),
        &|i| make(i, &recs, false),
        &facets(),
        &|p, b| {
            files.lock().unwrap().insert(p.to_string(), b);
            Ok(())
        },
    )
    .unwrap();
    files.into_inner().unwrap()
}

#[test]
fn unspaced_and_reordered_queries_find_the_words() {
    let files = build_recs(&[
        ("村口道路拓宽", "村民要求拓宽村口道路。"),
        ("道路养护", "日常养护。"),
        ("河道清淤", "村口河道。"),
        ("拓宽工程验收", "验收。"),
    ]);
    for (query, want) in [
        ("道路拓宽", vec![(0, Match::Exact)]),
        ("拓宽道路", vec![(0, Match::AllWords)]),
        ("村口拓宽", vec![(0, Match::AllWords)]),
        ("拓宽村口道路", vec![(0, Match::Exact)]),
        // 村口道路 (4 of 6 characters) in doc 0, 道路养护 in doc 1.
        (
            "村口道路养护",
            vec![(0, Match::Partial), (1, Match::Partial)],
        ),
    ] {
        let r = search(&files, q(query));
        let got: Vec<(u32, Match)> = r.hits.iter().map(|h| (h.doc, h.matched)).collect();
        assert_eq!(got, want, "{query}");
        assert_eq!(r.total, want.len(), "{query}");
    }
}

#[test]
fn titles_and_tags_rank_before_bodies_then_coverage_then_newest() {
    let recs = [
        ("年度工作", "道路拓宽"),
        ("道路拓宽方案", "方案"),
        ("其他", "道路拓宽"),
    ];
    let files = build_recs(&recs);
    assert_eq!(docs(&search(&files, q("道路拓宽"))), [1, 0, 2]);
    // Tags count as the title.
    let files = Mutex::new(BTreeMap::new());
    build(
        3,
        &|i| Doc {
            tags: if i == 2 {
                "道路拓宽".into()
            } else {
                String::new()
            },
            ..make(
                i,
                &[Rec {
                    title: "甲",
                    text: "道路拓宽",
                    places: &[0],
                    topic_type: None,
                    year: 2024,
                    status: None,
                }],
                false,
            )
        },
        &facets(),
        &|p, b| {
            files.lock().unwrap().insert(p.to_string(), b);
            Ok(())
        },
    )
    .unwrap();
    let files = files.into_inner().unwrap();
    let r = search(&files, q("拓宽道路"));
    assert_eq!(docs(&r), [2, 0, 1]);
    assert!(r.hits[0].in_title && !r.hits[1].in_title);
}

#[test]
fn traditional_and_simplified_find_each_other() {
    let files = build_recs(&[
        ("拆遷補償協商會議", "劉彥槿等村民代表參加。"),
        ("拆迁补偿标准", "刘彦槿发言。"),
    ]);
    for query in ["拆迁补偿", "拆遷補償", "拆迁補償"] {
        let r = search(&files, q(query));
        assert_eq!(docs(&r), [0, 1], "{query}");
        assert_eq!(matches(&r), [Match::Exact, Match::Exact], "{query}");
    }
    for query in ["刘彦槿", "劉彥槿"] {
        assert_eq!(docs(&search(&files, q(query))), [0, 1], "{query}");
    }
    // The client's map: the pairs of the site's characters only.
    let meta: serde_json::Value = serde_json::from_slice(&files["search/meta.json"]).unwrap();
    let fold = meta["fold"].as_str().unwrap();
    assert!(fold.contains("劉刘") && fold.contains("遷迁"), "{fold}");
    assert!(!fold.contains("灣湾"), "{fold}");
}

#[test]
fn a_phrase_the_index_cannot_see_still_fills_the_page() {
    // 2024 and 预算 are in every record, never side by side: every record
    // is a phrase candidate and fails the check.
    let recs: Vec<(&'static str, &'static str)> =
        (0..50).map(|_| ("预算", "2024年度预算")).collect();
    let files = build_recs(&recs);
    let r = search(&files, q("2024预算"));
    assert_eq!(r.total, 50);
    assert_eq!(r.hits.len(), 10);
    assert!(r.hits.iter().all(|h| h.matched == Match::AllWords));
    // Three rounds of checking at most: 30 records' fragments (4 a file).
    let frags = r.fetched.iter().filter(|p| p.starts_with("d/")).count();
    assert!(frags <= 10, "{frags}: {:?}", r.fetched);
    // A term in no record: no phrase to check, some of the words (3 of 5).
    let r = search(&files, q("2024预算审计"));
    assert_eq!(r.total, 50);
    assert!(r.hits.iter().all(|h| h.matched == Match::Partial));
}

#[test]
fn counts_never_shrink_as_pages_load() {
    // Phrase candidates that fail the check move down, never out.
    let recs: Vec<(&'static str, &'static str)> = (0..40)
        .map(|i| {
            if i % 2 == 0 {
                ("甲", "道路很好，路硬了，硬化完成")
            } else {
                ("乙", "开展道路硬化")
            }
        })
        .collect();
    let files = build_recs(&recs);
    let r = Reader::open(|p: &str| files.get(&format!("search/{p}")).cloned()).unwrap();
    let mut s = r.start(&q("道路硬化")).unwrap();
    assert_eq!(s.total, 40);
    let mut seen = Vec::new();
    while s.more() {
        let hits = r.more(&mut s, 10).unwrap();
        assert_eq!(s.total, 40);
        seen.extend(hits.iter().map(|h| (h.doc, h.matched)));
    }
    assert_eq!(seen.len(), 40);
    let mut docs: Vec<u32> = seen.iter().map(|h| h.0).collect();
    docs.sort_unstable();
    docs.dedup();
    assert_eq!(docs.len(), 40, "each record once");
    // Exact matches (only records with the phrase) before all the others;
    // once a page has checked three rounds, the unchecked rest is shown
    // with what the index proves: all the words.
    let first_all = seen.iter().position(|h| h.1 == Match::AllWords).unwrap();
    assert!(first_all >= 5, "{seen:?}");
    assert!(seen[..first_all]
        .iter()
        .all(|h| h.1 == Match::Exact && h.0 % 2 == 1));
    assert!(seen[first_all..].iter().all(|h| h.1 == Match::AllWords));
}

#[test]
fn phrase_check_moves_scattered_bigrams_after_the_phrase() {
    let recs = [
        Rec {
            title: "甲",
            text: "道路很好，路硬了，硬化完成",
            places: &[0],
            topic_type: None,
            year: 2024,
            status: None,
        },
        Rec {
            title: "乙",
            text: "开展道路硬化",
            places: &[0],
            topic_type: None,
            year: 2024,
            status: None,
        },
    ];
    let files = Mutex::new(BTreeMap::new());
    build(2, &|i| make(i, &recs, false), &facets(), &|p, b| {
        files.lock().unwrap().insert(p.to_string(), b);
        Ok(())
    })
    .unwrap();
    let files = files.into_inner().unwrap();
    let r = search(&files, q("道路硬化"));
    assert_eq!(docs(&r), [1, 0]);
    assert_eq!(matches(&r), [Match::Exact, Match::AllWords]);
    assert_eq!(r.total, 2);
}

#[test]
fn ascii_full_width_and_case() {
    let files = build_files(5, false);
    for query in ["wifi", "ＷＩＦＩ", "WiFi"] {
        let r = search(&files, q(query));
        assert_eq!(docs(&r), [3], "{query}");
    }
    assert_eq!(docs(&search(&files, q("5g"))), [3]);
    assert_eq!(docs(&search(&files, q("2024"))), [3]);
    assert_eq!(docs(&search(&files, q("2024年"))), [3]);
    // Words are whole: "202" is no word of any record.
    assert!(search(&files, q("202")).hits.is_empty());
    // Punctuation and markup-looking text are just text.
    assert_eq!(docs(&search(&files, q("村民议事会"))), [4]);
    assert_eq!(docs(&search(&files, q("script"))), [4]);
    assert!(search(&files, q("不存在的词")).hits.is_empty());
    assert!(search(&files, q("，。")).hits.is_empty());
}

#[test]
fn single_character_searches_titles() {
    let files = build_files(5, false);
    let r = search(&files, q("灯"));
    assert_eq!(docs(&r), [4]);
    assert!(r.exact);
    // 路 is in the text of 0 and 1 but in the title of 4 only.
    assert_eq!(docs(&search(&files, q("路"))), [4]);
}

#[test]
fn several_phrases_are_all_required() {
    let files = build_files(5, false);
    assert_eq!(docs(&search(&files, q("拆迁 道路"))), [1]);
    // 预算 is in the title of 2.
    assert_eq!(docs(&search(&files, q("道路 预算"))), [2, 0]);
}

#[test]
fn filters_and_empty_query() {
    let files = build_files(5, false);
    let f = |q: &str, place, topic_type, year, status| {
        docs(&search(
            &files,
            Query {
                q: q.into(),
                place,
                topic_type,
                year,
                status,
            },
        ))
    };
    // The town (place 0) includes its villages 1 and 2.
    assert_eq!(f("道路", Some(0), None, None, None), [0, 1, 2]);
    assert_eq!(f("道路", Some(2), None, None, None), [1]);
    assert_eq!(f("道路", None, Some(2), None, None), [2]);
    assert_eq!(f("道路", None, None, Some(1), None), [2]);
    assert_eq!(f("道路", None, None, None, Some(0)), [0]);
    assert_eq!(f("村民", Some(3), None, Some(2), None), [4]);
    // No query: every record of the filters, in doc order.
    assert_eq!(f("", Some(0), None, None, None), [0, 1, 2]);
    assert_eq!(f("", None, None, Some(0), None), [0, 1]);
    assert_eq!(f("", None, None, None, None), Vec::<u32>::new());
    // A value no doc has.
    assert_eq!(f("", None, None, None, Some(1)), [1]);
}

#[test]
fn many_docs_use_bitmaps_external_lists_and_pages() {
    // Enough docs for 村民's list to leave its shard (a bitmap of n bits
    // over INLINE_MAX bytes).
    let n = 4000;
    assert!(n / 8 > INLINE_MAX);
    let files = build_files(n, false);
    let r = search(&files, q("村民"));
    // Docs 2, 3, 4 of every 5 have 村民 (4 in its title).
    assert_eq!(r.total, n * 3 / 5);
    assert!(r.exact);
    assert_eq!(docs(&r), [4, 9, 14, 19, 24, 29, 34, 39, 44, 49]);
    assert!(r.fetched.iter().any(|p| p.starts_with("p/")), "{r:?}");
    let bitmap = r
        .fetched
        .iter()
        .filter(|p| p.starts_with("p/"))
        .any(|p| files[&format!("search/{p}")][0] == format::BITMAP);
    assert!(bitmap);
    // Fragment files are only those of the shown docs.
    let frags = r.fetched.iter().filter(|p| p.starts_with("d/")).count();
    assert_eq!(frags, 10);
    let r = search(&files, q("道路硬化"));
    // A fifth with the phrase, a fifth with both words apart.
    assert_eq!(r.total, n * 2 / 5);
    assert_eq!(r.hits.len(), 10);
    assert!(r.hits.iter().all(|h| h.doc % 5 == 0));
    // 1000 fragments of 4 docs: 0..=999, all in folder 0.
    assert!(files.contains_key("search/d/0/999.json"));
    assert!(!files.contains_key("search/d/0/1000.json"));
}

#[test]
fn cut_texts_are_kept_unverified() {
    let files = build_files(5, true);
    let r = search(&files, q("三十万元"));
    assert_eq!(docs(&r), [0]);
    // Beyond the kept text: the index proves the words, not the phrase.
    assert_eq!(r.hits[0].matched, Match::AllWords);
    let frag: serde_json::Value = serde_json::from_slice(&files["search/d/0/0.json"]).unwrap();
    assert_eq!(frag[0]["c"], 1);
    assert_eq!(frag[0]["x"].as_str().unwrap().chars().count(), TEXT_CAP);
    assert_eq!(frag[0]["t"], "南山村村道硬化工程");
    let frag: serde_json::Value = serde_json::from_slice(&files["search/d/0/1.json"]).unwrap();
    assert_eq!(frag[0]["t"], "村民议事会：路灯安装");
    assert_eq!(frag[0]["x"].as_str().unwrap().len(), TEXT_CAP * 3);
    assert!(frag.get(1).is_none());
}

#[test]
fn output_is_deterministic_and_complete() {
    let a = build_files(3000, false);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let b = pool.install(|| build_files(3000, false));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert!(a == b);
    let meta: serde_json::Value = serde_json::from_slice(&a["search/meta.json"]).unwrap();
    assert_eq!(meta["version"], VERSION);
    assert_eq!(meta["docs"], 3000);
    assert_eq!(meta["counts"]["places"][0], 1800);
    let facets: serde_json::Value = serde_json::from_slice(&a["search/facets.json"]).unwrap();
    assert_eq!(facets["places"][1]["name"], "社渚镇 · 南山村");
    assert_eq!(facets["years"][0], 2024);
    let shards = meta["shards"].as_u64().unwrap() as usize;
    assert!(shards > 8, "{shards}");
    for s in 0..shards {
        assert!(a.contains_key(&format!("search/s/{s}.bin")));
    }
}

#[test]
fn bad_facets_are_errors() {
    let err = build(
        1,
        &|_| Doc {
            facets: DocFacets {
                places: vec![9],
                ..DocFacets::default()
            },
            ..make(0, RECS, false)
        },
        &facets(),
        &|_, _| Ok(()),
    )
    .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
}

#[test]
fn empty_index() {
    let files = build_files(0, false);
    assert!(search(&files, q("拆迁")).hits.is_empty());
    assert!(files.contains_key("search/meta.json"));
}

/// The search page rendered as a build renders it: `site`, the page frame
/// and `page`, from the structs a build uses.
fn render_page(index_url: &str, base_path: &str) -> String {
    use crate::render::context::{
        FacetOption, Link, PageFrame, PlaceOption, SearchFacets, SearchPage,
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html"]);
    // The renderer's escaping: `/` stays as it is in links.
    tera.set_escape_fn(crate::render::escape_html);
    for name in ["base.html", "search.html"] {
        let src = std::fs::read_to_string(dir.join("templates").join(name)).unwrap();
        tera.add_raw_template(name, &src).unwrap();
    }
    let t: toml::Value =
        toml::from_str(&std::fs::read_to_string(dir.join("i18n/zh-CN.toml")).unwrap()).unwrap();
    let items = |names: Vec<String>| {
        names
            .into_iter()
            .enumerate()
            .map(|(value, name)| FacetOption { value, name })
            .collect::<Vec<_>>()
    };
    let f = facets();
    // The structs a build gives the template (`render/context/`).
    let mut ctx = tera::Context::from_serialize(PageFrame {
        description: None,
        og_type: "website",
        page_url: format!("{base_path}search/"),
        canonical_url: "https://example.org/search/".into(),
    })
    .unwrap();
    ctx.insert("t", &t);
    // The same `site` a build gives (see render/context.rs).
    let mut diags = crate::diagnostic::Diagnostics::new();
    let config = crate::config::SiteConfig::parse(
        &format!("title = \"青溪市协商公开\"\nbase_url = \"https://example.org{base_path}\"\n"),
        &mut diags,
    )
    .expect("settings");
    let urls = crate::url::Urls::new(&config.base_url, &config.base_path());
    let as_of = crate::date::parse_date("2026-01-01").unwrap();
    ctx.insert(
        "site",
        &crate::render::SiteContext::new(&config, &urls, as_of),
    );
    let link = |name: &str, path: &str| Link {
        name: name.into(),
        url: format!("{base_path}{path}"),
    };
    ctx.insert(
        "page",
        &SearchPage {
            title: "站内搜索".into(),
            index_url: index_url.into(),
            script_url: format!("{base_path}js/search.js"),
            strings: {
                let mut m = serde_json::Map::new();
                for key in SCRIPT_STRINGS {
                    let v = t.get(*key).and_then(|v| v.as_str()).expect(key);
                    m.insert(key.trim_start_matches("search_").into(), v.into());
                }
                serde_json::Value::Object(m).to_string()
            },
            browse: vec![link("按地点", "places/"), link("按年份", "years/")],
            facets: SearchFacets {
                places: f
                    .places
                    .iter()
                    .enumerate()
                    .map(|(value, p)| PlaceOption {
                        value,
                        name: p.name.clone(),
                        depth: p.depth,
                    })
                    .collect(),
                topic_types: items(f.topic_types.clone()),
                years: items(f.years.iter().map(|y| format!("{y} 年")).collect()),
                statuses: items(f.statuses.clone()),
            },
        },
    );
    tera.render("search.html", &ctx).unwrap()
}

#[test]
fn search_page_renders() {
    let html = render_page("/sub/search/", "/sub/");
    for want in [
        "<title>站内搜索 - 青溪市协商公开</title>",
        r#"<form id="search-form" class="search-form" method="get" role="search" data-index="/sub/search/" data-strings="{&quot;busy&quot;:&quot;正在搜索…&quot;,"#,
        r#"<label for="search-q">"#,
        r#"<input type="search" id="search-q" name="q""#,
        r#"<select id="search-place" name="place">"#,
        r#"<option value="1">社渚镇 · 南山村</option>"#,
        r#"<option value="0">2024 年</option>"#,
        r#"<p id="search-status" class="search-status" role="status" aria-live="polite"></p>"#,
        r#"<ol id="search-results""#,
        r#"<li><a href="/sub/places/">按地点</a></li>"#,
        r#"<script src="/sub/js/search.js" defer></script>"#,
    ] {
        assert!(html.contains(want), "{want} not in\n{html}");
    }
    assert!(html.contains("<noscript>"));
}

/// The real client in headless Chromium against a real index, served over
/// HTTP under a sub-path. Skipped when Chromium is not installed.
#[test]
fn browser_client_finds_and_highlights() {
    let chromium = std::env::var("YISHI_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !std::path::Path::new(&chromium).exists() {
        eprintln!("skipped: no chromium");
        return;
    }
    let mut files = build_files(5, false);
    // Several shards: the client must hash terms as tokenize.rs does.
    let meta: serde_json::Value = serde_json::from_slice(&files["search/meta.json"]).unwrap();
    assert!(meta["shards"].as_u64().unwrap() >= 8, "{meta}");
    files.insert(
        "search-page/index.html".into(),
        render_page("/sub/search/", "/sub/").into_bytes(),
    );
    let js =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/js/search.js");
    files.insert("js/search.js".into(), std::fs::read(js).unwrap());
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let files = std::sync::Arc::new(files);
    let served = files.clone();
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let url = req.url().split('?').next().unwrap_or("").to_string();
            let path = percent_encoding::percent_decode_str(&url)
                .decode_utf8_lossy()
                .to_string();
            let path = path.strip_prefix("/sub/").unwrap_or("");
            let path = if path.ends_with('/') {
                format!("{path}index.html")
            } else {
                path.to_string()
            };
            let _ = match served.get(&path) {
                Some(b) => {
                    let ty = if path.ends_with(".html") {
                        "text/html; charset=utf-8"
                    } else if path.ends_with(".js") {
                        "text/javascript"
                    } else {
                        "application/octet-stream"
                    };
                    let h = tiny_http::Header::from_bytes("Content-Type", ty).unwrap();
                    req.respond(tiny_http::Response::from_data(b.clone()).with_header(h))
                }
                None => req.respond(tiny_http::Response::empty(404)),
            };
        }
    });
    let dump = |query: &str| {
        let profile = tempfile::tempdir().unwrap();
        let out = std::process::Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--virtual-time-budget=10000",
                &format!("--user-data-dir={}", profile.path().display()),
                "--dump-dom",
                &format!("http://127.0.0.1:{port}/sub/search-page/?{query}"),
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let dom = dump("q=%E9%81%93%E8%B7%AF"); // 道路
    assert!(dom.contains("找到 3 条结果"), "{dom}");
    assert!(dom.contains("<mark>道路</mark>"), "{dom}");
    assert_eq!(
        dom.matches(r#"<li class="card search-hit">"#).count(),
        3,
        "{dom}"
    );
    assert!(dom.contains(r#"<a href="/r/0/">"#), "{dom}");
    assert!(
        dom.contains(r#"value="道路""#) || dom.contains("道路"),
        "{dom}"
    );
    // Record text is text: the script in record 4 is shown, never run.
    let dom = dump("q=script");
    assert!(dom.contains("&lt;<mark>script</mark>&gt;"), "{dom}");
    assert!(!dom.contains("<script>alert"), "{dom}");
    // A phrase: the record with the exact phrase first, then the one with
    // both words apart, each labelled and each word marked; filters from
    // the URL.
    let dom = dump("q=%E9%81%93%E8%B7%AF%E7%A1%AC%E5%8C%96&place=0"); // 道路硬化
    assert!(dom.contains("找到 2 条结果"), "{dom}");
    let exact = dom.find(r#"<span class="match match-exact">完全匹配</span>"#);
    let all = dom.find(r#"<span class="match match-all">包含全部词语</span>"#);
    assert!(exact.is_some() && all.is_some() && exact < all, "{dom}");
    assert!(dom.contains("<mark>道路硬化</mark>"), "{dom}");
    assert!(
        dom.contains("保障<mark>道路</mark>养护；另有渠道<mark>硬化</mark>工程"),
        "{dom}"
    );
    // Traditional characters find Simplified text, marked in place.
    let dom = dump("q=%E6%8B%86%E9%81%B7%E8%A3%9C%E5%84%9F"); // 拆遷補償
    assert!(dom.contains("找到 1 条结果"), "{dom}");
    assert!(dom.contains("<mark>拆迁补偿</mark>"), "{dom}");
    let dom = dump("q=%E6%B2%A1%E6%9C%89"); // 没有
    assert!(dom.contains("没有找到包含“没有”的记录。"), "{dom}");
    let dom = dump("year=1");
    assert!(dom.contains("找到 2 条结果"), "{dom}");
}
