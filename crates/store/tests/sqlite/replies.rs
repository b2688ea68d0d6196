//! Replies in the store: a reply keeps the id of the message it answers
//! through pages, backlogs, edits and search; and one event can be looked
//! up by id only by those who may see its conversation.

use media_chat_protocol::{SearchQuery, Visibility};
use media_chat_store::{
    Conversation, EventBody, EventId, NewEvent, Pair, RoomAction, RoomRequest, Search, Store,
    WelcomeRequest,
};

use crate::support::{open, post};

fn reply(store: &Store, author: &str, to: EventId, text: &str) -> EventId {
    store
        .append(NewEvent {
            conversation: Conversation::General,
            author: author.into(),
            body: EventBody::Reply {
                to,
                text: text.into(),
                edit: None,
            },
            token: Some(format!("r-{text}")),
            origin: 0,
            also_mentions: Vec::new(),
        })
        .expect("stored")
        .event
        .id
}

/// The body of event `id` in the newest page of `#general`, for `viewer`.
fn paged(store: &Store, viewer: &str, id: EventId) -> EventBody {
    store
        .page(viewer, &Conversation::General, None, 100)
        .unwrap()
        .events
        .into_iter()
        .find(|e| e.id == id)
        .expect("in the page")
        .body
}

#[test]
fn a_reply_keeps_what_it_answers_in_pages_backlogs_edits_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let question = post(&store, Conversation::General, "an", "hẹn 7 giờ?");
    let answer = reply(&store, "bình", question, "ừ, 7 giờ");
    let as_sent = EventBody::Reply {
        to: question,
        text: "ừ, 7 giờ".into(),
        edit: None,
    };
    assert_eq!(paged(&store, "cường", answer), as_sent);
    let welcome = store
        .welcome(
            "cường",
            &WelcomeRequest {
                latest: 10,
                after: Some(question),
                ..WelcomeRequest::default()
            },
        )
        .unwrap();
    assert_eq!(welcome.events.len(), 1);
    assert_eq!(welcome.events[0].body, as_sent);

    let edit = store
        .room(RoomRequest {
            actor: "bình".into(),
            admin: false,
            action: RoomAction::Edit {
                id: answer,
                text: "ừ, 8 giờ nhé".into(),
            },
            origin: 0,
        })
        .unwrap()[0]
        .event
        .id;
    assert_eq!(
        paged(&store, "an", answer),
        EventBody::Reply {
            to: question,
            text: "ừ, 8 giờ nhé".into(),
            edit: Some(edit),
        },
        "an edited reply still answers its message"
    );
    let hits = store
        .search(
            "an",
            &Search {
                terms: SearchQuery::parse("8 gio").unwrap().terms,
                limit: 10,
                ..Search::default()
            },
        )
        .unwrap()
        .hits;
    assert_eq!(hits.len(), 1);
    assert!(matches!(hits[0].event.body, EventBody::Reply { to, .. } if to == question));

    // The original deleted, the reply stays a reply (to a deleted message).
    store
        .room(RoomRequest {
            actor: "an".into(),
            admin: false,
            action: RoomAction::Delete { id: question },
            origin: 0,
        })
        .unwrap();
    assert_eq!(paged(&store, "cường", question), EventBody::Deleted);
    assert!(matches!(
        paged(&store, "cường", answer),
        EventBody::Reply { to, .. } if to == question
    ));
}

#[test]
fn an_event_is_looked_up_only_by_who_may_see_its_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let public = post(&store, Conversation::General, "an", "chào");
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
    let seen = |viewer: &str, id: EventId| store.event(viewer, id).unwrap().map(|e| e.id);
    assert_eq!(seen("cường", public), Some(public));
    assert_eq!(seen("bình", direct), Some(direct));
    assert_eq!(seen("an", private), Some(private));
    assert_eq!(
        seen("cường", direct),
        None,
        "a direct message of two others"
    );
    assert_eq!(seen("cường", private), None, "a private room one is not in");
    assert_eq!(seen("cường", EventId(9999)), None);
}
