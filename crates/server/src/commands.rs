//! What a logged-in client's chat and download commands do.

use media_chat_protocol::ServerMessage;
use media_chat_protocol::rules::{check_text, normalize_file_name, normalize_user_name};

use crate::hub::DmOutcome;
use crate::outbox::QueueFileError;
use crate::session::Session;
use crate::storage::files::OpenError;

impl Session {
    /// `TEXT|message`: to every other session.
    pub(crate) fn say(&self, text: &str) {
        if let Err(e) = check_text(text) {
            return self.send_error(format!("Message refused: {e}"));
        }
        self.ctx.hub.say(self.id, text);
    }

    /// `DM|to|message`: to every session of `to`, or held until they log in.
    pub(crate) fn direct(&self, to: &str, text: &str) {
        if let Err(e) = check_text(text) {
            return self.send_error(format!("Message refused: {e}"));
        }
        // Checked first so that the refusal never echoes control or bidi
        // characters (an ESC would reach the sender's terminal; a `\r`
        // could not even be encoded, and the reply would be lost).
        let to = match normalize_user_name(to) {
            Ok(to) => to,
            Err(e) => return self.send_error(format!("No such user ({e})")),
        };
        let Some(to) = self.ctx.accounts.registered_name(&to) else {
            return self.send_error(format!("No such user: {to}"));
        };
        if self.ctx.hub.direct(self.id, &to, text) == DmOutcome::Held {
            self.send(&ServerMessage::notify(format!(
                "{to} is offline; they will get your message when they log in"
            )));
        }
    }

    /// `GET_FILE|name`: queues the file for the session's writer thread, which
    /// streams it from disk.
    pub(crate) fn get_file(&self, name: &str) {
        let name = match normalize_file_name(name) {
            Ok(name) => name,
            Err(e) => return self.send_error(format!("Bad file name: {e}")),
        };
        let (file, meta) = match self.ctx.files.open_file(&name) {
            Ok(found) => found,
            Err(OpenError::NotFound) => return self.send_error(format!("No such file: {name}")),
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

    /// `LIST_FILES`: one `FILE_INFO` per stored file, then `FILES_END`.
    pub(crate) fn list_files(&self) {
        for file in self.ctx.files.list() {
            self.send(&ServerMessage::FileInfo {
                name: file.name,
                size: file.size,
                sha256: file.sha256,
                uploader: file.uploader,
                ts: file.ts,
            });
        }
        self.send(&ServerMessage::FilesEnd);
    }
}
