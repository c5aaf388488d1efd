//! The pipeline, end to end: load → validate → link → render → write.
//! `yishi build` and `yishi check` are thin wrappers around this.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::config::SiteConfig;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::link::Graph;
use crate::model::Bodies;
use crate::output::Output;
use crate::plan::{PageJob, Plan, Planned, Previous};
use crate::render::{RenderFailure, Renderer};
use crate::route;
use crate::theme::Theme;
use crate::url::Urls;
use crate::validate::RecordCache;
use rayon::prelude::*;

/// Above this many record files, a one-off build keeps bodies on disk and
/// reads them again when rendering, and builds a record's card each time a
/// list shows it instead of keeping it: at a million records, bodies alone
/// would take some 2.5 GB and cards over 1 GB.
pub const LEAN_ABOVE: usize = 200_000;

/// Record files above which the preview keeps bodies compressed: at
/// 100,000 records of real minutes they would take over half a gigabyte,
/// and are read only for the few pages a clerk opens and for the search
/// index and the open data.
pub const PREVIEW_PACKS_BODIES_ABOVE: usize = 20_000;

/// What every command needs to read and check a site (`check`, `build`,
/// `serve`).
#[derive(Debug, Clone)]
pub struct SiteOptions {
    pub root: PathBuf,
    /// Overrides `base_url` from `site.toml` (`build --base-url`; the
    /// preview's own address).
    pub base_url: Option<String>,
    pub drafts: bool,
    /// The reference date; `None`: today (or `SOURCE_DATE_EPOCH`).
    pub as_of: Option<NaiveDate>,
    /// The large-site memory policy: above this many record files, keep
    /// less in memory ([`LEAN_ABOVE`] by default).
    pub lean_above: usize,
    /// The preview's memory policy: above this many record files, it keeps
    /// bodies compressed ([`PREVIEW_PACKS_BODIES_ABOVE`] by default).
    pub preview_packs_bodies_above: usize,
}

impl SiteOptions {
    /// The site at `root`, with every other option at its default.
    pub fn new(root: impl Into<PathBuf>) -> SiteOptions {
        SiteOptions {
            root: root.into(),
            base_url: None,
            drafts: false,
            as_of: None,
            lean_above: LEAN_ABOVE,
            preview_packs_bodies_above: PREVIEW_PACKS_BODIES_ABOVE,
        }
    }
}

/// What `build` adds: where to write, and how.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub site: SiteOptions,
    /// The output folder, relative to the site's root unless absolute.
    pub output: PathBuf,
    /// Show a progress bar (on a terminal, for builds that take a while).
    pub progress: bool,
    /// Allow a first build into a folder that holds files yishi did not
    /// record as its own (they are kept, never removed).
    pub force: bool,
}

impl BuildOptions {
    /// A build of `site` into `output`, without progress bar or force.
    pub fn new(site: SiteOptions, output: impl Into<PathBuf>) -> BuildOptions {
        BuildOptions {
            site,
            output: output.into(),
            progress: false,
            force: false,
        }
    }
}

/// Why a build did not publish.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Problems in the site's files (content, site.toml, templates): exit 1.
    #[error("站点文件中有 {} 个问题", .0.len())]
    Content(Vec<Diagnostic>),
    /// The command cannot run as asked (no site.toml, a bad `--base-url`,
    /// an output folder that would overwrite the site): exit 2.
    #[error("{0}")]
    Usage(String),
    /// Reading or writing a file failed: what was being done, on which
    /// path, and why (with a hint for a full or read-only disk): exit 2.
    #[error("{doing} {}：{source}{}", path.display(), io_hint(source))]
    Io {
        doing: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl BuildError {
    pub fn exit_code(&self) -> i32 {
        match self {
            BuildError::Content(_) => 1,
            BuildError::Usage(_) | BuildError::Io { .. } => 2,
        }
    }

    /// An I/O failure while `doing` something to `path`.
    pub fn io(doing: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> BuildError {
        BuildError::Io {
            doing,
            path: path.into(),
            source,
        }
    }
}

/// A checked and linked site, ready to render.
pub struct Checked {
    pub config: SiteConfig,
    pub theme: Theme,
    pub graph: Graph,
    /// Warnings (never errors: those stop before this exists).
    pub warnings: Vec<Diagnostic>,
    /// Of those, the ones of files and places, not of the links between
    /// records (`Graph::later_warnings`, `Graph::timeline_warnings`).
    pub file_warnings: Vec<Diagnostic>,
    pub timings: Vec<(&'static str, Duration)>,
    /// A hash of everything every page depends on besides the records and
    /// templates: settings, places, attachments, theme strings and files.
    pub context: u64,
    /// A site above [`SiteOptions::lean_above`] records: keep less in memory.
    pub lean: bool,
    /// Where the bodies were kept.
    pub bodies: crate::model::Bodies,
}

/// What a repeated check keeps from the previous one: the checked record
/// files, valid while the context (settings, places) is unchanged.
#[derive(Debug, Default)]
pub struct CheckCache {
    records: RecordCache,
    context: Option<u64>,
    tree: Option<std::sync::Arc<crate::load::Tree>>,
    /// Keep checked records between runs (costs a copy of every record).
    retain: bool,
}

impl CheckCache {
    /// A cache for repeated checks of one site (the preview server).
    /// The checked record of the file at `path`, if it was checked.
    pub fn record(&self, path: &Path) -> Option<std::sync::Arc<crate::validate::CheckedRecord>> {
        self.records.get(path).cloned()
    }

    /// Replace what is known of one record file (checked again alone).
    pub fn replace(&mut self, checked: std::sync::Arc<crate::validate::CheckedRecord>) {
        self.records.insert(checked.path.clone(), checked);
    }

    pub fn retaining() -> CheckCache {
        CheckCache {
            retain: true,
            ..CheckCache::default()
        }
    }
}

/// Stages load, validate and link. Every problem is reported at once.
pub fn check(opts: &SiteOptions) -> Result<Checked, BuildError> {
    check_with(opts, &mut CheckCache::default(), None)
}

/// [`check`], reusing what `cache` holds from an earlier run and updating it
/// (also when the check fails, so that fixing one file stays quick).
/// `changed`, when known (from file-system events), lists the paths changed
/// since that run: if they are all edits of known record files, the content
/// folder is not walked again.
pub fn check_with(
    opts: &SiteOptions,
    cache: &mut CheckCache,
    changed: Option<&[std::path::PathBuf]>,
) -> Result<Checked, BuildError> {
    let mut timings = Vec::new();
    let t0 = Instant::now();
    let root = &opts.root;
    let site_toml = std::fs::read(root.join(crate::config::FILE)).map_err(|_| {
        BuildError::Usage(format!(
            "{} 中没有 site.toml：请在站点根目录运行，或用 --root 指定站点文件夹",
            root.display()
        ))
    })?;
    let mut config = SiteConfig::load(root).map_err(|d| BuildError::Content(d.sorted()))?;
    if let Some(b) = &opts.base_url {
        config.base_url = normalise_base_url(b)?;
    }
    let as_of =
        crate::date::reference_date(opts.as_of, config.timezone).map_err(BuildError::Usage)?;
    let theme = Theme::load(root, &config.theme).map_err(|d| BuildError::Content(vec![d]))?;
    let reserved = theme.reserved_names();

    let mut diags = Diagnostics::new();
    let walk = |diags: &mut Diagnostics| {
        *diags = Diagnostics::new();
        let (l, t) = crate::load::load(root, &reserved, diags);
        (l, std::sync::Arc::new(t))
    };
    // After edits of known record files only, the last walk still holds.
    let quick = match (changed, &cache.tree) {
        (Some(changed), Some(tree)) => {
            crate::load::reload(tree, changed, &mut diags).map(|l| (l, std::sync::Arc::clone(tree)))
        }
        _ => None,
    };
    let walked_again = quick.is_none();
    let (mut loaded, mut tree) = quick.unwrap_or_else(|| walk(&mut diags));
    let mut context = context_hash(&site_toml, opts, as_of, &loaded, &theme);
    let context_changed = cache.context.is_some_and(|c| c != context);
    if context_changed && !walked_again {
        // Settings or the theme changed: which names are reserved may have
        // too, so the last walk no longer holds.
        (loaded, tree) = walk(&mut diags);
        context = context_hash(&site_toml, opts, as_of, &loaded, &theme);
    }
    timings.push(("load", t0.elapsed()));
    let t1 = Instant::now();
    // Reuse earlier results only while settings and places are unchanged; a
    // one-off build keeps no cache, so its files need no stamps.
    let empty = RecordCache::new();
    let known = match (cache.retain, context_changed) {
        (false, _) => None,
        (true, false) => Some(&cache.records),
        (true, true) => Some(&empty),
    };
    let files = std::mem::take(&mut loaded.records);
    // Only a reload of the last walk may limit the look at the disk to the
    // paths the watcher reported.
    let reloaded = !(walked_again || context_changed);
    let inputs = crate::validate::reuse(files, known, changed.filter(|_| reloaded));
    crate::validate::privacy_of_site_toml(&String::from_utf8_lossy(&site_toml), &mut diags);
    // The memory policy, decided once: one-off builds of very large sites
    // leave bodies on disk (see `model::Body`) and keep no cards.
    let lean = inputs.len() > opts.lean_above;
    let mode = crate::validate::Mode {
        drafts: opts.drafts,
        keep_cache: cache.retain,
        bodies: match (cache.retain, lean) {
            (true, _) if inputs.len() > opts.preview_packs_bodies_above => Bodies::Packed,
            (false, true) => Bodies::OnDisk,
            _ => Bodies::Memory,
        },
    };
    let bodies = mode.bodies;
    let (site, records) =
        crate::validate::validate(root, loaded, inputs, &config, mode, &mut diags);
    *cache = CheckCache {
        records,
        context: Some(context),
        tree: Some(tree),
        retain: cache.retain,
    };
    timings.push(("validate", t1.elapsed()));
    if diags.has_errors() {
        return Err(BuildError::Content(diags.sorted()));
    }
    let t2 = Instant::now();
    let graph = Graph::link(site, &config.vocabularies, as_of);
    let file_warnings = diags.sorted();
    let warnings = with_link_warnings(&file_warnings, &graph);
    timings.push(("link", t2.elapsed()));
    Ok(Checked {
        config,
        theme,
        graph,
        warnings,
        file_warnings,
        timings,
        context,
        lean,
        bodies,
    })
}

/// `file_warnings` and the warnings about the links between records of
/// `graph`, in order.
pub fn with_link_warnings(file_warnings: &[Diagnostic], graph: &Graph) -> Vec<Diagnostic> {
    let mut all = Diagnostics::new();
    all.extend(file_warnings.iter().cloned());
    all.extend(graph.later_warnings());
    all.extend(graph.timeline_warnings());
    all.sorted()
}

fn context_hash(
    site_toml: &[u8],
    opts: &SiteOptions,
    as_of: NaiveDate,
    loaded: &crate::load::Loaded,
    theme: &Theme,
) -> u64 {
    let places: Vec<(&str, Option<&str>)> = loaded
        .places
        .iter()
        .map(|p| (p.dir.as_str(), p.file.as_ref().map(|f| f.text.as_str())))
        .collect();
    let attachments: Vec<&str> = loaded.attachments.iter().map(|a| a.rel.as_str()).collect();
    let theme_files: Vec<(&String, String)> = theme
        .static_files
        .iter()
        .map(|(rel, f)| (rel, format!("{f:?}")))
        .collect();
    crate::hash::hash_of(&(
        site_toml,
        &opts.base_url,
        opts.drafts,
        as_of,
        places,
        attachments,
        &theme.i18n,
        theme_files,
    ))
}

fn normalise_base_url(b: &str) -> Result<String, BuildError> {
    match url::Url::parse(b) {
        Ok(u) if u.scheme() == "http" || u.scheme() == "https" => {
            let mut s = b.to_string();
            if !s.ends_with('/') {
                s.push('/');
            }
            Ok(s)
        }
        _ => Err(BuildError::Usage(format!(
            "--base-url `{b}` 不是有效的网址（例如 https://example.org/xieshang/）"
        ))),
    }
}

/// What a finished build did.
#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    pub records: usize,
    /// Theme files and attachments copied.
    pub files: usize,
    /// What the output folder saw: written, unchanged, removed files.
    pub written: crate::output::WriteStats,
    pub warnings: Vec<Diagnostic>,
    pub timings: Vec<(&'static str, Duration)>,
    /// Within `render`: time per kind of output, summed over threads.
    pub work: Vec<(&'static str, Duration)>,
    /// What an earlier, interrupted build had left and this one put right.
    pub recovered: crate::output::Recovered,
    /// The output by kind ([`crate::route::OUTPUT_KINDS`]): files and bytes.
    pub bytes: Vec<(&'static str, usize, u64)>,
}

/// Files and bytes of the output by kind, in the order of
/// [`crate::route::OUTPUT_KINDS`]; a file whose size the build does not know
/// (kept from an earlier build without a recorded stamp) is looked up.
fn bytes_by_kind(
    out: &Output,
    stamps: &std::collections::HashMap<String, crate::output::Stamp>,
) -> Vec<(&'static str, usize, u64)> {
    use crate::route::{output_kind, OUTPUT_KINDS};
    let mut sums = OUTPUT_KINDS.map(|k| (k, 0usize, 0u64));
    for rel in out.produced_files() {
        let size = match stamps.get(&rel) {
            Some((size, _)) => *size,
            None => out.stamp_of(&rel).map_or(0, |s| s.0),
        };
        let kind = output_kind(&rel);
        if let Some(sum) = sums.iter_mut().find(|s| s.0 == kind) {
            sum.1 += 1;
            sum.2 += size;
        }
    }
    sums.into_iter().filter(|s| s.1 > 0).collect()
}

/// The real location of `p`: symbolic links resolved. For a path that does
/// not exist yet, its nearest existing ancestor is resolved and the rest
/// appended. A link that points nowhere is an error (it cannot be resolved,
/// so nothing can be said about what it would overwrite).
pub fn real_path(p: &Path) -> std::io::Result<PathBuf> {
    let abs = std::path::absolute(p)?;
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(mut real) => {
                for c in rest.iter().rev() {
                    match c {
                        std::path::Component::ParentDir => {
                            real.pop();
                        }
                        std::path::Component::Normal(name) => real.push(name),
                        _ => {}
                    }
                }
                return Ok(real);
            }
            Err(e) if std::fs::symlink_metadata(existing).is_ok() => return Err(e),
            Err(e) => {
                let (Some(parent), Some(last)) =
                    (existing.parent(), existing.components().next_back())
                else {
                    return Err(e);
                };
                rest.push(last);
                existing = parent;
            }
        }
    }
}

/// Refuse an output folder that would swallow the site's own files, with
/// every path resolved to where it really is (a link named `public` that
/// points at `content/` or at the folder above the site is refused).
/// Returns the output's real location, where the build then writes.
fn check_output(root: &Path, output: &Path) -> Result<PathBuf, BuildError> {
    let real_output = real_path(output).map_err(|e| {
        BuildError::Usage(format!(
            "无法确定输出文件夹 {} 的实际位置（{e}）；如果它是符号链接，请让它指向一个存在的文件夹",
            output.display()
        ))
    })?;
    let real_root = real_path(root).map_err(|e| BuildError::io("找不到站点文件夹", root, e))?;
    let overlaps = |p: &Path| -> bool {
        let p = real_path(p).unwrap_or_else(|_| p.to_path_buf());
        real_output.starts_with(&p) || p.starts_with(&real_output)
    };
    if real_root.starts_with(&real_output)
        || overlaps(&root.join("content"))
        || overlaps(&root.join("themes"))
        || overlaps(&root.join(crate::config::FILE))
    {
        let shown = if real_output != output {
            format!("{}（实际位置 {}）", output.display(), real_output.display())
        } else {
            output.display().to_string()
        };
        return Err(BuildError::Usage(format!(
            "输出文件夹 {shown} 会覆盖站点自身的文件（site.toml、content/ 或 themes/）；请换一个，例如 public"
        )));
    }
    if real_output.exists() && !real_output.is_dir() {
        return Err(BuildError::Usage(format!(
            "输出路径 {} 是一个文件，不是文件夹；请换一个输出文件夹（--output），或先移走这个文件",
            output.display()
        )));
    }
    Ok(real_output)
}

/// What a clerk can do about an I/O error, where the kind says it.
fn io_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::StorageFull => "（磁盘已满：请腾出空间后重新生成；原有的网站没有改变）",
        std::io::ErrorKind::ReadOnlyFilesystem => "（磁盘是只读的：请换一个可写的输出文件夹）",
        std::io::ErrorKind::PermissionDenied => {
            "（没有写入权限：请换一个输出文件夹，或检查文件夹的权限）"
        }
        _ => "",
    }
}

/// Whether `dir` exists and holds anything.
fn output_has_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some())
}

/// Output path → (fingerprint, size, modification time in ns).
type PageCache = std::collections::HashMap<String, (u64, u64, i128)>;

/// The record beside the output (`.public.yishi-pages.json`, not
/// published): which files of the output this tool made, and the
/// fingerprint of each page. Committed together with the output
/// (`Output::commit`), so it always describes what the output holds.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct PageCacheFile {
    /// Fingerprints are only comparable with the same [`crate::hash::identity`]
    /// (version of yishi and of the `Hash` impls); the list of files is valid
    /// whatever version wrote it.
    version: String,
    pages: PageCache,
    /// The other files of the output (theme files, attachments).
    others: Vec<String>,
    /// Jobs that write several files (search index, data sets): their main
    /// file → all their files.
    groups: std::collections::HashMap<String, Vec<String>>,
    /// Files produced without a fingerprint (not in `pages`).
    #[serde(default)]
    extra: Vec<String>,
}

impl PageCacheFile {
    /// Every file of the output that the build which wrote this made: the
    /// only files a later build may remove.
    fn owned(&self) -> std::collections::HashSet<String> {
        self.pages
            .keys()
            .chain(&self.others)
            .chain(&self.extra)
            .chain(self.groups.values().flatten())
            .cloned()
            .collect()
    }
}

fn read_page_cache(path: &Path) -> Option<PageCacheFile> {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<PageCacheFile>(&b).ok())
}

/// The new record: the fingerprint of every page now in the output and
/// every file it holds.
/// The previous build as its record and the output folder show it: a file
/// is held when its recorded fingerprint is the one planned and the file is
/// untouched since it was written (same size and time).
struct PreviousOutput<'a> {
    cache: &'a PageCacheFile,
    out: &'a Output,
}

impl Previous for PreviousOutput<'_> {
    fn files_of(&self, planned: &Planned) -> Option<Vec<String>> {
        if planned.job.is_group() {
            self.cache.groups.get(&planned.file).cloned()
        } else {
            Some(vec![planned.file.clone()])
        }
    }

    fn holds(&self, file: &str, fingerprint: u64) -> bool {
        self.cache.pages.get(file).is_some_and(|(old, len, mtime)| {
            *old == fingerprint && self.out.stamp_of(file) == Some((*len, *mtime))
        })
    }
}

fn page_cache_bytes(
    output: &Path,
    plan: &[Planned],
    others: Vec<String>,
    groups: std::collections::HashMap<String, Vec<String>>,
    stamps: &std::collections::HashMap<String, crate::output::Stamp>,
    produced: &[String],
) -> Result<Vec<u8>, BuildError> {
    let pages: PageCache = plan
        .par_iter()
        .flat_map_iter(|p| {
            let files = groups
                .get(&p.file)
                .map_or(std::slice::from_ref(&p.file), |g| g);
            files.iter().map(move |file| (file, p.fingerprint))
        })
        .filter_map(|(file, fp)| {
            let fp = fp?;
            // Known from writing it; else looked up (the file is unchanged
            // in the output).
            let (len, mtime) = match stamps.get(file) {
                Some(&s) => s,
                None => crate::output::stamp(&std::fs::metadata(output.join(file)).ok()?)?,
            };
            Some((file.clone(), (fp, len, mtime)))
        })
        .collect();
    let other_set: std::collections::HashSet<&String> = others.iter().collect();
    let extra = produced
        .iter()
        .filter(|f| !pages.contains_key(*f) && !other_set.contains(f))
        .cloned()
        .collect();
    let cache = PageCacheFile {
        version: crate::hash::identity(),
        pages,
        others,
        groups,
        extra,
    };
    serde_json::to_vec(&cache)
        .map_err(|e| BuildError::io("无法记录输出内容", output, std::io::Error::other(e)))
}

/// The whole build: check, then render, staging what changed, and commit it
/// (see `output.rs`). On any failure the previous output is left as it was.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let output = if opts.output.is_absolute() {
        opts.output.clone()
    } else {
        opts.site.root.join(&opts.output)
    };
    let output = check_output(&opts.site.root, &output)?;
    // An interrupted commit is completed first: its record is the one that
    // describes the output.
    let recovered = Output::recover(&output)
        .map_err(|e| BuildError::io("无法完成上一次被中断的生成，输出文件夹", &output, e))?;
    let cache_file = Output::record_path(&output);
    let recorded = read_page_cache(&cache_file);
    // Files a later build may remove: those the previous build recorded.
    let owned = match &recorded {
        Some(r) => Some(r.owned()),
        None if output_has_files(&output) => {
            if !opts.force {
                return Err(BuildError::Usage(format!(
                    "输出文件夹 {} 中已有文件，但没有 yishi 生成它们的记录（{}）。为免删除不属于本网站的文件，未生成网站。\n\
                     请换一个空文件夹（--output），或确认这个文件夹可以使用后加上 --force：yishi 只会写入自己生成的文件，不会删除其中原有的文件。",
                    output.display(),
                    cache_file.display()
                )));
            }
            None
        }
        None => None,
    };
    let previous = recorded
        .filter(|c| c.version == crate::hash::identity())
        .unwrap_or_default();
    let checked = check(&opts.site)?;
    let Checked {
        config,
        theme,
        graph,
        warnings,
        file_warnings: _,
        mut timings,
        context: checked_context,
        lean,
        bodies: _,
    } = checked;
    let t_render = Instant::now();
    let urls = Urls::new(&config.base_url, &config.base_path());
    let static_files = theme.static_files.clone();
    let renderer = Renderer::new(theme, &graph, &config, urls, checked_context, lean, None)
        .map_err(|e| BuildError::Content(vec![e.0]))?;
    timings.push(("prepare", t_render.elapsed()));
    let t_plan = Instant::now();
    let out =
        Output::begin(&output).map_err(|e| BuildError::io("无法创建输出文件夹", &output, e))?;

    // Pages whose fingerprint is the one recorded when the output's file was
    // written, with that file untouched since, need not be rendered at all.
    let plan = renderer.plan().planned();
    let previous_output = PreviousOutput {
        cache: &previous,
        out: &out,
    };
    let cached = Plan::unchanged(&plan, &previous_output);
    let all_cached = plan
        .iter()
        .zip(&cached)
        .all(|(p, hit)| p.fingerprint.is_none() || *hit);
    let mut jobs = Vec::with_capacity(plan.len());
    let mut groups = std::collections::HashMap::new();
    for (p, cached) in plan.iter().zip(cached) {
        let (job, key) = (&p.job, &p.file);
        if cached {
            for file in previous_output.files_of(p).unwrap_or_default() {
                let stamp = previous
                    .pages
                    .get(&file)
                    .map(|&(_, len, mtime)| (len, mtime));
                out.keep(&file, stamp)
                    .map_err(|e| BuildError::io("无法保留", output.join(&file), e))?;
            }
            if job.is_group() {
                groups.insert(key.clone(), previous_output.files_of(p).unwrap_or_default());
            }
        } else {
            jobs.push(*job);
        }
    }
    timings.push(("plan", t_plan.elapsed()));
    let t_render = Instant::now();

    // The big single jobs (search index, the whole site's data) first, so
    // that they do not run alone at the end while the other cores idle.
    jobs.sort_by_key(|job| !matches!(job, PageJob::Artifact(_)));
    let bar = crate::progress::Progress::new(opts.progress, jobs.len() as u64, "生成页面");
    let rendered = renderer.render_all(&jobs, &out, &|| bar.inc());
    bar.finish();
    let pages = plan
        .iter()
        .filter(|p| !matches!(p.job, PageJob::Artifact(_)))
        .count();
    match rendered {
        Ok(fresh) => {
            for (job, files) in fresh {
                groups.insert(route::file_of(&renderer.plan().path(job)), files);
            }
        }
        Err(f) => {
            out.abandon();
            return Err(match f {
                RenderFailure::Template(t) => BuildError::Content(vec![t.0]),
                RenderFailure::Io(path, e) => BuildError::io("无法写入", output.join(path), e),
            });
        }
    }
    timings.push(("render", t_render.elapsed()));

    let t_write = Instant::now();
    let mut files = 0;
    let copy_result = (|| -> Result<(), BuildError> {
        for (rel, file) in &static_files {
            let bytes = file
                .read()
                .map_err(|e| BuildError::io("无法读取主题文件", rel, e))?;
            out.write(rel, &bytes)
                .map_err(|e| BuildError::io("无法复制主题文件到", output.join(rel), e))?;
            files += 1;
        }
        for a in &graph.site.attachments {
            out.copy(&a.rel, &a.source)
                .map_err(|e| BuildError::io("无法复制附件到", output.join(&a.rel), e))?;
            files += 1;
        }
        Ok(())
    })();
    if let Err(e) = copy_result {
        out.abandon();
        return Err(e);
    }
    let stamps = out.stamps();
    let bytes = bytes_by_kind(&out, &stamps);
    // Nothing rendered, written or removed: the recorded state still holds.
    let unchanged = all_cached
        && out.written() == 0
        && owned
            .as_ref()
            .is_some_and(|o| o.len() == out.produced_count() && o.iter().all(|f| out.produces(f)));
    let record = if unchanged {
        None
    } else {
        let others: Vec<String> = static_files
            .iter()
            .map(|(rel, _)| rel.clone())
            .chain(graph.site.attachments.iter().map(|a| a.rel.clone()))
            .collect();
        let produced = out.produced_files();
        match page_cache_bytes(&output, &plan, others, groups, &stamps, &produced) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                out.abandon();
                return Err(e);
            }
        }
    };
    let written = out
        .commit(owned.as_ref(), record.as_deref())
        .map_err(|e| BuildError::io("无法更新输出文件夹", &output, e))?;
    timings.push(("write", t_write.elapsed()));
    Ok(BuildReport {
        pages,
        records: graph.site.records.len(),
        files,
        written,
        warnings,
        timings,
        work: renderer.work_times(),
        recovered,
        bytes,
    })
}
