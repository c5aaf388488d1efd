//! Stage 1: walk `content/`, read every file once, split front matter from
//! body and parse the YAML into nodes that remember where each key is.
//!
//! Which files are read (the documented rule, see README "Which files count"):
//! - hidden files and folders (`.git`, `.DS_Store`) and editor leftovers
//!   (`*~`, `*.swp`, `*.swo`, `*.tmp`, `#…#`) are ignored everywhere;
//! - in a place folder: `_place.yaml`, the record folders `topics/`,
//!   `sessions/`, `outcomes/`, and child place folders; `README.md` and other
//!   loose files are skipped (other than README, with a warning);
//! - in a record folder: every `*.md` is a record; `files/` holds attachments,
//!   published as they are; anything else is skipped with a warning.

use std::path::{Path, PathBuf};

use marked_yaml::{LoaderOptions, Node};
use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::model::{Attachment, RecordKind};
use crate::text::{
    blank_control_chars, decode_text, display_path, split_front_matter, FrontMatterError,
};

/// A place folder: the content root, a town or a village.
#[derive(Debug, Clone)]
pub struct LoadedPlace {
    /// Slugs from the content root: empty for the root.
    pub path: Vec<String>,
    /// The folder, relative to the site root (`content/shezhu`).
    pub dir: String,
    /// `_place.yaml`, when the folder has one.
    pub file: Option<LoadedYaml>,
}

/// A parsed YAML mapping with the file it came from.
#[derive(Debug, Clone)]
pub struct LoadedYaml {
    /// Relative to the site root, `/`-separated.
    pub file: String,
    pub text: String,
    /// `None` when the YAML did not parse (a diagnostic says why).
    pub map: Option<marked_yaml::types::MarkedMappingNode>,
    /// Added to the YAML parser's line numbers to give file lines.
    pub line_offset: usize,
}

/// What a file looked like when it was read (size and modification time):
/// an unchanged stamp lets a repeated build reuse the earlier result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Stamp {
    /// Whether a result read at `read_at` from a file with stamp `old` can
    /// stand for the file now stamped `self`: same size and time, and the
    /// time well before the read (timestamps are coarse; a change in the
    /// same tick as the read could otherwise go unseen).
    pub fn trusts(&self, old: &Stamp, read_at: std::time::SystemTime) -> bool {
        const TICK: std::time::Duration = std::time::Duration::from_millis(50);
        self == old && self.modified.is_some_and(|m| m + TICK < read_at)
    }

    pub fn of(path: &Path) -> Option<Stamp> {
        let m = std::fs::metadata(path).ok()?;
        Some(Stamp {
            len: m.len(),
            modified: m.modified().ok(),
        })
    }
}

/// A record file found by the walk.
#[derive(Debug, Clone)]
pub struct RecordFile {
    pub kind: RecordKind,
    /// Index into [`Loaded::places`].
    pub place: usize,
    pub path: PathBuf,
    pub stamp: Option<Stamp>,
}

/// Read one record file: decode, split front matter, parse the YAML.
pub fn read(root: &Path, file: &RecordFile) -> Result<LoadedRecord, Diagnostic> {
    let pending = PendingRecord {
        kind: file.kind,
        place: file.place,
        path: file.path.clone(),
    };
    read_record(root, &pending, file.stamp)
}

/// A record file: front matter and Markdown body.
#[derive(Debug)]
pub struct LoadedRecord {
    pub path: PathBuf,
    pub stamp: Option<Stamp>,
    pub read_at: std::time::SystemTime,
    /// Problems found while reading (fences, YAML syntax).
    pub diags: Vec<Diagnostic>,
    pub kind: RecordKind,
    /// Index into [`Loaded::places`] of the place it is filed in.
    pub place: usize,
    pub stem: String,
    pub front: LoadedYaml,
    pub body: String,
    /// File line of the body's first line.
    pub body_line: usize,
}

/// Everything read from `content/`, before any meaning is checked.
#[derive(Debug, Default)]
pub struct Loaded {
    pub places: Vec<LoadedPlace>,
    /// Found, not read: the validate stage reads each file ([`read`]) unless
    /// it reuses an earlier result (`validate::reuse`), one at a time per
    /// thread, so that a file's text and YAML tree are freed as soon as it
    /// is checked.
    pub records: Vec<RecordFile>,
    pub attachments: Vec<Attachment>,
}

pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swo")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
}

fn is_readme(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.starts_with("README") || upper.starts_with("LICENSE")
}

#[derive(Debug, Clone)]
struct PendingRecord {
    kind: RecordKind,
    place: usize,
    path: PathBuf,
}

/// The shape of the content tree found by the last walk: places (parsed),
/// record files, attachments and the walk's own problems. A rebuild whose
/// changes are all edits of known record files reuses it instead of
/// walking again (see [`reload`]).
#[derive(Debug, Clone, Default)]
pub struct Tree {
    places: Vec<LoadedPlace>,
    pending: Vec<PendingRecord>,
    attachments: Vec<Attachment>,
    problems: Vec<Diagnostic>,
}

/// Walk `root/content`: places (parsed), record files (found, not read),
/// attachments. `reserved_extra` are further names that cannot be place
/// slugs (the theme's top-level static names).
pub fn load(root: &Path, reserved_extra: &[String], diags: &mut Diagnostics) -> (Loaded, Tree) {
    let tree = walk(root, reserved_extra);
    diags.extend(tree.problems.iter().cloned());
    (tree.loaded(), tree)
}

/// What [`load`] would find after `changed` paths changed, from the last
/// walk. `None` when a change is more than an edit of a known record file
/// (a new or deleted file, a place, an attachment): then a full [`load`] is
/// needed.
pub fn reload(tree: &Tree, changed: &[PathBuf], diags: &mut Diagnostics) -> Option<Loaded> {
    let known: std::collections::HashSet<&Path> =
        tree.pending.iter().map(|p| p.path.as_path()).collect();
    for path in changed {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let edit_of_known = known.contains(path.as_path()) && path.is_file();
        if !(edit_of_known || is_ignored(&name)) {
            return None;
        }
    }
    diags.extend(tree.problems.iter().cloned());
    Some(tree.loaded())
}

fn walk(root: &Path, reserved_extra: &[String]) -> Tree {
    let content = root.join("content");
    let mut loaded = Loaded::default();
    let mut diags = Diagnostics::new();
    if !content.is_dir() {
        diags.push(
            Diagnostic::error("content", None, "找不到 content/ 文件夹")
                .with_hint("在站点根目录（site.toml 所在处）创建 content/，每个镇、村一个子文件夹"),
        );
        return Tree {
            problems: diags.sorted(),
            ..Tree::default()
        };
    }
    let mut pending: Vec<PendingRecord> = Vec::new();
    let mut place_files: Vec<(usize, PathBuf)> = Vec::new();
    walk_place(
        root,
        &content,
        Vec::new(),
        reserved_extra,
        &mut loaded,
        &mut pending,
        &mut place_files,
        &mut diags,
    );
    let places: Vec<(usize, Result<LoadedYaml, Diagnostic>)> = place_files
        .par_iter()
        .map(|(i, path)| (*i, read_yaml_file(root, path)))
        .collect();
    for (i, r) in places {
        match r {
            Ok(y) => loaded.places[i].file = Some(y),
            Err(d) => diags.push(d),
        }
    }
    Tree {
        places: loaded.places,
        pending,
        attachments: loaded.attachments,
        problems: diags.sorted(),
    }
}

impl Tree {
    fn loaded(&self) -> Loaded {
        Loaded {
            places: self.places.clone(),
            records: self
                .pending
                .iter()
                .map(|p| RecordFile {
                    kind: p.kind,
                    place: p.place,
                    path: p.path.clone(),
                    stamp: None,
                })
                .collect(),
            attachments: self.attachments.clone(),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn walk_place(
    root: &Path,
    dir: &Path,
    path: Vec<String>,
    reserved_extra: &[String],
    loaded: &mut Loaded,
    pending: &mut Vec<PendingRecord>,
    place_files: &mut Vec<(usize, PathBuf)>,
    diags: &mut Diagnostics,
) {
    let index = loaded.places.len();
    let dir_rel = display_path(root, dir);
    loaded.places.push(LoadedPlace {
        path: path.clone(),
        dir: dir_rel.clone(),
        file: None,
    });
    let place_yaml = dir.join("_place.yaml");
    let place_entry = crate::fsio::Entry::at(&place_yaml);
    if place_entry == Some(crate::fsio::Entry::File) {
        place_files.push((index, place_yaml));
    } else if let Some(d) = place_entry.and_then(|e| refusal(e, display_path(root, &place_yaml))) {
        diags.push(d);
    } else if !path.is_empty() {
        diags.push(
            Diagnostic::error(dir_rel.clone(), None, "地点文件夹缺少 _place.yaml").with_hint(
                format!(
                    "创建 {dir_rel}/_place.yaml，至少写上 name（名称）和 kind（town、village 等）"
                ),
            ),
        );
    }
    let mut entries: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(Result::ok).collect(),
        Err(e) => {
            diags.push(Diagnostic::error(
                dir_rel,
                None,
                format!("无法读取文件夹：{e}"),
            ));
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let p = entry.path();
        let rel = display_path(root, &p);
        if is_ignored(&name) || name == "_place.yaml" {
            continue;
        }
        let entry_kind = entry
            .file_type()
            .map_or(crate::fsio::Entry::Special, crate::fsio::Entry::of);
        if let Some(d) = refusal(entry_kind, rel.clone()) {
            diags.push(d);
            continue;
        }
        let is_dir = entry_kind == crate::fsio::Entry::Dir;
        if !is_dir {
            if !is_readme(&name) {
                diags.push(
                    Diagnostic::warning(rel, None, "不是记录，已跳过")
                        .with_hint("记录要放在地点文件夹的 topics/、sessions/ 或 outcomes/ 中"),
                );
            }
            continue;
        }
        if let Some(kind) = RecordKind::from_dir(&name) {
            walk_records(root, &p, kind, index, loaded, pending, diags);
            continue;
        }
        if !crate::config::is_slug(&name) {
            diags.push(
                Diagnostic::error(rel, None, format!("文件夹名 `{name}` 不能作为地点标识"))
                    .with_hint(
                        "地点文件夹名只用小写字母、数字和连字符（通常是拼音），如 nanshan-cun",
                    ),
            );
            continue;
        }
        if crate::route::RESERVED.contains(&name.as_str())
            || reserved_extra.iter().any(|r| r == &name)
        {
            diags.push(
                Diagnostic::error(
                    rel,
                    None,
                    format!("`{name}` 是网站保留的名称，不能作为地点文件夹名"),
                )
                .with_hint("换一个文件夹名，例如加上 -cun 或 -zhen"),
            );
            continue;
        }
        if path.len() >= 2 {
            diags.push(
                Diagnostic::error(rel, None, "村、社区下面不能再有地点文件夹").with_hint(
                    "地点只有两级：镇（街道）和村（社区）；附件请放在 topics/files/ 等文件夹",
                ),
            );
            continue;
        }
        let mut child = path.clone();
        child.push(name);
        walk_place(
            root,
            &p,
            child,
            reserved_extra,
            loaded,
            pending,
            place_files,
            diags,
        );
    }
}

fn walk_records(
    root: &Path,
    dir: &Path,
    kind: RecordKind,
    place: usize,
    loaded: &mut Loaded,
    pending: &mut Vec<PendingRecord>,
    diags: &mut Diagnostics,
) {
    let walker = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !is_ignored(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e.path().map(|p| display_path(root, p)).unwrap_or_default();
                diags.push(Diagnostic::error(at, None, format!("无法读取：{e}")));
                continue;
            }
        };
        let p = entry.path();
        let rel = display_path(root, p);
        if let Some(d) = refusal(crate::fsio::Entry::of(entry.file_type()), rel.clone()) {
            diags.push(d);
            continue;
        }
        let inside = p.strip_prefix(dir).unwrap_or(p);
        let first = inside
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        if first == "files" {
            if entry.file_type().is_file() {
                let content_rel = display_path(&root.join("content"), p);
                loaded.attachments.push(Attachment {
                    rel: content_rel,
                    source: p.to_path_buf(),
                });
            }
            continue;
        }
        if entry.depth() > 1 {
            continue; // reported at its top folder below
        }
        if entry.file_type().is_dir() {
            diags.push(
                Diagnostic::warning(rel, None, "记录文件夹中的子文件夹已跳过")
                    .with_hint("附件请放在 files/ 子文件夹中"),
            );
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if name.ends_with(".md") {
            pending.push(PendingRecord {
                kind,
                place,
                path: p.to_path_buf(),
            });
        } else if !is_readme(&name) {
            diags.push(
                Diagnostic::warning(rel, None, "不是 .md 记录文件，已跳过")
                    .with_hint("记录是 .md 文件；附件请放在 files/ 子文件夹中"),
            );
        }
    }
}

/// The error for an entry of `content/` that is never read: a symbolic
/// link (it could lead anywhere, so its target is not even looked at) or a
/// special file (a FIFO would block the build).
fn refusal(kind: crate::fsio::Entry, rel: String) -> Option<Diagnostic> {
    match kind {
        crate::fsio::Entry::File | crate::fsio::Entry::Dir => None,
        crate::fsio::Entry::Link => Some(
            Diagnostic::error(
                rel,
                None,
                "content/ 中不能有符号链接（快捷方式），它不会被读取",
            )
            .with_hint("把文件或文件夹本身复制到这里，再删除这个链接"),
        ),
        crate::fsio::Entry::Special => Some(
            Diagnostic::error(
                rel,
                None,
                "不是普通文件或文件夹（如管道、设备），不会被读取",
            )
            .with_hint("删除它；content/ 中只放记录、_place.yaml 和附件"),
        ),
    }
}

/// [`blank_control_chars`], with a warning for each line that had some
/// (the first [`MAX_CONTROL_WARNINGS`], then one for the rest).
fn control_char_diagnostics(rel: &str, text: &mut String) -> Vec<Diagnostic> {
    let found = blank_control_chars(text);
    let more = found.len().saturating_sub(MAX_CONTROL_WARNINGS);
    let last = found.get(MAX_CONTROL_WARNINGS).map(|(pos, _)| *pos);
    let mut diags: Vec<Diagnostic> = found
        .into_iter()
        .take(MAX_CONTROL_WARNINGS)
        .map(|(pos, c)| {
            Diagnostic::warning(
                rel,
                Some(pos),
                format!("已删除控制字符 U+{:04X}（改为空格）", u32::from(c)),
            )
            .with_hint("控制字符（如从 Word 粘贴来的垂直制表符、NUL、ESC）不能出现在网页、订阅源和日历中；请从文件中删除")
        })
        .collect();
    if more > 0 {
        diags.push(Diagnostic::warning(
            rel,
            last,
            format!("另有 {more} 行的控制字符也已改为空格"),
        ));
    }
    diags
}

/// The largest record or `_place.yaml` read (8 MiB; a year of minutes is
/// a few hundred KB). A larger file is refused unread: its HTML, search
/// text and data copies would cost the build many times its size.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Control-character warnings per file (one a line); one more counts the rest.
const MAX_CONTROL_WARNINGS: usize = 20;

fn read_file_text(root: &Path, path: &Path) -> Result<(String, String), Diagnostic> {
    let rel = display_path(root, path);
    let bytes = crate::fsio::read_regular_at_most(path, MAX_FILE_BYTES).map_err(|e| {
        if e.kind() == std::io::ErrorKind::FileTooLarge {
            let size = std::fs::metadata(path).map_or(0, |m| m.len());
            Diagnostic::error(
                rel.clone(),
                None,
                format!(
                    "文件过大（{:.1} MB），记录文件最大 {} MB",
                    size as f64 / 1_048_576.0,
                    MAX_FILE_BYTES / 1_048_576
                ),
            )
            .with_hint("把内容拆成几条记录；原始文件（扫描件、表格）请作为附件放在 files/ 中")
        } else {
            Diagnostic::error(rel.clone(), None, format!("无法读取文件：{e}"))
        }
    })?;
    let text = decode_text(&bytes).map_err(|e| e.into_diagnostic(&rel))?;
    Ok((rel, text))
}

// Reading is the load stage's job, so the one method of a domain type
// that may read a file is defined here, not in `model.rs`.
impl crate::model::Body {
    /// The Markdown text: shared when kept in memory, else read again from
    /// the record's file ([`read_body`]).
    pub fn text(&self) -> std::io::Result<std::sync::Arc<str>> {
        match self {
            crate::model::Body::Text(t) => Ok(t.clone()),
            crate::model::Body::Packed(p) => lz4_flex::decompress_size_prepended(p)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .map(Into::into)
                .ok_or_else(|| std::io::Error::other("无法解压正文")),
            crate::model::Body::OnDisk {
                path,
                source_hash,
                mask,
            } => read_body(path, *source_hash, *mask).map(Into::into),
        }
    }
}

/// The body of a record file read again after validation (see
/// `model::Body::OnDisk`). Fails if the file changed since it was checked:
/// what is published must be what was validated.
pub fn read_body(path: &Path, source_hash: u64, mask: bool) -> std::io::Result<String> {
    let bytes = crate::fsio::read_regular_at_most(path, MAX_FILE_BYTES)?;
    let mut text =
        decode_text(&bytes).map_err(|_| std::io::Error::other("文件已不是有效的文本"))?;
    blank_control_chars(&mut text);
    if crate::hash::hash_of(text.as_str()) != source_hash {
        return Err(std::io::Error::other(
            "文件在生成过程中被修改；请重新运行 yishi build",
        ));
    }
    let (_, _, body, _) =
        split_front_matter(&text).map_err(|_| std::io::Error::other("无法再次读取正文"))?;
    Ok(if mask {
        crate::privacy::mask_markup(&body)
    } else {
        body
    })
}

fn read_yaml_file(root: &Path, path: &Path) -> Result<LoadedYaml, Diagnostic> {
    let (rel, mut text) = read_file_text(root, path)?;
    if let Some(d) = control_char_diagnostics(&rel, &mut text).into_iter().next() {
        return Err(Diagnostic::error(d.file, d.pos, d.message).with_hint_opt(d.hint));
    }
    let (map, diag) = parse_mapping(&rel, &text, 0);
    match diag {
        Some(d) => Err(d),
        None => Ok(LoadedYaml {
            file: rel,
            text,
            map,
            line_offset: 0,
        }),
    }
}

fn read_record(
    root: &Path,
    pending: &PendingRecord,
    stamp: Option<Stamp>,
) -> Result<LoadedRecord, Diagnostic> {
    let read_at = std::time::SystemTime::now();
    let (rel, mut text) = read_file_text(root, &pending.path)?;
    let blanked = control_char_diagnostics(&rel, &mut text);
    let stem = pending
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut diags = Vec::new();
    let split = split_front_matter(&text);
    let (front_text, front_line, body, body_line) = match split {
        Ok(s) => s,
        Err(d) => {
            diags.push(d.into_diagnostic(&rel));
            (String::new(), 1, String::new(), 1)
        }
    };
    let (map, diag) = parse_mapping(&rel, &front_text, front_line);
    let parse_failed = diag.is_some() || !diags.is_empty();
    diags.extend(diag);
    diags.extend(blanked);
    let record = LoadedRecord {
        path: pending.path.clone(),
        stamp,
        read_at,
        diags,
        kind: pending.kind,
        place: pending.place,
        stem,
        front: LoadedYaml {
            file: rel,
            text,
            map: if parse_failed { None } else { map },
            line_offset: front_line,
        },
        body,
        body_line,
    };
    Ok(record)
}

impl FrontMatterError {
    fn into_diagnostic(self, file: &str) -> Diagnostic {
        match self {
            FrontMatterError::Missing => {
                Diagnostic::error(file, Some(Pos::new(1, 1, 3)), "记录缺少开头的 YAML 信息块")
                    .with_hint(
                        "文件第一行必须是 ---，接着写 title: 等字段，再用一行 --- 结束，然后是正文",
                    )
            }
            FrontMatterError::Unclosed => {
                Diagnostic::error(file, Some(Pos::new(1, 1, 3)), "YAML 信息块没有结束")
                    .with_hint("在字段后面加一行 ---，再写正文")
            }
        }
    }
}

/// The deepest nesting of collections a YAML block may have. The YAML
/// parser builds nodes recursively, so a few thousand levels (10 KB of
/// `- `) would overflow the stack; real records need four or five.
pub const MAX_YAML_DEPTH: usize = 64;

/// An upper bound on the nesting depth of `text`, found without parsing.
/// Block collections nest one level per indicator that opens a line
/// (`- - x`) or, at least every second level, at a deeper column; flow
/// collections one level per `[` or `{`. So twice the largest column a
/// collection can start at, plus every flow opener, bounds the depth.
fn nesting_bound(text: &str) -> usize {
    let mut widest = 0;
    let mut flow = 0;
    for line in text.lines() {
        let rest = line.trim_start_matches(' ');
        let mut column = line.len() - rest.len();
        let mut rest = rest.as_bytes();
        while let [b'-' | b'?' | b':', tail @ ..] = rest {
            if !matches!(tail.first(), None | Some(b' ' | b'\t')) {
                break;
            }
            let spaces = tail
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t'))
                .count();
            column += 1 + spaces;
            rest = &tail[spaces..];
        }
        widest = widest.max(column);
        flow += line.bytes().filter(|b| matches!(b, b'[' | b'{')).count();
    }
    2 * widest + flow + 6
}

/// The line (1-based, in `text`) where `text` nests deeper than
/// [`MAX_YAML_DEPTH`], if it does. Only parses (with the YAML parser's
/// event stream, which does not recurse) when [`nesting_bound`] allows a
/// deeper nesting, which no ordinary record does.
fn too_deep(text: &str) -> Option<usize> {
    if nesting_bound(text) <= MAX_YAML_DEPTH {
        return None;
    }
    use yaml_rust2::parser::{Event, Parser};
    let mut parser = Parser::new_from_str(text);
    let mut depth = 0usize;
    loop {
        match parser.next_token() {
            Ok((Event::SequenceStart(..) | Event::MappingStart(..), mark)) => {
                depth += 1;
                // The document's own mapping is level one.
                if depth > MAX_YAML_DEPTH + 1 {
                    return Some(mark.line().max(1));
                }
            }
            Ok((Event::SequenceEnd | Event::MappingEnd, _)) => depth = depth.saturating_sub(1),
            // The scanner has a flow-nesting limit of its own.
            Err(e) if e.info().contains("recursion limit") => {
                return Some(e.marker().line().max(1))
            }
            Ok((Event::StreamEnd, _)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Parse YAML text that must be a mapping. `line_offset` is added to the
/// parser's line numbers. An empty document is an empty mapping.
fn parse_mapping(
    file: &str,
    text: &str,
    line_offset: usize,
) -> (
    Option<marked_yaml::types::MarkedMappingNode>,
    Option<Diagnostic>,
) {
    let blank = text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
    if blank {
        let empty = marked_yaml::types::MarkedMappingNode::new_empty(marked_yaml::Span::new_start(
            marked_yaml::Marker::new(0, 0, 1, 1),
        ));
        return (Some(empty), None);
    }
    if let Some(line) = too_deep(text) {
        return (
            None,
            Some(
                Diagnostic::error(
                    file,
                    Some(Pos::new(line + line_offset, 1, 1)),
                    format!("YAML 嵌套超过 {MAX_YAML_DEPTH} 层"),
                )
                .with_hint("记录的字段最多嵌套几层；检查是否误写了很多个 - 或 [ 、{"),
            ),
        );
    }
    let opts = LoaderOptions::default()
        .error_on_duplicate_keys(true)
        .toplevel_mapping();
    let pos_of =
        |m: &marked_yaml::Marker, len: usize| Pos::new(m.line() + line_offset, m.column(), len);
    match marked_yaml::parse_yaml_with_options(0, text, opts) {
        Ok(Node::Mapping(m)) => (Some(m), None),
        Ok(_) => (
            None,
            Some(Diagnostic::error(
                file,
                Some(Pos::new(1 + line_offset, 1, 1)),
                "YAML 信息块必须是“键: 值”的形式",
            )),
        ),
        Err(e) => {
            use marked_yaml::LoadError as E;
            let d = match e {
                E::TopLevelMustBeMapping(m) | E::TopLevelMustBeSequence(m) => Diagnostic::error(
                    file,
                    Some(pos_of(&m, 1)),
                    "YAML 信息块必须是“键: 值”的形式",
                ),
                E::UnexpectedAnchor(m) => Diagnostic::error(
                    file,
                    Some(pos_of(&m, 1)),
                    "不支持 YAML 锚点（&）",
                )
                .with_hint("以 & 或 * 开头的值请加引号"),
                E::MappingKeyMustBeScalar(m) => {
                    Diagnostic::error(file, Some(pos_of(&m, 1)), "键必须是简单的文字")
                }
                E::UnexpectedTag(m) => Diagnostic::error(
                    file,
                    Some(pos_of(&m, 1)),
                    "不支持 YAML 标签（!）",
                )
                .with_hint("以 ! 开头的值请加引号"),
                E::ScanError(m, err) => Diagnostic::error(
                    file,
                    Some(pos_of(&m, 1)),
                    format!("YAML 语法错误：{}", err.info()),
                )
                .with_hint("检查冒号后是否有空格、缩进是否对齐、引号是否成对；含冒号或以特殊符号开头的值请加引号"),
                E::DuplicateKey(inner) => {
                    let first = inner.prev_key.span().start().map(|m| pos_of(m, inner.prev_key.as_str().chars().count()));
                    let again = inner.key.span().start().map(|m| pos_of(m, inner.key.as_str().chars().count()));
                    Diagnostic::error(
                        file,
                        again,
                        format!("键 `{}` 重复出现", inner.key.as_str()),
                    )
                    .also_at(file, first)
                    .with_hint("每个键只能写一次，删除其中一个")
                }
            };
            (None, Some(d))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_errors_get_file_lines() {
        let (_, d) = parse_mapping("x.md", "title: a\ntitle: b\n", 1);
        let d = d.unwrap();
        assert_eq!(d.pos.map(|p| (p.line, p.col)), Some((3, 1)));
        let (_, d) = parse_mapping("x.md", "title: [a\n", 1);
        assert!(d.unwrap().message.contains("YAML"));
    }

    #[test]
    fn deep_yaml_is_refused_without_recursing() {
        for n in [70, 2_500, 100_000] {
            let block = format!("x_deep:\n  {}x\n", "- ".repeat(n));
            let (map, d) = parse_mapping("t.md", &block, 1);
            let d = d.expect("deep block YAML refused");
            assert!(map.is_none());
            assert!(d.message.contains("嵌套"), "{}", d.message);
            let flow = format!("x_deep: {}{}\n", "[".repeat(n), "]".repeat(n));
            assert!(parse_mapping("t.md", &flow, 1).1.is_some());
            let lines: String = (0..n.min(5_000))
                .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
                .collect();
            assert!(parse_mapping("t.md", &lines, 1).1.is_some());
        }
        // Ordinary nesting is fine, and cheap to vouch for.
        let ok = "title: 甲\nx_votes:\n  - name: 乙\n    for: [1, 2]\n  - - 3\n";
        assert!(nesting_bound(ok) <= MAX_YAML_DEPTH);
        assert!(parse_mapping("t.md", ok, 1).1.is_none());
        let sixty = format!("x_deep: {}1{}\n", "[".repeat(60), "]".repeat(60));
        assert!(parse_mapping("t.md", &sixty, 1).1.is_none());
    }

    #[test]
    fn the_nesting_bound_is_an_upper_bound() {
        let cases = [
            "a: 1\nb:\n  c:\n    d: [1, {e: 2}]\n",
            "a:\n- b:\n  - c:\n    - d: 1\n",
            "a:\n  - - - - x\n  - ? - y\n    : - z\n",
            "a: |\n      text\nb: {c: [d, [e]]}\n",
        ];
        for text in cases {
            use yaml_rust2::parser::{Event, Parser};
            let mut parser = Parser::new_from_str(text);
            let (mut depth, mut deepest) = (0usize, 0usize);
            loop {
                match parser.next_token().unwrap().0 {
                    Event::SequenceStart(..) | Event::MappingStart(..) => {
                        depth += 1;
                        deepest = deepest.max(depth);
                    }
                    Event::SequenceEnd | Event::MappingEnd => depth -= 1,
                    Event::StreamEnd => break,
                    _ => {}
                }
            }
            assert!(nesting_bound(text) >= deepest, "{text}");
        }
    }

    #[test]
    fn yaml_12_keeps_yes_as_text() {
        let (m, _) = parse_mapping("x.md", "a: yes\nb: 2016-05-01\nc: 21:30\n", 0);
        let m = m.unwrap();
        assert_eq!(m.get_scalar("a").unwrap().as_str(), "yes");
        assert_eq!(m.get_scalar("a").unwrap().as_bool(), None);
        assert_eq!(m.get_scalar("c").unwrap().as_str(), "21:30");
    }

    #[test]
    fn ignored_names() {
        assert!(is_ignored(".git"));
        assert!(is_ignored("a.md~"));
        assert!(is_ignored(".a.md.swp"));
        assert!(!is_ignored("a.md"));
    }
}

#[cfg(test)]
mod body_tests {
    use super::*;

    #[test]
    fn body_read_again_must_be_the_validated_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        let text = "---\ntitle: 甲\n---\n正文 13812345678\n";
        std::fs::write(&path, text).unwrap();
        let hash = crate::hash::hash_of(text);
        assert_eq!(read_body(&path, hash, false).unwrap(), "正文 13812345678\n");
        assert_eq!(
            read_body(&path, hash, true).unwrap(),
            "正文 138\\*\\*\\*\\*5678\n"
        );
        std::fs::write(&path, text.replace("甲", "乙")).unwrap();
        let e = read_body(&path, hash, false).unwrap_err();
        assert!(e.to_string().contains("被修改"), "{e}");
    }
}

/// The front matter of a record's decoded text, split and parsed as
/// [`read`] does it (fences, YAML with positions, the nesting bound), with
/// no file: for the fuzz targets (`fuzz/`). Returns the mapping (`None`
/// when it did not parse), the body, the body's first line, and the
/// problems found.
pub fn parse_record_text(
    file: &str,
    text: &str,
) -> (
    Option<marked_yaml::types::MarkedMappingNode>,
    String,
    usize,
    Vec<Diagnostic>,
) {
    match split_front_matter(text) {
        Ok((front, front_line, body, body_line)) => {
            let (map, diag) = parse_mapping(file, &front, front_line);
            (map, body, body_line, diag.into_iter().collect())
        }
        Err(e) => (None, String::new(), 1, vec![e.into_diagnostic(file)]),
    }
}
