//! What `/more` asks for next: per conversation, the oldest message shown,
//! and after a reconnect that left a gap (more came while away than the
//! backlog holds), the stretch paging has to fill before it reaches what
//! was shown before the drop.

use std::collections::HashMap;

use media_chat_client::{Conversation, Message};

/// The `/more` cursors.
#[derive(Debug, Default)]
pub struct Pages {
    /// The oldest message id shown per conversation.
    oldest: HashMap<Conversation, u64>,
    /// Gaps being filled, per conversation.
    gaps: HashMap<Conversation, Gap>,
}

/// A stretch of a conversation not shown: the ids above `after`, below
/// the backlog.
#[derive(Debug, Clone, Copy)]
struct Gap {
    /// The last id shown before the drop.
    after: u64,
    /// The oldest id shown before the drop, where `/more` goes on once
    /// the gap is filled.
    resume: Option<u64>,
    /// A page reached `after`: the gap closes at the page's end.
    reached: bool,
}

impl Pages {
    /// A message was shown (live, backlog or page).
    pub fn shown(&mut self, message: &Message) {
        if let Some(id) = message.id() {
            let oldest = self
                .oldest
                .entry(message.conversation.clone())
                .or_insert(id);
            *oldest = (*oldest).min(id);
        }
    }

    /// The welcome left out the messages of `conversation` with
    /// `after < id < before`.
    pub fn gap(&mut self, conversation: &Conversation, after: u64, before: u64) {
        let resume = self.oldest.insert(conversation.clone(), before);
        self.gaps.insert(
            conversation.clone(),
            Gap {
                after,
                resume,
                reached: false,
            },
        );
    }

    /// The id `/more` pages back from (0: the newest).
    pub fn before(&self, conversation: &Conversation) -> u64 {
        self.oldest.get(conversation).copied().unwrap_or(0)
    }

    /// Whether a paged message is new to the user. Paging into a gap ends
    /// where the messages shown before the drop begin: those are skipped,
    /// and after this page `/more` goes on from the oldest of them.
    pub fn is_new(&mut self, message: &Message) -> bool {
        let Some(gap) = self.gaps.get_mut(&message.conversation) else {
            return true;
        };
        if message.id().is_some_and(|id| id <= gap.after) {
            gap.reached = true;
            return false;
        }
        true
    }

    /// A page ended: a gap it reached the end of (or with nothing older)
    /// is filled.
    pub fn page_end(&mut self, conversation: &Conversation, more: bool) {
        if let Some(gap) = self.gaps.get(conversation).copied()
            && (gap.reached || !more)
        {
            self.close_gap(conversation, gap);
        }
    }

    fn close_gap(&mut self, conversation: &Conversation, gap: Gap) {
        self.gaps.remove(conversation);
        if let Some(resume) = gap.resume {
            self.oldest.insert(conversation.clone(), resume);
        }
    }
}

#[cfg(test)]
mod tests {
    use media_chat_client::{Body, Delivery};

    use super::*;

    fn message(id: u64) -> Message {
        Message {
            conversation: Conversation::general(),
            author: "an".into(),
            body: Body::Text(id.to_string()),
            ts: 0,
            state: Delivery::Sent { id: Some(id) },
        }
    }

    #[test]
    fn more_pages_before_the_oldest_shown() {
        let mut pages = Pages::default();
        let general = Conversation::general();
        assert_eq!(pages.before(&general), 0);
        for id in [12, 10, 11] {
            pages.shown(&message(id));
        }
        assert_eq!(pages.before(&general), 10);
    }

    #[test]
    fn a_gap_is_filled_then_paging_goes_on_before_what_was_shown() {
        let mut pages = Pages::default();
        let general = Conversation::general();
        for id in 5..=8 {
            pages.shown(&message(id));
        }
        // Away: 9..=40 left out, 41.. in the backlog.
        pages.gap(&general, 8, 41);
        pages.shown(&message(41));
        assert_eq!(pages.before(&general), 41);
        assert!(pages.is_new(&message(20)));
        pages.shown(&message(20));
        assert_eq!(pages.before(&general), 20);
        // The page reaches what was shown before the drop: none of it
        // twice, and the next page comes from before it.
        assert!(!pages.is_new(&message(7)));
        assert!(!pages.is_new(&message(8)));
        assert!(pages.is_new(&message(9)));
        pages.shown(&message(9));
        pages.page_end(&general, true);
        assert_eq!(pages.before(&general), 5);
        assert!(pages.is_new(&message(4)));
    }
}
