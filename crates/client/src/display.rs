//! How events read as chat lines, with the seed's tags (`[Me]`,
//! `[PM → x]`, `[PM from x]`, `[+]`, `[*]`, `[!]`), so the terminal and the
//! desktop client say the same thing. Each front adds its own time stamp
//! and shows the events that are not lines (lists, progress) its own way.

use bytesize::ByteSize;

use crate::cache::Cleared;
use crate::event::{Direction, Event};
use crate::input::Input;
use media_chat_protocol::HistoryEntry;

/// What kind of line it is, so a front can set it apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Something this user sent publicly (`[Me] …`).
    Mine,
    /// A public message from someone else.
    Public,
    /// A private message this user sent (`[PM → x] …`).
    PrivateOut,
    /// A private message to this user (`[PM from x] …`).
    PrivateIn,
    /// A neutral notice (joins, shares, `[*] cache cleared`).
    Notice,
    /// Something that worked (`[+] …`).
    Success,
    /// Something that went wrong (`[!] …`).
    Warning,
}

/// A chat line: its tone and its text, tag included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// What kind of line.
    pub tone: Tone,
    /// The text, e.g. `[PM → an] hi`.
    pub text: String,
}

fn shown(tone: Tone, text: String) -> Shown {
    Shown { tone, text }
}

/// What the user just sent, as the seed showed it.
pub fn sent(input: &Input) -> Shown {
    match input {
        Input::Public(text) => shown(Tone::Mine, format!("[Me] {text}")),
        Input::Direct { to, text } => shown(Tone::PrivateOut, format!("[PM → {to}] {text}")),
    }
}

/// What clearing the download cache freed.
pub fn cleared(cleared: Cleared) -> Shown {
    let plural = if cleared.files == 1 { "" } else { "s" };
    shown(
        Tone::Notice,
        format!(
            "[*] cache cleared ({} file{plural}, {})",
            cleared.files,
            ByteSize(cleared.bytes)
        ),
    )
}

/// A replayed event; `me` is the user's own name, whose lines read as sent.
pub fn history(entry: &HistoryEntry, me: &str) -> Shown {
    match entry {
        HistoryEntry::Text { from, text } if from == me => {
            shown(Tone::Mine, format!("[Me] {text}"))
        }
        HistoryEntry::Text { from, text } => shown(Tone::Public, format!("{from}: {text}")),
        HistoryEntry::Dm { from, to, text } if from == me => {
            shown(Tone::PrivateOut, format!("[PM → {to}] {text}"))
        }
        HistoryEntry::Dm { from, text, .. } => {
            shown(Tone::PrivateIn, format!("[PM from {from}] {text}"))
        }
        HistoryEntry::FileShared {
            user, name, size, ..
        } => shown(
            Tone::Notice,
            format!("[i] {user} shared {name} ({})", ByteSize(*size)),
        ),
    }
}

/// The line for an event; `None` for the events that are not chat lines
/// (login, limits, user and file lists, progress, reconnect attempts).
pub fn event(event: &Event, me: &str) -> Option<Shown> {
    let line = match event {
        Event::LoggedIn { .. }
        | Event::Limits { .. }
        | Event::Users { .. }
        | Event::HistoryEnd
        | Event::FileList { .. }
        | Event::Progress { .. }
        | Event::Reconnecting { .. } => return None,
        Event::Joined { user } => shown(Tone::Notice, format!("[i] {user} joined")),
        Event::Left { user } => shown(Tone::Notice, format!("[i] {user} left")),
        Event::History { entry, .. } => history(entry, me),
        Event::Text { from, text } => shown(Tone::Public, format!("{from}: {text}")),
        Event::Dm { from, text } => shown(Tone::PrivateIn, format!("[PM from {from}] {text}")),
        Event::Notify { text } => shown(Tone::Notice, format!("[i] {text}")),
        Event::ServerError { reason } => shown(Tone::Warning, format!("[!] {reason}")),
        Event::FileShared {
            user, name, size, ..
        } => shown(
            Tone::Notice,
            format!("[i] {user} shared {name} ({})", ByteSize(*size)),
        ),
        Event::Uploaded { name, size, .. } => shown(
            Tone::Success,
            format!("[+] shared {name} ({})", ByteSize(*size)),
        ),
        Event::Downloaded { path, .. } => {
            shown(Tone::Success, format!("[+] downloaded {}", path.display()))
        }
        Event::TransferFailed {
            direction,
            name,
            reason,
            ..
        } => shown(
            Tone::Warning,
            format!("[!] {} of {name} failed: {reason}", verb(*direction)),
        ),
        Event::TransferCancelled {
            direction, name, ..
        } => shown(
            Tone::Warning,
            format!("[!] {} of {name} cancelled", verb(*direction)),
        ),
        Event::OpenFailed { path, reason } => shown(
            Tone::Warning,
            format!("[!] cannot open {}: {reason}", path.display()),
        ),
        Event::Disconnected { reason } => {
            shown(Tone::Warning, format!("[!] disconnected: {reason}"))
        }
        Event::CacheCleared { cleared: freed } => cleared(*freed),
        Event::CacheNotCleared { reason } => shown(Tone::Warning, format!("[!] {reason}")),
    };
    Some(line)
}

fn verb(direction: Direction) -> &'static str {
    match direction {
        Direction::Upload => "upload",
        Direction::Download => "download",
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn text(shown: Option<Shown>) -> String {
        shown.map(|s| s.text).unwrap_or_default()
    }

    #[test]
    fn the_seeds_tags() {
        assert_eq!(sent(&Input::Public("hi".into())).text, "[Me] hi");
        let direct = sent(&Input::Direct {
            to: "an".into(),
            text: "psst".into(),
        });
        assert_eq!(direct, shown(Tone::PrivateOut, "[PM → an] psst".into()));
        let dm = Event::Dm {
            from: "an".into(),
            text: "hi".into(),
        };
        assert_eq!(text(event(&dm, "me")), "[PM from an] hi");
        let downloaded = Event::Downloaded {
            id: 1,
            name: "a.png".into(),
            path: PathBuf::from("/c/a.png"),
        };
        assert_eq!(text(event(&downloaded, "me")), "[+] downloaded /c/a.png");
        let lost = Event::Disconnected {
            reason: "gone".into(),
        };
        assert_eq!(text(event(&lost, "me")), "[!] disconnected: gone");
        assert_eq!(
            cleared(Cleared {
                files: 2,
                bytes: 2048
            })
            .text,
            "[*] cache cleared (2 files, 2.0 KiB)"
        );
        let in_background = Event::CacheCleared {
            cleared: Cleared { files: 1, bytes: 5 },
        };
        assert_eq!(
            text(event(&in_background, "me")),
            "[*] cache cleared (1 file, 5 B)"
        );
        let failed = Event::CacheNotCleared {
            reason: "cannot clear the download cache: denied".into(),
        };
        assert_eq!(
            event(&failed, "me"),
            Some(shown(
                Tone::Warning,
                "[!] cannot clear the download cache: denied".into()
            ))
        );
    }

    #[test]
    fn history_shows_own_lines_as_sent() {
        let mine = HistoryEntry::Dm {
            from: "me".into(),
            to: "an".into(),
            text: "x".into(),
        };
        assert_eq!(
            history(&mine, "me"),
            shown(Tone::PrivateOut, "[PM → an] x".into())
        );
        let theirs = HistoryEntry::Text {
            from: "an".into(),
            text: "y".into(),
        };
        assert_eq!(history(&theirs, "me"), shown(Tone::Public, "an: y".into()));
    }

    #[test]
    fn lists_and_progress_are_not_lines() {
        assert_eq!(event(&Event::HistoryEnd, "me"), None);
        assert_eq!(event(&Event::FileList { files: vec![] }, "me"), None);
    }
}
