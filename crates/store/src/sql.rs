//! The SQL the writer, the readers and the import share: how conversations
//! and events map to rows. Statements are cached per connection.

use media_chat_protocol::Sha256Digest;
use media_chat_protocol::conversation::GENERAL;
use media_chat_protocol::rules::user_key;
use rusqlite::{Connection, OptionalExtension, Row, params};

use media_chat_protocol::{MemberChange, Role, Visibility};

use crate::types::{Conversation, Event, EventBody, EventId, FileMeta, Members, Pair};

/// `conversations.kind` of the public room.
const ROOM: i64 = 0;
/// `conversations.kind` of a direct conversation.
const DIRECT: i64 = 1;
/// `conversations.kind` of a group conversation.
const GROUP: i64 = 2;
/// `events.kind` of a message.
pub(crate) const TEXT: i64 = 0;
/// `events.kind` of a file share.
pub(crate) const FILE: i64 = 1;
/// `events.kind` of a member change.
const MEMBER: i64 = 2;
/// `events.kind` of a topic change.
const TOPIC: i64 = 3;
/// A deleted message.
pub(crate) const DELETED: i64 = 4;
/// An edit of a message.
const EDIT: i64 = 5;
/// A delete of a message.
const DELETE: i64 = 6;
/// A reaction given.
pub(crate) const REACTED: i64 = 7;
/// A reaction taken back.
pub(crate) const UNREACTED: i64 = 8;
/// A delete of a file (`file_name` its name).
const FILE_DELETE: i64 = 9;
/// A share whose file was deleted since.
pub(crate) const FILE_GONE: i64 = 10;

/// The columns [`event_from_row`] reads, from `events e JOIN conversations c`.
pub(crate) const EVENT_COLUMNS: &str = "e.id, e.ts, e.author, e.kind, e.text, e.file_name, \
     e.file_size, e.file_sha256, c.kind, c.a, c.b, c.name, c.member_names, e.subject, e.target, \
     e.edit, e.reply_to";

/// The join [`EVENT_COLUMNS`] come from.
pub(crate) const EVENT_JOIN: &str = "events e JOIN conversations c ON c.id = e.conversation";

/// The row id of `conversation`, created if `create` and missing (rooms
/// other than `#general` are never created here: see `rooms`). A new
/// group gets its members.
pub(crate) fn conversation_id(
    db: &Connection,
    conversation: &Conversation,
    create: bool,
) -> rusqlite::Result<Option<i64>> {
    let found = match conversation {
        Conversation::General | Conversation::Room(_) => {
            let key = conversation.room_key().unwrap_or_default();
            db.prepare_cached("SELECT id FROM conversations WHERE kind = 0 AND name_key = ?1")?
                .query_row(params![key], |row| row.get(0))
                .optional()?
        }
        Conversation::Direct(pair) => {
            let (a, b) = pair.names();
            db.prepare_cached(
                "SELECT id FROM conversations WHERE kind = 1 AND a_key = ?1 AND b_key = ?2",
            )?
            .query_row(params![user_key(a), user_key(b)], |row| row.get(0))
            .optional()?
        }
        Conversation::Group(members) => db
            .prepare_cached("SELECT id FROM conversations WHERE kind = 2 AND members_key = ?1")?
            .query_row(params![members.key()], |row| row.get(0))
            .optional()?,
    };
    if found.is_some() || !create {
        return Ok(found);
    }
    match conversation {
        Conversation::General => db
            .prepare_cached("INSERT INTO conversations (kind, name, name_key) VALUES (?1, ?2, ?2)")?
            .execute(params![ROOM, GENERAL])?,
        Conversation::Room(_) => return Ok(None),
        Conversation::Direct(pair) => {
            let (a, b) = pair.names();
            db.prepare_cached(
                "INSERT INTO conversations (kind, a, b, a_key, b_key) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![DIRECT, a, b, user_key(a), user_key(b)])?
        }
        Conversation::Group(members) => {
            db.prepare_cached(
                "INSERT INTO conversations (kind, members_key, member_names) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![GROUP, members.key(), members.names().join(",")])?;
            let id = db.last_insert_rowid();
            for name in members.names() {
                set_member(db, id, name, Role::Member)?;
            }
            return Ok(Some(id));
        }
    };
    Ok(Some(db.last_insert_rowid()))
}

/// Every conversation the user with `key` is in: `(row id, conversation)`,
/// `#general` first.
///
/// One indexed lookup per part (`#general`, pairs where the user is `a`,
/// pairs where the user is only `b`, memberships): written as one
/// `WHERE … OR …`, SQLite read every conversation instead, 2 ms per call
/// with 18,000 direct conversations, three times per login (see
/// docs/BENCHMARKS.md).
pub(crate) fn conversations_of(
    db: &Connection,
    key: &str,
) -> rusqlite::Result<Vec<(i64, Conversation)>> {
    let mut statement = db.prepare_cached(CONVERSATIONS_OF)?;
    let rows = statement.query_map(params![key], |row| {
        let id: i64 = row.get(0)?;
        let conversation = conversation_from(
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
            row.get(5)?,
        );
        Ok((id, conversation))
    })?;
    rows.collect()
}

/// The query of [`conversations_of`]: `#general` by its key, the pairs
/// (one with `a_key = b_key`, a user's notes to self, comes from the second
/// part only), and the rooms and groups the user is a member of.
const CONVERSATIONS_OF: &str = "SELECT id, kind, a, b, name, member_names FROM conversations \
     WHERE kind = 0 AND name_key = 'general' \
     UNION ALL SELECT id, kind, a, b, name, member_names FROM conversations \
     WHERE kind = 1 AND a_key = ?1 \
     UNION ALL SELECT id, kind, a, b, name, member_names FROM conversations \
     WHERE kind = 1 AND b_key = ?1 AND a_key != ?1 \
     UNION ALL SELECT c.id, c.kind, c.a, c.b, c.name, c.member_names \
     FROM members m JOIN conversations c ON c.id = m.conversation \
     WHERE m.user_key = ?1 AND m.role >= 1 AND m.banned = 0";

/// The user keys of everyone the user with `key` shares a direct or a
/// group conversation with (not themselves).
pub(crate) fn partners(db: &Connection, key: &str) -> rusqlite::Result<Vec<String>> {
    let mut statement = db.prepare_cached(
        "SELECT b_key FROM conversations WHERE kind = 1 AND a_key = ?1 AND b_key != ?1 \
         UNION SELECT a_key FROM conversations WHERE kind = 1 AND b_key = ?1 AND a_key != ?1 \
         UNION SELECT other.user_key FROM members me \
         JOIN conversations c ON c.id = me.conversation AND c.kind = 2 \
         JOIN members other ON other.conversation = me.conversation \
         WHERE me.user_key = ?1 AND other.user_key != ?1",
    )?;
    let rows = statement.query_map(params![key], |row| row.get(0))?;
    rows.collect()
}

/// Inserts an event; returns its id.
pub(crate) fn insert_event(
    db: &Connection,
    conversation: i64,
    ts: u64,
    author: &str,
    body: &EventBody,
    token: Option<&str>,
) -> rusqlite::Result<EventId> {
    let ts = to_sql(ts);
    let row = EventRow::of(body)?;
    db.prepare_cached(
        "INSERT INTO events (conversation, ts, author, author_key, kind, text, file_name, \
         file_size, file_sha256, subject, target, reply_to, token) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        conversation,
        ts,
        author,
        user_key(author),
        row.kind,
        row.text,
        row.file_name,
        row.file_size,
        row.file_sha256,
        row.subject,
        row.target,
        row.reply_to,
        token
    ])?;
    let id = EventId(from_sql(db.last_insert_rowid()));
    if let EventBody::FileShared { name, size, sha256 } = body {
        // The first share of a name in a conversation records who
        // uploaded it.
        db.prepare_cached(
            "INSERT OR IGNORE INTO files (conversation, name, size, sha256, uploader, ts) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            conversation,
            name,
            to_sql(*size),
            &sha256.0[..],
            author,
            ts
        ])?;
    }
    Ok(id)
}

/// The columns of `events` an event's body fills (the others stay NULL).
#[derive(Default)]
struct EventRow<'a> {
    kind: i64,
    text: Option<&'a str>,
    file_name: Option<&'a str>,
    file_size: Option<i64>,
    file_sha256: Option<&'a [u8]>,
    subject: Option<&'a str>,
    target: Option<i64>,
    reply_to: Option<i64>,
}

impl<'a> EventRow<'a> {
    fn of(body: &'a EventBody) -> rusqlite::Result<Self> {
        Ok(match body {
            EventBody::Text { text } => EventRow {
                kind: TEXT,
                text: Some(text),
                ..EventRow::default()
            },
            EventBody::Reply { to, text, .. } => EventRow {
                kind: TEXT,
                text: Some(text),
                reply_to: Some(to_sql(to.0)),
                ..EventRow::default()
            },
            EventBody::Member { user, change } => EventRow {
                kind: MEMBER,
                text: Some(change.as_str()),
                subject: Some(user),
                ..EventRow::default()
            },
            EventBody::Edit { target, text } => EventRow {
                kind: EDIT,
                text: Some(text),
                target: Some(to_sql(target.0)),
                ..EventRow::default()
            },
            EventBody::Delete { target } => EventRow {
                kind: DELETE,
                target: Some(to_sql(target.0)),
                ..EventRow::default()
            },
            EventBody::React {
                target,
                reaction,
                on,
            } => EventRow {
                kind: if *on { REACTED } else { UNREACTED },
                text: Some(reaction),
                target: Some(to_sql(target.0)),
                ..EventRow::default()
            },
            EventBody::Topic { text } => EventRow {
                kind: TOPIC,
                text: Some(text),
                ..EventRow::default()
            },
            EventBody::FileDelete { name } => EventRow {
                kind: FILE_DELETE,
                file_name: Some(name),
                ..EventRow::default()
            },
            EventBody::FileShared { name, size, sha256 } => EventRow {
                kind: FILE,
                file_name: Some(name),
                file_size: Some(to_sql(*size)),
                file_sha256: Some(&sha256.0[..]),
                ..EventRow::default()
            },
            // A message's state, not something that happens: what an edit
            // or a delete leaves (see `changes`), never inserted as such.
            EventBody::Edited { .. } | EventBody::Deleted | EventBody::FileDeleted { .. } => {
                return Err(rusqlite::Error::InvalidParameterName(
                    "a message's state is not an event to store".to_owned(),
                ));
            }
        })
    }
}

/// The event an author stored earlier with `token`, if any.
pub(crate) fn event_by_token(
    db: &Connection,
    author: &str,
    token: &str,
) -> rusqlite::Result<Option<Event>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM {EVENT_JOIN} WHERE e.author_key = ?1 AND e.token = ?2"
    );
    db.prepare_cached(&sql)?
        .query_row(params![user_key(author), token], event_from_row)
        .optional()
}

/// Every recorded file of the conversation with row `conversation`.
pub(crate) fn files(db: &Connection, conversation: i64) -> rusqlite::Result<Vec<FileMeta>> {
    let mut statement = db.prepare_cached(
        "SELECT name, size, sha256, uploader, ts FROM files WHERE conversation = ?1 ORDER BY name",
    )?;
    let rows = statement.query_map(params![conversation], |row| {
        Ok(FileMeta {
            name: row.get(0)?,
            size: from_sql(row.get(1)?),
            sha256: digest(row, 2)?,
            uploader: row.get(3)?,
            ts: from_sql(row.get(4)?),
        })
    })?;
    rows.collect()
}

/// The bytes of recorded files per uploader, by registered name.
pub(crate) fn file_usage(db: &Connection) -> rusqlite::Result<Vec<(String, u64)>> {
    let mut statement = db.prepare_cached(
        "SELECT uploader, sum(size) FROM files WHERE uploader != '' GROUP BY uploader",
    )?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, from_sql(row.get(1)?))))?;
    rows.collect()
}

/// The highest event id stored (0 when there are none).
pub(crate) fn last_id(db: &Connection) -> rusqlite::Result<EventId> {
    let id: Option<i64> = db
        .prepare_cached("SELECT max(id) FROM events")?
        .query_row([], |row| row.get(0))?;
    Ok(EventId(id.map_or(0, from_sql)))
}

/// Reads an event from a row of [`EVENT_COLUMNS`].
pub(crate) fn event_from_row(row: &Row<'_>) -> rusqlite::Result<Event> {
    let body = match row.get::<_, i64>(3)? {
        FILE => EventBody::FileShared {
            name: row.get(5)?,
            size: from_sql(row.get(6)?),
            sha256: digest(row, 7)?,
        },
        MEMBER => {
            let change: String = row.get(4)?;
            EventBody::Member {
                user: row.get::<_, Option<String>>(13)?.unwrap_or_default(),
                change: change.parse().unwrap_or(MemberChange::Joined),
            }
        }
        TOPIC => EventBody::Topic { text: row.get(4)? },
        FILE_DELETE => EventBody::FileDelete { name: row.get(5)? },
        FILE_GONE => EventBody::FileDeleted { name: row.get(5)? },
        DELETED => EventBody::Deleted,
        EDIT => EventBody::Edit {
            target: EventId(from_sql(row.get(14)?)),
            text: row.get::<_, Option<String>>(4)?.unwrap_or_default(),
        },
        DELETE => EventBody::Delete {
            target: EventId(from_sql(row.get(14)?)),
        },
        kind @ (REACTED | UNREACTED) => EventBody::React {
            target: EventId(from_sql(row.get(14)?)),
            // A delete of the message takes the reactions' texts too.
            reaction: row.get::<_, Option<String>>(4)?.unwrap_or_default(),
            on: kind == REACTED,
        },
        _ => {
            let edit = row
                .get::<_, Option<i64>>(15)?
                .map(|edit| EventId(from_sql(edit)));
            match (row.get::<_, Option<i64>>(16)?, edit) {
                (Some(to), edit) => EventBody::Reply {
                    to: EventId(from_sql(to)),
                    text: row.get(4)?,
                    edit,
                },
                (None, Some(edit)) => EventBody::Edited {
                    text: row.get(4)?,
                    edit,
                },
                (None, None) => EventBody::Text { text: row.get(4)? },
            }
        }
    };
    Ok(Event {
        id: EventId(from_sql(row.get(0)?)),
        ts: from_sql(row.get(1)?),
        author: row.get(2)?,
        body,
        conversation: conversation_from(
            row.get(8)?,
            row.get(9)?,
            row.get(10)?,
            row.get(11)?,
            row.get(12)?,
        ),
    })
}

/// A conversation from its row's `kind, a, b, name, member_names`.
pub(crate) fn conversation_from(
    kind: i64,
    a: Option<String>,
    b: Option<String>,
    name: Option<String>,
    member_names: Option<String>,
) -> Conversation {
    match kind {
        DIRECT => Conversation::Direct(Pair::new(&a.unwrap_or_default(), &b.unwrap_or_default())),
        GROUP => {
            let names: Vec<String> = member_names
                .unwrap_or_default()
                .split(',')
                .map(str::to_owned)
                .collect();
            Conversation::Group(Members::new(&names))
        }
        _ => match name {
            Some(name) if name != GENERAL => Conversation::Room(name),
            _ => Conversation::General,
        },
    }
}

/// Adds or updates a member (not banned).
pub(crate) fn set_member(
    db: &Connection,
    conversation: i64,
    name: &str,
    role: Role,
) -> rusqlite::Result<()> {
    db.prepare_cached(
        "INSERT INTO members (conversation, user_key, name, role, banned) VALUES (?1, ?2, ?3, ?4, 0) \
         ON CONFLICT (conversation, user_key) DO UPDATE SET role = excluded.role, banned = 0",
    )?
    .execute(params![conversation, user_key(name), name, role_to_sql(role)])?;
    Ok(())
}

/// The stored role of a user in a conversation, and whether they are
/// banned; `None` when there is no row.
pub(crate) fn member_row(
    db: &Connection,
    conversation: i64,
    key: &str,
) -> rusqlite::Result<Option<(Role, bool)>> {
    db.prepare_cached("SELECT role, banned FROM members WHERE conversation = ?1 AND user_key = ?2")?
        .query_row(params![conversation, key], |row| {
            Ok((role_from_sql(row.get(0)?), row.get::<_, i64>(1)? != 0))
        })
        .optional()
}

/// A room's row: `(id, name, visibility, topic)`.
pub(crate) fn room(
    db: &Connection,
    name_key: &str,
) -> rusqlite::Result<Option<(i64, String, Visibility, String)>> {
    db.prepare_cached(
        "SELECT id, name, visibility, topic FROM conversations WHERE kind = 0 AND name_key = ?1",
    )?
    .query_row(params![name_key], |row| {
        let visibility = if row.get::<_, i64>(2)? == 1 {
            Visibility::Private
        } else {
            Visibility::Public
        };
        Ok((row.get(0)?, row.get(1)?, visibility, row.get(3)?))
    })
    .optional()
}

/// Records who a message mentions: every `@name` in it (at most 20), and
/// the users with keys `also` (those `@here` reached).
pub(crate) fn record_mentions(
    db: &Connection,
    conversation: i64,
    event: EventId,
    text: &str,
    also: &[String],
) -> rusqlite::Result<()> {
    for key in media_chat_protocol::rules::mentions(text)
        .into_iter()
        .chain(also.iter().cloned())
    {
        db.prepare_cached(
            "INSERT OR IGNORE INTO mentions (user_key, conversation, event_id) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![key, conversation, to_sql(event.0)])?;
    }
    Ok(())
}

/// `members.role` for a role.
pub(crate) fn role_to_sql(role: Role) -> i64 {
    match role {
        Role::Invited => 0,
        Role::Member => 1,
        Role::Moderator => 2,
        Role::Owner => 3,
    }
}

/// The role of a `members.role` value.
pub(crate) fn role_from_sql(value: i64) -> Role {
    match value {
        0 => Role::Invited,
        2 => Role::Moderator,
        3 => Role::Owner,
        _ => Role::Member,
    }
}

fn digest(row: &Row<'_>, column: usize) -> rusqlite::Result<Sha256Digest> {
    let bytes: Vec<u8> = row.get(column)?;
    let array: [u8; 32] = bytes.try_into().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Blob,
            "a SHA-256 is 32 bytes".into(),
        )
    })?;
    Ok(Sha256Digest(array))
}

/// SQLite integers are signed: ids, sizes and times are stored as `i64`
/// (none comes near 2^63).
pub(crate) fn to_sql(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The reverse of [`to_sql`]; a negative value (never written) reads as 0.
pub(crate) fn from_sql(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database with the schema, the room and `pairs` direct
    /// conversations among `u0`… (each with itself too).
    fn database(pairs: usize) -> Connection {
        let mut db = Connection::open_in_memory().unwrap();
        crate::schema::migrate(&mut db).unwrap();
        conversation_id(&db, &Conversation::General, true).unwrap();
        let mut made = 0;
        'outer: for a in 0..100 {
            for b in a..100 {
                if made == pairs {
                    break 'outer;
                }
                let pair = Pair::new(&format!("u{a}"), &format!("u{b}"));
                conversation_id(&db, &Conversation::Direct(pair), true).unwrap();
                made += 1;
            }
        }
        db
    }

    #[test]
    fn a_user_is_in_the_room_and_each_of_their_pairs_once() {
        let db = database(300);
        for user in ["u0", "u1", "u2", "u99", "nobody"] {
            let mut got: Vec<Conversation> = conversations_of(&db, user)
                .unwrap()
                .into_iter()
                .map(|(_, c)| c)
                .collect();
            let mut expected: Vec<Conversation> = db
                .prepare("SELECT kind, a, b, name, member_names FROM conversations")
                .unwrap()
                .query_map([], |row| {
                    Ok(conversation_from(
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                })
                .unwrap()
                .map(Result::unwrap)
                .filter(|c| c.visible_to(user) == Some(true))
                .collect();
            assert_eq!(got.first(), Some(&Conversation::General), "{user}");
            got.sort();
            expected.sort();
            assert_eq!(got, expected, "{user}");
        }
        // u0 with itself and with u1…u99: 100 pairs, and the room.
        assert_eq!(conversations_of(&db, "u0").unwrap().len(), 101);
    }

    #[test]
    fn finding_a_users_conversations_reads_no_one_elses() {
        let db = database(300);
        let plan: Vec<String> = db
            .prepare(&format!("EXPLAIN QUERY PLAN {CONVERSATIONS_OF}"))
            .unwrap()
            .query_map(["u1"], |row| row.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        // Three lookups of conversations, and memberships joined to
        // theirs: each a search, no scan.
        let reads: Vec<&String> = plan
            .iter()
            .filter(|step| step.starts_with("SEARCH") || step.starts_with("SCAN"))
            .collect();
        assert_eq!(reads.len(), 5, "{plan:?}");
        for step in reads {
            assert!(step.starts_with("SEARCH"), "a full scan: {plan:?}");
        }
    }
}
