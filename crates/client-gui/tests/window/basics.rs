//! The basics of the window: the login screen, sending with Enter and
//! **Send**, the seed's buttons and tags, sharing and opening a file.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use media_chat_client::{Body, Conversation, Delivery, Event, Message, Origin};
use media_chat_gui::ui::composer::{ComposerView, composer};
use media_chat_gui::ui::emoji_picker::EmojiPicker;
use media_chat_gui::{Action, App, State};

use crate::support::*;

#[test]
fn typing_and_enter_sends_and_shows_the_line() {
    let world = World::new();
    let observer = world.library_client("observer");
    let mut harness = world.logged_in("Đặng");
    say(&mut harness, "xin chào 😀");
    assert!(harness.query_by_label("[Me] xin chào 😀").is_some());
    let event = wait_for(&observer, |e| said(e).is_some());
    assert_eq!(
        said(&event),
        Some(("#general".to_owned(), "Đặng", "xin chào 😀"))
    );
    // The entry is empty again and the login was remembered (not the password).
    let remembered = std::fs::read_to_string(world.path("config/login.toml")).unwrap();
    assert!(
        remembered.contains("Đặng") && !remembered.contains(PASSWORD),
        "{remembered}"
    );
}

#[test]
fn another_clients_message_appears() {
    let world = World::new();
    let mut harness = world.logged_in("minh");
    let bob = world.library_client("bob");
    step_until_label(&mut harness, "[i] bob joined");
    bob.send_text("chào minh").unwrap();
    step_until_label(&mut harness, "bob: chào minh");
    assert!(harness.state().state().unwrap().online.contains_key("bob"));
}

#[test]
fn a_private_message_is_shown_as_sent_and_reaches_only_its_target() {
    let world = World::new();
    let bob = world.library_client("bob");
    let carol = world.library_client("carol");
    let mut harness = world.logged_in("minh");
    say(&mut harness, "@bob hi");
    assert!(harness.query_by_label("[PM → bob] hi").is_some());
    let event = wait_for(&bob, |e| said(e).is_some());
    assert_eq!(said(&event), Some(("@minh".to_owned(), "minh", "hi")));
    say(&mut harness, "after");
    let seen_by_carol = wait_for(&carol, |e| said(e).is_some());
    assert_eq!(
        said(&seen_by_carol),
        Some(("#general".to_owned(), "minh", "after")),
        "carol must not get the private message"
    );
}

#[test]
fn an_at_name_without_text_warns_as_the_seed_did() {
    let world = World::new();
    let mut harness = world.logged_in("minh");
    say(&mut harness, "@bob");
    // In the window's one language: no Vietnamese beside the English.
    assert!(
        harness
            .query_by_label("[!] Write it as @name message")
            .is_some()
    );
}

#[test]
fn get_file_downloads_verifies_and_clear_empties_the_cache() {
    let world = World::new();
    let bob = world.library_client("bob");
    let original = world.path("bài tập.txt");
    std::fs::write(&original, "Bài tập tuần 3\n".repeat(100)).unwrap();
    bob.send_file(&original).unwrap();
    wait_for(&bob, |e| matches!(e, Event::Uploaded { .. }));

    let mut harness = world.logged_in("minh");
    harness.get_by_label("Get File").click();
    step_until(&mut harness, "the Get File prompt", |h| {
        h.query_by_role_and_label(Role::TextInput, "File name")
            .is_some()
    });
    type_into(&mut harness, "File name", "bài tập.txt");
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    let cached = world.cache().join("bài tập.txt");
    step_until_label(
        &mut harness,
        &format!("[+] downloaded {}", cached.display()),
    );
    assert_eq!(
        std::fs::read(&cached).unwrap(),
        std::fs::read(&original).unwrap()
    );

    // Clearing runs off the UI thread: the frame that handles the click
    // only marks it under way, and its outcome arrives as an event.
    // Clear says what it will remove first, and removes nothing yet.
    harness.get_by_label("Clear").click();
    harness.run_steps(2);
    step_until_label(&mut harness, "Delete 1 downloaded file (2.0 KiB)?");
    assert!(!harness.state().state().unwrap().clearing);
    assert!(cached.is_file());
    harness.get_by_label("Delete").click();
    harness.step();
    assert!(harness.state().state().unwrap().clearing);
    let lines = harness.state().state().unwrap().texts();
    assert!(
        !lines.iter().any(|l| l.starts_with("[*] cache cleared")),
        "{lines:#?}"
    );
    step_until_label(&mut harness, "[*] cache cleared (1 file, 2.0 KiB)");
    assert!(!harness.state().state().unwrap().clearing);
    assert!(files_in(&world.cache()).is_empty());
}

#[test]
fn while_the_cache_is_being_cleared_clear_is_disabled_and_says_so() {
    let mut harness = Harness::new_ui_state(
        |ui, (draft, clearing): &mut (String, bool)| {
            let view = ComposerView {
                names: &Vec::new,
                recent_emoji: &[],
                clearing: *clearing,
            };
            let _ = composer(ui, draft, &mut EmojiPicker::default(), view);
        },
        (String::new(), true),
    );
    // The spinner repaints for ever: step rather than run to rest.
    harness.run_steps(2);
    assert!(harness.get_by_label("Clear").accesskit_node().is_disabled());
    assert!(
        harness
            .query_by_label("Clearing the download cache…")
            .is_some()
    );
    harness.state_mut().1 = false;
    harness.run_steps(2);
    assert!(!harness.get_by_label("Clear").accesskit_node().is_disabled());
    assert!(
        harness
            .query_by_label("Clearing the download cache…")
            .is_none()
    );
}

#[test]
fn side_panel_download_button_fetches_a_shared_image_and_shows_it_inline() {
    let world = World::new();
    let mut harness = world.logged_in("minh");
    let bob = world.library_client("bob");
    let picture = world.path("ảnh.png");
    image::RgbaImage::from_pixel(64, 48, image::Rgba([30, 120, 220, 255]))
        .save(&picture)
        .unwrap();
    bob.send_file(&picture).unwrap();
    step_until_label_contains(&mut harness, "bob shared ảnh.png");
    harness.get_by_label("Download").click();
    harness.run_steps(2);
    step_until_label_contains(&mut harness, "[+] downloaded");
    step_until(&mut harness, "the thumbnail", |h| {
        h.query_by_label("Open ảnh.png").is_some()
    });
}

#[test]
fn a_dropped_file_is_uploaded_with_progress_to_completion() {
    let world = World::new();
    let bob = world.library_client("bob");
    let mut harness = world.logged_in("minh");
    let file = world.path("notes.txt");
    std::fs::write(&file, vec![b'x'; 3 * 1024 * 1024]).unwrap();
    drop_file(&mut harness, file);
    step_until_label(&mut harness, "[i] minh shared notes.txt (3.0 MiB)");
    let shared = wait_for(
        &bob,
        |e| matches!(e, Event::Message { message, .. } if matches!(message.body, Body::File { .. })),
    );
    assert!(
        matches!(&shared, Event::Message { message, .. }
            if matches!(&message.body, Body::File { name, .. } if name == "notes.txt")),
        "{shared:?}"
    );
}

#[test]
fn a_refused_login_shows_the_servers_reason() {
    let world = World::new();
    drop(world.library_client("taken"));
    let mut harness = world.harness();
    log_in(&mut harness, world.port(), "taken", "wrong");
    step_until_label(&mut harness, "Wrong password");
    assert!(harness.state().state().is_none());
}

#[test]
fn losing_the_server_shows_disconnected_and_keeps_the_draft() {
    let mut world = World::new();
    let mut harness = world.logged_in("minh");
    let entry = harness.get_by_role_and_label(Role::MultilineTextInput, "Message");
    entry.focus();
    entry.type_text("half-typed");
    harness.run_steps(2);
    world.server.stop();
    step_until_label_contains(&mut harness, "[!] disconnected");
    assert!(harness.query_by_label_contains("Connection lost").is_some());
    assert_eq!(
        harness
            .get_by_role_and_label(Role::MultilineTextInput, "Message")
            .value()
            .as_deref(),
        Some("half-typed")
    );
}

#[test]
fn clicking_an_online_user_starts_a_private_message() {
    let world = World::new();
    let _bob = world.library_client("bob");
    let mut harness = world.logged_in("minh");
    click(&mut harness, "bob, online");
    harness.run_steps(2);
    assert_eq!(
        harness
            .get_by_role_and_label(Role::MultilineTextInput, "Message")
            .value()
            .as_deref(),
        Some("@bob ")
    );
}

#[test]
fn an_unknown_certificate_is_shown_and_trusted_on_the_users_word() {
    let world = World::new();
    let mut harness = world.fresh_harness();
    log_in(&mut harness, world.port(), "minh", PASSWORD);
    step_until_label(&mut harness, "Is this the right server?");
    assert!(
        harness
            .query_by_label(&world.fingerprint.to_string())
            .is_some()
    );
    assert!(
        harness.state().state().is_none(),
        "nothing is sent before the user decides"
    );
    harness.get_by_label("Trust and log in").click();
    harness.run_steps(2);
    step_until(&mut harness, "the chat window", |h| {
        h.state().state().is_some()
    });
    let known = std::fs::read_to_string(world.known_servers()).unwrap();
    assert!(known.contains(&world.fingerprint.to_string()), "{known}");
}

/// Posts `count` messages `old 0`, `old 1`, … as `bình` (version 3, each
/// acknowledged before the next).
fn post_history(world: &World, count: usize) {
    let mut poster = world.server.connect();
    poster.login_v3("bình", PASSWORD, None);
    for n in 0..count {
        poster.send_line(&format!("SEND|p{n}|#general|old {n}"));
        while !poster.read_line().starts_with(&format!("ACK|p{n}|")) {}
    }
}

fn texts(harness: &Harness<'static, App>) -> Vec<String> {
    harness
        .state()
        .state()
        .map(|s| s.texts())
        .unwrap_or_default()
}

/// A message written while the connection is down waits dimmed with a
/// clock; still waiting when the window closes, it comes back at the next
/// start as not delivered, with Retry, and Retry delivers it.
/// See: issue 10, "A durable message store".
#[test]
fn pending_shows_a_clock_then_failed_shows_retry_and_retry_delivers() {
    let mut world = World::new();
    let mut harness = world.logged_in("minh");
    world.server.stop();
    step_until_label_contains(&mut harness, "[!] disconnected");
    say(&mut harness, "chờ mạng nhé");
    assert!(harness.query_by_label("[Me] chờ mạng nhé").is_some());
    assert!(
        harness.query_by_label("Pending").is_some(),
        "the pending message carries its clock"
    );
    let rows = &harness.state().state().unwrap().timeline().rows;
    assert!(rows.last().unwrap().message().unwrap().is_pending());
    // Closing logs out in the background; the message is still pending.
    let background = harness.state().background();
    harness.state_mut().shut_down();
    background.wait();
    drop(harness);
    world.server.restart_same_addr();
    let observer = world.library_client("observer");
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "Retry");
    assert!(harness.query_by_label("[Me] chờ mạng nhé").is_some());
    assert!(harness.query_by_label_contains("⚠ Not delivered").is_some());
    assert!(harness.query_by_label("Pending").is_none());
    harness.get_by_label("Retry").click();
    harness.run_steps(2);
    step_until(&mut harness, "the message acknowledged", |h| {
        h.state().state().is_some_and(|s| {
            s.timeline()
                .rows
                .iter()
                .filter_map(|r| r.message())
                .any(|m| m.text() == Some("chờ mạng nhé") && m.id().is_some())
        })
    });
    assert!(harness.query_by_label("Retry").is_none());
    let heard = wait_for(&observer, |e| said(e).is_some());
    assert_eq!(
        said(&heard),
        Some(("#general".to_owned(), "minh", "chờ mạng nhé"))
    );
}

/// Scrolled to the top, the pane loads the page of older messages and
/// keeps the rows the user was reading where they were.
#[test]
fn scrolling_to_the_top_loads_older_messages_and_keeps_the_place() {
    let world = World::new();
    post_history(&world, 150);
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "bình: old 149");
    let shown = texts(&harness);
    assert!(shown.contains(&"bình: old 50".to_owned()), "the newest 100");
    assert!(!shown.contains(&"bình: old 49".to_owned()), "{shown:#?}");
    let asked = |h: &Harness<'static, App>| {
        let state = h.state().state().unwrap();
        state.timeline().history.loading || state.timeline().history.oldest < 50
    };
    step_until(
        &mut harness,
        "the top, where the older page is asked for",
        |h| {
            if asked(h) {
                return true;
            }
            if let Some(row) = h.query_all_by_label_contains("bình: old").next() {
                row.scroll_up();
            }
            false
        },
    );
    step_until(&mut harness, "the older page", |h| {
        texts(h).contains(&"bình: old 0".to_owned())
    });
    harness.run_steps(3);
    let shown = texts(&harness);
    let expected: Vec<String> = (0..150).map(|n| format!("bình: old {n}")).collect();
    assert_eq!(
        shown
            .iter()
            .filter(|t| t.starts_with("bình: "))
            .cloned()
            .collect::<Vec<_>>(),
        expected,
        "in order, each once"
    );
    // What was at the top before the page is still in view; the page is
    // above it, out of view until scrolled to.
    let visible: Vec<String> = harness
        .query_all_by_label_contains("bình: old")
        .filter_map(|n| n.accesskit_node().value())
        .collect();
    assert!(
        harness.query_by_label("bình: old 50").is_some(),
        "{visible:#?}"
    );
    assert!(harness.query_by_label("bình: old 0").is_none());
    assert!(!harness.state().state().unwrap().timeline().history.loading);
}

/// While the welcome's backlog is still coming in, the pane holds only its
/// first rows and sits at its top: that is no reason to page back, which
/// would show older messages than the newest page before it is complete.
/// Once the welcome is all in, a pane the rows do not fill asks for more.
#[test]
fn a_welcome_still_coming_in_does_not_page_back_before_it_is_all_in() {
    let mut state = State::new("minh");
    state.apply(Event::LoggedIn {
        user: "minh".into(),
    });
    for n in 0..3 {
        state.apply(Event::Message {
            message: Message {
                conversation: Conversation::general(),
                author: "bình".into(),
                body: Body::Text(format!("old {n}")),
                ts: 1_796_000_000 + n,
                state: Delivery::Sent { id: Some(100 + n) },
            },
            origin: Origin::Backlog,
        });
    }
    let mut harness = chat_window(state);
    harness.run_steps(4);
    assert!(harness.query_by_label("bình: old 2").is_some());
    assert!(
        !harness.state().1.contains(&Action::LoadOlder),
        "{:?}",
        harness.state().1
    );
    harness.state_mut().0.state.apply(Event::Synced);
    harness.run_steps(2);
    assert!(
        harness.state().1.contains(&Action::LoadOlder),
        "{:?}",
        harness.state().1
    );
}
