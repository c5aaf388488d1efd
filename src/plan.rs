//! The plan stage, shared by `build` and `serve`: the linked site as the
//! list of jobs (every page and every other file), each with its output
//! path, its template and its fingerprint, and which jobs are dirty against
//! the previous build ([`Previous`]: the page cache beside the output for
//! `build`, the preview's memory for `serve`).
//!
//! Adding a page kind touches one place here (a [`PageJob`] variant, its
//! route in [`Plan::path`], its template in [`Plan::template`] and what it
//! shows in [`Plan::fingerprint`]), plus its context builder in
//! `render/pages.rs` and its template.
//!
//! A fingerprint is a hash of everything a page shows: the keys of the
//! record cards it lists (a card's key stands for the card, so no card is
//! built just to be hashed), the hashes of the record files it shows, its
//! template and every template that one uses, and the site-wide context.
//! Incremental equals full only if every input is in it
//! (`tests/it/incremental.rs` fails when one is missing).

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::hash::hash_of;
use crate::link::Graph;
use crate::model::*;
use crate::route::{self, Route};
use crate::theme::Theme;

/// One page to render.
#[derive(Debug, Clone, Copy)]
pub enum PageJob {
    Home,
    Place(usize, usize),
    Record(usize),
    /// A record's printable notice (公示), for the village notice board.
    Print(usize),
    Type(usize, usize),
    Year(i32, usize),
    Form(usize, usize),
    TypesIndex,
    YearsIndex,
    FormsIndex,
    NotFound,
    /// `/search/`.
    Search,
    /// `/data/`, the page that explains the open data.
    DataIndex,
    /// A file that is not a page (feed, calendar, data, search index…).
    Artifact(crate::publish::Artifact),
}

impl PageJob {
    /// What kind of output the job makes (for time measurements).
    pub fn category(self) -> &'static str {
        use crate::publish::Artifact as A;
        match self {
            PageJob::Record(_) => "record pages",
            PageJob::Print(_) => "print pages",
            PageJob::Artifact(A::SearchIndex) => "search index",
            PageJob::Artifact(A::DataSet(_) | A::DataSchema) => "open data",
            PageJob::Artifact(A::Feed(_)) => "feeds",
            PageJob::Artifact(A::Calendar(_)) => "calendars",
            PageJob::Artifact(A::Sitemap | A::Robots) => "sitemap",
            _ => "list pages",
        }
    }

    /// Whether the job writes several files (and its path names only the
    /// first or main one).
    pub fn is_group(self) -> bool {
        matches!(self, PageJob::Artifact(a) if a.is_group())
    }
}

/// One planned job: its main output file and its fingerprint (`None`: the
/// job is always done again).
#[derive(Debug, Clone)]
pub struct Planned {
    pub job: PageJob,
    /// The (main) file it writes, `a/b/index.html`.
    pub file: String,
    pub fingerprint: Option<u64>,
}

/// What the previous build left, as far as the plan needs to know it.
pub trait Previous: Sync {
    /// The files that `planned` wrote last time, if it was done: the main
    /// file, or all the files of a group.
    fn files_of(&self, planned: &Planned) -> Option<Vec<String>>;
    /// Whether `file` is there as the previous build made it from
    /// `fingerprint`.
    fn holds(&self, file: &str, fingerprint: u64) -> bool;
}

/// The jobs of one build and what they depend on.
pub struct Plan<'g> {
    graph: &'g Graph,
    config: &'g SiteConfig,
    /// The feeds, calendars and data sets the site publishes.
    pub lists: crate::publish::Lists,
    /// Per record: a hash of everything its card depends on. It stands for
    /// the card in page fingerprints, so no card is built just to be
    /// hashed; an edit of a body alone then also re-renders the lists that
    /// show the record, which is cheap.
    pub card_keys: Vec<u64>,
    /// Per place: a hash of its status counts (shown on every page of it).
    place_counts: Vec<u64>,
    /// Per template: a hash of its source and of every template it uses.
    template_hashes: HashMap<String, u64>,
    /// Mixed into every fingerprint: what all pages depend on (settings,
    /// places, strings), supplied by the caller.
    global: u64,
    /// See [`Plan::deep_hashes`].
    deep: OnceLock<Vec<u64>>,
    /// See [`Plan::page_list`]: its fingerprint and the sitemap use it.
    pages: OnceLock<Vec<(String, Option<NaiveDate>)>>,
}

impl<'g> Plan<'g> {
    pub fn new(
        graph: &'g Graph,
        config: &'g SiteConfig,
        theme: &Theme,
        lists: crate::publish::Lists,
        global: u64,
    ) -> Plan<'g> {
        Plan {
            graph,
            config,
            lists,
            card_keys: (0..graph.site.records.len())
                .into_par_iter()
                .map(|i| Self::card_key(graph, global, i))
                .collect(),
            place_counts: graph
                .by_place
                .par_iter()
                .map(|list| hash_of(&(graph.status_counts(list), graph.overdue_count(list))))
                .collect(),
            template_hashes: template_hashes(theme),
            global,
            deep: OnceLock::new(),
            pages: OnceLock::new(),
        }
    }

    /// What a record's card shows: its own file (and kind and place), the
    /// status and overdue flag of its topics, and everything site-wide
    /// (`global`: settings, places, strings, the reference date).
    fn card_key(graph: &Graph, global: u64, i: usize) -> u64 {
        let g = graph;
        let r = &g.site.records[i];
        let topics: Vec<(Option<TopicStatus>, bool)> = g
            .topics_of(i)
            .iter()
            .map(|&t| (g.status[t], g.overdue[t]))
            .collect();
        hash_of(&(global, r.source_hash, &r.id, r.kind, r.place, topics))
    }

    /// Every page of the site.
    pub fn jobs(&self) -> Vec<PageJob> {
        let g = self.graph;
        let pages = |n: usize| n.div_ceil(self.config.page_size).max(1);
        let mut jobs = vec![
            PageJob::Home,
            PageJob::TypesIndex,
            PageJob::YearsIndex,
            PageJob::FormsIndex,
            PageJob::NotFound,
        ];
        for (p, list) in g.by_place.iter().enumerate().skip(1) {
            jobs.extend((1..=pages(list.len())).map(|n| PageJob::Place(p, n)));
        }
        jobs.extend((0..g.site.records.len()).map(PageJob::Record));
        jobs.extend((0..g.site.records.len()).map(PageJob::Print));
        for (i, list) in g.by_type.iter().enumerate() {
            jobs.extend((1..=pages(list.len())).map(|n| PageJob::Type(i, n)));
        }
        for (&y, list) in &g.by_year {
            jobs.extend((1..=pages(list.len())).map(|n| PageJob::Year(y, n)));
        }
        for (i, list) in g.by_form.iter().enumerate() {
            jobs.extend((1..=pages(list.len())).map(|n| PageJob::Form(i, n)));
        }
        jobs.push(PageJob::Search);
        jobs.push(PageJob::DataIndex);
        jobs.extend(self.lists.artifacts().into_iter().map(PageJob::Artifact));
        jobs
    }

    /// Every job with its file and fingerprint.
    pub fn planned(&self) -> Vec<Planned> {
        self.jobs()
            .into_par_iter()
            .map(|job| Planned {
                job,
                file: route::file_of(&self.path(job)),
                fingerprint: self.fingerprint(job),
            })
            .collect()
    }

    /// Per planned job: whether `previous` still holds what it would make
    /// (its fingerprint is known, unchanged, and every file it wrote is
    /// there as written).
    pub fn unchanged(planned: &[Planned], previous: &dyn Previous) -> Vec<bool> {
        planned
            .par_iter()
            .map(|p| {
                p.fingerprint.is_some_and(|fp| {
                    previous
                        .files_of(p)
                        .is_some_and(|files| files.iter().all(|f| previous.holds(f, fp)))
                })
            })
            .collect()
    }

    /// Every HTML page but the 404 page, with the date of what it shows
    /// (a record's own date), for the sitemap.
    pub fn page_list(&self) -> &[(String, Option<NaiveDate>)] {
        self.pages.get_or_init(|| self.list_pages())
    }

    fn list_pages(&self) -> Vec<(String, Option<NaiveDate>)> {
        self.jobs()
            .into_iter()
            .filter_map(|job| match job {
                // A print page repeats its record's page: not for the sitemap.
                PageJob::NotFound | PageJob::Print(_) | PageJob::Artifact(_) => None,
                PageJob::Record(i) => {
                    Some((self.path(job), Some(self.graph.site.records[i].date())))
                }
                _ => Some((self.path(job), None)),
            })
            .collect()
    }

    /// Per record: a hash of everything published about it (its file, its
    /// card, and the cards of the records it links), for the fingerprints of
    /// files that show whole records (feeds, data, search).
    fn deep_hashes(&self) -> &[u64] {
        self.deep.get_or_init(|| {
            (0..self.graph.site.records.len())
                .into_par_iter()
                .map(|i| {
                    use std::hash::Hasher;
                    let mut h = crate::hash::hasher();
                    self.record_inputs(i, &mut h);
                    h.finish()
                })
                .collect()
        })
    }

    /// What record `i`'s page shows of records: its own file and card, and
    /// the cards of its neighbours (topics, sessions, outcome, related).
    fn record_inputs(&self, i: usize, h: &mut impl std::hash::Hasher) {
        use std::hash::Hash;
        let g = self.graph;
        let r = &g.site.records[i];
        (0u8, r.source_hash, self.card_keys[i]).hash(h);
        let mut neighbours: Vec<usize> = g.topics_of(i);
        match &r.data {
            RecordBody::Topic(t) => {
                neighbours.extend(&g.sessions_of[i]);
                neighbours.extend(&t.related);
                if let Some(o) = g.outcome_of[i] {
                    neighbours.push(o);
                    g.site.records[o].source_hash.hash(h);
                }
            }
            RecordBody::Session(_) => {}
            RecordBody::Outcome(o) => {
                neighbours.extend(&o.sessions);
                // Its page shows the tallies of every session that voted
                // on its topic.
                if let Some(t) = o.topic {
                    neighbours.extend(&g.sessions_of[t]);
                }
            }
        }
        for j in neighbours {
            (j, self.card_keys[j], &g.site.records[j].id).hash(h);
        }
    }

    /// The output path of a page (`alpha/east/`, `404.html`).
    pub fn path(&self, job: PageJob) -> String {
        let site = &self.graph.site;
        let v = &self.config.vocabularies;
        match job {
            PageJob::Home => Route::Home.path(),
            PageJob::Place(p, n) => route::of_place(&site.places[p]).page(n),
            PageJob::Record(i) => {
                let r = &site.records[i];
                Route::Record(&site.places[r.place], r).path()
            }
            PageJob::Print(i) => {
                let r = &site.records[i];
                Route::Print(&site.places[r.place], r).path()
            }
            PageJob::Type(i, n) => Route::Type(&v.topic_types.get(i).slug).page(n),
            PageJob::Year(y, n) => Route::Year(y).page(n),
            PageJob::Form(i, n) => Route::Form(&v.session_forms.get(i).slug).page(n),
            PageJob::TypesIndex => Route::TypesIndex.path(),
            PageJob::YearsIndex => Route::YearsIndex.path(),
            PageJob::FormsIndex => Route::FormsIndex.path(),
            PageJob::NotFound => route::NOT_FOUND.into(),
            PageJob::Search => Route::Search.path(),
            PageJob::DataIndex => Route::DataIndex.path(),
            PageJob::Artifact(a) => a.path(&self.lists),
        }
    }

    /// The template a page is rendered with.
    pub fn template(&self, job: PageJob) -> &'static str {
        match job {
            PageJob::Home => "home.html",
            PageJob::Place(..) => "place.html",
            PageJob::Print(_) => "print.html",
            PageJob::Record(i) => match self.graph.site.records[i].kind {
                RecordKind::Topic => "topic.html",
                RecordKind::Session => "session.html",
                RecordKind::Outcome => "outcome.html",
            },
            PageJob::Type(..) | PageJob::Year(..) | PageJob::Form(..) => "list.html",
            PageJob::TypesIndex | PageJob::YearsIndex | PageJob::FormsIndex => "overview.html",
            PageJob::NotFound => "404.html",
            PageJob::Search => "search.html",
            PageJob::DataIndex => "data.html",
            PageJob::Artifact(_) => "",
        }
    }

    /// A hash of everything a page shows, so that a repeated build (`serve`)
    /// renders only pages whose inputs changed. `None` for the few pages
    /// that show site-wide figures: those are always rendered.
    pub fn fingerprint(&self, job: PageJob) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        let g = self.graph;
        let mut h = crate::hash::hasher();
        self.global.hash(&mut h);
        self.template_hashes.get(self.template(job)).hash(&mut h);
        let size = self.config.page_size;
        let slice = |list: &[usize], n: usize, h: &mut siphasher::sip::SipHasher13| {
            list.len().hash(h);
            let start = (n - 1) * size;
            for &i in &list[start.min(list.len())..(start + size).min(list.len())] {
                self.card_keys[i].hash(h);
            }
        };
        match job {
            PageJob::Home
            | PageJob::TypesIndex
            | PageJob::YearsIndex
            | PageJob::FormsIndex
            | PageJob::NotFound => return None,
            PageJob::Record(i) => self.record_inputs(i, &mut h),
            PageJob::Print(i) => {
                6u8.hash(&mut h);
                self.record_inputs(i, &mut h);
            }
            PageJob::Search | PageJob::DataIndex => return None,
            PageJob::Artifact(a) => {
                (5u8, a).hash(&mut h);
                let deep = self.deep_hashes();
                match a.scope(&self.lists) {
                    crate::publish::Scope::Records(list) => {
                        for &i in list {
                            deep[i].hash(&mut h);
                        }
                    }
                    crate::publish::Scope::All => deep.hash(&mut h),
                    crate::publish::Scope::Pages => self.page_list().hash(&mut h),
                    crate::publish::Scope::Settings => {}
                }
            }
            PageJob::Place(p, n) => {
                (1u8, p, n).hash(&mut h);
                self.place_counts[p].hash(&mut h);
                // The jump to each year links to the page where it starts.
                year_starts(&g.site, &g.by_place[p]).hash(&mut h);
                slice(&g.by_place[p], n, &mut h);
                if n == 1 {
                    for &i in &g.upcoming_by_place[p] {
                        self.card_keys[i].hash(&mut h);
                    }
                }
                for &c in &g.site.places[p].children {
                    g.by_place[c].len().hash(&mut h);
                }
            }
            PageJob::Type(i, n) => {
                (2u8, i, n).hash(&mut h);
                slice(&g.by_type[i], n, &mut h);
            }
            PageJob::Year(y, n) => {
                (3u8, y, n).hash(&mut h);
                slice(&g.by_year[&y], n, &mut h);
            }
            PageJob::Form(i, n) => {
                (4u8, i, n).hash(&mut h);
                slice(&g.by_form[i], n, &mut h);
            }
        }
        Some(h.finish())
    }
}

/// Where each year starts in a newest-first list of records: `(year,
/// index)` for each year the list holds, newest year first. The list is
/// sorted by date, so each year's start is found by bisection, not by a
/// walk of the whole list.
pub fn year_starts(site: &Site, list: &[usize]) -> Vec<(i32, usize)> {
    use chrono::Datelike;
    let year = |i: usize| site.records[i].date().year();
    let mut out = Vec::new();
    let mut at = 0;
    while at < list.len() {
        let y = year(list[at]);
        out.push((y, at));
        at += list[at..].partition_point(|&i| year(i) >= y);
    }
    out
}

/// Per template, a hash of its source and of the sources of every template
/// it extends, includes or imports (so that editing `macros.html` changes
/// the fingerprint of every page that uses it, and only those).
fn template_hashes(theme: &Theme) -> HashMap<String, u64> {
    let sources: HashMap<&str, &str> = theme
        .templates
        .iter()
        .map(|(n, s)| (n.as_str(), s.as_str()))
        .collect();
    let uses = |src: &str| -> Vec<String> {
        let mut out = Vec::new();
        for tag in ["extends", "include", "import"] {
            for part in src.split(tag).skip(1) {
                let part = part.trim_start();
                if let Some(q) = part.chars().next().filter(|c| *c == '"' || *c == '\'') {
                    if let Some(name) = part[1..].split(q).next() {
                        out.push(name.to_string());
                    }
                }
            }
        }
        out
    };
    let mut result = HashMap::new();
    for name in sources.keys() {
        let mut seen: Vec<String> = vec![name.to_string()];
        let mut i = 0;
        while i < seen.len() {
            if let Some(src) = sources.get(seen[i].as_str()) {
                for u in uses(src) {
                    if !seen.contains(&u) {
                        seen.push(u);
                    }
                }
            }
            i += 1;
        }
        seen.sort();
        let combined: Vec<(&String, Option<&&str>)> =
            seen.iter().map(|n| (n, sources.get(n.as_str()))).collect();
        result.insert(name.to_string(), hash_of(&combined));
    }
    result
}
