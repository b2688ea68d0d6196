//! The invite dialog: a name field that completes from the users this
//! window knows of (every account once `#general`'s members are loaded,
//! who is online, the direct conversations), without those already in the
//! room. Tab or a click on a suggestion completes; Enter or **Invite**
//! invites.

use egui::{Key, Modifiers, TextEdit};
use media_chat_client::{Conversation, Role, conversation_key};

use crate::action::Action;
use crate::i18n::tr;
use crate::state::State;

/// How many suggestions show at once.
const SUGGESTIONS: usize = 8;

/// An open invite dialog.
#[derive(Debug)]
pub struct InviteForm {
    /// The room to invite to.
    pub room: Conversation,
    /// The name typed so far.
    pub name: String,
    focused: bool,
}

impl InviteForm {
    /// A dialog inviting to `room`.
    pub fn new(room: Conversation) -> Self {
        InviteForm {
            room,
            name: String::new(),
            focused: false,
        }
    }
}

/// The users one may invite to `room` whose names start with `typed`
/// (case ignored), by name.
pub fn candidates(state: &State, room: &Conversation, typed: &str) -> Vec<String> {
    let typed = typed.trim().to_lowercase();
    let key = |user: &str| conversation_key(&Conversation::Direct(user.to_owned()));
    let inside: Vec<String> = state
        .members
        .get(&conversation_key(room))
        .map(|members| {
            members
                .iter()
                .filter(|m| m.role != Role::Invited)
                .map(|m| key(&m.user))
                .collect()
        })
        .unwrap_or_default();
    let mut known: Vec<String> = state
        .members
        .get(&conversation_key(&Conversation::general()))
        .into_iter()
        .flatten()
        .map(|m| m.user.clone())
        .chain(state.online.values().cloned())
        .chain(
            state
                .conversations
                .list()
                .iter()
                .filter_map(|info| match &info.conversation {
                    Conversation::Direct(user) => Some(user.clone()),
                    _ => None,
                }),
        )
        .filter(|user| key(user) != key(&state.me) && !inside.contains(&key(user)))
        .filter(|user| user.to_lowercase().starts_with(&typed))
        .collect();
    known.sort_by_key(|user| user.to_lowercase());
    known.dedup_by_key(|user| key(user));
    known
}

/// Draws the dialog if open; closes it once done.
pub fn invite_dialog(
    ctx: &egui::Context,
    open: &mut Option<InviteForm>,
    state: &State,
) -> Option<Action> {
    let form = open.as_mut()?;
    let mut action = None;
    let mut close = false;
    let suggestions = candidates(state, &form.room, &form.name);
    let strings = tr(ctx);
    let words = &strings.dialogs;
    egui::Window::new((words.invite_title)(&form.room.to_string()))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ctx, |ui| {
            ui.label(words.invite_name_label);
            let id = ui.make_persistent_id("invite-name");
            let had_focus = ui.memory(|m| m.has_focus(id));
            if had_focus
                && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Tab))
                && let Some(first) = suggestions.first()
            {
                form.name = first.clone();
            }
            let field = ui
                .add(
                    TextEdit::singleline(&mut form.name)
                        .id(id)
                        .lock_focus(true)
                        .hint_text(words.invite_name_hint)
                        .desired_width(260.0),
                )
                .accessible_name(words.invite_name);
            if !std::mem::replace(&mut form.focused, true) {
                field.request_focus();
            }
            for user in suggestions.iter().take(SUGGESTIONS) {
                if ui.selectable_label(false, user).clicked() {
                    form.name = user.clone();
                }
            }
            let name = form.name.trim().to_owned();
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            ui.horizontal(|ui| {
                if (ui.button(words.invite).clicked() || enter) && !name.is_empty() {
                    action = Some(Action::Invite {
                        room: form.room.clone(),
                        user: name.clone(),
                    });
                    close = true;
                }
                if ui.button(strings.cancel).clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                    close = true;
                }
            });
        });
    if close {
        *open = None;
    }
    action
}
