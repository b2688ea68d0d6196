//! Uploads checked by their contents: a file whose bytes are not what its
//! extension says is refused for every version, after its body, with the
//! stream kept in step and nothing stored or announced.

use media_chat_e2e::{RawClient, TestServer, dir_entries, file_bytes, file_header, sha256_hex};

use crate::{PW, room_v1};

/// An ELF executable's first bytes, and a line a parser would act on.
fn executable() -> Vec<u8> {
    b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0TEXT|leaked\n".to_vec()
}

#[test]
fn a_renamed_executable_is_refused_and_a_v1_client_stays_in_step() {
    let server = TestServer::start();
    let [mut a, mut b] = room_v1(&server, ["a", "b"]);
    a.upload_v1("photo.png", &executable());
    a.expect_line("ERROR|File content does not match .png");
    a.send_line("TEXT|still here");
    b.expect_line("TEXT|a|still here");
    b.expect_quiet();
    assert!(dir_entries(&server.files_dir()).is_empty());
    assert!(dir_entries(&server.incoming_dir()).is_empty());
    // The same name with a real picture is accepted.
    let picture = file_bytes("png", 2000, 1);
    a.upload_v1("photo.png", &picture);
    a.expect_line("NOTIFY|a shared file: photo.png");
    b.expect_line("NOTIFY|a shared file: photo.png");
    assert_eq!(b.download_v1("photo.png"), picture);
}

#[test]
fn a_binary_txt_is_refused_for_version_2_and_version_3() {
    let server = TestServer::start();
    let mut old = server.client_v2("old", PW);
    let binary = [b"notes\0".as_slice(), &[0xFF, 0xFE, 0x00, 0x01]].concat();
    old.upload_v2("notes.txt", &binary);
    old.expect_line("ERROR|File content does not match .txt");
    old.expect_quiet();

    let mut new = server.connect();
    new.login_v3("new", PW, None);
    new.collect_pending();
    let utf16 = "chào"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect::<Vec<u8>>();
    new.send_line(&format!(
        "UPLOAD|#general|chào.txt|{}|{}",
        utf16.len(),
        sha256_hex(&utf16)
    ));
    new.skip_until("FILE_READY|chào.txt");
    new.send_bytes(&[utf16.as_slice(), b"\n"].concat());
    new.expect_line("ERROR|File content does not match .txt");
    new.send_line("FILES|#general");
    new.expect_line("FILES_END|#general");
    old.expect_line("JOINED|new");
    old.expect_quiet();
    assert!(dir_entries(&server.files_dir()).is_empty());
}

#[test]
fn text_in_any_language_with_a_bom_is_accepted() {
    let server = TestServer::start();
    let mut a = server.client_v2("a", PW);
    let text = "\u{feff}Bài tập tuần 3\r\n\tĐọc chương 5 🎉\n"
        .as_bytes()
        .to_vec();
    a.upload_v2("bài tập.txt", &text);
    a.expect_line(&format!(
        "FILE_SHARED|a|bài tập.txt|{}|{}",
        text.len(),
        sha256_hex(&text)
    ));
    assert_eq!(a.download_v2("bài tập.txt"), text);
}

#[test]
fn a_type_the_administrator_turned_on_is_checked_too() {
    let server = TestServer::start_with(|config| {
        config.allowed_extensions = vec!["webp".into(), "ogg".into()];
    });
    let mut a: RawClient = server.client_v2("a", PW);
    let png = file_bytes("png", 500, 1);
    a.upload_v2("sticker.webp", &png);
    a.expect_line("ERROR|File content does not match .webp");
    let webp = file_bytes("webp", 500, 2);
    a.upload_v2("sticker.webp", &webp);
    a.expect_line(&format!(
        "FILE_SHARED|a|sticker.webp|500|{}",
        sha256_hex(&webp)
    ));
    let header = file_header("voice.ogg", &webp);
    a.send_line(&header);
    a.expect_line("FILE_READY|voice.ogg");
    a.send_bytes(&[webp.as_slice(), b"\n"].concat());
    a.expect_line("ERROR|File content does not match .ogg");
    a.expect_quiet();
}
