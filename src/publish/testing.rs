//! Real linked sites for the publishers' tests: the fixture site, the demo
//! site, or an edited copy of the fixture.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::build::{check, Checked, SiteOptions};
use crate::publish::Ctx;
use crate::url::Urls;

/// The reference date of every test (as in `tests/it/common.rs`).
pub const AS_OF: &str = "2026-11-28";

pub struct Site {
    pub checked: Checked,
    pub urls: Urls,
    pub strings: Value,
    /// Keeps an edited copy alive.
    _dir: Option<tempfile::TempDir>,
}

impl Site {
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            graph: &self.checked.graph,
            config: &self.checked.config,
            urls: &self.urls,
            strings: &self.strings,
        }
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture_root() -> PathBuf {
    repo().join("tests/fixtures/valid")
}

pub fn load(root: &Path, base_url: Option<&str>, drafts: bool) -> Site {
    load_in(root, base_url, drafts, None)
}

fn load_in(
    root: &Path,
    base_url: Option<&str>,
    drafts: bool,
    dir: Option<tempfile::TempDir>,
) -> Site {
    let opts = SiteOptions {
        base_url: base_url.map(str::to_string),
        drafts,
        as_of: Some(crate::date::parse_date(AS_OF).unwrap()),
        ..SiteOptions::new(root)
    };
    let checked = match check(&opts) {
        Ok(c) => c,
        Err(crate::build::BuildError::Content(d)) => panic!("site does not check: {d:#?}"),
        Err(e) => panic!("site does not check: {e}"),
    };
    let lang = checked.config.language.clone();
    let (_, text) = checked
        .theme
        .i18n
        .iter()
        .find(|(l, _)| *l == lang)
        .expect("theme strings");
    let table: toml::Table = toml::from_str(text).unwrap();
    let strings = serde_json::to_value(table).unwrap();
    let urls = Urls::new(&checked.config.base_url, &checked.config.base_path());
    Site {
        checked,
        urls,
        strings,
        _dir: dir,
    }
}

/// `tests/fixtures/valid`.
pub fn fixture() -> Site {
    load(&fixture_root(), None, false)
}

/// The demo site (`site.toml`, `content/`).
pub fn demo() -> Site {
    load(&repo(), None, false)
}

/// A copy of the fixture with `edits` applied: (file under `content/`,
/// text to replace, replacement).
pub fn edited_fixture(edits: &[(&str, &str, &str)]) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let from = fixture_root();
    for e in walkdir::WalkDir::new(&from) {
        let e = e.unwrap();
        let dest = dir.path().join(e.path().strip_prefix(&from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
    for (file, old, new) in edits {
        let path = dir.path().join("content").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(old), "{file} lacks {old:?}");
        std::fs::write(&path, text.replacen(old, new, 1)).unwrap();
    }
    let root = dir.path().to_path_buf();
    load_in(&root, None, false, Some(dir))
}
