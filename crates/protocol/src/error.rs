//! Errors of parsing, encoding and reading messages.
//!
//! [`ParseError`] and [`EncodeError`] are small and comparable, like httparse's
//! `Error`. [`ReadError`] separates what a peer can recover from (a bad line:
//! answer `ERROR|…` and go on) from what breaks the stream (I/O, EOF inside a
//! message, a body not followed by its newline): see
//! [`ReadError::is_recoverable`].

use std::io;

use thiserror::Error;

/// Why one line is not a valid message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// The line is empty.
    #[error("empty line")]
    Empty,
    /// The first field is not a verb this side understands.
    #[error("unknown command {0:?}")]
    UnknownCommand(String),
    /// The line ends before a required field.
    #[error("{command} is missing its {field} field")]
    MissingField {
        /// The verb whose field is missing.
        command: &'static str,
        /// The name of the missing field, as `docs/PROTOCOL.md` names it.
        field: &'static str,
    },
    /// The line has more fields than the verb takes.
    #[error("{command} takes fewer fields")]
    UnexpectedField {
        /// The verb that was given too many fields.
        command: &'static str,
    },
    /// A number field is not plain decimal digits fitting in 64 bits.
    #[error("{command}: {field} must be a plain decimal number")]
    BadNumber {
        /// The verb whose field is wrong.
        command: &'static str,
        /// The field that is not a number.
        field: &'static str,
    },
    /// A `PING`/`PONG` token is empty, longer than
    /// [`crate::fields::MAX_TOKEN_BYTES`], or holds a control or
    /// bidirectional-text character.
    #[error("{command}: token must be 1 to 64 printable characters")]
    BadToken {
        /// The verb whose token is wrong.
        command: &'static str,
    },
    /// A field that must be one of a few words (`public`, `owner`, `0`…)
    /// is none of them.
    #[error("{command}: {field} is not one of its words")]
    BadWord {
        /// The verb whose field is wrong.
        command: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A conversation field is not `#room`, `@user` or `+a,b,c` with valid
    /// names.
    #[error("{command}: conversation must be #room, @user or +user,user,user")]
    BadConversation {
        /// The verb whose conversation is wrong.
        command: &'static str,
    },
    /// A digest field is not 64 hexadecimal digits.
    #[error("{command}: sha256 must be 64 hexadecimal digits")]
    BadDigest {
        /// The verb whose digest is wrong.
        command: &'static str,
    },
}

/// Why a message cannot be written as one line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncodeError {
    /// A field other than the last one contains the `|` separator.
    #[error("{command}: the {field} field contains '|'")]
    Separator {
        /// The verb being encoded.
        command: &'static str,
        /// The field holding the separator.
        field: &'static str,
    },
    /// A field contains `\n` or `\r`, which would end the line early.
    #[error("{command}: the {field} field contains a line break")]
    LineBreak {
        /// The verb being encoded.
        command: &'static str,
        /// The field holding the line break.
        field: &'static str,
    },
    /// A `PING`/`PONG` token is empty, too long or not printable.
    #[error("{command}: token must be 1 to 64 printable characters")]
    BadToken {
        /// The verb being encoded.
        command: &'static str,
    },
    /// A list item contains the `,` list separator (or is empty).
    #[error("{command}: a list item is empty or contains ','")]
    ListItem {
        /// The verb being encoded.
        command: &'static str,
    },
}

/// Why the next message could not be read from a stream.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The underlying stream failed (this includes read time-outs).
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// A line was longer than the reader's limit. It has been skipped up to
    /// its newline, so the stream is in sync again.
    #[error("line longer than {limit} bytes")]
    LineTooLong {
        /// The limit in bytes, newline included.
        limit: usize,
        /// The line's first bytes (at most [`LONG_LINE_HEAD`]), enough to
        /// tell which verb it started with.
        head: Vec<u8>,
    },
    /// A line was not valid UTF-8. It has been skipped.
    #[error("line is not valid UTF-8")]
    InvalidUtf8 {
        /// The raw line, line ending removed.
        line: Vec<u8>,
    },
    /// A line was read whole but is not a valid message.
    #[error("invalid message {line:?}: {cause}")]
    Invalid {
        /// The offending line (lossily decoded, line ending removed).
        line: String,
        /// What is wrong with it.
        #[source]
        cause: ParseError,
    },
    /// The stream ended inside a line or a body.
    #[error("connection closed in the middle of a message")]
    UnexpectedEof,
    /// A file body was not followed by its `\n`: the peer and this side no
    /// longer agree on where messages start.
    #[error("file body not followed by a newline")]
    BadBodyTerminator,
}

/// How many first bytes of an overlong line [`ReadError::LineTooLong`]
/// keeps.
pub const LONG_LINE_HEAD: usize = 32;

/// What a line that could not be read as a message says about a file body
/// following it (see [`ReadError::body_announcement`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyAnnouncement {
    /// Not a `FILE` header: nothing follows the line.
    None,
    /// A `FILE` header whose size field reads as this many bytes: a body of
    /// that size (and its `\n`) may follow.
    Size(u64),
    /// A `FILE` header whose size cannot be read (missing, not a number, or
    /// cut off in an overlong line): nobody can tell where its body ends.
    Unknown,
}

impl BodyAnnouncement {
    /// Reads `line` (raw bytes, line ending removed) as a possible `FILE`
    /// header: `FILE|name|size|…`, the size being the third field.
    pub fn of_line(line: &[u8]) -> BodyAnnouncement {
        let Some(rest) = line.strip_prefix(b"FILE|") else {
            return if line == b"FILE" {
                BodyAnnouncement::Unknown
            } else {
                BodyAnnouncement::None
            };
        };
        let size = rest
            .splitn(3, |&b| b == b'|')
            .nth(1)
            .and_then(|field| std::str::from_utf8(field).ok())
            .and_then(crate::fields::parse_decimal);
        match size {
            Some(size) => BodyAnnouncement::Size(size),
            None => BodyAnnouncement::Unknown,
        }
    }
}

impl ReadError {
    /// Whether the stream is still in sync after this error, so the reader
    /// can answer `ERROR|…` and read the next message. (A peer that sends a
    /// file body right after its header may still have a body on its way:
    /// see [`ReadError::body_announcement`].)
    pub fn is_recoverable(&self) -> bool {
        matches!(
            self,
            ReadError::LineTooLong { .. }
                | ReadError::InvalidUtf8 { .. }
                | ReadError::Invalid { .. }
        )
    }

    /// Whether the refused line was a `FILE` header, and the size of the
    /// body it announced. An overlong `FILE` header's size is never read:
    /// it is [`BodyAnnouncement::Unknown`].
    pub fn body_announcement(&self) -> BodyAnnouncement {
        match self {
            ReadError::Invalid { line, .. } => BodyAnnouncement::of_line(line.as_bytes()),
            ReadError::InvalidUtf8 { line } => BodyAnnouncement::of_line(line),
            ReadError::LineTooLong { head, .. } if head.starts_with(b"FILE|") => {
                BodyAnnouncement::Unknown
            }
            _ => BodyAnnouncement::None,
        }
    }

    /// Whether this is a read time-out (the stream may still be usable).
    pub fn is_timeout(&self) -> bool {
        matches!(self, ReadError::Io(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recoverable_errors_are_the_line_level_ones() {
        assert!(
            ReadError::LineTooLong {
                limit: 8,
                head: Vec::new()
            }
            .is_recoverable()
        );
        assert!(ReadError::InvalidUtf8 { line: Vec::new() }.is_recoverable());
        assert!(
            ReadError::Invalid {
                line: "X".into(),
                cause: ParseError::Empty
            }
            .is_recoverable()
        );
        assert!(!ReadError::UnexpectedEof.is_recoverable());
        assert!(!ReadError::BadBodyTerminator.is_recoverable());
        assert!(!ReadError::Io(io::ErrorKind::BrokenPipe.into()).is_recoverable());
    }

    #[test]
    fn file_headers_announce_their_body() {
        let cases: [(&[u8], BodyAnnouncement); 10] = [
            (b"FILE|a.txt|5|abc", BodyAnnouncement::Size(5)),
            (b"FILE|caf\xe9.txt|12|x", BodyAnnouncement::Size(12)),
            (b"FILE|a.txt|7", BodyAnnouncement::Size(7)),
            (b"FILE|a.txt|7|h|extra", BodyAnnouncement::Size(7)),
            (b"FILE|a.txt|-1|h", BodyAnnouncement::Unknown),
            (b"FILE|a.txt|\xff5|h", BodyAnnouncement::Unknown),
            (b"FILE|a.txt", BodyAnnouncement::Unknown),
            (b"FILE", BodyAnnouncement::Unknown),
            (b"FILES|a|5|h", BodyAnnouncement::None),
            (b"TEXT|FILE|a|5|h", BodyAnnouncement::None),
        ];
        for (line, expected) in cases {
            assert_eq!(
                BodyAnnouncement::of_line(line),
                expected,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        let too_long = ReadError::LineTooLong {
            limit: 8,
            head: b"FILE|aaaa".to_vec(),
        };
        assert_eq!(too_long.body_announcement(), BodyAnnouncement::Unknown);
        let bad_utf8 = ReadError::InvalidUtf8 {
            line: b"FILE|\xff.txt|3|h".to_vec(),
        };
        assert_eq!(bad_utf8.body_announcement(), BodyAnnouncement::Size(3));
        assert_eq!(
            ReadError::UnexpectedEof.body_announcement(),
            BodyAnnouncement::None
        );
    }

    #[test]
    fn timeouts_are_recognised() {
        assert!(ReadError::Io(io::ErrorKind::WouldBlock.into()).is_timeout());
        assert!(ReadError::Io(io::ErrorKind::TimedOut.into()).is_timeout());
        assert!(!ReadError::UnexpectedEof.is_timeout());
    }
}
