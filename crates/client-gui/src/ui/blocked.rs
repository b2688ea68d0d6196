//! Blocking in the window: a person's right-click menu (on their name in
//! the member list or above their messages) blocks or unblocks them, and
//! the pane collapses each run of a blocked user's messages into one line,
//! "2 messages from a blocked user", with **Show** and **Hide**.

use egui::{Label, RichText};

use crate::action::Action;
use crate::i18n::tr;
use crate::state::State;

/// Adds **Block** or **Unblock** `user` to `response`'s right-click menu
/// (none for the user themself).
pub fn block_menu(response: &egui::Response, state: &State, user: &str) -> Option<Action> {
    if user.to_lowercase() == state.me.to_lowercase() {
        return None;
    }
    let mut action = None;
    response.context_menu(|ui| {
        let words = &tr(ui.ctx()).messages;
        let on = !state.blocks(user);
        let label = match on {
            true => words.block,
            false => words.unblock,
        };
        if ui.button(label).clicked() {
            action = Some(Action::Block {
                user: user.to_owned(),
                on,
            });
            ui.close();
        }
    });
    action
}

/// The line in place of `count` messages from a blocked user; returns
/// whether its button was clicked (**Show** while `revealed` is false,
/// **Hide** while it is true).
pub fn collapsed_line(ui: &mut egui::Ui, count: usize, revealed: bool) -> bool {
    let words = &tr(ui.ctx()).messages;
    ui.horizontal(|ui| {
        ui.add_space(super::row::TIME_WIDTH + ui.spacing().item_spacing.x);
        ui.add(Label::new(
            RichText::new((words.blocked_messages)(count))
                .italics()
                .weak(),
        ));
        let button = match revealed {
            true => words.hide_blocked,
            false => words.show_blocked,
        };
        ui.small_button(button).clicked()
    })
    .inner
}
