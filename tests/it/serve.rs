//! `yishi serve` tested as a clerk uses it: a real server process, a real
//! HTTP client (raw requests over TCP, so that paths reach the server
//! exactly as written), edits on disk, and the live-reload event stream.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use crate::common::*;

/// A running `yishi serve` on a copy of the fixture site.
pub(crate) struct Server {
    pub(crate) site: TempSite,
    pub(crate) child: Child,
    pub(crate) port: u16,
    pub(crate) stdout: Receiver<String>,
    pub(crate) stderr: Receiver<String>,
}

fn lines(r: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

impl Server {
    pub(crate) fn start(site: TempSite, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_yishi"))
            .args(["serve", "--port", "0", "--as-of", AS_OF, "--root"])
            .arg(site.root())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = lines(child.stdout.take().unwrap());
        let stderr = lines(child.stderr.take().unwrap());
        let mut port = 0;
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(line) = stdout.recv_timeout(Duration::from_millis(100)) {
                if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                    port = rest.split('/').next().unwrap().parse().unwrap();
                    break;
                }
            }
        }
        assert!(port > 0, "server did not start");
        Server {
            site,
            child,
            port,
            stdout,
            stderr,
        }
    }

    pub(crate) fn get(&self, path: &str) -> Response {
        request(self.port, "GET", path, &[])
    }

    pub(crate) fn events(&self) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(s, "GET /__yishi/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        let (tx, rx) = channel();
        let reader = BufReader::new(s);
        std::thread::spawn(move || {
            let mut event = String::new();
            for line in reader.lines().map_while(Result::ok) {
                if let Some(e) = line.strip_prefix("event: ") {
                    event = e.to_string();
                } else if let Some(d) = line.strip_prefix("data: ") {
                    if tx.send((event.clone(), d.to_string())).is_err() {
                        break;
                    }
                }
            }
        });
        // Wait for the state sent on connect, so that the stream is
        // registered before the test changes anything.
        let first = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("event stream");
        Events(rx, std::cell::RefCell::new(vec![first]))
    }

    /// Whether the page at `path` shows `text` after one of the next
    /// reloads (a reload of an earlier change may come first).
    pub(crate) fn reloads_to(&self, events: &Events, path: &str, text: &str) -> bool {
        for _ in 0..5 {
            if events.next("reload").is_none() {
                return false;
            }
            if self.get(path).text().contains(text) {
                return true;
            }
        }
        false
    }

    /// Poll `path` until it answers `status`; fails the test after 30 s.
    pub(crate) fn wait_status(&self, path: &str, status: u16) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let now = self.get(path).status;
            if now == status {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "GET {path} still answers {now}, not {status}, after 30 s"
            );
            // The poll interval: each look is a request to the server.
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) struct Events(
    Receiver<(String, String)>,
    std::cell::RefCell<Vec<(String, String)>>,
);

impl Events {
    /// Forget events already received (from earlier changes).
    pub(crate) fn clear(&self) {
        self.1.borrow_mut().clear();
        while self.0.try_recv().is_ok() {}
    }

    /// The next event named `name` (others are skipped), within 10 s.
    pub(crate) fn next(&self, name: &str) -> Option<String> {
        let early: Vec<_> = self.1.borrow_mut().drain(..).collect();
        if let Some((_, d)) = early.into_iter().find(|(e, _)| e == name) {
            return Some(d);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok((e, d)) = self.0.recv_timeout(Duration::from_millis(50)) {
                if e == name {
                    return Some(d);
                }
            }
        }
        None
    }

    /// Whether an event named `name` arrives within `wait`.
    pub(crate) fn next_within(&self, name: &str, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            if let Ok((e, _)) = self.0.recv_timeout(Duration::from_millis(50)) {
                if e == name {
                    return true;
                }
            }
        }
        false
    }
}

pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) head: String,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request with `Connection: close`, the path sent verbatim
/// (`Host: 127.0.0.1` unless `headers` has one).
pub(crate) fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str("Host: 127.0.0.1\r\n");
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Response { status, head, body }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(nl) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..nl]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[nl + 2..nl + 2 + size]);
        data = &data[nl + 2 + size + 2..];
    }
    out
}

#[test]
fn serves_pages_with_types_redirects_and_404() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let home = srv.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type").unwrap(),
        "text/html; charset=utf-8"
    );
    assert!(
        home.text().contains("/__yishi/live.js"),
        "reload script injected"
    );
    // Links point at the local server, not the site's base_url.
    assert!(home.text().contains("href=\"/alpha/\""));
    assert_eq!(
        srv.get("/css/style.css").header("content-type").unwrap(),
        "text/css; charset=utf-8"
    );
    assert!(!srv.get("/css/style.css").text().contains("live.js"));
    let pdf = srv.get("/beta/garden/sessions/files/plan.pdf");
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type").unwrap(), "application/pdf");
    assert!(pdf.body.starts_with(b"%PDF"));
    let js = srv.get("/__yishi/live.js");
    assert_eq!(
        js.header("content-type").unwrap(),
        "text/javascript; charset=utf-8"
    );
    let redirect = srv.get("/alpha/east");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location").unwrap(), "/alpha/east/");
    let missing = srv.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("页面不存在"));
    assert_eq!(request(srv.port, "POST", "/", &[]).status, 405);
}

#[test]
fn head_and_conditional_get() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let get = srv.get("/alpha/");
    let head = request(srv.port, "HEAD", "/alpha/", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("etag"), get.header("etag"));
    assert_eq!(
        head.header("content-length").unwrap(),
        get.body.len().to_string()
    );
    let etag = get.header("etag").unwrap();
    let again = request(srv.port, "GET", "/alpha/", &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let other = request(srv.port, "GET", "/alpha/", &[("If-None-Match", "\"nope\"")]);
    assert_eq!(other.status, 200);
}

#[test]
fn never_serves_files_outside_the_site() {
    let site = TempSite::new("valid");
    std::fs::write(site.path("secret.txt"), "TOP-SECRET").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        site.path("secret.txt"),
        site.path("content/beta/garden/sessions/files/link.pdf"),
    )
    .unwrap();
    let srv = Server::start(site, &[]);
    for path in [
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/alpha/..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "//secret.txt",
        &format!("/{}", srv.site.path("secret.txt").display()),
        "/site.toml",
        "/content/alpha/_place.yaml",
        "/beta/garden/sessions/files/link.pdf",
    ] {
        let r = srv.get(path);
        assert!(r.status == 404 || r.status == 400, "{path}: {}", r.status);
        assert!(!r.text().contains("TOP-SECRET"), "{path} leaked");
        assert!(!r.text().contains("page_size"), "{path} leaked site.toml");
    }
}

#[test]
/// 2,000 clients at once (the load): every one is answered.
fn many_concurrent_requests() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let port = srv.port;
    let handles: Vec<_> = (0..2000)
        .map(|i| {
            std::thread::spawn(move || {
                let path = ["/", "/alpha/", "/css/style.css", "/years/2016/"][i % 4];
                request(port, "GET", path, &[]).status
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 200);
    }
}

#[test]
fn edits_reload_pages_and_errors_show_an_overlay() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let events = srv.events();
    assert!(events.next("ok").is_some(), "state on connect");
    let road = "content/alpha/east/topics/2020-road.md";

    // A change reloads, and the page shows it.
    srv.site
        .edit(road, "title: 东村道路硬化", "title: 东村道路硬化二期");
    assert!(events.next("reload").is_some(), "no reload after an edit");
    assert!(srv
        .get("/alpha/east/topics/2020-road/")
        .text()
        .contains("东村道路硬化二期"));

    // A mistake: the overlay gets file, line and message; the last good
    // page stays served.
    srv.site.edit(road, "type: 项目建设", "type: 项目建筑");
    let problems = events.next("problems").expect("problems event");
    let json: serde_json::Value = serde_json::from_str(&problems).unwrap();
    assert_eq!(json[0]["file"], "content/alpha/east/topics/2020-road.md");
    assert_eq!(json[0]["line"], 3);
    assert!(json[0]["message"].as_str().unwrap().contains("项目建筑"));
    assert!(json[0]["hint"].as_str().unwrap().contains("项目建设"));
    let page = srv.get("/alpha/east/topics/2020-road/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("东村道路硬化二期"));
    // A page opened now learns about the problem at once.
    let late = srv.events();
    assert!(late.next("problems").is_some());

    // Fixing it clears the overlay (reload).
    srv.site.edit(road, "type: 项目建筑", "type: 项目建设");
    assert!(events.next("reload").is_some(), "no reload after the fix");
    assert!(late.next("reload").is_some());
}

#[test]
fn half_written_files_never_crash_the_server() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let events = srv.events();
    let road = "content/alpha/east/topics/2020-road.md";
    let good = srv.site.read(road);
    for broken in [
        "",
        "---\n",
        "---\ntitle: [东村",
        "---\ntitle: 东村\ntype: 项目建设\nproposed: 2020-",
    ] {
        events.clear();
        srv.site.write(road, broken);
        assert!(events.next("problems").is_some(), "{broken:?}");
        assert_eq!(srv.get("/").status, 200);
    }
    srv.site.write_bytes(road, &[0xff, 0xfe, 0x00]);
    assert!(events.next("problems").is_some());
    srv.site.write(road, &good);
    assert!(events.next("reload").is_some());
    assert_eq!(srv.get("/alpha/east/topics/2020-road/").status, 200);
}

#[test]
fn new_renamed_and_deleted_files_and_places() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let events = srv.events();
    // A new village, with its _place.yaml and a record.
    std::fs::create_dir_all(srv.site.path("content/alpha/north/topics")).unwrap();
    srv.site.write(
        "content/alpha/north/_place.yaml",
        "name: 北村\nkind: village\n",
    );
    srv.site.write(
        "content/alpha/north/topics/2022-well.md",
        "---\ntitle: 北村水井\ntype: public-welfare\nproposed: 2022-05-05\n---\n打井。\n",
    );
    srv.wait_status("/alpha/north/topics/2022-well/", 200);
    assert_eq!(srv.get("/alpha/north/").status, 200);

    // An editor's save: write a temporary file, then rename it over. (A
    // late rebuild of the new place may still reload first: `reloads_to`
    // waits for the reload that shows the save.)
    events.clear();
    let tmp = srv
        .site
        .path("content/alpha/north/topics/.2022-well.md.tmp");
    std::fs::write(
        &tmp,
        "---\ntitle: 北村新水井\ntype: public-welfare\nproposed: 2022-05-05\n---\n打井。\n",
    )
    .unwrap();
    std::fs::rename(
        &tmp,
        srv.site.path("content/alpha/north/topics/2022-well.md"),
    )
    .unwrap();
    assert!(srv.reloads_to(&events, "/alpha/north/topics/2022-well/", "北村新水井"));

    // Renaming a record moves its page.
    events.clear();
    std::fs::rename(
        srv.site.path("content/alpha/north/topics/2022-well.md"),
        srv.site.path("content/alpha/north/topics/2022-new-well.md"),
    )
    .unwrap();
    assert!(events.next("reload").is_some());
    srv.wait_status("/alpha/north/topics/2022-new-well/", 200);
    srv.wait_status("/alpha/north/topics/2022-well/", 404);

    // Deleting the place removes its pages.
    srv.site.remove("content/alpha/north");
    srv.wait_status("/alpha/north/", 404);
}

#[test]
fn a_burst_of_changes_gives_few_rebuilds() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    // Drain the start-up output.
    while srv.stdout.recv_timeout(Duration::from_millis(200)).is_ok() {}
    // Like a `git checkout`: 120 files written at once.
    for i in 0..120 {
        srv.site.write(
            &format!("content/alpha/east/topics/burst-{i:03}.md"),
            &format!("---\ntitle: 批量{i}\ntype: other\nproposed: 2023-01-01\n---\n正文\n"),
        );
    }
    // Each rebuild prints one `已更新` line once its pages are served:
    // count them until the last file of the burst is online.
    let last = "/alpha/east/topics/burst-119/";
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut rebuilds = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = srv.stdout.recv_timeout(left) else {
            panic!("{last} not online after 60 s ({rebuilds} rebuilds)");
        };
        if line.contains("已更新") {
            rebuilds += 1;
            if srv.get(last).status == 200 {
                break;
            }
        }
    }
    // Rebuilds after that would count too; nothing can signal that none
    // will come, so this takes a quiet second as the end of them.
    while let Ok(line) = srv.stdout.recv_timeout(Duration::from_secs(1)) {
        if line.contains("已更新") {
            rebuilds += 1;
        }
    }
    assert!(
        (1..=3).contains(&rebuilds),
        "{rebuilds} rebuilds for one burst"
    );
    assert_eq!(srv.get(last).status, 200);
}

#[test]
fn port_in_use_is_reported_with_a_free_one() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let site = TempSite::new("valid");
    let out = Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args(["serve", "--port", &port, "--root"])
        .arg(site.root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("端口 {port} 已被占用")), "{err}");
    assert!(err.contains("--port"), "{err}");
}

#[test]
fn non_loopback_bind_warns() {
    let srv = Server::start(TempSite::new("valid"), &["--bind", "0.0.0.0"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut warned = false;
    while Instant::now() < deadline && !warned {
        if let Ok(line) = srv.stderr.recv_timeout(Duration::from_millis(100)) {
            warned = line.contains("警告");
        }
    }
    assert!(warned, "no warning for a non-loopback address");
    assert_eq!(srv.get("/").status, 200);
}

#[test]
fn build_output_never_contains_the_reload_script() {
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    for e in walkdir::WalkDir::new(site.path("public")) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let bytes = std::fs::read(e.path()).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains("__yishi"),
                "{}",
                e.path().display()
            );
        }
    }
}

/// The live-reload script in a real browser (headless Chromium via
/// `tests/tools/live.mjs`): reload on edit, overlay on error, recovery.
/// Needs the tools `.ci/run` installs; skipped locally without them.
#[test]
fn browser_reloads_and_shows_the_overlay() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let ready = repo
        .join("tests/tools/node_modules/playwright-core")
        .is_dir()
        && std::path::Path::new("/usr/bin/chromium").exists();
    if !ready {
        assert!(
            std::env::var_os("CI").is_none(),
            "browser tools missing in CI"
        );
        eprintln!("skipped: needs chromium and `npm ci --prefix tests/tools`");
        return;
    }
    let srv = Server::start(TempSite::new("valid"), &[]);
    let out = Command::new("node")
        .arg(repo.join("tests/tools/live.mjs"))
        .arg(format!(
            "http://127.0.0.1:{}/alpha/east/topics/2020-road/",
            srv.port
        ))
        .arg(srv.site.path("content/alpha/east/topics/2020-road.md"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && report.contains("OK:"),
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------
// Security of the preview server (issue 18, items 6, 9 and the low ones).
// ---------------------------------------------------------------------------

/// Send raw bytes on a new connection and read the answer until the server
/// closes it or `wait` passes; `None` when nothing at all came back.
pub(crate) fn raw(port: u16, bytes: &[u8], wait: Duration) -> Option<Response> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    let _ = s.write_all(bytes);
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    let split = out.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&out[..split]).into_owned();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some(Response {
        status,
        head,
        body: out[split + 4..].to_vec(),
    })
}

pub(crate) fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn attachments_come_from_the_build_not_from_a_link_swapped_in() {
    let site = TempSite::new("valid");
    std::fs::write(site.path("secret.txt"), "TOP-SECRET").unwrap();
    let srv = Server::start(site, &[]);
    let events = srv.events();
    let plan = "content/beta/garden/sessions/files/plan.pdf";
    let original = std::fs::read(srv.site.path(plan)).unwrap();
    assert_eq!(srv.get(&plan["content".len()..]).body, original);

    // A content error keeps the last good site served ...
    let road = "content/alpha/east/topics/2020-road.md";
    srv.site.edit(road, "type: 项目建设", "type: 项目建筑");
    assert!(events.next("problems").is_some());
    // ... and the attachment is swapped for a link to a file outside.
    events.clear();
    std::fs::remove_file(srv.site.path(plan)).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(srv.site.path("secret.txt"), srv.site.path(plan)).unwrap();
    assert!(events.next("problems").is_some(), "rebuild after the swap");
    let r = srv.get(&plan["content".len()..]);
    assert!(!r.text().contains("TOP-SECRET"), "served the link target");
    assert!(r.status == 404 || r.body == original, "{}", r.status);

    // Fixing the type: the link itself is an error (content/ holds no
    // links), so the last good site, from memory, is still served.
    events.clear();
    srv.site.edit(road, "type: 项目建筑", "type: 项目建设");
    assert!(events.next("problems").is_some());
    let r = srv.get(&plan["content".len()..]);
    assert!(!r.text().contains("TOP-SECRET"), "served the link target");
    assert_eq!(r.body, original);
    // Replacing the link with a file publishes the file.
    events.clear();
    std::fs::remove_file(srv.site.path(plan)).unwrap();
    std::fs::write(srv.site.path(plan), b"%PDF new").unwrap();
    assert!(events.next("reload").is_some());
    assert_eq!(srv.get(&plan["content".len()..]).body, b"%PDF new");
}

#[test]
fn attachments_are_downloads_and_active_ones_are_refused() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let events = srv.events();
    let pdf = srv.get("/beta/garden/sessions/files/plan.pdf");
    assert_eq!(pdf.status, 200);
    assert!(pdf
        .header("content-disposition")
        .unwrap_or_default()
        .starts_with("attachment"));
    assert_eq!(pdf.header("x-content-type-options").unwrap(), "nosniff");
    assert!(pdf
        .header("content-security-policy")
        .unwrap_or_default()
        .contains("sandbox"));
    // Pages stay pages.
    assert!(srv.get("/").header("content-disposition").is_none());
    // An attachment a browser would run as a page is refused by the build
    // (the preview's headers defuse one anyway: `http::tests`).
    let files = "content/beta/garden/sessions/files";
    for (name, text) in [
        ("note.html", "<script>alert(document.cookie)</script>"),
        (
            "map.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
        ),
    ] {
        events.clear();
        srv.site.write(&format!("{files}/{name}"), text);
        assert!(events.next("problems").is_some(), "{name} accepted");
        let r = srv.get(&format!("/beta/garden/sessions/files/{name}"));
        assert_eq!(r.status, 404, "{name}");
        srv.site.remove(&format!("{files}/{name}"));
    }
}

#[test]
fn wrong_host_is_refused_right_host_is_served() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let port = srv.port.to_string();
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        "localhost.evil.example".to_string(),
        "127.0.0.1.nip.io".to_string(),
        "192.168.1.20".to_string(),
    ] {
        let r = request(srv.port, "GET", "/", &[("Host", &host)]);
        assert!(r.status == 421 || r.status == 403, "{host}: {}", r.status);
        assert!(!r.text().contains("/__yishi/live.js"), "{host}: page sent");
    }
    let events = raw(
        srv.port,
        b"GET /__yishi/events HTTP/1.1\r\nHost: rebind.example\r\n\r\n",
        Duration::from_secs(2),
    )
    .expect("an answer");
    assert!(events.status == 421 || events.status == 403);
    for host in [
        "127.0.0.1".to_string(),
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "LOCALHOST".to_string(),
        format!("[::1]:{port}"),
    ] {
        let r = raw(
            srv.port,
            format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
            Duration::from_secs(5),
        )
        .expect("an answer");
        assert_eq!(r.status, 200, "{host}");
    }
    // Two Host headers are refused.
    let r = raw(
        srv.port,
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
        Duration::from_secs(5),
    );
    assert!(r.is_none_or(|r| r.status == 400 || r.status == 421));
}

#[test]
fn on_all_addresses_ip_hosts_are_served_and_names_refused() {
    let srv = Server::start(TempSite::new("valid"), &["--bind", "0.0.0.0"]);
    for host in ["192.168.1.20:8080", "10.0.0.7", "127.0.0.1", "localhost"] {
        let r = request(srv.port, "GET", "/", &[("Host", host)]);
        assert_eq!(r.status, 200, "{host}");
    }
    for host in ["evil.example", "my-pc.local:8080"] {
        let r = request(srv.port, "GET", "/", &[("Host", host)]);
        assert!(r.status == 421 || r.status == 403, "{host}: {}", r.status);
    }
}

#[test]
fn conflicting_content_length_is_refused() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    for head in [
        "Content-Length: 0\r\nContent-Length: 5\r\n",
        "Content-Length: 0, 5\r\n",
        "Content-Length: -1\r\n",
        "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n",
    ] {
        let r = raw(
            srv.port,
            format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}Connection: close\r\n\r\n")
                .as_bytes(),
            Duration::from_secs(5),
        );
        assert!(r.as_ref().is_none_or(|r| r.status == 400), "{head:?}");
    }
    // Repeated equal values are fine.
    let r = raw(
        srv.port,
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(r.status, 200);
}

/// Request heads that break the rules of HTTP/1.1 are refused, whatever
/// parses them (these were unit tests of the server's own parser).
#[test]
fn malformed_heads_are_refused() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    for head in [
        // No Host in HTTP/1.1.
        "GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
        // A folded header line (obsolete).
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: 1\r\n folded\r\nConnection: close\r\n\r\n",
        // Space before the colon.
        "GET / HTTP/1.1\r\nHost : 127.0.0.1\r\nConnection: close\r\n\r\n",
        // Two spaces in the request line.
        "GET /  HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        // Not HTTP/1.x.
        "GET / HTTP/2.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        // A length that is not a plain number.
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: +1\r\nConnection: close\r\n\r\n",
        // A chunked body on its own.
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
    ] {
        let r = raw(srv.port, head.as_bytes(), Duration::from_secs(5));
        assert!(
            r.as_ref()
                .is_none_or(|r| r.status == 400 || r.status == 505),
            "{head:?}: {:?}",
            r.map(|r| r.status)
        );
    }
    // HTTP/1.0 needs no Host.
    let r = raw(srv.port, b"GET / HTTP/1.0\r\n\r\n", Duration::from_secs(5)).expect("an answer");
    assert_eq!(r.status, 200);
}

#[test]
fn head_of_the_event_stream_has_no_body() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let started = Instant::now();
    let r = raw(
        srv.port,
        b"HEAD /__yishi/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        Duration::from_secs(3),
    )
    .expect("an answer");
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty(), "{:?}", String::from_utf8_lossy(&r.body));
    assert!(started.elapsed() < Duration::from_secs(3), "left open");
}

#[test]
fn oversized_headers_are_refused_without_growing() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let pid = srv.child.id();
    let before = rss_kib(pid);
    // 1 MB of headers, in one line and in many.
    let long = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let many = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{}\r\n",
        "X-Many: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".repeat(1 << 14)
    );
    for req in [&long, &many, &long, &many] {
        let r = raw(srv.port, req.as_bytes(), Duration::from_secs(5));
        assert!(
            r.as_ref()
                .is_none_or(|r| r.status == 431 || r.status == 400),
            "status {:?}",
            r.map(|r| r.status)
        );
    }
    let after = rss_kib(pid);
    assert!(
        after < before + 8 * 1024,
        "RSS grew from {before} to {after} KiB"
    );
    assert_eq!(srv.get("/").status, 200);
}

#[test]
fn idle_slow_and_stuck_clients_do_not_block_others() {
    let site = TempSite::new("valid");
    // A large attachment for downloads the client never reads.
    site.write_bytes(
        "content/beta/garden/sessions/files/big.bin",
        &vec![7u8; 8 << 20],
    );
    let srv = Server::start(site, &[]);
    let port = srv.port;
    let mut held = Vec::new();
    // Connections that say nothing at all.
    for _ in 0..8 {
        held.push(TcpStream::connect(("127.0.0.1", port)).unwrap());
    }
    // Requests announcing a body that never comes.
    for _ in 0..8 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n")
            .unwrap();
        held.push(s);
    }
    // Pipelined large downloads never read.
    let mut downloads = Vec::new();
    for _ in 0..8 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let one = "GET /beta/garden/sessions/files/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        s.write_all(one.repeat(4).as_bytes()).unwrap();
        downloads.push(s);
    }
    // A slow client that never finishes its headers.
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .unwrap();
    let dribble = std::thread::spawn(move || {
        for _ in 0..20 {
            if slow.write_all(b"X-Slow: 1\r\n").is_err() {
                break;
            }
            // The slowness itself: a header line every 100 ms, 2 s in all.
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    // Ask once the server is busy with every download: each has received
    // its first bytes (and stalled, the client reading no more).
    for s in &downloads {
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut first = [0u8; 1];
        assert!(
            matches!(s.peek(&mut first), Ok(1)),
            "a pipelined download was not answered within 30 s"
        );
    }
    for path in ["/", "/alpha/", "/css/style.css"] {
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let _ = tx.send(request(port, "GET", path, &[]).status);
        });
        let status = rx.recv_timeout(Duration::from_secs(2));
        assert_eq!(status, Ok(200), "{path} not answered in time");
    }
    dribble.join().unwrap();
    drop((held, downloads));
}

#[test]
fn slow_headers_time_out() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "connection held {:?}",
        started.elapsed()
    );
    assert!(!String::from_utf8_lossy(&buf).contains(" 200 "));
}

#[test]
fn watching_resumes_after_content_goes_away_and_comes_back() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let events = srv.events();
    let road = "content/alpha/east/topics/2020-road.md";
    let page = "/alpha/east/topics/2020-road/";

    // Moved away and back.
    events.clear();
    std::fs::rename(srv.site.path("content"), srv.site.path("content-away")).unwrap();
    assert!(
        events.next("problems").is_some(),
        "no rebuild without content/"
    );
    events.clear();
    std::fs::rename(srv.site.path("content-away"), srv.site.path("content")).unwrap();
    assert!(
        events.next("reload").is_some(),
        "no rebuild when it is back"
    );
    events.clear();
    srv.site
        .edit(road, "title: 东村道路硬化", "title: 东村道路硬化二期");
    // A late rebuild of the move may reload first: wait for the one that
    // shows the edit.
    assert!(
        srv.reloads_to(&events, page, "东村道路硬化二期"),
        "edit after the move ignored"
    );

    // Deleted and restored.
    events.clear();
    let keep = tempfile::tempdir().unwrap();
    copy_tree(&srv.site.path("content"), keep.path());
    srv.site.remove("content");
    assert!(
        events.next("problems").is_some(),
        "no rebuild without content/"
    );
    events.clear();
    copy_tree(keep.path(), &srv.site.path("content"));
    assert!(
        events.next("reload").is_some(),
        "no rebuild when it is back"
    );
    // Let the rebuild(s) of the restore settle before the edit.
    while events.next_within("reload", Duration::from_millis(600)) {}
    srv.site
        .edit(road, "title: 东村道路硬化二期", "title: 东村道路硬化三期");
    // On a busy machine a rebuild of the restore can still reload after
    // that quiet time: wait for the reload that shows the edit.
    assert!(
        srv.reloads_to(&events, page, "东村道路硬化三期"),
        "edit after the restore ignored"
    );
}
