//! One row of the chat pane, drawn from its data: the day separator and
//! the "new since you left" line above it when they apply, a sender's name
//! (bold, in their colour) where their group starts, then the time
//! (`HH:MM`) beside the text. The user's own group reads `[Me] name (you)`;
//! private lines keep their `[PM → x]` tag and notices their `[+]`, `[*]`,
//! `[!]` tags. An own message still pending is dimmed with a small clock; a
//! failed one says why and offers **Retry** and **Discard**.
//!
//! Each text keeps the seed's whole line (`an: hi`, `[Me] hi`) as what a
//! screen reader reads, whether or not the name is shown above it.

use std::path::Path;

use egui::{Align, Color32, Image, Label, Layout, RichText, Sense, Stroke, vec2};
use media_chat_client::{Body, Conversation, Delivery, Message};

use crate::action::Action;
use crate::fonts::is_emoji;
use crate::i18n::{Strings, tr};
use crate::markup::is_plain;
use crate::message_link::MessageLink;
use crate::state::grouping::{Placement, spoken};
use crate::state::{Row, State};
use crate::thumbnails::Thumbnails;
use crate::ui::blocked::block_menu;
use crate::ui::delete::Doomed;
use crate::ui::hover_bar::{Allowed, HoverBar, hover_bar};
use crate::ui::line_color;
use crate::ui::palette::sender_color;
use crate::ui::preview_card::preview_card;
use crate::ui::reactions::reaction_chips;
use crate::ui::reply::snippet;
use crate::ui::rich_text::rich_label;

/// Width of the time column.
pub const TIME_WIDTH: f32 = 44.0;

/// Height of a thumbnail.
pub const THUMBNAIL_HEIGHT: f32 = 160.0;

/// The colour of the "new since you left" line.
const NEW_LINE: Color32 = Color32::from_rgb(220, 80, 60);

/// What a row is drawn with besides itself.
pub struct RowContext<'a> {
    /// The chat.
    pub state: &'a State,
    /// Decoded thumbnails.
    pub thumbnails: &'a Thumbnails,
    /// The width of the text column.
    pub text_width: f32,
    /// Today, for the day separator's words.
    pub today: chrono::NaiveDate,
    /// The emoji used lately, for the react pop-up's picker.
    pub recent_emoji: &'a [String],
    /// The server's address, for links to messages.
    pub server: &'a str,
}

/// Draws one row; returns a click on it (a thumbnail, Retry, Discard, a
/// reply's snippet, a reaction, the hover bar) and the height used.
pub fn draw_row(
    ui: &mut egui::Ui,
    context: &RowContext,
    bar: &mut HoverBar,
    row: &Row,
    placement: Placement,
    first_unread: bool,
) -> (Option<Action>, f32) {
    let strings = tr(ui.ctx());
    let state = context.state;
    let here = &state.timeline().conversation;
    let top = ui.cursor().top();
    if let Some(day) = placement.day {
        separator(ui, &strings.day(day, context.today), None);
    }
    if first_unread {
        separator(ui, strings.new_since_you_left, Some(NEW_LINE));
    }
    let spoken = spoken(row, here);
    let mut action = None;
    if let Some(message) = spoken.filter(|_| placement.starts_group) {
        action = sender(ui, message, state, strings);
    }
    let message = row.message();
    let pending = message.is_some_and(Message::is_pending);
    let failed = message.and_then(|m| match &m.state {
        Delivery::Failed { token, reason } => Some((token.clone(), reason.clone())),
        _ => None,
    });
    let id = message.and_then(Message::id);
    let allowed = message.map(|m| allowed(m, state)).unwrap_or_default();
    ui.with_layout(Layout::left_to_right(Align::TOP), |ui| {
        ui.add_sized(
            [TIME_WIDTH, ui.text_style_height(&egui::TextStyle::Body)],
            Label::new(RichText::new(row.time()).weak()),
        );
        ui.vertical(|ui| {
            ui.set_max_width(context.text_width);
            let mut color = line_color(ui, row.tone(&state.me, here));
            if pending || failed.is_some() {
                color = color.gamma_multiply(0.5);
            }
            // The seed's whole line, for screen readers (and tests).
            let line = row.text(&state.me, here, &strings.lines);
            let shown = match spoken {
                Some(message) => body(message, &state.me, here, strings),
                None => line.clone(),
            };
            if let Some(to) = spoken.and_then(Message::reply_to) {
                let original = state.timeline().find(to);
                action = snippet(ui, to, original).or(action.take());
            }
            ui.horizontal_wrapped(|ui| {
                let rich = !is_plain(&shown) || shown.chars().any(is_emoji);
                let (text, link) = match spoken.is_some() && rich {
                    true => rich_label(ui, &shown, color),
                    false => (
                        ui.add(Label::new(RichText::new(shown).color(color)).wrap()),
                        None,
                    ),
                };
                text.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &line));
                if let Some(address) = link {
                    action = Some(Action::OpenLink(address));
                }
                if let Some(message) = message {
                    let link = id.map(|id| {
                        let conversation = here.clone();
                        let server = context.server.to_owned();
                        MessageLink {
                            server,
                            conversation,
                            id,
                        }
                        .to_url()
                    });
                    action = message_menu(&text, message, link, allowed, strings).or(action.take());
                }
                if pending {
                    clock(ui, strings);
                }
            });
            if let Some(id) = id
                && let Some(reactions) = state.reactions.of(id)
            {
                action = reaction_chips(ui, id, reactions, &state.me).or(action.take());
            }
            if let Some((token, reason)) = &failed {
                action = failed_line(ui, token, reason, strings).or(action.take());
            }
            if let Some(path) = &row.image
                && let Some(clicked) = thumbnail(ui, path, context.thumbnails, strings)
            {
                action = Some(clicked);
            } else if let Some(Body::File { name, sha256, .. }) = message.map(|m| &m.body)
                && let Some(entry) = state.previews.get(sha256)
                && let Some(clicked) = preview_card(ui, name, entry, context.thumbnails, strings)
            {
                action = Some(clicked);
            }
        });
    });
    let height = ui.cursor().top() - top;
    // Over the row once it is measured, so the bar adds no height.
    let rect = ui.max_rect();
    if let Some(id) = id.filter(|id| bar.pinned(*id) || ui.rect_contains_pointer(rect)) {
        action = hover_bar(ui, bar, id, rect, context.recent_emoji, allowed).or(action.take());
    }
    (action, height)
}

/// What the user may do to `message` besides reacting and replying: edit
/// their own text, delete their own or (moderating the room) anyone's.
fn allowed(message: &Message, state: &State) -> Allowed {
    let stored = message.id().is_some() && message.body != Body::Deleted;
    let mine = message.author.to_lowercase() == state.me.to_lowercase();
    let said = matches!(
        message.body,
        Body::Text(_) | Body::Edited { .. } | Body::Reply { .. }
    );
    Allowed {
        edit: stored && mine && message.text().is_some(),
        delete: stored && said && (mine || state.moderates_here()),
    }
}

/// The right-click menu of a message: **Reply** (a stored message),
/// **Edit** and **Delete** (as [`Allowed`]), **Copy text** (one with
/// text) and **Copy link to message** (a stored message).
fn message_menu(
    text: &egui::Response,
    message: &Message,
    link: Option<String>,
    allowed: Allowed,
    strings: &Strings,
) -> Option<Action> {
    let mut action = None;
    let id = message.id();
    let words = &strings.messages;
    text.context_menu(|ui| {
        let asked = [
            (id.is_some(), words.reply, id.map(Action::ReplyTo)),
            (allowed.edit, words.edit, id.map(Action::Edit)),
            (
                allowed.delete,
                words.delete_message,
                id.map(|id| Action::Delete(Doomed::Message(id))),
            ),
        ];
        for (shown, label, asked) in asked {
            if shown && ui.button(label).clicked() {
                action = asked;
                ui.close();
            }
        }
        if let Some(words) = message.text()
            && ui.button(strings.messages.copy_text).clicked()
        {
            ui.ctx().copy_text(words.to_owned());
            ui.close();
        }
        if let Some(link) = &link
            && ui.button(strings.messages.copy_link).clicked()
        {
            ui.ctx().copy_text(link.clone());
            ui.close();
        }
    });
    action
}

/// The name above a sender's group: bold, in their colour; the user's own
/// as `[Me] name (you)`.
/// Its right-click menu blocks or unblocks the sender.
fn sender(
    ui: &mut egui::Ui,
    message: &Message,
    state: &State,
    strings: &Strings,
) -> Option<Action> {
    let dark = ui.visuals().dark_mode;
    let mine = message.author.to_lowercase() == state.me.to_lowercase();
    ui.horizontal(|ui| {
        ui.add_space(TIME_WIDTH + ui.spacing().item_spacing.x);
        if mine {
            ui.add(Label::new(RichText::new("[Me]").weak()).selectable(false));
        }
        let name = RichText::new(&message.author)
            .strong()
            .color(sender_color(&message.author, dark));
        let name = ui.add(Label::new(name).selectable(false).sense(Sense::click()));
        if mine {
            ui.add(Label::new(RichText::new(strings.you).weak().italics()).selectable(false));
        }
        block_menu(&name, state, &message.author)
    })
    .inner
}

/// A grouped message's text under its sender's name: the text alone, or
/// with its `[PM …]` tag in a private conversation.
fn body(message: &Message, me: &str, here: &Conversation, strings: &Strings) -> String {
    let text = match &message.body {
        Body::Text(text) => text.clone(),
        Body::Edited { text, .. }
        | Body::Reply {
            text,
            edit: Some(_),
            ..
        } => format!("{text} {}", strings.lines.edited),
        Body::Reply { text, .. } => text.clone(),
        Body::Deleted => strings.lines.deleted.to_owned(),
        // Not grouped (see `spoken`): never here.
        _ => String::new(),
    };
    let mine = message.author.to_lowercase() == me.to_lowercase();
    match here {
        Conversation::Direct(other) if mine => format!("[PM → {other}] {text}"),
        Conversation::Direct(_) => format!("[PM from {}] {text}", message.author),
        _ => text,
    }
}

/// Why a message failed, with **Retry** and **Discard**.
fn failed_line(ui: &mut egui::Ui, token: &str, reason: &str, strings: &Strings) -> Option<Action> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            RichText::new((strings.not_delivered)(reason)).small(),
        );
        if ui
            .small_button(strings.retry)
            .on_hover_text(strings.retry_hint)
            .clicked()
        {
            action = Some(Action::Retry(token.to_owned()));
        }
        if ui.small_button(strings.discard).clicked() {
            action = Some(Action::Discard(token.to_owned()));
        }
    });
    action
}

/// A downloaded picture under its row; a click opens it full size.
fn thumbnail(
    ui: &mut egui::Ui,
    path: &Path,
    thumbnails: &Thumbnails,
    strings: &Strings,
) -> Option<Action> {
    let texture = thumbnails.get(path)?;
    let image = Image::new(texture)
        .max_height(THUMBNAIL_HEIGHT)
        .sense(Sense::click());
    let name = crate::i18n::file_name(path);
    let response = ui
        .add(image)
        .on_hover_text(strings.open_full_size)
        .on_hover_cursor(egui::CursorIcon::PointingHand);
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Button, true, (strings.open_picture)(&name))
    });
    response.clicked().then(|| Action::Open(path.to_path_buf()))
}

/// A small clock: the message waits for the server.
fn clock(ui: &mut egui::Ui, strings: &Strings) {
    let size = ui.text_style_height(&egui::TextStyle::Small);
    let (rect, response) = ui.allocate_exact_size(vec2(size, size), Sense::hover());
    let color = ui.visuals().weak_text_color();
    let painter = ui.painter();
    let center = rect.center();
    let radius = size * 0.42;
    let stroke = Stroke::new(1.2, color);
    painter.circle_stroke(center, radius, stroke);
    painter.line_segment([center, center - vec2(0.0, radius * 0.7)], stroke);
    painter.line_segment([center, center + vec2(radius * 0.5, 0.0)], stroke);
    response
        .on_hover_text(strings.pending_hint)
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, strings.pending));
}

/// A line across the pane with words in its middle: a day, or where the
/// new messages begin (in `color`).
fn separator(ui: &mut egui::Ui, words: &str, color: Option<Color32>) {
    let color = color.unwrap_or_else(|| ui.visuals().weak_text_color());
    ui.horizontal(|ui| {
        let width = ui.available_width();
        let (rect, _) = ui.allocate_exact_size(vec2(width * 0.4, 8.0), Sense::hover());
        ui.painter()
            .hline(rect.x_range(), rect.center().y, Stroke::new(1.0, color));
        ui.label(RichText::new(words).small().strong().color(color));
        let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), 8.0), Sense::hover());
        ui.painter()
            .hline(rect.x_range(), rect.center().y, Stroke::new(1.0, color));
    });
}
