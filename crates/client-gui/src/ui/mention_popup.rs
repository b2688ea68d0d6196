//! Names for the entry: the pop-up of names matching the `@word` under the
//! cursor (egui's [`CompletionPopup`] shows it: arrow keys move, Enter or
//! Tab picks, Escape closes), and Tab completion of the last `@word` when
//! no pop-up is open. At the start of the text the name makes a private
//! message (`@name text`), inside it a mention. Names are compared folded:
//! "@dang" finds Đặng.
//!
//! [`CompletionPopup`]: egui::CompletionPopup

use egui::{CompletionQuery, Suggestion};
use media_chat_protocol::fold::fold;

use crate::i18n::Strings;

/// At most this many names are offered at once.
const MAX_SUGGESTIONS: usize = 8;

/// The names `partial` (what follows the `@`) begins, in `names`' order.
fn matching<'a>(names: &'a [String], partial: &str) -> impl Iterator<Item = &'a String> {
    let partial = fold(partial);
    names
        .iter()
        .filter(move |name| fold(name).starts_with(&partial))
}

/// The pop-up's names for the word under the cursor: none unless it
/// starts with `@`, or if it is the one name it matches typed out in
/// full; each inserts `@name `.
pub fn suggestions(
    query: &CompletionQuery<'_>,
    names: &dyn Fn() -> Vec<String>,
    strings: &Strings,
) -> Vec<Suggestion> {
    let Some(partial) = query.word.strip_prefix('@') else {
        return Vec::new();
    };
    let names = names();
    let what = match query.is_at_start() {
        true => strings.mention_private,
        false => strings.mention_inline,
    };
    let found: Vec<&String> = matching(&names, partial).take(MAX_SUGGESTIONS).collect();
    // A name typed out in full needs no pop-up: Enter sends.
    if let [only] = found[..]
        && fold(only) == fold(partial)
    {
        return Vec::new();
    }
    found
        .into_iter()
        .map(|name| {
            Suggestion::new(format!("@{name} "))
                .content(format!("@{name}"))
                .description(what)
        })
        .collect()
}

/// Completes the `@name` being typed at the end of `draft` to the first
/// of `names` it begins, followed by a space; returns whether it did.
pub fn complete_mention(draft: &mut String, names: &[String]) -> bool {
    let start = draft.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let Some(partial) = draft[start..].strip_prefix('@') else {
        return false;
    };
    let Some(name) = matching(names, partial).next().cloned() else {
        return false;
    };
    draft.truncate(start);
    draft.push('@');
    draft.push_str(&name);
    draft.push(' ');
    true
}

/// Whether the last word of `draft` is an `@name` being typed (then Tab
/// completes it instead of moving the focus).
pub fn completing(draft: &str) -> bool {
    draft
        .rsplit(char::is_whitespace)
        .next()
        .is_some_and(|word| word.starts_with('@'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;
    use egui::text::CharIndex;

    fn names() -> Vec<String> {
        ["An", "Đặng", "minh", "Minh-Anh"]
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn tab_completes_the_last_mention_ignoring_case_and_diacritics() {
        let names = names();
        let mut draft = "@dang".to_owned();
        assert!(complete_mention(&mut draft, &names));
        assert_eq!(draft, "@Đặng ");
        let mut draft = "hi @MI".to_owned();
        assert!(complete_mention(&mut draft, &names));
        assert_eq!(draft, "hi @minh ");
        let mut draft = "no mention".to_owned();
        assert!(!complete_mention(&mut draft, &names));
        assert_eq!(draft, "no mention");
        let mut draft = "@zz".to_owned();
        assert!(!complete_mention(&mut draft, &names));
        assert_eq!(draft, "@zz");
    }

    #[test]
    fn the_popup_offers_names_for_an_at_word_only() {
        let names = names();
        let strings = Language::English.strings();
        let ask = |text: &str, start: usize| {
            let end = text.chars().count();
            let word: String = text.chars().skip(start).collect();
            let query = CompletionQuery {
                text,
                word: &word,
                word_range: CharIndex(start)..CharIndex(end),
            };
            suggestions(&query, &|| names.clone(), strings)
                .into_iter()
                .map(|s| s.insert)
                .collect::<Vec<_>>()
        };
        assert_eq!(ask("@", 0).len(), 4);
        assert_eq!(ask("@MI", 0), ["@minh ", "@Minh-Anh "]);
        assert_eq!(ask("hi @đa", 3), ["@Đặng "]);
        assert!(ask("hi", 0).is_empty());
        assert!(ask("@zz", 0).is_empty());
        assert!(ask("@an", 0).is_empty(), "typed out in full");
        assert_eq!(ask("@minh", 0).len(), 2, "minh and Minh-Anh");
    }

    #[test]
    fn tab_completes_only_while_a_name_is_typed() {
        assert!(completing("@mi"));
        assert!(completing("hi @"));
        assert!(!completing("hi @minh "));
        assert!(!completing("hi"));
    }
}
