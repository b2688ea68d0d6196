//! Edits and deletes in the store: who may change which message, what a
//! page then shows, that deleted text is gone from the database and the
//! search index, that the chat log records both and an import honours
//! them, and that neither counts as unread.

use media_chat_protocol::{SearchQuery, Visibility};
use media_chat_store::{
    Conversation, Durability, EventBody, EventId, Pair, RoomAction, RoomError, RoomRequest, Search,
    Store, WelcomeRequest,
};

use crate::support::{Nowhere, ask_one, open, post};

fn edit(store: &Store, actor: &str, id: EventId, text: &str) -> Result<EventBody, RoomError> {
    ask_one(
        store,
        actor,
        false,
        RoomAction::Edit {
            id,
            text: text.into(),
        },
    )
}

fn delete(store: &Store, actor: &str, admin: bool, id: EventId) -> Result<EventBody, RoomError> {
    ask_one(store, actor, admin, RoomAction::Delete { id })
}

/// The body of event `id` as a page of its conversation shows it to `viewer`.
fn shown(store: &Store, viewer: &str, conversation: &Conversation, id: EventId) -> EventBody {
    store
        .page(viewer, conversation, None, 100)
        .unwrap()
        .events
        .into_iter()
        .find(|e| e.id == id)
        .expect("in the page")
        .body
}

fn found(store: &Store, viewer: &str, query: &str) -> Vec<EventId> {
    store
        .search(
            viewer,
            &Search {
                terms: SearchQuery::parse(query).unwrap().terms,
                limit: 50,
                ..Search::default()
            },
        )
        .unwrap()
        .hits
        .into_iter()
        .map(|hit| hit.event.id)
        .collect()
}

#[test]
fn an_author_edits_their_message_and_everyone_reads_the_new_text() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let id = post(&store, Conversation::General, "an", "hẹn 7 giờ");
    let change = edit(&store, "an", id, "hẹn 8 giờ nhé").unwrap();
    assert_eq!(
        change,
        EventBody::Edit {
            target: id,
            text: "hẹn 8 giờ nhé".into()
        }
    );
    let EventBody::Edited { text, edit } = shown(&store, "bình", &Conversation::General, id)
    else {
        panic!("not shown as edited");
    };
    assert_eq!(text, "hẹn 8 giờ nhé");
    assert!(edit > id);
    assert_eq!(found(&store, "bình", "8 gio"), [id]);
    assert_eq!(found(&store, "bình", "7"), Vec::<EventId>::new());

    assert_eq!(edit_refusal(&store, "bình", id), RoomError::NotYourMessage);
}

fn edit_refusal(store: &Store, actor: &str, id: EventId) -> RoomError {
    edit(store, actor, id, "không phải của mình").unwrap_err()
}

#[test]
fn nothing_about_a_message_one_cannot_see_and_only_messages_change() {
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
                topic: "chủ đề".into(),
            },
            origin: 0,
        })
        .unwrap();
    let private = post(
        &store,
        Conversation::Room("kín".into()),
        "an",
        "trong phòng",
    );
    for id in [direct, private, EventId(9999)] {
        assert_eq!(
            delete(&store, "cường", false, id).unwrap_err(),
            RoomError::NoSuchMessage(id.0)
        );
        assert_eq!(
            edit_refusal(&store, "cường", id),
            RoomError::NoSuchMessage(id.0)
        );
    }
    // The room's creation and topic are events, not messages.
    let topic = EventId(private.0 - 1);
    assert_eq!(
        delete(&store, "an", false, topic).unwrap_err(),
        RoomError::NotAMessage(topic.0)
    );
}

#[test]
fn a_delete_removes_the_text_everywhere_and_leaves_who_and_when() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let id = post(
        &store,
        Conversation::General,
        "an",
        "mật khẩu wifi là hoa-sen-42",
    );
    edit(&store, "an", id, "mật khẩu wifi là hoa-sen-43").unwrap();
    let change = delete(&store, "an", false, id).unwrap();
    assert_eq!(change, EventBody::Delete { target: id });
    assert_eq!(
        shown(&store, "bình", &Conversation::General, id),
        EventBody::Deleted
    );
    assert_eq!(found(&store, "an", "hoa sen"), Vec::<EventId>::new());
    assert_eq!(
        delete(&store, "an", false, id).unwrap_err(),
        RoomError::AlreadyDeleted(id.0)
    );
    assert_eq!(
        edit_refusal(&store, "an", id),
        RoomError::AlreadyDeleted(id.0)
    );
    store.close();
    drop(store);
    let db = rusqlite::Connection::open(dir.path().join(media_chat_store::DB_FILE)).unwrap();
    let left: i64 = db
        .query_row(
            "SELECT count(*) FROM events WHERE text LIKE '%hoa-sen%'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        left, 0,
        "the text, or an earlier edit's, stayed in the database"
    );
}

#[test]
fn moderators_delete_in_their_room_administrators_anywhere_nobody_in_others_direct() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store
        .room(RoomRequest {
            actor: "an".into(),
            admin: false,
            action: RoomAction::Create {
                name: "lớp".into(),
                visibility: Visibility::Public,
                topic: String::new(),
            },
            origin: 0,
        })
        .unwrap();
    for user in ["bình", "cường"] {
        store
            .room(RoomRequest {
                actor: user.into(),
                admin: false,
                action: RoomAction::Join {
                    room: "lớp".into()
                },
                origin: 0,
            })
            .unwrap();
    }
    let room = Conversation::Room("lớp".into());
    let by_binh = post(&store, room.clone(), "bình", "spam");
    let by_binh_too = post(&store, room.clone(), "bình", "spam again");
    assert_eq!(
        delete(&store, "cường", false, by_binh).unwrap_err(),
        RoomError::NotYoursToDelete
    );
    assert!(delete(&store, "an", false, by_binh).is_ok(), "the owner");
    assert!(
        delete(&store, "root", true, by_binh_too).is_ok(),
        "an administrator"
    );

    let general = post(&store, Conversation::General, "bình", "ở #general");
    assert_eq!(
        delete(&store, "an", false, general).unwrap_err(),
        RoomError::NotYoursToDelete,
        "owning a room is not moderating #general"
    );
    assert!(delete(&store, "root", true, general).is_ok());

    let direct = post(
        &store,
        Conversation::Direct(Pair::new("an", "bình")),
        "bình",
        "riêng",
    );
    assert_eq!(
        delete(&store, "an", true, direct).unwrap_err(),
        RoomError::NotYoursToDelete,
        "nobody moderates a direct conversation"
    );
    assert!(delete(&store, "bình", false, direct).is_ok());
}

#[test]
fn edits_and_deletes_are_not_unread() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let id = post(&store, Conversation::General, "an", "một");
    let other = post(&store, Conversation::General, "an", "hai");
    store
        .mark_read("bình", Conversation::General, other)
        .unwrap();
    edit(&store, "an", id, "một (sửa)").unwrap();
    delete(&store, "an", false, other).unwrap();
    store.barrier().unwrap();
    let standing = store
        .welcome("bình", &WelcomeRequest::default())
        .unwrap()
        .standings
        .into_iter()
        .find(|s| s.conversation == Conversation::General)
        .unwrap();
    assert_eq!(standing.unread, 0);
}

#[test]
fn the_log_records_edits_and_deletes_and_an_import_honours_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store
        .room(RoomRequest {
            actor: "an".into(),
            admin: false,
            action: RoomAction::Create {
                name: "phòng".into(),
                visibility: Visibility::Public,
                topic: "không được nhập".into(),
            },
            origin: 0,
        })
        .unwrap();
    post(
        &store,
        Conversation::Room("phòng".into()),
        "an",
        "cũng không",
    );
    let kept = post(&store, Conversation::General, "an", "giữ lại");
    let edited = post(&store, Conversation::General, "an", "bản đầu");
    let secret = post(
        &store,
        Conversation::Direct(Pair::new("an", "bình")),
        "an",
        "bí mật",
    );
    edit(&store, "an", edited, "bản sửa").unwrap();
    delete(&store, "an", false, secret).unwrap();
    store.close();
    drop(store);
    let log = std::fs::read_to_string(dir.path().join(media_chat_store::LOG_FILE)).unwrap();
    assert!(
        log.contains(&format!("|EDIT|#general|an|{}|bản sửa\n", edited.0)),
        "{log}"
    );
    assert!(
        log.contains(&format!("|DELETE|@an,bình|an|{}\n", secret.0)),
        "{log}"
    );

    // The database is lost; the log is all there is.
    std::fs::remove_file(dir.path().join(media_chat_store::DB_FILE)).unwrap();
    for extra in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(
            dir.path()
                .join(format!("{}{extra}", media_chat_store::DB_FILE)),
        );
    }
    let (store, report) = Store::open(dir.path(), Durability::Normal, Box::new(Nowhere)).unwrap();
    let report = report.expect("imported");
    assert_eq!(report.skipped, 0, "{report:?}");
    let general = store.page("an", &Conversation::General, None, 100).unwrap();
    let texts: Vec<String> = general
        .events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Text { text } | EventBody::Edited { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, ["giữ lại", "bản sửa"]);
    assert!(kept.0 > 0);
    let direct = store
        .page(
            "an",
            &Conversation::Direct(Pair::new("an", "bình")),
            None,
            100,
        )
        .unwrap();
    assert!(
        direct.events.iter().any(|e| e.body == EventBody::Deleted),
        "{:?}",
        direct.events
    );
    assert_eq!(found(&store, "an", "bi mat"), Vec::<EventId>::new());
}
