//! Everything a build publishes besides the HTML pages: feeds (Atom),
//! calendars (iCalendar), open data (JSON, CSV), sitemap and robots.txt.
//! Each is a pure function of the linked site ([`Ctx`]); `build.rs` and
//! `workspace.rs` decide when to run them (see `render::PageJob`).

pub mod calendar;
mod common;
pub mod data;
pub mod feeds;
pub mod sitemap;
#[cfg(test)]
mod testing;

use serde_json::Value;

use crate::config::SiteConfig;
use crate::link::Graph;
use crate::route;
use crate::url::Urls;

/// What every publisher reads: the linked site, its settings, the one URL
/// function and the theme's UI strings (the `i18n/<language>.toml` table).
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub graph: &'a Graph,
    pub config: &'a SiteConfig,
    pub urls: &'a Urls,
    pub strings: &'a Value,
}

impl<'a> Ctx<'a> {
    /// A UI string from a sub-table (`label("status", "done")` → `已办结`),
    /// or the key itself when the theme lacks it.
    pub fn label(&self, table: &str, key: &'a str) -> &'a str {
        self.strings
            .get(table)
            .and_then(|t| t.get(key))
            .and_then(Value::as_str)
            .unwrap_or(key)
    }

    /// A top-level UI string, or the key itself.
    pub fn string(&self, key: &'a str) -> &'a str {
        self.strings.get(key).and_then(Value::as_str).unwrap_or(key)
    }

    /// Output-relative path of record `i`'s page (`shezhu/nanshan/topics/x/`).
    pub fn record_path(&self, i: usize) -> String {
        let r = &self.graph.site.records[i];
        crate::route::Route::Record(&self.graph.site.places[r.place], r).path()
    }

    /// "社渚镇 · 南山村" (the place and its town), or the place's own name.
    pub fn place_full_name(&self, p: usize) -> String {
        let places = &self.graph.site.places;
        match places[p].parent {
            Some(parent) if places[parent].depth() >= 1 => {
                format!("{} · {}", places[parent].name, places[p].name)
            }
            _ => places[p].name.clone(),
        }
    }

    /// Place `p` and its ancestors, nearest first, ending with the top level.
    pub fn place_chain(&self, p: usize) -> Vec<usize> {
        let mut chain = vec![p];
        let mut at = p;
        while let Some(parent) = self.graph.site.places[at].parent {
            chain.push(parent);
            at = parent;
        }
        chain
    }
}

/// A published file that is not a page, or a group of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Artifact {
    /// `Lists::feeds[k]`.
    Feed(usize),
    /// `Lists::calendars[k]`.
    Calendar(usize),
    /// `Lists::data_sets[k]`: its JSON and CSV files.
    DataSet(usize),
    /// `data/schema.json`.
    DataSchema,
    /// Everything under `search/` but the page.
    SearchIndex,
    /// `sitemap.xml` (and its parts on large sites).
    Sitemap,
    Robots,
}

/// What an artifact's content depends on, besides the site's settings.
pub enum Scope<'l> {
    /// These records (and what their pages show of others).
    Records(&'l [usize]),
    /// Every record.
    All,
    /// The list of pages.
    Pages,
    /// Nothing but the settings.
    Settings,
}

/// The feeds, calendars and data sets of one build.
#[derive(Default)]
pub struct Lists {
    pub feeds: Vec<feeds::Feed>,
    pub calendars: Vec<calendar::Calendar>,
    pub data_sets: Vec<data::DataSet>,
    /// Per data set: the sets its job also writes (a town's villages; see
    /// [`data::Followers`]). A set that follows another has no job.
    pub data_followers: Vec<Vec<usize>>,
}

impl Lists {
    pub fn new(ctx: &Ctx) -> Lists {
        let data_sets = data::data_sets(ctx);
        let data_followers = data::followers(ctx, &data_sets);
        Lists {
            feeds: feeds::feeds(ctx),
            calendars: calendar::calendars(ctx),
            data_sets,
            data_followers,
        }
    }

    /// Whether data set `k` is written by another set's job.
    fn follows(&self, k: usize) -> bool {
        self.data_followers.iter().any(|f| f.contains(&k))
    }

    /// Every artifact, in a stable order.
    pub fn artifacts(&self) -> Vec<Artifact> {
        let mut all: Vec<Artifact> = (0..self.feeds.len()).map(Artifact::Feed).collect();
        all.extend((0..self.calendars.len()).map(Artifact::Calendar));
        let leads: Vec<usize> = (0..self.data_sets.len())
            .filter(|&k| !self.follows(k))
            .collect();
        all.extend(leads.into_iter().map(Artifact::DataSet));
        all.extend([
            Artifact::DataSchema,
            Artifact::SearchIndex,
            Artifact::Sitemap,
            Artifact::Robots,
        ]);
        all
    }
}

impl Artifact {
    /// The output path of the artifact's (main) file.
    pub fn path(self, lists: &Lists) -> String {
        match self {
            Artifact::Feed(k) => lists.feeds[k].path.clone(),
            Artifact::Calendar(k) => lists.calendars[k].path.clone(),
            Artifact::DataSet(k) => format!("{}records.json", lists.data_sets[k].dir),
            Artifact::DataSchema => route::DATA_SCHEMA.into(),
            Artifact::SearchIndex => route::search_file(crate::search::MAIN_FILE),
            Artifact::Sitemap => route::SITEMAP.into(),
            Artifact::Robots => route::ROBOTS.into(),
        }
    }

    /// Whether it writes more than the one file at [`Artifact::path`].
    pub fn is_group(self) -> bool {
        matches!(
            self,
            Artifact::DataSet(_) | Artifact::SearchIndex | Artifact::Sitemap
        )
    }

    pub fn scope(self, lists: &Lists) -> Scope<'_> {
        match self {
            Artifact::Feed(k) => Scope::Records(&lists.feeds[k].records),
            Artifact::Calendar(k) => Scope::Records(&lists.calendars[k].sessions),
            Artifact::DataSet(k) => Scope::Records(&lists.data_sets[k].records),
            Artifact::SearchIndex => Scope::All,
            Artifact::Sitemap => Scope::Pages,
            Artifact::DataSchema | Artifact::Robots => Scope::Settings,
        }
    }
}

/// Write artifact `a` into `out`; returns the files written. `pages` lists
/// the site's HTML pages (for the sitemap).
pub fn write(
    ctx: &Ctx,
    lists: &Lists,
    a: Artifact,
    pages: &dyn Fn() -> Vec<(String, Option<chrono::NaiveDate>)>,
    out: &(dyn PageSink + Sync),
) -> std::io::Result<Vec<String>> {
    let one = |path: String, text: String| -> std::io::Result<Vec<String>> {
        out.put(&path, text.into_bytes())?;
        Ok(vec![path])
    };
    match a {
        Artifact::Feed(k) => one(a.path(lists), feeds::atom(ctx, &lists.feeds[k])),
        Artifact::Calendar(k) => one(a.path(lists), calendar::ics(ctx, &lists.calendars[k])),
        Artifact::DataSchema => one(a.path(lists), data::SCHEMA.to_string()),
        Artifact::Robots => one(a.path(lists), sitemap::robots(ctx)),
        Artifact::Sitemap => {
            let mut files = Vec::new();
            for (path, xml) in sitemap::sitemaps(ctx, &pages()) {
                out.put(&path, xml.into_bytes())?;
                files.push(path);
            }
            Ok(files)
        }
        Artifact::DataSet(k) => {
            let set = &lists.data_sets[k];
            let others: Vec<&data::DataSet> = lists.data_followers[k]
                .iter()
                .map(|&f| &lists.data_sets[f])
                .collect();
            let mut files = Vec::new();
            for f in data::DataFile::ALL {
                let path = format!("{}{}", set.dir, f.name());
                let mut followers = data::Followers::new(ctx, f, &others);
                out.put_stream(&path, &mut |w| f.write_with(ctx, set, &mut followers, w))?;
                files.push(path);
                for (other, bytes) in followers.finish(ctx, f)? {
                    let path = format!("{}{}", other.dir, f.name());
                    out.put(&path, bytes)?;
                    files.push(path);
                }
            }
            Ok(files)
        }
        Artifact::SearchIndex => {
            let files = std::sync::Mutex::new(Vec::new());
            let put = |path: &str, bytes: Vec<u8>| -> std::io::Result<()> {
                out.put(path, bytes)?;
                if let Ok(mut f) = files.lock() {
                    f.push(path.to_string());
                }
                Ok(())
            };
            search_index(ctx, &put)?;
            let mut files = files.into_inner().unwrap_or_default();
            files.sort();
            Ok(files)
        }
    }
}

use crate::output::PageSink;

/// The values the search filters offer; ids are place indexes, topic type
/// indexes, years and [`TopicStatus::ALL`] positions.
pub fn search_facets(ctx: &Ctx) -> crate::search::Facets {
    let g = ctx.graph;
    crate::search::Facets {
        places: (0..g.site.places.len())
            .map(|p| crate::search::FacetPlace {
                name: ctx.place_full_name(p),
                depth: g.site.places[p].depth() as u8,
            })
            .collect(),
        topic_types: ctx
            .config
            .vocabularies
            .topic_types
            .terms
            .iter()
            .map(|t| t.name.clone())
            .collect(),
        years: g.by_year.keys().copied().collect(),
        statuses: TopicStatus::ALL
            .iter()
            .map(|s| ctx.label("status", s.slug()).to_string())
            .collect(),
    }
}

/// Build the search index of every published record.
fn search_index(
    ctx: &Ctx,
    put: &(dyn Fn(&str, Vec<u8>) -> std::io::Result<()> + Sync),
) -> std::io::Result<crate::search::IndexStats> {
    let g = ctx.graph;
    let failed: std::sync::Mutex<Option<std::io::Error>> = std::sync::Mutex::new(None);
    // Doc numbers in newest-first order: equal matches show newest first.
    let doc = |n: usize| -> crate::search::Doc {
        let i = g.latest[n];
        let r = &g.site.records[i];
        let body = r.body.text().unwrap_or_else(|e| {
            if let Ok(mut f) = failed.lock() {
                f.get_or_insert(std::io::Error::new(e.kind(), format!("{}: {e}", r.file)));
            }
            "".into()
        });
        // Sessions and outcomes are found by their topic's type and status.
        let topic = g.topics_of(i).first().copied();
        let topic_type = topic
            .and_then(|t| g.site.records[t].topic())
            .map(|t| t.topic_type as u32);
        let status = topic.and_then(|t| g.status[t]);
        let mut places = ctx.place_chain(r.place);
        if let Some(t) = r.topic() {
            places.extend(&t.villages);
        }
        places.sort_unstable();
        places.dedup();
        let place = ctx.place_full_name(r.place);
        let type_name = topic_type
            .map(|t| {
                ctx.config
                    .vocabularies
                    .topic_types
                    .get(t as usize)
                    .name
                    .as_str()
            })
            .unwrap_or("");
        let mut text = String::with_capacity(body.len() + 256);
        for part in [
            r.summary.as_deref().unwrap_or(""),
            // Masked as the plain text it is (see `validate::records`).
            &crate::privacy::mask(&crate::markdown::plain_text(&body)),
            &r.tags.join(" "),
            &place,
            type_name,
        ] {
            text.push_str(part);
            text.push('\n');
        }
        crate::search::Doc {
            url: ctx.urls.link(&ctx.record_path(i)),
            title: r.title.clone(),
            tags: r.tags.join(" "),
            kind: ctx.label("kind", r.kind.dir()).to_string(),
            place,
            date: r.date().to_string(),
            status: g.status[i].map(|s| ctx.label("status", s.slug()).to_string()),
            text,
            facets: crate::search::DocFacets {
                places: places.into_iter().map(|p| p as u32).collect(),
                topic_type,
                year: r.date().year(),
                status: status
                    .map(|s| TopicStatus::ALL.iter().position(|x| *x == s).unwrap_or(0) as u32),
            },
        }
    };
    let stats = crate::search::build(g.site.records.len(), &doc, &search_facets(ctx), put)?;
    match failed.into_inner().ok().flatten() {
        Some(e) => Err(e),
        None => Ok(stats),
    }
}

use crate::model::TopicStatus;
use chrono::Datelike;
