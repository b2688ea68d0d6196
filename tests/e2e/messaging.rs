//! Public messages, private messages, presence and the history replayed to
//! version 2 clients.

use std::time::{SystemTime, UNIX_EPOCH};

use media_chat_e2e::TestServer;
use media_chat_protocol::rules::check_text;

use crate::{PW, room_v1};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock before 1970")
        .as_secs()
}

#[test]
fn text_reaches_everyone_else_and_not_the_sender() {
    let server = TestServer::start();
    let [mut a, mut b, mut c] = room_v1(&server, ["a", "b", "c"]);
    // The last field takes the rest of the line: pipes survive.
    a.send_line("TEXT|hello | world|a|b||");
    b.expect_line("TEXT|a|hello | world|a|b||");
    c.expect_line("TEXT|a|hello | world|a|b||");
    a.expect_quiet();
    b.expect_quiet();
    c.expect_quiet();
}

#[test]
fn unicode_and_tabs_pass_through_unchanged() {
    let server = TestServer::start();
    let [mut a, mut b] = room_v1(&server, ["Đặng", "Cường"]);
    for text in [
        "Xin chào các bạn! Tiếng Việt có dấu: ặ ờ ữ ỹ",
        "emoji 👋🏽 and CJK 漢字 and RTL שלום",
        "tab\tseparated\tcolumns",
        "   leading and trailing spaces   ",
    ] {
        a.send_line(&format!("TEXT|{text}"));
        b.expect_line(&format!("TEXT|Đặng|{text}"));
    }
    b.send_line("DM|Đặng|chào anh");
    a.expect_line("DM|Cường|chào anh");
}

#[test]
fn dm_target_is_matched_like_a_login_name() {
    // Names are unique ignoring case and after NFC, so a DM finds its user
    // however the name is typed.
    let server = TestServer::start();
    let [mut a, mut b] = room_v1(&server, ["Đặng", "Cường"]);
    for typed in ["đặng", "ĐẶNG", "Đa\u{0323}\u{0306}ng"] {
        b.send_line(&format!("DM|{typed}|chào anh"));
        a.expect_line("DM|Cường|chào anh");
    }
    b.expect_quiet();
}

#[test]
fn control_characters_are_refused_in_text_and_dm() {
    let server = TestServer::start();
    let [mut a, mut b] = room_v1(&server, ["a", "b"]);
    for text in [
        "\u{1b}[31mred\u{1b}[0m",
        "\u{1b}]0;new title\u{7}",
        "nul\0byte",
        "bell\u{7}",
        "del\u{7f}",
        "c1\u{85}next line",
        "c1\u{9b}31m",
        "carriage\rreturn",
    ] {
        let reason = check_text(text).expect_err(text);
        let expected = format!("ERROR|Message refused: {reason}");
        a.send_line(&format!("TEXT|{text}"));
        a.expect_line(&expected);
        a.send_line(&format!("DM|b|{text}"));
        a.expect_line(&expected);
    }
    // The exact wording for the most common case, escape codes:
    a.send_line("TEXT|\u{1b}[2J");
    a.expect_line(
        "ERROR|Message refused: message may not contain control characters (found U+001B)",
    );
    b.expect_quiet();
    a.expect_quiet();
}

#[test]
fn empty_and_overlong_messages_are_refused() {
    let server = TestServer::start();
    let [mut a, mut b] = room_v1(&server, ["a", "b"]);
    a.send_line("TEXT|");
    a.expect_line("ERROR|Message refused: message is empty");
    a.send_line("DM|b|");
    a.expect_line("ERROR|Message refused: message is empty");
    let too_long = "x".repeat(7169);
    a.send_line(&format!("TEXT|{too_long}"));
    a.expect_line("ERROR|Message refused: message is longer than 7168 bytes");
    a.send_line(&format!("DM|b|{too_long}"));
    a.expect_line("ERROR|Message refused: message is longer than 7168 bytes");
    b.expect_quiet();

    // Exactly 7168 bytes (multi-byte characters count as bytes) is fine.
    let longest = format!("{}xx", "ặ".repeat(2388));
    assert_eq!(longest.len(), 7166);
    let longest = format!("{longest}yy");
    a.send_line(&format!("TEXT|{longest}"));
    b.expect_line(&format!("TEXT|a|{longest}"));
    a.expect_quiet();
}

#[test]
fn presence_is_announced_for_the_first_and_last_session_only() {
    let server = TestServer::start();
    let mut watcher = server.client_v1("watcher", PW);
    let mut v2_watcher = server.client_v2("v2watcher", PW);
    watcher.expect_line("NOTIFY|v2watcher joined the chat");

    let b1 = server.client_v1("b", PW);
    watcher.expect_line("NOTIFY|b joined the chat");
    v2_watcher.expect_line("JOINED|b");
    let mut b2 = server.client_v1("B", PW);
    watcher.expect_quiet();
    v2_watcher.expect_quiet();

    b1.quit();
    b2.expect_quiet();
    watcher.expect_quiet();
    v2_watcher.expect_quiet();

    b2.quit();
    watcher.expect_line("NOTIFY|b left the chat");
    v2_watcher.expect_line("LEFT|b");
}

#[test]
fn a_users_other_sessions_get_its_text_and_all_sessions_get_its_dms() {
    let server = TestServer::start();
    let mut a = server.client_v1("a", PW);
    let mut b1 = server.client_v1("b", PW);
    let mut b2 = server.client_v2("b", PW);
    a.expect_line("NOTIFY|b joined the chat");

    b1.send_line("TEXT|from my laptop");
    b2.expect_line("TEXT|b|from my laptop");
    a.expect_line("TEXT|b|from my laptop");
    b1.expect_quiet();

    a.send_line("DM|b|to both of you");
    b1.expect_line("DM|a|to both of you");
    b2.expect_line("DM|a|to both of you");
    a.expect_quiet();
}

#[test]
fn dm_reaches_only_its_target_and_only_their_history() {
    let server = TestServer::start();
    let [mut a, mut b, mut c] = room_v1(&server, ["a", "b", "c"]);
    a.send_line("DM|b|the secret|is 42");
    b.expect_line("DM|a|the secret|is 42");
    a.expect_quiet();
    c.expect_quiet();
    b.expect_quiet();

    // The replay at a later login shows the DM to its two parties only.
    let entry = "DM|a|b|the secret|is 42";
    // Kept open until the end, so no LEFT/left notice races the checks.
    let mut sessions = Vec::new();
    for (user, sees) in [("a", true), ("b", true), ("c", false), ("d", false)] {
        let mut client = server.connect();
        let welcome = client.login_v2(user, PW);
        assert_eq!(
            welcome.history().contains(&entry.to_owned()),
            sees,
            "{user}'s history: {:?}",
            welcome.history()
        );
        assert!(
            welcome.lines.iter().all(|l| !l.contains("secret")) || sees,
            "{user} saw the DM: {welcome:?}"
        );
        sessions.push(client);
    }
    c.expect_line("NOTIFY|d joined the chat");
    c.expect_quiet();
}

#[test]
fn dm_to_an_unknown_user_is_an_error() {
    let server = TestServer::start();
    let mut a = server.client_v1("a", PW);
    a.send_line("DM|nobody|hello?");
    a.expect_line("ERROR|No such user: nobody");
    a.expect_quiet();
}

#[test]
fn dm_to_an_offline_user_is_delivered_at_their_next_v1_login() {
    let server = TestServer::start();
    let mut a = server.client_v1("a", PW);
    server.client_v1("bob", PW).quit();
    a.expect_line("NOTIFY|bob joined the chat");
    a.expect_line("NOTIFY|bob left the chat");

    a.send_line("DM|bob|are you there?");
    a.expect_line("NOTIFY|bob is offline; they will get your message when they log in");
    a.send_line("DM|bob|second one");
    a.expect_line("NOTIFY|bob is offline; they will get your message when they log in");

    let mut bob = server.connect();
    assert_eq!(
        bob.login_v1("bob", PW),
        ["LOGIN_OK|bob", "DM|a|are you there?", "DM|a|second one"]
    );
    a.expect_line("NOTIFY|bob joined the chat");
    bob.quit();
    a.expect_line("NOTIFY|bob left the chat");

    // Delivered once: not again at the login after.
    let mut again = server.connect();
    assert_eq!(again.login_v1("bob", PW), ["LOGIN_OK|bob"]);
}

#[test]
fn dm_to_an_offline_user_appears_in_their_v2_history() {
    let server = TestServer::start();
    let mut a = server.client_v1("a", PW);
    server.client_v2("bob", PW).quit();
    a.expect_line("NOTIFY|bob joined the chat");
    a.expect_line("NOTIFY|bob left the chat");
    a.send_line("DM|bob|while you were away");
    a.expect_line("NOTIFY|bob is offline; they will get your message when they log in");

    let mut bob = server.connect();
    let welcome = bob.login_v2("bob", PW);
    assert_eq!(welcome.history(), ["DM|a|bob|while you were away"]);
    // Not delivered a second time as a DM line after the welcome.
    bob.expect_quiet();
}

#[test]
fn history_replays_the_last_events_oldest_first() {
    let server = TestServer::start_with(|config| config.history_len = 3);
    let start = now();
    let mut a = server.client_v1("a", PW);
    for i in 1..=5 {
        a.send_line(&format!("TEXT|m{i}"));
    }
    // Every TEXT was handled before the PONG.
    a.expect_quiet();

    let mut c = server.connect();
    let welcome = c.login_v2("c", PW);
    assert_eq!(welcome.history(), ["TEXT|a|m3", "TEXT|a|m4", "TEXT|a|m5"]);
    let stamps: Vec<u64> = welcome
        .history_with_ts()
        .iter()
        .map(|(ts, _)| *ts)
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "{stamps:?}");
    assert!(
        stamps.iter().all(|&ts| ts + 1 >= start && ts <= now() + 1),
        "timestamps {stamps:?} not around {start}"
    );
}

#[test]
fn history_holds_text_dm_and_shares_but_not_presence() {
    let server = TestServer::start();
    let [mut a, mut b] = room_v1(&server, ["a", "b"]);
    a.send_line("TEXT|public");
    b.expect_line("TEXT|a|public");
    a.send_line("DM|b|private");
    b.expect_line("DM|a|private");
    let body = b"hello file\n";
    a.upload_v1("note.txt", body);
    a.expect_line("NOTIFY|a shared file: note.txt");
    b.expect_line("NOTIFY|a shared file: note.txt");

    let mut a2 = server.connect();
    let welcome = a2.login_v2("a", PW);
    assert_eq!(
        welcome.history(),
        [
            "TEXT|a|public".to_owned(),
            "DM|a|b|private".to_owned(),
            format!(
                "FILE_SHARED|a|note.txt|{}|{}",
                body.len(),
                media_chat_e2e::sha256_hex(body)
            ),
        ]
    );
}
