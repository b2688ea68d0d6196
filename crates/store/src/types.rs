//! What the store holds: events with their ids, the conversations they
//! belong to, file metadata. Plain data, shared by the store's callers.

use media_chat_protocol::rules::user_key;
use media_chat_protocol::{MemberChange, Reactions, Role, Sha256Digest, Visibility};

/// An event's id: unique, never reused, increasing in commit order, which is
/// the order every session sees events in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(pub u64);

/// A conversation, named the same way for everyone in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Conversation {
    /// The public room, `#general`: every account is in it.
    General,
    /// The direct conversation of two users (one user writing to
    /// themselves is a conversation too).
    Direct(Pair),
    /// A room other than `#general`, by its name as created.
    Room(String),
    /// A group conversation: a fixed set of 3 to 20 users.
    Group(Members),
}

/// The members of a group conversation, by registered name, ordered by
/// user key so that each set has one form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Members(Vec<String>);

impl Members {
    /// The set of `names` (duplicates by key dropped).
    pub fn new(names: &[String]) -> Members {
        let mut names = names.to_vec();
        names.sort_by_key(|name| user_key(name));
        names.dedup_by_key(|name| user_key(name));
        Members(names)
    }

    /// The names, in key order.
    pub fn names(&self) -> &[String] {
        &self.0
    }

    /// Whether the user with `key` is a member.
    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|name| user_key(name) == key)
    }

    /// The keys joined by `,`: what identifies the group.
    pub fn key(&self) -> String {
        self.0
            .iter()
            .map(|name| user_key(name))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The two users of a direct conversation, by registered name, ordered by
/// their user keys so that each pair has one form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pair {
    a: String,
    b: String,
}

impl Pair {
    /// The pair of `one` and `other`, in either order.
    pub fn new(one: &str, other: &str) -> Pair {
        let (a, b) = if user_key(one) <= user_key(other) {
            (one, other)
        } else {
            (other, one)
        };
        Pair {
            a: a.to_owned(),
            b: b.to_owned(),
        }
    }

    /// The two names, in key order.
    pub fn names(&self) -> (&str, &str) {
        (&self.a, &self.b)
    }

    /// Whether the user with `key` is one of the two.
    pub fn has(&self, key: &str) -> bool {
        user_key(&self.a) == key || user_key(&self.b) == key
    }

    /// The other user, seen from the user with `key` (themselves when they
    /// write to themselves).
    pub fn other(&self, key: &str) -> &str {
        if user_key(&self.a) == key {
            &self.b
        } else {
            &self.a
        }
    }
}

impl Conversation {
    /// Whether the user with `key` may see this conversation's events, when
    /// the conversation itself says so: always for `#general`, for the two
    /// or the members of a direct or group conversation. `None` for a room,
    /// whose members are in the store.
    pub fn visible_to(&self, key: &str) -> Option<bool> {
        match self {
            Conversation::General => Some(true),
            Conversation::Direct(pair) => Some(pair.has(key)),
            Conversation::Group(members) => Some(members.has(key)),
            Conversation::Room(_) => None,
        }
    }

    /// A room's key, to compare names (`None` for other conversations).
    pub fn room_key(&self) -> Option<String> {
        match self {
            Conversation::Room(name) => Some(user_key(name)),
            Conversation::General => Some(media_chat_protocol::conversation::GENERAL.to_owned()),
            _ => None,
        }
    }
}

/// What the server knows about one stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    /// The stored name (a single path component).
    pub name: String,
    /// Length in bytes.
    pub size: u64,
    /// SHA-256 of the contents.
    pub sha256: Sha256Digest,
    /// Who uploaded it first; empty when unknown (a file put there by hand).
    pub uploader: String,
    /// When it was stored, seconds since the Unix epoch.
    pub ts: u64,
}

/// What an event says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventBody {
    /// A message.
    Text {
        /// The text.
        text: String,
    },
    /// A room's membership changed: the event's author did `change` to
    /// `user`.
    Member {
        /// Whose membership changed.
        user: String,
        /// What happened.
        change: MemberChange,
    },
    /// A room's topic was set by the event's author.
    Topic {
        /// The new topic.
        text: String,
    },
    /// A message whose author changed its text: `edit` is the latest edit
    /// event (a message as it reads now, in pages and backlogs).
    Edited {
        /// The text as it reads now.
        text: String,
        /// The latest edit's event.
        edit: EventId,
    },
    /// A message that answers the message `to` of the same conversation;
    /// `edit` is its latest edit once its author changed it (a reply as it
    /// reads now, in pages and backlogs; an appended reply has none).
    Reply {
        /// The message it answers.
        to: EventId,
        /// The text (as it reads now).
        text: String,
        /// The latest edit's event, if it was edited.
        edit: Option<EventId>,
    },
    /// A message that was deleted: only who wrote it and when remain.
    Deleted,
    /// The author of `target` changed its text to `text`.
    Edit {
        /// The message.
        target: EventId,
        /// Its new text.
        text: String,
    },
    /// The event's author (the message's, a moderator of its room or an
    /// administrator) deleted the message `target`.
    Delete {
        /// The message.
        target: EventId,
    },
    /// The event's author gave (`on`) or took back `reaction` on the
    /// message `target`.
    React {
        /// The message.
        target: EventId,
        /// The reaction.
        reaction: String,
        /// Given, or taken back.
        on: bool,
    },
    /// The event's author (the file's uploader, an owner or moderator of
    /// its room, or an administrator) deleted the conversation's file
    /// `name`: its earlier shares read [`EventBody::FileDeleted`] since.
    FileDelete {
        /// The stored name.
        name: String,
    },
    /// A share whose file was deleted since: who shared it and when
    /// remain (a share as it is now, in pages and backlogs).
    FileDeleted {
        /// The name it was stored under.
        name: String,
    },
    /// A stored file was shared (by the event's author, who may not be its
    /// first uploader when the same contents were uploaded again). The
    /// first share of a name records the file's [`FileMeta`], with the
    /// author as its uploader.
    FileShared {
        /// The stored name.
        name: String,
        /// Its length in bytes.
        size: u64,
        /// Its SHA-256.
        sha256: Sha256Digest,
    },
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Its id.
    pub id: EventId,
    /// When it was stored, seconds since the Unix epoch.
    pub ts: u64,
    /// Where it happened.
    pub conversation: Conversation,
    /// Who did it, by registered name.
    pub author: String,
    /// What happened.
    pub body: EventBody,
}

/// An event to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Where it happens.
    pub conversation: Conversation,
    /// Who does it, by registered name.
    pub author: String,
    /// What happens.
    pub body: EventBody,
    /// The client's token for an acknowledged send: the same author and
    /// token store one event, however often it is sent.
    pub token: Option<String>,
    /// An opaque tag passed back with the committed event (the server's
    /// session id, to acknowledge the send to the session that made it).
    pub origin: u64,
    /// User keys a message mentions besides the `@name`s in its text: for
    /// `@here`, the members of its room or group online when it was sent
    /// (who is online is the server's to know, not the store's).
    pub also_mentions: Vec<String>,
}

/// An event as it was committed, handed to the [`crate::Sink`] in id
/// order.
#[derive(Debug, Clone)]
pub struct Committed {
    /// The stored event.
    pub event: Event,
    /// The token it was sent with, if any.
    pub token: Option<String>,
    /// The tag from [`NewEvent::origin`].
    pub origin: u64,
    /// True when the token had been stored already: nothing new was
    /// stored, and `event` is the earlier one.
    pub duplicate: bool,
    /// For the event that creates a room: the room's visibility (the event
    /// itself says only who created it).
    pub created: Option<Visibility>,
}

/// Events after a client's last id, conversation by conversation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backlog {
    /// The events, in id order.
    pub events: Vec<Event>,
    /// Conversations with more events after the client's id than were
    /// returned: `(conversation, oldest returned id)`; the ones between
    /// the client's id and it were left out.
    pub gaps: Vec<(Conversation, EventId)>,
    /// The highest id stored when the backlog was read.
    pub last_id: EventId,
}

/// One page of a conversation's past.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// The events, oldest first (reaction events left out).
    pub events: Vec<Event>,
    /// Whether older events exist.
    pub more: bool,
    /// The reactions of the page's messages that ever had one, as they
    /// are now.
    pub reactions: Vec<MessageReactions>,
}

/// The reactions one message has now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageReactions {
    /// The message.
    pub message: EventId,
    /// Where it is.
    pub conversation: Conversation,
    /// The newest reaction event on it: the set is as of this event.
    pub latest: EventId,
    /// Who gives which reaction (empty once all were taken back).
    pub reactions: Reactions,
}

/// What a login asks the store for (see [`crate::Store::welcome`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WelcomeRequest {
    /// Without `after`: the newest this many events the user may see.
    /// With it: at most this many per conversation, the newest.
    pub latest: usize,
    /// The client's last id, to resume after.
    pub after: Option<EventId>,
    /// At most this many direct messages the user missed since their last
    /// session ended (the newest); 0 for none.
    pub missed: usize,
    /// Where the user's last session ended, as the caller knows it: the
    /// store records it from a queue, so a login right after a logout may
    /// come first. Missed messages are those after both this and the
    /// recorded mark.
    pub last_seen: Option<EventId>,
    /// Which conversations count.
    pub scope: Scope,
}

/// Which of a user's conversations a query looks at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// All of them.
    #[default]
    All,
    /// `#general` and direct conversations only: what versions 1 and 2
    /// know.
    Classic,
}

/// What a login gets from the store, all from one snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Welcome {
    /// The events, in id order, without duplicates.
    pub events: Vec<Event>,
    /// With `after`: conversations whose older events after it were left
    /// out, and the oldest id returned for each.
    pub gaps: Vec<(Conversation, EventId)>,
    /// Whether older missed direct messages than those returned exist.
    pub missed_more: bool,
    /// Where the user has read up to, per conversation.
    pub read: Vec<(Conversation, EventId)>,
    /// The highest event id in the snapshot: every later event reaches the
    /// user live.
    pub last_id: EventId,
    /// Every conversation of the user, and the rooms they are invited to.
    pub standings: Vec<Standing>,
    /// The reactions of the messages among `events`, and (with `after`)
    /// of every message of the user's whose reactions changed after it,
    /// as they are now.
    pub reactions: Vec<MessageReactions>,
    /// Whether this is the user's first session ever (no read position,
    /// no session ended): the caller marks `#general` read so that a new
    /// account does not start with its whole past unread.
    pub first_session: bool,
}

/// A room as `ROOMS` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomInfo {
    /// Its name as created.
    pub name: String,
    /// Public or private.
    pub visibility: Visibility,
    /// Its topic.
    pub topic: String,
    /// How many members it has.
    pub members: u64,
}

/// One of a user's conversations, as their login sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// The conversation.
    pub conversation: Conversation,
    /// For a room, its visibility.
    pub visibility: Option<Visibility>,
    /// The user's role (`Invited` for a room they may join).
    pub role: Role,
    /// A room's topic.
    pub topic: String,
    /// Events by others after the user's read position, counted up to
    /// [`UNREAD_CAP`].
    pub unread: u64,
    /// Of those, the ones mentioning the user, up to [`UNREAD_CAP`].
    pub mentions: u64,
    /// The user's read position.
    pub read: EventId,
}

/// Unread and mention counts stop at this (clients show "99+").
pub const UNREAD_CAP: u64 = 100;

/// A member of a room or group, as `MEMBERS` lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Their registered name.
    pub name: String,
    /// Their role.
    pub role: Role,
}

/// A change to a room, checked and applied by the store's writer in one
/// transaction with the events it makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomRequest {
    /// Who asks, by registered name.
    pub actor: String,
    /// Whether they are a server administrator (who may do anything).
    pub admin: bool,
    /// What they ask.
    pub action: RoomAction,
    /// The session asking (see [`NewEvent::origin`]).
    pub origin: u64,
}

/// What a [`RoomRequest`] asks. Rooms are named as the user typed them;
/// users by registered name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomAction {
    /// Create a room owned by the actor.
    Create {
        /// The name.
        name: String,
        /// Public or private.
        visibility: Visibility,
        /// The topic.
        topic: String,
    },
    /// Join a public room, or a private one the actor is invited to.
    Join {
        /// The room.
        room: String,
    },
    /// Leave a room.
    Leave {
        /// The room.
        room: String,
    },
    /// Invite a user (owner and moderators; any member of a public room).
    Invite {
        /// The room.
        room: String,
        /// The user.
        user: String,
    },
    /// Remove a member (owner and moderators).
    Remove {
        /// The room.
        room: String,
        /// The member.
        user: String,
    },
    /// Remove a member and keep them out (owner and moderators).
    Ban {
        /// The room.
        room: String,
        /// The user.
        user: String,
    },
    /// Lift a ban (owner and moderators).
    Unban {
        /// The room.
        room: String,
        /// The user.
        user: String,
    },
    /// Set the topic (owner and moderators).
    Topic {
        /// The room.
        room: String,
        /// The new topic.
        text: String,
    },
    /// Make a member a moderator, or a moderator a member (owner only).
    Moderator {
        /// The room.
        room: String,
        /// The member.
        user: String,
        /// Moderator or member.
        on: bool,
    },
    /// Change the text of the actor's own message `id`.
    Edit {
        /// The message.
        id: EventId,
        /// Its new text.
        text: String,
    },
    /// Delete the message `id`: the actor's own, or any in a room they
    /// moderate (an administrator: any in a room, `#general` included).
    Delete {
        /// The message.
        id: EventId,
    },
    /// Delete the file `name` of `conversation`: the actor's own upload,
    /// or any where they own or moderate the room (an administrator: any
    /// in a room, `#general` included).
    DeleteFile {
        /// Whose file.
        conversation: Conversation,
        /// Its stored name.
        name: String,
    },
    /// Give `reaction` on the message `id`, or take it back if the actor
    /// gave it.
    React {
        /// The message.
        id: EventId,
        /// The reaction (checked by the caller).
        reaction: String,
    },
}

/// A room and its members (invited ones included), as the server's fan-out
/// keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomMembers {
    /// The store's row id.
    pub id: i64,
    /// Its name as created.
    pub name: String,
    /// Public or private.
    pub visibility: Visibility,
    /// Its topic.
    pub topic: String,
    /// `(registered name, role)` of everyone with a row, but the banned.
    pub members: Vec<(String, Role)>,
}
