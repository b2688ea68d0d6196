//! How messages and events read as chat lines, with the seed's tags
//! (`[Me]`, `[PM → x]`, `[PM from x]`, `[+]`, `[*]`, `[!]`), so the
//! terminal and the desktop client say the same thing. Each front adds its
//! own time stamp, its own mark for a pending or failed message, and shows
//! the events that are not lines (lists, progress) its own way.

use bytesize::ByteSize;

use media_chat_protocol::rules::user_key;
use media_chat_protocol::{Conversation, MemberChange, Preview, Reactions};

use crate::cache::Cleared;
use crate::conversations::same;
use crate::event::{Direction, Event};
use crate::message::{Body, Change, Delivery, Message};

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

/// A message, with the seed's tags, as seen from `#general`; see
/// [`message_in`].
pub fn message(message: &Message, me: &str) -> Shown {
    message_in(message, me, &Conversation::general())
}

/// A shared file's size and what its preview says: `1.2 MiB, 1920×1080`,
/// `3.1 MiB, 3:25`, `240.0 KiB, 12 pages, "Title"`, `20 B, 3 lines`.
pub fn file_details(size: u64, preview: Option<&Preview>) -> String {
    match preview {
        Some(preview) => format!("{}, {}", ByteSize(size), preview_details(preview)),
        None => ByteSize(size).to_string(),
    }
}

/// What a preview says of its file: `1920×1080`, `3:25`, `12 pages,
/// "Title"`, `3 lines`.
pub fn preview_details(preview: &Preview) -> String {
    let counted =
        |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match preview {
        Preview::Image { width, height } => format!("{width}×{height}"),
        Preview::Text { lines } => counted(*lines, "line", "lines"),
        Preview::Pdf { pages, title } if title.is_empty() => counted(*pages, "page", "pages"),
        Preview::Pdf { pages, title } => {
            format!("{}, \"{title}\"", counted(*pages, "page", "pages"))
        }
        Preview::Audio { duration_ms } => {
            let seconds = (duration_ms + 500) / 1000;
            let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
            if hours > 0 {
                format!("{hours}:{minutes:02}:{seconds:02}")
            } else {
                format!("{minutes}:{seconds:02}")
            }
        }
    }
}

/// A message, with the seed's tags; `me` is the user's own name, whose
/// messages read as sent (`[Me] …`, `[PM → x] …`), from whichever session.
/// A message of a room or group other than `current` is named before it
/// (`[#homework] an: text`, `[Me → #homework] text`); a room's member
/// changes and topics read as notices (`[*] bình joined #homework`).
/// Whether it is pending or failed is for the front to show its own way.
pub fn message_in(message: &Message, me: &str, current: &Conversation) -> Shown {
    let mine = user_key(&message.author) == user_key(me);
    let conversation = &message.conversation;
    let text = match &message.body {
        Body::File { name, size, .. } => {
            return shown(
                Tone::Notice,
                format!("[i] {} shared {name} ({})", message.author, ByteSize(*size)),
            );
        }
        Body::FileDeleted { name } => {
            return shown(
                Tone::Notice,
                format!("[i] {} shared {name} (file deleted)", message.author),
            );
        }
        Body::Member { user, change } => return member(message, user, *change, me),
        Body::Topic(topic) => {
            let by = person(&message.author, me);
            let line = if topic.is_empty() {
                format!("[*] {by} cleared the topic of {conversation}")
            } else {
                format!("[*] {by} set the topic of {conversation}: {topic}")
            };
            return shown(Tone::Notice, line);
        }
        Body::Text(text) => text.clone(),
        Body::Edited { text, .. }
        | Body::Reply {
            text,
            edit: Some(_),
            ..
        } => {
            format!("{text} (edited)")
        }
        Body::Reply { text, .. } => text.clone(),
        Body::Deleted => "(message deleted)".to_owned(),
    };
    match conversation {
        Conversation::Direct(other) if mine => {
            shown(Tone::PrivateOut, format!("[PM → {other}] {text}"))
        }
        Conversation::Direct(_) => shown(
            Tone::PrivateIn,
            format!("[PM from {}] {text}", message.author),
        ),
        here if same(here, current) && mine => shown(Tone::Mine, format!("[Me] {text}")),
        here if same(here, current) => shown(Tone::Public, format!("{}: {text}", message.author)),
        // Another room or a group: named before the line.
        other if mine => shown(Tone::Mine, format!("[Me → {other}] {text}")),
        other => shown(
            Tone::Public,
            format!("[{other}] {}: {text}", message.author),
        ),
    }
}

/// `you` for the user, else the name.
fn person<'a>(name: &'a str, me: &str) -> &'a str {
    if user_key(name) == user_key(me) {
        "you"
    } else {
        name
    }
}

/// A room's member change: `by` (the author) did `change` to `user`.
fn member(message: &Message, user: &str, change: MemberChange, me: &str) -> Shown {
    let room = &message.conversation;
    let by = person(&message.author, me);
    let about_me = user_key(user) == user_key(me);
    let whom = person(user, me);
    let line = match change {
        MemberChange::Created => format!("[*] {by} created {room}"),
        MemberChange::Joined => format!("[*] {whom} joined {room}"),
        MemberChange::Left => format!("[*] {whom} left {room}"),
        MemberChange::Invited => format!("[*] {by} invited {whom} to {room}"),
        MemberChange::Removed if about_me => {
            return shown(
                Tone::Warning,
                format!("[!] you were removed from {room} by {}", message.author),
            );
        }
        MemberChange::Banned if about_me => {
            return shown(
                Tone::Warning,
                format!("[!] you were banned from {room} by {}", message.author),
            );
        }
        MemberChange::Removed => format!("[*] {by} removed {whom} from {room}"),
        MemberChange::Banned => format!("[*] {by} banned {whom} from {room}"),
        MemberChange::Unbanned => format!("[*] {by} lifted the ban on {whom} in {room}"),
        MemberChange::Promoted => format!("[*] {by} made {whom} a moderator of {room}"),
        MemberChange::Demoted => format!("[*] {by} made {whom} a plain member of {room}"),
    };
    shown(Tone::Notice, line)
}

/// Most characters of the original a reply quotes.
const QUOTED: usize = 40;

/// The line a reply shows above its text: `↳ an: first words…` of the
/// message it answers (`original`, if the front has it), or `↳ message 41`
/// when the front has not loaded it.
pub fn quote(original: Option<&Message>, to: u64) -> String {
    let Some(original) = original else {
        return format!("↳ message {to}");
    };
    let said = match &original.body {
        Body::Deleted => return format!("↳ {}: (message deleted)", original.author),
        Body::File { name, .. } => name.as_str(),
        _ => original.text().unwrap_or_default(),
    };
    // One line: the first words that fit, whitespace folded (a first
    // word too long for it is cut at a character).
    let mut first = String::new();
    let mut cut = false;
    for word in said.split_whitespace() {
        let used = first.chars().count();
        let wanted = word.chars().count() + usize::from(used > 0);
        if used + wanted > QUOTED {
            if used == 0 {
                first = word.chars().take(QUOTED).collect();
            }
            cut = true;
            break;
        }
        if used > 0 {
            first.push(' ');
        }
        first.push_str(word);
    }
    if cut {
        first.push('…');
    }
    format!("↳ {}: {first}", original.author)
}

/// A message's reactions in one line, each with its count:
/// `👍 2 · ❤️ 1`, or `no reactions`.
pub fn reactions(reactions: &Reactions) -> String {
    if reactions.is_empty() {
        return "no reactions".to_owned();
    }
    reactions
        .iter()
        .map(|(reaction, users)| format!("{reaction} {}", users.len()))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A count as a badge shows it: up to 99, then "99+".
pub fn count(n: u64) -> String {
    if n > 99 {
        "99+".to_owned()
    } else {
        n.to_string()
    }
}

/// A conversation's unread and mention counts in words: `3 unread, 1
/// mention`, `99+ unread`; empty when nothing is unread.
pub fn unread(unread: u64, mentions: u64) -> String {
    match (unread, mentions) {
        (0, 0) => String::new(),
        (unread, 0) => format!("{} unread", count(unread)),
        (unread, 1) => format!("{} unread, 1 mention", count(unread)),
        (unread, mentions) => format!("{} unread, {} mentions", count(unread), count(mentions)),
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
/// (login, limits, user, file, room, member and audit lists, search
/// results, typing notices, progress,
/// reconnect attempts, the bookkeeping of sync, paging, read positions and
/// conversations, and deliveries that went well: the front updates the
/// message it shows).
pub fn event(event: &Event, me: &str) -> Option<Shown> {
    event_in(event, me, &Conversation::general())
}

/// Like [`event`], with messages seen from the `current` conversation
/// (see [`message_in`]).
pub fn event_in(event: &Event, me: &str, current: &Conversation) -> Option<Shown> {
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
        | Event::Reconnecting { .. }
        | Event::Conversation { .. }
        | Event::Unread { .. }
        | Event::Members { .. }
        | Event::RoomList { .. }
        | Event::AuditLog { .. }
        | Event::SearchResults { .. }
        | Event::PreviewPending { .. }
        | Event::PreviewFetched { .. }
        | Event::PreviewReady { preview: None, .. }
        | Event::Quota(_)
        | Event::Typing { .. } => return None,
        Event::PreviewReady {
            share: Some(share), ..
        } if matches!(
            share.body,
            Body::File {
                preview: Some(_),
                ..
            }
        ) =>
        {
            let Body::File {
                name,
                size,
                preview,
                ..
            } = &share.body
            else {
                return None;
            };
            shown(
                Tone::Notice,
                format!("[i] {name} {}", file_details(*size, preview.as_ref())),
            )
        }
        Event::PreviewReady {
            name,
            preview: Some(preview),
            ..
        } => shown(
            Tone::Notice,
            format!("[i] {name}: {}", preview_details(preview)),
        ),
        Event::SearchFailed { reason, .. } => shown(Tone::Warning, format!("[!] search: {reason}")),
        // Live, a change is news; in a backlog or a page, the message it
        // changed is shown as it is now.
        Event::Changed {
            by,
            change,
            origin: crate::event::Origin::Live,
            ..
        } => {
            let by = person(by, me);
            match change {
                Change::Edited(text) => {
                    shown(Tone::Notice, format!("[*] {by} edited a message: {text}"))
                }
                Change::Deleted => shown(Tone::Notice, format!("[*] {by} deleted a message")),
                Change::Reacted {
                    reaction,
                    on,
                    reactions,
                } => {
                    let did = if *on { "reacted" } else { "took back" };
                    shown(
                        Tone::Notice,
                        format!(
                            "[*] {by} {did} {reaction} on a message: {}",
                            self::reactions(reactions)
                        ),
                    )
                }
                // The message's reactions as they are: nobody just did
                // anything.
                Change::Reactions(_) => return None,
            }
        }
        Event::Changed { .. } => return None,
        Event::FileDeleted {
            by,
            name,
            conversation,
            origin: crate::event::Origin::Live,
            ..
        } => shown(
            Tone::Notice,
            format!("[*] {} deleted {name} from {conversation}", person(by, me)),
        ),
        Event::FileDeleted { .. } => return None,
        Event::Blocked { user, on: true } => shown(
            Tone::Notice,
            format!(
                "[*] you blocked {user}: their messages are hidden, their direct messages refused"
            ),
        ),
        Event::Blocked { user, on: false } => {
            shown(Tone::Notice, format!("[*] you unblocked {user}"))
        }
        Event::Muted {
            conversation,
            on: true,
        } => shown(
            Tone::Notice,
            format!(
                "[*] {conversation} is muted: no notifications or badge (still counted unread)"
            ),
        ),
        Event::Muted {
            conversation,
            on: false,
        } => shown(
            Tone::Notice,
            format!("[*] {conversation} is no longer muted"),
        ),
        // The room's member event before it said why.
        Event::ConversationGone { .. } => return None,
        Event::CurrentChanged { conversation } => {
            shown(Tone::Notice, format!("[i] now talking in {conversation}"))
        }
        Event::InviteCode { code } => shown(
            Tone::Success,
            format!("[+] invitation code: {code} (good for one new account)"),
        ),
        Event::Joined { user } => shown(Tone::Notice, format!("[i] {user} joined")),
        Event::Left { user } => shown(Tone::Notice, format!("[i] {user} left")),
        Event::Message { message: m, .. } => message_in(m, me, current),
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
        Event::CertificateChanged { reason, .. } => shown(Tone::Warning, format!("[!] {reason}")),
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
    fn a_preview_reads_as_its_details() {
        let details = |size, preview| file_details(size, Some(&preview));
        assert_eq!(
            details(
                1_258_291,
                Preview::Audio {
                    duration_ms: 205_000
                }
            ),
            "1.2 MiB, 3:25"
        );
        assert_eq!(
            details(
                10,
                Preview::Audio {
                    duration_ms: 3_725_400
                }
            ),
            "10 B, 1:02:05"
        );
        assert_eq!(
            details(
                245_760,
                Preview::Pdf {
                    pages: 12,
                    title: "Đề thi".into()
                }
            ),
            "240.0 KiB, 12 pages, \"Đề thi\""
        );
        assert_eq!(
            preview_details(&Preview::Pdf {
                pages: 1,
                title: String::new()
            }),
            "1 page"
        );
        assert_eq!(preview_details(&Preview::Text { lines: 3 }), "3 lines");
        assert_eq!(file_details(20, None), "20 B");
    }

    #[test]
    fn a_reply_quotes_the_first_words_of_what_it_answers() {
        let long = said(
            Conversation::general(),
            "an",
            "hẹn   7 giờ\nở quán cũ nhé, nhớ mang theo cả bài tập",
            sent(),
        );
        assert_eq!(
            quote(Some(&long), 1),
            "↳ an: hẹn 7 giờ ở quán cũ nhé, nhớ mang theo…"
        );
        let short = said(Conversation::general(), "an", "ừ", sent());
        assert_eq!(quote(Some(&short), 1), "↳ an: ừ");
        let word = said(Conversation::general(), "an", &"a".repeat(50), sent());
        assert_eq!(quote(Some(&word), 1), format!("↳ an: {}…", "a".repeat(40)));
        let mut gone = short.clone();
        gone.body = Body::Deleted;
        assert_eq!(quote(Some(&gone), 1), "↳ an: (message deleted)");
        assert_eq!(quote(None, 41), "↳ message 41");
        let mut reply = short;
        reply.body = Body::Reply {
            text: "ừ".into(),
            to: 1,
            edit: Some(3),
        };
        assert_eq!(message(&reply, "bình").text, "an: ừ (edited)");
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
                preview: None,
            },
            ..said(general(), "an", "", sent())
        };
        assert_eq!(message(&file, "me").text, "[i] an shared a.png (2.0 KiB)");
        let mut with_preview = file.clone();
        with_preview.set_preview(
            &Sha256Digest([0; 32]),
            Some(Preview::Image {
                width: 1920,
                height: 1080,
            }),
        );
        let ready = Event::PreviewReady {
            conversation: general(),
            name: "a.png".into(),
            sha256: Sha256Digest([0; 32]),
            preview: Some(Preview::Image {
                width: 1920,
                height: 1080,
            }),
            share: Some(with_preview),
        };
        assert_eq!(text(event(&ready, "me")), "[i] a.png 2.0 KiB, 1920×1080");
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
    fn room_notices_and_lines_of_other_conversations() {
        let homework = || Conversation::Room("homework".into());
        let notice = |author: &str, body: Body| Message {
            body,
            ..said(homework(), author, "", sent())
        };
        let member = |by: &str, user: &str, change| {
            message(
                &notice(
                    by,
                    Body::Member {
                        user: user.into(),
                        change,
                    },
                ),
                "bình",
            )
        };
        assert_eq!(
            member("an", "an", MemberChange::Created).text,
            "[*] an created #homework"
        );
        assert_eq!(
            member("Bình", "Bình", MemberChange::Joined).text,
            "[*] you joined #homework"
        );
        assert_eq!(
            member("an", "cường", MemberChange::Joined).text,
            "[*] cường joined #homework"
        );
        assert_eq!(
            member("an", "bình", MemberChange::Invited).text,
            "[*] an invited you to #homework"
        );
        assert_eq!(
            member("an", "bình", MemberChange::Removed),
            shown(
                Tone::Warning,
                "[!] you were removed from #homework by an".into()
            )
        );
        assert_eq!(
            member("an", "cường", MemberChange::Promoted).text,
            "[*] an made cường a moderator of #homework"
        );
        let topic = notice("an", Body::Topic("bài tập tuần 1".into()));
        assert_eq!(
            message(&topic, "bình").text,
            "[*] an set the topic of #homework: bài tập tuần 1"
        );
        let line = said(homework(), "an", "xong", sent());
        assert_eq!(message(&line, "bình").text, "[#homework] an: xong");
        assert_eq!(
            message_in(&line, "bình", &Conversation::Room("HomeWork".into())).text,
            "an: xong"
        );
        let group = Conversation::Group(vec!["an".into(), "bình".into(), "cường".into()]);
        let mine = said(group.clone(), "bình", "ok", sent());
        assert_eq!(message(&mine, "bình").text, "[Me → +an,bình,cường] ok");
        assert_eq!(message_in(&mine, "bình", &group).text, "[Me] ok");
        assert_eq!(count(99), "99");
        assert_eq!(count(100), "99+");
        assert_eq!(unread(0, 0), "");
        assert_eq!(unread(150, 2), "99+ unread, 2 mentions");
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
        assert_eq!(
            event(
                &Event::FileList {
                    conversation: Conversation::general(),
                    files: vec![]
                },
                "me"
            ),
            None
        );
        let read = Event::ReadUpTo {
            conversation: Conversation::general(),
            id: 4,
        };
        assert_eq!(event(&read, "me"), None);
    }
}
