//! [`Conversations`]: the user's conversations as data — `#general`, the
//! rooms they are in or invited to, their group and direct conversations —
//! each with its kind, the user's role, the topic and the unread and
//! mention counts, and which one plain lines go to (the current one). Both
//! fronts only draw these.
//!
//! The supervisor keeps a [`Tracker`] in step with the server: `CONV` lines
//! (at login, and when a room lets the user in), `GONE`, `READ` (from the
//! user's other sessions, or this one), new events and acknowledged sends.
//!
//! Counting unread events the way the server does (events by others after
//! the read position; of those, the ones naming the user as `@name`): at
//! login the server counts them all, but the welcome holds only the newest
//! events, so a conversation's count is split in two. The events this
//! client has seen that are unread are kept by id; the rest, which the
//! server counted and this client never saw, are older than every one it
//! saw. A read position at or past the oldest seen therefore reads all of
//! those too, and one below it leaves them counted.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use media_chat_protocol::conversation::MAX_GROUP;
use media_chat_protocol::rules::user_key;
use media_chat_protocol::{Conversation, ConversationKind, EventBody, MemberChange, Role};

use crate::error::InputError;
use crate::event::Event;

/// The counts the server stops at (it sends 100 for "100 or more").
const COUNT_CAP: u64 = 100;

/// One conversation of the user, as a sidebar draws it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationInfo {
    /// The conversation, spelt as the server spells it.
    pub conversation: Conversation,
    /// Public room, private room, group or direct conversation.
    pub kind: ConversationKind,
    /// The user's standing: [`Role::Invited`] for a room they may join but
    /// have not.
    pub role: Role,
    /// A room's topic (empty otherwise).
    pub topic: String,
    /// Events by others the user has not read. Above 99 it shows as "99+"
    /// ([`crate::display::count`]).
    pub unread: u64,
    /// Of those, the ones that mention the user (`@name`).
    pub mentions: u64,
    /// The newest event id seen in it (0: none yet).
    pub last_id: u64,
    /// The user muted it: no notifications and no badge (unread is still
    /// counted).
    pub muted: bool,
}

impl ConversationInfo {
    /// Whether the user is in it (not only invited).
    pub fn is_member(&self) -> bool {
        self.role != Role::Invited
    }
}

/// One member of a conversation, as [`crate::Client::load_members`] lists
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The user.
    pub user: String,
    /// Their role in it.
    pub role: Role,
    /// Whether they have a session online.
    pub online: bool,
}

/// The user's conversations at one moment, from
/// [`crate::Client::conversations`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversations {
    list: Vec<ConversationInfo>,
    current: Conversation,
}

impl Conversations {
    /// Every conversation: `#general` first, then the rooms, the groups
    /// and the direct conversations, each by name.
    pub fn list(&self) -> &[ConversationInfo] {
        &self.list
    }

    /// The conversation named `conversation` (room and user names compared
    /// ignoring case, a group's members in any order).
    pub fn get(&self, conversation: &Conversation) -> Option<&ConversationInfo> {
        let wanted = key(conversation);
        self.list
            .iter()
            .find(|info| key(&info.conversation) == wanted)
    }

    /// Where plain lines go.
    pub fn current(&self) -> &Conversation {
        &self.current
    }

    /// The current conversation's details.
    pub fn current_info(&self) -> Option<&ConversationInfo> {
        self.get(&self.current)
    }
}

/// What identifies a conversation, whatever the spelling: room and user
/// names ignoring case (after NFC), a group's members in any order (a front
/// keys what it keeps per conversation by it: drafts, views).
pub fn key(conversation: &Conversation) -> String {
    match conversation {
        Conversation::Room(name) => format!("#{}", user_key(name)),
        Conversation::Direct(user) => format!("@{}", user_key(user)),
        Conversation::Group(members) => {
            let mut keys: Vec<String> = members.iter().map(|m| user_key(m)).collect();
            keys.sort();
            format!("+{}", keys.join(","))
        }
    }
}

/// Whether `a` and `b` are the same conversation (see [`key`]).
pub fn same(a: &Conversation, b: &Conversation) -> bool {
    key(a) == key(b)
}

/// Whether a message text mentions the user with key `me`, by the server's
/// rule ([`media_chat_protocol::rules::mentions`]).
pub(crate) fn mentions(text: &str, me: &str) -> bool {
    media_chat_protocol::rules::mentions(text)
        .iter()
        .any(|name| name == me)
}

/// The group of `names` and `me` (added if missing), in the server's order
/// (by user key); two people make a direct conversation.
pub(crate) fn group_of(names: &[String], me: &str) -> Result<Conversation, InputError> {
    let mut members: Vec<String> = Vec::new();
    for name in names.iter().map(|n| n.trim()) {
        let name = media_chat_protocol::rules::normalize_user_name(name)
            .map_err(InputError::BadRecipient)?;
        if !members.iter().any(|m| user_key(m) == user_key(&name)) {
            members.push(name);
        }
    }
    if !members.iter().any(|m| user_key(m) == user_key(me)) {
        members.push(me.to_owned());
    }
    members.sort_by_key(|m| user_key(m));
    match members.len() {
        0 | 1 => Ok(Conversation::Direct(me.to_owned())),
        2 => Ok(Conversation::Direct(
            members
                .into_iter()
                .find(|m| user_key(m) != user_key(me))
                .unwrap_or_else(|| me.to_owned()),
        )),
        n if n > MAX_GROUP => Err(InputError::GroupTooLarge),
        _ => Ok(Conversation::Group(members)),
    }
}

/// How a conversation's kind reads from its name alone.
fn kind_of(conversation: &Conversation) -> ConversationKind {
    match conversation {
        Conversation::Room(_) => ConversationKind::Room,
        Conversation::Direct(_) => ConversationKind::Direct,
        Conversation::Group(_) => ConversationKind::Group,
    }
}

/// The order of the list: `#general`, rooms, groups, direct conversations.
fn rank(info: &ConversationInfo) -> (u8, String) {
    let rank = match &info.conversation {
        general if general.is_general() => 0,
        Conversation::Room(_) => 1,
        Conversation::Group(_) => 2,
        Conversation::Direct(_) => 3,
    };
    (rank, key(&info.conversation))
}

/// One conversation and what its counts are made of.
#[derive(Debug, Clone)]
struct Entry {
    info: ConversationInfo,
    /// The read position.
    read: u64,
    /// Unread events the server counted that this client has not seen:
    /// all older than `oldest`.
    unseen: u64,
    /// Of those, the ones mentioning the user.
    unseen_mentions: u64,
    /// Unread events seen: id, and whether it mentions the user.
    seen: BTreeMap<u64, bool>,
    /// The oldest event seen since login (backlog or live).
    oldest: Option<u64>,
}

impl Entry {
    fn new(conversation: Conversation, kind: ConversationKind, role: Role, topic: String) -> Self {
        Entry {
            info: ConversationInfo {
                conversation,
                kind,
                role,
                topic,
                unread: 0,
                mentions: 0,
                last_id: 0,
                muted: false,
            },
            read: 0,
            unseen: 0,
            unseen_mentions: 0,
            seen: BTreeMap::new(),
            oldest: None,
        }
    }

    /// A conversation known from its events alone (a direct or group one).
    fn implied(conversation: Conversation) -> Self {
        let kind = kind_of(&conversation);
        Entry::new(conversation, kind, Role::Member, String::new())
    }

    fn recount(&mut self) {
        let seen_mentions = self.seen.values().filter(|m| **m).count() as u64;
        self.info.unread = self.unseen + self.seen.len() as u64;
        self.info.mentions = self.unseen_mentions + seen_mentions;
    }

    /// Moves the read position to `id`; `horizon` bounds the unseen
    /// events from above when none was seen (the welcome's last id).
    fn read_up_to(&mut self, id: u64, horizon: u64) {
        self.read = self.read.max(id);
        let read = self.read;
        self.seen.retain(|seen, _| *seen > read);
        let bound = self.oldest.unwrap_or(horizon.saturating_add(1));
        if read.saturating_add(1) >= bound {
            self.unseen = 0;
            self.unseen_mentions = 0;
        }
        self.recount();
    }

    /// At the end of a welcome: the server's counts (`unseen` so far) are
    /// the truth; the events seen make up as much of them as they can.
    fn settle(&mut self) {
        let (unread, mentions) = (self.unseen, self.unseen_mentions);
        if unread < COUNT_CAP {
            while self.seen.len() as u64 > unread {
                self.seen.pop_first();
            }
        }
        let mut flagged = self.seen.values().filter(|m| **m).count() as u64;
        if mentions < COUNT_CAP {
            for flag in self.seen.values_mut() {
                if flagged <= mentions {
                    break;
                }
                if *flag {
                    *flag = false;
                    flagged -= 1;
                }
            }
        }
        self.unseen = unread.saturating_sub(self.seen.len() as u64);
        self.unseen_mentions = mentions.saturating_sub(flagged);
        self.recount();
    }
}

/// The conversations as the supervisor keeps them (shared with
/// [`crate::Client`] behind a lock; every method is quick and does no
/// I/O). Methods that change something push the events that say so.
#[derive(Debug)]
pub(crate) struct Tracker {
    me: String,
    entries: BTreeMap<String, Entry>,
    /// The entries a login's welcome is rebuilding, swapped in at its end.
    welcome: Option<BTreeMap<String, Entry>>,
    current: Conversation,
    /// A room just created or joined: it becomes current once the server
    /// lets the user in.
    go_to: Option<String>,
    /// Member lists loaded with `MEMBERS`, kept up to date by the room's
    /// events.
    members: HashMap<String, Vec<Member>>,
    /// Who is online, by user key.
    online: HashSet<String>,
    /// The last id of the latest welcome.
    horizon: u64,
    /// Whether the server counts (version 3: ids, read positions).
    counting: bool,
    /// Conversations whose counts changed, not said yet.
    dirty: BTreeSet<String>,
}

impl Default for Tracker {
    fn default() -> Self {
        let mut entries = BTreeMap::new();
        let general = Conversation::general();
        entries.insert(
            key(&general),
            Entry::new(general, ConversationKind::Room, Role::Member, String::new()),
        );
        Tracker {
            me: String::new(),
            entries,
            welcome: None,
            current: Conversation::general(),
            go_to: None,
            members: HashMap::new(),
            online: HashSet::new(),
            horizon: 0,
            counting: false,
            dirty: BTreeSet::new(),
        }
    }
}

impl Tracker {
    /// A snapshot for the fronts.
    pub(crate) fn snapshot(&self) -> Conversations {
        let mut list: Vec<ConversationInfo> =
            self.entries.values().map(|e| e.info.clone()).collect();
        list.sort_by_key(rank);
        Conversations {
            list,
            current: self.current.clone(),
        }
    }

    /// The user muted (`on`) or unmuted `conversation`.
    pub(crate) fn muted(&mut self, conversation: &Conversation, on: bool, out: &mut Vec<Event>) {
        let live = self.live();
        let Some(entry) = self.map().get_mut(&key(conversation)) else {
            return;
        };
        if entry.info.muted != on {
            entry.info.muted = on;
            if live {
                out.push(Event::Conversation {
                    info: entry.info.clone(),
                });
            }
        }
    }

    /// Where plain lines go.
    pub(crate) fn current(&self) -> Conversation {
        self.current.clone()
    }

    /// The member list of `conversation`, if loaded, with presence as it
    /// is now.
    pub(crate) fn members(&self, conversation: &Conversation) -> Option<Vec<Member>> {
        let mut members = self.members.get(&key(conversation))?.clone();
        for member in &mut members {
            member.online = self.online.contains(&user_key(&member.user));
        }
        Some(members)
    }

    /// A room the user is in, spelt as the server spells it.
    pub(crate) fn room(&self, room: &Conversation) -> Option<Conversation> {
        let entry = self.entries.get(&key(room))?;
        (matches!(room, Conversation::Room(_)) && entry.info.is_member())
            .then(|| entry.info.conversation.clone())
    }

    /// Whether a read position for `conversation` is worth telling the
    /// server: not for a room the user is out of (it would be refused).
    pub(crate) fn may_read(&self, conversation: &Conversation) -> bool {
        match conversation {
            Conversation::Room(_) => self
                .entries
                .get(&key(conversation))
                .is_some_and(|entry| entry.info.is_member()),
            _ => true,
        }
    }

    /// The spelling of `conversation` the server uses, if known.
    pub(crate) fn spelling(&self, conversation: Conversation) -> Conversation {
        match self.entries.get(&key(&conversation)) {
            Some(entry) => entry.info.conversation.clone(),
            None => conversation,
        }
    }

    /// The newest event id seen in `conversation`.
    pub(crate) fn last_id(&self, conversation: &Conversation) -> Option<u64> {
        let entry = self.entries.get(&key(conversation))?;
        (entry.info.last_id > 0).then_some(entry.info.last_id)
    }

    /// Makes `conversation` the current one, if the user may write there:
    /// a room they are in, any direct or group conversation.
    pub(crate) fn go(
        &mut self,
        conversation: Conversation,
        out: &mut Vec<Event>,
    ) -> Result<Conversation, InputError> {
        let conversation = match conversation {
            Conversation::Group(names) => group_of(&names, &self.me)?,
            other => other,
        };
        let k = key(&conversation);
        match (&conversation, self.entries.get(&k)) {
            (Conversation::Room(_), Some(entry)) if !entry.info.is_member() => {
                return Err(InputError::OnlyInvited(entry.info.conversation.clone()));
            }
            (Conversation::Room(_), None) => return Err(InputError::NotIn(conversation)),
            (_, Some(_)) => {}
            (_, None) => {
                let entry = Entry::implied(conversation.clone());
                out.push(Event::Conversation {
                    info: entry.info.clone(),
                });
                self.entries.insert(k.clone(), entry);
            }
        }
        let spelt = self.spelling(conversation);
        self.set_current(spelt.clone(), out);
        Ok(spelt)
    }

    /// A room the user asked to create or join becomes current once in.
    pub(crate) fn go_when_joined(&mut self, room: &Conversation) {
        self.go_to = Some(key(room));
    }

    fn set_current(&mut self, conversation: Conversation, out: &mut Vec<Event>) {
        self.current = conversation.clone();
        out.push(Event::CurrentChanged { conversation });
    }

    /// A new connection logged in as `me`; its welcome follows.
    pub(crate) fn begin(&mut self, me: &str, version: u64) {
        self.me = me.to_owned();
        self.counting = version >= 3;
        self.online.clear();
        // Membership may have changed while away: lists are asked again.
        self.members.clear();
        let mut fresh = BTreeMap::new();
        if !self.counting {
            // No CONV lines: #general and the direct conversations known.
            for (k, entry) in &self.entries {
                if !matches!(entry.info.conversation, Conversation::Room(_))
                    || entry.info.conversation.is_general()
                {
                    fresh.insert(k.clone(), entry.clone());
                }
            }
        }
        self.welcome = Some(fresh);
    }

    fn map(&mut self) -> &mut BTreeMap<String, Entry> {
        match &mut self.welcome {
            Some(fresh) => fresh,
            None => &mut self.entries,
        }
    }

    fn live(&self) -> bool {
        self.welcome.is_none()
    }

    /// `CONV|conversation|kind|role|unread|mentions|topic`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn conv(
        &mut self,
        conversation: Conversation,
        kind: ConversationKind,
        role: Role,
        unread: u64,
        mentions: u64,
        topic: String,
        out: &mut Vec<Event>,
    ) {
        let k = key(&conversation);
        let last_id = self.entries.get(&k).map_or(0, |e| e.info.last_id);
        if let Some(fresh) = &mut self.welcome {
            let mut entry = Entry::new(conversation, kind, role, topic);
            entry.info.last_id = last_id;
            entry.unseen = unread;
            entry.unseen_mentions = mentions;
            fresh.insert(k, entry);
            return;
        }
        let info = match self.entries.get_mut(&k) {
            // A change of role (moderator, member again): the counts stand.
            Some(entry) if entry.info.is_member() => {
                entry.info.conversation = conversation;
                entry.info.kind = kind;
                entry.info.role = role;
                entry.info.topic = topic;
                entry.info.clone()
            }
            _ => {
                // Let in: a new standing, counted from here.
                let mut entry = Entry::new(conversation, kind, role, topic);
                entry.info.last_id = last_id;
                entry.unseen = unread;
                entry.unseen_mentions = mentions;
                entry.recount();
                let info = entry.info.clone();
                self.entries.insert(k.clone(), entry);
                info
            }
        };
        self.dirty.remove(&k);
        out.push(Event::Conversation { info });
    }

    /// `GONE|conversation|reason`: the user is out of it.
    pub(crate) fn gone(
        &mut self,
        conversation: Conversation,
        reason: String,
        out: &mut Vec<Event>,
    ) {
        let k = key(&conversation);
        if let Some(fresh) = &mut self.welcome {
            fresh.remove(&k);
        }
        let spelt = self
            .entries
            .remove(&k)
            .map_or(conversation, |e| e.info.conversation);
        self.members.remove(&k);
        self.dirty.remove(&k);
        if self.go_to.as_deref() == Some(k.as_str()) {
            self.go_to = None;
        }
        out.push(Event::ConversationGone {
            conversation: spelt,
            reason,
        });
        if key(&self.current) == k {
            self.set_current(Conversation::general(), out);
        }
    }

    /// `READ|conversation|id`, from another session, or this one's own
    /// report.
    pub(crate) fn read(&mut self, conversation: &Conversation, id: u64) {
        let live = self.live();
        let horizon = self.horizon;
        let Some(entry) = self.map().get_mut(&key(conversation)) else {
            return;
        };
        if !live {
            // At login: the counts come with CONV.
            entry.read = entry.read.max(id);
            return;
        }
        let before = (entry.info.unread, entry.info.mentions);
        entry.read_up_to(id, horizon);
        if (entry.info.unread, entry.info.mentions) != before {
            self.dirty.insert(key(conversation));
        }
    }

    /// A stored event: from the welcome's backlog (`live` false before
    /// `SYNCED`), live, or from a page (`paged`).
    pub(crate) fn event(
        &mut self,
        conversation: &Conversation,
        id: u64,
        body: &EventBody,
        paged: bool,
        out: &mut Vec<Event>,
    ) {
        let k = key(conversation);
        let me = user_key(&self.me);
        let counting = self.counting;
        let live = self.live();
        let mut arrived = false;
        let (author, text) = match body {
            EventBody::Text { from, text }
            | EventBody::Edited { from, text, .. }
            | EventBody::Reply { from, text, .. } => (from, Some(text.as_str())),
            EventBody::Deleted { from } => (from, None),
            // A change to a message (a reaction too) is not news: nothing
            // to count.
            EventBody::Edit { .. }
            | EventBody::Delete { .. }
            | EventBody::React { .. }
            | EventBody::FileDelete { .. } => {
                if let Some(entry) = self.map().get_mut(&k) {
                    entry.info.last_id = entry.info.last_id.max(id);
                }
                return;
            }
            EventBody::File { user, .. } | EventBody::FileDeleted { user, .. } => (user, None),
            EventBody::Member { by, user, change } => {
                self.member_changed(&k, user, *change);
                arrived = user_key(user) == me
                    && matches!(change, MemberChange::Created | MemberChange::Joined);
                (by, None)
            }
            EventBody::Topic { by, .. } => (by, None),
        };
        let map = self.map();
        let mut changed = false;
        let entry = match map.get_mut(&k) {
            Some(entry) => entry,
            // Only direct and group conversations appear by their events;
            // a room comes with its CONV line.
            None if matches!(conversation, Conversation::Room(_)) => return,
            None => {
                changed = true;
                map.entry(k.clone())
                    .or_insert_with(|| Entry::implied(conversation.clone()))
            }
        };
        // The server's spelling wins (a user's name as registered).
        if entry.info.conversation != *conversation {
            entry.info.conversation = conversation.clone();
            changed = true;
        }
        entry.info.last_id = entry.info.last_id.max(id);
        if let EventBody::Topic { text, .. } = body
            && !paged
        {
            entry.info.topic = text.clone();
            changed = true;
        }
        let mut counted = false;
        // A page going back from the oldest event seen (both fronts page
        // that way, so what it brings joins up with what was seen) shows
        // events the server counted and this client had not seen: they
        // join the seen ones, and what is still unseen is older again.
        if paged
            && counting
            && entry.info.is_member()
            && entry.unseen > 0
            && user_key(author) != me
            && id > entry.read
            && !entry.seen.contains_key(&id)
        {
            let mentioned = text.is_some_and(|text| mentions(text, &me));
            entry.seen.insert(id, mentioned);
            entry.oldest = Some(entry.oldest.map_or(id, |oldest| oldest.min(id)));
            entry.unseen -= 1;
            if mentioned {
                entry.unseen_mentions = entry.unseen_mentions.saturating_sub(1);
            }
            entry.recount();
        }
        if !paged && counting && entry.info.is_member() {
            entry.oldest = Some(entry.oldest.map_or(id, |oldest| oldest.min(id)));
            if user_key(author) != me && id > entry.read {
                // An `@here` mentions whoever was online when it came: a
                // live one mentions this user (the server counted it so).
                let here = live
                    && !matches!(conversation, Conversation::Direct(_))
                    && text.is_some_and(media_chat_protocol::rules::mentions_here);
                let mentioned = here || text.is_some_and(|text| mentions(text, &me));
                entry.seen.insert(id, mentioned);
                if live {
                    entry.recount();
                    counted = true;
                }
            }
        }
        if !live {
            return;
        }
        let spelt = entry.info.conversation.clone();
        if changed {
            out.push(Event::Conversation {
                info: entry.info.clone(),
            });
            self.dirty.remove(&k);
        } else if counted {
            self.dirty.insert(k.clone());
        }
        // A room the user asked to create or join: in, once the server
        // says so (after the CONV line, with the event that tells it).
        if arrived && self.go_to.as_deref() == Some(k.as_str()) {
            self.go_to = None;
            self.set_current(spelt, out);
        }
    }

    /// An own message was stored as event `id` of `conversation`.
    pub(crate) fn sent(&mut self, conversation: &Conversation, id: u64, out: &mut Vec<Event>) {
        let live = self.live();
        let map = self.map();
        let entry = match map.get_mut(&key(conversation)) {
            Some(entry) => entry,
            None if matches!(conversation, Conversation::Room(_)) => return,
            None => {
                let entry = Entry::implied(conversation.clone());
                if live {
                    out.push(Event::Conversation {
                        info: entry.info.clone(),
                    });
                }
                map.entry(key(conversation)).or_insert(entry)
            }
        };
        entry.info.last_id = entry.info.last_id.max(id);
    }

    /// The conversations whose counts changed since the last call, as
    /// [`Event::Unread`]s: said once a burst of events is over rather than
    /// after each.
    pub(crate) fn take_unread(&mut self) -> Vec<Event> {
        let dirty = std::mem::take(&mut self.dirty);
        dirty
            .into_iter()
            .filter_map(|k| self.entries.get(&k))
            .map(|entry| Event::Unread {
                conversation: entry.info.conversation.clone(),
                unread: entry.info.unread,
                mentions: entry.info.mentions,
            })
            .collect()
    }

    /// The welcome is complete up to `last_id` (`SYNCED`, or version 2's
    /// `HISTORY_END` with 0).
    pub(crate) fn finish(&mut self, last_id: u64, out: &mut Vec<Event>) {
        let Some(mut fresh) = self.welcome.take() else {
            return;
        };
        self.horizon = last_id;
        let general = Conversation::general();
        fresh.entry(key(&general)).or_insert_with(|| {
            Entry::new(general, ConversationKind::Room, Role::Member, String::new())
        });
        for entry in fresh.values_mut() {
            if self.counting {
                entry.settle();
                // Read by this session while the welcome came in.
                entry.read_up_to(entry.read, last_id);
            }
        }
        let old = std::mem::take(&mut self.entries);
        for (k, entry) in old {
            if fresh.contains_key(&k) {
                continue;
            }
            match entry.info.conversation {
                // Left, removed or banned while away.
                Conversation::Room(_) => out.push(Event::ConversationGone {
                    conversation: entry.info.conversation.clone(),
                    reason: "you are no longer in it".to_owned(),
                }),
                // Direct and group conversations are never left: one just
                // opened (no message yet) stays.
                _ => {
                    fresh.insert(k, entry);
                }
            }
        }
        self.entries = fresh;
        self.dirty.clear();
        let mut infos: Vec<ConversationInfo> =
            self.entries.values().map(|e| e.info.clone()).collect();
        infos.sort_by_key(rank);
        out.extend(infos.into_iter().map(|info| Event::Conversation { info }));
        if !self.entries.contains_key(&key(&self.current)) {
            self.set_current(Conversation::general(), out);
        }
    }

    /// A complete member list arrived.
    pub(crate) fn set_members(&mut self, conversation: &Conversation, members: Vec<Member>) {
        for member in &members {
            if member.online {
                self.online.insert(user_key(&member.user));
            }
        }
        self.members.insert(key(conversation), members);
    }

    fn member_changed(&mut self, room: &str, user: &str, change: MemberChange) {
        let Some(members) = self.members.get_mut(room) else {
            return;
        };
        let role = match change {
            MemberChange::Created => Some(Role::Owner),
            MemberChange::Joined | MemberChange::Demoted => Some(Role::Member),
            MemberChange::Invited => Some(Role::Invited),
            MemberChange::Promoted => Some(Role::Moderator),
            MemberChange::Left | MemberChange::Removed | MemberChange::Banned => None,
            MemberChange::Unbanned => return,
        };
        let k = user_key(user);
        members.retain(|m| user_key(&m.user) != k);
        if let Some(role) = role {
            members.push(Member {
                user: user.to_owned(),
                role,
                online: self.online.contains(&k),
            });
            members.sort_by_key(|m| user_key(&m.user));
        }
    }

    /// Everyone online right after login.
    pub(crate) fn online(&mut self, users: &[String]) {
        self.online.extend(users.iter().map(|u| user_key(u)));
    }

    /// Whether `user` may have an account here: `false` only when
    /// `#general`'s member list (every account) is loaded and does not
    /// name them, and they are neither online nor a direct conversation.
    pub(crate) fn may_exist(&self, user: &str) -> bool {
        let k = user_key(user);
        let Some(everyone) = self.members.get(&key(&Conversation::general())) else {
            return true;
        };
        everyone.iter().any(|m| user_key(&m.user) == k)
            || self.online.contains(&k)
            || self
                .entries
                .contains_key(&key(&Conversation::Direct(user.to_owned())))
    }

    /// A user came online (`true`) or went offline.
    pub(crate) fn presence(&mut self, user: &str, online: bool) {
        if online {
            // A new account comes online at once: `#general` holds it.
            let k = user_key(user);
            if let Some(everyone) = self.members.get_mut(&key(&Conversation::general()))
                && !everyone.iter().any(|m| user_key(&m.user) == k)
            {
                everyone.push(Member {
                    user: user.to_owned(),
                    role: Role::Member,
                    online: true,
                });
                everyone.sort_by_key(|m| user_key(&m.user));
            }
            self.online.insert(user_key(user));
        } else {
            self.online.remove(&user_key(user));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(name: &str) -> Conversation {
        Conversation::Room(name.into())
    }

    fn text(from: &str, text: &str) -> EventBody {
        EventBody::Text {
            from: from.into(),
            text: text.into(),
        }
    }

    /// A tracker logged in as `me` whose welcome had these CONV lines
    /// (conversation, unread, mentions) and backlog events (conversation,
    /// id, author, text).
    fn logged_in(
        me: &str,
        convs: &[(Conversation, u64, u64)],
        reads: &[(Conversation, u64)],
        backlog: &[(Conversation, u64, &str, &str)],
        last_id: u64,
    ) -> Tracker {
        let mut tracker = Tracker::default();
        let mut out = Vec::new();
        tracker.begin(me, 3);
        for (conversation, unread, mentions) in convs {
            tracker.conv(
                conversation.clone(),
                kind_of(conversation),
                Role::Member,
                *unread,
                *mentions,
                String::new(),
                &mut out,
            );
        }
        for (conversation, id) in reads {
            tracker.read(conversation, *id);
        }
        for (conversation, id, author, said) in backlog {
            tracker.event(conversation, *id, &text(author, said), false, &mut out);
        }
        assert!(out.is_empty(), "nothing is said during the welcome");
        tracker.finish(last_id, &mut out);
        tracker
    }

    fn counts(tracker: &Tracker, conversation: &Conversation) -> (u64, u64) {
        let snapshot = tracker.snapshot();
        let info = snapshot.get(conversation).expect("known");
        (info.unread, info.mentions)
    }

    #[test]
    fn the_servers_counts_stand_and_live_events_add_to_them() {
        let lop = room("lop");
        let mut tracker = logged_in(
            "bình",
            &[(Conversation::general(), 0, 0), (lop.clone(), 3, 1)],
            &[(lop.clone(), 10)],
            &[
                (lop.clone(), 11, "an", "một"),
                (lop.clone(), 12, "an", "hai @bình"),
                (lop.clone(), 13, "an", "ba"),
            ],
            13,
        );
        assert_eq!(counts(&tracker, &lop), (3, 1));
        let mut out = Vec::new();
        tracker.event(&lop, 14, &text("an", "@Bình, bốn"), false, &mut out);
        tracker.event(&lop, 15, &text("bình", "mine"), false, &mut out);
        assert_eq!(counts(&tracker, &lop), (4, 2));
        assert!(out.is_empty(), "{out:?}");
        // Said once for the burst.
        assert_eq!(
            tracker.take_unread(),
            [Event::Unread {
                conversation: lop.clone(),
                unread: 4,
                mentions: 2
            }]
        );
        assert!(tracker.take_unread().is_empty());
        // Read in another session up to 12: 13 and 14 are left.
        tracker.read(&lop, 12);
        assert_eq!(counts(&tracker, &lop), (2, 1));
        tracker.read(&lop, 15);
        assert_eq!(counts(&tracker, &lop), (0, 0));
    }

    #[test]
    fn unread_events_older_than_the_backlog_are_read_with_the_oldest_seen() {
        let general = Conversation::general();
        // 250 unread (the server says 100), the backlog holds 2 of them.
        let mut tracker = logged_in(
            "an",
            &[(general.clone(), 100, 0)],
            &[],
            &[
                (general.clone(), 300, "bình", "x"),
                (general.clone(), 301, "bình", "y"),
            ],
            301,
        );
        assert_eq!(counts(&tracker, &general), (100, 0));
        // Below the oldest seen: the unseen ones may still be unread.
        tracker.read(&general, 100);
        assert_eq!(counts(&tracker, &general), (100, 0));
        tracker.read(&general, 300);
        assert_eq!(counts(&tracker, &general), (1, 0));
    }

    #[test]
    fn unread_events_a_page_brings_are_read_with_it() {
        let lop = room("lop");
        // Resumed after the room's events: none in the welcome, 3 unread.
        let mut tracker = logged_in("an", &[(lop.clone(), 3, 1)], &[(lop.clone(), 10)], &[], 50);
        let mut out = Vec::new();
        // The newest page, oldest first (pages come that way): the older
        // two are still counted, the newest moves to the seen ones.
        tracker.event(&lop, 11, &text("bình", "một @an"), true, &mut out);
        tracker.event(&lop, 12, &text("bình", "hai"), true, &mut out);
        tracker.event(&lop, 13, &text("bình", "ba"), true, &mut out);
        assert_eq!(counts(&tracker, &lop), (3, 1), "the same counts");
        tracker.read(&lop, 11);
        assert_eq!(counts(&tracker, &lop), (2, 0));
        tracker.read(&lop, 13);
        assert_eq!(counts(&tracker, &lop), (0, 0));
    }

    #[test]
    fn a_backlog_the_server_counts_as_read_stays_read() {
        let general = Conversation::general();
        // A first login: #general's past is read, with no READ line.
        let tracker = logged_in(
            "new",
            &[(general.clone(), 0, 0)],
            &[],
            &[(general.clone(), 5, "an", "old @new")],
            5,
        );
        assert_eq!(counts(&tracker, &general), (0, 0));
    }

    #[test]
    fn rooms_come_and_go_and_the_current_one_follows() {
        let mut tracker = logged_in("an", &[(Conversation::general(), 0, 0)], &[], &[], 0);
        let mut out = Vec::new();
        let secret = room("secret");
        assert_eq!(
            tracker.go(secret.clone(), &mut out),
            Err(InputError::NotIn(secret.clone()))
        );
        tracker.go_when_joined(&room("Secret"));
        tracker.conv(
            room("Secret"),
            ConversationKind::PrivateRoom,
            Role::Owner,
            0,
            0,
            String::new(),
            &mut out,
        );
        assert!(tracker.current().is_general(), "not before the event");
        let created = EventBody::Member {
            by: "an".into(),
            user: "an".into(),
            change: MemberChange::Created,
        };
        tracker.event(&room("Secret"), 9, &created, false, &mut out);
        assert_eq!(tracker.current(), room("Secret"));
        assert!(matches!(
            out.last(),
            Some(Event::CurrentChanged { conversation }) if *conversation == room("Secret")
        ));
        assert_eq!(tracker.room(&secret), Some(room("Secret")));
        out.clear();
        tracker.gone(secret, "removed by boss".into(), &mut out);
        assert_eq!(tracker.current(), Conversation::general());
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(tracker.snapshot().get(&room("secret")).is_none());
    }

    #[test]
    fn an_invitation_is_listed_but_not_current_and_promotion_keeps_counts() {
        let mut tracker = logged_in("bình", &[(Conversation::general(), 0, 0)], &[], &[], 0);
        let mut out = Vec::new();
        let lop = room("lop");
        tracker.conv(
            lop.clone(),
            ConversationKind::Room,
            Role::Invited,
            0,
            0,
            String::new(),
            &mut out,
        );
        assert_eq!(
            tracker.go(lop.clone(), &mut out),
            Err(InputError::OnlyInvited(lop.clone()))
        );
        tracker.event(&lop, 7, &text("an", "not counted"), false, &mut out);
        assert_eq!(counts(&tracker, &lop), (0, 0));
        tracker.conv(
            lop.clone(),
            ConversationKind::Room,
            Role::Member,
            0,
            0,
            String::new(),
            &mut out,
        );
        tracker.event(&lop, 8, &text("an", "hi"), false, &mut out);
        tracker.conv(
            lop.clone(),
            ConversationKind::Room,
            Role::Moderator,
            0,
            0,
            String::new(),
            &mut out,
        );
        assert_eq!(counts(&tracker, &lop), (1, 0));
    }

    #[test]
    fn groups_are_named_in_the_servers_order_with_the_user_in_them() {
        let names = |list: &[&str]| list.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            group_of(&names(&["cường", "Bình"]), "an"),
            Ok(Conversation::Group(names(&["an", "Bình", "cường"])))
        );
        assert_eq!(
            group_of(&names(&["bình", "an"]), "an"),
            Ok(Conversation::Direct("bình".into()))
        );
        assert!(same(
            &Conversation::parse("+an,bình,cường").unwrap(),
            &Conversation::parse("+Cường,an,BÌNH").unwrap()
        ));
    }

    #[test]
    fn mentions_follow_the_servers_rule() {
        assert!(mentions("hi @bình!", "bình"));
        assert!(mentions("@BÌNH: xem này", "bình"));
        assert!(!mentions("email bình@x.org", "bình"));
        assert!(!mentions("@bìnhx", "bình"));
    }

    #[test]
    fn member_lists_follow_the_rooms_events() {
        let mut tracker = logged_in("an", &[(room("lop"), 0, 0)], &[], &[], 0);
        let lop = room("lop");
        tracker.set_members(
            &lop,
            vec![Member {
                user: "an".into(),
                role: Role::Owner,
                online: true,
            }],
        );
        let mut out = Vec::new();
        let joined = EventBody::Member {
            by: "bình".into(),
            user: "bình".into(),
            change: MemberChange::Joined,
        };
        tracker.event(&lop, 3, &joined, false, &mut out);
        let members = tracker.members(&lop).unwrap();
        assert_eq!(members.len(), 2);
        assert!(members[0].online && !members[1].online);
        tracker.presence("bình", true);
        assert!(tracker.members(&lop).unwrap()[1].online);
    }
}
