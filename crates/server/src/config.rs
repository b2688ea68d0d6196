//! Server settings and their defaults, with the reason for each.
//!
//! The defaults suit the seed's setting, a class or a team on one LAN, often
//! behind one NAT address, so per-address limits are generous. The anchors
//! are IRC servers, which face the same problems: Ergo keeps a 96 KiB send
//! queue per client, allows a burst of 5 lines then 2 per second, gives 60 s
//! to register and pings after 90 s of silence.

use std::path::PathBuf;

pub use media_chat_store::Durability;

pub use crate::registration::RegistrationMode;
use std::time::Duration;

/// Everything the server can be told at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// Holds `creds.txt`, `message_history.txt` and `server_files/`; created
    /// if missing.
    pub data_dir: PathBuf,
    /// The largest upload in bytes. Default 10 MiB, the seed's limit.
    pub max_file_size: u64,
    /// Accepted upload extensions, lower case, without the dot. Default the
    /// seed's list: jpg, png, gif, mp3, wav, txt, pdf. An upload's bytes
    /// must match its extension ([`media_chat_protocol::content`]), so one
    /// the protocol crate cannot check is never accepted.
    pub allowed_extensions: Vec<String>,
    /// Whether an unknown name logging in creates an account: always (as
    /// in the seed, the default), never, or with an invitation code.
    pub registration: RegistrationMode,
    /// Server administrators, by name (besides those in `admins.txt`).
    pub admins: Vec<String>,
    /// Argon2id cost for new password hashes.
    pub password_hashing: HashParams,
    /// How many past events a version 2 client is shown at login. Default
    /// 100.
    pub history_len: usize,
    /// Abuse and resource limits.
    pub limits: Limits,
    /// How much room the stored files may take.
    pub file_space: FileSpace,
    /// TLS on the same port.
    pub tls: TlsSettings,
    /// What a commit survives. Default [`Durability::Normal`]: a crash of
    /// the server process loses nothing any client received or was told
    /// was stored; [`Durability::Full`] also survives power loss, at an
    /// fsync per batch.
    pub durability: Durability,
}

/// How the server offers TLS. TLS and the plaintext protocol share the
/// port: a connection whose first byte starts a TLS handshake gets TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    /// Offer TLS at all. Default on.
    pub enabled: bool,
    /// A PEM certificate chain and its PEM private key (from a public CA,
    /// say). `None`: a self-signed pair is generated on first start and
    /// kept in the data dir (`tls-cert.pem`, `tls-key.pem`).
    pub cert_and_key: Option<(PathBuf, PathBuf)>,
    /// Refuse the plaintext protocol except from this machine (loopback),
    /// where it is harmless. Default off, so the seed's own clients still
    /// connect.
    pub require: bool,
}

impl Default for TlsSettings {
    fn default() -> Self {
        TlsSettings {
            enabled: true,
            cert_and_key: None,
            require: false,
        }
    }
}

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    /// Memory in KiB. Default 19456 (19 MiB), OWASP's recommendation.
    pub memory_kib: u32,
    /// Passes over memory. Default 2 (OWASP).
    pub iterations: u32,
    /// Lanes. Default 1 (OWASP).
    pub parallelism: u32,
}

/// Limits that keep one client from hurting the others.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections open at once, in total. Default 4096: thread-per-
    /// connection costs one small thread each (about 28 KiB resident when
    /// idle, see docs/BENCHMARKS.md), far below this.
    pub max_connections: usize,
    /// Connections open at once from one IP address. Default 256, so a
    /// whole class behind one NAT address fits.
    pub max_connections_per_ip: usize,
    /// Time from connecting to a successful login. Default 60 s (Ergo's
    /// registration time-out); a silent connection is closed after it.
    pub login_timeout: Duration,
    /// Silence after which a version 2 client is sent `PING`. Default 90 s,
    /// as IRC servers do.
    pub ping_interval: Duration,
    /// Time a `PING` may go unanswered before the connection is closed.
    /// Default 60 s.
    pub ping_timeout: Duration,
    /// Bytes that may wait in one session's outgoing queue. Default 2 MiB,
    /// twenty times Ergo's 96 KiB, because the welcome is queued at once:
    /// up to 100 history lines of up to 8 KiB and the names of up to 4096
    /// users online must fit ([`Config::validate`] checks it). Lines
    /// broadcast to many sessions are stored once, so a full queue costs
    /// little memory of its own. A client that falls this far behind is
    /// disconnected.
    pub send_queue_bytes: usize,
    /// Commands a client may send at once before flood control slows it.
    /// Default 10.
    pub flood_burst: u32,
    /// Commands per second once the burst is spent; a faster client is
    /// slowed down (its commands wait), not disconnected. Default 5; 0
    /// turns flood control off.
    pub flood_rate: f64,
    /// Time a line may take to arrive once it has begun. Default 30 s: a
    /// line normally arrives in one packet, and a client that trickles a
    /// line byte by byte must not hold its session for ever (the session
    /// notices a started line at its next check, so the bound is at most
    /// twice this).
    pub line_timeout: Duration,
    /// Longest wait for the next bytes of a file body. Default 30 s; a
    /// stalled upload is dropped and its temporary file deleted.
    pub body_read_timeout: Duration,
    /// The slowest a file body may arrive, in bytes per second, after
    /// [`Limits::body_grace`]. Default 10 KiB/s, so a 10 MiB upload has
    /// about 17 minutes plus the grace period; a trickle is dropped.
    pub body_min_rate: u64,
    /// Time every body gets on top of its size at the minimum rate.
    /// Default 30 s.
    pub body_grace: Duration,
    /// Failed logins allowed per account within `login_failure_window`.
    /// Default 5.
    pub login_failures_per_account: u32,
    /// Failed logins allowed per IP address within `login_failure_window`.
    /// Default 20 (a class shares one address).
    pub login_failures_per_ip: u32,
    /// The window the two counts above are kept for. Default 60 s.
    pub login_failure_window: Duration,
    /// Downloads one session may have queued at once. Default 8.
    pub max_queued_downloads: usize,
    /// The most members a room (`#general` included: every account) may
    /// have for its members to hear each other come and go. Default 100;
    /// bigger rooms give presence through their member lists only, so a
    /// login does not cost every user online (see docs/PROTOCOL.md).
    pub presence_room_max: usize,
}

/// How much room the stored files may take. An upload that would pass a
/// limit is refused before its body (version 2 and 3), saying how much is
/// left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSpace {
    /// What one user's stored files may take in all, in bytes (a file
    /// counts once, against its first uploader). Default 1 GiB; `None`:
    /// no limit.
    pub per_user: Option<u64>,
    /// What all stored files may take. Default `None`: no limit but the
    /// disk's.
    pub total: Option<u64>,
    /// The free space uploads must leave on the filesystem of the data
    /// dir. Default 1 GiB, so chat and the database never run out of room
    /// because of files.
    pub min_free_disk: u64,
}

/// One gibibyte, the default per-user quota and free-space margin.
pub const GIB: u64 = 1024 * 1024 * 1024;

impl Default for FileSpace {
    fn default() -> Self {
        FileSpace {
            per_user: Some(GIB),
            total: None,
            min_free_disk: GIB,
        }
    }
}

/// The seed's upload extension allow-list.
pub const DEFAULT_EXTENSIONS: [&str; 7] = ["jpg", "png", "gif", "mp3", "wav", "txt", "pdf"];

/// The seed's upload limit: 10 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

impl Config {
    /// The default settings with data kept in `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            data_dir: data_dir.into(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            allowed_extensions: DEFAULT_EXTENSIONS.iter().map(|e| e.to_string()).collect(),
            registration: RegistrationMode::Open,
            admins: Vec::new(),
            password_hashing: HashParams::default(),
            history_len: 100,
            limits: Limits::default(),
            file_space: FileSpace::default(),
            tls: TlsSettings::default(),
            durability: Durability::Normal,
        }
    }

    /// Whether `extension` (any case, no dot) may be uploaded.
    pub fn extension_allowed(&self, extension: &str) -> bool {
        let extension = extension.to_lowercase();
        self.allowed_extensions.contains(&extension)
    }
}

impl Default for HashParams {
    fn default() -> Self {
        HashParams {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 4096,
            max_connections_per_ip: 256,
            login_timeout: Duration::from_secs(60),
            ping_interval: Duration::from_secs(90),
            ping_timeout: Duration::from_secs(60),
            send_queue_bytes: 2 * 1024 * 1024,
            flood_burst: 10,
            flood_rate: 5.0,
            line_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            body_min_rate: 10 * 1024,
            body_grace: Duration::from_secs(30),
            login_failures_per_account: 5,
            login_failures_per_ip: 20,
            login_failure_window: Duration::from_secs(60),
            max_queued_downloads: 8,
            presence_room_max: 100,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_seeds() {
        let config = Config::new("/tmp/x");
        assert_eq!(config.max_file_size, 10_485_760);
        assert!(config.extension_allowed("PNG"));
        assert!(!config.extension_allowed("exe"));
        assert_eq!(config.password_hashing.memory_kib, 19_456);
        assert_eq!(config.file_space.per_user, Some(1 << 30));
        assert_eq!(config.file_space.total, None);
        assert_eq!(config.file_space.min_free_disk, 1 << 30);
    }
}
