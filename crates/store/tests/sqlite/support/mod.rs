//! What the store's integration tests share: a store in a temporary dir
//! whose sink ignores what it is told, posting a message, and asking for
//! a room action that makes one event.

use std::path::Path;

use media_chat_store::{
    Committed, Conversation, Durability, EventBody, EventId, NewEvent, RoomAction, RoomError,
    RoomRequest, Sink, Store, StoreError,
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

/// Asks the store for `action` by `actor` (a server administrator if
/// `admin`): the one event's body it makes, or the refusal.
pub fn ask_one(
    store: &Store,
    actor: &str,
    admin: bool,
    action: RoomAction,
) -> Result<EventBody, RoomError> {
    match store.room(RoomRequest {
        actor: actor.into(),
        admin,
        action,
        origin: 0,
    }) {
        Ok(mut events) => {
            assert_eq!(events.len(), 1);
            Ok(events.remove(0).event.body)
        }
        Err(StoreError::Refused(refusal)) => Err(refusal),
        Err(e) => panic!("the store failed: {e}"),
    }
}
