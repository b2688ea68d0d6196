//! Fonts. egui's default text font lacks some Vietnamese letters (ặ, ọ, ộ
//! render as boxes) and the `→` of the seed's `[PM → x]` tag, so DejaVu Sans
//! (bundled, free licence in `assets/`) comes first; egui's own fonts stay
//! as fallbacks, and with the `monochrome_emoji_fonts` feature they cover
//! emoji (😀 👍), which the seed listed as missing.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

/// DejaVu Sans: full Vietnamese and arrows.
const DEJAVU_SANS: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// Installs the fonts and text sizes.
pub fn install(ctx: &egui::Context) {
    ctx.set_fonts(definitions());
    ctx.all_styles_mut(|style| {
        for (text_style, font) in style.text_styles.iter_mut() {
            if matches!(text_style, egui::TextStyle::Body | egui::TextStyle::Button) {
                font.size = 14.5;
            }
        }
    });
}

/// egui's default fonts with DejaVu Sans first for proportional text.
pub fn definitions() -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        "DejaVuSans".to_owned(),
        Arc::new(FontData::from_static(DEJAVU_SANS)),
    );
    fonts
        .families
        .entry(FontFamily::Proportional)
        .or_default()
        .insert(0, "DejaVuSans".to_owned());
    fonts
}
