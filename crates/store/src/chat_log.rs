//! `message_history.txt`: every chat event, one line each, appended as it
//! happens: the human-readable record of the chat. The database holds the
//! events; the log is read back only once, to import an older data dir
//! that has no database yet.
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
//! 2026-11-25T12:00:06Z|ROOM_TEXT|#room|from|message  (rooms, groups `+a,b,c`)
//! 2026-11-25T12:00:07Z|ROOM_FILE|#room|user|stored name|size|sha256
//!                      (and `@a,b` for a direct conversation's file)
//! 2026-11-25T12:00:08Z|ROOM_MEMBER|#room|by|user|change
//! 2026-11-25T12:00:09Z|ROOM_TOPIC|#room|by|topic
//! 2026-11-25T12:00:10Z|EDIT|#room|by|id|new text     (message `id` now reads so)
//! 2026-11-25T12:00:11Z|DELETE|#room|by|id            (message `id` was deleted)
//! 2026-11-25T12:00:12Z|FILE_DELETE|#room|by|name     (the file `name` was deleted)
//! ```
//!
//! `id` is the message's event id; the message is the `id`-th event line of
//! the log (`JOIN` and `LEAVE` lines are not events), which is how an
//! import finds it.
//!
//! Only the store's writer thread appends, after each commit, so lines
//! never interleave and follow the order of the events' ids. A deleted
//! event's line stays (the log is append-only).
//!
//! A crash can cut the last line short. Every line the server writes ends in
//! `\n`, so a last line without one is torn: reading skips it, and opening
//! for appending cuts it off, so the next event starts on a line of its own.
//! Lines read back are bounded by [`MAX_LOG_LINE`]; a longer one is skipped
//! without being held in memory.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use media_chat_protocol::fields::{FieldReader, LineWriter};
use media_chat_protocol::{MAX_LINE_LEN, Sha256Digest};
use tracing::{error, warn};

/// The longest log line read back, newline excluded. The longest line the
/// server writes (a `DM_OFFLINE` with the longest names and text) is well
/// under it; a longer line could not be sent as a `HISTORY` line anyway.
const MAX_LOG_LINE: usize = MAX_LINE_LEN;

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
    /// A message in a room or a group (`#room` or `+a,b,c`).
    InText {
        conversation: String,
        from: String,
        text: String,
    },
    /// A file shared into a conversation other than `#general` (`#room`,
    /// `+a,b,c` or `@a,b`).
    InFile {
        conversation: String,
        user: String,
        name: String,
        size: u64,
        sha256: Sha256Digest,
    },
    /// A room's membership changed (`change` is the wire word).
    InMember {
        conversation: String,
        by: String,
        user: String,
        change: String,
    },
    /// A room's topic was set.
    InTopic {
        conversation: String,
        by: String,
        text: String,
    },
    /// The message with id `target` now reads `text`.
    Edit {
        conversation: String,
        by: String,
        target: u64,
        text: String,
    },
    /// The message with id `target` was deleted.
    Delete {
        conversation: String,
        by: String,
        target: u64,
    },
    /// The conversation's file `name` was deleted (`#general` too).
    FileDelete {
        conversation: String,
        by: String,
        name: String,
    },
    /// `by` gave (`on`) or took back `reaction` on the message `target`.
    React {
        conversation: String,
        by: String,
        target: u64,
        on: bool,
        reaction: String,
    },
}

impl ChatEvent {
    /// Whether the line is a stored event's (every event but a session
    /// coming or going has one line, in id order).
    pub(crate) fn is_event(&self) -> bool {
        !matches!(self, ChatEvent::Joined { .. } | ChatEvent::Left { .. })
    }
}

/// An event and when it happened (seconds since the Unix epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamped {
    pub(crate) ts: u64,
    pub(crate) event: ChatEvent,
}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> u64 {
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
            ChatEvent::InText {
                conversation,
                from,
                text,
            } => line
                .field("kind", "ROOM_TEXT")
                .field("conversation", conversation)
                .field("from", from)
                .last("text", text),
            ChatEvent::InFile {
                conversation,
                user,
                name,
                size,
                sha256,
            } => line
                .field("kind", "ROOM_FILE")
                .field("conversation", conversation)
                .field("user", user)
                .field("name", name)
                .number("size", *size)
                .digest("sha256", sha256),
            ChatEvent::InMember {
                conversation,
                by,
                user,
                change,
            } => line
                .field("kind", "ROOM_MEMBER")
                .field("conversation", conversation)
                .field("by", by)
                .field("user", user)
                .field("change", change),
            ChatEvent::InTopic {
                conversation,
                by,
                text,
            } => line
                .field("kind", "ROOM_TOPIC")
                .field("conversation", conversation)
                .field("by", by)
                .last("text", text),
            ChatEvent::Edit {
                conversation,
                by,
                target,
                text,
            } => line
                .field("kind", "EDIT")
                .field("conversation", conversation)
                .field("by", by)
                .number("target", *target)
                .last("text", text),
            ChatEvent::Delete {
                conversation,
                by,
                target,
            } => line
                .field("kind", "DELETE")
                .field("conversation", conversation)
                .field("by", by)
                .number("target", *target),
            ChatEvent::FileDelete {
                conversation,
                by,
                name,
            } => line
                .field("kind", "FILE_DELETE")
                .field("conversation", conversation)
                .field("by", by)
                .last("name", name),
            ChatEvent::React {
                conversation,
                by,
                target,
                on,
                reaction,
            } => line
                .field("kind", "REACT")
                .field("conversation", conversation)
                .field("by", by)
                .number("target", *target)
                .number("on", u64::from(*on))
                .last("reaction", reaction),
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
                let (user, name, size, sha256) = share_fields(f)?;
                ChatEvent::FileShared {
                    user,
                    name,
                    size,
                    sha256,
                }
            }
            "JOIN" => ChatEvent::Joined {
                user: f.last("user").ok()?.to_owned(),
            },
            "LEAVE" => ChatEvent::Left {
                user: f.last("user").ok()?.to_owned(),
            },
            "ROOM_TEXT" => ChatEvent::InText {
                conversation: f.next("conversation").ok()?.to_owned(),
                from: f.next("from").ok()?.to_owned(),
                text: f.last("text").ok()?.to_owned(),
            },
            "ROOM_FILE" => {
                let conversation = f.next("conversation").ok()?.to_owned();
                let (user, name, size, sha256) = share_fields(f)?;
                ChatEvent::InFile {
                    conversation,
                    user,
                    name,
                    size,
                    sha256,
                }
            }
            "ROOM_MEMBER" => {
                let event = ChatEvent::InMember {
                    conversation: f.next("conversation").ok()?.to_owned(),
                    by: f.next("by").ok()?.to_owned(),
                    user: f.next("user").ok()?.to_owned(),
                    change: f.next("change").ok()?.to_owned(),
                };
                f.finish().ok()?;
                event
            }
            "ROOM_TOPIC" => ChatEvent::InTopic {
                conversation: f.next("conversation").ok()?.to_owned(),
                by: f.next("by").ok()?.to_owned(),
                text: f.last("text").ok()?.to_owned(),
            },
            "EDIT" => ChatEvent::Edit {
                conversation: f.next("conversation").ok()?.to_owned(),
                by: f.next("by").ok()?.to_owned(),
                target: f.number("target").ok()?,
                text: f.last("text").ok()?.to_owned(),
            },
            "REACT" => ChatEvent::React {
                conversation: f.next("conversation").ok()?.to_owned(),
                by: f.next("by").ok()?.to_owned(),
                target: f.number("target").ok()?,
                on: f.flag("on").ok()?,
                reaction: f.last("reaction").ok()?.to_owned(),
            },
            "FILE_DELETE" => ChatEvent::FileDelete {
                conversation: f.next("conversation").ok()?.to_owned(),
                by: f.next("by").ok()?.to_owned(),
                name: f.last("name").ok()?.to_owned(),
            },
            "DELETE" => {
                let event = ChatEvent::Delete {
                    conversation: f.next("conversation").ok()?.to_owned(),
                    by: f.next("by").ok()?.to_owned(),
                    target: f.number("target").ok()?,
                };
                f.finish().ok()?;
                event
            }
            _ => return None,
        };
        Some(Stamped { ts, event })
    }
}

/// The last fields of a share's line: user, name, size and hash.
fn share_fields(mut f: FieldReader<'_>) -> Option<(String, String, u64, Sha256Digest)> {
    let fields = (
        f.next("user").ok()?.to_owned(),
        f.next("name").ok()?.to_owned(),
        f.number("size").ok()?,
        f.digest("sha256").ok()?,
    );
    f.finish().ok()?;
    Some(fields)
}

/// What [`replay`] skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Skipped {
    /// Lines that are not events.
    pub(crate) unreadable: usize,
    /// Lines over [`MAX_LOG_LINE`].
    pub(crate) too_long: usize,
    /// Whether the last line was cut short.
    pub(crate) torn: bool,
}

/// Reads every event in the log at `path`, oldest first, skipping (and
/// counting) lines it cannot read, lines over [`MAX_LOG_LINE`] and a torn
/// last line. A missing log has no events.
pub(crate) fn replay(path: &Path, mut visit: impl FnMut(Stamped)) -> io::Result<Skipped> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Skipped::default()),
        Err(e) => return Err(e),
    };
    let mut lines = LogLines::new(BufReader::new(file), MAX_LOG_LINE);
    let (mut skipped, mut too_long, mut torn) = (0usize, 0usize, false);
    while let Some(line) = lines.next_line()? {
        match line {
            LogLine::Complete(line) => match std::str::from_utf8(line)
                .ok()
                .and_then(Stamped::parse_log_line)
            {
                Some(stamped) => visit(stamped),
                None if line.is_empty() => {}
                None => skipped += 1,
            },
            LogLine::TooLong => too_long += 1,
            LogLine::Torn => torn = true,
        }
    }
    if skipped > 0 || too_long > 0 {
        warn!(skipped, too_long, path = %path.display(), "skipped unreadable chat log lines");
    }
    if torn {
        warn!(path = %path.display(), "skipped the chat log's last line, cut short by a crash");
    }
    Ok(Skipped {
        unreadable: skipped,
        too_long,
        torn,
    })
}

/// One line of the log as [`LogLines`] reads it.
#[derive(Debug, PartialEq, Eq)]
enum LogLine<'a> {
    /// A whole line, newline excluded.
    Complete(&'a [u8]),
    /// A line over the limit, skipped.
    TooLong,
    /// The end of the file came before a newline: the last line was cut
    /// short.
    Torn,
}

/// Splits a log into lines like `BufRead::split`, but never holds more than
/// `max` bytes of one line.
struct LogLines<R> {
    reader: R,
    line: Vec<u8>,
    max: usize,
}

impl<R: BufRead> LogLines<R> {
    fn new(reader: R, max: usize) -> Self {
        LogLines {
            reader,
            line: Vec::new(),
            max,
        }
    }

    /// The next line; `None` at the end of the file.
    fn next_line(&mut self) -> io::Result<Option<LogLine<'_>>> {
        self.line.clear();
        let mut too_long = false;
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                let nothing_left = self.line.is_empty() && !too_long;
                return Ok((!nothing_left).then_some(LogLine::Torn));
            }
            let newline = available.iter().position(|&b| b == b'\n');
            let part = &available[..newline.unwrap_or(available.len())];
            if !too_long && self.line.len() + part.len() > self.max {
                too_long = true;
                self.line = Vec::new();
            }
            if !too_long {
                self.line.extend_from_slice(part);
            }
            let used = part.len() + usize::from(newline.is_some());
            self.reader.consume(used);
            if newline.is_some() {
                return Ok(Some(if too_long {
                    LogLine::TooLong
                } else {
                    LogLine::Complete(&self.line)
                }));
            }
        }
    }
}

/// Cuts off a last line that has no newline, so that what is appended next
/// starts on a line of its own. Returns how many bytes were cut.
fn cut_torn_tail(file: &mut File) -> io::Result<u64> {
    let len = file.metadata()?.len();
    let mut chunk = vec![0u8; 8 * 1024];
    let mut end = len;
    while end > 0 {
        let start = end.saturating_sub(chunk.len() as u64);
        let part = &mut chunk[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(part)?;
        if let Some(newline) = part.iter().rposition(|&b| b == b'\n') {
            end = start + newline as u64 + 1;
            break;
        }
        end = start;
    }
    if end == len {
        return Ok(0);
    }
    file.set_len(end)?;
    file.sync_all()?;
    Ok(len - end)
}

/// The append side of the log, used by the store's writer thread only, so
/// lines never interleave. Lines are appended after their events are
/// committed, so after a crash the log may lag the database by one batch,
/// never lead it.
pub(crate) struct LogWriter {
    out: BufWriter<File>,
}

impl LogWriter {
    /// Opens `path` for appending, cutting off a torn last line first.
    pub(crate) fn open(path: &Path) -> io::Result<LogWriter> {
        let mut repair = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        let cut = cut_torn_tail(&mut repair)?;
        if cut > 0 {
            warn!(bytes = cut, path = %path.display(), "cut off the chat log's torn last line");
        }
        drop(repair);
        let file = OpenOptions::new().append(true).open(path)?;
        Ok(LogWriter {
            out: BufWriter::new(file),
        })
    }

    /// Buffers one event's line.
    pub(crate) fn append(&mut self, stamped: &Stamped) {
        let Some(line) = stamped.to_log_line() else {
            error!(?stamped, "event cannot be written to the log");
            return;
        };
        if let Err(e) = self.out.write_all(&line) {
            error!(error = %e, "could not append to the chat log");
        }
    }

    /// Hands the buffered lines to the operating system.
    pub(crate) fn flush(&mut self) {
        if let Err(e) = self.out.flush() {
            error!(error = %e, "could not append to the chat log");
        }
    }

    /// Flushes and fsyncs (at shutdown).
    pub(crate) fn sync(&mut self) {
        if let Err(e) = self
            .out
            .flush()
            .and_then(|()| self.out.get_ref().sync_all())
        {
            error!(error = %e, "could not flush the chat log");
        }
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
            ChatEvent::InFile {
                conversation: "+an,Bình,ton".into(),
                user: "Bình".into(),
                name: "bài tập.pdf".into(),
                size: 7,
                sha256: digest(),
            },
            ChatEvent::FileDelete {
                conversation: "#general".into(),
                by: "minh".into(),
                name: "bài | tập.pdf".into(),
            },
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
        let mut log = LogWriter::open(&path).unwrap();
        for stamped in events() {
            log.append(&stamped);
        }
        log.sync();
        let mut text = std::fs::read(&path).unwrap();
        text.extend_from_slice(b"not a log line\n\xff\xfe\n");
        std::fs::write(&path, text).unwrap();
        let mut replayed = Vec::new();
        replay(&path, |stamped| replayed.push(stamped)).unwrap();
        assert_eq!(replayed, events());
    }

    // See: issue 9, "Crash leftovers and storage".
    #[test]
    fn a_torn_last_line_is_skipped_then_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("message_history.txt");
        let whole = String::from_utf8(events()[0].to_log_line().unwrap()).unwrap();
        let torn = &whole[..whole.len() - 8];
        std::fs::write(&path, format!("{whole}{torn}")).unwrap();
        let mut replayed = Vec::new();
        replay(&path, |stamped| replayed.push(stamped)).unwrap();
        assert_eq!(replayed, events()[..1]);

        let mut log = LogWriter::open(&path).unwrap();
        log.append(&events()[1]);
        log.sync();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!(
                "{whole}{}",
                String::from_utf8(events()[1].to_log_line().unwrap()).unwrap()
            )
        );
        let mut replayed = Vec::new();
        replay(&path, |stamped| replayed.push(stamped)).unwrap();
        assert_eq!(replayed, events()[..2]);
    }

    #[test]
    fn cutting_the_tail_keeps_whole_lines_and_empties_a_log_of_one_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let long_torn = "x".repeat(20_000);
        for (contents, kept) in [
            ("", ""),
            ("a\n", "a\n"),
            ("a\nb", "a\n"),
            ("torn", ""),
            ("\n", "\n"),
        ]
        .map(|(c, k)| (c.to_owned(), k.to_owned()))
        .into_iter()
        .chain([(format!("a\n{long_torn}"), "a\n".to_owned())])
        {
            std::fs::write(&path, &contents).unwrap();
            LogWriter::open(&path).unwrap().sync();
            assert_eq!(
                std::fs::read_to_string(&path).unwrap(),
                kept,
                "{contents:?}"
            );
        }
    }

    // See: issue 9, "Crash leftovers and storage".
    #[test]
    fn a_line_over_the_limit_is_skipped_without_being_held_whole() {
        let huge = 16 * 1024 * 1024;
        let good = events()[0].to_log_line().unwrap();
        let input = io::repeat(b'x')
            .take(huge)
            .chain(&b"\n"[..])
            .chain(&good[..]);
        let mut lines = LogLines::new(BufReader::new(input), MAX_LOG_LINE);
        assert_eq!(lines.next_line().unwrap(), Some(LogLine::TooLong));
        assert!(
            lines.line.capacity() <= 2 * MAX_LOG_LINE,
            "held {} bytes of a {huge}-byte line",
            lines.line.capacity()
        );
        assert_eq!(
            lines.next_line().unwrap(),
            Some(LogLine::Complete(&good[..good.len() - 1]))
        );
        assert_eq!(lines.next_line().unwrap(), None);

        // Exactly at the limit is a line; one byte over is not.
        let mut at_limit = vec![b'y'; MAX_LOG_LINE];
        at_limit.extend_from_slice(b"\nz\n");
        at_limit.extend(vec![b'y'; MAX_LOG_LINE + 1]);
        at_limit.push(b'\n');
        let mut lines = LogLines::new(&at_limit[..], MAX_LOG_LINE);
        assert_eq!(
            lines.next_line().unwrap(),
            Some(LogLine::Complete(&vec![b'y'; MAX_LOG_LINE][..]))
        );
        assert_eq!(lines.next_line().unwrap(), Some(LogLine::Complete(b"z")));
        assert_eq!(lines.next_line().unwrap(), Some(LogLine::TooLong));
        assert_eq!(lines.next_line().unwrap(), None);
    }

    // See: issue 9, "Crash leftovers and storage".
    #[test]
    fn replay_skips_an_event_over_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("message_history.txt");
        let long = Stamped {
            ts: 1_764_072_000,
            event: ChatEvent::Text {
                from: "minh".into(),
                text: "dài quá ".repeat(2_000),
            },
        };
        let mut log = events()[0].to_log_line().unwrap();
        log.extend(long.to_log_line().unwrap());
        log.extend(events()[1].to_log_line().unwrap());
        std::fs::write(&path, log).unwrap();
        let mut replayed = Vec::new();
        replay(&path, |stamped| replayed.push(stamped)).unwrap();
        assert_eq!(replayed, events()[..2]);
    }

    #[test]
    fn missing_log_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mut count = 0;
        replay(&dir.path().join("none.txt"), |_| count += 1).unwrap();
        assert_eq!(count, 0);
    }
}
