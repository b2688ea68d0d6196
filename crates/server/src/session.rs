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

use media_chat_protocol::{
    ClientMessage, EncodeLine, MessageReader, PROTOCOL_VERSION, ReadError, ServerMessage,
};
use media_chat_tls::ReadHalf;
use socket2::{SockRef, TcpKeepalive};
use tracing::{debug, info};

use crate::accounts::{Accounts, LoginError};
use crate::config::Config;
use crate::connections::Admission;
use crate::hub::Hub;
use crate::logins::LoginWorkers;
use crate::outbox::Outbox;
use crate::storage::files::FileStore;
use crate::throttle::TokenBucket;
use crate::transport::{self, Accepted, TlsPolicy};

/// Longest a write to a client may make no progress before the connection
/// is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// TCP keepalive: probe after 60 s of silence, then every 15 s; Linux
/// gives up after 9 unanswered probes, about 3 minutes in all.
const TCP_KEEPALIVE: TcpKeepalive = TcpKeepalive::new()
    .with_time(Duration::from_secs(60))
    .with_interval(Duration::from_secs(15));

/// Longest time a closing connection is drained before it is dropped.
const LINGER: Duration = Duration::from_secs(2);

/// Read buffer per connection. Small, since a thousand idle sessions each
/// hold one; large reads (file bodies) bypass it, and a longer line is
/// gathered across reads. Half the former 4 KiB saves 2 MiB per thousand
/// sessions for about 10 % of flat-out fan-out throughput (still over 3.6 M
/// deliveries/s; docs/BENCHMARKS.md).
const READ_BUFFER: usize = 2 * 1024;

/// Everything a session needs from the server.
pub(crate) struct Context {
    pub(crate) config: Config,
    pub(crate) accounts: Accounts,
    pub(crate) files: FileStore,
    pub(crate) hub: Hub,
    pub(crate) logins: LoginWorkers,
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
    connected_at: Instant,
    lines_read: u64,
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
        let connected_at = Instant::now();
        let Some(accepted) =
            transport::accept(stream, peer, &ctx.tls, ctx.config.limits.login_timeout)
        else {
            return;
        };
        match Session::new(ctx, id, accepted, peer, admission, connected_at) {
            Ok(session) => session.run(),
            Err(e) => debug!(%peer, error = %e, "could not set up a session"),
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
            connected_at,
            lines_read: 0,
            flood,
            ping: Ping::default(),
            _admission: admission,
        })
    }

    /// Serves the client until it leaves, breaks the stream or times out.
    pub(crate) fn run(mut self) {
        debug!(peer = %self.peer, id = self.id, "connected");
        while self.serve_one() == Flow::Continue {}
        self.finish();
    }

    /// Queues one line for this client.
    pub(crate) fn send(&self, message: &ServerMessage) {
        match message.to_line() {
            Ok(line) => self.outbox.send(line.into()),
            Err(e) => tracing::error!(error = %e, "could not encode a reply"),
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

    fn serve_one(&mut self) -> Flow {
        let timeout = match self.read_timeout() {
            Some(left) if left.is_zero() => return self.on_timeout(),
            timeout => timeout,
        };
        if self
            .reader
            .get_ref()
            .get_ref()
            .socket()
            .set_read_timeout(timeout)
            .is_err()
        {
            return Flow::Close;
        }
        match self.reader.read_message::<ClientMessage>() {
            Ok(None) => Flow::Close,
            Ok(Some(message)) => {
                self.ping.waiting_since = None;
                let flow = self.handle(message);
                self.lines_read += 1;
                flow
            }
            Err(e) if e.is_timeout() => self.on_timeout(),
            Err(e) if e.is_recoverable() => {
                self.lines_read += 1;
                self.send_error(describe(&e));
                if is_file_header(&e) {
                    // A version 1 client streams the body right after the
                    // header; without a readable size there is no way back
                    // into sync.
                    return Flow::Close;
                }
                Flow::Continue
            }
            Err(e) => {
                debug!(peer = %self.peer, error = %e, "connection ended");
                Flow::Close
            }
        }
    }

    /// How long the next read may wait: until the login deadline, until a
    /// keepalive is due, or (version 1, logged in) for ever.
    fn read_timeout(&self) -> Option<Duration> {
        let limits = &self.ctx.config.limits;
        if self.user.is_none() {
            return Some(
                limits
                    .login_timeout
                    .saturating_sub(self.connected_at.elapsed()),
            );
        }
        if !self.is_v2() {
            return None;
        }
        Some(match self.ping.waiting_since {
            Some(since) => limits.ping_timeout.saturating_sub(since.elapsed()),
            None => limits.ping_interval,
        })
    }

    fn on_timeout(&mut self) -> Flow {
        if self.user.is_none() {
            info!(peer = %self.peer, "closing a connection that did not log in in time");
            self.send_error("Login timed out");
            return Flow::Close;
        }
        if self.ping.waiting_since.is_some() {
            info!(peer = %self.peer, user = ?self.user, "closing a connection that did not answer PING");
            self.send_error("Ping timeout");
            return Flow::Close;
        }
        self.ping.sent += 1;
        self.ping.waiting_since = Some(Instant::now());
        self.send(&ServerMessage::Ping {
            token: self.ping.sent.to_string(),
        });
        Flow::Continue
    }

    fn handle(&mut self, message: ClientMessage) -> Flow {
        if self.user.is_none() {
            return self.handle_before_login(message);
        }
        if !matches!(message, ClientMessage::Pong { .. } | ClientMessage::Quit) {
            let wait = self.flood.take(Instant::now());
            if !wait.is_zero() {
                // Flood control: a client over its rate is slowed down by
                // not reading from it, as IRC servers do.
                thread::sleep(wait);
            }
        }
        match message {
            ClientMessage::Hello { .. } => self.send_error("HELLO must be the first line"),
            ClientMessage::Login { .. } => self.send_error("Already logged in"),
            ClientMessage::Text { text } => self.say(&text),
            ClientMessage::Dm { to, text } => self.direct(&to, &text),
            ClientMessage::File { name, size, sha256 } => {
                return self.receive_file(&name, size, sha256);
            }
            ClientMessage::GetFile { name } => self.get_file(&name),
            ClientMessage::ListFiles => self.list_files(),
            ClientMessage::Ping { token } => self.send(&ServerMessage::Pong { token }),
            ClientMessage::Pong { .. } => {}
            ClientMessage::Quit => return Flow::Close,
        }
        Flow::Continue
    }

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
                self.send(&ServerMessage::Hello {
                    version: self.version,
                });
            }
            ClientMessage::Login { user, password } => self.login(&user, &password),
            ClientMessage::Quit => return Flow::Close,
            _ => self.send_error("Please log in first"),
        }
        Flow::Continue
    }

    fn login(&mut self, user: &str, password: &str) {
        match self.log_in_on_worker(user, password) {
            Ok(name) => {
                info!(peer = %self.peer, user = %name, version = self.version, "logged in");
                self.user = Some(name);
            }
            Err(e) => {
                info!(peer = %self.peer, user, reason = %e, "login refused");
                self.send_error(e.to_string());
            }
        }
    }

    /// Checks the password (argon2) and joins the room on a login worker
    /// (see `logins`): that code runs deep, and on this long-lived thread
    /// its stack pages would stay resident for the whole connection.
    fn log_in_on_worker(&self, user: &str, password: &str) -> Result<String, LoginError> {
        let ctx = self.ctx.clone();
        let outbox = self.outbox.clone();
        let (id, version, ip) = (self.id, self.version, self.peer.ip());
        let (user, password) = (user.to_owned(), password.to_owned());
        self.ctx.logins.run(move || {
            let name = ctx.accounts.login(&user, &password, ip)?;
            ctx.hub.join(id, &name, version, &outbox);
            Ok(name)
        })
    }

    fn finish(mut self) {
        if let Some(user) = &self.user {
            info!(peer = %self.peer, user = %user, "logged out");
            self.ctx.hub.leave(self.id);
        }
        self.outbox.finish();
        self.linger();
    }

    /// Reads and discards what the client still sends, for a moment, before
    /// the socket is dropped. Closing with unread input resets the
    /// connection, which can destroy the last reply before the client reads
    /// it (an `ERROR` sent while it was still streaming an upload, say).
    fn linger(&mut self) {
        let deadline = Instant::now() + LINGER;
        // On the heap: a 4 KiB array here would sit in `run`'s frame and be
        // touched (stack probes) by every session for its whole life.
        let mut buf = vec![0u8; 4096];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero()
                || self
                    .reader
                    .get_ref()
                    .get_ref()
                    .socket()
                    .set_read_timeout(Some(left))
                    .is_err()
            {
                return;
            }
            match self.reader.get_mut().read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }
}

/// Whether a line that could not be parsed announced a file body.
fn is_file_header(error: &ReadError) -> bool {
    matches!(error, ReadError::Invalid { line, .. } if line.starts_with("FILE|"))
}

/// The `ERROR` text for a line that could not be read.
fn describe(error: &ReadError) -> String {
    match error {
        ReadError::LineTooLong { limit } => format!("Line too long (at most {limit} bytes)"),
        ReadError::InvalidUtf8 => "Line is not valid UTF-8".to_owned(),
        ReadError::Invalid { cause, .. } => format!("Bad command: {cause}"),
        other => other.to_string(),
    }
}
