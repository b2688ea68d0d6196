//! The desktop's conversations (issue 11, issue 10's paging): the sidebar
//! with unread and mention badges, each conversation in its own view,
//! drafts kept per conversation, the title's total, the terminal client's
//! input syntax, and paging the conversation in view. Driven through
//! egui_kittest against a real server on 127.0.0.1:0.

use egui_kittest::kittest::Queryable;
use media_chat_client::{Conversation, Event};

use crate::support::*;

const ROOM: &str = "#lớp_12A";

/// `minh` owns the public room #lớp_12A, which `bob` joined and wrote two
/// lines in, one naming minh: three events minh has not read.
fn a_room_with_unread_lines(world: &World) {
    let mut minh = raw(world, "minh");
    line_until(
        &mut minh,
        &format!("CREATE|{ROOM}|public|Bài tập tuần 1"),
        "EVENT|",
    );
    let mut bob = raw(world, "bob");
    line_until(&mut bob, &format!("JOIN|{ROOM}"), "EVENT|");
    post(
        &mut bob,
        ROOM,
        &["bài 1 cho @minh".to_owned(), "bài 2".to_owned()],
    );
}

/// See: issue 11, "a left sidebar with rooms … each with its unread count
/// and mention badge … the window title shows the total unread count".
#[test]
fn a_room_with_unread_lines_is_badged_and_going_there_shows_and_reads_them() {
    let world = World::new();
    a_room_with_unread_lines(&world);
    let other_session = world.library_client("minh");
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "#lớp_12A, 3 unread, 1 mention");
    assert_eq!(harness.state().window_title(), "(3) media-chat — minh");
    click(&mut harness, "#lớp_12A, 3 unread, 1 mention");
    step_until(&mut harness, "the title without a count", |h| {
        h.state().window_title() == "media-chat — minh"
    });
    step_until_label(&mut harness, "bob: bài 2");
    assert!(harness.query_by_label("bob: bài 1 cho @minh").is_some());
    assert!(
        harness
            .query_by_role_and_label(egui::accesskit::Role::Button, "#lớp_12A")
            .is_some(),
        "the badges are gone"
    );
    let state = harness.state().state().unwrap();
    assert_eq!(state.current, Conversation::Room("lớp_12A".into()));
    assert!(
        !state
            .texts()
            .iter()
            .any(|t| t.contains("joined #lớp_12A") && t.starts_with("[#")),
        "only the room's own lines: {:?}",
        state.texts()
    );
    // Going there reported it read: the user's other session hears it.
    let read = wait_for(
        &other_session,
        |e| matches!(e, Event::ReadUpTo { conversation, .. } if conversation.to_string() == ROOM),
    );
    assert!(matches!(read, Event::ReadUpTo { id, .. } if id > 0));
    // Back in #general, the room's lines are not there.
    click(&mut harness, "general");
    assert!(harness.query_by_label("bob: bài 2").is_none());
}

#[test]
fn the_title_counts_every_unread_line_and_caps_at_99_plus() {
    let world = World::new();
    raw(&world, "minh");
    let mut bob = raw(&world, "bob");
    let lines: Vec<String> = (0..120).map(|n| format!("tin {n}")).collect();
    post(&mut bob, "@minh", &lines);
    let mut harness = world.logged_in("minh");
    step_until(&mut harness, "the title's count", |h| {
        h.state().window_title() == "(99+) media-chat — minh"
    });
    assert!(harness.query_by_label("bob, 99+ unread").is_some());
}

/// See: issue 11, "the draft of each conversation is kept when switching".
#[test]
fn each_conversation_keeps_its_own_draft() {
    let world = World::new();
    a_room_with_unread_lines(&world);
    let mut harness = world.logged_in("minh");
    type_into(&mut harness, "Message", "nháp chung");
    click(&mut harness, "#lớp_12A, 3 unread, 1 mention");
    assert_eq!(entry_text(&harness), "");
    type_into(&mut harness, "Message", "nháp cho lớp");
    click(&mut harness, "general");
    assert_eq!(entry_text(&harness), "nháp chung");
    click(&mut harness, "#lớp_12A");
    assert_eq!(entry_text(&harness), "nháp cho lớp");
}

/// The terminal client's syntax: `#room text` posts to a room the user is
/// in and `@name text` writes privately, from any view; what was sent
/// shows where it was typed, named, and in its own view.
#[test]
fn hash_room_and_at_name_lines_go_to_their_conversations() {
    let world = World::new();
    a_room_with_unread_lines(&world);
    let bob = world.library_client("bob");
    let mut harness = world.logged_in("minh");
    say(&mut harness, "#lớp_12A chào cả lớp");
    step_until_label(&mut harness, "[Me → #lớp_12A] chào cả lớp");
    let heard = wait_for(&bob, |e| said_live(e).is_some());
    assert_eq!(
        said_live(&heard),
        Some((ROOM.to_owned(), "minh", "chào cả lớp"))
    );
    say(&mut harness, "@bob riêng nhé");
    assert!(harness.query_by_label("[PM → bob] riêng nhé").is_some());
    let heard = wait_for(&bob, |e| said_live(e).is_some());
    assert_eq!(
        said_live(&heard),
        Some(("@minh".to_owned(), "minh", "riêng nhé"))
    );
    click(&mut harness, "#lớp_12A, 3 unread, 1 mention");
    step_until_label(&mut harness, "[Me] chào cả lớp");
    // A plain line goes to the conversation in view.
    say(&mut harness, "ai làm bài 3?");
    let heard = wait_for(&bob, |e| said_live(e).is_some());
    assert_eq!(
        said_live(&heard),
        Some((ROOM.to_owned(), "minh", "ai làm bài 3?"))
    );
}

/// See: issue 10, "scrolling up / load older must page the current
/// conversation (DMs, groups, rooms)".
#[test]
fn scrolling_up_in_a_direct_conversation_pages_its_own_history() {
    let world = World::new();
    raw(&world, "minh");
    let mut bob = raw(&world, "bob");
    let lines: Vec<String> = (0..150).map(|n| format!("tin {n}")).collect();
    post(&mut bob, "@minh", &lines);
    let mut harness = world.logged_in("minh");
    click(&mut harness, "bob, 99+ unread");
    step_until_label(&mut harness, "[PM from bob] tin 149");
    step_until(&mut harness, "the first message, paged back", |h| {
        if h.state()
            .state()
            .unwrap()
            .texts()
            .contains(&"[PM from bob] tin 0".to_owned())
        {
            return true;
        }
        if let Some(row) = h.query_all_by_label_contains("[PM from bob]").next() {
            row.scroll_up();
        }
        false
    });
    let state = harness.state().state().unwrap();
    let expected: Vec<String> = (0..150).map(|n| format!("[PM from bob] tin {n}")).collect();
    let shown: Vec<String> = state
        .texts()
        .into_iter()
        .filter(|t| t.starts_with("[PM from bob]"))
        .collect();
    assert_eq!(shown, expected, "in order, each once");
    // #general's own cursor did not move.
    click(&mut harness, "general");
    assert!(
        harness
            .state()
            .state()
            .unwrap()
            .texts()
            .iter()
            .all(|t| !t.contains("tin "))
    );
}

/// See: issue 11, "Ctrl+K opens a quick switcher" (type to filter,
/// arrows, Enter).
#[test]
fn ctrl_k_filters_the_conversations_and_enter_goes_to_the_chosen_one() {
    let world = World::new();
    let mut minh = raw(&world, "minh");
    line_until(&mut minh, "CREATE|#toán_học|public|", "EVENT|");
    line_until(&mut minh, "CREATE|#văn_học|public|", "EVENT|");
    line_until(&mut minh, "CREATE|#tin_học|public|", "EVENT|");
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "#văn_học");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    step_until(&mut harness, "the switcher", |h| {
        h.query_by_role_and_label(egui::accesskit::Role::TextInput, "Switch to")
            .is_some()
    });
    type_into(&mut harness, "Switch to", "VĂN");
    assert!(
        harness.query_by_label("#toán_học").is_some(),
        "the sidebar's"
    );
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    assert_eq!(
        harness.state().state().unwrap().current.to_string(),
        "#văn_học"
    );
    assert!(harness.query_by_label("Switch to").is_none(), "closed");
    // "học" matches all three, in sidebar order: ↓ ↓ picks the third.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    step_until(&mut harness, "the switcher", |h| {
        h.query_by_role_and_label(egui::accesskit::Role::TextInput, "Switch to")
            .is_some()
    });
    type_into(&mut harness, "Switch to", "học");
    harness.key_press(egui::Key::ArrowDown);
    harness.run_steps(1);
    harness.key_press(egui::Key::ArrowDown);
    harness.run_steps(1);
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    assert_eq!(
        harness.state().state().unwrap().current.to_string(),
        "#văn_học",
        "tin, toán, văn"
    );
    // The entry is the current conversation's again, and Escape closes.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    step_until(&mut harness, "the switcher", |h| {
        h.query_by_role_and_label(egui::accesskit::Role::TextInput, "Switch to")
            .is_some()
    });
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(harness.query_by_label("Switch to").is_none());
}

/// What a focused window shows at the bottom of the conversation in view
/// is read: the count goes, and the user's other sessions hear it.
#[test]
fn lines_shown_at_the_bottom_of_the_view_are_read() {
    let world = World::new();
    let mut minh = raw(&world, "minh");
    let mut bob = raw(&world, "bob");
    post(&mut bob, "#general", &["một".to_owned(), "hai".to_owned()]);
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "bob: hai");
    step_until(&mut harness, "#general read", |h| {
        h.query_by_role_and_label(egui::accesskit::Role::Button, "#general")
            .is_some()
    });
    line_until(&mut minh, "PING|x", "READ|#general|");
    post(&mut bob, "#general", &["ba".to_owned()]);
    step_until_label(&mut harness, "bob: ba");
    step_until(&mut harness, "the live line read", |h| {
        h.state().window_title() == "media-chat — minh"
    });
}
