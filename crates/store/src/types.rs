//! What the store holds: events with their ids, the conversations they
//! belong to, file metadata. Plain data, shared by the store's callers.

use media_chat_protocol::Sha256Digest;
use media_chat_protocol::rules::user_key;

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
    /// Whether the user with `key` may see this conversation's events.
    pub fn visible_to(&self, key: &str) -> bool {
        match self {
            Conversation::General => true,
            Conversation::Direct(pair) => pair.has(key),
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
    /// The events, oldest first.
    pub events: Vec<Event>,
    /// Whether older events exist.
    pub more: bool,
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
}
