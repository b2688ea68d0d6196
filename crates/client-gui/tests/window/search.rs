//! Issue 12's search in the desktop client: Ctrl+F opens the search
//! panel, Enter searches (diacritics ignored: `chao` finds "chào"), each
//! result names its author, conversation and time with the matched words
//! highlighted, and clicking one opens its conversation at that message.
//! Driven through egui_kittest against a real server on 127.0.0.1:0.
//! See: issue 12, "Search".

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use media_chat_client::Conversation;

use crate::support::*;

const ROOM: &str = "#toán_học";

#[test]
fn ctrl_f_finds_words_without_their_diacritics_and_a_result_opens_its_conversation() {
    let world = World::new();
    let mut minh = raw(&world, "minh");
    line_until(&mut minh, &format!("CREATE|{ROOM}|public|"), "EVENT|");
    let mut bob = raw(&world, "bob");
    line_until(&mut bob, &format!("JOIN|{ROOM}"), "EVENT|");
    post(
        &mut bob,
        ROOM,
        &[
            "chào buổi sáng cả lớp".to_owned(),
            "bài 5 khó quá".to_owned(),
        ],
    );
    post(&mut bob, "#general", &["không liên quan".to_owned()]);
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "bob: không liên quan");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::F);
    step_until(&mut harness, "the search field", |h| {
        h.query_by_role_and_label(Role::TextInput, "Search messages")
            .is_some()
    });
    type_into(&mut harness, "Search messages", "chao");
    harness.key_press(Key::Enter);
    step_until_label(&mut harness, "chào buổi sáng cả lớp");
    assert!(
        harness
            .query_by_label_contains(&format!("bob · {ROOM} · "))
            .is_some(),
        "who, where and when"
    );
    assert!(
        harness.query_by_label("bài 5 khó quá").is_none(),
        "only what matched"
    );
    harness.get_by_label("chào buổi sáng cả lớp").click();
    step_until(&mut harness, "the room in view", |h| {
        h.state().state().unwrap().current == Conversation::Room("toán_học".into())
    });
    step_until_label(&mut harness, "bob: chào buổi sáng cả lớp");
}
