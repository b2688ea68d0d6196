//! Issue 13's preview cards in the desktop client: as soon as a file is
//! shared, before anything is downloaded, a picture shows its thumbnail
//! and size, a sound its length with **Play**, a PDF its pages and title,
//! a text its first lines; a card's button downloads, verifies and opens
//! the file. Driven through egui_kittest against a real server on
//! 127.0.0.1:0 that makes the previews.
//! See: issue 13, "Previews".

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use image::ImageFormat;
use media_chat_client::Conversation;
use media_chat_e2e::media;

use crate::support::*;

#[test]
fn shared_files_show_their_preview_cards_and_play_downloads_the_sound() {
    let world = World::new();
    let bob = world.library_client("bob");
    let mut harness = world.logged_in("minh");
    let files = [
        ("lớp học.png", media::picture(ImageFormat::Png, 640, 480)),
        ("bài hát.wav", media::wav(3_000)),
        ("đề thi.pdf", media::pdf(3, "Đề thi học kỳ")),
        (
            "ghi chú.txt",
            "dòng một\ndòng hai\ndòng ba\n".as_bytes().to_vec(),
        ),
    ];
    for (name, bytes) in &files {
        let path = world.path(name);
        std::fs::write(&path, bytes).unwrap();
        bob.send_file_to(Conversation::general(), &path).unwrap();
    }
    step_until_label(&mut harness, "Preview of lớp học.png");
    step_until_label(&mut harness, "640×480");
    step_until_label(&mut harness, "🔊 0:03");
    step_until_label(&mut harness, "📄 PDF, 3 pages, “Đề thi học kỳ”");
    step_until_label(&mut harness, "3 lines");
    step_until_label_contains(&mut harness, "dòng một");
    assert!(
        std::fs::read_dir(world.cache()).map_or(true, |d| d
            .filter_map(Result::ok)
            .all(|e| e.file_name().to_string_lossy().starts_with('.'))),
        "nothing downloaded yet but previews"
    );
    harness
        .get_by_role_and_label(Role::Button, "▶ Play")
        .click();
    step_until_label_contains(&mut harness, "[+] downloaded ");
    assert!(world.cache().join("bài hát.wav").exists());
}
