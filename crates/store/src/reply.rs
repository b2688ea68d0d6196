//! The writer thread's answer to a caller that waits for it: a one-shot
//! slot behind a `parking_lot` mutex and condition variable.
//!
//! Not a `crossbeam` `bounded(1)` channel: its receiver spins and calls
//! `sched_yield` before it sleeps, and with a session thread per user each
//! waiting on a commit that cost a third of the server's two cores flat out
//! (docs/BENCHMARKS.md, "The message store"). A waiter here sleeps at once
//! and is woken once.

use std::sync::Arc;

use parking_lot::{Condvar, Mutex};

/// The writer's end: answers once, or, dropped unanswered (the writer
/// stopped), tells the waiter there will be no answer.
pub(crate) struct Reply<T> {
    slot: Arc<Slot<T>>,
}

/// The caller's end: waits for the answer.
pub(crate) struct Answer<T> {
    slot: Arc<Slot<T>>,
}

struct Slot<T> {
    state: Mutex<State<T>>,
    ready: Condvar,
}

enum State<T> {
    Waiting,
    Sent(T),
    Dropped,
    Taken,
}

/// A reply and the answer it fills.
pub(crate) fn reply<T>() -> (Reply<T>, Answer<T>) {
    let slot = Arc::new(Slot {
        state: Mutex::new(State::Waiting),
        ready: Condvar::new(),
    });
    (Reply { slot: slot.clone() }, Answer { slot })
}

impl<T> Reply<T> {
    /// Answers. The caller may have stopped waiting: then nothing happens.
    pub(crate) fn send(self, value: T) {
        self.settle(State::Sent(value));
    }

    fn settle(&self, outcome: State<T>) {
        let mut state = self.slot.state.lock();
        if matches!(*state, State::Waiting) {
            *state = outcome;
            drop(state);
            self.slot.ready.notify_one();
        }
    }
}

impl<T> Drop for Reply<T> {
    fn drop(&mut self) {
        self.settle(State::Dropped);
    }
}

impl<T> Answer<T> {
    /// Waits for the answer; `None` when the reply was dropped unanswered.
    pub(crate) fn wait(self) -> Option<T> {
        let mut state = self.slot.state.lock();
        while matches!(*state, State::Waiting) {
            self.slot.ready.wait(&mut state);
        }
        match std::mem::replace(&mut *state, State::Taken) {
            State::Sent(value) => Some(value),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    #[test]
    fn an_answer_from_another_thread_wakes_the_waiter() {
        for _ in 0..100 {
            let (reply, answer) = reply();
            let writer = thread::spawn(move || reply.send(42));
            assert_eq!(answer.wait(), Some(42));
            writer.join().unwrap();
        }
    }

    #[test]
    fn an_answer_sent_before_the_wait_is_found() {
        let (reply, answer) = reply();
        reply.send("done");
        assert_eq!(answer.wait(), Some("done"));
    }

    #[test]
    fn a_reply_dropped_unanswered_ends_the_wait() {
        let (reply, answer) = reply::<()>();
        let writer = thread::spawn(move || drop(reply));
        assert_eq!(answer.wait(), None);
        writer.join().unwrap();
    }

    #[test]
    fn answering_after_the_waiter_left_is_harmless() {
        let (reply, answer) = reply();
        drop(answer);
        reply.send(1);
    }
}
