//! The media-chat wire protocol, shared by the server, the clients, the tests
//! and the load generator.
//!
//! One message is one UTF-8 line ending in `\n` (a `\r` before it is
//! stripped). Fields are separated by `|`; the last field of a verb takes the
//! rest of the line, so free text may itself contain `|`. A file body follows
//! its header line as exactly `size` raw bytes and one `\n`. `docs/PROTOCOL.md`
//! at the repository root is the full description.
//!
//! # Layout
//! - [`client`]: [`ClientMessage`], every line a client sends, parsed and encoded.
//! - [`conversation`]: [`Conversation`], `#room` or `@user` (version 3).
//! - [`event`]: [`EventLine`], a stored event as version 3 shows it.
//! - [`found`]: [`FoundLine`], a search result as version 3 shows it.
//! - [`preview`]: [`Preview`], what the server learnt of a shared file
//!   (a picture's size and thumbnail, a text's lines, a PDF's pages, a
//!   sound's length).
//! - [`reaction`]: [`Reactions`], a message's reactions, and what a
//!   reaction may be.
//! - [`room`]: [`Visibility`], [`Role`], [`MemberChange`], [`ConversationKind`].
//! - [`server`]: [`ServerMessage`] and [`HistoryEntry`], every line a server sends.
//! - [`fields`]: splitting a line into fields and writing fields back (no I/O).
//! - [`content`]: whether a file's bytes are what its extension says.
//! - [`digest`]: [`Sha256Digest`], the 64-hex-digit file hash used on the wire.
//! - [`rules`]: the naming and text rules every party enforces (user names,
//!   file names, message text).
//! - [`fold`]: text without case and diacritics, as search compares it.
//! - [`search`]: [`SearchQuery`], a search box's words and filters.
//! - [`reader`]: [`MessageReader`], the streaming reader: the next line, or a
//!   raw body of an exact length.
//! - [`error`]: [`ParseError`], [`EncodeError`], [`ReadError`].
#![warn(missing_docs)]

pub mod client;
pub mod content;
pub mod conversation;
pub mod digest;
pub mod error;
pub mod event;
pub mod fields;
pub mod fold;
pub mod found;
pub mod preview;
pub mod reaction;
pub mod reader;
pub mod room;
pub mod rules;
pub mod search;
pub mod server;

pub use client::{AdminCommand, ClientMessage, ModerationAction};
pub use conversation::{Conversation, ConversationError};
pub use digest::Sha256Digest;
pub use error::{BodyAnnouncement, EncodeError, ParseError, ReadError};
pub use event::{EventBody, EventLine};
pub use found::FoundLine;
pub use preview::{Preview, PreviewStatus};
pub use reaction::{ReactionError, Reactions};
pub use reader::MessageReader;
pub use room::{ConversationKind, MemberChange, Role, Visibility};
pub use rules::{FileNameError, TextError, UserNameError};
pub use search::{QueryError, SearchQuery, Term};
pub use server::{HistoryEntry, ServerMessage};

/// The highest protocol version this crate speaks; a client asks for it with
/// `HELLO|3`. A client that never says `HELLO` speaks version 1, the seed's.
pub const PROTOCOL_VERSION: u32 = 3;

/// The longest line a party has to accept, newline included (8 KiB).
pub const MAX_LINE_LEN: usize = 8 * 1024;

/// A message that can be read from one line of the wire.
pub trait ParseLine: Sized {
    /// Parses one line, without its line ending.
    fn parse_line(line: &str) -> Result<Self, ParseError>;
}

/// A message that can be written as one line of the wire.
pub trait EncodeLine {
    /// Appends the message and its `\n` to `out`. On error nothing is appended.
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError>;

    /// Encodes the message into a fresh buffer.
    fn to_line(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        self.encode(&mut out)?;
        Ok(out)
    }
}
