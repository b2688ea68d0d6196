//! Plain data: what the window shows. [`State::apply`] folds each client
//! event in; nothing here touches a socket, the disk or egui.
//!
//! Each conversation has a [`Timeline`] of its own (its rows, paging
//! cursor and read position); the pane shows the current one. A message
//! goes to its conversation's timeline; what the user sends to another
//! conversation than the one in view (`@name text`, `#room text`) shows in
//! both, so it is seen where it was typed. Notices (transfers, errors) go
//! to the view in front of the user, presence notices to `#general`. The
//! sidebar's list comes from the engine's conversation events
//! ([`ConversationList`]). The `@` pop-up's names come from `names`.
//! Reactions are kept by message id beside the rows ([`ReactionBook`]),
//! and the search panel's answer in [`Search`].

pub mod alerts;
pub mod conversations;
pub mod grouping;
mod names;
pub mod previews;
pub mod reactions;
pub mod search;
pub mod timeline;
pub mod typing;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use media_chat_client::display::{self, Tone};
use media_chat_client::phrases::Phrases;
use media_chat_client::{
    Body, Conversation, Direction, Event, Fingerprint, Member, Message, Origin, Preview, Quota,
    RoomInfo, TransferId, conversation_key, same,
};

use crate::i18n::Language;
use crate::state::alerts::alert_for;

pub use alerts::Alert;
pub use conversations::ConversationList;
pub use previews::{PreviewEntry, Previews, Wanted};
pub use reactions::ReactionBook;
pub use search::Search;
pub use timeline::{History, Item, KEEP_ROWS, MAX_ROWS, Row, Timeline};
pub use typing::Typing;

/// A file of a conversation, for the side panel.
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
    /// Reconnecting found a different certificate: no more attempts until
    /// the user decides.
    CertificateChanged {
        /// The fingerprint accepted before.
        pinned: Fingerprint,
        /// The fingerprint presented now.
        presented: Fingerprint,
    },
    /// Waiting to reconnect.
    Reconnecting {
        /// Which attempt comes next.
        attempt: u32,
        /// After how long.
        delay: Duration,
    },
}

/// Something [`State::apply`] asks the app to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Open this file with the system viewer.
    Open(PathBuf),
    /// Make a thumbnail of this downloaded image.
    Thumbnail(PathBuf),
    /// No program opens this file: say so, and offer its folder and path.
    Unopened(PathBuf),
    /// The download cache was emptied: forget the pictures of its files.
    Forget,
    /// Ask for a shared file's preview.
    FetchPreview(Wanted),
}

/// Everything the chat screen shows.
#[derive(Debug, Clone)]
pub struct State {
    /// The logged-in user's name.
    pub me: String,
    /// The conversation in view, where plain lines go.
    pub current: Conversation,
    /// Each conversation's view, by conversation key.
    timelines: BTreeMap<String, Timeline>,
    /// The sidebar's conversations.
    pub conversations: ConversationList,
    /// Member lists loaded, by conversation key.
    pub members: HashMap<String, Vec<Member>>,
    /// The rooms the server listed (for the browse dialog), once asked.
    pub rooms: Option<Vec<RoomInfo>>,
    /// Who is online, by lower-case name.
    pub online: BTreeMap<String, String>,
    /// Files by conversation key, then by name.
    pub files: HashMap<String, BTreeMap<String, SharedFile>>,
    /// Running transfers.
    pub transfers: BTreeMap<TransferId, Transfer>,
    /// The connection.
    pub link: Link,
    /// The server's upload limits, once announced.
    pub max_file_size: Option<u64>,
    /// Messages that arrived while the window was not focused (the title's
    /// count on a version 2 server, which counts nothing itself).
    pub unread: usize,
    /// Whether the window has focus (set by the app each frame).
    pub focused: bool,
    /// Downloads to open once verified (Get File, as in the seed).
    pub open_when_done: HashSet<TransferId>,
    /// The download cache is being cleared (off the UI thread).
    pub clearing: bool,
    /// The server speaks version 3 (ids, paging, read positions, rooms).
    pub v3: bool,
    /// The welcome's backlog is all in (until the next login): before
    /// that a pane short of rows is only half filled, not at its top.
    pub synced: bool,
    /// When the connection was lost (seconds since the Unix epoch), while
    /// it is down.
    pub offline_since: Option<u64>,
    /// The language of the lines this state writes itself.
    pub language: Language,
    /// Each message's reactions, by message id.
    pub reactions: ReactionBook,
    /// The search panel's query and answer.
    pub search: Search,
    /// Who is typing where.
    pub typing: Typing,
    /// Whom the user blocks, lower case: their messages are collapsed.
    pub blocked: BTreeSet<String>,
    /// Desktop notifications to show (the app takes them each frame).
    pub alerts: Vec<Alert>,
    /// The user's file quota, as the server last announced it.
    pub quota: Option<Quota>,
    /// Shared files' previews.
    pub previews: Previews,
}

impl State {
    /// An empty chat for `me`, in `#general`.
    pub fn new(me: &str) -> Self {
        let general = Conversation::general();
        let mut timelines = BTreeMap::new();
        timelines.insert(conversation_key(&general), Timeline::new(general.clone()));
        State {
            me: me.to_owned(),
            current: general,
            timelines,
            conversations: ConversationList::default(),
            members: HashMap::new(),
            rooms: None,
            online: BTreeMap::new(),
            files: HashMap::new(),
            quota: None,
            transfers: BTreeMap::new(),
            link: Link::Up,
            max_file_size: None,
            unread: 0,
            focused: true,
            open_when_done: HashSet::new(),
            clearing: false,
            v3: true,
            synced: false,
            offline_since: None,
            language: Language::default(),
            reactions: ReactionBook::default(),
            search: Search::default(),
            typing: Typing::default(),
            blocked: BTreeSet::new(),
            alerts: Vec::new(),
            previews: Previews::default(),
        }
    }

    /// The view in front of the user.
    pub fn timeline(&self) -> &Timeline {
        self.timelines
            .get(&conversation_key(&self.current))
            .expect("the current conversation always has a timeline")
    }

    /// The view in front of the user, to change.
    pub fn timeline_mut(&mut self) -> &mut Timeline {
        let current = self.current.clone();
        self.timeline_of(&current)
    }

    /// The view of `conversation`, made if new.
    pub fn timeline_of(&mut self, conversation: &Conversation) -> &mut Timeline {
        self.timelines
            .entry(conversation_key(conversation))
            .or_insert_with(|| Timeline::new(conversation.clone()))
    }

    /// The text of every row of the current view as shown, oldest first
    /// (for tests and logs).
    pub fn texts(&self) -> Vec<String> {
        self.timeline().texts(&self.me, self.words())
    }

    /// The engine's chat lines in the window's language.
    fn words(&self) -> &'static Phrases {
        &self.language.strings().lines
    }

    /// Adds a notice to the view in front of the user.
    pub fn push(&mut self, tone: Tone, text: impl Into<String>) {
        self.timeline_mut().push(tone, text);
    }

    /// Shows what the user just sent (pending), as the seed did: `[Me] …`
    /// or `[PM → x] …`, in its conversation and in the view it was typed
    /// in.
    pub fn sent(&mut self, message: &Message) {
        self.timeline_of(&message.conversation).sent(message);
        if !same(&message.conversation, &self.current) {
            self.timeline_mut().sent(message);
        }
    }

    /// Puts `conversation` in view. Messages after the read position are
    /// marked new.
    pub fn go(&mut self, conversation: Conversation) {
        let timeline = self.timeline_of(&conversation);
        timeline.conversation = conversation.clone();
        timeline.read_marker = Some(timeline.read);
        self.current = conversation;
    }

    /// Whether the user blocks `user`.
    pub fn blocks(&self, user: &str) -> bool {
        self.blocked.contains(&user.to_lowercase())
    }

    /// Whether `row` is a message from someone the user blocks (hidden
    /// behind a collapsed line).
    pub fn hidden(&self, row: &Row) -> bool {
        row.message().is_some_and(|m| self.blocks(&m.author))
    }

    /// Whether the user owns or moderates the conversation in view, and so
    /// may delete anyone's message there and change its topic.
    pub fn moderates_here(&self) -> bool {
        self.current_info().is_some_and(|i| {
            matches!(
                i.role,
                media_chat_client::Role::Owner | media_chat_client::Role::Moderator
            )
        })
    }

    /// The current conversation's details.
    pub fn current_info(&self) -> Option<&media_chat_client::ConversationInfo> {
        self.conversations.get(&self.current)
    }

    /// The members of the current conversation, if loaded.
    pub fn current_members(&self) -> Option<&[Member]> {
        self.members
            .get(&conversation_key(&self.current))
            .map(Vec::as_slice)
    }

    /// The current conversation's files.
    pub fn current_files(&self) -> Option<&BTreeMap<String, SharedFile>> {
        self.files.get(&conversation_key(&self.current))
    }

    /// What the window title counts: every unread event the server counts
    /// (version 3), or what arrived while the window was away (version 2).
    pub fn total_unread(&self) -> u64 {
        if self.v3 {
            self.conversations.total_unread()
        } else {
            self.unread as u64
        }
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

    /// The tokens of the failed own messages in the view in front of the
    /// user (for `/retry` and `/discard`).
    pub fn failed_tokens(&self) -> Vec<String> {
        self.timeline()
            .rows
            .iter()
            .filter_map(Row::message)
            .filter(|m| m.is_failed())
            .filter_map(|m| m.token().map(str::to_owned))
            .collect()
    }

    /// Forgets a failed message the user discarded.
    pub fn discard(&mut self, token: &str) {
        for timeline in self.timelines.values_mut() {
            timeline.discard(token);
        }
    }

    /// Drops the oldest rows of the current view (see [`Timeline::trim`]).
    pub fn trim(&mut self, at_bottom: bool) {
        let v3 = self.v3;
        self.timeline_mut().trim(at_bottom, v3);
    }

    /// Folds one client event in; returns what the app must do about it.
    pub fn apply(&mut self, event: Event) -> Vec<Effect> {
        let effects = self.update(&event);
        match event {
            Event::Message { message, origin } => self.message(message, origin),
            Event::Delivery { token, message } => self.delivery(&token, message),
            Event::Changed {
                id,
                conversation,
                target,
                change,
                ..
            } => {
                self.reactions.change(target, &change);
                self.timeline_of(&conversation).change(id, target, &change);
            }
            Event::Downloaded { ref path, .. } => {
                self.notice(&event);
                if is_image(path) {
                    self.timeline_mut().attach_image(path.clone());
                }
            }
            Event::Joined { .. } | Event::Left { .. } => {
                if let Some(shown) = display::event(&event, &self.me, self.words()) {
                    self.timeline_of(&Conversation::general())
                        .push(shown.tone, shown.text);
                }
            }
            // The header names the conversation in view.
            Event::CurrentChanged { .. } => {}
            // Said in plain words (see `Effect::Unopened`).
            Event::OpenFailed { .. } => {}
            // The share's own message ("[i] minh shared …"), which the
            // server sends the uploader too, is the one line a share gets.
            Event::Uploaded { .. } => {}
            // Drawn as the share's card (see `ui::preview_card`), not as a
            // line of their own.
            Event::PreviewPending { .. }
            | Event::PreviewReady { .. }
            | Event::PreviewFetched { .. } => {}
            other => self.notice(&other),
        }
        effects
    }

    /// The event's line, if it has one, in the view in front of the user.
    fn notice(&mut self, event: &Event) {
        if let Some(shown) = display::event_in(event, &self.me, &self.current, self.words()) {
            self.push(shown.tone, shown.text);
        }
    }

    fn message(&mut self, message: Message, origin: Origin) {
        let counts = !self.focused
            && origin == Origin::Live
            && message.author != self.me
            && matches!(message.body, Body::Text(_));
        let conversation = message.conversation.clone();
        if self.timeline_of(&conversation).message(message, origin) && counts {
            self.unread += 1;
        }
    }

    fn delivery(&mut self, token: &str, message: Message) {
        let mut shown = false;
        for timeline in self.timelines.values_mut() {
            shown |= timeline.delivery(token, &message);
        }
        if !shown {
            // Undelivered from the last run, or sent by a front that
            // forgot it: shown now.
            self.timeline_of(&message.conversation.clone())
                .undelivered(message);
        }
    }

    /// The connection is down: since now, unless it was already.
    fn went_offline(&mut self) {
        self.typing.clear();
        if self.offline_since.is_none() {
            let now = chrono::Local::now().timestamp();
            self.offline_since = Some(u64::try_from(now).unwrap_or_default());
        }
    }

    /// Presence changed: member lists follow.
    fn presence(&mut self, user: &str, online: bool) {
        let key = user.to_lowercase();
        for members in self.members.values_mut() {
            for member in members.iter_mut() {
                if member.user.to_lowercase() == key {
                    member.online = online;
                }
            }
        }
    }

    /// What an event changes besides the rows: who is online, the files,
    /// the transfers, the connection, paging, read positions and the
    /// conversations.
    fn update(&mut self, event: &Event) -> Vec<Effect> {
        let mut effects = Vec::new();
        match event {
            Event::LoggedIn { user } => {
                if self.link != Link::Up {
                    self.push(Tone::Success, self.language.strings().reconnected);
                }
                self.me = user.clone();
                self.link = Link::Up;
                self.synced = false;
                self.offline_since = None;
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
                self.presence(user, true);
            }
            Event::Left { user } => {
                self.online.remove(&user.to_lowercase());
                self.presence(user, false);
            }
            Event::Message { message, origin } => {
                self.typing.said(&message.conversation, &message.author);
                if *origin == Origin::Live
                    && let Some(alert) = alert_for(self, message, self.language.strings())
                {
                    self.alerts.push(alert);
                }
                if let Body::File { name, sha256, .. } = &message.body
                    && self.v3
                    && let Some(wanted) = self.previews.shared(&message.conversation, name, *sha256)
                {
                    effects.push(Effect::FetchPreview(wanted));
                }
                if let Body::File { name, size, .. } = &message.body {
                    let files = self
                        .files
                        .entry(conversation_key(&message.conversation))
                        .or_default();
                    match files.get_mut(name) {
                        // The same stored name is the same content shared
                        // again (other content gets a name of its own):
                        // the server keeps its first uploader, and so does
                        // the list.
                        Some(known) => known.size = *size,
                        None => {
                            let shared = SharedFile {
                                name: name.clone(),
                                size: *size,
                                uploader: message.author.clone(),
                            };
                            files.insert(name.clone(), shared);
                        }
                    }
                }
            }
            Event::Gap {
                conversation,
                before,
                ..
            } => self.timeline_of(conversation).gap(*before),
            Event::PageEnd { conversation, more } => {
                self.timeline_of(conversation).page_end(*more);
            }
            Event::ReadUpTo { conversation, id } => self.timeline_of(conversation).read_up_to(*id),
            Event::FileList {
                conversation,
                files,
            } => {
                let files = files
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
                self.files.insert(conversation_key(conversation), files);
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
                self.went_offline();
                self.link = Link::Lost {
                    reason: reason.clone(),
                };
                for timeline in self.timelines.values_mut() {
                    timeline.page_cut();
                }
            }
            Event::Reconnecting { attempt, delay } => {
                self.went_offline();
                self.link = Link::Reconnecting {
                    attempt: *attempt,
                    delay: *delay,
                }
            }
            Event::CertificateChanged {
                pinned, presented, ..
            } => {
                self.went_offline();
                self.link = Link::CertificateChanged {
                    pinned: *pinned,
                    presented: *presented,
                }
            }
            Event::CacheCleared { .. } => {
                self.clearing = false;
                for timeline in self.timelines.values_mut() {
                    timeline.detach_images();
                }
                effects.push(Effect::Forget);
            }
            Event::CacheNotCleared { .. } => self.clearing = false,
            Event::OpenFailed { path, reason } => {
                tracing::debug!(path = %path.display(), reason, "no program opens it");
                effects.push(Effect::Unopened(path.clone()));
            }
            Event::Conversation { info } => {
                // The server's spelling names the view from now on.
                if let Some(timeline) = self
                    .timelines
                    .get_mut(&conversation_key(&info.conversation))
                {
                    timeline.conversation = info.conversation.clone();
                }
                if same(&info.conversation, &self.current) {
                    self.current = info.conversation.clone();
                }
                self.conversations.upsert(info.clone());
            }
            Event::Unread {
                conversation,
                unread,
                mentions,
            } => self.conversations.counts(conversation, *unread, *mentions),
            Event::ConversationGone { conversation, .. } => {
                self.conversations.remove(conversation);
                self.members.remove(&conversation_key(conversation));
                if same(conversation, &self.current) {
                    self.go(Conversation::general());
                }
            }
            Event::CurrentChanged { conversation } => {
                if !same(conversation, &self.current) {
                    self.go(conversation.clone());
                }
            }
            Event::Members {
                conversation,
                members,
            } => {
                self.members
                    .insert(conversation_key(conversation), members.clone());
            }
            Event::RoomList { rooms } => self.rooms = Some(rooms.clone()),
            Event::Synced => self.synced = true,
            Event::Delivery { .. }
            | Event::Notify { .. }
            | Event::ServerError { .. }
            | Event::InviteCode { .. }
            | Event::AuditLog { .. }
            // Applied to the message's row (see `Timeline::change`).
            | Event::Changed { .. }
            // A notice line (see `apply`); a mute also changes the list.
            | Event::Blocked { .. }
            | Event::Muted { .. }
            => {}
            Event::FileDeleted {
                id,
                conversation,
                name,
                ..
            } => {
                if let Some(files) = self.files.get_mut(&conversation_key(conversation)) {
                    files.remove(name);
                }
                self.timeline_of(conversation).file_deleted(*id, name);
            }
            Event::Quota(quota) => self.quota = Some(*quota),
            Event::PreviewPending { sha256, .. } => self.previews.pending(*sha256),
            Event::PreviewReady {
                conversation,
                name,
                sha256,
                preview,
                ..
            } => {
                if self.previews.ready(*sha256, preview.clone()) {
                    effects.push(Effect::FetchPreview(Wanted {
                        conversation: conversation.clone(),
                        name: name.clone(),
                    }));
                }
            }
            Event::PreviewFetched {
                sha256,
                preview,
                data,
                path,
                ..
            } => {
                if let (Preview::Image { .. }, Some(path)) = (preview, path) {
                    effects.push(Effect::Thumbnail(path.clone()));
                }
                self.previews
                    .fetched(*sha256, preview.clone(), data, path.clone());
            }
            Event::Typing { conversation, user } => {
                self.typing.heard(conversation, user, std::time::Instant::now());
            }
            Event::SearchResults { token, hits, more } => {
                self.search.results(token, hits, *more);
            }
            Event::SearchFailed { token, reason } => self.search.failed(token, reason),
        }
        effects
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
mod tests;
