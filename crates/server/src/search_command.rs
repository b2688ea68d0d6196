//! `SEARCH` (version 3): a user's query read, its names resolved, run in
//! the store over the conversations they are in now, and answered with
//! `FOUND` lines and `SEARCH_END`, or `SEARCH_FAILED`.

use std::time::Instant;

use media_chat_protocol::rules::user_key;
use media_chat_protocol::{FoundLine, SearchQuery, ServerMessage};
use media_chat_store::{MAX_RESULTS, Search, StoreError};

use crate::lines;
use crate::session::Session;

/// Searches one user may run at once (a search box sends one as the user
/// types), then this many a second.
const SEARCHES: (u32, u32) = (20, 2);

impl Session {
    /// `SEARCH|token|limit|query`.
    pub(crate) fn search(&self, token: &str, limit: u64, query: &str) {
        let key = user_key(self.name());
        let fail = |reason: String| {
            self.send(&ServerMessage::SearchFailed {
                token: token.to_owned(),
                reason,
            })
        };
        if let Err(wait) = self.ctx.action_limits.take(
            &key,
            "search",
            SEARCHES.0,
            SEARCHES.1 * 3600,
            Instant::now(),
        ) {
            return fail(format!(
                "SEARCH: too many at once; try again in {} s",
                wait.as_secs().max(1)
            ));
        }
        let search = match self.read_query(query, limit) {
            Ok(search) => search,
            Err(reason) => return fail(reason),
        };
        match self.ctx.store.search(&key, &search) {
            Ok(found) => {
                for hit in found.hits {
                    self.send(&ServerMessage::Found(FoundLine {
                        token: token.to_owned(),
                        matches: hit.matches,
                        event: lines::wire_event(&hit.event, &key),
                    }));
                }
                self.send(&ServerMessage::SearchEnd {
                    token: token.to_owned(),
                    more: found.more,
                });
            }
            Err(StoreError::NoSuchConversation) => fail("No such conversation".to_owned()),
            Err(e) => {
                tracing::error!(error = %e, "could not search");
                fail("The server could not search; try again later".to_owned());
            }
        }
    }

    /// The store's form of what the user typed, or the refusal text.
    fn read_query(&self, query: &str, limit: u64) -> Result<Search, String> {
        let query = SearchQuery::parse(query).map_err(|e| e.to_string())?;
        let author = match &query.from {
            Some(name) => Some(user_key(&self.registered(name)?)),
            None => None,
        };
        let conversation = match &query.conversation {
            Some(conversation) => Some(self.resolve(conversation)?),
            None => None,
        };
        Ok(Search {
            terms: query.terms,
            author,
            conversation,
            files_only: query.files_only,
            before: query.before,
            after: query.after,
            limit: usize::try_from(limit).unwrap_or(MAX_RESULTS),
        })
    }
}
