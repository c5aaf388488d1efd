//! Stage 4: pages as pure functions of the graph. Each page is a Tera
//! template applied to a context built here; pages render in parallel and
//! go straight to the output, so memory stays bounded by one page per core.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use serde_json::{json, Value};
use tera::Tera;

use crate::config::SiteConfig;
use crate::diagnostic::{Diagnostic, Pos};
use crate::link::Graph;
use crate::markdown;
use crate::model::*;
use crate::output::PageSink;
pub use crate::plan::PageJob;
use crate::plan::Plan;
use crate::route::{self, Route};
use crate::theme::Theme;
use crate::url::Urls;

/// How many latest records the home page shows.
const HOME_LATEST: usize = 12;

/// Cards of a previous build by record id: (key, card). A card whose key is
/// unchanged is reused instead of built again.
pub type CardCache = HashMap<String, (u64, Arc<Value>)>;

/// A template error, located in the theme.
#[derive(Debug)]
pub struct TemplateError(pub Diagnostic);

/// The templates, strings and precomputed cards of one build.
pub struct Renderer<'g> {
    tera: Tera,
    theme: Theme,
    graph: &'g Graph,
    config: &'g SiteConfig,
    urls: Urls,
    /// The UI strings of the site's language.
    t: Value,
    /// Site-wide context (site, t), cloned into every page.
    base: tera::Context,
    /// Per record: the card shown in lists.
    /// Built on first use: a rebuild that renders few pages builds few.
    cards: Vec<std::sync::OnceLock<Arc<Value>>>,
    /// Per place: its status counts (the same on every page of the place).
    place_counts: Vec<Value>,
    /// The jobs, their paths and fingerprints.
    plan: Plan<'g>,
    /// See [`Renderer::work_times`].
    work: Mutex<HashMap<&'static str, std::time::Duration>>,
    /// Keep cards once built. Not on very large sites, where cards would
    /// take gigabytes: there a card is built again each time a list shows it.
    retain_cards: bool,
    /// Per record: its card rendered by `partials/card.html` (at level 3),
    /// built on first use and kept when `retain_cards`. A record shows in
    /// five or six lists; its card is rendered once, not in each.
    card_html: Vec<OnceLock<Arc<str>>>,
    /// Whether the theme has `partials/card.html` (else cards carry no HTML).
    card_template: bool,
    /// Contexts holding the site-wide values (`base`), reused from page to
    /// page (see [`Renderer::with_context`]).
    contexts: Mutex<Vec<tera::Context>>,
}

/// Renders the cards of a list in one call; [`CARD_END`] follows each.
/// Its name ends in `.html`: Tera escapes by the name of the template
/// rendered.
const CARD_BATCH: &str = "__yishi_card_batch.html";
const CARD_END: &str = "<!--yishi:card-end-->";
/// The heading level that `html` of a card is rendered at.
const CARD_LEVEL: u8 = 3;

fn ctx_err(e: impl std::fmt::Display) -> TemplateError {
    TemplateError(Diagnostic::error("（模板上下文）", None, e.to_string()))
}

impl<'g> Renderer<'g> {
    pub fn new(
        theme: Theme,
        graph: &'g Graph,
        config: &'g SiteConfig,
        urls: Urls,
        global: u64,
        previous_cards: Option<&CardCache>,
    ) -> Result<Renderer<'g>, TemplateError> {
        let t = load_strings(&theme, &config.language)?;
        let site = json!({
            "title": config.title,
            "description": config.description,
            "language": config.language,
            "base_url": config.base_url,
            "license": config.license,
            "extra": config.extra,
            "home_url": urls.route(&Route::Home),
            "search_url": urls.route(&Route::Search),
            "data_url": urls.route(&Route::DataIndex),
            "feed_url": urls.link(&Route::Home.feed()),
            "locale": config.language.replace('-', "_"),
            "types_url": urls.route(&Route::TypesIndex),
            "years_url": urls.route(&Route::YearsIndex),
            "forms_url": urls.route(&Route::FormsIndex),
            "css_url": urls.link(route::STYLE),
            "as_of": graph.as_of.to_string(),
            "generator": concat!("yishi ", env!("CARGO_PKG_VERSION")),
        });
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(escape_html);
        // Every page template is `.html`, and Tera escapes by the page's
        // template: folded text is escaped in every template.
        let fold = !crate::fold::shadows(&theme.templates);
        let sources: Vec<(&str, std::borrow::Cow<str>)> = theme
            .templates
            .iter()
            .map(|(n, src)| {
                let src = if fold {
                    crate::fold::fold(src, &t, &site, true, escape_html).into()
                } else {
                    std::borrow::Cow::Borrowed(src.as_str())
                };
                (n.as_str(), src)
            })
            .collect();
        if let Err(e) = tera.add_raw_templates(sources.iter().map(|(n, s)| (*n, s.as_ref()))) {
            return Err(TemplateError(template_diagnostic(&theme, &e)));
        }
        let card_template = theme
            .templates
            .iter()
            .any(|(n, _)| n == "partials/card.html");
        if card_template {
            let batch = format!(
                "{{% for r in cards %}}{{% include \"partials/card.html\" %}}{CARD_END}{{% endfor %}}"
            );
            if let Err(e) = tera.add_raw_template(CARD_BATCH, &batch) {
                return Err(TemplateError(template_diagnostic(&theme, &e)));
            }
        }
        if let Some(d) = recursion_in(&tera, &theme) {
            return Err(TemplateError(d));
        }
        tera.register_function("range", bounded_range);
        let mut base = tera::Context::new();
        base.insert("site", &site);
        base.insert("t", &t);
        let lists = crate::publish::Lists::new(&crate::publish::Ctx {
            graph,
            config,
            urls: &urls,
            strings: &t,
        });
        let plan = Plan::new(graph, config, &theme, lists, global);
        let mut r = Renderer {
            tera,
            theme,
            graph,
            config,
            urls,
            t,
            base,
            cards: Vec::new(),
            place_counts: Vec::new(),
            plan,
            work: Mutex::new(HashMap::new()),
            retain_cards: graph.site.records.len() <= crate::validate::defer_bodies_above(),
            card_html: (0..graph.site.records.len())
                .map(|_| OnceLock::new())
                .collect(),
            card_template,
            contexts: Mutex::new(Vec::new()),
        };
        // Cards themselves are built when a page first shows them.
        let previous: Vec<Option<Arc<Value>>> = (0..graph.site.records.len())
            .into_par_iter()
            .map(|i| {
                previous_cards
                    .and_then(|c| c.get(&graph.site.records[i].id))
                    .filter(|(k, _)| *k == r.plan.card_keys[i])
                    .map(|(_, card)| card.clone())
            })
            .collect();
        r.cards = previous
            .into_iter()
            .map(|card| {
                let cell = OnceLock::new();
                if let Some(card) = card {
                    let _ = cell.set(card);
                }
                cell
            })
            .collect();
        r.place_counts = graph
            .by_place
            .par_iter()
            .map(|list| r.status_counts(list))
            .collect();
        Ok(r)
    }

    /// The jobs of this build, their paths and fingerprints.
    pub fn plan(&self) -> &Plan<'g> {
        &self.plan
    }

    /// The cards built in this build, for the next one (the preview).
    pub fn card_cache(&self) -> CardCache {
        self.graph
            .site
            .records
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let card = self.cards[i].get()?;
                Some((r.id.clone(), (self.plan.card_keys[i], card.clone())))
            })
            .collect()
    }

    /// Record `i`'s card, built on first use.
    fn card(&self, i: usize) -> Arc<Value> {
        if !self.retain_cards {
            return Arc::new(self.build_card(i));
        }
        self.cards[i]
            .get_or_init(|| Arc::new(self.build_card(i)))
            .clone()
    }

    /// Render every job into `out`, calling `progress` after each page.
    /// Returns the files of each job that writes several (`is_group`), in
    /// the order of `jobs`.
    pub fn render_all(
        &self,
        jobs: &[PageJob],
        out: &(dyn PageSink + Sync),
        progress: &(dyn Fn() + Sync),
    ) -> Result<Vec<(PageJob, Vec<String>)>, RenderFailure> {
        let groups = Mutex::new(Vec::new());
        jobs.par_iter().enumerate().try_for_each(|(n, job)| {
            let started = std::time::Instant::now();
            let _time = Defer(|| self.add_time(job.category(), started.elapsed()));
            if let PageJob::Artifact(a) = job {
                let files = self.write_artifact(*a, out)?;
                if a.is_group() {
                    if let Ok(mut g) = groups.lock() {
                        g.push((n, *job, files));
                    }
                }
            } else {
                let (path, html) = self.render(*job)?;
                out.put(&route::file_of(&path), html.into_bytes())
                    .map_err(|e| RenderFailure::Io(path.clone(), e))?;
            }
            progress();
            Ok(())
        })?;
        let mut groups = groups.into_inner().unwrap_or_default();
        groups.sort_by_key(|(n, _, _)| *n);
        Ok(groups.into_iter().map(|(_, j, f)| (j, f)).collect())
    }

    /// Time spent per kind of output (summed over threads), for `--verbose`.
    pub fn work_times(&self) -> Vec<(&'static str, std::time::Duration)> {
        let mut t: Vec<_> = self
            .work
            .lock()
            .map(|w| w.iter().map(|(k, v)| (*k, *v)).collect())
            .unwrap_or_default();
        t.sort_by_key(|w| std::cmp::Reverse(w.1));
        t
    }

    fn add_time(&self, what: &'static str, d: std::time::Duration) {
        if let Ok(mut w) = self.work.lock() {
            *w.entry(what).or_default() += d;
        }
    }

    /// The publishing context (feeds, data, search…) of this build.
    pub fn publish_ctx(&self) -> crate::publish::Ctx<'_> {
        crate::publish::Ctx {
            graph: self.graph,
            config: self.config,
            urls: &self.urls,
            strings: &self.t,
        }
    }

    /// Write a non-page file (or several); returns what was written.
    fn write_artifact(
        &self,
        a: crate::publish::Artifact,
        out: &(dyn PageSink + Sync),
    ) -> Result<Vec<String>, RenderFailure> {
        crate::publish::write(
            &self.publish_ctx(),
            &self.plan.lists,
            a,
            &|| self.plan.page_list().to_vec(),
            out,
        )
        .map_err(|e| RenderFailure::Io(a.path(&self.plan.lists), e))
    }

    /// One page: its output path and HTML.
    pub fn render(&self, job: PageJob) -> Result<(String, String), RenderFailure> {
        let path = self.plan.path(job);
        let template = self.plan.template(job);
        let page = match job {
            PageJob::Home => self.home(),
            PageJob::Place(p, n) => self.place(p, n),
            PageJob::Record(i) => {
                let r = &self.graph.site.records[i];
                let body = r
                    .body
                    .text()
                    .map_err(|e| RenderFailure::Io(r.file.clone(), e))?;
                self.record(i, &body)
            }
            PageJob::Type(i, n) => {
                let term = self.config.vocabularies.topic_types.get(i);
                let base = Route::Type(&term.slug).path();
                let mut page = self.list(
                    &base,
                    n,
                    &self.graph.by_type[i],
                    &term.name,
                    self.s("type_list_intro"),
                    (self.s("types"), &Route::TypesIndex.path()),
                );
                page["feed"] = json!({
                    "title": format!("{} · {}", self.config.title, term.name),
                    "url": self.urls.link(&Route::Type(&term.slug).feed()),
                });
                page
            }
            PageJob::Year(y, n) => {
                let base = Route::Year(y).path();
                let title = self.s("year_title").replace("{year}", &y.to_string());
                self.list(
                    &base,
                    n,
                    &self.graph.by_year[&y],
                    &title,
                    self.s("year_list_intro"),
                    (self.s("years"), &Route::YearsIndex.path()),
                )
            }
            PageJob::Form(i, n) => {
                let term = self.config.vocabularies.session_forms.get(i);
                let base = Route::Form(&term.slug).path();
                self.list(
                    &base,
                    n,
                    &self.graph.by_form[i],
                    &term.name,
                    self.s("form_list_intro"),
                    (self.s("forms"), &Route::FormsIndex.path()),
                )
            }
            PageJob::TypesIndex => self.types_index(),
            PageJob::YearsIndex => self.years_index(),
            PageJob::FormsIndex => self.forms_index(),
            PageJob::NotFound => json!({"title": self.s("not_found")}),
            PageJob::Search => self.search_page(),
            PageJob::DataIndex => self.data_page(),
            PageJob::Artifact(a) => {
                return Err(RenderFailure::Io(
                    a.path(&self.plan.lists),
                    std::io::Error::other("not a page"),
                ))
            }
        };
        // Moved in, not serialized again: the page data is the largest part
        // (`json!` would copy it).
        let mut top = serde_json::Map::new();
        // For search engines and link previews in chat apps.
        let description = page
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| self.config.description.clone());
        top.insert("description".into(), json!(description));
        top.insert(
            "og_type".into(),
            json!(if matches!(job, PageJob::Record(_)) {
                "article"
            } else {
                "website"
            }),
        );
        top.insert("page".into(), page);
        top.insert("page_url".into(), Value::String(self.urls.link(&path)));
        top.insert(
            "canonical_url".into(),
            Value::String(self.urls.absolute(&path)),
        );
        let keys: Vec<String> = top.keys().cloned().collect();
        let page = tera::Context::from_value(Value::Object(top))
            .map_err(|e| RenderFailure::Template(ctx_err(e)))?;
        let html = self.with_context(page, &keys, |ctx| self.tera.render(template, ctx));
        let html = html.map_err(|e| {
            RenderFailure::Template(TemplateError(template_diagnostic(&self.theme, &e)))
        })?;
        Ok((path, html))
    }

    /// Runs `f` with the site-wide context (`site`, `t`) plus `vars`, whose
    /// top-level names are `keys`. The site-wide part is not copied for each
    /// page: contexts are taken from a pool and the page's values removed
    /// again afterwards.
    fn with_context<T>(
        &self,
        vars: tera::Context,
        keys: &[String],
        f: impl FnOnce(&tera::Context) -> T,
    ) -> T {
        let mut ctx = self
            .contexts
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .unwrap_or_else(|| self.base.clone());
        ctx.extend(vars);
        let result = f(&ctx);
        for key in keys {
            ctx.remove(key);
        }
        if let Ok(mut pool) = self.contexts.lock() {
            pool.push(ctx);
        }
        result
    }

    fn s<'a>(&'a self, key: &'a str) -> &'a str {
        self.t.get(key).and_then(Value::as_str).unwrap_or(key)
    }

    fn sub(&self, table: &str, key: &str) -> String {
        self.t
            .get(table)
            .and_then(|t| t.get(key))
            .and_then(Value::as_str)
            .unwrap_or(key)
            .to_string()
    }

    fn date_text(&self, d: NaiveDate) -> String {
        if self.config.language == "zh-CN" {
            format!("{}年{}月{}日", d.year(), d.month(), d.day())
        } else {
            d.format("%-d %b %Y").to_string()
        }
    }

    fn date_value(&self, d: NaiveDate) -> Value {
        json!({"iso": d.to_string(), "text": self.date_text(d)})
    }

    fn moment_value(&self, m: &crate::date::Moment) -> Value {
        let day = m.day();
        let (iso, text) = if m.has_time {
            (
                m.local.format("%Y-%m-%dT%H:%M").to_string(),
                format!("{} {}", self.date_text(day), m.local.format("%H:%M")),
            )
        } else {
            (day.to_string(), self.date_text(day))
        };
        json!({"iso": iso, "text": text, "time": m.has_time.then(|| m.local.format("%H:%M").to_string())})
    }

    fn amount_text(&self, yuan: f64) -> String {
        format_amount(yuan, &self.config.language)
    }

    fn place_name_path(&self, p: usize) -> String {
        // "社渚镇 · 南山村": the place and its town, for cards.
        let places = &self.graph.site.places;
        let place = &places[p];
        match place.parent {
            Some(parent) if places[parent].depth() >= 1 => {
                format!("{} · {}", places[parent].name, place.name)
            }
            _ => place.name.clone(),
        }
    }

    fn place_link(&self, p: usize) -> Value {
        let place = &self.graph.site.places[p];
        json!({
            "name": place.name,
            "full_name": self.place_name_path(p),
            "url": self.urls.route(&route::of_place(place)),
            "kind": place.kind.map(|k| k.slug()),
            "kind_label": place.kind.map(|k| self.sub("place_kind", k.slug())),
        })
    }

    fn record_url(&self, i: usize) -> String {
        let r = &self.graph.site.records[i];
        self.urls
            .route(&Route::Record(&self.graph.site.places[r.place], r))
    }

    fn status_value(&self, i: usize) -> Value {
        match self.graph.status[i] {
            Some(s) => json!({"slug": s.slug(), "label": self.sub("status", s.slug())}),
            None => Value::Null,
        }
    }

    /// The card of a record, as shown in every list.
    fn build_card(&self, i: usize) -> Value {
        let g = self.graph;
        let r = &g.site.records[i];
        let v = &self.config.vocabularies;
        let summary = &r.plain_summary;
        let (detail, date) = match &r.data {
            RecordBody::Topic(t) => (
                json!({"type": v.topic_types.get(t.topic_type).name,
                       "type_url": self.urls.route(&Route::Type(&v.topic_types.get(t.topic_type).slug))}),
                self.date_value(t.proposed),
            ),
            RecordBody::Session(s) => (
                json!({"form": v.session_forms.get(s.form).name,
                       "upcoming": s.date.day() >= g.as_of}),
                self.moment_value(&s.date),
            ),
            RecordBody::Outcome(o) => (
                json!({"result": v.results.get(o.result).name,
                       "result_slug": v.results.get(o.result).slug}),
                self.date_value(o.decided),
            ),
        };
        // Sessions and outcomes show the status of their topic.
        let topic_status = g
            .topics_of(i)
            .first()
            .map(|&t| self.status_value(t))
            .unwrap_or(Value::Null);
        json!({
            "id": r.id,
            "kind": r.kind,
            "kind_label": self.sub("kind", r.kind.dir()),
            "title": r.title,
            "url": self.record_url(i),
            "date": date,
            "place": self.place_link(r.place),
            "status": topic_status,
            "overdue": g.topics_of(i).iter().any(|&t| g.overdue[t]),
            "summary": markdown::truncate(summary, 90),
            "detail": detail,
        })
    }

    /// The cards of `list` as lists show them: the rendered card (`html`)
    /// with the fields a list needs to tell cards apart (`id`, `kind`,
    /// `title`, `url`). Copying whole cards into every list was a tenth of
    /// a large build. Where a card has no HTML (no card template, or it
    /// failed), the whole card, for the page to render it (and report).
    fn cards_of(&self, list: &[usize]) -> Value {
        let cards: Vec<Arc<Value>> = list.iter().map(|&i| self.card(i)).collect();
        let html = self.cards_html(list, &cards);
        let cards = cards.iter().zip(html).map(|(card, html)| match html {
            Some(html) => {
                let mut m = serde_json::Map::new();
                for key in ["id", "kind", "title", "url"] {
                    m.insert(key.into(), card[key].clone());
                }
                m.insert("html".into(), Value::String(html.to_string()));
                Value::Object(m)
            }
            None => Value::clone(card),
        });
        Value::Array(cards.collect())
    }

    /// The rendered cards of `list` (`cards` are their values): kept ones,
    /// and the others rendered in one template call. `None` where the theme
    /// has no card template or rendering failed; the page then renders the
    /// card itself, and reports the template's error.
    fn cards_html(&self, list: &[usize], cards: &[Arc<Value>]) -> Vec<Option<Arc<str>>> {
        if !self.card_template {
            return vec![None; list.len()];
        }
        let mut out: Vec<Option<Arc<str>>> = list
            .iter()
            .map(|&i| self.card_html[i].get().cloned())
            .collect();
        let missing: Vec<usize> = (0..list.len()).filter(|&k| out[k].is_none()).collect();
        if missing.is_empty() {
            return out;
        }
        let batch: Vec<Value> = missing.iter().map(|&k| Value::clone(&cards[k])).collect();
        let Some(pieces) = self.render_cards(batch) else {
            return out;
        };
        for (k, piece) in missing.into_iter().zip(pieces) {
            let piece: Arc<str> = Arc::from(piece);
            if self.retain_cards {
                let _ = self.card_html[list[k]].set(piece.clone());
            }
            out[k] = Some(piece);
        }
        out
    }

    /// `partials/card.html` for each card of `batch`, in one call.
    fn render_cards(&self, batch: Vec<Value>) -> Option<Vec<String>> {
        let n = batch.len();
        let mut vars = serde_json::Map::new();
        vars.insert("cards".into(), Value::Array(batch));
        vars.insert("level".into(), json!(CARD_LEVEL));
        let keys = ["cards".to_string(), "level".to_string()];
        let vars = tera::Context::from_value(Value::Object(vars)).ok()?;
        let html = self.with_context(vars, &keys, |ctx| self.tera.render(CARD_BATCH, ctx));
        let html = html.ok()?;
        let mut pieces: Vec<String> = html.split(CARD_END).map(str::to_string).collect();
        // A card whose own text holds the marker cannot be told apart: those
        // lists render their cards in the page instead.
        (pieces.pop().is_some_and(|rest| rest.is_empty()) && pieces.len() == n).then_some(pieces)
    }

    fn status_counts(&self, list: &[usize]) -> Value {
        let counts: Vec<Value> = self
            .graph
            .status_counts(list)
            .into_iter()
            .map(|(s, n)| json!({"slug": s.slug(), "label": self.sub("status", s.slug()), "count": n}))
            .collect();
        json!({
            "statuses": counts,
            "overdue": self.graph.overdue_count(list),
            "topics": list.iter().filter(|&&i| self.graph.status[i].is_some()).count(),
        })
    }

    /// Pagination of a list at `base` (output path), page `n`.
    fn pagination(&self, base: &str, n: usize, total: usize) -> (std::ops::Range<usize>, Value) {
        let size = self.config.page_size;
        let pages = total.div_ceil(size).max(1);
        let start = (n - 1) * size;
        let range = start..(start + size).min(total);
        let link = |k: usize| self.urls.link(&route::paged(base, k));
        let value = json!({
            "current": n,
            "total_pages": pages,
            "total_items": total,
            "prev_url": (n > 1).then(|| link(n - 1)),
            "next_url": (n < pages).then(|| link(n + 1)),
            "first_url": link(1),
            "last_url": link(pages),
        });
        (range, value)
    }

    fn breadcrumbs_place(&self, p: usize, include_self: bool) -> Vec<Value> {
        let places = &self.graph.site.places;
        let mut chain = Vec::new();
        let mut cur = if include_self {
            Some(p)
        } else {
            places[p].parent
        };
        while let Some(c) = cur {
            if c != 0 {
                chain.push(json!({"name": places[c].name, "url": self.urls.route(&route::of_place(&places[c]))}));
            }
            cur = places[c].parent;
        }
        chain.reverse();
        chain
    }

    fn home(&self) -> Value {
        let g = self.graph;
        let top = &g.site.places[0];
        let all: Vec<usize> = g.latest.clone();
        let towns: Vec<Value> = top
            .children
            .iter()
            .map(|&t| {
                let mut v = self.place_link(t);
                let villages: Vec<Value> = g.site.places[t]
                    .children
                    .iter()
                    .map(|&c| self.place_link(c))
                    .collect();
                v["villages"] = json!(villages);
                v["count"] = json!(g.by_place[t].len());
                v
            })
            .collect();
        let types: Vec<Value> = self
            .config
            .vocabularies
            .topic_types
            .terms
            .iter()
            .zip(&g.by_type)
            .filter(|(_, l)| !l.is_empty())
            .map(|(t, l)| json!({"label": t.name, "url": self.urls.route(&Route::Type(&t.slug)), "count": l.len()}))
            .collect();
        let years: Vec<Value> = g
            .by_year
            .iter()
            .rev()
            .map(|(y, l)| json!({"label": y.to_string(), "url": self.urls.route(&Route::Year(*y)), "count": l.len()}))
            .collect();
        let count_kind = |k: RecordKind| g.site.records.iter().filter(|r| r.kind == k).count();
        let mut page = json!({
            "title": self.config.title,
            "place": {
                "name": top.name,
                "summary_html": top.summary.as_deref().map(markdown::inline_to_html),
            },
            "follow": self.follow(0),
            "counts": self.status_counts(&all),
            "totals": {"topics": count_kind(RecordKind::Topic), "sessions": count_kind(RecordKind::Session), "outcomes": count_kind(RecordKind::Outcome)},
            "towns": towns,
            "types": types,
            "years": years,
        });
        // Moved in after: `json!` would copy them.
        page["upcoming"] = self.cards_of(&g.upcoming);
        page["latest"] = self.cards_of(&g.latest[..g.latest.len().min(HOME_LATEST)]);
        page
    }

    fn place(&self, p: usize, n: usize) -> Value {
        let g = self.graph;
        let place = &g.site.places[p];
        let list = &g.by_place[p];
        let base = route::of_place(place).path();
        let (range, pagination) = self.pagination(&base, n, list.len());
        // Records of this page, grouped by year (the list is newest first).
        let mut years: Vec<Value> = Vec::new();
        let Value::Array(cards) = self.cards_of(&list[range.clone()]) else {
            unreachable!("cards_of gives an array")
        };
        for (&i, card) in list[range].iter().zip(cards) {
            let y = g.site.records[i].date().year();
            if years.last().and_then(|v| v["year"].as_i64()) != Some(y as i64) {
                years.push(json!({"year": y, "records": []}));
            }
            if let Some(Value::Array(records)) = years.last_mut().map(|v| &mut v["records"]) {
                records.push(card);
            }
        }
        let mut info = self.place_link(p);
        info["summary_html"] = json!(place.summary.as_deref().map(markdown::inline_to_html));
        info["population"] = json!(place.population);
        info["households"] = json!(place.households);
        info["code"] = json!(place.code);
        let mut page = json!({
            "title": place.name,
            "place": info,
            "breadcrumbs": self.breadcrumbs_place(p, false),
            "children": place.children.iter().map(|&c| {
                let mut v = self.place_link(c);
                v["count"] = json!(g.by_place[c].len());
                v
            }).collect::<Vec<_>>(),
            "counts": self.place_counts[p],
            "follow": self.follow(p),
            "feed": {"title": format!("{} · {}", self.config.title, self.place_name_path(p)), "url": self.urls.link(&route::of_place(place).feed())},
            "description": place.summary.as_deref().map(|s| markdown::truncate(&markdown::first_paragraph(s), 120)),
            "pagination": pagination,
        });
        page["upcoming"] = if n == 1 {
            self.cards_of(&g.upcoming_by_place[p])
        } else {
            json!([])
        };
        page["years"] = Value::Array(years);
        page
    }

    fn list(
        &self,
        base: &str,
        n: usize,
        list: &[usize],
        title: &str,
        intro: &str,
        parent: (&str, &str),
    ) -> Value {
        let (range, pagination) = self.pagination(base, n, list.len());
        let mut page = json!({
            "title": title,
            "intro": intro,
            "breadcrumbs": [{"name": parent.0, "url": self.urls.link(parent.1)}],
            "pagination": pagination,
        });
        page["records"] = self.cards_of(&list[range]);
        page
    }

    /// `/search/`: the form, the filters' values and, for browsers without
    /// JavaScript, the browse indexes.
    fn search_page(&self) -> Value {
        let f = crate::publish::search_facets(&self.publish_ctx());
        let named = |names: &[String]| -> Vec<Value> {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| json!({"value": i, "name": n}))
                .collect()
        };
        let places: Vec<Value> = f
            .places
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, p)| json!({"value": i, "name": p.name, "depth": p.depth}))
            .collect();
        json!({
            "title": self.s("search"),
            "index_url": self.urls.route(&Route::Search),
            "script_url": self.urls.link(route::SEARCH_SCRIPT),
            "browse": [
                {"name": self.s("places"), "url": self.urls.route(&Route::Home)},
                {"name": self.s("types"), "url": self.urls.route(&Route::TypesIndex)},
                {"name": self.s("years"), "url": self.urls.route(&Route::YearsIndex)},
                {"name": self.s("forms"), "url": self.urls.route(&Route::FormsIndex)},
            ],
            "facets": {
                "places": places,
                "topic_types": named(&f.topic_types),
                "years": f.years.iter().enumerate().rev().map(|(i, y)| json!({"value": i, "name": y.to_string()})).collect::<Vec<_>>(),
                "statuses": named(&f.statuses),
            },
        })
    }

    /// `/data/`: what the open data files are, for the site and each place.
    fn data_page(&self) -> Value {
        crate::publish::data::page_value(&self.publish_ctx(), &self.plan.lists.data_sets)
    }

    /// Subscribe and download links of a place (the top level: the site).
    fn follow(&self, p: usize) -> Value {
        let place = &self.graph.site.places[p];
        let page = route::of_place(place);
        let data: Vec<Value> = crate::publish::data::DataFile::ALL
            .iter()
            .map(|f| {
                json!({
                    "label": self.s(f.label_key()),
                    "kind": f.format(),
                    "url": self.urls.link(&route::data_file(place, f.name())),
                })
            })
            .collect();
        json!({
            "feed_url": self.urls.link(&page.feed()),
            "calendar_url": self.urls.link(&page.calendar()),
            "data": data,
            "data_page": self.urls.route(&Route::DataIndex),
        })
    }

    fn overview(&self, title: &str, intro: &str, items: Vec<Value>) -> Value {
        json!({"title": title, "intro": intro, "items": items})
    }

    fn types_index(&self) -> Value {
        let items = self
            .config
            .vocabularies
            .topic_types
            .terms
            .iter()
            .zip(&self.graph.by_type)
            .map(|(t, l)| json!({"label": t.name, "url": self.urls.route(&Route::Type(&t.slug)), "count": l.len()}))
            .collect();
        self.overview(self.s("types"), self.s("type_list_intro"), items)
    }

    fn years_index(&self) -> Value {
        let items = self
            .graph
            .by_year
            .iter()
            .rev()
            .map(|(y, l)| json!({"label": self.s("year_title").replace("{year}", &y.to_string()), "url": self.urls.route(&Route::Year(*y)), "count": l.len()}))
            .collect();
        self.overview(self.s("years"), self.s("year_list_intro"), items)
    }

    fn forms_index(&self) -> Value {
        let items = self
            .config
            .vocabularies
            .session_forms
            .terms
            .iter()
            .zip(&self.graph.by_form)
            .map(|(t, l)| json!({"label": t.name, "url": self.urls.route(&Route::Form(&t.slug)), "count": l.len()}))
            .collect();
        self.overview(self.s("forms"), self.s("form_list_intro"), items)
    }

    fn record(&self, i: usize, body: &str) -> Value {
        let g = self.graph;
        let r = &g.site.records[i];
        let mut crumbs = self.breadcrumbs_place(r.place, true);
        let mut common = json!({
            "title": r.title,
            "tags": r.tags,
            "summary": r.summary,
            "description": markdown::truncate(&r.plain_summary, 120),
            "extra": r.extra,
            "source": r.file,
        });
        // Moved in: `json!` would copy them.
        common["card"] = Value::clone(&self.card(i));
        common["body_html"] = Value::String(markdown::to_html(body));
        let kind_data = match &r.data {
            RecordBody::Topic(t) => self.topic(i, t),
            RecordBody::Session(s) => self.session(i, s),
            RecordBody::Outcome(o) => self.outcome(i, o),
        };
        if let Some(&t) = g.topics_of(i).first().filter(|&&t| t != i) {
            crumbs.push(json!({"name": g.site.records[t].title, "url": self.record_url(t)}));
        }
        common["breadcrumbs"] = json!(crumbs);
        common[r.kind.dir()] = kind_data;
        common
    }

    fn topic(&self, i: usize, t: &Topic) -> Value {
        let g = self.graph;
        let v = &self.config.vocabularies;
        let term = v.topic_types.get(t.topic_type);
        // The whole chain in date order.
        let mut chain: Vec<(chrono::NaiveDateTime, usize, Value)> = Vec::new();
        let at = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN);
        chain.push((at(t.proposed), 0, json!({"kind": "proposed", "label": self.s("chain_proposed"), "date": self.date_value(t.proposed), "text": t.proposer})));
        if let Some(n) = t.notice {
            chain.push((at(n), 1, json!({"kind": "notice", "label": self.s("chain_notice"), "date": self.date_value(n),
                "until": t.notice_until.map(|u| self.date_value(u))})));
        }
        for &s in &g.sessions_of[i] {
            let rec = &g.site.records[s];
            let sess = rec.session().expect("session");
            let upcoming = sess.date.day() >= g.as_of;
            chain.push((sess.date.local, 2, json!({"kind": "session", "label": v.session_forms.get(sess.form).name,
                "date": self.moment_value(&sess.date), "title": rec.title, "url": self.record_url(s), "upcoming": upcoming})));
        }
        let outcome = g.outcome_of[i];
        if let Some(o) = outcome {
            let rec = &g.site.records[o];
            let oc = rec.outcome().expect("outcome");
            chain.push((
                at(oc.decided),
                3,
                json!({"kind": "outcome", "label": self.s("chain_outcome"),
                "date": self.date_value(oc.decided), "title": rec.title, "url": self.record_url(o),
                "text": v.results.get(oc.result).name}),
            ));
            for p in &oc.progress {
                let st = v.progress_states.get(p.state);
                chain.push((
                    at(p.date),
                    4,
                    json!({"kind": "progress", "label": st.name, "final": st.is_final,
                    "date": self.date_value(p.date), "text": p.note}),
                ));
            }
            if g.overdue[i] {
                if let Some(d) = oc.deadline {
                    chain.push((at(d), 5, json!({"kind": "overdue", "label": self.s("chain_deadline_missed"), "date": self.date_value(d)})));
                }
            }
        }
        if let Some(w) = t.withdrawn {
            chain.push((at(w), 6, json!({"kind": "withdrawn", "label": self.s("chain_withdrawn"), "date": self.date_value(w)})));
        }
        chain.sort_by_key(|c| (c.0, c.1));
        let mut v = json!({
            "type": {"label": term.name, "url": self.urls.route(&Route::Type(&term.slug))},
            "status": self.status_value(i),
            "overdue": g.overdue[i],
            "deadline": outcome.and_then(|o| g.site.records[o].outcome()).and_then(|o| o.deadline).map(|d| self.date_value(d)),
            "proposer": t.proposer,
            "proposed": self.date_value(t.proposed),
            "notice": t.notice.map(|d| self.date_value(d)),
            "notice_until": t.notice_until.map(|d| self.date_value(d)),
            "withdrawn": t.withdrawn.map(|d| self.date_value(d)),
            "amount": t.amount.map(|a| self.amount_text(a)),
            "villages": t.villages.iter().map(|&p| self.place_link(p)).collect::<Vec<_>>(),
            "chain": chain.into_iter().map(|c| c.2).collect::<Vec<_>>(),
        });
        v["related"] = self.cards_of(&t.related);
        v["sessions"] = self.cards_of(&g.sessions_of[i]);
        v["outcome"] = match outcome {
            Some(o) => self.cards_of(&[o])[0].take(),
            None => Value::Null,
        };
        v
    }

    fn session(&self, i: usize, s: &Session) -> Value {
        let g = self.graph;
        let v = &self.config.vocabularies;
        let r = &g.site.records[i];
        let form = v.session_forms.get(s.form);
        let tally = |t: &Tally| json!({"for": t.yes, "against": t.against, "abstain": t.abstain, "total": t.sum()});
        let (vote, votes) = match &s.vote {
            Some(Vote::Single(t)) => (tally(t), Vec::new()),
            Some(Vote::PerTopic(per)) => (
                Value::Null,
                per.iter()
                    .filter_map(|(_, topic, t)| {
                        topic.map(|ti| {
                            let mut v = json!({"tally": tally(t)});
                            v["topic"] = Value::clone(&self.card(ti));
                            v
                        })
                    })
                    .collect(),
            ),
            None => (Value::Null, Vec::new()),
        };
        let place = &g.site.places[r.place];
        let attachments: Vec<Value> = s
            .attachments
            .iter()
            .map(|a| {
                let name = a.rsplit('/').next().unwrap_or(a);
                // A name may hold `#`, `?`, `%` or spaces: escape each segment.
                let encoded: Vec<String> = a
                    .split('/')
                    .map(|seg| {
                        percent_encoding::utf8_percent_encode(seg, crate::publish::data::SEGMENT)
                            .to_string()
                    })
                    .collect();
                let path = route::attachment(place, r.kind, &encoded.join("/"));
                json!({"name": name, "url": self.urls.link(&path)})
            })
            .collect();
        let mut v = json!({
            "date": self.moment_value(&s.date),
            "end": s.end.map(|e| {
                if e.day() == s.date.day() { json!({"text": e.local.format("%H:%M").to_string(), "iso": e.local.format("%Y-%m-%dT%H:%M").to_string()}) }
                else { self.moment_value(&e) }
            }),
            "upcoming": s.date.day() >= g.as_of,
            "form": {"label": form.name, "url": self.urls.route(&Route::Form(&form.slug))},
            "location": s.location,
            "participants": s.participants.iter().map(|(grp, n)| json!({"label": v.participant_groups.get(*grp).name, "count": n})).collect::<Vec<_>>(),
            "attendance": s.attendance,
            "vote": vote,
            "votes": votes,
            "attachments": attachments,
        });
        v["topics"] = self.cards_of(&s.topics);
        v
    }

    fn outcome(&self, i: usize, o: &Outcome) -> Value {
        let g = self.graph;
        let v = &self.config.vocabularies;
        let result = v.results.get(o.result);
        let topic = o.topic;
        let mut v = json!({
            "decided": self.date_value(o.decided),
            "result": {"slug": result.slug, "label": result.name},
            "responsible": o.responsible,
            "deadline": o.deadline.map(|d| self.date_value(d)),
            "amount": o.amount.map(|a| self.amount_text(a)),
            "overdue": topic.is_some_and(|t| g.overdue[t]),
            "status": topic.map(|t| self.status_value(t)),
            "progress": o.progress.iter().map(|p| {
                let st = v.progress_states.get(p.state);
                json!({"date": self.date_value(p.date), "state": st.name, "final": st.is_final, "note": p.note})
            }).collect::<Vec<_>>(),
            "self_url": self.record_url(i),
        });
        v["topic"] = topic.map_or(Value::Null, |t| Value::clone(&self.card(t)));
        v["sessions"] = self.cards_of(&o.sessions);
        v
    }
}

/// Why rendering stopped.
#[derive(Debug)]
pub enum RenderFailure {
    Template(TemplateError),
    Io(String, std::io::Error),
}

/// Runs a closure when dropped (also when a job fails).
struct Defer<F: FnMut()>(F);

impl<F: FnMut()> Drop for Defer<F> {
    fn drop(&mut self) {
        (self.0)()
    }
}

/// HTML escaping for templates: the five characters that matter, and no
/// more (Tera's default also escapes `/`, which makes every URL unreadable).
fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 16);
    let mut plain = 0;
    // The five characters are ASCII, so byte positions are char boundaries;
    // runs between them are copied whole.
    for (i, b) in input.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&input[plain..i]);
        out.push_str(entity);
        plain = i + 1;
    }
    out.push_str(&input[plain..]);
    out
}

/// Money in yuan for people: `12.5万元`, `3.2亿元`, `860元`; in English
/// `CNY 125,000`.
pub fn format_amount(yuan: f64, language: &str) -> String {
    fn trim(s: String) -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
    if language == "zh-CN" {
        if yuan >= 1e8 {
            format!("{}亿元", trim(format!("{:.4}", yuan / 1e8)))
        } else if yuan >= 1e4 {
            format!("{}万元", trim(format!("{:.4}", yuan / 1e4)))
        } else {
            format!("{}元", trim(format!("{yuan:.2}")))
        }
    } else {
        let whole = yuan.trunc() as u64;
        let cents = ((yuan - yuan.trunc()) * 100.0).round() as u64;
        let digits = whole.to_string();
        let mut grouped = String::new();
        for (k, c) in digits.chars().enumerate() {
            if k > 0 && (digits.len() - k) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        if cents > 0 {
            format!("CNY {grouped}.{cents:02}")
        } else {
            format!("CNY {grouped}")
        }
    }
}

fn load_strings(theme: &Theme, language: &str) -> Result<Value, TemplateError> {
    let file = format!("{}/i18n/{language}.toml", theme.origin);
    let Some((_, text)) = theme.i18n.iter().find(|(l, _)| l == language) else {
        return Err(TemplateError(
            Diagnostic::error(file, None, format!("主题缺少界面语言 `{language}` 的文字"))
                .with_hint("在主题的 i18n/ 中添加该语言的 .toml 文件，或改用 zh-CN"),
        ));
    };
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let pos = e
            .span()
            .map(|s| Pos::of_offset(text, s.start, s.len().max(1)));
        TemplateError(Diagnostic::error(
            file.clone(),
            pos,
            format!("界面文字文件有误：{}", e.message()),
        ))
    })?;
    serde_json::to_value(table).map_err(ctx_err)
}

/// The most numbers `range` gives a theme: Tera's own would fill memory
/// with `range(end=2e8)` and abort the build.
pub const MAX_RANGE: usize = 100_000;

/// Tera's `range` (`start`, `end`, `step_by`), refusing more than
/// [`MAX_RANGE`] numbers.
fn bounded_range(args: &HashMap<String, Value>) -> tera::Result<Value> {
    let number = |key: &str, default: Option<usize>| -> tera::Result<usize> {
        match args.get(key) {
            Some(v) => v.as_u64().map(|n| n as usize).ok_or_else(|| {
                tera::Error::msg(format!("`range` 的 `{key}` 应为非负整数，而不是 {v}"))
            }),
            None => default.ok_or_else(|| tera::Error::msg(format!("`range` 缺少 `{key}` 参数"))),
        }
    };
    let start = number("start", Some(0))?;
    let end = number("end", None)?;
    let step = number("step_by", Some(1))?.max(1);
    let count = end.saturating_sub(start).div_ceil(step);
    if count > MAX_RANGE {
        return Err(tera::Error::msg(format!(
            "`range` 最多给出 {MAX_RANGE} 个数，这里要 {count} 个"
        )));
    }
    Ok(Value::Array(
        (start..end).step_by(step).map(Value::from).collect(),
    ))
}

/// A template that includes itself or a macro that calls itself, directly
/// or through others, as an error naming the template. Tera 1 has no limit
/// on the depth of includes and macro calls: such a theme would overflow
/// the stack (and abort) on the first page that uses it, even when a
/// condition was meant to end the recursion. So recursion is refused when
/// the theme is loaded, over-approximating: every include and call counts,
/// whichever branch it is in, and an extended template counts as called.
fn recursion_in(tera: &Tera, theme: &Theme) -> Option<Diagnostic> {
    use tera::ast::Node;
    // Nodes: a template `a.html`, or a macro `a.html::m` of the file `a.html`.
    let mut edges: HashMap<String, Vec<String>> = HashMap::new();
    let mut names: Vec<&str> = tera.get_template_names().collect();
    names.sort_unstable();
    for name in &names {
        let Ok(tpl) = tera.get_template(name) else {
            continue;
        };
        let mut out = Vec::new();
        if let Some(parent) = &tpl.parent {
            out.push(parent.clone());
        }
        calls_in(tera, name, &tpl.ast, &mut out);
        edges.insert(name.to_string(), out);
        for (m, def) in &tpl.macros {
            let mut out = Vec::new();
            calls_in(tera, name, &def.body, &mut out);
            edges.insert(format!("{name}::{m}"), out);
        }
    }
    // Depth-first search for a cycle, in a stable order.
    let mut keys: Vec<&String> = edges.keys().collect();
    keys.sort_unstable();
    let mut done: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for start in keys {
        if done.contains(start.as_str()) {
            continue;
        }
        let mut path: Vec<&str> = vec![start.as_str()];
        let mut next: Vec<usize> = vec![0];
        while let Some(&i) = next.last() {
            let node = *path.last().unwrap();
            let targets = edges.get(node).map(Vec::as_slice).unwrap_or_default();
            if i >= targets.len() {
                done.insert(node);
                path.pop();
                next.pop();
                continue;
            }
            *next.last_mut().unwrap() += 1;
            let to = targets[i].as_str();
            if let Some(at) = path.iter().position(|p| *p == to) {
                let mut cycle: Vec<&str> = path[at..].to_vec();
                cycle.push(to);
                let file = to.split("::").next().unwrap_or(to);
                let what = if to.contains("::") {
                    "宏递归调用"
                } else {
                    "模板递归包含"
                };
                return Some(
                    Diagnostic::error(
                        theme.template_path(file),
                        None,
                        format!("{what}：{}", cycle.join(" → ")),
                    )
                    .with_hint("模板不能（直接或经其他模板）包含自身，宏也不能调用自身：递归没有深度限制，会使生成崩溃；请改为用循环展开"),
                );
            }
            if !done.contains(to) && edges.contains_key(to) {
                path.push(to);
                next.push(0);
            }
        }
    }
    fn calls_in(tera: &Tera, file: &str, nodes: &[Node], out: &mut Vec<String>) {
        for node in nodes {
            match node {
                Node::Include(_, names, _) => out.extend(names.iter().cloned()),
                Node::VariableBlock(_, e) => expr_calls(tera, file, e, out),
                Node::Set(_, set) => expr_calls(tera, file, &set.value, out),
                Node::FilterSection(_, fs, _) => {
                    fn_calls(tera, file, &fs.filter, out);
                    calls_in(tera, file, &fs.body, out);
                }
                Node::Block(_, b, _) => calls_in(tera, file, &b.body, out),
                Node::Forloop(_, f, _) => {
                    expr_calls(tera, file, &f.container, out);
                    calls_in(tera, file, &f.body, out);
                    if let Some(empty) = &f.empty_body {
                        calls_in(tera, file, empty, out);
                    }
                }
                Node::If(i, _) => {
                    for (_, cond, body) in &i.conditions {
                        expr_calls(tera, file, cond, out);
                        calls_in(tera, file, body, out);
                    }
                    if let Some((_, body)) = &i.otherwise {
                        calls_in(tera, file, body, out);
                    }
                }
                _ => {}
            }
        }
    }
    fn fn_calls(tera: &Tera, file: &str, f: &tera::ast::FunctionCall, out: &mut Vec<String>) {
        for e in f.args.values() {
            expr_calls(tera, file, e, out);
        }
    }
    fn expr_calls(tera: &Tera, file: &str, e: &tera::ast::Expr, out: &mut Vec<String>) {
        for f in &e.filters {
            fn_calls(tera, file, f, out);
        }
        val_calls(tera, file, &e.val, out);
    }
    fn val_calls(tera: &Tera, file: &str, v: &tera::ast::ExprVal, out: &mut Vec<String>) {
        use tera::ast::ExprVal;
        match v {
            ExprVal::MacroCall(mc) => {
                let target = if mc.namespace == "self" {
                    Some(file.to_string())
                } else {
                    tera.get_template(file).ok().and_then(|t| {
                        t.imported_macro_files
                            .iter()
                            .find(|(_, ns)| *ns == mc.namespace)
                            .map(|(f, _)| f.clone())
                    })
                };
                if let Some(t) = target {
                    out.push(format!("{t}::{}", mc.name));
                }
                for a in mc.args.values() {
                    expr_calls(tera, file, a, out);
                }
            }
            ExprVal::FunctionCall(f) => fn_calls(tera, file, f, out),
            ExprVal::Math(m) => {
                expr_calls(tera, file, &m.lhs, out);
                expr_calls(tera, file, &m.rhs, out);
            }
            ExprVal::Logic(l) => {
                expr_calls(tera, file, &l.lhs, out);
                expr_calls(tera, file, &l.rhs, out);
            }
            ExprVal::In(i) => {
                expr_calls(tera, file, &i.lhs, out);
                expr_calls(tera, file, &i.rhs, out);
            }
            ExprVal::Test(t) => {
                for a in &t.args {
                    expr_calls(tera, file, a, out);
                }
            }
            ExprVal::Array(items) => {
                for a in items {
                    expr_calls(tera, file, a, out);
                }
            }
            ExprVal::StringConcat(c) => {
                for v in &c.values {
                    val_calls(tera, file, v, out);
                }
            }
            _ => {}
        }
    }
    None
}

/// A Tera error as a diagnostic naming the template file and line.
///
/// Tera reports the line of syntax errors; for errors while rendering it
/// names the template and the missing variable or filter, and the line is
/// found by looking for that name in the template's source.
fn template_diagnostic(theme: &Theme, e: &tera::Error) -> Diagnostic {
    use std::error::Error as _;
    let mut chain = vec![e.to_string()];
    let mut src = e.source();
    while let Some(s) = src {
        chain.push(s.to_string());
        src = s.source();
    }
    let full = chain.join("\n");
    let quoted: Vec<String> = full
        .split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    let template = quoted
        .iter()
        .find(|q| theme.templates.iter().any(|(n, _)| n == *q))
        .cloned();
    let sources: HashMap<&str, &str> = theme
        .templates
        .iter()
        .map(|(n, s)| (n.as_str(), s.as_str()))
        .collect();
    // Syntax errors carry ` --> line:col`.
    let mut pos = full.split("-->").nth(1).and_then(|rest| {
        let rest = rest.trim_start();
        let (l, c) = rest.split_once(':')?;
        let c: String = c.chars().take_while(|ch| ch.is_ascii_digit()).collect();
        Some(Pos::new(l.trim().parse().ok()?, c.parse().ok()?, 1))
    });
    if pos.is_none() {
        let names: Vec<&str> = full.split('`').skip(1).step_by(2).collect();
        if let Some(src) = template.as_deref().and_then(|t| sources.get(t)) {
            pos = names.iter().find_map(|name| {
                let at = src.find(name)?;
                Some(Pos::of_offset(src, at, name.chars().count()))
            });
        }
    }
    let file = template
        .map(|t| theme.template_path(&t))
        .unwrap_or_else(|| format!("{}/templates", theme.origin));
    let message = chain
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("：");
    Diagnostic::error(file, pos, format!("模板错误：{message}"))
        .with_hint("检查模板中的变量名、过滤器和标签是否拼写正确、是否成对闭合")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_for_people() {
        assert_eq!(format_amount(125000.0, "zh-CN"), "12.5万元");
        assert_eq!(format_amount(860.0, "zh-CN"), "860元");
        assert_eq!(format_amount(320000000.0, "zh-CN"), "3.2亿元");
        assert_eq!(format_amount(12500.5, "en"), "CNY 12,500.50");
        assert_eq!(format_amount(1234567.0, "en"), "CNY 1,234,567");
    }

    #[test]
    fn syntax_error_names_template_and_line() {
        let theme = Theme {
            name: "t".into(),
            origin: "themes/t".into(),
            templates: vec![("a.html".into(), "<p>\n{{ x }\n</p>".into())],
            static_files: Vec::new(),
            i18n: Vec::new(),
        };
        let mut tera = Tera::default();
        let e = tera
            .add_raw_templates(vec![("a.html", "<p>\n{{ x }\n</p>")])
            .unwrap_err();
        let d = template_diagnostic(&theme, &e);
        assert_eq!(d.file, "themes/t/templates/a.html");
        assert_eq!(d.pos.map(|p| p.line), Some(2), "{d:?}");
    }

    #[test]
    fn render_error_finds_line_of_missing_variable() {
        let src = "<p>\n\n{{ page.nope.deeper }}\n</p>";
        let theme = Theme {
            name: "t".into(),
            origin: "themes/t".into(),
            templates: vec![("a.html".into(), src.into())],
            static_files: Vec::new(),
            i18n: Vec::new(),
        };
        let mut tera = Tera::default();
        tera.add_raw_templates(vec![("a.html", src)]).unwrap();
        let e = tera.render("a.html", &tera::Context::new()).unwrap_err();
        let d = template_diagnostic(&theme, &e);
        assert_eq!(d.file, "themes/t/templates/a.html");
        assert_eq!(d.pos.map(|p| p.line), Some(3), "{d:?}");
    }
}

#[cfg(test)]
mod escape_tests {
    #[test]
    fn escapes_the_five_characters_only() {
        assert_eq!(
            super::escape_html("甲<b>\"乙\" & '丙'/路</b>"),
            "甲&lt;b&gt;&quot;乙&quot; &amp; &#39;丙&#39;/路&lt;/b&gt;"
        );
        assert_eq!(super::escape_html(""), "");
        assert_eq!(super::escape_html("纯文本"), "纯文本");
    }
}
