//! The chat pane: read-only, sticks to the bottom unless the user scrolled
//! up (then a "new messages" button appears), and lays out only the rows
//! in view, so 10,000 messages scroll as smoothly as ten.
//!
//! Rows are drawn from the state's data each frame (see `row`): grouped by
//! sender, with day separators and a line where the unread messages begin.
//! Scrolled to the top, the pane asks for the page of older
//! messages, and once it arrives above the rows in view it moves the view
//! down by their height, so what the user was reading stays put.
//!
//! Rows wrap, so their heights differ. Each row's height is measured when
//! it is drawn and estimated (from its length) until then; the pane places
//! rows from the running sum of these heights, kept up to date from the
//! first row that changed, and finds the first row in view by binary
//! search, so a frame never lays out the whole history. When rows are
//! added or removed (the state's revision moves), the heights are carried
//! over by row key.

use media_chat_client::phrases::ENGLISH;
use std::collections::{HashMap, HashSet};

use egui::{Align, Button, Layout, ScrollArea, UiBuilder, pos2, vec2};
use media_chat_client::{Conversation, Message};

use crate::action::Action;
use crate::i18n::tr;
use crate::state::grouping::placement;
use crate::state::{Row, State};
use crate::thumbnails::Thumbnails;
use crate::ui::blocked::collapsed_line;
use crate::ui::hover_bar::HoverBar;
use crate::ui::row::{RowContext, THUMBNAIL_HEIGHT, TIME_WIDTH, draw_row};

/// Space between rows.
const ROW_GAP: f32 = 2.0;

/// The run of a blocked user's messages that row `index` belongs to: the
/// key of its first row and how many rows it has; `None` for a row shown.
fn blocked_run(state: &State, rows: &[Row], index: usize) -> Option<(u64, usize)> {
    if !state.hidden(&rows[index]) {
        return None;
    }
    let start = rows[..index]
        .iter()
        .rposition(|row| !state.hidden(row))
        .map_or(0, |shown| shown + 1);
    let count = rows[start..]
        .iter()
        .take_while(|row| state.hidden(row))
        .count();
    Some((rows[start].key, count))
}

/// The strip above the first row: older messages load from here.
const HEADER: f32 = 28.0;

/// Extra height of a failed message's line of buttons.
const FAILED_EXTRA: f32 = 26.0;

/// What the pane remembers between frames.
#[derive(Debug, Default)]
pub struct ChatView {
    /// Row keys, in order, as of `revision`.
    keys: Vec<u64>,
    /// Row heights, measured or estimated.
    heights: Vec<f32>,
    /// Whether each height was measured at the current width.
    measured: Vec<bool>,
    /// Where each row starts (one more entry than rows: the last is the
    /// total height).
    tops: Vec<f32>,
    /// The first row whose start may be out of date.
    stale_from: usize,
    /// The state revision the rows were taken from.
    revision: Option<u64>,
    /// The text width the heights belong to.
    width: f32,
    /// The scroll offset last frame.
    offset: f32,
    /// The first row in view last frame.
    first_visible: usize,
    /// Whether the view was at the bottom last frame.
    at_bottom: bool,
    /// Whether the view was at the top last frame.
    at_top: bool,
    /// Lines that arrived while scrolled up.
    unseen: usize,
    /// Jump to the bottom on the next frame.
    jump_to_bottom: bool,
    /// The message to bring into view, paging back until it is loaded.
    scroll_to: Option<u64>,
    /// The hover bar over the row under the pointer.
    bar: HoverBar,
    /// The runs of a blocked user's messages shown anyway, by the key of
    /// their first row.
    revealed: HashSet<u64>,
}

impl ChatView {
    /// Asks for a jump to the newest line (after the user sends).
    pub fn scroll_to_bottom(&mut self) {
        self.jump_to_bottom = true;
    }

    /// Asks for message `id` to be brought into view, loading older pages
    /// until it is there or the conversation's start is reached.
    pub fn show_message(&mut self, id: u64) {
        self.scroll_to = Some(id);
        self.jump_to_bottom = false;
    }

    /// Whether the view showed the newest line last frame (so the app may
    /// mark messages read and drop old pages).
    pub fn at_bottom(&self) -> bool {
        self.at_bottom
    }

    /// Brings the row starts up to date from the first stale row.
    fn refresh_tops(&mut self) {
        self.tops.resize(self.heights.len() + 1, 0.0);
        for index in self.stale_from..self.heights.len() {
            self.tops[index + 1] = self.tops[index] + self.heights[index];
        }
        self.stale_from = self.heights.len();
    }

    /// Takes the rows of a new revision: heights carried over by key, new
    /// rows estimated. Returns how far the row that was first in view
    /// moved (to keep it in view) and how many rows came after the last.
    fn sync(&mut self, rows: &[Row], estimate: impl Fn(&Row) -> f32) -> (f32, usize) {
        let anchor = self
            .keys
            .get(self.first_visible)
            .map(|key| (*key, self.tops[self.first_visible]));
        let last = self.keys.last().copied();
        let old: HashMap<u64, (f32, bool)> = self
            .keys
            .iter()
            .zip(self.heights.iter().zip(&self.measured))
            .map(|(key, (height, measured))| (*key, (*height, *measured)))
            .collect();
        self.keys = rows.iter().map(|row| row.key).collect();
        self.heights.clear();
        self.measured.clear();
        for row in rows {
            let (height, measured) = old
                .get(&row.key)
                .copied()
                .unwrap_or_else(|| (estimate(row), false));
            self.heights.push(height);
            self.measured.push(measured);
        }
        self.stale_from = 0;
        self.refresh_tops();
        let moved = anchor
            .and_then(|(key, top)| {
                let index = self.keys.iter().position(|k| *k == key)?;
                self.first_visible = index;
                Some(self.tops[index] - top)
            })
            .unwrap_or(0.0);
        let added = match last {
            Some(last) => match self.keys.iter().position(|k| *k == last) {
                Some(index) => self.keys.len() - index - 1,
                None => 0,
            },
            None => self.keys.len(),
        };
        (moved, added)
    }
}

/// Draws the pane; `recent_emoji` are the emoji used lately (the react
/// pop-up's picker shows them first).
pub fn chat_pane(
    ui: &mut egui::Ui,
    view: &mut ChatView,
    state: &State,
    thumbnails: &Thumbnails,
    recent_emoji: &[String],
    server: &str,
) -> Option<Action> {
    let mut action = None;
    let text_width = (ui.available_width() - TIME_WIDTH - 16.0).max(80.0);
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + ROW_GAP;
    if (text_width - view.width).abs() > 0.5 {
        view.width = text_width;
        view.measured.iter_mut().for_each(|m| *m = false);
    }
    let mut moved = 0.0;
    let timeline = state.timeline();
    if view.revision != Some(timeline.revision) {
        let me = state.me.as_str();
        let here = &timeline.conversation;
        let (shift, added) = view.sync(&timeline.rows, |row| {
            estimate(row, me, here, text_width, row_height)
        });
        view.revision = Some(timeline.revision);
        moved = shift;
        if added > 0 && !view.at_bottom && !view.jump_to_bottom {
            view.unseen += added;
        }
    }
    let unread = timeline.first_unread(&state.me);

    // Not animated: an animation under way would pull the view back to
    // where it was heading after a page moved the rows under it.
    let target = view.scroll_to.map(|id| {
        timeline
            .rows
            .iter()
            .position(|row| row.message().and_then(Message::id) == Some(id))
    });
    // Not stuck to the bottom in the frame that jumps to a message, or
    // the jump is undone at once.
    let jumping = matches!(target, Some(Some(_)));
    let mut area = ScrollArea::vertical()
        .auto_shrink([false, false])
        .animated(false)
        .stick_to_bottom(!jumping);
    let total = HEADER + view.tops.last().copied().unwrap_or(0.0);
    let mut page_wanted = false;
    if let Some(Some(index)) = target {
        // A little of what comes before it shows too.
        area = area.vertical_scroll_offset((HEADER + view.tops[index] - 2.0 * row_height).max(0.0));
        view.scroll_to = None;
        view.unseen = 0;
    } else if target.is_some() {
        // Not loaded: older pages until it is, or the start.
        match timeline.history.more {
            true => page_wanted = !timeline.history.loading,
            false if !timeline.history.loading => view.scroll_to = None,
            false => {}
        }
    } else if std::mem::take(&mut view.jump_to_bottom) {
        area = area.vertical_scroll_offset(total);
        view.unseen = 0;
    } else if moved.abs() > 0.5 && !view.at_bottom {
        // Rows came or went above the one in view: follow it.
        area = area.vertical_scroll_offset((view.offset + moved).max(0.0));
    }
    let mut reveal = None;
    let output = area.show_viewport(ui, |ui, viewport| {
        ui.set_height(total);
        let origin = ui.min_rect().top();
        let left = ui.min_rect().left();
        let width = ui.available_width();
        if viewport.min.y < HEADER {
            let rect = egui::Rect::from_min_size(pos2(left, origin), vec2(width, HEADER));
            ui.scope_builder(UiBuilder::new().max_rect(rect), |ui| {
                if let Some(a) = header(ui, state) {
                    action = Some(a);
                }
            });
        }
        let first = view
            .tops
            .partition_point(|&top| top + HEADER <= viewport.min.y)
            .saturating_sub(1);
        view.first_visible = first;
        let context = RowContext {
            state,
            thumbnails,
            text_width,
            today: chrono::Local::now().date_naive(),
            recent_emoji,
            server,
        };
        let here = &timeline.conversation;
        for (index, row) in timeline.rows.iter().enumerate().skip(first) {
            let (top, height) = (HEADER + view.tops[index], view.heights[index]);
            if top > viewport.max.y {
                break;
            }
            let rect = egui::Rect::from_min_size(pos2(left, origin + top), vec2(width, height));
            let marked = unread == Some(row.key);
            let previous = index.checked_sub(1).map(|p| &timeline.rows[p]);
            let placed = placement(previous, row, here, marked);
            let run = blocked_run(state, &timeline.rows, index);
            let revealed = run.is_some_and(|(start, _)| view.revealed.contains(&start));
            let drawn = ui
                .scope_builder(UiBuilder::new().max_rect(rect), |ui| {
                    let top = ui.cursor().top();
                    if let Some((start, count)) = run.filter(|(start, _)| *start == row.key)
                        && collapsed_line(ui, count, revealed)
                    {
                        reveal = Some(start);
                    }
                    let line = ui.cursor().top() - top;
                    // The rest of a hidden run takes no room at all. (The
                    // row measures itself: its hover bar moves the cursor.)
                    match run.is_none() || revealed {
                        true => {
                            let (asked, height) =
                                draw_row(ui, &context, &mut view.bar, row, placed, marked);
                            (asked, line + height)
                        }
                        false => (None, line),
                    }
                })
                .inner;
            if let Some(clicked) = drawn.0 {
                action = Some(clicked);
            }
            let measured = match drawn.1 {
                0.0 => 0.0,
                height => height + ROW_GAP,
            };
            if (measured - height).abs() > 0.5 || !view.measured[index] {
                view.heights[index] = measured;
                view.measured[index] = true;
                view.stale_from = view.stale_from.min(index);
            }
        }
    });
    if let Some(start) = reveal
        && !view.revealed.remove(&start)
    {
        view.revealed.insert(start);
    }
    view.refresh_tops();
    let top = output.state.clamped_offset().y;
    view.offset = top;
    let bottom = top + output.inner_rect.height();
    view.at_bottom = bottom >= output.content_size.y - row_height;
    view.at_top = top < HEADER * 0.5;
    if view.at_bottom {
        view.unseen = 0;
    }
    // Until the welcome is all in, a pane with its first few rows is at
    // its top only because the rest has not come yet.
    if (view.at_top && state.synced || page_wanted)
        && state.v3
        && timeline.history.more
        && !timeline.history.loading
        && action.is_none()
    {
        action = Some(Action::LoadOlder);
    }
    if view.unseen > 0 {
        let label = (tr(ui.ctx()).new_messages)(view.unseen);
        let anchor = output.inner_rect.center_bottom() - vec2(0.0, 24.0);
        let button_rect = egui::Rect::from_center_size(anchor, vec2(160.0, 24.0));
        if ui.put(button_rect, Button::new(label)).clicked() {
            view.jump_to_bottom = true;
        }
    }
    action
}

/// The strip above the first row: loading, a button to load, or the
/// beginning.
fn header(ui: &mut egui::Ui, state: &State) -> Option<Action> {
    let mut action = None;
    let strings = tr(ui.ctx());
    ui.with_layout(Layout::top_down(Align::Center), |ui| {
        let history = &state.timeline().history;
        if history.loading {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak(strings.loading_older);
            });
        } else if state.v3 && history.more {
            if ui.small_button(strings.load_older).clicked() {
                action = Some(Action::LoadOlder);
            }
        } else {
            ui.weak(strings.beginning);
        }
    });
    action
}

/// A height guess for a row not yet drawn at this width.
fn estimate(row: &Row, me: &str, here: &Conversation, text_width: f32, row_height: f32) -> f32 {
    // An average glyph is about half the font height wide.
    let glyph = row_height * 0.5;
    let per_row = (text_width / glyph).max(1.0);
    // The English line's length will do for a guess.
    let rows = (row.text(me, here, &ENGLISH).chars().count() as f32 / per_row)
        .ceil()
        .max(1.0);
    let failed = row.message().is_some_and(Message::is_failed);
    rows * row_height
        + if row.image.is_some() {
            THUMBNAIL_HEIGHT
        } else {
            0.0
        }
        + if failed { FAILED_EXTRA } else { 0.0 }
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

    #[test]
    fn rows_added_above_the_one_in_view_move_it_by_their_height() {
        use media_chat_client::display::Tone;
        let mut state = State::new("minh");
        for n in 0..3 {
            state.push(Tone::Notice, format!("{n}"));
        }
        let mut view = ChatView::default();
        let (moved, added) = view.sync(&state.timeline().rows, |_| 10.0);
        assert_eq!((moved, added), (0.0, 3));
        view.measured.fill(true);
        view.first_visible = 1;
        // Two rows before all the others (a page), one after (live).
        let mut rows = state.timeline().rows.clone();
        let older = {
            let mut older = State::new("minh");
            older.push(Tone::Notice, "a");
            older.push(Tone::Notice, "b");
            older.timeline().rows.clone()
        };
        for (n, mut row) in older.into_iter().enumerate() {
            row.key = 100 + n as u64;
            rows.insert(n, row);
        }
        let mut last = rows[2].clone();
        last.key = 200;
        rows.push(last);
        let (moved, added) = view.sync(&rows, |_| 7.0);
        assert_eq!(moved, 14.0, "the two new rows above, at their estimate");
        assert_eq!(added, 1);
        assert_eq!(view.first_visible, 3);
        assert_eq!(view.measured, [false, false, true, true, true, false]);
    }
}
