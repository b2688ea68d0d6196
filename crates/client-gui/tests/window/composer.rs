//! Issue 14's "A real composer": a multi-line entry (Enter sends,
//! Shift+Enter adds a line, up to six lines tall, then scrolled), the `@`
//! pop-up of names, and the emoji picker with search and the recently
//! used first.
//! See: issue 14, "A real composer".

use egui::accesskit::Role;
use egui::{Event, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use media_chat_gui::emoji;
use media_chat_gui::ui::composer::entry_id;
use media_chat_gui::ui::entry::MAX_ROWS;
use media_chat_gui::window::Chat;
use media_chat_gui::{Action, State, fonts};

use crate::support::*;

/// The chat window and what it asked for; the recently used emoji.
type Window = (Chat, Vec<Action>, Vec<String>);

/// `minh`'s window with An, Đặng and Minh-Anh online.
fn window() -> Harness<'static, Window> {
    let mut state = State::new("minh");
    for name in ["An", "Đặng", "Minh-Anh", "minh"] {
        state.online.insert(name.to_lowercase(), name.to_owned());
    }
    let mut harness = Harness::builder()
        .with_size(egui::vec2(980.0, 680.0))
        .with_context_setup(fonts::install)
        .build_ui_state(
            |ui, (chat, asked, recent): &mut Window| {
                let action = chat.draw(ui, "127.0.0.1:5000", None, recent);
                if let Some(Action::UsedEmoji(glyph)) = &action {
                    emoji::used(recent, glyph);
                }
                asked.extend(action);
            },
            (Chat::new(state), Vec::new(), Vec::new()),
        );
    harness.run_steps(2);
    harness
}

fn focus_entry(harness: &mut Harness<'static, Window>) {
    harness
        .get_by_role_and_label(Role::MultilineTextInput, "Message")
        .focus();
    harness.run_steps(2);
}

fn type_text(harness: &mut Harness<'static, Window>, text: &str) {
    harness.event(Event::Text(text.to_owned()));
    harness.run_steps(2);
}

fn press(harness: &mut Harness<'static, Window>, key: Key) {
    harness.key_press(key);
    harness.run_steps(2);
}

fn draft(harness: &mut Harness<'static, Window>) -> String {
    harness.state_mut().0.draft_mut().clone()
}

/// The asked-for actions since the last call (an empty pane asks for
/// older messages by itself; only the keys' actions count here).
fn sends(harness: &mut Harness<'static, Window>) -> usize {
    let asked = std::mem::take(&mut harness.state_mut().1);
    asked.iter().filter(|a| **a == Action::Send).count()
}

/// The entry's height as shown (clipped by its scroll area).
fn entry_height(harness: &Harness<'static, Window>) -> f32 {
    harness
        .ctx
        .read_response(entry_id())
        .expect("the entry is drawn")
        .interact_rect
        .height()
}

#[test]
fn enter_sends_and_shift_enter_adds_a_line() {
    let mut harness = window();
    focus_entry(&mut harness);
    sends(&mut harness);
    type_text(&mut harness, "dòng một");
    harness.key_press_modifiers(Modifiers::SHIFT, Key::Enter);
    harness.run_steps(2);
    type_text(&mut harness, "dòng hai");
    assert_eq!(draft(&mut harness), "dòng một\ndòng hai");
    assert_eq!(sends(&mut harness), 0, "Shift+Enter does not send");
    press(&mut harness, Key::Enter);
    assert_eq!(sends(&mut harness), 1);
    assert_eq!(
        draft(&mut harness),
        "dòng một\ndòng hai",
        "Enter adds no line"
    );
}

#[test]
fn the_entry_grows_to_six_lines_then_scrolls_and_a_long_paste_is_all_there() {
    let mut harness = window();
    focus_entry(&mut harness);
    type_text(&mut harness, "một");
    let one = entry_height(&harness);
    harness.event(Event::Paste("\nhai\nba".to_owned()));
    harness.run_steps(3);
    let three = entry_height(&harness);
    assert!(three > one * 2.0, "grew: {one} → {three}");
    let pasted: Vec<String> = (1..=40).map(|n| format!("dòng {n}")).collect();
    harness.event(Event::Paste(format!("\n{}", pasted.join("\n"))));
    // Two seconds of frames: the scroll to the cursor is animated (the
    // pane's spinner keeps repainting, so the harness never rests).
    harness.run_steps(120);
    let tall = entry_height(&harness);
    let row = harness.ctx.global_style().text_styles[&egui::TextStyle::Body].size;
    assert!(
        tall > three && tall < row * 1.4 * (MAX_ROWS as f32 + 1.5),
        "six lines high at most: {tall} (one line {one})"
    );
    let text = draft(&mut harness);
    assert_eq!(text.lines().count(), 43, "all of the paste is in the entry");
    let shown = harness
        .get_by_role_and_label(Role::MultilineTextInput, "Message")
        .value()
        .unwrap_or_default();
    assert!(
        shown.ends_with("dòng 40"),
        "the entry holds it all: {shown:?}"
    );
    // The entry scrolls to its last line, where the cursor is.
    let scrolled = harness
        .ctx
        .read_response(entry_id())
        .map(|r| r.rect.top() < r.interact_rect.top())
        .unwrap_or(false);
    assert!(scrolled, "scrolled to the cursor at the end");
}

#[test]
fn at_opens_a_popup_of_names_picked_with_arrows_and_enter() {
    let mut harness = window();
    focus_entry(&mut harness);
    type_text(&mut harness, "@");
    // Everyone but the user, in folded order.
    assert!(harness.query_by_label_contains("@An").is_some());
    assert!(harness.query_by_label_contains("@Đặng").is_some());
    assert!(harness.query_by_label_contains("@Minh-Anh").is_some());
    assert_eq!(
        harness
            .query_all_by_label_contains("private message")
            .count(),
        3
    );
    press(&mut harness, Key::ArrowDown);
    sends(&mut harness);
    press(&mut harness, Key::Enter);
    assert_eq!(draft(&mut harness), "@Đặng ");
    assert_eq!(sends(&mut harness), 0, "Enter picked, it did not send");
    assert!(harness.query_by_label_contains("@An").is_none(), "closed");
}

#[test]
fn inside_a_line_the_popup_mentions_tab_picks_and_diacritics_are_ignored() {
    let mut harness = window();
    focus_entry(&mut harness);
    type_text(&mut harness, "chào @dan");
    assert!(harness.query_by_label_contains("@Đặng").is_some());
    assert_eq!(harness.query_all_by_label_contains("mention").count(), 1);
    assert!(harness.query_by_label_contains("@An").is_none());
    press(&mut harness, Key::Tab);
    assert_eq!(draft(&mut harness), "chào @Đặng ");
    type_text(&mut harness, "nhé");
    assert_eq!(draft(&mut harness), "chào @Đặng nhé");
}

#[test]
fn escape_closes_the_popup_and_tab_still_completes() {
    let mut harness = window();
    focus_entry(&mut harness);
    type_text(&mut harness, "@mi");
    assert!(harness.query_by_label_contains("@Minh-Anh").is_some());
    press(&mut harness, Key::Escape);
    assert!(harness.query_by_label_contains("@Minh-Anh").is_none());
    assert_eq!(draft(&mut harness), "@mi");
    // The seed's Tab completion, without the pop-up.
    press(&mut harness, Key::Tab);
    assert_eq!(draft(&mut harness), "@Minh-Anh ");
}

#[test]
fn the_emoji_picker_searches_by_name_inserts_at_the_cursor_and_remembers() {
    let mut harness = window();
    focus_entry(&mut harness);
    type_text(&mut harness, "chúc mừng!");
    for _ in 0.."!".len() {
        press(&mut harness, Key::ArrowLeft);
    }
    harness.get_by_label("Emoji").click();
    harness.run_steps(2);
    let search = harness.get_by_role_and_label(Role::TextInput, "Search emoji");
    assert!(search.is_focused(), "the search field takes the typing");
    search.type_text("party");
    harness.run_steps(2);
    assert!(harness.query_by_label("😀").is_none(), "only the matches");
    harness.get_by_label("🎉").click();
    harness.run_steps(2);
    assert_eq!(draft(&mut harness), "chúc mừng🎉!");
    assert!(
        harness.query_by_label("Search emoji").is_none(),
        "the picker closed"
    );
    assert_eq!(harness.state().2, ["🎉"]);
    assert!(
        harness
            .state()
            .1
            .contains(&Action::UsedEmoji("🎉".to_owned()))
    );
    // Opened again: the recently used come first.
    harness.get_by_label("Emoji").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Recently used").is_some());
    let party = harness.get_by_label("🎉").rect();
    let grinning = harness.get_by_label("😀").rect();
    assert!(
        party.top() < grinning.top(),
        "recent above the rest: {party:?} {grinning:?}"
    );
}

#[test]
fn a_multi_line_draft_goes_out_one_message_per_line_to_the_same_person() {
    let world = World::new();
    let bob = world.library_client("bob");
    let mut harness = world.logged_in("minh");
    step_until_label(&mut harness, "bob, online");
    type_into(&mut harness, "Message", "@bob dòng một");
    harness.key_press_modifiers(Modifiers::SHIFT, Key::Enter);
    harness.run_steps(2);
    type_into(&mut harness, "Message", "dòng hai");
    harness.key_press(Key::Enter);
    harness.run_steps(2);
    for line in ["dòng một", "dòng hai"] {
        let got = wait_for(&bob, |e| said_live(e).is_some_and(|(_, _, t)| t == line));
        let (conversation, author, _) = said_live(&got).unwrap();
        assert_eq!(author, "minh");
        assert!(conversation.starts_with('@'), "privately: {conversation}");
    }
    assert_eq!(entry_text(&harness), "");
}

#[test]
fn recently_used_emoji_are_remembered_across_restarts() {
    let world = World::new();
    let mut harness = world.logged_in("minh");
    harness.get_by_label("Emoji").click();
    harness.run_steps(2);
    type_into(&mut harness, "Search emoji", "thumbs up");
    harness.get_by_label("👍").click();
    harness.run_steps(2);
    assert_eq!(entry_text(&harness), "👍");
    let remembered = media_chat_gui::settings::load(&world.path("config/login.toml"));
    assert_eq!(remembered.recent_emoji, ["👍"]);
    drop(harness);
    let mut again = world.logged_in("minh");
    again.get_by_label("Emoji").click();
    again.run_steps(2);
    assert!(again.query_by_label("Recently used").is_some());
    assert!(again.get_by_label("👍").rect().top() < again.get_by_label("😀").rect().top());
}

/// The Send File path prompt (where there is no system file dialog)
/// closes on Esc like every other dialog (it stayed open, seen under
/// Xvfb).
#[test]
fn esc_closes_the_send_file_path_prompt() {
    let mut harness = window();
    harness.state_mut().0.dialogs.send_path = Some(media_chat_gui::ui::dialogs::Prompt::default());
    harness.run_steps(2);
    assert!(harness.query_by_label("File path").is_some());
    harness.key_press(Key::Escape);
    harness.run_steps(2);
    assert!(harness.state().0.dialogs.send_path.is_none());
}
