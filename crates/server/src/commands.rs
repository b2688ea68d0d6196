//! What a logged-in client's chat and paging commands do.

use media_chat_protocol::rules::{check_text, normalize_user_name, user_key};
use media_chat_protocol::{Conversation as WireConversation, ServerMessage};
use media_chat_store::{Conversation, EventBody, EventId, Members, NewEvent, Pair};

use crate::hub;
use crate::lines;
use crate::session::{REPLY_CHUNK, Session, WRITE_TIMEOUT};

/// Most events one `BEFORE` page holds.
pub(crate) const MAX_PAGE: u64 = 200;

impl Session {
    /// `TEXT|message`: to every other session, once stored.
    pub(crate) fn say(&mut self, text: &str) {
        if let Err(e) = check_text(text) {
            return self.refuse(ServerMessage::error(format!("Message refused: {e}")));
        }
        let body = EventBody::Text {
            text: text.to_owned(),
        };
        self.post(Conversation::General, body, None);
    }

    /// `DM|to|message`: to every session of `to`, once stored; an offline
    /// user gets it at their next login, and the sender is told so (by the
    /// hub, once it is stored).
    pub(crate) fn direct(&mut self, to: &str, text: &str) {
        if let Err(e) = check_text(text) {
            return self.refuse(ServerMessage::error(format!("Message refused: {e}")));
        }
        let to = match self.registered(to) {
            Ok(to) => to,
            Err(reason) => return self.refuse(ServerMessage::error(reason)),
        };
        if let Err(reason) = self.may_write_to(&to) {
            return self.refuse(ServerMessage::error(reason));
        }
        let conversation = Conversation::Direct(Pair::new(self.name(), &to));
        let body = EventBody::Text {
            text: text.to_owned(),
        };
        self.post(conversation, body, None);
    }

    /// `SEND|token|conversation|message` (v3): stored, then `ACK` to this
    /// session and the event to everyone else in the conversation (both
    /// from the hub). A token already stored is acknowledged again and
    /// posts nothing.
    ///
    /// `REPLY|token|conversation|id|message` (v3) comes here too, with
    /// `to`: the message must be one of that conversation.
    pub(crate) fn send_to(
        &mut self,
        token: &str,
        conversation: &WireConversation,
        text: &str,
        to: Option<u64>,
    ) {
        let reject = |reason: String| ServerMessage::Rejected {
            token: token.to_owned(),
            reason,
        };
        if let Err(e) = check_text(text) {
            return self.refuse(reject(format!("Message refused: {e}")));
        }
        let conversation = match self.resolve(conversation) {
            Ok(conversation) => conversation,
            Err(reason) => return self.refuse(reject(reason)),
        };
        if let Conversation::Direct(pair) = &conversation
            && let Err(reason) = self.may_write_to(pair.other(&user_key(self.name())))
        {
            return self.refuse(reject(reason));
        }
        let body = match to {
            None => EventBody::Text {
                text: text.to_owned(),
            },
            Some(to) => match self.answerable(&conversation, to) {
                Ok(()) => EventBody::Reply {
                    to: EventId(to),
                    text: text.to_owned(),
                    edit: None,
                },
                Err(reason) => return self.refuse(reject(reason)),
            },
        };
        self.post(conversation, body, Some(token));
    }

    /// Whether this user may answer the message `to` in `conversation`: it
    /// must be a message there that they can see and that was not deleted;
    /// else the refusal. (A delete committed between this check and the
    /// reply's commit leaves a reply to a deleted message, which reads as
    /// such.)
    fn answerable(&self, conversation: &Conversation, to: u64) -> Result<(), String> {
        let key = user_key(self.name());
        let target = match self.ctx.store.event(&key, EventId(to)) {
            Ok(Some(target)) => target,
            Ok(None) => return Err(format!("No such message: {to}")),
            Err(e) => {
                tracing::error!(error = %e, "could not read the message a reply answers");
                return Err(lines::NOT_STORED.to_owned());
            }
        };
        if !same_conversation(&target.conversation, conversation) {
            let here = lines::wire_conversation(conversation, &key);
            return Err(format!(
                "Message {to} is not in {here}: a reply answers a message of its own conversation"
            ));
        }
        match target.body {
            EventBody::Text { .. } | EventBody::Edited { .. } | EventBody::Reply { .. } => Ok(()),
            EventBody::Deleted => Err(format!("Message {to} was deleted")),
            _ => Err(format!(
                "Event {to} is not a message: only messages can be answered"
            )),
        }
    }

    /// `BEFORE|conversation|id|limit` (v3): a page of the conversation's
    /// past (its messages' reactions after its events), then `PAGE_END`.
    pub(crate) fn page(&self, conversation: &WireConversation, before: u64, limit: u64) {
        let resolved = match self.resolve(conversation) {
            Ok(resolved) => resolved,
            Err(reason) => return self.send_error(reason),
        };
        let key = user_key(self.name());
        let before = (before > 0).then_some(EventId(before));
        let limit = usize::try_from(limit.clamp(1, MAX_PAGE)).unwrap_or(1);
        match self.ctx.store.page(&key, &resolved, before, limit) {
            Ok(page) => {
                // Encoded into buffers of up to `REPLY_CHUNK` and handed to
                // the outbox whole, as the welcome is: one write for a page
                // of short lines instead of one per line (docs/BENCHMARKS.md,
                // "The message store").
                let end = ServerMessage::PageEnd {
                    conversation: conversation.clone(),
                    more: page.more,
                };
                // The page's messages' reactions follow its events.
                let reactions = page
                    .reactions
                    .iter()
                    .map(|r| lines::reactions_line(r, &key));
                let lines = page
                    .events
                    .iter()
                    .map(|e| lines::event_line(e, &key))
                    .chain(reactions);
                let mut chunks = Vec::new();
                let mut chunk = Vec::new();
                let mut line = Vec::new();
                for message in lines.chain(std::iter::once(end)) {
                    line.clear();
                    hub::append(&mut line, &message);
                    if !chunk.is_empty() && chunk.len() + line.len() > REPLY_CHUNK {
                        chunks.push(std::mem::take(&mut chunk));
                    }
                    chunk.extend_from_slice(&line);
                }
                chunks.push(chunk);
                for chunk in chunks {
                    if !self.outbox.send_paced(chunk.into(), WRITE_TIMEOUT) {
                        break;
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "could not read a page");
                self.send_error("The server could not read the messages; try again later");
            }
        }
    }

    /// `READ|conversation|id` (v3): remembers where the user has read up
    /// to, and tells their other sessions.
    pub(crate) fn mark_read(&self, conversation: &WireConversation, id: u64) {
        let resolved = match self.resolve(conversation) {
            Ok(resolved) => resolved,
            Err(reason) => return self.send_error(reason),
        };
        let id = id.min(self.ctx.hub.last_fanned().0);
        let key = user_key(self.name());
        // A position only moves forward: one at or below it changes
        // nothing, and is not passed on.
        let current = self
            .ctx
            .store
            .read_positions(&key)
            .ok()
            .and_then(|positions| positions.into_iter().find(|(c, _)| *c == resolved))
            .map_or(0, |(_, position)| position.0);
        if id <= current {
            return;
        }
        // Committed before it is passed on: the next READ compares with it.
        let recorded = self
            .ctx
            .store
            .mark_read(self.name(), resolved, EventId(id))
            .and_then(|()| self.ctx.store.barrier());
        if let Err(e) = recorded {
            tracing::error!(error = %e, "could not record a read position");
            return;
        }
        self.ctx.hub.to_own_sessions(
            &key,
            self.id,
            &ServerMessage::ReadUpTo {
                conversation: conversation.clone(),
                id,
            },
        );
    }

    /// Submits a message from this session's user without waiting for its
    /// commit: the hub fans it out, acknowledges it or refuses it once the
    /// store is done with it (see [`Session::settle`]).
    fn post(&mut self, conversation: Conversation, body: EventBody, token: Option<&str>) {
        let also_mentions = match &body {
            EventBody::Text { text } | EventBody::Reply { text, .. } => {
                self.here(&conversation, text)
            }
            _ => Vec::new(),
        };
        let submitted = self.ctx.store.submit(NewEvent {
            conversation,
            author: self.name().to_owned(),
            body,
            token: token.map(str::to_owned),
            origin: self.id,
            also_mentions,
        });
        match submitted {
            Ok(()) => self.unsettled = true,
            Err(e) => {
                tracing::error!(error = %e, "could not store a message");
                self.refuse(lines::not_stored(token));
            }
        }
    }

    /// Answers a message with a refusal, after the answers to the messages
    /// before it.
    fn refuse(&mut self, refusal: ServerMessage) {
        self.settle();
        self.send(&refusal);
    }

    /// The conversation a version 3 client names, if it exists for this
    /// user, or the refusal text. A room must be one they are in (a
    /// private one they are not in does not exist for them); a group must
    /// include them.
    pub(crate) fn resolve(&self, conversation: &WireConversation) -> Result<Conversation, String> {
        match conversation {
            WireConversation::Room(_) if conversation.is_general() => Ok(Conversation::General),
            WireConversation::Room(name) => {
                match self.ctx.hub.room_of(name, &user_key(self.name())) {
                    Some((name, true)) => Ok(Conversation::Room(name)),
                    _ => Err(format!("No such room: #{name}")),
                }
            }
            WireConversation::Direct(to) => {
                let to = self.registered(to)?;
                Ok(Conversation::Direct(Pair::new(self.name(), &to)))
            }
            WireConversation::Group(names) => {
                let names = names
                    .iter()
                    .map(|name| self.registered(name))
                    .collect::<Result<Vec<_>, _>>()?;
                let members = Members::new(&names);
                if !members.has(&user_key(self.name())) {
                    return Err("A group conversation must include you".to_owned());
                }
                Ok(Conversation::Group(members))
            }
        }
    }

    /// Whether this user may send `to` a direct message: not if `to` blocks
    /// them.
    pub(crate) fn may_write_to(&self, to: &str) -> Result<(), String> {
        if self
            .ctx
            .blocks
            .blocks(&user_key(to), &user_key(self.name()))
        {
            return Err(format!("{to} does not take direct messages from you"));
        }
        Ok(())
    }

    /// The registered form of the user name `to`, or the refusal text.
    pub(crate) fn registered(&self, to: &str) -> Result<String, String> {
        // Checked first so that the refusal never echoes control or bidi
        // characters (an ESC would reach the sender's terminal; a `\r`
        // could not even be encoded, and the reply would be lost).
        let to = normalize_user_name(to).map_err(|e| format!("No such user ({e})"))?;
        self.ctx
            .accounts
            .registered_name(&to)
            .ok_or_else(|| format!("No such user: {to}"))
    }
}

/// Whether `a` and `b` are the same conversation, names compared by key
/// (a name as registered and one as stored may differ in case).
fn same_conversation(a: &Conversation, b: &Conversation) -> bool {
    match (a, b) {
        (Conversation::General, Conversation::General) => true,
        (Conversation::Room(_), Conversation::Room(_)) => a.room_key() == b.room_key(),
        (Conversation::Direct(x), Conversation::Direct(y)) => {
            let (xa, xb) = x.names();
            let (ya, yb) = y.names();
            user_key(xa) == user_key(ya) && user_key(xb) == user_key(yb)
        }
        (Conversation::Group(x), Conversation::Group(y)) => x.key() == y.key(),
        _ => false,
    }
}
