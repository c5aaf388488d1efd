//! Answering requests from the built site in memory.
//!
//! Only files of the built site can be sent: a request path is decoded and
//! looked up in the site's own map, so `..`, encoded `..`, backslashes,
//! absolute paths and symbolic links can never reach another file. The
//! site's map holds bytes only (attachments too are read when the site is
//! built): answering a request never opens a file.

use std::sync::Arc;

use crate::workspace::{Files, SiteFile};

/// Where the live-reload script and event stream live.
pub const LIVE_JS: &str = "/__yishi/live.js";
pub const EVENTS: &str = "/__yishi/events";

/// The tag `serve` adds before `</body>` of every HTML page it sends.
pub const INJECT: &str = "<script src=\"/__yishi/live.js\"></script>";

/// What to send back.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

#[derive(Debug)]
pub enum Body {
    Empty,
    Bytes(Vec<u8>),
    Shared(Arc<Vec<u8>>),
    /// The server-sent event stream (handled by the caller).
    Events,
}

/// The content type of a file by its extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "ics" => "text/calendar; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// The site-relative key of a request target, or `None` when the path can
/// never name a file of the site.
pub fn site_key(target: &str) -> Option<String> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?
        .into_owned();
    if !decoded.starts_with('/') || decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let rest = &decoded[1..];
    if rest
        .split('/')
        .any(|seg| seg == ".." || seg == "." || seg.contains(':'))
        || rest.contains("//")
        || rest.starts_with('/')
    {
        return None;
    }
    Some(rest.to_string())
}

fn etag_of(file: &SiteFile) -> String {
    match file {
        SiteFile::Memory { etag, .. } | SiteFile::Attachment { etag, .. } => {
            format!("\"{etag:016x}\"")
        }
    }
}

fn with_live_script(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{INJECT}\n{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{INJECT}").into_bytes(),
    }
}

/// Whether a browser would run scripts in a file of this type opened from
/// the site's origin (HTML, SVG, XML with a stylesheet and the like).
fn is_active(key: &str) -> bool {
    let ext = key.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    matches!(
        ext.as_str(),
        "html" | "htm" | "xhtml" | "xht" | "shtml" | "svg" | "svgz" | "xml" | "xsl" | "xslt"
    ) || content_type(key).starts_with("text/html")
}

/// `Content-Disposition: attachment` with the file's name, in ASCII for old
/// clients and in UTF-8 (RFC 6266 / 8187) for the others.
fn disposition(key: &str) -> String {
    const ATTR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let name = key.rsplit('/').next().unwrap_or(key);
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "!#$&+-.^_`|~ ()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, ATTR);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

fn file_reply(status: u16, key: &str, file: &SiteFile, inject: bool) -> Reply {
    let mut ctype = content_type(key);
    if matches!(file, SiteFile::Attachment { .. }) && is_active(key) {
        // Never rendered on the site's origin: plain bytes, to download.
        ctype = "application/octet-stream";
    }
    let mut headers = vec![
        ("Content-Type", ctype.to_string()),
        ("ETag", etag_of(file)),
        ("Cache-Control", "no-cache".to_string()),
        ("X-Content-Type-Options", "nosniff".to_string()),
    ];
    if matches!(file, SiteFile::Attachment { .. }) {
        headers.push(("Content-Disposition", disposition(key)));
        headers.push(("Content-Security-Policy", "sandbox".to_string()));
    }
    let body = match file {
        SiteFile::Memory { bytes, .. } if inject && ctype.starts_with("text/html") => {
            Body::Bytes(with_live_script(bytes))
        }
        SiteFile::Memory { bytes, .. } | SiteFile::Attachment { bytes, .. } => {
            Body::Shared(bytes.clone())
        }
    };
    Reply {
        status,
        headers,
        body,
    }
}

fn not_found(files: &dyn Files, inject: bool) -> Reply {
    match files.file(crate::route::NOT_FOUND) {
        Some(f) => file_reply(404, crate::route::NOT_FOUND, &f, inject),
        None => Reply {
            status: 404,
            headers: vec![("Content-Type", "text/html; charset=utf-8".into())],
            body: Body::Bytes(
                format!("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>404</title></head><body><p>页面不存在（网站尚未成功生成）。</p>{INJECT}</body></html>")
                    .into_bytes(),
            ),
        },
    }
}

/// Answer one request. `inject` adds the live-reload script to HTML.
pub fn respond(
    files: &dyn Files,
    method: &str,
    target: &str,
    if_none_match: Option<&str>,
    inject: bool,
) -> Reply {
    if method != "GET" && method != "HEAD" {
        return Reply {
            status: 405,
            headers: vec![("Allow", "GET, HEAD".into())],
            body: Body::Empty,
        };
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    if path == LIVE_JS {
        return Reply {
            status: 200,
            headers: vec![
                ("Content-Type", content_type("live.js").into()),
                ("Cache-Control", "no-cache".into()),
            ],
            body: Body::Bytes(include_bytes!("live.js").to_vec()),
        };
    }
    if path == EVENTS {
        return Reply {
            status: 200,
            headers: vec![
                ("Content-Type", "text/event-stream; charset=utf-8".into()),
                ("Cache-Control", "no-cache".into()),
            ],
            // A HEAD request gets the head of the stream, never the stream.
            body: if method == "GET" {
                Body::Events
            } else {
                Body::Empty
            },
        };
    }
    let Some(key) = site_key(target) else {
        return not_found(files, inject);
    };
    let lookup = crate::route::file_of(&key);
    if let Some(file) = files.file(&lookup) {
        let mut reply = file_reply(200, &lookup, &file, inject);
        let etag = etag_of(&file);
        let matches = if_none_match
            .is_some_and(|h| h.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
        if matches {
            reply.status = 304;
            reply.body = Body::Empty;
            reply.headers.retain(|(k, _)| *k != "Content-Type");
        }
        return reply;
    }
    if files.has(&crate::route::file_of(&format!("{key}/"))) {
        let query = target.find('?').map(|i| &target[i..]).unwrap_or("");
        return Reply {
            status: 301,
            headers: vec![("Location", format!("{path}/{query}"))],
            body: Body::Empty,
        };
    }
    not_found(files, inject)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::SiteFiles;

    fn site() -> SiteFiles {
        let mut f = SiteFiles::new();
        let page = |s: &str| SiteFile::Memory {
            bytes: Arc::new(s.as_bytes().to_vec()),
            etag: 7,
            fingerprint: None,
        };
        f.insert("index.html".into(), page("<html><body>home</body></html>"));
        f.insert("a/index.html".into(), page("<body>a</body>"));
        f.insert("404.html".into(), page("<body>missing</body>"));
        f.insert("css/style.css".into(), page("body{}"));
        f
    }

    fn body(r: &Reply) -> String {
        match &r.body {
            Body::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            Body::Shared(b) => String::from_utf8_lossy(b).into_owned(),
            _ => String::new(),
        }
    }

    #[test]
    fn keys_refuse_escapes() {
        assert_eq!(site_key("/a/b/").as_deref(), Some("a/b/"));
        assert_eq!(site_key("/a%20b?x=1").as_deref(), Some("a b"));
        for bad in [
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/etc/passwd",
            "/a/%2E%2E/%2e%2e/x",
            "/..%2fetc",
            "/a\\..\\b",
            "/a%5c..%5cb",
            "//etc/passwd",
            "/C:/Windows",
            "etc/passwd",
            "/%00",
        ] {
            assert_eq!(site_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn directories_redirects_and_404() {
        let s = site();
        let r = respond(&s, "GET", "/", None, true);
        assert_eq!(r.status, 200);
        assert!(body(&r).contains(INJECT));
        let r = respond(&s, "GET", "/a?x=1", None, true);
        assert_eq!(r.status, 301);
        assert_eq!(r.headers[0].1, "/a/?x=1");
        let r = respond(&s, "GET", "/nope/", None, true);
        assert_eq!(r.status, 404);
        assert!(body(&r).contains("missing"));
        let r = respond(&s, "GET", "/css/style.css", None, true);
        assert_eq!(body(&r), "body{}", "no script injected into CSS");
        assert_eq!(respond(&s, "POST", "/", None, true).status, 405);
    }

    #[test]
    fn content_types_with_charset_where_it_applies() {
        for (path, ty) in [
            ("a/index.html", "text/html; charset=utf-8"),
            ("css/style.css", "text/css; charset=utf-8"),
            ("x.js", "text/javascript; charset=utf-8"),
            ("a.svg", "image/svg+xml"),
            ("a.PNG", "image/png"),
            ("a.jpg", "image/jpeg"),
            ("a.jpeg", "image/jpeg"),
            ("files/a.pdf", "application/pdf"),
            ("feed.xml", "application/xml; charset=utf-8"),
            ("data/all.json", "application/json; charset=utf-8"),
            ("data/topics.csv", "text/csv; charset=utf-8"),
            ("x.unknown", "application/octet-stream"),
        ] {
            assert_eq!(content_type(path), ty, "{path}");
        }
    }

    #[test]
    fn attachments_are_downloads_and_never_active() {
        let mut s = site();
        let att = |b: &str| SiteFile::Attachment {
            bytes: Arc::new(b.as_bytes().to_vec()),
            etag: 9,
        };
        s.insert("a/files/x.html".into(), att("<script>1</script>"));
        s.insert("a/files/m.SVG".into(), att("<svg/>"));
        s.insert("a/files/报告 1.pdf".into(), att("%PDF"));
        let header = |r: &Reply, k: &str| {
            r.headers
                .iter()
                .find(|(h, _)| *h == k)
                .map(|(_, v)| v.clone())
        };
        for path in ["/a/files/x.html", "/a/files/m.SVG"] {
            let r = respond(&s, "GET", path, None, true);
            assert_eq!(r.status, 200);
            assert_eq!(
                header(&r, "Content-Type").unwrap(),
                "application/octet-stream"
            );
            assert_eq!(header(&r, "Content-Security-Policy").unwrap(), "sandbox");
            assert!(!body(&r).contains(INJECT));
        }
        let r = respond(&s, "GET", "/a/files/%E6%8A%A5%E5%91%8A%201.pdf", None, true);
        assert_eq!(header(&r, "Content-Type").unwrap(), "application/pdf");
        assert_eq!(
            header(&r, "Content-Disposition").unwrap(),
            "attachment; filename=\"__ 1.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%201.pdf"
        );
        assert!(header(&respond(&s, "GET", "/", None, true), "Content-Disposition").is_none());
    }

    #[test]
    fn head_of_the_event_stream_is_not_a_stream() {
        let s = site();
        assert!(matches!(
            respond(&s, "GET", EVENTS, None, true).body,
            Body::Events
        ));
        assert!(matches!(
            respond(&s, "HEAD", EVENTS, None, true).body,
            Body::Empty
        ));
    }

    #[test]
    fn conditional_get() {
        let s = site();
        let etag = respond(&s, "GET", "/", None, true)
            .headers
            .iter()
            .find(|(k, _)| *k == "ETag")
            .unwrap()
            .1
            .clone();
        assert_eq!(respond(&s, "GET", "/", Some(&etag), true).status, 304);
        assert_eq!(respond(&s, "GET", "/", Some("\"other\""), true).status, 200);
    }
}
