//! The window speaks one language at a time: in Vietnamese the login
//! screen and the sidebar say everything in Vietnamese.
//! See: issue 14, "one language at a time (English by default, Vietnamese
//! when the system language is Vietnamese)".

mod support;

use egui_kittest::kittest::Queryable;
use media_chat_gui::i18n::Language;
use support::*;

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
