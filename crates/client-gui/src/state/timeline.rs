//! [`Timeline`]: the rows of one conversation's view, with its paging
//! cursor and read position.
//!
//! Rows keep messages as data ([`Message`]: conversation, author, body,
//! time, delivery state) and notices as text; the pane renders them when
//! drawing, so an acknowledgement or a refusal changes the message in
//! place. Rows are unique by event id (a page or a resend that brings a
//! message already shown adds nothing), pages of older messages go in
//! before the newer ones, and the list is kept to a bounded size: older
//! pages are dropped once the user is back at the bottom, and fetched again
//! when they scroll up.

use std::collections::HashSet;
use std::path::PathBuf;

use chrono::{DateTime, Local};
use media_chat_client::display::{self, Tone};
use media_chat_client::phrases::{ENGLISH, Phrases};
use media_chat_client::{Change, Conversation, Message, Origin, same};

/// The pane holds at most this many rows while the user is at the bottom;
/// beyond it the oldest are dropped, down to [`KEEP_ROWS`].
pub const MAX_ROWS: usize = 2000;

/// What a trim keeps: the newest rows.
pub const KEEP_ROWS: usize = 1000;

/// One row of the chat pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Unique among the rows its timeline ever made: what the pane's
    /// layout cache is keyed by.
    pub key: u64,
    /// What it shows.
    pub item: Item,
    /// A downloaded image to show under it.
    pub image: Option<PathBuf>,
}

/// What a row holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A message, drawn from its data.
    Message(Message),
    /// A notice: joins, transfers, warnings.
    Notice {
        /// When it happened, in seconds since the Unix epoch.
        ts: u64,
        /// How to draw it.
        tone: Tone,
        /// The text with its seed tag.
        text: String,
    },
}

impl Row {
    /// The message, if it is one.
    pub fn message(&self) -> Option<&Message> {
        match &self.item {
            Item::Message(message) => Some(message),
            Item::Notice { .. } => None,
        }
    }

    /// The text as shown in the view of `here`, with the seed's tags (`me`
    /// writes `[Me] …`; a message of another conversation is named), in
    /// the language of `words` (a notice is in the language it was
    /// written in).
    pub fn text(&self, me: &str, here: &Conversation, words: &Phrases) -> String {
        match &self.item {
            Item::Message(message) => display::message_in(message, me, here, words).text,
            Item::Notice { text, .. } => text.clone(),
        }
    }

    /// How it is drawn.
    pub fn tone(&self, me: &str, here: &Conversation) -> Tone {
        match &self.item {
            Item::Message(message) => display::message_in(message, me, here, &ENGLISH).tone,
            Item::Notice { tone, .. } => *tone,
        }
    }

    /// When it happened, in seconds since the Unix epoch.
    pub fn ts(&self) -> u64 {
        match &self.item {
            Item::Message(message) => message.ts,
            Item::Notice { ts, .. } => *ts,
        }
    }

    /// Its local time and day (`None` for a time no clock shows).
    pub fn local_time(&self) -> Option<DateTime<Local>> {
        local_time(self.ts())
    }

    /// Its time as every row shows it: `HH:MM`, 24 h (the day is on the
    /// day separator above).
    pub fn time(&self) -> String {
        self.local_time()
            .map(|t| t.format("%H:%M").to_string())
            .unwrap_or_default()
    }
}

/// Paging back through one conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// The oldest message of the conversation shown (0: none yet, so the
    /// first page is the newest one).
    pub oldest: u64,
    /// Whether older messages may exist.
    pub more: bool,
    /// A page has been asked for and not yet ended.
    pub loading: bool,
}

impl Default for History {
    fn default() -> Self {
        History {
            oldest: 0,
            more: true,
            loading: false,
        }
    }
}

/// What one conversation's view shows.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// Whose rows these are.
    pub conversation: Conversation,
    /// The rows, oldest first.
    pub rows: Vec<Row>,
    /// Bumped whenever rows are added, removed or change size.
    pub revision: u64,
    next_key: u64,
    /// Event ids of the message rows.
    ids: HashSet<u64>,
    /// Paging back.
    pub history: History,
    /// Where this user has read it up to (any session).
    pub read: u64,
    /// Messages after this id are marked new (the position when the user
    /// last left it, or another session's).
    pub read_marker: Option<u64>,
    /// The page of older messages arriving, until its end.
    page: Vec<Message>,
}

impl Timeline {
    /// An empty view of `conversation`.
    pub fn new(conversation: Conversation) -> Self {
        Timeline {
            conversation,
            rows: Vec::new(),
            revision: 0,
            next_key: 1,
            ids: HashSet::new(),
            history: History::default(),
            read: 0,
            read_marker: None,
            page: Vec::new(),
        }
    }

    /// The text of every row as shown, oldest first.
    pub fn texts(&self, me: &str, words: &Phrases) -> Vec<String> {
        self.rows
            .iter()
            .map(|row| row.text(me, &self.conversation, words))
            .collect()
    }

    /// Adds a notice stamped with the current time.
    pub fn push(&mut self, tone: Tone, text: impl Into<String>) {
        let item = Item::Notice {
            ts: u64::try_from(Local::now().timestamp()).unwrap_or_default(),
            tone,
            text: text.into(),
        };
        self.append(item);
    }

    /// Shows an own message just sent (pending).
    pub fn sent(&mut self, message: &Message) {
        self.append(Item::Message(message.clone()));
    }

    /// A message arrived; `false` if it was shown already.
    pub fn message(&mut self, message: Message, origin: Origin) -> bool {
        if let Some(id) = message.id()
            && !self.ids.insert(id)
        {
            return false;
        }
        if same(&message.conversation, &self.conversation)
            && let Some(id) = message.id()
            && (self.history.oldest == 0 || id < self.history.oldest)
        {
            self.history.oldest = id;
        }
        match (origin, message.id()) {
            // Held until the page ends, then put in at once: the pane keeps
            // the row in view in place for one change, not for pieces of
            // the page each landing below the last.
            (Origin::Page, Some(_)) => self.page.push(message),
            _ => self.append(Item::Message(message)),
        }
        true
    }

    /// The end of a page: it goes in, and paging may go on if `more`.
    pub fn page_end(&mut self, more: bool) {
        self.insert_page();
        self.history.loading = false;
        self.history.more = more;
    }

    /// The connection dropped: what came of a page cut short goes in, and
    /// it is asked for again later.
    pub fn page_cut(&mut self) {
        self.insert_page();
        self.history.loading = false;
    }

    /// Puts the page of older messages in, each before the first newer
    /// message.
    fn insert_page(&mut self) {
        for message in std::mem::take(&mut self.page) {
            let Some(id) = message.id() else { continue };
            // Before the first newer message (by id, or by time for an own
            // message the server has not stored): pages come oldest first,
            // each older than what is shown, so order is kept.
            let ts = message.ts;
            let at = self
                .rows
                .iter()
                .position(|row| {
                    row.message().is_some_and(|m| match m.id() {
                        Some(other) => other > id,
                        None => m.ts > ts,
                    })
                })
                .unwrap_or(self.rows.len());
            let row = self.row(Item::Message(message));
            self.rows.insert(at, row);
            self.revision += 1;
        }
    }

    /// The message `target` was edited or deleted by the change `id`: it
    /// shows as it is now, also if it is in a page still arriving; `false`
    /// if this view does not show it.
    pub fn change(&mut self, id: u64, target: u64, change: &Change) -> bool {
        let shown = self.rows.iter_mut().find_map(|row| match &mut row.item {
            Item::Message(message) if message.id() == Some(target) => Some(message),
            _ => None,
        });
        let Some(message) = shown.or_else(|| self.page.iter_mut().find(|m| m.id() == Some(target)))
        else {
            return false;
        };
        message.apply(id, change);
        self.revision += 1;
        true
    }

    /// The file `name` was deleted by the event `id`: its shares before
    /// that read "file deleted" (a later share of the name is a new file),
    /// also in a page still arriving.
    pub fn file_deleted(&mut self, id: u64, name: &str) {
        let shown = self.rows.iter_mut().filter_map(|row| match &mut row.item {
            Item::Message(message) => Some(message),
            Item::Notice { .. } => None,
        });
        let mut changed = false;
        for message in shown.chain(self.page.iter_mut()) {
            if message.id().is_some_and(|shared| shared < id) {
                changed |= message.file_deleted(name);
            }
        }
        if changed {
            self.revision += 1;
        }
    }

    /// An own message changed state; `false` if this view does not show it.
    pub fn delivery(&mut self, token: &str, message: &Message) -> bool {
        let Some(index) = self.find_token(token) else {
            return false;
        };
        if let Some(id) = message.id()
            && !self.ids.insert(id)
        {
            // Stored before (its first acknowledgement lost), and shown
            // since from the backlog: one copy is enough.
            self.rows.remove(index);
        } else {
            self.rows[index].item = Item::Message(message.clone());
        }
        self.revision += 1;
        true
    }

    /// An own message this client did not send now (undelivered from the
    /// last run): shown unless shown already.
    pub fn undelivered(&mut self, message: Message) {
        let id = message.id();
        if id.is_none_or(|id| !self.ids.contains(&id)) {
            if let Some(id) = id {
                self.ids.insert(id);
            }
            self.append(Item::Message(message));
        }
    }

    /// Forgets a failed message the user discarded.
    pub fn discard(&mut self, token: &str) {
        if let Some(index) = self.find_token(token) {
            self.rows.remove(index);
            self.revision += 1;
        }
    }

    /// The message with event id `id`, if this view holds it.
    pub fn find(&self, id: u64) -> Option<&Message> {
        self.rows
            .iter()
            .filter_map(Row::message)
            .find(|m| m.id() == Some(id))
    }

    /// The id of `me`'s newest stored message with text (the one Up in an
    /// empty entry edits).
    pub fn last_own_text(&self, me: &str) -> Option<u64> {
        self.rows
            .iter()
            .rev()
            .filter_map(Row::message)
            .filter(|m| m.author.to_lowercase() == me.to_lowercase() && m.text().is_some())
            .find_map(Message::id)
    }

    /// The newest message id of the conversation shown.
    pub fn newest(&self) -> Option<u64> {
        self.rows
            .iter()
            .rev()
            .filter_map(Row::message)
            .filter(|m| same(&m.conversation, &self.conversation))
            .find_map(Message::id)
    }

    /// The key of the first row marked new: the first message of the
    /// conversation after the read marker, from someone else.
    pub fn first_unread(&self, me: &str) -> Option<u64> {
        let marker = self.read_marker?;
        self.rows
            .iter()
            .find(|row| {
                row.message().is_some_and(|m| {
                    same(&m.conversation, &self.conversation)
                        && m.author != me
                        && m.id().is_some_and(|id| id > marker)
                })
            })
            .map(|row| row.key)
    }

    /// The user has read it up to `id` (here or in another session).
    pub fn read_up_to(&mut self, id: u64) {
        self.read = self.read.max(id);
        self.read_marker = Some(self.read_marker.map_or(id, |m| m.max(id)));
    }

    /// Drops the oldest rows once there are more than [`MAX_ROWS`], if the
    /// user is at the bottom (so nothing moves under their eyes); they come
    /// back as pages when the user scrolls up again (`v3`: the server
    /// keeps them).
    pub fn trim(&mut self, at_bottom: bool, v3: bool) {
        if !at_bottom || self.rows.len() <= MAX_ROWS {
            return;
        }
        let dropped: Vec<Row> = self.rows.drain(..self.rows.len() - KEEP_ROWS).collect();
        for row in &dropped {
            if let Some(id) = row.message().and_then(Message::id) {
                self.ids.remove(&id);
            }
        }
        self.history.oldest = self
            .rows
            .iter()
            .filter_map(Row::message)
            .filter(|m| same(&m.conversation, &self.conversation))
            .filter_map(Message::id)
            .min()
            .unwrap_or(0);
        self.history.more = v3;
        self.revision += 1;
    }

    /// What is shown no longer joins up with what follows `before` (more
    /// came while away than the welcome holds): it is dropped, and paging
    /// goes back from the gap instead.
    pub fn gap(&mut self, before: u64) {
        let ids = &mut self.ids;
        let here = &self.conversation;
        self.rows.retain(|row| match row.message() {
            Some(m) if same(&m.conversation, here) => match m.id() {
                Some(id) if id < before => {
                    ids.remove(&id);
                    false
                }
                _ => true,
            },
            _ => true,
        });
        self.history = History {
            oldest: before,
            more: true,
            loading: false,
        };
        self.revision += 1;
    }

    /// Shows `path` under the newest row (a downloaded image).
    pub fn attach_image(&mut self, path: PathBuf) {
        if let Some(row) = self.rows.last_mut() {
            row.image = Some(path);
        }
    }

    /// The downloaded images are gone (the cache was cleared): rows show
    /// none.
    pub fn detach_images(&mut self) {
        let mut changed = false;
        for row in &mut self.rows {
            changed |= row.image.take().is_some();
        }
        if changed {
            self.revision += 1;
        }
    }

    fn find_token(&self, token: &str) -> Option<usize> {
        self.rows
            .iter()
            .rposition(|row| row.message().and_then(Message::token) == Some(token))
    }

    fn row(&mut self, item: Item) -> Row {
        let key = self.next_key;
        self.next_key += 1;
        Row {
            key,
            item,
            image: None,
        }
    }

    fn append(&mut self, item: Item) {
        let row = self.row(item);
        self.rows.push(row);
        self.revision += 1;
    }
}

/// A time stamp as local time.
pub fn local_time(ts: u64) -> Option<DateTime<Local>> {
    i64::try_from(ts)
        .ok()
        .and_then(|ts| DateTime::from_timestamp(ts, 0))
        .map(|t| t.with_timezone(&Local))
}
