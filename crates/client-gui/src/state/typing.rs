//! Who is typing where, from the others' typing notices: each name stays
//! for [`TYPING_SHOWN`] after its latest notice, or until its message
//! arrives. Never stored, forgotten when the connection goes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use media_chat_client::{Conversation, TYPING_SHOWN, conversation_key};

/// The typing notices heard lately, by conversation key.
#[derive(Debug, Clone, Default)]
pub struct Typing {
    heard: HashMap<String, Vec<(String, Instant)>>,
}

impl Typing {
    /// `user` is typing in `conversation` (a notice heard `at`).
    pub fn heard(&mut self, conversation: &Conversation, user: &str, at: Instant) {
        let notices = self
            .heard
            .entry(conversation_key(conversation))
            .or_default();
        notices.retain(|(name, _)| name.to_lowercase() != user.to_lowercase());
        notices.push((user.to_owned(), at));
    }

    /// `user`'s message came in `conversation`: they are done typing.
    pub fn said(&mut self, conversation: &Conversation, user: &str) {
        if let Some(notices) = self.heard.get_mut(&conversation_key(conversation)) {
            notices.retain(|(name, _)| name.to_lowercase() != user.to_lowercase());
        }
    }

    /// Who is typing in `conversation` at `now`, in the order they started.
    pub fn names(&self, conversation: &Conversation, now: Instant) -> Vec<&str> {
        self.heard
            .get(&conversation_key(conversation))
            .into_iter()
            .flatten()
            .filter(|(_, at)| now.saturating_duration_since(*at) < TYPING_SHOWN)
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// How long until the next name in `conversation` goes (the window
    /// draws again then).
    pub fn next_change(&self, conversation: &Conversation, now: Instant) -> Option<Duration> {
        self.heard
            .get(&conversation_key(conversation))?
            .iter()
            .filter_map(|(_, at)| TYPING_SHOWN.checked_sub(now.saturating_duration_since(*at)))
            .filter(|left| !left.is_zero())
            .min()
    }

    /// Forgets every notice (the connection went).
    pub fn clear(&mut self) {
        self.heard.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::Typing;
    use media_chat_client::{Conversation, TYPING_SHOWN};
    use std::time::{Duration, Instant};

    #[test]
    fn a_name_shows_until_its_message_or_six_seconds_without_a_notice() {
        let general = Conversation::general();
        let mut typing = Typing::default();
        let start = Instant::now();
        typing.heard(&general, "an", start);
        typing.heard(&general, "Bình", start + Duration::from_secs(1));
        typing.heard(&general, "an", start + Duration::from_secs(2));
        assert_eq!(
            typing.names(&general, start + Duration::from_secs(3)),
            ["Bình", "an"]
        );
        assert!(
            typing
                .names(&Conversation::Direct("an".into()), start)
                .is_empty()
        );
        let later = start + Duration::from_secs(1) + TYPING_SHOWN;
        assert_eq!(typing.names(&general, later), ["an"]);
        assert_eq!(
            typing.next_change(&general, later),
            Some(Duration::from_secs(1))
        );
        typing.said(&general, "AN");
        assert!(typing.names(&general, later).is_empty());
    }
}
