//! Search in the store: Vietnamese without case or diacritics, prefixes
//! and phrases, the filters, ranking and highlights, and above all that a
//! user finds only what they may see now.

use media_chat_protocol::{SearchQuery, Sha256Digest, Visibility};
use media_chat_store::{
    Conversation, EventBody, EventId, Found, NewEvent, Pair, RoomAction, RoomRequest, Search,
    Store, StoreError,
};

use crate::support::{open, post};

fn room_action(store: &Store, actor: &str, action: RoomAction) {
    store
        .room(RoomRequest {
            actor: actor.into(),
            admin: false,
            action,
            origin: 0,
        })
        .expect("room request");
}

fn dm(a: &str, b: &str) -> Conversation {
    Conversation::Direct(Pair::new(a, b))
}

/// What `viewer` finds for `typed`, read as the server reads it (names as
/// keys, no `in:`).
fn find(store: &Store, viewer: &str, typed: &str) -> Found {
    let query = SearchQuery::parse(typed).expect("a query");
    store
        .search(
            viewer,
            &Search {
                terms: query.terms,
                author: query
                    .from
                    .as_deref()
                    .map(media_chat_protocol::rules::user_key),
                files_only: query.files_only,
                before: query.before,
                after: query.after,
                limit: 50,
                ..Search::default()
            },
        )
        .expect("searched")
}

fn ids(found: &Found) -> Vec<EventId> {
    let mut ids: Vec<_> = found.hits.iter().map(|hit| hit.event.id).collect();
    ids.sort();
    ids
}

/// The highlighted parts of each result, in result order.
fn highlighted(found: &Found) -> Vec<Vec<String>> {
    found
        .hits
        .iter()
        .map(|hit| {
            let text = match &hit.event.body {
                EventBody::Text { text } => text.as_str(),
                EventBody::FileShared { name, .. } => name.as_str(),
                _ => "",
            };
            hit.matches
                .iter()
                .map(|range| text[range.clone()].to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn vietnamese_matches_without_case_or_diacritics_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let chao = post(&store, Conversation::General, "an", "Chào cả lớp!");
    let dang = post(&store, Conversation::General, "an", "Đăng nộp bài chưa?");
    let plain = post(&store, Conversation::General, "bình", "dang o dau do");
    post(&store, Conversation::General, "bình", "hello everyone");

    assert_eq!(ids(&find(&store, "an", "chao")), [chao]);
    assert_eq!(ids(&find(&store, "an", "CHÀO")), [chao]);
    assert_eq!(ids(&find(&store, "an", "dang")), [dang, plain]);
    assert_eq!(ids(&find(&store, "an", "Đăng")), [dang, plain]);
    assert_eq!(
        highlighted(&find(&store, "an", "dang nop")),
        [vec!["Đăng".to_owned(), "nộp".to_owned()]]
    );
}

#[test]
fn prefixes_phrases_and_every_word_must_match() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let first = post(&store, Conversation::General, "an", "bài tập tuần 1");
    let second = post(&store, Conversation::General, "an", "tập bài hát mới");
    let third = post(&store, Conversation::General, "an", "bàn ghế");

    assert_eq!(ids(&find(&store, "an", "ba*")), [first, second, third]);
    assert_eq!(ids(&find(&store, "an", "bai*")), [first, second]);
    assert_eq!(ids(&find(&store, "an", "bai tap")), [first, second]);
    assert_eq!(ids(&find(&store, "an", "\"bài tập\"")), [first]);
    assert_eq!(ids(&find(&store, "an", "bài-tập")), [first]);
    assert_eq!(ids(&find(&store, "an", "bai ghe")), []);
    assert_eq!(
        highlighted(&find(&store, "an", "\"bai tap\"")),
        [vec!["bài tập".to_owned()]]
    );
}

#[test]
fn nobody_finds_a_direct_conversation_of_two_others_or_a_room_they_are_not_in() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let public = post(&store, Conversation::General, "an", "bí mật công khai");
    let direct = post(&store, dm("an", "bình"), "an", "bí mật riêng");
    room_action(
        &store,
        "an",
        RoomAction::Create {
            name: "kín".into(),
            visibility: Visibility::Private,
            topic: String::new(),
        },
    );
    let private = post(
        &store,
        Conversation::Room("kín".into()),
        "an",
        "bí mật của phòng",
    );

    assert_eq!(
        ids(&find(&store, "an", "bi mat")),
        [public, direct, private]
    );
    assert_eq!(ids(&find(&store, "bình", "bi mat")), [public, direct]);
    assert_eq!(ids(&find(&store, "cường", "bi mat")), [public]);

    // In the room while a member, not after leaving it.
    room_action(
        &store,
        "an",
        RoomAction::Invite {
            room: "kín".into(),
            user: "cường".into(),
        },
    );
    assert_eq!(
        ids(&find(&store, "cường", "bi mat")),
        [public],
        "an invitation is not membership"
    );
    room_action(
        &store,
        "cường",
        RoomAction::Join {
            room: "kín".into()
        },
    );
    assert_eq!(ids(&find(&store, "cường", "bi mat")), [public, private]);
    room_action(
        &store,
        "cường",
        RoomAction::Leave {
            room: "kín".into()
        },
    );
    assert_eq!(ids(&find(&store, "cường", "bi mat")), [public]);

    // Naming a conversation one is not in is refused like one that does
    // not exist.
    let refused = store.search(
        "cường",
        &Search {
            conversation: Some(Conversation::Room("kín".into())),
            limit: 10,
            ..Search::default()
        },
    );
    assert!(matches!(refused, Err(StoreError::NoSuchConversation)));
    let refused = store.search(
        "cường",
        &Search {
            conversation: Some(dm("an", "bình")),
            limit: 10,
            ..Search::default()
        },
    );
    assert!(matches!(refused, Err(StoreError::NoSuchConversation)));
}

#[test]
fn filters_choose_the_author_the_conversation_files_and_dates() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let by_an = post(&store, Conversation::General, "an", "lịch thi học kỳ");
    let by_binh = post(&store, Conversation::General, "Bình", "lịch thi đây");
    let in_dm = post(&store, dm("an", "bình"), "bình", "lịch thi của mình");
    let shared = store
        .append(NewEvent {
            conversation: Conversation::General,
            author: "an".into(),
            body: EventBody::FileShared {
                name: "Lịch thi.pdf".into(),
                size: 3,
                sha256: Sha256Digest([7; 32]),
            },
            token: None,
            origin: 0,
            also_mentions: Vec::new(),
        })
        .unwrap()
        .event
        .id;

    assert_eq!(
        ids(&find(&store, "an", "lich thi")),
        [by_an, by_binh, in_dm, shared]
    );
    assert_eq!(ids(&find(&store, "an", "lich from:bình")), [by_binh, in_dm]);
    assert_eq!(ids(&find(&store, "an", "lich has:file")), [shared]);
    assert_eq!(ids(&find(&store, "an", "has:file")), [shared]);
    assert_eq!(
        highlighted(&find(&store, "an", "thi has:file")),
        [vec!["thi".to_owned()]]
    );
    let in_dm_only = store
        .search(
            "an",
            &Search {
                terms: SearchQuery::parse("lich").unwrap().terms,
                conversation: Some(dm("bình", "an")),
                limit: 10,
                ..Search::default()
            },
        )
        .unwrap();
    assert_eq!(ids(&in_dm_only), [in_dm]);

    // Everything here was stored today: before today finds nothing, after
    // yesterday everything.
    let today = media_chat_store::unix_now() / 86_400 * 86_400;
    let date = |ts: u64| {
        humantime::format_rfc3339(std::time::UNIX_EPOCH + std::time::Duration::from_secs(ts))
            .to_string()[..10]
            .to_owned()
    };
    assert_eq!(
        ids(&find(&store, "an", &format!("lich before:{}", date(today)))),
        []
    );
    assert_eq!(
        ids(&find(
            &store,
            "an",
            &format!("lich after:{}", date(today - 86_400))
        )),
        [by_an, by_binh, in_dm, shared]
    );
    assert_eq!(
        ids(&find(&store, "an", &format!("lich after:{}", date(today)))),
        []
    );
}

#[test]
fn the_best_match_comes_first_and_a_limit_says_more() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    for i in 0..30 {
        post(
            &store,
            Conversation::General,
            "an",
            &format!("tin nhắn số {i} nói về nhiều chuyện khác nhau, có cả thi cử"),
        );
    }
    let best = post(&store, Conversation::General, "an", "thi thi thi");
    let found = store
        .search(
            "an",
            &Search {
                terms: SearchQuery::parse("thi").unwrap().terms,
                limit: 10,
                ..Search::default()
            },
        )
        .unwrap();
    assert_eq!(found.hits.len(), 10);
    assert!(found.more);
    assert_eq!(found.hits[0].event.id, best);
    assert_eq!(highlighted(&found)[0], ["thi", "thi", "thi"]);
}

#[test]
fn events_stored_before_search_existed_are_found_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let old = post(&store, Conversation::General, "an", "tin nhắn cũ");
    store.close();
    drop(store);
    // Take the database back to the schema before search: no index, no
    // triggers, no later columns or tables, version 3; then store an event
    // the index never saw.
    {
        let db = rusqlite::Connection::open(dir.path().join(media_chat_store::DB_FILE)).unwrap();
        db.execute_batch(
            "DROP INDEX events_by_file; DROP TRIGGER search_update; DROP TRIGGER search_delete;
             DROP TABLE search_index; DROP TABLE search_progress;
             DROP INDEX events_by_target; ALTER TABLE events DROP COLUMN target; ALTER TABLE events DROP COLUMN edit;
             DROP TABLE blocks; DROP TABLE mutes;
             ALTER TABLE events DROP COLUMN reply_to;
             DROP TABLE reactions; DROP TABLE reacted;
             PRAGMA user_version = 3;
             INSERT INTO events (conversation, ts, author, author_key, kind, text)
             SELECT id, 1764072000, 'bình', 'bình', 0, 'một tin cũ nữa' FROM conversations
             WHERE kind = 0 AND name_key = 'general';",
        )
        .unwrap();
    }
    let store = open(dir.path());
    let found = find(&store, "an", "cu");
    assert_eq!(found.hits.len(), 2, "{found:#?}");
    assert!(found.hits.iter().any(|hit| hit.event.id == old));
    let new = post(&store, Conversation::General, "an", "tin mới cũng tìm được");
    assert_eq!(ids(&find(&store, "an", "tim")), [new]);
}

#[test]
fn events_the_index_had_not_reached_before_a_crash_are_found_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let first = post(&store, Conversation::General, "an", "chào buổi sáng");
    let second = post(&store, Conversation::General, "bình", "sáng nay học gì");
    store.close();
    drop(store);
    // As if the server had stopped after committing both and before
    // indexing them.
    {
        let db = rusqlite::Connection::open(dir.path().join(media_chat_store::DB_FILE)).unwrap();
        db.execute_batch("DELETE FROM search_index; UPDATE search_progress SET upto = 0;")
            .unwrap();
    }
    let store = open(dir.path());
    assert_eq!(ids(&find(&store, "an", "sang")), [first, second]);
}

#[test]
fn a_search_right_after_a_burst_finds_every_message_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let mut posted = Vec::new();
    for n in 0..300 {
        posted.push(post(
            &store,
            Conversation::General,
            "an",
            &format!("đợt {n}"),
        ));
    }
    let found = find(&store, "an", "dot");
    assert_eq!(found.hits.len(), 50);
    assert!(found.more);
    let mut newest: Vec<EventId> = posted.iter().rev().take(50).copied().collect();
    newest.sort();
    assert_eq!(ids(&found), newest, "equal ranks: newest first");
}

#[test]
fn a_word_in_more_messages_than_a_window_still_finds_older_ones_through_filters() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let mut old = Vec::new();
    for n in 0..3 {
        old.push(post(
            &store,
            Conversation::General,
            "bình",
            &format!("bài cũ {n}"),
        ));
    }
    for n in 0..2500 {
        post(&store, Conversation::General, "an", &format!("bài {n}"));
    }
    let found = find(&store, "an", "bai from:bình");
    assert_eq!(ids(&found), old);
    assert!(!found.more);
    let all = find(&store, "an", "bai");
    assert_eq!(all.hits.len(), 50);
    assert!(all.more);
}

#[test]
fn from_tells_apart_names_that_fold_alike() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let accented = post(&store, Conversation::General, "bình", "chào lớp");
    let plain = post(&store, Conversation::General, "binh", "chào cả nhà");
    assert_eq!(ids(&find(&store, "an", "chao from:bình")), [accented]);
    assert_eq!(ids(&find(&store, "an", "chao from:binh")), [plain]);
    assert_eq!(ids(&find(&store, "an", "chao")), [accented, plain]);
}
