//! The chat pane: read-only, sticks to the bottom unless the user scrolled
//! up (then a "new messages" button appears), and lays out only the rows
//! in view, so 10,000 messages scroll as smoothly as ten.
//!
//! Rows wrap, so their heights differ. Each row's height is measured when
//! it is drawn and estimated (from its length) until then; the pane places
//! rows from the running sum of these heights, kept up to date from the
//! first row that changed, and finds the first row in view by binary
//! search, so a frame never walks the whole history.

use egui::{
    Align, Button, Image, Label, Layout, RichText, ScrollArea, Sense, UiBuilder, pos2, vec2,
};

use crate::action::Action;
use crate::state::{Line, State};
use crate::thumbnails::Thumbnails;
use crate::ui::line_color;

/// Space between rows.
const ROW_GAP: f32 = 2.0;

/// Width of the time column.
const TIME_WIDTH: f32 = 64.0;

/// Height reserved for a thumbnail before it is decoded.
const THUMBNAIL_ESTIMATE: f32 = 160.0;

/// What the pane remembers between frames.
#[derive(Debug, Default)]
pub struct ChatView {
    /// Row heights, measured or estimated.
    heights: Vec<f32>,
    /// Whether each height was measured at the current width.
    measured: Vec<bool>,
    /// Where each row starts (one more entry than rows: the last is the
    /// total height).
    tops: Vec<f32>,
    /// The first row whose start may be out of date.
    stale_from: usize,
    /// The text width the heights belong to.
    width: f32,
    /// Whether the view was at the bottom last frame.
    at_bottom: bool,
    /// Lines that arrived while scrolled up.
    unseen: usize,
    /// Jump to the bottom on the next frame.
    jump_to_bottom: bool,
}

impl ChatView {
    /// Asks for a jump to the newest line (after the user sends).
    pub fn scroll_to_bottom(&mut self) {
        self.jump_to_bottom = true;
    }

    /// Brings the row starts up to date from the first stale row.
    fn refresh_tops(&mut self) {
        self.tops.resize(self.heights.len() + 1, 0.0);
        for index in self.stale_from..self.heights.len() {
            self.tops[index + 1] = self.tops[index] + self.heights[index];
        }
        self.stale_from = self.heights.len();
    }
}

/// Draws the pane.
pub fn chat_pane(
    ui: &mut egui::Ui,
    view: &mut ChatView,
    state: &State,
    thumbnails: &Thumbnails,
) -> Option<Action> {
    let mut action = None;
    let text_width = (ui.available_width() - TIME_WIDTH - 16.0).max(80.0);
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + ROW_GAP;
    if (text_width - view.width).abs() > 0.5 {
        view.width = text_width;
        view.measured.iter_mut().for_each(|m| *m = false);
    }
    let added = state.lines.len().saturating_sub(view.heights.len());
    view.stale_from = view.stale_from.min(view.heights.len());
    for line in &state.lines[view.heights.len()..] {
        view.heights.push(estimate(line, text_width, row_height));
        view.measured.push(false);
    }
    view.refresh_tops();
    if added > 0 && !view.at_bottom && !view.jump_to_bottom {
        view.unseen += added;
    }

    let mut area = ScrollArea::vertical()
        .auto_shrink([false, false])
        .stick_to_bottom(true);
    let total = view.tops.last().copied().unwrap_or(0.0);
    if std::mem::take(&mut view.jump_to_bottom) {
        area = area.vertical_scroll_offset(total);
        view.unseen = 0;
    }
    let output = area.show_viewport(ui, |ui, viewport| {
        ui.set_height(total);
        let origin = ui.min_rect().top();
        let left = ui.min_rect().left();
        let first = view
            .tops
            .partition_point(|&top| top <= viewport.min.y)
            .saturating_sub(1);
        for (index, line) in state.lines.iter().enumerate().skip(first) {
            let (top, height) = (view.tops[index], view.heights[index]);
            if top > viewport.max.y {
                break;
            }
            let rect = egui::Rect::from_min_size(
                pos2(left, origin + top),
                vec2(ui.available_width(), height),
            );
            let drawn = ui
                .scope_builder(UiBuilder::new().max_rect(rect), |ui| {
                    draw_line(ui, line, text_width, thumbnails)
                })
                .inner;
            if let Some(clicked) = drawn.0 {
                action = Some(clicked);
            }
            let measured = drawn.1 + ROW_GAP;
            if (measured - height).abs() > 0.5 || !view.measured[index] {
                view.heights[index] = measured;
                view.measured[index] = true;
                view.stale_from = view.stale_from.min(index);
            }
        }
    });
    let bottom = output.state.clamped_offset().y + output.inner_rect.height();
    view.at_bottom = bottom >= output.content_size.y - row_height;
    if view.at_bottom {
        view.unseen = 0;
    }
    if view.unseen > 0 {
        let label = format!(
            "↓ {} new message{}",
            view.unseen,
            if view.unseen == 1 { "" } else { "s" }
        );
        let anchor = output.inner_rect.center_bottom() - vec2(0.0, 24.0);
        let button_rect = egui::Rect::from_center_size(anchor, vec2(160.0, 24.0));
        if ui.put(button_rect, Button::new(label)).clicked() {
            view.jump_to_bottom = true;
        }
    }
    action
}

/// Draws one line; returns a click on its thumbnail and the height used.
fn draw_line(
    ui: &mut egui::Ui,
    line: &Line,
    text_width: f32,
    thumbnails: &Thumbnails,
) -> (Option<Action>, f32) {
    let mut action = None;
    let top = ui.cursor().top();
    ui.with_layout(Layout::left_to_right(Align::TOP), |ui| {
        ui.add_sized(
            [TIME_WIDTH, ui.text_style_height(&egui::TextStyle::Body)],
            Label::new(RichText::new(&line.time).weak().small()),
        );
        ui.vertical(|ui| {
            ui.set_max_width(text_width);
            ui.add(Label::new(RichText::new(&line.text).color(line_color(ui, line.tone))).wrap());
            if let Some(path) = &line.image
                && let Some(texture) = thumbnails.get(path)
            {
                let image = Image::new(texture)
                    .max_height(THUMBNAIL_ESTIMATE)
                    .sense(Sense::click());
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let response = ui
                    .add(image)
                    .on_hover_text("Click to open full size")
                    .on_hover_cursor(egui::CursorIcon::PointingHand);
                response.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Open {name}"))
                });
                if response.clicked() {
                    action = Some(Action::Open(path.clone()));
                }
            }
        });
    });
    (action, ui.cursor().top() - top)
}

/// A height guess for a line not yet drawn at this width.
fn estimate(line: &Line, text_width: f32, row_height: f32) -> f32 {
    // An average glyph is about half the font height wide.
    let glyph = row_height * 0.5;
    let per_row = (text_width / glyph).max(1.0);
    let rows = (line.text.chars().count() as f32 / per_row).ceil().max(1.0);
    rows * row_height
        + if line.image.is_some() {
            THUMBNAIL_ESTIMATE
        } else {
            0.0
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_starts_follow_changed_heights_from_the_first_change() {
        let mut view = ChatView {
            heights: vec![10.0, 20.0, 30.0],
            ..ChatView::default()
        };
        view.refresh_tops();
        assert_eq!(view.tops, [0.0, 10.0, 30.0, 60.0]);
        view.heights[1] = 25.0;
        view.stale_from = 1;
        view.heights.push(5.0);
        view.refresh_tops();
        assert_eq!(view.tops, [0.0, 10.0, 35.0, 65.0, 70.0]);
        let first_visible = |y: f32| view.tops.partition_point(|&top| top <= y).saturating_sub(1);
        assert_eq!(first_visible(0.0), 0);
        assert_eq!(first_visible(12.0), 1);
        assert_eq!(first_visible(65.0), 3);
    }
}
