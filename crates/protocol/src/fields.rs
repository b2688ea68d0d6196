//! Splitting a line into `|`-separated fields and writing fields back.
//!
//! Both halves know the one rule of the format: every field but the last ends
//! at the next `|`; the last field takes the rest of the line, so free text
//! may contain `|`. Neither half does any I/O.

use crate::conversation::Conversation;
use crate::digest::Sha256Digest;
use crate::error::{EncodeError, ParseError};

/// The longest `PING`/`PONG` token, in bytes.
pub const MAX_TOKEN_BYTES: usize = 64;

/// Reads the fields after a verb, one at a time, naming each so errors can
/// say which one is missing or wrong.
pub struct FieldReader<'a> {
    command: &'static str,
    rest: Option<&'a str>,
}

impl<'a> FieldReader<'a> {
    /// Starts reading the fields that follow `command` (`rest` is `None` when
    /// the line holds the verb alone).
    pub fn new(command: &'static str, rest: Option<&'a str>) -> Self {
        FieldReader { command, rest }
    }

    /// The next field, which ends at the next `|` (or at the end of the line).
    pub fn next(&mut self, field: &'static str) -> Result<&'a str, ParseError> {
        let rest = self.rest.ok_or(ParseError::MissingField {
            command: self.command,
            field,
        })?;
        match rest.split_once('|') {
            Some((value, tail)) => {
                self.rest = Some(tail);
                Ok(value)
            }
            None => {
                self.rest = None;
                Ok(rest)
            }
        }
    }

    /// The last field: the rest of the line, `|` included.
    pub fn last(&mut self, field: &'static str) -> Result<&'a str, ParseError> {
        self.rest.take().ok_or(ParseError::MissingField {
            command: self.command,
            field,
        })
    }

    /// The last field as a `PING`/`PONG` token: 1 to [`MAX_TOKEN_BYTES`]
    /// bytes, no control or bidirectional-text characters (a token is
    /// echoed back, so it must be safe to show and to encode).
    pub fn token(&mut self, field: &'static str) -> Result<&'a str, ParseError> {
        let token = self.last(field)?;
        if !is_valid_token(token) {
            return Err(ParseError::BadToken {
                command: self.command,
            });
        }
        Ok(token)
    }

    /// The next field as a send token (see [`is_valid_token`]; a token
    /// that is not the last field cannot hold `|` either).
    pub fn next_token(&mut self, field: &'static str) -> Result<&'a str, ParseError> {
        let token = self.next(field)?;
        if !is_valid_token(token) {
            return Err(ParseError::BadToken {
                command: self.command,
            });
        }
        Ok(token)
    }

    /// The next field as a conversation name (`#room` or `@user`).
    pub fn conversation(&mut self, field: &'static str) -> Result<Conversation, ParseError> {
        let text = self.next(field)?;
        Conversation::parse(text).map_err(|_| ParseError::BadConversation {
            command: self.command,
        })
    }

    /// The next field as one of a type's wire words (see `room`).
    pub fn word<T: std::str::FromStr>(&mut self, field: &'static str) -> Result<T, ParseError> {
        let text = self.next(field)?;
        text.parse().map_err(|_| ParseError::BadWord {
            command: self.command,
            field,
        })
    }

    /// The next field as `0` or `1`.
    pub fn flag(&mut self, field: &'static str) -> Result<bool, ParseError> {
        match self.next(field)? {
            "0" => Ok(false),
            "1" => Ok(true),
            _ => Err(ParseError::BadWord {
                command: self.command,
                field,
            }),
        }
    }

    /// The next field parsed as a plain decimal number.
    pub fn number(&mut self, field: &'static str) -> Result<u64, ParseError> {
        let text = self.next(field)?;
        parse_decimal(text).ok_or(ParseError::BadNumber {
            command: self.command,
            field,
        })
    }

    /// The next field parsed as a SHA-256 digest.
    pub fn digest(&mut self, field: &'static str) -> Result<Sha256Digest, ParseError> {
        let text = self.next(field)?;
        Sha256Digest::from_hex(text).ok_or(ParseError::BadDigest {
            command: self.command,
        })
    }

    /// Whether another field follows.
    pub fn has_more(&self) -> bool {
        self.rest.is_some()
    }

    /// Checks that no field is left over.
    pub fn finish(self) -> Result<(), ParseError> {
        match self.rest {
            None => Ok(()),
            Some(_) => Err(ParseError::UnexpectedField {
                command: self.command,
            }),
        }
    }
}

/// Whether `token` may be a `PING`/`PONG` token: 1 to [`MAX_TOKEN_BYTES`]
/// bytes, no control or bidirectional-text characters.
pub fn is_valid_token(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= MAX_TOKEN_BYTES
        && !token
            .chars()
            .any(|c| c.is_control() || crate::rules::is_bidi_control(c))
}

/// Splits a line into its verb and the text after the first `|`, if any.
pub fn split_verb(line: &str) -> Result<(&str, Option<&str>), ParseError> {
    if line.is_empty() {
        return Err(ParseError::Empty);
    }
    Ok(match line.split_once('|') {
        Some((verb, rest)) => (verb, Some(rest)),
        None => (line, None),
    })
}

/// Parses plain decimal digits (no sign, no spaces, no base prefix) into a
/// `u64`. Anything else, including overflow, is `None`.
pub fn parse_decimal(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Builds one line field by field. On any error the output buffer is left as
/// it was.
pub struct LineWriter<'a> {
    command: &'static str,
    out: &'a mut Vec<u8>,
    start: usize,
    failed: Option<EncodeError>,
}

impl<'a> LineWriter<'a> {
    /// Starts a line with its verb.
    pub fn new(command: &'static str, out: &'a mut Vec<u8>) -> Self {
        let start = out.len();
        out.extend_from_slice(command.as_bytes());
        LineWriter {
            command,
            out,
            start,
            failed: None,
        }
    }

    /// Appends a field that may not contain `|`.
    pub fn field(mut self, field: &'static str, value: &str) -> Self {
        if value.contains('|') {
            self.fail(EncodeError::Separator {
                command: self.command,
                field,
            });
        }
        self.push(field, value)
    }

    /// Appends the last field, which may contain `|`.
    pub fn last(self, field: &'static str, value: &str) -> Self {
        self.push(field, value)
    }

    /// Appends a `PING`/`PONG` token as the last field (see
    /// [`is_valid_token`]).
    pub fn token(mut self, field: &'static str, value: &str) -> Self {
        if !is_valid_token(value) {
            self.fail(EncodeError::BadToken {
                command: self.command,
            });
        }
        self.push(field, value)
    }

    /// Appends a token as a field that is not the last (see
    /// [`is_valid_token`]; it may not hold `|` either).
    pub fn field_token(mut self, field: &'static str, value: &str) -> Self {
        if !is_valid_token(value) {
            self.fail(EncodeError::BadToken {
                command: self.command,
            });
        }
        self.field(field, value)
    }

    /// Appends a decimal number field.
    ///
    /// Written from a stack buffer, not `to_string`: no allocation, and
    /// the formatting machinery's frames stay off the stack of whoever
    /// encodes (a session thread keeps every stack page it touched).
    pub fn number(self, field: &'static str, mut value: u64) -> Self {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        // Only ASCII digits were written.
        let text = std::str::from_utf8(&digits[start..]).unwrap_or_default();
        self.push(field, text)
    }

    /// Appends a digest field.
    pub fn digest(self, field: &'static str, value: &Sha256Digest) -> Self {
        self.push(field, &value.to_hex())
    }

    /// Appends a comma-separated list field; items may not be empty or
    /// contain `,` or `|`.
    pub fn list(mut self, field: &'static str, items: &[String]) -> Self {
        if items
            .iter()
            .any(|item| item.is_empty() || item.contains(','))
        {
            self.fail(EncodeError::ListItem {
                command: self.command,
            });
        }
        self.field(field, &items.join(","))
    }

    /// Ends the line with `\n`, or undoes everything written on error.
    pub fn finish(self) -> Result<(), EncodeError> {
        match self.failed {
            None => {
                self.out.push(b'\n');
                Ok(())
            }
            Some(error) => {
                self.out.truncate(self.start);
                Err(error)
            }
        }
    }

    fn push(mut self, field: &'static str, value: &str) -> Self {
        if value.contains(['\n', '\r']) {
            self.fail(EncodeError::LineBreak {
                command: self.command,
                field,
            });
        }
        self.out.push(b'|');
        self.out.extend_from_slice(value.as_bytes());
        self
    }

    fn fail(&mut self, error: EncodeError) {
        self.failed.get_or_insert(error);
    }
}

/// Splits a comma-separated list field; an empty field is an empty list.
pub fn split_list(text: &str) -> Vec<String> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.split(',').map(str::to_owned).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_in_decimal_from_zero_to_the_largest() {
        for value in [0, 7, 10, 1234567890, u64::MAX] {
            let mut out = Vec::new();
            LineWriter::new("SYNCED", &mut out)
                .number("last_id", value)
                .finish()
                .unwrap();
            assert_eq!(out, format!("SYNCED|{value}\n").into_bytes());
        }
    }

    #[test]
    fn last_field_keeps_pipes() {
        let mut fields = FieldReader::new("DM", Some("bob|a|b|c"));
        assert_eq!(fields.next("to"), Ok("bob"));
        assert_eq!(fields.last("message"), Ok("a|b|c"));
        assert_eq!(fields.finish(), Ok(()));
    }

    #[test]
    fn missing_and_extra_fields_are_named() {
        let mut fields = FieldReader::new("DM", Some("bob"));
        assert_eq!(fields.next("to"), Ok("bob"));
        assert_eq!(
            fields.last("message"),
            Err(ParseError::MissingField {
                command: "DM",
                field: "message"
            })
        );
        let mut fields = FieldReader::new("GET", Some("a|b"));
        assert_eq!(fields.next("name"), Ok("a"));
        assert_eq!(
            fields.finish(),
            Err(ParseError::UnexpectedField { command: "GET" })
        );
    }

    #[test]
    fn decimal_is_digits_only() {
        assert_eq!(parse_decimal("0"), Some(0));
        assert_eq!(parse_decimal("10485760"), Some(10_485_760));
        for bad in [
            "",
            "+5",
            "-5",
            " 5",
            "5 ",
            "0x10",
            "5e3",
            "1_000",
            "٣",
            "18446744073709551616",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn writer_undoes_a_failed_line() {
        let mut out = b"before\n".to_vec();
        let result = LineWriter::new("DM", &mut out)
            .field("to", "a|b")
            .last("message", "hi")
            .finish();
        assert_eq!(
            result,
            Err(EncodeError::Separator {
                command: "DM",
                field: "to"
            })
        );
        assert_eq!(out, b"before\n");
        let result = LineWriter::new("TEXT", &mut out)
            .last("message", "a\rb")
            .finish();
        assert!(matches!(result, Err(EncodeError::LineBreak { .. })));
        assert_eq!(out, b"before\n");
    }

    #[test]
    fn lists_split_and_join() {
        assert_eq!(split_list(""), Vec::<String>::new());
        assert_eq!(split_list("a,b"), vec!["a".to_string(), "b".to_string()]);
        let mut out = Vec::new();
        let bad = LineWriter::new("USERS", &mut out)
            .list("users", &["a,b".to_string()])
            .finish();
        assert_eq!(bad, Err(EncodeError::ListItem { command: "USERS" }));
    }
}
