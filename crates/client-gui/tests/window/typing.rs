//! Issue 12's typing notices in the desktop client: what the user types is
//! announced to the others, and "bob is typing…" shows under the messages
//! until bob's message arrives. Driven through egui_kittest against a real
//! server on 127.0.0.1:0.
//! See: issue 12, "Typing".

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use media_chat_client::{Conversation, Event};

use crate::support::*;

#[test]
fn typing_is_announced_and_the_others_typing_shows_until_their_message() {
    let world = World::new();
    raw(&world, "bob");
    let bob = world.library_client("bob");
    let mut harness = world.logged_in("minh");
    let entry = harness.get_by_role_and_label(Role::MultilineTextInput, "Message");
    entry.focus();
    entry.type_text("đang viết");
    harness.run_steps(2);
    let heard = wait_for(&bob, |e| matches!(e, Event::Typing { .. }));
    assert_eq!(
        heard,
        Event::Typing {
            conversation: Conversation::general(),
            user: "minh".into()
        }
    );

    bob.typing(Conversation::general());
    step_until_label(&mut harness, "bob is typing…");
    bob.send_text("xong rồi").unwrap();
    step_until_label(&mut harness, "bob: xong rồi");
    assert!(harness.query_by_label("bob is typing…").is_none());
}
