//! The chat connection once logged in: a writer thread that sends queued
//! lines (so no call ever blocks on the network) and a reader thread that
//! hands server lines to the supervisor. Neither knows anything of the
//! client beyond the two queues it is given.
//!
//! Both queues are bounded, so a server that floods lines, or stops
//! reading, cannot make the client's memory grow without limit. When the
//! supervisor waits (its caller's event queue is full), the reader waits
//! to hand over the next line, and so stops reading: TCP pushes back on
//! the server, which then treats this client as slow and drops it (and the
//! client reconnects and resumes, if it is set to). No line is ever
//! dropped. When the writer's queue is full, the reader waits to queue its
//! `PONG`s the same way.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};
use media_chat_protocol::preview::MAX_PREVIEW_DATA;
use media_chat_protocol::{ClientMessage, EncodeLine, ReadError, ServerMessage};
use tracing::{debug, warn};

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

/// Lines from the server waiting for the supervisor: enough to smooth
/// over a moment's wait, few enough that a flood waits in TCP instead.
const READ_QUEUE: usize = 256;

/// What the writer thread is asked to do.
pub(crate) enum Outbound {
    /// Send these bytes; `token` is a message's send token, reported back
    /// as [`Inbound::Written`] once written (a version 2 server never
    /// acknowledges, so written is as good as it gets).
    Line {
        /// The encoded line.
        bytes: Vec<u8>,
        /// The own message it carries, if it should be reported.
        token: Option<String>,
    },
    /// Send `QUIT` and end the sending side.
    Quit,
}

impl Outbound {
    /// A line nobody needs to hear about.
    pub(crate) fn line(bytes: Vec<u8>) -> Self {
        Outbound::Line { bytes, token: None }
    }
}

/// What the link tells the supervisor.
pub(crate) enum Inbound {
    /// A line from the server.
    Line(ServerMessage),
    /// The writer wrote the line carrying this token.
    Written(String),
    /// A `PREVIEW_DATA` body, read whole (it is at most
    /// [`MAX_PREVIEW_DATA`] bytes).
    PreviewData {
        /// Whose file.
        conversation: media_chat_protocol::Conversation,
        /// The file's name.
        name: String,
        /// The body.
        data: Vec<u8>,
    },
    /// The connection ended (the reader's last word).
    Lost(String),
}

/// A live chat connection: its queues, its socket, its threads.
pub(crate) struct Link {
    /// Queue for the writer thread.
    pub(crate) tx: Sender<Outbound>,
    /// What the reader and writer report.
    pub(crate) inbound: Receiver<Inbound>,
    /// The socket, to close it.
    pub(crate) socket: TcpStream,
    threads: Vec<JoinHandle<()>>,
}

impl Link {
    /// Starts the writer and reader threads of a logged-in connection.
    /// `generation` only names the threads.
    pub(crate) fn start(
        reader: LineReader,
        writer: WriteHalf,
        generation: u64,
    ) -> std::io::Result<Link> {
        let socket = writer.socket().try_clone()?;
        let (tx, rx) = crossbeam_channel::bounded(WRITE_QUEUE);
        let (inbound_tx, inbound) = crossbeam_channel::bounded(READ_QUEUE);
        let written = inbound_tx.clone();
        let writer = thread::Builder::new()
            .name(format!("chat-writer-{generation}"))
            .spawn(move || write_loop(writer, rx, written))?;
        let replies = tx.clone();
        let reader = thread::Builder::new()
            .name(format!("chat-reader-{generation}"))
            .spawn(move || {
                let reason = Reader::new(&inbound_tx, replies).run(reader);
                let _ = inbound_tx.send(Inbound::Lost(reason));
            });
        let reader = match reader {
            Ok(reader) => reader,
            Err(e) => {
                let _ = socket.shutdown(Shutdown::Both);
                drop(tx);
                let _ = writer.join();
                return Err(e);
            }
        };
        Ok(Link {
            tx,
            inbound,
            socket,
            threads: vec![writer, reader],
        })
    }

    /// Closes the connection at once and waits for its threads.
    pub(crate) fn close(self) {
        let _ = self.socket.shutdown(Shutdown::Both);
        let Link {
            tx,
            inbound,
            threads,
            ..
        } = self;
        drop(tx);
        // A reader waiting to hand over a line is released.
        drop(inbound);
        for thread in threads {
            let _ = thread.join();
        }
    }
}

fn write_loop(mut writer: WriteHalf, rx: Receiver<Outbound>, written: Sender<Inbound>) {
    let mut batch = Vec::new();
    let mut tokens = Vec::new();
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        let mut quit = false;
        while let Some(item) = next {
            match item {
                Outbound::Line { bytes, token } => {
                    batch.extend_from_slice(&bytes);
                    tokens.extend(token);
                }
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
        for token in tokens.drain(..) {
            // The supervisor never waits on this thread while it holds the
            // other end (it drops it before joining), so this cannot block
            // for ever.
            let _ = written.send(Inbound::Written(token));
        }
        if quit {
            let _ = writer.close();
            return;
        }
    }
}

/// The reader thread's state.
struct Reader<'a> {
    /// Where lines go.
    inbound: &'a Sender<Inbound>,
    /// This connection's writer queue, for `PONG`s and keepalive `PING`s.
    replies: Sender<Outbound>,
    pinged: bool,
}

impl<'a> Reader<'a> {
    fn new(inbound: &'a Sender<Inbound>, replies: Sender<Outbound>) -> Self {
        Reader {
            inbound,
            replies,
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
                Ok(Some(ServerMessage::PreviewData {
                    conversation,
                    name,
                    size,
                })) => {
                    if size > MAX_PREVIEW_DATA {
                        warn!(size, "skipping a preview larger than a preview can be");
                        if let Err(e) = reader.skip_body(size) {
                            return e.to_string();
                        }
                        continue;
                    }
                    let mut data = Vec::new();
                    if let Err(e) = reader.body(size).read_to_end(&mut data) {
                        return e.to_string();
                    }
                    if let Err(e) = reader.finish_body() {
                        return e.to_string();
                    }
                    let data = Inbound::PreviewData {
                        conversation,
                        name,
                        data,
                    };
                    if self.inbound.send(data).is_err() {
                        return "the client is shutting down".to_owned();
                    }
                }
                Ok(Some(ServerMessage::Ping { token })) => {
                    self.pinged = false;
                    // Waits while the writer's queue is full: back-pressure
                    // on a server that pings faster than it reads.
                    if let Ok(line) = (ClientMessage::Pong { token }).to_line() {
                        let _ = self.replies.send(Outbound::line(line));
                    }
                }
                Ok(Some(message)) => {
                    self.pinged = false;
                    // Waits while the supervisor is busy: back-pressure.
                    if self.inbound.send(Inbound::Line(message)).is_err() {
                        return "the client is shutting down".to_owned();
                    }
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
                        let _ = self.replies.try_send(Outbound::line(line));
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
}
