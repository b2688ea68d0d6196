//! What a user types into a search box, read into words and filters.
//!
//! `bài tập from:an in:#homework has:file after:2026-11-30 "nộp bài" bai*`:
//! words match without case or diacritics (see [`crate::fold`]); a word
//! ending in `*` matches as a prefix; `"…"` is a phrase (its words in that
//! order); `from:NAME` keeps events by that user, `in:CONVERSATION` those of
//! one conversation (`#room`, `@user`, `+a,b,c`), `has:file` only shared
//! files, and `before:DATE` / `after:DATE` (`YYYY-MM-DD`, whole days in
//! UTC) those strictly before or after that day. A query needs a word or a
//! filter.

use std::time::UNIX_EPOCH;

use thiserror::Error;

use crate::conversation::{Conversation, ConversationError};
use crate::fold::fold;

/// The longest search query, in bytes.
pub const MAX_QUERY_BYTES: usize = 512;

/// The most words and phrases in one query.
pub const MAX_TERMS: usize = 16;

/// One thing to find: a word, a prefix or a phrase, already folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A word, folded.
    Word(String),
    /// The start of a word, folded (`bai*`).
    Prefix(String),
    /// Words in this order, each folded (`"nộp bài"`).
    Phrase(Vec<String>),
}

/// A search query: what to find and where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// The words, prefixes and phrases, all of which must match.
    pub terms: Vec<Term>,
    /// `from:`: only events by this user (as typed).
    pub from: Option<String>,
    /// `in:`: only events of this conversation.
    pub conversation: Option<Conversation>,
    /// `has:file`: only shared files.
    pub files_only: bool,
    /// `before:`: only events before this time (seconds since the epoch).
    pub before: Option<u64>,
    /// `after:`: only events at or after this time (seconds since the epoch:
    /// the start of the day after the one named).
    pub after: Option<u64>,
}

/// Why a query cannot be read. `Display` is the text for people.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QueryError {
    /// Neither a word nor a filter.
    #[error("Nothing to search for: type a word or a filter such as from:name")]
    Empty,
    /// Longer than [`MAX_QUERY_BYTES`].
    #[error("A search is at most {MAX_QUERY_BYTES} bytes")]
    TooLong,
    /// More than [`MAX_TERMS`] words and phrases.
    #[error("A search has at most {MAX_TERMS} words")]
    TooManyTerms,
    /// A `name:` the grammar does not have.
    #[error("Unknown filter {0} (the filters are from:, in:, has:file, before: and after:)")]
    UnknownFilter(String),
    /// `has:` with other than `file`.
    #[error("Unknown has:{0} (has:file finds shared files)")]
    UnknownHas(String),
    /// A date that is not `YYYY-MM-DD`.
    #[error("{0} is not a date: write it YYYY-MM-DD")]
    BadDate(String),
    /// The conversation after `in:` cannot be read.
    #[error("in:{0}: {1}")]
    BadConversation(String, ConversationError),
    /// A filter given twice.
    #[error("{0} is given twice")]
    Twice(&'static str),
    /// A `"` without its closing one.
    #[error("A phrase lacks its closing \"")]
    OpenQuote,
}

impl SearchQuery {
    /// Reads what a user typed.
    pub fn parse(text: &str) -> Result<SearchQuery, QueryError> {
        if text.len() > MAX_QUERY_BYTES {
            return Err(QueryError::TooLong);
        }
        let mut query = SearchQuery::default();
        let mut rest = text.trim_start();
        while !rest.is_empty() {
            if let Some(quoted) = rest.strip_prefix('"') {
                let end = quoted.find('"').ok_or(QueryError::OpenQuote)?;
                let words = crate::fold::words(&quoted[..end])
                    .map(|(_, word)| word)
                    .collect::<Vec<_>>();
                if !words.is_empty() {
                    query.terms.push(Term::Phrase(words));
                }
                rest = quoted[end + 1..].trim_start();
                continue;
            }
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            query.read_token(&rest[..end])?;
            rest = rest[end..].trim_start();
        }
        if query.terms.len() > MAX_TERMS {
            return Err(QueryError::TooManyTerms);
        }
        if query.terms.is_empty()
            && query.from.is_none()
            && query.conversation.is_none()
            && !query.files_only
            && query.before.is_none()
            && query.after.is_none()
        {
            return Err(QueryError::Empty);
        }
        Ok(query)
    }

    /// One whitespace-separated token: a filter or words.
    fn read_token(&mut self, token: &str) -> Result<(), QueryError> {
        if let Some((name, value)) = token.split_once(':')
            && !value.is_empty()
            && !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphabetic())
        {
            return self.read_filter(name, value);
        }
        let prefix = token.ends_with('*');
        let words: Vec<String> = crate::fold::words(token).map(|(_, word)| word).collect();
        match (words.len(), prefix) {
            (0, _) => {}
            (1, false) => self.terms.extend(words.into_iter().map(Term::Word)),
            (1, true) => self.terms.extend(words.into_iter().map(Term::Prefix)),
            // `bài-tập` is the phrase "bai tap": the index splits it so.
            _ => self.terms.push(Term::Phrase(words)),
        }
        Ok(())
    }

    fn read_filter(&mut self, name: &str, value: &str) -> Result<(), QueryError> {
        match name.to_ascii_lowercase().as_str() {
            "from" => set(
                &mut self.from,
                "from:",
                value.trim_start_matches('@').to_owned(),
            ),
            "in" => {
                let conversation = Conversation::parse(value)
                    .map_err(|e| QueryError::BadConversation(value.to_owned(), e))?;
                set(&mut self.conversation, "in:", conversation)
            }
            "has" if fold(value) == "file" || fold(value) == "files" => {
                self.files_only = true;
                Ok(())
            }
            "has" => Err(QueryError::UnknownHas(value.to_owned())),
            "before" => set(&mut self.before, "before:", day_start(value)?),
            "after" => set(&mut self.after, "after:", day_start(value)? + DAY),
            _ => Err(QueryError::UnknownFilter(format!("{name}:"))),
        }
    }
}

/// Seconds in a day.
const DAY: u64 = 24 * 60 * 60;

fn set<T>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), QueryError> {
    if slot.is_some() {
        return Err(QueryError::Twice(name));
    }
    *slot = Some(value);
    Ok(())
}

/// The first second of the UTC day `YYYY-MM-DD`.
fn day_start(date: &str) -> Result<u64, QueryError> {
    let bad = || QueryError::BadDate(date.to_owned());
    let well_formed = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| {
            matches!(i, 4 | 7) == (b == b'-') && (matches!(i, 4 | 7) || b.is_ascii_digit())
        });
    if !well_formed {
        return Err(bad());
    }
    let at = humantime::parse_rfc3339(&format!("{date}T00:00:00Z")).map_err(|_| bad())?;
    let since = at.duration_since(UNIX_EPOCH).map_err(|_| bad())?;
    Ok(since.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(query: &SearchQuery) -> Vec<Term> {
        query.terms.clone()
    }

    #[test]
    fn words_are_folded_and_prefixes_and_phrases_kept_apart() {
        let query = SearchQuery::parse(r#"Chào bai* "nộp Bài" bài-tập"#).unwrap();
        assert_eq!(
            words(&query),
            [
                Term::Word("chao".into()),
                Term::Prefix("bai".into()),
                Term::Phrase(vec!["nop".into(), "bai".into()]),
                Term::Phrase(vec!["bai".into(), "tap".into()]),
            ]
        );
    }

    #[test]
    fn filters_are_read() {
        let query = SearchQuery::parse(
            "from:@Đăng in:#homework has:file before:2026-12-01 after:2026-11-01 bài",
        )
        .unwrap();
        assert_eq!(query.from.as_deref(), Some("Đăng"));
        assert_eq!(
            query.conversation,
            Some(Conversation::Room("homework".into()))
        );
        assert!(query.files_only);
        assert_eq!(query.before, Some(1_796_083_200));
        assert_eq!(query.after, Some(1_793_577_600));
        assert_eq!(words(&query), [Term::Word("bai".into())]);
    }

    #[test]
    fn filters_alone_are_a_query() {
        let query = SearchQuery::parse("in:@bình").unwrap();
        assert!(query.terms.is_empty());
        assert_eq!(
            query.conversation,
            Some(Conversation::Direct("bình".into()))
        );
    }

    #[test]
    fn a_colon_inside_a_word_is_not_a_filter() {
        let query = SearchQuery::parse("12:30 http:").unwrap();
        assert_eq!(
            words(&query),
            [
                Term::Phrase(vec!["12".into(), "30".into()]),
                Term::Word("http".into())
            ]
        );
    }

    #[test]
    fn bad_queries_say_why() {
        assert_eq!(SearchQuery::parse("   "), Err(QueryError::Empty));
        assert_eq!(SearchQuery::parse("!!! ..."), Err(QueryError::Empty));
        assert_eq!(
            SearchQuery::parse("to:an"),
            Err(QueryError::UnknownFilter("to:".into()))
        );
        assert_eq!(
            SearchQuery::parse("has:link"),
            Err(QueryError::UnknownHas("link".into()))
        );
        assert_eq!(
            SearchQuery::parse("before:1/12/2026"),
            Err(QueryError::BadDate("1/12/2026".into()))
        );
        assert_eq!(
            SearchQuery::parse("before:2026-13-01"),
            Err(QueryError::BadDate("2026-13-01".into()))
        );
        assert_eq!(
            SearchQuery::parse("from:a from:b"),
            Err(QueryError::Twice("from:"))
        );
        assert_eq!(SearchQuery::parse("\"nộp bài"), Err(QueryError::OpenQuote));
        assert!(matches!(
            SearchQuery::parse("in:homework"),
            Err(QueryError::BadConversation(..))
        ));
        assert_eq!(
            SearchQuery::parse(&"a ".repeat(17)),
            Err(QueryError::TooManyTerms)
        );
        assert_eq!(
            SearchQuery::parse(&"a".repeat(MAX_QUERY_BYTES + 1)),
            Err(QueryError::TooLong)
        );
    }
}
