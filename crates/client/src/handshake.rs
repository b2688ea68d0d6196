//! Opening a connection: connect, TLS (unless plaintext was chosen),
//! `HELLO|3`, then `RESUME` and `LOGIN` for the chat, or `TRANSFER` with a
//! token for a transfer, and the answer.
//!
//! A server that answers `HELLO|2` gets no `RESUME`, and a transfer on it
//! logs in with the password (version 2 has no transfer tokens). Uploads
//! and downloads run on connections of their own, so chat stays live both
//! ways during a transfer and cancelling one is just closing it. The
//! password is only ever written after the TLS handshake has completed.

use std::io::{BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use media_chat_protocol::rules::normalize_user_name;
use media_chat_protocol::{ClientMessage, EncodeLine, MessageReader, ReadError, ServerMessage};
use media_chat_tls::rustls::ClientConnection;

use media_chat_tls::rustls::pki_types::ServerName;
use media_chat_tls::{Distrust, KnownServers, ReadHalf, TrustOnFirstUse, WriteHalf};

use crate::config::{ClientConfig, Transport};
use crate::error::ConnectError;

/// The protocol version the engine asks for: ids, acknowledged sends,
/// resume, paging, read positions and transfer tokens.
pub(crate) const SPOKEN_VERSION: u64 = 3;

/// The oldest version it still speaks (without those).
const OLDEST_VERSION: u64 = 2;

/// How a connection logs in.
pub(crate) enum Login<'a> {
    /// The chat: `RESUME|last_id` (version 3 only, when `resume` is set),
    /// `CODE|code` (version 3 only, when the settings hold an invitation
    /// code), then `LOGIN` with the configured name and password.
    Chat {
        /// The highest event id the client has.
        resume: Option<u64>,
    },
    /// A transfer on a version 3 server: `TRANSFER|token`.
    Transfer {
        /// A token from the chat connection's `TRANSFER_TOKEN`.
        token: &'a str,
    },
    /// A transfer on a version 2 server: `LOGIN`, and the welcome skipped.
    TransferWithPassword,
}

/// Longest wait for each step of connecting and logging in. Argon2 makes
/// a login take a moment on purpose, more during a login storm.
const STEP_TIMEOUT: Duration = Duration::from_secs(20);

/// The reading side of a connection.
pub(crate) type LineReader = MessageReader<BufReader<ReadHalf>>;

/// A logged-in connection.
pub(crate) struct Connection {
    /// Reads what the server sends next (the welcome after `LOGIN_OK`).
    pub(crate) reader: LineReader,
    /// Writes to the server.
    pub(crate) writer: WriteHalf,
    /// The name as registered on the server.
    pub(crate) user: String,
    /// The protocol version agreed on (2 or 3).
    pub(crate) version: u64,
}

impl Connection {
    /// The socket underneath, to set time-outs or shut it down.
    pub(crate) fn socket(&self) -> &TcpStream {
        self.writer.socket()
    }
}

/// Connects to the configured server and logs in as `login` says. `watch`
/// is handed the socket as soon as the TCP connection is up, so the caller
/// can close it from another thread while the handshake waits on the
/// server.
pub(crate) fn open(
    config: &ClientConfig,
    login: Login<'_>,
    watch: impl FnOnce(&TcpStream) -> std::io::Result<()>,
) -> Result<Connection, ConnectError> {
    let user = normalize_user_name(&config.user)
        .map_err(|e| ConnectError::Refused(format!("Invalid user name: {e}")))?;
    let hello = ClientMessage::Hello {
        version: SPOKEN_VERSION,
    }
    .to_line()
    .map_err(|e| ConnectError::Protocol(e.to_string()))?;
    let mut password_login = Vec::new();
    ClientMessage::Login {
        user,
        password: config.password.clone(),
    }
    .encode(&mut password_login)
    .map_err(|_| ConnectError::Refused("Passwords may not contain line breaks".to_owned()))?;

    let socket = connect(&config.address)?;
    watch(&socket)?;
    socket.set_nodelay(true)?;
    socket.set_read_timeout(Some(STEP_TIMEOUT))?;
    socket.set_write_timeout(Some(STEP_TIMEOUT))?;
    let (read_half, mut writer) = match &config.transport {
        Transport::Plaintext => media_chat_tls::plain(socket)?,
        Transport::Tls {
            known_servers,
            trust,
        } => secure(
            socket,
            &config.address,
            known_servers.as_ref().map(KnownServers::new),
            *trust,
        )?,
    };
    writer.write_all(&hello)?;
    let mut reader = MessageReader::new(BufReader::new(read_half));
    let version = match next(&mut reader)? {
        ServerMessage::Hello { version } if version >= OLDEST_VERSION => {
            version.min(SPOKEN_VERSION)
        }
        ServerMessage::Hello { version } => {
            return Err(ConnectError::Protocol(format!(
                "the server only speaks protocol version {version}"
            )));
        }
        ServerMessage::Error { reason } => return Err(ConnectError::Refused(reason)),
        other => return Err(ConnectError::Protocol(format!("{other:?}"))),
    };
    // RESUME and TRANSFER only after the server said it speaks version 3:
    // a version 2 server would refuse them.
    let mut request = Vec::new();
    let encode = |message: ClientMessage, out: &mut Vec<u8>| {
        message
            .encode(out)
            .map_err(|e| ConnectError::Protocol(e.to_string()))
    };
    match login {
        Login::Chat { resume } => {
            if let Some(last_id) = resume.filter(|_| version >= 3) {
                encode(ClientMessage::Resume { last_id }, &mut request)?;
            }
            if let Some(code) = config.invite_code.clone().filter(|_| version >= 3) {
                encode(ClientMessage::Code { code }, &mut request)?;
            }
            request.extend_from_slice(&password_login);
        }
        Login::Transfer { token } if version >= 3 => encode(
            ClientMessage::Transfer {
                token: token.to_owned(),
            },
            &mut request,
        )?,
        Login::Transfer { .. } | Login::TransferWithPassword => {
            request.extend_from_slice(&password_login)
        }
    }
    writer.write_all(&request)?;
    let user = match next(&mut reader)? {
        ServerMessage::LoginOk { user } | ServerMessage::TransferOk { user } => user,
        ServerMessage::Error { reason } => return Err(ConnectError::Refused(reason)),
        other => return Err(ConnectError::Protocol(format!("{other:?}"))),
    };
    Ok(Connection {
        reader,
        writer,
        user,
        version,
    })
}

/// The TLS handshake, trusting the server as [`TrustOnFirstUse`] does. A
/// fingerprint passed as `trust` is accepted and remembered.
fn secure(
    socket: TcpStream,
    address: &str,
    known: Option<KnownServers>,
    trust: Option<media_chat_tls::Fingerprint>,
) -> Result<(ReadHalf, WriteHalf), ConnectError> {
    let pinned = trust.or_else(|| known.as_ref().and_then(|k| k.get(address)));
    let verifier = TrustOnFirstUse::new(pinned);
    let name = server_name(address)?;
    let connection = ClientConnection::new(verifier.client_config(), name)
        .map_err(|e| ConnectError::Tls(e.to_string()))?;
    match media_chat_tls::handshake(socket, connection) {
        Ok((reader, writer)) => {
            if let (Some(fingerprint), Some(known)) = (trust, &known) {
                known.remember(address, fingerprint)?;
            }
            Ok((ReadHalf::Tls(reader), WriteHalf::Tls(writer)))
        }
        Err(error) => Err(match verifier.distrust() {
            Some(Distrust::Unknown(fingerprint)) => ConnectError::Untrusted { fingerprint },
            Some(Distrust::Changed { pinned, presented }) => ConnectError::CertificateChanged {
                pinned,
                presented,
                known_servers: known.map(|k| k.path().to_path_buf()).unwrap_or_default(),
            },
            None => ConnectError::Tls(error.to_string()),
        }),
    }
}

/// The name a certificate must carry: the host part of `host:port`.
fn server_name(address: &str) -> Result<ServerName<'static>, ConnectError> {
    let host = address.rsplit_once(':').map_or(address, |(host, _)| host);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(host.to_owned()).map_err(|e| ConnectError::Tls(format!("{host}: {e}")))
}

/// Reads lines until the welcome's end (`HISTORY_END`, or `SYNCED` from a
/// server that turned out to speak version 3), answering pings: what a
/// transfer connection logged in with the password does with the welcome
/// it does not need.
pub(crate) fn skip_welcome(connection: &mut Connection) -> Result<(), ConnectError> {
    loop {
        match next(&mut connection.reader)? {
            ServerMessage::HistoryEnd | ServerMessage::Synced { .. } => return Ok(()),
            ServerMessage::Ping { token } => {
                send(&mut connection.writer, &ClientMessage::Pong { token })?
            }
            _ => {}
        }
    }
}

/// Writes one message.
pub(crate) fn send(writer: &mut WriteHalf, message: &ClientMessage) -> Result<(), ConnectError> {
    let line = message
        .to_line()
        .map_err(|e| ConnectError::Protocol(e.to_string()))?;
    writer.write_all(&line)?;
    Ok(())
}

/// The next message, skipping lines this client does not understand.
pub(crate) fn next(reader: &mut LineReader) -> Result<ServerMessage, ConnectError> {
    loop {
        match reader.read_message::<ServerMessage>() {
            Ok(Some(message)) => return Ok(message),
            Ok(None) => {
                return Err(ConnectError::Io(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the server closed the connection",
                )));
            }
            Err(e) if e.is_recoverable() => tracing::debug!(error = %e, "skipping a line"),
            Err(ReadError::Io(e)) => return Err(ConnectError::Io(e)),
            Err(e) => return Err(ConnectError::Protocol(e.to_string())),
        }
    }
}

fn connect(address: &str) -> Result<TcpStream, ConnectError> {
    let mut last = None;
    for candidate in address.to_socket_addrs()? {
        match TcpStream::connect_timeout(&candidate, STEP_TIMEOUT) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = Some(e),
        }
    }
    Err(ConnectError::Io(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("no address found for {address}"),
        )
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names_come_from_the_host_part() {
        assert!(server_name("chat.example.org:5000").is_ok());
        assert!(matches!(
            server_name("127.0.0.1:5000"),
            Ok(ServerName::IpAddress(_))
        ));
        assert!(matches!(
            server_name("[::1]:5000"),
            Ok(ServerName::IpAddress(_))
        ));
    }
}
