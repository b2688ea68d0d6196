//! How messages and events read as chat lines, with the seed's tags
//! (`[Me]`, `[PM → x]`, `[PM from x]`, `[+]`, `[*]`, `[!]`), so the
//! terminal and the desktop client say the same thing. Each front adds its
//! own time stamp, its own mark for a pending or failed message, and shows
//! the events that are not lines (lists, progress) its own way.

use bytesize::ByteSize;

use media_chat_protocol::Conversation;

use crate::cache::Cleared;
use crate::event::{Direction, Event};
use crate::message::{Body, Delivery, Message};

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

/// A message, with the seed's tags; `me` is the user's own name, whose
/// messages read as sent (`[Me] …`, `[PM → x] …`), from whichever session.
/// Whether it is pending or failed is for the front to show its own way.
pub fn message(message: &Message, me: &str) -> Shown {
    let mine = message.author == me;
    let conversation = &message.conversation;
    let text = match &message.body {
        Body::File { name, size, .. } => {
            return shown(
                Tone::Notice,
                format!("[i] {} shared {name} ({})", message.author, ByteSize(*size)),
            );
        }
        Body::Text(text) => text,
    };
    match conversation {
        Conversation::Direct(other) if mine => {
            shown(Tone::PrivateOut, format!("[PM → {other}] {text}"))
        }
        Conversation::Direct(_) => shown(
            Tone::PrivateIn,
            format!("[PM from {}] {text}", message.author),
        ),
        general if general.is_general() && mine => shown(Tone::Mine, format!("[Me] {text}")),
        general if general.is_general() => {
            shown(Tone::Public, format!("{}: {text}", message.author))
        }
        // Another room or a group: named before the line.
        other if mine => shown(Tone::Mine, format!("[Me → {other}] {text}")),
        other => shown(
            Tone::Public,
            format!("[{other}] {}: {text}", message.author),
        ),
    }
}

/// An own message that did not reach the server:
/// `[!] not delivered (why): [Me] text`.
pub fn undelivered(message: &Message, me: &str) -> Shown {
    let why = match &message.state {
        Delivery::Failed { reason, .. } => reason.as_str(),
        _ => "not acknowledged yet",
    };
    shown(
        Tone::Warning,
        format!(
            "[!] not delivered ({why}): {}",
            self::message(message, me).text
        ),
    )
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

/// The line for an event; `None` for the events that are not chat lines
/// (login, limits, user and file lists, progress, reconnect attempts, the
/// bookkeeping of sync, paging and read positions, and deliveries that
/// went well: the front updates the message it shows).
pub fn event(event: &Event, me: &str) -> Option<Shown> {
    let line = match event {
        Event::LoggedIn { .. }
        | Event::Limits { .. }
        | Event::Users { .. }
        | Event::Synced
        | Event::Gap { .. }
        | Event::PageEnd { .. }
        | Event::ReadUpTo { .. }
        | Event::FileList { .. }
        | Event::Progress { .. }
        | Event::Reconnecting { .. } => return None,
        Event::Joined { user } => shown(Tone::Notice, format!("[i] {user} joined")),
        Event::Left { user } => shown(Tone::Notice, format!("[i] {user} left")),
        Event::Message { message: m, .. } => message(m, me),
        Event::Delivery { message: m, .. } if m.is_failed() => undelivered(m, me),
        Event::Delivery { .. } => return None,
        Event::Notify { text } => shown(Tone::Notice, format!("[i] {text}")),
        Event::ServerError { reason } => shown(Tone::Warning, format!("[!] {reason}")),
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

    use media_chat_protocol::Sha256Digest;

    use super::*;
    use crate::event::Origin;

    fn text(shown: Option<Shown>) -> String {
        shown.map(|s| s.text).unwrap_or_default()
    }

    fn said(conversation: Conversation, author: &str, text: &str, state: Delivery) -> Message {
        Message {
            conversation,
            author: author.into(),
            body: Body::Text(text.into()),
            ts: 0,
            state,
        }
    }

    fn sent() -> Delivery {
        Delivery::Sent { id: Some(1) }
    }

    #[test]
    fn the_seeds_tags() {
        let general = Conversation::general;
        let an = || Conversation::Direct("an".into());
        let mine = said(
            general(),
            "me",
            "hi",
            Delivery::Pending { token: "t".into() },
        );
        assert_eq!(message(&mine, "me"), shown(Tone::Mine, "[Me] hi".into()));
        let out = said(an(), "me", "psst", sent());
        assert_eq!(
            message(&out, "me"),
            shown(Tone::PrivateOut, "[PM → an] psst".into())
        );
        let dm = Event::Message {
            message: said(an(), "an", "hi", sent()),
            origin: Origin::Live,
        };
        assert_eq!(text(event(&dm, "me")), "[PM from an] hi");
        assert_eq!(
            message(&said(general(), "an", "y", sent()), "me"),
            shown(Tone::Public, "an: y".into())
        );
        let room = said(Conversation::Room("lop12a".into()), "an", "hi", sent());
        assert_eq!(message(&room, "me").text, "[#lop12a] an: hi");
        let mine = said(Conversation::Room("lop12a".into()), "me", "hi", sent());
        assert_eq!(message(&mine, "me").text, "[Me → #lop12a] hi");
        let file = Message {
            body: Body::File {
                name: "a.png".into(),
                size: 2048,
                sha256: Sha256Digest([0; 32]),
            },
            ..said(general(), "an", "", sent())
        };
        assert_eq!(message(&file, "me").text, "[i] an shared a.png (2.0 KiB)");
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
    fn only_a_failed_delivery_is_a_line() {
        let failed = said(
            Conversation::Direct("nobody".into()),
            "me",
            "hi",
            Delivery::Failed {
                token: "t".into(),
                reason: "No such user: nobody".into(),
            },
        );
        let delivery = |message: Message| Event::Delivery {
            token: "t".into(),
            message,
        };
        assert_eq!(
            text(event(&delivery(failed.clone()), "me")),
            "[!] not delivered (No such user: nobody): [PM → nobody] hi"
        );
        let acked = Message {
            state: sent(),
            ..failed
        };
        assert_eq!(event(&delivery(acked), "me"), None);
    }

    #[test]
    fn lists_and_bookkeeping_are_not_lines() {
        assert_eq!(event(&Event::Synced, "me"), None);
        assert_eq!(event(&Event::FileList { files: vec![] }, "me"), None);
        let read = Event::ReadUpTo {
            conversation: Conversation::general(),
            id: 4,
        };
        assert_eq!(event(&read, "me"), None);
    }
}
