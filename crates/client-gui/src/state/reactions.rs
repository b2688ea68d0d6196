//! [`ReactionBook`]: each message's reactions, by message id. The engine
//! keeps reactions out of [`media_chat_client::Message`] (an edit or a page
//! must not lose them), so the window keeps them beside the rows; every
//! reaction change carries the whole set, which replaces what was known.

use std::collections::HashMap;

use media_chat_client::Change;
use media_chat_protocol::Reactions;

/// The reactions known for each message, by its event id.
#[derive(Debug, Clone, Default)]
pub struct ReactionBook {
    by_message: HashMap<u64, Reactions>,
}

impl ReactionBook {
    /// Takes the set a reaction change carries for message `target`
    /// (nothing for an edit or a delete).
    pub fn change(&mut self, target: u64, change: &Change) {
        let Some(reactions) = change.reactions() else {
            return;
        };
        if reactions.is_empty() {
            self.by_message.remove(&target);
        } else {
            self.by_message.insert(target, reactions.clone());
        }
    }

    /// The reactions on message `id`, if it has any.
    pub fn of(&self, id: u64) -> Option<&Reactions> {
        self.by_message.get(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_change_replaces_the_set_and_an_empty_one_forgets_it() {
        let mut book = ReactionBook::default();
        let mut set = Reactions::new();
        set.toggle("an", "👍", true);
        book.change(
            7,
            &Change::Reacted {
                reaction: "👍".into(),
                on: true,
                reactions: set.clone(),
            },
        );
        assert_eq!(book.of(7).map(|r| r.users("👍").len()), Some(1));
        set.toggle("minh", "👍", true);
        book.change(7, &Change::Reactions(set));
        assert_eq!(book.of(7).map(|r| r.users("👍").len()), Some(2));
        book.change(7, &Change::Edited("x".into()));
        assert!(book.of(7).is_some(), "an edit keeps them");
        book.change(7, &Change::Reactions(Reactions::new()));
        assert!(book.of(7).is_none());
    }
}
