//! The per-session outgoing queue, and how it reaches the socket.
//!
//! Fan-out only ever pushes into these queues under the hub's lock; a push
//! is a short critical section on the session's own mutex and never
//! touches the socket, so no socket write happens under the hub's lock and
//! one slow client cannot slow the room. The queue is bounded in bytes: a
//! push that would take it past the cap disconnects that session instead.
//!
//! After releasing the hub's lock, the pushing thread hands the queues it
//! made non-empty to the [`Flusher`]: a thread per core that writes their
//! lines to the sockets with non-blocking sends, everything a queue holds
//! in one `sendmsg`. A busy room thus gets more lines per system call
//! instead of more system calls, as an event loop would, and an idle or
//! chatting session costs one thread, not two. Only when a socket is full
//! (the client reads slowly), or a file is to be streamed, does the
//! session's own writer thread take over and write with blocking calls;
//! that thread is started the first time it is needed.
//!
//! A TLS session's lines are sealed by whichever thread owns its sending
//! side, flusher or writer, so they are encrypted in queue order; a
//! flusher sends the sealed batch without blocking and leaves what the
//! socket did not take to the writer thread, which sends it before
//! anything else. Closing a TLS session (close_notify) is the writer's.
//!
//! Order is kept because lines enter each queue in hub order and leave it
//! in that order: at any time at most one thread (a flusher or the writer)
//! owns the sending side, and a flusher that finds it owned leaves its
//! lines to the owner.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Shutdown as SocketShutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};

use media_chat_tls::{Sent, TlsWriter};
use parking_lot::{Condvar, Mutex};
use tracing::{debug, warn};

/// Stack size of a writer thread: it only copies bytes.
const WRITER_STACK: usize = 64 * 1024;

/// A writer thread with nothing to do for this long ends; the next
/// hand-over starts a new one. A session that has been slow once, or that
/// speaks TLS, thus does not keep a second thread for life.
const WRITER_IDLE_EXIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Chunk a download is encrypted in, for TLS sessions (plaintext uses
/// `sendfile`): big enough that each chunk fills several TLS records.
const TLS_FILE_CHUNK: usize = 256 * 1024;

/// Stop adding lines to one write once it holds this much.
const BATCH_LIMIT: usize = 64 * 1024;

/// Most lines in one `sendmsg` (Linux's `IOV_MAX`).
const MAX_IOV: usize = 1024;

/// Stack size of a flusher thread.
const FLUSHER_STACK: usize = 128 * 1024;

/// Queues flushed since the last trim before the first flusher considers
/// handing freed memory back to the system once the room goes quiet.
const TRIM_AFTER_FLUSHES: usize = 10_000;

/// How quiet the room must be (no flush for this long) before that trim.
const TRIM_WHEN_QUIET: std::time::Duration = std::time::Duration::from_secs(1);

/// One item in a session's queue.
enum Outgoing {
    /// Encoded line(s), shared between every session a broadcast reaches.
    Line(Arc<[u8]>),
    /// A `FILE_TRANSFER` header followed by a body streamed from disk.
    /// Boxed: a thousand queues holding a login wave's announcements pay
    /// for the largest variant in every slot.
    File(Box<FileTransfer>),
    /// Flush, then end the connection's sending side.
    Close,
}

/// A queued download.
struct FileTransfer {
    header: Vec<u8>,
    file: File,
    size: u64,
}

/// The sending side of a session's queue. Cloning is shallow.
#[derive(Clone)]
pub(crate) struct Outbox {
    shared: Arc<Shared>,
}

struct Shared {
    stream: TcpStream,
    /// The TLS writing half, for a TLS session; only the writer thread
    /// uses it.
    tls: Option<Mutex<TlsWriter>>,
    peer: String,
    cap: usize,
    state: Mutex<State>,
    /// Wakes the writer thread (`wanted`) and `finish` (`closed`).
    changed: Condvar,
    /// Wakes [`Outbox::send_paced`] when the queue drained.
    drained: Condvar,
    queued_downloads: AtomicUsize,
    dead: AtomicBool,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Outgoing>,
    /// Bytes of lines in `queue` (and in a write in progress).
    queued_bytes: usize,
    /// A thread is writing to the socket right now.
    writing: bool,
    /// The writer thread owns the sending side until the queue is empty.
    wanted: bool,
    /// The `Close` item was handled, or the connection died.
    closed: bool,
    /// The session is over: the writer thread should end.
    exit: bool,
    /// A thread waits in [`Outbox::send_paced`] for the queue to drain.
    space_wanted: bool,
    writer: Option<JoinHandle<()>>,
}

impl State {
    /// Frees a queue that grew during a burst once it is empty again, so
    /// a quiet session holds no queue memory.
    fn shrink_if_empty(&mut self) {
        if self.queue.is_empty() && self.queue.capacity() > 8 {
            self.queue = VecDeque::new();
        }
    }
}

/// Why a file could not be queued.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum QueueFileError {
    /// The session already has its quota of downloads waiting.
    TooManyDownloads,
    /// The session is being disconnected.
    Closed,
}

/// How far a non-blocking send got.
enum Progress {
    /// This many bytes of the lines went out.
    Sent(usize),
    /// A TLS session's lines were all sealed, but not all sealed bytes
    /// went out.
    SealedWaiting,
}

/// What the flusher should do next.
enum Step {
    /// Send these lines now.
    Send(Vec<Arc<[u8]>>, usize),
    /// Nothing left, or someone else owns the socket.
    Done,
}

impl Outbox {
    /// Creates the queue for `stream`, or for its TLS writing half.
    pub(crate) fn new(
        stream: &TcpStream,
        cap: usize,
        name: &str,
        tls: Option<TlsWriter>,
    ) -> io::Result<Outbox> {
        Ok(Outbox {
            shared: Arc::new(Shared {
                stream: stream.try_clone()?,
                tls: tls.map(Mutex::new),
                peer: name.to_owned(),
                cap,
                state: Mutex::new(State::default()),
                changed: Condvar::new(),
                drained: Condvar::new(),
                queued_downloads: AtomicUsize::new(0),
                dead: AtomicBool::new(false),
            }),
        })
    }

    /// Queues encoded line(s) without writing them. Returns whether the
    /// caller must [`Outbox::flush`] this queue once it holds no lock
    /// (the queue was idle); `false` when someone else will write them, or
    /// the session is gone or was just disconnected for falling behind.
    #[must_use]
    pub(crate) fn push(&self, line: Arc<[u8]>) -> bool {
        if self.is_dead() {
            return false;
        }
        let len = line.len();
        let mut state = self.shared.state.lock();
        if state.closed {
            return false;
        }
        if state.queued_bytes + len > self.shared.cap {
            let queued = state.queued_bytes;
            drop(state);
            self.disconnect_slow_reader(queued);
            return false;
        }
        let idle = state.queue.is_empty() && !state.writing && !state.wanted;
        state.queued_bytes += len;
        state.queue.push_back(Outgoing::Line(line));
        idle
    }

    /// Queues line(s) and writes them out at once if the socket is free.
    pub(crate) fn send(&self, line: Arc<[u8]>) {
        if self.push(line) {
            self.flush();
        }
    }

    /// Queues `line` once the queue is at most half full, waiting for the
    /// client to read (at most `patience` without progress), and writes it
    /// out. For long replies (a welcome with a thousand messages) that must
    /// not overflow the queue and need not arrive all at once. Returns
    /// false when the session is gone or the client did not read in time
    /// (then it is disconnected as a slow reader).
    pub(crate) fn send_paced(&self, line: Arc<[u8]>, patience: std::time::Duration) -> bool {
        let room = self.shared.cap / 2;
        let mut state = self.shared.state.lock();
        while state.queued_bytes > 0 && state.queued_bytes + line.len() > room {
            if state.closed || self.is_dead() {
                return false;
            }
            state.space_wanted = true;
            if self
                .shared
                .drained
                .wait_for(&mut state, patience)
                .timed_out()
            {
                let queued = state.queued_bytes;
                drop(state);
                self.disconnect_slow_reader(queued);
                return false;
            }
        }
        state.space_wanted = false;
        drop(state);
        self.send(line);
        !self.is_dead()
    }

    /// Queues `line` and writes it out without blocking if
    /// [`Outbox::send_paced`] would not have to wait for it (the queue is
    /// empty or stays at most half full); otherwise gives it back, for the
    /// caller to pace. For a login worker, which must not wait on a client
    /// but can send a welcome that fits: the thread that writes a line out
    /// is the one that frees it (see `logins`).
    pub(crate) fn send_if_room(&self, line: Arc<[u8]>) -> Result<(), Arc<[u8]>> {
        {
            let state = self.shared.state.lock();
            if state.queued_bytes > 0 && state.queued_bytes + line.len() > self.shared.cap / 2 {
                return Err(line);
            }
        }
        self.send(line);
        Ok(())
    }

    /// Writes what is queued with non-blocking sends, unless another
    /// thread owns the socket; hands over to the writer thread when the
    /// socket is full or a file or the close comes up. Never blocks on the
    /// network.
    pub(crate) fn flush(&self) {
        loop {
            match self.next_step() {
                Step::Done => return,
                Step::Send(lines, bytes) => {
                    let sent = match &self.shared.tls {
                        None => send_now(&self.shared.stream, &lines, bytes).map(Progress::Sent),
                        Some(tls) => self.seal_and_send(tls, &lines, bytes),
                    };
                    if !self.after_send(lines, bytes, sent) {
                        return;
                    }
                }
            }
        }
    }

    /// Takes the socket and the lines at the front of the queue, or says
    /// why not.
    fn next_step(&self) -> Step {
        let mut state = self.shared.state.lock();
        if state.writing || state.wanted || self.is_dead() {
            return Step::Done;
        }
        let mut lines = Vec::new();
        let mut bytes = 0;
        while bytes < BATCH_LIMIT {
            match state.queue.front() {
                Some(Outgoing::Line(line)) => {
                    bytes += line.len();
                    if let Some(Outgoing::Line(line)) = state.queue.pop_front() {
                        lines.push(line);
                    }
                }
                Some(Outgoing::Close) if lines.is_empty() && self.shared.tls.is_none() => {
                    // Nothing before it: ending the sending side does not
                    // block.
                    state.queue.pop_front();
                    let _ = self.shared.stream.shutdown(SocketShutdown::Write);
                    state.closed = true;
                    self.shared.changed.notify_all();
                    return Step::Done;
                }
                Some(_) if lines.is_empty() => {
                    self.hand_over(&mut state);
                    return Step::Done;
                }
                _ => break,
            }
        }
        if lines.is_empty() {
            state.shrink_if_empty();
            return Step::Done;
        }
        state.writing = true;
        Step::Send(lines, bytes)
    }

    /// Seals a TLS session's lines and sends them without blocking.
    fn seal_and_send(
        &self,
        tls: &Mutex<TlsWriter>,
        lines: &[Arc<[u8]>],
        bytes: usize,
    ) -> io::Result<Progress> {
        let send = |sealed: &[u8]| send_now(&self.shared.stream, &[sealed], sealed.len());
        Ok(match tls.lock().seal_and_try_send(lines, send)? {
            Sent::All => Progress::Sent(bytes),
            Sent::Partly => Progress::SealedWaiting,
            Sent::Busy => Progress::Sent(0),
        })
    }

    /// Accounts for a non-blocking send of `lines`; puts back what did not
    /// fit and hands over to the writer. Returns whether to go on flushing.
    fn after_send(&self, lines: Vec<Arc<[u8]>>, bytes: usize, sent: io::Result<Progress>) -> bool {
        let mut state = self.shared.state.lock();
        state.writing = false;
        match sent {
            Ok(Progress::Sent(n)) if n == bytes => {
                state.queued_bytes -= bytes;
                wake_pacer(&self.shared, &state);
                true
            }
            Ok(Progress::SealedWaiting) => {
                // The lines are sealed and out of the queue; the writer
                // sends the sealed rest before anything else.
                state.queued_bytes -= bytes;
                wake_pacer(&self.shared, &state);
                self.hand_over(&mut state);
                false
            }
            Ok(Progress::Sent(n)) => {
                // The socket is full: the rest goes first, via the writer.
                state.queued_bytes -= n;
                wake_pacer(&self.shared, &state);
                put_back(&mut state.queue, lines, n);
                self.hand_over(&mut state);
                false
            }
            Err(e) => {
                debug!(peer = %self.shared.peer, error = %e, "send failed");
                drop(state);
                self.kill();
                false
            }
        }
    }

    /// Makes the writer thread own the sending side, starting it if need be.
    fn hand_over(&self, state: &mut State) {
        state.wanted = true;
        if state.writer.is_none() {
            let shared = self.shared.clone();
            let spawned = thread::Builder::new()
                .name(format!("write-{}", self.shared.peer))
                .stack_size(WRITER_STACK)
                .spawn(move || write_loop(&shared));
            match spawned {
                Ok(handle) => state.writer = Some(handle),
                Err(e) => {
                    warn!(peer = %self.shared.peer, error = %e, "could not start a writer thread");
                    state.closed = true;
                    self.shared.dead.store(true, Ordering::Release);
                    let _ = self.shared.stream.shutdown(SocketShutdown::Both);
                }
            }
        }
        self.shared.changed.notify_all();
    }

    /// Queues a file transfer: `header`, then `size` bytes of `file`, then
    /// `\n`. The writer thread streams it.
    pub(crate) fn push_file(
        &self,
        header: Vec<u8>,
        file: File,
        size: u64,
        max_queued: usize,
    ) -> Result<(), QueueFileError> {
        if self.is_dead() {
            return Err(QueueFileError::Closed);
        }
        let before = self.shared.queued_downloads.fetch_add(1, Ordering::AcqRel);
        if before >= max_queued {
            self.shared.queued_downloads.fetch_sub(1, Ordering::AcqRel);
            return Err(QueueFileError::TooManyDownloads);
        }
        self.shared
            .state
            .lock()
            .queue
            .push_back(Outgoing::File(Box::new(FileTransfer {
                header,
                file,
                size,
            })));
        self.flush();
        Ok(())
    }

    /// Asks for what is queued to be written out, then the sending side
    /// ended (the client sees end of stream; the session closes the rest).
    pub(crate) fn close(&self) {
        self.shared.state.lock().queue.push_back(Outgoing::Close);
        self.flush();
    }

    /// Closes, waits until everything queued is written (or the connection
    /// died) and the writer thread, if one was started, has ended.
    pub(crate) fn finish(&self) {
        self.close();
        let writer = {
            let mut state = self.shared.state.lock();
            while !state.closed && !self.is_dead() {
                self.shared.changed.wait(&mut state);
            }
            state.exit = true;
            self.shared.changed.notify_all();
            state.writer.take()
        };
        if let Some(writer) = writer {
            let _ = writer.join();
        }
    }

    /// Ends the session from outside (a ban, a password reset, a sign-out
    /// from another session): `line` is sent after what is queued, then
    /// the connection closes; the session reads no further command.
    pub(crate) fn revoke(&self, line: Arc<[u8]>) {
        {
            let mut state = self.shared.state.lock();
            if !state.closed {
                state.queued_bytes += line.len();
                state.queue.push_back(Outgoing::Line(line));
            }
        }
        self.close();
        let _ = self.shared.stream.shutdown(SocketShutdown::Read);
    }

    /// Closes the connection at once, dropping whatever is queued.
    pub(crate) fn abort(&self) {
        self.kill();
    }

    /// Whether the session speaks TLS.
    pub(crate) fn is_tls(&self) -> bool {
        self.shared.tls.is_some()
    }

    /// Whether the session has been disconnected.
    pub(crate) fn is_dead(&self) -> bool {
        self.shared.dead.load(Ordering::Acquire)
    }

    fn kill(&self) {
        self.shared.dead.store(true, Ordering::Release);
        let _ = self.shared.stream.shutdown(SocketShutdown::Both);
        let mut state = self.shared.state.lock();
        state.closed = true;
        self.shared.changed.notify_all();
        self.shared.drained.notify_all();
    }

    fn disconnect_slow_reader(&self, queued: usize) {
        if !self.shared.dead.swap(true, Ordering::AcqRel) {
            warn!(
                peer = %self.shared.peer,
                queued,
                cap = self.shared.cap,
                "send queue overflowed (client stopped reading); disconnecting"
            );
        }
        self.kill();
    }
}

/// Wakes a thread waiting in [`Outbox::send_paced`], if any, now that the
/// queue holds fewer bytes.
fn wake_pacer(shared: &Shared, state: &State) {
    if state.space_wanted {
        shared.drained.notify_all();
    }
}

/// Sends `lines` (`bytes` in all) without blocking, with one `sendmsg`
/// per [`MAX_IOV`] lines. Returns how many bytes went out (less than
/// `bytes` when the socket is full).
#[cfg(target_os = "linux")]
fn send_now<B: AsRef<[u8]>>(stream: &TcpStream, lines: &[B], bytes: usize) -> io::Result<usize> {
    use std::os::fd::AsRawFd;

    let fd = stream.as_raw_fd();
    let flags = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
    let mut total = 0;
    for chunk in lines.chunks(MAX_IOV) {
        let mut iov: Vec<libc::iovec> = chunk
            .iter()
            .map(|line| libc::iovec {
                iov_base: line.as_ref().as_ptr() as *mut libc::c_void,
                iov_len: line.as_ref().len(),
            })
            .collect();
        let want: usize = chunk.iter().map(|line| line.as_ref().len()).sum();
        // SAFETY: a zeroed msghdr is valid; it points at `iov`, whose
        // entries point into `lines`, borrowed for the whole call.
        let n = unsafe {
            let mut msg: libc::msghdr = std::mem::zeroed();
            msg.msg_iov = iov.as_mut_ptr();
            msg.msg_iovlen = iov.len() as _;
            libc::sendmsg(fd, &msg, flags)
        };
        if n < 0 {
            let error = io::Error::last_os_error();
            return match error.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(total),
                _ => Err(error),
            };
        }
        total += n as usize;
        if (n as usize) < want {
            return Ok(total);
        }
    }
    debug_assert_eq!(total, bytes);
    Ok(total)
}

/// Elsewhere, every write goes through the writer thread.
#[cfg(not(target_os = "linux"))]
fn send_now<B: AsRef<[u8]>>(_stream: &TcpStream, _lines: &[B], _bytes: usize) -> io::Result<usize> {
    Ok(0)
}

/// The threads that write out queues after fan-out, one per core.
/// Dropping it stops them.
pub(crate) struct Flusher {
    shared: Arc<FlushQueue>,
    threads: Vec<JoinHandle<()>>,
}

struct FlushQueue {
    state: Mutex<FlushState>,
    wake: Condvar,
}

#[derive(Default)]
struct FlushState {
    queues: Vec<Outbox>,
    stop: bool,
}

impl Flusher {
    /// Starts one flusher thread per core. Without any (the threads could
    /// not be started), queues are flushed by the thread that filled them.
    pub(crate) fn start() -> Flusher {
        let shared = Arc::new(FlushQueue {
            state: Mutex::new(FlushState::default()),
            wake: Condvar::new(),
        });
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let mut threads = Vec::new();
        for i in 0..cores {
            let queue = shared.clone();
            let first = i == 0;
            match thread::Builder::new()
                .name(format!("flush-{i}"))
                .stack_size(FLUSHER_STACK)
                .spawn(move || flush_loop(&queue, first))
            {
                Ok(thread) => threads.push(thread),
                Err(e) => warn!(error = %e, "could not start a flusher thread"),
            }
        }
        Flusher { shared, threads }
    }

    /// Has `queues` (which pushes said need flushing) written out soon.
    pub(crate) fn schedule(&self, mut queues: Vec<Outbox>) {
        if queues.is_empty() {
            return;
        }
        if self.threads.is_empty() {
            queues.iter().for_each(Outbox::flush);
            return;
        }
        let mut state = self.shared.state.lock();
        let was_empty = state.queues.is_empty();
        state.queues.append(&mut queues);
        if was_empty {
            self.shared.wake.notify_one();
        }
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        self.shared.state.lock().stop = true;
        self.shared.wake.notify_all();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Takes everything scheduled since the last pass and flushes it; a queue
/// filled by several broadcasts meanwhile goes out in one write. The first
/// flusher also hands freed memory back after a burst (see
/// [`release_freed_memory`]).
fn flush_loop(queue: &FlushQueue, first: bool) {
    let mut batch = Vec::new();
    let mut busy_since_trim = 0usize;
    loop {
        {
            let mut state = queue.state.lock();
            while state.queues.is_empty() && !state.stop {
                if first && busy_since_trim >= TRIM_AFTER_FLUSHES {
                    if queue.wake.wait_for(&mut state, TRIM_WHEN_QUIET).timed_out() {
                        drop(state);
                        release_freed_memory();
                        busy_since_trim = 0;
                        state = queue.state.lock();
                    }
                } else {
                    queue.wake.wait(&mut state);
                }
            }
            if state.stop {
                return;
            }
            std::mem::swap(&mut batch, &mut state.queues);
        }
        busy_since_trim += batch.len();
        for outbox in batch.drain(..) {
            outbox.flush();
        }
    }
}

/// Returns the free pages of every malloc arena to the system. A burst
/// (a login wave, a flood) allocates and frees queue slots, welcome and
/// history lines across a thousand threads; glibc keeps what it freed in
/// its arenas, so without this an idle server stayed at the burst's
/// footprint (1000 idle users after a fast login wave: 35 MiB instead of
/// 28). Runs only after a quiet second that followed real work.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Puts the unsent part of `lines` (all but the first `sent` bytes) back at
/// the front of the queue, in order.
fn put_back(queue: &mut VecDeque<Outgoing>, lines: Vec<Arc<[u8]>>, mut sent: usize) {
    let mut rest = Vec::new();
    for line in lines {
        if sent >= line.len() {
            sent -= line.len();
        } else if sent > 0 {
            rest.push(Arc::from(&line[sent..]));
            sent = 0;
        } else {
            rest.push(line);
        }
    }
    for line in rest.into_iter().rev() {
        queue.push_front(Outgoing::Line(line));
    }
}

/// The writer thread: whenever it is handed the socket, drains the queue
/// with blocking writes (batching lines, streaming files), then gives the
/// socket back.
fn write_loop(shared: &Shared) {
    let mut batch = Vec::new();
    let mut state = shared.state.lock();
    loop {
        while !state.wanted && !state.exit {
            let idle = shared
                .changed
                .wait_for(&mut state, WRITER_IDLE_EXIT)
                .timed_out();
            if idle && !state.wanted && !state.exit {
                // Nothing to write for a while: give the thread (and its
                // stack) back; `hand_over` starts another when needed.
                state.writer = None;
                return;
            }
        }
        if state.exit {
            return;
        }
        state.writing = true;
        let item = state.queue.pop_front();
        let mut lines = 0;
        if let Some(Outgoing::Line(line)) = &item {
            batch.extend_from_slice(line);
            while batch.len() < BATCH_LIMIT {
                match state.queue.front() {
                    Some(Outgoing::Line(line)) => batch.extend_from_slice(line),
                    _ => break,
                }
                state.queue.pop_front();
            }
            lines = batch.len();
        }
        drop(state);
        let result = match item {
            // Handed over only to send what a flusher sealed but could not.
            None => shared.flush_pending().map(|()| true),
            Some(Outgoing::Line(_)) => shared.write_all(&batch).map(|()| true),
            Some(Outgoing::File(transfer)) => {
                let FileTransfer { header, file, size } = *transfer;
                let sent = send_file(shared, &header, file, size);
                shared.queued_downloads.fetch_sub(1, Ordering::AcqRel);
                sent.map(|()| true)
            }
            Some(Outgoing::Close) => {
                shared.end_sending();
                Ok(false)
            }
        };
        batch.clear();
        if batch.capacity() > BATCH_LIMIT {
            batch = Vec::new();
        }
        state = shared.state.lock();
        state.writing = false;
        state.queued_bytes -= lines;
        wake_pacer(shared, &state);
        match result {
            Ok(true) => {
                if state.queue.is_empty() {
                    // Back to the flushers.
                    state.wanted = false;
                    state.shrink_if_empty();
                }
            }
            Ok(false) => {
                state.wanted = false;
                state.closed = true;
                shared.changed.notify_all();
            }
            Err(error) => {
                debug!(peer = %shared.peer, %error, "writer stopped");
                shared.dead.store(true, Ordering::Release);
                let _ = shared.stream.shutdown(SocketShutdown::Both);
                state.wanted = false;
                state.closed = true;
                shared.changed.notify_all();
                shared.drained.notify_all();
            }
        }
    }
}

impl Shared {
    /// A blocking write, through TLS for a TLS session.
    fn write_all(&self, bytes: &[u8]) -> io::Result<()> {
        match &self.tls {
            Some(tls) => tls.lock().write_all(bytes),
            None => (&self.stream).write_all(bytes),
        }
    }

    /// Sends (blocking) TLS bytes a flusher sealed but could not send.
    fn flush_pending(&self) -> io::Result<()> {
        match &self.tls {
            Some(tls) => tls.lock().flush_pending(),
            None => Ok(()),
        }
    }

    /// Ends the sending side (after close_notify, for TLS).
    fn end_sending(&self) {
        match &self.tls {
            Some(tls) => {
                let _ = tls.lock().close();
            }
            None => {
                let _ = self.stream.shutdown(SocketShutdown::Write);
            }
        }
    }
}

fn send_file(shared: &Shared, header: &[u8], mut file: File, size: u64) -> io::Result<()> {
    shared.write_all(header)?;
    // Plaintext goes out with `sendfile`; TLS is encrypted in user space.
    let sent = match &shared.tls {
        Some(tls) => {
            let mut chunk = vec![0u8; TLS_FILE_CHUNK];
            let mut body = (&mut file).take(size);
            let mut sent = 0u64;
            loop {
                let n = body.read(&mut chunk)?;
                if n == 0 {
                    break sent;
                }
                tls.lock().write_all(&chunk[..n])?;
                sent += n as u64;
            }
        }
        None => io::copy(&mut file.take(size), &mut &shared.stream)?,
    };
    if sent != size {
        // The header promised `size` bytes; the peer cannot resynchronise.
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "stored file shrank while being sent",
        ));
    }
    shared.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_queue_slot_is_three_words() {
        assert_eq!(std::mem::size_of::<super::Outgoing>(), 24);
    }

    use std::io::{BufRead, BufReader};
    use std::net::TcpListener;
    use std::time::Duration;

    use super::*;

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (server, client)
    }

    #[test]
    fn lines_arrive_in_order_then_close() {
        let (server, client) = pair();
        let outbox = Outbox::new(&server, 1024, "t", None).unwrap();
        for i in 0..3 {
            outbox.send(Arc::from(format!("TEXT|a|{i}\n").into_bytes()));
        }
        outbox.finish();
        let lines: Vec<String> = BufReader::new(client).lines().map(Result::unwrap).collect();
        assert_eq!(lines, ["TEXT|a|0", "TEXT|a|1", "TEXT|a|2"]);
    }

    #[test]
    fn a_full_socket_hands_over_to_the_writer_in_order() {
        let (server, client) = pair();
        let outbox = Outbox::new(&server, 64 << 20, "w", None).unwrap();
        // Far more than the socket buffers hold while nobody reads.
        let count = 20_000;
        for i in 0..count {
            outbox.send(Arc::from(format!("TEXT|a|{i:0>200}\n").into_bytes()));
        }
        assert!(outbox.shared.state.lock().writer.is_some());
        let reader = thread::spawn(move || {
            BufReader::new(client)
                .lines()
                .map(Result::unwrap)
                .collect::<Vec<_>>()
        });
        outbox.finish();
        let lines = reader.join().unwrap();
        assert_eq!(lines.len(), count);
        for (i, line) in lines.iter().enumerate() {
            assert_eq!(line, &format!("TEXT|a|{i:0>200}"));
        }
    }

    #[test]
    fn pushing_while_owned_leaves_the_lines_to_the_owner() {
        let (server, client) = pair();
        let outbox = Outbox::new(&server, 1024, "o", None).unwrap();
        assert!(outbox.push(Arc::from(&b"PING|1\n"[..])));
        // Not flushed yet: the second push is the first pusher's to write.
        assert!(!outbox.push(Arc::from(&b"PING|2\n"[..])));
        outbox.flush();
        outbox.finish();
        let lines: Vec<String> = BufReader::new(client).lines().map(Result::unwrap).collect();
        assert_eq!(lines, ["PING|1", "PING|2"]);
        assert!(outbox.shared.state.lock().writer.is_none());
    }

    #[test]
    fn send_if_room_gives_back_what_pacing_would_wait_for() {
        let (server, client) = pair();
        let outbox = Outbox::new(&server, 1024, "r", None).unwrap();
        // Owned by this thread (pushed, not yet flushed): lines stay queued.
        assert!(outbox.push(Arc::from(vec![b'a'; 300])));
        // 300 + 200 bytes fit in half the queue; 300 + 200 + 100 do not.
        assert_eq!(outbox.send_if_room(Arc::from(vec![b'b'; 200])), Ok(()));
        let refused = outbox.send_if_room(Arc::from(vec![b'c'; 100]));
        assert_eq!(refused.unwrap_err()[..], [b'c'; 100]);
        outbox.flush();
        // Once written out, the queue has room again, even for a big line.
        let mut got = vec![0u8; 500];
        (&client).read_exact(&mut got).unwrap();
        assert_eq!(outbox.send_if_room(Arc::from(vec![b'd'; 900])), Ok(()));
        outbox.finish();
        let mut rest = Vec::new();
        (&client).read_to_end(&mut rest).unwrap();
        assert_eq!(rest, vec![b'd'; 900]);
    }

    #[test]
    fn overflow_disconnects_the_slow_reader() {
        let (server, client) = pair();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let outbox = Outbox::new(&server, 64 * 1024, "slow", None).unwrap();
        let line: Arc<[u8]> = Arc::from(vec![b'x'; 8 * 1024]);
        // The client never reads: socket buffers fill, then the queue does.
        let pushed = (0..10_000)
            .take_while(|_| {
                outbox.send(line.clone());
                !outbox.is_dead()
            })
            .count();
        assert!(pushed < 10_000, "queue never overflowed");
        assert!(outbox.is_dead());
        assert!(!outbox.push(line));
        outbox.finish();
        // The client sees the connection end after whatever was in flight.
        let mut sink = Vec::new();
        let _ = (&client).read_to_end(&mut sink);
    }

    #[test]
    fn download_quota_is_enforced() {
        let (server, _client) = pair();
        let outbox = Outbox::new(&server, 1024, "q", None).unwrap();
        // A big file the client never reads keeps the first download busy.
        let mut big = tempfile::NamedTempFile::new().unwrap();
        big.write_all(&vec![0u8; 8 * 1024 * 1024]).unwrap();
        let size = 8 * 1024 * 1024;
        // Each download reads through a handle of its own, as GET_FILE's do.
        let open = || File::open(big.path()).unwrap();
        assert_eq!(outbox.push_file(Vec::new(), open(), size, 2), Ok(()));
        assert_eq!(outbox.push_file(Vec::new(), open(), size, 2), Ok(()));
        assert_eq!(
            outbox.push_file(Vec::new(), open(), size, 2),
            Err(QueueFileError::TooManyDownloads)
        );
        outbox.abort();
        outbox.finish();
    }
}
