//! Recent events, kept in memory so a login can replay what the user may
//! see: the last public events, plus private messages to or from them.
//!
//! Public events and each user's private messages are kept in separate
//! rings of the replay length, so what one user is shown is exact and
//! memory stays bounded however chatty the room is. DMs for a user who was
//! offline are also held until their next login (for version 1 clients,
//! which have no history replay).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use media_chat_protocol::rules::user_key;

use crate::storage::chat_log::{ChatEvent, Stamped};

/// Most DMs held for one offline user.
const MAX_PENDING: usize = 1000;

/// An event with its place in the global order.
#[derive(Debug)]
pub(crate) struct Entry {
    /// Global order, to merge the rings.
    pub(crate) seq: u64,
    /// The event.
    pub(crate) stamped: Stamped,
}

/// The replayable past.
pub(crate) struct History {
    len: usize,
    next_seq: u64,
    public: VecDeque<Arc<Entry>>,
    private: HashMap<String, VecDeque<Arc<Entry>>>,
    pending: HashMap<String, Vec<Arc<Entry>>>,
}

impl History {
    /// An empty history replaying at most `len` events per login.
    pub(crate) fn new(len: usize) -> Self {
        History {
            len,
            next_seq: 0,
            public: VecDeque::new(),
            private: HashMap::new(),
            pending: HashMap::new(),
        }
    }

    /// Records an event (live, or replayed from the log at start-up).
    pub(crate) fn record(&mut self, stamped: Stamped) {
        let entry = Arc::new(Entry {
            seq: self.next_seq,
            stamped,
        });
        self.next_seq += 1;
        match &entry.stamped.event {
            ChatEvent::Text { .. } | ChatEvent::FileShared { .. } => {
                push_ring(&mut self.public, entry, self.len)
            }
            ChatEvent::Dm {
                from, to, queued, ..
            } => {
                let (from_key, to_key) = (user_key(from), user_key(to));
                if *queued {
                    let held = self.pending.entry(to_key.clone()).or_default();
                    if held.len() < MAX_PENDING {
                        held.push(entry.clone());
                    }
                }
                if from_key != to_key {
                    push_ring(
                        self.private.entry(from_key).or_default(),
                        entry.clone(),
                        self.len,
                    );
                }
                push_ring(self.private.entry(to_key).or_default(), entry, self.len);
            }
            ChatEvent::Joined { user } => {
                self.pending.remove(&user_key(user));
            }
            ChatEvent::Left { .. } => {}
        }
    }

    /// The last events the user with `key` may see, oldest first.
    pub(crate) fn visible_to(&self, key: &str) -> Vec<Arc<Entry>> {
        let private = self.private.get(key);
        let mut merged: Vec<Arc<Entry>> = self
            .public
            .iter()
            .chain(private.into_iter().flatten())
            .cloned()
            .collect();
        merged.sort_by_key(|entry| entry.seq);
        let skip = merged.len().saturating_sub(self.len);
        merged.split_off(skip)
    }

    /// Takes the DMs held for the user with `key` while they were offline.
    pub(crate) fn take_pending(&mut self, key: &str) -> Vec<Arc<Entry>> {
        self.pending.remove(key).unwrap_or_default()
    }
}

fn push_ring(ring: &mut VecDeque<Arc<Entry>>, entry: Arc<Entry>, len: usize) {
    if len == 0 {
        return;
    }
    if ring.len() == len {
        ring.pop_front();
    }
    ring.push_back(entry);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: u64) -> Stamped {
        Stamped {
            ts: n,
            event: ChatEvent::Text {
                from: "a".into(),
                text: n.to_string(),
            },
        }
    }

    fn dm(from: &str, to: &str, queued: bool) -> Stamped {
        Stamped {
            ts: 0,
            event: ChatEvent::Dm {
                from: from.into(),
                to: to.into(),
                text: format!("{from}->{to}"),
                queued,
            },
        }
    }

    fn texts(entries: &[Arc<Entry>]) -> Vec<String> {
        entries
            .iter()
            .map(|e| match &e.stamped.event {
                ChatEvent::Text { text, .. } | ChatEvent::Dm { text, .. } => text.clone(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn replay_is_the_last_len_events_in_order() {
        let mut history = History::new(3);
        for n in 0..10 {
            history.record(text(n));
        }
        assert_eq!(texts(&history.visible_to("x")), ["7", "8", "9"]);
    }

    #[test]
    fn dms_are_only_shown_to_their_two_parties() {
        let mut history = History::new(10);
        history.record(text(1));
        history.record(dm("An", "Bình", false));
        history.record(text(2));
        assert_eq!(texts(&history.visible_to("an")), ["1", "An->Bình", "2"]);
        assert_eq!(texts(&history.visible_to("bình")), ["1", "An->Bình", "2"]);
        assert_eq!(texts(&history.visible_to("chi")), ["1", "2"]);
    }

    #[test]
    fn queued_dms_wait_for_the_next_login() {
        let mut history = History::new(10);
        history.record(dm("an", "binh", true));
        history.record(dm("an", "binh", true));
        assert_eq!(history.take_pending("binh").len(), 2);
        assert!(history.take_pending("binh").is_empty());
        history.record(dm("an", "binh", true));
        history.record(Stamped {
            ts: 0,
            event: ChatEvent::Joined {
                user: "Binh".into(),
            },
        });
        assert!(history.take_pending("binh").is_empty());
    }
}
