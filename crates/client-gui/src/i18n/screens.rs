//! The words of the login screen, the sidebar, the conversation header,
//! the hosting panel and the changed-certificate banner.

/// The login screen, the sidebar, the header, hosting, the certificate.
pub struct Screens {
    // The login screen.
    /// Under the title.
    pub tagline: &'static str,
    /// A field.
    pub host: &'static str,
    /// A field.
    pub port: &'static str,
    /// A field (also its accessible name).
    pub user_name: &'static str,
    /// A field (also its accessible name).
    pub password: &'static str,
    /// The TLS box.
    pub encrypted: &'static str,
    /// Its hint.
    pub encrypted_hint: &'static str,
    /// The button.
    pub log_in: &'static str,
    /// While hosting starts.
    pub starting_server: &'static str,
    /// While logging in.
    pub logging_in: &'static str,
    /// An unknown self-signed certificate: the question.
    pub right_server: &'static str,
    /// What to compare.
    pub compare_fingerprint: &'static str,
    /// Accept it.
    pub trust_and_log_in: &'static str,
    /// Over the hosting button.
    pub no_server_yet: &'static str,
    /// The hosting button.
    pub host_here: &'static str,
    /// Its hint.
    pub host_here_hint: &'static str,

    // The sidebar.
    /// The switcher's button.
    pub switch_button: &'static str,
    /// Its hint.
    pub switch_hint: &'static str,
    /// A heading.
    pub rooms: &'static str,
    /// A button.
    pub new_room: &'static str,
    /// A button.
    pub browse_rooms: &'static str,
    /// A heading.
    pub direct_messages: &'static str,
    /// No direct conversation yet.
    pub no_direct: &'static str,
    /// An entry's hint while invited.
    pub invited_hint: &'static str,
    /// After a private room's name, for screen readers.
    pub private_mark: &'static str,
    /// After an invited room's name, for screen readers.
    pub invited_mark: &'static str,

    // The header.
    /// Leave the room.
    pub leave: &'static str,
    /// Its hint: the room.
    pub leave_hint: fn(&str) -> String,
    /// Invite to the room.
    pub invite: &'static str,
    /// Its hint: the room.
    pub invite_hint: fn(&str) -> String,
    /// The topic field's hint.
    pub topic_hint: &'static str,
    /// The topic field's accessible name.
    pub topic: &'static str,
    /// Keep the topic.
    pub save: &'static str,
    /// A room without a topic.
    pub no_topic: &'static str,
    /// Edit it.
    pub edit_topic: &'static str,
    /// Its hint.
    pub edit_topic_hint: &'static str,

    // Hosting.
    /// Before the address.
    pub hosting_here: &'static str,
    /// The button.
    pub copy_invite: &'static str,
    /// Its hint.
    pub copy_invite_hint: &'static str,
    /// Before the fingerprint.
    pub certificate: &'static str,
    /// The invite: address.
    pub invite_text: fn(&str) -> String,
    /// The invite: address, fingerprint.
    pub invite_text_pinned: fn(&str, &str) -> String,

    // The certificate changed while reconnecting.
    /// The banner.
    pub certificate_changed_banner: &'static str,
    /// What it may mean and what to do.
    pub certificate_changed_advice: &'static str,
    /// Before the old fingerprint.
    pub accepted_before: &'static str,
    /// Before the new one.
    pub presented_now: &'static str,
    /// Back to the login screen.
    pub log_out: &'static str,
    /// Its hint.
    pub log_out_hint: &'static str,
    /// Accept the new certificate.
    pub trust_new: &'static str,
    /// Its hint.
    pub trust_new_hint: &'static str,
}
