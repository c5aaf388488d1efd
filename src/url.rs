//! Links: a path of the route table (`route.rs`) under the site's base path
//! or address, so that a site served from a sub-path
//! (`https://example.org/xieshang/`) works. Every internal link of every
//! page goes through [`Urls`].

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

    /// The link to a page of the route table.
    pub fn route(&self, route: &crate::route::Route) -> String {
        self.link(&route.path())
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
    }
}
