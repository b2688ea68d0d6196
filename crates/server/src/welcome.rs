//! What a login receives after `LOGIN_OK`, read from the store, for each
//! version:
//!
//! - version 1: the direct messages the user missed while offline, as
//!   `DM|from|message` lines (the newest [`MISSED_LIMIT`], then a `NOTIFY`
//!   if older ones were left out);
//! - version 2: `LIMITS`, `USERS`, the newest events the user may see and
//!   the direct messages they missed, as `HISTORY` lines, `HISTORY_END`;
//! - version 3: `LIMITS`, `USERS`, `QUOTA` (these three from the hub),
//!   `CONV` and `READ` positions, then either the
//!   events after the client's `RESUME` id (a page per conversation, with
//!   `GAP` where more were left out) or, like version 2, the newest and the
//!   missed ones, as `EVENT` lines; the `REACTIONS` of those messages (and,
//!   resuming, of every message whose reactions changed since); then
//!   `SYNCED|last_id`.
//!
//! The session is registered with the hub (and buffers live lines) before
//! the store is read, and the buffer is released without the events the
//! welcome already held (see `hub`).

use std::sync::Arc;

use media_chat_protocol::rules::user_key;
use media_chat_protocol::{ConversationKind, ServerMessage, Visibility};
use media_chat_store::{Conversation, EventId, Scope, StoreError, WelcomeRequest};

use crate::hub::{Joined, encode, room_kind};
use crate::lines;
use crate::outbox::Outbox;
use crate::session::Context;

/// Most missed direct messages a welcome carries.
pub(crate) const MISSED_LIMIT: usize = 1000;

/// The lines a login is sent, and the last event id they cover.
pub(crate) struct Welcome {
    /// The lines, in order, each one or a few encoded lines.
    pub(crate) chunks: Vec<Arc<[u8]>>,
    /// Every event up to this id is covered by the welcome (or was not the
    /// user's to see).
    pub(crate) through: EventId,
}

/// Builds the welcome of `name`'s new session of protocol `version`, whose
/// hub registration returned `joined`; `resume` is a version 3 client's
/// last id.
pub(crate) fn build(
    ctx: &Context,
    name: &str,
    version: u64,
    joined: Joined,
    resume: Option<EventId>,
) -> Result<Welcome, StoreError> {
    let key = user_key(name);
    let history_len = ctx.config.history_len;
    let request = WelcomeRequest {
        latest: if version >= 2 { history_len } else { 0 },
        after: resume.filter(|_| version >= 3),
        // Missed messages are those of an offline user: a second session
        // got them live in the first.
        missed: if joined.first { MISSED_LIMIT } else { 0 },
        last_seen: joined.last_seen,
        // Versions 1 and 2 know #general and direct conversations only.
        scope: if version >= 3 {
            Scope::All
        } else {
            Scope::Classic
        },
    };
    let found = ctx.store.welcome(&key, &request)?;
    if found.first_session {
        // A new account starts caught up with #general's past (and with
        // every private message sent to it still unread).
        ctx.store
            .mark_read(name, Conversation::General, found.last_id)?;
    }
    let mut chunks: Vec<Arc<[u8]>> = vec![joined.head.into()];
    let mut push = |message: &ServerMessage| {
        if let Some(line) = encode(message) {
            chunks.push(line);
        }
    };
    let left_out = found.missed_more.then(|| {
        ServerMessage::notify(format!(
            "Older private messages than these {MISSED_LIMIT} were left out; a newer client shows them all"
        ))
    });
    match version {
        1 => {
            for line in found.events.iter().filter_map(|e| lines::live_line(e, 1)) {
                push(&line);
            }
            if let Some(notice) = &left_out {
                push(notice);
            }
        }
        2 => {
            for line in found.events.iter().filter_map(lines::history_line) {
                push(&line);
            }
            push(&ServerMessage::HistoryEnd);
            if let Some(notice) = &left_out {
                push(notice);
            }
        }
        _ => {
            for standing in &found.standings {
                let conversation = lines::wire_conversation(&standing.conversation, &key);
                let kind = match (&standing.conversation, standing.visibility) {
                    (Conversation::Direct(_), _) => ConversationKind::Direct,
                    (Conversation::Group(_), _) => ConversationKind::Group,
                    (_, visibility) => room_kind(visibility.unwrap_or(Visibility::Public)),
                };
                let (unread, mentions) =
                    if found.first_session && standing.conversation == Conversation::General {
                        (0, 0)
                    } else {
                        (standing.unread, standing.mentions)
                    };
                push(&ServerMessage::Conv {
                    conversation,
                    kind,
                    role: standing.role,
                    unread,
                    mentions,
                    topic: standing.topic.clone(),
                });
            }
            for (conversation, id) in &found.read {
                push(&ServerMessage::ReadUpTo {
                    conversation: lines::wire_conversation(conversation, &key),
                    id: id.0,
                });
            }
            let (blocked, muted) = ctx.store.preferences(&key)?;
            for user in blocked {
                push(&ServerMessage::Blocked { user, on: true });
            }
            for conversation in &muted {
                push(&ServerMessage::Muted {
                    conversation: lines::wire_conversation(conversation, &key),
                    on: true,
                });
            }
            for (conversation, before) in &found.gaps {
                push(&ServerMessage::Gap {
                    conversation: lines::wire_conversation(conversation, &key),
                    after: resume.map_or(0, |id| id.0),
                    before: before.0,
                });
            }
            for event in &found.events {
                push(&lines::event_line(event, &key));
            }
            for reactions in &found.reactions {
                push(&lines::reactions_line(reactions, &key));
            }
            push(&ServerMessage::Synced {
                last_id: found.last_id.0,
            });
        }
    }
    Ok(Welcome {
        chunks,
        through: found.last_id,
    })
}

/// Joins the welcome's lines into buffers of at most `limit` bytes (see
/// [`coalesce`]) and sends those that fit in `outbox` without waiting;
/// returns the rest, in order, for the session to send paced.
///
/// Run on the login worker that built the welcome: the lines, the buffers
/// they are joined in and (when the socket takes them at once) the sent
/// buffers are then freed there. Freed on the session thread, glibc would
/// keep them in that thread's cache (tcache) for its next allocations of
/// those sizes, and an idle session makes none: 1000 idle sessions held
/// 1–2 MiB that way (docs/BENCHMARKS.md, "1000 idle users").
pub(crate) fn send_ready(outbox: &Outbox, chunks: Vec<Arc<[u8]>>, limit: usize) -> Vec<Arc<[u8]>> {
    let mut chunks = coalesce(chunks, limit).into_iter();
    for chunk in chunks.by_ref() {
        if let Err(refused) = outbox.send_if_room(chunk) {
            return std::iter::once(refused).chain(chunks).collect();
        }
    }
    Vec::new()
}

/// Joins the welcome's lines into buffers of about `limit` bytes: a small
/// welcome reaches the client in one write, a large one in pieces the
/// session can pace.
pub(crate) fn coalesce(chunks: Vec<Arc<[u8]>>, limit: usize) -> Vec<Arc<[u8]>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for chunk in chunks {
        if !current.is_empty() && current.len() + chunk.len() > limit {
            out.push(std::mem::take(&mut current).into());
        }
        current.extend_from_slice(&chunk);
    }
    if !current.is_empty() {
        out.push(current.into());
    }
    out
}
