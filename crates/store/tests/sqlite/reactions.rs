//! Reactions in the store: a toggle gives or takes back, who may react to
//! what, and pages and welcomes carry each message's reactions as they
//! are now (the toggles themselves stay out of them).

use media_chat_protocol::Visibility;
use media_chat_store::{
    Conversation, EventBody, EventId, Pair, RoomAction, RoomError, RoomRequest, Store, StoreError,
    WelcomeRequest,
};

use crate::support::{open, post};

/// `actor` toggles `reaction` on `id`: the toggle's event, or the refusal.
fn react(store: &Store, actor: &str, id: EventId, reaction: &str) -> Result<EventId, RoomError> {
    match store.room(RoomRequest {
        actor: actor.into(),
        admin: false,
        action: RoomAction::React {
            id,
            reaction: reaction.into(),
        },
        origin: 0,
    }) {
        Ok(events) => Ok(events[0].event.id),
        Err(StoreError::Refused(refusal)) => Err(refusal),
        Err(e) => panic!("the store failed: {e}"),
    }
}

/// Each reaction with who gave it.
type Given = Vec<(String, Vec<String>)>;

/// Who gives what on `id` (and as of which toggle), as a page of
/// `#general` shows it to `viewer`.
fn shown(store: &Store, viewer: &str, id: EventId) -> Option<(EventId, Given)> {
    let page = store
        .page(viewer, &Conversation::General, None, 100)
        .unwrap();
    assert!(
        page.events
            .iter()
            .all(|e| !matches!(e.body, EventBody::React { .. })),
        "toggles stay out of pages"
    );
    page.reactions
        .into_iter()
        .find(|r| r.message == id)
        .map(|r| {
            let list = r
                .reactions
                .iter()
                .map(|(reaction, users)| (reaction.to_owned(), users.to_vec()))
                .collect();
            (r.latest, list)
        })
}

#[test]
fn a_toggle_gives_then_takes_back_and_pages_show_the_reactions_now() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let id = post(&store, Conversation::General, "an", "hẹn 7 giờ");
    assert_eq!(shown(&store, "an", id), None, "no reactions yet");
    react(&store, "bình", id, "👍").unwrap();
    react(&store, "cường", id, "❤️").unwrap();
    let last = react(&store, "an", id, "👍").unwrap();
    assert_eq!(
        shown(&store, "dũng", id),
        Some((
            last,
            vec![
                ("👍".to_owned(), vec!["bình".to_owned(), "an".to_owned()]),
                ("❤️".to_owned(), vec!["cường".to_owned()]),
            ]
        ))
    );
    // Twice is taken back; a reaction nobody gives is gone.
    react(&store, "cường", id, "❤️").unwrap();
    react(&store, "bình", id, "👍").unwrap();
    let last = react(&store, "an", id, "👍").unwrap();
    assert_eq!(shown(&store, "dũng", id), Some((last, vec![])));

    // The toggles are events, but not what a backlog replays: a resume
    // gets the message's reactions as they are now instead.
    let after = post(&store, Conversation::General, "an", "thêm");
    react(&store, "bình", id, "🎉").unwrap();
    let welcome = store
        .welcome(
            "an",
            &WelcomeRequest {
                latest: 100,
                after: Some(after),
                ..WelcomeRequest::default()
            },
        )
        .unwrap();
    assert!(welcome.events.is_empty(), "{:?}", welcome.events);
    assert_eq!(welcome.reactions.len(), 1);
    assert_eq!(welcome.reactions[0].message, id);
    assert_eq!(welcome.reactions[0].reactions.users("🎉"), ["bình"]);
    // A fresh login gets the reactions of the messages it is shown.
    let fresh = store
        .welcome(
            "an",
            &WelcomeRequest {
                latest: 100,
                ..WelcomeRequest::default()
            },
        )
        .unwrap();
    assert_eq!(fresh.events.len(), 2);
    assert_eq!(fresh.reactions.len(), 1);
    assert!(fresh.reactions[0].reactions.has("bình", "🎉"));
}

#[test]
fn only_messages_one_may_see_take_reactions_and_a_delete_takes_them_away() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let direct = post(
        &store,
        Conversation::Direct(Pair::new("an", "bình")),
        "an",
        "riêng",
    );
    store
        .room(RoomRequest {
            actor: "an".into(),
            admin: false,
            action: RoomAction::Create {
                name: "kín".into(),
                visibility: Visibility::Private,
                topic: String::new(),
            },
            origin: 0,
        })
        .unwrap();
    let private = post(&store, Conversation::Room("kín".into()), "an", "bí mật");
    for id in [direct, private, EventId(9999)] {
        assert_eq!(
            react(&store, "cường", id, "👀"),
            Err(RoomError::NoSuchMessage(id.0))
        );
    }
    react(&store, "bình", direct, "👍").unwrap();
    let created = EventId(private.0 - 1);
    assert_eq!(
        react(&store, "an", created, "👍"),
        Err(RoomError::NotReactable(created.0))
    );
    let public = post(&store, Conversation::General, "an", "xoá đi");
    react(&store, "bình", public, "👍").unwrap();
    store
        .room(RoomRequest {
            actor: "an".into(),
            admin: false,
            action: RoomAction::Delete { id: public },
            origin: 0,
        })
        .unwrap();
    assert_eq!(shown(&store, "an", public), None);
    assert_eq!(
        react(&store, "bình", public, "👍"),
        Err(RoomError::AlreadyDeleted(public.0))
    );
    // Reactions are not news: nothing unread for the author.
    let welcome = store.welcome("bình", &WelcomeRequest::default()).unwrap();
    let direct_standing = welcome
        .standings
        .iter()
        .find(|s| matches!(s.conversation, Conversation::Direct(_)))
        .unwrap();
    assert_eq!(direct_standing.unread, 1, "an's message, not the reaction");
}
