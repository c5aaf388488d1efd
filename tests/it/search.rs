//! Search, end to end: the demo site is built, served on loopback and
//! searched in headless Chromium at phone width (`tests/tools/search.mjs`),
//! the way a resident would. `.ci/run` installs Chromium and the npm tools;
//! without them the test is skipped locally and fails in CI.

use std::path::Path;
use std::process::Command;

use crate::common::*;
use crate::search_queries;
use serde_json::Value;

fn tools_ready() -> bool {
    browser_tools_ready(&["playwright-core"])
}

fn titles(r: &Value) -> Vec<String> {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["title"].as_str().unwrap().to_string())
        .collect()
}

/// `2017-04-01` → `2017年4月1日`, as pages show dates.
fn han_date(iso: &str) -> String {
    let parts: Vec<u32> = iso.split('-').map(|p| p.parse().unwrap()).collect();
    assert_eq!(parts.len(), 3, "{iso}");
    format!("{}年{}月{}日", parts[0], parts[1], parts[2])
}

/// `2017-04-01` → `1 Apr 2017`, as English pages show dates.
fn english_date(iso: &str) -> String {
    let parts: Vec<usize> = iso.split('-').map(|p| p.parse().unwrap()).collect();
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!("{} {} {}", parts[2], months[parts[1] - 1], parts[0])
}

/// Run the Node tool `tests/tools/SCRIPT` with `args`; its output, one
/// JSON object per line, and the text of it (for messages).
fn node_json<S: AsRef<std::ffi::OsStr>>(script: &str, args: &[S]) -> (String, Vec<Value>) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tools")
        .join(script);
    let out = Command::new("node")
        .arg(script)
        .args(args)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let values = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (stdout, values)
}

fn search(dir: &Path, queries: &[&str]) -> Vec<Value> {
    let mut args = vec![dir.as_os_str().to_owned()];
    args.extend(queries.iter().map(std::ffi::OsString::from));
    node_json("search.mjs", &args).1
}

/// Dates in results are written as the site's pages write them, and the
/// status line comes from the theme's strings: Traditional characters on a
/// zh-TW site, English on an English one.
#[test]
fn result_dates_follow_the_page_language() {
    if !tools_ready() {
        return;
    }
    for (language, query) in [("zh-TW", "道路硬化"), ("en", "道路硬化")] {
        let site = TempSite::new("valid");
        site.edit(
            "site.toml",
            "page_size = 2\n",
            &format!("page_size = 2\nlanguage = \"{language}\"\n"),
        );
        // search.mjs serves the output at the root of its host.
        site.edit(
            "site.toml",
            "https://example.org/xieshang/",
            "https://example.org/",
        );
        site.build(&[]).assert_success();
        let runs = search(&site.path("public"), &[query]);
        let results = runs[0]["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{language}: {}", runs[0]);
        for r in results {
            let iso = r["datetime"].as_str().unwrap();
            let expected = if language == "en" {
                english_date(iso)
            } else {
                han_date(iso)
            };
            assert_eq!(r["time"].as_str().unwrap(), expected, "{language}: {r}");
        }
        // The status line in the page's script too: Traditional on a
        // Traditional page, as before elsewhere.
        let status = runs[0]["status"].as_str().unwrap();
        let count = if language == "en" {
            "results"
        } else {
            "筆結果"
        };
        assert!(status.contains(count), "{language}: {status}");
        assert_eq!(runs[1]["errors"], serde_json::json!([]), "{}", runs[1]);
    }
}

#[test]
fn residents_find_records_by_chinese_words() {
    if !tools_ready() {
        return;
    }
    let site = demo_site();
    site.build(&[]).assert_success();
    let public = site.path("public");
    let (stdout, runs) = node_json(
        "search.mjs",
        &[
            public.to_str().unwrap(),
            "道路硬化",
            "拆迁",
            "预算",
            "预算|place=松岭镇 · 石坂村",
            "没有这样的词语组合",
            "more:村委会",
        ],
    );
    let [road, demolition, budget, budget_here, nothing, paged, end] = &runs[..] else {
        panic!("{stdout}");
    };

    // A four-character phrase: the topic, its hearing and its outcome, then
    // a later topic whose body recalls it; each labelled as what it is.
    let t = titles(road);
    let labels: Vec<&str> = road["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["match"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["完全匹配"; 4], "{road}");
    assert!(t.iter().any(|x| x == "上圆组道路硬化工程"), "{road}");
    assert!(t.len() >= 3, "{road}");
    assert!(road["status"].as_str().unwrap().contains("找到"), "{road}");
    assert!(road["url"].as_str().unwrap().contains("q="), "{road}");
    for r in road["results"].as_array().unwrap() {
        assert!(r["href"].as_str().unwrap().starts_with('/'), "{r}");
        let marks: Vec<&str> = r["marks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap())
            .collect();
        // The phrase marked in an exact match; each word in the others.
        match r["match"].as_str().unwrap() {
            "完全匹配" => assert!(marks.iter().any(|m| m.contains("道路硬化")), "{r}"),
            "包含全部词语" => {
                assert!(marks.contains(&"道路") && marks.contains(&"硬化"), "{r}")
            }
            other => panic!("{other}: {r}"),
        }
        // Dates as the pages write them, the ISO date for machines.
        let time = r["time"].as_str().unwrap();
        let iso = r["datetime"].as_str().unwrap();
        assert_eq!(time, han_date(iso), "{r}");
    }

    // Two-character queries.
    assert!(
        titles(demolition)
            .iter()
            .any(|x| x == "望川工业园扩区涉及桃园村土地征收补偿"),
        "{demolition}"
    );
    let all_budget = titles(budget);
    assert!(!all_budget.is_empty(), "{budget}");

    // A place filter keeps that village's records only.
    let here = titles(budget_here);
    assert!(
        here.iter().any(|x| x == "石坂村2025年度财务预算"),
        "{budget_here}"
    );
    for r in budget_here["results"].as_array().unwrap() {
        assert!(r["href"].as_str().unwrap().starts_with("/songling/"), "{r}");
    }

    assert!(titles(nothing).is_empty(), "{nothing}");
    assert!(
        nothing["status"].as_str().unwrap().contains("没有"),
        "{nothing}"
    );

    // The count is exact and stays the same when more results are loaded.
    let count = |s: &str| -> String { s.chars().filter(|c| c.is_ascii_digit()).collect() };
    let before = paged["status"].as_str().unwrap();
    let after = paged["status_more"].as_str().unwrap();
    assert!(
        before.starts_with("找到 ") && after.starts_with("找到 "),
        "{paged}"
    );
    assert!(
        before.ends_with("已显示 10 条") && after.ends_with("已显示 20 条"),
        "{paged}"
    );
    assert_eq!(
        count(before).trim_end_matches("10"),
        count(after).trim_end_matches("20"),
        "{paged}"
    );
    assert_eq!(paged["shown_more"], 20, "{paged}");

    // No script error, nothing fetched from another host, small downloads.
    assert_eq!(end["errors"], serde_json::json!([]), "{end}");
    assert_eq!(end["offsite"], 0, "{end}");
    for r in &runs[..5] {
        assert!(r["bytes"].as_u64().unwrap() < 500_000, "{r}");
    }
}

/// Without JavaScript the page is still a way in: it names the browse
/// indexes.
#[test]
fn search_page_without_javascript_points_to_the_indexes() {
    let site = demo_site();
    site.build(&[]).assert_success();
    let html = site.page("search/");
    let noscript = &html[html.find("<noscript>").expect("noscript")..];
    for link in ["href=\"/types/\"", "href=\"/years/\"", "href=\"/forms/\""] {
        assert!(noscript.contains(link), "{link}");
    }
    assert!(html.contains("<form id=\"search-form\""));
    assert!(html.contains("name=\"q\""));
    assert!(site.path("public/search/meta.json").is_file());
}

/// The place filter lists places as the content model orders them: a
/// depth-first walk, siblings by `order`, then code, then slug; not in the
/// order of their names (第10选区 would come before 第3选区).
#[test]
fn place_filter_follows_the_place_order() {
    let site = TempSite::new("valid");
    site.write(
        "content/beta/ten/_place.yaml",
        "name: 第10选区\nkind: community\norder: 10\n",
    );
    site.write(
        "content/beta/three/_place.yaml",
        "name: 第3选区\nkind: community\norder: 3\n",
    );
    site.build(&[]).assert_success();
    let html = site.page("search/");
    let select = &html[html
        .find("<select id=\"search-place\"")
        .expect("place filter")..];
    let select = &select[..select.find("</select>").unwrap()];
    let names: Vec<&str> = select
        .split("<option value=\"")
        .skip(2)
        .map(|o| {
            let o = &o[o.find('>').unwrap() + 1..];
            &o[..o.find('<').unwrap()]
        })
        .collect();
    let at = |name: &str| {
        names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("{name} not in {names:?}"))
    };
    // Siblings by order (3 before 10), unordered ones after.
    assert!(
        at("乙街道 · 第3选区") < at("乙街道 · 第10选区"),
        "{names:?}"
    );
    assert!(
        at("乙街道 · 第10选区") < at("乙街道 · 花园社区"),
        "{names:?}"
    );
    // Depth first: a town, its villages, then the next town.
    assert_eq!(names[0], "甲镇", "{names:?}");
    assert!(at("甲镇 · 东村") < at("乙街道") && at("甲镇 · 西村") < at("乙街道"));
    assert_eq!(at("乙街道") + 1, at("乙街道 · 第3选区"), "{names:?}");
    assert_eq!(names.len(), 7, "{names:?}");
}

/// The search query set (`tests/fixtures/search-queries.tsv`, scored by
/// `search_queries`) typed into the search box of the built demo in
/// headless Chromium (`tests/tools/search_set.mjs`): every query's expected
/// record among the first five results; hit rate and precision at 5 per
/// kind of query printed.
#[test]
fn query_set_finds_the_expected_records_in_the_browser() {
    if !tools_ready() {
        return;
    }
    let cases = search_queries::query_set();
    let site = search_queries::built_demo();
    let (stdout, runs) = node_json(
        "search_set.mjs",
        &[
            site.path("public").into_os_string(),
            search_queries::query_set_path().into(),
        ],
    );
    let Some((end, runs)) = runs.split_last() else {
        panic!("no output");
    };
    assert_eq!(runs.len(), cases.len(), "{stdout}");
    let mut tops = Vec::new();
    let mut times = Vec::new();
    let mut slowest = (0, "");
    for (case, run) in cases.iter().zip(runs) {
        assert_eq!(run["query"], case.query.as_str(), "{run}");
        // The search finished: its status line says what it found.
        assert_eq!(run["timedOut"], false, "{run}");
        let status = run["status"].as_str().unwrap();
        assert!(!status.is_empty() && status != "正在搜索…", "{run}");
        let ms = run["ms"].as_u64().unwrap();
        times.push(ms);
        if ms > slowest.0 {
            slowest = (ms, case.query.as_str());
        }
        let hrefs: Vec<String> = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["href"].as_str().unwrap().to_string())
            .collect();
        if hrefs.is_empty() {
            assert!(status.contains("没有"), "{run}");
        }
        tops.push(hrefs);
    }
    times.sort_unstable();
    println!(
        "until the status line changed: median {} ms, slowest {} ms ({:?})",
        times[times.len() / 2],
        slowest.0,
        slowest.1
    );
    assert_eq!(end["errors"], serde_json::json!([]), "{end}");
    assert_eq!(end["offsite"], 0, "{end}");
    search_queries::assert_scores("headless Chromium", &cases, &tops);
}

/// Where phrase candidates fail their check (every two-character piece of
/// 宅基地补偿 in the title, the phrase itself nowhere), the browser shows
/// the same results in the same order and with the same labels as the
/// Rust reader, over two pages, although it takes each record as it
/// arrives and requests the next candidate's record as soon as one fails;
/// and it fetches the dictionary while the query is being typed.
#[test]
fn browser_and_reader_agree_where_phrase_checks_fail() {
    use yishi::search::reader::{Match, Query, Reader};
    if !tools_ready() {
        return;
    }
    let site = TempSite::new("valid");
    // Served at the root of the test server.
    site.edit(
        "site.toml",
        "https://example.org/xieshang/",
        "https://example.org/",
    );
    // Newest first within a rank: the near misses are the newest and have
    // every piece in the title, so they are checked first.
    for i in 0..18 {
        site.write(
            &format!("content/alpha/east/topics/2024-near-{i:02}.md"),
            &format!(
                "---\ntitle: 宅基地确权、土地补助与拆迁补偿（第{i}号）\ntype: annual-budget\nproposed: 2024-{:02}-10\n---\n第{i}号方案。\n",
                1 + i % 12
            ),
        );
    }
    for i in 0..6 {
        site.write(
            &format!("content/alpha/west/topics/2015-exact-{i}.md"),
            &format!(
                "---\ntitle: 第{i}号议题\ntype: annual-budget\nproposed: 2015-0{}-01\n---\n宅基地补偿标准公示（第{i}号）。\n",
                1 + i
            ),
        );
    }
    for i in 0..4 {
        site.write(
            &format!("content/beta/garden/topics/2016-part-{i}.md"),
            &format!(
                "---\ntitle: 宅基地确权第{i}号\ntype: annual-budget\nproposed: 2016-0{}-01\n---\n确权登记。\n",
                1 + i
            ),
        );
    }
    site.build(&[]).assert_success();

    // The Rust reader, two pages of ten.
    let root = site.path("public/search");
    let reader = Reader::open(|p: &str| std::fs::read(root.join(p)).ok()).unwrap();
    let mut s = reader
        .start(&Query {
            q: "宅基地补偿".into(),
            ..Query::default()
        })
        .unwrap();
    let mut expected: Vec<(String, &str)> = Vec::new();
    for _ in 0..2 {
        for h in reader.more(&mut s, 10).unwrap() {
            let label = match h.matched {
                Match::Exact => "完全匹配",
                Match::AllWords => "包含全部词语",
                Match::Partial => "部分匹配",
                Match::Filter => "",
            };
            expected.push((h.url, label));
        }
    }
    let labels: Vec<&str> = expected.iter().map(|e| e.1).collect();
    // The case is what it means to be: near misses demoted below the six
    // exact matches, over more than one round of checks.
    assert_eq!(labels[..6], ["完全匹配"; 6], "{expected:?}");
    assert_eq!(labels[6..], ["包含全部词语"; 14], "{expected:?}");

    let (stdout, runs) = node_json(
        "search.mjs",
        &[
            site.path("public").to_str().unwrap(),
            "wait:more:宅基地补偿",
        ],
    );
    let [run, end] = &runs[..] else {
        panic!("{stdout}");
    };
    let shown: Vec<(String, String)> = run["results_more"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["href"].as_str().unwrap().to_string(),
                r["match"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = expected
        .into_iter()
        .map(|(u, l)| (u, l.to_string()))
        .collect();
    assert_eq!(shown, expected, "{run}");
    let typed = run["typed"].as_array().unwrap();
    assert!(
        typed
            .iter()
            .any(|p| p.as_str().unwrap().contains("/search/s/")),
        "no dictionary shard fetched while typing: {run}"
    );
    assert_eq!(end["errors"], serde_json::json!([]), "{end}");
}
