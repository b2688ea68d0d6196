//! `fanout`: N users in one room, every one of them sending; each message
//! reaches the N−1 others.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::client::{Client, connect_all, lock, names};
use crate::pool::{MEASURED, Pool};
use crate::report::Report;
use crate::scenario::{Env, loadgen_cpu, settle, wait_for_deliveries};
use crate::sender::{Plan, Senders, Writer};
use crate::stats::percentiles;
use crate::target::{Setup, own_cpu_secs};

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Fanout {
    /// Users in the room.
    pub clients: usize,
    /// Messages each user sends.
    pub messages: u64,
    /// Messages per second per user; 0 = as fast as possible.
    pub rate: f64,
    /// Minimum text length in bytes.
    pub payload: usize,
    /// Sender threads (paced mode).
    pub senders: usize,
}

/// Runs the scenario once.
pub fn run(env: &Env, args: Fanout) -> anyhow::Result<Report> {
    let n = args.clients.max(2);
    let target = env.start(Setup {
        fast_hash: true,
        max_file_size: 10 << 20,
    })?;
    let connector = env.connector(&target)?;
    let epoch = Instant::now();
    let pool = Pool::start(env.receivers, epoch)?;
    let writers = Mutex::new(Vec::with_capacity(n));
    let login_started = Instant::now();
    let mut login_times =
        connect_all(&connector, &names("u", n), env.concurrency, &|c: Client| {
            lock(&writers).push(Writer {
                sender: c.index,
                link: c.link.try_clone()?,
                to: None,
            });
            pool.add(c, MEASURED)
        })?;
    let login_wall = login_started.elapsed().as_secs_f64();
    // Let the JOINED announcements drain before the clock starts.
    settle(
        &pool.progress,
        Duration::from_millis(300),
        Duration::from_secs(30),
    );

    let before = target.sample();
    let cpu_before = own_cpu_secs();
    let start = Instant::now() + Duration::from_millis(20);
    let plan = Plan {
        rate: args.rate,
        messages: args.messages,
        payload: args.payload,
        start,
        epoch,
    };
    let mut writers = writers.into_inner().unwrap_or_else(|e| e.into_inner());
    writers.sort_by_key(|w| w.sender);
    let senders = Senders::start(writers, plan, args.senders)?;
    let expected = (n * (n - 1)) as u64 * args.messages;
    let schedule = if args.rate > 0.0 {
        args.messages as f64 / args.rate
    } else {
        0.0
    };
    let deadline = start + Duration::from_secs_f64(schedule + 60.0);
    let complete = wait_for_deliveries(
        &pool.progress.distinct,
        expected,
        Duration::from_secs(5),
        deadline,
        || senders.finished(),
    );
    let after = target.sample();
    senders.stop();
    let sent = senders.join()?;
    let progress = pool.progress.clone();
    let received = pool.stop()?;
    target.stop();

    let first = start.duration_since(epoch).as_micros() as u64;
    let last = progress
        .last_text_micros
        .load(std::sync::atomic::Ordering::Relaxed);
    let wall = last.saturating_sub(first) as f64 / 1e6;
    let deliveries = progress.texts.load(std::sync::atomic::Ordering::Relaxed);
    let integrity = received.integrity(None, n, |r, s| {
        if r == s {
            0
        } else {
            sent.per_sender.get(s).copied().unwrap_or(0)
        }
    });

    let mut report = Report::new("fanout");
    report
        .set("transport", env.transport())
        .set("clients", n)
        .set("messages_per_client", args.messages)
        .float("rate_per_client", args.rate, 2)
        .set("payload_bytes", args.payload);
    login_section(&mut report, login_wall, &mut login_times);
    if args.rate > 0.0 {
        report.float(
            "offered_deliveries_per_s",
            (n * (n - 1)) as f64 * args.rate,
            0,
        );
    }
    report
        .set("deliveries", deliveries)
        .set("expected_deliveries", expected)
        .float("seconds", wall, 3)
        .float(
            "deliveries_per_s",
            if wall > 0.0 {
                deliveries as f64 / wall
            } else {
                0.0
            },
            0,
        )
        .latency("latency", &received.latency[MEASURED])
        .integrity(integrity);
    if args.rate > 0.0 {
        report.float(
            "sender_lag_p99_ms",
            sent.lag.quantile(0.99) as f64 / 1000.0,
            3,
        );
    }
    report.server(before, after);
    if target_shared(env) {
        report.note("in-process server: CPU and memory include the load generator");
    }
    loadgen_cpu(&mut report, cpu_before, wall);
    let (error, closed) = received.problems();
    report.set(
        "failures",
        u64::from(!complete) + closed as u64 + u64::from(sent.error.is_some()),
    );
    if let Some(e) = sent.error.or(error) {
        report.note(e);
    }
    if !complete {
        report.note("not every message arrived before the time-out");
    }
    Ok(report)
}

/// Adds login wall time and per-client p50/p99.
pub fn login_section(report: &mut Report, wall: f64, times: &mut [u64]) {
    let (p50, p99, max) = percentiles(times);
    report
        .float("login_wall_s", wall, 3)
        .float(
            "logins_per_s",
            if wall > 0.0 {
                times.len() as f64 / wall
            } else {
                0.0
            },
            1,
        )
        .float("login_p50_ms", p50 as f64 / 1000.0, 2)
        .float("login_p99_ms", p99 as f64 / 1000.0, 2)
        .float("login_max_ms", max as f64 / 1000.0, 2);
}

/// Whether the server shares this process.
pub fn target_shared(env: &Env) -> bool {
    matches!(env.mode, crate::target::Mode::InProcess)
}
