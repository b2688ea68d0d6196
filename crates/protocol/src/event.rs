//! A stored event as version 3 shows it: `EVENT|id|ts|conversation|kind|…`.
//!
//! Every event the server stores has a unique id, increasing in the order
//! every session sees events, and a time; the conversation is named from
//! the reader's side (see [`Conversation`]).

use crate::conversation::Conversation;
use crate::digest::Sha256Digest;
use crate::error::ParseError;
use crate::fields::{FieldReader, LineWriter};
use crate::room::MemberChange;

/// `EVENT|id|unix_ts|conversation|kind|…` (v3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventLine {
    /// The event's id: unique, and increasing in the order events happen.
    pub id: u64,
    /// When it was stored, in seconds since the Unix epoch.
    pub ts: u64,
    /// Where it happened, from the reader's side.
    pub conversation: Conversation,
    /// What happened.
    pub body: EventBody,
}

/// What an [`EventLine`] says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventBody {
    /// `TEXT|from|message`: a message.
    Text {
        /// The sender.
        from: String,
        /// The message text (the last field: it may contain `|`).
        text: String,
    },
    /// `MEMBER|by|user|change`: a room's membership changed (`by` did it;
    /// `by` and `user` are the same for `created`, `joined`, `left`).
    Member {
        /// Who made the change.
        by: String,
        /// Whose membership changed.
        user: String,
        /// What happened.
        change: MemberChange,
    },
    /// `TOPIC|by|topic`: a room's topic was set (the last field).
    Topic {
        /// Who set it.
        by: String,
        /// The new topic (may be empty).
        text: String,
    },
    /// `EDITED|from|edit|message`: a message as it reads after its
    /// author's edits (`edit` is the latest edit's id), in pages, backlogs
    /// and search results.
    Edited {
        /// The sender.
        from: String,
        /// The id of the latest `EDIT` event.
        edit: u64,
        /// The text as it reads now (the last field).
        text: String,
    },
    /// `REPLY|from|to|message`: a message answering the message `to` of
    /// the same conversation; `EDITED_REPLY|from|to|edit|message` once its
    /// author edited it (`edit` is the latest edit's id; in pages, backlogs
    /// and search results).
    Reply {
        /// The sender.
        from: String,
        /// The id of the message it answers.
        to: u64,
        /// The latest `EDIT` event's id, if it was edited.
        edit: Option<u64>,
        /// The text as it reads now (the last field).
        text: String,
    },
    /// `DELETED|from`: a message that was deleted (in pages and backlogs):
    /// who wrote it remains, what it said does not.
    Deleted {
        /// The sender.
        from: String,
    },
    /// `EDIT|by|target|message`: `by` changed the text of their message
    /// `target`.
    Edit {
        /// The author.
        by: String,
        /// The message's id.
        target: u64,
        /// Its new text (the last field).
        text: String,
    },
    /// `DELETE|by|target`: `by` (the author, a moderator of the room or
    /// an administrator) deleted the message `target`.
    Delete {
        /// Who deleted it.
        by: String,
        /// The message's id.
        target: u64,
    },
    /// `REACT|by|target|on|reaction`: `by` gave (`on` 1) or took back (0)
    /// `reaction` on the message `target` (live only: pages and backlogs
    /// carry `REACTIONS` lines instead).
    React {
        /// Who reacted.
        by: String,
        /// The message's id.
        target: u64,
        /// Given (true) or taken back.
        on: bool,
        /// The reaction (the last field; it never holds `|`).
        reaction: String,
    },
    /// `FILE_DELETE|by|name`: `by` (the file's uploader, an owner or
    /// moderator of the room, or an administrator) deleted the
    /// conversation's file `name`: every earlier share of that name now
    /// reads [`EventBody::FileDeleted`].
    FileDelete {
        /// Who deleted it.
        by: String,
        /// The stored name (the last field).
        name: String,
    },
    /// `FILE_DELETED|user|name`: a share whose file was deleted since (in
    /// pages, backlogs and search results): who shared it and when
    /// remain, the file does not.
    FileDeleted {
        /// Who shared it.
        user: String,
        /// The name it was stored under (the last field).
        name: String,
    },
    /// `FILE|user|name|size|sha256`: a file was shared.
    File {
        /// Who shared it.
        user: String,
        /// The name it is stored under.
        name: String,
        /// Its length in bytes.
        size: u64,
        /// Its SHA-256.
        sha256: Sha256Digest,
    },
}

impl EventLine {
    /// Reads the fields after `EVENT|`.
    pub(crate) fn parse_fields(rest: Option<&str>) -> Result<EventLine, ParseError> {
        let mut f = FieldReader::new("EVENT", rest);
        let id = f.number("id")?;
        let ts = f.number("unix_ts")?;
        let conversation = f.conversation("conversation")?;
        let body = match f.next("kind")? {
            "TEXT" => EventBody::Text {
                from: f.next("from")?.to_owned(),
                text: f.last("message")?.to_owned(),
            },
            "MEMBER" => {
                let by = f.next("by")?.to_owned();
                let user = f.next("user")?.to_owned();
                let change = f.word("change")?;
                f.finish()?;
                EventBody::Member { by, user, change }
            }
            "TOPIC" => EventBody::Topic {
                by: f.next("by")?.to_owned(),
                text: f.last("topic")?.to_owned(),
            },
            "EDITED" => EventBody::Edited {
                from: f.next("from")?.to_owned(),
                edit: f.number("edit")?,
                text: f.last("message")?.to_owned(),
            },
            "REPLY" => EventBody::Reply {
                from: f.next("from")?.to_owned(),
                to: f.number("to")?,
                edit: None,
                text: f.last("message")?.to_owned(),
            },
            "EDITED_REPLY" => EventBody::Reply {
                from: f.next("from")?.to_owned(),
                to: f.number("to")?,
                edit: Some(f.number("edit")?),
                text: f.last("message")?.to_owned(),
            },
            "DELETED" => EventBody::Deleted {
                from: f.last("from")?.to_owned(),
            },
            "EDIT" => EventBody::Edit {
                by: f.next("by")?.to_owned(),
                target: f.number("target")?,
                text: f.last("message")?.to_owned(),
            },
            "DELETE" => {
                let by = f.next("by")?.to_owned();
                let target = f.number("target")?;
                f.finish()?;
                EventBody::Delete { by, target }
            }
            "REACT" => EventBody::React {
                by: f.next("by")?.to_owned(),
                target: f.number("target")?,
                on: f.flag("on")?,
                reaction: f.last("reaction")?.to_owned(),
            },
            "FILE_DELETE" => EventBody::FileDelete {
                by: f.next("by")?.to_owned(),
                name: f.last("name")?.to_owned(),
            },
            "FILE_DELETED" => EventBody::FileDeleted {
                user: f.next("user")?.to_owned(),
                name: f.last("name")?.to_owned(),
            },
            "FILE" => {
                let user = f.next("user")?.to_owned();
                let name = f.next("name")?.to_owned();
                let size = f.number("size")?;
                let sha256 = f.digest("sha256")?;
                f.finish()?;
                EventBody::File {
                    user,
                    name,
                    size,
                    sha256,
                }
            }
            other => return Err(ParseError::UnknownCommand(format!("EVENT|{other}"))),
        };
        Ok(EventLine {
            id,
            ts,
            conversation,
            body,
        })
    }

    /// Writes the fields after `EVENT|`.
    pub(crate) fn encode_fields<'a>(&self, line: LineWriter<'a>) -> LineWriter<'a> {
        let line = line
            .number("id", self.id)
            .number("unix_ts", self.ts)
            .field("conversation", &self.conversation.to_string());
        match &self.body {
            EventBody::Text { from, text } => line
                .field("kind", "TEXT")
                .field("from", from)
                .last("message", text),
            EventBody::Member { by, user, change } => line
                .field("kind", "MEMBER")
                .field("by", by)
                .field("user", user)
                .field("change", change.as_str()),
            EventBody::Topic { by, text } => line
                .field("kind", "TOPIC")
                .field("by", by)
                .last("topic", text),
            EventBody::Edited { from, edit, text } => line
                .field("kind", "EDITED")
                .field("from", from)
                .number("edit", *edit)
                .last("message", text),
            EventBody::Reply {
                from,
                to,
                edit: None,
                text,
            } => line
                .field("kind", "REPLY")
                .field("from", from)
                .number("to", *to)
                .last("message", text),
            EventBody::Reply {
                from,
                to,
                edit: Some(edit),
                text,
            } => line
                .field("kind", "EDITED_REPLY")
                .field("from", from)
                .number("to", *to)
                .number("edit", *edit)
                .last("message", text),
            EventBody::Deleted { from } => line.field("kind", "DELETED").last("from", from),
            EventBody::Edit { by, target, text } => line
                .field("kind", "EDIT")
                .field("by", by)
                .number("target", *target)
                .last("message", text),
            EventBody::Delete { by, target } => line
                .field("kind", "DELETE")
                .field("by", by)
                .number("target", *target),
            EventBody::React {
                by,
                target,
                on,
                reaction,
            } => line
                .field("kind", "REACT")
                .field("by", by)
                .number("target", *target)
                .field("on", if *on { "1" } else { "0" })
                .field("reaction", reaction),
            EventBody::FileDelete { by, name } => line
                .field("kind", "FILE_DELETE")
                .field("by", by)
                .last("name", name),
            EventBody::FileDeleted { user, name } => line
                .field("kind", "FILE_DELETED")
                .field("user", user)
                .last("name", name),
            EventBody::File {
                user,
                name,
                size,
                sha256,
            } => line
                .field("kind", "FILE")
                .field("user", user)
                .field("name", name)
                .number("size", *size)
                .digest("sha256", sha256),
        }
    }
}
