//! The preview cache: a folder beside the download cache
//! (`client_downloads-previews/` beside `client_downloads/`), one preview
//! per file contents, named by its SHA-256: `<sha256>.meta` (the preview,
//! as the server's `PREVIEW` line ends) and `<sha256>.data` (its thumbnail
//! or first lines). Beside it, not in it: **Clear** empties the downloads
//! and leaves previews alone (they are small, and the same contents have
//! the same preview on every server).
//! Written to a temporary file and renamed, the data first, so a preview
//! whose `.meta` is there is whole.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use media_chat_protocol::fields::FieldReader;
use media_chat_protocol::{Preview, PreviewStatus, Sha256Digest};
use tempfile::NamedTempFile;

/// What the previews folder's name adds to the download cache's.
const SUFFIX: &str = "-previews";

/// The preview cache of a download cache.
#[derive(Debug, Clone)]
pub(crate) struct PreviewCache {
    dir: PathBuf,
}

impl PreviewCache {
    /// The preview cache beside the download cache `cache_dir`.
    pub(crate) fn new(cache_dir: &Path) -> Self {
        let dir = match cache_dir.file_name() {
            Some(name) => {
                let mut name = name.to_os_string();
                name.push(SUFFIX);
                cache_dir.with_file_name(name)
            }
            None => cache_dir.join(SUFFIX),
        };
        PreviewCache { dir }
    }

    /// The cached preview of contents `sha256`, its bytes and their path.
    pub(crate) fn load(&self, sha256: &Sha256Digest) -> Option<(Preview, Vec<u8>, PathBuf)> {
        let meta = fs::read_to_string(self.path(sha256, "meta")).ok()?;
        let status =
            PreviewStatus::parse_fields(&mut FieldReader::new("PREVIEW", Some(&meta))).ok()?;
        let PreviewStatus::Ready(preview) = status else {
            return None;
        };
        let path = self.path(sha256, "data");
        let data = fs::read(&path).ok()?;
        Some((preview, data, path))
    }

    /// Keeps the preview of contents `sha256`; returns where its bytes are.
    pub(crate) fn store(
        &self,
        sha256: &Sha256Digest,
        preview: &Preview,
        data: &[u8],
    ) -> io::Result<PathBuf> {
        let record = PreviewStatus::Ready(preview.clone())
            .record()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        fs::create_dir_all(&self.dir)?;
        let path = self.path(sha256, "data");
        self.put(&path, data)?;
        self.put(&self.path(sha256, "meta"), record.as_bytes())?;
        Ok(path)
    }

    fn put(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut temp = NamedTempFile::with_prefix_in(".preview-", &self.dir)?;
        temp.write_all(bytes)?;
        temp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }

    fn path(&self, sha256: &Sha256Digest, what: &str) -> PathBuf {
        self.dir.join(format!("{}.{what}", sha256.to_hex()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_reads_back_as_kept_and_clearing_downloads_spares_it() {
        let root = tempfile::tempdir().unwrap();
        let downloads = root.path().join("client_downloads");
        let cache = PreviewCache::new(&downloads);
        let sha = Sha256Digest([7; 32]);
        assert!(cache.load(&sha).is_none());
        let preview = Preview::Image {
            width: 1920,
            height: 1080,
        };
        let path = cache.store(&sha, &preview, b"png bytes").unwrap();
        assert!(path.starts_with(root.path().join("client_downloads-previews")));
        assert_eq!(
            cache.load(&sha),
            Some((preview, b"png bytes".to_vec(), path))
        );
        let cleared = crate::cache::Cache::new(downloads).clear().unwrap();
        assert_eq!(cleared.files, 0);
        assert!(cache.load(&sha).is_some());
    }
}
