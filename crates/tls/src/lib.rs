//! TLS for media-chat, on the same port as the plaintext protocol.
//!
//! A server tells the two apart by the first byte a client sends: a TLS
//! handshake starts with `0x16` ([`is_tls_hello`]); the plaintext protocol
//! starts with a letter. Both the server and the clients read and write a
//! connection from two threads, which [`split`] makes possible over one
//! rustls state machine.
//!
//! # Layout
//! - `split`: [`handshake`], [`TlsReader`], [`TlsWriter`].
//! - `halves`: [`ReadHalf`], [`WriteHalf`]: either kind of connection.
//! - `deadline`: [`ReadDeadline`], reads bounded by an absolute deadline.
//! - `identity`: [`Identity`], the server's certificate (given or generated).
//! - `trust`: [`TrustOnFirstUse`], [`KnownServers`], [`Distrust`]: how a
//!   client trusts a server.
//! - `fingerprint`: [`Fingerprint`], a certificate's SHA-256.
//! - `error`: [`TlsError`].
#![warn(missing_docs)]

pub mod deadline;
pub mod error;
pub mod fingerprint;
pub mod halves;
pub mod identity;
pub mod split;
pub mod trust;

pub use deadline::ReadDeadline;
pub use error::TlsError;
pub use fingerprint::{BadFingerprint, Fingerprint};
pub use halves::{PlainReader, ReadHalf, WriteHalf, plain};
pub use identity::Identity;
pub use rustls;
pub use split::{Sent, TlsReader, TlsWriter, handshake, handshake_until};
pub use trust::{Distrust, KnownServers, TrustOnFirstUse};

/// The first byte of a TLS handshake record.
pub const TLS_HANDSHAKE_BYTE: u8 = 0x16;

/// Whether a connection's first byte starts a TLS handshake.
pub fn is_tls_hello(first_byte: u8) -> bool {
    first_byte == TLS_HANDSHAKE_BYTE
}
