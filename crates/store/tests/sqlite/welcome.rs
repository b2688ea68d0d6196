//! What a login gets from the store: the direct messages missed since the
//! user's last session ended.

use media_chat_store::{Conversation, Pair, Scope, WelcomeRequest};

use crate::support::{open, post};

#[test]
fn a_welcome_counts_as_missed_only_what_came_after_the_last_seen_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let pair = Conversation::Direct(Pair::new("an", "bob"));
    let seen = post(&store, pair.clone(), "an", "bob saw this one");
    let later = post(&store, pair, "an", "and not this one");
    let missed = |last_seen| {
        store
            .welcome(
                "bob",
                &WelcomeRequest {
                    missed: 10,
                    last_seen,
                    scope: Scope::Classic,
                    ..WelcomeRequest::default()
                },
            )
            .unwrap()
            .events
            .iter()
            .map(|event| event.id)
            .collect::<Vec<_>>()
    };
    // Nothing recorded: both are missed, unless the caller knows better.
    assert_eq!(missed(None), [seen, later]);
    assert_eq!(missed(Some(seen)), [later]);
}
