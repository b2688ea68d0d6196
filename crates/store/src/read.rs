//! Queries: the latest events a user may see, the events after a client's
//! last id, pages of a conversation's past, missed direct messages, read
//! positions. Each runs on a connection of its own from a small pool (WAL
//! lets readers run beside the writer), and touches only the index of the
//! conversations the user is in: nothing scans the events table.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use parking_lot::{Condvar, Mutex};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::StoreError;
use crate::reactions;
use crate::sql::{self, EVENT_COLUMNS, EVENT_JOIN, from_sql, to_sql};
use media_chat_protocol::{Role, Visibility};

use crate::types::{
    Backlog, Conversation, Event, EventId, FileMeta, Member, Page, RoomInfo, RoomMembers, Scope,
    Standing, UNREAD_CAP, Welcome, WelcomeRequest,
};

/// Connections kept open for reading. A query takes one (or opens one)
/// and gives it back; beyond this many, a returned one is closed.
const IDLE_READERS: usize = 4;

/// Most reading connections open at once; a query beyond them waits for
/// one to come back. Reads take well under a millisecond, so a burst of
/// them (a reconnecting crowd, many sessions paging) queues for a moment
/// rather than opening a connection, with its page cache, per session.
const MAX_READERS: usize = 8;

/// Page cache per reading connection, in KiB: small, since reads touch
/// the end of an index. With the writer's, the store's page caches are
/// bounded by `WRITER_CACHE_KIB + MAX_READERS * READER_CACHE_KIB`
/// (2 + 8 MiB), and by 2 + 4 MiB when it is idle (see docs/BENCHMARKS.md).
const READER_CACHE_KIB: i64 = 1024;

/// A pool of read-only connections.
pub(crate) struct Readers {
    path: PathBuf,
    pool: Mutex<Pool>,
    /// Signalled when a connection comes back (or an open one closes).
    returned: Condvar,
}

struct Pool {
    idle: Vec<Connection>,
    /// Connections open, idle or in use.
    open: usize,
}

impl Readers {
    pub(crate) fn new(path: &Path) -> Self {
        Readers {
            path: path.to_path_buf(),
            pool: Mutex::new(Pool {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
        }
    }

    /// Runs `query` on a pooled connection, in one read transaction: every
    /// statement sees the same snapshot (every event up to some id, none
    /// after).
    ///
    /// `BEGIN` and `COMMIT` are cached statements like the queries: a
    /// rusqlite `Transaction` prepares them anew each time, which was 6 %
    /// of a page's time in the server.
    pub(crate) fn with<T>(
        &self,
        query: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let connection = self.take()?;
        let result = connection
            .prepare_cached("BEGIN")
            .and_then(|mut begin| begin.execute([]))
            .and_then(|_| {
                let result = query(&connection);
                let end = connection
                    .prepare_cached("COMMIT")
                    .and_then(|mut commit| commit.execute([]));
                end.and(result)
            });
        self.give_back(connection);
        Ok(result?)
    }

    /// An idle connection, a new one if fewer than [`MAX_READERS`] are
    /// open, or else the next one given back.
    fn take(&self) -> Result<Connection, StoreError> {
        let mut pool = self.pool.lock();
        loop {
            if let Some(connection) = pool.idle.pop() {
                return Ok(connection);
            }
            if pool.open < MAX_READERS {
                pool.open += 1;
                drop(pool);
                return self.open().inspect_err(|_| self.closed());
            }
            self.returned.wait(&mut pool);
        }
    }

    /// Keeps `connection` for the next query, or closes it if enough are
    /// idle or its transaction could not be ended.
    fn give_back(&self, connection: Connection) {
        let mut pool = self.pool.lock();
        if connection.is_autocommit() && pool.idle.len() < IDLE_READERS {
            pool.idle.push(connection);
            drop(pool);
            self.returned.notify_one();
        } else {
            drop(pool);
            drop(connection);
            self.closed();
        }
    }

    /// One open connection fewer.
    fn closed(&self) {
        self.pool.lock().open -= 1;
        self.returned.notify_one();
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

/// The conversations a user is in: `(row id, conversation)`, read once per
/// request and shared by its queries.
type Theirs = [(i64, Conversation)];

/// The newest `limit` events the user with `key` may see, oldest first.
pub(crate) fn latest(db: &Connection, key: &str, limit: usize) -> rusqlite::Result<Vec<Event>> {
    latest_in(db, &sql::conversations_of(db, key)?, limit)
}

/// [`latest`] among `conversations`.
fn latest_in(
    db: &Connection,
    conversations: &Theirs,
    limit: usize,
) -> rusqlite::Result<Vec<Event>> {
    let mut events = Vec::new();
    // #general first: its newest `limit` set a floor under which no other
    // conversation's events can make the cut.
    let mut floor = 0;
    let (general, direct): (Vec<_>, Vec<_>) = conversations
        .iter()
        .partition(|(_, c)| *c == Conversation::General);
    for (id, _) in general.into_iter().chain(direct) {
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
    since_in(
        db,
        &sql::conversations_of(db, key)?,
        after,
        per_conversation,
    )
}

/// [`since`] among `conversations`.
fn since_in(
    db: &Connection,
    conversations: &Theirs,
    after: EventId,
    per_conversation: usize,
) -> rusqlite::Result<Backlog> {
    let last_id = sql::last_id(db)?;
    let mut backlog = Backlog {
        last_id,
        ..Backlog::default()
    };
    for (id, conversation) in conversations {
        let mut newest = newest_after(db, *id, after, per_conversation + 1)?;
        if newest.len() > per_conversation {
            newest.truncate(per_conversation);
            if let Some(oldest) = newest.last() {
                backlog.gaps.push((conversation.clone(), oldest.id));
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
    let Some(id) = sql::conversation_id(db, conversation, false)? else {
        return match conversation.visible_to(key) {
            Some(true) => Ok(Page::default()),
            _ => Err(StoreError::NoSuchConversation),
        };
    };
    if !visible(db, id, conversation, key)? {
        return Err(StoreError::NoSuchConversation);
    }
    let before = before.map_or(i64::MAX, |b| to_sql(b.0));
    let mut events: Vec<Event> = db
        .prepare_cached(&OLDER)?
        .query_map(params![id, before], sql::event_from_row)?
        .take(limit.saturating_add(1))
        .collect::<rusqlite::Result<_>>()?;
    let more = events.len() > limit;
    events.truncate(limit);
    events.reverse();
    let reactions = reactions::of(db, &events, None)?;
    Ok(Page {
        events,
        more,
        reactions,
    })
}

/// The direct messages to the user with `key` since their last session
/// ended (or ever, if they never had one): the newest `limit`, oldest
/// first, and whether older ones were left out.
pub(crate) fn missed_direct(
    db: &Connection,
    key: &str,
    limit: usize,
) -> rusqlite::Result<(Vec<Event>, bool)> {
    missed_direct_in(db, key, &sql::conversations_of(db, key)?, limit, EventId(0))
}

/// [`missed_direct`] among `conversations`, the user's, after the later
/// of the recorded end of their last session and `seen`.
fn missed_direct_in(
    db: &Connection,
    key: &str,
    conversations: &Theirs,
    limit: usize,
    seen: EventId,
) -> rusqlite::Result<(Vec<Event>, bool)> {
    let recorded: i64 = db
        .prepare_cached("SELECT last_seen FROM users WHERE key = ?1")?
        .query_row(params![key], |row| row.get(0))
        .optional()?
        .unwrap_or(0);
    let last_seen = recorded.max(sql::to_sql(seen.0));
    let mut events = Vec::new();
    for (id, conversation) in conversations {
        // Missed are the private ones: rooms are read when one comes back.
        if !matches!(
            conversation,
            Conversation::Direct(_) | Conversation::Group(_)
        ) {
            continue;
        }
        let rows = db
            .prepare_cached(&NEWER_FROM_OTHERS)?
            .query_map(params![*id, last_seen, key], sql::event_from_row)?
            .take(limit.saturating_add(1))
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
    read_positions_in(db, key, &sql::conversations_of(db, key)?)
}

/// [`read_positions`] in `conversations`, the user's.
fn read_positions_in(
    db: &Connection,
    key: &str,
    conversations: &Theirs,
) -> rusqlite::Result<Vec<(Conversation, EventId)>> {
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
    let mut conversations = sql::conversations_of(db, key)?;
    if request.scope == Scope::Classic {
        // What versions 1 and 2 know.
        conversations.retain(|(_, c)| matches!(c, Conversation::General | Conversation::Direct(_)));
    }
    match request.after {
        Some(after) => {
            let backlog = since_in(db, &conversations, after, request.latest)?;
            welcome.events = backlog.events;
            welcome.gaps = backlog.gaps;
        }
        None => welcome.events = latest_in(db, &conversations, request.latest)?,
    }
    if request.missed > 0 {
        let (missed, more) = missed_direct_in(
            db,
            key,
            &conversations,
            request.missed,
            request.last_seen.unwrap_or_default(),
        )?;
        welcome.missed_more = more;
        welcome.events.extend(missed);
        welcome.events.sort_by_key(|e| e.id);
        welcome.events.dedup_by_key(|e| e.id);
    }
    if request.scope == Scope::All {
        let ids: Vec<i64> = conversations.iter().map(|(id, _)| *id).collect();
        let changed = request.after.map(|after| (after, ids.as_slice()));
        welcome.reactions = reactions::of(db, &welcome.events, changed)?;
    }
    welcome.read = read_positions_in(db, key, &sql::conversations_of(db, key)?)?;
    welcome.last_id = sql::last_id(db)?;
    welcome.standings = standings(db, key, &welcome.read)?;
    welcome.first_session = welcome.read.is_empty()
        && db
            .prepare_cached("SELECT 1 FROM users WHERE key = ?1")?
            .query_row(params![key], |_| Ok(()))
            .optional()?
            .is_none();
    Ok(welcome)
}

/// Every conversation of the user with `key` (and the rooms they are
/// invited to), with their role and unread counts.
fn standings(
    db: &Connection,
    key: &str,
    read: &[(Conversation, EventId)],
) -> rusqlite::Result<Vec<Standing>> {
    let mut standings = Vec::new();
    let mut rooms = db.prepare_cached(
        "SELECT c.id, c.visibility, c.topic, m.role, c.name FROM members m \
         JOIN conversations c ON c.id = m.conversation \
         WHERE m.user_key = ?1 AND m.banned = 0 AND c.kind = 0",
    )?;
    let mut details = std::collections::HashMap::new();
    let mut invited = Vec::new();
    for row in rooms.query_map(params![key], |row| {
        let visibility = if row.get::<_, i64>(1)? == 1 {
            Visibility::Private
        } else {
            Visibility::Public
        };
        let role = sql::role_from_sql(row.get(3)?);
        Ok((
            row.get::<_, i64>(0)?,
            visibility,
            row.get::<_, String>(2)?,
            role,
            row.get::<_, String>(4)?,
        ))
    })? {
        let (id, visibility, topic, role, name) = row?;
        if role == Role::Invited {
            invited.push((id, Conversation::Room(name)));
        }
        details.insert(id, (visibility, topic, role));
    }
    let mut conversations = sql::conversations_of(db, key)?;
    // #general is everyone's, even before its first event.
    if !conversations
        .iter()
        .any(|(_, c)| *c == Conversation::General)
    {
        conversations.push((0, Conversation::General));
    }
    // Invitations are standings too, without events to count.
    conversations.extend(invited);
    for (id, conversation) in conversations {
        let position = read
            .iter()
            .find(|(c, _)| *c == conversation)
            .map_or(EventId(0), |(_, id)| *id);
        let (visibility, topic, role) = match (&conversation, details.get(&id)) {
            (Conversation::Room(_), Some((visibility, topic, role))) => {
                (Some(*visibility), topic.clone(), *role)
            }
            (Conversation::General, _) => (Some(Visibility::Public), String::new(), Role::Member),
            _ => (None, String::new(), Role::Member),
        };
        let (unread, mentions) = if role == Role::Invited {
            (0, 0)
        } else {
            counts(db, id, key, position)?
        };
        standings.push(Standing {
            conversation,
            visibility,
            role,
            topic,
            unread,
            mentions,
            read: position,
        });
    }
    standings.sort_by(|a, b| a.conversation.cmp(&b.conversation));
    Ok(standings)
}

/// Events by others after `after` in a conversation, and of those the
/// ones mentioning the user: each counted up to [`UNREAD_CAP`], from the
/// indexes alone.
fn counts(
    db: &Connection,
    conversation: i64,
    key: &str,
    after: EventId,
) -> rusqlite::Result<(u64, u64)> {
    let cap = usize::try_from(UNREAD_CAP).unwrap_or(usize::MAX);
    // Counted from the rows, at most the cap of them: a bound LIMIT would
    // make SQLite prepare the statement again at every run.
    let unread = db
        .prepare_cached(UNREAD_BY_OTHERS)?
        .query_map(params![conversation, to_sql(after.0), key], |_| Ok(()))?
        .take(cap)
        .count();
    let mentions = db
        .prepare_cached(
            "SELECT 1 FROM mentions WHERE user_key = ?1 AND conversation = ?2 AND event_id > ?3",
        )?
        .query_map(params![key, conversation, to_sql(after.0)], |_| Ok(()))?
        .take(cap)
        .count();
    Ok((unread as u64, mentions as u64))
}

/// The public rooms, and the private ones the user with `key` is in.
pub(crate) fn rooms(db: &Connection, key: &str) -> rusqlite::Result<Vec<RoomInfo>> {
    let mut statement = db.prepare_cached(
        "SELECT c.name, c.visibility, c.topic, \
         (SELECT count(*) FROM members m WHERE m.conversation = c.id AND m.role >= 1 AND m.banned = 0) \
         FROM conversations c WHERE c.kind = 0 AND c.name_key != 'general' AND (c.visibility = 0 \
         OR c.id IN (SELECT conversation FROM members WHERE user_key = ?1 AND role >= 1 AND banned = 0)) \
         ORDER BY c.name_key",
    )?;
    let rows = statement.query_map(params![key], |row| {
        Ok(RoomInfo {
            name: row.get(0)?,
            visibility: if row.get::<_, i64>(1)? == 1 {
                Visibility::Private
            } else {
                Visibility::Public
            },
            topic: row.get(2)?,
            members: from_sql(row.get(3)?),
        })
    })?;
    rows.collect()
}

/// A page of the members of a room or group the user with `key` is in,
/// in key order after `after` (a name, or empty).
pub(crate) fn members(
    db: &Connection,
    key: &str,
    conversation: &Conversation,
    after: &str,
    limit: usize,
) -> Result<(Vec<Member>, bool), StoreError> {
    let Some(id) = sql::conversation_id(db, conversation, false)? else {
        return Err(StoreError::NoSuchConversation);
    };
    if !visible(db, id, conversation, key)? {
        return Err(StoreError::NoSuchConversation);
    }
    let after = media_chat_protocol::rules::user_key(after);
    // The limit is taken from the rows, not bound: a bound LIMIT makes
    // SQLite prepare the statement again at every run.
    let mut rows: Vec<Member> = db
        .prepare_cached(
            "SELECT name, role FROM members WHERE conversation = ?1 AND role >= 1 AND banned = 0 \
             AND user_key > ?2 ORDER BY user_key",
        )?
        .query_map(params![id, after], |row| {
            Ok(Member {
                name: row.get(0)?,
                role: sql::role_from_sql(row.get(1)?),
            })
        })?
        .take(limit.saturating_add(1))
        .collect::<rusqlite::Result<_>>()?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    Ok((rows, more))
}

/// Every room (but `#general`) with its members and invitees, for the
/// server's fan-out.
pub(crate) fn memberships(db: &Connection) -> rusqlite::Result<Vec<RoomMembers>> {
    let mut rooms: Vec<RoomMembers> = db
        .prepare_cached(
            "SELECT id, name, visibility, topic FROM conversations \
             WHERE kind = 0 AND name_key != 'general'",
        )?
        .query_map([], |row| {
            Ok(RoomMembers {
                id: row.get(0)?,
                name: row.get(1)?,
                visibility: if row.get::<_, i64>(2)? == 1 {
                    Visibility::Private
                } else {
                    Visibility::Public
                },
                topic: row.get(3)?,
                members: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut statement =
        db.prepare_cached("SELECT name, role FROM members WHERE conversation = ?1 AND banned = 0")?;
    for room in &mut rooms {
        room.members = statement
            .query_map(params![room.id], |row| {
                Ok((row.get(0)?, sql::role_from_sql(row.get(1)?)))
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(rooms)
}

/// Whether the user with `key` may see the conversation with row `id`: a
/// room only as a member.
pub(crate) fn visible(
    db: &Connection,
    id: i64,
    conversation: &Conversation,
    key: &str,
) -> rusqlite::Result<bool> {
    match conversation.visible_to(key) {
        Some(visible) => Ok(visible),
        None => Ok(matches!(
            sql::member_row(db, id, key)?,
            Some((role, false)) if role >= media_chat_protocol::Role::Member
        )),
    }
}

/// The event `id`, if there is one and the user with `key` may see its
/// conversation (a room only as a member).
pub(crate) fn event(db: &Connection, key: &str, id: EventId) -> rusqlite::Result<Option<Event>> {
    let found = db
        .prepare_cached(&ONE)?
        .query_row(params![to_sql(id.0)], |row| {
            Ok((sql::event_from_row(row)?, row.get::<_, i64>(17)?))
        })
        .optional()?;
    Ok(match found {
        Some((event, conversation)) if visible(db, conversation, &event.conversation, key)? => {
            Some(event)
        }
        _ => None,
    })
}

/// Every recorded file of `conversation`.
pub(crate) fn files(
    db: &Connection,
    conversation: &Conversation,
) -> rusqlite::Result<Vec<FileMeta>> {
    match sql::conversation_id(db, conversation, false)? {
        Some(id) => sql::files(db, id),
        None => Ok(Vec::new()),
    }
}

/// The newest `limit` events of one conversation with an id above `after`,
/// newest first.
fn newest_after(
    db: &Connection,
    conversation: i64,
    after: EventId,
    limit: usize,
) -> rusqlite::Result<Vec<Event>> {
    db.prepare_cached(&NEWER)?
        .query_map(params![conversation, to_sql(after.0)], sql::event_from_row)?
        .take(limit)
        .collect()
}

// The queries of a conversation's events, newest first. None has a
// `LIMIT ?`: SQLite plans with the bound limit, so it prepares such a
// statement again each time the parameter is bound (10 % of a login's
// time), cached or not. The rows are taken from the iterator instead; the
// index `events_by_conversation (conversation, id)` yields them in order,
// so SQLite reads no further than the iterator takes. Reaction events
// (kinds 7 and 8, in the index too) are left out: pages and backlogs carry
// each message's reactions as they are now instead (see `reactions`).

/// A conversation's events before `?2`.
static OLDER: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {EVENT_COLUMNS} FROM {EVENT_JOIN} WHERE e.conversation = ?1 AND e.id < ?2 \
         AND e.kind NOT IN ({}, {}) ORDER BY e.id DESC",
        sql::REACTED,
        sql::UNREACTED
    )
});

/// The event `?1`, and its conversation's row id.
static ONE: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {EVENT_COLUMNS}, e.conversation FROM {EVENT_JOIN} WHERE e.id = ?1")
});

/// A conversation's events after `?2`.
static NEWER: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {EVENT_COLUMNS} FROM {EVENT_JOIN} WHERE e.conversation = ?1 AND e.id > ?2 \
         AND e.kind NOT IN ({}, {}) ORDER BY e.id DESC",
        sql::REACTED,
        sql::UNREACTED
    )
});

/// One row per event of conversation `?1` after `?2` not written by the
/// user `?3`: what an unread count counts, from the index alone. Edits and
/// deletes (and what a delete leaves) are not news.
const UNREAD_BY_OTHERS: &str = "SELECT 1 FROM events WHERE conversation = ?1 AND id > ?2 \
     AND author_key != ?3 AND kind < 4";

/// A conversation's events after `?2` not written by the user `?3`.
static NEWER_FROM_OTHERS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {EVENT_COLUMNS} FROM {EVENT_JOIN} WHERE e.conversation = ?1 AND e.id > ?2 \
         AND e.author_key != ?3 AND e.kind NOT IN ({}, {}) ORDER BY e.id DESC",
        sql::REACTED,
        sql::UNREACTED
    )
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{EventBody, Pair};

    const USERS: [&str; 3] = ["an", "binh", "cuong"];

    /// The room and every pair of [`USERS`] (each with itself too), 300
    /// events spread over them, `an`'s last session ending at id 150 and
    /// read positions for `binh`.
    fn database() -> Connection {
        let mut db = Connection::open_in_memory().unwrap();
        crate::schema::migrate(&mut db).unwrap();
        let mut conversations = vec![Conversation::General];
        for (i, a) in USERS.iter().enumerate() {
            for b in &USERS[i..] {
                conversations.push(Conversation::Direct(Pair::new(a, b)));
            }
        }
        let ids: Vec<i64> = conversations
            .iter()
            .map(|c| sql::conversation_id(&db, c, true).unwrap().unwrap())
            .collect();
        for n in 0..300usize {
            let c = n * 3 % conversations.len();
            let author = match &conversations[c] {
                Conversation::General => USERS[n % 3],
                Conversation::Direct(pair) if n % 2 == 0 => pair.names().0,
                Conversation::Direct(pair) => pair.names().1,
                Conversation::Room(_) | Conversation::Group(_) => USERS[0],
            };
            let body = EventBody::Text {
                text: format!("m{n}"),
            };
            sql::insert_event(&db, ids[c], n as u64, author, &body, None).unwrap();
        }
        db.execute("INSERT INTO users (key, last_seen) VALUES ('an', 150)", [])
            .unwrap();
        db.execute(
            "INSERT INTO read_positions (user_key, conversation, event_id) \
             VALUES ('binh', ?1, 120), ('binh', ?2, 40)",
            params![ids[0], ids[2]],
        )
        .unwrap();
        db
    }

    #[test]
    fn a_welcome_is_its_parts_read_together() {
        let db = database();
        for key in ["an", "binh", "cuong", "nobody"] {
            for after in [None, Some(0), Some(100), Some(290), Some(300)] {
                for missed in [0, 5, 50] {
                    let request = WelcomeRequest {
                        latest: 20,
                        after: after.map(EventId),
                        missed,
                        last_seen: None,
                        scope: Scope::All,
                    };
                    let got = welcome(&db, key, &request).unwrap();
                    let mut expected = Welcome::default();
                    match after {
                        Some(after) => {
                            let backlog = since(&db, key, EventId(after), 20).unwrap();
                            expected.events = backlog.events;
                            expected.gaps = backlog.gaps;
                        }
                        None => expected.events = latest(&db, key, 20).unwrap(),
                    }
                    if missed > 0 {
                        let (events, more) = missed_direct(&db, key, missed).unwrap();
                        expected.events.extend(events);
                        expected.events.sort_by_key(|e| e.id);
                        expected.events.dedup_by_key(|e| e.id);
                        expected.missed_more = more;
                    }
                    expected.read = read_positions(&db, key).unwrap();
                    expected.last_id = EventId(300);
                    expected.standings = got.standings.clone();
                    expected.first_session = got.first_session;
                    assert_eq!(got, expected, "{key} after {after:?}, {missed} missed");
                }
            }
        }
        // The data reaches every case: gaps, missed messages, positions.
        let binh = welcome(
            &db,
            "binh",
            &WelcomeRequest {
                latest: 20,
                after: Some(EventId(0)),
                missed: 0,
                last_seen: None,
                scope: Scope::All,
            },
        )
        .unwrap();
        assert!(!binh.gaps.is_empty());
        assert_eq!(binh.read.len(), 2);
        let an = welcome(
            &db,
            "an",
            &WelcomeRequest {
                latest: 20,
                after: None,
                missed: 5,
                last_seen: None,
                scope: Scope::All,
            },
        )
        .unwrap();
        assert!(an.missed_more);
    }

    #[test]
    fn reading_again_reuses_the_prepared_statements() {
        let db = database();
        for round in 0..3u64 {
            let before = Some(EventId(250 - round * 50));
            page(
                &db,
                "an",
                &Conversation::General,
                before,
                10 + round as usize,
            )
            .unwrap();
            since(&db, "binh", EventId(100 + round * 50), 5 + round as usize).unwrap();
            missed_direct(&db, "an", 3 + round as usize).unwrap();
        }
        for query in [&*OLDER, &*NEWER, &*NEWER_FROM_OTHERS] {
            let statement = db.prepare_cached(query).unwrap();
            let plan: Vec<String> = db
                .prepare(&format!("EXPLAIN QUERY PLAN {query}"))
                .unwrap()
                .query_map(
                    params![1, 1, "an"][..query.matches('?').count()].as_ref(),
                    |row| row.get(3),
                )
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(
                statement.get_status(rusqlite::StatementStatus::RePrepare),
                0,
                "{query}"
            );
            // In id order straight from the index: no sort, so taking the
            // first rows reads only those.
            assert!(
                plan.iter()
                    .any(|step| step.contains("USING INDEX events_by_conversation")),
                "{plan:?}"
            );
            assert!(
                !plan.iter().any(|step| step.contains("TEMP B-TREE")),
                "{plan:?}"
            );
        }
    }

    #[test]
    fn unread_counts_read_the_index_alone() {
        let db = database();
        let plan: Vec<String> = db
            .prepare(&format!("EXPLAIN QUERY PLAN {UNREAD_BY_OTHERS}"))
            .unwrap()
            .query_map(params![1, 1, "an"], |row| row.get(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(plan.len(), 1, "{plan:?}");
        assert!(
            plan[0]
                .contains("USING COVERING INDEX events_by_conversation (conversation=? AND id>?)"),
            "{plan:?}"
        );
    }

    #[test]
    fn readers_at_once_are_bounded_and_few_stay_open() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("test.db");
        let mut db = Connection::open(&path).unwrap();
        crate::schema::migrate(&mut db).unwrap();
        let readers = Readers::new(&path);
        let (now, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        std::thread::scope(|scope| {
            for _ in 0..3 * MAX_READERS {
                scope.spawn(|| {
                    for _ in 0..5 {
                        let id = readers
                            .with(|db| {
                                let at_once = now.fetch_add(1, Ordering::SeqCst) + 1;
                                most.fetch_max(at_once, Ordering::SeqCst);
                                // Hold the connection so that others queue.
                                std::thread::sleep(std::time::Duration::from_millis(2));
                                now.fetch_sub(1, Ordering::SeqCst);
                                sql::last_id(db)
                            })
                            .unwrap();
                        assert_eq!(id, EventId(0));
                    }
                });
            }
        });
        assert!(most.load(Ordering::SeqCst) <= MAX_READERS);
        let pool = readers.pool.lock();
        assert_eq!(pool.open, pool.idle.len());
        assert!(pool.idle.len() <= IDLE_READERS);
    }

    #[test]
    fn a_read_that_fails_leaves_its_connection_usable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("test.db");
        let mut db = Connection::open(&path).unwrap();
        crate::schema::migrate(&mut db).unwrap();
        let readers = Readers::new(&path);
        let failed = readers.with(|db| {
            db.query_row("SELECT nothing FROM nowhere", [], |row| {
                row.get::<_, i64>(0)
            })
        });
        assert!(failed.is_err());
        for _ in 0..3 {
            assert_eq!(readers.with(sql::last_id).unwrap(), EventId(0));
        }
        let pool = readers.pool.lock();
        assert_eq!((pool.idle.len(), pool.open), (1, 1));
        assert!(pool.idle[0].is_autocommit());
    }
}
