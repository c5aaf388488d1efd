//! Benchmark of `yishi serve` as a clerk experiences it: from saving a
//! file to the preview serving the change.
//!
//! usage: serve_latency --yishi target/release/yishi --root SITE [--edits 10]
//!
//! SITE is a generated site (examples/gen_corpus.rs) with `themes/default`.
//! The program starts the server and reports:
//! - server ready: the home page served (and, apart, the search index);
//! - record body save: a sentence added to a record's body, until the
//!   record's page shows it;
//! - title save: a record's title changed, until its page shows it;
//! - new record: a topic file added, until its page is served;
//! - deleted record: that file removed, until its page is gone (404);
//! - template save: a comment added to the session template's content,
//!   until a session page shows it;
//!
//! each as the median and range of `--edits` saves (one at a time, a
//! different record each), then the server's memory (peak and current
//! resident set, from /proc).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Parser)]
struct Args {
    /// The yishi binary to measure.
    #[arg(long, default_value = "target/release/yishi")]
    yishi: PathBuf,
    /// A generated site (see examples/gen_corpus.rs) with themes/default.
    #[arg(long)]
    root: PathBuf,
    /// Saves of each kind.
    #[arg(long, default_value_t = 10)]
    edits: usize,
}

/// Status and body of `GET path` from the preview on `port`.
fn get(port: u16, path: &str) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new());
    };
    // The preview answers only requests addressed to it (its Host check).
    let _ = write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    );
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, body.to_string())
}

/// Milliseconds from `t0` until `done` holds for `GET path` (polled).
fn until(port: u16, path: &str, t0: Instant, done: impl Fn(u16, &str) -> bool) -> f64 {
    let deadline = t0 + Duration::from_secs(120);
    loop {
        let (status, body) = get(port, path);
        if done(status, &body) {
            return t0.elapsed().as_secs_f64() * 1000.0;
        }
        assert!(Instant::now() < deadline, "{path} did not change in 120 s");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The record files of the site, in order.
fn records(root: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    v.sort();
    v
}

/// The page of a record file (the content model's default URL).
fn url_of(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root.join("content")).unwrap();
    format!("/{}/", rel.with_extension("").to_string_lossy())
}

fn summary(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = if ms.len() % 2 == 1 {
        ms[ms.len() / 2]
    } else {
        (ms[ms.len() / 2 - 1] + ms[ms.len() / 2]) / 2.0
    };
    println!(
        "| {name} | {} | {median:.1} | {:.1}–{:.1} |",
        ms.len(),
        ms[0],
        ms[ms.len() - 1]
    );
}

/// Peak and current resident set of process `pid`, in MB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kb("VmHWM:") / 1024.0, kb("VmRSS:") / 1024.0)
}

/// A quiet moment between saves, so that each is measured alone.
fn pause() {
    std::thread::sleep(Duration::from_millis(400));
}

fn main() {
    let args = Args::parse();
    let mut child = Command::new(&args.yishi)
        .args([
            "serve",
            "--port",
            "0",
            "--quiet",
            "--as-of",
            "2026-11-28",
            "--root",
        ])
        .arg(&args.root)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start yishi serve");
    let started = Instant::now();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let port: u16 = loop {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 {
            panic!("server exited");
        }
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };
    // Keep reading the server's output, so that it never blocks on it.
    std::thread::spawn(move || for _ in out.lines() {});
    let ready = until(port, "/", started, |s, _| s == 200) / 1000.0;
    let (peak_ready, _) = memory(child.id());
    let searchable = until(port, "/search/meta.json", started, |s, _| s == 200) / 1000.0;
    let (peak_searchable, _) = memory(child.id());

    let files = records(&args.root);
    let step = (files.len() / args.edits.max(1)).max(1);
    let pick = |n: usize, offset: usize| &files[(n * step + offset) % files.len()];

    let mut body_ms = Vec::new();
    for n in 0..args.edits {
        let f = pick(n, 7);
        let mark = format!("本段为第{n}次补充的会议记录。");
        let text = std::fs::read_to_string(f).unwrap();
        pause();
        let t0 = Instant::now();
        std::fs::write(f, format!("{text}\n{mark}\n")).unwrap();
        body_ms.push(until(port, &url_of(&args.root, f), t0, |s, b| {
            s == 200 && b.contains(&mark)
        }));
    }

    let mut title_ms = Vec::new();
    for n in 0..args.edits {
        let f = pick(n, 11);
        let text = std::fs::read_to_string(f).unwrap();
        let mark = format!("改题{n}号");
        pause();
        let t0 = Instant::now();
        std::fs::write(f, text.replacen("title: ", &format!("title: {mark}"), 1)).unwrap();
        title_ms.push(until(port, &url_of(&args.root, f), t0, |s, b| {
            s == 200 && b.contains(&mark)
        }));
    }

    // New topics beside existing ones, then the same deleted again.
    let mut new_ms = Vec::new();
    let mut added = Vec::new();
    for n in 0..args.edits {
        let dir = files
            .iter()
            .filter(|f| f.parent().is_some_and(|p| p.ends_with("topics")))
            .nth(n * 3)
            .and_then(|f| f.parent())
            .unwrap()
            .to_path_buf();
        let f = dir.join(format!("bench-new-{n}.md"));
        let text = format!(
            "---\ntitle: 新增议题{n}\ntype: other\nproposed: 2026-11-0{}\n---\n\n新增的议题正文。\n",
            1 + n % 9
        );
        pause();
        let t0 = Instant::now();
        std::fs::write(&f, text).unwrap();
        new_ms.push(until(port, &url_of(&args.root, &f), t0, |s, _| s == 200));
        added.push(f);
    }
    let mut deleted_ms = Vec::new();
    for f in &added {
        pause();
        let t0 = Instant::now();
        std::fs::remove_file(f).unwrap();
        deleted_ms.push(until(port, &url_of(&args.root, f), t0, |s, _| s == 404));
    }

    let template = args.root.join("themes/default/templates/session.html");
    let session = files
        .iter()
        .find(|f| f.parent().is_some_and(|p| p.ends_with("sessions")))
        .unwrap();
    let original = std::fs::read_to_string(&template).unwrap();
    let mut template_ms = Vec::new();
    for n in 0..args.edits {
        let mark = format!("<!-- edit {n} -->");
        pause();
        let t0 = Instant::now();
        let edited = original.replacen(
            "{% endblock content %}",
            &format!("{mark}\n{{% endblock content %}}"),
            1,
        );
        std::fs::write(&template, edited).unwrap();
        template_ms.push(until(port, &url_of(&args.root, session), t0, |s, b| {
            s == 200 && b.contains(&mark)
        }));
    }
    std::fs::write(&template, original).unwrap();
    pause();
    let (peak, now) = memory(child.id());
    let _ = child.kill();
    let _ = child.wait();

    println!(
        "server ready (home page served): {ready:.2} s; search index served: {searchable:.2} s"
    );
    println!(
        "memory: peak {peak:.0} MB (by the home page {peak_ready:.0} MB, by the search index {peak_searchable:.0} MB), resident at the end {now:.0} MB"
    );
    println!();
    println!("| save | n | median ms | range ms |");
    println!("|---|---|---|---|");
    summary("record body", body_ms);
    summary("record title", title_ms);
    summary("new record", new_ms);
    summary("deleted record", deleted_ms);
    summary("template (session.html)", template_ms);
}
