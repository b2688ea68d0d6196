//! Quotas: an upload that would pass a user's quota, the server's total
//! file space or its free-disk margin is refused with how much is left,
//! before its body in versions 2 and 3 (after it, discarded, in version 1,
//! the connection in step); a delete gives the room back; version 3 hears
//! its `QUOTA` at login, on request and as it changes.
//!
//! See: issue 13, "Delete and quotas".

use media_chat_e2e::{RawClient, TestServer, event_body, file_bytes, file_header, sha256_hex};
use media_chat_server::FileSpace;

use crate::PW;

/// A server with `per_user` and `total` bytes of file space and no
/// free-disk margin (so what is left does not depend on the machine).
fn server(per_user: Option<u64>, total: Option<u64>) -> TestServer {
    TestServer::start_with(|config| {
        config.file_space = FileSpace {
            per_user,
            total,
            min_free_disk: 0,
        };
    })
}

/// A logged-in version 3 client, its welcome and what followed read.
fn v3(server: &TestServer, user: &str) -> RawClient {
    let mut client = server.connect();
    client.login_v3(user, PW, None);
    client.collect_pending();
    client
}

/// A text file of exactly `len` bytes, different for each `seed`.
fn text(len: usize, seed: u64) -> Vec<u8> {
    let body = file_bytes("txt", len, seed);
    assert_eq!(body.len(), len);
    body
}

/// The `FILE_SHARED` line of `user`'s upload of `body` as `name`.
fn shared(user: &str, name: &str, body: &[u8]) -> String {
    format!(
        "FILE_SHARED|{user}|{name}|{}|{}",
        body.len(),
        sha256_hex(body)
    )
}

/// A version 2 upload of `body` as `name`, read up to its share.
fn upload_v2(client: &mut RawClient, user: &str, name: &str, body: &[u8]) {
    client.upload_v2(name, body);
    client.skip_until(&shared(user, name, body));
}

/// Sends an upload's header, which must be refused with `answer` before
/// `FILE_READY`; the connection stays in step.
fn refused_before_body(client: &mut RawClient, header: &str, answer: &str) {
    client.send_line(header);
    client.expect_line(answer);
    client.expect_quiet();
}

/// `UPLOAD|conversation|name|size|sha256` for `body`.
fn upload_header(conversation: &str, name: &str, body: &[u8]) -> String {
    format!(
        "UPLOAD|{conversation}|{name}|{}|{}",
        body.len(),
        sha256_hex(body)
    )
}

/// Reads up to the `EVENT` line whose body (after id and time) is `body`.
fn until_event(client: &mut RawClient, body: &str) {
    loop {
        let line = client.read_line();
        if line.starts_with("EVENT|") && event_body(&line) == body {
            return;
        }
    }
}

#[test]
fn an_upload_over_the_users_quota_is_refused_before_its_body() {
    let server = server(Some(1000), None);
    let mut an = server.client_v2("an", PW);
    let mut an3 = v3(&server, "an");
    an.collect_pending();
    let first = text(600, 1);
    upload_v2(&mut an, "an", "một.txt", &first);
    let second = text(600, 2);
    let over = "ERROR|Upload refused: over your quota (400 B of 1000 B left)";
    refused_before_body(&mut an, &file_header("hai.txt", &second), over);
    // Version 3 the same, whatever the conversation: it is the user's room.
    an3.collect_pending();
    refused_before_body(&mut an3, &upload_header("@an", "hai.txt", &second), over);
    // Someone else's quota is their own.
    let mut binh = server.client_v2("bình", PW);
    upload_v2(&mut binh, "bình", "hai.txt", &second);

    // A delete gives the room back.
    an3.collect_pending();
    an3.send_line("DELETE_FILE|#general|một.txt");
    until_event(&mut an3, "#general|FILE_DELETE|an|một.txt");
    an3.send_line(&upload_header("#general", "ba.txt", &second));
    an3.expect_line("FILE_READY|ba.txt");
    let mut bytes = second.clone();
    bytes.push(b'\n');
    an3.send_bytes(&bytes);
    until_event(
        &mut an3,
        &format!("#general|FILE|an|ba.txt|600|{}", sha256_hex(&second)),
    );
    assert_eq!(
        std::fs::read(server.files_dir().join("ba.txt")).unwrap(),
        second
    );
}

#[test]
fn a_version_1_upload_over_the_quota_is_refused_its_body_discarded() {
    let server = server(Some(1000), None);
    let mut seed = server.client_v1("seed", PW);
    let first = text(600, 1);
    seed.upload_v1("một.txt", &first);
    seed.expect_line("NOTIFY|seed shared file: một.txt");
    let second = text(600, 2);
    seed.upload_v1("hai.txt", &second);
    seed.expect_line("ERROR|Upload refused: over your quota (400 B of 1000 B left)");
    // In step: the body was not taken for commands, the next line is read.
    assert_eq!(seed.download_v1("một.txt"), first);
    seed.send_line("GET_FILE|hai.txt");
    seed.expect_line("ERROR|No such file: hai.txt");
    assert!(!server.files_dir().join("hai.txt").exists());
}

#[test]
fn the_servers_total_file_space_is_shared_by_everyone() {
    let server = server(None, Some(1000));
    let mut an = server.client_v2("an", PW);
    upload_v2(&mut an, "an", "một.txt", &text(600, 1));
    let mut binh = server.client_v2("bình", PW);
    refused_before_body(
        &mut binh,
        &file_header("hai.txt", &text(600, 2)),
        "ERROR|Upload refused: the server's file space is full (400 B left)",
    );
    upload_v2(&mut binh, "bình", "ba.txt", &text(400, 3));
    an.collect_pending();
    refused_before_body(
        &mut an,
        &file_header("bốn.txt", &text(10, 4)),
        "ERROR|Upload refused: the server's file space is full (0 B left)",
    );
}

#[test]
fn an_upload_waiting_for_its_body_holds_its_room() {
    let server = server(Some(1000), None);
    let mut an = server.client_v2("an", PW);
    let mut again = server.client_v2("an", PW);
    let first = text(600, 1);
    an.send_line(&file_header("một.txt", &first));
    an.expect_line("FILE_READY|một.txt");
    // The first upload's 600 bytes are set aside until it ends.
    refused_before_body(
        &mut again,
        &file_header("hai.txt", &text(600, 2)),
        "ERROR|Upload refused: over your quota (400 B of 1000 B left)",
    );
    let mut bytes = first.clone();
    bytes.push(b'\n');
    an.send_bytes(&bytes);
    an.skip_until(&shared("an", "một.txt", &first));
    // A refused upload gives its room back: a failed hash, say.
    again.collect_pending();
    let other = text(300, 3);
    again.send_line(&format!("FILE|ba.txt|300|{}", sha256_hex(&text(300, 4))));
    again.expect_line("FILE_READY|ba.txt");
    let mut bytes = other.clone();
    bytes.push(b'\n');
    again.send_bytes(&bytes);
    again.skip_until("ERROR|Hash mismatch: the file was damaged in transfer and was not stored");
    upload_v2(&mut again, "an", "ba.txt", &other);
}

#[test]
fn uploads_that_would_leave_the_disk_nearly_full_are_refused() {
    let server = TestServer::start_with(|config| {
        config.file_space.min_free_disk = u64::MAX / 2;
    });
    let body = text(10, 1);
    let mut old = server.client_v2("old", PW);
    refused_before_body(
        &mut old,
        &file_header("a.txt", &body),
        "ERROR|Upload refused: the server's disk is nearly full",
    );
    let mut an = server.connect();
    let welcome = an.login_v3("an", PW, None);
    assert!(
        welcome.lines.contains(&"QUOTA|0|1073741824|0".to_owned()),
        "{:?}",
        welcome.lines
    );
    refused_before_body(
        &mut an,
        &upload_header("#general", "a.txt", &body),
        "ERROR|Upload refused: the server's disk is nearly full",
    );
    let mut seed = server.client_v1("seed", PW);
    seed.upload_v1("a.txt", &body);
    seed.expect_line("ERROR|Upload refused: the server's disk is nearly full");
    seed.send_line("GET_FILE|a.txt");
    seed.expect_line("ERROR|No such file: a.txt");
}

#[test]
fn version_3_hears_its_quota_at_login_on_request_and_as_it_changes() {
    let server = server(Some(1000), None);
    let mut an = server.connect();
    let welcome = an.login_v3("an", PW, None);
    let quota = welcome
        .lines
        .iter()
        .position(|l| l == "QUOTA|0|1000|1000")
        .unwrap_or_else(|| panic!("no QUOTA: {:?}", welcome.lines));
    let users = welcome.lines.iter().position(|l| l.starts_with("USERS|"));
    assert_eq!(users, Some(quota - 1), "after USERS: {:?}", welcome.lines);
    an.collect_pending();
    // Version 2's welcome is what it was. Its session stays open: its
    // LEFT would land among the lines `an` checks below.
    let mut old_session = server.connect();
    let old = old_session.login_v2("old", PW);
    assert!(!old.lines.iter().any(|l| l.starts_with("QUOTA")), "{old:?}");
    an.collect_pending();

    an.send_line("QUOTA");
    an.expect_line("QUOTA|0|1000|1000");
    let mut other = v3(&server, "an");
    let first = text(600, 1);
    other.send_line(&upload_header("#general", "một.txt", &first));
    other.expect_line("FILE_READY|một.txt");
    let mut bytes = first.clone();
    bytes.push(b'\n');
    other.send_bytes(&bytes);
    // The session that asked hears the change; the other one did not ask.
    until_event(
        &mut an,
        &format!("#general|FILE|an|một.txt|600|{}", sha256_hex(&first)),
    );
    an.expect_line("QUOTA|600|1000|400");
    until_event(
        &mut other,
        &format!("#general|FILE|an|một.txt|600|{}", sha256_hex(&first)),
    );
    other.expect_quiet();
    // So does a delete of the user's file.
    other.send_line("DELETE_FILE|#general|một.txt");
    until_event(&mut an, "#general|FILE_DELETE|an|một.txt");
    an.expect_line("QUOTA|0|1000|1000");
    old_is_quiet(&server);
}

/// A version 2 session hears nothing of quotas.
fn old_is_quiet(server: &TestServer) {
    let mut old = server.client_v2("cũ", PW);
    old.collect_pending();
    old.send_line("QUOTA");
    old.expect_line("ERROR|QUOTA needs protocol version 3 (say HELLO|3 first)");
    old.expect_quiet();
}
