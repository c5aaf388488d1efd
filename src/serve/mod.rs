//! `yishi serve`: build into memory, serve over HTTP on loopback, watch the
//! site's files, rebuild what changed and tell open pages to reload — or to
//! show the problems while the last good site stays served.

pub mod http;
pub mod server;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult};

use crate::build::{BuildError, SiteOptions};
use crate::diagnostic::{self, Diagnostic};
use crate::workspace::{LiveSite, SiteFiles, Workspace};
use http::respond;

/// How `serve` is asked to run.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site (its `base_url` is replaced by the preview's address).
    pub site: SiteOptions,
    pub port: u16,
    pub bind: IpAddr,
    pub open: bool,
    pub quiet: bool,
    pub verbose: bool,
}

/// Connected live-reload clients.
#[derive(Default)]
struct Hub {
    clients: Mutex<Vec<tokio::sync::mpsc::Sender<String>>>,
}

/// Messages waiting for one live-reload client; beyond that a client is
/// not reading, and misses them until its connection times out.
const HUB_QUEUE: usize = 16;

impl Hub {
    fn broadcast(&self, event: &str, data: &str) {
        use tokio::sync::mpsc::error::TrySendError;
        let msg = format!("event: {event}\ndata: {data}\n\n");
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain(|tx| !matches!(tx.try_send(msg.clone()), Err(TrySendError::Closed(_))));
        }
    }

    fn join(&self) -> tokio::sync::mpsc::Receiver<String> {
        let (tx, rx) = tokio::sync::mpsc::channel(HUB_QUEUE);
        if let Ok(mut clients) = self.clients.lock() {
            // Streams opened and closed between two rebuilds leave their
            // senders behind: forget them here too, so the list stays as
            // short as the streams open (the server bounds those).
            clients.retain(|tx| !tx.is_closed());
            clients.push(tx);
        }
        rx
    }
}

/// What the server shows: the last good site and the current problems.
struct State {
    site: RwLock<Option<Arc<LiveSite>>>,
    /// Problems of the last rebuild as JSON, `None` when it succeeded.
    problems: RwLock<Option<String>>,
    hub: Hub,
}

fn problems_json(diags: &[Diagnostic]) -> String {
    let items: Vec<serde_json::Value> = diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            serde_json::json!({
                "file": d.file,
                "line": d.pos.map(|p| p.line),
                "col": d.pos.map(|p| p.col),
                "message": d.message,
                "hint": d.hint,
            })
        })
        .collect();
    serde_json::Value::Array(items).to_string()
}

/// A free port near `port`, to suggest when `port` is taken.
fn free_port_near(bind: IpAddr, port: u16) -> Option<u16> {
    (port.saturating_add(1)..port.saturating_add(100))
        .find(|p| TcpListener::bind(SocketAddr::new(bind, *p)).is_ok())
}

/// Run the preview server until the process is stopped.
pub fn run(mut opts: ServeOptions) -> Result<(), BuildError> {
    // Watch events carry absolute paths: compare them with an absolute root.
    opts.site.root = opts
        .site
        .root
        .canonicalize()
        .map_err(|e| BuildError::io("找不到站点文件夹", &opts.site.root, e))?;
    let addr = SocketAddr::new(opts.bind, opts.port);
    let listener = match TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) => {
            return Err(BuildError::Usage(
                if e.kind() == std::io::ErrorKind::AddrInUse {
                    match free_port_near(opts.bind, opts.port) {
                        Some(p) => format!("端口 {} 已被占用；可以改用 --port {p}", opts.port),
                        None => format!("端口 {} 已被占用；请用 --port 换一个端口", opts.port),
                    }
                } else {
                    format!("无法在 {addr} 上启动预览服务器：{e}")
                },
            ));
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(opts.port);
    let host = if opts.bind.is_unspecified() {
        "127.0.0.1".to_string()
    } else if opts.bind.is_ipv6() {
        format!("[{}]", opts.bind)
    } else {
        opts.bind.to_string()
    };
    let url = format!("http://{host}:{port}/");
    let site = SiteOptions {
        base_url: Some(url.clone()),
        ..opts.site.clone()
    };
    // Watch before the first build and before the address is announced, so
    // that no change made from then on is missed.
    let (tx, rx) = channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(Duration::from_millis(5), Some(Duration::from_millis(2)), tx)
        .map_err(|e| BuildError::Usage(format!("无法监视文件变化：{e}")))?;
    let root = &opts.site.root;
    debouncer
        .watch(root, RecursiveMode::NonRecursive)
        .map_err(|e| BuildError::Usage(format!("无法监视 {}：{e}", root.display())))?;
    // The folders watched recursively, and whether each is watched now.
    let mut watched = [("content", false), ("themes", false)];
    for (dir, on) in &mut watched {
        if root.join(*dir).is_dir() {
            *on = debouncer
                .watch(root.join(*dir), RecursiveMode::Recursive)
                .is_ok();
        }
    }

    let mut ws = Workspace::new(site);
    let state = Arc::new(State {
        site: RwLock::new(None),
        problems: RwLock::new(None),
        hub: Hub::default(),
    });
    rebuild_guarded(&mut ws, &state, &opts, Instant::now(), None);

    let answering = state.clone();
    let streaming = state.clone();
    server::spawn(
        listener,
        opts.bind,
        server::Handlers {
            answer: Box::new(move |request| answer(&answering, request)),
            events: Box::new(move || events(&streaming)),
        },
    )
    .map_err(|e| BuildError::Usage(format!("无法启动预览服务器：{e}")))?;

    if !opts.bind.is_loopback() {
        eprintln!(
            "警告：预览服务器监听在 {} 上，同一网络中的其他电脑也能访问。只在需要时这样做；默认只监听本机（127.0.0.1）。",
            opts.bind
        );
    }
    println!("预览地址：{url}（按 Ctrl+C 停止）");
    if opts.open {
        if let Err(e) = open::that(&url) {
            eprintln!("无法打开浏览器：{e}");
        }
    }

    // Files written into a folder just created can come before the watch on
    // that folder exists; a second look shortly after catches them.
    let mut look_again: Option<Instant> = None;
    // Watched folders named by an event themselves (created, removed,
    // renamed), in the batches taken so far.
    let mut replaced: Vec<PathBuf> = Vec::new();
    // Whether the last pass rebuilt: events already queued then came while
    // it ran, the sign of a burst still being written.
    let mut rebuilt = false;
    loop {
        let queued = if rebuilt { rx.try_recv().ok() } else { None };
        // (Reads, such as the background work's own, are no sign of one.)
        let settle = queued.as_ref().is_some_and(|b| is_relevant(root, b));
        let first = match (queued, look_again) {
            (Some(batch), _) => Some(batch),
            (None, look_again) => match look_again {
                Some(at) => match rx.recv_timeout(at.saturating_duration_since(Instant::now())) {
                    Ok(batch) => Some(batch),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return Ok(()),
                },
                None => match rx.recv() {
                    Ok(batch) => Some(batch),
                    Err(_) => return Ok(()),
                },
            },
        };
        let started = Instant::now();
        let mut relevant = first.is_none();
        // The changed paths, when every event names its paths (a second
        // look, or a watcher error, means "unknown": walk everything).
        let mut changed: Option<Vec<PathBuf>> = first.is_some().then(Vec::new);
        look_again = None;
        let mut note = |batch: &DebounceEventResult, relevant: &mut bool| {
            *relevant |= is_relevant(root, batch);
            if let Ok(events) = batch {
                replaced.extend(
                    events
                        .iter()
                        .filter(|e| is_change(&e.kind))
                        .flat_map(|e| e.paths.iter())
                        .filter(|p| watched.iter().any(|(dir, _)| **p == root.join(dir)))
                        .cloned(),
                );
            }
            if creates_folder(batch) {
                look_again = Some(Instant::now() + Duration::from_millis(250));
            }
            match (batch, &mut changed) {
                (Ok(events), Some(paths)) => paths.extend(
                    events
                        .iter()
                        .filter(|e| is_change(&e.kind))
                        .flat_map(|e| e.paths.iter().cloned()),
                ),
                _ => changed = None,
            }
        };
        if let Some(batch) = &first {
            note(batch, &mut relevant);
        }
        // A burst (a `git checkout`, a copy) arrives in several batches:
        // take everything already queued so that it makes one rebuild.
        loop {
            match rx.recv_timeout(Duration::from_millis(1)) {
                Ok(batch) => note(&batch, &mut relevant),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
        // A burst (a `git checkout`, a copy, a script) goes on while
        // files keep coming: wait for it to pause, so that it makes one
        // rebuild, not one per file. A single save never waits.
        let many = first.as_ref().is_some_and(|batch| {
            batch.as_ref().is_ok_and(|events| {
                events.iter().map(|e| e.paths.len()).sum::<usize>() >= BURST_FILES
            })
        });
        if settle || many {
            let until = Instant::now() + BURST_MAX;
            let mut quiet = Instant::now() + BURST_QUIET;
            while let Ok(batch) =
                rx.recv_timeout(quiet.min(until).saturating_duration_since(Instant::now()))
            {
                if is_relevant(root, &batch) {
                    quiet = Instant::now() + BURST_QUIET;
                }
                note(&batch, &mut relevant);
            }
        }
        if let Some(paths) = &mut changed {
            paths.sort();
            paths.dedup();
        }
        // A watched folder deleted, moved away or put back (restored from a
        // copy, moved back): its watch is gone or follows the old folder.
        // Watch it again, and walk everything.
        for (dir, on) in &mut watched {
            let path = root.join(*dir);
            let touched = replaced.contains(&path);
            if *on && (touched || !path.is_dir()) {
                let _ = debouncer.unwatch(&path);
                *on = false;
            }
            if !*on && path.is_dir() {
                *on = debouncer.watch(&path, RecursiveMode::Recursive).is_ok();
                // Files may have come with the folder: look at everything.
                relevant |= *on;
                if *on {
                    changed = None;
                }
            }
        }
        replaced.clear();
        rebuilt = relevant;
        if relevant {
            rebuild_guarded(&mut ws, &state, &opts, started, changed.as_deref());
        }
    }
}

/// Changed files in one batch that make it a burst (see [`run`]).
const BURST_FILES: usize = 16;
/// The pause that ends a burst.
const BURST_QUIET: Duration = Duration::from_millis(150);
/// The longest wait for a burst to pause: after that, it is rebuilt as far
/// as it has come.
const BURST_MAX: Duration = Duration::from_secs(3);

/// Opening and reading a file (as every rebuild does) is not a change;
/// closing a file written to is (a plain truncate reports nothing else).
fn is_change(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode};
    match kind {
        notify::EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        notify::EventKind::Access(_) => false,
        _ => true,
    }
}

fn creates_folder(batch: &DebounceEventResult) -> bool {
    batch.as_ref().is_ok_and(|events| {
        events.iter().any(|e| {
            matches!(e.kind, notify::EventKind::Create(_)) && e.paths.iter().any(|p| p.is_dir())
        })
    })
}

/// Whether a batch of events changes the site's files: reads (the
/// rebuild's own) and files outside `site.toml`, `content/` and `themes/`
/// do not count.
fn is_relevant(root: &Path, batch: &DebounceEventResult) -> bool {
    match batch {
        Err(_) => true,
        Ok(events) => events.iter().any(|e| {
            is_change(&e.kind)
                && e.paths.iter().any(|p| {
                    let rel = p.strip_prefix(root).unwrap_or(p);
                    let first = rel
                        .components()
                        .next()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .unwrap_or_default();
                    first == "content" || first == "themes" || first == crate::config::FILE
                })
        }),
    }
}

/// [`rebuild`], surviving a bug in it: a panic (its message printed by the
/// default hook) is shown like a problem, the last good site stays served,
/// and the next rebuild starts from nothing, as what the workspace kept
/// may be half updated.
fn rebuild_guarded(
    ws: &mut Workspace,
    state: &State,
    opts: &ServeOptions,
    started: Instant,
    changed: Option<&[PathBuf]>,
) {
    let run = std::panic::AssertUnwindSafe(|| rebuild(ws, state, opts, started, changed));
    if std::panic::catch_unwind(run).is_ok() {
        return;
    }
    *ws = Workspace::new(ws.opts.clone());
    let msg = "yishi 内部错误：重新生成网站时程序出错（详情见终端）；预览仍显示上一次正确的版本";
    eprintln!("{msg}。保存任意文件会重新生成；如果问题一再出现，请把终端中的信息报告给维护者。");
    let json = problems_json(&[Diagnostic::error("", None, msg)]);
    if let Ok(mut p) = state.problems.write() {
        *p = Some(json.clone());
    }
    state.hub.broadcast("problems", &json);
}

fn rebuild(
    ws: &mut Workspace,
    state: &State,
    opts: &ServeOptions,
    started: Instant,
    changed: Option<&[PathBuf]>,
) {
    match ws.rebuild_after(changed) {
        Ok(report) => {
            if let Ok(mut site) = state.site.write() {
                *site = ws.site();
            }
            let fixed = state
                .problems
                .write()
                .map(|mut p| p.take().is_some())
                .unwrap_or(false);
            state.hub.broadcast("reload", &report.pages.to_string());
            if !opts.quiet {
                if !report.warnings.is_empty() {
                    eprint!("{}", diagnostic::render(&report.warnings, &opts.site.root));
                }
                if fixed {
                    println!("问题已改正。");
                }
                if opts.verbose {
                    for (stage, d) in &report.timings {
                        eprintln!("  {stage:<9} {:>8.1} ms", d.as_secs_f64() * 1000.0);
                    }
                }
                println!(
                    "已更新网站（{} 个页面，{} 条记录），用时 {} 毫秒",
                    report.pages,
                    report.records,
                    started.elapsed().as_millis()
                );
            }
        }
        Err(BuildError::Content(diags)) => {
            eprint!("{}", diagnostic::render(&diags, &opts.site.root));
            let errors = diags.iter().filter(|d| d.is_error()).count();
            eprintln!("发现 {errors} 个错误；预览仍显示上一次正确的版本。");
            let json = problems_json(&diags);
            if let Ok(mut p) = state.problems.write() {
                *p = Some(json.clone());
            }
            state.hub.broadcast("problems", &json);
        }
        Err(e) => {
            let msg = e.to_string();
            eprintln!("错误：{msg}");
            let json = problems_json(&[Diagnostic::error("", None, msg)]);
            if let Ok(mut p) = state.problems.write() {
                *p = Some(json.clone());
            }
            state.hub.broadcast("problems", &json);
        }
    }
}

fn answer(state: &State, request: &server::Request) -> http::Reply {
    let site = state.site.read().ok().and_then(|s| s.clone());
    let none = SiteFiles::new();
    let files: &dyn crate::workspace::Files = match &site {
        Some(site) => site.as_ref(),
        None => &none,
    };
    respond(
        files,
        request.method,
        &request.target,
        request.header("If-None-Match"),
        true,
    )
}

/// The server-sent events of one page: the current state at once, then
/// every change (the server adds a comment after a silence, to notice
/// closed tabs).
fn events(state: &State) -> server::Events {
    let rx = state.hub.join();
    let current = state.problems.read().ok().and_then(|p| p.clone());
    let hello = match current {
        Some(json) => format!("event: problems\ndata: {json}\n\n"),
        None => "event: ok\ndata: {}\n\n".to_string(),
    };
    (hello, rx)
}
