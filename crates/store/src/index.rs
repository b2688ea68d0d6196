//! Keeping the search index right behind the writer.
//!
//! Indexing each message in the transaction that stored it made every
//! small batch flush a tiny FTS5 segment, and merging those cost more than
//! storing: flat out, the server managed a third of the deliveries it
//! managed without the index (docs/BENCHMARKS.md, set E). So the writer
//! commits and hands a batch to the sink first, and indexes what was
//! committed since the last time in a transaction of its own, on the same
//! thread (so nothing races an edit): when [`CHUNK`] events wait, when the
//! oldest has waited [`DELAY`], when the writer has nothing else to do
//! after a start with a backlog, and whenever a search asks
//! ([`crate::Store::search`]), so that a search never misses an event
//! committed before it was made.
//!
//! `search_progress.upto` is the last id the index has considered, so a
//! restart (or a crash) picks up where indexing stopped, and an import
//! leaves the whole log to it. Edits and deletes of events already indexed
//! reach the index by triggers in the writer's transaction
//! (`schema/0008_index_behind.sql`); an event not indexed yet is read as it
//! is when its turn comes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rusqlite::{Connection, TransactionBehavior, params};
use tracing::{error, info};

use crate::sql::{from_sql, to_sql};
use crate::types::EventId;

/// Most events one indexing transaction takes, and the backlog at which
/// indexing is due at once.
pub(crate) const CHUNK: u64 = 1024;

/// How long an event may wait for the index while the writer is busy.
pub(crate) const DELAY: Duration = Duration::from_millis(10);

/// How far the events and the index have got, shared by the writer and
/// the store's readers.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    committed: AtomicU64,
    indexed: AtomicU64,
}

impl Progress {
    /// Whether some committed event is not in the index yet.
    pub(crate) fn behind(&self) -> bool {
        self.indexed.load(Ordering::Acquire) < self.committed.load(Ordering::Acquire)
    }
}

/// The writer's side of the index.
pub(crate) struct Indexer {
    progress: Arc<Progress>,
    /// The last id considered (as `search_progress.upto`).
    upto: u64,
    /// The highest id committed.
    committed: u64,
    /// When the oldest event not indexed was committed.
    waiting_since: Option<Instant>,
}

impl Indexer {
    /// Reads where indexing stopped, and what is committed, from `db`.
    pub(crate) fn open(db: &Connection, progress: Arc<Progress>) -> rusqlite::Result<Indexer> {
        let (upto, committed): (i64, i64) = db.query_row(
            "SELECT (SELECT upto FROM search_progress), coalesce((SELECT max(id) FROM events), 0)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let (upto, committed) = (from_sql(upto), from_sql(committed));
        progress.indexed.store(upto, Ordering::Release);
        progress.committed.store(committed, Ordering::Release);
        if committed > upto {
            info!(
                events = committed - upto,
                "the search index has events to catch up on"
            );
        }
        Ok(Indexer {
            progress,
            upto,
            committed,
            waiting_since: (committed > upto).then(Instant::now),
        })
    }

    /// Events up to `last` are committed (called after each commit,
    /// before anyone hears of them).
    pub(crate) fn committed(&mut self, last: EventId) {
        if last.0 > self.committed {
            self.committed = last.0;
            self.progress.committed.store(last.0, Ordering::Release);
            self.waiting_since.get_or_insert_with(Instant::now);
        }
    }

    /// How long the writer may wait for work before indexing is due, or
    /// `None` when the index is complete.
    pub(crate) fn patience(&self) -> Option<Duration> {
        let since = self.waiting_since?;
        if self.committed - self.upto >= CHUNK {
            return Some(Duration::ZERO);
        }
        Some(DELAY.saturating_sub(since.elapsed()))
    }

    /// Whether indexing is due now.
    pub(crate) fn due(&self) -> bool {
        self.patience() == Some(Duration::ZERO)
    }

    /// Indexes the next [`CHUNK`] of events at most.
    pub(crate) fn index_some(&mut self, db: &mut Connection) {
        if self.upto >= self.committed {
            self.waiting_since = None;
            return;
        }
        let end = self.committed.min(self.upto + CHUNK);
        match index_range(db, self.upto, end) {
            Ok(()) => {
                self.upto = end;
                self.progress.indexed.store(end, Ordering::Release);
                self.waiting_since = (self.upto < self.committed).then(Instant::now);
            }
            Err(e) => {
                // Tried again after the delay; the events stay stored.
                error!(error = %e, "could not add events to the search index");
                self.waiting_since = Some(Instant::now());
            }
        }
    }

    /// Indexes everything committed (a search waits for it).
    pub(crate) fn catch_up(&mut self, db: &mut Connection) {
        while self.upto < self.committed {
            let before = self.upto;
            self.index_some(db);
            if self.upto == before {
                return;
            }
        }
    }
}

/// Adds the messages and file shares with ids in `(after, end]` to the
/// index, in one transaction that also records `end` as considered.
fn index_range(db: &mut Connection, after: u64, end: u64) -> rusqlite::Result<()> {
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.prepare_cached(
        "INSERT INTO search_index (rowid, body, author) \
         SELECT id, media_chat_fold(CASE kind WHEN 1 THEN file_name ELSE text END), \
         hex(author_key) \
         FROM events WHERE id > ?1 AND id <= ?2 AND kind IN (0, 1) \
         AND coalesce(text, file_name) IS NOT NULL",
    )?
    .execute(params![to_sql(after), to_sql(end)])?;
    tx.prepare_cached("UPDATE search_progress SET upto = ?1")?
        .execute([to_sql(end)])?;
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema;
    use crate::sql;
    use crate::types::{Conversation, EventBody};

    fn database() -> Connection {
        let mut db = Connection::open_in_memory().unwrap();
        schema::migrate(&mut db).unwrap();
        db
    }

    fn post(db: &Connection, text: &str) -> EventId {
        let general = sql::conversation_id(db, &Conversation::General, true)
            .unwrap()
            .unwrap();
        let body = EventBody::Text { text: text.into() };
        sql::insert_event(db, general, 1_764_072_000, "an", &body, None).unwrap()
    }

    fn found(db: &Connection, word: &str) -> Vec<i64> {
        let mut statement = db
            .prepare("SELECT rowid FROM search_index WHERE search_index MATCH ?1 ORDER BY rowid")
            .unwrap();
        statement
            .query_map([word], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn indexer(db: &Connection) -> (Indexer, Arc<Progress>) {
        let progress = Arc::new(Progress::default());
        (Indexer::open(db, Arc::clone(&progress)).unwrap(), progress)
    }

    #[test]
    fn committed_events_wait_for_the_index_and_a_catch_up_adds_them_all() {
        let mut db = database();
        let (mut indexer, progress) = indexer(&db);
        assert_eq!(indexer.patience(), None);
        let first = post(&db, "chào cả lớp");
        let second = post(&db, "Chào Đăng");
        indexer.committed(second);
        assert!(progress.behind());
        assert!(found(&db, "chao").is_empty());
        assert!(indexer.patience().is_some());
        indexer.catch_up(&mut db);
        assert!(!progress.behind());
        assert_eq!(found(&db, "chao"), [first.0 as i64, second.0 as i64]);
        assert_eq!(indexer.patience(), None);
    }

    #[test]
    fn a_backlog_of_a_chunk_is_due_at_once_and_indexed_a_chunk_at_a_time() {
        let mut db = database();
        let (mut indexer, _) = indexer(&db);
        let mut last = EventId(0);
        for n in 0..CHUNK + 5 {
            last = post(&db, &format!("bài {n}"));
        }
        indexer.committed(last);
        assert!(indexer.due());
        indexer.index_some(&mut db);
        assert_eq!(found(&db, "bai").len() as u64, CHUNK);
        assert!(!indexer.due(), "five events wait for the delay");
        indexer.catch_up(&mut db);
        assert_eq!(found(&db, "bai").len() as u64, CHUNK + 5);
    }

    /// Edits `edited` ("hẹn thứ hai" → "hẹn thứ ba") and deletes `deleted`,
    /// as `changes` does.
    fn edit_and_delete(db: &Connection, edited: EventId, deleted: EventId) {
        db.execute(
            "UPDATE events SET text = 'hẹn thứ ba' WHERE id = ?1",
            [edited.0 as i64],
        )
        .unwrap();
        db.execute(
            "UPDATE events SET kind = ?1, text = NULL WHERE id = ?2",
            [sql::DELETED, deleted.0 as i64],
        )
        .unwrap();
    }

    /// The index holds the edited text only, and nothing of the deleted.
    fn assert_edited_and_deleted(db: &Connection, edited: EventId) {
        assert!(found(db, "hai").is_empty());
        assert_eq!(found(db, "ba"), [edited.0 as i64]);
        assert!(found(db, "khau").is_empty());
    }

    #[test]
    fn an_edit_or_delete_before_indexing_is_indexed_as_the_event_is_by_then() {
        let mut db = database();
        let (mut indexer, _) = indexer(&db);
        let edited = post(&db, "hẹn thứ hai");
        let deleted = post(&db, "mật khẩu là cá");
        edit_and_delete(&db, edited, deleted);
        indexer.committed(deleted);
        indexer.catch_up(&mut db);
        assert_edited_and_deleted(&db, edited);
    }

    #[test]
    fn an_edit_or_delete_after_indexing_changes_the_index() {
        let mut db = database();
        let (mut indexer, _) = indexer(&db);
        let edited = post(&db, "hẹn thứ hai");
        let deleted = post(&db, "mật khẩu là cá");
        indexer.committed(deleted);
        indexer.catch_up(&mut db);
        assert_eq!(found(&db, "khau"), [deleted.0 as i64]);
        edit_and_delete(&db, edited, deleted);
        assert_edited_and_deleted(&db, edited);
    }

    #[test]
    fn a_new_indexer_starts_where_the_last_one_stopped() {
        let mut db = database();
        let (mut indexer, _) = indexer(&db);
        let first = post(&db, "một");
        indexer.committed(first);
        indexer.catch_up(&mut db);
        // Stopped before indexing this one (a crash).
        let second = post(&db, "hai");
        let (mut again, progress) = self::indexer(&db);
        assert!(progress.behind());
        again.catch_up(&mut db);
        assert_eq!(found(&db, "mot"), [first.0 as i64]);
        assert_eq!(found(&db, "hai"), [second.0 as i64]);
    }
}
