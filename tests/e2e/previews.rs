//! Previews (version 3): a share is followed by `PREVIEW|…|pending`, then
//! by the preview when the server has made it (a picture's size, a text's
//! lines, a PDF's pages and title, a sound's length); `PREVIEW` fetches it
//! with its thumbnail or first lines, without the file; a hostile file gets
//! none and the server goes on; older clients see nothing new; a
//! conversation one is not in has no previews to fetch.
//!
//! See: issue 13, "Previews".

use std::time::Duration;

use image::{GenericImageView, ImageFormat};
use media_chat_e2e::media::{bomb_png, mp3, mp3_millis, pdf, picture, wav};
use media_chat_e2e::{RawClient, TestServer, dir_entries, sha256_hex};

use crate::PW;

/// Long enough for any preview of these small files on a busy machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// Every type the server previews.
const ALL_TYPES: &str = "jpg,png,gif,webp,mp3,wav,ogg,m4a,txt,md,pdf";

fn server() -> TestServer {
    TestServer::start_with(|config| {
        config.allowed_extensions = ALL_TYPES.split(',').map(str::to_owned).collect();
    })
}

/// A logged-in version 3 client that asked to be told of previews, its
/// welcome read.
fn v3(server: &TestServer, user: &str) -> RawClient {
    let mut client = server.connect();
    client.login_v3(user, PW, None);
    client.collect_pending();
    client.send_line("PREVIEWS|1");
    client.expect_line("PREVIEWS|1");
    client.set_timeout(PATIENCE);
    client
}

/// Uploads `body` as `name` into `conversation` and reads up to the share
/// and the `pending` line after it.
fn share(client: &mut RawClient, conversation: &str, name: &str, body: &[u8]) {
    let sha = sha256_hex(body);
    client.send_line(&format!(
        "UPLOAD|{conversation}|{name}|{}|{sha}",
        body.len()
    ));
    client.expect_line(&format!("FILE_READY|{name}"));
    let mut bytes = body.to_vec();
    bytes.push(b'\n');
    client.send_bytes(&bytes);
    let event = client.read_line();
    assert!(
        event.ends_with(&format!(
            "|{conversation}|FILE|an|{name}|{}|{sha}",
            body.len()
        )),
        "the share comes first: {event:?}"
    );
    client.expect_line(&format!("PREVIEW|{conversation}|{name}|{sha}|pending"));
}

/// Reads up to the `PREVIEW` line that says the preview of `name` is
/// done (past its `pending`); returns its `kind|…`.
fn ready(client: &mut RawClient, conversation: &str, name: &str, body: &[u8]) -> String {
    let head = format!("PREVIEW|{conversation}|{name}|{}|", sha256_hex(body));
    loop {
        let line = client.read_line();
        if let Some(kind) = line.strip_prefix(&head)
            && kind != "pending"
        {
            return kind.to_owned();
        }
    }
}

/// `PREVIEW|conversation|name`: the `kind|…` and the bytes.
fn fetch(client: &mut RawClient, conversation: &str, name: &str, body: &[u8]) -> (String, Vec<u8>) {
    client.send_line(&format!("PREVIEW|{conversation}|{name}"));
    let line = client.read_line();
    let kind = line
        .strip_prefix(&format!(
            "PREVIEW|{conversation}|{name}|{}|",
            sha256_hex(body)
        ))
        .unwrap_or_else(|| panic!("expected the preview of {name}, got {line:?}"))
        .to_owned();
    let data = client.read_line();
    let size = data
        .strip_prefix(&format!("PREVIEW_DATA|{conversation}|{name}|"))
        .and_then(|size| size.parse().ok())
        .unwrap_or_else(|| panic!("expected PREVIEW_DATA, got {data:?}"));
    (kind, client.read_body(size))
}

/// The thumbnail decodes, as a PNG whose longer side is `longer`.
fn assert_thumbnail(data: &[u8], longer: u32) {
    let thumbnail = image::load_from_memory_with_format(data, ImageFormat::Png)
        .expect("the thumbnail is a PNG");
    let (width, height) = thumbnail.dimensions();
    assert_eq!(width.max(height), longer, "{width}×{height}");
}

#[test]
fn every_picture_type_gets_its_size_and_a_small_thumbnail() {
    let server = server();
    let mut an = v3(&server, "an");
    let cases = [
        (
            "lớp học.png",
            picture(ImageFormat::Png, 1000, 600),
            "1000|600",
            320,
        ),
        (
            "ảnh.jpg",
            picture(ImageFormat::Jpeg, 480, 640),
            "480|640",
            320,
        ),
        (
            "động.gif",
            picture(ImageFormat::Gif, 200, 100),
            "200|100",
            200,
        ),
        (
            "mới.webp",
            picture(ImageFormat::WebP, 321, 90),
            "321|90",
            320,
        ),
    ];
    for (name, body, size, longer) in &cases {
        share(&mut an, "#general", name, body);
        assert_eq!(
            ready(&mut an, "#general", name, body),
            format!("image|{size}")
        );
        let (kind, data) = fetch(&mut an, "#general", name, body);
        assert_eq!(kind, format!("image|{size}"));
        assert_thumbnail(&data, *longer);
    }
}

#[test]
fn texts_pdfs_and_sounds_get_their_details() {
    let server = server();
    let mut an = v3(&server, "an");
    let mut binh = v3(&server, "bình");
    an.collect_pending();
    let lines: String = (1..=25).map(|i| format!("dòng {i}\n")).collect();
    let notes = lines.clone().into_bytes();
    share(&mut an, "#general", "ghi chú.md", &notes);
    assert_eq!(ready(&mut an, "#general", "ghi chú.md", &notes), "text|25");
    assert_eq!(
        ready(&mut binh, "#general", "ghi chú.md", &notes),
        "text|25",
        "every member hears it"
    );
    let (_, first) = fetch(&mut binh, "#general", "ghi chú.md", &notes);
    let first_ten: Vec<String> = (1..=10).map(|i| format!("dòng {i}")).collect();
    assert_eq!(String::from_utf8(first).unwrap(), first_ten.join("\n"));

    let exam = pdf(3, "De thi cuoi ky");
    share(&mut an, "#general", "đề.pdf", &exam);
    assert_eq!(
        ready(&mut an, "#general", "đề.pdf", &exam),
        "pdf|3|De thi cuoi ky"
    );
    let (kind, data) = fetch(&mut an, "#general", "đề.pdf", &exam);
    assert_eq!((kind.as_str(), data.len()), ("pdf|3|De thi cuoi ky", 0));

    let sound = wav(1500);
    share(&mut an, "#general", "tiếng.wav", &sound);
    assert_eq!(
        ready(&mut an, "#general", "tiếng.wav", &sound),
        "audio|1500"
    );

    let song = mp3(100);
    share(&mut an, "#general", "bài hát.mp3", &song);
    let kind = ready(&mut an, "#general", "bài hát.mp3", &song);
    let millis: u64 = kind
        .strip_prefix("audio|")
        .and_then(|ms| ms.parse().ok())
        .unwrap_or_else(|| panic!("not a sound's preview: {kind:?}"));
    assert!(
        millis.abs_diff(mp3_millis(100)) <= 30,
        "{millis} ms, not about {} ms",
        mp3_millis(100)
    );
}

#[test]
fn a_decompression_bomb_gets_no_preview_and_the_server_goes_on() {
    let server = server();
    let mut an = v3(&server, "an");
    let bomb = bomb_png(100_000, 100_000);
    share(&mut an, "#general", "bom.png", &bomb);
    assert_eq!(ready(&mut an, "#general", "bom.png", &bomb), "none");
    an.send_line("PREVIEW|#general|bom.png");
    an.expect_line("ERROR|No preview for bom.png");
    // A damaged picture and a PDF that is only a signature fare the same.
    for (name, body) in [
        ("hỏng.png", b"\x89PNG\r\n\x1a\nnot a picture".to_vec()),
        ("hỏng.pdf", b"%PDF-1.4 nothing else".to_vec()),
    ] {
        share(&mut an, "#general", name, &body);
        assert_eq!(ready(&mut an, "#general", name, &body), "none");
    }
    let fine = picture(ImageFormat::Png, 640, 640);
    share(&mut an, "#general", "ổn.png", &fine);
    assert_eq!(ready(&mut an, "#general", "ổn.png", &fine), "image|640|640");
    an.send_line("DOWNLOAD|#general|bom.png");
    an.expect_line(&format!(
        "FILE_TRANSFER|bom.png|{}|{}",
        bomb.len(),
        sha256_hex(&bomb)
    ));
    assert_eq!(
        an.read_body(bomb.len() as u64),
        bomb,
        "the file itself is still served"
    );
}

#[test]
fn previews_are_never_files() {
    let server = server();
    let mut an = v3(&server, "an");
    let body = picture(ImageFormat::Png, 400, 400);
    share(&mut an, "#general", "a.png", &body);
    ready(&mut an, "#general", "a.png", &body);
    an.send_line("FILES|#general");
    let listed = an.skip_until("FILES_END|#general");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        dir_entries(&server.files_dir()),
        ["a.png".to_owned()].into()
    );
    let record = format!("{}.data", sha256_hex(&body));
    assert!(dir_entries(&server.data_dir().join("previews/general")).contains(&record));
    for name in [format!("../previews/general/{record}"), record] {
        an.send_line(&format!("DOWNLOAD|#general|{name}"));
        let answer = an.read_line();
        assert!(answer.starts_with("ERROR|"), "{answer:?}");
    }
}

#[test]
fn older_clients_and_sessions_that_did_not_ask_see_nothing_new() {
    let server = server();
    let mut seed = server.client_v1("cũ", PW);
    let mut old = server.client_v2("vừa", PW);
    old.collect_pending();
    let mut plain = server.connect();
    plain.login_v3("thường", PW, None);
    old.collect_pending();
    let mut an = v3(&server, "an");
    old.collect_pending();
    plain.collect_pending();
    let body = picture(ImageFormat::Png, 500, 500);
    share(&mut an, "#general", "ảnh.png", &body);
    ready(&mut an, "#general", "ảnh.png", &body);
    old.expect_line(&format!(
        "FILE_SHARED|an|ảnh.png|{}|{}",
        body.len(),
        sha256_hex(&body)
    ));
    old.expect_quiet();
    let share = plain.read_line();
    assert!(share.contains("|#general|FILE|an|ảnh.png|"), "{share:?}");
    plain.expect_quiet();
    seed.expect_lines(&[
        "NOTIFY|vừa joined the chat",
        "NOTIFY|thường joined the chat",
        "NOTIFY|an joined the chat",
        "NOTIFY|an shared file: ảnh.png",
    ]);
    seed.send_line("GET_FILE|nothing.png");
    seed.expect_line("ERROR|No such file: nothing.png");
    old.send_line("PREVIEW|#general|ảnh.png");
    old.expect_line("ERROR|PREVIEW needs protocol version 3 (say HELLO|3 first)");
}

#[test]
fn a_private_room_s_previews_do_not_exist_for_outsiders() {
    let server = server();
    let mut an = v3(&server, "an");
    let mut dung = v3(&server, "dũng");
    an.send_line("CREATE|#kín|private|");
    an.collect_pending();
    let body = picture(ImageFormat::Png, 330, 20);
    share(&mut an, "#kín", "bí mật.png", &body);
    assert_eq!(ready(&mut an, "#kín", "bí mật.png", &body), "image|330|20");
    let (_, data) = fetch(&mut an, "#kín", "bí mật.png", &body);
    assert_thumbnail(&data, 320);

    dung.send_line("PREVIEW|#kín|bí mật.png");
    dung.expect_line("ERROR|No such room: #kín");
    dung.send_line("PREVIEW|#kín|không có.png");
    dung.expect_line("ERROR|No such room: #kín");
    dung.expect_quiet();
    an.send_line("PREVIEW|#kín|không có.png");
    an.expect_line("ERROR|No preview for không có.png");
}

#[test]
fn a_file_from_before_previews_gets_one_on_first_request() {
    let body = picture(ImageFormat::Jpeg, 900, 300);
    let server = TestServer::start_seeded(&[("server_files/cũ.jpg", &body)], |_| {});
    let mut an = v3(&server, "an");
    an.send_line("PREVIEW|#general|cũ.jpg");
    an.expect_line(&format!(
        "PREVIEW|#general|cũ.jpg|{}|pending",
        sha256_hex(&body)
    ));
    assert_eq!(ready(&mut an, "#general", "cũ.jpg", &body), "image|900|300");
    let (kind, data) = fetch(&mut an, "#general", "cũ.jpg", &body);
    assert_eq!(kind, "image|900|300");
    assert_thumbnail(&data, 320);
}
