//! A built site as the preview serves it: pages rendered when asked for,
//! the files that are not pages made after them.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::{Arc, Condvar, Mutex, OnceLock, RwLock};
use std::time::Duration;

use rayon::prelude::*;

use super::{Files, SiteFile, SiteFiles};
use crate::build::BuildError;
use crate::config::SiteConfig;
use crate::hash::hash_of;
use crate::link::Graph;
use crate::output::{PageSink, StreamFill};
use crate::plan::{PageJob, Plan, Planned, Previous};
use crate::render::{CardCache, RenderFailure, Renderer};

/// What a rebuild keeps of the check: the renderer borrows it.
pub(super) struct Checked {
    pub(super) graph: Graph,
    pub(super) config: SiteConfig,
}

self_cell::self_cell!(
    pub(super) struct Cell {
        owner: Checked,
        #[not_covariant]
        dependent: Renderer,
    }
);

/// A file that is not a page, as the preview keeps it: compressed (LZ4)
/// when large, as the search index and the open data of a large site
/// would otherwise take more memory than everything else.
#[derive(Debug, Clone)]
pub(super) struct Kept {
    bytes: Arc<Vec<u8>>,
    packed: bool,
    etag: u64,
    fingerprint: Option<u64>,
}

/// Files above this size are kept compressed.
const PACK_ABOVE: usize = 4096;

impl Kept {
    fn new(bytes: Vec<u8>) -> std::io::Result<Kept> {
        if bytes.len() <= PACK_ABOVE {
            return Ok(Kept {
                etag: hash_of(bytes.as_slice()),
                bytes: Arc::new(bytes),
                packed: false,
                fingerprint: None,
            });
        }
        let mut packer = Packer::new();
        packer.write_all(&bytes)?;
        packer.finish()
    }

    fn file(&self) -> SiteFile {
        let bytes = if self.packed {
            // Only ever packed by `Packer`: it always unpacks.
            let mut raw = Vec::new();
            let _ = lz4_flex::frame::FrameDecoder::new(self.bytes.as_slice()).read_to_end(&mut raw);
            Arc::new(raw)
        } else {
            self.bytes.clone()
        };
        SiteFile::Memory {
            bytes,
            etag: self.etag,
            fingerprint: self.fingerprint,
        }
    }
}

/// A file compressed as it is written (an LZ4 frame), with its hash.
struct Packer {
    frame: lz4_flex::frame::FrameEncoder<Vec<u8>>,
    hash: siphasher::sip::SipHasher13,
}

impl Packer {
    fn new() -> Packer {
        Packer {
            frame: lz4_flex::frame::FrameEncoder::new(Vec::new()),
            hash: crate::hash::hasher(),
        }
    }

    fn finish(self) -> std::io::Result<Kept> {
        use std::hash::Hasher;
        Ok(Kept {
            etag: self.hash.finish(),
            bytes: Arc::new(self.frame.finish().map_err(std::io::Error::other)?),
            packed: true,
            fingerprint: None,
        })
    }
}

impl Write for Packer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use std::hash::Hasher;
        self.hash.write(buf);
        self.frame.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.frame.flush()
    }
}

/// Where the background work puts what it makes: each file kept as it
/// comes (compressed when large), so that the search index and the open
/// data are never all in memory uncompressed.
#[derive(Default)]
struct KeptSink {
    files: Mutex<Vec<(String, Kept)>>,
}

impl PageSink for KeptSink {
    fn put(&self, rel: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        let kept = Kept::new(bytes)?;
        self.keep(rel, kept)
    }

    fn put_stream(&self, rel: &str, fill: &mut StreamFill) -> std::io::Result<()> {
        let mut packer = Packer::new();
        fill(&mut packer)?;
        self.keep(rel, packer.finish()?)
    }
}

impl KeptSink {
    fn keep(&self, rel: &str, kept: Kept) -> std::io::Result<()> {
        self.files
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .push((rel.to_string(), kept));
        Ok(())
    }
}

/// The files that are not pages, with what made them.
#[derive(Default)]
pub(super) struct Artifacts {
    pub(super) files: HashMap<String, Kept>,
    /// Jobs that write several files: main file → all their files.
    pub(super) groups: HashMap<String, Vec<String>>,
    /// Whether they are this site's (else the previous site's, shown
    /// meanwhile).
    pub(super) current: bool,
}

/// Rendered pages kept per site; beyond that (a crawler walking the
/// preview) they are dropped and rendered again when asked for.
const KEPT_PAGES: usize = 4096;

/// One successful build, as the preview serves it.
pub struct LiveSite {
    pub(super) cell: Cell,
    /// Theme files and attachments.
    pub(super) fixed: SiteFiles,
    /// Output file → job, for every page.
    pub(super) routes: OnceLock<Arc<HashMap<String, PageJob>>>,
    /// Pages rendered so far.
    pub(super) pages: Mutex<SiteFiles>,
    pub(super) artifacts: RwLock<Arc<Artifacts>>,
    /// Pages and other jobs of the site.
    pub(super) pages_count: usize,
    /// Signalled when this site's artifacts are made (or given up).
    pub(super) made: (Mutex<bool>, Condvar),
}

impl LiveSite {
    pub(super) fn with<T>(&self, f: impl for<'a> FnOnce(&'a Checked, &Renderer<'a>) -> T) -> T {
        self.cell
            .with_dependent(|checked, renderer| f(checked, renderer))
    }

    pub(super) fn routes(&self) -> &HashMap<String, PageJob> {
        self.routes.get_or_init(|| {
            self.with(|_, r| {
                let plan = r.plan();
                Arc::new(
                    plan.jobs()
                        .into_par_iter()
                        .filter(|job| !matches!(job, PageJob::Artifact(_)))
                        .map(|job| (crate::route::file_of(&plan.path(job)), job))
                        .collect(),
                )
            })
        })
    }

    /// The file at `key`, rendering a page when it is first asked for.
    pub fn get(&self, key: &str) -> Option<SiteFile> {
        if let Some(f) = self.fixed.get(key) {
            return Some(f.clone());
        }
        if let Some(f) = self.pages.lock().ok().and_then(|p| p.get(key).cloned()) {
            return Some(f);
        }
        if let Some(&job) = self.routes().get(key) {
            let file = self.page(key, job);
            if let Ok(mut pages) = self.pages.lock() {
                if pages.len() >= KEPT_PAGES {
                    pages.clear();
                }
                pages.insert(key.to_string(), file.clone());
            }
            return Some(file);
        }
        let artifacts = self.artifacts();
        if let Some(f) = artifacts.files.get(key) {
            return Some(f.file());
        }
        // Before its first artifacts, a site has none to show: wait for
        // them rather than answer that the search index does not exist.
        if !artifacts.current && artifacts.files.is_empty() {
            self.wait_for_artifacts(Duration::from_secs(60));
            return self.artifacts().files.get(key).map(Kept::file);
        }
        None
    }

    /// Where the preview keeps the file at `key` that is not a page: the
    /// same address in two sites means the file was not made again.
    pub fn kept_at(&self, key: &str) -> Option<usize> {
        self.artifacts()
            .files
            .get(key)
            .map(|k| Arc::as_ptr(&k.bytes) as usize)
    }

    /// The page of `job` at `key`, rendered now; a page that fails (a
    /// body left on disk whose file has changed since the check, a
    /// template that fails on this page's values) is an error page.
    fn page(&self, key: &str, job: PageJob) -> SiteFile {
        match self.with(|_, r| r.render(job)) {
            Ok((_, html)) => SiteFile::memory(html.into_bytes(), None),
            Err(e) => {
                // A record file changed since the check is being rebuilt
                // already: only a template error is worth a message.
                let template = matches!(e, RenderFailure::Template(_));
                let message = failure_text(e);
                if template {
                    eprintln!("无法生成 {key}：{message}");
                }
                SiteFile::memory(error_page(key, &message).into_bytes(), None)
            }
        }
    }

    /// Whether there is a file at `key` (without rendering it).
    pub fn has(&self, key: &str) -> bool {
        self.fixed.contains_key(key)
            || self.routes().contains_key(key)
            || self.artifacts().files.contains_key(key)
    }

    pub(super) fn artifacts(&self) -> Arc<Artifacts> {
        self.artifacts.read().map(|a| a.clone()).unwrap_or_default()
    }

    /// Whether the files that are not pages are this site's already.
    pub fn artifacts_made(&self) -> bool {
        self.artifacts().current
    }

    /// Wait until this site's files that are not pages are made (or
    /// `limit` passed); returns whether they are.
    pub fn wait_for_artifacts(&self, limit: Duration) -> bool {
        let (lock, cond) = &self.made;
        let Ok(done) = lock.lock() else {
            return false;
        };
        let _ = cond.wait_timeout_while(done, limit, |done| !*done);
        self.artifacts_made()
    }

    /// Every file of the site, every page rendered as [`LiveSite::get`]
    /// renders it (for tests and tools: waits for the artifacts).
    pub fn everything(&self) -> SiteFiles {
        self.wait_for_artifacts(Duration::from_secs(600));
        let mut files = self.fixed.clone();
        files.par_extend(
            self.routes()
                .par_iter()
                .map(|(key, &job)| (key.clone(), self.page(key, job))),
        );
        files.extend(
            self.artifacts()
                .files
                .iter()
                .map(|(k, v)| (k.clone(), v.file())),
        );
        files
    }

    /// Make the files that are not pages, again only those whose
    /// fingerprint changed since `previous`; then serve them.
    pub(super) fn make_artifacts(&self, previous: &Artifacts) -> Result<(), BuildError> {
        let made = self.with(|_, r| {
            let plan = r.plan();
            let planned: Vec<Planned> = plan
                .lists
                .artifacts()
                .into_par_iter()
                .map(|a| {
                    let job = PageJob::Artifact(a);
                    Planned {
                        job,
                        file: crate::route::file_of(&plan.path(job)),
                        fingerprint: plan.fingerprint(job),
                    }
                })
                .collect();
            let before = InMemory {
                files: &previous.files,
                groups: &previous.groups,
            };
            let dirty: Vec<PageJob> = planned
                .iter()
                .zip(Plan::unchanged(&planned, &before))
                .filter(|(_, unchanged)| !unchanged)
                .map(|(p, _)| p.job)
                .collect();
            let sink = KeptSink::default();
            let fresh_groups = r.render_all(&dirty, &sink, &|| {})?;
            let mut fresh: HashMap<String, Kept> = sink
                .files
                .into_inner()
                .unwrap_or_default()
                .into_iter()
                .collect();
            let mut groups: HashMap<String, Vec<String>> = fresh_groups
                .into_iter()
                .map(|(job, files)| (crate::route::file_of(&plan.path(job)), files))
                .collect();
            let mut files = HashMap::new();
            for p in &planned {
                let members = if p.job.is_group() {
                    let members = groups
                        .get(&p.file)
                        .or_else(|| previous.groups.get(&p.file))
                        .cloned()
                        .unwrap_or_default();
                    groups.insert(p.file.clone(), members.clone());
                    members
                } else {
                    vec![p.file.clone()]
                };
                for file in members {
                    let made = match fresh.remove(&file) {
                        Some(kept) => Kept {
                            fingerprint: p.fingerprint,
                            ..kept
                        },
                        None => match previous.files.get(&file) {
                            Some(f) => f.clone(),
                            None => continue,
                        },
                    };
                    files.insert(file, made);
                }
            }
            Ok::<_, RenderFailure>(Artifacts {
                files,
                groups,
                current: true,
            })
        });
        let result = match made {
            Ok(artifacts) => {
                if let Ok(mut a) = self.artifacts.write() {
                    *a = Arc::new(artifacts);
                }
                Ok(())
            }
            Err(e) => Err(render_error(e)),
        };
        self.mark_made();
        result
    }

    pub(super) fn mark_made(&self) {
        let (lock, cond) = &self.made;
        if let Ok(mut done) = lock.lock() {
            *done = true;
        }
        cond.notify_all();
    }

    pub(super) fn card_cache(&self) -> CardCache {
        self.with(|_, r| r.card_cache())
    }
}

impl Files for LiveSite {
    fn file(&self, key: &str) -> Option<SiteFile> {
        self.get(key)
    }

    fn has(&self, key: &str) -> bool {
        LiveSite::has(self, key)
    }
}

fn failure_text(e: RenderFailure) -> String {
    match e {
        RenderFailure::Template(t) => {
            let d = t.0;
            match &d.hint {
                Some(h) => format!("{}：{}（{h}）", d.file, d.message),
                None => format!("{}：{}", d.file, d.message),
            }
        }
        RenderFailure::Io(path, e) => format!("{path}：{e}"),
    }
}

pub(super) fn render_error(e: RenderFailure) -> BuildError {
    match e {
        RenderFailure::Template(t) => BuildError::Content(vec![t.0]),
        RenderFailure::Io(path, e) => BuildError::io("无法生成", path, e),
    }
}

/// The page shown instead of one that failed to render.
fn error_page(key: &str, message: &str) -> String {
    let esc = crate::render::escape_html;
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>无法生成页面</title></head><body><h1>无法生成页面</h1><p>{}</p><p>{}</p></body></html>",
        esc(key),
        esc(message)
    )
}

/// The previous site's files that are not pages: a file is held when it
/// was made from the fingerprint planned now.
pub(super) struct InMemory<'a> {
    files: &'a HashMap<String, Kept>,
    groups: &'a HashMap<String, Vec<String>>,
}

impl Previous for InMemory<'_> {
    fn files_of(&self, planned: &Planned) -> Option<Vec<String>> {
        // A group's main file carries the fingerprint of the whole group.
        (!planned.job.is_group() || self.groups.contains_key(&planned.file))
            .then(|| vec![planned.file.clone()])
    }

    fn holds(&self, file: &str, fingerprint: u64) -> bool {
        self.files
            .get(file)
            .is_some_and(|k| k.fingerprint == Some(fingerprint))
    }
}
