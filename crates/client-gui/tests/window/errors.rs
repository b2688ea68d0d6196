//! Errors in plain words, in one language at a time: no `(os error 2)`,
//! sizes in KiB and MiB.
//! See: issue 14, "Errors in plain words".

use egui_kittest::kittest::Queryable;
use media_chat_gui::i18n::Language;

use crate::support::*;

#[test]
fn a_file_that_is_not_there_is_said_in_plain_words() {
    let world = World::new();
    let mut harness = world.logged_in("minh");
    let missing = world.path("không có/bài.txt");
    say(&mut harness, &format!("/send {}", missing.display()));
    step_until_label(
        &mut harness,
        "[!] Cannot send bài.txt: the file or folder does not exist",
    );
    assert!(harness.query_by_label_contains("os error").is_none());
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn a_server_that_does_not_answer_is_said_in_the_systems_language_only() {
    let world = World::new();
    let port = closed_port();
    let mut harness = world.harness();
    log_in(&mut harness, port, "minh", PASSWORD);
    step_until_label(
        &mut harness,
        "Cannot reach the server: nothing answers at that address and port",
    );
    assert!(harness.query_by_label_contains("os error").is_none());

    let mut harness = world.harness();
    harness.state_mut().set_language(Language::Vietnamese);
    log_in_as(&mut harness, port, "minh", PASSWORD, "Đăng nhập");
    step_until_label(
        &mut harness,
        "Không kết nối được máy chủ: không có gì trả lời ở địa chỉ và cổng đó",
    );
    assert!(harness.query_by_label_contains("Cannot reach").is_none());
    assert!(harness.query_by_label_contains("os error").is_none());
}
