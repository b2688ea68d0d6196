//! A room's header, members and invitations on the desktop (issue 11):
//! the topic (edited by the owner), the member list with presence, and
//! the invite dialog with name completion. Driven through egui_kittest
//! against a real server on 127.0.0.1:0.

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use media_chat_client::{Event, Role as MemberRole};

use crate::support::*;

#[test]
fn the_header_shows_the_topic_and_the_owner_edits_it() {
    let world = World::new();
    let mut minh = raw(&world, "minh");
    line_until(&mut minh, "CREATE|#lớp_12A|public|Bài tập tuần 1", "EVENT|");
    let mut harness = world.logged_in("minh");
    click(&mut harness, "#lớp_12A");
    step_until_label(&mut harness, "Bài tập tuần 1");
    click(&mut harness, "Edit topic");
    let field = harness.get_by_role_and_label(Role::TextInput, "Topic");
    field.focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run_steps(1);
    type_into(&mut harness, "Topic", "Ôn thi học kỳ");
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    step_until_label(
        &mut harness,
        "[*] you set the topic of #lớp_12A: Ôn thi học kỳ",
    );
    step_until_label(&mut harness, "Ôn thi học kỳ");
    assert!(harness.query_by_label("Bài tập tuần 1").is_none());
    assert_eq!(
        harness
            .state()
            .state()
            .unwrap()
            .current_info()
            .unwrap()
            .topic,
        "Ôn thi học kỳ"
    );
}

#[test]
fn a_plain_member_cannot_edit_the_topic() {
    let world = World::new();
    let mut minh = raw(&world, "minh");
    line_until(&mut minh, "CREATE|#lớp_12A|public|Bài tập tuần 1", "EVENT|");
    let mut bob = raw(&world, "bob");
    line_until(&mut bob, "JOIN|#lớp_12A", "EVENT|");
    let mut harness = world.logged_in("bob");
    click(&mut harness, "#lớp_12A");
    step_until_label(&mut harness, "Bài tập tuần 1");
    assert!(harness.query_by_label("Edit topic").is_none());
}

#[test]
fn the_member_list_shows_who_is_in_the_room_and_who_is_online() {
    let world = World::new();
    let mut minh = raw(&world, "minh");
    line_until(&mut minh, "CREATE|#lớp_12A|public|", "EVENT|");
    let mut bob = raw(&world, "bob");
    line_until(&mut bob, "JOIN|#lớp_12A", "EVENT|");
    {
        let mut cuong = raw(&world, "cường");
        line_until(&mut cuong, "JOIN|#lớp_12A", "EVENT|");
    }
    let mut harness = world.logged_in("minh");
    click(&mut harness, "#lớp_12A, 2 unread");
    step_until_label(&mut harness, "minh (you), online, owner");
    assert!(harness.query_by_label("bob, online").is_some());
    step_until_label(&mut harness, "cường, offline");
    drop(bob);
    step_until_label(&mut harness, "bob, offline");
    // A click on a member starts a private message.
    harness.get_by_label("bob, offline").click();
    harness.run_steps(2);
    assert_eq!(entry_text(&harness), "@bob ");
}

#[test]
fn inviting_completes_the_name_and_the_invited_user_hears_of_it() {
    let world = World::new();
    let mut minh = raw(&world, "minh");
    line_until(&mut minh, "CREATE|#bí_mật|private|", "EVENT|");
    let binh = world.library_client("Bình");
    let mut harness = world.logged_in("minh");
    click(&mut harness, "#bí_mật (private)");
    click(&mut harness, "Invite…");
    step_until(&mut harness, "the invite dialog", |h| {
        h.query_by_role_and_label(Role::TextInput, "Invite name")
            .is_some()
    });
    type_into(&mut harness, "Invite name", "bì");
    harness.key_press(egui::Key::Tab);
    harness.run_steps(2);
    assert_eq!(
        harness
            .get_by_role_and_label(Role::TextInput, "Invite name")
            .value()
            .as_deref(),
        Some("Bình")
    );
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    step_until_label(&mut harness, "[*] you invited Bình to #bí_mật");
    assert!(harness.query_by_label("Invite name").is_none(), "closed");
    let invited = wait_for(
        &binh,
        |e| matches!(e, Event::Conversation { info } if info.conversation.to_string() == "#bí_mật"),
    );
    assert!(
        matches!(&invited, Event::Conversation { info } if info.role == MemberRole::Invited),
        "{invited:?}"
    );
}

/// See: issue 11, "dialogs to create a room (name, topic, public or
/// private)".
#[test]
fn the_new_room_dialog_creates_a_private_room_and_goes_there() {
    let world = World::new();
    let mut harness = world.logged_in("minh");
    click(&mut harness, "New room…");
    step_until(&mut harness, "the New room dialog", |h| {
        h.query_by_role_and_label(Role::TextInput, "Name").is_some()
    });
    type_into(&mut harness, "Name", "#nhóm toán");
    click(&mut harness, "Create");
    step_until_label_contains(&mut harness, "a room name is 1 to");
    // Fixed: a name without spaces.
    let field = harness.get_by_role_and_label(Role::TextInput, "Name");
    field.focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run_steps(1);
    type_into(&mut harness, "Name", "nhóm_toán");
    type_into(&mut harness, "Topic", "Giải tích 2");
    click(&mut harness, "Private");
    click(&mut harness, "Create");
    step_until_label(&mut harness, "#nhóm_toán (private)");
    step_until_label(&mut harness, "Giải tích 2");
    let state = harness.state().state().unwrap();
    assert_eq!(state.current.to_string(), "#nhóm_toán");
    assert_eq!(
        state.current_info().unwrap().kind,
        media_chat_client::ConversationKind::PrivateRoom
    );
    assert!(harness.query_by_label("Edit topic").is_some(), "the owner");
}

/// See: issue 11, "to browse and join public rooms (with a filter box)".
#[test]
fn browsing_filters_the_public_rooms_and_joins_one() {
    let world = World::new();
    let mut bob = raw(&world, "bob");
    line_until(
        &mut bob,
        "CREATE|#toán_học|public|Đại số tuyến tính",
        "EVENT|",
    );
    line_until(&mut bob, "CREATE|#văn_học|public|Truyện Kiều", "EVENT|");
    let mut harness = world.logged_in("minh");
    click(&mut harness, "Browse rooms…");
    step_until_label(&mut harness, "#văn_học");
    assert!(harness.query_by_label("#toán_học").is_some());
    type_into(&mut harness, "Filter rooms", "ĐẠI SỐ");
    assert!(harness.query_by_label("#văn_học").is_none(), "filtered out");
    click(&mut harness, "Join");
    step_until(&mut harness, "#toán_học in view", |h| {
        h.state().state().unwrap().current.to_string() == "#toán_học"
    });
    step_until_label(&mut harness, "Đại số tuyến tính");
    assert!(harness.query_by_label("Filter rooms").is_none(), "closed");
    step_until_label(&mut harness, "[*] you joined #toán_học");
}

/// See: issue 11, "Files panel: show the current conversation's files …
/// Send File shares into the current conversation".
#[test]
fn a_rooms_files_show_in_its_view_and_a_drop_there_shares_into_it() {
    let world = World::new();
    let mut minh = raw(&world, "minh");
    line_until(&mut minh, "CREATE|#lớp_12A|public|", "EVENT|");
    let mut bob_raw = raw(&world, "bob");
    line_until(&mut bob_raw, "JOIN|#lớp_12A", "EVENT|");
    let bob = world.library_client("bob");
    let room = media_chat_client::Conversation::Room("lớp_12A".into());
    let exam = world.path("đề_thi.txt");
    std::fs::write(&exam, "Câu 1: tính đạo hàm\n").unwrap();
    bob.send_file_to(room.clone(), &exam).unwrap();
    wait_for(&bob, |e| matches!(e, Event::Uploaded { .. }));
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "Shared files (0)");
    assert!(
        harness.query_by_label("đề_thi.txt").is_none(),
        "not #general's"
    );
    click(&mut harness, "#lớp_12A, 2 unread");
    step_until_label(&mut harness, "đề_thi.txt");
    click(&mut harness, "Download");
    let cached = world.cache().join("đề_thi.txt");
    step_until_label(
        &mut harness,
        &format!("[+] downloaded {}", cached.display()),
    );
    assert_eq!(
        std::fs::read_to_string(&cached).unwrap(),
        "Câu 1: tính đạo hàm\n"
    );
    let notes = world.path("ghi_chú.txt");
    std::fs::write(&notes, "xong").unwrap();
    drop_file(&mut harness, notes);
    step_until_label(&mut harness, "[i] minh shared ghi_chú.txt (4 B)");
    let shared = wait_for(&bob, |e| {
        matches!(e, Event::Message { message, .. }
            if matches!(&message.body, media_chat_client::Body::File { name, .. } if name == "ghi_chú.txt"))
    });
    assert!(
        matches!(&shared, Event::Message { message, .. } if message.conversation == room),
        "{shared:?}"
    );
}

/// At the window's minimum size (560×400) there is room for the messages
/// and one column: the conversations, or the members and files.
#[test]
fn a_narrow_window_shows_the_members_in_place_of_the_conversations() {
    let world = World::new();
    let mut harness = world.logged_in("minh");
    harness.set_size(egui::vec2(560.0, 400.0));
    step_until(&mut harness, "the sidebar", |h| {
        h.query_by_role_and_label(Role::Button, "#general")
            .is_some()
    });
    assert!(harness.query_by_label("minh (you), online").is_none());
    click(&mut harness, "👥 Members & files");
    step_until_label(&mut harness, "minh (you), online");
    assert!(
        harness
            .query_by_role_and_label(Role::Button, "#general")
            .is_none(),
        "the sidebar made room"
    );
    assert!(
        harness.query_by_label("Exit").is_some(),
        "the toolbar wraps"
    );
}

#[test]
fn leaving_a_room_takes_it_off_the_sidebar_and_back_to_general() {
    let world = World::new();
    let mut bob = raw(&world, "bob");
    line_until(&mut bob, "CREATE|#văn_học|public|", "EVENT|");
    let mut minh = raw(&world, "minh");
    line_until(&mut minh, "JOIN|#văn_học", "EVENT|");
    let mut harness = world.logged_in("minh");
    click(&mut harness, "#văn_học");
    click(&mut harness, "Leave");
    step_until(&mut harness, "back in #general", |h| {
        h.state().state().unwrap().current.is_general()
    });
    step_until(&mut harness, "the room gone", |h| {
        h.query_by_role_and_label(Role::Button, "#văn_học")
            .is_none()
    });
    // The room's other members hear of it.
    let left = loop {
        let line = bob.read_line();
        if line.starts_with("EVENT|") && line.ends_with("|left") {
            break line;
        }
    };
    assert!(left.ends_with("|#văn_học|MEMBER|minh|minh|left"), "{left}");
}
