//! Issue 12's desktop notifications: a direct message, or a mention in a
//! conversation not in view, is announced; nothing for what the user is
//! looking at, their own lines, or a muted conversation. (The window under
//! test queues them in its state instead of showing them.)
//! See: issue 12, "Desktop notifications for a direct message or a
//! mention while the window is unfocused or showing another conversation".

use egui_kittest::Harness;
use media_chat_gui::App;

use crate::support::*;

/// The notifications queued so far: (title, body).
fn alerts(harness: &Harness<'static, App>) -> Vec<(String, String)> {
    harness
        .state()
        .state()
        .map(|s| {
            s.alerts
                .iter()
                .map(|a| (a.title.clone(), a.body.clone()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn direct_messages_and_mentions_elsewhere_notify_but_not_what_is_in_view_or_muted() {
    let world = World::new();
    let mut bob = raw(&world, "bob");
    let mut minh = raw(&world, "minh");
    line_until(&mut minh, "CREATE|#lớp_10|public|", "EVENT|");
    line_until(&mut minh, "MUTE|#lớp_10", "MUTED|");
    line_until(&mut minh, "CREATE|#lớp_11|public|", "EVENT|");
    line_until(&mut bob, "JOIN|#lớp_10", "EVENT|");
    line_until(&mut bob, "JOIN|#lớp_11", "EVENT|");
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "#lớp_10, muted, 1 unread");

    post(&mut bob, "#general", &["@minh ở đây à".to_owned()]);
    post(&mut bob, "#lớp_10", &["@minh lớp 10 đây".to_owned()]);
    post(&mut bob, "#lớp_11", &["@minh lớp 11 đây".to_owned()]);
    post(&mut bob, "@minh", &["tin riêng".to_owned()]);
    step_until_label(&mut harness, "bob, 1 unread");
    say(&mut harness, "@bob trả lời @minh");
    step_until(&mut harness, "the notifications", |h| alerts(h).len() >= 2);
    harness.run_steps(3);
    assert_eq!(
        alerts(&harness),
        [
            (
                "bob mentioned you in #lớp_11".to_owned(),
                "@minh lớp 11 đây".to_owned()
            ),
            ("bob (private message)".to_owned(), "tin riêng".to_owned()),
        ],
        "#general is in view, #lớp_10 is muted, minh's own line is not news"
    );
}
