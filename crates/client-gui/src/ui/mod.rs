//! One file per part of the window. Each function draws from plain data
//! and returns the [`crate::action::Action`] the user asked for; none
//! touches a socket or the disk.

pub mod blocked;
pub mod chat;
pub mod clear;
pub mod composer;
pub mod delete;
pub mod dialogs;
pub mod emoji_picker;
pub mod entry;
pub mod files;
pub mod header;
pub mod hosting;
pub mod hover_bar;
pub mod invite;
pub mod link;
pub mod login;
pub mod members;
pub mod mention_popup;
pub mod palette;
pub mod paste;
pub mod preview_card;
pub mod reactions;
pub mod reply;
pub mod rich_text;
pub mod rooms;
pub mod row;
pub mod search_panel;
pub mod sidebar;
pub mod switcher;
pub mod transfers;
pub mod typing;
pub mod unopened;
pub mod view_menu;
pub mod viewer;

use egui::Color32;

use media_chat_client::display::Tone;

/// The colour a line of `kind` is drawn in, so private messages and
/// notices stand out from public chat.
pub fn line_color(ui: &egui::Ui, tone: Tone) -> Color32 {
    let dark = ui.visuals().dark_mode;
    match (tone, dark) {
        (Tone::Mine | Tone::Public, _) => ui.visuals().text_color(),
        (Tone::PrivateOut | Tone::PrivateIn, true) => Color32::from_rgb(196, 150, 255),
        (Tone::PrivateOut | Tone::PrivateIn, false) => Color32::from_rgb(120, 60, 190),
        (Tone::Notice, _) => ui.visuals().weak_text_color(),
        (Tone::Success, true) => Color32::from_rgb(110, 200, 120),
        (Tone::Success, false) => Color32::from_rgb(20, 120, 40),
        (Tone::Warning, true) => Color32::from_rgb(255, 140, 100),
        (Tone::Warning, false) => Color32::from_rgb(190, 50, 20),
    }
}
