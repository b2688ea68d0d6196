//! A message's text drawn with its formatting ([`crate::markup`]): bold in
//! the strong colour, italics, code in the monospace font on the code
//! background, links underlined in the link colour, emoji in the emoji
//! family (in colour where the system has the font). The text stays
//! selectable like any label; a click on a link is returned.

use std::sync::Arc;

use egui::text::{LayoutJob, TextFormat};
use egui::text_selection::LabelSelectionState;
use egui::{Color32, FontId, Label, Sense, Stroke, TextStyle};

use crate::fonts::{append_with_emoji, emoji_family_in};
use crate::markup::{Span, parse};

/// Draws `text` in `color` (the line's tone) with its formatting; returns
/// the label's response and the address of the link clicked, if one was.
pub fn rich_label(
    ui: &mut egui::Ui,
    text: &str,
    color: Color32,
) -> (egui::Response, Option<String>) {
    let spans = parse(text);
    let job = layout_job(ui, &spans, color);
    let label = Label::new(job).wrap().sense(Sense::click());
    let (position, galley, response) = label.layout_in_ui(ui);
    if ui.is_rect_visible(response.rect) {
        LabelSelectionState::label_text_selection(
            ui,
            &response,
            position,
            Arc::clone(&galley),
            color,
            Stroke::NONE,
        );
    }
    let link_at = |pointer: egui::Pos2| {
        let index = galley.cursor_from_pos(pointer - position).index.0;
        link_at(&spans, index)
    };
    let hovered = response.hover_pos().and_then(link_at);
    if hovered.is_some() {
        ui.ctx().set_cursor_icon(egui::CursorIcon::PointingHand);
    }
    let clicked = match response.clicked() {
        true => response.interact_pointer_pos().and_then(link_at),
        false => None,
    };
    let response = match &hovered {
        Some(address) => response.on_hover_text(address),
        None => response,
    };
    (response, clicked)
}

/// A plain label whose emoji are drawn from the emoji family (in colour
/// where the system has the font).
pub fn emoji_label(ui: &mut egui::Ui, text: &str) -> egui::Response {
    let mut job = LayoutJob::default();
    let format = TextFormat::simple(
        TextStyle::Body.resolve(ui.style()),
        ui.visuals().text_color(),
    );
    append_with_emoji(&mut job, text, &format, &emoji_family_in(ui.ctx()));
    ui.label(job)
}

/// The layout of `spans` in the body font.
fn layout_job(ui: &egui::Ui, spans: &[Span], color: Color32) -> LayoutJob {
    let mut job = LayoutJob::default();
    let emoji = emoji_family_in(ui.ctx());
    for span in spans {
        append_with_emoji(&mut job, &span.text, &span_format(ui, span, color), &emoji);
    }
    job
}

/// How `span` is drawn, its plain text in `color`.
pub fn span_format(ui: &egui::Ui, span: &Span, color: Color32) -> TextFormat {
    let visuals = ui.visuals();
    let body = TextStyle::Body.resolve(ui.style());
    let code = FontId::monospace(body.size);
    {
        let mut format = TextFormat {
            font_id: if span.style.code {
                code.clone()
            } else {
                body.clone()
            },
            color,
            italics: span.style.italic,
            ..TextFormat::default()
        };
        if span.style.bold {
            format.color = visuals.strong_text_color();
        }
        if span.style.code {
            format.background = visuals.code_bg_color;
        }
        if span.link.is_some() {
            format.color = visuals.hyperlink_color;
            format.underline = Stroke::new(1.0, visuals.hyperlink_color);
        }
        format
    }
}

/// The address of the link holding character `index` of the spans' text.
fn link_at(spans: &[Span], index: usize) -> Option<String> {
    let mut start = 0;
    for span in spans {
        let end = start + span.text.chars().count();
        if (start..end).contains(&index) {
            return span.link.clone();
        }
        start = end;
    }
    None
}
