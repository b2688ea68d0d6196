//! One file per part of the window. Each function draws from plain data
//! and returns the [`crate::action::Action`] the user asked for; none
//! touches a socket or the disk.

pub mod chat;
pub mod composer;
pub mod dialogs;
pub mod login;
pub mod side;
pub mod transfers;

use egui::Color32;

use crate::state::LineKind;

/// The colour a line of `kind` is drawn in, so private messages and
/// notices stand out from public chat.
pub fn line_color(ui: &egui::Ui, kind: LineKind) -> Color32 {
    let dark = ui.visuals().dark_mode;
    match (kind, dark) {
        (LineKind::Mine | LineKind::Public, _) => ui.visuals().text_color(),
        (LineKind::PrivateOut | LineKind::PrivateIn, true) => Color32::from_rgb(196, 150, 255),
        (LineKind::PrivateOut | LineKind::PrivateIn, false) => Color32::from_rgb(120, 60, 190),
        (LineKind::Notice, _) => ui.visuals().weak_text_color(),
        (LineKind::Success, true) => Color32::from_rgb(110, 200, 120),
        (LineKind::Success, false) => Color32::from_rgb(20, 120, 40),
        (LineKind::Warning, true) => Color32::from_rgb(255, 140, 100),
        (LineKind::Warning, false) => Color32::from_rgb(190, 50, 20),
    }
}
