//! The terminal client's loop: typed lines in, events out, one line each.
//!
//! A terminal cannot change a line once printed, so an own message reads
//! `[Me] text` when sent on a live connection, `[Me] text [pending]` when
//! written while the connection is down; a message that waited (written
//! while down, or caught by a drop before the server acknowledged it) is
//! confirmed with `[+] delivered: …` once acknowledged, and one that fails
//! says `[!] not delivered (why): …`, for `/retry` or `/discard`.
//!
//! Plain lines go to the current conversation (`/go`); a line of another
//! room or group is named (`[#homework] an: text`) and stays unread until
//! the user goes there, while what is printed of the current one, and
//! every private message, counts as read.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;

use crossbeam_channel::{Receiver, select};
use media_chat_client::{
    AdminCommand, Change, Client, Conversation, Event, InputError, Message, Origin, RoomInfo,
    SendError, TransferId, Typed, same,
};

use crate::command::{Command, HELP, parse_command};
use crate::handles::Handles;
use crate::hidden::Hidden;
use crate::pages::Pages;
use crate::progress::Bars;
use crate::render;

/// The terminal bell, before a line that rings it.
const BELL: &str = "\u{7}";

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
    /// Where plain lines go, as last said.
    current: Conversation,
    /// Asking for passwords: the next lines answer it.
    asking: Option<Asking>,
    /// `/rooms` asked: its answer lists the conversations too.
    listing_rooms: bool,
    /// The `^N` of the messages printed.
    handles: Handles,
    /// `--bell`: ring for private messages and mentions.
    bell: bool,
}

/// A password being asked for, the echo off meanwhile.
struct Asking {
    question: Question,
    _hidden: Hidden,
}

/// What the next line answers.
enum Question {
    /// `/password`: the current one.
    Current,
    /// `/password`: the new one.
    New { current: String },
    /// `/password`: the new one again.
    Again { current: String, new: String },
    /// `/reset-password NAME`: the user's new one.
    Reset { user: String },
    /// `/reset-password NAME`: again.
    ResetAgain { user: String, new: String },
}

impl Question {
    fn prompt(&self) -> String {
        match self {
            Question::Current => "current password: ".to_owned(),
            Question::New { .. } => "new password: ".to_owned(),
            Question::Again { .. } => "new password again: ".to_owned(),
            Question::Reset { user } => format!("new password for {user}: "),
            Question::ResetAgain { user, .. } => format!("new password for {user} again: "),
        }
    }
}

/// An own message on its way.
struct Own {
    message: Message,
    /// The user saw it waiting (or it was caught by a drop): say when it
    /// gets through.
    confirm: bool,
}

impl App {
    /// Wraps a logged-in client; `bell` rings the terminal bell for
    /// private messages and mentions.
    pub fn new(client: Client, bell: bool) -> Self {
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
            current: Conversation::general(),
            asking: None,
            listing_rooms: false,
            handles: Handles::default(),
            bell,
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
            current,
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
                    if let Some(line) = render::event(&event, &me, &current) {
                        say(&line);
                    }
                }
            }
        }
    }

    /// Acts on one typed line; `false` means quit.
    fn command(&mut self, line: &str) -> bool {
        if let Some(asking) = self.asking.take() {
            self.answer(asking, line);
            return true;
        }
        match parse_command(line) {
            Command::Say(line) => match self.client.input(&line) {
                Ok(Typed::Message(sent)) => self.sent(sent),
                Ok(Typed::Command(command)) => {
                    if command == media_chat_client::ChatCommand::Rooms {
                        self.listing_rooms = true;
                    }
                    // A `/go` is done at once: what is typed next goes there.
                    self.current = self.client.current();
                }
                Err(SendError::Input(InputError::UnknownCommand(verb))) => {
                    self.say(&format!("[!] unknown command {verb}; /help lists them"))
                }
                Err(SendError::OldServer) if line.starts_with('/') => self
                    .say("[!] this server has no rooms or account commands (protocol version 2)"),
                Err(e) => self.say(&format!("[!] {e}")),
            },
            Command::Edit { handle, text } => match self.handles.resolve(handle, &self.current) {
                Ok((conversation, id)) => {
                    if let Err(e) = self.client.edit(conversation, id, &text) {
                        self.say(&format!("[!] {e}"));
                    }
                }
                Err(e) => self.say(&format!("[!] {e}")),
            },
            Command::Reply { handle, text } => {
                let target = match handle {
                    Some(_) => self.handles.resolve(handle, &self.current),
                    None => self.handles.last_in(&self.current),
                };
                match target {
                    Ok((conversation, id)) => match self.client.reply(conversation, id, &text) {
                        Ok(sent) => self.sent(sent),
                        Err(SendError::OldServer) => {
                            self.say("[!] this server has no replies (protocol version 2)")
                        }
                        Err(e) => self.say(&format!("[!] {e}")),
                    },
                    Err(e) => self.say(&format!("[!] {e}")),
                }
            }
            Command::React { handle, reaction } => {
                let target = match handle {
                    Some(_) => self.handles.resolve(handle, &self.current),
                    None => self.handles.last_in(&self.current),
                };
                match target {
                    Ok((_, id)) => match self.client.react(id, &reaction) {
                        Ok(()) => {}
                        Err(SendError::OldServer) => {
                            self.say("[!] this server has no reactions (protocol version 2)")
                        }
                        Err(e) => self.say(&format!("[!] {e}")),
                    },
                    Err(e) => self.say(&format!("[!] {e}")),
                }
            }
            Command::Delete { handle } => match self.handles.resolve(handle, &self.current) {
                Ok((conversation, id)) => {
                    if let Err(e) = self.client.delete(conversation, id) {
                        self.say(&format!("[!] {e}"));
                    }
                }
                Err(e) => self.say(&format!("[!] {e}")),
            },
            Command::Password => self.ask(Question::Current),
            Command::ResetPassword(user) => self.ask(Question::Reset { user }),
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
            Command::DeleteFile(name) => {
                if let Err(e) = self.client.delete_file(self.current.clone(), &name) {
                    self.say(&format!("[!] {e}"));
                }
            }
            Command::Quota => self.say(&render::quota(self.client.quota())),
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

    /// An own message just written: printed with its handle (and what it
    /// answers), and followed until the server has it.
    fn sent(&mut self, sent: Message) {
        let waiting = !self.client.is_connected();
        let mark = if waiting { " [pending]" } else { "" };
        let shown = render::message(&sent, &self.me, &self.current);
        let handle = render::handle(self.handles.note(&sent, true));
        if let Some(quote) = self.quote(&sent) {
            self.say(&quote);
        }
        self.say(&format!("{handle}{shown}{mark}"));
        if let Some(token) = sent.token().map(str::to_owned) {
            let own = Own {
                message: sent,
                confirm: waiting,
            };
            self.own.insert(token, own);
        }
    }

    /// For a reply, the line quoting what it answers, printed above it.
    fn quote(&self, message: &Message) -> Option<String> {
        message.reply_to().map(|to| self.handles.quote(to))
    }

    /// Asks a password question (without echo on a terminal).
    fn ask(&mut self, question: Question) {
        let hidden = Hidden::new();
        // A prompt is for someone typing; piped answers need none.
        if hidden.is_terminal() {
            self.bars.suspend(|| {
                eprint!("{}", question.prompt());
                let _ = std::io::stderr().flush();
            });
        }
        self.asking = Some(Asking {
            question,
            _hidden: hidden,
        });
    }

    /// A line answering a password question.
    fn answer(&mut self, asking: Asking, line: &str) {
        let Asking { question, _hidden } = asking;
        drop(_hidden);
        let next = match question {
            Question::Current => Question::New {
                current: line.to_owned(),
            },
            Question::New { .. } if line.is_empty() => {
                return self.say("[!] a password must not be empty; nothing changed");
            }
            Question::New { current } => Question::Again {
                current,
                new: line.to_owned(),
            },
            Question::Again { current, new } => {
                if new != line {
                    return self.say("[!] the new passwords differ; nothing changed");
                }
                if let Err(e) = self.client.change_password(&current, &new) {
                    self.say(&format!("[!] {e}"));
                }
                return;
            }
            Question::Reset { .. } if line.is_empty() => {
                return self.say("[!] a password must not be empty; nothing changed");
            }
            Question::Reset { user } => Question::ResetAgain {
                user,
                new: line.to_owned(),
            },
            Question::ResetAgain { user, new } => {
                if new != line {
                    return self.say("[!] the passwords differ; nothing changed");
                }
                let reset = AdminCommand::ResetPassword {
                    user,
                    password: new,
                };
                if let Err(e) = self.client.admin(reset) {
                    self.say(&format!("[!] {e}"));
                }
                return;
            }
        };
        self.ask(next);
    }

    /// `/more`: the page before the oldest message shown, of the current
    /// conversation or the one named.
    fn more(&mut self, named: Option<String>) {
        let conversation = match &named {
            None => self.current.clone(),
            Some(name) => match Conversation::parse(name) {
                Ok(conversation) => self
                    .client
                    .conversations()
                    .get(&conversation)
                    .map_or(conversation, |info| info.conversation.clone()),
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
                // Printed in full is read: the user's other sessions (the
                // desktop's "new messages" line) learn it, at most once a
                // second. A line of another room or group stays unread
                // until the user goes there.
                let in_full = same(&message.conversation, &self.current)
                    || matches!(message.conversation, Conversation::Direct(_));
                if *origin != Origin::Page
                    && in_full
                    && let Some(id) = message.id()
                {
                    self.client.mark_read(message.conversation.clone(), id);
                }
            }
            Event::CurrentChanged { conversation } => {
                self.current = conversation.clone();
                // Going there is reading it.
                self.client.mark_all_read(conversation.clone());
                let topic = self
                    .client
                    .conversations()
                    .get(conversation)
                    .map(|info| info.topic.clone())
                    .unwrap_or_default();
                let line = if topic.is_empty() {
                    format!("[i] now talking in {conversation}")
                } else {
                    format!("[i] now talking in {conversation} — {topic}")
                };
                return self.say(&line);
            }
            Event::RoomList { rooms } => return self.rooms(rooms),
            Event::SearchResults { hits, more, .. } => {
                let handles: Vec<Option<u64>> = hits
                    .iter()
                    .map(|hit| {
                        let mine = same(
                            &Conversation::Direct(hit.message.author.clone()),
                            &Conversation::Direct(self.me.clone()),
                        );
                        self.handles.note(&hit.message, mine)
                    })
                    .collect();
                return self.say(&render::search_results(hits, &handles, *more, &self.me));
            }
            Event::Changed {
                id,
                target,
                by,
                change,
                origin,
                ..
            } => {
                self.handles.changed(*target, *id, change);
                let handle = self.handles.handle_of(*target);
                // In a backlog or a page the message shows as it is now;
                // only its reactions, if it has a handle here, get a line.
                let shown = match change {
                    Change::Reactions(reactions) => handle.is_some() && !reactions.is_empty(),
                    _ => *origin == Origin::Live,
                };
                if shown {
                    self.say(&render::change(by, handle, change, &self.me));
                }
                return;
            }
            Event::Delivery { token, message } => return self.delivery(token, message),
            Event::Gap {
                conversation,
                after,
                before,
            } => {
                self.pages.gap(conversation, *after, *before);
                let more = if same(conversation, &self.current) {
                    "/more".to_owned()
                } else {
                    format!("/more {conversation}")
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
        if let Event::Message { message, .. } = &event
            && !message.is_notice()
            && self.client.blocks(&message.author)
        {
            return self.say(&format!(
                "[i] 1 message from a blocked user ({}) — /unblock {} shows them",
                message.author, message.author
            ));
        }
        let Some(mut line) = render::event(&event, &self.me, &self.current) else {
            return;
        };
        let mut quote = None;
        if let Event::Message { message, .. } = &event {
            let mine = same(
                &Conversation::Direct(message.author.clone()),
                &Conversation::Direct(self.me.clone()),
            );
            quote = self.quote(message);
            line = format!("{}{line}", render::handle(self.handles.note(message, mine)));
        }
        let stamp = match &event {
            Event::Message {
                message,
                origin: Origin::Backlog | Origin::Page,
            } => render::at(message.ts),
            _ => render::now(),
        };
        if let Some(quote) = quote {
            self.bars.println(&format!("{stamp} {quote}"));
        }
        let bell = if self.rings(&event) { BELL } else { "" };
        self.bars.println(&format!("{bell}{stamp} {line}"));
    }

    /// Whether `event` rings the bell (with `--bell`): a message that
    /// just came from someone else, private or mentioning this user (by
    /// name or `@here`), in a conversation not muted.
    fn rings(&self, event: &Event) -> bool {
        let Event::Message {
            message,
            origin: Origin::Live,
        } = event
        else {
            return false;
        };
        let mine = same(
            &Conversation::Direct(message.author.clone()),
            &Conversation::Direct(self.me.clone()),
        );
        if !self.bell || message.is_notice() || mine {
            return false;
        }
        let muted = self
            .client
            .conversations()
            .get(&message.conversation)
            .is_some_and(|info| info.muted);
        let private = matches!(message.conversation, Conversation::Direct(_));
        !muted && (private || message.mentions(&self.me))
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
        if let Some(id) = message.id() {
            self.handles.delivered(token, id);
        }
        if let Some(own) = self.own.remove(token)
            && own.confirm
        {
            self.say(&format!(
                "[+] delivered: {}",
                render::message(&own.message, &self.me, &self.current)
            ));
        }
    }

    /// The answer to `/rooms`.
    fn rooms(&mut self, rooms: &[RoomInfo]) {
        if !std::mem::take(&mut self.listing_rooms) {
            return;
        }
        let conversations = self.client.conversations();
        self.say(&render::rooms(&conversations, rooms));
    }

    fn say(&self, line: &str) {
        self.bars.println(&format!("{} {line}", render::now()));
    }
}

/// "1 message", "3 messages".
fn count(n: usize) -> String {
    format!("{n} message{}", if n == 1 { "" } else { "s" })
}
