//! How each event is shown: one line, a local timestamp, and the seed's
//! tags (`[Me]`, `[PM → x]`, `[PM from x]`, `[+]`, `[*]`, `[!]`). A line
//! of a conversation other than the current one is named
//! (`[#homework] an: text`); lists (`/files`, `/rooms`, `/members`,
//! `/audit`) take one line per item, indented.

use bytesize::ByteSize;
use chrono::{DateTime, Local};
use media_chat_client::phrases::ENGLISH;
use media_chat_client::{
    AuditEntry, Body, Change, Cleared, Conversation, ConversationKind, Conversations, Event,
    Member, MemberChange, Message, Quota, Role, RoomInfo, SearchHit, display, same,
};

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

/// A message with the seed's tags, seen from the `current` conversation;
/// a shared file with how to get it, an invitation with how to accept it.
pub fn message(message: &Message, me: &str, current: &Conversation) -> String {
    let shown = display::message_in(message, me, current, &ENGLISH).text;
    match &message.body {
        Body::File { name, .. } => format!("{shown} — /get {name}"),
        Body::Member {
            user,
            change: MemberChange::Invited,
        } if same(
            &Conversation::Direct(user.clone()),
            &Conversation::Direct(me.into()),
        ) =>
        {
            format!("{shown} — /join {}", message.conversation)
        }
        _ => shown,
    }
}

/// An own message that did not reach the server, and why.
pub fn undelivered(message: &Message, me: &str) -> String {
    display::undelivered(message, me, &ENGLISH).text
}

/// What `/clear` freed.
pub fn cleared(cleared: Cleared) -> String {
    display::cleared(cleared, &ENGLISH).text
}

/// The line for an event, without its time prefix, seen from the
/// `current` conversation; `None` for events that are not shown (progress
/// has its bars, user lists answer `/users`, counts answer `/rooms`).
pub fn event(event: &Event, me: &str, current: &Conversation) -> Option<String> {
    match event {
        Event::LoggedIn { user } => Some(format!("[i] logged in as {user}")),
        Event::Message { message: m, .. } => Some(message(m, me, current)),
        Event::Members {
            conversation,
            members,
        } => Some(self::members(conversation, members)),
        Event::AuditLog { entries } => Some(audit(entries)),
        Event::FileList { files, .. } if files.is_empty() => {
            Some("[i] no files shared yet".to_owned())
        }
        Event::FileList { files, .. } => {
            let plural = if files.len() == 1 { "" } else { "s" };
            let mut out = format!("[i] {} shared file{plural}:", files.len());
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
            Some(out)
        }
        Event::Reconnecting { attempt, delay } => Some(format!(
            "[!] reconnecting in {:.1} s (attempt {attempt})",
            delay.as_secs_f32()
        )),
        _ => display::event_in(event, me, current, &ENGLISH).map(|shown| shown.text),
    }
}

/// `/quota`: what the user's files take and may still take, as the server
/// last said.
pub fn quota(quota: Option<Quota>) -> String {
    let Some(quota) = quota else {
        return "[i] this server announces no quota".to_owned();
    };
    let limit = match quota.limit {
        Some(limit) => format!(" of your {}", ByteSize(limit)),
        None => " (no quota)".to_owned(),
    };
    format!(
        "[i] your files take {}{limit}; an upload may be up to {} now",
        ByteSize(quota.used),
        ByteSize(quota.left)
    )
}

/// `/rooms`: the user's conversations (the current one marked, with
/// their unread counts), then the rooms they could join.
pub fn rooms(conversations: &Conversations, rooms: &[RoomInfo]) -> String {
    let mut out = String::from("[i] your conversations (→ where plain lines go):");
    for info in conversations.list() {
        let mark = if same(&info.conversation, conversations.current()) {
            "→"
        } else {
            " "
        };
        let mut details: Vec<String> = Vec::new();
        if info.kind == ConversationKind::PrivateRoom {
            details.push("private".into());
        }
        match info.role {
            Role::Owner => details.push("owner".into()),
            Role::Moderator => details.push("moderator".into()),
            Role::Invited => details.push(format!("invited — /join {}", info.conversation)),
            Role::Member => {}
        }
        if let Some(room) = rooms.iter().find(|r| same(&r.room, &info.conversation)) {
            details.push(plural(room.members, "member"));
        }
        let unread = display::unread(info.unread, info.mentions, &ENGLISH);
        if !unread.is_empty() {
            details.push(unread);
        }
        if info.muted {
            details.push("muted".into());
        }
        if !info.topic.is_empty() {
            details.push(info.topic.clone());
        }
        out.push_str(&format!("\n  {mark} {}", info.conversation));
        if !details.is_empty() {
            out.push_str(&format!("  {}", details.join(" · ")));
        }
    }
    let others: Vec<&RoomInfo> = rooms
        .iter()
        .filter(|r| conversations.get(&r.room).is_none())
        .collect();
    if !others.is_empty() {
        out.push_str("\n[i] rooms to join (/join #room):");
        for room in others {
            out.push_str(&format!(
                "\n    {}  {}",
                room.room,
                plural(room.members, "member")
            ));
            if !room.topic.is_empty() {
                out.push_str(&format!(" · {}", room.topic));
            }
        }
    }
    out
}

/// `/members`: one line per member, with their role and presence.
pub fn members(conversation: &Conversation, members: &[Member]) -> String {
    let mut out = format!(
        "[i] {} of {conversation}:",
        plural(members.len() as u64, "member")
    );
    for member in members {
        let mut details = Vec::new();
        match member.role {
            Role::Owner => details.push("owner"),
            Role::Moderator => details.push("moderator"),
            Role::Invited => details.push("invited"),
            Role::Member => {}
        }
        if member.online {
            details.push("online");
        }
        out.push_str(&format!("\n    {}", member.user));
        if !details.is_empty() {
            out.push_str(&format!("  {}", details.join(" · ")));
        }
    }
    out
}

/// `/audit`: one line per action, oldest first.
pub fn audit(entries: &[AuditEntry]) -> String {
    if entries.is_empty() {
        return "[i] the audit log is empty".to_owned();
    }
    let mut out = format!("[i] audit log, {}:", plural(entries.len() as u64, "line"));
    for entry in entries {
        let fields = [
            &entry.time,
            &entry.actor,
            &entry.action,
            &entry.target,
            &entry.detail,
        ];
        let fields: Vec<&str> = fields
            .iter()
            .map(|f| f.as_str())
            .filter(|f| !f.is_empty())
            .collect();
        out.push_str(&format!("\n    {}", fields.join("  ")));
    }
    out
}

/// A message's handle before its line (`^12 `), or nothing.
pub fn handle(handle: Option<u64>) -> String {
    handle.map(|n| format!("^{n} ")).unwrap_or_default()
}

/// A live edit, delete or reaction (or a message's reactions as they are),
/// naming the message by its handle when it was printed here.
pub fn change(by: &str, handle: Option<u64>, change: &Change, me: &str) -> String {
    let by = if same(
        &Conversation::Direct(by.to_owned()),
        &Conversation::Direct(me.to_owned()),
    ) {
        "you"
    } else {
        by
    };
    let which = handle.map_or_else(|| "a message".to_owned(), |n| format!("^{n}"));
    match change {
        Change::Edited(text) => format!("[*] {by} edited {which}: {text}"),
        Change::Deleted => format!("[*] {by} deleted {which}"),
        Change::Reacted {
            reaction,
            on: true,
            reactions,
        } => format!(
            "[*] {by} reacted {reaction} to {which} — {}",
            display::reactions(reactions, &ENGLISH)
        ),
        Change::Reacted {
            reaction,
            on: false,
            reactions,
        } => format!(
            "[*] {by} took back {reaction} on {which} — {}",
            display::reactions(reactions, &ENGLISH)
        ),
        Change::Reactions(reactions) => {
            format!(
                "[i] reactions on {which}: {}",
                display::reactions(reactions, &ENGLISH)
            )
        }
    }
}

/// `/search`: each result on a line of its own, best first, with its
/// handle (`handles`, in the same order): when, where, who, and the text
/// with the words that matched between `*`.
pub fn search_results(hits: &[SearchHit], handles: &[Option<u64>], more: bool, me: &str) -> String {
    if hits.is_empty() {
        return "[i] nothing found".to_owned();
    }
    let mut out = format!("[i] {}, best first:", plural(hits.len() as u64, "result"));
    for (hit, n) in hits
        .iter()
        .zip(handles.iter().chain(std::iter::repeat(&None)))
    {
        let message = &hit.message;
        let who = if same(
            &Conversation::Direct(message.author.clone()),
            &Conversation::Direct(me.to_owned()),
        ) {
            "[Me]".to_owned()
        } else {
            format!("{}:", message.author)
        };
        let text = match &message.body {
            Body::Text(text) | Body::Edited { text, .. } | Body::Reply { text, .. } => {
                text.as_str()
            }
            Body::File { name, .. } => name.as_str(),
            Body::Member { .. } | Body::Topic(_) | Body::Deleted | Body::FileDeleted { .. } => "",
        };
        let marked = highlighted(text, &hit.matches);
        let shared = if matches!(message.body, Body::File { .. }) {
            "shared "
        } else {
            ""
        };
        out.push_str(&format!(
            "\n    {}{} {} {who} {shared}{marked}",
            handle(*n),
            at(message.ts),
            message.conversation
        ));
    }
    if more {
        out.push_str(
            "\n[i] more matched: add words or a filter (from:, in:, has:file, before:, after:)",
        );
    }
    out
}

/// `text` with each range between `*`.
fn highlighted(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len() + 2 * ranges.len());
    let mut at = 0;
    for range in ranges {
        out.push_str(&text[at..range.start]);
        out.push('*');
        out.push_str(&text[range.clone()]);
        out.push('*');
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use media_chat_client::{Delivery, FileInfo, Origin, Sha256Digest};

    use super::*;

    #[test]
    fn terminal_lines_add_their_hints_to_the_shared_tags() {
        let from_an = |body| Event::Message {
            message: Message {
                conversation: Conversation::Direct("an".into()),
                author: "an".into(),
                body,
                ts: 0,
                state: Delivery::Sent { id: Some(1) },
            },
            origin: Origin::Live,
        };
        let general = Conversation::general();
        assert_eq!(
            event(&from_an(Body::Text("hi".into())), "me", &general).unwrap(),
            "[PM from an] hi"
        );
        let shared = from_an(Body::File {
            name: "a.png".into(),
            size: 2048,
            sha256: Sha256Digest([0; 32]),
            preview: None,
        });
        assert_eq!(
            event(&shared, "me", &general).unwrap(),
            "[i] an shared a.png (2.0 KiB) — /get a.png"
        );
        let logged_in = Event::LoggedIn { user: "me".into() };
        assert_eq!(
            event(&logged_in, "me", &general).unwrap(),
            "[i] logged in as me"
        );
    }

    #[test]
    fn file_lists_are_one_line_per_file() {
        let files = Event::FileList {
            conversation: media_chat_client::Conversation::general(),
            files: vec![FileInfo {
                name: "a.png".into(),
                size: 10,
                sha256: Sha256Digest([0; 32]),
                uploader: String::new(),
                ts: 0,
            }],
        };
        assert_eq!(
            event(&files, "me", &Conversation::general()).unwrap(),
            "[i] 1 shared file:\n    a.png  10 B  by ?"
        );
        assert!(at(1_764_072_000).starts_with("[2025-11-2"));
    }
}
