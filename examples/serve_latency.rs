//! Benchmark of `yishi serve`: the time from saving a file to the reload
//! event reaching a connected client, as a clerk experiences it.
//!
//! usage: serve_latency --yishi target/release/yishi --root SITE [--edits 20]
//!
//! SITE must have a `themes/default` folder (for the template edits). The
//! program starts the server, connects to its event stream like a browser
//! tab, then saves record files (each a different one) and a template, one
//! at a time, and reports the median and the worst latency of each.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
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
    #[arg(long, default_value_t = 20)]
    edits: usize,
}

fn events(port: u16) -> Receiver<(Instant, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    // The preview answers only requests addressed to it (its Host check).
    write!(
        s,
        "GET /__yishi/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(s).lines().map_while(Result::ok) {
            if let Some(e) = line.strip_prefix("event: ") {
                if tx.send((Instant::now(), e.to_string())).is_err() {
                    break;
                }
            }
        }
    });
    rx
}

fn wait_reload(rx: &Receiver<(Instant, String)>) -> Instant {
    loop {
        let (at, e) = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("no reload event");
        match e.as_str() {
            "reload" => return at,
            "problems" => panic!("the edit made the site invalid"),
            _ => {}
        }
    }
}

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

fn summary(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = if ms.len() % 2 == 1 {
        ms[ms.len() / 2]
    } else {
        (ms[ms.len() / 2 - 1] + ms[ms.len() / 2]) / 2.0
    };
    println!(
        "| {name} | {} | {median:.1} | {:.1} | {:.1} |",
        ms.len(),
        ms[0],
        ms[ms.len() - 1]
    );
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
    eprintln!(
        "server ready on port {port} after {:.2} s (initial build)",
        started.elapsed().as_secs_f64()
    );
    let rx = events(port);
    let (_, first) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("event stream");
    assert_eq!(first, "ok", "the site has problems");

    let files = records(&args.root);
    let step = (files.len() / args.edits.max(1)).max(1);
    let mut record_ms = Vec::new();
    for n in 0..args.edits {
        let f = &files[(n * step + 7) % files.len()];
        let text = std::fs::read_to_string(f).unwrap();
        let edited = text.replacen("title: ", "title: 改", 1);
        std::thread::sleep(Duration::from_millis(300));
        while rx.try_recv().is_ok() {}
        let t0 = Instant::now();
        std::fs::write(f, edited).unwrap();
        let t1 = wait_reload(&rx);
        record_ms.push((t1 - t0).as_secs_f64() * 1000.0);
    }

    let template = args.root.join("themes/default/templates/session.html");
    let mut template_ms = Vec::new();
    for n in 0..args.edits {
        let text = std::fs::read_to_string(&template).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        while rx.try_recv().is_ok() {}
        let t0 = Instant::now();
        std::fs::write(&template, format!("{text}{{# edit {n} #}}\n")).unwrap();
        let t1 = wait_reload(&rx);
        template_ms.push((t1 - t0).as_secs_f64() * 1000.0);
    }
    let _ = child.kill();
    let _ = child.wait();

    println!("| save | n | median ms | best ms | worst ms |");
    println!("|---|---|---|---|---|");
    summary("one record", record_ms);
    summary("template (session.html)", template_ms);
}
