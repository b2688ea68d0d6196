//! A file body is data, never commands: in every state and for every reason
//! a `FILE` header can be refused, a version 1 connection's body (which
//! follows its header at once) is read and thrown away, or the connection is
//! closed. Nothing inside a body ever reaches another client or the account
//! store.
//!
//! See: issue 9, "A file body is data, never commands".

use std::fs;

use media_chat_e2e::{RawClient, TestServer, file_header, sha256_hex};
use proptest::prelude::*;

use crate::PW;

/// Protocol lines that must never be run: a broadcast, a DM, a login that
/// would register an account, a `PING` whose `PONG` would show.
const SMUGGLED: &[u8] =
    b"TEXT|smuggled from a body\nDM|watcher|smuggled DM\nLOGIN|mallory|pw\nPING|smuggled\n";

/// Header line, body and newline as a version 1 client sends them: in one
/// write, without waiting for an answer.
fn header_and_body(header: &[u8], body: &[u8]) -> Vec<u8> {
    let mut bytes = header.to_vec();
    bytes.push(b'\n');
    bytes.extend_from_slice(body);
    bytes.push(b'\n');
    bytes
}

/// A logged-in version 1 watcher, to see whatever the server broadcasts.
fn watcher(server: &TestServer) -> RawClient {
    server.client_v1("watcher", PW)
}

fn assert_no_mallory(server: &TestServer) {
    assert!(
        !server.creds().contains("mallory"),
        "a LOGIN inside a body registered an account: {}",
        server.creds()
    );
}

#[test]
fn a_file_header_before_login_has_its_body_discarded() {
    let server = TestServer::start();
    let mut watcher = watcher(&server);
    let mut a = server.connect();
    a.send_bytes(&header_and_body(
        file_header("notes.txt", SMUGGLED).as_bytes(),
        SMUGGLED,
    ));
    a.expect_line("ERROR|Please log in first");
    a.send_line("LOGIN|a|pw");
    a.expect_line("LOGIN_OK|a");
    a.expect_quiet();
    watcher.expect_line("NOTIFY|a joined the chat");
    watcher.expect_quiet();
    assert_no_mallory(&server);
}

#[test]
fn a_version_2_file_header_before_login_is_refused_with_nothing_to_drain() {
    let server = TestServer::start();
    let mut a = server.connect();
    a.hello(2, 2);
    a.send_line(&file_header("notes.txt", b"abc"));
    a.expect_line("ERROR|Please log in first");
    // No body follows a version 2 header: the next line is a command.
    a.send_line("LOGIN|a|pw");
    a.expect_line("LOGIN_OK|a");
}

#[test]
fn a_file_header_that_is_not_utf8_has_its_body_discarded() {
    let server = TestServer::start();
    let mut watcher = watcher(&server);
    let mut a = server.client_v1("a", PW);
    watcher.expect_line("NOTIFY|a joined the chat");
    // "café.txt" in Latin-1, as an old client might send it.
    let header = format!(
        "FILE|caf\u{e9}.txt|{}|{}",
        SMUGGLED.len(),
        sha256_hex(SMUGGLED)
    );
    let latin1: Vec<u8> = header.chars().map(|c| c as u8).collect();
    a.send_bytes(&header_and_body(&latin1, SMUGGLED));
    a.expect_line("ERROR|Line is not valid UTF-8");
    a.expect_quiet();
    a.send_line("TEXT|after the body");
    watcher.expect_line("TEXT|a|after the body");
    watcher.expect_quiet();
    assert_no_mallory(&server);
}

#[test]
fn a_file_header_whose_size_cannot_be_read_closes_the_connection() {
    let server = TestServer::start();
    let mut watcher = watcher(&server);
    for header in [
        &b"FILE|caf\xe9.txt|\xff12|abc"[..],
        b"FILE|a.txt|twelve|abc",
        b"FILE|a.txt",
        b"FILE",
    ] {
        let mut a = server.client_v1("a", PW);
        watcher.expect_line("NOTIFY|a joined the chat");
        a.send_bytes(&header_and_body(header, SMUGGLED));
        let reply = a.read_line();
        assert!(reply.starts_with("ERROR|"), "{reply:?}");
        a.expect_eof();
        watcher.expect_line("NOTIFY|a left the chat");
    }
    watcher.expect_quiet();
    assert_no_mallory(&server);
}

#[test]
fn an_overlong_file_header_closes_the_connection() {
    let server = TestServer::start();
    let mut watcher = watcher(&server);
    let mut a = server.client_v1("a", PW);
    watcher.expect_line("NOTIFY|a joined the chat");
    let name = format!("{}.txt", "n".repeat(9000));
    a.send_bytes(&header_and_body(
        file_header(&name, SMUGGLED).as_bytes(),
        SMUGGLED,
    ));
    a.expect_line("ERROR|Line too long (at most 8192 bytes)");
    a.expect_eof();
    watcher.expect_line("NOTIFY|a left the chat");
    watcher.expect_quiet();
    assert_no_mallory(&server);
}

#[test]
fn an_overlong_version_2_file_header_is_refused_and_the_connection_stays() {
    let server = TestServer::start();
    let mut a = server.client_v2("a", PW);
    let name = format!("{}.txt", "n".repeat(9000));
    a.send_line(&file_header(&name, b"abc"));
    a.expect_line("ERROR|Line too long (at most 8192 bytes)");
    a.expect_quiet();
}

#[test]
fn a_malformed_file_header_with_a_readable_size_has_its_body_discarded() {
    let server = TestServer::start();
    let mut watcher = watcher(&server);
    let mut a = server.client_v1("a", PW);
    watcher.expect_line("NOTIFY|a joined the chat");
    let header = format!("FILE|a.txt|{}|not-a-hash", SMUGGLED.len());
    a.send_bytes(&header_and_body(header.as_bytes(), SMUGGLED));
    a.expect_line("ERROR|Bad command: FILE: sha256 must be 64 hexadecimal digits");
    a.expect_quiet();
    watcher.expect_quiet();
    assert_no_mallory(&server);
}

/// Replaces `.incoming/` with a plain file, so that creating an upload's
/// temporary file fails as it would on a full disk (root ignores
/// permissions, so a read-only directory would not do).
fn break_incoming(server: &TestServer) {
    let incoming = server.incoming_dir();
    fs::remove_dir_all(&incoming).expect("cannot remove .incoming");
    fs::write(&incoming, b"not a directory").expect("cannot block .incoming");
}

#[test]
fn a_version_2_upload_that_cannot_start_is_refused_before_file_ready() {
    let server = TestServer::start();
    let mut a = server.client_v2("a", PW);
    break_incoming(&server);
    a.send_line(&file_header("notes.txt", SMUGGLED));
    a.expect_line("ERROR|The server could not store the file");
    a.expect_quiet();
}

#[test]
fn a_version_1_upload_that_cannot_start_has_its_body_discarded() {
    let server = TestServer::start();
    let mut watcher = watcher(&server);
    let mut a = server.client_v1("a", PW);
    watcher.expect_line("NOTIFY|a joined the chat");
    break_incoming(&server);
    a.send_bytes(&header_and_body(
        file_header("notes.txt", SMUGGLED).as_bytes(),
        SMUGGLED,
    ));
    a.expect_line("ERROR|The server could not store the file");
    a.expect_quiet();
    watcher.expect_quiet();
    assert_no_mallory(&server);
}

/// One thing an attacker's version 1 connection sends.
#[derive(Debug, Clone)]
enum Step {
    /// A message that must reach the watcher: `TEXT|ok <n>`.
    Text,
    /// A line the server refuses (unknown verb, bad UTF-8, overlong, …).
    BadLine(Vec<u8>),
    /// A `FILE` header (valid or not), then the body it declares.
    Upload { header: Vec<u8>, body: Vec<u8> },
}

fn bad_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"NOPE|x".to_vec()),
        Just(b"TEXT|\xff\xfe".to_vec()),
        Just(b"DM|\x1b[31m|hi".to_vec()),
        Just(b"GET_FILE|../creds.txt".to_vec()),
        Just(b"PING|".to_vec()),
        Just(vec![b'T'; 9000]),
        Just(b"TEXT|".to_vec()),
    ]
}

fn upload() -> impl Strategy<Value = Step> {
    let body = prop::collection::vec(
        prop_oneof![
            Just(&b"TEXT|secret\n"[..]),
            Just(&b"LOGIN|mallory|pw\n"[..]),
            Just(&b"DM|watcher|secret\n"[..]),
            Just(&b"FILE|x.txt|3|"[..]),
            Just(&b"\n"[..]),
            Just(&b"\xff"[..]),
            Just(&b"QUIT\n"[..]),
        ],
        0..6,
    )
    .prop_map(|parts| parts.concat());
    let header = prop_oneof![
        Just("good.txt"),
        Just("bad.exe"),
        Just("../up.txt"),
        Just("caf\u{e9}.txt"),
        Just("wrong-hash.txt"),
        Just("overlong"),
        Just("latin1"),
        Just("no-size"),
    ];
    (header, body).prop_map(|(kind, body)| {
        let good = format!("|{}|{}", body.len(), sha256_hex(&body));
        let header = match kind {
            "wrong-hash.txt" => format!("FILE|{kind}|{}|{}", body.len(), sha256_hex(b"x")),
            "overlong" => format!("FILE|{}.txt{good}", "n".repeat(9000)),
            "latin1" => {
                let text = format!("FILE|caf\u{e9}.txt{good}");
                return Step::Upload {
                    header: text.chars().map(|c| c as u8).collect(),
                    body,
                };
            }
            "no-size" => "FILE|x.txt".to_owned(),
            name => format!("FILE|{name}{good}"),
        };
        Step::Upload {
            header: header.into_bytes(),
            body,
        }
    })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Text),
        bad_line().prop_map(Step::BadLine),
        upload()
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random lines and uploads from one version 1 client, bodies full of
    /// protocol lines: nothing that existed only inside a body ever reaches
    /// the watcher, every message sent while the connection was open
    /// arrives in order, and the connection ends in step or closed.
    #[test]
    fn bodies_never_run_as_commands(steps in prop::collection::vec(step(), 1..12), login_first in any::<bool>()) {
        let server = TestServer::start_with(|config| config.tls.enabled = false);
        let mut watcher = watcher(&server);
        let mut attacker = server.connect();
        if login_first {
            attacker.login_v1("attacker", PW);
            watcher.expect_line("NOTIFY|attacker joined the chat");
        }
        let mut sent_texts = Vec::new();
        let mut written = true;
        for (n, step) in steps.iter().enumerate() {
            let bytes = match step {
                Step::Text => {
                    sent_texts.push(format!("ok {n}"));
                    format!("TEXT|ok {n}\n").into_bytes()
                }
                Step::BadLine(line) => [line.as_slice(), b"\n"].concat(),
                Step::Upload { header, body } => header_and_body(header, body),
            };
            if attacker.try_send_bytes(&bytes).is_err() {
                written = false;
                break;
            }
        }
        // The barrier: PONG|end comes once everything before was handled (a
        // connection that never logged in does so first: PING needs a login).
        let barrier: &[u8] = if login_first { b"PING|end\n" } else { b"LOGIN|attacker|pw\nPING|end\n" };
        let _ = attacker.try_send_bytes(barrier);
        let in_step = loop {
            match attacker.try_read_line() {
                Ok(Some(line)) if line == "PONG|end" => break true,
                Ok(Some(line)) => prop_assert!(
                    !line.contains("secret") && line != "PONG|smuggled",
                    "a body was run: {line:?}"
                ),
                _ => break false,
            }
        };
        prop_assert!(in_step || !written || steps.iter().any(|s| matches!(s, Step::Upload { .. })),
            "the connection closed with no upload to explain it");
        drop(attacker);
        let seen = watcher.collect_pending();
        let texts: Vec<String> = seen
            .iter()
            .filter_map(|line| line.strip_prefix("TEXT|attacker|"))
            .map(str::to_owned)
            .collect();
        for line in &seen {
            prop_assert!(!line.contains("secret") && !line.contains("mallory"), "leaked: {line:?}");
        }
        if login_first {
            prop_assert!(texts.len() <= sent_texts.len());
            prop_assert_eq!(&texts[..], &sent_texts[..texts.len()], "messages lost or reordered");
            if in_step {
                prop_assert_eq!(texts, sent_texts);
            }
        } else {
            prop_assert!(texts.is_empty(), "a client that never logged in posted {texts:?}");
        }
        assert_no_mallory(&server);
    }
}
