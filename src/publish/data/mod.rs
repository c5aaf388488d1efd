//! Open data: every published record as JSON (one document per place, with
//! derived status and resolved references) and as CSV (one file per kind,
//! for spreadsheets), under `data/`.
//!
//! Both formats stream: each record is serialised straight into the
//! caller's writer from small borrowed views of the graph, so memory does
//! not grow with the number of records. Drafts never reach here (they are
//! dropped before linking).
//!
//! # JSON (`records.json`)
//!
//! Documented field by field in `records.schema.json`, published as
//! `data/schema.json`. Keys are English snake_case and never change within a
//! `version`; values are as the clerk wrote them (titles, names, Markdown),
//! vocabulary values as `{slug, name}`, references to records as
//! `{id, url, title}`, to places as `{id, name}`. Optional fields are always
//! present (`null` or `[]` when absent), so every record of a kind has the
//! same keys. One record per line, so line-oriented tools work too.
//!
//! # CSV (`topics.csv`, `sessions.csv`, `outcomes.csv`)
//!
//! UTF-8 with a byte-order mark (Excel and WPS read Chinese correctly only
//! with it), CRLF line ends, RFC 4180 quoting. Headers come from the theme's
//! `[data_columns]` strings (Chinese in zh-CN); the column keys, the same as
//! the JSON keys, are the fallback. Cells with several values are joined
//! with `；`; references are record ids; vocabulary values are names; dates
//! are ISO 8601. The Markdown body is left out (a cell holds at most 32,767
//! characters in Excel): the JSON has it. Columns, by key → zh-CN header:
//!
//! - all kinds: `id` 编号, `url` 网址, `place_id` 地点编号, `place` 所属地点,
//!   `title` 标题;
//! - topics: `type` 议题类型, `status` 状态, `overdue` 逾期, `proposed`
//!   提出日期, `proposer` 提出方, `notice` 公示日期, `notice_until` 公示截止,
//!   `withdrawn` 撤回日期, `amount` 金额（元）, `villages` 涉及村（社区）,
//!   `related` 相关议题编号, `sessions` 协商会议编号, `outcome` 协商成果编号;
//! - sessions: `topics` 议题编号, `topic_titles` 议题, `date` 开始时间, `end`
//!   结束时间, `upcoming` 即将召开, `form` 协商形式, `location` 会议地点,
//!   `participants` 参加人员, `attendance` 到会人数, `votes` 表决结果,
//!   `attachments` 附件;
//! - outcomes: `topic` 议题编号, `topic_title` 议题, `sessions` 协商会议编号,
//!   `decided` 决策日期, `result` 协商结果, `responsible` 责任单位,
//!   `deadline` 承诺完成日期, `overdue` 逾期, `amount` 金额（元）,
//!   `latest_state` 最新进展, `progress` 落实反馈;
//! - all kinds, last: `tags` 关键词, `summary` 摘要.

use std::fmt::{self, Display, Write as _};
use std::io::{self, Write};

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::Ctx;
use crate::date::Moment;
use crate::model::{Place, Record, RecordBody, RecordKind, Tally, Vote};
use crate::vocab::Term;

/// The JSON Schema of `records.json` (draft 2020-12).
pub const SCHEMA: &str = include_str!("records.schema.json");

/// Where [`SCHEMA`] is published, relative to the output root.
pub const SCHEMA_PATH: &str = "data/schema.json";

/// The format version of `records.json`; raised only with an incompatible
/// change of its fields.
pub const VERSION: u32 = 1;

/// Separator of several values in one CSV cell.
pub const CSV_SEPARATOR: &str = "；";

/// One folder of open data: the whole site, or one place's index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSet {
    /// Output-relative folder: `data/` for the whole site, `data/shezhu/`,
    /// `data/shezhu/nanshan/` per place.
    pub dir: String,
    /// The place's full name ("社渚镇 · 南山村"), or the site's title.
    pub title: String,
    /// Index of the place (0, the top level, for the whole site).
    pub place: usize,
    /// The place's index (`graph.by_place`): its own records, its
    /// descendants', and the town topics naming it; newest first.
    pub records: Vec<usize>,
}

/// The files of a data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataFile {
    /// `records.json`: every record of the set.
    Json,
    /// `topics.csv`, `sessions.csv`, `outcomes.csv`.
    Csv(RecordKind),
}

impl DataFile {
    /// In the order they are listed on the page.
    pub const ALL: [DataFile; 4] = [
        DataFile::Json,
        DataFile::Csv(RecordKind::Topic),
        DataFile::Csv(RecordKind::Session),
        DataFile::Csv(RecordKind::Outcome),
    ];

    /// The file name inside the set's folder.
    pub fn name(self) -> &'static str {
        match self {
            DataFile::Json => "records.json",
            DataFile::Csv(RecordKind::Topic) => "topics.csv",
            DataFile::Csv(RecordKind::Session) => "sessions.csv",
            DataFile::Csv(RecordKind::Outcome) => "outcomes.csv",
        }
    }

    /// `json` or `csv`.
    pub fn format(self) -> &'static str {
        match self {
            DataFile::Json => "json",
            DataFile::Csv(_) => "csv",
        }
    }

    /// The UI string (top level of the theme's strings) naming the file.
    pub fn label_key(self) -> &'static str {
        match self {
            DataFile::Json => "data_file_json",
            DataFile::Csv(RecordKind::Topic) => "data_file_topics",
            DataFile::Csv(RecordKind::Session) => "data_file_sessions",
            DataFile::Csv(RecordKind::Outcome) => "data_file_outcomes",
        }
    }

    /// The file of `set` at output-relative `path`, if it is one.
    pub fn of_path(set: &DataSet, path: &str) -> Option<DataFile> {
        let name = path.strip_prefix(set.dir.as_str())?;
        DataFile::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Writes the file (see [`write_json`], [`write_csv`]).
    pub fn write(self, ctx: &Ctx, set: &DataSet, w: &mut dyn Write) -> io::Result<()> {
        self.write_with(ctx, set, &mut Followers::default(), w)
    }

    /// Writes the file of `set` to `w` and, from the same encoded records,
    /// the same file of each of `followers` (see [`Followers`]).
    pub fn write_with(
        self,
        ctx: &Ctx,
        set: &DataSet,
        followers: &mut Followers,
        w: &mut dyn Write,
    ) -> io::Result<()> {
        match self {
            DataFile::Json => write_json(ctx, set, followers, w),
            DataFile::Csv(kind) => write_csv(ctx, set, kind, followers, w),
        }
    }
}

/// Sets written along with a bigger one: a town's data job also writes its
/// villages' files, from each record encoded once for both. A follower's
/// records are the leader's records it lists, in the same order (indexes
/// are sorted once, newest first); a follower whose file would come out
/// otherwise is written on its own instead ([`Followers::finish`]).
#[derive(Default)]
pub struct Followers<'s> {
    sets: Vec<Follower<'s>>,
}

struct Follower<'s> {
    set: &'s DataSet,
    /// The records its file lists (of one kind, for a CSV file).
    want: Vec<usize>,
    /// How many of `want` have been appended to `bytes`.
    done: usize,
    bytes: Vec<u8>,
}

impl<'s> Followers<'s> {
    /// Followers for the file `file` of each of `sets`.
    pub fn new(ctx: &Ctx, file: DataFile, sets: &[&'s DataSet]) -> Followers<'s> {
        let records = &ctx.graph.site.records;
        let sets = sets
            .iter()
            .map(|set| Follower {
                set,
                want: match file {
                    DataFile::Json => set.records.clone(),
                    DataFile::Csv(kind) => set
                        .records
                        .iter()
                        .copied()
                        .filter(|&i| records[i].kind == kind)
                        .collect(),
                },
                done: 0,
                bytes: Vec::new(),
            })
            .collect();
        Followers { sets }
    }

    fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// Start every follower's file with `head(set)`.
    fn heads(
        &mut self,
        mut head: impl FnMut(&DataSet, &mut Vec<u8>) -> io::Result<()>,
    ) -> io::Result<()> {
        for f in &mut self.sets {
            head(f.set, &mut f.bytes)?;
        }
        Ok(())
    }

    /// Record `i` of the leader, encoded as `bytes`; `sep(n)` goes before
    /// the `n`th record of a file.
    fn record(&mut self, i: usize, bytes: &[u8], sep: impl Fn(usize) -> &'static [u8]) {
        for f in &mut self.sets {
            if f.want.get(f.done) == Some(&i) {
                f.bytes.extend_from_slice(sep(f.done));
                f.bytes.extend_from_slice(bytes);
                f.done += 1;
            }
        }
    }

    fn tails(&mut self, tail: &[u8]) {
        for f in &mut self.sets {
            f.bytes.extend_from_slice(tail);
        }
    }

    /// Whether every follower received exactly its records (so that
    /// [`Followers::finish`] writes none of them again).
    pub fn complete(&self) -> bool {
        self.sets.iter().all(|f| f.done == f.want.len())
    }

    /// Each follower's set and file. One that did not receive exactly its
    /// records is written on its own with `file`.
    pub fn finish(self, ctx: &Ctx, file: DataFile) -> io::Result<Vec<(&'s DataSet, Vec<u8>)>> {
        self.sets
            .into_iter()
            .map(|f| {
                if f.done == f.want.len() {
                    return Ok((f.set, f.bytes));
                }
                let mut bytes = Vec::new();
                file.write(ctx, f.set, &mut bytes)?;
                Ok((f.set, bytes))
            })
            .collect()
    }
}

/// The whole site (`data/`), then every place below the top level in tree
/// order (a town, then its villages).
pub fn data_sets(ctx: &Ctx) -> Vec<DataSet> {
    let g = ctx.graph;
    let places = &g.site.places;
    let mut sets = Vec::with_capacity(places.len());
    if places.is_empty() {
        return sets;
    }
    let mut stack = vec![0usize];
    while let Some(p) = stack.pop() {
        let place = &places[p];
        let (dir, title) = if p == 0 {
            ("data/".to_string(), ctx.config.title.clone())
        } else {
            (
                format!("data/{}/", place.path.join("/")),
                ctx.place_full_name(p),
            )
        };
        sets.push(DataSet {
            dir,
            title,
            place: p,
            records: g.by_place.get(p).cloned().unwrap_or_default(),
        });
        stack.extend(place.children.iter().rev());
    }
    sets
}

/// Per set, the sets its job writes too (see [`Followers`]): the places
/// below a town or other place that have no places below them. The whole
/// site's set leads none (it alone carries bodies; its job is the longest).
pub fn followers(ctx: &Ctx, sets: &[DataSet]) -> Vec<Vec<usize>> {
    let places = &ctx.graph.site.places;
    let set_of: std::collections::HashMap<usize, usize> =
        sets.iter().enumerate().map(|(k, s)| (s.place, k)).collect();
    let mut out = vec![Vec::new(); sets.len()];
    for (k, set) in sets.iter().enumerate() {
        let place = &places[set.place];
        if let Some(parent) = place.parent.filter(|&p| p != 0) {
            if place.children.is_empty() {
                if let Some(&lead) = set_of.get(&parent) {
                    out[lead].push(k);
                }
            }
        }
    }
    out
}

/// The output-relative paths of a set's files (`data/shezhu/records.json`,
/// `data/shezhu/topics.csv`, …), in the order of [`DataFile::ALL`].
pub fn files_of(set: &DataSet) -> Vec<String> {
    DataFile::ALL
        .iter()
        .map(|f| format!("{}{}", set.dir, f.name()))
        .collect()
}

/// Every output-relative path of open data except the page: the schema and
/// the files of every set.
pub fn all_paths(sets: &[DataSet]) -> Vec<String> {
    let mut paths = vec![SCHEMA_PATH.to_string()];
    paths.extend(sets.iter().flat_map(files_of));
    paths
}

/// The context of the `/data/` page (`data.html`): `title`, `intro`,
/// `license`, `schema_url`, and `sets`, each `{name, depth, count, files:
/// [{label, url, kind}]}` with root-relative links.
pub fn page_value(ctx: &Ctx, sets: &[DataSet]) -> serde_json::Value {
    let places = &ctx.graph.site.places;
    let sets: Vec<serde_json::Value> = sets
        .iter()
        .map(|set| {
            let files: Vec<serde_json::Value> = DataFile::ALL
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "label": ctx.string(f.label_key()),
                        "url": ctx.urls.link(&format!("{}{}", set.dir, f.name())),
                        "kind": f.format(),
                    })
                })
                .collect();
            serde_json::json!({
                "name": set.title,
                "depth": places.get(set.place).map_or(0, Place::depth),
                "count": set.records.len(),
                "files": files,
            })
        })
        .collect();
    serde_json::json!({
        "title": ctx.string("data_title"),
        "license": ctx.config.license,
        "schema_url": ctx.urls.link(SCHEMA_PATH),
        "sets": sets,
    })
}

// ---------------------------------------------------------------- JSON ----

/// What every serialised view borrows: the context plus what is computed
/// once per file (the absolute base URL).
#[derive(Clone, Copy)]
struct Env<'a> {
    ctx: &'a Ctx<'a>,
    base: &'a str,
    /// Whether records carry their body: only in the whole site's file, so
    /// that the bodies are published once, not again in every place's file.
    bodies: bool,
}

impl<'a> Env<'a> {
    fn record(&self, i: usize) -> &'a Record {
        &self.ctx.graph.site.records[i]
    }

    fn place(&self, p: usize) -> &'a Place {
        &self.ctx.graph.site.places[p]
    }

    fn url(&self, i: usize) -> RecordUrl<'a> {
        let r = self.record(i);
        RecordUrl {
            base: self.base,
            place: self.place(r.place),
            kind: r.kind,
            tail: Tail::Page(&r.slug),
        }
    }
}

/// Characters escaped in an attachment's path segment: everything but the
/// unreserved characters and the sub-delimiters allowed in a path.
pub(crate) const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

enum Tail<'a> {
    /// The record page: `<slug>/`.
    Page(&'a str),
    /// An attachment, relative to the kind's folder: `files/<name>`.
    File(&'a str),
}

/// An absolute URL under the site's base, written without allocating.
struct RecordUrl<'a> {
    base: &'a str,
    place: &'a Place,
    kind: RecordKind,
    tail: Tail<'a>,
}

impl Display for RecordUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base)?;
        for seg in &self.place.path {
            f.write_str(seg)?;
            f.write_char('/')?;
        }
        f.write_str(self.kind.dir())?;
        f.write_char('/')?;
        match self.tail {
            Tail::Page(slug) => {
                f.write_str(slug)?;
                f.write_char('/')
            }
            Tail::File(path) => {
                for (n, seg) in path.split('/').enumerate() {
                    if n > 0 {
                        f.write_char('/')?;
                    }
                    Display::fmt(&utf8_percent_encode(seg, SEGMENT), f)?;
                }
                Ok(())
            }
        }
    }
}

impl Serialize for RecordUrl<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A session's start or end: `2026-07-15` without a time, else the instant
/// in the site's time zone with its offset, `2026-07-15T19:30:00+08:00`.
struct Iso<'a> {
    moment: &'a Moment,
    tz: chrono_tz::Tz,
}

impl Display for Iso<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.moment.has_time {
            let at = self.moment.instant(self.tz);
            Display::fmt(&at.format("%Y-%m-%dT%H:%M:%S%:z"), f)
        } else {
            Display::fmt(&self.moment.day(), f)
        }
    }
}

impl Serialize for Iso<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A date as `YYYY-MM-DD` (chrono's serde support is not enabled).
struct Day(chrono::NaiveDate);

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// An amount in yuan: a whole number when it is one (`1250000`, not
/// `1250000.0`), else the shortest decimal (`12.5`).
#[derive(Clone, Copy)]
struct Yuan(f64);

impl Yuan {
    fn whole(self) -> Option<u64> {
        let a = self.0;
        (a.is_finite() && a >= 0.0 && a.fract() == 0.0 && a < 9.0e15).then_some(a as u64)
    }
}

impl Serialize for Yuan {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.whole() {
            Some(n) => s.serialize_u64(n),
            None => s.serialize_f64(self.0),
        }
    }
}

impl Display for Yuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.whole() {
            Some(n) => write!(f, "{n}"),
            None => write!(f, "{}", self.0),
        }
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

/// `shezhu/nanshan`, written without joining.
struct PlaceId<'a>(&'a Place);

impl Display for PlaceId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, seg) in self.0.path.iter().enumerate() {
            if n > 0 {
                f.write_char('/')?;
            }
            f.write_str(seg)?;
        }
        Ok(())
    }
}

impl Serialize for PlaceId<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
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
                m.serialize_entry("upcoming", &(sn.date.day() >= g.as_of))?;
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

fn counts(ctx: &Ctx, set: &DataSet) -> Counts {
    let mut c = Counts {
        records: set.records.len(),
        ..Counts::default()
    };
    for &i in &set.records {
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
    for (n, &i) in set.records.iter().enumerate() {
        buf.clear();
        buf.extend_from_slice(sep(n));
        let start = buf.len();
        write_record(env, i, &mut buf)?;
        w.write_all(&buf)?;
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
            url: ctx
                .urls
                .absolute(&crate::url::Urls::place_path(place).to_string()),
        },
    )?;
    w.write_all(b",\"as_of\":")?;
    put(w, &Day(ctx.graph.as_of))?;
    w.write_all(b",\"counts\":")?;
    put(w, &counts(ctx, set))?;
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

// ----------------------------------------------------------------- CSV ----

/// Column keys per kind, between the shared leading and trailing columns.
const LEADING: [&str; 5] = ["id", "url", "place_id", "place", "title"];
const TRAILING: [&str; 2] = ["tags", "summary"];
const TOPIC_COLUMNS: [&str; 13] = [
    "type",
    "status",
    "overdue",
    "proposed",
    "proposer",
    "notice",
    "notice_until",
    "withdrawn",
    "amount",
    "villages",
    "related",
    "sessions",
    "outcome",
];
const SESSION_COLUMNS: [&str; 11] = [
    "topics",
    "topic_titles",
    "date",
    "end",
    "upcoming",
    "form",
    "location",
    "participants",
    "attendance",
    "votes",
    "attachments",
];
const OUTCOME_COLUMNS: [&str; 11] = [
    "topic",
    "topic_title",
    "sessions",
    "decided",
    "result",
    "responsible",
    "deadline",
    "overdue",
    "amount",
    "latest_state",
    "progress",
];

/// The column keys of a kind's CSV file, in order.
pub fn csv_columns(kind: RecordKind) -> Vec<&'static str> {
    let own: &[&str] = match kind {
        RecordKind::Topic => &TOPIC_COLUMNS,
        RecordKind::Session => &SESSION_COLUMNS,
        RecordKind::Outcome => &OUTCOME_COLUMNS,
    };
    LEADING
        .iter()
        .chain(own)
        .chain(TRAILING.iter())
        .copied()
        .collect()
}

/// Builds one row's cells into reused buffers: no allocation per record
/// once the buffers have grown.
struct Row {
    cells: Vec<String>,
    used: usize,
}

impl Row {
    fn new() -> Row {
        Row {
            cells: Vec::new(),
            used: 0,
        }
    }

    fn clear(&mut self) {
        self.used = 0;
    }

    /// A fresh empty cell to write into.
    fn cell(&mut self) -> &mut String {
        if self.used == self.cells.len() {
            self.cells.push(String::new());
        }
        let c = &mut self.cells[self.used];
        c.clear();
        self.used += 1;
        c
    }

    fn text(&mut self, s: &str) {
        self.cell().push_str(s);
    }

    fn display(&mut self, v: impl Display) {
        let c = self.cell();
        let _ = write!(c, "{v}");
    }

    fn opt(&mut self, v: Option<impl Display>) {
        let c = self.cell();
        if let Some(v) = v {
            let _ = write!(c, "{v}");
        }
    }

    /// Several values in one cell, joined with [`CSV_SEPARATOR`].
    fn joined<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut each: impl FnMut(&mut String, T),
    ) {
        let c = self.cell();
        for (n, item) in items.into_iter().enumerate() {
            if n > 0 {
                c.push_str(CSV_SEPARATOR);
            }
            each(c, item);
        }
    }

    fn cells(&self) -> &[String] {
        &self.cells[..self.used]
    }
}

/// Writes `topics.csv`, `sessions.csv` or `outcomes.csv` of `set` to `w`:
/// a byte-order mark, the header row, then one row per record of `kind`,
/// newest first.
pub fn write_csv(
    ctx: &Ctx,
    set: &DataSet,
    kind: RecordKind,
    followers: &mut Followers,
    w: &mut dyn Write,
) -> io::Result<()> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    w.write_all(BOM)?;
    // With followers, each row is flushed through `Tee` as it is written and
    // its bytes (in `row_bytes`) handed to them too.
    let row_bytes = std::cell::RefCell::new(Vec::new());
    let tee = Tee {
        w,
        copy: (!followers.is_empty()).then_some(&row_bytes),
    };
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(tee);
    let columns = csv_columns(kind);
    out.write_record(columns.iter().map(|k| ctx.label("data_columns", k)))?;
    if !followers.is_empty() {
        out.flush()?;
        let head = std::mem::take(&mut *row_bytes.borrow_mut());
        followers.heads(|_, bytes| {
            bytes.extend_from_slice(BOM);
            bytes.extend_from_slice(&head);
            Ok(())
        })?;
    }

    let base = ctx.urls.absolute("");
    let env = Env {
        ctx,
        base: &base,
        bodies: false,
    };
    let g = ctx.graph;
    let v = &ctx.config.vocabularies;
    let tz = ctx.config.timezone;
    let yes = ctx.string("data_yes");
    let no = ctx.string("data_no");
    let flag = |b: bool| if b { yes } else { no };
    let mut row = Row::new();
    for &i in &set.records {
        let r = env.record(i);
        if r.kind != kind {
            continue;
        }
        row.clear();
        row.text(&r.id);
        row.display(env.url(i));
        row.display(PlaceId(env.place(r.place)));
        row.text(&ctx.place_full_name(r.place));
        row.text(&r.title);
        match &r.data {
            RecordBody::Topic(t) => {
                row.text(&v.topic_types.get(t.topic_type).name);
                row.text(g.status[i].map_or("", |s| ctx.label("status", s.slug())));
                row.text(flag(g.overdue[i]));
                row.display(t.proposed);
                row.opt(t.proposer.as_deref());
                row.opt(t.notice);
                row.opt(t.notice_until);
                row.opt(t.withdrawn);
                row.opt(t.amount.map(Yuan));
                row.joined(&t.villages, |c, &p| c.push_str(&env.place(p).name));
                row.joined(&t.related, |c, &j| c.push_str(&env.record(j).id));
                row.joined(&g.sessions_of[i], |c, &j| c.push_str(&env.record(j).id));
                row.opt(g.outcome_of[i].map(|o| &env.record(o).id));
            }
            RecordBody::Session(s) => {
                row.joined(&s.topics, |c, &j| c.push_str(&env.record(j).id));
                row.joined(&s.topics, |c, &j| c.push_str(&env.record(j).title));
                row.display(Iso {
                    moment: &s.date,
                    tz,
                });
                row.opt(s.end.as_ref().map(|e| Iso { moment: e, tz }));
                row.text(flag(s.date.day() >= g.as_of));
                row.text(&v.session_forms.get(s.form).name);
                row.opt(s.location.as_deref());
                row.joined(&s.participants, |c, &(grp, n)| {
                    let _ = write!(c, "{} {n}", v.participant_groups.get(grp).name);
                });
                row.opt(s.attendance);
                let tally_text = |c: &mut String, t: &Tally| {
                    let parts = [
                        ("vote_for", t.yes),
                        ("vote_against", t.against),
                        ("vote_abstain", t.abstain),
                    ];
                    let mut first = true;
                    for (key, n) in parts {
                        if let Some(n) = n {
                            if !first {
                                c.push('，');
                            }
                            first = false;
                            let _ = write!(c, "{} {n}", ctx.string(key));
                        }
                    }
                };
                match &s.vote {
                    None => row.text(""),
                    Some(Vote::Single(t)) => tally_text(row.cell(), t),
                    Some(Vote::PerTopic(list)) => row.joined(list, |c, (reference, topic, t)| {
                        match topic {
                            Some(j) => c.push_str(&env.record(*j).id),
                            None => c.push_str(&reference.text),
                        }
                        c.push('：');
                        tally_text(c, t);
                    }),
                }
                row.joined(&s.attachments, |c, a| {
                    let _ = write!(
                        c,
                        "{}",
                        RecordUrl {
                            base: env.base,
                            place: env.place(r.place),
                            kind: r.kind,
                            tail: Tail::File(a),
                        }
                    );
                });
            }
            RecordBody::Outcome(o) => {
                row.opt(o.topic.map(|t| &env.record(t).id));
                row.opt(o.topic.map(|t| &env.record(t).title));
                row.joined(&o.sessions, |c, &j| c.push_str(&env.record(j).id));
                row.display(o.decided);
                row.text(&v.results.get(o.result).name);
                row.opt(o.responsible.as_deref());
                row.opt(o.deadline);
                row.text(flag(o.topic.is_some_and(|t| g.overdue[t])));
                row.opt(o.amount.map(Yuan));
                row.opt(
                    o.progress
                        .last()
                        .map(|p| &v.progress_states.get(p.state).name),
                );
                row.joined(&o.progress, |c, p| {
                    let _ = write!(c, "{} {}", p.date, v.progress_states.get(p.state).name);
                    if let Some(note) = &p.note {
                        c.push('：');
                        c.push_str(note);
                    }
                });
            }
        }
        row.joined(&r.tags, |c, t| c.push_str(t));
        row.text(&r.plain_summary);
        out.write_record(row.cells())?;
        if !followers.is_empty() {
            out.flush()?;
            let mut bytes = row_bytes.borrow_mut();
            followers.record(i, &bytes, |_| b"");
            bytes.clear();
        }
    }
    out.flush()?;
    Ok(())
}

/// Passes writes on to `w`, and copies them into `copy` when set. Its
/// `flush` does not flush `w` (the CSV writer flushes after every row when
/// rows are copied; the caller flushes the file once).
struct Tee<'a, 'w> {
    w: &'a mut (dyn Write + 'w),
    copy: Option<&'a std::cell::RefCell<Vec<u8>>>,
}

impl Write for Tee<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.w.write_all(buf)?;
        if let Some(copy) = self.copy {
            copy.borrow_mut().extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_whole_numbers_when_they_can_be() {
        assert_eq!(
            serde_json::to_string(&Yuan(1_250_000.0)).unwrap(),
            "1250000"
        );
        assert_eq!(serde_json::to_string(&Yuan(12.5)).unwrap(), "12.5");
        assert_eq!(serde_json::to_string(&Yuan(0.07)).unwrap(), "0.07");
        assert_eq!(Yuan(3.0).to_string(), "3");
        assert_eq!(Yuan(1234.56).to_string(), "1234.56");
    }

    fn place(path: &[&str]) -> Place {
        Place {
            path: path.iter().map(|s| s.to_string()).collect(),
            name: "南山村".into(),
            kind: None,
            summary: None,
            population: None,
            households: None,
            order: None,
            code: None,
            parent: None,
            children: Vec::new(),
            file: String::new(),
        }
    }

    #[test]
    fn record_and_attachment_urls() {
        let p = place(&["shezhu", "nanshan"]);
        let url = |tail| {
            RecordUrl {
                base: "https://e.org/x/",
                place: &p,
                kind: RecordKind::Session,
                tail,
            }
            .to_string()
        };
        assert_eq!(
            url(Tail::Page("2016-road")),
            "https://e.org/x/shezhu/nanshan/sessions/2016-road/"
        );
        assert_eq!(
            url(Tail::File("files/会议 纪要#1.pdf")),
            "https://e.org/x/shezhu/nanshan/sessions/files/%E4%BC%9A%E8%AE%AE%20%E7%BA%AA%E8%A6%81%231.pdf"
        );
        let top = place(&[]);
        assert_eq!(PlaceId(&top).to_string(), "");
        assert_eq!(PlaceId(&p).to_string(), "shezhu/nanshan");
    }

    #[test]
    fn moments_carry_the_site_offset_when_timed() {
        let tz = chrono_tz::Asia::Shanghai;
        let iso = |s: &str| {
            let m = crate::date::parse_moment(s, tz).unwrap();
            Iso { moment: &m, tz }.to_string()
        };
        assert_eq!(iso("2026-07-15"), "2026-07-15");
        assert_eq!(iso("2026-07-15 19:30"), "2026-07-15T19:30:00+08:00");
        // Written in UTC: shown in the site's zone, on its local day.
        assert_eq!(iso("2026-07-15T20:00Z"), "2026-07-16T04:00:00+08:00");
    }

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

    #[test]
    fn csv_columns_are_shared_then_own() {
        let t = csv_columns(RecordKind::Topic);
        assert_eq!(&t[..5], &LEADING);
        assert_eq!(t.last(), Some(&"summary"));
        assert!(t.contains(&"status"));
        let mut seen = std::collections::HashSet::new();
        for kind in RecordKind::ALL {
            seen.clear();
            for c in csv_columns(kind) {
                assert!(seen.insert(c), "{c} repeated in {kind:?}");
            }
        }
    }
}
