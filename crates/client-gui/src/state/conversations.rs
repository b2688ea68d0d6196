//! [`ConversationList`]: the sidebar's data, folded from the engine's
//! conversation events (`Conversation`, `Unread`, `ConversationGone`):
//! `#general`, the rooms, the groups and the direct conversations, each
//! with its kind, role, topic and counts.

use media_chat_client::{
    Conversation, ConversationInfo, ConversationKind, Role, conversation_key, same,
};

/// The user's conversations in sidebar order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationList {
    list: Vec<ConversationInfo>,
}

impl Default for ConversationList {
    /// `#general` alone: what every user is in, before the server says more
    /// (and all there is on a version 2 server, besides direct messages).
    fn default() -> Self {
        ConversationList {
            list: vec![ConversationInfo {
                conversation: Conversation::general(),
                kind: ConversationKind::Room,
                role: Role::Member,
                topic: String::new(),
                unread: 0,
                mentions: 0,
                last_id: 0,
                muted: false,
            }],
        }
    }
}

impl ConversationList {
    /// Every conversation: `#general`, the rooms, the groups, the direct
    /// conversations, each by name.
    pub fn list(&self) -> &[ConversationInfo] {
        &self.list
    }

    /// The conversation named `conversation`, whatever the spelling.
    pub fn get(&self, conversation: &Conversation) -> Option<&ConversationInfo> {
        self.list
            .iter()
            .find(|info| same(&info.conversation, conversation))
    }

    /// A conversation was added or changed.
    pub fn upsert(&mut self, info: ConversationInfo) {
        match self
            .list
            .iter_mut()
            .find(|known| same(&known.conversation, &info.conversation))
        {
            Some(known) => *known = info,
            None => {
                self.list.push(info);
                self.list.sort_by_key(rank);
            }
        }
    }

    /// Its counts changed.
    pub fn counts(&mut self, conversation: &Conversation, unread: u64, mentions: u64) {
        if let Some(info) = self
            .list
            .iter_mut()
            .find(|info| same(&info.conversation, conversation))
        {
            info.unread = unread;
            info.mentions = mentions;
        }
    }

    /// The user is out of it.
    pub fn remove(&mut self, conversation: &Conversation) {
        self.list
            .retain(|info| !same(&info.conversation, conversation));
    }

    /// Unread events over every conversation the user is in.
    pub fn total_unread(&self) -> u64 {
        self.list
            .iter()
            .filter(|info| info.is_member() && !info.muted)
            .map(|info| info.unread)
            .sum()
    }
}

/// The order of the list: `#general`, rooms, groups, direct conversations,
/// each by key.
fn rank(info: &ConversationInfo) -> (u8, String) {
    let rank = match &info.conversation {
        general if general.is_general() => 0,
        Conversation::Room(_) => 1,
        Conversation::Group(_) => 2,
        Conversation::Direct(_) => 3,
    };
    (rank, conversation_key(&info.conversation))
}

/// How the sidebar and the header name a conversation: `#homework`, a
/// person's name, a group's other members (`an, bình`).
pub fn title(conversation: &Conversation, me: &str) -> String {
    match conversation {
        Conversation::Room(_) => conversation.to_string(),
        Conversation::Direct(user) => user.clone(),
        Conversation::Group(members) => {
            let me = conversation_key(&Conversation::Direct(me.to_owned()));
            members
                .iter()
                .filter(|m| conversation_key(&Conversation::Direct((*m).clone())) != me)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}
