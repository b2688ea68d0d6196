//! The search panel (Ctrl+F): a field (Enter searches, Escape closes) over
//! the results, best first, each with its author, conversation and time
//! and its text with the matched words highlighted; clicking one opens its
//! conversation at that message.

use egui::text::{LayoutJob, TextFormat};
use egui::{Key, Label, Modifiers, RichText, ScrollArea, Sense, TextEdit};
use media_chat_client::{Body, SearchHit};

use crate::action::Action;
use crate::fonts::{append_with_emoji, emoji_family_in};
use crate::i18n::tr;
use crate::markup::{parse, sources};
use crate::state::Search;
use crate::state::timeline::local_time;
use crate::ui::rich_text::span_format;

/// An open search panel.
#[derive(Debug, Default)]
pub struct SearchPanel {
    /// What is typed in the field.
    pub query: String,
    /// The field has been given the focus once.
    focused: bool,
}

/// Whether Ctrl+F (⌘F) was pressed this frame (it is consumed).
pub fn wanted(ctx: &egui::Context) -> bool {
    ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F))
}

/// Draws the panel's contents; returns a search asked for or a result
/// clicked. `close` is set when the user closes it.
pub fn search_panel(
    ui: &mut egui::Ui,
    panel: &mut SearchPanel,
    search: &Search,
    close: &mut bool,
) -> Option<Action> {
    let strings = tr(ui.ctx());
    let words = &strings.messages;
    let mut action = None;
    ui.horizontal(|ui| {
        ui.heading(words.search_title);
        if ui
            .small_button("✕")
            .accessible_name(strings.close)
            .clicked()
        {
            *close = true;
        }
    });
    let field = ui
        .add(
            TextEdit::singleline(&mut panel.query)
                .hint_text(words.search_hint)
                .desired_width(f32::INFINITY),
        )
        .accessible_name(words.search_field);
    if !panel.focused {
        field.request_focus();
        panel.focused = true;
    }
    if field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
        let query = panel.query.trim();
        if !query.is_empty() {
            action = Some(Action::Search(query.to_owned()));
        }
        field.request_focus();
    }
    if field.has_focus() && ui.input(|i| i.key_pressed(Key::Escape)) {
        *close = true;
    }
    ui.separator();
    if search.waiting.is_some() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.weak(words.searching);
        });
    } else if let Some(why) = &search.failed {
        ui.colored_label(ui.visuals().warn_fg_color, (words.search_failed)(why));
    } else if search.answered && search.hits.is_empty() {
        ui.weak(words.no_results);
    }
    ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for hit in &search.hits {
                if let Some(clicked) = result(ui, hit) {
                    action = Some(clicked);
                }
                ui.separator();
            }
            if search.more {
                ui.weak(words.more_results);
            }
        });
    action
}

/// One result: who, where and when over its text; a click opens it.
fn result(ui: &mut egui::Ui, hit: &SearchHit) -> Option<Action> {
    let words = &tr(ui.ctx()).messages;
    let message = &hit.message;
    let time = local_time(message.ts)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    let conversation = message.conversation.to_string();
    ui.label(
        RichText::new((words.result_heading)(
            &message.author,
            &conversation,
            &time,
        ))
        .small()
        .weak(),
    );
    let text = match &message.body {
        Body::File { name, .. } => name.as_str(),
        _ => message.text().unwrap_or_default(),
    };
    let job = highlighted(ui, text, &hit.matches);
    let clicked = ui
        .add(Label::new(job).wrap().sense(Sense::click()))
        .on_hover_cursor(egui::CursorIcon::PointingHand)
        .clicked();
    let id = message.id()?;
    clicked.then(|| Action::OpenResult {
        conversation: message.conversation.clone(),
        id,
    })
}

/// `text` with its formatting ([`crate::markup`]) and the byte ranges
/// `matches` of it (in order, on character boundaries) drawn strong on a
/// highlight; ranges that do not fit the text are left out rather than
/// trusted.
pub fn highlighted(ui: &egui::Ui, text: &str, matches: &[std::ops::Range<usize>]) -> LayoutJob {
    let mut good = Vec::new();
    for range in matches {
        let after_last = good
            .last()
            .is_none_or(|last: &std::ops::Range<usize>| range.start >= last.end);
        if after_last && text.get(range.clone()).is_some() {
            good.push(range.clone());
        }
    }
    let spans = parse(text);
    let emoji = emoji_family_in(ui.ctx());
    let mut job = LayoutJob::default();
    for (span, start) in spans.iter().zip(sources(text, &spans)) {
        let plain = span_format(ui, span, ui.visuals().text_color());
        let highlight = TextFormat {
            background: ui.visuals().selection.bg_fill,
            color: ui.visuals().strong_text_color(),
            ..plain.clone()
        };
        // Cut the span where matches begin and end, in its own text.
        let mut cuts = vec![0, span.text.len()];
        for range in &good {
            for edge in [range.start, range.end] {
                if let Some(inside) = edge.checked_sub(start).filter(|i| *i < span.text.len()) {
                    cuts.push(inside);
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        for piece in cuts.windows(2) {
            let Some(words) = span.text.get(piece[0]..piece[1]) else {
                continue;
            };
            let at = start + piece[0];
            let matched = good.iter().any(|r| r.start <= at && at < r.end);
            let format = if matched { &highlight } else { &plain };
            append_with_emoji(&mut job, words, format, &emoji);
        }
    }
    job
}

#[cfg(test)]
mod tests {
    use super::highlighted;

    #[test]
    fn matched_ranges_are_highlighted_and_bad_ones_left_out() {
        let ctx = egui::Context::default();
        let mut output = ctx.run_ui(Default::default(), |ui| {
            let text = "chào cả lớp, chào";
            let second = text.rfind("chào").unwrap();
            // "chào" twice, an overlapping range, one inside a character
            // and one past the end.
            let ranges = [0..5, 2..4, second..second + 5, 1..2, 90..99];
            let job = highlighted(ui, text, &ranges);
            assert_eq!(job.text, text);
            let strong: Vec<&str> = job
                .sections
                .iter()
                .filter(|s| s.format.background != egui::Color32::TRANSPARENT)
                .map(|s| &text[s.byte_range.start.0..s.byte_range.end.0])
                .collect();
            assert_eq!(strong, ["chào", "chào"]);
            // Formatting markers go, the highlight stays on the word.
            let text = "**Chào** cả lớp";
            let word = text.find("Chào").unwrap();
            let matched = word..word + "Chào".len();
            let job = highlighted(ui, text, std::slice::from_ref(&matched));
            assert_eq!(job.text, "Chào cả lớp");
            let strong: Vec<&str> = job
                .sections
                .iter()
                .filter(|s| s.format.background != egui::Color32::TRANSPARENT)
                .map(|s| &job.text[s.byte_range.start.0..s.byte_range.end.0])
                .collect();
            assert_eq!(strong, ["Chào"]);
        });
        output.textures_delta.clear();
    }
}
