//! `media-chat-server backup DEST`: a consistent copy of a data dir, taken
//! while the server runs or not.
//!
//! The database is copied first, through SQLite (`VACUUM INTO`: a snapshot
//! of everything committed, whatever the server writes meanwhile); then
//! `creds.txt`, so that every account whose messages are in the copy is in
//! it too (a registration is on disk before the account can post); then
//! the files the database may name (a file is in `server_files/` or its
//! conversation's folder in `conversation_files/` before its share is
//! committed), the chat log and the TLS identity. To restore,
//! stop the server and start it with `--data-dir DEST` (or copy DEST's
//! contents into the data dir).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use media_chat_store::{DB_FILE, LOG_FILE};
use thiserror::Error;
use tracing::info;

use crate::storage::CONVERSATION_FILES;

/// What a backup copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupReport {
    /// Files copied from `server_files/` and `conversation_files/`.
    pub files: u64,
    /// Bytes copied from `server_files/` and `conversation_files/`.
    pub file_bytes: u64,
}

/// Why a backup failed.
#[derive(Debug, Error)]
pub enum BackupError {
    /// The destination exists and is not an empty directory.
    #[error("{0} already exists and is not empty; back up into a new directory")]
    DestinationNotEmpty(PathBuf),
    /// The data dir has no database to back up.
    #[error("{0} holds no {DB_FILE}: is it a media-chat data dir?")]
    NoDatabase(PathBuf),
    /// The database could not be copied.
    #[error("copying the database: {0}")]
    Database(#[from] media_chat_store::StoreError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file at fault.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

/// Copies the data dir `data_dir` into `dest` (created; it must not exist
/// or be empty).
pub fn backup(data_dir: &Path, dest: &Path) -> Result<BackupReport, BackupError> {
    let at = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BackupError::Io { path, source }
    };
    let db = data_dir.join(DB_FILE);
    if !db.exists() {
        return Err(BackupError::NoDatabase(data_dir.to_path_buf()));
    }
    if fs::read_dir(dest).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(BackupError::DestinationNotEmpty(dest.to_path_buf()));
    }
    fs::create_dir_all(dest).map_err(at(dest))?;
    media_chat_store::backup(&db, &dest.join(DB_FILE))?;
    for name in ["creds.txt", LOG_FILE, "tls-cert.pem", "tls-key.pem"] {
        let from = data_dir.join(name);
        if from.exists() {
            copy_keeping_mode(&from, &dest.join(name))?;
        }
    }
    let mut report = BackupReport::default();
    copy_files(
        &data_dir.join("server_files"),
        &dest.join("server_files"),
        &mut report,
    )?;
    let conversations = data_dir.join(CONVERSATION_FILES);
    if let Ok(entries) = fs::read_dir(&conversations) {
        for entry in entries {
            let entry = entry.map_err(at(&conversations))?;
            // Real folders only: a symlink is never followed.
            if entry.file_type().map_err(at(&entry.path()))?.is_dir() {
                let to = dest.join(CONVERSATION_FILES).join(entry.file_name());
                copy_files(&entry.path(), &to, &mut report)?;
            }
        }
    }
    info!(dest = %dest.display(), files = report.files, "backup written");
    Ok(report)
}

/// Copies the regular files of the folder `from` (if it exists) into
/// `to`, made for them; symlinks are never served, so never copied.
fn copy_files(from: &Path, to: &Path, report: &mut BackupReport) -> Result<(), BackupError> {
    let at = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BackupError::Io { path, source }
    };
    fs::create_dir_all(to).map_err(at(to))?;
    let Ok(entries) = fs::read_dir(from) else {
        return Ok(());
    };
    for entry in entries {
        let entry = entry.map_err(at(from))?;
        if !entry.file_type().map_err(at(&entry.path()))?.is_file() {
            continue;
        }
        let copy = to.join(entry.file_name());
        report.file_bytes += fs::copy(entry.path(), &copy).map_err(at(&copy))?;
        report.files += 1;
    }
    Ok(())
}

fn copy_keeping_mode(from: &Path, to: &Path) -> Result<(), BackupError> {
    // `fs::copy` keeps the permission bits: the key stays owner-only.
    fs::copy(from, to).map_err(|source| BackupError::Io {
        path: to.to_path_buf(),
        source,
    })?;
    Ok(())
}
