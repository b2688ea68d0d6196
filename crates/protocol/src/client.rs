//! Every line a client sends to the server.

use crate::conversation::Conversation;
use crate::digest::Sha256Digest;
use crate::error::{EncodeError, ParseError};
use crate::fields::{FieldReader, LineWriter, split_verb};
use crate::room::Visibility;
use crate::{EncodeLine, ParseLine};

/// A message from a client to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMessage {
    /// `HELLO|version`: asks for a protocol version; must be the first line.
    Hello {
        /// The highest version the client speaks.
        version: u64,
    },
    /// `LOGIN|user|password`: logs in, registering the name if it is new.
    Login {
        /// The user name.
        user: String,
        /// The password, in clear (the last field: it may contain `|`).
        password: String,
    },
    /// `TEXT|message`: a public message to everyone else in the room.
    Text {
        /// The message text.
        text: String,
    },
    /// `DM|to|message`: a private message to every session of `to`.
    Dm {
        /// The recipient's user name.
        to: String,
        /// The message text.
        text: String,
    },
    /// `FILE|name|size|sha256`, followed by `size` bytes and `\n` (version 2:
    /// only after the server answered `FILE_READY|name`).
    File {
        /// The file's base name.
        name: String,
        /// The body length in bytes.
        size: u64,
        /// The SHA-256 of the body.
        sha256: Sha256Digest,
    },
    /// `GET_FILE|name`: asks for a stored file.
    GetFile {
        /// The stored file's name.
        name: String,
    },
    /// `LIST_FILES`: asks for the list of stored files.
    ListFiles,
    /// `PING|token`: asks the server to answer `PONG|token`.
    Ping {
        /// An opaque token echoed back.
        token: String,
    },
    /// `PONG|token`: answers a server's `PING|token`.
    Pong {
        /// The token of the `PING` being answered.
        token: String,
    },
    /// `QUIT`: logs out and closes the connection.
    Quit,
    /// `RESUME|last_id` (v3, before `LOGIN`): the welcome then carries the
    /// events after `last_id` instead of the latest ones.
    Resume {
        /// The highest event id the client has.
        last_id: u64,
    },
    /// `SEND|token|conversation|message` (v3): posts to a conversation; the
    /// server answers `ACK|token|id|ts` once it is stored, or
    /// `REJECTED|token|reason`. Sending the same token again posts nothing
    /// new and gets the same `ACK`.
    Send {
        /// Chosen by the client, unique among its sends.
        token: String,
        /// Where to post.
        conversation: Conversation,
        /// The message text.
        text: String,
    },
    /// `REPLY|token|conversation|id|message` (v3): posts a message
    /// answering the message `id` of the same conversation; answered like
    /// `SEND` (`ACK`, or `REJECTED` when `id` is no message of that
    /// conversation or was deleted), and resent the same way.
    Reply {
        /// Chosen by the client, unique among its sends.
        token: String,
        /// Where to post.
        conversation: Conversation,
        /// The message it answers.
        to: u64,
        /// The message text (the last field).
        text: String,
    },
    /// `BEFORE|conversation|id|limit` (v3): up to `limit` events of a
    /// conversation older than `id` (0: the newest), then `PAGE_END`.
    Before {
        /// Which conversation.
        conversation: Conversation,
        /// Events older than this id; 0 for the newest.
        before: u64,
        /// How many at most.
        limit: u64,
    },
    /// `READ|conversation|id` (v3): the user has read up to `id`.
    Read {
        /// Which conversation.
        conversation: Conversation,
        /// The last event read.
        id: u64,
    },
    /// `TRANSFER_TOKEN` (v3): asks for a single-use token that logs a
    /// transfer connection in.
    TransferToken,
    /// `TRANSFER|token` (v3, instead of `LOGIN`): logs a connection in for
    /// file transfers only, with a token from `TRANSFER_TOKEN`.
    Transfer {
        /// The token.
        token: String,
    },
    /// `CREATE|#room|public|topic` or `CREATE|#room|private|topic` (v3):
    /// creates a room, owned by the sender.
    Create {
        /// The room.
        room: Conversation,
        /// Who may find and join it.
        visibility: Visibility,
        /// Its topic (the last field; may be empty).
        topic: String,
    },
    /// `JOIN|#room` (v3): joins a public room, or a private one the user is
    /// invited to.
    Join {
        /// The room.
        room: Conversation,
    },
    /// `LEAVE|conversation` (v3): leaves a room (not `#general`).
    Leave {
        /// The room.
        conversation: Conversation,
    },
    /// `INVITE|#room|user`, `REMOVE|#room|user`, `BAN|#room|user`,
    /// `UNBAN|#room|user` (v3): changes another user's membership.
    Moderate {
        /// Which of the four.
        action: ModerationAction,
        /// The room.
        room: Conversation,
        /// The user.
        user: String,
    },
    /// `TOPIC|#room|topic` (v3): sets a room's topic.
    Topic {
        /// The room.
        room: Conversation,
        /// The topic (the last field; may be empty).
        topic: String,
    },
    /// `MODERATOR|#room|user|1` or `…|0` (v3, owner only): makes a member a
    /// moderator, or a moderator a member again.
    Moderator {
        /// The room.
        room: Conversation,
        /// The member.
        user: String,
        /// Moderator (1) or member (0).
        on: bool,
    },
    /// `ROOMS` (v3): lists the public rooms and the user's own.
    Rooms,
    /// `CODE|code` (v3, before `LOGIN`): an invitation code, for a server
    /// where registering needs one.
    Code {
        /// The code.
        code: String,
    },
    /// `PASSWORD|n|current+new` (v3): changes the user's password. The
    /// last field is the current password followed by the new one, and
    /// `n` is the current one's length in bytes (either may hold `|`).
    Password {
        /// The current password.
        current: String,
        /// The new password.
        new: String,
    },
    /// `SIGN_OUT_OTHERS` (v3): ends the user's other sessions.
    SignOutOthers,
    /// `UPLOAD|conversation|name|size|sha256` (v3): like `FILE` (the body
    /// after `FILE_READY`), shared into a conversation.
    Upload {
        /// Where to share it.
        conversation: Conversation,
        /// The file's base name.
        name: String,
        /// The body length in bytes.
        size: u64,
        /// The SHA-256 of the body.
        sha256: Sha256Digest,
    },
    /// `DOWNLOAD|conversation|name` (v3): like `GET_FILE`, from a
    /// conversation's files.
    Download {
        /// Whose files.
        conversation: Conversation,
        /// The stored name (the last field).
        name: String,
    },
    /// `PREVIEWS|on` (v3): with 1, this session is told of previews (a
    /// `PREVIEW` line after each share, and when the preview is made);
    /// with 0 (the default), it is not. Answered `PREVIEWS|on`.
    Previews {
        /// Told or not.
        on: bool,
    },
    /// `PREVIEW|conversation|name` (v3): the preview of a conversation's
    /// file, without the file: answered `PREVIEW|…` (and, for a ready
    /// preview, `PREVIEW_DATA|…` with its bytes), or `ERROR|No preview for
    /// <name>`.
    Preview {
        /// Whose file.
        conversation: Conversation,
        /// The stored name (the last field).
        name: String,
    },
    /// `FILES|conversation` (v3): like `LIST_FILES`, for a conversation.
    Files {
        /// Whose files.
        conversation: Conversation,
    },
    /// `DELETE_FILE|conversation|name` (v3): deletes a conversation's file
    /// (its uploader, the room's owner and moderators, administrators);
    /// answered by the `FILE_DELETE` event, or `ERROR`.
    DeleteFile {
        /// Whose file.
        conversation: Conversation,
        /// The stored name (the last field).
        name: String,
    },
    /// `QUOTA` (v3): answered `QUOTA|used|limit|left` now, and again
    /// whenever this user's stored files change.
    Quota,
    /// An administrator's command (v3): see [`AdminCommand`].
    Admin(AdminCommand),
    /// `EDIT|token|id|message` (v3): changes the text of the user's own
    /// message `id`; answered `ACK|token|…` (the edit's event) or
    /// `REJECTED|token|reason`.
    Edit {
        /// The client's token for the answer.
        token: String,
        /// The message's id.
        id: u64,
        /// Its new text (the last field).
        text: String,
    },
    /// `DELETE|token|id` (v3): deletes the message `id` (the user's own,
    /// or any in a room they moderate); answered like `EDIT`.
    Delete {
        /// The client's token for the answer.
        token: String,
        /// The message's id.
        id: u64,
    },
    /// `REACT|token|id|reaction` (v3): gives `reaction` on message `id`,
    /// or takes it back if the user gave it; answered `ACK|token|…` (the
    /// toggle's event, which follows as an `EVENT` line) or
    /// `REJECTED|token|reason`.
    React {
        /// The client's token for the answer.
        token: String,
        /// The message's id.
        id: u64,
        /// The reaction (the last field).
        reaction: String,
    },
    /// `BLOCK|user` or `UNBLOCK|user` (v3): hide a user's messages from
    /// this user and refuse their direct messages, or stop; answered
    /// `BLOCKED`/`UNBLOCKED` to every session of the user.
    Block {
        /// The user.
        user: String,
        /// Block (`BLOCK`) or unblock (`UNBLOCK`).
        on: bool,
    },
    /// `MUTE|conversation` or `UNMUTE|conversation` (v3): no notifications
    /// or badge for it (unread is still counted), or again; answered
    /// `MUTED`/`UNMUTED` to every session of the user.
    Mute {
        /// The conversation.
        conversation: Conversation,
        /// Mute (`MUTE`) or unmute (`UNMUTE`).
        on: bool,
    },
    /// `TYPING|conversation` (v3): the user is typing there; others in it
    /// get `TYPING|conversation|user` (not stored). Send at most one every
    /// 3 seconds per conversation while typing.
    Typing {
        /// Where.
        conversation: Conversation,
    },
    /// `SEARCH|token|limit|query` (v3): the messages and files matching
    /// `query` (see [`crate::search`]) in the user's conversations, at most
    /// `limit`, answered `FOUND`… then `SEARCH_END` (or `SEARCH_FAILED`),
    /// all with `token`.
    Search {
        /// The client's token for the answer.
        token: String,
        /// How many results at most.
        limit: u64,
        /// What the user typed (the last field: it may contain `|`).
        query: String,
    },
    /// `MEMBERS|conversation|after|limit` (v3): a page of a conversation's
    /// members, in name order, after the name `after` (empty: from the
    /// start).
    Members {
        /// The conversation.
        conversation: Conversation,
        /// The last name of the previous page, or empty.
        after: String,
        /// How many at most.
        limit: u64,
    },
}

/// What an administrator's [`ClientMessage::Admin`] command does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminCommand {
    /// `INVITE_CODE`: makes a single-use invitation code.
    InviteCode,
    /// `BAN_USER|user|reason`: bans a user server-wide (closes their
    /// sessions, refuses their logins).
    Ban {
        /// The user.
        user: String,
        /// Why (the last field).
        reason: String,
    },
    /// `UNBAN_USER|user`: lifts a server-wide ban.
    Unban {
        /// The user.
        user: String,
    },
    /// `REGISTRATION|open`, `…|closed` or `…|invite`: changes who may
    /// create an account (until the server restarts).
    Registration {
        /// `open`, `closed` or `invite`.
        mode: String,
    },
    /// `RESET_PASSWORD|user|password`: gives a user a new password.
    ResetPassword {
        /// The user.
        user: String,
        /// The new password (the last field).
        password: String,
    },
    /// `DELETE_ACCOUNT|user`: deletes an account (their messages stay).
    DeleteAccount {
        /// The user.
        user: String,
    },
    /// `AUDIT|limit`: the newest lines of the audit log.
    Audit {
        /// How many at most.
        limit: u64,
    },
}

impl AdminCommand {
    /// The verb.
    pub fn verb(&self) -> &'static str {
        match self {
            AdminCommand::InviteCode => "INVITE_CODE",
            AdminCommand::Ban { .. } => "BAN_USER",
            AdminCommand::Unban { .. } => "UNBAN_USER",
            AdminCommand::Registration { .. } => "REGISTRATION",
            AdminCommand::ResetPassword { .. } => "RESET_PASSWORD",
            AdminCommand::DeleteAccount { .. } => "DELETE_ACCOUNT",
            AdminCommand::Audit { .. } => "AUDIT",
        }
    }
}

/// What a [`ClientMessage::Moderate`] does to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModerationAction {
    /// `INVITE`.
    Invite,
    /// `REMOVE`.
    Remove,
    /// `BAN`.
    Ban,
    /// `UNBAN`.
    Unban,
}

impl ModerationAction {
    /// The verb.
    pub fn verb(self) -> &'static str {
        match self {
            ModerationAction::Invite => "INVITE",
            ModerationAction::Remove => "REMOVE",
            ModerationAction::Ban => "BAN",
            ModerationAction::Unban => "UNBAN",
        }
    }
}

impl ClientMessage {
    /// The verb that starts this message's line.
    pub fn verb(&self) -> &'static str {
        match self {
            ClientMessage::Hello { .. } => "HELLO",
            ClientMessage::Login { .. } => "LOGIN",
            ClientMessage::Text { .. } => "TEXT",
            ClientMessage::Dm { .. } => "DM",
            ClientMessage::File { .. } => "FILE",
            ClientMessage::GetFile { .. } => "GET_FILE",
            ClientMessage::ListFiles => "LIST_FILES",
            ClientMessage::Ping { .. } => "PING",
            ClientMessage::Pong { .. } => "PONG",
            ClientMessage::Quit => "QUIT",
            ClientMessage::Resume { .. } => "RESUME",
            ClientMessage::Send { .. } => "SEND",
            ClientMessage::Reply { .. } => "REPLY",
            ClientMessage::Before { .. } => "BEFORE",
            ClientMessage::Read { .. } => "READ",
            ClientMessage::TransferToken => "TRANSFER_TOKEN",
            ClientMessage::Transfer { .. } => "TRANSFER",
            ClientMessage::Create { .. } => "CREATE",
            ClientMessage::Join { .. } => "JOIN",
            ClientMessage::Leave { .. } => "LEAVE",
            ClientMessage::Moderate { action, .. } => action.verb(),
            ClientMessage::Topic { .. } => "TOPIC",
            ClientMessage::Moderator { .. } => "MODERATOR",
            ClientMessage::Rooms => "ROOMS",
            ClientMessage::Typing { .. } => "TYPING",
            ClientMessage::Block { on: true, .. } => "BLOCK",
            ClientMessage::Block { on: false, .. } => "UNBLOCK",
            ClientMessage::Mute { on: true, .. } => "MUTE",
            ClientMessage::Mute { on: false, .. } => "UNMUTE",
            ClientMessage::Code { .. } => "CODE",
            ClientMessage::Password { .. } => "PASSWORD",
            ClientMessage::SignOutOthers => "SIGN_OUT_OTHERS",
            ClientMessage::Upload { .. } => "UPLOAD",
            ClientMessage::Download { .. } => "DOWNLOAD",
            ClientMessage::Preview { .. } => "PREVIEW",
            ClientMessage::Previews { .. } => "PREVIEWS",
            ClientMessage::Files { .. } => "FILES",
            ClientMessage::DeleteFile { .. } => "DELETE_FILE",
            ClientMessage::Quota => "QUOTA",
            ClientMessage::Search { .. } => "SEARCH",
            ClientMessage::Edit { .. } => "EDIT",
            ClientMessage::Delete { .. } => "DELETE",
            ClientMessage::React { .. } => "REACT",
            ClientMessage::Admin(command) => command.verb(),
            ClientMessage::Members { .. } => "MEMBERS",
        }
    }
}

impl ParseLine for ClientMessage {
    fn parse_line(line: &str) -> Result<Self, ParseError> {
        let (verb, rest) = split_verb(line)?;
        let message = match verb {
            "HELLO" => {
                let mut f = FieldReader::new("HELLO", rest);
                let version = f.number("version")?;
                f.finish()?;
                ClientMessage::Hello { version }
            }
            "LOGIN" => {
                let mut f = FieldReader::new("LOGIN", rest);
                ClientMessage::Login {
                    user: f.next("user")?.to_owned(),
                    password: f.last("password")?.to_owned(),
                }
            }
            "TEXT" => ClientMessage::Text {
                text: FieldReader::new("TEXT", rest).last("message")?.to_owned(),
            },
            "DM" => {
                let mut f = FieldReader::new("DM", rest);
                ClientMessage::Dm {
                    to: f.next("to")?.to_owned(),
                    text: f.last("message")?.to_owned(),
                }
            }
            "FILE" => {
                let mut f = FieldReader::new("FILE", rest);
                let name = f.next("name")?.to_owned();
                let size = f.number("size")?;
                let sha256 = f.digest("sha256")?;
                f.finish()?;
                ClientMessage::File { name, size, sha256 }
            }
            "GET_FILE" => ClientMessage::GetFile {
                name: FieldReader::new("GET_FILE", rest).last("name")?.to_owned(),
            },
            "LIST_FILES" => {
                FieldReader::new("LIST_FILES", rest).finish()?;
                ClientMessage::ListFiles
            }
            "PING" => ClientMessage::Ping {
                token: FieldReader::new("PING", rest).token("token")?.to_owned(),
            },
            "PONG" => ClientMessage::Pong {
                token: FieldReader::new("PONG", rest).token("token")?.to_owned(),
            },
            "QUIT" => {
                FieldReader::new("QUIT", rest).finish()?;
                ClientMessage::Quit
            }
            "RESUME" => {
                let mut f = FieldReader::new("RESUME", rest);
                let last_id = f.number("last_id")?;
                f.finish()?;
                ClientMessage::Resume { last_id }
            }
            "SEND" => {
                let mut f = FieldReader::new("SEND", rest);
                ClientMessage::Send {
                    token: f.next_token("token")?.to_owned(),
                    conversation: f.conversation("conversation")?,
                    text: f.last("message")?.to_owned(),
                }
            }
            "REPLY" => {
                let mut f = FieldReader::new("REPLY", rest);
                ClientMessage::Reply {
                    token: f.next_token("token")?.to_owned(),
                    conversation: f.conversation("conversation")?,
                    to: f.number("id")?,
                    text: f.last("message")?.to_owned(),
                }
            }
            "BEFORE" => {
                let mut f = FieldReader::new("BEFORE", rest);
                let conversation = f.conversation("conversation")?;
                let before = f.number("id")?;
                let limit = f.number("limit")?;
                f.finish()?;
                ClientMessage::Before {
                    conversation,
                    before,
                    limit,
                }
            }
            "READ" => {
                let mut f = FieldReader::new("READ", rest);
                let conversation = f.conversation("conversation")?;
                let id = f.number("id")?;
                f.finish()?;
                ClientMessage::Read { conversation, id }
            }
            "TRANSFER_TOKEN" => {
                FieldReader::new("TRANSFER_TOKEN", rest).finish()?;
                ClientMessage::TransferToken
            }
            "CREATE" => {
                let mut f = FieldReader::new("CREATE", rest);
                ClientMessage::Create {
                    room: f.conversation("room")?,
                    visibility: f.word("visibility")?,
                    topic: f.last("topic")?.to_owned(),
                }
            }
            "JOIN" => {
                let mut f = FieldReader::new("JOIN", rest);
                let room = f.conversation("room")?;
                f.finish()?;
                ClientMessage::Join { room }
            }
            "LEAVE" => {
                let mut f = FieldReader::new("LEAVE", rest);
                let conversation = f.conversation("conversation")?;
                f.finish()?;
                ClientMessage::Leave { conversation }
            }
            verb @ ("INVITE" | "REMOVE" | "BAN" | "UNBAN") => {
                let action = match verb {
                    "INVITE" => ModerationAction::Invite,
                    "REMOVE" => ModerationAction::Remove,
                    "BAN" => ModerationAction::Ban,
                    _ => ModerationAction::Unban,
                };
                let mut f = FieldReader::new(action.verb(), rest);
                let room = f.conversation("room")?;
                let user = f.next("user")?.to_owned();
                f.finish()?;
                ClientMessage::Moderate { action, room, user }
            }
            "TOPIC" => {
                let mut f = FieldReader::new("TOPIC", rest);
                ClientMessage::Topic {
                    room: f.conversation("room")?,
                    topic: f.last("topic")?.to_owned(),
                }
            }
            "MODERATOR" => {
                let mut f = FieldReader::new("MODERATOR", rest);
                let room = f.conversation("room")?;
                let user = f.next("user")?.to_owned();
                let on = f.flag("on")?;
                f.finish()?;
                ClientMessage::Moderator { room, user, on }
            }
            "BLOCK" | "UNBLOCK" => ClientMessage::Block {
                user: FieldReader::new(if verb == "BLOCK" { "BLOCK" } else { "UNBLOCK" }, rest)
                    .last("user")?
                    .to_owned(),
                on: verb == "BLOCK",
            },
            "MUTE" | "UNMUTE" => {
                let mut f = FieldReader::new(if verb == "MUTE" { "MUTE" } else { "UNMUTE" }, rest);
                let conversation = f.conversation("conversation")?;
                f.finish()?;
                ClientMessage::Mute {
                    conversation,
                    on: verb == "MUTE",
                }
            }
            "TYPING" => {
                let mut f = FieldReader::new("TYPING", rest);
                let conversation = f.conversation("conversation")?;
                f.finish()?;
                ClientMessage::Typing { conversation }
            }
            "ROOMS" => {
                FieldReader::new("ROOMS", rest).finish()?;
                ClientMessage::Rooms
            }
            "CODE" => ClientMessage::Code {
                code: FieldReader::new("CODE", rest).token("code")?.to_owned(),
            },
            "PASSWORD" => {
                let mut f = FieldReader::new("PASSWORD", rest);
                let split = f.number("current_len")?;
                let both = f.last("passwords")?;
                let split = usize::try_from(split)
                    .ok()
                    .filter(|&n| both.is_char_boundary(n))
                    .ok_or(ParseError::BadNumber {
                        command: "PASSWORD",
                        field: "current_len",
                    })?;
                let (current, new) = both.split_at(split);
                ClientMessage::Password {
                    current: current.to_owned(),
                    new: new.to_owned(),
                }
            }
            "UPLOAD" => {
                let mut f = FieldReader::new("UPLOAD", rest);
                let conversation = f.conversation("conversation")?;
                let name = f.next("name")?.to_owned();
                let size = f.number("size")?;
                let sha256 = f.digest("sha256")?;
                f.finish()?;
                ClientMessage::Upload {
                    conversation,
                    name,
                    size,
                    sha256,
                }
            }
            "DOWNLOAD" => {
                let mut f = FieldReader::new("DOWNLOAD", rest);
                ClientMessage::Download {
                    conversation: f.conversation("conversation")?,
                    name: f.last("name")?.to_owned(),
                }
            }
            "PREVIEWS" => {
                let mut f = FieldReader::new("PREVIEWS", rest);
                let on = f.flag("on")?;
                f.finish()?;
                ClientMessage::Previews { on }
            }
            "PREVIEW" => {
                let mut f = FieldReader::new("PREVIEW", rest);
                ClientMessage::Preview {
                    conversation: f.conversation("conversation")?,
                    name: f.last("name")?.to_owned(),
                }
            }
            "FILES" => {
                let mut f = FieldReader::new("FILES", rest);
                let conversation = f.conversation("conversation")?;
                f.finish()?;
                ClientMessage::Files { conversation }
            }
            "DELETE_FILE" => {
                let mut f = FieldReader::new("DELETE_FILE", rest);
                ClientMessage::DeleteFile {
                    conversation: f.conversation("conversation")?,
                    name: f.last("name")?.to_owned(),
                }
            }
            "QUOTA" => {
                FieldReader::new("QUOTA", rest).finish()?;
                ClientMessage::Quota
            }
            "SIGN_OUT_OTHERS" => {
                FieldReader::new("SIGN_OUT_OTHERS", rest).finish()?;
                ClientMessage::SignOutOthers
            }
            "INVITE_CODE" => {
                FieldReader::new("INVITE_CODE", rest).finish()?;
                ClientMessage::Admin(AdminCommand::InviteCode)
            }
            "BAN_USER" => {
                let mut f = FieldReader::new("BAN_USER", rest);
                ClientMessage::Admin(AdminCommand::Ban {
                    user: f.next("user")?.to_owned(),
                    reason: f.last("reason")?.to_owned(),
                })
            }
            "UNBAN_USER" => ClientMessage::Admin(AdminCommand::Unban {
                user: FieldReader::new("UNBAN_USER", rest)
                    .last("user")?
                    .to_owned(),
            }),
            "REGISTRATION" => ClientMessage::Admin(AdminCommand::Registration {
                mode: FieldReader::new("REGISTRATION", rest)
                    .last("mode")?
                    .to_owned(),
            }),
            "RESET_PASSWORD" => {
                let mut f = FieldReader::new("RESET_PASSWORD", rest);
                ClientMessage::Admin(AdminCommand::ResetPassword {
                    user: f.next("user")?.to_owned(),
                    password: f.last("password")?.to_owned(),
                })
            }
            "DELETE_ACCOUNT" => ClientMessage::Admin(AdminCommand::DeleteAccount {
                user: FieldReader::new("DELETE_ACCOUNT", rest)
                    .last("user")?
                    .to_owned(),
            }),
            "AUDIT" => {
                let mut f = FieldReader::new("AUDIT", rest);
                let limit = f.number("limit")?;
                f.finish()?;
                ClientMessage::Admin(AdminCommand::Audit { limit })
            }
            "EDIT" => {
                let mut f = FieldReader::new("EDIT", rest);
                ClientMessage::Edit {
                    token: f.next_token("token")?.to_owned(),
                    id: f.number("id")?,
                    text: f.last("message")?.to_owned(),
                }
            }
            "DELETE" => {
                let mut f = FieldReader::new("DELETE", rest);
                let token = f.next_token("token")?.to_owned();
                let id = f.number("id")?;
                f.finish()?;
                ClientMessage::Delete { token, id }
            }
            "REACT" => {
                let mut f = FieldReader::new("REACT", rest);
                ClientMessage::React {
                    token: f.next_token("token")?.to_owned(),
                    id: f.number("id")?,
                    reaction: f.last("reaction")?.to_owned(),
                }
            }
            "SEARCH" => {
                let mut f = FieldReader::new("SEARCH", rest);
                ClientMessage::Search {
                    token: f.next_token("token")?.to_owned(),
                    limit: f.number("limit")?,
                    query: f.last("query")?.to_owned(),
                }
            }
            "MEMBERS" => {
                let mut f = FieldReader::new("MEMBERS", rest);
                let conversation = f.conversation("conversation")?;
                let after = f.next("after")?.to_owned();
                let limit = f.number("limit")?;
                f.finish()?;
                ClientMessage::Members {
                    conversation,
                    after,
                    limit,
                }
            }
            "TRANSFER" => ClientMessage::Transfer {
                token: FieldReader::new("TRANSFER", rest)
                    .token("token")?
                    .to_owned(),
            },
            other => return Err(ParseError::UnknownCommand(other.to_owned())),
        };
        Ok(message)
    }
}

impl EncodeLine for ClientMessage {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let line = LineWriter::new(self.verb(), out);
        match self {
            ClientMessage::Hello { version } => line.number("version", *version),
            ClientMessage::Login { user, password } => {
                line.field("user", user).last("password", password)
            }
            ClientMessage::Text { text } => line.last("message", text),
            ClientMessage::Dm { to, text } => line.field("to", to).last("message", text),
            ClientMessage::File { name, size, sha256 } => line
                .field("name", name)
                .number("size", *size)
                .digest("sha256", sha256),
            ClientMessage::GetFile { name } => line.last("name", name),
            ClientMessage::Ping { token } | ClientMessage::Pong { token } => {
                line.token("token", token)
            }
            ClientMessage::ListFiles
            | ClientMessage::Quit
            | ClientMessage::TransferToken
            | ClientMessage::Quota => line,
            ClientMessage::Resume { last_id } => line.number("last_id", *last_id),
            ClientMessage::Send {
                token,
                conversation,
                text,
            } => line
                .field_token("token", token)
                .field("conversation", &conversation.to_string())
                .last("message", text),
            ClientMessage::Reply {
                token,
                conversation,
                to,
                text,
            } => line
                .field_token("token", token)
                .field("conversation", &conversation.to_string())
                .number("id", *to)
                .last("message", text),
            ClientMessage::Before {
                conversation,
                before,
                limit,
            } => line
                .field("conversation", &conversation.to_string())
                .number("id", *before)
                .number("limit", *limit),
            ClientMessage::Read { conversation, id } => line
                .field("conversation", &conversation.to_string())
                .number("id", *id),
            ClientMessage::Transfer { token } => line.token("token", token),
            ClientMessage::Create {
                room,
                visibility,
                topic,
            } => line
                .field("room", &room.to_string())
                .field("visibility", visibility.as_str())
                .last("topic", topic),
            ClientMessage::Join { room } => line.field("room", &room.to_string()),
            ClientMessage::Leave { conversation } => {
                line.field("conversation", &conversation.to_string())
            }
            ClientMessage::Moderate { room, user, .. } => {
                line.field("room", &room.to_string()).field("user", user)
            }
            ClientMessage::Topic { room, topic } => {
                line.field("room", &room.to_string()).last("topic", topic)
            }
            ClientMessage::Moderator { room, user, on } => line
                .field("room", &room.to_string())
                .field("user", user)
                .number("on", u64::from(*on)),
            ClientMessage::Rooms | ClientMessage::SignOutOthers => line,
            ClientMessage::Block { user, .. } => line.last("user", user),
            ClientMessage::Typing { conversation } => {
                line.field("conversation", &conversation.to_string())
            }
            ClientMessage::Mute { conversation, .. } => {
                line.field("conversation", &conversation.to_string())
            }
            ClientMessage::Code { code } => line.token("code", code),
            ClientMessage::Upload {
                conversation,
                name,
                size,
                sha256,
            } => line
                .field("conversation", &conversation.to_string())
                .field("name", name)
                .number("size", *size)
                .digest("sha256", sha256),
            ClientMessage::Previews { on } => line.number("on", u64::from(*on)),
            ClientMessage::Download { conversation, name }
            | ClientMessage::Preview { conversation, name }
            | ClientMessage::DeleteFile { conversation, name } => line
                .field("conversation", &conversation.to_string())
                .last("name", name),
            ClientMessage::Files { conversation } => {
                line.field("conversation", &conversation.to_string())
            }
            ClientMessage::Password { current, new } => line
                .number("current_len", current.len() as u64)
                .last("passwords", &format!("{current}{new}")),
            ClientMessage::Admin(command) => match command {
                AdminCommand::InviteCode => line,
                AdminCommand::Ban { user, reason } => {
                    line.field("user", user).last("reason", reason)
                }
                AdminCommand::Unban { user } | AdminCommand::DeleteAccount { user } => {
                    line.last("user", user)
                }
                AdminCommand::Registration { mode } => line.last("mode", mode),
                AdminCommand::ResetPassword { user, password } => {
                    line.field("user", user).last("password", password)
                }
                AdminCommand::Audit { limit } => line.number("limit", *limit),
            },
            ClientMessage::Members {
                conversation,
                after,
                limit,
            } => line
                .field("conversation", &conversation.to_string())
                .field("after", after)
                .number("limit", *limit),
            ClientMessage::Edit { token, id, text } => line
                .field_token("token", token)
                .number("id", *id)
                .last("message", text),
            ClientMessage::Delete { token, id } => {
                line.field_token("token", token).number("id", *id)
            }
            ClientMessage::React {
                token,
                id,
                reaction,
            } => line
                .field_token("token", token)
                .number("id", *id)
                .last("reaction", reaction),
            ClientMessage::Search {
                token,
                limit,
                query,
            } => line
                .field_token("token", token)
                .number("limit", *limit)
                .last("query", query),
        }
        .finish()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;

    const HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn hash() -> Sha256Digest {
        Sha256Digest::from_hex(HASH).unwrap()
    }

    fn examples() -> Vec<(&'static str, ClientMessage)> {
        vec![
            ("PREVIEWS|1", ClientMessage::Previews { on: true }),
            (
                "DELETE_FILE|#lớp|bài | tập.pdf",
                ClientMessage::DeleteFile {
                    conversation: Conversation::Room("lớp".into()),
                    name: "bài | tập.pdf".into(),
                },
            ),
            ("QUOTA", ClientMessage::Quota),
            (
                "PREVIEW|#lớp|bài hát (1).mp3",
                ClientMessage::Preview {
                    conversation: Conversation::Room("lớp".into()),
                    name: "bài hát (1).mp3".into(),
                },
            ),
            ("HELLO|2", ClientMessage::Hello { version: 2 }),
            (
                "LOGIN|Đặng|mật|khẩu",
                ClientMessage::Login {
                    user: "Đặng".into(),
                    password: "mật|khẩu".into(),
                },
            ),
            (
                "TEXT|xin chào | mọi người",
                ClientMessage::Text {
                    text: "xin chào | mọi người".into(),
                },
            ),
            ("TEXT|", ClientMessage::Text { text: "".into() }),
            (
                "DM|bob|hi|there",
                ClientMessage::Dm {
                    to: "bob".into(),
                    text: "hi|there".into(),
                },
            ),
            (
                "FILE|ảnh.png|1024|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                ClientMessage::File {
                    name: "ảnh.png".into(),
                    size: 1024,
                    sha256: hash(),
                },
            ),
            (
                "GET_FILE|a.txt",
                ClientMessage::GetFile {
                    name: "a.txt".into(),
                },
            ),
            ("LIST_FILES", ClientMessage::ListFiles),
            ("PING|42", ClientMessage::Ping { token: "42".into() }),
            ("PONG|42", ClientMessage::Pong { token: "42".into() }),
            ("QUIT", ClientMessage::Quit),
            ("RESUME|41", ClientMessage::Resume { last_id: 41 }),
            (
                "SEND|t-1|#general|xin chào | mọi người",
                ClientMessage::Send {
                    token: "t-1".into(),
                    conversation: Conversation::general(),
                    text: "xin chào | mọi người".into(),
                },
            ),
            (
                "SEND|t-2|@Bình|psst",
                ClientMessage::Send {
                    token: "t-2".into(),
                    conversation: Conversation::Direct("Bình".into()),
                    text: "psst".into(),
                },
            ),
            (
                "REPLY|t-3|#general|41|ừ | đúng rồi",
                ClientMessage::Reply {
                    token: "t-3".into(),
                    conversation: Conversation::general(),
                    to: 41,
                    text: "ừ | đúng rồi".into(),
                },
            ),
            (
                "REACT|k1|41|👍",
                ClientMessage::React {
                    token: "k1".into(),
                    id: 41,
                    reaction: "👍".into(),
                },
            ),
            (
                "BEFORE|#general|0|50",
                ClientMessage::Before {
                    conversation: Conversation::general(),
                    before: 0,
                    limit: 50,
                },
            ),
            (
                "READ|@an|17",
                ClientMessage::Read {
                    conversation: Conversation::Direct("an".into()),
                    id: 17,
                },
            ),
            ("TRANSFER_TOKEN", ClientMessage::TransferToken),
            (
                "TRANSFER|9f86d081884c7d65",
                ClientMessage::Transfer {
                    token: "9f86d081884c7d65".into(),
                },
            ),
        ]
    }

    #[test]
    fn every_verb_parses_and_encodes_exactly() {
        for (line, message) in examples() {
            assert_eq!(
                ClientMessage::parse_line(line),
                Ok(message.clone()),
                "{line}"
            );
            assert_eq!(message.to_line().unwrap(), format!("{line}\n").into_bytes());
        }
    }

    #[test]
    fn malformed_lines_map_to_their_error() {
        let table: Vec<(&str, ParseError)> = vec![
            ("", ParseError::Empty),
            ("HI", ParseError::UnknownCommand("HI".into())),
            ("text|hi", ParseError::UnknownCommand("text".into())),
            (
                "TEXT",
                ParseError::MissingField {
                    command: "TEXT",
                    field: "message",
                },
            ),
            (
                "LOGIN|bob",
                ParseError::MissingField {
                    command: "LOGIN",
                    field: "password",
                },
            ),
            (
                "FILE|a.png|12",
                ParseError::MissingField {
                    command: "FILE",
                    field: "sha256",
                },
            ),
            (
                "FILE|a.png|-1|00",
                ParseError::BadNumber {
                    command: "FILE",
                    field: "size",
                },
            ),
            (
                "FILE|a.png|1e3|00",
                ParseError::BadNumber {
                    command: "FILE",
                    field: "size",
                },
            ),
            (
                "FILE|a.png|3|abc",
                ParseError::BadDigest { command: "FILE" },
            ),
            (
                "FILE|a.png|3|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855|x",
                ParseError::UnexpectedField { command: "FILE" },
            ),
            (
                "HELLO|two",
                ParseError::BadNumber {
                    command: "HELLO",
                    field: "version",
                },
            ),
            (
                "LIST_FILES|x",
                ParseError::UnexpectedField {
                    command: "LIST_FILES",
                },
            ),
            ("QUIT|bye", ParseError::UnexpectedField { command: "QUIT" }),
            ("PING|", ParseError::BadToken { command: "PING" }),
            ("PING|\u{1b}[2J", ParseError::BadToken { command: "PING" }),
            ("PONG|a\rb", ParseError::BadToken { command: "PONG" }),
            ("PONG|\u{202e}x", ParseError::BadToken { command: "PONG" }),
        ];
        for (line, error) in table {
            assert_eq!(ClientMessage::parse_line(line), Err(error), "{line}");
        }
    }

    #[test]
    fn encode_refuses_a_token_that_could_not_be_read_back() {
        for token in ["", "a\rb", "\u{1b}", &"t".repeat(65)] {
            let ping = ClientMessage::Ping {
                token: token.to_owned(),
            };
            assert_eq!(
                ping.to_line(),
                Err(EncodeError::BadToken { command: "PING" }),
                "{token:?}"
            );
        }
    }

    #[test]
    fn encode_refuses_what_would_break_the_line() {
        let dm = ClientMessage::Dm {
            to: "a|b".into(),
            text: "x".into(),
        };
        assert!(matches!(dm.to_line(), Err(EncodeError::Separator { .. })));
        let text = ClientMessage::Text {
            text: "two\nlines".into(),
        };
        assert!(matches!(text.to_line(), Err(EncodeError::LineBreak { .. })));
    }

    /// Text without line breaks: what a field may hold.
    pub(crate) fn free_text() -> impl Strategy<Value = String> {
        "[^\r\n]{0,40}"
    }

    /// A valid token for a field that is not the last (no `|`).
    pub(crate) fn send_token() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9._-]{1,20}"
    }

    /// A valid conversation name.
    pub(crate) fn conversation() -> impl Strategy<Value = Conversation> {
        prop_oneof![
            "[a-zA-Zđă][a-zA-Z0-9_.đăạ-]{0,10}".prop_map(Conversation::Room),
            "[a-zA-Z0-9_.đăạ-]{1,10}".prop_map(Conversation::Direct),
            proptest::collection::btree_set("[a-z0-9_.đăạ-]{1,8}", 3..6)
                .prop_map(|names| Conversation::Group(names.into_iter().collect())),
        ]
    }

    /// A valid `PING`/`PONG` token.
    pub(crate) fn token() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9 ._đĐăâêôơưạ-ỹ-]{1,20}"
    }

    /// Text that is a valid non-last field.
    pub(crate) fn field_text() -> impl Strategy<Value = String> {
        "[^\r\n|]{0,20}"
    }

    pub(crate) fn digest() -> impl Strategy<Value = Sha256Digest> {
        any::<[u8; 32]>().prop_map(Sha256Digest)
    }

    fn client_message() -> impl Strategy<Value = ClientMessage> {
        prop_oneof![
            any::<u64>().prop_map(|version| ClientMessage::Hello { version }),
            (field_text(), free_text())
                .prop_map(|(user, password)| ClientMessage::Login { user, password }),
            free_text().prop_map(|text| ClientMessage::Text { text }),
            (field_text(), free_text()).prop_map(|(to, text)| ClientMessage::Dm { to, text }),
            (field_text(), any::<u64>(), digest())
                .prop_map(|(name, size, sha256)| ClientMessage::File { name, size, sha256 }),
            free_text().prop_map(|name| ClientMessage::GetFile { name }),
            Just(ClientMessage::ListFiles),
            token().prop_map(|token| ClientMessage::Ping { token }),
            token().prop_map(|token| ClientMessage::Pong { token }),
            Just(ClientMessage::Quit),
            any::<u64>().prop_map(|last_id| ClientMessage::Resume { last_id }),
            (send_token(), conversation(), free_text()).prop_map(|(token, conversation, text)| {
                ClientMessage::Send {
                    token,
                    conversation,
                    text,
                }
            }),
            (send_token(), conversation(), any::<u64>(), free_text()).prop_map(
                |(token, conversation, to, text)| ClientMessage::Reply {
                    token,
                    conversation,
                    to,
                    text,
                }
            ),
            (conversation(), any::<u64>(), any::<u64>()).prop_map(
                |(conversation, before, limit)| ClientMessage::Before {
                    conversation,
                    before,
                    limit
                }
            ),
            (conversation(), any::<u64>())
                .prop_map(|(conversation, id)| ClientMessage::Read { conversation, id }),
            Just(ClientMessage::TransferToken),
            token().prop_map(|token| ClientMessage::Transfer { token }),
            room_message(),
        ]
    }

    fn room_message() -> impl Strategy<Value = ClientMessage> {
        let action = prop_oneof![
            Just(ModerationAction::Invite),
            Just(ModerationAction::Remove),
            Just(ModerationAction::Ban),
            Just(ModerationAction::Unban),
        ];
        let visibility = prop_oneof![Just(Visibility::Public), Just(Visibility::Private)];
        prop_oneof![
            (conversation(), visibility, free_text()).prop_map(|(room, visibility, topic)| {
                ClientMessage::Create {
                    room,
                    visibility,
                    topic,
                }
            }),
            conversation().prop_map(|room| ClientMessage::Join { room }),
            conversation().prop_map(|conversation| ClientMessage::Leave { conversation }),
            (action, conversation(), field_text())
                .prop_map(|(action, room, user)| ClientMessage::Moderate { action, room, user }),
            (conversation(), free_text())
                .prop_map(|(room, topic)| ClientMessage::Topic { room, topic }),
            (conversation(), field_text(), any::<bool>())
                .prop_map(|(room, user, on)| ClientMessage::Moderator { room, user, on }),
            Just(ClientMessage::Rooms),
            conversation().prop_map(|conversation| ClientMessage::Typing { conversation }),
            (free_text(), any::<bool>()).prop_map(|(user, on)| ClientMessage::Block { user, on }),
            (conversation(), any::<bool>())
                .prop_map(|(conversation, on)| ClientMessage::Mute { conversation, on }),
            token().prop_map(|code| ClientMessage::Code { code }),
            (free_text(), free_text())
                .prop_map(|(current, new)| ClientMessage::Password { current, new }),
            Just(ClientMessage::SignOutOthers),
            (conversation(), field_text(), any::<u64>(), digest()).prop_map(
                |(conversation, name, size, sha256)| ClientMessage::Upload {
                    conversation,
                    name,
                    size,
                    sha256
                }
            ),
            (conversation(), free_text())
                .prop_map(|(conversation, name)| ClientMessage::Download { conversation, name }),
            (conversation(), free_text())
                .prop_map(|(conversation, name)| ClientMessage::Preview { conversation, name }),
            any::<bool>().prop_map(|on| ClientMessage::Previews { on }),
            conversation().prop_map(|conversation| ClientMessage::Files { conversation }),
            (conversation(), free_text())
                .prop_map(|(conversation, name)| ClientMessage::DeleteFile { conversation, name }),
            Just(ClientMessage::Quota),
            prop_oneof![
                Just(AdminCommand::InviteCode),
                (field_text(), free_text())
                    .prop_map(|(user, reason)| AdminCommand::Ban { user, reason }),
                free_text().prop_map(|user| AdminCommand::Unban { user }),
                free_text().prop_map(|mode| AdminCommand::Registration { mode }),
                (field_text(), free_text())
                    .prop_map(|(user, password)| AdminCommand::ResetPassword { user, password }),
                free_text().prop_map(|user| AdminCommand::DeleteAccount { user }),
                any::<u64>().prop_map(|limit| AdminCommand::Audit { limit }),
            ]
            .prop_map(ClientMessage::Admin),
            (send_token(), any::<u64>(), free_text())
                .prop_map(|(token, id, text)| ClientMessage::Edit { token, id, text }),
            (send_token(), any::<u64>())
                .prop_map(|(token, id)| ClientMessage::Delete { token, id }),
            (send_token(), any::<u64>(), free_text()).prop_map(|(token, id, reaction)| {
                ClientMessage::React {
                    token,
                    id,
                    reaction,
                }
            }),
            (send_token(), any::<u64>(), free_text()).prop_map(|(token, limit, query)| {
                ClientMessage::Search {
                    token,
                    limit,
                    query,
                }
            }),
            (conversation(), field_text(), any::<u64>()).prop_map(
                |(conversation, after, limit)| ClientMessage::Members {
                    conversation,
                    after,
                    limit
                }
            ),
        ]
    }

    proptest! {
        #[test]
        fn round_trips(message in client_message()) {
            let line = message.to_line().unwrap();
            let text = std::str::from_utf8(&line).unwrap();
            prop_assert!(text.ends_with('\n'));
            prop_assert_eq!(ClientMessage::parse_line(&text[..text.len() - 1]), Ok(message));
        }

        #[test]
        fn parsing_never_panics(line in "\\PC*") {
            let _ = ClientMessage::parse_line(&line);
        }
    }
}
