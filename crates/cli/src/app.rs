//! The terminal client's loop: typed lines in, events out, one line each.
//!
//! A terminal cannot change a line once printed, so an own message reads
//! `[Me] text` when sent on a live connection, `[Me] text [pending]` when
//! written while the connection is down; a message that waited (written
//! while down, or caught by a drop before the server acknowledged it) is
//! confirmed with `[+] delivered: …` once acknowledged, and one that fails
//! says `[!] not delivered (why): …`, for `/retry` or `/discard`.

use std::collections::{BTreeSet, HashMap, HashSet};

use crossbeam_channel::{Receiver, select};
use media_chat_client::{Client, Conversation, Event, Message, Origin, SendError, TransferId};

use crate::command::{Command, HELP, parse_command};
use crate::pages::Pages;
use crate::progress::Bars;
use crate::render;

/// How many older messages one `/more` shows.
const MORE_PAGE: u64 = 20;

/// The running terminal client.
pub struct App {
    client: Client,
    events: Receiver<Event>,
    me: String,
    online: BTreeSet<String>,
    transfers: HashSet<TransferId>,
    bars: Bars,
    /// Own messages not yet acknowledged, by token.
    own: HashMap<String, Own>,
    /// Tokens of the own messages that failed, oldest first.
    failed: Vec<String>,
    pages: Pages,
}

/// An own message on its way.
struct Own {
    message: Message,
    /// The user saw it waiting (or it was caught by a drop): say when it
    /// gets through.
    confirm: bool,
}

impl App {
    /// Wraps a logged-in client.
    pub fn new(client: Client) -> Self {
        App {
            events: client.events().clone(),
            me: client.user(),
            client,
            online: BTreeSet::new(),
            transfers: HashSet::new(),
            bars: Bars::new(),
            own: HashMap::new(),
            failed: Vec::new(),
            pages: Pages::default(),
        }
    }

    /// Handles typed lines from `input` and events until `/quit` or the end
    /// of input, lets running transfers finish, then logs out.
    pub fn run(mut self, input: Receiver<String>) {
        loop {
            select! {
                recv(input) -> line => match line {
                    Ok(line) => if !self.command(&line) { break },
                    Err(_) => break,
                },
                recv(self.events) -> event => match event {
                    Ok(event) => self.show(event),
                    Err(_) => break,
                },
            }
        }
        while !self.transfers.is_empty() {
            match self.events.recv() {
                Ok(event) => self.show(event),
                Err(_) => break,
            }
        }
        let App {
            client,
            events,
            me,
            bars,
            ..
        } = self;
        client.quit();
        let say = |line: &str| bars.println(&format!("{} {line}", render::now()));
        // The last acknowledgements, and what quit left undelivered.
        for event in events.try_iter() {
            match &event {
                Event::Delivery { message, .. } if message.is_failed() => say(&format!(
                    "{} — kept: /retry after the next start sends it",
                    render::undelivered(message, &me)
                )),
                Event::Delivery { .. } => {}
                _ => {
                    if let Some(line) = render::event(&event, &me) {
                        say(&line);
                    }
                }
            }
        }
    }

    /// Acts on one typed line; `false` means quit.
    fn command(&mut self, line: &str) -> bool {
        match parse_command(line) {
            Command::Say(line) => match self.client.send_input(&line) {
                Ok(sent) => {
                    let waiting = !self.client.is_connected();
                    let mark = if waiting { " [pending]" } else { "" };
                    self.say(&format!("{}{mark}", render::message(&sent, &self.me)));
                    if let Some(token) = sent.token() {
                        let own = Own {
                            message: sent.clone(),
                            confirm: waiting,
                        };
                        self.own.insert(token.to_owned(), own);
                    }
                }
                Err(e) => self.say(&format!("[!] {e}")),
            },
            Command::Send(path) => match self.client.send_file(&path) {
                Ok(id) => {
                    self.transfers.insert(id);
                }
                Err(e) => self.say(&format!("[!] cannot send {path}: {e}")),
            },
            Command::Get(name) => match self.client.get_file(&name) {
                Ok(id) => {
                    self.transfers.insert(id);
                }
                Err(e) => self.say(&format!("[!] cannot get {name}: {e}")),
            },
            Command::Open(name) => {
                let path = self.client.cache_dir().join(&name);
                if path.is_file() {
                    self.client.open(path);
                } else {
                    self.say(&format!("[!] {name} is not downloaded; /get {name} first"));
                }
            }
            Command::Files => {
                if let Err(e) = self.client.list_files() {
                    self.say(&format!("[!] {e}"));
                }
            }
            Command::Users => {
                let mut users: Vec<&str> = self.online.iter().map(String::as_str).collect();
                users.sort_by_key(|user| user.to_lowercase());
                self.say(&format!("[i] online: {}", users.join(", ")));
            }
            Command::Clear => match self.client.clear_cache() {
                Ok(cleared) => self.say(&render::cleared(cleared)),
                Err(e) => self.say(&format!("[!] {e}")),
            },
            Command::Cancel => {
                for id in &self.transfers {
                    self.client.cancel(*id);
                }
            }
            Command::More(user) => self.more(user),
            Command::Retry => self.retry(),
            Command::Discard => {
                let tokens = std::mem::take(&mut self.failed);
                for token in &tokens {
                    let _ = self.client.discard(token);
                    self.own.remove(token);
                }
                self.say(&format!("[i] forgot {}", count(tokens.len())));
            }
            Command::Quit => return false,
            Command::Help => self.bars.println(HELP),
            Command::Nothing => {}
            Command::Unknown(reason) => self.say(&format!("[!] {reason}")),
        }
        true
    }

    /// `/more`: the page before the oldest message shown.
    fn more(&mut self, user: Option<String>) {
        let conversation = match &user {
            None => Conversation::general(),
            Some(user) => match Conversation::parse(&format!("@{user}")) {
                Ok(conversation) => conversation,
                Err(e) => return self.say(&format!("[!] {e}")),
            },
        };
        let before = self.pages.before(&conversation);
        match self.client.load_before(conversation, before, MORE_PAGE) {
            Ok(()) => {}
            Err(SendError::OldServer) => self.say(
                "[!] this server keeps no older messages to page through (protocol version 2)",
            ),
            Err(e) => self.say(&format!("[!] {e}")),
        }
    }

    /// `/retry`: every failed message again, oldest first.
    fn retry(&mut self) {
        let tokens = std::mem::take(&mut self.failed);
        if tokens.is_empty() {
            return self.say("[i] nothing to send again");
        }
        for token in &tokens {
            if let Err(e) = self.client.retry(token) {
                self.say(&format!("[!] {e}"));
            }
            if let Some(own) = self.own.get_mut(token) {
                own.confirm = true;
            }
        }
        self.say(&format!("[i] sending {} again", count(tokens.len())));
    }

    fn show(&mut self, event: Event) {
        match &event {
            Event::LoggedIn { user } => {
                self.me = user.clone();
                self.online.clear();
            }
            Event::Users { users } => self.online.extend(users.iter().cloned()),
            Event::Joined { user } => {
                self.online.insert(user.clone());
            }
            Event::Left { user } => {
                self.online.remove(user);
            }
            Event::Disconnected { .. } => {
                for own in self.own.values_mut() {
                    own.confirm = true;
                }
            }
            Event::Progress {
                id,
                direction,
                name,
                done,
                total,
            } => self.bars.update(*id, *direction, name, *done, *total),
            Event::Uploaded { id, .. }
            | Event::Downloaded { id, .. }
            | Event::TransferFailed { id, .. }
            | Event::TransferCancelled { id, .. } => {
                self.bars.finish(*id);
                self.transfers.remove(id);
            }
            Event::Message { message, origin } => {
                if *origin == Origin::Page && !self.pages.is_new(message) {
                    return;
                }
                self.pages.shown(message);
                // Printed is read: the user's other sessions (the desktop's
                // "new messages" line) learn it, at most once a second.
                if *origin != Origin::Page
                    && let Some(id) = message.id()
                {
                    self.client.mark_read(message.conversation.clone(), id);
                }
            }
            Event::Delivery { token, message } => return self.delivery(token, message),
            Event::Gap {
                conversation,
                after,
                before,
            } => {
                self.pages.gap(conversation, *after, *before);
                let more = match conversation {
                    Conversation::Direct(user) => format!("/more @{user}"),
                    _ => "/more".to_owned(),
                };
                self.say(&format!(
                    "[i] more came in {conversation} while away than is shown here; {more} shows the rest"
                ));
            }
            Event::PageEnd { conversation, more } => {
                self.pages.page_end(conversation, *more);
                if !*more {
                    self.say(&format!("[i] no older messages in {conversation}"));
                }
            }
            _ => {}
        }
        let Some(line) = render::event(&event, &self.me) else {
            return;
        };
        let stamp = match &event {
            Event::Message {
                message,
                origin: Origin::Backlog | Origin::Page,
            } => render::at(message.ts),
            _ => render::now(),
        };
        self.bars.println(&format!("{stamp} {line}"));
    }

    /// An own message changed state.
    fn delivery(&mut self, token: &str, message: &Message) {
        if message.is_pending() {
            return;
        }
        if message.is_failed() {
            if !self.failed.iter().any(|t| t == token) {
                self.failed.push(token.to_owned());
            }
            self.own.insert(
                token.to_owned(),
                Own {
                    message: message.clone(),
                    confirm: true,
                },
            );
            return self.say(&format!(
                "{} — /retry sends it again, /discard forgets it",
                render::undelivered(message, &self.me)
            ));
        }
        self.pages.shown(message);
        if let Some(own) = self.own.remove(token)
            && own.confirm
        {
            self.say(&format!(
                "[+] delivered: {}",
                render::message(&own.message, &self.me)
            ));
        }
    }

    fn say(&self, line: &str) {
        self.bars.println(&format!("{} {line}", render::now()));
    }
}

/// "1 message", "3 messages".
fn count(n: usize) -> String {
    format!("{n} message{}", if n == 1 { "" } else { "s" })
}
