//! The window's network side: owns the [`Client`] from the client library
//! (no socket code of its own), logs in off the UI thread, and drains
//! events within a time budget per frame.

use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use media_chat_client::{Client, ClientConfig, ConnectError, Event};

/// Longest time one frame spends draining events; the rest wait for the
/// next frame, which is requested at once.
const DRAIN_BUDGET: Duration = Duration::from_millis(10);

/// The connection, or the attempt to make one.
#[derive(Default)]
pub struct Net {
    client: Option<Client>,
    connecting: Option<Receiver<Result<Client, ConnectError>>>,
}

impl Net {
    /// Starts logging in on a background thread; `wake` is called when it
    /// is done (and after every event from then on).
    pub fn connect(&mut self, mut config: ClientConfig, wake: impl Fn() + Send + Sync + 'static) {
        let wake = std::sync::Arc::new(wake);
        let waker = wake.clone();
        config.waker = Some(std::sync::Arc::new(move || waker()));
        let (tx, rx) = crossbeam_channel::bounded(1);
        self.connecting = Some(rx);
        let spawned = thread::Builder::new().name("login".into()).spawn(move || {
            let _ = tx.send(Client::connect(config));
            wake();
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the login thread");
            self.connecting = None;
        }
    }

    /// Whether a login is under way.
    pub fn is_connecting(&self) -> bool {
        self.connecting.is_some()
    }

    /// The login's outcome, once: `Some(Ok(user))` or `Some(Err(why))`.
    pub fn poll_login(&mut self) -> Option<Result<String, ConnectError>> {
        let outcome = self.connecting.as_ref()?.try_recv().ok()?;
        self.connecting = None;
        Some(match outcome {
            Ok(client) => {
                let user = client.user();
                self.client = Some(client);
                Ok(user)
            }
            Err(e) => Err(e),
        })
    }

    /// The logged-in client.
    pub fn client(&self) -> Option<&Client> {
        self.client.as_ref()
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

    /// Logs out (sends `QUIT` after what is queued).
    pub fn log_out(&mut self) {
        if let Some(client) = self.client.take() {
            client.quit();
        }
    }
}
