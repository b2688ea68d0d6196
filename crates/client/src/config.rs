//! How to reach the server and who to log in as.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// Called after every event is queued, so a UI can wake up (the desktop
/// client passes `egui::Context::request_repaint`).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Settings for [`crate::Client::connect`].
#[derive(Clone)]
pub struct ClientConfig {
    /// The server, as `host:port`.
    pub address: String,
    /// The user name (registered on first login if the server allows it).
    pub user: String,
    /// The password. Kept in memory to log transfer connections in and to
    /// reconnect; never written anywhere.
    pub password: String,
    /// Where downloads go; `None` for [`crate::default_cache_dir`].
    pub cache_dir: Option<PathBuf>,
    /// Reconnect with backoff by itself when the connection drops.
    pub auto_reconnect: bool,
    /// Called after each event is queued.
    pub waker: Option<Waker>,
}

impl ClientConfig {
    /// Settings to log in as `user` at `address`, with the default cache
    /// and no automatic reconnect.
    pub fn new(
        address: impl Into<String>,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        ClientConfig {
            address: address.into(),
            user: user.into(),
            password: password.into(),
            cache_dir: None,
            auto_reconnect: false,
            waker: None,
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("address", &self.address)
            .field("user", &self.user)
            .field("password", &"…")
            .field("cache_dir", &self.cache_dir)
            .field("auto_reconnect", &self.auto_reconnect)
            .field("waker", &self.waker.is_some())
            .finish()
    }
}
