//! A simulated user's connection: plaintext, or TLS pinned to the
//! fingerprint of the certificate the server printed.
//!
//! TLS is driven here rather than through `media_chat_tls`'s split halves,
//! because of how the load generator receives: a few threads wait on
//! hundreds of sockets with epoll (`pool`), and a blocking `TlsReader` per
//! user would cost a thread per user instead, all competing with the
//! server for the same cores. So the pool reads raw bytes without blocking
//! and hands them to [`Link::decrypt`]; senders encrypt through
//! [`Link::write_all`] on the same rustls state. As in `media_chat_tls`,
//! the lock guards only that state, never socket I/O, and a second lock
//! keeps sealed records in order on the wire. The certificate is checked
//! by the project's own [`TrustOnFirstUse`], pinned to the fingerprint.

use std::io::{self, BufRead as _, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use media_chat_tls::rustls::pki_types::ServerName;
use media_chat_tls::rustls::{ClientConfig, ClientConnection};
use media_chat_tls::{Distrust, Fingerprint, TrustOnFirstUse};

use crate::client::lock;

/// How users reach the server: its address, and the TLS settings if they
/// speak TLS.
#[derive(Clone)]
pub struct Connector {
    /// Where the server listens.
    pub addr: SocketAddr,
    tls: Option<Arc<ClientConfig>>,
}

impl Connector {
    /// Plaintext connections to `addr`.
    pub fn plain(addr: SocketAddr) -> Connector {
        Connector { addr, tls: None }
    }

    /// TLS connections to `addr` that accept only the certificate with
    /// `pinned` (or, with `None`, one that chains to a public authority).
    pub fn tls(addr: SocketAddr, pinned: Option<Fingerprint>) -> Connector {
        Connector {
            addr,
            tls: Some(TrustOnFirstUse::new(pinned).client_config()),
        }
    }

    /// Connects, and completes the TLS handshake if there is one, each
    /// within `timeout`. The socket is left blocking, without time-outs.
    pub fn connect(&self, timeout: Duration) -> io::Result<Link> {
        let socket = TcpStream::connect_timeout(&self.addr, timeout)?;
        socket.set_nodelay(true)?;
        let Some(config) = &self.tls else {
            return Ok(Link::Plain(socket));
        };
        socket.set_read_timeout(Some(timeout))?;
        socket.set_write_timeout(Some(timeout))?;
        let connection = ClientConnection::new(config.clone(), ServerName::from(self.addr.ip()))
            .map_err(io::Error::other)?;
        let tls = handshake(socket, connection)?;
        tls.socket.set_read_timeout(None)?;
        tls.socket.set_write_timeout(None)?;
        Ok(Link::Tls(Arc::new(tls)))
    }
}

/// Learns the certificate of a server started elsewhere (`--addr`) the
/// way trust on first use does: one handshake that trusts nothing but
/// public authorities, and the fingerprint it was refused for. `None` when
/// the certificate chains to an authority (nothing to pin).
pub fn first_use(addr: SocketAddr) -> anyhow::Result<Option<Fingerprint>> {
    let verifier = TrustOnFirstUse::new(None);
    let socket = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
        .with_context(|| format!("cannot connect to {addr}"))?;
    socket.set_read_timeout(Some(Duration::from_secs(10)))?;
    let connection = ClientConnection::new(verifier.client_config(), ServerName::from(addr.ip()))?;
    match handshake(socket, connection) {
        Ok(_) => Ok(None),
        Err(error) => match verifier.distrust() {
            Some(Distrust::Unknown(fingerprint)) => Ok(Some(fingerprint)),
            _ => Err(error).context(format!("TLS handshake with {addr}")),
        },
    }
}

fn handshake(mut socket: TcpStream, mut connection: ClientConnection) -> io::Result<TlsLink> {
    while connection.is_handshaking() {
        connection.complete_io(&mut socket)?;
    }
    while connection.wants_write() {
        connection.write_tls(&mut socket)?;
    }
    Ok(TlsLink {
        socket,
        state: Mutex::new(connection),
        wire: Mutex::new(Vec::new()),
    })
}

/// One user's connection. Cloning is shallow: clones write to, and read
/// from, the same connection.
pub enum Link {
    /// The plaintext protocol.
    Plain(TcpStream),
    /// TLS.
    Tls(Arc<TlsLink>),
}

/// A TLS connection shared by the threads that write to it and the one
/// that reads from it.
pub struct TlsLink {
    /// Stays blocking: the pool reads with `MSG_DONTWAIT`, senders block.
    socket: TcpStream,
    state: Mutex<ClientConnection>,
    /// Held from sealing records until they are on the socket; holds the
    /// sealed bytes.
    wire: Mutex<Vec<u8>>,
}

impl Link {
    /// The socket underneath.
    pub fn socket(&self) -> &TcpStream {
        match self {
            Link::Plain(socket) => socket,
            Link::Tls(tls) => &tls.socket,
        }
    }

    /// Another handle on the same connection.
    pub fn try_clone(&self) -> io::Result<Link> {
        Ok(match self {
            Link::Plain(socket) => Link::Plain(socket.try_clone()?),
            Link::Tls(tls) => Link::Tls(tls.clone()),
        })
    }

    /// Writes `bytes` (encrypted, for TLS), blocking until all are sent.
    pub fn write_all(&self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Link::Plain(socket) => (&*socket).write_all(bytes),
            Link::Tls(tls) => tls.write_all(bytes),
        }
    }

    /// A blocking reader of what the server sends, taking `chunk` bytes
    /// from the socket per read.
    pub fn reader(&self, chunk: usize) -> io::Result<LinkReader> {
        Ok(LinkReader {
            link: self.try_clone()?,
            raw: match self {
                Link::Plain(_) => Vec::new(),
                Link::Tls(_) => vec![0; chunk],
            },
            plain: Vec::new(),
            at: 0,
            closed: false,
        })
    }
}

impl TlsLink {
    /// Encrypts `bytes` and writes the records, in as many rounds as rustls
    /// takes plaintext (64 KiB each).
    fn write_all(&self, mut bytes: &[u8]) -> io::Result<()> {
        let mut sealed = lock(&self.wire);
        while !bytes.is_empty() {
            sealed.clear();
            {
                let mut state = lock(&self.state);
                let taken = state.writer().write(bytes)?;
                bytes = &bytes[taken..];
                while state.wants_write() {
                    state.write_tls(&mut *sealed)?;
                }
            }
            if sealed.is_empty() {
                return Err(io::ErrorKind::WriteZero.into());
            }
            (&self.socket).write_all(&sealed)?;
        }
        Ok(())
    }

    /// Takes `raw` bytes read from the socket and appends the plaintext
    /// they complete to `plain`; a partial record is kept for next time.
    /// Returns whether the server ended the TLS session (close_notify).
    pub fn decrypt(&self, mut raw: &[u8], plain: &mut Vec<u8>) -> io::Result<bool> {
        let mut closed = false;
        let wants_write = {
            let mut state = lock(&self.state);
            while !raw.is_empty() && !closed {
                // rustls takes at most about one record per call, and keeps
                // at most 16 KiB of plaintext: drain it after each.
                state.read_tls(&mut raw)?;
                state
                    .process_new_packets()
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                loop {
                    let chunk = match state.reader().into_first_chunk() {
                        Ok(chunk) => chunk,
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e) => return Err(e),
                    };
                    if chunk.is_empty() {
                        closed = true;
                        break;
                    }
                    let n = chunk.len();
                    plain.extend_from_slice(chunk);
                    state.reader().consume(n);
                }
            }
            state.wants_write()
        };
        if wants_write {
            // A key update to answer, or an alert: in order with the
            // senders' records.
            let mut sealed = lock(&self.wire);
            sealed.clear();
            {
                let mut state = lock(&self.state);
                while state.wants_write() {
                    state.write_tls(&mut *sealed)?;
                }
            }
            (&self.socket).write_all(&sealed)?;
        }
        Ok(closed)
    }
}

/// Reads a connection with blocking calls (logins and file transfers).
pub struct LinkReader {
    link: Link,
    /// Raw bytes from the socket (TLS only).
    raw: Vec<u8>,
    /// Plaintext decrypted and not yet handed out (TLS only).
    plain: Vec<u8>,
    at: usize,
    closed: bool,
}

impl LinkReader {
    /// The connection, to write to.
    pub fn link(&self) -> &Link {
        &self.link
    }

    /// Plaintext decrypted but not read yet.
    pub fn pending(&self) -> &[u8] {
        &self.plain[self.at..]
    }
}

impl Read for LinkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let tls = match &self.link {
            Link::Plain(socket) => return (&*socket).read(buf),
            Link::Tls(tls) => tls,
        };
        loop {
            if self.at < self.plain.len() {
                let n = buf.len().min(self.plain.len() - self.at);
                buf[..n].copy_from_slice(&self.plain[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            if self.closed {
                return Ok(0);
            }
            let n = (&tls.socket).read(&mut self.raw)?;
            self.plain.clear();
            self.at = 0;
            if n == 0 {
                self.closed = true;
                continue;
            }
            self.closed = tls.decrypt(&self.raw[..n], &mut self.plain)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;
    use std::thread;

    use media_chat_tls::Identity;
    use media_chat_tls::rustls::ServerConnection;

    use super::*;

    /// A TLS server from the project's own crate that echoes every byte of
    /// one connection; returns its address and the fingerprint to pin.
    fn echo_server() -> (SocketAddr, Fingerprint, thread::JoinHandle<()>) {
        let dir = tempfile::tempdir().unwrap();
        let identity = Identity::load_or_generate(dir.path(), vec!["localhost".into()]).unwrap();
        let config = identity.server_config().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let echo = thread::spawn(move || {
            let (socket, _) = listener.accept().unwrap();
            let connection = ServerConnection::new(config).unwrap();
            // A client that refuses the certificate ends it here.
            let Ok((mut reader, mut writer)) = media_chat_tls::handshake(socket, connection) else {
                return;
            };
            std::io::copy(&mut reader, &mut writer).unwrap();
            writer.close().unwrap();
        });
        (addr, identity.fingerprint(), echo)
    }

    #[test]
    fn bytes_round_trip_through_a_pinned_tls_link_read_a_byte_at_a_time() {
        let (addr, fingerprint, echo) = echo_server();
        let link = Connector::tls(addr, Some(fingerprint))
            .connect(Duration::from_secs(5))
            .unwrap();
        // Larger than rustls takes in one round, and not a multiple of it.
        let sent: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let writer = link.try_clone().unwrap();
        let sending = {
            let sent = sent.clone();
            thread::spawn(move || {
                writer.write_all(&sent).unwrap();
                writer.socket().shutdown(std::net::Shutdown::Write).unwrap();
            })
        };
        // One raw byte per socket read: every record arrives in pieces.
        let mut reader = link.reader(1).unwrap();
        let mut received = Vec::new();
        reader.read_to_end(&mut received).unwrap();
        sending.join().unwrap();
        echo.join().unwrap();
        assert_eq!(received.len(), sent.len());
        assert!(received == sent);
    }

    #[test]
    fn a_different_certificate_is_refused() {
        let (addr, _, _echo) = echo_server();
        let wrong = Fingerprint::of(b"some other certificate");
        let refused = Connector::tls(addr, Some(wrong)).connect(Duration::from_secs(5));
        assert!(refused.is_err());
    }
}
