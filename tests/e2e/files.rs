//! Uploads and downloads, version 1 and 2: byte-identical round trips,
//! every refusal leaving the stream in sync, numbered names on collision,
//! no duplicate storage, `LIST_FILES`, abandoned and stalled uploads.

use std::collections::BTreeSet;
use std::fs;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use media_chat_e2e::{TestServer, dir_entries, file_bytes, file_header, sha256_hex, wait_until};
use media_chat_protocol::ClientMessage;
use media_chat_protocol::ParseLine;
use media_chat_protocol::rules::normalize_file_name;

use crate::{PW, room_v1};

const EXTENSIONS: &str = "(allowed: jpg, png, gif, mp3, wav, txt, pdf)";
const HASH_MISMATCH: &str =
    "ERROR|Hash mismatch: the file was damaged in transfer and was not stored";

/// A body that would show up as messages if the server ever parsed it as
/// lines: a refused upload must be skipped, not interpreted.
fn tricky_body() -> Vec<u8> {
    b"TEXT|this body leaked into the command stream\nPING|leak\nQUIT\n".to_vec()
}

fn shared_v2(user: &str, name: &str, body: &[u8]) -> String {
    format!(
        "FILE_SHARED|{user}|{name}|{}|{}",
        body.len(),
        sha256_hex(body)
    )
}

fn assert_incoming_empty(server: &TestServer) {
    assert!(
        wait_until(Duration::from_secs(5), || dir_entries(
            &server.incoming_dir()
        )
        .is_empty()),
        "temporary upload files left behind: {:?}",
        dir_entries(&server.incoming_dir())
    );
}

fn stored(server: &TestServer, name: &str) -> Vec<u8> {
    fs::read(server.files_dir().join(name))
        .unwrap_or_else(|e| panic!("{name} is not in server_files/: {e}"))
}

#[test]
fn v1_upload_is_announced_to_everyone_and_downloads_byte_identical() {
    let server = TestServer::start();
    let [mut a, mut b] = room_v1(&server, ["a", "b"]);
    let body = file_bytes("png", 100_000, 1);
    a.upload_v1("photo.png", &body);
    a.expect_line("NOTIFY|a shared file: photo.png");
    b.expect_line("NOTIFY|a shared file: photo.png");

    assert_eq!(b.download_v1("photo.png"), body);
    assert_eq!(a.download_v1("photo.png"), body);
    assert_eq!(stored(&server, "photo.png"), body);
    assert_incoming_empty(&server);
    a.expect_quiet();
}

#[test]
fn v2_upload_waits_for_file_ready_and_downloads_with_its_hash() {
    let server = TestServer::start();
    let mut a = server.client_v2("a", PW);
    let mut b = server.client_v2("b", PW);
    let mut old = server.client_v1("old", PW);
    a.expect_lines(&["JOINED|b", "JOINED|old"]);
    b.expect_line("JOINED|old");

    let body = file_bytes("mp3", 64 * 1024, 2);
    a.upload_v2("song.mp3", &body);
    let shared = shared_v2("a", "song.mp3", &body);
    a.expect_line(&shared);
    b.expect_line(&shared);
    old.expect_line("NOTIFY|a shared file: song.mp3");

    assert_eq!(b.download_v2("song.mp3"), body);
    assert_eq!(old.download_v1("song.mp3"), body);
    assert_eq!(stored(&server, "song.mp3"), body);
    a.expect_quiet();
}

#[test]
fn a_five_megabyte_file_round_trips() {
    let server = TestServer::start();
    let mut a = server.client_v2("a", PW);
    let mut b = server.client_v1("b", PW);
    a.expect_line("JOINED|b");
    let body = file_bytes("pdf", 5 * 1024 * 1024, 3);
    a.upload_v2("big.pdf", &body);
    a.expect_line(&shared_v2("a", "big.pdf", &body));
    b.expect_line("NOTIFY|a shared file: big.pdf");
    let v1 = b.download_v1("big.pdf");
    assert_eq!(sha256_hex(&v1), sha256_hex(&body));
    assert!(v1 == body);
    let v2 = a.download_v2("big.pdf");
    assert!(v2 == body);
    assert!(stored(&server, "big.pdf") == body);
}

#[test]
fn v1_upload_of_the_largest_allowed_size_is_stored() {
    let server = TestServer::start_with(|config| config.max_file_size = 1000);
    let mut a = server.client_v1("a", PW);
    let body = file_bytes("txt", 1000, 4);
    a.upload_v1("edge.txt", &body);
    a.expect_line("NOTIFY|a shared file: edge.txt");
    assert_eq!(stored(&server, "edge.txt"), body);
}

#[test]
fn the_extension_check_ignores_case() {
    let server = TestServer::start();
    let mut a = server.client_v2("a", PW);
    for name in ["A.PNG", "photo.JpG", "Song.Mp3"] {
        let extension = name.rsplit_once('.').unwrap().1.to_lowercase();
        let body = file_bytes(&extension, 100, name.len() as u64);
        a.upload_v2(name, &body);
        a.expect_line(&shared_v2("a", name, &body));
        assert_eq!(stored(&server, name), body);
    }
}

#[test]
fn refused_v1_uploads_keep_the_stream_in_sync() {
    let server = TestServer::start();
    let [mut a, mut b] = room_v1(&server, ["a", "b"]);
    let body = tricky_body();
    let bad_name = "../x.txt";
    let cases = [
        (
            file_header("tool.exe", &body),
            format!("ERROR|File type not allowed: .exe {EXTENSIONS}"),
        ),
        (
            file_header("README", &body),
            format!("ERROR|File type not allowed: no extension {EXTENSIONS}"),
        ),
        (
            file_header(bad_name, &body),
            format!(
                "ERROR|Bad file name: {}",
                normalize_file_name(bad_name).expect_err(bad_name)
            ),
        ),
        (
            format!("FILE|a.txt|{}|{}", body.len(), sha256_hex(b"other")),
            HASH_MISMATCH.to_owned(),
        ),
    ];
    for (header, error) in cases {
        let mut bytes = format!("{header}\n").into_bytes();
        bytes.extend_from_slice(&body);
        bytes.push(b'\n');
        a.send_bytes(&bytes);
        a.expect_line(&error);
        a.expect_quiet();
    }
    b.expect_quiet();
    assert!(
        dir_entries(&server.files_dir()).is_empty(),
        "{:?}",
        dir_entries(&server.files_dir())
    );
    assert_incoming_empty(&server);
}

#[test]
fn refused_v2_uploads_get_no_file_ready_and_stay_open() {
    let server = TestServer::start_with(|config| config.max_file_size = 1000);
    let mut a = server.client_v2("a", PW);
    let body = tricky_body();
    let cases = [
        (
            format!("FILE|big.txt|1001|{}", sha256_hex(b"x")),
            "ERROR|File too large".to_owned(),
        ),
        (
            file_header("tool.exe", &body),
            format!("ERROR|File type not allowed: .exe {EXTENSIONS}"),
        ),
        (
            file_header("noext", &body),
            format!("ERROR|File type not allowed: no extension {EXTENSIONS}"),
        ),
        (
            file_header("a/b.txt", &body),
            format!(
                "ERROR|Bad file name: {}",
                normalize_file_name("a/b.txt").expect_err("a/b.txt")
            ),
        ),
    ];
    for (header, error) in cases {
        a.send_line(&header);
        a.expect_line(&error);
        // No body is sent after an ERROR; the next command is understood.
        a.expect_quiet();
    }

    // After FILE_READY a damaged body is refused and the stream goes on.
    a.send_line(&format!(
        "FILE|a.txt|{}|{}",
        body.len(),
        sha256_hex(b"other")
    ));
    a.expect_line("FILE_READY|a.txt");
    a.send_bytes(&[body.as_slice(), b"\n"].concat());
    a.expect_line(HASH_MISMATCH);
    a.expect_quiet();

    // Exactly the limit is fine.
    let edge = file_bytes("txt", 1000, 5);
    a.upload_v2("edge.txt", &edge);
    a.expect_line(&shared_v2("a", "edge.txt", &edge));
    assert_eq!(
        dir_entries(&server.files_dir()),
        ["edge.txt".to_owned()].into()
    );
    assert_incoming_empty(&server);
}

#[test]
fn a_too_large_v1_upload_closes_the_connection() {
    let server = TestServer::start_with(|config| config.max_file_size = 1000);
    let [mut watcher, mut a] = room_v1(&server, ["watcher", "a"]);
    // Only the header: the server must answer without reading a body.
    a.send_line(&format!("FILE|big.txt|1001|{}", sha256_hex(b"x")));
    a.expect_line("ERROR|File too large");
    a.expect_eof();
    watcher.expect_line("NOTIFY|a left the chat");
    watcher.expect_quiet();
    assert!(dir_entries(&server.files_dir()).is_empty());
}

#[test]
fn a_body_not_followed_by_a_newline_closes_the_connection() {
    let server = TestServer::start();
    let mut a = server.client_v1("a", PW);
    let body = b"twelve bytes";
    let mut bytes = format!("{}\n", file_header("a.txt", body)).into_bytes();
    bytes.extend_from_slice(body);
    bytes.push(b'X');
    a.send_bytes(&bytes);
    a.expect_line("ERROR|File body must be followed by a newline");
    a.expect_eof();
}

#[test]
fn a_malformed_file_header_is_refused_and_the_stream_stays_in_step() {
    // A version 1 body follows its header at once: it is discarded when the
    // size can be read, and the connection closed when it cannot. A
    // version 2 client sends no body before FILE_READY: nothing to drain.
    // See: issue 9, "A file body is data, never commands".
    let server = TestServer::start();
    let sha = sha256_hex(b"x");
    for (version, header, closes) in [
        (1, format!("FILE|a.txt|12x|{sha}"), true),
        (1, format!("FILE|a.txt|-1|{sha}"), true),
        (2, format!("FILE|a.txt| 5|{sha}"), false),
        (1, "FILE|a.txt|5|not-a-hash".to_owned(), false),
        (2, format!("FILE|a.txt|5|{}", &sha[..63]), false),
    ] {
        let mut client = server.connect();
        if version == 2 {
            client.login_v2("a", PW);
        } else {
            client.login_v1("a", PW);
        }
        let cause = ClientMessage::parse_line(&header).expect_err(&header);
        let mut bytes = format!("{header}\n").into_bytes();
        if version == 1 {
            bytes.extend_from_slice(&tricky_body()[..5]);
            bytes.push(b'\n');
        }
        client.send_bytes(&bytes);
        client.expect_line(&format!("ERROR|Bad command: {cause}"));
        if closes {
            client.expect_eof();
        } else {
            client.expect_quiet();
            client.quit();
        }
    }
}

#[test]
fn name_collisions_are_numbered_and_identical_content_is_stored_once() {
    let server = TestServer::start();
    let mut a = server.client_v2("a", PW);
    let mut b = server.client_v1("b", PW);
    a.expect_line("JOINED|b");
    let (x, y, z) = (b"version x\n", b"version y\n", b"version z\n");
    for (body, stored_as) in [
        (x, "notes.txt"),
        (y, "notes (1).txt"),
        (z, "notes (2).txt"),
        (x, "notes.txt"),
        (y, "notes (1).txt"),
    ] {
        a.upload_v2("notes.txt", body);
        a.expect_line(&shared_v2("a", stored_as, body));
        b.expect_line(&format!("NOTIFY|a shared file: {stored_as}"));
    }
    let stored_names: BTreeSet<String> = ["notes.txt", "notes (1).txt", "notes (2).txt"]
        .map(String::from)
        .into();
    assert_eq!(dir_entries(&server.files_dir()), stored_names);
    assert_eq!(a.download_v2("notes.txt"), x);
    assert_eq!(a.download_v2("notes (1).txt"), y);
    assert_eq!(b.download_v1("notes (2).txt"), z);

    // Uploaded again by another user: still not stored twice, and the
    // announcement names the user who uploaded it now (spec: "<user> shared
    // file: <stored name>", every session incl. the sender).
    b.upload_v1("notes.txt", z);
    let to_b = b.read_line();
    let to_a = a.read_line();
    assert_eq!(dir_entries(&server.files_dir()), stored_names);
    assert_eq!(to_b, "NOTIFY|b shared file: notes (2).txt");
    assert_eq!(to_a, shared_v2("b", "notes (2).txt", z));
}

#[test]
fn list_files_lists_every_stored_file_sorted_by_name() {
    let server = TestServer::start();
    let mut a = server.client_v2("a", PW);
    a.send_line("LIST_FILES");
    a.expect_line("FILES_END");

    let mut b = server.client_v1("b", PW);
    a.expect_line("JOINED|b");
    let files = [
        ("b.txt", b"bee".to_vec(), "a"),
        ("a.png", file_bytes("png", 20, 1), "a"),
        ("c.gif", file_bytes("gif", 30, 2), "b"),
    ];
    for (name, body, user) in &files {
        let (name, user) = (*name, *user);
        if user == "a" {
            a.upload_v2(name, body);
        } else {
            b.upload_v1(name, body);
        }
        a.expect_line(&shared_v2(user, name, body));
        b.expect_line(&format!("NOTIFY|{user} shared file: {name}"));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock before 1970")
        .as_secs();
    a.send_line("LIST_FILES");
    for (name, body, user) in [&files[1], &files[0], &files[2]] {
        let line = a.read_line();
        let prefix = format!(
            "FILE_INFO|{name}|{}|{}|{user}|",
            body.len(),
            sha256_hex(body)
        );
        let ts: u64 = line
            .strip_prefix(&prefix)
            .and_then(|ts| ts.parse().ok())
            .unwrap_or_else(|| panic!("expected {prefix}<unix_ts>, got {line:?}"));
        assert!(
            ts.abs_diff(now) <= 60,
            "upload time {ts} is not now ({now})"
        );
    }
    a.expect_line("FILES_END");
}

#[test]
fn get_file_of_a_missing_file_is_an_error() {
    let server = TestServer::start();
    let mut v1 = server.client_v1("a", PW);
    let mut v2 = server.client_v2("b", PW);
    v1.expect_line("NOTIFY|b joined the chat");
    for client in [&mut v1, &mut v2] {
        client.send_line("GET_FILE|nope.txt");
        client.expect_line("ERROR|No such file: nope.txt");
        client.send_line("GET_FILE|ảnh (1).png");
        client.expect_line("ERROR|No such file: ảnh (1).png");
    }
    v1.expect_quiet();
    v2.expect_quiet();
}

#[test]
fn file_names_are_stored_nfc_normalised() {
    let server = TestServer::start();
    let mut a = server.client_v2("a", PW);
    // "ảnh" typed as a + combining hook above.
    let decomposed = "a\u{0309}nh.png";
    let body = &file_bytes("png", 100, 1);
    a.send_line(&file_header(decomposed, body));
    let ready = a.read_line();
    assert!(ready.starts_with("FILE_READY|"), "{ready:?}");
    a.send_bytes(&[body.as_slice(), b"\n"].concat());
    a.expect_line(&shared_v2("a", "ảnh.png", body));
    assert_eq!(
        dir_entries(&server.files_dir()),
        ["ảnh.png".to_owned()].into()
    );
    assert_eq!(&a.download_v2("ảnh.png"), body);
    // The spec: "FILE_READY|name (the name as sent)", so a client can match
    // the answer to its request byte for byte.
    assert_eq!(ready, format!("FILE_READY|{decomposed}"));
}

#[test]
fn an_abandoned_upload_leaves_nothing_behind() {
    let server = TestServer::start();
    let mut watcher = server.client_v1("watcher", PW);
    let mut a = server.client_v2("a", PW);
    watcher.expect_line("NOTIFY|a joined the chat");
    let body = file_bytes("png", 200_000, 6);
    a.send_line(&file_header("half.png", &body));
    a.expect_line("FILE_READY|half.png");
    a.send_bytes(&body[..100_000]);
    drop(a);
    watcher.expect_line("NOTIFY|a left the chat");
    watcher.expect_quiet();
    assert!(dir_entries(&server.files_dir()).is_empty());
    assert_incoming_empty(&server);
}

#[test]
fn a_stalled_upload_is_dropped_after_the_body_timeout() {
    let server = TestServer::start_with(|config| {
        config.limits.body_read_timeout = Duration::from_millis(300);
    });
    let mut watcher = server.client_v1("watcher", PW);
    let mut a = server.client_v1("a", PW);
    watcher.expect_line("NOTIFY|a joined the chat");
    let body = file_bytes("png", 10_000, 7);
    let mut bytes = format!("{}\n", file_header("stall.png", &body)).into_bytes();
    bytes.extend_from_slice(&body[..5_000]);
    a.send_bytes(&bytes);
    // Whatever the server says first, it must close the connection.
    a.drain_to_eof();
    watcher.expect_line("NOTIFY|a left the chat");
    assert!(dir_entries(&server.files_dir()).is_empty());
    assert_incoming_empty(&server);
}
