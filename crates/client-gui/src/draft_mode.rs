//! What a conversation's draft does when sent besides being said: answer a
//! message (reply mode) or replace the text of one of the user's own
//! (edit mode). One mode at a time per conversation, kept when switching.

use std::collections::HashMap;

/// The mode of one conversation's composer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftMode {
    /// The draft answers message `id`.
    Reply(u64),
    /// The draft is the new text of the user's message `id`; `saved` is
    /// what had been typed before, put back when the edit ends.
    Edit {
        /// The message being edited.
        id: u64,
        /// The draft from before the edit.
        saved: String,
    },
}

/// Every conversation's mode and draft, by conversation key.
#[derive(Debug, Default)]
pub struct Drafts {
    texts: HashMap<String, String>,
    modes: HashMap<String, DraftMode>,
}

impl Drafts {
    /// The draft of conversation `key`.
    pub fn text_mut(&mut self, key: &str) -> &mut String {
        self.texts.entry(key.to_owned()).or_default()
    }

    /// The mode of conversation `key`, if any.
    pub fn mode(&self, key: &str) -> Option<&DraftMode> {
        self.modes.get(key)
    }

    /// Answers message `id` from conversation `key`'s draft; an edit under
    /// way ends first (its draft comes back).
    pub fn reply(&mut self, key: &str, id: u64) {
        self.leave(key);
        self.modes.insert(key.to_owned(), DraftMode::Reply(id));
    }

    /// Puts `text`, the user's message `id`, in conversation `key`'s entry
    /// to be edited, keeping what was typed for when the edit ends.
    pub fn edit(&mut self, key: &str, id: u64, text: &str) {
        self.leave(key);
        let saved = std::mem::replace(self.text_mut(key), text.to_owned());
        self.modes
            .insert(key.to_owned(), DraftMode::Edit { id, saved });
    }

    /// Leaves conversation `key`'s mode: an edit's text goes, the draft from
    /// before it comes back.
    pub fn leave(&mut self, key: &str) {
        if let Some(DraftMode::Edit { saved, .. }) = self.modes.remove(key) {
            *self.text_mut(key) = saved;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{DraftMode, Drafts};

    #[test]
    fn an_edit_keeps_the_draft_and_gives_it_back_when_it_ends() {
        let mut drafts = Drafts::default();
        drafts.text_mut("#general").push_str("nửa câu");
        drafts.edit("#general", 7, "hẹn 8 giờ");
        assert_eq!(drafts.text_mut("#general"), "hẹn 8 giờ");
        drafts.reply("#general", 9);
        assert_eq!(drafts.mode("#general"), Some(&DraftMode::Reply(9)));
        assert_eq!(drafts.text_mut("#general"), "nửa câu");
        drafts.edit("#general", 7, "hẹn 8 giờ");
        drafts.leave("#general");
        assert_eq!(drafts.mode("#general"), None);
        assert_eq!(drafts.text_mut("#general"), "nửa câu");
        assert!(drafts.text_mut("@bình").is_empty());
    }
}
