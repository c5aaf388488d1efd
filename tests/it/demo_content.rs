//! The demo site in `content/` builds cleanly and shows every feature: every
//! vocabulary entry, every derived status, overdue and upcoming, a
//! town-level multi-village topic, attachments and tables.

use std::collections::HashSet;

use yishi::build::{check, SiteOptions};
use yishi::model::{RecordBody, TopicStatus};

fn demo() -> yishi::build::Checked {
    let opts = SiteOptions {
        as_of: Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()),
        ..SiteOptions::new(env!("CARGO_MANIFEST_DIR"))
    };
    match check(&opts) {
        Ok(c) => c,
        Err(e) => panic!("demo site does not check: {e:?}"),
    }
}

#[test]
fn demo_site_is_clean_and_large_enough() {
    let c = demo();
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let g = &c.graph;
    assert!(g.site.records.len() >= 150, "{}", g.site.records.len());
    let towns = g.site.places.iter().filter(|p| p.depth() == 1).count();
    let villages = g.site.places.iter().filter(|p| p.depth() == 2).count();
    assert!(
        towns >= 3 && villages >= 10,
        "{towns} towns, {villages} villages"
    );
    let years: HashSet<i32> = g.by_year.keys().copied().collect();
    for y in 2015..=2026 {
        assert!(years.contains(&y), "no record in {y}");
    }
}

#[test]
fn demo_site_covers_every_vocabulary_and_status() {
    let c = demo();
    let g = &c.graph;
    let v = &c.config.vocabularies;
    let mut types = HashSet::new();
    let mut forms = HashSet::new();
    let mut results = HashSet::new();
    let mut states = HashSet::new();
    for r in &g.site.records {
        match &r.data {
            RecordBody::Topic(t) => {
                types.insert(t.topic_type);
            }
            RecordBody::Session(s) => {
                forms.insert(s.form);
            }
            RecordBody::Outcome(o) => {
                results.insert(o.result);
                states.extend(o.progress.iter().map(|p| p.state));
            }
        }
    }
    assert_eq!(types.len(), v.topic_types.terms.len());
    assert_eq!(forms.len(), v.session_forms.terms.len());
    assert_eq!(results.len(), v.results.terms.len());
    assert_eq!(states.len(), v.progress_states.terms.len());
    let statuses: HashSet<TopicStatus> = g.status.iter().flatten().copied().collect();
    for s in TopicStatus::ALL {
        assert!(statuses.contains(&s), "no topic is {s:?}");
    }
    assert!(g.overdue.iter().any(|&o| o), "no overdue topic");
    assert!(!g.upcoming.is_empty(), "no upcoming session");
    let multi_village = g.site.records.iter().any(|r| {
        r.topic().is_some_and(|t| t.villages.len() >= 2) && g.site.places[r.place].depth() == 1
    });
    assert!(multi_village, "no town-level multi-village topic");
    assert!(g
        .site
        .records
        .iter()
        .any(|r| r.session().is_some_and(|s| !s.attachments.is_empty())));
    let tables = g
        .site
        .records
        .iter()
        .filter(|r| r.body.text().unwrap().contains("|---"))
        .count();
    assert!(tables >= 10, "{tables} bodies with tables");
}
