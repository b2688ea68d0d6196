//! Issue 14's "Paste an image from the clipboard to share it (ask for the
//! name, prefilled)": Ctrl+V with a picture on the clipboard opens a
//! dialog with the picture and a name from the time; **Share** uploads it
//! as a PNG under the name given. Driven through egui_kittest against a
//! real server on 127.0.0.1:0.

use std::sync::Arc;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use media_chat_client::{Body, Event};

use crate::support::*;

#[test]
fn a_pasted_picture_is_named_and_shared_as_a_png() {
    let world = World::new();
    let bob = world.library_client("bob");
    let mut harness = world.logged_in("minh");
    let picture = egui::ColorImage::new(
        [40, 30],
        vec![egui::Color32::from_rgb(200, 30, 30); 40 * 30],
    );
    harness.event(egui::Event::PasteImage(Arc::new(picture)));
    step_until_label(&mut harness, "Share a pasted picture");
    let name = harness
        .get_by_role_and_label(Role::TextInput, "Name of the picture")
        .value()
        .unwrap_or_default();
    assert!(
        name.starts_with("Pasted picture ") && name.ends_with(".png"),
        "{name}"
    );
    let field = harness.get_by_role_and_label(Role::TextInput, "Name of the picture");
    field.focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    harness
        .get_by_role_and_label(Role::TextInput, "Name of the picture")
        .type_text("bảng đen");
    harness.run_steps(2);
    harness.get_by_role_and_label(Role::Button, "Share").click();
    step_until_label_contains(&mut harness, "[i] minh shared bảng đen.png (");
    let shared = wait_for(
        &bob,
        |e| matches!(e, Event::Message { message, .. } if matches!(message.body, Body::File { .. })),
    );
    let Event::Message { message, .. } = shared else {
        unreachable!()
    };
    let Body::File { name, .. } = message.body else {
        unreachable!()
    };
    assert_eq!(name, "bảng đen.png");
    let stored = std::fs::read(world.server.data_dir().join("server_files/bảng đen.png")).unwrap();
    let decoded = image::load_from_memory(&stored).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (40, 30));
    assert!(harness.query_by_label("Share a pasted picture").is_none());
}
