//! The line under the messages that says who is typing in the
//! conversation in view ("an is typing…"). It always takes its height, so
//! the composer does not jump when someone starts or stops.

use std::time::Instant;

use egui::{Label, RichText};

use crate::i18n::tr;
use crate::state::State;

/// Draws the typing line of the conversation in view.
pub fn typing_line(ui: &mut egui::Ui, state: &State) {
    let now = Instant::now();
    let names = state.typing.names(&state.current, now);
    let words = (tr(ui.ctx()).messages.typing)(&names);
    let height = ui.text_style_height(&egui::TextStyle::Body);
    ui.allocate_ui(egui::vec2(ui.available_width(), height), |ui| {
        // At the text size, weak and italic: the small style was too small
        // to read (seen under Xvfb).
        ui.add(Label::new(RichText::new(words).italics().weak()).truncate());
    });
    if let Some(wait) = state.typing.next_change(&state.current, now) {
        ui.ctx().request_repaint_after(wait);
    }
}
