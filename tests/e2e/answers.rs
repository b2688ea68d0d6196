//! Every command gets an answer or an effect: each verb with each class of
//! bad field (control characters, bidirectional-text controls, empty,
//! over-long, wrong count of fields) gets exactly one `ERROR` line, which
//! itself holds no control character, and the connection stays in step.
//!
//! See: issue 9, "Every command gets an answer or an effect".

use media_chat_e2e::{RawClient, TestServer, sha256_hex};

use crate::PW;

/// The bad lines, verb by verb. A `FILE` line for a version 1 connection is
/// followed by its 3-byte body (see [`send`]).
fn bad_lines() -> Vec<String> {
    let sha = sha256_hex(b"abc");
    let long = "x".repeat(9000);
    let mut lines = Vec::new();
    for (verb, fields) in [
        (
            "TEXT",
            vec!["a\u{1b}[31mb", "a\u{0}b", "a\rb", "\u{202e}gpj.exe", ""],
        ),
        (
            "GET_FILE",
            vec!["a\u{1b}.txt", "a\rb.txt", "\u{202e}txt.exe", ""],
        ),
        (
            "PING",
            vec!["\u{1b}", "a\rb", "\u{202e}x", "", &"t".repeat(65)],
        ),
        (
            "PONG",
            vec!["\u{1b}", "a\rb", "\u{202e}x", "", &"t".repeat(65)],
        ),
        ("HELLO", vec!["\u{1b}", "", "2|x"]),
        ("LOGIN", vec!["\u{1b}|pw", "a\rb|pw", "\u{202e}a|pw"]),
        ("QUIT", vec!["x", "\u{1b}"]),
        ("LIST_FILES", vec!["x", "\u{1b}"]),
    ] {
        // The verb alone lacks its fields (QUIT and LIST_FILES take none).
        if !matches!(verb, "QUIT" | "LIST_FILES") {
            lines.push(verb.to_owned());
        }
        lines.push(format!("{verb}|{long}"));
        for field in fields {
            lines.push(format!("{verb}|{field}"));
        }
    }
    for to in [
        "\u{1b}[31m",
        "bob\u{0}",
        "a\rb",
        "\u{202e}bob",
        "",
        &"n".repeat(40),
    ] {
        lines.push(format!("DM|{to}|hi"));
    }
    for text in ["\u{1b}[2J", "\u{202e}x", ""] {
        lines.push(format!("DM|bob|{text}"));
    }
    lines.push("DM|bob".to_owned());
    lines.push("DM".to_owned());
    for name in [
        "a\u{1b}.txt",
        "a\rb.txt",
        "\u{202e}txt.exe",
        "",
        &format!("{}.txt", "n".repeat(300)),
    ] {
        lines.push(format!("FILE|{name}|3|{sha}"));
    }
    lines.push("FILE|a.txt|3".to_owned());
    lines.push(format!("FILE|a.txt|3|{sha}|extra"));
    lines
}

/// Sends `line`, and for a version 1 `FILE` header its body, at once.
fn send(client: &mut RawClient, line: &str, v1: bool) {
    let mut bytes = format!("{line}\n").into_bytes();
    if v1 && line.starts_with("FILE|") {
        bytes.extend_from_slice(b"abc\n");
    }
    client.send_bytes(&bytes);
}

fn assert_one_error_each(client: &mut RawClient, v1: bool) {
    for line in bad_lines() {
        send(client, &line, v1);
        let reply = client.read_line();
        assert!(
            reply.starts_with("ERROR|"),
            "{line:?} was answered {reply:?}"
        );
        assert!(
            !reply.chars().any(char::is_control),
            "the answer to {line:?} holds a control character: {reply:?}"
        );
        client.expect_quiet();
    }
}

#[test]
fn every_bad_field_of_every_verb_gets_exactly_one_error_in_version_1() {
    let server = TestServer::start();
    server.client_v1("bob", PW).quit();
    let mut a = server.client_v1("a", PW);
    assert_one_error_each(&mut a, true);
}

#[test]
fn every_bad_field_of_every_verb_gets_exactly_one_error_in_version_2() {
    let server = TestServer::start();
    server.client_v1("bob", PW).quit();
    let mut a = server.client_v2("a", PW);
    assert_one_error_each(&mut a, false);
}

#[test]
fn bad_logins_get_exactly_one_error_and_the_next_login_works() {
    let server = TestServer::start();
    let mut a = server.connect();
    for line in [
        "LOGIN|\u{1b}[31m|pw",
        "LOGIN|a\rb|pw",
        "LOGIN|\u{202e}a|pw",
        "LOGIN||pw",
        &format!("LOGIN|{}|pw", "n".repeat(40)),
        "LOGIN|a",
        "LOGIN",
        "TEXT|before login",
        "DM|a\u{1b}|hi",
        "PING|\u{1b}",
    ] {
        a.send_line(line);
        let reply = a.read_line();
        assert!(
            reply.starts_with("ERROR|"),
            "{line:?} was answered {reply:?}"
        );
        assert!(
            !reply.chars().any(char::is_control),
            "the answer to {line:?} holds a control character: {reply:?}"
        );
    }
    a.send_line("LOGIN|a|pw");
    a.expect_line("LOGIN_OK|a");
    a.expect_quiet();
}

#[test]
fn a_dm_to_a_name_with_control_characters_is_answered() {
    // The exact texts: the refusal names the rule, never the raw name.
    let server = TestServer::start();
    let mut a = server.client_v1("a", PW);
    a.send_line("DM|a\rb|hi");
    a.expect_line(
        "ERROR|No such user (user names may only hold letters, digits, '_', '-' and '.' (found '\\r'))",
    );
    a.send_line("DM|\u{1b}[31m|hi");
    a.expect_line(
        "ERROR|No such user (user names may only hold letters, digits, '_', '-' and '.' (found '\\u{1b}'))",
    );
    a.send_line("DM|nobody|hi");
    a.expect_line("ERROR|No such user: nobody");
    a.expect_quiet();
}
