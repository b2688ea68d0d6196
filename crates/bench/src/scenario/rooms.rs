//! `rooms`: many rooms at once, or one big room, over version 3.
//!
//! `rooms × members` users log in (`HELLO|3`); user `i` belongs to room
//! `#r<i / members>`, whose first user creates it (`CREATE|#r3|public|`)
//! before the others join it (`JOIN|#r3`), each waiting for the `MEMBER`
//! event that says so. Then every user sends `messages` messages to their
//! room (`SEND|seq|#r3|text`), `rate` a second, paced as in `fanout`; the
//! others in the room receive `EVENT|id|ts|#r3|TEXT|from|text`, the sender
//! its `ACK`. Every member must receive every message of its room from
//! the others exactly once and in order, and nothing of any other room:
//! a message from another room's member, or an event naming another room,
//! counts as misdelivered.
//!
//! Issue 11's two shapes: 100 rooms of 20 at 5 msg/s a room (`--rate
//! 0.25` a member), and one room of 1000 members at 1 msg/s each.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::client::{lock, names};
use crate::pool::{MEASURED, Pool};
use crate::report::Report;
use crate::scenario::fanout::{login_section, target_shared};
use crate::scenario::{Env, in_parallel, loadgen_cpu, settle, wait_for_deliveries};
use crate::sender::{Plan, Senders, Writer};
use crate::session3::Session3;
use crate::stats::Integrity;
use crate::target::{Setup, own_cpu_secs};

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Rooms {
    /// Rooms, each with its own members.
    pub rooms: usize,
    /// Members of each room (at least 2).
    pub members: usize,
    /// Messages each member sends.
    pub messages: u64,
    /// Messages per second per member; 0 = as fast as possible.
    pub rate: f64,
    /// Minimum text length in bytes.
    pub payload: usize,
    /// Sender threads.
    pub senders: usize,
}

impl Rooms {
    /// The room user `user` is in, as version 3 writes it.
    fn room_of(&self, user: usize) -> String {
        format!("#r{}", user / self.members)
    }
}

/// Runs the scenario once.
pub fn run(env: &Env, args: Rooms) -> anyhow::Result<Report> {
    let args = Rooms {
        rooms: args.rooms.max(1),
        members: args.members.max(2),
        ..args
    };
    let users = args.rooms * args.members;
    let target = env.start(Setup {
        fast_hash: true,
        max_file_size: 10 << 20,
    })?;
    let connector = env.connector(&target)?;
    let epoch = Instant::now();
    let pool = Pool::start(env.receivers, epoch)?;
    let writers = Mutex::new(Vec::with_capacity(users));
    let user_names = names("m", users);
    // Creators first, so that every room exists before anyone joins it.
    let creators: Vec<usize> = (0..args.rooms).map(|k| k * args.members).collect();
    let joiners: Vec<usize> = (0..users).filter(|i| i % args.members != 0).collect();
    let login_started = Instant::now();
    let mut login_times = Vec::with_capacity(users);
    for (phase, create) in [(&creators, true), (&joiners, false)] {
        login_times.extend(in_parallel(phase.len(), env.concurrency, &|n| {
            let user = phase[n];
            let started = Instant::now();
            let (mut session, _) = Session3::login(&connector, &user_names[user], None)?;
            let room = args.room_of(user);
            let name = &room[1..];
            if create {
                session.create(name)?;
            } else {
                session.join(name)?;
            }
            let micros = started.elapsed().as_micros() as u64;
            let client = session.into_client(user, micros)?;
            lock(&writers).push(Writer {
                sender: user,
                link: client.link.try_clone()?,
                to: Some(room),
            });
            pool.add(client, MEASURED)?;
            Ok(micros)
        })?);
    }
    let login_wall = login_started.elapsed().as_secs_f64();
    // Let the MEMBER events of the joins drain before the clock starts.
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
    let per_room = (args.members * (args.members - 1)) as u64;
    let expected = args.rooms as u64 * per_room * args.messages;
    let schedule = if args.rate > 0.0 {
        args.messages as f64 / args.rate
    } else {
        0.0
    };
    let complete = wait_for_deliveries(
        &pool.progress.distinct,
        expected,
        Duration::from_secs(5),
        start + Duration::from_secs_f64(schedule + 60.0),
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
    let mut integrity = received.integrity(None, users, |r, s| {
        if r != s && r / args.members == s / args.members {
            sent.per_sender.get(s).copied().unwrap_or(0)
        } else {
            0
        }
    });
    integrity.add(Integrity {
        misdelivered: received
            .receivers
            .iter()
            .flat_map(|r| {
                let own = args.room_of(r.index);
                r.conversations
                    .iter()
                    .filter(move |(room, _)| *room != own)
                    .map(|(_, count)| *count)
            })
            .sum(),
        ..Integrity::default()
    });

    let mut report = Report::new("rooms");
    report
        .set("transport", env.transport())
        .set("rooms", args.rooms)
        .set("members", args.members)
        .set("messages_per_member", args.messages)
        .float("rate_per_member", args.rate, 2)
        .float("rate_per_room", args.rate * args.members as f64, 2)
        .set("payload_bytes", args.payload);
    login_section(&mut report, login_wall, &mut login_times);
    report
        .float(
            "offered_deliveries_per_s",
            args.rooms as f64 * per_room as f64 * args.rate,
            0,
        )
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
        .integrity(integrity)
        .float(
            "sender_lag_p99_ms",
            sent.lag.quantile(0.99) as f64 / 1000.0,
            3,
        )
        .server(before, after);
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
