//! Simulated users: connecting (plaintext or TLS) and logging in with
//! bounded concurrency, and encoding the timestamped chat lines the
//! receivers check. Also version 3 sessions ([`Session3`]): logins that
//! resume after an id, timed from `LOGIN_OK` to `SYNCED`, and `BEFORE`
//! pages, timed from the request to `PAGE_END`.
//!
//! Each message's text is `<sender> <seq> <micros> <padding>`: the sender's
//! index, its sequence number, and the send time in microseconds since the
//! run's epoch (the scheduled time when paced).

use std::io::BufReader;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use media_chat_protocol::fields::LineWriter;
use media_chat_protocol::{ClientMessage, Conversation, EncodeLine, MessageReader, ServerMessage};

use crate::link::{Connector, Link, LinkReader};

/// Every simulated user's password.
pub const PASSWORD: &str = "bench-password";

/// Longest a login may take before the run gives up on it (a storm of
/// first logins with the default argon2 cost queues for a while).
const LOGIN_TIMEOUT: Duration = Duration::from_secs(120);

/// A logged-in connection.
pub struct Client {
    /// The client's index among its scenario's users.
    pub index: usize,
    /// The connection (its socket blocking).
    pub link: Link,
    /// Bytes read past `HISTORY_END` during login, not yet handled.
    pub leftover: Vec<u8>,
    /// From starting to connect to reading `HISTORY_END`, in microseconds.
    pub login_micros: u64,
}

/// Logs in `names.len()` users (version 2), at most `concurrency` at once,
/// handing each logged-in client to `sink` as soon as it is in. Each
/// connects (and completes the TLS handshake, if any), sends `HELLO|2` and
/// `LOGIN` in one write and waits for `HISTORY_END`. Returns every login's
/// time in microseconds, or the first failure (the remaining logins are
/// then skipped).
pub fn connect_all(
    connector: &Connector,
    names: &[String],
    concurrency: usize,
    sink: &(dyn Fn(Client) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<Vec<u64>> {
    let next = AtomicUsize::new(0);
    let times = Mutex::new(Vec::with_capacity(names.len()));
    let failure = Mutex::new(None);
    thread::scope(|scope| -> anyhow::Result<()> {
        for w in 0..concurrency.clamp(1, names.len().max(1)) {
            let (next, times, failure) = (&next, &times, &failure);
            thread::Builder::new()
                .name(format!("login-{w}"))
                .stack_size(256 * 1024)
                .spawn_scoped(scope, move || {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(name) = names.get(index) else { return };
                        let result = login(connector, index, name).and_then(|client| {
                            let micros = client.login_micros;
                            sink(client)?;
                            Ok(micros)
                        });
                        match result {
                            Ok(micros) => lock(times).push(micros),
                            Err(e) => {
                                lock(failure).get_or_insert(e);
                                // The run is void anyway: skip the rest.
                                next.store(usize::MAX / 2, Ordering::Relaxed);
                                return;
                            }
                        }
                    }
                })?;
        }
        Ok(())
    })?;
    if let Some(e) = lock(&failure).take() {
        return Err(e);
    }
    Ok(std::mem::take(&mut *lock(&times)))
}

/// Locks a mutex, ignoring poisoning (a panicking login thread is reported
/// by the scope anyway).
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Connects and logs in one user.
pub fn login(connector: &Connector, index: usize, name: &str) -> anyhow::Result<Client> {
    let started = Instant::now();
    let addr = connector.addr;
    let link = connector
        .connect(Duration::from_secs(30))
        .with_context(|| format!("{name}: cannot connect to {addr}"))?;
    link.socket().set_read_timeout(Some(LOGIN_TIMEOUT))?;
    let mut hello = Vec::new();
    ClientMessage::Hello { version: 2 }.encode(&mut hello)?;
    ClientMessage::Login {
        user: name.to_owned(),
        password: PASSWORD.to_owned(),
    }
    .encode(&mut hello)?;
    link.write_all(&hello)?;
    let reader = link.reader(16 * 1024)?;
    let mut reader = MessageReader::new(BufReader::with_capacity(64 * 1024, reader));
    loop {
        let message = reader
            .read_message::<ServerMessage>()
            .with_context(|| format!("{name}: reading the welcome"))?;
        match message {
            None => bail!("{name}: the server closed the connection during login"),
            Some(ServerMessage::HistoryEnd) => break,
            Some(ServerMessage::Error { reason }) => bail!("{name}: login refused: {reason}"),
            Some(_) => {}
        }
    }
    let login_micros = started.elapsed().as_micros() as u64;
    let buffered = reader.get_ref();
    let mut leftover = buffered.buffer().to_vec();
    leftover.extend_from_slice(buffered.get_ref().pending());
    link.socket().set_read_timeout(None)?;
    Ok(Client {
        index,
        link,
        leftover,
        login_micros,
    })
}

/// A version 3 connection read with blocking calls, one request at a time.
pub struct Session3 {
    /// The connection.
    pub link: Link,
    reader: MessageReader<BufReader<LinkReader>>,
}

/// What a version 3 login received, and when.
#[derive(Debug, Clone, Default)]
pub struct Welcome3 {
    /// The version the server answered `HELLO|3` with (2 for a server from
    /// before version 3, whose welcome ends in `HISTORY_END`).
    pub version: u64,
    /// The ids of the welcome's `EVENT` lines, in order.
    pub events: Vec<u64>,
    /// `GAP` lines.
    pub gaps: usize,
    /// `SYNCED|last_id` (0 from a version 2 server).
    pub last_id: u64,
    /// From connecting to `LOGIN` written (a TLS handshake included).
    pub connect: Duration,
    /// From `LOGIN` written to `LOGIN_OK` read: the password check and,
    /// since the server sends `LOGIN_OK` with the welcome it has read from
    /// its store, that read too.
    pub login_ok: Duration,
    /// From `LOGIN_OK` read to `SYNCED` (or `HISTORY_END`) read.
    pub synced: Duration,
}

/// One `BEFORE` page.
#[derive(Debug, Clone, Default)]
pub struct Page3 {
    /// The ids of its events, in order.
    pub events: Vec<u64>,
    /// `PAGE_END`'s `more`.
    pub more: bool,
    /// Events that came in between, newer than the page (live ones).
    pub live: usize,
    /// From the request written to `PAGE_END` read.
    pub took: Duration,
}

impl Session3 {
    /// Connects and logs `name` in with `HELLO|3`, `RESUME|after` if
    /// given, and `LOGIN` in one write, then reads the welcome up to
    /// `SYNCED`.
    pub fn login(
        connector: &Connector,
        name: &str,
        after: Option<u64>,
    ) -> anyhow::Result<(Session3, Welcome3)> {
        let started = Instant::now();
        let addr = connector.addr;
        let link = connector
            .connect(Duration::from_secs(30))
            .with_context(|| format!("{name}: cannot connect to {addr}"))?;
        link.socket().set_read_timeout(Some(LOGIN_TIMEOUT))?;
        let mut hello = Vec::new();
        ClientMessage::Hello { version: 3 }.encode(&mut hello)?;
        if let Some(last_id) = after {
            ClientMessage::Resume { last_id }.encode(&mut hello)?;
        }
        ClientMessage::Login {
            user: name.to_owned(),
            password: PASSWORD.to_owned(),
        }
        .encode(&mut hello)?;
        let connect = started.elapsed();
        link.write_all(&hello)?;
        let sent = Instant::now();
        let reader = link.reader(16 * 1024)?;
        let mut session = Session3 {
            link,
            reader: MessageReader::new(BufReader::with_capacity(64 * 1024, reader)),
        };
        let mut welcome = Welcome3 {
            connect,
            ..Welcome3::default()
        };
        let mut login_ok = None;
        loop {
            match session.next(name)? {
                ServerMessage::Hello { version } => welcome.version = version,
                ServerMessage::LoginOk { .. } => {
                    let now = Instant::now();
                    welcome.login_ok = now - sent;
                    login_ok = Some(now);
                }
                ServerMessage::Event(event) => welcome.events.push(event.id),
                ServerMessage::History { .. } => welcome.events.push(0),
                ServerMessage::Gap { .. } => welcome.gaps += 1,
                ServerMessage::Synced { last_id } => {
                    welcome.last_id = last_id;
                    break;
                }
                ServerMessage::HistoryEnd => break,
                ServerMessage::Error { reason } => bail!("{name}: login refused: {reason}"),
                _ => {}
            }
        }
        welcome.synced = login_ok.map_or(Duration::ZERO, |at| at.elapsed());
        Ok((session, welcome))
    }

    /// Asks for `limit` events of `conversation` before `before` and reads
    /// them up to `PAGE_END`.
    pub fn page(
        &mut self,
        conversation: &Conversation,
        before: u64,
        limit: u64,
    ) -> anyhow::Result<Page3> {
        let mut request = Vec::new();
        ClientMessage::Before {
            conversation: conversation.clone(),
            before,
            limit,
        }
        .encode(&mut request)?;
        let sent = Instant::now();
        self.link.write_all(&request)?;
        let mut page = Page3::default();
        loop {
            match self.next("pager")? {
                ServerMessage::Event(event) if before == 0 || event.id < before => {
                    page.events.push(event.id)
                }
                ServerMessage::Event(_) => page.live += 1,
                ServerMessage::PageEnd { more, .. } => {
                    page.more = more;
                    break;
                }
                ServerMessage::Error { reason } => bail!("BEFORE refused: {reason}"),
                _ => {}
            }
        }
        page.took = sent.elapsed();
        Ok(page)
    }

    /// Says `QUIT` and closes the connection.
    pub fn quit(self) {
        let mut quit = Vec::new();
        if ClientMessage::Quit.encode(&mut quit).is_ok() {
            let _ = self.link.write_all(&quit);
        }
    }

    fn next(&mut self, name: &str) -> anyhow::Result<ServerMessage> {
        match self
            .reader
            .read_message::<ServerMessage>()
            .with_context(|| format!("{name}: reading from the server"))?
        {
            Some(message) => Ok(message),
            None => bail!("{name}: the server closed the connection"),
        }
    }
}

/// Appends `TEXT|<sender> <seq> <micros> <padding>\n` to `out`, the text
/// padded with `x` to at least `payload` bytes.
pub fn encode_text(
    out: &mut Vec<u8>,
    text: &mut String,
    sender: usize,
    seq: u64,
    micros: u64,
    payload: usize,
) {
    use std::fmt::Write as _;
    text.clear();
    let _ = write!(text, "{sender} {seq} {micros} ");
    while text.len() < payload {
        text.push('x');
    }
    // The text is digits, spaces and `x`: encoding cannot fail.
    let _ = LineWriter::new("TEXT", out).last("message", text).finish();
}

/// Reads `<sender> <seq> <micros>` back from a message text.
pub fn decode_text(text: &str) -> Option<(usize, u64, u64)> {
    let mut parts = text.splitn(4, ' ');
    let sender = parts.next()?.parse().ok()?;
    let seq = parts.next()?.parse().ok()?;
    let micros = parts.next()?.parse().ok()?;
    Some((sender, seq, micros))
}

/// Names `prefix0`, `prefix1`, … for `count` users.
pub fn names(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{prefix}{i}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_through_the_protocol() {
        let (mut out, mut text) = (Vec::new(), String::new());
        encode_text(&mut out, &mut text, 7, 42, 123_456, 40);
        let line = std::str::from_utf8(&out).unwrap();
        assert!(line.ends_with('\n'));
        let Ok(ClientMessage::Text { text }) =
            <ClientMessage as media_chat_protocol::ParseLine>::parse_line(line.trim_end())
        else {
            panic!("not a TEXT line: {line}");
        };
        assert!(text.len() >= 40);
        assert_eq!(decode_text(&text), Some((7, 42, 123_456)));
    }
}
