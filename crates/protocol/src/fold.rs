//! Text as search compares it: without case and without diacritics, so
//! `chao` finds "chào", `dang` finds "Đăng" and `Đăng` finds "dang".
//!
//! Folding decomposes the text (Unicode NFD), drops the combining marks,
//! maps the letters whose stroke or slash no decomposition removes (`đ`,
//! `ł`, `ø`, …) to their base letter and case-folds the rest. The store
//! indexes folded text and folds every query the same way; clients fold to
//! filter lists (names, rooms) the same way search does.

use std::ops::Range;

use caseless::Caseless;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// `text` without case and diacritics.
///
/// Character by character: every step maps one character to some, and
/// the only thing NFD does across characters, reordering combining marks,
/// does not matter once they are dropped. ASCII, most of any chat's text,
/// only needs lowering; the store folds every message on its writer's
/// thread.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            folded.push(c.to_ascii_lowercase());
            continue;
        }
        decompose_canonical(c, |part| {
            if !is_combining_mark(part) {
                folded.extend(std::iter::once(base_letter(part)).default_case_fold());
            }
        });
    }
    folded
}

/// The words of `text` (runs of letters and digits, with their marks), each
/// with its byte range in `text` and its folded form.
pub fn words(text: &str) -> impl Iterator<Item = (Range<usize>, String)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = chars.find(|(_, c)| c.is_alphanumeric())?;
        let mut end = text.len();
        while let Some(&(at, c)) = chars.peek() {
            if !(c.is_alphanumeric() || is_combining_mark(c)) {
                end = at;
                break;
            }
            chars.next();
        }
        Some((start..end, fold(&text[start..end])))
    })
}

/// Whether `haystack` contains `needle` once both are folded.
pub fn contains(haystack: &str, needle: &str) -> bool {
    fold(haystack).contains(&fold(needle))
}

/// The letter a character with a stroke, a slash or a bar is read as:
/// these have no canonical decomposition, so NFD leaves them whole.
fn base_letter(c: char) -> char {
    match c {
        'đ' | 'Đ' | 'ð' | 'Ð' => 'd',
        'ł' | 'Ł' => 'l',
        'ø' | 'Ø' => 'o',
        'ħ' | 'Ħ' => 'h',
        'ŧ' | 'Ŧ' => 't',
        'ƀ' | 'Ƀ' => 'b',
        'ɨ' | 'Ɨ' | 'ı' => 'i',
        'ƶ' | 'Ƶ' => 'z',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn vietnamese_folds_to_its_base_letters() {
        assert_eq!(fold("chào"), "chao");
        assert_eq!(fold("Đăng"), "dang");
        assert_eq!(fold("ĐẶNG"), "dang");
        assert_eq!(fold("Nguyễn Thị Ngọc Ánh"), "nguyen thi ngoc anh");
        assert_eq!(fold("bài tập tuần 1"), "bai tap tuan 1");
        assert_eq!(fold("ượ"), "uo");
    }

    #[test]
    fn decomposed_and_composed_input_fold_alike() {
        let composed = "Việt";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(fold(composed), fold(&decomposed));
    }

    #[test]
    fn other_languages_fold_too() {
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Łódź"), "lodz");
        assert_eq!(fold("Søren"), "soren");
        assert_eq!(fold("ÉCOLE"), "ecole");
    }

    #[test]
    fn words_have_their_ranges_in_the_original() {
        let text = "Chào @Đăng, bài-tập 12!";
        let found: Vec<_> = words(text).collect();
        let spelled: Vec<_> = found.iter().map(|(r, _)| &text[r.clone()]).collect();
        assert_eq!(spelled, ["Chào", "Đăng", "bài", "tập", "12"]);
        let folded: Vec<_> = found.iter().map(|(_, f)| f.as_str()).collect();
        assert_eq!(folded, ["chao", "dang", "bai", "tap", "12"]);
    }

    #[test]
    fn a_decomposed_word_keeps_its_marks_in_its_range() {
        let text: String = "tiếng Việt".nfd().collect();
        let found: Vec<_> = words(&text).collect();
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found[1].0.clone()], "Việt".nfd().collect::<String>());
        assert_eq!(found[1].1, "viet");
    }

    proptest::proptest! {
        #[test]
        fn folding_a_character_at_a_time_is_folding_the_whole(text in proptest::prop_oneof![
            "\\PC{0,40}",
            "[a-zA-Z ÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴàáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđĐİßẞΐǰ\u{0300}-\u{036f}]{0,40}",
        ]) {
            let whole: String = text
                .nfd()
                .filter(|c| !is_combining_mark(*c))
                .map(base_letter)
                .default_case_fold()
                .collect();
            proptest::prop_assert_eq!(fold(&text), whole);
        }
    }

    #[test]
    fn contains_ignores_case_and_diacritics() {
        assert!(contains("#bài-tập", "bai"));
        assert!(contains("Đặng Minh", "dang m"));
        assert!(!contains("an", "bình"));
    }
}
