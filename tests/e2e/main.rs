//! End-to-end tests of the media-chat server: each test starts a real server
//! on `127.0.0.1:0` over a fresh temporary data dir (see the `media_chat_e2e`
//! support library) and drives it over real sockets, asserting on the exact
//! lines `docs/PROTOCOL.md` specifies.
//!
//! # Layout
//! - `login`: HELLO, login, registration, user names, throttling.
//! - `legacy`: the seed's `creds.txt` (SHA-256 hashes) loaded and migrated.
//! - `messaging`: TEXT fan-out, DMs (privacy, offline delivery), presence, history.
//! - `files`: uploads (v1 and v2), downloads, refusals, collisions, LIST_FILES.
//! - `paths`: hostile file names and symlinks never reach outside `server_files/`.
//! - `robustness`: framing: split writes, batched writes, bad lines.
//! - `bodies`: a file body is data, never commands, whatever the header.
//! - `content`: uploads checked by their contents, for every version.
//! - `deadlines`: login, line, body and TLS handshake deadlines that a
//!   trickling client cannot renew.
//! - `answers`: every command with a bad field gets exactly one `ERROR`.
//! - `limits`: slow readers, time-outs, keepalive, connection limits, flood
//!   control, many clients at once.
//! - `compat`: version 1 and version 2 clients in one room.
//! - `lifecycle`: restart and graceful stop.
//! - `client`, `client_files`, `client_previews`, `client_fake`, `client_reconnect`: the client
//!   library (`media-chat-client`) against the server, and against fake
//!   servers for what a real one never does.
//! - `tls`: TLS and plaintext on one port, trust on first use, `require`,
//!   and what crosses the wire.
//! - `admin`: invitation codes, bans, passwords, sign-outs, the audit log.
//! - `rooms`: rooms and groups, moderation, standings, and the privacy property.
//! - `conversation_files`: each conversation's files, for its members only.
//! - `preferences`: blocks and mutes: every session hears them, blocked DMs are refused.
//! - `previews`: previews of shared files: made after the share, fetched
//!   without the file, none for a hostile one, nothing new for older clients.
//! - `presence`: who hears whom come and go, by shared conversations.
//! - `search`: `SEARCH`: diacritics, filters, refusals, and finding only what one may see.
//! - `edits`: `EDIT` and `DELETE`: who may, who hears, what pages and older clients show.
//! - `file_deletes`: `DELETE_FILE`: who may, who hears, what is gone from
//!   disk, lists, previews, pages and welcomes; a download under way.
//! - `quotas`: per-user, total and free-disk limits on uploads, and `QUOTA`.
//! - `reactions`: `REACT`: who hears a toggle, reactions in pages and welcomes, limits.
//! - `here`: `@here` mentions the members online at that moment.
//! - `replies`: `REPLY`: what a reply carries everywhere, and what it may answer.
//! - `durable`: offline DMs, restarts, upgrading an older data dir, backups.
//! - `typing`: `TYPING` notices: who hears them, the throttle, nothing stored.
//! - `version3`: ids, acknowledged sends, resume without gaps or
//!   duplicates, paging, read positions, transfer tokens.

mod admin;
mod answers;
mod bodies;
mod client;
mod client_edits;
mod client_fake;
mod client_files;
mod client_previews;
mod client_reconnect;
mod client_rooms;
mod compat;
mod content;
mod conversation_files;
mod deadlines;
mod durable;
mod edits;
mod file_deletes;
mod files;
mod here;
mod legacy;
mod lifecycle;
mod limits;
mod login;
mod messaging;
mod paths;
mod preferences;
mod presence;
mod previews;
mod quotas;
mod reactions;
mod replies;
mod robustness;
mod rooms;
mod search;
mod tls;
mod typing;
mod version3;

use media_chat_e2e::{RawClient, TestServer};

/// The password every test user has unless a test says otherwise.
pub const PW: &str = "pw";

/// Logs in one version 1 client per name, in order, with password [`PW`],
/// and consumes the `NOTIFY|<later> joined the chat` lines each earlier
/// client got, so every returned client starts with nothing pending.
pub fn room_v1<const N: usize>(server: &TestServer, names: [&str; N]) -> [RawClient; N] {
    let mut clients: Vec<RawClient> = names
        .iter()
        .map(|name| server.client_v1(name, PW))
        .collect();
    for (i, client) in clients.iter_mut().enumerate() {
        let expected: Vec<String> = names[i + 1..]
            .iter()
            .map(|later| format!("NOTIFY|{later} joined the chat"))
            .collect();
        assert_eq!(
            client.collect_pending(),
            expected,
            "presence seen by {}",
            names[i]
        );
    }
    match clients.try_into() {
        Ok(clients) => clients,
        Err(_) => unreachable!("one client per name"),
    }
}
