//! The route table: every path the site publishes, relative to the output
//! root (`types/road/`, `alpha/east/topics/x/`, `data/alpha/records.json`).
//! This module owns the URL layout and the names it reserves; `Urls`
//! (in `url.rs`) only puts the site's base path or address in front. No
//! other module formats a site path.
//!
//! A page path ends in `/` (written to `index.html` there, see
//! [`file_of`]); a file path does not.

use crate::model::{Place, Record, RecordKind};

/// The folder of topic-type lists.
const TYPES: &str = "types";
/// The folder of year lists.
const YEARS: &str = "years";
/// The folder of session-form lists.
const FORMS: &str = "forms";
/// The search page and its index files.
const SEARCH: &str = "search";
/// The open-data page and files.
const DATA: &str = "data";
/// Later pages of a list: `…/page/2/`.
const PAGE: &str = "page";
/// A record folder's attachments (`content/…/sessions/files/x.pdf`).
const FILES: &str = "files";
/// The Atom feed of a page that has one (the site, a place, a topic type).
const FEED: &str = "feed.xml";
/// A record's printable notice, `print.html` beside its page's
/// `index.html` (a file, not a folder of its own: one folder less per
/// record for the disk to allocate).
const PRINT: &str = "print";
/// The iCalendar of a place's upcoming sessions.
const CALENDAR: &str = "calendar.ics";
/// The parts of a sitemap too large for one file.
const SITEMAPS: &str = "sitemaps";

/// Names that cannot be place slugs because the site's own routes use
/// them as the first segment of a path.
pub const RESERVED: [&str; 12] = [
    RecordKind::Topic.dir(),
    RecordKind::Session.dir(),
    RecordKind::Outcome.dir(),
    FILES,
    TYPES,
    YEARS,
    FORMS,
    SEARCH,
    DATA,
    PAGE,
    FEED,
    SITEMAPS,
];

/// The page not found (served by static hosts for any missing path).
pub const NOT_FOUND: &str = "404.html";
/// The sitemap (and the first of its parts when split).
pub const SITEMAP: &str = "sitemap.xml";
pub const ROBOTS: &str = "robots.txt";
/// The JSON Schema of the open data.
pub const DATA_SCHEMA: &str = "data/schema.json";
/// The theme's style sheet and search script (theme static files).
pub const STYLE: &str = "css/style.css";
pub const SEARCH_SCRIPT: &str = "js/search.js";
/// The theme's script of the larger-text switch.
pub const TEXT_SIZE_SCRIPT: &str = "js/textsize.js";

/// A page of the site.
#[derive(Debug, Clone, Copy)]
pub enum Route<'a> {
    Home,
    /// A town's or village's page (the top place is [`Route::Home`]).
    Place(&'a Place),
    /// A record's page, under its place.
    Record(&'a Place, &'a Record),
    /// A record's printable notice, under its page.
    Print(&'a Place, &'a Record),
    TypesIndex,
    /// The topics of a topic type, by the type's slug.
    Type(&'a str),
    YearsIndex,
    Year(i32),
    FormsIndex,
    /// The sessions of a session form, by the form's slug.
    Form(&'a str),
    Search,
    /// The page that explains the open data.
    DataIndex,
}

impl Route<'_> {
    /// The page's path (`` for the home page).
    pub fn path(&self) -> String {
        match self {
            Route::Home => String::new(),
            Route::Place(p) => place_folder(p),
            Route::Record(p, r) => format!("{}{}/{}/", place_folder(p), r.kind.dir(), r.slug),
            Route::Print(p, r) => format!("{}{PRINT}.html", Route::Record(p, r).path()),
            Route::TypesIndex => format!("{TYPES}/"),
            Route::Type(slug) => format!("{TYPES}/{slug}/"),
            Route::YearsIndex => format!("{YEARS}/"),
            Route::Year(y) => format!("{YEARS}/{y}/"),
            Route::FormsIndex => format!("{FORMS}/"),
            Route::Form(slug) => format!("{FORMS}/{slug}/"),
            Route::Search => format!("{SEARCH}/"),
            Route::DataIndex => format!("{DATA}/"),
        }
    }

    /// The path of page `n` (1-based) of a list at this route.
    pub fn page(&self, n: usize) -> String {
        paged(&self.path(), n)
    }

    /// The Atom feed of this page (the site's, a place's, a topic type's).
    pub fn feed(&self) -> String {
        format!("{}{FEED}", self.path())
    }

    /// The iCalendar of this page's sessions (the site's, a place's).
    pub fn calendar(&self) -> String {
        format!("{}{CALENDAR}", self.path())
    }
}

/// The route of a place's page: the home page for the top place.
pub fn of_place(place: &Place) -> Route<'_> {
    if place.path.is_empty() {
        Route::Home
    } else {
        Route::Place(place)
    }
}

/// The folder of a place (`shezhu/nanshan/`; `` for the top place).
fn place_folder(place: &Place) -> String {
    if place.path.is_empty() {
        String::new()
    } else {
        format!("{}/", place.path.join("/"))
    }
}

/// The folder of a place's open data (`data/`, `data/shezhu/nanshan/`).
pub fn data_folder(place: &Place) -> String {
    format!("{DATA}/{}", place_folder(place))
}

/// A file of a place's open data (`data/shezhu/records.json`).
pub fn data_file(place: &Place, name: &str) -> String {
    format!("{}{name}", data_folder(place))
}

/// An attachment of a record of `kind` filed at `place`: `name` is its
/// path under the record folder, already percent-encoded segment by segment.
pub fn attachment(place: &Place, kind: RecordKind, encoded_name: &str) -> String {
    format!("{}{}/{encoded_name}", place_folder(place), kind.dir())
}

/// Part `n` (1-based) of a split sitemap.
pub fn sitemap_part(n: usize) -> String {
    format!("{SITEMAPS}/sitemap-{n}.xml")
}

/// A file of the search index (`meta.json`, `s/12.bin`).
pub fn search_file(name: &str) -> String {
    format!("{SEARCH}/{name}")
}

/// The path of page `n` (1-based) of a list at `path`.
pub fn paged(path: &str, n: usize) -> String {
    if n <= 1 {
        path.to_string()
    } else {
        format!("{path}{PAGE}/{n}/")
    }
}

/// The file a page path is written to: `a/b/` → `a/b/index.html`.
pub fn file_of(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

/// What kind of output the file at output-relative `rel` is, for the byte
/// report of `yishi build --verbose` and the benchmark:
/// [`OUTPUT_KINDS`], in that order.
pub fn output_kind(rel: &str) -> &'static str {
    let mut parts = rel.split('/').rev();
    let name = parts.next().unwrap_or("");
    // The page's own folder (a record's slug), then maybe its kind's.
    parts.next();
    let first = rel.split('/').next().unwrap_or("");
    if first == SEARCH && !name.ends_with(".html") {
        "search"
    } else if first == DATA && !name.ends_with(".html") {
        "data"
    } else if name == FEED {
        "feeds"
    } else if name == CALENDAR {
        "calendars"
    } else if name == SITEMAP || name == ROBOTS || first == SITEMAPS {
        "sitemap"
    } else if !name.ends_with(".html") {
        "static"
    } else if name.strip_suffix(".html") == Some(PRINT) {
        "print pages"
    } else if parts.next().is_some_and(|kind| {
        [RecordKind::Topic, RecordKind::Session, RecordKind::Outcome]
            .iter()
            .any(|k| k.dir() == kind)
    }) {
        "record pages"
    } else {
        "list pages"
    }
}

/// The kinds [`output_kind`] names.
pub const OUTPUT_KINDS: [&str; 9] = [
    "record pages",
    "print pages",
    "list pages",
    "search",
    "data",
    "feeds",
    "calendars",
    "sitemap",
    "static",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_files() {
        assert_eq!(Route::Year(2016).page(3), "years/2016/page/3/");
        assert_eq!(Route::Year(2016).page(1), "years/2016/");
        assert_eq!(Route::Type("road").feed(), "types/road/feed.xml");
        assert_eq!(Route::Home.feed(), "feed.xml");
        assert_eq!(Route::Home.calendar(), "calendar.ics");
        assert_eq!(file_of("a/"), "a/index.html");
        assert_eq!(file_of(""), "index.html");
        assert_eq!(file_of(NOT_FOUND), "404.html");
        assert_eq!(search_file("meta.json"), "search/meta.json");
    }

    #[test]
    fn every_output_file_has_a_kind() {
        for (rel, kind) in [
            ("a/b/topics/t-1/index.html", "record pages"),
            ("a/sessions/s-1/index.html", "record pages"),
            ("a/b/outcomes/o-1/print.html", "print pages"),
            ("index.html", "list pages"),
            ("a/b/index.html", "list pages"),
            ("a/page/2/index.html", "list pages"),
            ("types/road/index.html", "list pages"),
            ("data/index.html", "list pages"),
            ("data/a/records.json", "data"),
            ("data/topics.csv", "data"),
            ("search/s/12.bin", "search"),
            ("search/index.html", "list pages"),
            ("a/feed.xml", "feeds"),
            ("a/calendar.ics", "calendars"),
            ("sitemap.xml", "sitemap"),
            ("sitemaps/sitemap-2.xml", "sitemap"),
            ("css/style.css", "static"),
            ("a/b/sessions/files/x.pdf", "static"),
        ] {
            assert_eq!(output_kind(rel), kind, "{rel}");
            assert!(OUTPUT_KINDS.contains(&kind));
        }
    }

    #[test]
    fn every_first_segment_of_a_route_is_reserved() {
        for route in [
            Route::TypesIndex,
            Route::Type("x"),
            Route::YearsIndex,
            Route::Year(2020),
            Route::FormsIndex,
            Route::Form("x"),
            Route::Search,
            Route::DataIndex,
        ] {
            let path = route.page(2);
            let first = path.split('/').next().unwrap();
            assert!(RESERVED.contains(&first), "{path}");
        }
        assert!(RESERVED.contains(&Route::Home.feed().as_str()));
        assert!(RESERVED.contains(&paged("", 2).split('/').next().unwrap()));
    }
}
