//! Version 1 (seed) and version 2 clients in one room: each gets the events
//! in its own dialect, and the shared lines are identical.

use media_chat_e2e::{TestServer, file_bytes, sha256_hex};

use crate::PW;

#[test]
fn v1_and_v2_clients_share_a_room() {
    let server = TestServer::start();
    let mut anh = server.client_v2("anh", PW);
    let mut binh = server.client_v1("bình", PW);
    anh.expect_line("JOINED|bình");

    let mut chi = server.connect();
    let welcome = chi.login_v2("chi", PW);
    assert_eq!(
        welcome.users(),
        ["anh", "bình", "chi"].map(String::from).into()
    );
    anh.expect_line("JOINED|chi");
    binh.expect_line("NOTIFY|chi joined the chat");

    // TEXT lines are the same in both versions.
    chi.send_line("TEXT|xin chào | hello");
    anh.expect_line("TEXT|chi|xin chào | hello");
    binh.expect_line("TEXT|chi|xin chào | hello");
    binh.send_line("TEXT|from the old client");
    anh.expect_line("TEXT|bình|from the old client");
    chi.expect_line("TEXT|bình|from the old client");

    // DMs across versions.
    anh.send_line("DM|bình|psst");
    binh.expect_line("DM|anh|psst");
    binh.send_line("DM|chi|psst back");
    chi.expect_line("DM|bình|psst back");

    // A v2 share is FILE_SHARED for v2 and NOTIFY for v1.
    let picture = file_bytes("png", 30_000, 11);
    chi.upload_v2("pic.png", &picture);
    let shared = format!(
        "FILE_SHARED|chi|pic.png|{}|{}",
        picture.len(),
        sha256_hex(&picture)
    );
    chi.expect_line(&shared);
    anh.expect_line(&shared);
    binh.expect_line("NOTIFY|chi shared file: pic.png");

    // And a v1 share the same way round.
    let song = file_bytes("mp3", 20_000, 12);
    binh.upload_v1("song.mp3", &song);
    binh.expect_line("NOTIFY|bình shared file: song.mp3");
    let shared = format!(
        "FILE_SHARED|bình|song.mp3|{}|{}",
        song.len(),
        sha256_hex(&song)
    );
    anh.expect_line(&shared);
    chi.expect_line(&shared);

    // Downloads in each dialect (v1: two fields, v2: with the hash).
    assert_eq!(binh.download_v1("pic.png"), picture);
    assert_eq!(anh.download_v2("song.mp3"), song);

    // Leaving: LEFT for v2, NOTIFY for v1.
    chi.quit();
    anh.expect_line("LEFT|chi");
    binh.expect_line("NOTIFY|chi left the chat");
    binh.quit();
    anh.expect_line("LEFT|bình");
    anh.expect_quiet();
}

#[test]
fn a_v1_client_never_receives_v2_only_lines() {
    let server = TestServer::start();
    let mut old = server.client_v1("old", PW);
    let mut new = server.client_v2("new", PW);
    old.expect_line("NOTIFY|new joined the chat");
    new.upload_v2("a.txt", b"abc");
    new.expect_line(&format!("FILE_SHARED|new|a.txt|3|{}", sha256_hex(b"abc")));
    old.expect_line("NOTIFY|new shared file: a.txt");
    old.send_line("GET_FILE|a.txt");
    old.expect_line("FILE_TRANSFER|a.txt|3");
    assert_eq!(old.read_body(3), b"abc");
    old.expect_quiet();
}
