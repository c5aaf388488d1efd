//! The theme contract: what every template receives besides its page's own
//! values. `site` is [`SiteContext`], and every page also gets the fields of
//! [`PageFrame`]. Tests that render a theme template build these same
//! structs, so they cannot drift from what a build gives.

use serde::Serialize;
use serde_json::Value;

use crate::config::SiteConfig;
use crate::route::{self, Route};
use crate::url::Urls;

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
/// own values, built in `pages.rs`).
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
