//! The entry (Enter sends, Tab completes `@names`) and the seed's toolbar:
//! **Send**, **Send File**, **Get File**, **Clear**, **Exit**.

use std::collections::BTreeMap;

use egui::{Key, Modifiers, TextEdit};

use crate::action::Action;
use crate::i18n::tr;

/// The entry's id, so the app can give it focus.
pub fn entry_id() -> egui::Id {
    egui::Id::unique("message-entry")
}

/// Draws the entry and toolbar; `clearing` while the download cache is
/// being cleared.
pub fn composer(
    ui: &mut egui::Ui,
    draft: &mut String,
    online: &BTreeMap<String, String>,
    clearing: bool,
) -> Option<Action> {
    let mut action = None;
    let strings = tr(ui.ctx());
    let id = entry_id();
    let had_focus = ui.memory(|m| m.has_focus(id));
    if had_focus && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Tab)) {
        complete_mention(draft, online);
        if let Some(mut state) = TextEdit::load_state(ui.ctx(), id) {
            let end = egui::text::CCursor::new(draft.chars().count());
            state
                .cursor
                .set_char_range(Some(egui::text::CCursorRange::one(end)));
            state.store(ui.ctx(), id);
        }
    }
    // While a name is being typed, Tab completes it instead of moving focus.
    let completing = draft
        .rsplit(char::is_whitespace)
        .next()
        .is_some_and(|word| word.starts_with('@'));
    let entry = ui.add(
        TextEdit::singleline(draft)
            .id(id)
            .lock_focus(completing)
            .hint_text(strings.entry_hint)
            .desired_width(f32::INFINITY),
    );
    let entry = entry.accessible_name(strings.entry_name);
    if entry.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
        action = Some(Action::Send);
    }
    ui.horizontal_wrapped(|ui| {
        if ui.button(strings.send).clicked() {
            action = Some(Action::Send);
        }
        if ui
            .button(strings.send_file)
            .on_hover_text(strings.send_file_hint)
            .clicked()
        {
            action = Some(Action::PickFile);
        }
        if ui.button(strings.get_file).clicked() {
            action = Some(Action::AskFileName);
        }
        let clear = ui
            .add_enabled(!clearing, egui::Button::new(strings.clear))
            .on_hover_text(strings.clear_hint);
        if clear.clicked() {
            action = Some(Action::Clear);
        }
        if ui.button(strings.exit).clicked() {
            action = Some(Action::Exit);
        }
        if clearing {
            ui.spinner();
            ui.label(strings.clearing);
        }
    });
    action
}

/// Completes the `@name` being typed at the end of `draft` to the first
/// online user it starts (case ignored), followed by a space.
pub fn complete_mention(draft: &mut String, online: &BTreeMap<String, String>) {
    let start = draft.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let Some(partial) = draft[start..].strip_prefix('@') else {
        return;
    };
    let partial = partial.to_lowercase();
    if let Some(name) = online
        .iter()
        .find(|(key, _)| key.starts_with(&partial))
        .map(|(_, name)| name.clone())
    {
        draft.truncate(start);
        draft.push('@');
        draft.push_str(&name);
        draft.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_completes_the_last_mention() {
        let online: BTreeMap<String, String> = [("an", "An"), ("đặng", "Đặng"), ("minh", "minh")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let mut draft = "@đ".to_owned();
        complete_mention(&mut draft, &online);
        assert_eq!(draft, "@Đặng ");
        let mut draft = "hi @MI".to_owned();
        complete_mention(&mut draft, &online);
        assert_eq!(draft, "hi @minh ");
        let mut draft = "no mention".to_owned();
        complete_mention(&mut draft, &online);
        assert_eq!(draft, "no mention");
        let mut draft = "@zz".to_owned();
        complete_mention(&mut draft, &online);
        assert_eq!(draft, "@zz");
    }
}
