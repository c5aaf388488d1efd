//! The keys of each kind of file a clerk writes (record front matter,
//! `_place.yaml`, `site.toml`): one description shared by the validator
//! (which keys are allowed) and by `yishi schema` (the JSON Schemas that
//! editors use). Which rules a value must follow beyond its type is the
//! validator's; a test checks that schema and validator agree on good and
//! bad records.

/// A vocabulary of `site.toml`, by its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VocabKey {
    TopicTypes,
    SessionForms,
    ParticipantGroups,
    Results,
    ProgressStates,
}

/// What a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Text,
    Bool,
    /// `YYYY-MM-DD`.
    Date,
    /// A session's start: a date, with an optional time and offset.
    Moment,
    /// A session's end: a time, or a date with a time.
    End,
    /// A record reference (slug or path).
    Ref,
    /// One reference or a list of them.
    Refs,
    /// One string or a list of them.
    Strings,
    Vocab(VocabKey),
    /// Yuan: a non-negative number.
    Amount,
    /// A non-negative integer.
    Count,
    /// `progress`: a list of `{date, state, note}`.
    Progress,
    /// `participants`: participant group → count.
    Participants,
    /// `vote`: a tally, or topic reference → tally.
    Vote,
    /// A place's kind.
    PlaceKind,
    /// A 12-digit statistical code, as a string or a number.
    Code,
    /// A TOML table (`site.toml`).
    Table,
    /// An integer ≥ 1.
    Positive,
    /// Any integer.
    Integer,
    /// A fixed list of strings.
    OneOf(&'static [&'static str]),
}

/// One key.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub key: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// What it means, for people (the schema's description).
    pub about: &'static str,
}

const fn f(key: &'static str, ty: Ty, required: bool, about: &'static str) -> Field {
    Field {
        key,
        ty,
        required,
        about,
    }
}

/// Keys every record may have.
pub const SHARED: &[Field] = &[
    f("title", Ty::Text, true, "标题"),
    f(
        "draft",
        Ty::Bool,
        false,
        "草稿：不发布，除非生成时加 --drafts",
    ),
    f("tags", Ty::Strings, false, "关键词"),
    f("summary", Ty::Text, false, "摘要；不写则取正文第一段"),
];

pub const TOPIC: &[Field] = &[
    f("type", Ty::Vocab(VocabKey::TopicTypes), true, "议题类型"),
    f("proposed", Ty::Date, true, "提出日期"),
    f("proposer", Ty::Text, false, "提出人（村民联名、村两委……）"),
    f("notice", Ty::Date, false, "事先公示日期"),
    f("notice_until", Ty::Date, false, "公示期（异议期）截止日期"),
    f("villages", Ty::Refs, false, "镇级议题涉及的村（社区）"),
    f("withdrawn", Ty::Date, false, "撤回日期（理由写在正文中）"),
    f("amount", Ty::Amount, false, "涉及金额（元）"),
    f("related", Ty::Refs, false, "相关议题"),
];

/// A session names its topics with `topic` or `topics` (one of them is
/// required; see [`required_one_of`]).
pub const SESSION: &[Field] = &[
    f("topic", Ty::Refs, false, "协商的议题"),
    f("topics", Ty::Refs, false, "协商的议题（多个）"),
    f(
        "date",
        Ty::Moment,
        true,
        "会议日期，可带时间：2026-07-15 19:30",
    ),
    f(
        "end",
        Ty::End,
        false,
        "结束时间：21:30，或跨天时写完整日期时间",
    ),
    f("form", Ty::Vocab(VocabKey::SessionForms), true, "协商形式"),
    f("location", Ty::Text, false, "会议地点"),
    f(
        "participants",
        Ty::Participants,
        false,
        "参加人员，按类别计人数",
    ),
    f("attendance", Ty::Count, false, "到会人数"),
    f(
        "vote",
        Ty::Vote,
        false,
        "表决结果：for 赞成 / against 反对 / abstain 弃权",
    ),
    f("attachments", Ty::Strings, false, "附件：files/文件名"),
];

pub const OUTCOME: &[Field] = &[
    f("topic", Ty::Ref, true, "所属议题"),
    f("sessions", Ty::Refs, false, "作出决策的会议"),
    f("decided", Ty::Date, true, "决策日期"),
    f("result", Ty::Vocab(VocabKey::Results), true, "协商结果"),
    f("responsible", Ty::Text, false, "责任单位"),
    f("deadline", Ty::Date, false, "承诺完成日期"),
    f("amount", Ty::Amount, false, "批准金额（元）"),
    f("progress", Ty::Progress, false, "落实反馈，最早的在前"),
];

pub const PLACE: &[Field] = &[
    f("name", Ty::Text, true, "名称"),
    f("kind", Ty::PlaceKind, true, "类型"),
    f("summary", Ty::Text, false, "简介"),
    f("population", Ty::Count, false, "人口"),
    f("households", Ty::Count, false, "户数"),
    f("order", Ty::Integer, false, "同级地点中的排序"),
    f("code", Ty::Code, false, "12 位统计用区划代码"),
];

pub const SITE: &[Field] = &[
    f("title", Ty::Text, true, "网站名称"),
    f("base_url", Ty::Text, true, "网站的完整网址，以 / 结尾"),
    f(
        "language",
        Ty::OneOf(&["zh-CN", "zh-TW", "zh-HK", "en"]),
        false,
        "界面语言",
    ),
    f("theme", Ty::Text, false, "主题名，默认 default"),
    f("page_size", Ty::Positive, false, "列表每页条数"),
    f(
        "privacy",
        Ty::OneOf(&["error", "mask"]),
        false,
        "发现个人号码时：error 不生成；mask 打星号后发布",
    ),
    f(
        "feed_content",
        Ty::OneOf(&["summary", "full"]),
        false,
        "订阅（Atom）条目的内容：summary 只有摘要和链接（默认）；full 附上全文",
    ),
    f("timezone", Ty::Text, false, "时区，如 Asia/Shanghai"),
    f("description", Ty::Text, false, "网站简介"),
    f("license", Ty::Text, false, "公开数据的许可协议"),
    f("vocabularies", Ty::Table, false, "改写或增补词表"),
    f(
        "extra",
        Ty::Table,
        false,
        "模板可用的其他信息（site.extra）",
    ),
];

/// The keys of `fields`.
pub fn keys(fields: &[Field]) -> Vec<&'static str> {
    fields.iter().map(|f| f.key).collect()
}

/// Keys of which a record must have one (a session's `topic` or
/// `topics`).
pub fn required_one_of(fields: &[Field]) -> &'static [&'static str] {
    if fields.iter().any(|f| f.key == "topics") {
        &["topic", "topics"]
    } else {
        &[]
    }
}
