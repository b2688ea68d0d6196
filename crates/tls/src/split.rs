//! A TLS connection shared by a reader thread and a writer thread.
//!
//! rustls keeps one state machine per connection, which both directions
//! need, so a plain `Mutex` around a stream would make a writer wait while
//! the reader is blocked on the socket. Here the lock guards only the TLS
//! state, never socket I/O: the reader reads raw bytes from the socket
//! unlocked, then locks to decrypt; the writer locks to encrypt, then writes
//! unlocked. A second lock, `wire`, is held from encrypting to writing so
//! records reach the socket in the order they were sealed (the reader also
//! writes, rarely, to answer key updates or send alerts).
//!
//! Socket time-outs keep working: a read that times out mid-record leaves
//! the partial record inside rustls, and the next read carries on.
//!
//! A server can also seal and send without blocking
//! ([`TlsWriter::seal_and_try_send`]): what the socket does not take at once
//! waits, already sealed, under the `wire` lock, and every later write sends
//! it first, so records still reach the wire in sealing order.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::Instant;

use parking_lot::Mutex;
use rustls::Connection;

use crate::deadline::ReadDeadline;

/// Raw bytes read from the socket per call.
const RAW_CHUNK: usize = 16 * 1024;

struct Shared {
    connection: Mutex<Connection>,
    /// Held from sealing to writing; holds sealed bytes a non-blocking send
    /// left behind, which go out before anything else.
    wire: Mutex<Vec<u8>>,
}

/// How much of a non-blocking [`TlsWriter::seal_and_try_send`] went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Everything was sealed and sent.
    All,
    /// Everything was sealed; part of it waits. Call
    /// [`TlsWriter::flush_pending`] (blocking) before relying on it.
    Partly,
    /// Bytes from an earlier try still wait; nothing was sealed.
    Busy,
}

/// The reading half of a split TLS connection.
pub struct TlsReader {
    socket: TcpStream,
    shared: Arc<Shared>,
    /// Raw bytes from the socket; allocated only while some are pending.
    raw: Vec<u8>,
    /// Raw bytes read from the socket but not yet taken by rustls.
    pending: std::ops::Range<usize>,
    /// Bounds the raw reads, however the peer trickles its records.
    deadline: ReadDeadline,
}

/// The writing half of a split TLS connection.
pub struct TlsWriter {
    socket: TcpStream,
    shared: Arc<Shared>,
}

/// Completes the handshake on `socket` (within the socket's time-outs),
/// then splits the connection. Nothing is sent or received as application
/// data before the handshake is complete.
pub fn handshake(
    socket: TcpStream,
    connection: impl Into<Connection>,
) -> io::Result<(TlsReader, TlsWriter)> {
    handshake_until(socket, connection, None)
}

/// [`handshake`], giving up with `TimedOut` at `deadline` however slowly
/// the peer sends its records (a socket time-out alone is renewed by every
/// byte that arrives).
pub fn handshake_until(
    socket: TcpStream,
    connection: impl Into<Connection>,
    deadline: Option<Instant>,
) -> io::Result<(TlsReader, TlsWriter)> {
    let mut connection = connection.into();
    // Seal whatever a write hands over at once; the callers bound their
    // batches themselves.
    connection.set_buffer_limit(None);
    let mut bounded = ReadDeadline::default();
    if deadline.is_some() {
        bounded.set(deadline);
    }
    let mut io = Bounded {
        socket: &socket,
        deadline: &mut bounded,
    };
    while connection.is_handshaking() {
        connection.complete_io(&mut io)?;
    }
    while connection.wants_write() {
        connection.write_tls(&mut io)?;
    }
    let shared = Arc::new(Shared {
        connection: Mutex::new(connection),
        wire: Mutex::new(Vec::new()),
    });
    let reader = TlsReader {
        socket: socket.try_clone()?,
        shared: shared.clone(),
        raw: Vec::new(),
        pending: 0..0,
        deadline: ReadDeadline::default(),
    };
    Ok((reader, TlsWriter { socket, shared }))
}

/// The socket during the handshake: reads bounded by a deadline.
struct Bounded<'a> {
    socket: &'a TcpStream,
    deadline: &'a mut ReadDeadline,
}

impl Read for Bounded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.deadline
            .read(self.socket, |mut socket| socket.read(buf))
    }
}

impl Write for Bounded<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.socket.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.socket.flush()
    }
}

impl TlsReader {
    /// The socket underneath, to set time-outs or shut it down.
    pub fn socket(&self) -> &TcpStream {
        &self.socket
    }

    /// The deadline the reads from the socket keep.
    pub fn deadline_mut(&mut self) -> &mut ReadDeadline {
        &mut self.deadline
    }
}

impl Read for TlsReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let decrypted = {
                let mut connection = self.shared.connection.lock();
                match connection.reader().read(buf) {
                    Ok(n) => return Ok(n),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    // The peer closed without close_notify: end of stream.
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                    Err(e) => return Err(e),
                }
                if self.pending.is_empty() {
                    None
                } else {
                    let mut slice = &self.raw[self.pending.clone()];
                    let before = slice.len();
                    connection.read_tls(&mut slice)?;
                    self.pending.start += before - slice.len();
                    if self.pending.is_empty() {
                        self.raw = Vec::new();
                    }
                    connection
                        .process_new_packets()
                        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                    Some(connection.wants_write())
                }
            };
            match decrypted {
                // New records went in: take their plaintext first.
                Some(wants_write) => {
                    if wants_write {
                        flush_tls(&self.socket, &self.shared)?;
                    }
                }
                None => {
                    if self.raw.is_empty() {
                        // Wait for bytes before taking a buffer, so an idle
                        // connection holds none.
                        let peeked = self
                            .deadline
                            .read(&self.socket, |socket| socket.peek(&mut [0u8; 1]))?;
                        if peeked == 0 {
                            return Ok(0);
                        }
                        self.raw = vec![0; RAW_CHUNK];
                    }
                    let raw = &mut self.raw;
                    let n = self
                        .deadline
                        .read(&self.socket, |mut socket| socket.read(raw))?;
                    if n == 0 {
                        return Ok(0);
                    }
                    self.pending = 0..n;
                }
            }
        }
    }
}

impl TlsWriter {
    /// The socket underneath, to set time-outs or shut it down.
    pub fn socket(&self) -> &TcpStream {
        &self.socket
    }

    /// Sends close_notify, then ends the sending side of the socket.
    pub fn close(&mut self) -> io::Result<()> {
        self.shared.connection.lock().send_close_notify();
        flush_tls(&self.socket, &self.shared)?;
        self.socket.shutdown(Shutdown::Write)
    }

    /// Seals `plaintext` and hands it to `send`, a non-blocking send that
    /// returns how many bytes the socket took. Never blocks: what does not
    /// go out waits, sealed, for [`TlsWriter::flush_pending`] or the next
    /// write.
    pub fn seal_and_try_send<B: AsRef<[u8]>>(
        &self,
        plaintext: &[B],
        mut send: impl FnMut(&[u8]) -> io::Result<usize>,
    ) -> io::Result<Sent> {
        let mut unsent = self.shared.wire.lock();
        if !unsent.is_empty() {
            let n = send(&unsent)?;
            unsent.drain(..n);
            if !unsent.is_empty() {
                return Ok(Sent::Busy);
            }
        }
        // One write of the whole batch: rustls seals each write in records
        // of its own, and a record per line would cost a seal per line.
        let batch: Vec<u8> = plaintext
            .iter()
            .flat_map(|part| part.as_ref())
            .copied()
            .collect();
        let sealed = {
            let mut connection = self.shared.connection.lock();
            connection.writer().write_all(&batch)?;
            let mut sealed = Vec::with_capacity(batch.len() + 64);
            while connection.wants_write() {
                connection.write_tls(&mut sealed)?;
            }
            sealed
        };
        let n = send(&sealed)?;
        if n == sealed.len() {
            return Ok(Sent::All);
        }
        unsent.extend_from_slice(&sealed[n..]);
        Ok(Sent::Partly)
    }

    /// Writes out (blocking) what a non-blocking send left behind.
    pub fn flush_pending(&self) -> io::Result<()> {
        let mut unsent = self.shared.wire.lock();
        write_unsent(&self.socket, &mut unsent)
    }
}

impl Write for TlsWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut unsent = self.shared.wire.lock();
        write_unsent(&self.socket, &mut unsent)?;
        let (accepted, sealed) = {
            let mut connection = self.shared.connection.lock();
            let accepted = connection.writer().write(buf)?;
            let mut sealed = Vec::with_capacity(accepted + 64);
            while connection.wants_write() {
                connection.write_tls(&mut sealed)?;
            }
            (accepted, sealed)
        };
        (&self.socket).write_all(&sealed)?;
        Ok(accepted)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes (blocking) the sealed bytes a non-blocking send left behind.
fn write_unsent(mut socket: &TcpStream, unsent: &mut Vec<u8>) -> io::Result<()> {
    if !unsent.is_empty() {
        socket.write_all(unsent)?;
        *unsent = Vec::new();
    }
    Ok(())
}

/// Writes whatever rustls has sealed, in order with the writer's records.
fn flush_tls(socket: &TcpStream, shared: &Shared) -> io::Result<()> {
    let mut unsent = shared.wire.lock();
    write_unsent(socket, &mut unsent)?;
    let mut sealed = Vec::new();
    {
        let mut connection = shared.connection.lock();
        while connection.wants_write() {
            connection.write_tls(&mut sealed)?;
        }
    }
    let mut socket = socket;
    socket.write_all(&sealed)
}
