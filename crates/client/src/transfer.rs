//! Uploads and downloads, each on a connection of its own.
//!
//! A transfer runs on a fresh connection, so the chat connection stays
//! live both ways while megabytes move, and cancelling is closing that
//! connection: the server then drops the partial upload. On a version 3
//! server the transfer logs in with a single-use token the chat
//! connection asks for (`TRANSFER_TOKEN`): no second password check, no
//! welcome, and the connection stays out of the chat (nobody sees it join
//! or leave, it gets no broadcasts). A version 2 server has no tokens: the
//! transfer logs in with the password and skips the welcome.
//!
//! Uploads are hashed before sending (the header carries the SHA-256);
//! downloads are hashed while written to a temporary file in the cache and
//! only renamed to their name when the hash matches. A transfer sees
//! nothing of the client but its [`Context`]: settings, the cache, where
//! tokens come from and the event sink.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, select};
use media_chat_protocol::content::ContentCheck;
use media_chat_protocol::rules::{file_extension, normalize_file_name};
use media_chat_protocol::{
    ClientMessage, Conversation, EventBody, EventLine, ServerMessage, Sha256Digest,
};
use parking_lot::Mutex;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::cache::Cache;
use crate::config::ClientConfig;
use crate::error::{ConnectError, TransferError};
use crate::event::{Direction, Event, TransferId};
use crate::handshake::{self, Connection, Login};
use crate::sink::EventSink;
use crate::stop::Stop;
use crate::supervisor::Command;

/// Copy buffer size.
const CHUNK: usize = 64 * 1024;

/// At most this many progress events per second per transfer.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(50);

/// Longest wait for the server's answer during a transfer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// The limits uploads are checked against before sending: the server's
/// `LIMITS` line, or the seed's defaults until it arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UploadLimits {
    pub(crate) max_file_size: u64,
    pub(crate) allowed_extensions: Vec<String>,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits {
            max_file_size: 10 * 1024 * 1024,
            allowed_extensions: ["jpg", "png", "gif", "mp3", "wav", "txt", "pdf"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// What every transfer shares: how to connect, where downloads go, where
/// tokens come from and where events go.
pub(crate) struct Context {
    /// The server and the login (the password only for version 2).
    pub(crate) config: ClientConfig,
    /// The download cache.
    pub(crate) cache: Cache,
    /// Where progress and outcomes go.
    pub(crate) sink: EventSink,
    /// The supervisor, asked for transfer tokens.
    pub(crate) commands: Sender<Command>,
    /// The running transfers.
    pub(crate) running: Mutex<HashMap<TransferId, Handle>>,
    next_id: AtomicU64,
}

impl Context {
    /// A context with no transfer running yet.
    pub(crate) fn new(
        config: ClientConfig,
        cache: Cache,
        sink: EventSink,
        commands: Sender<Command>,
    ) -> Self {
        Context {
            config,
            cache,
            sink,
            commands,
            running: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
        }
    }

    /// Asks the chat connection for a transfer token: `None` when the
    /// server speaks version 2 (log in with the password instead).
    fn token(&self, stop: &Stop) -> Result<Option<String>, Failure> {
        let (reply, answer) = crossbeam_channel::bounded(1);
        self.commands
            .send(Command::TransferToken(reply))
            .map_err(|_| Failure::Refused("the client is shutting down".to_owned()))?;
        select! {
            recv(answer) -> token => match token {
                Ok(Ok(token)) => Ok(token),
                Ok(Err(reason)) => Err(Failure::Refused(format!("no transfer token: {reason}"))),
                Err(_) => Err(Failure::Refused(
                    "the chat connection was lost before the transfer could start".to_owned(),
                )),
            },
            recv(stop.woken()) -> _ => Err(Failure::Cancelled),
            recv(crossbeam_channel::after(ANSWER_TIMEOUT)) -> _ => Err(Failure::Refused(
                "the server did not give a transfer token in time".to_owned(),
            )),
        }
    }
}

/// A running transfer: how to stop it, and its thread.
pub(crate) struct Handle {
    stop: Arc<Stop>,
    thread: Option<JoinHandle<()>>,
}

impl Handle {
    /// Stops the transfer: it ends with `TransferCancelled`.
    pub(crate) fn cancel(&self) {
        self.stop.request();
    }

    /// Waits for the transfer thread to end.
    pub(crate) fn join(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Why a transfer did not complete.
#[derive(Debug, Error)]
enum Failure {
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Connect(#[from] ConnectError),
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Corrupt(String),
}

/// Checks a file against `limits` and starts uploading it, shared into
/// `conversation` (`None`: `#general`, as in version 2).
pub(crate) fn start_upload(
    context: &Arc<Context>,
    path: &Path,
    limits: &UploadLimits,
    conversation: Option<Conversation>,
) -> Result<TransferId, TransferError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|source| TransferError::Io {
        path: shown.clone(),
        source,
    })?;
    if !meta.is_file() {
        return Err(TransferError::NotAFile(shown));
    }
    let raw_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = normalize_file_name(&raw_name)?;
    let allowed = || limits.allowed_extensions.join(", ");
    match file_extension(&name) {
        Some(extension) if limits.allowed_extensions.contains(&extension) => {}
        Some(extension) => {
            return Err(TransferError::TypeNotAllowed {
                extension: format!(".{extension}"),
                allowed: allowed(),
            });
        }
        None => {
            return Err(TransferError::TypeNotAllowed {
                extension: "no extension".to_owned(),
                allowed: allowed(),
            });
        }
    }
    if meta.len() > limits.max_file_size {
        return Err(TransferError::TooLarge {
            size: meta.len(),
            max: limits.max_file_size,
        });
    }
    let path = path.to_path_buf();
    let size = meta.len();
    Ok(spawn(context, Direction::Upload, name, move |run| {
        run.upload(&path, size, conversation)
    }))
}

/// Starts downloading the stored file `name` of `conversation` (`None`:
/// `#general`'s, as in version 2).
pub(crate) fn start_download(
    context: &Arc<Context>,
    name: &str,
    conversation: Option<Conversation>,
) -> Result<TransferId, TransferError> {
    let name = normalize_file_name(name)?;
    Ok(spawn(context, Direction::Download, name, move |run| {
        run.download(conversation)
    }))
}

/// How a transfer names its conversation: version 3 names any but
/// `#general`, whose files the version 2 lines reach.
fn named(conversation: Option<Conversation>, version: u64) -> Option<Conversation> {
    conversation.filter(|c| version >= 3 && !c.is_general())
}

fn spawn(
    context: &Arc<Context>,
    direction: Direction,
    name: String,
    work: impl FnOnce(&mut Run) -> Result<Event, Failure> + Send + 'static,
) -> TransferId {
    let id = context.next_id.fetch_add(1, Ordering::Relaxed);
    let stop = Arc::new(Stop::default());
    let mut run = Run {
        context: context.clone(),
        id,
        direction,
        name,
        stop: stop.clone(),
        last_progress: None,
    };
    // Registered before the thread starts, so it can always remove itself.
    let mut transfers = context.running.lock();
    let spawned = thread::Builder::new()
        .name(format!("transfer-{id}"))
        .spawn(move || {
            let outcome = work(&mut run);
            run.context.running.lock().remove(&run.id);
            run.finish(outcome);
        });
    match spawned {
        Ok(thread) => {
            transfers.insert(
                id,
                Handle {
                    stop,
                    thread: Some(thread),
                },
            );
        }
        Err(e) => {
            drop(transfers);
            context.sink.emit(Event::TransferFailed {
                id,
                direction,
                name: String::new(),
                reason: format!("cannot start the transfer: {e}"),
            });
        }
    }
    id
}

/// One transfer's thread state.
struct Run {
    context: Arc<Context>,
    id: TransferId,
    direction: Direction,
    name: String,
    stop: Arc<Stop>,
    last_progress: Option<Instant>,
}

impl Run {
    fn upload(
        &mut self,
        path: &Path,
        size: u64,
        conversation: Option<Conversation>,
    ) -> Result<Event, Failure> {
        let sha256 = self.hash_file(path, size)?;
        let mut connection = self.connect()?;
        let me = connection.user.clone();
        let header = match named(conversation, connection.version) {
            Some(conversation) => ClientMessage::Upload {
                conversation,
                name: self.name.clone(),
                size,
                sha256,
            },
            None => ClientMessage::File {
                name: self.name.clone(),
                size,
                sha256,
            },
        };
        handshake::send(&mut connection.writer, &header)?;
        loop {
            match handshake::next(&mut connection.reader)? {
                ServerMessage::FileReady { .. } => break,
                ServerMessage::Error { reason } => return Err(Failure::Refused(reason)),
                other => self.answer_ping(&mut connection, other)?,
            }
        }
        let mut file = File::open(path)?;
        let mut buf = vec![0u8; CHUNK];
        let mut sent = 0u64;
        while sent < size {
            self.check_stop()?;
            let want = usize::try_from(size - sent).map_or(CHUNK, |left| left.min(CHUNK));
            let n = file.read(&mut buf[..want])?;
            if n == 0 {
                let _ = connection.socket().shutdown(Shutdown::Both);
                return Err(Failure::Corrupt(
                    "the file shrank while it was being sent".to_owned(),
                ));
            }
            connection.writer.write_all(&buf[..n])?;
            sent += n as u64;
            self.progress(sent, size);
        }
        connection.writer.write_all(b"\n")?;
        loop {
            let shared = match handshake::next(&mut connection.reader)? {
                ServerMessage::FileShared {
                    user,
                    name,
                    size,
                    sha256,
                }
                | ServerMessage::Event(EventLine {
                    body:
                        EventBody::File {
                            user,
                            name,
                            size,
                            sha256,
                        },
                    ..
                }) => Some((user, name, size, sha256)),
                ServerMessage::Error { reason } => return Err(Failure::Refused(reason)),
                other => {
                    self.answer_ping(&mut connection, other)?;
                    None
                }
            };
            match shared {
                Some((user, name, size, stored)) if stored == sha256 && user == me => {
                    let _ = handshake::send(&mut connection.writer, &ClientMessage::Quit);
                    return Ok(Event::Uploaded {
                        id: self.id,
                        name,
                        size,
                    });
                }
                _ => {}
            }
        }
    }

    fn download(&mut self, conversation: Option<Conversation>) -> Result<Event, Failure> {
        let mut connection = self.connect()?;
        let ask = match named(conversation, connection.version) {
            Some(conversation) => ClientMessage::Download {
                conversation,
                name: self.name.clone(),
            },
            None => ClientMessage::GetFile {
                name: self.name.clone(),
            },
        };
        handshake::send(&mut connection.writer, &ask)?;
        let (name, size, expected) = loop {
            match handshake::next(&mut connection.reader)? {
                ServerMessage::FileTransfer { name, size, sha256 } => break (name, size, sha256),
                ServerMessage::Error { reason } => return Err(Failure::Refused(reason)),
                other => self.answer_ping(&mut connection, other)?,
            }
        };
        // Never trust a path from the server: the file is saved under the
        // name asked for, which was checked, and must be the one sent.
        if normalize_file_name(&name).as_deref() != Ok(self.name.as_str()) {
            return Err(Failure::Corrupt(format!(
                "the server sent {name:?} instead of {:?}",
                self.name
            )));
        }
        let name = self.name.clone();
        let expected = expected.ok_or_else(|| {
            Failure::Corrupt("the server sent no SHA-256 to verify against".to_owned())
        })?;
        let mut download = self.context.cache.begin()?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        let mut received = 0u64;
        {
            let mut body = connection.reader.body(size);
            while received < size {
                self.check_stop()?;
                let n = body.read(&mut buf)?;
                if n == 0 {
                    return Err(Failure::Io(io::ErrorKind::UnexpectedEof.into()));
                }
                hasher.update(&buf[..n]);
                download.write_all(&buf[..n])?;
                received += n as u64;
                self.progress(received, size);
            }
        }
        connection
            .reader
            .finish_body()
            .map_err(|e| Failure::Corrupt(e.to_string()))?;
        let _ = handshake::send(&mut connection.writer, &ClientMessage::Quit);
        if Sha256Digest(hasher.finalize().into()) != expected {
            // Dropping `download` deletes it: nothing corrupt stays behind.
            return Err(Failure::Corrupt(
                "SHA-256 mismatch: the download was damaged and has been discarded".to_owned(),
            ));
        }
        download.as_file().sync_all()?;
        let path: PathBuf = self.context.cache.keep(download, &name)?;
        Ok(Event::Downloaded {
            id: self.id,
            name,
            path,
        })
    }

    fn connect(&self) -> Result<Connection, Failure> {
        let token = self.context.token(&self.stop)?;
        let login = match &token {
            Some(token) => Login::Transfer { token },
            None => Login::TransferWithPassword,
        };
        // Watched from the TCP connect on, so a cancel also ends a
        // handshake the server never answers.
        let mut connection = handshake::open(&self.context.config, login, |socket| {
            self.stop.watch(socket)
        })?;
        connection.socket().set_read_timeout(Some(ANSWER_TIMEOUT))?;
        connection
            .socket()
            .set_write_timeout(Some(ANSWER_TIMEOUT))?;
        if token.is_none() || connection.version < 3 {
            // Logged in with the password: a welcome to skip.
            handshake::skip_welcome(&mut connection)?;
        }
        Ok(connection)
    }

    /// The file's hash, read once; refused before anything is sent when
    /// its contents are not what its name says (the server would refuse
    /// it after the whole body).
    fn hash_file(&mut self, path: &Path, size: u64) -> Result<Sha256Digest, Failure> {
        let mut file = File::open(path)?;
        let extension = file_extension(&self.name).unwrap_or_default();
        let mut content = ContentCheck::new(&extension);
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        let mut total = 0u64;
        loop {
            self.check_stop()?;
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            content.feed(&buf[..n]);
            total += n as u64;
        }
        if total != size {
            return Err(Failure::Corrupt(
                "the file changed while it was being read".to_owned(),
            ));
        }
        if !content.finish() {
            return Err(Failure::Refused(format!(
                "its contents are not a .{extension} file"
            )));
        }
        Ok(Sha256Digest(hasher.finalize().into()))
    }

    fn answer_ping(
        &self,
        connection: &mut Connection,
        message: ServerMessage,
    ) -> Result<(), Failure> {
        if let ServerMessage::Ping { token } = message {
            handshake::send(&mut connection.writer, &ClientMessage::Pong { token })?;
        }
        Ok(())
    }

    /// `Cancelled` once a stop was asked for. The stop also closed the
    /// socket: mid-body, that makes the server drop the partial upload.
    fn check_stop(&self) -> Result<(), Failure> {
        if self.stop.is_requested() {
            return Err(Failure::Cancelled);
        }
        Ok(())
    }

    fn progress(&mut self, done: u64, total: u64) {
        let due = self
            .last_progress
            .is_none_or(|last| last.elapsed() >= PROGRESS_INTERVAL);
        if due || done == total {
            self.last_progress = Some(Instant::now());
            self.context.sink.emit(Event::Progress {
                id: self.id,
                direction: self.direction,
                name: self.name.clone(),
                done,
                total,
            });
        }
    }

    fn finish(&self, outcome: Result<Event, Failure>) {
        let event = match outcome {
            Ok(event) => event,
            // Whatever broke after a stop (a read or write on the socket the
            // stop closed) is the cancel.
            Err(_) if self.stop.is_requested() => Event::TransferCancelled {
                id: self.id,
                direction: self.direction,
                name: self.name.clone(),
            },
            Err(failure) => Event::TransferFailed {
                id: self.id,
                direction: self.direction,
                name: self.name.clone(),
                reason: failure.to_string(),
            },
        };
        self.context.sink.emit(event);
    }
}
