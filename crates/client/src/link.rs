//! The chat connection once logged in: a writer thread that sends queued
//! lines (so no call ever blocks on the network) and a reader thread that
//! turns server lines into [`Event`]s.
//!
//! Both queues are bounded, so a server that floods lines, or stops
//! reading, cannot make the client's memory grow without limit. When the
//! event queue is full the reader waits for the caller to take events, and
//! so stops reading: TCP pushes back on the server, which then treats this
//! client as slow and drops it (and the client reconnects, if it is set to).
//! No event is ever dropped. When the writer's queue is full, the reader waits to
//! queue its `PONG`s the same way, and a caller's line is refused with
//! [`crate::SendError::Congested`] rather than blocking the caller.

use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};
use media_chat_protocol::{ClientMessage, EncodeLine, ReadError, ServerMessage};
use tracing::{debug, warn};

use crate::client::Shared;
use crate::event::{Event, FileInfo};
use crate::handshake::LineReader;
use media_chat_tls::WriteHalf;

/// Silence after which the client pings the server; a second silence of
/// the same length ends the connection.
const KEEPALIVE: Duration = Duration::from_secs(60);

/// Lines waiting for the writer thread. A person types far fewer lines
/// than this in the time the server needs to read one, so the queue only
/// fills when the server has stopped reading; then at most this many lines
/// of at most ~7 KiB each (the text limit), under 2 MiB, wait.
const WRITE_QUEUE: usize = 256;

/// What the writer thread is asked to do.
pub(crate) enum Outbound {
    /// Send these bytes.
    Line(Vec<u8>),
    /// Send `QUIT` and end the sending side.
    Quit,
}

/// A live chat connection.
pub(crate) struct Link {
    /// Queue for the writer thread.
    pub(crate) tx: Sender<Outbound>,
    /// The socket, to close it.
    pub(crate) socket: TcpStream,
    /// Which connection this is (bumped on every reconnect).
    pub(crate) generation: u64,
    /// Disconnects when the reader thread ends.
    pub(crate) reader_done: Receiver<()>,
}

/// Starts the writer thread for `writer`.
pub(crate) fn spawn_writer(
    writer: WriteHalf,
    generation: u64,
) -> std::io::Result<(Sender<Outbound>, JoinHandle<()>)> {
    let (tx, rx) = crossbeam_channel::bounded(WRITE_QUEUE);
    let handle = thread::Builder::new()
        .name(format!("chat-writer-{generation}"))
        .spawn(move || write_loop(writer, rx))?;
    Ok((tx, handle))
}

fn write_loop(mut writer: WriteHalf, rx: Receiver<Outbound>) {
    let mut batch = Vec::new();
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        let mut quit = false;
        while let Some(item) = next {
            match item {
                Outbound::Line(line) => batch.extend_from_slice(&line),
                Outbound::Quit => {
                    batch.extend_from_slice(b"QUIT\n");
                    quit = true;
                    break;
                }
            }
            next = rx.try_recv().ok();
        }
        if let Err(e) = writer.write_all(&batch) {
            debug!(error = %e, "chat connection write failed");
            let _ = writer.socket().shutdown(Shutdown::Both);
            return;
        }
        batch.clear();
        if quit {
            let _ = writer.close();
            return;
        }
    }
}

/// The reader thread's start: what it reads from, how it answers.
pub(crate) struct ReaderStart {
    /// The welcome and everything after it.
    pub(crate) reader: LineReader,
    /// The name `LOGIN_OK` gave, for [`Event::LoggedIn`].
    pub(crate) user: String,
    /// Which connection this is.
    pub(crate) generation: u64,
    /// The writer's queue, for `PONG`s and keepalive `PING`s.
    pub(crate) replies: Sender<Outbound>,
    /// Dropped when the reader ends.
    pub(crate) done: Sender<()>,
}

/// Starts the reader thread. Its first event is [`Event::LoggedIn`], so
/// that event is emitted on the thread that emits the welcome after it.
pub(crate) fn spawn_reader(
    shared: Arc<Shared>,
    start: ReaderStart,
) -> std::io::Result<JoinHandle<()>> {
    let ReaderStart {
        reader,
        user,
        generation,
        replies,
        done,
    } = start;
    thread::Builder::new()
        .name(format!("chat-reader-{generation}"))
        .spawn(move || {
            shared.emit(Event::LoggedIn { user });
            let reason = Inbound::new(&shared, replies).run(reader);
            drop(done);
            shared.link_lost(generation, reason);
        })
}

/// The reader thread's state.
struct Inbound<'a> {
    shared: &'a Shared,
    /// This connection's writer queue (not the link's: the reader answers
    /// on its own connection, and never takes the link's lock to do so).
    replies: Sender<Outbound>,
    /// `USERS` lines are gathered until the welcome moves on to history.
    users: Option<Vec<String>>,
    /// `FILE_INFO` lines are gathered until `FILES_END`.
    files: Vec<FileInfo>,
    pinged: bool,
}

impl<'a> Inbound<'a> {
    fn new(shared: &'a Shared, replies: Sender<Outbound>) -> Self {
        Inbound {
            shared,
            replies,
            users: Some(Vec::new()),
            files: Vec::new(),
            pinged: false,
        }
    }

    /// Reads until the connection ends; returns why it ended.
    fn run(mut self, mut reader: LineReader) -> String {
        let _ = reader
            .get_ref()
            .get_ref()
            .socket()
            .set_read_timeout(Some(KEEPALIVE));
        loop {
            match reader.read_message::<ServerMessage>() {
                Ok(Some(ServerMessage::FileTransfer { size, .. })) => {
                    // Never asked for on this connection; skip the body to
                    // stay in step.
                    if let Err(e) = reader.skip_body(size) {
                        return e.to_string();
                    }
                }
                Ok(Some(message)) => {
                    self.pinged = false;
                    self.handle(message);
                }
                Ok(None) => return "the server closed the connection".to_owned(),
                Err(e) if e.is_timeout() => {
                    if self.pinged {
                        return "the server stopped answering".to_owned();
                    }
                    self.pinged = true;
                    // A full queue means the server is not reading: the
                    // next silence ends the connection either way.
                    if let Ok(line) = (ClientMessage::Ping {
                        token: "keepalive".to_owned(),
                    })
                    .to_line()
                    {
                        let _ = self.replies.try_send(Outbound::Line(line));
                    }
                }
                Err(e) if e.is_recoverable() => {
                    warn!(error = %e, "skipping a line from the server")
                }
                Err(ReadError::Io(e)) => return e.to_string(),
                Err(e) => return e.to_string(),
            }
        }
    }

    fn handle(&mut self, message: ServerMessage) {
        if let ServerMessage::Users { users } = &message
            && let Some(gathered) = &mut self.users
        {
            gathered.extend(users.iter().cloned());
            return;
        }
        // The welcome's user list is complete once something other than
        // the LIMITS line follows it.
        if !matches!(message, ServerMessage::Limits { .. })
            && let Some(users) = self.users.take()
        {
            self.shared.emit(Event::Users { users });
        }
        let event = match message {
            ServerMessage::Limits {
                max_file_size,
                allowed_extensions,
            } => {
                self.shared.set_limits(max_file_size, &allowed_extensions);
                Event::Limits {
                    max_file_size,
                    allowed_extensions,
                }
            }
            ServerMessage::Users { users } => Event::Users { users },
            ServerMessage::Joined { user } => Event::Joined { user },
            ServerMessage::Left { user } => Event::Left { user },
            ServerMessage::History { ts, entry } => Event::History { ts, entry },
            ServerMessage::HistoryEnd => Event::HistoryEnd,
            ServerMessage::Text { from, text } => Event::Text { from, text },
            ServerMessage::Dm { from, text } => Event::Dm { from, text },
            ServerMessage::Notify { text } => Event::Notify { text },
            ServerMessage::Error { reason } => Event::ServerError { reason },
            ServerMessage::FileShared {
                user,
                name,
                size,
                sha256,
            } => Event::FileShared {
                user,
                name,
                size,
                sha256,
            },
            ServerMessage::FileInfo {
                name,
                size,
                sha256,
                uploader,
                ts,
            } => {
                self.files.push(FileInfo {
                    name,
                    size,
                    sha256,
                    uploader,
                    ts,
                });
                return;
            }
            ServerMessage::FilesEnd => Event::FileList {
                files: std::mem::take(&mut self.files),
            },
            ServerMessage::Ping { token } => {
                // Waits while the writer's queue is full: back-pressure on
                // a server that pings faster than it reads.
                if let Ok(line) = (ClientMessage::Pong { token }).to_line() {
                    let _ = self.replies.send(Outbound::Line(line));
                }
                return;
            }
            ServerMessage::Pong { .. }
            | ServerMessage::Hello { .. }
            | ServerMessage::LoginOk { .. }
            | ServerMessage::FileReady { .. }
            | ServerMessage::FileTransfer { .. } => return,
            // Version 3 only; this engine speaks version 2.
            ServerMessage::Event(_)
            | ServerMessage::Ack { .. }
            | ServerMessage::Rejected { .. }
            | ServerMessage::ReadUpTo { .. }
            | ServerMessage::Gap { .. }
            | ServerMessage::Synced { .. }
            | ServerMessage::PageEnd { .. }
            | ServerMessage::TransferToken { .. }
            | ServerMessage::TransferOk { .. } => return,
        };
        self.shared.emit(event);
    }
}
