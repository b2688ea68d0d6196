//! How to reach the server and who to log in as.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use directories::ProjectDirs;
use media_chat_tls::{Fingerprint, KnownServers};

use crate::journal::default_data_dir;

/// Called after every event is queued, so a UI can wake up (the desktop
/// client passes `egui::Context::request_repaint`).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// How the connection is protected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// TLS (the default). A certificate from a well-known authority is
    /// accepted; a self-signed one must have been accepted before (it is
    /// then remembered in `known_servers`) or be `trust`.
    Tls {
        /// Where accepted fingerprints are kept; `None` remembers nothing.
        known_servers: Option<PathBuf>,
        /// A fingerprint to accept (and remember) for this server, as a
        /// script passes with `--trust`.
        trust: Option<Fingerprint>,
    },
    /// The plaintext protocol, for old servers without TLS. Passwords and
    /// messages cross the network readable by anyone on the path.
    Plaintext,
}

impl Transport {
    /// TLS, remembering accepted certificates in the default place.
    pub fn tls() -> Self {
        Transport::Tls {
            known_servers: default_known_servers(),
            trust: None,
        }
    }
}

/// `<config dir>/media-chat/known_servers`, if the system has a home.
pub fn default_known_servers() -> Option<PathBuf> {
    ProjectDirs::from("", "", "media-chat").map(|dirs| dirs.config_dir().join("known_servers"))
}

/// Settings for [`crate::Client::connect`].
#[derive(Clone)]
pub struct ClientConfig {
    /// The server, as `host:port`.
    pub address: String,
    /// The user name (registered on first login if the server allows it).
    pub user: String,
    /// The password. Kept in memory to reconnect (and to log transfer
    /// connections in on a version 2 server, which has no transfer
    /// tokens); never written anywhere.
    pub password: String,
    /// Where downloads go; `None` for [`crate::default_cache_dir`].
    pub cache_dir: Option<PathBuf>,
    /// Where the client keeps what a restart needs, per server and user:
    /// the last event id seen (to resume from it) and the messages not yet
    /// acknowledged. [`ClientConfig::new`] sets [`crate::default_data_dir`];
    /// `None` remembers nothing.
    pub data_dir: Option<PathBuf>,
    /// Reconnect with backoff by itself when the connection drops.
    pub auto_reconnect: bool,
    /// TLS (the default) or plaintext.
    pub transport: Transport,
    /// Called after each event is queued.
    pub waker: Option<Waker>,
    /// An invitation code, to register on a server where registering
    /// needs one: sent (`CODE|code`) before the first login only.
    pub invite_code: Option<String>,
    /// Be told of previews (version 3): a [`crate::Event::PreviewPending`]
    /// after each share, then [`crate::Event::PreviewReady`]. Off by
    /// default; [`crate::Client::fetch_preview`] works either way.
    pub previews: bool,
}

impl ClientConfig {
    /// Settings to log in as `user` at `address` over TLS, with the default
    /// cache, data dir and known-servers file and no automatic reconnect.
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
            data_dir: default_data_dir(),
            auto_reconnect: false,
            transport: Transport::tls(),
            waker: None,
            invite_code: None,
            previews: false,
        }
    }

    /// Remembers `fingerprint` as this server's certificate, after the user
    /// compared it with the one their administrator gave
    /// ([`crate::ConnectError::Untrusted`] shows it).
    pub fn accept_certificate(&self, fingerprint: Fingerprint) -> io::Result<()> {
        match &self.transport {
            Transport::Tls {
                known_servers: Some(path),
                ..
            } => KnownServers::new(path).remember(&self.address, fingerprint),
            _ => Err(io::Error::other(
                "no known-servers file to remember the certificate in",
            )),
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
            .field("data_dir", &self.data_dir)
            .field("auto_reconnect", &self.auto_reconnect)
            .field("transport", &self.transport)
            .field("waker", &self.waker.is_some())
            .field("invite_code", &self.invite_code.as_ref().map(|_| "…"))
            .field("previews", &self.previews)
            .finish()
    }
}
