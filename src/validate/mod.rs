//! Stage 2: turn loaded YAML into typed places and records, checking every
//! rule of the content model, and resolve references between records.
//!
//! Every problem is collected; nothing stops at the first one.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use marked_yaml::Node;
use rayon::prelude::*;

use crate::config::{is_slug, PrivacyMode, SiteConfig};
use crate::date::{parse_date, parse_end, parse_moment, Moment};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::load::{Loaded, LoadedRecord, LoadedYaml, RecordFile, Stamp};
use crate::model::*;
use crate::privacy;
use crate::vocab::{suggest, Vocabulary};

const SHARED_KEYS: [&str; 4] = ["title", "draft", "tags", "summary"];
const TOPIC_KEYS: [&str; 9] = [
    "type",
    "proposed",
    "proposer",
    "notice",
    "notice_until",
    "villages",
    "withdrawn",
    "amount",
    "related",
];
const SESSION_KEYS: [&str; 10] = [
    "topic",
    "topics",
    "date",
    "end",
    "form",
    "location",
    "participants",
    "attendance",
    "vote",
    "attachments",
];
const OUTCOME_KEYS: [&str; 8] = [
    "topic",
    "sessions",
    "decided",
    "result",
    "responsible",
    "deadline",
    "amount",
    "progress",
];
const PLACE_KEYS: [&str; 7] = [
    "name",
    "kind",
    "summary",
    "population",
    "households",
    "order",
    "code",
];
const TALLY_KEYS: [&str; 3] = ["for", "against", "abstain"];

/// The checked result of one record file, kept between builds (`serve`) so
/// that an unchanged file is neither read nor checked again.
#[derive(Debug)]
pub struct CheckedRecord {
    pub path: std::path::PathBuf,
    pub stamp: Option<Stamp>,
    /// When the file was read: a file changed just before it was read may
    /// change again within the same timestamp tick, so it is not trusted.
    pub read_at: std::time::SystemTime,
    pub kind: RecordKind,
    pub place: usize,
    /// The record, or its id when it has errors (see `broken` below).
    pub record: Result<Record, String>,
    /// Every problem of the file, from reading and from checking.
    pub diags: Vec<Diagnostic>,
}

/// Checked record files by path, from the previous build.
pub type RecordCache = HashMap<std::path::PathBuf, Arc<CheckedRecord>>;

/// A record file to read and check, or the checked result of an earlier
/// read of the same unchanged file.
#[derive(Debug)]
pub enum RecordInput {
    Unread(RecordFile),
    Reused(Arc<CheckedRecord>),
}

/// Which of the found record `files` need reading, and which earlier results
/// in `cache` stand for them: the one place that decides reuse. A cached
/// result is reused when its file's stamp is unchanged; with `changed`
/// given (paths reported by the watcher since the cache was made), only
/// those files are looked at on disk at all. Without a cache (a one-off
/// build) every file is read and none is stamped.
pub fn reuse(
    files: Vec<RecordFile>,
    cache: Option<&RecordCache>,
    changed: Option<&[std::path::PathBuf]>,
) -> Vec<RecordInput> {
    let changed: Option<HashSet<&Path>> =
        changed.map(|c| c.iter().map(std::path::PathBuf::as_path).collect());
    files
        .into_par_iter()
        .map(|mut file| {
            let Some(cache) = cache else {
                return RecordInput::Unread(file);
            };
            let hit = cache.get(&file.path);
            if let (Some(changed), Some(hit)) = (&changed, hit) {
                if !changed.contains(file.path.as_path()) {
                    return RecordInput::Reused(hit.clone());
                }
            }
            file.stamp = Stamp::of(&file.path);
            if let Some(hit) = hit {
                let trusted = match (&file.stamp, &hit.stamp) {
                    (Some(now), Some(old)) => now.trusts(old, hit.read_at),
                    _ => false,
                };
                if trusted && hit.kind == file.kind && hit.place == file.place {
                    return RecordInput::Reused(hit.clone());
                }
            }
            RecordInput::Unread(file)
        })
        .collect()
}

/// Above this many record files, a one-off build keeps bodies on disk and
/// reads them again when rendering, and builds a record's card each time a
/// list shows it instead of keeping it: at a million records, bodies alone
/// would take some 2.5 GB and cards over 1 GB.
pub const DEFER_BODIES_ABOVE: usize = 200_000;

/// [`DEFER_BODIES_ABOVE`], unless `YISHI_DEFER_BODIES_ABOVE` says otherwise
/// (for tests of the large-site paths on small sites).
pub fn defer_bodies_above() -> usize {
    std::env::var("YISHI_DEFER_BODIES_ABOVE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFER_BODIES_ABOVE)
}

/// Validate everything loaded. Drafts are checked like any record but kept
/// only when `include_drafts` is set. With `keep_cache`, also returns the
/// checked files for the next build (the preview server's); else it is
/// empty and records are moved rather than copied.
pub fn validate(
    root: &Path,
    loaded: Loaded,
    inputs: Vec<RecordInput>,
    config: &SiteConfig,
    include_drafts: bool,
    keep_cache: bool,
    diags: &mut Diagnostics,
) -> (Site, RecordCache) {
    let places = validate_places(&loaded, config, diags);
    // Attachment names are part of addresses: no mask possible.
    for a in &loaded.attachments {
        if let Some(fd) = privacy::scan(&a.rel).first() {
            diags.push(
                Diagnostic::error(
                    format!("content/{}", a.rel),
                    None,
                    format!("附件文件名中含有疑似{}", fd.kind.label()),
                )
                .with_hint("文件名会出现在网址中，无法打码；请改名"),
            );
        }
    }
    // One-off builds of very large sites leave bodies on disk (see `Body`).
    let defer_bodies = !keep_cache && inputs.len() > defer_bodies_above();
    let place_index: HashMap<String, usize> = places
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id(), i))
        .collect();

    let checked: Vec<(std::path::PathBuf, Arc<CheckedRecord>)> = inputs
        .into_par_iter()
        .map(|input| match input {
            RecordInput::Reused(c) => (c.path.clone(), c),
            RecordInput::Unread(file) => {
                let r = match crate::load::read(root, &file) {
                    Ok(r) => r,
                    Err(d) => {
                        // Unreadable (not UTF-8, gone): reported, never cached
                        // as good (no stamp), and not reported again through
                        // references to it.
                        let stem = file
                            .path
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        let p = places[file.place].id();
                        let id = if p.is_empty() {
                            stem
                        } else {
                            format!("{p}/{stem}")
                        };
                        let c = CheckedRecord {
                            path: file.path.clone(),
                            stamp: None,
                            read_at: std::time::SystemTime::UNIX_EPOCH,
                            kind: file.kind,
                            place: file.place,
                            record: Err(id),
                            diags: vec![d],
                        };
                        return (file.path, Arc::new(c));
                    }
                };
                let mut r = r;
                let (raw_privacy, seen) = privacy_in_file(&r.front, r.body.len(), config.privacy);
                let value_privacy = privacy_values(&mut r.front, config.privacy, &seen);
                let mut f = Fields::new(&r.front, config.privacy);
                let place = &places[r.place];
                let rec =
                    record_from(root, &r, place, config, defer_bodies, &mut f).ok_or_else(|| {
                        let p = place.id();
                        if p.is_empty() {
                            r.stem.clone()
                        } else {
                            format!("{p}/{}", r.stem)
                        }
                    });
                let mut all_diags = r.diags;
                all_diags.extend(f.diags);
                all_diags.extend(raw_privacy);
                all_diags.extend(value_privacy);
                let c = CheckedRecord {
                    path: r.path.clone(),
                    stamp: r.stamp,
                    read_at: r.read_at,
                    kind: r.kind,
                    place: r.place,
                    record: rec,
                    diags: all_diags,
                };
                (r.path, Arc::new(c))
            }
        })
        .collect();
    // Ids of records that failed to validate: references to them are not
    // reported again (the record's own error says what is wrong).
    let mut broken: HashSet<String> = HashSet::new();
    for (_, c) in &checked {
        diags.extend(c.diags.iter().cloned());
        if let Err(id) = &c.record {
            broken.insert(id.clone());
        }
    }
    let mut cache = RecordCache::new();
    let all: Vec<Record> = if keep_cache {
        // Cloned out (in parallel): the cache keeps its copy for next time.
        let all = checked
            .par_iter()
            .filter_map(|(_, c)| c.record.as_ref().ok().cloned())
            .collect();
        cache.extend(checked);
        all
    } else {
        // A one-off build: move the records out instead of copying them.
        checked
            .into_par_iter()
            .filter_map(|(_, c)| match Arc::try_unwrap(c) {
                Ok(c) => c.record.ok(),
                Err(shared) => shared.record.as_ref().ok().cloned(),
            })
            .collect()
    };

    // Ids are unique across the site, drafts included.
    let mut first_of: HashMap<&str, &Record> = HashMap::new();
    for r in &all {
        if let Some(prev) = first_of.insert(&r.id, r) {
            diags.push(
                Diagnostic::error(
                    r.file.clone(),
                    None,
                    format!("记录标识 `{}` 与另一个文件重复", r.id),
                )
                .also_at(prev.file.clone(), None)
                .with_hint("同一地点的记录文件名不能相同（议题、会议、成果之间也不能相同）；请改名其中一个"),
            );
        }
    }
    let drafts: HashMap<String, String> = all
        .iter()
        .filter(|r| r.draft && !include_drafts)
        .map(|r| (r.id.clone(), r.file.clone()))
        .collect();
    // Sort by id through an index, so that each (large) record moves once.
    let mut kept: Vec<Option<Record>> = all
        .into_iter()
        .filter(|r| include_drafts || !r.draft)
        .map(Some)
        .collect();
    let mut order: Vec<usize> = (0..kept.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (kept[a].as_ref(), kept[b].as_ref());
        ra.map(|r| &r.id).cmp(&rb.map(|r| &r.id))
    });
    let mut records: Vec<Record> = order.into_iter().filter_map(|i| kept[i].take()).collect();
    records.dedup_by(|a, b| a.id == b.id);

    check_attachments(&loaded.attachments, diags);
    let mut site = Site {
        places,
        records,
        attachments: loaded.attachments,
    };
    resolve(&mut site, &place_index, &drafts, &broken, diags);
    (site, cache)
}

/// Whether a body has enough characters that open a level (tags, quote
/// markers, list markers) to nest deeper than `MAX_NESTING`: a cheap test,
/// so that only such bodies are rendered an extra time to be sure.
fn body_may_nest_deeply(body: &str) -> bool {
    body.len() > crate::markdown::MAX_NESTING
        && body
            .bytes()
            .filter(|b| matches!(b, b'<' | b'>' | b'-' | b'*' | b'+' | b'.' | b')'))
            .count()
            > crate::markdown::MAX_NESTING
}

// ---------------------------------------------------------------------------
// Attachments

/// Extensions of files a browser runs as a page of the site (scripts
/// included) when it opens them from the site's own address. A static
/// host cannot be told to serve them as downloads, so they are refused.
const ACTIVE_EXTENSIONS: [&str; 12] = [
    "html", "htm", "shtml", "xhtml", "xht", "svg", "svgz", "xml", "xsl", "xslt", "mht", "mhtml",
];

/// Whether the file name `name` is one a browser would run (see
/// [`ACTIVE_EXTENSIONS`]), in any case.
pub fn is_active_attachment(name: &str) -> bool {
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    ACTIVE_EXTENSIONS
        .iter()
        .any(|a| a.eq_ignore_ascii_case(ext.trim_end_matches(['.', ' '])))
}

/// Check every file under a `files/` folder, which is published as it is
/// whether a record lists it or not.
fn check_attachments(attachments: &[crate::model::Attachment], diags: &mut Diagnostics) {
    for a in attachments {
        let shown = format!("content/{}", a.rel);
        let name = a.rel.rsplit('/').next().unwrap_or(&a.rel);
        if a.source.file_name().and_then(|n| n.to_str()).is_none() {
            diags.push(
                Diagnostic::error(shown, None, "附件文件名不是有效的 UTF-8 文字").with_hint(
                    "请用 UTF-8 重命名该文件（常见于从旧系统或压缩包中拷来的 GBK 文件名）",
                ),
            );
        } else if name.contains('\\') {
            diags.push(
                Diagnostic::error(shown, None, "附件文件名中不能有反斜杠 `\\`")
                    .with_hint("请重命名该文件，去掉 `\\`"),
            );
        } else if is_active_attachment(name) {
            diags.push(
                Diagnostic::error(
                    shown,
                    None,
                    format!(
                        "附件 `{name}` 不能发布：浏览器会把它当作本站的网页打开并运行其中的脚本"
                    ),
                )
                .with_hint("把它压缩成 .zip，或转换为 PDF 后再放入 files/"),
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Places

fn validate_places(loaded: &Loaded, config: &SiteConfig, diags: &mut Diagnostics) -> Vec<Place> {
    let mut places: Vec<Place> = Vec::with_capacity(loaded.places.len());
    let mut by_path: HashMap<Vec<String>, usize> = HashMap::new();
    for lp in &loaded.places {
        let depth = lp.path.len();
        let parent = if depth == 0 {
            None
        } else {
            by_path.get(&lp.path[..depth - 1]).copied()
        };
        let mut place = Place {
            path: lp.path.clone(),
            name: lp.path.last().cloned().unwrap_or_default(),
            kind: None,
            summary: None,
            population: None,
            households: None,
            order: None,
            code: None,
            parent,
            children: Vec::new(),
            file: lp
                .file
                .as_ref()
                .map(|f| f.file.clone())
                .unwrap_or_else(|| format!("{}/_place.yaml", lp.dir)),
        };
        for segment in &lp.path {
            if let Some(fd) = privacy::scan(segment).first() {
                diags.push(
                    Diagnostic::error(
                        lp.dir.clone(),
                        None,
                        format!("文件夹名中含有疑似{}", fd.kind.label()),
                    )
                    .with_hint("文件夹名会出现在网址中，无法打码；请改名"),
                );
            }
        }
        let mut masked_yaml = None;
        let mut place_privacy = Vec::new();
        if let Some(y) = &lp.file {
            let (raw, seen) = privacy_in_file(y, 0, config.privacy);
            place_privacy = raw;
            let mut copy = y.clone();
            let values = privacy_values(&mut copy, config.privacy, &seen);
            if !values.is_empty() || !place_privacy.is_empty() {
                place_privacy.extend(values);
                masked_yaml = Some(copy);
            }
        }
        if let Some(y) = masked_yaml.as_ref().or(lp.file.as_ref()) {
            let mut f = Fields::new(y, config.privacy);
            if f.map.is_some() {
                f.check_keys(&PLACE_KEYS, false);
                if let Some(name) = f.string("name", true) {
                    place.name = name;
                }
                if let Some((kind_text, pos)) = f.string_at("kind", true) {
                    match PlaceKind::parse(&kind_text) {
                        Some(k) if PlaceKind::allowed_at(depth).contains(&k) => {
                            place.kind = Some(k)
                        }
                        Some(_) => f.error(
                            pos,
                            format!("这一层的地点不能是 `{kind_text}`"),
                            Some(depth_hint(depth)),
                        ),
                        None => f.error(
                            pos,
                            format!("未知的地点类型 `{kind_text}`"),
                            Some(depth_hint(depth)),
                        ),
                    }
                }
                place.summary = f.string("summary", false).map(|s| f.masked(s));
                place.population = f.count("population");
                place.households = f.count("households");
                place.order = f.integer("order");
                if let Some((code, pos)) = f.string_at("code", false) {
                    if code.len() == 12 && code.bytes().all(|b| b.is_ascii_digit()) {
                        place.code = Some(code);
                    } else {
                        f.error(
                            pos,
                            format!("区划代码 `{code}` 应为 12 位数字"),
                            Some("统计用区划代码共 12 位，如 \"320481104000\"".into()),
                        );
                    }
                }
                if let (Some(code), Some(pi)) = (&place.code, parent) {
                    let parent_place: &Place = &places[pi];
                    if let (Some(pc), true) = (&parent_place.code, depth == 2) {
                        if code[..9] != pc[..9] {
                            let pos = f.value_pos("code");
                            f.error(
                                pos,
                                format!("村（社区）的区划代码 `{code}` 应以所属镇（街道）代码的前 9 位 `{}` 开头", &pc[..9]),
                                Some(format!("检查 {} 中的 code", parent_place.file)),
                            );
                        }
                    }
                }
            }
            diags.extend(f.diags);
        }
        diags.extend(place_privacy);
        by_path.insert(lp.path.clone(), places.len());
        places.push(place);
    }
    // Children, sorted by order, then code, then slug.
    for i in 0..places.len() {
        if let Some(p) = places[i].parent {
            places[p].children.push(i);
        }
    }
    for i in 0..places.len() {
        let mut kids = std::mem::take(&mut places[i].children);
        kids.sort_by(|&a, &b| {
            let (pa, pb) = (&places[a], &places[b]);
            (pa.order.is_none(), pa.order, &pa.code, pa.path.last()).cmp(&(
                pb.order.is_none(),
                pb.order,
                &pb.code,
                pb.path.last(),
            ))
        });
        places[i].children = kids;
    }
    places
}

fn depth_hint(depth: usize) -> String {
    match depth {
        0 => "content/_place.yaml 描述市县本身：kind 写 city、county、district（或 市、县、区）",
        1 => "镇一级的 kind 写 town、street、district（或 镇、街道、区）",
        _ => "村一级的 kind 写 village、community（或 村、社区）",
    }
    .to_string()
}

// ---------------------------------------------------------------------------
// Records

fn record_from(
    root: &Path,
    r: &LoadedRecord,
    place: &Place,
    config: &SiteConfig,
    defer_body: bool,
    f: &mut Fields,
) -> Option<Record> {
    let file = r.front.file.clone();
    if !is_slug(&r.stem) {
        f.diags.push(
            Diagnostic::error(
                file.clone(),
                None,
                format!("文件名 `{}` 不能作为记录标识", r.stem),
            )
            .with_hint("记录文件名只用小写字母、数字和连字符，如 2016-road-hardening.md"),
        );
    } else if TALLY_KEYS.contains(&r.stem.as_str()) {
        f.diags.push(
            Diagnostic::error(
                file.clone(),
                None,
                format!("`{}` 是保留字，不能作为记录文件名", r.stem),
            )
            .with_hint("for、against、abstain 用于表决计票，请换一个文件名"),
        );
    }
    for finding in privacy::scan(&r.stem) {
        f.diags.push(
            Diagnostic::error(
                file.clone(),
                None,
                format!("文件名中含有疑似{}", finding.kind.label()),
            )
            .with_hint("文件名会出现在网址中，无法打码；请改名"),
        );
    }
    f.map?;
    let kind_keys: &[&str] = match r.kind {
        RecordKind::Topic => &TOPIC_KEYS,
        RecordKind::Session => &SESSION_KEYS,
        RecordKind::Outcome => &OUTCOME_KEYS,
    };
    let allowed: Vec<&str> = SHARED_KEYS.iter().chain(kind_keys).copied().collect();
    f.check_keys(&allowed, true);

    let title = f.string("title", true).map(|s| f.masked(s));
    let draft = f.boolean("draft").unwrap_or(false);
    let tags = f
        .string_list("tags")
        .into_iter()
        .map(|(s, _)| f.masked(s))
        .collect();
    let summary = f.string("summary", false).map(|s| f.masked(s));
    let extra = f.extra();
    let mask = f.privacy == PrivacyMode::Mask;
    let masked = if mask {
        privacy::mask_markup(&r.body)
    } else {
        r.body.clone()
    };

    if body_may_nest_deeply(&r.body) && crate::markdown::too_deep(&r.body) {
        f.diags.push(
            Diagnostic::warning(
                r.front.file.clone(),
                Some(Pos::new(r.body_line, 1, 0)),
                format!(
                    "正文的 HTML 嵌套超过 {} 层，将只显示其中的文字",
                    crate::markdown::MAX_NESTING
                ),
            )
            .with_hint("检查正文中是否有未闭合的 <div> 等标签（常见于从网页或 Word 粘贴的内容）"),
        );
    }
    let data = match r.kind {
        RecordKind::Topic => topic_from(f, place, config).map(RecordBody::Topic),
        RecordKind::Session => session_from(root, r, f, config).map(RecordBody::Session),
        RecordKind::Outcome => outcome_from(f, config).map(RecordBody::Outcome),
    };
    let id = if place.path.is_empty() {
        r.stem.clone()
    } else {
        format!("{}/{}", place.id(), r.stem)
    };
    let plain_summary: std::sync::Arc<str> = summary
        .clone()
        .unwrap_or_else(|| crate::markdown::first_paragraph(&masked))
        .into();
    let source_hash = crate::hash::hash_of(r.front.text.as_str());
    let body = if defer_body {
        Body::OnDisk {
            path: r.path.clone(),
            source_hash,
            mask,
        }
    } else {
        Body::Text(masked.into())
    };
    Some(Record {
        id,
        plain_summary,
        source_hash,
        slug: r.stem.clone(),
        place: r.place,
        kind: r.kind,
        file,
        title: title?,
        draft,
        tags,
        summary,
        body,
        extra,
        data: data?,
    })
}

fn topic_from(f: &mut Fields, place: &Place, config: &SiteConfig) -> Option<Topic> {
    let topic_type = f.term("type", &config.vocabularies.topic_types, true);
    let proposed = f.date("proposed", true);
    let proposer = f.string("proposer", false).map(|s| f.masked(s));
    let notice = f.date("notice", false);
    let notice_until = f.date("notice_until", false);
    if let (Some(n), Some(u)) = (notice, notice_until) {
        if u < n {
            let pos = f.value_pos("notice_until");
            f.error(
                pos,
                format!("公示截止日 {u} 早于公示日 {n}"),
                Some("notice_until 不能早于 notice".into()),
            );
        }
    }
    let withdrawn = f.date("withdrawn", false);
    let amount = f.amount("amount");
    let villages_ref = f.refs("villages");
    if !villages_ref.is_empty() && place.depth() != 1 {
        let pos = f.key_pos("villages");
        f.error(
            pos,
            "只有镇（街道）一级的议题可以写 villages".to_string(),
            Some("把议题放到镇的 topics/ 文件夹中，或删除 villages".into()),
        );
    }
    let related_ref = f.refs("related");
    Some(Topic {
        topic_type: topic_type?,
        proposed: proposed?,
        proposer,
        notice,
        notice_until,
        withdrawn,
        amount,
        villages_ref,
        related_ref,
        villages: Vec::new(),
        related: Vec::new(),
    })
}

fn session_from(
    root: &Path,
    r: &LoadedRecord,
    f: &mut Fields,
    config: &SiteConfig,
) -> Option<Session> {
    let tz = config.timezone;
    let topics_ref = match (f.has("topic"), f.has("topics")) {
        (true, true) => {
            let pos = f.key_pos("topics");
            f.error(
                pos,
                "topic 和 topics 只能写一个".into(),
                Some("一个议题写 topic，多个议题写 topics 列表".into()),
            );
            Vec::new()
        }
        (true, false) => f.refs("topic"),
        (false, true) => f.refs("topics"),
        (false, false) => {
            f.missing("topic", "写上所协商的议题，如 topic: 2016-road-hardening");
            Vec::new()
        }
    };
    let date: Option<Moment> = f.with_scalar("date", true, |s| parse_moment(s, tz));
    let end = match date {
        Some(start) => {
            let end = f.with_scalar("end", false, |s| parse_end(s, &start, tz));
            if let Some(e) = end {
                if e.instant(tz) < start.instant(tz) {
                    let pos = f.value_pos("end");
                    f.error(
                        pos,
                        "结束时间早于开始时间".into(),
                        Some("检查 end 与 date；跨天的会议把 end 写成完整日期时间".into()),
                    );
                }
            }
            end
        }
        None => None,
    };
    let form = f.term("form", &config.vocabularies.session_forms, true);
    let location = f.string("location", false).map(|s| f.masked(s));
    let mut participants = Vec::new();
    if let Some((node, _)) = f.node("participants") {
        match node.as_mapping() {
            Some(m) => {
                for (k, v) in m.iter() {
                    let kpos = f.scalar_pos(k);
                    let group = match config.vocabularies.participant_groups.find(k.as_str()) {
                        Some(g) => Some(g),
                        None => {
                            let hint =
                                vocab_hint(&config.vocabularies.participant_groups, k.as_str());
                            f.error(kpos, format!("未知的参会群体 `{}`", k.as_str()), Some(hint));
                            None
                        }
                    };
                    let count = f.count_node(v);
                    if let (Some(g), Some(c)) = (group, count) {
                        participants.push((g, c));
                    }
                }
            }
            None => {
                let pos = f.node_pos(node);
                f.error(
                    pos,
                    "participants 应为“群体: 人数”的对照表".into(),
                    Some("例如 participants: {resident-reps: 23, officials: 2}".into()),
                );
            }
        }
    }
    let attendance = f.count("attendance");
    if let Some(a) = attendance {
        let sum: u64 = participants.iter().map(|(_, c)| c).sum();
        if sum > a {
            let pos = f.value_pos("attendance");
            f.error(
                pos,
                format!("到会总人数 {a} 少于各群体人数之和 {sum}"),
                Some("attendance 应不少于 participants 中各项之和".into()),
            );
        }
    }
    let vote = f
        .node("vote")
        .and_then(|(node, _)| vote_from(f, node, attendance));
    let mut attachments = Vec::new();
    let record_dir = Path::new(&r.front.file)
        .parent()
        .map(|p| root.join(p))
        .unwrap_or_else(|| root.to_path_buf());
    for (path, pos) in f.string_list("attachments") {
        let clean = path.trim_start_matches("./").to_string();
        if clean.contains('\\') {
            f.error(
                pos,
                format!("附件路径 `{path}` 中不能有反斜杠 `\\`"),
                Some("路径用 `/` 分隔，写作 files/文件名.pdf".into()),
            );
            continue;
        }
        let inside_files = clean.starts_with("files/")
            && !clean.split('/').any(|seg| seg == ".." || seg.is_empty());
        if !inside_files {
            f.error(
                pos,
                format!("附件路径 `{path}` 无效"),
                Some("附件放在记录所在文件夹的 files/ 中，写作 files/文件名.pdf".into()),
            );
        } else if !record_dir.join(&clean).is_file() {
            f.error(
                pos,
                format!("找不到附件 `{path}`"),
                Some(format!(
                    "把文件放到 {}/{clean}，或改正文件名（区分大小写）",
                    Path::new(&r.front.file)
                        .parent()
                        .map(|p| p.to_string_lossy().into_owned())
                        .unwrap_or_default()
                )),
            );
        } else {
            attachments.push(clean);
        }
    }
    Some(Session {
        topics_ref,
        topics: Vec::new(),
        date: date?,
        end,
        form: form?,
        location,
        participants,
        attendance,
        vote,
        attachments,
    })
}

fn vote_from(f: &mut Fields, node: &Node, attendance: Option<u64>) -> Option<Vote> {
    let Some(m) = node.as_mapping() else {
        let pos = f.node_pos(node);
        f.error(
            pos,
            "vote 应为计票表".into(),
            Some("例如 vote: {for: 24, against: 2, abstain: 1}".into()),
        );
        return None;
    };
    let is_single = m.iter().all(|(k, _)| TALLY_KEYS.contains(&k.as_str()));
    if is_single {
        let t = tally_from(f, node, attendance)?;
        return Some(Vote::Single(t));
    }
    let mut per = Vec::new();
    for (k, v) in m.iter() {
        let pos = f.scalar_pos(k);
        if TALLY_KEYS.contains(&k.as_str()) {
            f.error(
                pos,
                format!("计票表中 `{}` 与议题引用混在一起", k.as_str()),
                Some("多个议题分别计票时，每个议题写一行：议题: {for: 10, against: 2}".into()),
            );
            continue;
        }
        if let Some(t) = tally_from(f, v, attendance) {
            per.push((
                Ref {
                    text: k.as_str().to_string(),
                    pos,
                },
                None,
                t,
            ));
        }
    }
    Some(Vote::PerTopic(per))
}

fn tally_from(f: &mut Fields, node: &Node, attendance: Option<u64>) -> Option<Tally> {
    let pos = f.node_pos(node);
    let Some(m) = node.as_mapping() else {
        f.error(
            pos,
            "计票应为 {for: 赞成, against: 反对, abstain: 弃权}".into(),
            None,
        );
        return None;
    };
    let mut t = Tally::default();
    let mut ok = true;
    for (k, v) in m.iter() {
        let count = f.count_node(v);
        match (k.as_str(), count) {
            ("for", Some(c)) => t.yes = Some(c),
            ("against", Some(c)) => t.against = Some(c),
            ("abstain", Some(c)) => t.abstain = Some(c),
            (_, None) => ok = false,
            (other, Some(_)) => {
                let kpos = f.scalar_pos(k);
                f.error(
                    kpos,
                    format!("计票中未知的项 `{other}`"),
                    Some("只能是 for（赞成）、against（反对）、abstain（弃权）".into()),
                );
                ok = false;
            }
        }
    }
    if let Some(a) = attendance {
        if t.sum() > a {
            f.error(
                pos,
                format!("表决票数合计 {} 超过到会人数 {a}", t.sum()),
                Some("检查 vote 与 attendance".into()),
            );
        }
    }
    ok.then_some(t)
}

fn outcome_from(f: &mut Fields, config: &SiteConfig) -> Option<Outcome> {
    let topic_ref = match f.node("topic") {
        Some((Node::Scalar(s), _)) => Some(Ref {
            text: s.as_str().trim().to_string(),
            pos: f.scalar_pos(s),
        }),
        Some((other, _)) => {
            let pos = f.node_pos(other);
            f.error(
                pos,
                "协商成果只对应一个议题".into(),
                Some("topic 写一个议题；另一个议题请另写一份成果".into()),
            );
            None
        }
        None => {
            f.missing("topic", "写上成果所属的议题，如 topic: 2016-road-hardening");
            None
        }
    };
    let sessions_ref = f.refs("sessions");
    let decided = f.date("decided", true);
    let result = f.term("result", &config.vocabularies.results, true);
    let responsible = f.string("responsible", false).map(|s| f.masked(s));
    let deadline = f.date("deadline", false);
    let amount = f.amount("amount");
    let mut progress = Vec::new();
    if let Some((node, _)) = f.node("progress") {
        match node.as_sequence() {
            Some(seq) => {
                for item in seq.iter() {
                    if let Some(p) = progress_from(f, item, config) {
                        if let Some(prev) = progress.last() {
                            let prev: &Progress = prev;
                            if p.date < prev.date {
                                let pos = f.node_pos(item);
                                f.error(
                                    pos,
                                    format!("进展 {} 早于上一条 {}", p.date, prev.date),
                                    Some("progress 按时间从早到晚排列，最新的写在最后".into()),
                                );
                            }
                        }
                        progress.push(p);
                    }
                }
            }
            None => {
                let pos = f.node_pos(node);
                f.error(
                    pos,
                    "progress 应为列表".into(),
                    Some("每条写作 - {date: 2016-06-01, state: started, note: 施工队进场}".into()),
                );
            }
        }
    }
    Some(Outcome {
        topic_ref: topic_ref?,
        topic: None,
        sessions_ref,
        sessions: Vec::new(),
        decided: decided?,
        result: result?,
        responsible,
        deadline,
        amount,
        progress,
    })
}

fn progress_from(f: &mut Fields, node: &Node, config: &SiteConfig) -> Option<Progress> {
    let Some(m) = node.as_mapping() else {
        let pos = f.node_pos(node);
        f.error(
            pos,
            "每条进展应包含 date、state、note".into(),
            Some("例如 - {date: 2016-06-01, state: started, note: 施工队进场}".into()),
        );
        return None;
    };
    let mut sub = f.sub(m);
    sub.check_keys(&["date", "state", "note"], false);
    let date = sub.date("date", true);
    let state = sub.term("state", &config.vocabularies.progress_states, true);
    let note = sub.string("note", false).map(|s| sub.masked(s));
    let ds = std::mem::take(&mut sub.diags);
    f.diags.extend(ds);
    Some(Progress {
        date: date?,
        state: state?,
        note,
    })
}

fn vocab_hint(v: &Vocabulary, word: &str) -> String {
    match v.suggest(word) {
        Some(s) => format!("是不是 `{s}`？"),
        None => format!("可用的值：{}", v.listing()),
    }
}

/// Personal numbers in what a YAML block publishes, read after decoding
/// (escapes, line continuations, quoting): keys (always an error: a key
/// cannot be masked) and values (errors, or masked in the tree itself
/// when the site masks, so that every field, numbers included, sees only
/// the masked text). `seen` holds the lines the raw scan reported already.
fn privacy_values(
    y: &mut LoadedYaml,
    mode: PrivacyMode,
    seen: &std::collections::HashSet<usize>,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let Some(map) = y.map.as_mut() else {
        return diags;
    };
    let offset = y.line_offset;
    let file = y.file.clone();
    let pos_of = |span: &marked_yaml::Span| {
        span.start()
            .map(|m| Pos::new(m.line() + offset, m.column(), 1))
    };
    // Depth-first over the tree without recursion (nesting is bounded by
    // load, but a loop costs nothing).
    let mut stack: Vec<&mut Node> = Vec::new();
    let mut keys: Vec<(String, Option<Pos>)> = Vec::new();
    for (k, v) in map.iter_mut() {
        keys.push((k.as_str().to_string(), pos_of(k.span())));
        stack.push(v);
    }
    while let Some(node) = stack.pop() {
        match node {
            Node::Mapping(m) => {
                for (k, v) in m.iter_mut() {
                    keys.push((k.as_str().to_string(), pos_of(k.span())));
                    stack.push(v);
                }
            }
            Node::Sequence(items) => stack.extend(items.iter_mut()),
            Node::Scalar(scalar) => {
                // Values may be rendered as Markdown (place summaries).
                let findings = privacy::scan_markup(scalar.as_str());
                let Some(first) = findings.first() else {
                    continue;
                };
                let pos = pos_of(scalar.span());
                let line_seen = pos.is_some_and(|p| seen.contains(&p.line));
                match mode {
                    PrivacyMode::Error if !line_seen => diags.push(
                        Diagnostic::error(
                            file.clone(),
                            pos,
                            format!("发现疑似{}，记录是公开的", first.kind.label()),
                        )
                        .with_hint("删除该号码；如确需公开，可在 site.toml 设置 privacy = \"mask\" 打码发布"),
                    ),
                    PrivacyMode::Error => {}
                    PrivacyMode::Mask => {
                        if !line_seen {
                            diags.push(Diagnostic::warning(
                                file.clone(),
                                pos,
                                format!("发现疑似{}，已打码发布", first.kind.label()),
                            ));
                        }
                        let masked = privacy::mask_all(scalar.as_str()).into_owned();
                        let coerce = scalar.may_coerce();
                        let mut replaced =
                            marked_yaml::types::MarkedScalarNode::new(*scalar.span(), masked);
                        replaced.set_coerce(coerce);
                        *scalar = replaced;
                    }
                }
            }
        }
    }
    for (key, pos) in keys {
        if let Some(fd) = privacy::scan(&key).first() {
            diags.push(
                Diagnostic::error(
                    file.clone(),
                    pos,
                    format!("键名中含有疑似{}", fd.kind.label()),
                )
                .with_hint("键名无法打码；请改用不含号码的键名"),
            );
        }
    }
    diags
}

/// Personal numbers in `site.toml`, whose settings appear on every page:
/// always an error (nothing there is masked), read both as written and
/// decoded (escapes).
pub fn privacy_of_site_toml(text: &str, diags: &mut Diagnostics) {
    let file = crate::config::FILE;
    let raw = privacy::scan(text);
    for fd in &raw {
        diags.push(
            Diagnostic::error(
                file,
                Some(Pos::of_offset(text, fd.range.start, fd.range.len())),
                format!("site.toml 中有疑似{}", fd.kind.label()),
            )
            .with_hint("site.toml 的内容会出现在网站的每一页，无法打码；请删除该号码"),
        );
    }
    if !raw.is_empty() {
        return;
    }
    let Ok(value) = text.parse::<toml::Table>() else {
        return;
    };
    let mut stack: Vec<(&str, &toml::Value)> = value.iter().map(|(k, v)| (k.as_str(), v)).collect();
    while let Some((key, v)) = stack.pop() {
        let mut hits = privacy::scan(key);
        match v {
            toml::Value::String(s) => hits.extend(privacy::scan(s)),
            toml::Value::Array(items) => stack.extend(items.iter().map(|i| (key, i))),
            toml::Value::Table(t) => stack.extend(t.iter().map(|(k, v)| (k.as_str(), v))),
            _ => {}
        }
        if let Some(fd) = hits.first() {
            diags.push(
                Diagnostic::error(
                    file,
                    None,
                    format!(
                        "site.toml 的 `{key}` 中有疑似{}（写成了转义字符）",
                        fd.kind.label()
                    ),
                )
                .with_hint("site.toml 的内容会出现在网站的每一页，无法打码；请删除该号码"),
            );
            return;
        }
    }
}

// ---------------------------------------------------------------------------
// Field access with positions

/// Typed access to one YAML mapping, reporting problems with positions.
struct Fields<'a> {
    file: &'a str,
    map: Option<&'a MarkedMappingNode>,
    line_offset: usize,
    privacy: PrivacyMode,
    diags: Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    fn new(y: &'a LoadedYaml, privacy: PrivacyMode) -> Fields<'a> {
        Fields {
            file: &y.file,
            map: y.map.as_ref(),
            line_offset: y.line_offset,
            privacy,
            diags: Vec::new(),
        }
    }

    fn sub(&self, map: &'a MarkedMappingNode) -> Fields<'a> {
        Fields {
            file: self.file,
            map: Some(map),
            line_offset: self.line_offset,
            privacy: self.privacy,
            diags: Vec::new(),
        }
    }

    fn error(&mut self, pos: Option<Pos>, message: String, hint: Option<String>) {
        self.diags
            .push(Diagnostic::error(self.file, pos, message).with_hint_opt(hint));
    }

    fn missing(&mut self, key: &str, hint: &str) {
        // The front matter's first line (the opening `---`).
        let pos = Some(Pos::new(self.line_offset.max(1), 1, 3));
        self.error(pos, format!("缺少必填字段 `{key}`"), Some(hint.to_string()));
    }

    fn marker_pos(&self, m: Option<&marked_yaml::Marker>, len: usize) -> Option<Pos> {
        m.map(|m| Pos::new(m.line() + self.line_offset, m.column(), len))
    }

    fn scalar_pos(&self, s: &MarkedScalarNode) -> Option<Pos> {
        self.marker_pos(s.span().start(), s.as_str().chars().count().max(1))
    }

    fn node_pos(&self, n: &Node) -> Option<Pos> {
        match n {
            Node::Scalar(s) => self.scalar_pos(s),
            other => self.marker_pos(other.span().start(), 1),
        }
    }

    fn entry(&self, key: &str) -> Option<(&'a MarkedScalarNode, &'a Node)> {
        self.map?.iter().find(|(k, _)| k.as_str() == key)
    }

    fn has(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }

    fn key_pos(&self, key: &str) -> Option<Pos> {
        self.entry(key).and_then(|(k, _)| self.scalar_pos(k))
    }

    fn value_pos(&self, key: &str) -> Option<Pos> {
        self.entry(key).and_then(|(_, v)| self.node_pos(v))
    }

    fn node(&self, key: &str) -> Option<(&'a Node, Option<Pos>)> {
        self.entry(key).map(|(k, v)| (v, self.scalar_pos(k)))
    }

    fn check_keys(&mut self, allowed: &[&str], allow_x: bool) {
        let Some(map) = self.map else { return };
        for (k, _) in map.iter() {
            let key = k.as_str();
            if allowed.contains(&key) || (allow_x && key.starts_with("x_")) {
                continue;
            }
            let hint = match suggest(key, allowed.iter().copied()) {
                Some(s) => format!("是不是 `{s}`？"),
                None if allow_x => {
                    format!("可用的字段：{}；自定义字段请以 x_ 开头", allowed.join("、"))
                }
                None => format!("可用的字段：{}", allowed.join("、")),
            };
            let pos = self.scalar_pos(k);
            self.error(pos, format!("未知的字段 `{key}`"), Some(hint));
        }
    }

    /// Run `parse` on a scalar value, reporting its error at the value.
    fn with_scalar<T>(
        &mut self,
        key: &str,
        required: bool,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match self.entry(key) {
            None => {
                if required {
                    self.missing(key, &format!("在 YAML 信息块中加上 `{key}: …`"));
                }
                None
            }
            Some((_, Node::Scalar(s))) => match parse(s.as_str()) {
                Ok(v) => Some(v),
                Err(msg) => {
                    let pos = self.scalar_pos(s);
                    self.error(pos, format!("`{key}`：{msg}"), None);
                    None
                }
            },
            Some((_, other)) => {
                let pos = self.node_pos(other);
                self.error(pos, format!("`{key}` 应为单个值，而不是列表或对照表"), None);
                None
            }
        }
    }

    fn string_at(&mut self, key: &str, required: bool) -> Option<(String, Option<Pos>)> {
        let pos = self.value_pos(key);
        self.with_scalar(key, required, |s| {
            let s = s.trim();
            if s.is_empty() {
                Err("不能为空".to_string())
            } else {
                Ok(s.to_string())
            }
        })
        .map(|s| (s, pos))
    }

    fn string(&mut self, key: &str, required: bool) -> Option<String> {
        self.string_at(key, required).map(|(s, _)| s)
    }

    fn masked(&self, s: String) -> String {
        match self.privacy {
            PrivacyMode::Mask => privacy::mask_all(&s).into_owned(),
            PrivacyMode::Error => s,
        }
    }

    fn date(&mut self, key: &str, required: bool) -> Option<NaiveDate> {
        self.with_scalar(key, required, parse_date)
    }

    fn boolean(&mut self, key: &str) -> Option<bool> {
        self.with_scalar(key, false, |s| match s.trim() {
            "true" | "True" | "TRUE" => Ok(true),
            "false" | "False" | "FALSE" => Ok(false),
            other => Err(format!(
                "`{other}` 不是 true 或 false（YAML 1.2 中 yes/no 是文字）"
            )),
        })
    }

    fn count(&mut self, key: &str) -> Option<u64> {
        self.with_scalar(key, false, parse_count)
    }

    fn count_node(&mut self, n: &Node) -> Option<u64> {
        let pos = self.node_pos(n);
        match n.as_scalar().map(|s| parse_count(s.as_str())) {
            Some(Ok(c)) => Some(c),
            Some(Err(msg)) => {
                self.error(pos, msg, None);
                None
            }
            None => {
                self.error(pos, "应为人数（整数）".into(), None);
                None
            }
        }
    }

    fn integer(&mut self, key: &str) -> Option<i64> {
        self.with_scalar(key, false, |s| {
            s.trim()
                .parse::<i64>()
                .map_err(|_| format!("`{}` 不是整数", s.trim()))
        })
    }

    fn amount(&mut self, key: &str) -> Option<f64> {
        self.with_scalar(key, false, parse_amount)
    }

    fn term(&mut self, key: &str, vocab: &Vocabulary, required: bool) -> Option<usize> {
        let (word, pos) = self.string_at(key, required)?;
        match vocab.find(&word) {
            Some(i) => Some(i),
            None => {
                let what = match vocab.key {
                    "topic_types" => "议题类型",
                    "session_forms" => "协商形式",
                    "participant_groups" => "参会群体",
                    "results" => "协商结果",
                    _ => "进展状态",
                };
                let hint = vocab_hint(vocab, &word);
                self.error(pos, format!("未知的{what} `{word}`"), Some(hint));
                None
            }
        }
    }

    /// A list of strings; a single string counts as a list of one.
    fn string_list(&mut self, key: &str) -> Vec<(String, Option<Pos>)> {
        let Some((node, _)) = self.node(key) else {
            return Vec::new();
        };
        let items: Vec<&Node> = match node {
            Node::Sequence(seq) => seq.iter().collect(),
            other => vec![other],
        };
        let mut out = Vec::new();
        for item in items {
            match item {
                Node::Scalar(s) if !s.as_str().trim().is_empty() => {
                    out.push((s.as_str().trim().to_string(), self.scalar_pos(s)))
                }
                other => {
                    let pos = self.node_pos(other);
                    self.error(pos, format!("`{key}` 的每一项应为一段文字"), None);
                }
            }
        }
        out
    }

    fn refs(&mut self, key: &str) -> Vec<Ref> {
        self.string_list(key)
            .into_iter()
            .map(|(text, pos)| Ref { text, pos })
            .collect()
    }

    /// `x_` keys as JSON for templates (scalars stay text).
    fn extra(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut out = serde_json::Map::new();
        if let Some(map) = self.map {
            for (k, v) in map.iter() {
                if k.as_str().starts_with("x_") {
                    out.insert(k.as_str().to_string(), self.to_json(v));
                }
            }
        }
        out
    }

    fn to_json(&self, n: &Node) -> serde_json::Value {
        match n {
            Node::Scalar(s) => serde_json::Value::String(self.masked(s.as_str().to_string())),
            Node::Sequence(seq) => seq.iter().map(|i| self.to_json(i)).collect(),
            Node::Mapping(m) => m
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), self.to_json(v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
}

/// Personal numbers anywhere in a file as written (comments too), read as a
/// reader sees them (full-width, grouped, `0086`, zero-width characters);
/// in its last `body_len` bytes (a record's Markdown body) also those that
/// markup splits. Errors, or warnings when the site masks them; with the
/// lines reported.
fn privacy_in_file(
    y: &LoadedYaml,
    body_len: usize,
    mode: PrivacyMode,
) -> (Vec<Diagnostic>, std::collections::HashSet<usize>) {
    let text = &y.text;
    let body_start = text.len().saturating_sub(body_len);
    let mut found = privacy::scan(&text[..body_start]);
    if body_len > 0 {
        found.extend(
            privacy::scan_markup(&text[body_start..])
                .into_iter()
                .map(|mut fd| {
                    fd.range = fd.range.start + body_start..fd.range.end + body_start;
                    fd
                }),
        );
    }
    let mut lines = std::collections::HashSet::new();
    let diags = found
        .into_iter()
        .map(|fd| {
            let pos = Pos::of_offset(text, fd.range.start, fd.range.len());
            lines.insert(pos.line);
            match mode {
                PrivacyMode::Error => Diagnostic::error(
                    y.file.as_str(),
                    Some(pos),
                    format!("发现疑似{}，记录是公开的", fd.kind.label()),
                )
                .with_hint(
                    "删除该号码；如确需公开，可在 site.toml 设置 privacy = \"mask\" 打码发布",
                ),
                PrivacyMode::Mask => Diagnostic::warning(
                    y.file.as_str(),
                    Some(pos),
                    format!("发现疑似{}，已打码发布", fd.kind.label()),
                ),
            }
        })
        .collect();
    (diags, lines)
}

fn parse_count(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .map_err(|_| format!("`{}` 不是人数（非负整数）", s.trim()))
}

/// A non-negative number of yuan with at most two decimals.
fn parse_amount(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 2
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(s.contains('.') && frac.is_empty());
    if !ok {
        return Err(format!(
            "`{s}` 不是金额：应为以元为单位的非负数，最多两位小数（如 860000 或 12500.50）"
        ));
    }
    s.parse::<f64>().map_err(|_| format!("`{s}` 不是金额"))
}

// ---------------------------------------------------------------------------
// References

fn resolve(
    site: &mut Site,
    place_index: &HashMap<String, usize>,
    drafts: &HashMap<String, String>,
    broken: &HashSet<String>,
    diags: &mut Diagnostics,
) {
    let index: HashMap<String, usize> = site
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect();
    let place_ids: Vec<String> = site.places.iter().map(Place::id).collect();
    let lookup = RefLookup {
        site: &*site,
        index: &index,
        drafts,
        broken,
        place_ids: &place_ids,
    };
    // Resolve against an immutable view, then write the results back.
    let mut resolved: Vec<Resolved> = Vec::with_capacity(site.records.len());
    for (i, r) in site.records.iter().enumerate() {
        let mut out = Resolved::default();
        let place_path = &place_ids[r.place];
        match &r.data {
            RecordBody::Topic(t) => {
                for v in &t.villages_ref {
                    let id = if v.text.contains('/') {
                        v.text.trim_matches('/').to_string()
                    } else {
                        format!("{place_path}/{}", v.text)
                    };
                    match place_index.get(&id) {
                        Some(&p) if site.places[p].depth() == 2 => out.villages.push(p),
                        Some(_) => diags.push(
                            Diagnostic::error(
                                r.file.clone(),
                                v.pos,
                                format!("`{}` 不是村或社区", v.text),
                            )
                            .with_hint("villages 列出本镇下属的村（社区）文件夹名"),
                        ),
                        None => {
                            let candidates = site
                                .places
                                .iter()
                                .filter(|p| p.depth() == 2)
                                .map(|p| p.id());
                            let c: Vec<String> = candidates.collect();
                            let hint = suggest(&id, c.iter().map(String::as_str))
                                .map(|s| {
                                    format!("是不是 `{}`？", s.rsplit('/').next().unwrap_or(&s))
                                })
                                .unwrap_or_else(|| "写本镇下属村（社区）的文件夹名".into());
                            diags.push(
                                Diagnostic::error(
                                    r.file.clone(),
                                    v.pos,
                                    format!("找不到村（社区）`{}`", v.text),
                                )
                                .with_hint(hint),
                            );
                        }
                    }
                }
                for rel in &t.related_ref {
                    if let Some(j) = lookup.record(r, rel, RecordKind::Topic, diags) {
                        if j == i {
                            diags.push(Diagnostic::error(
                                r.file.clone(),
                                rel.pos,
                                "related 不能指向议题自身",
                            ));
                        } else if !out.related.contains(&j) {
                            out.related.push(j);
                        }
                    }
                }
            }
            RecordBody::Session(s) => {
                for t in &s.topics_ref {
                    if let Some(j) = lookup.record(r, t, RecordKind::Topic, diags) {
                        if !out.topics.contains(&j) {
                            out.topics.push(j);
                        }
                    }
                }
                if let Some(Vote::PerTopic(per)) = &s.vote {
                    for (rf, _, _) in per {
                        let j = lookup.record(r, rf, RecordKind::Topic, diags);
                        if let Some(j) = j {
                            if !out.topics.contains(&j) {
                                diags.push(
                                    Diagnostic::error(
                                        r.file.clone(),
                                        rf.pos,
                                        format!(
                                            "计票中的议题 `{}` 不是本次会议协商的议题",
                                            rf.text
                                        ),
                                    )
                                    .with_hint("vote 只能列出 topic/topics 中的议题"),
                                );
                            }
                        }
                        out.vote_topics.push(j);
                    }
                }
            }
            RecordBody::Outcome(o) => {
                out.topic = lookup.record(r, &o.topic_ref, RecordKind::Topic, diags);
                for sref in &o.sessions_ref {
                    if let Some(j) = lookup.record(r, sref, RecordKind::Session, diags) {
                        // Only judged when the session's own references
                        // resolve (else its file already has an error).
                        let session_topics: Vec<Option<usize>> = site.records[j]
                            .session()
                            .map(|s| {
                                s.topics_ref
                                    .iter()
                                    .map(|tr| lookup.quiet(&site.records[j], tr))
                                    .collect()
                            })
                            .unwrap_or_default();
                        let on_topic = out.topic.is_none_or(|t| {
                            session_topics.contains(&Some(t)) || session_topics.contains(&None)
                        });
                        if !on_topic {
                            diags.push(
                                Diagnostic::error(
                                    r.file.clone(),
                                    sref.pos,
                                    format!("会议 `{}` 协商的不是本成果的议题", sref.text),
                                )
                                .with_hint("sessions 只能列出就同一议题召开的会议"),
                            );
                        }
                        if !out.sessions.contains(&j) {
                            out.sessions.push(j);
                        }
                    }
                }
            }
        }
        resolved.push(out);
    }

    // One outcome per topic.
    let mut outcome_of: HashMap<usize, usize> = HashMap::new();
    for (i, res) in resolved.iter().enumerate() {
        if let Some(t) = res.topic {
            if let Some(prev) = outcome_of.insert(t, i) {
                let r = &site.records[i];
                diags.push(
                    Diagnostic::error(
                        r.file.clone(),
                        r.outcome().and_then(|o| o.topic_ref.pos),
                        format!("议题 `{}` 已有协商成果", site.records[t].id),
                    )
                    .also_at(site.records[prev].file.clone(), None)
                    .with_hint("一个议题只有一份成果；新的决定请作为新议题提出，并用 related 关联"),
                );
            }
        }
    }

    // Related links go both ways.
    let mut backlinks: Vec<(usize, usize)> = Vec::new();
    for (i, res) in resolved.iter().enumerate() {
        for &j in &res.related {
            backlinks.push((j, i));
        }
    }
    for (j, i) in backlinks {
        if !resolved[j].related.contains(&i) {
            resolved[j].related.push(i);
        }
    }

    for (r, res) in site.records.iter_mut().zip(resolved) {
        match &mut r.data {
            RecordBody::Topic(t) => {
                t.villages = res.villages;
                t.related = res.related;
            }
            RecordBody::Session(s) => {
                s.topics = res.topics;
                if let Some(Vote::PerTopic(per)) = &mut s.vote {
                    for ((_, slot, _), j) in per.iter_mut().zip(res.vote_topics) {
                        *slot = j;
                    }
                }
            }
            RecordBody::Outcome(o) => {
                o.topic = res.topic;
                o.sessions = res.sessions;
            }
        }
    }
}

#[derive(Default)]
struct Resolved {
    villages: Vec<usize>,
    related: Vec<usize>,
    topics: Vec<usize>,
    vote_topics: Vec<Option<usize>>,
    topic: Option<usize>,
    sessions: Vec<usize>,
}

struct RefLookup<'a> {
    site: &'a Site,
    index: &'a HashMap<String, usize>,
    drafts: &'a HashMap<String, String>,
    broken: &'a HashSet<String>,
    /// `Place::id` of every place, computed once.
    place_ids: &'a [String],
}

impl RefLookup<'_> {
    fn id_of(&self, from: &Record, rf: &Ref) -> String {
        if rf.text.contains('/') {
            rf.text.trim_matches('/').to_string()
        } else {
            let place = &self.place_ids[from.place];
            if place.is_empty() {
                rf.text.clone()
            } else {
                format!("{place}/{}", rf.text)
            }
        }
    }

    fn quiet(&self, from: &Record, rf: &Ref) -> Option<usize> {
        self.index.get(&self.id_of(from, rf)).copied()
    }

    fn record(
        &self,
        from: &Record,
        rf: &Ref,
        kind: RecordKind,
        diags: &mut Diagnostics,
    ) -> Option<usize> {
        let id = self.id_of(from, rf);
        let err = |msg: String, hint: String| {
            Diagnostic::error(from.file.clone(), rf.pos, msg).with_hint(hint)
        };
        match self.index.get(&id) {
            Some(&j) if self.site.records[j].kind == kind => Some(j),
            Some(&j) => {
                let other = &self.site.records[j];
                diags.push(err(
                    format!(
                        "`{}` 是{}，这里需要{}",
                        rf.text,
                        other.kind.label(),
                        kind.label()
                    ),
                    format!("{}放在 {}/ 文件夹中", kind.label(), kind.dir()),
                ));
                None
            }
            None if self.broken.contains(&id) => None,
            None if self.drafts.contains_key(&id) => {
                diags.push(err(
                    format!(
                        "`{}` 是草稿（draft: true），已发布的记录不能引用它",
                        rf.text
                    ),
                    format!(
                        "发布 {}（删除 draft: true），或用 --drafts 预览",
                        self.drafts[&id]
                    ),
                ));
                None
            }
            None => {
                let same_kind = self
                    .site
                    .records
                    .iter()
                    .filter(|r| r.kind == kind)
                    .map(|r| r.id.as_str());
                let in_kind_dir = rf
                    .text
                    .split('/')
                    .any(|seg| RecordKind::from_dir(seg).is_some());
                let hint = match suggest(&id, same_kind) {
                    _ if in_kind_dir => {
                        let fixed: Vec<&str> = rf
                            .text
                            .split('/')
                            .filter(|seg| RecordKind::from_dir(seg).is_none())
                            .collect();
                        format!(
                            "路径里不写 topics/、sessions/、outcomes/ 这一层：写作 `{}`",
                            fixed.join("/")
                        )
                    }
                    Some(s) if !rf.text.contains('/') && s.rsplit_once('/').map(|x| x.0) == id.rsplit_once('/').map(|x| x.0) => {
                        format!("是不是 `{}`？", s.rsplit('/').next().unwrap_or(&s))
                    }
                    Some(s) => format!("是不是 `{s}`？"),
                    None => "只写文件名（不带 .md）表示同一地点的记录；其他地点的写从 content/ 起的路径，如 shezhu/2016-water".into(),
                };
                diags.push(err(format!("找不到{} `{}`", kind.label(), rf.text), hint));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("860000").unwrap(), 860000.0);
        assert_eq!(parse_amount("12500.5").unwrap(), 12500.5);
        assert!(parse_amount("1.234").is_err());
        assert!(parse_amount("-5").is_err());
        assert!(parse_amount("1e5").is_err());
        assert!(parse_amount("12.").is_err());
    }
}
