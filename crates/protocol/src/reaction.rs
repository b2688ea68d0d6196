//! Reactions (v3): what a reaction may be (an emoji or a short text), and
//! [`Reactions`], the reactions one message has: each with who reacted.
//! The server, the store and the client engine share this one type.

use thiserror::Error;

use crate::rules::{is_bidi_control, user_key};

/// Most characters (not bytes) in a reaction.
pub const MAX_REACTION_CHARS: usize = 16;

/// Why a reaction is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReactionError {
    /// The reaction is empty.
    #[error("a reaction may not be empty")]
    Empty,
    /// Longer than [`MAX_REACTION_CHARS`] characters.
    #[error("a reaction is at most {MAX_REACTION_CHARS} characters")]
    TooLong,
    /// A control character (tab included) or a bidirectional-text control.
    #[error("a reaction may not contain control characters (found U+{0:04X})")]
    ControlChar(u32),
    /// A `|`, the field separator.
    #[error("a reaction may not contain '|'")]
    Separator,
}

/// Checks a reaction: 1 to [`MAX_REACTION_CHARS`] characters, no control
/// or bidirectional-text control characters, no `|`.
pub fn check_reaction(reaction: &str) -> Result<(), ReactionError> {
    if reaction.is_empty() {
        return Err(ReactionError::Empty);
    }
    if reaction.chars().count() > MAX_REACTION_CHARS {
        return Err(ReactionError::TooLong);
    }
    for c in reaction.chars() {
        if c.is_control() || is_bidi_control(c) {
            return Err(ReactionError::ControlChar(c as u32));
        }
        if c == '|' {
            return Err(ReactionError::Separator);
        }
    }
    Ok(())
}

/// The reactions on one message: each reaction (in the order it was
/// first given) with the users who gave it (in the order they did, by
/// registered name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reactions {
    list: Vec<(String, Vec<String>)>,
}

impl Reactions {
    /// No reactions.
    pub fn new() -> Self {
        Reactions::default()
    }

    /// `user` gave (`on`) or took back `reaction`. Users are compared by
    /// key; a reaction nobody gives any more is gone.
    pub fn toggle(&mut self, user: &str, reaction: &str, on: bool) {
        let key = user_key(user);
        let index = self.list.iter().position(|(r, _)| r == reaction);
        match (index, on) {
            (Some(i), true) => {
                let users = &mut self.list[i].1;
                if !users.iter().any(|u| user_key(u) == key) {
                    users.push(user.to_owned());
                }
            }
            (None, true) => self.list.push((reaction.to_owned(), vec![user.to_owned()])),
            (Some(i), false) => {
                self.list[i].1.retain(|u| user_key(u) != key);
                if self.list[i].1.is_empty() {
                    self.list.remove(i);
                }
            }
            (None, false) => {}
        }
    }

    /// Each reaction with who gave it, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.list
            .iter()
            .map(|(r, users)| (r.as_str(), users.as_slice()))
    }

    /// Who gave `reaction` (nobody: empty).
    pub fn users(&self, reaction: &str) -> &[String] {
        self.list
            .iter()
            .find(|(r, _)| r == reaction)
            .map_or(&[], |(_, users)| users.as_slice())
    }

    /// Whether `user` gave `reaction`.
    pub fn has(&self, user: &str, reaction: &str) -> bool {
        let key = user_key(user);
        self.users(reaction).iter().any(|u| user_key(u) == key)
    }

    /// Whether the message has no reactions.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reaction_is_a_short_text_without_controls_or_separators() {
        for fine in ["👍", "❤️", "+1", "hay quá", "👨‍👩‍👧‍👦", "xxxxxxxxxxxxxxxx"]
        {
            assert_eq!(check_reaction(fine), Ok(()), "{fine}");
        }
        assert_eq!(check_reaction(""), Err(ReactionError::Empty));
        assert_eq!(
            check_reaction("xxxxxxxxxxxxxxxxx"),
            Err(ReactionError::TooLong)
        );
        // Characters, not bytes: 16 Vietnamese letters of 2 or 3 bytes.
        assert_eq!(check_reaction("ắắắắắắắắắắắắắắắắ"), Ok(()));
        assert_eq!(check_reaction("a|b"), Err(ReactionError::Separator));
        assert_eq!(
            check_reaction("a\u{1b}[31m"),
            Err(ReactionError::ControlChar(0x1b))
        );
        assert_eq!(
            check_reaction("\u{202E}ok"),
            Err(ReactionError::ControlChar(0x202E))
        );
        assert_eq!(check_reaction("a\tb"), Err(ReactionError::ControlChar(9)));
    }

    #[test]
    fn toggling_adds_and_removes_and_keeps_the_order() {
        let mut reactions = Reactions::new();
        reactions.toggle("an", "👍", true);
        reactions.toggle("bình", "❤️", true);
        reactions.toggle("Bình", "👍", true);
        reactions.toggle("an", "👍", true);
        assert_eq!(reactions.users("👍"), ["an", "Bình"]);
        assert!(reactions.has("BÌNH", "👍"));
        let order: Vec<&str> = reactions.iter().map(|(r, _)| r).collect();
        assert_eq!(order, ["👍", "❤️"]);
        reactions.toggle("bình", "❤️", false);
        reactions.toggle("cường", "❤️", false);
        assert_eq!(reactions.users("❤️"), [] as [String; 0]);
        assert_eq!(reactions.iter().count(), 1);
        reactions.toggle("an", "👍", false);
        reactions.toggle("bình", "👍", false);
        assert!(reactions.is_empty());
    }
}
