//! The scenarios, one file each, and what they share: the run settings and
//! waiting for deliveries to finish.

pub mod fanout;
pub mod files;
pub mod history;
pub mod idle;
pub mod login;
pub mod reactions;
pub mod rooms;
pub mod search;
pub mod startup;
pub mod unread;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::link::Connector;
use crate::pool::Progress;
use crate::report::Report;
use crate::target::{Launch, Mode, Setup, SyncMode, Target};

/// Settings shared by every scenario.
#[derive(Debug, Clone)]
pub struct Env {
    /// How to reach the server.
    pub mode: Mode,
    /// Where temporary data dirs go (default: the system temp dir).
    pub data_root: Option<PathBuf>,
    /// Cheap argon2 even where a scenario would use the default cost.
    pub fast_hash: bool,
    /// Connections opened at once while logging users in.
    pub concurrency: usize,
    /// Receiver threads in the load generator.
    pub receivers: usize,
    /// Users speak TLS, pinned to the server's certificate.
    pub tls: bool,
    /// The server's `--sync`, if given.
    pub sync: Option<SyncMode>,
}

impl Env {
    /// Starts the server for one scenario, in a fresh data dir.
    pub fn start(&self, setup: Setup) -> anyhow::Result<Target> {
        let launch = Launch {
            sync: self.sync,
            data_root: self.data_root.as_deref(),
        };
        Target::start(&self.mode, setup, launch)
    }

    /// Starts a server on the data dir in `place` (see [`Target::start_in`]).
    pub fn start_in(&self, setup: Setup, place: &Path) -> anyhow::Result<Target> {
        Target::start_in(&self.mode, setup, self.sync, place)
    }

    /// A temporary directory for a data dir the scenario seeds itself.
    pub fn scratch(&self) -> anyhow::Result<tempfile::TempDir> {
        crate::target::data_dir(self.data_root.as_deref())
    }

    /// How users reach `target`: plaintext, or TLS pinned to the
    /// fingerprint of its certificate. Once per target.
    pub fn connector(&self, target: &Target) -> anyhow::Result<Connector> {
        Ok(if self.tls {
            Connector::tls(target.addr, target.tls_fingerprint()?)
        } else {
            Connector::plain(target.addr)
        })
    }

    /// `tls` or `plaintext`, for the reports.
    pub fn transport(&self) -> &'static str {
        if self.tls { "tls" } else { "plaintext" }
    }
}

/// Waits until `arrived` (a [`Progress`] counter: `distinct` messages,
/// say) reaches `expected`, or nothing new arrived for `quiet` once
/// `done_sending()` holds, or `deadline` passes. Returns whether
/// everything arrived.
pub fn wait_for_deliveries(
    arrived: &AtomicU64,
    expected: u64,
    quiet: Duration,
    deadline: Instant,
    done_sending: impl Fn() -> bool,
) -> bool {
    let mut last = arrived.load(Ordering::Relaxed);
    let mut last_change = Instant::now();
    loop {
        let now_seen = arrived.load(Ordering::Relaxed);
        if now_seen >= expected {
            return true;
        }
        let now = Instant::now();
        if now_seen != last {
            last = now_seen;
            last_change = now;
        } else if done_sending() && now - last_change >= quiet {
            return false;
        }
        if now >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(2));
    }
}

/// Waits until nothing has arrived for `quiet` (at most `limit`): lets the
/// announcements of a login wave drain before measuring.
pub fn settle(progress: &Progress, quiet: Duration, limit: Duration) {
    let started = Instant::now();
    let mut last = progress.bytes.load(Ordering::Relaxed);
    let mut since = Instant::now();
    while started.elapsed() < limit {
        thread::sleep(Duration::from_millis(10));
        let now = progress.bytes.load(Ordering::Relaxed);
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() >= quiet {
            return;
        }
    }
}

/// Runs `task(0..count)` on `concurrency` threads, each taking the next
/// index; returns the results in index order, or the first error (the
/// remaining tasks are then skipped).
pub fn in_parallel<T: Send>(
    count: usize,
    concurrency: usize,
    task: &(dyn Fn(usize) -> anyhow::Result<T> + Sync),
) -> anyhow::Result<Vec<T>> {
    use std::sync::Mutex;
    use std::sync::atomic::AtomicUsize;
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(count));
    let failure = Mutex::new(None);
    thread::scope(|scope| -> anyhow::Result<()> {
        for w in 0..concurrency.clamp(1, count.max(1)) {
            let (next, results, failure) = (&next, &results, &failure);
            thread::Builder::new()
                .name(format!("task-{w}"))
                .stack_size(256 * 1024)
                .spawn_scoped(scope, move || {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        if index >= count {
                            return;
                        }
                        match task(index) {
                            Ok(result) => crate::client::lock(results).push((index, result)),
                            Err(e) => {
                                crate::client::lock(failure).get_or_insert(e);
                                next.store(usize::MAX / 2, Ordering::Relaxed);
                                return;
                            }
                        }
                    }
                })?;
        }
        Ok(())
    })?;
    if let Some(e) = crate::client::lock(&failure).take() {
        return Err(e);
    }
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(index, _)| *index);
    Ok(results.into_iter().map(|(_, result)| result).collect())
}

/// Adds the load generator's own CPU use to a report, so a reader can tell
/// whether the generator was the bottleneck.
pub fn loadgen_cpu(report: &mut Report, before: f64, wall: f64) {
    let used = crate::target::own_cpu_secs() - before;
    report.float("loadgen_cpu_s", used, 2);
    if wall > 0.0 {
        report.float("loadgen_cores", used / wall, 2);
    }
}
