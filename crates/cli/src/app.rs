//! The terminal client's loop: typed lines in, events out, one line each.

use std::collections::{BTreeSet, HashSet};

use crossbeam_channel::{Receiver, select};
use media_chat_client::{Client, Event, Origin, TransferId};

use crate::command::{Command, HELP, parse_command};
use crate::progress::Bars;
use crate::render;

/// The running terminal client.
pub struct App {
    client: Client,
    events: Receiver<Event>,
    me: String,
    online: BTreeSet<String>,
    transfers: HashSet<TransferId>,
    bars: Bars,
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
        let events = self.events.clone();
        self.client.quit();
        for event in events.try_iter() {
            if let Some(line) = render::event(&event, &self.me) {
                self.bars.println(&format!("{} {line}", render::now()));
            }
        }
    }

    /// Acts on one typed line; `false` means quit.
    fn command(&mut self, line: &str) -> bool {
        match parse_command(line) {
            Command::Say(line) => match self.client.send_input(&line) {
                Ok(sent) => self.say(&render::message(&sent, &self.me)),
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
            Command::Quit => return false,
            Command::Help => self.bars.println(HELP),
            Command::Nothing => {}
            Command::Unknown(reason) => self.say(&format!("[!] {reason}")),
        }
        true
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

    fn say(&self, line: &str) {
        self.bars.println(&format!("{} {line}", render::now()));
    }
}
