//! The streaming reader: the next line-message, or a raw body of an exact
//! length.
//!
//! Shaped like mini-redis's `Connection::read_frame`: `Ok(None)` is a clean
//! end of stream between messages, an end of stream inside a line or body is
//! an error. A line that is too long is skipped up to its newline without
//! being buffered, so a peer cannot make the reader grow without bound and
//! the stream is in sync again when the error is returned.
//!
//! A read time-out (`WouldBlock`/`TimedOut`) inside a line loses nothing: the
//! bytes read so far stay buffered and the next call carries on.

use std::io::{self, BufRead, Read};

use crate::error::{LONG_LINE_HEAD, ReadError};
use crate::{MAX_LINE_LEN, ParseLine};

/// Reads messages of type `M` and file bodies from a buffered stream.
#[derive(Debug)]
pub struct MessageReader<R> {
    inner: R,
    line: Vec<u8>,
    max_line_len: usize,
    /// Set while skipping the rest of an overlong line.
    discarding: bool,
}

impl<R: BufRead> MessageReader<R> {
    /// A reader with the default [`MAX_LINE_LEN`] limit.
    pub fn new(inner: R) -> Self {
        Self::with_max_line_len(inner, MAX_LINE_LEN)
    }

    /// A reader that refuses lines longer than `max_line_len` bytes, newline
    /// included.
    pub fn with_max_line_len(inner: R, max_line_len: usize) -> Self {
        MessageReader {
            inner,
            line: Vec::new(),
            max_line_len,
            discarding: false,
        }
    }

    /// The underlying stream.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The underlying stream, mutably (to set time-outs, say).
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// Reads the next line and parses it as an `M`.
    pub fn read_message<M: ParseLine>(&mut self) -> Result<Option<M>, ReadError> {
        let Some(line) = self.read_line()? else {
            return Ok(None);
        };
        M::parse_line(&line)
            .map(Some)
            .map_err(|cause| ReadError::Invalid { line, cause })
    }

    /// Reads the next line as text, without its `\n` or `\r\n`.
    pub fn read_line(&mut self) -> Result<Option<String>, ReadError> {
        loop {
            let available = match self.inner.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            if available.is_empty() {
                return if self.line.is_empty() && !self.discarding {
                    Ok(None)
                } else {
                    Err(ReadError::UnexpectedEof)
                };
            }
            let (chunk, complete) = match available.iter().position(|&b| b == b'\n') {
                Some(end) => (&available[..end], true),
                None => (available, false),
            };
            let taken = chunk.len() + usize::from(complete);
            if !self.discarding {
                // The limit counts the newline, hence the `>=`.
                if self.line.len() + chunk.len() >= self.max_line_len {
                    // Keep the head, so the error can say which verb this
                    // was (a `FILE` header announces a body).
                    self.discarding = true;
                    let head = LONG_LINE_HEAD
                        .saturating_sub(self.line.len())
                        .min(chunk.len());
                    self.line.extend_from_slice(&chunk[..head]);
                    self.line.truncate(LONG_LINE_HEAD);
                } else {
                    self.line.extend_from_slice(chunk);
                }
            }
            self.inner.consume(taken);
            if complete {
                return self.take_line().map(Some);
            }
        }
    }

    /// The body that follows a file header: exactly `size` bytes. Read it to
    /// the end (or drain it with [`MessageReader::skip_body`]), then call
    /// [`MessageReader::finish_body`].
    pub fn body(&mut self, size: u64) -> io::Take<&mut R> {
        (&mut self.inner).take(size)
    }

    /// Reads and throws away a body of `size` bytes, keeping the stream in
    /// sync after a refused upload. Ends with the body's `\n`.
    pub fn skip_body(&mut self, size: u64) -> Result<(), ReadError> {
        let copied = io::copy(&mut self.body(size), &mut io::sink())?;
        if copied < size {
            return Err(ReadError::UnexpectedEof);
        }
        self.finish_body()
    }

    /// Reads the `\n` that must follow a body.
    pub fn finish_body(&mut self) -> Result<(), ReadError> {
        let mut byte = [0u8; 1];
        loop {
            match self.inner.read(&mut byte) {
                Ok(0) => return Err(ReadError::UnexpectedEof),
                Ok(_) if byte[0] == b'\n' => return Ok(()),
                Ok(_) => return Err(ReadError::BadBodyTerminator),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Whether part of a line has been read and the rest is still awaited.
    pub fn has_partial_line(&self) -> bool {
        !self.line.is_empty() || self.discarding
    }

    fn take_line(&mut self) -> Result<String, ReadError> {
        if std::mem::take(&mut self.discarding) {
            return Err(ReadError::LineTooLong {
                limit: self.max_line_len,
                head: std::mem::take(&mut self.line),
            });
        }
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        let bytes = std::mem::take(&mut self.line);
        String::from_utf8(bytes).map_err(|e| ReadError::InvalidUtf8 {
            line: e.into_bytes(),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Cursor};

    use proptest::prelude::*;

    use super::*;
    use crate::{ClientMessage, ParseError, Sha256Digest};

    fn reader(bytes: &[u8]) -> MessageReader<Cursor<Vec<u8>>> {
        MessageReader::new(Cursor::new(bytes.to_vec()))
    }

    /// A stream that hands out one byte per `read`, then a time-out every
    /// other call, like a slow socket with a read time-out.
    struct Trickle {
        bytes: Vec<u8>,
        at: usize,
        stall: bool,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.stall = !self.stall;
            if self.stall {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            match self.bytes.get(self.at) {
                Some(&b) if !buf.is_empty() => {
                    buf[0] = b;
                    self.at += 1;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    const HASH: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    #[test]
    fn reads_lines_and_strips_crlf() {
        let mut r = reader(b"TEXT|a\r\nTEXT|b|c\n");
        assert_eq!(
            r.read_message::<ClientMessage>().unwrap(),
            Some(ClientMessage::Text { text: "a".into() })
        );
        assert_eq!(
            r.read_message::<ClientMessage>().unwrap(),
            Some(ClientMessage::Text { text: "b|c".into() })
        );
        assert!(r.read_message::<ClientMessage>().unwrap().is_none());
    }

    #[test]
    fn two_commands_in_one_read() {
        let mut r = MessageReader::new(BufReader::new(Cursor::new(b"PING|1\nPING|2\n".to_vec())));
        assert_eq!(r.read_line().unwrap().as_deref(), Some("PING|1"));
        assert_eq!(r.read_line().unwrap().as_deref(), Some("PING|2"));
        assert_eq!(r.read_line().unwrap(), None);
    }

    #[test]
    fn eof_inside_a_line_is_an_error() {
        let mut r = reader(b"TEXT|unfinished");
        assert!(matches!(r.read_line(), Err(ReadError::UnexpectedEof)));
    }

    #[test]
    fn overlong_line_is_skipped_and_the_stream_resyncs() {
        let mut input = vec![b'x'; 20_000];
        input.extend_from_slice(b"\nTEXT|after\n");
        let mut r = MessageReader::new(BufReader::with_capacity(512, Cursor::new(input)));
        let err = r.read_line().unwrap_err();
        assert!(matches!(
            &err,
            ReadError::LineTooLong {
                limit: MAX_LINE_LEN,
                head,
            } if head == &[b'x'; 32]
        ));
        assert!(err.is_recoverable());
        assert!(!r.has_partial_line());
        assert_eq!(r.read_line().unwrap().as_deref(), Some("TEXT|after"));
    }

    #[test]
    fn a_line_cut_by_a_time_out_is_partial_until_it_ends() {
        let mut r = MessageReader::new(BufReader::with_capacity(
            1,
            Trickle {
                bytes: b"TEXT|ab\n".to_vec(),
                at: 0,
                stall: false,
            },
        ));
        assert!(!r.has_partial_line());
        let mut saw_partial = false;
        let line = loop {
            match r.read_line() {
                Err(e) if e.is_timeout() => saw_partial |= r.has_partial_line(),
                other => break other.unwrap(),
            }
        };
        assert_eq!(line.as_deref(), Some("TEXT|ab"));
        assert!(saw_partial);
        assert!(!r.has_partial_line());
    }

    #[test]
    fn an_overlong_line_keeps_its_head_across_reads() {
        let mut input = b"FILE|".to_vec();
        input.resize(10_000, b'n');
        input.extend_from_slice(b"|5|h\n");
        let mut r = MessageReader::new(BufReader::with_capacity(3, Cursor::new(input)));
        match r.read_line() {
            Err(ReadError::LineTooLong { head, .. }) => {
                assert_eq!(head.len(), crate::error::LONG_LINE_HEAD);
                assert!(head.starts_with(b"FILE|nnn"));
            }
            other => panic!("expected LineTooLong, got {other:?}"),
        }
    }

    #[test]
    fn line_limit_counts_the_newline() {
        let limit = 16;
        let fits = format!("{}\n", "a".repeat(limit - 1));
        let too_long = format!("{}\n", "a".repeat(limit));
        let mut r = MessageReader::with_max_line_len(
            Cursor::new(format!("{fits}{too_long}").into_bytes()),
            limit,
        );
        assert_eq!(r.read_line().unwrap().map(|l| l.len()), Some(limit - 1));
        assert!(matches!(r.read_line(), Err(ReadError::LineTooLong { .. })));
    }

    #[test]
    fn invalid_utf8_and_bad_lines_are_recoverable() {
        let mut r = reader(b"TEXT|\xff\xfe\nNOPE\nQUIT\n");
        assert!(
            matches!(r.read_line(), Err(ReadError::InvalidUtf8 { line }) if line == b"TEXT|\xff\xfe")
        );
        let err = r.read_message::<ClientMessage>().unwrap_err();
        assert!(matches!(
            &err,
            ReadError::Invalid { line, cause: ParseError::UnknownCommand(_) } if line == "NOPE"
        ));
        assert!(err.is_recoverable());
        assert_eq!(
            r.read_message::<ClientMessage>().unwrap(),
            Some(ClientMessage::Quit)
        );
    }

    #[test]
    fn header_then_exact_body_then_next_line() {
        let input = format!("FILE|a.txt|5|{HASH}\nhello\nQUIT\n");
        let mut r = reader(input.as_bytes());
        let Some(ClientMessage::File { size, sha256, .. }) = r.read_message().unwrap() else {
            panic!("expected FILE");
        };
        assert_eq!(sha256, Sha256Digest::from_hex(HASH).unwrap());
        let mut body = Vec::new();
        r.body(size).read_to_end(&mut body).unwrap();
        assert_eq!(body, b"hello");
        r.finish_body().unwrap();
        assert_eq!(
            r.read_message::<ClientMessage>().unwrap(),
            Some(ClientMessage::Quit)
        );
    }

    #[test]
    fn body_may_hold_newlines_and_pipes() {
        let mut r = reader(b"a\n|b\n\nQUIT\n");
        let mut body = Vec::new();
        r.body(5).read_to_end(&mut body).unwrap();
        assert_eq!(body, b"a\n|b\n");
        r.finish_body().unwrap();
        assert_eq!(r.read_line().unwrap().as_deref(), Some("QUIT"));
    }

    #[test]
    fn skipped_body_keeps_sync() {
        let mut r = reader(b"12345\nQUIT\n");
        r.skip_body(5).unwrap();
        assert_eq!(r.read_line().unwrap().as_deref(), Some("QUIT"));
    }

    #[test]
    fn body_without_its_newline_is_fatal() {
        let mut r = reader(b"12345XQUIT\n");
        let err = r.skip_body(5).unwrap_err();
        assert!(matches!(err, ReadError::BadBodyTerminator));
        assert!(!err.is_recoverable());
        let mut r = reader(b"123");
        assert!(matches!(r.skip_body(5), Err(ReadError::UnexpectedEof)));
    }

    #[test]
    fn one_byte_reads_with_timeouts_lose_nothing() {
        let input = format!("PING|1\nFILE|a.txt|5|{HASH}\nhello\nTEXT|bye\n");
        let mut r = MessageReader::new(BufReader::with_capacity(
            1,
            Trickle {
                bytes: input.into_bytes(),
                at: 0,
                stall: false,
            },
        ));
        let next = |r: &mut MessageReader<_>| loop {
            match r.read_message::<ClientMessage>() {
                Err(e) if e.is_timeout() => continue,
                other => return other.unwrap(),
            }
        };
        assert_eq!(
            next(&mut r),
            Some(ClientMessage::Ping { token: "1".into() })
        );
        assert!(matches!(
            next(&mut r),
            Some(ClientMessage::File { size: 5, .. })
        ));
        let mut body = Vec::new();
        let mut take = r.body(5);
        let mut buf = [0u8; 8];
        while body.len() < 5 {
            match take.read(&mut buf) {
                Ok(n) => body.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(body, b"hello");
        loop {
            match r.finish_body() {
                Err(ReadError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => continue,
                other => break other.unwrap(),
            }
        }
        assert_eq!(
            next(&mut r),
            Some(ClientMessage::Text { text: "bye".into() })
        );
        assert_eq!(next(&mut r), None);
    }

    proptest! {
        /// Every strict prefix of a header plus body reads as "incomplete"
        /// (end of stream inside the message), never as a wrong message.
        #[test]
        fn prefixes_of_a_file_message_never_yield_a_wrong_message(cut in 0usize..90) {
            let whole = format!("FILE|ảnh.png|5|{HASH}\nhello\n");
            let cut = cut.min(whole.len() - 1);
            let mut r = reader(&whole.as_bytes()[..cut]);
            match r.read_message::<ClientMessage>() {
                Ok(None) => prop_assert_eq!(cut, 0),
                Err(ReadError::UnexpectedEof) => {}
                Ok(Some(ClientMessage::File { name, size, .. })) => {
                    prop_assert_eq!(name, "ảnh.png");
                    let mut body = Vec::new();
                    let read = r.body(size).read_to_end(&mut body).unwrap();
                    let finished = r.finish_body();
                    prop_assert!(read < 5 || finished.is_err());
                }
                Err(ReadError::InvalidUtf8 { .. }) => prop_assert!(false, "cut inside a character must not pass as a line"),
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }

        /// Arbitrary bytes never panic the reader, and it always terminates.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let mut r = MessageReader::with_max_line_len(Cursor::new(bytes), 64);
            for _ in 0..5000 {
                match r.read_message::<ClientMessage>() {
                    Ok(None) => break,
                    Err(e) if !e.is_recoverable() => break,
                    _ => {}
                }
            }
        }
    }
}
