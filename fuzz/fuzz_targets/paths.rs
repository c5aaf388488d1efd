//! URL and path handling: the route table (`route.rs`), `Urls`
//! (`url.rs`), slugs, display paths (`text.rs`), attachment names, and
//! the preview's request paths (`serve::http::site_key`).
//!
//! The input is split at NUL bytes into a slug, a base path, a relative
//! file path and a request target.
//!
//! Invariants: a slug that `is_slug` accepts gives route paths of plain
//! segments that the preview serves under the same key; links stay under
//! the base path; `display_path` gives back the relative path it was
//! joined from; `site_key` never yields an empty, `.` or `..` segment, a
//! leading `/`, a backslash, a NUL or a colon, and gives back exactly the
//! decoded path of the target.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yishi::route::{self, Route};
use yishi::serve::http::site_key;

fn assert_key(target: &str) {
    let Some(key) = site_key(target) else { return };
    assert!(!key.starts_with('/'), "key {key:?} of {target:?}");
    for bad in ["\\", "\0", ":", "//"] {
        assert!(
            !key.contains(bad),
            "key {key:?} of {target:?} holds {bad:?}"
        );
    }
    for seg in key.split('/') {
        assert!(seg != ".." && seg != ".", "key {key:?} of {target:?}");
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .expect("a key comes from a UTF-8 path");
    assert_eq!(format!("/{key}"), decoded, "key of {target:?}");
}

/// The served key of a page or file path of the route table.
fn assert_served(path: &str) {
    let link = yishi::url::Urls::new("https://example.org/", "/").link(path);
    assert_eq!(
        site_key(&link).as_deref(),
        Some(path),
        "the preview does not serve {path:?} at {link:?}"
    );
    let file = route::file_of(path);
    assert!(
        !file.is_empty() && !file.ends_with('/'),
        "file_of({path:?}) = {file:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let slug = parts.next().unwrap_or("");
    let base = parts.next().unwrap_or("");
    let rel = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or(&text);

    assert_key(target);
    assert_key(&text);
    let _ = yishi::serve::http::content_type(target);

    if yishi::config::is_slug(slug) {
        assert!(slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
        let n = usize::from(data.len() as u8);
        for path in [
            Route::Type(slug).path(),
            Route::Form(slug).path(),
            Route::Type(slug).page(n),
            Route::Type(slug).feed(),
            route::search_file(slug),
            route::sitemap_part(n),
            route::paged(&Route::Form(slug).path(), n),
        ] {
            assert_served(&path);
        }
        assert!(!route::RESERVED.contains(&slug) || Route::Type(slug).path().starts_with("types/"),);
    }

    // Links under any base path.
    let urls = yishi::url::Urls::new("https://example.org/", base);
    let link = urls.link(rel);
    let mut base_path = base.to_string();
    if !base_path.ends_with('/') {
        base_path.push('/');
    }
    assert!(
        link.starts_with(&base_path),
        "{link:?} not under {base_path:?}"
    );
    assert!(link.len() >= rel.trim_start_matches('/').len());

    // Display paths: the relative path a file was found at, `/`-separated.
    let root = std::path::Path::new("/site");
    let clean: Vec<&str> = rel
        .split('/')
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .collect();
    if !clean.is_empty() {
        let joined = clean.join("/");
        let shown = yishi::text::display_path(root, &root.join(&joined));
        assert_eq!(shown, joined);
    }

    let _ = yishi::validate::is_active_attachment(rel);
});
