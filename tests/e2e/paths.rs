//! Hostile file names and planted symlinks: nothing is ever written or
//! served outside `<data>/server_files/`. Each test checks the file system,
//! not only the reply.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::Duration;

use media_chat_e2e::{
    RawClient, TestServer, dir_entries, file_header, sha256_hex, tree, wait_until,
};
use media_chat_protocol::rules::normalize_file_name;

use crate::PW;

/// Names that must never become a path: traversal both ways, absolute
/// paths, drive letters, a bidi override disguising the extension, hidden
/// and edge-trimmed names, NUL, Windows device names, over-long names.
fn hostile_names() -> Vec<String> {
    let mut names: Vec<String> = [
        "../x.txt",
        "..\\x.txt",
        "../../x.txt",
        "..",
        ".",
        "",
        "/etc/passwd",
        "/tmp/x.txt",
        "C:\\x.txt",
        "C:x.txt",
        "a/b.txt",
        "a\\b.txt",
        "evil\u{202E}gpj.txt",
        "\u{2066}x.txt",
        ".hidden.txt",
        ".incoming",
        "trailing.txt.",
        "trailing.txt ",
        " leading.txt",
        "nul\0.txt",
        "tab\t.txt",
        "CON.txt",
        "nul.txt",
        "com1.png",
        "what?.txt",
        "star*.txt",
        "quote\".txt",
        "<angle>.txt",
    ]
    .map(String::from)
    .to_vec();
    names.push(format!("{}.txt", "x".repeat(252)));
    names
}

fn bad_name_error(name: &str) -> String {
    let reason = normalize_file_name(name)
        .err()
        .unwrap_or_else(|| panic!("{name:?} is a valid name; fix the test"));
    format!("ERROR|Bad file name: {reason}")
}

/// Every path under the root, minus what logins and uploads legitimately
/// touch (the log, creds, the temporary upload dir).
fn snapshot(server: &TestServer) -> BTreeSet<PathBuf> {
    let volatile = [
        Path::new("data/message_history.txt"),
        Path::new("data/creds.txt"),
        Path::new("data/.incoming"),
    ];
    tree(server.root())
        .into_iter()
        .filter(|path| !volatile.iter().any(|v| path.starts_with(v)))
        .collect()
}

fn assert_nothing_escaped(server: &TestServer, before: &BTreeSet<PathBuf>) {
    assert_eq!(
        &snapshot(server),
        before,
        "a path appeared or vanished under the temp root"
    );
    assert!(
        dir_entries(&server.files_dir()).is_empty(),
        "server_files/: {:?}",
        dir_entries(&server.files_dir())
    );
    assert!(
        wait_until(Duration::from_secs(5), || dir_entries(
            &server.incoming_dir()
        )
        .is_empty()),
        ".incoming/: {:?}",
        dir_entries(&server.incoming_dir())
    );
}

#[test]
fn hostile_names_are_refused_for_v2_uploads() {
    let server = TestServer::start();
    let mut a = server.client_v2("a", PW);
    let before = snapshot(&server);
    let body = b"owned\n";
    for name in hostile_names() {
        a.send_line(&file_header(&name, body));
        a.expect_line(&bad_name_error(&name));
    }
    a.expect_quiet();
    assert_nothing_escaped(&server, &before);
}

#[test]
fn hostile_names_are_refused_for_v1_uploads() {
    let server = TestServer::start();
    let mut a = server.client_v1("a", PW);
    let before = snapshot(&server);
    let body = b"TEXT|leaked\n";
    for name in hostile_names() {
        a.upload_v1(&name, body);
        a.expect_line(&bad_name_error(&name));
        a.expect_quiet();
    }
    assert_nothing_escaped(&server, &before);
}

#[test]
fn hostile_names_are_refused_for_get_file() {
    let server = TestServer::start();
    // Real files a traversal would reach.
    fs::write(server.root().join("x.txt"), "outside the data dir").expect("write");
    fs::write(server.data_dir().join("secret.txt"), "in the data dir").expect("write");
    let mut v1 = server.client_v1("a", PW);
    let mut v2 = server.client_v2("b", PW);
    v1.expect_line("NOTIFY|b joined the chat");
    let mut names = hostile_names();
    names.extend(
        [
            "../creds.txt",
            "../secret.txt",
            "../message_history.txt",
            "..\\creds.txt",
            "../.incoming",
            "a|b.txt",
        ]
        .map(String::from),
    );
    for name in &names {
        for client in [&mut v1, &mut v2] {
            client.send_line(&format!("GET_FILE|{name}"));
            client.expect_line(&bad_name_error(name));
        }
    }
    v1.expect_quiet();
    v2.expect_quiet();
}

/// A file outside `server_files/` and symlinks to it planted inside.
fn plant_symlinks(server: &TestServer) -> PathBuf {
    let files = server.files_dir();
    fs::create_dir_all(&files).expect("create server_files");
    let outside = server.root().join("outside.txt");
    fs::write(&outside, "TOP SECRET\n").expect("write");
    symlink(&outside, files.join("link.txt")).expect("symlink");
    symlink(server.data_dir().join("creds.txt"), files.join("creds.txt")).expect("symlink");
    symlink("../creds.txt", files.join("relative.txt")).expect("symlink");
    symlink(server.data_dir(), files.join("dir.txt")).expect("symlink");
    outside
}

#[test]
fn a_symlink_in_server_files_is_never_served() {
    let server = TestServer::start();
    let mut v1 = server.client_v1("a", PW);
    let mut v2 = server.client_v2("b", PW);
    v1.expect_line("NOTIFY|b joined the chat");
    plant_symlinks(&server);
    for name in ["link.txt", "creds.txt", "relative.txt", "dir.txt"] {
        for client in [&mut v1, &mut v2] {
            client.send_line(&format!("GET_FILE|{name}"));
            client.expect_line(&format!("ERROR|No such file: {name}"));
        }
    }
    v1.expect_quiet();
    v2.expect_quiet();
}

/// Reads the outcome of an upload: `Some(<stored>)` from
/// `FILE_SHARED|user|<stored>|len|sha`, `None` for an `ERROR` (the spec
/// does not say whether an upload over a planted symlink succeeds; it only
/// must not write through it).
fn read_shared_name(client: &mut RawClient, user: &str, body: &[u8]) -> Option<String> {
    let line = client.read_line();
    if line.starts_with("ERROR|") {
        return None;
    }
    let suffix = format!("|{}|{}", body.len(), sha256_hex(body));
    let stored = line
        .strip_prefix(&format!("FILE_SHARED|{user}|"))
        .and_then(|rest| rest.strip_suffix(&suffix))
        .unwrap_or_else(|| panic!("expected FILE_SHARED|{user}|<name>{suffix}, got {line:?}"));
    Some(stored.to_owned())
}

#[test]
fn an_upload_never_writes_through_a_symlink() {
    let server = TestServer::start();
    let mut a = server.client_v2("a", PW);
    let mut old = server.client_v1("old", PW);
    a.expect_line("JOINED|old");
    let outside = plant_symlinks(&server);
    let creds_before = server.creds();
    let dangling_target = server.root().join("created.txt");
    symlink(&dangling_target, server.files_dir().join("dangling.txt")).expect("symlink");

    for name in ["link.txt", "creds.txt", "dangling.txt"] {
        let body = format!("uploaded as {name}\n").into_bytes();
        a.upload_v2(name, &body);
        if let Some(stored) = read_shared_name(&mut a, "a", &body) {
            // Served from a regular file holding the new bytes.
            assert_eq!(a.download_v2(&stored), body, "{name} stored as {stored}");
            old.expect_line(&format!("NOTIFY|a shared file: {stored}"));
        }
    }
    let body = b"v1 upload over a link\n".to_vec();
    old.upload_v1("relative.txt", &body);
    let line = old.read_line();
    if !line.starts_with("ERROR|") {
        let stored = line
            .strip_prefix("NOTIFY|old shared file: ")
            .unwrap_or_else(|| panic!("expected the share notice, got {line:?}"))
            .to_owned();
        assert_eq!(old.download_v1(&stored), body);
    }
    old.expect_quiet();

    assert_eq!(
        fs::read_to_string(&outside).expect("read"),
        "TOP SECRET\n",
        "an upload wrote through server_files/link.txt"
    );
    assert_eq!(
        server.creds(),
        creds_before,
        "an upload wrote through a symlink to creds.txt"
    );
    assert!(
        !dangling_target.exists(),
        "an upload created a file through a dangling symlink"
    );
}
