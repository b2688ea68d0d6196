//! Files per conversation (version 3): `UPLOAD`, `DOWNLOAD` and `FILES`
//! reach the files of a conversation its members only; `#general`'s stay
//! what `FILE`, `GET_FILE` and `LIST_FILES` reach; names and numbering are
//! per conversation; nothing of a conversation's files shows outside it.
//!
//! See: issue 11, "Files".

use media_chat_e2e::{RawClient, TestServer, event_body, file_bytes, sha256_hex};

use crate::PW;

/// A logged-in version 3 client, its welcome and what followed read.
fn v3(server: &TestServer, user: &str) -> RawClient {
    let mut client = server.connect();
    client.login_v3(user, PW, None);
    client.collect_pending();
    client
}

/// `UPLOAD|conversation|name|size|sha256`, `FILE_READY`, then the body.
/// Returns the bodies of the events that came before `FILE_READY`.
fn upload(client: &mut RawClient, conversation: &str, name: &str, body: &[u8]) -> Vec<String> {
    client.send_line(&format!(
        "UPLOAD|{conversation}|{name}|{}|{}",
        body.len(),
        sha256_hex(body)
    ));
    let before = client.skip_until(&format!("FILE_READY|{name}"));
    let mut bytes = body.to_vec();
    bytes.push(b'\n');
    client.send_bytes(&bytes);
    before
        .iter()
        .filter(|line| line.starts_with("EVENT|"))
        .map(|line| event_body(line))
        .collect()
}

/// `conversation|FILE|user|name|size|sha256`: a share as `events` has it.
fn shared(conversation: &str, user: &str, name: &str, body: &[u8]) -> String {
    format!(
        "{conversation}|FILE|{user}|{name}|{}|{}",
        body.len(),
        sha256_hex(body)
    )
}

/// `FILES|conversation`: the `FILE_INFO` lines as `name|size|sha256|uploader`,
/// after checking the answer ends with `FILES_END|conversation`.
fn files(client: &mut RawClient, conversation: &str) -> Vec<String> {
    client.send_line(&format!("FILES|{conversation}"));
    let lines = client.skip_until(&format!("FILES_END|{conversation}"));
    lines
        .iter()
        .map(|line| {
            let info = line
                .strip_prefix("FILE_INFO|")
                .unwrap_or_else(|| panic!("expected FILE_INFO, got {line:?}"));
            // Without the time.
            info.rsplit_once('|').unwrap().0.to_owned()
        })
        .collect()
}

fn info(name: &str, body: &[u8], uploader: &str) -> String {
    format!("{name}|{}|{}|{uploader}", body.len(), sha256_hex(body))
}

/// `DOWNLOAD|conversation|name`: the body, checked against its header.
fn download(client: &mut RawClient, conversation: &str, name: &str) -> Vec<u8> {
    client.send_line(&format!("DOWNLOAD|{conversation}|{name}"));
    let header = client.read_line();
    let rest = header
        .strip_prefix(&format!("FILE_TRANSFER|{name}|"))
        .unwrap_or_else(|| panic!("expected FILE_TRANSFER|{name}|…, got {header:?}"));
    let (size, sha) = rest.split_once('|').unwrap();
    let body = client.read_body(size.parse().unwrap());
    assert_eq!(sha256_hex(&body), sha);
    body
}

/// Sends `line` and expects exactly `answer`, the connection in step after.
fn refused(client: &mut RawClient, line: &str, answer: &str) {
    client.send_line(line);
    client.expect_line(answer);
    client.expect_quiet();
}

#[test]
fn a_private_room_s_files_reach_its_members_only() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut dung = v3(&server, "dũng");
    let mut old = server.client_v2("old", PW);
    an.send_line("CREATE|#lop|private|");
    an.send_line("INVITE|#lop|bình");
    an.collect_pending();
    binh.send_line("JOIN|#lop");
    binh.collect_pending();
    an.collect_pending();
    dung.collect_pending();

    let homework = file_bytes("pdf", 300_000, 1);
    upload(&mut an, "#lop", "bài tập.pdf", &homework);
    let share = shared("#lop", "an", "bài tập.pdf", &homework);
    assert_eq!(
        an.pending_events(),
        std::slice::from_ref(&share),
        "its own share confirms it"
    );
    assert_eq!(binh.pending_events(), [share]);
    assert!(dung.pending_events().is_empty());
    assert!(old.collect_pending().is_empty());

    assert_eq!(
        files(&mut binh, "#lop"),
        [info("bài tập.pdf", &homework, "an")]
    );
    assert_eq!(download(&mut binh, "#lop", "bài tập.pdf"), homework);

    // From outside, the room's files answer as a room that does not exist.
    for (line, answer) in [
        ("FILES|#lop", "ERROR|No such room: #lop"),
        ("DOWNLOAD|#lop|bài tập.pdf", "ERROR|No such room: #lop"),
        ("UPLOAD|#lop|x.txt|1|", "ERROR|No such room: #lop"),
        ("FILES|#none", "ERROR|No such room: #none"),
    ] {
        let line = if line.starts_with("UPLOAD") {
            format!("{line}{}", sha256_hex(b"x"))
        } else {
            line.to_owned()
        };
        refused(&mut dung, &line, answer);
    }
    // Nor are they #general's.
    refused(
        &mut dung,
        "GET_FILE|bài tập.pdf",
        "ERROR|No such file: bài tập.pdf",
    );
    dung.send_line("LIST_FILES");
    dung.expect_line("FILES_END");
    old.send_line("GET_FILE|bài tập.pdf");
    old.expect_line("ERROR|No such file: bài tập.pdf");
    old.send_line("LIST_FILES");
    old.expect_line("FILES_END");
    assert!(
        !server.files_dir().join("bài tập.pdf").exists(),
        "not in server_files/"
    );

    // Removed, bình gets nothing more of them.
    an.send_line("REMOVE|#lop|bình");
    an.collect_pending();
    binh.collect_pending();
    refused(
        &mut binh,
        "DOWNLOAD|#lop|bài tập.pdf",
        "ERROR|No such room: #lop",
    );
    refused(&mut binh, "FILES|#lop", "ERROR|No such room: #lop");
}

#[test]
fn names_and_numbering_are_per_conversation() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    let mut cuong = v3(&server, "cường");
    an.send_line("CREATE|#lop|public|");
    an.collect_pending();
    let (one, two, three) = (
        file_bytes("png", 100, 1),
        file_bytes("png", 100, 2),
        file_bytes("png", 100, 3),
    );
    let mut seen = upload(&mut an, "#general", "ảnh.png", &one);
    // The same name in another conversation is that name again there:
    // nothing says #general has one.
    seen.extend(upload(&mut an, "#lop", "ảnh.png", &two));
    seen.extend(upload(&mut an, "#lop", "ảnh.png", &two));
    seen.extend(upload(&mut an, "#lop", "ảnh.png", &three));
    seen.extend(an.pending_events());
    upload(&mut binh, "+an,bình,cường", "ảnh.png", &one);
    upload(&mut binh, "@an", "ảnh.png", &three);
    binh.collect_pending();
    seen.extend(an.pending_events());
    assert_eq!(
        seen,
        [
            shared("#general", "an", "ảnh.png", &one),
            shared("#lop", "an", "ảnh.png", &two),
            shared("#lop", "an", "ảnh.png", &two),
            shared("#lop", "an", "ảnh (1).png", &three),
            shared("+an,bình,cường", "bình", "ảnh.png", &one),
            shared("@bình", "bình", "ảnh.png", &three),
        ]
    );
    assert_eq!(
        cuong.pending_events(),
        [
            shared("#general", "an", "ảnh.png", &one),
            shared("+an,bình,cường", "bình", "ảnh.png", &one),
        ],
        "cường is in #general and the group, not #lop or their direct conversation"
    );
    assert_eq!(files(&mut an, "#general"), [info("ảnh.png", &one, "an")]);
    assert_eq!(
        files(&mut an, "#lop"),
        [
            info("ảnh (1).png", &three, "an"),
            info("ảnh.png", &two, "an")
        ]
    );
    assert_eq!(
        files(&mut cuong, "+cường,an,bình"),
        [info("ảnh.png", &one, "bình")]
    );
    assert_eq!(files(&mut an, "@bình"), [info("ảnh.png", &three, "bình")]);
    // cường's direct conversation with an is another one, without files.
    assert!(files(&mut cuong, "@an").is_empty());
    assert_eq!(download(&mut an, "@bình", "ảnh.png"), three);
    assert_eq!(download(&mut an, "#lop", "ảnh.png"), two);
    assert_eq!(an.download_v2("ảnh.png"), one, "GET_FILE reaches #general");

    // What the store recorded survives a restart.
    let mut server = server;
    server.restart();
    let mut cuong = v3(&server, "cường");
    assert_eq!(
        files(&mut cuong, "+an,bình,cường"),
        [info("ảnh.png", &one, "bình")]
    );
}

#[test]
fn a_transfer_connection_uploads_into_a_conversation() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    an.send_line("TRANSFER_TOKEN");
    let token = loop {
        let line = an.read_line();
        if let Some(token) = line.strip_prefix("TRANSFER_TOKEN|") {
            break token.to_owned();
        }
    };
    let mut transfer = server.connect();
    transfer.hello(3, 3);
    transfer.send_line(&format!("TRANSFER|{token}"));
    transfer.expect_line("TRANSFER_OK|an");
    let body = file_bytes("mp3", 70_000, 2);
    upload(&mut transfer, "@bình", "ghi âm.mp3", &body);
    let line = transfer.read_line();
    assert_eq!(
        event_body(&line),
        shared("@bình", "an", "ghi âm.mp3", &body)
    );
    assert_eq!(
        binh.pending_events(),
        [shared("@an", "an", "ghi âm.mp3", &body)]
    );
    assert_eq!(download(&mut transfer, "@bình", "ghi âm.mp3"), body);
    assert_eq!(files(&mut transfer, "@bình").len(), 1);
}

#[test]
fn older_clients_cannot_name_a_conversation() {
    let server = TestServer::start();
    let mut old = server.client_v2("old", PW);
    for verb in ["FILES|#general", "DOWNLOAD|#general|a.png"] {
        old.send_line(verb);
        let name = verb.split('|').next().unwrap();
        old.expect_line(&format!(
            "ERROR|{name} needs protocol version 3 (say HELLO|3 first)"
        ));
    }
    old.send_line(&format!("UPLOAD|#general|a.txt|1|{}", sha256_hex(b"a")));
    old.expect_line("ERROR|UPLOAD needs protocol version 3 (say HELLO|3 first)");
    old.expect_quiet();
}

#[test]
fn a_backup_holds_every_conversation_s_files() {
    let server = TestServer::start();
    let mut an = v3(&server, "an");
    an.send_line("CREATE|#lop|private|");
    an.collect_pending();
    let (general, room) = (file_bytes("png", 5_000, 3), file_bytes("png", 6_000, 4));
    upload(&mut an, "#general", "chung.png", &general);
    upload(&mut an, "#lop", "riêng.png", &room);
    an.collect_pending();
    let copy = tempfile::tempdir().expect("a temp dir");
    let dest = copy.path().join("backup");
    let report = media_chat_server::backup(server.data_dir(), &dest).expect("a backup");
    assert_eq!(report.files, 2);
    assert_eq!(report.file_bytes, 11_000);
    let restored = TestServer::start_from(&dest, |_| {});
    let mut an = v3(&restored, "an");
    assert_eq!(files(&mut an, "#lop"), [info("riêng.png", &room, "an")]);
    assert_eq!(download(&mut an, "#lop", "riêng.png"), room);
    assert_eq!(an.download_v2("chung.png"), general);
}
