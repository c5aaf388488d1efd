//! `site.toml` (`config.rs`, the vocabularies, the privacy check of the
//! settings, and `Urls` from the base address).
//!
//! Invariants: every position of a diagnostic is inside the file; a file
//! accepted without errors has an http(s) `base_url` ending in `/`, a base
//! path that starts and ends with `/`, settings within their documented
//! ranges, and vocabularies whose slugs are slugs, distinct, and found by
//! `find`; when the privacy check reports nothing, no setting holds a
//! personal number; links from `Urls` stay under the base path and base
//! address.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yishi::config::{is_slug, SiteConfig, LANGUAGES};
use yishi::diagnostic::Diagnostics;

fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                out.push(k.clone());
                strings(x, out);
            }
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = yishi::text::decode_text(data) else {
        return;
    };
    let mut diags = Diagnostics::new();
    let config = SiteConfig::parse(&text, &mut diags);
    let config_errors = diags.has_errors();
    let mut privacy = Diagnostics::new();
    yishi::validate::privacy_of_site_toml(&text, &mut privacy);

    let lines: Vec<&str> = text.split('\n').collect();
    for d in diags.iter().chain(privacy.iter()) {
        if let Some(p) = d.pos {
            assert!(
                p.line >= 1 && p.line <= lines.len() && p.col >= 1,
                "diagnostic {:?} at {p:?} outside the file\ntext: {text:?}",
                d.message
            );
            let width = lines[p.line - 1].chars().count();
            assert!(
                p.col <= width + 1,
                "diagnostic {:?} at {p:?} past the end of its line\ntext: {text:?}",
                d.message
            );
        }
    }
    // Rendering reads the file from the site root: a missing one still
    // renders (without the source line).
    let _ = yishi::diagnostic::render(&diags.sorted(), std::path::Path::new("/nonexistent"));

    let Some(config) = config else { return };
    if config_errors {
        return;
    }
    let base = url::Url::parse(&config.base_url).expect("accepted base_url parses");
    assert!(
        matches!(base.scheme(), "http" | "https"),
        "{}",
        config.base_url
    );
    assert!(config.base_url.ends_with('/'), "{}", config.base_url);
    let base_path = config.base_path();
    assert!(
        base_path.starts_with('/') && base_path.ends_with('/'),
        "base path {base_path:?} of {}",
        config.base_url
    );
    assert!((1..=1000).contains(&config.page_size));
    assert!(LANGUAGES.contains(&config.language.as_str()));
    assert!(is_slug(&config.theme), "theme {:?}", config.theme);

    let v = &config.vocabularies;
    for vocab in [
        &v.topic_types,
        &v.session_forms,
        &v.participant_groups,
        &v.results,
        &v.progress_states,
    ] {
        assert!(!vocab.terms.is_empty(), "empty {}", vocab.key);
        for (i, t) in vocab.terms.iter().enumerate() {
            assert!(is_slug(&t.slug), "slug {:?} in {}", t.slug, vocab.key);
            assert_eq!(
                vocab.find(&t.slug),
                Some(i),
                "{}: slug {:?} finds another term\ntext: {text:?}",
                vocab.key,
                t.slug
            );
        }
        let word: String = text.chars().take(32).collect();
        let _ = vocab.suggest(&word);
    }

    if privacy.is_empty() {
        let mut all = vec![config.title.clone()];
        all.extend(config.description.clone());
        all.extend(config.license.clone());
        strings(&config.extra, &mut all);
        for s in &all {
            let found = yishi::privacy::scan(s);
            assert!(
                found.is_empty(),
                "a setting holds a personal number: {s:?}\ntext: {text:?}"
            );
        }
    }

    let urls = yishi::url::Urls::new(&config.base_url, &base_path);
    for path in ["", "types/road/", "/search/", "data/records.json"] {
        let link = urls.link(path);
        assert!(link.starts_with(&base_path), "{link} not under {base_path}");
        assert!(!link.starts_with("//"), "link {link} leaves the site");
        let absolute = urls.absolute(path);
        assert!(absolute.starts_with(&config.base_url));
        let parsed = url::Url::parse(&absolute).expect("absolute link parses");
        assert_eq!(parsed.host_str(), base.host_str(), "{absolute}");
    }
});
