//! Reconnecting after a dropped connection, with exponential backoff.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::client::Shared;
use crate::error::ConnectError;
use crate::event::Event;

/// The first wait before reconnecting.
const FIRST_DELAY: Duration = Duration::from_millis(500);

/// The longest wait between attempts.
const MAX_DELAY: Duration = Duration::from_secs(30);

/// Starts the reconnect loop unless one is running.
pub(crate) fn spawn(shared: &Arc<Shared>) {
    if !shared.start_reconnecting() {
        return;
    }
    let looping = shared.clone();
    match thread::Builder::new()
        .name("reconnect".into())
        .spawn(move || run(&looping))
    {
        Ok(handle) => shared.keep_thread(handle),
        Err(e) => {
            shared.stop_reconnecting();
            tracing::warn!(error = %e, "cannot start the reconnect thread");
        }
    }
}

fn run(shared: &Arc<Shared>) {
    let mut delay = FIRST_DELAY;
    for attempt in 1.. {
        shared.emit(Event::Reconnecting { attempt, delay });
        if shared.wait_unless_closing(delay) {
            break;
        }
        match Shared::establish(shared) {
            Ok(()) => break,
            // Quit closed the handshake, or came right after it.
            Err(_) if shared.is_closing() => break,
            Err(ConnectError::Refused(reason)) => {
                // A refused login (a changed password, say) will not fix
                // itself by retrying.
                shared.emit(Event::Disconnected {
                    reason: format!("reconnecting was refused: {reason}"),
                });
                break;
            }
            Err(e) => {
                tracing::debug!(attempt, error = %e, "reconnect failed");
                delay = (delay * 2).min(MAX_DELAY);
            }
        }
    }
    shared.stop_reconnecting();
}
