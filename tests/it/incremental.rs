//! Incremental rebuilds (the preview server's `Workspace`) equal a full
//! build byte for byte, after generated sequences of edits: records and
//! places added, changed, renamed and deleted, templates and settings
//! edited, and mistakes made and fixed.

use std::collections::BTreeMap;

use crate::common::*;
use yishi::build::{build, BuildError, BuildOptions, SiteOptions};
use yishi::workspace::{SiteFile, Workspace};

/// The site as the preview sees it (its own address as the base URL).
fn site_options(site: &TempSite) -> SiteOptions {
    SiteOptions {
        base_url: Some("http://127.0.0.1:1111/".into()),
        as_of: Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()),
        ..SiteOptions::new(site.root())
    }
}

/// The files of a full `yishi build` of the site as it is now.
fn full_build(site: &TempSite) -> BTreeMap<String, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("public");
    build(&BuildOptions::new(site_options(site), target.clone())).expect("full build");
    files_in(&target)
}

fn served(ws: &Workspace) -> BTreeMap<String, Vec<u8>> {
    ws.files()
        .iter()
        .map(|(k, f)| {
            let bytes = match f {
                SiteFile::Memory { bytes, .. } => bytes.as_ref().clone(),
                SiteFile::Attachment { bytes, .. } => bytes.as_ref().clone(),
            };
            (k.clone(), bytes)
        })
        .collect()
}

fn assert_same(ws: &Workspace, site: &TempSite, step: &str) {
    let full = full_build(site);
    let inc = served(ws);
    let only_full: Vec<_> = full.keys().filter(|k| !inc.contains_key(*k)).collect();
    let only_inc: Vec<_> = inc.keys().filter(|k| !full.contains_key(*k)).collect();
    assert!(
        only_full.is_empty() && only_inc.is_empty(),
        "after {step}: only in full build {only_full:?}, only incremental {only_inc:?}"
    );
    for (k, v) in &full {
        assert!(inc[k] == *v, "after {step}: {k} differs from a full build");
    }
}

/// A failed build's diagnostics, as the terminal shows them.
fn shown(e: &BuildError, site: &TempSite) -> String {
    match e {
        BuildError::Content(diags) => yishi::diagnostic::render(diags, site.root()),
        other => other.to_string(),
    }
}

const PLACES: [&str; 4] = ["alpha/east", "alpha/west", "beta/garden", "alpha"];

fn record_files(site: &TempSite) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(site.path("content"))
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.path().extension().is_some_and(|x| x == "md") && e.depth() > 1)
        .map(|e| {
            e.path()
                .strip_prefix(site.root())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    v.sort();
    v
}

/// Replace the line of the file at `path` that starts with `prefix`.
fn set_line(site: &TempSite, path: &str, prefix: &str, line: &str) {
    let text: String = site
        .read(path)
        .lines()
        .map(|l| if l.starts_with(prefix) { line } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    site.write(path, &format!("{text}\n"));
}

/// An added topic that no session refers to, if any.
fn lone_topic(files: &[String]) -> Option<&String> {
    files.iter().find(|f| {
        let stem = f.rsplit('/').next().unwrap().trim_end_matches(".md");
        f.contains("/topics/gen-") && !files.iter().any(|g| g.contains(&format!("{stem}-meeting")))
    })
}

/// One random edit; returns its description.
fn edit(site: &TempSite, rng: &mut Rng, n: usize) -> String {
    let files = record_files(site);
    match rng.below(15) {
        0 | 1 => {
            let f = &files[rng.below(files.len())];
            let text = site.read(f);
            let new = text.replacen("title: ", &format!("title: 改{n} "), 1);
            site.write(f, &new);
            format!("retitle {f}")
        }
        2 => {
            let place = PLACES[rng.below(PLACES.len())];
            let year = 2015 + rng.below(12);
            site.write(
                &format!("content/{place}/topics/gen-{n}.md"),
                &format!(
                    "---\ntitle: 新议题{n}\ntype: other\nproposed: {year}-0{}-1{}\n---\n正文{n}\n",
                    1 + rng.below(9),
                    rng.below(9)
                ),
            );
            format!("add topic gen-{n} in {place}")
        }
        3 => {
            // A session on an added topic, if any.
            let topics: Vec<&String> = files
                .iter()
                .filter(|f| f.contains("/topics/gen-"))
                .collect();
            let Some(t) = topics.first() else {
                return "nothing".into();
            };
            let stem = t.rsplit('/').next().unwrap().trim_end_matches(".md");
            let dir = t.rsplit_once("/topics/").unwrap().0;
            site.write(
                &format!("{dir}/sessions/{stem}-meeting.md"),
                &format!("---\ntitle: 会议{n}\ntopic: {stem}\ndate: 2026-12-0{} 19:00\nform: other\n---\n纪要\n", 1 + rng.below(9)),
            );
            format!("add session for {stem}")
        }
        4 => {
            // Delete an added record (nothing else refers to a session).
            let added: Vec<&String> = files
                .iter()
                .filter(|f| f.contains("-meeting.md") && f.contains("gen-"))
                .collect();
            match added.first() {
                Some(f) => {
                    site.remove(f);
                    format!("delete {f}")
                }
                None => "nothing".into(),
            }
        }
        5 => {
            // Rename an added topic that no session refers to.
            match lone_topic(&files) {
                Some(f) => {
                    let to = f.replace("/gen-", "/ren-");
                    std::fs::rename(site.path(f), site.path(&to)).unwrap();
                    format!("rename {f}")
                }
                None => "nothing".into(),
            }
        }
        6 => {
            if site.path("content/alpha/north").exists() {
                site.remove("content/alpha/north");
                "delete place north".into()
            } else {
                site.write(
                    "content/alpha/north/_place.yaml",
                    "name: 北村\nkind: village\n",
                );
                site.write(
                    "content/alpha/north/topics/2022-well.md",
                    "---\ntitle: 北村水井\ntype: public-welfare\nproposed: 2022-05-05\n---\n打井。\n",
                );
                "add place north".into()
            }
        }
        7 => {
            let p = "themes/default/templates/topic.html";
            let text = site.read(p);
            site.write(
                p,
                &text.replacen("<article>", &format!("<article data-v=\"{n}\">"), 1),
            );
            "edit topic.html".into()
        }
        8 => {
            let p = "themes/default/templates/partials/card.html";
            let text = site.read(p);
            site.write(
                p,
                &text.replacen(
                    "class=\"card-summary\"",
                    &format!("class=\"card-summary\" data-v=\"{n}\""),
                    1,
                ),
            );
            "edit partials/card.html".into()
        }
        9 => {
            let size = 1 + rng.below(4);
            set_line(
                site,
                "site.toml",
                "page_size",
                &format!("page_size = {size}"),
            );
            format!("page_size {size}")
        }
        11 => {
            let f = &files[rng.below(files.len())];
            let text = site.read(f);
            site.write(f, &format!("{text}\n补充说明第{n}条。\n"));
            format!("body of {f}")
        }
        12 => {
            // Another date for an added topic (its sessions come later).
            let topics: Vec<&String> = files
                .iter()
                .filter(|f| f.contains("/topics/gen-") || f.contains("/topics/ren-"))
                .collect();
            let Some(t) = topics.first() else {
                return "nothing".into();
            };
            let date = format!(
                "proposed: {}-0{}-2{}",
                2015 + rng.below(12),
                1 + rng.below(9),
                rng.below(9)
            );
            set_line(site, t, "proposed:", &date);
            format!("redate {t}")
        }
        13 => {
            // Move an added topic that no session refers to to another place.
            let Some(f) = lone_topic(&files) else {
                return "nothing".into();
            };
            let place = PLACES[rng.below(PLACES.len())];
            let name = f.rsplit('/').next().unwrap();
            let to = format!("content/{place}/topics/{name}");
            if to != **f {
                std::fs::create_dir_all(site.path(&format!("content/{place}/topics"))).unwrap();
                std::fs::rename(site.path(f), site.path(&to)).unwrap();
            }
            format!("move {f} to {place}")
        }
        14 => {
            let p = "content/alpha/west/_place.yaml";
            set_line(site, p, "name:", &format!("name: 西村{n}"));
            "rename place west".into()
        }
        _ => {
            let f = &files[rng.below(files.len())];
            let text = site.read(f);
            site.write(f, &text.replacen("---\n", "---\ntitle: [broken\n", 1));
            format!("break {f}")
        }
    }
}

/// Every file the preview watches (`site.toml`, `content/`, `themes/`):
/// path → bytes.
fn snapshot(site: &TempSite) -> BTreeMap<String, Vec<u8>> {
    let mut all = BTreeMap::new();
    for top in ["site.toml", "content", "themes"] {
        for e in walkdir::WalkDir::new(site.path(top)).into_iter().flatten() {
            if e.file_type().is_file() {
                let rel = e.path().strip_prefix(site.root()).unwrap();
                all.insert(
                    rel.to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                );
            }
        }
    }
    all
}

/// `steps` random edits, each followed by a rebuild (every other one told
/// which files changed, as the server's watcher tells it); after each, the
/// preview's site equals a full build. `lean`: as on a very large site,
/// where cards are not kept (`SiteOptions::lean_above`) and the preview
/// keeps bodies compressed (`SiteOptions::preview_packs_bodies_above`).
fn run_sequence(seed: u64, steps: usize, lean: bool) {
    let site = TempSite::new("valid");
    copy_tree(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &site.path("themes/default"),
    );
    let mut options = site_options(&site);
    if lean {
        options.lean_above = 0;
        options.preview_packs_bodies_above = 0;
    }
    let mut ws = Workspace::new(options);
    ws.rebuild().expect("first build");
    assert_same(&ws, &site, "first build");
    let mut rng = Rng(seed);
    // Rebuilds that replaced records.
    let mut quick_steps = 0;
    for n in 0..steps {
        let before: Vec<(String, String)> = record_files(&site)
            .into_iter()
            .map(|f| {
                let t = site.read(&f);
                (f, t)
            })
            .collect();
        let files_before = snapshot(&site);
        let what = edit(&site, &mut rng, n);
        let previous = served(&ws);
        // Like the server's watcher: name the files that changed, came or
        // went (the build decides whether that allows skipping the walk).
        let files_after = snapshot(&site);
        let touched: Vec<std::path::PathBuf> = files_before
            .keys()
            .chain(files_after.keys())
            .filter(|f| files_before.get(*f) != files_after.get(*f))
            .map(|f| site.path(f))
            .collect();
        let result = if n % 2 == 0 {
            ws.rebuild_after(Some(&touched))
        } else {
            ws.rebuild()
        };
        // Edits of what records say, reported by the watcher, replace the
        // records in the last site; every other change checks everything.
        // (A record with warnings is checked with the whole site, too.)
        let says = what.starts_with("retitle") || what.starts_with("body");
        if let Ok(r) = &result {
            let quick = r.replaced > 0;
            assert!(!quick || (n % 2 == 0 && says), "step {n}: {what}: {r:?}");
            quick_steps += usize::from(quick);
        }
        // Every edit but a `break` is valid and must build; a `break` must
        // fail and leave the site as it was.
        let breaks = what.starts_with("break");
        match result {
            Ok(_) if breaks => panic!("step {n}: {what} was accepted"),
            Ok(_) => assert_same(&ws, &site, &format!("step {n}: {what}")),
            Err(e) if !breaks => panic!(
                "step {n}: {what} is a valid edit, but the rebuild failed:\n{}",
                shown(&e, &site)
            ),
            Err(_) => {
                assert_eq!(served(&ws), previous, "a failed rebuild changed the site");
                // Undo the breaking edit so the sequence goes on.
                for (f, t) in &before {
                    if site.read(f) != *t {
                        site.write(f, t);
                    }
                }
                if let Err(e) = ws.rebuild() {
                    panic!(
                        "step {n}: still failing after undoing {what}:\n{}",
                        shown(&e, &site)
                    );
                }
                assert_same(&ws, &site, &format!("step {n}: fixed {what}"));
            }
        }
    }
    assert!(quick_steps > 0, "no rebuild replaced records");
    eprintln!("{steps} edits, {quick_steps} rebuilt by replacing records");
}

#[test]
fn incremental_equals_full_build_seed_1() {
    run_sequence(0x9E37_79B9_7F4A_7C15, 40, false);
}

#[test]
fn incremental_equals_full_build_seed_2() {
    run_sequence(0xD1B5_4A32_D192_ED03, 40, false);
}

#[test]
fn incremental_equals_full_build_lean() {
    run_sequence(0x2545_F491_4F6C_DD1D, 40, true);
}

/// A rebuild renders one page per template (so that a failing template is
/// a problem of the rebuild), every other page when it is first asked for.
#[test]
fn pages_are_rendered_when_asked_for() {
    let site = TempSite::new("valid");
    let mut ws = Workspace::new(site_options(&site));
    let first = ws.rebuild().unwrap();
    assert!(
        first.rendered >= 8 && first.rendered <= 12 && first.rendered * 4 < first.pages,
        "{first:?}"
    );
    let page = "alpha/west/sessions/2026-waste-talk/index.html";
    let text = |ws: &Workspace| match ws.site().unwrap().get(page) {
        Some(SiteFile::Memory { bytes, .. }) => String::from_utf8(bytes.to_vec()).unwrap(),
        other => panic!("{page}: {other:?}"),
    };
    assert!(text(&ws).contains("垃圾"));
    // Modification times are coarse: a build does not trust a file changed
    // within 50 ms of its last read (`load::Stamp::trusts`); the pause keeps
    // the edit clear of that window.
    std::thread::sleep(std::time::Duration::from_millis(60));
    site.edit(
        "content/alpha/west/sessions/2026-waste-talk.md",
        "title: 垃圾",
        "title: 新垃圾",
    );
    ws.rebuild().unwrap();
    assert!(text(&ws).contains("新垃圾"));
    assert_same(&ws, &site, "retitle");
}

/// The files that are not pages (search index, open data, feeds…) are
/// made after the site is served, and only those whose inputs changed:
/// the others are the very same files as before.
#[test]
fn files_that_are_not_pages_follow_in_proportion() {
    let site = TempSite::new("valid");
    let mut ws = Workspace::new(site_options(&site));
    ws.rebuild().unwrap();
    let before = ws.site().unwrap();
    assert!(before.wait_for_artifacts(std::time::Duration::from_secs(60)));
    let bytes = |f: Option<SiteFile>| match f {
        Some(SiteFile::Memory { bytes, .. }) => bytes,
        other => panic!("{other:?}"),
    };
    let same = |a: &yishi::workspace::LiveSite, b: &yishi::workspace::LiveSite, key: &str| {
        let at = a.kept_at(key);
        assert!(at.is_some(), "{key} not kept");
        at == b.kept_at(key)
    };
    // Nothing changed: every file is the one made before.
    ws.rebuild().unwrap();
    let again = ws.site().unwrap();
    assert!(again.wait_for_artifacts(std::time::Duration::from_secs(60)));
    for key in [
        "search/meta.json",
        "data/records.json",
        "feed.xml",
        "sitemap.xml",
    ] {
        assert!(same(&before, &again, key), "{key} made again");
    }
    std::thread::sleep(std::time::Duration::from_millis(60));
    site.edit(
        "content/alpha/west/sessions/2026-waste-talk.md",
        "title: 垃圾",
        "title: 新垃圾",
    );
    ws.rebuild().unwrap();
    let after = ws.site().unwrap();
    assert!(after.wait_for_artifacts(std::time::Duration::from_secs(60)));
    // Made again: what shows the session; kept: another town's data.
    assert!(!same(&again, &after, "data/records.json"));
    assert!(!same(&again, &after, "data/alpha/records.json"));
    assert!(same(&again, &after, "data/beta/records.json"));
    let search = String::from_utf8(bytes(after.get("search/meta.json")).to_vec()).unwrap();
    assert!(!search.is_empty());
    assert_same(&ws, &site, "after the artifacts");
}
