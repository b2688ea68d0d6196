//! The download cache: `client_downloads/` in the user's cache directory.
//!
//! A download is written to a hidden temporary file in the cache, verified,
//! then renamed to its name, so the cache never holds a partial or
//! unverified file under a real name. Names come from the server and are
//! checked again here: the server is never trusted with a path.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use directories::ProjectDirs;
use tempfile::NamedTempFile;

/// Prefix of downloads in progress; `clear` leaves them alone.
const TEMP_PREFIX: &str = ".download-";

/// What [`crate::Client::clear_cache`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cleared {
    /// Files removed.
    pub files: u64,
    /// Bytes freed.
    pub bytes: u64,
}

/// The default cache: `<user cache dir>/media-chat/client_downloads`
/// (`~/.cache/media-chat/client_downloads` on Linux; `XDG_CACHE_HOME` is
/// honoured). `None` when the system has no home directory.
pub fn default_cache_dir() -> Option<PathBuf> {
    ProjectDirs::from("", "", "media-chat").map(|dirs| dirs.cache_dir().join("client_downloads"))
}

/// A download cache directory.
#[derive(Debug, Clone)]
pub(crate) struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache in `dir` (created when first needed).
    pub(crate) fn new(dir: PathBuf) -> Self {
        Cache { dir }
    }

    /// The cache directory.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// A temporary file for a download in progress, deleted unless
    /// [`Cache::keep`] is called.
    pub(crate) fn begin(&self) -> io::Result<NamedTempFile> {
        fs::create_dir_all(&self.dir)?;
        tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(&self.dir)
    }

    /// Moves a verified download to its name, replacing an older copy.
    /// `name` must already be a checked file name.
    pub(crate) fn keep(&self, download: NamedTempFile, name: &str) -> io::Result<PathBuf> {
        let path = self.path_of(name).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("not a plain file name: {name:?}"),
            )
        })?;
        download.persist(&path).map_err(|e| e.error)?;
        Ok(path)
    }

    /// Removes every finished download and says how much it freed.
    pub(crate) fn clear(&self) -> io::Result<Cleared> {
        let mut cleared = Cleared::default();
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(cleared),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                continue;
            }
            let meta = entry.metadata()?;
            if meta.is_file() || meta.is_symlink() {
                fs::remove_file(entry.path())?;
                cleared.files += 1;
                cleared.bytes += meta.len();
            }
        }
        Ok(cleared)
    }

    /// `dir/name` if `name` is exactly one plain path component.
    fn path_of(&self, name: &str) -> Option<PathBuf> {
        let mut components = Path::new(name).components();
        match (components.next(), components.next()) {
            (Some(Component::Normal(part)), None) if part == name => Some(self.dir.join(part)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn keep_then_clear_counts_files_and_bytes_but_spares_downloads_in_progress() {
        let root = tempfile::tempdir().unwrap();
        let cache = Cache::new(root.path().join("client_downloads"));
        let mut first = cache.begin().unwrap();
        first.write_all(b"hello").unwrap();
        let path = cache.keep(first, "ảnh.png").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"hello");
        let mut second = cache.begin().unwrap();
        second.write_all(b"abc").unwrap();
        cache.keep(second, "b.txt").unwrap();
        let in_progress = cache.begin().unwrap();
        assert_eq!(cache.clear().unwrap(), Cleared { files: 2, bytes: 8 });
        assert!(in_progress.path().exists());
        assert_eq!(cache.clear().unwrap(), Cleared::default());
    }

    #[test]
    fn only_plain_names_are_kept() {
        let root = tempfile::tempdir().unwrap();
        let cache = Cache::new(root.path().to_path_buf());
        for bad in ["../x.txt", "a/b.txt", "/etc/passwd", ".."] {
            let temp = cache.begin().unwrap();
            assert!(cache.keep(temp, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn missing_cache_clears_to_nothing() {
        let root = tempfile::tempdir().unwrap();
        let cache = Cache::new(root.path().join("never-created"));
        assert_eq!(cache.clear().unwrap(), Cleared::default());
    }
}
