//! One client's connection: the read → handle → reply loop, login and
//! keepalive. Commands of a logged-in user live in `commands` and `upload`.
//!
//! As in mini-redis's `Handler`, an error here ends this session only. A bad
//! line gets `ERROR|…` and the session reads on; only a broken stream (I/O
//! error, EOF inside a message, a body not followed by its newline) or a
//! time-out ends it.

use std::io::{BufReader, Read};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use media_chat_protocol::rules::{normalize_user_name, user_key};
use media_chat_protocol::{
    BodyAnnouncement, ClientMessage, EncodeLine, MessageReader, PROTOCOL_VERSION, ReadError,
    ServerMessage,
};
use media_chat_store::{Conversation, EventId, Store, StoreError};
use media_chat_tls::ReadHalf;
use socket2::{SockRef, TcpKeepalive};
use tracing::{debug, info};

use crate::accounts::{Accounts, LoginError};
use crate::audit::AuditLog;
use crate::authority::Authority;
use crate::blocks::Blocks;
use crate::config::Config;
use crate::connections::Admission;
use crate::hub::Hub;
use crate::logins::LoginWorkers;
use crate::outbox::Outbox;
use crate::previews::Previews;
use crate::quotas::Quotas;
use crate::registration::Registration;
use crate::storage::file_spaces::FileSpaces;
use crate::throttle::{ActionLimits, TokenBucket};
use crate::transfers::TransferTokens;
use crate::transport::{self, Accepted, TlsPolicy};
use crate::typing::TypingNotices;
use crate::welcome::{self, Welcome};

/// Longest a write to a client may make no progress before the connection
/// is dropped.
pub(crate) const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// TCP keepalive: probe after 60 s of silence, then every 15 s; Linux
/// gives up after 9 unanswered probes, about 3 minutes in all.
const TCP_KEEPALIVE: TcpKeepalive = TcpKeepalive::new()
    .with_time(Duration::from_secs(60))
    .with_interval(Duration::from_secs(15));

/// Longest time a closing connection is drained before it is dropped.
const LINGER: Duration = Duration::from_secs(2);

/// The answer to a command whose real reply could not be encoded.
const INTERNAL_ERROR: &str = "Internal server error; the command was not carried out";

/// Read buffer per connection. Small, since a thousand idle sessions each
/// hold one; large reads (file bodies) bypass it, and a longer line is
/// gathered across reads. Half the former 4 KiB saves 2 MiB per thousand
/// sessions for about 10 % of flat-out fan-out throughput (still over 3.6 M
/// deliveries/s; docs/BENCHMARKS.md).
const READ_BUFFER: usize = 2 * 1024;

/// Why a login did not go through.
enum LoginFailure {
    /// Refused (wrong password, bad name…): the client is told why.
    Refused(LoginError),
    /// The user is banned server-wide, for this reason.
    Banned(String),
    /// The store could not be read.
    Store(StoreError),
}

/// The refusal a banned user gets, at login and when their sessions end.
pub(crate) fn banned_text(reason: &str) -> String {
    if reason.is_empty() {
        "This account is banned from this server".to_owned()
    } else {
        format!("This account is banned from this server: {reason}")
    }
}

/// Bytes of a long answer (a welcome, a page of history) handed to the
/// outbox at a time: one write for most, and a small queue is not
/// overflowed by a big one.
pub(crate) const REPLY_CHUNK: usize = 64 * 1024;

/// Everything a session needs from the server.
pub(crate) struct Context {
    pub(crate) config: Config,
    pub(crate) accounts: Accounts,
    pub(crate) files: FileSpaces,
    pub(crate) hub: Hub,
    pub(crate) store: Store,
    pub(crate) logins: LoginWorkers,
    pub(crate) transfers: TransferTokens,
    pub(crate) registration: Registration,
    pub(crate) authority: Authority,
    pub(crate) audit: AuditLog,
    pub(crate) action_limits: ActionLimits,
    pub(crate) blocks: Blocks,
    pub(crate) typing: TypingNotices,
    pub(crate) previews: Previews,
    pub(crate) quotas: Quotas,
    pub(crate) tls: TlsPolicy,
}

/// Whether the session goes on after a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Read the next command.
    Continue,
    /// Close the connection (after writing out what is queued).
    Close,
}

/// One client's connection.
pub(crate) struct Session {
    pub(crate) ctx: Arc<Context>,
    pub(crate) id: u64,
    pub(crate) peer: SocketAddr,
    pub(crate) reader: MessageReader<BufReader<ReadHalf>>,
    pub(crate) outbox: Outbox,
    /// The protocol version: 1 until the client says `HELLO|2`.
    pub(crate) version: u64,
    /// The logged-in user's name as registered.
    pub(crate) user: Option<String>,
    /// A version 3 client's last event id, from `RESUME` before `LOGIN`.
    resume: Option<EventId>,
    /// Logged in with a transfer token: files only, not in the chat.
    transfer_only: bool,
    /// An invitation code, from `CODE` before `LOGIN`.
    code: Option<String>,
    connected_at: Instant,
    /// When the last command arrived (keepalive is due after silence).
    last_heard: Instant,
    /// When the line now being received began, as far as the session saw.
    line_started: Option<Instant>,
    lines_read: u64,
    /// Messages were submitted to the store whose answers (`ACK`, a
    /// refusal, the offline `NOTIFY`) the hub may not have queued yet.
    pub(crate) unsettled: bool,
    flood: TokenBucket,
    ping: Ping,
    _admission: Admission,
}

#[derive(Default)]
struct Ping {
    sent: u64,
    waiting_since: Option<Instant>,
}

impl Session {
    /// Serves a new connection: TLS or plaintext first, then the session.
    pub(crate) fn serve(
        ctx: Arc<Context>,
        id: u64,
        stream: TcpStream,
        peer: SocketAddr,
        admission: Admission,
    ) {
        // glibc may have given this thread the stack of an ended session,
        // resident 16 KiB below where that one ended (see `stack`).
        crate::stack::release_unused();
        let Some(session) = Session::open(ctx, id, stream, peer, admission) else {
            return;
        };
        if session.outbox.is_tls() {
            session.run_on_fresh_thread();
        } else {
            session.run();
        }
    }

    /// Goes on on a new session thread, and ends this one. A TLS handshake
    /// (rustls and ring) runs 24 KiB deep, and a thread keeps every stack
    /// page it touched: run after it, each idle TLS session held 16 KiB of
    /// stack it would never use again (docs/BENCHMARKS.md, "1000 idle
    /// users"). What the handshake freed goes with this thread's malloc
    /// cache too. If no thread can be started, the session runs here.
    fn run_on_fresh_thread(self: Box<Self>) {
        let slot = Arc::new(parking_lot::Mutex::new(Some(self)));
        let theirs = slot.clone();
        let spawned = thread::Builder::new()
            .name(thread::current().name().unwrap_or("session").to_owned())
            .stack_size(crate::listener::SESSION_STACK)
            .spawn(move || {
                // glibc may give this thread an ended handshake's stack.
                crate::stack::release_unused();
                let session = theirs.lock().take();
                if let Some(session) = session {
                    session.run();
                }
            });
        if let Err(e) = spawned {
            debug!(error = %e, "could not start a fresh session thread");
            let session = slot.lock().take();
            if let Some(session) = session {
                session.run();
            }
        }
    }

    /// Accepts the connection (the TLS handshake, if any) and sets up the
    /// session, on the heap.
    ///
    /// Out of line, as [`Session::run`] is: a session thread keeps every
    /// stack page it ever touched, and a `Session` (over a kilobyte) or the
    /// handshake's state in the frame that runs the commands pushed every
    /// command a page deeper, a page per idle session for life
    /// (docs/BENCHMARKS.md, "1000 idle users").
    #[inline(never)]
    fn open(
        ctx: Arc<Context>,
        id: u64,
        stream: TcpStream,
        peer: SocketAddr,
        admission: Admission,
    ) -> Option<Box<Session>> {
        let connected_at = Instant::now();
        let accepted = transport::accept(
            stream,
            peer,
            &ctx.tls,
            connected_at + ctx.config.limits.login_timeout,
        )?;
        match Session::new(ctx, id, accepted, peer, admission, connected_at) {
            Ok(session) => Some(Box::new(session)),
            Err(e) => {
                debug!(%peer, error = %e, "could not set up a session");
                None
            }
        }
    }

    /// Sets up the connection's queue.
    fn new(
        ctx: Arc<Context>,
        id: u64,
        accepted: Accepted,
        peer: SocketAddr,
        admission: Admission,
        connected_at: Instant,
    ) -> std::io::Result<Session> {
        let stream = accepted.reader.socket();
        stream.set_nodelay(true)?;
        stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
        // Version 1 clients know no PING: let the kernel notice a peer that
        // vanished (a laptop closed mid-session) so its session ends.
        SockRef::from(stream).set_tcp_keepalive(&TCP_KEEPALIVE)?;
        let limits = &ctx.config.limits;
        let outbox = Outbox::new(
            stream,
            limits.send_queue_bytes,
            &format!("{id}-{peer}"),
            accepted.tls_writer,
        )?;
        admission.attach(&outbox);
        let flood = TokenBucket::new(limits.flood_burst, limits.flood_rate, Instant::now());
        Ok(Session {
            reader: MessageReader::new(BufReader::with_capacity(READ_BUFFER, accepted.reader)),
            ctx,
            id,
            peer,
            outbox,
            version: 1,
            user: None,
            resume: None,
            transfer_only: false,
            code: None,
            connected_at,
            last_heard: connected_at,
            line_started: None,
            lines_read: 0,
            unsettled: false,
            flood,
            ping: Ping::default(),
            _admission: admission,
        })
    }

    /// Serves the client until it leaves, breaks the stream or times out.
    #[inline(never)]
    pub(crate) fn run(mut self: Box<Self>) {
        debug!(peer = %self.peer, id = self.id, "connected");
        while self.serve_one() == Flow::Continue {}
        self.finish();
    }

    /// Queues one line for this client. A reply that cannot be encoded is a
    /// bug: it is logged, and the client still gets an answer.
    pub(crate) fn send(&self, message: &ServerMessage) {
        match message.to_line() {
            Ok(line) => self.outbox.send(line.into()),
            Err(e) => {
                tracing::error!(error = %e, ?message, "bug: a reply could not be encoded");
                if let Ok(line) = ServerMessage::error(INTERNAL_ERROR).to_line() {
                    self.outbox.send(line.into());
                }
            }
        }
    }

    /// Waits until the messages this session submitted are committed or
    /// refused, and so answered: called before anything else this session
    /// does or answers, so that its answers keep the order of its commands
    /// (a `PONG` comes after the `ACK`s of the `SEND`s before the `PING`)
    /// and what it reads or announces comes after its own messages. A
    /// session sending only messages never waits.
    pub(crate) fn settle(&mut self) {
        if std::mem::take(&mut self.unsettled)
            && let Err(e) = self.ctx.store.barrier()
        {
            tracing::error!(error = %e, "could not wait for the store");
        }
    }

    /// Queues `ERROR|reason`.
    pub(crate) fn send_error(&self, reason: impl Into<String>) {
        self.send(&ServerMessage::error(reason));
    }

    /// Whether this client speaks version 2 or later.
    pub(crate) fn is_v2(&self) -> bool {
        self.version >= 2
    }

    /// Whether this connection logged in with a transfer token (files
    /// only, outside the chat).
    pub(crate) fn is_transfer_only(&self) -> bool {
        self.transfer_only
    }

    /// The logged-in user's registered name (empty before login, when no
    /// command that needs it is handled).
    pub(crate) fn name(&self) -> &str {
        self.user.as_deref().unwrap_or_default()
    }

    fn serve_one(&mut self) -> Flow {
        let now = Instant::now();
        if self.reader.has_partial_line() {
            self.line_started.get_or_insert(now);
        } else {
            self.line_started = None;
        }
        let wake = self.wake_at(now);
        let deadline = self.reader.get_mut().get_mut().deadline_mut();
        deadline.set(Some(wake));
        deadline.set_stall(None);
        match self.reader.read_message::<ClientMessage>() {
            Ok(None) => Flow::Close,
            Ok(Some(message)) => {
                self.ping.waiting_since = None;
                self.last_heard = Instant::now();
                self.line_started = None;
                let flow = self.handle(message);
                self.lines_read += 1;
                flow
            }
            Err(e) if e.is_timeout() => self.on_timeout(),
            Err(e) if e.is_recoverable() => self.on_bad_line(&e),
            Err(e) => {
                debug!(peer = %self.peer, error = %e, "connection ended");
                Flow::Close
            }
        }
    }

    /// When the next read must return, however the client trickles its
    /// bytes: at the login deadline (absolute from connecting), when a
    /// started line has had its time, when a keepalive is due, and in any
    /// case after one line time-out, so that a line begun meanwhile gets its
    /// deadline.
    fn wake_at(&self, now: Instant) -> Instant {
        let limits = &self.ctx.config.limits;
        let mut wake = self.line_started.unwrap_or(now) + limits.line_timeout;
        if self.user.is_none() {
            wake = wake.min(self.login_deadline());
        } else if self.is_v2() {
            wake = wake.min(match self.ping.waiting_since {
                Some(since) => since + limits.ping_timeout,
                None => self.last_heard + limits.ping_interval,
            });
        }
        wake
    }

    /// The instant a connection that has not logged in is closed.
    pub(crate) fn login_deadline(&self) -> Instant {
        self.connected_at + self.ctx.config.limits.login_timeout
    }

    /// A read reached its deadline: decides which one it was.
    fn on_timeout(&mut self) -> Flow {
        let limits = &self.ctx.config.limits;
        let now = Instant::now();
        if self.user.is_none() && reached(self.login_deadline(), now) {
            info!(peer = %self.peer, "closing a connection that did not log in in time");
            self.send_error("Login timed out");
            return Flow::Close;
        }
        if let Some(started) = self.line_started
            && reached(started + limits.line_timeout, now)
        {
            info!(peer = %self.peer, user = ?self.user, "closing a connection that did not finish its line");
            self.send_error("Line not finished in time");
            return Flow::Close;
        }
        if self.user.is_none() || !self.is_v2() {
            return Flow::Continue;
        }
        match self.ping.waiting_since {
            Some(since) if reached(since + limits.ping_timeout, now) => {
                info!(peer = %self.peer, user = ?self.user, "closing a connection that did not answer PING");
                self.send_error("Ping timeout");
                Flow::Close
            }
            None if reached(self.last_heard + limits.ping_interval, now) => {
                self.ping.sent += 1;
                self.ping.waiting_since = Some(now);
                self.send(&ServerMessage::Ping {
                    token: self.ping.sent.to_string(),
                });
                Flow::Continue
            }
            _ => Flow::Continue,
        }
    }

    /// A line that could not be read as a command: answered with an
    /// `ERROR`. If it was a `FILE` header and its body is on its way, the
    /// body is read and thrown away, never taken for commands; a body whose
    /// size cannot be read leaves no way back into step, so the connection
    /// is closed.
    fn on_bad_line(&mut self, error: &ReadError) -> Flow {
        self.lines_read += 1;
        self.settle();
        self.send_error(describe(error));
        if !self.body_follows_header() {
            return Flow::Continue;
        }
        match error.body_announcement() {
            BodyAnnouncement::None => Flow::Continue,
            BodyAnnouncement::Size(size) => self.discard_body(size),
            BodyAnnouncement::Unknown => {
                info!(peer = %self.peer, "closing a connection whose file header had no readable size");
                Flow::Close
            }
        }
    }

    /// Whether a `FILE` header's body follows it at once: for a version 1
    /// connection (every connection before `HELLO`). A version 2 client
    /// sends the body only after `FILE_READY`.
    pub(crate) fn body_follows_header(&self) -> bool {
        !self.is_v2()
    }

    /// Handles one command. The two halves are out of line so that the
    /// frames of a logged-in user's many commands do not deepen the stack
    /// of a login (see [`Session::open`]).
    fn handle(&mut self, message: ClientMessage) -> Flow {
        if self.user.is_none() {
            self.handle_before_login(message)
        } else {
            self.handle_logged_in(message)
        }
    }

    #[inline(never)]
    fn handle_logged_in(&mut self, message: ClientMessage) -> Flow {
        if !matches!(message, ClientMessage::Pong { .. } | ClientMessage::Quit) {
            let wait = self.flood.take(Instant::now());
            if !wait.is_zero() {
                // Flood control: a client over its rate is slowed down by
                // not reading from it, as IRC servers do.
                thread::sleep(wait);
            }
        }
        if !matches!(
            message,
            ClientMessage::Text { .. }
                | ClientMessage::Dm { .. }
                | ClientMessage::Send { .. }
                | ClientMessage::Pong { .. }
        ) {
            self.settle();
        }
        let verb = message.verb();
        if self.transfer_only
            && !matches!(
                message,
                ClientMessage::File { .. }
                    | ClientMessage::GetFile { .. }
                    | ClientMessage::ListFiles
                    | ClientMessage::Upload { .. }
                    | ClientMessage::Download { .. }
                    | ClientMessage::Files { .. }
                    | ClientMessage::Preview { .. }
                    | ClientMessage::Ping { .. }
                    | ClientMessage::Pong { .. }
                    | ClientMessage::Quit
            )
        {
            // After the answers to the messages before it (see `settle`).
            self.settle();
            self.send_error(format!(
                "{verb}: this connection is for file transfers only"
            ));
            return Flow::Continue;
        }
        let v3_only = matches!(
            message,
            ClientMessage::Send { .. }
                | ClientMessage::Reply { .. }
                | ClientMessage::Before { .. }
                | ClientMessage::Read { .. }
                | ClientMessage::TransferToken
                | ClientMessage::Create { .. }
                | ClientMessage::Join { .. }
                | ClientMessage::Leave { .. }
                | ClientMessage::Moderate { .. }
                | ClientMessage::Topic { .. }
                | ClientMessage::Moderator { .. }
                | ClientMessage::Rooms
                | ClientMessage::Members { .. }
                | ClientMessage::Password { .. }
                | ClientMessage::SignOutOthers
                | ClientMessage::Admin(_)
                | ClientMessage::Upload { .. }
                | ClientMessage::Download { .. }
                | ClientMessage::Files { .. }
                | ClientMessage::Preview { .. }
                | ClientMessage::Previews { .. }
                | ClientMessage::DeleteFile { .. }
                | ClientMessage::Quota
                | ClientMessage::Search { .. }
                | ClientMessage::Edit { .. }
                | ClientMessage::Delete { .. }
                | ClientMessage::React { .. }
                | ClientMessage::Block { .. }
                | ClientMessage::Mute { .. }
                | ClientMessage::Typing { .. }
        );
        if v3_only && self.version < 3 {
            self.settle();
            self.send_error(format!(
                "{verb} needs protocol version 3 (say HELLO|3 first)"
            ));
            return Flow::Continue;
        }
        match message {
            ClientMessage::Hello { .. } => self.send_error("HELLO must be the first line"),
            ClientMessage::Login { .. } | ClientMessage::Transfer { .. } => {
                self.send_error("Already logged in")
            }
            ClientMessage::Resume { .. } => self.send_error("RESUME must come before LOGIN"),
            ClientMessage::Code { .. } => self.send_error("CODE must come before LOGIN"),
            ClientMessage::Password { current, new } => self.change_password(&current, &new),
            ClientMessage::SignOutOthers => self.sign_out_others(),
            ClientMessage::Admin(command) => self.admin(command),
            ClientMessage::Text { text } => self.say(&text),
            ClientMessage::Dm { to, text } => self.direct(&to, &text),
            ClientMessage::Send {
                token,
                conversation,
                text,
            } => self.send_to(&token, &conversation, &text, None),
            ClientMessage::Reply {
                token,
                conversation,
                to,
                text,
            } => self.send_to(&token, &conversation, &text, Some(to)),
            ClientMessage::Before {
                conversation,
                before,
                limit,
            } => self.page(&conversation, before, limit),
            ClientMessage::Read { conversation, id } => self.mark_read(&conversation, id),
            ClientMessage::Rooms => self.list_rooms(),
            ClientMessage::Members {
                conversation,
                after,
                limit,
            } => self.list_members(&conversation, &after, limit),
            ClientMessage::Search {
                token,
                limit,
                query,
            } => self.search(&token, limit, &query),
            ClientMessage::Edit { token, id, text } => self.change_message(&token, id, Some(&text)),
            ClientMessage::Delete { token, id } => self.change_message(&token, id, None),
            ClientMessage::React {
                token,
                id,
                reaction,
            } => self.react(&token, id, &reaction),
            ClientMessage::Block { user, on } => self.block(&user, on),
            ClientMessage::Typing { conversation } => self.typing(&conversation),
            ClientMessage::Mute { conversation, on } => self.mute(&conversation, on),
            room @ (ClientMessage::Create { .. }
            | ClientMessage::Join { .. }
            | ClientMessage::Leave { .. }
            | ClientMessage::Moderate { .. }
            | ClientMessage::Topic { .. }
            | ClientMessage::Moderator { .. }) => self.room_command(room),
            ClientMessage::TransferToken => match self.ctx.transfers.issue(self.name()) {
                Some(token) => self.send(&ServerMessage::TransferToken { token }),
                None => self.send_error("The server could not make a token; try again later"),
            },
            ClientMessage::File { name, size, sha256 } => {
                return self.receive_file(Conversation::General, &name, size, sha256);
            }
            ClientMessage::Upload {
                conversation,
                name,
                size,
                sha256,
            } => return self.upload(&conversation, &name, size, sha256),
            ClientMessage::GetFile { name } => self.download(None, &name),
            ClientMessage::Download { conversation, name } => {
                self.download(Some(&conversation), &name)
            }
            ClientMessage::ListFiles => self.list_files(None),
            ClientMessage::Files { conversation } => self.list_files(Some(&conversation)),
            ClientMessage::Preview { conversation, name } => self.preview(&conversation, &name),
            ClientMessage::Previews { on } => {
                self.ctx.hub.set_previews(self.id, on);
                self.send(&ServerMessage::Previews { on });
            }
            ClientMessage::DeleteFile { conversation, name } => {
                self.delete_file(&conversation, &name)
            }
            ClientMessage::Quota => {
                self.ctx.hub.watch_quota(self.id);
                self.send(&self.ctx.quotas.line(&user_key(self.name())));
            }
            ClientMessage::Ping { token } => self.send(&ServerMessage::Pong { token }),
            ClientMessage::Pong { .. } => {}
            ClientMessage::Quit => return Flow::Close,
        }
        Flow::Continue
    }

    #[inline(never)]
    fn handle_before_login(&mut self, message: ClientMessage) -> Flow {
        match message {
            ClientMessage::Hello { .. } if self.lines_read > 0 => {
                self.send_error("HELLO must be the first line")
            }
            ClientMessage::Hello { version: 0 } => {
                self.send_error("Unsupported protocol version 0")
            }
            ClientMessage::Hello { version } => {
                self.version = version.min(u64::from(PROTOCOL_VERSION));
                // Not through `send`: its encoder's frame would be this
                // thread's deepest stack use (see `ServerMessage::hello_line`).
                self.outbox
                    .send(ServerMessage::hello_line(self.version).into());
            }
            ClientMessage::Login { user, password } => self.login(&user, &password),
            ClientMessage::Resume { last_id } if self.version >= 3 => {
                self.resume = Some(EventId(last_id));
            }
            ClientMessage::Code { code } if self.version >= 3 => self.code = Some(code),
            ClientMessage::Transfer { token } if self.version >= 3 => self.log_in_transfer(&token),
            ClientMessage::Quit => return Flow::Close,
            ClientMessage::File { size, .. } => {
                self.send_error("Please log in first");
                if self.body_follows_header() {
                    return self.discard_body(size);
                }
            }
            _ => self.send_error("Please log in first"),
        }
        Flow::Continue
    }

    fn login(&mut self, user: &str, password: &str) {
        match self.log_in_on_worker(user, password) {
            Ok((name, welcome, first)) => {
                info!(peer = %self.peer, user = %name, version = self.version, "logged in");
                self.user = Some(name.clone());
                // What the worker could not send without waiting.
                for chunk in welcome.chunks {
                    if !self.outbox.send_paced(chunk, WRITE_TIMEOUT) {
                        break;
                    }
                }
                self.ctx.hub.synced(self.id, welcome.through);
                if first && let Err(e) = self.ctx.store.joined(&name) {
                    tracing::error!(error = %e, "could not log a login");
                }
            }
            Err(LoginFailure::Refused(e)) => {
                info!(peer = %self.peer, user, reason = %e, "login refused");
                self.send_error(e.to_string());
            }
            Err(LoginFailure::Banned(reason)) => {
                info!(peer = %self.peer, user, "refused a banned user");
                self.send_error(banned_text(&reason));
            }
            Err(LoginFailure::Store(e)) => {
                tracing::error!(peer = %self.peer, user, error = %e, "could not read a welcome");
                self.send_error("The server could not load your messages; try again later");
            }
        }
    }

    /// Checks the password (argon2), joins the chat, reads the welcome
    /// from the store and sends what of it fits without waiting, on a login
    /// worker (see `logins`): that code runs deep, and on this long-lived
    /// thread its stack pages would stay resident for the whole connection,
    /// as would what it frees, in glibc's per-thread cache. Returns the
    /// welcome's unsent rest.
    fn log_in_on_worker(
        &self,
        user: &str,
        password: &str,
    ) -> Result<(String, Welcome, bool), LoginFailure> {
        let ctx = self.ctx.clone();
        let outbox = self.outbox.clone();
        let (id, version, ip, resume) = (self.id, self.version, self.peer.ip(), self.resume);
        let (user, password, code) = (user.to_owned(), password.to_owned(), self.code.clone());
        self.ctx.logins.run(move || {
            if let Ok(name) = normalize_user_name(&user)
                && let Some(ban) = ctx.authority.ban_of(&user_key(&name))
            {
                return Err(LoginFailure::Banned(ban.reason));
            }
            let permit = ctx.registration.permit(code.as_deref());
            let name = ctx
                .accounts
                .login(&user, &password, ip, permit)
                .map_err(LoginFailure::Refused)?;
            // Whose presence the user follows, besides their rooms'.
            let partners = ctx.store.partners(&user_key(&name)).unwrap_or_else(|e| {
                tracing::error!(error = %e, "could not read a user's conversations");
                Vec::new()
            });
            let contacts = (partners, ctx.accounts.count());
            let quota = ctx.quotas.line(&user_key(&name));
            let joined = ctx
                .hub
                .join(id, &name, (version, &quota), &outbox, contacts);
            let first = joined.first;
            match welcome::build(&ctx, &name, version, joined, resume) {
                Ok(Welcome { chunks, through }) => {
                    let chunks = welcome::send_ready(&outbox, chunks, REPLY_CHUNK);
                    Ok((name, Welcome { chunks, through }, first))
                }
                Err(e) => {
                    if let Some(left) = ctx.hub.leave(id) {
                        let _ = ctx.store.left(&left.name, left.last_seen);
                    }
                    Err(LoginFailure::Store(e))
                }
            }
        })
    }

    /// `TRANSFER|token` (v3): logs this connection in for file transfers
    /// only, outside the chat.
    fn log_in_transfer(&mut self, token: &str) {
        match self.ctx.transfers.redeem(token) {
            Some(name) => {
                info!(peer = %self.peer, user = %name, "transfer connection logged in");
                self.send(&ServerMessage::TransferOk { user: name.clone() });
                self.user = Some(name);
                self.transfer_only = true;
            }
            None => self.send_error("Invalid or expired transfer token"),
        }
    }

    fn finish(mut self: Box<Self>) {
        // The session's last messages reach the others before its leaving.
        self.settle();
        if let Some(user) = &self.user {
            info!(peer = %self.peer, user = %user, "logged out");
            if let Some(left) = self.ctx.hub.leave(self.id)
                && let Err(e) = self.ctx.store.left(&left.name, left.last_seen)
            {
                tracing::error!(error = %e, "could not log a logout");
            }
        }
        self.outbox.finish();
        self.linger();
    }

    /// Reads and discards what the client still sends, for a moment, before
    /// the socket is dropped. Closing with unread input resets the
    /// connection, which can destroy the last reply before the client reads
    /// it (an `ERROR` sent while it was still streaming an upload, say).
    fn linger(&mut self) {
        let deadline = self.reader.get_mut().get_mut().deadline_mut();
        deadline.set(Some(Instant::now() + LINGER));
        deadline.set_stall(None);
        // On the heap: a 4 KiB array here would sit in `run`'s frame and be
        // touched (stack probes) by every session for its whole life.
        let mut buf = vec![0u8; 4096];
        while let Ok(1..) = self.reader.get_mut().read(&mut buf) {}
    }
}

/// Whether `deadline` has come at `now`.
pub(crate) fn reached(deadline: Instant, now: Instant) -> bool {
    now >= deadline
}

/// The `ERROR` text for a line that could not be read.
fn describe(error: &ReadError) -> String {
    match error {
        ReadError::LineTooLong { limit, .. } => format!("Line too long (at most {limit} bytes)"),
        ReadError::InvalidUtf8 { .. } => "Line is not valid UTF-8".to_owned(),
        ReadError::Invalid { cause, .. } => format!("Bad command: {cause}"),
        other => other.to_string(),
    }
}
