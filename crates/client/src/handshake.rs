//! Opening a connection: connect, `HELLO|2`, `LOGIN`, and the answer.
//!
//! Used for the chat connection and for each transfer connection (uploads
//! and downloads run on connections of their own, so chat stays live both
//! ways during a transfer and cancelling one is just closing it).

use std::io::{BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use media_chat_protocol::rules::normalize_user_name;
use media_chat_protocol::{
    ClientMessage, EncodeLine, MessageReader, PROTOCOL_VERSION, ReadError, ServerMessage,
};

use crate::error::ConnectError;

/// Longest wait for each step of connecting and logging in. Argon2 makes
/// a login take a moment on purpose, more during a login storm.
const STEP_TIMEOUT: Duration = Duration::from_secs(20);

/// The reading side of a connection.
pub(crate) type LineReader = MessageReader<BufReader<TcpStream>>;

/// A logged-in connection.
pub(crate) struct Connection {
    /// Reads what the server sends next (the welcome after `LOGIN_OK`).
    pub(crate) reader: LineReader,
    /// The socket, for writing.
    pub(crate) stream: TcpStream,
    /// The name as registered on the server.
    pub(crate) user: String,
}

/// Connects to `address` ("host:port") and logs in.
pub(crate) fn open(address: &str, user: &str, password: &str) -> Result<Connection, ConnectError> {
    let user = normalize_user_name(user)
        .map_err(|e| ConnectError::Refused(format!("Invalid user name: {e}")))?;
    let mut hello = ClientMessage::Hello {
        version: u64::from(PROTOCOL_VERSION),
    }
    .to_line()
    .map_err(|e| ConnectError::Protocol(e.to_string()))?;
    ClientMessage::Login {
        user: user.clone(),
        password: password.to_owned(),
    }
    .encode(&mut hello)
    .map_err(|_| ConnectError::Refused("Passwords may not contain line breaks".to_owned()))?;

    let mut stream = connect(address)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(STEP_TIMEOUT))?;
    stream.write_all(&hello)?;
    let mut reader = MessageReader::new(BufReader::new(stream.try_clone()?));
    match next(&mut reader)? {
        ServerMessage::Hello { version } if version >= 2 => {}
        ServerMessage::Hello { version } => {
            return Err(ConnectError::Protocol(format!(
                "the server only speaks protocol version {version}"
            )));
        }
        ServerMessage::Error { reason } => return Err(ConnectError::Refused(reason)),
        other => return Err(ConnectError::Protocol(format!("{other:?}"))),
    }
    match next(&mut reader)? {
        ServerMessage::LoginOk { user } => Ok(Connection {
            reader,
            stream,
            user,
        }),
        ServerMessage::Error { reason } => Err(ConnectError::Refused(reason)),
        other => Err(ConnectError::Protocol(format!("{other:?}"))),
    }
}

/// Reads lines until `HISTORY_END`, answering pings: what a transfer
/// connection does with the welcome it does not need.
pub(crate) fn skip_welcome(connection: &mut Connection) -> Result<(), ConnectError> {
    loop {
        match next(&mut connection.reader)? {
            ServerMessage::HistoryEnd => return Ok(()),
            ServerMessage::Ping { token } => {
                send(&mut connection.stream, &ClientMessage::Pong { token })?
            }
            _ => {}
        }
    }
}

/// Writes one message.
pub(crate) fn send(stream: &mut TcpStream, message: &ClientMessage) -> Result<(), ConnectError> {
    let line = message
        .to_line()
        .map_err(|e| ConnectError::Protocol(e.to_string()))?;
    stream.write_all(&line)?;
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
