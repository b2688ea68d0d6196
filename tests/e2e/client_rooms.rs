//! The client library's rooms and conversations against a real server:
//! the conversations a login brings with their unread and mention counts,
//! counts that follow new events and the user's other sessions, creating,
//! joining and leaving rooms, a private room's invitations, a removal
//! (the conversation goes, nothing of it after), group conversations
//! (`/dm a,b,c`), signing out other sessions, a changed password used to
//! reconnect, and registering with an invitation code.
//!
//! As in `client`, nothing sleeps: a test waits for the event it expects
//! (with a generous time-out, never a bound on how fast), and proves that
//! something did not arrive with a later message as a barrier.
//!
//! See: issue 11, "Rooms".

use std::time::Duration;

use media_chat_client::phrases::ENGLISH;
use media_chat_client::{
    Body, ChatCommand, Client, ClientConfig, ConnectError, Conversation, ConversationKind, Event,
    InputError, MemberChange, Message, Origin, Role, SendError, Transport, Typed, display,
};
use media_chat_e2e::{RawClient, TestServer};
use media_chat_server::RegistrationMode;

use crate::PW;
use crate::client::{TestClient, connect, connect_with, join, wait_collect};

/// How long a test waits for one event: generous, since a loaded machine
/// may be slow; a test that passes never waits this long.
const LONG: Duration = Duration::from_secs(30);

fn room(name: &str) -> Conversation {
    Conversation::Room(name.into())
}

fn wait(client: &Client, wanted: impl FnMut(&Event) -> bool) -> Event {
    wait_collect(client, LONG, wanted).1
}

/// Waits for a message of `conversation` saying `text`.
fn heard(client: &Client, conversation: &Conversation, text: &str) -> Message {
    match wait(client, |e| said_in(e, conversation, text)) {
        Event::Message { message, .. } => message,
        _ => unreachable!(),
    }
}

/// Whether `event` is a room's member event of this kind.
fn member_change(event: &Event, kind: MemberChange) -> bool {
    matches!(event, Event::Message { message, .. }
        if matches!(message.body, Body::Member { change, .. } if change == kind))
}

fn said_in(event: &Event, conversation: &Conversation, text: &str) -> bool {
    matches!(event, Event::Message { message, .. }
        if media_chat_client::same(&message.conversation, conversation)
            && message.text() == Some(text))
}

/// Types `line`, which must be a message, and returns it (pending).
fn say(client: &Client, line: &str) -> Message {
    match client.input(line) {
        Ok(Typed::Message(message)) => message,
        other => panic!("{line:?}: {other:?}"),
    }
}

/// Types `line`, which must be a command the client takes.
fn run(client: &Client, line: &str) {
    match client.input(line) {
        Ok(Typed::Command(_)) => {}
        other => panic!("{line:?}: {other:?}"),
    }
}

/// Waits until `conversation` is current.
fn now_in(client: &Client, conversation: &Conversation) {
    wait(
        client,
        |e| matches!(e, Event::CurrentChanged { conversation: c } if c == conversation),
    );
    assert_eq!(client.current(), *conversation);
}

/// Waits for the unread counts of `conversation` to read `(unread,
/// mentions)`: an [`Event::Unread`], or the [`Event::Conversation`] of one
/// just added.
fn counts_become(client: &Client, conversation: &Conversation, counts: (u64, u64)) {
    wait(client, |e| match e {
        Event::Unread {
            conversation: c,
            unread,
            mentions,
        } => c == conversation && (*unread, *mentions) == counts,
        Event::Conversation { info } => {
            info.conversation == *conversation && (info.unread, info.mentions) == counts
        }
        _ => false,
    });
    let info = client.conversations();
    let info = info.get(conversation).expect("listed");
    assert_eq!((info.unread, info.mentions), counts);
}

fn v3(server: &TestServer, user: &str) -> RawClient {
    let mut client = server.connect();
    client.login_v3(user, PW, None);
    client
}

/// Sends `line` on a raw connection and reads up to its answer's end
/// (what the server had queued before a `PING`'s `PONG`).
fn raw(client: &mut RawClient, line: &str) -> Vec<String> {
    client.send_line(line);
    client.collect_pending()
}

/// Posts with `SEND` on a raw connection; returns the event id.
fn post(client: &mut RawClient, token: &str, conversation: &str, text: &str) -> u64 {
    client.send_line(&format!("SEND|{token}|{conversation}|{text}"));
    loop {
        let line = client.read_line();
        if let Some(ack) = line.strip_prefix(&format!("ACK|{token}|")) {
            return ack
                .split('|')
                .next()
                .and_then(|id| id.parse().ok())
                .expect("an id");
        }
        assert!(!line.starts_with("REJECTED|"), "{line}");
    }
}

#[test]
fn a_login_brings_every_conversation_with_its_unread_and_mention_counts() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    raw(&mut an, "CREATE|#lop|public|lớp 12A");
    let mut binh = v3(&server, "bình");
    raw(&mut binh, "JOIN|#lop");
    drop(binh);
    for (n, text) in ["một", "hai @bình", "ba"].iter().enumerate() {
        post(&mut an, &format!("u{n}"), "#lop", text);
    }
    post(&mut an, "d1", "@bình", "riêng");

    let binh = connect(&server, "bình");
    let (welcome, _) = wait_collect(&binh, LONG, |e| *e == Event::Synced);
    let said: Vec<&Conversation> = welcome
        .iter()
        .filter_map(|e| match e {
            Event::Conversation { info } => Some(&info.conversation),
            _ => None,
        })
        .collect();
    assert_eq!(
        said,
        [
            &Conversation::general(),
            &room("lop"),
            &Conversation::Direct("an".into())
        ],
        "each conversation, in list order, before Synced: {welcome:#?}"
    );
    let conversations = binh.conversations();
    let lop = conversations.get(&room("LOP")).expect("#lop, any case");
    assert_eq!(
        (lop.kind, lop.role, lop.topic.as_str()),
        (ConversationKind::Room, Role::Member, "lớp 12A")
    );
    assert_eq!((lop.unread, lop.mentions), (3, 1));
    assert_eq!(
        display::unread(lop.unread, lop.mentions, &ENGLISH),
        "3 unread, 1 mention"
    );
    let dm = conversations
        .get(&Conversation::Direct("an".into()))
        .expect("the direct conversation");
    assert_eq!(
        (dm.kind, dm.unread, dm.mentions),
        (ConversationKind::Direct, 1, 0)
    );
    let general = conversations.get(&Conversation::general()).unwrap();
    assert_eq!((general.unread, general.mentions), (0, 0));
    assert_eq!(*conversations.current(), Conversation::general());
}

#[test]
fn counts_rise_with_new_events_and_fall_when_another_session_reads() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    raw(&mut an, "CREATE|#lop|public|");
    let desk = join(&server, "bình");
    run(&desk, "/join #lop");
    now_in(&desk, &room("lop"));
    let phone = join(&server, "bình");
    let lop = room("lop");

    post(&mut an, "n1", "#lop", "bài 1");
    let id = post(&mut an, "n2", "#lop", "@bình xem bài 2");
    for session in [&desk, &phone] {
        heard(session, &lop, "@bình xem bài 2");
        counts_become(session, &lop, (2, 1));
    }
    // Read on the phone: its own count drops at once, the desk's when the
    // server passes the position on.
    phone.mark_read(lop.clone(), id);
    counts_become(&phone, &lop, (0, 0));
    wait(&desk, |e| {
        *e == Event::ReadUpTo {
            conversation: lop.clone(),
            id,
        }
    });
    counts_become(&desk, &lop, (0, 0));

    // Reading everything shown, by the newest id the client saw.
    post(&mut an, "n3", "#lop", "bài 3");
    heard(&desk, &lop, "bài 3");
    counts_become(&desk, &lop, (1, 0));
    desk.mark_all_read(lop.clone());
    counts_become(&desk, &lop, (0, 0));
    counts_become(&phone, &lop, (0, 0));
    // Own messages are not unread.
    say(&phone, "#lop của mình");
    post(&mut an, "n4", "@bình", "riêng");
    let dm = Conversation::Direct("an".into());
    counts_become(&desk, &dm, (1, 0));
    assert_eq!(desk.conversations().get(&lop).unwrap().unread, 0);
}

#[test]
fn rooms_are_created_joined_talked_in_and_left() {
    let server = TestServer::start();
    let an = join(&server, "an");
    let binh = join(&server, "bình");
    run(&an, "/create #Homework bài tập tuần 1");
    let created = wait(&an, |e| matches!(e, Event::Conversation { .. }));
    let Event::Conversation { info } = created else {
        unreachable!()
    };
    assert_eq!(
        (&info.conversation, info.kind, info.role),
        (&room("Homework"), ConversationKind::Room, Role::Owner)
    );
    now_in(&an, &room("Homework"));
    let topic = wait(
        &an,
        |e| matches!(e, Event::Message { message, .. } if matches!(message.body, Body::Topic(_))),
    );
    assert_eq!(
        display::event(&topic, "an", &ENGLISH).unwrap().text,
        "[*] you set the topic of #Homework: bài tập tuần 1"
    );
    // The CONV line has no topic yet: the TOPIC event that follows sets it.
    wait(
        &an,
        |e| matches!(e, Event::Conversation { info } if info.topic == "bài tập tuần 1"),
    );

    binh.list_rooms().unwrap();
    let rooms = wait(&binh, |e| matches!(e, Event::RoomList { .. }));
    let Event::RoomList { rooms } = rooms else {
        unreachable!()
    };
    assert_eq!(rooms.len(), 1);
    assert_eq!(
        (&rooms[0].room, rooms[0].members, rooms[0].topic.as_str()),
        (&room("Homework"), 1, "bài tập tuần 1")
    );
    // Not in it yet: `#homework text` is ordinary text, for #general.
    let plain = say(&binh, "#homework too early");
    assert!(plain.conversation.is_general(), "{plain:?}");
    heard(&an, &Conversation::general(), "#homework too early");

    run(&binh, "/join #homework");
    now_in(&binh, &room("Homework"));
    let joined = wait(&an, |e| member_change(e, MemberChange::Joined));
    assert_eq!(
        display::event(&joined, "an", &ENGLISH).unwrap().text,
        "[*] bình joined #Homework"
    );
    // Plain lines go to the current room.
    let sent = say(&binh, "chào cả lớp");
    assert_eq!(sent.conversation, room("Homework"));
    let got = heard(&an, &room("homework"), "chào cả lớp");
    assert_eq!(
        display::message_in(&got, "an", &room("homework"), &ENGLISH).text,
        "bình: chào cả lớp"
    );
    assert_eq!(
        display::message_in(&got, "an", &Conversation::general(), &ENGLISH).text,
        "[#Homework] bình: chào cả lớp"
    );
    // `#room text` posts there from anywhere, without changing the current one.
    run(&binh, "/go #general");
    now_in(&binh, &Conversation::general());
    let aside = say(&binh, "#HOMEWORK nộp bài ở đây");
    assert_eq!(aside.conversation, room("Homework"));
    heard(&an, &room("Homework"), "nộp bài ở đây");
    assert!(binh.current().is_general());

    run(&binh, "/go #homework");
    now_in(&binh, &room("Homework"));
    run(&binh, "/leave");
    let gone = wait(&binh, |e| matches!(e, Event::ConversationGone { .. }));
    assert_eq!(
        gone,
        Event::ConversationGone {
            conversation: room("Homework"),
            reason: "you left".into()
        }
    );
    now_in(&binh, &Conversation::general());
    assert!(binh.conversations().get(&room("homework")).is_none());
    let plain = say(&binh, "#homework after leaving");
    assert!(plain.conversation.is_general());
    // #general cannot be left: the server says so.
    run(&binh, "/leave #general");
    wait(&binh, |e| {
        *e == Event::ServerError {
            reason: "#general is everyone's room: it cannot be left".into(),
        }
    });
}

/// A private room: invisible until invited, joined by invitation, members
/// listed; then a removal: the conversation goes, and nothing of it after.
#[test]
fn a_private_room_by_invitation_and_a_removal_after_which_nothing_comes() {
    let server = TestServer::start();
    let an = join(&server, "an");
    let binh = join(&server, "bình");
    run(&an, "/create #secret private");
    now_in(&an, &room("secret"));
    assert!(matches!(
        binh.input("/go #secret"),
        Err(SendError::Input(InputError::NotIn(r))) if r == room("secret")
    ));
    run(&binh, "/join #secret");
    wait(&binh, |e| {
        *e == Event::ServerError {
            reason: "No such room: #secret".into(),
        }
    });

    run(&an, "/invite bình");
    let invited = wait(&binh, |e| matches!(e, Event::Conversation { .. }));
    assert!(
        matches!(&invited, Event::Conversation { info } if info.role == Role::Invited && info.kind == ConversationKind::PrivateRoom),
        "{invited:?}"
    );
    let notice = wait(&binh, |e| member_change(e, MemberChange::Invited));
    assert_eq!(
        display::event(&notice, "bình", &ENGLISH).unwrap().text,
        "[*] an invited you to #secret"
    );
    assert!(matches!(
        binh.input("/go #secret"),
        Err(SendError::Input(InputError::OnlyInvited(r))) if r == room("secret")
    ));
    run(&binh, "/join #secret");
    now_in(&binh, &room("secret"));
    assert_eq!(
        binh.conversations().get(&room("secret")).map(|i| i.role),
        Some(Role::Member)
    );
    say(&binh, "cảm ơn an");
    heard(&an, &room("secret"), "cảm ơn an");

    run(&an, "/members");
    let members = wait(&an, |e| matches!(e, Event::Members { .. }));
    let Event::Members {
        conversation,
        members,
    } = members
    else {
        unreachable!()
    };
    assert_eq!(conversation, room("secret"));
    let listed: Vec<(&str, Role, bool)> = members
        .iter()
        .map(|m| (m.user.as_str(), m.role, m.online))
        .collect();
    assert_eq!(
        listed,
        [("an", Role::Owner, true), ("bình", Role::Member, true)]
    );
    assert_eq!(an.members(&room("secret")).map(|m| m.len()), Some(2));

    run(&an, "/remove bình");
    let removed = wait(&binh, |e| member_change(e, MemberChange::Removed));
    assert_eq!(
        display::event(&removed, "bình", &ENGLISH).unwrap().text,
        "[!] you were removed from #secret by an"
    );
    let gone = wait(&binh, |e| matches!(e, Event::ConversationGone { .. }));
    assert_eq!(
        gone,
        Event::ConversationGone {
            conversation: room("secret"),
            reason: "removed by an".into()
        }
    );
    now_in(&binh, &Conversation::general());
    // an's list follows the room's events.
    wait(&an, |e| member_change(e, MemberChange::Removed));
    assert_eq!(an.members(&room("secret")).map(|m| m.len()), Some(1));

    say(&an, "after the removal");
    say(&an, "#general barrier");
    let (skipped, _) = wait_collect(&binh, LONG, |e| {
        said_in(e, &Conversation::general(), "barrier")
    });
    assert!(
        !skipped.iter().any(|e| matches!(e, Event::Message { message, .. } if message.conversation == room("secret"))),
        "a removed member heard the room: {skipped:#?}"
    );
    assert!(binh.conversations().get(&room("secret")).is_none());
    assert!(matches!(
        binh.input("/members #secret"),
        Err(SendError::Input(InputError::NotIn(r))) if r == room("secret")
    ));
    let plain = say(&binh, "#secret let me back");
    assert!(plain.conversation.is_general(), "ordinary text once out");
}

#[test]
fn a_group_conversation_is_started_with_dm_and_continued_from_go() {
    let server = TestServer::start();
    let an = join(&server, "an");
    let binh = join(&server, "bình");
    let cuong = join(&server, "cường");
    let dung = join(&server, "dũng");
    let group = Conversation::Group(vec!["an".into(), "bình".into(), "cường".into()]);

    let sent = say(&an, "/dm cường,bình nhóm mình ơi");
    assert_eq!(
        sent.conversation, group,
        "named in the server's order, an included"
    );
    for member in [&binh, &cuong] {
        let (skipped, message) = wait_collect(member, LONG, |e| said_in(e, &group, "nhóm mình ơi"));
        assert!(
            matches!(
                &message,
                Event::Message {
                    origin: Origin::Live,
                    ..
                }
            ),
            "{message:?}"
        );
        assert!(
            !skipped
                .iter()
                .any(|e| matches!(e, Event::Conversation { .. }))
        );
        // New to them: listed, with the message unread.
        let added = wait(member, |e| matches!(e, Event::Conversation { .. }));
        assert!(
            matches!(&added, Event::Conversation { info }
                if info.conversation == group
                    && info.kind == ConversationKind::Group
                    && (info.unread, info.mentions) == (1, 0)),
            "{added:?}"
        );
    }
    // Named by the others, in any order: the same conversation.
    run(&binh, "/go +cường,an");
    now_in(&binh, &group);
    let reply = say(&binh, "ok, họp lúc 8 giờ");
    assert_eq!(reply.conversation, group);
    heard(&an, &group, "ok, họp lúc 8 giờ");
    heard(&cuong, &group, "ok, họp lúc 8 giờ");
    counts_become(&cuong, &group, (2, 0));
    say(&an, "#general barrier");
    let (skipped, _) = wait_collect(&dung, LONG, |e| {
        said_in(e, &Conversation::general(), "barrier")
    });
    assert!(
        !skipped.iter().any(|e| matches!(e, Event::Message { .. })),
        "an outsider heard the group: {skipped:#?}"
    );
    assert!(dung.conversations().get(&group).is_none());
}

#[test]
fn signing_out_other_sessions_ends_them_for_good() {
    let server = TestServer::start();
    let desk = join(&server, "an");
    let trust = server.fingerprint();
    let phone = connect_with(server.addr(), "an", |config| {
        config.auto_reconnect = true;
        config.transport = Transport::Tls {
            known_servers: None,
            trust: Some(trust),
        };
    });
    wait(&phone, |e| *e == Event::Synced);
    run(&desk, "/signout-others");
    wait(
        &desk,
        |e| matches!(e, Event::Notify { text } if text.starts_with("Signed out 1 other")),
    );
    let (skipped, lost) = wait_collect(&phone, LONG, |e| matches!(e, Event::Disconnected { .. }));
    assert_eq!(
        lost,
        Event::Disconnected {
            reason: "Signed out from another session".into()
        },
        "{skipped:#?}"
    );
    // A reconnect would be under way at once (the supervisor starts it
    // right after saying Disconnected, before it reads its next command):
    // quit, and every event the phone ever had is in the queue.
    let TestClient { client, dir } = phone;
    let events = client.events().clone();
    client.quit();
    let after: Vec<Event> = events.iter().collect();
    drop(dir);
    assert!(
        !after
            .iter()
            .any(|e| matches!(e, Event::Reconnecting { .. } | Event::LoggedIn { .. })),
        "the signed-out session came back: {after:#?}"
    );
}

#[test]
fn a_changed_password_is_the_one_a_reconnect_uses() {
    let mut server = TestServer::start();
    let trust = server.fingerprint();
    let an = connect_with(server.addr(), "an", |config| {
        config.auto_reconnect = true;
        config.transport = Transport::Tls {
            known_servers: None,
            trust: Some(trust),
        };
    });
    wait(&an, |e| *e == Event::Synced);
    an.change_password("wrong", "mật khẩu mới").unwrap();
    wait(&an, |e| {
        *e == Event::ServerError {
            reason: "Wrong password".into(),
        }
    });
    an.change_password(PW, "mật khẩu mới").unwrap();
    wait(&an, |e| {
        *e == Event::Notify {
            text: "Password changed".into(),
        }
    });
    server.restart_same_addr();
    wait(&an, |e| matches!(e, Event::Disconnected { .. }));
    let (between, _) = wait_collect(&an, LONG, |e| matches!(e, Event::LoggedIn { .. }));
    assert!(
        !between
            .iter()
            .any(|e| matches!(e, Event::Disconnected { .. })),
        "a reconnect was refused: {between:#?}"
    );
    let mut check = server.connect();
    assert_eq!(check.login_v1("an", "mật khẩu mới")[0], "LOGIN_OK|an");
}

fn config(server: &TestServer, user: &str, dir: &tempfile::TempDir) -> ClientConfig {
    let mut config = ClientConfig::new(server.addr().to_string(), user, PW);
    config.cache_dir = Some(dir.path().join("cache"));
    config.data_dir = Some(dir.path().join("data"));
    config.transport = Transport::Tls {
        known_servers: None,
        trust: Some(server.fingerprint()),
    };
    config
}

#[test]
fn an_invitation_code_registers_a_newcomer_on_an_invite_only_server() {
    let server = TestServer::start_with(|config| config.admins = vec!["boss".into()]);
    let boss = join(&server, "boss");
    let an = join(&server, "an");
    run(&an, "/invite-code");
    wait(&an, |e| {
        *e == Event::ServerError {
            reason: "INVITE_CODE: only administrators can do that".into(),
        }
    });
    assert!(matches!(
        an.input("/registration sometimes"),
        Err(SendError::Input(InputError::Usage(
            "/registration open|closed|invite"
        )))
    ));
    run(&boss, "/registration invite");
    wait(&boss, |e| {
        *e == Event::Notify {
            text: format!("Registration is now {}", RegistrationMode::Invite),
        }
    });
    run(&boss, "/invite-code");
    let code = match wait(&boss, |e| matches!(e, Event::InviteCode { .. })) {
        Event::InviteCode { code } => code,
        _ => unreachable!(),
    };
    assert!(
        display::event(&Event::InviteCode { code: code.clone() }, "boss", &ENGLISH)
            .unwrap()
            .text
            .contains(&code)
    );

    let dir = tempfile::tempdir().unwrap();
    match Client::connect(config(&server, "newcomer", &dir)) {
        Err(ConnectError::Refused(reason)) => assert_eq!(
            reason,
            "Unknown user: registering needs an invitation code (ask an administrator)"
        ),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("registered without a code"),
    }
    let mut with_code = config(&server, "newcomer", &dir);
    with_code.invite_code = Some(code.clone());
    let newcomer = TestClient {
        client: Client::connect(with_code).expect("registered with the code"),
        dir,
    };
    wait(&newcomer, |e| *e == Event::Synced);
    say(&newcomer, "xin chào, mình mới vào");
    heard(&an, &Conversation::general(), "xin chào, mình mới vào");
    // Used up.
    let other = tempfile::tempdir().unwrap();
    let mut again = config(&server, "second", &other);
    again.invite_code = Some(code);
    assert!(matches!(
        Client::connect(again),
        Err(ConnectError::Refused(reason)) if reason == "Invalid or used invitation code"
    ));

    run(&boss, "/audit 5");
    let Event::AuditLog { entries } = wait(&boss, |e| matches!(e, Event::AuditLog { .. })) else {
        unreachable!()
    };
    assert!(
        entries
            .iter()
            .any(|entry| entry.actor == "boss" && entry.action == "registration"),
        "{entries:#?}"
    );
    assert!(matches!(
        boss.input("/audit"),
        Ok(Typed::Command(ChatCommand::Audit { limit: 20 }))
    ));
}
