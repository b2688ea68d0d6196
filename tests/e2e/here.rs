//! `@here`: a message of a room (or `#general`, or a group) that says it
//! mentions each member online at that moment, and nobody else: not the
//! members offline then, not those outside the room, not the sender.
//!
//! See: issue 12, "Mentions and notifications".

use media_chat_e2e::{RawClient, TestServer};

use crate::PW;
use crate::edits::{post, v3};

/// The mention count a new login of `user` is told for `conversation`.
fn mentions_at_login(server: &TestServer, user: &str, conversation: &str) -> String {
    let mut client = server.connect();
    let welcome = client.login_v3(user, PW, None);
    let conv = welcome
        .lines
        .iter()
        .find(|line| line.starts_with(&format!("CONV|{conversation}|")))
        .unwrap_or_else(|| panic!("no CONV for {conversation}: {:?}", welcome.lines));
    conv.split('|').nth(5).unwrap().to_owned()
}

#[test]
fn here_mentions_the_members_online_in_the_room_at_that_moment() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut cuong = v3(&server, "cường");
    an.send_line("CREATE|#lớp|public|");
    an.collect_pending();
    for member in [&mut binh, &mut cuong] {
        member.send_line("JOIN|#lớp");
        member.skip_until("CONV|#lớp|room|member|0|0|");
    }
    // cường goes offline; dũng comes online, outside the room.
    drop(cuong);
    an.skip_until("LEFT|cường");
    let _dung: RawClient = v3(&server, "dũng");

    post(&mut an, "t1", "#lớp", "@here họp lúc 8 giờ nhé");
    assert_eq!(
        mentions_at_login(&server, "bình", "#lớp"),
        "1",
        "online: mentioned"
    );
    assert_eq!(
        mentions_at_login(&server, "cường", "#lớp"),
        "0",
        "offline then"
    );
    assert_eq!(
        mentions_at_login(&server, "an", "#lớp"),
        "0",
        "not the sender"
    );

    post(&mut an, "t2", "#general", "@here ai rảnh không?");
    binh.collect_pending();
    assert_eq!(mentions_at_login(&server, "dũng", "#general"), "1");
    drop(binh);
}
