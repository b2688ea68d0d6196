//! Regression tests for issue 14's "Bugs seen", each driven through the
//! window against a real server on 127.0.0.1:0.
//! See: issue 14.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use media_chat_client::Client;
use media_chat_gui::App;

use crate::support::*;

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
    // Whole at the minimum size too.
    harness.set_size(egui::vec2(560.0, 400.0));
    harness.run_steps(3);
    for fingerprint in [before, after] {
        let shown = harness.get_by_label(&fingerprint.to_string()).rect();
        assert!(shown.max.x <= 560.0, "{fingerprint} is cut: {shown:?}");
    }
    harness.set_size(egui::vec2(980.0, 680.0));
    harness.run_steps(3);
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

/// Downloads a picture bob shares through the side panel's button and
/// waits for its thumbnail.
fn download_picture(world: &World, harness: &mut Harness<'static, App>) -> Client {
    let bob = world.library_client("bob");
    let picture = world.path("ảnh.png");
    image::RgbaImage::from_pixel(64, 48, image::Rgba([30, 120, 220, 255]))
        .save(&picture)
        .unwrap();
    bob.send_file(&picture).unwrap();
    step_until_label_contains(harness, "bob shared ảnh.png");
    harness.get_by_label("Download").click();
    harness.run_steps(2);
    step_until(harness, "the thumbnail", |h| {
        h.query_by_label("Open ảnh.png").is_some()
    });
    bob
}

/// A click on a thumbnail opens the picture in the window (no system
/// viewer needed); it zooms, and Escape closes it.
#[test]
fn a_thumbnail_opens_the_picture_in_the_window_and_escape_closes_it() {
    let world = World::new();
    let mut harness = world.logged_in("minh");
    let _bob = download_picture(&world, &mut harness);
    harness.get_by_label("Open ảnh.png").click();
    harness.run_steps(2);
    step_until_label(&mut harness, "Picture ảnh.png");
    assert!(harness.query_by_label("64 × 48").is_some());
    harness.get_by_label("100 %").click();
    harness.run_steps(2);
    harness.get_by_label("+").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("125 %").is_some());
    harness.key_press(egui::Key::Escape);
    harness.run_steps(3);
    assert!(harness.query_by_label("Picture ảnh.png").is_none());
    let lines = harness.state().state().unwrap().texts();
    assert!(
        !lines.iter().any(|l| l.contains("cannot open")),
        "{lines:#?}"
    );
}

/// After Clear, the thumbnails of the deleted files are gone: nothing to
/// click that would open a missing file.
#[test]
fn after_clear_thumbnails_of_deleted_files_are_not_clickable() {
    let world = World::new();
    let mut harness = world.logged_in("minh");
    let _bob = download_picture(&world, &mut harness);
    harness.get_by_label("Clear").click();
    harness.run_steps(2);
    step_until_label(&mut harness, "Delete");
    harness.get_by_label("Delete").click();
    harness.run_steps(2);
    step_until_label_contains(&mut harness, "[*] cache cleared");
    harness.run_steps(2);
    assert!(harness.query_by_label("Open ảnh.png").is_none());
}

/// No program opens a downloaded file: the window says so in plain words
/// and offers its folder and its path, not the launcher's error.
#[test]
fn a_file_no_program_opens_is_said_in_plain_words_with_its_folder_and_path() {
    let mut state = media_chat_gui::State::new("minh");
    let path = std::path::PathBuf::from("/tmp/cache/bài tập.pdf");
    let effects = state.apply(media_chat_client::Event::OpenFailed {
        path: path.clone(),
        reason: "Launcher \"gio\" \"open\" failed with ExitStatus(unix_wait_status(512))".into(),
    });
    let mut chat = media_chat_gui::window::Chat::new(state);
    for effect in effects {
        if let media_chat_gui::state::Effect::Unopened(path) = effect {
            chat.dialogs.unopened = Some(media_chat_gui::ui::unopened::Unopened {
                path,
                folder: false,
            });
        }
    }
    let mut harness = Harness::builder()
        .with_size(egui::vec2(980.0, 680.0))
        .with_context_setup(media_chat_gui::fonts::install)
        .build_ui_state(
            |ui, chat: &mut media_chat_gui::window::Chat| {
                chat.draw(ui, "127.0.0.1:5000", None, &[]);
            },
            chat,
        );
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label("No program on this computer opens bài tập.pdf")
            .is_some()
    );
    assert!(harness.query_by_label("Show in folder").is_some());
    assert!(harness.query_by_label_contains("Launcher").is_none());
    assert!(
        !harness
            .state()
            .state
            .texts()
            .iter()
            .any(|l| l.contains("Launcher")),
    );
    harness.get_by_label("Copy path").click();
    harness.run_steps(2);
    harness.get_by_label("Close").click();
    harness.run_steps(2);
    assert!(harness.state().dialogs.unopened.is_none());
}

/// After `Wrong password` the password field has the focus again, empty,
/// so typing the password again goes there; Enter logs in.
#[test]
fn after_a_wrong_password_typing_again_goes_into_the_password_field() {
    let world = World::new();
    drop(world.library_client("minh"));
    let mut harness = world.harness();
    log_in(&mut harness, world.port(), "minh", "sai rồi");
    step_until_label(&mut harness, "Wrong password");
    let field = harness.get_by_role_and_label(egui::accesskit::Role::PasswordInput, "Password");
    field.type_text(PASSWORD);
    harness.run_steps(2);
    assert_eq!(harness.state_mut().form_mut().password, PASSWORD);
    harness.key_press(egui::Key::Enter);
    step_until(&mut harness, "the chat window", |h| {
        h.state().state().is_some()
    });
}

/// At the minimum window size, hosting shows the whole address guests
/// need and the fingerprint, and Copy invite copies both in one text.
#[test]
fn at_the_minimum_size_hosting_shows_the_whole_address_and_copies_an_invite() {
    let world = World::new();
    let app = App::new(media_chat_gui::Paths {
        settings: None,
        cache_dir: Some(world.path("cache")),
        data_dir: Some(world.path("data")),
        host_data_dir: Some(world.path("hosted")),
        known_servers: Some(world.path("known_servers")),
    });
    let size = egui::vec2(560.0, 400.0);
    let mut harness = Harness::builder()
        .with_size(size)
        .with_context_setup(media_chat_gui::fonts::install)
        .build_ui_state(
            |ui, app: &mut App| {
                app.tick(ui.ctx());
                app.draw(ui);
            },
            app,
        );
    let form = harness.state_mut().form_mut();
    form.port = "0".into();
    form.user = "chủ-nhà".into();
    form.password = PASSWORD.into();
    form.tls = true;
    harness.run_steps(2);
    harness.get_by_label("Host a chat on this computer").click();
    // The hosted server hashes the new password with its full-strength
    // settings: slow in a debug build.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while harness.state().state().is_none() {
        let error = harness.state_mut().form_mut().error.clone();
        assert!(
            std::time::Instant::now() < deadline && error.is_none(),
            "hosting did not log in: {error:?}"
        );
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let address = harness.state().hosted_address().expect("hosting");
    step_until_label(&mut harness, &address);
    let shown = harness.get_by_label(&address).rect();
    assert!(
        shown.max.x <= size.x && shown.min.x >= 0.0,
        "{address} is cut: {shown:?}"
    );
    step_until_label_contains(&mut harness, "Certificate:");
    harness.get_by_label("Copy invite").click();
    harness.step();
    let copied: Vec<String> = harness
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(copied.len(), 1, "{copied:?}");
    assert!(copied[0].contains(&address), "{copied:?}");
    let fingerprint = harness
        .query_all_by_label_contains(":")
        .filter_map(|n| n.accesskit_node().value().or(n.accesskit_node().label()))
        .find(|t| t.len() > 60 && copied[0].contains(t.as_str()));
    assert!(
        fingerprint.is_some(),
        "the fingerprint shown is in the invite: {copied:?}"
    );
    let background = harness.state().background();
    harness.state_mut().shut_down();
    background.wait();
}

/// Every byte of an upload sent is not yet a file on the server: the bar
/// says "verifying…" until the server confirms, not a finished 100 %.
#[test]
fn an_upload_with_every_byte_sent_shows_verifying_until_the_server_confirms() {
    use media_chat_client::Direction;
    use media_chat_gui::state::Transfer;
    use media_chat_gui::ui::transfers::transfers;
    let mut running = std::collections::BTreeMap::new();
    let transfer = |done| Transfer {
        direction: Direction::Upload,
        name: "bài tập.pdf".into(),
        done,
        total: 2048,
    };
    running.insert(1, transfer(1024));
    let mut harness = Harness::builder()
        .with_context_setup(media_chat_gui::fonts::install)
        .build_ui_state(
            |ui, running: &mut std::collections::BTreeMap<u64, Transfer>| {
                let _ = transfers(ui, running);
            },
            running,
        );
    harness.run();
    assert!(harness.query_by_label_contains("verifying").is_none());
    harness.state_mut().insert(1, transfer(2048));
    // The spinner keeps repainting: a few frames, not until idle.
    harness.run_steps(2);
    assert!(harness.query_by_label("2.0 KiB — verifying…").is_some());
    assert!(
        harness
            .query_by_label_contains("2.0 KiB / 2.0 KiB")
            .is_none()
    );
}

/// A share is one line, whichever of the upload's end and the share's
/// message comes first.
#[test]
fn a_share_prints_one_line() {
    let world = World::new();
    let mut harness = world.logged_in("minh");
    let file = world.path("ghi chú.txt");
    std::fs::write(&file, "Ghi chú buổi học\n".repeat(50)).unwrap();
    drop_file(&mut harness, file);
    step_until(&mut harness, "the upload's end and its share", |h| {
        h.state().state().is_some_and(|s| {
            s.transfers.is_empty() && s.texts().iter().any(|l| l.contains("minh shared"))
        })
    });
    let lines = harness.state().state().unwrap().texts();
    let shares: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("shared ghi chú.txt"))
        .collect();
    assert_eq!(
        shares,
        ["[i] minh shared ghi chú.txt (1.1 KiB)"],
        "{lines:#?}"
    );
}

/// Identical content shared again keeps its first uploader, as the
/// server does: the files panel does not name the second person.
#[test]
fn a_reupload_of_identical_content_keeps_the_first_uploader() {
    let world = World::new();
    let mut harness = world.logged_in("minh");
    let bob = world.library_client("bob");
    let carol = world.library_client("carol");
    let bytes = "Đề cương ôn tập\n".repeat(40);
    for (client, dir) in [(&bob, "b"), (&carol, "c")] {
        let dir = world.path(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("đề cương.txt");
        std::fs::write(&file, &bytes).unwrap();
        client.send_file(&file).unwrap();
        wait_for(client, |e| {
            matches!(e, media_chat_client::Event::Uploaded { .. })
        });
    }
    step_until(&mut harness, "both shares", |h| {
        h.state().state().is_some_and(|s| {
            s.texts()
                .iter()
                .filter(|l| l.contains("shared đề cương.txt"))
                .count()
                == 2
        })
    });
    let state = harness.state().state().unwrap();
    let files = state.current_files().unwrap();
    assert_eq!(files.len(), 1, "{files:#?}");
    assert_eq!(files["đề cương.txt"].uploader, "bob", "{files:#?}");
    // What the server lists says the same.
    let listed = world.library_client("dũng");
    listed.list_files().unwrap();
    let list = wait_for(&listed, |e| {
        matches!(e, media_chat_client::Event::FileList { .. })
    });
    assert!(
        matches!(&list, media_chat_client::Event::FileList { files, .. }
            if files.len() == 1 && files[0].uploader == "bob"),
        "{list:?}"
    );
}

/// How far below the newest row the entry begins, in the frame last
/// drawn.
fn space_below(harness: &Harness<'static, App>, newest: &str) -> f32 {
    let entry = harness
        .get_by_role_and_label(egui::accesskit::Role::MultilineTextInput, "Message")
        .rect();
    entry.min.y - harness.get_by_label(newest).rect().max.y
}

/// The reconnect banner goes away and the pane grows: a frame drawn from
/// the old offset shows a blank gap below the newest row, and it must ask
/// for the next frame at once (which follows the bottom again) instead of
/// leaving the gap until the user scrolls.
#[test]
fn after_the_reconnect_banner_goes_a_gap_below_the_newest_row_is_redrawn_at_once() {
    let mut world = World::new();
    post_history(&world, 60);
    let mut harness = world.logged_in("minh");
    // Narrow: the banner takes several lines.
    harness.set_size(egui::vec2(560.0, 400.0));
    step_until_label(&mut harness, "bình: old 59");
    harness.run();
    let before = space_below(&harness, "bình: old 59");
    world.server.stop();
    step_until_label_contains(&mut harness, "reconnecting in");
    world.server.restart_same_addr();
    // One frame at a time, as a window does when events wake it.
    let deadline = std::time::Instant::now() + TIMEOUT;
    let mut gaps = 0;
    loop {
        assert!(std::time::Instant::now() < deadline, "no reconnect");
        harness.step();
        let reconnected = harness
            .state()
            .state()
            .unwrap()
            .texts()
            .contains(&"[+] reconnected".to_owned());
        if reconnected && harness.query_by_label("[+] reconnected").is_some() {
            let gap = space_below(&harness, "[+] reconnected") - before;
            let again = harness.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay
                == std::time::Duration::ZERO;
            if gap > 2.0 {
                gaps += 1;
                assert!(
                    again,
                    "a {gap} px gap below the newest row, and no next frame asked for"
                );
            } else {
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(gaps <= 1, "the gap stayed {gaps} frames");
}
