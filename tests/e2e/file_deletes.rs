//! `DELETE_FILE` (version 3): the uploader, an owner or moderator of the
//! room, or an administrator deletes a file; everyone in the conversation
//! hears `FILE_DELETE`; the file leaves the disk, the lists and the
//! previews; later downloads and previews are refused; pages and welcomes
//! show its shares as `FILE_DELETED`; versions 1 and 2 get no new line;
//! a download already running finishes; the name is free again.
//!
//! See: issue 13, "Delete and quotas".

use std::time::Duration;

use image::ImageFormat;
use media_chat_e2e::media::picture;
use media_chat_e2e::{RawClient, TestServer, event_body, file_bytes, sha256_hex};
use media_chat_protocol::rules::normalize_file_name;

use crate::PW;

/// Long enough for a preview of a small picture on a busy machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// A logged-in version 3 client, its welcome and what followed read.
fn v3(server: &TestServer, user: &str) -> RawClient {
    let mut client = server.connect();
    client.login_v3(user, PW, None);
    client.collect_pending();
    client
}

/// `UPLOAD|conversation|name|size|sha256`, `FILE_READY`, the body; then
/// reads up to its share's event.
fn upload(client: &mut RawClient, conversation: &str, name: &str, body: &[u8]) {
    client.send_line(&format!(
        "UPLOAD|{conversation}|{name}|{}|{}",
        body.len(),
        sha256_hex(body)
    ));
    client.skip_until(&format!("FILE_READY|{name}"));
    let mut bytes = body.to_vec();
    bytes.push(b'\n');
    client.send_bytes(&bytes);
    let share = format!("|{conversation}|FILE|");
    loop {
        let line = client.read_line();
        assert!(!line.starts_with("ERROR|"), "the upload failed: {line}");
        if line.starts_with("EVENT|") && line.contains(&share) {
            return;
        }
    }
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

/// `FILES|conversation`: the names listed.
fn files(client: &mut RawClient, conversation: &str) -> Vec<String> {
    client.send_line(&format!("FILES|{conversation}"));
    client
        .skip_until(&format!("FILES_END|{conversation}"))
        .iter()
        .filter_map(|line| line.strip_prefix("FILE_INFO|"))
        .map(|info| info.split('|').next().unwrap_or_default().to_owned())
        .collect()
}

/// Sends `line` and expects exactly `answer`, the connection in step after.
fn answered(client: &mut RawClient, line: &str, answer: &str) {
    client.send_line(line);
    client.expect_line(answer);
    client.expect_quiet();
}

/// A public room `#lop` owned by `an`, `bình` its moderator, `cường` a
/// member; every client's pending lines read.
fn room(server: &TestServer) -> [RawClient; 3] {
    let mut an = v3(server, "an");
    let mut binh = v3(server, "bình");
    let mut cuong = v3(server, "cường");
    an.send_line("CREATE|#lop|public|");
    an.collect_pending();
    for member in [&mut binh, &mut cuong] {
        member.send_line("JOIN|#lop");
        member.collect_pending();
    }
    an.send_line("MODERATOR|#lop|bình|1");
    for client in [&mut an, &mut binh, &mut cuong] {
        client.collect_pending();
    }
    [an, binh, cuong]
}

#[test]
fn the_uploader_deletes_a_file_and_it_is_gone_for_everyone() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut old = server.client_v2("old", PW);
    let mut seed = server.client_v1("seed", PW);
    for client in [&mut an, &mut binh, &mut old] {
        client.collect_pending();
    }
    let body = file_bytes("txt", 5000, 1);
    upload(&mut an, "#general", "bài tập.txt", &body);
    for client in [&mut binh, &mut old] {
        client.collect_pending();
    }
    seed.skip_until("NOTIFY|an shared file: bài tập.txt");
    assert!(server.files_dir().join("bài tập.txt").exists());

    an.send_line("DELETE_FILE|#general|bài tập.txt");
    let deleted = an.read_line();
    assert!(
        deleted.starts_with("EVENT|") && deleted.ends_with("|#general|FILE_DELETE|an|bài tập.txt"),
        "{deleted:?}"
    );
    assert_eq!(
        binh.pending_events(),
        ["#general|FILE_DELETE|an|bài tập.txt"]
    );
    // Versions 1 and 2 get no new line.
    old.expect_quiet();
    seed.send_line("GET_FILE|bài tập.txt");
    seed.expect_line("ERROR|No such file: bài tập.txt");
    assert!(!server.files_dir().join("bài tập.txt").exists());

    assert!(files(&mut binh, "#general").is_empty());
    old.send_line("LIST_FILES");
    old.expect_line("FILES_END");
    answered(
        &mut old,
        "GET_FILE|bài tập.txt",
        "ERROR|No such file: bài tập.txt",
    );
    answered(
        &mut binh,
        "DOWNLOAD|#general|bài tập.txt",
        "ERROR|No such file: bài tập.txt",
    );
    answered(
        &mut binh,
        "PREVIEW|#general|bài tập.txt",
        "ERROR|No preview for bài tập.txt",
    );
    answered(
        &mut an,
        "DELETE_FILE|#general|bài tập.txt",
        "ERROR|No such file: bài tập.txt",
    );

    // A page, and a later login, show the share as deleted.
    binh.send_line("BEFORE|#general|0|50");
    let page: Vec<String> = binh
        .skip_until("PAGE_END|#general|0")
        .iter()
        .map(|line| event_body(line))
        .collect();
    assert_eq!(
        page,
        [
            "#general|FILE_DELETED|an|bài tập.txt",
            "#general|FILE_DELETE|an|bài tập.txt"
        ]
    );
    let welcome = server.connect().login_v3("cường", PW, None);
    let shown: Vec<String> = welcome.events().iter().map(|l| event_body(l)).collect();
    assert!(
        shown.contains(&"#general|FILE_DELETED|an|bài tập.txt".to_owned()),
        "{shown:?}"
    );
    assert!(!shown.iter().any(|e| e.contains("|FILE|")), "{shown:?}");
    // Version 2's history leaves the share out, as it does a deleted message.
    let history = server.connect().login_v2("dũng", PW);
    assert!(history.history().is_empty(), "{history:?}");
    // Nor is it found.
    binh.send_line("SEARCH|s1|10|bai tap");
    let found = binh.skip_until("SEARCH_END|s1|0");
    assert!(!found.iter().any(|l| l.starts_with("FOUND|")), "{found:?}");

    // The name is free again: the same contents are a fresh file.
    upload(&mut binh, "#general", "bài tập.txt", &body);
    assert_eq!(files(&mut an, "#general"), ["bài tập.txt"]);
    an.send_line("FILES|#general");
    let listed = an.skip_until("FILES_END|#general");
    assert!(
        listed
            .iter()
            .any(|l| l.starts_with("FILE_INFO|bài tập.txt|") && l.contains("|bình|")),
        "its uploader now: {listed:?}"
    );
    old.collect_pending();
    assert_eq!(old.download_v2("bài tập.txt"), body);
}

#[test]
fn owners_moderators_and_administrators_delete_others_files_and_nobody_else() {
    let server = TestServer::start_with(|config| config.admins = vec!["root".into()]);
    let [mut an, mut binh, mut cuong] = room(&server);
    let mut dung = v3(&server, "dũng");
    let mut root = v3(&server, "root");
    for name in ["a.txt", "b.txt", "c.txt"] {
        upload(
            &mut cuong,
            "#lop",
            name,
            &file_bytes("txt", 100, name.len() as u64),
        );
    }
    upload(
        &mut cuong,
        "#general",
        "chung.txt",
        &file_bytes("txt", 100, 9),
    );
    for client in [&mut an, &mut binh, &mut dung, &mut root] {
        client.collect_pending();
    }
    let refusal = |name: &str| {
        format!(
            "ERROR|Only its uploader, the room's owner and moderators, and administrators can delete {name}"
        )
    };

    // An outsider: the room does not exist for them, as one that never did.
    answered(
        &mut dung,
        "DELETE_FILE|#lop|a.txt",
        "ERROR|No such room: #lop",
    );
    answered(
        &mut dung,
        "DELETE_FILE|#khong|a.txt",
        "ERROR|No such room: #khong",
    );
    // Everyone is in #general, but only its administrators moderate it.
    answered(
        &mut dung,
        "DELETE_FILE|#general|chung.txt",
        &refusal("chung.txt"),
    );
    answered(
        &mut an,
        "DELETE_FILE|#general|chung.txt",
        &refusal("chung.txt"),
    );

    binh.send_line("DELETE_FILE|#lop|a.txt");
    until_event(&mut binh, "#lop|FILE_DELETE|bình|a.txt");
    an.send_line("DELETE_FILE|#lop|b.txt");
    until_event(&mut an, "#lop|FILE_DELETE|an|b.txt");
    // Not a member of #lop: an administrator acts in every room.
    // Not in the room, it hears of its own delete directly.
    root.send_line("DELETE_FILE|#lop|c.txt");
    assert_eq!(root.pending_events(), ["#lop|FILE_DELETE|root|c.txt"]);
    root.send_line("DELETE_FILE|#general|chung.txt");
    until_event(&mut root, "#general|FILE_DELETE|root|chung.txt");
    assert_eq!(
        cuong.pending_events(),
        [
            "#lop|FILE_DELETE|bình|a.txt",
            "#lop|FILE_DELETE|an|b.txt",
            "#lop|FILE_DELETE|root|c.txt",
            "#general|FILE_DELETE|root|chung.txt"
        ]
    );
    assert!(files(&mut cuong, "#lop").is_empty());
    assert!(files(&mut cuong, "#general").is_empty());

    // Nobody moderates a direct conversation: only the uploader deletes.
    upload(&mut cuong, "@an", "riêng.txt", &file_bytes("txt", 100, 3));
    an.collect_pending();
    answered(
        &mut an,
        "DELETE_FILE|@cường|riêng.txt",
        &refusal("riêng.txt"),
    );
    cuong.send_line("DELETE_FILE|@an|riêng.txt");
    until_event(&mut cuong, "@an|FILE_DELETE|cường|riêng.txt");
    assert_eq!(an.pending_events(), ["@cường|FILE_DELETE|cường|riêng.txt"]);
    answered(
        &mut cuong,
        "DELETE_FILE|#lop|bad/name.txt",
        &format!(
            "ERROR|Bad file name: {}",
            normalize_file_name("bad/name.txt").unwrap_err()
        ),
    );
}

#[test]
fn a_deleted_picture_takes_its_preview_with_it() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    an.send_line("PREVIEWS|1");
    an.expect_line("PREVIEWS|1");
    an.set_timeout(PATIENCE);
    let body = picture(ImageFormat::Png, 64, 48);
    let sha = sha256_hex(&body);
    upload(&mut an, "#general", "ảnh.png", &body);
    an.skip_until(&format!("PREVIEW|#general|ảnh.png|{sha}|image|64|48"));
    let record = server
        .data_dir()
        .join(format!("previews/general/{sha}.meta"));
    assert!(record.exists());

    an.send_line("DELETE_FILE|#general|ảnh.png");
    until_event(&mut an, "#general|FILE_DELETE|an|ảnh.png");
    assert!(!record.exists());
    answered(
        &mut an,
        "PREVIEW|#general|ảnh.png",
        "ERROR|No preview for ảnh.png",
    );
}

#[test]
fn a_download_under_way_finishes_when_its_file_is_deleted() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let body = file_bytes("png", 4_000_000, 7);
    upload(&mut an, "#general", "lớn.png", &body);
    let mut old = server.client_v2("old", PW);
    old.collect_pending();
    old.send_line("GET_FILE|lớn.png");
    // The header is out: the file is open and streaming (the body mostly
    // waits in the socket's buffers, unread).
    let header = old.read_line();
    assert_eq!(
        header,
        format!("FILE_TRANSFER|lớn.png|{}|{}", body.len(), sha256_hex(&body))
    );
    an.send_line("DELETE_FILE|#general|lớn.png");
    until_event(&mut an, "#general|FILE_DELETE|an|lớn.png");
    assert!(!server.files_dir().join("lớn.png").exists());
    let got = old.read_body(body.len() as u64);
    assert_eq!(sha256_hex(&got), sha256_hex(&body), "the download is whole");
    answered(&mut old, "GET_FILE|lớn.png", "ERROR|No such file: lớn.png");
}

#[test]
fn older_versions_cannot_delete_and_a_share_shared_twice_is_one_file() {
    let server = TestServer::start();
    let mut old = server.client_v2("old", PW);
    answered(
        &mut old,
        "DELETE_FILE|#general|a.txt",
        "ERROR|DELETE_FILE needs protocol version 3 (say HELLO|3 first)",
    );
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let text = file_bytes("txt", 300, 4);
    upload(&mut an, "#general", "chung.txt", &text);
    // The same contents under the same name: one file, its first uploader's.
    upload(&mut binh, "#general", "chung.txt", &text);
    an.collect_pending();
    answered(
        &mut binh,
        "DELETE_FILE|#general|chung.txt",
        "ERROR|Only its uploader, the room's owner and moderators, and administrators can delete chung.txt",
    );
    an.send_line("DELETE_FILE|#general|chung.txt");
    until_event(&mut an, "#general|FILE_DELETE|an|chung.txt");
    binh.collect_pending();
    binh.send_line("BEFORE|#general|0|50");
    let page: Vec<String> = binh
        .skip_until("PAGE_END|#general|0")
        .iter()
        .map(|line| event_body(line))
        .collect();
    assert_eq!(
        page,
        [
            "#general|FILE_DELETED|an|chung.txt",
            "#general|FILE_DELETED|bình|chung.txt",
            "#general|FILE_DELETE|an|chung.txt"
        ],
        "both shares of the one file read deleted"
    );
}
