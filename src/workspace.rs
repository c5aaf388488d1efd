//! Repeated builds of one site into memory, for the preview server.
//!
//! A [`Workspace`] runs the same pipeline as `yishi build` (see
//! `build::check_with` and `render::Renderer`), but keeps what it can
//! between runs: unchanged record files are neither read nor checked again,
//! and only pages whose fingerprint changed are rendered again. The result
//! must equal a full build byte for byte (tested in `tests/serve.rs`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::build::{check_with, BuildError, BuildOptions, CheckCache};
use crate::diagnostic::Diagnostic;
use crate::output::MemorySink;
use crate::render::{hash_of, PageJob, RenderFailure, Renderer};
use crate::url::Urls;

/// One file of the built site, as the server sends it.
#[derive(Debug, Clone)]
pub enum SiteFile {
    /// A rendered page or a theme file, with its entity tag.
    Memory { bytes: Arc<Vec<u8>>, etag: u64 },
    /// An attachment, sent from the content folder.
    Disk(PathBuf),
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
    pub opts: BuildOptions,
    cache: CheckCache,
    /// Rendered pages of the last good build: path → (fingerprint, file).
    pages: HashMap<String, (Option<u64>, SiteFile)>,
    files: Arc<SiteFiles>,
}

impl Workspace {
    pub fn new(opts: BuildOptions) -> Workspace {
        Workspace {
            opts,
            cache: CheckCache::default(),
            pages: HashMap::new(),
            files: Arc::new(SiteFiles::new()),
        }
    }

    /// The last good site (empty before the first successful build).
    pub fn files(&self) -> Arc<SiteFiles> {
        self.files.clone()
    }

    /// Build again. On error the last good site stays as it was.
    pub fn rebuild(&mut self) -> Result<Rebuilt, BuildError> {
        let started = Instant::now();
        let checked = check_with(&self.opts, &mut self.cache)?;
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
        )
        .map_err(|e| BuildError::Content(vec![e.0]))?;
        mark("prepare", &mut timings);
        let jobs = renderer.jobs();
        let plan: Vec<(PageJob, String, Option<u64>)> = jobs
            .par_iter()
            .map(|&job| {
                let file = Urls::file_of(&renderer.job_path(job));
                (job, file, renderer.fingerprint(job))
            })
            .collect();
        let dirty: Vec<PageJob> = plan
            .iter()
            .filter(|(_, file, fp)| {
                fp.is_none() || self.pages.get(file).map(|(old, _)| *old) != Some(*fp)
            })
            .map(|(job, _, _)| *job)
            .collect();
        mark("plan", &mut timings);
        let sink = MemorySink::default();
        renderer
            .render_all(&dirty, &sink, &|| {})
            .map_err(|f| match f {
                RenderFailure::Template(t) => BuildError::Content(vec![t.0]),
                RenderFailure::Io(path, e) => BuildError::Io(format!("{path}: {e}")),
            })?;
        let mut fresh: HashMap<String, Vec<u8>> = sink
            .pages
            .into_inner()
            .unwrap_or_default()
            .into_iter()
            .collect();
        let rendered = fresh.len();
        mark("render", &mut timings);

        let mut pages = HashMap::with_capacity(plan.len());
        for (_, file, fp) in plan {
            let page = match fresh.remove(&file) {
                Some(b) => SiteFile::Memory {
                    etag: hash_of(b.as_slice()),
                    bytes: Arc::new(b),
                },
                None => match self.pages.get(&file) {
                    Some((_, page)) => page.clone(),
                    None => continue,
                },
            };
            pages.insert(file, (fp, page));
        }
        let removed = self
            .pages
            .keys()
            .filter(|k| !pages.contains_key(*k))
            .count();

        let mut files = SiteFiles::with_capacity(pages.len() + static_files.len());
        for (path, (_, page)) in &pages {
            files.insert(path.clone(), page.clone());
        }
        for (rel, file) in &static_files {
            let bytes = file
                .read()
                .map_err(|e| BuildError::Io(format!("无法读取主题文件 {rel}：{e}")))?;
            files.insert(
                rel.clone(),
                SiteFile::Memory {
                    etag: hash_of(bytes.as_slice()),
                    bytes: Arc::new(bytes),
                },
            );
        }
        for a in &checked.graph.site.attachments {
            files.insert(a.rel.clone(), SiteFile::Disk(a.source.clone()));
        }
        mark("assemble", &mut timings);
        let report = Rebuilt {
            timings,
            pages: pages.len(),
            rendered,
            removed,
            records: checked.graph.site.records.len(),
            warnings: checked.warnings,
            elapsed: started.elapsed(),
        };
        self.pages = pages;
        self.files = Arc::new(files);
        Ok(report)
    }
}
