//! The shared state of the chat: who is online, and the fan-out of events
//! once the store has committed them.
//!
//! Like mini-redis's `Db`, a [`Hub`] is a cheap handle around one lock.
//! The lock is held only to update the maps and push already-encoded lines
//! into each session's [`Outbox`], which never blocks; no socket write and
//! no disk write happens under it. The store's writer thread calls
//! [`Hub::committed`] (the store's [`Sink`]) after each commit, with the
//! events in id order, so every session gets events in id order and none
//! before it is stored. The socket writes happen after the lock is
//! released, on the flusher threads (see `outbox`).
//!
//! A session that is logging in is *syncing*: it already receives live
//! lines, but they wait in a buffer of its own while the session reads its
//! welcome (history, backlog) from the store. When the welcome is out, the
//! buffered lines follow, without the events the welcome already held; and
//! an event the welcome's snapshot held but whose fan-out comes later (it
//! was committed, not yet handed over) is not sent again either. So there
//! is neither a gap nor a duplicate between the two.

mod presence;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use media_chat_protocol::rules::user_key;
use media_chat_protocol::{
    Conversation as WireConversation, ConversationKind, EncodeLine, MemberChange, Role,
    ServerMessage, Visibility,
};
use media_chat_store::{
    Committed, Conversation, EventBody, EventId, RoomMembers, Sink, StoreError,
};
use parking_lot::Mutex;
use tracing::{debug, error, warn};

use crate::lines;
use crate::outbox::{Flusher, Outbox};

/// Keep each `USERS` line well under the 8 KiB line limit.
const USERS_LINE_BUDGET: usize = 7 * 1024;

/// A handle to the chat's shared state. Cloning is shallow.
#[derive(Clone)]
pub(crate) struct Hub {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    flusher: Flusher,
    limits: ServerMessage,
    /// Most bytes a syncing session may have waiting in its buffer.
    sync_cap: usize,
}

struct State {
    peers: HashMap<u64, Peer>,
    /// Online users by key, with the name as registered and their sessions.
    online: BTreeMap<String, Online>,
    /// The highest event id fanned out so far.
    fanned: EventId,
    /// Every room but `#general`, by key, as of the last event fanned out.
    rooms: HashMap<String, RoomState>,
    /// By user key: the keys of the rooms they have a role in.
    rooms_of: HashMap<String, HashSet<String>>,
    /// The sessions of version 1 and 2, which hear everyone's presence.
    legacy: HashSet<u64>,
    /// By user key: the highest event id fanned out when their last
    /// session ended, for a login that comes before the store has recorded
    /// it (see [`Joined::last_seen`]).
    left_at: HashMap<String, EventId>,
    /// Accounts (the members of `#general`) at the last login.
    accounts: usize,
    /// See [`crate::Limits::presence_room_max`].
    presence_room_max: usize,
}

/// A room as the fan-out knows it.
struct RoomState {
    name: String,
    visibility: Visibility,
    topic: String,
    /// By user key: the registered name and the role (invited included).
    members: HashMap<String, (String, Role)>,
    /// The sessions of its members (not the invited) who are online, as
    /// of its last message; `None` once someone joined, left, logged in
    /// or out. A message to a room of 1000 then walks this list, as one
    /// to `#general` walks the sessions, instead of looking up each
    /// member.
    sessions: Option<Vec<u64>>,
}

struct Peer {
    key: String,
    name: String,
    version: u64,
    outbox: Outbox,
    /// While logging in: the lines that arrived meanwhile.
    syncing: Option<Vec<Waiting>>,
    sync_bytes: usize,
    /// The welcome covered every event up to this id: one committed before
    /// the welcome's snapshot but fanned out after it ended is not sent
    /// again.
    covered: EventId,
    /// Whether the session asked to be told of previews (`PREVIEWS|1`).
    previews: bool,
    /// Whether the session asked for its user's `QUOTA` (and so is told
    /// when it changes).
    quota: bool,
}

/// A line kept for a syncing session, with the id of the event it is
/// (none for presence).
type Waiting = (Option<EventId>, Arc<[u8]>);

struct Online {
    name: String,
    sessions: Vec<u64>,
    /// The keys of the users they share a direct or group conversation
    /// with (see `presence`).
    partners: HashSet<String>,
}

/// What [`Hub::join`] found.
pub(crate) struct Joined {
    /// `LOGIN_OK`, and for version 2 and later `LIMITS` and `USERS`: the
    /// head of the welcome.
    pub(crate) head: Vec<u8>,
    /// Whether this is the user's only session (they were offline).
    pub(crate) first: bool,
    /// For a first session: where the user's previous one ended, if it
    /// ended since the server started. The store learns it from a queue,
    /// after the hub; a login in between would otherwise count the direct
    /// messages that session saw as missed again.
    pub(crate) last_seen: Option<EventId>,
}

/// What [`Hub::leave`] found, when the user's last session ended.
pub(crate) struct Left {
    /// The user's registered name.
    pub(crate) name: String,
    /// The highest event id fanned out while they were online.
    pub(crate) last_seen: EventId,
}

impl Hub {
    /// A chat with no one in it. `limits` is the `LIMITS` line shown to
    /// version 2 clients at login; `sync_cap` bounds what waits for a
    /// session while it logs in; rooms of up to `presence_room_max`
    /// members give live presence.
    pub(crate) fn new(limits: ServerMessage, sync_cap: usize, presence_room_max: usize) -> Hub {
        Hub {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    peers: HashMap::new(),
                    online: BTreeMap::new(),
                    fanned: EventId(0),
                    rooms: HashMap::new(),
                    rooms_of: HashMap::new(),
                    legacy: HashSet::new(),
                    left_at: HashMap::new(),
                    accounts: 0,
                    presence_room_max,
                }),
                flusher: Flusher::start(),
                limits,
                sync_cap,
            }),
        }
    }

    /// Adds a logged-in session, syncing: returns the head of its welcome
    /// (the rest comes from the store; see [`Hub::synced`]) and, if this is
    /// the user's first session, tells those who follow their presence.
    /// `partners` are the keys of the users they share a direct or group
    /// conversation with (from the store); `accounts`, how many there are.
    /// `quota` is the user's `QUOTA` line, which version 3 gets after
    /// `USERS`.
    pub(crate) fn join(
        &self,
        id: u64,
        name: &str,
        (version, quota): (u64, &ServerMessage),
        outbox: &Outbox,
        (partners, accounts): (Vec<String>, usize),
    ) -> Joined {
        let key = user_key(name);
        let mut pending = Vec::new();
        let mut state = self.shared.state.lock();
        state.accounts = accounts;
        let first = !state.online.contains_key(&key);
        state.peers.insert(
            id,
            Peer {
                key: key.clone(),
                name: name.to_owned(),
                version,
                outbox: outbox.clone(),
                syncing: Some(Vec::new()),
                sync_bytes: 0,
                covered: EventId(0),
                previews: false,
                quota: false,
            },
        );
        if version < 3 {
            state.legacy.insert(id);
        }
        let online = state.online.entry(key.clone()).or_insert_with(|| Online {
            name: name.to_owned(),
            sessions: Vec::new(),
            partners: HashSet::new(),
        });
        online.sessions.push(id);
        online.partners.extend(partners);
        forget_room_sessions(&mut state, &key);
        let mut head = Vec::new();
        append(
            &mut head,
            &ServerMessage::LoginOk {
                user: name.to_owned(),
            },
        );
        if version >= 2 {
            append(&mut head, &self.shared.limits);
            // Version 2 sees everyone online; version 3 its contacts.
            let names: Vec<String> = if version >= 3 {
                // From the contacts, not from everyone online: a login
                // costs its contacts. In key order, as the online map's.
                let contacts = presence::contacts(&state, &key);
                let mut keys: Vec<&String> = contacts.iter().chain([&key]).collect();
                keys.sort();
                keys.into_iter()
                    .filter_map(|other| state.online.get(other))
                    .map(|online| online.name.clone())
                    .collect()
            } else {
                state.online.values().map(|o| o.name.clone()).collect()
            };
            for users in chunk_names(names) {
                append(&mut head, &ServerMessage::Users { users });
            }
            if version >= 3 {
                append(&mut head, quota);
            }
        }
        if first {
            let v1 = ServerMessage::notify(format!("{name} joined the chat"));
            let v2 = ServerMessage::Joined {
                user: name.to_owned(),
            };
            let cap = self.shared.sync_cap;
            presence::announce(&mut state, &key, Some(id), (&v1, &v2), cap, &mut pending);
        }
        let last_seen = state.left_at.get(&key).copied().filter(|_| first);
        drop(state);
        self.shared.flusher.schedule(pending);
        Joined {
            head,
            first,
            last_seen,
        }
    }

    /// The session's welcome is out, holding every event up to `through`:
    /// what waited for it follows, less those events.
    pub(crate) fn synced(&self, id: u64, through: EventId) {
        let mut pending = Vec::new();
        let mut state = self.shared.state.lock();
        if let Some(peer) = state.peers.get_mut(&id)
            && let Some(waiting) = peer.syncing.take()
        {
            peer.sync_bytes = 0;
            peer.covered = through;
            for (event, line) in waiting {
                // Only the first push into an idle queue asks for a flush.
                if event.is_none_or(|event| event > through) && peer.outbox.push(line) {
                    pending.push(peer.outbox.clone());
                }
            }
        }
        drop(state);
        self.shared.flusher.schedule(pending);
    }

    /// Removes a session; if it was the user's last, tells those who follow
    /// their presence and returns what the store must record.
    pub(crate) fn leave(&self, id: u64) -> Option<Left> {
        let mut pending = Vec::new();
        let mut state = self.shared.state.lock();
        let peer = state.peers.remove(&id)?;
        state.legacy.remove(&id);
        let online = state.online.get_mut(&peer.key)?;
        online.sessions.retain(|&session| session != id);
        let alone = online.sessions.is_empty();
        forget_room_sessions(&mut state, &peer.key);
        if !alone {
            return None;
        }
        let v1 = ServerMessage::notify(format!("{} left the chat", peer.name));
        let v2 = ServerMessage::Left {
            user: peer.name.clone(),
        };
        let cap = self.shared.sync_cap;
        presence::announce(&mut state, &peer.key, None, (&v1, &v2), cap, &mut pending);
        state.online.remove(&peer.key);
        let last_seen = state.fanned;
        state.left_at.insert(peer.key.clone(), last_seen);
        drop(state);
        self.shared.flusher.schedule(pending);
        Some(Left {
            name: peer.name,
            last_seen,
        })
    }

    /// The store already holds the events up to `last` (from before a
    /// restart, or an import): read positions and last-seen marks may
    /// reach them before anything new is fanned out. Called before anyone
    /// logs in.
    pub(crate) fn stored_up_to(&self, last: EventId) {
        let mut state = self.shared.state.lock();
        state.fanned = state.fanned.max(last);
    }

    /// Takes the rooms and their members from the store, before anyone
    /// logs in.
    pub(crate) fn load_rooms(&self, rooms: Vec<RoomMembers>) {
        let mut state = self.shared.state.lock();
        for room in rooms {
            let room_key = user_key(&room.name);
            let members: HashMap<String, (String, Role)> = room
                .members
                .into_iter()
                .map(|(name, role)| (user_key(&name), (name, role)))
                .collect();
            for member in members.keys() {
                state
                    .rooms_of
                    .entry(member.clone())
                    .or_default()
                    .insert(room_key.clone());
            }
            state.rooms.insert(
                room_key,
                RoomState {
                    name: room.name,
                    visibility: room.visibility,
                    topic: room.topic,
                    members,
                    sessions: None,
                },
            );
        }
    }

    /// The room `name` as the user with `key` may name it: its name as
    /// created and whether they are a member (or only invited); `None`
    /// when it does not exist for them.
    pub(crate) fn room_of(&self, name: &str, key: &str) -> Option<(String, bool)> {
        let state = self.shared.state.lock();
        let room = state.rooms.get(&user_key(name))?;
        let (_, role) = room.members.get(key)?;
        Some((room.name.clone(), *role >= Role::Member))
    }

    /// The role in the room `name` of the user with `key`, if they have a
    /// row there (the invited included).
    pub(crate) fn role_in(&self, name: &str, key: &str) -> Option<Role> {
        let state = self.shared.state.lock();
        let room = state.rooms.get(&user_key(name))?;
        room.members.get(key).map(|(_, role)| *role)
    }

    /// The room `name`, as created, whoever is in it (for an
    /// administrator, who acts in every room).
    pub(crate) fn room_named(&self, name: &str) -> Option<String> {
        let state = self.shared.state.lock();
        state
            .rooms
            .get(&user_key(name))
            .map(|room| room.name.clone())
    }

    /// For each of `names`, whether they have a session online.
    pub(crate) fn online_among(&self, names: &[String]) -> Vec<bool> {
        let state = self.shared.state.lock();
        names
            .iter()
            .map(|name| state.online.contains_key(&user_key(name)))
            .collect()
    }

    /// The highest event id fanned out so far.
    pub(crate) fn last_fanned(&self) -> EventId {
        self.shared.state.lock().fanned
    }

    /// Ends every session of the user with `key` but `except`, telling each
    /// `reason` in an `ERROR`; returns how many.
    pub(crate) fn revoke_user(&self, key: &str, except: Option<u64>, reason: &str) -> usize {
        let Some(line) = encode(&ServerMessage::error(reason)) else {
            return 0;
        };
        let state = self.shared.state.lock();
        let sessions = state
            .online
            .get(key)
            .map(|online| online.sessions.clone())
            .unwrap_or_default();
        let mut ended = 0;
        for session in sessions {
            if Some(session) == except {
                continue;
            }
            if let Some(peer) = state.peers.get(&session) {
                peer.outbox.revoke(line.clone());
                ended += 1;
            }
        }
        ended
    }

    /// Sends `line` (a typing notice: not stored, no id) to the version 3
    /// sessions of everyone in `conversation` but the user with key `from`.
    pub(crate) fn ephemeral(&self, conversation: &Conversation, from: &str, line: &ServerMessage) {
        let Some(line) = encode(line) else { return };
        let mut pending = Vec::new();
        let mut state = self.shared.state.lock();
        let own: Vec<u64> = state
            .online
            .get(from)
            .map(|online| online.sessions.clone())
            .unwrap_or_default();
        for session in targets(&mut state, conversation, None) {
            if own.contains(&session) {
                continue;
            }
            if let Some(peer) = state.peers.get_mut(&session)
                && peer.version >= 3
            {
                deliver(peer, None, line.clone(), self.shared.sync_cap, &mut pending);
            }
        }
        drop(state);
        self.shared.flusher.schedule(pending);
    }

    /// Whether session `id` is told of previews (`PREVIEWS|on`).
    pub(crate) fn set_previews(&self, id: u64, on: bool) {
        if let Some(peer) = self.shared.state.lock().peers.get_mut(&id) {
            peer.previews = on;
        }
    }

    /// Session `id` is told of its user's `QUOTA` whenever it changes.
    pub(crate) fn watch_quota(&self, id: u64) {
        if let Some(peer) = self.shared.state.lock().peers.get_mut(&id) {
            peer.quota = true;
        }
    }

    /// Sends `line` (the user's new `QUOTA`) to the sessions of the user
    /// with `key` that asked for it.
    pub(crate) fn to_quota_watchers(&self, key: &str, line: &ServerMessage) {
        self.to_sessions_of(key, line, |_, peer| peer.quota);
    }

    /// Sends the line `line` makes (given the conversation as each reader
    /// names it) to the sessions of everyone in `conversation` that asked
    /// to be told of previews (version 3 only), not stored, no id.
    pub(crate) fn to_previewers(
        &self,
        conversation: &Conversation,
        line: impl Fn(WireConversation) -> ServerMessage,
    ) {
        let mut pending = Vec::new();
        let mut state = self.shared.state.lock();
        // Encoded once per name: a direct conversation's two users each
        // see it as the other's.
        let mut named: HashMap<String, Option<Arc<[u8]>>> = HashMap::new();
        for session in targets(&mut state, conversation, None) {
            let Some(peer) = state.peers.get_mut(&session) else {
                continue;
            };
            if peer.version < 3 || !peer.previews {
                continue;
            }
            let wire = lines::wire_conversation(conversation, &peer.key);
            let encoded = named
                .entry(wire.to_string())
                .or_insert_with(|| encode(&line(wire)))
                .clone();
            if let Some(encoded) = encoded {
                deliver(peer, None, encoded, self.shared.sync_cap, &mut pending);
            }
        }
        drop(state);
        self.shared.flusher.schedule(pending);
    }

    /// Sends `line` to every version 3 session of the user with `key` but
    /// `except` (another session telling where it has read up to, say).
    pub(crate) fn to_own_sessions(&self, key: &str, except: u64, line: &ServerMessage) {
        self.to_sessions_of(key, line, |session, peer| {
            session != except && peer.version >= 3
        });
    }

    /// Sends `line` to the sessions of the user with `key` that `wanted`
    /// picks (by session id and peer).
    fn to_sessions_of(&self, key: &str, line: &ServerMessage, wanted: impl Fn(u64, &Peer) -> bool) {
        let Some(line) = encode(line) else { return };
        let mut pending = Vec::new();
        let mut state = self.shared.state.lock();
        let sessions = match state.online.get(key) {
            Some(online) => online.sessions.clone(),
            None => return,
        };
        for session in sessions {
            if let Some(peer) = state.peers.get_mut(&session)
                && wanted(session, peer)
            {
                deliver(peer, None, line.clone(), self.shared.sync_cap, &mut pending);
            }
        }
        drop(state);
        self.shared.flusher.schedule(pending);
    }
}

impl Sink for Hub {
    /// Fans committed events out, in id order: to everyone for `#general`,
    /// to the two users for a direct conversation; the session that sent
    /// an acknowledged message gets `ACK` instead of the event. A message
    /// whose token was stored already is acknowledged again, and goes to
    /// nobody else.
    fn committed(&self, events: &[Committed]) {
        let mut pending = Vec::new();
        let mut state = self.shared.state.lock();
        for committed in events {
            if committed.duplicate {
                acknowledge_again(&mut state, committed, self.shared.sync_cap, &mut pending);
                continue;
            }
            fan_out(&mut state, committed, self.shared.sync_cap, &mut pending);
            state.fanned = committed.event.id;
        }
        drop(state);
        self.shared.flusher.schedule(pending);
    }

    /// A message was not stored: the session that sent it is told
    /// (`REJECTED` for a `SEND`, `ERROR` for `TEXT` and `DM`).
    fn refused(&self, origin: u64, token: Option<&str>, error: &StoreError) {
        debug!(session = origin, error = %error, "a message was not stored");
        let Some(line) = encode(&lines::not_stored(token)) else {
            return;
        };
        let mut pending = Vec::new();
        let mut state = self.shared.state.lock();
        if let Some(peer) = state.peers.get_mut(&origin) {
            deliver(peer, None, line, self.shared.sync_cap, &mut pending);
        }
        drop(state);
        self.shared.flusher.schedule(pending);
    }
}

/// The sender of a message whose token was stored already gets the same
/// `ACK` again.
fn acknowledge_again(
    state: &mut State,
    committed: &Committed,
    cap: usize,
    pending: &mut Vec<Outbox>,
) {
    let (Some(token), Some(peer)) = (&committed.token, state.peers.get_mut(&committed.origin))
    else {
        return;
    };
    let ack = ServerMessage::Ack {
        token: token.clone(),
        id: committed.event.id.0,
        ts: committed.event.ts,
    };
    if let Some(line) = encode(&ack) {
        // Not marked as the event: the session's welcome may have held it
        // (a client resending after a reconnect), and the ACK is still due.
        deliver(peer, None, line, cap, pending);
    }
}

/// Pushes one committed event to every session that may see it, touching
/// only those: everyone for `#general`, the two of a direct conversation,
/// the members of a group or a room (and, for a membership change, the
/// user it is about). Then applies the change to the room's members.
fn fan_out(state: &mut State, committed: &Committed, cap: usize, pending: &mut Vec<Outbox>) {
    let event = &committed.event;
    let id = Some(event.id);
    let to_everyone_in_it = matches!(
        event.body,
        EventBody::FileShared { .. }
            | EventBody::FileDelete { .. }
            | EventBody::Member { .. }
            | EventBody::Topic { .. }
    );
    let author = user_key(&event.author);
    let recipient_name = match &event.conversation {
        Conversation::Direct(pair) => Some(pair.other(&author)),
        _ => None,
    };
    let recipient = recipient_name.map(user_key);
    let classic = matches!(
        event.conversation,
        Conversation::General | Conversation::Direct(_)
    );
    // Encoded once per form, on first use: versions 1 and 2 have two;
    // version 3 one, except that a direct conversation is named after the
    // other side, so each of its two users sees their own.
    let mut old = [None, None];
    let mut same: Option<Option<Arc<[u8]>>> = None;
    let mut viewed: HashMap<String, Option<Arc<[u8]>>> = HashMap::new();
    // A room change that lets someone in tells them first (`CONV`), so
    // they know the room before its events; one that puts them out tells
    // them last (`GONE`), after the event.
    let grants = matches!(
        event.body,
        EventBody::Member {
            change: MemberChange::Created
                | MemberChange::Joined
                | MemberChange::Invited
                | MemberChange::Promoted
                | MemberChange::Demoted,
            ..
        }
    );
    if let Conversation::Room(name) = &event.conversation
        && grants
    {
        apply_room_change(state, name, committed, cap, pending);
    }
    let partners: Vec<String> = match &event.conversation {
        Conversation::Direct(pair) => {
            let (a, b) = pair.names();
            vec![user_key(a), user_key(b)]
        }
        Conversation::Group(members) => members.names().iter().map(|n| user_key(n)).collect(),
        _ => Vec::new(),
    };
    if partners.len() > 1 {
        presence::link(state, &partners, cap, pending);
    }
    let subject = match &event.body {
        EventBody::Member { user, .. } => Some(user_key(user)),
        _ => None,
    };
    for session in targets(state, &event.conversation, subject) {
        let Some(peer) = state.peers.get_mut(&session) else {
            continue;
        };
        let origin = session == committed.origin;
        if origin && let Some(token) = &committed.token {
            let ack = ServerMessage::Ack {
                token: token.clone(),
                id: event.id.0,
                ts: event.ts,
            };
            if let Some(line) = encode(&ack) {
                deliver(peer, id, line, cap, pending);
            }
            continue;
        }
        // The sender knows what it sent; a share or a room change goes to
        // everyone, and a version 1 or 2 user writing to themselves gets
        // it, as in the seed.
        let to_self_old = peer.version < 3 && recipient.as_deref() == Some(peer.key.as_str());
        if origin && !to_everyone_in_it && !to_self_old {
            continue;
        }
        let line = if peer.version >= 3 && recipient.is_some() {
            viewed
                .entry(peer.key.clone())
                .or_insert_with(|| encode(&lines::event_line(event, &peer.key)))
                .clone()
        } else if peer.version >= 3 {
            same.get_or_insert_with(|| encode(&lines::event_line(event, &peer.key)))
                .clone()
        } else {
            // Versions 1 and 2 see #general and, as its recipient, a direct
            // message, as in the seed; nothing of rooms and groups.
            if !classic
                || recipient
                    .as_ref()
                    .is_some_and(|recipient| *recipient != peer.key)
            {
                continue;
            }
            let form = usize::from(peer.version >= 2);
            old[form]
                .get_or_insert_with(|| {
                    lines::live_line(event, peer.version).and_then(|line| encode(&line))
                })
                .clone()
        };
        if let Some(line) = line {
            deliver(peer, id, line, cap, pending);
        }
    }
    if let Conversation::Room(name) = &event.conversation
        && !grants
    {
        apply_room_change(state, name, committed, cap, pending);
    }
    // `DM|to|message` (a direct message without a token: `SEND` has one)
    // to someone with no session: its sender is told, now that it is
    // stored, that it waits for them.
    if let (Some(to), Some(key), EventBody::Text { .. }, None) =
        (recipient_name, &recipient, &event.body, &committed.token)
        && !state.online.contains_key(key)
        && let Some(peer) = state.peers.get_mut(&committed.origin)
        && let Some(line) = encode(&lines::offline_notice(to))
    {
        deliver(peer, None, line, cap, pending);
    }
}

/// The sessions an event goes to.
/// The sessions of everyone in `conversation`, and of `subject` (the user
/// a room's membership change is about, by key).
fn targets(state: &mut State, conversation: &Conversation, subject: Option<String>) -> Vec<u64> {
    if let Conversation::Room(name) = conversation {
        return room_targets(state, name, subject);
    }
    let sessions_of = |key: &str| {
        state
            .online
            .get(key)
            .map(|online| online.sessions.clone())
            .unwrap_or_default()
    };
    match conversation {
        Conversation::General => state.peers.keys().copied().collect(),
        Conversation::Direct(pair) => {
            let (a, b) = pair.names();
            let (a, b) = (user_key(a), user_key(b));
            let mut sessions = sessions_of(&a);
            if b != a {
                sessions.extend(sessions_of(&b));
            }
            sessions
        }
        Conversation::Group(members) => members
            .names()
            .iter()
            .flat_map(|name| sessions_of(&user_key(name)))
            .collect(),
        // Rooms are handled above.
        Conversation::Room(_) => Vec::new(),
    }
}

/// The sessions a room's event goes to: its members' (from the room's
/// list, made again after a change) and the user a membership change is
/// about.
fn room_targets(state: &mut State, name: &str, subject: Option<String>) -> Vec<u64> {
    let State { rooms, online, .. } = state;
    // A room being created is not known yet: only its creator (the
    // subject below) hears of it.
    let room = rooms.get_mut(&user_key(name));
    let mut member_of = false;
    let mut sessions = match room {
        Some(room) => {
            member_of = subject.as_ref().is_some_and(|subject| {
                room.members
                    .get(subject)
                    .is_some_and(|(_, role)| *role >= Role::Member)
            });
            let members = &room.members;
            room.sessions
                .get_or_insert_with(|| {
                    members
                        .iter()
                        .filter(|(_, (_, role))| *role >= Role::Member)
                        .filter_map(|(key, _)| online.get(key))
                        .flat_map(|online| online.sessions.iter().copied())
                        .collect()
                })
                .clone()
        }
        None => Vec::new(),
    };
    // The user a membership change is about hears of it too.
    if let Some(subject) = subject
        && !member_of
        && let Some(online) = online.get(&subject)
    {
        sessions.extend(online.sessions.iter().copied());
    }
    sessions
}

/// Who of the rooms of the user with `key` is online changed: their lists
/// of sessions are made again at their next message.
fn forget_room_sessions(state: &mut State, key: &str) {
    let State {
        rooms, rooms_of, ..
    } = state;
    for room in rooms_of.get(key).into_iter().flatten() {
        if let Some(room) = rooms.get_mut(room) {
            room.sessions = None;
        }
    }
}

/// Applies a room event to the hub's copy of the room, in id order, and
/// tells the user it is about what their standing is now (`CONV`) or that
/// they are out (`GONE`).
fn apply_room_change(
    state: &mut State,
    name: &str,
    committed: &Committed,
    cap: usize,
    pending: &mut Vec<Outbox>,
) {
    let event = &committed.event;
    let key = user_key(name);
    let (user, change) = match &event.body {
        EventBody::Member { user, change } => (user, *change),
        EventBody::Topic { text } => {
            if let Some(room) = state.rooms.get_mut(&key) {
                room.topic = text.clone();
            }
            return;
        }
        _ => return,
    };
    let subject = user_key(user);
    let room = state.rooms.entry(key.clone()).or_insert_with(|| RoomState {
        name: name.to_owned(),
        visibility: committed.created.unwrap_or(Visibility::Public),
        topic: String::new(),
        members: HashMap::new(),
        sessions: None,
    });
    room.sessions = None;
    let now = match change {
        MemberChange::Created => Some(Role::Owner),
        MemberChange::Joined | MemberChange::Demoted => Some(Role::Member),
        MemberChange::Invited => Some(Role::Invited),
        MemberChange::Promoted => Some(Role::Moderator),
        MemberChange::Left | MemberChange::Removed | MemberChange::Banned => None,
        MemberChange::Unbanned => return,
    };
    let line = match now {
        Some(role) => {
            room.members.insert(subject.clone(), (user.clone(), role));
            state
                .rooms_of
                .entry(subject.clone())
                .or_default()
                .insert(key);
            ServerMessage::Conv {
                conversation: WireConversation::Room(room.name.clone()),
                kind: room_kind(room.visibility),
                role,
                unread: 0,
                mentions: 0,
                topic: room.topic.clone(),
            }
        }
        None => {
            room.members.remove(&subject);
            if let Some(rooms) = state.rooms_of.get_mut(&subject) {
                rooms.remove(&key);
            }
            let reason = match change {
                MemberChange::Left => "you left".to_owned(),
                MemberChange::Banned => format!("banned by {}", event.author),
                _ => format!("removed by {}", event.author),
            };
            ServerMessage::Gone {
                conversation: WireConversation::Room(room.name.clone()),
                reason,
            }
        }
    };
    let Some(line) = encode(&line) else { return };
    to_v3_sessions(state, &subject, Some(event.id), &line, cap, pending);
}

/// Pushes `line` (about `event`, if any) to every version 3 session of the
/// user with `key`.
fn to_v3_sessions(
    state: &mut State,
    key: &str,
    event: Option<EventId>,
    line: &Arc<[u8]>,
    cap: usize,
    pending: &mut Vec<Outbox>,
) {
    let sessions = state
        .online
        .get(key)
        .map(|online| online.sessions.clone())
        .unwrap_or_default();
    for session in sessions {
        if let Some(peer) = state.peers.get_mut(&session)
            && peer.version >= 3
        {
            deliver(peer, event, line.clone(), cap, pending);
        }
    }
}

/// The `CONV` kind of a room.
pub(crate) fn room_kind(visibility: Visibility) -> ConversationKind {
    match visibility {
        Visibility::Public => ConversationKind::Room,
        Visibility::Private => ConversationKind::PrivateRoom,
    }
}

/// Pushes `line` to `peer`, or keeps it in its buffer while it syncs.
fn deliver(
    peer: &mut Peer,
    event: Option<EventId>,
    line: Arc<[u8]>,
    cap: usize,
    pending: &mut Vec<Outbox>,
) {
    if event.is_some_and(|event| event <= peer.covered) {
        return;
    }
    match &mut peer.syncing {
        Some(waiting) => {
            peer.sync_bytes += line.len();
            if peer.sync_bytes > cap {
                warn!(user = %peer.name, "too much waited for a session still logging in; disconnecting");
                peer.outbox.abort();
                peer.syncing = None;
                return;
            }
            waiting.push((event, line));
        }
        None => {
            if peer.outbox.push(line) {
                pending.push(peer.outbox.clone());
            }
        }
    }
}

/// Splits user names into lists whose `USERS` lines fit the line limit.
fn chunk_names(names: Vec<String>) -> Vec<Vec<String>> {
    let mut chunks = vec![Vec::new()];
    let mut size = 0;
    for name in names {
        if size + name.len() + 1 > USERS_LINE_BUDGET {
            chunks.push(Vec::new());
            size = 0;
        }
        size += name.len() + 1;
        if let Some(chunk) = chunks.last_mut() {
            chunk.push(name);
        }
    }
    chunks
}

/// Encodes a line to be shared between every session it goes to.
pub(crate) fn encode(message: &ServerMessage) -> Option<Arc<[u8]>> {
    match message.to_line() {
        Ok(line) => Some(line.into()),
        Err(e) => {
            error!(error = %e, "could not encode a server line");
            None
        }
    }
}

/// Appends an encoded line to `out`.
pub(crate) fn append(out: &mut Vec<u8>, message: &ServerMessage) {
    if let Err(e) = message.encode(out) {
        error!(error = %e, "could not encode a server line");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_user_lists_are_split_under_the_line_limit() {
        let names: Vec<String> = (0..1000)
            .map(|n| format!("user-with-a-long-name-{n:04}"))
            .collect();
        let chunks = chunk_names(names.clone());
        assert!(chunks.len() > 1);
        for chunk in &chunks {
            let line = ServerMessage::Users {
                users: chunk.clone(),
            }
            .to_line()
            .unwrap();
            assert!(line.len() < media_chat_protocol::MAX_LINE_LEN);
        }
        assert_eq!(chunks.concat(), names);
        assert_eq!(chunk_names(Vec::new()), vec![Vec::<String>::new()]);
    }

    /// An outbox over a real loopback connection (nothing is read from it).
    fn outbox() -> (Outbox, std::net::TcpStream) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (Outbox::new(&server, 1 << 20, "bob", None).unwrap(), client)
    }

    #[test]
    fn a_login_right_after_a_logout_knows_where_the_last_session_ended() {
        let hub = Hub::new(ServerMessage::HistoryEnd, 1 << 20, 50);
        hub.stored_up_to(EventId(41));
        let quota = ServerMessage::HistoryEnd;
        let (first, _a) = outbox();
        let joined = hub.join(1, "bob", (2, &quota), &first, (Vec::new(), 1));
        assert!(joined.first);
        assert_eq!(joined.last_seen, None, "no session of bob ended yet");
        let left = hub.leave(1).expect("bob's last session");
        assert_eq!(left.last_seen, EventId(41));
        // Before the store has recorded `left`, bob is back: the welcome
        // must not count what the ended session saw as missed.
        let (again, _b) = outbox();
        let joined = hub.join(2, "bob", (2, &quota), &again, (Vec::new(), 1));
        assert!(joined.first);
        assert_eq!(joined.last_seen, Some(EventId(41)));
        let (second, _c) = outbox();
        let also = hub.join(3, "bob", (2, &quota), &second, (Vec::new(), 1));
        assert!(!also.first);
        assert_eq!(
            also.last_seen, None,
            "a second session gets no missed messages"
        );
    }
}
