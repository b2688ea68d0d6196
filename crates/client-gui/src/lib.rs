//! The media-chat desktop client: a thin eframe/egui front over
//! `media-chat-client`. The library's reader thread feeds a crossbeam
//! channel; the UI drains it every frame and is woken by
//! `request_repaint`, so it never polls and never touches a socket.
//!
//! # Layout
//! - `app`: [`App`], the screens (login, then chat), the per-frame `tick`
//!   and `draw`, logging in and hosting.
//! - `window`: [`window::Chat`], the chat window: per-conversation drafts
//!   and views, read reports, the panels' layout.
//! - `commands`: carrying out the chat window's actions through the client.
//! - `slash`: the slash commands typed into the entry.
//! - `action`: [`Action`], what the user asked for.
//! - `state/`: [`State`], plain data folded from client events: one
//!   `timeline` per conversation, the sidebar's `conversations`, the
//!   pane's `grouping` (sender groups, day separators), each message's
//!   `reactions` by id, the `search` panel's answer.
//! - `net`: [`Net`], owner of the client connection.
//! - `task`: one piece of work off the UI thread, polled by the frame.
//! - `background`: work that outlives the window (logging out).
//! - `ui/`: one file per part of the window: `login`, `sidebar`,
//!   `header`, `hosting`, `link`, `chat` (the pane) and `row` (one row),
//!   `palette` (sender colours), `reactions` (a message's chips),
//!   `hover_bar` (React and Reply over the row under the pointer),
//!   `reply` (reply mode's line, a reply's snippet), `search_panel`
//!   (Ctrl+F), `composer` with its `entry`,
//!   `mention_popup` and `emoji_picker`, `members`, `files`, `transfers`,
//!   `dialogs`, and the dialogs `rooms`, `invite`, `switcher`, `viewer`
//!   (pictures at full size), `unopened` (no program opens a file).
//! - `thumbnails`: decoding downloaded images off the UI thread.
//! - `picker`: the system file dialog, off the UI thread.
//! - `host`: hosting a chat on this computer.
//! - `settings`: what is remembered between runs (the login fields, the
//!   theme and text size).
//! - `i18n/`: every user-facing text, one table per language.
//! - `fonts`: fonts with emoji.
//! - `emoji/`: the emoji picker's table and search.

pub mod action;
pub mod app;
pub mod background;
pub mod commands;
pub mod draft_mode;
pub mod emoji;
pub mod fonts;
pub mod host;
pub mod i18n;
pub mod markup;
pub mod message_link;
pub mod net;
pub mod notifier;
pub mod picker;
pub mod settings;
pub mod slash;
pub mod state;
pub mod task;
pub mod thumbnails;
pub mod ui;
pub mod window;

pub use action::Action;
pub use app::{App, Paths};
pub use background::Background;
pub use net::Net;
pub use state::State;
