//! Fonts. egui's default text font lacks some Vietnamese letters (ặ, ọ, ộ
//! render as boxes) and the `→` of the seed's `[PM → x]` tag, so DejaVu Sans
//! (bundled, free licence in `assets/`) comes first; egui's own fonts stay
//! as fallbacks, and with the `monochrome_emoji_fonts` feature they cover
//! emoji (😀 👍), which the seed listed as missing.
//!
//! Where the system has a colour emoji font (Noto Color Emoji on most Linux
//! desktops, Apple Color Emoji, Segoe UI Emoji), emoji are drawn from it in
//! colour (epaint's `color_fonts`); none is bundled: the free ones are 10 MB
//! or more. Emoji get a family of their own ([`emoji_family`]), the colour
//! font first: in the text family it would also give spaces and digits
//! (it has them, for keycaps), and after DejaVu Sans it would lose the
//! faces DejaVu draws in black and white.

use std::path::Path;
use std::sync::Arc;

use egui::text::{LayoutJob, TextFormat};
use egui::{FontData, FontDefinitions, FontFamily, FontId};

/// DejaVu Sans: full Vietnamese and arrows.
const DEJAVU_SANS: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// Where systems keep a colour emoji font, the likeliest first.
pub const COLOUR_EMOJI: &[&str] = &[
    "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/google-noto-color-emoji-fonts/Noto-COLRv1.ttf",
    "/usr/share/fonts/google-noto-emoji/NotoColorEmoji.ttf",
    "/usr/share/fonts/noto-emoji/NotoColorEmoji.ttf",
    "/usr/local/share/fonts/NotoColorEmoji.ttf",
    "/System/Library/Fonts/Apple Color Emoji.ttc",
    "C:\\Windows\\Fonts\\seguiemj.ttf",
];

/// The first of `candidates` that can be read.
pub fn colour_emoji_font(candidates: &[&str]) -> Option<Vec<u8>> {
    candidates
        .iter()
        .find_map(|path| std::fs::read(Path::new(path)).ok())
}

/// Installs the fonts and text sizes.
pub fn install(ctx: &egui::Context) {
    ctx.set_fonts(definitions(colour_emoji_font(COLOUR_EMOJI)));
    ctx.all_styles_mut(|style| {
        for (text_style, font) in style.text_styles.iter_mut() {
            if matches!(text_style, egui::TextStyle::Body | egui::TextStyle::Button) {
                font.size = 14.5;
            }
        }
    });
}

/// egui's default fonts with DejaVu Sans first for proportional text, then
/// `colour_emoji` (a font's bytes) if given, before egui's monochrome
/// emoji.
pub fn definitions(colour_emoji: Option<Vec<u8>>) -> FontDefinitions {
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
    // Code, and a text's first lines, have Vietnamese in them too: Hack
    // lacks most of it (ộ, ặ), DejaVu Sans fills in.
    let monospace = fonts.families.entry(FontFamily::Monospace).or_default();
    monospace.insert(1.min(monospace.len()), "DejaVuSans".to_owned());
    let mut emoji = fonts.families[&FontFamily::Proportional].clone();
    if let Some(bytes) = colour_emoji {
        fonts.font_data.insert(
            "ColourEmoji".to_owned(),
            Arc::new(FontData::from_owned(bytes)),
        );
        emoji.insert(0, "ColourEmoji".to_owned());
    }
    fonts.families.insert(emoji_family(), emoji);
    fonts
}

/// The family emoji are drawn in: the colour emoji font first, where the
/// system has one, then the text fonts.
pub fn emoji_family() -> FontFamily {
    FontFamily::Name("emoji".into())
}

/// The family to draw emoji in with `ctx`: [`emoji_family`] once
/// [`install`] gave the context its fonts, else the text family.
pub fn emoji_family_in(ctx: &egui::Context) -> FontFamily {
    let family = emoji_family();
    match ctx.fonts(|f| f.definitions().families.contains_key(&family)) {
        true => family,
        false => FontFamily::Proportional,
    }
}

/// Whether `c` is drawn from [`emoji_family`]: pictographs and symbols,
/// and what joins and styles them (ZWJ, the emoji variation selector, the
/// keycap mark). Arrows such as the seed's `→` stay text.
pub fn is_emoji(c: char) -> bool {
    matches!(
        u32::from(c),
        0x1F000..=0x1FAFF
            | 0x2600..=0x27BF
            | 0x2B00..=0x2BFF
            | 0x231A..=0x231B
            | 0x23E9..=0x23FA
            | 0x200D
            | 0x20E3
            | 0xFE0F
            | 0xE0020..=0xE007F
    )
}

/// Appends `text` to `job` in `format`, its emoji in the family `emoji`
/// (see [`emoji_family_in`]) at the same size.
pub fn append_with_emoji(job: &mut LayoutJob, text: &str, format: &TextFormat, emoji: &FontFamily) {
    let emoji = TextFormat {
        font_id: FontId::new(format.font_id.size, emoji.clone()),
        ..format.clone()
    };
    let mut start = 0;
    let mut in_emoji = false;
    for (at, c) in text.char_indices() {
        if is_emoji(c) != in_emoji {
            if at > start {
                job.append(
                    &text[start..at],
                    0.0,
                    if in_emoji {
                        emoji.clone()
                    } else {
                        format.clone()
                    },
                );
            }
            start = at;
            in_emoji = !in_emoji;
        }
    }
    if start < text.len() {
        job.append(
            &text[start..],
            0.0,
            if in_emoji { emoji } else { format.clone() },
        );
    }
}

#[cfg(test)]
mod tests {
    use egui::FontFamily;

    use egui::FontId;
    use egui::text::{LayoutJob, TextFormat};

    use super::{append_with_emoji, colour_emoji_font, definitions, emoji_family, is_emoji};

    #[test]
    fn the_first_readable_colour_font_is_used_right_after_dejavu_sans() {
        let dir = tempfile::tempdir().unwrap();
        let second = dir.path().join("second.ttf");
        std::fs::write(&second, b"not really a font").unwrap();
        let missing = dir.path().join("missing.ttf");
        let found = colour_emoji_font(&[missing.to_str().unwrap(), second.to_str().unwrap()]);
        assert_eq!(found.as_deref(), Some(&b"not really a font"[..]));
        assert_eq!(colour_emoji_font(&[missing.to_str().unwrap()]), None);

        let fonts = definitions(Some(b"bytes".to_vec()));
        let emoji = &fonts.families[&emoji_family()];
        assert_eq!(emoji[..2], ["ColourEmoji", "DejaVuSans"]);
        let proportional = &fonts.families[&FontFamily::Proportional];
        assert!(!proportional.contains(&"ColourEmoji".to_owned()));
        assert_eq!(fonts.families[&FontFamily::Monospace][1], "DejaVuSans");
        let plain = definitions(None);
        assert_eq!(
            plain.families[&emoji_family()],
            plain.families[&FontFamily::Proportional]
        );
    }

    #[test]
    fn emoji_runs_get_the_emoji_family_and_text_keeps_its_own() {
        let mut job = LayoutJob::default();
        let format = TextFormat::simple(FontId::proportional(14.0), egui::Color32::WHITE);
        append_with_emoji(&mut job, "chào 👋🏽 [PM → an] 👍 2", &format, &emoji_family());
        let runs: Vec<(&str, bool)> = job
            .sections
            .iter()
            .map(|s| {
                let text = &job.text[s.byte_range.start.0..s.byte_range.end.0];
                (text, s.format.font_id.family == emoji_family())
            })
            .collect();
        assert_eq!(
            runs,
            [
                ("chào ", false),
                ("👋🏽", true),
                (" [PM → an] ", false),
                ("👍", true),
                (" 2", false)
            ]
        );
        assert!(!is_emoji('→') && !is_emoji('2') && is_emoji('❤'));
    }
}
