//! A message's reactions under it, as chips "👍 2": the user's own are
//! shown selected, hovering one names who gave it, and a click gives the
//! user's own or takes it back.

use egui::{Button, RichText};
use media_chat_protocol::Reactions;

use crate::action::Action;
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
            let chip = Button::selectable(reactions.has(me, reaction), RichText::new(label))
                .corner_radius(8.0);
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
