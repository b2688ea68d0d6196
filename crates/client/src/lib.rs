//! The media-chat client engine, shared by the terminal and desktop
//! clients: they only draw.
//!
//! [`Client::connect`] logs in (protocol version 2) and starts two threads:
//! a writer that sends what the methods queue, so no call blocks on the
//! network, and a reader that turns server lines into [`Event`]s on a
//! crossbeam channel. A caller can pass a [`Waker`] (the GUI passes
//! `request_repaint`). Uploads and downloads run on connections of their
//! own, verified by SHA-256, with progress events and cancel.
//!
//! ```no_run
//! use media_chat_client::{Client, ClientConfig, Event};
//!
//! let client = Client::connect(ClientConfig::new("127.0.0.1:5000", "minh", "secret"))?;
//! client.send_input("@an xin chào")?;
//! for event in client.events() {
//!     if let Event::Dm { from, text } = event {
//!         println!("[PM from {from}] {text}");
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Layout
//! - `client`: [`Client`], the public API, and the state its threads share.
//! - `config`: [`ClientConfig`], [`Waker`].
//! - `event`: [`Event`] and the types it carries.
//! - `error`: the error types.
//! - `input`: [`parse_input`], the seed's `@user` / `/dm user` rules.
//! - `display`: how events read as chat lines, with the seed's tags.
//! - `handshake`: connecting and logging in.
//! - `link`: the chat connection's writer and reader threads.
//! - `transfer`: uploads and downloads on their own connections.
//! - `cache`: the download cache.
//! - `reconnect`: reconnecting with backoff.
//! - `stop`: stopping work blocked on a socket (cancel, quit).
#![warn(missing_docs)]

mod cache;
mod client;
mod config;
pub mod display;
mod error;
mod event;
mod handshake;
mod input;
mod link;
mod reconnect;
mod stop;
mod transfer;

pub use cache::{Cleared, default_cache_dir};
pub use client::Client;
pub use config::{ClientConfig, Transport, Waker, default_known_servers};
pub use error::{CacheError, ConnectError, InputError, SendError, TransferError};
pub use event::{Direction, Event, FileInfo, TransferId};
pub use input::{Input, parse_input};
pub use media_chat_protocol::{HistoryEntry, Sha256Digest};
pub use media_chat_tls::Fingerprint;
