//! Checked record files kept between builds, and the one place that decides
//! whether an earlier checked record is reused instead of read again.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::load::{RecordFile, Stamp};
use crate::model::{Record, RecordKind};

/// The checked result of one record file, kept between builds (`serve`) so
/// that an unchanged file is neither read nor checked again.
#[derive(Debug)]
pub struct CheckedRecord {
    pub path: std::path::PathBuf,
    pub stamp: Option<Stamp>,
    /// When the file was read: a file changed just before it was read may
    /// change again within the same timestamp tick, so it is not trusted.
    pub read_at: std::time::SystemTime,
    pub kind: RecordKind,
    pub place: usize,
    /// The record, or its id when it has errors (see `broken` below).
    pub record: Result<Record, String>,
    /// Every problem of the file, from reading and from checking.
    pub diags: Vec<Diagnostic>,
}

/// Checked record files by path, from the previous build.
pub type RecordCache = HashMap<std::path::PathBuf, Arc<CheckedRecord>>;

/// A record file to read and check, or the checked result of an earlier
/// read of the same unchanged file.
#[derive(Debug)]
pub enum RecordInput {
    Unread(RecordFile),
    Reused(Arc<CheckedRecord>),
}

/// Which of the found record `files` need reading, and which earlier results
/// in `cache` stand for them: the one place that decides reuse. A cached
/// result is reused when its file's stamp is unchanged; with `changed`
/// given (paths reported by the watcher since the cache was made), only
/// those files are looked at on disk at all. Without a cache (a one-off
/// build) every file is read and none is stamped.
pub fn reuse(
    files: Vec<RecordFile>,
    cache: Option<&RecordCache>,
    changed: Option<&[std::path::PathBuf]>,
) -> Vec<RecordInput> {
    let changed: Option<HashSet<&Path>> =
        changed.map(|c| c.iter().map(std::path::PathBuf::as_path).collect());
    files
        .into_par_iter()
        .map(|mut file| {
            let Some(cache) = cache else {
                return RecordInput::Unread(file);
            };
            let hit = cache.get(&file.path);
            if let (Some(changed), Some(hit)) = (&changed, hit) {
                if !changed.contains(file.path.as_path()) {
                    return RecordInput::Reused(hit.clone());
                }
            }
            file.stamp = Stamp::of(&file.path);
            if let Some(hit) = hit {
                let trusted = match (&file.stamp, &hit.stamp) {
                    (Some(now), Some(old)) => now.trusts(old, hit.read_at),
                    _ => false,
                };
                if trusted && hit.kind == file.kind && hit.place == file.place {
                    return RecordInput::Reused(hit.clone());
                }
            }
            RecordInput::Unread(file)
        })
        .collect()
}
