//! Which messages deserve a desktop notification: a direct message or a
//! mention, arrived live from someone else (not blocked), in a conversation
//! not muted, while the window is unfocused or shows another conversation.

use media_chat_client::{Conversation, Message, same};

use crate::i18n::Strings;
use crate::state::State;

/// A desktop notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// Its heading: who, and where for a mention.
    pub title: String,
    /// The message's text (a shared file's name).
    pub body: String,
    /// Where the message is.
    pub conversation: Conversation,
}

/// The notification `message` (just arrived live) deserves, if any.
pub fn alert_for(state: &State, message: &Message, strings: &Strings) -> Option<Alert> {
    let mine = message.author.to_lowercase() == state.me.to_lowercase();
    let direct = matches!(message.conversation, Conversation::Direct(_));
    let muted = state
        .conversations
        .get(&message.conversation)
        .is_some_and(|info| info.muted);
    let in_view = state.focused && same(&message.conversation, &state.current);
    let wanted = direct || message.mentions(&state.me);
    if mine || muted || in_view || !wanted || state.blocks(&message.author) {
        return None;
    }
    let words = &strings.messages;
    let title = match direct {
        true => (words.notify_direct)(&message.author),
        false => (words.notify_mention)(&message.author, &message.conversation.to_string()),
    };
    let body = match &message.body {
        media_chat_client::Body::File { name, .. } => name.clone(),
        _ => message.text().unwrap_or_default().to_owned(),
    };
    Some(Alert {
        title,
        body,
        conversation: message.conversation.clone(),
    })
}
