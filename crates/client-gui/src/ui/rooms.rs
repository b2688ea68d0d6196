//! The rooms' dialogs: **New room** (name, topic, public or private) and
//! **Browse rooms** (the server's list of public rooms and the user's
//! private ones, with a filter box; Join, or Open for a room one is in).

use egui::{Key, RichText, ScrollArea, TextEdit};
use media_chat_client::{Conversation, RoomInfo, Visibility};

use crate::action::Action;
use crate::i18n::{Dialogs, tr};
use crate::state::State;

/// The New room form.
#[derive(Debug)]
pub struct CreateForm {
    /// The name, with or without its `#`.
    pub name: String,
    /// The topic (may stay empty).
    pub topic: String,
    /// Public (listed, open to anyone) or private (by invitation).
    pub visibility: Visibility,
    /// Why the name was refused, shown under it.
    pub error: Option<String>,
    focused: bool,
}

impl Default for CreateForm {
    fn default() -> Self {
        CreateForm {
            name: String::new(),
            topic: String::new(),
            visibility: Visibility::Public,
            error: None,
            focused: false,
        }
    }
}

/// The Browse rooms dialog.
#[derive(Debug, Default)]
pub struct Browse {
    /// What the list is filtered by.
    pub filter: String,
    focused: bool,
}

/// The room a typed name makes, or why it is not one.
pub fn room_named(name: &str, words: &Dialogs) -> Result<Conversation, String> {
    let name = name.trim();
    let name = name.strip_prefix('#').unwrap_or(name);
    match Conversation::parse(&format!("#{name}")) {
        Ok(room @ Conversation::Room(_)) if !room.is_general() => Ok(room),
        Ok(_) => Err(words.general_exists.to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// Draws the New room dialog if open; closes it once the room is asked for.
pub fn create_dialog(ctx: &egui::Context, open: &mut Option<CreateForm>) -> Option<Action> {
    let form = open.as_mut()?;
    let strings = tr(ctx);
    let words = &strings.dialogs;
    let mut action = None;
    let mut close = false;
    egui::Window::new(words.new_room_title)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ctx, |ui| {
            egui::Grid::new("new-room")
                .num_columns(2)
                .spacing([8.0, 8.0])
                .show(ui, |ui| {
                    let label = ui.label(words.name);
                    let name = ui
                        .add(
                            TextEdit::singleline(&mut form.name)
                                .hint_text("lớp_12A")
                                .desired_width(240.0),
                        )
                        .labelled_by(label.id);
                    if !std::mem::replace(&mut form.focused, true) {
                        name.request_focus();
                    }
                    ui.end_row();
                    let label = ui.label(words.topic);
                    ui.add(
                        TextEdit::singleline(&mut form.topic)
                            .hint_text(words.topic_hint)
                            .desired_width(240.0),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                    ui.label("");
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut form.visibility, Visibility::Public, words.public)
                            .on_hover_text(words.public_hint);
                        ui.radio_value(&mut form.visibility, Visibility::Private, words.private)
                            .on_hover_text(words.private_hint);
                    });
                    ui.end_row();
                });
            if let Some(error) = &form.error {
                ui.colored_label(ui.visuals().error_fg_color, error);
            }
            let enter = ui.input(|i| i.key_pressed(Key::Enter));
            ui.horizontal(|ui| {
                if ui.button(words.create).clicked() || enter {
                    match room_named(&form.name, words) {
                        Ok(room) => {
                            action = Some(Action::CreateRoom {
                                room,
                                visibility: form.visibility,
                                topic: form.topic.trim().to_owned(),
                            });
                            close = true;
                        }
                        Err(why) => form.error = Some(why),
                    }
                }
                if ui.button(strings.cancel).clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                    close = true;
                }
            });
        });
    if close {
        *open = None;
    }
    action
}

/// Whether a listed room matches the filter (name or topic, case ignored).
pub fn matches(room: &RoomInfo, filter: &str) -> bool {
    let filter = filter.trim().to_lowercase();
    filter.is_empty()
        || room.room.to_string().to_lowercase().contains(&filter)
        || room.topic.to_lowercase().contains(&filter)
}

/// Draws the Browse rooms dialog if open; closes it once a room is picked.
pub fn browse_dialog(
    ctx: &egui::Context,
    open: &mut Option<Browse>,
    state: &State,
) -> Option<Action> {
    let browse = open.as_mut()?;
    let strings = tr(ctx);
    let words = &strings.dialogs;
    let mut action = None;
    let mut close = false;
    egui::Window::new(words.browse_title)
        .collapsible(false)
        .resizable(true)
        .default_width(420.0)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ctx, |ui| {
            let field = ui
                .add(
                    TextEdit::singleline(&mut browse.filter)
                        .hint_text(words.filter_hint)
                        .desired_width(f32::INFINITY),
                )
                .accessible_name(words.filter_name);
            if !std::mem::replace(&mut browse.focused, true) {
                field.request_focus();
            }
            ui.separator();
            match &state.rooms {
                None => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.weak(words.asking_rooms);
                    });
                }
                Some(rooms) => {
                    let shown: Vec<&RoomInfo> = rooms
                        .iter()
                        .filter(|room| !room.room.is_general() && matches(room, &browse.filter))
                        .collect();
                    if shown.is_empty() {
                        ui.weak(words.no_room_matches);
                    }
                    ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
                        for room in shown {
                            if let Some(a) = listed_room(ui, state, room) {
                                action = Some(a);
                                close = true;
                            }
                        }
                    });
                }
            }
            ui.separator();
            if ui.button(strings.close).clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                close = true;
            }
        });
    if close {
        *open = None;
    }
    action
}

/// One listed room: name, members, topic, and Join or Open.
fn listed_room(ui: &mut egui::Ui, state: &State, room: &RoomInfo) -> Option<Action> {
    let mut action = None;
    let words = &tr(ui.ctx()).dialogs;
    let member = state
        .conversations
        .get(&room.room)
        .is_some_and(|info| info.is_member());
    ui.horizontal(|ui| {
        let button = if member { words.open } else { words.join };
        if ui
            .button(button)
            .on_hover_text(format!("{button} {}", room.room))
            .clicked()
        {
            action = Some(if member {
                Action::Go(room.room.clone())
            } else {
                Action::Join(room.room.clone())
            });
        }
        ui.vertical(|ui| {
            let lock = if room.visibility == Visibility::Private {
                "🔒 "
            } else {
                ""
            };
            ui.label(RichText::new(format!("{lock}{}", room.room)).strong());
            let members = (words.members)(room.members);
            if room.topic.is_empty() {
                ui.weak(members);
            } else {
                ui.weak(format!("{members} · {}", room.topic));
            }
        });
    });
    action
}
