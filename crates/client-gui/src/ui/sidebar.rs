//! The sidebar: the user's conversations — `#general` and the rooms (`#`,
//! a lock for a private one), then the group and direct conversations —
//! each with its unread count (the name in bold, the count in a badge) and
//! its mention badge. A click puts one in view.

use egui::{
    Align, Color32, CornerRadius, Label, Layout, RichText, ScrollArea, Sense, UiBuilder, vec2,
};
use media_chat_client::display::{count, unread};
use media_chat_client::{Conversation, ConversationInfo, ConversationKind, Role, same};

use crate::action::Action;
use crate::i18n::{Strings, tr};
use crate::state::State;
use crate::state::conversations::title;

/// The colour of a mention badge.
const MENTION: Color32 = Color32::from_rgb(210, 60, 50);

/// The colour of an unread count's badge: apart from the selection's, so
/// it shows on the conversation in view too.
const UNREAD: Color32 = Color32::from_gray(96);

/// The colour of someone online.
pub const ONLINE: Color32 = Color32::from_rgb(60, 170, 80);

/// Draws the sidebar.
pub fn sidebar(ui: &mut egui::Ui, state: &State) -> Option<Action> {
    let mut action = None;
    let words = &tr(ui.ctx()).screens;
    ScrollArea::vertical()
        .id_salt("conversations")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.add_space(4.0);
            if ui
                .button(words.switch_button)
                .on_hover_text(words.switch_hint)
                .clicked()
            {
                action = Some(Action::OpenSwitcher);
            }
            ui.add_space(4.0);
            ui.strong(words.rooms);
            let (rooms, people): (Vec<&ConversationInfo>, Vec<&ConversationInfo>) = state
                .conversations
                .list()
                .iter()
                .partition(|info| matches!(info.conversation, Conversation::Room(_)));
            for info in rooms {
                if let Some(a) = entry(ui, state, info) {
                    action = Some(a);
                }
            }
            if state.v3 {
                ui.horizontal_wrapped(|ui| {
                    if ui.small_button(words.new_room).clicked() {
                        action = Some(Action::NewRoom);
                    }
                    if ui.small_button(words.browse_rooms).clicked() {
                        action = Some(Action::BrowseRooms);
                    }
                });
            }
            ui.add_space(8.0);
            ui.strong(words.direct_messages);
            if people.is_empty() {
                ui.weak(words.no_direct);
            }
            for info in people {
                if let Some(a) = entry(ui, state, info) {
                    action = Some(a);
                }
            }
        });
    action
}

/// What a screen reader (and a test) reads for an entry: its name, what
/// kind of room, and its counts, e.g. `#toán, 99+ unread, 3 mentions`.
pub fn entry_label(info: &ConversationInfo, me: &str, strings: &Strings) -> String {
    let words = &strings.screens;
    let mut label = title(&info.conversation, me);
    if info.kind == ConversationKind::PrivateRoom {
        label.push_str(words.private_mark);
    }
    if info.role == Role::Invited {
        label.push_str(words.invited_mark);
    }
    if info.muted {
        label.push_str(strings.messages.muted_mark);
    }
    let counts = unread(info.unread, info.mentions, &strings.lines);
    if !counts.is_empty() {
        label.push_str(", ");
        label.push_str(&counts);
    }
    label
}

/// One conversation: icon, name (bold while unread), badges.
fn entry(ui: &mut egui::Ui, state: &State, info: &ConversationInfo) -> Option<Action> {
    let selected = same(&info.conversation, &state.current);
    let height = ui.spacing().interact_size.y + 4.0;
    let (rect, response) =
        ui.allocate_exact_size(vec2(ui.available_width(), height), Sense::click());
    let words = &tr(ui.ctx()).screens;
    let label = entry_label(info, &state.me, tr(ui.ctx()));
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, &label));
    let visuals = ui.style().interact_selectable(&response, selected);
    if selected || response.hovered() {
        ui.painter()
            .rect_filled(rect, CornerRadius::same(4), visuals.weak_bg_fill);
    }
    let name = match &info.conversation {
        Conversation::Room(name) => name.clone(),
        other => title(other, &state.me),
    };
    let (icon, icon_color) = match (&info.kind, &info.conversation) {
        (ConversationKind::PrivateRoom, _) => ("🔒", ui.visuals().weak_text_color()),
        (ConversationKind::Room, _) => ("#", ui.visuals().weak_text_color()),
        (ConversationKind::Group, _) => ("👥", ui.visuals().weak_text_color()),
        (ConversationKind::Direct, Conversation::Direct(user)) => {
            if state.online.contains_key(&user.to_lowercase()) {
                ("●", ONLINE)
            } else {
                ("○", ui.visuals().weak_text_color())
            }
        }
        (ConversationKind::Direct, _) => ("●", ui.visuals().weak_text_color()),
    };
    let mut row = ui.new_child(
        UiBuilder::new()
            .max_rect(rect.shrink2(vec2(6.0, 0.0)))
            .layout(Layout::right_to_left(Align::Center)),
    );
    // Muted: no badges, the unread count still said, quietly.
    if info.muted {
        row.add(Label::new(RichText::new("🔕").weak()).selectable(false));
        if info.unread > 0 {
            row.add(Label::new(RichText::new(count(info.unread)).small().weak()).selectable(false));
        }
    } else {
        if info.mentions > 0 {
            badge(&mut row, &format!("@{}", count(info.mentions)), MENTION);
        }
        if info.unread > 0 {
            badge(&mut row, &count(info.unread), UNREAD);
        }
    }
    row.with_layout(Layout::left_to_right(Align::Center), |ui| {
        ui.add(Label::new(RichText::new(icon).color(icon_color)).selectable(false));
        let mut text = RichText::new(name);
        if info.unread > 0 && !info.muted {
            text = text.strong();
        } else if info.role == Role::Invited {
            text = text.italics().weak();
        }
        ui.add(Label::new(text).truncate().selectable(false));
    });
    let mut hint = match (&info.topic, info.role) {
        (_, Role::Invited) => words.invited_hint.to_owned(),
        (topic, _) if topic.is_empty() => info.conversation.to_string(),
        (topic, _) => format!("{} — {topic}", info.conversation),
    };
    let muting = &tr(ui.ctx()).messages;
    if info.muted {
        hint = format!("{hint}\n{}", muting.muted_hint);
    }
    let response = response.on_hover_text(hint);
    let mut action = None;
    if info.is_member() {
        response.context_menu(|ui| {
            let (label, on) = match info.muted {
                true => (muting.unmute, false),
                false => (muting.mute, true),
            };
            if ui.button(label).clicked() {
                action = Some(Action::Mute {
                    conversation: info.conversation.clone(),
                    on,
                });
                ui.close();
            }
        });
    }
    response
        .clicked()
        .then(|| match info.role {
            Role::Invited => Action::Join(info.conversation.clone()),
            _ => Action::Go(info.conversation.clone()),
        })
        .or(action)
}

/// A count in a pill.
fn badge(ui: &mut egui::Ui, text: &str, fill: Color32) {
    egui::Frame::new()
        .fill(fill)
        .corner_radius(CornerRadius::same(8))
        .inner_margin(egui::Margin::symmetric(6, 0))
        .show(ui, |ui| {
            ui.add(
                Label::new(RichText::new(text).small().strong().color(Color32::WHITE))
                    .selectable(false),
            );
        });
}
