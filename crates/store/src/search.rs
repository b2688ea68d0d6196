//! Full-text search: the events a user may see whose text (a message's,
//! or a shared file's name) holds every term of a query, best first.
//!
//! The index (`search_index`, FTS5, see `schema/0004_search.sql` and
//! `0011_search_prefix.sql`) holds folded text with each event's author,
//! kept right behind the events by the writer
//! (`index.rs`); words are ranked among their newest matches, a window at
//! a time, so a common word costs no more than a rare one;
//! terms arrive folded ([`media_chat_protocol::fold`]). Only
//! the conversations the user is in now are searched, so a room left or a
//! direct conversation of two others never shows. The words that matched
//! are found again in the original text, for highlighting.

use std::ops::Range;

use media_chat_protocol::Term;
use media_chat_protocol::fold::words;
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use crate::StoreError;
use crate::read::visible;
use crate::sql::{self, EVENT_COLUMNS, EVENT_JOIN, to_sql};
use crate::types::{Conversation, Event, EventBody};

/// The most results one search returns.
pub const MAX_RESULTS: usize = 100;

/// The newest matches a search with words ranks at first; each further
/// window (while too few of them are the user's to see) is twice as big.
const FIRST_WINDOW: usize = 1000;

/// The most matches one search with words ranks: a word in most of a
/// million messages is ranked among its newest this many, so its cost
/// stays bounded (docs/BENCHMARKS.md, "Search").
pub const MAX_RANKED: usize = 31_000;

/// A search, its names already resolved by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// Words, prefixes and phrases (folded), all of which must match; none:
    /// the filters alone choose, newest first.
    pub terms: Vec<Term>,
    /// Only events by the user with this key.
    pub author: Option<String>,
    /// Only events of this conversation (which the viewer must be in).
    pub conversation: Option<Conversation>,
    /// Only shared files.
    pub files_only: bool,
    /// Only events stored before this time (seconds since the epoch).
    pub before: Option<u64>,
    /// Only events stored at or after this time.
    pub after: Option<u64>,
    /// At most this many results (capped at [`MAX_RESULTS`]).
    pub limit: usize,
}

/// One result: the event and where in its text the terms matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The event: a message or a file share.
    pub event: Event,
    /// Byte ranges of the matching words in the message's text (or the
    /// file's name), in order, not overlapping.
    pub matches: Vec<Range<usize>>,
}

/// The answer to a [`Search`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// The results, best first (the best match, then the newest).
    pub hits: Vec<Hit>,
    /// Whether more matched than were returned.
    pub more: bool,
}

/// Runs `search` for the user with key `viewer`.
pub(crate) fn search(db: &Connection, viewer: &str, search: &Search) -> Result<Found, StoreError> {
    let mut allowed: Vec<i64> = sql::conversations_of(db, viewer)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    if let Some(conversation) = &search.conversation {
        let id = sql::conversation_id(db, conversation, false)?;
        match id {
            Some(id) if allowed.contains(&id) && visible(db, id, conversation, viewer)? => {
                allowed = vec![id];
            }
            // Nothing was ever said there (a direct conversation not yet
            // started): nothing to find.
            None if conversation.visible_to(viewer) == Some(true) => return Ok(Found::default()),
            _ => return Err(StoreError::NoSuchConversation),
        }
    }
    let limit = search.limit.clamp(1, MAX_RESULTS);
    let (mut events, more) = match match_expression(&search.terms) {
        Some(words) => {
            // The author, held by the index, narrows the match there.
            let mut expression = format!("body : ({words})");
            if let Some(author) = &search.author {
                expression += &format!(" AND author : \"{}\"", hex_upper(author));
            }
            ranked(db, search, &allowed, &expression, limit)?
        }
        None => {
            let (query, values) = statement(search, &allowed, None, limit + 1);
            let mut events: Vec<Event> = db
                .prepare_cached(&query)?
                .query_map(params_from_iter(values), sql::event_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            let more = events.len() > limit;
            events.truncate(limit);
            (events, more)
        }
    };
    events.truncate(limit);
    let hits = events
        .into_iter()
        .map(|event| Hit {
            matches: matches(searched_text(&event), &search.terms),
            event,
        })
        .collect();
    Ok(Found { hits, more })
}

/// The best `limit` events matching `expression` that pass the filters,
/// ranked among the newest matches: windows of them, newest first, until
/// more than `limit` pass or [`MAX_RANKED`] were looked at. Whether more
/// matched comes back too.
fn ranked(
    db: &Connection,
    search: &Search,
    allowed: &[i64],
    expression: &str,
    limit: usize,
) -> Result<(Vec<Event>, bool), StoreError> {
    let mut passed: Vec<(f64, Event)> = Vec::new();
    let mut below = i64::MAX;
    let mut window = FIRST_WINDOW;
    let mut looked = 0;
    let exhausted = loop {
        let candidates: Vec<(i64, f64)> = db
            .prepare_cached(
                "SELECT rowid, rank FROM search_index WHERE search_index MATCH ?1 \
                 AND rowid < ?2 ORDER BY rowid DESC LIMIT ?3",
            )?
            .query_map(
                rusqlite::params![expression, below, to_sql(window as u64)],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?
            .collect::<rusqlite::Result<_>>()?;
        let Some(&(oldest, _)) = candidates.last() else {
            break true;
        };
        below = oldest;
        looked += candidates.len();
        let ranks: std::collections::HashMap<i64, f64> = candidates.iter().copied().collect();
        let ids = candidates
            .iter()
            .map(|(id, _)| id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let (query, values) = statement(search, allowed, Some(format!("[{ids}]")), window);
        let mut prepared = db.prepare_cached(&query)?;
        let events = prepared.query_map(params_from_iter(values), sql::event_from_row)?;
        for event in events {
            let event = event?;
            let rank = ranks.get(&(event.id.0 as i64)).copied().unwrap_or(f64::MAX);
            passed.push((rank, event));
        }
        if candidates.len() < window {
            break true;
        }
        if passed.len() > limit || looked >= MAX_RANKED {
            break false;
        }
        window = (window * 2).min(MAX_RANKED - looked);
    };
    // The best first (bm25: lower is better), then the newest.
    passed.sort_by(|(a, x), (b, y)| a.total_cmp(b).then(y.id.cmp(&x.id)));
    let more = passed.len() > limit || !exhausted;
    Ok((passed.into_iter().map(|(_, event)| event).collect(), more))
}

/// The SQL of `search`'s filters over the conversations `allowed`, and
/// its values: over the events with the ids in the JSON array `among` (a
/// window of matches), or, without it, over every message and file share,
/// newest first. At most `limit` rows.
fn statement(
    search: &Search,
    allowed: &[i64],
    among: Option<String>,
    limit: usize,
) -> (String, Vec<Value>) {
    let conversations = allowed
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let mut values = vec![Value::Text(format!("[{conversations}]"))];
    let mut query = format!(
        "SELECT {EVENT_COLUMNS} FROM {EVENT_JOIN} \
         WHERE e.conversation IN (SELECT value FROM json_each(?1)) AND e.kind IN (0, 1)"
    );
    if let Some(among) = among {
        values.push(Value::Text(among));
        query += &format!(
            " AND e.id IN (SELECT value FROM json_each(?{}))",
            values.len()
        );
    }
    if let Some(author) = &search.author {
        values.push(Value::Text(author.clone()));
        query += &format!(" AND e.author_key = ?{}", values.len());
    }
    if search.files_only {
        query += " AND e.kind = 1";
    }
    if let Some(before) = search.before {
        values.push(Value::Integer(to_sql(before)));
        query += &format!(" AND e.ts < ?{}", values.len());
    }
    if let Some(after) = search.after {
        values.push(Value::Integer(to_sql(after)));
        query += &format!(" AND e.ts >= ?{}", values.len());
    }
    query += " ORDER BY e.id DESC";
    values.push(Value::Integer(to_sql(limit as u64)));
    query += &format!(" LIMIT ?{}", values.len());
    (query, values)
}

/// `text`'s bytes in upper-case hex, as SQLite's `hex()` writes them: how
/// the index holds an author's key.
fn hex_upper(text: &str) -> String {
    text.bytes().map(|byte| format!("{byte:02X}")).collect()
}

/// The FTS5 query of `terms` (all must match), or `None` for none.
fn match_expression(terms: &[Term]) -> Option<String> {
    let quoted = |word: &str| format!("\"{}\"", word.replace('"', "\"\""));
    let parts: Vec<String> = terms
        .iter()
        .filter_map(|term| match term {
            Term::Word(word) if !word.is_empty() => Some(quoted(word)),
            Term::Prefix(prefix) if !prefix.is_empty() => Some(format!("{}*", quoted(prefix))),
            Term::Phrase(words) if !words.is_empty() => Some(quoted(&words.join(" "))),
            _ => None,
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// The text an event is found by.
fn searched_text(event: &Event) -> &str {
    match &event.body {
        EventBody::Text { text } => text,
        EventBody::FileShared { name, .. } => name,
        EventBody::Edited { text, .. } | EventBody::Reply { text, .. } => text,
        EventBody::Member { .. }
        | EventBody::Topic { .. }
        | EventBody::Deleted
        | EventBody::Edit { .. }
        | EventBody::Delete { .. }
        | EventBody::FileDelete { .. }
        | EventBody::FileDeleted { .. }
        | EventBody::React { .. } => "",
    }
}

/// Where `terms` match in `text`: each word equal to a term's word, or
/// starting with its prefix, and each run of words spelling a phrase.
fn matches(text: &str, terms: &[Term]) -> Vec<Range<usize>> {
    let words: Vec<(Range<usize>, String)> = words(text).collect();
    let mut found: Vec<Range<usize>> = Vec::new();
    for term in terms {
        match term {
            Term::Word(word) => found.extend(
                words
                    .iter()
                    .filter(|(_, folded)| folded == word)
                    .map(|(range, _)| range.clone()),
            ),
            Term::Prefix(prefix) => found.extend(
                words
                    .iter()
                    .filter(|(_, folded)| folded.starts_with(prefix.as_str()))
                    .map(|(range, _)| range.clone()),
            ),
            Term::Phrase(phrase) if !phrase.is_empty() => found.extend(
                words
                    .windows(phrase.len())
                    .filter(|run| run.iter().map(|(_, f)| f).eq(phrase.iter()))
                    .map(|run| run[0].0.start..run[run.len() - 1].0.end),
            ),
            Term::Phrase(_) => {}
        }
    }
    found.sort_by_key(|range| (range.start, range.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(found.len());
    for range in found {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans<'a>(text: &'a str, terms: &[Term]) -> Vec<&'a str> {
        matches(text, terms)
            .into_iter()
            .map(|range| &text[range])
            .collect()
    }

    #[test]
    fn matches_are_found_in_the_original_spelling() {
        let text = "Chào Đăng, bài tập đã nộp chưa? Nộp bài trước thứ sáu nhé";
        assert_eq!(spans(text, &[Term::Word("dang".into())]), ["Đăng"]);
        assert_eq!(spans(text, &[Term::Prefix("ch".into())]), ["Chào", "chưa"]);
        assert_eq!(
            spans(text, &[Term::Phrase(vec!["nop".into(), "bai".into()])]),
            ["Nộp bài"]
        );
    }

    #[test]
    fn overlapping_matches_merge_and_neighbours_stay_apart() {
        let text = "bài bài tập";
        assert_eq!(
            spans(text, &[Term::Prefix("ba".into()), Term::Word("bai".into())]),
            ["bài", "bài"]
        );
        assert_eq!(
            spans(
                text,
                &[
                    Term::Word("bai".into()),
                    Term::Phrase(vec!["bai".into(), "tap".into()])
                ]
            ),
            ["bài", "bài tập"]
        );
    }

    #[test]
    fn the_match_expression_quotes_every_term() {
        assert_eq!(
            match_expression(&[
                Term::Word("chao".into()),
                Term::Prefix("bai".into()),
                Term::Phrase(vec!["nop".into(), "bai".into()]),
            ])
            .as_deref(),
            Some(r#""chao" AND "bai"* AND "nop bai""#)
        );
        assert_eq!(match_expression(&[]), None);
    }
}
