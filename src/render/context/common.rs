//! Small pieces that many pages share: links, dates, statuses, counts,
//! pagination and the subscribe links of a place.

use serde::Serialize;

/// A link with a name: a breadcrumb, an entry of the search page's browse
/// list, an attachment of a session.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub name: String,
    /// Root-relative, under the base path.
    pub url: String,
}

/// A link with a label: a topic's type, a session's form.
#[derive(Debug, Clone, Serialize)]
pub struct LabelLink {
    pub label: String,
    /// The list of records with this type or form.
    pub url: String,
}

/// A list with how many records it holds: an entry of the type, year and
/// form overviews, and of the home page's types and years.
#[derive(Debug, Clone, Serialize)]
pub struct CountLink {
    /// The type, form or year as the page shows it.
    pub label: String,
    pub url: String,
    /// Published records in the list.
    pub count: usize,
}

/// A vocabulary term with its slug, for a CSS class: a topic's status, an
/// outcome's result.
#[derive(Debug, Clone, Serialize)]
pub struct SlugLabel {
    /// Stable, ASCII (`in_progress`, `adopted`…).
    pub slug: String,
    /// In the site's language.
    pub label: String,
}

/// A date.
#[derive(Debug, Clone, Serialize)]
pub struct DateValue {
    /// `YYYY-MM-DD`, for `<time datetime>`.
    pub iso: String,
    /// For people, in the site's language (`2024年3月5日`).
    pub text: String,
}

/// A date that may carry a time of day (when a session is held).
#[derive(Debug, Clone, Serialize)]
pub struct Moment {
    /// `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM` with a time.
    pub iso: String,
    /// For people: the date, then the time if there is one.
    pub text: String,
    /// `HH:MM`, or null when only the day is known.
    pub time: Option<String>,
}

/// A record's date on its card: a date, or for a session its moment (which
/// has `time`).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum When {
    Date(DateValue),
    Moment(Moment),
}

/// A link to a place's page.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceLink {
    pub name: String,
    /// With its town when it is a village (`社渚镇 · 南山村`).
    pub full_name: String,
    pub url: String,
    /// `town`, `village`… (null when the place file names none).
    pub kind: Option<&'static str>,
    /// The kind in the site's language (null with `kind`).
    pub kind_label: Option<String>,
}

/// How many topics of a list have one status.
#[derive(Debug, Clone, Serialize)]
pub struct StatusCount {
    pub slug: String,
    pub label: String,
    pub count: usize,
}

/// Where the matters of a list stand (`partials/counts.html`).
#[derive(Debug, Clone, Serialize)]
pub struct StatusCounts {
    /// Statuses that some topic has, in the order of the status list.
    pub statuses: Vec<StatusCount>,
    /// Topics past their outcome's deadline.
    pub overdue: usize,
    /// Topics in the list (records with a status).
    pub topics: usize,
    /// The money of its topics.
    pub money: MoneyTotals,
}

/// The sums of `amount` over the topics of a list, formatted as amounts
/// are (null where no topic gives one).
#[derive(Debug, Clone, Default, Serialize)]
pub struct MoneyTotals {
    /// The money at stake: the topics' own `amount`.
    pub at_stake: Option<String>,
    /// How many topics give one.
    pub at_stake_topics: usize,
    /// The money approved: the `amount` of the topics' outcomes decided
    /// by the reference date.
    pub approved: Option<String>,
    /// How many outcomes give one.
    pub approved_topics: usize,
}

/// The pagination of a list (`partials/pagination.html`).
#[derive(Debug, Clone, Serialize)]
pub struct Pagination {
    /// This page's number, from 1.
    pub current: usize,
    pub total_pages: usize,
    /// Records in the whole list.
    pub total_items: usize,
    /// Null on the first page.
    pub prev_url: Option<String>,
    /// Null on the last page.
    pub next_url: Option<String>,
    pub first_url: String,
    pub last_url: String,
    /// The numbered links: the first and last pages and a window around
    /// this one, with gaps for the pages left out.
    pub pages: Vec<PageNumber>,
}

/// One entry of [`Pagination::pages`].
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum PageNumber {
    /// A page: `{number, url, current}`.
    Page {
        number: usize,
        url: String,
        /// Whether it is the page shown.
        current: bool,
    },
    /// Pages left out (an ellipsis): `{gap: true}`.
    Gap { gap: bool },
}

/// A list's feed, for `<link rel="alternate">`.
#[derive(Debug, Clone, Serialize)]
pub struct Feed {
    pub title: String,
    pub url: String,
}

/// A file to download: an open-data file of a place.
#[derive(Debug, Clone, Serialize)]
pub struct FileLink {
    /// What the file holds, in the site's language.
    pub label: String,
    /// `csv` or `json`.
    pub kind: &'static str,
    pub url: String,
}

/// Subscribe and download links of a place, or of the whole site
/// (`partials/follow.html`).
#[derive(Debug, Clone, Serialize)]
pub struct Follow {
    /// The Atom feed of the place's records.
    pub feed_url: String,
    /// The iCalendar file of its meetings.
    pub calendar_url: String,
    /// Its open-data files.
    pub data: Vec<FileLink>,
    /// The `/data/` page, which explains the files.
    pub data_page: String,
}

/// A vote as pages show it: the three counts (any may be null when the
/// record leaves it out) and their total.
#[derive(Debug, Clone, Serialize)]
pub struct VoteTally {
    #[serde(rename = "for")]
    pub yes: Option<u64>,
    pub against: Option<u64>,
    pub abstain: Option<u64>,
    /// The sum of the counts given.
    pub total: u64,
}
