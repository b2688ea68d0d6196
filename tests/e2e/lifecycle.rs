//! Restarting on the same data dir keeps accounts, files and history;
//! stopping tells every client before closing; leftovers of a crash are
//! cleaned at start.

use std::fs;
use std::io::ErrorKind;

use media_chat_e2e::{TestServer, dir_entries, file_bytes, sha256_hex};
use media_chat_protocol::ReadError;

use crate::PW;

#[test]
fn a_restart_keeps_accounts_files_and_history() {
    let mut server = TestServer::start();
    let mut an = server.client_v1("an", "an's password");
    let mut binh = server.client_v2("bình", "bình's password");
    an.expect_line("NOTIFY|bình joined the chat");
    an.send_line("TEXT|before the restart");
    binh.expect_line("TEXT|an|before the restart");
    an.send_line("DM|bình|private note");
    binh.expect_line("DM|an|private note");
    let body = file_bytes("pdf", 10_000, 21);
    binh.upload_v2("keep.pdf", &body);
    let shared = format!("bình|keep.pdf|{}|{}", body.len(), sha256_hex(&body));
    binh.expect_line(&format!("FILE_SHARED|{shared}"));
    an.expect_line("NOTIFY|bình shared file: keep.pdf");

    server.restart();
    for old in [&mut an, &mut binh] {
        old.expect_line("NOTIFY|Server is shutting down");
        old.expect_eof();
    }

    let mut binh = server.connect();
    let welcome = binh.login_v2("BÌNH", "bình's password");
    assert_eq!(welcome.user(), "bình");
    assert_eq!(
        welcome.history(),
        [
            "TEXT|an|before the restart".to_owned(),
            "DM|an|bình|private note".to_owned(),
            format!("FILE_SHARED|{shared}"),
        ]
    );
    assert_eq!(binh.download_v2("keep.pdf"), body);
    binh.send_line("LIST_FILES");
    let info = binh.read_line();
    assert!(
        info.starts_with(&format!(
            "FILE_INFO|keep.pdf|{}|{}|bình|",
            body.len(),
            sha256_hex(&body)
        )),
        "{info:?}"
    );
    binh.expect_line("FILES_END");

    let mut an = server.connect();
    an.send_line("LOGIN|an|not the password");
    an.expect_line("ERROR|Wrong password");
    an.send_line("LOGIN|an|an's password");
    an.expect_line("LOGIN_OK|an");
}

#[test]
fn a_graceful_stop_notifies_every_client_then_closes() {
    let mut server = TestServer::start();
    let mut v2 = server.client_v2("new", PW);
    let mut v1 = server.client_v1("old", PW);
    v2.expect_line("JOINED|old");
    let mut idle = server.connect();
    idle.hello(2, 2);

    server.stop();
    for client in [&mut v1, &mut v2] {
        client.expect_line("NOTIFY|Server is shutting down");
        client.expect_eof();
    }
    // A connection still logging in is closed too (told or not).
    let mut lines = Vec::new();
    loop {
        match idle.try_read_line() {
            Ok(Some(line)) => lines.push(line),
            Ok(None) => break,
            Err(ReadError::Io(e)) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the connection still logging in was not closed: {e}"),
        }
    }
    assert!(
        lines.iter().all(|l| l == "NOTIFY|Server is shutting down"),
        "{lines:?}"
    );
}

#[test]
fn leftover_upload_files_are_removed_at_start() {
    let server = TestServer::start_seeded(
        &[
            (".incoming/crashed-upload.tmp", b"half a file"),
            ("server_files/kept.txt", b"a stored file"),
        ],
        |_| {},
    );
    assert!(
        dir_entries(&server.incoming_dir()).is_empty(),
        "{:?}",
        dir_entries(&server.incoming_dir())
    );
    assert_eq!(
        fs::read(server.files_dir().join("kept.txt")).expect("kept.txt"),
        b"a stored file"
    );
    let mut client = server.client_v1("a", PW);
    assert_eq!(client.download_v1("kept.txt"), b"a stored file");
}

// See: issue 9, "Crash leftovers and storage".
#[test]
fn stale_temporary_copies_of_the_password_file_are_removed_at_start() {
    // ton's seed line: the SHA-256 of "1234".
    let creds: &[u8] = b"ton|03ac674216f3e15c761ee1a5e255f067953623c8b388b4459e13f978d7c846f4\n";
    let server = TestServer::start_seeded(
        &[
            ("creds.txt", creds),
            // What a crash in the middle of a creds.txt rewrite leaves.
            (".tmp-abc", creds),
            (".tmp-Xy12Zq", b"ton|half a line"),
            // Not ours: kept.
            (".tmp", b"kept"),
            ("tmp-abc", b"kept"),
            ("notes.tmp-1", b"kept"),
            (".tmp-dir/inside.txt", b"kept"),
            ("server_files/.tmp-upload.txt", b"a stored file"),
        ],
        |_| {},
    );
    let entries = dir_entries(server.data_dir());
    assert!(
        !entries.contains(".tmp-abc") && !entries.contains(".tmp-Xy12Zq"),
        "{entries:?}"
    );
    for kept in [".tmp", "tmp-abc", "notes.tmp-1", ".tmp-dir", "creds.txt"] {
        assert!(entries.contains(kept), "{kept} was removed: {entries:?}");
    }
    assert_eq!(
        fs::read(server.data_dir().join(".tmp-dir/inside.txt")).expect("inside.txt"),
        b"kept"
    );
    assert_eq!(
        fs::read(server.files_dir().join(".tmp-upload.txt")).expect(".tmp-upload.txt"),
        b"a stored file"
    );
    assert!(
        server.creds().starts_with("ton|sha256+$argon2id$"),
        "{:?}",
        server.creds()
    );
    let mut client = server.connect();
    client.send_line("LOGIN|ton|1234");
    client.expect_line("LOGIN_OK|ton");
}

// See: issue 9, "Crash leftovers and storage".
#[test]
fn a_torn_last_log_line_does_not_swallow_the_next_event() {
    // The second line was cut short by a crash: no newline, half a message.
    let log = "2025-11-25T12:00:00Z|TEXT|an|xin chào | mọi người\n\
               2025-11-25T12:00:01Z|TEXT|an|this message was cu";
    let mut server = TestServer::start_seeded(&[("message_history.txt", log.as_bytes())], |_| {});
    let mut an = server.client_v1("an", PW);
    let mut binh = server.client_v2("bình", PW);
    an.expect_line("NOTIFY|bình joined the chat");
    binh.send_line("TEXT|sau khi khởi động lại");
    an.expect_line("TEXT|bình|sau khi khởi động lại");

    server.restart();
    let mut binh = server.connect();
    let welcome = binh.login_v2("bình", PW);
    assert_eq!(
        welcome.history(),
        [
            "TEXT|an|xin chào | mọi người",
            "TEXT|bình|sau khi khởi động lại"
        ]
    );
    let on_disk = fs::read_to_string(server.data_dir().join("message_history.txt"))
        .expect("message_history.txt");
    assert!(on_disk.ends_with('\n'), "{on_disk:?}");
    assert!(
        !on_disk.contains("was cu"),
        "the torn line is dropped: {on_disk:?}"
    );
}
