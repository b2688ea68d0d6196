//! `EDIT` and `DELETE` (version 3): an author changes or deletes their
//! message, moderators and administrators delete in their rooms; every
//! member hears the change, version 1 and 2 hear nothing live but see the
//! message as it is now at their next login; refusals keep the
//! connection in step and tell nothing about what one may not see.
//!
//! See: issue 12, "Messages".

use media_chat_e2e::{RawClient, TestServer};

use crate::PW;

pub(crate) fn v3(server: &TestServer, user: &str) -> RawClient {
    let mut client = server.connect();
    client.login_v3(user, PW, None);
    client.collect_pending();
    client
}

/// Sends a line with `token` and reads up to its `ACK` (returning the id)
/// or `REJECTED` (returning the reason), skipping what else arrives.
pub(crate) fn answer(client: &mut RawClient, token: &str, line: &str) -> Result<u64, String> {
    client.send_line(line);
    loop {
        let line = client.read_line();
        if let Some(ack) = line.strip_prefix(&format!("ACK|{token}|")) {
            return Ok(ack.split('|').next().unwrap().parse().unwrap());
        }
        if let Some(reason) = line.strip_prefix(&format!("REJECTED|{token}|")) {
            return Err(reason.to_owned());
        }
    }
}

pub(crate) fn post(client: &mut RawClient, token: &str, conversation: &str, text: &str) -> u64 {
    answer(
        client,
        token,
        &format!("SEND|{token}|{conversation}|{text}"),
    )
    .unwrap()
}

/// The `EVENT` lines pending for `client`, without id and time.
pub(crate) fn events(client: &mut RawClient) -> Vec<String> {
    client
        .collect_pending()
        .into_iter()
        .filter(|line| line.starts_with("EVENT|"))
        .map(|line| media_chat_e2e::event_body(&line))
        .collect()
}

/// A fresh page of `conversation` for `client`, event bodies only.
pub(crate) fn page(client: &mut RawClient, conversation: &str) -> Vec<String> {
    client.send_line(&format!("BEFORE|{conversation}|0|100"));
    client
        .skip_until(&format!("PAGE_END|{conversation}|0"))
        .into_iter()
        .filter(|line| line.starts_with("EVENT|"))
        .map(|line| media_chat_e2e::event_body(&line))
        .collect()
}

#[test]
fn an_edit_reaches_every_member_and_pages_and_older_clients_read_the_new_text() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut old = server.client_v2("cường", PW);
    old.collect_pending();
    let id = post(&mut an, "t1", "#general", "hẹn 7 giờ");
    assert_eq!(events(&mut binh), ["#general|TEXT|an|hẹn 7 giờ"]);
    old.expect_line("TEXT|an|hẹn 7 giờ");

    // The session that sent it gets the ACK, as for SEND; everyone else
    // in the conversation, the author's other sessions included, the event.
    let mut other_session = v3(&server, "an");
    let edit = answer(&mut an, "e1", &format!("EDIT|e1|{id}|hẹn 8 giờ | nhé")).unwrap();
    assert!(edit > id);
    let change = format!("#general|EDIT|an|{id}|hẹn 8 giờ | nhé");
    assert_eq!(events(&mut other_session), std::slice::from_ref(&change));
    assert_eq!(events(&mut binh), std::slice::from_ref(&change));
    assert_eq!(
        old.collect_pending(),
        Vec::<String>::new(),
        "no live edits for version 2"
    );

    assert_eq!(
        page(&mut binh, "#general"),
        [format!("#general|EDITED|an|{edit}|hẹn 8 giờ | nhé"), change]
    );
    let welcome = server.connect().login_v2("dũng", PW);
    assert_eq!(welcome.history(), ["TEXT|an|hẹn 8 giờ | nhé"]);
}

#[test]
fn a_delete_leaves_a_tombstone_and_the_text_is_gone_for_everyone() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let id = post(&mut an, "t1", "@bình", "mật khẩu là hoa-sen-42");
    events(&mut binh);
    answer(&mut an, "d1", &format!("DELETE|d1|{id}")).unwrap();
    assert_eq!(events(&mut binh), [format!("@an|DELETE|an|{id}")]);
    assert_eq!(
        page(&mut binh, "@an"),
        ["@an|DELETED|an".to_owned(), format!("@an|DELETE|an|{id}")]
    );
    binh.send_line("SEARCH|s1|10|hoa sen");
    binh.expect_line("SEARCH_END|s1|0");
    assert_eq!(
        answer(&mut an, "d2", &format!("DELETE|d2|{id}")),
        Err(format!("Message {id} was deleted"))
    );
    let welcome = server.connect().login_v2("bình", PW);
    assert!(
        welcome
            .history()
            .iter()
            .all(|line| !line.contains("hoa-sen")),
        "{:?}",
        welcome.history()
    );
}

#[test]
fn only_authors_edit_and_refusals_say_nothing_of_what_one_may_not_see() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut cuong = v3(&server, "cường");
    let public = post(&mut an, "t1", "#general", "của an");
    let direct = post(&mut an, "t2", "@bình", "riêng");
    assert_eq!(
        answer(&mut binh, "e1", &format!("EDIT|e1|{public}|của bình")),
        Err("You can only edit your own messages".to_owned())
    );
    assert_eq!(
        answer(&mut binh, "d1", &format!("DELETE|d1|{public}")),
        Err(
            "Only its author, the room's owner and moderators, and administrators can delete it"
                .to_owned()
        )
    );
    for id in [direct, 999_999] {
        assert_eq!(
            answer(&mut cuong, "d2", &format!("DELETE|d2|{id}")),
            Err(format!("No such message: {id}"))
        );
    }
    an.send_line("EDIT|e2|many|x");
    assert!(an.read_line().starts_with("ERROR|"));
    an.send_line("PING|after");
    an.expect_line("PONG|after");
    let mut old = server.client_v2("dũng", PW);
    old.send_line(&format!("DELETE|d1|{public}"));
    old.expect_line("ERROR|DELETE needs protocol version 3 (say HELLO|3 first)");
}

#[test]
fn moderators_delete_in_their_room_and_administrators_in_general() {
    let server = TestServer::start_with(|config| config.admins = vec!["boss".into()]);
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut boss = v3(&server, "boss");
    answer(&mut an, "c", "SEND|c|#general|x").unwrap();
    an.send_line("CREATE|#lớp|public|");
    an.collect_pending();
    binh.send_line("JOIN|#lớp");
    binh.collect_pending();
    an.collect_pending();
    let spam = post(&mut binh, "t1", "#lớp", "spam");
    answer(&mut an, "d1", &format!("DELETE|d1|{spam}")).unwrap();
    assert!(events(&mut binh).contains(&format!("#lớp|DELETE|an|{spam}")));
    let general = post(&mut binh, "t2", "#general", "spam ở general");
    assert!(answer(&mut an, "d2", &format!("DELETE|d2|{general}")).is_err());
    answer(&mut boss, "d3", &format!("DELETE|d3|{general}")).unwrap();
    assert!(events(&mut binh).contains(&format!("#general|DELETE|boss|{general}")));
}
