//! The client library's edits, deletes, replies and reactions against a
//! real server: the author's own session and everyone else's hear the
//! change, a page (or a reconnect's welcome) shows the message and its
//! reactions as they are now, and a refusal comes back as an error.
//!
//! See: issue 12, "Messages".

use std::time::Duration;

use media_chat_client::{Body, Change, Client, Conversation, Delivery, Event, Origin};
use media_chat_e2e::TestServer;

use crate::client::{join, wait_collect};

const LONG: Duration = Duration::from_secs(30);

fn wait(client: &Client, wanted: impl FnMut(&Event) -> bool) -> Event {
    wait_collect(client, LONG, wanted).1
}

/// Sends `text` to `#general` and waits for its id.
fn posted(client: &Client, text: &str) -> u64 {
    client.send_text(text).expect("sent");
    match wait(
        client,
        |e| matches!(e, Event::Delivery { message, .. } if message.text() == Some(text)),
    ) {
        Event::Delivery { message, .. } => match message.state {
            Delivery::Sent { id: Some(id) } => id,
            other => panic!("not stored: {other:?}"),
        },
        _ => unreachable!(),
    }
}

/// Waits for the change of `target` and returns it.
fn change_of(client: &Client, target: u64) -> (String, Change, Origin) {
    match wait(
        client,
        |e| matches!(e, Event::Changed { target: t, .. } if *t == target),
    ) {
        Event::Changed {
            by, change, origin, ..
        } => (by, change, origin),
        _ => unreachable!(),
    }
}

/// The body of message `id` in a fresh page of `#general`.
fn paged(client: &Client, id: u64) -> Body {
    client
        .load_before(Conversation::general(), 0, 50)
        .expect("paging");
    let (events, _) = wait_collect(client, LONG, |e| matches!(e, Event::PageEnd { .. }));
    events
        .into_iter()
        .find_map(|e| match e {
            Event::Message {
                message,
                origin: Origin::Page,
            } if message.id() == Some(id) => Some(message.body),
            _ => None,
        })
        .expect("in the page")
}

#[test]
fn an_edit_and_a_delete_reach_both_sides_and_pages_show_them() {
    let server = TestServer::start();
    let an = join(&server, "an");
    let binh = join(&server, "bình");
    let id = posted(&an, "hẹn 7 giờ");

    an.edit(Conversation::general(), id, "hẹn 8 giờ").unwrap();
    let edited = (
        "an".to_owned(),
        Change::Edited("hẹn 8 giờ".into()),
        Origin::Live,
    );
    assert_eq!(change_of(&an, id), edited);
    assert_eq!(change_of(&binh, id), edited);
    assert!(
        matches!(paged(&binh, id), Body::Edited { text, edit } if text == "hẹn 8 giờ" && edit > id)
    );

    binh.delete(Conversation::general(), id).unwrap();
    let refused = wait(&binh, |e| matches!(e, Event::ServerError { .. }));
    assert_eq!(
        refused,
        Event::ServerError {
            reason:
                "Only its author, the room's owner and moderators, and administrators can delete it"
                    .into()
        }
    );

    an.delete(Conversation::general(), id).unwrap();
    let deleted = ("an".to_owned(), Change::Deleted, Origin::Live);
    assert_eq!(change_of(&an, id), deleted);
    assert_eq!(change_of(&binh, id), deleted);
    assert_eq!(paged(&an, id), Body::Deleted);
}

#[test]
fn a_reply_reaches_the_other_side_with_what_it_answers_and_a_bad_one_fails() {
    let server = TestServer::start();
    let an = join(&server, "an");
    let binh = join(&server, "bình");
    let question = posted(&an, "hẹn 7 giờ?");

    let sent = binh.reply(Conversation::general(), question, "ừ").unwrap();
    assert_eq!(sent.reply_to(), Some(question));
    assert!(sent.is_pending());
    let heard = wait(
        &an,
        |e| matches!(e, Event::Message { message, .. } if message.text() == Some("ừ")),
    );
    let Event::Message { message, .. } = heard else {
        unreachable!()
    };
    assert_eq!(
        message.body,
        Body::Reply {
            text: "ừ".into(),
            to: question,
            edit: None
        }
    );

    binh.reply(Conversation::general(), 999_999, "hả?").unwrap();
    let failed = wait(
        &binh,
        |e| matches!(e, Event::Delivery { message, .. } if message.is_failed()),
    );
    let Event::Delivery { message, .. } = failed else {
        unreachable!()
    };
    assert_eq!(
        message.state,
        Delivery::Failed {
            token: message.token().unwrap().to_owned(),
            reason: "No such message: 999999".into()
        }
    );
}

/// Waits for the reaction change of `target` and returns it.
fn reactions_of(client: &Client, target: u64) -> (String, Change, Origin) {
    match wait(
        client,
        |e| matches!(e, Event::Changed { target: t, change, .. } if *t == target && change.reactions().is_some()),
    ) {
        Event::Changed {
            by, change, origin, ..
        } => (by, change, origin),
        _ => unreachable!(),
    }
}

#[test]
fn a_reaction_reaches_both_sides_with_the_whole_set_and_pages_bring_it_back() {
    let server = TestServer::start();
    let an = join(&server, "an");
    let binh = join(&server, "bình");
    let id = posted(&an, "hẹn 7 giờ");

    binh.react(id, "👍").unwrap();
    for client in [&an, &binh] {
        let (by, change, origin) = reactions_of(client, id);
        assert_eq!((by.as_str(), origin), ("bình", Origin::Live));
        let Change::Reacted {
            reaction,
            on,
            reactions,
        } = change
        else {
            panic!("{change:?}")
        };
        assert_eq!((reaction.as_str(), on), ("👍", true));
        assert_eq!(reactions.users("👍"), ["bình"]);
    }
    an.react(id, "👍").unwrap();
    let (_, change, _) = reactions_of(&binh, id);
    assert_eq!(change.reactions().unwrap().users("👍"), ["bình", "an"]);
    assert_eq!(
        reactions_of(&an, id).1,
        change,
        "the same on the reacting side"
    );
    binh.react(id, "👍").unwrap();
    let (_, change, _) = reactions_of(&an, id);
    assert!(matches!(change, Change::Reacted { on: false, .. }));
    assert_eq!(change.reactions().unwrap().users("👍"), ["an"]);

    // Someone who comes later gets them with the page.
    let cuong = join(&server, "cường");
    cuong
        .load_before(Conversation::general(), 0, 50)
        .expect("paging");
    let (_, change, origin) = reactions_of(&cuong, id);
    assert_ne!(origin, Origin::Live);
    assert!(matches!(&change, Change::Reactions(r) if r.users("👍") == ["an"]));

    assert!(matches!(
        an.react(id, "a|b"),
        Err(media_chat_client::SendError::Input(_))
    ));
    an.react(999_999, "👍").unwrap();
    assert_eq!(
        wait(&an, |e| matches!(e, Event::ServerError { .. })),
        Event::ServerError {
            reason: "No such message: 999999".into()
        }
    );
}

/// Reactions given while a client was away reach it with the welcome of
/// its reconnect (resuming after its last id), as the message's whole set.
/// See: issue 12, "Messages".
#[test]
fn reactions_given_while_away_come_with_the_reconnect() {
    let mut server = TestServer::start();
    let alice = crate::client::connect_with(server.addr(), "alice", |_| {});
    wait(&alice, |e| *e == Event::Synced);
    let mut binh = server.connect();
    binh.login_v3("bình", crate::PW, None);
    binh.send_line("SEND|t1|#general|ai đi ăn trưa?");
    let id: u64 = binh
        .read_line()
        .strip_prefix("ACK|t1|")
        .and_then(|rest| rest.split('|').next())
        .and_then(|id| id.parse().ok())
        .expect("an ACK");
    wait(
        &alice,
        |e| matches!(e, Event::Message { message, .. } if message.id() == Some(id)),
    );
    server.restart_same_addr();
    wait(&alice, |e| matches!(e, Event::Disconnected { .. }));
    let mut binh = server.connect();
    binh.login_v3("bình", crate::PW, None);
    binh.send_line(&format!("REACT|k1|{id}|🍜"));
    while !binh.read_line().starts_with("ACK|k1|") {}
    alice.reconnect();
    let (_, change, origin) = reactions_of(&alice, id);
    assert_eq!(origin, Origin::Backlog);
    assert!(
        matches!(&change, Change::Reactions(r) if r.users("🍜") == ["bình"]),
        "{change:?}"
    );
}
