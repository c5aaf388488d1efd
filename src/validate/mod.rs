//! Stage 2: turn loaded YAML into typed places and records, checking every
//! rule of the content model, and resolve references between records.
//!
//! Every problem is collected; nothing stops at the first one.
//!
//! [`validate`] runs the stage in this order:
//!
//! 1. Places (`places`): each folder of `content/` and its `_place.yaml`,
//!    parents before children, then each place's children sorted.
//! 2. Attachment file names, which appear in addresses: no personal
//!    numbers.
//! 3. Record files, in parallel and independently of each other: each one
//!    read from disk, or its earlier result reused (`cache`, decided only by
//!    [`reuse`]); personal numbers looked for in the file as written and in
//!    its decoded YAML (`personal`); its fields read through `fields` by the
//!    rules of its kind (`records`).
//! 4. The whole site: an id used twice reported (drafts included), drafts
//!    left out unless asked for, records sorted by id, every file under a
//!    `files/` folder checked (`records`), and references between records
//!    resolved (`refs`).
//!
//! Invariants:
//!
//! - A record that cannot be built (its file unreadable, a required field
//!   missing or wrong) is left out of the site, and references to it are not
//!   reported again: its own error says what is wrong.
//! - When the site masks personal numbers, the YAML tree is masked before
//!   any field is read, so every field sees only the masked text; anything
//!   that cannot be masked (file and folder names, keys, and `site.toml`,
//!   checked apart by [`privacy_of_site_toml`]) is an error.
//! - The records of the returned [`Site`] are sorted by id, each id once.
//! - A reused record brings its diagnostics with it: a file's problems are
//!   reported on every build until the file is fixed.

mod cache;
mod fields;
mod personal;
mod places;
mod records;
mod refs;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

pub use self::cache::{reuse, CheckedRecord, RecordCache, RecordInput};
use self::fields::Fields;
pub use self::personal::privacy_of_site_toml;
use self::personal::{privacy_in_file, privacy_values};
use self::places::validate_places;
pub use self::records::is_active_attachment;
use self::records::{check_attachments, record_from};
use self::refs::resolve;
use crate::config::SiteConfig;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::Loaded;
use crate::model::{Record, Site};
use crate::privacy;

/// How to validate.
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    /// Keep drafts (they are checked either way).
    pub drafts: bool,
    /// Return the checked files for the next build (the preview server's);
    /// else the cache is empty and records are moved rather than copied.
    pub keep_cache: bool,
    /// Where bodies are kept (`model::Body`): on disk is the large-site
    /// memory policy of one-off builds (`build::SiteOptions::lean_above`),
    /// packed the preview's (`build::SiteOptions::preview_packs_bodies_above`).
    pub bodies: crate::model::Bodies,
}

/// Validate everything loaded.
pub fn validate(
    root: &Path,
    loaded: Loaded,
    inputs: Vec<RecordInput>,
    config: &SiteConfig,
    mode: Mode,
    diags: &mut Diagnostics,
) -> (Site, RecordCache) {
    let Mode {
        drafts: include_drafts,
        keep_cache,
        bodies,
    } = mode;
    let places = validate_places(&loaded, config, diags);
    // Attachment names are part of addresses: no mask possible.
    for a in &loaded.attachments {
        if let Some(fd) = privacy::scan(&a.rel).first() {
            diags.push(
                Diagnostic::error(
                    format!("content/{}", a.rel),
                    None,
                    format!("附件文件名中含有疑似{}", fd.kind.label()),
                )
                .with_hint("文件名会出现在网址中，无法打码；请改名"),
            );
        }
    }
    let place_index: HashMap<String, usize> = places
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id(), i))
        .collect();

    let checked: Vec<(std::path::PathBuf, Arc<CheckedRecord>)> = inputs
        .into_par_iter()
        .map(|input| match input {
            RecordInput::Reused(c) => (c.path.clone(), c),
            RecordInput::Unread(file) => check_file(root, file, &places, config, bodies),
        })
        .collect();
    // Ids of records that failed to validate: references to them are not
    // reported again (the record's own error says what is wrong).
    let mut broken: HashSet<String> = HashSet::new();
    for (_, c) in &checked {
        diags.extend(c.diags.iter().cloned());
        if let Err(id) = &c.record {
            broken.insert(id.clone());
        }
    }
    let mut cache = RecordCache::new();
    let all: Vec<Record> = if keep_cache {
        // Cloned out (in parallel): the cache keeps its copy for next time.
        let all = checked
            .par_iter()
            .filter_map(|(_, c)| c.record.as_ref().ok().cloned())
            .collect();
        cache.extend(checked);
        all
    } else {
        // A one-off build: move the records out instead of copying them.
        checked
            .into_par_iter()
            .filter_map(|(_, c)| match Arc::try_unwrap(c) {
                Ok(c) => c.record.ok(),
                Err(shared) => shared.record.as_ref().ok().cloned(),
            })
            .collect()
    };

    // Ids are unique across the site, drafts included.
    let mut first_of: HashMap<&str, &Record> = HashMap::new();
    for r in &all {
        if let Some(prev) = first_of.insert(&r.id, r) {
            diags.push(
                Diagnostic::error(
                    r.file.clone(),
                    None,
                    format!("记录标识 `{}` 与另一个文件重复", r.id),
                )
                .also_at(prev.file.clone(), None)
                .with_hint("同一地点的记录文件名不能相同（议题、会议、成果之间也不能相同）；请改名其中一个"),
            );
        }
    }
    let drafts: HashMap<String, String> = all
        .iter()
        .filter(|r| r.draft && !include_drafts)
        .map(|r| (r.id.clone(), r.file.clone()))
        .collect();
    // Sort by id through an index, so that each (large) record moves once.
    let mut kept: Vec<Option<Record>> = all
        .into_iter()
        .filter(|r| include_drafts || !r.draft)
        .map(Some)
        .collect();
    let mut order: Vec<usize> = (0..kept.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (kept[a].as_ref(), kept[b].as_ref());
        ra.map(|r| &r.id).cmp(&rb.map(|r| &r.id))
    });
    let mut records: Vec<Record> = order.into_iter().filter_map(|i| kept[i].take()).collect();
    records.dedup_by(|a, b| a.id == b.id);

    check_attachments(&loaded.attachments, diags);
    let mut site = Site {
        places,
        records: records.into_iter().map(Arc::new).collect(),
        attachments: loaded.attachments,
    };
    resolve(&mut site, &place_index, &drafts, &broken, diags);
    (site, cache)
}

/// Read and check one record file on its own (without the references
/// between records, which `validate` resolves for the whole site).
pub fn check_file(
    root: &Path,
    file: crate::load::RecordFile,
    places: &[crate::model::Place],
    config: &SiteConfig,
    bodies: crate::model::Bodies,
) -> (std::path::PathBuf, Arc<CheckedRecord>) {
    let r = match crate::load::read(root, &file) {
        Ok(r) => r,
        Err(d) => {
            // Unreadable (not UTF-8, gone): reported, never cached
            // as good (no stamp), and not reported again through
            // references to it.
            let stem = file
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let p = places[file.place].id();
            let id = if p.is_empty() {
                stem
            } else {
                format!("{p}/{stem}")
            };
            let c = CheckedRecord {
                path: file.path.clone(),
                stamp: None,
                read_at: std::time::SystemTime::UNIX_EPOCH,
                kind: file.kind,
                place: file.place,
                record: Err(id),
                diags: vec![d],
            };
            return (file.path, Arc::new(c));
        }
    };
    let mut r = r;
    let (raw_privacy, seen) = privacy_in_file(&r.front, r.body.len(), config.privacy);
    let value_privacy = privacy_values(&mut r.front, config.privacy, &seen);
    let mut f = Fields::new(&r.front, config.privacy);
    let place = &places[r.place];
    let rec = record_from(root, &r, place, config, bodies, &mut f).ok_or_else(|| {
        let p = place.id();
        if p.is_empty() {
            r.stem.clone()
        } else {
            format!("{p}/{}", r.stem)
        }
    });
    let mut all_diags = r.diags;
    all_diags.extend(f.diags);
    all_diags.extend(raw_privacy);
    all_diags.extend(value_privacy);
    let c = CheckedRecord {
        path: r.path.clone(),
        stamp: r.stamp,
        read_at: r.read_at,
        kind: r.kind,
        place: r.place,
        record: rec,
        diags: all_diags,
    };
    (r.path, Arc::new(c))
}
