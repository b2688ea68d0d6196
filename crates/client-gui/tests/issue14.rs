//! Regression tests for issue 14's "Bugs seen", each driven through the
//! window against a real server on 127.0.0.1:0.
//! See: issue 14.

mod support;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use media_chat_gui::App;
use support::*;

/// Posts `count` messages `old 0`, `old 1`, … as `bình`, each
/// acknowledged before the next.
fn post_history(world: &World, count: usize) {
    let mut poster = raw(world, "bình");
    let texts: Vec<String> = (0..count).map(|n| format!("old {n}")).collect();
    post(&mut poster, "#general", &texts);
}

/// Whether the pane draws the row reading `text` (only rows in view are
/// drawn).
fn in_view(harness: &Harness<'static, App>, text: &str) -> bool {
    harness.query_by_label(text).is_some()
}

/// Empties the message entry, as a user selecting all and deleting.
fn clear_entry(harness: &mut Harness<'static, App>) {
    let entry = harness.get_by_role_and_label(egui::accesskit::Role::TextInput, "Message");
    entry.focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    harness.run_steps(2);
    assert_eq!(entry_text(harness), "");
}

/// After an automatic reconnect the pane still shows its newest lines,
/// not a blank gap below them.
#[test]
fn after_an_automatic_reconnect_the_newest_lines_stay_in_view() {
    let mut world = World::new();
    post_history(&world, 60);
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "bình: old 59");
    world.server.restart_same_addr();
    step_until_label(&mut harness, "[+] reconnected");
    harness.run_steps(5);
    assert!(in_view(&harness, "[+] reconnected"));
    assert!(in_view(&harness, "bình: old 59"));
}

/// More came while away than the welcome holds (a gap): the pane still
/// shows its newest lines after the reconnect.
#[test]
fn after_a_reconnect_with_a_gap_the_newest_lines_stay_in_view() {
    let mut world = World::new();
    post_history(&world, 60);
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "bình: old 59");
    world.server.stop();
    step_until_label_contains(&mut harness, "(attempt 4)");
    world.server.restart_same_addr();
    let mut poster = raw(&world, "bình");
    let texts: Vec<String> = (0..150).map(|n| format!("away {n}")).collect();
    post(&mut poster, "#general", &texts);
    step_until(&mut harness, "the reconnect", |h| {
        h.state()
            .state()
            .is_some_and(|s| s.texts().contains(&"[+] reconnected".to_owned()))
    });
    step_until(&mut harness, "the messages from while away", |h| {
        h.state()
            .state()
            .is_some_and(|s| s.texts().contains(&"bình: away 149".to_owned()))
    });
    harness.run_steps(5);
    let lines = harness.state().state().unwrap().texts();
    assert!(in_view(&harness, "bình: away 149"), "{lines:#?}");
}

/// The server's certificate changes while the window reconnects by
/// itself: it stops retrying, shows both fingerprints in the window and
/// offers the choices; trusting the new one leads back to the login
/// screen, and logging in again works.
#[test]
fn a_certificate_changed_while_reconnecting_is_shown_with_the_choices() {
    let mut world = World::new();
    let before = world.fingerprint;
    let mut harness = world.logged_in("minh");
    world.server.stop();
    for file in ["tls-cert.pem", "tls-key.pem"] {
        std::fs::remove_file(world.server.data_dir().join(file)).unwrap();
    }
    world.server.restart_same_addr();
    let after = world.server.fingerprint();
    step_until_label(
        &mut harness,
        "The server's certificate has changed: not reconnecting",
    );
    assert!(harness.query_by_label(&before.to_string()).is_some());
    assert!(harness.query_by_label(&after.to_string()).is_some());
    assert!(harness.query_by_label_contains("reconnecting in").is_none());
    assert!(harness.query_by_label("Log out").is_some());
    harness
        .get_by_label("Trust the new certificate and log in again")
        .click();
    harness.run_steps(2);
    assert!(
        harness.state().state().is_none(),
        "back at the login screen"
    );
    step_until_label_contains(&mut harness, "The new certificate is trusted");
    let known = std::fs::read_to_string(world.known_servers()).unwrap();
    assert!(known.contains(&after.to_string()), "{known}");
    log_in(&mut harness, world.port(), "minh", PASSWORD);
    step_until(&mut harness, "the chat window again", |h| {
        h.state().state().is_some()
    });
}

/// Slash commands typed into the entry are carried out or refused in the
/// window; none reaches anyone as text.
#[test]
fn slash_commands_are_carried_out_or_refused_never_sent_as_text() {
    let world = World::new();
    let observer = world.library_client("observer");
    let mut harness = world.logged_in("minh");
    say(&mut harness, "/help");
    step_until_label_contains(&mut harness, "[i] commands");
    assert!(
        harness
            .query_by_label("/files — the files shared here; /users — who is online")
            .is_some()
    );
    say(&mut harness, "/files");
    step_until_label(&mut harness, "[i] no files shared in #general yet");
    say(&mut harness, "/x");
    step_until_label(&mut harness, "[!] unknown command /x — /help lists them");
    assert_eq!(entry_text(&harness), "/x", "kept, to be corrected");
    clear_entry(&mut harness);
    say(&mut harness, "/go @observer");
    step_until(&mut harness, "the direct conversation in view", |h| {
        h.state()
            .state()
            .is_some_and(|s| s.current.to_string() == "@observer")
    });
    say(&mut harness, "xong rồi");
    let heard = wait_for(&observer, |e| said(e).is_some());
    assert_eq!(
        said(&heard),
        Some(("@minh".to_owned(), "minh", "xong rồi")),
        "only the text line reached anyone"
    );
}

/// A private message to a name no one has is refused before it is shown
/// as sent.
#[test]
fn a_private_message_to_an_unknown_user_is_refused_before_it_is_shown() {
    let world = World::new();
    let _bob = world.library_client("bob");
    let mut harness = world.logged_in("minh");
    step_until(&mut harness, "the members of #general", |h| {
        h.state()
            .state()
            .is_some_and(|s| s.current_members().is_some_and(|m| m.len() == 2))
    });
    say(&mut harness, "@khongtontai xin chào");
    let lines = harness.state().state().unwrap().texts();
    assert!(
        !lines.iter().any(|l| l.contains("[PM → khongtontai]")),
        "{lines:#?}"
    );
    assert_eq!(
        lines.last().map(String::as_str),
        Some("[!] no such user: khongtontai"),
        "{lines:#?}"
    );
    assert_eq!(
        entry_text(&harness),
        "@khongtontai xin chào",
        "kept, to be corrected"
    );
    // A known name still goes out at once.
    clear_entry(&mut harness);
    say(&mut harness, "@bob chào");
    assert!(harness.query_by_label("[PM → bob] chào").is_some());
}
