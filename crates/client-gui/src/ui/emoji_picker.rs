//! The emoji picker: a button beside the entry opens a pop-up with a
//! search field (English names: "smile", "heart", "thumbs") over the
//! emoji, the recently used first. Picking one closes it; the composer
//! puts the emoji where the entry's cursor was.

use egui::{Popup, PopupCloseBehavior, RectAlign, RichText, ScrollArea, TextEdit};

use crate::emoji;
use crate::fonts::emoji_family_in;
use crate::i18n::tr;

/// The picker's state: open or not, and what is searched for.
#[derive(Debug, Clone, Default)]
pub struct EmojiPicker {
    /// The pop-up is showing.
    pub open: bool,
    /// The search field's text.
    pub search: String,
    /// The search field is to take the focus once it is drawn.
    focus_search: bool,
}

/// Draws the picker's button and, while open, the pop-up; returns the
/// emoji picked.
pub fn emoji_picker(
    ui: &mut egui::Ui,
    picker: &mut EmojiPicker,
    recent: &[String],
) -> Option<&'static str> {
    let strings = tr(ui.ctx());
    let button = ui
        .button(
            RichText::new("😀")
                .size(18.0)
                .family(emoji_family_in(ui.ctx())),
        )
        .on_hover_text(strings.emoji_hint)
        .accessible_name(strings.emoji_button);
    if button.clicked() {
        match picker.open {
            true => picker.open = false,
            false => picker.open_fresh(),
        }
    }
    let mut picked = None;
    let mut open = picker.open;
    Popup::from_response(&button)
        .open_bool(&mut open)
        .close_behavior(PopupCloseBehavior::CloseOnClickOutside)
        .align(RectAlign::TOP_END)
        .width(320.0)
        .show(|ui| picked = emoji_choices(ui, picker, recent));
    picker.open = open;
    if picked.is_some() {
        picker.open = false;
    }
    picked
}

/// The picker's contents: the search field over the emoji, the recently
/// used first; returns the emoji picked. Also shown by the react pop-up's
/// "More…".
pub fn emoji_choices(
    ui: &mut egui::Ui,
    picker: &mut EmojiPicker,
    recent: &[String],
) -> Option<&'static str> {
    let strings = tr(ui.ctx());
    let mut picked = None;
    let field = ui
        .add(
            TextEdit::singleline(&mut picker.search)
                .hint_text(strings.emoji_search_hint)
                .desired_width(f32::INFINITY),
        )
        .accessible_name(strings.emoji_search);
    // Not in the pop-up's first, invisible sizing pass: focus given there
    // is lost.
    if picker.focus_search && !ui.is_sizing_pass() {
        field.request_focus();
        picker.focus_search = false;
    }
    let search = &picker.search;
    let found = emoji::search(search, recent);
    // Without a search, the recent ones make a row of their own.
    let recent_count = match search.trim().is_empty() {
        true => found
            .iter()
            .take_while(|emoji| recent.iter().any(|glyph| glyph == emoji.glyph))
            .count(),
        false => 0,
    };
    if recent_count > 0 {
        ui.weak(strings.emoji_recent);
    }
    ScrollArea::vertical().max_height(240.0).show(ui, |ui| {
        if found.is_empty() {
            ui.weak(strings.emoji_none);
        }
        ui.horizontal_wrapped(|ui| {
            for (n, emoji) in found.iter().enumerate() {
                if recent_count > 0 && n == recent_count {
                    ui.end_row();
                    ui.weak(strings.emoji_all);
                    ui.end_row();
                }
                let button = ui
                    .add(
                        egui::Button::new(
                            RichText::new(emoji.glyph)
                                .size(20.0)
                                .family(emoji_family_in(ui.ctx())),
                        )
                        .frame(false),
                    )
                    .on_hover_text(emoji.name);
                if button.clicked() {
                    picked = Some(emoji.glyph);
                }
            }
        });
    });
    picked
}

impl EmojiPicker {
    /// Opens it with an empty search that takes the focus.
    pub fn open_fresh(&mut self) {
        self.open = true;
        self.search.clear();
        self.focus_search = true;
    }
}
