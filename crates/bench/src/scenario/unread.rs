//! `unread`: logging in to 200 conversations over a million stored events.
//!
//! The data dir is seeded with a chat log of `events` events (see `seed`)
//! with an inbox: `users` users `i0`… each with a direct conversation with
//! the same `conversations - 1` partners, a few hundred events deep, so
//! with `#general` each is in `conversations` conversations. The server
//! imports it on its first start. Then, version 3 only:
//!
//! - the partners log in once, registering the accounts the log names;
//! - each inbox user logs in once (registering, which marks `#general`
//!   read), pages the newest 200 events of every direct conversation
//!   (`BEFORE|@h3|0|200`) and moves its read position there (`READ`) so
//!   that a quarter of them have nothing unread, a quarter a few events, a
//!   quarter dozens, and a quarter stay unread from the start (mostly
//!   "99+"); the unread count the server must give each is worked out
//!   from the page (events by the partner after the position, at most
//!   100). A user `b0`, in `#general` only, gives the baseline;
//! - `logins` logins, `concurrency` at a time, round robin over the inbox
//!   users, each with `RESUME|<the newest id>`: the welcome holds the
//!   `CONV` line of every conversation with its counts, the `READ`
//!   positions, and no backlog. Every count must be the expected one;
//! - as many logins without `RESUME`: the same, plus the newest 100
//!   events over all 200 conversations;
//! - as many logins of `b0` with `RESUME`: the cost of a login with one
//!   conversation (connection, cheap argon2, `LIMITS`, `USERS`).
//!
//! Each is timed from `LOGIN` written to `SYNCED` read. The server reads
//! the whole welcome from its store, counts included, before it sends
//! `LOGIN_OK` with it, so `LOGIN_OK` → `SYNCED` (also reported) holds
//! none of that work: the "from `LOGIN_OK`, argon2 excluded" is
//! the time from `LOGIN` less the password check, which here is the cheap
//! argon2 (64 KiB, 1 pass) and is in the baseline.

use media_chat_protocol::Conversation;

use crate::client::names;
use crate::report::Report;
use crate::scenario::history::Problems;
use crate::scenario::{Env, in_parallel};
use crate::seed::{self, INBOX_PREFIX, Inbox};
use crate::session3::{Page3, Session3, Welcome3};
use crate::stats::Histogram;
use crate::target::Setup;

/// The most a `CONV` line counts, unread or mentions (docs/PROTOCOL.md:
/// "each is counted up to 100, to show as 99+").
const UNREAD_CAP: u64 = 100;

/// Events per page when placing the read positions (the protocol's most).
const PAGE: u64 = 200;

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Unread {
    /// Events in the seeded log.
    pub events: u64,
    /// Inbox users.
    pub users: usize,
    /// Conversations of each inbox user, `#general` included (2 to 201).
    pub conversations: usize,
    /// Logins of each kind.
    pub logins: usize,
    /// Logins at once.
    pub concurrency: usize,
}

/// One conversation's `CONV` count as the server must give it.
type Expected = Vec<(Conversation, Option<u64>)>;

/// Runs the scenario once.
pub fn run(env: &Env, args: Unread) -> anyhow::Result<Report> {
    let partners = args.conversations.clamp(2, seed::AUTHORS as usize + 1) - 1;
    let inbox = Inbox {
        users: args.users.max(1) as u64,
        partners: partners as u64,
    };
    let place = env.scratch()?;
    let seeded = seed::write_log_with(&place.path().join("data"), args.events, Some(inbox))?;
    let target = env.start_in(
        Setup {
            fast_hash: true,
            max_file_size: 10 << 20,
        },
        place.path(),
    )?;
    let import = target.boot;
    let connector = env.connector(&target)?;
    let users = names(INBOX_PREFIX, args.users.max(1));
    let baseline_user = "b0";
    let mut problems = Problems::default();

    // The partners wrote in the log but have no account yet: without one,
    // their conversations cannot be paged.
    let partner_names = names("h", partners);
    in_parallel(partners, env.concurrency, &|p| {
        Session3::login(&connector, &partner_names[p], None)?
            .0
            .quit();
        Ok(())
    })?;
    // Place every inbox user's read positions; learn what each count must be.
    let placed = in_parallel(users.len(), args.concurrency, &|u| {
        let (mut session, welcome) = Session3::login(&connector, &users[u], None)?;
        if welcome.version < 3 {
            anyhow::bail!(
                "the server does not speak version 3 (it answered HELLO|{})",
                welcome.version
            );
        }
        let mut expected: Expected = Vec::new();
        let mut j = 0;
        for line in &welcome.conversations {
            if line.conversation == Conversation::general() {
                expected.push((line.conversation.clone(), Some(0)));
                continue;
            }
            let page = session.page(&line.conversation, 0, PAGE)?;
            let (read, count) = read_point(&page, keep_unread(j), &users[u]);
            if let Some(id) = read {
                session.read_up_to(&line.conversation, id)?;
            }
            expected.push((line.conversation.clone(), count));
            j += 1;
        }
        session.quit();
        Ok((welcome.conversations.len(), expected))
    })?;
    let (_, baseline) = Session3::login(&connector, baseline_user, None)?;
    let last_id = baseline.last_id;
    for (u, (seen, _)) in placed.iter().enumerate() {
        if *seen != args.conversations {
            problems.add(format!(
                "{} is in {seen} conversations, not {}",
                users[u], args.conversations
            ));
        }
    }
    // `READ` has no answer: wait until the store has every position.
    for (u, (_, expected)) in placed.iter().enumerate() {
        let mut tries = 0;
        loop {
            let (session, welcome) = Session3::login(&connector, &users[u], Some(last_id))?;
            session.quit();
            if mismatches(&welcome, expected).is_none() {
                break;
            }
            tries += 1;
            if tries == 50 {
                problems.add(format!(
                    "{}'s counts never became the expected ones: {}",
                    users[u],
                    mismatches(&welcome, expected).unwrap_or_default()
                ));
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
    let quiet = target.sample();

    let timed = |who: &(dyn Fn(usize) -> (String, Option<u64>) + Sync)| {
        in_parallel(args.logins, args.concurrency, &|i| {
            let (name, resume) = who(i);
            let (session, welcome) = Session3::login(&connector, &name, resume)?;
            session.quit();
            Ok((i, welcome))
        })
    };
    let inbox_user = |i: usize| users[i % users.len()].clone();
    let resumed = timed(&|i| (inbox_user(i), Some(last_id)))?;
    let after_resumed = target.sample();
    let fresh = timed(&|i| (inbox_user(i), None))?;
    let after_fresh = target.sample();
    let base = timed(&|_| (baseline_user.to_owned(), Some(last_id)))?;
    let after_base = target.sample();
    let stop = target.stop();

    let mut report = Report::new("unread");
    report
        .set("transport", env.transport())
        .set("events", seeded.events)
        .set("inbox_events", seeded.inbox)
        .float("import_s", import.as_secs_f64(), 3)
        .set("users", users.len())
        .set("conversations", args.conversations)
        .set("concurrency", args.concurrency);
    let kinds = [
        ("resume", &resumed, quiet, after_resumed),
        ("welcome", &fresh, after_resumed, after_fresh),
        ("baseline", &base, after_fresh, after_base),
    ];
    for (kind, welcomes, before, after) in kinds {
        let (mut from_login, mut from_login_ok) = (Histogram::default(), Histogram::default());
        let mut events = 0;
        for (i, welcome) in welcomes {
            from_login.record(welcome.since_login().as_micros() as u64);
            from_login_ok.record(welcome.synced.as_micros() as u64);
            events += welcome.events.len();
            if kind == "baseline" {
                if welcome.conversations.len() != 1 {
                    problems.add(format!(
                        "{baseline_user} is in {} conversations, not 1",
                        welcome.conversations.len()
                    ));
                }
                continue;
            }
            let (name, expected) = (&users[i % users.len()], &placed[i % users.len()].1);
            if let Some(wrong) = mismatches(welcome, expected) {
                problems.add(format!("{kind} of {name}: {wrong}"));
            }
        }
        report
            .latency(&format!("{kind}_from_login"), &from_login)
            .latency(&format!("{kind}_from_login_ok"), &from_login_ok)
            .float(
                &format!("{kind}_events_per_login"),
                events as f64 / welcomes.len().max(1) as f64,
                1,
            );
        if let (Some(before), Some(after)) = (before, after) {
            report.float(
                &format!("{kind}_server_cpu_ms_per_login"),
                (after.cpu_secs - before.cpu_secs) * 1000.0 / welcomes.len().max(1) as f64,
                3,
            );
        }
    }
    let capped = placed
        .iter()
        .flat_map(|(_, expected)| expected)
        .filter(|(_, count)| *count == Some(UNREAD_CAP))
        .count();
    let unknown = placed
        .iter()
        .flat_map(|(_, expected)| expected)
        .filter(|(_, count)| count.is_none())
        .count();
    report
        .set("conversations_at_99_plus", capped)
        .set("conversations_unchecked", unknown);
    if let Some(after) = after_base {
        report
            .set("server_threads", after.threads)
            .float("server_rss_mib", after.rss_kib as f64 / 1024.0, 1)
            .float("server_peak_rss_mib", after.hwm_kib as f64 / 1024.0, 1);
    }
    report.float("stop_s", stop.as_secs_f64(), 3);
    if crate::scenario::fanout::target_shared(env) {
        report.note("in-process server: CPU and memory include the load generator");
    }
    problems.finish(&mut report);
    Ok(report)
}

/// How many of the newest events of the `j`-th direct conversation stay
/// unread: `None` leaves it unread from the start; else a quarter none, a
/// quarter 5 to 24, a quarter 30 to 119.
fn keep_unread(j: usize) -> Option<usize> {
    match j % 4 {
        0 => None,
        1 => Some(0),
        2 => Some(5 + j % 20),
        _ => Some(30 + j % 90),
    }
}

/// Where to put `user`'s read position in a conversation whose newest
/// events are `page` (oldest first) so that the `keep` newest stay unread:
/// the id to send `READ` with (`None`: leave the position at the start),
/// and the unread count the server must then give, capped at 100 (`None`
/// when the page does not reach back far enough to tell).
fn read_point(page: &Page3, keep: Option<usize>, user: &str) -> (Option<u64>, Option<u64>) {
    let by_others = |from: usize| {
        let n = page.authors[from..]
            .iter()
            .filter(|a| a.as_deref().is_some_and(|a| a != user))
            .count() as u64;
        n.min(UNREAD_CAP)
    };
    let n = page.events.len();
    match keep {
        None => {
            let all = by_others(0);
            let known = all == UNREAD_CAP || !page.more;
            (None, known.then_some(all))
        }
        Some(_) if n == 0 => (None, Some(0)),
        Some(keep) => {
            let at = n - 1 - keep.min(n - 1);
            (Some(page.events[at]), Some(by_others(at + 1)))
        }
    }
}

/// What in `welcome`'s `CONV` lines differs from `expected` (a count of
/// `None` is not checked), or `None` if nothing does.
fn mismatches(welcome: &Welcome3, expected: &Expected) -> Option<String> {
    let mut wrong = Vec::new();
    if welcome.conversations.len() != expected.len() {
        wrong.push(format!(
            "{} CONV lines, not {}",
            welcome.conversations.len(),
            expected.len()
        ));
    }
    for (conversation, count) in expected {
        let line = welcome
            .conversations
            .iter()
            .find(|line| line.conversation == *conversation);
        match (line, count) {
            (None, _) => wrong.push(format!("no CONV for {conversation}")),
            (Some(line), Some(count)) if line.unread != *count => wrong.push(format!(
                "{conversation}: {} unread, not {count}",
                line.unread
            )),
            _ => {}
        }
    }
    (!wrong.is_empty()).then(|| {
        let shown: Vec<String> = wrong.iter().take(3).cloned().collect();
        format!("{} wrong: {}", wrong.len(), shown.join("; "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session3::ConvLine;

    fn page(authors: &[&str], more: bool) -> Page3 {
        Page3 {
            events: (0..authors.len() as u64).map(|i| 10 + i).collect(),
            authors: authors
                .iter()
                .map(|a| (!a.is_empty()).then(|| a.to_string()))
                .collect(),
            more,
            ..Page3::default()
        }
    }

    #[test]
    fn a_read_point_leaves_the_newest_unread_and_counts_only_others() {
        let p = page(&["h1", "i0", "h1", "i0", "h1"], true);
        // Keep 3: read up to the 2nd event (id 11); then h1, i0, h1.
        assert_eq!(read_point(&p, Some(3), "i0"), (Some(11), Some(2)));
        assert_eq!(read_point(&p, Some(0), "i0"), (Some(14), Some(0)));
        // More kept than the page holds: read up to its first event.
        assert_eq!(read_point(&p, Some(9), "i0"), (Some(10), Some(2)));
        assert_eq!(
            read_point(&page(&[], false), Some(2), "i0"),
            (None, Some(0))
        );
    }

    #[test]
    fn edits_and_deletes_are_not_counted() {
        // "" stands for an edit, a delete or a deleted message.
        let p = page(&["h1", "", "h1", ""], false);
        assert_eq!(read_point(&p, None, "i0"), (None, Some(2)));
        assert_eq!(read_point(&p, Some(2), "i0"), (Some(11), Some(1)));
    }

    #[test]
    fn a_conversation_left_unread_is_known_only_when_the_page_tells() {
        let short = page(&["h1", "i0", "h1"], false);
        assert_eq!(read_point(&short, None, "i0"), (None, Some(2)));
        let deep = page(&["h1", "i0", "h1"], true);
        assert_eq!(read_point(&deep, None, "i0"), (None, None));
        let many: Vec<&str> = vec!["h1"; 150];
        assert_eq!(
            read_point(&page(&many, true), None, "i0"),
            (None, Some(UNREAD_CAP))
        );
        assert_eq!(
            read_point(&page(&many, false), Some(120), "i0"),
            (Some(10 + 29), Some(UNREAD_CAP))
        );
    }

    #[test]
    fn the_kept_counts_cover_nothing_few_many_and_all() {
        let kept: Vec<Option<usize>> = (0..8).map(keep_unread).collect();
        assert_eq!(
            kept,
            [
                None,
                Some(0),
                Some(7),
                Some(33),
                None,
                Some(0),
                Some(11),
                Some(37)
            ]
        );
        assert!((0..400).filter_map(keep_unread).all(|k| k < PAGE as usize));
    }

    #[test]
    fn counts_are_compared_per_conversation() {
        let line = |name: &str, unread| ConvLine {
            conversation: Conversation::Direct(name.into()),
            unread,
            mentions: 0,
        };
        let welcome = Welcome3 {
            conversations: vec![line("h0", 3), line("h1", 100)],
            ..Welcome3::default()
        };
        let expected = |a, b| {
            vec![
                (Conversation::Direct("h0".into()), a),
                (Conversation::Direct("h1".into()), b),
            ]
        };
        assert_eq!(mismatches(&welcome, &expected(Some(3), Some(100))), None);
        assert_eq!(mismatches(&welcome, &expected(Some(3), None)), None);
        let wrong = mismatches(&welcome, &expected(Some(4), None)).unwrap();
        assert!(wrong.contains("@h0: 3 unread, not 4"), "{wrong}");
        let missing = vec![(Conversation::Direct("h2".into()), None)];
        let wrong = mismatches(&welcome, &missing).unwrap();
        assert!(wrong.contains("2 CONV lines, not 1") && wrong.contains("no CONV for @h2"));
    }
}
