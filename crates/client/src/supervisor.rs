//! [`Supervisor`]: the one thread that owns the chat connection. It
//! connects, reconnects with backoff, reads what the link hands it and
//! turns it into events, writes what the caller asks for, keeps the outbox
//! and the resume point, and says `QUIT` when told to. Nothing else ever
//! installs or removes a connection, so quit cannot race a reconnect: the
//! caller joins this thread, and with it every connection it made.
//!
//! What it does with each server line depends on the protocol version:
//! version 3 (ids, `ACK`, `RESUME`, paging, read positions, transfer
//! tokens) or version 2 (no ids: a send counts as sent once written, and
//! every login replays the history).

mod previews;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TrySendError, never, select};
use media_chat_protocol::{
    ClientMessage, Conversation, EncodeLine, EventBody, EventLine, HistoryEntry, Preview,
    Reactions, ServerMessage, Sha256Digest,
};
use parking_lot::Mutex;

use crate::config::ClientConfig;
use crate::conversations::{self, Member, Tracker};
use crate::error::ConnectError;
use crate::event::{AuditEntry, Event, FileInfo, Origin, Quota, RoomInfo, SearchHit};
use crate::handshake::{self, Connection, Login};
use crate::journal::{Journal, Saved};
use crate::link::{Inbound, Link, Outbound};
use crate::message::{Body, Change, Delivery, Message};
use crate::outbox::{Entry, Outbox, Stage, unix_now};
use crate::preview_cache::PreviewCache;
use crate::reconnect::Backoff;
use crate::sink::EventSink;
use crate::stop::Stop;
use crate::transfer::UploadLimits;

/// How long quitting waits for the server to close the connection (which
/// proves it has read everything sent before `QUIT`).
const QUIT_TIMEOUT: Duration = Duration::from_secs(5);

/// Messages whose reactions the supervisor keeps (the newest by id).
const KEPT_REACTIONS: usize = 10_000;

/// Read positions go out at most this often (the protocol asks for no
/// more than one a second).
const READ_INTERVAL: Duration = Duration::from_secs(1);

/// The resume point is written to disk at most this often; the outbox is
/// written at once on every change.
const SAVE_INTERVAL: Duration = Duration::from_secs(1);

/// After the writer's queue was full, the next try to write the outbox.
const FLUSH_RETRY: Duration = Duration::from_millis(50);

/// Why a message still pending at quit is failed.
const NOT_DELIVERED_BEFORE_QUIT: &str = "the client quit before the server acknowledged it";

/// Results asked for per search.
const SEARCH_RESULTS: u64 = 50;

/// Members asked for per `MEMBERS` page (the server's most).
const MEMBERS_PAGE: u64 = 500;

/// What the server says when a password change went through.
const PASSWORD_CHANGED: &str = "Password changed";

/// What the server says when the current password given was wrong.
const WRONG_PASSWORD: &str = "Wrong password";

/// Whether an `ERROR` ends the session for good: logging in again would
/// undo what the user or an administrator meant (a sign-out from another
/// session, a server ban, a reset password, a deleted account), so the
/// client does not reconnect after it.
fn ends_the_session(reason: &str) -> bool {
    reason == "Signed out from another session"
        || reason == "Your account was deleted by an administrator"
        || reason.starts_with("This account is banned from this server")
        || reason.starts_with("Your password was reset by an administrator")
}

/// What the supervisor shares with [`crate::Client`]'s methods, which read
/// it without waiting on the supervisor.
#[derive(Debug, Default)]
pub(crate) struct Status {
    /// The name as registered on the server.
    pub(crate) user: Mutex<String>,
    /// Whether the chat connection is up.
    pub(crate) connected: AtomicBool,
    /// The protocol version of the current (or last) connection.
    pub(crate) version: AtomicU64,
    /// The server's upload limits.
    pub(crate) limits: Mutex<UploadLimits>,
    /// Own messages on their way (counted against the outbox limit): the
    /// client adds one per send, the supervisor takes it away when the
    /// message is acknowledged or fails.
    pub(crate) pending: AtomicUsize,
    /// The user's conversations: kept by the supervisor, read (and the
    /// current one chosen) by the client.
    pub(crate) conversations: Mutex<Tracker>,
    /// Whom the user blocks: registered names by user key.
    pub(crate) blocked: Mutex<BTreeMap<String, String>>,
    /// The user's file space, as last announced (version 3).
    pub(crate) quota: Mutex<Option<Quota>>,
}

/// What the caller asks the supervisor to do.
pub(crate) enum Command {
    /// A new own message (already counted in [`Status::pending`]).
    Send(Entry),
    /// Send a failed message again, with its token.
    Retry(String),
    /// Forget a failed message.
    Discard(String),
    /// Write a line on the chat connection if it is up (`LIST_FILES`,
    /// `BEFORE`, the room and account commands).
    Line(ClientMessage),
    /// Ask for every member of a conversation, page after page.
    Members(Conversation),
    /// Edit or delete a message, answered with `token`.
    Change {
        /// The client's token for the answer.
        token: String,
        /// Where the message is.
        conversation: Conversation,
        /// The message.
        target: u64,
        /// Its new text, or `None` to delete it.
        text: Option<String>,
    },
    /// Give or take back a reaction on a message, answered with `token`.
    React {
        /// The client's token for the answer.
        token: String,
        /// The message.
        target: u64,
        /// The reaction.
        reaction: String,
    },
    /// Search, answered with `token`.
    Search {
        /// The client's token for the answer.
        token: String,
        /// What the user typed.
        query: String,
    },
    /// Change the password (and reconnect with the new one once the
    /// server says it is changed).
    Password {
        /// The current password.
        current: String,
        /// The new one.
        new: String,
    },
    /// The user has read `conversation` up to its newest message.
    ReadAll(Conversation),
    /// Events the client made (a change of the current conversation), to
    /// go out in order with the rest.
    Emit(Vec<Event>),
    /// The user has read `conversation` up to `id`.
    Read {
        /// Which conversation.
        conversation: Conversation,
        /// The last message read.
        id: u64,
    },
    /// A transfer wants a token: `Ok(Some(token))`, `Ok(None)` when the
    /// server is version 2 (log in with the password), or why not.
    TransferToken(Sender<Result<Option<String>, String>>),
    /// Reconnect now if the connection is down and no reconnect is under
    /// way.
    Reconnect,
    /// Fetch a file's preview.
    Preview {
        /// Whose file.
        conversation: Conversation,
        /// Its stored name.
        name: String,
    },
    /// Say `QUIT` after everything queued, and end.
    Quit,
}

/// How the supervisor starts.
pub(crate) struct Start {
    pub(crate) config: ClientConfig,
    pub(crate) status: Arc<Status>,
    pub(crate) sink: EventSink,
    pub(crate) commands: Receiver<Command>,
    pub(crate) stop: Arc<Stop>,
    pub(crate) journal: Journal,
    pub(crate) saved: Saved,
    /// The first connection, logged in by the caller (so that its errors
    /// reach [`crate::Client::connect`]), resumed from `saved`.
    pub(crate) connection: Connection,
}

/// The supervisor thread's state.
pub(crate) struct Supervisor {
    config: ClientConfig,
    status: Arc<Status>,
    sink: EventSink,
    commands: Receiver<Command>,
    stop: Arc<Stop>,
    journal: Journal,
    outbox: Outbox,
    /// The highest event id seen: where the next login resumes.
    last_id: u64,
    save_due: Option<Instant>,
    link: Option<Link>,
    session: Session,
    generation: u64,
    backoff: Option<Backoff>,
    reads: Reads,
    token_waiters: VecDeque<Sender<Result<Option<String>, String>>>,
    flush_due: Option<Instant>,
    /// The reactions of the messages that have had any, by message id,
    /// with the id of the newest reaction event they reflect: an older
    /// set or toggle (a page read before a live toggle arrived) changes
    /// nothing. The newest [`KEPT_REACTIONS`] messages are kept.
    reactions: BTreeMap<u64, (u64, Reactions)>,
    /// The files shared so far, for previews.
    shares: previews::Shares,
    /// Previews fetched, by file hash.
    preview_cache: PreviewCache,
}

/// What one connection has said so far.
#[derive(Default)]
struct Session {
    version: u64,
    me: String,
    /// `USERS` lines are gathered until the welcome moves on.
    users: Option<Vec<String>>,
    /// `FILE_INFO` lines are gathered until `FILES_END`.
    files: Vec<FileInfo>,
    /// The welcome's backlog is over.
    synced: bool,
    /// The id sent in `RESUME`.
    resumed_from: Option<u64>,
    /// Tokens sent again at this login and not answered yet.
    resent: HashSet<String>,
    /// Own messages of the backlog, held while `resent` is answered: one
    /// of them may be a resent message that was stored before the
    /// connection dropped (its `ACK` lost), which must show once.
    held: Vec<Message>,
    /// `ROOM_INFO` lines are gathered until `ROOMS_END`.
    rooms: Vec<RoomInfo>,
    /// `MEMBER_INFO` lines per conversation (by key), until the last page.
    members: HashMap<String, (Conversation, Vec<Member>)>,
    /// `AUDIT_LINE` lines are gathered until `AUDIT_END`.
    audit: Vec<AuditEntry>,
    /// Edits and deletes sent and not answered yet, by token.
    changes: HashMap<String, (Conversation, u64, Change)>,
    /// Reactions sent and not answered yet, by token (the toggle's own
    /// event follows its `ACK`).
    reacts: HashSet<String>,
    /// `FOUND` lines per search token, until `SEARCH_END`.
    searches: HashMap<String, Vec<SearchHit>>,
    /// The new password of a `PASSWORD` not answered yet.
    new_password: Option<String>,
    /// The server ended the session for good (see [`ends_the_session`]).
    ended: Option<String>,
    /// `PREVIEWS|1` was sent and not answered yet.
    previews_asked: bool,
    /// `QUOTA` was sent, so every change comes (asked at the welcome's
    /// `QUOTA` line: a server without one would refuse it).
    quota_watched: bool,
    /// The server makes no previews (an older one refused `PREVIEWS|1`):
    /// nothing is asked of it.
    no_previews: bool,
    /// The last `PREVIEW` line of a made preview, whose `PREVIEW_DATA`
    /// may follow.
    preview_head: Option<(Conversation, String, Sha256Digest, Preview)>,
}

/// Read positions: what the user has read and what the server knows.
#[derive(Default)]
struct Reads {
    wanted: BTreeMap<Conversation, u64>,
    known: HashMap<Conversation, u64>,
    last_sent: Option<Instant>,
    due: Option<Instant>,
}

impl Supervisor {
    /// Starts the supervisor thread on its first connection.
    pub(crate) fn spawn(start: Start) -> std::io::Result<JoinHandle<()>> {
        let Start {
            config,
            status,
            sink,
            commands,
            stop,
            journal,
            saved,
            connection,
        } = start;
        let resume = (saved.last_id > 0).then_some(saved.last_id);
        let config_cache_dir = config.cache_dir.clone();
        let outbox = Outbox::with(saved.entries);
        status.pending.store(outbox.pending(), Ordering::SeqCst);
        let mut supervisor = Supervisor {
            config,
            status,
            sink,
            commands,
            stop,
            journal,
            outbox,
            last_id: saved.last_id,
            save_due: None,
            link: None,
            session: Session::default(),
            generation: 0,
            backoff: None,
            reads: Reads::default(),
            token_waiters: VecDeque::new(),
            flush_due: None,
            reactions: BTreeMap::new(),
            shares: previews::Shares::default(),
            preview_cache: PreviewCache::new(
                config_cache_dir
                    .as_deref()
                    .unwrap_or(std::path::Path::new("client_downloads")),
            ),
        };
        thread::Builder::new()
            .name("chat-supervisor".into())
            .spawn(move || {
                let restored: Vec<Entry> = supervisor.outbox.entries().to_vec();
                if let Err(e) = supervisor.install(connection, resume) {
                    supervisor.lost(format!("cannot start the connection: {e}"));
                } else {
                    // Last run's undelivered messages, failed, for a retry.
                    for entry in restored {
                        supervisor.emit_delivery(&entry);
                    }
                }
                supervisor.run();
                supervisor.finish();
            })
    }

    fn run(&mut self) {
        loop {
            let inbound = self
                .link
                .as_ref()
                .map_or_else(never, |link| link.inbound.clone());
            let timer = self
                .next_deadline()
                .map_or_else(never, crossbeam_channel::at);
            select! {
                recv(self.commands) -> command => match command {
                    Ok(Command::Quit) | Err(_) => return,
                    Ok(command) => self.command(command),
                },
                recv(inbound) -> message => match message {
                    Ok(Inbound::Line(message)) => self.inbound(message),
                    Ok(Inbound::Written(token)) => self.written(&token),
                    Ok(Inbound::PreviewData {
                        conversation,
                        name,
                        data,
                    }) => self.preview_data(conversation, name, data),
                    Ok(Inbound::Lost(reason)) => self.lost(reason),
                    Err(_) => self.lost("the connection ended".to_owned()),
                },
                recv(timer) -> _ => self.timers(),
            }
            // Counts are said once a burst is over, not after each event.
            let burst_over = self
                .link
                .as_ref()
                .is_none_or(|link| link.inbound.is_empty());
            if burst_over {
                let unread = self.status.conversations.lock().take_unread();
                self.emit_all(unread);
            }
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        let link_up = self.link.is_some();
        [
            self.backoff.as_ref().map(|b| b.due),
            self.reads.due.filter(|_| link_up),
            self.save_due,
            self.flush_due.filter(|_| link_up),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn timers(&mut self) {
        let now = Instant::now();
        if self.backoff.as_ref().is_some_and(|b| b.due <= now) {
            self.attempt();
        }
        if self.reads.due.is_some_and(|due| due <= now) {
            self.flush_reads();
        }
        if self.save_due.is_some_and(|due| due <= now) {
            self.save();
        }
        if self.flush_due.is_some_and(|due| due <= now) {
            self.flush_due = None;
            self.write_waiting();
        }
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::Send(entry) => {
                self.outbox.push(entry);
                self.write_waiting();
                self.save();
            }
            Command::Retry(token) => {
                let me = self.me();
                let Some(entry) = self.outbox.get_mut(&token) else {
                    return;
                };
                if entry.is_pending() {
                    return;
                }
                entry.stage = Stage::Waiting;
                let entry = entry.clone();
                self.status.pending.fetch_add(1, Ordering::SeqCst);
                self.sink.emit(Event::Delivery {
                    token,
                    message: entry.message(&me),
                });
                self.write_waiting();
                self.save();
            }
            Command::Discard(token) => {
                if self
                    .outbox
                    .get_mut(&token)
                    .is_some_and(|entry| !entry.is_pending())
                {
                    self.outbox.remove(&token);
                    self.save();
                }
            }
            Command::Preview { conversation, name } => self.fetch_preview(conversation, name),
            Command::Line(message) => {
                if !self.write(&message) {
                    tracing::debug!(verb = message.verb(), "not connected: a line was not sent");
                }
            }
            Command::Read { conversation, id } => self.want_read(conversation, id),
            Command::ReadAll(conversation) => {
                let last = self.status.conversations.lock().last_id(&conversation);
                if let Some(id) = last {
                    self.want_read(conversation, id);
                }
            }
            Command::Change {
                token,
                conversation,
                target,
                text,
            } => {
                let (line, change) = match text {
                    Some(text) => (
                        ClientMessage::Edit {
                            token: token.clone(),
                            id: target,
                            text: text.clone(),
                        },
                        Change::Edited(text),
                    ),
                    None => (
                        ClientMessage::Delete {
                            token: token.clone(),
                            id: target,
                        },
                        Change::Deleted,
                    ),
                };
                if self.write(&line) {
                    self.session
                        .changes
                        .insert(token, (conversation, target, change));
                } else {
                    self.sink.emit(Event::ServerError {
                        reason: "Not connected; the message was not changed".to_owned(),
                    });
                }
            }
            Command::React {
                token,
                target,
                reaction,
            } => {
                let line = ClientMessage::React {
                    token: token.clone(),
                    id: target,
                    reaction,
                };
                if self.write(&line) {
                    self.session.reacts.insert(token);
                } else {
                    self.sink.emit(Event::ServerError {
                        reason: "Not connected; no reaction was given".to_owned(),
                    });
                }
            }
            Command::Search { token, query } => {
                let line = ClientMessage::Search {
                    token: token.clone(),
                    limit: SEARCH_RESULTS,
                    query,
                };
                if self.write(&line) {
                    self.session.searches.insert(token, Vec::new());
                } else {
                    self.sink.emit(Event::SearchFailed {
                        token,
                        reason: "Not connected; search again once reconnected".to_owned(),
                    });
                }
            }
            Command::Members(conversation) => {
                let k = conversations::key(&conversation);
                if self.session.members.contains_key(&k) {
                    // Already on its way.
                    return;
                }
                let page = ClientMessage::Members {
                    conversation: conversation.clone(),
                    after: String::new(),
                    limit: MEMBERS_PAGE,
                };
                if self.write(&page) {
                    self.session.members.insert(k, (conversation, Vec::new()));
                }
            }
            Command::Password { current, new } => {
                if self.write(&ClientMessage::Password {
                    current,
                    new: new.clone(),
                }) {
                    self.session.new_password = Some(new);
                }
            }
            Command::Emit(events) => {
                for event in events {
                    self.sink.emit(event);
                }
            }
            Command::TransferToken(reply) => match &self.link {
                Some(_) if self.session.version >= 3 => {
                    if self.write(&ClientMessage::TransferToken) {
                        self.token_waiters.push_back(reply);
                    } else {
                        let _ = reply.send(Err("the server is not keeping up".to_owned()));
                    }
                }
                Some(_) => {
                    let _ = reply.send(Ok(None));
                }
                None => {
                    let _ = reply.send(Err("not connected".to_owned()));
                }
            },
            Command::Reconnect if self.link.is_none() => match self.backoff.take() {
                // A retry is waiting: it is due now.
                Some(waiting) => {
                    let now = waiting.now();
                    self.sink.emit(Event::Reconnecting {
                        attempt: now.attempt,
                        delay: Duration::ZERO,
                    });
                    self.backoff = Some(now);
                }
                None => self.start_backoff(),
            },
            Command::Reconnect => {}
            Command::Quit => {}
        }
    }

    /// Writes a line if the connection is up; whether it was queued.
    fn write(&self, message: &ClientMessage) -> bool {
        let Some(link) = &self.link else { return false };
        match message.to_line() {
            Ok(bytes) => link.tx.try_send(Outbound::line(bytes)).is_ok(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot encode a line");
                false
            }
        }
    }

    /// Writes every outbox entry not yet written on this connection.
    fn write_waiting(&mut self) {
        let Some(link) = &self.link else { return };
        let v3 = self.session.version >= 3;
        let mut unsendable = Vec::new();
        let mut full = false;
        for entry in self.outbox.waiting_mut() {
            let message = if let Some(to) = entry.reply_to.filter(|_| v3) {
                Ok(ClientMessage::Reply {
                    token: entry.token.clone(),
                    conversation: entry.conversation.clone(),
                    to,
                    text: entry.text.clone(),
                })
            } else if v3 {
                Ok(ClientMessage::Send {
                    token: entry.token.clone(),
                    conversation: entry.conversation.clone(),
                    text: entry.text.clone(),
                })
            } else {
                match &entry.conversation {
                    c if c.is_general() => Ok(ClientMessage::Text {
                        text: entry.text.clone(),
                    }),
                    Conversation::Direct(to) => Ok(ClientMessage::Dm {
                        to: to.clone(),
                        text: entry.text.clone(),
                    }),
                    other => Err(format!(
                        "{other}: this server has only #general and direct messages (protocol version 2)"
                    )),
                }
            };
            let bytes = match message.and_then(|m| m.to_line().map_err(|e| e.to_string())) {
                Ok(bytes) => bytes,
                Err(reason) => {
                    entry.stage = Stage::Failed(reason);
                    unsendable.push(entry.clone());
                    continue;
                }
            };
            let token = (!v3).then(|| entry.token.clone());
            match link.tx.try_send(Outbound::Line { bytes, token }) {
                Ok(()) => entry.stage = Stage::InFlight,
                Err(TrySendError::Full(_)) => {
                    full = true;
                    break;
                }
                Err(TrySendError::Disconnected(_)) => break,
            }
        }
        self.flush_due = full.then(|| Instant::now() + FLUSH_RETRY);
        for entry in unsendable {
            self.status.pending.fetch_sub(1, Ordering::SeqCst);
            self.emit_delivery(&entry);
        }
    }

    /// One line from the server.
    fn inbound(&mut self, message: ServerMessage) {
        if let ServerMessage::Users { users } = &message {
            self.status.conversations.lock().online(users);
            if let Some(gathered) = &mut self.session.users {
                gathered.extend(users.iter().cloned());
                return;
            }
        }
        // The welcome's user list is complete once something other than
        // the LIMITS line follows it.
        if !matches!(message, ServerMessage::Limits { .. })
            && let Some(users) = self.session.users.take()
        {
            self.sink.emit(Event::Users { users });
        }
        let me = self.session.me.clone();
        let event = match message {
            ServerMessage::Limits {
                max_file_size,
                allowed_extensions,
            } => {
                *self.status.limits.lock() = UploadLimits {
                    max_file_size,
                    allowed_extensions: allowed_extensions.clone(),
                };
                Event::Limits {
                    max_file_size,
                    allowed_extensions,
                }
            }
            ServerMessage::Users { users } => Event::Users { users },
            ServerMessage::Joined { user } => {
                self.status.conversations.lock().presence(&user, true);
                Event::Joined { user }
            }
            ServerMessage::Left { user } => {
                self.status.conversations.lock().presence(&user, false);
                Event::Left { user }
            }
            ServerMessage::Notify { text } => {
                if text == PASSWORD_CHANGED
                    && let Some(new) = self.session.new_password.take()
                {
                    // Reconnects log in with it from now on.
                    self.config.password = new;
                }
                Event::Notify { text }
            }
            ServerMessage::Error { reason } if self.previews_refused(&reason) => return,
            ServerMessage::Error { reason } => {
                if reason == WRONG_PASSWORD {
                    self.session.new_password = None;
                }
                if ends_the_session(&reason) {
                    self.session.ended = Some(reason.clone());
                }
                Event::ServerError { reason }
            }
            // Version 2.
            ServerMessage::History { ts, entry } => Event::Message {
                message: from_history(ts, entry, &me),
                origin: Origin::Backlog,
            },
            ServerMessage::HistoryEnd => {
                self.session.synced = true;
                self.finish_welcome(0);
                Event::Synced
            }
            ServerMessage::Text { from, text } => {
                live(Conversation::general(), from, Body::Text(text))
            }
            ServerMessage::Dm { from, text } => {
                live(Conversation::Direct(from.clone()), from, Body::Text(text))
            }
            ServerMessage::FileShared {
                user,
                name,
                size,
                sha256,
            } => live(
                Conversation::general(),
                user,
                Body::File {
                    name,
                    size,
                    sha256,
                    preview: None,
                },
            ),
            // Version 3.
            ServerMessage::Event(line) => return self.event(line),
            ServerMessage::Ack { token, id, ts } => return self.acknowledged(&token, id, ts),
            ServerMessage::Rejected { token, reason } => return self.rejected(&token, reason),
            ServerMessage::Synced { last_id } => {
                match self.session.resumed_from {
                    Some(resumed) if last_id < resumed => {
                        // A server whose history was wiped, or another
                        // server at this address: start over from its ids.
                        self.last_id = last_id;
                        self.save_due = Some(Instant::now());
                        self.sink.emit(Event::Notify {
                            text: "the server's message history does not go back to where this client left off".to_owned(),
                        });
                    }
                    _ => self.bump(last_id),
                }
                self.session.synced = true;
                self.finish_welcome(last_id);
                Event::Synced
            }
            ServerMessage::Gap {
                conversation,
                after,
                before,
            } => Event::Gap {
                conversation,
                after,
                before,
            },
            ServerMessage::PageEnd { conversation, more } => Event::PageEnd { conversation, more },
            ServerMessage::ReadUpTo { conversation, id } => {
                let known = self.reads.known.entry(conversation.clone()).or_default();
                *known = (*known).max(id);
                self.status.conversations.lock().read(&conversation, id);
                Event::ReadUpTo { conversation, id }
            }
            ServerMessage::Conv {
                conversation,
                kind,
                role,
                unread,
                mentions,
                topic,
            } => {
                let mut out = Vec::new();
                self.status.conversations.lock().conv(
                    conversation,
                    kind,
                    role,
                    unread,
                    mentions,
                    topic,
                    &mut out,
                );
                return self.emit_all(out);
            }
            ServerMessage::Typing { conversation, user } => Event::Typing { conversation, user },
            ServerMessage::Reactions {
                conversation,
                id,
                latest,
                reactions,
            } => {
                let known = self.reactions.get(&id).map_or(0, |(at, _)| *at);
                if latest < known {
                    return;
                }
                self.reactions.insert(id, (latest, reactions.clone()));
                self.forget_old_reactions();
                Event::Changed {
                    id: latest,
                    conversation,
                    target: id,
                    by: String::new(),
                    change: Change::Reactions(reactions),
                    origin: if self.session.synced {
                        Origin::Page
                    } else {
                        Origin::Backlog
                    },
                }
            }
            ServerMessage::Blocked { user, on } => {
                let mut blocked = self.status.blocked.lock();
                if on {
                    blocked.insert(media_chat_protocol::rules::user_key(&user), user.clone());
                } else {
                    blocked.remove(&media_chat_protocol::rules::user_key(&user));
                }
                drop(blocked);
                // The welcome's list is the whole list: not news.
                if !self.session.synced {
                    return;
                }
                Event::Blocked { user, on }
            }
            ServerMessage::Muted { conversation, on } => {
                let mut out = Vec::new();
                self.status
                    .conversations
                    .lock()
                    .muted(&conversation, on, &mut out);
                self.emit_all(out);
                if !self.session.synced {
                    return;
                }
                Event::Muted { conversation, on }
            }
            ServerMessage::Gone {
                conversation,
                reason,
            } => {
                let k = conversations::key(&conversation);
                self.session.members.remove(&k);
                // Out of it: a read report still waiting would be refused.
                self.reads.wanted.retain(|c, _| conversations::key(c) != k);
                let mut out = Vec::new();
                self.status
                    .conversations
                    .lock()
                    .gone(conversation, reason, &mut out);
                return self.emit_all(out);
            }
            ServerMessage::RoomInfo {
                room,
                visibility,
                members,
                topic,
            } => {
                self.session.rooms.push(RoomInfo {
                    room,
                    visibility,
                    members,
                    topic,
                });
                return;
            }
            ServerMessage::RoomsEnd => Event::RoomList {
                rooms: std::mem::take(&mut self.session.rooms),
            },
            ServerMessage::MemberInfo {
                conversation,
                user,
                role,
                online,
            } => {
                let k = conversations::key(&conversation);
                let (_, members) = self
                    .session
                    .members
                    .entry(k)
                    .or_insert_with(|| (conversation, Vec::new()));
                members.push(Member { user, role, online });
                return;
            }
            ServerMessage::MembersEnd { conversation, more } => {
                return self.members_end(conversation, more);
            }
            ServerMessage::InviteCode { code } => Event::InviteCode { code },
            ServerMessage::AuditLine { line } => {
                self.session.audit.push(AuditEntry::parse(&line));
                return;
            }
            ServerMessage::Found(found) => {
                if let Some(hits) = self.session.searches.get_mut(&found.token)
                    && let Ok(message) = from_event(found.event)
                {
                    hits.push(SearchHit {
                        matches: found.matches,
                        message,
                    });
                }
                return;
            }
            ServerMessage::SearchEnd { token, more } => {
                match self.session.searches.remove(&token) {
                    Some(hits) => Event::SearchResults { token, hits, more },
                    None => return,
                }
            }
            ServerMessage::SearchFailed { token, reason } => {
                if self.session.searches.remove(&token).is_none() {
                    return;
                }
                Event::SearchFailed { token, reason }
            }
            ServerMessage::AuditEnd => Event::AuditLog {
                entries: std::mem::take(&mut self.session.audit),
            },
            ServerMessage::TransferToken { token } => {
                if let Some(waiter) = self.token_waiters.pop_front() {
                    let _ = waiter.send(Ok(Some(token)));
                }
                return;
            }
            ServerMessage::FileInfo {
                name,
                size,
                sha256,
                uploader,
                ts,
            } => {
                self.session.files.push(FileInfo {
                    name,
                    size,
                    sha256,
                    uploader,
                    ts,
                });
                return;
            }
            ServerMessage::Preview {
                conversation,
                name,
                sha256,
                status,
            } => return self.preview_line(conversation, name, sha256, status),
            ServerMessage::Previews { .. } => {
                self.session.previews_asked = false;
                return;
            }
            ServerMessage::Quota { used, limit, left } => {
                let quota = Quota {
                    used,
                    limit: (limit > 0).then_some(limit),
                    left,
                };
                if !self.session.quota_watched {
                    self.session.quota_watched = self.write(&ClientMessage::Quota);
                }
                // Said when it changes: not again for the answer to the
                // `QUOTA` above, nor after a reconnect that changed nothing.
                if self.status.quota.lock().replace(quota) == Some(quota) {
                    return;
                }
                Event::Quota(quota)
            }
            ServerMessage::FilesEnd { conversation } => Event::FileList {
                conversation: conversation.unwrap_or_else(Conversation::general),
                files: std::mem::take(&mut self.session.files),
            },
            // The link answers pings; the rest belongs to the handshake or
            // to transfer connections.
            ServerMessage::Ping { .. }
            | ServerMessage::Pong { .. }
            | ServerMessage::Hello { .. }
            | ServerMessage::LoginOk { .. }
            | ServerMessage::TransferOk { .. }
            | ServerMessage::FileReady { .. }
            | ServerMessage::FileTransfer { .. } => return,
            // Lines of a newer protocol than this engine knows.
            #[allow(unreachable_patterns)]
            other => {
                tracing::debug!(?other, "a line this client does not use");
                return;
            }
        };
        self.sink.emit(event);
    }

    /// A stored event: in the backlog until `SYNCED`, then live if it is
    /// newer than anything seen, else part of a page asked for.
    fn event(&mut self, line: EventLine) {
        let origin = if !self.session.synced {
            Origin::Backlog
        } else if line.id > self.last_id {
            Origin::Live
        } else {
            Origin::Page
        };
        if origin != Origin::Page {
            self.bump(line.id);
        }
        let mut out = Vec::new();
        self.status.conversations.lock().event(
            &line.conversation,
            line.id,
            &line.body,
            origin == Origin::Page,
            &mut out,
        );
        let conversation = line.conversation.clone();
        if let EventBody::FileDelete { by, name } = line.body {
            self.sink.emit(Event::FileDeleted {
                id: line.id,
                conversation,
                name,
                by,
                origin,
            });
            return self.emit_all(out);
        }
        let message = match from_event(line) {
            Ok(message) => message,
            Err((id, target, by, Change::Reacted { reaction, on, .. })) => {
                self.reacted(id, conversation, target, &by, &reaction, on, origin);
                return self.emit_all(out);
            }
            Err((id, target, by, change)) => {
                self.sink.emit(Event::Changed {
                    id,
                    conversation,
                    target,
                    by,
                    change,
                    origin,
                });
                return self.emit_all(out);
            }
        };
        self.shares.seen(&message);
        if origin == Origin::Backlog
            && message.author == self.session.me
            && !self.session.resent.is_empty()
        {
            self.session.held.push(message);
        } else {
            self.sink.emit(Event::Message { message, origin });
        }
        self.emit_all(out);
    }

    /// `by` gave (`on`) or took back `reaction` on message `target`, as
    /// event `id`: applied to what is known of its reactions unless they
    /// already reflect a later event.
    #[allow(clippy::too_many_arguments)]
    fn reacted(
        &mut self,
        id: u64,
        conversation: Conversation,
        target: u64,
        by: &str,
        reaction: &str,
        on: bool,
        origin: Origin,
    ) {
        let (at, reactions) = self.reactions.entry(target).or_default();
        if id <= *at {
            return;
        }
        *at = id;
        reactions.toggle(by, reaction, on);
        let change = Change::Reacted {
            reaction: reaction.to_owned(),
            on,
            reactions: reactions.clone(),
        };
        self.forget_old_reactions();
        self.sink.emit(Event::Changed {
            id,
            conversation,
            target,
            by: by.to_owned(),
            change,
            origin,
        });
    }

    /// Keeps the reactions of the newest [`KEPT_REACTIONS`] messages only:
    /// a toggle on an older one then starts from nothing but itself, until
    /// a page brings that message's set again.
    fn forget_old_reactions(&mut self) {
        while self.reactions.len() > KEPT_REACTIONS {
            self.reactions.pop_first();
        }
    }

    /// Emits what the conversations said changed.
    fn emit_all(&self, events: Vec<Event>) {
        for event in events {
            self.sink.emit(event);
        }
    }

    /// The welcome's backlog is complete: the conversations it rebuilt
    /// take over.
    fn finish_welcome(&mut self, last_id: u64) {
        let mut out = Vec::new();
        self.status.conversations.lock().finish(last_id, &mut out);
        self.emit_all(out);
    }

    /// A page of members ended: ask for the next, or hand the list over.
    fn members_end(&mut self, conversation: Conversation, more: bool) {
        let k = conversations::key(&conversation);
        if more {
            let after = self
                .session
                .members
                .get(&k)
                .and_then(|(_, members)| members.last())
                .map(|member| member.user.clone());
            if let Some(after) = after {
                let next = ClientMessage::Members {
                    conversation: conversation.clone(),
                    after,
                    limit: MEMBERS_PAGE,
                };
                if self.write(&next) {
                    return;
                }
            }
        }
        let (_, members) = self
            .session
            .members
            .remove(&k)
            .unwrap_or_else(|| (conversation.clone(), Vec::new()));
        self.status
            .conversations
            .lock()
            .set_members(&conversation, members.clone());
        self.sink.emit(Event::Members {
            conversation,
            members,
        });
    }

    fn acknowledged(&mut self, token: &str, id: u64, ts: u64) {
        if self.session.reacts.remove(token) {
            // The toggle's event follows (live, so it is not bumped here):
            // it says what was done.
            return;
        }
        self.bump(id);
        if let Some((conversation, target, change)) = self.session.changes.remove(token) {
            // This session hears of its own change through the ACK only.
            self.sink.emit(Event::Changed {
                id,
                conversation,
                target,
                by: self.me(),
                change,
                origin: Origin::Live,
            });
            return;
        }
        if let Some(entry) = self.outbox.remove(token) {
            if entry.is_pending() {
                self.status.pending.fetch_sub(1, Ordering::SeqCst);
            }
            let mut message = entry.message(&self.me());
            message.ts = ts;
            message.state = Delivery::Sent { id: Some(id) };
            // Stored before the connection dropped: the backlog had it.
            self.session.held.retain(|held| held.id() != Some(id));
            let mut out = Vec::new();
            self.status
                .conversations
                .lock()
                .sent(&entry.conversation, id, &mut out);
            self.sink.emit(Event::Delivery {
                token: token.to_owned(),
                message,
            });
            self.emit_all(out);
            self.save();
        }
        self.answered(token);
    }

    fn rejected(&mut self, token: &str, reason: String) {
        if self.session.changes.remove(token).is_some() || self.session.reacts.remove(token) {
            self.sink.emit(Event::ServerError { reason });
            return;
        }
        if let Some(entry) = self.outbox.get_mut(token) {
            if entry.is_pending() {
                self.status.pending.fetch_sub(1, Ordering::SeqCst);
            }
            entry.stage = Stage::Failed(reason);
            let entry = entry.clone();
            self.emit_delivery(&entry);
            self.save();
        }
        self.answered(token);
    }

    /// A resent token was answered; once all are, the held backlog goes out.
    fn answered(&mut self, token: &str) {
        if self.session.resent.remove(token) && self.session.resent.is_empty() {
            self.release_held();
        }
    }

    fn release_held(&mut self) {
        self.session.resent.clear();
        for message in std::mem::take(&mut self.session.held) {
            self.sink.emit(Event::Message {
                message,
                origin: Origin::Backlog,
            });
        }
    }

    /// Version 2: a line carrying an own message was written.
    fn written(&mut self, token: &str) {
        if let Some(entry) = self.outbox.remove(token) {
            if entry.is_pending() {
                self.status.pending.fetch_sub(1, Ordering::SeqCst);
            }
            let mut message = entry.message(&self.me());
            message.state = Delivery::Sent { id: None };
            self.sink.emit(Event::Delivery {
                token: token.to_owned(),
                message,
            });
            self.save();
        }
    }

    fn emit_delivery(&self, entry: &Entry) {
        self.sink.emit(Event::Delivery {
            token: entry.token.clone(),
            message: entry.message(&self.me()),
        });
    }

    fn me(&self) -> String {
        self.status.user.lock().clone()
    }

    /// Records that event `id` was seen.
    fn bump(&mut self, id: u64) {
        if id > self.last_id {
            self.last_id = id;
            if self.save_due.is_none() {
                self.save_due = Some(Instant::now() + SAVE_INTERVAL);
            }
        }
    }

    fn save(&mut self) {
        self.save_due = None;
        if let Err(e) = self.journal.save(self.last_id, &self.outbox) {
            tracing::warn!(error = %e, "cannot save the client state");
        }
    }

    fn want_read(&mut self, conversation: Conversation, id: u64) {
        // The counts drop at once; the server hears of it at its pace.
        {
            let mut conversations = self.status.conversations.lock();
            if self.session.version >= 3 && !conversations.may_read(&conversation) {
                return;
            }
            conversations.read(&conversation, id);
        }
        let known = self.reads.known.get(&conversation).copied().unwrap_or(0);
        let wanted = self.reads.wanted.entry(conversation).or_default();
        if id <= known || id <= *wanted {
            return;
        }
        *wanted = id;
        let earliest = self
            .reads
            .last_sent
            .map_or_else(Instant::now, |last| last + READ_INTERVAL);
        self.reads.due.get_or_insert(earliest);
    }

    fn flush_reads(&mut self) {
        if self.link.is_none() || self.session.version < 3 {
            return;
        }
        self.reads.due = None;
        for (conversation, id) in std::mem::take(&mut self.reads.wanted) {
            let known = self.reads.known.entry(conversation.clone()).or_default();
            if id <= *known {
                continue;
            }
            *known = id;
            let read = ClientMessage::Read { conversation, id };
            self.write(&read);
        }
        self.reads.last_sent = Some(Instant::now());
    }

    /// Takes a logged-in connection into use.
    fn install(&mut self, connection: Connection, resume: Option<u64>) -> std::io::Result<()> {
        self.generation += 1;
        let Connection {
            reader,
            writer,
            user,
            version,
        } = connection;
        let link = Link::start(reader, writer, self.generation)?;
        *self.status.user.lock() = user.clone();
        self.status.version.store(version, Ordering::SeqCst);
        self.status.connected.store(true, Ordering::SeqCst);
        self.link = Some(link);
        self.backoff = None;
        self.session = Session {
            version,
            me: user.clone(),
            users: Some(Vec::new()),
            resumed_from: resume.filter(|_| version >= 3),
            ..Session::default()
        };
        self.reads.known.clear();
        self.status.conversations.lock().begin(&user, version);
        if version >= 3 {
            // The welcome lists every block again.
            self.status.blocked.lock().clear();
        }
        self.sink.emit(Event::LoggedIn { user });
        if version >= 3 {
            self.session.resent = self
                .outbox
                .entries()
                .iter()
                .filter(|e| e.stage == Stage::Waiting)
                .map(|e| e.token.clone())
                .collect();
        }
        self.write_waiting();
        self.ask_for_previews();
        if !self.reads.wanted.is_empty() {
            self.reads.due = Some(Instant::now());
        }
        Ok(())
    }

    /// The connection ended.
    fn lost(&mut self, reason: String) {
        if let Some(link) = self.link.take() {
            link.close();
        }
        self.status.connected.store(false, Ordering::SeqCst);
        self.release_held();
        self.token_waiters.clear();
        for token in std::mem::take(&mut self.session.searches).into_keys() {
            self.sink.emit(Event::SearchFailed {
                token,
                reason: "The connection dropped before the answer; search again".to_owned(),
            });
        }
        self.outbox.connection_lost();
        self.flush_due = None;
        // What the lines read so far changed, before the news of the drop.
        let unread = self.status.conversations.lock().take_unread();
        self.emit_all(unread);
        let ended = self.session.ended.take();
        if let Some(reason) = &ended {
            // No reconnect: what waits cannot be delivered.
            for entry in self.outbox.fail_pending(reason) {
                self.status.pending.fetch_sub(1, Ordering::SeqCst);
                self.emit_delivery(&entry);
            }
        }
        self.save();
        if self.stop.is_requested() {
            return;
        }
        match ended {
            Some(reason) => self.sink.emit(Event::Disconnected { reason }),
            None => {
                self.sink.emit(Event::Disconnected { reason });
                if self.config.auto_reconnect {
                    self.start_backoff();
                }
            }
        }
    }

    fn start_backoff(&mut self) {
        let backoff = Backoff::first();
        self.sink.emit(Event::Reconnecting {
            attempt: backoff.attempt,
            delay: backoff.delay,
        });
        self.backoff = Some(backoff);
    }

    /// One reconnect attempt, due now.
    fn attempt(&mut self) {
        let Some(backoff) = self.backoff.take() else {
            return;
        };
        if self.stop.is_requested() {
            return;
        }
        let resume = (self.last_id > 0).then_some(self.last_id);
        let opened = handshake::open(&self.config, Login::Chat { resume }, |socket| {
            self.stop.watch(socket)
        });
        // From here on the connection is the link's, closed by QUIT.
        self.stop.unwatch();
        if self.stop.is_requested() {
            // Quit came during the handshake: the connection is dropped
            // here, and the quit command is next.
            return;
        }
        match opened.map(|connection| self.install(connection, resume)) {
            Ok(Ok(())) => {}
            Err(ConnectError::Refused(reason)) => {
                // A refused login (a changed password, say) will not fix
                // itself by retrying.
                let reason = format!("reconnecting was refused: {reason}");
                self.give_up(&reason);
                self.sink.emit(Event::Disconnected { reason });
            }
            Err(
                changed @ ConnectError::CertificateChanged {
                    pinned, presented, ..
                },
            ) => {
                // Retrying would only ask again: the user decides.
                let reason = changed.to_string();
                self.give_up(&reason);
                self.sink.emit(Event::CertificateChanged {
                    pinned,
                    presented,
                    reason,
                });
            }
            Ok(Err(e)) => self.retry_later(backoff, &e.to_string()),
            Err(e) => self.retry_later(backoff, &e.to_string()),
        }
    }

    /// No more reconnecting: what waits to be sent fails with `reason`.
    fn give_up(&mut self, reason: &str) {
        for entry in self.outbox.fail_pending(reason) {
            self.status.pending.fetch_sub(1, Ordering::SeqCst);
            self.emit_delivery(&entry);
        }
        self.save();
    }

    fn retry_later(&mut self, backoff: Backoff, error: &str) {
        tracing::debug!(attempt = backoff.attempt, error, "reconnect failed");
        let next = backoff.next();
        self.sink.emit(Event::Reconnecting {
            attempt: next.attempt,
            delay: next.delay,
        });
        self.backoff = Some(next);
    }

    /// Quit: `QUIT` after everything queued, then wait (a few seconds at
    /// most) for the server to close the connection, still taking in what
    /// it answers (the last acknowledgements).
    fn finish(&mut self) {
        if let Some(link) = self.link.take() {
            if link.tx.try_send(Outbound::Quit).is_ok() {
                let deadline = crossbeam_channel::at(Instant::now() + QUIT_TIMEOUT);
                loop {
                    select! {
                        recv(link.inbound) -> message => match message {
                            Ok(Inbound::Line(message)) => self.inbound(message),
                            Ok(Inbound::Written(token)) => self.written(&token),
                            Ok(Inbound::PreviewData { .. }) => {}
                            Ok(Inbound::Lost(_)) | Err(_) => break,
                        },
                        recv(deadline) -> _ => break,
                    }
                }
            }
            link.close();
        }
        self.status.connected.store(false, Ordering::SeqCst);
        self.token_waiters.clear();
        self.release_held();
        for entry in self.outbox.fail_pending(NOT_DELIVERED_BEFORE_QUIT) {
            self.status.pending.fetch_sub(1, Ordering::SeqCst);
            self.emit_delivery(&entry);
        }
        self.save();
    }
}

/// A message that just arrived on a version 2 connection (no id, the
/// time is now).
fn live(conversation: Conversation, author: String, body: Body) -> Event {
    Event::Message {
        message: Message {
            conversation,
            author,
            body,
            ts: unix_now(),
            state: Delivery::Sent { id: None },
        },
        origin: Origin::Live,
    }
}

/// A version 2 history line as a message; `me` decides which side of a
/// private conversation it is named from.
fn from_history(ts: u64, entry: HistoryEntry, me: &str) -> Message {
    let (conversation, author, body) = match entry {
        HistoryEntry::Text { from, text } => (Conversation::general(), from, Body::Text(text)),
        HistoryEntry::Dm { from, to, text } => {
            let other = if from == me { to } else { from.clone() };
            (Conversation::Direct(other), from, Body::Text(text))
        }
        HistoryEntry::FileShared {
            user,
            name,
            size,
            sha256,
        } => (
            Conversation::general(),
            user,
            Body::File {
                name,
                size,
                sha256,
                preview: None,
            },
        ),
    };
    Message {
        conversation,
        author,
        body,
        ts,
        state: Delivery::Sent { id: None },
    }
}

/// A version 3 event as a message (a room's member changes and topics
/// included), or the change it makes to one. (A file's delete changes
/// shares by name, not by id: see [`Supervisor::event`]; read alone, as a
/// search never finds one, it is the notice of who deleted what.)
fn from_event(line: EventLine) -> Result<Message, (u64, u64, String, Change)> {
    let (author, body) = match line.body {
        EventBody::Text { from, text } => (from, Body::Text(text)),
        EventBody::Edited { from, text, edit } => (from, Body::Edited { text, edit }),
        EventBody::Reply {
            from,
            to,
            edit,
            text,
        } => (from, Body::Reply { text, to, edit }),
        EventBody::Deleted { from } => (from, Body::Deleted),
        EventBody::Edit { by, target, text } => {
            return Err((line.id, target, by, Change::Edited(text)));
        }
        EventBody::Delete { by, target } => return Err((line.id, target, by, Change::Deleted)),
        // The message's other reactions are the supervisor's to add (see
        // `Supervisor::reacted`).
        EventBody::React {
            by,
            target,
            on,
            reaction,
        } => {
            let change = Change::Reacted {
                reaction,
                on,
                reactions: Reactions::new(),
            };
            return Err((line.id, target, by, change));
        }
        EventBody::File {
            user,
            name,
            size,
            sha256,
        } => (
            user,
            Body::File {
                name,
                size,
                sha256,
                preview: None,
            },
        ),
        EventBody::FileDeleted { user, name } | EventBody::FileDelete { by: user, name } => {
            (user, Body::FileDeleted { name })
        }
        EventBody::Member { by, user, change } => (by, Body::Member { user, change }),
        EventBody::Topic { by, text } => (by, Body::Topic(text)),
    };
    Ok(Message {
        conversation: line.conversation,
        author,
        body,
        ts: line.ts,
        state: Delivery::Sent { id: Some(line.id) },
    })
}
