//! The rules of each kind of record (topic, session, outcome) and of the
//! attachment files they publish.

use std::path::Path;

use marked_yaml::Node;

use super::fields::{vocab_hint, Fields};
use crate::config::{is_slug, PrivacyMode, SiteConfig};
use crate::date::{parse_end, parse_moment, Moment};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::load::LoadedRecord;
use crate::model::{
    Bodies, Body, Outcome, Place, Progress, Record, RecordBody, RecordKind, Ref, Session, Tally,
    Topic, Vote,
};
use crate::privacy;

const TALLY_KEYS: [&str; 3] = ["for", "against", "abstain"];

pub(super) fn record_from(
    root: &Path,
    r: &LoadedRecord,
    place: &Place,
    config: &SiteConfig,
    bodies: Bodies,
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
    use crate::fields;
    let kind_fields = match r.kind {
        RecordKind::Topic => fields::TOPIC,
        RecordKind::Session => fields::SESSION,
        RecordKind::Outcome => fields::OUTCOME,
    };
    let allowed: Vec<&str> = fields::SHARED
        .iter()
        .chain(kind_fields)
        .map(|f| f.key)
        .collect();
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
    // The summary is shown as plain text (cards, feeds, open data): masked
    // as such too, in case the body's Markdown renders a number that the
    // scanner's views of the source do not see (contrived markup).
    let plain_summary: std::sync::Arc<str> = summary
        .clone()
        .unwrap_or_else(|| privacy::mask(&crate::markdown::first_paragraph(&masked)).into_owned())
        .into();
    let source_hash = crate::hash::hash_of(r.front.text.as_str());
    let body = match bodies {
        Bodies::OnDisk => Body::OnDisk {
            path: r.path.clone(),
            source_hash,
            mask,
        },
        Bodies::Packed => Body::Packed(lz4_flex::compress_prepend_size(masked.as_bytes()).into()),
        Bodies::Memory => Body::Text(masked.into()),
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
    let withdrawn_pos = f.value_pos("withdrawn");
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
        withdrawn_pos,
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
    let vote_pos = f.key_pos("vote");
    let date_pos = f.value_pos("date");
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
        date_pos,
        end,
        form: form?,
        location,
        participants,
        attendance,
        vote,
        vote_pos,
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
    let decided_pos = f.value_pos("decided");
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
        decided_pos,
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
        pos: f.node_pos(node),
    })
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
pub(super) fn check_attachments(attachments: &[crate::model::Attachment], diags: &mut Diagnostics) {
    name_collisions(attachments, diags);
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

/// Attachments whose paths differ only in letter case or in Unicode
/// normalisation (`é` as one character or as `e` and an accent; a CJK
/// compatibility ideograph and its unified one): Windows and macOS keep
/// one file for both, so a site copied there, or served from there, loses
/// one. An error naming both. (Records and places are slugs, lowercase
/// ASCII, so only attachment names can collide.)
fn name_collisions(attachments: &[crate::model::Attachment], diags: &mut Diagnostics) {
    let nfc = icu_normalizer::ComposingNormalizer::new_nfc();
    let mut seen: std::collections::HashMap<String, &crate::model::Attachment> =
        std::collections::HashMap::new();
    for a in attachments {
        if a.source.to_str().is_none() {
            continue; // not UTF-8: an error of its own
        }
        let key = nfc
            .normalize(&nfc.normalize(&a.rel).to_lowercase())
            .into_owned();
        match seen.get(&key) {
            Some(first) => diags.push(
                Diagnostic::error(
                    format!("content/{}", a.rel),
                    None,
                    format!(
                        "附件 `{}` 与 `{}` 的名称只差大小写或 Unicode 写法，在 Windows、macOS 上是同一个文件",
                        a.rel, first.rel
                    ),
                )
                .also_at(format!("content/{}", first.rel), None)
                .with_hint("重命名其中一个附件（并改记录中的 attachments），或删除重复的一个"),
            ),
            None => {
                seen.insert(key, a);
            }
        }
    }
}
