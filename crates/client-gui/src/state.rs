//! Plain data: what the window shows. [`State::apply`] folds each client
//! event in; nothing here touches a socket, the disk or egui.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Local};
use media_chat_client::display::{self, Shown, Tone};
use media_chat_client::{Body, Direction, Event, Message, Origin, TransferId};

/// One line in the chat pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Local time, `HH:MM:SS` (or a date for history).
    pub time: String,
    /// How to draw it.
    pub tone: Tone,
    /// The text with its seed tag, e.g. `[PM → an] hi`.
    pub text: String,
    /// A downloaded image to show under the line.
    pub image: Option<PathBuf>,
}

/// A file on the server, for the side panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedFile {
    /// The stored name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Who shared it.
    pub uploader: String,
}

/// A running upload or download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Which way.
    pub direction: Direction,
    /// The file name.
    pub name: String,
    /// Bytes done.
    pub done: u64,
    /// Bytes in all (0 until the first progress).
    pub total: u64,
}

/// The chat connection as the user should see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Connected and logged in.
    Up,
    /// Lost, not (yet) reconnecting.
    Lost {
        /// Why.
        reason: String,
    },
    /// Waiting to reconnect.
    Reconnecting {
        /// Which attempt comes next.
        attempt: u32,
        /// After how long.
        delay: Duration,
    },
}

/// Something [`State::apply`] asks the app to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Open this file with the system viewer.
    Open(PathBuf),
    /// Make a thumbnail of this downloaded image.
    Thumbnail(PathBuf),
}

/// Everything the chat screen shows.
#[derive(Debug, Clone)]
pub struct State {
    /// The logged-in user's name.
    pub me: String,
    /// The chat pane, oldest first.
    pub lines: Vec<Line>,
    /// Who is online, by lower-case name.
    pub online: BTreeMap<String, String>,
    /// Files on the server, by name.
    pub files: BTreeMap<String, SharedFile>,
    /// Running transfers.
    pub transfers: BTreeMap<TransferId, Transfer>,
    /// The connection.
    pub link: Link,
    /// The server's upload limits, once announced.
    pub max_file_size: Option<u64>,
    /// Lines that arrived while the window was not focused.
    pub unread: usize,
    /// Whether the window has focus (set by the app each frame).
    pub focused: bool,
    /// Downloads to open once verified (Get File, as in the seed).
    pub open_when_done: HashSet<TransferId>,
    /// The download cache is being cleared (off the UI thread).
    pub clearing: bool,
}

impl State {
    /// An empty chat for `me`.
    pub fn new(me: &str) -> Self {
        State {
            me: me.to_owned(),
            lines: Vec::new(),
            online: BTreeMap::new(),
            files: BTreeMap::new(),
            transfers: BTreeMap::new(),
            link: Link::Up,
            max_file_size: None,
            unread: 0,
            focused: true,
            open_when_done: HashSet::new(),
            clearing: false,
        }
    }

    /// Adds a line stamped with the current time.
    pub fn push(&mut self, tone: Tone, text: impl Into<String>) {
        self.lines.push(Line {
            time: Local::now().format("%H:%M:%S").to_string(),
            tone,
            text: text.into(),
            image: None,
        });
    }

    /// Shows what the user just sent, as the seed did: `[Me] …` or
    /// `[PM → x] …`.
    pub fn sent(&mut self, message: &Message) {
        self.show(display::message(message, &self.me));
    }

    fn show(&mut self, shown: Shown) {
        self.push(shown.tone, shown.text);
    }

    /// A started transfer, shown until it ends.
    pub fn started(&mut self, id: TransferId, direction: Direction, name: &str) {
        self.transfers.insert(
            id,
            Transfer {
                direction,
                name: name.to_owned(),
                done: 0,
                total: 0,
            },
        );
    }

    /// Folds one client event in; returns what the app must do about it.
    pub fn apply(&mut self, event: Event) -> Vec<Effect> {
        let before = self.lines.len();
        let effects = self.update(&event);
        match &event {
            Event::Message {
                message,
                origin: Origin::Backlog | Origin::Page,
            } => {
                let shown = display::message(message, &self.me);
                self.lines.push(Line {
                    time: history_time(message.ts),
                    tone: shown.tone,
                    text: shown.text,
                    image: None,
                });
            }
            _ => {
                if let Some(shown) = display::event(&event, &self.me) {
                    self.show(shown);
                }
            }
        }
        if let Event::Downloaded { path, .. } = &event
            && is_image(path)
            && let Some(line) = self.lines.last_mut()
        {
            line.image = Some(path.clone());
        }
        if !self.focused {
            self.unread += self.lines[before..]
                .iter()
                .filter(|line| matches!(line.tone, Tone::Public | Tone::PrivateIn))
                .count();
        }
        effects
    }

    /// What an event changes besides the chat lines: who is online, the
    /// files, the transfers, the connection.
    fn update(&mut self, event: &Event) -> Vec<Effect> {
        let mut effects = Vec::new();
        match event {
            Event::LoggedIn { user } => {
                if self.link != Link::Up {
                    self.push(Tone::Success, "[+] reconnected");
                }
                self.me = user.clone();
                self.link = Link::Up;
                self.online.clear();
            }
            Event::Limits { max_file_size, .. } => self.max_file_size = Some(*max_file_size),
            Event::Users { users } => {
                for user in users {
                    self.online.insert(user.to_lowercase(), user.clone());
                }
            }
            Event::Joined { user } => {
                self.online.insert(user.to_lowercase(), user.clone());
            }
            Event::Left { user } => {
                self.online.remove(&user.to_lowercase());
            }
            Event::Message { message, .. } => {
                if let Body::File { name, size, .. } = &message.body {
                    let shared = SharedFile {
                        name: name.clone(),
                        size: *size,
                        uploader: message.author.clone(),
                    };
                    self.files.insert(name.clone(), shared);
                }
            }
            Event::FileList { files } => {
                self.files = files
                    .iter()
                    .map(|f| {
                        let shared = SharedFile {
                            name: f.name.clone(),
                            size: f.size,
                            uploader: f.uploader.clone(),
                        };
                        (f.name.clone(), shared)
                    })
                    .collect();
            }
            Event::Progress {
                id,
                direction,
                name,
                done,
                total,
            } => {
                let transfer = self.transfers.entry(*id).or_insert(Transfer {
                    direction: *direction,
                    name: name.clone(),
                    done: 0,
                    total: *total,
                });
                transfer.done = *done;
                transfer.total = *total;
            }
            Event::Uploaded { id, .. } => {
                self.transfers.remove(id);
            }
            Event::Downloaded { id, path, .. } => {
                self.transfers.remove(id);
                if is_image(path) {
                    effects.push(Effect::Thumbnail(path.clone()));
                }
                if self.open_when_done.remove(id) {
                    effects.push(Effect::Open(path.clone()));
                }
            }
            Event::TransferFailed { id, .. } | Event::TransferCancelled { id, .. } => {
                self.transfers.remove(id);
                self.open_when_done.remove(id);
            }
            Event::Disconnected { reason } => {
                self.link = Link::Lost {
                    reason: reason.clone(),
                }
            }
            Event::Reconnecting { attempt, delay } => {
                self.link = Link::Reconnecting {
                    attempt: *attempt,
                    delay: *delay,
                }
            }
            Event::CacheCleared { .. } | Event::CacheNotCleared { .. } => self.clearing = false,
            Event::Synced
            | Event::Delivery { .. }
            | Event::Gap { .. }
            | Event::PageEnd { .. }
            | Event::ReadUpTo { .. }
            | Event::Notify { .. }
            | Event::ServerError { .. }
            | Event::OpenFailed { .. } => {}
        }
        effects
    }
}

/// A replayed event's time, with its day.
fn history_time(ts: u64) -> String {
    i64::try_from(ts)
        .ok()
        .and_then(|ts| DateTime::from_timestamp(ts, 0))
        .map(|t| t.with_timezone(&Local).format("%d/%m %H:%M").to_string())
        .unwrap_or_default()
}

/// Whether a file is an image shown inline (png, jpg, gif).
pub fn is_image(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "png" | "jpg" | "jpeg" | "gif"
        )
    })
}

#[cfg(test)]
mod tests {
    use media_chat_client::{Cleared, Conversation, Delivery, Sha256Digest};

    use super::*;

    fn said(conversation: Conversation, author: &str, text: &str) -> Message {
        Message {
            conversation,
            author: author.into(),
            body: Body::Text(text.into()),
            ts: 0,
            state: Delivery::Sent { id: Some(1) },
        }
    }

    fn live(message: Message) -> Event {
        Event::Message {
            message,
            origin: Origin::Live,
        }
    }

    fn texts(state: &State) -> Vec<&str> {
        state.lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn the_seeds_tags() {
        let mut state = State::new("minh");
        state.sent(&said(Conversation::general(), "minh", "hi"));
        state.sent(&said(Conversation::Direct("an".into()), "minh", "psst"));
        state.apply(live(said(Conversation::Direct("an".into()), "an", "ok")));
        state.apply(live(said(Conversation::general(), "an", "hello")));
        state.clearing = true;
        state.apply(Event::CacheCleared {
            cleared: Cleared {
                files: 1,
                bytes: 10,
            },
        });
        assert!(!state.clearing);
        state.apply(Event::Disconnected {
            reason: "gone".into(),
        });
        assert_eq!(
            texts(&state),
            [
                "[Me] hi",
                "[PM → an] psst",
                "[PM from an] ok",
                "an: hello",
                "[*] cache cleared (1 file, 10 B)",
                "[!] disconnected: gone"
            ]
        );
        assert_eq!(
            state.link,
            Link::Lost {
                reason: "gone".into()
            }
        );
    }

    #[test]
    fn presence_and_files_stay_current() {
        let mut state = State::new("minh");
        state.apply(Event::Users {
            users: vec!["an".into(), "minh".into()],
        });
        state.apply(Event::Joined {
            user: "Bình".into(),
        });
        state.apply(Event::Left { user: "an".into() });
        assert_eq!(state.online.values().collect::<Vec<_>>(), ["Bình", "minh"]);
        state.apply(live(Message {
            body: Body::File {
                name: "a.png".into(),
                size: 3,
                sha256: Sha256Digest([0; 32]),
            },
            ..said(Conversation::general(), "an", "")
        }));
        assert_eq!(state.files["a.png"].uploader, "an");
    }

    #[test]
    fn downloads_open_when_asked_and_images_get_thumbnails() {
        let mut state = State::new("minh");
        state.started(7, Direction::Download, "a.png");
        state.open_when_done.insert(7);
        let effects = state.apply(Event::Downloaded {
            id: 7,
            name: "a.png".into(),
            path: "/c/a.png".into(),
        });
        assert_eq!(
            effects,
            [
                Effect::Thumbnail("/c/a.png".into()),
                Effect::Open("/c/a.png".into())
            ]
        );
        assert!(state.transfers.is_empty());
        assert_eq!(state.lines[0].image.as_deref(), Some(Path::new("/c/a.png")));
    }

    #[test]
    fn unread_counts_only_while_unfocused() {
        let mut state = State::new("minh");
        let text = || live(said(Conversation::general(), "an", "x"));
        state.apply(text());
        assert_eq!(state.unread, 0);
        state.focused = false;
        state.apply(text());
        state.apply(Event::Joined { user: "b".into() });
        assert_eq!(state.unread, 1);
    }
}
