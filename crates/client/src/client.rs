//! [`Client`]: one logged-in user. Its methods only queue work for the
//! supervisor thread (which owns the chat connection) or start transfers
//! on threads of their own; none waits on the network.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Sender, TrySendError};
use media_chat_protocol::rules::check_text;
use media_chat_protocol::{
    AdminCommand, ClientMessage, Conversation, ConversationError, ModerationAction, Visibility,
};
use parking_lot::Mutex;

use crate::cache::{Cache, Cleared, default_cache_dir};
use crate::config::ClientConfig;
use crate::conversations::{Conversations, Member, group_of};
use crate::error::{CacheError, ConnectError, InputError, SendError, TransferError};
use crate::event::{Event, Quota, TransferId};
use crate::handshake::{self, Login};
use crate::input::{ChatCommand, Input, parse_input};
use crate::journal::{self, Journal};
use crate::message::Message;
use crate::outbox::{Entry, OUTBOX_LIMIT, Stage, Tokens, unix_now};
use crate::sink::{self, Closing, EventSink};
use crate::stop::Stop;
use crate::supervisor::{Command, Start, Status, Supervisor};
use crate::transfer::{self, Context};

/// Commands waiting for the supervisor. Sends are bounded by the outbox
/// limit besides; the rest (paging, read positions, lists) come at the
/// pace of a person.
const COMMAND_QUEUE: usize = 1024;

/// The most messages one page may ask for (the server's own limit).
pub const MAX_PAGE: u64 = 200;

/// The least time between two typing notices for one conversation.
pub const TYPING_EVERY: std::time::Duration = std::time::Duration::from_secs(3);

/// How long a front shows "an is typing…" after the last notice.
pub const TYPING_SHOWN: std::time::Duration = std::time::Duration::from_secs(6);

/// What a typed line did ([`Client::input`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// A message, pending: its [`Event::Delivery`] follows.
    Message(Message),
    /// A command, sent to the server (its answer comes as events) or
    /// done (`/go`).
    Command(ChatCommand),
}

/// A logged-in user: send with the methods, receive from
/// [`Client::events`]. No method blocks on the network.
pub struct Client {
    status: Arc<Status>,
    commands: Sender<Command>,
    events: Receiver<Event>,
    sink: EventSink,
    closing: Closing,
    /// Quit: the flag, and the socket of a reconnect's handshake.
    stop: Arc<Stop>,
    tokens: Tokens,
    transfers: Arc<Context>,
    supervisor: Mutex<Option<JoinHandle<()>>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    /// When a typing notice last went out, per conversation key.
    typing_sent: Mutex<std::collections::HashMap<String, std::time::Instant>>,
}

impl Client {
    /// Connects, logs in (registering the name if it is new and the server
    /// allows it; resuming after the last id this user saw on this server,
    /// kept in [`ClientConfig::data_dir`]) and starts the supervisor. The
    /// first event is [`Event::LoggedIn`]; messages still undelivered when
    /// the last run ended follow it as failed [`Event::Delivery`]s.
    pub fn connect(config: ClientConfig) -> Result<Client, ConnectError> {
        let cache_dir = config
            .cache_dir
            .clone()
            .or_else(default_cache_dir)
            .unwrap_or_else(|| PathBuf::from("client_downloads"));
        let data_dir = config.data_dir.clone();
        let journal = Journal::new(data_dir.as_deref(), &config.address, &config.user);
        let saved = journal.load();
        let resume = (saved.last_id > 0).then_some(saved.last_id);
        let connection = handshake::open(&config, Login::Chat { resume }, |_| Ok(()))?;
        // The code registered the account; reconnects need none.
        let mut config = config;
        config.invite_code = None;
        // The supervisor keeps previews beside the downloads.
        config.cache_dir = Some(cache_dir.clone());
        let tokens = Tokens::new(&journal::install_id(data_dir.as_deref()));
        let (sink, closing, events) = sink::event_queue(config.waker.clone());
        let (commands, queued) = crossbeam_channel::bounded(COMMAND_QUEUE);
        let status = Arc::new(Status::default());
        *status.user.lock() = connection.user.clone();
        status.connected.store(true, Ordering::SeqCst);
        status.version.store(connection.version, Ordering::SeqCst);
        let stop = Arc::new(Stop::default());
        let transfers = Arc::new(Context::new(
            config.clone(),
            Cache::new(cache_dir),
            sink.clone(),
            commands.clone(),
        ));
        let supervisor = Supervisor::spawn(Start {
            config,
            status: status.clone(),
            sink: sink.clone(),
            commands: queued,
            stop: stop.clone(),
            journal,
            saved,
            connection,
        })?;
        Ok(Client {
            status,
            commands,
            events,
            sink,
            closing,
            stop,
            tokens,
            transfers,
            supervisor: Mutex::new(Some(supervisor)),
            threads: Mutex::new(Vec::new()),
            typing_sent: Mutex::new(std::collections::HashMap::new()),
        })
    }

    /// Where events arrive, in the order they happened. The queue is
    /// bounded: while it is full the client stops reading from the server
    /// (which in the end drops a client that never catches up, and it
    /// resumes where it was), but no event is lost.
    pub fn events(&self) -> &Receiver<Event> {
        &self.events
    }

    /// The name as registered on the server.
    pub fn user(&self) -> String {
        self.status.user.lock().clone()
    }

    /// The download cache directory.
    pub fn cache_dir(&self) -> &Path {
        self.transfers.cache.dir()
    }

    /// Whether the chat connection is up.
    pub fn is_connected(&self) -> bool {
        self.status.connected.load(Ordering::SeqCst)
    }

    /// The protocol version of the current (or last) connection: 3, or 2
    /// for an older server (no ids, paging or read positions; a send is
    /// counted as sent once written).
    pub fn protocol_version(&self) -> u64 {
        self.status.version.load(Ordering::SeqCst)
    }

    /// Acts on a line as typed, by the rules of [`parse_input`]: `@user
    /// text` or `/dm user text` privately, `/dm a,b,c text` to a group,
    /// `#room text` to a room the user is in, a `/` command, anything else
    /// to the current conversation ([`Client::go`]). A message comes back
    /// pending, so the caller can show it at once (`[Me] …`, `[PM → user]
    /// …`); its [`Event::Delivery`] follows when the server acknowledges
    /// or refuses it. While the connection is down it waits and goes out
    /// on reconnect. A command is sent (its answer comes as events) or
    /// done.
    pub fn input(&self, line: &str) -> Result<Typed, SendError> {
        let message = match parse_input(line)? {
            Input::Text(text) => self.send_to(self.current(), &text),
            Input::Direct { to, text } => self.send_dm(&to, &text),
            Input::Group { members, text } => {
                let group = group_of(&members, &self.user())?;
                let group = self.status.conversations.lock().spelling(group);
                self.send_to(group, &text)
            }
            Input::Room { room, text, line } => {
                let known = self.status.conversations.lock().room(&room);
                match known {
                    Some(room) => self.send_to(room, &text),
                    None => self.send_to(self.current(), &line),
                }
            }
            Input::Command(command) => {
                self.perform(&command)?;
                return Ok(Typed::Command(command));
            }
        };
        message.map(Typed::Message)
    }

    /// Sends a line as typed, like [`Client::input`], when it is a message;
    /// a command is refused with [`InputError::Command`] (and not done).
    pub fn send_input(&self, line: &str) -> Result<Message, SendError> {
        if let Input::Command(_) = parse_input(line)? {
            let verb = line.split_whitespace().next().unwrap_or(line);
            return Err(InputError::Command(verb.to_owned()).into());
        }
        match self.input(line)? {
            Typed::Message(message) => Ok(message),
            Typed::Command(_) => Err(InputError::Command(line.to_owned()).into()),
        }
    }

    /// Carries out a typed command (see [`ChatCommand`]).
    pub fn perform(&self, command: &ChatCommand) -> Result<(), SendError> {
        match command.clone() {
            ChatCommand::Create {
                room,
                visibility,
                topic,
            } => self.create_room(room, visibility, &topic),
            ChatCommand::Join { room } => self.join(room),
            ChatCommand::Leave { room } => self.leave(room.unwrap_or_else(|| self.current())),
            ChatCommand::Invite { user } => {
                self.moderate(ModerationAction::Invite, self.current_room()?, &user)
            }
            ChatCommand::Remove { user } => {
                self.moderate(ModerationAction::Remove, self.current_room()?, &user)
            }
            ChatCommand::Topic { topic } => self.set_topic(self.current_room()?, &topic),
            ChatCommand::Members { conversation } => {
                self.load_members(conversation.unwrap_or_else(|| self.current()))
            }
            ChatCommand::Go { conversation } => self.go(conversation).map(|_| ()),
            ChatCommand::Rooms => self.list_rooms(),
            ChatCommand::SignOutOthers => self.sign_out_others(),
            ChatCommand::BanUser { user, reason } => self.admin(AdminCommand::Ban { user, reason }),
            ChatCommand::UnbanUser { user } => self.admin(AdminCommand::Unban { user }),
            ChatCommand::Registration { mode } => self.admin(AdminCommand::Registration { mode }),
            ChatCommand::InviteCode => self.admin(AdminCommand::InviteCode),
            ChatCommand::Audit { limit } => self.load_audit(limit),
            ChatCommand::Search { query } => self.search(&query).map(|_| ()),
            ChatCommand::Block { user, on } => self.block(&user, on),
            ChatCommand::Mute { conversation, on } => {
                self.mute(conversation.unwrap_or_else(|| self.current()), on)
            }
        }
    }

    /// The user's conversations as they stand: the list (with roles,
    /// topics, unread and mention counts) and the current one. Each change
    /// also comes as an event ([`Event::Conversation`],
    /// [`Event::ConversationGone`], [`Event::CurrentChanged`]).
    pub fn conversations(&self) -> Conversations {
        self.status.conversations.lock().snapshot()
    }

    /// Where plain lines go: `#general` unless changed with [`Client::go`]
    /// (or by creating or joining a room).
    pub fn current(&self) -> Conversation {
        self.status.conversations.lock().current()
    }

    /// Makes `conversation` the current one: a room the user is in, a
    /// direct conversation, or a group (named by its other members or all
    /// of them). Returns it as the server spells it; an
    /// [`Event::CurrentChanged`] follows.
    pub fn go(&self, conversation: Conversation) -> Result<Conversation, SendError> {
        let mut out = Vec::new();
        let result = self.status.conversations.lock().go(conversation, &mut out);
        if !out.is_empty() {
            // Through the supervisor, in order with everything else: this
            // thread may be the one that takes events off the queue.
            let _ = self.command(Command::Emit(out));
        }
        Ok(result?)
    }

    /// The members of `conversation` as last loaded with
    /// [`Client::load_members`] (kept up to date since by the room's
    /// events and presence), if they were.
    pub fn members(&self, conversation: &Conversation) -> Option<Vec<Member>> {
        self.status.conversations.lock().members(conversation)
    }

    /// Asks for every member of `conversation` (a room the user is in, a
    /// group, `#general` for every account); they arrive as one
    /// [`Event::Members`].
    pub fn load_members(&self, conversation: Conversation) -> Result<(), SendError> {
        self.connected_v3()?;
        let conversation = {
            let conversations = self.status.conversations.lock();
            // A refused page would leave the list waiting for its end.
            if !conversations.may_read(&conversation) {
                return Err(InputError::NotIn(conversation).into());
            }
            conversations.spelling(conversation)
        };
        self.command(Command::Members(conversation))
    }

    /// Searches the user's conversations for `query` (words, `"phrases"`,
    /// `prefix*`, and the filters `from:`, `in:`, `has:file`, `before:`,
    /// `after:`; see [`media_chat_protocol::search`]). Returns the token
    /// the answer comes with: [`Event::SearchResults`] or
    /// [`Event::SearchFailed`] (a front that searches as the user types
    /// shows the answer to the newest token only).
    pub fn search(&self, query: &str) -> Result<String, SendError> {
        self.connected_v3()?;
        media_chat_protocol::SearchQuery::parse(query).map_err(InputError::from)?;
        let token = self.tokens.next();
        self.command(Command::Search {
            token: token.clone(),
            query: query.to_owned(),
        })?;
        Ok(token)
    }

    /// Asks for the rooms: every public room and the private ones the user
    /// is in; they arrive as [`Event::RoomList`].
    pub fn list_rooms(&self) -> Result<(), SendError> {
        self.line(ClientMessage::Rooms)
    }

    /// Creates a room owned by the user; it comes as
    /// [`Event::Conversation`] and becomes the current one (or the
    /// server's refusal comes as [`Event::ServerError`]).
    pub fn create_room(
        &self,
        room: Conversation,
        visibility: Visibility,
        topic: &str,
    ) -> Result<(), SendError> {
        self.connected_v3()?;
        self.status.conversations.lock().go_when_joined(&room);
        self.line(ClientMessage::Create {
            room,
            visibility,
            topic: topic.to_owned(),
        })
    }

    /// Joins a public room, or a private one the user is invited to; it
    /// becomes the current one once in.
    pub fn join(&self, room: Conversation) -> Result<(), SendError> {
        self.connected_v3()?;
        self.status.conversations.lock().go_when_joined(&room);
        self.line(ClientMessage::Join { room })
    }

    /// Leaves a room (an [`Event::ConversationGone`] follows).
    pub fn leave(&self, room: Conversation) -> Result<(), SendError> {
        let conversation = self.status.conversations.lock().spelling(room);
        self.line(ClientMessage::Leave { conversation })
    }

    /// Invites, removes, bans or unbans `user` in `room` (the owner and
    /// moderators; in a public room any member may invite).
    pub fn moderate(
        &self,
        action: ModerationAction,
        room: Conversation,
        user: &str,
    ) -> Result<(), SendError> {
        self.line(ClientMessage::Moderate {
            action,
            room,
            user: user.to_owned(),
        })
    }

    /// Sets a room's topic (the owner and moderators).
    pub fn set_topic(&self, room: Conversation, topic: &str) -> Result<(), SendError> {
        check_text(topic).map_err(InputError::from)?;
        self.line(ClientMessage::Topic {
            room,
            topic: topic.to_owned(),
        })
    }

    /// Makes a member a moderator of `room`, or a moderator a member again
    /// (the owner).
    pub fn set_moderator(&self, room: Conversation, user: &str, on: bool) -> Result<(), SendError> {
        self.line(ClientMessage::Moderator {
            room,
            user: user.to_owned(),
            on,
        })
    }

    /// Changes the user's password; the server answers with a notice
    /// (`Password changed`, after which reconnecting uses the new one) or
    /// an error (`Wrong password`).
    pub fn change_password(&self, current: &str, new: &str) -> Result<(), SendError> {
        self.connected_v3()?;
        self.command(Command::Password {
            current: current.to_owned(),
            new: new.to_owned(),
        })
    }

    /// Ends the user's other sessions (they do not reconnect by
    /// themselves); the server answers with a notice.
    pub fn sign_out_others(&self) -> Result<(), SendError> {
        self.line(ClientMessage::SignOutOthers)
    }

    /// An administrator's command (bans, registration, password resets,
    /// deleted accounts, invitation codes, the audit log); the answer is a
    /// notice, [`Event::InviteCode`], [`Event::AuditLog`], or an error for
    /// anyone but an administrator.
    pub fn admin(&self, command: AdminCommand) -> Result<(), SendError> {
        self.line(ClientMessage::Admin(command))
    }

    /// Says the user is typing in `conversation`; call it on every
    /// keystroke: at most one notice every [`TYPING_EVERY`] per
    /// conversation goes out (and none on an older server).
    pub fn typing(&self, conversation: Conversation) {
        if self.protocol_version() < 3 || !self.is_connected() {
            return;
        }
        let now = std::time::Instant::now();
        let key = crate::conversations::key(&conversation);
        {
            let mut sent = self.typing_sent.lock();
            if sent
                .get(&key)
                .is_some_and(|at| now.saturating_duration_since(*at) < TYPING_EVERY)
            {
                return;
            }
            sent.insert(key, now);
        }
        let _ = self.command(Command::Line(ClientMessage::Typing { conversation }));
    }

    /// Blocks `user` (`on`) or unblocks them: their messages are for the
    /// fronts to hide ([`Client::blocks`]), their direct messages are
    /// refused by the server. [`Event::Blocked`] follows.
    pub fn block(&self, user: &str, on: bool) -> Result<(), SendError> {
        self.line(ClientMessage::Block {
            user: user.trim_start_matches('@').to_owned(),
            on,
        })
    }

    /// Whether the user blocks `user`.
    pub fn blocks(&self, user: &str) -> bool {
        self.status
            .blocked
            .lock()
            .contains_key(&media_chat_protocol::rules::user_key(user))
    }

    /// Whom the user blocks, by name.
    pub fn blocked(&self) -> Vec<String> {
        self.status.blocked.lock().values().cloned().collect()
    }

    /// Mutes `conversation` (`on`) or unmutes it: no notifications and no
    /// badge, unread still counted. [`Event::Muted`] follows.
    pub fn mute(&self, conversation: Conversation, on: bool) -> Result<(), SendError> {
        self.line(ClientMessage::Mute { conversation, on })
    }

    /// Changes the text of the user's own message `id` in `conversation`
    /// to `text`. Once the server has it, an [`Event::Changed`] comes (as
    /// for everyone else in the conversation); a refusal comes as
    /// [`Event::ServerError`].
    pub fn edit(&self, conversation: Conversation, id: u64, text: &str) -> Result<(), SendError> {
        self.connected_v3()?;
        check_text(text).map_err(InputError::from)?;
        self.change(conversation, id, Some(text))
    }

    /// Deletes the message `id` in `conversation`: the user's own, or any
    /// in a room they moderate (administrators: in any room). Answered like
    /// [`Client::edit`].
    pub fn delete(&self, conversation: Conversation, id: u64) -> Result<(), SendError> {
        self.connected_v3()?;
        self.change(conversation, id, None)
    }

    /// Gives `reaction` (an emoji or a short text, at most 16 characters)
    /// on message `id`, or takes it back if the user gave it (the server
    /// finds the message's conversation by its id). Once the server has it, an [`Event::Changed`] with
    /// [`Change::Reacted`](crate::Change::Reacted) comes (to everyone in the conversation), holding
    /// all the message's reactions; a refusal comes as
    /// [`Event::ServerError`]. Needs protocol version 3.
    pub fn react(&self, id: u64, reaction: &str) -> Result<(), SendError> {
        self.connected_v3()?;
        media_chat_protocol::reaction::check_reaction(reaction).map_err(InputError::from)?;
        self.command(Command::React {
            token: self.tokens.next(),
            target: id,
            reaction: reaction.to_owned(),
        })
    }

    /// Edits message `id` to `text`, or (`None`) deletes it.
    fn change(
        &self,
        conversation: Conversation,
        id: u64,
        text: Option<&str>,
    ) -> Result<(), SendError> {
        self.command(Command::Change {
            token: self.tokens.next(),
            conversation,
            target: id,
            text: text.map(str::to_owned),
        })
    }

    /// Asks for the newest `limit` lines of the audit log (administrators);
    /// they arrive as [`Event::AuditLog`].
    pub fn load_audit(&self, limit: u64) -> Result<(), SendError> {
        self.admin(AdminCommand::Audit { limit })
    }

    /// Says the user has read `conversation` up to its newest message
    /// (see [`Client::mark_read`]).
    pub fn mark_all_read(&self, conversation: Conversation) {
        let _ = self.command(Command::ReadAll(conversation));
    }

    /// The current conversation, which must be a room for the room
    /// commands.
    fn current_room(&self) -> Result<Conversation, SendError> {
        match self.current() {
            room @ Conversation::Room(_) => Ok(room),
            other => Err(InputError::NotARoom(other).into()),
        }
    }

    /// Writes a version 3 line on the chat connection.
    fn line(&self, message: ClientMessage) -> Result<(), SendError> {
        self.connected_v3()?;
        self.command(Command::Line(message))
    }

    /// Sends a public message (to `#general`); see [`Client::input`].
    pub fn send_text(&self, text: &str) -> Result<Message, SendError> {
        self.send_to(Conversation::general(), text)
    }

    /// Sends a private message to every session of `to`; see
    /// [`Client::send_input`].
    pub fn send_dm(&self, to: &str, text: &str) -> Result<Message, SendError> {
        let conversation = match Conversation::parse(&format!("@{to}")) {
            Ok(conversation) => conversation,
            Err(ConversationError::BadUser(e)) => return Err(InputError::BadRecipient(e).into()),
            Err(_) => return Err(InputError::MissingMessage.into()),
        };
        self.send_to(conversation, text)
    }

    /// Sends a message to a conversation; see [`Client::send_input`].
    pub fn send_to(&self, conversation: Conversation, text: &str) -> Result<Message, SendError> {
        self.post(conversation, text, None)
    }

    /// Sends `text` to `conversation` as a reply to its message `to`: the
    /// message shows as [`Body::Reply`](crate::Body::Reply) there, for
    /// everyone in it. Delivered like [`Client::send_to`] (pending, then
    /// acknowledged or failed, resent after a reconnect); the server
    /// refuses a reply to a message that is not in `conversation` or was
    /// deleted. Needs protocol version 3.
    pub fn reply(
        &self,
        conversation: Conversation,
        to: u64,
        text: &str,
    ) -> Result<Message, SendError> {
        self.connected_v3()?;
        self.post(conversation, text, Some(to))
    }

    /// Queues an own message (a reply to `reply_to`, if given).
    fn post(
        &self,
        conversation: Conversation,
        text: &str,
        reply_to: Option<u64>,
    ) -> Result<Message, SendError> {
        check_text(text).map_err(InputError::from)?;
        if let Conversation::Direct(user) = &conversation
            && !self.status.conversations.lock().may_exist(user)
        {
            // Refused before it is shown as sent: the server would refuse it.
            return Err(InputError::NoSuchUser(user.clone()).into());
        }
        if self.status.pending.fetch_add(1, Ordering::SeqCst) >= OUTBOX_LIMIT {
            self.status.pending.fetch_sub(1, Ordering::SeqCst);
            return Err(SendError::Congested);
        }
        let entry = Entry {
            token: self.tokens.next(),
            conversation,
            text: text.to_owned(),
            reply_to,
            ts: unix_now(),
            stage: Stage::Waiting,
        };
        let message = entry.message(&self.user());
        match self.commands.try_send(Command::Send(entry)) {
            Ok(()) => Ok(message),
            Err(e) => {
                self.status.pending.fetch_sub(1, Ordering::SeqCst);
                Err(match e {
                    TrySendError::Full(_) => SendError::Congested,
                    TrySendError::Disconnected(_) => SendError::NotConnected,
                })
            }
        }
    }

    /// Sends a failed message again, with the token it had, so the server
    /// stores it at most once even if the first try did reach it. Its
    /// [`Event::Delivery`] says it is pending again, then how it went.
    pub fn retry(&self, token: &str) -> Result<(), SendError> {
        self.command(Command::Retry(token.to_owned()))
    }

    /// Forgets a failed message (it is not offered again at the next start).
    pub fn discard(&self, token: &str) -> Result<(), SendError> {
        self.command(Command::Discard(token.to_owned()))
    }

    /// Asks for up to `limit` (at most [`MAX_PAGE`]) messages of
    /// `conversation` older than `before` (0: the newest). They arrive as
    /// [`Event::Message`]s with [`crate::Origin::Page`], oldest first, then
    /// [`Event::PageEnd`]. Needs protocol version 3.
    pub fn load_before(
        &self,
        conversation: Conversation,
        before: u64,
        limit: u64,
    ) -> Result<(), SendError> {
        self.connected_v3()?;
        self.command(Command::Line(ClientMessage::Before {
            conversation,
            before,
            limit: limit.clamp(1, MAX_PAGE),
        }))
    }

    /// Says the user has read `conversation` up to message `id`. Cheap to
    /// call for every message shown: the positions go to the server at
    /// most once a second, only when they move forward, and reach the
    /// user's other sessions as [`Event::ReadUpTo`]. Nothing happens on a
    /// version 2 server.
    pub fn mark_read(&self, conversation: Conversation, id: u64) {
        let _ = self.command(Command::Read { conversation, id });
    }

    /// Asks for the list of stored files; it arrives as [`Event::FileList`].
    pub fn list_files(&self) -> Result<(), SendError> {
        if !self.is_connected() {
            return Err(SendError::NotConnected);
        }
        self.command(Command::Line(ClientMessage::ListFiles))
    }

    /// Asks for the files shared into `conversation` (`#general`'s on a
    /// version 2 server); they arrive as [`Event::FileList`].
    pub fn list_files_in(&self, conversation: Conversation) -> Result<(), SendError> {
        if conversation.is_general() || self.protocol_version() < 3 {
            return self.list_files();
        }
        let conversation = self.status.conversations.lock().spelling(conversation);
        self.line(ClientMessage::Files { conversation })
    }

    /// Deletes the file `name` of `conversation` (version 3): the user's
    /// own upload, or any in a room they own or moderate (administrators:
    /// in any room, `#general` included). Once done, an
    /// [`Event::FileDeleted`] comes (to everyone in the conversation); a
    /// refusal comes as [`Event::ServerError`] (`No such file: <name>`,
    /// `Only its uploader, … can delete <name>`).
    pub fn delete_file(&self, conversation: Conversation, name: &str) -> Result<(), SendError> {
        self.connected_v3()?;
        let conversation = self.status.conversations.lock().spelling(conversation);
        self.line(ClientMessage::DeleteFile {
            conversation,
            name: name.to_owned(),
        })
    }

    /// The user's file space as the server last announced it (version 3,
    /// from login on; [`Event::Quota`] says when it changes); `None`
    /// before, or from an older server.
    pub fn quota(&self) -> Option<Quota> {
        *self.status.quota.lock()
    }

    /// Asks for the preview of the file `name` of `conversation` (version
    /// 3): it arrives as [`Event::PreviewFetched`], with its thumbnail or
    /// first lines, from the cache when this client has fetched the same
    /// contents before; [`Event::PreviewReady`] comes instead while the
    /// server is still making it, and [`Event::ServerError`] (`No preview
    /// for <name>`) for a file without one.
    pub fn fetch_preview(&self, conversation: Conversation, name: &str) -> Result<(), SendError> {
        self.connected_v3()?;
        let conversation = self.status.conversations.lock().spelling(conversation);
        self.command(Command::Preview {
            conversation,
            name: name.to_owned(),
        })
    }

    /// Uploads a file. Size, extension and name are checked here first
    /// against the server's announced limits, so a refused file costs
    /// nothing; then the upload runs on its own connection, reporting
    /// [`Event::Progress`] and ending with [`Event::Uploaded`] or
    /// [`Event::TransferFailed`].
    pub fn send_file(&self, path: impl AsRef<Path>) -> Result<TransferId, TransferError> {
        if !self.is_connected() {
            return Err(TransferError::NotConnected);
        }
        let limits = self.status.limits.lock().clone();
        transfer::start_upload(&self.transfers, path.as_ref(), &limits, None)
    }

    /// Uploads a file like [`Client::send_file`], shared into
    /// `conversation`: only its members see and download it (version 3;
    /// a version 2 server keeps every file in `#general`).
    pub fn send_file_to(
        &self,
        conversation: Conversation,
        path: impl AsRef<Path>,
    ) -> Result<TransferId, TransferError> {
        if !self.is_connected() {
            return Err(TransferError::NotConnected);
        }
        let limits = self.status.limits.lock().clone();
        let conversation = self.status.conversations.lock().spelling(conversation);
        transfer::start_upload(&self.transfers, path.as_ref(), &limits, Some(conversation))
    }

    /// Downloads a stored file into the cache, verifying its SHA-256; ends
    /// with [`Event::Downloaded`] or [`Event::TransferFailed`].
    pub fn get_file(&self, name: &str) -> Result<TransferId, TransferError> {
        if !self.is_connected() {
            return Err(TransferError::NotConnected);
        }
        transfer::start_download(&self.transfers, name, None)
    }

    /// Downloads a file of `conversation` like [`Client::get_file`].
    pub fn get_file_from(
        &self,
        conversation: Conversation,
        name: &str,
    ) -> Result<TransferId, TransferError> {
        if !self.is_connected() {
            return Err(TransferError::NotConnected);
        }
        let conversation = self.status.conversations.lock().spelling(conversation);
        transfer::start_download(&self.transfers, name, Some(conversation))
    }

    /// Cancels a transfer; it ends with [`Event::TransferCancelled`].
    pub fn cancel(&self, id: TransferId) {
        if let Some(handle) = self.transfers.running.lock().get(&id) {
            handle.cancel();
        }
    }

    /// How many transfers are still running.
    pub fn active_transfers(&self) -> usize {
        self.transfers.running.lock().len()
    }

    /// Opens a file with the system's viewer, off the caller's thread. A
    /// failure (no desktop, say) arrives as [`Event::OpenFailed`].
    pub fn open(&self, path: impl Into<PathBuf>) {
        let path = path.into();
        let sink = self.sink.clone();
        let spawned = thread::Builder::new().name("open".into()).spawn(move || {
            if let Err(e) = open::that_detached(&path) {
                sink.emit(Event::OpenFailed {
                    path,
                    reason: e.to_string(),
                });
            }
        });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot start the opener thread");
        }
    }

    /// Deletes every finished download in the cache.
    pub fn clear_cache(&self) -> Result<Cleared, CacheError> {
        Ok(self.transfers.cache.clear()?)
    }

    /// Deletes every finished download in the cache on a thread of its
    /// own, for a caller that must not wait on the disk; the outcome
    /// arrives as [`Event::CacheCleared`] or [`Event::CacheNotCleared`].
    pub fn clear_cache_in_background(&self) {
        let sink = self.sink.clone();
        let cache = self.transfers.cache.clone();
        let spawned = thread::Builder::new()
            .name("clear-cache".into())
            .spawn(move || {
                sink.emit(match cache.clear() {
                    Ok(cleared) => Event::CacheCleared { cleared },
                    Err(e) => Event::CacheNotCleared {
                        reason: CacheError(e).to_string(),
                    },
                })
            });
        match spawned {
            Ok(thread) => {
                let mut threads = self.threads.lock();
                threads.retain(|thread| !thread.is_finished());
                threads.push(thread);
            }
            Err(e) => self.sink.emit(Event::CacheNotCleared {
                reason: format!("cannot clear the download cache: no thread for it: {e}"),
            }),
        }
    }

    /// Starts reconnecting with backoff if the connection is down (it is
    /// done by itself when [`ClientConfig::auto_reconnect`] is set); while
    /// a retry waits, makes it due now ([`Event::Reconnecting`] with no
    /// delay).
    pub fn reconnect(&self) {
        let _ = self.command(Command::Reconnect);
    }

    /// Logs out: cancels running transfers, sends `QUIT` after everything
    /// already queued, waits (a few seconds at most) for the server to
    /// close the connection, and ends every thread of the client, a
    /// reconnect under way included. Messages still unacknowledged then
    /// are reported failed (and offered again at the next start). Once it
    /// returns, nothing of this client is logged in, and
    /// [`Client::events`] disconnects when the events still queued have
    /// been taken. A caller that must not wait (a window) calls it on a
    /// thread of its own.
    pub fn quit(self) {
        self.shut_down();
    }

    fn command(&self, command: Command) -> Result<(), SendError> {
        self.commands.try_send(command).map_err(|e| match e {
            TrySendError::Full(_) => SendError::Congested,
            TrySendError::Disconnected(_) => SendError::NotConnected,
        })
    }

    fn connected_v3(&self) -> Result<(), SendError> {
        if !self.is_connected() {
            return Err(SendError::NotConnected);
        }
        if self.protocol_version() < 3 {
            return Err(SendError::OldServer);
        }
        Ok(())
    }

    fn shut_down(&self) {
        // Closes a reconnect's handshake under way; the supervisor checks
        // the flag after every handshake, so it installs nothing later.
        if !self.stop.request() {
            return;
        }
        // Nobody reads any more: a thread waiting on a full event queue
        // goes on.
        self.closing.close();
        let transfers: Vec<transfer::Handle> = self
            .transfers
            .running
            .lock()
            .drain()
            .map(|(_, h)| h)
            .collect();
        for handle in &transfers {
            handle.cancel();
        }
        for handle in transfers {
            handle.join();
        }
        // After every command already queued: the supervisor says QUIT
        // after the lines they wrote.
        let _ = self.commands.send(Command::Quit);
        if let Some(supervisor) = self.supervisor.lock().take() {
            let _ = supervisor.join();
        }
        for thread in std::mem::take(&mut *self.threads.lock()) {
            let _ = thread.join();
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.shut_down();
    }
}
