//! The window speaks one language at a time: in Vietnamese the login
//! screen and the sidebar say everything in Vietnamese.
//! See: issue 14, "one language at a time (English by default, Vietnamese
//! when the system language is Vietnamese)".

use egui_kittest::kittest::Queryable;
use media_chat_gui::i18n::Language;

use crate::support::*;

#[test]
fn in_vietnamese_the_login_screen_and_the_sidebar_speak_vietnamese() {
    let world = World::new();
    let mut harness = world.harness();
    harness.state_mut().set_language(Language::Vietnamese);
    harness.run_steps(2);
    for label in [
        "Máy chủ",
        "Cổng",
        "Tên người dùng",
        "Mật khẩu",
        "Mã hoá (TLS)",
        "Đăng nhập",
        "Chưa có máy chủ?",
        "Mở phòng trò chuyện trên máy này",
    ] {
        assert!(harness.query_by_label(label).is_some(), "{label}");
    }
    for english in ["User name", "Password", "Log in", "No server yet?"] {
        assert!(harness.query_by_label(english).is_none(), "{english}");
    }
    log_in_as(&mut harness, world.port(), "minh", PASSWORD, "Đăng nhập");
    step_until(&mut harness, "the chat window", |h| {
        h.state().state().is_some()
    });
    for label in [
        "🔍 Chuyển…  Ctrl+K",
        "Phòng",
        "Phòng mới…",
        "Xem các phòng…",
        "Tin nhắn riêng",
        "Bấm vào một tên bên phải, hoặc viết @tên nội dung.",
        "Gửi",
        "Gửi tệp",
    ] {
        assert!(harness.query_by_label(label).is_some(), "{label}");
    }
    for english in ["Rooms", "Direct messages", "New room…", "Send"] {
        assert!(harness.query_by_label(english).is_none(), "{english}");
    }
}

/// See: issue 12: the hover bar, reply mode and the search panel in
/// Vietnamese.
#[test]
fn in_vietnamese_the_hover_bar_reply_mode_and_search_speak_vietnamese() {
    let world = World::new();
    let mut bob = raw(&world, "bob");
    post(&mut bob, "#general", &["chào cả nhà".to_owned()]);
    let mut harness = world.harness();
    harness.state_mut().set_language(Language::Vietnamese);
    log_in_as(&mut harness, world.port(), "minh", PASSWORD, "Đăng nhập");
    step_until_label(&mut harness, "bob: chào cả nhà");
    harness.get_by_label("bob: chào cả nhà").hover();
    step_until_label(&mut harness, "Bày tỏ cảm xúc");
    harness.get_by_label("Trả lời").click();
    step_until_label(&mut harness, "Đang trả lời bob: chào cả nhà");
    assert!(harness.query_by_label("Thôi trả lời").is_some());
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    step_until_label(&mut harness, "Tìm kiếm");
    assert!(harness.query_by_label("Tìm tin nhắn").is_some());
    assert!(harness.query_by_label("Search").is_none());
}

/// See: issue 14, "one language at a time": the lines the client engine
/// writes (someone online, a share, a PDF card's pages, a download, a
/// conversation's unread count) are Vietnamese in a Vietnamese window too,
/// with the seed's tags.
#[test]
fn in_vietnamese_the_engines_lines_speak_vietnamese() {
    let world = World::new();
    let bob = world.library_client("bob");
    let mut harness = world.harness();
    harness.state_mut().set_language(Language::Vietnamese);
    log_in_as(&mut harness, world.port(), "minh", PASSWORD, "Đăng nhập");
    step_until(&mut harness, "the chat window", |h| {
        h.state().state().is_some()
    });
    let _an = raw(&world, "an");
    step_until_label(&mut harness, "[i] an đã vào");
    let path = world.path("đề thi.pdf");
    std::fs::write(&path, media_chat_e2e::media::pdf(3, "Đề thi")).unwrap();
    bob.send_file_to(media_chat_client::Conversation::general(), &path)
        .unwrap();
    step_until_label(&mut harness, "[i] bob đã chia sẻ đề thi.pdf (624 B)");
    step_until_label(&mut harness, "📄 PDF, 3 trang, “Đề thi”");
    harness.get_by_label("Mở").click();
    step_until_label_contains(&mut harness, "[+] đã tải về ");
    for english in ["[i] an joined", "downloaded", "3 pages"] {
        assert!(
            harness.query_by_label_contains(english).is_none(),
            "{english}"
        );
    }
}
