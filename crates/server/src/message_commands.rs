//! `EDIT` and `DELETE` (version 3): a user changes or deletes a message,
//! checked and applied by the store's writer (which fans the change out to
//! the conversation), answered `ACK` with the change's id or `REJECTED`.

use media_chat_protocol::ServerMessage;
use media_chat_protocol::rules::{check_text, user_key};
use media_chat_store::{EventId, RoomAction, RoomRequest, StoreError};

use crate::session::Session;

impl Session {
    /// `EDIT|token|id|text` (with `text`) or `DELETE|token|id`.
    pub(crate) fn change_message(&self, token: &str, id: u64, text: Option<&str>) {
        let reject = |reason: String| {
            self.send(&ServerMessage::Rejected {
                token: token.to_owned(),
                reason,
            })
        };
        if let Some(text) = text
            && let Err(e) = check_text(text)
        {
            return reject(format!("Message refused: {e}"));
        }
        let id = EventId(id);
        let action = match text {
            Some(text) => RoomAction::Edit {
                id,
                text: text.to_owned(),
            },
            None => RoomAction::Delete { id },
        };
        let request = RoomRequest {
            actor: self.name().to_owned(),
            admin: self.ctx.authority.is_admin(&user_key(self.name())),
            action,
            origin: self.id,
        };
        match self.ctx.store.room(request) {
            Ok(events) => match events.first() {
                Some(change) => self.send(&ServerMessage::Ack {
                    token: token.to_owned(),
                    id: change.event.id.0,
                    ts: change.event.ts,
                }),
                None => reject("Nothing was changed".to_owned()),
            },
            Err(StoreError::Refused(refusal)) => reject(refusal.to_string()),
            Err(e) => {
                tracing::error!(error = %e, "could not change a message");
                reject("The server could not change the message; try again later".to_owned());
            }
        }
    }
}
