//! Stage 5: the one place that touches the output directory.
//!
//! A reader of the output (a web server, a person) sees either the
//! previous site or the new one, never a mix, whatever moment the build
//! dies at. Beside the output, the staging folder (`.public.yishi-staging`)
//! holds the previous version of the site as hard links (the spare). A
//! build writes its new and changed files there as new files, makes the
//! rest equal to the output by relinking only files whose inode differs
//! (work in proportion to the change), and one system call publishes it:
//! an atomic exchange of the two folders (`renameat2` with
//! `RENAME_EXCHANGE` on Linux), so the output stays a plain folder and the
//! host needs nothing special. Where the system cannot exchange, two
//! renames do it (the output is briefly absent, never mixed). The old site,
//! now under the staging name, is the next build's spare.
//!
//! Unchanged files keep their inode and modification time (rsync and CDN
//! uploads send only what changed); a rebuild that changes nothing writes
//! nothing at all. The record of what the output holds (beside it, not
//! published) is committed with the exchange through a small journal that
//! names the new folder by its inode: after a crash, the next build can tell
//! whether the exchange happened and completes or undoes it before doing
//! anything else.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

mod files;
use self::files::*;

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
    /// The files this build wrote into the staging folder (new inodes).
    staged: Mutex<HashSet<String>>,
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

/// The journal of a publish in progress, beside the output: the device
/// and inode of the folder being published.
const JOURNAL: &str = "commit";

/// Where the previous output goes while two plain renames publish a new one
/// (systems without an atomic exchange).
const OLD: &str = "old";

/// What [`Output::recover`] found left by an interrupted build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovered {
    /// Nothing: the last build finished.
    Nothing,
    /// A build died while preparing the new site in the staging folder
    /// (named here): what it wrote there is never published; the output
    /// was never touched.
    DroppedStaging(PathBuf),
    /// A build died just after publishing: its bookkeeping was completed.
    FinishedPublish,
    /// A build died between the two renames of a publish without atomic
    /// exchange: the new site was put in place.
    CompletedPublish,
}

impl Output {
    /// Where the record of what `target` holds lives: beside it, not in it
    /// (it is not published). Written only by [`Output::commit`].
    pub fn record_path(target: &Path) -> PathBuf {
        sibling(target, "pages.json")
    }

    /// The record of a publish in progress, moved to [`Output::record_path`]
    /// once the new site is in place.
    fn next_record_path(target: &Path) -> PathBuf {
        sibling(target, "pages.json.next")
    }

    /// The staging folder of a build of `target` (hidden, beside it).
    pub fn staging_path(target: &Path) -> PathBuf {
        sibling(target, "staging")
    }

    /// The marker of a build in progress, beside the output: found by the
    /// next build, it tells that one died.
    fn marker_path(target: &Path) -> PathBuf {
        sibling(target, "building")
    }

    /// Prepare a build of `target`, after completing or undoing whatever an
    /// interrupted build left (see [`Output::recover`]). The staging folder
    /// is the previous version of the site, kept by the last publish: the
    /// new version is made from it by changing only what differs.
    pub fn begin(target: &Path) -> std::io::Result<Output> {
        Self::recover(target)?;
        let staging = Self::staging_path(target);
        let fresh = !target.exists();
        if fresh {
            // Nothing to make it a version of.
            remove_tree(&staging)?;
        }
        std::fs::create_dir_all(&staging).map_err(|e| io_err(&staging, e))?;
        let marker = Self::marker_path(target);
        std::fs::write(&marker, b"").map_err(|e| io_err(&marker, e))?;
        Ok(Output {
            target: target.to_path_buf(),
            fresh,
            dirs: Mutex::new(HashSet::from([staging.clone()])),
            staging,
            produced: Mutex::new(HashMap::new()),
            written: Mutex::new(0),
            staged: Mutex::new(HashSet::new()),
        })
    }

    /// Put right what an interrupted build left beside `target`: a publish
    /// whose journal shows the new site in place gets its record committed;
    /// one that died between two renames is completed; a staging folder
    /// that was never published stays a spare (the next publish makes it
    /// equal to the output first, file by file). Run before the record is
    /// read.
    pub fn recover(target: &Path) -> std::io::Result<Recovered> {
        let staging = Self::staging_path(target);
        let journal = sibling(target, JOURNAL);
        let old = sibling(target, OLD);
        if let Some(id) = read_journal(&journal) {
            if dir_id(target) == Some(id) {
                Self::finish_publish(target)?;
                return Ok(Recovered::FinishedPublish);
            }
            if !exists(target) && dir_id(&staging) == Some(id) {
                std::fs::rename(&staging, target).map_err(|e| io_err(target, e))?;
                Self::finish_publish(target)?;
                return Ok(Recovered::CompletedPublish);
            }
            // The new site was never put in place: it stays unpublished.
            remove_file_if_any(&Self::next_record_path(target))?;
            remove_file_if_any(&journal)?;
        }
        if !exists(target) && old.is_dir() {
            std::fs::rename(&old, target).map_err(|e| io_err(target, e))?;
        }
        remove_tree(&old)?;
        remove_file_if_any(&Self::next_record_path(target))?;
        let marker = Self::marker_path(target);
        if exists(&marker) {
            remove_file_if_any(&marker)?;
            return Ok(Recovered::DroppedStaging(staging));
        }
        Ok(Recovered::Nothing)
    }

    /// After the new site is in place: commit its record, close the
    /// journal; the previous site (under the staging name) is kept as the
    /// spare the next build starts from. Safe to run again.
    fn finish_publish(target: &Path) -> std::io::Result<()> {
        let next = Self::next_record_path(target);
        if next.is_file() {
            let record = Self::record_path(target);
            std::fs::rename(&next, &record).map_err(|e| io_err(&record, e))?;
        }
        remove_file_if_any(&sibling(target, JOURNAL))?;
        let (old, staging) = (sibling(target, OLD), Self::staging_path(target));
        if old.is_dir() && !exists(&staging) {
            std::fs::rename(&old, &staging).map_err(|e| io_err(&staging, e))?;
        }
        remove_tree(&old)?;
        remove_file_if_any(&Self::marker_path(target))
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

    /// The staging path for a new file at `rel`: its folder made, and
    /// whatever the spare held there removed first, so that the file is
    /// written as a new inode (the spare's files are hard links of the
    /// published ones, which must never change in place).
    fn stage(&self, rel: &str) -> std::io::Result<PathBuf> {
        let p = self.staging.join(rel);
        if let Some(parent) = p.parent() {
            if let Err(e) = self.make_dir(parent) {
                // The spare has a file where a folder is now needed.
                if !self.clear_ancestors(parent) {
                    return Err(e);
                }
                self.make_dir(parent)?;
            }
        }
        // A first build stages into a folder it made empty: nothing to
        // remove, so no look-up (one system call less per file).
        if !self.fresh {
            match std::fs::symlink_metadata(&p) {
                Ok(m) if m.is_dir() => remove_tree(&p)?,
                Ok(_) => std::fs::remove_file(&p).map_err(|e| io_err(&p, e))?,
                Err(_) => {}
            }
        }
        if let Ok(mut n) = self.written.lock() {
            *n += 1;
        }
        if let Ok(mut staged) = self.staged.lock() {
            staged.insert(rel.to_string());
        }
        Ok(p)
    }

    /// Remove the files of the staging folder that stand where `dir`'s
    /// folders should be. Whether any was removed.
    fn clear_ancestors(&self, dir: &Path) -> bool {
        let mut cleared = false;
        for d in dir.ancestors().take_while(|d| d.starts_with(&self.staging)) {
            if std::fs::symlink_metadata(d).is_ok_and(|m| !m.is_dir()) {
                cleared |= std::fs::remove_file(d).is_ok();
            }
        }
        cleared
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
            if let Ok(mut staged) = self.staged.lock() {
                staged.remove(rel);
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

    /// Publish the new site: make the staging folder equal to the output
    /// wherever the build did not write or remove a file
    /// ([`Output::sync_spare`]), then exchange it with the output in one
    /// step, with `record` (the new record of what the output holds, see
    /// [`Output::record_path`]). A build that wrote and removed nothing
    /// publishes nothing (only a changed record is put in place). On an
    /// error before the exchange the output is as it was.
    ///
    /// `known` lists the files the previous build recorded as its own: only
    /// those are ever removed. `None` (nothing is known to be ours) removes
    /// nothing, so files a host or a person put in the folder survive.
    pub fn commit(
        self,
        known: Option<&HashSet<String>>,
        record: Option<&[u8]>,
    ) -> std::io::Result<WriteStats> {
        // Nothing reads the produced files after this: taken, not copied (a
        // large site produces hundreds of thousands).
        let produced = self
            .produced
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default();
        let written = self.written();
        let stale: HashSet<String> = match known {
            Some(known) if self.target.is_dir() => known
                .iter()
                .filter(|rel| {
                    !produced.contains_key(*rel)
                        && std::fs::symlink_metadata(self.target.join(rel))
                            .is_ok_and(|m| !m.is_dir())
                })
                .cloned()
                .collect(),
            _ => HashSet::new(),
        };
        let stats = WriteStats {
            files: produced.len(),
            written,
            removed: stale.len(),
        };
        let record_path = Self::record_path(&self.target);
        if record.is_some() && std::fs::symlink_metadata(&record_path).is_ok_and(|m| !m.is_file()) {
            self.abandon();
            return Err(io_err(
                &record_path,
                std::io::Error::other("不是普通文件，无法记录输出内容"),
            ));
        }
        let fresh = !exists(&self.target);
        if !fresh && written == 0 && stale.is_empty() {
            // The site is unchanged: only its record may be.
            let result = record.map_or(Ok(()), |bytes| {
                let next = Self::next_record_path(&self.target);
                std::fs::write(&next, bytes)
                    .and_then(|()| std::fs::rename(&next, &record_path))
                    .map_err(|e| io_err(&record_path, e))
            });
            self.abandon();
            return result.map(|()| stats);
        }
        match self.publish(fresh, &stale, record) {
            Ok(()) => Ok(stats),
            Err(e) => {
                // Whether or not the exchange happened, recovery puts the
                // output, its record and the staging folder right.
                let _ = Self::recover(&self.target);
                Err(e)
            }
        }
    }

    fn publish(
        &self,
        fresh: bool,
        stale: &HashSet<String>,
        record: Option<&[u8]>,
    ) -> std::io::Result<()> {
        if !fresh {
            self.sync_spare(stale)?;
            // The new version of the folder gets the old one's permissions
            // (and owner, where allowed): a host may rely on them.
            if let Ok(meta) = std::fs::metadata(&self.target) {
                let _ = std::fs::set_permissions(&self.staging, meta.permissions());
                #[cfg(unix)]
                {
                    use std::os::unix::fs::MetadataExt;
                    let _ =
                        std::os::unix::fs::chown(&self.staging, Some(meta.uid()), Some(meta.gid()));
                }
            }
        }
        if let Some(bytes) = record {
            let next = Self::next_record_path(&self.target);
            std::fs::write(&next, bytes).map_err(|e| io_err(&next, e))?;
        }
        let id = dir_id(&self.staging)
            .ok_or_else(|| io_err(&self.staging, std::io::Error::other("暂存文件夹不见了")))?;
        let journal = sibling(&self.target, JOURNAL);
        let journal_bytes = serde_json::to_vec(&id).map_err(std::io::Error::other)?;
        std::fs::write(&journal, journal_bytes).map_err(|e| io_err(&journal, e))?;
        if fresh {
            std::fs::rename(&self.staging, &self.target).map_err(|e| io_err(&self.target, e))?;
        } else if !exchange(&self.staging, &self.target)? {
            // Two renames: between them the output is absent, never mixed;
            // recovery completes the second one.
            let old = sibling(&self.target, OLD);
            std::fs::rename(&self.target, &old).map_err(|e| io_err(&self.target, e))?;
            std::fs::rename(&self.staging, &self.target).map_err(|e| io_err(&self.target, e))?;
        }
        Self::finish_publish(&self.target)
    }

    /// Make the staging folder (the spare: the previous version of the
    /// site, plus what this build wrote) the whole new site, touching only
    /// what differs: every file of the output that the build neither wrote
    /// anew nor removes is (or becomes) a hard link of the published one;
    /// whatever else the spare holds goes. A file already linked (same
    /// inode) is left alone, so a rebuild that changed ten files makes about
    /// ten changes here, not one per file of the site.
    fn sync_spare(&self, stale: &HashSet<String>) -> std::io::Result<()> {
        use rayon::prelude::*;
        let staged = self.staged.lock().map(|s| s.clone()).unwrap_or_default();
        let current = files_with_ids(&self.target)?;
        // What the new site does not have.
        let spare = files_with_ids(&self.staging).unwrap_or_default();
        let removed: Vec<&String> = spare
            .par_iter()
            .filter(|(rel, _)| {
                !staged.contains(*rel) && (!current.contains_key(*rel) || stale.contains(*rel))
            })
            .map(|(rel, _)| rel)
            .collect();
        removed
            .par_iter()
            .try_for_each(|rel| remove_file_if_any(&self.staging.join(rel)))?;
        // What differs from the output.
        current.par_iter().try_for_each(|(rel, id)| {
            if stale.contains(rel) || staged.contains(rel) {
                return Ok(());
            }
            let to = self.staging.join(rel);
            match std::fs::symlink_metadata(&to) {
                Ok(m) if !m.is_dir() && id.is_some() && file_id(&m) == *id => return Ok(()),
                Ok(m) if m.is_dir() => remove_tree(&to)?,
                Ok(_) => remove_file_if_any(&to)?,
                Err(_) => {}
            }
            if let Some(parent) = to.parent() {
                if let Err(e) = self.make_dir(parent) {
                    // A file of the new site stands where this one needs a
                    // folder: the new site wins. A leftover of the spare
                    // there goes.
                    let blocked_by_new = parent
                        .ancestors()
                        .take_while(|d| d.starts_with(&self.staging) && *d != self.staging)
                        .any(|d| {
                            std::fs::symlink_metadata(d).is_ok_and(|m| !m.is_dir())
                                && staged.contains(&crate::text::display_path(&self.staging, d))
                        });
                    if blocked_by_new {
                        return Ok(());
                    }
                    if !self.clear_ancestors(parent) {
                        return Err(e);
                    }
                    self.make_dir(parent)?;
                }
            }
            link_or_copy(&self.target.join(rel), &to)
        })?;
        // Folders the removals left empty.
        let mut dirs: Vec<&Path> = removed
            .iter()
            .filter_map(|rel| Path::new(rel.as_str()).parent())
            .flat_map(|d| d.ancestors())
            .filter(|d| !d.as_os_str().is_empty())
            .collect();
        dirs.sort_unstable_by_key(|d| std::cmp::Reverse(d.components().count()));
        dirs.dedup();
        for d in dirs {
            let _ = std::fs::remove_dir(self.staging.join(d));
        }
        Ok(())
    }

    /// Throw the staged output away (the target is untouched).
    /// The staging folder keeps the spare; only what this build wrote goes
    /// (a full disk gets its space back), and a staging folder left with no
    /// file is removed.
    pub fn abandon(self) {
        let staged = self.staged.into_inner().unwrap_or_default();
        for rel in &staged {
            let _ = std::fs::remove_file(self.staging.join(rel));
        }
        let holds_a_file = walkdir::WalkDir::new(&self.staging)
            .into_iter()
            .filter_map(Result::ok)
            .any(|e| !e.file_type().is_dir());
        if !holds_a_file {
            let _ = remove_tree(&self.staging);
        }
        let _ = std::fs::remove_file(Self::marker_path(&self.target));
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
        // Beside them, the previous version: the spare the next build
        // starts from.
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 3, "the output, its record and the spare");
        let spare = Output::staging_path(&target);
        assert_eq!(std::fs::read(spare.join("old.html")).unwrap(), b"old");
        assert!(!spare.join("a").exists());
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

    /// A site in `target`: `files` (path, content).
    fn site(target: &Path, files: &[(&str, &str)]) {
        for (rel, text) in files {
            let p = target.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    /// Stage a build of `target` that writes `files` and stop just before
    /// the exchange (journal and record written), as a kill there would.
    fn staged_to_the_brink(target: &Path, files: &[(&str, &str)], record: &[u8]) -> PathBuf {
        let out = Output::begin(target).unwrap();
        for (rel, text) in files {
            out.write(rel, text.as_bytes()).unwrap();
        }
        out.sync_spare(&HashSet::new()).unwrap();
        std::fs::write(Output::next_record_path(target), record).unwrap();
        let id = dir_id(&out.staging).unwrap();
        std::fs::write(sibling(target, JOURNAL), serde_json::to_vec(&id).unwrap()).unwrap();
        let staging = out.staging.clone();
        std::mem::forget(out);
        staging
    }

    #[test]
    fn a_kill_before_the_exchange_leaves_the_old_site_and_is_undone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        site(&target, &[("a.html", "old"), ("b/index.html", "b")]);
        std::fs::write(Output::record_path(&target), "first").unwrap();
        staged_to_the_brink(&target, &[("a.html", "new")], b"second");
        assert_eq!(std::fs::read(target.join("a.html")).unwrap(), b"old");
        assert_eq!(
            Output::recover(&target).unwrap(),
            Recovered::DroppedStaging(Output::staging_path(&target))
        );
        assert_eq!(std::fs::read(target.join("a.html")).unwrap(), b"old");
        assert_eq!(
            std::fs::read(Output::record_path(&target)).unwrap(),
            b"first"
        );
        assert!(!Output::marker_path(&target).exists());
        // The next build publishes exactly its own site from that spare.
        let out = Output::begin(&target).unwrap();
        out.write("c.html", b"c").unwrap();
        out.commit(None, None).unwrap();
        assert_eq!(std::fs::read(target.join("a.html")).unwrap(), b"old");
        assert_eq!(std::fs::read(target.join("b/index.html")).unwrap(), b"b");
        assert_eq!(std::fs::read(target.join("c.html")).unwrap(), b"c");
        let mut names: Vec<String> = walkdir::WalkDir::new(&target)
            .min_depth(1)
            .into_iter()
            .map(|e| {
                e.unwrap()
                    .path()
                    .strip_prefix(&target)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        names.sort();
        assert_eq!(names, ["a.html", "b", "b/index.html", "c.html"]);
    }

    #[test]
    fn a_kill_after_the_exchange_is_finished_by_the_next_build() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        site(&target, &[("a.html", "old"), ("b/index.html", "b")]);
        std::fs::write(Output::record_path(&target), "first").unwrap();
        let staging = staged_to_the_brink(&target, &[("a.html", "new")], b"second");
        assert!(
            exchange(&staging, &target).unwrap(),
            "this file system exchanges"
        );
        assert_eq!(std::fs::read(target.join("a.html")).unwrap(), b"new");
        assert_eq!(std::fs::read(target.join("b/index.html")).unwrap(), b"b");
        assert_eq!(
            Output::recover(&target).unwrap(),
            Recovered::FinishedPublish
        );
        assert_eq!(
            std::fs::read(Output::record_path(&target)).unwrap(),
            b"second"
        );
        assert!(!sibling(&target, JOURNAL).exists());
        assert_eq!(std::fs::read(staging.join("a.html")).unwrap(), b"old");
    }

    #[test]
    fn a_kill_between_two_renames_is_completed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        site(&target, &[("a.html", "old")]);
        let staging = staged_to_the_brink(&target, &[("a.html", "new")], b"second");
        std::fs::rename(&target, sibling(&target, OLD)).unwrap();
        assert_eq!(
            Output::recover(&target).unwrap(),
            Recovered::CompletedPublish
        );
        assert_eq!(std::fs::read(target.join("a.html")).unwrap(), b"new");
        assert_eq!(
            std::fs::read(Output::record_path(&target)).unwrap(),
            b"second"
        );
        assert!(!sibling(&target, OLD).exists());
        assert_eq!(std::fs::read(staging.join("a.html")).unwrap(), b"old");
    }

    #[test]
    fn a_publish_touches_only_what_differs_in_the_spare() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let spare = Output::staging_path(&target);
        let build = |files: &[(&str, &str)], known: &[&str]| {
            let out = Output::begin(&target).unwrap();
            for (rel, text) in files {
                out.write(rel, text.as_bytes()).unwrap();
            }
            let known: HashSet<String> = known.iter().map(|s| s.to_string()).collect();
            out.commit(Some(&known), None).unwrap();
        };
        let all = ["a/index.html", "b/index.html", "c/index.html"];
        build(
            &[
                ("a/index.html", "a"),
                ("b/index.html", "b"),
                ("c/index.html", "c"),
            ],
            &[],
        );
        build(
            &[
                ("a/index.html", "a"),
                ("b/index.html", "b2"),
                ("c/index.html", "c"),
            ],
            &all,
        );
        // The spare is version 1; the output version 2.
        let ino = |p: &Path| std::fs::metadata(p).unwrap().ino();
        let a_published = ino(&target.join("a/index.html"));
        assert_eq!(ino(&spare.join("a/index.html")), a_published);
        // Version 3: c goes, d comes, b changes back.
        build(
            &[
                ("a/index.html", "a"),
                ("b/index.html", "b3"),
                ("d/index.html", "d"),
            ],
            &all,
        );
        assert_eq!(
            ino(&target.join("a/index.html")),
            a_published,
            "a untouched"
        );
        assert_eq!(std::fs::read(target.join("b/index.html")).unwrap(), b"b3");
        assert!(!target.join("c").exists(), "c and its folder are gone");
        assert_eq!(std::fs::read(target.join("d/index.html")).unwrap(), b"d");
        // The spare is now exactly version 2.
        assert_eq!(std::fs::read(spare.join("b/index.html")).unwrap(), b"b2");
        assert_eq!(std::fs::read(spare.join("c/index.html")).unwrap(), b"c");
        assert!(!spare.join("d").exists());
    }

    #[test]
    fn unchanged_files_are_hard_links_of_the_old_ones() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let out = Output::begin(&target).unwrap();
        out.write("a/index.html", b"same").unwrap();
        out.write("b/index.html", b"before").unwrap();
        out.commit(None, None).unwrap();
        let ino = |rel: &str| std::fs::metadata(target.join(rel)).unwrap().ino();
        let (a0, b0, root0) = (ino("a/index.html"), ino("b/index.html"), ino(""));
        let out = Output::begin(&target).unwrap();
        out.write("a/index.html", b"same").unwrap();
        out.write("b/index.html", b"after").unwrap();
        out.commit(None, None).unwrap();
        assert_eq!(ino("a/index.html"), a0, "unchanged: the same file");
        assert_ne!(ino("b/index.html"), b0);
        assert_ne!(ino(""), root0, "a new folder was published");
        // Nothing changed: nothing is published.
        let out = Output::begin(&target).unwrap();
        out.write("a/index.html", b"same").unwrap();
        out.write("b/index.html", b"after").unwrap();
        let root1 = ino("");
        assert_eq!(out.commit(None, Some(b"r")).unwrap().written, 0);
        assert_eq!(ino(""), root1);
        assert_eq!(std::fs::read(Output::record_path(&target)).unwrap(), b"r");
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

        // A build that stops before publishing: neither the output nor
        // the record change.
        let out = Output::begin(&target).unwrap();
        out.write("b.html", b"b").unwrap();
        std::fs::write(Output::next_record_path(&target), "second").unwrap();
        std::mem::forget(out);
        let out = Output::begin(&target).unwrap();
        assert_eq!(std::fs::read(&record).unwrap(), b"first");
        assert!(!target.join("b.html").exists());
        assert!(!Output::next_record_path(&target).exists());
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
