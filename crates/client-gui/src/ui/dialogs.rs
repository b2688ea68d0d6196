//! Small windows: the seed's "File name" prompt for Get File, a path field
//! for Send File when no file dialog is available, and the others (each
//! in a file of its own): the rooms' dialogs, the picture viewer, the
//! notice that no program opens a file.

use egui::{Key, TextEdit};

use crate::action::Action;
use crate::i18n::tr;
use crate::state::State;
use crate::thumbnails::Thumbnails;
use crate::ui::clear::{ClearPrompt, clear_dialog};
use crate::ui::delete::{Doomed, delete_dialog};
use crate::ui::invite::{InviteForm, invite_dialog};
use crate::ui::paste::{PastePrompt, paste_dialog};
use crate::ui::rooms::{Browse, CreateForm, browse_dialog, create_dialog};
use crate::ui::switcher::{Switcher, switcher};
use crate::ui::unopened::{Unopened, unopened};
use crate::ui::viewer::{Viewer, viewer};

/// What the open dialogs hold.
#[derive(Debug, Default)]
pub struct Dialogs {
    /// The Get File prompt.
    pub get_file: Option<Prompt>,
    /// The send-by-path prompt.
    pub send_path: Option<Prompt>,
    /// The invite dialog.
    pub invite: Option<InviteForm>,
    /// The New room dialog.
    pub create: Option<CreateForm>,
    /// The Browse rooms dialog.
    pub browse: Option<Browse>,
    /// The quick switcher.
    pub switcher: Option<Switcher>,
    /// The picture viewer.
    pub viewer: Option<Viewer>,
    /// A downloaded file no program opens (or its folder).
    pub unopened: Option<Unopened>,
    /// Clear's confirmation.
    pub clear: Option<ClearPrompt>,
    /// The confirmation to delete a message or a file.
    pub delete: Option<Doomed>,
    /// A pasted picture, to name and share.
    pub paste: Option<PastePrompt>,
}

/// A one-field prompt.
#[derive(Debug, Default)]
pub struct Prompt {
    /// What has been typed.
    pub text: String,
    /// Whether the field was given focus when the prompt opened.
    focused: bool,
}

impl Prompt {
    /// Gives the field focus the first time it is shown.
    fn focus_once(&mut self, field: &egui::Response) {
        if !std::mem::replace(&mut self.focused, true) {
            field.request_focus();
        }
    }
}

/// Draws whichever dialogs are open.
pub fn dialogs(
    ctx: &egui::Context,
    dialogs: &mut Dialogs,
    state: &State,
    pictures: &Thumbnails,
) -> Option<Action> {
    let strings = tr(ctx);
    let words = &strings.dialogs;
    viewer(ctx, &mut dialogs.viewer, pictures);
    let mut action = unopened(ctx, &mut dialogs.unopened)
        .or(clear_dialog(ctx, &mut dialogs.clear))
        .or(delete_dialog(ctx, &mut dialogs.delete))
        .or(paste_dialog(ctx, &mut dialogs.paste))
        .or(invite_dialog(ctx, &mut dialogs.invite, state))
        .or(create_dialog(ctx, &mut dialogs.create))
        .or(browse_dialog(ctx, &mut dialogs.browse, state))
        .or(switcher(ctx, &mut dialogs.switcher, state));
    if let Some(prompt) = &mut dialogs.get_file {
        let mut close = false;
        egui::Window::new(strings.get_file)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, |ui| {
                ui.label(words.file_name_label);
                let field = ui.add(TextEdit::singleline(&mut prompt.text).desired_width(260.0));
                let field = field.accessible_name(words.file_name);
                prompt.focus_once(&field);
                let name = prompt.text.trim();
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                ui.horizontal(|ui| {
                    if (ui.button(strings.download).clicked() || enter) && !name.is_empty() {
                        action = Some(Action::Download {
                            name: name.to_owned(),
                            open: true,
                        });
                        close = true;
                    }
                    if ui.button(strings.cancel).clicked()
                        || ui.input(|i| i.key_pressed(Key::Escape))
                    {
                        close = true;
                    }
                });
            });
        if close {
            dialogs.get_file = None;
        }
    }
    if let Some(prompt) = &mut dialogs.send_path {
        let mut close = false;
        egui::Window::new(strings.send_file)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, |ui| {
                ui.label(words.no_file_dialog);
                let field = ui.add(TextEdit::singleline(&mut prompt.text).desired_width(360.0));
                let field = field.accessible_name(words.file_path);
                prompt.focus_once(&field);
                let path = prompt.text.trim();
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                ui.horizontal(|ui| {
                    if (ui.button(strings.send).clicked() || enter) && !path.is_empty() {
                        action = Some(Action::SendPath(path.into()));
                        close = true;
                    }
                    if ui.button(strings.cancel).clicked()
                        || ui.input(|i| i.key_pressed(Key::Escape))
                    {
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
