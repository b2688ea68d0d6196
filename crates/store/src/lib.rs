//! media-chat's durable store: every event with its id, file metadata, who
//! missed which direct messages, and read positions, in one SQLite database
//! (`media-chat.db` in the data dir, WAL mode), beside the human-readable
//! chat log `message_history.txt`.
//!
//! Storage only: no sockets. The server talks to it through [`Store`] and
//! the plain types of [`types`]; callers never see SQLite, so another
//! backend (PostgreSQL) can take its place behind the same methods.
//!
//! One writer thread commits whatever has been submitted in one
//! transaction (group commit) and then hands the committed events, in id
//! order, to the [`Sink`] the store was opened with, before it answers the
//! submitters that wait: nobody receives an event before it is committed,
//! and every session receives events in id order. A message need not wait
//! for its commit ([`Store::submit`]): the sink hears what became of it.
//! Reads run beside it, each on a pooled connection of its own.
//!
//! # Layout
//! - [`types`]: [`Event`], [`EventId`], [`Conversation`], [`FileMeta`], …
//! - `schema`: the migrations (`schema/*.sql`), applied at open.
//! - `writer`: the writer thread and its group commit.
//! - `reply`: the writer's answer to a caller that waits for it.
//! - `read`: the queries and the reader pool.
//! - `rooms`: room requests, checked and applied by the writer.
//! - `preferences`: [`Preference`], whom a user blocks, what they muted.
//! - `changes`: edits and deletes of messages, checked and applied by the
//!   writer.
//! - `file_deletes`: deletes of conversations' files, checked and
//!   applied by the writer.
//! - `reactions`: reactions toggled by the writer, and read back as they
//!   are now with pages and welcomes.
//! - `search`: full-text search over what a user may see ([`Search`]).
//! - `sql`: how conversations and events map to rows.
//! - `chat_log`: the `message_history.txt` line format and appender.
//! - `import`: the one-time import of an older data dir's chat log.
//! - `error`: [`StoreError`].

mod changes;
mod chat_log;
mod error;
mod file_deletes;
mod import;
mod index;
mod preferences;
mod reactions;
mod read;
mod reply;
mod rooms;
mod schema;
mod search;
mod sql;
pub mod types;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::Sender;
use parking_lot::Mutex;
use rusqlite::Connection;
use tracing::info;

pub use chat_log::unix_now;
pub use error::{RoomError, StoreError};
pub use import::ImportReport;
pub use preferences::Preference;
pub use search::{Found, Hit, MAX_RESULTS, Search};
pub use types::{
    Backlog, Committed, Conversation, Event, EventBody, EventId, FileMeta, Member, Members,
    MessageReactions, NewEvent, Page, Pair, RoomAction, RoomInfo, RoomMembers, RoomRequest, Scope,
    Standing, UNREAD_CAP, Welcome, WelcomeRequest,
};

use crate::read::Readers;
use crate::writer::Op;

/// The database's file name in the data dir.
pub const DB_FILE: &str = "media-chat.db";

/// The chat log's file name in the data dir.
pub const LOG_FILE: &str = "message_history.txt";

/// Page cache of the writer's connection, in KiB.
const WRITER_CACHE_KIB: i64 = 2048;

/// Most operations waiting for the writer. A submitter blocks while the
/// queue is full, so a client sending flat out is slowed to what the
/// writer commits instead of filling memory: a full queue is four batches,
/// at most 32 MiB of 8 KiB lines (about 0.6 MiB of 100-byte ones).
const MAX_QUEUED: usize = 4 * writer::MAX_BATCH;

/// How a store is opened: [`Options::default`], or a [`Durability`] alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// What survives a crash.
    pub durability: Durability,
    /// About the most bytes of events one batch hands to the [`Sink`] (the
    /// events' texts, names and authors, plus a line's worth of overhead
    /// each); a batch always holds at least one operation. A receiver's
    /// queue gets a whole batch at once, before anything of it is written
    /// out, so this must stay well below what that queue holds: with one
    /// message in flight per session, batches were small; with
    /// [`Store::submit`] one fast sender fills them. Default 256 KiB.
    pub batch_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            durability: Durability::default(),
            batch_bytes: 256 * 1024,
        }
    }
}

impl From<Durability> for Options {
    fn from(durability: Durability) -> Self {
        Options {
            durability,
            ..Options::default()
        }
    }
}

/// What survives a crash.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// Commits survive the server process being killed, not the machine
    /// losing power (SQLite's `synchronous=NORMAL` in WAL mode).
    #[default]
    Normal,
    /// Every batch is fsynced before anyone sees it: commits also survive
    /// power loss (`synchronous=FULL`).
    Full,
}

/// Receives every committed event, in id order, on the writer thread,
/// before the submitters that wait are answered. Fan-out lives here.
///
/// The events of one origin reach the sink in the order they were
/// submitted, committed or refused, so answers to a session keep the order
/// of its messages.
pub trait Sink: Send + 'static {
    /// `events` were committed, in this order. An event marked
    /// [`Committed::duplicate`] stored nothing new: its token had been
    /// stored already, and it is the earlier event (to acknowledge again,
    /// not to fan out).
    fn committed(&self, events: &[Committed]);

    /// An event submitted with [`Store::submit`] from `origin`, with
    /// `token`, was not stored, for `error` (the batch failed, or the
    /// author may not post in that room).
    fn refused(&self, origin: u64, token: Option<&str>, error: &StoreError);
}

/// A handle to the store. Cloning is shallow.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    /// Boxed, because a bounded channel allocates (and touches) all its
    /// slots up front: 16 bytes each instead of the 200 of an `Op`.
    ops: Sender<Box<Op>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    readers: Readers,
    /// How far the search index is behind the events.
    index: Arc<index::Progress>,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the store of the data dir `dir`. A data
    /// dir with a chat log and no database (one from before the store) is
    /// imported first: every event and every file's metadata.
    pub fn open(
        dir: &Path,
        options: impl Into<Options>,
        sink: Box<dyn Sink>,
    ) -> Result<(Store, Option<ImportReport>), StoreError> {
        let Options {
            durability,
            batch_bytes,
        } = options.into();
        let path = dir.join(DB_FILE);
        let log_path = dir.join(LOG_FILE);
        let fresh = !path.exists();
        let mut db = open_writer(&path, durability)?;
        schema::migrate(&mut db)?;
        let report = if fresh && log_path.exists() {
            Some(import::import(&mut db, &log_path)?)
        } else {
            None
        };
        let log = chat_log::LogWriter::open(&log_path).map_err(|source| StoreError::Io {
            path: log_path.clone(),
            source,
        })?;
        let progress = Arc::new(index::Progress::default());
        let indexer = index::Indexer::open(&db, Arc::clone(&progress))?;
        let (ops, receiver) = crossbeam_channel::bounded(MAX_QUEUED);
        let writer =
            writer::start(db, indexer, log, sink, receiver, batch_bytes).map_err(|source| {
                StoreError::Io {
                    path: path.clone(),
                    source,
                }
            })?;
        info!(path = %path.display(), "store open");
        Ok((
            Store {
                inner: Arc::new(Inner {
                    ops,
                    writer: Mutex::new(Some(writer)),
                    readers: Readers::new(&path),
                    index: progress,
                    path,
                }),
            },
            report,
        ))
    }

    /// Stores an event and waits until it is committed and handed to the
    /// sink. With a token the store already holds for that author, nothing
    /// new is stored: the earlier event comes back, marked duplicate (and
    /// reaches the sink so marked). A refusal comes back here, not to the
    /// sink.
    pub fn append(&self, event: NewEvent) -> Result<Committed, StoreError> {
        let (reply, answer) = reply::reply();
        self.queue(Op::Append {
            event,
            reply: Some(reply),
        })?;
        answer
            .wait()
            .ok_or_else(|| StoreError::Failed("the batch could not be committed".into()))?
    }

    /// Queues an event to store and returns without waiting for its
    /// commit (blocking only while the queue is full). The sink hears what
    /// became of it, in order among the other events of its origin:
    /// [`Sink::committed`], the earlier event marked duplicate for a token
    /// stored already, or [`Sink::refused`]. Fails only when the store is
    /// closed.
    pub fn submit(&self, event: NewEvent) -> Result<(), StoreError> {
        self.queue(Op::Append { event, reply: None })
    }

    /// Logs that a user's first session came online (a `JOIN` line).
    pub fn joined(&self, name: &str) -> Result<(), StoreError> {
        self.queue(Op::Joined {
            name: name.to_owned(),
        })
    }

    /// Logs that a user's last session ended (a `LEAVE` line); the direct
    /// messages after `last_seen` (the last event they were sent) count as
    /// missed until their next login.
    pub fn left(&self, name: &str, last_seen: EventId) -> Result<(), StoreError> {
        self.queue(Op::Left {
            name: name.to_owned(),
            last_seen,
        })
    }

    /// Records that `user` has read `conversation` up to `id` (a position
    /// only moves forward).
    pub fn mark_read(
        &self,
        user: &str,
        conversation: Conversation,
        id: EventId,
    ) -> Result<(), StoreError> {
        self.queue(Op::Read {
            user: user.to_owned(),
            conversation,
            id,
        })
    }

    /// Records a preference of `user` (a block, a mute); it holds once the
    /// writer has it, for reads after a [`Store::barrier`].
    pub fn set_preference(&self, user: &str, preference: Preference) -> Result<(), StoreError> {
        self.queue(Op::Preference {
            user: user.to_owned(),
            preference,
        })
    }

    /// Whom `viewer` (a user key) blocks, by registered name, and which of
    /// their conversations they muted.
    pub fn preferences(
        &self,
        viewer: &str,
    ) -> Result<(Vec<String>, Vec<Conversation>), StoreError> {
        self.inner.readers.with(|db| preferences::of(db, viewer))
    }

    /// Every block, as `(blocker's key, blocked's key)`.
    pub fn blocks(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.inner.readers.with(preferences::all_blocks)
    }

    /// Checks and applies a room request (see [`RoomAction`]), and waits
    /// until its events are committed and handed to the sink. A refusal is
    /// [`StoreError::Refused`], with the reason for people.
    pub fn room(&self, request: RoomRequest) -> Result<Vec<Committed>, StoreError> {
        let (reply, answer) = reply::reply();
        self.queue(Op::Room { request, reply })?;
        answer
            .wait()
            .ok_or_else(|| StoreError::Failed("the batch could not be committed".into()))?
    }

    /// Waits until everything submitted before is committed and the sink
    /// has heard of it (or of its refusal).
    pub fn barrier(&self) -> Result<(), StoreError> {
        let (reply, answer) = reply::reply();
        self.queue(Op::Barrier { reply })?;
        answer.wait().ok_or(StoreError::Closed)
    }

    /// Everything a login of `viewer` (a user key) needs, from one
    /// snapshot: see [`WelcomeRequest`].
    pub fn welcome(&self, viewer: &str, request: &WelcomeRequest) -> Result<Welcome, StoreError> {
        self.inner
            .readers
            .with(|db| read::welcome(db, viewer, request))
    }

    /// The newest `limit` events the user `viewer` (a user key) may see,
    /// oldest first.
    pub fn latest(&self, viewer: &str, limit: usize) -> Result<Vec<Event>, StoreError> {
        self.inner
            .readers
            .with(|db| read::latest(db, viewer, limit))
    }

    /// The events after `after` that `viewer` (a user key) may see, at most
    /// `per_conversation` per conversation (the newest), with the gaps.
    pub fn since(
        &self,
        viewer: &str,
        after: EventId,
        per_conversation: usize,
    ) -> Result<Backlog, StoreError> {
        self.inner
            .readers
            .with(|db| read::since(db, viewer, after, per_conversation))
    }

    /// Up to `limit` events of `conversation` before `before` (`None`: the
    /// newest), oldest first; refused if `viewer` (a user key) may not see
    /// it.
    pub fn page(
        &self,
        viewer: &str,
        conversation: &Conversation,
        before: Option<EventId>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        let mut outcome = None;
        self.inner.readers.with(|db| {
            outcome = Some(read::page(db, viewer, conversation, before, limit));
            Ok(())
        })?;
        outcome.unwrap_or(Err(StoreError::Closed))
    }

    /// The event `id` as it is now, if `viewer` (a user key) may see its
    /// conversation; `None` for an id that is no event, or one of a
    /// conversation they are not in.
    pub fn event(&self, viewer: &str, id: EventId) -> Result<Option<Event>, StoreError> {
        self.inner.readers.with(|db| read::event(db, viewer, id))
    }

    /// The direct messages to `viewer` (a user key) since their last
    /// session ended: the newest `limit`, oldest first, and whether older
    /// ones exist.
    pub fn missed_direct(
        &self,
        viewer: &str,
        limit: usize,
    ) -> Result<(Vec<Event>, bool), StoreError> {
        self.inner
            .readers
            .with(|db| read::missed_direct(db, viewer, limit))
    }

    /// Where `viewer` (a user key) has read up to, per conversation.
    pub fn read_positions(&self, viewer: &str) -> Result<Vec<(Conversation, EventId)>, StoreError> {
        self.inner
            .readers
            .with(|db| read::read_positions(db, viewer))
    }

    /// The public rooms, and the private ones `viewer` (a user key) is in.
    pub fn rooms(&self, viewer: &str) -> Result<Vec<RoomInfo>, StoreError> {
        self.inner.readers.with(|db| read::rooms(db, viewer))
    }

    /// A page of the members of a room or group `viewer` (a user key) is
    /// in, after the name `after` (empty: from the start), and whether more
    /// follow.
    pub fn members(
        &self,
        viewer: &str,
        conversation: &Conversation,
        after: &str,
        limit: usize,
    ) -> Result<(Vec<Member>, bool), StoreError> {
        let mut outcome = None;
        self.inner.readers.with(|db| {
            outcome = Some(read::members(db, viewer, conversation, after, limit));
            Ok(())
        })?;
        outcome.unwrap_or(Err(StoreError::Closed))
    }

    /// Every room with its members, for the server's fan-out at start-up.
    pub fn memberships(&self) -> Result<Vec<RoomMembers>, StoreError> {
        self.inner.readers.with(read::memberships)
    }

    /// The user keys of everyone the user with `key` shares a direct or a
    /// group conversation with: whose presence they follow (with the
    /// members of their rooms, which the server knows).
    pub fn partners(&self, key: &str) -> Result<Vec<String>, StoreError> {
        self.inner.readers.with(|db| sql::partners(db, key))
    }

    /// Every file recorded by a share in `conversation`, by name: what the
    /// server indexes its files with (who may see them is its business).
    pub fn files(&self, conversation: &Conversation) -> Result<Vec<FileMeta>, StoreError> {
        self.inner.readers.with(|db| read::files(db, conversation))
    }

    /// What every uploader's recorded files take, in bytes, by uploader's
    /// registered name (files put in place by hand have no uploader and
    /// are not counted): what the server's quotas start from.
    pub fn file_usage(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.inner.readers.with(sql::file_usage)
    }

    /// The messages and file shares `viewer` (a user key) may see that
    /// match `search`, best first; refused if it names a conversation they
    /// are not in.
    pub fn search(&self, viewer: &str, search: &Search) -> Result<Found, StoreError> {
        // The index follows the writer closely, not in its transaction:
        // what was committed before this search is indexed first.
        if self.inner.index.behind() {
            let (reply, answer) = reply::reply();
            self.queue(Op::Index { reply })?;
            answer.wait().ok_or(StoreError::Closed)?;
        }
        let mut outcome = None;
        self.inner.readers.with(|db| {
            outcome = Some(search::search(db, viewer, search));
            Ok(())
        })?;
        outcome.unwrap_or(Err(StoreError::Closed))
    }

    /// The highest event id stored.
    pub fn last_id(&self) -> Result<EventId, StoreError> {
        self.inner.readers.with(sql::last_id)
    }

    /// Writes a consistent copy of the database to `dest` (which must not
    /// exist), while the store keeps running (`VACUUM INTO`).
    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        backup(&self.inner.path, dest)
    }

    /// Commits what was submitted, checkpoints the WAL into the database,
    /// fsyncs the chat log and stops the writer. Later writes fail with
    /// [`StoreError::Closed`].
    pub fn close(&self) {
        let (reply, answer) = reply::reply();
        if self.queue(Op::Barrier { reply }).is_ok() {
            let _ = answer.wait();
        }
        if let Some(writer) = self.inner.writer.lock().take() {
            let _ = self.inner.ops.send(Box::new(Op::Shutdown));
            let _ = writer.join();
        }
    }

    fn queue(&self, op: Op) -> Result<(), StoreError> {
        if self.inner.writer.lock().is_none() {
            return Err(StoreError::Closed);
        }
        self.inner
            .ops
            .send(Box::new(op))
            .map_err(|_| StoreError::Closed)
    }
}

/// Copies the database at `source` (running or not) to `dest`.
pub fn backup(source: &Path, dest: &Path) -> Result<(), StoreError> {
    let db = Connection::open_with_flags(source, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    db.busy_timeout(Duration::from_secs(30))?;
    let dest = dest.to_str().ok_or_else(|| StoreError::Io {
        path: dest.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not UTF-8"),
    })?;
    db.execute("VACUUM INTO ?1", [dest])?;
    Ok(())
}

fn open_writer(path: &Path, durability: Durability) -> Result<Connection, StoreError> {
    let db = Connection::open(path)?;
    db.busy_timeout(Duration::from_secs(5))?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(
        None,
        "synchronous",
        match durability {
            Durability::Normal => "NORMAL",
            Durability::Full => "FULL",
        },
    )?;
    db.pragma_update(None, "foreign_keys", "ON")?;
    db.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
    Ok(db)
}
