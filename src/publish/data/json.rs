//! `records.json`: the serde views of a record and of the document's
//! header, and the writer that streams them (see [`super`] for the format).

use std::io::{self, Write};

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::values::{Env, Iso, PlaceId, RecordUrl, Tail, Yuan};
use super::SCHEMA_PATH;
use super::{DataSet, Followers, VERSION};
use crate::model::{Place, Record, RecordBody, RecordKind, Tally, Vote};
use crate::publish::Ctx;
use crate::vocab::Term;

/// A date as `YYYY-MM-DD` (chrono's serde support is not enabled).
struct Day(chrono::NaiveDate);

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// A vocabulary value: `{slug, name}`.
struct Vocab<'a>(&'a Term);

impl Serialize for Vocab<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("slug", &self.0.slug)?;
        m.serialize_entry("name", &self.0.name)?;
        m.end()
    }
}

/// A derived value with a UI label: `{slug, name}` like a vocabulary value.
struct Labelled<'a> {
    slug: &'a str,
    name: &'a str,
}

impl Serialize for Labelled<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("slug", self.slug)?;
        m.serialize_entry("name", self.name)?;
        m.end()
    }
}

/// A place: `{id, name}` (the top level's id is the empty string).
struct PlaceRef<'a>(&'a Place);

impl Serialize for PlaceRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("id", &PlaceId(self.0))?;
        m.serialize_entry("name", &self.0.name)?;
        m.end()
    }
}

/// A resolved reference to a record: `{id, url, title}`.
struct Ref<'a> {
    env: Env<'a>,
    i: usize,
}

impl Serialize for Ref<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.env.record(self.i);
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("id", &r.id)?;
        m.serialize_entry("url", &self.env.url(self.i))?;
        m.serialize_entry("title", &r.title)?;
        m.end()
    }
}

/// A list of record references.
struct Refs<'a> {
    env: Env<'a>,
    list: &'a [usize],
}

impl Serialize for Refs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.list.len()))?;
        for &i in self.list {
            seq.serialize_element(&Ref { env: self.env, i })?;
        }
        seq.end()
    }
}

/// One vote tally, for the whole session (`topic` null) or for one topic.
struct TallyView<'a> {
    env: Env<'a>,
    topic: Option<usize>,
    tally: &'a Tally,
}

impl Serialize for TallyView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("topic", &self.topic.map(|i| Ref { env: self.env, i }))?;
        m.serialize_entry("for", &self.tally.yes)?;
        m.serialize_entry("against", &self.tally.against)?;
        m.serialize_entry("abstain", &self.tally.abstain)?;
        m.end()
    }
}

struct Votes<'a> {
    env: Env<'a>,
    vote: Option<&'a Vote>,
}

impl Serialize for Votes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let env = self.env;
        match self.vote {
            None => s.serialize_seq(Some(0))?.end(),
            Some(Vote::Single(tally)) => {
                let mut seq = s.serialize_seq(Some(1))?;
                seq.serialize_element(&TallyView {
                    env,
                    topic: None,
                    tally,
                })?;
                seq.end()
            }
            Some(Vote::PerTopic(list)) => {
                let mut seq = s.serialize_seq(Some(list.len()))?;
                for (_, topic, tally) in list {
                    seq.serialize_element(&TallyView {
                        env,
                        topic: *topic,
                        tally,
                    })?;
                }
                seq.end()
            }
        }
    }
}

/// `participants`: `[{slug, name, count}]` in the order written.
struct Participants<'a> {
    env: Env<'a>,
    list: &'a [(usize, u64)],
}

impl Serialize for Participants<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let groups = &self.env.ctx.config.vocabularies.participant_groups;
        let mut seq = s.serialize_seq(Some(self.list.len()))?;
        for &(group, count) in self.list {
            let term = groups.get(group);
            seq.serialize_element(&Participant { term, count })?;
        }
        seq.end()
    }
}

struct Participant<'a> {
    term: &'a Term,
    count: u64,
}

impl Serialize for Participant<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("slug", &self.term.slug)?;
        m.serialize_entry("name", &self.term.name)?;
        m.serialize_entry("count", &self.count)?;
        m.end()
    }
}

struct Attachments<'a> {
    env: Env<'a>,
    record: &'a Record,
    list: &'a [String],
}

impl Serialize for Attachments<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let place = self.env.place(self.record.place);
        let mut seq = s.serialize_seq(Some(self.list.len()))?;
        for path in self.list {
            seq.serialize_element(&RecordUrl {
                base: self.env.base,
                place,
                kind: self.record.kind,
                tail: Tail::File(path),
            })?;
        }
        seq.end()
    }
}

struct PlaceRefs<'a> {
    env: Env<'a>,
    list: &'a [usize],
}

impl Serialize for PlaceRefs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.list.len()))?;
        for &p in self.list {
            seq.serialize_element(&PlaceRef(self.env.place(p)))?;
        }
        seq.end()
    }
}

struct ProgressList<'a> {
    env: Env<'a>,
    list: &'a [crate::model::Progress],
}

impl Serialize for ProgressList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let states = &self.env.ctx.config.vocabularies.progress_states;
        let mut seq = s.serialize_seq(Some(self.list.len()))?;
        for p in self.list {
            seq.serialize_element(&ProgressView {
                date: p.date,
                state: states.get(p.state),
                note: p.note.as_deref(),
            })?;
        }
        seq.end()
    }
}

struct ProgressView<'a> {
    date: chrono::NaiveDate,
    state: &'a Term,
    note: Option<&'a str>,
}

impl Serialize for ProgressView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("date", &Day(self.date))?;
        m.serialize_entry("state", &Vocab(self.state))?;
        m.serialize_entry("final", &self.state.is_final)?;
        m.serialize_entry("note", &self.note)?;
        m.end()
    }
}

/// One record of `records.json`: the shared keys, then the kind's own.
/// The body, the bulk of the bytes, is not among them: [`write_record`]
/// appends it last with a faster string escaper.
struct JsonRecord<'a> {
    env: Env<'a>,
    i: usize,
}

impl Serialize for JsonRecord<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let env = self.env;
        let ctx = env.ctx;
        let g = ctx.graph;
        let v = &ctx.config.vocabularies;
        let tz = ctx.config.timezone;
        let i = self.i;
        let r = env.record(i);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &r.id)?;
        m.serialize_entry("kind", &r.kind)?;
        m.serialize_entry("url", &env.url(i))?;
        m.serialize_entry("place", &PlaceRef(env.place(r.place)))?;
        m.serialize_entry("title", &r.title)?;
        match &r.data {
            RecordBody::Session(sn) => m.serialize_entry(
                "date",
                &Iso {
                    moment: &sn.date,
                    tz,
                },
            )?,
            _ => m.serialize_entry("date", &Day(r.date()))?,
        }
        m.serialize_entry("tags", &r.tags)?;
        m.serialize_entry("summary", &*r.plain_summary)?;
        m.serialize_entry("extra", &r.extra)?;
        match &r.data {
            RecordBody::Topic(t) => {
                let status = g.status[i].map(|st| Labelled {
                    slug: st.slug(),
                    name: ctx.label("status", st.slug()),
                });
                m.serialize_entry("type", &Vocab(v.topic_types.get(t.topic_type)))?;
                m.serialize_entry("status", &status)?;
                m.serialize_entry("overdue", &g.overdue[i])?;
                m.serialize_entry("proposed", &Day(t.proposed))?;
                m.serialize_entry("proposer", &t.proposer)?;
                m.serialize_entry("notice", &t.notice.map(Day))?;
                m.serialize_entry("notice_until", &t.notice_until.map(Day))?;
                m.serialize_entry("withdrawn", &t.withdrawn.map(Day))?;
                m.serialize_entry("amount", &t.amount.map(Yuan))?;
                m.serialize_entry(
                    "villages",
                    &PlaceRefs {
                        env,
                        list: &t.villages,
                    },
                )?;
                m.serialize_entry(
                    "related",
                    &Refs {
                        env,
                        list: &t.related,
                    },
                )?;
                m.serialize_entry(
                    "sessions",
                    &Refs {
                        env,
                        list: &g.sessions_of[i],
                    },
                )?;
                m.serialize_entry("outcome", &g.outcome_of[i].map(|o| Ref { env, i: o }))?;
            }
            RecordBody::Session(sn) => {
                m.serialize_entry(
                    "topics",
                    &Refs {
                        env,
                        list: &sn.topics,
                    },
                )?;
                m.serialize_entry("end", &sn.end.as_ref().map(|e| Iso { moment: e, tz }))?;
                m.serialize_entry("upcoming", &g.is_upcoming[i])?;
                m.serialize_entry("form", &Vocab(v.session_forms.get(sn.form)))?;
                m.serialize_entry("location", &sn.location)?;
                m.serialize_entry(
                    "participants",
                    &Participants {
                        env,
                        list: &sn.participants,
                    },
                )?;
                m.serialize_entry("attendance", &sn.attendance)?;
                m.serialize_entry(
                    "votes",
                    &Votes {
                        env,
                        vote: sn.vote.as_ref(),
                    },
                )?;
                m.serialize_entry(
                    "attachments",
                    &Attachments {
                        env,
                        record: r,
                        list: &sn.attachments,
                    },
                )?;
            }
            RecordBody::Outcome(o) => {
                m.serialize_entry("topic", &o.topic.map(|t| Ref { env, i: t }))?;
                m.serialize_entry(
                    "sessions",
                    &Refs {
                        env,
                        list: &o.sessions,
                    },
                )?;
                m.serialize_entry("decided", &Day(o.decided))?;
                m.serialize_entry("result", &Vocab(v.results.get(o.result)))?;
                m.serialize_entry("responsible", &o.responsible)?;
                m.serialize_entry("deadline", &o.deadline.map(Day))?;
                m.serialize_entry("overdue", &o.topic.is_some_and(|t| g.overdue[t]))?;
                m.serialize_entry("after_as_of", &g.later[i])?;
                m.serialize_entry("amount", &o.amount.map(Yuan))?;
                m.serialize_entry(
                    "progress",
                    &ProgressList {
                        env,
                        list: &o.progress,
                    },
                )?;
            }
        }
        m.end()
    }
}

/// The document's header fields before `records`.
#[derive(Serialize)]
struct SiteInfo<'a> {
    title: &'a str,
    base_url: &'a str,
    license: Option<&'a str>,
}

#[derive(Serialize)]
struct SetPlace<'a> {
    id: PlaceId<'a>,
    name: &'a str,
    full_name: &'a str,
    kind: Option<&'static str>,
    code: Option<&'a str>,
    url: String,
}

#[derive(Serialize, Default)]
struct Counts {
    records: usize,
    topics: usize,
    sessions: usize,
    outcomes: usize,
}

/// Whether `set`'s `records.json` lists only the records of its own place:
/// a place below the top level with places below it (a town), whose
/// villages' files list theirs ([`parts`]).
pub(super) fn lists_own_only(ctx: &Ctx, set: &DataSet) -> bool {
    set.place != 0 && !ctx.graph.site.places[set.place].children.is_empty()
}

/// The records `set`'s `records.json` lists.
fn listed<'a>(ctx: &'a Ctx, set: &'a DataSet) -> impl Iterator<Item = usize> + 'a {
    let own_only = lists_own_only(ctx, set);
    let records = &ctx.graph.site.records;
    set.records
        .iter()
        .copied()
        .filter(move |&i| !own_only || records[i].place == set.place)
}

/// A file of a place below, listed in `parts`.
#[derive(Serialize)]
struct Part<'a> {
    place: PlaceRef<'a>,
    url: String,
    records: usize,
}

/// The files of the places below a town, whose records its own file does
/// not repeat (empty for the whole site and for a village).
fn parts<'a>(ctx: &'a Ctx, set: &DataSet) -> Vec<Part<'a>> {
    if !lists_own_only(ctx, set) {
        return Vec::new();
    }
    let g = ctx.graph;
    g.site.places[set.place]
        .children
        .iter()
        .map(|&c| {
            let child = &g.site.places[c];
            let sub = DataSet {
                dir: crate::route::data_folder(child),
                title: String::new(),
                place: c,
                records: g.by_place.get(c).cloned().unwrap_or_default(),
            };
            Part {
                place: PlaceRef(child),
                url: ctx
                    .urls
                    .absolute(&format!("{}{}", sub.dir, super::DataFile::Json.name())),
                records: listed(ctx, &sub).count(),
            }
        })
        .collect()
}

fn counts(ctx: &Ctx, set: &DataSet) -> Counts {
    let mut c = Counts::default();
    for i in listed(ctx, set) {
        c.records += 1;
        match ctx.graph.site.records[i].kind {
            RecordKind::Topic => c.topics += 1,
            RecordKind::Session => c.sessions += 1,
            RecordKind::Outcome => c.outcomes += 1,
        }
    }
    c
}

fn json_err(e: serde_json::Error) -> io::Error {
    match e.io_error_kind() {
        Some(kind) => io::Error::new(kind, e),
        None => io::Error::other(e),
    }
}

/// Writes `records.json` of `set` to `w`, record by record. `w` should be
/// buffered (a `BufWriter`): the document is written in many small pieces.
pub fn write_json(
    ctx: &Ctx,
    set: &DataSet,
    followers: &mut Followers,
    w: &mut dyn Write,
) -> io::Result<()> {
    let base = ctx.urls.absolute("");
    let env = Env {
        ctx,
        base: &base,
        bodies: set.place == 0,
    };
    // Followers carry no bodies either: only the whole site's file does.
    debug_assert!(followers.is_empty() || set.place != 0);
    write_json_head(ctx, set, &base, w)?;
    followers.heads(|f, bytes| write_json_head(ctx, f, &base, bytes))?;
    // A town's own file lists its own records only (its villages' files
    // have theirs); it still encodes every record of the set once, for the
    // villages' files that follow it.
    let own_only = lists_own_only(ctx, set);
    let mut listed = 0;
    let sep = |n: usize| -> &'static [u8] {
        if n == 0 {
            b"\n"
        } else {
            b",\n"
        }
    };
    // Each record is serialised into one reused buffer (static dispatch,
    // no allocation once it has grown), then written in one call.
    let mut buf = Vec::with_capacity(8192);
    for &i in &set.records {
        let listed_here = !own_only || ctx.graph.site.records[i].place == set.place;
        if !listed_here && followers.is_empty() {
            continue;
        }
        buf.clear();
        buf.extend_from_slice(sep(listed));
        let start = buf.len();
        write_record(env, i, &mut buf)?;
        if listed_here {
            w.write_all(&buf)?;
            listed += 1;
        }
        followers.record(i, &buf[start..], sep);
    }
    w.write_all(JSON_TAIL)?;
    followers.tails(JSON_TAIL);
    Ok(())
}

const JSON_TAIL: &[u8] = b"\n]}\n";

/// The document's fields before the records, through `"records":[`.
fn write_json_head(ctx: &Ctx, set: &DataSet, base: &str, w: &mut dyn Write) -> io::Result<()> {
    let place = &ctx.graph.site.places[set.place];
    let put = |w: &mut dyn Write, v: &dyn erased_json::Value| v.write_to(w);
    w.write_all(b"{\"schema\":")?;
    put(w, &ctx.urls.absolute(SCHEMA_PATH))?;
    w.write_all(b",\"version\":")?;
    put(w, &VERSION)?;
    w.write_all(b",\"site\":")?;
    put(
        w,
        &SiteInfo {
            title: &ctx.config.title,
            base_url: base,
            license: ctx.config.license.as_deref(),
        },
    )?;
    w.write_all(b",\"place\":")?;
    put(
        w,
        &SetPlace {
            id: PlaceId(place),
            name: &place.name,
            full_name: &set.title,
            kind: place.kind.map(|k| k.slug()),
            code: place.code.as_deref(),
            url: ctx.urls.absolute(&crate::route::of_place(place).path()),
        },
    )?;
    w.write_all(b",\"as_of\":")?;
    put(w, &Day(ctx.graph.as_of))?;
    w.write_all(b",\"counts\":")?;
    put(w, &counts(ctx, set))?;
    w.write_all(b",\"parts\":")?;
    put(w, &parts(ctx, set))?;
    w.write_all(b",\"records\":[")
}

/// Appends record `i` as one JSON object to `buf`: its fields through
/// serde, then `"body"` last (in the whole site's file only), escaped by
/// [`push_json_string`].
fn write_record(env: Env, i: usize, buf: &mut Vec<u8>) -> io::Result<()> {
    serde_json::to_writer(&mut *buf, &JsonRecord { env, i }).map_err(json_err)?;
    debug_assert_eq!(buf.last(), Some(&b'}'));
    if env.bodies {
        buf.pop();
        buf.extend_from_slice(b",\"body\":");
        push_json_string(buf, &env.record(i).body.text()?);
        buf.push(b'}');
    }
    Ok(())
}

/// Appends `s` as a JSON string literal. Same output as serde_json (only
/// `"`, `\\` and control characters are escaped), but runs of plain text
/// are found eight bytes at a time: bodies are long and mostly Chinese,
/// and byte-at-a-time escaping was most of the time of `records.json`.
fn push_json_string(out: &mut Vec<u8>, s: &str) {
    /// Whether any byte of `w` is below 0x20, `"` or `\\` (may say yes
    /// wrongly only when another byte does need escaping; never says no
    /// wrongly).
    fn needs_escape(w: u64) -> bool {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
        let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        below_space | has_zero(w ^ (ONES * b'"' as u64)) | has_zero(w ^ (ONES * b'\\' as u64)) != 0
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        while let Some(chunk) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            if needs_escape(word) {
                break;
            }
            i += 8;
        }
        let Some(&b) = bytes.get(i) else { break };
        let escaped: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => &[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ],
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escaped);
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Writing one header value through a `dyn Write` (serde's `Serialize` is
/// not object safe, so each value type gets this one-method view).
mod erased_json {
    pub trait Value {
        fn write_to(&self, w: &mut dyn std::io::Write) -> std::io::Result<()>;
    }

    impl<T: serde::Serialize> Value for T {
        fn write_to(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
            serde_json::to_writer(w, self).map_err(super::json_err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped_like_serde_json() {
        let mut samples: Vec<String> = vec![
            String::new(),
            "两村村民联名提出在界河上建设便民桥。".into(),
            "## 背景\n\n| 来源 | 金额 |\n|---|---|\n".into(),
            "quote \" backslash \\ tab \t cr \r bell \u{7} nul \u{0} esc \u{1b} del \u{7f}".into(),
            "12345678\"12345678\\".into(),
            "/ < > & ' 😀 \u{2028}".into(),
        ];
        samples.push((0u8..0x80).map(char::from).collect());
        samples.push("长".repeat(1000) + "\n");
        for s in &samples {
            let mut ours = Vec::new();
            push_json_string(&mut ours, s);
            let theirs = serde_json::to_vec(s).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs).unwrap()
            );
        }
    }
}
