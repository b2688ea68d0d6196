//! Small windows: the seed's "File name" prompt for Get File, and a path
//! field for Send File when no file dialog is available.

use egui::{Key, TextEdit};

use crate::action::Action;

/// What the open dialogs hold.
#[derive(Debug, Default)]
pub struct Dialogs {
    /// The Get File prompt, with the name typed so far.
    pub get_file: Option<String>,
    /// The send-by-path field, with the path typed so far.
    pub send_path: Option<String>,
}

/// Draws whichever dialogs are open.
pub fn dialogs(ctx: &egui::Context, dialogs: &mut Dialogs) -> Option<Action> {
    let mut action = None;
    if let Some(name) = &mut dialogs.get_file {
        let mut close = false;
        egui::Window::new("Get File")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, |ui| {
                ui.label("File name:");
                let field = ui.add(TextEdit::singleline(name).desired_width(260.0));
                let field = field.accessible_name("File name");
                field.request_focus();
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                ui.horizontal(|ui| {
                    if (ui.button("Download").clicked() || enter) && !name.trim().is_empty() {
                        action = Some(Action::Download {
                            name: name.trim().to_owned(),
                            open: true,
                        });
                        close = true;
                    }
                    if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                        close = true;
                    }
                });
            });
        if close {
            dialogs.get_file = None;
        }
    }
    if let Some(path) = &mut dialogs.send_path {
        let mut close = false;
        egui::Window::new("Send File")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, |ui| {
                ui.label("No file dialog is available here. Type the file's path, or drop the file on the window:");
                let field = ui.add(TextEdit::singleline(path).desired_width(360.0));
                let field = field.accessible_name("File path");
                field.request_focus();
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                ui.horizontal(|ui| {
                    if (ui.button("Send").clicked() || enter) && !path.trim().is_empty() {
                        action = Some(Action::SendPath(path.trim().into()));
                        close = true;
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
            });
        if close {
            dialogs.send_path = None;
        }
    }
    action
}
