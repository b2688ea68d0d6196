//! The quick switcher (Ctrl+K): type to filter the conversations by name,
//! ↑ and ↓ to choose, Enter to go there, Escape to close.

use egui::{Key, Modifiers, RichText, TextEdit};
use media_chat_client::{ConversationInfo, Role};

use crate::action::Action;
use crate::i18n::tr;
use crate::state::State;
use crate::state::conversations::title;

/// How many matches show at once.
const SHOWN: usize = 10;

/// An open switcher.
#[derive(Debug, Default)]
pub struct Switcher {
    /// What has been typed.
    pub query: String,
    /// The highlighted match.
    pub selected: usize,
    focused: bool,
}

/// Whether Ctrl+K (⌘K) was pressed this frame (it is consumed).
pub fn wanted(ctx: &egui::Context) -> bool {
    ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::K))
}

/// The conversations the user is in whose name contains `query` (case
/// ignored), names that start with it first, in sidebar order otherwise.
pub fn matches<'a>(state: &'a State, query: &str) -> Vec<&'a ConversationInfo> {
    let query = query.trim().trim_start_matches(['#', '@']).to_lowercase();
    let mut found: Vec<(bool, &ConversationInfo)> = state
        .conversations
        .list()
        .iter()
        .filter(|info| info.role != Role::Invited)
        .filter_map(|info| {
            let name = title(&info.conversation, &state.me).to_lowercase();
            let name = name.trim_start_matches('#');
            name.contains(&query)
                .then(|| (!name.starts_with(&query), info))
        })
        .collect();
    found.sort_by_key(|(later, _)| *later);
    found.into_iter().map(|(_, info)| info).collect()
}

/// Draws the switcher if open; closes it once a conversation is picked.
pub fn switcher(ctx: &egui::Context, open: &mut Option<Switcher>, state: &State) -> Option<Action> {
    let switcher = open.as_mut()?;
    let found = matches(state, &switcher.query);
    let (down, up, enter, escape) = ctx.input_mut(|i| {
        (
            i.consume_key(Modifiers::NONE, Key::ArrowDown),
            i.consume_key(Modifiers::NONE, Key::ArrowUp),
            i.key_pressed(Key::Enter),
            i.key_pressed(Key::Escape),
        )
    });
    let last = found.len().min(SHOWN).saturating_sub(1);
    if down {
        switcher.selected = (switcher.selected + 1).min(last);
    }
    if up {
        switcher.selected = switcher.selected.saturating_sub(1);
    }
    switcher.selected = switcher.selected.min(last);
    let mut action = None;
    let mut close = escape;
    let words = &tr(ctx).dialogs;
    egui::Window::new(words.switch_to)
        .collapsible(false)
        .resizable(false)
        .title_bar(false)
        .anchor(egui::Align2::CENTER_TOP, [0.0, 80.0])
        .show(ctx, |ui| {
            let before = switcher.query.clone();
            let field = ui
                .add(
                    TextEdit::singleline(&mut switcher.query)
                        .hint_text(words.switch_hint)
                        .desired_width(360.0),
                )
                .accessible_name(words.switch_to);
            if switcher.query != before {
                switcher.selected = 0;
            }
            if !std::mem::replace(&mut switcher.focused, true) {
                field.request_focus();
            }
            if found.is_empty() {
                ui.weak(words.nothing_matches);
            }
            for (index, info) in found.iter().take(SHOWN).enumerate() {
                let name = title(&info.conversation, &state.me);
                let name = match &info.conversation {
                    media_chat_client::Conversation::Room(_) => name,
                    _ => format!("@ {name}"),
                };
                let text = if info.unread > 0 {
                    RichText::new(format!(
                        "{name}  ({})",
                        media_chat_client::display::count(info.unread)
                    ))
                    .strong()
                } else {
                    RichText::new(name)
                };
                if ui
                    .selectable_label(index == switcher.selected, text)
                    .clicked()
                {
                    action = Some(Action::Go(info.conversation.clone()));
                }
            }
            ui.weak("↑↓ to choose, Enter to go, Esc to close");
        });
    if enter && let Some(info) = found.get(switcher.selected) {
        action = Some(Action::Go(info.conversation.clone()));
    }
    if action.is_some() {
        close = true;
    }
    if close {
        *open = None;
    }
    action
}
