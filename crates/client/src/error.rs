//! The library's error types.

use std::io;

use std::path::PathBuf;

use media_chat_protocol::{
    Conversation, ConversationError, EncodeError, FileNameError, TextError, UserNameError,
};
use media_chat_tls::Fingerprint;
use thiserror::Error;

/// Why connecting or logging in failed.
#[derive(Debug, Error)]
pub enum ConnectError {
    /// The server could not be reached or the connection broke.
    #[error("cannot reach the server: {0}")]
    Io(#[from] io::Error),
    /// The server refused the login; the text is the server's reason.
    #[error("{0}")]
    Refused(String),
    /// The server said something this client does not understand.
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
    /// The server's certificate is self-signed (or from an unknown
    /// authority) and was never accepted. Compare the fingerprint with the
    /// one the server's administrator gives, then accept it with
    /// [`crate::ClientConfig::accept_certificate`].
    #[error(
        "the server's certificate is not signed by a known authority; its fingerprint is {fingerprint}. \
         Check it with the server's administrator before trusting it"
    )]
    Untrusted {
        /// The certificate's fingerprint.
        fingerprint: Fingerprint,
    },
    /// The server presented a different certificate from the one accepted
    /// before: someone may be impersonating it.
    #[error(
        "WARNING: the server's certificate has changed! Accepted before: {pinned}; presented now: {presented}. \
         Someone may be intercepting the connection. If the administrator replaced the certificate, \
         remove the line for this server from {} and connect again", known_servers.display()
    )]
    CertificateChanged {
        /// The fingerprint accepted before.
        pinned: Fingerprint,
        /// The fingerprint presented now.
        presented: Fingerprint,
        /// The file to edit to reset this server.
        known_servers: PathBuf,
    },
    /// The TLS handshake failed for another reason.
    #[error("TLS handshake failed: {0} (an old server without TLS needs the plaintext option)")]
    Tls(String),
}

/// Why a line of user input is not something to send.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InputError {
    /// Nothing but blanks.
    #[error("nothing to send")]
    Empty,
    /// `@user` or `/dm user` without a message (the seed's warning).
    #[error("write it as @user message")]
    MissingMessage,
    /// The message breaks the text rules.
    #[error("{0}")]
    Text(#[from] TextError),
    /// The name after `@` (or `/dm`) cannot be a user's.
    #[error("no such user ({0})")]
    BadRecipient(UserNameError),
    /// A private message to a name no account has (known from the
    /// member list of `#general`, which holds every account).
    #[error("no such user: {0}")]
    NoSuchUser(String),
    /// A `/` line that is no command.
    #[error("unknown command {0}")]
    UnknownCommand(String),
    /// A command without what it needs; the text is how to write it.
    #[error("write it as {0}")]
    Usage(&'static str),
    /// A room name that breaks the rules.
    #[error("{}", ConversationError::BadRoom)]
    BadRoom,
    /// More people than a group conversation may hold.
    #[error("{}", ConversationError::BadGroup)]
    GroupTooLarge,
    /// A room the user is not in.
    #[error("you are not in {0}; /join {0} first")]
    NotIn(Conversation),
    /// A room the user is only invited to.
    #[error("you are invited to {0}; /join {0} first")]
    OnlyInvited(Conversation),
    /// A room command while the current conversation is not a room.
    #[error("{0} is not a room; /go #room first")]
    NotARoom(Conversation),
    /// A search that cannot be read (`/search` with nothing, an unknown
    /// filter, a bad date).
    #[error("{0}")]
    Query(#[from] media_chat_protocol::QueryError),
    /// A reaction that breaks the rules (see
    /// [`media_chat_protocol::reaction::check_reaction`]).
    #[error("{0}")]
    Reaction(#[from] media_chat_protocol::ReactionError),
    /// [`crate::Client::send_input`] was given a command (see
    /// [`crate::Client::input`]).
    #[error("{0} is a command, not a message")]
    Command(String),
}

/// Why a command could not be sent.
#[derive(Debug, Error)]
pub enum SendError {
    /// The input is not a valid message.
    #[error(transparent)]
    Input(#[from] InputError),
    /// There is no connection right now (or the client is shutting down).
    #[error("not connected")]
    NotConnected,
    /// Too many messages wait for the server already (it has stopped
    /// reading, or the connection has been down a long while). This one
    /// was not taken; such a connection usually drops soon and the client
    /// reconnects and sends what waits.
    #[error("not sent: too many messages are waiting for the server")]
    Congested,
    /// A field holds a character the line format cannot carry.
    #[error("cannot send: {0}")]
    Unsendable(#[from] EncodeError),
    /// The server speaks protocol version 2, which cannot do this (paging).
    #[error("the server is too old for this (protocol version 2)")]
    OldServer,
}

/// Why a transfer was refused before it started.
#[derive(Debug, Error)]
pub enum TransferError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// It is a directory or something else that is not a regular file.
    #[error("{0} is not a regular file")]
    NotAFile(String),
    /// Over the server's size limit.
    #[error("file too large: {size} bytes, the server accepts at most {max}")]
    TooLarge {
        /// The file's size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The extension is not on the server's list.
    #[error("file type not allowed: {extension} (allowed: {allowed})")]
    TypeNotAllowed {
        /// The file's extension, or "no extension".
        extension: String,
        /// The allowed extensions, comma-separated.
        allowed: String,
    },
    /// The file's name cannot be used on the server.
    #[error("bad file name: {0}")]
    BadName(#[from] FileNameError),
    /// There is no connection right now.
    #[error("not connected")]
    NotConnected,
}

/// Why the download cache could not be cleared.
#[derive(Debug, Error)]
#[error("cannot clear the download cache: {0}")]
pub struct CacheError(#[from] pub io::Error);
