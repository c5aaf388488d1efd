//! Repeated builds of one site into memory, for the preview server.
//!
//! A [`Workspace`] runs the same stages as `yishi build` (see
//! `build::check_with` and `render::Renderer`) and keeps what it can between
//! runs: unchanged record files are neither read nor checked again. What a
//! rebuild makes is a [`LiveSite`]: the checked and linked site with its
//! renderer, which renders a page when it is first asked for. So a rebuild
//! costs the check and the link, whatever the size of the site, and memory
//! holds the pages asked for since the last save, not the whole site. One
//! page of each template is rendered at once, so that a template error is
//! shown as a problem of the rebuild. The files that are not pages (feeds,
//! calendars, sitemap, open data, the search index) are made by a
//! background thread after the site is served, again only those whose
//! fingerprint changed; until then the previous ones are served.
//!
//! Any page asked for equals the same page of a full build byte for byte
//! (tested in `tests/it/incremental.rs` and `tests/it/serve.rs`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;

mod attachments;
mod live;

pub use live::LiveSite;
use live::{render_error, Artifacts, Cell, Checked};

use crate::build::{check_with, BuildError, CheckCache, SiteOptions};
use crate::diagnostic::Diagnostic;
use crate::hash::hash_of;
use crate::model::Record;
use crate::plan::PageJob;
use crate::render::{RenderFailure, Renderer};
use crate::url::Urls;

/// One file of the built site, as the server sends it.
#[derive(Debug, Clone)]
pub enum SiteFile {
    /// A rendered page or a theme file, with its entity tag and, for a
    /// file that is not a page, the fingerprint it was made from.
    Memory {
        bytes: Arc<Vec<u8>>,
        etag: u64,
        fingerprint: Option<u64>,
    },
    /// An attachment (a file under a record's `files/`), read when the
    /// site was built: the server never opens a path at request time.
    Attachment { bytes: Arc<Vec<u8>>, etag: u64 },
}

impl SiteFile {
    fn memory(bytes: Vec<u8>, fingerprint: Option<u64>) -> SiteFile {
        SiteFile::Memory {
            etag: hash_of(bytes.as_slice()),
            bytes: Arc::new(bytes),
            fingerprint,
        }
    }
}

/// A built site as a map: output path (`a/b/index.html`) → file.
pub type SiteFiles = HashMap<String, SiteFile>;

/// What one rebuild did.
#[derive(Debug)]
pub struct Rebuilt {
    /// Pages of the site (each rendered when first asked for).
    pub pages: usize,
    /// Pages rendered by the rebuild itself: one per template.
    pub rendered: usize,
    pub records: usize,
    /// Records replaced in the last site without a full check (see
    /// `Workspace::patch`); 0 when the rebuild checked the whole site.
    pub replaced: usize,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
    /// Time per stage: load, validate, link, prepare, smoke for a full
    /// rebuild; check, link, prepare, render for records replaced.
    pub timings: Vec<(&'static str, Duration)>,
}

/// The files a reply can come from: a whole site in memory, or the
/// preview's site, whose pages are rendered when first asked for.
pub trait Files {
    /// The file at `key` (`a/b/index.html`).
    fn file(&self, key: &str) -> Option<SiteFile>;
    /// Whether there is a file at `key`, without making it.
    fn has(&self, key: &str) -> bool;
}

impl Files for SiteFiles {
    fn file(&self, key: &str) -> Option<SiteFile> {
        self.get(key).cloned()
    }

    fn has(&self, key: &str) -> bool {
        self.contains_key(key)
    }
}

/// The checked site `owner` with its renderer (cards unchanged since
/// `cards` are reused).
fn renderer(
    owner: Checked,
    theme: crate::theme::Theme,
    urls: Urls,
    context: u64,
    lean: bool,
    cards: &crate::render::CardCache,
) -> Result<Cell, BuildError> {
    Cell::try_new(owner, |c| {
        Renderer::new(theme, &c.graph, &c.config, urls, context, lean, Some(cards))
    })
    .map_err(|e| BuildError::Content(vec![e.0]))
}

/// The threads that make the files that are not pages: one, at a lower
/// priority than the rebuilds and the pages they serve, so that a save
/// made while the search index is being made is not kept waiting by it.
fn background() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "yishi-artifacts".into())
            .start_handler(|_| lower_priority())
            .build()
            .expect("a thread for the background work")
    })
}

/// Lower the calling thread's priority (on Linux `nice` is per thread).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its integer arguments; 0 names the
    // calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

/// What a rebuild that replaces records (see [`Workspace::patch`]) takes
/// from the last full one.
struct Basis {
    theme: crate::theme::Theme,
    urls: Urls,
    context: u64,
    lean: bool,
    bodies: crate::model::Bodies,
    file_warnings: Vec<Diagnostic>,
}

/// A site built again and again in memory.
pub struct Workspace {
    pub opts: SiteOptions,
    cache: CheckCache,
    site: Option<Arc<LiveSite>>,
    basis: Option<Basis>,
    /// Rebuilds so far: the background work of a site that is no longer
    /// the newest is skipped.
    generation: Arc<AtomicU64>,
    /// Attachments read by earlier builds: source → (size, modified, file).
    attachments: HashMap<PathBuf, (u64, SystemTime, SiteFile)>,
}

impl Workspace {
    pub fn new(opts: SiteOptions) -> Workspace {
        Workspace {
            opts,
            cache: CheckCache::retaining(),
            site: None,
            basis: None,
            generation: Arc::new(AtomicU64::new(0)),
            attachments: HashMap::new(),
        }
    }

    /// The last good site (`None` before the first successful build).
    pub fn site(&self) -> Option<Arc<LiveSite>> {
        self.site.clone()
    }

    /// Every file of the last good site, every page rendered (empty before
    /// the first successful build). For tests: the preview renders a page
    /// only when it is asked for.
    pub fn files(&self) -> Arc<SiteFiles> {
        Arc::new(
            self.site
                .as_ref()
                .map(|s| s.everything())
                .unwrap_or_default(),
        )
    }

    /// Build again. On error the last good site stays as it was.
    pub fn rebuild(&mut self) -> Result<Rebuilt, BuildError> {
        self.rebuild_after(None)
    }

    /// Build again after `changed` paths changed (from file-system events;
    /// `None` when unknown): edits of known record files skip the walk.
    /// The files that are not pages follow in the background
    /// ([`LiveSite::wait_for_artifacts`]).
    pub fn rebuild_after(&mut self, changed: Option<&[PathBuf]>) -> Result<Rebuilt, BuildError> {
        let started = Instant::now();
        if let Some(patched) = changed.and_then(|c| self.patch(c, started)) {
            return patched;
        }
        self.basis = None;
        let checked = check_with(&self.opts, &mut self.cache, changed)?;
        let mut timings = checked.timings.clone();
        let mut lap = Instant::now();
        let mut mark = |name: &'static str, timings: &mut Vec<(&'static str, Duration)>| {
            timings.push((name, lap.elapsed()));
            lap = Instant::now();
        };
        let mut fixed = SiteFiles::new();
        for (rel, file) in &checked.theme.static_files {
            let bytes = file
                .read()
                .map_err(|e| BuildError::io("无法读取主题文件", rel, e))?;
            fixed.insert(rel.clone(), SiteFile::memory(bytes, None));
        }
        let attachments = self.read_attachments(&checked.graph.site.attachments)?;
        for (a, (_, _, file)) in checked.graph.site.attachments.iter().zip(&attachments) {
            fixed.insert(a.rel.clone(), file.clone());
        }
        let sources: Vec<PathBuf> = checked
            .graph
            .site
            .attachments
            .iter()
            .map(|a| a.source.clone())
            .collect();
        let records = checked.graph.site.records.len();
        let urls = Urls::new(&checked.config.base_url, &checked.config.base_path());
        let cards = self
            .site
            .as_ref()
            .map(|s| s.card_cache())
            .unwrap_or_default();
        let (theme, context, lean, warnings) = (
            checked.theme,
            checked.context,
            checked.lean,
            checked.warnings,
        );
        let basis = Basis {
            theme: theme.clone(),
            urls: urls.clone(),
            context,
            lean,
            bodies: checked.bodies,
            file_warnings: checked.file_warnings,
        };
        let owner = Checked {
            graph: checked.graph,
            config: checked.config,
        };
        let cell = renderer(owner, theme, urls, context, lean, &cards)?;
        mark("prepare", &mut timings);
        // One page of each template, so that a template that fails on real
        // values is a problem of this rebuild, shown while the last good
        // site stays served.
        let (pages, samples) = cell.with_dependent(|_, r| {
            let jobs = r.plan().jobs();
            let mut seen = Vec::new();
            let samples: Vec<PageJob> = jobs
                .iter()
                .filter(|j| !matches!(j, PageJob::Artifact(_)))
                .filter(|j| {
                    let t = r.plan().template(**j);
                    let new = !seen.contains(&t);
                    if new {
                        seen.push(t);
                    }
                    new
                })
                .copied()
                .collect();
            (jobs.len(), samples)
        });
        let site = self.live(cell, fixed, None, pages);
        let rendered: Vec<(String, SiteFile)> = site.with(|_, r| {
            samples
                .par_iter()
                .map(|&job| {
                    let (path, html) = r.render(job)?;
                    Ok((
                        crate::route::file_of(&path),
                        SiteFile::memory(html.into_bytes(), None),
                    ))
                })
                .collect::<Result<_, RenderFailure>>()
                .map_err(render_error)
        })?;
        if let Ok(mut p) = site.pages.lock() {
            p.extend(rendered);
        }
        mark("smoke", &mut timings);
        self.publish(site);
        self.basis = Some(basis);
        self.attachments = sources.into_iter().zip(attachments).collect();
        Ok(Rebuilt {
            timings,
            pages,
            rendered: samples.len(),
            records,
            replaced: 0,
            warnings,
            elapsed: started.elapsed(),
        })
    }

    /// A new site of `cell`, serving the previous site's files that are
    /// not pages until its own are made; `routes` when they are known to
    /// be the previous site's.
    fn live(
        &self,
        cell: Cell,
        fixed: SiteFiles,
        routes: Option<Arc<HashMap<String, PageJob>>>,
        pages_count: usize,
    ) -> LiveSite {
        let previous = self
            .site
            .as_ref()
            .map(|s| s.artifacts())
            .unwrap_or_default();
        let kept = OnceLock::new();
        if let Some(routes) = routes {
            let _ = kept.set(routes);
        }
        LiveSite {
            cell,
            fixed,
            routes: kept,
            pages: Mutex::new(SiteFiles::new()),
            artifacts: RwLock::new(Arc::new(Artifacts {
                files: previous.files.clone(),
                groups: previous.groups.clone(),
                current: false,
            })),
            made: (Mutex::new(false), Condvar::new()),
            pages_count,
        }
    }

    /// Serve `site` from now on, and make its files that are not pages in
    /// the background.
    fn publish(&mut self, site: LiveSite) {
        let previous = site.artifacts();
        let site = Arc::new(site);
        let old = self.site.replace(site.clone());
        // The files that are not pages, after the site is served; freeing
        // the previous site takes a while too: neither keeps the caller (a
        // waiting browser tab) waiting.
        self.generation.fetch_add(1, Ordering::SeqCst);
        let mine = self.generation.load(Ordering::SeqCst);
        let generation = self.generation.clone();
        // Waiting for the background thread, only a weak reference: a site
        // replaced meanwhile is freed, not kept for work nobody needs.
        let weak = Arc::downgrade(&site);
        drop(site);
        std::thread::spawn(move || {
            drop(old);
            // Page routes first: the next request needs them.
            if let Some(site) = weak.upgrade() {
                site.routes();
            }
            background().install(|| {
                let Some(site) = weak.upgrade() else {
                    return;
                };
                // A newer rebuild makes its own: this site's are not needed.
                if generation.load(Ordering::SeqCst) != mine {
                    site.mark_made();
                    return;
                }
                // A file that changed meanwhile (the next rebuild is on
                // its way) is no news; anything else is.
                match site.make_artifacts(&previous) {
                    Err(BuildError::Io { .. }) | Ok(()) => {}
                    Err(e) => eprintln!("无法生成搜索索引、开放数据等文件：{e}"),
                }
            });
        });
    }

    /// The quick rebuild after edits that change only what records say
    /// (title, summary, body, tags, `x_` keys) of records without problems,
    /// before and after: each changed file is read and checked alone, and
    /// the new site is the last one with those records replaced, every
    /// index and link kept (`Record::links_like`). Only the link warnings
    /// are made again, and the edited records' pages rendered at once.
    /// `None` when the edits are of another kind: then the full rebuild
    /// runs (and finds and reports any problem).
    fn patch(
        &mut self,
        changed: &[PathBuf],
        started: Instant,
    ) -> Option<Result<Rebuilt, BuildError>> {
        let site = self.site.clone()?;
        let basis = self.basis.as_ref()?;
        let mut edited = Vec::new();
        for path in changed {
            let name = path.file_name()?.to_string_lossy();
            if crate::load::is_ignored(&name) {
                continue;
            }
            if !path.is_file() {
                return None;
            }
            edited.push(self.cache.record(path)?);
        }
        if edited.is_empty() {
            return None;
        }
        let root = &self.opts.root;
        let bodies = basis.bodies;
        let (graph, config, fresh) = site.with(|c, _| {
            // Each file checked alone first: the graph is copied only when
            // every edit qualifies.
            let mut fresh = Vec::new();
            for old in &edited {
                let file = crate::load::RecordFile {
                    kind: old.kind,
                    place: old.place,
                    path: old.path.clone(),
                    stamp: crate::load::Stamp::of(&old.path),
                };
                let (_, new) = crate::validate::check_file(
                    root,
                    file,
                    &c.graph.site.places,
                    &c.config,
                    bodies,
                );
                let (Ok(before), Ok(_)) = (&old.record, &new.record) else {
                    return None;
                };
                let after = new.record.as_ref().ok()?;
                if !old.diags.is_empty() || !new.diags.is_empty() || !before.links_like(after) {
                    return None;
                }
                let i = c
                    .graph
                    .site
                    .records
                    .binary_search_by(|r| r.id.cmp(&after.id))
                    .ok()?;
                fresh.push((i, new));
            }
            let mut graph = c.graph.clone();
            for (i, new) in &fresh {
                let after = new.record.as_ref().ok()?;
                // The linked record (its references resolved), saying anew.
                let mut r = Record::clone(&graph.site.records[*i]);
                r.title = after.title.clone();
                r.summary = after.summary.clone();
                r.plain_summary = after.plain_summary.clone();
                r.body = after.body.clone();
                r.source_hash = after.source_hash;
                r.tags = after.tags.clone();
                r.extra = after.extra.clone();
                graph.site.records[*i] = Arc::new(r);
            }
            Some((graph, c.config.clone(), fresh))
        })?;
        let mut timings = vec![("check", started.elapsed())];
        let mut lap = Instant::now();
        let warnings = crate::build::with_link_warnings(&basis.file_warnings, &graph);
        timings.push(("link", lap.elapsed()));
        lap = Instant::now();
        let records = graph.site.records.len();
        let cards = site.card_cache();
        let theme = basis.theme.clone();
        let urls = basis.urls.clone();
        let (context, lean) = (basis.context, basis.lean);
        let cell = match renderer(
            Checked { graph, config },
            theme,
            urls,
            context,
            lean,
            &cards,
        ) {
            Ok(cell) => cell,
            Err(e) => return Some(Err(e)),
        };
        timings.push(("prepare", lap.elapsed()));
        lap = Instant::now();
        let live = self.live(
            cell,
            site.fixed.clone(),
            site.routes.get().cloned(),
            site.pages_count,
        );
        // The edited records' pages now: a template that fails on the new
        // text is a problem of this rebuild.
        let rendered = live.with(|_, r| {
            fresh
                .iter()
                .flat_map(|(i, _)| [PageJob::Record(*i), PageJob::Print(*i)])
                .map(|job| {
                    let (path, html) = r.render(job)?;
                    Ok((
                        crate::route::file_of(&path),
                        SiteFile::memory(html.into_bytes(), None),
                    ))
                })
                .collect::<Result<Vec<_>, RenderFailure>>()
                .map_err(render_error)
        });
        let rendered = match rendered {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        let count = rendered.len();
        if let Ok(mut p) = live.pages.lock() {
            p.extend(rendered);
        }
        let pages = site.pages_count;
        timings.push(("render", lap.elapsed()));
        for (_, checked) in fresh {
            self.cache.replace(checked);
        }
        self.publish(live);
        Some(Ok(Rebuilt {
            timings,
            pages,
            rendered: count,
            records,
            replaced: count / 2,
            warnings,
            elapsed: started.elapsed(),
        }))
    }
}
