//! Reading the site's files without following links or blocking: a record
//! or attachment is read only if it is a regular file at the moment it is
//! opened, so a symbolic link swapped in after the walk (to `/etc/passwd`,
//! `/dev/zero`) or a FIFO (which would block forever) is refused, never
//! read. A leaf module: it knows nothing of the pipeline.

use std::io::Read;
use std::path::Path;

/// Why a path is not something yishi reads.
fn refused(path: &Path, what: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("{}：{what}", path.display()),
    )
}

/// Open `path` for reading only if it is a regular file, not through a
/// symbolic link (in its last component), without blocking on a FIFO.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(refused(path, "是符号链接，不会被读取"));
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return refused(path, "是符号链接，不会被读取");
        }
        e
    })?;
    if !file.metadata()?.is_file() {
        return Err(refused(
            path,
            "不是普通文件（如管道、设备或文件夹），不会被读取",
        ));
    }
    Ok(file)
}

/// The bytes of the regular file at `path` (see [`open_regular`]).
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = open_regular(path)?;
    let mut bytes = Vec::with_capacity(file.metadata().map_or(0, |m| m.len() as usize));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The bytes of the regular file at `path` (see [`open_regular`]), if it
/// holds at most `limit` bytes: a larger one fails with
/// [`std::io::ErrorKind::FileTooLarge`] before anything is read (and if it
/// grows past `limit` while read, once `limit + 1` bytes are in).
pub fn read_regular_at_most(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let len = file.metadata()?.len();
    let too_large = || {
        std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!("{}：超过 {limit} 字节", path.display()),
        )
    };
    if len > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// What kind of entry a walk met, without following a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    File,
    Dir,
    /// A symbolic link: never followed, whatever it points at.
    Link,
    /// A FIFO, socket or device.
    Special,
}

impl Entry {
    pub fn of(ft: std::fs::FileType) -> Entry {
        if ft.is_symlink() {
            Entry::Link
        } else if ft.is_dir() {
            Entry::Dir
        } else if ft.is_file() {
            Entry::File
        } else {
            Entry::Special
        }
    }

    /// The kind of `path` itself (a link is not followed); `None` if absent.
    pub fn at(path: &Path) -> Option<Entry> {
        std::fs::symlink_metadata(path)
            .ok()
            .map(|m| Entry::of(m.file_type()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn links_and_fifos_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.md");
        std::fs::write(&file, "text").unwrap();
        assert_eq!(read_regular(&file).unwrap(), b"text");
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink("/etc/passwd", &link).unwrap();
        assert!(read_regular(&link).is_err());
        assert_eq!(Entry::at(&link), Some(Entry::Link));
        let zero = dir.path().join("zero.md");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(read_regular(&zero).is_err());
        let fifo = dir.path().join("fifo.md");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // Returns at once instead of waiting for a writer.
            assert!(read_regular(&fifo).is_err());
            assert_eq!(Entry::at(&fifo), Some(Entry::Special));
        }
        assert!(read_regular(dir.path()).is_err());
        assert_eq!(read_regular_at_most(&file, 4).unwrap(), b"text");
        let e = read_regular_at_most(&file, 3).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::FileTooLarge);
        assert!(read_regular_at_most(&link, 1 << 20).is_err());
        assert_eq!(Entry::at(dir.path()), Some(Entry::Dir));
    }
}
