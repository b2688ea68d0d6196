//! `TYPING` (version 3): "an is typing…" notices, passed on to the others
//! in the conversation and never stored. At most one per user and
//! conversation goes out every [`EVERY`]; the rest are dropped quietly (a
//! client may send one per keystroke), and a user over the rate limit is
//! told so.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use media_chat_protocol::rules::user_key;
use media_chat_protocol::{Conversation as WireConversation, ServerMessage};
use parking_lot::Mutex;

use crate::session::Session;

/// The least time between two notices of one user in one conversation.
pub(crate) const EVERY: Duration = Duration::from_secs(3);

/// Notices one user may send at once (many conversations), then this many
/// an hour (one a second).
const NOTICES: (u32, u32) = (20, 3600);

/// Past this many remembered notices, the stale ones are forgotten.
const REMEMBERED: usize = 4096;

/// When each user last had a notice passed on, per conversation.
#[derive(Default)]
pub(crate) struct TypingNotices {
    last: Mutex<HashMap<(String, String), Instant>>,
}

impl TypingNotices {
    /// Whether a notice of `user` in `conversation` (keys) goes out `now`;
    /// if so, it counts as the last.
    pub(crate) fn take(&self, user: &str, conversation: &str, now: Instant) -> bool {
        let mut last = self.last.lock();
        if last.len() >= REMEMBERED {
            last.retain(|_, at| now.saturating_duration_since(*at) < EVERY);
        }
        let key = (user.to_owned(), conversation.to_owned());
        match last.get(&key) {
            Some(at) if now.saturating_duration_since(*at) < EVERY => false,
            _ => {
                last.insert(key, now);
                true
            }
        }
    }
}

impl Session {
    /// `TYPING|conversation`.
    pub(crate) fn typing(&self, conversation: &WireConversation) {
        let resolved = match self.resolve(conversation) {
            Ok(resolved) => resolved,
            Err(reason) => return self.send_error(reason),
        };
        let key = user_key(self.name());
        let now = Instant::now();
        if let Err(wait) = self
            .ctx
            .action_limits
            .take(&key, "typing", NOTICES.0, NOTICES.1, now)
        {
            return self.send_error(format!(
                "TYPING: too many at once; try again in {} s",
                wait.as_secs().max(1)
            ));
        }
        if !self
            .ctx
            .typing
            .take(&key, &user_key(&conversation.to_string()), now)
        {
            return;
        }
        // Each reader names the conversation from their side: a direct
        // one is `@<this user>` for the other.
        let named = match &resolved {
            media_chat_store::Conversation::Direct(_) => {
                WireConversation::Direct(self.name().to_owned())
            }
            _ => conversation.clone(),
        };
        self.ctx.hub.ephemeral(
            &resolved,
            &key,
            &ServerMessage::Typing {
                conversation: named,
                user: self.name().to_owned(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_notice_per_user_and_conversation_every_three_seconds() {
        let notices = TypingNotices::default();
        let start = Instant::now();
        assert!(notices.take("an", "#general", start));
        assert!(!notices.take("an", "#general", start + Duration::from_secs(1)));
        assert!(notices.take("an", "@bình", start + Duration::from_secs(1)));
        assert!(notices.take("bình", "#general", start + Duration::from_secs(1)));
        assert!(notices.take("an", "#general", start + EVERY));
    }
}
