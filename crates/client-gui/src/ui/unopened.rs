//! When no program on this computer opens a downloaded file: said in
//! plain words, with **Show in folder** and **Copy path**; and when no
//! file manager shows that folder either, with **Copy path**.

use std::path::PathBuf;

use crate::action::Action;
use crate::i18n::tr;

/// What could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unopened {
    /// The file, or the folder.
    pub path: PathBuf,
    /// Whether it is the folder of a download (Show in folder).
    pub folder: bool,
}

/// Draws the notice if there is one; closes it once done.
pub fn unopened(ctx: &egui::Context, open: &mut Option<Unopened>) -> Option<Action> {
    let shown = open.as_ref()?;
    let path = &shown.path;
    let strings = tr(ctx);
    let words = &strings.dialogs;
    let mut action = None;
    let mut close = false;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let response = egui::Modal::new(egui::Id::unique("unopened")).show(ctx, |ui| {
        ui.set_max_width(420.0);
        if shown.folder {
            ui.strong(words.no_file_manager);
            ui.label(words.downloads_are_here);
        } else {
            ui.strong((words.no_program)(&name));
            ui.label(words.file_is_here);
        }
        // Not monospace: its font has no Vietnamese letters.
        ui.add(egui::Label::new(egui::RichText::new(path.display().to_string()).strong()).wrap());
        ui.horizontal(|ui| {
            if let Some(folder) = path.parent().filter(|_| !shown.folder)
                && ui
                    .button(words.show_in_folder)
                    .on_hover_text(words.show_in_folder_hint)
                    .clicked()
            {
                action = Some(Action::ShowFolder(folder.to_path_buf()));
                close = true;
            }
            if ui.button(words.copy_path).clicked() {
                ui.ctx().copy_text(path.display().to_string());
            }
            if ui.button(strings.close).clicked() {
                close = true;
            }
        });
    });
    if close || response.should_close() {
        *open = None;
    }
    action
}
