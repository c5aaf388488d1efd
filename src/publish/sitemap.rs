//! `sitemap.xml` (the sitemaps.org protocol 0.9) and `robots.txt`.
//!
//! A sitemap file may list at most [`MAX_URLS`] URLs and be at most
//! [`MAX_BYTES`] uncompressed. A site within both limits gets one
//! `sitemap.xml`; a larger one gets `sitemaps/sitemap-1.xml`, `…-2.xml`, …
//! each within both limits, and `sitemap.xml` becomes the sitemap index
//! listing them, so that crawlers always start at the same address.

use std::io::Write as _;

use chrono::NaiveDate;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::Ctx;

/// URLs per sitemap file (the protocol's limit).
pub const MAX_URLS: usize = 50_000;

/// Bytes per sitemap file, uncompressed (the protocol's limit, 50 MiB).
pub const MAX_BYTES: usize = 50 * 1024 * 1024;

const NAMESPACE: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// The file crawlers are told about (`robots.txt`) and start at.
use crate::route::SITEMAP;

/// The sitemap files: `(output-relative path, XML)`, `sitemap.xml` first.
///
/// `pages`: the output-relative path of every published HTML page except
/// `404.html`, with its last-modified date when known, in a stable order.
pub fn sitemaps(ctx: &Ctx, pages: &[(String, Option<NaiveDate>)]) -> Vec<(String, String)> {
    sitemaps_within(ctx, pages, MAX_URLS, MAX_BYTES)
}

/// [`sitemaps`] with the limits as parameters (so that tests can reach the
/// byte limit without writing 50 MB).
fn sitemaps_within(
    ctx: &Ctx,
    pages: &[(String, Option<NaiveDate>)],
    max_urls: usize,
    max_bytes: usize,
) -> Vec<(String, String)> {
    let head = document_start("urlset");
    let tail = document_end("urlset");
    let room = max_bytes.saturating_sub(head.len() + tail.len());

    // Pack `<url>` elements into parts within both limits.
    let mut parts: Vec<(Vec<u8>, Option<NaiveDate>)> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut count = 0;
    let mut newest: Option<NaiveDate> = None;
    for (path, lastmod) in pages {
        let entry = entry("url", &absolute(ctx, path), *lastmod);
        if count > 0 && (count == max_urls || current.len() + entry.len() > room) {
            parts.push((std::mem::take(&mut current), newest.take()));
            count = 0;
        }
        current.extend_from_slice(&entry);
        count += 1;
        newest = newest.max(*lastmod);
    }
    parts.push((current, newest));

    let urlset = |body: &[u8]| -> String {
        let mut doc = head.clone();
        doc.extend_from_slice(body);
        doc.extend_from_slice(&tail);
        String::from_utf8(doc).expect("the writer writes UTF-8")
    };
    if parts.len() == 1 {
        return vec![(SITEMAP.to_string(), urlset(&parts[0].0))];
    }
    let mut index = document_start("sitemapindex");
    let mut files = Vec::with_capacity(parts.len() + 1);
    for (n, (body, newest)) in parts.iter().enumerate() {
        let path = crate::route::sitemap_part(n + 1);
        index.extend_from_slice(&entry("sitemap", &absolute(ctx, &path), *newest));
        files.push((path, urlset(body)));
    }
    index.extend_from_slice(&document_end("sitemapindex"));
    let index = String::from_utf8(index).expect("the writer writes UTF-8");
    files.insert(0, (SITEMAP.to_string(), index));
    files
}

/// `robots.txt`: everything may be crawled; where the sitemap is.
///
/// Crawlers read `robots.txt` only at the root of a host: a site served
/// from a sub-path (`https://example.org/xieshang/`) still gets the file,
/// for the host's owner to merge into theirs.
pub fn robots(ctx: &Ctx) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        absolute(ctx, SITEMAP)
    )
}

/// The absolute URL of an output path, normalised as the protocol asks
/// (RFC 3986: non-ASCII characters percent-encoded, the host in punycode).
fn absolute(ctx: &Ctx, path: &str) -> String {
    let raw = ctx.urls.absolute(path);
    match url::Url::parse(&raw) {
        Ok(u) => u.into(),
        Err(_) => raw,
    }
}

fn document_start(root: &str) -> Vec<u8> {
    let mut w = Writer::new(Vec::new());
    let written = (|| -> std::io::Result<()> {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.get_mut().write_all(b"\n")?;
        w.write_event(Event::Start(
            BytesStart::new(root).with_attributes([("xmlns", NAMESPACE)]),
        ))?;
        w.get_mut().write_all(b"\n")
    })();
    written.expect("writing to memory");
    w.into_inner()
}

fn document_end(root: &str) -> Vec<u8> {
    let mut w = Writer::new(Vec::new());
    w.write_event(Event::End(BytesEnd::new(root)))
        .and_then(|_| w.get_mut().write_all(b"\n"))
        .expect("writing to memory");
    w.into_inner()
}

/// `<url>` or `<sitemap>` with its `loc` and `lastmod`, on one line.
fn entry(element: &str, loc: &str, lastmod: Option<NaiveDate>) -> Vec<u8> {
    let mut w = Writer::new(Vec::new());
    let written = (|| -> std::io::Result<()> {
        w.write_event(Event::Start(BytesStart::new(element)))?;
        w.create_element("loc")
            .write_text_content(BytesText::new(loc))?;
        if let Some(d) = lastmod {
            w.create_element("lastmod")
                .write_text_content(BytesText::new(&d.format("%Y-%m-%d").to_string()))?;
        }
        w.write_event(Event::End(BytesEnd::new(element)))?;
        w.get_mut().write_all(b"\n")
    })();
    written.expect("writing to memory");
    w.into_inner()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use quick_xml::Reader;

    use super::super::testing;
    use super::*;

    /// A parsed sitemap file: its root element and its `(loc, lastmod)`s.
    #[derive(Debug)]
    struct Parsed {
        root: String,
        namespace: Option<String>,
        entries: Vec<(String, Option<String>)>,
    }

    fn parse(xml: &str) -> Parsed {
        let mut reader = Reader::from_str(xml);
        let mut stack: Vec<String> = Vec::new();
        let mut parsed = Parsed {
            root: String::new(),
            namespace: None,
            entries: Vec::new(),
        };
        let mut text = String::new();
        loop {
            match reader.read_event().unwrap_or_else(|e| panic!("{e}\n{xml}")) {
                Event::Start(e) => {
                    let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                    if stack.is_empty() {
                        parsed.root = name.clone();
                        parsed.namespace = e
                            .try_get_attribute("xmlns")
                            .unwrap()
                            .map(|a| String::from_utf8(a.value.to_vec()).unwrap());
                    }
                    if name == "url" || name == "sitemap" {
                        parsed.entries.push((String::new(), None));
                    }
                    stack.push(name);
                    text.clear();
                }
                Event::Text(t) => text.push_str(&t.decode().unwrap()),
                Event::GeneralRef(r) => {
                    let name = r.decode().unwrap();
                    text.push(match &*name {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => panic!("entity {other}"),
                    });
                }
                Event::End(_) => {
                    let name = stack.pop().unwrap();
                    let last = parsed.entries.last_mut();
                    match (name.as_str(), last) {
                        ("loc", Some(entry)) => entry.0 = std::mem::take(&mut text),
                        ("lastmod", Some(entry)) => entry.1 = Some(std::mem::take(&mut text)),
                        _ => {}
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(stack.is_empty(), "unclosed elements");
        parsed
    }

    fn day(s: &str) -> NaiveDate {
        crate::date::parse_date(s).unwrap()
    }

    #[test]
    fn a_small_site_has_one_urlset() {
        let site = testing::fixture();
        let ctx = site.ctx();
        let pages = vec![
            (String::new(), None),
            ("alpha/".to_string(), Some(day("2026-10-01"))),
            (
                "alpha/east/topics/2020-road/".to_string(),
                Some(day("2020-02-02")),
            ),
        ];
        let files = sitemaps(&ctx, &pages);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "sitemap.xml");
        assert!(files[0]
            .1
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
        let p = parse(&files[0].1);
        assert_eq!(p.root, "urlset");
        assert_eq!(p.namespace.as_deref(), Some(NAMESPACE));
        assert_eq!(
            p.entries,
            [
                ("https://example.org/xieshang/".to_string(), None),
                (
                    "https://example.org/xieshang/alpha/".to_string(),
                    Some("2026-10-01".to_string())
                ),
                (
                    "https://example.org/xieshang/alpha/east/topics/2020-road/".to_string(),
                    Some("2020-02-02".to_string())
                ),
            ]
        );
    }

    #[test]
    fn more_than_max_urls_split_under_an_index() {
        let site = testing::fixture();
        let ctx = site.ctx();
        let n = 2 * MAX_URLS + MAX_URLS / 2 + 1;
        let pages: Vec<(String, Option<NaiveDate>)> = (0..n)
            .map(|i| {
                let lastmod = (i % 3 == 0)
                    .then(|| day("2020-01-01") + chrono::Duration::days((i % 2000) as i64));
                (format!("p/{i}/"), lastmod)
            })
            .collect();
        let files = sitemaps(&ctx, &pages);
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "sitemap.xml",
                "sitemaps/sitemap-1.xml",
                "sitemaps/sitemap-2.xml",
                "sitemaps/sitemap-3.xml"
            ]
        );
        let index = parse(&files[0].1);
        assert_eq!(index.root, "sitemapindex");
        assert_eq!(index.namespace.as_deref(), Some(NAMESPACE));
        let listed: Vec<&str> = index.entries.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            listed,
            [
                "https://example.org/xieshang/sitemaps/sitemap-1.xml",
                "https://example.org/xieshang/sitemaps/sitemap-2.xml",
                "https://example.org/xieshang/sitemaps/sitemap-3.xml"
            ]
        );
        let mut seen = HashSet::new();
        let mut total = 0;
        for (k, (_, xml)) in files.iter().enumerate().skip(1) {
            assert!(xml.len() <= MAX_BYTES);
            let part = parse(xml);
            assert_eq!(part.root, "urlset");
            assert!(part.entries.len() <= MAX_URLS);
            total += part.entries.len();
            // The index's lastmod is the part's newest page.
            let newest = part.entries.iter().filter_map(|(_, m)| m.clone()).max();
            assert_eq!(index.entries[k - 1].1, newest);
            for (loc, _) in part.entries {
                assert!(seen.insert(loc), "a URL twice");
            }
        }
        assert_eq!(total, n);
        let expected: HashSet<String> = (0..n)
            .map(|i| format!("https://example.org/xieshang/p/{i}/"))
            .collect();
        assert_eq!(seen, expected, "every URL exactly once");
    }

    #[test]
    fn exactly_max_urls_is_one_file() {
        let site = testing::fixture();
        let ctx = site.ctx();
        let pages: Vec<(String, Option<NaiveDate>)> =
            (0..MAX_URLS).map(|i| (format!("{i}/"), None)).collect();
        let files = sitemaps(&ctx, &pages);
        assert_eq!(files.len(), 1);
        assert_eq!(parse(&files[0].1).entries.len(), MAX_URLS);
    }

    #[test]
    fn the_byte_limit_splits_too() {
        let site = testing::fixture();
        let ctx = site.ctx();
        let pages: Vec<(String, Option<NaiveDate>)> = (0..100)
            .map(|i| (format!("{}/{i}/", "x".repeat(50)), None))
            .collect();
        let limit = 2_000;
        let files = sitemaps_within(&ctx, &pages, MAX_URLS, limit);
        assert!(files.len() > 3, "{}", files.len());
        let mut total = 0;
        for (_, xml) in &files[1..] {
            assert!(xml.len() <= limit, "{}", xml.len());
            total += parse(xml).entries.len();
        }
        assert_eq!(total, 100);
    }

    #[test]
    fn locs_are_escaped_and_encoded() {
        let site = testing::fixture();
        let ctx = site.ctx();
        let pages = vec![
            ("search/?q=a&b=<c>".to_string(), None),
            ("村/".to_string(), None),
        ];
        let xml = &sitemaps(&ctx, &pages)[0].1;
        assert!(xml.contains("q=a&amp;b="), "{xml}");
        assert!(!xml.contains("a&b"));
        let p = parse(xml);
        assert_eq!(
            p.entries[0].0,
            "https://example.org/xieshang/search/?q=a&b=%3Cc%3E"
        );
        assert_eq!(p.entries[1].0, "https://example.org/xieshang/%E6%9D%91/");
    }

    #[test]
    fn robots_points_at_the_sitemap() {
        let site = testing::fixture();
        let ctx = site.ctx();
        assert_eq!(
            robots(&ctx),
            "User-agent: *\nAllow: /\n\nSitemap: https://example.org/xieshang/sitemap.xml\n"
        );
    }
}
