//! How a stored event reads on the wire, for each protocol version and,
//! in version 3, for each reader (a direct conversation is `@other`).

use media_chat_protocol::{
    Conversation as WireConversation, EventBody as WireBody, EventLine, HistoryEntry, ServerMessage,
};
use media_chat_store::{Conversation, Event, EventBody};

/// The conversation `conversation` as the user with `viewer` (a user key)
/// names it.
pub(crate) fn wire_conversation(conversation: &Conversation, viewer: &str) -> WireConversation {
    match conversation {
        Conversation::General => WireConversation::general(),
        Conversation::Direct(pair) => WireConversation::Direct(pair.other(viewer).to_owned()),
    }
}

/// `EVENT|…` for the user with `viewer` (a user key).
pub(crate) fn event_line(event: &Event, viewer: &str) -> ServerMessage {
    let body = match &event.body {
        EventBody::Text { text } => WireBody::Text {
            from: event.author.clone(),
            text: text.clone(),
        },
        EventBody::FileShared { name, size, sha256 } => WireBody::File {
            user: event.author.clone(),
            name: name.clone(),
            size: *size,
            sha256: *sha256,
        },
    };
    ServerMessage::Event(EventLine {
        id: event.id.0,
        ts: event.ts,
        conversation: wire_conversation(&event.conversation, viewer),
        body,
    })
}

/// `HISTORY|ts|…` (version 2) for a replayed event.
pub(crate) fn history_line(event: &Event) -> ServerMessage {
    let entry = match (&event.conversation, &event.body) {
        (Conversation::General, EventBody::Text { text }) => HistoryEntry::Text {
            from: event.author.clone(),
            text: text.clone(),
        },
        (Conversation::Direct(pair), EventBody::Text { text }) => {
            let author = media_chat_protocol::rules::user_key(&event.author);
            HistoryEntry::Dm {
                from: event.author.clone(),
                to: pair.other(&author).to_owned(),
                text: text.clone(),
            }
        }
        (_, EventBody::FileShared { name, size, sha256 }) => HistoryEntry::FileShared {
            user: event.author.clone(),
            name: name.clone(),
            size: *size,
            sha256: *sha256,
        },
    };
    ServerMessage::History {
        ts: event.ts,
        entry,
    }
}

/// What a version 1 or 2 session is sent live for an event, if anything:
/// `TEXT`, `DM`, or a share (`NOTIFY` in version 1, `FILE_SHARED` in 2).
pub(crate) fn live_line(event: &Event, version: u64) -> ServerMessage {
    match (&event.conversation, &event.body) {
        (Conversation::General, EventBody::Text { text }) => ServerMessage::Text {
            from: event.author.clone(),
            text: text.clone(),
        },
        (Conversation::Direct(_), EventBody::Text { text }) => ServerMessage::Dm {
            from: event.author.clone(),
            text: text.clone(),
        },
        (_, EventBody::FileShared { name, .. }) if version < 2 => {
            ServerMessage::notify(format!("{} shared file: {name}", event.author))
        }
        (_, EventBody::FileShared { name, size, sha256 }) => ServerMessage::FileShared {
            user: event.author.clone(),
            name: name.clone(),
            size: *size,
            sha256: *sha256,
        },
    }
}
