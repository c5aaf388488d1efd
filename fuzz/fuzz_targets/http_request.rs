//! The preview server's requests (`serve/http.rs`, `serve/server.rs`).
//!
//! Each input is used twice:
//!
//! 1. Read as a request head (request line, then `Name: value` lines), its
//!    method, target, `If-None-Match` and `Host` go straight to
//!    `site_key`, `respond` and `host_allowed`, over a small site in
//!    memory (pages, a theme file, attachments, a 404 page).
//! 2. Sent as raw bytes, over loopback, to the real server (hyper, with
//!    the same handlers), started once per process; the answer must be an
//!    HTTP/1.1 status line, and the server must neither panic (a panic on
//!    any thread aborts the fuzzer) nor hang.
//!
//! Invariants: a key never has a `.` or `..` segment, a leading `/`, a
//! backslash or a NUL; a 200 sends exactly the file of that key (the
//! live-reload script added to a page); a 301 only redirects to a folder
//! the site has, never off the site (`//host`, `/\host`); attachments are
//! sent for download, sandboxed; `host_allowed` accepts no name but
//! `localhost` from a loopback bind.
#![no_main]

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use yishi::serve::http::{respond, site_key, Body};
use yishi::serve::server::{host_allowed, Handlers};
use yishi::workspace::{SiteFile, SiteFiles};

fn site() -> &'static Arc<SiteFiles> {
    static SITE: OnceLock<Arc<SiteFiles>> = OnceLock::new();
    SITE.get_or_init(|| {
        let mut f = SiteFiles::new();
        let page = |s: &str, etag: u64| SiteFile::Memory {
            bytes: Arc::new(s.as_bytes().to_vec()),
            etag,
            fingerprint: Some(etag),
        };
        let attachment = |s: &[u8], etag: u64| SiteFile::Attachment {
            bytes: Arc::new(s.to_vec()),
            etag,
        };
        f.insert(
            "index.html".into(),
            page("<html><body>home</body></html>", 1),
        );
        f.insert("alpha/index.html".into(), page("<body>甲镇</body>", 2));
        f.insert(
            "alpha/east/topics/2020-road/index.html".into(),
            page("<body>道路</body>", 3),
        );
        f.insert("404.html".into(), page("<body>missing</body>", 4));
        f.insert("css/style.css".into(), page("body{}", 5));
        f.insert("feed.xml".into(), page("<feed/>", 6));
        f.insert(
            "alpha/sessions/files/plan.pdf".into(),
            attachment(b"%PDF-1.4", 7),
        );
        f.insert(
            "alpha/sessions/files/x.html".into(),
            attachment(b"<script>alert(1)</script>", 8),
        );
        f.insert(
            "alpha/sessions/files/图 纸#1.svg".into(),
            attachment(b"<svg/>", 9),
        );
        Arc::new(f)
    })
}

fn answer_of(
    files: &SiteFiles,
    method: &str,
    target: &str,
    if_none_match: Option<&str>,
    inject: bool,
) {
    let reply = respond(files, method, target, if_none_match, inject);
    let header = |name: &str| {
        reply
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let key = site_key(target);
    if let Some(k) = &key {
        assert!(!k.starts_with('/'), "key {k:?} of {target:?}");
        assert!(
            !k.contains('\\') && !k.contains('\0'),
            "key {k:?} of {target:?}"
        );
        assert!(
            k.split('/').all(|s| s != ".." && s != "."),
            "key {k:?} of {target:?}"
        );
    }
    match reply.status {
        200 if !matches!(reply.body, Body::Events) && !target.starts_with("/__yishi/") => {
            let k = key.as_ref().expect("a 200 has a key");
            let file = yishi::route::file_of(k);
            let Some(found) = files.get(&file) else {
                panic!("200 for {target:?} without a file {file:?}");
            };
            let (bytes, is_attachment) = match found {
                SiteFile::Memory { bytes, .. } => (bytes, false),
                SiteFile::Attachment { bytes, .. } => (bytes, true),
            };
            match &reply.body {
                Body::Shared(b) => assert_eq!(b, bytes),
                Body::Bytes(b) => {
                    assert!(inject && !is_attachment, "a changed body for {target:?}");
                    assert!(b.len() > bytes.len());
                }
                Body::Empty => assert_eq!(method, "HEAD"),
                Body::Events => unreachable!(),
            }
            if is_attachment {
                assert!(
                    header("Content-Disposition").is_some_and(|v| v.starts_with("attachment")),
                    "attachment {file:?} not sent for download"
                );
                assert_eq!(header("Content-Security-Policy"), Some("sandbox"));
                let ctype = header("Content-Type").unwrap_or("");
                assert!(
                    !ctype.contains("html") && !ctype.contains("svg") && !ctype.contains("xml"),
                    "attachment {file:?} sent as {ctype}"
                );
            }
        }
        301 => {
            let k = key.as_ref().expect("a redirect has a key");
            assert!(
                files.contains_key(&format!("{k}/index.html")),
                "301 for {target:?} to a folder the site does not have"
            );
            let location = header("Location").expect("a redirect has a location");
            assert!(
                location.starts_with('/')
                    && !location.starts_with("//")
                    && !location.starts_with("/\\"),
                "301 for {target:?} leaves the site: {location:?}"
            );
        }
        304 => assert!(if_none_match.is_some()),
        _ => {}
    }
}

/// The real server, on an ephemeral loopback port.
fn server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let handlers = Handlers {
            answer: Box::new(|request| {
                respond(
                    site().as_ref(),
                    request.method,
                    &request.target,
                    request.header("if-none-match"),
                    true,
                )
            }),
            events: Box::new(|| {
                // The sender is dropped: the stream ends after its first message.
                let (_tx, rx) = tokio::sync::mpsc::channel(1);
                ("data: hello\n\n".to_string(), rx)
            }),
        };
        yishi::serve::server::spawn(listener, IpAddr::V4(Ipv4Addr::LOCALHOST), handlers)
            .expect("start the server");
        addr
    })
}

fn over_the_wire(data: &[u8]) {
    let addr = server();
    let mut conn = TcpStream::connect(addr).expect("connect to the server");
    conn.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    // The server may close before it has read everything (a refused head):
    // a failed write is an answer too.
    let _ = conn.write_all(data);
    let _ = conn.shutdown(std::net::Shutdown::Write);
    let mut answer = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match conn.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if answer.len() < 64 * 1024 {
                    answer.extend_from_slice(&buf[..n]);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            // libFuzzer's own timer signal interrupts a blocking read: read
            // on (a hang still ends in the 60 s read timeout below).
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => panic!("no answer from the server: {e}\ninput: {data:?}"),
        }
    }
    if !answer.is_empty() {
        assert!(
            answer.starts_with(b"HTTP/1.1 ") || answer.starts_with(b"HTTP/1.0 "),
            "answer {:?}",
            String::from_utf8_lossy(&answer[..answer.len().min(200)])
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split("\r\n").flat_map(|l| l.split('\n'));
    let request_line = lines.next().unwrap_or("");
    let mut words = request_line.splitn(3, ' ');
    let method = words.next().unwrap_or("");
    let target = words.next().unwrap_or("");
    let mut if_none_match = None;
    let mut host = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.eq_ignore_ascii_case("if-none-match") {
            if_none_match = Some(value.trim());
        } else if name.eq_ignore_ascii_case("host") {
            host = Some(value.trim());
        }
    }

    let files = site();
    answer_of(files, method, target, if_none_match, true);
    answer_of(files, method, target, if_none_match, false);
    answer_of(files, "GET", &text, None, true);

    if let Some(host) = host {
        for bind in [
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        ] {
            if host_allowed(host, bind) && bind.is_loopback() {
                let name = match host.strip_prefix('[') {
                    Some(rest) => rest.split(']').next().unwrap_or(""),
                    None => host.split(':').next().unwrap_or(""),
                };
                assert!(
                    name.eq_ignore_ascii_case("localhost") || name.parse::<IpAddr>().is_ok(),
                    "host {host:?} accepted from a loopback bind"
                );
            }
        }
    }

    if data.len() <= 32 * 1024 {
        over_the_wire(data);
    }
});
