//! Attachments read into memory when the site is rebuilt.

use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;

use super::{SiteFile, Workspace};
use crate::build::BuildError;
use crate::diagnostic::Diagnostic;
use crate::hash::hash_of;

impl Workspace {
    /// The bytes of every attachment, in the order given: those unchanged
    /// since the last build (same size and modification time) are reused,
    /// the others read now. A file that is no longer a regular file (a link
    /// swapped in since the content folder was walked) is an error, and the
    /// last good site stays served.
    pub(super) fn read_attachments(
        &self,
        list: &[crate::model::Attachment],
    ) -> Result<Vec<(u64, SystemTime, SiteFile)>, BuildError> {
        list.par_iter()
            .map(|a| {
                let fail = |e: std::io::Error| {
                    BuildError::io("无法读取附件", format!("content/{}", a.rel), e)
                };
                let meta = std::fs::symlink_metadata(&a.source).map_err(fail)?;
                if !meta.file_type().is_file() {
                    return Err(BuildError::Content(vec![Diagnostic::error(
                        format!("content/{}", a.rel),
                        None,
                        "附件不是普通文件（例如是符号链接），不会发布",
                    )
                    .with_hint("把链接换成文件本身")]));
                }
                let modified = meta.modified().map_err(fail)?;
                if let Some((len, at, file)) = self.attachments.get(&a.source) {
                    if *len == meta.len() && *at == modified {
                        return Ok((*len, *at, file.clone()));
                    }
                }
                let bytes = read_regular_file(&a.source, &meta).map_err(fail)?;
                let file = SiteFile::Attachment {
                    etag: hash_of(bytes.as_slice()),
                    bytes: Arc::new(bytes),
                };
                Ok((meta.len(), modified, file))
            })
            .collect()
    }
}

/// Read the file at `path`, which `meta` (not following links) found to be
/// a regular file, making sure that the file opened is that very file and
/// not one a link swapped in meanwhile points to.
fn read_regular_file(path: &std::path::Path, meta: &std::fs::Metadata) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let opened = file.metadata()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (opened.dev(), opened.ino()) != (meta.dev(), meta.ino()) {
            return Err(std::io::Error::other("文件在读取时被替换"));
        }
    }
    if !opened.is_file() || opened.len() != meta.len() {
        return Err(std::io::Error::other("文件在读取时被更改"));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}
