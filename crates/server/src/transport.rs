//! TLS and plaintext on one port: the first byte a client sends decides.
//! A TLS handshake starts with `0x16`; the plaintext protocol starts with a
//! letter (`LOGIN`, `HELLO`), so no second port is needed and the seed's
//! clients keep working.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use media_chat_protocol::{EncodeLine, ServerMessage};
use media_chat_tls::rustls::{ServerConfig, ServerConnection};
use media_chat_tls::{PlainReader, ReadHalf, TlsWriter, deadline, is_tls_hello};
use tracing::{debug, info};

/// How a connection will be spoken to.
pub(crate) struct Accepted {
    /// Where its lines come from.
    pub(crate) reader: ReadHalf,
    /// For TLS, the writing half the session's writer thread uses.
    pub(crate) tls_writer: Option<TlsWriter>,
}

/// The server's TLS policy.
pub(crate) struct TlsPolicy {
    /// The rustls configuration, when TLS is offered.
    pub(crate) config: Option<Arc<ServerConfig>>,
    /// Refuse plaintext from anywhere but loopback.
    pub(crate) require: bool,
}

/// Waits (until `deadline`) for the client's first byte, then completes a
/// TLS handshake, also by `deadline` however slowly the client sends its
/// records, or checks that plaintext is allowed. `None` when the
/// connection ends here (closed, timed out, refused).
pub(crate) fn accept(
    stream: TcpStream,
    peer: SocketAddr,
    policy: &TlsPolicy,
    deadline: Instant,
) -> Option<Accepted> {
    let timeout = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(1));
    stream.set_read_timeout(Some(timeout)).ok()?;
    let mut first = [0u8; 1];
    match stream.peek(&mut first) {
        Ok(1) => {}
        Ok(_) => return None,
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            info!(%peer, "closing a connection that did not log in in time");
            refuse(stream, "Login timed out");
            return None;
        }
        Err(e) => {
            debug!(%peer, error = %e, "no first byte");
            return None;
        }
    }
    if is_tls_hello(first[0]) {
        return accept_tls(stream, peer, policy, deadline, timeout);
    }
    if policy.require && !peer.ip().is_loopback() {
        info!(%peer, "refusing plaintext: this server requires TLS");
        refuse(
            stream,
            "This server requires TLS: use a client that speaks TLS (plaintext is only accepted from the server's own machine)",
        );
        return None;
    }
    Some(Accepted {
        reader: ReadHalf::Plain(PlainReader::new(stream)),
        tls_writer: None,
    })
}

/// The TLS side of [`accept`]: the handshake, by `deadline`.
///
/// Never inlined: rustls's connection state and the handshake's frames
/// take about 4 KiB of stack, and in `accept` they made every plaintext
/// session thread touch that much more stack for life (docs/BENCHMARKS.md,
/// "1000 idle users").
#[inline(never)]
fn accept_tls(
    stream: TcpStream,
    peer: SocketAddr,
    policy: &TlsPolicy,
    deadline: Instant,
    timeout: Duration,
) -> Option<Accepted> {
    let Some(config) = &policy.config else {
        refuse(
            stream,
            "This server does not offer TLS; connect with the plaintext protocol",
        );
        return None;
    };
    let connection = ServerConnection::new(config.clone()).ok()?;
    let saved_write_timeout = stream.write_timeout().ok().flatten();
    stream.set_write_timeout(Some(timeout)).ok()?;
    match media_chat_tls::handshake_until(stream, connection, Some(deadline)) {
        Ok((reader, writer)) => {
            let _ = writer.socket().set_write_timeout(saved_write_timeout);
            Some(Accepted {
                reader: ReadHalf::Tls(reader),
                tls_writer: Some(writer),
            })
        }
        Err(e) if deadline::is_timeout(&e) => {
            info!(%peer, "closing a connection whose TLS handshake did not finish in time");
            None
        }
        Err(e) => {
            info!(%peer, error = %e, "TLS handshake failed");
            None
        }
    }
}

/// Sends one `ERROR` line and closes.
fn refuse(mut stream: TcpStream, reason: &str) {
    if let Ok(line) = ServerMessage::error(reason).to_line() {
        let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
        let _ = stream.write_all(&line);
        let _ = stream.shutdown(std::net::Shutdown::Write);
    }
}
