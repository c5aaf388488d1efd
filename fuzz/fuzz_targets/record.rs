//! A record file through the real load and validate stages: reading
//! (decoding, control characters, the front-matter split, YAML with
//! positions and the nesting bound), the places validator, the rules of
//! each kind of record (the same bytes are filed as a topic, a session and
//! an outcome, and as a village's `_place.yaml`), references, the privacy
//! checks of the file and its values, then linking when the site is valid.
//!
//! The site is a small fixed one written once per process to a temporary
//! folder (from `tests/fixtures/valid`); each input is written into it as
//! four files and the site is loaded and validated again. Inputs of even
//! length are checked with `privacy = "error"`, odd ones with `"mask"`.
//!
//! Invariants: every diagnostic position in a fuzzed file is inside that
//! file; diagnostics render; a published record (with `"mask"`, or with
//! `"error"` when the site has no error) shows no personal number in its
//! title, summary, tags or body.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use yishi::config::SiteConfig;
use yishi::diagnostic::{Diagnostic, Diagnostics};

const FIXTURE_SITE: &str = include_str!("../../tests/fixtures/valid/site.toml");
const FIXED: [(&str, &str); 6] = [
    (
        "content/_place.yaml",
        include_str!("../../tests/fixtures/valid/content/_place.yaml"),
    ),
    (
        "content/alpha/_place.yaml",
        include_str!("../../tests/fixtures/valid/content/alpha/_place.yaml"),
    ),
    (
        "content/alpha/east/_place.yaml",
        include_str!("../../tests/fixtures/valid/content/alpha/east/_place.yaml"),
    ),
    (
        "content/alpha/topics/2016-bridge.md",
        include_str!("../../tests/fixtures/valid/content/alpha/topics/2016-bridge.md"),
    ),
    (
        "content/alpha/east/topics/2020-road.md",
        include_str!("../../tests/fixtures/valid/content/alpha/east/topics/2020-road.md"),
    ),
    (
        "content/alpha/sessions/2016-bridge-hearing.md",
        include_str!("../../tests/fixtures/valid/content/alpha/sessions/2016-bridge-hearing.md"),
    ),
];
/// Where each input is written.
const FUZZED: [&str; 4] = [
    "content/alpha/east/topics/fuzz-topic.md",
    "content/alpha/east/sessions/fuzz-session.md",
    "content/alpha/east/outcomes/fuzz-outcome.md",
    "content/alpha/west/_place.yaml",
];

struct Site {
    root: PathBuf,
    config: SiteConfig,
}

/// The two sites (privacy "error", "mask"), made once per process.
fn sites() -> &'static [Site; 2] {
    static SITES: OnceLock<[Site; 2]> = OnceLock::new();
    SITES.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let tmp = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let base = tmp.join(format!("yishi-fuzz-record-{}", std::process::id()));
        let make = |mode: &str| {
            let root = base.join(mode);
            let _ = std::fs::remove_dir_all(&root);
            for (rel, text) in FIXED {
                let p = root.join(rel);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, text).unwrap();
            }
            for rel in FUZZED {
                std::fs::create_dir_all(root.join(rel).parent().unwrap()).unwrap();
            }
            let toml = format!("{FIXTURE_SITE}\nprivacy = \"{mode}\"\n");
            std::fs::write(root.join("site.toml"), &toml).unwrap();
            let mut diags = Diagnostics::new();
            let config = SiteConfig::parse(&toml, &mut diags).expect("fixture site.toml");
            assert!(!diags.has_errors());
            Site { root, config }
        };
        [make("error"), make("mask")]
    })
}

fn check_positions(d: &Diagnostic, lines: &[&str], data: &[u8]) {
    let places = std::iter::once((&d.file, d.pos)).chain(d.also.iter().map(|(f, p)| (f, *p)));
    for (file, pos) in places {
        let (Some(p), true) = (pos, FUZZED.contains(&file.as_str())) else {
            continue;
        };
        // The YAML parser puts the end of a file without a final line
        // break at the start of the line after it: allowed.
        if p.line == lines.len() + 1 && p.col == 1 {
            continue;
        }
        assert!(
            p.line >= 1 && p.line <= lines.len() && p.col >= 1,
            "{file}: {:?} at {p:?}, outside the file\ninput: {:?}",
            d.message,
            String::from_utf8_lossy(data)
        );
        let width = lines[p.line - 1].chars().count();
        assert!(
            p.col <= width + 1,
            "{file}: {:?} at {p:?}, past the end of its line ({width})\ninput: {:?}",
            d.message,
            String::from_utf8_lossy(data)
        );
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 256 * 1024 {
        return;
    }
    let site = &sites()[data.len() % 2];
    let root = &site.root;
    for rel in FUZZED {
        std::fs::write(root.join(rel), data).unwrap();
    }

    let mut diags = Diagnostics::new();
    let (mut loaded, _tree) = yishi::load::load(root, &[], &mut diags);
    let files = std::mem::take(&mut loaded.records);
    let inputs = yishi::validate::reuse(files, None, None);
    let mode = yishi::validate::Mode {
        drafts: data.first().is_some_and(|b| b & 1 == 1),
        keep_cache: false,
        bodies: yishi::model::Bodies::Memory,
    };
    let (checked, _) =
        yishi::validate::validate(root, loaded, inputs, &site.config, mode, &mut diags);

    // Positions, as the file was read (decoded, line endings normalised).
    if let Ok(text) = yishi::text::decode_text(data) {
        let lines: Vec<&str> = text.split('\n').collect();
        for d in diags.iter() {
            check_positions(d, &lines, data);
        }
    }
    let has_errors = diags.has_errors();
    let sorted = diags.sorted();
    let _ = yishi::diagnostic::render(&sorted, root);

    if site.config.privacy == yishi::config::PrivacyMode::Mask || !has_errors {
        for r in &checked.records {
            let body = r.body.text().expect("body in memory");
            let mut shown = vec![
                ("title", r.title.clone()),
                ("summary", r.summary.clone().unwrap_or_default()),
                ("body", body.to_string()),
                ("plain summary", r.plain_summary.to_string()),
            ];
            shown.extend(r.tags.iter().map(|t| ("tag", t.clone())));
            for (what, text) in shown {
                let found = yishi::privacy::scan_markup(&text);
                assert!(
                    found.is_empty(),
                    "{}: {what} {text:?} publishes a personal number ({:?})\ninput: {:?}",
                    r.file,
                    site.config.privacy,
                    String::from_utf8_lossy(data)
                );
            }
        }
    }

    if !has_errors {
        let as_of = chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        let graph = yishi::link::Graph::link(checked, &site.config.vocabularies, as_of);
        assert!(!graph.site.records.is_empty());
    }
});
