//! The emoji the picker offers ([`table::ALL`], a built-in table: no
//! network, no font beyond egui's) and finding them by name: every word
//! of the search must begin a word of an emoji's name or keywords, case
//! and diacritics ignored. Recently used emoji come first.

mod table;

use media_chat_protocol::fold::fold;

pub use table::ALL;

/// How many recently used emoji are remembered.
pub const RECENT: usize = 24;

/// One emoji of the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Emoji {
    /// What is inserted (one character, drawn by the bundled fonts).
    pub glyph: &'static str,
    /// Its Unicode name in lower case ("face with tears of joy").
    pub name: &'static str,
    /// Other words it is searched by ("joy laugh lol").
    pub keywords: &'static str,
}

impl Emoji {
    /// An entry of the table.
    pub const fn new(glyph: &'static str, name: &'static str, keywords: &'static str) -> Self {
        Emoji {
            glyph,
            name,
            keywords,
        }
    }

    /// Whether every word of the folded `query` begins one of its words.
    fn matches(&self, query: &[String]) -> bool {
        let words: Vec<String> = self
            .name
            .split_whitespace()
            .chain(self.keywords.split_whitespace())
            .map(fold)
            .collect();
        query
            .iter()
            .all(|wanted| words.iter().any(|word| word.starts_with(wanted.as_str())))
    }
}

/// The emoji matching `query` (all of them when it is blank), those in
/// `recent` first in the order used, then the table's order.
pub fn search(query: &str, recent: &[String]) -> Vec<&'static Emoji> {
    let wanted: Vec<String> = query.split_whitespace().map(fold).collect();
    let matching = |emoji: &&'static Emoji| wanted.is_empty() || emoji.matches(&wanted);
    let mut found: Vec<&'static Emoji> = recent
        .iter()
        .filter_map(|glyph| ALL.iter().find(|emoji| emoji.glyph == glyph))
        .filter(matching)
        .collect();
    found.extend(
        ALL.iter()
            .filter(matching)
            .filter(|emoji| !recent.iter().any(|glyph| glyph == emoji.glyph)),
    );
    found
}

/// Puts `glyph` first among the recently used, keeping at most
/// [`RECENT`].
pub fn used(recent: &mut Vec<String>, glyph: &str) {
    recent.retain(|g| g != glyph);
    recent.insert(0, glyph.to_owned());
    recent.truncate(RECENT);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(found: &[&Emoji]) -> Vec<&'static str> {
        found.iter().map(|e| e.glyph).collect()
    }

    #[test]
    fn found_by_english_names_and_short_names() {
        assert!(glyphs(&search("smile", &[])).contains(&"😄"));
        assert!(glyphs(&search("heart", &[])).contains(&"❤"));
        assert!(glyphs(&search("THUMBS", &[])).starts_with(&["👍", "👎"]));
        assert_eq!(glyphs(&search("tada", &[])), ["🎉"]);
        assert_eq!(glyphs(&search("thumbs down", &[])), ["👎"]);
        // A word's beginning, not any part of it: "ear" is no heart.
        assert!(!glyphs(&search("ear", &[])).contains(&"❤"));
        assert!(search("no such emoji name", &[]).is_empty());
        assert_eq!(search("  ", &[]).len(), ALL.len());
    }

    #[test]
    fn recently_used_come_first_and_once() {
        let mut recent = Vec::new();
        used(&mut recent, "🎉");
        used(&mut recent, "👍");
        used(&mut recent, "🎉");
        assert_eq!(recent, ["🎉", "👍"]);
        let all = search("", &recent);
        assert_eq!(glyphs(&all[..3]), ["🎉", "👍", "😀"]);
        assert_eq!(all.len(), ALL.len());
        assert_eq!(glyphs(&search("thumbs", &recent)), ["👍", "👎"]);
        for emoji in &ALL[..40] {
            used(&mut recent, emoji.glyph);
        }
        assert_eq!(recent.len(), RECENT);
        assert_eq!(recent[0], ALL[39].glyph);
    }

    #[test]
    fn every_emoji_is_drawn_by_the_bundled_fonts_and_listed_once() {
        let ctx = egui::Context::default();
        crate::fonts::install(&ctx);
        let mut output = ctx.run_ui(Default::default(), |_| {});
        output.textures_delta.clear();
        let font = egui::FontId::proportional(20.0);
        let missing: Vec<&str> = ctx.fonts_mut(|fonts| {
            ALL.iter()
                .map(|emoji| emoji.glyph)
                .filter(|glyph| !fonts.has_glyphs(&font, glyph))
                .collect()
        });
        assert!(missing.is_empty(), "no font draws {missing:?}");
        let mut seen = std::collections::HashSet::new();
        for emoji in ALL {
            assert!(seen.insert(emoji.glyph), "{} twice", emoji.glyph);
            assert_eq!(emoji.glyph.chars().count(), 1, "{}", emoji.name);
        }
    }
}
