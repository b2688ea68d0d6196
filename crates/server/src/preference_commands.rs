//! `BLOCK`, `UNBLOCK`, `MUTE`, `UNMUTE` (version 3): a user's choices about
//! others and conversations, stored, and told to all their sessions (the
//! one that asked included) so the desktop and the terminal agree.

use media_chat_protocol::rules::user_key;
use media_chat_protocol::{Conversation as WireConversation, ServerMessage};
use media_chat_store::{Preference, StoreError};

use crate::session::Session;

impl Session {
    /// `BLOCK|user` (`on`) or `UNBLOCK|user`.
    pub(crate) fn block(&self, user: &str, on: bool) {
        let user = match self.registered(user) {
            Ok(user) => user,
            Err(reason) => return self.send_error(reason),
        };
        let (me, them) = (user_key(self.name()), user_key(&user));
        if me == them {
            return self.send_error("You cannot block yourself");
        }
        if let Err(e) = self.prefer(Preference::Block(user.clone(), on)) {
            tracing::error!(error = %e, "could not record a block");
            return self.send_error("The server could not record it; try again later");
        }
        self.ctx.blocks.set(&me, &them, on);
        self.tell_own_sessions(&ServerMessage::Blocked { user, on });
    }

    /// `MUTE|conversation` (`on`) or `UNMUTE|conversation`.
    pub(crate) fn mute(&self, conversation: &WireConversation, on: bool) {
        let resolved = match self.resolve(conversation) {
            Ok(resolved) => resolved,
            Err(reason) => return self.send_error(reason),
        };
        if let Err(e) = self.prefer(Preference::Mute(resolved, on)) {
            tracing::error!(error = %e, "could not record a mute");
            return self.send_error("The server could not record it; try again later");
        }
        self.tell_own_sessions(&ServerMessage::Muted {
            conversation: conversation.clone(),
            on,
        });
    }

    /// Records a preference, committed before it is told.
    fn prefer(&self, preference: Preference) -> Result<(), StoreError> {
        self.ctx.store.set_preference(self.name(), preference)?;
        self.ctx.store.barrier()
    }

    /// The user's other version 3 sessions, then this one: once this
    /// session hears of the change, the others have it queued.
    fn tell_own_sessions(&self, message: &ServerMessage) {
        self.ctx
            .hub
            .to_own_sessions(&user_key(self.name()), self.id, message);
        self.send(message);
    }
}
