//! How a stored event reads on the wire, for each protocol version and,
//! in version 3, for each reader (a direct conversation is `@other`); and
//! how a message that could not be stored is refused.

use media_chat_protocol::rules::user_key;
use media_chat_protocol::{
    Conversation as WireConversation, EventBody as WireBody, EventLine, HistoryEntry, ServerMessage,
};
use media_chat_store::{Conversation, Event, EventBody, MessageReactions};

/// The conversation `conversation` as the user with `viewer` (a user key)
/// names it.
pub(crate) fn wire_conversation(conversation: &Conversation, viewer: &str) -> WireConversation {
    match conversation {
        Conversation::General => WireConversation::general(),
        Conversation::Direct(pair) => WireConversation::Direct(pair.other(viewer).to_owned()),
        Conversation::Room(name) => WireConversation::Room(name.clone()),
        Conversation::Group(members) => WireConversation::Group(members.names().to_vec()),
    }
}

/// `EVENT|…` for the user with `viewer` (a user key).
pub(crate) fn event_line(event: &Event, viewer: &str) -> ServerMessage {
    ServerMessage::Event(wire_event(event, viewer))
}

/// `event` as the user with `viewer` (a user key) reads it.
pub(crate) fn wire_event(event: &Event, viewer: &str) -> EventLine {
    let by = event.author.clone();
    let body = match &event.body {
        EventBody::Text { text } => WireBody::Text {
            from: by,
            text: text.clone(),
        },
        EventBody::FileShared { name, size, sha256 } => WireBody::File {
            user: by,
            name: name.clone(),
            size: *size,
            sha256: *sha256,
        },
        EventBody::FileDelete { name } => WireBody::FileDelete {
            by,
            name: name.clone(),
        },
        EventBody::FileDeleted { name } => WireBody::FileDeleted {
            user: by,
            name: name.clone(),
        },
        EventBody::Member { user, change } => WireBody::Member {
            by,
            user: user.clone(),
            change: *change,
        },
        EventBody::Topic { text } => WireBody::Topic {
            by,
            text: text.clone(),
        },
        EventBody::Edited { text, edit } => WireBody::Edited {
            from: by,
            edit: edit.0,
            text: text.clone(),
        },
        EventBody::Reply { to, text, edit } => WireBody::Reply {
            from: by,
            to: to.0,
            edit: edit.map(|edit| edit.0),
            text: text.clone(),
        },
        EventBody::Deleted => WireBody::Deleted { from: by },
        EventBody::Edit { target, text } => WireBody::Edit {
            by,
            target: target.0,
            text: text.clone(),
        },
        EventBody::Delete { target } => WireBody::Delete {
            by,
            target: target.0,
        },
        EventBody::React {
            target,
            reaction,
            on,
        } => WireBody::React {
            by,
            target: target.0,
            on: *on,
            reaction: reaction.clone(),
        },
    };
    EventLine {
        id: event.id.0,
        ts: event.ts,
        conversation: wire_conversation(&event.conversation, viewer),
        body,
    }
}

/// `REACTIONS|…` for the user with `viewer` (a user key): a message's
/// reactions as they are now.
pub(crate) fn reactions_line(found: &MessageReactions, viewer: &str) -> ServerMessage {
    ServerMessage::Reactions {
        conversation: wire_conversation(&found.conversation, viewer),
        id: found.message.0,
        latest: found.latest.0,
        reactions: found.reactions.clone(),
    }
}

/// `HISTORY|ts|…` (version 2) for a replayed event of `#general` or a
/// direct conversation; `None` for anything version 2 does not know.
/// An edited message reads as it is now, a reply as a plain message; a
/// deleted one, a share whose file was deleted, and the edits and deletes
/// themselves, are not there (version 1 and 2 have no such events).
pub(crate) fn history_line(event: &Event) -> Option<ServerMessage> {
    let entry = match (&event.conversation, &event.body) {
        (
            Conversation::General,
            EventBody::Text { text }
            | EventBody::Edited { text, .. }
            | EventBody::Reply { text, .. },
        ) => HistoryEntry::Text {
            from: event.author.clone(),
            text: text.clone(),
        },
        (
            Conversation::Direct(pair),
            EventBody::Text { text }
            | EventBody::Edited { text, .. }
            | EventBody::Reply { text, .. },
        ) => HistoryEntry::Dm {
            from: event.author.clone(),
            to: pair.other(&user_key(&event.author)).to_owned(),
            text: text.clone(),
        },
        (Conversation::General, EventBody::FileShared { name, size, sha256 }) => {
            HistoryEntry::FileShared {
                user: event.author.clone(),
                name: name.clone(),
                size: *size,
                sha256: *sha256,
            }
        }
        _ => return None,
    };
    Some(ServerMessage::History {
        ts: event.ts,
        entry,
    })
}

/// What a version 1 or 2 session is sent live for an event of `#general`
/// or a direct conversation: `TEXT`, `DM`, or a share (`NOTIFY` in version
/// 1, `FILE_SHARED` in 2), a reply as a plain message; `None` for anything
/// they do not know.
pub(crate) fn live_line(event: &Event, version: u64) -> Option<ServerMessage> {
    Some(match (&event.conversation, &event.body) {
        (
            Conversation::General,
            EventBody::Text { text }
            | EventBody::Edited { text, .. }
            | EventBody::Reply { text, .. },
        ) => ServerMessage::Text {
            from: event.author.clone(),
            text: text.clone(),
        },
        (
            Conversation::Direct(_),
            EventBody::Text { text }
            | EventBody::Edited { text, .. }
            | EventBody::Reply { text, .. },
        ) => ServerMessage::Dm {
            from: event.author.clone(),
            text: text.clone(),
        },
        (Conversation::General, EventBody::FileShared { name, .. }) if version < 2 => {
            ServerMessage::notify(format!("{} shared file: {name}", event.author))
        }
        (Conversation::General, EventBody::FileShared { name, size, sha256 }) => {
            ServerMessage::FileShared {
                user: event.author.clone(),
                name: name.clone(),
                size: *size,
                sha256: *sha256,
            }
        }
        _ => return None,
    })
}

/// The refusal when the store cannot take a message.
pub(crate) const NOT_STORED: &str = "The server could not store the message; try again later";

/// The answer to a message the store could not take: `REJECTED` for a
/// version 3 `SEND` (with its `token`), `ERROR` for `TEXT` and `DM`.
pub(crate) fn not_stored(token: Option<&str>) -> ServerMessage {
    match token {
        Some(token) => ServerMessage::Rejected {
            token: token.to_owned(),
            reason: NOT_STORED.to_owned(),
        },
        None => ServerMessage::error(NOT_STORED),
    }
}

/// What the sender of `DM|to|message` is told once it is stored, when
/// `to` has no session online.
pub(crate) fn offline_notice(to: &str) -> ServerMessage {
    ServerMessage::notify(format!(
        "{to} is offline; they will get your message when they log in"
    ))
}
