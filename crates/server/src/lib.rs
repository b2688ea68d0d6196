//! The media-chat server as a library, so tests start it in-process on port 0
//! and stop it cleanly; `main.rs` only parses flags and calls [`Server::run`].
//!
//! One thread per connection reads and handles that client's commands, as in
//! the seed. Nothing ever writes to a socket under a shared lock: each
//! session has a byte-bounded outgoing queue, written out by a flusher
//! thread per core with non-blocking sends (or, once the client reads
//! slowly or downloads a file, by a writer thread of its own), and a client
//! that stops reading is disconnected when its queue overflows.
//!
//! # Layout
//! - `config`: [`Config`], [`Limits`], [`HashParams`] and their defaults.
//! - `validate`: [`Config::validate`] and [`ConfigError`]: settings checked at start-up.
//! - `server`: [`Server`] (open the data dir, run), [`ServerHandle`].
//! - `backup`: [`backup()`], a consistent copy of a data dir.
//! - [`offline`]: `media-chat-server admin`, on a stopped server's data dir.
//! - `shutdown`: [`Shutdown`], the stop signal shared with Ctrl-C.
//! - `listener`: the accept loop; spawns one named thread per session.
//! - `connections`: connection limits (total, per IP) and force-closing.
//! - `transport`: TLS or plaintext, decided by a connection's first byte.
//! - `session`: one client's read → handle → reply loop and its login.
//! - `logins`: the worker threads logins run on, off the session threads.
//! - `stack`: handing a session thread's dead stack pages back.
//! - `commands`: what a logged-in client's chat and paging commands do.
//! - `file_commands`: listing and downloading, per conversation.
//! - `room_commands`: creating, joining, moderating and listing rooms.
//! - `preference_commands`: `BLOCK`, `MUTE` and their undoing.
//! - `blocks`: who blocks whom, for the direct-message check.
//! - `message_commands`: `EDIT` and `DELETE` of messages.
//! - `here`: who an `@here` mentions: the members online.
//! - `reaction_command`: `REACT`, a reaction given or taken back.
//! - `previews`: previews of shared files (thumbnails, page counts,
//!   durations), made on a bounded worker off the upload's path.
//! - `preview_command`: `PREVIEW`, a file's preview without the file.
//! - `typing`: `TYPING` notices, throttled, passed on, never stored.
//! - `search_command`: `SEARCH`, run in the store for what the user may see.
//! - `account_commands`: passwords, sign-outs and administrators' commands.
//! - `welcome`: what a login receives, read from the store.
//! - `transfers`: single-use tokens that log transfer connections in.
//! - `upload`: receiving a `FILE` or `UPLOAD` body into its conversation.
//! - `quotas`: what each user's files take, the limits an upload must
//!   fit, and the `QUOTA` line.
//! - `file_deletes`: `DELETE_FILE`, a file gone from disk, lists and
//!   previews.
//! - `outbox`: the per-session bounded queue, the flushers, the writer.
//! - `hub`: online sessions, fan-out of committed events, presence.
//! - `lines`: how stored events read on the wire, per version and reader.
//! - `accounts`: logins, registration, password hashing, throttling.
//! - `registration`: open, closed or invite-only, and invitation codes.
//! - `authority`: administrators and server-wide bans.
//! - `audit`: `audit.log`, what moderators and administrators did.
//! - `throttle`: token buckets and failure counters.
//! - `storage`: the data dir on disk: `creds`, `files`, `file_spaces` (the
//!   events are in `media-chat-store`).

mod account_commands;
mod accounts;
mod audit;
mod authority;
mod backup;
mod blocks;
mod commands;
mod config;
mod connections;
mod file_commands;
mod file_deletes;
mod here;
mod hub;
mod lines;
mod listener;
mod logins;
mod message_commands;
pub mod offline;
mod outbox;
mod preference_commands;
mod preview_command;
mod previews;
mod quotas;
mod reaction_command;
mod registration;
mod room_commands;
mod search_command;
mod server;
mod session;
mod shutdown;
mod stack;
mod storage;
mod throttle;
mod transfers;
mod transport;
mod typing;
mod upload;
mod validate;
mod welcome;

pub use backup::{BackupError, BackupReport, backup};
pub use config::{
    Config, DEFAULT_EXTENSIONS, DEFAULT_MAX_FILE_SIZE, Durability, FileSpace, GIB, HashParams,
    Limits, RegistrationMode, TlsSettings,
};
pub use server::{Server, ServerError, ServerHandle};
pub use shutdown::Shutdown;
pub use validate::{ConfigError, MAX_TIMEOUT, MIN_FLOOD_RATE};
