//! `yishi new`: a new record or place, written where the content model
//! wants it, with the required keys filled and every optional key shown as
//! a comment that names its allowed values (the site's own vocabularies).
//!
//! A record's file name is its year and a slug from its title's pinyin
//! (`2026-dong-cun-dao-lu-ying-hua.md`), made unique in its place. A
//! session's or outcome's topic is resolved against the whole checked site,
//! exactly as a build would; an outcome for a topic that already has one is
//! refused with the content model's reason.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use crate::build::{self, SiteOptions};
use crate::config::{is_slug, SiteConfig};
use crate::link::Graph;
use crate::model::RecordKind;
use crate::vocab::Vocabulary;

/// What to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKind {
    Topic,
    Session,
    Outcome,
    Place,
}

/// The options of `yishi new`.
#[derive(Debug, Clone, Default)]
pub struct NewRecord {
    /// The place path (`hetang/xiahu`), or for a place the new place's path.
    pub place: String,
    pub title: Option<String>,
    /// The record's date; default: today in the site's time zone.
    pub date: Option<NaiveDate>,
    /// A session's or outcome's topic, as a record would reference it.
    pub topic: Option<String>,
    /// The vocabulary term for the kind's required choice (topic type,
    /// session form, outcome result, place kind), by slug or name.
    pub choice: Option<String>,
    /// The file's slug (default: from the title's pinyin).
    pub slug: Option<String>,
    /// A place's 12-digit statistical code.
    pub code: Option<String>,
}

/// Most syllables of a title that go into a slug.
const SLUG_SYLLABLES: usize = 6;

/// A slug from text: pinyin for Han characters (without tones), ASCII
/// letters and digits lower-cased, anything else a separator; at most
/// [`SLUG_SYLLABLES`] parts.
pub fn slug_of(text: &str) -> String {
    use pinyin::ToPinyin;
    let mut parts: Vec<String> = Vec::new();
    let mut word = String::new();
    for (c, p) in text.chars().zip(text.to_pinyin()) {
        if let Some(p) = p {
            if !word.is_empty() {
                parts.push(std::mem::take(&mut word));
            }
            parts.push(p.plain().to_string());
        } else if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if !word.is_empty() {
            parts.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        parts.push(word);
    }
    parts.truncate(SLUG_SYLLABLES);
    parts.join("-")
}

/// The allowed values of a vocabulary, for a comment: `slug 名称 / …`.
fn choices(v: &Vocabulary) -> String {
    v.terms
        .iter()
        .map(|t| format!("{} {}", t.slug, t.name))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The term a clerk chose (by slug, name or alias), else `default`'s.
fn choose(v: &Vocabulary, chosen: Option<&str>, default: &str) -> Result<String, String> {
    match chosen {
        Some(c) => v
            .terms
            .iter()
            .find(|t| t.slug == c || t.name == c || t.aliases.iter().any(|a| a == c))
            .map(|t| t.slug.clone())
            .ok_or_else(|| format!("“{c}”不在 {} 中；可选：{}", v.key, choices(v))),
        None => Ok(v
            .terms
            .iter()
            .find(|t| t.slug == default)
            .or(v.terms.first())
            .map(|t| t.slug.clone())
            .unwrap_or_default()),
    }
}

/// YAML text for a one-line string value: quoted where plain YAML would
/// read it otherwise.
fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Create what `what` asks for in the site at `root`; returns the path of
/// the file written (relative to `root`).
pub fn create(root: &Path, kind: NewKind, what: &NewRecord) -> Result<PathBuf, String> {
    let config = SiteConfig::load(root).map_err(|d| {
        d.sorted()
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    let today = crate::date::reference_date(None, config.timezone)?;
    let date = what.date.unwrap_or(today);
    let place = what.place.trim_matches('/').to_string();
    if kind == NewKind::Place {
        return create_place(root, &place, what);
    }
    let place_dir = root.join("content").join(&place);
    if !place_dir.join("_place.yaml").is_file() {
        return Err(format!(
            "找不到地点 “{place}”：没有 content/{place}/_place.yaml（先用 yishi new place {place} --title 名称 建立它）"
        ));
    }
    let title = what.title.clone().unwrap_or_default();
    let dir = match kind {
        NewKind::Topic => "topics",
        NewKind::Session => "sessions",
        _ => "outcomes",
    };
    // Sessions and outcomes name a topic: resolved on the checked site.
    let topic = match kind {
        NewKind::Session | NewKind::Outcome => Some(resolve_topic(root, &place, what, kind)?),
        _ => None,
    };
    let base = match &what.slug {
        Some(s) if !is_slug(s) => {
            return Err(format!(
                "“{s}”不能作文件名：只能用小写字母、数字和连字符，且以字母或数字开头"
            ))
        }
        Some(s) => s.clone(),
        None => {
            let from_title = slug_of(&title);
            let stem = if from_title.is_empty() {
                dir.trim_end_matches('s').to_string()
            } else {
                from_title
            };
            format!("{}-{stem}", date.year())
        }
    };
    let rel = unique_path(root, &place, dir, &base);
    let v = &config.vocabularies;
    let mut text = String::from("---\n");
    let title_line = if title.is_empty() {
        "title: 请填写标题  # 必填\n".to_string()
    } else {
        format!("title: {}\n", yaml_str(&title))
    };
    text.push_str(&title_line);
    match kind {
        NewKind::Topic => {
            let ty = choose(&v.topic_types, what.choice.as_deref(), "other")?;
            let _ = writeln!(text, "# 议题类型，可选：{}", choices(&v.topic_types));
            let _ = writeln!(text, "type: {ty}");
            let _ = writeln!(text, "proposed: {date}  # 提出日期");
            text.push_str(
                "# 以下可选，去掉行首的 # 即可使用：\n\
                 # proposer: 村两委            # 提出人\n\
                 # notice: YYYY-MM-DD          # 事先公示日期\n\
                 # notice_until: YYYY-MM-DD    # 公示期截止（异议期）\n\
                 # amount: 100000              # 涉及金额（元）\n\
                 # tags: [关键词]\n\
                 # villages: [村的文件夹名]     # 镇级议题涉及的村\n\
                 # related: [相关议题]\n",
            );
        }
        NewKind::Session => {
            let (topic_ref, _) = topic.as_ref().expect("a session names a topic");
            let form = choose(
                &v.session_forms,
                what.choice.as_deref(),
                "representatives-meeting",
            )?;
            let _ = writeln!(text, "topics: [{topic_ref}]");
            let _ = writeln!(text, "# 协商形式，可选：{}", choices(&v.session_forms));
            let _ = writeln!(text, "form: {form}");
            let _ = writeln!(text, "date: {date}  # 会议日期，可加时间：{date} 19:30");
            let _ = writeln!(
                text,
                "# 以下可选，去掉行首的 # 即可使用：\n\
                 # end: \"21:00\"                 # 结束时间\n\
                 # location: 村委会会议室\n\
                 # 参加人员，按类别计人数，类别可选：{}\n\
                 # participants: {{{}: 20}}\n\
                 # attendance: 25               # 到会人数\n\
                 # vote: {{for: 20, against: 2, abstain: 3}}   # 表决结果（会后填写）",
                choices(&v.participant_groups),
                v.participant_groups
                    .terms
                    .first()
                    .map(|t| t.slug.as_str())
                    .unwrap_or("residents")
            );
        }
        NewKind::Outcome => {
            let (topic_ref, sessions) = topic.as_ref().expect("an outcome names a topic");
            let result = choose(&v.results, what.choice.as_deref(), "adopted")?;
            let _ = writeln!(text, "topic: {topic_ref}");
            if sessions.is_empty() {
                text.push_str("# sessions: [作出决策的会议]\n");
            } else {
                let _ = writeln!(
                    text,
                    "sessions: [{}]  # 作出决策的会议，请核对",
                    sessions.join(", ")
                );
            }
            let _ = writeln!(text, "decided: {date}  # 决策日期");
            let _ = writeln!(text, "# 协商结果，可选：{}", choices(&v.results));
            let _ = writeln!(text, "result: {result}");
            let _ = writeln!(
                text,
                "# 以下可选，去掉行首的 # 即可使用：\n\
                 # responsible: 村民委员会       # 责任单位\n\
                 # deadline: YYYY-MM-DD         # 承诺完成日期\n\
                 # amount: 100000               # 批准金额（元）\n\
                 # 落实反馈，最早的在前，state 可选：{}\n\
                 # progress:\n\
                 #   - {{date: YYYY-MM-DD, state: {}, note: 施工队进场}}",
                choices(&v.progress_states),
                v.progress_states
                    .terms
                    .first()
                    .map(|t| t.slug.as_str())
                    .unwrap_or("started")
            );
        }
        NewKind::Place => unreachable!("places are created above"),
    }
    text.push_str("---\n");
    text.push_str(match kind {
        NewKind::Topic => "请在这里写议题的来由、内容和理由。\n",
        NewKind::Session => "会议召开前，这里写会议通知；会后换成会议纪要。\n",
        _ => "请在这里写决定的内容。\n",
    });
    write_new(root, &rel, &text)?;
    Ok(rel)
}

/// The topic a session or outcome names: its reference as the record will
/// write it (bare slug in the same place, else the full id) and, for an
/// outcome, the references of the topic's sessions held by the record's
/// date. Refuses an outcome for a topic that has one.
fn resolve_topic(
    root: &Path,
    place: &str,
    what: &NewRecord,
    kind: NewKind,
) -> Result<(String, Vec<String>), String> {
    let Some(written) = what.topic.as_deref().map(str::trim) else {
        return Err(
            "请用 --topic 指定议题，如 --topic 2026-road（同一地点）或 --topic 镇/村/2026-road"
                .into(),
        );
    };
    let checked = build::check(&SiteOptions::new(root)).map_err(|e| match e {
        build::BuildError::Content(d) => format!(
            "站点中有 {} 处错误，无法核对议题引用；先运行 yishi check 改正：\n{}",
            d.len(),
            d.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => other.to_string(),
    })?;
    let g: &Graph = &checked.graph;
    let id = if written.contains('/') {
        written.to_string()
    } else {
        format!("{place}/{written}")
    };
    let Some(i) = g.site.records.iter().position(|r| r.id == id) else {
        return Err(format!(
            "找不到议题 “{written}”（{id}）：请核对议题文件名，或写出完整路径（地点/文件名）"
        ));
    };
    let r = &g.site.records[i];
    if r.kind != RecordKind::Topic {
        return Err(format!("“{written}” 是{}，不是议题", r.kind.dir()));
    }
    if kind == NewKind::Outcome {
        if let Some(o) = g.outcome_of[i] {
            return Err(format!(
                "议题 “{}” 已有协商成果 {}：一个议题只能有一个协商成果，新的决定应作为新的议题提出",
                r.title, g.site.records[o].file
            ));
        }
    }
    let reference = |j: usize| {
        let id = &g.site.records[j].id;
        match id.strip_prefix(&format!("{place}/")) {
            Some(bare) if !bare.contains('/') => bare.to_string(),
            _ => id.clone(),
        }
    };
    let date = what.date.unwrap_or(g.as_of);
    let sessions = g.sessions_of[i]
        .iter()
        .filter(|&&s| {
            g.site.records[s]
                .session()
                .is_some_and(|x| x.date.day() <= date)
        })
        .map(|&s| reference(s))
        .collect();
    Ok((reference(i), sessions))
}

/// `content/<place>/<dir>/<base>.md`, with `-2`, `-3`… where a record of
/// that place (of any kind) has the stem already.
fn unique_path(root: &Path, place: &str, dir: &str, base: &str) -> PathBuf {
    let taken = |stem: &str| {
        ["topics", "sessions", "outcomes"].iter().any(|d| {
            root.join("content")
                .join(place)
                .join(d)
                .join(format!("{stem}.md"))
                .exists()
        })
    };
    let mut stem = base.to_string();
    let mut n = 2;
    while taken(&stem) {
        stem = format!("{base}-{n}");
        n += 1;
    }
    Path::new("content")
        .join(place)
        .join(dir)
        .join(format!("{stem}.md"))
}

/// Write a new file (and its folders); never over an existing one.
fn write_new(root: &Path, rel: &Path, text: &str) -> Result<(), String> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| format!("{}: {e}", rel.display()))?;
    std::io::Write::write_all(&mut f, text.as_bytes())
        .map_err(|e| format!("{}: {e}", rel.display()))
}

/// `content/<path>/_place.yaml` for a new town (one level) or village (two).
fn create_place(root: &Path, path: &str, what: &NewRecord) -> Result<PathBuf, String> {
    let segments: Vec<&str> = path.split('/').collect();
    if path.is_empty() || segments.len() > 2 || !segments.iter().all(|s| is_slug(s)) {
        return Err(format!(
            "地点路径 “{path}” 无效：写作 镇的文件夹名 或 镇/村，只用小写字母、数字和连字符（如 hetang/xiahu）"
        ));
    }
    if segments.len() == 2
        && !root
            .join("content")
            .join(segments[0])
            .join("_place.yaml")
            .is_file()
    {
        return Err(format!(
            "上级地点 “{}” 还没有建立：先运行 yishi new place {} --title 镇名",
            segments[0], segments[0]
        ));
    }
    let rel = Path::new("content").join(path).join("_place.yaml");
    if root.join(&rel).exists() {
        return Err(format!("{} 已经存在", rel.display()));
    }
    let Some(name) = what.title.as_deref().filter(|t| !t.trim().is_empty()) else {
        return Err("请用 --title 写出地点名称，如 --title 下湖村".into());
    };
    let (default_kind, kinds) = if segments.len() == 1 {
        ("town", "town 镇 / street 街道 / district 区")
    } else {
        ("village", "village 村 / community 社区")
    };
    let kind = what.choice.as_deref().unwrap_or(default_kind);
    let mut text = format!(
        "name: {}\n# 类型，可选：{kinds}\nkind: {kind}\n",
        yaml_str(name)
    );
    match &what.code {
        Some(c) if c.len() == 12 && c.chars().all(|d| d.is_ascii_digit()) => {
            let _ = writeln!(text, "code: \"{c}\"  # 统计用区划代码");
        }
        Some(c) => return Err(format!("区划代码 “{c}” 应为 12 位数字")),
        None => text
            .push_str("# code: \"000000000000\"   # 12 位统计用区划代码（村的前 9 位与镇相同）\n"),
    }
    text.push_str(
        "# summary: 一句话介绍\n# population: 3000\n# households: 900\n# order: 1   # 同级地点中的排序\n",
    );
    write_new(root, &rel, &text)?;
    Ok(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_come_from_pinyin_and_ascii() {
        assert_eq!(slug_of("东村道路硬化"), "dong-cun-dao-lu-ying-hua");
        assert_eq!(slug_of("2027年度预算"), "2027-nian-du-yu-suan");
        assert_eq!(slug_of("村口道路拓宽工程建设"), "cun-kou-dao-lu-tuo-kuan");
        assert_eq!(slug_of("LED 路灯"), "led-lu-deng");
        assert_eq!(slug_of("！？"), "");
        assert!(is_slug(&slug_of("老旧小区加装电梯")));
    }

    #[test]
    fn a_slug_is_lower_case_ascii() {
        assert!(is_slug("2026-road"));
        assert!(!is_slug("-road"));
        assert!(!is_slug("Road"));
        assert!(!is_slug("道路"));
        assert!(!is_slug(""));
    }
}
