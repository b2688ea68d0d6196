//! Plain data: what the window shows. [`State::apply`] folds each client
//! event in; nothing here touches a socket, the disk or egui.
//!
//! The chat pane's rows keep messages as data ([`Message`]: conversation,
//! author, body, time, delivery state) and notices as text; the pane
//! renders them when drawing, so an acknowledgement or a refusal changes
//! the message in place. Rows are unique by event id (a page or a resend
//! that brings a message already shown adds nothing), pages of older
//! messages go in before the newer ones, and the list is kept to a bounded
//! size: older pages are dropped once the user is back at the bottom, and
//! fetched again when they scroll up.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Local};
use media_chat_client::display::{self, Tone};
use media_chat_client::{Body, Change, Direction, Event, Message, Origin, TransferId};

/// The pane holds at most this many rows while the user is at the bottom;
/// beyond it the oldest are dropped, down to [`KEEP_ROWS`].
pub const MAX_ROWS: usize = 2000;

/// What a trim keeps: the newest rows.
pub const KEEP_ROWS: usize = 1000;

/// One row of the chat pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Unique among the rows ever made: what the pane's layout cache is
    /// keyed by.
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
        /// Local time it happened, `HH:MM:SS`.
        time: String,
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

    /// The text as shown, with the seed's tags (`me` writes `[Me] …`).
    pub fn text(&self, me: &str) -> String {
        match &self.item {
            Item::Message(message) => display::message(message, me).text,
            Item::Notice { text, .. } => text.clone(),
        }
    }

    /// How it is drawn.
    pub fn tone(&self, me: &str) -> Tone {
        match &self.item {
            Item::Message(message) => display::message(message, me).tone,
            Item::Notice { tone, .. } => *tone,
        }
    }

    /// Its time: `HH:MM:SS` today, with the day before that.
    pub fn time(&self) -> String {
        match &self.item {
            Item::Message(message) => message_time(message.ts),
            Item::Notice { time, .. } => time.clone(),
        }
    }
}

/// A file on the server, for the side panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedFile {
    /// The stored name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Who shared it.
    pub uploader: String,
}

/// A running upload or download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Which way.
    pub direction: Direction,
    /// The file name.
    pub name: String,
    /// Bytes done.
    pub done: u64,
    /// Bytes in all (0 until the first progress).
    pub total: u64,
}

/// The chat connection as the user should see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Connected and logged in.
    Up,
    /// Lost, not (yet) reconnecting.
    Lost {
        /// Why.
        reason: String,
    },
    /// Waiting to reconnect.
    Reconnecting {
        /// Which attempt comes next.
        attempt: u32,
        /// After how long.
        delay: Duration,
    },
}

/// Paging back through `#general`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// The oldest `#general` message shown (0: none yet).
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

/// Something [`State::apply`] asks the app to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Open this file with the system viewer.
    Open(PathBuf),
    /// Make a thumbnail of this downloaded image.
    Thumbnail(PathBuf),
}

/// Everything the chat screen shows.
#[derive(Debug, Clone)]
pub struct State {
    /// The logged-in user's name.
    pub me: String,
    /// The chat pane, oldest first.
    pub rows: Vec<Row>,
    /// Bumped whenever rows are added, removed or change size.
    pub revision: u64,
    next_key: u64,
    /// Event ids of the message rows.
    ids: HashSet<u64>,
    /// Who is online, by lower-case name.
    pub online: BTreeMap<String, String>,
    /// Files on the server, by name.
    pub files: BTreeMap<String, SharedFile>,
    /// Running transfers.
    pub transfers: BTreeMap<TransferId, Transfer>,
    /// The connection.
    pub link: Link,
    /// The server's upload limits, once announced.
    pub max_file_size: Option<u64>,
    /// Messages that arrived while the window was not focused.
    pub unread: usize,
    /// Whether the window has focus (set by the app each frame).
    pub focused: bool,
    /// Downloads to open once verified (Get File, as in the seed).
    pub open_when_done: HashSet<TransferId>,
    /// The download cache is being cleared (off the UI thread).
    pub clearing: bool,
    /// Paging back through `#general`.
    pub history: History,
    /// Where this user has read `#general` up to (any session).
    pub read: u64,
    /// Messages after this id are marked new (the position when the window
    /// was last left, or another session's).
    pub read_marker: Option<u64>,
    /// The server speaks version 3 (ids, paging, read positions).
    pub v3: bool,
    /// The page of older messages arriving, until its end.
    page: Vec<Message>,
}

impl State {
    /// An empty chat for `me`.
    pub fn new(me: &str) -> Self {
        State {
            me: me.to_owned(),
            rows: Vec::new(),
            revision: 0,
            next_key: 1,
            ids: HashSet::new(),
            online: BTreeMap::new(),
            files: BTreeMap::new(),
            transfers: BTreeMap::new(),
            link: Link::Up,
            max_file_size: None,
            unread: 0,
            focused: true,
            open_when_done: HashSet::new(),
            clearing: false,
            history: History::default(),
            read: 0,
            read_marker: None,
            v3: true,
            page: Vec::new(),
        }
    }

    /// The text of every row as shown, oldest first (for tests and logs).
    pub fn texts(&self) -> Vec<String> {
        self.rows.iter().map(|row| row.text(&self.me)).collect()
    }

    /// Adds a notice stamped with the current time.
    pub fn push(&mut self, tone: Tone, text: impl Into<String>) {
        let item = Item::Notice {
            time: Local::now().format("%H:%M:%S").to_string(),
            tone,
            text: text.into(),
        };
        self.append(item);
    }

    /// Shows what the user just sent (pending), as the seed did: `[Me] …`
    /// or `[PM → x] …`.
    pub fn sent(&mut self, message: &Message) {
        self.append(Item::Message(message.clone()));
    }

    /// A started transfer, shown until it ends.
    pub fn started(&mut self, id: TransferId, direction: Direction, name: &str) {
        self.transfers.insert(
            id,
            Transfer {
                direction,
                name: name.to_owned(),
                done: 0,
                total: 0,
            },
        );
    }

    /// Forgets a failed message the user discarded.
    pub fn discard(&mut self, token: &str) {
        if let Some(index) = self.find_token(token) {
            self.rows.remove(index);
            self.revision += 1;
        }
    }

    /// The message with id `target` was edited or deleted: its row shows
    /// it as it is now (a message not shown is shown so when paged in).
    fn changed(&mut self, id: u64, target: u64, change: &Change) {
        let row = self.rows.iter_mut().find(
            |row| matches!(&row.item, Item::Message(message) if message.id() == Some(target)),
        );
        if let Some(Row {
            item: Item::Message(message),
            ..
        }) = row
        {
            message.apply(id, change);
            self.revision += 1;
        }
    }

    /// The newest `#general` message id shown.
    pub fn newest_general(&self) -> Option<u64> {
        self.rows
            .iter()
            .rev()
            .filter_map(Row::message)
            .filter(|m| m.conversation.is_general())
            .find_map(Message::id)
    }

    /// The key of the first message marked new: the first in `#general`
    /// after the read marker, from someone else.
    pub fn first_unread(&self) -> Option<u64> {
        let marker = self.read_marker?;
        self.rows
            .iter()
            .find(|row| {
                row.message().is_some_and(|m| {
                    m.conversation.is_general()
                        && m.author != self.me
                        && m.id().is_some_and(|id| id > marker)
                })
            })
            .map(|row| row.key)
    }

    /// Drops the oldest rows once there are more than [`MAX_ROWS`], if the
    /// user is at the bottom (so nothing moves under their eyes); they come
    /// back as pages when the user scrolls up again.
    pub fn trim(&mut self, at_bottom: bool) {
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
            .filter(|m| m.conversation.is_general())
            .filter_map(Message::id)
            .min()
            .unwrap_or(0);
        self.history.more = self.v3;
        self.revision += 1;
    }

    /// Folds one client event in; returns what the app must do about it.
    pub fn apply(&mut self, event: Event) -> Vec<Effect> {
        let effects = self.update(&event);
        match event {
            Event::Message { message, origin } => self.message(message, origin),
            Event::Delivery { token, message } => self.delivery(&token, message),
            Event::Changed {
                id, target, change, ..
            } => self.changed(id, target, &change),
            Event::Downloaded { ref path, .. } => {
                if let Some(shown) = display::event(&event, &self.me) {
                    self.push(shown.tone, shown.text);
                }
                if is_image(path)
                    && let Some(row) = self.rows.last_mut()
                {
                    row.image = Some(path.clone());
                }
            }
            other => {
                if let Some(shown) = display::event(&other, &self.me) {
                    self.push(shown.tone, shown.text);
                }
            }
        }
        effects
    }

    fn message(&mut self, message: Message, origin: Origin) {
        if let Some(id) = message.id()
            && !self.ids.insert(id)
        {
            return;
        }
        if message.conversation.is_general()
            && let Some(id) = message.id()
            && (self.history.oldest == 0 || id < self.history.oldest)
        {
            self.history.oldest = id;
        }
        if !self.focused
            && origin == Origin::Live
            && message.author != self.me
            && matches!(message.body, Body::Text(_))
        {
            self.unread += 1;
        }
        match (origin, message.id()) {
            // Held until the page ends, then put in at once: the pane keeps
            // the row in view in place for one change, not for pieces of
            // the page each landing below the last.
            (Origin::Page, Some(_)) => self.page.push(message),
            _ => self.append(Item::Message(message)),
        }
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

    fn delivery(&mut self, token: &str, message: Message) {
        let id = message.id();
        let Some(index) = self.find_token(token) else {
            // Undelivered from the last run, or sent by a front that
            // forgot it: shown now.
            if id.is_none_or(|id| !self.ids.contains(&id)) {
                if let Some(id) = id {
                    self.ids.insert(id);
                }
                self.append(Item::Message(message));
            }
            return;
        };
        if let Some(id) = id
            && !self.ids.insert(id)
        {
            // Stored before (its first acknowledgement lost), and shown
            // since from the backlog: one copy is enough.
            self.rows.remove(index);
        } else {
            self.rows[index].item = Item::Message(message);
        }
        self.revision += 1;
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

    /// What an event changes besides the rows: who is online, the files,
    /// the transfers, the connection, paging and read positions.
    fn update(&mut self, event: &Event) -> Vec<Effect> {
        let mut effects = Vec::new();
        match event {
            Event::LoggedIn { user } => {
                if self.link != Link::Up {
                    self.push(Tone::Success, "[+] reconnected");
                }
                self.me = user.clone();
                self.link = Link::Up;
                self.online.clear();
            }
            Event::Limits { max_file_size, .. } => self.max_file_size = Some(*max_file_size),
            Event::Users { users } => {
                for user in users {
                    self.online.insert(user.to_lowercase(), user.clone());
                }
            }
            Event::Joined { user } => {
                self.online.insert(user.to_lowercase(), user.clone());
            }
            Event::Left { user } => {
                self.online.remove(&user.to_lowercase());
            }
            Event::Message { message, .. } => {
                if let Body::File { name, size, .. } = &message.body {
                    let shared = SharedFile {
                        name: name.clone(),
                        size: *size,
                        uploader: message.author.clone(),
                    };
                    self.files.insert(name.clone(), shared);
                }
            }
            Event::Gap {
                conversation,
                before,
                ..
            } if conversation.is_general() => {
                // What is shown of #general no longer joins up with what
                // follows: drop it, and page back from the gap instead.
                let before = *before;
                let ids = &mut self.ids;
                self.rows.retain(|row| match row.message() {
                    Some(m) if m.conversation.is_general() => match m.id() {
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
            Event::PageEnd { conversation, more } => {
                self.insert_page();
                if conversation.is_general() {
                    self.history.loading = false;
                    self.history.more = *more;
                }
            }
            Event::ReadUpTo { conversation, id } if conversation.is_general() => {
                self.read = self.read.max(*id);
                self.read_marker = Some(self.read_marker.map_or(*id, |m| m.max(*id)));
            }
            Event::FileList { files } => {
                self.files = files
                    .iter()
                    .map(|f| {
                        let shared = SharedFile {
                            name: f.name.clone(),
                            size: f.size,
                            uploader: f.uploader.clone(),
                        };
                        (f.name.clone(), shared)
                    })
                    .collect();
            }
            Event::Progress {
                id,
                direction,
                name,
                done,
                total,
            } => {
                let transfer = self.transfers.entry(*id).or_insert(Transfer {
                    direction: *direction,
                    name: name.clone(),
                    done: 0,
                    total: *total,
                });
                transfer.done = *done;
                transfer.total = *total;
            }
            Event::Uploaded { id, .. } => {
                self.transfers.remove(id);
            }
            Event::Downloaded { id, path, .. } => {
                self.transfers.remove(id);
                if is_image(path) {
                    effects.push(Effect::Thumbnail(path.clone()));
                }
                if self.open_when_done.remove(id) {
                    effects.push(Effect::Open(path.clone()));
                }
            }
            Event::TransferFailed { id, .. } | Event::TransferCancelled { id, .. } => {
                self.transfers.remove(id);
                self.open_when_done.remove(id);
            }
            Event::Disconnected { reason } => {
                self.link = Link::Lost {
                    reason: reason.clone(),
                };
                // A page cut short: what came of it, and ask again later.
                self.insert_page();
                self.history.loading = false;
            }
            Event::Reconnecting { attempt, delay } => {
                self.link = Link::Reconnecting {
                    attempt: *attempt,
                    delay: *delay,
                }
            }
            Event::CacheCleared { .. } | Event::CacheNotCleared { .. } => self.clearing = false,
            Event::Synced
            | Event::Delivery { .. }
            | Event::Gap { .. }
            | Event::ReadUpTo { .. }
            | Event::Notify { .. }
            | Event::ServerError { .. }
            | Event::OpenFailed { .. }
            // Rooms and conversations: drawn from `Client::conversations`.
            | Event::Conversation { .. }
            | Event::Unread { .. }
            | Event::ConversationGone { .. }
            | Event::CurrentChanged { .. }
            | Event::Members { .. }
            | Event::RoomList { .. }
            | Event::InviteCode { .. }
            | Event::AuditLog { .. }
            // Applied to the message's row (see `changed`).
            | Event::Changed { .. }
            // The desktop does not search yet.
            | Event::SearchResults { .. }
            | Event::SearchFailed { .. } => {}
        }
        effects
    }
}

/// A message's local time: `HH:MM:SS` if it is from today, else with its
/// day, `dd/mm HH:MM`.
fn message_time(ts: u64) -> String {
    let Some(time) = i64::try_from(ts)
        .ok()
        .and_then(|ts| DateTime::from_timestamp(ts, 0))
        .map(|t| t.with_timezone(&Local))
    else {
        return String::new();
    };
    if time.date_naive() == Local::now().date_naive() {
        time.format("%H:%M:%S").to_string()
    } else {
        time.format("%d/%m %H:%M").to_string()
    }
}

/// Whether a file is an image shown inline (png, jpg, gif).
pub fn is_image(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "png" | "jpg" | "jpeg" | "gif"
        )
    })
}

#[cfg(test)]
mod tests {
    use media_chat_client::{Cleared, Conversation, Delivery, Sha256Digest};

    use super::*;

    fn said(conversation: Conversation, author: &str, text: &str, id: u64) -> Message {
        Message {
            conversation,
            author: author.into(),
            body: Body::Text(text.into()),
            ts: 0,
            state: Delivery::Sent { id: Some(id) },
        }
    }

    fn general(author: &str, text: &str, id: u64) -> Message {
        said(Conversation::general(), author, text, id)
    }

    fn arrived(message: Message, origin: Origin) -> Event {
        Event::Message { message, origin }
    }

    fn live(message: Message) -> Event {
        arrived(message, Origin::Live)
    }

    fn page_end(more: bool) -> Event {
        Event::PageEnd {
            conversation: Conversation::general(),
            more,
        }
    }

    fn pending(text: &str, token: &str) -> Message {
        Message {
            state: Delivery::Pending {
                token: token.into(),
            },
            ..general("minh", text, 0)
        }
    }

    #[test]
    fn the_seeds_tags() {
        let mut state = State::new("minh");
        state.sent(&pending("hi", "t1"));
        state.sent(&Message {
            conversation: Conversation::Direct("an".into()),
            ..pending("psst", "t2")
        });
        state.apply(live(said(Conversation::Direct("an".into()), "an", "ok", 3)));
        state.apply(live(general("an", "hello", 4)));
        state.clearing = true;
        state.apply(Event::CacheCleared {
            cleared: Cleared {
                files: 1,
                bytes: 10,
            },
        });
        assert!(!state.clearing);
        state.apply(Event::Disconnected {
            reason: "gone".into(),
        });
        assert_eq!(
            state.texts(),
            [
                "[Me] hi",
                "[PM → an] psst",
                "[PM from an] ok",
                "an: hello",
                "[*] cache cleared (1 file, 10 B)",
                "[!] disconnected: gone"
            ]
        );
        assert_eq!(
            state.link,
            Link::Lost {
                reason: "gone".into()
            }
        );
    }

    #[test]
    fn a_delivery_changes_the_message_in_place() {
        let mut state = State::new("minh");
        state.sent(&pending("hi", "t1"));
        state.apply(live(general("an", "between", 5)));
        let revision = state.revision;
        let acked = Message {
            ts: 9,
            ..general("minh", "hi", 6)
        };
        state.apply(Event::Delivery {
            token: "t1".into(),
            message: acked.clone(),
        });
        assert!(state.revision > revision);
        assert_eq!(state.rows[0].message(), Some(&acked));
        assert_eq!(state.texts(), ["[Me] hi", "an: between"]);
        // A refusal keeps the row, failed, for Retry.
        state.sent(&pending("again", "t2"));
        let failed = Message {
            state: Delivery::Failed {
                token: "t2".into(),
                reason: "no".into(),
            },
            ..pending("again", "t2")
        };
        state.apply(Event::Delivery {
            token: "t2".into(),
            message: failed,
        });
        assert!(state.rows[2].message().unwrap().is_failed());
        state.discard("t2");
        assert_eq!(state.rows.len(), 2);
    }

    #[test]
    fn a_message_shown_twice_is_kept_once() {
        let mut state = State::new("minh");
        state.apply(arrived(general("an", "x", 7), Origin::Backlog));
        state.apply(arrived(general("an", "x", 7), Origin::Page));
        state.apply(live(general("an", "x", 7)));
        assert_eq!(state.rows.len(), 1);
        // A retry of a message the backlog already brought: the pending
        // copy goes, the stored one stays.
        state.sent(&pending("mine", "t"));
        state.apply(arrived(general("minh", "mine", 8), Origin::Backlog));
        state.apply(Event::Delivery {
            token: "t".into(),
            message: general("minh", "mine", 8),
        });
        assert_eq!(state.texts(), ["an: x", "[Me] mine"]);
        assert!(
            state
                .rows
                .iter()
                .all(|r| !r.message().unwrap().is_pending())
        );
    }

    #[test]
    fn pages_go_in_before_newer_messages_and_move_the_cursor() {
        let mut state = State::new("minh");
        state.push(Tone::Notice, "[i] hosting");
        for id in [10, 11] {
            state.apply(arrived(general("an", &id.to_string(), id), Origin::Backlog));
        }
        assert_eq!(state.history.oldest, 10);
        for id in [4, 5] {
            state.apply(arrived(general("an", &id.to_string(), id), Origin::Page));
        }
        assert_eq!(state.rows.len(), 3, "a page goes in whole, at its end");
        state.apply(page_end(false));
        assert_eq!(
            state.texts(),
            ["[i] hosting", "an: 4", "an: 5", "an: 10", "an: 11"]
        );
        assert_eq!(state.history.oldest, 4);
        assert!(!state.history.more && !state.history.loading);
    }

    #[test]
    fn an_own_message_never_stored_keeps_its_place_in_time_among_pages() {
        let mut state = State::new("minh");
        let failed = Message {
            ts: 50,
            state: Delivery::Failed {
                token: "t".into(),
                reason: "quit".into(),
            },
            ..general("minh", "unsent", 0)
        };
        // Undelivered from the last run: shown first, then the backlog.
        state.apply(Event::Delivery {
            token: "t".into(),
            message: failed,
        });
        let at = |id, ts| Message {
            ts,
            ..general("an", &format!("{id}"), id)
        };
        state.apply(arrived(at(10, 60), Origin::Backlog));
        for id in [4, 5] {
            state.apply(arrived(at(id, 40), Origin::Page));
        }
        state.apply(page_end(true));
        assert_eq!(state.texts(), ["an: 4", "an: 5", "[Me] unsent", "an: 10"]);
    }

    #[test]
    fn the_list_is_trimmed_only_at_the_bottom_and_pages_come_back() {
        let mut state = State::new("minh");
        for id in 1..=(MAX_ROWS as u64 + 1) {
            state.apply(live(general("an", "x", id)));
        }
        state.history.more = false;
        state.trim(false);
        assert_eq!(state.rows.len(), MAX_ROWS + 1, "not while scrolled up");
        state.trim(true);
        assert_eq!(state.rows.len(), KEEP_ROWS);
        let oldest = MAX_ROWS as u64 + 2 - KEEP_ROWS as u64;
        assert_eq!(state.history.oldest, oldest);
        assert!(state.history.more, "fetched again when scrolled up");
        // A dropped message can come back in a page.
        state.apply(arrived(general("an", "x", oldest - 1), Origin::Page));
        state.apply(page_end(true));
        assert_eq!(state.rows.len(), KEEP_ROWS + 1);
    }

    #[test]
    fn a_gap_drops_what_no_longer_joins_up() {
        let mut state = State::new("minh");
        state.apply(live(general("an", "old", 3)));
        state.apply(live(said(Conversation::Direct("an".into()), "an", "dm", 4)));
        state.apply(Event::Gap {
            conversation: Conversation::general(),
            after: 4,
            before: 200,
        });
        state.apply(arrived(general("an", "new", 200), Origin::Backlog));
        assert_eq!(state.texts(), ["[PM from an] dm", "an: new"]);
        assert_eq!(state.history.oldest, 200);
        assert!(state.history.more);
    }

    #[test]
    fn new_messages_are_marked_from_the_read_position() {
        let mut state = State::new("minh");
        for id in [1, 2, 3] {
            state.apply(live(general("an", "x", id)));
        }
        assert_eq!(state.first_unread(), None);
        state.apply(Event::ReadUpTo {
            conversation: Conversation::general(),
            id: 1,
        });
        assert_eq!(state.read, 1);
        assert_eq!(state.first_unread(), Some(state.rows[1].key));
        assert_eq!(state.newest_general(), Some(3));
    }

    #[test]
    fn presence_and_files_stay_current() {
        let mut state = State::new("minh");
        state.apply(Event::Users {
            users: vec!["an".into(), "minh".into()],
        });
        state.apply(Event::Joined {
            user: "Bình".into(),
        });
        state.apply(Event::Left { user: "an".into() });
        assert_eq!(state.online.values().collect::<Vec<_>>(), ["Bình", "minh"]);
        state.apply(live(Message {
            body: Body::File {
                name: "a.png".into(),
                size: 3,
                sha256: Sha256Digest([0; 32]),
            },
            ..general("an", "", 1)
        }));
        assert_eq!(state.files["a.png"].uploader, "an");
    }

    #[test]
    fn downloads_open_when_asked_and_images_get_thumbnails() {
        let mut state = State::new("minh");
        state.started(7, Direction::Download, "a.png");
        state.open_when_done.insert(7);
        let effects = state.apply(Event::Downloaded {
            id: 7,
            name: "a.png".into(),
            path: "/c/a.png".into(),
        });
        assert_eq!(
            effects,
            [
                Effect::Thumbnail("/c/a.png".into()),
                Effect::Open("/c/a.png".into())
            ]
        );
        assert!(state.transfers.is_empty());
        assert_eq!(state.rows[0].image.as_deref(), Some(Path::new("/c/a.png")));
    }

    #[test]
    fn unread_counts_only_while_unfocused() {
        let mut state = State::new("minh");
        state.apply(live(general("an", "x", 1)));
        assert_eq!(state.unread, 0);
        state.focused = false;
        state.apply(live(general("an", "x", 2)));
        state.apply(arrived(general("an", "x", 3), Origin::Page));
        state.apply(Event::Joined { user: "b".into() });
        assert_eq!(state.unread, 1);
    }
}
