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
use crate::phrases::Phrases;

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
pub fn message(message: &Message, me: &str, words: &Phrases) -> Shown {
    message_in(message, me, &Conversation::general(), words)
}

/// A shared file's size and what its preview says: `1.2 MiB, 1920×1080`,
/// `3.1 MiB, 3:25`, `240.0 KiB, 12 pages, "Title"`, `20 B, 3 lines`.
pub fn file_details(size: u64, preview: Option<&Preview>, words: &Phrases) -> String {
    match preview {
        Some(preview) => format!("{}, {}", ByteSize(size), preview_details(preview, words)),
        None => ByteSize(size).to_string(),
    }
}

/// What a preview says of its file: `1920×1080`, `3:25`, `12 pages,
/// "Title"`, `3 lines`.
pub fn preview_details(preview: &Preview, words: &Phrases) -> String {
    match preview {
        Preview::Image { width, height } => format!("{width}×{height}"),
        Preview::Text { lines } => (words.lines)(*lines),
        Preview::Pdf { pages, title } if title.is_empty() => (words.pages)(*pages),
        Preview::Pdf { pages, title } => format!("{}, \"{title}\"", (words.pages)(*pages)),
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
pub fn message_in(message: &Message, me: &str, current: &Conversation, words: &Phrases) -> Shown {
    let mine = user_key(&message.author) == user_key(me);
    let conversation = &message.conversation.to_string();
    let text = match &message.body {
        Body::File { name, size, .. } => {
            let size = ByteSize(*size).to_string();
            return news((words.shared)(&message.author, name, &size));
        }
        Body::FileDeleted { name } => {
            return news((words.shared_deleted)(&message.author, name));
        }
        Body::Member { user, change } => return member(message, user, *change, me, words),
        Body::Topic(topic) => {
            let by = person(&message.author, me, words);
            let line = if topic.is_empty() {
                (words.topic_cleared)(by, conversation)
            } else {
                (words.topic_set)(by, conversation, topic)
            };
            return notice(Tone::Notice, line);
        }
        Body::Text(text) => text.clone(),
        Body::Edited { text, .. }
        | Body::Reply {
            text,
            edit: Some(_),
            ..
        } => {
            format!("{text} {}", words.edited)
        }
        Body::Reply { text, .. } => text.clone(),
        Body::Deleted => words.deleted.to_owned(),
    };
    match &message.conversation {
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

/// A notice's line: the seed's tag of its tone, then the words.
fn notice(tone: Tone, words: String) -> Shown {
    let tag = match tone {
        Tone::Success => "[+]",
        Tone::Warning => "[!]",
        _ => "[*]",
    };
    shown(tone, format!("{tag} {words}"))
}

/// A piece of news, tagged `[i]` as the seed tags what the server says.
fn news(words: String) -> Shown {
    shown(Tone::Notice, format!("[i] {words}"))
}

/// [`Phrases::you`] for the user, else the name.
fn person<'a>(name: &'a str, me: &str, words: &'a Phrases) -> &'a str {
    if user_key(name) == user_key(me) {
        words.you
    } else {
        name
    }
}

/// A room's member change: `by` (the author) did `change` to `user`.
fn member(message: &Message, user: &str, change: MemberChange, me: &str, words: &Phrases) -> Shown {
    let room = &message.conversation.to_string();
    let by = person(&message.author, me, words);
    let about_me = user_key(user) == user_key(me);
    let whom = person(user, me, words);
    let line = match change {
        MemberChange::Created => (words.created)(by, room),
        MemberChange::Joined => (words.joined_room)(whom, room),
        MemberChange::Left => (words.left_room)(whom, room),
        MemberChange::Invited => (words.invited)(by, whom, room),
        MemberChange::Removed if about_me => {
            return notice(Tone::Warning, (words.removed_you)(room, &message.author));
        }
        MemberChange::Banned if about_me => {
            return notice(Tone::Warning, (words.banned_you)(room, &message.author));
        }
        MemberChange::Removed => (words.removed)(by, whom, room),
        MemberChange::Banned => (words.banned)(by, whom, room),
        MemberChange::Unbanned => (words.unbanned)(by, whom, room),
        MemberChange::Promoted => (words.promoted)(by, whom, room),
        MemberChange::Demoted => (words.demoted)(by, whom, room),
    };
    notice(Tone::Notice, line)
}

/// Most characters of the original a reply quotes.
const QUOTED: usize = 40;

/// The line a reply shows above its text: `↳ an: first words…` of the
/// message it answers (`original`, if the front has it), or `↳ message 41`
/// when the front has not loaded it.
pub fn quote(original: Option<&Message>, to: u64, words: &Phrases) -> String {
    let Some(original) = original else {
        return format!("↳ {}", (words.message_number)(to));
    };
    let said = match &original.body {
        Body::Deleted => return format!("↳ {}: {}", original.author, words.deleted),
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
pub fn reactions(reactions: &Reactions, words: &Phrases) -> String {
    if reactions.is_empty() {
        return words.no_reactions.to_owned();
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
pub fn unread(unread: u64, mentions: u64, words: &Phrases) -> String {
    match (unread, mentions) {
        (0, 0) => String::new(),
        (unread, 0) => (words.unread)(&count(unread)),
        (unread, mentions) => format!(
            "{}, {}",
            (words.unread)(&count(unread)),
            (words.mentions)(mentions, &count(mentions))
        ),
    }
}

/// An own message that did not reach the server:
/// `[!] not delivered (why): [Me] text`.
pub fn undelivered(message: &Message, me: &str, words: &Phrases) -> Shown {
    let why = match &message.state {
        Delivery::Failed { reason, .. } => reason.as_str(),
        _ => words.not_acknowledged,
    };
    let line = self::message(message, me, words).text;
    notice(Tone::Warning, (words.not_delivered)(why, &line))
}

/// What clearing the download cache freed.
pub fn cleared(cleared: Cleared, words: &Phrases) -> Shown {
    let size = ByteSize(cleared.bytes).to_string();
    notice(Tone::Notice, (words.cache_cleared)(cleared.files, &size))
}

/// The line for an event; `None` for the events that are not chat lines
/// (login, limits, user, file, room, member and audit lists, search
/// results, typing notices, progress,
/// reconnect attempts, the bookkeeping of sync, paging, read positions and
/// conversations, and deliveries that went well: the front updates the
/// message it shows).
pub fn event(event: &Event, me: &str, words: &Phrases) -> Option<Shown> {
    event_in(event, me, &Conversation::general(), words)
}

/// Like [`event`], with messages seen from the `current` conversation
/// (see [`message_in`]).
pub fn event_in(event: &Event, me: &str, current: &Conversation, words: &Phrases) -> Option<Shown> {
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
            news(format!(
                "{name} {}",
                file_details(*size, preview.as_ref(), words)
            ))
        }
        Event::PreviewReady {
            name,
            preview: Some(preview),
            ..
        } => news(format!("{name}: {}", preview_details(preview, words))),
        Event::SearchFailed { reason, .. } => notice(Tone::Warning, (words.search_failed)(reason)),
        // Live, a change is news; in a backlog or a page, the message it
        // changed is shown as it is now.
        Event::Changed {
            by,
            change,
            origin: crate::event::Origin::Live,
            ..
        } => {
            let by = person(by, me, words);
            let line = match change {
                Change::Edited(text) => (words.edited_message)(by, text),
                Change::Deleted => (words.deleted_message)(by),
                Change::Reacted {
                    reaction,
                    on,
                    reactions,
                } => {
                    let did = if *on { words.reacted } else { words.took_back };
                    did(by, reaction, &self::reactions(reactions, words))
                }
                // The message's reactions as they are: nobody just did
                // anything.
                Change::Reactions(_) => return None,
            };
            notice(Tone::Notice, line)
        }
        Event::Changed { .. } => return None,
        Event::FileDeleted {
            by,
            name,
            conversation,
            origin: crate::event::Origin::Live,
            ..
        } => notice(
            Tone::Notice,
            (words.file_deleted)(person(by, me, words), name, &conversation.to_string()),
        ),
        Event::FileDeleted { .. } => return None,
        Event::Blocked { user, on: true } => notice(Tone::Notice, (words.blocked)(user)),
        Event::Blocked { user, on: false } => notice(Tone::Notice, (words.unblocked)(user)),
        Event::Muted { conversation, on } => {
            let said = if *on { words.muted } else { words.unmuted };
            notice(Tone::Notice, said(&conversation.to_string()))
        }
        // The room's member event before it said why.
        Event::ConversationGone { .. } => return None,
        Event::CurrentChanged { conversation } => {
            news((words.now_talking)(&conversation.to_string()))
        }
        Event::InviteCode { code } => notice(Tone::Success, (words.invite_code)(code)),
        Event::Joined { user } => news((words.came_online)(user)),
        Event::Left { user } => news((words.went_offline)(user)),
        Event::Message { message: m, .. } => message_in(m, me, current, words),
        Event::Delivery { message: m, .. } if m.is_failed() => undelivered(m, me, words),
        Event::Delivery { .. } => return None,
        Event::Notify { text } => news(text.clone()),
        Event::ServerError { reason } => shown(Tone::Warning, format!("[!] {reason}")),
        Event::Uploaded { name, size, .. } => notice(
            Tone::Success,
            (words.uploaded)(name, &ByteSize(*size).to_string()),
        ),
        Event::Downloaded { path, .. } => notice(
            Tone::Success,
            (words.downloaded)(&path.display().to_string()),
        ),
        Event::TransferFailed {
            direction,
            name,
            reason,
            ..
        } => {
            let failed = match direction {
                Direction::Upload => words.upload_failed,
                Direction::Download => words.download_failed,
            };
            notice(Tone::Warning, failed(name, reason))
        }
        Event::TransferCancelled {
            direction, name, ..
        } => {
            let cancelled = match direction {
                Direction::Upload => words.upload_cancelled,
                Direction::Download => words.download_cancelled,
            };
            notice(Tone::Warning, cancelled(name))
        }
        Event::OpenFailed { path, reason } => notice(
            Tone::Warning,
            (words.cannot_open)(&path.display().to_string(), reason),
        ),
        Event::Disconnected { reason } => notice(Tone::Warning, (words.disconnected)(reason)),
        Event::CertificateChanged { reason, .. } => shown(Tone::Warning, format!("[!] {reason}")),
        Event::CacheCleared { cleared: freed } => cleared(*freed, words),
        Event::CacheNotCleared { reason } => shown(Tone::Warning, format!("[!] {reason}")),
    };
    Some(line)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use media_chat_protocol::Sha256Digest;

    use super::*;
    use crate::event::Origin;
    use crate::phrases::ENGLISH;

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
        let details = |size, preview| file_details(size, Some(&preview), &ENGLISH);
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
            preview_details(
                &Preview::Pdf {
                    pages: 1,
                    title: String::new()
                },
                &ENGLISH
            ),
            "1 page"
        );
        assert_eq!(
            preview_details(&Preview::Text { lines: 3 }, &ENGLISH),
            "3 lines"
        );
        assert_eq!(file_details(20, None, &ENGLISH), "20 B");
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
            quote(Some(&long), 1, &ENGLISH),
            "↳ an: hẹn 7 giờ ở quán cũ nhé, nhớ mang theo…"
        );
        let short = said(Conversation::general(), "an", "ừ", sent());
        assert_eq!(quote(Some(&short), 1, &ENGLISH), "↳ an: ừ");
        let word = said(Conversation::general(), "an", &"a".repeat(50), sent());
        assert_eq!(
            quote(Some(&word), 1, &ENGLISH),
            format!("↳ an: {}…", "a".repeat(40))
        );
        let mut gone = short.clone();
        gone.body = Body::Deleted;
        assert_eq!(quote(Some(&gone), 1, &ENGLISH), "↳ an: (message deleted)");
        assert_eq!(quote(None, 41, &ENGLISH), "↳ message 41");
        let mut reply = short;
        reply.body = Body::Reply {
            text: "ừ".into(),
            to: 1,
            edit: Some(3),
        };
        assert_eq!(message(&reply, "bình", &ENGLISH).text, "an: ừ (edited)");
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
        assert_eq!(
            message(&mine, "me", &ENGLISH),
            shown(Tone::Mine, "[Me] hi".into())
        );
        let out = said(an(), "me", "psst", sent());
        assert_eq!(
            message(&out, "me", &ENGLISH),
            shown(Tone::PrivateOut, "[PM → an] psst".into())
        );
        let dm = Event::Message {
            message: said(an(), "an", "hi", sent()),
            origin: Origin::Live,
        };
        assert_eq!(text(event(&dm, "me", &ENGLISH)), "[PM from an] hi");
        assert_eq!(
            message(&said(general(), "an", "y", sent()), "me", &ENGLISH),
            shown(Tone::Public, "an: y".into())
        );
        let room = said(Conversation::Room("lop12a".into()), "an", "hi", sent());
        assert_eq!(message(&room, "me", &ENGLISH).text, "[#lop12a] an: hi");
        let mine = said(Conversation::Room("lop12a".into()), "me", "hi", sent());
        assert_eq!(message(&mine, "me", &ENGLISH).text, "[Me → #lop12a] hi");
        let file = Message {
            body: Body::File {
                name: "a.png".into(),
                size: 2048,
                sha256: Sha256Digest([0; 32]),
                preview: None,
            },
            ..said(general(), "an", "", sent())
        };
        assert_eq!(
            message(&file, "me", &ENGLISH).text,
            "[i] an shared a.png (2.0 KiB)"
        );
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
        assert_eq!(
            text(event(&ready, "me", &ENGLISH)),
            "[i] a.png 2.0 KiB, 1920×1080"
        );
        let downloaded = Event::Downloaded {
            id: 1,
            name: "a.png".into(),
            path: PathBuf::from("/c/a.png"),
        };
        assert_eq!(
            text(event(&downloaded, "me", &ENGLISH)),
            "[+] downloaded /c/a.png"
        );
        let lost = Event::Disconnected {
            reason: "gone".into(),
        };
        assert_eq!(text(event(&lost, "me", &ENGLISH)), "[!] disconnected: gone");
        assert_eq!(
            cleared(
                Cleared {
                    files: 2,
                    bytes: 2048
                },
                &ENGLISH
            )
            .text,
            "[*] cache cleared (2 files, 2.0 KiB)"
        );
        let in_background = Event::CacheCleared {
            cleared: Cleared { files: 1, bytes: 5 },
        };
        assert_eq!(
            text(event(&in_background, "me", &ENGLISH)),
            "[*] cache cleared (1 file, 5 B)"
        );
        let failed = Event::CacheNotCleared {
            reason: "cannot clear the download cache: denied".into(),
        };
        assert_eq!(
            event(&failed, "me", &ENGLISH),
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
                &ENGLISH,
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
            message(&topic, "bình", &ENGLISH).text,
            "[*] an set the topic of #homework: bài tập tuần 1"
        );
        let line = said(homework(), "an", "xong", sent());
        assert_eq!(
            message(&line, "bình", &ENGLISH).text,
            "[#homework] an: xong"
        );
        assert_eq!(
            message_in(
                &line,
                "bình",
                &Conversation::Room("HomeWork".into()),
                &ENGLISH
            )
            .text,
            "an: xong"
        );
        let group = Conversation::Group(vec!["an".into(), "bình".into(), "cường".into()]);
        let mine = said(group.clone(), "bình", "ok", sent());
        assert_eq!(
            message(&mine, "bình", &ENGLISH).text,
            "[Me → +an,bình,cường] ok"
        );
        assert_eq!(message_in(&mine, "bình", &group, &ENGLISH).text, "[Me] ok");
        assert_eq!(count(99), "99");
        assert_eq!(count(100), "99+");
        assert_eq!(unread(0, 0, &ENGLISH), "");
        assert_eq!(unread(150, 2, &ENGLISH), "99+ unread, 2 mentions");
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
            text(event(&delivery(failed.clone()), "me", &ENGLISH)),
            "[!] not delivered (No such user: nobody): [PM → nobody] hi"
        );
        let acked = Message {
            state: sent(),
            ..failed
        };
        assert_eq!(event(&delivery(acked), "me", &ENGLISH), None);
    }

    #[test]
    fn lists_and_bookkeeping_are_not_lines() {
        assert_eq!(event(&Event::Synced, "me", &ENGLISH), None);
        assert_eq!(
            event(
                &Event::FileList {
                    conversation: Conversation::general(),
                    files: vec![]
                },
                "me",
                &ENGLISH
            ),
            None
        );
        let read = Event::ReadUpTo {
            conversation: Conversation::general(),
            id: 4,
        };
        assert_eq!(event(&read, "me", &ENGLISH), None);
    }
}
