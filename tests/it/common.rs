//! Helpers shared by the whole-tool tests: fixture sites in temporary
//! folders and the `yishi` binary run on them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The reference date every test build uses, so results do not drift.
pub const AS_OF: &str = "2026-11-28";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copy a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// A fixture site copied into a fresh temporary folder.
pub struct TempSite {
    pub dir: tempfile::TempDir,
}

impl TempSite {
    pub fn new(name: &str) -> TempSite {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&fixture(name), dir.path());
        TempSite { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    pub fn remove(&self, rel: &str) {
        let p = self.path(rel);
        if p.is_dir() {
            std::fs::remove_dir_all(p).unwrap();
        } else {
            std::fs::remove_file(p).unwrap();
        }
    }

    /// Replace `from` with `to` in a file; the text must be there.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// `yishi build` with the fixed reference date and extra arguments.
    pub fn build(&self, extra: &[&str]) -> Run {
        let mut args = vec!["build", "--as-of", AS_OF];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_yishi"));
        cmd.args(args)
            .arg("--root")
            .arg(self.root())
            .env_remove("SOURCE_DATE_EPOCH");
        Run::from(cmd.output().unwrap())
    }

    /// A page of the built site (`alpha/` → `public/alpha/index.html`).
    pub fn page(&self, url_path: &str) -> String {
        let rel = if url_path.is_empty() || url_path.ends_with('/') {
            format!("public/{url_path}index.html")
        } else {
            format!("public/{url_path}")
        };
        std::fs::read_to_string(self.path(&rel))
            .unwrap_or_else(|e| panic!("page {url_path} ({rel}): {e}"))
    }

    pub fn has_page(&self, url_path: &str) -> bool {
        let rel = if url_path.is_empty() || url_path.ends_with('/') {
            format!("public/{url_path}index.html")
        } else {
            format!("public/{url_path}")
        };
        self.path(&rel).is_file()
    }
}

/// The repository's own demo site (`content/`, `site.toml`) in a
/// temporary folder.
pub fn demo_site() -> TempSite {
    let site = TempSite {
        dir: tempfile::tempdir().unwrap(),
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_tree(&repo.join("content"), &site.path("content"));
    std::fs::copy(repo.join("site.toml"), site.path("site.toml")).unwrap();
    site
}

/// Every file under `dir` by `/`-separated relative path, with its bytes.
pub fn files_in(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The outcome of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Asserts that the run exited 0, showing its output when it did not.
    pub fn assert_success(&self) -> &Run {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// The links of the record cards on a list page, in order.
pub fn card_links(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    for part in html.split("class=\"card-title\"><a href=\"").skip(1) {
        links.push(part.split('"').next().unwrap().to_string());
    }
    links
}

/// All card links of a paginated list, following "next" links.
pub fn all_card_links(site: &TempSite, base_path: &str, first: &str) -> Vec<String> {
    let mut links = Vec::new();
    let mut url = Some(first.to_string());
    let mut guard = 0;
    while let Some(u) = url {
        let html = site.page(&u);
        // Place pages also show upcoming sessions above the records.
        let records = html.split("id=\"h-records\"").last().unwrap();
        links.extend(card_links(records));
        url = html.split("rel=\"next\" href=\"").nth(1).map(|s| {
            s.split('"')
                .next()
                .unwrap()
                .trim_start_matches(base_path)
                .to_string()
        });
        guard += 1;
        assert!(guard < 100, "pagination does not end");
    }
    links
}

/// Whether headless Chromium and the npm packages `packages` (under
/// `tests/tools/node_modules`) are installed. Without them a browser test
/// is skipped locally; in CI (`CI` set) that is a failure: `.ci/run` must
/// install them.
pub fn browser_tools_ready(packages: &[&str]) -> bool {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let chromium = std::env::var("YISHI_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let ready = packages
        .iter()
        .all(|p| repo.join("tests/tools/node_modules").join(p).is_dir())
        && Path::new(&chromium).exists();
    if !ready && std::env::var_os("CI").is_some() {
        panic!("browser test tools missing in CI: .ci/run must install them");
    }
    if !ready {
        eprintln!("skipped: run `npm ci --prefix tests/tools` and install chromium");
    }
    ready
}

/// A small deterministic generator (xorshift), so that a failure can be
/// replayed from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
