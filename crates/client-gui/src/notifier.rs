//! Desktop notifications through the system's notification service (over
//! D-Bus on Linux, with notify-rust), shown off the UI thread. Where there
//! is no such service (a headless machine, a bare window manager) nothing
//! is shown and the failure is logged once.

use crossbeam_channel::{Sender, TrySendError, bounded};

use crate::state::Alert;

/// Notifications waiting for the service: more are dropped, not queued
/// without end behind a stuck service.
const WAITING: usize = 16;

/// Hands notifications to the thread that shows them.
#[derive(Debug)]
pub struct Notifier {
    sender: Sender<Alert>,
}

impl Notifier {
    /// Starts the thread that shows notifications.
    pub fn start() -> Notifier {
        let (sender, receiver) = bounded::<Alert>(WAITING);
        let spawned = std::thread::Builder::new()
            .name("notifications".into())
            .spawn(move || {
                let mut failed = false;
                for alert in receiver {
                    let shown = notify_rust::Notification::new()
                        .appname("media-chat")
                        .summary(&alert.title)
                        .body(&alert.body)
                        .show();
                    if let Err(e) = shown
                        && !std::mem::replace(&mut failed, true)
                    {
                        tracing::info!(error = %e, "desktop notifications are not available here");
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot start the notifications thread");
        }
        Notifier { sender }
    }

    /// Shows `alert` (dropped if too many are waiting, or the thread is
    /// gone).
    pub fn show(&self, alert: Alert) {
        if let Err(TrySendError::Full(_)) = self.sender.try_send(alert) {
            tracing::debug!("notifications waiting: one dropped");
        }
    }
}
