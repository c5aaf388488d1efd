//! Open data: every published record as JSON (one document per place, with
//! derived status and resolved references) and as CSV (one file per kind,
//! for spreadsheets), under `data/`. A town's `records.json` lists its own
//! records and its villages' files (`parts`), never their records again;
//! its CSV files include them (one file per scope for spreadsheets).
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
//! characters in Excel): the JSON has it. A cell that starts like a
//! formula (`=`, `+`, `-`, `@`, tab, carriage return, or their full-width
//! forms) gets a leading `'` against CSV injection (OWASP); the JSON keeps
//! the value. Columns, by key → zh-CN header:
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
//!   `latest_state` 最新进展 (as of the reference date), `progress` 落实反馈;
//!   JSON only: `after_as_of` (decided after the reference date, so not
//!   counted yet);
//! - all kinds, last: `tags` 关键词, `summary` 摘要.

mod csv;
mod json;
mod page;
mod values;

use std::io::{self, Write};

use super::Ctx;
use crate::model::RecordKind;

pub use self::csv::{csv_columns, write_csv};
pub use self::json::write_json;
pub use self::page::page_value;
pub(crate) use self::values::SEGMENT;

/// The JSON Schema of `records.json` (draft 2020-12).
pub const SCHEMA: &str = include_str!("records.schema.json");

/// Where [`SCHEMA`] is published, relative to the output root.
pub use crate::route::DATA_SCHEMA as SCHEMA_PATH;

/// The format version of `records.json`; raised only with an incompatible
/// change of its fields.
pub const VERSION: u32 = 2;

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

    pub(super) fn is_empty(&self) -> bool {
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
        let dir = crate::route::data_folder(place);
        let title = if p == 0 {
            ctx.config.title.clone()
        } else {
            ctx.place_full_name(p)
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
    let mut paths = vec![crate::route::DATA_SCHEMA.to_string()];
    paths.extend(sets.iter().flat_map(files_of));
    paths
}
