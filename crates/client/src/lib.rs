//! The media-chat client engine, shared by the terminal and desktop
//! clients: they only draw.
//!
//! [`Client::connect`] logs in (protocol version 3, or 2 against an older
//! server) and starts one supervisor thread that owns the chat connection:
//! it reconnects with backoff, resumes after the last message seen (kept
//! in the data dir, so a restart resumes too), turns server lines into
//! [`Event`]s on a bounded crossbeam channel, and keeps an outbox: an own
//! message is pending until the server acknowledges it, is sent again
//! (safely, by its token) after a reconnect, and fails visibly, with a
//! retry, if it cannot be delivered. A caller can pass a [`Waker`] (the
//! GUI passes `request_repaint`). Uploads and downloads run on connections
//! of their own, logged in with a short-lived token from the chat session,
//! verified by SHA-256, with progress events and cancel.
//!
//! ```no_run
//! use media_chat_client::{Client, ClientConfig, Event, display, phrases::ENGLISH};
//!
//! let client = Client::connect(ClientConfig::new("127.0.0.1:5000", "minh", "secret"))?;
//! let pending = client.send_input("@an xin chào")?;
//! println!("{} (sending…)", display::message(&pending, &client.user(), &ENGLISH).text);
//! for event in client.events() {
//!     if let Event::Message { message, .. } = &event {
//!         println!("{}", display::message(message, &client.user(), &ENGLISH).text);
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Layout
//! - `client`: [`Client`], the public API: it queues commands for the
//!   supervisor and starts transfers.
//! - `supervisor`: the thread that owns connecting, reconnecting and the
//!   link, and turns server lines into events (`supervisor/previews`: the
//!   preview lines, fetches and the shares they update).
//! - `link`: the chat connection's writer and reader threads.
//! - `outbox`: own messages not yet acknowledged, and send tokens.
//! - `journal`: the data dir: resume point and outbox per server and user.
//! - `sink`: the event queue the supervisor and transfers emit into.
//! - `message`: [`Message`], [`Body`], [`Delivery`]: messages as data.
//! - `conversations`: [`Conversations`], [`ConversationInfo`], [`Member`]:
//!   the user's conversations as data (kinds, roles, topics, unread and
//!   mention counts, the current one), kept in step with the server.
//! - `event`: [`Event`] and the types it carries.
//! - `display`: how messages and events read as chat lines, with the
//!   seed's tags; `phrases`: their words, one table per language.
//! - `config`: [`ClientConfig`], [`Waker`].
//! - `error`: the error types.
//! - `input`: [`parse_input`], one typed syntax for both fronts: the
//!   seed's `@user` / `/dm user`, `/dm a,b,c`, `#room text`, the
//!   [`ChatCommand`]s.
//! - `handshake`: connecting and logging in (password, resume, token).
//! - `transfer`: uploads and downloads on their own connections.
//! - `cache`: the download cache.
//! - `preview_cache`: the previews fetched, by file hash, beside it.
//! - `reconnect`: the backoff between reconnect attempts.
//! - `stop`: stopping work blocked on a socket (cancel, quit).
#![warn(missing_docs)]

mod cache;
mod client;
mod config;
mod conversations;
pub mod display;
mod error;
mod event;
mod handshake;
mod input;
mod journal;
mod link;
mod message;
mod outbox;
pub mod phrases;
mod preview_cache;
mod reconnect;
mod sink;
mod stop;
mod supervisor;
mod transfer;

pub use cache::{Cleared, default_cache_dir};
pub use client::{Client, MAX_PAGE, TYPING_EVERY, TYPING_SHOWN, Typed};
pub use config::{ClientConfig, Transport, Waker, default_known_servers};
pub use conversations::{ConversationInfo, Conversations, Member, key as conversation_key, same};
pub use error::{CacheError, ConnectError, InputError, SendError, TransferError};
pub use event::{
    AuditEntry, Direction, Event, FileInfo, Origin, Quota, RoomInfo, SearchHit, TransferId,
};
pub use input::{ChatCommand, DEFAULT_AUDIT_LINES, Input, parse_input};
pub use journal::default_data_dir;
pub use media_chat_protocol::{
    AdminCommand, Conversation, ConversationKind, MemberChange, ModerationAction, Preview,
    Reactions, Role, Sha256Digest, Visibility,
};
pub use media_chat_tls::Fingerprint;
pub use message::{Body, Change, Delivery, Message};
