//! Record cards: the summary of a record that every list shows. A card is
//! built the first time a page shows it and rendered (`partials/card.html`)
//! in one template call for all the cards of that page not rendered yet;
//! lists carry the HTML. A card's key (`Plan::card_keys`) stands for it in
//! fingerprints, and the preview keeps cards whose key is unchanged
//! ([`CardCache`]).

use std::collections::HashMap;
use std::sync::Arc;

use super::context::{Card, CardDetail, ListCard, RenderedCard, When};
use super::Renderer;
use crate::markdown;
use crate::model::{RecordBody, RecordKind};
use crate::route::Route;

/// Cards of a previous build by record id: (key, card). A card whose key is
/// unchanged is reused instead of built again.
pub type CardCache = HashMap<String, (u64, Arc<Card>)>;

/// Renders the cards of a list in one call; [`CARD_END`] follows each.
/// Its name ends in `.html`: Tera escapes by the name of the template
/// rendered.
pub(super) const CARD_BATCH: &str = "__yishi_card_batch.html";
pub(super) const CARD_END: &str = "<!--yishi:card-end-->";
/// The heading level that `html` of a card is rendered at.
const CARD_LEVEL: u8 = 3;

impl Renderer<'_> {
    /// The cards built in this build, for the next one (the preview).
    pub fn card_cache(&self) -> CardCache {
        self.graph
            .site
            .records
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let card = self.cards[i].get()?;
                Some((r.id.clone(), (self.plan.card_keys[i], card.clone())))
            })
            .collect()
    }

    /// Record `i`'s card, built on first use.
    pub(super) fn card(&self, i: usize) -> Arc<Card> {
        if !self.retain_cards {
            return Arc::new(self.build_card(i));
        }
        self.cards[i]
            .get_or_init(|| Arc::new(self.build_card(i)))
            .clone()
    }

    /// The card of a record, as shown in every list.
    pub(super) fn build_card(&self, i: usize) -> Card {
        let g = self.graph;
        let r = &g.site.records[i];
        let v = &self.config.vocabularies;
        let summary = &r.plain_summary;
        let (detail, date) = match &r.data {
            RecordBody::Topic(t) => {
                let term = v.topic_types.get(t.topic_type);
                (
                    CardDetail::Topic {
                        topic_type: term.name.clone(),
                        type_url: self.urls.route(&Route::Type(&term.slug)),
                    },
                    When::Date(self.date_value(t.proposed)),
                )
            }
            RecordBody::Session(s) => (
                CardDetail::Session {
                    form: v.session_forms.get(s.form).name.clone(),
                    upcoming: g.is_upcoming[i],
                },
                When::Moment(self.moment_value(&s.date)),
            ),
            RecordBody::Outcome(o) => {
                let result = v.results.get(o.result);
                (
                    CardDetail::Outcome {
                        result: result.name.clone(),
                        result_slug: result.slug.clone(),
                        later: g.later[i],
                    },
                    When::Date(self.date_value(o.decided)),
                )
            }
        };
        // Only a topic has a status (a session may discuss several topics);
        // an outcome's deadline can be missed, so it shows the flag.
        let overdue = match r.kind {
            RecordKind::Session => false,
            _ => g.topics_of(i).iter().any(|&t| g.overdue[t]),
        };
        Card {
            id: r.id.clone(),
            kind: r.kind,
            kind_label: self.sub("kind", r.kind.dir()),
            title: r.title.clone(),
            url: self.record_url(i),
            date,
            place: self.place_link(r.place),
            status: self.status_value(i),
            overdue,
            summary: markdown::truncate(summary, 90),
            detail,
        }
    }

    /// The cards of `list` as lists show them: the rendered card (`html`)
    /// with the fields a list needs to tell cards apart (`id`, `kind`,
    /// `title`, `url`). Copying whole cards into every list was a tenth of
    /// a large build. Where a card has no HTML (no card template, or it
    /// failed), the whole card, for the page to render it (and report).
    pub(super) fn cards_of(&self, list: &[usize]) -> Vec<ListCard> {
        let cards: Vec<Arc<Card>> = list.iter().map(|&i| self.card(i)).collect();
        let html = self.cards_html(list, &cards);
        cards
            .into_iter()
            .zip(html)
            .map(|(card, html)| match html {
                Some(html) => ListCard::Rendered(RenderedCard {
                    id: card.id.clone(),
                    kind: card.kind,
                    title: card.title.clone(),
                    url: card.url.clone(),
                    html,
                }),
                None => ListCard::Full(card),
            })
            .collect()
    }

    /// The rendered cards of `list` (`cards` are their values): kept ones,
    /// and the others rendered in one template call. `None` where the theme
    /// has no card template or rendering failed; the page then renders the
    /// card itself, and reports the template's error.
    pub(super) fn cards_html(&self, list: &[usize], cards: &[Arc<Card>]) -> Vec<Option<Arc<str>>> {
        if !self.card_template {
            return vec![None; list.len()];
        }
        let mut out: Vec<Option<Arc<str>>> = list
            .iter()
            .map(|&i| self.card_html[i].get().cloned())
            .collect();
        let missing: Vec<usize> = (0..list.len()).filter(|&k| out[k].is_none()).collect();
        if missing.is_empty() {
            return out;
        }
        let batch: Vec<&Card> = missing.iter().map(|&k| &*cards[k]).collect();
        let Some(pieces) = self.render_cards(&batch) else {
            return out;
        };
        for (k, piece) in missing.into_iter().zip(pieces) {
            let piece: Arc<str> = Arc::from(piece);
            if self.retain_cards {
                let _ = self.card_html[list[k]].set(piece.clone());
            }
            out[k] = Some(piece);
        }
        out
    }

    /// `partials/card.html` for each card of `batch`, in one call.
    pub(super) fn render_cards(&self, batch: &[&Card]) -> Option<Vec<String>> {
        let n = batch.len();
        let mut vars = tera::Context::new();
        vars.insert("cards", batch);
        vars.insert("level", &CARD_LEVEL);
        let keys = ["cards".to_string(), "level".to_string()];
        let html = self.with_context(vars, &keys, |ctx| self.tera.render(CARD_BATCH, ctx));
        let html = html.ok()?;
        let mut pieces: Vec<String> = html.split(CARD_END).map(str::to_string).collect();
        // A card whose own text holds the marker cannot be told apart: those
        // lists render their cards in the page instead.
        (pieces.pop().is_some_and(|rest| rest.is_empty()) && pieces.len() == n).then_some(pieces)
    }
}
