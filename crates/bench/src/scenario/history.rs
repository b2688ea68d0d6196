//! `history`: reading the past of a server with a million stored events.
//!
//! The data dir is seeded with a chat log of `events` events (see `seed`),
//! which the server imports on its first start. Then, version 3 only:
//!
//! - `users` users log in once (registering) and keep the ids of the 100
//!   events their welcome holds, the newest they may see;
//! - `logins` logins follow, `concurrency` at a time, each with
//!   `RESUME|<the id before those 100>`: exactly 100 missed events, no
//!   gap. Each is timed from `LOGIN_OK` to `SYNCED` (as the issue asks:
//!   argon2 excluded), and from `LOGIN` written to `SYNCED`, because the
//!   server reads the whole welcome from its store before it sends
//!   `LOGIN_OK`; the argon2 here is the cheap one (64 KiB, 1 pass). The
//!   backlog must be exactly those 100 ids, in order;
//! - `concurrency` sessions then ask for `pages` pages in all,
//!   `BEFORE|#general|<id>|<limit>` at ids drawn uniformly from the whole
//!   history, each timed from the request to `PAGE_END`; every page must
//!   hold `limit` events, in order, all older than the id asked for.
//!
//! Nothing else happens on the server meanwhile: these are the latencies
//! of the store's reads on a quiet server (warm OS cache: the import has
//! just written the database).

use std::time::Instant;

use media_chat_protocol::Conversation;

use crate::client::names;
use crate::report::Report;
use crate::scenario::{Env, in_parallel};
use crate::seed::{self, XorShift};
use crate::session3::Session3;
use crate::stats::{Histogram, Integrity};
use crate::target::Setup;

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct History {
    /// Events in the seeded log.
    pub events: u64,
    /// Users who log in and resume.
    pub users: usize,
    /// Resuming logins in all.
    pub logins: usize,
    /// Pages in all.
    pub pages: usize,
    /// Events per page.
    pub limit: u64,
    /// Logins, and paging sessions, at once.
    pub concurrency: usize,
}

/// The welcome's history (`--history-len`, default 100): what a login
/// without `RESUME` holds.
const WELCOME_EVENTS: usize = 100;

/// Runs the scenario once.
pub fn run(env: &Env, args: History) -> anyhow::Result<Report> {
    let place = env.scratch()?;
    let seeded = seed::write_log(&place.path().join("data"), args.events)?;
    let target = env.start_in(
        Setup {
            fast_hash: true,
            max_file_size: 10 << 20,
        },
        place.path(),
    )?;
    let import = target.boot;
    let connector = env.connector(&target)?;
    let users = names("r", args.users.max(1));
    let mut problems = Problems::default();

    // Register everyone; each learns where its newest 100 begin.
    let first = in_parallel(users.len(), args.concurrency, &|i| {
        let (session, welcome) = Session3::login(&connector, &users[i], None)?;
        session.quit();
        Ok(welcome)
    })?;
    let Some(welcome) = first.first() else {
        anyhow::bail!("nobody logged in");
    };
    if welcome.version < 3 {
        anyhow::bail!(
            "the server does not speak version 3 (it answered HELLO|{})",
            welcome.version
        );
    }
    let last_id = welcome.last_id;
    let expected = welcome.events.clone();
    if expected.len() != WELCOME_EVENTS {
        problems.add(format!(
            "a first login's welcome held {} events, not {WELCOME_EVENTS}",
            expected.len()
        ));
    }
    let resume_after = expected.first().map_or(0, |id| id.saturating_sub(1));
    let quiet = target.sample();

    let resumes = in_parallel(args.logins, args.concurrency, &|i| {
        let (session, welcome) =
            Session3::login(&connector, &users[i % users.len()], Some(resume_after))?;
        session.quit();
        Ok(welcome)
    })?;
    let (mut from_login_ok, mut from_login) = (Histogram::default(), Histogram::default());
    let mut integrity = Integrity::default();
    for welcome in &resumes {
        integrity.add(Integrity::of_ids(&expected, &welcome.events));
        from_login_ok.record(welcome.synced.as_micros() as u64);
        from_login.record(welcome.since_login().as_micros() as u64);
        if welcome.events != expected || welcome.gaps != 0 || welcome.last_id != last_id {
            problems.add(format!(
                "a resume got {} events ({:?}…), {} gaps, SYNCED|{}; expected {} events from {}, no gap, SYNCED|{last_id}",
                welcome.events.len(),
                welcome.events.first(),
                welcome.gaps,
                welcome.last_id,
                expected.len(),
                resume_after + 1,
            ));
        }
    }
    let after_resumes = target.sample();

    let pagers = args.concurrency.clamp(1, args.pages.max(1));
    let general = Conversation::general();
    let lowest = args.limit * 10;
    let paging_started = Instant::now();
    let pages = in_parallel(pagers, pagers, &|p| {
        let (mut session, _) = Session3::login(&connector, &users[p % users.len()], None)?;
        let mut random = XorShift(0x5DEE_CE66 + p as u64);
        let mut pages = Vec::new();
        for _ in (p..args.pages).step_by(pagers) {
            let before = lowest + random.below(last_id.saturating_sub(lowest) + 2);
            pages.push((before, session.page(&general, before, args.limit)?));
        }
        session.quit();
        Ok(pages)
    })?;
    let paging_wall = paging_started.elapsed();
    let after_pages = target.sample();
    let stop = target.stop();
    let mut page_times = Histogram::default();
    for (before, page) in pages.iter().flatten() {
        page_times.record(page.took.as_micros() as u64);
        let mut order = Integrity::of_ids(&[], &page.events);
        order.lost = args.limit.saturating_sub(page.events.len() as u64);
        integrity.add(order);
        let ordered = page.events.windows(2).all(|w| w[0] < w[1]);
        if page.events.len() as u64 != args.limit || !ordered || page.live > 0 {
            problems.add(format!(
                "BEFORE|#general|{before}|{} got {} events (in order: {ordered}), {} newer",
                args.limit,
                page.events.len(),
                page.live
            ));
        }
    }

    let mut report = Report::new("history");
    report
        .set("transport", env.transport())
        .set("events", seeded.events)
        .set("general_events", seeded.general)
        .set("last_id", last_id)
        .float("import_s", import.as_secs_f64(), 3)
        .float(
            "import_lines_per_s",
            seeded.lines as f64 / import.as_secs_f64().max(1e-9),
            0,
        )
        .set("users", users.len())
        .set("concurrency", args.concurrency)
        .set("resume_events", expected.len())
        .latency("resume", &from_login_ok)
        .latency("resume_from_login", &from_login)
        .set("page_limit", args.limit)
        .latency("page", &page_times)
        .float(
            "pages_per_s",
            page_times.count() as f64 / paging_wall.as_secs_f64().max(1e-9),
            0,
        );
    if let (Some(quiet), Some(resumed), Some(paged)) = (quiet, after_resumes, after_pages) {
        report
            .float("resume_server_cpu_s", resumed.cpu_secs - quiet.cpu_secs, 2)
            .float("page_server_cpu_s", paged.cpu_secs - resumed.cpu_secs, 2)
            .set("server_threads", paged.threads)
            .float("server_rss_mib", paged.rss_kib as f64 / 1024.0, 1)
            .float("server_peak_rss_mib", paged.hwm_kib as f64 / 1024.0, 1);
    }
    report
        .integrity(integrity)
        .float("stop_s", stop.as_secs_f64(), 3);
    if crate::scenario::fanout::target_shared(env) {
        report.note("in-process server: CPU and memory include the load generator");
    }
    problems.finish(&mut report);
    Ok(report)
}

/// Wrong answers: counted, the first few kept for the report.
#[derive(Default)]
pub struct Problems {
    count: u64,
    first: Vec<String>,
}

impl Problems {
    /// Records one.
    pub fn add(&mut self, problem: String) {
        self.count += 1;
        if self.first.len() < 3 {
            self.first.push(problem);
        }
    }

    /// Adds `failures` (and notes) to the report.
    pub fn finish(self, report: &mut Report) {
        report.set("failures", self.count);
        for problem in self.first {
            report.note(problem);
        }
    }
}
