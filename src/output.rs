//! Stage 5: the one place that touches the output directory.
//!
//! Pages are compared with what the output already holds: a file whose
//! bytes are unchanged is not written again (its modification time stays, so
//! rsync and CDN uploads send only what changed). Changed and new files are
//! written into a staging folder beside the output, and moved into place
//! only when the whole build succeeded — so a failed or interrupted build
//! leaves the previous output exactly as it was. The move itself (renames
//! only) is recorded in a journal first; if it is interrupted, the next build
//! completes it before doing anything else.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where rendered pages go: the output of a build, or memory for the
/// preview server.
pub trait PageSink {
    fn put(&self, rel: &str, bytes: Vec<u8>) -> std::io::Result<()>;

    /// A file written piece by piece (open data of a large site does not fit
    /// in memory at once). By default collected, then [`PageSink::put`].
    fn put_stream(&self, rel: &str, fill: &mut StreamFill) -> std::io::Result<()> {
        let mut bytes = Vec::new();
        fill(&mut bytes)?;
        self.put(rel, bytes)
    }
}

/// Writes a streamed file's content.
pub type StreamFill<'a> = dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()> + 'a;

impl PageSink for Output {
    fn put(&self, rel: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.write(rel, &bytes)
    }

    fn put_stream(&self, rel: &str, fill: &mut StreamFill) -> std::io::Result<()> {
        self.write_stream(rel, fill)
    }
}

/// Pages kept in memory (path → bytes).
#[derive(Debug, Default)]
pub struct MemorySink {
    pub pages: Mutex<Vec<(String, Vec<u8>)>>,
}

impl PageSink for MemorySink {
    fn put(&self, rel: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.pages
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .push((rel.to_string(), bytes));
        Ok(())
    }
}

/// What one build wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    /// Files the build produced.
    pub files: usize,
    /// Of those, new or changed (written).
    pub written: usize,
    /// Files of the previous output that the build no longer produces.
    pub removed: usize,
}

/// The output of one build in progress.
#[derive(Debug)]
pub struct Output {
    target: PathBuf,
    staging: PathBuf,
    /// Every file the build produced, with its size and modification time
    /// once known (see [`Output::stamps`]).
    produced: Mutex<HashMap<String, Option<Stamp>>>,
    written: Mutex<usize>,
    /// The target did not exist when the build began: nothing to compare
    /// with, so no file is looked up there.
    fresh: bool,
    /// Folders of the staging area known to exist, so that writing a page
    /// does not look its folder up again.
    dirs: Mutex<HashSet<PathBuf>>,
}

fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    target.with_file_name(format!(".{name}.yishi-{suffix}"))
}

/// A file's size and modification time (ns since the epoch).
pub type Stamp = (u64, i128);

/// The [`Stamp`] of a file's metadata.
pub fn stamp(m: &std::fs::Metadata) -> Option<Stamp> {
    let t = m.modified().ok()?;
    let ns = match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    };
    Some((m.len(), ns))
}

/// The journal of a commit in progress, inside the staging folder.
const JOURNAL: &str = ".yishi-commit";

/// The record of what the output holds (see [`Output::record_path`]), staged
/// inside the staging folder and moved into place by the commit itself, so
/// that the output and its record never disagree.
const RECORD: &str = ".yishi-record";

fn io_err(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Every file under `dir`, as `/`-separated paths relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| crate::text::display_path(dir, e.path()))
        .collect()
}

/// Whether two files hold the same bytes (false if either is missing).
fn same_content(a: &Path, b: &Path) -> bool {
    use std::io::Read;
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    if !mb.is_file() || ma.len() != mb.len() {
        return false;
    }
    let (Ok(fa), Ok(fb)) = (std::fs::File::open(a), std::fs::File::open(b)) else {
        return false;
    };
    let (mut ra, mut rb) = (
        std::io::BufReader::with_capacity(1 << 16, fa),
        std::io::BufReader::with_capacity(1 << 16, fb),
    );
    let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let n = match ra.read(&mut ba) {
            Ok(n) => n,
            Err(_) => return false,
        };
        if n == 0 {
            return true;
        }
        if rb.read_exact(&mut bb[..n]).is_err() || ba[..n] != bb[..n] {
            return false;
        }
    }
}

impl Output {
    /// Where the record of what `target` holds lives: beside it, not in it
    /// (it is not published). Written only by [`Output::commit`].
    pub fn record_path(target: &Path) -> PathBuf {
        sibling(target, "pages.json")
    }

    /// Prepare a build of `target`. Completes a commit that an earlier build
    /// was interrupted in, and drops the leftovers of an interrupted render.
    pub fn begin(target: &Path) -> std::io::Result<Output> {
        Self::recover(target)?;
        let staging = sibling(target, "staging");
        std::fs::create_dir_all(&staging).map_err(|e| io_err(&staging, e))?;
        Ok(Output {
            target: target.to_path_buf(),
            fresh: !target.exists(),
            dirs: Mutex::new(HashSet::from([staging.clone()])),
            staging,
            produced: Mutex::new(HashMap::new()),
            written: Mutex::new(0),
        })
    }

    /// Complete a commit that an earlier build was interrupted in (so that
    /// the output and its record agree again), and drop the leftovers of an
    /// interrupted render. Run before the record is read.
    pub fn recover(target: &Path) -> std::io::Result<()> {
        let staging = sibling(target, "staging");
        if staging.join(JOURNAL).is_file() {
            Self::finish_commit(target, &staging)?;
        } else if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| io_err(&staging, e))?;
        }
        // Left by versions that swapped whole folders.
        let old = sibling(target, "old");
        if !target.exists() && old.exists() {
            std::fs::rename(&old, target)?;
        } else if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        Ok(())
    }

    fn check_rel(rel: &str) -> std::io::Result<&str> {
        let rel = rel.trim_start_matches('/');
        if rel.is_empty()
            || rel
                .split('/')
                .any(|s| s == ".." || s.is_empty() || s.contains('\\'))
        {
            return Err(std::io::Error::other(format!("unsafe output path {rel}")));
        }
        Ok(rel)
    }

    /// The stamp of the output's file at `rel` if it holds exactly `bytes`.
    fn unchanged(&self, rel: &str, bytes: &[u8]) -> Option<Option<Stamp>> {
        if self.fresh {
            return None;
        }
        let path = self.target.join(rel);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => std::fs::read(&path)
                .is_ok_and(|old| old == bytes)
                .then(|| stamp(&m)),
            _ => None,
        }
    }

    fn stage(&self, rel: &str) -> std::io::Result<PathBuf> {
        let p = self.staging.join(rel);
        if let Some(parent) = p.parent() {
            self.make_dir(parent)?;
        }
        if let Ok(mut n) = self.written.lock() {
            *n += 1;
        }
        Ok(p)
    }

    /// Create `dir` (and its parents) unless this build already did.
    fn make_dir(&self, dir: &Path) -> std::io::Result<()> {
        let known = |d: &Path| self.dirs.lock().is_ok_and(|set| set.contains(d));
        if known(dir) {
            return Ok(());
        }
        // Most folders are new and their parent exists: one system call.
        let made = match std::fs::create_dir(dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
            Err(_) => std::fs::create_dir_all(dir),
        };
        made.map_err(|e| io_err(dir, e))?;
        if let Ok(mut set) = self.dirs.lock() {
            let mut d = Some(dir);
            while let Some(p) = d.filter(|p| p.starts_with(&self.staging)) {
                if !set.insert(p.to_path_buf()) {
                    break;
                }
                d = p.parent();
            }
        }
        Ok(())
    }

    fn produce(&self, rel: &str, stamp: Option<Stamp>) {
        if let Ok(mut files) = self.produced.lock() {
            files.insert(rel.to_string(), stamp);
        }
    }

    /// The size and modification time of each file produced, where known
    /// without looking at the file again (the page cache records them).
    /// Moving files into place keeps them.
    pub fn stamps(&self) -> HashMap<String, Stamp> {
        self.produced
            .lock()
            .map(|files| {
                files
                    .iter()
                    .filter_map(|(rel, s)| Some((rel.clone(), (*s)?)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many files were written (new or changed) so far.
    pub fn written(&self) -> usize {
        self.written.lock().map(|n| *n).unwrap_or(usize::MAX)
    }

    /// Whether the build produced the file at `rel`.
    pub fn produces(&self, rel: &str) -> bool {
        self.produced.lock().is_ok_and(|f| f.contains_key(rel))
    }

    /// How many files the build produced.
    pub fn produced_count(&self) -> usize {
        self.produced.lock().map(|f| f.len()).unwrap_or(0)
    }

    /// Every file the build produced, sorted.
    pub fn produced_files(&self) -> Vec<String> {
        let mut files: Vec<String> = self
            .produced
            .lock()
            .map(|f| f.keys().cloned().collect())
            .unwrap_or_default();
        files.sort_unstable();
        files
    }

    /// A file at `rel` (a `/`-separated path under the output root).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        let rel = Self::check_rel(rel)?;
        if let Some(stamp) = self.unchanged(rel, bytes) {
            self.produce(rel, stamp);
            return Ok(());
        }
        let p = self.stage(rel)?;
        let written = std::fs::File::create(&p).and_then(|mut f| {
            f.write_all(bytes)?;
            f.metadata()
        });
        let meta = written.map_err(|e| io_err(&p, e))?;
        self.produce(rel, stamp(&meta));
        Ok(())
    }

    /// A file at `rel` written through `fill`, straight into the staging
    /// folder; dropped again if it equals the output's file.
    pub fn write_stream(&self, rel: &str, fill: &mut StreamFill) -> std::io::Result<()> {
        use std::io::Write;
        let rel = Self::check_rel(rel)?;
        let p = self.stage(rel)?;
        let file = std::fs::File::create(&p).map_err(|e| io_err(&p, e))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
        fill(&mut w).map_err(|e| io_err(&p, e))?;
        w.flush().map_err(|e| io_err(&p, e))?;
        let mut meta = w.get_ref().metadata().ok();
        drop(w);
        let target = self.target.join(rel);
        if !self.fresh && same_content(&p, &target) {
            std::fs::remove_file(&p).map_err(|e| io_err(&p, e))?;
            if let Ok(mut n) = self.written.lock() {
                *n -= 1;
            }
            meta = std::fs::metadata(&target).ok();
        }
        self.produce(rel, meta.as_ref().and_then(stamp));
        Ok(())
    }

    /// Keep the file the output already has at `rel` (known unchanged, with
    /// `stamp` when known).
    pub fn keep(&self, rel: &str, stamp: Option<Stamp>) -> std::io::Result<()> {
        let rel = Self::check_rel(rel)?;
        self.produce(rel, stamp);
        Ok(())
    }

    /// The size and modification time of the output's file at `rel`.
    pub fn stamp_of(&self, rel: &str) -> Option<Stamp> {
        stamp(&std::fs::metadata(self.target.join(rel)).ok()?)
    }

    /// A copy of the file `from` at `rel`.
    pub fn copy(&self, rel: &str, from: &Path) -> std::io::Result<()> {
        let bytes = crate::fsio::read_regular(from).map_err(|e| io_err(from, e))?;
        self.write(rel, &bytes)
    }

    /// Move the staged files into place, remove what the build no longer
    /// produces and put `record` (the new record of what the output holds,
    /// see [`Output::record_path`]) in place, as one journaled step: an
    /// interruption before the journal is written leaves the output and its
    /// record as they were; one after it is completed by the next build.
    /// Only renames and deletions happen to the output here.
    ///
    /// `known` lists the files the previous build recorded as its own: only
    /// those are ever removed. `None` (nothing is known to be ours) removes
    /// nothing, so files a host or a person put in the folder survive.
    pub fn commit(
        self,
        known: Option<&HashSet<String>>,
        record: Option<&[u8]>,
    ) -> std::io::Result<WriteStats> {
        let produced = self.produced.into_inner().unwrap_or_default();
        let written = self.written.into_inner().unwrap_or(0);
        let stale: Vec<String> = match known {
            Some(known) if self.target.is_dir() => known
                .iter()
                .filter(|rel| !produced.contains_key(*rel) && self.target.join(rel).is_file())
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        let stats = WriteStats {
            files: produced.len(),
            written,
            removed: stale.len(),
        };
        let record_path = Self::record_path(&self.target);
        if let Some(bytes) = record {
            if std::fs::symlink_metadata(&record_path).is_ok_and(|m| !m.is_file()) {
                return Err(io_err(
                    &record_path,
                    std::io::Error::other("不是普通文件，无法记录输出内容"),
                ));
            }
            let staged = self.staging.join(RECORD);
            std::fs::write(&staged, bytes).map_err(|e| io_err(&staged, e))?;
        }
        if !self.target.exists() {
            // Nothing to merge with: the staging folder becomes the output.
            // The record goes first: one that lists files not yet there
            // only costs a re-render, never a lost deletion.
            if record.is_some() {
                let staged = self.staging.join(RECORD);
                std::fs::rename(&staged, &record_path).map_err(|e| io_err(&record_path, e))?;
            }
            std::fs::rename(&self.staging, &self.target).map_err(|e| io_err(&self.target, e))?;
            return Ok(stats);
        }
        let journal = serde_json::to_vec(&stale).map_err(std::io::Error::other)?;
        let journal_path = self.staging.join(JOURNAL);
        std::fs::write(&journal_path, journal).map_err(|e| io_err(&journal_path, e))?;
        Self::finish_commit(&self.target, &self.staging)?;
        Ok(stats)
    }

    /// Apply a journaled commit: move every staged file into the target,
    /// delete the stale files it lists, put the staged record in place,
    /// then remove the staging folder. Safe to run again after an
    /// interruption.
    fn finish_commit(target: &Path, staging: &Path) -> std::io::Result<()> {
        let journal = staging.join(JOURNAL);
        let stale: Vec<String> = std::fs::read(&journal)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        for rel in files_under(staging) {
            if rel == JOURNAL || rel == RECORD {
                continue;
            }
            let to = target.join(&rel);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
            }
            std::fs::rename(staging.join(&rel), &to).map_err(|e| io_err(&to, e))?;
        }
        // Deletions stay inside the real output folder, even if a folder in
        // it was replaced by a link elsewhere since it was recorded.
        let real_target = target.canonicalize().map_err(|e| io_err(target, e))?;
        for rel in &stale {
            let p = target.join(rel);
            let inside = p
                .parent()
                .and_then(|d| d.canonicalize().ok())
                .is_some_and(|d| d.starts_with(&real_target));
            if !inside {
                continue;
            }
            if p.is_file() || p.is_symlink() {
                std::fs::remove_file(&p).map_err(|e| io_err(&p, e))?;
            }
            // Remove folders the deletion left empty.
            let mut dir = p.parent();
            while let Some(d) = dir {
                if d == target || std::fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
        let staged_record = staging.join(RECORD);
        if staged_record.is_file() {
            let record_path = Self::record_path(target);
            std::fs::rename(&staged_record, &record_path).map_err(|e| io_err(&record_path, e))?;
        }
        std::fs::remove_dir_all(staging).map_err(|e| io_err(staging, e))
    }

    /// Throw the staged output away (the target is untouched).
    pub fn abandon(self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mtime(p: &Path) -> std::time::SystemTime {
        std::fs::metadata(p).unwrap().modified().unwrap()
    }

    #[test]
    fn commit_replaces_and_abandon_keeps() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("old.html"), "old").unwrap();

        let out = Output::begin(&target).unwrap();
        out.write("a/index.html", b"new").unwrap();
        out.abandon();
        assert!(target.join("old.html").exists());
        assert!(!target.join("a").exists());

        let out = Output::begin(&target).unwrap();
        out.write("a/index.html", b"new").unwrap();
        let known = HashSet::from(["old.html".to_string()]);
        let stats = out.commit(Some(&known), Some(b"{}")).unwrap();
        assert_eq!(
            stats,
            WriteStats {
                files: 1,
                written: 1,
                removed: 1
            }
        );
        assert!(!target.join("old.html").exists());
        assert_eq!(std::fs::read(Output::record_path(&target)).unwrap(), b"{}");
        assert_eq!(
            std::fs::read_to_string(target.join("a/index.html")).unwrap(),
            "new"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 2, "only the output and its record remain");
    }

    #[test]
    fn streamed_files_are_compared_too() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let fill = |text: &'static str| {
            move |w: &mut dyn std::io::Write| {
                for chunk in text.as_bytes().chunks(3) {
                    w.write_all(chunk)?;
                }
                Ok(())
            }
        };
        let out = Output::begin(&target).unwrap();
        out.put_stream("data/a.csv", &mut fill("甲,乙\n1,2\n"))
            .unwrap();
        assert_eq!(out.commit(None, None).unwrap().written, 1);
        let before = mtime(&target.join("data/a.csv"));
        std::thread::sleep(std::time::Duration::from_millis(20));

        let out = Output::begin(&target).unwrap();
        out.put_stream("data/a.csv", &mut fill("甲,乙\n1,2\n"))
            .unwrap();
        assert_eq!(out.commit(None, None).unwrap().written, 0);
        assert_eq!(mtime(&target.join("data/a.csv")), before);

        let out = Output::begin(&target).unwrap();
        out.put_stream("data/a.csv", &mut fill("甲,乙\n1,3\n"))
            .unwrap();
        assert_eq!(out.commit(None, None).unwrap().written, 1);
        assert_eq!(
            std::fs::read_to_string(target.join("data/a.csv")).unwrap(),
            "甲,乙\n1,3\n"
        );
    }

    #[test]
    fn unchanged_files_are_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let out = Output::begin(&target).unwrap();
        out.write("a/index.html", b"same").unwrap();
        out.write("b/index.html", b"before").unwrap();
        out.commit(None, None).unwrap();
        let (a0, b0) = (
            mtime(&target.join("a/index.html")),
            mtime(&target.join("b/index.html")),
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        let out = Output::begin(&target).unwrap();
        out.write("a/index.html", b"same").unwrap();
        out.write("b/index.html", b"after!").unwrap();
        let stats = out.commit(None, None).unwrap();
        assert_eq!(
            stats,
            WriteStats {
                files: 2,
                written: 1,
                removed: 0
            }
        );
        assert_eq!(mtime(&target.join("a/index.html")), a0);
        assert_ne!(mtime(&target.join("b/index.html")), b0);
        assert_eq!(
            std::fs::read(target.join("b/index.html")).unwrap(),
            b"after!"
        );
    }

    #[test]
    fn interrupted_commit_is_completed_by_the_next_build() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        std::fs::create_dir_all(target.join("gone")).unwrap();
        std::fs::write(target.join("gone/index.html"), "x").unwrap();
        std::fs::write(target.join("keep.html"), "k").unwrap();
        // A commit that stopped after writing its journal.
        let staging = sibling(&target, "staging");
        std::fs::create_dir_all(staging.join("new")).unwrap();
        std::fs::write(staging.join("new/index.html"), "n").unwrap();
        std::fs::write(staging.join(JOURNAL), r#"["gone/index.html"]"#).unwrap();
        let out = Output::begin(&target).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("new/index.html")).unwrap(),
            "n"
        );
        assert!(!target.join("gone").exists());
        assert!(target.join("keep.html").exists());
        out.abandon();
    }

    #[test]
    fn interrupted_render_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("index.html"), "kept").unwrap();
        let staging = sibling(&target, "staging");
        std::fs::create_dir_all(&staging).unwrap();
        std::fs::write(staging.join("index.html"), "half").unwrap();
        let out = Output::begin(&target).unwrap();
        out.abandon();
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "kept"
        );
    }

    #[test]
    fn refuses_to_escape() {
        let dir = tempfile::tempdir().unwrap();
        let out = Output::begin(&dir.path().join("p")).unwrap();
        assert!(out.write("../x", b"").is_err());
        assert!(out.write("a/../../x", b"").is_err());
        out.abandon();
    }

    #[test]
    fn files_not_known_to_be_ours_are_never_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("CNAME"), "example.org").unwrap();
        std::fs::write(target.join("old.html"), "ours").unwrap();
        let out = Output::begin(&target).unwrap();
        out.write("index.html", b"new").unwrap();
        assert_eq!(out.commit(None, None).unwrap().removed, 0);
        assert!(target.join("CNAME").exists() && target.join("old.html").exists());
        let out = Output::begin(&target).unwrap();
        out.write("index.html", b"new").unwrap();
        let known = HashSet::from(["old.html".to_string(), "index.html".to_string()]);
        assert_eq!(out.commit(Some(&known), None).unwrap().removed, 1);
        assert!(target.join("CNAME").exists() && !target.join("old.html").exists());
    }

    #[test]
    fn the_record_is_committed_with_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let record = Output::record_path(&target);
        let out = Output::begin(&target).unwrap();
        out.write("a.html", b"a").unwrap();
        out.commit(None, Some(b"first")).unwrap();
        assert_eq!(std::fs::read(&record).unwrap(), b"first");

        // A build that stops before its journal is written: neither the
        // output nor the record change.
        let out = Output::begin(&target).unwrap();
        out.write("b.html", b"b").unwrap();
        std::fs::write(out.staging.join(RECORD), "second").unwrap();
        std::mem::forget(out);
        let out = Output::begin(&target).unwrap();
        assert_eq!(std::fs::read(&record).unwrap(), b"first");
        assert!(!target.join("b.html").exists());
        out.abandon();

        // A build that stops after its journal: the next one completes the
        // commit, record included.
        let staging = sibling(&target, "staging");
        std::fs::create_dir_all(&staging).unwrap();
        std::fs::write(staging.join("b.html"), "b").unwrap();
        std::fs::write(staging.join(RECORD), "second").unwrap();
        std::fs::write(staging.join(JOURNAL), r#"["a.html"]"#).unwrap();
        let out = Output::begin(&target).unwrap();
        assert_eq!(std::fs::read(&record).unwrap(), b"second");
        assert!(target.join("b.html").exists() && !target.join("a.html").exists());
        out.abandon();
    }

    #[test]
    fn a_record_that_cannot_be_written_fails_the_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        std::fs::create_dir_all(target.join("x")).unwrap();
        std::fs::write(target.join("x/index.html"), "old").unwrap();
        std::fs::create_dir_all(Output::record_path(&target)).unwrap();
        let out = Output::begin(&target).unwrap();
        out.write("x/index.html", b"new").unwrap();
        assert!(out.commit(None, Some(b"r")).is_err());
        assert_eq!(std::fs::read(target.join("x/index.html")).unwrap(), b"old");
    }

    #[cfg(unix)]
    #[test]
    fn deletions_do_not_follow_a_link_out_of_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("keep.md"), "clerk's file").unwrap();
        std::fs::create_dir_all(&target).unwrap();
        std::os::unix::fs::symlink(&outside, target.join("old")).unwrap();
        let out = Output::begin(&target).unwrap();
        out.write("index.html", b"i").unwrap();
        let known = HashSet::from(["old/keep.md".to_string()]);
        out.commit(Some(&known), None).unwrap();
        assert!(outside.join("keep.md").exists());
    }
}
