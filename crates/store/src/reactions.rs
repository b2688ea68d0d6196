//! Reactions, toggled by the writer inside its transaction and read back
//! with pages and welcomes. A toggle is an event (kind 7 given, 8 taken
//! back) with an id, so it has its place in the order every session sees;
//! `reactions` holds who gives what now and `reacted` each message's
//! newest toggle, so a reader gets a message's reactions as they are,
//! stamped with that toggle's id.

use std::collections::BTreeSet;

use media_chat_protocol::Reactions;
use media_chat_protocol::rules::user_key;
use rusqlite::{Connection, OptionalExtension, params};

use crate::changes;
use crate::chat_log::unix_now;
use crate::error::RoomError;
use crate::read::visible;
use crate::rooms::Applied;
use crate::sql::{self, DELETED, from_sql, to_sql};
use crate::types::{Event, EventBody, EventId, MessageReactions, RoomRequest};

/// Gives `reaction` on message `id` for `request`'s actor, or takes it
/// back if they gave it: checked (a message, not deleted, of a
/// conversation they may see) before anything is written.
pub(crate) fn toggle(
    tx: &Connection,
    request: &RoomRequest,
    id: EventId,
    reaction: &str,
) -> rusqlite::Result<Applied> {
    let actor_key = user_key(&request.actor);
    let Some(target) = changes::target(tx, id)? else {
        return Ok(Applied::Refused(RoomError::NoSuchMessage(id.0)));
    };
    // Nothing about a message of a conversation one is not in.
    if !visible(tx, target.conversation_id, &target.conversation, &actor_key)? {
        return Ok(Applied::Refused(RoomError::NoSuchMessage(id.0)));
    }
    match target.kind {
        sql::TEXT => {}
        DELETED => return Ok(Applied::Refused(RoomError::AlreadyDeleted(id.0))),
        _ => return Ok(Applied::Refused(RoomError::NotReactable(id.0))),
    }
    let given = tx
        .prepare_cached(
            "SELECT 1 FROM reactions WHERE message = ?1 AND reaction = ?2 AND user_key = ?3",
        )?
        .query_row(params![to_sql(id.0), reaction, actor_key], |_| Ok(()))
        .optional()?
        .is_some();
    let body = EventBody::React {
        target: id,
        reaction: reaction.to_owned(),
        on: !given,
    };
    let ts = unix_now();
    let event = sql::insert_event(tx, target.conversation_id, ts, &request.actor, &body, None)?;
    if given {
        tx.prepare_cached(
            "DELETE FROM reactions WHERE message = ?1 AND reaction = ?2 AND user_key = ?3",
        )?
        .execute(params![to_sql(id.0), reaction, actor_key])?;
    } else {
        tx.prepare_cached(
            "INSERT INTO reactions (message, reaction, user_key, name, event_id) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            to_sql(id.0),
            reaction,
            actor_key,
            request.actor,
            to_sql(event.0)
        ])?;
    }
    tx.prepare_cached(
        "INSERT INTO reacted (message, conversation, latest) VALUES (?1, ?2, ?3) \
         ON CONFLICT (message) DO UPDATE SET latest = excluded.latest",
    )?
    .execute(params![
        to_sql(id.0),
        target.conversation_id,
        to_sql(event.0)
    ])?;
    Ok(Applied::Done(vec![Event {
        id: event,
        ts,
        conversation: target.conversation,
        author: request.actor.clone(),
        body,
    }]))
}

/// The reactions, as they are now, of those of `events` that are messages
/// and ever had one, and (with `changed_after`) of every message of the
/// conversations with row ids `conversations` whose reactions changed
/// after that id; each message once, in id order.
pub(crate) fn of(
    db: &Connection,
    events: &[Event],
    changed_after: Option<(EventId, &[i64])>,
) -> rusqlite::Result<Vec<MessageReactions>> {
    let mut messages: BTreeSet<EventId> = events
        .iter()
        .filter(|e| {
            matches!(
                e.body,
                EventBody::Text { .. } | EventBody::Edited { .. } | EventBody::Reply { .. }
            )
        })
        .map(|e| e.id)
        .collect();
    if let Some((after, conversations)) = changed_after {
        let mut changed = db.prepare_cached(
            "SELECT message FROM reacted WHERE conversation = ?1 AND latest > ?2",
        )?;
        for conversation in conversations {
            for message in changed.query_map(params![conversation, to_sql(after.0)], |row| {
                row.get::<_, i64>(0)
            })? {
                messages.insert(EventId(from_sql(message?)));
            }
        }
    }
    let mut latest = db.prepare_cached("SELECT latest FROM reacted WHERE message = ?1")?;
    let mut given = db.prepare_cached(
        "SELECT reaction, name FROM reactions WHERE message = ?1 ORDER BY event_id",
    )?;
    let mut found = Vec::new();
    for message in messages {
        let Some(newest) = latest
            .query_row(params![to_sql(message.0)], |row| row.get::<_, i64>(0))
            .optional()?
        else {
            continue;
        };
        // The conversation is the message's: found through its row.
        let Some(target) = changes::target(db, message)?.filter(|t| t.kind == sql::TEXT) else {
            continue;
        };
        let mut reactions = Reactions::new();
        for row in given.query_map(params![to_sql(message.0)], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })? {
            let (reaction, name) = row?;
            reactions.toggle(&name, &reaction, true);
        }
        found.push(MessageReactions {
            message,
            conversation: target.conversation,
            latest: EventId(from_sql(newest)),
            reactions,
        });
    }
    Ok(found)
}
