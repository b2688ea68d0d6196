//! The conversation header above the pane: its name and, for a room, the
//! topic (the owner and moderators edit it in place), with **Invite…**
//! and **Leave** for the rooms one can leave.

use egui::{Key, RichText, TextEdit};
use media_chat_client::{Conversation, ConversationKind};

use crate::action::Action;
use crate::i18n::tr;
use crate::state::State;
use crate::state::conversations::title;

/// The header's own state: the topic being edited, for which conversation.
#[derive(Debug, Default)]
pub struct Header {
    editing: Option<(Conversation, String)>,
}

/// Draws the header of the current conversation.
pub fn header(ui: &mut egui::Ui, header: &mut Header, state: &State) -> Option<Action> {
    let mut action = None;
    let strings = tr(ui.ctx());
    let words = &strings.screens;
    let current = &state.current;
    if header
        .editing
        .as_ref()
        .is_some_and(|(editing, _)| editing != current)
    {
        header.editing = None;
    }
    let info = state.current_info();
    let room = matches!(current, Conversation::Room(_));
    let private = info.is_some_and(|i| i.kind == ConversationKind::PrivateRoom);
    let moderates = state.moderates_here();
    ui.horizontal(|ui| {
        let icon = match (current, private) {
            (Conversation::Room(_), true) => "🔒 ",
            (Conversation::Direct(_), _) => "@ ",
            (Conversation::Group(_), _) => "👥 ",
            (Conversation::Room(_), false) => "",
        };
        ui.heading(RichText::new(format!("{icon}{}", title(current, &state.me))).strong());
        if room && !current.is_general() {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .button(words.leave)
                    .on_hover_text((words.leave_hint)(&current.to_string()))
                    .clicked()
                {
                    action = Some(Action::Leave(current.clone()));
                }
                if ui
                    .button(words.invite)
                    .on_hover_text((words.invite_hint)(&current.to_string()))
                    .clicked()
                {
                    action = Some(Action::OpenInvite);
                }
            });
        }
    });
    if let Some((_, topic)) = &mut header.editing {
        let mut done = false;
        ui.horizontal(|ui| {
            let field = ui
                .add(
                    TextEdit::singleline(topic)
                        .hint_text(words.topic_hint)
                        .desired_width(ui.available_width() - 140.0),
                )
                .accessible_name(words.topic);
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            if ui.button(words.save).clicked() || enter {
                action = Some(Action::SetTopic(topic.trim().to_owned()));
                done = true;
            }
            if ui.button(strings.cancel).clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                done = true;
            }
        });
        if done {
            header.editing = None;
        }
    } else if room {
        ui.horizontal_wrapped(|ui| {
            let topic = info.map(|i| i.topic.as_str()).unwrap_or_default();
            if topic.is_empty() {
                ui.weak(words.no_topic);
            } else {
                ui.label(topic);
            }
            if moderates
                && ui
                    .small_button(words.edit_topic)
                    .on_hover_text(words.edit_topic_hint)
                    .clicked()
            {
                header.editing = Some((current.clone(), topic.to_owned()));
            }
        });
    }
    action
}
