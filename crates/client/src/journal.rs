//! [`Journal`]: what the client keeps in its data directory, so a restart
//! resumes where the last run stopped: per server (`host:port`) and user,
//! the highest event id seen and the outbox (own messages not yet
//! acknowledged, and failed ones), in one small text file replaced
//! atomically (written beside it, synced, then renamed over it).
//!
//! ```text
//! <data dir>/client-id                                   this install's id
//! <data dir>/servers/<host%3Aport>/<user>.state
//!     media-chat client state 1
//!     LAST|1391
//!     PENDING|token|unix_ts|#general|the message text
//!     FAILED|token|unix_ts|@an|why|the message text
//!     PENDING_REPLY|token|unix_ts|#general|41|a reply to message 41
//!     FAILED_REPLY|token|unix_ts|#general|41|why|a reply to message 41
//! ```
//!
//! The file is per user as well as per server: a resume point is what one
//! user has seen, and another user resuming from it would miss their own
//! private messages.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use media_chat_protocol::fields::{FieldReader, LineWriter, split_verb};
use media_chat_protocol::rules::user_key;

use crate::outbox::{Entry, Outbox, Stage, random_u64};

/// The first line of a state file.
const HEADER: &str = "media-chat client state 1";

/// Why a message pending when the last run ended comes back failed.
pub(crate) const NOT_DELIVERED_AT_EXIT: &str =
    "the client closed before the server acknowledged it";

/// The default data directory: `<user data dir>/media-chat/client`
/// (`~/.local/share/media-chat/client` on Linux; `XDG_DATA_HOME` is
/// honoured), beside the desktop client's hosted server in `…/server`.
/// `None` when the system has no home directory.
pub fn default_data_dir() -> Option<PathBuf> {
    ProjectDirs::from("", "", "media-chat").map(|dirs| dirs.data_dir().join("client"))
}

/// What a state file held.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Saved {
    /// The highest event id seen.
    pub(crate) last_id: u64,
    /// The outbox; what was pending is failed now, for the user to retry.
    pub(crate) entries: Vec<Entry>,
}

/// One server's and user's state file (or none, remembering nothing).
#[derive(Debug, Clone)]
pub(crate) struct Journal {
    path: Option<PathBuf>,
}

impl Journal {
    /// The state file of `user` at `address` in `data_dir`.
    pub(crate) fn new(data_dir: Option<&Path>, address: &str, user: &str) -> Self {
        Journal {
            path: data_dir.map(|dir| {
                dir.join("servers")
                    .join(escape(address))
                    .join(format!("{}.state", escape(&user_key(user))))
            }),
        }
    }

    /// What the last run left; nothing if there is no file or it cannot be
    /// read (a damaged file only costs a resume point).
    pub(crate) fn load(&self) -> Saved {
        let Some(path) = &self.path else {
            return Saved::default();
        };
        match fs::read_to_string(path) {
            Ok(text) => parse(&text),
            Err(e) => {
                if e.kind() != io::ErrorKind::NotFound {
                    tracing::warn!(path = %path.display(), error = %e, "cannot read the client state");
                }
                Saved::default()
            }
        }
    }

    /// Replaces the file with `last_id` and `outbox`, atomically.
    pub(crate) fn save(&self, last_id: u64, outbox: &Outbox) -> io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let mut file = tempfile::Builder::new()
            .prefix(".state-")
            .tempfile_in(dir)?;
        file.write_all(format(last_id, outbox.entries()).as_bytes())?;
        file.as_file().sync_all()?;
        file.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// This install's id, kept in `data_dir/client-id` (made on first use);
/// a fresh one each run without a data dir.
pub(crate) fn install_id(data_dir: Option<&Path>) -> String {
    let fresh = format!("{:012x}", random_u64() & 0xffff_ffff_ffff);
    let Some(dir) = data_dir else { return fresh };
    let path = dir.join("client-id");
    if let Ok(id) = fs::read_to_string(&path) {
        let id = id.trim();
        if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return id.to_owned();
        }
    }
    let written = fs::create_dir_all(dir).and_then(|()| {
        let mut file = tempfile::Builder::new()
            .prefix(".client-id-")
            .tempfile_in(dir)?;
        file.write_all(fresh.as_bytes())?;
        file.as_file().sync_all()?;
        // Another process may have made one meanwhile: keep theirs.
        file.persist_noclobber(&path).map_err(|e| e.error)?;
        Ok(())
    });
    match written {
        Ok(()) => fresh,
        Err(_) => fs::read_to_string(&path)
            .map(|id| id.trim().to_owned())
            .ok()
            .filter(|id| !id.is_empty())
            .unwrap_or(fresh),
    }
}

/// A path component for `text`: letters, digits, `.`, `-` and `_` kept,
/// every other byte as `%XX` (so `[::1]:5000` and `127.0.0.1:5000` never
/// meet, and nothing can climb out with `..`).
fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() || matches!(c, '-' | '_') || (c == '.' && !out.is_empty()) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

fn format(last_id: u64, entries: &[Entry]) -> String {
    let mut out = format!("{HEADER}\n").into_bytes();
    let _ = LineWriter::new("LAST", &mut out)
        .number("last_id", last_id)
        .finish();
    for entry in entries {
        let conversation = entry.conversation.to_string();
        let (pending, failed) = match entry.reply_to {
            None => ("PENDING", "FAILED"),
            Some(_) => ("PENDING_REPLY", "FAILED_REPLY"),
        };
        let (verb, reason) = match &entry.stage {
            Stage::Waiting | Stage::InFlight => (pending, None),
            Stage::Failed(reason) => (failed, Some(reason.replace(['|', '\n', '\r'], " "))),
        };
        let mut line = LineWriter::new(verb, &mut out)
            .field_token("token", &entry.token)
            .number("ts", entry.ts)
            .field("conversation", &conversation);
        if let Some(to) = entry.reply_to {
            line = line.number("to", to);
        }
        if let Some(reason) = &reason {
            line = line.field("reason", reason);
        }
        if let Err(e) = line.last("text", &entry.text).finish() {
            tracing::warn!(error = %e, "an outbox entry cannot be saved");
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse(text: &str) -> Saved {
    let mut saved = Saved::default();
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return saved;
    }
    for line in lines {
        let Ok((verb, rest)) = split_verb(line) else {
            continue;
        };
        let read = |verb: &'static str| -> Option<Entry> {
            let mut f = FieldReader::new(verb, rest);
            let token = f.next_token("token").ok()?.to_owned();
            let ts = f.number("ts").ok()?;
            let conversation = f.conversation("conversation").ok()?;
            let reply_to = match verb {
                "PENDING_REPLY" | "FAILED_REPLY" => Some(f.number("to").ok()?),
                _ => None,
            };
            let reason = if verb.starts_with("FAILED") {
                f.next("reason").ok()?.to_owned()
            } else {
                NOT_DELIVERED_AT_EXIT.to_owned()
            };
            let text = f.last("text").ok()?.to_owned();
            Some(Entry {
                token,
                conversation,
                text,
                reply_to,
                ts,
                stage: Stage::Failed(reason),
            })
        };
        match verb {
            "LAST" => {
                if let Ok(id) = FieldReader::new("LAST", rest).number("last_id") {
                    saved.last_id = id;
                }
            }
            "PENDING" => saved.entries.extend(read("PENDING")),
            "FAILED" => saved.entries.extend(read("FAILED")),
            "PENDING_REPLY" => saved.entries.extend(read("PENDING_REPLY")),
            "FAILED_REPLY" => saved.entries.extend(read("FAILED_REPLY")),
            _ => {}
        }
    }
    saved
}

#[cfg(test)]
mod tests {
    use media_chat_protocol::Conversation;

    use super::*;

    fn entry(token: &str, conversation: Conversation, text: &str, stage: Stage) -> Entry {
        Entry {
            token: token.into(),
            conversation,
            text: text.into(),
            reply_to: None,
            ts: 1_764_072_000,
            stage,
        }
    }

    #[test]
    fn the_state_survives_a_round_trip_and_pending_comes_back_failed() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::new(Some(dir.path()), "[::1]:5000", "Đặng");
        assert_eq!(journal.load(), Saved::default());
        let outbox = Outbox::with(vec![
            entry(
                "a.1",
                Conversation::general(),
                "xin chào | cả nhà",
                Stage::InFlight,
            ),
            entry(
                "a.2",
                Conversation::Direct("an".into()),
                "psst",
                Stage::Failed("No such | user".into()),
            ),
            Entry {
                reply_to: Some(41),
                ..entry("a.3", Conversation::general(), "ừ | nhé", Stage::Waiting)
            },
            Entry {
                reply_to: Some(42),
                ..entry(
                    "a.4",
                    Conversation::general(),
                    "sao?",
                    Stage::Failed("x".into()),
                )
            },
        ]);
        journal.save(1391, &outbox).unwrap();
        let saved = journal.load();
        assert_eq!(saved.last_id, 1391);
        assert_eq!(
            saved.entries,
            [
                entry(
                    "a.1",
                    Conversation::general(),
                    "xin chào | cả nhà",
                    Stage::Failed(NOT_DELIVERED_AT_EXIT.into())
                ),
                entry(
                    "a.2",
                    Conversation::Direct("an".into()),
                    "psst",
                    Stage::Failed("No such   user".into())
                ),
                Entry {
                    reply_to: Some(41),
                    ..entry(
                        "a.3",
                        Conversation::general(),
                        "ừ | nhé",
                        Stage::Failed(NOT_DELIVERED_AT_EXIT.into())
                    )
                },
                Entry {
                    reply_to: Some(42),
                    ..entry(
                        "a.4",
                        Conversation::general(),
                        "sao?",
                        Stage::Failed("x".into())
                    )
                },
            ]
        );
        // The same user in another case shares it; another server does not.
        assert_eq!(
            Journal::new(Some(dir.path()), "[::1]:5000", "đặng")
                .load()
                .last_id,
            1391
        );
        assert_eq!(
            Journal::new(Some(dir.path()), "127.0.0.1:5000", "Đặng")
                .load()
                .last_id,
            0
        );
        let leftovers: Vec<_> =
            fs::read_dir(dir.path().join("servers").join("%5B%3A%3A1%5D%3A5000"))
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
    }

    #[test]
    fn names_cannot_climb_out_of_the_data_dir() {
        assert_eq!(escape(".."), "%2E.");
        assert_eq!(escape("../x"), "%2E.%2Fx");
        assert_eq!(escape("chat.example.org:5000"), "chat.example.org%3A5000");
    }

    #[test]
    fn a_damaged_file_is_only_a_lost_resume_point() {
        assert_eq!(parse("garbage\nLAST|5\n"), Saved::default());
        let saved = parse(&format!("{HEADER}\nLAST|x\nPENDING|bad\nLAST|7\n"));
        assert_eq!(
            saved,
            Saved {
                last_id: 7,
                entries: vec![]
            }
        );
    }

    #[test]
    fn the_install_id_is_made_once() {
        let dir = tempfile::tempdir().unwrap();
        let first = install_id(Some(dir.path()));
        assert_eq!(install_id(Some(dir.path())), first);
        assert_ne!(install_id(None), install_id(None));
    }
}
