//! Sender colours: each name gets one of a few curated colours, picked by
//! a stable hash of the name (any spelling of its case), so a person keeps
//! their colour across runs and machines. Each theme has its own palette,
//! every colour readable on that theme's background.

use egui::Color32;

/// Colours light enough to read on the dark theme's panels.
const ON_DARK: [Color32; 10] = [
    Color32::from_rgb(255, 138, 128),
    Color32::from_rgb(255, 183, 77),
    Color32::from_rgb(230, 210, 90),
    Color32::from_rgb(129, 212, 120),
    Color32::from_rgb(77, 208, 225),
    Color32::from_rgb(120, 185, 250),
    Color32::from_rgb(185, 160, 235),
    Color32::from_rgb(244, 143, 177),
    Color32::from_rgb(200, 180, 170),
    Color32::from_rgb(128, 210, 196),
];

/// Colours dark enough to read on the light theme's panels.
const ON_LIGHT: [Color32; 10] = [
    Color32::from_rgb(183, 28, 28),
    Color32::from_rgb(170, 75, 0),
    Color32::from_rgb(120, 100, 0),
    Color32::from_rgb(27, 115, 40),
    Color32::from_rgb(0, 105, 125),
    Color32::from_rgb(21, 90, 190),
    Color32::from_rgb(94, 53, 177),
    Color32::from_rgb(173, 20, 87),
    Color32::from_rgb(109, 76, 65),
    Color32::from_rgb(0, 105, 92),
];

/// The colour `name` is shown in, on the dark or the light theme.
pub fn sender_color(name: &str, dark: bool) -> Color32 {
    let palette = if dark { &ON_DARK } else { &ON_LIGHT };
    palette[(fnv1a(&name.to_lowercase()) % palette.len() as u64) as usize]
}

/// FNV-1a: tiny, and the same on every build (std's hasher may change).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG's relative luminance.
    fn luminance(color: Color32) -> f32 {
        let linear = |c: u8| {
            let c = f32::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(color.r()) + 0.7152 * linear(color.g()) + 0.0722 * linear(color.b())
    }

    fn contrast(a: Color32, b: Color32) -> f32 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    #[test]
    fn every_colour_is_readable_on_its_theme() {
        for (palette, visuals) in [
            (&ON_DARK, egui::Visuals::dark()),
            (&ON_LIGHT, egui::Visuals::light()),
        ] {
            for background in [
                visuals.panel_fill,
                visuals.window_fill,
                visuals.extreme_bg_color,
            ] {
                for color in palette {
                    let ratio = contrast(*color, background);
                    assert!(ratio >= 4.5, "{color:?} on {background:?}: {ratio:.2}");
                }
            }
        }
    }

    #[test]
    fn a_name_keeps_its_colour_whatever_its_case_and_names_differ() {
        assert_eq!(sender_color("Đăng", true), sender_color("đăng", true));
        assert_eq!(sender_color("Minh", false), sender_color("minh", false));
        let names = ["Đăng", "Minh", "an", "bình", "Lan", "Hùng", "Thảo", "bob"];
        let colours: std::collections::HashSet<_> =
            names.iter().map(|n| sender_color(n, true)).collect();
        assert!(colours.len() >= 5, "{colours:?}");
    }
}
