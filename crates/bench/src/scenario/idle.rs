//! `idle`: N logged-in users doing nothing; what each costs the server.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::client::{Client, connect_all, encode_text, lock, names};
use crate::pool::{MEASURED, Pool};
use crate::report::Report;
use crate::scenario::fanout::{login_section, target_shared};
use crate::scenario::{Env, wait_for_deliveries};
use crate::target::Setup;

/// Runs the scenario once with `clients` users, idle for `settle`.
pub fn run(env: &Env, clients: usize, settle: Duration) -> anyhow::Result<Report> {
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
    let mut login_times = connect_all(
        &connector,
        &names("u", clients),
        env.concurrency,
        &|c: Client| {
            if c.index == 0 {
                *lock(&first) = Some(c.link.try_clone()?);
            }
            pool.add(c, MEASURED)
        },
    )?;
    let login_wall = login_started.elapsed().as_secs_f64();
    crate::scenario::settle(
        &pool.progress,
        Duration::from_millis(300),
        Duration::from_secs(30),
    );
    std::thread::sleep(settle);
    let idle = target.sample();
    // Prove every idle connection still works: one message to all.
    let mut line = Vec::new();
    let micros = epoch.elapsed().as_micros() as u64;
    encode_text(&mut line, &mut String::new(), 0, 0, micros, 64);
    let first = first.into_inner().unwrap_or_else(|e| e.into_inner());
    let sent = first.map(|l| l.write_all(&line)).transpose()?.is_some();
    let expected = if sent { clients as u64 - 1 } else { 0 };
    wait_for_deliveries(
        &pool.progress,
        expected,
        Duration::from_secs(5),
        Instant::now() + Duration::from_secs(20),
        || true,
    );
    let received = pool.stop()?;
    target.stop();

    let mut report = Report::new("idle");
    report.set("transport", env.transport());
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
