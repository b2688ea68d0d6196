//! [`Search`]: the search panel's data: the query asked for (by the
//! engine's token) and its answer, the hits best first or why it failed.
//! An answer to an older query than the last one asked is ignored.

use media_chat_client::SearchHit;

/// Where the last search stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// The token of the search asked for last, while its answer is due.
    pub waiting: Option<String>,
    /// What it found, best first.
    pub hits: Vec<SearchHit>,
    /// More matched than were sent.
    pub more: bool,
    /// Why the last search failed.
    pub failed: Option<String>,
    /// A search has been answered (so "nothing found" can be said).
    pub answered: bool,
}

impl Search {
    /// A search was asked for with `token`.
    pub fn asked(&mut self, token: String) {
        self.waiting = Some(token);
        self.failed = None;
    }

    /// The answer to `token`; `false` if it is not the one awaited.
    pub fn results(&mut self, token: &str, hits: &[SearchHit], more: bool) -> bool {
        if self.waiting.as_deref() != Some(token) {
            return false;
        }
        self.waiting = None;
        self.hits = hits.to_vec();
        self.more = more;
        self.answered = true;
        true
    }

    /// The search could not even be asked for (`reason`, in plain words).
    pub fn refused(&mut self, reason: String) {
        self.waiting = None;
        self.hits.clear();
        self.failed = Some(reason);
    }

    /// The search `token` failed for `reason`.
    pub fn failed(&mut self, token: &str, reason: &str) {
        if self.waiting.as_deref() == Some(token) {
            self.waiting = None;
            self.hits.clear();
            self.failed = Some(reason.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_search_asked_is_taken() {
        let mut search = Search::default();
        search.asked("1".into());
        search.asked("2".into());
        assert!(!search.results("1", &[], false), "an older answer");
        assert!(search.waiting.is_some());
        assert!(search.results("2", &[], true));
        assert!(search.answered && search.more && search.waiting.is_none());
        search.asked("3".into());
        search.failed("3", "too many searches");
        assert_eq!(search.failed.as_deref(), Some("too many searches"));
    }
}
