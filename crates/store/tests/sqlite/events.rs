//! The store on a real SQLite file in a fresh temporary dir: ids, tokens,
//! visibility, backlogs with gaps, pages, missed direct messages, read
//! positions, reopening, the import of an older chat log, backups, and a
//! property test against a plain in-memory model.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::thread;

use media_chat_protocol::Sha256Digest;
use media_chat_protocol::rules::user_key;
use media_chat_store::{
    Committed, Conversation, Durability, Event, EventBody, EventId, NewEvent, Pair, Sink, Store,
    StoreError,
};
use parking_lot::Mutex;
use proptest::prelude::*;

/// Collects what the store hands to its sink.
#[derive(Clone, Default)]
struct Collect(Arc<Mutex<Vec<Heard>>>);

/// One thing the sink heard.
#[derive(Debug, Clone)]
enum Heard {
    Committed(Committed),
    /// Origin, token, the error's text.
    Refused(u64, Option<String>, String),
}

impl Sink for Collect {
    fn committed(&self, events: &[Committed]) {
        self.0
            .lock()
            .extend(events.iter().cloned().map(Heard::Committed));
    }

    fn refused(&self, origin: u64, token: Option<&str>, error: &StoreError) {
        let token = token.map(str::to_owned);
        self.0
            .lock()
            .push(Heard::Refused(origin, token, error.to_string()));
    }
}

impl Collect {
    /// The ids of the events fanned out (duplicates are not).
    fn ids(&self) -> Vec<u64> {
        self.committed()
            .iter()
            .filter(|c| !c.duplicate)
            .map(|c| c.event.id.0)
            .collect()
    }

    /// Every committed event heard, duplicates included.
    fn committed(&self) -> Vec<Committed> {
        self.0
            .lock()
            .iter()
            .filter_map(|heard| match heard {
                Heard::Committed(c) => Some(c.clone()),
                Heard::Refused(..) => None,
            })
            .collect()
    }

    fn heard(&self) -> Vec<Heard> {
        self.0.lock().clone()
    }
}

fn open(dir: &Path) -> (Store, Collect) {
    let sink = Collect::default();
    let (store, _) = Store::open(dir, Durability::Normal, Box::new(sink.clone())).expect("open");
    (store, sink)
}

fn text(conversation: Conversation, author: &str, text: &str) -> NewEvent {
    NewEvent {
        conversation,
        author: author.to_owned(),
        body: EventBody::Text {
            text: text.to_owned(),
        },
        token: None,
        origin: 0,
        also_mentions: Vec::new(),
    }
}

fn dm(from: &str, to: &str, body: &str) -> NewEvent {
    text(Conversation::Direct(Pair::new(from, to)), from, body)
}

fn texts(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match &e.body {
            EventBody::Text { text } => text.clone(),
            EventBody::FileShared { name, .. } => format!("file {name}"),
            EventBody::Member { user, change } => format!("{user} {change}"),
            EventBody::Topic { text } => format!("topic {text}"),
            EventBody::Edited { text, .. } => format!("{text} (edited)"),
            EventBody::Reply { to, text, .. } => format!("reply {} {text}", to.0),
            EventBody::Deleted => "(deleted)".to_owned(),
            EventBody::Edit { target, text } => format!("edit {} {text}", target.0),
            EventBody::Delete { target } => format!("delete {}", target.0),
            EventBody::FileDelete { name } => format!("file {name} deleted"),
            EventBody::FileDeleted { name } => format!("file {name} (deleted)"),
            EventBody::React {
                target,
                reaction,
                on,
            } => format!("react {} {reaction} {on}", target.0),
        })
        .collect()
}

#[test]
fn appends_get_increasing_ids_and_reach_the_sink_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (store, sink) = open(dir.path());
    let first = store
        .append(text(Conversation::General, "an", "một"))
        .unwrap();
    let second = store.append(dm("an", "Bình", "hai")).unwrap();
    assert!(first.event.id < second.event.id);
    assert!(!first.duplicate);
    assert_eq!(sink.ids(), vec![first.event.id.0, second.event.id.0]);
    assert_eq!(store.last_id().unwrap(), second.event.id);
    assert_eq!(
        texts(&store.latest(&user_key("bình"), 10).unwrap()),
        ["một", "hai"]
    );
    assert_eq!(texts(&store.latest("an", 1).unwrap()), ["hai"]);
}

#[test]
fn many_threads_appending_at_once_get_distinct_ids_in_sink_order() {
    let dir = tempfile::tempdir().unwrap();
    let (store, sink) = open(dir.path());
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let store = store.clone();
            thread::spawn(move || {
                (0..200)
                    .map(|n| {
                        store
                            .append(text(
                                Conversation::General,
                                &format!("u{t}"),
                                &n.to_string(),
                            ))
                            .unwrap()
                            .event
                            .id
                            .0
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut answered: Vec<u64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let seen = sink.ids();
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "sink order is id order"
    );
    answered.sort_unstable();
    assert_eq!(answered, seen, "every answered id reached the sink once");
    assert_eq!(seen.len(), 1600);
}

#[test]
fn a_token_sent_twice_stores_one_event() {
    let dir = tempfile::tempdir().unwrap();
    let (store, sink) = open(dir.path());
    let mut event = text(Conversation::General, "an", "once");
    event.token = Some("t-1".into());
    let first = store.append(event.clone()).unwrap();
    let again = store.append(event.clone()).unwrap();
    assert!(again.duplicate);
    assert_eq!(again.event.id, first.event.id);
    assert_eq!(
        sink.ids(),
        vec![first.event.id.0],
        "a duplicate is not fanned out"
    );
    // It reaches the sink marked, so that the server can acknowledge it.
    let heard = sink.committed();
    assert_eq!(heard.len(), 2);
    assert!(heard[1].duplicate);
    assert_eq!(heard[1].event, first.event);
    assert_eq!(heard[1].token.as_deref(), Some("t-1"));
    // The same token from someone else is their own.
    event.author = "bình".into();
    assert!(!store.append(event).unwrap().duplicate);
    assert_eq!(store.latest("an", 10).unwrap().len(), 2);
}

#[test]
fn a_submitted_event_is_answered_through_the_sink_in_the_order_submitted() {
    let dir = tempfile::tempdir().unwrap();
    let (store, sink) = open(dir.path());
    let from = |conversation: Conversation, token: &str, body: &str| NewEvent {
        token: Some(token.to_owned()),
        origin: 7,
        also_mentions: Vec::new(),
        ..text(conversation, "an", body)
    };
    store
        .submit(from(Conversation::General, "t-1", "one"))
        .unwrap();
    // Nobody is a member of a room that does not exist.
    store
        .submit(from(Conversation::Room("nowhere".into()), "t-2", "two"))
        .unwrap();
    store
        .submit(from(Conversation::General, "t-1", "one"))
        .unwrap();
    store
        .submit(from(Conversation::General, "t-3", "three"))
        .unwrap();
    store.barrier().unwrap();
    let heard = sink.heard();
    let [
        Heard::Committed(one),
        Heard::Refused(7, Some(refused), reason),
        Heard::Committed(again),
        Heard::Committed(three),
    ] = heard.as_slice()
    else {
        panic!("heard {heard:#?}");
    };
    assert_eq!((one.origin, one.token.as_deref()), (7, Some("t-1")));
    assert!(!one.duplicate);
    assert_eq!(refused, "t-2");
    assert!(reason.contains("nowhere"), "{reason}");
    assert!(again.duplicate, "the same token again stores nothing");
    assert_eq!(again.event, one.event);
    assert!(!three.duplicate);
    assert!(one.event.id < three.event.id);
    assert_eq!(texts(&store.latest("an", 10).unwrap()), ["one", "three"]);
}

#[test]
fn submitting_to_a_closed_store_fails_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (store, sink) = open(dir.path());
    store.close();
    let refused = store.submit(text(Conversation::General, "an", "late"));
    assert!(matches!(refused, Err(StoreError::Closed)), "{refused:?}");
    assert!(sink.heard().is_empty());
}

#[test]
fn nobody_sees_a_direct_conversation_they_are_not_in() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(dir.path());
    store.append(dm("an", "bình", "secret")).unwrap();
    store
        .append(text(Conversation::General, "an", "public"))
        .unwrap();
    assert_eq!(texts(&store.latest("cường", 10).unwrap()), ["public"]);
    let backlog = store.since("cường", EventId(0), 10).unwrap();
    assert_eq!(texts(&backlog.events), ["public"]);
    let pair = Conversation::Direct(Pair::new("an", "bình"));
    assert!(store.page("cường", &pair, None, 10).is_err());
    assert_eq!(
        texts(&store.page("bình", &pair, None, 10).unwrap().events),
        ["secret"]
    );
    assert!(store.missed_direct("cường", 10).unwrap().0.is_empty());
}

#[test]
fn a_backlog_past_a_page_notes_the_gap_and_pages_fill_it() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(dir.path());
    let start = store
        .append(text(Conversation::General, "an", "seen"))
        .unwrap();
    for n in 0..25 {
        store
            .append(text(Conversation::General, "an", &n.to_string()))
            .unwrap();
    }
    store.append(dm("an", "bình", "dm")).unwrap();
    let backlog = store.since("bình", start.event.id, 10).unwrap();
    assert_eq!(backlog.events.len(), 11, "10 of #general, 1 direct");
    assert_eq!(
        texts(&backlog.events)[..10],
        (15..25).map(|n| n.to_string()).collect::<Vec<_>>()[..]
    );
    assert_eq!(backlog.gaps.len(), 1);
    let (gap, before) = &backlog.gaps[0];
    assert_eq!(*gap, Conversation::General);
    assert_eq!(*before, backlog.events[0].id);
    assert_eq!(backlog.last_id, store.last_id().unwrap());
    // Paging back from the gap reaches the client's last id, no more.
    let mut filled = Vec::new();
    let mut cursor = Some(*before);
    while let Some(before) = cursor {
        let page = store
            .page("bình", &Conversation::General, Some(before), 4)
            .unwrap();
        let older: Vec<_> = page
            .events
            .into_iter()
            .filter(|e| e.id > start.event.id)
            .collect();
        cursor = older.first().map(|e| e.id).filter(|_| page.more);
        filled.splice(0..0, older);
    }
    assert_eq!(
        texts(&filled),
        (0..15).map(|n| n.to_string()).collect::<Vec<_>>()
    );
}

#[test]
fn missed_direct_messages_are_the_ones_after_the_last_session_ended() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(dir.path());
    store
        .append(dm("an", "bình", "before she ever logged in"))
        .unwrap();
    store.left("Bình", store.last_id().unwrap()).unwrap();
    store.append(dm("an", "bình", "while away 1")).unwrap();
    store.append(dm("bình", "an", "her own")).unwrap();
    store.append(dm("cường", "bình", "while away 2")).unwrap();
    let (missed, more) = store.missed_direct("bình", 10).unwrap();
    assert_eq!(texts(&missed), ["while away 1", "while away 2"]);
    assert!(!more);
    let (newest, more) = store.missed_direct("bình", 1).unwrap();
    assert_eq!(texts(&newest), ["while away 2"]);
    assert!(more);
    // Someone who never had a session missed everything sent to them.
    assert_eq!(
        texts(&store.missed_direct("an", 10).unwrap().0),
        ["her own"]
    );
}

#[test]
fn read_positions_only_move_forward_and_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(dir.path());
    let a = store
        .append(text(Conversation::General, "an", "1"))
        .unwrap();
    let b = store
        .append(text(Conversation::General, "an", "2"))
        .unwrap();
    store
        .mark_read("bình", Conversation::General, b.event.id)
        .unwrap();
    store
        .mark_read("bình", Conversation::General, a.event.id)
        .unwrap();
    store.barrier().unwrap();
    assert_eq!(
        store.read_positions("bình").unwrap(),
        vec![(Conversation::General, b.event.id)]
    );
    store.close();
    let (store, _) = open(dir.path());
    assert_eq!(
        store.read_positions("bình").unwrap(),
        vec![(Conversation::General, b.event.id)]
    );
    let next = store
        .append(text(Conversation::General, "an", "3"))
        .unwrap();
    assert!(next.event.id > b.event.id, "ids go on after a reopen");
    assert!(store.append(text(Conversation::General, "an", "x")).is_ok());
    store.close();
    assert!(
        store
            .append(text(Conversation::General, "an", "late"))
            .is_err()
    );
}

#[test]
fn the_chat_log_gets_a_line_per_event_after_its_commit() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(dir.path());
    store.joined("an").unwrap();
    store
        .append(text(Conversation::General, "an", "xin chào"))
        .unwrap();
    store.append(dm("an", "Bình", "psst")).unwrap();
    store.left("an", store.last_id().unwrap()).unwrap();
    store.close();
    let log = fs::read_to_string(dir.path().join("message_history.txt")).unwrap();
    let kinds: Vec<&str> = log
        .lines()
        .map(|line| line.split('|').nth(1).unwrap())
        .collect();
    assert_eq!(kinds, ["JOIN", "TEXT", "DM", "LEAVE"]);
    assert!(log.contains("|DM|an|Bình|psst\n"), "{log}");
}

#[test]
fn an_older_data_dir_is_imported_once_losing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    let log = format!(
        "2026-11-25T12:00:00Z|JOIN|an\n\
         2026-11-25T12:00:01Z|TEXT|an|xin chào | cả nhà\n\
         2026-11-25T12:00:02Z|FILE|an|ảnh.png|5|{sha}\n\
         2026-11-25T12:00:03Z|JOIN|bình\n\
         2026-11-25T12:00:04Z|DM|an|bình|seen live\n\
         2026-11-25T12:00:05Z|LEAVE|bình\n\
         not a log line\n\
         2026-11-25T12:00:06Z|DM_OFFLINE|an|bình|held for her\n\
         2026-11-25T12:00:07Z|FILE|bình|ảnh.png|5|{sha}\n\
         2026-11-25T12:00:08Z|TEXT|an|torn"
    );
    fs::write(dir.path().join("message_history.txt"), &log).unwrap();
    let sink = Collect::default();
    let (store, report) =
        Store::open(dir.path(), Durability::Normal, Box::new(sink.clone())).unwrap();
    let report = report.expect("an import");
    assert_eq!(report.events, 5);
    assert_eq!(report.files, 1);
    assert_eq!(report.skipped, 2, "the garbage line and the torn last line");
    assert!(
        sink.ids().is_empty(),
        "imported events are history, not news"
    );
    let events = store.latest("bình", 100).unwrap();
    assert_eq!(
        texts(&events),
        [
            "xin chào | cả nhà",
            "file ảnh.png",
            "seen live",
            "held for her",
            "file ảnh.png"
        ]
    );
    assert_eq!(events[0].ts, 1_795_608_001, "the log's time is kept");
    let files = store.files(&Conversation::General).unwrap();
    assert_eq!(files[0].uploader, "an", "the first uploader is kept");
    assert_eq!(files[0].sha256, Sha256Digest::from_hex(sha).unwrap());
    assert_eq!(
        texts(&store.missed_direct("bình", 10).unwrap().0),
        ["held for her"]
    );
    store
        .append(text(Conversation::General, "an", "after"))
        .unwrap();
    store.close();
    // A second start opens the database and imports nothing.
    let (store, report) = open_with_report(dir.path());
    assert!(report.is_none());
    assert_eq!(store.latest("an", 100).unwrap().len(), 6);
}

fn open_with_report(dir: &Path) -> (Store, Option<media_chat_store::ImportReport>) {
    Store::open(dir, Durability::Normal, Box::new(Collect::default())).unwrap()
}

#[test]
fn a_backup_taken_while_running_holds_every_committed_event() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(dir.path());
    for n in 0..100 {
        store
            .append(text(Conversation::General, "an", &n.to_string()))
            .unwrap();
    }
    let copy = tempfile::tempdir().unwrap();
    store.backup_to(&copy.path().join("media-chat.db")).unwrap();
    store
        .append(text(Conversation::General, "an", "after"))
        .unwrap();
    let (restored, _) = open(copy.path());
    assert_eq!(restored.latest("an", 1000).unwrap().len(), 100);
}

/// One step of the model test.
#[derive(Debug, Clone)]
enum Step {
    Post { author: usize, to: Option<usize> },
    Left { user: usize },
}

const USERS: [&str; 3] = ["an", "Bình", "cường"];

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..3usize, proptest::option::of(0..3usize)).prop_map(|(author, to)| Step::Post { author, to }),
        1 => (0..3usize).prop_map(|user| Step::Left { user }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// The store answers every query as a plain list of events would.
    #[test]
    fn the_store_agrees_with_a_model(steps in prop::collection::vec(step(), 1..40), page in 1usize..6) {
        let dir = tempfile::tempdir().unwrap();
        let (store, sink) = open(dir.path());
        // The model: every event as (id, conversation, author, text), and
        // each user's last-seen id.
        let mut model: Vec<(u64, Conversation, String, String)> = Vec::new();
        let mut last_seen = [0u64; 3];
        for (n, step) in steps.iter().enumerate() {
            match step {
                Step::Post { author, to } => {
                    let conversation = match to {
                        Some(to) => Conversation::Direct(Pair::new(USERS[*author], USERS[*to])),
                        None => Conversation::General,
                    };
                    let body = format!("m{n}");
                    let done = store.append(text(conversation.clone(), USERS[*author], &body)).unwrap();
                    model.push((done.event.id.0, conversation, USERS[*author].to_owned(), body));
                }
                Step::Left { user } => {
                    store.left(USERS[*user], store.last_id().unwrap()).unwrap();
                    store.barrier().unwrap();
                    last_seen[*user] = model.last().map_or(0, |e| e.0);
                }
            }
        }
        prop_assert_eq!(sink.ids(), model.iter().map(|e| e.0).collect::<Vec<_>>());
        for (u, user) in USERS.iter().enumerate() {
            let key = user_key(user);
            let visible: Vec<_> = model.iter().filter(|e| e.1.visible_to(&key) == Some(true)).collect();
            let latest = store.latest(&key, page).unwrap();
            let expected: Vec<u64> = visible.iter().rev().take(page).rev().map(|e| e.0).collect();
            prop_assert_eq!(latest.iter().map(|e| e.id.0).collect::<Vec<_>>(), expected);
            let missed = store.missed_direct(&key, 100).unwrap().0;
            let expected: Vec<u64> = visible
                .iter()
                .filter(|e| e.1 != Conversation::General && e.0 > last_seen[u] && user_key(&e.2) != key)
                .map(|e| e.0)
                .collect();
            prop_assert_eq!(missed.iter().map(|e| e.id.0).collect::<Vec<_>>(), expected);
            // A backlog after the midpoint plus its gaps, filled by paging,
            // is exactly the visible events after the midpoint.
            let after = model.get(model.len() / 2).map_or(0, |e| e.0);
            let backlog = store.since(&key, EventId(after), page).unwrap();
            let mut got: Vec<u64> = backlog.events.iter().map(|e| e.id.0).collect();
            for (conversation, before) in &backlog.gaps {
                let mut cursor = Some(*before);
                while let Some(before) = cursor {
                    let p = store.page(&key, conversation, Some(before), page).unwrap();
                    let older: Vec<u64> = p.events.iter().map(|e| e.id.0).filter(|&id| id > after).collect();
                    cursor = if p.more && older.len() == p.events.len() { older.first().map(|&id| EventId(id)) } else { None };
                    got.extend(older);
                }
            }
            got.sort_unstable();
            let expected: Vec<u64> = visible.iter().map(|e| e.0).filter(|&id| id > after).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
