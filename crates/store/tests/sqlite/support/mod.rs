//! What the store's integration tests share: a store in a temporary dir
//! whose sink ignores what it is told, and posting a message.

use std::path::Path;

use media_chat_store::{
    Committed, Conversation, Durability, EventBody, EventId, NewEvent, Sink, Store, StoreError,
};

/// A sink that ignores commits and refusals.
pub struct Nowhere;

impl Sink for Nowhere {
    fn committed(&self, _: &[Committed]) {}
    fn refused(&self, _: u64, _: Option<&str>, _: &StoreError) {}
}

/// Opens the store of `dir` with a [`Nowhere`] sink.
pub fn open(dir: &Path) -> Store {
    Store::open(dir, Durability::Normal, Box::new(Nowhere))
        .expect("open")
        .0
}

/// Posts `text` by `author` into `conversation` and returns its id.
pub fn post(store: &Store, conversation: Conversation, author: &str, text: &str) -> EventId {
    store
        .append(NewEvent {
            conversation,
            author: author.into(),
            body: EventBody::Text { text: text.into() },
            token: None,
            origin: 0,
            also_mentions: Vec::new(),
        })
        .expect("posted")
        .event
        .id
}
