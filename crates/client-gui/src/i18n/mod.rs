//! The window's words, one table per language ([`Strings`]): English by
//! default, Vietnamese when the system language is Vietnamese. A language
//! is one more file holding one more `Strings` value.
//!
//! The app puts its language in the egui context each frame
//! ([`install`]); UI functions read the table with [`tr`], so a window
//! shows one language at a time. Without [`install`] (a test drawing one
//! panel) it is English. The table's larger parts have their own types:
//! `screens`, `dialogs`, `notices`.

mod dialogs;
mod en;
mod messages;
mod notices;
mod screens;
mod vi;

use std::path::Path;

use bytesize::ByteSize;
use chrono::{Datelike, NaiveDate};
use media_chat_client::phrases::Phrases;
use media_chat_client::{ConnectError, SendError, TransferError};

pub use dialogs::Dialogs;
pub use messages::Messages;
pub use notices::Notices;
pub use screens::Screens;

/// A language the window speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// English (the default).
    #[default]
    English,
    /// Tiếng Việt.
    Vietnamese,
}

impl Language {
    /// The system's language, as POSIX ranks its variables (`LC_ALL`,
    /// then `LC_MESSAGES`, then `LANG`): Vietnamese if it starts with
    /// `vi`, else English.
    pub fn from_env() -> Language {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty())
            .unwrap_or_default();
        Language::from_locale(&locale)
    }

    /// The language of a locale name such as `vi_VN.UTF-8`.
    pub fn from_locale(locale: &str) -> Language {
        if locale.to_ascii_lowercase().starts_with("vi") {
            Language::Vietnamese
        } else {
            Language::English
        }
    }

    /// Its table.
    pub fn strings(self) -> &'static Strings {
        match self {
            Language::English => &en::STRINGS,
            Language::Vietnamese => &vi::STRINGS,
        }
    }
}

/// Makes `language` the one the window's panels speak.
pub fn install(ctx: &egui::Context, language: Language) {
    ctx.data_mut(|d| d.insert_temp(egui::Id::NULL, language));
}

/// The table of the language installed in `ctx` (English if none).
pub fn tr(ctx: &egui::Context) -> &'static Strings {
    ctx.data(|d| d.get_temp::<Language>(egui::Id::NULL))
        .unwrap_or_default()
        .strings()
}

/// Every user-facing text of the desktop client in one language. Plain
/// texts are `&str`; texts with something filled in are functions.
pub struct Strings {
    // The chat pane.
    /// The day separator of today.
    pub today: &'static str,
    /// The day separator of yesterday.
    pub yesterday: &'static str,
    /// The names of the week's days, Monday first.
    pub weekdays: [&'static str; 7],
    /// An older day: weekday, day, month, year.
    pub date: fn(&str, NaiveDate) -> String,
    /// The line above the first message that came since the user last read.
    pub new_since_you_left: &'static str,
    /// The button to the newest lines while scrolled up.
    pub new_messages: fn(usize) -> String,
    /// Paging back, under way.
    pub loading_older: &'static str,
    /// Paging back, the button.
    pub load_older: &'static str,
    /// Nothing older.
    pub beginning: &'static str,
    /// How the user's own name is marked.
    pub you: &'static str,
    /// A failed message: why.
    pub not_delivered: fn(&str) -> String,
    /// Send a failed message again.
    pub retry: &'static str,
    /// Retry's hint.
    pub retry_hint: &'static str,
    /// Forget a failed message.
    pub discard: &'static str,
    /// The pending clock's name.
    pub pending: &'static str,
    /// The pending clock's hint.
    pub pending_hint: &'static str,
    /// A thumbnail's name.
    pub open_picture: fn(&str) -> String,
    /// A thumbnail's hint.
    pub open_full_size: &'static str,

    // The composer.
    /// The entry's hint.
    pub entry_hint: &'static str,
    /// The entry's accessible name.
    pub entry_name: &'static str,
    /// The `@` pop-up, at the start of the text: the name makes a private
    /// message.
    pub mention_private: &'static str,
    /// The `@` pop-up, inside the text: the name is a mention.
    pub mention_inline: &'static str,
    /// The emoji picker's button, its accessible name.
    pub emoji_button: &'static str,
    /// Its hint.
    pub emoji_hint: &'static str,
    /// The picker's search field, its accessible name.
    pub emoji_search: &'static str,
    /// Its hint.
    pub emoji_search_hint: &'static str,
    /// Over the recently used emoji.
    pub emoji_recent: &'static str,
    /// Over the rest.
    pub emoji_all: &'static str,
    /// No emoji has the name searched for.
    pub emoji_none: &'static str,
    /// `@name` with nothing after it.
    pub write_as_private: &'static str,
    /// The Send button.
    pub send: &'static str,
    /// The Send File button.
    pub send_file: &'static str,
    /// Its hint.
    pub send_file_hint: &'static str,
    /// The Get File button.
    pub get_file: &'static str,
    /// The Clear button.
    pub clear: &'static str,
    /// Its hint.
    pub clear_hint: &'static str,
    /// The Exit button.
    pub exit: &'static str,
    /// While the cache is being cleared.
    pub clearing: &'static str,

    // Clear's confirmation.
    /// Its title.
    pub clear_title: &'static str,
    /// What it will remove: files, bytes.
    pub clear_question: fn(u64, u64) -> String,
    /// Nothing to remove.
    pub clear_nothing: &'static str,
    /// Confirm.
    pub delete: &'static str,
    /// Back out of a dialog.
    pub cancel: &'static str,
    /// Close a dialog.
    pub close: &'static str,

    // The connection.
    /// Lost: why.
    pub link_lost: fn(&str) -> String,
    /// Reconnecting: seconds, attempt.
    pub link_reconnecting: fn(f32, u32) -> String,
    /// Reconnect at once.
    pub reconnect_now: &'static str,
    /// Back after a loss.
    pub reconnected: &'static str,
    /// The online list while disconnected: since when.
    pub offline_since: fn(&str) -> String,

    // The members.
    /// The heading: how many.
    pub members_heading: fn(usize) -> String,
    /// How many online.
    pub online_count: fn(usize) -> String,
    /// The heading on a version 2 server: how many online.
    pub online_heading: fn(usize) -> String,
    /// Members still loading.
    pub loading_members: &'static str,
    /// Presence.
    pub online: &'static str,
    /// Presence.
    pub offline: &'static str,
    /// A role.
    pub owner: &'static str,
    /// A role.
    pub moderator: &'static str,
    /// A role.
    pub invited: &'static str,
    /// The user's own row's hint.
    pub you_hint: &'static str,
    /// Another member's row's hint.
    pub write_privately: fn(&str) -> String,

    // The view menu.
    /// The menu's button.
    pub view_menu: &'static str,
    /// The theme's heading.
    pub theme: &'static str,
    /// Follow the system.
    pub theme_system: &'static str,
    /// Light.
    pub theme_light: &'static str,
    /// Dark.
    pub theme_dark: &'static str,
    /// Text size: percent.
    pub text_size: fn(f32) -> String,
    /// Larger text.
    pub larger: &'static str,
    /// Smaller text.
    pub smaller: &'static str,
    /// Back to the normal size.
    pub reset_size: &'static str,

    // The window.
    /// Under the header: user, server.
    pub on_server: fn(&str, &str) -> String,
    /// The narrow window's toggle.
    pub members_and_files: &'static str,
    /// Its hint.
    pub members_and_files_hint: &'static str,
    /// Over the window while a file is dragged.
    pub drop_to_share: &'static str,

    // Files and transfers.
    /// The heading: how many.
    pub shared_files: fn(usize) -> String,
    /// None yet.
    pub nothing_shared: &'static str,
    /// The files panel: the user's quota used, its limit, the largest
    /// upload that fits now.
    pub quota_of: fn(&str, &str, &str) -> String,
    /// The same without a per-user limit: used, what fits.
    pub quota_unlimited: fn(&str, &str) -> String,
    /// The button.
    pub download: &'static str,
    /// Its hint: the name.
    pub download_hint: fn(&str) -> String,
    /// Every byte moved: the size.
    pub verifying: fn(&str) -> String,

    // Errors in plain words.
    /// A file cannot be sent: name, why.
    pub cannot_send: fn(&str, &str) -> String,
    /// A file cannot be fetched: name, why.
    pub cannot_get: fn(&str, &str) -> String,
    /// Too big: size, limit (both in words).
    pub too_large: fn(&str, &str) -> String,
    /// A type the server refuses: extension, the allowed ones.
    pub type_not_allowed: fn(&str, &str) -> String,
    /// A folder or device.
    pub not_a_file: &'static str,
    /// A name the server cannot keep: why.
    pub bad_name: fn(&str) -> String,
    /// Not connected now.
    pub not_connected: &'static str,
    /// Too much waits.
    pub congested: &'static str,
    /// An old server.
    pub old_server: &'static str,
    /// No such file or folder.
    pub io_not_found: &'static str,
    /// No permission.
    pub io_denied: &'static str,
    /// Nothing answers there.
    pub io_refused: &'static str,
    /// No answer in time.
    pub io_timed_out: &'static str,
    /// The connection broke.
    pub io_broken: &'static str,
    /// An unknown host.
    pub io_no_host: &'static str,
    /// The disk is full.
    pub io_full: &'static str,
    /// Anything else: the system's words.
    pub io_other: fn(&str) -> String,
    /// Login: the server cannot be reached: why.
    pub cannot_reach: fn(&str) -> String,
    /// Login: an answer not understood: what.
    pub unexpected_answer: fn(&str) -> String,
    /// Login: TLS failed: why.
    pub tls_failed: fn(&str) -> String,
    /// Login: the certificate changed.
    pub certificate_changed: &'static str,
    /// Login: the certificate is unknown.
    pub certificate_unknown: &'static str,

    /// The login screen, the sidebar, the header, hosting, the certificate.
    pub screens: Screens,
    /// The dialogs.
    pub dialogs: Dialogs,
    /// The window's own lines.
    pub notices: Notices,
    /// Reactions, replies, the message menu and search.
    pub messages: Messages,
    /// The chat lines the client engine writes (shares, room changes,
    /// transfers, "(edited)"), in this language.
    pub lines: Phrases,
}

impl Strings {
    /// A day separator: today, yesterday, or the date.
    pub fn day(&self, day: NaiveDate, today: NaiveDate) -> String {
        if day == today {
            self.today.to_owned()
        } else if today.pred_opt() == Some(day) {
            self.yesterday.to_owned()
        } else {
            let weekday = self.weekdays[day.weekday().num_days_from_monday() as usize];
            (self.date)(weekday, day)
        }
    }

    /// An I/O error in plain words, without the system's error number.
    pub fn io(&self, error: &std::io::Error) -> String {
        use std::io::ErrorKind::*;
        match error.kind() {
            NotFound => self.io_not_found.to_owned(),
            PermissionDenied => self.io_denied.to_owned(),
            ConnectionRefused => self.io_refused.to_owned(),
            TimedOut | WouldBlock => self.io_timed_out.to_owned(),
            ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => {
                self.io_broken.to_owned()
            }
            StorageFull => self.io_full.to_owned(),
            _ => {
                let text = error.to_string();
                // "No route to host (os error 113)": the words only.
                let words = match text.find(" (os error") {
                    Some(at) => text[..at].to_owned(),
                    None => text,
                };
                if words.contains("failed to lookup address") || words.contains("Name or service") {
                    self.io_no_host.to_owned()
                } else {
                    (self.io_other)(&words)
                }
            }
        }
    }

    /// Why a file cannot be sent or fetched, in plain words.
    pub fn transfer(&self, error: &TransferError) -> String {
        match error {
            TransferError::Io { source, .. } => self.io(source),
            TransferError::NotAFile(_) => self.not_a_file.to_owned(),
            TransferError::TooLarge { size, max } => {
                (self.too_large)(&size_in_words(*size), &size_in_words(*max))
            }
            TransferError::TypeNotAllowed { extension, allowed } => {
                (self.type_not_allowed)(extension, allowed)
            }
            TransferError::BadName(why) => (self.bad_name)(&why.to_string()),
            TransferError::NotConnected => self.not_connected.to_owned(),
        }
    }

    /// Why something could not be sent, in plain words (the server's and
    /// the input rules' own words where they are plain already).
    pub fn send(&self, error: &SendError) -> String {
        match error {
            SendError::NotConnected => self.not_connected.to_owned(),
            SendError::Congested => self.congested.to_owned(),
            SendError::OldServer => self.old_server.to_owned(),
            other => other.to_string(),
        }
    }

    /// Why a login failed, in plain words.
    pub fn connect(&self, error: &ConnectError) -> String {
        match error {
            ConnectError::Io(e) => (self.cannot_reach)(&self.io(e)),
            ConnectError::Refused(reason) => reason.clone(),
            ConnectError::Protocol(what) => (self.unexpected_answer)(what),
            ConnectError::Untrusted { .. } => self.certificate_unknown.to_owned(),
            ConnectError::CertificateChanged { .. } => self.certificate_changed.to_owned(),
            ConnectError::Tls(why) => (self.tls_failed)(why),
        }
    }
}

/// A size as people read it: `19.4 KiB`, `12.0 MiB`.
pub fn size_in_words(bytes: u64) -> String {
    ByteSize(bytes).to_string()
}

/// A file's name, for messages about it.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_language_picks_the_table() {
        assert_eq!(Language::from_locale("vi_VN.UTF-8"), Language::Vietnamese);
        assert_eq!(Language::from_locale("vi"), Language::Vietnamese);
        assert_eq!(Language::from_locale("en_GB.UTF-8"), Language::English);
        assert_eq!(Language::from_locale("C.UTF-8"), Language::English);
        assert_eq!(Language::from_locale(""), Language::English);
    }

    #[test]
    fn days_read_today_yesterday_or_the_date_in_each_language() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        let yesterday = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
        let before = NaiveDate::from_ymd_opt(2026, 2, 27).unwrap();
        let en = Language::English.strings();
        let vi = Language::Vietnamese.strings();
        assert_eq!(en.day(today, today), "Today");
        assert_eq!(en.day(yesterday, today), "Yesterday");
        assert_eq!(en.day(before, today), "Friday 27 February 2026");
        assert_eq!(vi.day(today, today), "Hôm nay");
        assert_eq!(vi.day(yesterday, today), "Hôm qua");
        assert_eq!(vi.day(before, today), "Thứ Sáu, 27/02/2026");
    }

    #[test]
    fn errors_read_in_plain_words_without_the_error_number() {
        let en = Language::English.strings();
        let missing = std::io::Error::from_raw_os_error(2);
        assert_eq!(en.io(&missing), "the file or folder does not exist");
        let unreachable = std::io::Error::from_raw_os_error(113);
        assert!(
            !en.io(&unreachable).contains("os error"),
            "{}",
            en.io(&unreachable)
        );
        let large = TransferError::TooLarge {
            size: 12 * 1024 * 1024,
            max: 10 * 1024 * 1024,
        };
        assert_eq!(
            en.transfer(&large),
            "it is 12.0 MiB; the server takes files up to 10.0 MiB"
        );
        let vi = Language::Vietnamese.strings();
        assert_eq!(
            vi.transfer(&large),
            "tệp nặng 12.0 MiB; máy chủ chỉ nhận tệp đến 10.0 MiB"
        );
    }
}
