//! The "new since you left" line: after logging in again, above the first
//! message that came while the user was away.
//! See: issue 14, "A "new since you left" line at the first unread message
//! after login".

use egui_kittest::kittest::Queryable;

use crate::support::*;

#[test]
fn after_login_a_line_marks_the_first_message_that_came_while_away() {
    let world = World::new();
    let mut poster = raw(&world, "bình");
    post(
        &mut poster,
        "#general",
        &["trước 1".into(), "trước 2".into()],
    );
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "bình: trước 2");
    // Read (the window is focused and at the bottom): none is marked.
    assert!(harness.query_by_label("new since you left").is_none());
    let background = harness.state().background();
    drop(harness);
    background.wait();

    post(&mut poster, "#general", &["sau 1".into(), "sau 2".into()]);
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "bình: sau 2");
    step_until_label(&mut harness, "new since you left");
    let line = harness.get_by_label("new since you left").rect();
    let first_new = harness.get_by_label("bình: sau 1").rect();
    let last_read = harness.get_by_label("bình: trước 2").rect();
    assert!(line.max.y <= first_new.min.y, "above the first new message");
    assert!(line.min.y >= last_read.max.y, "below the last one read");
}
