//! Who is in the current conversation, with presence: a room's or group's
//! members as loaded from the server (asked for when the conversation
//! comes into view), the two people of a direct conversation, or on a
//! version 2 server the seed's list of who is online. A click on a name
//! starts a private message. While the connection is down the list is
//! greyed, "offline since 12:40": who is online is not known then.

use egui::{Label, RichText, ScrollArea, Sense};
use media_chat_client::{Conversation, Member, Role};

use crate::action::Action;
use crate::i18n::tr;
use crate::state::timeline::local_time;
use crate::state::{Link, State};
use crate::ui::blocked::block_menu;
use crate::ui::sidebar::ONLINE;

/// Draws the member list.
pub fn members(ui: &mut egui::Ui, state: &State) -> Option<Action> {
    let strings = tr(ui.ctx());
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
            ui.heading((strings.members_heading)(0));
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak(strings.loading_members);
            });
            return None;
        }
    };
    let mut listed = listed;
    listed.sort_by_key(|m| (!m.online, m.role == Role::Invited, m.user.to_lowercase()));
    let online = listed.iter().filter(|m| m.online).count();
    let offline = (state.link != Link::Up).then(|| {
        state
            .offline_since
            .and_then(local_time)
            .map(|t| t.format("%H:%M").to_string())
            .unwrap_or_default()
    });
    if state.v3 {
        ui.heading((strings.members_heading)(listed.len()));
    } else {
        ui.heading((strings.online_heading)(online));
    }
    match &offline {
        Some(since) => {
            ui.colored_label(ui.visuals().warn_fg_color, (strings.offline_since)(since));
        }
        None if state.v3 => {
            ui.weak((strings.online_count)(online));
        }
        None => {}
    }
    let mut action = None;
    ScrollArea::vertical()
        .id_salt("members")
        .max_height(ui.available_height() * 0.55)
        .show(ui, |ui| {
            for member in &listed {
                if let Some(a) = row(ui, state, member, offline.is_some()) {
                    action = Some(a);
                }
            }
        });
    action
}

/// One member: a presence dot, the name, the role; all greyed while
/// `disconnected`.
fn row(ui: &mut egui::Ui, state: &State, member: &Member, disconnected: bool) -> Option<Action> {
    let strings = tr(ui.ctx());
    let me = member.user.to_lowercase() == state.me.to_lowercase();
    let mut name = member.user.clone();
    if me {
        name.push(' ');
        name.push_str(strings.you);
    }
    let presence = if member.online {
        strings.online
    } else {
        strings.offline
    };
    let role = match member.role {
        Role::Owner => Some(strings.owner),
        Role::Moderator => Some(strings.moderator),
        Role::Invited => Some(strings.invited),
        Role::Member => None,
    };
    let lit = member.online && !disconnected;
    let response = ui
        .horizontal(|ui| {
            let (dot, color) = match (member.online, lit) {
                (_, true) => ("●", ONLINE),
                (true, false) => ("●", ui.visuals().weak_text_color()),
                (false, _) => ("○", ui.visuals().weak_text_color()),
            };
            ui.add(Label::new(RichText::new(dot).color(color)).selectable(false));
            let text = if lit {
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
        strings.you_hint.to_owned()
    } else {
        (strings.write_privately)(&member.user)
    });
    let blocking = block_menu(&response, state, &member.user);
    (response.clicked() && !me)
        .then(|| Action::Mention(member.user.clone()))
        .or(blocking)
}
