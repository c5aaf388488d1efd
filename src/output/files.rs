//! File-system operations of the output stage: identities of files and
//! folders, the atomic folder exchange, hard links, removal of trees.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub(super) fn io_err(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Whether two files hold the same bytes (false if either is missing).
pub(super) fn same_content(a: &Path, b: &Path) -> bool {
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

/// A folder's identity, kept across renames: device and inode on Unix.
#[cfg(unix)]
pub(super) fn dir_id(p: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::symlink_metadata(p).ok().filter(|m| m.is_dir())?;
    Some((m.dev(), m.ino()))
}

/// A folder's identity, kept across renames: its creation time elsewhere.
#[cfg(not(unix))]
pub(super) fn dir_id(p: &Path) -> Option<(u64, u64)> {
    let m = std::fs::symlink_metadata(p).ok().filter(|m| m.is_dir())?;
    let t = m
        .created()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some((t.as_secs(), u64::from(t.subsec_nanos())))
}

/// A file's identity (device and inode) where the system has one.
pub(super) fn file_id(m: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        None
    }
}

/// Every file under `dir` (symbolic links as themselves), by `/`-separated
/// path, with its identity.
pub(super) fn files_with_ids(dir: &Path) -> std::io::Result<HashMap<String, Option<(u64, u64)>>> {
    let mut files = HashMap::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            io_err(&path, e.into())
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        let id = entry.metadata().ok().and_then(|m| file_id(&m));
        files.insert(crate::text::display_path(dir, entry.path()), id);
    }
    Ok(files)
}

pub(super) fn read_journal(path: &Path) -> Option<(u64, u64)> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

pub(super) fn exists(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok()
}

/// Remove `path` if it is there.
pub(super) fn remove_file_if_any(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(path, e)),
        _ => Ok(()),
    }
}

/// Remove the folder `dir` and everything in it (its top-level entries in
/// parallel: an old site is tens of thousands of files), if it is there.
pub(super) fn remove_tree(dir: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return match std::fs::symlink_metadata(dir) {
            Ok(_) => std::fs::remove_file(dir).map_err(|e| io_err(dir, e)),
            Err(_) => Ok(()),
        };
    };
    let entries: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    entries.par_iter().try_for_each(|p| {
        let is_dir = std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
        let removed = if is_dir {
            std::fs::remove_dir_all(p)
        } else {
            std::fs::remove_file(p)
        };
        match removed {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(p, e)),
            _ => Ok(()),
        }
    })?;
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(dir, e)),
        _ => Ok(()),
    }
}

/// Swap the folders `a` and `b` in one atomic step. `Ok(false)`: this
/// system or file system cannot.
#[cfg(target_os = "linux")]
pub(super) fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (ca, cb) = (c(a)?, c(b)?);
    // SAFETY: both paths are valid NUL-terminated strings that outlive the
    // call; renameat2 reads them and touches no other memory of ours.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(io_err(b, e)),
    }
}

#[cfg(not(target_os = "linux"))]
pub(super) fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Hard-link `from` at `to`, or copy it (with its modification time, so that
/// it still counts as unchanged) where the file system has no hard links.
pub(super) fn link_or_copy(from: &Path, to: &Path) -> std::io::Result<()> {
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(_) => {
            let meta = std::fs::symlink_metadata(from).map_err(|e| io_err(from, e))?;
            if meta.file_type().is_symlink() {
                #[cfg(unix)]
                {
                    let points_to = std::fs::read_link(from).map_err(|e| io_err(from, e))?;
                    return std::os::unix::fs::symlink(points_to, to).map_err(|e| io_err(to, e));
                }
            }
            std::fs::copy(from, to).map_err(|e| io_err(to, e))?;
            if let Ok(modified) = meta.modified() {
                let file = std::fs::OpenOptions::new().write(true).open(to);
                let _ = file.and_then(|f| f.set_modified(modified));
            }
            Ok(())
        }
    }
}
