//! `DELETE_FILE|conversation|name` (version 3): a file's uploader, an
//! owner or moderator of the room holding it, or an administrator deletes
//! it.
//!
//! The file first leaves the index and its folder (moved into `.incoming/`,
//! which start-up empties), so nobody told of the delete can still reach
//! it; then the store checks again who may and stores the `FILE_DELETE`
//! event (which reaches everyone in the conversation, the deleter
//! included) with the file's shares reading deleted from then on. A
//! refusal puts the file back. Its preview goes with it (unless another
//! file of the conversation has the same contents), and once the delete is
//! stored so does the moved body. A download already streaming it finishes
//! from its open file.
//!
//! A conversation the user is not in answers exactly like one that does
//! not exist, so nothing about its files can be learnt from outside.

use media_chat_protocol::rules::{normalize_file_name, user_key};
use media_chat_protocol::{Conversation as WireConversation, Role};
use media_chat_store::{Conversation, FileMeta, RoomAction, RoomError, RoomRequest, StoreError};
use tracing::{error, info};

use crate::session::Session;

impl Session {
    /// `DELETE_FILE|conversation|name`.
    pub(crate) fn delete_file(&self, conversation: &WireConversation, name: &str) {
        let name = match normalize_file_name(name) {
            Ok(name) => name,
            Err(e) => return self.send_error(format!("Bad file name: {e}")),
        };
        let key = user_key(self.name());
        let admin = self.ctx.authority.is_admin(&key);
        let resolved = match self.resolve(conversation) {
            Ok(resolved) => resolved,
            // An administrator acts in every room, members or not.
            Err(reason) => match conversation {
                WireConversation::Room(room) if admin => match self.ctx.hub.room_named(room) {
                    Some(room) => Conversation::Room(room),
                    None => return self.send_error(reason),
                },
                _ => return self.send_error(reason),
            },
        };
        let not_found = || self.send_error(format!("No such file: {name}"));
        let files = match self.ctx.files.existing(&resolved, &self.ctx.store) {
            Ok(Some(files)) => files,
            Ok(None) => return not_found(),
            Err(e) => {
                error!(error = %e, "could not open a conversation's files");
                return self.send_error("The server could not read its files; try again later");
            }
        };
        // No upload's share comes between the check and the removal.
        let announcing = files.announcing();
        let Some(meta) = files.meta(&name) else {
            return not_found();
        };
        // Checked here too, so a refused delete never hides the file.
        if !self.may_delete(&resolved, &meta, admin) {
            return self.send_error(RoomError::NotYourFile(meta.name).to_string());
        }
        let failed = || self.send_error("The server could not delete the file; try again later");
        let trash = match self.ctx.files.begin_upload() {
            Ok(trash) => trash,
            Err(e) => {
                error!(error = %e, "could not make room to delete a file");
                return failed();
            }
        };
        match files.take(&meta.name, trash.path()) {
            Ok(Some(_)) => {}
            Ok(None) => return not_found(),
            Err(e) => {
                error!(file = %meta.name, error = %e, "could not move a file out to delete it");
                return failed();
            }
        }
        // Before anyone hears of it (a refused delete only costs the
        // preview's making again, on its next request).
        if !files.holds_contents(&meta.sha256) {
            let shelf = self.ctx.files.shelf(&resolved);
            self.ctx.previews.discard(&shelf, &meta.sha256);
        }
        let request = RoomRequest {
            actor: self.name().to_owned(),
            admin,
            action: RoomAction::DeleteFile {
                conversation: resolved.clone(),
                name: meta.name.clone(),
            },
            origin: self.id,
        };
        let stored = self.ctx.store.room(request);
        let events = match stored {
            Ok(events) => events,
            Err(e) => {
                if let Err(e) = files.put_back(meta.clone(), trash.path()) {
                    error!(file = %meta.name, error = %e, "could not put back a file not deleted");
                }
                return match e {
                    StoreError::Refused(refusal) => self.send_error(refusal.to_string()),
                    e => {
                        error!(error = %e, "could not store a file's delete");
                        failed()
                    }
                };
            }
        };
        drop(trash);
        info!(user = %self.name(), file = %meta.name, "deleted a file");
        // An administrator outside the room is no receiver of its events:
        // they hear of their delete directly.
        if self.outside(&resolved) {
            for committed in events {
                self.send(&crate::lines::event_line(&committed.event, &key));
            }
        }
        drop(announcing);
        if !meta.uploader.is_empty() {
            self.ctx.quotas.release(&meta.uploader, meta.size);
            let uploader = user_key(&meta.uploader);
            let line = self.ctx.quotas.line(&uploader);
            self.ctx.hub.to_quota_watchers(&uploader, &line);
        }
    }

    /// Whether this user may delete the file `meta` of `conversation`: as
    /// its uploader, as an owner or moderator of its room, or as an
    /// administrator (any room, `#general` included). The store checks the
    /// same when it stores the delete.
    fn may_delete(&self, conversation: &Conversation, meta: &FileMeta, admin: bool) -> bool {
        let key = user_key(self.name());
        if !meta.uploader.is_empty() && user_key(&meta.uploader) == key {
            return true;
        }
        match conversation {
            Conversation::General => admin,
            Conversation::Room(name) => {
                admin
                    || self
                        .ctx
                        .hub
                        .role_in(name, &key)
                        .is_some_and(|role| role >= Role::Moderator)
            }
            Conversation::Direct(_) | Conversation::Group(_) => false,
        }
    }

    /// Whether this user is outside `conversation` (a room they are not a
    /// member of), so its events do not reach them.
    fn outside(&self, conversation: &Conversation) -> bool {
        match conversation {
            Conversation::Room(name) => !matches!(
                self.ctx.hub.room_of(name, &user_key(self.name())),
                Some((_, true))
            ),
            _ => false,
        }
    }
}
