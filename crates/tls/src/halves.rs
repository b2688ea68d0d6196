//! A connection's two halves, plaintext or TLS alike, so the code that
//! reads lines and the code that writes them need not care which.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};

use crate::deadline::ReadDeadline;
use crate::split::{TlsReader, TlsWriter};

/// The reading half of a connection.
pub enum ReadHalf {
    /// The plaintext protocol.
    Plain(PlainReader),
    /// TLS.
    Tls(TlsReader),
}

/// The reading half of a plaintext connection.
pub struct PlainReader {
    socket: TcpStream,
    deadline: ReadDeadline,
}

impl PlainReader {
    /// Reads from `socket`, with no deadline until one is set.
    pub fn new(socket: TcpStream) -> Self {
        PlainReader {
            socket,
            deadline: ReadDeadline::default(),
        }
    }
}

impl Read for PlainReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.deadline
            .read(&self.socket, |mut socket| socket.read(buf))
    }
}

/// The writing half of a connection.
pub enum WriteHalf {
    /// The plaintext protocol.
    Plain(TcpStream),
    /// TLS.
    Tls(TlsWriter),
}

/// Splits a plaintext connection.
pub fn plain(socket: TcpStream) -> io::Result<(ReadHalf, WriteHalf)> {
    Ok((
        ReadHalf::Plain(PlainReader::new(socket.try_clone()?)),
        WriteHalf::Plain(socket),
    ))
}

impl ReadHalf {
    /// The socket underneath, to set time-outs or shut it down.
    pub fn socket(&self) -> &TcpStream {
        match self {
            ReadHalf::Plain(reader) => &reader.socket,
            ReadHalf::Tls(reader) => reader.socket(),
        }
    }

    /// The deadline every read from the socket keeps (see
    /// [`ReadDeadline`]); unset, the socket's own time-out applies.
    pub fn deadline_mut(&mut self) -> &mut ReadDeadline {
        match self {
            ReadHalf::Plain(reader) => &mut reader.deadline,
            ReadHalf::Tls(reader) => reader.deadline_mut(),
        }
    }

    /// Whether this is a TLS connection.
    pub fn is_tls(&self) -> bool {
        matches!(self, ReadHalf::Tls(_))
    }
}

impl WriteHalf {
    /// The socket underneath, to set time-outs or shut it down.
    pub fn socket(&self) -> &TcpStream {
        match self {
            WriteHalf::Plain(socket) => socket,
            WriteHalf::Tls(writer) => writer.socket(),
        }
    }

    /// Ends the sending side (after close_notify, for TLS); the peer reads
    /// end of stream once it has read everything before.
    pub fn close(&mut self) -> io::Result<()> {
        match self {
            WriteHalf::Plain(socket) => socket.shutdown(Shutdown::Write),
            WriteHalf::Tls(writer) => writer.close(),
        }
    }

    /// Sends `size` bytes of `file`. Plaintext goes through `io::copy`,
    /// which Linux turns into `sendfile`; TLS must encrypt in user space.
    pub fn send_file(&mut self, file: &mut std::fs::File, size: u64) -> io::Result<u64> {
        match self {
            WriteHalf::Plain(socket) => io::copy(&mut file.take(size), socket),
            WriteHalf::Tls(writer) => io::copy(&mut file.take(size), writer),
        }
    }
}

impl Read for ReadHalf {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            ReadHalf::Plain(reader) => reader.read(buf),
            ReadHalf::Tls(reader) => reader.read(buf),
        }
    }
}

impl Write for WriteHalf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            WriteHalf::Plain(socket) => socket.write(buf),
            WriteHalf::Tls(writer) => writer.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            WriteHalf::Plain(socket) => socket.flush(),
            WriteHalf::Tls(writer) => writer.flush(),
        }
    }
}
