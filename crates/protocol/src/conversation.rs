//! Conversation names as version 3 writes them: `#name` for a room,
//! `@name` for the direct conversation with another user, as seen by the
//! user reading the line (Alice's conversation with Bob is `@bob` on her
//! side and `@alice` on his), and `+a,b,c` for a group conversation, named
//! by its members (every one of them, the reader included).

use std::fmt;

use thiserror::Error;

use crate::rules::{UserNameError, normalize_user_name, user_key};

/// The room every account belongs to: the seed's public chat.
pub const GENERAL: &str = "general";

/// The longest room name, in characters (without the `#`).
pub const MAX_ROOM_NAME_CHARS: usize = 64;

/// The fewest members of a group conversation (two is a direct one).
pub const MIN_GROUP: usize = 3;

/// The most members of a group conversation.
pub const MAX_GROUP: usize = 20;

/// A conversation, named from the reader's side.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Conversation {
    /// `#name`: a room (for now only `#general`).
    Room(String),
    /// `@name`: the direct conversation with the user `name`.
    Direct(String),
    /// `+a,b,c`: the group conversation of these users (3 to 20, the reader
    /// included), in the order given.
    Group(Vec<String>),
}

/// Why a conversation name cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConversationError {
    /// The name starts with neither `#` nor `@`.
    #[error("a conversation is #room or @user")]
    NoSigil,
    /// A room name that is empty, too long, does not start with a letter or
    /// holds other than letters, digits, `_`, `-`, `.`.
    #[error(
        "a room name is 1 to {MAX_ROOM_NAME_CHARS} letters, digits, '_', '-' or '.', starting with a letter"
    )]
    BadRoom,
    /// The user name after `@` breaks the user-name rules.
    #[error("{0}")]
    BadUser(UserNameError),
    /// A group of fewer than 3 or more than 20 distinct users.
    #[error("a group conversation has {MIN_GROUP} to {MAX_GROUP} different members")]
    BadGroup,
}

impl Conversation {
    /// `#general`.
    pub fn general() -> Self {
        Conversation::Room(GENERAL.to_owned())
    }

    /// Whether this is `#general`.
    pub fn is_general(&self) -> bool {
        matches!(self, Conversation::Room(name) if name == GENERAL)
    }

    /// Reads `#room` or `@user`. The user name is normalised (NFC) and
    /// checked; a room name is checked and kept as written.
    pub fn parse(text: &str) -> Result<Self, ConversationError> {
        if let Some(room) = text.strip_prefix('#') {
            let mut chars = room.chars();
            let starts_with_letter = chars.next().is_some_and(char::is_alphabetic);
            let rest_ok = chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
            let count = room.chars().count();
            if !starts_with_letter || !rest_ok || count > MAX_ROOM_NAME_CHARS {
                return Err(ConversationError::BadRoom);
            }
            return Ok(Conversation::Room(room.to_owned()));
        }
        if let Some(user) = text.strip_prefix('@') {
            return normalize_user_name(user)
                .map(Conversation::Direct)
                .map_err(ConversationError::BadUser);
        }
        if let Some(members) = text.strip_prefix('+') {
            let mut names: Vec<String> = Vec::new();
            for name in members.split(',') {
                let name = normalize_user_name(name).map_err(ConversationError::BadUser)?;
                if names
                    .iter()
                    .any(|n: &String| user_key(n) == user_key(&name))
                {
                    return Err(ConversationError::BadGroup);
                }
                names.push(name);
            }
            if !(MIN_GROUP..=MAX_GROUP).contains(&names.len()) {
                return Err(ConversationError::BadGroup);
            }
            return Ok(Conversation::Group(names));
        }
        Err(ConversationError::NoSigil)
    }
}

impl fmt::Display for Conversation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conversation::Room(name) => write!(f, "#{name}"),
            Conversation::Direct(user) => write!(f, "@{user}"),
            Conversation::Group(members) => write!(f, "+{}", members.join(",")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_and_users_read_and_print_back() {
        for (text, conversation) in [
            ("#general", Conversation::general()),
            ("#bài-tập_1", Conversation::Room("bài-tập_1".into())),
            ("@Đặng", Conversation::Direct("Đặng".into())),
        ] {
            assert_eq!(Conversation::parse(text), Ok(conversation.clone()));
            assert_eq!(conversation.to_string(), text);
        }
        assert!(Conversation::general().is_general());
        assert!(!Conversation::Direct("general".into()).is_general());
    }

    #[test]
    fn bad_names_say_why() {
        assert_eq!(
            Conversation::parse("general"),
            Err(ConversationError::NoSigil)
        );
        for room in [
            "#",
            "#1abc",
            "#a b",
            "#a|b",
            &format!("#{}", "a".repeat(65)),
        ] {
            assert_eq!(
                Conversation::parse(room),
                Err(ConversationError::BadRoom),
                "{room}"
            );
        }
        assert!(matches!(
            Conversation::parse("@a\u{1b}"),
            Err(ConversationError::BadUser(_))
        ));
        assert!(matches!(
            Conversation::parse("@"),
            Err(ConversationError::BadUser(UserNameError::Empty))
        ));
        for group in [
            "+a,b",
            "+a,b,A",
            "+a,,b",
            &format!(
                "+{}",
                (0..21)
                    .map(|n| format!("u{n}"))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        ] {
            assert!(Conversation::parse(group).is_err(), "{group}");
        }
    }

    #[test]
    fn groups_read_and_print_back() {
        let group = Conversation::parse("+an,Bình,cường").unwrap();
        assert_eq!(
            group,
            Conversation::Group(vec!["an".into(), "Bình".into(), "cường".into()])
        );
        assert_eq!(group.to_string(), "+an,Bình,cường");
    }
}
