//! The lines the window writes itself: `/help`, the slash commands'
//! refusals and answers, and the app's notices and login errors.

/// The window's own lines.
pub struct Notices {
    /// `/help`, one line each.
    pub help: &'static [&'static str],
    /// An unknown command: the verb.
    pub unknown_command: fn(&str) -> String,
    /// A command missing its argument: how to write it.
    pub write_as: fn(&str) -> String,
    /// A command that takes nothing: the verb.
    pub write_alone: fn(&str) -> String,
    /// Not in the desktop window: the verb.
    pub terminal_only: fn(&str) -> String,
    /// `/files`, none: the conversation.
    pub no_files: fn(&str) -> String,
    /// `/files`: the conversation.
    pub files_in: fn(&str) -> String,
    /// `/users`: the names.
    pub online_users: fn(&str) -> String,
    /// `/open` before `/get`: the name.
    pub not_downloaded: fn(&str) -> String,
    /// A topic outside a room: the conversation.
    pub no_topic_here: fn(&str) -> String,
    /// Inviting outside a room: the conversation.
    pub no_invite_here: fn(&str) -> String,
    /// Hosting: the address.
    pub hosting_at: fn(&str) -> String,
    /// Hosting: the fingerprint.
    pub expect_certificate: fn(&str) -> String,
    /// Back at the login screen after trusting a new certificate.
    pub certificate_trusted: &'static str,
    /// It could not be written: why.
    pub cannot_trust: fn(&str) -> String,
    /// A port that is no number.
    pub bad_port: &'static str,
    /// Hosting without a data directory.
    pub no_data_dir: &'static str,
    /// Hosting failed: why.
    pub cannot_host: fn(&str) -> String,
    /// The hosted server stopped while starting.
    pub stopped_while_starting: &'static str,
}
