//! Presence follows conversations (version 3): on a server with more
//! accounts than `presence_room_max`, a version 3 session hears only of
//! the users it shares a direct or group conversation or a small room
//! with; versions 1 and 2 still hear of everyone, as in the seed.
//!
//! See: issue 11, "Performance" (presence must not grow quadratically).

use media_chat_e2e::{RawClient, TestServer};

use crate::PW;

/// A server where rooms of more than two members (so `#general`, once
/// there are three accounts) give no live presence.
fn server() -> TestServer {
    TestServer::start_with(|config| config.limits.presence_room_max = 2)
}

/// Registers `users` and logs them out again.
fn register(server: &TestServer, users: &[&str]) {
    for user in users {
        let mut client = server.connect();
        client.login_v3(user, PW, None);
        client.quit();
    }
}

/// Logs in with version 3; returns the client and its `USERS` names.
fn v3(server: &TestServer, user: &str) -> (RawClient, Vec<String>) {
    let mut client = server.connect();
    let welcome = client.login_v3(user, PW, None);
    let users = welcome
        .lines
        .iter()
        .filter_map(|line| line.strip_prefix("USERS|"))
        .flat_map(|names| names.split(','))
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect();
    (client, users)
}

/// The presence lines pending for `client`.
fn presence(client: &mut RawClient) -> Vec<String> {
    client
        .collect_pending()
        .into_iter()
        .filter(|line| line.starts_with("JOINED|") || line.starts_with("LEFT|"))
        .collect()
}

#[test]
fn a_version_3_login_hears_only_of_its_contacts() {
    let server = server();
    register(&server, &["an", "bình", "cường"]);
    let (mut binh, _) = v3(&server, "bình");
    let (mut cuong, _) = v3(&server, "cường");
    let mut old = server.client_v2("old", PW);
    presence(&mut binh);
    presence(&mut cuong);

    let (mut an, users) = v3(&server, "an");
    assert_eq!(users, ["an"], "nobody online shares a conversation with an");
    assert_eq!(old.skip_until("JOINED|an"), Vec::<String>::new());
    assert!(presence(&mut binh).is_empty());
    assert!(presence(&mut cuong).is_empty());

    // A first direct message makes them contacts: each hears the other is
    // online, once.
    an.send_line("SEND|d1|@bình|chào bình");
    assert_eq!(presence(&mut an), ["JOINED|bình"]);
    assert_eq!(presence(&mut binh), ["JOINED|an"]);
    an.send_line("SEND|d2|@bình|lần nữa");
    assert!(presence(&mut an).is_empty());
    assert!(presence(&mut binh).is_empty());

    an.quit();
    assert_eq!(presence(&mut binh), ["LEFT|an"]);
    assert!(presence(&mut cuong).is_empty());
    assert_eq!(old.skip_until("LEFT|an"), Vec::<String>::new());

    // The next login knows its contacts from the store.
    let (_an, users) = v3(&server, "an");
    assert_eq!(users, ["an", "bình"]);
    assert_eq!(presence(&mut binh), ["JOINED|an"]);
    assert!(presence(&mut cuong).is_empty());
}

#[test]
fn small_rooms_and_groups_give_presence_and_big_rooms_do_not() {
    let server = server();
    register(&server, &["an", "bình", "cường", "dũng"]);
    let (mut an, _) = v3(&server, "an");
    an.send_line("CREATE|#đôi|public|");
    let (mut binh, _) = v3(&server, "bình");
    binh.send_line("JOIN|#đôi");
    binh.collect_pending();
    presence(&mut an);
    // Two members: they follow each other.
    binh.quit();
    assert_eq!(presence(&mut an), ["LEFT|bình"]);
    let (mut binh, users) = v3(&server, "bình");
    assert_eq!(users, ["an", "bình"]);
    assert_eq!(presence(&mut an), ["JOINED|bình"]);

    // A third member makes the room too big for presence.
    let (mut cuong, _) = v3(&server, "cường");
    cuong.send_line("JOIN|#đôi");
    cuong.collect_pending();
    presence(&mut an);
    presence(&mut binh);
    cuong.quit();
    assert!(presence(&mut an).is_empty());
    assert!(presence(&mut binh).is_empty());

    // A group conversation gives presence, whatever the rooms.
    let (mut dung, users) = v3(&server, "dũng");
    assert_eq!(users, ["dũng"]);
    dung.send_line("SEND|g1|+dũng,an,bình|nhóm");
    assert_eq!(presence(&mut dung), ["JOINED|an", "JOINED|bình"]);
    // an and bình are in a group now: they follow each other again.
    assert_eq!(presence(&mut an), ["JOINED|bình", "JOINED|dũng"]);
    assert_eq!(presence(&mut binh), ["JOINED|an", "JOINED|dũng"]);
    dung.quit();
    assert_eq!(presence(&mut an), ["LEFT|dũng"]);
}

#[test]
fn on_a_small_server_everyone_hears_everyone() {
    let server = TestServer::start();
    let (mut an, _) = v3(&server, "an");
    let (binh, users) = v3(&server, "bình");
    assert_eq!(users, ["an", "bình"]);
    assert_eq!(presence(&mut an), ["JOINED|bình"]);
    binh.quit();
    assert_eq!(presence(&mut an), ["LEFT|bình"]);
}
