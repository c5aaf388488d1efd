//! The site's domain types, as validated from the clerks' files.
//!
//! Records refer to each other by index into [`Site::records`] and to places
//! by index into [`Site::places`] once references are resolved.

use chrono::NaiveDate;
use serde::Serialize;

use crate::date::Moment;

/// The three kinds of record, each from its own folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    Topic,
    Session,
    Outcome,
}

impl RecordKind {
    pub const ALL: [RecordKind; 3] = [RecordKind::Topic, RecordKind::Session, RecordKind::Outcome];

    /// The folder name, also the URL segment.
    pub const fn dir(self) -> &'static str {
        match self {
            RecordKind::Topic => "topics",
            RecordKind::Session => "sessions",
            RecordKind::Outcome => "outcomes",
        }
    }

    pub fn from_dir(name: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.dir() == name)
    }

    /// Chinese name, for messages.
    pub fn label(self) -> &'static str {
        match self {
            RecordKind::Topic => "议题",
            RecordKind::Session => "协商会议",
            RecordKind::Outcome => "协商成果",
        }
    }
}

/// What a place is; depth decides which kinds are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaceKind {
    City,
    County,
    District,
    Town,
    Street,
    Village,
    Community,
}

impl PlaceKind {
    pub fn parse(s: &str) -> Option<PlaceKind> {
        Some(match s.trim() {
            "city" | "市" => PlaceKind::City,
            "county" | "县" => PlaceKind::County,
            "district" | "区" => PlaceKind::District,
            "town" | "镇" => PlaceKind::Town,
            "street" | "街道" => PlaceKind::Street,
            "village" | "村" => PlaceKind::Village,
            "community" | "社区" => PlaceKind::Community,
            _ => return None,
        })
    }

    /// Kinds allowed at a depth (0 = content root).
    pub fn allowed_at(depth: usize) -> &'static [PlaceKind] {
        match depth {
            0 => &[PlaceKind::City, PlaceKind::County, PlaceKind::District],
            1 => &[PlaceKind::Town, PlaceKind::Street, PlaceKind::District],
            _ => &[PlaceKind::Village, PlaceKind::Community],
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            PlaceKind::City => "city",
            PlaceKind::County => "county",
            PlaceKind::District => "district",
            PlaceKind::Town => "town",
            PlaceKind::Street => "street",
            PlaceKind::Village => "village",
            PlaceKind::Community => "community",
        }
    }
}

/// A place: the top level, a town or street, a village or community.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Slugs from the content root; empty for the top level.
    pub path: Vec<String>,
    pub name: String,
    pub kind: Option<PlaceKind>,
    pub summary: Option<String>,
    pub population: Option<u64>,
    pub households: Option<u64>,
    pub order: Option<i64>,
    pub code: Option<String>,
    pub parent: Option<usize>,
    /// Child places, sorted by order, code, slug.
    pub children: Vec<usize>,
    /// `_place.yaml`, relative to the site root (for messages).
    pub file: String,
}

impl Place {
    /// `shezhu/nanshan`; empty for the top level.
    pub fn id(&self) -> String {
        self.path.join("/")
    }

    pub fn depth(&self) -> usize {
        self.path.len()
    }
}

/// A reference as written, kept until it is resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Ref {
    pub text: String,
    pub pos: Option<crate::diagnostic::Pos>,
}

/// A vote tally; a ballot may count only some of the three.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    #[serde(rename = "for")]
    pub yes: Option<u64>,
    pub against: Option<u64>,
    pub abstain: Option<u64>,
}

impl Tally {
    pub fn sum(&self) -> u64 {
        self.yes.unwrap_or(0) + self.against.unwrap_or(0) + self.abstain.unwrap_or(0)
    }
}

/// An implementation report on an outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub date: NaiveDate,
    /// Index into the `progress_states` vocabulary.
    pub state: usize,
    pub note: Option<String>,
    /// Where the report is written (for messages).
    pub pos: Option<crate::diagnostic::Pos>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    /// Index into the `topic_types` vocabulary.
    pub topic_type: usize,
    pub proposed: NaiveDate,
    pub proposer: Option<String>,
    pub notice: Option<NaiveDate>,
    pub notice_until: Option<NaiveDate>,
    pub withdrawn: Option<NaiveDate>,
    /// Where `withdrawn` is written (for messages).
    pub withdrawn_pos: Option<crate::diagnostic::Pos>,
    pub amount: Option<f64>,
    pub villages_ref: Vec<Ref>,
    pub related_ref: Vec<Ref>,
    /// Resolved `villages:` (place indexes).
    pub villages: Vec<usize>,
    /// Resolved `related:` (record indexes), both directions, no repeats.
    pub related: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub topics_ref: Vec<Ref>,
    pub topics: Vec<usize>,
    pub date: Moment,
    /// Where `date` is written (for messages).
    pub date_pos: Option<crate::diagnostic::Pos>,
    pub end: Option<Moment>,
    /// Index into the `session_forms` vocabulary.
    pub form: usize,
    pub location: Option<String>,
    /// (group index in `participant_groups`, count), in the order written.
    pub participants: Vec<(usize, u64)>,
    pub attendance: Option<u64>,
    pub vote: Option<Vote>,
    /// Where `vote` is written (for messages).
    pub vote_pos: Option<crate::diagnostic::Pos>,
    pub attachments: Vec<String>,
}

/// `vote:` as written: one tally, or one per topic.
#[derive(Debug, Clone, PartialEq)]
pub enum Vote {
    Single(Tally),
    /// (topic reference, resolved topic index once linked, tally).
    PerTopic(Vec<(Ref, Option<usize>, Tally)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub topic_ref: Ref,
    pub topic: Option<usize>,
    pub sessions_ref: Vec<Ref>,
    pub sessions: Vec<usize>,
    pub decided: NaiveDate,
    /// Where `decided` is written (for messages).
    pub decided_pos: Option<crate::diagnostic::Pos>,
    /// Index into the `results` vocabulary.
    pub result: usize,
    pub responsible: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub amount: Option<f64>,
    pub progress: Vec<Progress>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RecordBody {
    Topic(Topic),
    Session(Session),
    Outcome(Outcome),
}

/// One record: shared keys plus the kind's own.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// `shezhu/nanshan/2016-road`.
    pub id: String,
    pub slug: String,
    pub place: usize,
    pub kind: RecordKind,
    /// Relative to the site root, for messages.
    pub file: String,
    /// A hash of the file's text: changes whenever the file does.
    pub source_hash: u64,
    pub title: String,
    pub draft: bool,
    pub tags: Vec<String>,
    pub summary: Option<String>,
    /// `summary`, or else the body's first paragraph as plain text: computed
    /// once at validation, shown in every list.
    pub plain_summary: std::sync::Arc<str>,
    /// Markdown source of the body.
    pub body: Body,
    /// `x_` keys, for templates.
    pub extra: serde_json::Map<String, serde_json::Value>,
    pub data: RecordBody,
}

/// A record's Markdown body (masked where the site masks personal numbers).
///
/// Kept in memory, except on very large sites, where bodies would be most
/// of the build's memory: there it is read again from the record's file when
/// a page needs it (see `build::LEAN_ABOVE`) by the load stage's
/// `Body::text`: the domain types read no files.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Shared: records are cloned per build.
    Text(std::sync::Arc<str>),
    /// Kept compressed (LZ4): the preview's memory policy on large sites,
    /// where bodies would be most of its memory and reading them again from
    /// the files would race with the clerk's edits.
    Packed(std::sync::Arc<[u8]>),
    /// Read again on use; the file must still hash to `source_hash` (the
    /// text that was validated), or reading fails.
    OnDisk {
        path: std::path::PathBuf,
        source_hash: u64,
        mask: bool,
    },
}

/// Where validated bodies are kept (see [`Body`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bodies {
    Memory,
    Packed,
    OnDisk,
}

impl Record {
    /// Whether `other` differs from this record only in what it says
    /// (title, summary, body, tags, `x_` keys), not in where it is filed,
    /// its dates or what it refers to: then every index and link of the
    /// linked site holds for both.
    pub fn links_like(&self, other: &Record) -> bool {
        let bare = |r: &Record| Record {
            title: String::new(),
            summary: None,
            plain_summary: "".into(),
            body: Body::Text("".into()),
            source_hash: 0,
            tags: Vec::new(),
            extra: Default::default(),
            ..r.clone()
        };
        bare(self) == bare(other)
    }

    /// The record's own date: topic `proposed`, session `date` (local day),
    /// outcome `decided`. It files the record under a year.
    pub fn date(&self) -> NaiveDate {
        match &self.data {
            RecordBody::Topic(t) => t.proposed,
            RecordBody::Session(s) => s.date.day(),
            RecordBody::Outcome(o) => o.decided,
        }
    }

    pub fn topic(&self) -> Option<&Topic> {
        match &self.data {
            RecordBody::Topic(t) => Some(t),
            _ => None,
        }
    }

    pub fn session(&self) -> Option<&Session> {
        match &self.data {
            RecordBody::Session(s) => Some(s),
            _ => None,
        }
    }

    pub fn outcome(&self) -> Option<&Outcome> {
        match &self.data {
            RecordBody::Outcome(o) => Some(o),
            _ => None,
        }
    }
}

/// Derived status of a topic (never typed by a clerk).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TopicStatus {
    Collecting,
    Consulting,
    Decided,
    Implementing,
    Done,
    Withdrawn,
}

impl TopicStatus {
    pub const ALL: [TopicStatus; 6] = [
        TopicStatus::Collecting,
        TopicStatus::Consulting,
        TopicStatus::Decided,
        TopicStatus::Implementing,
        TopicStatus::Done,
        TopicStatus::Withdrawn,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            TopicStatus::Collecting => "collecting",
            TopicStatus::Consulting => "consulting",
            TopicStatus::Decided => "decided",
            TopicStatus::Implementing => "implementing",
            TopicStatus::Done => "done",
            TopicStatus::Withdrawn => "withdrawn",
        }
    }
}

/// Everything validated, with references resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Index 0 is the top level (content root).
    pub places: Vec<Place>,
    /// Published records only (drafts are dropped unless the build asks for
    /// them), sorted by id. Shared: the preview makes a new site from the
    /// last one with a few records replaced (`workspace.rs`).
    pub records: Vec<std::sync::Arc<Record>>,
    pub attachments: Vec<Attachment>,
}

/// An attachment file under some record folder's `files/`.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    /// Relative to `content/`, `/`-separated: also its path in the output.
    pub rel: String,
    pub source: std::path::PathBuf,
}
