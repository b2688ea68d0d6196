//! [`Backoff`]: when the supervisor tries the next reconnect, doubling the
//! wait after each failed attempt.

use std::time::{Duration, Instant};

/// The first wait before reconnecting.
const FIRST_DELAY: Duration = Duration::from_millis(500);

/// The longest wait between attempts: a server back after a restart is
/// found within seconds, and ten-second tries cost it nothing.
const MAX_DELAY: Duration = Duration::from_secs(10);

/// The next reconnect attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// 1 for the first attempt.
    pub(crate) attempt: u32,
    /// The wait before it.
    pub(crate) delay: Duration,
    /// When it is due.
    pub(crate) due: Instant,
}

impl Backoff {
    /// The first attempt, after [`FIRST_DELAY`].
    pub(crate) fn first() -> Self {
        Backoff {
            attempt: 1,
            delay: FIRST_DELAY,
            due: Instant::now() + FIRST_DELAY,
        }
    }

    /// This attempt, due now (the user asked); the one after it still
    /// waits twice this one's wait.
    pub(crate) fn now(self) -> Self {
        Backoff {
            due: Instant::now(),
            ..self
        }
    }

    /// The attempt after this one failed: twice the wait, at most
    /// [`MAX_DELAY`].
    pub(crate) fn next(self) -> Self {
        let delay = (self.delay * 2).min(MAX_DELAY);
        Backoff {
            attempt: self.attempt + 1,
            delay,
            due: Instant::now() + delay,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_its_ceiling() {
        let mut backoff = Backoff::first();
        let mut delays = vec![backoff.delay];
        for _ in 0..8 {
            backoff = backoff.next();
            delays.push(backoff.delay);
        }
        assert_eq!(backoff.attempt, 9);
        assert_eq!(delays[..3], [FIRST_DELAY, FIRST_DELAY * 2, FIRST_DELAY * 4]);
        assert_eq!(*delays.last().unwrap(), MAX_DELAY);
    }
}
