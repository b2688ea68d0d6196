//! What the library tells its caller: messages and their delivery, every
//! other server message it understood, transfer progress, and connection
//! changes.

use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

use media_chat_protocol::{Conversation, Preview, Sha256Digest, Visibility};
use media_chat_tls::Fingerprint;

use crate::cache::Cleared;
use crate::conversations::{ConversationInfo, Member};
use crate::message::{Change, Message};

/// Identifies one upload or download for progress, cancel and result.
pub type TransferId = u64;

/// One stored file on the server, as `LIST_FILES` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// The stored name.
    pub name: String,
    /// Length in bytes.
    pub size: u64,
    /// SHA-256 of the contents.
    pub sha256: Sha256Digest,
    /// Who uploaded it (empty if unknown).
    pub uploader: String,
    /// When it was stored, seconds since the Unix epoch.
    pub ts: u64,
}

/// The user's file space, as the server announces it (version 3): at
/// login, and whenever the user's stored files change.
/// [`crate::Client::quota`] holds the latest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// What the user's stored files take, in bytes (a file counts once,
    /// against its first uploader).
    pub used: u64,
    /// The user's quota in bytes; `None` when there is none.
    pub limit: Option<u64>,
    /// The largest upload the server would take now, in bytes: the least
    /// of what the user's quota, the server's total space and its free
    /// disk leave (the largest file size aside: see [`Event::Limits`]).
    pub left: u64,
}

/// A room, as [`crate::Client::list_rooms`] lists it: every public room,
/// and the private ones the user is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomInfo {
    /// The room.
    pub room: Conversation,
    /// Public or private.
    pub visibility: Visibility,
    /// How many members it has.
    pub members: u64,
    /// Its topic.
    pub topic: String,
}

/// One line of the server's audit log (what moderators and administrators
/// did), as [`crate::Client::load_audit`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When, as the server wrote it (RFC 3339, UTC).
    pub time: String,
    /// Who did it.
    pub actor: String,
    /// What (`ban`, `remove`, `reset-password`, `registration`…).
    pub action: String,
    /// To whom or what.
    pub target: String,
    /// More about it (a reason, a mode).
    pub detail: String,
}

impl AuditEntry {
    /// Reads `time|actor|action|target|detail`; missing fields are empty.
    pub fn parse(line: &str) -> AuditEntry {
        let mut fields = line.splitn(5, '|').map(str::to_owned);
        let mut next = || fields.next().unwrap_or_default();
        AuditEntry {
            time: next(),
            actor: next(),
            action: next(),
            target: next(),
            detail: next(),
        }
    }
}

/// One search result: the message (or file share) found, and where in its
/// text (or the file's name) the query's words are, as byte ranges on
/// character boundaries, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// The message found.
    pub message: Message,
    /// Where the words matched, for highlighting.
    pub matches: Vec<Range<usize>>,
}

/// How an [`Event::Message`] arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// As it happened.
    Live,
    /// In the welcome after logging in: what was missed (after a
    /// reconnect or a restart), or the latest messages (on a first login).
    Backlog,
    /// In a page of older messages.
    Page,
}

/// Which way a transfer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From this machine to the server.
    Upload,
    /// From the server into the download cache.
    Download,
}

/// Something that happened, delivered on [`crate::Client::events`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Logged in (also after a reconnect); `user` is the name as registered.
    LoggedIn {
        /// The user's registered name.
        user: String,
    },
    /// The server's upload limits.
    Limits {
        /// Largest accepted upload in bytes.
        max_file_size: u64,
        /// Accepted extensions, lower case, without the dot.
        allowed_extensions: Vec<String>,
    },
    /// Everyone online right after login (this user included).
    Users {
        /// The user names.
        users: Vec<String>,
    },
    /// A user came online.
    Joined {
        /// The user.
        user: String,
    },
    /// A user went offline.
    Left {
        /// The user.
        user: String,
    },
    /// A message: live, from the welcome's backlog, or from a page asked
    /// for with [`crate::Client::load_before`]. This user's own messages
    /// written in another session come this way too.
    Message {
        /// The message.
        message: Message,
        /// How it arrived.
        origin: Origin,
    },
    /// One of this client's own messages changed state: acknowledged,
    /// refused, or (right after [`Event::LoggedIn`] of a fresh start)
    /// still undelivered from the last run. Find it by `token` (the
    /// [`Message`] [`crate::Client::send_input`] returned, or a new one).
    Delivery {
        /// The token the message was sent with.
        token: String,
        /// The message in its new state.
        message: Message,
    },
    /// The welcome's backlog is complete: live messages follow.
    Synced,
    /// After a reconnect, more messages of `conversation` came while away
    /// than the welcome holds: those with `after < id < before` were left
    /// out (page back from `before` with [`crate::Client::load_before`]).
    Gap {
        /// Which conversation.
        conversation: Conversation,
        /// The last id this client had.
        after: u64,
        /// The oldest id the welcome holds for it.
        before: u64,
    },
    /// The end of a page asked for with [`crate::Client::load_before`].
    PageEnd {
        /// Which conversation.
        conversation: Conversation,
        /// Whether older messages exist.
        more: bool,
    },
    /// This user has read `conversation` up to `id` (said at login, and
    /// whenever another of their sessions reports reading).
    ReadUpTo {
        /// Which conversation.
        conversation: Conversation,
        /// The last message read.
        id: u64,
    },
    /// A human-readable notice from the server.
    Notify {
        /// The notice.
        text: String,
    },
    /// The server refused something this client asked for.
    ServerError {
        /// The server's reason.
        reason: String,
    },
    /// The answer to [`crate::Client::list_files`] (`#general`'s files)
    /// or [`crate::Client::list_files_in`].
    FileList {
        /// Whose files.
        conversation: Conversation,
        /// Every stored file, sorted by name.
        files: Vec<FileInfo>,
    },
    /// Bytes moved so far in a transfer.
    Progress {
        /// The transfer.
        id: TransferId,
        /// Upload or download.
        direction: Direction,
        /// The file name.
        name: String,
        /// Bytes done.
        done: u64,
        /// Bytes in all.
        total: u64,
    },
    /// An upload was stored; `name` is the stored name (it may differ from
    /// the local one when the name was taken).
    Uploaded {
        /// The transfer.
        id: TransferId,
        /// The stored name.
        name: String,
        /// Length in bytes.
        size: u64,
    },
    /// A download finished and its SHA-256 matched.
    Downloaded {
        /// The transfer.
        id: TransferId,
        /// The file name.
        name: String,
        /// Where it is in the cache.
        path: PathBuf,
    },
    /// A transfer failed; nothing partial is left behind.
    TransferFailed {
        /// The transfer.
        id: TransferId,
        /// Upload or download.
        direction: Direction,
        /// The file name.
        name: String,
        /// Why, for people.
        reason: String,
    },
    /// A transfer was cancelled by the caller; nothing partial is left.
    TransferCancelled {
        /// The transfer.
        id: TransferId,
        /// Upload or download.
        direction: Direction,
        /// The file name.
        name: String,
    },
    /// [`crate::Client::open`] could not hand a file to the system viewer.
    OpenFailed {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A file of `conversation` was deleted by `by` (its uploader, a
    /// moderator of the room, or an administrator), as event `id`: live,
    /// in the welcome's backlog or in a page. Its shares with ids below
    /// `id` now read [`crate::Body::FileDeleted`] (pages and welcomes
    /// bring them so; mark those a front holds with
    /// [`Message::file_deleted`]), and downloading it is refused.
    FileDeleted {
        /// The delete's event id.
        id: u64,
        /// Where the file was.
        conversation: Conversation,
        /// The stored name.
        name: String,
        /// Who deleted it.
        by: String,
        /// How it arrived.
        origin: Origin,
    },
    /// The user's file space changed, or was first announced (in the first
    /// welcome, after [`Event::Users`]): see [`crate::Client::quota`].
    Quota(Quota),
    /// [`crate::Client::clear_cache_in_background`] deleted the finished
    /// downloads.
    CacheCleared {
        /// What was freed.
        cleared: Cleared,
    },
    /// [`crate::Client::clear_cache_in_background`] failed.
    CacheNotCleared {
        /// Why, for people.
        reason: String,
    },
    /// A conversation of the user was added (a room created, joined or
    /// invited to; a first message in a direct or group conversation) or
    /// changed (role, topic; counts alone come as [`Event::Unread`]). At the
    /// end of every login's welcome, right before [`Event::Synced`], each
    /// conversation comes this way, in list order.
    /// [`crate::Client::conversations`] holds the same.
    Conversation {
        /// Its new state.
        info: ConversationInfo,
    },
    /// The unread and mention counts of a conversation changed: new
    /// events by others raised them, or the user read it (here or in
    /// another session). Said once a burst of events is over, not after
    /// each one.
    Unread {
        /// Which conversation.
        conversation: Conversation,
        /// Events by others not read.
        unread: u64,
        /// Of those, the ones that mention the user.
        mentions: u64,
    },
    /// The user is out of a conversation: left, removed or banned (the
    /// room's member event before it says by whom), or no longer listed at
    /// a new login. Nothing of it comes after.
    ConversationGone {
        /// Which one.
        conversation: Conversation,
        /// Why, for people (`you left`, `removed by an`, …).
        reason: String,
    },
    /// Plain lines now go to `conversation` ([`crate::Client::go`], a room
    /// just created or joined, or `#general` again when the current one is
    /// gone).
    CurrentChanged {
        /// The current conversation.
        conversation: Conversation,
    },
    /// The answer to [`crate::Client::load_members`]: every member.
    Members {
        /// Whose members.
        conversation: Conversation,
        /// In name order.
        members: Vec<Member>,
    },
    /// The answer to [`crate::Client::list_rooms`].
    RoomList {
        /// By name.
        rooms: Vec<RoomInfo>,
    },
    /// A new single-use invitation code (administrators), for someone to
    /// register with on an invite-only server.
    InviteCode {
        /// The code.
        code: String,
    },
    /// A message shown earlier changed: edited or deleted, or its
    /// reactions (then [`Change::reactions`] holds them all; from a page
    /// or the welcome, `by` is empty). Fronts find it by id and
    /// [`Message::apply`] the change, keeping the reactions beside it.
    Changed {
        /// The change's own event id (its order among changes).
        id: u64,
        /// Where the message is.
        conversation: Conversation,
        /// The message's id.
        target: u64,
        /// Who changed it.
        by: String,
        /// What happened.
        change: Change,
        /// Live, from the welcome's backlog, or from a page.
        origin: Origin,
    },
    /// Someone is typing in `conversation` (not this user). A front shows
    /// "an is typing…" until [`TYPING_SHOWN`](crate::TYPING_SHOWN) passes
    /// without another, or their message arrives.
    Typing {
        /// Where.
        conversation: Conversation,
        /// Who.
        user: String,
    },
    /// The user blocked (`on`) or unblocked `user`, in this session or
    /// another: a front hides (or shows again) their messages.
    Blocked {
        /// The user, as registered.
        user: String,
        /// Blocked or unblocked.
        on: bool,
    },
    /// The user muted (`on`) or unmuted `conversation`, in this session or
    /// another (its [`crate::ConversationInfo::muted`] says so too).
    Muted {
        /// The conversation.
        conversation: Conversation,
        /// Muted or unmuted.
        on: bool,
    },
    /// The answer to the [`crate::Client::search`] that returned `token`:
    /// the messages and files found, best first.
    SearchResults {
        /// The search's token.
        token: String,
        /// What was found.
        hits: Vec<SearchHit>,
        /// Whether more matched than were sent.
        more: bool,
    },
    /// The [`crate::Client::search`] that returned `token` was refused, or
    /// its connection dropped before the answer.
    SearchFailed {
        /// The search's token.
        token: String,
        /// Why, for people.
        reason: String,
    },
    /// The answer to [`crate::Client::load_audit`].
    AuditLog {
        /// Oldest first.
        entries: Vec<AuditEntry>,
    },
    /// A file was just shared and the server is making its preview
    /// ([`crate::ClientConfig::previews`] on): [`Event::PreviewReady`]
    /// follows.
    PreviewPending {
        /// Whose file.
        conversation: Conversation,
        /// Its stored name.
        name: String,
        /// Its contents' SHA-256.
        sha256: Sha256Digest,
    },
    /// A shared file's preview is made (`None`: the server could make
    /// none), live ([`crate::ClientConfig::previews`] on) or in answer to
    /// [`crate::Client::fetch_preview`]. `share` is the file's message
    /// with the preview set, if this client has it.
    PreviewReady {
        /// Whose file.
        conversation: Conversation,
        /// Its stored name.
        name: String,
        /// Its contents' SHA-256.
        sha256: Sha256Digest,
        /// The preview.
        preview: Option<Preview>,
        /// The share, updated, for a front to draw again.
        share: Option<Message>,
    },
    /// The answer to [`crate::Client::fetch_preview`]: the preview and its
    /// bytes (a PNG thumbnail, a text's first lines; empty for a PDF or a
    /// sound), kept in the cache by the file's hash.
    PreviewFetched {
        /// Whose file.
        conversation: Conversation,
        /// Its stored name.
        name: String,
        /// Its contents' SHA-256.
        sha256: Sha256Digest,
        /// The preview.
        preview: Preview,
        /// Its bytes.
        data: Vec<u8>,
        /// Where the bytes are in the cache (`None` if they could not be
        /// kept there).
        path: Option<PathBuf>,
    },
    /// The connection was lost (not after [`crate::Client::quit`]).
    Disconnected {
        /// Why, for people.
        reason: String,
    },
    /// Reconnecting found a different certificate from the one accepted
    /// before: someone may be impersonating the server. The client stops
    /// trying (nothing more comes of this connection) and what waited to
    /// be sent is reported failed; only the user can decide, by accepting
    /// the new certificate and logging in again, or not.
    CertificateChanged {
        /// The fingerprint accepted before.
        pinned: Fingerprint,
        /// The fingerprint presented now.
        presented: Fingerprint,
        /// The whole warning, for people (it says what to do).
        reason: String,
    },
    /// A reconnect attempt is about to be made after `delay`.
    Reconnecting {
        /// 1 for the first attempt.
        attempt: u32,
        /// The wait before this attempt.
        delay: Duration,
    },
}
