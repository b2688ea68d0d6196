//! [`Background`]: work that outlives the window. Logging out waits for
//! the server to read `QUIT` and for transfers to end, and stopping a
//! hosted server waits for its sessions: none of it may hold the window
//! up, so it runs here, and `main` waits for it after the window closed.

use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

/// Threads doing work the process must finish before it exits. Clones
/// share the threads.
#[derive(Clone, Default)]
pub struct Background {
    threads: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Background {
    /// Runs `work` on a thread named `name`. Should no thread be had, the
    /// work is done here and now: late beats never.
    pub fn spawn(&self, name: &str, work: impl FnOnce() + Send + 'static) {
        let slot = Arc::new(Mutex::new(Some(work)));
        let theirs = slot.clone();
        let spawned = thread::Builder::new().name(name.to_owned()).spawn(move || {
            let work = theirs.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some(work) = work {
                work();
            }
        });
        match spawned {
            Ok(thread) => self.lock().push(thread),
            Err(e) => {
                tracing::warn!(error = %e, "no thread for {name}: doing it now");
                let work = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
                if let Some(work) = work {
                    work();
                }
            }
        }
    }

    /// Waits until every piece of work, including work started meanwhile,
    /// has finished.
    pub fn wait(&self) {
        loop {
            let threads = std::mem::take(&mut *self.lock());
            if threads.is_empty() {
                return;
            }
            for thread in threads {
                let _ = thread.join();
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.threads.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    use super::*;

    #[test]
    fn wait_finishes_all_work_even_work_started_by_work() {
        let done = Arc::new(AtomicUsize::new(0));
        let background = Background::default();
        let (go, gate) = mpsc::channel::<()>();
        let (inner, counter) = (background.clone(), done.clone());
        background.spawn("outer", move || {
            gate.recv().unwrap();
            inner.spawn("inner", move || {
                counter.fetch_add(1, Ordering::SeqCst);
            });
        });
        go.send(()).unwrap();
        background.wait();
        assert_eq!(done.load(Ordering::SeqCst), 1);
    }
}
