//! Short handles for the messages the terminal prints (`^12`), so a line
//! can be named to edit, delete, answer or react to it: `/edit ^12 new
//! text`, `/delete ^12`, `/reply ^12 text`, `/react ^12 👍`. Without a
//! handle, `/edit` and `/delete` take the user's last message in the
//! current conversation, `/reply` and `/react` the last message printed
//! there.
//!
//! Each handle also keeps the message's one-line quote (`↳ an: first
//! words…`), which a reply to it shows.
//!
//! A handle is a number given in print order (never `#…`, which names
//! rooms). An own message gets one when it is printed, before the server
//! has stored it; it becomes usable once the server has (its id is known).
//! The newest [`KEPT`] handles are remembered.

use std::collections::VecDeque;

use media_chat_client::phrases::ENGLISH;
use media_chat_client::{Body, Change, Conversation, Message, display, same};

/// How many handles are remembered (the oldest are forgotten first).
const KEPT: usize = 10_000;

/// The messages behind the handles printed so far.
#[derive(Default)]
pub struct Handles {
    /// Handle `first + i` is `entries[i]`.
    entries: VecDeque<Entry>,
    first: u64,
}

struct Entry {
    conversation: Conversation,
    target: Target,
    mine: bool,
    /// The message, its text cut short: what a reply to it quotes (see
    /// [`display::quote`]).
    original: Message,
}

enum Target {
    Stored(u64),
    Pending(String),
}

/// Why a handle cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    /// No message has that handle (or it was forgotten).
    Unknown(u64),
    /// The message has not reached the server yet.
    Pending(u64),
    /// No handle given and no own message to take.
    NoneOfYours,
    /// No handle given and no message printed here to take.
    NoneHere,
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unusable::Unknown(n) => write!(f, "no message is ^{n}"),
            Unusable::Pending(n) => write!(f, "^{n} has not reached the server yet"),
            Unusable::NoneOfYours => write!(f, "you have written nothing here yet"),
            Unusable::NoneHere => write!(f, "no message here to answer yet"),
        }
    }
}

impl Handles {
    /// The handle of `message` (a stored one keeps the handle it got
    /// first), or `None` for what has none (a notice, a share, a message
    /// neither stored nor own).
    pub fn note(&mut self, message: &Message, mine: bool) -> Option<u64> {
        message.text()?;
        let target = match (message.id(), message.token()) {
            (Some(id), _) => {
                if let Some(n) = self.handle_of(id) {
                    return Some(n);
                }
                Target::Stored(id)
            }
            (None, Some(token)) => Target::Pending(token.to_owned()),
            (None, None) => return None,
        };
        if self.entries.len() == KEPT {
            self.entries.pop_front();
            self.first += 1;
        }
        self.entries.push_back(Entry {
            conversation: message.conversation.clone(),
            target,
            mine,
            original: shortened(message),
        });
        Some(self.first + self.entries.len() as u64)
    }

    /// The own message sent with `token` was stored as `id`.
    pub fn delivered(&mut self, token: &str, id: u64) {
        for entry in &mut self.entries {
            if matches!(&entry.target, Target::Pending(t) if t == token) {
                entry.target = Target::Stored(id);
            }
        }
    }

    /// The stored message `id` changed (event `change_id`): an edit or a
    /// delete shows in what a reply to it quotes.
    pub fn changed(&mut self, id: u64, change_id: u64, change: &Change) {
        if let Some(entry) = self.entries.iter_mut().find(|entry| entry.is(id)) {
            entry.original.apply(change_id, change);
            entry.original = shortened(&entry.original);
        }
    }

    /// What a reply to the stored message `id` quotes, with its handle
    /// (`↳ an: first words… (^3)`); `↳ message 41` when it was never
    /// printed here (or was forgotten).
    pub fn quote(&self, id: u64) -> String {
        match (self.handle_of(id), self.entries.iter().find(|e| e.is(id))) {
            (Some(n), Some(entry)) => {
                format!(
                    "{} (^{n})",
                    display::quote(Some(&entry.original), id, &ENGLISH)
                )
            }
            _ => display::quote(None, id, &ENGLISH),
        }
    }

    /// The last message printed in `current` (anyone's), stored: its
    /// conversation and id, for `/reply` and `/react` without a handle.
    pub fn last_in(&self, current: &Conversation) -> Result<(Conversation, u64), Unusable> {
        self.entries
            .iter()
            .rev()
            .filter(|entry| same(&entry.conversation, current))
            .find_map(|entry| match entry.target {
                Target::Stored(id) => Some((entry.conversation.clone(), id)),
                Target::Pending(_) => None,
            })
            .ok_or(Unusable::NoneHere)
    }

    /// The handle of the stored message `id`, if it has one.
    pub fn handle_of(&self, id: u64) -> Option<u64> {
        self.entries
            .iter()
            .position(|entry| matches!(entry.target, Target::Stored(stored) if stored == id))
            .map(|i| self.first + i as u64 + 1)
    }

    /// The message `^n`, or (`None`) the user's last one in `current`:
    /// its conversation and id.
    pub fn resolve(
        &self,
        n: Option<u64>,
        current: &Conversation,
    ) -> Result<(Conversation, u64), Unusable> {
        let (n, entry) = match n {
            Some(n) => {
                let entry = n
                    .checked_sub(self.first + 1)
                    .and_then(|i| self.entries.get(usize::try_from(i).ok()?))
                    .ok_or(Unusable::Unknown(n))?;
                (n, entry)
            }
            None => {
                let (i, entry) = self
                    .entries
                    .iter()
                    .enumerate()
                    .rev()
                    .find(|(_, entry)| entry.mine && same(&entry.conversation, current))
                    .ok_or(Unusable::NoneOfYours)?;
                (self.first + i as u64 + 1, entry)
            }
        };
        match entry.target {
            Target::Stored(id) => Ok((entry.conversation.clone(), id)),
            Target::Pending(_) => Err(Unusable::Pending(n)),
        }
    }
}

impl Entry {
    /// Whether it is the stored message `id`.
    fn is(&self, id: u64) -> bool {
        matches!(self.target, Target::Stored(stored) if stored == id)
    }
}

/// Most characters of a message's text a handle keeps (more than a quote
/// shows), so 10,000 handles stay small.
const KEPT_TEXT: usize = 64;

/// `message` with its text cut to [`KEPT_TEXT`] characters.
fn shortened(message: &Message) -> Message {
    let mut short = message.clone();
    let cut = |text: &mut String| {
        if let Some((at, _)) = text.char_indices().nth(KEPT_TEXT) {
            text.truncate(at);
            text.push('…');
        }
    };
    match &mut short.body {
        Body::Text(text) | Body::Edited { text, .. } | Body::Reply { text, .. } => cut(text),
        _ => {}
    }
    short
}

/// `^12` as the number 12.
pub fn parse_handle(word: &str) -> Option<u64> {
    word.strip_prefix('^')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use media_chat_client::Delivery;

    use super::*;

    fn message(id: Option<u64>, token: Option<&str>) -> Message {
        Message {
            conversation: Conversation::general(),
            author: "an".into(),
            body: Body::Text("chào".into()),
            ts: 0,
            state: match (id, token) {
                (_, Some(token)) => Delivery::Pending {
                    token: token.into(),
                },
                (id, None) => Delivery::Sent { id },
            },
        }
    }

    #[test]
    fn handles_count_up_and_a_message_keeps_its_own() {
        let mut handles = Handles::default();
        assert_eq!(handles.note(&message(Some(40), None), false), Some(1));
        assert_eq!(handles.note(&message(Some(41), None), false), Some(2));
        assert_eq!(handles.note(&message(Some(40), None), false), Some(1));
        assert_eq!(
            handles.resolve(Some(2), &Conversation::general()),
            Ok((Conversation::general(), 41))
        );
        assert_eq!(
            handles.resolve(Some(9), &Conversation::general()),
            Err(Unusable::Unknown(9))
        );
    }

    #[test]
    fn an_own_message_is_usable_once_stored_and_is_the_default() {
        let mut handles = Handles::default();
        handles.note(&message(Some(40), None), false);
        let n = handles.note(&message(None, Some("t1")), true).unwrap();
        assert_eq!(
            handles.resolve(None, &Conversation::general()),
            Err(Unusable::Pending(n))
        );
        handles.delivered("t1", 42);
        assert_eq!(
            handles.resolve(None, &Conversation::general()),
            Ok((Conversation::general(), 42))
        );
        assert_eq!(
            handles.resolve(None, &Conversation::Room("khác".into())),
            Err(Unusable::NoneOfYours)
        );
        assert_eq!(handles.handle_of(42), Some(n));
    }

    #[test]
    fn a_notice_or_a_share_has_no_handle() {
        let mut handles = Handles::default();
        let mut notice = message(Some(3), None);
        notice.body = Body::Topic("chủ đề".into());
        assert_eq!(handles.note(&notice, false), None);
        assert_eq!(parse_handle("^12"), Some(12));
        assert_eq!(parse_handle("#12"), None);
        assert_eq!(parse_handle("^x"), None);
    }
}
