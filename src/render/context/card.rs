//! Record cards: the summary of a record that every list shows
//! (`partials/card.html`).

use std::sync::Arc;

use serde::Serialize;

use super::common::{PlaceLink, SlugLabel, When};
use crate::model::RecordKind;

/// A record's card: what `partials/card.html` gets as `r`, and what a
/// record page gets whole as `page.card`.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub id: String,
    /// `topic`, `session` or `outcome`.
    pub kind: RecordKind,
    /// The kind in the site's language.
    pub kind_label: String,
    pub title: String,
    /// The record's page.
    pub url: String,
    /// A topic's proposal date, a session's moment, an outcome's decision
    /// date.
    pub date: When,
    pub place: PlaceLink,
    /// A topic's status; null for sessions and outcomes.
    pub status: Option<SlugLabel>,
    /// A topic, or an outcome's topic, is past its outcome's deadline.
    pub overdue: bool,
    /// The summary as plain text, cut at 90 characters.
    pub summary: String,
    /// What the kind adds.
    pub detail: CardDetail,
}

/// [`Card::detail`]: one of the three shapes, by the record's kind.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum CardDetail {
    Topic {
        /// The topic type's name.
        #[serde(rename = "type")]
        topic_type: String,
        /// Its list.
        type_url: String,
    },
    Session {
        /// The session form's name.
        form: String,
        /// Whether the session is still to come.
        upcoming: bool,
    },
    Outcome {
        /// The result's name.
        result: String,
        result_slug: String,
        /// Decided after the reference date: shown, not counted yet.
        later: bool,
    },
}

/// A card in a list (`page.records`, `page.latest`…). Where the theme has
/// `partials/card.html`, the card comes rendered (`html`) with the fields a
/// list needs to tell cards apart; otherwise (or if rendering failed) the
/// whole [`Card`], for the page to render.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ListCard {
    Rendered(RenderedCard),
    Full(Arc<Card>),
}

/// A card rendered once for all the lists that show it.
#[derive(Debug, Clone, Serialize)]
pub struct RenderedCard {
    pub id: String,
    pub kind: RecordKind,
    pub title: String,
    pub url: String,
    /// `partials/card.html` rendered at heading level 3.
    pub html: Arc<str>,
}
