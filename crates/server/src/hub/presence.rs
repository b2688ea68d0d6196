//! Who hears that a user came online or went offline.
//!
//! Versions 1 and 2 hear of everyone, as in the seed (`NOTIFY`, `JOINED`,
//! `LEFT`). A version 3 session hears only of its user's *contacts*: the
//! people they share a direct or a group conversation with, and the
//! members of their rooms of at most `presence_room_max` members (100 by
//! default), `#general` included: on a server of up to 100 accounts,
//! everyone. Bigger rooms give no live presence: their member lists
//! (`MEMBERS`, with who is online) are asked for a page at a time. So a
//! login costs its contacts, not everyone online, and logging in a whole
//! school does not grow with the square of its size.

use std::collections::HashSet;

use media_chat_protocol::{Role, ServerMessage};

use super::{State, deliver, encode, to_v3_sessions};
use crate::outbox::Outbox;

/// The user keys of the contacts of the user with `key`, as of now: their
/// partners and the members of their small rooms (not themselves).
pub(super) fn contacts(state: &State, key: &str) -> HashSet<String> {
    if state.accounts <= state.presence_room_max {
        // #general is small: everyone online.
        let mut everyone: HashSet<String> = state.online.keys().cloned().collect();
        everyone.remove(key);
        return everyone;
    }
    let mut contacts: HashSet<String> = state
        .online
        .get(key)
        .map(|online| online.partners.clone())
        .unwrap_or_default();
    for room in state.rooms_of.get(key).into_iter().flatten() {
        let Some(room) = state.rooms.get(room) else {
            continue;
        };
        let member = |role: &Role| *role >= Role::Member;
        if room.members.len() > state.presence_room_max
            || !room.members.get(key).is_some_and(|(_, role)| member(role))
        {
            continue;
        }
        contacts.extend(
            room.members
                .iter()
                .filter(|(_, (_, role))| member(role))
                .map(|(other, _)| other.clone()),
        );
    }
    contacts.remove(key);
    contacts
}

/// Tells that the user with `key` came online or went offline: `v1` to
/// every version 1 session, `v2` to every version 2 session and to the
/// version 3 sessions of the user's contacts; never to `except`.
pub(super) fn announce(
    state: &mut State,
    key: &str,
    except: Option<u64>,
    (v1, v2): (&ServerMessage, &ServerMessage),
    cap: usize,
    pending: &mut Vec<Outbox>,
) {
    let (Some(v1), Some(v2)) = (encode(v1), encode(v2)) else {
        return;
    };
    let mut sessions: HashSet<u64> = state.legacy.clone();
    for contact in contacts(state, key) {
        if let Some(online) = state.online.get(&contact) {
            sessions.extend(online.sessions.iter().copied());
        }
    }
    for session in sessions {
        if Some(session) == except {
            continue;
        }
        let Some(peer) = state.peers.get_mut(&session) else {
            continue;
        };
        let line = if peer.version >= 2 { &v2 } else { &v1 };
        deliver(peer, None, line.clone(), cap, pending);
    }
}

/// A direct or group conversation between the users with `keys` had an
/// event: each online one now has the others as partners, and hears that
/// a new contact is online if they did not follow them yet.
pub(super) fn link(state: &mut State, keys: &[String], cap: usize, pending: &mut Vec<Outbox>) {
    let mut news: Vec<(String, String)> = Vec::new();
    for key in keys {
        if !state.online.contains_key(key) {
            continue;
        }
        let known = contacts(state, key);
        let Some(online) = state.online.get_mut(key) else {
            continue;
        };
        for other in keys {
            if other != key && online.partners.insert(other.clone()) && !known.contains(other) {
                news.push((key.clone(), other.clone()));
            }
        }
    }
    for (key, other) in news {
        let Some(name) = state.online.get(&other).map(|online| online.name.clone()) else {
            continue;
        };
        if let Some(line) = encode(&ServerMessage::Joined { user: name }) {
            to_v3_sessions(state, &key, None, &line, cap, pending);
        }
    }
}
