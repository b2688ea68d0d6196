//! `REPLY` (version 3): a message answering another of the same
//! conversation carries the answered id on every line that carries it
//! (live, pages, the welcome's backlog, search results); versions 1 and 2
//! read it as a plain message; a reply to a message of another
//! conversation, a missing or deleted one, or one the user may not see is
//! refused and tells nothing of what they may not see.
//!
//! See: issue 12, "Messages".

use media_chat_e2e::event_body;

use crate::PW;
use crate::edits::{answer, events, page, post, v3};
use media_chat_e2e::TestServer;

#[test]
fn a_reply_carries_what_it_answers_live_in_pages_backlogs_and_search() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut old = server.client_v2("cường", PW);
    old.collect_pending();
    let question = post(&mut an, "t1", "#general", "hẹn 7 giờ ở quán cũ?");
    events(&mut binh);
    old.collect_pending();

    let reply = answer(
        &mut binh,
        "r1",
        &format!("REPLY|r1|#general|{question}|ừ | 7 giờ"),
    )
    .unwrap();
    let live = format!("#general|REPLY|bình|{question}|ừ | 7 giờ");
    assert_eq!(events(&mut an), std::slice::from_ref(&live));
    old.expect_line("TEXT|bình|ừ | 7 giờ");
    // The same token again stores nothing new.
    assert_eq!(
        answer(
            &mut binh,
            "r1",
            &format!("REPLY|r1|#general|{question}|ừ | 7 giờ")
        ),
        Ok(reply)
    );

    let edit = answer(&mut binh, "e1", &format!("EDIT|e1|{reply}|ừ, 8 giờ")).unwrap();
    let edited = format!("#general|EDITED_REPLY|bình|{question}|{edit}|ừ, 8 giờ");
    assert!(page(&mut an, "#general").contains(&edited));

    let mut again = server.connect();
    let welcome = again.login_v3("an", PW, Some(question));
    let backlog: Vec<String> = welcome.events().into_iter().map(event_body).collect();
    assert!(backlog.contains(&edited), "{backlog:?}");

    an.send_line("SEARCH|s1|10|8 gio");
    let found = an.read_line();
    assert!(found.starts_with("FOUND|s1|"), "{found}");
    assert!(found.contains(&format!("|{reply}|")), "{found}");
    assert!(found.ends_with(&format!("|{edited}")), "{found}");
    an.expect_line("SEARCH_END|s1|0");

    let v2 = server.connect().login_v2("dũng", PW);
    assert!(
        v2.history().contains(&"TEXT|bình|ừ, 8 giờ".to_owned()),
        "{:?}",
        v2.history()
    );
}

#[test]
fn a_reply_must_answer_a_message_of_its_own_conversation_that_one_may_see() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut cuong = v3(&server, "cường");
    let public = post(&mut an, "t1", "#general", "ở general");
    let direct = post(&mut an, "t2", "@bình", "riêng");
    an.send_line("CREATE|#kín|private|");
    an.collect_pending();
    let private = post(&mut an, "t3", "#kín", "bí mật");
    events(&mut binh);
    events(&mut cuong);

    assert_eq!(
        answer(&mut binh, "r1", &format!("REPLY|r1|@an|{public}|sai chỗ")),
        Err(format!(
            "Message {public} is not in @an: a reply answers a message of its own conversation"
        ))
    );
    // What one may not see does not exist: a private room's message, a
    // direct message of two others, an id never used.
    for id in [private, direct, 999_999] {
        assert_eq!(
            answer(&mut cuong, "r2", &format!("REPLY|r2|#general|{id}|tò mò")),
            Err(format!("No such message: {id}"))
        );
    }
    assert_eq!(
        answer(
            &mut cuong,
            "r3",
            &format!("REPLY|r3|#kín|{private}|cho vào với")
        ),
        Err("No such room: #kín".to_owned())
    );
    answer(&mut an, "d1", &format!("DELETE|d1|{public}")).unwrap();
    // The refused replies reached nobody: the delete is all they heard.
    let deleted = format!("#general|DELETE|an|{public}");
    assert_eq!(events(&mut binh), std::slice::from_ref(&deleted));
    assert_eq!(events(&mut cuong), std::slice::from_ref(&deleted));
    assert_eq!(
        answer(
            &mut binh,
            "r4",
            &format!("REPLY|r4|#general|{public}|muộn rồi")
        ),
        Err(format!("Message {public} was deleted"))
    );
    // The room's creation is an event, not a message.
    let created = private - 1;
    assert_eq!(
        answer(&mut an, "r5", &format!("REPLY|r5|#kín|{created}|x")),
        Err(format!(
            "Event {created} is not a message: only messages can be answered"
        ))
    );
    assert!(
        events(&mut binh).is_empty() && events(&mut cuong).is_empty(),
        "a refused reply reaches nobody"
    );
    let mut old = server.client_v2("dũng", PW);
    old.send_line(&format!("REPLY|r6|#general|{direct}|x"));
    old.expect_line("ERROR|REPLY needs protocol version 3 (say HELLO|3 first)");
}
