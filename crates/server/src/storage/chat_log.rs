//! `message_history.txt`: every chat event, one line each, appended as it
//! happens, read back at start-up to rebuild history and file metadata.
//!
//! Line format: `<RFC 3339 UTC time>|KIND|fields…`, the last field free text:
//!
//! ```text
//! 2026-11-25T12:00:00Z|TEXT|from|message
//! 2026-11-25T12:00:01Z|DM|from|to|message
//! 2026-11-25T12:00:02Z|DM_OFFLINE|from|to|message   (held for an offline user)
//! 2026-11-25T12:00:03Z|FILE|user|stored name|size|sha256
//! 2026-11-25T12:00:04Z|JOIN|user
//! 2026-11-25T12:00:05Z|LEAVE|user
//! ```
//!
//! Appends go through a channel to one writer thread, so no session waits
//! on the disk and lines never interleave; the writer flushes whenever the
//! channel runs empty and fsyncs when the log is closed.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crossbeam_channel::Sender;
use media_chat_protocol::Sha256Digest;
use media_chat_protocol::fields::{FieldReader, LineWriter};
use parking_lot::Mutex;
use tracing::{error, warn};

/// Something that happened in the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChatEvent {
    /// A public message.
    Text { from: String, text: String },
    /// A private message; `queued` when `to` was offline and gets it at
    /// their next login.
    Dm {
        from: String,
        to: String,
        text: String,
        queued: bool,
    },
    /// A stored file was announced.
    FileShared {
        user: String,
        name: String,
        size: u64,
        sha256: Sha256Digest,
    },
    /// A user's first session came online.
    Joined { user: String },
    /// A user's last session ended.
    Left { user: String },
}

/// An event and when it happened (seconds since the Unix epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamped {
    pub(crate) ts: u64,
    pub(crate) event: ChatEvent,
}

/// Seconds since the Unix epoch, now.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Stamped {
    /// The event as one log line, `\n` included.
    pub(crate) fn to_log_line(&self) -> Option<Vec<u8>> {
        let time = humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(self.ts))
            .to_string();
        let mut out = Vec::new();
        let line = LineWriter::new("", &mut out);
        let line = match &self.event {
            ChatEvent::Text { from, text } => line
                .field("kind", "TEXT")
                .field("from", from)
                .last("text", text),
            ChatEvent::Dm {
                from,
                to,
                text,
                queued,
            } => line
                .field("kind", if *queued { "DM_OFFLINE" } else { "DM" })
                .field("from", from)
                .field("to", to)
                .last("text", text),
            ChatEvent::FileShared {
                user,
                name,
                size,
                sha256,
            } => line
                .field("kind", "FILE")
                .field("user", user)
                .field("name", name)
                .number("size", *size)
                .digest("sha256", sha256),
            ChatEvent::Joined { user } => line.field("kind", "JOIN").last("user", user),
            ChatEvent::Left { user } => line.field("kind", "LEAVE").last("user", user),
        };
        line.finish().ok()?;
        // LineWriter starts every line with its verb and a `|`; the log's
        // first field is the time instead.
        let mut stamped = time.into_bytes();
        stamped.extend_from_slice(&out);
        Some(stamped)
    }

    /// Parses one log line (without its newline).
    pub(crate) fn parse_log_line(line: &str) -> Option<Stamped> {
        let (time, rest) = line.split_once('|')?;
        let ts = humantime::parse_rfc3339(time)
            .ok()?
            .duration_since(UNIX_EPOCH)
            .ok()?
            .as_secs();
        let (kind, rest) = rest.split_once('|')?;
        let mut f = FieldReader::new("LOG", Some(rest));
        let event = match kind {
            "TEXT" => ChatEvent::Text {
                from: f.next("from").ok()?.to_owned(),
                text: f.last("text").ok()?.to_owned(),
            },
            "DM" | "DM_OFFLINE" => ChatEvent::Dm {
                from: f.next("from").ok()?.to_owned(),
                to: f.next("to").ok()?.to_owned(),
                text: f.last("text").ok()?.to_owned(),
                queued: kind == "DM_OFFLINE",
            },
            "FILE" => {
                let event = ChatEvent::FileShared {
                    user: f.next("user").ok()?.to_owned(),
                    name: f.next("name").ok()?.to_owned(),
                    size: f.number("size").ok()?,
                    sha256: f.digest("sha256").ok()?,
                };
                f.finish().ok()?;
                event
            }
            "JOIN" => ChatEvent::Joined {
                user: f.last("user").ok()?.to_owned(),
            },
            "LEAVE" => ChatEvent::Left {
                user: f.last("user").ok()?.to_owned(),
            },
            _ => return None,
        };
        Some(Stamped { ts, event })
    }
}

/// Reads every event in the log at `path`, oldest first, skipping (and
/// counting) lines it cannot read. A missing log has no events.
pub(crate) fn replay(path: &Path, mut visit: impl FnMut(Stamped)) -> io::Result<()> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut skipped = 0usize;
    for line in BufReader::new(file).split(b'\n') {
        let line = line?;
        match std::str::from_utf8(&line)
            .ok()
            .and_then(Stamped::parse_log_line)
        {
            Some(stamped) => visit(stamped),
            None if line.is_empty() => {}
            None => skipped += 1,
        }
    }
    if skipped > 0 {
        warn!(skipped, path = %path.display(), "skipped unreadable chat log lines");
    }
    Ok(())
}

/// The append side of the log.
pub(crate) struct ChatLog {
    tx: Mutex<Option<Sender<Vec<u8>>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl ChatLog {
    /// Opens `path` for appending and starts the writer thread.
    pub(crate) fn open(path: &Path) -> io::Result<ChatLog> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let (tx, rx) = crossbeam_channel::unbounded::<Vec<u8>>();
        let writer = thread::Builder::new()
            .name("chat-log".into())
            .spawn(move || {
                let mut out = BufWriter::new(file);
                while let Ok(line) = rx.recv() {
                    let mut result = out.write_all(&line);
                    while let (Ok(()), Ok(line)) = (&result, rx.try_recv()) {
                        result = out.write_all(&line);
                    }
                    if let Err(e) = result.and_then(|()| out.flush()) {
                        error!(error = %e, "could not append to the chat log");
                    }
                }
                if let Err(e) = out.flush().and_then(|()| out.get_ref().sync_all()) {
                    error!(error = %e, "could not flush the chat log");
                }
            })?;
        Ok(ChatLog {
            tx: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
        })
    }

    /// Appends an event. Never blocks on the disk.
    pub(crate) fn append(&self, stamped: &Stamped) {
        let Some(line) = stamped.to_log_line() else {
            error!(?stamped, "event cannot be written to the log");
            return;
        };
        if let Some(tx) = self.tx.lock().as_ref() {
            let _ = tx.send(line);
        }
    }

    /// Writes out everything appended so far, fsyncs, and stops the writer.
    /// Later appends are dropped.
    pub(crate) fn close(&self) {
        drop(self.tx.lock().take());
        if let Some(writer) = self.writer.lock().take() {
            let _ = writer.join();
        }
    }
}

impl Drop for ChatLog {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest() -> Sha256Digest {
        Sha256Digest([7; 32])
    }

    fn events() -> Vec<Stamped> {
        let ts = 1_764_072_000;
        [
            ChatEvent::Text {
                from: "minh".into(),
                text: "xin chào | mọi người".into(),
            },
            ChatEvent::Dm {
                from: "minh".into(),
                to: "Đặng".into(),
                text: "bí mật".into(),
                queued: false,
            },
            ChatEvent::Dm {
                from: "minh".into(),
                to: "ton".into(),
                text: "later".into(),
                queued: true,
            },
            ChatEvent::FileShared {
                user: "ton".into(),
                name: "ảnh (1).png".into(),
                size: 42,
                sha256: digest(),
            },
            ChatEvent::Joined { user: "ton".into() },
            ChatEvent::Left { user: "ton".into() },
        ]
        .into_iter()
        .map(|event| Stamped { ts, event })
        .collect()
    }

    #[test]
    fn lines_are_readable_and_round_trip() {
        let first = events()[0].to_log_line().unwrap();
        assert_eq!(
            String::from_utf8(first).unwrap(),
            "2025-11-25T12:00:00Z|TEXT|minh|xin chào | mọi người\n"
        );
        for stamped in events() {
            let line = String::from_utf8(stamped.to_log_line().unwrap()).unwrap();
            assert_eq!(Stamped::parse_log_line(line.trim_end()), Some(stamped));
        }
    }

    #[test]
    fn appended_events_replay_in_order_skipping_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("message_history.txt");
        let log = ChatLog::open(&path).unwrap();
        for stamped in events() {
            log.append(&stamped);
        }
        log.close();
        let mut text = std::fs::read(&path).unwrap();
        text.extend_from_slice(b"not a log line\n\xff\xfe\n");
        std::fs::write(&path, text).unwrap();
        let mut replayed = Vec::new();
        replay(&path, |stamped| replayed.push(stamped)).unwrap();
        assert_eq!(replayed, events());
    }

    #[test]
    fn missing_log_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mut count = 0;
        replay(&dir.path().join("none.txt"), |_| count += 1).unwrap();
        assert_eq!(count, 0);
    }
}
