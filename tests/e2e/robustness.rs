//! Framing under stress: commands split into single-byte writes, several
//! commands in one write, CRLF, overlong lines, invalid UTF-8, unknown and
//! malformed commands, QUIT and abrupt disconnects.

use media_chat_e2e::TestServer;
use media_chat_protocol::{ClientMessage, ParseLine};

use crate::{PW, room_v1};

#[test]
fn a_command_sent_one_byte_per_write_is_understood() {
    let server = TestServer::start();
    let mut b = server.client_v1("b", PW);
    let mut a = server.connect();
    a.stream().set_nodelay(true).expect("nodelay");
    for &byte in b"LOGIN|a|pw\n" {
        a.send_bytes(&[byte]);
    }
    a.expect_line("LOGIN_OK|a");
    b.expect_line("NOTIFY|a joined the chat");
    // Multi-byte characters split across writes too.
    for &byte in "TEXT|trickled in: Đặng 👋\n".as_bytes() {
        a.send_bytes(&[byte]);
    }
    b.expect_line("TEXT|a|trickled in: Đặng 👋");
    a.expect_quiet();
}

#[test]
fn several_commands_in_one_write_are_all_handled_in_order() {
    let server = TestServer::start();
    let [mut a, mut b] = room_v1(&server, ["a", "b"]);
    a.send_bytes(b"TEXT|one\nTEXT|two\nPING|x\nTEXT|three\n");
    a.expect_line("PONG|x");
    b.expect_lines(&["TEXT|a|one", "TEXT|a|two", "TEXT|a|three"]);

    // A login and a message in the same write.
    let mut c = server.connect();
    c.send_bytes(b"LOGIN|c|pw\nTEXT|hi from c\n");
    c.expect_line("LOGIN_OK|c");
    b.expect_lines(&["NOTIFY|c joined the chat", "TEXT|c|hi from c"]);
    a.expect_lines(&["NOTIFY|c joined the chat", "TEXT|c|hi from c"]);
    c.expect_quiet();
}

#[test]
fn crlf_line_endings_are_accepted() {
    let server = TestServer::start();
    let mut b = server.client_v1("b", PW);
    let mut a = server.connect();
    a.send_bytes(b"LOGIN|a|pw\r\n");
    a.expect_line("LOGIN_OK|a");
    b.expect_line("NOTIFY|a joined the chat");
    a.send_bytes(b"TEXT|windows line\r\nPING|crlf\r\n");
    b.expect_line("TEXT|a|windows line");
    a.expect_line("PONG|crlf");
}

#[test]
fn an_overlong_line_is_refused_and_the_next_command_works() {
    let server = TestServer::start();
    let [mut a, mut b] = room_v1(&server, ["a", "b"]);
    const TOO_LONG: &str = "ERROR|Line too long (at most 8192 bytes)";

    // 8191 bytes plus the newline is exactly the limit: the line is read,
    // and only the message rule refuses it.
    let at_limit = format!("TEXT|{}", "x".repeat(8186));
    assert_eq!(at_limit.len() + 1, 8192);
    a.send_line(&at_limit);
    a.expect_line("ERROR|Message refused: message is longer than 7168 bytes");

    // One byte more is a line error.
    let over = format!("TEXT|{}", "x".repeat(8187));
    a.send_line(&over);
    a.expect_line(TOO_LONG);
    a.expect_quiet();

    // A megabyte without a newline is skipped, not buffered, and the text
    // after its newline is a command again.
    let mut huge = b"TEXT|".to_vec();
    huge.resize(1024 * 1024, b'y');
    huge.extend_from_slice(b"\nTEXT|after the flood\n");
    a.send_bytes(&huge);
    a.expect_line(TOO_LONG);
    b.expect_line("TEXT|a|after the flood");
    a.expect_quiet();
    b.expect_quiet();
}

#[test]
fn an_overlong_line_before_login_is_refused_too() {
    let server = TestServer::start();
    let mut a = server.connect();
    a.send_line(&format!("LOGIN|a|{}", "p".repeat(9000)));
    a.expect_line("ERROR|Line too long (at most 8192 bytes)");
    a.send_line("LOGIN|a|pw");
    a.expect_line("LOGIN_OK|a");
}

#[test]
fn invalid_utf8_is_refused_and_the_stream_stays_in_sync() {
    let server = TestServer::start();
    let [mut a, mut b] = room_v1(&server, ["a", "b"]);
    for bytes in [
        &b"TEXT|\xff\xfe\n"[..],
        b"TEXT|truncated \xe1\xba\n",
        b"TEXT|overlong \xc0\xaf\n",
        b"TEXT|surrogate \xed\xa0\x80\n",
        b"\x80LOGIN|x|y\n",
    ] {
        a.send_bytes(bytes);
        a.expect_line("ERROR|Line is not valid UTF-8");
    }
    a.send_line("TEXT|still here");
    b.expect_line("TEXT|a|still here");
    b.expect_quiet();
    a.expect_quiet();

    let mut fresh = server.connect();
    fresh.send_bytes(b"LOGIN|\xff|pw\n");
    fresh.expect_line("ERROR|Line is not valid UTF-8");
    fresh.send_line("LOGIN|fresh|pw");
    fresh.expect_line("LOGIN_OK|fresh");
}

#[test]
fn unknown_and_malformed_commands_are_bad_commands() {
    let server = TestServer::start();
    let mut a = server.client_v1("a", PW);
    a.send_line("FOO|bar");
    a.expect_line("ERROR|Bad command: unknown command \"FOO\"");
    for line in [
        "text|lower case verb",
        "",
        "DM|b",
        "TEXT",
        "GET_FILE",
        "LIST_FILES|extra",
        "QUIT|now",
        "PING",
        " TEXT|leading space",
    ] {
        let cause = ClientMessage::parse_line(line).expect_err(line);
        a.send_line(line);
        a.expect_line(&format!("ERROR|Bad command: {cause}"));
    }
    a.expect_quiet();
}

#[test]
fn quit_flushes_what_is_queued_then_closes() {
    let server = TestServer::start();
    let [mut watcher, mut a] = room_v1(&server, ["watcher", "a"]);
    a.send_bytes(b"TEXT|bye all\nPING|last words\nQUIT\nTEXT|never sent\n");
    a.expect_line("PONG|last words");
    a.expect_eof();
    watcher.expect_lines(&["TEXT|a|bye all", "NOTIFY|a left the chat"]);
    watcher.expect_quiet();
}

#[test]
fn a_disconnect_in_the_middle_of_a_line_sends_nothing() {
    let server = TestServer::start();
    let [mut watcher, mut a] = room_v1(&server, ["watcher", "a"]);
    a.send_bytes(b"TEXT|half a mess");
    drop(a);
    watcher.expect_line("NOTIFY|a left the chat");
    watcher.expect_quiet();
}
