//! While the connection is down: the online list is greyed and says since
//! when, and the banner offers **Reconnect now**, both where the window is
//! not reconnecting by itself and while a retry waits.
//! See: issue 14, "While disconnected the online list is greyed with
//! "offline since 12:40"; the banner has "Reconnect now"".

use egui_kittest::kittest::{NodeT, Queryable};
use media_chat_gui::state::Link;
use media_chat_gui::{Action, State};

use crate::support::*;

#[test]
fn while_disconnected_the_online_list_is_greyed_and_says_since_when() {
    let mut world = World::new();
    let _bob = world.library_client("bob");
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "bob, online");
    let lit = colours_of(&harness, "bob");
    assert!(harness.query_by_label_contains("offline since").is_none());
    world.server.stop();
    step_until_label_contains(&mut harness, "offline since ");
    let shown = harness
        .get_by_label_contains("offline since ")
        .accesskit_node()
        .value()
        .unwrap_or_default();
    let since = shown.trim_start_matches("offline since ");
    assert!(
        since.len() == 5 && since.as_bytes()[2] == b':',
        "HH:MM: {shown:?}"
    );
    let weak = harness.ctx.global_style().visuals.weak_text_color();
    assert_eq!(colours_of(&harness, "bob"), [weak], "greyed, was {lit:?}");
    assert_ne!(lit, [weak]);
    world.server.restart_same_addr();
    step_until_label(&mut harness, "[+] reconnected");
    step_until(&mut harness, "the list lit again", |h| {
        h.query_by_label_contains("offline since").is_none()
    });
}

#[test]
fn a_lost_connection_not_being_retried_offers_reconnect_now() {
    let mut state = State::new("minh");
    state.link = Link::Lost {
        reason: "the server refused the login".into(),
    };
    let mut harness = chat_window(state);
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("Connection lost").is_some());
    // An empty pane asks for older messages by itself: only the click's
    // action counts here.
    harness.state_mut().1.clear();
    harness.get_by_label("Reconnect now").click();
    harness.run_steps(2);
    let asked = &harness.state().1;
    assert!(asked.contains(&Action::Reconnect), "{asked:?}");
}

#[test]
fn reconnect_now_while_a_retry_waits_makes_it_due_at_once() {
    let mut world = World::new();
    let mut harness = world.logged_in("minh");
    world.server.stop();
    // Attempts 1 to 3 fail at once against the stopped server; the fourth
    // waits 4 s, unless the user cuts the wait short.
    step_until_label_contains(&mut harness, "(attempt 4)");
    assert!(harness.query_by_label_contains("in 4.0 s").is_some());
    let clicked = std::time::Instant::now();
    harness.get_by_label("Reconnect now").click();
    step_until(&mut harness, "the next attempt", |h| {
        h.query_by_label_contains("(attempt 5)").is_some()
            || h.query_by_label_contains("in 0.0 s").is_some()
    });
    assert!(
        clicked.elapsed() < std::time::Duration::from_millis(3500),
        "the attempt came after {:?}, not at once",
        clicked.elapsed()
    );
}
