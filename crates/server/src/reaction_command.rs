//! `REACT` (version 3): a user gives a reaction on a message, or takes it
//! back. Checked and applied by the store's writer, which fans the toggle
//! out to the conversation; this session gets `ACK` and then the toggle's
//! event itself (so the client learns whether it was given or taken back),
//! or `REJECTED`. Over the rate limit the answer is an `ERROR`.

use std::time::Instant;

use media_chat_protocol::ServerMessage;
use media_chat_protocol::reaction::check_reaction;
use media_chat_protocol::rules::user_key;
use media_chat_store::{EventId, RoomAction, RoomRequest, StoreError};

use crate::lines;
use crate::session::Session;

/// Reactions one user may toggle at once, then this many an hour (one a
/// second).
const REACTIONS: (u32, u32) = (30, 3600);

impl Session {
    /// `REACT|token|id|reaction`.
    pub(crate) fn react(&self, token: &str, id: u64, reaction: &str) {
        let reject = |reason: String| {
            self.send(&ServerMessage::Rejected {
                token: token.to_owned(),
                reason,
            })
        };
        if let Err(e) = check_reaction(reaction) {
            return reject(format!("Reaction refused: {e}"));
        }
        let key = user_key(self.name());
        if let Err(wait) =
            self.ctx
                .action_limits
                .take(&key, "react", REACTIONS.0, REACTIONS.1, Instant::now())
        {
            return self.send_error(format!(
                "REACT: too many at once; try again in {} s",
                wait.as_secs().max(1)
            ));
        }
        let request = RoomRequest {
            actor: self.name().to_owned(),
            admin: false,
            action: RoomAction::React {
                id: EventId(id),
                reaction: reaction.to_owned(),
            },
            origin: self.id,
        };
        match self.ctx.store.room(request) {
            Ok(events) => match events.first() {
                Some(toggle) => {
                    self.send(&ServerMessage::Ack {
                        token: token.to_owned(),
                        id: toggle.event.id.0,
                        ts: toggle.event.ts,
                    });
                    self.send(&lines::event_line(&toggle.event, &key));
                }
                None => reject("Nothing was changed".to_owned()),
            },
            Err(StoreError::Refused(refusal)) => reject(refusal.to_string()),
            Err(e) => {
                tracing::error!(error = %e, "could not store a reaction");
                reject("The server could not store the reaction; try again later".to_owned());
            }
        }
    }
}
