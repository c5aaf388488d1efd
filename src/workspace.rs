//! Repeated builds of one site into memory, for the preview server.
//!
//! A [`Workspace`] runs the same pipeline as `yishi build` (see
//! `build::check_with` and `render::Renderer`), but keeps what it can
//! between runs: unchanged record files are neither read nor checked again,
//! and only pages whose fingerprint changed are rendered again. The result
//! must equal a full build byte for byte (tested in `tests/it/incremental.rs` and `tests/it/serve.rs`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;

use crate::build::{check_with, BuildError, CheckCache, SiteOptions};
use crate::diagnostic::Diagnostic;
use crate::hash::hash_of;
use crate::output::MemorySink;
use crate::plan::{PageJob, Plan, Planned, Previous};
use crate::render::{CardCache, RenderFailure, Renderer};
use crate::url::Urls;

/// One file of the built site, as the server sends it.
#[derive(Debug, Clone)]
pub enum SiteFile {
    /// A rendered page or a theme file, with its entity tag and, for a
    /// page, the fingerprint it was rendered from.
    Memory {
        bytes: Arc<Vec<u8>>,
        etag: u64,
        fingerprint: Option<u64>,
    },
    /// An attachment (a file under a record's `files/`), read when the
    /// site was built: the server never opens a path at request time.
    Attachment { bytes: Arc<Vec<u8>>, etag: u64 },
}

/// The built site: output path (`a/b/index.html`) → file.
pub type SiteFiles = HashMap<String, SiteFile>;

/// What one rebuild did.
#[derive(Debug)]
pub struct Rebuilt {
    pub pages: usize,
    pub rendered: usize,
    pub removed: usize,
    pub records: usize,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
    /// Time per stage (load, validate, link, prepare, plan, render, assemble).
    pub timings: Vec<(&'static str, Duration)>,
}

/// A site built again and again in memory.
pub struct Workspace {
    pub opts: SiteOptions,
    cache: CheckCache,
    files: Arc<SiteFiles>,
    /// Record cards of the last good build.
    cards: CardCache,
    /// Jobs that write several files: main file → all their files.
    groups: HashMap<String, Vec<String>>,
    /// Attachments read by earlier builds: source → (size, modified, file).
    attachments: HashMap<PathBuf, (u64, SystemTime, SiteFile)>,
}

impl Workspace {
    pub fn new(opts: SiteOptions) -> Workspace {
        Workspace {
            opts,
            cache: CheckCache::retaining(),
            files: Arc::new(SiteFiles::new()),
            cards: CardCache::new(),
            groups: HashMap::new(),
            attachments: HashMap::new(),
        }
    }

    /// The last good site (empty before the first successful build).
    pub fn files(&self) -> Arc<SiteFiles> {
        self.files.clone()
    }

    /// Build again. On error the last good site stays as it was.
    pub fn rebuild(&mut self) -> Result<Rebuilt, BuildError> {
        self.rebuild_after(None)
    }

    /// Build again after `changed` paths changed (from file-system events;
    /// `None` when unknown): edits of known record files skip the walk.
    pub fn rebuild_after(&mut self, changed: Option<&[PathBuf]>) -> Result<Rebuilt, BuildError> {
        self.rebuild_with(changed, &mut |_, _| {})
    }

    /// [`Workspace::rebuild_after`], calling `early` with the site as soon
    /// as its pages are rendered, when the search index or data files still
    /// have to be (the preview reloads open pages then). `early` gets that
    /// site and the number of jobs rendered so far.
    pub fn rebuild_with(
        &mut self,
        changed: Option<&[PathBuf]>,
        early: &mut dyn FnMut(Arc<SiteFiles>, usize),
    ) -> Result<Rebuilt, BuildError> {
        let started = Instant::now();
        let checked = check_with(&self.opts, &mut self.cache, changed)?;
        let mut timings = checked.timings.clone();
        let mut lap = Instant::now();
        let mut mark = |name: &'static str, timings: &mut Vec<(&'static str, Duration)>| {
            timings.push((name, lap.elapsed()));
            lap = Instant::now();
        };
        let urls = Urls::new(&checked.config.base_url, &checked.config.base_path());
        let static_files = checked.theme.static_files.clone();
        let renderer = Renderer::new(
            checked.theme,
            &checked.graph,
            &checked.config,
            urls,
            checked.context,
            checked.lean,
            Some(&self.cards),
        )
        .map_err(|e| BuildError::Content(vec![e.0]))?;
        mark("prepare", &mut timings);
        let plan = renderer.plan().planned();
        let in_memory = InMemory {
            files: &self.files,
            groups: &self.groups,
        };
        let dirty: Vec<PageJob> = plan
            .iter()
            .zip(Plan::unchanged(&plan, &in_memory))
            .filter(|(_, unchanged)| !unchanged)
            .map(|(p, _)| p.job)
            .collect();
        mark("plan", &mut timings);
        // The search index and the data sets show every record: they are
        // rendered after the pages, which are published first (`early`).
        let heavy = |job: &PageJob| {
            matches!(
                job,
                PageJob::Artifact(crate::publish::Artifact::SearchIndex)
                    | PageJob::Artifact(crate::publish::Artifact::DataSet(_))
            )
        };
        let (later, first): (Vec<PageJob>, Vec<PageJob>) = dirty.iter().partition(|j| heavy(j));
        let mut theme_files = Vec::with_capacity(static_files.len());
        for (rel, file) in &static_files {
            let bytes = file
                .read()
                .map_err(|e| BuildError::io("无法读取主题文件", rel, e))?;
            theme_files.push((
                rel.clone(),
                SiteFile::Memory {
                    etag: hash_of(bytes.as_slice()),
                    bytes: Arc::new(bytes),
                    fingerprint: None,
                },
            ));
        }
        let attachments = self.read_attachments(&checked.graph.site.attachments)?;
        let mut fresh: HashMap<String, (Arc<Vec<u8>>, u64)> = HashMap::new();
        let mut groups: HashMap<String, Vec<String>> = HashMap::new();
        let render = |jobs: &[PageJob],
                      fresh: &mut HashMap<String, (Arc<Vec<u8>>, u64)>,
                      groups: &mut HashMap<String, Vec<String>>|
         -> Result<(), BuildError> {
            let sink = MemorySink::default();
            let fresh_groups = renderer
                .render_all(jobs, &sink, &|| {})
                .map_err(|f| match f {
                    RenderFailure::Template(t) => BuildError::Content(vec![t.0]),
                    RenderFailure::Io(path, e) => BuildError::io("无法生成", path, e),
                })?;
            for (file, b) in sink.pages.into_inner().unwrap_or_default() {
                let etag = hash_of(b.as_slice());
                fresh.insert(file, (Arc::new(b), etag));
            }
            for (job, files) in fresh_groups {
                groups.insert(crate::route::file_of(&renderer.plan().path(job)), files);
            }
            Ok(())
        };
        // The site from what is rendered so far and, for the rest, the
        // previous site.
        let assemble = |fresh: &HashMap<String, (Arc<Vec<u8>>, u64)>,
                        groups: &mut HashMap<String, Vec<String>>|
         -> SiteFiles {
            let mut files = SiteFiles::with_capacity(plan.len() + theme_files.len());
            for Planned {
                job,
                file: key,
                fingerprint: fp,
            } in &plan
            {
                let members = if job.is_group() {
                    let members = match groups.get(key) {
                        Some(m) => m.clone(),
                        None => self.groups.get(key).cloned().unwrap_or_default(),
                    };
                    groups.insert(key.clone(), members.clone());
                    members
                } else {
                    vec![key.clone()]
                };
                for file in members {
                    let page = match fresh.get(&file) {
                        Some((bytes, etag)) => SiteFile::Memory {
                            etag: *etag,
                            bytes: bytes.clone(),
                            fingerprint: *fp,
                        },
                        None => match self.files.get(&file) {
                            Some(page) => page.clone(),
                            None => continue,
                        },
                    };
                    files.insert(file, page);
                }
            }
            files.extend(theme_files.iter().cloned());
            for (a, (_, _, file)) in checked.graph.site.attachments.iter().zip(&attachments) {
                files.insert(a.rel.clone(), file.clone());
            }
            files
        };
        render(&first, &mut fresh, &mut groups)?;
        if !later.is_empty() {
            let mut so_far = groups.clone();
            early(Arc::new(assemble(&fresh, &mut so_far)), first.len());
            render(&later, &mut fresh, &mut groups)?;
        }
        let rendered = dirty.len();
        mark("render", &mut timings);
        let files = assemble(&fresh, &mut groups);
        let pages = plan.len();
        let removed = self
            .files
            .keys()
            .filter(|k| !files.contains_key(*k))
            .count();
        mark("assemble", &mut timings);
        let report = Rebuilt {
            timings,
            pages,
            rendered,
            removed,
            records: checked.graph.site.records.len(),
            warnings: checked.warnings,
            elapsed: started.elapsed(),
        };
        self.cards = renderer.card_cache();
        self.groups = groups;
        self.attachments = checked
            .graph
            .site
            .attachments
            .iter()
            .map(|a| a.source.clone())
            .zip(attachments)
            .collect();
        drop(renderer);
        let old = std::mem::replace(&mut self.files, Arc::new(files));
        // Freeing the previous site and graph takes a while; the caller
        // (a waiting browser tab) need not.
        std::thread::spawn(move || drop((old, checked.graph)));
        Ok(report)
    }
}

/// The previous site as the preview holds it: a file is held when it was
/// rendered from the fingerprint planned now.
struct InMemory<'a> {
    files: &'a SiteFiles,
    groups: &'a HashMap<String, Vec<String>>,
}

impl Previous for InMemory<'_> {
    fn files_of(&self, planned: &Planned) -> Option<Vec<String>> {
        // A group's main file carries the fingerprint of the whole group.
        (!planned.job.is_group() || self.groups.contains_key(&planned.file))
            .then(|| vec![planned.file.clone()])
    }

    fn holds(&self, file: &str, fingerprint: u64) -> bool {
        matches!(
            self.files.get(file),
            Some(SiteFile::Memory { fingerprint: Some(old), .. }) if *old == fingerprint
        )
    }
}

impl Workspace {
    /// The bytes of every attachment, in the order given: those unchanged
    /// since the last build (same size and modification time) are reused,
    /// the others read now. A file that is no longer a regular file (a link
    /// swapped in since the content folder was walked) is an error, and the
    /// last good site stays served.
    fn read_attachments(
        &self,
        list: &[crate::model::Attachment],
    ) -> Result<Vec<(u64, SystemTime, SiteFile)>, BuildError> {
        list.par_iter()
            .map(|a| {
                let fail = |e: std::io::Error| {
                    BuildError::io("无法读取附件", format!("content/{}", a.rel), e)
                };
                let meta = std::fs::symlink_metadata(&a.source).map_err(fail)?;
                if !meta.file_type().is_file() {
                    return Err(BuildError::Content(vec![Diagnostic::error(
                        format!("content/{}", a.rel),
                        None,
                        "附件不是普通文件（例如是符号链接），不会发布",
                    )
                    .with_hint("把链接换成文件本身")]));
                }
                let modified = meta.modified().map_err(fail)?;
                if let Some((len, at, file)) = self.attachments.get(&a.source) {
                    if *len == meta.len() && *at == modified {
                        return Ok((*len, *at, file.clone()));
                    }
                }
                let bytes = read_regular_file(&a.source, &meta).map_err(fail)?;
                let file = SiteFile::Attachment {
                    etag: hash_of(bytes.as_slice()),
                    bytes: Arc::new(bytes),
                };
                Ok((meta.len(), modified, file))
            })
            .collect()
    }
}

/// Read the file at `path`, which `meta` (not following links) found to be
/// a regular file, making sure that the file opened is that very file and
/// not one a link swapped in meanwhile points to.
fn read_regular_file(path: &std::path::Path, meta: &std::fs::Metadata) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let opened = file.metadata()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (opened.dev(), opened.ino()) != (meta.dev(), meta.ino()) {
            return Err(std::io::Error::other("文件在读取时被替换"));
        }
    }
    if !opened.is_file() || opened.len() != meta.len() {
        return Err(std::io::Error::other("文件在读取时被更改"));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}
