//! `login`: a storm of first logins (registrations, with the server's
//! default argon2 cost) while a small room already online keeps chatting;
//! the room's latency shows whether the storm stalls it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::client::{Client, connect_all, lock, names};
use crate::pool::{BYSTANDER, MEASURED, Pool};
use crate::report::Report;
use crate::scenario::fanout::{login_section, target_shared};
use crate::scenario::{Env, wait_for_deliveries};
use crate::sender::{Plan, Senders, Writer};
use crate::target::Setup;

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Login {
    /// Users logging in during the storm.
    pub clients: usize,
    /// Logins in flight at once.
    pub concurrency: usize,
    /// Users already online and chatting.
    pub room: usize,
    /// Messages per second per room user.
    pub room_rate: f64,
}

/// Runs the scenario once.
pub fn run(env: &Env, args: Login) -> anyhow::Result<Report> {
    let room = args.room.max(2);
    let target = env.start(Setup {
        fast_hash: env.fast_hash,
        max_file_size: 10 << 20,
    })?;
    let connector = env.connector(&target)?;
    let epoch = Instant::now();
    let pool = Pool::start(env.receivers, epoch)?;
    let writers = Mutex::new(Vec::new());
    connect_all(&connector, &names("r", room), room, &|c: Client| {
        lock(&writers).push(Writer {
            sender: c.index,
            link: c.link.try_clone()?,
            to: None,
        });
        pool.add(c, MEASURED)
    })?;
    let mut writers = writers.into_inner().unwrap_or_else(|e| e.into_inner());
    writers.sort_by_key(|w| w.sender);
    let chat = Senders::start(
        writers,
        Plan {
            rate: args.room_rate,
            messages: u64::MAX,
            payload: 64,
            start: Instant::now(),
            epoch,
        },
        1,
    )?;
    std::thread::sleep(Duration::from_millis(300));

    let before = target.sample();
    let storm_started = Instant::now();
    let mut times = connect_all(
        &connector,
        &names("s", args.clients),
        args.concurrency,
        &|c: Client| pool.add(c, BYSTANDER),
    );
    let storm_wall = storm_started.elapsed().as_secs_f64();
    let after = target.sample();
    std::thread::sleep(Duration::from_millis(300));
    chat.stop();
    let sent = chat.join()?;
    let expected: u64 = sent.per_sender.iter().sum::<u64>() * (room as u64 - 1);
    // Let the last messages land: until nothing new arrives for 0.5 s.
    wait_for_deliveries(
        &pool.progress.distinct,
        u64::MAX,
        Duration::from_millis(500),
        Instant::now() + Duration::from_secs(10),
        || true,
    );
    let received = pool.stop()?;
    target.stop();
    let times = times.as_mut().map_err(|e| anyhow::anyhow!("{e:#}"))?;

    let mut report = Report::new("login");
    report
        .set("transport", env.transport())
        .set("clients", args.clients)
        .set("concurrency", args.concurrency)
        .set(
            "argon2",
            if env.fast_hash {
                "fast"
            } else {
                "default (19 MiB, t=2)"
            },
        )
        .set("room", room)
        .float("room_rate", args.room_rate, 1);
    login_section(&mut report, storm_wall, times);
    report
        .latency("room", &received.latency[MEASURED])
        .integrity(received.integrity(Some(MEASURED), room, |r, s| {
            if r == s {
                0
            } else {
                sent.per_sender.get(s).copied().unwrap_or(0)
            }
        }))
        .set("room_expected", expected)
        .server(before, after);
    if target_shared(env) {
        report.note("in-process server: CPU and memory include the load generator");
    }
    let (error, closed) = received.problems();
    report.set("failures", closed as u64 + u64::from(sent.error.is_some()));
    if let Some(e) = sent.error.or(error) {
        report.note(e);
    }
    Ok(report)
}
