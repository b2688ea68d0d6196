//! Deletes of conversations' files, checked and applied by the writer
//! inside its transaction: who may delete which file, and what a delete
//! stores. A delete stores a `FileDelete` event, turns every share of that
//! name in the conversation into a deleted share (so pages, backlogs and
//! search read it so from then on) and forgets the file's metadata. The
//! file itself is the server's to remove, once the delete is committed.

use media_chat_protocol::Role;
use media_chat_protocol::rules::user_key;
use rusqlite::{Connection, OptionalExtension, params};

use crate::chat_log::unix_now;
use crate::error::RoomError;
use crate::read::visible;
use crate::rooms::Applied;
use crate::sql::{self, FILE, FILE_GONE};
use crate::types::{Conversation, Event, EventBody, RoomRequest};

/// Checks and applies the delete of `conversation`'s file `name` by
/// `request`'s actor: the file's uploader, an owner or moderator of the
/// room holding it, or an administrator (any room, `#general` included).
/// A conversation the actor may not see answers as one without the file.
pub(crate) fn apply(
    tx: &Connection,
    request: &RoomRequest,
    conversation: &Conversation,
    name: &str,
) -> rusqlite::Result<Applied> {
    let no_such_file = || Ok(Applied::Refused(RoomError::NoSuchFile(name.to_owned())));
    let Some(id) = sql::conversation_id(tx, conversation, false)? else {
        return no_such_file();
    };
    let actor_key = user_key(&request.actor);
    let administered =
        request.admin && matches!(conversation, Conversation::General | Conversation::Room(_));
    if !administered && !visible(tx, id, conversation, &actor_key)? {
        return no_such_file();
    }
    let uploader: Option<String> = tx
        .prepare_cached("SELECT uploader FROM files WHERE conversation = ?1 AND name = ?2")?
        .query_row(params![id, name], |row| row.get(0))
        .optional()?;
    let own = uploader.is_some_and(|uploader| user_key(&uploader) == actor_key);
    let moderates = match conversation {
        Conversation::General => request.admin,
        Conversation::Room(_) => {
            request.admin
                || matches!(
                    sql::member_row(tx, id, &actor_key)?,
                    Some((role, false)) if role >= Role::Moderator
                )
        }
        Conversation::Direct(_) | Conversation::Group(_) => false,
    };
    if !own && !moderates {
        return Ok(Applied::Refused(RoomError::NotYourFile(name.to_owned())));
    }
    let ts = unix_now();
    let body = carry_out(tx, id, &request.actor, ts, name)?;
    Ok(Applied::Done(vec![Event {
        id: body,
        ts,
        conversation: conversation.clone(),
        author: request.actor.clone(),
        body: EventBody::FileDelete {
            name: name.to_owned(),
        },
    }]))
}

/// Applies a delete read back from the chat log (an import): `conversation`'s
/// file `name` deleted by `by` at `ts`, unchecked. `None` when the
/// conversation has no share of that name left to delete.
pub(crate) fn replay(
    db: &mut Connection,
    conversation: &Conversation,
    ts: u64,
    by: &str,
    name: &str,
) -> rusqlite::Result<Option<crate::types::EventId>> {
    let tx = db.transaction()?;
    let Some(id) = sql::conversation_id(&tx, conversation, false)? else {
        return Ok(None);
    };
    let shared: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM events WHERE conversation = ?1 AND kind = ?2 \
             AND file_name = ?3)",
        )?
        .query_row(params![id, FILE, name], |row| row.get(0))?;
    let change = match shared {
        true => Some(carry_out(&tx, id, by, ts, name)?),
        false => None,
    };
    tx.commit()?;
    Ok(change)
}

/// Stores the delete and what it does: the shares of `name` in the
/// conversation with row `id` read as deleted (leaving the search index by
/// its trigger), the file's metadata goes; returns the delete's event id.
fn carry_out(
    tx: &Connection,
    id: i64,
    actor: &str,
    ts: u64,
    name: &str,
) -> rusqlite::Result<crate::types::EventId> {
    tx.prepare_cached(
        "UPDATE events SET kind = ?1 WHERE conversation = ?2 AND kind = ?3 AND file_name = ?4",
    )?
    .execute(params![FILE_GONE, id, FILE, name])?;
    tx.prepare_cached("DELETE FROM files WHERE conversation = ?1 AND name = ?2")?
        .execute(params![id, name])?;
    let body = EventBody::FileDelete {
        name: name.to_owned(),
    };
    sql::insert_event(tx, id, ts, actor, &body, None)
}
