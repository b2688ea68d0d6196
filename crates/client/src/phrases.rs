//! The words of the chat lines [`crate::display`] writes, one table per
//! language: [`ENGLISH`] here (the terminal client's), others filled by a
//! front (the desktop client's Vietnamese). The seed's tags (`[Me]`,
//! `[PM → x]`, `[+]`, `[*]`, `[!]`, `[i]`) are not words: `display` puts
//! them around these in every language.
//!
//! Each function gets what the sentence names, already as text (a size as
//! `1.2 MiB`, a conversation as `#homework`); a name that is the user's
//! own comes as [`Phrases::you`].

/// The words of the chat lines in one language.
pub struct Phrases {
    /// The user, where a line names them: `you`.
    pub you: &'static str,
    /// After an edited message's text: `(edited)`.
    pub edited: &'static str,
    /// In place of a deleted message's text: `(message deleted)`.
    pub deleted: &'static str,
    /// A share: author, file name, size.
    pub shared: fn(&str, &str, &str) -> String,
    /// A share whose file was deleted since: author, file name.
    pub shared_deleted: fn(&str, &str) -> String,
    /// A file deleted, live: by whom, the file's name, where.
    pub file_deleted: fn(&str, &str, &str) -> String,
    /// A topic cleared: by whom, where.
    pub topic_cleared: fn(&str, &str) -> String,
    /// A topic set: by whom, where, the topic.
    pub topic_set: fn(&str, &str, &str) -> String,
    /// A room created: by whom, the room.
    pub created: fn(&str, &str) -> String,
    /// Someone joined a room: who, the room.
    pub joined_room: fn(&str, &str) -> String,
    /// Someone left a room: who, the room.
    pub left_room: fn(&str, &str) -> String,
    /// An invitation: by whom, whom, the room.
    pub invited: fn(&str, &str, &str) -> String,
    /// The user was removed: the room, by whom.
    pub removed_you: fn(&str, &str) -> String,
    /// The user was banned: the room, by whom.
    pub banned_you: fn(&str, &str) -> String,
    /// Someone removed: by whom, whom, the room.
    pub removed: fn(&str, &str, &str) -> String,
    /// Someone banned: by whom, whom, the room.
    pub banned: fn(&str, &str, &str) -> String,
    /// A ban lifted: by whom, whom, the room.
    pub unbanned: fn(&str, &str, &str) -> String,
    /// A moderator named: by whom, whom, the room.
    pub promoted: fn(&str, &str, &str) -> String,
    /// A moderator made a plain member: by whom, whom, the room.
    pub demoted: fn(&str, &str, &str) -> String,
    /// A reply's original, not loaded: its id (`message 41`).
    pub message_number: fn(u64) -> String,
    /// A message without reactions.
    pub no_reactions: &'static str,
    /// Unread messages: how many, as a badge counts (`3`, `99+`).
    pub unread: fn(&str) -> String,
    /// Mentions among them: how many (for the plural), as counted.
    pub mentions: fn(u64, &str) -> String,
    /// A text file's lines: how many.
    pub lines: fn(u64) -> String,
    /// A PDF's pages: how many.
    pub pages: fn(u64) -> String,
    /// An own message not delivered: why, the message's line.
    pub not_delivered: fn(&str, &str) -> String,
    /// Why, while the server has not answered yet.
    pub not_acknowledged: &'static str,
    /// The download cache cleared: how many files, their size.
    pub cache_cleared: fn(u64, &str) -> String,
    /// A search failed: why.
    pub search_failed: fn(&str) -> String,
    /// A message edited, live: by whom, the new text.
    pub edited_message: fn(&str, &str) -> String,
    /// A message deleted, live: by whom.
    pub deleted_message: fn(&str) -> String,
    /// A reaction given, live: by whom, the reaction, the message's
    /// reactions now.
    pub reacted: fn(&str, &str, &str) -> String,
    /// A reaction taken back, live: the same.
    pub took_back: fn(&str, &str, &str) -> String,
    /// The user blocked someone: whom.
    pub blocked: fn(&str) -> String,
    /// The user unblocked someone: whom.
    pub unblocked: fn(&str) -> String,
    /// A conversation muted: which.
    pub muted: fn(&str) -> String,
    /// A conversation unmuted: which.
    pub unmuted: fn(&str) -> String,
    /// Sending now goes to: the conversation.
    pub now_talking: fn(&str) -> String,
    /// An invitation code made: the code.
    pub invite_code: fn(&str) -> String,
    /// Someone came online: who.
    pub came_online: fn(&str) -> String,
    /// Someone went offline: who.
    pub went_offline: fn(&str) -> String,
    /// An own upload the server has: the file's name, its size.
    pub uploaded: fn(&str, &str) -> String,
    /// A download done: where it was saved.
    pub downloaded: fn(&str) -> String,
    /// An upload failed: the file's name, why.
    pub upload_failed: fn(&str, &str) -> String,
    /// A download failed: the file's name, why.
    pub download_failed: fn(&str, &str) -> String,
    /// An upload cancelled: the file's name.
    pub upload_cancelled: fn(&str) -> String,
    /// A download cancelled: the file's name.
    pub download_cancelled: fn(&str) -> String,
    /// A file that would not open: its path, why.
    pub cannot_open: fn(&str, &str) -> String,
    /// The connection dropped: why.
    pub disconnected: fn(&str) -> String,
}

/// `n` and the word for one or for many.
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The English lines, the terminal client's and the desktop client's
/// default.
pub const ENGLISH: Phrases = Phrases {
    you: "you",
    edited: "(edited)",
    deleted: "(message deleted)",
    shared: |author, name, size| format!("{author} shared {name} ({size})"),
    shared_deleted: |author, name| format!("{author} shared {name} (file deleted)"),
    file_deleted: |by, name, place| format!("{by} deleted {name} from {place}"),
    topic_cleared: |by, place| format!("{by} cleared the topic of {place}"),
    topic_set: |by, place, topic| format!("{by} set the topic of {place}: {topic}"),
    created: |by, room| format!("{by} created {room}"),
    joined_room: |who, room| format!("{who} joined {room}"),
    left_room: |who, room| format!("{who} left {room}"),
    invited: |by, whom, room| format!("{by} invited {whom} to {room}"),
    removed_you: |room, by| format!("you were removed from {room} by {by}"),
    banned_you: |room, by| format!("you were banned from {room} by {by}"),
    removed: |by, whom, room| format!("{by} removed {whom} from {room}"),
    banned: |by, whom, room| format!("{by} banned {whom} from {room}"),
    unbanned: |by, whom, room| format!("{by} lifted the ban on {whom} in {room}"),
    promoted: |by, whom, room| format!("{by} made {whom} a moderator of {room}"),
    demoted: |by, whom, room| format!("{by} made {whom} a plain member of {room}"),
    message_number: |id| format!("message {id}"),
    no_reactions: "no reactions",
    unread: |n| format!("{n} unread"),
    mentions: |n, shown| format!("{shown} {}", if n == 1 { "mention" } else { "mentions" }),
    lines: |n| counted(n, "line", "lines"),
    pages: |n| counted(n, "page", "pages"),
    not_delivered: |why, line| format!("not delivered ({why}): {line}"),
    not_acknowledged: "not acknowledged yet",
    cache_cleared: |files, size| {
        format!(
            "cache cleared ({}, {size})",
            counted(files, "file", "files")
        )
    },
    search_failed: |why| format!("search: {why}"),
    edited_message: |by, text| format!("{by} edited a message: {text}"),
    deleted_message: |by| format!("{by} deleted a message"),
    reacted: |by, reaction, now| format!("{by} reacted {reaction} on a message: {now}"),
    took_back: |by, reaction, now| format!("{by} took back {reaction} on a message: {now}"),
    blocked: |user| {
        format!("you blocked {user}: their messages are hidden, their direct messages refused")
    },
    unblocked: |user| format!("you unblocked {user}"),
    muted: |place| format!("{place} is muted: no notifications or badge (still counted unread)"),
    unmuted: |place| format!("{place} is no longer muted"),
    now_talking: |place| format!("now talking in {place}"),
    invite_code: |code| format!("invitation code: {code} (good for one new account)"),
    came_online: |user| format!("{user} joined"),
    went_offline: |user| format!("{user} left"),
    uploaded: |name, size| format!("shared {name} ({size})"),
    downloaded: |path| format!("downloaded {path}"),
    upload_failed: |name, why| format!("upload of {name} failed: {why}"),
    download_failed: |name, why| format!("download of {name} failed: {why}"),
    upload_cancelled: |name| format!("upload of {name} cancelled"),
    download_cancelled: |name| format!("download of {name} cancelled"),
    cannot_open: |path, why| format!("cannot open {path}: {why}"),
    disconnected: |why| format!("disconnected: {why}"),
};
