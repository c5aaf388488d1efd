//! Atom 1.0 feeds (RFC 4287): one for the whole site, one per place (a
//! town's feed includes its villages' records, as its page does) and one per
//! topic type.
//!
//! Every record in a feed's scope is an entry, dated by its own date
//! ([`Record::date`]; a session with a time by its start). Every progress
//! report of an outcome in scope is an entry too ("进展：已完成 — <title>"),
//! dated by the report's date, so that residents following a feed learn
//! when a decision is carried out. An outcome's own entry keeps its
//! decision date: a report is news of its own, not a change of the
//! decision. The newest [`ENTRIES`] entries are kept.
//!
//! Everything in a feed comes from the records: no wall clock, so the same
//! site and reference date give the same bytes.
//!
//! [`Record::date`]: crate::model::Record::date

use atom_syndication::{Category, Content, Entry, Feed as AtomFeed, Generator, Link, Person, Text};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::common::{id_host, localize, string_or};
use super::Ctx;
use crate::link::sort_moment;
use crate::model::RecordBody;
use crate::route::{self, Route};

/// The most entries a feed carries.
pub const ENTRIES: usize = 50;

/// The date part of every tag URI yishi mints (RFC 4151 `tag:host,date:…`).
///
/// A tag URI names its minting authority (the base URL's host) and a date on
/// which it held that name. The date must never change, or every id would;
/// it cannot be the year of the oldest record (a clerk adding an older
/// record would change every id) nor the build date. So it is fixed: 2015,
/// the year the consultation plans these portals publish began. Collisions
/// would need an earlier owner of the same host minting the same tags.
pub const TAG_YEAR: &str = "2015";

/// The fragment of the outcome page's progress section (`outcome.html`:
/// `<h2 id="h-progress">`): progress entries link there. The page has no
/// ids for single reports, so every report links to the section.
pub const PROGRESS_FRAGMENT: &str = "h-progress";

/// One feed to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// Output-relative file: `feed.xml`, `shezhu/nanshan/feed.xml`,
    /// `types/road/feed.xml`.
    pub path: String,
    pub title: String,
    /// Output-relative path of the HTML page the feed belongs to (`` for the
    /// home page, `shezhu/`, `types/road/`).
    pub page: String,
    /// The records in scope, newest first.
    pub records: Vec<usize>,
}

/// Every feed of the site: the whole site, each place except the top level
/// (whose page is the home page), each topic type (also an empty one, so
/// that its link never breaks).
pub fn feeds(ctx: &Ctx) -> Vec<Feed> {
    let g = ctx.graph;
    let site_title = &ctx.config.title;
    let mut out = vec![Feed {
        path: Route::Home.feed(),
        title: site_title.clone(),
        page: String::new(),
        records: g.latest.clone(),
    }];
    for (p, place) in g.site.places.iter().enumerate().skip(1) {
        let route = route::of_place(place);
        let page = route.path();
        out.push(Feed {
            path: route.feed(),
            title: format!("{site_title} · {}", ctx.place_full_name(p)),
            page,
            records: g.by_place[p].clone(),
        });
    }
    for (t, term) in ctx.config.vocabularies.topic_types.terms.iter().enumerate() {
        let route = Route::Type(&term.slug);
        let page = route.path();
        out.push(Feed {
            path: route.feed(),
            title: format!("{site_title} · {}", term.name),
            page,
            records: g.by_type[t].clone(),
        });
    }
    out
}

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_time(NaiveTime::MIN)
}

/// One entry before it is written: a record, or one of its progress reports.
#[derive(Debug, Clone, Copy)]
struct Item {
    /// Local time in the site's zone (the order the site's lists use).
    at: NaiveDateTime,
    record: usize,
    /// Index into the outcome's `progress`.
    progress: Option<usize>,
}

/// The newest [`ENTRIES`] items of a scope: newest first; at the same time
/// by record id (records are sorted by id, so by index), and a record's
/// later report before its earlier one and before the record itself.
fn items(ctx: &Ctx, scope: &[usize]) -> Vec<Item> {
    let records = &ctx.graph.site.records;
    let mut items: Vec<Item> = scope
        .iter()
        .take(ENTRIES)
        .map(|&i| Item {
            at: sort_moment(&records[i]),
            record: i,
            progress: None,
        })
        .collect();
    // A scope is newest first (by the same local time): no record past the
    // first ENTRIES can make the cut, but a report of an older outcome can.
    let cutoff = (scope.len() > ENTRIES).then(|| items[ENTRIES - 1].at);
    for &i in scope {
        if let RecordBody::Outcome(o) = &records[i].data {
            for (n, p) in o.progress.iter().enumerate() {
                let at = midnight(p.date);
                if cutoff.is_none_or(|c| at >= c) {
                    items.push(Item {
                        at,
                        record: i,
                        progress: Some(n),
                    });
                }
            }
        }
    }
    items.sort_by(|a, b| {
        b.at.cmp(&a.at)
            .then(a.record.cmp(&b.record))
            .then(b.progress.map(|n| n + 1).cmp(&a.progress.map(|n| n + 1)))
    });
    items.truncate(ENTRIES);
    items
}

/// The stable id of a progress report: its date, with `-2`, `-3`… for a
/// second or third report on the same day. Dates rather than positions, so
/// that a forgotten earlier report added later changes no other id.
fn progress_key(reports: &[crate::model::Progress], n: usize) -> String {
    let date = reports[n].date;
    let same_day_before = reports[..n].iter().filter(|p| p.date == date).count();
    if same_day_before == 0 {
        date.to_string()
    } else {
        format!("{date}-{}", same_day_before + 1)
    }
}

/// The feed's author: `[extra].contact` when the site names one, else the
/// site's title. Atom requires an author for every entry; the feed-level
/// one covers them all.
fn author(ctx: &Ctx) -> Person {
    let name = ctx
        .config
        .extra
        .get("contact")
        .and_then(|c| c.as_str())
        .filter(|c| !c.trim().is_empty())
        .unwrap_or(&ctx.config.title);
    Person {
        name: name.to_string(),
        uri: Some(ctx.urls.absolute("")),
        ..Person::default()
    }
}

fn category(term: &str) -> Category {
    Category {
        term: term.to_string(),
        ..Category::default()
    }
}

fn link(href: String, rel: &str, mime: &str) -> Link {
    Link {
        href,
        rel: rel.to_string(),
        mime_type: Some(mime.to_string()),
        ..Link::default()
    }
}

/// The feed document (UTF-8 XML).
pub fn atom(ctx: &Ctx, feed: &Feed) -> String {
    let g = ctx.graph;
    let tz = ctx.config.timezone;
    let vocab = &ctx.config.vocabularies;
    let host = id_host(&ctx.config.base_url);
    let tag = |rest: &str| format!("tag:{host},{TAG_YEAR}:{rest}");

    let entries: Vec<Entry> = items(ctx, &feed.records)
        .into_iter()
        .map(|item| {
            let r = &g.site.records[item.record];
            let page = ctx.urls.absolute(&ctx.record_path(item.record));
            let updated = localize(tz, item.at);
            let mut types: Vec<usize> = Vec::new();
            for t in g.topics_of(item.record) {
                if let Some(topic) = g.site.records[t].topic() {
                    if !types.contains(&topic.topic_type) {
                        types.push(topic.topic_type);
                    }
                }
            }
            let type_categories = types
                .iter()
                .map(|&t| category(&vocab.topic_types.get(t).name));
            match (item.progress, r.outcome()) {
                (Some(n), Some(o)) => {
                    let report = &o.progress[n];
                    let state = &vocab.progress_states.get(report.state).name;
                    let title = string_or(ctx, "feed_progress", "{state} — {title}")
                        .replace("{state}", state)
                        .replace("{title}", &r.title);
                    Entry {
                        title: Text::plain(title),
                        id: tag(&format!(
                            "{}/progress/{}",
                            r.id,
                            progress_key(&o.progress, n)
                        )),
                        updated,
                        published: Some(updated),
                        links: vec![link(
                            format!("{page}#{PROGRESS_FRAGMENT}"),
                            "alternate",
                            "text/html",
                        )],
                        summary: report
                            .note
                            .as_ref()
                            .filter(|n| !n.trim().is_empty())
                            .map(|n| Text::plain(n.clone())),
                        categories: std::iter::once(category(ctx.string("progress")))
                            .chain(type_categories)
                            .collect(),
                        ..Entry::default()
                    }
                }
                _ => Entry {
                    title: Text::plain(r.title.clone()),
                    id: tag(&r.id),
                    updated,
                    published: Some(updated),
                    links: vec![link(page, "alternate", "text/html")],
                    summary: (!r.plain_summary.trim().is_empty())
                        .then(|| Text::plain(r.plain_summary.to_string())),
                    // The whole body only where the site asks for it
                    // (`feed_content = "full"`): a feed is fetched again and
                    // again, and the page is one link away. A large site's
                    // body that can no longer be read fails its page, and so
                    // the build, before this feed is published.
                    content: ctx
                        .config
                        .feed_full
                        .then(|| r.body.text().ok())
                        .flatten()
                        .filter(|b| !b.trim().is_empty())
                        .map(|body| Content {
                            value: Some(crate::markdown::to_html(&body)),
                            content_type: Some("html".into()),
                            ..Content::default()
                        }),
                    categories: std::iter::once(category(ctx.label("kind", r.kind.dir())))
                        .chain(type_categories)
                        .collect(),
                    ..Entry::default()
                },
            }
        })
        .collect();

    // Entries are newest first; an empty feed is dated by the reference day.
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or_else(|| localize(tz, midnight(g.as_of)));
    let atom = AtomFeed {
        title: Text::plain(feed.title.clone()),
        id: tag(&feed.path),
        updated,
        authors: vec![author(ctx)],
        links: vec![
            link(
                ctx.urls.absolute(&feed.path),
                "self",
                "application/atom+xml",
            ),
            link(ctx.urls.absolute(&feed.page), "alternate", "text/html"),
        ],
        generator: Some(Generator {
            value: "yishi".into(),
            ..Generator::default()
        }),
        rights: ctx.config.license.as_ref().map(|l| Text::plain(l.clone())),
        subtitle: ctx
            .config
            .description
            .as_ref()
            .map(|d| Text::plain(d.clone())),
        lang: Some(ctx.config.language.clone()),
        entries,
        ..AtomFeed::default()
    };
    let mut xml = atom.to_string();
    xml.push('\n');
    if xml.contains(crate::text::is_forbidden_char) {
        // XML 1.0 cannot hold most control characters. Records have none
        // (blanked when read); `site.toml` text could.
        xml = crate::text::blanked(&xml);
    }
    xml
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use chrono::DateTime;

    use super::super::testing::{self, Site};
    use super::*;

    fn parse(xml: &str) -> AtomFeed {
        AtomFeed::read_from(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{xml}"))
    }

    fn feed_at<'a>(feeds: &'a [Feed], path: &str) -> &'a Feed {
        feeds.iter().find(|f| f.path == path).unwrap()
    }

    fn href<'a>(links: &'a [Link], rel: &str) -> Option<&'a str> {
        links.iter().find(|l| l.rel == rel).map(|l| l.href.as_str())
    }

    /// The Atom rules (RFC 4287) a reader relies on, checked on the text
    /// and on the parsed feed.
    fn check_atom(site: &Site, feed: &Feed, xml: &str) -> AtomFeed {
        let ctx = site.ctx();
        let base = &ctx.config.base_url;
        // Every date element is RFC 3339.
        for part in xml
            .split("<updated>")
            .skip(1)
            .chain(xml.split("<published>").skip(1))
        {
            let text = part.split('<').next().unwrap();
            DateTime::parse_from_rfc3339(text)
                .unwrap_or_else(|e| panic!("{}: date {text:?}: {e}", feed.path));
        }
        let f = parse(xml);
        assert!(f.id.starts_with("tag:"), "{}", feed.path);
        assert!(!f.title.value.is_empty());
        assert_eq!(f.title.value, feed.title);
        assert!(!f.authors.is_empty() && !f.authors[0].name.is_empty());
        assert_eq!(
            href(&f.links, "self"),
            Some(ctx.urls.absolute(&feed.path).as_str())
        );
        assert_eq!(
            href(&f.links, "alternate"),
            Some(ctx.urls.absolute(&feed.page).as_str())
        );
        assert!(f.entries.len() <= ENTRIES, "{}", feed.path);
        let mut ids = HashSet::new();
        for e in &f.entries {
            assert!(ids.insert(e.id.clone()), "{}: id {} twice", feed.path, e.id);
            assert!(e.id.starts_with("tag:"));
            assert!(!e.title.value.is_empty(), "{}", e.id);
            let link = href(&e.links, "alternate").expect("alternate link");
            assert!(link.starts_with(base.as_str()), "{link}");
            assert!(e.updated <= f.updated, "{}", e.id);
        }
        for pair in f.entries.windows(2) {
            assert!(
                pair[0].updated >= pair[1].updated,
                "{}: not newest first",
                feed.path
            );
        }
        f
    }

    #[test]
    fn every_feed_is_valid_atom() {
        for site in [testing::fixture(), testing::demo()] {
            let ctx = site.ctx();
            let all = feeds(&ctx);
            let g = ctx.graph;
            assert_eq!(
                all.len(),
                1 + g.site.places.len() - 1 + ctx.config.vocabularies.topic_types.terms.len()
            );
            let paths: HashSet<&str> = all.iter().map(|f| f.path.as_str()).collect();
            assert_eq!(paths.len(), all.len(), "feed paths are unique");
            let mut full = 0;
            for feed in &all {
                let f = check_atom(&site, feed, &atom(&ctx, feed));
                full += usize::from(f.entries.len() == ENTRIES);
            }
            if g.site.records.len() > ENTRIES {
                assert!(full > 0, "the site feed is cut at ENTRIES");
            }
        }
    }

    #[test]
    fn scopes_and_titles() {
        let site = testing::fixture();
        let ctx = site.ctx();
        let all = feeds(&ctx);
        assert_eq!(all[0].path, "feed.xml");
        assert_eq!(all[0].page, "");
        assert_eq!(all[0].title, "测试协商平台");
        let town = feed_at(&all, "alpha/feed.xml");
        assert_eq!(town.title, "测试协商平台 · 甲镇");
        assert_eq!(town.page, "alpha/");
        let village = feed_at(&all, "alpha/east/feed.xml");
        assert_eq!(village.title, "测试协商平台 · 甲镇 · 东村");
        let road = feed_at(&all, "types/project-construction/feed.xml");
        assert_eq!(road.title, "测试协商平台 · 项目建设");
        assert_eq!(road.page, "types/project-construction/");
        assert!(!all.iter().any(|f| f.path.starts_with('/')));

        // A town's feed has its villages' records.
        let xml = atom(&ctx, town);
        let f = parse(&xml);
        assert!(
            f.entries
                .iter()
                .any(|e| e.id == "tag:example.org,2015:alpha/east/2020-road"),
            "{xml}"
        );
        // A village's feed has nothing of its neighbour.
        let xml = atom(&ctx, village);
        assert!(!xml.contains("alpha/west/"), "{xml}");
    }

    #[test]
    fn progress_reports_are_entries_linking_to_the_progress_section() {
        let site = testing::fixture();
        let ctx = site.ctx();
        let all = feeds(&ctx);
        let f = parse(&atom(&ctx, feed_at(&all, "alpha/east/feed.xml")));
        let report = f
            .entries
            .iter()
            .find(|e| {
                e.id == "tag:example.org,2015:alpha/east/2020-road-decision/progress/2020-05-01"
            })
            .expect("progress entry");
        assert_eq!(report.title.value, "进展：已启动 — 东村道路硬化决定");
        assert_eq!(report.updated.to_rfc3339(), "2020-05-01T00:00:00+08:00");
        assert_eq!(
            href(&report.links, "alternate"),
            Some("https://example.org/xieshang/alpha/east/outcomes/2020-road-decision/#h-progress")
        );
        let decision = f
            .entries
            .iter()
            .find(|e| e.id == "tag:example.org,2015:alpha/east/2020-road-decision")
            .expect("outcome entry");
        assert_eq!(decision.updated.to_rfc3339(), "2020-04-01T00:00:00+08:00");
        let cats: Vec<&str> = decision
            .categories
            .iter()
            .map(|c| c.term.as_str())
            .collect();
        assert_eq!(cats, ["协商成果", "项目建设"]);
        assert_eq!(
            decision.summary.as_ref().map(|s| s.value.as_str()),
            Some("先硬化主干道。")
        );
        // The fragment exists in the theme's outcome page.
        let template = include_str!("../../themes/default/templates/outcome.html");
        assert!(template.contains(&format!("id=\"{PROGRESS_FRAGMENT}\"")));
    }

    #[test]
    fn a_session_is_dated_by_its_start_and_sorted_among_reports() {
        let site = testing::fixture();
        let ctx = site.ctx();
        let all = feeds(&ctx);
        let f = parse(&atom(&ctx, feed_at(&all, "alpha/east/feed.xml")));
        let ids: Vec<&str> = f
            .entries
            .iter()
            .map(|e| e.id.trim_start_matches("tag:example.org,2015:"))
            .collect();
        assert_eq!(
            ids,
            [
                "alpha/east/2021-budget-meeting",
                "alpha/east/2021-budget",
                "alpha/east/2020-road-decision/progress/2020-05-01",
                "alpha/east/2020-road-decision",
                "alpha/east/2020-road",
                // A town-level topic naming the village.
                "alpha/2016-bridge",
            ]
        );
        assert_eq!(
            f.entries[0].updated.to_rfc3339(),
            "2021-01-20T09:00:00+08:00"
        );
        assert_eq!(f.updated, f.entries[0].updated);
    }

    /// The newest ENTRIES of every record and report in scope, the slow way.
    fn expected_ids(ctx: &Ctx, scope: &[usize]) -> Vec<String> {
        let records = &ctx.graph.site.records;
        let mut all: Vec<(NaiveDateTime, usize, Option<usize>)> = Vec::new();
        for &i in scope {
            all.push((sort_moment(&records[i]), i, None));
            if let Some(o) = records[i].outcome() {
                for (n, p) in o.progress.iter().enumerate() {
                    all.push((midnight(p.date), i, Some(n)));
                }
            }
        }
        all.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(a.1.cmp(&b.1))
                .then(b.2.map(|n| n + 1).cmp(&a.2.map(|n| n + 1)))
        });
        all.into_iter()
            .take(ENTRIES)
            .map(|(_, i, p)| match p {
                None => records[i].id.clone(),
                Some(n) => format!(
                    "{}/progress/{}",
                    records[i].id,
                    progress_key(&records[i].outcome().unwrap().progress, n)
                ),
            })
            .collect()
    }

    #[test]
    fn the_newest_entries_are_kept_including_reports_of_old_outcomes() {
        let site = testing::demo();
        let ctx = site.ctx();
        let mut reports_seen = 0;
        for feed in feeds(&ctx) {
            let f = parse(&atom(&ctx, &feed));
            let ids: Vec<String> = f
                .entries
                .iter()
                .map(|e| e.id.trim_start_matches("tag:example.org,2015:").to_string())
                .collect();
            assert_eq!(ids, expected_ids(&ctx, &feed.records), "{}", feed.path);
            reports_seen += ids.iter().filter(|i| i.contains("/progress/")).count();
        }
        assert!(
            reports_seen > 0,
            "the demo has progress reports in its feeds"
        );
    }

    /// Entries carry the summary and the link; the whole body only when
    /// `feed_content = "full"`, then as the page shows it.
    #[test]
    fn entries_carry_the_body_only_when_asked() {
        let mut site = testing::fixture();
        let summaries_only = atom(&site.ctx(), &feeds(&site.ctx())[0]);
        assert!(!summaries_only.contains("<content"), "{summaries_only}");
        site.checked.config.feed_full = true;
        let ctx = site.ctx();
        let f = parse(&atom(&ctx, &feeds(&ctx)[0]));
        let mut with_body = 0;
        for e in &f.entries {
            let id = e.id.trim_start_matches("tag:example.org,2015:");
            let Some(r) = ctx.graph.site.records.iter().find(|r| r.id == id) else {
                assert!(e.content.is_none(), "a progress report has no body: {id}");
                continue;
            };
            let body = r.body.text().unwrap();
            match &e.content {
                Some(c) => {
                    assert_eq!(c.content_type.as_deref(), Some("html"));
                    assert_eq!(
                        c.value.as_deref(),
                        Some(crate::markdown::to_html(&body).as_str())
                    );
                    with_body += 1;
                }
                None => assert!(body.trim().is_empty(), "{id} has a body"),
            }
            assert!(!e.links.is_empty(), "{id} keeps its link");
        }
        assert!(with_body >= 3, "{with_body}");
    }

    #[test]
    fn drafts_never_appear() {
        let draft = "alpha/west/2025-draft";
        let site = testing::fixture();
        let ctx = site.ctx();
        for feed in feeds(&ctx) {
            let xml = atom(&ctx, &feed);
            assert!(
                !xml.contains(draft) && !xml.contains("草稿议题"),
                "{}",
                feed.path
            );
        }
        // The same check sees a draft when the build asks for drafts.
        let with_drafts = testing::load(&testing::fixture_root(), None, true);
        let ctx = with_drafts.ctx();
        let xml = atom(&ctx, &feeds(&ctx)[0]);
        assert!(xml.contains(draft) && xml.contains("草稿议题"));
    }

    #[test]
    fn ids_survive_a_move_to_another_path_but_links_follow() {
        let root = testing::fixture_root();
        let here = testing::load(&root, None, false);
        let moved = testing::load(&root, Some("https://example.org/other/place/"), false);
        let (a, b) = (here.ctx(), moved.ctx());
        let (fa, fb) = (feeds(&a), feeds(&b));
        assert_eq!(fa, fb);
        let ids = |f: &AtomFeed| f.entries.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        for (x, y) in fa.iter().zip(&fb) {
            let (px, py) = (parse(&atom(&a, x)), parse(&atom(&b, y)));
            assert_eq!(px.id, py.id);
            assert_eq!(ids(&px), ids(&py));
            check_atom(&moved, y, &atom(&b, y));
            if let Some(e) = py.entries.first() {
                assert!(e.links[0]
                    .href
                    .starts_with("https://example.org/other/place/"));
            }
        }
    }

    #[test]
    fn xml_special_characters_are_escaped() {
        let title = r#"东村<道路> & "硬化" ]]> 's"#;
        let site = testing::edited_fixture(&[(
            "alpha/east/topics/2020-road.md",
            "title: 东村道路硬化",
            &format!("title: '{}'", title.replace('\'', "''")),
        )]);
        let ctx = site.ctx();
        let all = feeds(&ctx);
        let feed = feed_at(&all, "alpha/east/feed.xml");
        let xml = atom(&ctx, feed);
        assert!(xml.contains("东村&lt;道路&gt; &amp;"), "{xml}");
        assert!(!xml.contains("<道路>"));
        let f = check_atom(&site, feed, &xml);
        assert!(f.entries.iter().any(|e| e.title.value == title));
    }

    #[test]
    fn same_site_same_bytes_and_an_empty_feed_is_dated_by_the_reference_day() {
        let site = testing::fixture();
        let ctx = site.ctx();
        let all = feeds(&ctx);
        for feed in &all {
            assert_eq!(atom(&ctx, feed), atom(&ctx, feed));
        }
        let empty = feed_at(&all, "types/volunteer-service/feed.xml");
        assert!(empty.records.is_empty());
        let xml = atom(&ctx, empty);
        let f = check_atom(&site, empty, &xml);
        assert!(f.entries.is_empty());
        assert_eq!(f.updated.to_rfc3339(), "2026-11-28T00:00:00+08:00");
    }

    #[test]
    fn author_is_the_contact_when_given() {
        let site = testing::demo();
        let ctx = site.ctx();
        let f = parse(&atom(&ctx, &feeds(&ctx)[0]));
        assert_eq!(f.authors[0].name, "青溪市民政局基层政权建设科");
        assert_eq!(f.title.value, "青溪市基层协商民主公开平台");
        let site = testing::fixture();
        let ctx = site.ctx();
        let f = parse(&atom(&ctx, &feeds(&ctx)[0]));
        assert_eq!(f.authors[0].name, "测试协商平台");
    }

    #[test]
    fn progress_ids_are_dates_numbered_within_a_day() {
        let p = |d: &str| crate::model::Progress {
            date: crate::date::parse_date(d).unwrap(),
            state: 0,
            note: None,
            pos: None,
        };
        let reports = [
            p("2020-01-01"),
            p("2020-02-01"),
            p("2020-02-01"),
            p("2020-03-01"),
        ];
        let keys: Vec<String> = (0..4).map(|n| progress_key(&reports, n)).collect();
        assert_eq!(
            keys,
            ["2020-01-01", "2020-02-01", "2020-02-01-2", "2020-03-01"]
        );
    }
}
