//! `@here`: a message of a room or group that says it mentions each of
//! its members online at that moment. Only the server knows who is
//! online, so the session resolves it before the message is stored, and
//! the store records those users' mentions with the message's own.

use media_chat_protocol::rules::{mentions_here, user_key};
use media_chat_store::Conversation;

use crate::session::Session;

/// Members read at a time while resolving `@here`.
const PAGE: usize = 500;

impl Session {
    /// The user keys `@here` in `text` reaches in `conversation`: its
    /// members online now, the sender aside; none for a direct
    /// conversation or a text without `@here`.
    pub(crate) fn here(&self, conversation: &Conversation, text: &str) -> Vec<String> {
        if matches!(conversation, Conversation::Direct(_)) || !mentions_here(text) {
            return Vec::new();
        }
        let me = user_key(self.name());
        let mut names = Vec::new();
        match conversation {
            Conversation::Group(members) => names.extend(members.names().iter().cloned()),
            // Everyone is in #general.
            Conversation::General => names = self.ctx.accounts.names_after("", usize::MAX).0,
            Conversation::Room(_) => {
                let mut after = String::new();
                loop {
                    let Ok((page, more)) = self.ctx.store.members(&me, conversation, &after, PAGE)
                    else {
                        break;
                    };
                    after = page.last().map(|m| m.name.clone()).unwrap_or_default();
                    names.extend(page.into_iter().map(|m| m.name));
                    if !more || after.is_empty() {
                        break;
                    }
                }
            }
            Conversation::Direct(_) => {}
        }
        let online = self.ctx.hub.online_among(&names);
        names
            .iter()
            .zip(online)
            .filter(|(_, online)| *online)
            .map(|(name, _)| user_key(name))
            .filter(|key| *key != me)
            .collect()
    }
}
