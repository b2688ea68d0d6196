//! Previews of shared files, made off the upload's path: a share is
//! acknowledged and announced at once, with a `PREVIEW|…|pending` line to
//! the conversation's version 3 sessions, and the preview is made on a
//! worker thread, stored in the conversation's previews folder (see
//! `storage::previews`) and
//! announced with another `PREVIEW` line when done (to the sessions that
//! asked for previews with `PREVIEWS|1`).
//!
//! Uploads are untrusted, and decoders are large: the work is bounded on
//! every side, so a hostile file can neither panic the server nor
//! exhaust its memory.
//! - One worker thread, fed by a bounded queue of [`QUEUE`] jobs: a burst
//!   of uploads waits there (or, past it, gets no preview) instead of
//!   taking the chat's cores or memory.
//! - Each decode runs under `catch_unwind`: a decoder that panics costs
//!   that file its preview, nothing else.
//! - Each decoder is given limits against decompression bombs (see
//!   `picture`, `pdf`, `audio`), and a file is at most the upload limit.
//! - A file whose preview failed is recorded as having none, so it is not
//!   tried again.
//!
//! # Layout
//! - `picture`: pictures' sizes and thumbnails.
//! - `text`: texts' line counts and first lines.
//! - `pdf`: PDFs' page counts and titles.
//! - `audio`: sounds' durations.

mod audio;
mod pdf;
mod picture;
mod text;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fs::File;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;

use crossbeam_channel::{Receiver, Sender, TrySendError};
use media_chat_protocol::preview::previewable;
use media_chat_protocol::rules::file_extension;
use media_chat_protocol::{Preview, PreviewStatus, ServerMessage, Sha256Digest};
use media_chat_store::Conversation;
use parking_lot::Mutex;
use thiserror::Error;
use tracing::{debug, info, warn};

use crate::hub::Hub;
use crate::storage::files::{FileStore, OpenError};
use crate::storage::previews::{PreviewShelf, Record};

/// Jobs waiting for the worker; past this many, a file gets no preview
/// (for now: asking for it later tries again).
pub(crate) const QUEUE: usize = 64;

/// What a decoder made: the preview and its bytes.
pub(crate) struct Made {
    preview: Preview,
    data: Vec<u8>,
}

/// Why a file has no preview.
#[derive(Debug, Error)]
pub(crate) enum PreviewError {
    /// Its type has no previews, or its contents say nothing to preview.
    #[error("nothing to preview")]
    Unsupported,
    /// The decoder refused it: damaged, or over a limit.
    #[error("could not decode: {0}")]
    Decode(String),
    /// The decoder panicked.
    #[error("the decoder panicked")]
    Panicked,
    /// The disk failed: worth trying again later.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl PreviewError {
    /// A decoder's refusal.
    fn decode(error: impl std::fmt::Display) -> PreviewError {
        PreviewError::Decode(error.to_string())
    }
}

/// One file to make a preview of.
struct Job {
    conversation: Conversation,
    name: String,
    sha256: Sha256Digest,
    extension: String,
    file: File,
    shelf: PreviewShelf,
}

/// What [`Previews::request`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Requested {
    /// The preview is being made (queued now, or already): a `PREVIEW`
    /// line will say when it is done.
    Pending,
    /// The file's type has no previews, or it is not there.
    NotPreviewable,
    /// The queue is full, or the file could not be opened: no preview
    /// for now (a later request tries again).
    Busy,
}

/// The preview worker and its queue. Dropping it lets the worker end once
/// the queue is empty.
pub(crate) struct Previews {
    tx: Sender<Job>,
    /// The records being made, so one file is queued once, each marked
    /// when its file was deleted meanwhile (the record is then removed
    /// once made, and nobody told of it).
    making: Arc<Mutex<HashMap<PathBuf, bool>>>,
}

impl Previews {
    /// Removes the preview of the contents `sha256` from `shelf`, their
    /// last file there having been deleted; one being made is removed
    /// once made.
    pub(crate) fn discard(&self, shelf: &PreviewShelf, sha256: &Sha256Digest) {
        let mut making = self.making.lock();
        if let Some(discard) = making.get_mut(&shelf.record_path(sha256)) {
            *discard = true;
        }
        if let Err(e) = shelf.remove(sha256) {
            warn!(error = %e, "could not remove a deleted file's preview");
        }
    }

    /// Starts the worker thread; it announces finished previews through
    /// `hub`.
    pub(crate) fn start(hub: Hub) -> std::io::Result<Previews> {
        let (tx, rx) = crossbeam_channel::bounded(QUEUE);
        let making = Arc::new(Mutex::new(HashMap::new()));
        let worker = Worker {
            hub,
            making: making.clone(),
        };
        thread::Builder::new()
            .name("previews".into())
            .spawn(move || worker.run(rx))?;
        Ok(Previews { tx, making })
    }

    /// Queues a preview of the file `name` of `files` (the conversation
    /// `conversation`'s, whose previews are on `shelf`), unless one is
    /// being made. Never blocks.
    pub(crate) fn request(
        &self,
        files: &FileStore,
        shelf: PreviewShelf,
        conversation: &Conversation,
        name: &str,
    ) -> Requested {
        let Some(extension) = file_extension(name).filter(|e| previewable(e)) else {
            return Requested::NotPreviewable;
        };
        let (file, meta) = match files.open_file(name) {
            Ok(found) => found,
            Err(OpenError::NotFound) => return Requested::NotPreviewable,
            Err(OpenError::Io(e)) => {
                warn!(file = %name, error = %e, "could not open a file to preview");
                return Requested::Busy;
            }
        };
        let key = shelf.record_path(&meta.sha256);
        match self.making.lock().entry(key.clone()) {
            Entry::Occupied(_) => return Requested::Pending,
            Entry::Vacant(slot) => {
                slot.insert(false);
            }
        }
        let job = Job {
            conversation: conversation.clone(),
            name: meta.name,
            sha256: meta.sha256,
            extension,
            file,
            shelf,
        };
        match self.tx.try_send(job) {
            Ok(()) => Requested::Pending,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.making.lock().remove(&key);
                info!(file = %name, "the preview queue is full; no preview for now");
                Requested::Busy
            }
        }
    }
}

/// The worker thread's state.
struct Worker {
    hub: Hub,
    making: Arc<Mutex<HashMap<PathBuf, bool>>>,
}

impl Worker {
    fn run(self, rx: Receiver<Job>) {
        for job in rx {
            let Job {
                conversation,
                name,
                sha256,
                extension,
                file,
                shelf,
            } = job;
            let status = serve(&shelf, &name, &sha256, &extension, file);
            let mut making = self.making.lock();
            if making.remove(&shelf.record_path(&sha256)) == Some(true) {
                // Its file was deleted while it was being made.
                if let Err(e) = shelf.remove(&sha256) {
                    warn!(file = %name, error = %e, "could not remove a deleted file's preview");
                }
                continue;
            }
            drop(making);
            self.hub
                .to_previewers(&conversation, |named| ServerMessage::Preview {
                    conversation: named,
                    name: name.clone(),
                    sha256,
                    status: status.clone(),
                });
        }
        debug!("the preview worker ends");
    }
}

/// The preview of `file` (`name`, contents `sha256`): the one recorded
/// already (the same contents shared again), or a new one, recorded.
fn serve(
    shelf: &PreviewShelf,
    name: &str,
    sha256: &Sha256Digest,
    extension: &str,
    file: File,
) -> PreviewStatus {
    match shelf.read(sha256) {
        Ok(Some(Record::Ready { status, .. })) => return status,
        Ok(Some(Record::Failed)) => return PreviewStatus::None,
        Ok(None) => {}
        Err(e) => warn!(file = %name, error = %e, "an unreadable preview record; making it again"),
    }
    let made = catch_unwind(AssertUnwindSafe(|| make(file, extension)))
        .unwrap_or(Err(PreviewError::Panicked));
    let (status, data) = match made {
        Ok(Made { preview, data }) => (PreviewStatus::Ready(preview), data),
        Err(PreviewError::Io(e)) => {
            // Not recorded: a later request tries again.
            warn!(file = %name, error = %e, "could not read a file to preview");
            return PreviewStatus::None;
        }
        Err(e) => {
            info!(file = %name, error = %e, "no preview");
            (PreviewStatus::None, Vec::new())
        }
    };
    match shelf.write(sha256, &status, &data) {
        Ok(()) => status,
        Err(e) => {
            warn!(file = %name, error = %e, "could not store a preview");
            PreviewStatus::None
        }
    }
}

/// Decodes `file` as what its extension says.
fn make(file: File, extension: &str) -> Result<Made, PreviewError> {
    match extension {
        "jpg" | "jpeg" | "png" | "gif" | "webp" => picture::preview(file, extension),
        "txt" | "md" => text::preview(file),
        "pdf" => pdf::preview(file),
        "mp3" | "wav" | "ogg" | "m4a" => audio::preview(file, extension),
        _ => Err(PreviewError::Unsupported),
    }
}
