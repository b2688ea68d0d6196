//! The one writer thread: it takes whatever has been submitted, commits it
//! in one transaction (group commit), appends the log lines, hands the
//! committed events to the [`Sink`] in id order, and only then answers
//! the submitters that wait. So nobody sees an event before it is
//! committed, every session sees events in id order, and no caller's lock
//! is held while the disk works.
//!
//! An event submitted without waiting ([`crate::Store::submit`]) is
//! answered through the sink alone: committed (or, for a token stored
//! already, the earlier event marked duplicate) or refused, in the order
//! it was submitted among the others.

use std::collections::HashMap;
use std::ops::Range;
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, RecvTimeoutError};
use media_chat_protocol::rules::user_key;
use rusqlite::{Connection, TransactionBehavior, params};
use tracing::{error, info};

use crate::chat_log::{ChatEvent, LogWriter, Stamped, unix_now};
use crate::error::RoomError;
use crate::index::Indexer;
use crate::reply::Reply;
use crate::rooms;
use crate::sql::{self, to_sql};
use crate::types::{
    Committed, Conversation, Event, EventBody, EventId, NewEvent, RoomAction, RoomRequest,
};
use crate::{Sink, StoreError};

/// Most operations in one transaction: a bound on the latency one batch
/// adds, far above what a busy room submits between two commits.
pub(crate) const MAX_BATCH: usize = 1024;

/// What an event's line costs a receiver's queue beyond its text, names
/// and author: the verb, the id, the time stamp, the separators.
const LINE_OVERHEAD: usize = 64;

/// What the writer thread is asked to do.
pub(crate) enum Op {
    /// Store an event; answer the reply if there is one, else tell the
    /// sink what became of it.
    Append {
        event: NewEvent,
        reply: Option<Reply<Result<Committed, StoreError>>>,
    },
    /// A user's first session came online: a `JOIN` line in the log.
    Joined { name: String },
    /// A user's last session ended: a `LEAVE` line, and the direct
    /// messages after `last_seen` count as missed.
    Left { name: String, last_seen: EventId },
    /// A user has read a conversation up to an id.
    Read {
        user: String,
        conversation: Conversation,
        id: EventId,
    },
    /// A user changed a preference (a block, a mute).
    Preference {
        user: String,
        preference: crate::preferences::Preference,
    },
    /// Check and apply a room request; answer with its events.
    Room {
        request: RoomRequest,
        reply: Reply<Result<Vec<Committed>, StoreError>>,
    },
    /// Answer once everything submitted before is committed (and handed
    /// to the sink, or refused).
    Barrier { reply: Reply<()> },
    /// Answer once everything committed before is in the search index.
    Index { reply: Reply<()> },
    /// Commit what came before, then stop.
    Shutdown,
}

impl Op {
    /// About how many bytes the events of this operation put in one
    /// receiver's queue.
    fn fan_out_bytes(&self) -> usize {
        match self {
            Op::Append { event, .. } => {
                let body = match &event.body {
                    EventBody::Text { text }
                    | EventBody::Reply { text, .. }
                    | EventBody::Topic { text }
                    | EventBody::Edited { text, .. }
                    | EventBody::Edit { text, .. } => text.len(),
                    EventBody::FileShared { name, .. } | EventBody::FileDelete { name } => {
                        name.len()
                    }
                    EventBody::React { reaction, .. } => reaction.len(),
                    EventBody::Member { user, .. } => user.len(),
                    EventBody::Deleted
                    | EventBody::Delete { .. }
                    | EventBody::FileDeleted { .. } => 0,
                };
                LINE_OVERHEAD + event.author.len() + body
            }
            // A room request's few events: a member change, a topic.
            Op::Room { .. } => 4 * LINE_OVERHEAD,
            Op::Joined { .. }
            | Op::Left { .. }
            | Op::Read { .. }
            | Op::Preference { .. }
            | Op::Barrier { .. }
            | Op::Index { .. }
            | Op::Shutdown => 0,
        }
    }
}

/// What one operation produced, to finish once the batch is committed.
enum Done {
    Event {
        committed: Box<Committed>,
        reply: Option<Reply<Result<Committed, StoreError>>>,
        log: Option<Stamped>,
    },
    /// An event that was not stored, because its author may not post there.
    Refused {
        origin: u64,
        token: Option<String>,
        refusal: RoomError,
        reply: Option<Reply<Result<Committed, StoreError>>>,
    },
    Log(Stamped),
    Room {
        outcome: Result<Vec<Committed>, RoomError>,
        reply: Reply<Result<Vec<Committed>, StoreError>>,
    },
    Barrier(Reply<()>),
    Index(Reply<()>),
    Nothing,
    /// An operation of a failed batch that was never applied.
    Unapplied(Op),
}

/// Who waits for the outcome of a failed batch.
enum Waiting {
    Event(Reply<Result<Committed, StoreError>>),
    Room(Reply<Result<Vec<Committed>, StoreError>>),
    Barrier(Reply<()>),
}

/// An answer due once the sink has had a batch's events.
enum Due {
    /// The event at this index of the batch's events.
    Event(Reply<Result<Committed, StoreError>>, usize),
    Refused(Reply<Result<Committed, StoreError>>, RoomError),
    /// The events in this range, or the refusal.
    Room(
        Reply<Result<Vec<Committed>, StoreError>>,
        Result<Range<usize>, RoomError>,
    ),
    Barrier(Reply<()>),
    /// Answered once the index has caught up.
    Index(Reply<()>),
}

/// Why a batch failed, with the operation that failed (none when the
/// batch failed at `BEGIN` or `COMMIT`), given back whole so that its
/// submitter hears of it.
struct Failed {
    error: StoreError,
    op: Option<Op>,
}

impl Failed {
    fn batch(error: rusqlite::Error) -> Box<Failed> {
        Box::new(Failed {
            error: error.into(),
            op: None,
        })
    }

    fn of(error: StoreError, op: Op) -> Box<Failed> {
        Box::new(Failed {
            error,
            op: Some(op),
        })
    }
}

/// What an append found inside the transaction.
enum Appended {
    /// A new event with this id and time.
    Stored(EventId, u64),
    /// The token was stored already: this is the earlier event.
    Duplicate(Event),
    /// Not stored: the author may not post there.
    NotAllowed(RoomError),
}

/// Starts the writer thread on `db`, keeping the search index behind it
/// with `indexer`.
pub(crate) fn start(
    db: Connection,
    indexer: Indexer,
    log: LogWriter,
    sink: Box<dyn Sink>,
    ops: Receiver<Box<Op>>,
    batch_bytes: usize,
) -> std::io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name("store-writer".into())
        .spawn(move || {
            let mut writer = Writer {
                db,
                indexer,
                log,
                sink,
                conversations: HashMap::new(),
                batch_bytes,
            };
            writer.run(&ops);
        })
}

struct Writer {
    db: Connection,
    indexer: Indexer,
    log: LogWriter,
    sink: Box<dyn Sink>,
    /// Row ids of conversations already looked up or created.
    conversations: HashMap<Conversation, i64>,
    /// About the most bytes of events one batch hands to the sink (see
    /// [`crate::Options::batch_bytes`]).
    batch_bytes: usize,
}

impl Writer {
    fn run(&mut self, ops: &Receiver<Box<Op>>) {
        let mut stopping = false;
        // An operation taken from the queue that did not fit the batch
        // before: it opens the next one.
        let mut carried = None;
        while !stopping {
            let Some(first) = carried.take().or_else(|| self.next(ops)) else {
                break;
            };
            let mut batch = Vec::new();
            let mut bytes = 0;
            let mut next = Some(first);
            while let Some(op) = next.take() {
                if matches!(*op, Op::Shutdown) {
                    stopping = true;
                    break;
                }
                let size = op.fan_out_bytes();
                if !batch.is_empty() && bytes + size > self.batch_bytes {
                    carried = Some(op);
                    break;
                }
                bytes += size;
                batch.push(*op);
                if batch.len() < MAX_BATCH {
                    next = ops.try_recv().ok();
                }
            }
            if !batch.is_empty() {
                self.commit(batch);
            }
            if self.indexer.due() {
                self.indexer.index_some(&mut self.db);
            }
        }
        self.indexer.catch_up(&mut self.db);
        self.log.sync();
        // `optimize` first: it may write (fresh statistics), and whatever it
        // writes must go into the database too, not wait in the WAL for the
        // next start to recover.
        if let Err(e) = self
            .db
            .execute_batch("PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE);")
        {
            error!(error = %e, "could not checkpoint the database at shutdown");
        }
        info!("store closed");
    }

    /// The next operation, indexing while there is none and indexing is
    /// due; `None` once every sender is gone.
    fn next(&mut self, ops: &Receiver<Box<Op>>) -> Option<Box<Op>> {
        loop {
            let Some(patience) = self.indexer.patience() else {
                return ops.recv().ok();
            };
            match ops.recv_timeout(patience) {
                Ok(op) => return Some(op),
                Err(RecvTimeoutError::Timeout) => self.indexer.index_some(&mut self.db),
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    fn commit(&mut self, batch: Vec<Op>) {
        let mut done = Vec::with_capacity(batch.len());
        let mut ops = batch.into_iter();
        let outcome = (|| -> Result<(), Box<Failed>> {
            let tx = self
                .db
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(Failed::batch)?;
            for op in ops.by_ref() {
                done.push(apply(&tx, &mut self.conversations, op)?);
            }
            tx.commit().map_err(Failed::batch)
        })();
        match outcome {
            Ok(()) => self.finish(done),
            Err(failed) => {
                let Failed { error, op } = *failed;
                error!(error = %error, "a batch could not be committed; its events are refused");
                // The cache may name conversations the rollback removed.
                self.conversations.clear();
                // Everything of the batch, in the order submitted: what was
                // applied, the operation that failed, and the ones after it
                // that were never tried.
                let unfinished = op.into_iter().chain(ops).map(Done::Unapplied);
                self.refuse(done.into_iter().chain(unfinished), &error);
            }
        }
    }

    /// After a commit: the log lines, then the sink in commit order, then
    /// the submitters who wait.
    fn finish(&mut self, done: Vec<Done>) {
        for item in &done {
            match item {
                Done::Event {
                    log: Some(line), ..
                }
                | Done::Log(line) => self.log.append(line),
                Done::Room {
                    outcome: Ok(events),
                    ..
                } => {
                    for event in events {
                        self.log.append(&log_line(&event.event));
                    }
                }
                _ => {}
            }
        }
        self.log.flush();
        let last = done.iter().filter_map(|item| match item {
            Done::Event { committed, .. } if !committed.duplicate => Some(committed.event.id),
            Done::Room {
                outcome: Ok(events),
                ..
            } => events.last().map(|c| c.event.id),
            _ => None,
        });
        if let Some(last) = last.max() {
            self.indexer.committed(last);
        }
        let mut events: Vec<Committed> = Vec::new();
        // `events[..handed]` are with the sink already.
        let mut handed = 0;
        let mut due = Vec::new();
        for item in done {
            match item {
                Done::Event {
                    committed, reply, ..
                } => {
                    if let Some(reply) = reply {
                        due.push(Due::Event(reply, events.len()));
                    }
                    events.push(*committed);
                }
                Done::Refused {
                    origin,
                    token,
                    refusal,
                    reply,
                } => match reply {
                    Some(reply) => due.push(Due::Refused(reply, refusal)),
                    None => {
                        // What was committed before it is answered first,
                        // so a session's answers keep its order.
                        self.hand_over(&events[handed..]);
                        handed = events.len();
                        let error = StoreError::Refused(refusal);
                        self.sink.refused(origin, token.as_deref(), &error);
                    }
                },
                Done::Room { outcome, reply } => {
                    let start = events.len();
                    let outcome = outcome.map(|stored| {
                        events.extend(stored);
                        start..events.len()
                    });
                    due.push(Due::Room(reply, outcome));
                }
                Done::Barrier(reply) => due.push(Due::Barrier(reply)),
                Done::Index(reply) => due.push(Due::Index(reply)),
                Done::Log(_) | Done::Nothing | Done::Unapplied(_) => {}
            }
        }
        self.hand_over(&events[handed..]);
        for answer in due {
            match answer {
                Due::Event(reply, index) => reply.send(Ok(events[index].clone())),
                Due::Refused(reply, refusal) => reply.send(Err(StoreError::Refused(refusal))),
                Due::Room(reply, outcome) => reply.send(
                    outcome
                        .map(|range| events[range].to_vec())
                        .map_err(StoreError::Refused),
                ),
                Due::Barrier(reply) => reply.send(()),
                Due::Index(reply) => {
                    self.indexer.catch_up(&mut self.db);
                    reply.send(());
                }
            }
        }
    }

    fn hand_over(&self, events: &[Committed]) {
        if !events.is_empty() {
            self.sink.committed(events);
        }
    }

    /// Answers every operation of a batch that could not be committed, in
    /// order: the sink hears of the events submitted without waiting
    /// before anyone waiting is answered.
    fn refuse(&self, items: impl Iterator<Item = Done>, error: &StoreError) {
        let failed = || StoreError::Failed(error.to_string());
        let mut waiting = Vec::new();
        for item in items {
            let (origin, token, reply) = match item {
                Done::Event {
                    committed, reply, ..
                } => (committed.origin, committed.token, reply),
                Done::Refused {
                    origin,
                    token,
                    reply,
                    ..
                } => (origin, token, reply),
                Done::Unapplied(Op::Append { event, reply }) => (event.origin, event.token, reply),
                Done::Room { reply, .. } | Done::Unapplied(Op::Room { reply, .. }) => {
                    waiting.push(Waiting::Room(reply));
                    continue;
                }
                Done::Barrier(reply)
                | Done::Unapplied(Op::Barrier { reply })
                | Done::Index(reply)
                | Done::Unapplied(Op::Index { reply }) => {
                    waiting.push(Waiting::Barrier(reply));
                    continue;
                }
                Done::Log(_) | Done::Nothing | Done::Unapplied(_) => continue,
            };
            match reply {
                Some(reply) => waiting.push(Waiting::Event(reply)),
                None => self.sink.refused(origin, token.as_deref(), &failed()),
            }
        }
        for item in waiting {
            match item {
                Waiting::Event(reply) => reply.send(Err(failed())),
                Waiting::Room(reply) => reply.send(Err(failed())),
                Waiting::Barrier(reply) => reply.send(()),
            }
        }
    }
}

/// Applies one operation inside the batch's transaction.
fn apply(
    tx: &Connection,
    conversations: &mut HashMap<Conversation, i64>,
    op: Op,
) -> Result<Done, Box<Failed>> {
    Ok(match op {
        Op::Append { event, reply } => match append(tx, conversations, &event) {
            Err(error) => return Err(Failed::of(error, Op::Append { event, reply })),
            Ok(Appended::Duplicate(earlier)) => Done::Event {
                committed: Box::new(Committed {
                    event: earlier,
                    token: event.token,
                    origin: event.origin,
                    duplicate: true,
                    created: None,
                }),
                reply,
                log: None,
            },
            Ok(Appended::NotAllowed(refusal)) => Done::Refused {
                origin: event.origin,
                token: event.token,
                refusal,
                reply,
            },
            Ok(Appended::Stored(id, ts)) => {
                let stored = Event {
                    id,
                    ts,
                    conversation: event.conversation,
                    author: event.author,
                    body: event.body,
                };
                let log = log_line(&stored);
                Done::Event {
                    committed: Box::new(Committed {
                        event: stored,
                        token: event.token,
                        origin: event.origin,
                        duplicate: false,
                        created: None,
                    }),
                    reply,
                    log: Some(log),
                }
            }
        },
        Op::Joined { name } => Done::Log(Stamped {
            ts: unix_now(),
            event: ChatEvent::Joined { user: name },
        }),
        Op::Left { name, last_seen } => match record_left(tx, &name, last_seen) {
            Err(error) => return Err(Failed::of(error, Op::Left { name, last_seen })),
            Ok(()) => Done::Log(Stamped {
                ts: unix_now(),
                event: ChatEvent::Left { user: name },
            }),
        },
        Op::Read {
            user,
            conversation,
            id,
        } => match record_read(tx, &user, &conversation, id) {
            Err(error) => {
                let op = Op::Read {
                    user,
                    conversation,
                    id,
                };
                return Err(Failed::of(error, op));
            }
            Ok(()) => Done::Nothing,
        },
        Op::Preference { user, preference } => {
            match crate::preferences::record(tx, &user_key(&user), &preference) {
                Err(error) => {
                    return Err(Failed::of(
                        error.into(),
                        Op::Preference { user, preference },
                    ));
                }
                Ok(()) => Done::Nothing,
            }
        }
        Op::Room { request, reply } => match rooms::apply(tx, &request) {
            Err(error) => return Err(Failed::of(error.into(), Op::Room { request, reply })),
            Ok(applied) => {
                let created = match &request.action {
                    RoomAction::Create { visibility, .. } => Some(*visibility),
                    _ => None,
                };
                let outcome = match applied {
                    rooms::Applied::Done(events) => Ok(events
                        .into_iter()
                        .enumerate()
                        .map(|(n, event)| Committed {
                            event,
                            token: None,
                            origin: request.origin,
                            duplicate: false,
                            created: created.filter(|_| n == 0),
                        })
                        .collect()),
                    rooms::Applied::Refused(refusal) => Err(refusal),
                };
                Done::Room { outcome, reply }
            }
        },
        Op::Barrier { reply } => Done::Barrier(reply),
        Op::Index { reply } => Done::Index(reply),
        Op::Shutdown => Done::Nothing,
    })
}

/// Stores `event`, unless its token was stored already or its author may
/// not post in its room.
fn append(
    tx: &Connection,
    conversations: &mut HashMap<Conversation, i64>,
    event: &NewEvent,
) -> Result<Appended, StoreError> {
    if let Some(token) = &event.token
        && let Some(earlier) = sql::event_by_token(tx, &event.author, token)?
    {
        return Ok(Appended::Duplicate(earlier));
    }
    // Only a member posts in a room (a removal may have just been
    // committed).
    if let Conversation::Room(name) = &event.conversation
        && !rooms::is_member(tx, name, &event.author)?
    {
        return Ok(Appended::NotAllowed(RoomError::NoSuchRoom(name.clone())));
    }
    let conversation = match conversations.get(&event.conversation) {
        Some(&id) => id,
        None => {
            let id = sql::conversation_id(tx, &event.conversation, true)?
                .ok_or(StoreError::NoSuchConversation)?;
            conversations.insert(event.conversation.clone(), id);
            id
        }
    };
    let ts = unix_now();
    let id = sql::insert_event(
        tx,
        conversation,
        ts,
        &event.author,
        &event.body,
        event.token.as_deref(),
    )?;
    if let EventBody::Text { text } | EventBody::Reply { text, .. } = &event.body
        && !matches!(event.conversation, Conversation::Direct(_))
    {
        sql::record_mentions(tx, conversation, id, text, &event.also_mentions)?;
    }
    Ok(Appended::Stored(id, ts))
}

/// The direct messages to `name` after `last_seen` count as missed.
fn record_left(tx: &Connection, name: &str, last_seen: EventId) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO users (key, last_seen) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET last_seen = excluded.last_seen",
    )?
    .execute(params![user_key(name), to_sql(last_seen.0)])?;
    Ok(())
}

/// `user` has read `conversation` up to `id` (a position only moves
/// forward).
fn record_read(
    tx: &Connection,
    user: &str,
    conversation: &Conversation,
    id: EventId,
) -> Result<(), StoreError> {
    if let Some(conversation) = sql::conversation_id(tx, conversation, false)? {
        tx.prepare_cached(
            "INSERT INTO read_positions (user_key, conversation, event_id) \
             VALUES (?1, ?2, ?3) ON CONFLICT (user_key, conversation) \
             DO UPDATE SET event_id = max(event_id, excluded.event_id)",
        )?
        .execute(params![user_key(user), conversation, to_sql(id.0)])?;
    }
    Ok(())
}

/// The log line of a stored event.
fn log_line(event: &crate::types::Event) -> Stamped {
    let author = event.author.clone();
    let event_kind = match (&event.conversation, &event.body) {
        // A reply reads as the message it is: the log has no replies.
        (Conversation::Direct(pair), EventBody::Text { text } | EventBody::Reply { text, .. }) => {
            ChatEvent::Dm {
                from: author,
                to: pair.other(&user_key(&event.author)).to_owned(),
                text: text.clone(),
                queued: false,
            }
        }
        (Conversation::General, EventBody::Text { text } | EventBody::Reply { text, .. }) => {
            ChatEvent::Text {
                from: author,
                text: text.clone(),
            }
        }
        (Conversation::General, EventBody::FileShared { name, size, sha256 }) => {
            ChatEvent::FileShared {
                user: author,
                name: name.clone(),
                size: *size,
                sha256: *sha256,
            }
        }
        (conversation, EventBody::FileShared { name, size, sha256 }) => ChatEvent::InFile {
            conversation: log_name(conversation),
            user: author,
            name: name.clone(),
            size: *size,
            sha256: *sha256,
        },
        (conversation, EventBody::Text { text } | EventBody::Reply { text, .. }) => {
            ChatEvent::InText {
                conversation: log_name(conversation),
                from: author,
                text: text.clone(),
            }
        }
        (conversation, EventBody::Member { user, change }) => ChatEvent::InMember {
            conversation: log_name(conversation),
            by: author,
            user: user.clone(),
            change: change.as_str().to_owned(),
        },
        (conversation, EventBody::Topic { text }) => ChatEvent::InTopic {
            conversation: log_name(conversation),
            by: author,
            text: text.clone(),
        },
        (conversation, EventBody::Edit { target, text }) => ChatEvent::Edit {
            conversation: log_name(conversation),
            by: author,
            target: target.0,
            text: text.clone(),
        },
        (conversation, EventBody::FileDelete { name } | EventBody::FileDeleted { name }) => {
            ChatEvent::FileDelete {
                conversation: log_name(conversation),
                by: author,
                name: name.clone(),
            }
        }
        (conversation, EventBody::Delete { target }) => ChatEvent::Delete {
            conversation: log_name(conversation),
            by: author,
            target: target.0,
        },
        (
            conversation,
            EventBody::React {
                target,
                reaction,
                on,
            },
        ) => ChatEvent::React {
            conversation: log_name(conversation),
            by: author,
            target: target.0,
            on: *on,
            reaction: reaction.clone(),
        },
        // States of a message, never committed as events of their own.
        (conversation, EventBody::Edited { text, .. }) => ChatEvent::InText {
            conversation: log_name(conversation),
            from: author,
            text: text.clone(),
        },
        (conversation, EventBody::Deleted) => ChatEvent::Delete {
            conversation: log_name(conversation),
            by: author,
            target: event.id.0,
        },
    };
    Stamped {
        ts: event.ts,
        event: event_kind,
    }
}

/// How the log names a room or group: `#room`, `+a,b,c`.
fn log_name(conversation: &Conversation) -> String {
    match conversation {
        Conversation::General => "#general".to_owned(),
        Conversation::Room(name) => format!("#{name}"),
        Conversation::Group(members) => format!("+{}", members.names().join(",")),
        Conversation::Direct(pair) => {
            let (a, b) = pair.names();
            format!("@{a},{b}")
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc::{Receiver, Sender, channel};
    use std::thread;

    use parking_lot::Mutex;

    use crate::types::{Committed, Conversation, EventBody, NewEvent};
    use crate::{DB_FILE, Durability, MAX_QUEUED, Options, Sink, Store, StoreError};

    struct Nobody;

    impl Sink for Nobody {
        fn committed(&self, _: &[Committed]) {}
        fn refused(&self, _: u64, _: Option<&str>, _: &StoreError) {}
    }

    /// A sink that holds the writer inside its first batch until the test
    /// lets it go, and keeps the ids of every batch it is handed.
    struct Held {
        entered: Mutex<Option<Sender<()>>>,
        release: Mutex<Receiver<()>>,
        batches: Arc<Mutex<Vec<Vec<u64>>>>,
    }

    /// What a test keeps of a [`Held`] sink.
    struct Holder {
        entered: Receiver<()>,
        release: Sender<()>,
        batches: Arc<Mutex<Vec<Vec<u64>>>>,
    }

    impl Sink for Held {
        fn committed(&self, events: &[Committed]) {
            let ids = events.iter().map(|c| c.event.id.0).collect();
            self.batches.lock().push(ids);
            if let Some(entered) = self.entered.lock().take() {
                entered.send(()).unwrap();
                self.release.lock().recv().unwrap();
            }
        }

        fn refused(&self, _: u64, _: Option<&str>, error: &StoreError) {
            panic!("refused: {error}");
        }
    }

    fn held() -> (Box<Held>, Holder) {
        let (entered, entered_rx) = channel();
        let (release_tx, release) = channel();
        let batches = Arc::new(Mutex::new(Vec::new()));
        let sink = Held {
            entered: Mutex::new(Some(entered)),
            release: Mutex::new(release),
            batches: batches.clone(),
        };
        let holder = Holder {
            entered: entered_rx,
            release: release_tx,
            batches,
        };
        (Box::new(sink), holder)
    }

    fn said(text: String) -> NewEvent {
        NewEvent {
            conversation: Conversation::General,
            author: "an".into(),
            body: EventBody::Text { text },
            token: None,
            origin: 1,
            also_mentions: Vec::new(),
        }
    }

    #[test]
    fn a_full_queue_makes_the_submitter_wait_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (sink, holder) = held();
        let (store, _) = Store::open(dir.path(), Durability::Normal, sink).unwrap();
        // The writer stops inside the first batch, which holds this alone.
        store.submit(said("first".into())).unwrap();
        holder.entered.recv().unwrap();
        let submitted = Arc::new(AtomicUsize::new(0));
        let more = MAX_QUEUED + 100;
        let submitter = {
            let (store, submitted) = (store.clone(), submitted.clone());
            thread::spawn(move || {
                for n in 0..more {
                    store.submit(said(format!("{n}"))).unwrap();
                    submitted.fetch_add(1, Ordering::SeqCst);
                }
            })
        };
        // Nothing leaves the queue while the writer is held, so the count
        // stops at exactly what the queue holds.
        while submitted.load(Ordering::SeqCst) < MAX_QUEUED {
            thread::yield_now();
        }
        assert_eq!(submitted.load(Ordering::SeqCst), MAX_QUEUED);
        assert!(!submitter.is_finished(), "the submitter waits for room");
        holder.release.send(()).unwrap();
        submitter.join().unwrap();
        store.barrier().unwrap();
        let ids: Vec<u64> = holder.batches.lock().concat();
        assert_eq!(ids.len(), 1 + more, "every event reached the sink");
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "in id order");
        assert_eq!(store.latest("an", 1).unwrap()[0].id.0, ids[more]);
    }

    #[test]
    fn a_batch_hands_the_sink_at_most_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let (sink, holder) = held();
        let options = Options {
            batch_bytes: 1000,
            ..Options::default()
        };
        let (store, _) = Store::open(dir.path(), options, sink).unwrap();
        store.submit(said("first".into())).unwrap();
        holder.entered.recv().unwrap();
        // About 370 bytes each on the wire: two fit in 1000, three do not.
        for n in 0..20 {
            store
                .submit(said(format!("{n:03}{}", "x".repeat(297))))
                .unwrap();
        }
        holder.release.send(()).unwrap();
        store.barrier().unwrap();
        let batches = holder.batches.lock().clone();
        assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), 21);
        assert_eq!(batches[0].len(), 1);
        assert!(
            batches[1..].iter().all(|batch| batch.len() == 2),
            "{batches:?}"
        );
        // One long event still goes alone.
        store.append(said("y".repeat(5000))).unwrap();
        assert_eq!(holder.batches.lock().last().map(Vec::len), Some(1));
    }

    #[test]
    fn a_closed_store_leaves_nothing_in_the_wal() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path(), Durability::Normal, Box::new(Nobody)).unwrap();
        for n in 0..500 {
            store
                .append(NewEvent {
                    conversation: Conversation::General,
                    author: "an".into(),
                    body: EventBody::Text {
                        text: format!("message {n}"),
                    },
                    token: None,
                    origin: 1,
                    also_mentions: Vec::new(),
                })
                .unwrap();
        }
        // Reads leave statistics for `optimize` to gather at the close.
        for _ in 0..3 {
            store.latest("an", 100).unwrap();
        }
        store.close();
        let wal = dir.path().join(format!("{DB_FILE}-wal"));
        let left = std::fs::metadata(&wal).map_or(0, |m| m.len());
        assert_eq!(left, 0, "{} bytes left in {}", left, wal.display());
    }
}
