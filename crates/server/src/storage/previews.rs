//! Where a conversation's previews live: a folder of its own under
//! `previews/` in the data dir, named as the conversation's files folder
//! is (`previews/general/` for `#general`, `previews/<32 hex digits>/` for
//! the others, see `file_spaces`), so a preview is reached only through
//! its file's conversation. One record per file contents, named by the
//! contents' SHA-256:
//!
//! - `<sha256>.data`: the preview's bytes (a PNG thumbnail, a text's first
//!   lines; empty for a PDF or a sound);
//! - `<sha256>.meta`: one line, `kind|…` as the `PREVIEW` line ends
//!   (`image|1920|1080`, `pdf|12|Title`, or `none` for a file whose
//!   preview failed, so it is not tried again).
//!
//! Each is written to a temporary file and renamed into place, the data
//! first: a record whose `.meta` exists is whole. Nothing there is in a
//! files folder, so no preview is ever listed, counted or served as a
//! file.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use media_chat_protocol::fields::FieldReader;
use media_chat_protocol::{PreviewStatus, Sha256Digest};
use tempfile::NamedTempFile;

/// A record read back: ready (with its data, opened) or none.
pub(crate) enum Record {
    /// A preview and its bytes.
    Ready {
        /// What it is.
        status: PreviewStatus,
        /// The bytes, opened for reading.
        data: File,
        /// Their length.
        size: u64,
    },
    /// The file has no preview: it was tried and failed.
    Failed,
}

/// One conversation's previews folder.
#[derive(Debug, Clone)]
pub(crate) struct PreviewShelf {
    dir: PathBuf,
}

impl PreviewShelf {
    /// The shelf in `dir` (made at its first record).
    pub(crate) fn new(dir: PathBuf) -> PreviewShelf {
        PreviewShelf { dir }
    }

    /// The record for contents `sha256`, `Ok(None)` if there is none yet.
    pub(crate) fn read(&self, sha256: &Sha256Digest) -> io::Result<Option<Record>> {
        let meta = match fs::read_to_string(self.path(sha256, "meta")) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let status = PreviewStatus::parse_fields(&mut FieldReader::new("PREVIEW", Some(&meta)))
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        match status {
            PreviewStatus::Ready(_) => {
                let data = File::open(self.path(sha256, "data"))?;
                let size = data.metadata()?.len();
                Ok(Some(Record::Ready { status, data, size }))
            }
            PreviewStatus::None | PreviewStatus::Pending => Ok(Some(Record::Failed)),
        }
    }

    /// Stores the record for contents `sha256`: a preview and its bytes,
    /// or [`PreviewStatus::None`] (no bytes) for a file whose preview
    /// failed.
    pub(crate) fn write(
        &self,
        sha256: &Sha256Digest,
        status: &PreviewStatus,
        data: &[u8],
    ) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        if matches!(status, PreviewStatus::Ready(_)) {
            self.put(&self.path(sha256, "data"), data)?;
        }
        let record = status
            .record()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        self.put(&self.path(sha256, "meta"), record.as_bytes())?;
        super::sync_dir(&self.dir)
    }

    /// Removes the record for contents `sha256` (its file was deleted), if
    /// there is one.
    pub(crate) fn remove(&self, sha256: &Sha256Digest) -> io::Result<()> {
        for what in ["meta", "data"] {
            match fs::remove_file(self.path(sha256, what)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The record's own path (its `.meta`): one per contents and
    /// conversation, so it names a preview being made.
    pub(crate) fn record_path(&self, sha256: &Sha256Digest) -> PathBuf {
        self.path(sha256, "meta")
    }

    fn put(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut temp = NamedTempFile::with_prefix_in(".tmp-", &self.dir)?;
        temp.write_all(bytes)?;
        temp.as_file().sync_all()?;
        temp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }

    fn path(&self, sha256: &Sha256Digest, what: &str) -> PathBuf {
        self.dir.join(format!("{}.{what}", sha256.to_hex()))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use media_chat_protocol::Preview;

    use super::*;

    #[test]
    fn a_record_reads_back_as_written() {
        let root = tempfile::tempdir().unwrap();
        let shelf = PreviewShelf::new(root.path().join("general"));
        let one = Sha256Digest([1; 32]);
        let two = Sha256Digest([2; 32]);
        assert!(shelf.read(&one).unwrap().is_none());
        let pdf = PreviewStatus::Ready(Preview::Pdf {
            pages: 3,
            title: "Đề | thi".into(),
        });
        shelf.write(&one, &pdf, b"").unwrap();
        shelf.write(&two, &PreviewStatus::None, b"").unwrap();
        match shelf.read(&one).unwrap() {
            Some(Record::Ready {
                status,
                mut data,
                size,
            }) => {
                assert_eq!(status, pdf);
                assert_eq!(size, 0);
                let mut bytes = Vec::new();
                data.read_to_end(&mut bytes).unwrap();
                assert!(bytes.is_empty());
            }
            _ => panic!("the PDF's record is not ready"),
        }
        assert!(matches!(shelf.read(&two).unwrap(), Some(Record::Failed)));
        let names: Vec<_> = fs::read_dir(root.path().join("general"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 3, "no temporary file is left: {names:?}");
        shelf.remove(&one).unwrap();
        shelf.remove(&one).unwrap();
        assert!(shelf.read(&one).unwrap().is_none());
        assert!(matches!(shelf.read(&two).unwrap(), Some(Record::Failed)));
    }
}
