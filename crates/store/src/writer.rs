//! The one writer thread: it takes whatever has been submitted, commits it
//! in one transaction (group commit), appends the log lines, hands the
//! committed events to the [`Sink`] in id order, and only then answers
//! the submitters. So nobody sees an event before it is committed, every
//! session sees events in id order, and no caller's lock is held while the
//! disk works.

use std::collections::HashMap;
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Sender};
use media_chat_protocol::rules::user_key;
use rusqlite::{Connection, TransactionBehavior, params};
use tracing::{error, info};

use crate::chat_log::{ChatEvent, LogWriter, Stamped, unix_now};
use crate::error::RoomError;
use crate::rooms;
use crate::sql::{self, to_sql};
use crate::types::{
    Committed, Conversation, EventBody, EventId, NewEvent, RoomAction, RoomRequest,
};
use crate::{Sink, StoreError};

/// Most operations in one transaction: a bound on the latency one batch
/// adds, far above what a busy room submits between two commits.
const MAX_BATCH: usize = 1024;

/// What the writer thread is asked to do.
pub(crate) enum Op {
    /// Store an event; answer with what was committed.
    Append {
        event: NewEvent,
        reply: Sender<Result<Committed, StoreError>>,
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
    /// Check and apply a room request; answer with its events.
    Room {
        request: RoomRequest,
        reply: Sender<Result<Vec<Committed>, StoreError>>,
    },
    /// Answer once everything submitted before is committed.
    Barrier { reply: Sender<()> },
    /// Commit what came before, then stop.
    Shutdown,
}

/// What one operation produced, to finish once the batch is committed.
enum Done {
    Event {
        committed: Box<Committed>,
        reply: Sender<Result<Committed, StoreError>>,
        log: Option<Stamped>,
    },
    Log(Stamped),
    Room {
        outcome: Result<Vec<Committed>, RoomError>,
        reply: Sender<Result<Vec<Committed>, StoreError>>,
    },
    Barrier(Sender<()>),
    Nothing,
}

/// Starts the writer thread on `db`.
pub(crate) fn start(
    db: Connection,
    log: LogWriter,
    sink: Box<dyn Sink>,
    ops: Receiver<Op>,
) -> std::io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name("store-writer".into())
        .spawn(move || {
            let mut writer = Writer {
                db,
                log,
                sink,
                conversations: HashMap::new(),
            };
            writer.run(&ops);
        })
}

struct Writer {
    db: Connection,
    log: LogWriter,
    sink: Box<dyn Sink>,
    /// Row ids of conversations already looked up or created.
    conversations: HashMap<Conversation, i64>,
}

impl Writer {
    fn run(&mut self, ops: &Receiver<Op>) {
        let mut stopping = false;
        while !stopping {
            let Ok(first) = ops.recv() else { break };
            let mut batch = Vec::new();
            let mut next = Some(first);
            while let Some(op) = next.take() {
                if matches!(op, Op::Shutdown) {
                    stopping = true;
                    break;
                }
                batch.push(op);
                if batch.len() < MAX_BATCH {
                    next = ops.try_recv().ok();
                }
            }
            if !batch.is_empty() {
                self.commit(batch);
            }
        }
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

    fn commit(&mut self, batch: Vec<Op>) {
        let mut done = Vec::with_capacity(batch.len());
        let mut ops = batch.into_iter();
        let outcome = (|| -> Result<(), StoreError> {
            let tx = self
                .db
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            for op in ops.by_ref() {
                done.push(apply(&tx, &mut self.conversations, op)?);
            }
            tx.commit()?;
            Ok(())
        })();
        if let Err(e) = outcome {
            error!(error = %e, "a batch could not be committed; its events are refused");
            // The cache may name conversations the rollback removed.
            self.conversations.clear();
            fail(done, &e);
            // The operation that failed was consumed (its submitter sees
            // the store fail); the ones after it were never tried.
            for op in ops {
                match op {
                    Op::Append { reply, .. } => {
                        let _ = reply.send(Err(StoreError::Failed(e.to_string())));
                    }
                    Op::Room { reply, .. } => {
                        let _ = reply.send(Err(StoreError::Failed(e.to_string())));
                    }
                    _ => {}
                }
            }
            return;
        }
        let mut committed = Vec::new();
        for item in &done {
            match item {
                Done::Event {
                    committed: event,
                    log,
                    ..
                } => {
                    if let Some(line) = log {
                        self.log.append(line);
                    }
                    if !event.duplicate {
                        committed.push((**event).clone());
                    }
                }
                Done::Log(line) => self.log.append(line),
                Done::Room {
                    outcome: Ok(events),
                    ..
                } => {
                    for event in events {
                        self.log.append(&log_line(&event.event));
                        committed.push(event.clone());
                    }
                }
                Done::Room { .. } | Done::Barrier(_) | Done::Nothing => {}
            }
        }
        self.log.flush();
        if !committed.is_empty() {
            self.sink.committed(&committed);
        }
        for item in done {
            match item {
                Done::Event {
                    committed, reply, ..
                } => {
                    let _ = reply.send(Ok(*committed));
                }
                Done::Room { outcome, reply } => {
                    let _ = reply.send(outcome.map_err(StoreError::Refused));
                }
                Done::Barrier(reply) => {
                    let _ = reply.send(());
                }
                Done::Log(_) | Done::Nothing => {}
            }
        }
    }
}

/// Applies one operation inside the batch's transaction.
fn apply(
    tx: &Connection,
    conversations: &mut HashMap<Conversation, i64>,
    op: Op,
) -> Result<Done, StoreError> {
    Ok(match op {
        Op::Append { event, reply } => {
            if let Some(token) = &event.token
                && let Some(earlier) = sql::event_by_token(tx, &event.author, token)?
            {
                return Ok(Done::Event {
                    committed: Box::new(Committed {
                        event: earlier,
                        token: event.token,
                        origin: event.origin,
                        duplicate: true,
                        created: None,
                    }),
                    reply,
                    log: None,
                });
            }
            // Only a member posts in a room (a removal may have just been
            // committed).
            if let Conversation::Room(name) = &event.conversation
                && !rooms::is_member(tx, name, &event.author)?
            {
                let refusal = RoomError::NoSuchRoom(name.clone());
                let _ = reply.send(Err(StoreError::Refused(refusal)));
                return Ok(Done::Nothing);
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
            let stored = crate::types::Event {
                id,
                ts,
                conversation: event.conversation,
                author: event.author,
                body: event.body,
            };
            if let EventBody::Text { text } = &stored.body
                && !matches!(stored.conversation, Conversation::Direct(_))
            {
                sql::record_mentions(tx, conversation, id, text)?;
            }
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
        Op::Joined { name } => Done::Log(Stamped {
            ts: unix_now(),
            event: ChatEvent::Joined { user: name },
        }),
        Op::Left { name, last_seen } => {
            tx.prepare_cached(
                "INSERT INTO users (key, last_seen) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET last_seen = excluded.last_seen",
            )?
            .execute(params![user_key(&name), to_sql(last_seen.0)])?;
            Done::Log(Stamped {
                ts: unix_now(),
                event: ChatEvent::Left { user: name },
            })
        }
        Op::Read {
            user,
            conversation,
            id,
        } => {
            if let Some(conversation) = sql::conversation_id(tx, &conversation, false)? {
                tx.prepare_cached(
                    "INSERT INTO read_positions (user_key, conversation, event_id) \
                     VALUES (?1, ?2, ?3) ON CONFLICT (user_key, conversation) \
                     DO UPDATE SET event_id = max(event_id, excluded.event_id)",
                )?
                .execute(params![user_key(&user), conversation, to_sql(id.0)])?;
            }
            Done::Nothing
        }
        Op::Room { request, reply } => {
            let created = match &request.action {
                RoomAction::Create { visibility, .. } => Some(*visibility),
                _ => None,
            };
            let outcome = match rooms::apply(tx, &request)? {
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
        Op::Barrier { reply } => Done::Barrier(reply),
        Op::Shutdown => Done::Nothing,
    })
}

/// Answers every submitter of a batch that could not be committed.
fn fail(done: Vec<Done>, error: &StoreError) {
    for item in done {
        match item {
            Done::Event { reply, .. } => {
                let _ = reply.send(Err(StoreError::Failed(error.to_string())));
            }
            Done::Room { reply, .. } => {
                let _ = reply.send(Err(StoreError::Failed(error.to_string())));
            }
            Done::Barrier(reply) => {
                let _ = reply.send(());
            }
            Done::Log(_) | Done::Nothing => {}
        }
    }
}

/// The log line of a stored event.
fn log_line(event: &crate::types::Event) -> Stamped {
    let author = event.author.clone();
    let event_kind = match (&event.conversation, &event.body) {
        (Conversation::Direct(pair), EventBody::Text { text }) => ChatEvent::Dm {
            from: author,
            to: pair.other(&user_key(&event.author)).to_owned(),
            text: text.clone(),
            queued: false,
        },
        (Conversation::General, EventBody::Text { text }) => ChatEvent::Text {
            from: author,
            text: text.clone(),
        },
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
        (conversation, EventBody::Text { text }) => ChatEvent::InText {
            conversation: log_name(conversation),
            from: author,
            text: text.clone(),
        },
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
        (conversation, EventBody::Delete { target }) => ChatEvent::Delete {
            conversation: log_name(conversation),
            by: author,
            target: target.0,
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
    use crate::types::{Committed, Conversation, EventBody, NewEvent};
    use crate::{DB_FILE, Durability, Sink, Store};

    struct Nobody;

    impl Sink for Nobody {
        fn committed(&self, _: &[Committed]) {}
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
