//! `yishi schema`: the editors' JSON Schemas accept every record, place
//! and `site.toml` of the demo, and agree with the validator on a set of
//! good and bad records.

use std::path::Path;

use serde_json::{json, Value};

use crate::common::*;

/// YAML (as yaml-rust2 reads it: dates are strings) as JSON.
fn to_json(y: &yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match y {
        Yaml::String(s) => json!(s),
        Yaml::Integer(i) => json!(i),
        Yaml::Real(r) => r.parse::<f64>().map(|f| json!(f)).unwrap_or(json!(r)),
        Yaml::Boolean(b) => json!(b),
        Yaml::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        other => format!("{other:?}"),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

fn front_matter(text: &str) -> Value {
    let rest = text.strip_prefix("---\n").expect("front matter");
    let end = rest.find("\n---").expect("end of front matter");
    let docs = yaml_rust2::YamlLoader::load_from_str(&rest[..end]).unwrap();
    to_json(&docs[0])
}

/// The schemas `yishi schema` writes for the site at `root`.
fn schemas(root: &Path) -> std::collections::HashMap<String, jsonschema::Validator> {
    let out = tempfile::tempdir().unwrap();
    let run = Run::from(
        std::process::Command::new(env!("CARGO_BIN_EXE_yishi"))
            .args(["schema", "--root"])
            .arg(root)
            .arg("--output")
            .arg(out.path())
            .output()
            .unwrap(),
    );
    run.assert_success();
    ["topic", "session", "outcome", "place", "site"]
        .iter()
        .map(|k| {
            let text =
                std::fs::read_to_string(out.path().join(format!("{k}.schema.json"))).unwrap();
            let schema: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                schema["$schema"],
                "https://json-schema.org/draft/2020-12/schema"
            );
            (k.to_string(), jsonschema::validator_for(&schema).unwrap())
        })
        .collect()
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .take(3)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn the_demo_matches_its_schemas() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let s = schemas(repo);
    let mut n = 0;
    for entry in walkdir::WalkDir::new(repo.join("content")) {
        let entry = entry.unwrap();
        let path = entry.path();
        let kind = match path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
        {
            _ if path.file_name().is_some_and(|n| n == "_place.yaml") => "place",
            Some("topics") => "topic",
            Some("sessions") => "session",
            Some("outcomes") => "outcome",
            _ => continue,
        };
        if kind != "place" && path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let doc = if kind == "place" {
            to_json(&yaml_rust2::YamlLoader::load_from_str(&text).unwrap()[0])
        } else {
            front_matter(&text)
        };
        let e = errors(&s[kind], &doc);
        assert!(e.is_empty(), "{}: {e:#?}", path.display());
        n += 1;
    }
    assert!(n > 200, "{n} files");
    let site: toml::Table =
        toml::from_str(&std::fs::read_to_string(repo.join("site.toml")).unwrap()).unwrap();
    let site = serde_json::to_value(site).unwrap();
    assert!(errors(&s["site"], &site).is_empty());
    assert!(
        !s["site"].is_valid(&json!({"title": "x"})),
        "base_url is required"
    );
}

#[test]
fn schema_and_validator_agree_on_good_and_bad_records() {
    // (kind, front matter, whether it is right)
    let cases: &[(&str, &str, bool)] = &[
        ("topic", "title: 修路\ntype: project-construction\nproposed: 2026-03-01\n", true),
        ("topic", "title: 修路\ntype: 项目建设\nproposed: 2026-03-01\namount: 12000.5\ntags: 道路\nx_note: 备注\n", true),
        ("topic", "title: 修路\ntype: roads\nproposed: 2026-03-01\n", false),
        ("topic", "title: 修路\nproposed: 2026-03-01\n", false),
        ("topic", "title: 修路\ntype: other\nproposed: 2026/03/01\n", false),
        ("topic", "title: 修路\ntype: other\nproposed: 2026-03-01\ncolour: red\n", false),
        ("topic", "title: 修路\ntype: other\nproposed: 2026-03-01\namount: -5\n", false),
        ("session", "title: 会\ntopics: [2020-road]\nform: public-hearing\ndate: 2026-03-10 19:30\nend: \"21:00\"\nparticipants: {residents: 20}\nattendance: 30\nvote: {for: 20, against: 3}\n", true),
        ("session", "title: 会\nform: public-hearing\ndate: 2026-03-10\n", false),
        ("session", "title: 会\ntopic: 2020-road\nform: party\ndate: 2026-03-10\n", false),
        ("session", "title: 会\ntopic: 2020-road\nform: other\ndate: 2026-03-10\nparticipants: {aliens: 3}\n", false),
        ("session", "title: 会\ntopic: 2020-road\nform: other\ndate: 2026-03-10\nvote: {yes: 3}\n", false),
        ("outcome", "title: 决定\ntopic: 2026-pond\ndecided: 2026-04-01\nresult: adopted\nprogress:\n  - {date: 2026-05-01, state: started, note: 开工}\n", true),
        ("outcome", "title: 决定\ntopic: 2026-pond\ndecided: 2026-04-01\nresult: adopted\nprogress:\n  - {date: 2026-05-01, state: finished}\n", false),
        ("outcome", "title: 决定\ntopic: 2026-pond\nresult: adopted\n", false),
    ];
    let site = TempSite::new("valid");
    // A topic without an outcome, for the outcomes.
    site.write(
        "content/alpha/east/topics/2026-pond.md",
        "---\ntitle: 水塘清淤\ntype: other\nproposed: 2026-02-01\n---\n正文。\n",
    );
    let s = schemas(site.root());
    for (i, (kind, fm, right)) in cases.iter().enumerate() {
        let by_schema = errors(&s[*kind], &front_matter(&format!("---\n{fm}---\n"))).is_empty();
        assert_eq!(by_schema, *right, "schema on case {i}: {fm}");
        let rel = format!("content/alpha/east/{kind}s/2026-case-{i}.md");
        site.write(&rel, &format!("---\n{fm}---\n正文。\n"));
        let check = site.run(&["check", "--format", "json"]);
        let mine = check
            .stdout
            .lines()
            .any(|l| l.contains(&rel) && l.contains("\"error\""));
        assert_eq!(
            !mine, *right,
            "validator on case {i}: {fm}\n{}",
            check.stdout
        );
        site.remove(&rel);
    }
}
