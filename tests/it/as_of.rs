//! Status is the state *as of* the reference date (content model): the
//! demo site built at three reference dates, every topic's published status
//! checked against the contract's rules computed here from the records'
//! own dates in the open data; later outcomes and reports are published and
//! marked, and `check` warns about each of them.

use std::collections::HashMap;

use serde_json::Value;

use crate::common::*;

/// The contract's rule, first match wins, from a topic's open-data record,
/// its outcome's and its sessions' days.
fn expected_status(
    topic: &Value,
    outcome: Option<&Value>,
    session_days: &[&str],
    as_of: &str,
) -> &'static str {
    if topic["withdrawn"].as_str().is_some_and(|w| w <= as_of) {
        return "withdrawn";
    }
    if let Some(o) = outcome.filter(|o| o["decided"].as_str().unwrap() <= as_of) {
        let last = o["progress"]
            .as_array()
            .unwrap()
            .iter()
            .rfind(|p| p["date"].as_str().unwrap() <= as_of);
        return match last {
            Some(p) if p["final"] == true => "done",
            Some(_) => "implementing",
            None => "decided",
        };
    }
    if session_days.iter().any(|d| *d <= as_of) {
        "consulting"
    } else {
        "collecting"
    }
}

/// What the status would be if every record counted whatever its date
/// (the old, wrong reading): to show that the rule matters on the demo.
fn dateless_status(topic: &Value, outcome: Option<&Value>) -> Option<&'static str> {
    if topic["withdrawn"].is_string() {
        return Some("withdrawn");
    }
    let o = outcome?;
    Some(match o["progress"].as_array().unwrap().last() {
        Some(p) if p["final"] == true => "done",
        Some(_) => "implementing",
        None => "decided",
    })
}

#[test]
fn status_is_the_state_as_of_the_reference_date() {
    let site = demo_site();
    let mut differs = 0;
    for as_of in ["2025-01-12", "2026-06-01", "2026-11-28"] {
        site.run(&["build", "--as-of", as_of]).assert_success();
        let data: Value = serde_json::from_str(&site.read("public/data/records.json")).unwrap();
        assert_eq!(data["as_of"], as_of);
        let records = data["records"].as_array().unwrap();
        let by_id: HashMap<&str, &Value> = records
            .iter()
            .map(|r| (r["id"].as_str().unwrap(), r))
            .collect();
        let mut outcome_of: HashMap<&str, &Value> = HashMap::new();
        for r in records.iter().filter(|r| r["kind"] == "outcome") {
            outcome_of.insert(r["topic"]["id"].as_str().unwrap(), r);
        }
        let mut later = 0;
        for r in records.iter().filter(|r| r["kind"] == "outcome") {
            let decided = r["decided"].as_str().unwrap();
            assert_eq!(r["after_as_of"], decided > as_of, "{}", r["id"]);
            later += usize::from(decided > as_of);
            later += r["progress"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["date"].as_str().unwrap() > as_of)
                .count();
        }
        let mut checked = 0;
        for t in records.iter().filter(|r| r["kind"] == "topic") {
            let id = t["id"].as_str().unwrap();
            let outcome = outcome_of.get(id).copied();
            let days: Vec<&str> = t["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| &by_id[s["id"].as_str().unwrap()]["date"].as_str().unwrap()[..10])
                .collect();
            let want = expected_status(t, outcome, &days, as_of);
            assert_eq!(t["status"]["slug"], want, "{id} as of {as_of}");
            if dateless_status(t, outcome).is_some_and(|s| s != want) {
                differs += 1;
            }
            // Overdue: not withdrawn nor done, a counted outcome's deadline
            // before the reference date.
            let overdue = !matches!(want, "withdrawn" | "done")
                && outcome
                    .filter(|o| o["decided"].as_str().unwrap() <= as_of)
                    .and_then(|o| o["deadline"].as_str())
                    .is_some_and(|d| d < as_of);
            assert_eq!(t["overdue"], overdue, "{id} as of {as_of}");
            later += usize::from(t["withdrawn"].as_str().is_some_and(|w| w > as_of));
            checked += 1;
        }
        assert!(checked > 40, "{checked} topics");

        // `check` at that date warns once per later outcome, report and
        // withdrawal, and still passes.
        let run = site.run(&["check", "--as-of", as_of]);
        run.assert_success();
        let warnings = run.stderr.matches("照常发布并注明").count();
        assert_eq!(warnings, later, "as of {as_of}:\n{}", run.stderr);
    }
    assert!(differs > 0, "the demo never tests the rule");
}

/// A later outcome is published and says so: on its own page, on its
/// topic's chain, and its report dated later too.
#[test]
fn later_records_are_published_and_marked() {
    let site = demo_site();
    site.run(&["build", "--as-of", "2025-01-12"])
        .assert_success();
    let outcome = site.page("chenghu/hubin/outcomes/2026-ev-charging-outcome/");
    assert!(
        outcome.contains("status-later"),
        "no mark on the outcome page"
    );
    assert!(
        outcome.contains("基准日期"),
        "no explanation on the outcome page"
    );
    let data: Value = serde_json::from_str(&site.read("public/data/records.json")).unwrap();
    let topic_id = data["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "chenghu/hubin/2026-ev-charging-outcome")
        .map(|r| r["topic"]["url"].as_str().unwrap().to_string())
        .unwrap();
    let path = topic_id.split("example.org/").nth(1).unwrap().to_string();
    let topic = site.page(&path);
    // The outcome and its two reports, each marked on the chain, and the
    // outcome's card below it.
    let chain = topic
        .split(r#"<ol class="chain">"#)
        .nth(1)
        .and_then(|c| c.split("</ol>").next())
        .unwrap();
    assert_eq!(chain.matches("status-later").count(), 3, "{path}");
    assert_eq!(topic.matches("status-later").count(), 4, "{path}");
    // As of a day after them all, nothing is marked.
    site.run(&["build", "--as-of", "2026-11-28"])
        .assert_success();
    let outcome = site.page("chenghu/hubin/outcomes/2026-ev-charging-outcome/");
    assert!(!outcome.contains("status-later"));
}

/// `check` warns (and passes) about timelines that cannot be right, each at
/// the line of the date or vote concerned.
#[test]
fn check_warns_about_impossible_timelines_at_their_lines() {
    let site = TempSite::new("valid");
    site.write(
        "content/alpha/east/topics/2026-well.md",
        "---\ntitle: 东村水井修缮\ntype: annual-budget\nproposed: 2026-03-01\nnotice: 2026-03-05\nnotice_until: 2026-03-15\n---\n修缮水井。\n",
    );
    site.write(
        "content/alpha/east/sessions/2026-well-vote.md",
        "---\ntitle: 水井修缮表决\ntopics: [2026-well]\nform: representatives-meeting\ndate: 2026-03-10 19:00\nvote: {for: 20, against: 1}\n---\n表决。\n",
    );
    site.write(
        "content/alpha/east/sessions/2026-well-later.md",
        "---\ntitle: 水井验收会\ntopics: [2026-well]\nform: representatives-meeting\ndate: 2026-12-20 19:00\nvote: {for: 25}\n---\n验收。\n",
    );
    site.write(
        "content/alpha/east/outcomes/2026-well-outcome.md",
        "---\ntitle: 水井修缮决定\ntopic: 2026-well\nsessions: [2026-well-vote]\ndecided: 2026-02-20\nresult: adopted\n---\n决定修缮。\n",
    );
    let run = site.run(&["check", "--as-of", "2026-11-28"]);
    run.assert_success();
    let e = &run.stderr;
    for (file, line, says) in [
        ("sessions/2026-well-vote.md", 5, "公示期内"),
        ("sessions/2026-well-later.md", 6, "却已写了表决结果"),
        ("outcomes/2026-well-outcome.md", 5, "早于议题的提出日期"),
        ("outcomes/2026-well-outcome.md", 5, "早于它所依据的会议"),
    ] {
        let at = format!("content/alpha/east/{file}:{line}:");
        let found = e
            .split("warning: ")
            .any(|w| w.contains(says) && w.contains(&at));
        assert!(found, "no warning “{says}” at {at}:\n{e}");
    }
}

/// Place, type and year pages (and the home page) add up the money of
/// their topics: the topics' own amounts, and their outcomes' where the
/// outcome counts by the reference date; checked against the open data.
#[test]
fn lists_add_up_the_money_of_their_topics() {
    use yishi::render::format_amount;
    let site = demo_site();
    let as_of = "2026-06-01";
    site.run(&["build", "--as-of", as_of]).assert_success();
    let data: Value = serde_json::from_str(&site.read("public/data/records.json")).unwrap();
    let records = data["records"].as_array().unwrap();
    let fen = |v: &Value| (v.as_f64().unwrap() * 100.0).round() as u64;
    let outcome_of: HashMap<&str, &Value> = records
        .iter()
        .filter(|r| r["kind"] == "outcome")
        .map(|r| (r["topic"]["id"].as_str().unwrap(), r))
        .collect();
    // (at stake, topics, approved, outcomes) over the topics that `keep`.
    let sums = |keep: &dyn Fn(&Value) -> bool| {
        let (mut s, mut sn, mut a, mut an) = (0u64, 0, 0u64, 0);
        for t in records.iter().filter(|r| r["kind"] == "topic" && keep(r)) {
            if t["amount"].is_number() {
                s += fen(&t["amount"]);
                sn += 1;
            }
            if let Some(o) = outcome_of.get(t["id"].as_str().unwrap()) {
                if o["decided"].as_str().unwrap() <= as_of && o["amount"].is_number() {
                    a += fen(&o["amount"]);
                    an += 1;
                }
            }
        }
        (s, sn, a, an)
    };
    let says = |page: &str, (s, sn, a, an): (u64, usize, u64, usize)| {
        let html = site.page(page);
        let stake = format!(
            "涉及金额合计 {}（{sn} 个议题）",
            format_amount(s as f64 / 100.0, "zh-CN")
        );
        let approved = format!(
            "已批准金额合计 {}（{an} 项协商成果）",
            format_amount(a as f64 / 100.0, "zh-CN")
        );
        assert!(sn > 0 && an > 0, "{page}: nothing to add up");
        assert!(html.contains(&stake), "{page}: no “{stake}”");
        assert!(html.contains(&approved), "{page}: no “{approved}”");
    };
    says("", sums(&|_| true));
    says(
        "types/annual-budget/",
        sums(&|t| t["type"]["slug"] == "annual-budget"),
    );
    says(
        "years/2024/",
        sums(&|t| t["proposed"].as_str().unwrap().starts_with("2024")),
    );
    // A village: its own topics and the town topics that name it.
    says(
        "chenghu/hubin/",
        sums(&|t| {
            t["place"]["id"] == "chenghu/hubin"
                || t["villages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|v| v["id"] == "chenghu/hubin")
        }),
    );
}
