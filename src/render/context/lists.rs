//! The values of the pages that list and find records: the home page,
//! place pages, lists by type, year and form, their overviews, the search
//! and open-data pages, and the page for a missing address.

use serde::Serialize;

use super::card::ListCard;
use super::common::{
    CountLink, Feed, FileLink, Follow, Link, MoneyTotals, Pagination, PlaceLink, StatusCounts,
};

/// `page` of `home.html`.
#[derive(Debug, Clone, Serialize)]
pub struct HomePage {
    /// The site's title.
    pub title: String,
    /// The top-level place.
    pub place: HomePlace,
    /// Subscribe and download links of the whole site.
    pub follow: Follow,
    /// Where the site's topics stand.
    pub counts: StatusCounts,
    /// How many records of each kind the site publishes.
    pub totals: Totals,
    /// The towns, each with its villages.
    pub towns: Vec<Town>,
    /// Topic types that have records, in vocabulary order.
    pub types: Vec<CountLink>,
    /// Years that have records, newest first.
    pub years: Vec<CountLink>,
    /// Sessions still to come, soonest first.
    pub upcoming: Vec<ListCard>,
    /// The latest records (at most 12), newest first.
    pub latest: Vec<ListCard>,
}

/// [`HomePage::place`]: the place the site is about.
#[derive(Debug, Clone, Serialize)]
pub struct HomePlace {
    pub name: String,
    /// Its summary as inline HTML (null without one).
    pub summary_html: Option<String>,
}

/// [`HomePage::totals`].
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub topics: usize,
    pub sessions: usize,
    pub outcomes: usize,
}

/// A town of [`HomePage::towns`]: its link (the fields of [`PlaceLink`]),
/// its villages and how many records it holds (its villages' included).
#[derive(Debug, Clone, Serialize)]
pub struct Town {
    #[serde(flatten)]
    pub place: PlaceLink,
    pub villages: Vec<PlaceLink>,
    pub count: usize,
}

/// `page` of `place.html`: one page of a place's records.
#[derive(Debug, Clone, Serialize)]
pub struct PlacePage {
    /// The place's name.
    pub title: String,
    pub place: PlaceInfo,
    /// The places above it, from the town down (not the top level).
    pub breadcrumbs: Vec<Link>,
    /// The places under it, each with its number of records.
    pub children: Vec<PlaceCount>,
    /// Where the place's topics stand (the same on each of its pages).
    pub counts: StatusCounts,
    pub follow: Follow,
    pub feed: Feed,
    /// The first paragraph of its summary as plain text, cut at 120
    /// characters (null without a summary): for search engines.
    pub description: Option<String>,
    pub pagination: Pagination,
    /// Its sessions still to come: on the first page only, else empty.
    pub upcoming: Vec<ListCard>,
    /// This page's records grouped by year, newest first.
    pub years: Vec<YearGroup>,
    /// Where each year of the whole list starts.
    pub year_jump: Vec<YearJump>,
}

/// [`PlacePage::place`]: the place's link (the fields of [`PlaceLink`])
/// and what its file says of it.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceInfo {
    #[serde(flatten)]
    pub link: PlaceLink,
    /// Its summary as inline HTML (null without one).
    pub summary_html: Option<String>,
    /// Null when the place file gives none.
    pub population: Option<u64>,
    /// Null when the place file gives none.
    pub households: Option<u64>,
    /// The administrative division code (null without one).
    pub code: Option<String>,
}

/// A place with how many records it holds (its own places' included).
#[derive(Debug, Clone, Serialize)]
pub struct PlaceCount {
    #[serde(flatten)]
    pub place: PlaceLink,
    pub count: usize,
}

/// The records of one year on a place page.
#[derive(Debug, Clone, Serialize)]
pub struct YearGroup {
    pub year: i32,
    pub records: Vec<ListCard>,
}

/// A link to where a year starts in a place's list: the page, with the
/// year heading's anchor (`#y2024`).
#[derive(Debug, Clone, Serialize)]
pub struct YearJump {
    pub year: i32,
    pub url: String,
}

/// `page` of `list.html`: one page of the records of a topic type, a year
/// or a session form.
#[derive(Debug, Clone, Serialize)]
pub struct ListPage {
    pub title: String,
    /// One sentence on what the list holds.
    pub intro: String,
    /// The overview the list belongs to.
    pub breadcrumbs: Vec<Link>,
    pub pagination: Pagination,
    /// This page's records, newest first.
    pub records: Vec<ListCard>,
    /// The money of the whole list's topics.
    pub money: MoneyTotals,
    /// The list's feed: a topic type's list only (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed: Option<Feed>,
}

/// `page` of `overview.html`: the lists by type, year or form.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewPage {
    pub title: String,
    pub intro: String,
    /// Every type or form (also those without records), or every year with
    /// records, newest first.
    pub items: Vec<CountLink>,
}

/// `page` of `search.html`: the form, the values of its filters and, for
/// browsers without JavaScript, the browse indexes.
#[derive(Debug, Clone, Serialize)]
pub struct SearchPage {
    pub title: String,
    /// Where the search index lies (`data-index` of the form).
    pub index_url: String,
    /// The search script.
    pub script_url: String,
    /// The script's messages, match labels and date pattern from the
    /// theme's strings, as JSON (`data-strings` of the form).
    pub strings: String,
    /// The overviews: places, types, years, forms.
    pub browse: Vec<Link>,
    pub facets: SearchFacets,
}

/// [`SearchPage::facets`]: the options of each filter. An option's `value`
/// is what the search index uses.
#[derive(Debug, Clone, Serialize)]
pub struct SearchFacets {
    /// Every place below the top level, depth first, children in their
    /// order.
    pub places: Vec<PlaceOption>,
    pub topic_types: Vec<FacetOption>,
    /// Newest first.
    pub years: Vec<FacetOption>,
    pub statuses: Vec<FacetOption>,
}

/// An option of a filter.
#[derive(Debug, Clone, Serialize)]
pub struct FacetOption {
    pub value: usize,
    pub name: String,
}

/// An option of the place filter: the place's full name and its depth
/// (1 for a town).
#[derive(Debug, Clone, Serialize)]
pub struct PlaceOption {
    pub value: usize,
    pub name: String,
    pub depth: u8,
}

/// `page` of `data.html`: what the open-data files are, for the site and
/// each place.
#[derive(Debug, Clone, Serialize)]
pub struct DataPage {
    pub title: String,
    /// The data's licence (`site.toml`), null when none is declared.
    pub license: Option<String>,
    /// The JSON Schema of the records' JSON.
    pub schema_url: String,
    /// One per data set: the whole site's and each place's.
    pub sets: Vec<DataSetRow>,
}

/// One data set of [`DataPage::sets`].
#[derive(Debug, Clone, Serialize)]
pub struct DataSetRow {
    /// The place's full name (`社渚镇 · 南山村`), or the site's title.
    pub name: String,
    /// 0 for the whole site, 1 for a town…
    pub depth: usize,
    /// Records in the set.
    pub count: usize,
    pub files: Vec<FileLink>,
}

/// `page` of `404.html`.
#[derive(Debug, Clone, Serialize)]
pub struct NotFoundPage {
    pub title: String,
}
