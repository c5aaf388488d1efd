//! Rebuilds of an existing output: unchanged files are not rewritten (their
//! modification time stays), changed ones are, removed pages disappear; and
//! a parallel build equals a single-threaded one byte for byte. The output
//! guard: a build never writes over or deletes files that are not its own.

use std::collections::BTreeMap;
use std::time::SystemTime;

use crate::common::*;

fn snapshot(site: &TempSite) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
    let root = site.path("public");
    walkdir::WalkDir::new(&root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let m = e.metadata().unwrap().modified().unwrap();
            (rel, (std::fs::read(e.path()).unwrap(), m))
        })
        .collect()
}

#[test]
fn no_op_rebuild_rewrites_no_file() {
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    let before = snapshot(&site);
    // So that a file written again gets a different modification time.
    std::thread::sleep(std::time::Duration::from_millis(30));
    let run = site.build(&["--verbose"]);
    run.assert_success();
    assert!(run.stdout.contains("写入 0 个文件"), "{}", run.stdout);
    assert_eq!(snapshot(&site), before, "a no-op rebuild touched files");
    // Nor rendered any record page or file of records: the fingerprints and
    // file stamps recorded by the first build still hold (`--verbose` lists
    // what was rendered; the few pages of site-wide figures always are).
    let rendered = run.stderr.split("render, by output").nth(1).unwrap();
    let rendered = rendered.split("output, by kind").next().unwrap();
    // The byte report lists the whole output, kept files too.
    let kinds = run.stderr.split("output, by kind").nth(1).unwrap();
    assert!(
        kinds.contains("record pages") && kinds.contains("total"),
        "{kinds}"
    );
    for what in [
        "record pages",
        "search index",
        "open data",
        "feeds",
        "calendars",
    ] {
        assert!(!rendered.contains(what), "{what} rendered: {}", run.stderr);
    }
    // Also without the record of the output (`--force`, since nothing then
    // says the files are ours): files are compared byte by byte.
    std::fs::remove_file(site.path(".public.yishi-pages.json")).unwrap();
    site.build(&["--force"]).assert_success();
    assert_eq!(snapshot(&site), before);
}

#[test]
fn changed_record_rewrites_only_what_shows_it() {
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    let before = snapshot(&site);
    // So that a file written again gets a different modification time.
    std::thread::sleep(std::time::Duration::from_millis(30));
    site.edit(
        "content/beta/garden/topics/2024-parking.md",
        "小区停车难问题。",
        "小区停车难问题，已征求意见。",
    );
    site.build(&[]).assert_success();
    let after = snapshot(&site);
    let changed: Vec<&String> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        changed.contains(&&"beta/garden/topics/2024-parking/index.html".to_string()),
        "{changed:?}"
    );
    let pages = changed.iter().filter(|k| k.ends_with(".html")).count();
    assert!(pages < 10, "{changed:?}");
    // Besides pages: the feeds and data sets that list it, and the one
    // shard and fragment of the search index that hold its text.
    for f in [
        "beta/garden/feed.xml",
        "data/beta/garden/topics.csv",
        "data/records.json",
    ] {
        assert!(changed.contains(&&f.to_string()), "{f} in {changed:?}");
    }
    assert!(!changed.contains(&&"alpha/feed.xml".to_string()));
    let search = changed.iter().filter(|k| k.starts_with("search/")).count();
    assert!((1..=3).contains(&search), "{changed:?}");
    assert!(changed.len() < 25, "{changed:?}");
    // Files that did not change kept their time.
    let untouched = after
        .iter()
        .filter(|(k, v)| before.get(*k) == Some(*v))
        .count();
    assert!(untouched > before.len() - 25);
}

#[test]
fn deleted_record_disappears_from_the_output() {
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    assert!(site.has_page("alpha/west/topics/2019-land/"));
    site.remove("content/alpha/west/topics/2019-land.md");
    let run = site.build(&[]);
    run.assert_success();
    assert!(!site.has_page("alpha/west/topics/2019-land/"));
    assert!(
        !site.path("public/alpha/west/topics/2019-land").exists(),
        "empty folder left"
    );
    assert!(!run.stdout.contains("删除 0 个"), "{}", run.stdout);
}

#[test]
fn edited_output_file_is_repaired() {
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    let page = site.page("alpha/");
    site.write("public/alpha/index.html", "tampered");
    site.build(&[]).assert_success();
    assert_eq!(site.page("alpha/"), page);
}

#[test]
fn parallel_build_equals_single_threaded() {
    let parallel = demo_site();
    parallel.build(&[]).assert_success();
    let single = demo_site();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args(["build", "--as-of", AS_OF, "--root"])
        .arg(single.root())
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        files_in(&parallel.path("public")),
        files_in(&single.path("public"))
    );
}

/// Very large sites read bodies again at render time instead of keeping
/// them in memory; the published site must be the same byte for byte.
#[test]
fn bodies_left_on_disk_give_the_same_site() {
    let kept = demo_site();
    kept.build(&[]).assert_success();
    let deferred = demo_site();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args(["build", "--as-of", AS_OF, "--lean-above", "0", "--root"])
        .arg(deferred.root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        files_in(&kept.path("public")),
        files_in(&deferred.path("public"))
    );
}

#[cfg(unix)]
#[test]
fn an_output_linked_to_content_or_above_the_site_is_refused() {
    let site = TempSite::new("valid");
    let content = files_in(&site.path("content"));
    std::os::unix::fs::symlink("content", site.path("public")).unwrap();
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("会覆盖站点自身的文件"),
        "{}",
        run.stderr
    );
    assert_eq!(files_in(&site.path("content")), content, "content changed");

    // A link to the folder above the site, and one given as --output.
    std::fs::remove_file(site.path("public")).unwrap();
    std::os::unix::fs::symlink("..", site.path("public")).unwrap();
    let beside = site.root().parent().unwrap().to_path_buf();
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    std::os::unix::fs::symlink(site.path("content/alpha"), site.path("out")).unwrap();
    let run = site.build(&["--output", "out"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(files_in(&site.path("content")), content, "content changed");
    assert!(beside.is_dir());
    // The site root itself, named another way.
    let run = site.build(&["--output", "content/.."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(site.path("site.toml").is_file());

    // A link to a folder elsewhere is a fine output.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::remove_file(site.path("public")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("www"), site.path("public")).unwrap();
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "a dangling link: {}", run.stderr);
    std::fs::create_dir(elsewhere.path().join("www")).unwrap();
    site.build(&[]).assert_success();
    assert!(elsewhere.path().join("www/index.html").is_file());
    assert!(site.path("public/index.html").is_file());
}

#[test]
fn a_folder_yishi_did_not_make_is_not_emptied() {
    let site = TempSite::new("valid");
    site.write("public/CNAME", "xieshang.example.org");
    site.write("public/notes/keep.txt", "a clerk's notes");
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert!(!site.path("public/index.html").exists());

    let run = site.build(&["--force"]);
    run.assert_success();
    assert!(run.stdout.contains("删除 0 个"), "{}", run.stdout);
    assert!(site.has_page(""));
    // Later builds remove what they made and no longer make, nothing else.
    site.remove("content/alpha/west/topics/2019-land.md");
    site.build(&[]).assert_success();
    assert!(!site.has_page("alpha/west/topics/2019-land/"));
    assert_eq!(site.read("public/CNAME"), "xieshang.example.org");
    assert_eq!(site.read("public/notes/keep.txt"), "a clerk's notes");
    // An empty folder is fine without --force.
    let empty = TempSite::new("valid");
    std::fs::create_dir(empty.path("public")).unwrap();
    empty.build(&[]).assert_success();
}

#[test]
fn a_record_that_cannot_be_written_is_an_error() {
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    let before = files_in(&site.path("public"));
    site.edit(
        "content/beta/garden/topics/2024-parking.md",
        "小区停车难问题。",
        "小区停车难问题，已征求意见。",
    );
    std::fs::remove_file(site.path(".public.yishi-pages.json")).unwrap();
    std::fs::create_dir(site.path(".public.yishi-pages.json")).unwrap();
    let run = site.build(&["--force"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(".public.yishi-pages.json"),
        "{}",
        run.stderr
    );
    assert_eq!(files_in(&site.path("public")), before, "output changed");
}

/// A build killed at any moment leaves an output whose record matches it:
/// a record published by a killed build is removed when it is deleted.
#[cfg(unix)]
#[test]
fn a_killed_build_never_loses_track_of_its_pages() {
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    // How long one build of this site takes here, to spread the kills.
    let t = std::time::Instant::now();
    site.build(&[]).assert_success();
    let span = t.elapsed().max(std::time::Duration::from_millis(20));
    const KILLS: u32 = 24;
    for i in 0..KILLS {
        let rel = format!("content/alpha/east/topics/2026-k{i}.md");
        site.write(
            &rel,
            &format!(
                "---\ntitle: 中断测试{i}\ntype: annual-budget\nproposed: 2026-01-10\n---\n正文。\n"
            ),
        );
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yishi"))
            .args(["build", "--quiet", "--as-of", AS_OF, "--root"])
            .arg(site.root())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Fault injection: kill it at a moment spread from half-way to past
        // the end, where the commit happens.
        std::thread::sleep(span / 2 + span * 3 * i / (5 * KILLS));
        let _ = child.kill();
        child.wait().unwrap();
        site.remove(&rel);
        site.build(&[]).assert_success();
        assert!(
            !site
                .path(&format!("public/alpha/east/topics/2026-k{i}"))
                .exists(),
            "kill {i}: the page of a deleted record stayed online"
        );
    }
    // And the output equals a fresh build.
    let fresh = TempSite::new("valid");
    fresh.build(&[]).assert_success();
    assert_eq!(
        files_in(&site.path("public")),
        files_in(&fresh.path("public"))
    );
}

/// A small tmpfs mounted for one test (needs root, as in CI); unmounted
/// when dropped. `None` (the test is skipped) where mounting is not
/// allowed, except in CI, where it must work.
struct Disk {
    dir: tempfile::TempDir,
}

impl Disk {
    fn mount(size_kb: u32) -> Option<Disk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size_kb}k"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var_os("CI").is_none(),
                "cannot mount a tmpfs in CI"
            );
            eprintln!("skipped: cannot mount a tmpfs here (needs root)");
            return None;
        }
        Some(Disk { dir })
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    fn remount(&self, opts: &str) {
        let ok = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{opts}")])
            .arg(self.path())
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for Disk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

/// The names in `dir` (to see staging folders and the like left behind).
fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
#[test]
fn a_full_disk_fails_cleanly_and_keeps_the_output() {
    // Too small for the site: the first build fails and leaves nothing.
    let Some(disk) = Disk::mount(256) else { return };
    let site = TempSite::new("valid");
    let out = disk.path().join("public");
    let run = site.build(&["--output", out.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(disk.path().to_str().unwrap()),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("磁盘已满"), "{}", run.stderr);
    assert!(
        names_in(disk.path()).is_empty(),
        "{:?}",
        names_in(disk.path())
    );
    drop(disk);

    // Room for one site: a rebuild that needs more fails, the old output
    // stays byte for byte and the staging folder is gone.
    let Some(disk) = Disk::mount(4096) else {
        return;
    };
    let out = disk.path().join("public");
    site.build(&["--output", out.to_str().unwrap()])
        .assert_success();
    let before = files_in(&out);
    let free = 4096 * 1024
        - before
            .values()
            .map(|b| b.len().div_ceil(4096) * 4096)
            .sum::<usize>();
    std::fs::write(
        disk.path().join("filler"),
        vec![b'x'; free.saturating_sub(64 * 1024)],
    )
    .unwrap_or(());
    for i in 0..40 {
        site.write(
            &format!("content/alpha/east/topics/2026-f{i}.md"),
            &format!(
                "---\ntitle: 填满{i}\ntype: annual-budget\nproposed: 2026-01-10\n---\n{}\n",
                "正文".repeat(2000)
            ),
        );
    }
    let run = site.build(&["--output", out.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(files_in(&out), before, "output changed");
    assert_eq!(
        names_in(disk.path()),
        [".public.yishi-pages.json", "filler", "public"]
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_output_fails_cleanly() {
    let Some(disk) = Disk::mount(4096) else {
        return;
    };
    let site = TempSite::new("valid");
    let out = disk.path().join("public");
    site.build(&["--output", out.to_str().unwrap()])
        .assert_success();
    let before = files_in(&out);
    site.edit(
        "content/beta/garden/topics/2024-parking.md",
        "小区停车难问题。",
        "小区停车难问题，已征求意见。",
    );
    disk.remount("ro");
    let run = site.build(&["--output", out.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(disk.path().to_str().unwrap()),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("只读"), "{}", run.stderr);
    assert_eq!(files_in(&out), before);
    disk.remount("rw");
    site.build(&["--output", out.to_str().unwrap()])
        .assert_success();
    assert!(files_in(&out) != before);
}

#[test]
fn an_output_that_is_a_file_is_refused() {
    let site = TempSite::new("valid");
    site.write("public", "not a folder");
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("public"), "{}", run.stderr);
    assert_eq!(site.read("public"), "not a folder");
    assert!(!site.path(".public.yishi-staging").exists());
}

#[test]
fn a_build_that_died_is_reported_and_its_files_never_published() {
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    let before = files_in(&site.path("public"));
    // What a build killed while it rendered leaves: half-written files in
    // the staging folder, and the marker of a build in progress.
    site.write(".public.yishi-staging/index.html", "half a page");
    site.write(".public.yishi-staging/records/x/index.html", "half");
    site.write(".public.yishi-building", "");
    let run = site.build(&[]);
    run.assert_success();
    assert!(
        run.stderr.contains("上一次生成在发布前被中断")
            && run.stderr.contains(".public.yishi-staging"),
        "{}",
        run.stderr
    );
    assert!(!site.path(".public.yishi-building").exists());
    assert_eq!(files_in(&site.path("public")), before);
    // The next build that publishes makes the staging folder the new site
    // file by file: none of the half-written files reaches the output.
    site.edit(
        "content/beta/garden/topics/2024-parking.md",
        "小区停车难问题。",
        "小区停车难问题，已征求意见。",
    );
    site.build(&[]).assert_success();
    let published = files_in(&site.path("public"));
    assert!(!published.contains_key("records/x/index.html"));
    assert!(!published.values().any(|b| b == b"half a page"));
    // The next build has nothing to say.
    let run = site.build(&[]);
    run.assert_success();
    assert!(!run.stderr.contains("上一次生成"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn each_new_version_keeps_the_folder_permissions_and_unchanged_files() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let site = TempSite::new("valid");
    site.build(&[]).assert_success();
    let public = site.path("public");
    std::fs::set_permissions(&public, std::fs::Permissions::from_mode(0o750)).unwrap();
    std::fs::write(public.join("CNAME"), "example.org").unwrap();
    let ino = |rel: &str| std::fs::metadata(public.join(rel)).unwrap().ino();
    let (style, root) = (ino("css/style.css"), ino(""));
    site.edit(
        "content/beta/garden/topics/2024-parking.md",
        "小区停车难问题。",
        "小区停车难问题，已征求意见。",
    );
    site.build(&[]).assert_success();
    assert_ne!(ino(""), root, "a new version of the folder was published");
    assert_eq!(
        ino("css/style.css"),
        style,
        "an unchanged file is the same file"
    );
    assert_eq!(site.read("public/CNAME"), "example.org");
    let mode = std::fs::metadata(&public).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o750);
    let names = names_in(site.root());
    assert!(
        !names.iter().any(|n| n.starts_with(".public.yishi-")
            && n != ".public.yishi-pages.json"
            && n != ".public.yishi-staging"),
        "{names:?}"
    );
}

/// `--verbose`'s output by kind adds up to the files and bytes in the
/// output folder, and names each kind of the site's output.
#[test]
fn the_byte_report_adds_up_to_the_output() {
    let site = TempSite::new("valid");
    let run = site.build(&["--verbose"]);
    run.assert_success();
    let report = run.stderr.split("output, by kind").nth(1).unwrap();
    let mut rows = std::collections::BTreeMap::new();
    for line in report.lines().skip(1) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 4 {
            break;
        }
        let n = cols.len();
        let kind = cols[..n - 3].join(" ");
        let files: usize = cols[n - 3].parse().unwrap();
        let bytes: u64 = cols[n - 2].parse().unwrap();
        rows.insert(kind, (files, bytes));
    }
    // The fixture has every kind but calendars, the sitemap and static
    // files, which come last.
    for kind in &yishi::route::OUTPUT_KINDS[..6] {
        assert!(rows.get(*kind).is_some_and(|r| r.0 > 0), "{kind}: {report}");
    }
    let (files, bytes) = rows["total"];
    let (mut on_disk, mut size) = (0usize, 0u64);
    for entry in walkdir::WalkDir::new(site.path("public")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            on_disk += 1;
            size += entry.metadata().unwrap().len();
        }
    }
    assert_eq!((files, bytes), (on_disk, size), "{report}");
    let sum: (usize, u64) = rows
        .iter()
        .filter(|(k, _)| *k != "total")
        .fold((0, 0), |a, (_, r)| (a.0 + r.0, a.1 + r.1));
    assert_eq!(sum, (files, bytes));
}
