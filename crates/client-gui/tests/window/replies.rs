//! Issue 12's replies in the desktop client: Reply on a message puts the
//! composer in reply mode ("Replying to bob: …"), sending answers that
//! message, a reply shows a snippet of the original above it, and
//! clicking the snippet brings the original into view, paging back until
//! it is loaded. Driven through egui_kittest against a real server.
//! See: issue 12, "Reply".

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use media_chat_client::{Body, Conversation, Event};

use crate::support::*;

#[test]
fn reply_mode_sends_an_answer_to_that_message_shown_under_its_snippet() {
    let world = World::new();
    raw(&world, "bob");
    let bob = world.library_client("bob");
    let mut harness = world.logged_in("minh");
    bob.send_text("ai làm bài 3 chưa?").unwrap();
    let original = match wait_for(
        &bob,
        |e| matches!(e, Event::Delivery { message, .. } if message.id().is_some()),
    ) {
        Event::Delivery { message, .. } => message.id().unwrap(),
        _ => unreachable!(),
    };
    step_until_label(&mut harness, "bob: ai làm bài 3 chưa?");
    harness.get_by_label("bob: ai làm bài 3 chưa?").hover();
    step_until_label(&mut harness, "Reply");
    harness.get_by_label("Reply").click();
    step_until_label(&mut harness, "Replying to bob: ai làm bài 3 chưa?");
    say(&mut harness, "mình làm rồi");
    let event = wait_for(
        &bob,
        |e| matches!(e, Event::Message { message, .. } if message.author == "minh"),
    );
    let Event::Message { message, .. } = event else {
        unreachable!()
    };
    assert_eq!(
        message.body,
        Body::Reply {
            text: "mình làm rồi".into(),
            to: original,
            edit: None
        }
    );
    step_until_label(&mut harness, "↳ bob: ai làm bài 3 chưa?");
    assert!(
        harness.query_by_label_contains("Replying to").is_none(),
        "reply mode ends once sent"
    );
}

#[test]
fn the_right_click_menu_replies_or_copies_the_text_and_the_cross_leaves_reply_mode() {
    let world = World::new();
    let mut bob = raw(&world, "bob");
    post(&mut bob, "#general", &["chiều nay họp nhé".to_owned()]);
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "bob: chiều nay họp nhé");
    harness
        .get_by_label("bob: chiều nay họp nhé")
        .click_secondary();
    step_until(&mut harness, "the menu", |h| {
        h.query_by_role_and_label(Role::Button, "Reply").is_some()
            && h.query_by_label("Copy text").is_some()
    });
    harness.get_by_role_and_label(Role::Button, "Reply").click();
    step_until_label(&mut harness, "Replying to bob: chiều nay họp nhé");
    harness.get_by_label("Cancel the reply").click();
    step_until(&mut harness, "reply mode left", |h| {
        h.query_by_label_contains("Replying to").is_none()
    });
    // Copy text puts the message's text (without the name) on the
    // clipboard.
    harness
        .get_by_label("bob: chiều nay họp nhé")
        .click_secondary();
    step_until_label(&mut harness, "Copy text");
    harness.get_by_label("Copy text").click();
    step_until(&mut harness, "the text copied", |h| {
        h.output().platform_output.commands.iter().any(
            |c| matches!(c, egui::OutputCommand::CopyText(text) if text == "chiều nay họp nhé"),
        )
    });
}

#[test]
fn clicking_a_snippet_pages_back_to_the_original_and_shows_it() {
    let world = World::new();
    let mut bob_raw = raw(&world, "bob");
    raw(&world, "minh");
    let bob = world.library_client("bob");
    bob.send_text("câu hỏi đầu tiên").unwrap();
    let original = match wait_for(
        &bob,
        |e| matches!(e, Event::Delivery { message, .. } if message.id().is_some()),
    ) {
        Event::Delivery { message, .. } => message.id().unwrap(),
        _ => unreachable!(),
    };
    // Far more than the login's page: the original is not loaded at first.
    let lines: Vec<String> = (0..150).map(|n| format!("dòng {n}")).collect();
    post(&mut bob_raw, "#general", &lines);
    bob.reply(Conversation::general(), original, "trả lời câu hỏi")
        .unwrap();
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "bob: trả lời câu hỏi");
    assert!(
        harness.query_by_label("bob: câu hỏi đầu tiên").is_none(),
        "not in view"
    );
    step_until_label(&mut harness, "↳ an earlier message");
    harness.get_by_label("↳ an earlier message").click();
    step_until_label(&mut harness, "bob: câu hỏi đầu tiên");
    assert!(
        harness.query_by_label("bob: trả lời câu hỏi").is_none(),
        "the view moved to the original"
    );
}
