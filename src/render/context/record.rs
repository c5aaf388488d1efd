//! The values of record pages (topic, session, outcome) and of their
//! printable notices.

use std::sync::Arc;

use serde::Serialize;

use super::card::{Card, ListCard};
use super::common::{DateValue, LabelLink, Link, Moment, PlaceLink, SlugLabel, VoteTally};
use crate::model::RecordKind;

/// `page` of `topic.html`, `session.html` and `outcome.html`.
#[derive(Debug, Clone, Serialize)]
pub struct RecordPage {
    pub title: String,
    pub tags: Vec<String>,
    /// The summary as the record gives it (Markdown), null without one.
    pub summary: Option<String>,
    /// The summary as plain text, cut at 120 characters: for search
    /// engines.
    pub description: String,
    /// `[extra]` of the record, for theme authors.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The record's file, relative to the content folder.
    pub source: String,
    /// Its printable notice.
    pub print_url: String,
    /// Its whole card.
    pub card: Arc<Card>,
    /// The body, as HTML.
    pub body_html: String,
    /// Its place and the places above it (not the top level); an outcome's
    /// topic after them.
    pub breadcrumbs: Vec<Link>,
    /// What its kind adds.
    #[serde(flatten)]
    pub kind_values: KindValues,
}

/// The values of a record's kind, under the name of its folder: exactly
/// one of `topics`, `sessions` and `outcomes` is present.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KindValues {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topics: Option<TopicValues>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions: Option<SessionValues>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcomes: Option<OutcomeValues>,
}

/// `page.topics` of a topic's page and print page.
#[derive(Debug, Clone, Serialize)]
pub struct TopicValues {
    /// The topic type and its list.
    #[serde(rename = "type")]
    pub topic_type: LabelLink,
    /// Where the matter stands.
    pub status: Option<SlugLabel>,
    /// Past its outcome's deadline.
    pub overdue: bool,
    /// Its outcome's deadline (null without one).
    pub deadline: Option<DateValue>,
    /// Who proposed it (null when not recorded).
    pub proposer: Option<String>,
    pub proposed: DateValue,
    /// When its public notice began (null without one).
    pub notice: Option<DateValue>,
    /// When its public notice ended (null without one).
    pub notice_until: Option<DateValue>,
    /// When it was withdrawn (null if it was not).
    pub withdrawn: Option<DateValue>,
    /// The sum it concerns, for people (`12.5万元`); null without one.
    pub amount: Option<String>,
    /// The villages it concerns.
    pub villages: Vec<PlaceLink>,
    /// What happened to it, step by step, oldest first.
    pub chain: Vec<ChainStep>,
    /// Its votes, one per session that voted on it, oldest first.
    pub tallies: Vec<SessionTally>,
    /// What the page answers first.
    pub glance: Glance,
    /// The topics it names as related.
    pub related: Vec<ListCard>,
    /// The sessions that discussed it.
    pub sessions: Vec<ListCard>,
    /// Its outcome (null while there is none).
    pub outcome: Option<ListCard>,
}

/// A step of [`TopicValues::chain`]; `kind` says which, and `label` names
/// it in the site's language.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainStep {
    /// The topic was proposed; `text` is the proposer (null when not
    /// recorded).
    Proposed {
        label: String,
        date: DateValue,
        text: Option<String>,
    },
    /// Its public notice (`date` and `until` null when not given).
    Notice {
        label: String,
        date: Option<DateValue>,
        until: Option<DateValue>,
    },
    /// A session discussed it; `label` is the session's form.
    Session {
        label: String,
        date: Moment,
        title: String,
        url: String,
        upcoming: bool,
    },
    /// Its outcome was decided; `text` is the result.
    Outcome {
        label: String,
        date: DateValue,
        title: String,
        url: String,
        text: String,
        /// Decided after the reference date: shown, not counted yet.
        later: bool,
    },
    /// A progress report; `label` is its state, `final` whether that state
    /// ends the matter, `text` the note (null without one).
    Progress {
        label: String,
        #[serde(rename = "final")]
        is_final: bool,
        date: DateValue,
        text: Option<String>,
        /// Dated after the reference date: shown, not counted yet.
        later: bool,
    },
    /// Its outcome's deadline passed with the matter open.
    Overdue { label: String, date: DateValue },
    /// It was withdrawn (`later`: on a day after the reference date, so
    /// not yet).
    Withdrawn {
        label: String,
        date: DateValue,
        later: bool,
    },
}

/// A vote on a topic, with the session that took it
/// (`partials/tallies.html`).
#[derive(Debug, Clone, Serialize)]
pub struct SessionTally {
    /// The session's title and page.
    pub title: String,
    pub url: String,
    pub date: Moment,
    /// The session's form.
    pub form: String,
    pub tally: VoteTally,
}

/// A progress report of an outcome.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressReport {
    pub date: DateValue,
    /// The progress state's name.
    pub state: String,
    /// Whether that state ends the matter.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// Null without one.
    pub note: Option<String>,
    /// Dated after the reference date: shown, not counted yet.
    pub later: bool,
}

/// What a topic page answers first (`partials/glance.html`): where the
/// matter stands, what was decided and by which vote, who carries it out
/// by when, and what happened last. Every field is null until the topic
/// has an outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Glance {
    /// Days past the outcome's deadline, when overdue.
    pub overdue_days: Option<String>,
    pub result: Option<SlugLabel>,
    pub decided: Option<DateValue>,
    /// The deciding vote: of the last session the outcome names that voted
    /// on the topic, else of the last session that did.
    pub tally: Option<VoteTally>,
    pub responsible: Option<String>,
    /// The outcome's sum, for people.
    pub outcome_amount: Option<String>,
    /// The latest progress report.
    pub latest: Option<ProgressReport>,
}

/// `page.sessions` of a session's page and print page.
#[derive(Debug, Clone, Serialize)]
pub struct SessionValues {
    pub date: Moment,
    /// When it ends: a time on the same day, or a moment on another day;
    /// null when not given.
    pub end: Option<SessionEnd>,
    /// Whether it is still to come.
    pub upcoming: bool,
    /// Its form and the form's list.
    pub form: LabelLink,
    /// Null when not given.
    pub location: Option<String>,
    /// Who took part, by group.
    pub participants: Vec<Participants>,
    /// How many attended (null when not recorded).
    pub attendance: Option<u64>,
    /// Its one vote, when it took a single one.
    pub vote: Option<VoteTally>,
    /// Its votes per topic, when it voted on several (else empty).
    pub votes: Vec<TopicVote>,
    /// Files attached to the record.
    pub attachments: Vec<Link>,
    /// The topics it discussed.
    pub topics: Vec<ListCard>,
    /// Beside each of `topics`, the vote this session gave it (null if
    /// none).
    pub topic_tallies: Vec<Option<VoteTally>>,
}

/// [`SessionValues::end`].
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum SessionEnd {
    /// On the day it starts: `{text: "HH:MM", iso: "YYYY-MM-DDTHH:MM"}`.
    SameDay(TimeOfDay),
    /// On a later day.
    Later(Moment),
}

/// A time on a known day.
#[derive(Debug, Clone, Serialize)]
pub struct TimeOfDay {
    /// `HH:MM`.
    pub text: String,
    /// `YYYY-MM-DDTHH:MM`.
    pub iso: String,
}

/// A group of participants and how many came.
#[derive(Debug, Clone, Serialize)]
pub struct Participants {
    /// The participant group's name.
    pub label: String,
    pub count: u64,
}

/// A session's vote on one of its topics.
#[derive(Debug, Clone, Serialize)]
pub struct TopicVote {
    pub tally: VoteTally,
    /// The topic's whole card.
    pub topic: Arc<Card>,
}

/// `page.outcomes` of an outcome's page and print page.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeValues {
    pub decided: DateValue,
    pub result: SlugLabel,
    /// Who carries it out (null when not named).
    pub responsible: Option<String>,
    /// By when (null without a deadline).
    pub deadline: Option<DateValue>,
    /// The sum, for people (null without one).
    pub amount: Option<String>,
    /// Its topic is past the deadline.
    pub overdue: bool,
    /// Decided after the reference date: published, not counted yet in
    /// its topic's status.
    pub later: bool,
    /// Its topic's status (null without a topic).
    pub status: Option<SlugLabel>,
    /// Progress reports, oldest first.
    pub progress: Vec<ProgressReport>,
    /// Its own page.
    pub self_url: String,
    /// Its topic's votes (null without a topic).
    pub tallies: Option<Vec<SessionTally>>,
    /// Its topic's whole card (null without a topic).
    pub topic: Option<Arc<Card>>,
    /// The sessions that decided it.
    pub sessions: Vec<ListCard>,
}

/// `page` of `print.html`: a record's printable notice.
#[derive(Debug, Clone, Serialize)]
pub struct PrintPage {
    pub title: String,
    /// As the record gives it (Markdown), null without one.
    pub summary: Option<String>,
    pub kind: RecordKind,
    pub kind_label: String,
    /// The place with its town (`社渚镇 · 南山村`).
    pub place: String,
    pub id: String,
    /// The first 8 hex digits of the hash of the record's file, to match a
    /// printed sheet with what is online.
    pub hash: String,
    /// The reference date of the build.
    pub as_of: DateValue,
    /// The record page's absolute address.
    pub record_url: String,
    /// The record page's link under the base path.
    pub record_link: String,
    /// A QR code of `record_url` as inline SVG (null when too long).
    pub qr: Option<String>,
    /// The record's whole card.
    pub card: Arc<Card>,
    /// What its kind adds, as on the record page.
    #[serde(flatten)]
    pub kind_values: KindValues,
}
