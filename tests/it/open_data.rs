//! Open data (`/data/`): records.json against its schema, record counts
//! per scope, resolved references, derived status, no drafts; the CSV files
//! for spreadsheets; the page template. Runs the library in-process on the
//! `valid` fixture and on the demo site.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use serde_json::Value;
use yishi::build::{check, Checked, SiteOptions};
use yishi::model::RecordKind;
use yishi::publish::data::{self, DataFile, DataSet};
use yishi::publish::Ctx;
use yishi::render::context::{DataPage, PageFrame};
use yishi::render::SiteContext;
use yishi::url::Urls;

use crate::common::*;

/// A checked site and what a [`Ctx`] borrows.
struct Site {
    checked: Checked,
    urls: Urls,
    strings: Value,
}

impl Site {
    fn check(root: &Path, drafts: bool) -> Site {
        let checked = match check(&SiteOptions {
            drafts,
            as_of: Some(chrono::NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap()),
            ..SiteOptions::new(root)
        }) {
            Ok(c) => c,
            Err(e) => panic!("site does not check: {e:?}"),
        };
        let urls = Urls::new(&checked.config.base_url, &checked.config.base_path());
        let language = checked.config.language.clone();
        let text = &checked
            .theme
            .i18n
            .iter()
            .find(|(l, _)| *l == language)
            .expect("theme strings")
            .1;
        let table: toml::Table = toml::from_str(text).unwrap();
        let strings = serde_json::to_value(table).unwrap();
        Site {
            checked,
            urls,
            strings,
        }
    }

    fn fixture() -> Site {
        Site::check(&fixture("valid"), false)
    }

    fn demo() -> Site {
        Site::check(Path::new(env!("CARGO_MANIFEST_DIR")), false)
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            graph: &self.checked.graph,
            config: &self.checked.config,
            urls: &self.urls,
            strings: &self.strings,
        }
    }

    fn sets(&self) -> Vec<DataSet> {
        data::data_sets(&self.ctx())
    }

    fn set(&self, dir: &str) -> DataSet {
        self.sets()
            .into_iter()
            .find(|s| s.dir == dir)
            .unwrap_or_else(|| panic!("no data set {dir}"))
    }

    fn json_bytes(&self, set: &DataSet) -> Vec<u8> {
        let mut out = Vec::new();
        DataFile::Json.write(&self.ctx(), set, &mut out).unwrap();
        out
    }

    fn json(&self, set: &DataSet) -> Value {
        serde_json::from_slice(&self.json_bytes(set)).expect("records.json parses")
    }

    fn csv_bytes(&self, set: &DataSet, kind: RecordKind) -> Vec<u8> {
        let mut out = Vec::new();
        DataFile::Csv(kind)
            .write(&self.ctx(), set, &mut out)
            .unwrap();
        out
    }
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(data::SCHEMA).expect("schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match the schema: {errors:#?}"
    );
}

fn records(doc: &Value) -> &Vec<Value> {
    doc["records"].as_array().expect("records array")
}

fn by_id(doc: &Value) -> BTreeMap<String, &Value> {
    records(doc)
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r))
        .collect()
}

/// Every `{id, url, title}` reference in a record.
fn refs_of(r: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for key in ["related", "sessions", "topics"] {
        if let Some(list) = r.get(key).and_then(Value::as_array) {
            out.extend(list);
        }
    }
    for key in ["outcome", "topic"] {
        if let Some(one) = r.get(key).filter(|v| v.is_object()) {
            out.push(one);
        }
    }
    if let Some(votes) = r.get("votes").and_then(Value::as_array) {
        out.extend(votes.iter().map(|t| &t["topic"]).filter(|t| t.is_object()));
    }
    out
}

/// Checks every data set of a site: schema, counts, references, status.
fn check_all_sets(site: &Site) -> usize {
    let v = validator();
    let g = &site.checked.graph;
    let sets = site.sets();
    assert_eq!(sets.len(), g.site.places.len(), "one set per place");
    let whole = site.json(&sets[0]);
    let all = by_id(&whole);
    assert_eq!(all.len(), g.site.records.len(), "ids are unique");
    let mut checked = 0;
    for set in &sets {
        let doc = site.json(set);
        assert_valid(&v, &doc, &set.dir);
        let recs = records(&doc);
        // A town's file lists its own records; its villages' files the rest.
        let place = &g.site.places[set.place];
        let town = set.place != 0 && !place.children.is_empty();
        let own: Vec<usize> = g.by_place[set.place]
            .iter()
            .copied()
            .filter(|&i| !town || g.site.records[i].place == set.place)
            .collect();
        assert_eq!(recs.len(), own.len(), "{}", set.dir);
        let parts = doc["parts"].as_array().expect("parts");
        assert_eq!(parts.len(), if town { place.children.len() } else { 0 });
        if town {
            // Own records and the parts' records together: the whole scope.
            let mut union: BTreeSet<String> = by_id(&doc).into_keys().collect();
            for (part, &c) in parts.iter().zip(&place.children) {
                let dir = format!("data/{}/", g.site.places[c].path.join("/"));
                assert!(part["url"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("{dir}records.json")));
                let sub = site.json(&site.set(&dir));
                assert_eq!(part["records"], records(&sub).len(), "{dir}");
                assert_eq!(part["place"]["name"], g.site.places[c].name.as_str());
                union.extend(by_id(&sub).into_keys());
            }
            let scope: BTreeSet<String> = g.by_place[set.place]
                .iter()
                .map(|&i| g.site.records[i].id.clone())
                .collect();
            assert_eq!(union, scope, "{}", set.dir);
        }
        assert_eq!(doc["counts"]["records"], recs.len());
        for (kind, key) in [
            ("topic", "topics"),
            ("session", "sessions"),
            ("outcome", "outcomes"),
        ] {
            let n = recs.iter().filter(|r| r["kind"] == kind).count();
            assert_eq!(doc["counts"][key], n, "{} {key}", set.dir);
        }
        for r in recs {
            let id = r["id"].as_str().unwrap();
            // The same record, but for the body (only in the whole site's file).
            let mut whole = Value::clone(all[id]);
            if set.place != 0 {
                whole.as_object_mut().unwrap().remove("body");
            }
            assert_eq!(&whole, r, "{id} is the same in {} and data/", set.dir);
            if r["kind"] == "topic" {
                let slug = r["status"]["slug"].as_str().expect("topic status");
                let name = r["status"]["name"].as_str().unwrap();
                assert!(!name.is_empty() && name != slug, "status label of {id}");
            }
            for reference in refs_of(r) {
                let target = reference["id"].as_str().unwrap();
                let found = all
                    .get(target)
                    .unwrap_or_else(|| panic!("{id} refers to {target}, not in data/"));
                assert_eq!(reference["url"], found["url"]);
                assert_eq!(reference["title"], found["title"]);
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn sets_are_the_site_then_places_in_tree_order() {
    let site = Site::fixture();
    let sets = site.sets();
    let dirs: Vec<&str> = sets.iter().map(|s| s.dir.as_str()).collect();
    // Tree order: a place, then each child (in the order the graph sorts
    // siblings) with its own children.
    let places = &site.checked.graph.site.places;
    fn walk(places: &[yishi::model::Place], p: usize, out: &mut Vec<String>) {
        out.push(match p {
            0 => "data/".to_string(),
            _ => format!("data/{}/", places[p].path.join("/")),
        });
        for &c in &places[p].children {
            walk(places, c, out);
        }
    }
    let mut expected = Vec::new();
    walk(places, 0, &mut expected);
    assert_eq!(dirs, expected);
    let mut sorted = dirs.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "data/",
            "data/alpha/",
            "data/alpha/east/",
            "data/alpha/west/",
            "data/beta/",
            "data/beta/garden/"
        ]
    );
    assert_eq!(dirs[1], "data/alpha/", "a town before its villages");
    let sets: Vec<DataSet> = ["data/", "data/alpha/", "data/alpha/east/"]
        .iter()
        .map(|d| site.set(d))
        .collect();
    assert_eq!(sets[0].title, "测试协商平台");
    assert_eq!(sets[2].title, "甲镇 · 东村");
    assert_eq!(
        data::files_of(&sets[2]),
        [
            "data/alpha/east/records.json",
            "data/alpha/east/topics.csv",
            "data/alpha/east/sessions.csv",
            "data/alpha/east/outcomes.csv"
        ]
    );
    assert_eq!(
        DataFile::of_path(&sets[2], "data/alpha/east/sessions.csv"),
        Some(DataFile::Csv(RecordKind::Session))
    );
    assert_eq!(DataFile::of_path(&sets[2], "data/alpha/sessions.csv"), None);
    let paths = data::all_paths(&site.sets());
    assert_eq!(paths[0], data::SCHEMA_PATH);
    assert_eq!(paths.len(), 1 + 4 * 6);
    assert!(paths.contains(&"data/beta/garden/outcomes.csv".to_string()));
}

#[test]
fn every_set_matches_the_schema_and_its_index() {
    let site = Site::fixture();
    // data/ 14, its towns' own 4 (no village record again), east 5, west 4,
    // garden 3.
    assert_eq!(check_all_sets(&site), 14 + 4 + 5 + 4 + 3);
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let schema: Value = serde_json::from_str(data::SCHEMA).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(jsonschema::meta::is_valid(&schema));
}

#[test]
fn the_schema_rejects_what_it_should() {
    let site = Site::fixture();
    let v = validator();
    let doc = site.json(&site.set("data/"));
    assert!(v.is_valid(&doc));
    let topic_at = records(&doc)
        .iter()
        .position(|r| r["kind"] == "topic")
        .unwrap();
    let session_at = records(&doc)
        .iter()
        .position(|r| r["kind"] == "session")
        .unwrap();
    type Edit = Box<dyn Fn(&mut Value)>;
    let broken: Vec<(&str, Edit)> = vec![
        (
            "topic without status",
            Box::new(move |d| {
                d["records"][topic_at]
                    .as_object_mut()
                    .unwrap()
                    .remove("status");
            }),
        ),
        (
            "unknown key",
            Box::new(move |d| d["records"][session_at]["minutes"] = "x".into()),
        ),
        (
            "a session's key on a topic",
            Box::new(move |d| d["records"][topic_at]["form"] = Value::Null),
        ),
        (
            "unknown status",
            Box::new(move |d| d["records"][topic_at]["status"]["slug"] = "open".into()),
        ),
        (
            "amount as text",
            Box::new(move |d| d["records"][topic_at]["amount"] = "12.5万元".into()),
        ),
        (
            "bad date",
            Box::new(move |d| d["records"][topic_at]["proposed"] = "2016-02-30".into()),
        ),
        (
            "unresolved reference",
            Box::new(move |d| d["records"][session_at]["topics"] = serde_json::json!(["a/b"])),
        ),
        ("no version", Box::new(|d| d["version"] = 3.into())),
    ];
    for (what, edit) in broken {
        let mut d = doc.clone();
        edit(&mut d);
        assert!(!v.is_valid(&d), "the schema accepts: {what}");
    }
}

#[test]
fn document_header_and_record_fields() {
    let site = Site::fixture();
    let doc = site.json(&site.set("data/alpha/east/"));
    assert_eq!(
        doc["schema"],
        "https://example.org/xieshang/data/schema.json"
    );
    assert_eq!(doc["version"], 2);
    assert_eq!(doc["site"]["title"], "测试协商平台");
    assert_eq!(doc["site"]["base_url"], "https://example.org/xieshang/");
    assert_eq!(doc["site"]["license"], "CC BY 4.0");
    assert_eq!(doc["place"]["id"], "alpha/east");
    assert_eq!(doc["place"]["full_name"], "甲镇 · 东村");
    assert_eq!(
        doc["place"]["url"],
        "https://example.org/xieshang/alpha/east/"
    );
    assert_eq!(doc["as_of"], AS_OF);

    let all = site.json(&site.set("data/"));
    let r = by_id(&all);
    let bridge = r["alpha/2016-bridge"];
    assert_eq!(
        bridge["url"],
        "https://example.org/xieshang/alpha/topics/2016-bridge/"
    );
    assert_eq!(
        bridge["place"],
        serde_json::json!({"id": "alpha", "name": "甲镇"})
    );
    assert_eq!(bridge["type"]["slug"], "project-construction");
    assert_eq!(bridge["type"]["name"], "项目建设");
    assert_eq!(bridge["amount"], serde_json::json!(1250000));
    assert!(bridge["amount"].is_u64(), "whole yuan as an integer");
    assert_eq!(bridge["tags"], serde_json::json!(["桥梁", "基础设施"]));
    assert_eq!(bridge["notice_until"], "2016-03-15");
    assert_eq!(bridge["villages"][1]["id"], "alpha/west");
    assert!(
        bridge["body"].as_str().unwrap().contains("| 镇财政 | 80 |"),
        "Markdown source"
    );
    assert_eq!(bridge["summary"], "两村村民联名提出在界河上建设便民桥。");
    let sessions: Vec<&str> = bridge["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        sessions,
        ["alpha/2016-bridge-council", "alpha/2016-bridge-hearing"]
    );
    assert_eq!(bridge["outcome"]["id"], "alpha/2016-bridge-decision");

    let hearing = r["alpha/2016-bridge-hearing"];
    assert_eq!(hearing["date"], "2016-04-10T19:30:00+08:00");
    assert_eq!(hearing["end"], "2016-04-10T21:00:00+08:00");
    assert_eq!(hearing["form"]["slug"], "public-hearing");
    assert_eq!(hearing["upcoming"], false);
    assert_eq!(
        hearing["participants"][0],
        serde_json::json!({"slug": "resident-reps", "name": "村(居)民代表", "count": 20})
    );
    assert_eq!(
        hearing["votes"],
        serde_json::json!([{"topic": null, "for": 20, "against": 3, "abstain": 2}])
    );
    assert_eq!(r["alpha/2016-bridge-council"]["date"], "2016-03-20");
    assert_eq!(r["alpha/2016-bridge-council"]["end"], Value::Null);

    let meeting = r["alpha/east/2021-budget-meeting"];
    let votes = meeting["votes"].as_array().unwrap();
    assert_eq!(votes.len(), 2);
    assert_eq!(votes[0]["topic"]["id"], "alpha/east/2021-budget");
    assert_eq!(votes[0]["for"], 30);
    assert_eq!(votes[0]["against"], Value::Null, "not counted is null");
    assert_eq!(votes[1]["topic"]["id"], "alpha/east/2020-road");

    let parking = r["beta/garden/2024-parking-meeting"];
    assert_eq!(
        parking["attachments"],
        serde_json::json!(["https://example.org/xieshang/beta/garden/sessions/files/plan.pdf"])
    );
    assert!(
        parking["body"].as_str().unwrap().contains("<script>"),
        "the body is the source as written (pages sanitize it, data does not render it)"
    );

    let decision = r["alpha/2016-bridge-decision"];
    assert_eq!(decision["topic"]["id"], "alpha/2016-bridge");
    assert_eq!(decision["sessions"][0]["id"], "alpha/2016-bridge-hearing");
    assert_eq!(decision["result"]["name"], "通过");
    assert_eq!(decision["deadline"], "2017-01-01");
    assert_eq!(decision["progress"][1]["state"]["slug"], "done");
    assert_eq!(decision["progress"][1]["final"], true);
    assert_eq!(decision["progress"][1]["note"], "通车");
    assert_eq!(decision["date"], decision["decided"]);

    let parking_topic = r["beta/garden/2024-parking"];
    assert_eq!(parking_topic["related"][0]["id"], "alpha/east/2020-road");
    assert_eq!(
        r["alpha/east/2020-road"]["related"][0]["id"], "beta/garden/2024-parking",
        "related is shown both ways"
    );
}

#[test]
fn derived_status_and_overdue() {
    let site = Site::fixture();
    let all = site.json(&site.set("data/"));
    let r = by_id(&all);
    for (id, status, overdue) in [
        ("alpha/2016-bridge", "done", false),
        ("alpha/east/2020-road", "implementing", true),
        ("alpha/east/2021-budget", "consulting", false),
        ("alpha/west/2019-land", "withdrawn", false),
        ("alpha/west/2026-waste", "collecting", false),
        ("beta/garden/2024-parking", "decided", false),
    ] {
        assert_eq!(r[id]["status"]["slug"], status, "{id}");
        assert_eq!(r[id]["overdue"], overdue, "{id}");
    }
    assert_eq!(r["alpha/east/2020-road"]["status"]["name"], "实施中");
    assert_eq!(r["alpha/east/2020-road-decision"]["overdue"], true);
    assert_eq!(r["alpha/west/2026-waste-talk"]["upcoming"], true);
}

#[test]
fn a_town_includes_its_villages_and_a_village_the_town_topics_naming_it() {
    let site = Site::fixture();
    let ids =
        |dir: &str| -> BTreeSet<String> { by_id(&site.json(&site.set(dir))).into_keys().collect() };
    let town = ids("data/alpha/");
    let east = ids("data/alpha/east/");
    let west = ids("data/alpha/west/");
    // The town's own file does not repeat its villages' records.
    assert!(town.iter().all(|id| id.split('/').count() == 2), "{town:?}");
    assert!(town.contains("alpha/2016-bridge"));
    assert!(east.contains("alpha/east/2020-road"));
    assert!(east.contains("alpha/2016-bridge") && west.contains("alpha/2016-bridge"));
    assert!(
        !east.contains("alpha/2016-bridge-hearing"),
        "only the topic is named"
    );
    assert!(!town.contains("beta/garden/2024-parking"));
    assert_eq!(ids("data/").len(), site.checked.graph.site.records.len());
}

#[test]
fn a_town_job_writes_its_villages_files_as_they_would_be_alone() {
    for site in [Site::fixture(), Site::demo()] {
        let ctx = site.ctx();
        let sets = site.sets();
        let followers = data::followers(&ctx, &sets);
        let villages: usize = followers.iter().map(Vec::len).sum();
        assert!(villages >= 2, "{villages}");
        assert!(followers[0].is_empty(), "the whole site's set leads none");
        for (k, others) in followers.iter().enumerate() {
            let others: Vec<&DataSet> = others.iter().map(|&o| &sets[o]).collect();
            for f in DataFile::ALL {
                let mut led = data::Followers::new(&ctx, f, &others);
                let mut lead = Vec::new();
                f.write_with(&ctx, &sets[k], &mut led, &mut lead).unwrap();
                let mut alone = Vec::new();
                f.write(&ctx, &sets[k], &mut alone).unwrap();
                assert!(lead == alone, "{}{}", sets[k].dir, f.name());
                // Every village's file came from the town's records.
                assert!(led.complete(), "{}{}", sets[k].dir, f.name());
                for (set, bytes) in led.finish(&ctx, f).unwrap() {
                    let mut alone = Vec::new();
                    f.write(&ctx, set, &mut alone).unwrap();
                    assert!(bytes == alone, "{}{}", set.dir, f.name());
                }
            }
        }
    }
}

#[test]
fn bodies_are_published_once_in_the_whole_site_file() {
    let site = Site::fixture();
    let all = site.json(&site.set("data/"));
    assert!(records(&all).iter().all(|r| r["body"].is_string()));
    let town = site.json(&site.set("data/alpha/"));
    assert!(!records(&town).is_empty());
    assert!(records(&town).iter().all(|r| r.get("body").is_none()));
}

#[test]
fn records_are_newest_first_one_per_line() {
    let site = Site::fixture();
    let set = site.set("data/");
    let bytes = site.json_bytes(&set);
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Header line, one line per record, closing line.
    assert_eq!(lines.len(), set.records.len() + 2);
    for line in &lines[1..lines.len() - 1] {
        let record: Value = serde_json::from_str(line.trim_end_matches(',')).unwrap();
        assert!(record["id"].is_string());
    }
    let doc: Value = serde_json::from_str(&text).unwrap();
    let days: Vec<&str> = records(&doc)
        .iter()
        .map(|r| &r["date"].as_str().unwrap()[..10])
        .collect();
    let mut sorted = days.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(days, sorted);
}

/// Ids of the drafts of a site (built with drafts), and the site without.
fn draft_ids(root: &Path) -> Vec<String> {
    let with = Site::check(root, true);
    let ids: Vec<String> = with
        .checked
        .graph
        .site
        .records
        .iter()
        .filter(|r| r.draft)
        .map(|r| r.id.clone())
        .collect();
    assert!(!ids.is_empty(), "the site has drafts");
    // With drafts asked for, the data does include them: the check below
    // is not vacuous.
    let whole = with.json_bytes(&with.set("data/"));
    let text = String::from_utf8(whole).unwrap();
    assert!(ids
        .iter()
        .all(|id| text.contains(&format!("\"id\":\"{id}\""))));
    ids
}

fn assert_no_drafts(site: &Site, drafts: &[String]) {
    for set in site.sets() {
        let mut files = vec![site.json_bytes(&set)];
        for kind in RecordKind::ALL {
            files.push(site.csv_bytes(&set, kind));
        }
        for bytes in files {
            let text = String::from_utf8(bytes).unwrap();
            for id in drafts {
                assert!(!text.contains(id.as_str()), "draft {id} in {}", set.dir);
            }
        }
    }
}

#[test]
fn drafts_are_nowhere() {
    let drafts = draft_ids(&fixture("valid"));
    assert_no_drafts(&Site::fixture(), &drafts);
}

fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 byte-order mark");
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| {
            r.expect("well-formed CSV")
                .iter()
                .map(String::from)
                .collect()
        })
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

#[test]
fn csv_files_have_a_bom_chinese_headers_and_one_row_per_record() {
    let site = Site::fixture();
    let g = &site.checked.graph;
    for set in site.sets() {
        for kind in RecordKind::ALL {
            let (header, rows) = read_csv(&site.csv_bytes(&set, kind));
            assert_eq!(header.len(), data::csv_columns(kind).len());
            assert_eq!(
                &header[..5],
                ["编号", "网址", "地点编号", "所属地点", "标题"]
            );
            assert!(
                header.iter().all(|h| !h.is_ascii()),
                "every header is Chinese: {header:?}"
            );
            let expected: Vec<&str> = set
                .records
                .iter()
                .map(|&i| &g.site.records[i])
                .filter(|r| r.kind == kind)
                .map(|r| r.id.as_str())
                .collect();
            let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
            assert_eq!(ids, expected, "{} {kind:?}", set.dir);
        }
    }
    let (header, rows) = read_csv(&site.csv_bytes(&site.set("data/alpha/"), RecordKind::Topic));
    let bridge = rows.iter().find(|r| r[0] == "alpha/2016-bridge").unwrap();
    assert_eq!(bridge[column(&header, "标题")], "跨村便民桥建设");
    assert_eq!(bridge[column(&header, "状态")], "已办结");
    assert_eq!(bridge[column(&header, "逾期")], "否");
    assert_eq!(bridge[column(&header, "金额（元）")], "1250000");
    assert_eq!(bridge[column(&header, "涉及村（社区）")], "东村；西村");
    assert_eq!(bridge[column(&header, "关键词")], "桥梁；基础设施");
    assert_eq!(
        bridge[column(&header, "协商会议编号")],
        "alpha/2016-bridge-council；alpha/2016-bridge-hearing"
    );

    let (header, rows) = read_csv(&site.csv_bytes(&site.set("data/"), RecordKind::Session));
    let meeting = rows
        .iter()
        .find(|r| r[0] == "alpha/east/2021-budget-meeting")
        .unwrap();
    assert_eq!(
        meeting[column(&header, "开始时间")],
        "2021-01-20T09:00:00+08:00"
    );
    assert_eq!(
        meeting[column(&header, "表决结果")],
        "alpha/east/2021-budget：赞成 30；alpha/east/2020-road：赞成 25，反对 5"
    );
    let hearing = rows
        .iter()
        .find(|r| r[0] == "alpha/2016-bridge-hearing")
        .unwrap();
    assert_eq!(
        hearing[column(&header, "参加人员")],
        "村(居)民代表 20；政府部门 3"
    );
    assert_eq!(hearing[column(&header, "会议地点")], "甲镇会议室");

    let (header, rows) = read_csv(&site.csv_bytes(&site.set("data/"), RecordKind::Outcome));
    let decision = rows
        .iter()
        .find(|r| r[0] == "alpha/2016-bridge-decision")
        .unwrap();
    assert_eq!(decision[column(&header, "最新进展")], "已完成");
    assert_eq!(
        decision[column(&header, "落实反馈")],
        "2016-06-01 已启动：开工；2016-12-20 已完成：通车"
    );
}

#[test]
fn csv_quotes_commas_quotes_and_newlines() {
    let temp = TempSite::new("valid");
    let tricky = "甲镇会议室, 二楼 \"东侧\"\n（临时）";
    temp.edit(
        "content/alpha/sessions/2016-bridge-hearing.md",
        "location: 甲镇会议室",
        "location: \"甲镇会议室, 二楼 \\\"东侧\\\"\\n（临时）\"",
    );
    temp.edit(
        "content/alpha/sessions/2016-bridge-hearing.md",
        "title: 便民桥建设方案听证会",
        "title: '听证会, \"第一次\"'",
    );
    let site = Site::check(temp.root(), false);
    let set = site.set("data/");
    let bytes = site.csv_bytes(&set, RecordKind::Session);
    let (header, rows) = read_csv(&bytes);
    let row = rows
        .iter()
        .find(|r| r[0] == "alpha/2016-bridge-hearing")
        .unwrap();
    assert_eq!(row[column(&header, "会议地点")], tricky);
    assert_eq!(row[column(&header, "标题")], "听证会, \"第一次\"");
    assert_eq!(row.len(), header.len());
    let doc = site.json(&set);
    assert_eq!(by_id(&doc)["alpha/2016-bridge-hearing"]["location"], tricky);
    assert_valid(&validator(), &doc, "edited site");
}

#[test]
fn csv_cells_that_start_like_a_formula_are_neutralised_but_json_is_not() {
    let temp = TempSite::new("valid");
    let evil = "=HYPERLINK(\"http://evil.example/\",\"点此\")";
    temp.edit(
        "content/alpha/sessions/2016-bridge-hearing.md",
        "title: 便民桥建设方案听证会",
        "title: '=HYPERLINK(\"http://evil.example/\",\"点此\")'",
    );
    temp.edit(
        "content/alpha/sessions/2016-bridge-hearing.md",
        "location: 甲镇会议室",
        "location: \"@SUM(1+1)\"",
    );
    let site = Site::check(temp.root(), false);
    let set = site.set("data/");
    let (header, rows) = read_csv(&site.csv_bytes(&set, RecordKind::Session));
    let row = rows
        .iter()
        .find(|r| r[0] == "alpha/2016-bridge-hearing")
        .unwrap();
    assert_eq!(row[column(&header, "标题")], format!("'{evil}"));
    assert_eq!(row[column(&header, "会议地点")], "'@SUM(1+1)");
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell starts like a formula: {cell:?}"
            );
        }
    }
    // The topic table lists the session's title too.
    let (header, rows) = read_csv(&site.csv_bytes(&set, RecordKind::Topic));
    let row = rows.iter().find(|r| r[0] == "alpha/2016-bridge").unwrap();
    assert!(!row[column(&header, "标题")].starts_with('='));
    let doc = site.json(&set);
    let record = &by_id(&doc)["alpha/2016-bridge-hearing"];
    assert_eq!(record["title"], evil, "JSON keeps the value as written");
    assert_eq!(record["location"], "@SUM(1+1)");
}

#[test]
fn an_english_site_gets_english_headers_and_labels() {
    let temp = TempSite::new("valid");
    temp.edit(
        "site.toml",
        "page_size = 2",
        "page_size = 2\nlanguage = \"en\"",
    );
    let site = Site::check(temp.root(), false);
    let (header, _) = read_csv(&site.csv_bytes(&site.set("data/"), RecordKind::Topic));
    assert_eq!(&header[..3], ["id", "url", "place_id"]);
    let doc = site.json(&site.set("data/"));
    assert_eq!(by_id(&doc)["alpha/2016-bridge"]["status"]["name"], "Done");
}

#[test]
fn the_demo_site_serialises_quickly_and_validly() {
    let site = Site::demo();
    let n = check_all_sets(&site);
    assert!(n > site.checked.graph.site.records.len());
    let drafts = draft_ids(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert_no_drafts(&site, &drafts);

    let ctx = site.ctx();
    let sets = site.sets();
    let start = Instant::now();
    let mut bytes = 0usize;
    let mut records = 0usize;
    for set in &sets {
        for file in DataFile::ALL {
            let mut out = std::io::BufWriter::new(Vec::new());
            file.write(&ctx, set, &mut out).unwrap();
            bytes += out.into_inner().unwrap().len();
        }
        records += set.records.len();
    }
    let took = start.elapsed();
    eprintln!(
        "open data of the demo site: {} sets, {records} record copies, {bytes} bytes in {took:?}",
        sets.len()
    );
    // About 0.1 s in a debug build; the bound leaves room for a busy
    // machine. Timing at scale: `examples/data_bench.rs`.
    assert!(
        took.as_secs() < 5,
        "open data of the demo site took {took:?}"
    );
}

#[test]
fn the_page_template_renders() {
    let site = Site::fixture();
    let ctx = site.ctx();
    let sets = site.sets();
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html"]);
    // The renderer's escaping: `/` stays as it is in links.
    tera.set_escape_fn(yishi::render::escape_html);
    tera.add_raw_templates(
        site.checked
            .theme
            .templates
            .iter()
            .map(|(n, s)| (n.as_str(), s.as_str())),
    )
    .unwrap();
    // The structs a build gives the template (`render/context/`).
    let render = |page: &DataPage, strings: &Value| {
        let mut c = tera::Context::from_serialize(PageFrame {
            description: None,
            og_type: "website",
            page_url: "/xieshang/data/".into(),
            canonical_url: "https://example.org/xieshang/data/".into(),
        })
        .unwrap();
        c.insert("page", page);
        c.insert("t", strings);
        // The `site` a build gives, with the page's licence (this test
        // renders the page with and without one).
        let mut site_ctx =
            SiteContext::new(&site.checked.config, ctx.urls, site.checked.graph.as_of);
        site_ctx.license = page.license.as_deref();
        c.insert("site", &site_ctx);
        tera.render("data.html", &c).unwrap()
    };
    let page = data::page_value(&ctx, &sets);
    let html = render(&page, &site.strings);
    assert!(html.contains("<h1>开放数据</h1>"));
    assert!(html.contains("href=\"/xieshang/data/schema.json\""));
    assert!(html.contains("href=\"/xieshang/data/alpha/east/topics.csv\""));
    assert!(html.contains("<th scope=\"row\">甲镇 · 东村</th>"));
    assert_eq!(html.matches("<th scope=\"col\">").count(), 6);
    assert_eq!(html.matches("<th scope=\"row\">").count(), sets.len());
    assert!(html.contains("CC BY 4.0"));
    assert!(html.contains("带 BOM 的 UTF-8"));
    assert!(html.contains("草稿"));
    let unlicensed = DataPage {
        license: None,
        ..page
    };
    let html = render(&unlicensed, &site.strings);
    assert!(html.contains("尚未声明数据许可"));
}
