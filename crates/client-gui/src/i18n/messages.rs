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
    /// The right-click menu: copy the message's text.
    pub copy_text: &'static str,
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
