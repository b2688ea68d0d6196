//! Room requests, checked and applied by the writer inside its
//! transaction: who may create, join, leave, invite, remove, ban, set the
//! topic or name moderators, and the member events each change makes.
//! Every check happens before the first write, so a refused request
//! leaves nothing behind and the batch goes on.

use media_chat_protocol::rules::user_key;
use media_chat_protocol::{MemberChange, Role, Visibility};
use rusqlite::{Connection, params};

use crate::chat_log::unix_now;
use crate::error::RoomError;
use crate::sql;
use crate::types::{Conversation, Event, EventBody, EventId, RoomAction, RoomRequest};
use crate::{changes, file_deletes, reactions};

/// What applying a request came to.
pub(crate) enum Applied {
    /// The events it stored, in order.
    Done(Vec<Event>),
    /// It was refused; nothing was stored.
    Refused(RoomError),
}

/// A room as the checks see it.
struct Found {
    id: i64,
    name: String,
    visibility: Visibility,
}

/// Checks and applies `request`.
pub(crate) fn apply(tx: &Connection, request: &RoomRequest) -> rusqlite::Result<Applied> {
    match &request.action {
        RoomAction::Edit { id, text } => return changes::apply(tx, request, *id, Some(text)),
        RoomAction::Delete { id } => return changes::apply(tx, request, *id, None),
        RoomAction::React { id, reaction } => return reactions::toggle(tx, request, *id, reaction),
        RoomAction::DeleteFile { conversation, name } => {
            return file_deletes::apply(tx, request, conversation, name);
        }
        _ => {}
    }
    let actor = &request.actor;
    let actor_key = user_key(actor);
    Ok(match check(tx, request, &actor_key)? {
        Err(refusal) => Applied::Refused(refusal),
        Ok(plan) => Applied::Done(carry_out(tx, actor, plan)?),
    })
}

/// What a checked request does.
enum Plan {
    Create {
        name: String,
        visibility: Visibility,
        topic: String,
    },
    /// Set `user`'s row (`None`: remove it; `Some((role, banned))`), and
    /// store the member event.
    Member {
        room: Found,
        user: String,
        row: Option<(Role, bool)>,
        change: MemberChange,
    },
    Topic {
        room: Found,
        text: String,
    },
}

fn check(
    tx: &Connection,
    request: &RoomRequest,
    actor_key: &str,
) -> rusqlite::Result<Result<Plan, RoomError>> {
    use RoomAction::*;
    let admin = request.admin;
    let plan = match &request.action {
        // Changes to messages (see `apply`).
        Edit { id, .. } | Delete { id } | React { id, .. } => {
            return Ok(Err(RoomError::NoSuchMessage(id.0)));
        }
        DeleteFile { name, .. } => return Ok(Err(RoomError::NoSuchFile(name.clone()))),
        Create {
            name,
            visibility,
            topic,
        } => {
            if user_key(name) == media_chat_protocol::conversation::GENERAL {
                return Ok(Err(RoomError::General("created")));
            }
            if sql::room(tx, &user_key(name))?.is_some() {
                return Ok(Err(RoomError::Taken(name.clone())));
            }
            Plan::Create {
                name: name.clone(),
                visibility: *visibility,
                topic: topic.clone(),
            }
        }
        Join { room } => {
            let Some(found) = find(tx, room)? else {
                return Ok(Err(RoomError::NoSuchRoom(room.clone())));
            };
            match sql::member_row(tx, found.id, actor_key)? {
                Some((_, true)) => {
                    return Ok(Err(RoomError::Banned(request.actor.clone(), found.name)));
                }
                Some((role, false)) if role >= Role::Member => {
                    return Ok(Err(RoomError::AlreadyIn(request.actor.clone(), found.name)));
                }
                Some((Role::Invited, false)) => {}
                _ if found.visibility == Visibility::Public || admin => {}
                // Not invited to a private room: it does not exist for them.
                _ => return Ok(Err(RoomError::NoSuchRoom(room.clone()))),
            }
            Plan::Member {
                room: found,
                user: request.actor.clone(),
                row: Some((Role::Member, false)),
                change: MemberChange::Joined,
            }
        }
        Leave { room } => {
            if user_key(room) == media_chat_protocol::conversation::GENERAL {
                return Ok(Err(RoomError::General("left")));
            }
            let (found, _) = match member(tx, room, actor_key, false)? {
                Ok(found) => found,
                Err(refusal) => return Ok(Err(refusal)),
            };
            Plan::Member {
                room: found,
                user: request.actor.clone(),
                row: None,
                change: MemberChange::Left,
            }
        }
        Invite { room, user } => {
            let (found, role) = match member(tx, room, actor_key, admin)? {
                Ok(found) => found,
                Err(refusal) => return Ok(Err(refusal)),
            };
            if found.visibility == Visibility::Private && role < Role::Moderator && !admin {
                return Ok(Err(RoomError::NotAllowed(
                    "the owner and moderators",
                    found.name,
                )));
            }
            match sql::member_row(tx, found.id, &user_key(user))? {
                Some((_, true)) => return Ok(Err(RoomError::Banned(user.clone(), found.name))),
                Some(_) => return Ok(Err(RoomError::AlreadyIn(user.clone(), found.name))),
                None => {}
            }
            Plan::Member {
                room: found,
                user: user.clone(),
                row: Some((Role::Invited, false)),
                change: MemberChange::Invited,
            }
        }
        Remove { room, user } | Ban { room, user } | Unban { room, user } => {
            let (found, role) = match member(tx, room, actor_key, admin)? {
                Ok(found) => found,
                Err(refusal) => return Ok(Err(refusal)),
            };
            if role < Role::Moderator && !admin {
                return Ok(Err(RoomError::NotAllowed(
                    "the owner and moderators",
                    found.name,
                )));
            }
            let target = sql::member_row(tx, found.id, &user_key(user))?;
            if let Some((target_role, false)) = target {
                if target_role == Role::Owner {
                    return Ok(Err(RoomError::Owner(found.name)));
                }
                if target_role >= role && !admin {
                    return Ok(Err(RoomError::NotAllowed("the owner", found.name)));
                }
            }
            let (row, change) = match (&request.action, target) {
                (Remove { .. }, Some((role, false))) if role >= Role::Member => {
                    (None, MemberChange::Removed)
                }
                (Remove { .. }, _) => return Ok(Err(RoomError::NotIn(user.clone(), found.name))),
                (Ban { .. }, Some((_, true))) => {
                    return Ok(Err(RoomError::Banned(user.clone(), found.name)));
                }
                (Ban { .. }, _) => (Some((Role::Member, true)), MemberChange::Banned),
                (_, Some((_, true))) => (None, MemberChange::Unbanned),
                _ => return Ok(Err(RoomError::NotBanned(user.clone(), found.name))),
            };
            Plan::Member {
                room: found,
                user: user.clone(),
                row,
                change,
            }
        }
        Topic { room, text } => {
            let (found, role) = match member(tx, room, actor_key, admin)? {
                Ok(found) => found,
                Err(refusal) => return Ok(Err(refusal)),
            };
            if role < Role::Moderator && !admin {
                return Ok(Err(RoomError::NotAllowed(
                    "the owner and moderators",
                    found.name,
                )));
            }
            Plan::Topic {
                room: found,
                text: text.clone(),
            }
        }
        Moderator { room, user, on } => {
            let (found, role) = match member(tx, room, actor_key, admin)? {
                Ok(found) => found,
                Err(refusal) => return Ok(Err(refusal)),
            };
            if role < Role::Owner && !admin {
                return Ok(Err(RoomError::NotAllowed("the owner", found.name)));
            }
            let target = match sql::member_row(tx, found.id, &user_key(user))? {
                Some((Role::Owner, false)) => return Ok(Err(RoomError::Owner(found.name))),
                Some((role, false)) if role >= Role::Member => role,
                _ => return Ok(Err(RoomError::NotIn(user.clone(), found.name))),
            };
            let (role, change) = if *on {
                (Role::Moderator, MemberChange::Promoted)
            } else {
                (Role::Member, MemberChange::Demoted)
            };
            if target == role {
                return Ok(Err(RoomError::Already(user.clone(), role, found.name)));
            }
            Plan::Member {
                room: found,
                user: user.clone(),
                row: Some((role, false)),
                change,
            }
        }
    };
    Ok(Ok(plan))
}

/// The room `name` and the actor's role in it, if they are a member; a
/// private room the actor is not in does not exist for them.
fn member(
    tx: &Connection,
    name: &str,
    actor_key: &str,
    admin: bool,
) -> rusqlite::Result<Result<(Found, Role), RoomError>> {
    if user_key(name) == media_chat_protocol::conversation::GENERAL {
        return Ok(Err(RoomError::General("changed this way")));
    }
    let Some(found) = find(tx, name)? else {
        return Ok(Err(RoomError::NoSuchRoom(name.to_owned())));
    };
    Ok(match sql::member_row(tx, found.id, actor_key)? {
        Some((role, false)) if role >= Role::Member && !admin => Ok((found, role)),
        // A server administrator acts as the owner anywhere.
        _ if admin => Ok((found, Role::Owner)),
        _ if found.visibility == Visibility::Private => Err(RoomError::NoSuchRoom(name.to_owned())),
        _ => Err(RoomError::NotYours(found.name)),
    })
}

/// Whether `user` is a member of the room `name`.
pub(crate) fn is_member(tx: &Connection, name: &str, user: &str) -> rusqlite::Result<bool> {
    let Some(found) = find(tx, name)? else {
        return Ok(false);
    };
    Ok(matches!(
        sql::member_row(tx, found.id, &user_key(user))?,
        Some((role, false)) if role >= Role::Member
    ))
}

fn find(tx: &Connection, name: &str) -> rusqlite::Result<Option<Found>> {
    Ok(
        sql::room(tx, &user_key(name))?.map(|(id, name, visibility, _)| Found {
            id,
            name,
            visibility,
        }),
    )
}

/// Marks a room read by `user` up to `id`.
fn caught_up(tx: &Connection, room: i64, user: &str, id: Option<EventId>) -> rusqlite::Result<()> {
    let Some(id) = id else { return Ok(()) };
    tx.prepare_cached(
        "INSERT INTO read_positions (user_key, conversation, event_id) VALUES (?1, ?2, ?3) \
         ON CONFLICT (user_key, conversation) DO UPDATE SET event_id = excluded.event_id",
    )?
    .execute(params![user_key(user), room, sql::to_sql(id.0)])?;
    Ok(())
}

fn carry_out(tx: &Connection, actor: &str, plan: Plan) -> rusqlite::Result<Vec<Event>> {
    let ts = unix_now();
    let mut events = Vec::new();
    let mut store = |conversation: i64, room: &str, body: EventBody| -> rusqlite::Result<()> {
        let id = sql::insert_event(tx, conversation, ts, actor, &body, None)?;
        events.push(Event {
            id,
            ts,
            conversation: Conversation::Room(room.to_owned()),
            author: actor.to_owned(),
            body,
        });
        Ok(())
    };
    match plan {
        Plan::Create {
            name,
            visibility,
            topic,
        } => {
            tx.prepare_cached(
                "INSERT INTO conversations (kind, name, name_key, visibility, topic) \
                 VALUES (0, ?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                name,
                user_key(&name),
                i64::from(visibility == Visibility::Private),
                topic
            ])?;
            let id = tx.last_insert_rowid();
            sql::set_member(tx, id, actor, Role::Owner)?;
            let created = EventBody::Member {
                user: actor.to_owned(),
                change: MemberChange::Created,
            };
            store(id, &name, created)?;
            if !topic.is_empty() {
                store(id, &name, EventBody::Topic { text: topic })?;
            }
            caught_up(tx, id, actor, events.last().map(|e| e.id))?;
        }
        Plan::Member {
            room,
            user,
            row,
            change,
        } => {
            match row {
                Some((role, false)) => sql::set_member(tx, room.id, &user, role)?,
                Some((role, true)) => {
                    sql::set_member(tx, room.id, &user, role)?;
                    tx.prepare_cached(
                        "UPDATE members SET banned = 1 WHERE conversation = ?1 AND user_key = ?2",
                    )?
                    .execute(params![room.id, user_key(&user)])?;
                }
                None => {
                    tx.prepare_cached(
                        "DELETE FROM members WHERE conversation = ?1 AND user_key = ?2",
                    )?
                    .execute(params![room.id, user_key(&user)])?;
                }
            }
            let joins = matches!(change, MemberChange::Joined);
            store(
                room.id,
                &room.name,
                EventBody::Member {
                    user: user.clone(),
                    change,
                },
            )?;
            if joins {
                // A new member starts caught up: the room's past is theirs to
                // read, not unread.
                caught_up(tx, room.id, &user, events.last().map(|e| e.id))?;
            }
        }
        Plan::Topic { room, text } => {
            tx.prepare_cached("UPDATE conversations SET topic = ?1 WHERE id = ?2")?
                .execute(params![text, room.id])?;
            store(room.id, &room.name, EventBody::Topic { text })?;
        }
    }
    Ok(events)
}
