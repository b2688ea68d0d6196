//! The per-session outgoing queue and the writer thread that drains it.
//!
//! Fan-out only ever pushes into these queues, which never blocks, so no
//! socket write happens under the hub's lock and one slow client cannot slow
//! the room. The queue is bounded in bytes rather than in items (an array
//! channel preallocates its slots, too costly across a thousand idle
//! sessions): a push that would take it past the cap disconnects that
//! session instead. The writer batches everything queued into one write per
//! wake-up and streams file bodies from disk with `io::copy`, which Linux
//! turns into `sendfile`.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Shutdown as SocketShutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Sender};
use tracing::{debug, warn};

/// Stack size of a writer thread: it only copies bytes.
const WRITER_STACK: usize = 128 * 1024;

/// Stop adding lines to a batch once it holds this much.
const BATCH_LIMIT: usize = 64 * 1024;

/// A batch buffer larger than this is freed while the writer waits, so an
/// idle session holds no buffer.
const IDLE_BUFFER_LIMIT: usize = 8 * 1024;

/// One item in a session's queue.
enum Outgoing {
    /// Encoded line(s), shared between every session a broadcast reaches.
    Line(Arc<[u8]>),
    /// A `FILE_TRANSFER` header followed by a body streamed from disk.
    File {
        header: Vec<u8>,
        file: File,
        size: u64,
    },
    /// Flush, then end the connection's sending side.
    Close,
}

/// The sending side of a session's queue. Cloning is shallow.
#[derive(Clone)]
pub(crate) struct Outbox {
    tx: Sender<Outgoing>,
    shared: Arc<Shared>,
}

struct Shared {
    stream: TcpStream,
    peer: String,
    cap: usize,
    queued_bytes: AtomicUsize,
    queued_downloads: AtomicUsize,
    dead: AtomicBool,
}

/// Why a file could not be queued.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum QueueFileError {
    /// The session already has its quota of downloads waiting.
    TooManyDownloads,
    /// The session is being disconnected.
    Closed,
}

impl Outbox {
    /// Creates the queue for `stream` and starts its writer thread.
    pub(crate) fn start(
        stream: &TcpStream,
        cap: usize,
        name: &str,
    ) -> io::Result<(Outbox, JoinHandle<()>)> {
        let (tx, rx) = crossbeam_channel::unbounded();
        let shared = Arc::new(Shared {
            stream: stream.try_clone()?,
            peer: name.to_owned(),
            cap,
            queued_bytes: AtomicUsize::new(0),
            queued_downloads: AtomicUsize::new(0),
            dead: AtomicBool::new(false),
        });
        let writer_stream = stream.try_clone()?;
        let writer_shared = shared.clone();
        let writer = thread::Builder::new()
            .name(format!("write-{name}"))
            .stack_size(WRITER_STACK)
            .spawn(move || write_loop(writer_stream, rx, writer_shared))?;
        Ok((Outbox { tx, shared }, writer))
    }

    /// Queues encoded line(s). Returns `false` when the session is gone or
    /// was just disconnected for falling too far behind.
    pub(crate) fn push(&self, line: Arc<[u8]>) -> bool {
        if self.is_dead() {
            return false;
        }
        let len = line.len();
        let before = self.shared.queued_bytes.fetch_add(len, Ordering::AcqRel);
        if before + len > self.shared.cap {
            self.shared.queued_bytes.fetch_sub(len, Ordering::AcqRel);
            self.disconnect_slow_reader(before);
            return false;
        }
        self.tx.send(Outgoing::Line(line)).is_ok()
    }

    /// Queues a file transfer: `header`, then `size` bytes of `file`, then
    /// `\n`.
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
        self.tx
            .send(Outgoing::File { header, file, size })
            .map_err(|_| QueueFileError::Closed)
    }

    /// Asks the writer to flush what is queued, then end the sending side
    /// (the client sees end of stream; the session closes the rest).
    pub(crate) fn close(&self) {
        let _ = self.tx.send(Outgoing::Close);
    }

    /// Closes the connection at once, dropping whatever is queued.
    pub(crate) fn abort(&self) {
        self.shared.dead.store(true, Ordering::Release);
        let _ = self.shared.stream.shutdown(SocketShutdown::Both);
    }

    /// Whether the session has been disconnected.
    pub(crate) fn is_dead(&self) -> bool {
        self.shared.dead.load(Ordering::Acquire)
    }

    fn disconnect_slow_reader(&self, queued: usize) {
        if !self.shared.dead.swap(true, Ordering::AcqRel) {
            warn!(
                peer = %self.shared.peer,
                queued,
                cap = self.shared.cap,
                "send queue overflowed (client stopped reading); disconnecting"
            );
            let _ = self.shared.stream.shutdown(SocketShutdown::Both);
        }
    }
}

fn write_loop(mut stream: TcpStream, rx: Receiver<Outgoing>, shared: Arc<Shared>) {
    if let Err(error) = drain(&mut stream, &rx, &shared) {
        debug!(peer = %shared.peer, %error, "writer stopped");
        shared.dead.store(true, Ordering::Release);
        let _ = stream.shutdown(SocketShutdown::Both);
    }
}

fn drain(stream: &mut TcpStream, rx: &Receiver<Outgoing>, shared: &Shared) -> io::Result<()> {
    let mut batch = Vec::new();
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        while let Some(item) = next {
            match item {
                Outgoing::Line(line) => {
                    batch.extend_from_slice(&line);
                    if batch.len() >= BATCH_LIMIT {
                        flush(stream, &mut batch, shared)?;
                    }
                }
                Outgoing::File { header, file, size } => {
                    flush(stream, &mut batch, shared)?;
                    let sent = send_file(stream, header, file, size);
                    shared.queued_downloads.fetch_sub(1, Ordering::AcqRel);
                    sent?;
                }
                Outgoing::Close => {
                    flush(stream, &mut batch, shared)?;
                    let _ = stream.shutdown(SocketShutdown::Write);
                    return Ok(());
                }
            }
            next = rx.try_recv().ok();
        }
        flush(stream, &mut batch, shared)?;
        if batch.capacity() > IDLE_BUFFER_LIMIT {
            batch = Vec::new();
        }
    }
    Ok(())
}

fn flush(stream: &mut TcpStream, batch: &mut Vec<u8>, shared: &Shared) -> io::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    stream.write_all(batch)?;
    shared.queued_bytes.fetch_sub(batch.len(), Ordering::AcqRel);
    batch.clear();
    Ok(())
}

fn send_file(stream: &mut TcpStream, header: Vec<u8>, file: File, size: u64) -> io::Result<()> {
    stream.write_all(&header)?;
    let sent = io::copy(&mut file.take(size), stream)?;
    if sent != size {
        // The header promised `size` bytes; the peer cannot resynchronise.
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "stored file shrank while being sent",
        ));
    }
    stream.write_all(b"\n")
}

#[cfg(test)]
mod tests {
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
        let (outbox, writer) = Outbox::start(&server, 1024, "t").unwrap();
        for i in 0..3 {
            assert!(outbox.push(Arc::from(format!("TEXT|a|{i}\n").into_bytes())));
        }
        outbox.close();
        writer.join().unwrap();
        let lines: Vec<String> = BufReader::new(client).lines().map(Result::unwrap).collect();
        assert_eq!(lines, ["TEXT|a|0", "TEXT|a|1", "TEXT|a|2"]);
    }

    #[test]
    fn overflow_disconnects_the_slow_reader() {
        let (server, client) = pair();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let (outbox, writer) = Outbox::start(&server, 64 * 1024, "slow").unwrap();
        let line: Arc<[u8]> = Arc::from(vec![b'x'; 8 * 1024]);
        // The client never reads: socket buffers fill, then the queue does.
        let pushed = (0..10_000)
            .take_while(|_| outbox.push(line.clone()))
            .count();
        assert!(pushed < 10_000, "queue never overflowed");
        assert!(outbox.is_dead());
        assert!(!outbox.push(line));
        drop(outbox);
        writer.join().unwrap();
        // The client sees the connection end after whatever was in flight.
        let mut sink = Vec::new();
        let _ = (&client).read_to_end(&mut sink);
    }

    #[test]
    fn download_quota_is_enforced() {
        let (server, _client) = pair();
        let (outbox, _writer) = Outbox::start(&server, 1024, "q").unwrap();
        // A big file the client never reads keeps the first download busy.
        let mut big = tempfile::tempfile().unwrap();
        big.write_all(&vec![0u8; 8 * 1024 * 1024]).unwrap();
        let size = 8 * 1024 * 1024;
        let reopen = |f: &File| f.try_clone().unwrap();
        assert_eq!(outbox.push_file(Vec::new(), reopen(&big), size, 2), Ok(()));
        assert_eq!(outbox.push_file(Vec::new(), reopen(&big), size, 2), Ok(()));
        assert_eq!(
            outbox.push_file(Vec::new(), reopen(&big), size, 2),
            Err(QueueFileError::TooManyDownloads)
        );
    }
}
