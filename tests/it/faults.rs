//! Fault injection: `yishi build` killed (SIGKILL) at hundreds of random
//! moments while it rebuilds a 2,000-record site. After every kill the
//! output must be exactly the previous site or exactly the new one (by a
//! manifest of every file's bytes), never a mix; the next build must then
//! complete and publish exactly the new site.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// Records generated into the fixture (the fixture has a few of its own).
const RECORDS: usize = 2000;
/// Kills to make.
const KILLS: usize = 200;
/// Give up (and fail) after this long.
const BOUND: Duration = Duration::from_secs(25 * 60);

const TYPES: [&str; 3] = [
    "project-construction",
    "annual-budget",
    "environmental-protection",
];
const PLACES: [&str; 3] = ["alpha/east", "alpha/west", "beta/garden"];

fn topic_path(i: usize) -> String {
    format!(
        "content/{}/topics/{}-gen-{i:04}.md",
        PLACES[i % PLACES.len()],
        2010 + i % 16
    )
}

fn topic(i: usize, title_suffix: &str) -> String {
    format!(
        "---\ntitle: 第{i}号议题：村道第{}段维修{title_suffix}\ntype: {}\nproposed: {}-{:02}-{:02}\ntags: [维修, 第{}组]\n---\n村民代表提出第{i}号议题。\n\n## 情况\n\n路段长约 {} 米，需要修补路面和排水沟。\n",
        i % 97,
        TYPES[i % TYPES.len()],
        2010 + i % 16,
        1 + i % 12,
        1 + i % 28,
        i % 9,
        100 + i % 900
    )
}

/// Size, modification time and inode of a file: a file with the same ones
/// as one already hashed is the same file (yishi never rewrites in place).
type FileKey = (u64, i128, u64);

/// The manifest of a folder: path → hash of the bytes. Hashes are cached
/// by [`FileKey`], so that the hundreds of comparisons only read the files
/// that a build wrote anew.
struct Manifests {
    cache: std::collections::HashMap<FileKey, u64>,
}

impl Manifests {
    fn of(&mut self, dir: &Path) -> BTreeMap<String, u64> {
        use std::hash::Hasher;
        use std::os::unix::fs::MetadataExt;
        let mut out = BTreeMap::new();
        for entry in walkdir::WalkDir::new(dir).min_depth(1) {
            let entry = entry.unwrap();
            if entry.file_type().is_dir() {
                continue;
            }
            let meta = entry.metadata().unwrap();
            let key = (
                meta.len(),
                i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
                meta.ino(),
            );
            let hash = *self.cache.entry(key).or_insert_with(|| {
                let bytes = std::fs::read(entry.path()).unwrap();
                let mut h = std::collections::hash_map::DefaultHasher::new();
                h.write(&bytes);
                h.finish()
            });
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.insert(rel, hash);
        }
        out
    }
}

/// When to kill a build.
#[derive(Clone, Copy)]
enum Kill {
    /// Let it finish.
    Never,
    /// This long after it started (unless it finished first).
    At(Duration),
    /// As soon as it prints its summary, which it does after publishing:
    /// the kill lands in the last millisecond of its life, after the
    /// exchange, which random moments almost never hit.
    OnSummary,
}

/// What a run of `yishi build` did.
struct Run {
    killed: bool,
    took: Duration,
    /// When its summary (printed once the site is published) arrived.
    published_at: Option<Duration>,
    stderr: String,
}

/// Run `yishi build` on `root` and kill it as `kill` says.
fn build(root: &Path, kill: Kill) -> Run {
    use std::io::BufRead;
    use std::os::unix::process::ExitStatusExt;
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args(["build", "--as-of", AS_OF, "--root"])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let killed = |mut child: std::process::Child, published_at| {
        child.kill().unwrap();
        let status = child.wait().unwrap();
        Run {
            killed: status.signal() == Some(9),
            took: started.elapsed(),
            published_at,
            stderr: String::new(),
        }
    };
    let mut published_at = None;
    match kill {
        Kill::At(after) => {
            let deadline = started + after;
            loop {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                let now = Instant::now();
                if now >= deadline {
                    return killed(child, None);
                }
                std::thread::sleep((deadline - now).min(Duration::from_millis(2)));
            }
        }
        Kill::OnSummary | Kill::Never => {
            // The summary is one short line and stderr holds at most a
            // note or two: neither pipe fills while this waits on stdout.
            let mut line = String::new();
            let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
            if stdout.read_line(&mut line).unwrap() > 0 {
                published_at = Some(started.elapsed());
                if matches!(kill, Kill::OnSummary) {
                    return killed(child, published_at);
                }
            }
        }
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "build failed: {stderr}");
    Run {
        killed: false,
        took: started.elapsed(),
        published_at,
        stderr,
    }
}

/// Switch the content between its two states: a few titles edited, one
/// record added, one removed.
fn set_state(site: &TempSite, b: bool) {
    for i in (0..RECORDS).step_by(97) {
        site.write(&topic_path(i), &topic(i, if b { "（已修订）" } else { "" }));
    }
    let (extra, gone) = (RECORDS, RECORDS - 1);
    let (add, remove) = if b { (extra, gone) } else { (gone, extra) };
    site.write(&topic_path(add), &topic(add, ""));
    let _ = std::fs::remove_file(site.path(&topic_path(remove)));
}

/// Nothing but the output, its record and the spare (the previous version)
/// beside it: no journal, marker or half-published site left behind.
fn leftovers(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with(".public.yishi-")
                && n != ".public.yishi-pages.json"
                && n != ".public.yishi-staging"
        })
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
#[test]
fn a_build_killed_at_any_moment_leaves_the_old_or_the_new_site() {
    // In memory where the machine has it: this test checks what a reader
    // sees, not the disk's speed (bench/run.sh measures that), and it runs
    // some 400 builds.
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    copy_tree(&fixture("valid"), dir.path());
    let site = TempSite { dir };
    for i in 0..RECORDS {
        site.write(&topic_path(i), &topic(i, ""));
    }
    let public: PathBuf = site.path("public");
    let mut manifests = Manifests {
        cache: Default::default(),
    };
    // The two sites, A and B, and how long a rebuild from one to the other
    // takes when it is not interrupted.
    set_state(&site, true);
    build(site.root(), Kill::Never);
    let site_b = manifests.of(&public);
    set_state(&site, false);
    let first = build(site.root(), Kill::Never);
    let (mut rebuild, mut published_at) = (first.took, first.published_at.unwrap_or(first.took));
    let site_a = manifests.of(&public);
    assert_ne!(site_a, site_b);
    assert!(
        site_a.len() > RECORDS,
        "{} files for {RECORDS} records",
        site_a.len()
    );

    let seed = std::env::var("YISHI_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15_u64);
    eprintln!("fault injection: seed {seed}, uninterrupted rebuild {rebuild:?}");
    let mut rng = Rng(seed);
    let (mut kills, mut old, mut new, mut finished_first) = (0, 0, 0, 0);
    let mut recovered_notes = 0;
    let mut shown_b = false;
    let started = Instant::now();
    while kills < KILLS {
        assert!(
            started.elapsed() < BOUND,
            "only {kills} kills in {BOUND:?} (seed {seed})"
        );
        let (from, to) = if shown_b {
            (&site_b, &site_a)
        } else {
            (&site_a, &site_b)
        };
        set_state(&site, !shown_b);
        // Of every eight kills: three anywhere in the build, three in its
        // last third, where the site is put together and published, one
        // within a few milliseconds of the moment the last uninterrupted
        // build published, and one just after this build publishes.
        let span = rebuild.as_micros() as u64 + 1;
        let around = published_at.as_micros() as u64;
        let kill = match rng.below(8) {
            0..=2 => Kill::At(Duration::from_micros(rng.below(span as usize) as u64)),
            3..=5 => Kill::At(Duration::from_micros(
                span * 2 / 3 + rng.below((span / 3 + 1) as usize) as u64,
            )),
            6 => Kill::At(Duration::from_micros(
                around.saturating_sub(4000) + rng.below(5000) as u64,
            )),
            _ => Kill::OnSummary,
        };
        let at = match kill {
            Kill::At(at) => format!("{} µs", at.as_micros()),
            _ => "the summary".to_string(),
        };
        let run = build(site.root(), kill);
        let seen = manifests.of(&public);
        if run.killed {
            kills += 1;
            if &seen == from {
                old += 1;
            } else if &seen == to {
                new += 1;
            } else {
                let missing = from.keys().filter(|k| !seen.contains_key(*k)).count();
                let differ = seen
                    .iter()
                    .filter(|(k, h)| from.get(*k) != Some(h) && to.get(*k) != Some(h))
                    .count();
                panic!(
                    "kill {kills} at {at} (seed {seed}): the output is a mix \
                     ({} files, {missing} of the old site missing, {differ} in neither)",
                    seen.len()
                );
            }
        } else {
            finished_first += 1;
            assert!(&seen == to, "an uninterrupted build published a mix");
        }
        // The next build completes and publishes exactly the new site. Its
        // duration is the span of the next kill (the machine's speed varies).
        let next = build(site.root(), Kill::Never);
        rebuild = next.took;
        published_at = next.published_at.unwrap_or(next.took);
        if next.stderr.contains("上一次生成") {
            recovered_notes += 1;
        }
        assert!(
            &manifests.of(&public) == to,
            "after kill {kills} (seed {seed}) the next build did not publish the new site"
        );
        assert_eq!(leftovers(site.root()), Vec::<String>::new());
        shown_b = !shown_b;
    }
    eprintln!(
        "fault injection: {kills} kills in {:?}: {old} old site, {new} new site, 0 mixed; \
         {finished_first} builds finished before their kill; {recovered_notes} recoveries reported",
        started.elapsed()
    );
    assert!(
        old > 0 && new > 0,
        "kills should land on both sides of the publish: {old} old, {new} new"
    );
}
