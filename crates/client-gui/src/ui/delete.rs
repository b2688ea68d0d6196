//! **Delete**'s confirmation for a message or a shared file: deleting
//! cannot be undone and everyone sees "message deleted" or "file deleted"
//! in its place, so it is asked first.

use crate::action::Action;
use crate::i18n::tr;

/// What a confirmation would delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Doomed {
    /// The message of this id in the conversation in view.
    Message(u64),
    /// The file of this stored name in the conversation in view.
    File(String),
}

/// Draws the confirmation for `open` if asked; closes it once answered.
pub fn delete_dialog(ctx: &egui::Context, open: &mut Option<Doomed>) -> Option<Action> {
    let doomed = open.clone()?;
    let strings = tr(ctx);
    let words = &strings.messages;
    let (title, question, button) = match &doomed {
        Doomed::Message(_) => (
            words.delete_title.to_owned(),
            words.delete_question.to_owned(),
            words.delete_message,
        ),
        Doomed::File(name) => (
            (words.delete_file_title)(name),
            words.delete_file_question.to_owned(),
            words.delete_file,
        ),
    };
    let mut action = None;
    let mut close = false;
    let response = egui::Modal::new(egui::Id::unique("delete-message")).show(ctx, |ui| {
        ui.set_max_width(360.0);
        ui.strong(title);
        ui.label(question);
        ui.horizontal(|ui| {
            if ui.button(button).clicked() {
                action = Some(Action::DeleteConfirmed(doomed.clone()));
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
