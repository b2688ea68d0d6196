//! A connection's two halves, plaintext or TLS alike, so the code that
//! reads lines and the code that writes them need not care which.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};

use crate::split::{TlsReader, TlsWriter};

/// The reading half of a connection.
pub enum ReadHalf {
    /// The plaintext protocol.
    Plain(TcpStream),
    /// TLS.
    Tls(TlsReader),
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
        ReadHalf::Plain(socket.try_clone()?),
        WriteHalf::Plain(socket),
    ))
}

impl ReadHalf {
    /// The socket underneath, to set time-outs or shut it down.
    pub fn socket(&self) -> &TcpStream {
        match self {
            ReadHalf::Plain(socket) => socket,
            ReadHalf::Tls(reader) => reader.socket(),
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
            ReadHalf::Plain(socket) => socket.read(buf),
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
