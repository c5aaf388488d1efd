//! The theme contract: what templates receive. `site` is [`SiteContext`],
//! every page also gets the fields of [`PageFrame`], and `page` is the
//! page's own values, one struct per kind of page ([`PageContext`]):
//!
//! - `lists.rs`: the home page, place pages, lists, overviews, the search,
//!   open-data and not-found pages;
//! - `record.rs`: record pages (topic, session, outcome) and their print
//!   pages;
//! - `card.rs`: record cards, as lists and record pages show them;
//! - `common.rs`: what many pages share (links, dates, counts, pagination).
//!
//! Each field's doc comment says what a theme gets. serde_json keeps an
//! object's keys sorted, so the order of fields does not matter to a
//! template. A missing value is null; a key is left out only where its doc
//! comment says so (`is defined` tells). Tests that render a theme template
//! build these same structs, so they cannot drift from what a build gives.

mod card;
mod common;
mod lists;
mod record;

use serde::Serialize;
use serde_json::Value;

use crate::config::SiteConfig;
use crate::route::{self, Route};
use crate::url::Urls;

pub use card::{Card, CardDetail, ListCard, RenderedCard};
pub use common::{
    CountLink, DateValue, Feed, FileLink, Follow, LabelLink, Link, Moment, MoneyTotals, PageNumber,
    Pagination, PlaceLink, SlugLabel, StatusCount, StatusCounts, VoteTally, When,
};
pub use lists::{
    DataPage, DataSetRow, FacetOption, HomePage, HomePlace, ListPage, NotFoundPage, OverviewPage,
    PlaceCount, PlaceInfo, PlaceOption, PlacePage, SearchFacets, SearchPage, Totals, Town,
    YearGroup, YearJump,
};
pub use record::{
    ChainStep, Glance, KindValues, OutcomeValues, Participants, PrintPage, ProgressReport,
    RecordPage, SessionEnd, SessionTally, SessionValues, TimeOfDay, TopicValues, TopicVote,
};

/// `site`: settings and the site-wide links, the same on every page.
#[derive(Debug, Serialize)]
pub struct SiteContext<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub language: &'a str,
    /// `zh_CN`: the language as a locale (for `og:locale`).
    pub locale: String,
    pub base_url: &'a str,
    pub license: Option<&'a str>,
    /// `[extra]` of `site.toml`, for theme authors.
    pub extra: &'a Value,
    pub home_url: String,
    pub search_url: String,
    pub data_url: String,
    pub feed_url: String,
    pub types_url: String,
    pub years_url: String,
    pub forms_url: String,
    pub css_url: String,
    /// The script of the 大字 (larger text) switch.
    pub text_size_url: String,
    /// The reference date (`YYYY-MM-DD`).
    pub as_of: String,
    /// `yishi` and its version.
    pub generator: &'static str,
}

impl<'a> SiteContext<'a> {
    pub fn new(config: &'a SiteConfig, urls: &Urls, as_of: chrono::NaiveDate) -> SiteContext<'a> {
        SiteContext {
            title: &config.title,
            description: config.description.as_deref(),
            language: &config.language,
            locale: config.language.replace('-', "_"),
            base_url: &config.base_url,
            license: config.license.as_deref(),
            extra: &config.extra,
            home_url: urls.route(&Route::Home),
            search_url: urls.route(&Route::Search),
            data_url: urls.route(&Route::DataIndex),
            feed_url: urls.link(&Route::Home.feed()),
            types_url: urls.route(&Route::TypesIndex),
            years_url: urls.route(&Route::YearsIndex),
            forms_url: urls.route(&Route::FormsIndex),
            css_url: urls.link(route::STYLE),
            text_size_url: urls.link(route::TEXT_SIZE_SCRIPT),
            as_of: as_of.to_string(),
            generator: concat!("yishi ", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// What every page gets beside `site`, `t` (the UI strings) and `page` (its
/// own values, a [`PageContext`]).
#[derive(Debug, Serialize)]
pub struct PageFrame {
    /// For search engines and link previews: the page's own description,
    /// else the site's.
    pub description: Option<String>,
    /// `article` for a record page, else `website` (Open Graph).
    pub og_type: &'static str,
    /// The page's link, under the base path.
    pub page_url: String,
    /// The page's absolute address.
    pub canonical_url: String,
}

/// `page`: the values of one page, by its kind.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum PageContext {
    Home(HomePage),
    Place(PlacePage),
    List(ListPage),
    Overview(OverviewPage),
    Search(SearchPage),
    Data(DataPage),
    NotFound(NotFoundPage),
    Record(RecordPage),
    Print(PrintPage),
}

impl PageContext {
    /// The page's own description for [`PageFrame::description`]: a place's
    /// or a record's summary, cut short.
    pub fn description(&self) -> Option<&str> {
        match self {
            PageContext::Place(p) => p.description.as_deref(),
            PageContext::Record(r) => Some(&r.description),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn value(v: impl Serialize) -> Value {
        serde_json::to_value(v).unwrap()
    }

    /// Where a template can tell a missing value (null) from a missing key
    /// (`is defined`), the contract keeps what the pages always gave.
    #[test]
    fn null_and_absent_keys() {
        let list = ListPage {
            title: "项目建设".into(),
            intro: "按议题类型".into(),
            breadcrumbs: Vec::new(),
            pagination: Pagination {
                current: 1,
                total_pages: 1,
                total_items: 0,
                prev_url: None,
                next_url: None,
                first_url: "/types/a/".into(),
                last_url: "/types/a/".into(),
                pages: vec![PageNumber::Gap { gap: true }],
            },
            records: Vec::new(),
            money: MoneyTotals::default(),
            feed: None,
        };
        let v = value(&list);
        assert!(v.get("feed").is_none(), "{v}");
        assert_eq!(v["pagination"]["prev_url"], Value::Null);
        assert_eq!(v["pagination"]["pages"], json!([{"gap": true}]));
        let with_feed = ListPage {
            feed: Some(Feed {
                title: "t".into(),
                url: "/types/a/feed.xml".into(),
            }),
            ..list
        };
        assert_eq!(value(&with_feed)["feed"]["url"], "/types/a/feed.xml");

        let moment = Moment {
            iso: "2024-03-05".into(),
            text: "2024年3月5日".into(),
            time: None,
        };
        assert_eq!(
            value(&moment),
            json!({"iso": "2024-03-05", "text": "2024年3月5日", "time": null})
        );
        let notice = ChainStep::Notice {
            label: "公示".into(),
            date: None,
            until: None,
        };
        assert_eq!(
            value(&notice),
            json!({"kind": "notice", "label": "公示", "date": null, "until": null})
        );
        let progress = ChainStep::Progress {
            label: "完成".into(),
            is_final: true,
            date: DateValue {
                iso: "2024-03-05".into(),
                text: "x".into(),
            },
            text: None,
            later: false,
        };
        let v = value(&progress);
        assert_eq!(
            (&v["kind"], &v["final"]),
            (&json!("progress"), &json!(true))
        );
        assert!(v.get("is_final").is_none(), "{v}");
        // A record page names only its own kind's values.
        let kinds = KindValues::default();
        assert_eq!(value(&kinds), json!({}));
        let tally = VoteTally {
            yes: Some(9),
            against: None,
            abstain: Some(1),
            total: 10,
        };
        assert_eq!(
            value(&tally),
            json!({"for": 9, "against": null, "abstain": 1, "total": 10})
        );
    }

    /// Fields flattened from a place link sit beside the page's own.
    #[test]
    fn a_place_link_is_flattened() {
        let link = PlaceLink {
            name: "南山村".into(),
            full_name: "社渚镇 · 南山村".into(),
            url: "/shezhu/nanshan/".into(),
            kind: None,
            kind_label: None,
        };
        let v = value(PlaceCount {
            place: link,
            count: 3,
        });
        assert_eq!(
            v,
            json!({"name": "南山村", "full_name": "社渚镇 · 南山村", "url": "/shezhu/nanshan/",
                   "kind": null, "kind_label": null, "count": 3})
        );
    }
}
