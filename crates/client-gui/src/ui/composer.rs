//! The composer: the entry ([`super::entry`]) with the emoji picker's
//! button beside it, and under them the seed's toolbar: **Send**, **Send
//! File**, **Get File**, **Clear**, **Exit**.

use crate::action::Action;
use crate::i18n::tr;
use crate::ui::emoji_picker::{EmojiPicker, emoji_picker};
use crate::ui::entry::{entry, insert_at_cursor};

pub use crate::ui::entry::entry_id;

/// What the composer draws besides the draft.
pub struct ComposerView<'a> {
    /// The names the `@` pop-up offers, asked for only while an `@name`
    /// is typed: folding every member of a large room each frame would
    /// cost the frame its budget.
    pub names: &'a dyn Fn() -> Vec<String>,
    /// The emoji used lately, the latest first.
    pub recent_emoji: &'a [String],
    /// The download cache is being cleared.
    pub clearing: bool,
}

/// Draws the entry, the emoji button and the toolbar.
pub fn composer(
    ui: &mut egui::Ui,
    draft: &mut String,
    picker: &mut EmojiPicker,
    view: ComposerView<'_>,
) -> Option<Action> {
    let mut action = None;
    let strings = tr(ui.ctx());
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Min), |ui| {
        if let Some(glyph) = emoji_picker(ui, picker, view.recent_emoji) {
            insert_at_cursor(ui.ctx(), draft, glyph);
            ui.memory_mut(|m| m.request_focus(entry_id()));
            action = Some(Action::UsedEmoji(glyph.to_owned()));
        }
        ui.with_layout(egui::Layout::top_down_justified(egui::Align::Min), |ui| {
            if let Some(asked) = entry(ui, draft, view.names) {
                action = Some(asked);
            }
        });
    });
    ui.horizontal_wrapped(|ui| {
        if ui.button(strings.send).clicked() {
            action = Some(Action::Send);
        }
        if ui
            .button(strings.send_file)
            .on_hover_text(strings.send_file_hint)
            .clicked()
        {
            action = Some(Action::PickFile);
        }
        if ui.button(strings.get_file).clicked() {
            action = Some(Action::AskFileName);
        }
        let clear = ui
            .add_enabled(!view.clearing, egui::Button::new(strings.clear))
            .on_hover_text(strings.clear_hint);
        if clear.clicked() {
            action = Some(Action::Clear);
        }
        if ui.button(strings.exit).clicked() {
            action = Some(Action::Exit);
        }
        if view.clearing {
            ui.spinner();
            ui.label(strings.clearing);
        }
    });
    action
}
