//! `REACT` (version 3): a reaction toggled on a message reaches everyone
//! in its conversation, the reacting session included (after its `ACK`);
//! pages and the welcome carry each message's reactions as they are now,
//! so a client that comes back sees current counts; versions 1 and 2 get
//! nothing of them; refusals tell nothing of what one may not see, and a
//! flood of toggles is refused with an `ERROR`.
//!
//! See: issue 12, "Messages".

use media_chat_e2e::TestServer;

use crate::PW;
use crate::edits::{answer, events, post, v3};

/// The `REACTIONS` lines of a fresh page of `#general`.
fn paged_reactions(client: &mut media_chat_e2e::RawClient) -> Vec<String> {
    client.send_line("BEFORE|#general|0|100");
    client
        .skip_until("PAGE_END|#general|0")
        .into_iter()
        .filter(|line| line.starts_with("REACTIONS|"))
        .collect()
}

#[test]
fn a_reaction_reaches_everyone_and_toggling_again_takes_it_back() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut old = server.client_v2("cường", PW);
    old.collect_pending();
    let id = post(&mut an, "t1", "#general", "hẹn 7 giờ");
    events(&mut binh);
    old.collect_pending();

    let given = answer(&mut binh, "k1", &format!("REACT|k1|{id}|👍")).unwrap();
    assert!(given > id);
    let line = format!("#general|REACT|bình|{id}|1|👍");
    assert_eq!(
        events(&mut binh),
        std::slice::from_ref(&line),
        "after its ACK"
    );
    assert_eq!(events(&mut an), std::slice::from_ref(&line));
    let hearted = answer(&mut an, "k2", &format!("REACT|k2|{id}|hay quá, 10/10")).unwrap();
    events(&mut an);
    events(&mut binh);
    assert_eq!(
        paged_reactions(&mut binh),
        [format!(
            "REACTIONS|#general|{id}|{hearted}|bình|👍|an|hay quá, 10/10"
        )]
    );

    let taken = answer(&mut binh, "k3", &format!("REACT|k3|{id}|👍")).unwrap();
    assert_eq!(events(&mut an), [format!("#general|REACT|bình|{id}|0|👍")]);
    let taken_too = answer(&mut an, "k4", &format!("REACT|k4|{id}|hay quá, 10/10")).unwrap();
    assert!(taken_too > taken);
    assert_eq!(
        paged_reactions(&mut binh),
        [format!("REACTIONS|#general|{id}|{taken_too}")],
        "toggled twice: gone"
    );
    assert_eq!(
        old.collect_pending(),
        Vec::<String>::new(),
        "version 2 hears no reactions"
    );
    old.send_line(&format!("REACT|k5|{id}|👍"));
    old.expect_line("ERROR|REACT needs protocol version 3 (say HELLO|3 first)");
    let history = server.connect().login_v2("dũng", PW);
    assert_eq!(history.history(), ["TEXT|an|hẹn 7 giờ"]);
}

#[test]
fn reactions_come_back_with_the_welcome_after_a_reconnect() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let id = post(&mut an, "t1", "#general", "ai đi ăn trưa?");
    let mut binh = server.connect();
    let welcome = binh.login_v3("bình", PW, None);
    let last = welcome.synced();
    drop(binh);
    // While bình is away: an reacts twice on the old message, then a
    // new message comes.
    answer(&mut an, "k1", &format!("REACT|k1|{id}|🍜")).unwrap();
    let latest = answer(&mut an, "k2", &format!("REACT|k2|{id}|🙋")).unwrap();
    let newer = post(&mut an, "t2", "#general", "12 giờ nhé");

    let mut binh = server.connect();
    let welcome = binh.login_v3("bình", PW, Some(last));
    assert_eq!(welcome.event_ids(), [newer], "the toggles are not replayed");
    let reactions: Vec<&String> = welcome
        .lines
        .iter()
        .filter(|line| line.starts_with("REACTIONS|"))
        .collect();
    assert_eq!(
        reactions,
        [&format!("REACTIONS|#general|{id}|{latest}|an|🍜|an|🙋")],
        "the old message's reactions as they are now"
    );
    let position = |prefix: &str| welcome.lines.iter().position(|l| l.starts_with(prefix));
    assert!(
        position("REACTIONS|") > position("EVENT|"),
        "after the events"
    );

    // A first login gets the reactions of the messages it is shown.
    let mut cuong = server.connect();
    let welcome = cuong.login_v3("cường", PW, None);
    assert!(
        welcome
            .lines
            .contains(&format!("REACTIONS|#general|{id}|{latest}|an|🍜|an|🙋")),
        "{:?}",
        welcome.lines
    );
}

#[test]
fn one_reacts_only_to_messages_one_may_see_and_not_without_limit() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let _binh = v3(&server, "bình");
    let mut cuong = v3(&server, "cường");
    an.send_line("CREATE|#kín|private|");
    an.collect_pending();
    let private = post(&mut an, "t1", "#kín", "bí mật");
    let direct = post(&mut an, "t2", "@bình", "riêng");
    let public = post(&mut an, "t3", "#general", "chào");
    cuong.collect_pending();
    for id in [private, direct, 999_999] {
        assert_eq!(
            answer(&mut cuong, "k1", &format!("REACT|k1|{id}|👀")),
            Err(format!("No such message: {id}"))
        );
    }
    assert_eq!(
        events(&mut an),
        Vec::<String>::new(),
        "a refused reaction reaches nobody"
    );
    assert_eq!(
        answer(&mut cuong, "k2", &format!("REACT|k2|{public}|")),
        Err("Reaction refused: a reaction may not be empty".to_owned())
    );
    assert_eq!(
        answer(&mut cuong, "k3", &format!("REACT|k3|{public}|a|b")),
        Err("Reaction refused: a reaction may not contain '|'".to_owned())
    );
    assert_eq!(
        answer(
            &mut cuong,
            "k4",
            &format!("REACT|k4|{public}|{}", "x".repeat(17))
        ),
        Err("Reaction refused: a reaction is at most 16 characters".to_owned())
    );
    assert_eq!(
        answer(
            &mut cuong,
            "k5",
            &format!("REACT|k5|{private}|{}", "ắ".repeat(16))
        ),
        Err(format!("No such message: {private}")),
        "16 characters of 2 bytes are a reaction"
    );
    // 30 at once (the 4 above that reached the store among them), then
    // one a second: the 27th toggle here is refused with an ERROR (a
    // slow machine may have earned one more meanwhile).
    let mut accepted = 0;
    let refused = loop {
        let token = format!("f{accepted}");
        cuong.send_line(&format!("REACT|{token}|{public}|👍"));
        let answer = loop {
            let line = cuong.read_line();
            if line.starts_with(&format!("ACK|{token}|")) || line.starts_with("ERROR|") {
                break line;
            }
        };
        if answer.starts_with("ERROR|") {
            break answer;
        }
        accepted += 1;
        assert!(accepted < 40, "never limited");
    };
    assert!((26..=28).contains(&accepted), "{accepted} accepted");
    assert!(
        refused.starts_with("ERROR|REACT: too many at once; try again in "),
        "{refused}"
    );
    cuong.send_line("PING|after");
    cuong.expect_line("PONG|after");
}
