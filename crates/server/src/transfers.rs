//! Transfer tokens (version 3): a logged-in session asks for a single-use
//! token, and a separate connection for an upload or a download logs in
//! with it (`TRANSFER|token`) instead of the password. That connection
//! costs no password hash, gets no welcome, and stays out of the chat:
//! nobody sees it come and go, and it receives no broadcasts.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// How long a token may wait to be used.
const TOKEN_LIFETIME: Duration = Duration::from_secs(60);

/// Tokens outstanding at once; the oldest are dropped beyond this.
const MAX_TOKENS: usize = 4096;

/// The outstanding tokens.
#[derive(Default)]
pub(crate) struct TransferTokens {
    tokens: Mutex<HashMap<String, (String, Instant)>>,
}

impl TransferTokens {
    /// A new token acting for the user `name`, or `None` if the system's
    /// random source failed.
    pub(crate) fn issue(&self, name: &str) -> Option<String> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).ok()?;
        let token = hex::encode(bytes);
        let now = Instant::now();
        let mut tokens = self.tokens.lock();
        tokens.retain(|_, (_, issued)| now.duration_since(*issued) < TOKEN_LIFETIME);
        if tokens.len() >= MAX_TOKENS
            && let Some(oldest) = tokens
                .iter()
                .min_by_key(|(_, (_, issued))| *issued)
                .map(|(token, _)| token.clone())
        {
            tokens.remove(&oldest);
        }
        tokens.insert(token.clone(), (name.to_owned(), now));
        Some(token)
    }

    /// The user a token acts for, if it is outstanding; it is used up.
    pub(crate) fn redeem(&self, token: &str) -> Option<String> {
        let (name, issued) = self.tokens.lock().remove(token)?;
        (issued.elapsed() < TOKEN_LIFETIME).then_some(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_works_once_and_only_for_its_user() {
        let tokens = TransferTokens::default();
        let token = tokens.issue("Bình").unwrap();
        assert_eq!(token.len(), 32);
        assert_ne!(tokens.issue("Bình").unwrap(), token);
        assert_eq!(tokens.redeem(&token).as_deref(), Some("Bình"));
        assert_eq!(tokens.redeem(&token), None);
        assert_eq!(tokens.redeem("made-up"), None);
    }
}
