//! Rooms and groups in the store: who may do what, what each change
//! stores, who sees which events, and the counts a login gets.

use media_chat_protocol::{MemberChange, Role, Sha256Digest, Visibility};
use media_chat_store::{
    Conversation, Event, EventBody, EventId, Members, NewEvent, Pair, RoomAction, RoomError,
    RoomRequest, Store, StoreError, WelcomeRequest,
};

use crate::support::{open, post};

fn ask(store: &Store, actor: &str, action: RoomAction) -> Result<Vec<Event>, RoomError> {
    match store.room(RoomRequest {
        actor: actor.to_owned(),
        admin: false,
        action,
        origin: 0,
    }) {
        Ok(events) => Ok(events.into_iter().map(|c| c.event).collect()),
        Err(StoreError::Refused(refusal)) => Err(refusal),
        Err(e) => panic!("the store failed: {e}"),
    }
}

fn create(store: &Store, owner: &str, name: &str, visibility: Visibility) {
    ask(
        store,
        owner,
        RoomAction::Create {
            name: name.into(),
            visibility,
            topic: "bài tập".into(),
        },
    )
    .expect("created");
}

fn room(name: &str) -> Conversation {
    Conversation::Room(name.into())
}

#[test]
fn creating_a_room_makes_its_owner_and_stores_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let events = ask(
        &store,
        "an",
        RoomAction::Create {
            name: "Homework".into(),
            visibility: Visibility::Public,
            topic: "bài tập".into(),
        },
    )
    .unwrap();
    let bodies: Vec<_> = events.iter().map(|e| e.body.clone()).collect();
    assert_eq!(
        bodies,
        [
            EventBody::Member {
                user: "an".into(),
                change: MemberChange::Created
            },
            EventBody::Topic {
                text: "bài tập".into()
            },
        ]
    );
    let taken = RoomAction::Create {
        name: "homework".into(),
        visibility: Visibility::Private,
        topic: String::new(),
    };
    assert_eq!(
        ask(&store, "bình", taken),
        Err(RoomError::Taken("homework".into()))
    );
    let general = RoomAction::Create {
        name: "General".into(),
        visibility: Visibility::Public,
        topic: String::new(),
    };
    assert_eq!(
        ask(&store, "bình", general),
        Err(RoomError::General("created"))
    );
    let rooms = store.rooms("bình").unwrap();
    assert_eq!(rooms.len(), 1);
    assert_eq!((rooms[0].name.as_str(), rooms[0].members), ("Homework", 1));
}

#[test]
fn a_private_room_is_invisible_until_an_invitation() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    create(&store, "an", "secret", Visibility::Private);
    let message = post(&store, room("secret"), "an", "for members");
    let stranger = |action| ask(&store, "bình", action);
    let no_such = Err(RoomError::NoSuchRoom("secret".into()));
    assert_eq!(
        stranger(RoomAction::Join {
            room: "secret".into()
        }),
        no_such
    );
    assert_eq!(
        stranger(RoomAction::Invite {
            room: "secret".into(),
            user: "cường".into()
        }),
        no_such
    );
    assert!(store.rooms("bình").unwrap().is_empty());
    assert!(store.page("bình", &room("secret"), None, 10).is_err());
    let backlog = store.since("bình", EventId(0), 10).unwrap();
    assert!(backlog.events.iter().all(|e| e.id != message));
    // Invited: the room shows, and joining works.
    ask(
        &store,
        "an",
        RoomAction::Invite {
            room: "secret".into(),
            user: "bình".into(),
        },
    )
    .unwrap();
    let welcome = store.welcome("bình", &WelcomeRequest::default()).unwrap();
    let invited = welcome
        .standings
        .iter()
        .find(|s| s.conversation == room("secret"))
        .expect("the invitation is a standing");
    assert_eq!(invited.role, Role::Invited);
    ask(
        &store,
        "bình",
        RoomAction::Join {
            room: "SECRET".into(),
        },
    )
    .unwrap();
    let page = store.page("bình", &room("secret"), None, 10).unwrap();
    assert!(
        page.events.iter().any(|e| e.id == message),
        "members see the room's past"
    );
}

#[test]
fn only_the_owner_and_moderators_moderate() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    create(&store, "an", "lop", Visibility::Public);
    for user in ["bình", "cường", "dũng"] {
        ask(&store, user, RoomAction::Join { room: "lop".into() }).unwrap();
    }
    let remove = |actor: &str, user: &str| {
        ask(
            &store,
            actor,
            RoomAction::Remove {
                room: "lop".into(),
                user: user.into(),
            },
        )
    };
    assert_eq!(
        remove("bình", "cường"),
        Err(RoomError::NotAllowed(
            "the owner and moderators",
            "lop".into()
        ))
    );
    let promote = |actor: &str, user: &str| {
        ask(
            &store,
            actor,
            RoomAction::Moderator {
                room: "lop".into(),
                user: user.into(),
                on: true,
            },
        )
    };
    assert_eq!(
        promote("bình", "bình"),
        Err(RoomError::NotAllowed("the owner", "lop".into()))
    );
    promote("an", "bình").unwrap();
    assert_eq!(
        promote("an", "bình"),
        Err(RoomError::Already(
            "bình".into(),
            Role::Moderator,
            "lop".into()
        ))
    );
    remove("bình", "cường").unwrap();
    assert_eq!(remove("bình", "an"), Err(RoomError::Owner("lop".into())));
    assert_eq!(
        remove("bình", "cường"),
        Err(RoomError::NotIn("cường".into(), "lop".into()))
    );
    // A ban keeps them out; an unban lets them back.
    ask(
        &store,
        "bình",
        RoomAction::Ban {
            room: "lop".into(),
            user: "dũng".into(),
        },
    )
    .unwrap();
    assert_eq!(
        ask(&store, "dũng", RoomAction::Join { room: "lop".into() }),
        Err(RoomError::Banned("dũng".into(), "lop".into()))
    );
    assert!(store.page("dũng", &room("lop"), None, 10).is_err());
    ask(
        &store,
        "an",
        RoomAction::Unban {
            room: "lop".into(),
            user: "dũng".into(),
        },
    )
    .unwrap();
    ask(&store, "dũng", RoomAction::Join { room: "lop".into() }).unwrap();
    assert_eq!(
        ask(
            &store,
            "an",
            RoomAction::Leave {
                room: "general".into()
            }
        ),
        Err(RoomError::General("left"))
    );
    let topic = ask(
        &store,
        "dũng",
        RoomAction::Topic {
            room: "lop".into(),
            text: "x".into(),
        },
    );
    assert_eq!(
        topic,
        Err(RoomError::NotAllowed(
            "the owner and moderators",
            "lop".into()
        ))
    );
    let members = store.members("an", &room("lop"), "", 10).unwrap().0;
    let names: Vec<_> = members.iter().map(|m| (m.name.as_str(), m.role)).collect();
    assert_eq!(
        names,
        [
            ("an", Role::Owner),
            ("bình", Role::Moderator),
            ("dũng", Role::Member)
        ]
    );
}

#[test]
fn a_group_is_its_set_of_members() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let names =
        |list: &[&str]| Members::new(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    let group = Conversation::Group(names(&["an", "bình", "cường"]));
    post(&store, group.clone(), "an", "one");
    // The same set in another order is the same group.
    let same = Conversation::Group(names(&["cường", "an", "bình"]));
    post(&store, same, "bình", "two");
    let page = store.page("cường", &group, None, 10).unwrap();
    assert_eq!(page.events.len(), 2);
    assert!(store.page("dũng", &group, None, 10).is_err());
    let welcome = store.welcome("cường", &WelcomeRequest::default()).unwrap();
    let standing = welcome
        .standings
        .iter()
        .find(|s| s.conversation == group)
        .expect("the group is a standing");
    assert_eq!(standing.unread, 2);
}

#[test]
fn unread_and_mention_counts_come_from_the_read_position() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let first = post(&store, Conversation::General, "an", "hello @bình");
    for n in 0..3 {
        post(&store, Conversation::General, "an", &format!("chatter {n}"));
    }
    post(
        &store,
        Conversation::General,
        "bình",
        "my own does not count",
    );
    post(
        &store,
        Conversation::General,
        "an",
        "again @Bình, and @bình",
    );
    let standing = |store: &Store| {
        store
            .welcome("bình", &WelcomeRequest::default())
            .unwrap()
            .standings
            .into_iter()
            .find(|s| s.conversation == Conversation::General)
            .unwrap()
    };
    let before = standing(&store);
    assert_eq!((before.unread, before.mentions), (5, 2));
    store
        .mark_read("bình", Conversation::General, first)
        .unwrap();
    store.barrier().unwrap();
    let after = standing(&store);
    assert_eq!((after.unread, after.mentions), (4, 1));
    for n in 0..150 {
        post(&store, Conversation::General, "an", &format!("flood {n}"));
    }
    assert_eq!(standing(&store).unread, media_chat_store::UNREAD_CAP);
}

#[test]
fn memberships_list_every_room_for_the_fan_out() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    create(&store, "an", "a", Visibility::Public);
    create(&store, "bình", "b", Visibility::Private);
    ask(&store, "cường", RoomAction::Join { room: "a".into() }).unwrap();
    ask(
        &store,
        "bình",
        RoomAction::Invite {
            room: "b".into(),
            user: "an".into(),
        },
    )
    .unwrap();
    let mut rooms = store.memberships().unwrap();
    rooms.sort_by(|x, y| x.name.cmp(&y.name));
    assert_eq!(
        rooms[0].members,
        [("an".into(), Role::Owner), ("cường".into(), Role::Member)]
    );
    assert_eq!(rooms[1].visibility, Visibility::Private);
    assert_eq!(
        rooms[1].members,
        [("an".into(), Role::Invited), ("bình".into(), Role::Owner)]
    );
}

fn share(store: &Store, conversation: Conversation, author: &str, name: &str, byte: u8) {
    store
        .append(NewEvent {
            conversation,
            author: author.into(),
            body: EventBody::FileShared {
                name: name.into(),
                size: 3,
                sha256: Sha256Digest([byte; 32]),
            },
            token: None,
            origin: 0,
            also_mentions: Vec::new(),
        })
        .expect("shared");
}

fn recorded(store: &Store, conversation: &Conversation) -> Vec<(String, String, u8)> {
    store
        .files(conversation)
        .unwrap()
        .into_iter()
        .map(|file| (file.name, file.uploader, file.sha256.0[0]))
        .collect()
}

#[test]
fn files_are_recorded_per_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    create(&store, "an", "lớp", Visibility::Private);
    let group = Conversation::Group(Members::new(&["an".into(), "Bình".into(), "cường".into()]));
    let direct = Conversation::Direct(Pair::new("an", "Bình"));
    share(&store, Conversation::General, "an", "ảnh.png", 1);
    share(&store, room("lớp"), "an", "ảnh.png", 2);
    share(&store, group.clone(), "Bình", "ảnh.png", 3);
    share(&store, group.clone(), "cường", "ảnh.png", 3);
    share(&store, direct.clone(), "Bình", "bài.pdf", 4);
    assert_eq!(
        recorded(&store, &Conversation::General),
        [("ảnh.png".into(), "an".into(), 1)]
    );
    assert_eq!(
        recorded(&store, &room("lớp")),
        [("ảnh.png".into(), "an".into(), 2)]
    );
    assert_eq!(
        recorded(&store, &group),
        [("ảnh.png".into(), "Bình".into(), 3)],
        "the first share in the conversation names the uploader"
    );
    assert_eq!(
        recorded(&store, &direct),
        [("bài.pdf".into(), "Bình".into(), 4)]
    );
    assert!(recorded(&store, &room("other")).is_empty());
}

// The chat log said `FILE|…` for a share in any conversation: an
// administrator reading it took a private room's file for #general's.
#[test]
fn the_chat_log_names_the_conversation_of_a_share() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    create(&store, "an", "lớp", Visibility::Private);
    share(&store, Conversation::General, "an", "chung.png", 1);
    share(&store, room("lớp"), "an", "riêng.png", 2);
    share(
        &store,
        Conversation::Direct(Pair::new("an", "Bình")),
        "Bình",
        "thư.pdf",
        3,
    );
    store.close();
    let log = std::fs::read_to_string(dir.path().join(media_chat_store::LOG_FILE)).unwrap();
    let shares: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("FILE|"))
        .map(|line| line.split_once('|').unwrap().1)
        .map(|line| line.rsplitn(3, '|').nth(2).unwrap())
        .collect();
    assert_eq!(
        shares,
        [
            "FILE|an|chung.png",
            "ROOM_FILE|#lớp|an|riêng.png",
            "ROOM_FILE|@an,Bình|Bình|thư.pdf"
        ]
    );
}

#[test]
fn files_recorded_before_conversations_had_files_become_general_s() {
    let dir = tempfile::tempdir().unwrap();
    {
        // A database as the previous version left it.
        let db = rusqlite::Connection::open(dir.path().join(media_chat_store::DB_FILE)).unwrap();
        db.execute_batch(include_str!("../../src/schema/0001_init.sql"))
            .unwrap();
        db.execute_batch(include_str!("../../src/schema/0002_rooms.sql"))
            .unwrap();
        db.execute(
            "INSERT INTO files (name, size, sha256, uploader, ts) VALUES ('cũ.png', 3, ?1, 'an', 7)",
            [&[9u8; 32][..]],
        )
        .unwrap();
        db.pragma_update(None, "user_version", 2).unwrap();
    }
    let store = open(dir.path());
    assert_eq!(
        recorded(&store, &Conversation::General),
        [("cũ.png".into(), "an".into(), 9)]
    );
    share(&store, Conversation::General, "Bình", "mới.png", 5);
    assert_eq!(recorded(&store, &Conversation::General).len(), 2);
}

#[test]
fn partners_are_the_other_people_of_direct_and_group_conversations() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    post(
        &store,
        Conversation::Direct(Pair::new("an", "Bình")),
        "an",
        "chào",
    );
    post(
        &store,
        Conversation::Direct(Pair::new("cường", "an")),
        "cường",
        "ê",
    );
    post(
        &store,
        Conversation::Direct(Pair::new("an", "an")),
        "an",
        "ghi chú",
    );
    let group = Members::new(&["an".into(), "dũng".into(), "Bình".into()]);
    post(&store, Conversation::Group(group), "dũng", "nhóm");
    post(
        &store,
        Conversation::Direct(Pair::new("em", "Bình")),
        "em",
        "không liên quan",
    );
    create(&store, "an", "lớp", Visibility::Public);
    let mut partners = store.partners("an").unwrap();
    partners.sort();
    assert_eq!(partners, ["bình", "cường", "dũng"]);
    assert!(store.partners("nobody").unwrap().is_empty());
}
