//! `BLOCK`, `UNBLOCK`, `MUTE`, `UNMUTE` (version 3): the choice reaches
//! every session of the user and comes back at login; a blocked user's
//! direct messages (and shares into the direct conversation) are refused,
//! whatever their protocol version.
//!
//! See: issue 12, "Mentions and notifications".

use media_chat_e2e::{RawClient, TestServer, sha256_hex};

use crate::PW;

/// A logged-in version 3 client; answers are awaited with `skip_until`,
/// since others' presence may come first.
fn v3(server: &TestServer, user: &str) -> RawClient {
    let mut client = server.connect();
    client.login_v3(user, PW, None);
    client.collect_pending();
    client
}

/// The lines of a fresh version 3 login of `user`, up to `SYNCED`.
fn welcome(server: &TestServer, user: &str) -> Vec<String> {
    server.connect().login_v3(user, PW, None).lines
}

/// Reads up to the answer starting with `prefix`.
fn acked(client: &mut RawClient, prefix: &str) {
    while !client.read_line().starts_with(prefix) {}
}

#[test]
fn a_block_reaches_every_session_refuses_direct_messages_and_comes_back_at_login() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut an_too = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut old = server.client_v1("bình", PW);
    an.send_line("BLOCK|Bình");
    an.skip_until("BLOCKED|bình");
    assert!(
        an_too
            .collect_pending()
            .contains(&"BLOCKED|bình".to_owned())
    );

    binh.send_line("SEND|t1|@an|chào");
    binh.skip_until("REJECTED|t1|an does not take direct messages from you");
    old.send_line("DM|an|chào");
    old.skip_until("ERROR|an does not take direct messages from you");
    let body = b"hello";
    binh.send_line(&format!(
        "UPLOAD|@an|a.txt|{}|{}",
        body.len(),
        sha256_hex(body)
    ));
    binh.skip_until("ERROR|an does not take direct messages from you");
    // The other way round is not blocked, nor are public messages.
    an.send_line("SEND|t2|@bình|vẫn gửi được");
    acked(&mut an, "ACK|t2|");
    binh.send_line("SEND|t3|#general|ở general");
    acked(&mut binh, "ACK|t3|");

    assert!(welcome(&server, "an").contains(&"BLOCKED|bình".to_owned()));
    an.send_line("UNBLOCK|bình");
    an.skip_until("UNBLOCKED|bình");
    binh.send_line("SEND|t4|@an|giờ thì được");
    acked(&mut binh, "ACK|t4|");
    assert!(
        !welcome(&server, "an")
            .iter()
            .any(|line| line.starts_with("BLOCKED|"))
    );
}

#[test]
fn a_mute_reaches_every_session_and_comes_back_at_login() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut an_too = v3(&server, "an");
    v3(&server, "bình");
    an.send_line("MUTE|#general");
    an.skip_until("MUTED|#general");
    an.send_line("MUTE|@bình");
    an.skip_until("MUTED|@bình");
    let seen = an_too.collect_pending();
    assert!(seen.contains(&"MUTED|#general".to_owned()), "{seen:?}");
    let lines = welcome(&server, "an");
    let muted: Vec<&String> = lines.iter().filter(|l| l.starts_with("MUTED|")).collect();
    assert_eq!(muted, ["MUTED|#general", "MUTED|@bình"]);
    an.send_line("UNMUTE|#general");
    an.skip_until("UNMUTED|#general");
    let lines = welcome(&server, "an");
    let muted: Vec<&String> = lines.iter().filter(|l| l.starts_with("MUTED|")).collect();
    assert_eq!(muted, ["MUTED|@bình"]);
}

#[test]
fn refusals_are_clear() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    an.send_line("BLOCK|an");
    an.expect_line("ERROR|You cannot block yourself");
    an.send_line("BLOCK|không-ai");
    an.expect_line("ERROR|No such user: không-ai");
    an.send_line("MUTE|#không-có");
    an.expect_line("ERROR|No such room: #không-có");
    let mut old = server.client_v2("bình", PW);
    old.send_line("BLOCK|an");
    old.expect_line("ERROR|BLOCK needs protocol version 3 (say HELLO|3 first)");
}
