//! [`Outbox`]: this user's messages that the server has not acknowledged
//! yet, in the order they were written, and those that failed. Nothing
//! leaves it but an acknowledgement, a refusal the user dismisses, or
//! [`Outbox::discard`]; so a message is never silently lost.
//!
//! Each message has a token (see [`Tokens`]): sending it again after a
//! reconnect, or after a restart when the user asks, stores it at most
//! once, because the server answers a token it has stored with the same
//! `ACK` instead of storing it again.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use media_chat_protocol::Conversation;

use crate::message::{Body, Delivery, Message};

/// Most messages waiting for the server at once. A person types far fewer
/// in the time a working server takes to answer; more means the server is
/// not reading, and a further send is refused as congested rather than
/// held without limit.
pub(crate) const OUTBOX_LIMIT: usize = 256;

/// Where an own message stands on the way to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Not written on the current connection (none yet, or lost since).
    Waiting,
    /// Written, awaiting the `ACK`.
    InFlight,
    /// Refused, or not delivered before quitting; waits for a retry.
    Failed(String),
}

/// One own message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The send token.
    pub(crate) token: String,
    /// Where it goes.
    pub(crate) conversation: Conversation,
    /// What it says.
    pub(crate) text: String,
    /// The message it answers, for a reply.
    pub(crate) reply_to: Option<u64>,
    /// When it was written (this machine's clock).
    pub(crate) ts: u64,
    /// Where it stands.
    pub(crate) stage: Stage,
}

impl Entry {
    /// The message as the fronts see it, written by `me`.
    pub(crate) fn message(&self, me: &str) -> Message {
        let state = match &self.stage {
            Stage::Waiting | Stage::InFlight => Delivery::Pending {
                token: self.token.clone(),
            },
            Stage::Failed(reason) => Delivery::Failed {
                token: self.token.clone(),
                reason: reason.clone(),
            },
        };
        Message {
            conversation: self.conversation.clone(),
            author: me.to_owned(),
            body: match self.reply_to {
                Some(to) => Body::Reply {
                    text: self.text.clone(),
                    to,
                    edit: None,
                },
                None => Body::Text(self.text.clone()),
            },
            ts: self.ts,
            state,
        }
    }

    /// Whether it still counts against [`OUTBOX_LIMIT`].
    pub(crate) fn is_pending(&self) -> bool {
        !matches!(self.stage, Stage::Failed(_))
    }
}

/// The own messages not yet acknowledged.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    entries: Vec<Entry>,
}

impl Outbox {
    /// An outbox holding `entries` (read back from the data dir).
    pub(crate) fn with(entries: Vec<Entry>) -> Self {
        Outbox { entries }
    }

    /// Every entry, oldest first.
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Adds a new message at the end.
    pub(crate) fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    /// The entry with `token`.
    pub(crate) fn get_mut(&mut self, token: &str) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.token == token)
    }

    /// Removes and returns the entry with `token` (acknowledged, or
    /// discarded).
    pub(crate) fn remove(&mut self, token: &str) -> Option<Entry> {
        let index = self.entries.iter().position(|e| e.token == token)?;
        Some(self.entries.remove(index))
    }

    /// The entries to write on the current connection, oldest first.
    pub(crate) fn waiting_mut(&mut self) -> impl Iterator<Item = &mut Entry> {
        self.entries
            .iter_mut()
            .filter(|e| e.stage == Stage::Waiting)
    }

    /// The connection is gone: what was written on it and not
    /// acknowledged is written again on the next.
    pub(crate) fn connection_lost(&mut self) {
        for entry in &mut self.entries {
            if entry.stage == Stage::InFlight {
                entry.stage = Stage::Waiting;
            }
        }
    }

    /// Marks every entry still on its way as failed for `reason`; returns
    /// the ones that changed.
    pub(crate) fn fail_pending(&mut self, reason: &str) -> Vec<Entry> {
        let mut failed = Vec::new();
        for entry in &mut self.entries {
            if entry.is_pending() {
                entry.stage = Stage::Failed(reason.to_owned());
                failed.push(entry.clone());
            }
        }
        failed
    }

    /// How many entries are still on their way.
    pub(crate) fn pending(&self) -> usize {
        self.entries.iter().filter(|e| e.is_pending()).count()
    }
}

/// Makes send tokens: this install's id, a random number drawn at start-up
/// and a counter, so tokens differ between installs (the desktop and the
/// terminal client of one user), between runs of one install, and between
/// the messages of one run. At most 64 bytes, no `|`, as the protocol asks.
#[derive(Debug)]
pub(crate) struct Tokens {
    prefix: String,
    next: AtomicU64,
}

impl Tokens {
    /// Tokens for the install `install_id`.
    pub(crate) fn new(install_id: &str) -> Self {
        let install: String = install_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(16)
            .collect();
        Tokens {
            prefix: format!("{install}.{:08x}", random_u64() as u32),
            next: AtomicU64::new(1),
        }
    }

    /// A token never handed out before.
    pub(crate) fn next(&self) -> String {
        format!(
            "{}.{}",
            self.prefix,
            self.next.fetch_add(1, Ordering::Relaxed)
        )
    }
}

/// A random number: the standard library seeds each `RandomState` from
/// the operating system; mixed with the time and the process id.
pub(crate) fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    hasher.write_u32(std::process::id());
    hasher.finish()
}

/// Now, in seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use media_chat_protocol::fields::is_valid_token;

    use super::*;

    fn entry(token: &str) -> Entry {
        Entry {
            token: token.into(),
            conversation: Conversation::general(),
            reply_to: None,
            text: format!("text of {token}"),
            ts: 1,
            stage: Stage::Waiting,
        }
    }

    #[test]
    fn tokens_are_unique_valid_and_differ_between_runs() {
        let one = Tokens::new("abc123");
        let other = Tokens::new("abc123");
        let (a, b) = (one.next(), one.next());
        assert_ne!(a, b);
        assert_ne!(a, other.next(), "two runs of one install");
        assert!(a.starts_with("abc123."), "{a}");
        let long = Tokens::new(&"x|y".repeat(40)).next();
        assert!(is_valid_token(&long) && !long.contains('|'), "{long}");
    }

    #[test]
    fn a_lost_connection_sends_again_what_was_not_acknowledged() {
        let mut outbox = Outbox::default();
        outbox.push(entry("a"));
        outbox.push(entry("b"));
        for e in outbox.waiting_mut() {
            e.stage = Stage::InFlight;
        }
        assert_eq!(outbox.waiting_mut().count(), 0);
        assert_eq!(outbox.remove("a").map(|e| e.token), Some("a".into()));
        outbox.connection_lost();
        let waiting: Vec<&str> = outbox.waiting_mut().map(|e| e.token.as_str()).collect();
        assert_eq!(waiting, ["b"]);
        assert_eq!(outbox.pending(), 1);
        let failed = outbox.fail_pending("gone");
        assert_eq!(failed.len(), 1);
        assert_eq!(outbox.pending(), 0);
        let message = outbox.entries()[0].message("me");
        assert_eq!(
            message.state,
            Delivery::Failed {
                token: "b".into(),
                reason: "gone".into()
            }
        );
    }
}
