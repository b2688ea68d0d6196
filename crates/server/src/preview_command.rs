//! `PREVIEW|conversation|name` (version 3): a file's preview without the
//! file. A ready preview is answered with its `PREVIEW` line and its bytes
//! (`PREVIEW_DATA`, queued whole like a download, so no other line comes
//! between them); one being made with `PREVIEW|…|pending` (its `PREVIEW`
//! line follows when done). A file of an older server, shared before
//! previews, gets its preview made now, on first request. A conversation
//! the user is not in answers as for `DOWNLOAD`, like one that does not
//! exist.

use media_chat_protocol::rules::normalize_file_name;
use media_chat_protocol::{
    Conversation as WireConversation, EncodeLine, PreviewStatus, ServerMessage,
};

use crate::outbox::QueueFileError;
use crate::previews::Requested;
use crate::session::Session;
use crate::storage::files::FileStore;
use crate::storage::previews::Record;

impl Session {
    /// `PREVIEW|conversation|name`.
    pub(crate) fn preview(&self, conversation: &WireConversation, name: &str) {
        let name = match normalize_file_name(name) {
            Ok(name) => name,
            Err(e) => return self.send_error(format!("Bad file name: {e}")),
        };
        let no_preview = || self.send_error(format!("No preview for {name}"));
        let resolved = match self.resolve(conversation) {
            Ok(resolved) => resolved,
            Err(reason) => return self.send_error(reason),
        };
        let files = match self.ctx.files.existing(&resolved, &self.ctx.store) {
            Ok(Some(files)) => files,
            Ok(None) => return no_preview(),
            Err(e) => {
                tracing::error!(error = %e, "could not open a conversation's files");
                return self.send_error("The server could not read its files; try again later");
            }
        };
        let Some(meta) = files.meta(&name) else {
            return no_preview();
        };
        let line = |status| ServerMessage::Preview {
            conversation: conversation.clone(),
            name: meta.name.clone(),
            sha256: meta.sha256,
            status,
        };
        let shelf = self.ctx.files.shelf(&resolved);
        let record = shelf.read(&meta.sha256);
        match record {
            Ok(Some(Record::Ready { status, data, size })) => {
                let mut header = Vec::new();
                let encoded = line(status).encode(&mut header).and_then(|()| {
                    ServerMessage::PreviewData {
                        conversation: conversation.clone(),
                        name: meta.name.clone(),
                        size,
                    }
                    .encode(&mut header)
                });
                if let Err(e) = encoded {
                    return tracing::error!(error = %e, "could not encode PREVIEW");
                }
                let max = self.ctx.config.limits.max_queued_downloads;
                if let Err(QueueFileError::TooManyDownloads) =
                    self.outbox.push_file(header, data, size, max)
                {
                    self.send_error(format!(
                        "Too many downloads queued (at most {max}); wait for them to finish"
                    ));
                }
            }
            Ok(Some(Record::Failed)) => no_preview(),
            Ok(None) => {
                match self
                    .ctx
                    .previews
                    .request(&files, shelf, &resolved, &meta.name)
                {
                    Requested::Pending => self.send(&line(PreviewStatus::Pending)),
                    Requested::NotPreviewable => no_preview(),
                    Requested::Busy => self.send_error(format!(
                        "No preview for {name} yet: the server is busy; try again later"
                    )),
                }
            }
            Err(e) => {
                tracing::error!(file = %name, error = %e, "could not read a preview");
                self.send_error(format!(
                    "Could not read the preview of {name}; try again later"
                ));
            }
        }
    }

    /// After a share of `name` into `conversation`: its members' version 3
    /// sessions hear that a preview is coming, and the worker makes it
    /// (or, if it cannot take the job, they hear there is none).
    pub(crate) fn preview_shared(
        &self,
        files: &FileStore,
        conversation: &media_chat_store::Conversation,
        name: &str,
        sha256: media_chat_protocol::Sha256Digest,
    ) {
        let extension = media_chat_protocol::rules::file_extension(name).unwrap_or_default();
        if !media_chat_protocol::preview::previewable(&extension) {
            return;
        }
        let announce = |status: PreviewStatus| {
            self.ctx
                .hub
                .to_previewers(conversation, |named| ServerMessage::Preview {
                    conversation: named,
                    name: name.to_owned(),
                    sha256,
                    status: status.clone(),
                })
        };
        announce(PreviewStatus::Pending);
        let shelf = self.ctx.files.shelf(conversation);
        if self.ctx.previews.request(files, shelf, conversation, name) != Requested::Pending {
            announce(PreviewStatus::None);
        }
    }
}
