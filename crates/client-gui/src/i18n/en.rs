//! English.

use chrono::Datelike;

use super::{Dialogs, Notices, Screens, Strings};

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
    screens: Screens {
        tagline: "Chat and share files with your group.",
        host: "Host",
        port: "Port",
        user_name: "User name",
        password: "Password",
        encrypted: "Encrypted (TLS)",
        encrypted_hint: "Turn off only for an old server without TLS: the password and messages would cross the network readable",
        log_in: "Log in",
        starting_server: "Starting the chat server…",
        logging_in: "Logging in…",
        right_server: "Is this the right server?",
        compare_fingerprint: "Its certificate is not signed by a known authority. Compare this fingerprint with the one the server's administrator gives you:",
        trust_and_log_in: "Trust and log in",
        no_server_yet: "No server yet?",
        host_here: "Host a chat on this computer",
        host_here_hint: "Starts a server here on the port above; others on your network join with this computer's address.",

        switch_button: "🔍 Switch…  Ctrl+K",
        switch_hint: "Go to a conversation by typing its name",
        rooms: "Rooms",
        new_room: "New room…",
        browse_rooms: "Browse rooms…",
        direct_messages: "Direct messages",
        no_direct: "Click a name on the right, or write @name message.",
        invited_hint: "You are invited: click to join",
        private_mark: " (private)",
        invited_mark: " (invited)",

        leave: "Leave",
        leave_hint: |room| format!("Leave {room}"),
        invite: "Invite…",
        invite_hint: |room| format!("Invite someone to {room}"),
        topic_hint: "What this room is about",
        topic: "Topic",
        save: "Save",
        no_topic: "No topic",
        edit_topic: "Edit topic",
        edit_topic_hint: "The owner and moderators set the topic",

        hosting_here: "Hosting here — others join at",
        copy_invite: "Copy invite",
        copy_invite_hint: "The address and the certificate's fingerprint, to send to guests",
        certificate: "Certificate:",
        invite_text: |address| format!("Join my media-chat at {address}"),
        invite_text_pinned: |address, fingerprint| {
            format!(
                "Join my media-chat at {address}. When your client asks, the certificate's fingerprint must be {fingerprint}"
            )
        },

        certificate_changed_banner: "The server's certificate has changed: not reconnecting",
        certificate_changed_advice: "Someone may be intercepting the connection. Ask the server's administrator whether they replaced the certificate, and compare the new fingerprint.",
        accepted_before: "Accepted before:",
        presented_now: "Presented now:",
        log_out: "Log out",
        log_out_hint: "Back to the login screen; the new certificate is not trusted",
        trust_new: "Trust the new certificate and log in again",
        trust_new_hint: "Only if the administrator confirmed the new fingerprint",
    },

    dialogs: Dialogs {
        new_room_title: "New room",
        name: "Name",
        topic: "Topic",
        topic_hint: "What it is about (optional)",
        public: "Public",
        public_hint: "Listed; anyone may join",
        private: "Private",
        private_hint: "Not listed; people join when invited",
        create: "Create",
        general_exists: "#general is everyone's room already",

        browse_title: "Browse rooms",
        filter_hint: "Filter by name or topic",
        filter_name: "Filter rooms",
        asking_rooms: "Asking the server for its rooms…",
        no_room_matches: "No room matches. New room… makes one.",
        open: "Open",
        join: "Join",
        members: |n| match n {
            1 => "1 member".to_owned(),
            n => format!("{n} members"),
        },

        invite_title: |room| format!("Invite to {room}"),
        invite_name_label: "Name:",
        invite_name_hint: "Tab completes",
        invite_name: "Invite name",
        invite: "Invite",

        switch_to: "Switch to",
        switch_hint: "Go to a room or a person…",
        nothing_matches: "Nothing matches",

        zoom_out: "Zoom out (-)",
        actual_size: "Actual size",
        zoom_in: "Zoom in (+)",
        fit: "Fit",
        fit_hint: "Fit the window",
        close_hint: "Close (Escape)",
        picture: |name| format!("Picture {name}"),
        unreadable_picture: "This picture cannot be read.",
        opening_picture: "Opening the picture…",

        no_file_manager: "No file manager on this computer shows the folder",
        downloads_are_here: "The downloads are here:",
        no_program: |name| format!("No program on this computer opens {name}"),
        file_is_here: "The file is downloaded and checked. It is here:",
        show_in_folder: "Show in folder",
        show_in_folder_hint: "Open the folder it is in",
        copy_path: "Copy path",

        file_name_label: "File name:",
        file_name: "File name",
        no_file_dialog: "No file dialog is available here. Type the file's path, or drop the file on the window:",
        file_path: "File path",
    },

    notices: Notices {
        help: &[
            "[i] commands (also under the buttons and in the side panel):",
            "text — send to the conversation in view; Shift+Enter starts a new line",
            "@user text — send privately (also /dm user text); /dm a,b,c text writes to a group",
            "#room text — post to a room you are in, staying where you are",
            "/go #room, /go @user, /go +a,b,c — put a conversation in view",
            "/rooms — browse the rooms; /create #room [private] [topic]; /join #room; /leave [#room]",
            "/invite NAME, /remove NAME, /topic TEXT, /members — the current room",
            "/send PATH — share a file; /get NAME — download and open it; /open NAME — open a download",
            "/files — the files shared here; /users — who is online",
            "/clear — empty the download cache; /cancel — cancel running transfers",
            "/more — older messages; /retry, /discard — the messages that failed here",
            "/signout-others — end your other sessions; /quit — log out and close",
            "administrators: /invite-code, /registration open|closed|invite, /ban NAME reason, /unban NAME",
            "//text — send a line that starts with /",
        ],
        unknown_command: |verb| format!("unknown command {verb} — /help lists them"),
        write_as: |usage| format!("write it as {usage}"),
        write_alone: |verb| format!("write it as {verb}, alone"),
        terminal_only: |verb| {
            format!(
                "{verb} is not in the desktop window yet; the terminal client (media-chat-cli) has it"
            )
        },
        no_files: |here| format!("[i] no files shared in {here} yet"),
        files_in: |here| format!("[i] files shared in {here}:"),
        online_users: |users| format!("[i] online: {users}"),
        not_downloaded: |name| format!("[!] {name} is not downloaded; /get {name} first"),
        no_topic_here: |here| format!("[!] {here} is not a room: it has no topic"),
        no_invite_here: |here| format!("[!] {here} is not a room: no one is invited"),
        hosting_at: |address| format!("[i] hosting a chat here: others join at {address}"),
        expect_certificate: |fingerprint| {
            format!("[i] tell them to expect the certificate {fingerprint}")
        },
        certificate_trusted: "The new certificate is trusted. Enter your password to log in again.",
        cannot_trust: |why| format!("Cannot remember the new certificate: {why}"),
        bad_port: "The port must be a number from 1 to 65535",
        no_data_dir: "This system has no data directory to keep the chat in",
        cannot_host: |why| format!("Cannot host a chat: {why}"),
        stopped_while_starting: "the server stopped while starting",
    },
};
