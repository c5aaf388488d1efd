//! Record cards: the summary of a record that every list shows. A card is
//! built the first time a page shows it and rendered (`partials/card.html`)
//! in one template call for all the cards of that page not rendered yet;
//! lists carry the HTML. A card's key (`Plan::card_keys`) stands for it in
//! fingerprints, and the preview keeps cards whose key is unchanged
//! ([`CardCache`]).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::Renderer;
use crate::markdown;
use crate::model::*;
use crate::route::Route;

/// Cards of a previous build by record id: (key, card). A card whose key is
/// unchanged is reused instead of built again.
pub type CardCache = HashMap<String, (u64, Arc<Value>)>;

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
    pub(super) fn card(&self, i: usize) -> Arc<Value> {
        if !self.retain_cards {
            return Arc::new(self.build_card(i));
        }
        self.cards[i]
            .get_or_init(|| Arc::new(self.build_card(i)))
            .clone()
    }

    /// The card of a record, as shown in every list.
    pub(super) fn build_card(&self, i: usize) -> Value {
        let g = self.graph;
        let r = &g.site.records[i];
        let v = &self.config.vocabularies;
        let summary = &r.plain_summary;
        let (detail, date) = match &r.data {
            RecordBody::Topic(t) => (
                json!({"type": v.topic_types.get(t.topic_type).name,
                       "type_url": self.urls.route(&Route::Type(&v.topic_types.get(t.topic_type).slug))}),
                self.date_value(t.proposed),
            ),
            RecordBody::Session(s) => (
                json!({"form": v.session_forms.get(s.form).name,
                       "upcoming": g.is_upcoming[i]}),
                self.moment_value(&s.date),
            ),
            RecordBody::Outcome(o) => (
                json!({"result": v.results.get(o.result).name,
                       "result_slug": v.results.get(o.result).slug}),
                self.date_value(o.decided),
            ),
        };
        // Only a topic has a status (a session may discuss several topics);
        // an outcome's deadline can be missed, so it shows the flag.
        let topic_status = self.status_value(i);
        let overdue = match r.kind {
            RecordKind::Session => false,
            _ => g.topics_of(i).iter().any(|&t| g.overdue[t]),
        };
        json!({
            "id": r.id,
            "kind": r.kind,
            "kind_label": self.sub("kind", r.kind.dir()),
            "title": r.title,
            "url": self.record_url(i),
            "date": date,
            "place": self.place_link(r.place),
            "status": topic_status,
            "overdue": overdue,
            "summary": markdown::truncate(summary, 90),
            "detail": detail,
        })
    }

    /// The cards of `list` as lists show them: the rendered card (`html`)
    /// with the fields a list needs to tell cards apart (`id`, `kind`,
    /// `title`, `url`). Copying whole cards into every list was a tenth of
    /// a large build. Where a card has no HTML (no card template, or it
    /// failed), the whole card, for the page to render it (and report).
    pub(super) fn cards_of(&self, list: &[usize]) -> Value {
        let cards: Vec<Arc<Value>> = list.iter().map(|&i| self.card(i)).collect();
        let html = self.cards_html(list, &cards);
        let cards = cards.iter().zip(html).map(|(card, html)| match html {
            Some(html) => {
                let mut m = serde_json::Map::new();
                for key in ["id", "kind", "title", "url"] {
                    m.insert(key.into(), card[key].clone());
                }
                m.insert("html".into(), Value::String(html.to_string()));
                Value::Object(m)
            }
            None => Value::clone(card),
        });
        Value::Array(cards.collect())
    }

    /// The rendered cards of `list` (`cards` are their values): kept ones,
    /// and the others rendered in one template call. `None` where the theme
    /// has no card template or rendering failed; the page then renders the
    /// card itself, and reports the template's error.
    pub(super) fn cards_html(&self, list: &[usize], cards: &[Arc<Value>]) -> Vec<Option<Arc<str>>> {
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
        let batch: Vec<Value> = missing.iter().map(|&k| Value::clone(&cards[k])).collect();
        let Some(pieces) = self.render_cards(batch) else {
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
    pub(super) fn render_cards(&self, batch: Vec<Value>) -> Option<Vec<String>> {
        let n = batch.len();
        let mut vars = serde_json::Map::new();
        vars.insert("cards".into(), Value::Array(batch));
        vars.insert("level".into(), json!(CARD_LEVEL));
        let keys = ["cards".to_string(), "level".to_string()];
        let vars = tera::Context::from_value(Value::Object(vars)).ok()?;
        let html = self.with_context(vars, &keys, |ctx| self.tera.render(CARD_BATCH, ctx));
        let html = html.ok()?;
        let mut pieces: Vec<String> = html.split(CARD_END).map(str::to_string).collect();
        // A card whose own text holds the marker cannot be told apart: those
        // lists render their cards in the page instead.
        (pieces.pop().is_some_and(|rest| rest.is_empty()) && pieces.len() == n).then_some(pieces)
    }
}
