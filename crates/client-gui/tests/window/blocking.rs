//! Issue 12's blocks and mutes in the desktop client: a name's right-click
//! menu blocks its user, whose messages then collapse into "2 messages
//! from a blocked user" (**Show** brings them back); a conversation's
//! right-click menu mutes it: no badge and no count in the title, the
//! unread count still said. Driven through egui_kittest against a real
//! server on 127.0.0.1:0.
//! See: issue 12, "Blocking".

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

use crate::support::*;

#[test]
fn a_blocked_users_messages_collapse_and_show_on_demand() {
    let world = World::new();
    let mut bob = raw(&world, "bob");
    let mut an = raw(&world, "an");
    post(
        &mut bob,
        "#general",
        &["bob một".to_owned(), "bob hai".to_owned()],
    );
    post(&mut an, "#general", &["an nói".to_owned()]);
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "bob: bob hai");
    step_until_label(&mut harness, "bob, online");
    harness.get_by_label("bob, online").click_secondary();
    step_until(&mut harness, "the menu", |h| {
        h.query_by_role_and_label(Role::Button, "Block").is_some()
    });
    harness.get_by_role_and_label(Role::Button, "Block").click();
    step_until_label(&mut harness, "2 messages from a blocked user");
    assert!(harness.query_by_label("bob: bob một").is_none());
    assert!(harness.query_by_label("bob: bob hai").is_none());
    assert!(harness.query_by_label("an: an nói").is_some());
    harness.get_by_role_and_label(Role::Button, "Show").click();
    step_until_label(&mut harness, "bob: bob một");
    assert!(harness.query_by_label("bob: bob hai").is_some());

    // Unblocked from the name above the messages.
    harness.get_by_label("bob").click_secondary();
    step_until(&mut harness, "the name's menu", |h| {
        h.query_by_role_and_label(Role::Button, "Unblock").is_some()
    });
    harness
        .get_by_role_and_label(Role::Button, "Unblock")
        .click();
    step_until(&mut harness, "the line gone", |h| {
        h.query_by_label_contains("from a blocked user").is_none()
    });
    assert!(harness.query_by_label("bob: bob hai").is_some());
}

#[test]
fn a_muted_conversation_has_no_badge_and_no_count_in_the_title() {
    let world = World::new();
    let mut bob = raw(&world, "bob");
    let mut harness = world.logged_in("minh");
    post(&mut bob, "@minh", &["riêng một".to_owned()]);
    step_until_label(&mut harness, "bob, 1 unread");
    assert_eq!(harness.state().window_title(), "(1) media-chat — minh");
    harness.get_by_label("bob, 1 unread").click_secondary();
    step_until(&mut harness, "the menu", |h| {
        h.query_by_role_and_label(Role::Button, "Mute").is_some()
    });
    harness.get_by_role_and_label(Role::Button, "Mute").click();
    step_until_label(&mut harness, "bob, muted, 1 unread");
    assert_eq!(harness.state().window_title(), "media-chat — minh");
    post(&mut bob, "@minh", &["riêng hai".to_owned()]);
    step_until_label(&mut harness, "bob, muted, 2 unread");
    assert_eq!(harness.state().window_title(), "media-chat — minh");
}
