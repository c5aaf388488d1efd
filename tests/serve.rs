//! `yishi serve` tested as a clerk uses it: a real server process, a real
//! HTTP client (raw requests over TCP, so that paths reach the server
//! exactly as written), edits on disk, and the live-reload event stream.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use common::*;

/// A running `yishi serve` on a copy of the fixture site.
struct Server {
    site: TempSite,
    child: Child,
    port: u16,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
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
    fn start(site: TempSite, extra: &[&str]) -> Server {
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

    fn get(&self, path: &str) -> Response {
        request(self.port, "GET", path, &[])
    }

    fn events(&self) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(s, "GET /__yishi/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
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

    /// Poll `path` until it answers `status` (10 s at most).
    fn wait_status(&self, path: &str, status: u16) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.get(path).status == status {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Events(
    Receiver<(String, String)>,
    std::cell::RefCell<Vec<(String, String)>>,
);

impl Events {
    /// Forget events already received (from earlier changes).
    fn clear(&self) {
        self.1.borrow_mut().clear();
        while self.0.try_recv().is_ok() {}
    }

    /// The next event named `name` (others are skipped), within 10 s.
    fn next(&self, name: &str) -> Option<String> {
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
}

struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request with `Connection: close`, the path sent verbatim.
fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
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
fn many_concurrent_requests() {
    let srv = Server::start(TempSite::new("valid"), &[]);
    let port = srv.port;
    let handles: Vec<_> = (0..64)
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
    assert!(srv.wait_status("/alpha/north/topics/2022-well/", 200));
    assert_eq!(srv.get("/alpha/north/").status, 200);

    // An editor's save: write a temporary file, then rename it over.
    std::thread::sleep(Duration::from_millis(300));
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
    assert!(events.next("reload").is_some());
    assert!(srv
        .get("/alpha/north/topics/2022-well/")
        .text()
        .contains("北村新水井"));

    // Renaming a record moves its page.
    events.clear();
    std::fs::rename(
        srv.site.path("content/alpha/north/topics/2022-well.md"),
        srv.site.path("content/alpha/north/topics/2022-new-well.md"),
    )
    .unwrap();
    assert!(events.next("reload").is_some());
    assert_eq!(srv.get("/alpha/north/topics/2022-well/").status, 404);
    assert_eq!(srv.get("/alpha/north/topics/2022-new-well/").status, 200);

    // Deleting the place removes its pages.
    srv.site.remove("content/alpha/north");
    assert!(srv.wait_status("/alpha/north/", 404));
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
    std::thread::sleep(Duration::from_secs(3));
    let mut rebuilds = 0;
    while let Ok(line) = srv.stdout.recv_timeout(Duration::from_millis(200)) {
        if line.contains("已更新") {
            rebuilds += 1;
        }
    }
    assert!(
        (1..=3).contains(&rebuilds),
        "{rebuilds} rebuilds for one burst"
    );
    assert_eq!(srv.get("/alpha/east/topics/burst-119/").status, 200);
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
    site.build(&[]).ok();
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
