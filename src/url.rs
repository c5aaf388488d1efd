//! The one URL function. Every internal link of every page comes from here,
//! so a site served from a sub-path (`https://example.org/xieshang/`) works.

use crate::model::{Place, Record};

/// Builds root-relative links under the site's base path.
#[derive(Debug, Clone)]
pub struct Urls {
    /// `/` or `/xieshang/`.
    base_path: String,
    /// `https://example.org/xieshang/`, for absolute links (canonical).
    base_url: String,
}

impl Urls {
    pub fn new(base_url: &str, base_path: &str) -> Urls {
        let mut base_path = base_path.to_string();
        if !base_path.ends_with('/') {
            base_path.push('/');
        }
        Urls {
            base_path,
            base_url: base_url.to_string(),
        }
    }

    /// The link to `path` (relative to the output root, e.g. `types/x/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path.trim_start_matches('/'))
    }

    /// The absolute URL of `path`.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path.trim_start_matches('/'))
    }

    /// Output-relative path of a place page (`shezhu/nanshan/`; `` for top).
    pub fn place_path(place: &Place) -> String {
        if place.path.is_empty() {
            String::new()
        } else {
            format!("{}/", place.path.join("/"))
        }
    }

    /// Output-relative path of a record page.
    pub fn record_path(place: &Place, record: &Record) -> String {
        format!(
            "{}{}/{}/",
            Self::place_path(place),
            record.kind.dir(),
            record.slug
        )
    }

    /// The path of page `n` (1-based) of a list at `path`.
    pub fn paged(path: &str, n: usize) -> String {
        if n <= 1 {
            path.to_string()
        } else {
            format!("{path}page/{n}/")
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_path_links() {
        let u = Urls::new("https://e.org/xieshang/", "/xieshang/");
        assert_eq!(u.link("types/x/"), "/xieshang/types/x/");
        assert_eq!(u.link(""), "/xieshang/");
        assert_eq!(u.absolute("a/"), "https://e.org/xieshang/a/");
        assert_eq!(Urls::paged("years/2016/", 3), "years/2016/page/3/");
        assert_eq!(Urls::paged("years/2016/", 1), "years/2016/");
        assert_eq!(Urls::file_of("a/"), "a/index.html");
        assert_eq!(Urls::file_of(""), "index.html");
        assert_eq!(Urls::file_of("404.html"), "404.html");
    }
}
