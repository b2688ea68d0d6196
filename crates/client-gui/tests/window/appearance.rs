//! The look: the theme follows the system at first start and is switched
//! in the View menu; the text size goes up and down with Ctrl + and
//! Ctrl − (back with Ctrl 0); both are remembered across restarts.
//! See: issue 14, "Light and dark theme following the system, switchable;
//! text size adjustable (Ctrl + / Ctrl −), remembered".

use std::path::Path;

use egui::{Key, Modifiers, ThemePreference};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use media_chat_gui::{App, Paths, fonts};

fn window(settings: &Path) -> Harness<'static, App> {
    let app = App::new(Paths {
        settings: Some(settings.to_path_buf()),
        ..Paths::default()
    });
    let mut harness = Harness::builder()
        .with_size(egui::vec2(980.0, 680.0))
        .with_context_setup(fonts::install)
        .build_ui_state(
            |ui, app: &mut App| {
                app.tick(ui.ctx());
                app.draw(ui);
            },
            app,
        );
    harness.run_steps(3);
    harness
}

fn theme(harness: &Harness<'static, App>) -> ThemePreference {
    harness.ctx.options(|o| o.theme_preference)
}

#[test]
fn the_theme_and_the_text_size_are_switched_and_remembered_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("config/login.toml");
    let mut harness = window(&settings);
    assert_eq!(
        theme(&harness),
        ThemePreference::System,
        "the system's at first"
    );
    assert_eq!(harness.ctx.zoom_factor(), 1.0);

    harness.get_by_label("View").click();
    harness.run_steps(2);
    harness.get_by_label("Dark").click();
    harness.run_steps(3);
    assert_eq!(theme(&harness), ThemePreference::Dark);
    assert!(harness.ctx.global_style().visuals.dark_mode);
    let before = harness.ctx.pixels_per_point();
    for _ in 0..2 {
        harness.key_press_modifiers(Modifiers::COMMAND, Key::Plus);
        harness.run_steps(2);
    }
    assert!((harness.ctx.zoom_factor() - 1.2).abs() < 1e-3);
    // Every point, text included, takes more pixels on the screen.
    let after = harness.ctx.pixels_per_point();
    assert!(after > before * 1.15, "larger text: {before} → {after}");
    let text = std::fs::read_to_string(&settings).unwrap();
    assert!(text.contains("theme = \"dark\""), "{text}");
    assert!(text.contains("text_size = 120"), "{text}");
    drop(harness);

    let mut harness = window(&settings);
    assert_eq!(theme(&harness), ThemePreference::Dark, "remembered");
    assert!((harness.ctx.zoom_factor() - 1.2).abs() < 1e-3, "remembered");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Minus);
    harness.run_steps(2);
    assert!((harness.ctx.zoom_factor() - 1.1).abs() < 1e-3);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num0);
    harness.run_steps(2);
    assert_eq!(harness.ctx.zoom_factor(), 1.0);
    harness.get_by_label("View").click();
    harness.run_steps(2);
    harness.get_by_label("Light").click();
    harness.run_steps(3);
    assert!(!harness.ctx.global_style().visuals.dark_mode);
    let text = std::fs::read_to_string(&settings).unwrap();
    assert!(text.contains("theme = \"light\""), "{text}");
    assert!(text.contains("text_size = 100"), "{text}");
}

/// The View menu sits in the login screen's corner without pushing the
/// form down a row.
#[test]
fn the_view_menu_does_not_push_the_login_form_down() {
    use media_chat_gui::ui::login::{LoginForm, login_screen};
    let dir = tempfile::tempdir().unwrap();
    let app = window(&dir.path().join("login.toml"));
    let mut form_alone = egui_kittest::Harness::builder()
        .with_size(egui::vec2(980.0, 680.0))
        .with_context_setup(fonts::install)
        .build_ui_state(
            |ui, form: &mut LoginForm| {
                egui::CentralPanel::default().show(ui, |ui| login_screen(ui, form));
            },
            LoginForm::default(),
        );
    form_alone.run_steps(2);
    let menu = app.get_by_label("View").rect();
    for label in ["media-chat", "Log in"] {
        let with_menu = app.get_by_label(label).rect();
        let alone = form_alone.get_by_label(label).rect();
        assert!(
            (with_menu.top() - alone.top()).abs() < 0.5,
            "{label}: {with_menu:?} with the menu, {alone:?} without"
        );
    }
    assert!(menu.top() < app.get_by_label("media-chat").rect().top());
}
