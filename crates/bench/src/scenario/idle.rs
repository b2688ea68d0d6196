//! `idle`: N logged-in users doing nothing; what each costs the server,
//! and how long logging them all in takes.
//!
//! Users speak version 2 (`HELLO|2`, up to `HISTORY_END`) or version 3
//! (`HELLO|3`, up to `SYNCED`), where presence follows conversations
//! instead of reaching everyone. Given several sizes (`--clients
//! 1000,2000,4000`), each runs on a fresh server, one after the other, and
//! the report holds every size's numbers (`c1000_login_wall_s`, …) and
//! `login_wall_ratio`, the largest size's login time over the smallest's:
//! linear growth from 1000 to 4000 users gives 4, quadratic 16.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::client::{Client, Composer, connect_all, lock, names};
use crate::pool::{MEASURED, Pool};
use crate::report::Report;
use crate::scenario::fanout::{login_section, target_shared};
use crate::scenario::{Env, in_parallel, wait_for_deliveries};
use crate::session3::Session3;
use crate::target::Setup;

/// What to run.
#[derive(Debug, Clone)]
pub struct Idle {
    /// Users, one server per size.
    pub clients: Vec<usize>,
    /// How long they stay idle before the server is measured.
    pub settle: Duration,
    /// The protocol version they speak: 2 or 3.
    pub protocol: u64,
}

/// Runs the scenario once (every size once).
pub fn run(env: &Env, args: &Idle) -> anyhow::Result<Report> {
    if let [clients] = args.clients[..] {
        return one_size(env, clients, args);
    }
    let mut report = Report::new("idle");
    let sizes: Vec<String> = args.clients.iter().map(usize::to_string).collect();
    report
        .set("transport", env.transport())
        .set("protocol", args.protocol)
        .set("sizes", sizes.join(","));
    let mut walls = Vec::new();
    for &clients in &args.clients {
        let part = one_size(env, clients, args)?;
        walls.push(
            part.fields()
                .get("login_wall_s")
                .and_then(serde_json::Value::as_f64)
                .unwrap_or(0.0),
        );
        report.absorb(&format!("c{clients}"), &part);
    }
    if let (Some(first), Some(last)) = (walls.first(), walls.last()) {
        report.float("login_wall_ratio", last / first.max(1e-9), 2);
    }
    Ok(report)
}

/// `clients` users log in, stay idle for the settle time, and one message
/// to all of them proves every connection still works.
fn one_size(env: &Env, clients: usize, args: &Idle) -> anyhow::Result<Report> {
    let target = env.start(Setup {
        fast_hash: true,
        max_file_size: 10 << 20,
    })?;
    let connector = env.connector(&target)?;
    let epoch = Instant::now();
    let pool = Pool::start(env.receivers, epoch)?;
    let empty = target.sample();
    let login_started = Instant::now();
    let first = Mutex::new(None);
    let users = names("u", clients);
    let arrive = |c: Client| {
        if c.index == 0 {
            *lock(&first) = Some(c.link.try_clone()?);
        }
        pool.add(c, MEASURED)
    };
    let mut login_times = if args.protocol >= 3 {
        in_parallel(clients, env.concurrency, &|i| {
            let started = Instant::now();
            let (session, _) = Session3::login(&connector, &users[i], None)?;
            let micros = started.elapsed().as_micros() as u64;
            arrive(session.into_client(i, micros)?)?;
            Ok(micros)
        })?
    } else {
        connect_all(&connector, &users, env.concurrency, &arrive)?
    };
    let login_wall = login_started.elapsed().as_secs_f64();
    crate::scenario::settle(
        &pool.progress,
        Duration::from_millis(300),
        Duration::from_secs(30),
    );
    std::thread::sleep(args.settle);
    let idle = target.sample();
    // Prove every idle connection still works: one message to all.
    let mut line = Vec::new();
    let micros = epoch.elapsed().as_micros() as u64;
    let to = (args.protocol >= 3).then_some("#general");
    Composer::default().encode(&mut line, to, (0, 0, micros), 64);
    let first = first.into_inner().unwrap_or_else(|e| e.into_inner());
    let sent = first.map(|l| l.write_all(&line)).transpose()?.is_some();
    let expected = if sent { clients as u64 - 1 } else { 0 };
    wait_for_deliveries(
        &pool.progress.distinct,
        expected,
        Duration::from_secs(5),
        Instant::now() + Duration::from_secs(20),
        || true,
    );
    let received = pool.stop()?;
    target.stop();

    let mut report = Report::new("idle");
    report.set("transport", env.transport());
    report.set("protocol", args.protocol);
    report.set("clients", clients);
    login_section(&mut report, login_wall, &mut login_times);
    if let (Some(empty), Some(idle)) = (empty, idle) {
        let per = (idle.rss_kib as f64 - empty.rss_kib as f64) / clients.max(1) as f64;
        report
            .float("server_rss_empty_mib", empty.rss_kib as f64 / 1024.0, 1)
            .float("server_rss_mib", idle.rss_kib as f64 / 1024.0, 1)
            .float("server_peak_rss_mib", idle.hwm_kib as f64 / 1024.0, 1)
            .float("rss_per_client_kib", per, 1)
            .set("server_threads", idle.threads)
            .float(
                "threads_per_client",
                (idle.threads as f64 - empty.threads as f64) / clients.max(1) as f64,
                2,
            )
            .float("server_cpu_s", idle.cpu_secs - empty.cpu_secs, 2);
    }
    if target_shared(env) {
        report.note("in-process server: memory and threads include the load generator");
    }
    report.latency("wakeup", &received.latency[MEASURED]);
    report.integrity(received.integrity(None, 1, |r, _| u64::from(sent && r != 0)));
    let (error, closed) = received.problems();
    report.set("failures", closed as u64);
    if let Some(e) = error {
        report.note(e);
    }
    Ok(report)
}
