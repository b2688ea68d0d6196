//! [`Message`]: a chat message as data, the one type both fronts keep and
//! draw from: who wrote what, where, when, and whether it has reached the
//! server.

use media_chat_protocol::{Conversation, MemberChange, Preview, Reactions, Sha256Digest};

/// A message in a conversation: a text or a shared file, someone else's or
/// this user's own, or a room's notice (a member change, a new topic).
///
/// Fronts keep these and render them when drawing, so a later change (an
/// acknowledgement, a refusal) updates the message rather than a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Where: `#general`, or `@name` for the direct conversation with
    /// `name`, from this user's side.
    pub conversation: Conversation,
    /// Who wrote it, as registered on the server.
    pub author: String,
    /// What it says.
    pub body: Body,
    /// When, in seconds since the Unix epoch: the server's time once
    /// stored, this machine's while pending.
    pub ts: u64,
    /// Whether it has reached the server.
    pub state: Delivery,
}

/// What a [`Message`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// A text message.
    Text(String),
    /// A file shared in the conversation.
    File {
        /// The stored name.
        name: String,
        /// Length in bytes.
        size: u64,
        /// SHA-256 of the contents.
        sha256: Sha256Digest,
        /// What the server made of it (a picture's size, a PDF's pages, a
        /// sound's length), once known: it comes after the share, as
        /// [`crate::Event::PreviewReady`], whose message carries it.
        preview: Option<Preview>,
    },
    /// A change to a room's members, made by the message's author: they
    /// created the room, joined, left, invited, removed, banned…
    Member {
        /// Whose membership changed.
        user: String,
        /// What happened.
        change: MemberChange,
    },
    /// The author set the room's topic (empty: cleared it).
    Topic(String),
    /// A text message its author changed: the text as it reads now, and
    /// the id of the edit that made it so.
    Edited {
        /// The text as it reads now.
        text: String,
        /// The latest edit's event id.
        edit: u64,
    },
    /// A text message answering the message `to` of the same
    /// conversation (a front shows its author and first words, and jumps
    /// to it); `edit` is the id of its latest edit once its author changed
    /// it.
    Reply {
        /// The text as it reads now.
        text: String,
        /// The id of the message it answers.
        to: u64,
        /// The latest edit's event id, if it was edited.
        edit: Option<u64>,
    },
    /// A message that was deleted: who wrote it and when remain.
    Deleted,
    /// A share whose file was deleted since (by its uploader, a moderator
    /// or an administrator): who shared it and when remain, the file does
    /// not. A page or a welcome brings shares so; a front turns the shares
    /// it holds into this on [`crate::Event::FileDeleted`] (see
    /// [`Message::file_deleted`]).
    FileDeleted {
        /// The name it was stored under.
        name: String,
    },
}

/// What happened to a message that was already there
/// ([`crate::Event::Changed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Its author changed its text to this.
    Edited(String),
    /// It was deleted (by its author, a moderator or an administrator).
    Deleted,
    /// Someone (the change's `by`) gave (`on`) or took back `reaction`;
    /// `reactions` is what the message has now.
    Reacted {
        /// The reaction given or taken back.
        reaction: String,
        /// Given, or taken back.
        on: bool,
        /// All the message's reactions now.
        reactions: Reactions,
    },
    /// The message's reactions, as the server has them now (in pages and
    /// the welcome: nobody just did anything).
    Reactions(Reactions),
}

impl Change {
    /// The message's reactions after a reaction change; `None` for an
    /// edit or a delete.
    pub fn reactions(&self) -> Option<&Reactions> {
        match self {
            Change::Reacted { reactions, .. } | Change::Reactions(reactions) => Some(reactions),
            Change::Edited(_) | Change::Deleted => None,
        }
    }
}

/// Where a message stands. Messages from others are always
/// [`Delivery::Sent`]; this user's own go from pending to sent, or to
/// failed, never silently away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Written by this user, not yet acknowledged by the server; it is sent
    /// again after a reconnect (the token makes that safe).
    Pending {
        /// The client's token for the send.
        token: String,
    },
    /// Stored on the server. `id` is the event's id; `None` from a server
    /// of protocol version 2, which has no ids (an own message is then
    /// counted as sent once written).
    Sent {
        /// The server's event id.
        id: Option<u64>,
    },
    /// Not delivered: refused by the server, or still pending when the
    /// client quit or could not reconnect. [`crate::Client::retry`] sends
    /// it again with the same token, so it is stored at most once.
    Failed {
        /// The client's token for the send.
        token: String,
        /// Why, for people.
        reason: String,
    },
}

impl Message {
    /// The server's event id, once it has one.
    pub fn id(&self) -> Option<u64> {
        match self.state {
            Delivery::Sent { id } => id,
            _ => None,
        }
    }

    /// The token of an own message that is pending or failed.
    pub fn token(&self) -> Option<&str> {
        match &self.state {
            Delivery::Pending { token } | Delivery::Failed { token, .. } => Some(token),
            Delivery::Sent { .. } => None,
        }
    }

    /// The text of a text message (as it reads now, if edited).
    pub fn text(&self) -> Option<&str> {
        match &self.body {
            Body::Text(text) | Body::Edited { text, .. } | Body::Reply { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Whether the message mentions `user` (a name): by `@name` in a room,
    /// `#general` or a group, or by `@here` there (which mentions whoever
    /// was online when it came: ask it of a message that came live).
    /// Nothing in a direct conversation mentions anyone.
    pub fn mentions(&self, user: &str) -> bool {
        if matches!(self.conversation, Conversation::Direct(_)) {
            return false;
        }
        let key = media_chat_protocol::rules::user_key(user);
        self.text().is_some_and(|text| {
            let named = media_chat_protocol::rules::mentions(text);
            named.contains(&key) || named.iter().any(|n| n == media_chat_protocol::rules::HERE)
        })
    }

    /// Sets the preview of a shared file with contents `sha256` (nothing
    /// for another message).
    pub fn set_preview(&mut self, sha256: &Sha256Digest, preview: Option<Preview>) {
        if let Body::File {
            sha256: own,
            preview: slot,
            ..
        } = &mut self.body
            && own == sha256
        {
            *slot = preview;
        }
    }

    /// Marks a share of the file `name` as deleted (its body becomes
    /// [`Body::FileDeleted`]); returns whether it was one. Apply it on
    /// [`crate::Event::FileDeleted`] to the shares of that conversation
    /// with an id below the event's: a later share of the name is a new
    /// file.
    pub fn file_deleted(&mut self, name: &str) -> bool {
        let Body::File { name: own, .. } = &self.body else {
            return false;
        };
        if own != name {
            return false;
        }
        self.body = Body::FileDeleted {
            name: name.to_owned(),
        };
        true
    }

    /// The id of the message this one answers, if it is a reply.
    pub fn reply_to(&self) -> Option<u64> {
        match self.body {
            Body::Reply { to, .. } => Some(to),
            _ => None,
        }
    }

    /// Applies the change with event id `id` to this message: a text
    /// message takes its new text unless it already reads as a later edit
    /// made it (a page can bring an older edit after the message as it is
    /// now); any message can be deleted, and a delete is final. Reactions
    /// are not part of the message: a front keeps [`Change::reactions`]
    /// beside it, by id.
    pub fn apply(&mut self, id: u64, change: &Change) {
        match (change, &self.body) {
            (Change::Reacted { .. } | Change::Reactions(_), _) => {}
            (_, Body::Deleted) => {}
            (Change::Deleted, _) => self.body = Body::Deleted,
            (Change::Edited(_), Body::Edited { edit, .. }) if *edit >= id => {}
            (
                Change::Edited(_),
                Body::Reply {
                    edit: Some(edit), ..
                },
            ) if *edit >= id => {}
            (Change::Edited(text), Body::Reply { to, .. }) => {
                self.body = Body::Reply {
                    text: text.clone(),
                    to: *to,
                    edit: Some(id),
                };
            }
            (Change::Edited(text), Body::Text(_) | Body::Edited { .. }) => {
                self.body = Body::Edited {
                    text: text.clone(),
                    edit: id,
                };
            }
            (Change::Edited(_), _) => {}
        }
    }

    /// Whether it is a notice of a room's members or topic rather than
    /// something said or shared.
    pub fn is_notice(&self) -> bool {
        matches!(self.body, Body::Member { .. } | Body::Topic(_))
    }

    /// Whether it is waiting for the server's acknowledgement.
    pub fn is_pending(&self) -> bool {
        matches!(self.state, Delivery::Pending { .. })
    }

    /// Whether it failed to reach the server.
    pub fn is_failed(&self) -> bool {
        matches!(self.state, Delivery::Failed { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: Body) -> Message {
        Message {
            conversation: Conversation::general(),
            author: "an".into(),
            body,
            ts: 0,
            state: Delivery::Sent { id: Some(1) },
        }
    }

    #[test]
    fn only_a_share_of_that_name_reads_deleted() {
        let share = |name: &str| {
            text(Body::File {
                name: name.into(),
                size: 3,
                sha256: Sha256Digest([0; 32]),
                preview: None,
            })
        };
        let mut message = share("ảnh.png");
        assert!(!message.file_deleted("ảnh (1).png"));
        assert!(message.file_deleted("ảnh.png"));
        assert_eq!(
            message.body,
            Body::FileDeleted {
                name: "ảnh.png".into()
            }
        );
        assert!(!message.file_deleted("ảnh.png"), "once");
        let mut said = text(Body::Text("ảnh.png".into()));
        assert!(!said.file_deleted("ảnh.png"));
    }

    #[test]
    fn an_edit_changes_a_text_and_a_delete_is_final() {
        let mut message = text(Body::Text("một".into()));
        message.apply(5, &Change::Edited("hai".into()));
        assert_eq!(
            message.body,
            Body::Edited {
                text: "hai".into(),
                edit: 5
            }
        );
        assert_eq!(message.text(), Some("hai"));
        message.apply(3, &Change::Edited("older".into()));
        assert_eq!(
            message.text(),
            Some("hai"),
            "an older edit after a newer one"
        );
        message.apply(9, &Change::Deleted);
        assert_eq!(message.body, Body::Deleted);
        message.apply(12, &Change::Edited("ba".into()));
        assert_eq!(message.body, Body::Deleted, "an edit after the delete");
        let mut reply = text(Body::Reply {
            text: "ừ".into(),
            to: 1,
            edit: None,
        });
        assert_eq!(reply.reply_to(), Some(1));
        reply.apply(7, &Change::Edited("ừ nhé".into()));
        reply.apply(6, &Change::Edited("older".into()));
        assert_eq!(
            reply.body,
            Body::Reply {
                text: "ừ nhé".into(),
                to: 1,
                edit: Some(7)
            },
            "an edited reply still answers its message"
        );
        assert_eq!(message.reply_to(), None);
        let mut said = text(Body::Text("@Bình xem này; @here".into()));
        assert!(
            said.mentions("bình") && said.mentions("cường"),
            "by name, by @here"
        );
        said.body = Body::Text("bình@x.org".into());
        assert!(!said.mentions("bình"));
        said.body = Body::Text("@bình".into());
        said.conversation = Conversation::Direct("bình".into());
        assert!(!said.mentions("bình"), "not in a direct conversation");
        let mut topic = text(Body::Topic("chủ đề".into()));
        topic.apply(2, &Change::Edited("x".into()));
        assert_eq!(topic.body, Body::Topic("chủ đề".into()));
    }
}
