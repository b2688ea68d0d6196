//! Edits and deletes of messages, checked and applied by the writer inside
//! its transaction: who may change which message, and what each change
//! stores. An edit stores an `Edit` event and the message's new text; a
//! delete stores a `Delete` event and removes the text, the texts of the
//! message's earlier edits, its mentions and its reactions (the search
//! index follows by trigger), leaving who wrote it and when.

use media_chat_protocol::Role;
use media_chat_protocol::rules::user_key;
use rusqlite::{Connection, OptionalExtension, params};

use crate::chat_log::unix_now;
use crate::error::RoomError;
use crate::read::visible;
use crate::rooms::Applied;
use crate::sql::{self, DELETED, to_sql};
use crate::types::{Conversation, Event, EventBody, EventId, RoomRequest};

/// What a change is about: the message as its row has it.
pub(crate) struct Target {
    pub(crate) id: EventId,
    pub(crate) conversation_id: i64,
    pub(crate) conversation: Conversation,
    pub(crate) author_key: String,
    pub(crate) kind: i64,
}

/// Checks and applies an edit of message `id` to `text`, or (`None`) its
/// delete, by `request`'s actor.
pub(crate) fn apply(
    tx: &Connection,
    request: &RoomRequest,
    id: EventId,
    text: Option<&str>,
) -> rusqlite::Result<Applied> {
    let actor_key = user_key(&request.actor);
    let Some(target) = target(tx, id)? else {
        return Ok(Applied::Refused(RoomError::NoSuchMessage(id.0)));
    };
    // Nothing about a message of a conversation one is not in; an
    // administrator acts as the owner of every room (but reads nobody's
    // direct or group conversation).
    let administered = request.admin && matches!(target.conversation, Conversation::Room(_));
    if !administered && !visible(tx, target.conversation_id, &target.conversation, &actor_key)? {
        return Ok(Applied::Refused(RoomError::NoSuchMessage(id.0)));
    }
    match target.kind {
        sql::TEXT => {}
        DELETED => return Ok(Applied::Refused(RoomError::AlreadyDeleted(id.0))),
        _ => return Ok(Applied::Refused(RoomError::NotAMessage(id.0))),
    }
    let own = target.author_key == actor_key;
    match text {
        Some(_) if !own => return Ok(Applied::Refused(RoomError::NotYourMessage)),
        None if !own && !may_moderate(tx, &target, &actor_key, request.admin)? => {
            return Ok(Applied::Refused(RoomError::NotYoursToDelete));
        }
        _ => {}
    }
    let ts = unix_now();
    let (id, body) = carry_out(tx, &target, &request.actor, ts, text)?;
    Ok(Applied::Done(vec![Event {
        id,
        ts,
        conversation: target.conversation,
        author: request.actor.clone(),
        body,
    }]))
}

/// Applies a change read back from the chat log (an import): the message
/// `id` edited to `text` (or deleted) by `by` at `ts`, unchecked. `None`
/// when there is no such message left to change.
pub(crate) fn replay(
    db: &mut Connection,
    ts: u64,
    by: &str,
    id: EventId,
    text: Option<&str>,
) -> rusqlite::Result<Option<EventId>> {
    let tx = db.transaction()?;
    let change = match target(&tx, id)? {
        Some(target) if target.kind == sql::TEXT => Some(carry_out(&tx, &target, by, ts, text)?.0),
        _ => None,
    };
    tx.commit()?;
    Ok(change)
}

/// Stores the change (an edit to `text`, or a delete) and what it does to
/// the message; returns the change's event.
fn carry_out(
    tx: &Connection,
    target: &Target,
    actor: &str,
    ts: u64,
    text: Option<&str>,
) -> rusqlite::Result<(EventId, EventBody)> {
    let id = target.id;
    Ok(match text {
        Some(text) => {
            let body = EventBody::Edit {
                target: id,
                text: text.to_owned(),
            };
            let edit = sql::insert_event(tx, target.conversation_id, ts, actor, &body, None)?;
            tx.prepare_cached("UPDATE events SET text = ?1, edit = ?2 WHERE id = ?3")?
                .execute(params![text, to_sql(edit.0), to_sql(id.0)])?;
            (edit, body)
        }
        None => {
            tx.prepare_cached(
                "UPDATE events SET kind = ?1, text = NULL, edit = NULL WHERE id = ?2",
            )?
            .execute(params![DELETED, to_sql(id.0)])?;
            // What the message said before its edits goes too.
            tx.prepare_cached("UPDATE events SET text = NULL WHERE target = ?1")?
                .execute(params![to_sql(id.0)])?;
            tx.prepare_cached("DELETE FROM mentions WHERE conversation = ?1 AND event_id = ?2")?
                .execute(params![target.conversation_id, to_sql(id.0)])?;
            tx.prepare_cached("DELETE FROM reactions WHERE message = ?1")?
                .execute(params![to_sql(id.0)])?;
            let body = EventBody::Delete { target: id };
            let delete = sql::insert_event(tx, target.conversation_id, ts, actor, &body, None)?;
            (delete, body)
        }
    })
}

/// The row of event `id`, if there is one.
pub(crate) fn target(tx: &Connection, id: EventId) -> rusqlite::Result<Option<Target>> {
    tx.prepare_cached(
        "SELECT e.conversation, e.author_key, e.kind, c.kind, c.a, c.b, c.name, c.member_names \
         FROM events e JOIN conversations c ON c.id = e.conversation WHERE e.id = ?1",
    )?
    .query_row(params![to_sql(id.0)], |row| {
        Ok(Target {
            id,
            conversation_id: row.get(0)?,
            author_key: row.get(1)?,
            kind: row.get(2)?,
            conversation: sql::conversation_from(
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
                row.get(6)?,
                row.get(7)?,
            ),
        })
    })
    .optional()
}

/// Whether the actor may delete others' messages where `target` is: an
/// administrator in any room (`#general` included), the owner or a
/// moderator in theirs. Direct and group conversations have no moderators.
fn may_moderate(
    tx: &Connection,
    target: &Target,
    actor_key: &str,
    admin: bool,
) -> rusqlite::Result<bool> {
    Ok(match &target.conversation {
        Conversation::General => admin,
        Conversation::Room(_) => {
            admin
                || matches!(
                    sql::member_row(tx, target.conversation_id, actor_key)?,
                    Some((role, false)) if role >= Role::Moderator
                )
        }
        Conversation::Direct(_) | Conversation::Group(_) => false,
    })
}
