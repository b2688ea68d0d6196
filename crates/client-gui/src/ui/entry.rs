//! The message entry: several lines (Enter sends, Shift+Enter starts a new
//! line), as tall as its text up to [`MAX_ROWS`] lines and then scrolled,
//! so a long paste can be read through before it goes. The `@` pop-up and
//! Tab completion of names come from [`super::mention_popup`].

use egui::text::{CCursor, CCursorRange};
use egui::{CompletionPopup, Event, Key, KeyboardShortcut, Modifiers, ScrollArea, TextEdit};

use crate::action::Action;
use crate::i18n::tr;
use crate::ui::mention_popup::{complete_mention, completing, suggestions};

/// The entry grows up to this many lines, then scrolls.
pub const MAX_ROWS: usize = 6;

/// The entry's id, so the app can give it focus.
pub fn entry_id() -> egui::Id {
    egui::Id::unique("message-entry")
}

/// Whether the `@` pop-up was open last frame: Tab is then its key.
fn popup_open_id() -> egui::Id {
    entry_id().with("popup-open")
}

/// Draws the entry for `draft`, offering `names` after an `@`; returns
/// what its keys ask: Enter sends, Esc leaves reply or edit mode, Up in an
/// empty entry edits the user's last message, and typing says so.
pub fn entry(
    ui: &mut egui::Ui,
    draft: &mut String,
    names: &dyn Fn() -> Vec<String>,
) -> Option<Action> {
    let strings = tr(ui.ctx());
    let id = entry_id();
    let popup_open = ui.data(|d| d.get_temp::<bool>(popup_open_id()).unwrap_or(false));
    let focused = ui.memory(|m| m.has_focus(id));
    // While a name is being typed, Tab completes it instead of moving on.
    let typing_name = completing(draft);
    if focused
        && typing_name
        && !popup_open
        && take_plain_key(ui, Key::Tab)
        && complete_mention(draft, &names())
    {
        put_cursor(ui.ctx(), draft.chars().count());
    }
    let row = ui.text_style_height(&egui::TextStyle::Body);
    let margin = ui.spacing().button_padding.y * 2.0 + 4.0;
    let output = ScrollArea::vertical()
        .id_salt("message-entry-scroll")
        .max_height(row * MAX_ROWS as f32 + margin)
        .show(ui, |ui| {
            let text_edit = TextEdit::multiline(draft)
                .desired_rows(1)
                .desired_width(f32::INFINITY)
                .lock_focus(typing_name)
                // Plain Enter sends; the line break is Shift+Enter's.
                .return_key(KeyboardShortcut::new(Modifiers::SHIFT, Key::Enter))
                .hint_text(strings.entry_hint);
            CompletionPopup::new(id).show(ui, text_edit, |query| suggestions(query, names, strings))
        })
        .inner;
    let response = output
        .text_edit
        .response
        .response
        .clone()
        .accessible_name(strings.entry_name);
    ui.data_mut(|d| d.insert_temp(popup_open_id(), output.is_open));
    let in_entry = response.has_focus() && !output.is_open && output.accepted.is_none();
    if in_entry && take_plain_key(ui, Key::Enter) {
        return Some(Action::Send);
    }
    // The field gives its focus up on Esc while handling it.
    if (in_entry || response.lost_focus()) && take_plain_key(ui, Key::Escape) {
        ui.memory_mut(|m| m.request_focus(id));
        return Some(Action::LeaveMode);
    }
    if in_entry && draft.is_empty() && take_plain_key(ui, Key::ArrowUp) {
        return Some(Action::EditLast);
    }
    let words = draft.trim();
    (response.changed() && !words.is_empty() && !words.starts_with('/')).then_some(Action::Typing)
}

/// Takes a press of `key` with no modifier held out of this frame's input.
fn take_plain_key(ui: &egui::Ui, key: Key) -> bool {
    ui.input_mut(|input| {
        let before = input.events.len();
        input.events.retain(|event| {
            !matches!(
                event,
                Event::Key { key: k, pressed: true, modifiers, .. } if *k == key && modifiers.is_none()
            )
        });
        input.events.len() != before
    })
}

/// Puts the entry's cursor at `at` (a char index).
fn put_cursor(ctx: &egui::Context, at: usize) {
    let mut state = TextEdit::load_state(ctx, entry_id()).unwrap_or_default();
    state
        .cursor
        .set_char_range(Some(CCursorRange::one(CCursor::new(at))));
    state.store(ctx, entry_id());
}

/// Puts the entry's cursor after the last character of `draft`.
pub fn cursor_to_end(ctx: &egui::Context, draft: &str) {
    put_cursor(ctx, draft.chars().count());
}

/// Inserts `text` where the entry's cursor is (at the end if it never had
/// one) and puts the cursor after it.
pub fn insert_at_cursor(ctx: &egui::Context, draft: &mut String, text: &str) {
    let chars = draft.chars().count();
    let at = TextEdit::load_state(ctx, entry_id())
        .and_then(|state| state.cursor.char_range())
        .map_or(chars, |range| range.primary.index.0.min(chars));
    let byte = draft.char_indices().nth(at).map_or(draft.len(), |(i, _)| i);
    draft.insert_str(byte, text);
    put_cursor(ctx, at + text.chars().count());
}
