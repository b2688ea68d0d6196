//! The **View** menu: the theme (like the system, light, dark) and the
//! text size (also Ctrl +, Ctrl − and Ctrl 0, which egui handles). Both
//! live in the egui context, where the menu changes them; the app notices
//! the change and remembers it.

use egui::gui_zoom;

use crate::i18n::tr;
use crate::settings::{NORMAL_TEXT_SIZE, Theme};

/// Draws the menu's button.
pub fn view_menu(ui: &mut egui::Ui) {
    let strings = tr(ui.ctx());
    ui.menu_button(strings.view_menu, |ui| {
        let current = Theme::of(ui.ctx().options(|o| o.theme_preference));
        ui.label(strings.theme);
        for (theme, name) in [
            (Theme::System, strings.theme_system),
            (Theme::Light, strings.theme_light),
            (Theme::Dark, strings.theme_dark),
        ] {
            if ui.radio(current == theme, name).clicked() {
                ui.ctx().set_theme(theme.preference());
            }
        }
        ui.separator();
        let ctx = ui.ctx().clone();
        ui.label((strings.text_size)(ctx.zoom_factor() * 100.0));
        if ui.button(strings.larger).clicked() {
            gui_zoom::zoom_in(&ctx);
        }
        if ui.button(strings.smaller).clicked() {
            gui_zoom::zoom_out(&ctx);
        }
        if ui.button(strings.reset_size).clicked() {
            ctx.set_zoom_factor(f32::from(NORMAL_TEXT_SIZE) / 100.0);
        }
    });
}
