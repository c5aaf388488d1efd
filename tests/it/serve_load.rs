//! `yishi serve` under load and abuse (issue 14): hundreds of idle, slow
//! and streaming connections, oversized and malformed requests, and
//! `content/` going away while it runs. Each test starts a real server
//! process (`serve::Server`, which waits for its address line) and talks to
//! it over loopback only, with plain `TcpStream`s; every loop is bounded in
//! count and every wait in time. Measurements are printed (`--nocapture`).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc::channel;
use std::thread;
use std::time::{Duration, Instant};

use crate::common::*;
use crate::serve::{rss_kib, Server};

/// The server's limits, as `src/serve/server.rs` sets them.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_STREAMS: usize = 64;
const MAX_TARGET: usize = 8 * 1024;

/// The longest a normal request may take while the server is loaded: met
/// with a wide margin on a busy 2-core machine (measured: see the report
/// printed by each test).
const BOUND: Duration = Duration::from_secs(5);

/// A marker in files outside the built site: never in an answer.
const MARK: &str = "YISHI-SECRET-MARKER-4b1d";

fn connect(port: u16) -> TcpStream {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

/// What came back for one request: its status (`None` when the server
/// closed the connection or said nothing within the wait) and every byte.
struct Answer {
    status: Option<u16>,
    bytes: Vec<u8>,
}

/// Send `bytes` on a new connection, then read until the server closes it
/// or `wait` passes. A write the server cuts short (it refused the request
/// half-way) is not an error.
fn exchange(port: u16, bytes: &[u8], wait: Duration) -> Answer {
    let mut s = connect(port);
    let _ = s.write_all(bytes);
    let deadline = Instant::now() + wait;
    let mut out = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        s.set_read_timeout(Some(left)).unwrap();
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    let status = out
        .starts_with(b"HTTP/1.")
        .then(|| std::str::from_utf8(out.get(9..12)?).ok()?.parse().ok())
        .flatten();
    Answer { status, bytes: out }
}

/// `GET path`, answered within [`BOUND`] or an error; the status and the
/// time it took.
fn timed_get(port: u16, path: &str) -> Result<(u16, Duration), String> {
    let started = Instant::now();
    let (tx, rx) = channel();
    let path = path.to_string();
    thread::spawn(move || {
        let req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        let _ = tx.send(exchange(port, req.as_bytes(), BOUND).status);
    });
    match rx.recv_timeout(BOUND + Duration::from_secs(1)) {
        Ok(Some(status)) if started.elapsed() <= BOUND => Ok((status, started.elapsed())),
        Ok(Some(_)) => Err(format!("answered after {:?}", started.elapsed())),
        Ok(None) | Err(_) => Err(format!("no answer within {BOUND:?}")),
    }
}

/// Whether the server has closed `s` (read gives end of file) by
/// `deadline`; what it sent before is skipped.
fn closed_by(s: &mut TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        s.set_read_timeout(Some(left)).unwrap();
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

/// Whether `s` is still open: nothing to read and no end of file.
fn still_open(s: &TcpStream) -> bool {
    s.set_nonblocking(true).unwrap();
    let mut s = s;
    let mut buf = [0u8; 4096];
    let open = loop {
        match s.read(&mut buf) {
            Ok(0) => break false,
            Ok(_) => continue,
            Err(e) => break e.kind() == std::io::ErrorKind::WouldBlock,
        }
    };
    s.set_nonblocking(false).unwrap();
    open
}

/// The server's standard error so far; it must never show a panic.
fn assert_no_panic(srv: &Server) {
    let text: Vec<String> = srv.stderr.try_iter().collect();
    let text = text.join("\n");
    assert!(!text.contains("panicked"), "the server panicked:\n{text}");
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() - 1) * p / 100]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// 240 connections held at once (80 that say nothing, 80 that send a
/// header byte a second and never finish, 80 live-reload streams, more
/// than `MAX_STREAMS`): a normal client is still answered within
/// [`BOUND`], a newly opened page still gets live reload, the oldest
/// streams are ended for newer ones, the silent and slow connections are
/// closed by the head timeout, and memory stays bounded.
#[test]
fn held_connections_do_not_starve_a_normal_client() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let port = srv.port;
    let pid = srv.child.id();
    for _ in 0..5 {
        assert_eq!(srv.get("/").status, 200);
    }
    let baseline = rss_kib(pid);
    let opened = Instant::now();

    let mut idle: Vec<TcpStream> = (0..80).map(|_| connect(port)).collect();
    let mut slow: Vec<TcpStream> = (0..80)
        .map(|_| {
            let mut s = connect(port);
            s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                .unwrap();
            s
        })
        .collect();
    // The slowness itself: one more header byte a second on every slow
    // connection, for at most 12 seconds (the server cuts them at 10).
    let writers: Vec<TcpStream> = slow.iter().map(|s| s.try_clone().unwrap()).collect();
    let (stop, stopped) = channel::<()>();
    let dribble = thread::spawn(move || {
        let mut writers = writers;
        let mut sent = 0;
        for _ in 0..12 {
            if stopped.recv_timeout(Duration::from_secs(1)).is_ok() {
                break;
            }
            for w in &mut writers {
                if w.write_all(b"a").is_ok() {
                    sent += 1;
                }
            }
        }
        sent
    });
    // Live-reload streams, one after the other: each is open once its
    // first event came.
    let mut streams: Vec<TcpStream> = (0..80)
        .map(|i| {
            let mut s = connect(port);
            s.write_all(b"GET /__yishi/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .unwrap();
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !String::from_utf8_lossy(&head).contains("event: ") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => panic!("event stream {i} not opened within 5 s"),
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            assert!(head.starts_with(b"HTTP/1.1 200"), "stream {i}");
            s
        })
        .collect();
    let all_open = opened.elapsed();

    // A normal client, 20 times over 4 seconds or so, while all of that
    // is held.
    let mut latencies = Vec::new();
    for i in 0..20 {
        let path = ["/", "/alpha/", "/css/style.css", "/alpha/east/"][i % 4];
        match timed_get(port, path) {
            Ok((status, took)) => {
                assert_eq!(status, 200, "{path}");
                latencies.push(took);
            }
            Err(e) => panic!("GET {path} under load: {e}"),
        }
        // The pace of the normal client (not a wait for the server).
        thread::sleep(Duration::from_millis(200));
    }
    latencies.sort();
    let peak = rss_kib(pid);

    // The 16 oldest streams were ended for newer ones; the 64 newest are
    // open.
    let evicted = streams.len() - MAX_STREAMS;
    let soon = Instant::now() + BOUND;
    for (i, s) in streams.iter_mut().enumerate() {
        if i < evicted {
            assert!(closed_by(s, soon), "old stream {i} not ended");
        } else {
            assert!(still_open(s), "stream {i} ended");
        }
    }
    // A page opened now gets its stream at once, and live reload works.
    let asked = Instant::now();
    let events = srv.events();
    let stream_took = asked.elapsed();
    assert!(
        closed_by(&mut streams[evicted], Instant::now() + BOUND),
        "the oldest stream was not ended for the new page's"
    );
    srv.site.edit(
        "content/alpha/east/topics/2020-road.md",
        "title: 东村道路硬化",
        "title: 东村道路硬化（负载下）",
    );
    assert!(
        srv.reloads_to(&events, "/alpha/east/topics/2020-road/", "负载下"),
        "no live reload under load"
    );

    // The silent and the slow connections are closed by the head timeout
    // (10 s after they opened), not held for ever.
    let cut = opened + HEAD_TIMEOUT + BOUND;
    for (i, s) in idle.iter_mut().enumerate() {
        assert!(closed_by(s, cut), "silent connection {i} still open");
    }
    for (i, s) in slow.iter_mut().enumerate() {
        assert!(closed_by(s, cut), "slow connection {i} still open");
    }
    let closed_after = opened.elapsed();
    let _ = stop.send(());
    let bytes_dribbled = dribble.join().unwrap();
    drop(streams);
    assert!(bytes_dribbled >= 80, "the slow clients sent nothing");
    let (status, _) = timed_get(port, "/").unwrap();
    assert_eq!(status, 200);
    let after = rss_kib(pid);
    assert_no_panic(&srv);

    eprintln!(
        "serve_load: 240 held connections open in {}; GET latency under load: \
         min {}, median {}, p95 {}, max {} (20 requests); new event stream in {}; \
         silent and slow connections closed {:.1} s after opening; \
         RSS idle {baseline} KiB, under load {peak} KiB, after {after} KiB",
        ms(all_open),
        ms(latencies[0]),
        ms(percentile(&latencies, 50)),
        ms(percentile(&latencies, 95)),
        ms(latencies[latencies.len() - 1]),
        ms(stream_took),
        closed_after.as_secs_f64(),
    );
    assert!(stream_took <= BOUND, "event stream took {stream_took:?}");
    // 240 connections of at most a 16 KiB head each, their tasks and
    // streams: a few MiB. 32 MiB is far beyond that and far below what an
    // unbounded buffer per connection would take.
    assert!(
        peak < baseline + 32 * 1024,
        "RSS grew from {baseline} to {peak} KiB under load"
    );
    assert!(
        after < baseline + 32 * 1024,
        "RSS {after} KiB after the load (idle {baseline} KiB)"
    );
}

/// More connections than the server takes at once (300 silent ones; it
/// serves 256): each newcomer ends the oldest connection that has sent no
/// whole request, so a normal client is served at once, the oldest silent
/// ones are closed and the newest are left alone.
#[test]
fn connections_beyond_the_limit_end_the_oldest_silent_ones() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let port = srv.port;
    let mut held: Vec<TcpStream> = (0..300).map(|_| connect(port)).collect();
    let mut latencies = Vec::new();
    for _ in 0..5 {
        let (status, took) = timed_get(port, "/").unwrap_or_else(|e| panic!("GET /: {e}"));
        assert_eq!(status, 200);
        latencies.push(took);
    }
    // 256 places for 300 silent connections and the normal client's: at
    // least the 45 oldest were ended (a few more when a request came
    // before the previous one's place was freed).
    let soon = Instant::now() + BOUND;
    for (i, s) in held.iter_mut().enumerate().take(45) {
        assert!(closed_by(s, soon), "old silent connection {i} still open");
    }
    let open = held.iter().filter(|s| still_open(s)).count();
    eprintln!(
        "serve_load: with 300 silent connections held, GET / answered in {} at most; \
         {open} of them still open",
        ms(*latencies.iter().max().unwrap()),
    );
    assert!(
        (245..=255).contains(&open),
        "{open} silent connections open (the newest should be)"
    );
    assert!(still_open(&held[299]), "the newest was ended");
    drop(held);
    assert_no_panic(&srv);
}

/// Oversized heads (1 MB of headers, in one line or many) and targets
/// (100 KB, 20 KB, 9 KB) are refused (414, 431 or 400) or cut off, while
/// other clients are answered within the bound and memory stays put.
#[test]
fn oversized_heads_and_targets_are_refused_and_others_served() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let port = srv.port;
    let pid = srv.child.id();
    for _ in 0..5 {
        assert_eq!(srv.get("/").status, 200);
    }
    let baseline = rss_kib(pid);
    let long_header = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let many_headers = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{}\r\n",
        "X-Many: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".repeat(1 << 14)
    );
    let url = |len: usize| {
        format!(
            "GET /{} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            "a".repeat(len - 1)
        )
    };
    let huge_url = url(100 * 1024);
    let long_url = url(20 * 1024);
    let over_url = url(MAX_TARGET + 1);
    let cases: Vec<(&str, String)> = vec![
        ("1 MB header line", long_header),
        ("1 MB of headers", many_headers),
        ("100 KB URL", huge_url),
        ("20 KB URL", long_url),
        ("URL over the limit", over_url),
    ];
    // Ten clients at a time send each, while a normal client is timed.
    let (done_tx, done) = channel();
    let mut senders = Vec::new();
    for (name, req) in &cases {
        for _ in 0..10 {
            let (name, req, done_tx) = (name.to_string(), req.clone(), done_tx.clone());
            senders.push(thread::spawn(move || {
                let answer = exchange(port, req.as_bytes(), BOUND);
                let _ = done_tx.send((name, answer.status));
            }));
        }
    }
    drop(done_tx);
    let mut latencies = Vec::new();
    for _ in 0..10 {
        let (status, took) = timed_get(port, "/alpha/").unwrap();
        assert_eq!(status, 200);
        latencies.push(took);
    }
    for s in senders {
        s.join().unwrap();
    }
    let mut seen = std::collections::BTreeMap::new();
    for (name, status) in done.iter() {
        assert!(
            matches!(status, None | Some(400 | 414 | 431)),
            "{name}: answered {status:?}"
        );
        seen.entry(name).or_insert_with(Vec::new).push(status);
    }
    assert_eq!(seen.values().map(Vec::len).sum::<usize>(), 50);
    // The limit itself: a target just over it gets 414 from the server
    // (not a cut connection), one at it is looked up (404).
    let over = exchange(port, url(MAX_TARGET + 1).as_bytes(), BOUND);
    assert_eq!(over.status, Some(414));
    let at = exchange(port, url(MAX_TARGET).as_bytes(), BOUND);
    assert_eq!(at.status, Some(404));
    let after = rss_kib(pid);
    latencies.sort();
    eprintln!(
        "serve_load: 50 oversized requests: {seen:?}; GET latency meanwhile: \
         median {}, max {}; RSS before {baseline} KiB, after {after} KiB",
        ms(percentile(&latencies, 50)),
        ms(latencies[latencies.len() - 1]),
    );
    assert!(
        after < baseline + 16 * 1024,
        "RSS grew from {baseline} to {after} KiB"
    );
    assert_eq!(srv.get("/").status, 200);
    assert_no_panic(&srv);
}

/// A site in a folder of its own, with the marker in files outside its
/// output: beside it, in `site.toml`, in `content/` files that are not
/// published.
fn marked_site() -> (tempfile::TempDir, TempSite) {
    let outer = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir_in(outer.path()).unwrap();
    copy_tree(&fixture("valid"), dir.path());
    let site = TempSite { dir };
    std::fs::write(outer.path().join("secret.txt"), MARK).unwrap();
    std::fs::write(site.path("secret.txt"), MARK).unwrap();
    let toml = site.read("site.toml");
    site.write("site.toml", &format!("# {MARK}\n{toml}"));
    let place = site.read("content/alpha/_place.yaml");
    site.write("content/alpha/_place.yaml", &format!("{place}# {MARK}\n"));
    let readme = site.read("content/README.md");
    site.write("content/README.md", &format!("{readme}\n{MARK}\n"));
    (outer, site)
}

/// Malformed requests and requests for files outside the built site are
/// never answered with those files: no answer carries the marker (nor
/// `/etc/passwd` or the working folder's `Cargo.toml`), none is a 200,
/// the server does not panic and still serves others.
#[test]
fn malformed_requests_never_reach_outside_the_site() {
    let (_outer, site) = marked_site();
    let srv = Server::start(site, &[]);
    let port = srv.port;
    let dir = srv.site.root().display().to_string();
    let get = |target: &str| {
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .into_bytes()
    };
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("garbage".into(), b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n".to_vec()),
        ("binary".into(), (0u8..=255).cycle().take(4096).collect()),
        ("no version".into(), b"GET /\r\n\r\n".to_vec()),
        ("no target".into(), b"GET HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec()),
        ("HTTP/0.9".into(), b"GET /secret.txt\r\n".to_vec()),
        ("bad version".into(), b"GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n".to_vec()),
        ("NUL in the line".into(), b"GET /\0/../secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec()),
        ("NUL in a header".into(), b"GET / HTTP/1.1\r\nHost: 127.0.0.1\0\r\n\r\n".to_vec()),
        ("tab in the target".into(), b"GET /\t/secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec()),
        ("bare LF lines".into(), b"GET /../secret.txt HTTP/1.1\nHost: 127.0.0.1\n\n".to_vec()),
        ("odd method".into(), b"BREW /secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".to_vec()),
        ("CONNECT".into(), b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n".to_vec()),
        ("OPTIONS *".into(), b"OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".to_vec()),
        ("TRACE".into(), b"TRACE /secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".to_vec()),
        ("PUT".into(), b"PUT /secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()),
        ("absolute-form, other host".into(), get("http://evil.example/secret.txt")),
        ("absolute-form, bad scheme".into(), get("file:///etc/passwd")),
    ];
    for target in [
        "../../etc/passwd",
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/%2e%2E/%2e%2e/etc/passwd",
        "//etc/passwd",
        "///etc/passwd",
        "http://127.0.0.1/../../x",
        "http://127.0.0.1/../secret.txt",
        "http://127.0.0.1/../../secret.txt",
        "http://127.0.0.1//etc/passwd",
        "/..%5c..%5cCargo.toml",
        "/..%5C..%5C..%5Csecret.txt",
        "/..\\..\\Cargo.toml",
        "/Cargo.toml",
        "/../secret.txt",
        "/../../secret.txt",
        "/alpha/../../secret.txt",
        "/alpha/%2e%2e/%2e%2e/secret.txt",
        "/alpha%2f..%2f..%2fsecret.txt",
        "/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/%252e%252e/%252e%252e/secret.txt",
        "/%c0%ae%c0%ae/%c0%ae%c0%ae/secret.txt",
        "/./secret.txt",
        "/secret.txt",
        "/secret.txt%00.html",
        "/%00",
        "/%zz/../secret.txt",
        "/%",
        "/%e4%b8/secret.txt",
        "/alpha/_place.yaml",
        "/content/alpha/_place.yaml",
        "/content/README.md",
        "/README.md",
        "/site.toml",
        "/alpha/east/topics/2020-road.md",
        "/content/alpha/east/topics/2020-road.md",
        &format!("/{dir}/secret.txt"),
        &format!("/{dir}/site.toml"),
        "/C:/Windows/win.ini",
        "/%2fetc/passwd",
    ] {
        cases.push((format!("GET {target}"), get(target)));
    }
    // All at once, each in a thread of its own, each bounded by 3 s
    // (a request the server is still waiting to complete gives no answer).
    let handles: Vec<_> = cases
        .into_iter()
        .map(|(name, bytes)| {
            thread::spawn(move || (name, exchange(port, &bytes, Duration::from_secs(3))))
        })
        .collect();
    let mut statuses = Vec::new();
    for h in handles {
        let (name, answer) = h.join().unwrap();
        let text = String::from_utf8_lossy(&answer.bytes);
        assert!(
            !text.contains(MARK),
            "{name}: answered with a secret\n{text}"
        );
        assert!(!text.contains("root:x:0"), "{name}: answered /etc/passwd");
        assert!(!text.contains("[package]"), "{name}: answered Cargo.toml");
        assert!(!text.contains("page_size"), "{name}: answered site.toml");
        assert!(
            answer
                .status
                .is_none_or(|s| (400..500).contains(&s) || s == 505),
            "{name}: answered {:?}",
            answer.status
        );
        statuses.push(format!("{name} → {:?}", answer.status));
    }
    eprintln!(
        "serve_load: malformed requests:\n  {}",
        statuses.join("\n  ")
    );
    // The absolute form addressed to the server itself is a normal request.
    let own = exchange(
        port,
        &get(&format!("http://127.0.0.1:{port}/alpha/")),
        BOUND,
    );
    assert_eq!(own.status, Some(200));
    let (status, _) = timed_get(port, "/").unwrap();
    assert_eq!(status, 200);
    assert_no_panic(&srv);
}

/// `content/` replaced by a file, made unreadable (when this user can be
/// refused at all: not root), a place folder deleted, and `content/`
/// moved away and back many times in a row: the server keeps running,
/// shows the problem while serving the last good site, and picks up the
/// restored content.
#[test]
fn content_going_away_while_serving_is_survived() {
    let mut srv = Server::start(TempSite::new("valid"), &[]);
    let events = srv.events();
    let road = "content/alpha/east/topics/2020-road.md";
    let page = "/alpha/east/topics/2020-road/";
    let keep = tempfile::tempdir().unwrap();
    copy_tree(&srv.site.path("content"), keep.path());
    let problem = |what: &str| {
        let json = events
            .next("problems")
            .unwrap_or_else(|| panic!("no problem shown after {what}"));
        let list: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(
            list.as_array().is_some_and(|l| !l.is_empty()),
            "{what}: {json}"
        );
        // The last good site is still served.
        let r = srv.get(page);
        assert_eq!(r.status, 200, "{what}: last good page gone");
        json
    };

    // `content` becomes a file: it cannot be read as a folder.
    events.clear();
    srv.site.remove("content");
    srv.site.write("content", "not a folder");
    let json = problem("content/ replaced by a file");
    assert!(json.contains("content"), "{json}");
    events.clear();
    srv.site.remove("content");
    copy_tree(keep.path(), &srv.site.path("content"));
    srv.site
        .edit(road, "title: 东村道路硬化", "title: 东村道路硬化（恢复后）");
    assert!(
        srv.reloads_to(&events, page, "恢复后"),
        "restored content not served"
    );

    // `content` unreadable, then readable again.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let content = srv.site.path("content");
        events.clear();
        std::fs::set_permissions(&content, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read_dir(&content).is_err() {
            let json = problem("content/ made unreadable");
            assert!(json.contains("content"), "{json}");
            events.clear();
            std::fs::set_permissions(&content, std::fs::Permissions::from_mode(0o755)).unwrap();
            assert!(events.next("reload").is_some(), "readable content ignored");
        } else {
            // Root reads it anyway: nothing to see, but nothing may break.
            std::fs::set_permissions(&content, std::fs::Permissions::from_mode(0o755)).unwrap();
            eprintln!("serve_load: running as root, content/ stays readable at mode 000");
        }
        assert_eq!(srv.get(page).status, 200);
    }

    // A place folder deleted, then restored.
    let beta = keep.path().join("beta");
    srv.site.remove("content/beta");
    srv.wait_status("/beta/", 404);
    assert_eq!(srv.get(page).status, 200);
    copy_tree(&beta, &srv.site.path("content/beta"));
    srv.wait_status("/beta/", 200);

    // Moved away and back eight times in a row, without waiting.
    for _ in 0..8 {
        std::fs::rename(srv.site.path("content"), srv.site.path("content-away")).unwrap();
        std::fs::rename(srv.site.path("content-away"), srv.site.path("content")).unwrap();
    }
    // Deleted and restored from the copy, twice in a row.
    for _ in 0..2 {
        srv.site.remove("content");
        copy_tree(keep.path(), &srv.site.path("content"));
    }
    events.clear();
    srv.site.edit(
        road,
        "title: 东村道路硬化",
        "title: 东村道路硬化（反复之后）",
    );
    assert!(
        srv.reloads_to(&events, page, "反复之后"),
        "edits after the churn not served"
    );
    assert!(srv.child.try_wait().unwrap().is_none(), "server exited");
    assert_no_panic(&srv);
}
