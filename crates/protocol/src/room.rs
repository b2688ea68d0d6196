//! The words of rooms (version 3): a room's visibility, a member's role,
//! what changed about a member, a conversation's kind. Each has one wire
//! spelling, shared by every party (the store keeps them too).

use std::fmt;
use std::str::FromStr;

/// Who can find and enter a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// `public`: listed, and anyone may join.
    Public,
    /// `private`: invisible to non-members; by invitation only.
    Private,
}

/// A user's standing in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// `invited`: may join (a private room), not yet a member.
    Invited,
    /// `member`.
    Member,
    /// `moderator`: named by the owner; invites, removes, bans, sets the
    /// topic.
    Moderator,
    /// `owner`: the room's creator; also names moderators.
    Owner,
}

/// What happened to a member of a room (`EVENT|…|MEMBER|by|user|change`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberChange {
    /// `created`: `user` created the room (and owns it).
    Created,
    /// `joined`: `user` joined.
    Joined,
    /// `left`: `user` left.
    Left,
    /// `invited`: `by` invited `user`.
    Invited,
    /// `removed`: `by` removed `user`.
    Removed,
    /// `banned`: `by` removed `user` for good (until unbanned).
    Banned,
    /// `unbanned`: `by` lifted `user`'s ban.
    Unbanned,
    /// `moderator`: `by` (the owner) made `user` a moderator.
    Promoted,
    /// `member`: `by` (the owner) made a moderator a plain member again.
    Demoted,
}

/// What kind of conversation a `CONV` line describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConversationKind {
    /// `room`: a public room.
    Room,
    /// `private`: a private room.
    PrivateRoom,
    /// `group`: a group conversation.
    Group,
    /// `direct`: a direct conversation.
    Direct,
}

/// A word that is not one of a type's spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord;

macro_rules! words {
    ($type:ty { $($variant:ident => $word:literal),+ $(,)? }) => {
        impl $type {
            /// The wire spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(<$type>::$variant => $word),+
                }
            }
        }

        impl FromStr for $type {
            type Err = UnknownWord;

            fn from_str(word: &str) -> Result<Self, UnknownWord> {
                match word {
                    $($word => Ok(<$type>::$variant),)+
                    _ => Err(UnknownWord),
                }
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

words!(Visibility { Public => "public", Private => "private" });
words!(Role {
    Invited => "invited",
    Member => "member",
    Moderator => "moderator",
    Owner => "owner",
});
words!(MemberChange {
    Created => "created",
    Joined => "joined",
    Left => "left",
    Invited => "invited",
    Removed => "removed",
    Banned => "banned",
    Unbanned => "unbanned",
    Promoted => "moderator",
    Demoted => "member",
});
words!(ConversationKind {
    Room => "room",
    PrivateRoom => "private",
    Group => "group",
    Direct => "direct",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back() {
        for change in [
            MemberChange::Created,
            MemberChange::Joined,
            MemberChange::Left,
            MemberChange::Invited,
            MemberChange::Removed,
            MemberChange::Banned,
            MemberChange::Unbanned,
            MemberChange::Promoted,
            MemberChange::Demoted,
        ] {
            assert_eq!(change.as_str().parse(), Ok(change));
        }
        assert_eq!("owner".parse(), Ok(Role::Owner));
        assert_eq!("private".parse(), Ok(Visibility::Private));
        assert_eq!("direct".parse(), Ok(ConversationKind::Direct));
        assert_eq!("Owner".parse::<Role>(), Err(UnknownWord));
    }
}
