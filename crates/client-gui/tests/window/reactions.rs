//! Issue 12's reactions in the desktop client: chips "👍 2" under a
//! message, who reacted on hover, a click toggling the user's own, and the
//! hover bar's react button with eight common emoji and the whole picker.
//! Driven through egui_kittest against a real server on 127.0.0.1:0.
//! See: issue 12, "Reactions".

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use media_chat_client::{Change, Client, Event};

use crate::support::*;

/// bob says `text` in #general; its event id once stored.
fn bob_says(bob: &Client, text: &str) -> u64 {
    bob.send_text(text).unwrap();
    let delivered = wait_for(
        bob,
        |e| matches!(e, Event::Delivery { message, .. } if message.id().is_some()),
    );
    match delivered {
        Event::Delivery { message, .. } => message.id().unwrap(),
        _ => unreachable!(),
    }
}

/// Waits for `client` to hear a reaction change on `target` by `by`; the
/// reaction and whether it was given.
fn reacted(client: &Client, target: u64, by: &str) -> (String, bool) {
    let event = wait_for(client, |e| {
        matches!(e, Event::Changed { target: t, by: b, change: Change::Reacted { .. }, .. }
            if *t == target && b == by)
    });
    match event {
        Event::Changed {
            change: Change::Reacted { reaction, on, .. },
            ..
        } => (reaction, on),
        _ => unreachable!(),
    }
}

#[test]
fn another_users_reaction_shows_as_a_chip_and_clicking_it_toggles_ones_own() {
    let world = World::new();
    raw(&world, "bob");
    let bob = world.library_client("bob");
    let mut harness = world.logged_in("minh");
    let id = bob_says(&bob, "xin chào cả lớp");
    step_until_label(&mut harness, "bob: xin chào cả lớp");
    bob.react(id, "👍").unwrap();
    step_until_label(&mut harness, "👍 1");
    harness.get_by_label("👍 1").hover();
    // The hover names who reacted (after the tooltip's delay).
    step_until_label_contains(&mut harness, "👍 by bob");
    harness.get_by_label("👍 1").click();
    step_until_label(&mut harness, "👍 2");
    assert_eq!(reacted(&bob, id, "minh"), ("👍".to_owned(), true));
    harness.get_by_label("👍 2").click();
    step_until_label(&mut harness, "👍 1");
    assert_eq!(reacted(&bob, id, "minh"), ("👍".to_owned(), false));
}

#[test]
fn the_hover_bar_reacts_with_a_quick_emoji_or_any_from_the_picker() {
    let world = World::new();
    raw(&world, "bob");
    let bob = world.library_client("bob");
    let mut harness = world.logged_in("minh");
    let id = bob_says(&bob, "mai nghỉ học");
    step_until_label(&mut harness, "bob: mai nghỉ học");
    assert!(harness.query_by_label("React").is_none(), "only on hover");
    harness.get_by_label("bob: mai nghỉ học").hover();
    step_until_label(&mut harness, "React");
    harness.get_by_label("React").click();
    step_until_label(&mut harness, "🎉");
    harness.get_by_label("😮").click();
    harness.run_steps(2);
    assert_eq!(reacted(&bob, id, "minh"), ("😮".to_owned(), true));
    step_until_label(&mut harness, "😮 1");
    assert!(harness.query_by_label("🙏").is_none(), "the pop-up closed");

    // "More…" opens the whole picker, with its search.
    harness.get_by_label("bob: mai nghỉ học").hover();
    step_until_label(&mut harness, "React");
    harness.get_by_label("React").click();
    step_until_label(&mut harness, "More…");
    harness.get_by_label("More…").click();
    step_until(&mut harness, "the picker's search", |h| {
        h.query_by_role_and_label(Role::TextInput, "Search emoji")
            .is_some()
    });
    type_into(&mut harness, "Search emoji", "rocket");
    step_until_label(&mut harness, "🚀");
    harness.get_by_label("🚀").click();
    harness.run_steps(2);
    assert_eq!(reacted(&bob, id, "minh"), ("🚀".to_owned(), true));
    step_until_label(&mut harness, "🚀 1");
}
