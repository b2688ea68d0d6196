//! The SQL the writer, the readers and the import share: how conversations
//! and events map to rows. Statements are cached per connection.

use media_chat_protocol::Sha256Digest;
use media_chat_protocol::conversation::GENERAL;
use media_chat_protocol::rules::user_key;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::types::{Conversation, Event, EventBody, EventId, FileMeta, Pair};

/// `conversations.kind` of the public room.
const ROOM: i64 = 0;
/// `conversations.kind` of a direct conversation.
const DIRECT: i64 = 1;
/// `events.kind` of a message.
const TEXT: i64 = 0;
/// `events.kind` of a file share.
const FILE: i64 = 1;

/// The columns [`event_from_row`] reads, from `events e JOIN conversations c`.
pub(crate) const EVENT_COLUMNS: &str = "e.id, e.ts, e.author, e.kind, e.text, e.file_name, \
     e.file_size, e.file_sha256, c.kind, c.a, c.b";

/// The join [`EVENT_COLUMNS`] come from.
pub(crate) const EVENT_JOIN: &str = "events e JOIN conversations c ON c.id = e.conversation";

/// The row id of `conversation`, created if `create` and missing.
pub(crate) fn conversation_id(
    db: &Connection,
    conversation: &Conversation,
    create: bool,
) -> rusqlite::Result<Option<i64>> {
    let found = match conversation {
        Conversation::General => db
            .prepare_cached("SELECT id FROM conversations WHERE kind = 0 AND name = ?1")?
            .query_row(params![GENERAL], |row| row.get(0))
            .optional()?,
        Conversation::Direct(pair) => {
            let (a, b) = pair.names();
            db.prepare_cached(
                "SELECT id FROM conversations WHERE kind = 1 AND a_key = ?1 AND b_key = ?2",
            )?
            .query_row(params![user_key(a), user_key(b)], |row| row.get(0))
            .optional()?
        }
    };
    if found.is_some() || !create {
        return Ok(found);
    }
    match conversation {
        Conversation::General => db
            .prepare_cached("INSERT INTO conversations (kind, name) VALUES (?1, ?2)")?
            .execute(params![ROOM, GENERAL])?,
        Conversation::Direct(pair) => {
            let (a, b) = pair.names();
            db.prepare_cached(
                "INSERT INTO conversations (kind, a, b, a_key, b_key) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![DIRECT, a, b, user_key(a), user_key(b)])?
        }
    };
    Ok(Some(db.last_insert_rowid()))
}

/// Every conversation the user with `key` is in: `(row id, conversation)`.
pub(crate) fn conversations_of(
    db: &Connection,
    key: &str,
) -> rusqlite::Result<Vec<(i64, Conversation)>> {
    let mut statement = db.prepare_cached(
        "SELECT id, kind, a, b FROM conversations WHERE kind = 0 OR a_key = ?1 OR b_key = ?1",
    )?;
    let rows = statement.query_map(params![key], |row| {
        let id: i64 = row.get(0)?;
        let conversation = conversation_from(row.get(1)?, row.get(2)?, row.get(3)?);
        Ok((id, conversation))
    })?;
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
    let author_key = user_key(author);
    match body {
        EventBody::Text { text } => db
            .prepare_cached(
                "INSERT INTO events (conversation, ts, author, author_key, kind, text, token) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                conversation,
                ts,
                author,
                author_key,
                TEXT,
                text,
                token
            ])?,
        EventBody::FileShared { name, size, sha256 } => {
            db.prepare_cached(
                "INSERT INTO events (conversation, ts, author, author_key, kind, file_name, \
                 file_size, file_sha256, token) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                conversation,
                ts,
                author,
                author_key,
                FILE,
                name,
                to_sql(*size),
                &sha256.0[..],
                token
            ])?;
            // The first share of a name records who uploaded it.
            db.prepare_cached(
                "INSERT OR IGNORE INTO files (name, size, sha256, uploader, ts) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![name, to_sql(*size), &sha256.0[..], author, ts])?
        }
    };
    Ok(EventId(from_sql(db.last_insert_rowid())))
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

/// Every recorded file.
pub(crate) fn files(db: &Connection) -> rusqlite::Result<Vec<FileMeta>> {
    let mut statement =
        db.prepare_cached("SELECT name, size, sha256, uploader, ts FROM files ORDER BY name")?;
    let rows = statement.query_map([], |row| {
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
        _ => EventBody::Text { text: row.get(4)? },
    };
    Ok(Event {
        id: EventId(from_sql(row.get(0)?)),
        ts: from_sql(row.get(1)?),
        author: row.get(2)?,
        body,
        conversation: conversation_from(row.get(8)?, row.get(9)?, row.get(10)?),
    })
}

fn conversation_from(kind: i64, a: Option<String>, b: Option<String>) -> Conversation {
    match (kind, a, b) {
        (DIRECT, Some(a), Some(b)) => Conversation::Direct(Pair::new(&a, &b)),
        _ => Conversation::General,
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
