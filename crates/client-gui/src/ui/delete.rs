//! **Delete**'s confirmation for a message: deleting cannot be undone and
//! everyone sees "message deleted" in its place, so it is asked first.

use crate::action::Action;
use crate::i18n::tr;

/// Draws the confirmation for message `open` if asked; closes it once
/// answered.
pub fn delete_dialog(ctx: &egui::Context, open: &mut Option<u64>) -> Option<Action> {
    let id = (*open)?;
    let strings = tr(ctx);
    let words = &strings.messages;
    let mut action = None;
    let mut close = false;
    let response = egui::Modal::new(egui::Id::unique("delete-message")).show(ctx, |ui| {
        ui.set_max_width(360.0);
        ui.strong(words.delete_title);
        ui.label(words.delete_question);
        ui.horizontal(|ui| {
            if ui.button(words.delete_message).clicked() {
                action = Some(Action::DeleteConfirmed(id));
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
