//! Everything a build publishes besides the HTML pages: feeds (Atom),
//! calendars (iCalendar), open data (JSON, CSV), sitemap and robots.txt.
//! Each is a pure function of the linked site ([`Ctx`]); `build.rs` and
//! `workspace.rs` decide when to run them (see `render::PageJob`).

pub mod calendar;
pub mod data;
pub mod feeds;
pub mod sitemap;

use serde_json::Value;

use crate::config::SiteConfig;
use crate::link::Graph;
use crate::url::Urls;

/// What every publisher reads: the linked site, its settings, the one URL
/// function and the theme's UI strings (the `i18n/<language>.toml` table).
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub graph: &'a Graph,
    pub config: &'a SiteConfig,
    pub urls: &'a Urls,
    pub strings: &'a Value,
}

impl<'a> Ctx<'a> {
    /// A UI string from a sub-table (`label("status", "done")` → `已办结`),
    /// or the key itself when the theme lacks it.
    pub fn label(&self, table: &str, key: &'a str) -> &'a str {
        self.strings
            .get(table)
            .and_then(|t| t.get(key))
            .and_then(Value::as_str)
            .unwrap_or(key)
    }

    /// A top-level UI string, or the key itself.
    pub fn string(&self, key: &'a str) -> &'a str {
        self.strings.get(key).and_then(Value::as_str).unwrap_or(key)
    }

    /// Output-relative path of record `i`'s page (`shezhu/nanshan/topics/x/`).
    pub fn record_path(&self, i: usize) -> String {
        let r = &self.graph.site.records[i];
        Urls::record_path(&self.graph.site.places[r.place], r)
    }

    /// "社渚镇 · 南山村" (the place and its town), or the place's own name.
    pub fn place_full_name(&self, p: usize) -> String {
        let places = &self.graph.site.places;
        match places[p].parent {
            Some(parent) if places[parent].depth() >= 1 => {
                format!("{} · {}", places[parent].name, places[p].name)
            }
            _ => places[p].name.clone(),
        }
    }

    /// Place `p` and its ancestors, nearest first, ending with the top level.
    pub fn place_chain(&self, p: usize) -> Vec<usize> {
        let mut chain = vec![p];
        let mut at = p;
        while let Some(parent) = self.graph.site.places[at].parent {
            chain.push(parent);
            at = parent;
        }
        chain
    }
}
