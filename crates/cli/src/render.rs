//! How each event is shown: one line, a local timestamp, and the seed's
//! tags (`[Me]`, `[PM → x]`, `[PM from x]`, `[+]`, `[*]`, `[!]`).

use bytesize::ByteSize;
use chrono::{DateTime, Local};
use media_chat_client::{Cleared, Direction, Event, HistoryEntry, Input};

/// The current local time as the line prefix, `[HH:MM:SS]`.
pub fn now() -> String {
    Local::now().format("[%H:%M:%S]").to_string()
}

/// A past time (seconds since the Unix epoch) as a line prefix with its
/// date, `[YYYY-MM-DD HH:MM]`.
pub fn at(ts: u64) -> String {
    i64::try_from(ts)
        .ok()
        .and_then(|ts| DateTime::from_timestamp(ts, 0))
        .map(|time| {
            time.with_timezone(&Local)
                .format("[%Y-%m-%d %H:%M]")
                .to_string()
        })
        .unwrap_or_else(|| "[?]".to_owned())
}

/// The echo of what the user just sent.
pub fn sent(input: &Input) -> String {
    match input {
        Input::Public(text) => format!("[Me] {text}"),
        Input::Direct { to, text } => format!("[PM → {to}] {text}"),
    }
}

/// What `/clear` freed.
pub fn cleared(cleared: Cleared) -> String {
    format!(
        "[*] cache cleared ({} file{}, {})",
        cleared.files,
        if cleared.files == 1 { "" } else { "s" },
        ByteSize(cleared.bytes)
    )
}

/// The line for an event, without its time prefix; `None` for events that
/// are not shown as lines (progress, lists handled elsewhere).
pub fn event(event: &Event, me: &str) -> Option<String> {
    let line = match event {
        Event::LoggedIn { user } => format!("[i] logged in as {user}"),
        Event::Limits { .. } | Event::Users { .. } | Event::Progress { .. } | Event::HistoryEnd => {
            return None;
        }
        Event::Joined { user } => format!("[i] {user} joined"),
        Event::Left { user } => format!("[i] {user} left"),
        Event::History { entry, .. } => history(entry, me),
        Event::Text { from, text } => format!("{from}: {text}"),
        Event::Dm { from, text } => format!("[PM from {from}] {text}"),
        Event::Notify { text } => format!("[i] {text}"),
        Event::ServerError { reason } => format!("[!] {reason}"),
        Event::FileShared {
            user, name, size, ..
        } => {
            format!(
                "[i] {user} shared {name} ({}) — /get {name}",
                ByteSize(*size)
            )
        }
        Event::FileList { files } if files.is_empty() => "[i] no files shared yet".to_owned(),
        Event::FileList { files } => {
            let mut out = format!(
                "[i] {} shared file{}:",
                files.len(),
                if files.len() == 1 { "" } else { "s" }
            );
            for file in files {
                let by = if file.uploader.is_empty() {
                    "?"
                } else {
                    &file.uploader
                };
                out.push_str(&format!(
                    "\n    {}  {}  by {by}",
                    file.name,
                    ByteSize(file.size)
                ));
            }
            out
        }
        Event::Uploaded { name, size, .. } => format!("[+] shared {name} ({})", ByteSize(*size)),
        Event::Downloaded { path, .. } => format!("[+] downloaded {}", path.display()),
        Event::TransferFailed {
            direction,
            name,
            reason,
            ..
        } => format!("[!] {} of {name} failed: {reason}", verb(*direction)),
        Event::TransferCancelled {
            direction, name, ..
        } => {
            format!("[!] {} of {name} cancelled", verb(*direction))
        }
        Event::OpenFailed { path, reason } => {
            format!("[!] cannot open {}: {reason}", path.display())
        }
        Event::Disconnected { reason } => format!("[!] disconnected: {reason}"),
        Event::Reconnecting { attempt, delay } => {
            format!(
                "[!] reconnecting in {:.1} s (attempt {attempt})",
                delay.as_secs_f32()
            )
        }
    };
    Some(line)
}

fn history(entry: &HistoryEntry, me: &str) -> String {
    match entry {
        HistoryEntry::Text { from, text } if from == me => format!("[Me] {text}"),
        HistoryEntry::Text { from, text } => format!("{from}: {text}"),
        HistoryEntry::Dm { from, to, text } if from == me => format!("[PM → {to}] {text}"),
        HistoryEntry::Dm { from, text, .. } => format!("[PM from {from}] {text}"),
        HistoryEntry::FileShared {
            user, name, size, ..
        } => {
            format!("[i] {user} shared {name} ({})", ByteSize(*size))
        }
    }
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

    #[test]
    fn the_seeds_tags() {
        assert_eq!(sent(&Input::Public("hi".into())), "[Me] hi");
        assert_eq!(
            sent(&Input::Direct {
                to: "an".into(),
                text: "psst".into()
            }),
            "[PM → an] psst"
        );
        let dm = Event::Dm {
            from: "an".into(),
            text: "hi".into(),
        };
        assert_eq!(event(&dm, "me").unwrap(), "[PM from an] hi");
        let downloaded = Event::Downloaded {
            id: 1,
            name: "a.png".into(),
            path: PathBuf::from("/c/a.png"),
        };
        assert_eq!(event(&downloaded, "me").unwrap(), "[+] downloaded /c/a.png");
        let lost = Event::Disconnected {
            reason: "gone".into(),
        };
        assert_eq!(event(&lost, "me").unwrap(), "[!] disconnected: gone");
        assert_eq!(
            cleared(Cleared {
                files: 2,
                bytes: 2048
            }),
            "[*] cache cleared (2 files, 2.0 KiB)"
        );
    }

    #[test]
    fn history_shows_own_lines_as_sent() {
        let mine = Event::History {
            ts: 0,
            entry: HistoryEntry::Dm {
                from: "me".into(),
                to: "an".into(),
                text: "x".into(),
            },
        };
        assert_eq!(event(&mine, "me").unwrap(), "[PM → an] x");
        assert!(at(1_764_072_000).starts_with("[2025-11-2"));
    }
}
