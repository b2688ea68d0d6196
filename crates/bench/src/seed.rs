//! A data dir with a long past: writes the `message_history.txt` of a
//! server from before the store, which the server imports into its
//! database on first start. That is the quickest honest way to get a
//! million stored events (each goes through the import's inserts, the same
//! tables and indexes as live ones), and it times the import on the way.
//!
//! The log is deterministic for a given size: 200 authors `h0`…`h199`
//! (none of them a simulated user, so a simulated user sees only
//! `#general`), about 5 % direct messages between random pairs of them
//! (so the database holds thousands of direct conversations, as a busy
//! server's would), a file share every 50,000 events, a `JOIN`/`LEAVE`
//! pair every 1000 events, texts of 20 to 200 bytes, and one event every
//! 30 s ending now. The last 200 events are all in `#general`, so the
//! newest page of `#general` is 200 events deep.
//!
//! With an [`Inbox`], a fifth of the other events are direct messages
//! between the inbox's users `i0`, `i1`, … and their partners `h0`, `h1`,
//! … (either way round), so each inbox user has a direct conversation with
//! every partner, hundreds of events deep, besides `#general`.
//!
//! [`write_log_texts`] writes the same log with a caller's texts (the
//! `search` scenario's words), in place of the default ones.
//!
//! Line format (the store's `chat_log`): `<RFC 3339 UTC>|KIND|fields…`.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Authors of the seeded events.
pub const AUTHORS: u64 = 200;

/// Seconds between two seeded events.
const STEP_SECS: u64 = 30;

/// The users of an [`Inbox`] are named this and a number.
pub const INBOX_PREFIX: &str = "i";

/// Users with many direct conversations: `users` users `i0`…, each talking
/// with the same `partners` authors `h0`… (at most [`AUTHORS`]).
#[derive(Debug, Clone, Copy)]
pub struct Inbox {
    /// Inbox users.
    pub users: u64,
    /// Partners of each.
    pub partners: u64,
}

/// What [`write_log`] wrote.
#[derive(Debug, Clone, Copy, Default)]
pub struct Seeded {
    /// Event lines (`TEXT`, `DM`, `FILE`): what the import stores.
    pub events: u64,
    /// Every line, `JOIN` and `LEAVE` included.
    pub lines: u64,
    /// Events in `#general`.
    pub general: u64,
    /// Direct messages between the inbox's users and their partners.
    pub inbox: u64,
    /// The log's size in bytes.
    pub bytes: u64,
}

/// Writes `data_dir/message_history.txt` with `events` events (creating
/// the directory), and nothing else: the server's first start imports it.
pub fn write_log(data_dir: &Path, events: u64) -> io::Result<Seeded> {
    write_log_with(data_dir, events, None)
}

/// [`write_log`], with an inbox's direct conversations among the events.
pub fn write_log_with(data_dir: &Path, events: u64, inbox: Option<Inbox>) -> io::Result<Seeded> {
    write(data_dir, events, inbox, &mut fill)
}

/// [`write_log`], each message's text (a `TEXT` or a `DM`) written by
/// `text` in the order of the log, instead of the default words.
pub fn write_log_texts(
    data_dir: &Path,
    events: u64,
    text: &mut dyn FnMut(&mut String),
) -> io::Result<Seeded> {
    write(data_dir, events, None, &mut |out, _, _| text(out))
}

/// Writes the log; `fill(text, random, i)` writes the text of event `i`.
fn write(
    data_dir: &Path,
    events: u64,
    inbox: Option<Inbox>,
    fill: &mut dyn FnMut(&mut String, &mut XorShift, u64),
) -> io::Result<Seeded> {
    fs::create_dir_all(data_dir)?;
    let path = data_dir.join("message_history.txt");
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&path)?);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let first_ts = now.saturating_sub(events * STEP_SECS);
    let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut seeded = Seeded::default();
    let mut text = String::new();
    for i in 0..events {
        let ts = first_ts + i * STEP_SECS;
        let time = rfc3339(ts);
        let author = random.below(AUTHORS);
        if i % 1000 == 0 {
            writeln!(out, "{time}|JOIN|h{author}")?;
            seeded.lines += 1;
        }
        let tail = events - i <= 200;
        let roll = random.below(1000);
        if !tail && i % 50_000 == 25_000 {
            let n = i / 50_000;
            writeln!(
                out,
                "{time}|FILE|h{author}|seed-{n}.txt|{}|{:064x}",
                1000 + n,
                u128::from(n) + 1
            )?;
            seeded.general += 1;
        } else if let Some(inbox) = inbox.filter(|_| !tail && roll >= 800) {
            let user = random.below(inbox.users);
            let partner = random.below(inbox.partners.clamp(1, AUTHORS));
            fill(&mut text, &mut random, i);
            if roll.is_multiple_of(2) {
                writeln!(out, "{time}|DM|{INBOX_PREFIX}{user}|h{partner}|{text}")?;
            } else {
                writeln!(out, "{time}|DM|h{partner}|{INBOX_PREFIX}{user}|{text}")?;
            }
            seeded.inbox += 1;
        } else if !tail && roll < 50 {
            let to = (author + 1 + random.below(AUTHORS - 1)) % AUTHORS;
            fill(&mut text, &mut random, i);
            writeln!(out, "{time}|DM|h{author}|h{to}|{text}")?;
        } else {
            fill(&mut text, &mut random, i);
            writeln!(out, "{time}|TEXT|h{author}|{text}")?;
            seeded.general += 1;
        }
        seeded.events += 1;
        seeded.lines += 1;
        if i % 1000 == 999 {
            writeln!(out, "{time}|LEAVE|h{author}")?;
            seeded.lines += 1;
        }
    }
    out.flush()?;
    seeded.bytes = out.get_ref().metadata()?.len();
    Ok(seeded)
}

/// A message text of 20 to 200 bytes: words, the event's number, padding.
fn fill(text: &mut String, random: &mut XorShift, i: u64) {
    use std::fmt::Write as _;
    const WORDS: [&str; 12] = [
        "hello",
        "the",
        "build",
        "is",
        "green",
        "again",
        "see",
        "you",
        "at",
        "lunch",
        "xin chào",
        "Đăng",
    ];
    text.clear();
    let _ = write!(text, "event {i}:");
    let len = 20 + random.below(181) as usize;
    while text.len() < len {
        text.push(' ');
        text.push_str(WORDS[random.below(WORDS.len() as u64) as usize]);
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds `ts` (the log's time format).
pub fn rfc3339(ts: u64) -> String {
    let days = (ts / 86_400) as i64;
    let secs = ts % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// A small deterministic generator (xorshift64*): the same log every run.
pub struct XorShift(pub u64);

impl XorShift {
    /// The next value.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_825_599), "2000-02-29T11:59:59Z");
        assert_eq!(rfc3339(1_764_072_000), "2025-11-25T12:00:00Z");
    }

    #[test]
    fn the_log_holds_what_it_says() {
        let dir = tempfile::tempdir().unwrap();
        let seeded = write_log(dir.path(), 3000).unwrap();
        let log = fs::read_to_string(dir.path().join("message_history.txt")).unwrap();
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len() as u64, seeded.lines);
        let kind = |k: &str| lines.iter().filter(|l| l.contains(k)).count() as u64;
        assert_eq!(kind("|TEXT|") + kind("|DM|") + kind("|FILE|"), 3000);
        assert_eq!(kind("|TEXT|") + kind("|FILE|"), seeded.general);
        assert_eq!(kind("|JOIN|"), 3);
        assert_eq!(kind("|LEAVE|"), 3);
        assert!(kind("|DM|") > 100);
        assert!(
            lines[lines.len() - 201..]
                .iter()
                .all(|l| !l.contains("|DM|"))
        );
        assert_eq!(seeded.bytes, log.len() as u64);
        assert_eq!(seeded.inbox, 0);
    }

    #[test]
    fn an_inbox_talks_with_every_partner() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = Inbox {
            users: 2,
            partners: 10,
        };
        let seeded = write_log_with(dir.path(), 5000, Some(inbox)).unwrap();
        let log = fs::read_to_string(dir.path().join("message_history.txt")).unwrap();
        let with = |a: &str, b: &str| {
            log.lines()
                .filter(|l| {
                    l.contains(&format!("|DM|{a}|{b}|")) || l.contains(&format!("|DM|{b}|{a}|"))
                })
                .count()
        };
        let mut total = 0;
        for user in ["i0", "i1"] {
            for partner in 0..10 {
                let n = with(user, &format!("h{partner}"));
                assert!(n > 10, "{user} and h{partner}: {n}");
                total += n as u64;
            }
            assert_eq!(with(user, "h10"), 0);
        }
        assert_eq!(total, seeded.inbox);
        assert!(
            seeded.inbox > 800 && seeded.inbox < 1200,
            "{}",
            seeded.inbox
        );
        assert_eq!(log.lines().filter(|l| l.contains("|DM|i0|i1|")).count(), 0);
    }
}
