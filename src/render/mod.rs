//! Stage 4: pages as pure functions of the graph. Each page is a Tera
//! template applied to a context built here; pages render in parallel and
//! go straight to the output, so memory stays bounded by one page per core.
//! Which pages there are, where they go and when they are dirty is the plan
//! stage's (`plan.rs`); this module makes them.
//!
//! - `templates.rs`: the Tera set-up and template errors;
//! - `context/`: what templates receive, as structs (the theme contract);
//! - `cards.rs`: record cards, built and rendered once per build;
//! - `pages.rs`: the values of each kind of page;
//! - `format.rs`: dates, amounts, places and statuses as pages show them.

mod cards;
pub mod context;
mod format;
mod pages;
mod print;
mod templates;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use serde_json::Value;
use tera::Tera;

use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;
use crate::link::Graph;
use crate::output::PageSink;
pub use crate::plan::PageJob;
use crate::plan::Plan;
use crate::route::{self, Route};
use crate::theme::Theme;
use crate::url::Urls;

pub use cards::CardCache;
pub use context::SiteContext;
use context::{Card, Feed, MoneyTotals, NotFoundPage, PageContext, PageFrame, StatusCounts};
pub use format::format_amount;
pub use templates::{escape_html, MAX_RANGE};

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
    cards: Vec<std::sync::OnceLock<Arc<Card>>>,
    /// Per place: its status counts (the same on every page of the place).
    place_counts: Vec<StatusCounts>,
    /// Per topic type, year and session form: the money of its list (the
    /// same on every page of the list), computed by the first page that
    /// needs it.
    type_money: Vec<OnceLock<MoneyTotals>>,
    year_money: BTreeMap<i32, OnceLock<MoneyTotals>>,
    form_money: Vec<OnceLock<MoneyTotals>>,
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
        lean: bool,
        previous_cards: Option<&CardCache>,
    ) -> Result<Renderer<'g>, TemplateError> {
        let t = templates::load_strings(&theme, &config.language)?;
        let site =
            serde_json::to_value(SiteContext::new(config, &urls, graph.as_of)).map_err(ctx_err)?;
        let (tera, card_template) = templates::build(&theme, &t, &site)?;
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
            type_money: graph.by_type.iter().map(|_| OnceLock::new()).collect(),
            year_money: graph
                .by_year
                .keys()
                .map(|&y| (y, OnceLock::new()))
                .collect(),
            form_money: graph.by_form.iter().map(|_| OnceLock::new()).collect(),
            plan,
            work: Mutex::new(HashMap::new()),
            retain_cards: !lean,
            card_html: (0..graph.site.records.len())
                .map(|_| OnceLock::new())
                .collect(),
            card_template,
            contexts: Mutex::new(Vec::new()),
        };
        // Cards themselves are built when a page first shows them.
        let previous: Vec<Option<Arc<Card>>> = (0..graph.site.records.len())
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
            PageJob::Home => PageContext::Home(self.home()),
            PageJob::Place(p, n) => PageContext::Place(self.place(p, n)),
            PageJob::Record(i) => {
                let r = &self.graph.site.records[i];
                let body = r
                    .body
                    .text()
                    .map_err(|e| RenderFailure::Io(r.file.clone(), e))?;
                PageContext::Record(self.record(i, &body))
            }
            PageJob::Print(i) => PageContext::Print(self.print(i)),
            PageJob::Type(i, n) => {
                let term = self.config.vocabularies.topic_types.get(i);
                let base = Route::Type(&term.slug).path();
                let mut page = self.list(
                    &base,
                    n,
                    (&self.graph.by_type[i], &self.type_money[i]),
                    &term.name,
                    self.s("type_list_intro"),
                    (self.s("types"), &Route::TypesIndex.path()),
                );
                page.feed = Some(Feed {
                    title: format!("{} · {}", self.config.title, term.name),
                    url: self.urls.link(&Route::Type(&term.slug).feed()),
                });
                PageContext::List(page)
            }
            PageJob::Year(y, n) => {
                let base = Route::Year(y).path();
                let title = self.s("year_title").replace("{year}", &y.to_string());
                PageContext::List(self.list(
                    &base,
                    n,
                    (&self.graph.by_year[&y], &self.year_money[&y]),
                    &title,
                    self.s("year_list_intro"),
                    (self.s("years"), &Route::YearsIndex.path()),
                ))
            }
            PageJob::Form(i, n) => {
                let term = self.config.vocabularies.session_forms.get(i);
                let base = Route::Form(&term.slug).path();
                PageContext::List(self.list(
                    &base,
                    n,
                    (&self.graph.by_form[i], &self.form_money[i]),
                    &term.name,
                    self.s("form_list_intro"),
                    (self.s("forms"), &Route::FormsIndex.path()),
                ))
            }
            PageJob::TypesIndex => PageContext::Overview(self.types_index()),
            PageJob::YearsIndex => PageContext::Overview(self.years_index()),
            PageJob::FormsIndex => PageContext::Overview(self.forms_index()),
            PageJob::NotFound => PageContext::NotFound(NotFoundPage {
                title: self.s("not_found").to_string(),
            }),
            PageJob::Search => PageContext::Search(self.search_page()),
            PageJob::DataIndex => PageContext::Data(self.data_page()),
            PageJob::Artifact(a) => {
                return Err(RenderFailure::Io(
                    a.path(&self.plan.lists),
                    std::io::Error::other("not a page"),
                ))
            }
        };
        let frame = PageFrame {
            description: page
                .description()
                .map(str::to_string)
                .or_else(|| self.config.description.clone()),
            og_type: if matches!(job, PageJob::Record(_) | PageJob::Print(_)) {
                "article"
            } else {
                "website"
            },
            page_url: self.urls.link(&path),
            canonical_url: self.urls.absolute(&path),
        };
        let Value::Object(mut top) =
            serde_json::to_value(frame).map_err(|e| RenderFailure::Template(ctx_err(e)))?
        else {
            unreachable!("a struct serializes to an object")
        };
        let page = serde_json::to_value(page).map_err(|e| RenderFailure::Template(ctx_err(e)))?;
        top.insert("page".into(), page);
        let keys: Vec<String> = top.keys().cloned().collect();
        let page = tera::Context::from_value(Value::Object(top))
            .map_err(|e| RenderFailure::Template(ctx_err(e)))?;
        let html = self.with_context(page, &keys, |ctx| self.tera.render(template, ctx));
        let html = html.map_err(|e| {
            RenderFailure::Template(TemplateError(templates::template_diagnostic(
                &self.theme,
                &e,
            )))
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
