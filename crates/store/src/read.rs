//! Queries: the latest events a user may see, the events after a client's
//! last id, pages of a conversation's past, missed direct messages, read
//! positions. Each runs on a connection of its own from a small pool (WAL
//! lets readers run beside the writer), and touches only the index of the
//! conversations the user is in: nothing scans the events table.

use std::path::{Path, PathBuf};

use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::StoreError;
use crate::sql::{self, EVENT_COLUMNS, EVENT_JOIN, from_sql, to_sql};
use crate::types::{
    Backlog, Conversation, Event, EventId, FileMeta, Page, Welcome, WelcomeRequest,
};

/// Connections kept open for reading. A query takes one (or opens one)
/// and gives it back; more than this many at once are opened and closed.
const IDLE_READERS: usize = 4;

/// Page cache per reading connection, in KiB: small, since reads touch
/// the end of an index (see docs/BENCHMARKS.md for what it costs).
const READER_CACHE_KIB: i64 = 1024;

/// A pool of read-only connections.
pub(crate) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    pub(crate) fn new(path: &Path) -> Self {
        Readers {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `query` on a pooled connection, in one read transaction: every
    /// statement sees the same snapshot (every event up to some id, none
    /// after).
    pub(crate) fn with<T>(
        &self,
        query: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let connection = match self.idle.lock().pop() {
            Some(connection) => connection,
            None => self.open()?,
        };
        let result = connection
            .unchecked_transaction()
            .and_then(|snapshot| query(&snapshot));
        let mut idle = self.idle.lock();
        if idle.len() < IDLE_READERS {
            idle.push(connection);
        }
        Ok(result?)
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(connection)
    }
}

/// The newest `limit` events the user with `key` may see, oldest first.
pub(crate) fn latest(db: &Connection, key: &str, limit: usize) -> rusqlite::Result<Vec<Event>> {
    let mut events = Vec::new();
    // #general first: its newest `limit` set a floor under which no other
    // conversation's events can make the cut.
    let mut floor = 0;
    let conversations = sql::conversations_of(db, key)?;
    let (general, direct): (Vec<_>, Vec<_>) = conversations
        .into_iter()
        .partition(|(_, c)| *c == Conversation::General);
    for (id, _) in general.iter().chain(&direct) {
        let newest = newest_after(db, *id, EventId(floor), limit)?;
        events.extend(newest);
        if events.len() >= limit {
            events.sort_by_key(|e| std::cmp::Reverse(e.id));
            events.truncate(limit);
            floor = events.last().map_or(0, |e| e.id.0);
        }
    }
    events.sort_by_key(|e| e.id);
    let skip = events.len().saturating_sub(limit);
    Ok(events.split_off(skip))
}

/// The events after `after` the user with `key` may see: per conversation
/// at most `per_conversation` (the newest), with a gap noted where more
/// were left out.
pub(crate) fn since(
    db: &Connection,
    key: &str,
    after: EventId,
    per_conversation: usize,
) -> rusqlite::Result<Backlog> {
    let last_id = sql::last_id(db)?;
    let mut backlog = Backlog {
        last_id,
        ..Backlog::default()
    };
    for (id, conversation) in sql::conversations_of(db, key)? {
        let mut newest = newest_after(db, id, after, per_conversation + 1)?;
        if newest.len() > per_conversation {
            newest.truncate(per_conversation);
            if let Some(oldest) = newest.last() {
                backlog.gaps.push((conversation, oldest.id));
            }
        }
        backlog
            .events
            .extend(newest.into_iter().filter(|e| e.id <= last_id));
    }
    backlog.events.sort_by_key(|e| e.id);
    backlog.gaps.sort_by_key(|(_, before)| *before);
    Ok(backlog)
}

/// Up to `limit` events of `conversation` older than `before` (`None`: the
/// newest), oldest first, if the user with `key` may see it.
pub(crate) fn page(
    db: &Connection,
    key: &str,
    conversation: &Conversation,
    before: Option<EventId>,
    limit: usize,
) -> Result<Page, StoreError> {
    if !conversation.visible_to(key) {
        return Err(StoreError::NoSuchConversation);
    }
    let Some(id) = sql::conversation_id(db, conversation, false)? else {
        return Ok(Page::default());
    };
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM {EVENT_JOIN} WHERE e.conversation = ?1 AND e.id < ?2 \
         ORDER BY e.id DESC LIMIT ?3"
    );
    let before = before.map_or(i64::MAX, |b| to_sql(b.0));
    let mut events: Vec<Event> = db
        .prepare_cached(&sql)?
        .query_map(
            params![id, before, limit_sql(limit + 1)],
            sql::event_from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    let more = events.len() > limit;
    events.truncate(limit);
    events.reverse();
    Ok(Page { events, more })
}

/// The direct messages to the user with `key` since their last session
/// ended (or ever, if they never had one): the newest `limit`, oldest
/// first, and whether older ones were left out.
pub(crate) fn missed_direct(
    db: &Connection,
    key: &str,
    limit: usize,
) -> rusqlite::Result<(Vec<Event>, bool)> {
    let last_seen: i64 = db
        .prepare_cached("SELECT last_seen FROM users WHERE key = ?1")?
        .query_row(params![key], |row| row.get(0))
        .optional()?
        .unwrap_or(0);
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM {EVENT_JOIN} WHERE e.conversation = ?1 AND e.id > ?2 \
         AND e.author_key != ?3 ORDER BY e.id DESC LIMIT ?4"
    );
    let mut events = Vec::new();
    for (id, conversation) in sql::conversations_of(db, key)? {
        if conversation == Conversation::General {
            continue;
        }
        let rows = db
            .prepare_cached(&sql)?
            .query_map(
                params![id, last_seen, key, limit_sql(limit + 1)],
                sql::event_from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        events.extend(rows);
    }
    events.sort_by_key(|e| std::cmp::Reverse(e.id));
    let more = events.len() > limit;
    events.truncate(limit);
    events.reverse();
    Ok((events, more))
}

/// Where the user with `key` has read up to, per conversation.
pub(crate) fn read_positions(
    db: &Connection,
    key: &str,
) -> rusqlite::Result<Vec<(Conversation, EventId)>> {
    let conversations = sql::conversations_of(db, key)?;
    let mut statement =
        db.prepare_cached("SELECT conversation, event_id FROM read_positions WHERE user_key = ?1")?;
    let rows = statement.query_map(params![key], |row| {
        Ok((row.get::<_, i64>(0)?, from_sql(row.get(1)?)))
    })?;
    let mut positions = Vec::new();
    for row in rows {
        let (id, event) = row?;
        if let Some((_, conversation)) = conversations.iter().find(|(c, _)| *c == id) {
            positions.push((conversation.clone(), EventId(event)));
        }
    }
    positions.sort();
    Ok(positions)
}

/// What a login needs from the store, read in one snapshot.
pub(crate) fn welcome(
    db: &Connection,
    key: &str,
    request: &WelcomeRequest,
) -> rusqlite::Result<Welcome> {
    let mut welcome = Welcome::default();
    match request.after {
        Some(after) => {
            let backlog = since(db, key, after, request.latest)?;
            welcome.events = backlog.events;
            welcome.gaps = backlog.gaps;
        }
        None => welcome.events = latest(db, key, request.latest)?,
    }
    if request.missed > 0 {
        let (missed, more) = missed_direct(db, key, request.missed)?;
        welcome.missed_more = more;
        welcome.events.extend(missed);
        welcome.events.sort_by_key(|e| e.id);
        welcome.events.dedup_by_key(|e| e.id);
    }
    welcome.read = read_positions(db, key)?;
    welcome.last_id = sql::last_id(db)?;
    Ok(welcome)
}

/// Every recorded file.
pub(crate) fn files(db: &Connection) -> rusqlite::Result<Vec<FileMeta>> {
    sql::files(db)
}

/// The newest `limit` events of one conversation with an id above `after`,
/// newest first.
fn newest_after(
    db: &Connection,
    conversation: i64,
    after: EventId,
    limit: usize,
) -> rusqlite::Result<Vec<Event>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM {EVENT_JOIN} WHERE e.conversation = ?1 AND e.id > ?2 \
         ORDER BY e.id DESC LIMIT ?3"
    );
    db.prepare_cached(&sql)?
        .query_map(
            params![conversation, to_sql(after.0), limit_sql(limit)],
            sql::event_from_row,
        )?
        .collect()
}

fn limit_sql(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}
