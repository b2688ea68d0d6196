//! The data directory on disk: paths, formats and atomic writes. Nothing in
//! here touches a socket.
//!
//! - `creds`: the accounts file, `creds.txt`.
//! - `files`: one conversation's upload store (`server_files/` is
//!   `#general`'s).
//! - `file_spaces`: every conversation's store, under `conversation_files/`,
//!   and the uploads in progress.
//! - `previews`: the previews of a conversation's files, under `previews/`.

pub(crate) mod creds;
pub(crate) mod file_spaces;
pub(crate) mod files;
pub(crate) mod previews;

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tracing::{info, warn};

/// How [`write_atomically`]'s temporary files start. Left behind by a crash
/// in the middle of a rewrite, they are removed at the next start.
const TEMP_PREFIX: &str = ".tmp-";

/// The folder of the files of conversations other than `#general`.
pub(crate) const CONVERSATION_FILES: &str = "conversation_files";

/// The layout of the data directory.
#[derive(Debug, Clone)]
pub(crate) struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Opens `root`, creating it and its sub-directories if missing, and
    /// removes the temporary files a crash during [`write_atomically`] left
    /// there (each a full copy of the file being rewritten: `creds.txt`,
    /// every password hash).
    pub(crate) fn open(root: &Path) -> io::Result<DataDir> {
        let dir = DataDir {
            root: root.to_path_buf(),
        };
        fs::create_dir_all(dir.files())?;
        fs::create_dir_all(dir.conversation_files())?;
        fs::create_dir_all(dir.incoming())?;
        remove_stale_temporaries(root)?;
        Ok(dir)
    }

    /// The directory itself (the generated TLS certificate and key,
    /// `tls-cert.pem` and `tls-key.pem`, live here).
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// `creds.txt`: one account per line.
    pub(crate) fn creds(&self) -> PathBuf {
        self.root.join("creds.txt")
    }

    /// `server_files/`: stored uploads under their announced names.
    pub(crate) fn files(&self) -> PathBuf {
        self.root.join("server_files")
    }

    /// `conversation_files/`: one folder for each conversation other than
    /// `#general` that has files.
    pub(crate) fn conversation_files(&self) -> PathBuf {
        self.root.join(CONVERSATION_FILES)
    }

    /// `.incoming/`: uploads in progress. On the same file system as
    /// `server_files/` and `conversation_files/`, so finishing an upload is
    /// a rename.
    pub(crate) fn incoming(&self) -> PathBuf {
        self.root.join(".incoming")
    }

    /// `previews/`: the previews of every conversation's files, a folder
    /// each (made at the first preview).
    pub(crate) fn previews(&self) -> PathBuf {
        self.root.join("previews")
    }
}

/// Replaces `path` with `contents` so that a crash leaves either the old or
/// the new file, never a mix: temporary file, fsync, rename, fsync of the
/// directory.
pub(crate) fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = parent_dir(path);
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)?;
    temp.write_all(contents)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Makes a rename or a new file in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Removes the regular files directly in `dir` named like
/// [`write_atomically`]'s temporaries; nothing else, and nothing below. One
/// that cannot be removed is only logged: it stops no one.
fn remove_stale_temporaries(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let is_ours = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(TEMP_PREFIX));
        // `file_type` does not follow symlinks: a link is never ours.
        if !is_ours || !entry.file_type()?.is_file() {
            continue;
        }
        let path = entry.path();
        match fs::remove_file(&path) {
            Ok(()) => info!(file = %path.display(), "removed a temporary file left by a crash"),
            Err(e) => {
                warn!(file = %path.display(), error = %e, "cannot remove a temporary file left by a crash")
            }
        }
    }
    Ok(())
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.txt");
        write_atomically(&path, b"one\n").unwrap();
        write_atomically(&path, b"two\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two\n");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("creds.txt")]);
    }

    // See: issue 9, "Crash leftovers and storage".
    #[test]
    fn open_removes_only_our_stale_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("creds.txt"), "a|b\n").unwrap();
        fs::write(root.join(".tmp-abc"), "a|b\n").unwrap();
        fs::write(root.join(".tmp-Đặng"), "").unwrap();
        for kept in [".tmp", "x.tmp-1", "tmp-abc"] {
            fs::write(root.join(kept), "").unwrap();
        }
        fs::create_dir(root.join(".tmp-dir")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("creds.txt"), root.join(".tmp-link")).unwrap();
        DataDir::open(root).unwrap();
        let mut names: Vec<_> = fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        let mut expected = vec![
            ".incoming",
            ".tmp",
            ".tmp-dir",
            "conversation_files",
            "creds.txt",
            "server_files",
            "tmp-abc",
            "x.tmp-1",
        ];
        if cfg!(unix) {
            expected.insert(3, ".tmp-link");
        }
        assert_eq!(names, expected);
        assert_eq!(fs::read(root.join("creds.txt")).unwrap(), b"a|b\n");
    }

    #[test]
    fn open_creates_the_layout() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::open(&dir.path().join("new")).unwrap();
        assert!(data.files().is_dir());
        assert!(data.conversation_files().is_dir());
        assert!(data.incoming().is_dir());
    }
}
