//! The stop signal shared by Ctrl-C, tests and the accept loop.
//!
//! A blocking `accept` cannot be interrupted by a flag alone, so whoever runs
//! the accept loop registers a wake-up (a connection to itself) that
//! [`Shutdown::trigger`] runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;

type Waker = Box<dyn Fn() + Send>;

/// A cloneable "please stop" signal. Cloning is shallow: every clone
/// triggers and observes the same signal.
#[derive(Clone, Default)]
pub struct Shutdown {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    triggered: AtomicBool,
    wakers: Mutex<Vec<Waker>>,
}

impl Shutdown {
    /// A signal that has not been triggered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the server to stop. Safe to call more than once and from a
    /// signal-handling thread.
    pub fn trigger(&self) {
        if self.inner.triggered.swap(true, Ordering::SeqCst) {
            return;
        }
        let wakers = std::mem::take(&mut *self.inner.wakers.lock());
        for wake in wakers {
            wake();
        }
    }

    /// Whether [`Shutdown::trigger`] has been called.
    pub fn is_triggered(&self) -> bool {
        self.inner.triggered.load(Ordering::SeqCst)
    }

    /// Runs `wake` when the signal is triggered (at once if it already was).
    pub(crate) fn on_trigger(&self, wake: impl Fn() + Send + 'static) {
        let mut wakers = self.inner.wakers.lock();
        if self.is_triggered() {
            drop(wakers);
            wake();
        } else {
            wakers.push(Box::new(wake));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    #[test]
    fn wakers_run_once_even_if_registered_late() {
        let shutdown = Shutdown::new();
        let count = Arc::new(AtomicUsize::new(0));
        let early = count.clone();
        shutdown.on_trigger(move || {
            early.fetch_add(1, Ordering::SeqCst);
        });
        assert!(!shutdown.is_triggered());
        shutdown.clone().trigger();
        shutdown.trigger();
        assert!(shutdown.is_triggered());
        let late = count.clone();
        shutdown.on_trigger(move || {
            late.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }
}
