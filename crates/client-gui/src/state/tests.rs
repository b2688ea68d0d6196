//! [`State::apply`] folded over events, one behaviour per test.

use media_chat_client::{Change, Cleared, Conversation, Delivery, Sha256Digest};

use super::*;

fn said(conversation: Conversation, author: &str, text: &str, id: u64) -> Message {
    Message {
        conversation,
        author: author.into(),
        body: Body::Text(text.into()),
        ts: 0,
        state: Delivery::Sent { id: Some(id) },
    }
}

fn general(author: &str, text: &str, id: u64) -> Message {
    said(Conversation::general(), author, text, id)
}

fn arrived(message: Message, origin: Origin) -> Event {
    Event::Message { message, origin }
}

fn live(message: Message) -> Event {
    arrived(message, Origin::Live)
}

fn page_end(more: bool) -> Event {
    Event::PageEnd {
        conversation: Conversation::general(),
        more,
    }
}

fn pending(text: &str, token: &str) -> Message {
    Message {
        state: Delivery::Pending {
            token: token.into(),
        },
        ..general("minh", text, 0)
    }
}

#[test]
fn the_seeds_tags() {
    let mut state = State::new("minh");
    state.sent(&pending("hi", "t1"));
    state.sent(&Message {
        conversation: Conversation::Direct("an".into()),
        ..pending("psst", "t2")
    });
    state.apply(live(said(Conversation::Direct("an".into()), "an", "ok", 3)));
    state.apply(live(general("an", "hello", 4)));
    state.clearing = true;
    state.apply(Event::CacheCleared {
        cleared: Cleared {
            files: 1,
            bytes: 10,
        },
    });
    assert!(!state.clearing);
    state.apply(Event::Disconnected {
        reason: "gone".into(),
    });
    assert_eq!(
        state.texts(),
        [
            "[Me] hi",
            "[PM → an] psst",
            "an: hello",
            "[*] cache cleared (1 file, 10 B)",
            "[!] disconnected: gone"
        ]
    );
    // The direct conversation's own view holds both sides of it.
    state.go(Conversation::Direct("an".into()));
    assert_eq!(state.texts(), ["[PM → an] psst", "[PM from an] ok"]);
    assert_eq!(
        state.link,
        Link::Lost {
            reason: "gone".into()
        }
    );
}

#[test]
fn a_delivery_changes_the_message_in_place() {
    let mut state = State::new("minh");
    state.sent(&pending("hi", "t1"));
    state.apply(live(general("an", "between", 5)));
    let revision = state.timeline().revision;
    let acked = Message {
        ts: 9,
        ..general("minh", "hi", 6)
    };
    state.apply(Event::Delivery {
        token: "t1".into(),
        message: acked.clone(),
    });
    assert!(state.timeline().revision > revision);
    assert_eq!(state.timeline().rows[0].message(), Some(&acked));
    assert_eq!(state.texts(), ["[Me] hi", "an: between"]);
    // A refusal keeps the row, failed, for Retry.
    state.sent(&pending("again", "t2"));
    let failed = Message {
        state: Delivery::Failed {
            token: "t2".into(),
            reason: "no".into(),
        },
        ..pending("again", "t2")
    };
    state.apply(Event::Delivery {
        token: "t2".into(),
        message: failed,
    });
    assert!(state.timeline().rows[2].message().unwrap().is_failed());
    state.discard("t2");
    assert_eq!(state.timeline().rows.len(), 2);
}

#[test]
fn a_message_shown_twice_is_kept_once() {
    let mut state = State::new("minh");
    state.apply(arrived(general("an", "x", 7), Origin::Backlog));
    state.apply(arrived(general("an", "x", 7), Origin::Page));
    state.apply(live(general("an", "x", 7)));
    assert_eq!(state.timeline().rows.len(), 1);
    // A retry of a message the backlog already brought: the pending
    // copy goes, the stored one stays.
    state.sent(&pending("mine", "t"));
    state.apply(arrived(general("minh", "mine", 8), Origin::Backlog));
    state.apply(Event::Delivery {
        token: "t".into(),
        message: general("minh", "mine", 8),
    });
    assert_eq!(state.texts(), ["an: x", "[Me] mine"]);
    assert!(
        state
            .timeline()
            .rows
            .iter()
            .all(|r| !r.message().unwrap().is_pending())
    );
}

#[test]
fn pages_go_in_before_newer_messages_and_move_the_cursor() {
    let mut state = State::new("minh");
    state.push(Tone::Notice, "[i] hosting");
    for id in [10, 11] {
        state.apply(arrived(general("an", &id.to_string(), id), Origin::Backlog));
    }
    assert_eq!(state.timeline().history.oldest, 10);
    for id in [4, 5] {
        state.apply(arrived(general("an", &id.to_string(), id), Origin::Page));
    }
    assert_eq!(
        state.timeline().rows.len(),
        3,
        "a page goes in whole, at its end"
    );
    state.apply(page_end(false));
    assert_eq!(
        state.texts(),
        ["[i] hosting", "an: 4", "an: 5", "an: 10", "an: 11"]
    );
    assert_eq!(state.timeline().history.oldest, 4);
    assert!(!state.timeline().history.more && !state.timeline().history.loading);
}

#[test]
fn an_own_message_never_stored_keeps_its_place_in_time_among_pages() {
    let mut state = State::new("minh");
    let failed = Message {
        ts: 50,
        state: Delivery::Failed {
            token: "t".into(),
            reason: "quit".into(),
        },
        ..general("minh", "unsent", 0)
    };
    // Undelivered from the last run: shown first, then the backlog.
    state.apply(Event::Delivery {
        token: "t".into(),
        message: failed,
    });
    let at = |id, ts| Message {
        ts,
        ..general("an", &format!("{id}"), id)
    };
    state.apply(arrived(at(10, 60), Origin::Backlog));
    for id in [4, 5] {
        state.apply(arrived(at(id, 40), Origin::Page));
    }
    state.apply(page_end(true));
    assert_eq!(state.texts(), ["an: 4", "an: 5", "[Me] unsent", "an: 10"]);
}

#[test]
fn the_list_is_trimmed_only_at_the_bottom_and_pages_come_back() {
    let mut state = State::new("minh");
    for id in 1..=(MAX_ROWS as u64 + 1) {
        state.apply(live(general("an", "x", id)));
    }
    state.timeline_mut().history.more = false;
    state.trim(false);
    assert_eq!(
        state.timeline().rows.len(),
        MAX_ROWS + 1,
        "not while scrolled up"
    );
    state.trim(true);
    assert_eq!(state.timeline().rows.len(), KEEP_ROWS);
    let oldest = MAX_ROWS as u64 + 2 - KEEP_ROWS as u64;
    assert_eq!(state.timeline().history.oldest, oldest);
    assert!(
        state.timeline().history.more,
        "fetched again when scrolled up"
    );
    // A dropped message can come back in a page.
    state.apply(arrived(general("an", "x", oldest - 1), Origin::Page));
    state.apply(page_end(true));
    assert_eq!(state.timeline().rows.len(), KEEP_ROWS + 1);
}

#[test]
fn a_gap_drops_what_no_longer_joins_up() {
    let mut state = State::new("minh");
    state.apply(live(general("an", "old", 3)));
    state.apply(live(said(Conversation::Direct("an".into()), "an", "dm", 4)));
    state.apply(Event::Gap {
        conversation: Conversation::general(),
        after: 4,
        before: 200,
    });
    state.apply(arrived(general("an", "new", 200), Origin::Backlog));
    assert_eq!(state.texts(), ["an: new"]);
    assert_eq!(state.timeline().history.oldest, 200);
    assert!(state.timeline().history.more);
    state.go(Conversation::Direct("an".into()));
    assert_eq!(
        state.texts(),
        ["[PM from an] dm"],
        "other views keep theirs"
    );
}

#[test]
fn new_messages_are_marked_from_the_read_position() {
    let mut state = State::new("minh");
    for id in [1, 2, 3] {
        state.apply(live(general("an", "x", id)));
    }
    assert_eq!(state.timeline().first_unread("minh"), None);
    state.apply(Event::ReadUpTo {
        conversation: Conversation::general(),
        id: 1,
    });
    assert_eq!(state.timeline().read, 1);
    assert_eq!(
        state.timeline().first_unread("minh"),
        Some(state.timeline().rows[1].key)
    );
    assert_eq!(state.timeline().newest(), Some(3));
}

#[test]
fn presence_and_files_stay_current() {
    let mut state = State::new("minh");
    state.apply(Event::Users {
        users: vec!["an".into(), "minh".into()],
    });
    state.apply(Event::Joined {
        user: "Bình".into(),
    });
    state.apply(Event::Left { user: "an".into() });
    assert_eq!(state.online.values().collect::<Vec<_>>(), ["Bình", "minh"]);
    state.apply(live(Message {
        body: Body::File {
            name: "a.png".into(),
            size: 3,
            sha256: Sha256Digest([0; 32]),
            preview: None,
        },
        ..general("an", "", 1)
    }));
    assert_eq!(state.current_files().unwrap()["a.png"].uploader, "an");
}

#[test]
fn downloads_open_when_asked_and_images_get_thumbnails() {
    let mut state = State::new("minh");
    state.started(7, Direction::Download, "a.png");
    state.open_when_done.insert(7);
    let effects = state.apply(Event::Downloaded {
        id: 7,
        name: "a.png".into(),
        path: "/c/a.png".into(),
    });
    assert_eq!(
        effects,
        [
            Effect::Thumbnail("/c/a.png".into()),
            Effect::Open("/c/a.png".into())
        ]
    );
    assert!(state.transfers.is_empty());
    assert_eq!(
        state.timeline().rows[0].image.as_deref(),
        Some(Path::new("/c/a.png"))
    );
}

#[test]
fn unread_counts_only_while_unfocused() {
    let mut state = State::new("minh");
    state.apply(live(general("an", "x", 1)));
    assert_eq!(state.unread, 0);
    state.focused = false;
    state.apply(live(general("an", "x", 2)));
    state.apply(arrived(general("an", "x", 3), Origin::Page));
    state.apply(Event::Joined { user: "b".into() });
    assert_eq!(state.unread, 1);
}

fn room(name: &str) -> Conversation {
    Conversation::Room(name.into())
}

fn info(conversation: Conversation, unread: u64, mentions: u64) -> Event {
    let kind = match &conversation {
        Conversation::Room(_) => media_chat_client::ConversationKind::Room,
        Conversation::Direct(_) => media_chat_client::ConversationKind::Direct,
        Conversation::Group(_) => media_chat_client::ConversationKind::Group,
    };
    Event::Conversation {
        info: media_chat_client::ConversationInfo {
            conversation,
            kind,
            role: media_chat_client::Role::Member,
            topic: String::new(),
            unread,
            mentions,
            last_id: 0,
            muted: false,
        },
    }
}

#[test]
fn each_conversation_has_its_own_view_and_own_sends_show_where_typed() {
    let mut state = State::new("minh");
    let lop = room("lớp_12A");
    state.apply(live(said(lop.clone(), "an", "bài tập", 5)));
    state.apply(live(general("an", "chào", 6)));
    assert_eq!(state.texts(), ["an: chào"]);
    // `#lớp_12A text` typed in #general: shown here, named, and there.
    state.sent(&Message {
        conversation: lop.clone(),
        ..pending("xong rồi", "t1")
    });
    assert_eq!(state.texts(), ["an: chào", "[Me → #lớp_12A] xong rồi"]);
    state.apply(Event::Delivery {
        token: "t1".into(),
        message: said(lop.clone(), "minh", "xong rồi", 7),
    });
    state.apply(Event::CurrentChanged {
        conversation: lop.clone(),
    });
    assert_eq!(state.current, lop);
    assert_eq!(state.texts(), ["an: bài tập", "[Me] xong rồi"]);
    assert!(
        state
            .timeline()
            .rows
            .iter()
            .all(|r| !r.message().unwrap().is_pending()),
        "acknowledged in both views"
    );
    // Pages of a conversation go to its view, with its own cursor.
    state.apply(arrived(said(lop.clone(), "an", "cũ", 2), Origin::Page));
    state.apply(Event::PageEnd {
        conversation: lop.clone(),
        more: false,
    });
    assert_eq!(state.texts()[0], "an: cũ");
    assert_eq!(state.timeline().history.oldest, 2);
    assert!(!state.timeline().history.more);
    state.go(Conversation::general());
    assert!(
        state.timeline().history.more,
        "#general's cursor is its own"
    );
}

#[test]
fn the_sidebar_follows_conversation_events_and_the_title_counts_them_all() {
    let mut state = State::new("minh");
    state.apply(info(Conversation::Direct("Bình".into()), 2, 0));
    state.apply(info(room("toán"), 120, 3));
    state.apply(info(Conversation::general(), 1, 0));
    let names: Vec<String> = state
        .conversations
        .list()
        .iter()
        .map(|i| i.conversation.to_string())
        .collect();
    assert_eq!(names, ["#general", "#toán", "@Bình"]);
    assert_eq!(state.total_unread(), 123);
    state.apply(Event::Unread {
        conversation: room("TOÁN"),
        unread: 0,
        mentions: 0,
    });
    assert_eq!(state.total_unread(), 3);
    state.go(room("toán"));
    state.apply(Event::ConversationGone {
        conversation: room("toán"),
        reason: "removed by an".into(),
    });
    assert!(state.current.is_general(), "back to #general");
    assert_eq!(state.conversations.list().len(), 2);
    // A version 2 server counts nothing: the title counts what came while
    // the window was away.
    state.v3 = false;
    state.focused = false;
    state.apply(live(general("an", "x", 9)));
    assert_eq!(state.total_unread(), 1);
}

#[test]
fn going_to_a_conversation_marks_what_is_new_since_it_was_read() {
    let mut state = State::new("minh");
    let lop = room("lop");
    for id in [1, 2, 3] {
        state.apply(live(said(lop.clone(), "an", "x", id)));
    }
    state.apply(Event::ReadUpTo {
        conversation: lop.clone(),
        id: 1,
    });
    state.go(lop);
    let second = state.timeline().rows[1].key;
    assert_eq!(state.timeline().first_unread("minh"), Some(second));
    assert_eq!(state.timeline().newest(), Some(3));
}

#[test]
fn an_edit_and_a_delete_change_the_row_in_place_and_an_older_edit_does_not_undo_a_newer() {
    let mut state = State::new("minh");
    state.apply(live(general("an", "hẹn 7 giờ", 4)));
    let changed = |id: u64, change: Change| Event::Changed {
        id,
        conversation: Conversation::general(),
        target: 4,
        by: "an".into(),
        change,
        origin: Origin::Live,
    };
    state.apply(changed(7, Change::Edited("hẹn 8 giờ".into())));
    assert_eq!(state.texts(), ["an: hẹn 8 giờ (edited)"]);
    state.apply(changed(5, Change::Edited("hẹn 6 giờ".into())));
    assert_eq!(state.texts(), ["an: hẹn 8 giờ (edited)"]);
    state.apply(changed(9, Change::Deleted));
    assert_eq!(state.texts(), ["an: (message deleted)"]);
}
