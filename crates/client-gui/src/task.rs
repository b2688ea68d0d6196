//! [`Task`]: one piece of work that must not run on the UI thread
//! (logging in, starting a hosted server), on a named thread of its own.
//! The frame polls for the result; the thread wakes the UI when done.

use std::io;
use std::thread;

use crossbeam_channel::{Receiver, TryRecvError};

/// How a task stands.
#[derive(Debug, PartialEq, Eq)]
pub enum Poll<T> {
    /// Still running.
    Running,
    /// Finished with this result (reported once).
    Done(T),
    /// The thread ended without a result (it panicked).
    Lost,
}

/// Work running on a thread of its own.
pub struct Task<T> {
    result: Receiver<T>,
}

impl<T: Send + 'static> Task<T> {
    /// Runs `work` on a thread named `name`; `wake` is called once the
    /// result is ready.
    pub fn spawn(
        name: &str,
        work: impl FnOnce() -> T + Send + 'static,
        wake: impl FnOnce() + Send + 'static,
    ) -> io::Result<Task<T>> {
        let (tx, result) = crossbeam_channel::bounded(1);
        thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let _ = tx.send(work());
                wake();
            })?;
        Ok(Task { result })
    }

    /// The result, if the work is done.
    pub fn poll(&self) -> Poll<T> {
        match self.result.try_recv() {
            Ok(result) => Poll::Done(result),
            Err(TryRecvError::Empty) => Poll::Running,
            Err(TryRecvError::Disconnected) => Poll::Lost,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    #[test]
    fn the_result_arrives_once_and_the_ui_is_woken() {
        let (go, gate) = mpsc::channel::<()>();
        let (woke, wakes) = mpsc::channel();
        let task = Task::spawn(
            "test",
            move || {
                gate.recv().unwrap();
                42
            },
            move || woke.send(()).unwrap(),
        )
        .unwrap();
        assert_eq!(task.poll(), Poll::Running);
        go.send(()).unwrap();
        wakes.recv().unwrap();
        assert_eq!(task.poll(), Poll::Done(42));
    }

    #[test]
    fn a_panicking_task_is_lost_not_running_forever() {
        let (woke, wakes) = mpsc::channel::<()>();
        let task: Task<u8> =
            Task::spawn("test-panic", || panic!("on purpose"), move || drop(woke)).unwrap();
        // The wake closure is dropped, never called, when the thread panics.
        assert!(wakes.recv().is_err());
        assert_eq!(task.poll(), Poll::Lost);
    }
}
