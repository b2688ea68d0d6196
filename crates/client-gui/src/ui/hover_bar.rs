//! The bar over a message the pointer is on: **React** (a pop-up of eight
//! common emoji and "More…", the whole emoji picker), **Reply**, and on
//! the user's own messages **Edit** and **Delete** (a moderator deletes
//! anyone's in their room). It stays while its pop-up is open, even once
//! the pointer has left the row.

use egui::{Align, Button, Frame, Layout, Popup, PopupCloseBehavior, RectAlign, RichText};

use crate::action::Action;
use crate::fonts::emoji_family_in;
use crate::i18n::tr;
use crate::ui::delete::Doomed;
use crate::ui::emoji_picker::{EmojiPicker, emoji_choices};

/// The eight emoji the react pop-up offers at once (all in the emoji
/// table, so the bundled fonts draw them).
pub const QUICK: [&str; 8] = ["👍", "❤", "😂", "😮", "😢", "🎉", "🙏", "👀"];

/// What the user may do to a message besides reacting and replying.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Allowed {
    /// Edit it (their own, with text).
    pub edit: bool,
    /// Delete it (their own, or any as a moderator of the room).
    pub delete: bool,
}

/// What the bar remembers between frames.
#[derive(Debug, Default)]
pub struct HoverBar {
    /// The message whose react pop-up is open.
    reacting: Option<u64>,
    /// The whole picker, under "More…".
    more: EmojiPicker,
}

impl HoverBar {
    /// Whether the bar of message `id` must show although the pointer is
    /// elsewhere (its pop-up is open).
    pub fn pinned(&self, id: u64) -> bool {
        self.reacting == Some(id)
    }
}

/// Draws the bar of message `id` at the right end of `row` (the row's
/// rectangle); returns what was asked: a reaction, reply or edit mode, or
/// deleting it.
pub fn hover_bar(
    ui: &mut egui::Ui,
    bar: &mut HoverBar,
    id: u64,
    row: egui::Rect,
    recent: &[String],
    allowed: Allowed,
) -> Option<Action> {
    let strings = &tr(ui.ctx()).messages;
    let mut action = None;
    let height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    let rect = egui::Rect::from_min_max(
        egui::pos2(row.right() - 320.0, row.top()),
        egui::pos2(row.right() - 4.0, row.top() + height),
    );
    let builder = egui::UiBuilder::new()
        .max_rect(rect)
        .layout(Layout::right_to_left(Align::Min));
    ui.scope_builder(builder, |ui| {
        Frame::popup(ui.style()).inner_margin(2.0).show(ui, |ui| {
            ui.spacing_mut().item_spacing.x = 2.0;
            if allowed.delete && ui.small_button(strings.delete_message).clicked() {
                action = Some(Action::Delete(Doomed::Message(id)));
            }
            if allowed.edit && ui.small_button(strings.edit).clicked() {
                action = Some(Action::Edit(id));
            }
            if ui.small_button(strings.reply).clicked() {
                action = Some(Action::ReplyTo(id));
            }
            let react = ui
                .small_button(RichText::new("😀+").family(emoji_family_in(ui.ctx())))
                .on_hover_text(strings.react_hint)
                .accessible_name(strings.react);
            if react.clicked() {
                bar.reacting = match bar.reacting {
                    Some(open) if open == id => None,
                    _ => Some(id),
                };
                bar.more.open = false;
            }
            let mut open = bar.reacting == Some(id);
            let mut picked = None;
            Popup::from_response(&react)
                .open_bool(&mut open)
                .close_behavior(PopupCloseBehavior::CloseOnClickOutside)
                .align(RectAlign::BOTTOM_END)
                .width(300.0)
                .show(|ui| {
                    ui.horizontal(|ui| {
                        for glyph in QUICK {
                            let button = Button::new(
                                RichText::new(glyph)
                                    .size(20.0)
                                    .family(emoji_family_in(ui.ctx())),
                            );
                            if ui.add(button.frame(false)).clicked() {
                                picked = Some(glyph.to_owned());
                            }
                        }
                        if ui.small_button(strings.more_emoji).clicked() {
                            match bar.more.open {
                                true => bar.more.open = false,
                                false => bar.more.open_fresh(),
                            }
                        }
                    });
                    if bar.more.open
                        && let Some(glyph) = emoji_choices(ui, &mut bar.more, recent)
                    {
                        picked = Some(glyph.to_owned());
                    }
                });
            if let Some(reaction) = picked {
                open = false;
                action = Some(Action::React { id, reaction });
            }
            if !open && bar.reacting == Some(id) {
                bar.reacting = None;
                bar.more.open = false;
            }
        });
    });
    action
}

#[cfg(test)]
mod tests {
    use super::QUICK;

    #[test]
    fn the_quick_emoji_are_in_the_table_the_fonts_are_checked_against() {
        for glyph in QUICK {
            assert!(
                crate::emoji::ALL.iter().any(|e| e.glyph == glyph),
                "{glyph}"
            );
        }
    }
}
