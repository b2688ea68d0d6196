//! Login workers: a few threads that check passwords and build welcomes,
//! so the session threads never run that deep code.
//!
//! A session thread lives as long as its connection, and every stack page
//! it ever touched stays resident until then. Argon2, the welcome and even
//! starting a thread (`spawn` alone takes a 1.9 KiB frame) reach pages an
//! idle session never needs again; run on a session thread they cost 4 to
//! 16 KiB per connection for its whole life. The workers' stacks are
//! shared by every login instead. Hashing is limited to one per core
//! anyway (`accounts`), so a worker per core keeps every core busy, plus
//! [`DISK_WAITERS`] more for the registrations waiting for `creds.txt` to
//! be synced.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Sender, unbounded};
use parking_lot::{Condvar, Mutex};
use tracing::warn;

/// Stack of a login worker: argon2 and the welcome need a few dozen KiB.
const WORKER_STACK: usize = 256 * 1024;

/// Workers beyond one per core. A registration waits on its worker while
/// its line is synced; meanwhile these keep the cores hashing, and the
/// registrations they finish are written together in the next sync (group
/// commit, `accounts`). 1000 registrations with cheap argon2 on a 2-core
/// VM: 1.9 s without them, 1.5 s with 4, 1.3 s with 8 (peak RSS +1 and
/// +1.8 MiB); with the default argon2 the cores are the limit anyway.
const DISK_WAITERS: usize = 4;

type Job = Box<dyn FnOnce() + Send>;

/// What a job ended with: its value, or the payload of its panic.
type Outcome<T> = std::thread::Result<T>;

/// Where a job's outcome comes back to the session that waits for it.
///
/// Not a `crossbeam` `bounded(1)` channel: that is a 640-byte allocation
/// (its head and tail are padded to cache lines), freed by whichever end
/// goes last, most often the session. glibc keeps what a thread frees in
/// that thread's cache (tcache) for the thread's next allocation of the
/// size, and a session thread goes idle right after its login: a thousand
/// idle sessions held 0.6 MiB of these (docs/BENCHMARKS.md, "1000 idle
/// users"). This slot is the outcome plus a lock and a condition variable.
struct Slot<T> {
    outcome: Mutex<Option<Option<Outcome<T>>>>,
    ready: Condvar,
}

/// The worker's end of a [`Slot`]: dropped without an outcome (the job
/// was dropped unrun), it tells the waiter so.
struct Reply<T> {
    slot: Arc<Slot<T>>,
}

impl<T> Reply<T> {
    fn settle(&self, outcome: Option<Outcome<T>>) {
        let mut state = self.slot.outcome.lock();
        if state.is_none() {
            *state = Some(outcome);
            drop(state);
            self.slot.ready.notify_one();
        }
    }
}

impl<T> Drop for Reply<T> {
    fn drop(&mut self) {
        self.settle(None);
    }
}

impl<T> Slot<T> {
    /// Waits for the outcome; `None` when the job was dropped unrun.
    fn wait(&self) -> Option<Outcome<T>> {
        let mut state = self.outcome.lock();
        loop {
            if let Some(outcome) = state.take() {
                return outcome;
            }
            self.ready.wait(&mut state);
        }
    }
}

/// The workers. Dropping it lets them finish their jobs and end.
pub(crate) struct LoginWorkers {
    jobs: Option<Sender<Job>>,
    _threads: Vec<JoinHandle<()>>,
}

impl LoginWorkers {
    /// Starts one worker per core (at least two) and [`DISK_WAITERS`].
    /// Without any (the threads could not be started), jobs run on the
    /// calling thread.
    pub(crate) fn start() -> LoginWorkers {
        let (tx, rx) = unbounded::<Job>();
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let mut threads = Vec::new();
        for i in 0..cores.max(2) + DISK_WAITERS {
            let rx = rx.clone();
            let spawned = thread::Builder::new()
                .name(format!("login-{i}"))
                .stack_size(WORKER_STACK)
                .spawn(move || {
                    while let Ok(job) = rx.recv() {
                        job();
                    }
                });
            match spawned {
                Ok(thread) => threads.push(thread),
                Err(e) => warn!(error = %e, "could not start a login worker"),
            }
        }
        LoginWorkers {
            jobs: (!threads.is_empty()).then_some(tx),
            _threads: threads,
        }
    }

    /// Runs `work` on a worker and waits for its result. If `work` panics,
    /// the panic goes on in the caller, as if it had run here; the worker
    /// survives.
    pub(crate) fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        let Some(jobs) = &self.jobs else {
            return work();
        };
        let slot = Arc::new(Slot {
            outcome: Mutex::new(None),
            ready: Condvar::new(),
        });
        let reply = Reply { slot: slot.clone() };
        let job: Job = Box::new(move || {
            reply.settle(Some(panic::catch_unwind(AssertUnwindSafe(work))));
        });
        if let Err(refused) = jobs.send(job) {
            // Every worker is gone: run it here after all.
            (refused.into_inner())();
        }
        match slot.wait() {
            Some(Ok(value)) => value,
            Some(Err(payload)) => panic::resume_unwind(payload),
            // The job was dropped unrun: only if its worker was killed.
            None => panic::resume_unwind(Box::new("login worker lost a job")),
        }
    }
}

impl Drop for LoginWorkers {
    fn drop(&mut self) {
        // Not joined: the last handle to the server may be dropped on a
        // worker itself. Closing the queue ends them.
        self.jobs.take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_on_workers_and_return_their_result() {
        let workers = LoginWorkers::start();
        let here = thread::current().id();
        let (value, there) = workers.run(|| (6 * 7, thread::current().id()));
        assert_eq!(value, 42);
        assert_ne!(there, here);
    }

    // See: issue 10, "A durable message store".
    #[test]
    fn workers_waiting_for_the_disk_leave_every_core_to_hashing() {
        let workers = LoginWorkers::start();
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        // At most one hash per core runs at once (`accounts`).
        assert!(
            workers._threads.len() >= cores + DISK_WAITERS,
            "{} workers for {cores} cores",
            workers._threads.len()
        );
        // That many jobs waiting at once (hashing or syncing) all run.
        let (started_tx, started) = unbounded();
        let (release, release_rx) = unbounded::<()>();
        thread::scope(|scope| {
            for _ in 0..cores + DISK_WAITERS {
                let (workers, started_tx, release_rx) =
                    (&workers, started_tx.clone(), release_rx.clone());
                scope.spawn(move || {
                    workers.run(move || {
                        let _ = started_tx.send(());
                        let _ = release_rx.recv();
                    })
                });
            }
            for _ in 0..cores + DISK_WAITERS {
                started.recv().unwrap();
            }
            drop(release);
        });
    }

    #[test]
    fn a_job_dropped_unrun_is_a_panic_in_the_caller_not_a_hang() {
        let slot = Arc::new(Slot::<u32> {
            outcome: Mutex::new(None),
            ready: Condvar::new(),
        });
        drop(Reply { slot: slot.clone() });
        assert!(slot.wait().is_none());
    }

    // See: issue 10, "1000 idle users": a session thread frees the slot of
    // its login most of the time, and glibc keeps it for that thread.
    #[test]
    fn the_slot_a_login_comes_back_in_is_small() {
        type Login = Result<(String, Vec<Arc<[u8]>>, bool), String>;
        // An `Arc` adds two counters; crossbeam's bounded(1) was 640 bytes.
        assert!(std::mem::size_of::<Slot<Login>>() <= 96);
    }

    #[test]
    fn a_panic_goes_on_in_the_caller_and_the_workers_survive() {
        let workers = LoginWorkers::start();
        for _ in 0..4 {
            let caught = panic::catch_unwind(AssertUnwindSafe(|| {
                workers.run(|| -> u32 { panic!("a bug in a login") })
            }));
            assert!(caught.is_err());
        }
        assert_eq!(workers.run(|| 1), 1);
    }
}
