//! English.

use chrono::Datelike;

use super::Strings;

/// The English table.
pub const STRINGS: Strings = Strings {
    today: "Today",
    yesterday: "Yesterday",
    weekdays: [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    date: |weekday, day| {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let month = MONTHS[day.month0() as usize];
        format!("{weekday} {} {month} {}", day.day(), day.year())
    },
    new_since_you_left: "new since you left",
    new_messages: |n| match n {
        1 => "↓ 1 new message".to_owned(),
        n => format!("↓ {n} new messages"),
    },
    loading_older: "Loading older messages…",
    load_older: "Load older messages",
    beginning: "The beginning of the conversation",
    you: "(you)",
    edited: "(edited)",
    deleted: "(message deleted)",
    not_delivered: |reason| format!("⚠ Not delivered: {reason}"),
    retry: "Retry",
    retry_hint: "Send it again (it is stored at most once)",
    discard: "Discard",
    pending: "Pending",
    pending_hint: "Waiting for the server; sent again by itself after a reconnect",
    open_picture: |name| format!("Open {name}"),
    open_full_size: "Click to open full size",

    entry_hint: "Message — @name writes privately",
    entry_name: "Message",
    write_as_private: "[!] Write it as @name message",
    mention_private: "private message",
    mention_inline: "mention",
    emoji_button: "Emoji",
    emoji_hint: "Insert an emoji",
    emoji_search: "Search emoji",
    emoji_search_hint: "Search: smile, heart, thumbs…",
    emoji_recent: "Recently used",
    emoji_all: "All emoji",
    emoji_none: "No emoji has that name.",
    send: "Send",
    send_file: "Send File",
    send_file_hint: "Or drop a file on the window",
    get_file: "Get File",
    clear: "Clear",
    clear_hint: "Delete the downloaded files",
    exit: "Exit",
    clearing: "Clearing the download cache…",

    clear_title: "Clear the downloads",
    clear_question: |files, bytes| match files {
        1 => format!(
            "Delete 1 downloaded file ({})?",
            super::size_in_words(bytes)
        ),
        n => format!(
            "Delete {n} downloaded files ({})?",
            super::size_in_words(bytes)
        ),
    },
    clear_nothing: "There are no downloaded files to delete.",
    delete: "Delete",
    cancel: "Cancel",
    close: "Close",

    link_lost: |reason| format!("Connection lost: {reason}. What you send waits until it is back."),
    link_reconnecting: |seconds, attempt| {
        format!(
            "Connection lost — reconnecting in {seconds:.1} s (attempt {attempt}). What you send waits and goes out then."
        )
    },
    reconnect_now: "Reconnect now",
    reconnected: "[+] reconnected",
    offline_since: |time| format!("offline since {time}"),

    members_heading: |n| format!("Members ({n})"),
    online_count: |n| format!("{n} online"),
    online_heading: |n| format!("Online ({n})"),
    loading_members: "Loading members…",
    online: "online",
    offline: "offline",
    owner: "owner",
    moderator: "moderator",
    invited: "invited",
    you_hint: "You",
    write_privately: |name| format!("Write to {name} privately"),

    view_menu: "View",
    theme: "Theme",
    theme_system: "Like the system",
    theme_light: "Light",
    theme_dark: "Dark",
    text_size: |percent| format!("Text size: {percent:.0} %"),
    larger: "Larger text  (Ctrl +)",
    smaller: "Smaller text  (Ctrl −)",
    reset_size: "Normal size  (Ctrl 0)",

    on_server: |user, server| format!("— {user} on {server}"),
    members_and_files: "👥 Members & files",
    members_and_files_hint: "Show who is here and the files, in place of the conversations",
    drop_to_share: "Drop to share",

    shared_files: |n| format!("Shared files ({n})"),
    nothing_shared: "Nothing shared yet. Send File, or drop one on the window.",
    download: "Download",
    download_hint: |name| format!("Download {name} into the cache"),
    verifying: |size| format!("{size} — verifying…"),

    cannot_send: |name, why| format!("[!] Cannot send {name}: {why}"),
    cannot_get: |name, why| format!("[!] Cannot get {name}: {why}"),
    too_large: |size, max| format!("it is {size}; the server takes files up to {max}"),
    type_not_allowed: |extension, allowed| {
        format!("the server does not take .{extension} files (it takes {allowed})")
    },
    not_a_file: "it is a folder, not a file",
    bad_name: |why| format!("the server cannot keep that name ({why})"),
    not_connected: "not connected right now; try again once the connection is back",
    congested: "not sent: too many messages are waiting for the server",
    old_server: "the server is too old for this",
    io_not_found: "the file or folder does not exist",
    io_denied: "this computer does not allow reading it",
    io_refused: "nothing answers at that address and port",
    io_timed_out: "no answer in time",
    io_broken: "the connection broke",
    io_no_host: "no computer has that name",
    io_full: "the disk is full",
    io_other: |words| words.to_lowercase(),
    cannot_reach: |why| format!("Cannot reach the server: {why}"),
    unexpected_answer: |what| format!("The server answered something unexpected: {what}"),
    tls_failed: |why| {
        format!(
            "The encrypted connection failed ({why}); an old server without TLS needs Encrypted turned off"
        )
    },
    certificate_changed: "The server's certificate has changed: someone may be intercepting the connection. Ask its administrator.",
    certificate_unknown: "The server's certificate is not signed by a known authority.",
};
