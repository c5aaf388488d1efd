//! References between records (and from topics to villages), resolved to
//! indices once every record is checked.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Place, Record, RecordBody, RecordKind, Ref, Site, Vote};
use crate::vocab::suggest;

pub(super) fn resolve(
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
        // Unshared here (the records were just made): no copy.
        match &mut std::sync::Arc::make_mut(r).data {
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
