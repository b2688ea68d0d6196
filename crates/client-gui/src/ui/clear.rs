//! **Clear**'s confirmation: says what it will remove ("Delete 3
//! downloaded files (19.4 KiB)?") before anything is deleted, or that
//! there is nothing to remove.

use crate::action::Action;
use crate::i18n::tr;

/// What Clear would remove, counted when it was clicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClearPrompt {
    /// Downloaded files.
    pub files: u64,
    /// Their size in bytes.
    pub bytes: u64,
}

/// Draws the confirmation if open; closes it once answered.
pub fn clear_dialog(ctx: &egui::Context, open: &mut Option<ClearPrompt>) -> Option<Action> {
    let prompt = (*open)?;
    let strings = tr(ctx);
    let mut action = None;
    let mut close = false;
    let response = egui::Modal::new(egui::Id::unique("clear-downloads")).show(ctx, |ui| {
        ui.set_max_width(360.0);
        ui.strong(strings.clear_title);
        if prompt.files == 0 {
            ui.label(strings.clear_nothing);
            if ui.button(strings.close).clicked() {
                close = true;
            }
            return;
        }
        ui.label((strings.clear_question)(prompt.files, prompt.bytes));
        ui.horizontal(|ui| {
            if ui.button(strings.delete).clicked() {
                action = Some(Action::ClearConfirmed);
                close = true;
            }
            if ui.button(strings.cancel).clicked() {
                close = true;
            }
        });
    });
    if close || response.should_close() {
        *open = None;
    }
    action
}
