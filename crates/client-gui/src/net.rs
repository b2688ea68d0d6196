//! The window's network side: owns the [`Client`] from the client library
//! (no socket code of its own), logs in off the UI thread, and drains
//! events within a time budget per frame.

use std::sync::Arc;
use std::time::{Duration, Instant};

use media_chat_client::{Client, ClientConfig, ConnectError, Event};

use crate::task::{Poll, Task};

/// Longest time one frame spends draining events; the rest wait for the
/// next frame, which is requested at once.
const DRAIN_BUDGET: Duration = Duration::from_millis(10);

/// The connection, or the attempt to make one.
#[derive(Default)]
pub struct Net {
    client: Option<Client>,
    connecting: Option<Task<Result<Client, ConnectError>>>,
}

impl Net {
    /// Starts logging in on a background thread; `wake` is called when it
    /// is done (and after every event from then on).
    pub fn connect(&mut self, mut config: ClientConfig, wake: impl Fn() + Send + Sync + 'static) {
        let wake = Arc::new(wake);
        let waker = wake.clone();
        config.waker = Some(Arc::new(move || waker()));
        // Shares come with their previews (pictures' thumbnails, sounds'
        // lengths…), drawn as soon as the server has made them.
        config.previews = true;
        match Task::spawn("login", move || Client::connect(config), move || wake()) {
            Ok(task) => self.connecting = Some(task),
            Err(e) => tracing::error!(error = %e, "cannot start the login thread"),
        }
    }

    /// Whether a login is under way.
    pub fn is_connecting(&self) -> bool {
        self.connecting.is_some()
    }

    /// The login's outcome, once: `Some(Ok(user))` or `Some(Err(why))`.
    pub fn poll_login(&mut self) -> Option<Result<String, ConnectError>> {
        let outcome = match self.connecting.as_ref()?.poll() {
            Poll::Running => return None,
            Poll::Done(outcome) => outcome,
            Poll::Lost => Err(ConnectError::Protocol(
                "the login stopped unexpectedly".to_owned(),
            )),
        };
        self.connecting = None;
        Some(outcome.map(|client| {
            let user = client.user();
            self.client = Some(client);
            user
        }))
    }

    /// The logged-in client.
    pub fn client(&self) -> Option<&Client> {
        self.client.as_ref()
    }

    /// Hands the client over, to log it out where waiting is allowed.
    pub fn take_client(&mut self) -> Option<Client> {
        self.client.take()
    }

    /// Events that arrived since the last frame, within the frame budget;
    /// `true` in the second value when more are waiting.
    pub fn drain(&self) -> (Vec<Event>, bool) {
        let Some(client) = &self.client else {
            return (Vec::new(), false);
        };
        let started = Instant::now();
        let mut events = Vec::new();
        while let Ok(event) = client.events().try_recv() {
            events.push(event);
            if started.elapsed() >= DRAIN_BUDGET {
                return (events, true);
            }
        }
        (events, false)
    }
}
