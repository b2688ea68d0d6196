//! The one-time import of a data dir from before the store: the first
//! start with a `message_history.txt` and no database reads every event of
//! the log into the database, and every file's metadata with it, so an
//! upgrade loses nothing. A line that cannot be read is counted and
//! skipped, never fatal.
//!
//! Edits and deletes are honoured: an `EDIT` or `DELETE` line names its
//! message by event id, which is the message's position among the log's
//! event lines (every event has one line, in id order), so deleted text
//! never comes back; a `FILE_DELETE` line of `#general` makes the earlier
//! shares of its file read as deleted, and forgets the file.
//!
//! Who missed which direct messages carries over too: the log's `LEAVE`
//! lines say when each user's last session ended, and the direct messages
//! after a user's last `LEAVE` are the ones they get at their next login
//! (the log's `DM_OFFLINE` lines are among them).

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use media_chat_protocol::rules::user_key;
use rusqlite::{Connection, TransactionBehavior, params};
use tracing::info;

use crate::StoreError;
use crate::chat_log::{self, ChatEvent};
use crate::sql::{self, to_sql};
use crate::types::{Conversation, EventBody, EventId, Pair};

/// Events per transaction while importing.
const BATCH: usize = 10_000;

/// Log a progress line every this many events.
const PROGRESS_EVERY: u64 = 100_000;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Events stored.
    pub events: u64,
    /// Distinct files whose metadata was recorded.
    pub files: u64,
    /// Lines skipped: unreadable, too long, or a torn last line.
    pub skipped: u64,
    /// How long it took, in milliseconds.
    pub millis: u64,
}

/// Imports the chat log at `log` into `db` (freshly created, empty).
pub(crate) fn import(db: &mut Connection, log: &Path) -> Result<ImportReport, StoreError> {
    let started = Instant::now();
    info!(path = %log.display(), "importing the chat log into the database");
    let mut importer = Importer {
        db,
        conversations: HashMap::new(),
        pending: Vec::new(),
        last_seen: HashMap::new(),
        last_id: EventId(0),
        report: ImportReport::default(),
        failure: None,
        logged: Vec::new(),
    };
    let skipped = chat_log::replay(log, |stamped| {
        if importer.failure.is_some() {
            return;
        }
        if stamped.event.is_event() {
            importer.logged.push(None);
        }
        let event = match stamped.event {
            ChatEvent::Text { from, text } => {
                Some((Conversation::General, from, EventBody::Text { text }))
            }
            ChatEvent::Dm { from, to, text, .. } => Some((
                Conversation::Direct(Pair::new(&from, &to)),
                from,
                EventBody::Text { text },
            )),
            ChatEvent::FileShared {
                user,
                name,
                size,
                sha256,
            } => Some((
                Conversation::General,
                user,
                EventBody::FileShared { name, size, sha256 },
            )),
            ChatEvent::Left { user } => {
                importer.flush_then(|importer| {
                    let last = importer.last_id;
                    importer.last_seen.insert(user_key(&user), last);
                });
                None
            }
            ChatEvent::Edit {
                by, target, text, ..
            } => {
                importer
                    .flush_then(|importer| importer.change(stamped.ts, &by, target, Some(&text)));
                None
            }
            ChatEvent::Delete { by, target, .. } => {
                importer.flush_then(|importer| importer.change(stamped.ts, &by, target, None));
                None
            }
            // Only #general's files come from a log without a database.
            ChatEvent::FileDelete {
                conversation,
                by,
                name,
            } if conversation == "#general" => {
                importer.flush_then(|importer| importer.delete_file(stamped.ts, &by, &name));
                None
            }
            // Rooms came with the database: a log that names them was
            // written beside one, and is never imported.
            ChatEvent::Joined { .. }
            | ChatEvent::InText { .. }
            | ChatEvent::InFile { .. }
            | ChatEvent::InMember { .. }
            | ChatEvent::InTopic { .. }
            | ChatEvent::FileDelete { .. }
            | ChatEvent::React { .. } => None,
        };
        if let Some(event) = event {
            let line = importer.logged.len();
            importer.pending.push((stamped.ts, line, event));
            if importer.pending.len() >= BATCH {
                importer.flush_then(|_| {});
            }
        }
    })
    .map_err(|source| StoreError::Io {
        path: log.to_path_buf(),
        source,
    })?;
    importer.flush_then(|_| {});
    if let Some(e) = importer.failure.take() {
        return Err(e);
    }
    importer.save_last_seen()?;
    let mut report = importer.report;
    report.files = crate::read::files(db, &Conversation::General)?.len() as u64;
    report.skipped += (skipped.unreadable + skipped.too_long + usize::from(skipped.torn)) as u64;
    report.millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    info!(
        events = report.events,
        files = report.files,
        skipped = report.skipped,
        millis = report.millis,
        "imported the chat log"
    );
    Ok(report)
}

/// An event to store: its time, its place among the log's event lines
/// (1 for the first), and what it is.
type Pending = (u64, usize, (Conversation, String, EventBody));

struct Importer<'a> {
    db: &'a mut Connection,
    conversations: HashMap<Conversation, i64>,
    pending: Vec<Pending>,
    last_seen: HashMap<String, EventId>,
    last_id: EventId,
    report: ImportReport,
    failure: Option<StoreError>,
    /// Per event line of the log, in order: the id it was stored with, if
    /// it was (the line's position is its id in the database that wrote
    /// the log).
    logged: Vec<Option<EventId>>,
}

impl Importer<'_> {
    /// Stores the pending events in one transaction, then runs `then`.
    fn flush_then(&mut self, then: impl FnOnce(&mut Self)) {
        if self.failure.is_none()
            && !self.pending.is_empty()
            && let Err(e) = self.flush()
        {
            self.failure = Some(e);
        }
        then(self);
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (ts, line, (conversation, author, body)) in self.pending.drain(..) {
            let id = match self.conversations.get(&conversation) {
                Some(&id) => id,
                None => {
                    let id = sql::conversation_id(&tx, &conversation, true)?
                        .ok_or(StoreError::NoSuchConversation)?;
                    self.conversations.insert(conversation, id);
                    id
                }
            };
            self.last_id = sql::insert_event(&tx, id, ts, &author, &body, None)?;
            if let Some(slot) = self.logged.get_mut(line.wrapping_sub(1)) {
                *slot = Some(self.last_id);
            }
            self.report.events += 1;
            if self.report.events.is_multiple_of(PROGRESS_EVERY) {
                info!(events = self.report.events, "importing the chat log");
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Applies an `EDIT` (with `text`) or a `DELETE` line by `by` of the
    /// message the log's `target`-th event line stored, if it was stored:
    /// the same change the writer makes, as the same `by`. Nothing is
    /// checked: the server checked it when it happened.
    fn change(&mut self, ts: u64, by: &str, target: u64, text: Option<&str>) {
        if self.failure.is_some() {
            return;
        }
        let stored = usize::try_from(target)
            .ok()
            .and_then(|target| self.logged.get(target.checked_sub(1)?).copied().flatten());
        let Some(id) = stored else {
            self.report.skipped += 1;
            return;
        };
        let line = self.logged.len();
        match crate::changes::replay(self.db, ts, by, id, text) {
            Ok(Some(change)) => {
                self.last_id = change;
                if let Some(slot) = self.logged.get_mut(line.wrapping_sub(1)) {
                    *slot = Some(change);
                }
                self.report.events += 1;
            }
            Ok(None) => self.report.skipped += 1,
            Err(e) => self.failure = Some(e.into()),
        }
    }

    /// Applies a `FILE_DELETE` line of `#general`'s file `name` by `by`:
    /// the delete the writer makes, unchecked.
    fn delete_file(&mut self, ts: u64, by: &str, name: &str) {
        if self.failure.is_some() {
            return;
        }
        let line = self.logged.len();
        match crate::file_deletes::replay(self.db, &Conversation::General, ts, by, name) {
            Ok(Some(delete)) => {
                self.last_id = delete;
                if let Some(slot) = self.logged.get_mut(line.wrapping_sub(1)) {
                    *slot = Some(delete);
                }
                self.report.events += 1;
            }
            Ok(None) => self.report.skipped += 1,
            Err(e) => self.failure = Some(e.into()),
        }
    }

    fn save_last_seen(&mut self) -> Result<(), StoreError> {
        let tx = self.db.transaction()?;
        for (key, id) in &self.last_seen {
            tx.execute(
                "INSERT INTO users (key, last_seen) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET last_seen = excluded.last_seen",
                params![key, to_sql(id.0)],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
