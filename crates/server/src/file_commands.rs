//! What a logged-in client's file commands do: `GET_FILE` and `LIST_FILES`
//! reach `#general`'s files (`server_files/`), version 3's `UPLOAD`,
//! `DOWNLOAD` and `FILES` those of any conversation the user is in. A
//! conversation the user is not in answers exactly like one that does not
//! exist, so nothing about its files can be learnt from outside.

use std::sync::Arc;

use media_chat_protocol::rules::{normalize_file_name, user_key};
use media_chat_protocol::{Conversation as WireConversation, ServerMessage, Sha256Digest};
use media_chat_store::Conversation;

use crate::outbox::QueueFileError;
use crate::session::{Flow, Session};
use crate::storage::files::{FileStore, OpenError};

/// The refusal when the disk fails under a listing or a download.
const UNREADABLE: &str = "The server could not read its files; try again later";

impl Session {
    /// `UPLOAD|conversation|name|size|sha256` (v3): `FILE`, shared into a
    /// conversation the user is in.
    pub(crate) fn upload(
        &mut self,
        conversation: &WireConversation,
        name: &str,
        size: u64,
        sha256: Sha256Digest,
    ) -> Flow {
        let allowed = self.resolve(conversation).and_then(|conversation| {
            match &conversation {
                // A share into a direct conversation is a direct message.
                Conversation::Direct(pair) => self
                    .may_write_to(pair.other(&user_key(self.name())))
                    .map(|()| conversation),
                _ => Ok(conversation),
            }
        });
        match allowed {
            Ok(conversation) => self.receive_file(conversation, name, size, sha256),
            Err(reason) => self.refuse_upload(reason, size),
        }
    }

    /// `GET_FILE|name` (`conversation` is `None`: `#general`) or
    /// `DOWNLOAD|conversation|name` (v3): queues the file for the session's
    /// writer thread, which streams it from disk.
    pub(crate) fn download(&self, conversation: Option<&WireConversation>, name: &str) {
        let name = match normalize_file_name(name) {
            Ok(name) => name,
            Err(e) => return self.send_error(format!("Bad file name: {e}")),
        };
        let not_found = || self.send_error(format!("No such file: {name}"));
        let files = match self.files_of(conversation) {
            Ok(Some(files)) => files,
            Ok(None) => return not_found(),
            Err(reason) => return self.send_error(reason),
        };
        let (file, meta) = match files.open_file(&name) {
            Ok(found) => found,
            Err(OpenError::NotFound) => return not_found(),
            Err(OpenError::Io(e)) => {
                tracing::error!(file = %name, error = %e, "could not open a stored file");
                return self.send_error(format!("Could not read {name}; try again later"));
            }
        };
        let header = ServerMessage::FileTransfer {
            name: meta.name.clone(),
            size: meta.size,
            sha256: self.is_v2().then_some(meta.sha256),
        };
        let header = match media_chat_protocol::EncodeLine::to_line(&header) {
            Ok(header) => header,
            Err(e) => return tracing::error!(error = %e, "could not encode FILE_TRANSFER"),
        };
        let max = self.ctx.config.limits.max_queued_downloads;
        if let Err(QueueFileError::TooManyDownloads) =
            self.outbox.push_file(header, file, meta.size, max)
        {
            self.send_error(format!(
                "Too many downloads queued (at most {max}); wait for them to finish"
            ));
        }
    }

    /// `LIST_FILES` (`conversation` is `None`: `#general`) or
    /// `FILES|conversation` (v3): one `FILE_INFO` per stored file, by name,
    /// then `FILES_END`.
    pub(crate) fn list_files(&self, conversation: Option<&WireConversation>) {
        let files = match self.files_of(conversation) {
            Ok(files) => files,
            Err(reason) => return self.send_error(reason),
        };
        for file in files.map(|files| files.list()).unwrap_or_default() {
            self.send(&ServerMessage::FileInfo {
                name: file.name,
                size: file.size,
                sha256: file.sha256,
                uploader: file.uploader,
                ts: file.ts,
            });
        }
        self.send(&ServerMessage::FilesEnd {
            conversation: conversation.cloned(),
        });
    }

    /// The files of the conversation a client names (`None`: `#general`),
    /// `Ok(None)` if it has none yet, or the refusal text.
    fn files_of(
        &self,
        conversation: Option<&WireConversation>,
    ) -> Result<Option<Arc<FileStore>>, String> {
        let resolved = match conversation {
            None => Conversation::General,
            Some(conversation) => self.resolve(conversation)?,
        };
        self.ctx
            .files
            .existing(&resolved, &self.ctx.store)
            .map_err(|e| {
                tracing::error!(error = %e, "could not open a conversation's files");
                UNREADABLE.to_owned()
            })
    }
}
