//! The words around one message and finding messages: reactions, the
//! hover bar, replies, the right-click menu and the search panel.

/// Reactions, replies, the message menu and search.
pub struct Messages {
    /// The hover bar's react button, its accessible name.
    pub react: &'static str,
    /// Its hint.
    pub react_hint: &'static str,
    /// The react pop-up's button to the whole emoji picker.
    pub more_emoji: &'static str,
    /// A chip's hint: the reaction, who gave it.
    pub reacted_by: fn(&str, &str) -> String,
    /// The hover bar's and the menu's reply button.
    pub reply: &'static str,
    /// Over the entry in reply mode: author, first words.
    pub replying_to: fn(&str, &str) -> String,
    /// The ✕ that leaves reply mode, its accessible name.
    pub cancel_reply: &'static str,
    /// Above a reply: the original's author and first words.
    pub snippet: fn(&str, &str) -> String,
    /// Above a reply whose original is not loaded (yet).
    pub snippet_unknown: &'static str,
    /// The snippet's hint.
    pub show_original: &'static str,
    /// Under a share whose preview the server is making.
    pub preview_coming: &'static str,
    /// A PDF's card: its pages (as [`Phrases::pages`] counts them), its
    /// title (may be empty).
    ///
    /// [`Phrases::pages`]: media_chat_client::phrases::Phrases::pages
    pub pdf_details: fn(&str, &str) -> String,
    /// A sound's card: its button.
    pub play: &'static str,
    /// A PDF's or a text's card: its button.
    pub open_file: &'static str,
    /// A preview card's thumbnail, its accessible name: the file's name.
    pub preview_of: fn(&str) -> String,
    /// A preview card's thumbnail or button hint.
    pub download_and_open: &'static str,
    /// The right-click menu: copy the message's text.
    pub copy_text: &'static str,
    /// A link to a message on another server than this one: its address.
    pub other_server: fn(&str) -> String,
    /// The right-click menu: copy a link that opens the message.
    pub copy_link: &'static str,
    /// The hover bar's and the menu's edit button (own messages).
    pub edit: &'static str,
    /// Over the entry in edit mode.
    pub editing: &'static str,
    /// The ✕ that leaves edit mode, its accessible name.
    pub cancel_edit: &'static str,
    /// The hover bar's and the menu's delete button.
    pub delete_message: &'static str,
    /// The delete confirmation's heading.
    pub delete_title: &'static str,
    /// What deleting does, in the confirmation.
    pub delete_question: &'static str,
    /// The files panel's delete button, its hint, and the confirmation's
    /// heading: the file's name.
    pub delete_file_title: fn(&str) -> String,
    /// What deleting a file does, in the confirmation.
    pub delete_file_question: &'static str,
    /// The confirmation's button.
    pub delete_file: &'static str,
    /// Under the messages: who is typing there.
    pub typing: fn(&[&str]) -> String,
    /// In place of messages from blocked users: how many.
    pub blocked_messages: fn(usize) -> String,
    /// The button that shows them anyway.
    pub show_blocked: &'static str,
    /// The button that hides them again.
    pub hide_blocked: &'static str,
    /// A name's menu: block or unblock its user.
    pub block: &'static str,
    /// See [`Messages::block`].
    pub unblock: &'static str,
    /// A conversation's menu: mute or unmute it.
    pub mute: &'static str,
    /// See [`Messages::mute`].
    pub unmute: &'static str,
    /// After a muted conversation's name, for screen readers.
    pub muted_mark: &'static str,
    /// A muted conversation's hint in the sidebar.
    pub muted_hint: &'static str,
    /// A desktop notification's heading for a direct message: from whom.
    pub notify_direct: fn(&str) -> String,
    /// A desktop notification's heading for a mention: who, where.
    pub notify_mention: fn(&str, &str) -> String,
    /// The search panel's heading.
    pub search_title: &'static str,
    /// Its field's accessible name.
    pub search_field: &'static str,
    /// Its field's hint.
    pub search_hint: &'static str,
    /// Waiting for the answer.
    pub searching: &'static str,
    /// Nothing matched.
    pub no_results: &'static str,
    /// More matched than shown.
    pub more_results: &'static str,
    /// The search failed: why.
    pub search_failed: fn(&str) -> String,
    /// A result's line: author, conversation, time.
    pub result_heading: fn(&str, &str, &str) -> String,
}
