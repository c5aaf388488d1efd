//! Stage 5: the one place that touches the output directory.
//!
//! A build writes into a staging folder beside the target and swaps it in
//! only when everything succeeded, so a failed or interrupted build leaves
//! the previous output exactly as it was.

use std::path::{Path, PathBuf};

/// Where rendered pages go: the staging folder of a build, or memory for
/// the preview server.
pub trait PageSink {
    fn put(&self, rel: &str, bytes: Vec<u8>) -> std::io::Result<()>;
}

impl PageSink for Output {
    fn put(&self, rel: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.write(rel, &bytes)
    }
}

/// Pages kept in memory (path → bytes).
#[derive(Debug, Default)]
pub struct MemorySink {
    pub pages: std::sync::Mutex<Vec<(String, Vec<u8>)>>,
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

/// The staging folder of one build.
#[derive(Debug)]
pub struct Output {
    target: PathBuf,
    staging: PathBuf,
}

fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    target.with_file_name(format!(".{name}.yishi-{suffix}"))
}

impl Output {
    /// Prepare a fresh staging folder for `target`. Recovers from a swap
    /// that was interrupted between its two renames.
    pub fn begin(target: &Path) -> std::io::Result<Output> {
        let old = sibling(target, "old");
        if !target.exists() && old.exists() {
            std::fs::rename(&old, target)?;
        }
        if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        if let Some(parent) = target.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
        let staging = sibling(target, &format!("tmp-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging)?;
        }
        std::fs::create_dir_all(&staging)?;
        Ok(Output {
            target: target.to_path_buf(),
            staging,
        })
    }

    fn path_of(&self, rel: &str) -> std::io::Result<PathBuf> {
        let rel = rel.trim_start_matches('/');
        if rel.split('/').any(|s| s == ".." || s.contains('\\')) {
            return Err(std::io::Error::other(format!("unsafe output path {rel}")));
        }
        let p = self.staging.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        Ok(p)
    }

    /// Write a file at `rel` (a `/`-separated path under the output root).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        std::fs::write(self.path_of(rel)?, bytes)
    }

    /// Copy a file into the output at `rel`.
    pub fn copy(&self, rel: &str, from: &Path) -> std::io::Result<()> {
        std::fs::copy(from, self.path_of(rel)?).map(|_| ())
    }

    /// Swap the staged output in place of the target.
    pub fn commit(self) -> std::io::Result<()> {
        let old = sibling(&self.target, "old");
        if self.target.exists() {
            std::fs::rename(&self.target, &old)?;
        }
        std::fs::rename(&self.staging, &self.target)?;
        if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        Ok(())
    }

    /// Throw the staged output away (the target is untouched).
    pub fn abandon(self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

        let out = Output::begin(&target).unwrap();
        out.write("a/index.html", b"new").unwrap();
        out.commit().unwrap();
        assert!(!target.join("old.html").exists());
        assert_eq!(
            std::fs::read_to_string(target.join("a/index.html")).unwrap(),
            "new"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn interrupted_swap_is_recovered() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let old = sibling(&target, "old");
        std::fs::create_dir_all(&old).unwrap();
        std::fs::write(old.join("index.html"), "kept").unwrap();
        let out = Output::begin(&target).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).unwrap(),
            "kept"
        );
        out.abandon();
    }

    #[test]
    fn refuses_to_escape() {
        let dir = tempfile::tempdir().unwrap();
        let out = Output::begin(&dir.path().join("p")).unwrap();
        assert!(out.write("../x", b"").is_err());
        out.abandon();
    }
}
