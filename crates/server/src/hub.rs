//! The shared state of the room: who is online, and fan-out.
//!
//! Like mini-redis's `Db`, a [`Hub`] is a cheap handle around one lock. The
//! lock is held only to update the maps and push already-encoded lines into
//! each session's [`Outbox`], which never blocks; no socket write and no
//! disk write happens under it (the chat log has its own writer thread).
//! Holding it across "record, then fan out" gives every session the same
//! order of events, the order history replays. The socket writes happen
//! after the lock is released, on the flusher threads (see `outbox`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use media_chat_protocol::rules::user_key;
use media_chat_protocol::{EncodeLine, HistoryEntry, ServerMessage};
use parking_lot::{Mutex, MutexGuard};
use tracing::error;

use crate::history::History;
use crate::outbox::{Flusher, Outbox};
use crate::storage::chat_log::{ChatEvent, ChatLog, Stamped, unix_now};
use crate::storage::files::FileMeta;

/// Keep each `USERS` line well under the 8 KiB line limit.
const USERS_LINE_BUDGET: usize = 7 * 1024;

/// A handle to the room. Cloning is shallow.
#[derive(Clone)]
pub(crate) struct Hub {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    flusher: Flusher,
    log: ChatLog,
    limits: ServerMessage,
}

struct State {
    peers: HashMap<u64, Peer>,
    /// Online users by key, with the name as registered and their sessions.
    online: BTreeMap<String, Online>,
    history: History,
}

struct Peer {
    key: String,
    name: String,
    version: u64,
    outbox: Outbox,
}

struct Online {
    name: String,
    sessions: Vec<u64>,
}

/// What happened to a private message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DmOutcome {
    /// Every session of the recipient has it queued.
    Delivered,
    /// The recipient is offline; they get it at their next login.
    Held,
}

impl Hub {
    /// A room with no one in it. `limits` is the `LIMITS` line shown to
    /// version 2 clients at login.
    pub(crate) fn new(history: History, log: ChatLog, limits: ServerMessage) -> Hub {
        Hub {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    peers: HashMap::new(),
                    online: BTreeMap::new(),
                    history,
                }),
                flusher: Flusher::start(),
                log,
                limits,
            }),
        }
    }

    /// Adds a logged-in session: queues its welcome (`LOGIN_OK`, then for
    /// version 2 `LIMITS`, `USERS`, history and `HISTORY_END`; for version
    /// 1 the DMs held while the user was offline) and, if this is the
    /// user's first session, tells everyone else.
    pub(crate) fn join(&self, id: u64, name: &str, version: u64, outbox: &Outbox) {
        let key = user_key(name);
        let mut pending = Vec::new();
        let mut state = self.shared.state.lock();
        let first = !state.online.contains_key(&key);
        let held = state.history.take_pending(&key);
        let mut welcome = Vec::new();
        append(
            &mut welcome,
            &ServerMessage::LoginOk {
                user: name.to_owned(),
            },
        );
        if version >= 2 {
            append(&mut welcome, &self.shared.limits);
            let mut names: Vec<String> = state.online.values().map(|o| o.name.clone()).collect();
            if first {
                names.push(name.to_owned());
                names.sort_by_key(|n| user_key(n));
            }
            for users in chunk_names(names) {
                append(&mut welcome, &ServerMessage::Users { users });
            }
            for entry in state.history.visible_to(&key) {
                if let Some(history) = history_line(&entry.stamped) {
                    append(&mut welcome, &history);
                }
            }
            append(&mut welcome, &ServerMessage::HistoryEnd);
        } else {
            for entry in held {
                if let ChatEvent::Dm { from, text, .. } = &entry.stamped.event {
                    let dm = ServerMessage::Dm {
                        from: from.clone(),
                        text: text.clone(),
                    };
                    append(&mut welcome, &dm);
                }
            }
        }
        if outbox.push(welcome.into()) {
            pending.push(outbox.clone());
        }
        state.peers.insert(
            id,
            Peer {
                key: key.clone(),
                name: name.to_owned(),
                version,
                outbox: outbox.clone(),
            },
        );
        state
            .online
            .entry(key)
            .or_insert_with(|| Online {
                name: name.to_owned(),
                sessions: Vec::new(),
            })
            .sessions
            .push(id);
        if first {
            self.record(
                &mut state,
                ChatEvent::Joined {
                    user: name.to_owned(),
                },
            );
            let v1 = ServerMessage::notify(format!("{name} joined the chat"));
            let v2 = ServerMessage::Joined {
                user: name.to_owned(),
            };
            broadcast(&state, Some(id), &v1, &v2, &mut pending);
        }
        drop(state);
        self.shared.flusher.schedule(pending);
    }

    /// Removes a session; if it was the user's last, tells everyone.
    pub(crate) fn leave(&self, id: u64) {
        let mut pending = Vec::new();
        let mut state = self.shared.state.lock();
        let Some(peer) = state.peers.remove(&id) else {
            return;
        };
        let Some(online) = state.online.get_mut(&peer.key) else {
            return;
        };
        online.sessions.retain(|&session| session != id);
        if online.sessions.is_empty() {
            state.online.remove(&peer.key);
            self.record(
                &mut state,
                ChatEvent::Left {
                    user: peer.name.clone(),
                },
            );
            let v1 = ServerMessage::notify(format!("{} left the chat", peer.name));
            let v2 = ServerMessage::Left { user: peer.name };
            broadcast(&state, None, &v1, &v2, &mut pending);
        }
        drop(state);
        self.shared.flusher.schedule(pending);
    }

    /// A public message from session `id` to every other session.
    pub(crate) fn say(&self, id: u64, text: &str) {
        let mut pending = Vec::new();
        let mut state = self.shared.state.lock();
        let Some(from) = state.peers.get(&id).map(|p| p.name.clone()) else {
            return;
        };
        let line = ServerMessage::Text {
            from: from.clone(),
            text: text.to_owned(),
        };
        self.record(
            &mut state,
            ChatEvent::Text {
                from,
                text: text.to_owned(),
            },
        );
        broadcast(&state, Some(id), &line, &line, &mut pending);
        drop(state);
        self.shared.flusher.schedule(pending);
    }

    /// A private message from session `id` to every session of the
    /// registered user `to`, or held for them if they are offline.
    pub(crate) fn direct(&self, id: u64, to: &str, text: &str) -> DmOutcome {
        let mut pending = Vec::new();
        let mut state = self.shared.state.lock();
        let Some(from) = state.peers.get(&id).map(|p| p.name.clone()) else {
            return DmOutcome::Held;
        };
        let sessions = state.online.get(&user_key(to)).map(|o| o.sessions.clone());
        let event = ChatEvent::Dm {
            from: from.clone(),
            to: to.to_owned(),
            text: text.to_owned(),
            queued: sessions.is_none(),
        };
        self.record(&mut state, event);
        let Some(sessions) = sessions else {
            return DmOutcome::Held;
        };
        if let Some(line) = encode(&ServerMessage::Dm {
            from,
            text: text.to_owned(),
        }) {
            for session in sessions {
                if let Some(peer) = state.peers.get(&session)
                    && peer.outbox.push(line.clone())
                {
                    pending.push(peer.outbox.clone());
                }
            }
        }
        drop(state);
        self.shared.flusher.schedule(pending);
        DmOutcome::Delivered
    }

    /// Announces that `sharer` shared a stored file, to every session, the
    /// sharer's included. The sharer may differ from the file's first
    /// uploader when identical contents were uploaded again.
    pub(crate) fn share(&self, sharer: &str, file: &FileMeta) {
        let mut pending = Vec::new();
        let mut state = self.shared.state.lock();
        self.record(
            &mut state,
            ChatEvent::FileShared {
                user: sharer.to_owned(),
                name: file.name.clone(),
                size: file.size,
                sha256: file.sha256,
            },
        );
        let v1 = ServerMessage::notify(format!("{sharer} shared file: {}", file.name));
        let v2 = ServerMessage::FileShared {
            user: sharer.to_owned(),
            name: file.name.clone(),
            size: file.size,
            sha256: file.sha256,
        };
        broadcast(&state, None, &v1, &v2, &mut pending);
        drop(state);
        self.shared.flusher.schedule(pending);
    }

    /// Flushes and fsyncs the chat log; later events are not logged.
    pub(crate) fn close_log(&self) {
        self.shared.log.close();
    }

    fn record(&self, state: &mut MutexGuard<'_, State>, event: ChatEvent) {
        let stamped = Stamped {
            ts: unix_now(),
            event,
        };
        self.shared.log.append(&stamped);
        state.history.record(stamped);
    }
}

/// Pushes `v1` to version 1 sessions and `v2` to the others, skipping
/// `except`. Each form is encoded once and shared. The queues that need
/// flushing are added to `pending`, for the flusher once the lock is
/// released.
fn broadcast(
    state: &State,
    except: Option<u64>,
    v1: &ServerMessage,
    v2: &ServerMessage,
    pending: &mut Vec<Outbox>,
) {
    let Some(v1_line) = encode(v1) else { return };
    let v2_line = if v1 == v2 {
        Some(v1_line.clone())
    } else {
        encode(v2)
    };
    let Some(v2_line) = v2_line else { return };
    for (id, peer) in &state.peers {
        if Some(*id) == except {
            continue;
        }
        let line = if peer.version >= 2 {
            &v2_line
        } else {
            &v1_line
        };
        if peer.outbox.push(line.clone()) {
            pending.push(peer.outbox.clone());
        }
    }
}

/// The `HISTORY` line for a replayable event.
fn history_line(stamped: &Stamped) -> Option<ServerMessage> {
    let entry = match &stamped.event {
        ChatEvent::Text { from, text } => HistoryEntry::Text {
            from: from.clone(),
            text: text.clone(),
        },
        ChatEvent::Dm { from, to, text, .. } => HistoryEntry::Dm {
            from: from.clone(),
            to: to.clone(),
            text: text.clone(),
        },
        ChatEvent::FileShared {
            user,
            name,
            size,
            sha256,
        } => HistoryEntry::FileShared {
            user: user.clone(),
            name: name.clone(),
            size: *size,
            sha256: *sha256,
        },
        ChatEvent::Joined { .. } | ChatEvent::Left { .. } => return None,
    };
    Some(ServerMessage::History {
        ts: stamped.ts,
        entry,
    })
}

/// Splits user names into lists whose `USERS` lines fit the line limit.
fn chunk_names(names: Vec<String>) -> Vec<Vec<String>> {
    let mut chunks = vec![Vec::new()];
    let mut size = 0;
    for name in names {
        if size + name.len() + 1 > USERS_LINE_BUDGET {
            chunks.push(Vec::new());
            size = 0;
        }
        size += name.len() + 1;
        if let Some(chunk) = chunks.last_mut() {
            chunk.push(name);
        }
    }
    chunks
}

fn encode(message: &ServerMessage) -> Option<Arc<[u8]>> {
    match message.to_line() {
        Ok(line) => Some(line.into()),
        Err(e) => {
            error!(error = %e, "could not encode a server line");
            None
        }
    }
}

fn append(out: &mut Vec<u8>, message: &ServerMessage) {
    if let Err(e) = message.encode(out) {
        error!(error = %e, "could not encode a server line");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_user_lists_are_split_under_the_line_limit() {
        let names: Vec<String> = (0..1000)
            .map(|n| format!("user-with-a-long-name-{n:04}"))
            .collect();
        let chunks = chunk_names(names.clone());
        assert!(chunks.len() > 1);
        for chunk in &chunks {
            let line = ServerMessage::Users {
                users: chunk.clone(),
            }
            .to_line()
            .unwrap();
            assert!(line.len() < media_chat_protocol::MAX_LINE_LEN);
        }
        assert_eq!(chunks.concat(), names);
        assert_eq!(chunk_names(Vec::new()), vec![Vec::<String>::new()]);
    }
}
