//! Version 3 sessions read with blocking calls, one request at a time:
//! logins (with or without `RESUME`) timed from `LOGIN` and from
//! `LOGIN_OK` to `SYNCED`, keeping the welcome's `CONV` lines; `BEFORE`
//! pages timed from the request to `PAGE_END`; searches timed from
//! `SEARCH` to `SEARCH_END`; and what the scenarios set up over the
//! protocol before they measure: creating and joining rooms, read
//! positions, messages posted many at a time. A session can then be handed to the receivers (`pool`)
//! as a [`Client`].

use std::io::BufReader;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use media_chat_protocol::{
    ClientMessage, Conversation, EncodeLine, EventBody, MemberChange, MessageReader, ServerMessage,
    Visibility,
};

use crate::client::{Client, LOGIN_TIMEOUT, PASSWORD};
use crate::link::{Connector, Link, LinkReader};

/// A version 3 connection read with blocking calls, one request at a time.
pub struct Session3 {
    /// The connection.
    pub link: Link,
    /// The user logged in.
    name: String,
    reader: MessageReader<BufReader<LinkReader>>,
}

/// One `CONV` line of a welcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvLine {
    /// The conversation, from the user's side.
    pub conversation: Conversation,
    /// Events by others after the user's read position (capped at 100).
    pub unread: u64,
    /// Of those, the ones that mention the user (capped at 100).
    pub mentions: u64,
}

/// What a version 3 login received, and when.
#[derive(Debug, Clone, Default)]
pub struct Welcome3 {
    /// The version the server answered `HELLO|3` with (2 for a server from
    /// before version 3, whose welcome ends in `HISTORY_END`).
    pub version: u64,
    /// The welcome's `CONV` lines, in order.
    pub conversations: Vec<ConvLine>,
    /// The ids of the welcome's `EVENT` lines, in order.
    pub events: Vec<u64>,
    /// `GAP` lines.
    pub gaps: usize,
    /// `SYNCED|last_id` (0 from a version 2 server).
    pub last_id: u64,
    /// From connecting to `LOGIN` written (a TLS handshake included).
    pub connect: Duration,
    /// From `LOGIN` written to `LOGIN_OK` read: the password check and,
    /// since the server sends `LOGIN_OK` with the welcome it has read from
    /// its store, that read too.
    pub login_ok: Duration,
    /// From `LOGIN_OK` read to `SYNCED` (or `HISTORY_END`) read.
    pub synced: Duration,
}

impl Welcome3 {
    /// From `LOGIN` written to `SYNCED` read.
    pub fn since_login(&self) -> Duration {
        self.login_ok + self.synced
    }
}

/// One `BEFORE` page.
#[derive(Debug, Clone, Default)]
pub struct Page3 {
    /// The ids of its events, in order.
    pub events: Vec<u64>,
    /// Who wrote each of them (the sender, uploader or changer); `None`
    /// where an unread count leaves the event out.
    pub authors: Vec<Option<String>>,
    /// `PAGE_END`'s `more`.
    pub more: bool,
    /// Events that came in between, newer than the page (live ones).
    pub live: usize,
    /// From the request written to `PAGE_END` read.
    pub took: Duration,
}

/// One `SEARCH`'s answer.
#[derive(Debug, Clone, Default)]
pub struct Searched {
    /// `FOUND` lines.
    pub results: usize,
    /// `SEARCH_END`'s `more`.
    pub more: bool,
    /// `SEARCH_FAILED`'s reason, instead.
    pub failed: Option<String>,
    /// From the request written to `SEARCH_END` (or `SEARCH_FAILED`) read.
    pub took: Duration,
}

impl Session3 {
    /// Connects and logs `name` in with `HELLO|3`, `RESUME|after` if
    /// given, and `LOGIN` in one write, then reads the welcome up to
    /// `SYNCED`.
    pub fn login(
        connector: &Connector,
        name: &str,
        after: Option<u64>,
    ) -> anyhow::Result<(Session3, Welcome3)> {
        let started = Instant::now();
        let addr = connector.addr;
        let link = connector
            .connect(Duration::from_secs(30))
            .with_context(|| format!("{name}: cannot connect to {addr}"))?;
        link.socket().set_read_timeout(Some(LOGIN_TIMEOUT))?;
        let mut hello = Vec::new();
        ClientMessage::Hello { version: 3 }.encode(&mut hello)?;
        if let Some(last_id) = after {
            ClientMessage::Resume { last_id }.encode(&mut hello)?;
        }
        ClientMessage::Login {
            user: name.to_owned(),
            password: PASSWORD.to_owned(),
        }
        .encode(&mut hello)?;
        let connect = started.elapsed();
        link.write_all(&hello)?;
        let sent = Instant::now();
        let reader = link.reader(16 * 1024)?;
        let mut session = Session3 {
            link,
            name: name.to_owned(),
            reader: MessageReader::new(BufReader::with_capacity(64 * 1024, reader)),
        };
        let mut welcome = Welcome3 {
            connect,
            ..Welcome3::default()
        };
        let mut login_ok = None;
        loop {
            match session.next()? {
                ServerMessage::Hello { version } => welcome.version = version,
                ServerMessage::LoginOk { .. } => {
                    let now = Instant::now();
                    welcome.login_ok = now - sent;
                    login_ok = Some(now);
                }
                ServerMessage::Conv {
                    conversation,
                    unread,
                    mentions,
                    ..
                } => welcome.conversations.push(ConvLine {
                    conversation,
                    unread,
                    mentions,
                }),
                ServerMessage::Event(event) => welcome.events.push(event.id),
                ServerMessage::History { .. } => welcome.events.push(0),
                ServerMessage::Gap { .. } => welcome.gaps += 1,
                ServerMessage::Synced { last_id } => {
                    welcome.last_id = last_id;
                    break;
                }
                ServerMessage::HistoryEnd => break,
                ServerMessage::Error { reason } => bail!("{name}: login refused: {reason}"),
                _ => {}
            }
        }
        welcome.synced = login_ok.map_or(Duration::ZERO, |at| at.elapsed());
        Ok((session, welcome))
    }

    /// Asks for `limit` events of `conversation` before `before` and reads
    /// them up to `PAGE_END`.
    pub fn page(
        &mut self,
        conversation: &Conversation,
        before: u64,
        limit: u64,
    ) -> anyhow::Result<Page3> {
        let sent = Instant::now();
        self.write(&[ClientMessage::Before {
            conversation: conversation.clone(),
            before,
            limit,
        }])?;
        let mut page = Page3::default();
        loop {
            match self.next()? {
                ServerMessage::Event(event) if before == 0 || event.id < before => {
                    page.events.push(event.id);
                    page.authors.push(author(&event.body).map(str::to_owned));
                }
                ServerMessage::Event(_) => page.live += 1,
                ServerMessage::PageEnd { more, .. } => {
                    page.more = more;
                    break;
                }
                ServerMessage::Error { reason } => bail!("BEFORE refused: {reason}"),
                _ => {}
            }
        }
        page.took = sent.elapsed();
        Ok(page)
    }

    /// Searches with `SEARCH|token|limit|query` and reads the answer up
    /// to `SEARCH_END` (or `SEARCH_FAILED`) for `token`.
    pub fn search(&mut self, token: &str, limit: u64, query: &str) -> anyhow::Result<Searched> {
        let sent = Instant::now();
        self.write(&[ClientMessage::Search {
            token: token.to_owned(),
            limit,
            query: query.to_owned(),
        }])?;
        let mut searched = Searched::default();
        loop {
            match self.next()? {
                ServerMessage::Found(found) if found.token == token => searched.results += 1,
                ServerMessage::SearchEnd { token: t, more } if t == token => {
                    searched.more = more;
                    break;
                }
                ServerMessage::SearchFailed { token: t, reason } if t == token => {
                    searched.failed = Some(reason);
                    break;
                }
                ServerMessage::Error { reason } => bail!("SEARCH refused: {reason}"),
                _ => {}
            }
        }
        searched.took = sent.elapsed();
        Ok(searched)
    }

    /// Posts each `(conversation, text)` with `SEND`, keeping at most
    /// `window` unanswered, and waits until every one is stored (`ACK`);
    /// returns their ids, in the order of `posts`. Whatever else arrives
    /// meanwhile (others' messages) is read and dropped.
    pub fn post_all(
        &mut self,
        posts: &[(Conversation, String)],
        window: usize,
    ) -> anyhow::Result<Vec<u64>> {
        let window = window.max(2);
        let (mut sent, mut acked) = (0, 0);
        let mut ids = vec![0; posts.len()];
        let mut out = Vec::new();
        while acked < posts.len() {
            if sent - acked <= window / 2 && sent < posts.len() {
                out.clear();
                while sent < posts.len() && sent - acked < window {
                    let (conversation, text) = &posts[sent];
                    ClientMessage::Send {
                        token: format!("p{sent}"),
                        conversation: conversation.clone(),
                        text: text.clone(),
                    }
                    .encode(&mut out)?;
                    sent += 1;
                }
                self.link.write_all(&out)?;
            }
            match self.next()? {
                ServerMessage::Ack { token, id, .. } => {
                    // The tokens are `p<index>`, written above.
                    if let Some(slot) = token
                        .strip_prefix('p')
                        .and_then(|n| n.parse::<usize>().ok())
                        .and_then(|n| ids.get_mut(n))
                    {
                        *slot = id;
                    }
                    acked += 1;
                }
                ServerMessage::Rejected { reason, .. } => bail!("SEND refused: {reason}"),
                ServerMessage::Error { reason } => bail!("SEND refused: {reason}"),
                _ => {}
            }
        }
        Ok(ids)
    }

    /// Creates the public room `#room` (no topic) and waits for the event
    /// that says so; returns its id.
    pub fn create(&mut self, room: &str) -> anyhow::Result<u64> {
        self.write(&[ClientMessage::Create {
            room: Conversation::Room(room.to_owned()),
            visibility: Visibility::Public,
            topic: String::new(),
        }])?;
        self.own_membership(room, MemberChange::Created)
    }

    /// Joins the public room `#room` and waits for the event that says so;
    /// returns its id.
    pub fn join(&mut self, room: &str) -> anyhow::Result<u64> {
        self.write(&[ClientMessage::Join {
            room: Conversation::Room(room.to_owned()),
        }])?;
        self.own_membership(room, MemberChange::Joined)
    }

    /// Says the user has read `conversation` up to `id` (no answer).
    pub fn read_up_to(&mut self, conversation: &Conversation, id: u64) -> anyhow::Result<()> {
        self.write(&[ClientMessage::Read {
            conversation: conversation.clone(),
            id,
        }])
    }

    /// Hands the connection to the receivers: the bytes read past the
    /// last answer go with it.
    pub fn into_client(self, index: usize, login_micros: u64) -> anyhow::Result<Client> {
        let buffered = self.reader.get_ref();
        let mut leftover = buffered.buffer().to_vec();
        leftover.extend_from_slice(buffered.get_ref().pending());
        self.link.socket().set_read_timeout(None)?;
        Ok(Client {
            index,
            link: self.link,
            leftover,
            login_micros,
        })
    }

    /// Says `QUIT` and closes the connection.
    pub fn quit(self) {
        let _ = self.write(&[ClientMessage::Quit]);
    }

    /// Waits for the event of `#room` in which this user's membership
    /// changed by `change`.
    fn own_membership(&mut self, room: &str, change: MemberChange) -> anyhow::Result<u64> {
        loop {
            match self.next()? {
                ServerMessage::Event(event) => {
                    if let EventBody::Member {
                        user, change: done, ..
                    } = &event.body
                        && *done == change
                        && *user == self.name
                        && event.conversation == Conversation::Room(room.to_owned())
                    {
                        return Ok(event.id);
                    }
                }
                ServerMessage::Error { reason } => bail!("{}: #{room}: {reason}", self.name),
                _ => {}
            }
        }
    }

    /// Writes `messages` in one write.
    fn write(&self, messages: &[ClientMessage]) -> anyhow::Result<()> {
        let mut out = Vec::new();
        for message in messages {
            message.encode(&mut out)?;
        }
        self.link.write_all(&out)?;
        Ok(())
    }

    /// The next message from the server; its closing the connection is an
    /// error.
    fn next(&mut self) -> anyhow::Result<ServerMessage> {
        match self
            .reader
            .read_message::<ServerMessage>()
            .with_context(|| format!("{}: reading from the server", self.name))?
        {
            Some(message) => Ok(message),
            None => bail!("{}: the server closed the connection", self.name),
        }
    }
}

/// Who wrote an event that unread counts count: the sender, the uploader
/// or the changer; `None` for edits, deletes, deleted messages and
/// reactions, which are not news.
fn author(body: &EventBody) -> Option<&str> {
    match body {
        EventBody::Text { from, .. }
        | EventBody::Edited { from, .. }
        | EventBody::Reply { from, .. } => Some(from),
        EventBody::Member { by, .. } | EventBody::Topic { by, .. } => Some(by),
        EventBody::File { user, .. } => Some(user),
        EventBody::FileDelete { .. }
        | EventBody::FileDeleted { .. }
        | EventBody::Deleted { .. }
        | EventBody::Edit { .. }
        | EventBody::Delete { .. }
        | EventBody::React { .. } => None,
    }
}
