//! A search result as version 3 shows it:
//! `FOUND|token|matches|id|ts|conversation|kind|…`.
//!
//! `matches` lists where the query's words are in the event's text (a
//! message's text, a shared file's name) as byte ranges `start-end`,
//! separated by `,` (empty when none are marked); the rest of the line is
//! an `EVENT` line's fields. A reader checks the ranges against the text,
//! so a result can be highlighted without trusting the sender.

use std::ops::Range;

use crate::error::ParseError;
use crate::event::{EventBody, EventLine};
use crate::fields::{FieldReader, LineWriter, parse_decimal};

/// `FOUND|token|matches|id|ts|conversation|kind|…` (v3): one result of the
/// `SEARCH` sent with `token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundLine {
    /// The search's token.
    pub token: String,
    /// Where the query matched in [`FoundLine::text`]: byte ranges on
    /// character boundaries, in order, not overlapping.
    pub matches: Vec<Range<usize>>,
    /// The event found: a message or a shared file.
    pub event: EventLine,
}

impl FoundLine {
    /// The text the matches are ranges of: a message's text, a file's
    /// name, or nothing for other events.
    pub fn text(&self) -> &str {
        searched_text(&self.event.body)
    }

    /// Reads the fields after `FOUND|`.
    pub(crate) fn parse_fields(rest: Option<&str>) -> Result<FoundLine, ParseError> {
        let mut f = FieldReader::new("FOUND", rest);
        let token = f.next_token("token")?.to_owned();
        let matches = f.next("matches")?;
        let event = EventLine::parse_fields(f.last("event").ok())?;
        let bad = ParseError::BadWord {
            command: "FOUND",
            field: "matches",
        };
        let matches = parse_ranges(matches, searched_text(&event.body)).ok_or(bad)?;
        Ok(FoundLine {
            token,
            matches,
            event,
        })
    }

    /// Writes the fields after `FOUND|`.
    pub(crate) fn encode_fields<'a>(&self, line: LineWriter<'a>) -> LineWriter<'a> {
        let ranges = self
            .matches
            .iter()
            .map(|range| format!("{}-{}", range.start, range.end))
            .collect::<Vec<_>>()
            .join(",");
        self.event.encode_fields(
            line.field_token("token", &self.token)
                .field("matches", &ranges),
        )
    }
}

fn searched_text(body: &EventBody) -> &str {
    match body {
        EventBody::Text { text, .. }
        | EventBody::Edited { text, .. }
        | EventBody::Reply { text, .. } => text,
        EventBody::File { name, .. } => name,
        EventBody::Member { .. }
        | EventBody::Topic { .. }
        | EventBody::Deleted { .. }
        | EventBody::Edit { .. }
        | EventBody::Delete { .. }
        | EventBody::FileDelete { .. }
        | EventBody::FileDeleted { .. }
        | EventBody::React { .. } => "",
    }
}

/// `start-end,…` as ranges of `text`, if every one is in order, on
/// character boundaries, and after the one before.
fn parse_ranges(field: &str, text: &str) -> Option<Vec<Range<usize>>> {
    if field.is_empty() {
        return Some(Vec::new());
    }
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for part in field.split(',') {
        let (start, end) = part.split_once('-')?;
        let start = usize::try_from(parse_decimal(start)?).ok()?;
        let end = usize::try_from(parse_decimal(end)?).ok()?;
        let after_previous = ranges.last().is_none_or(|last| last.end <= start);
        if start >= end || !after_previous || text.get(start..end).is_none() {
            return None;
        }
        ranges.push(start..end);
    }
    Some(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::Conversation;
    use crate::{EncodeLine, ParseLine, ServerMessage};

    fn found(matches: Vec<Range<usize>>, text: &str) -> FoundLine {
        FoundLine {
            token: "s1".into(),
            matches,
            event: EventLine {
                id: 7,
                ts: 1_764_072_000,
                conversation: Conversation::Room("general".into()),
                body: EventBody::Text {
                    from: "an".into(),
                    text: text.into(),
                },
            },
        }
    }

    #[test]
    fn a_result_round_trips_with_its_matches() {
        let line = ServerMessage::Found(found(vec![0..5, 12..16], "Chào Đăng | bài"));
        let encoded = String::from_utf8(line.to_line().unwrap()).unwrap();
        assert_eq!(
            encoded,
            "FOUND|s1|0-5,12-16|7|1764072000|#general|TEXT|an|Chào Đăng | bài\n"
        );
        assert_eq!(ServerMessage::parse_line(encoded.trim_end()).unwrap(), line);
        let none = ServerMessage::Found(found(vec![], "x"));
        let encoded = String::from_utf8(none.to_line().unwrap()).unwrap();
        assert_eq!(encoded, "FOUND|s1||7|1764072000|#general|TEXT|an|x\n");
        assert_eq!(ServerMessage::parse_line(encoded.trim_end()).unwrap(), none);
    }

    #[test]
    fn ranges_outside_the_text_or_inside_a_character_are_refused() {
        for matches in ["0-99", "1-3", "3-1", "0-2,1-3", "a-b", "0-", "5"] {
            let line = format!("FOUND|s1|{matches}|7|1|#general|TEXT|an|Chào");
            assert!(
                ServerMessage::parse_line(&line).is_err(),
                "{matches} was accepted"
            );
        }
    }
}
