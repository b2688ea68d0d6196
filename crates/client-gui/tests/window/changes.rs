//! Issue 12's edits and deletes in the desktop client: **Edit** on the
//! hover bar or the right-click menu (or Up in an empty entry) puts the
//! user's message in the entry, Enter changes it for everyone and Esc
//! gives the draft back; **Delete** asks first, then everyone sees
//! "message deleted". Only the user's own messages offer Edit; a room's
//! owner may delete anyone's there. Driven through egui_kittest against a
//! real server on 127.0.0.1:0.
//! See: issue 12, "Edit your own message", "Delete your own".

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use media_chat_client::{Change, Client, Event};
use media_chat_gui::App;

use crate::support::*;

/// The window's own message `text` once the server stored it.
fn stored(harness: &mut Harness<'static, App>, text: &str) {
    step_until(harness, "the message stored", |h| {
        h.state().state().is_some_and(|s| {
            s.timeline()
                .rows
                .iter()
                .filter_map(|r| r.message())
                .any(|m| m.text() == Some(text) && m.id().is_some())
        })
    });
}

/// The next change `bob` hears to a message of `by`.
fn change_heard(bob: &Client, by: &str) -> Change {
    let by = by.to_owned();
    match wait_for(
        bob,
        |e| matches!(e, Event::Changed { by: b, .. } if *b == by),
    ) {
        Event::Changed { change, .. } => change,
        _ => unreachable!(),
    }
}

#[test]
fn edit_on_the_hover_bar_changes_the_message_for_everyone_and_gives_the_draft_back() {
    let world = World::new();
    raw(&world, "bob");
    let bob = world.library_client("bob");
    let mut harness = world.logged_in("minh");
    say(&mut harness, "hẹn 7 giờ");
    stored(&mut harness, "hẹn 7 giờ");
    type_into(&mut harness, "Message", "câu đang viết dở");
    harness.get_by_label("[Me] hẹn 7 giờ").hover();
    step_until(&mut harness, "the hover bar", |h| {
        h.query_by_role_and_label(Role::Button, "Edit").is_some()
    });
    harness.get_by_role_and_label(Role::Button, "Edit").click();
    step_until_label(&mut harness, "Editing your message (Esc to cancel)");
    assert_eq!(entry_text(&harness), "hẹn 7 giờ");
    clear_entry(&mut harness);
    say(&mut harness, "hẹn 8 giờ nhé");
    assert_eq!(
        change_heard(&bob, "minh"),
        Change::Edited("hẹn 8 giờ nhé".into())
    );
    step_until_label(&mut harness, "[Me] hẹn 8 giờ nhé (edited)");
    assert!(
        harness
            .query_by_label_contains("Editing your message")
            .is_none()
    );
    assert_eq!(
        entry_text(&harness),
        "câu đang viết dở",
        "the draft is back"
    );
}

#[test]
fn up_in_an_empty_entry_edits_the_last_message_and_esc_leaves_it_unchanged() {
    let world = World::new();
    let mut harness = world.logged_in("minh");
    say(&mut harness, "một");
    say(&mut harness, "hai");
    stored(&mut harness, "hai");
    let entry = harness.get_by_role_and_label(Role::MultilineTextInput, "Message");
    entry.focus();
    harness.run_steps(1);
    harness.key_press(egui::Key::ArrowUp);
    step_until_label(&mut harness, "Editing your message (Esc to cancel)");
    assert_eq!(entry_text(&harness), "hai");
    harness.key_press(egui::Key::Escape);
    step_until(&mut harness, "edit mode left", |h| {
        h.query_by_label_contains("Editing your message").is_none()
    });
    assert_eq!(entry_text(&harness), "");
    assert!(harness.query_by_label("[Me] hai").is_some(), "unchanged");
}

#[test]
fn delete_asks_first_then_everyone_sees_message_deleted() {
    let world = World::new();
    raw(&world, "bob");
    let bob = world.library_client("bob");
    let mut harness = world.logged_in("minh");
    say(&mut harness, "nhầm nhóm rồi");
    stored(&mut harness, "nhầm nhóm rồi");
    harness.get_by_label("[Me] nhầm nhóm rồi").click_secondary();
    step_until(&mut harness, "the menu", |h| {
        h.query_by_role_and_label(Role::Button, "Delete").is_some()
    });
    harness
        .get_by_role_and_label(Role::Button, "Delete")
        .click();
    step_until_label(&mut harness, "Delete this message?");
    assert!(
        harness.query_by_label("[Me] nhầm nhóm rồi").is_some(),
        "nothing deleted before the answer"
    );
    let confirm = harness
        .query_all_by_role_and_label(Role::Button, "Delete")
        .last()
        .expect("the dialog's Delete");
    confirm.click();
    harness.run_steps(2);
    assert_eq!(change_heard(&bob, "minh"), Change::Deleted);
    step_until_label(&mut harness, "[Me] (message deleted)");
    assert!(harness.query_by_label("Delete this message?").is_none());
}

#[test]
fn others_messages_offer_no_edit_and_delete_only_to_the_rooms_owner() {
    let world = World::new();
    let mut bob = raw(&world, "bob");
    post(&mut bob, "#general", &["tin của bob".to_owned()]);
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "bob: tin của bob");
    harness.get_by_label("bob: tin của bob").click_secondary();
    step_until(&mut harness, "the menu", |h| {
        h.query_by_role_and_label(Role::Button, "Reply").is_some()
    });
    assert!(
        harness
            .query_by_role_and_label(Role::Button, "Edit")
            .is_none()
    );
    assert!(
        harness
            .query_by_role_and_label(Role::Button, "Delete")
            .is_none()
    );
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);

    // In a room minh owns, minh may delete bob's message.
    let mut minh = raw(&world, "minh");
    line_until(&mut minh, "CREATE|#lớp_10|public|", "EVENT|");
    line_until(&mut bob, "JOIN|#lớp_10", "EVENT|");
    post(&mut bob, "#lớp_10", &["bob trong lớp".to_owned()]);
    click(&mut harness, "#lớp_10, 2 unread");
    step_until_label(&mut harness, "bob: bob trong lớp");
    harness.get_by_label("bob: bob trong lớp").click_secondary();
    step_until(&mut harness, "the owner's menu", |h| {
        h.query_by_role_and_label(Role::Button, "Delete").is_some()
    });
    assert!(
        harness
            .query_by_role_and_label(Role::Button, "Edit")
            .is_none()
    );
}
