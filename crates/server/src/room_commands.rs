//! What a version 3 client's room commands do: create, join, leave,
//! invite, remove, ban, unban, set the topic, name moderators (all checked
//! and applied by the store's writer, which fans the resulting events
//! out), and list rooms and members.

use media_chat_protocol::rules::{check_text, user_key};
use media_chat_protocol::{
    ClientMessage, Conversation as WireConversation, ModerationAction, Role, ServerMessage,
};
use std::time::Instant;

use media_chat_store::{Conversation, RoomAction, RoomRequest, StoreError};

use crate::session::Session;

/// Most members one `MEMBERS` page holds.
pub(crate) const MAX_MEMBERS_PAGE: u64 = 500;

/// Rooms one user may create: 5 at once, then 10 an hour.
const CREATES: (u32, u32) = (5, 10);

/// Invitations one user may send: 50 at once (a class), then 100 an hour.
const INVITES: (u32, u32) = (50, 100);

/// The rate limit of an action, if it has one: `(kind, burst, per hour)`.
fn limit_of(action: &RoomAction) -> Option<(&'static str, u32, u32)> {
    match action {
        RoomAction::Create { .. } => Some(("create-room", CREATES.0, CREATES.1)),
        RoomAction::Invite { .. } => Some(("invite", INVITES.0, INVITES.1)),
        _ => None,
    }
}

/// What the audit log records of a moderation action: `(action, room,
/// user)`.
fn audit_entry(action: &RoomAction) -> Option<(&'static str, String, String)> {
    match action {
        RoomAction::Remove { room, user } => Some(("remove", room.clone(), user.clone())),
        RoomAction::Ban { room, user } => Some(("room-ban", room.clone(), user.clone())),
        RoomAction::Unban { room, user } => Some(("room-unban", room.clone(), user.clone())),
        _ => None,
    }
}

impl Session {
    /// `CREATE`, `JOIN`, `LEAVE`, `INVITE`, `REMOVE`, `BAN`, `UNBAN`,
    /// `TOPIC`, `MODERATOR`.
    pub(crate) fn room_command(&self, message: ClientMessage) {
        let verb = message.verb();
        let action = match self.room_action(message) {
            Ok(action) => action,
            Err(reason) => return self.send_error(reason),
        };
        let key = user_key(self.name());
        if let Some((kind, burst, per_hour)) = limit_of(&action)
            && let Err(wait) =
                self.ctx
                    .action_limits
                    .take(&key, kind, burst, per_hour, Instant::now())
        {
            return self.send_error(format!(
                "{verb}: too many at once; try again in {} s",
                wait.as_secs().max(1)
            ));
        }
        let audited = audit_entry(&action);
        let request = RoomRequest {
            actor: self.name().to_owned(),
            admin: self.ctx.authority.is_admin(&key),
            action,
            origin: self.id,
        };
        match self.ctx.store.room(request) {
            // The events, and the user's new standing, are on their way.
            Ok(_) => {
                if let Some((action, room, user)) = audited {
                    let target = format!("{user} in #{room}");
                    self.ctx.audit.record(
                        media_chat_store::unix_now(),
                        self.name(),
                        action,
                        &target,
                        "",
                    );
                }
            }
            Err(StoreError::Refused(refusal)) => self.send_error(refusal.to_string()),
            Err(e) => {
                tracing::error!(error = %e, verb, "could not change a room");
                self.send_error("The server could not change the room; try again later");
            }
        }
    }

    /// The store's form of a room command, or the refusal text.
    fn room_action(&self, message: ClientMessage) -> Result<RoomAction, String> {
        let room = |conversation: &WireConversation| match conversation {
            WireConversation::Room(name) => Ok(name.clone()),
            WireConversation::Group(_) => {
                Err("A group conversation cannot be left or changed; start another one".to_owned())
            }
            WireConversation::Direct(_) => {
                Err("A direct conversation cannot be left or changed".to_owned())
            }
        };
        let user = |name: &str| self.registered(name);
        let topic_ok = |topic: &str| match topic {
            "" => Ok(()),
            topic => check_text(topic).map_err(|e| format!("Topic refused: {e}")),
        };
        Ok(match message {
            ClientMessage::Create {
                room: name,
                visibility,
                topic,
            } => {
                topic_ok(&topic)?;
                RoomAction::Create {
                    name: room(&name)?,
                    visibility,
                    topic,
                }
            }
            ClientMessage::Join { room: name } => RoomAction::Join { room: room(&name)? },
            ClientMessage::Leave { conversation } => RoomAction::Leave {
                room: room(&conversation)?,
            },
            ClientMessage::Moderate {
                action,
                room: name,
                user: who,
            } => {
                let (room, user) = (room(&name)?, user(&who)?);
                match action {
                    ModerationAction::Invite => RoomAction::Invite { room, user },
                    ModerationAction::Remove => RoomAction::Remove { room, user },
                    ModerationAction::Ban => RoomAction::Ban { room, user },
                    ModerationAction::Unban => RoomAction::Unban { room, user },
                }
            }
            ClientMessage::Topic { room: name, topic } => {
                topic_ok(&topic)?;
                RoomAction::Topic {
                    room: room(&name)?,
                    text: topic,
                }
            }
            ClientMessage::Moderator {
                room: name,
                user: who,
                on,
            } => RoomAction::Moderator {
                room: room(&name)?,
                user: user(&who)?,
                on,
            },
            other => return Err(format!("{} is not a room command", other.verb())),
        })
    }

    /// `ROOMS`: the public rooms and the user's own, then `ROOMS_END`.
    pub(crate) fn list_rooms(&self) {
        match self.ctx.store.rooms(&user_key(self.name())) {
            Ok(rooms) => {
                for room in rooms {
                    self.send(&ServerMessage::RoomInfo {
                        room: WireConversation::Room(room.name),
                        visibility: room.visibility,
                        members: room.members,
                        topic: room.topic,
                    });
                }
                self.send(&ServerMessage::RoomsEnd);
            }
            Err(e) => {
                tracing::error!(error = %e, "could not list rooms");
                self.send_error("The server could not list the rooms; try again later");
            }
        }
    }

    /// `MEMBERS|conversation|after|limit`: a page of members with their
    /// role and presence, then `MEMBERS_END`.
    pub(crate) fn list_members(&self, conversation: &WireConversation, after: &str, limit: u64) {
        let limit = usize::try_from(limit.clamp(1, MAX_MEMBERS_PAGE)).unwrap_or(1);
        let resolved = match self.resolve(conversation) {
            Ok(resolved) => resolved,
            Err(reason) => return self.send_error(reason),
        };
        let (members, more): (Vec<(String, Role)>, bool) = match &resolved {
            // Everyone is in #general.
            Conversation::General => {
                let (names, more) = self.ctx.accounts.names_after(&user_key(after), limit);
                (names.into_iter().map(|n| (n, Role::Member)).collect(), more)
            }
            Conversation::Direct(pair) => {
                let (a, b) = pair.names();
                let mut names = vec![a.to_owned()];
                if user_key(b) != user_key(a) {
                    names.push(b.to_owned());
                }
                let names = names
                    .into_iter()
                    .filter(|name| user_key(name) > user_key(after))
                    .map(|n| (n, Role::Member))
                    .collect();
                (names, false)
            }
            Conversation::Room(_) | Conversation::Group(_) => {
                match self
                    .ctx
                    .store
                    .members(&user_key(self.name()), &resolved, after, limit)
                {
                    Ok((members, more)) => (
                        members.into_iter().map(|m| (m.name, m.role)).collect(),
                        more,
                    ),
                    Err(_) => {
                        return self.send_error(format!("No such conversation: {conversation}"));
                    }
                }
            }
        };
        let names: Vec<String> = members.iter().map(|(name, _)| name.clone()).collect();
        let online = self.ctx.hub.online_among(&names);
        for ((user, role), online) in members.into_iter().zip(online) {
            self.send(&ServerMessage::MemberInfo {
                conversation: conversation.clone(),
                user,
                role,
                online,
            });
        }
        self.send(&ServerMessage::MembersEnd {
            conversation: conversation.clone(),
            more,
        });
    }
}
