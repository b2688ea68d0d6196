//! The naming and text rules every party enforces: the server on what it
//! accepts, clients on what they send and on what they save to disk.
//!
//! Names are compared after Unicode NFC normalisation, so "Đặng" typed on a
//! keyboard that composes characters and on one that does not is the same
//! name. Names that are different accounts but can be mistaken for one
//! another ("alice" and "аlice" with a Cyrillic "а") share a skeleton
//! ([`user_skeletons`]).

use caseless::Caseless;
use thiserror::Error;
use unicode_normalization::UnicodeNormalization;

/// The longest user name, in characters.
pub const MAX_USER_NAME_CHARS: usize = 32;

/// The longest file name, in UTF-8 bytes (the common file-system limit).
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// The longest message text, in UTF-8 bytes. Chosen so that every server
/// line carrying a message (`HISTORY|ts|DM|from|to|…` being the longest)
/// stays within [`crate::MAX_LINE_LEN`].
pub const MAX_TEXT_BYTES: usize = 7 * 1024;

/// Why a user name is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UserNameError {
    /// The name is empty.
    #[error("user name is empty")]
    Empty,
    /// The name has more than [`MAX_USER_NAME_CHARS`] characters.
    #[error("user name is longer than {MAX_USER_NAME_CHARS} characters")]
    TooLong,
    /// The name holds a character other than letters, digits, `_`, `-`, `.`.
    #[error("user names may only hold letters, digits, '_', '-' and '.' (found {0:?})")]
    BadChar(char),
}

/// Why a file name is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FileNameError {
    /// The name is empty.
    #[error("file name is empty")]
    Empty,
    /// The name is longer than [`MAX_FILE_NAME_BYTES`] bytes.
    #[error("file name is longer than {MAX_FILE_NAME_BYTES} bytes")]
    TooLong,
    /// The name holds a path separator, drive colon or other character that
    /// is not allowed in a file name on some system.
    #[error("file name may not contain {0:?}")]
    ForbiddenChar(char),
    /// The name holds a control character.
    #[error("file name may not contain control characters")]
    ControlChar,
    /// The name holds a bidirectional-text override, which can disguise an
    /// extension ("gpj.exe" shown as "exe.jpg").
    #[error("file name may not contain bidirectional text controls")]
    BidiControl,
    /// The name starts with `.` (hidden files, `.` and `..`).
    #[error("file name may not start with '.'")]
    LeadingDot,
    /// The name starts or ends with a space, or ends with `.`, which some
    /// systems silently drop.
    #[error("file name may not start with a space or end with '.' or a space")]
    BadEdge,
    /// The name is a reserved device name on Windows (`CON`, `NUL`, `COM1`…).
    #[error("file name is reserved on Windows")]
    Reserved,
}

/// Why message text is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    /// The text is empty.
    #[error("message is empty")]
    Empty,
    /// The text is longer than [`MAX_TEXT_BYTES`].
    #[error("message is longer than {MAX_TEXT_BYTES} bytes")]
    TooLong,
    /// The text holds a control character other than tab (terminal escape
    /// codes among them).
    #[error("message may not contain control characters (found U+{0:04X})")]
    ControlChar(u32),
    /// The text holds a bidirectional embedding, override or isolate,
    /// which reorders how the rest of the line is shown (and can make a
    /// message look like something else). The plain marks (LRM, RLM, ALM)
    /// are allowed.
    #[error("message may not contain bidirectional text overrides (found U+{0:04X})")]
    BidiOverride(u32),
}

/// Normalises a user name to NFC and checks it: 1 to 32 characters, each a
/// Unicode letter or digit or one of `_ - .`.
pub fn normalize_user_name(name: &str) -> Result<String, UserNameError> {
    let name: String = name.nfc().collect();
    let mut count = 0;
    for c in name.chars() {
        count += 1;
        if !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')) {
            return Err(UserNameError::BadChar(c));
        }
    }
    match count {
        0 => Err(UserNameError::Empty),
        n if n > MAX_USER_NAME_CHARS => Err(UserNameError::TooLong),
        _ => Ok(name),
    }
}

/// The most distinct names one message mentions (the rest are not
/// mentions).
pub const MAX_MENTIONS: usize = 20;

/// The user keys a message mentions: each word starting with `@`, without
/// the punctuation that ends it (`@bình,` and `@Bình!` mention `bình`), at
/// most [`MAX_MENTIONS`] distinct names, in order. The server counts these
/// as mentions and clients highlight them by the same rule.
pub fn mentions(text: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for word in text.split(char::is_whitespace) {
        let Some(name) = word.strip_prefix('@') else {
            continue;
        };
        let name = name.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_');
        if name.is_empty() || keys.len() == MAX_MENTIONS {
            continue;
        }
        let key = user_key(name);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// The word `@here` stands for: everyone online in the room or group
/// (see [`mentions_here`]).
pub const HERE: &str = "here";

/// Whether a message text says `@here` (by the [`mentions`] rule): the
/// server counts it as a mention of each member online at that moment.
pub fn mentions_here(text: &str) -> bool {
    mentions(text).iter().any(|key| key == HERE)
}

/// The key two user names are compared by: NFC, then lower case, so
/// "Minh" and "minh" are the same user.
pub fn user_key(name: &str) -> String {
    name.nfc().collect::<String>().to_lowercase()
}

/// The confusable skeletons of a user name: two names can be mistaken for
/// each other when they share one (Unicode UTS #39 confusable detection).
/// The server refuses to register a name sharing a skeleton with an existing
/// account; logging in still goes by [`user_key`].
///
/// A skeleton is the UTS #39 skeleton of the name after NFKC (fullwidth
/// "ａ" is "a"), case folded afterwards as well, since people read names
/// regardless of case. It maps only characters that look alike: Cyrillic
/// "а" and "і" to Latin "a" and "i", "0" to "o", "I" and "1" to "l", "rn" to
/// "m" (the skeleton itself is not meant for display). Accents stay, so
/// distinct Vietnamese names stay distinct: "Hải", "Hài" and "Hai",
/// "Nguyễn" and "Nguyen", "Đăng" and "Dang" ("Đ" keeps its stroke; only the
/// look-alike eth "Ð" shares it).
///
/// There are two, both returned when they differ: one of the name as
/// written, so "BiII" (capital i) is seen to look like "Bill", and one of the
/// name case folded first, so "АLICE" (Cyrillic capital А) is seen to look
/// like "alice". Folding first alone would miss the first: it turns "I"
/// into "i" before the skeleton could map it to "l".
pub fn user_skeletons(name: &str) -> Vec<String> {
    let compatible: String = name.nfkc().collect();
    let folded: String = compatible.chars().default_case_fold().nfkc().collect();
    let skeleton = |text: &str| -> String {
        unicode_security::skeleton(text)
            .default_case_fold()
            .nfd()
            .collect()
    };
    let mut skeletons = vec![skeleton(&compatible)];
    let of_folded = skeleton(&folded);
    if of_folded != skeletons[0] {
        skeletons.push(of_folded);
    }
    skeletons
}

/// Normalises a file name to NFC and checks it is a safe base name: no path
/// separators or drive letters, no control or bidi characters, no leading
/// dot, no trailing dot or space, at most 255 bytes, not a Windows device
/// name, and none of the characters Windows forbids (`< > : " | ? *`).
pub fn normalize_file_name(name: &str) -> Result<String, FileNameError> {
    let name: String = name.nfc().collect();
    if name.is_empty() {
        return Err(FileNameError::Empty);
    }
    if name.len() > MAX_FILE_NAME_BYTES {
        return Err(FileNameError::TooLong);
    }
    for c in name.chars() {
        if c.is_control() {
            return Err(FileNameError::ControlChar);
        }
        if is_bidi_control(c) {
            return Err(FileNameError::BidiControl);
        }
        if matches!(c, '/' | '\\' | ':' | '<' | '>' | '"' | '|' | '?' | '*') {
            return Err(FileNameError::ForbiddenChar(c));
        }
    }
    if name.starts_with('.') {
        return Err(FileNameError::LeadingDot);
    }
    if name.starts_with(' ') || name.ends_with(['.', ' ']) {
        return Err(FileNameError::BadEdge);
    }
    if is_windows_device_name(&name) {
        return Err(FileNameError::Reserved);
    }
    Ok(name)
}

/// The extension of a file name in lower case, without the dot; `None` when
/// the name has no dot.
pub fn file_extension(name: &str) -> Option<String> {
    name.rsplit_once('.')
        .map(|(_, extension)| extension.to_lowercase())
}

/// Checks message text: not empty, at most [`MAX_TEXT_BYTES`], no control
/// characters other than tab, and no bidirectional overrides.
pub fn check_text(text: &str) -> Result<(), TextError> {
    if text.is_empty() {
        return Err(TextError::Empty);
    }
    if text.len() > MAX_TEXT_BYTES {
        return Err(TextError::TooLong);
    }
    for c in text.chars() {
        if c.is_control() && c != '\t' {
            return Err(TextError::ControlChar(c as u32));
        }
        if is_bidi_control(c) && !matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}') {
            return Err(TextError::BidiOverride(c as u32));
        }
    }
    Ok(())
}

/// Whether `c` is a bidirectional-text control (an embedding, override,
/// isolate or mark), which no name and no announced title may hold.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn is_windows_device_name(name: &str) -> bool {
    let stem = name
        .split('.')
        .next()
        .unwrap_or(name)
        .trim_end()
        .to_ascii_uppercase();
    matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn here_is_a_mention_word() {
        assert!(super::mentions_here("@here họp nhé"));
        assert!(super::mentions_here("họp nhé @HERE!"));
        assert!(!super::mentions_here("here họp nhé"));
        assert!(!super::mentions_here("@hereafter"));
    }

    use std::collections::HashSet;

    use super::*;

    #[test]
    fn mentions_are_at_words_without_their_punctuation_at_most_twenty() {
        assert_eq!(mentions("hi @Bình, @an! và @bình"), ["bình", "an"]);
        assert_eq!(mentions("email bình@x.org @ @"), Vec::<String>::new());
        let many: String = (0..30).map(|i| format!("@u{i} ")).collect();
        assert_eq!(mentions(&many).len(), MAX_MENTIONS);
    }

    /// Whether two names share a skeleton, as the server checks them.
    fn user_names_look_alike(a: &str, b: &str) -> bool {
        let b = user_skeletons(b);
        user_skeletons(a)
            .iter()
            .any(|skeleton| b.contains(skeleton))
    }

    #[test]
    fn vietnamese_names_are_users() {
        for name in ["Đặng", "Cường", "trần_hải.đăng", "user-1", "a", "李雷"] {
            assert_eq!(normalize_user_name(name).as_deref(), Ok(name));
        }
        // Decomposed input (as macOS keyboards produce) becomes NFC.
        let decomposed = "Cu\u{031B}o\u{031B}\u{0300}ng";
        assert_eq!(normalize_user_name(decomposed).unwrap(), "Cường");
        assert_eq!(user_key(decomposed), user_key("CƯỜNG"));
    }

    #[test]
    fn look_alike_user_names_share_a_skeleton() {
        for (a, b) in [
            ("alice", "\u{0430}lice"), // Cyrillic а
            ("alice", "ａｌｉｃｅ"),   // fullwidth
            ("alice", "al\u{0456}ce"), // Cyrillic і
            ("alice", "\u{0410}LICE"), // Cyrillic capital А, capitals
            ("alice", "aIice"),        // capital I for l
            ("alice", "a1ice"),        // digit 1 for l
            ("Bill", "BiII"),
            ("bill", "ＢＩＬＬ"),
            ("mary", "rnary"),
            ("user0", "userO"),
            ("Đặng", "\u{00D0}ặng"), // eth for d with stroke
            ("Đặng", "Đa\u{0323}\u{0306}ng"),
        ] {
            assert!(user_names_look_alike(a, b), "{a:?} and {b:?}");
            assert!(user_names_look_alike(b, a), "{b:?} and {a:?}");
        }
    }

    #[test]
    fn distinct_vietnamese_names_keep_distinct_skeletons() {
        for (a, b) in [
            ("Nguyễn", "Nguyen"),
            ("Hải", "Hài"),
            ("Hải", "Hai"),
            ("Đăng", "Dang"),
            ("Đặng", "Đăng"),
            ("Dương", "Duong"),
            ("Cường", "Cương"),
            ("trần_hải.đăng", "tran_hai.dang"),
            ("ali", "all"),
            ("iris", "lris"),
        ] {
            assert!(!user_names_look_alike(a, b), "{a:?} and {b:?}");
        }
        // Every tone on every Vietnamese vowel: 72 syllables, 72 skeletons.
        let mut seen = std::collections::HashMap::new();
        for vowel in ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"] {
            for tone in ["", "\u{300}", "\u{301}", "\u{303}", "\u{309}", "\u{323}"] {
                let syllable: String = format!("h{vowel}{tone}n").nfc().collect();
                for skeleton in user_skeletons(&syllable) {
                    if let Some(other) = seen.insert(skeleton, syllable.clone()) {
                        assert_eq!(other, syllable, "{other:?} and {syllable:?} collide");
                    }
                }
            }
        }
        assert_eq!(seen.values().collect::<HashSet<_>>().len(), 72);
    }

    #[test]
    fn case_alone_shares_the_folded_skeleton() {
        for (a, b) in [("Minh", "MINH"), ("đặng", "ĐẶNG"), ("Ian", "ian")] {
            assert_eq!(user_skeletons(a).last(), user_skeletons(b).last());
        }
        assert_eq!(user_skeletons("alice"), ["alice"]);
        assert_eq!(user_skeletons("BiII"), ["bill", "biii"]);
        assert_eq!(user_skeletons("MINH"), ["mlnh", "rninh"]);
    }

    #[test]
    fn bad_user_names_say_why() {
        assert_eq!(normalize_user_name(""), Err(UserNameError::Empty));
        assert_eq!(
            normalize_user_name(&"a".repeat(33)),
            Err(UserNameError::TooLong)
        );
        assert_eq!(
            normalize_user_name(&"đ".repeat(32)).map(|n| n.chars().count()),
            Ok(32)
        );
        for (name, c) in [
            ("a b", ' '),
            ("a|b", '|'),
            ("a,b", ','),
            ("a\nb", '\n'),
            ("x@y", '@'),
        ] {
            assert_eq!(
                normalize_user_name(name),
                Err(UserNameError::BadChar(c)),
                "{name:?}"
            );
        }
    }

    #[test]
    fn safe_file_names_pass() {
        for name in [
            "ảnh chụp.png",
            "a (1).txt",
            "report.final.pdf",
            "..a",
            "a..b.txt",
            "CONSOLE.txt",
        ] {
            let result = normalize_file_name(name);
            if name == "..a" {
                assert_eq!(result, Err(FileNameError::LeadingDot));
            } else {
                assert_eq!(result.as_deref(), Ok(name), "{name}");
            }
        }
    }

    #[test]
    fn dangerous_file_names_are_refused() {
        let table = [
            ("", FileNameError::Empty),
            ("../etc/passwd", FileNameError::ForbiddenChar('/')),
            ("..\\boot.ini", FileNameError::ForbiddenChar('\\')),
            ("/etc/passwd", FileNameError::ForbiddenChar('/')),
            ("C:\\x.txt", FileNameError::ForbiddenChar(':')),
            ("C:x.txt", FileNameError::ForbiddenChar(':')),
            ("..", FileNameError::LeadingDot),
            (".", FileNameError::LeadingDot),
            (".bashrc", FileNameError::LeadingDot),
            ("a\0.txt", FileNameError::ControlChar),
            ("a\u{1b}[31m.txt", FileNameError::ControlChar),
            ("a\u{7f}.txt", FileNameError::ControlChar),
            ("evil\u{202E}gnp.exe", FileNameError::BidiControl),
            ("a\u{2067}.txt", FileNameError::BidiControl),
            ("a.txt.", FileNameError::BadEdge),
            ("a.txt ", FileNameError::BadEdge),
            (" a.txt", FileNameError::BadEdge),
            ("a|b.txt", FileNameError::ForbiddenChar('|')),
            ("what?.txt", FileNameError::ForbiddenChar('?')),
            ("CON", FileNameError::Reserved),
            ("nul.txt", FileNameError::Reserved),
            ("com1.png", FileNameError::Reserved),
        ];
        for (name, error) in table {
            assert_eq!(normalize_file_name(name), Err(error), "{name:?}");
        }
        let long = format!("{}.txt", "đ".repeat(126));
        assert_eq!(long.len(), 256);
        assert_eq!(normalize_file_name(&long), Err(FileNameError::TooLong));
    }

    #[test]
    fn names_are_never_url_decoded() {
        assert_eq!(
            normalize_file_name("%2e%2e%2fetc").as_deref(),
            Ok("%2e%2e%2fetc")
        );
    }

    #[test]
    fn extensions_ignore_case() {
        assert_eq!(file_extension("A.PNG").as_deref(), Some("png"));
        assert_eq!(file_extension("a.tar.GZ").as_deref(), Some("gz"));
        assert_eq!(file_extension("README"), None);
    }

    #[test]
    fn text_rules() {
        assert_eq!(check_text("xin chào\tbạn 😀"), Ok(()));
        assert_eq!(check_text(""), Err(TextError::Empty));
        assert_eq!(check_text("\u{1b}[2J"), Err(TextError::ControlChar(0x1b)));
        assert_eq!(check_text("a\0b"), Err(TextError::ControlChar(0)));
        assert_eq!(check_text("a\u{85}b"), Err(TextError::ControlChar(0x85)));
        assert_eq!(check_text(&"a".repeat(MAX_TEXT_BYTES)), Ok(()));
        assert_eq!(
            check_text(&"a".repeat(MAX_TEXT_BYTES + 1)),
            Err(TextError::TooLong)
        );
        assert_eq!(
            check_text("see \u{202e}gpj.exe"),
            Err(TextError::BidiOverride(0x202e))
        );
        assert_eq!(
            check_text("\u{2067}x"),
            Err(TextError::BidiOverride(0x2067))
        );
        assert_eq!(check_text("שלום\u{200f} hi"), Ok(()));
    }
}
