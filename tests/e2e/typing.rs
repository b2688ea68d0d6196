//! `TYPING` (version 3): a notice reaches the others in the conversation
//! (never the typer's own sessions, never version 1 or 2, never anyone
//! outside it), at most one per user and conversation every 3 seconds,
//! and nothing is stored.
//!
//! See: issue 12, "Typing".

use media_chat_e2e::{RawClient, TestServer};

use crate::PW;

fn v3(server: &TestServer, user: &str) -> RawClient {
    let mut client = server.connect();
    client.login_v3(user, PW, None);
    client.collect_pending();
    client
}

/// The `TYPING` lines pending for `client`.
fn notices(client: &mut RawClient) -> Vec<String> {
    client
        .collect_pending()
        .into_iter()
        .filter(|line| line.starts_with("TYPING|"))
        .collect()
}

#[test]
fn a_notice_reaches_the_others_in_the_conversation_once_and_is_not_stored() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut an_too = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut cuong = v3(&server, "cường");
    let mut old = server.client_v2("dũng", PW);
    old.collect_pending();
    an.collect_pending();
    binh.collect_pending();
    cuong.collect_pending();

    an.send_line("TYPING|#general");
    an.send_line("TYPING|#general");
    an.send_line("TYPING|@bình");
    an.collect_pending();
    assert_eq!(notices(&mut binh), ["TYPING|#general|an", "TYPING|@an|an"]);
    assert_eq!(notices(&mut cuong), ["TYPING|#general|an"]);
    assert_eq!(
        notices(&mut an_too),
        Vec::<String>::new(),
        "the typer's own sessions"
    );
    assert!(
        old.collect_pending().is_empty(),
        "version 2 hears no typing notices"
    );

    // Nothing was stored: a resume from 0 brings no event.
    let mut later = server.connect();
    let welcome = later.login_v3("bình", PW, Some(0));
    assert!(welcome.events().is_empty(), "{:?}", welcome.lines);
}

#[test]
fn typing_where_one_is_not_is_refused() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    an.send_line("TYPING|#không-có");
    an.expect_line("ERROR|No such room: #không-có");
    let mut old = server.client_v2("bình", PW);
    old.send_line("TYPING|#general");
    old.expect_line("ERROR|TYPING needs protocol version 3 (say HELLO|3 first)");
}
