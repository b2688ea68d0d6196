//! Issue 12's text in the desktop client: bold, italics and code render
//! (their markers gone, the accessible text still the seed's line), links
//! are clickable, and **Copy link to message** makes a link that, clicked
//! in a message, opens that conversation at that message. Driven through
//! egui_kittest against a real server on 127.0.0.1:0.
//! See: issue 12, "Text".

use egui::accesskit::Role;
use egui::{OutputCommand, Stroke};
use egui_kittest::kittest::Queryable;
use media_chat_client::Conversation;

use crate::support::*;

#[test]
fn bold_italics_and_code_render_and_a_link_opens_in_the_browser() {
    let world = World::new();
    let mut bob = raw(&world, "bob");
    post(
        &mut bob,
        "#general",
        &[
            "**quan trọng**: chạy `cargo test` *trước*".to_owned(),
            "https://vi.wikipedia.org/wiki/Phở".to_owned(),
        ],
    );
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "bob: https://vi.wikipedia.org/wiki/Phở");
    assert!(
        harness
            .query_by_label("bob: **quan trọng**: chạy `cargo test` *trước*")
            .is_some(),
        "screen readers get the line as written"
    );
    let formats = formats_of(&harness, "quan trọng: chạy cargo test trước");
    assert_eq!(formats.len(), 5, "{formats:#?}");
    let visuals = harness.ctx.global_style().visuals.clone();
    assert_eq!(formats[0].color, visuals.strong_text_color(), "bold");
    assert_eq!(
        formats[2].font_id.family,
        egui::FontFamily::Monospace,
        "code"
    );
    assert_eq!(formats[2].background, visuals.code_bg_color);
    assert!(formats[4].italics, "italic");
    let link = formats_of(&harness, "https://vi.wikipedia.org/wiki/Phở");
    assert_eq!(link[0].underline, Stroke::new(1.0, visuals.hyperlink_color));

    harness
        .get_by_label("bob: https://vi.wikipedia.org/wiki/Phở")
        .click();
    step_until(&mut harness, "the browser asked", |h| {
        h.output().platform_output.commands.iter().any(|c| {
            matches!(c, OutputCommand::OpenUrl(open) if open.url == "https://vi.wikipedia.org/wiki/Phở")
        })
    });
}

#[test]
fn a_copied_link_to_a_message_opens_its_conversation_at_it() {
    let world = World::new();
    let mut bob = raw(&world, "bob");
    post(&mut bob, "#general", &["đề bài ở đây".to_owned()]);
    let mut minh = raw(&world, "minh");
    line_until(&mut minh, "CREATE|#lớp_10|public|", "EVENT|");
    line_until(&mut bob, "JOIN|#lớp_10", "EVENT|");
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "bob: đề bài ở đây");
    harness.get_by_label("bob: đề bài ở đây").click_secondary();
    step_until_label(&mut harness, "Copy link to message");
    harness.get_by_label("Copy link to message").click();
    let mut copied = None;
    step_until(&mut harness, "the link copied", |h| {
        copied = h
            .output()
            .platform_output
            .commands
            .iter()
            .find_map(|c| match c {
                OutputCommand::CopyText(text) => Some(text.clone()),
                _ => None,
            });
        copied.is_some()
    });
    let link = copied.unwrap();
    let prefix = format!("media-chat://127.0.0.1:{}/%23general/", world.port());
    assert!(link.starts_with(&prefix), "{link}");

    post(&mut bob, "#lớp_10", &[format!("xem [đề bài]({link})")]);
    click(&mut harness, "#lớp_10, 2 unread");
    let line = format!("bob: xem [đề bài]({link})");
    step_until_label(&mut harness, &line);
    harness.run_steps(2);
    // The words "đề bài" are the link, at the end of the line.
    let rect = harness.get_by_label(&line).rect();
    let at = egui::pos2(rect.right() - 8.0, rect.center().y);
    harness.event(egui::Event::PointerMoved(at));
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::default(),
        });
    }
    step_until(&mut harness, "#general in view", |h| {
        h.state()
            .state()
            .is_some_and(|s| s.current == Conversation::general())
    });
    step_until_label(&mut harness, "bob: đề bài ở đây");
    assert!(
        harness
            .query_by_role_and_label(Role::Button, "#general")
            .is_some()
    );
}
