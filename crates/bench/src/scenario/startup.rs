//! `startup`: how fast a server imports a chat log of a million events,
//! and how long a server holding them takes to start.
//!
//! The data dir is seeded with a chat log of `events` events (see `seed`).
//! The first start imports it (lines/s, timed from spawning the server to
//! its `listening on …`); a user logs in (registering) and the server is
//! stopped gracefully, which checkpoints the WAL into the database. Then
//! `restarts` times: the server is started again, with no import or
//! migration pending, and the user logs in at once (`RESUME` at the last
//! id: nothing to catch up on), timed from the spawn to `listening on …`
//! and to `LOGIN_OK` ("accepting logins"); every restart must still hold
//! the same last id. The OS cache is warm (the import has just written
//! the database).

use std::path::Path;
use std::time::{Duration, Instant};

use crate::report::Report;
use crate::scenario::Env;
use crate::scenario::history::Problems;
use crate::seed;
use crate::session3::Session3;
use crate::stats::{Integrity, median};
use crate::target::Setup;

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Startup {
    /// Events in the seeded log.
    pub events: u64,
    /// Starts after the import.
    pub restarts: usize,
}

/// The user who logs in after every start.
const USER: &str = "s0";

/// Runs the scenario once.
pub fn run(env: &Env, args: Startup) -> anyhow::Result<Report> {
    let place = env.scratch()?;
    let data = place.path().join("data");
    let seeded = seed::write_log(&data, args.events)?;
    let setup = Setup {
        fast_hash: true,
        max_file_size: 10 << 20,
    };
    let mut problems = Problems::default();
    // Events the import or a restart lost (ids are 1…events, in order).
    let mut integrity = Integrity::default();

    let target = env.start_in(setup, place.path())?;
    let import = target.boot;
    let connector = env.connector(&target)?;
    let (session, welcome) = Session3::login(&connector, USER, None)?;
    session.quit();
    let v3 = welcome.version >= 3;
    let last_id = welcome.last_id;
    if v3 {
        integrity.lost += seeded.events.saturating_sub(last_id);
    }
    if v3 && last_id != seeded.events {
        problems.add(format!(
            "after the import the last id is {last_id}, not {}",
            seeded.events
        ));
    }
    let first_stop = target.stop();
    let wal_bytes = file_len(&data.join("media-chat.db-wal"));
    let db_bytes = file_len(&data.join("media-chat.db"));

    let (mut listening, mut accepting, mut stops) = (Vec::new(), Vec::new(), Vec::new());
    let mut sample = None;
    for _ in 0..args.restarts {
        let target = env.start_in(setup, place.path())?;
        let connector = env.connector(&target)?;
        let asked = Instant::now();
        let (session, welcome) = Session3::login(&connector, USER, v3.then_some(last_id))?;
        let accepted = (asked - target.spawned) + welcome.connect + welcome.login_ok;
        session.quit();
        if v3 {
            integrity.lost += last_id.saturating_sub(welcome.last_id);
            integrity.duplicated += welcome.events.len() as u64;
        }
        if v3 && (welcome.last_id != last_id || !welcome.events.is_empty()) {
            problems.add(format!(
                "after a restart: SYNCED|{} and {} events to catch up on; expected SYNCED|{last_id} and none",
                welcome.last_id,
                welcome.events.len()
            ));
        }
        sample = target.sample().or(sample);
        listening.push(ms(target.boot));
        accepting.push(ms(accepted));
        stops.push(ms(target.stop()));
    }

    let mut report = Report::new("startup");
    report
        .set("transport", env.transport())
        .set("events", seeded.events)
        .set("log_lines", seeded.lines)
        .float("log_mib", seeded.bytes as f64 / (1 << 20) as f64, 1)
        .float("import_s", import.as_secs_f64(), 3)
        .float(
            "import_lines_per_s",
            seeded.lines as f64 / import.as_secs_f64().max(1e-9),
            0,
        )
        .float(
            "import_events_per_s",
            seeded.events as f64 / import.as_secs_f64().max(1e-9),
            0,
        )
        .float("first_login_ms", ms(welcome.since_login()), 2)
        .float("first_stop_s", first_stop.as_secs_f64(), 3)
        .float("db_mib", db_bytes as f64 / (1 << 20) as f64, 1)
        .set("wal_bytes_after_stop", wal_bytes)
        .set("restarts", listening.len())
        .float("start_listening_ms", median(&mut listening.clone()), 2)
        .float("start_listening_max_ms", max(&listening), 2)
        .float("start_login_ms", median(&mut accepting.clone()), 2)
        .float("start_login_max_ms", max(&accepting), 2)
        .float("stop_ms", median(&mut stops), 2)
        .integrity(integrity);
    if let Some(sample) = sample {
        report.set("server_threads", sample.threads).float(
            "server_rss_mib",
            sample.rss_kib as f64 / 1024.0,
            1,
        );
    }
    if !v3 {
        report.note("the server speaks no version 3: logins without RESUME, ids unchecked");
    }
    if crate::scenario::fanout::target_shared(env) {
        report.note("in-process server: the start is Server::open and bind; memory includes the load generator");
    }
    problems.finish(&mut report);
    Ok(report)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(0.0, f64::max)
}

/// A file's size, 0 if it does not exist.
fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}
