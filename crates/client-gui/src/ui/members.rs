//! Who is in the current conversation, with presence: a room's or group's
//! members as loaded from the server (asked for when the conversation
//! comes into view), the two people of a direct conversation, or on a
//! version 2 server the seed's list of who is online. A click on a name
//! starts a private message.

use egui::{Label, RichText, ScrollArea, Sense};
use media_chat_client::{Conversation, Member, Role};

use crate::action::Action;
use crate::state::State;
use crate::ui::sidebar::ONLINE;

/// Draws the member list.
pub fn members(ui: &mut egui::Ui, state: &State) -> Option<Action> {
    let listed: Vec<Member> = match (&state.current, state.current_members()) {
        (Conversation::Direct(other), _) => [state.me.clone(), other.clone()]
            .into_iter()
            .map(|user| Member {
                online: state.online.contains_key(&user.to_lowercase()),
                user,
                role: Role::Member,
            })
            .collect(),
        (_, Some(members)) => members.to_vec(),
        (_, None) if !state.v3 => state
            .online
            .values()
            .map(|user| Member {
                user: user.clone(),
                role: Role::Member,
                online: true,
            })
            .collect(),
        (_, None) => {
            ui.heading("Members");
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak("Loading members…");
            });
            return None;
        }
    };
    let mut listed = listed;
    listed.sort_by_key(|m| (!m.online, m.role == Role::Invited, m.user.to_lowercase()));
    let online = listed.iter().filter(|m| m.online).count();
    if state.v3 {
        ui.heading(format!("Members ({})", listed.len()));
        ui.weak(format!("{online} online"));
    } else {
        ui.heading(format!("Online ({online})"));
    }
    let mut action = None;
    ScrollArea::vertical()
        .id_salt("members")
        .max_height(ui.available_height() * 0.55)
        .show(ui, |ui| {
            for member in &listed {
                if let Some(a) = row(ui, state, member) {
                    action = Some(a);
                }
            }
        });
    action
}

/// One member: a presence dot, the name, the role.
fn row(ui: &mut egui::Ui, state: &State, member: &Member) -> Option<Action> {
    let me = member.user.to_lowercase() == state.me.to_lowercase();
    let mut name = member.user.clone();
    if me {
        name.push_str(" (you)");
    }
    let presence = if member.online { "online" } else { "offline" };
    let role = match member.role {
        Role::Owner => Some("owner"),
        Role::Moderator => Some("moderator"),
        Role::Invited => Some("invited"),
        Role::Member => None,
    };
    let response = ui
        .horizontal(|ui| {
            let (dot, color) = if member.online {
                ("●", ONLINE)
            } else {
                ("○", ui.visuals().weak_text_color())
            };
            ui.add(Label::new(RichText::new(dot).color(color)).selectable(false));
            let text = if member.online {
                RichText::new(&name)
            } else {
                RichText::new(&name).weak()
            };
            let response = ui.add(Label::new(text).selectable(false).sense(Sense::click()));
            if let Some(role) = role {
                ui.add(Label::new(RichText::new(role).small().weak()).selectable(false));
            }
            response
        })
        .inner;
    let label = match role {
        Some(role) => format!("{name}, {presence}, {role}"),
        None => format!("{name}, {presence}"),
    };
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
    let response = response.on_hover_text(if me {
        "You".to_owned()
    } else {
        format!("Write to {} privately", member.user)
    });
    (response.clicked() && !me).then(|| Action::Mention(member.user.clone()))
}
