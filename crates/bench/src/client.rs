//! Simulated users: connecting (plaintext or TLS) and logging in with
//! bounded concurrency (version 2), and composing the timestamped chat
//! lines the receivers check. Version 3 sessions are in `session3`.
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
use media_chat_protocol::{ClientMessage, EncodeLine, MessageReader, ServerMessage};

use crate::link::{Connector, Link};

/// Every simulated user's password.
pub const PASSWORD: &str = "bench-password";

/// Longest a login may take before the run gives up on it (a storm of
/// first logins with the default argon2 cost queues for a while).
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(120);

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

/// Composes the timestamped chat lines, reusing its buffers.
#[derive(Default)]
pub struct Composer {
    text: String,
    token: String,
}

impl Composer {
    /// Appends one message with the text `<sender> <seq> <micros>
    /// <padding>` (padded with `x` to at least `payload` bytes) to `out`:
    /// `TEXT|text` without a conversation (`#general`, any version), or
    /// `SEND|<seq>|<to>|text` (version 3; the sequence number is the
    /// token, unique among the sender's sends).
    pub fn encode(
        &mut self,
        out: &mut Vec<u8>,
        to: Option<&str>,
        (sender, seq, micros): (usize, u64, u64),
        payload: usize,
    ) {
        use std::fmt::Write as _;
        self.text.clear();
        let _ = write!(self.text, "{sender} {seq} {micros} ");
        while self.text.len() < payload {
            self.text.push('x');
        }
        // The text is digits, spaces and `x`, the token digits, and `to` a
        // conversation name: encoding cannot fail.
        let _ = match to {
            None => LineWriter::new("TEXT", out)
                .last("message", &self.text)
                .finish(),
            Some(to) => {
                self.token.clear();
                let _ = write!(self.token, "{seq}");
                LineWriter::new("SEND", out)
                    .field("token", &self.token)
                    .field("conversation", to)
                    .last("message", &self.text)
                    .finish()
            }
        };
    }
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
        let mut out = Vec::new();
        Composer::default().encode(&mut out, None, (7, 42, 123_456), 40);
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

    #[test]
    fn a_send_carries_its_sequence_number_as_token() {
        let mut out = Vec::new();
        Composer::default().encode(&mut out, Some("#r3"), (7, 42, 123_456), 40);
        let line = std::str::from_utf8(&out).unwrap();
        let Ok(ClientMessage::Send {
            token,
            conversation,
            text,
        }) = <ClientMessage as media_chat_protocol::ParseLine>::parse_line(line.trim_end())
        else {
            panic!("not a SEND line: {line}");
        };
        assert_eq!(token, "42");
        assert_eq!(conversation.to_string(), "#r3");
        assert_eq!(decode_text(&text), Some((7, 42, 123_456)));
    }
}
