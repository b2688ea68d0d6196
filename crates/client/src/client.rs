//! [`Client`]: one logged-in user, its chat connection, its transfers.

use std::collections::HashMap;
use std::net::Shutdown;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, TrySendError, select};
use media_chat_protocol::rules::check_text;
use media_chat_protocol::{ClientMessage, EncodeLine};
use parking_lot::Mutex;

use crate::cache::{Cache, Cleared, default_cache_dir};
use crate::config::ClientConfig;
use crate::error::{CacheError, ConnectError, InputError, SendError, TransferError};
use crate::event::{Event, TransferId};
use crate::handshake;
use crate::input::{Input, parse_input};
use crate::link::{self, Link, Outbound, ReaderStart};
use crate::reconnect;
use crate::stop::Stop;
use crate::transfer::{self, UploadLimits};

/// How long [`Client::quit`] waits for the server to close the connection
/// (which proves it has read everything sent before `QUIT`).
const QUIT_TIMEOUT: Duration = Duration::from_secs(5);

/// Events waiting for the caller. A whole welcome (limits, the user list,
/// up to 100 history lines) fits many times over, so a login never waits
/// on the caller, and a chat at human speed never fills it. A flood does:
/// then the reader waits (see `link`), and at most this many events of at
/// most ~7 KiB of text each, under 8 MiB, are held.
const EVENT_QUEUE: usize = 1024;

/// A logged-in user: send with the methods, receive from
/// [`Client::events`]. No method blocks on the network.
pub struct Client {
    shared: Arc<Shared>,
    events: Receiver<Event>,
}

/// State shared by the client's threads.
pub(crate) struct Shared {
    pub(crate) config: ClientConfig,
    pub(crate) cache: Cache,
    event_tx: Sender<Event>,
    /// The chat connection. Installing one and [`Client::quit`] looking
    /// for one both happen under this lock, after checking and setting
    /// `stop` respectively, so no connection is installed behind quit.
    link: Mutex<Option<Link>>,
    user: Mutex<String>,
    limits: Mutex<UploadLimits>,
    pub(crate) transfers: Mutex<HashMap<TransferId, transfer::Handle>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    next_transfer: AtomicU64,
    generation: AtomicU64,
    reconnecting: AtomicBool,
    /// Quit: the flag, and the socket of a chat handshake under way.
    stop: Stop,
    /// Never sent on; dropped when quit begins, which wakes every wait on
    /// `closed` at once (the reconnect backoff, a full event queue).
    closing: Mutex<Option<Sender<()>>>,
    closed: Receiver<()>,
}

impl Client {
    /// Connects, logs in (registering the name if it is new and the server
    /// allows it) and starts the connection's threads. The first event is
    /// [`Event::LoggedIn`].
    pub fn connect(config: ClientConfig) -> Result<Client, ConnectError> {
        let cache_dir = config
            .cache_dir
            .clone()
            .or_else(default_cache_dir)
            .unwrap_or_else(|| PathBuf::from("client_downloads"));
        let (event_tx, events) = crossbeam_channel::bounded(EVENT_QUEUE);
        let (closing, closed) = crossbeam_channel::bounded(0);
        let shared = Arc::new(Shared {
            cache: Cache::new(cache_dir),
            user: Mutex::new(config.user.clone()),
            config,
            event_tx,
            link: Mutex::new(None),
            limits: Mutex::new(UploadLimits::default()),
            transfers: Mutex::new(HashMap::new()),
            threads: Mutex::new(Vec::new()),
            next_transfer: AtomicU64::new(1),
            generation: AtomicU64::new(0),
            reconnecting: AtomicBool::new(false),
            stop: Stop::default(),
            closing: Mutex::new(Some(closing)),
            closed,
        });
        Shared::establish(&shared)?;
        Ok(Client { shared, events })
    }

    /// Where events arrive, in the order they happened. The queue is
    /// bounded: while it is full the client stops reading from the server
    /// (which in the end drops a client that never catches up), but no
    /// event is lost.
    pub fn events(&self) -> &Receiver<Event> {
        &self.events
    }

    /// The name as registered on the server.
    pub fn user(&self) -> String {
        self.shared.user.lock().clone()
    }

    /// The download cache directory.
    pub fn cache_dir(&self) -> &Path {
        self.shared.cache.dir()
    }

    /// Whether the chat connection is up.
    pub fn is_connected(&self) -> bool {
        self.shared.link.lock().is_some()
    }

    /// Sends a line as typed: `@user text` or `/dm user text` privately,
    /// anything else publicly. Returns what was sent, so the caller can show
    /// it (`[Me] …` or `[PM → user] …`).
    pub fn send_input(&self, line: &str) -> Result<Input, SendError> {
        let input = parse_input(line)?;
        match &input {
            Input::Public(text) => self.send_text(text)?,
            Input::Direct { to, text } => self.send_dm(to, text)?,
        }
        Ok(input)
    }

    /// Sends a public message.
    pub fn send_text(&self, text: &str) -> Result<(), SendError> {
        check_text(text).map_err(InputError::from)?;
        self.shared.send(&ClientMessage::Text {
            text: text.to_owned(),
        })
    }

    /// Sends a private message to every session of `to`.
    pub fn send_dm(&self, to: &str, text: &str) -> Result<(), SendError> {
        check_text(text).map_err(InputError::from)?;
        if to.is_empty() || to.contains(['|', '\n', '\r']) {
            return Err(InputError::MissingMessage.into());
        }
        self.shared.send(&ClientMessage::Dm {
            to: to.to_owned(),
            text: text.to_owned(),
        })
    }

    /// Asks for the list of stored files; it arrives as [`Event::FileList`].
    pub fn list_files(&self) -> Result<(), SendError> {
        self.shared.send(&ClientMessage::ListFiles)
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
        let limits = self.shared.limits.lock().clone();
        transfer::start_upload(&self.shared, path.as_ref(), &limits)
    }

    /// Downloads a stored file into the cache, verifying its SHA-256; ends
    /// with [`Event::Downloaded`] or [`Event::TransferFailed`].
    pub fn get_file(&self, name: &str) -> Result<TransferId, TransferError> {
        if !self.is_connected() {
            return Err(TransferError::NotConnected);
        }
        transfer::start_download(&self.shared, name)
    }

    /// Cancels a transfer; it ends with [`Event::TransferCancelled`].
    pub fn cancel(&self, id: TransferId) {
        if let Some(handle) = self.shared.transfers.lock().get(&id) {
            handle.cancel();
        }
    }

    /// How many transfers are still running.
    pub fn active_transfers(&self) -> usize {
        self.shared.transfers.lock().len()
    }

    /// Opens a file with the system's viewer, off the caller's thread. A
    /// failure (no desktop, say) arrives as [`Event::OpenFailed`].
    pub fn open(&self, path: impl Into<PathBuf>) {
        let path = path.into();
        let shared = self.shared.clone();
        let spawned = thread::Builder::new().name("open".into()).spawn(move || {
            if let Err(e) = open::that_detached(&path) {
                shared.emit(Event::OpenFailed {
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
        Ok(self.shared.cache.clear()?)
    }

    /// Deletes every finished download in the cache on a thread of its
    /// own, for a caller that must not wait on the disk; the outcome
    /// arrives as [`Event::CacheCleared`] or [`Event::CacheNotCleared`].
    pub fn clear_cache_in_background(&self) {
        let shared = self.shared.clone();
        let spawned = thread::Builder::new()
            .name("clear-cache".into())
            .spawn(move || {
                shared.emit(match shared.cache.clear() {
                    Ok(cleared) => Event::CacheCleared { cleared },
                    Err(e) => Event::CacheNotCleared {
                        reason: CacheError(e).to_string(),
                    },
                })
            });
        match spawned {
            Ok(thread) => self.shared.keep_thread(thread),
            Err(e) => self.shared.emit(Event::CacheNotCleared {
                reason: format!("cannot clear the download cache: no thread for it: {e}"),
            }),
        }
    }

    /// Starts reconnecting with backoff if the connection is down (it is
    /// done by itself when [`ClientConfig::auto_reconnect`] is set).
    pub fn reconnect(&self) {
        if !self.is_connected() {
            reconnect::spawn(&self.shared);
        }
    }

    /// Logs out: cancels running transfers, sends `QUIT` after everything
    /// already queued, waits (a few seconds at most) for the server to
    /// close the connection, and ends every thread of the client, a
    /// reconnect under way included. Once it returns, nothing of this
    /// client is logged in, and [`Client::events`] disconnects when the
    /// events still queued have been taken. A caller that must not wait
    /// (a window) calls it on a thread of its own.
    pub fn quit(self) {
        self.shared.shut_down();
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.shared.shut_down();
    }
}

impl Shared {
    /// Connects and logs in, then starts the writer and reader threads.
    pub(crate) fn establish(shared: &Arc<Shared>) -> Result<(), ConnectError> {
        let connection = handshake::open(&shared.config, |socket| shared.stop.watch(socket))?;
        let mut link = shared.link.lock();
        // From here on quit finds this connection in `link`, and says
        // QUIT on it, or has already begun and it is dropped here.
        shared.stop.unwatch();
        if shared.is_closing() {
            return Err(ConnectError::Refused(
                "the client is shutting down".to_owned(),
            ));
        }
        let generation = shared.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let socket = connection.socket().try_clone()?;
        let (tx, writer) = link::spawn_writer(connection.writer, generation)?;
        let (done, reader_done) = crossbeam_channel::bounded(0);
        *shared.user.lock() = connection.user.clone();
        let start = ReaderStart {
            reader: connection.reader,
            user: connection.user,
            generation,
            replies: tx.clone(),
            done,
        };
        let reader = link::spawn_reader(shared.clone(), start)?;
        *link = Some(Link {
            tx,
            socket,
            generation,
            reader_done,
        });
        // Kept before the lock is released, so quit joins them.
        let mut threads = shared.threads.lock();
        threads.retain(|thread| !thread.is_finished());
        threads.extend([writer, reader]);
        Ok(())
    }

    /// Queues an event for the caller and wakes it. While the queue is
    /// full this waits for the caller to take events, unless quit begins:
    /// then nobody is reading, and the event is dropped.
    pub(crate) fn emit(&self, event: Event) {
        let queued = match self.event_tx.try_send(event) {
            Ok(()) => true,
            Err(TrySendError::Full(event)) => select! {
                send(self.event_tx, event) -> sent => sent.is_ok(),
                recv(self.closed) -> _ => false,
            },
            Err(TrySendError::Disconnected(_)) => false,
        };
        if queued && let Some(wake) = &self.config.waker {
            wake();
        }
    }

    /// Queues a message for the chat connection, without waiting.
    pub(crate) fn send(&self, message: &ClientMessage) -> Result<(), SendError> {
        let line = message.to_line().map_err(SendError::Unsendable)?;
        let link = self.link.lock();
        let link = link.as_ref().ok_or(SendError::NotConnected)?;
        link.tx.try_send(Outbound::Line(line)).map_err(|e| match e {
            TrySendError::Full(_) => SendError::Congested,
            TrySendError::Disconnected(_) => SendError::NotConnected,
        })
    }

    /// Records the server's upload limits.
    pub(crate) fn set_limits(&self, max_file_size: u64, allowed_extensions: &[String]) {
        *self.limits.lock() = UploadLimits {
            max_file_size,
            allowed_extensions: allowed_extensions.to_vec(),
        };
    }

    /// The logged-in user's registered name.
    pub(crate) fn user(&self) -> String {
        self.user.lock().clone()
    }

    /// A fresh transfer id.
    pub(crate) fn next_transfer_id(&self) -> TransferId {
        self.next_transfer.fetch_add(1, Ordering::Relaxed)
    }

    /// Whether [`Client::quit`] has begun.
    pub(crate) fn is_closing(&self) -> bool {
        self.stop.is_requested()
    }

    /// Waits `delay` unless the client is shutting down first; returns
    /// whether it is.
    pub(crate) fn wait_unless_closing(&self, delay: Duration) -> bool {
        let _ = self.closed.recv_timeout(delay);
        self.is_closing()
    }

    /// Marks the reconnect loop as running; false if one already is.
    pub(crate) fn start_reconnecting(&self) -> bool {
        !self.reconnecting.swap(true, Ordering::SeqCst)
    }

    /// Marks the reconnect loop as finished.
    pub(crate) fn stop_reconnecting(&self) {
        self.reconnecting.store(false, Ordering::SeqCst);
    }

    /// Remembers a thread to join at shutdown.
    pub(crate) fn keep_thread(&self, thread: JoinHandle<()>) {
        self.threads.lock().push(thread);
    }

    /// Called by the reader thread when connection `generation` ends.
    pub(crate) fn link_lost(self: &Arc<Self>, generation: u64, reason: String) {
        {
            let mut link = self.link.lock();
            if link.as_ref().is_some_and(|l| l.generation == generation)
                && let Some(lost) = link.take()
            {
                let _ = lost.socket.shutdown(Shutdown::Both);
            }
        }
        if self.is_closing() {
            return;
        }
        self.emit(Event::Disconnected { reason });
        if self.config.auto_reconnect {
            reconnect::spawn(self);
        }
    }

    fn shut_down(&self) {
        // Closes a chat handshake under way; `establish` checks the flag
        // under the link lock, taken below, so it installs nothing later.
        if !self.stop.request() {
            return;
        }
        drop(self.closing.lock().take());
        let transfers: Vec<transfer::Handle> =
            self.transfers.lock().drain().map(|(_, h)| h).collect();
        for handle in &transfers {
            handle.cancel();
        }
        let link = self.link.lock().take();
        if let Some(link) = link {
            // The server closes the connection once it has read QUIT, and
            // so everything before it: wait for that, within reason. A
            // full queue means the server is not reading at all.
            if link.tx.try_send(Outbound::Quit).is_ok() {
                let _ = link.reader_done.recv_timeout(QUIT_TIMEOUT);
            }
            let _ = link.socket.shutdown(Shutdown::Both);
        }
        for handle in transfers {
            handle.join();
        }
        // A thread being joined may start another (a reader that lost its
        // connection starts the reconnect loop, which ends at once):
        // join until none is left.
        loop {
            let threads = std::mem::take(&mut *self.threads.lock());
            if threads.is_empty() {
                break;
            }
            for thread in threads {
                let _ = thread.join();
            }
        }
    }
}
