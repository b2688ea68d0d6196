//! Deletes of files in the store: who may delete which file, that its
//! shares then read as deleted in pages and are no longer searched, that
//! its metadata and usage go, that a later share of the name is a fresh
//! file, and that the chat log records the delete and an import honours it.

use media_chat_protocol::{SearchQuery, Sha256Digest, Visibility};
use media_chat_store::{
    Conversation, Durability, EventBody, EventId, NewEvent, Pair, RoomAction, RoomError, Search,
    Store,
};

use crate::support::{Nowhere, ask_one, open};

fn delete_file(
    store: &Store,
    actor: &str,
    admin: bool,
    conversation: &Conversation,
    name: &str,
) -> Result<EventBody, RoomError> {
    ask_one(
        store,
        actor,
        admin,
        RoomAction::DeleteFile {
            conversation: conversation.clone(),
            name: name.into(),
        },
    )
}

fn share(
    store: &Store,
    conversation: &Conversation,
    author: &str,
    name: &str,
    size: u64,
) -> EventId {
    store
        .append(NewEvent {
            conversation: conversation.clone(),
            author: author.into(),
            body: EventBody::FileShared {
                name: name.into(),
                size,
                sha256: Sha256Digest([size as u8; 32]),
            },
            token: None,
            origin: 0,
            also_mentions: Vec::new(),
        })
        .expect("shared")
        .event
        .id
}

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
    let search = Search {
        terms: SearchQuery::parse(query).unwrap().terms,
        limit: 50,
        ..Search::default()
    };
    let hits = store.search(viewer, &search).unwrap().hits;
    hits.into_iter().map(|hit| hit.event.id).collect()
}

fn usage(store: &Store) -> Vec<(String, u64)> {
    let mut usage = store.file_usage().unwrap();
    usage.sort();
    usage
}

#[test]
fn the_uploader_moderators_and_administrators_may_delete_a_file_and_its_shares_read_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let room = Conversation::Room("lớp".into());
    ask_one(
        &store,
        "an",
        false,
        RoomAction::Create {
            name: "lớp".into(),
            visibility: Visibility::Public,
            topic: String::new(),
        },
    )
    .unwrap();
    for user in ["bình", "cường"] {
        ask_one(
            &store,
            user,
            false,
            RoomAction::Join {
                room: "lớp".into()
            },
        )
        .unwrap();
    }
    let first = share(&store, &room, "bình", "bài tập.pdf", 5);
    let again = share(&store, &room, "cường", "bài tập.pdf", 5);
    share(&store, &room, "cường", "ảnh.png", 7);
    share(&store, &Conversation::General, "bình", "chung.txt", 3);
    assert_eq!(
        usage(&store),
        [("bình".to_owned(), 8), ("cường".to_owned(), 7)],
        "a copy shared again counts once, against its first uploader"
    );

    // Cường shared it again but did not upload it first; dũng is outside.
    assert_eq!(
        delete_file(&store, "cường", false, &room, "bài tập.pdf"),
        Err(RoomError::NotYourFile("bài tập.pdf".into()))
    );
    assert_eq!(
        delete_file(&store, "dũng", false, &room, "bài tập.pdf"),
        Err(RoomError::NoSuchFile("bài tập.pdf".into()))
    );
    assert_eq!(found(&store, "an", "bai tap").len(), 2);

    let body = delete_file(&store, "bình", false, &room, "bài tập.pdf").unwrap();
    assert_eq!(
        body,
        EventBody::FileDelete {
            name: "bài tập.pdf".into()
        }
    );
    for id in [first, again] {
        assert_eq!(
            shown(&store, "an", &room, id),
            EventBody::FileDeleted {
                name: "bài tập.pdf".into()
            }
        );
    }
    assert!(found(&store, "an", "bai tap").is_empty());
    let names: Vec<String> = store
        .files(&room)
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, ["ảnh.png"]);
    assert_eq!(
        usage(&store),
        [("bình".to_owned(), 3), ("cường".to_owned(), 7)]
    );

    // The owner deletes a member's file; an administrator one of #general.
    delete_file(&store, "an", false, &room, "ảnh.png").unwrap();
    assert_eq!(
        delete_file(&store, "cường", false, &Conversation::General, "chung.txt"),
        Err(RoomError::NotYourFile("chung.txt".into()))
    );
    delete_file(&store, "root", true, &Conversation::General, "chung.txt").unwrap();
    assert!(usage(&store).is_empty());

    // A later share of the name is a fresh file, counted again.
    let fresh = share(&store, &room, "cường", "bài tập.pdf", 9);
    assert!(matches!(
        shown(&store, "an", &room, fresh),
        EventBody::FileShared { size: 9, .. }
    ));
    assert_eq!(usage(&store), [("cường".to_owned(), 9)]);

    // Nobody moderates a direct conversation: only the uploader deletes.
    let direct = Conversation::Direct(Pair::new("an", "bình"));
    share(&store, &direct, "an", "riêng.txt", 4);
    assert_eq!(
        delete_file(&store, "bình", true, &direct, "riêng.txt"),
        Err(RoomError::NotYourFile("riêng.txt".into()))
    );
    delete_file(&store, "an", false, &direct, "riêng.txt").unwrap();
}

#[test]
fn the_log_records_a_file_delete_and_an_import_honours_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let general = Conversation::General;
    let gone = share(&store, &general, "an", "cũ.txt", 5);
    let kept = share(&store, &general, "an", "giữ.txt", 6);
    delete_file(&store, "an", false, &general, "cũ.txt").unwrap();
    let fresh = share(&store, &general, "bình", "cũ.txt", 7);
    store.close();
    drop(store);
    let log = std::fs::read_to_string(dir.path().join(media_chat_store::LOG_FILE)).unwrap();
    assert!(log.contains("|FILE_DELETE|#general|an|cũ.txt\n"), "{log}");

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
    assert_eq!(
        shown(&store, "an", &general, gone),
        EventBody::FileDeleted {
            name: "cũ.txt".into()
        }
    );
    assert!(matches!(
        shown(&store, "an", &general, kept),
        EventBody::FileShared { .. }
    ));
    assert!(matches!(
        shown(&store, "an", &general, fresh),
        EventBody::FileShared { size: 7, .. }
    ));
    let files: Vec<(String, String)> = store
        .files(&general)
        .unwrap()
        .into_iter()
        .map(|f| (f.name, f.uploader))
        .collect();
    assert_eq!(
        files,
        [
            ("cũ.txt".to_owned(), "bình".to_owned()),
            ("giữ.txt".to_owned(), "an".to_owned())
        ]
    );
}
