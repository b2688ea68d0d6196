//! Login workers: a few threads that check passwords and build welcomes,
//! so the session threads never run that deep code.
//!
//! A session thread lives as long as its connection, and every stack page
//! it ever touched stays resident until then. Argon2, the welcome and even
//! starting a thread (`spawn` alone takes a 1.9 KiB frame) reach pages an
//! idle session never needs again; run on a session thread they cost 4 to
//! 16 KiB per connection for its whole life. The workers' stacks are
//! shared by every login instead. Hashing is limited to one per core
//! anyway (`accounts`), so a worker per core loses nothing.

use std::panic::{self, AssertUnwindSafe};
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Sender, bounded, unbounded};
use tracing::warn;

/// Stack of a login worker: argon2 and the welcome need a few dozen KiB.
const WORKER_STACK: usize = 256 * 1024;

type Job = Box<dyn FnOnce() + Send>;

/// The workers. Dropping it lets them finish their jobs and end.
pub(crate) struct LoginWorkers {
    jobs: Option<Sender<Job>>,
    _threads: Vec<JoinHandle<()>>,
}

impl LoginWorkers {
    /// Starts one worker per core (at least two). Without any (the threads
    /// could not be started), jobs run on the calling thread.
    pub(crate) fn start() -> LoginWorkers {
        let (tx, rx) = unbounded::<Job>();
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let mut threads = Vec::new();
        for i in 0..cores.max(2) {
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
        let (done, result) = bounded(1);
        let job: Job = Box::new(move || {
            let _ = done.send(panic::catch_unwind(AssertUnwindSafe(work)));
        });
        if let Err(refused) = jobs.send(job) {
            // Every worker is gone: run it here after all.
            (refused.into_inner())();
        }
        match result.recv() {
            Ok(Ok(value)) => value,
            Ok(Err(payload)) => panic::resume_unwind(payload),
            // The job was dropped unrun: only if its worker was killed.
            Err(_) => panic::resume_unwind(Box::new("login worker lost a job")),
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
