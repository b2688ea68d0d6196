//! A message's reactions under it, as chips "👍 2": the user's own are
//! shown selected, hovering one names who gave it, and a click gives the
//! user's own or takes it back.

use egui::Button;
use egui::text::{LayoutJob, TextFormat};
use media_chat_protocol::Reactions;

use crate::action::Action;
use crate::fonts::{append_with_emoji, emoji_family_in};
use crate::i18n::tr;

/// Draws the chips of message `id`; returns the toggle clicked.
pub fn reaction_chips(
    ui: &mut egui::Ui,
    id: u64,
    reactions: &Reactions,
    me: &str,
) -> Option<Action> {
    let strings = &tr(ui.ctx()).messages;
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        for (reaction, users) in reactions.iter() {
            let label = format!("{reaction} {}", users.len());
            let mut job = LayoutJob::default();
            let format = TextFormat::simple(
                egui::TextStyle::Button.resolve(ui.style()),
                // The button's own colour, selected or not.
                egui::Color32::PLACEHOLDER,
            );
            append_with_emoji(&mut job, &label, &format, &emoji_family_in(ui.ctx()));
            let chip = Button::selectable(reactions.has(me, reaction), job).corner_radius(8.0);
            let names = users.join(", ");
            if ui
                .add(chip)
                .on_hover_text((strings.reacted_by)(reaction, &names))
                .clicked()
            {
                action = Some(Action::React {
                    id,
                    reaction: reaction.to_owned(),
                });
            }
        }
    });
    action
}
