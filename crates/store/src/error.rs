//! The store's errors.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// Why the store could not do what was asked.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database failed (disk full, file damaged, …).
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// The database's schema could not be brought up to date.
    #[error("database schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// A file of the data dir could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file at fault.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A batch could not be committed (the database's error, as text: the
    /// same error is shared by every event of the batch).
    #[error("could not store: {0}")]
    Failed(String),
    /// The writer thread has stopped (the store was closed).
    #[error("the store is closed")]
    Closed,
    /// The conversation does not exist or the user may not see it.
    #[error("no such conversation")]
    NoSuchConversation,
}
