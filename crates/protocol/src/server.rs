//! Every line the server sends to a client.

use crate::conversation::Conversation;
use crate::digest::Sha256Digest;
use crate::error::{EncodeError, ParseError};
use crate::event::EventLine;
use crate::fields::{FieldReader, LineWriter, split_list, split_verb};
use crate::found::FoundLine;
use crate::preview::PreviewStatus;
use crate::reaction::Reactions;
use crate::room::{ConversationKind, Role, Visibility};
use crate::{EncodeLine, ParseLine};

/// A message from the server to a client.
///
/// A version 1 client (one that never said `HELLO`) only ever receives
/// `LOGIN_OK`, `ERROR`, `NOTIFY`, `TEXT`, `DM` and the two-field form of
/// `FILE_TRANSFER`, the seed's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerMessage {
    /// `HELLO|version`: the version the server will speak on this connection.
    Hello {
        /// The agreed version.
        version: u64,
    },
    /// `LOGIN_OK|user`: the login succeeded; `user` is the name as registered.
    LoginOk {
        /// The user's registered name.
        user: String,
    },
    /// `ERROR|reason`: a request was refused; `reason` is for humans.
    Error {
        /// What went wrong.
        reason: String,
    },
    /// `NOTIFY|text`: a human-readable event (joins, leaves, shares).
    Notify {
        /// The event, as a sentence.
        text: String,
    },
    /// `TEXT|from|message`: a public message.
    Text {
        /// The sender.
        from: String,
        /// The message text.
        text: String,
    },
    /// `DM|from|message`: a private message to the receiving user.
    Dm {
        /// The sender.
        from: String,
        /// The message text.
        text: String,
    },
    /// `FILE_READY|name` (v2): send the body of the announced upload now.
    FileReady {
        /// The name from the client's `FILE` line.
        name: String,
    },
    /// `FILE_TRANSFER|name|size` (v1) or `FILE_TRANSFER|name|size|sha256`
    /// (v2), followed by `size` bytes and `\n`.
    FileTransfer {
        /// The stored file's name.
        name: String,
        /// The body length in bytes.
        size: u64,
        /// The body's SHA-256 (version 2 only).
        sha256: Option<Sha256Digest>,
    },
    /// `FILE_SHARED|user|name|size|sha256` (v2): a file was stored.
    FileShared {
        /// Who uploaded it.
        user: String,
        /// The name it is stored under (may differ from the uploaded name).
        name: String,
        /// Its length in bytes.
        size: u64,
        /// Its SHA-256.
        sha256: Sha256Digest,
    },
    /// `USERS|a,b,c` (v2): users online now. A long list is split over
    /// several lines, each adding to the set.
    Users {
        /// The user names.
        users: Vec<String>,
    },
    /// `JOINED|user` (v2): a user came online.
    Joined {
        /// The user.
        user: String,
    },
    /// `LEFT|user` (v2): a user's last session ended.
    Left {
        /// The user.
        user: String,
    },
    /// `HISTORY|unix_ts|entry…` (v2): one past event, oldest first.
    History {
        /// When it happened, in seconds since the Unix epoch.
        ts: u64,
        /// What happened.
        entry: HistoryEntry,
    },
    /// `HISTORY_END` (v2): the history replay after login is over.
    HistoryEnd,
    /// `FILE_INFO|name|size|sha256|uploader|unix_ts` (v2): one stored file.
    FileInfo {
        /// The stored name.
        name: String,
        /// Its length in bytes.
        size: u64,
        /// Its SHA-256.
        sha256: Sha256Digest,
        /// Who uploaded it (empty if unknown).
        uploader: String,
        /// When it was stored, in seconds since the Unix epoch.
        ts: u64,
    },
    /// `FILES_END` (v2): the end of a `LIST_FILES` answer;
    /// `FILES_END|conversation` (v3): the end of a `FILES` answer.
    FilesEnd {
        /// Whose files were listed; `None` for `LIST_FILES` (`#general`).
        conversation: Option<Conversation>,
    },
    /// `LIMITS|max_file_size|ext,ext` (v2): the server's upload limits.
    Limits {
        /// The largest accepted upload in bytes.
        max_file_size: u64,
        /// Accepted extensions, lower case, without the dot.
        allowed_extensions: Vec<String>,
    },
    /// `PING|token`: the client must answer `PONG|token`.
    Ping {
        /// An opaque token.
        token: String,
    },
    /// `PONG|token`: the answer to a client's `PING|token`.
    Pong {
        /// The client's token.
        token: String,
    },
    /// `EVENT|id|ts|conversation|kind|…` (v3): a stored event, live or in
    /// the welcome's backlog or a page.
    Event(EventLine),
    /// `ACK|token|id|ts` (v3): the client's `SEND` with this token is
    /// stored as event `id`.
    Ack {
        /// The client's token.
        token: String,
        /// The stored event's id.
        id: u64,
        /// When it was stored, in seconds since the Unix epoch.
        ts: u64,
    },
    /// `REJECTED|token|reason` (v3): the client's `SEND` was refused.
    Rejected {
        /// The client's token.
        token: String,
        /// Why, for humans.
        reason: String,
    },
    /// `READ|conversation|id` (v3): the user has read the conversation up
    /// to `id` (at login, and whenever another of their sessions says so).
    ReadUpTo {
        /// Which conversation.
        conversation: Conversation,
        /// The last event read.
        id: u64,
    },
    /// `GAP|conversation|after|before` (v3, in the welcome): events of the
    /// conversation with `after < id < before` were left out; page them
    /// with `BEFORE`.
    Gap {
        /// Which conversation.
        conversation: Conversation,
        /// The client's last id (from `RESUME`).
        after: u64,
        /// The oldest event of the conversation that was sent.
        before: u64,
    },
    /// `SYNCED|last_id` (v3): the welcome's backlog is over; live events
    /// follow, each with an id above `last_id`.
    Synced {
        /// The highest event id stored when the backlog was read.
        last_id: u64,
    },
    /// `PAGE_END|conversation|more` (v3): the end of a `BEFORE` answer;
    /// `more` says whether older events exist.
    PageEnd {
        /// Which conversation.
        conversation: Conversation,
        /// Whether there are older events.
        more: bool,
    },
    /// `TRANSFER_TOKEN|token` (v3): a single-use token for `TRANSFER`.
    TransferToken {
        /// The token.
        token: String,
    },
    /// `TRANSFER_OK|user` (v3): a transfer connection is logged in.
    TransferOk {
        /// The user it acts for.
        user: String,
    },
    /// `CONV|conversation|kind|role|unread|mentions|topic` (v3): one of the
    /// user's conversations, at login and whenever one is added.
    Conv {
        /// The conversation.
        conversation: Conversation,
        /// What kind it is.
        kind: ConversationKind,
        /// The user's role in it.
        role: Role,
        /// Events after the user's read position, by others (counted up to
        /// 100: show 100 as "99+").
        unread: u64,
        /// Of those, the ones that mention the user (up to 100).
        mentions: u64,
        /// A room's topic (the last field; empty otherwise).
        topic: String,
    },
    /// `GONE|conversation|reason` (v3): the user is no longer in the
    /// conversation (left, removed, banned).
    Gone {
        /// The conversation.
        conversation: Conversation,
        /// Why, for people.
        reason: String,
    },
    /// `ROOM_INFO|#room|visibility|members|topic` (v3): a room, in answer
    /// to `ROOMS`.
    RoomInfo {
        /// The room.
        room: Conversation,
        /// Public or private.
        visibility: Visibility,
        /// How many members it has.
        members: u64,
        /// Its topic (the last field).
        topic: String,
    },
    /// `ROOMS_END` (v3): the end of a `ROOMS` answer.
    RoomsEnd,
    /// `INVITE_CODE|code` (v3): a new invitation code, for an
    /// administrator to hand out.
    InviteCode {
        /// The code.
        code: String,
    },
    /// `AUDIT_LINE|line` (v3): one line of the audit log (the last field:
    /// `time|actor|action|target|detail`).
    AuditLine {
        /// The line.
        line: String,
    },
    /// `AUDIT_END` (v3): the end of an `AUDIT` answer.
    AuditEnd,
    /// `MEMBER_INFO|conversation|user|role|online` (v3): one member, in
    /// answer to `MEMBERS`.
    MemberInfo {
        /// The conversation.
        conversation: Conversation,
        /// The member.
        user: String,
        /// Their role.
        role: Role,
        /// Whether they have a session online.
        online: bool,
    },
    /// `TYPING|conversation|user` (v3): `user` is typing in `conversation`
    /// (a notice: not stored, no id; gone after 6 s without another, or
    /// when their message arrives).
    Typing {
        /// Where.
        conversation: Conversation,
        /// Who.
        user: String,
    },
    /// `REACTIONS|conversation|id|latest|users|reaction|users|reaction…`
    /// (v3): the reactions message `id` has, as of its newest `REACT`
    /// event `latest`: pairs of who (comma-separated) and what, none for a
    /// message whose reactions were all taken back. In pages and the
    /// welcome, after the events; a client keeps the set with the highest
    /// `latest` (or `REACT` id) it has seen for a message.
    Reactions {
        /// Where the message is.
        conversation: Conversation,
        /// The message's id.
        id: u64,
        /// The id of the newest `REACT` event on it.
        latest: u64,
        /// Its reactions.
        reactions: Reactions,
    },
    /// `BLOCKED|user` or `UNBLOCKED|user` (v3): the user blocks (or no
    /// longer blocks) `user`; at login, one `BLOCKED` per block.
    Blocked {
        /// The blocked user, as registered.
        user: String,
        /// Blocked (`BLOCKED`) or not any more (`UNBLOCKED`).
        on: bool,
    },
    /// `MUTED|conversation` or `UNMUTED|conversation` (v3): the user muted
    /// (or unmuted) it; at login, one `MUTED` per muted conversation.
    Muted {
        /// The conversation.
        conversation: Conversation,
        /// Muted (`MUTED`) or not any more (`UNMUTED`).
        on: bool,
    },
    /// `FOUND|token|matches|id|ts|conversation|kind|…` (v3): one result of
    /// a `SEARCH`, best first.
    Found(FoundLine),
    /// `SEARCH_END|token|more` (v3): the end of a `SEARCH` answer; `more`
    /// says whether more matched than were sent.
    SearchEnd {
        /// The search's token.
        token: String,
        /// Whether more results exist.
        more: bool,
    },
    /// `SEARCH_FAILED|token|reason` (v3): the `SEARCH` was refused (a query
    /// that cannot be read, a conversation the user is not in, too many
    /// searches); no `FOUND` or `SEARCH_END` follows.
    SearchFailed {
        /// The search's token.
        token: String,
        /// Why, for humans.
        reason: String,
    },
    /// `PREVIEW|conversation|name|sha256|kind|…` (v3): where the preview
    /// of the file `name` (of these contents) stands: `pending` right
    /// after its share, then ready (or `none`) when the server has made
    /// it; and first in the answer to a client's `PREVIEW`. See
    /// [`PreviewStatus`].
    Preview {
        /// Whose file.
        conversation: Conversation,
        /// The file's stored name.
        name: String,
        /// The file's SHA-256 (a preview is of these contents).
        sha256: Sha256Digest,
        /// Pending, ready, or none.
        status: PreviewStatus,
    },
    /// `PREVIEWS|on` (v3): the answer to a client's `PREVIEWS|on`.
    Previews {
        /// Whether the session is now told of previews.
        on: bool,
    },
    /// `QUOTA|used|limit|left` (v3): the user's file space, in bytes, in
    /// the welcome, in answer to `QUOTA`, and (after a `QUOTA`) whenever
    /// the user's stored files change.
    Quota {
        /// What the user's stored files take (a file counts against its
        /// first uploader, once).
        used: u64,
        /// The per-user quota; 0 when there is none.
        limit: u64,
        /// The largest upload the server would take now: the least of
        /// what the user's quota, the server's total and its free disk
        /// leave (the largest file size aside, in `LIMITS`).
        left: u64,
    },
    /// `PREVIEW_DATA|conversation|name|size` (v3), followed by `size` bytes
    /// and `\n`: a preview's thumbnail or first lines, right after its
    /// `PREVIEW` line, in answer to a client's `PREVIEW` (empty for a PDF
    /// or a sound).
    PreviewData {
        /// Whose file.
        conversation: Conversation,
        /// The file's stored name.
        name: String,
        /// The body length in bytes.
        size: u64,
    },
    /// `MEMBERS_END|conversation|more` (v3): the end of a `MEMBERS` page;
    /// `more` says whether another page follows.
    MembersEnd {
        /// The conversation.
        conversation: Conversation,
        /// Whether there are more members after this page.
        more: bool,
    },
}

/// One replayed event inside a `HISTORY` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryEntry {
    /// `TEXT|from|message`: a public message.
    Text {
        /// The sender.
        from: String,
        /// The message text.
        text: String,
    },
    /// `DM|from|to|message`: a private message to or from the receiving user.
    Dm {
        /// The sender.
        from: String,
        /// The recipient.
        to: String,
        /// The message text.
        text: String,
    },
    /// `FILE_SHARED|user|name|size|sha256`: a file was shared.
    FileShared {
        /// Who uploaded it.
        user: String,
        /// The stored name.
        name: String,
        /// Its length in bytes.
        size: u64,
        /// Its SHA-256.
        sha256: Sha256Digest,
    },
}

impl ServerMessage {
    /// The verb that starts this message's line.
    pub fn verb(&self) -> &'static str {
        match self {
            ServerMessage::Hello { .. } => "HELLO",
            ServerMessage::LoginOk { .. } => "LOGIN_OK",
            ServerMessage::Error { .. } => "ERROR",
            ServerMessage::Notify { .. } => "NOTIFY",
            ServerMessage::Text { .. } => "TEXT",
            ServerMessage::Dm { .. } => "DM",
            ServerMessage::FileReady { .. } => "FILE_READY",
            ServerMessage::FileTransfer { .. } => "FILE_TRANSFER",
            ServerMessage::FileShared { .. } => "FILE_SHARED",
            ServerMessage::Users { .. } => "USERS",
            ServerMessage::Joined { .. } => "JOINED",
            ServerMessage::Left { .. } => "LEFT",
            ServerMessage::History { .. } => "HISTORY",
            ServerMessage::HistoryEnd => "HISTORY_END",
            ServerMessage::FileInfo { .. } => "FILE_INFO",
            ServerMessage::FilesEnd { .. } => "FILES_END",
            ServerMessage::Limits { .. } => "LIMITS",
            ServerMessage::Ping { .. } => "PING",
            ServerMessage::Pong { .. } => "PONG",
            ServerMessage::Event(_) => "EVENT",
            ServerMessage::Ack { .. } => "ACK",
            ServerMessage::Rejected { .. } => "REJECTED",
            ServerMessage::ReadUpTo { .. } => "READ",
            ServerMessage::Gap { .. } => "GAP",
            ServerMessage::Synced { .. } => "SYNCED",
            ServerMessage::PageEnd { .. } => "PAGE_END",
            ServerMessage::TransferToken { .. } => "TRANSFER_TOKEN",
            ServerMessage::TransferOk { .. } => "TRANSFER_OK",
            ServerMessage::Conv { .. } => "CONV",
            ServerMessage::Gone { .. } => "GONE",
            ServerMessage::RoomInfo { .. } => "ROOM_INFO",
            ServerMessage::RoomsEnd => "ROOMS_END",
            ServerMessage::InviteCode { .. } => "INVITE_CODE",
            ServerMessage::AuditLine { .. } => "AUDIT_LINE",
            ServerMessage::AuditEnd => "AUDIT_END",
            ServerMessage::MemberInfo { .. } => "MEMBER_INFO",
            ServerMessage::MembersEnd { .. } => "MEMBERS_END",
            ServerMessage::Found(_) => "FOUND",
            ServerMessage::Typing { .. } => "TYPING",
            ServerMessage::Reactions { .. } => "REACTIONS",
            ServerMessage::Blocked { on: true, .. } => "BLOCKED",
            ServerMessage::Blocked { on: false, .. } => "UNBLOCKED",
            ServerMessage::Muted { on: true, .. } => "MUTED",
            ServerMessage::Muted { on: false, .. } => "UNMUTED",
            ServerMessage::SearchEnd { .. } => "SEARCH_END",
            ServerMessage::SearchFailed { .. } => "SEARCH_FAILED",
            ServerMessage::Preview { .. } => "PREVIEW",
            ServerMessage::PreviewData { .. } => "PREVIEW_DATA",
            ServerMessage::Previews { .. } => "PREVIEWS",
            ServerMessage::Quota { .. } => "QUOTA",
        }
    }

    /// A shorthand for an `ERROR` line.
    pub fn error(reason: impl Into<String>) -> Self {
        ServerMessage::Error {
            reason: reason.into(),
        }
    }

    /// A shorthand for a `NOTIFY` line.
    pub fn notify(text: impl Into<String>) -> Self {
        ServerMessage::Notify { text: text.into() }
    }
}

impl ParseLine for ServerMessage {
    fn parse_line(line: &str) -> Result<Self, ParseError> {
        let (verb, rest) = split_verb(line)?;
        let message = match verb {
            "HELLO" => {
                let mut f = FieldReader::new("HELLO", rest);
                let version = f.number("version")?;
                f.finish()?;
                ServerMessage::Hello { version }
            }
            "LOGIN_OK" => ServerMessage::LoginOk {
                user: FieldReader::new("LOGIN_OK", rest).last("user")?.to_owned(),
            },
            "ERROR" => ServerMessage::Error {
                reason: FieldReader::new("ERROR", rest).last("reason")?.to_owned(),
            },
            "NOTIFY" => ServerMessage::Notify {
                text: FieldReader::new("NOTIFY", rest).last("text")?.to_owned(),
            },
            "TEXT" => {
                let mut f = FieldReader::new("TEXT", rest);
                ServerMessage::Text {
                    from: f.next("from")?.to_owned(),
                    text: f.last("message")?.to_owned(),
                }
            }
            "DM" => {
                let mut f = FieldReader::new("DM", rest);
                ServerMessage::Dm {
                    from: f.next("from")?.to_owned(),
                    text: f.last("message")?.to_owned(),
                }
            }
            "FILE_READY" => ServerMessage::FileReady {
                name: FieldReader::new("FILE_READY", rest)
                    .last("name")?
                    .to_owned(),
            },
            "FILE_TRANSFER" => {
                let mut f = FieldReader::new("FILE_TRANSFER", rest);
                let name = f.next("name")?.to_owned();
                let size = f.number("size")?;
                let sha256 = if f.has_more() {
                    Some(f.digest("sha256")?)
                } else {
                    None
                };
                f.finish()?;
                ServerMessage::FileTransfer { name, size, sha256 }
            }
            "FILE_SHARED" => {
                let mut f = FieldReader::new("FILE_SHARED", rest);
                let (user, name, size, sha256) = read_share(&mut f)?;
                f.finish()?;
                ServerMessage::FileShared {
                    user,
                    name,
                    size,
                    sha256,
                }
            }
            "USERS" => ServerMessage::Users {
                users: split_list(FieldReader::new("USERS", rest).last("users")?),
            },
            "JOINED" => ServerMessage::Joined {
                user: FieldReader::new("JOINED", rest).last("user")?.to_owned(),
            },
            "LEFT" => ServerMessage::Left {
                user: FieldReader::new("LEFT", rest).last("user")?.to_owned(),
            },
            "HISTORY" => parse_history(rest)?,
            "HISTORY_END" => {
                FieldReader::new("HISTORY_END", rest).finish()?;
                ServerMessage::HistoryEnd
            }
            "FILE_INFO" => {
                let mut f = FieldReader::new("FILE_INFO", rest);
                let name = f.next("name")?.to_owned();
                let size = f.number("size")?;
                let sha256 = f.digest("sha256")?;
                let uploader = f.next("uploader")?.to_owned();
                let ts = f.number("unix_ts")?;
                f.finish()?;
                ServerMessage::FileInfo {
                    name,
                    size,
                    sha256,
                    uploader,
                    ts,
                }
            }
            "FILES_END" => {
                let mut f = FieldReader::new("FILES_END", rest);
                let conversation = if f.has_more() {
                    Some(f.conversation("conversation")?)
                } else {
                    None
                };
                f.finish()?;
                ServerMessage::FilesEnd { conversation }
            }
            "LIMITS" => {
                let mut f = FieldReader::new("LIMITS", rest);
                let max_file_size = f.number("max_file_size")?;
                let allowed_extensions = split_list(f.last("extensions")?);
                ServerMessage::Limits {
                    max_file_size,
                    allowed_extensions,
                }
            }
            "PING" => ServerMessage::Ping {
                token: FieldReader::new("PING", rest).token("token")?.to_owned(),
            },
            "PONG" => ServerMessage::Pong {
                token: FieldReader::new("PONG", rest).token("token")?.to_owned(),
            },
            "EVENT" => ServerMessage::Event(EventLine::parse_fields(rest)?),
            "ACK" => {
                let mut f = FieldReader::new("ACK", rest);
                let token = f.next_token("token")?.to_owned();
                let id = f.number("id")?;
                let ts = f.number("unix_ts")?;
                f.finish()?;
                ServerMessage::Ack { token, id, ts }
            }
            "REJECTED" => {
                let mut f = FieldReader::new("REJECTED", rest);
                ServerMessage::Rejected {
                    token: f.next_token("token")?.to_owned(),
                    reason: f.last("reason")?.to_owned(),
                }
            }
            "READ" => {
                let mut f = FieldReader::new("READ", rest);
                let conversation = f.conversation("conversation")?;
                let id = f.number("id")?;
                f.finish()?;
                ServerMessage::ReadUpTo { conversation, id }
            }
            "GAP" => {
                let mut f = FieldReader::new("GAP", rest);
                let conversation = f.conversation("conversation")?;
                let after = f.number("after")?;
                let before = f.number("before")?;
                f.finish()?;
                ServerMessage::Gap {
                    conversation,
                    after,
                    before,
                }
            }
            "SYNCED" => {
                let mut f = FieldReader::new("SYNCED", rest);
                let last_id = f.number("last_id")?;
                f.finish()?;
                ServerMessage::Synced { last_id }
            }
            "PAGE_END" => {
                let mut f = FieldReader::new("PAGE_END", rest);
                let conversation = f.conversation("conversation")?;
                let more = match f.number("more")? {
                    0 => false,
                    1 => true,
                    _ => {
                        return Err(ParseError::BadNumber {
                            command: "PAGE_END",
                            field: "more",
                        });
                    }
                };
                f.finish()?;
                ServerMessage::PageEnd { conversation, more }
            }
            "TRANSFER_TOKEN" => ServerMessage::TransferToken {
                token: FieldReader::new("TRANSFER_TOKEN", rest)
                    .token("token")?
                    .to_owned(),
            },
            "CONV" => {
                let mut f = FieldReader::new("CONV", rest);
                ServerMessage::Conv {
                    conversation: f.conversation("conversation")?,
                    kind: f.word("kind")?,
                    role: f.word("role")?,
                    unread: f.number("unread")?,
                    mentions: f.number("mentions")?,
                    topic: f.last("topic")?.to_owned(),
                }
            }
            "GONE" => {
                let mut f = FieldReader::new("GONE", rest);
                ServerMessage::Gone {
                    conversation: f.conversation("conversation")?,
                    reason: f.last("reason")?.to_owned(),
                }
            }
            "ROOM_INFO" => {
                let mut f = FieldReader::new("ROOM_INFO", rest);
                ServerMessage::RoomInfo {
                    room: f.conversation("room")?,
                    visibility: f.word("visibility")?,
                    members: f.number("members")?,
                    topic: f.last("topic")?.to_owned(),
                }
            }
            "ROOMS_END" => {
                FieldReader::new("ROOMS_END", rest).finish()?;
                ServerMessage::RoomsEnd
            }
            "INVITE_CODE" => ServerMessage::InviteCode {
                code: FieldReader::new("INVITE_CODE", rest)
                    .token("code")?
                    .to_owned(),
            },
            "AUDIT_LINE" => ServerMessage::AuditLine {
                line: FieldReader::new("AUDIT_LINE", rest)
                    .last("line")?
                    .to_owned(),
            },
            "AUDIT_END" => {
                FieldReader::new("AUDIT_END", rest).finish()?;
                ServerMessage::AuditEnd
            }
            "MEMBER_INFO" => {
                let mut f = FieldReader::new("MEMBER_INFO", rest);
                let conversation = f.conversation("conversation")?;
                let user = f.next("user")?.to_owned();
                let role = f.word("role")?;
                let online = f.flag("online")?;
                f.finish()?;
                ServerMessage::MemberInfo {
                    conversation,
                    user,
                    role,
                    online,
                }
            }
            "FOUND" => ServerMessage::Found(FoundLine::parse_fields(rest)?),
            "PREVIEW" => {
                let mut f = FieldReader::new("PREVIEW", rest);
                let conversation = f.conversation("conversation")?;
                let name = f.next("name")?.to_owned();
                let sha256 = f.digest("sha256")?;
                let status = PreviewStatus::parse_fields(&mut f)?;
                f.finish()?;
                ServerMessage::Preview {
                    conversation,
                    name,
                    sha256,
                    status,
                }
            }
            "PREVIEWS" => {
                let mut f = FieldReader::new("PREVIEWS", rest);
                let on = f.flag("on")?;
                f.finish()?;
                ServerMessage::Previews { on }
            }
            "QUOTA" => {
                let mut f = FieldReader::new("QUOTA", rest);
                let used = f.number("used")?;
                let limit = f.number("limit")?;
                let left = f.number("left")?;
                f.finish()?;
                ServerMessage::Quota { used, limit, left }
            }
            "PREVIEW_DATA" => {
                let mut f = FieldReader::new("PREVIEW_DATA", rest);
                let conversation = f.conversation("conversation")?;
                let name = f.next("name")?.to_owned();
                let size = f.number("size")?;
                f.finish()?;
                ServerMessage::PreviewData {
                    conversation,
                    name,
                    size,
                }
            }
            "TYPING" => {
                let mut f = FieldReader::new("TYPING", rest);
                ServerMessage::Typing {
                    conversation: f.conversation("conversation")?,
                    user: f.last("user")?.to_owned(),
                }
            }
            "REACTIONS" => {
                let mut f = FieldReader::new("REACTIONS", rest);
                let conversation = f.conversation("conversation")?;
                let id = f.number("id")?;
                let latest = f.number("latest")?;
                let mut reactions = Reactions::new();
                while f.has_more() {
                    let users = split_list(f.next("users")?);
                    let reaction = f.next("reaction")?;
                    if users.is_empty() || reaction.is_empty() {
                        return Err(ParseError::BadWord {
                            command: "REACTIONS",
                            field: "users",
                        });
                    }
                    for user in &users {
                        reactions.toggle(user, reaction, true);
                    }
                }
                ServerMessage::Reactions {
                    conversation,
                    id,
                    latest,
                    reactions,
                }
            }
            "BLOCKED" | "UNBLOCKED" => ServerMessage::Blocked {
                user: FieldReader::new("BLOCKED", rest).last("user")?.to_owned(),
                on: verb == "BLOCKED",
            },
            "MUTED" | "UNMUTED" => {
                let mut f = FieldReader::new("MUTED", rest);
                let conversation = f.conversation("conversation")?;
                f.finish()?;
                ServerMessage::Muted {
                    conversation,
                    on: verb == "MUTED",
                }
            }
            "SEARCH_END" => {
                let mut f = FieldReader::new("SEARCH_END", rest);
                let token = f.next_token("token")?.to_owned();
                let more = f.flag("more")?;
                f.finish()?;
                ServerMessage::SearchEnd { token, more }
            }
            "SEARCH_FAILED" => {
                let mut f = FieldReader::new("SEARCH_FAILED", rest);
                ServerMessage::SearchFailed {
                    token: f.next_token("token")?.to_owned(),
                    reason: f.last("reason")?.to_owned(),
                }
            }
            "MEMBERS_END" => {
                let mut f = FieldReader::new("MEMBERS_END", rest);
                let conversation = f.conversation("conversation")?;
                let more = f.flag("more")?;
                f.finish()?;
                ServerMessage::MembersEnd { conversation, more }
            }
            "TRANSFER_OK" => ServerMessage::TransferOk {
                user: FieldReader::new("TRANSFER_OK", rest)
                    .last("user")?
                    .to_owned(),
            },
            other => return Err(ParseError::UnknownCommand(other.to_owned())),
        };
        Ok(message)
    }
}

fn read_share(f: &mut FieldReader<'_>) -> Result<(String, String, u64, Sha256Digest), ParseError> {
    let user = f.next("user")?.to_owned();
    let name = f.next("name")?.to_owned();
    let size = f.number("size")?;
    let sha256 = f.digest("sha256")?;
    Ok((user, name, size, sha256))
}

fn parse_history(rest: Option<&str>) -> Result<ServerMessage, ParseError> {
    let mut f = FieldReader::new("HISTORY", rest);
    let ts = f.number("unix_ts")?;
    let kind = f.next("kind")?;
    let entry = match kind {
        "TEXT" => HistoryEntry::Text {
            from: f.next("from")?.to_owned(),
            text: f.last("message")?.to_owned(),
        },
        "DM" => HistoryEntry::Dm {
            from: f.next("from")?.to_owned(),
            to: f.next("to")?.to_owned(),
            text: f.last("message")?.to_owned(),
        },
        "FILE_SHARED" => {
            let (user, name, size, sha256) = read_share(&mut f)?;
            f.finish()?;
            HistoryEntry::FileShared {
                user,
                name,
                size,
                sha256,
            }
        }
        other => return Err(ParseError::UnknownCommand(format!("HISTORY|{other}"))),
    };
    Ok(ServerMessage::History { ts, entry })
}

impl ServerMessage {
    /// `HELLO|version\n`, written without the encoder of every line: a
    /// server answers it on a connection's thread before anything else,
    /// and the general encoder's frame was that thread's deepest stack use
    /// (a thread keeps every stack page it touched, for as long as the
    /// session lives).
    pub fn hello_line(version: u64) -> Vec<u8> {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut value = version;
        loop {
            at -= 1;
            digits[at] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        let mut line = Vec::with_capacity(8 + digits.len() - at);
        line.extend_from_slice(b"HELLO|");
        line.extend_from_slice(&digits[at..]);
        line.push(b'\n');
        line
    }
}

impl EncodeLine for ServerMessage {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let line = LineWriter::new(self.verb(), out);
        match self {
            ServerMessage::Hello { version } => line.number("version", *version),
            ServerMessage::LoginOk { user } => line.last("user", user),
            ServerMessage::Error { reason } => line.last("reason", reason),
            ServerMessage::Notify { text } => line.last("text", text),
            ServerMessage::Text { from, text } | ServerMessage::Dm { from, text } => {
                line.field("from", from).last("message", text)
            }
            ServerMessage::FileReady { name } => line.last("name", name),
            ServerMessage::FileTransfer { name, size, sha256 } => {
                let line = line.field("name", name).number("size", *size);
                match sha256 {
                    Some(sha256) => line.digest("sha256", sha256),
                    None => line,
                }
            }
            ServerMessage::FileShared {
                user,
                name,
                size,
                sha256,
            } => line
                .field("user", user)
                .field("name", name)
                .number("size", *size)
                .digest("sha256", sha256),
            ServerMessage::Users { users } => line.list("users", users),
            ServerMessage::Joined { user } | ServerMessage::Left { user } => {
                line.last("user", user)
            }
            ServerMessage::History { ts, entry } => {
                let line = line.number("unix_ts", *ts);
                match entry {
                    HistoryEntry::Text { from, text } => line
                        .field("kind", "TEXT")
                        .field("from", from)
                        .last("message", text),
                    HistoryEntry::Dm { from, to, text } => line
                        .field("kind", "DM")
                        .field("from", from)
                        .field("to", to)
                        .last("message", text),
                    HistoryEntry::FileShared {
                        user,
                        name,
                        size,
                        sha256,
                    } => line
                        .field("kind", "FILE_SHARED")
                        .field("user", user)
                        .field("name", name)
                        .number("size", *size)
                        .digest("sha256", sha256),
                }
            }
            ServerMessage::FileInfo {
                name,
                size,
                sha256,
                uploader,
                ts,
            } => line
                .field("name", name)
                .number("size", *size)
                .digest("sha256", sha256)
                .field("uploader", uploader)
                .number("unix_ts", *ts),
            ServerMessage::Limits {
                max_file_size,
                allowed_extensions,
            } => line
                .number("max_file_size", *max_file_size)
                .list("extensions", allowed_extensions),
            ServerMessage::Ping { token } | ServerMessage::Pong { token } => {
                line.token("token", token)
            }
            ServerMessage::HistoryEnd | ServerMessage::FilesEnd { conversation: None } => line,
            ServerMessage::FilesEnd {
                conversation: Some(conversation),
            } => line.field("conversation", &conversation.to_string()),
            ServerMessage::Event(event) => event.encode_fields(line),
            ServerMessage::Ack { token, id, ts } => line
                .field_token("token", token)
                .number("id", *id)
                .number("unix_ts", *ts),
            ServerMessage::Rejected { token, reason } => {
                line.field_token("token", token).last("reason", reason)
            }
            ServerMessage::ReadUpTo { conversation, id } => line
                .field("conversation", &conversation.to_string())
                .number("id", *id),
            ServerMessage::Gap {
                conversation,
                after,
                before,
            } => line
                .field("conversation", &conversation.to_string())
                .number("after", *after)
                .number("before", *before),
            ServerMessage::Synced { last_id } => line.number("last_id", *last_id),
            ServerMessage::PageEnd { conversation, more } => line
                .field("conversation", &conversation.to_string())
                .number("more", u64::from(*more)),
            ServerMessage::TransferToken { token } => line.token("token", token),
            ServerMessage::TransferOk { user } => line.last("user", user),
            ServerMessage::Conv {
                conversation,
                kind,
                role,
                unread,
                mentions,
                topic,
            } => line
                .field("conversation", &conversation.to_string())
                .field("kind", kind.as_str())
                .field("role", role.as_str())
                .number("unread", *unread)
                .number("mentions", *mentions)
                .last("topic", topic),
            ServerMessage::Gone {
                conversation,
                reason,
            } => line
                .field("conversation", &conversation.to_string())
                .last("reason", reason),
            ServerMessage::RoomInfo {
                room,
                visibility,
                members,
                topic,
            } => line
                .field("room", &room.to_string())
                .field("visibility", visibility.as_str())
                .number("members", *members)
                .last("topic", topic),
            ServerMessage::RoomsEnd | ServerMessage::AuditEnd => line,
            ServerMessage::InviteCode { code } => line.token("code", code),
            ServerMessage::AuditLine { line: text } => line.last("line", text),
            ServerMessage::MemberInfo {
                conversation,
                user,
                role,
                online,
            } => line
                .field("conversation", &conversation.to_string())
                .field("user", user)
                .field("role", role.as_str())
                .number("online", u64::from(*online)),
            ServerMessage::MembersEnd { conversation, more } => line
                .field("conversation", &conversation.to_string())
                .number("more", u64::from(*more)),
            ServerMessage::Found(found) => found.encode_fields(line),
            ServerMessage::Typing { conversation, user } => line
                .field("conversation", &conversation.to_string())
                .last("user", user),
            ServerMessage::Preview {
                conversation,
                name,
                sha256,
                status,
            } => status.encode_fields(
                line.field("conversation", &conversation.to_string())
                    .field("name", name)
                    .digest("sha256", sha256),
            ),
            ServerMessage::Previews { on } => line.number("on", u64::from(*on)),
            ServerMessage::Quota { used, limit, left } => line
                .number("used", *used)
                .number("limit", *limit)
                .number("left", *left),
            ServerMessage::PreviewData {
                conversation,
                name,
                size,
            } => line
                .field("conversation", &conversation.to_string())
                .field("name", name)
                .number("size", *size),
            ServerMessage::Reactions {
                conversation,
                id,
                latest,
                reactions,
            } => {
                let mut line = line
                    .field("conversation", &conversation.to_string())
                    .number("id", *id)
                    .number("latest", *latest);
                for (reaction, users) in reactions.iter() {
                    line = line.list("users", users).field("reaction", reaction);
                }
                line
            }
            ServerMessage::Blocked { user, .. } => line.last("user", user),
            ServerMessage::Muted { conversation, .. } => {
                line.field("conversation", &conversation.to_string())
            }
            ServerMessage::SearchEnd { token, more } => line
                .field_token("token", token)
                .number("more", u64::from(*more)),
            ServerMessage::SearchFailed { token, reason } => {
                line.field_token("token", token).last("reason", reason)
            }
        }
        .finish()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::client::tests::{conversation, digest, field_text, free_text, send_token, token};
    use crate::event::EventBody;

    const HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn hash() -> Sha256Digest {
        Sha256Digest::from_hex(HASH).unwrap()
    }

    fn examples() -> Vec<(String, ServerMessage)> {
        use crate::preview::Preview;
        let preview = |status| ServerMessage::Preview {
            conversation: Conversation::Room("lớp".into()),
            name: "ảnh.png".into(),
            sha256: hash(),
            status,
        };
        vec![
            (
                format!("PREVIEW|#lớp|ảnh.png|{HASH}|pending"),
                preview(PreviewStatus::Pending),
            ),
            (
                format!("PREVIEW|#lớp|ảnh.png|{HASH}|none"),
                preview(PreviewStatus::None),
            ),
            (
                format!("PREVIEW|#lớp|ảnh.png|{HASH}|image|1920|1080"),
                preview(PreviewStatus::Ready(Preview::Image {
                    width: 1920,
                    height: 1080,
                })),
            ),
            (
                format!("PREVIEW|#lớp|ảnh.png|{HASH}|text|42"),
                preview(PreviewStatus::Ready(Preview::Text { lines: 42 })),
            ),
            (
                format!("PREVIEW|#lớp|ảnh.png|{HASH}|pdf|12|Đề thi | lần 2"),
                preview(PreviewStatus::Ready(Preview::Pdf {
                    pages: 12,
                    title: "Đề thi | lần 2".into(),
                })),
            ),
            (
                format!("PREVIEW|#lớp|ảnh.png|{HASH}|audio|205000"),
                preview(PreviewStatus::Ready(Preview::Audio {
                    duration_ms: 205_000,
                })),
            ),
            ("PREVIEWS|0".into(), ServerMessage::Previews { on: false }),
            (
                "QUOTA|1048576|1073741824|1072693248".into(),
                ServerMessage::Quota {
                    used: 1_048_576,
                    limit: 1_073_741_824,
                    left: 1_072_693_248,
                },
            ),
            (
                "PREVIEW_DATA|@an|ảnh.png|5120".into(),
                ServerMessage::PreviewData {
                    conversation: Conversation::Direct("an".into()),
                    name: "ảnh.png".into(),
                    size: 5120,
                },
            ),
            ("HELLO|2".into(), ServerMessage::Hello { version: 2 }),
            (
                "LOGIN_OK|Cường".into(),
                ServerMessage::LoginOk {
                    user: "Cường".into(),
                },
            ),
            (
                "ERROR|File too large".into(),
                ServerMessage::error("File too large"),
            ),
            (
                "NOTIFY|ton shared file: a.png".into(),
                ServerMessage::notify("ton shared file: a.png"),
            ),
            (
                "TEXT|minh|a|b".into(),
                ServerMessage::Text {
                    from: "minh".into(),
                    text: "a|b".into(),
                },
            ),
            (
                "DM|minh|psst".into(),
                ServerMessage::Dm {
                    from: "minh".into(),
                    text: "psst".into(),
                },
            ),
            (
                "FILE_READY|a.png".into(),
                ServerMessage::FileReady {
                    name: "a.png".into(),
                },
            ),
            (
                "FILE_TRANSFER|a.png|5".into(),
                ServerMessage::FileTransfer {
                    name: "a.png".into(),
                    size: 5,
                    sha256: None,
                },
            ),
            (
                format!("FILE_TRANSFER|a.png|5|{HASH}"),
                ServerMessage::FileTransfer {
                    name: "a.png".into(),
                    size: 5,
                    sha256: Some(hash()),
                },
            ),
            (
                format!("FILE_SHARED|ton|a (1).png|5|{HASH}"),
                ServerMessage::FileShared {
                    user: "ton".into(),
                    name: "a (1).png".into(),
                    size: 5,
                    sha256: hash(),
                },
            ),
            (
                "USERS|an,bình".into(),
                ServerMessage::Users {
                    users: vec!["an".into(), "bình".into()],
                },
            ),
            ("USERS|".into(), ServerMessage::Users { users: vec![] }),
            (
                "JOINED|an".into(),
                ServerMessage::Joined { user: "an".into() },
            ),
            ("LEFT|an".into(), ServerMessage::Left { user: "an".into() }),
            (
                "HISTORY|1700000000|TEXT|an|hi|there".into(),
                ServerMessage::History {
                    ts: 1_700_000_000,
                    entry: HistoryEntry::Text {
                        from: "an".into(),
                        text: "hi|there".into(),
                    },
                },
            ),
            (
                "HISTORY|1|DM|an|bình|secret".into(),
                ServerMessage::History {
                    ts: 1,
                    entry: HistoryEntry::Dm {
                        from: "an".into(),
                        to: "bình".into(),
                        text: "secret".into(),
                    },
                },
            ),
            (
                format!("HISTORY|2|FILE_SHARED|an|a.png|5|{HASH}"),
                ServerMessage::History {
                    ts: 2,
                    entry: HistoryEntry::FileShared {
                        user: "an".into(),
                        name: "a.png".into(),
                        size: 5,
                        sha256: hash(),
                    },
                },
            ),
            ("HISTORY_END".into(), ServerMessage::HistoryEnd),
            (
                format!("FILE_INFO|a.png|5|{HASH}|an|1700000000"),
                ServerMessage::FileInfo {
                    name: "a.png".into(),
                    size: 5,
                    sha256: hash(),
                    uploader: "an".into(),
                    ts: 1_700_000_000,
                },
            ),
            (
                "FILES_END".into(),
                ServerMessage::FilesEnd { conversation: None },
            ),
            (
                "FILES_END|+an,bình,cường".into(),
                ServerMessage::FilesEnd {
                    conversation: Some(Conversation::Group(vec![
                        "an".into(),
                        "bình".into(),
                        "cường".into(),
                    ])),
                },
            ),
            (
                "LIMITS|10485760|jpg,png".into(),
                ServerMessage::Limits {
                    max_file_size: 10_485_760,
                    allowed_extensions: vec!["jpg".into(), "png".into()],
                },
            ),
            ("PING|7".into(), ServerMessage::Ping { token: "7".into() }),
            ("PONG|7".into(), ServerMessage::Pong { token: "7".into() }),
            (
                "EVENT|7|1764072000|#general|TEXT|an|chào | cả nhà".into(),
                ServerMessage::Event(EventLine {
                    id: 7,
                    ts: 1_764_072_000,
                    conversation: Conversation::general(),
                    body: EventBody::Text {
                        from: "an".into(),
                        text: "chào | cả nhà".into(),
                    },
                }),
            ),
            (
                "EVENT|9|1764072002|#general|REPLY|bình|7|ừ | nhé".into(),
                ServerMessage::Event(EventLine {
                    id: 9,
                    ts: 1_764_072_002,
                    conversation: Conversation::general(),
                    body: EventBody::Reply {
                        from: "bình".into(),
                        to: 7,
                        edit: None,
                        text: "ừ | nhé".into(),
                    },
                }),
            ),
            (
                "EVENT|9|1764072002|#general|EDITED_REPLY|bình|7|12|ừ".into(),
                ServerMessage::Event(EventLine {
                    id: 9,
                    ts: 1_764_072_002,
                    conversation: Conversation::general(),
                    body: EventBody::Reply {
                        from: "bình".into(),
                        to: 7,
                        edit: Some(12),
                        text: "ừ".into(),
                    },
                }),
            ),
            (
                format!("EVENT|8|1764072001|@bình|FILE|an|a (1).png|5|{HASH}"),
                ServerMessage::Event(EventLine {
                    id: 8,
                    ts: 1_764_072_001,
                    conversation: Conversation::Direct("bình".into()),
                    body: EventBody::File {
                        user: "an".into(),
                        name: "a (1).png".into(),
                        size: 5,
                        sha256: hash(),
                    },
                }),
            ),
            (
                "EVENT|11|1764072004|#lớp|FILE_DELETE|bình|a (1).png".into(),
                ServerMessage::Event(EventLine {
                    id: 11,
                    ts: 1_764_072_004,
                    conversation: Conversation::Room("lớp".into()),
                    body: EventBody::FileDelete {
                        by: "bình".into(),
                        name: "a (1).png".into(),
                    },
                }),
            ),
            (
                "EVENT|8|1764072001|@bình|FILE_DELETED|an|a (1).png".into(),
                ServerMessage::Event(EventLine {
                    id: 8,
                    ts: 1_764_072_001,
                    conversation: Conversation::Direct("bình".into()),
                    body: EventBody::FileDeleted {
                        user: "an".into(),
                        name: "a (1).png".into(),
                    },
                }),
            ),
            (
                "EVENT|10|1764072003|#general|REACT|bình|7|1|👍".into(),
                ServerMessage::Event(EventLine {
                    id: 10,
                    ts: 1_764_072_003,
                    conversation: Conversation::general(),
                    body: EventBody::React {
                        by: "bình".into(),
                        target: 7,
                        on: true,
                        reaction: "👍".into(),
                    },
                }),
            ),
            (
                "REACTIONS|#general|7|12|an,bình|👍|cường|hay, quá".into(),
                ServerMessage::Reactions {
                    conversation: Conversation::general(),
                    id: 7,
                    latest: 12,
                    reactions: {
                        let mut reactions = Reactions::new();
                        reactions.toggle("an", "👍", true);
                        reactions.toggle("cường", "hay, quá", true);
                        reactions.toggle("bình", "👍", true);
                        reactions
                    },
                },
            ),
            (
                "REACTIONS|#general|7|13".into(),
                ServerMessage::Reactions {
                    conversation: Conversation::general(),
                    id: 7,
                    latest: 13,
                    reactions: Reactions::new(),
                },
            ),
            (
                "ACK|t-1|9|1764072002".into(),
                ServerMessage::Ack {
                    token: "t-1".into(),
                    id: 9,
                    ts: 1_764_072_002,
                },
            ),
            (
                "REJECTED|t-2|No such user: x".into(),
                ServerMessage::Rejected {
                    token: "t-2".into(),
                    reason: "No such user: x".into(),
                },
            ),
            (
                "READ|#general|9".into(),
                ServerMessage::ReadUpTo {
                    conversation: Conversation::general(),
                    id: 9,
                },
            ),
            (
                "GAP|@an|3|120".into(),
                ServerMessage::Gap {
                    conversation: Conversation::Direct("an".into()),
                    after: 3,
                    before: 120,
                },
            ),
            ("SYNCED|120".into(), ServerMessage::Synced { last_id: 120 }),
            (
                "PAGE_END|#general|1".into(),
                ServerMessage::PageEnd {
                    conversation: Conversation::general(),
                    more: true,
                },
            ),
            (
                "TRANSFER_TOKEN|ab12".into(),
                ServerMessage::TransferToken {
                    token: "ab12".into(),
                },
            ),
            (
                "TRANSFER_OK|an".into(),
                ServerMessage::TransferOk { user: "an".into() },
            ),
        ]
    }

    #[test]
    fn every_verb_parses_and_encodes_exactly() {
        for (line, message) in examples() {
            assert_eq!(
                ServerMessage::parse_line(&line),
                Ok(message.clone()),
                "{line}"
            );
            assert_eq!(message.to_line().unwrap(), format!("{line}\n").into_bytes());
        }
    }

    #[test]
    fn malformed_lines_map_to_their_error() {
        let table: Vec<(String, ParseError)> = vec![
            (
                "HISTORY|x|TEXT|a|b".into(),
                ParseError::BadNumber {
                    command: "HISTORY",
                    field: "unix_ts",
                },
            ),
            (
                "HISTORY|1|JOIN|a".into(),
                ParseError::UnknownCommand("HISTORY|JOIN".into()),
            ),
            (
                "FILE_TRANSFER|a|5|nothex".into(),
                ParseError::BadDigest {
                    command: "FILE_TRANSFER",
                },
            ),
            (
                format!("FILE_TRANSFER|a|5|{HASH}|x"),
                ParseError::UnexpectedField {
                    command: "FILE_TRANSFER",
                },
            ),
            (
                "FILE_INFO|a|5".into(),
                ParseError::MissingField {
                    command: "FILE_INFO",
                    field: "sha256",
                },
            ),
            (
                "FILES_END|#a|x".into(),
                ParseError::UnexpectedField {
                    command: "FILES_END",
                },
            ),
        ];
        for (line, error) in table {
            assert_eq!(ServerMessage::parse_line(&line), Err(error), "{line}");
        }
    }

    fn list_item() -> impl Strategy<Value = String> {
        "[^\r\n|,]{1,10}"
    }

    fn history_entry() -> impl Strategy<Value = HistoryEntry> {
        prop_oneof![
            (field_text(), free_text()).prop_map(|(from, text)| HistoryEntry::Text { from, text }),
            (field_text(), field_text(), free_text())
                .prop_map(|(from, to, text)| HistoryEntry::Dm { from, to, text }),
            (field_text(), field_text(), any::<u64>(), digest()).prop_map(
                |(user, name, size, sha256)| HistoryEntry::FileShared {
                    user,
                    name,
                    size,
                    sha256
                }
            ),
        ]
    }

    fn server_message() -> impl Strategy<Value = ServerMessage> {
        prop_oneof![
            any::<u64>().prop_map(|version| ServerMessage::Hello { version }),
            free_text().prop_map(|user| ServerMessage::LoginOk { user }),
            free_text().prop_map(ServerMessage::error),
            free_text().prop_map(ServerMessage::notify),
            (field_text(), free_text()).prop_map(|(from, text)| ServerMessage::Text { from, text }),
            (field_text(), free_text()).prop_map(|(from, text)| ServerMessage::Dm { from, text }),
            free_text().prop_map(|name| ServerMessage::FileReady { name }),
            (field_text(), any::<u64>(), proptest::option::of(digest())).prop_map(
                |(name, size, sha256)| ServerMessage::FileTransfer { name, size, sha256 }
            ),
            (field_text(), field_text(), any::<u64>(), digest()).prop_map(
                |(user, name, size, sha256)| ServerMessage::FileShared {
                    user,
                    name,
                    size,
                    sha256
                }
            ),
            proptest::collection::vec(list_item(), 0..5)
                .prop_map(|users| ServerMessage::Users { users }),
            free_text().prop_map(|user| ServerMessage::Joined { user }),
            free_text().prop_map(|user| ServerMessage::Left { user }),
            (any::<u64>(), history_entry())
                .prop_map(|(ts, entry)| ServerMessage::History { ts, entry }),
            Just(ServerMessage::HistoryEnd),
            (
                field_text(),
                any::<u64>(),
                digest(),
                field_text(),
                any::<u64>()
            )
                .prop_map(|(name, size, sha256, uploader, ts)| {
                    ServerMessage::FileInfo {
                        name,
                        size,
                        sha256,
                        uploader,
                        ts,
                    }
                }),
            proptest::option::of(conversation())
                .prop_map(|conversation| ServerMessage::FilesEnd { conversation }),
            (any::<u64>(), proptest::collection::vec(list_item(), 0..5)).prop_map(
                |(max_file_size, allowed_extensions)| ServerMessage::Limits {
                    max_file_size,
                    allowed_extensions
                }
            ),
            token().prop_map(|token| ServerMessage::Ping { token }),
            token().prop_map(|token| ServerMessage::Pong { token }),
            version_3_message(),
        ]
    }

    fn event_line() -> impl Strategy<Value = EventLine> {
        let change = prop_oneof![
            Just(crate::room::MemberChange::Created),
            Just(crate::room::MemberChange::Joined),
            Just(crate::room::MemberChange::Removed),
            Just(crate::room::MemberChange::Promoted),
        ];
        let body = prop_oneof![
            (field_text(), field_text(), change).prop_map(|(by, user, change)| EventBody::Member {
                by,
                user,
                change
            }),
            (field_text(), free_text()).prop_map(|(by, text)| EventBody::Topic { by, text }),
            (field_text(), free_text()).prop_map(|(from, text)| EventBody::Text { from, text }),
            (field_text(), any::<u64>(), free_text())
                .prop_map(|(from, edit, text)| EventBody::Edited { from, edit, text }),
            (
                field_text(),
                any::<u64>(),
                proptest::option::of(any::<u64>()),
                free_text()
            )
                .prop_map(|(from, to, edit, text)| EventBody::Reply {
                    from,
                    to,
                    edit,
                    text
                }),
            free_text().prop_map(|from| EventBody::Deleted { from }),
            (field_text(), any::<u64>(), any::<bool>(), field_text()).prop_map(
                |(by, target, on, reaction)| EventBody::React {
                    by,
                    target,
                    on,
                    reaction
                }
            ),
            (field_text(), any::<u64>(), free_text())
                .prop_map(|(by, target, text)| EventBody::Edit { by, target, text }),
            (field_text(), any::<u64>()).prop_map(|(by, target)| EventBody::Delete { by, target }),
            (field_text(), free_text()).prop_map(|(by, name)| EventBody::FileDelete { by, name }),
            (field_text(), free_text())
                .prop_map(|(user, name)| EventBody::FileDeleted { user, name }),
            (field_text(), field_text(), any::<u64>(), digest()).prop_map(
                |(user, name, size, sha256)| EventBody::File {
                    user,
                    name,
                    size,
                    sha256
                }
            ),
        ];
        (any::<u64>(), any::<u64>(), conversation(), body).prop_map(
            |(id, ts, conversation, body)| EventLine {
                id,
                ts,
                conversation,
                body,
            },
        )
    }

    fn version_3_message() -> impl Strategy<Value = ServerMessage> {
        prop_oneof![
            event_line().prop_map(ServerMessage::Event),
            (send_token(), any::<u64>(), any::<u64>())
                .prop_map(|(token, id, ts)| ServerMessage::Ack { token, id, ts }),
            (send_token(), free_text())
                .prop_map(|(token, reason)| ServerMessage::Rejected { token, reason }),
            (conversation(), any::<u64>())
                .prop_map(|(conversation, id)| ServerMessage::ReadUpTo { conversation, id }),
            (conversation(), any::<u64>(), any::<u64>()).prop_map(
                |(conversation, after, before)| ServerMessage::Gap {
                    conversation,
                    after,
                    before
                }
            ),
            any::<u64>().prop_map(|last_id| ServerMessage::Synced { last_id }),
            (conversation(), any::<bool>())
                .prop_map(|(conversation, more)| ServerMessage::PageEnd { conversation, more }),
            token().prop_map(|token| ServerMessage::TransferToken { token }),
            free_text().prop_map(|user| ServerMessage::TransferOk { user }),
            room_line(),
        ]
    }

    fn room_line() -> impl Strategy<Value = ServerMessage> {
        let kind = prop_oneof![
            Just(ConversationKind::Room),
            Just(ConversationKind::PrivateRoom),
            Just(ConversationKind::Group),
            Just(ConversationKind::Direct),
        ];
        let role = || {
            prop_oneof![
                Just(Role::Invited),
                Just(Role::Member),
                Just(Role::Moderator),
                Just(Role::Owner),
            ]
        };
        let visibility = prop_oneof![Just(Visibility::Public), Just(Visibility::Private)];
        prop_oneof![
            (
                conversation(),
                kind,
                role(),
                any::<u64>(),
                any::<u64>(),
                free_text()
            )
                .prop_map(|(conversation, kind, role, unread, mentions, topic)| {
                    ServerMessage::Conv {
                        conversation,
                        kind,
                        role,
                        unread,
                        mentions,
                        topic,
                    }
                }),
            (conversation(), free_text()).prop_map(|(conversation, reason)| ServerMessage::Gone {
                conversation,
                reason
            }),
            (conversation(), visibility, any::<u64>(), free_text()).prop_map(
                |(room, visibility, members, topic)| ServerMessage::RoomInfo {
                    room,
                    visibility,
                    members,
                    topic
                }
            ),
            Just(ServerMessage::RoomsEnd),
            token().prop_map(|code| ServerMessage::InviteCode { code }),
            free_text().prop_map(|line| ServerMessage::AuditLine { line }),
            Just(ServerMessage::AuditEnd),
            (conversation(), field_text(), role(), any::<bool>()).prop_map(
                |(conversation, user, role, online)| ServerMessage::MemberInfo {
                    conversation,
                    user,
                    role,
                    online
                }
            ),
            (conversation(), any::<bool>())
                .prop_map(|(conversation, more)| ServerMessage::MembersEnd { conversation, more }),
            (send_token(), event_line()).prop_map(|(token, event)| ServerMessage::Found(
                FoundLine {
                    token,
                    matches: Vec::new(),
                    event
                }
            )),
            (send_token(), any::<bool>())
                .prop_map(|(token, more)| ServerMessage::SearchEnd { token, more }),
            (free_text(), any::<bool>()).prop_map(|(user, on)| ServerMessage::Blocked { user, on }),
            (conversation(), free_text())
                .prop_map(|(conversation, user)| ServerMessage::Typing { conversation, user }),
            (
                conversation(),
                any::<u64>(),
                any::<u64>(),
                proptest::collection::vec(("[a-z0-9ạ]{1,6}", "[^\r\n|]{1,6}", any::<bool>()), 0..8)
            )
                .prop_map(|(conversation, id, latest, toggles)| {
                    let mut reactions = Reactions::new();
                    for (user, reaction, on) in toggles {
                        reactions.toggle(&user, &reaction, on);
                    }
                    ServerMessage::Reactions {
                        conversation,
                        id,
                        latest,
                        reactions,
                    }
                }),
            (conversation(), any::<bool>())
                .prop_map(|(conversation, on)| ServerMessage::Muted { conversation, on }),
            (send_token(), free_text())
                .prop_map(|(token, reason)| ServerMessage::SearchFailed { token, reason }),
            (conversation(), field_text(), digest(), preview_status()).prop_map(
                |(conversation, name, sha256, status)| ServerMessage::Preview {
                    conversation,
                    name,
                    sha256,
                    status
                }
            ),
            any::<bool>().prop_map(|on| ServerMessage::Previews { on }),
            (any::<u64>(), any::<u64>(), any::<u64>())
                .prop_map(|(used, limit, left)| ServerMessage::Quota { used, limit, left }),
            (conversation(), field_text(), any::<u64>()).prop_map(|(conversation, name, size)| {
                ServerMessage::PreviewData {
                    conversation,
                    name,
                    size,
                }
            }),
        ]
    }

    fn preview_status() -> impl Strategy<Value = PreviewStatus> {
        use crate::preview::Preview;
        prop_oneof![
            Just(PreviewStatus::Pending),
            Just(PreviewStatus::None),
            (any::<u64>(), any::<u64>())
                .prop_map(|(width, height)| PreviewStatus::Ready(Preview::Image { width, height })),
            any::<u64>().prop_map(|lines| PreviewStatus::Ready(Preview::Text { lines })),
            (any::<u64>(), free_text())
                .prop_map(|(pages, title)| PreviewStatus::Ready(Preview::Pdf { pages, title })),
            any::<u64>()
                .prop_map(|duration_ms| PreviewStatus::Ready(Preview::Audio { duration_ms })),
        ]
    }

    #[test]
    fn the_hello_line_is_what_the_encoder_writes() {
        for version in [0, 1, 2, 3, 10, 4242, u64::MAX] {
            assert_eq!(
                ServerMessage::hello_line(version),
                ServerMessage::Hello { version }.to_line().unwrap()
            );
        }
    }

    proptest! {
        #[test]
        fn round_trips(message in server_message()) {
            let line = message.to_line().unwrap();
            let text = std::str::from_utf8(&line).unwrap();
            prop_assert!(text.ends_with('\n'));
            prop_assert_eq!(ServerMessage::parse_line(&text[..text.len() - 1]), Ok(message));
        }

        #[test]
        fn parsing_never_panics(line in "\\PC*") {
            let _ = ServerMessage::parse_line(&line);
        }
    }
}
