//! Replies and edits: the line over the entry in reply mode ("Replying to
//! an: first words… ✕") or edit mode ("Editing your message ✕"), and the
//! snippet above a reply ("↳ an: first words…"), which takes the pane to
//! the message it answers.

use egui::{Label, RichText, Sense};
use media_chat_client::{Body, Message};

use crate::action::Action;
use crate::i18n::{Strings, tr};
use crate::markup::parse;

/// How many characters of the original a snippet shows.
const SNIPPET_CHARS: usize = 48;

/// The first words of a message, on one line, cut with "…" when longer;
/// formatting markers left out (`**ba**` reads "ba").
pub fn first_words(message: &Message, strings: &Strings) -> String {
    let text = match &message.body {
        Body::File { name, .. } => name.clone(),
        Body::Deleted => strings.lines.deleted.to_owned(),
        _ => parse(message.text().unwrap_or_default())
            .into_iter()
            .map(|span| span.text)
            .collect(),
    };
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.chars().count() > SNIPPET_CHARS {
        true => format!("{}…", line.chars().take(SNIPPET_CHARS).collect::<String>()),
        false => line,
    }
}

/// The line over the entry while answering `original`; returns
/// [`Action::LeaveMode`] when its ✕ is clicked.
pub fn reply_banner(ui: &mut egui::Ui, original: Option<&Message>) -> Option<Action> {
    let strings = tr(ui.ctx());
    let words = &strings.messages;
    let mut action = None;
    ui.horizontal(|ui| {
        let text = match original {
            Some(message) => (words.replying_to)(&message.author, &first_words(message, strings)),
            None => words.snippet_unknown.to_owned(),
        };
        ui.label(RichText::new(text).italics());
        if ui
            .small_button("✕")
            .on_hover_text(words.cancel_reply)
            .accessible_name(words.cancel_reply)
            .clicked()
        {
            action = Some(Action::LeaveMode);
        }
    });
    action
}

/// The line over the entry while editing one's own message; returns
/// [`Action::LeaveMode`] when its ✕ is clicked.
pub fn edit_banner(ui: &mut egui::Ui) -> Option<Action> {
    let words = &tr(ui.ctx()).messages;
    let mut action = None;
    ui.horizontal(|ui| {
        ui.label(RichText::new(words.editing).italics());
        if ui
            .small_button("✕")
            .on_hover_text(words.cancel_edit)
            .accessible_name(words.cancel_edit)
            .clicked()
        {
            action = Some(Action::LeaveMode);
        }
    });
    action
}

/// The snippet above a reply to message `to` (`original`, if loaded);
/// a click asks for the pane to show it.
pub fn snippet(ui: &mut egui::Ui, to: u64, original: Option<&Message>) -> Option<Action> {
    let strings = tr(ui.ctx());
    let words = &strings.messages;
    let text = match original {
        Some(message) => (words.snippet)(&message.author, &first_words(message, strings)),
        None => words.snippet_unknown.to_owned(),
    };
    let response = ui
        .add(
            // Weak and italic, at the text size: the small style was too
            // small to read under a message (seen under Xvfb).
            Label::new(RichText::new(text).italics().weak())
                .truncate()
                .sense(Sense::click()),
        )
        .on_hover_text(words.show_original)
        .on_hover_cursor(egui::CursorIcon::PointingHand);
    response.clicked().then_some(Action::ShowMessage(to))
}

#[cfg(test)]
mod tests {
    use media_chat_client::{Body, Conversation, Delivery, Message};

    use super::first_words;
    use crate::i18n::Language;

    #[test]
    fn a_snippet_reads_the_words_without_their_formatting_markers() {
        let message = Message {
            conversation: Conversation::general(),
            author: "an".into(),
            body: Body::Text("Dùng **công thức** `x = -b / 2a` là ra".into()),
            ts: 0,
            state: Delivery::Sent { id: Some(4) },
        };
        let strings = Language::English.strings();
        assert_eq!(
            first_words(&message, strings),
            "Dùng công thức x = -b / 2a là ra"
        );
    }
}
