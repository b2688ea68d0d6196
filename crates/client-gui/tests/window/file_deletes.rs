//! Issue 13's file deletes in the desktop client: a deleted file's share
//! reads "file deleted" and leaves the files panel; the user deletes their
//! own upload from the files panel after a confirmation; the panel says
//! how much of the quota is used. Against a real server on 127.0.0.1:0.
//! See: issue 13, "Delete and quotas".

use egui_kittest::kittest::Queryable;
use media_chat_client::{Conversation, Event};

use crate::support::*;

#[test]
fn a_file_deleted_by_its_uploader_reads_file_deleted_and_leaves_the_files_panel() {
    let world = World::new();
    let bob = world.library_client("bob");
    let mut harness = world.logged_in("minh");
    let path = world.path("ghi chú.txt");
    std::fs::write(&path, "dòng một\n").unwrap();
    bob.send_file_to(Conversation::general(), &path).unwrap();
    step_until_label(&mut harness, "[i] bob shared ghi chú.txt (12 B)");
    assert!(harness.query_by_label("ghi chú.txt").is_some(), "listed");
    // Not minh's upload, and minh moderates nothing: no delete button.
    assert!(harness.query_by_label_contains("🗑").is_none());
    bob.delete_file(Conversation::general(), "ghi chú.txt")
        .unwrap();
    step_until_label(&mut harness, "[*] bob deleted ghi chú.txt from #general");
    step_until_label(&mut harness, "[i] bob shared ghi chú.txt (file deleted)");
    assert!(
        harness.query_by_label("ghi chú.txt").is_none(),
        "no longer in the files panel"
    );
    assert!(harness.query_by_label("Open").is_none(), "no card to open");
}

#[test]
fn the_user_deletes_an_own_upload_from_the_files_panel_after_confirming() {
    let world = World::new();
    let own = world.library_client("minh");
    let mut harness = world.logged_in("minh");
    step_until_label_contains(&mut harness, "You use 0 B of 1.0 GiB");
    let path = world.path("bài tập.txt");
    std::fs::write(&path, "câu 1\n").unwrap();
    own.send_file_to(Conversation::general(), &path).unwrap();
    step_until_label(&mut harness, "bài tập.txt");
    step_until_label_contains(&mut harness, "You use 7 B of 1.0 GiB");
    harness.get_by_label("🗑").click();
    step_until_label(&mut harness, "Delete bài tập.txt?");
    harness.get_by_label("Delete file").click();
    harness.run_steps(2);
    wait_for(&own, |event| matches!(event, Event::FileDeleted { .. }));
    step_until_label(&mut harness, "[*] you deleted bài tập.txt from #general");
    step_until_label_contains(&mut harness, "You use 0 B of 1.0 GiB");
    assert!(harness.query_by_label("Delete bài tập.txt?").is_none());
}
